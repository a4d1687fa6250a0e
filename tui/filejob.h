/*
 * filejob.h - a job on files in a thread of its own, with its own store
 * connection (filejob.c): an import (import.c) or a watched folder
 * (watch.c).  The thread opens the store, runs the job's work, records
 * how it ended and wakes the loop; the counts and a failure are shared
 * with the interface's thread under mu.
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_FILEJOB_H
#define LB_TUI_FILEJOB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct tui;

struct filejob {
	pthread_t thread;
	pthread_mutex_t mu;
	char *dir, *curator; /* the store to open */
	int64_t brief_id;
	int wake_fd;     /* the loop's self-pipe */
	atomic_int stop; /* asked to stop */
	/* Runs in the thread with the store open: 0, or a store error
	 * (the message is read from st). */
	int (*work)(struct filejob *j, struct store *st);
	double last_wake;                         /* thread only: when the loop was last woken, */
	size_t woke[LB_IMPORT__COUNT], woke_done; /* and the counts it was told */
	/* shared with the interface's thread, under mu */
	size_t n[LB_IMPORT__COUNT]; /* files by outcome */
	size_t done, total;
	char *failure; /* "file: reason" */
	char *note;    /* the first file that went in with a note ("copied, not linked") */
	int finished, rc;
	char *err;
};

/* Starts j's thread (j zeroed but for work) on ui's store for brief_id;
 * 0, or -1 after saying on the message line that what could not start
 * (filejob_clear then frees what it made). */
int filejob_start(struct tui *ui, struct filejob *j, int64_t brief_id, const char *what);
/* Asks the thread to stop (it sees it after the file in hand) and waits. */
void filejob_stop(struct filejob *j);
/* Frees what filejob_start made; the thread has ended. */
void filejob_clear(struct filejob *j);
/* Files that went in, of counts n: added, or the same bytes as an asset. */
size_t filejob_in(const size_t n[LB_IMPORT__COUNT]);
/* The thread's side: filejob_report records a failed file (the first
 * only, when first), and the first file that went in with a note (a
 * file that had to be copied though linking was asked); filejob_counts
 * the counts so far, and when they
 * changed wakes the loop (at most every 200 ms, unless now): WAKE_STORE
 * when files went in since the last wake (the open list reads them),
 * else WAKE_IMPORT. */
void filejob_report(struct filejob *j, const struct lb_import_item *it, int first);
void filejob_counts(struct filejob *j, const size_t n[LB_IMPORT__COUNT], size_t done, size_t total,
                    int now);

#endif
