/*
 * tui-private.h - what the files of tui/ share: the application state,
 * views (ops structs returning reaction masks), the list engine, drawing
 * primitives, the prompt, the background worker and the preview pane.
 *
 * Only draw.c and loop.c include curses.h: views
 * draw through the draw_* primitives below, and only the main loop
 * repaints the terminal.
 */
#ifndef LB_TUI_PRIVATE_H
#define LB_TUI_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "keymaps/keymaps.h"
#include "store/store.h"
#include "util.h"

struct tui;
struct view;
struct import_job;
struct tui_gen;
struct form;
struct writer;

/* ------------------------------------------------------------ reactions */

/* What a handler asks of the main loop. */
enum reaction {
	R_NONE = 0,
	R_REDRAW = 1 << 0,    /* repaint the screen */
	R_RELOAD = 1 << 1,    /* re-read the view's data from the store, then repaint */
	R_QUIT = 1 << 2,      /* leave lightbox */
	R_POP = 1 << 3,       /* close this view and show the one below */
	R_UNHANDLED = 1 << 4, /* the view does not use this action: try the global handler */
	R_FULL = 1 << 5,      /* repaint every cell (after $EDITOR, C-l) */
};

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
void draw_lines_free(struct draw_lines *l);

/* Glyphs with ASCII fallbacks. */
const char *glyph_stars(int stars, char buf[32]); /* "★★★☆☆", "·····" for -1 */
const char *glyph_pick(void);
const char *glyph_reject(void);
const char *glyph_selected(void);
const char *glyph_mark(void);
const char *glyph_crumb(void); /* " › " */

/* ------------------------------------------------------------ id sets (list.c) */

struct idset {
	int64_t *v;  /* open addressing; 0 = empty (ids are > 0) */
	size_t cap;  /* a power of two, or 0 */
	size_t n;
};
int idset_has(const struct idset *s, int64_t id);
void idset_add(struct idset *s, int64_t id);
void idset_del(struct idset *s, int64_t id);
void idset_clear(struct idset *s);
/* Calls fn for each id; stops early when fn returns non-zero. */
int idset_each(const struct idset *s, int (*fn)(int64_t id, void *arg), void *arg);

/* ------------------------------------------------------------ the list engine (list.c) */

/* A list reads its rows from a source a window at a time.  Rows are
 * opaque handles owned by the list (freed through free_row). */
struct list;
struct list_src {
	/* Reads up to n rows after `from` (dir 1) or before it (dir -1) in list
	 * order, including `from` itself when incl; from NULL: from the start
	 * (dir 1) or the end (dir -1).  Rows go to out[0..] in list order.
	 * Returns how many, or -1 with *err (owned) set. */
	int (*fetch)(struct list *l, const void *from, int dir, int incl, int n, void **out, char **err);
	/* The row with this id as it is now (NULL when it is gone); optional. */
	void *(*get)(struct list *l, int64_t id);
	void (*free_row)(struct list *l, void *row);
	int64_t (*id)(const struct list *l, const void *row);
	/* Draws a row in w columns at (y,x); flags LIST_*. */
	void (*draw)(struct list *l, const void *row, int y, int x, int w, unsigned flags);
	/* Optional: read up to n rows after/before `from` off the interface's
	 * thread and hand them to list_take_prefetch(l, gen, ...) when read,
	 * gen being l->gen now.  Without it, list_prefetch reads in place. */
	void (*prefetch)(struct list *l, const void *from, int dir, int n, uint64_t gen);
};

enum { LIST_CURSOR = 1, LIST_MARKED = 2 };

struct list {
	const struct list_src *src;
	void *ctx;             /* the view's data */
	void **rows;           /* the window, in list order */
	int64_t *ids;          /* their ids (valid even when the source changed) */
	int n, cap;
	int cur;               /* cursor index in rows, -1 when empty */
	int top;               /* first visible row */
	int height;            /* visible rows at the last draw */
	int64_t base;          /* list position of rows[0], -1 unknown */
	int64_t total;         /* rows in the list, -1 unknown */
	int at_start, at_end;  /* the window holds the first / last row */
	char *search;          /* the search words, or NULL */
	/* marks: marked(id) = mark_all XOR idset_has(marks, id) */
	struct idset marks;
	int mark_all;
	int64_t mark_anchor;   /* the last row marked (for mark-range) */
	char *err;             /* the last fetch error, owned */
	uint64_t gen;          /* bumped whenever the list's content may have changed */
	int prefetching;       /* a read-ahead is on its way */
};

/* Resets l to empty with src/ctx; nothing is read yet. */
void list_init(struct list *l, const struct list_src *src, void *ctx);
void list_free(struct list *l);
/* Reads the first window (rows from the start). 0 or -1 (l->err). */
int list_open(struct list *l);
/* Reads the window holding the row with this id (when the source has
 * get); falls back to the start.  0 or -1. */
int list_open_at(struct list *l, int64_t id);
/* Re-reads the window keeping the cursor on the same row (or where it
 * was, when that row left the list) at the same screen line.  own: the
 * change was ours and touched only the cursor row (or the marks): the
 * position is kept when the rows before the cursor did not change. */
int list_reload(struct list *l, int own);
/* Replaces the data of the row with this id in the window (no reordering). */
void list_refresh_row(struct list *l, int64_t id);
/* Moves the cursor by delta rows (clamped).  1 when it moved. */
int list_move(struct list *l, int delta);
int list_home(struct list *l);
int list_end(struct list *l);
/* Keeps the cursor visible in h rows. */
void list_scroll(struct list *l, int h);
/* Reads the next (or previous) page ahead when the cursor is within two
 * screens of the window's edge, so moving on never waits for the store:
 * in the background when the source can.  1 when it read something. */
int list_prefetch(struct list *l);
/* Rows read ahead (rows[0..got) in list order) after the row anchor_id
 * (dir 1) or before it (dir -1); want is how many were asked for.  Taken
 * if the list is still as it was (gen) and anchor_id still at that edge;
 * else freed.  Takes ownership of the rows, not of the array. */
void list_take_prefetch(struct list *l, uint64_t gen, int64_t anchor_id, int dir, void **rows, int got, int want);
void list_draw(struct list *l, int y, int x, int h, int w);
void *list_current(const struct list *l);
int64_t list_current_id(const struct list *l);
/* Position of the cursor (0-based) or -1 when unknown. */
int64_t list_pos(const struct list *l);
/* Sets the total count; if the window holds the end, the position follows. */
void list_set_total(struct list *l, int64_t total);
/* The row id stands at position pos: sets the window's position. */
void list_set_position(struct list *l, int64_t id, int64_t pos);
/* "12 of 3400", "12 of …", "empty" into buf. */
void list_pos_text(const struct list *l, char *buf, size_t n);

/* Marks. */
int list_is_marked(const struct list *l, int64_t id);
void list_mark_toggle(struct list *l);
void list_mark_all(struct list *l);
void list_unmark_all(struct list *l);
/* Marks every row between the last marked row and the cursor; 0 or -1
 * (no anchor, or it is too far away: l->err says). */
int list_mark_range(struct list *l);
/* How many rows are marked (-1 when unknown: all marked, total unknown). */
int64_t list_marked_count(const struct list *l);
int list_has_marks(const struct list *l);
/* Calls fn on the id of every marked row (paging through the source when
 * everything is marked); stops when fn returns non-zero and returns that. */
int list_marked_each(struct list *l, int (*fn)(int64_t id, void *arg), void *arg);

/* A source over an array the view keeps in memory (small lists: projects,
 * briefs, help lines): rows are indices.  The view supplies these. */
struct array_src {
	struct list_src src;    /* filled by array_src_init */
	size_t (*count)(void *ctx);
	int64_t (*row_id)(void *ctx, size_t i);
	/* 1 when row i matches the search words (case-insensitive). */
	int (*match)(void *ctx, size_t i, const char *words);
	void (*draw)(void *ctx, size_t i, int y, int x, int w, unsigned flags);
};
void array_src_init(struct array_src *a);
/* The array index of a row handle of an array source. */
size_t array_row_index(const void *row);
/* Case-insensitive search of every word of words in s (ASCII folding). */
int text_matches(const char *s, const char *words);

/* ------------------------------------------------------------ filters (filter.c) */

/* A candidate filter as the user wrote it: a query (store/query.c). */
struct tfilter {
	char *text;     /* owned, trimmed; NULL: no filter */
	unsigned uses;  /* LB_QUERY_* */
};
/* Checks expr and puts it in f (replaced).  0, or -1 with *err (owned)
 * naming the column of the mistake; f is unchanged then. */
int tfilter_parse(const char *expr, struct tfilter *f, char **err);
/* The filter AND "FIELDvalue" (value quoted when it must be), as text
 * to parse.  Owned. */
char *tfilter_and(const struct tfilter *f, const char *field, const char *value);
/* The expression form ("" when empty).  Owned. */
char *tfilter_format(const struct tfilter *f);
int tfilter_empty(const struct tfilter *f);
/* 1 when the filter looks at ratings, flags, tags or the selection. */
int tfilter_uses_curation(const struct tfilter *f);
void tfilter_copy(struct tfilter *dst, const struct tfilter *src);
void tfilter_clear(struct tfilter *f);
/* Fills lb (borrowing f's strings) for brief_id and search. */
void tfilter_to_lb(const struct tfilter *f, int64_t brief_id, const char *search, struct lb_filter *lb);
/* The words that may start a filter term, for completion. */
extern const char *const *const tfilter_words;

/* ------------------------------------------------------------ the background worker (bg.c) */

/* Work that may take longer than a frame (counting a million candidates)
 * runs in one worker thread on its own store connection.  A task's run()
 * runs there; done() then runs on the main thread, only if its owner is
 * still alive.  A task with the same owner and key as a queued one
 * replaces it. */
struct bg_task {
	void (*run)(struct bg_task *t, struct store *st);
	void (*done)(struct bg_task *t, struct tui *ui);
	void (*free)(struct bg_task *t); /* frees t itself */
	uint64_t owner;
	int key;
	struct bg_task *next;
};
struct bg;
/* Starts the worker; it opens store dir lazily.  wake_fd is written (one
 * byte) when a result is ready.  Owned. */
struct bg *bg_new(const char *store_dir, const char *curator, int wake_fd);
void bg_free(struct bg **b);
/* Queues t; it starts at the next bg_kick (the main loop kicks after each
 * frame is on the screen, so the worker never competes with drawing it). */
void bg_submit(struct bg *b, struct bg_task *t);
void bg_kick(struct bg *b);
/* Runs done() of finished tasks; returns how many. */
int bg_collect(struct bg *b, struct tui *ui);
/* Forgets every task of owner (queued ones are freed, running ones are
 * dropped when they finish). */
void bg_forget(struct bg *b, uint64_t owner);
/* Tasks queued or running (for tests and the bench: "idle"). */
int bg_busy(struct bg *b);
/* Counts for rows of a view (a brief's candidates, picks...): read() runs
 * in the worker for each id and fills up to BG_COUNTS_MAX numbers (-1 when
 * unknown); apply() then runs on the main thread for each id, unless *gen
 * changed meanwhile (the view read its rows again).  ids are copied. */
enum { BG_COUNTS_MAX = 4 };
typedef void (*bg_count_fn)(struct store *st, int64_t id, int64_t out[BG_COUNTS_MAX]);
typedef void (*bg_apply_fn)(void *ctx, int64_t id, const int64_t counts[BG_COUNTS_MAX]);
void bg_counts(struct bg *b, uint64_t owner, const int64_t *ids, size_t n, bg_count_fn read, bg_apply_fn apply,
	       void *ctx, const uint64_t *gen);

/* ------------------------------------------------------------ the preview pane (preview.c) */

/* The preview pane behind a small interface: the text/facts preview now;
 * image previews (chafa: symbols, sixel, kitty) plug in as other ops. */
struct preview;
struct preview_ops {
	const char *name;
	/* Draws c into r (through the draw primitives; pixel modes may note
	 * what to emit after the flush).  scroll: first line.  Returns the
	 * number of lines the content has (for scrolling). */
	int (*draw)(struct preview *p, const struct lb_candidate *c, struct rect r, int scroll);
	/* After ncurses flushed the frame: pixel modes write their image here. */
	void (*flush)(struct preview *p);
	/* The pane is gone (view switch, prompt over it, resize): forget or
	 * erase anything drawn outside ncurses. */
	void (*hide)(struct preview *p);
	void (*free)(struct preview *p);
	/* Optional (NULL in the text preview).  Before doupdate(), once the
	 * whole frame is drawn: pictures that go are erased. */
	void (*prepare)(struct preview *p);
	/* Each turn of the event loop: 1 when a frame should be drawn (a
	 * picture finished rendering). */
	int (*poll)(struct preview *p);
	/* c will likely be shown in r soon (distance: 1 the next, 2 the one
	 * after...): render it in the background. */
	void (*prefetch)(struct preview *p, const struct lb_candidate *c, struct rect r, int distance);
	/* Only the picture of c (text: its first lines) centred in r, for the
	 * contact sheet; distance 0 for the cursor's cell.  draw 0: only
	 * render it in the background (the next screen). */
	void (*thumb)(struct preview *p, const struct lb_candidate *c, struct rect r, int distance,
		      int draw);
	/* The screen goes away (suspend, $EDITOR, a player, quitting). */
	void (*leave)(struct preview *p);
};
struct preview {
	const struct preview_ops *ops;
	struct tui *ui;
	void *data;
};
/* The text and facts preview (text candidates, `preview-mode none`). */
struct preview *preview_text_new(struct tui *ui);
/* The picture preview (preview-image.c): asks the terminal what it can
 * draw (so: before ncurses starts), and wraps a text preview.  Owned. */
struct preview *preview_image_new(struct tui *ui);
int preview_is_image(const struct preview *p);
/* After `set color`: picture colour pairs are made again. */
void preview_colors_changed(struct preview *p);
/* The preview-mode action: the next mode this terminal can show. */
int preview_cycle_mode(struct tui *ui);
void preview_free(struct preview **p);
/* Lines of facts about a candidate ("type", "size", ...) as label/value
 * pairs; owned strings, free with preview_facts_free. */
struct fact {
	char *label, *value;
};
size_t preview_facts(const struct lb_candidate *c, struct fact **out);
void preview_facts_free(struct fact *f, size_t n);
/* "1.2 MB" */
void human_bytes(int64_t n, char buf[32]);
/* The start of a text candidate kept only as a file: at most max bytes,
 * cut at a line (or a character); owned, NULL with *err (owned) when the
 * file cannot be read.  *rest: the bytes left out. */
char *preview_text_head(const struct lb_candidate *c, size_t max, int64_t *rest, char **err);

/* ------------------------------------------------------------ views */

struct view_ops {
	const char *name;          /* "candidates": shown in the status line */
	enum km_context ctx;
	/* Draws the view's body into r. */
	void (*draw)(struct view *v, struct rect r);
	/* Handles an action (arg: the text after the name on the `:` line, or
	 * NULL from a key).  Returns a reaction mask; R_UNHANDLED when unused. */
	int (*handle)(struct view *v, enum km_action a, const char *arg);
	/* Re-reads from the store (mode RELOAD_*). */
	void (*reload)(struct view *v, int mode);
	/* Appends this view's part of the breadcrumb ("Hero image r3"). */
	void (*crumb)(struct view *v, struct sbuf *out);
	/* Appends status details (filter, sort, marks) and the position text. */
	void (*status)(struct view *v, struct sbuf *left, struct sbuf *right);
	void (*close)(struct view *v);
	/* Optional: work to do while the user reads the screen (read the
	 * next page ahead).  Must not change what is on screen. */
	void (*idle)(struct view *v);
	/* Optional: the candidate under the cursor (delta 0) or delta rows
	 * away (for prefetching), NULL when none is at hand.  Borrowed: valid
	 * until the view changes.  The zoom and the grid draw through it. */
	const struct lb_candidate *(*current)(struct view *v, int delta);
};

enum {
	RELOAD_EXTERNAL = 0, /* someone else changed the store: re-read, recount */
	RELOAD_OWN = 1,      /* this view changed the row under the cursor */
	RELOAD_REOPEN = 2,   /* the search, filter or sort changed: from the top */
};

struct view {
	const struct view_ops *ops;
	struct tui *ui;
	uint64_t owner;       /* for background tasks */
	int64_t project_id;   /* context for view-briefs / view-selection; 0 none */
	int64_t brief_id;
	int stale;            /* the store changed while the view was hidden */
	int refs;             /* holders: the stack, a zoom or grid over it */
};

/* Views are reference-counted, and a pointer to a view is kept only with a
 * hold on it: the stack holds each view on it (tui_push takes the hold,
 * popping lets go), a zoom or grid holds the view under it until it closes.
 * view_release closes the view (and forgets its background tasks) when
 * its last holder lets go; a view never held is closed by one release.
 * The stack, when full, lets go only of a view nothing else holds, and
 * never of the top one (its handler may be running). */
struct view *view_hold(struct view *v);
void view_release(struct view *v);

struct view *view_projects_new(struct tui *ui);
struct view *view_briefs_new(struct tui *ui, int64_t project_id);
struct view *view_candidates_new(struct tui *ui, int64_t brief_id, int64_t cand_id);
struct view *view_detail_new(struct tui *ui, int64_t cand_id);
struct view *view_selection_new(struct tui *ui, int64_t project_id);
struct view *view_jobs_new(struct tui *ui, int64_t brief_id);
struct view *view_help_new(struct tui *ui, enum km_context ctx, const char *what);
struct view *view_compare_new(struct tui *ui, int64_t left, int64_t right);
/* The full-screen preview of below's current candidate (view-zoom.c); keys
 * are below's (moving, rating...), z or back closes it. */
struct view *view_zoom_new(struct tui *ui, struct view *below);
/* The contact sheet of a candidates view's list (view-grid.c): the same
 * list, filter, sort and marks, drawn as a grid of pictures. */
struct view *view_grid_new(struct tui *ui, struct view *candidates);
/* The candidates view's list, for the grid drawn over it. */
struct list *view_candidates_list(struct view *v);

/* The actions every list view shares: moving, paging, marks (when
 * markable), search (the prompt, then reload(RELOAD_REOPEN)).  Returns a
 * reaction mask, R_UNHANDLED for other actions. */
int view_list_action(struct view *v, struct list *l, enum km_action a, const char *arg, int markable);
/* sort, sort-reverse and sort-by for a small list with named orders:
 * names (NULL-terminated) starts with "oldest", "newest"; *sort indexes
 * it.  After a change the view is reloaded.  R_UNHANDLED for others. */
int view_sort_action(struct view *v, enum km_action a, const char *arg, const char *const *names, int *sort);

/* ------------------------------------------------------------ the prompt (prompt.c) */

enum complete_kind {
	CPL_NONE = 0,
	CPL_COMMAND,  /* action names, config verbs, then their arguments */
	CPL_TAGS,     /* existing tags */
	CPL_WORDS,    /* spec->words */
	CPL_FILTER,   /* filter terms and their values */
	CPL_CURATORS,
	CPL_BACKENDS,
	CPL_PATHS,    /* file and folder names */
};

enum prompt_history {
	HIST_COMMAND = 0,
	HIST_SEARCH,
	HIST_FILTER,
	HIST_TAG,
	HIST_NOTE,
	HIST_OTHER,
	HIST__COUNT
};

typedef void (*prompt_accept_fn)(struct tui *ui, void *arg, const char *text);

struct prompt_spec {
	const char *label;           /* "tag: " */
	const char *init;            /* initial text, NULL for "" */
	int complete;                /* enum complete_kind */
	const char *const *words;    /* CPL_WORDS: NULL-terminated */
	int history;                 /* enum prompt_history */
	prompt_accept_fn accept;     /* called with the line on Enter */
	void *arg;
	void (*arg_free)(void *arg); /* called when the prompt ends either way */
	int64_t brief_id;            /* CPL_BACKENDS: whose backends */
};

struct prompt;
void prompt_open(struct tui *ui, const struct prompt_spec *spec);
int prompt_active(const struct tui *ui);
/* Handles a key while the prompt is open; returns a reaction mask. */
int prompt_key(struct tui *ui, km_key key);
/* Inserts pasted text literally (bracketed paste). */
void prompt_paste(struct tui *ui, const char *text);
/* Draws the prompt on line y (and the completion menu above it). */
void prompt_draw(struct tui *ui, int y, int w);
void prompt_close(struct tui *ui);
void prompt_free_history(struct tui *ui);

/* Completion candidates for the command line, exposed for tests of the
 * command line: fills *out (owned, store_strv_free) with the words that
 * may replace the word ending at `upto` in line. */
size_t complete_words(struct tui *ui, const struct prompt_spec *spec, const char *line, size_t upto,
		      char ***out);

/* ------------------------------------------------------------ the application (tui.c) */

enum { TUI_MAX_VIEWS = 32, MSG_MAX_LINES = 8 };

/* The bytes written into the loop's self-pipe (ui->wake), besides the
 * signal handlers' signal numbers.  Only WAKE_STORE asks for the store to
 * be looked at now; the others are answered by their own poll in the loop
 * (bg_collect, tui_import_poll, the preview's poll). */
enum tui_wake {
	WAKE_STORE = '!',   /* a job runner or an import committed: look now */
	WAKE_BG = 'b',      /* the worker finished a task */
	WAKE_IMPORT = 'i',  /* an import's progress (nothing committed) */
	WAKE_PREVIEW = 'p', /* a render is ready (preview-cache.c writes it) */
	WAKE_REDRAW = 'r',  /* the preview wants another frame */
	WAKE_WRITER = 'w',  /* the writer saved or refused changes */
};
/* Empties the self-pipe's read end fd (non-blocking); 1 when a byte asked
 * for the store to be looked at now (WAKE_STORE), else 0. */
int tui_wake_drain(int fd);
/* Writes one wake byte; never blocks, keeps errno. */
void tui_wake(int fd, enum tui_wake why);

struct tui {
	struct store *st;
	struct km_config *cfg;
	struct km_keymap *km;         /* borrowed from cfg */
	struct km_options *opt;       /* borrowed from cfg */
	struct view *stack[TUI_MAX_VIEWS];
	int depth;
	struct bg *bg;
	struct preview *preview;
	/* the self-pipe: bytes enum tui_wake, and signal numbers */
	int wake[2];
	uint64_t next_owner;
	int64_t data_version;
	int64_t event_last;            /* the newest event seen by poll_store */
	double next_poll;             /* monotonic ms; 0: now; < 0: not set */
	/* messages: one or more lines, shown until the next key */
	char *msg[MSG_MAX_LINES];
	int nmsg;
	int msg_error;
	struct prompt *prompt;
	struct sbuf history[HIST__COUNT]; /* lines separated by '\n', newest last */
	int quit;
	int dirty;                    /* R_* accumulated for the next frame */
	int too_small;
	int paste;                    /* inside a bracketed paste */
	struct sbuf pastebuf;
	char *config_path;
	char *status_note;            /* a mode note for the status line */
	struct import_job *import;    /* an import running in its thread, or NULL */
	int64_t brief_retry_id;       /* a brief edit that did not parse... */
	char *brief_retry;            /* ...and its text, offered again */
	struct tui_gen *gen;          /* backends, the job runner, job news (gen.c) */
	struct form *form;            /* the regenerate form over the view, or NULL */
	struct writer *wr;            /* the writer thread: every change typed here (writer.c) */
};

/* Messages: one line for the user, through one function. */
void tui_msg(struct tui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tui_error(struct tui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A store failure: "what: the store's message". */
void tui_store_error(struct tui *ui, const char *what);
void tui_msg_clear(struct tui *ui);
void tui_msg_add_line(struct tui *ui, int error, const char *line);

/* Puts v on the stack, which holds it; when the stack is full it first lets
 * go of its oldest view between the root and the top that no other view
 * holds; when there is none, v is let go of and an error says so. */
void tui_push(struct tui *ui, struct view *v);
/* Takes the top view off (never the root), lets go of it and reloads the
 * view then on top. */
void tui_pop(struct tui *ui);
struct view *tui_top(struct tui *ui);
/* The nearest view (from the top) with a project / brief in context. */
int64_t tui_project_id(struct tui *ui);
int64_t tui_brief_id(struct tui *ui);
uint64_t tui_owner(struct tui *ui);
/* Runs an action as if typed (from a key or the `:` line). */
int tui_dispatch(struct tui *ui, enum km_action a, const char *arg);
/* Runs a `:` command line. */
int tui_command(struct tui *ui, const char *line);
/* Whether advance-after-rate is on. */
int tui_advance(struct tui *ui);
/* Marks views below the top as stale (the store changed). */
void tui_stale_below(struct tui *ui);

/* loop.c */
int tui_loop(struct tui *ui);
/* Shows what is being done ("sorting by stars…") at once, before work
 * that may take a while on a big store; the message stays until the next
 * key.  The main loop's own repaint: views only call it, they never draw. */
void tui_busy(struct tui *ui, const char *what);
void tui_repaint(struct tui *ui, int full);
int tui_screen_init(struct tui *ui);
void tui_screen_end(struct tui *ui);

/* editor.c: leaving the screen for $EDITOR and coming back. */
/* Writes text to a temporary file named after hint, opens the editor on
 * it and reads it back into *out (owned).  0 when the editor exited 0;
 * -1 with *err (owned) otherwise (nothing is lost: the text is in *out
 * when it could be read).  The screen is restored exactly. */
int tui_edit_text(struct tui *ui, const char *text, const char *hint, char **out, char **err);
/* Leaves curses for a command and restores the screen (players). */
void tui_suspend_screen(struct tui *ui);
void tui_resume_screen(struct tui *ui);
/* Runs argv (no shell) with the terminal given to it, then restores the
 * screen.  0 when it exited 0, else -1 with *err (owned). */
int tui_run_foreground(struct tui *ui, char **argv, char **err);
/* Edits a brief in $EDITOR and saves a new revision when it changed; a
 * text that does not parse is kept and offered again.  Returns R_*. */
int tui_edit_brief(struct tui *ui, int64_t brief_id);
/* Writes a new brief of project_id in $EDITOR.  *id gets its id (0 when
 * none was made).  Returns R_*. */
int tui_add_brief(struct tui *ui, int64_t project_id, int64_t *id);
/* Writes a note in $EDITOR on target/target_id.  Returns R_*. */
int tui_long_note(struct tui *ui, int target, int64_t target_id);
/* A one-line note on a project or brief: saved at once when text is given
 * (the `:note TEXT` form), else asked for with label.  Returns R_*. */
int tui_note(struct tui *ui, int target, int64_t target_id, const char *text, const char *label);

/* Candidate actions shared by the candidate list and the detail view. */
struct cand_actions {
	struct view *v;
	struct list *list;             /* NULL in the detail view */
	int64_t (*current)(struct view *v); /* the candidate under the cursor */
	void (*changed)(struct view *v, int what); /* CHANGED_* */
};
enum { CHANGED_ROW = 1, CHANGED_LIST = 2, CHANGED_ADVANCE = 4 };
/* Rating, flags, tags, notes, editing, selecting: for the current
 * candidate, or for every marked one when the list has marks.  Returns a
 * reaction mask, R_UNHANDLED for other actions. */
int cand_action(const struct cand_actions *ca, enum km_action a, const char *arg);
/* import.c: importing files as candidates of a brief, in a thread of its
 * own.  tui_import asks for paths (completing file names) unless arg
 * gives them (quoted as a shell would, never run by one).  The loop calls
 * tui_import_poll on each wake (progress in the status line, a summary at
 * the end); tui_import_stop stops after the current file and waits. */
int tui_import(struct tui *ui, int64_t brief_id, const char *arg);
int tui_import_start(struct tui *ui, int64_t brief_id, char **paths, size_t n);
void tui_import_poll(struct tui *ui);
void tui_import_stop(struct tui *ui);
/* The file names that may replace word (a path being typed); owned. */
size_t complete_paths(const char *word, char ***out);

/* Text shown for "not available yet" actions; NULL when available. */
const char *tui_unavailable(enum km_action a);

/* ------------------------------------------------------------ the writer (writer.c) */

/* A change made in the interface, saved by the writer thread in the
 * order submitted.  The fields up to `bulk` are the request. */
enum wr_kind { WR_RATE, WR_FLAG, WR_TAG, WR_UNTAG, WR_NOTE, WR_SELECT, WR_UNSELECT, WR_UNDO, WR_REDO, WR_COMPARE,
	       WR_VIEW_SAVE };
enum { WR_NO_VALUE = -100 };
struct wr_op {
	struct wr_op *next;
	enum wr_kind kind;
	int value;             /* stars, flag or verdict */
	char **words;          /* tags (owned) */
	size_t nwords;
	char *text, *text2;    /* note, or intended use and integration note; tags as typed */
	int target;            /* WR_NOTE: LB_ON_* of ids[0] */
	int64_t *ids;          /* the candidates (WR_NOTE: the note's target; WR_COMPARE: left, right;
				  WR_VIEW_SAVE: the project, 0 for the store; name in words[0],
				  query in text, sort in text2) */
	size_t n;
	int bulk;              /* marked rows: in chunks, one undo step, progress, cancel */
	char *label;           /* "rate 3 (500 marked)" */
	char *done_msg;        /* said when saved, instead of the kind's own message */
	/* called when done (saved or not) if the view `owner` is still open */
	void (*on_done)(struct view *v, const struct wr_op *op);
	uint64_t owner;
	void *ctx;             /* for on_done: plain memory, freed with the op */
	/* results, read on the interface's thread after it is done */
	int rc;
	char *err;
	int64_t count;         /* rows saved (before any rollback) */
	int cancelled, rolled_back, undo_rc;
	char *undo_err;
	char *what;            /* undo/redo: what was taken back */
};
struct writer *wr_new(const char *store_dir, const char *curator, int wake_fd);
/* Saves what is queued (waiting at most 10 s for a locked store), stops
 * the thread; returns how many changes could not be saved, and why
 * (*why owned, NULL when none). */
int wr_free(struct tui *ui, char **why);
struct wr_op *wr_op_new(enum wr_kind kind, const char *label);
void wr_op_add_id(struct wr_op *op, int64_t id);
void wr_op_free(struct wr_op *op);
/* One change of one candidate (text, text2 copied, may be NULL), said
 * with done_msg when saved (NULL: the kind's own message). */
void wr_one(struct tui *ui, enum wr_kind kind, int64_t id, const char *label, const char *text, const char *text2,
	    const char *done_msg);
/* Queues op (owned from now on); its rows are pending until it is done. */
void wr_submit(struct tui *ui, struct wr_op *op);
/* Done changes: messages, rows back to the store's state, views re-read.
 * Returns how many (the loop calls it on each wake). */
int wr_collect(struct tui *ui);
/* 1 when a change of candidate id is waiting to be saved; *stars and
 * *flag get the newest queued values (WR_NO_VALUE: not changed). */
int wr_pending(const struct tui *ui, int64_t id, int *stars, int *flag);
/* My stars and flag of c as the screen shows them: with the changes
 * still pending.  Returns 1 when one is pending (then draw
 * wr_pending_glyph() beside them, dim). */
int wr_shown(const struct tui *ui, const struct lb_candidate *c, int *stars, int *flag);
const char *wr_pending_glyph(void);
/* Asks the running bulk change to stop and roll back; 1 when one ran. */
int wr_cancel(struct tui *ui);
/* 1 when every event in (from, to] was written by the writer for a
 * change of one row (whose view re-read that row when it was saved):
 * the loop's store poll then reads nothing again. */
int wr_own_events(struct tui *ui, int64_t from, int64_t to);
/* Changes not saved yet (queued or running). */
int wr_queued(struct tui *ui);
/* Appends progress, "saving 3 changes", "store busy: ..." to the status line. */
void wr_status(struct tui *ui, struct sbuf *out);

/* ------------------------------------------------------------ generation (gen.c, form.c) */

/* The backends of the config file (builtin at least), read at start-up:
 * a bad definition becomes a start-up message naming its file and line. */
void tui_gen_init(struct tui *ui);
/* Starts the job runner (backends/) on the store, waking the loop through
 * ui->wake[1]; called once the first frame is on the screen.  Queued and
 * interrupted jobs of the curator run from then on.  Why it could not
 * start is said once and kept for the generation actions. */
void tui_gen_start(struct tui *ui);
/* Stops the runner: transfers in flight are aborted and their jobs go
 * back to the queue for the next runner.  Says so in the status line when
 * jobs were running; returns how many were (queued ones in *queued). */
int tui_gen_stop(struct tui *ui, int64_t *queued);
void tui_gen_free(struct tui *ui);
/* The store changed (the runner woke the loop, or another process wrote):
 * the worker reads which jobs ended since, and they are told in the
 * message line ("3 new from job #12"). */
void tui_gen_changed(struct tui *ui);
/* After jobs were queued, cancelled or retried: the runner looks now. */
void tui_gen_kick(struct tui *ui);
/* A job was queued again here: its next end is told, however soon. */
void tui_gen_retried(struct tui *ui, int64_t job_id);
/* Appends "2 running, 5 queued" (nothing when idle) to the status line. */
void tui_gen_status(struct tui *ui, struct sbuf *out);
/* How many of the curator's jobs ran at the last look (0 when idle). */
int64_t tui_gen_running(const struct tui *ui);
/* The registry (borrowed) and the backend a brief generates with when
 * none is chosen: the brief's, else `set default-backend` when changed
 * from its default, else the registry's default.  NULL with *why (owned)
 * when that name is not configured. */
const struct backend_registry *tui_gen_registry(struct tui *ui);
const struct backend *tui_gen_default_backend(struct tui *ui, const struct lb_brief *b, char **why);
/* Queues a job for brief_id as g asks (g->backend NULL: the default
 * above), kicks the runner and says what was queued.  0 and *job_id, or
 * -1 with *err (owned; nothing queued). */
int tui_gen_submit(struct tui *ui, int64_t brief_id, struct backend_gen *g, int64_t *job_id, char **err);
/* The regenerate action: regenerate-count candidates of the brief with its
 * default backend, in one key.  Returns R_*. */
int tui_regenerate(struct tui *ui, int64_t brief_id);
/* Reroll (same parameters, a new seed) or variations of the marked
 * candidates of l (l may be NULL), else of candidate id.  Returns R_*. */
int tui_reroll(struct tui *ui, struct list *l, int64_t id, int variations);

/* The regenerate form: a small modal over the view, keyboard only (Tab
 * between fields, Enter submits, Esc cancels).  from_id: a candidate it
 * may vary (0: none).  Returns R_*. */
int tui_form_open(struct tui *ui, int64_t brief_id, int64_t from_id);
int form_active(const struct tui *ui);
/* A key while the form is open; returns a reaction mask. */
int form_key(struct tui *ui, km_key key);
/* Pasted text goes into the field being edited. */
void form_paste(struct tui *ui, const char *text);
/* Draws the form over body (after the view drew there). */
void form_draw(struct tui *ui, struct rect body);
void form_close(struct tui *ui);

#endif
