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
 * Formats followed: kitty graphics-protocol.rst (a=t/p/d, i=, p=, c=, r=,
 * C=1, q=2), xterm ctlseqs (DECSC, DECRC, CUP), the synchronized update
 * mode (contour-terminal's "Synchronized Output" spec, mode 2026).
 */
#include "config.h"

#include "preview.h"
#include "tui-private.h"

#include <curses.h>
#include <errno.h>
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
};

struct pv_screen *pv_screen_new(struct pv_cache *cache, int fd)
{
	struct pv_screen *s = xcalloc(1, sizeof *s);

	s->cache = cache;
	s->fd = fd;
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

void pv_screen_want(struct pv_screen *s, struct pv_render *r, int y, int x)
{
	int cy, cx, pair = pv_marker_pair();
	wchar_t wc[2] = { L' ', 0 };
	cchar_t cc;

	if (s->nwant == MAX_PLACES || r->blob == NULL)
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

	if (y < 0) {
		h += y;
		y = 0;
	}
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (y + h > LINES)
		h = LINES - y;
	if (x + w > COLS)
		w = COLS - x;
	if (h <= 0 || w <= 0)
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

static void kitty_delete(struct sbuf *out, uint32_t id, int free_data)
{
	if (free_data)
		sb_addf(out, "\033_Ga=d,d=I,i=%u,q=2\033\\", id);
	else
		sb_addf(out, "\033_Ga=d,d=i,i=%u,p=1,q=2\033\\", id);
}

static void forget_uploads(struct pv_screen *s, struct sbuf *out)
{
	int i;

	for (i = 0; i < s->nup; i++) {
		if (out)
			kitty_delete(out, s->up[i].r->image_id, 1);
		pv_render_unref(s->cache, &s->up[i].r);
	}
	s->nup = 0;
}

void pv_screen_prepare(struct pv_screen *s, int full)
{
	int i, j, news = 0;
	struct place kept[MAX_PLACES];
	int nkept = 0;

	s->frame++;
	if (full) {
		/* The screen is about to be cleared, and every picture with it.
		 * kitty keeps the data of cleared images, but may drop it under
		 * pressure: send it again, and free the old copies. */
		for (i = 0; i < s->nshown; i++)
			release(s, &s->shown[i]);
		s->nshown = 0;
		forget_uploads(s, &s->late);
	}
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
			kitty_delete(&s->late, sh->r->image_id, 0);
		else
			repaint(sh->y, sh->x, sh->r->rows, sh->r->cols);
		release(s, sh);
	}
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
			if (!is_shown(s, s->up[i].r) && (old < 0 || s->up[i].used < s->up[old].used))
				old = i;
		if (old < 0)
			return;
		kitty_delete(out, s->up[old].r->image_id, 1);
		pv_render_unref(s->cache, &s->up[old].r);
		s->up[old] = s->up[--s->nup];
	}
	pv_render_ref(s->cache, r);
	s->up[s->nup].r = r;
	s->up[s->nup].used = s->frame;
	s->nup++;
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
	size_t n;
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
			pv_pixels_sequence(w->r, w->y, w->x, !up, &out);
			if (!up)
				add_upload(s, w->r, &out);
		} else {
			pv_pixels_sequence(w->r, w->y, w->x, 0, &out);
		}
		if (s->nshown < MAX_PLACES)
			s->shown[s->nshown++] = *w;
		else
			release(s, w);
	}
	s->nwant = 0;
	sb_add(&out, s->late.s, s->late.len);
	sb_reset(&s->late);
	if (s->sync) {
		sb_adds(&out, "\033[?2026l");
		s->sync = 0;
	}
	n = out.len;
	if (n)
		write_all(s->fd, out.s, n);
	sb_free(&out);
	return n;
}

void pv_screen_forget(struct pv_screen *s, int free_data)
{
	struct sbuf out;
	int i;

	sb_init(&out);
	for (i = 0; i < s->nshown; i++) {
		struct place *sh = &s->shown[i];
		if (sh->r->mode == PV_KITTY)
			kitty_delete(&out, sh->r->image_id, 0);
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
	for (i = 0; i < s->nwant; i++)
		release(s, &s->want[i]);
	for (i = 0; i < s->nshown; i++)
		release(s, &s->shown[i]);
	forget_uploads(s, NULL);
	sb_free(&s->late);
	free(s);
	*sp = NULL;
}
