/*
 * draw.h - drawing primitives the views draw with: roles, rectangles, text
 * and line widgets, glyphs (draw.c; only draw.c and loop.c include curses).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_DRAW_H
#define LB_TUI_DRAW_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ drawing (draw.c) */

/* Colour and attribute roles; draw.c maps them to what the terminal has
 * (colours, 8 colours, or attributes only with NO_COLOR / TERM=vt100). */
enum role {
	ROLE_NORMAL = 0,
	ROLE_TITLE,   /* the top bar */
	ROLE_STATUS,  /* the status line */
	ROLE_STATUS_HI, /* emphasis inside the status line */
	ROLE_HEADER,  /* column titles */
	ROLE_CURSOR,  /* the line under the cursor */
	ROLE_MARK,    /* the mark column of a marked row */
	ROLE_DIM,     /* secondary text: ages, ids, seeds */
	ROLE_STARS,   /* my stars */
	ROLE_PICK,
	ROLE_REJECT,
	ROLE_TAG,
	ROLE_ERROR,
	ROLE_INFO,
	ROLE_LABEL,   /* labels in documents ("backend", "seed") */
	ROLE_SECTION, /* section headings in documents and help */
	ROLE_SEP,     /* pane separators */
	ROLE_PROMPT,
	ROLE_MENU,    /* the completion menu */
	ROLE_MENU_SEL,
	ROLE_SELECTED, /* the project-selection marker */
	ROLE_LINK,    /* a line that opens something */
	ROLE_MATCH,   /* what a search or filter found in a text (kept under the cursor) */
	ROLE__COUNT
};

struct rect {
	int y, x, h, w;
};

/* Sets up colours for the terminal; mode: 0 auto, 1 always, 2 never.
 * Returns the number of colours used (0: attributes only). */
int draw_init_colors(int mode);
int draw_colors(void);
/* 1 when glyphs like ★ and │ may be drawn (a UTF-8 locale). */
int draw_unicode(void);
void draw_set_unicode(int on);
int draw_rows(void);
int draw_cols(void);
/* Erases the whole virtual screen (start of a frame). */
void draw_erase(void);
/* With role >= 0 every following draw uses that role's attributes (the
 * cursor line); -1 turns it off. */
void draw_override(int role);
/* Draws s at (y,x) made visible (control characters as ^X) and clipped to
 * w columns ("…" marks a cut).  Returns the columns drawn. */
int draw_text(int y, int x, int w, enum role r, const char *s);
/* draw_text with the words (NULL-terminated) found in s at a word's start,
 * in any ASCII case, drawn as ROLE_MATCH. */
int draw_text_marked(int y, int x, int w, enum role r, const char *s, char *const *words);
/* s made visible (util_visible) with the words found as draw_text_marked
 * finds them between UTIL_MARK_ON and UTIL_MARK_OFF.  Owned. */
char *draw_mark(const char *s, char *const *words, int keep_nl);
/* Draws visible text with marks (draw_mark, draw_wrap_marked): the
 * marked parts as ROLE_MATCH. */
int draw_text_hl(int y, int x, int w, enum role r, const char *s);
int draw_textf(int y, int x, int w, enum role r, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Same, right-aligned in the w columns. */
int draw_text_right(int y, int x, int w, enum role r, const char *s);
/* Draws s clipped at w without the ellipsis (for fixed glyph runs). */
int draw_raw(int y, int x, int w, enum role r, const char *s);
/* A count right-aligned in w columns: dim when 0, "…" when unknown (< 0). */
void draw_count(int y, int x, int w, int64_t n);
/* Fills w columns with spaces of role r. */
void draw_fill(int y, int x, int w, enum role r);
void draw_vline(int y, int x, int h, enum role r);
void draw_hline(int y, int x, int w, enum role r);
/* A frame with corners around h x w cells at (y, x), for popups. */
void draw_box(int y, int x, int h, int w, enum role r);
/* Where the terminal cursor should stand after the frame (x < 0: hidden). */
void draw_cursor_at(int y, int x);
/* Puts the terminal cursor where draw_cursor_at said (loop.c, per frame). */
void draw_place_cursor(void);
/* Display width of s as draw_text would show it. */
int draw_width(const char *s);

/* Wrapped text: lines of at most w columns, control characters visible,
 * newlines kept.  Each line is an owned string; free with draw_lines_free. */
struct draw_lines {
	char **v;
	size_t n;
};
void draw_wrap(const char *text, int w, struct draw_lines *out);
/* draw_wrap with the words marked as draw_mark marks them; a match cut by
 * the wrap is marked on both lines.  Draw the lines with draw_text_hl. */
void draw_wrap_marked(const char *text, int w, char *const *words, struct draw_lines *out);
void draw_lines_free(struct draw_lines *l);

/* Glyphs with ASCII fallbacks. */
const char *glyph_stars(int stars, char buf[32]); /* "★★★☆☆", "·····" for -1 */
const char *glyph_pick(void);
const char *glyph_reject(void);
const char *glyph_selected(void);
const char *glyph_mark(void);
const char *glyph_crumb(void); /* " › " */

#endif
