/*
 * fold.h - stacks folded in the candidate list and the grid (fold.c).
 * Part of tui-private.h, which the files of tui/ include.
 *
 * The worker computes the brief's stacks (store_stacks) into a map; the
 * list's source consults it when it reads a page: the members of a closed
 * stack are hidden behind its best member (the head, with the count), an
 * open stack's members follow its head.  A map and the open/closed state
 * go together into an immutable, reference-counted snapshot (struct fold),
 * so the worker can read pages ahead with the snapshot it was given while
 * the interface thread makes a new one on every o / O.
 */
#ifndef LB_TUI_FOLD_H
#define LB_TUI_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct lb_stacks;
struct tui;
struct wr_op;

/* A row of the candidate list: a candidate and where it stands in its
 * stack.  The candidate comes first, so a row is also a struct
 * lb_candidate * for everything that draws or previews it. */
struct crow {
	struct lb_candidate c;
	int stack_n;     /* members the stack shows when open (>1: a stack row) */
	int member;      /* 0: the head; k: the k-th member under it */
	int open;        /* the stack is open */
	int64_t head_id; /* the stack's head (c.id for the head) */
};

struct fold;
/* The brief's stacks at distance (takes s), with every stack closed;
 * NULL when folding would change nothing (no stack of two). */
struct fold *fold_new(struct lb_stacks *s, int distance);
struct fold *fold_ref(struct fold *f);
void fold_unref(struct fold **f);
int fold_distance(const struct fold *f);
/* Stacks of more than one member. */
size_t fold_stacks(const struct fold *f);
/* A copy of f with stack of member id opened or closed (open: 1, 0, or -1
 * to toggle); all: every stack (open -1: all open unless all are).  NULL
 * when id is in no stack. */
struct fold *fold_toggle(const struct fold *f, int64_t id, int open);
struct fold *fold_toggle_all(const struct fold *f, int open);
int fold_all_open(const struct fold *f);
/* A copy of f with member id's stack put in order again for a rating
 * typed here (stars, flag: WR_NO_VALUE when unchanged); NULL when id is
 * in no stack.  The map is not computed again for it. */
struct fold *fold_rated(const struct fold *f, int64_t id, int stars, int flag);
/* Stacks so reordered (the map is computed again when they pile up). */
size_t fold_reordered(const struct fold *f);
/* A copy of new_map's fold with the stacks open that were open in old
 * (known by their members) or all open when old was all open. */
void fold_keep_open(struct fold *fresh, const struct fold *old);
/* 1 when id is a member of a stack of more than one; *head gets the
 * stack's best member. */
int fold_in_stack(const struct fold *f, int64_t id, int64_t *head);

/* The list's fetch (struct list_src) through the fold (f may be NULL:
 * plain pages): up to n rows after/before `from` (a struct crow; NULL:
 * the start or the end), in list order. */
int fold_fetch(struct store *st, const struct fold *f, const struct lb_filter *flt, int sort,
	       const struct crow *from, int dir, int incl, int n, struct crow **out, char **err);
/* The row of candidate id as the list shows it now; NULL when it is not
 * in the brief or hidden in a closed stack. */
struct crow *fold_get(struct store *st, const struct fold *f, const struct lb_filter *flt, int64_t brief_id,
		      int64_t id);
/* Makes a row of c (taken), cutting a long body to keep. */
struct crow *fold_row(struct lb_candidate *c, size_t keep);
void fold_row_free(struct crow *r);
/* What the stack column shows for r: "▸5" closed, "▾5" open, "└" a member. */
void fold_mark(const struct crow *r, char *buf, size_t n);
/* The list's count and the position of row id (pos_id 0: none) as shown:
 * n and *pos are the store's for the unfolded list; they are corrected
 * for the rows hidden and moved.  0 or -1 with the store's message. */
int fold_adjust(struct store *st, const struct fold *f, const struct lb_filter *flt, int sort, int64_t pos_id,
		int64_t *n, int64_t *pos);

/* Computes the stacks of a brief in the worker and hands them to done()
 * on the interface's thread (owner's view still open): fold is NULL when
 * nothing folds; err (owned by the task) when it failed. */
typedef void (*fold_done_fn)(void *ctx, struct fold *fold, const char *err);
void fold_compute(struct tui *ui, uint64_t owner, int64_t brief_id, int distance, fold_done_fn done, void *ctx);

/* "Keep best, reject rest" as one bulk flag for the writer: stack i
 * (which -1: every stack of more than one); NULL when nothing is left to
 * reject (label says what it would do). */
struct wr_op *fold_keep_best_op(struct tui *ui, const struct lb_stacks *s, long which, char *label,
				size_t label_n);
/* The same for the stack of member id in f (all: every stack). */
struct wr_op *fold_keep_best(struct tui *ui, const struct fold *f, int64_t id, int all, char *label,
			     size_t label_n);

#endif
