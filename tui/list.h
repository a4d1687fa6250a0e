/*
 * list.h - the list engine: a window of rows read from a source, the
 * cursor, marks and search; array sources; text matching (list.c, textmatch.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_LIST_H
#define LB_TUI_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "tui/idset.h"

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
/* textmatch.c: case-insensitive search of every word of words in s (ASCII folding). */
int text_matches(const char *s, const char *words);

#endif
