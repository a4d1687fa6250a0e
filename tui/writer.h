/*
 * writer.h - the writer thread: every change typed in the interface (writer.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_WRITER_H
#define LB_TUI_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util.h"

struct tui;
struct view;
struct writer;

/* ------------------------------------------------------------ the writer (writer.c) */

/* A change made in the interface, saved by the writer thread in the
 * order submitted.  The fields up to `bulk` are the request. */
enum wr_kind { WR_RATE, WR_FLAG, WR_TAG, WR_UNTAG, WR_NOTE, WR_SELECT, WR_UNSELECT, WR_UNDO, WR_REDO, WR_COMPARE };
enum { WR_NO_VALUE = -100 };
struct wr_op {
	struct wr_op *next;
	enum wr_kind kind;
	int value;             /* stars, flag or verdict */
	char **words;          /* tags (owned) */
	size_t nwords;
	char *text, *text2;    /* note, or intended use and integration note; tags as typed */
	int target;            /* WR_NOTE: LB_ON_* of ids[0] */
	int64_t *ids;          /* the candidates (WR_NOTE: the note's target; WR_COMPARE: left, right) */
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

#endif
