/*
 * preview.c - the preview pane's interface and its text implementation:
 * text candidates wrapped to the pane and scrollable (control characters
 * visible; a text kept only as a file read a window at a time), and for images, audio and video their facts (type, size,
 * dimensions or duration, SHA-256, path).  Image previews (chafa symbols,
 * sixel, kitty) are other preview_ops behind the same calls.
 */
#include "config.h"

#include "tui-private.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void human_bytes(int64_t n, char buf[32])
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, 32, "%lld B", (long long)n);
	else
		snprintf(buf, 32, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void fact(struct fact **out, size_t *n, const char *label, char *value)
{
	*out = xrealloc(*out, (*n + 1) * sizeof **out);
	(*out)[*n].label = xstrdup(label);
	(*out)[*n].value = value;
	(*n)++;
}

size_t preview_facts(const struct lb_candidate *c, struct fact **out)
{
	char buf[32], when[32];
	size_t n = 0;

	*out = NULL;
	fact(out, &n, "type", xasprintf("%s (%s)", lb_modality_name(c->modality),
					c->media_type ? c->media_type : "?"));
	human_bytes(c->bytes, buf);
	fact(out, &n, "size", xstrdup(buf));
	if (c->width > 0 && c->height > 0)
		fact(out, &n, "pixels", xasprintf("%d x %d", c->width, c->height));
	if (c->duration > 0) {
		int s = (int)floor(c->duration);
		fact(out, &n, "duration", xasprintf("%d:%02d (%.2f s)", s / 60, s % 60, c->duration));
	}
	if (c->asset_id == 0 && c->body) {
		const char *p;
		int lines = 1, words = 0, inword = 0;
		for (p = c->body; *p; p++) {
			if (*p == '\n')
				lines++;
			if (*p == ' ' || *p == '\n' || *p == '\t')
				inword = 0;
			else if (!inword) {
				inword = 1;
				words++;
			}
		}
		fact(out, &n, "text", xasprintf("%d words, %d lines", words, lines));
	}
	if (c->backend && *c->backend)
		fact(out, &n, "backend", xasprintf("%s%s%s", c->backend, c->model && *c->model ? " / " : "",
						   c->model ? c->model : ""));
	if (c->has_seed)
		fact(out, &n, "seed", xasprintf("%lld", (long long)c->seed));
	util_iso8601(c->created, when);
	fact(out, &n, "created", xstrdup(when));
	if (c->sha256 && *c->sha256)
		fact(out, &n, "sha256", xstrdup(c->sha256));
	if (c->purged) {
		util_iso8601(c->purged, when);
		fact(out, &n, "file", xasprintf("purged %s: freed by lightbox purge; the record stays",
						 when));
	} else if (c->path) {
		fact(out, &n, "path", xstrdup(c->path));
	}
	if (c->asset_state)
		fact(out, &n, "file", xstrdup(lb_asset_state_words(c->asset_state)));
	else if (c->link && !c->purged)
		fact(out, &n, "file", xstrdup(c->link == 1 ? "a hard link to the imported file" : "a reflink of the imported file"));
	return n;
}

char *preview_text_head(const struct lb_candidate *c, size_t max, int64_t *rest, char **err)
{
	char *buf = xmalloc(max + 1);
	ssize_t n = -1;
	size_t k;
	int fd = c->path ? open(c->path, O_RDONLY | O_CLOEXEC) : -1;

	*err = NULL;
	if (fd >= 0) {
		n = read(fd, buf, max);
		close(fd);
	}
	if (n < 0) {
		*err = xasprintf("cannot read %s: %s", c->path ? c->path : "the text's file", strerror(errno));
		free(buf);
		return NULL;
	}
	k = (size_t)n;
	if (k == max) {
		while (k > 0 && buf[k - 1] != '\n')
			k--;
		if (k == 0)
			for (k = max; k > 0 && ((unsigned char)buf[k] & 0xC0) == 0x80;)
				k--;
	}
	buf[k] = '\0';
	*rest = c->bytes > (int64_t)k ? c->bytes - (int64_t)k : 0;
	return buf;
}

void preview_facts_free(struct fact *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].label);
		free(f[i].value);
	}
	free(f);
}

/* ------------------------------------------------------------ the text preview */

/* A text kept as a file (over 8 MiB, or only a file): read a window at a
 * time, never whole.  The file is cut into pieces (a line, or 4 KiB of a
 * longer one, on a character boundary); each piece's offset and first
 * display line are noted as far as the pane has been scrolled. */
enum { PIECE_MAX = 4096 };

struct text_piece {
	int64_t off;
	int first;       /* its first display line */
};

struct text_file {
	int64_t id;      /* whose file is open, 0: none */
	int width;
	int fd;
	int64_t size;
	struct text_piece *pieces;
	size_t n, cap;
	int64_t scanned; /* where the next piece starts */
	int lines;       /* display lines of the pieces noted */
	int eof;
};

struct text_preview {
	int64_t id;      /* what `lines` holds */
	int width;
	size_t body_len;
	struct draw_lines lines;
	struct text_file file;
};

/* Facts as "label    value" lines; a long value wraps under itself. */
static void facts_lines(const struct lb_candidate *c, int w, struct draw_lines *out)
{
	struct fact *f;
	size_t n = preview_facts(c, &f), i, j;
	struct draw_lines wrapped;
	int vw = w - 10 > 8 ? w - 10 : 8;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < n; i++) {
		draw_wrap(f[i].value, vw, &wrapped);
		for (j = 0; j < wrapped.n; j++) {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
			out->v[out->n++] = xasprintf("%-9s %s", j == 0 ? f[i].label : "", wrapped.v[j]);
		}
		draw_lines_free(&wrapped);
	}
	preview_facts_free(f, n);
}

static void file_reset(struct text_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->pieces);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

/* Reads the piece at off into buf (NUL-terminated, its trailing newline
 * dropped); its length in the file, 0 at the end. */
static size_t piece_read(struct text_file *f, int64_t off, char buf[PIECE_MAX + 1])
{
	ssize_t n = pread(f->fd, buf, PIECE_MAX, (off_t)off);
	char *nl;
	size_t len;

	if (n <= 0)
		return 0;
	nl = memchr(buf, '\n', (size_t)n);
	if (nl) {
		len = (size_t)(nl - buf) + 1;
		*nl = '\0';
		return len;
	}
	len = (size_t)n;
	/* Cut a long line on a character boundary. */
	if (len == PIECE_MAX) {
		size_t k = len;
		while (k > len - 4 && k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)buf[k - 1] >= 0xC0)
			len = k - 1 > 0 ? k - 1 : len;
	}
	buf[len] = '\0';
	return len;
}

/* Notes pieces until `want` display lines are known or the file ends. */
static void file_scan(struct text_file *f, int want)
{
	char buf[PIECE_MAX + 1];
	struct draw_lines wl;

	while (!f->eof && f->lines < want) {
		size_t len = piece_read(f, f->scanned, buf);

		if (len == 0) {
			f->eof = 1;
			break;
		}
		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 64;
			f->pieces = xrealloc(f->pieces, f->cap * sizeof *f->pieces);
		}
		f->pieces[f->n].off = f->scanned;
		f->pieces[f->n++].first = f->lines;
		draw_wrap(buf, f->width, &wl);
		f->lines += wl.n ? (int)wl.n : 1;
		draw_lines_free(&wl);
		f->scanned += (int64_t)len;
	}
}

/* Draws a text file from display line `scroll`: reads only the pieces on
 * the screen.  Returns the display lines known (all once at the end). */
static int file_draw(struct text_preview *t, const struct lb_candidate *c, struct rect r, int scroll)
{
	struct text_file *f = &t->file;
	char buf[PIECE_MAX + 1];
	size_t i, lo, hi;
	int y = r.y + 1;

	if (f->id != c->id || f->width != r.w) {
		file_reset(f);
		f->id = c->id;
		f->width = r.w;
		f->fd = open(c->path, O_RDONLY | O_CLOEXEC);
		f->size = c->bytes;
	}
	if (f->fd < 0) {
		char *m = xasprintf("cannot read %s: %s", c->path, strerror(errno));
		draw_text(y, r.x, r.w, ROLE_ERROR, m);
		free(m);
		return 1;
	}
	file_scan(f, scroll + r.h);
	if (f->eof && scroll > f->lines - 1)
		scroll = f->lines - 1;
	if (scroll < 0)
		scroll = 0;
	/* The piece holding display line `scroll`. */
	lo = 0;
	hi = f->n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (f->pieces[mid].first <= scroll)
			lo = mid;
		else
			hi = mid;
	}
	for (i = lo; i < f->n && y < r.y + r.h; i++) {
		struct draw_lines wl;
		size_t k;

		if (piece_read(f, f->pieces[i].off, buf) == 0)
			break;
		draw_wrap(buf, r.w, &wl);
		for (k = 0; k < wl.n && y < r.y + r.h; k++)
			if (f->pieces[i].first + (int)k >= scroll)
				draw_text(y++, r.x, r.w, ROLE_NORMAL, wl.v[k]);
		draw_lines_free(&wl);
	}
	if (f->n && (!f->eof || scroll + r.h - 1 < f->lines) && r.h > 2 && f->size > 0) {
		char more[32];
		snprintf(more, sizeof more, " %d%% ", (int)(100.0 * (double)f->pieces[lo].off / (double)f->size));
		draw_text_right(r.y, r.x, r.w, ROLE_DIM, more);
	}
	return f->eof ? f->lines : scroll + r.h;
}

static int text_draw(struct preview *p, const struct lb_candidate *c, struct rect r, int scroll)
{
	struct text_preview *t = p->data;
	char head[96], size[32];
	int i, y, is_text;

	if (r.h < 1 || r.w < 4)
		return 0;
	/* A text from a file reads like a typed one: its body when it has
	 * one (up to 8 MiB), else the file, a window at a time. */
	is_text = c->body != NULL && (c->asset_id == 0 || c->modality == LB_TEXT);
	human_bytes(c->bytes, size);
	snprintf(head, sizeof head, "#%lld %s %s", (long long)c->id, lb_modality_name(c->modality),
		 c->purged ? "file purged" : size);
	draw_fill(r.y, r.x, r.w, ROLE_HEADER);
	draw_text(r.y, r.x, r.w, ROLE_HEADER, head);
	if (!is_text && c->modality == LB_TEXT && c->asset_id && c->path && !c->purged)
		return file_draw(t, c, r, scroll);
	if (t->id != c->id || t->width != r.w || t->body_len != (is_text ? strlen(c->body) : 0)) {
		draw_lines_free(&t->lines);
		if (is_text)
			draw_wrap(c->body, r.w, &t->lines);
		else
			facts_lines(c, r.w, &t->lines);
		t->id = c->id;
		t->width = r.w;
		t->body_len = is_text ? strlen(c->body) : 0;
	}
	if (scroll > (int)t->lines.n - 1)
		scroll = (int)t->lines.n - 1;
	if (scroll < 0)
		scroll = 0;
	for (i = scroll, y = r.y + 1; i < (int)t->lines.n && y < r.y + r.h; i++, y++)
		draw_text(y, r.x, r.w, is_text ? ROLE_NORMAL : ROLE_INFO, t->lines.v[i]);
	if (scroll + r.h - 1 < (int)t->lines.n && r.h > 2) {
		char more[32];
		snprintf(more, sizeof more, " %d%% ", (int)(100.0 * (scroll + r.h - 1) / (double)t->lines.n));
		draw_text_right(r.y, r.x, r.w, ROLE_DIM, more);
	}
	return (int)t->lines.n;
}

static void text_flush(struct preview *p)
{
	(void)p;
}

static void text_hide(struct preview *p)
{
	(void)p;
}

static void text_free(struct preview *p)
{
	struct text_preview *t = p->data;

	draw_lines_free(&t->lines);
	file_reset(&t->file);
	free(t);
}

static const struct preview_ops text_ops = {
	.name = "text",
	.draw = text_draw,
	.flush = text_flush,
	.hide = text_hide,
	.free = text_free,
};

struct preview *preview_text_new(struct tui *ui)
{
	struct preview *p = xcalloc(1, sizeof *p);

	p->ops = &text_ops;
	p->ui = ui;
	p->data = xcalloc(1, sizeof(struct text_preview));
	((struct text_preview *)p->data)->file.fd = -1;
	return p;
}

void preview_free(struct preview **pp)
{
	struct preview *p = *pp;

	if (p == NULL)
		return;
	p->ops->free(p);
	free(p);
	*pp = NULL;
}

int preview_draw_zoomed(struct preview *p, const struct lb_candidate *c, struct rect r, int scroll,
			const struct viewport *vp)
{
	if (p->ops->draw_zoomed)
		return p->ops->draw_zoomed(p, c, r, scroll, vp);
	return p->ops->draw(p, c, r, scroll);
}
