/*
 * filejob.c - the thread of an import or a watch started from the
 * interface (filejob.h): its own store connection, the counts under a
 * mutex, and wakes through the self-pipe, so the loop never waits on a
 * file and the open list shows new candidates as their batches commit.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

static void *run(void *arg)
{
	struct filejob *j = arg;
	struct store_options so;
	struct store *st = NULL;
	char *err = NULL;
	int rc;

	memset(&so, 0, sizeof so);
	so.curator = j->curator;
	rc = store_open(j->dir, &so, &st, &err);
	if (rc == 0) {
		rc = j->work(j, st);
		if (rc)
			err = xstrdup(store_errmsg(st));
	}
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->err = err;
	j->finished = 1;
	pthread_mutex_unlock(&j->mu);
	store_close(&st);
	tui_wake(j->wake_fd, WAKE_IMPORT); /* the poll then says how it ended */
	return NULL;
}

int filejob_start(struct tui *ui, struct filejob *j, int64_t brief_id, const char *what)
{
	pthread_mutex_init(&j->mu, NULL);
	j->brief_id = brief_id;
	j->dir = xstrdup(store_name(ui->st)); /* to open it again: the URL of a PostgreSQL store */
	j->curator = xstrdup(store_curator(ui->st));
	j->wake_fd = ui->wake[1];
	/* Signals are the interface thread's (its handlers write the self-pipe). */
	if (util_thread_start(&j->thread, run, j) != 0) {
		tui_error(ui, "cannot start the %s", what);
		return -1;
	}
	return 0;
}

void filejob_stop(struct filejob *j)
{
	atomic_store(&j->stop, 1);
	pthread_join(j->thread, NULL);
}

void filejob_clear(struct filejob *j)
{
	free(j->dir);
	free(j->curator);
	free(j->failure);
	free(j->note);
	free(j->err);
	pthread_mutex_destroy(&j->mu);
}

size_t filejob_in(const size_t n[LB_IMPORT__COUNT])
{
	return n[LB_IMPORT_ADDED] + n[LB_IMPORT_SAME_ASSET];
}

void filejob_report(struct filejob *j, const struct lb_import_item *it, int first)
{
	int failed = it->status == LB_IMPORT_FAILED;

	if (!failed && (it->status != LB_IMPORT_ADDED || it->reason == NULL))
		return;
	pthread_mutex_lock(&j->mu);
	if (failed && (j->failure == NULL || !first)) {
		free(j->failure);
		j->failure = xasprintf("%s: %s", it->shown ? it->shown : "?",
		                       it->reason ? it->reason : "failed");
	} else if (!failed && j->note == NULL) {
		j->note = xasprintf("%s: %s", it->shown ? it->shown : "?", it->reason);
	}
	pthread_mutex_unlock(&j->mu);
}

void filejob_counts(struct filejob *j, const size_t n[LB_IMPORT__COUNT], size_t done, size_t total,
                    int now)
{
	double t = util_mono_ms();

	pthread_mutex_lock(&j->mu);
	memcpy(j->n, n, sizeof j->n);
	j->done = done;
	j->total = total;
	pthread_mutex_unlock(&j->mu);
	if (memcmp(n, j->woke, sizeof j->woke) == 0 && done == j->woke_done)
		return;
	/* A few times a second is enough for a status line; when files went
	 * in since, the open list is read again (WAKE_STORE). */
	if (now || t - j->last_wake > 200) {
		tui_wake(j->wake_fd,
		         filejob_in(n) != filejob_in(j->woke) ? WAKE_STORE : WAKE_IMPORT);
		j->last_wake = t;
		memcpy(j->woke, n, sizeof j->woke);
		j->woke_done = done;
	}
}
