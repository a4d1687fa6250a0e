/*
 * draw.c - the drawing primitives every view uses: clipped, visible text
 * (control characters as ^X, never sent to the terminal), wide characters
 * counted by their columns, fills and lines, colour roles mapped to what
 * the terminal has (colours, 8 colours, or attributes only), and word
 * wrapping for text previews.
 *
 * Views draw into ncurses' virtual screen through these functions; only
 * the main loop flushes it to the terminal.
 */
#include "config.h"

#include "tui-private.h"

#include <ctype.h>
#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct role_style {
	attr_t attr;
	short pair;
};

static struct role_style styles[ROLE__COUNT];
static int n_colors;
static int unicode = 1;
static int override_role = -1;
static int cursor_y = -1, cursor_x = -1;

/* ------------------------------------------------------------ colours */

/* fg, bg (-1: the terminal's default), attributes with colour; attributes without. */
static const struct {
	short fg, bg;
	attr_t color_attr;
	attr_t mono_attr;
} scheme[ROLE__COUNT] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_STATUS] = { -1, -1, A_REVERSE, A_REVERSE },
	[ROLE_STATUS_HI] = { -1, -1, A_REVERSE | A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_HEADER] = { -1, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_CURSOR] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_MARK] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_DIM] = { -1, -1, A_DIM, A_NORMAL },
	[ROLE_STARS] = { COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
	[ROLE_PICK] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[ROLE_REJECT] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[ROLE_TAG] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[ROLE_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE },
	[ROLE_INFO] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_LABEL] = { -1, -1, A_BOLD, A_BOLD },
	[ROLE_SECTION] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_SEP] = { COLOR_BLUE, -1, A_NORMAL, A_NORMAL },
	[ROLE_PROMPT] = { -1, -1, A_BOLD, A_BOLD },
	[ROLE_MENU] = { -1, -1, A_REVERSE, A_REVERSE },
	[ROLE_MENU_SEL] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_SELECTED] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[ROLE_LINK] = { COLOR_BLUE, -1, A_UNDERLINE, A_UNDERLINE },
	[ROLE_MATCH] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_BOLD | A_UNDERLINE },
};

int draw_init_colors(int mode)
{
	const char *no_color = getenv("NO_COLOR");
	int i, use, defaults = 0;

	/* NO_COLOR (https://no-color.org): any non-empty value turns colour
	 * off unless the user asked for it with `set color always`. */
	use = mode == 1 || (mode == 0 && !(no_color && *no_color));
	if (use && has_colors() && start_color() == OK && COLORS >= 8 && COLOR_PAIRS >= ROLE__COUNT) {
		defaults = use_default_colors() == OK;
		n_colors = COLORS;
	} else {
		n_colors = 0;
	}
	for (i = 0; i < ROLE__COUNT; i++) {
		styles[i].pair = 0;
		if (n_colors == 0) {
			styles[i].attr = scheme[i].mono_attr;
			/* A terminal without a dim mode shows A_DIM as nothing at all. */
			continue;
		}
		styles[i].attr = scheme[i].color_attr;
		if (scheme[i].fg != -1 || scheme[i].bg != -1) {
			short fg = scheme[i].fg, bg = scheme[i].bg;
			if (!defaults) {
				if (fg == -1)
					fg = COLOR_WHITE;
				if (bg == -1)
					bg = COLOR_BLACK;
			}
			init_pair((short)i, fg, bg);
			styles[i].pair = (short)i;
		}
	}
	if (n_colors >= 16) {
		/* Bright black reads as grey: a quieter DIM than A_DIM. */
		init_pair(ROLE_DIM, 8, defaults ? -1 : COLOR_BLACK);
		styles[ROLE_DIM].pair = ROLE_DIM;
		styles[ROLE_DIM].attr = A_NORMAL;
	}
	return n_colors;
}

int draw_colors(void)
{
	return n_colors;
}

int draw_unicode(void)
{
	return unicode;
}

void draw_set_unicode(int on)
{
	unicode = on;
}

int draw_rows(void)
{
	return LINES;
}

int draw_cols(void)
{
	return COLS;
}

void draw_erase(void)
{
	override_role = -1;
	cursor_y = cursor_x = -1;
	attr_set(A_NORMAL, 0, NULL);
	erase();
}

void draw_override(int role)
{
	override_role = role;
}

static void set_role(enum role r)
{
	const struct role_style *s = &styles[override_role >= 0 && r != ROLE_MATCH ? override_role : (int)r];

	attr_set(s->attr, s->pair, NULL);
}

/* ------------------------------------------------------------ text */

/* Visible text as wide characters with their widths.  Returns the count;
 * *wcs and *widths are owned. */
static size_t widen(const char *s, wchar_t **wcs, int **widths)
{
	struct sbuf b;
	mbstate_t ps;
	size_t n = 0, i = 0, len, r;
	wchar_t wc;
	int w;

	sb_init(&b);
	util_visible(&b, s, strlen(s), 0);
	len = b.len;
	*wcs = xmalloc((len + 1) * sizeof **wcs);
	*widths = xmalloc((len + 1) * sizeof **widths);
	memset(&ps, 0, sizeof ps);
	while (i < len) {
		r = mbrtowc(&wc, b.s + i, len - i, &ps);
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			/* util_visible leaves valid UTF-8; a C locale cannot decode it. */
			memset(&ps, 0, sizeof ps);
			wc = L'?';
			r = 1;
		}
		w = wcwidth(wc);
		if (w < 0) {
			wc = unicode ? 0xFFFD : L'?';
			w = 1;
		}
		if (w == 0 && n == 0) {
			/* A combining mark with nothing to combine with. */
			i += r;
			continue;
		}
		(*wcs)[n] = wc;
		(*widths)[n] = w;
		n++;
		i += r;
	}
	(*wcs)[n] = 0;
	sb_free(&b);
	return n;
}

/* Draws wide text clipped to w columns; ellipsis: mark a cut. */
static int put_text(int y, int x, int w, enum role r, const char *s, int ellipsis)
{
	wchar_t *wcs;
	int *widths, used = 0, total = 0, limit;
	size_t n, i, cut;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	n = widen(s, &wcs, &widths);
	for (i = 0; i < n; i++)
		total += widths[i];
	limit = total > w && ellipsis ? w - 1 : w;
	for (cut = 0; cut < n && used + widths[cut] <= limit; cut++)
		used += widths[cut];
	set_role(r);
	if (cut)
		mvaddnwstr(y, x, wcs, (int)cut);
	if (cut < n && ellipsis && limit < w) {
		mvaddstr(y, x + used, unicode ? "\xe2\x80\xa6" : "~");
		used++;
	}
	/* A wide character that did not fit leaves a gap: fill it. */
	while (cut < n && used < w && !ellipsis) {
		mvaddch(y, x + used, ' ');
		used++;
	}
	free(wcs);
	free(widths);
	return used;
}

int draw_text(int y, int x, int w, enum role r, const char *s)
{
	return put_text(y, x, w, r, s ? s : "", 1);
}

/* 1 when s at i starts word (any ASCII case) at a word's start. */
static int match_at(const char *s, size_t i, const char *word)
{
	size_t k;

	if (i > 0 && (isalnum((unsigned char)s[i - 1]) || ((unsigned char)s[i - 1] & 0x80)))
		return 0;
	for (k = 0; word[k]; k++)
		if (s[i + k] == '\0' || tolower((unsigned char)s[i + k]) != tolower((unsigned char)word[k]))
			return 0;
	return k > 0;
}

/* The bytes of s (n long) inside a match of a word: 1, else 0.  Owned. */
static char *match_mask(const char *s, size_t n, char *const *words)
{
	char *mask = xcalloc(n + 1, 1);
	size_t i, j, len;

	for (i = 0; i < n; i++)
		for (j = 0; words[j]; j++)
			if (match_at(s, i, words[j])) {
				len = strlen(words[j]);
				memset(mask + i, 1, len);
			}
	return mask;
}

char *draw_mark(const char *s, char *const *words, int keep_nl)
{
	struct sbuf b;
	size_t n = s ? strlen(s) : 0;
	char *mask;

	sb_init(&b);
	if (words == NULL || words[0] == NULL) {
		util_visible(&b, s ? s : "", n, keep_nl);
		return sb_steal(&b);
	}
	mask = match_mask(s, n, words);
	util_visible_marked(&b, s, n, keep_nl, mask);
	free(mask);
	return sb_steal(&b);
}

int draw_text_hl(int y, int x, int w, enum role r, const char *s)
{
	const char *p = s ? s : "", *e;
	int used = 0, on = 0, sw, d;
	char *seg;

	while (*p && used < w) {
		if (*p == UTIL_MARK_ON || *p == UTIL_MARK_OFF) {
			on = *p++ == UTIL_MARK_ON;
			continue;
		}
		e = p + strcspn(p, "\x01\x02");
		seg = xstrndup(p, (size_t)(e - p));
		sw = draw_width(seg);
		d = put_text(y, x + used, w - used, on ? ROLE_MATCH : r, seg, 1);
		free(seg);
		used += d;
		if (d < sw)
			break;
		p = e;
	}
	return used;
}

int draw_text_marked(int y, int x, int w, enum role r, const char *s, char *const *words)
{
	char *m;
	int used;

	if (words == NULL || words[0] == NULL || s == NULL || *s == '\0')
		return draw_text(y, x, w, r, s);
	m = draw_mark(s, words, 0);
	used = draw_text_hl(y, x, w, r, m);
	free(m);
	return used;
}

int draw_raw(int y, int x, int w, enum role r, const char *s)
{
	return put_text(y, x, w, r, s ? s : "", 0);
}

int draw_textf(int y, int x, int w, enum role r, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	n = draw_text(y, x, w, r, s);
	free(s);
	return n;
}

int draw_width(const char *s)
{
	wchar_t *wcs;
	int *widths, total = 0;
	size_t n, i;

	n = widen(s ? s : "", &wcs, &widths);
	for (i = 0; i < n; i++)
		total += widths[i];
	free(wcs);
	free(widths);
	return total;
}

int draw_text_right(int y, int x, int w, enum role r, const char *s)
{
	int tw = draw_width(s);

	if (tw >= w)
		return draw_text(y, x, w, r, s);
	return draw_text(y, x + w - tw, tw, r, s);
}

void draw_count(int y, int x, int w, int64_t n)
{
	char buf[32];

	if (n < 0) {
		draw_text_right(y, x, w, ROLE_DIM, unicode ? "\xe2\x80\xa6" : ".");
		return;
	}
	snprintf(buf, sizeof buf, "%lld", (long long)n);
	draw_text_right(y, x, w, n ? ROLE_NORMAL : ROLE_DIM, buf);
}

void draw_fill(int y, int x, int w, enum role r)
{
	if (y < 0 || y >= LINES || w <= 0 || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	set_role(r);
	mvhline(y, x, ' ', w);
}

/* Lines are the Unicode box characters when the terminal takes UTF-8
 * (no switch to the alternate character set and back on every row), and
 * the terminal's line drawing set, or ASCII, otherwise. */
void draw_vline(int y, int x, int h, enum role r)
{
	int i;

	if (x < 0 || x >= COLS || h <= 0)
		return;
	set_role(r);
	if (!unicode) {
		mvvline(y, x, ACS_VLINE, h);
		return;
	}
	for (i = 0; i < h && y + i < LINES; i++)
		mvaddstr(y + i, x, "\xe2\x94\x82");
}

void draw_hline(int y, int x, int w, enum role r)
{
	int i;

	if (y < 0 || y >= LINES || w <= 0)
		return;
	set_role(r);
	if (!unicode) {
		mvhline(y, x, ACS_HLINE, w);
		return;
	}
	for (i = 0; i < w && x + i < COLS; i++)
		mvaddstr(y, x + i, "\xe2\x94\x80");
}

static void corner(int y, int x, const char *utf8, chtype acs)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	if (unicode)
		mvaddstr(y, x, utf8);
	else
		mvaddch(y, x, acs);
}

void draw_box(int y, int x, int h, int w, enum role r)
{
	if (h < 2 || w < 2)
		return;
	draw_vline(y + 1, x, h - 2, r);
	draw_vline(y + 1, x + w - 1, h - 2, r);
	draw_hline(y, x + 1, w - 2, r);
	draw_hline(y + h - 1, x + 1, w - 2, r);
	corner(y, x, "\xe2\x94\x8c", ACS_ULCORNER);
	corner(y, x + w - 1, "\xe2\x94\x90", ACS_URCORNER);
	corner(y + h - 1, x, "\xe2\x94\x94", ACS_LLCORNER);
	corner(y + h - 1, x + w - 1, "\xe2\x94\x98", ACS_LRCORNER);
}

void draw_cursor_at(int y, int x)
{
	cursor_y = y;
	cursor_x = x;
}

void draw_place_cursor(void)
{
	if (cursor_x >= 0 && cursor_y >= 0) {
		curs_set(1);
		move(cursor_y, cursor_x);
	} else {
		curs_set(0);
	}
}

/* ------------------------------------------------------------ wrapping */

static void lines_add(struct draw_lines *l, const char *s, size_t n)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = xstrndup(s, n);
}

/* Width of one UTF-8 character at s (its length in *len). */
static int char_width(const char *s, size_t left, size_t *len)
{
	mbstate_t ps;
	wchar_t wc;
	size_t r;
	int w;

	if (*s == UTIL_MARK_ON || *s == UTIL_MARK_OFF) {
		*len = 1;
		return 0; /* a match's mark (draw_wrap_marked) */
	}
	memset(&ps, 0, sizeof ps);
	r = mbrtowc(&wc, s, left, &ps);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
		*len = 1;
		return 1;
	}
	*len = r;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

/* Greedy word wrap of one paragraph (no newlines) into lines of <= w. */
static void wrap_para(const char *p, size_t n, int w, struct draw_lines *out)
{
	size_t start = 0, i = 0, last_space = (size_t)-1, len;
	int col = 0, cw;

	if (n == 0) {
		lines_add(out, "", 0);
		return;
	}
	while (i < n) {
		cw = char_width(p + i, n - i, &len);
		if (p[i] == ' ')
			last_space = i;
		if (col + cw > w && i > start) {
			if (last_space != (size_t)-1 && last_space > start) {
				lines_add(out, p + start, last_space - start);
				start = last_space + 1;
			} else {
				lines_add(out, p + start, i - start);
				start = i;
			}
			last_space = (size_t)-1;
			/* Recount the columns of what carries over. */
			col = 0;
			for (size_t j = start; j < i;) {
				size_t l2;
				col += char_width(p + j, n - j, &l2);
				j += l2;
			}
			continue;
		}
		col += cw;
		i += len;
	}
	lines_add(out, p + start, n - start);
}

/* Wraps visible text (marks allowed) into out. */
static void wrap_visible(const char *vis, size_t len, int w, struct draw_lines *out)
{
	const char *p = vis, *nl;

	out->v = NULL;
	out->n = 0;
	if (w < 1)
		w = 1;
	for (;;) {
		nl = strchr(p, '\n');
		wrap_para(p, nl ? (size_t)(nl - p) : strlen(p), w, out);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	/* No trailing empty line for text ending in a newline. */
	if (out->n > 1 && out->v[out->n - 1][0] == '\0' && len && vis[len - 1] == '\n')
		free(out->v[--out->n]);
}

void draw_wrap(const char *text, int w, struct draw_lines *out)
{
	struct sbuf b;

	sb_init(&b);
	util_visible(&b, text ? text : "", text ? strlen(text) : 0, 1);
	wrap_visible(b.s, b.len, w, out);
	sb_free(&b);
}

void draw_wrap_marked(const char *text, int w, char *const *words, struct draw_lines *out)
{
	char *vis = draw_mark(text, words, 1), *line;
	size_t i, k;
	int on = 0, was;

	wrap_visible(vis, strlen(vis), w, out);
	free(vis);
	/* A match cut by the wrap is closed at the end of its line and
	 * opened again at the start of the next. */
	for (i = 0; i < out->n; i++) {
		was = on;
		for (k = 0; out->v[i][k]; k++)
			if (out->v[i][k] == UTIL_MARK_ON || out->v[i][k] == UTIL_MARK_OFF)
				on = out->v[i][k] == UTIL_MARK_ON;
		if (!was && !on)
			continue;
		line = xasprintf("%s%s%s", was ? "\x01" : "", out->v[i], on ? "\x02" : "");
		free(out->v[i]);
		out->v[i] = line;
	}
}

void draw_lines_free(struct draw_lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ------------------------------------------------------------ glyphs */

const char *glyph_stars(int stars, char buf[32])
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < 5; i++) {
		if (stars < 0)
			strcat(buf, unicode ? "\xc2\xb7" : ".");
		else if (i < stars)
			strcat(buf, unicode ? "\xe2\x98\x85" : "*");
		else
			strcat(buf, unicode ? "\xe2\x98\x86" : "-");
	}
	return buf;
}

const char *glyph_pick(void)
{
	return unicode ? "\xe2\x9c\x93" : "P";
}

const char *glyph_reject(void)
{
	return unicode ? "\xe2\x9c\x97" : "X";
}

const char *glyph_selected(void)
{
	return unicode ? "\xe2\x97\x86" : "S";
}

const char *glyph_mark(void)
{
	return unicode ? "\xe2\x96\x8c" : "*";
}

const char *glyph_crumb(void)
{
	return unicode ? " \xe2\x80\xba " : " > ";
}
