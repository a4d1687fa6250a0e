/*
 * preview-symbols.c - symbols renders drawn through ncurses' own cells:
 * each cell a character with a colour pair, so that ncurses diffs them
 * like any text (a picture that did not change costs nothing to redraw,
 * a popup over it needs no care) and they pass through tmux, screen,
 * mosh and any SSH link.
 *
 * Colour pairs are the budget: draw.c owns the pairs of its roles, the
 * next one marks the cells reserved for pixel pictures, and pictures take
 * the rest.  With indexed colours every (fg, bg) combination gets a fixed
 * pair when the terminal has enough of them (256 colours: 241 x 241 =
 * 58081 pairs, chafa's 240 colours and the default); otherwise, and in
 * truecolour, a table hands out pairs as they are met and is recycled
 * when full, which clears the screen so that no cell keeps the meaning of
 * a recycled pair.  Where pairs are few (8 colours and 64 pairs, as
 * TERM=xterm has) a pair serves both ways round: (b, a) is (a, b) in
 * reverse video, which halves what a picture needs.
 */
#include "config.h"

#include "preview.h"
#include "tui-private.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

enum { PAIR_MARKER = ROLE__COUNT, PAIR_BASE = ROLE__COUNT + 1 };

static int span;             /* static mapping: colours per axis, 0 when dynamic */
static int both_ways;        /* dynamic: (b, a) drawn as (a, b) reversed */
static int depth_now = -1;   /* the depth the tables were made for */
static unsigned char *made;  /* static mapping: pairs initialised */
static int marker_ok;
static int resets;

struct slot {
	int32_t fg, bg;
	int pair; /* 0: empty */
};
static struct slot *table;   /* dynamic: open addressing, 2 x capacity */
static size_t table_cap, used;
static int table_full;       /* a pair was wanted and none was left */
static int frame_resets, last_frame_resets; /* recycles in this frame, the last one */

int pv_symbols_depth(void)
{
	int n = draw_colors();

	if (n <= 0)
		return 0;
	if (COLORS >= 16777216)
		return 16777216;
	if (n >= 256)
		return 256;
	if (n >= 16)
		return 16;
	return n >= 8 ? 8 : 0;
}

void pv_symbols_reset(void)
{
	xfree(&made);
	xfree(&table);
	table_cap = used = 0;
	depth_now = -1;
	marker_ok = 0;
}

void pv_symbols_frame(void)
{
	last_frame_resets = frame_resets;
	frame_resets = 0;
}

void pv_symbols_stats(int *pairs, int *nresets)
{
	*pairs = (int)used;
	*nresets = resets;
}

int pv_marker_pair(void)
{
	if (draw_colors() <= 0 || COLOR_PAIRS <= PAIR_MARKER)
		return 0;
	if (!marker_ok) {
		if (init_pair(PAIR_MARKER, -1, -1) == ERR)
			init_pair(PAIR_MARKER, COLOR_WHITE, COLOR_BLACK);
		marker_ok = 1;
	}
	return PAIR_MARKER;
}

static void setup(int depth)
{
	int axis = depth >= 16777216 ? 0 : depth >= 256 ? 241 : depth >= 16 ? 17 : depth >= 8 ? 9 : 0;

	pv_symbols_reset();
	depth_now = depth;
	span = 0;
	both_ways = 0;
	if (axis && PAIR_BASE + (long)axis * axis <= COLOR_PAIRS) {
		span = axis;
		made = xcalloc((size_t)axis * axis, 1);
		return;
	}
	table_cap = COLOR_PAIRS > PAIR_BASE ? (size_t)(COLOR_PAIRS - PAIR_BASE) : 0;
	table = table_cap ? xcalloc(2 * table_cap, sizeof *table) : NULL;
	both_ways = depth < 16777216;
}

static int init_colours(int pair, int32_t fg, int32_t bg)
{
	if (depth_now >= 16777216) {
		/* Direct colour numbers below 8 are the ANSI colours: nudge them. */
		if (fg >= 0 && fg < 8)
			fg = 8;
		if (bg >= 0 && bg < 8)
			bg = 8;
	}
	if (init_extended_pair(pair, fg, bg) == OK)
		return 0;
	/* Without default colours: black and white stand in. */
	return init_extended_pair(pair, fg < 0 ? COLOR_WHITE : fg, bg < 0 ? COLOR_BLACK : bg) == OK ? 0 : -1;
}

static int axis_index(int32_t c)
{
	if (c < 0)
		return span - 1;
	if (span == 241)
		return c >= 16 && c <= 255 ? c - 16 : span - 1;
	return c < span - 1 ? c : span - 1;
}

/* The pair for fg/bg; 0 when none could be had. */
static int pair_for(int32_t fg, int32_t bg)
{
	size_t h, i;
	int pair;

	if (span) {
		int k = axis_index(fg) * span + axis_index(bg);
		if (!made[k]) {
			if (init_colours(PAIR_BASE + k, fg, bg) != 0)
				return 0;
			made[k] = 1;
		}
		return PAIR_BASE + k;
	}
	if (table == NULL)
		return 0;
	h = ((uint32_t)fg * 2654435761u ^ (uint32_t)bg * 40503u) % (2 * table_cap);
	for (i = h;; i = (i + 1) % (2 * table_cap)) {
		if (table[i].pair == 0)
			break;
		if (table[i].fg == fg && table[i].bg == bg)
			return table[i].pair;
	}
	if (used >= table_cap) {
		table_full = 1;
		return 0;
	}
	pair = PAIR_BASE + (int)used;
	if (init_colours(pair, fg, bg) != 0)
		return 0;
	table[i].fg = fg;
	table[i].bg = bg;
	table[i].pair = pair;
	used++;
	return pair;
}

void pv_symbols_draw(const struct pv_render *r, int y, int x)
{
	int depth = r->cells && r->cols > 0 ? pv_symbols_depth() : 0;
	int cy, cx, pair, attempt;
	wchar_t wc[2] = { 0, 0 };
	cchar_t cc;

	if (r->cells == NULL)
		return;
	if (depth != depth_now)
		setup(depth);
	/* The window's attributes (the last role drawn) would mix in. */
	attr_set(A_NORMAL, 0, NULL);
	for (attempt = 0; attempt < 2; attempt++) {
		table_full = 0;
		for (cy = 0; cy < r->rows; cy++) {
			if (y + cy < 0 || y + cy >= LINES)
				continue;
			for (cx = 0; cx < r->cols; cx++) {
				const struct pv_cell *c = &r->cells[(size_t)cy * r->cols + cx];
				attr_t attr = A_NORMAL;
				if (x + cx < 0 || x + cx >= COLS)
					continue;
				wc[0] = (wchar_t)c->ch;
				if (depth == 0)
					pair = 0;
				else if (both_ways && c->fg > c->bg) {
					pair = pair_for(c->bg, c->fg);
					attr = A_REVERSE;
				} else {
					pair = pair_for(c->fg, c->bg);
				}
				setcchar(&cc, wc, attr, 0, &pair);
				mvadd_wch(y + cy, x + cx, &cc);
			}
		}
		/* At most one recycle a frame, and none right after a frame that
		 * had one: pictures that need more pairs than there are get what
		 * is left rather than a cleared screen at every key. */
		if (!table_full || attempt == 1 || frame_resets || last_frame_resets)
			break;
		/* Out of pairs: recycle the table and draw this picture again;
		 * the screen is repainted in full so that no cell on it keeps
		 * an old meaning of a pair (and pictures drawn before this one
		 * are drawn again in the next frame). */
		memset(table, 0, 2 * table_cap * sizeof *table);
		used = 0;
		resets++;
		frame_resets++;
		clearok(curscr, TRUE);
	}
}
