/*
 * writer.c - the interface's writer: one thread, with its own store
 * connection, that makes every curation change typed in the interface,
 * in the order typed.  The screen never waits for the write lock: a
 * change is queued (wr_submit), its rows show it at once marked pending
 * (wr_pending), and the thread saves it, retrying in the background while
 * another process holds the lock (short waits: 150 ms a try).  When it is
 * saved or refused the thread writes WAKE_WRITER ('w') into the loop's self-pipe and
 * wr_collect, on the interface's thread, says so and lets the row go back
 * to what the store holds.
 *
 * A bulk change of marked rows runs in chunks of CHUNK rows, one
 * transaction each, all in one undo group; its progress is on the status
 * line and wr_cancel stops it between chunks.  Cancelled or failed, the
 * chunks already committed are undone (the group), so it is left whole or
 * rolled back whole, and the message says which.
 */
#include "config.h"

#include "tui-private.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	CHUNK = 250,            /* rows per transaction of a bulk change (~20 ms) */
	YIELD_MIN_MS = 5,       /* pause between chunks, for other writers: */
	YIELD_MAX_MS = 25,      /* the chunk's own time plus 5 ms, at most 25 */
	TRY_MS = 150,           /* one BEGIN's wait for the lock */
	RETRY_MIN_MS = 100,     /* background retries: from this... */
	RETRY_MAX_MS = 1000,    /* ...doubling up to this */
	STOP_PATIENCE_MS = 10000, /* on quit, how long a locked store is waited for */
};

/* What a pending row shows: the newest value queued for it. */
struct overlay {
	int64_t id;   /* 0: empty slot */
	int count;    /* queued changes of this row */
	int stars;    /* WR_NO_VALUE: unchanged */
	int flag;
};

struct writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wr_op *queue;   /* waiting, oldest first; the head may be running */
	struct wr_op *done;    /* finished, for wr_collect */
	int running;           /* the head of queue is being saved */
	int stop;
	double stop_at;        /* monotonic ms when stop was asked */
	int cancel;            /* cancel the running bulk change */
	int news;              /* progress or waiting changed since wr_collect */
	int slow;              /* a change waits (locked store, bulk): rows show pending marks */
	struct { int64_t first, last; } *own; /* events of one-row changes saved, oldest first */
	size_t nown, owncap;
	int wake_fd;
	char *dir;
	char *curator;
	/* progress of the running op, for the status line */
	int64_t progress;
	char *waiting;         /* why it waits ("alice's import is writing"), or NULL */
	/* interface thread only */
	int show_pending;      /* slow, as of the last wr_collect */
	struct overlay *ov;
	size_t ovcap, ovn;
	int lost;              /* changes given up on at quit */
	char *lost_why;
};

/* ------------------------------------------------------------ overlay (interface thread) */

static size_t ov_slot(const struct writer *w, int64_t id)
{
	size_t i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 17) & (w->ovcap - 1);

	while (w->ov[i].id != 0 && w->ov[i].id != id)
		i = (i + 1) & (w->ovcap - 1);
	return i;
}

static void ov_grow(struct writer *w)
{
	struct overlay *old = w->ov;
	size_t i, oldcap = w->ovcap;

	w->ovcap = oldcap ? oldcap * 2 : 64;
	w->ov = xcalloc(w->ovcap, sizeof *w->ov);
	for (i = 0; i < oldcap; i++)
		if (old[i].id)
			w->ov[ov_slot(w, old[i].id)] = old[i];
	free(old);
}

static void ov_add(struct writer *w, int64_t id, int stars, int flag)
{
	struct overlay *o;

	if ((w->ovn + 1) * 2 > w->ovcap)
		ov_grow(w);
	o = &w->ov[ov_slot(w, id)];
	if (o->id == 0) {
		o->id = id;
		o->count = 0;
		o->stars = o->flag = WR_NO_VALUE;
		w->ovn++;
	}
	o->count++;
	if (stars != WR_NO_VALUE)
		o->stars = stars;
	if (flag != WR_NO_VALUE)
		o->flag = flag;
}

/* Removes slot i keeping every other id findable (linear probing). */
static void ov_remove_at(struct writer *w, size_t i)
{
	size_t j = i, k;

	w->ov[i].id = 0;
	w->ovn--;
	for (;;) {
		j = (j + 1) & (w->ovcap - 1);
		if (w->ov[j].id == 0)
			return;
		k = (size_t)((uint64_t)w->ov[j].id * 0x9E3779B97F4A7C15ull >> 17) & (w->ovcap - 1);
		/* k cyclically in (i, j]: the entry stays */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		w->ov[i] = w->ov[j];
		w->ov[j].id = 0;
		i = j;
	}
}

static void ov_del(struct writer *w, int64_t id)
{
	size_t i;

	if (w->ovcap == 0)
		return;
	i = ov_slot(w, id);
	if (w->ov[i].id == 0)
		return;
	if (--w->ov[i].count <= 0)
		ov_remove_at(w, i);
}

int wr_pending(const struct tui *ui, int64_t id, int *stars, int *flag)
{
	const struct writer *w = ui->wr;
	size_t i;

	*stars = *flag = WR_NO_VALUE;
	if (w == NULL || w->ovn == 0 || id == 0)
		return 0;
	i = ov_slot(w, id);
	if (w->ov[i].id == 0)
		return 0;
	*stars = w->ov[i].stars;
	*flag = w->ov[i].flag;
	/* A change saved within a few milliseconds shows no mark: it would
	 * only flicker.  The mark comes once the writer says it is slow. */
	return w->show_pending;
}

int wr_shown(const struct tui *ui, const struct lb_candidate *c, int *stars, int *flag)
{
	int ps, pf, pending = wr_pending(ui, c->id, &ps, &pf);

	*stars = ps != WR_NO_VALUE ? ps : c->my_stars;
	*flag = pf != WR_NO_VALUE ? pf : c->my_flag;
	return pending;
}

const char *wr_pending_glyph(void)
{
	return draw_unicode() ? "\xe2\x80\xa6" : "*";
}

/* ------------------------------------------------------------ ops */

struct wr_op *wr_op_new(enum wr_kind kind, const char *label)
{
	struct wr_op *op = xcalloc(1, sizeof *op);

	op->kind = kind;
	op->label = xstrdup(label);
	return op;
}

void wr_op_add_id(struct wr_op *op, int64_t id)
{
	if ((op->n & (op->n - 1)) == 0 || op->n == 0)
		op->ids = xrealloc(op->ids, (op->n ? op->n * 2 : 1) * sizeof *op->ids);
	op->ids[op->n++] = id;
}

void wr_op_free(struct wr_op *op)
{
	size_t i;

	for (i = 0; i < op->nwords; i++)
		free(op->words[i]);
	free(op->words);
	free(op->text);
	free(op->text2);
	free(op->ids);
	free(op->label);
	free(op->done_msg);
	free(op->pending);
	if (op->free_ctx)
		op->free_ctx(op->ctx);
	else
		free(op->ctx);
	free(op->err);
	free(op->undo_err);
	free(op->what);
	free(op);
}

void wr_one(struct tui *ui, enum wr_kind kind, int64_t id, const char *label, const char *text, const char *text2,
	    const char *done_msg)
{
	struct wr_op *op = wr_op_new(kind, label);

	op->text = text ? xstrdup(text) : NULL;
	op->text2 = text2 ? xstrdup(text2) : NULL;
	op->done_msg = done_msg ? xstrdup(done_msg) : NULL;
	wr_op_add_id(op, id);
	wr_submit(ui, op);
}

/* ------------------------------------------------------------ the thread */

/* Called with w->mu held. */
static void wake_loop(struct writer *w)
{
	w->news = 1;
	tui_wake(w->wake_fd, WAKE_WRITER);
}

static int apply_one(struct store *st, const struct wr_op *op, int64_t id)
{
	int64_t note_id;
	size_t i;
	int rc = 0;

	switch (op->kind) {
	case WR_RATE:
		return store_rate(st, id, op->value);
	case WR_FLAG:
		return store_flag(st, id, op->value);
	case WR_TAG:
		for (i = 0; i < op->nwords && rc == 0; i++)
			rc = store_tag_add(st, id, op->words[i]);
		return rc;
	case WR_UNTAG:
		for (i = 0; i < op->nwords && rc == 0; i++)
			rc = store_tag_rm(st, id, op->words[i]);
		return rc;
	case WR_NOTE:
		return store_note_add(st, op->target, id, LB_NOTE_COMMENT, op->text, &note_id);
	case WR_SELECT:
		return store_select(st, id, op->text, op->text2);
	case WR_UNSELECT:
		return store_unselect(st, id);
	case WR_UNDO:
	case WR_REDO:
	case WR_COMPARE:
	case WR_CALL:
	case WR_VIEW_SAVE:
	case WR_BLIND:
	case WR_ADJUDICATE:
		break;
	}
	return STORE_EINVAL;
}

/* The ids of a judgement and a saved view are no rows to show pending. */
static int no_rows(const struct wr_op *op)
{
	return op->kind == WR_COMPARE || op->kind == WR_VIEW_SAVE || op->kind == WR_BLIND || op->kind == WR_ADJUDICATE;
}

/* Undo, redo, a judgement and a saved view are one step whatever their ids. */
static int one_step(const struct wr_op *op)
{
	return op->kind == WR_UNDO || op->kind == WR_REDO || op->kind == WR_CALL || no_rows(op);
}

/* One transaction: ids [from, to) of op (or the undo/redo).  Batches
 * join the undo group *group (0: a new one, named on return). */
static int attempt(struct store *st, struct wr_op *op, size_t from, size_t to, int64_t *group)
{
	size_t i;
	int rc;

	if (op->kind == WR_CALL) {
		xfree(&op->err);
		return op->call(st, op);
	}
	if (op->kind == WR_COMPARE)
		return store_compare(st, op->ids[0], op->ids[1], op->value, NULL);
	if (op->kind == WR_VIEW_SAVE)
		return store_view_save(st, op->ids[0], op->words[0], op->text, op->text2, NULL);
	if (op->kind == WR_BLIND)
		return store_brief_blind(st, op->ids[0], op->value);
	if (op->kind == WR_ADJUDICATE)
		return store_adjudicate(st, op->ids[0], op->value, op->target, op->text);
	if (op->kind == WR_UNDO || op->kind == WR_REDO) {
		free(op->what);
		op->what = NULL;
		return op->kind == WR_UNDO ? store_undo(st, &op->what) : store_redo(st, &op->what);
	}
	if (!op->bulk && op->nwords <= 1 && to - from == 1)
		return apply_one(st, op, op->ids[from]);
	rc = *group ? store_batch_begin_group(st, op->label, *group) : store_batch_begin(st, op->label);
	if (rc)
		return rc;
	for (i = from; i < to && rc == 0; i++)
		rc = apply_one(st, op, op->ids[i]);
	if (store_batch_end(st, rc == 0) != 0 && rc == 0)
		rc = STORE_EIO;
	if (rc == 0 && *group == 0)
		*group = store_batch_last_group(st);
	return rc;
}

/* Waits ms on the condition (woken early by stop and cancel).  Called
 * and returns with w->mu held. */
static void nap(struct writer *w, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

/* attempt(), again while the store is locked by someone else, saying who
 * on the status line.  Gives up when a bulk change is cancelled (1 in
 * *cancelled) or, after quit was asked, when the lock outlasts
 * STOP_PATIENCE_MS. */
static int with_retry(struct writer *w, struct store *st, struct wr_op *op, size_t from, size_t to, int64_t *group,
		      int *cancelled)
{
	int rc, ms = RETRY_MIN_MS;
	char *who;

	*cancelled = 0;
	for (;;) {
		rc = attempt(st, op, from, to, group);
		if (rc != STORE_EBUSY)
			break;
		who = store_lock_holder(st);
		pthread_mutex_lock(&w->mu);
		w->slow = 1;
		free(w->waiting);
		w->waiting = xasprintf("%s is writing; retrying", who ? who : "another process");
		wake_loop(w);
		if (w->stop && util_mono_ms() - w->stop_at > STOP_PATIENCE_MS) {
			pthread_mutex_unlock(&w->mu);
			free(who);
			break;
		}
		if (op->bulk && w->cancel) {
			*cancelled = 1;
			rc = 0; /* not a failure: nothing of this chunk was written */
			pthread_mutex_unlock(&w->mu);
			free(who);
			break;
		}
		nap(w, ms);
		pthread_mutex_unlock(&w->mu);
		free(who);
		ms = ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : ms * 2;
	}
	pthread_mutex_lock(&w->mu);
	if (w->waiting) {
		xfree(&w->waiting);
		wake_loop(w);
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static void run_op(struct writer *w, struct store *st, struct wr_op *op)
{
	size_t from = 0, to, n = one_step(op) ? 1 : op->n;
	int64_t group = 0;
	int rc = 0, cancelled = 0;
	char *what = NULL;

	if (op->bulk) {
		char *ann = xasprintf("a bulk %s in the interface", op->label);
		store_announce(st, ann);
		free(ann);
		pthread_mutex_lock(&w->mu);
		w->slow = 1;
		wake_loop(w);
		pthread_mutex_unlock(&w->mu);
	}
	while (from < n) {
		double t0 = util_mono_ms();
		int pause;
		to = op->bulk && n - from > CHUNK ? from + CHUNK : n;
		rc = with_retry(w, st, op, from, to, &group, &cancelled);
		pause = (int)(util_mono_ms() - t0) + YIELD_MIN_MS;
		if (rc || cancelled)
			break;
		from = to;
		pthread_mutex_lock(&w->mu);
		w->progress = (int64_t)from;
		if (op->bulk && from < n && w->cancel)
			cancelled = 1;
		if (op->bulk)
			wake_loop(w);
		/* SQLite's busy handler polls with sleeps of 1, 2, 5, 10... ms:
		 * taking the lock again at once would starve other curators'
		 * writes until the whole bulk change is done.  A pause as long
		 * as the chunk lets a writer that came meanwhile in. */
		if (op->bulk && from < n && !cancelled)
			nap(w, pause < YIELD_MAX_MS ? pause : YIELD_MAX_MS);
		pthread_mutex_unlock(&w->mu);
		if (cancelled)
			break;
	}
	op->count = one_step(op) ? 0 : (int64_t)from;
	op->rc = rc;
	if (rc == 0 && !cancelled && !op->bulk && !one_step(op) && op->on_done && store_last_commit_event(st) > 0) {
		/* A one-row change whose view re-reads its row when told
		 * (on_done): the loop need not re-read the whole list for it. */
		pthread_mutex_lock(&w->mu);
		if (w->nown == w->owncap) {
			w->owncap = w->owncap ? w->owncap * 2 : 16;
			w->own = xrealloc(w->own, w->owncap * sizeof *w->own);
		}
		w->own[w->nown].first = store_batch_last_group(st);
		w->own[w->nown].last = store_last_commit_event(st);
		w->nown++;
		pthread_mutex_unlock(&w->mu);
	}
	op->cancelled = cancelled;
	if (rc && op->err == NULL)
		op->err = xstrdup(store_errmsg(st));
	if ((rc || cancelled) && group) {
		/* Left half done: take the committed chunks back, whole. */
		for (;;) {
			op->undo_rc = store_undo_group(st, group, &what);
			if (op->undo_rc != STORE_EBUSY)
				break;
			pthread_mutex_lock(&w->mu);
			if (w->stop && util_mono_ms() - w->stop_at > STOP_PATIENCE_MS) {
				pthread_mutex_unlock(&w->mu);
				break;
			}
			nap(w, RETRY_MAX_MS);
			pthread_mutex_unlock(&w->mu);
		}
		if (op->undo_rc == 0)
			op->rolled_back = 1;
		else
			op->undo_err = xstrdup(store_errmsg(st));
		free(what);
	}
	if (op->bulk)
		store_announce_end(st);
}

static void *thread_main(void *arg)
{
	struct writer *w = arg;
	struct store_options opt;
	struct store *st = NULL;
	struct wr_op *op;
	char *err = NULL;

	memset(&opt, 0, sizeof opt);
	opt.curator = w->curator;
	if (store_open(w->dir, &opt, &st, &err) == 0) {
		store_set_busy(st, TRY_MS, 1);
		store_track_events(st, 1);
	}
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && w->queue == NULL)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->queue == NULL)
			break;
		op = w->queue;
		w->running = 1;
		w->progress = 0;
		w->cancel = 0;
		pthread_mutex_unlock(&w->mu);

		if (st)
			run_op(w, st, op);
		else {
			op->rc = STORE_EIO;
			op->err = xasprintf("cannot open the store for writing: %s", err);
		}

		pthread_mutex_lock(&w->mu);
		w->queue = op->next;
		op->next = w->done;
		w->done = op; /* newest first; wr_collect reverses */
		w->running = 0;
		w->cancel = 0;
		if (w->queue == NULL)
			w->slow = 0;
		wake_loop(w);
	}
	pthread_mutex_unlock(&w->mu);
	store_close(&st);
	free(err);
	return NULL;
}

/* ------------------------------------------------------------ the interface's side */

struct writer *wr_new(const char *store_dir, const char *curator, int wake_fd)
{
	struct writer *w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->wake_fd = wake_fd;
	w->dir = xstrdup(store_dir);
	w->curator = xstrdup(curator);
	/* Signals are the interface thread's (its handlers write the
	 * self-pipe): the thread starts with every signal blocked. */
	if (util_thread_start(&w->thread, thread_main, w) != 0)
		fatal("cannot start the writer thread");
	return w;
}

int wr_queued(struct tui *ui)
{
	struct writer *w = ui->wr;
	struct wr_op *op;
	int n = 0;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mu);
	for (op = w->queue; op; op = op->next)
		n++;
	pthread_mutex_unlock(&w->mu);
	return n;
}

int wr_free(struct tui *ui, char **why)
{
	struct writer *w = ui->wr;
	struct wr_op *op, *next;
	int lost;

	*why = NULL;
	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	w->stop_at = util_mono_ms();
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	for (op = w->done; op; op = next) {
		next = op->next;
		if (op->rc && !op->rolled_back) {
			w->lost++;
			if (w->lost_why == NULL && op->err)
				w->lost_why = xasprintf("%s: %s", op->label, op->err);
		}
		wr_op_free(op);
	}
	lost = w->lost;
	*why = w->lost_why;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->waiting);
	free(w->own);
	free(w->dir);
	free(w->curator);
	free(w->ov);
	free(w);
	ui->wr = NULL;
	return lost;
}

void wr_submit(struct tui *ui, struct wr_op *op)
{
	struct writer *w = ui->wr;
	struct wr_op **pp;
	size_t i;

	for (i = 0; i < op->n && !no_rows(op); i++)
		ov_add(w, op->ids[i], op->kind == WR_RATE ? op->value : WR_NO_VALUE,
		       op->kind == WR_FLAG ? op->value : WR_NO_VALUE);
	op->next = NULL;
	pthread_mutex_lock(&w->mu);
	for (pp = &w->queue; *pp; pp = &(*pp)->next)
		;
	*pp = op;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int wr_cancel(struct tui *ui)
{
	struct writer *w = ui->wr;
	int yes;

	pthread_mutex_lock(&w->mu);
	yes = w->running && w->queue && w->queue->bulk;
	if (yes) {
		w->cancel = 1;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return yes;
}

void wr_status(struct tui *ui, struct sbuf *out)
{
	struct writer *w = ui->wr;
	struct wr_op *op;
	int n = 0;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	for (op = w->queue; op; op = op->next)
		n++;
	op = w->queue;
	if (op && w->running && op->bulk) {
		/* "rate 3", without the "(5000 marked)" the numbers say */
		const char *paren = strstr(op->label, " (");
		int len = paren ? (int)(paren - op->label) : (int)strlen(op->label);
		sb_addf(out, "  %.*s: %lld/%zu saved%s", len, op->label, (long long)w->progress, op->n,
			w->cancel ? ", cancelling" : " (C-c cancels)");
	}
	if (w->slow || w->waiting) {
		/* What waits besides curation: a job, a project, a brief. */
		struct wr_op *q;
		int k = 0;
		for (q = w->queue; q; q = q->next)
			if (q->pending && k++ < 2)
				sb_addf(out, "  %s", q->pending);
		if (k > 2)
			sb_addf(out, " (+%d)", k - 2);
	}
	if (w->waiting)
		sb_addf(out, "  store busy: %s", w->waiting);
	else if (n > 0 && w->slow && !(n == 1 && op->bulk))
		sb_addf(out, "  saving %d change%s", n, n == 1 ? "" : "s"); /* not for a blink */
	pthread_mutex_unlock(&w->mu);
}

static void report(struct tui *ui, struct wr_op *op)
{
	int64_t id = op->n ? op->ids[0] : 0;

	if (op->kind == WR_CALL) {
		if (op->on_saved == NULL && op->rc)
			tui_error(ui, "%s not saved: %s", op->label, op->err);
		else if (op->on_saved == NULL && op->done_msg)
			tui_msg(ui, "%s", op->done_msg);
		return;
	}
	if (op->kind == WR_UNDO || op->kind == WR_REDO) {
		if (op->rc == STORE_EEMPTY)
			tui_msg(ui, "%s", op->err);
		else if (op->rc)
			tui_error(ui, "%s: %s", op->label, op->err);
		else
			tui_msg(ui, "%s: %s", op->kind == WR_REDO ? "redone" : "undone", op->what ? op->what : "");
		return;
	}
	if (op->cancelled || (op->rc && op->bulk)) {
		const char *how = op->cancelled ? "cancelled" : "failed";
		char *why = op->rc ? xasprintf(": %s", op->err) : xstrdup("");
		if ((op->count == 0 || op->rolled_back) && op->rc)
			tui_error(ui, "%s %s%s; rolled back whole: nothing changed", op->label, how, why);
		else if (op->count == 0 || op->rolled_back)
			tui_msg(ui, "%s %s; rolled back whole: nothing changed", op->label, how);
		else
			tui_error(ui,
				  "%s %s%s; %lld of %zu stay saved (putting them back failed: %s); u undoes them",
				  op->label, how, why, (long long)op->count, op->n, op->undo_err ? op->undo_err : "?");
		free(why);
		return;
	}
	if (op->rc) {
		if (op->kind == WR_VIEW_SAVE || op->kind == WR_BLIND || op->kind == WR_ADJUDICATE)
			tui_error(ui, "%s not saved: %s", op->label, op->err);
		else if (op->n == 1 || op->kind == WR_COMPARE)
			tui_error(ui, "%s #%lld not saved: %s", op->label, (long long)id, op->err);
		else
			tui_error(ui, "%s not saved: %s", op->label, op->err);
		return;
	}
	if (op->bulk) {
		tui_msg(ui, "%s: %lld candidates, one undo step (u)", op->label, (long long)op->count);
		return;
	}
	if (op->done_msg) {
		tui_msg(ui, "%s", op->done_msg);
		return;
	}
	switch (op->kind) {
	case WR_TAG:
	case WR_UNTAG:
		tui_msg(ui, "%s #%lld: %s", op->kind == WR_TAG ? "tagged" : "untagged", (long long)id, op->text);
		break;
	case WR_NOTE:
		if (op->target == LB_ON_CANDIDATE)
			tui_msg(ui, "note saved on #%lld", (long long)id);
		else
			tui_msg(ui, "note saved on the %s", op->target == LB_ON_PROJECT ? "project" : "brief");
		break;
	case WR_SELECT:
		tui_msg(ui, "selected #%lld for the project (S shows the selection)", (long long)id);
		break;
	case WR_UNSELECT:
		tui_msg(ui, "#%lld is no longer selected", (long long)id);
		break;
	default:
		break;
	}
}

int wr_collect(struct tui *ui)
{
	struct writer *w = ui->wr;
	struct wr_op *op, *list = NULL, *next;
	size_t i;
	int n = 0;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mu);
	op = w->done;
	w->done = NULL;
	if (w->news)
		ui->dirty |= R_REDRAW;
	w->news = 0;
	w->show_pending = w->slow;
	pthread_mutex_unlock(&w->mu);
	for (; op; op = next) { /* oldest first */
		next = op->next;
		op->next = list;
		list = op;
	}
	for (op = list; op; op = next) {
		next = op->next;
		/* Undo, bulk changes, failures: every view reads the store again
		 * now.  A one-row change saved was re-read by its view (on_done). */
		if (op->rc || op->bulk || one_step(op) || op->cancelled || op->on_done == NULL)
			ui->next_poll = 0;
		for (i = 0; i < op->n && !no_rows(op); i++)
			ov_del(w, op->ids[i]);
		report(ui, op);
		if (op->on_saved)
			op->on_saved(ui, op);
		if (op->on_done) {
			int d;
			for (d = 0; d < ui->depth; d++)
				if (ui->stack[d]->owner == op->owner)
					op->on_done(ui->stack[d], op);
		}
		wr_op_free(op);
		n++;
	}
	if (n)
		ui->dirty |= R_REDRAW;
	return n;
}

int wr_own_events(struct tui *ui, int64_t from, int64_t to)
{
	struct writer *w = ui->wr;
	int64_t cur = from + 1;
	size_t i, k;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mu);
	for (i = 0; i < w->nown && cur <= to; i++) {
		if (w->own[i].last < cur)
			continue;
		if (w->own[i].first > cur)
			break; /* someone else's event */
		cur = w->own[i].last + 1;
	}
	/* Ranges up to `to` are seen either way. */
	for (i = k = 0; i < w->nown; i++)
		if (w->own[i].last > to)
			w->own[k++] = w->own[i];
	w->nown = k;
	pthread_mutex_unlock(&w->mu);
	return cur > to;
}
