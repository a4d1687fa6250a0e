/*
 * bg.c - one worker thread, with its own store connection, for reads that
 * may take longer than a frame: counting a million candidates, the
 * position of a row after a jump, the counts of every brief.  The screen
 * never waits for them: results come back through the self-pipe and
 * their done() runs on the main thread, if the view that asked is still
 * open.  A newer task with the same owner and key replaces a queued one,
 * so typing a filter fast counts only the last one.
 */
#include "config.h"

#include "tui-private.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct bg {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct bg_task *queue;   /* waiting, oldest first */
	struct bg_task *running; /* being run by the worker */
	int running_dropped;     /* its owner went away */
	struct bg_task *done;    /* finished, for bg_collect */
	int stop;
	int wake_fd;
	char *dir;
	char *curator;
	struct store *st;
	int open_failed;
};

static void *worker(void *arg)
{
	struct bg *b = arg;
	struct bg_task *t, **pp;
	struct store_options opt;
	char *err = NULL;

	/* Below the interface's thread: on a busy machine the screen wins. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && b->queue == NULL)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->stop)
			break;
		t = b->queue;
		b->queue = t->next;
		t->next = NULL;
		b->running = t;
		b->running_dropped = 0;
		pthread_mutex_unlock(&b->mu);

		if (b->st == NULL && !b->open_failed) {
			memset(&opt, 0, sizeof opt);
			opt.curator = b->curator;
			if (store_open(b->dir, &opt, &b->st, &err) != 0) {
				b->open_failed = 1;
				free(err);
				err = NULL;
			}
		}
		t->run(t, b->st);

		pthread_mutex_lock(&b->mu);
		b->running = NULL;
		if (b->running_dropped) {
			t->free(t);
			continue;
		}
		for (pp = &b->done; *pp; pp = &(*pp)->next)
			;
		*pp = t;
		tui_wake(b->wake_fd, WAKE_BG);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

struct bg *bg_new(const char *store_dir, const char *curator, int wake_fd)
{
	struct bg *b = xcalloc(1, sizeof *b);

	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	b->wake_fd = wake_fd;
	b->dir = xstrdup(store_dir);
	b->curator = xstrdup(curator);
	/* Signals are the interface thread's (its handlers write the self-pipe). */
	if (util_thread_start(&b->thread, worker, b) != 0)
		fatal("cannot start the background thread");
	return b;
}

static void free_chain(struct bg_task *t)
{
	struct bg_task *next;

	for (; t; t = next) {
		next = t->next;
		t->free(t);
	}
}

void bg_free(struct bg **pb)
{
	struct bg *b = *pb;

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	free_chain(b->queue);
	free_chain(b->done);
	store_close(&b->st);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b->dir);
	free(b->curator);
	free(b);
	*pb = NULL;
}

void bg_submit(struct bg *b, struct bg_task *t)
{
	struct bg_task **pp, *old;

	t->next = NULL;
	pthread_mutex_lock(&b->mu);
	for (pp = &b->queue; *pp; pp = &(*pp)->next) {
		if ((*pp)->owner == t->owner && (*pp)->key == t->key) {
			old = *pp;
			t->next = old->next;
			*pp = t;
			old->next = NULL;
			old->free(old);
			pthread_mutex_unlock(&b->mu);
			return;
		}
	}
	*pp = t;
	pthread_mutex_unlock(&b->mu);
}

void bg_kick(struct bg *b)
{
	pthread_mutex_lock(&b->mu);
	if (b->queue)
		pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

int bg_collect(struct bg *b, struct tui *ui)
{
	struct bg_task *t, *next;
	int n = 0;

	pthread_mutex_lock(&b->mu);
	t = b->done;
	b->done = NULL;
	pthread_mutex_unlock(&b->mu);
	for (; t; t = next) {
		next = t->next;
		t->next = NULL;
		t->done(t, ui);
		t->free(t);
		n++;
	}
	return n;
}

/* Unlinks and frees every task of owner in the chain at *pp. */
static void drop_owner(struct bg_task **pp, uint64_t owner)
{
	struct bg_task *t;

	while (*pp) {
		if ((*pp)->owner == owner) {
			t = *pp;
			*pp = t->next;
			t->next = NULL;
			t->free(t);
		} else {
			pp = &(*pp)->next;
		}
	}
}

void bg_forget(struct bg *b, uint64_t owner)
{
	pthread_mutex_lock(&b->mu);
	drop_owner(&b->queue, owner);
	drop_owner(&b->done, owner);
	if (b->running && b->running->owner == owner)
		b->running_dropped = 1;
	pthread_mutex_unlock(&b->mu);
}

int bg_busy(struct bg *b)
{
	int busy;

	pthread_mutex_lock(&b->mu);
	busy = b->queue != NULL || b->running != NULL || b->done != NULL;
	pthread_mutex_unlock(&b->mu);
	return busy;
}

/* ------------------------------------------------------------ counts per row */

struct counts_task {
	struct bg_task t;
	bg_count_fn read;
	bg_apply_fn apply;
	void *ctx;
	const uint64_t *genp; /* the view's generation, valid while it is open */
	uint64_t gen;
	size_t n;
	int64_t *ids;
	int64_t (*counts)[BG_COUNTS_MAX];
};

static void counts_run(struct bg_task *bt, struct store *st)
{
	struct counts_task *t = (struct counts_task *)bt;
	size_t i;
	int k;

	for (i = 0; i < t->n; i++) {
		for (k = 0; k < BG_COUNTS_MAX; k++)
			t->counts[i][k] = -1;
		if (st)
			t->read(st, t->ids[i], t->counts[i]);
	}
}

static void counts_done(struct bg_task *bt, struct tui *ui)
{
	struct counts_task *t = (struct counts_task *)bt;
	size_t i;

	if (*t->genp != t->gen)
		return; /* the rows were read again since */
	for (i = 0; i < t->n; i++)
		t->apply(t->ctx, t->ids[i], t->counts[i]);
	ui->dirty |= R_REDRAW;
}

static void counts_free(struct bg_task *bt)
{
	struct counts_task *t = (struct counts_task *)bt;

	free(t->ids);
	free(t->counts);
	free(t);
}

void bg_counts(struct bg *b, uint64_t owner, const int64_t *ids, size_t n, bg_count_fn read, bg_apply_fn apply,
	       void *ctx, const uint64_t *gen)
{
	struct counts_task *t;

	if (n == 0)
		return;
	t = xcalloc(1, sizeof *t);
	t->t.run = counts_run;
	t->t.done = counts_done;
	t->t.free = counts_free;
	t->t.owner = owner;
	t->t.key = 1;
	t->read = read;
	t->apply = apply;
	t->ctx = ctx;
	t->genp = gen;
	t->gen = *gen;
	t->n = n;
	t->ids = xmalloc(n * sizeof *t->ids);
	memcpy(t->ids, ids, n * sizeof *ids);
	t->counts = xmalloc(n * sizeof *t->counts);
	bg_submit(b, &t->t);
}
