/*
 * preview-pixels.c - sixel, kitty and iTerm2 pictures written around
 * ncurses, with a record of what is on the terminal so that nothing stale
 * ever stays and nothing unchanged is sent twice.
 *
 * A frame goes: the views ask for placements (pv_screen_want: a render
 * at a cell, whose cells are filled with reserved blanks); before
 * doupdate() the wanted list is compared with what is shown
 * (pv_screen_prepare): a placement that is wanted again at the same
 * place, and whose cells nothing else drew over, stays untouched; every
 * other shown picture goes - sixel and iTerm2 pixels live in the text
 * cells, so ncurses is made to really repaint those cells (their copy in
 * curscr is zeroed, as wredrawln() does, since ncurses skips "unchanged"
 * blanks); kitty pictures float above the text and are deleted by id.
 * After doupdate() the new placements are written in one piece
 * (pv_screen_flush), each wrapped in save-cursor / CUP / restore-cursor,
 * the whole inside a synchronized update (DECSET 2026) so terminals
 * that know it show the frame at once.  kitty image data is uploaded
 * once (a=t) and placed (a=p) as often as needed: a picture hidden by a
 * menu comes back for a few dozen bytes.
 *
 * Inside tmux with allow-passthrough on, every such sequence goes
 * wrapped (tp_wrap: ESC P tmux; ... ESC \\) and so reaches the outer
 * terminal untouched, where tmux knows nothing of it: the cursor is
 * placed in the outer terminal's coordinates (the pane's offset added,
 * inside the wrap, between save- and restore-cursor), and a sixel or
 * iTerm2 picture that goes is erased by blanks written through the wrap
 * too, before ncurses draws (tmux would not send blanks over blanks).
 * tmux redraws its cells over the pixels when a window, popup or split
 * covers them; the interface redraws on focus-in and SIGWINCH.
 *
 * Formats followed: kitty graphics-protocol.rst (a=t/p/d, i=, p=, c=, r=,
 * C=1, q=2), xterm ctlseqs (DECSC, DECRC, CUP), the synchronized update
 * mode (contour-terminal's "Synchronized Output" spec, mode 2026).
 */
#include "config.h"

#include "preview.h"
#include "tui-private.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_PLACES = 96, MAX_UPLOADS = 48 };

struct place {
	struct pv_render *r; /* a reference */
	int y, x;
	int hidden;          /* wanted but covered, or off the screen */
	int kept;            /* already on the terminal */
};

struct upload {
	struct pv_render *r; /* a reference: keeps the id's data alive */
	uint64_t used;       /* frame it was last placed in */
	uint32_t id;         /* the id it has on the terminal */
	int pending;         /* placeholders: drawn, still to be sent */
};

struct pv_screen {
	struct pv_cache *cache;
	int fd;
	struct place want[MAX_PLACES], shown[MAX_PLACES];
	int nwant, nshown;
	struct upload up[MAX_UPLOADS];
	int nup;
	struct sbuf late;    /* kitty deletions to send after the new placements */
	int sync;            /* a synchronized update is open */
	uint64_t frame;
	int wrap;            /* tmux passthrough: wrap and offset every sequence */
	int off_y, off_x;    /* the pane's place on the outer terminal */
	int placeholders;    /* kitty pictures as Unicode placeholder cells */
	uint32_t next_id;    /* placeholders: ids handed out */
	struct flight *queue; /* kitty uploads still to be sent, in order */
	int in_fd;           /* the keys: an upload yields to them */
	struct pv_link_stats stats;
};

/* A kitty upload on its way: its chunks (each a whole escape string,
 * wrapped when passing through) and then its placement, sent a chunk at
 * a time between keys (pv_screen_pump); abandoned at a chunk boundary
 * when the picture is no longer wanted. */
struct flight {
	struct flight *next;
	struct pv_render *r;  /* a reference */
	uint32_t id;
	struct sbuf bytes;
	size_t *ends;         /* where each chunk ends in bytes */
	size_t nends, sent;   /* chunks, chunks sent */
	size_t data_end;      /* chunks before this index are data; the rest the placement */
};

void pv_screen_input(struct pv_screen *s, int fd)
{
	s->in_fd = fd;
}

void pv_screen_link_stats(const struct pv_screen *s, struct pv_link_stats *st)
{
	*st = s->stats;
}

void pv_screen_placeholders(struct pv_screen *s, int on)
{
	s->placeholders = on;
}

void pv_screen_passthrough(struct pv_screen *s, int on, int y, int x)
{
	s->wrap = on;
	s->off_y = y;
	s->off_x = x;
}

/* Appends seq to out, wrapped for tmux when passing through: each
 * complete escape string (APC/DCS ... ESC \\) of seq goes in a wrap of its
 * own, so that no wrap grows past tmux's 1 MB input limit on kitty's
 * chunked uploads. */
static void emit(struct pv_screen *s, struct sbuf *out, const char *seq, size_t n)
{
	size_t i, from = 0;

	if (!s->wrap) {
		sb_add(out, seq, n);
		return;
	}
	for (i = 0; i + 1 < n; i++)
		if (seq[i] == '\033' && seq[i + 1] == '\\' && i + 2 < n && seq[i + 2] == '\033' &&
		    i + 3 < n && seq[i + 3] == '_') {
			tp_wrap(out, seq + from, i + 2 - from);
			from = i + 2;
		}
	if (from < n)
		tp_wrap(out, seq + from, n - from);
}

/* emit(), one chunk at a time into f, noting where each ends. */
static void emit_chunks(struct pv_screen *s, struct flight *f, const char *seq, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i <= n; i++) {
		int end = i == n || (i + 3 < n && seq[i] == '\033' && seq[i + 1] == '\\' &&
				     seq[i + 2] == '\033' && seq[i + 3] == '_');
		size_t to = i == n ? n : i + 2;
		if (!end || to <= from)
			continue;
		emit(s, &f->bytes, seq + from, to - from);
		f->ends = xrealloc(f->ends, (f->nends + 1) * sizeof *f->ends);
		f->ends[f->nends++] = f->bytes.len;
		from = to;
	}
}

/* Clips a rectangle to the screen; 0 when nothing of it is left. */
static int clip(int *y, int *x, int *h, int *w)
{
	if (*y < 0) {
		*h += *y;
		*y = 0;
	}
	if (*x < 0) {
		*w += *x;
		*x = 0;
	}
	if (*y + *h > LINES)
		*h = LINES - *y;
	if (*x + *w > COLS)
		*w = COLS - *x;
	return *h > 0 && *w > 0;
}

/* Blanks over a rectangle, written through passthrough to the outer
 * terminal (tmux skips blanks over its own blanks). */
static void erase_outer(struct pv_screen *s, struct sbuf *out, int y, int x, int h, int w)
{
	struct sbuf seq;
	int cy;

	if (!clip(&y, &x, &h, &w))
		return;
	sb_init(&seq);
	sb_adds(&seq, "\0337\033[0m");
	for (cy = y; cy < y + h; cy++)
		sb_addf(&seq, "\033[%d;%dH%*s", cy + s->off_y + 1, x + s->off_x + 1, w, "");
	sb_adds(&seq, "\0338");
	tp_wrap(out, seq.s, seq.len);
	sb_free(&seq);
}

struct pv_screen *pv_screen_new(struct pv_cache *cache, int fd)
{
	struct pv_screen *s = xcalloc(1, sizeof *s);

	s->cache = cache;
	s->fd = fd;
	s->in_fd = -1;
	sb_init(&s->late);
	return s;
}

/* The terminal's bytes: a failure (a hung-up terminal) leaves nothing to do here. */
static void write_all(int fd, const char *p, size_t n)
{
	(void)util_write_all(fd, p, n);
}

static void release(struct pv_screen *s, struct place *p)
{
	pv_render_unref(s->cache, &p->r);
}

/* ------------------------------------------------------------ during the frame */

static void add_upload(struct pv_screen *s, struct pv_render *r, struct sbuf *out);
static size_t queue_upload(struct pv_screen *s, struct pv_render *r, uint32_t id, const char *data,
			   size_t n, const struct sbuf *place);
static int uploaded(struct pv_screen *s, const struct pv_render *r);

/* A placeholder id: the low byte 16..255 (a 256-colour foreground that
 * ncurses' colour pairs reach), the high byte varying, the two between 0. */
static uint32_t placeholder_id(struct pv_screen *s)
{
	uint32_t id;
	int i, used;

	do {
		uint32_t n = s->next_id++;
		id = (((n / 240) + (uint32_t)getpid()) & 0xff) << 24 | (16 + n % 240);
		used = 0;
		for (i = 0; i < s->nup; i++)
			used |= s->up[i].id == id;
	} while (used);
	return id;
}

/* kitty with Unicode placeholders: the cells are text that ncurses draws
 * (and tmux keeps, moves and covers like text); the image data and one
 * virtual placement (U=1) go once, in flush.  -1: not possible here. */
static int want_placeholders(struct pv_screen *s, struct pv_render *r, int y, int x)
{
	int i;

	for (i = 0; i < s->nup && s->up[i].r != r; i++)
		;
	if (i == s->nup) {
		if (r->rows > pv_placeholder_max() || r->cols > pv_placeholder_max())
			return -1;
		add_upload(s, r, &s->late);
		for (i = 0; i < s->nup && s->up[i].r != r; i++)
			;
		if (i == s->nup)
			return -1;
		s->up[i].id = placeholder_id(s);
		s->up[i].pending = 1;
	}
	s->up[i].used = s->frame;
	if (pv_placeholders_draw(s->up[i].id, r->rows, r->cols, y, x) != 0)
		return -1;
	return 0;
}

/* Queues the placeholder uploads drawn this frame: the data under the id
 * the cells carry, then the virtual placement they show. */
static size_t send_placeholders(struct pv_screen *s)
{
	struct sbuf seq, place;
	char old[24];
	const char *b, *at;
	size_t queued = 0;
	int i, n;

	for (i = 0; i < s->nup; i++) {
		struct upload *u = &s->up[i];
		if (!u->pending)
			continue;
		u->pending = 0;
		b = (const char *)u->r->blob;
		n = snprintf(old, sizeof old, "i=%u,", u->r->image_id);
		at = memmem(b, u->r->len, old, (size_t)n);
		if (at == NULL)
			continue;
		sb_init(&seq);
		sb_init(&place);
		sb_add(&seq, b, (size_t)(at - b));
		sb_addf(&seq, "i=%u,", u->id);
		sb_add(&seq, at + n, u->r->len - (size_t)(at - b) - (size_t)n);
		sb_addf(&place, "\033_Ga=p,U=1,i=%u,p=1,c=%d,r=%d,q=2\033\\", u->id, u->r->cols, u->r->rows);
		if (s->wrap) {
			struct sbuf w;
			sb_init(&w);
			tp_wrap(&w, place.s, place.len);
			sb_free(&place);
			place = w;
		}
		queued += queue_upload(s, u->r, u->id, seq.s, seq.len, &place);
		sb_free(&seq);
		sb_free(&place);
	}
	return queued;
}

void pv_screen_want(struct pv_screen *s, struct pv_render *r, int y, int x)
{
	int cy, cx, pair = pv_marker_pair();
	wchar_t wc[2] = { L' ', 0 };
	cchar_t cc;

	if (r->blob == NULL)
		return;
	if (s->placeholders && r->mode == PV_KITTY && want_placeholders(s, r, y, x) == 0)
		return;
	if (s->nwant == MAX_PLACES)
		return;
	pv_render_ref(s->cache, r);
	s->want[s->nwant].r = r;
	s->want[s->nwant].y = y;
	s->want[s->nwant].x = x;
	s->want[s->nwant].hidden = 0;
	s->want[s->nwant].kept = 0;
	s->nwant++;
	/* The window's attributes (the last role drawn) would mix in. */
	attr_set(A_NORMAL, 0, NULL);
	setcchar(&cc, wc, A_NORMAL, 0, &pair);
	for (cy = y; cy < y + r->rows && cy < LINES; cy++)
		for (cx = x; cx < x + r->cols && cx < COLS; cx++)
			if (cy >= 0 && cx >= 0)
				mvadd_wch(cy, cx, &cc);
}

/* 1 when every cell of p's rectangle still holds the reserved blank. */
static int uncovered(const struct place *p)
{
	int cy, cx, pair = pv_marker_pair(), got_pair;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t attr;
	short sp;
	cchar_t cc;

	if (p->y < 0 || p->x < 0 || p->y + p->r->rows > LINES - 1 || p->x + p->r->cols > COLS)
		return 0; /* off the screen, or down to the last row (a sixel there scrolls) */
	for (cy = p->y; cy < p->y + p->r->rows; cy++)
		for (cx = p->x; cx < p->x + p->r->cols; cx++) {
			if (mvin_wch(cy, cx, &cc) == ERR)
				return 0;
			got_pair = 0;
			if (getcchar(&cc, wc, &attr, &sp, &got_pair) == ERR)
				return 0;
			if (wc[0] != L' ' || (attr & (A_ATTRIBUTES & ~A_COLOR)) != A_NORMAL ||
			    got_pair != pair)
				return 0;
		}
	return 1;
}

/* Makes ncurses really repaint a rectangle at the next doupdate(). */
static void repaint(int y, int x, int h, int w)
{
	WINDOW *win;

	if (!clip(&y, &x, &h, &w))
		return;
	win = newwin(h, w, y, x);
	if (win == NULL) {
		clearok(curscr, TRUE);
		return;
	}
	wredrawln(win, 0, h);
	delwin(win);
}

static int same(const struct place *a, const struct place *b)
{
	return a->r == b->r && a->y == b->y && a->x == b->x;
}

static void kitty_delete(struct pv_screen *s, struct sbuf *out, uint32_t id, int free_data)
{
	char seq[64];
	int n;

	if (free_data)
		n = snprintf(seq, sizeof seq, "\033_Ga=d,d=I,i=%u,q=2\033\\", id);
	else
		n = snprintf(seq, sizeof seq, "\033_Ga=d,d=i,i=%u,p=1,q=2\033\\", id);
	emit(s, out, seq, (size_t)n);
}

static void forget_uploads(struct pv_screen *s, struct sbuf *out)
{
	int i;

	for (i = 0; i < s->nup; i++) {
		if (out)
			kitty_delete(s, out, s->up[i].id, 1);
		pv_render_unref(s->cache, &s->up[i].r);
	}
	s->nup = 0;
}


static int input_waiting(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&p, 1, 0) > 0;
}

static void remove_upload(struct pv_screen *s, const struct pv_render *r)
{
	int i;

	for (i = 0; i < s->nup; i++)
		if (s->up[i].r == r) {
			pv_render_unref(s->cache, &s->up[i].r);
			s->up[i] = s->up[--s->nup];
			return;
		}
}

static void flight_free(struct pv_screen *s, struct flight *f)
{
	pv_render_unref(s->cache, &f->r);
	sb_free(&f->bytes);
	free(f->ends);
	free(f);
}

/* Queues the upload of r's data under id, then place (the placement). */
static size_t queue_upload(struct pv_screen *s, struct pv_render *r, uint32_t id, const char *data,
			   size_t n, const struct sbuf *place)
{
	struct flight *f = xcalloc(1, sizeof *f), **tail;

	pv_render_ref(s->cache, r);
	f->r = r;
	f->id = id;
	sb_init(&f->bytes);
	emit_chunks(s, f, data, n);
	f->data_end = f->nends;
	sb_add(&f->bytes, place->s, place->len);
	f->ends = xrealloc(f->ends, (f->nends + 1) * sizeof *f->ends);
	f->ends[f->nends++] = f->bytes.len;
	for (tail = &s->queue; *tail; tail = &(*tail)->next)
		;
	*tail = f;
	s->stats.started++;
	return f->bytes.len;
}

/* Writes queued chunks until the queue is empty or, when yield, a key is
 * waiting.  Returns 1 when something is still queued. */
static int pump(struct pv_screen *s, int yield)
{
	struct flight *f;

	while ((f = s->queue) != NULL) {
		size_t from = f->sent ? f->ends[f->sent - 1] : 0;
		if (yield && input_waiting(s->in_fd))
			return 1;
		write_all(s->fd, f->bytes.s + from, f->ends[f->sent] - from);
		s->stats.bytes += f->ends[f->sent] - from;
		if (++f->sent == f->nends) {
			s->stats.completed++;
			s->queue = f->next;
			flight_free(s, f);
		}
	}
	return 0;
}

/* Sends the rest of the upload under way (the queue's head). */
static void finish_head(struct pv_screen *s)
{
	struct flight *f = s->queue;
	size_t from = f->ends[f->sent - 1];

	write_all(s->fd, f->bytes.s + from, f->bytes.len - from);
	s->stats.bytes += f->bytes.len - from;
	s->stats.completed++;
	s->queue = f->next;
	flight_free(s, f);
}

int pv_screen_pump(struct pv_screen *s)
{
	return pump(s, 1);
}

/* Abandons the queued uploads whose pictures this frame no longer wants
 * (all of them when all): an upload cut short is closed with an empty
 * last chunk and its data deleted, so the terminal is never left in the
 * middle of one. */
static void abandon(struct pv_screen *s, int all, struct sbuf *out)
{
	struct flight **pf = &s->queue, *f;
	int i, wanted;
	char seq[64];
	int n;

	while ((f = *pf) != NULL) {
		wanted = 0;
		for (i = 0; i < s->nwant && !all; i++)
			wanted |= s->want[i].r == f->r;
		for (i = 0; i < s->nup && !all; i++)
			wanted |= s->up[i].r == f->r && s->placeholders && s->up[i].used == s->frame;
		if (wanted) {
			pf = &f->next;
			continue;
		}
		if (f->sent > 0 && f->sent < f->data_end) {
			emit(s, out, "\033_Gm=0;\033\\", 9);
			n = snprintf(seq, sizeof seq, "\033_Ga=d,d=I,i=%u,q=2\033\\", f->id);
			emit(s, out, seq, (size_t)n);
		}
		if (f->sent < f->data_end) {
			s->stats.abandoned++;
			remove_upload(s, f->r);
		} else {
			s->stats.completed++; /* the data is there; only its placement is dropped */
		}
		*pf = f->next;
		flight_free(s, f);
	}
}

/* 1 when out holds a kitty graphics command (not to be sent in the
 * middle of an upload). */
static int has_graphics(const struct sbuf *out)
{
	return out->len && memmem(out->s, out->len, "_G", 2) != NULL;
}

void pv_screen_prepare(struct pv_screen *s, int full)
{
	int i, j, news = 0;
	struct place kept[MAX_PLACES];
	int nkept = 0;
	struct sbuf early; /* written now, before ncurses draws */

	sb_init(&early);
	abandon(s, 0, &early);
	if (full) {
		/* The screen is about to be cleared, and every picture with it.
		 * kitty keeps the data of cleared images, but may drop it under
		 * pressure: send it again, and free the old copies. */
		for (i = 0; i < s->nshown; i++) {
			/* tmux clears its pane with blanks it may not send. */
			if (s->wrap && s->shown[i].r->mode != PV_KITTY)
				erase_outer(s, &early, s->shown[i].y, s->shown[i].x, s->shown[i].r->rows,
					    s->shown[i].r->cols);
			release(s, &s->shown[i]);
		}
		s->nshown = 0;
		if (!s->placeholders) /* their data is kept: the cells are text */
			forget_uploads(s, &s->late);
	}
	s->frame++;
	for (i = 0; i < s->nwant; i++)
		s->want[i].hidden = !uncovered(&s->want[i]);
	for (j = 0; j < s->nshown; j++) {
		struct place *sh = &s->shown[j];
		for (i = 0; i < s->nwant; i++)
			if (!s->want[i].hidden && !s->want[i].kept && same(&s->want[i], sh))
				break;
		if (i < s->nwant) {
			s->want[i].kept = 1;
			kept[nkept++] = *sh;
			continue;
		}
		if (sh->r->mode == PV_KITTY)
			kitty_delete(s, &s->late, sh->r->image_id, 0);
		else if (s->wrap)
			erase_outer(s, &early, sh->y, sh->x, sh->r->rows, sh->r->cols);
		else
			repaint(sh->y, sh->x, sh->r->rows, sh->r->cols);
		release(s, sh);
	}
	if (early.len)
		write_all(s->fd, early.s, early.len);
	sb_free(&early);
	memcpy(s->shown, kept, (size_t)nkept * sizeof kept[0]);
	s->nshown = nkept;
	for (i = 0; i < s->nwant; i++)
		if (!s->want[i].hidden && !s->want[i].kept)
			news++;
	if (news || s->late.len) {
		/* Everything from here to the end of flush appears at once. */
		write_all(s->fd, "\033[?2026h", 8);
		s->sync = 1;
	}
}

int pv_screen_cleared(void)
{
	return is_cleared(curscr);
}

void pv_unget(const unsigned char *keys, size_t n)
{
	while (n > 0)
		ungetch(keys[--n]);
}

/* ------------------------------------------------------------ writing */

static int uploaded(struct pv_screen *s, const struct pv_render *r)
{
	int i;

	for (i = 0; i < s->nup; i++)
		if (s->up[i].r == r) {
			s->up[i].used = s->frame;
			return 1;
		}
	return 0;
}

static int is_shown(struct pv_screen *s, const struct pv_render *r)
{
	int i;

	for (i = 0; i < s->nshown; i++)
		if (s->shown[i].r == r)
			return 1;
	return 0;
}

/* Notes r's data as uploaded, deleting the least recently placed data
 * that is not on the screen when there are too many. */
static void add_upload(struct pv_screen *s, struct pv_render *r, struct sbuf *out)
{
	int i, old = -1;

	if (s->nup == MAX_UPLOADS) {
		for (i = 0; i < s->nup; i++)
			if (!is_shown(s, s->up[i].r) && s->up[i].used != s->frame &&
			    (old < 0 || s->up[i].used < s->up[old].used))
				old = i;
		if (old < 0)
			return;
		kitty_delete(s, out, s->up[old].id, 1);
		pv_render_unref(s->cache, &s->up[old].r);
		s->up[old] = s->up[--s->nup];
	}
	pv_render_ref(s->cache, r);
	s->up[s->nup].r = r;
	s->up[s->nup].used = s->frame;
	s->up[s->nup].id = r->image_id;
	s->up[s->nup].pending = 0;
	s->nup++;
}

/* What places r at (y, x) of the pane, wrapped for tmux when passing through. */
static void sequence(struct pv_screen *s, const struct pv_render *r, int y, int x, int upload,
		     struct sbuf *out)
{
	struct sbuf seq;

	if (!s->wrap) {
		pv_pixels_sequence(r, y, x, upload, out);
		return;
	}
	sb_init(&seq);
	if (r->mode == PV_KITTY && upload)
		emit(s, out, (const char *)r->blob, r->len);
	pv_pixels_sequence(r, y + s->off_y, x + s->off_x, 0, &seq);
	tp_wrap(out, seq.s, seq.len);
	sb_free(&seq);
}

void pv_pixels_sequence(const struct pv_render *r, int y, int x, int upload, struct sbuf *out)
{
	if (r->mode == PV_KITTY && upload)
		sb_add(out, r->blob, r->len);
	sb_addf(out, "\0337\033[%d;%dH", y + 1, x + 1);
	if (r->mode == PV_KITTY)
		sb_addf(out, "\033_Ga=p,i=%u,p=1,c=%d,r=%d,C=1,q=2\033\\", r->image_id, r->cols, r->rows);
	else
		sb_add(out, r->blob, r->len);
	sb_adds(out, "\0338");
}

size_t pv_screen_flush(struct pv_screen *s)
{
	struct sbuf out;
	size_t n, queued = 0;
	int i;

	sb_init(&out);
	for (i = 0; i < s->nwant; i++) {
		struct place *w = &s->want[i];
		if (w->hidden || w->kept) {
			release(s, w);
			continue;
		}
		if (w->r->mode == PV_KITTY) {
			int up = uploaded(s, w->r);
			if (up) {
				sequence(s, w->r, w->y, w->x, 0, &out);
			} else {
				struct sbuf place;
				sb_init(&place);
				sequence(s, w->r, w->y, w->x, 0, &place);
				queued += queue_upload(s, w->r, w->r->image_id, (const char *)w->r->blob,
						       w->r->len, &place);
				sb_free(&place);
				add_upload(s, w->r, &out);
			}
		} else {
			sequence(s, w->r, w->y, w->x, 0, &out);
		}
		if (s->nshown < MAX_PLACES)
			s->shown[s->nshown++] = *w;
		else
			release(s, w);
	}
	s->nwant = 0;
	queued += send_placeholders(s);
	sb_add(&out, s->late.s, s->late.len);
	sb_reset(&s->late);
	if (s->sync) {
		sb_adds(&out, "\033[?2026l");
		s->sync = 0;
	}
	n = out.len;
	/* No graphics command may cut into an upload: finish the one begun. */
	if (has_graphics(&out) && s->queue && s->queue->sent > 0)
		finish_head(s);
	if (n)
		write_all(s->fd, out.s, n);
	s->stats.bytes += n;
	sb_free(&out);
	pump(s, 1);
	return n + queued;
}

void pv_screen_forget(struct pv_screen *s, int free_data)
{
	struct sbuf out;
	int i;

	sb_init(&out);
	abandon(s, 1, &out);
	for (i = 0; i < s->nshown; i++) {
		struct place *sh = &s->shown[i];
		if (sh->r->mode == PV_KITTY)
			kitty_delete(s, &out, sh->r->image_id, 0);
		else if (s->wrap)
			erase_outer(s, &out, sh->y, sh->x, sh->r->rows, sh->r->cols);
		else
			repaint(sh->y, sh->x, sh->r->rows, sh->r->cols);
		release(s, sh);
	}
	s->nshown = 0;
	sb_add(&out, s->late.s, s->late.len);
	sb_reset(&s->late);
	if (free_data)
		forget_uploads(s, &out);
	if (s->sync) {
		sb_adds(&out, "\033[?2026l");
		s->sync = 0;
	}
	if (out.len)
		write_all(s->fd, out.s, out.len);
	sb_free(&out);
}

void pv_screen_free(struct pv_screen **sp)
{
	struct pv_screen *s = *sp;
	int i;

	if (s == NULL)
		return;
	while (s->queue) {
		struct flight *f = s->queue;
		s->queue = f->next;
		flight_free(s, f);
	}
	for (i = 0; i < s->nwant; i++)
		release(s, &s->want[i]);
	for (i = 0; i < s->nshown; i++)
		release(s, &s->shown[i]);
	forget_uploads(s, NULL);
	sb_free(&s->late);
	free(s);
	*sp = NULL;
}
