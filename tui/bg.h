/*
 * bg.h - the background worker: one thread, its own store connection (bg.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_BG_H
#define LB_TUI_BG_H

#include <stddef.h>
#include <stdint.h>

struct tui;
struct store;
struct bg;

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

#endif
