/*
 * preview-image.c - the picture preview behind the preview interface:
 * images drawn in the mode the terminal offers (chafa symbols in
 * ncurses' cells, sixel, kitty, iTerm2), audio as facts and a waveform,
 * video as facts and a poster frame; text candidates and `preview-mode
 * none` go to the text preview (preview.c), which it wraps.
 *
 * It asks the terminal what it can draw before ncurses starts
 * (termprobe.c), renders in worker threads into a cache of recent
 * previews (preview-cache.c), prefetches the neighbours the views name,
 * and follows the frame: draw (symbols into cells, pixel images as
 * wanted placements), prepare (before doupdate: erase what goes), flush
 * (after doupdate: write what comes).  With LIGHTBOX_PREVIEW_LOG=FILE
 * every change of the pane's picture is logged with the bytes it cost
 * on the terminal (ncurses' share counted from the main thread's write
 * counter, /proc/thread-self/io).
 */
#include "config.h"

#include "preview.h"
#include "tui-private.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	WAIT_MS = 120,                      /* how long a frame waits for its own picture */
	CACHE_BUDGET = 96 << 20,            /* bytes of renders kept in memory */
	POPUP_MS = 250,                     /* how often tmux popups are looked for */
};

struct img {
	struct tui *ui;
	struct preview *text;     /* text candidates, facts, preview-mode none */
	struct tp_result tp;
	enum pv_mode detected;
	char *why;                /* why detected is what it is */
	enum pv_mode last_mode;
	struct pv_cache *cache;
	struct pv_screen *screen;
	int cell_w, cell_h;
	size_t budget;
	int typeahead_done;
	int resets;               /* pv_symbols' table recycles seen */
	int recycled;             /* the last frame recycled colour pairs */
	int again;                /* another frame is wanted */
	/* the pane's picture, for the log */
	char *main_key, *shown_key;
	double main_ms;
	double draw_t0;           /* when the pane's draw began (frame_ms in the log) */
	int main_hit;             /* it was ready: no wait at all */
	int main_pending;         /* the last frame showed "rendering" */
	int zoomed;               /* this frame drew a zoomed picture */
	int zoom_kept;            /* pictures may be kept for zoomed renders */
	int io_fd;
	int tmux_hooks;           /* tp_tmux_hooks set: take them away at the end */
	struct tp_popups popups;  /* tmux popups over pictures passed through */
	unsigned long long wchar0;
	FILE *log;
	uint64_t frame;
};

static struct img *img_of(struct preview *p)
{
	return p->data;
}

/* ------------------------------------------------------------ helpers */

static enum pv_mode mode_now(struct img *im)
{
	switch (km_opt_choice(im->ui->opt, KM_O_PREVIEW_MODE)) {
	case KM_V_PREVIEW_MODE_SYMBOLS:
		return PV_SYMBOLS;
	case KM_V_PREVIEW_MODE_SIXEL:
		return PV_SIXEL;
	case KM_V_PREVIEW_MODE_KITTY:
		return PV_KITTY;
	case KM_V_PREVIEW_MODE_ITERM2:
		return PV_ITERM2;
	case KM_V_PREVIEW_MODE_NONE:
		return PV_NONE;
	default:
		return im->detected;
	}
}

/* Pictures drawn around ncurses, which tmux paints over (kitty's
 * Unicode placeholders are text: tmux keeps them). */
static int pixels_around(struct img *im)
{
	enum pv_mode m = mode_now(im);

	return m == PV_SIXEL || m == PV_ITERM2 || (m == PV_KITTY && !tp_placeholders(&im->tp));
}

static int kind_of(const struct lb_candidate *c)
{
	if (c->asset_id == 0 || c->path == NULL || c->purged)
		return -1; /* a purged file: the facts say so */
	switch (c->modality) {
	case LB_IMAGE:
		return PV_K_IMAGE;
	case LB_AUDIO:
		return PV_K_AUDIO;
	case LB_VIDEO:
		return PV_K_VIDEO;
	default:
		return -1;
	}
}

static unsigned long long wchar_now(struct img *im)
{
	char buf[512], *p;
	ssize_t n;

	if (im->io_fd < 0)
		return 0;
	n = pread(im->io_fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "wchar:");
	return p ? strtoull(p + 6, NULL, 10) : 0;
}

static void make_req(struct img *im, const struct lb_candidate *c, int kind, enum pv_mode mode, int cols,
		     int rows, struct pv_req *q)
{
	memset(q, 0, sizeof *q);
	q->kind = kind;
	q->mode = kind == PV_K_AUDIO ? PV_SYMBOLS : mode;
	q->path = c->path;
	q->sha = c->sha256;
	q->cache_dir = (char *)store_cache_dir(im->ui->st);
	q->cols = cols;
	q->rows = rows;
	q->cell_w = im->cell_w;
	q->cell_h = im->cell_h;
	q->depth = pv_symbols_depth();
	q->ascii = !draw_unicode();
	q->pixel_limit = (long long)km_opt_pixel_limit(im->ui->opt);
	q->sixel_colors = im->tp.sixel_colors > 0 ? im->tp.sixel_colors : 256;
	q->budget = im->budget;
}

/* The render for q: ready, or made within WAIT_MS when wait, else queued. */
static struct pv_render *fetch(struct img *im, const struct pv_req *q, int prio, int wait, int *hit)
{
	char *key = pv_req_key(q);
	struct pv_render *r = pv_cache_get(im->cache, key);

	*hit = r != NULL;
	if (r == NULL) {
		pv_cache_want(im->cache, q, prio);
		if (wait)
			r = pv_cache_wait(im->cache, key, WAIT_MS);
	}
	free(key);
	return r;
}

/* Draws the picture of r centred in box (symbols into cells, pixels as a
 * placement). */
static void place(struct img *im, struct pv_render *r, struct rect box)
{
	int y = box.y + (box.h - r->rows) / 2, x = box.x + (box.w - r->cols) / 2;

	if (r->mode == PV_SYMBOLS)
		pv_symbols_draw(r, y, x);
	else if (r->blob)
		pv_screen_want(im->screen, r, y, x);
}

/* Lines of text centred vertically in box. */
static void message(struct rect box, enum role role, const char *text)
{
	struct draw_lines l;
	int y, i;

	draw_wrap(text, box.w - 2 > 4 ? box.w - 2 : box.w, &l);
	y = box.y + (box.h - (int)l.n) / 2;
	if (y < box.y)
		y = box.y;
	for (i = 0; i < (int)l.n && y + i < box.y + box.h; i++) {
		int w = draw_width(l.v[i]);
		draw_text(y + i, box.x + (box.w > w ? (box.w - w) / 2 : 0), box.w, role, l.v[i]);
	}
	draw_lines_free(&l);
}

/* The waveform: one column per peak pair, half-cell resolution. */
static void waveform(const struct pv_render *r, struct rect box)
{
	int units = 2 * box.h, mid = units / 2, x, row;

	for (x = 0; x < r->npeaks && x < box.w; x++) {
		int a = mid - (int)lround(r->maxs[x] * mid), b = mid - (int)lround(r->mins[x] * mid);
		if (a >= b) {
			a = mid - 1;
			b = mid + 1; /* silence: a thin line */
		}
		for (row = 0; row < box.h; row++) {
			int up = a <= 2 * row && 2 * row < b, low = a <= 2 * row + 1 && 2 * row + 1 < b;
			const char *g;
			if (!up && !low)
				continue;
			if (draw_unicode())
				g = up && low ? "\xe2\x96\x88" : up ? "\xe2\x96\x80" : "\xe2\x96\x84";
			else
				g = up && low ? "#" : "|";
			draw_raw(box.y + row, box.x + x, 1, ROLE_TAG, g);
		}
	}
}

static void sep(struct sbuf *b)
{
	if (b->len)
		sb_adds(b, draw_unicode() ? " \xc2\xb7 " : " - ");
}

static void facts_text(const struct pv_render *r, const struct lb_candidate *c, struct sbuf *b)
{
	const struct media_info *in = &r->info;
	double dur = in->duration > 0 ? in->duration : c->duration;
	int s = (int)floor(dur);

	if (dur > 0)
		sb_addf(b, "%d:%02d%s", s / 60, s % 60, in->duration_estimated ? " (about)" : "");
	if (in->width > 0) {
		sep(b);
		sb_addf(b, "%dx%d", in->width, in->height);
	}
	if (in->sample_rate > 0) {
		sep(b);
		sb_addf(b, "%d Hz", in->sample_rate);
	}
	if (in->channels > 0) {
		sep(b);
		if (in->channels <= 2)
			sb_adds(b, in->channels == 1 ? "mono" : "stereo");
		else
			sb_addf(b, "%d channels", in->channels);
	}
	if (*in->codec) {
		sep(b);
		sb_adds(b, in->codec);
		if (in->bits > 0)
			sb_addf(b, " %d-bit", in->bits);
	}
}

/* The caption under a picture: what it is, and what the mode sends. */
static void caption(struct img *im, const struct pv_render *r, const struct lb_candidate *c, int y,
		    struct rect box)
{
	struct sbuf left, right;
	char size[32];

	sb_init(&left);
	sb_init(&right);
	if (r->kind == PV_K_IMAGE) {
		sb_addf(&left, "%s %dx%d", *r->info.ext ? r->info.ext : "image", r->src_w, r->src_h);
		if (r->frames > 1)
			sb_addf(&left, ", %d frames (the first shown)", r->frames);
	} else {
		facts_text(r, c, &left);
	}
	if (r->mode == PV_SYMBOLS) {
		int d = pv_symbols_depth();
		sb_addf(&right, "symbols %s", d == 0 ? "mono" : d >= 16777216 ? "24-bit" : "");
		if (d > 0 && d < 16777216)
			sb_addf(&right, "%d colours", d);
	} else if (r->blob) {
		human_bytes((int64_t)r->len, size);
		if (strcmp(pv_mode_name(r->mode), r->format) == 0)
			sb_addf(&right, "%s %s", r->format, size);
		else
			sb_addf(&right, "%s %s %s", pv_mode_name(r->mode), r->format, size);
	}
	(void)im;
	draw_text(y, box.x, box.w, ROLE_DIM, left.s);
	if ((int)(left.len + right.len) + 2 < box.w)
		draw_text_right(y, box.x, box.w, ROLE_DIM, right.s);
	sb_free(&left);
	sb_free(&right);
}

static void header(const struct lb_candidate *c, struct rect r)
{
	char head[96], size[32];

	human_bytes(c->bytes, size);
	snprintf(head, sizeof head, "#%lld %s %s", (long long)c->id, lb_modality_name(c->modality), size);
	draw_fill(r.y, r.x, r.w, ROLE_HEADER);
	draw_text(r.y, r.x, r.w, ROLE_HEADER, head);
}

static void failed(const struct pv_render *r, const struct lb_candidate *c, struct rect box)
{
	struct fact *f;
	size_t n = preview_facts(c, &f), i;
	struct rect top = box;
	int y;
	char *line;

	top.h = box.h / 2;
	message(top, ROLE_ERROR, r->error);
	y = box.y + top.h + 1;
	for (i = 0; i < n && y < box.y + box.h; i++, y++) {
		line = xasprintf("%-9s %s", f[i].label, f[i].value);
		draw_text(y, box.x + 1, box.w - 1, ROLE_INFO, line);
		free(line);
	}
	preview_facts_free(f, n);
}

/* ------------------------------------------------------------ the ops */

static int img_draw_zoomed(struct preview *p, const struct lb_candidate *c, struct rect r, int scroll,
			   const struct viewport *vp)
{
	struct img *im = img_of(p);
	enum pv_mode mode = mode_now(im);
	int kind = kind_of(c), hit, cols, rows;
	struct rect box;
	struct pv_render *pr;
	struct pv_req q;

	if (kind < 0 || mode == PV_NONE || r.h < 4 || r.w < 10)
		return im->text->ops->draw(im->text, c, r, scroll);
	im->draw_t0 = util_mono_ms();
	header(c, r);
	box.y = r.y + 1;
	box.x = r.x;
	box.w = r.w;
	box.h = r.h - 2;
	cols = box.w;
	rows = box.h;
	if (kind == PV_K_AUDIO) {
		rows = box.h - 3 > 16 ? 16 : box.h - 3;
		if (rows < 2)
			rows = 2;
	}
	make_req(im, c, kind, mode, cols, rows, &q);
	if (vp && viewport_zoomed(vp) && kind != PV_K_AUDIO) {
		im->zoomed = im->zoom_kept = 1;
		q.zoom = vp->zoom;
		q.cx = vp->cx;
		q.cy = vp->cy;
	}
	pr = fetch(im, &q, 0, 1, &hit);
	if (pr == NULL) {
		message(box, ROLE_DIM, draw_unicode() ? "rendering\xe2\x80\xa6" : "rendering...");
		im->main_pending = 1;
		return r.h;
	}
	free(im->main_key);
	im->main_key = pv_req_key(&q);
	im->main_ms = pr->ms;
	im->main_hit = hit && !im->main_pending;
	im->main_pending = 0;
	if (kind == PV_K_AUDIO) {
		struct sbuf b;
		const char *tmpl = km_opt_string(im->ui->opt, KM_O_AUDIO_PLAYER);
		sb_init(&b);
		facts_text(pr, c, &b);
		draw_text(box.y, box.x + 1, box.w - 1, ROLE_INFO, b.s);
		sb_free(&b);
		if (pr->error) {
			struct rect eb = { box.y + 2, box.x, rows, box.w };
			message(eb, ROLE_ERROR, pr->error);
		} else {
			struct rect wb = { box.y + 2, box.x, rows, box.w };
			waveform(pr, wb);
		}
		if (tmpl && *tmpl)
			draw_textf(box.y + rows + 3 < r.y + r.h ? box.y + rows + 3 : r.y + r.h - 1, box.x + 1,
				   box.w - 1, ROLE_DIM, "play: %s", tmpl);
	} else if (pr->error) {
		failed(pr, c, box);
		if (kind == PV_K_VIDEO) {
			struct sbuf b;
			sb_init(&b);
			facts_text(pr, c, &b);
			draw_text(r.y + r.h - 1, box.x, box.w, ROLE_DIM, b.s);
			sb_free(&b);
		}
	} else {
		place(im, pr, box);
		caption(im, pr, c, r.y + r.h - 1, box);
	}
	pv_render_unref(im->cache, &pr);
	return r.h;
}

static int img_draw(struct preview *p, const struct lb_candidate *c, struct rect r, int scroll)
{
	return img_draw_zoomed(p, c, r, scroll, NULL);
}

static void img_prefetch(struct preview *p, const struct lb_candidate *c, struct rect r, int distance)
{
	struct img *im = img_of(p);
	enum pv_mode mode = mode_now(im);
	int kind = kind_of(c), rows;
	struct pv_req q;

	if (kind < 0 || mode == PV_NONE || r.h < 4 || r.w < 10)
		return;
	rows = r.h - 2;
	if (kind == PV_K_AUDIO)
		rows = rows - 3 > 16 ? 16 : rows - 3 < 2 ? 2 : rows - 3;
	make_req(im, c, kind, mode, r.w, rows, &q);
	pv_cache_want(im->cache, &q, 1 + distance);
}

static void img_thumb(struct preview *p, const struct lb_candidate *c, struct rect r, int distance,
		      int draw)
{
	struct img *im = img_of(p);
	enum pv_mode mode = mode_now(im);
	int kind = kind_of(c), hit;
	struct pv_render *pr;
	struct pv_req q;

	if (r.h < 1 || r.w < 2)
		return;
	if (!draw) {
		if (kind >= 0 && mode != PV_NONE) {
			make_req(im, c, kind, mode, r.w, r.h, &q);
			pv_cache_want(im->cache, &q, 1 + distance);
		}
		return;
	}
	if (c->purged) {
		message(r, ROLE_DIM, "file purged");
		return;
	}
	if (kind < 0 || mode == PV_NONE) {
		struct draw_lines l;
		int i;
		draw_wrap(c->body ? c->body : c->prompt ? c->prompt : "", r.w, &l);
		for (i = 0; i < (int)l.n && i < r.h; i++)
			draw_text(r.y + i, r.x, r.w, ROLE_NORMAL, l.v[i]);
		draw_lines_free(&l);
		return;
	}
	make_req(im, c, kind, mode, r.w, r.h, &q);
	pr = fetch(im, &q, distance, 0, &hit);
	if (pr == NULL) {
		message(r, ROLE_DIM, draw_unicode() ? "\xe2\x80\xa6" : "...");
		return;
	}
	if (pr->error)
		message(r, ROLE_ERROR, pr->error);
	else if (kind == PV_K_AUDIO)
		waveform(pr, r);
	else
		place(im, pr, r);
	pv_render_unref(im->cache, &pr);
}

static void img_prepare(struct preview *p)
{
	struct img *im = img_of(p);
	enum pv_mode mode = mode_now(im);
	int pairs, resets;

	if (mode != im->last_mode) {
		/* Leaving a pixel mode: what it drew goes, kitty's data too. */
		pv_screen_forget(im->screen, 1);
		im->last_mode = mode;
	}
	if (!im->typeahead_done) {
		/* Keys typed while the terminal was asked: in order, before any new one. */
		pv_unget(im->tp.typeahead, im->tp.ntypeahead);
		if (im->tp.ntypeahead)
			im->again = 1;
		im->typeahead_done = 1;
	}
	pv_symbols_stats(&pairs, &resets);
	pv_symbols_frame();
	if (resets != im->resets) {
		/* Colour pairs were recycled during this frame: draw it once
		 * more, unless the last frame did the same (then the pictures on
		 * the screen need more pairs than there are, and it would never
		 * end: their colours are as good as the pairs allow). */
		if (!im->recycled)
			im->again = 1;
		im->recycled = 1;
		im->resets = resets;
	} else {
		im->recycled = 0;
	}
	if (im->again)
		tui_wake(im->ui->wake[1], WAKE_REDRAW);
	if (im->tp.in_tmux && im->tp.tmux_asked && im->tp.passthrough && pv_screen_cleared()) {
		/* A resize, a focus-in, a return from $EDITOR: the pane may have
		 * moved on the outer terminal. */
		tp_tmux_ask(&im->tp);
		pv_screen_passthrough(im->screen, 1, im->tp.pane_y, im->tp.pane_x);
	}
	pv_screen_prepare(im->screen, pv_screen_cleared());
	im->wchar0 = wchar_now(im);
	if (im->zoom_kept && !im->zoomed) {
		/* nothing zoomed shows now: the pictures kept for it go */
		pv_zoom_forget();
		im->zoom_kept = 0;
	}
	im->zoomed = 0;
}

static void img_begin(struct preview *p)
{
	struct img *im = img_of(p);

	/* Scrolling queues the neighbours of every row passed: without this
	 * they would all be rendered, long after the cursor went on. */
	pv_cache_drop(im->cache, 0);
}

static void img_flush(struct preview *p)
{
	struct img *im = img_of(p);
	unsigned long long curses_bytes = im->io_fd >= 0 ? wchar_now(im) - im->wchar0 : 0;
	size_t pixels = pv_screen_flush(im->screen);

	im->frame++;
	if (im->log && im->main_key && (im->shown_key == NULL || strcmp(im->main_key, im->shown_key) != 0)) {
		fprintf(im->log,
			"change frame=%llu mode=%s ncurses=%llu pixels=%zu total=%llu render_ms=%.1f "
			"frame_ms=%.2f %s key=%s\n",
			(unsigned long long)im->frame, pv_mode_name(mode_now(im)), curses_bytes, pixels,
			curses_bytes + pixels, im->main_ms, util_mono_ms() - im->draw_t0,
			im->main_hit ? "ready" : "waited", im->main_key);
		fflush(im->log);
	} else if (im->log && pixels) {
		fprintf(im->log, "redraw frame=%llu pixels=%zu\n", (unsigned long long)im->frame, pixels);
		fflush(im->log);
	}
	if (im->main_key) {
		free(im->shown_key);
		im->shown_key = im->main_key;
		im->main_key = NULL;
	}
}

static void img_hide(struct preview *p)
{
	struct img *im = img_of(p);

	pv_screen_forget(im->screen, 0);
	xfree(&im->shown_key);
	im->text->ops->hide(im->text);
}

static void img_leave(struct preview *p)
{
	struct img *im = img_of(p);

	pv_screen_forget(im->screen, 1);
	xfree(&im->shown_key);
}

static int img_poll(struct preview *p)
{
	struct img *im = img_of(p);
	int again = im->again;

	im->again = 0;
	/* kitty uploads on their way go on between keys. */
	pv_screen_pump(im->screen);
	/* Cell size: a font change resizes the terminal in pixels only. */
	tp_cell_size(&im->tp, STDOUT_FILENO, &im->cell_w, &im->cell_h);
	/* A tmux popup painted over pictures passed through, and closed:
	 * everything is drawn again, as after a resize. */
	if (im->tmux_hooks && pixels_around(im) && util_mono_ms() >= im->popups.next) {
		im->popups.next = util_mono_ms() + POPUP_MS;
		if (tp_tmux_popup_closed(&im->popups))
			raise(SIGWINCH);
	}
	return pv_cache_news(im->cache) || again;
}

static void img_free(struct preview *p)
{
	struct img *im = img_of(p);
	struct pv_link_stats st;
	size_t queued, rendered;

	if (im->tmux_hooks)
		tp_tmux_hooks(0);
	tp_popups_free(&im->popups);
	pv_screen_link_stats(im->screen, &st);
	if (im->log) {
		fprintf(im->log, "link uploads=%zu complete=%zu abandoned=%zu bytes=%llu\n", st.started,
			st.completed, st.abandoned, st.bytes);
		pv_cache_work(im->cache, &queued, &rendered);
		fprintf(im->log, "end rendered=%zu queued=%zu\n", rendered, queued);
	}
	pv_screen_free(&im->screen);
	pv_cache_free(&im->cache);
	pv_zoom_forget();
	preview_free(&im->text);
	tp_result_free(&im->tp);
	free(im->why);
	free(im->main_key);
	free(im->shown_key);
	if (im->io_fd >= 0)
		close(im->io_fd);
	if (im->log)
		fclose(im->log);
	free(im);
}

static const struct preview_ops img_ops = {
	.name = "image",
	.draw = img_draw,
	.flush = img_flush,
	.hide = img_hide,
	.free = img_free,
	.prepare = img_prepare,
	.begin = img_begin,
	.poll = img_poll,
	.prefetch = img_prefetch,
	.thumb = img_thumb,
	.leave = img_leave,
	.draw_zoomed = img_draw_zoomed,
};

/* ------------------------------------------------------------ making one */

/* Renderer threads: 2; LIGHTBOX_PREVIEW_THREADS (0-8) for the tests (0:
 * nothing renders, so what is queued can be seen in the preview log). */
static int render_threads(void)
{
	const char *e = getenv("LIGHTBOX_PREVIEW_THREADS");
	long long n;

	if (e && util_parse_int(e, 0, 8, &n) == 0)
		return (int)n;
	return 2;
}

/* How long to wait for the terminal's answers. */
static int probe_budget(struct tui *ui, const struct tp_result *tp)
{
	enum km_choice m = km_opt_choice(ui->opt, KM_O_PREVIEW_MODE);

	if (m == KM_V_PREVIEW_MODE_SYMBOLS || m == KM_V_PREVIEW_MODE_NONE)
		return 0; /* nothing to find out */
	return tp_budget((int)km_opt_int(ui->opt, KM_O_PROBE_TIMEOUT), tp->over_ssh);
}

struct preview *preview_image_new(struct tui *ui)
{
	struct preview *p = xcalloc(1, sizeof *p);
	struct img *im = xcalloc(1, sizeof *im);
	enum km_choice color = km_opt_choice(ui->opt, KM_O_COLOR);
	const char *logpath = getenv("LIGHTBOX_PREVIEW_LOG");

	p->ops = &img_ops;
	p->ui = ui;
	p->data = im;
	im->ui = ui;
	im->text = preview_text_new(ui);
	im->io_fd = open("/proc/thread-self/io", O_RDONLY | O_CLOEXEC);
	if (logpath && *logpath)
		im->log = fopen(logpath, "a");
	tp_environment(&im->tp);
	im->tp.no_color = (im->tp.no_color && color != KM_V_COLOR_ALWAYS) || color == KM_V_COLOR_NEVER;
	tp_probe(&im->tp, STDIN_FILENO, STDOUT_FILENO, probe_budget(ui, &im->tp), 0);
	im->detected = tp_decide(&im->tp, -1, &im->why);
	im->last_mode = mode_now(im);
	im->budget = im->tp.over_ssh ? PV_BUDGET_REMOTE : PV_BUDGET_LOCAL;
	tp_cell_size(&im->tp, STDOUT_FILENO, &im->cell_w, &im->cell_h);
	im->cache = pv_cache_new(CACHE_BUDGET, render_threads(), ui->wake[1]);
	im->screen = pv_screen_new(im->cache, STDOUT_FILENO);
	pv_screen_input(im->screen, STDIN_FILENO);
	if (im->tp.in_tmux && im->tp.tmux_asked && im->tp.passthrough) {
		pv_screen_passthrough(im->screen, 1, im->tp.pane_y, im->tp.pane_x);
		/* kitty pictures as text cells that tmux keeps, moves and covers. */
		pv_screen_placeholders(im->screen, tp_placeholders(&im->tp));
		/* Pictures passed through are lost under a tmux popup. */
		im->tmux_hooks = tp_tmux_hooks(1) == 0;
	}
	if (im->log)
		fprintf(im->log, "start mode=%s detected=%s (%s) cell=%dx%d probe_ms=%.0f%s\n",
			pv_mode_name(mode_now(im)), pv_mode_name(im->detected), im->why, im->cell_w,
			im->cell_h, im->tp.ms,
			im->tp.in_tmux && im->tp.tmux_asked
				? !im->tp.passthrough	       ? " tmux=no-passthrough"
				  : tp_placeholders(&im->tp) ? " tmux=passthrough placeholders"
							     : " tmux=passthrough"
				: "");
	return p;
}

int preview_is_image(const struct preview *p)
{
	return p && p->ops == &img_ops;
}

int preview_pending(const struct preview *p)
{
	struct pv_link_stats st;

	if (!preview_is_image(p))
		return 0;
	pv_screen_link_stats(img_of((struct preview *)p)->screen, &st);
	return st.started > st.completed + st.abandoned;
}

void preview_colors_changed(struct preview *p)
{
	(void)p;
	pv_symbols_reset();
}

int preview_cycle_mode(struct tui *ui)
{
	struct img *im;
	enum pv_mode order[PV_NMODES], cur;
	int n = 0, i, m;
	char *err = NULL;

	if (!preview_is_image(ui->preview)) {
		tui_msg(ui, "this interface has no picture preview");
		return R_REDRAW;
	}
	im = img_of(ui->preview);
	cur = mode_now(im);
	for (m = PV_SIXEL; m < PV_NMODES; m++)
		if (tp_capable(&im->tp, (enum pv_mode)m))
			order[n++] = (enum pv_mode)m;
	order[n++] = PV_SYMBOLS;
	order[n++] = PV_NONE;
	for (i = 0; i < n && order[i] != cur; i++)
		;
	cur = order[(i + 1) % n];
	if (km_opt_set(ui->opt, KM_O_PREVIEW_MODE, pv_mode_name(cur), &err) != 0) {
		tui_error(ui, "%s", err);
		free(err);
		return R_REDRAW;
	}
	tui_msg(ui, "preview-mode %s%s", pv_mode_name(cur),
		cur == im->detected ? " (what this terminal offers)" : "");
	return R_REDRAW;
}
