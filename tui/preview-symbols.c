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

/* ------------------------------------------------------------ kitty placeholders */

/* kitty's row and column diacritics (graphics-protocol.rst, "Unicode
 * placeholders", the table rowcolumn-diacritics.txt): the n-th encodes n. */
static const uint32_t diacritics[] = {
	0x0305, 0x030D, 0x030E, 0x0310, 0x0312, 0x033D, 0x033E, 0x033F, 0x0346, 0x034A,
	0x034B, 0x034C, 0x0350, 0x0351, 0x0352, 0x0357, 0x035B, 0x0363, 0x0364, 0x0365,
	0x0366, 0x0367, 0x0368, 0x0369, 0x036A, 0x036B, 0x036C, 0x036D, 0x036E, 0x036F,
	0x0483, 0x0484, 0x0485, 0x0486, 0x0487, 0x0592, 0x0593, 0x0594, 0x0595, 0x0597,
	0x0598, 0x0599, 0x059C, 0x059D, 0x059E, 0x059F, 0x05A0, 0x05A1, 0x05A8, 0x05A9,
	0x05AB, 0x05AC, 0x05AF, 0x05C4, 0x0610, 0x0611, 0x0612, 0x0613, 0x0614, 0x0615,
	0x0616, 0x0617, 0x0657, 0x0658, 0x0659, 0x065A, 0x065B, 0x065D, 0x065E, 0x06D6,
	0x06D7, 0x06D8, 0x06D9, 0x06DA, 0x06DB, 0x06DC, 0x06DF, 0x06E0, 0x06E1, 0x06E2,
	0x06E4, 0x06E7, 0x06E8, 0x06EB, 0x06EC, 0x0730, 0x0732, 0x0733, 0x0735, 0x0736,
	0x073A, 0x073D, 0x073F, 0x0740, 0x0741, 0x0743, 0x0745, 0x0747, 0x0749, 0x074A,
	0x07EB, 0x07EC, 0x07ED, 0x07EE, 0x07EF, 0x07F0, 0x07F1, 0x07F3, 0x0816, 0x0817,
	0x0818, 0x0819, 0x081B, 0x081C, 0x081D, 0x081E, 0x081F, 0x0820, 0x0821, 0x0822,
	0x0823, 0x0825, 0x0826, 0x0827, 0x0829, 0x082A, 0x082B, 0x082C, 0x082D, 0x0951,
	0x0953, 0x0954, 0x0F82, 0x0F83, 0x0F86, 0x0F87, 0x135D, 0x135E, 0x135F, 0x17DD,
	0x193A, 0x1A17, 0x1A75, 0x1A76, 0x1A77, 0x1A78, 0x1A79, 0x1A7A, 0x1A7B, 0x1A7C,
	0x1B6B, 0x1B6D, 0x1B6E, 0x1B6F, 0x1B70, 0x1B71, 0x1B72, 0x1B73, 0x1CD0, 0x1CD1,
	0x1CD2, 0x1CDA, 0x1CDB, 0x1CE0, 0x1DC0, 0x1DC1, 0x1DC3, 0x1DC4, 0x1DC5, 0x1DC6,
	0x1DC7, 0x1DC8, 0x1DC9, 0x1DCB, 0x1DCC, 0x1DD1, 0x1DD2, 0x1DD3, 0x1DD4, 0x1DD5,
	0x1DD6, 0x1DD7, 0x1DD8, 0x1DD9, 0x1DDA, 0x1DDB, 0x1DDC, 0x1DDD, 0x1DDE, 0x1DDF,
	0x1DE0, 0x1DE1, 0x1DE2, 0x1DE3, 0x1DE4, 0x1DE5, 0x1DE6, 0x1DFE, 0x20D0, 0x20D1,
	0x20D4, 0x20D5, 0x20D6, 0x20D7, 0x20DB, 0x20DC, 0x20E1, 0x20E7, 0x20E9, 0x20F0,
	0x2CEF, 0x2CF0, 0x2CF1, 0x2DE0, 0x2DE1, 0x2DE2, 0x2DE3, 0x2DE4, 0x2DE5, 0x2DE6,
	0x2DE7, 0x2DE8, 0x2DE9, 0x2DEA, 0x2DEB, 0x2DEC, 0x2DED, 0x2DEE, 0x2DEF, 0x2DF0,
	0x2DF1, 0x2DF2, 0x2DF3, 0x2DF4, 0x2DF5, 0x2DF6, 0x2DF7, 0x2DF8, 0x2DF9, 0x2DFA,
	0x2DFB, 0x2DFC, 0x2DFD, 0x2DFE, 0x2DFF, 0xA66F, 0xA67C, 0xA67D, 0xA6F0, 0xA6F1,
	0xA8E0, 0xA8E1, 0xA8E2, 0xA8E3, 0xA8E4, 0xA8E5, 0xA8E6, 0xA8E7, 0xA8E8, 0xA8E9,
	0xA8EA, 0xA8EB, 0xA8EC, 0xA8ED, 0xA8EE, 0xA8EF, 0xA8F0, 0xA8F1, 0xAAB0, 0xAAB2,
	0xAAB3, 0xAAB7, 0xAAB8, 0xAABE, 0xAABF, 0xAAC1, 0xFB1E, 0xFE20, 0xFE21, 0xFE22,
	0xFE23, 0xFE24, 0xFE25, 0xFE26, 0x10A0F, 0x10A38, 0x1D185, 0x1D186, 0x1D187, 0x1D188,
	0x1D189, 0x1D1AA, 0x1D1AB, 0x1D1AC, 0x1D1AD, 0x1D242, 0x1D243, 0x1D244,
};

int pv_placeholder_max(void)
{
	return (int)(sizeof diacritics / sizeof diacritics[0]);
}

int pv_placeholders_draw(uint32_t id, int rows, int cols, int y, int x)
{
	int cy, cx, pair;
	wchar_t wc[5] = { 0x10EEEE, 0, 0, 0, 0 };
	cchar_t cc;

	/* The id's low byte is the 256-colour foreground, its high byte the
	 * third diacritic; the bytes between must be 0 (pv_placeholder_id). */
	if (pv_symbols_depth() != 256 || rows > pv_placeholder_max() || cols > pv_placeholder_max())
		return -1;
	if (depth_now != 256)
		setup(256);
	pair = pair_for((int32_t)(id & 0xff), -1);
	if (pair == 0)
		return -1;
	attr_set(A_NORMAL, 0, NULL);
	wc[3] = (wchar_t)diacritics[(id >> 24) & 0xff];
	for (cy = 0; cy < rows; cy++) {
		if (y + cy < 0 || y + cy >= LINES)
			continue;
		wc[1] = (wchar_t)diacritics[cy];
		for (cx = 0; cx < cols; cx++) {
			if (x + cx < 0 || x + cx >= COLS)
				continue;
			wc[2] = (wchar_t)diacritics[cx];
			setcchar(&cc, wc, A_NORMAL, 0, &pair);
			mvadd_wch(y + cy, x + cx, &cc);
		}
	}
	return 0;
}
