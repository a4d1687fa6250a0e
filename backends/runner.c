/*
 * runner.c - the job runner: one thread with its own store connection
 * that claims queued jobs (each backend at most `concurrency` at once),
 * drives their HTTP requests on a libcurl multi handle, retries transient
 * failures with exponential backoff and jitter (honouring Retry-After),
 * notices cancels, records progress, and turns finished replies into
 * candidates.
 *
 * A busy store delays a job's results, it never loses them: the outputs
 * become asset files (fsynced, no rows), then the job's manifest
 * (cache/jobs/ID.json, see store/job-output.c), then the asset rows, the
 * candidates and `done` go in one short transaction.  Every final write
 * of a job (recorded, failed, retry later, requeued) is kept in `fin`
 * and retried with backoff until the store takes it, while the loop goes
 * on driving the other transfers; the runner's connection waits only
 * briefly for the write lock.
 *
 * Several runners may work on one store (the interface, `lightbox gen`
 * in other terminals).  Each has an id (PID-RANDOM) and holds an
 * exclusive flock on cache/runners/ID.lock for its life; a job it claims
 * carries its id (job.runner).  Every few seconds a runner looks at the
 * running jobs of other runners and probes their locks: a lock nobody
 * holds means a dead runner, whose jobs are recorded from their manifest
 * when there is one (no second request to the backend) or requeued, the
 * interrupted attempt given back.  A live runner's jobs are never
 * touched.  `lightbox gen` runs only its own jobs, so stopping it never
 * interrupts another process's job.
 *
 * The owner is woken through notify_fd; runner_wait (for `lightbox gen`)
 * through an internal pipe.  The owner's loop never waits on the runner.
 */
#include "config.h"

#include "backends-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A final write of a job, kept until the store takes it. */
enum { FIN_RECORD, FIN_FAIL, FIN_RETRY, FIN_REQUEUE };

struct finish {
	int64_t job;
	int kind;
	char *holder;            /* runner holding the job: ours, or a dead one's */
	char *msg;
	int64_t next_at;         /* FIN_RETRY */
	struct lb_job_output *out; /* FIN_RECORD */
	size_t nout;
	double due_ms, delay_ms;
};

/* Waits for the write lock this long, then retries from the loop. */
#define RUNNER_BUSY_MS 100
#define FIN_MIN_DELAY_MS 250.0
#define FIN_MAX_DELAY_MS 2000.0
/* How often other runners' jobs are looked at, and how long a stopping
 * runner keeps trying to save what it has before leaving it to the next. */
#define RECOVER_EVERY_MS 3000.0
#define STOP_FLUSH_MS 5000.0

struct runner {
	char *store_dir;
	char id[40];             /* this runner's id: job.runner, cache/runners/ID.lock */
	int64_t *only;           /* claim only these jobs (`gen`), or NULL */
	size_t nonly;
	char *curator;
	const struct backend_registry *reg;
	int notify_fd;
	int sync_full;
	int nice;
	struct store *st;        /* the thread's connection */
	CURLM *multi;
	pthread_t thread;
	int started;
	pthread_mutex_t mu;      /* guards the fields below */
	int stop;
	int kicked;
	int nactive;
	int nunsaved;            /* finished jobs whose results wait for the store */
	double last_ms, max_ms;
	int wait_pipe[2];        /* runner_wait's wake-up */
	int lock_fd;
	/* thread-only */
	struct bk_call **calls;
	size_t ncalls, cap;
	int dirty;               /* something to tell the owner */
	int64_t data_version;
	double next_claim, next_cancel;
	double *progress_at;     /* parallel to calls: last progress write */
	struct finish *fin;
	size_t nfin, capfin;
	double next_recover;
	double busy_until;       /* skip optional writes (claims, progress) until then */
};

static void notify(struct runner *r)
{
	r->dirty = 1;
}

static void flush_notify(struct runner *r)
{
	if (!r->dirty)
		return;
	r->dirty = 0;
	if (r->notify_fd >= 0)
		util_wake(r->notify_fd, '!');
	util_wake(r->wait_pipe[1], '!');
}

static int active_for(struct runner *r, const struct backend *be)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->ncalls; i++)
		if (r->calls[i]->be == be)
			n++;
	return n;
}

/* ------------------------------------------------------------ final writes */

static void fin_free(struct finish *f)
{
	free(f->holder);
	free(f->msg);
	lb_job_outputs_free(&f->out, f->nout);
}

static int fin_pending(struct runner *r, int64_t job)
{
	size_t i;

	for (i = 0; i < r->nfin; i++)
		if (r->fin[i].job == job)
			return 1;
	return 0;
}

static int transient(int rc)
{
	return rc == STORE_EBUSY || rc == STORE_EIO || rc == STORE_EREADONLY;
}

/* One try; 1 when it must be tried again later. */
static int fin_apply(struct runner *r, struct finish *f)
{
	int rc;

	switch (f->kind) {
	case FIN_RECORD:
		rc = store_job_record(r->st, f->job, f->holder, f->out, f->nout, NULL);
		if (rc == 0 || rc == STORE_ECONFLICT || rc == STORE_ENOTFOUND) {
			/* Recorded; or cancelled meanwhile (results dropped). */
			store_job_manifest_remove(r->st, f->job);
			return 0;
		}
		if (transient(rc))
			return 1;
		/* The outputs cannot be recorded (a file gone): the job fails. */
		free(f->msg);
		f->msg = xasprintf("recording the candidates failed: %s", store_errmsg(r->st));
		store_job_manifest_remove(r->st, f->job);
		f->kind = FIN_FAIL;
		return fin_apply(r, f);
	case FIN_FAIL:
		rc = store_job_fail(r->st, f->job, f->msg);
		break;
	case FIN_RETRY:
		rc = store_job_retry_later(r->st, f->job, f->next_at, f->msg);
		break;
	default:
		rc = store_job_requeue(r->st, f->job, f->holder, f->msg, NULL);
		break;
	}
	return rc != 0 && rc != STORE_ENOTFOUND;
}

static void count_unsaved(struct runner *r)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nfin; i++)
		n += r->fin[i].kind == FIN_RECORD;
	pthread_mutex_lock(&r->mu);
	r->nunsaved = n;
	pthread_mutex_unlock(&r->mu);
}

/* Tries the final writes that are due; returns how many are left. */
static size_t fin_flush(struct runner *r)
{
	double now = util_mono_ms();
	size_t i = 0;

	while (i < r->nfin) {
		struct finish *f = &r->fin[i];

		if (f->due_ms > now || r->busy_until > now) {
			i++;
			continue;
		}
		if (fin_apply(r, f)) {
			f->delay_ms = f->delay_ms < FIN_MIN_DELAY_MS ? FIN_MIN_DELAY_MS : f->delay_ms * 2;
			if (f->delay_ms > FIN_MAX_DELAY_MS)
				f->delay_ms = FIN_MAX_DELAY_MS;
			f->due_ms = util_mono_ms() + f->delay_ms * (0.75 + 0.5 * bk_random01());
			r->busy_until = f->due_ms;
			i++;
			continue;
		}
		fin_free(f);
		memmove(f, f + 1, (r->nfin - i - 1) * sizeof *f);
		r->nfin--;
		notify(r);
		/* The store takes writes again: the rest now, and the queue. */
		for (i = 0; i < r->nfin; i++)
			r->fin[i].due_ms = 0;
		i = 0;
		r->next_claim = 0;
	}
	count_unsaved(r);
	return r->nfin;
}

/* Queues a final write (taking msg and out) and tries it at once unless
 * the store is known to be busy. */
static void finish(struct runner *r, int64_t job, int kind, const char *holder, char *msg, int64_t next_at,
		   struct lb_job_output *out, size_t nout)
{
	struct finish *f;

	if (r->nfin == r->capfin) {
		r->capfin = r->capfin ? r->capfin * 2 : 8;
		r->fin = xrealloc(r->fin, r->capfin * sizeof *r->fin);
	}
	f = &r->fin[r->nfin++];
	memset(f, 0, sizeof *f);
	f->job = job;
	f->kind = kind;
	f->holder = holder ? xstrdup(holder) : NULL;
	f->msg = msg;
	f->next_at = next_at;
	f->out = out;
	f->nout = nout;
	/* While the store is known busy it waits its turn: one blocked
	 * attempt per backoff step, not one per job that ends. */
	fin_flush(r);
	notify(r);
}

static void fail_job(struct runner *r, int64_t id, const char *msg)
{
	finish(r, id, FIN_FAIL, r->id, xstrdup(msg), 0, NULL, 0);
}

/* ------------------------------------------------------------ starting a job */

static void start_call(struct runner *r, const struct backend *be, struct lb_job *job)
{
	struct bk_call *c = bk_call_new(be);
	char *err = NULL;

	c->runner = r;
	c->job = *job;
	memset(job, 0, sizeof *job);
	c->store_dir = xstrdup(r->store_dir);
	if (*be->key_env && getenv(be->key_env))
		c->key = xstrdup(getenv(be->key_env));
	if (bk_call_setup(c, r->st, &err) < 0) {
		fail_job(r, c->job.id, err);
		free(err);
		bk_call_free(&c);
		return;
	}
	if (!(be->modalities & (1u << c->modality))) {
		char *makes = backend_modality_list(be->modalities);
		err = xasprintf("backend %s makes %s, not %s", be->name, makes, lb_modality_name(c->modality));
		fail_job(r, c->job.id, err);
		free(makes);
		free(err);
		bk_call_free(&c);
		return;
	}
	if (strcmp(c->job.kind, "variation") == 0 && (!c->has_parent || !backend_can_vary(be, c->modality))) {
		fail_job(r, c->job.id, "this backend cannot make variations of that candidate");
		bk_call_free(&c);
		return;
	}
	if (r->ncalls == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->calls = xrealloc(r->calls, r->cap * sizeof *r->calls);
		r->progress_at = xrealloc(r->progress_at, r->cap * sizeof *r->progress_at);
	}
	r->progress_at[r->ncalls] = 0;
	r->calls[r->ncalls++] = c;
	pthread_mutex_lock(&r->mu);
	r->nactive = (int)r->ncalls;
	pthread_mutex_unlock(&r->mu);
	notify(r);
	be->ops->start(c);
}

static void claim(struct runner *r, const struct backend *be, int64_t id, int *ok)
{
	struct lb_job job;
	int rc = store_job_claim_by(r->st, be->name, r->curator, id, r->id, &job);

	*ok = rc == 0;
	if (rc == 0)
		start_call(r, be, &job);
	else if (rc == STORE_EBUSY)
		r->busy_until = util_mono_ms() + FIN_MIN_DELAY_MS;
}

static void wake_at(struct runner *r, double now, int64_t wall, int64_t next_at)
{
	if (next_at > wall && now + (double)(next_at - wall) * 1000 < r->next_claim)
		r->next_claim = now + (double)(next_at - wall) * 1000;
}

/* `gen`: only the jobs it was started for. */
static void claim_only(struct runner *r, double now, int64_t wall)
{
	size_t i;
	int ok;

	for (i = 0; i < r->nonly; i++) {
		const struct backend *be;
		struct lb_job j;

		if (store_job_get(r->st, r->only[i], &j) != 0)
			continue;
		be = j.state == LB_JOB_QUEUED ? backend_registry_find(r->reg, j.backend) : NULL;
		if (be && j.next_at <= wall && active_for(r, be) < be->concurrency)
			claim(r, be, j.id, &ok);
		else if (be)
			wake_at(r, now, wall, j.next_at);
		lb_job_clear(&j);
	}
}

static void claim_jobs(struct runner *r)
{
	struct lb_job_queue *q = NULL;
	size_t n = 0, i;
	double now = util_mono_ms();
	int64_t wall = util_now();
	int ok;

	r->next_claim = now + 1000;
	if (r->busy_until > now)
		return;
	if (r->only) {
		claim_only(r, now, wall);
		return;
	}
	if (store_job_queue(r->st, r->curator, &q, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		const struct backend *be = backend_registry_find(r->reg, q[i].backend);
		int64_t due = q[i].due;

		if (be == NULL)
			continue;
		for (ok = 1; ok && due > 0 && active_for(r, be) < be->concurrency; due--)
			claim(r, be, 0, &ok);
		wake_at(r, now, wall, q[i].next_at);
	}
	store_job_queue_free(&q, n);
}

/* ------------------------------------------------------------ finishing a job */

static void abort_requests(struct runner *r, struct bk_call *c)
{
	while (c->nreqs > 0) {
		struct bk_req *q = c->reqs[c->nreqs - 1];

		if (q->state == 1)
			curl_multi_remove_handle(r->multi, q->easy);
		bk_req_free(&q);
	}
}

/* The outputs become durable files and a manifest, then the rows are
 * recorded (now, or retried until the store takes them). */
static void commit(struct runner *r, struct bk_call *c)
{
	struct lb_job_output *out;
	size_t i;
	int rc = 0;

	if (c->nout == 0) {
		fail_job(r, c->job.id, "the backend finished without making any candidate");
		return;
	}
	out = xcalloc(c->nout, sizeof *out);
	for (i = 0; i < c->nout && rc == 0; i++) {
		struct bk_output *o = &c->out[i];
		struct lb_job_output *w = &out[i];
		struct lb_asset_facts f = { o->media_type, o->ext, o->width, o->height, o->duration };

		if (o->data)
			rc = store_job_output_data(r->st, o->data, o->len, &f, w);
		else if (o->file)
			rc = store_job_output_file(r->st, o->file, &f, w);
		w->body = o->text ? xstrdup(o->text) : NULL;
		w->model = xstrdup(o->model ? o->model : c->be->model);
		w->has_seed = o->has_seed;
		w->seed = o->seed;
		w->prompt = c->one_off && c->prompt ? xstrdup(c->prompt) : NULL;
		w->negative = c->one_off && c->negative ? xstrdup(c->negative) : NULL;
		w->params = bk_candidate_params(c, o);
	}
	if (rc == 0)
		rc = store_job_manifest_write(r->st, c->job.id, r->id, out, c->nout);
	if (rc != 0) {
		char *m = xasprintf("storing the result failed: %s", store_errmsg(r->st));

		lb_job_outputs_free(&out, c->nout);
		fail_job(r, c->job.id, m);
		free(m);
		return;
	}
	if (getenv("LIGHTBOX_TEST_DIE_AFTER_OUTPUTS"))
		raise(SIGKILL); /* tests: killed between the manifest and the rows */
	finish(r, c->job.id, FIN_RECORD, r->id, NULL, 0, out, c->nout);
}

static void end_unfinished(struct runner *r, struct bk_call *c)
{
	const struct backend *be = c->be;
	char *msg;

	if (c->status == BK_RETRY && c->retry_after >= 0 && (double)c->retry_after > be->max_retry_after) {
		/* Waiting silently for hours helps nobody: say what the server wants. */
		msg = xasprintf("%s; the server asked to wait %ld s (Retry-After), more than max-retry-after (%g s) "
				"of backend %s: retry the job later, or raise max-retry-after",
				c->error, c->retry_after, be->max_retry_after, be->name);
		finish(r, c->job.id, FIN_FAIL, r->id, msg, 0, NULL, 0);
	} else if (c->status == BK_RETRY && c->job.attempts <= be->retries) {
		double d = bk_backoff(c->job.attempts, be->backoff, be->max_backoff, bk_random01(), c->retry_after);
		int64_t secs = (int64_t)ceil(d > 86400 ? 86400 : d);

		msg = xasprintf("%s; retrying in %lld s (attempt %d of %d)", c->error, (long long)secs,
				c->job.attempts + 1, be->retries + 1);
		finish(r, c->job.id, FIN_RETRY, r->id, msg, util_now() + secs, NULL, 0);
		if (r->next_claim > util_mono_ms() + (double)secs * 1000)
			r->next_claim = util_mono_ms() + (double)secs * 1000;
	} else if (c->status == BK_RETRY) {
		msg = xasprintf("%s; gave up after %d attempt%s", c->error, c->job.attempts,
				c->job.attempts == 1 ? "" : "s");
		finish(r, c->job.id, FIN_FAIL, r->id, msg, 0, NULL, 0);
	} else {
		msg = xstrdup(c->error ? c->error : "failed");
		finish(r, c->job.id, FIN_FAIL, r->id, msg, 0, NULL, 0);
	}
}

static void remove_call(struct runner *r, size_t i)
{
	struct bk_call *c = r->calls[i];

	abort_requests(r, c);
	if (c->be->ops->stop)
		c->be->ops->stop(c);
	bk_call_free(&c);
	memmove(&r->calls[i], &r->calls[i + 1], (r->ncalls - i - 1) * sizeof *r->calls);
	memmove(&r->progress_at[i], &r->progress_at[i + 1], (r->ncalls - i - 1) * sizeof *r->progress_at);
	r->ncalls--;
	pthread_mutex_lock(&r->mu);
	r->nactive = (int)r->ncalls;
	pthread_mutex_unlock(&r->mu);
}

static void settle(struct runner *r)
{
	size_t i = r->ncalls;
	double now = util_mono_ms();

	while (i-- > 0) {
		struct bk_call *c = r->calls[i];

		if (c->status == BK_RUNNING) {
			/* Progress is a hint: a busy store skips it. */
			if (c->progress > 0 && now - r->progress_at[i] >= 400 && r->busy_until <= now) {
				r->progress_at[i] = now;
				if (store_job_progress(r->st, c->job.id, c->progress) == STORE_EBUSY)
					r->busy_until = now + FIN_MIN_DELAY_MS;
				notify(r);
			}
			continue;
		}
		abort_requests(r, c);
		if (c->status == BK_FINISHED)
			commit(r, c);
		else if (c->status != BK_DROPPED)
			end_unfinished(r, c);
		notify(r);
		remove_call(r, i);
		/* A slot is free: look at the queue now, not at the next tick. */
		r->next_claim = 0;
	}
}

/* Jobs cancelled (or otherwise taken away) by another connection. */
static void check_cancels(struct runner *r, int force)
{
	int64_t v = 0;
	size_t i;

	r->next_cancel = util_mono_ms() + 500;
	if (r->ncalls == 0)
		return;
	if (store_data_version(r->st, &v) != 0 || (!force && v == r->data_version))
		return;
	r->data_version = v;
	for (i = 0; i < r->ncalls; i++) {
		struct bk_call *c = r->calls[i];
		struct lb_job j;

		if (c->status != BK_RUNNING || store_job_get(r->st, c->job.id, &j) != 0)
			continue;
		if (j.state != LB_JOB_RUNNING) {
			/* Ends the call without touching the row: it says cancelled. */
			c->status = BK_DROPPED;
		}
		lb_job_clear(&j);
	}
}

/* ------------------------------------------------------------ the loop */

static void start_due_requests(struct runner *r, double *next)
{
	double now = util_mono_ms();
	size_t i, k;

	for (i = 0; i < r->ncalls; i++) {
		struct bk_call *c = r->calls[i];

		for (k = 0; c->status == BK_RUNNING && k < c->nreqs; k++) {
			struct bk_req *q = c->reqs[k];

			if (q->state != 0)
				continue;
			if (q->not_before > now) {
				if (q->not_before < *next)
					*next = q->not_before;
				continue;
			}
			q->state = 1;
			curl_multi_add_handle(r->multi, q->easy);
		}
	}
}

static void finished_transfers(struct runner *r)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(r->multi, &left)) != NULL) {
		struct bk_req *q = bk_req_finished(r->multi, m);
		struct bk_call *c;

		if (q == NULL)
			continue;
		c = q->call;
		bk_req_detach(q);
		if (c && c->status == BK_RUNNING && bk_req_judge(c, q) == 0)
			c->be->ops->reply(c, q);
		bk_req_free(&q);
	}
}

static int stopping(struct runner *r, int *kicked)
{
	int s;

	pthread_mutex_lock(&r->mu);
	s = r->stop;
	*kicked = r->kicked;
	r->kicked = 0;
	pthread_mutex_unlock(&r->mu);
	return s;
}

/* ------------------------------------------------------------ other runners */

/* A runner id names a file: only [0-9a-f-], else it is no runner's. */
static int id_ok(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f') || id[i] == '-'))
			return 0;
	return i > 0 && i < 40;
}

/* Whether the runner id holds its lock: a lock nobody holds is a dead
 * runner's (its file is removed). */
static int runner_alive(struct runner *r, const char *id)
{
	char *path;
	int fd, alive;

	if (id == NULL || !id_ok(id))
		return 0;
	if (strcmp(id, r->id) == 0)
		return 1;
	/* Where the store keeps runners' locks (PostgreSQL), they are seen
	 * from every machine; a flock only from this one. */
	alive = store_runner_alive(r->st, id);
	if (alive >= 0)
		return alive;
	path = xasprintf("%s/runners/%s.lock", store_cache_dir(r->st), id);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	alive = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (fd >= 0 && !alive)
		unlink(path);
	if (fd >= 0)
		close(fd);
	free(path);
	return alive;
}

/* Jobs left running by dead runners: recorded from their manifest, else
 * requeued.  Manifests left behind by dead runners are removed. */
static void recover(struct runner *r)
{
	struct lb_job_owner *v = NULL;
	int64_t *ids = NULL;
	size_t n = 0, nids = 0, i;

	r->next_recover = util_mono_ms() + RECOVER_EVERY_MS;
	if (r->busy_until > util_mono_ms() || store_job_running(r->st, &v, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		struct lb_job_output *out = NULL;
		size_t nout = 0;
		char *mrunner = NULL;

		if (fin_pending(r, v[i].id) || runner_alive(r, v[i].runner))
			continue;
		if (store_job_manifest_read(r->st, v[i].id, &mrunner, &out, &nout) == 0) {
			/* Another curator's results are recorded by their own
			 * runner (the audit log names who added them). */
			if (strcmp(v[i].curator, r->curator) == 0)
				finish(r, v[i].id, FIN_RECORD, v[i].runner, NULL, 0, out, nout);
			else
				lb_job_outputs_free(&out, nout);
		} else
			finish(r, v[i].id, FIN_REQUEUE, v[i].runner,
			       xstrdup("interrupted: the lightbox working on it stopped; it resumes"), 0, NULL, 0);
		free(mrunner);
	}
	store_job_owners_free(&v, n);
	if (store_job_manifests(r->st, &ids, &nids) != 0)
		return;
	for (i = 0; i < nids; i++) {
		struct lb_job j;
		struct lb_job_output *out = NULL;
		size_t nout = 0;
		char *mrunner = NULL;

		if (fin_pending(r, ids[i]) || store_job_get(r->st, ids[i], &j) != 0)
			continue;
		if (j.state != LB_JOB_RUNNING &&
		    store_job_manifest_read(r->st, ids[i], &mrunner, &out, &nout) == 0 && !runner_alive(r, mrunner))
			store_job_manifest_remove(r->st, ids[i]);
		lb_job_outputs_free(&out, nout);
		free(mrunner);
		lb_job_clear(&j);
	}
	free(ids);
}

static void shutdown_calls(struct runner *r)
{
	double until;

	/* A job cancelled just before the stop is dropped, not requeued, and
	 * its type cleans up on the server (a ComfyUI prompt). */
	check_cancels(r, 1);
	while (r->ncalls > 0) {
		struct bk_call *c = r->calls[r->ncalls - 1];

		abort_requests(r, c);
		if (c->status == BK_FINISHED)
			commit(r, c);
		else if (c->status != BK_DROPPED)
			finish(r, c->job.id, FIN_REQUEUE, r->id,
			       xstrdup("interrupted when lightbox stopped; it resumes"), 0, NULL, 0);
		notify(r);
		remove_call(r, r->ncalls - 1);
	}
	/* What the store does not take in time stays for the next runner:
	 * once this one is gone, its lock is free and its manifests say what
	 * to record. */
	until = util_mono_ms() + STOP_FLUSH_MS;
	while (fin_flush(r) > 0 && util_mono_ms() < until) {
		double wait = r->busy_until - util_mono_ms();

		flush_notify(r);
		if (wait > 0)
			poll(NULL, 0, (int)wait + 1);
	}
}

static void *run(void *arg)
{
	struct runner *r = arg;
	int kicked, running;

	/* Started by util_thread_start: every signal blocked (HACKING.md, Threads). */
	pthread_setname_np(pthread_self(), "lb-runner"); /* top -H, /proc/PID/task */
	if (r->nice)
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), r->nice);
	r->next_claim = 0;
	r->next_cancel = 0;
	r->next_recover = 0;
	while (!stopping(r, &kicked)) {
		double t0 = util_mono_ms(), next, wait, took;
		size_t i;

		if (t0 >= r->next_recover)
			recover(r);
		fin_flush(r);
		if (kicked || t0 >= r->next_cancel)
			check_cancels(r, kicked);
		settle(r);
		if (kicked || t0 >= r->next_claim)
			claim_jobs(r);
		next = r->next_claim < r->next_cancel ? r->next_claim : r->next_cancel;
		if (r->next_recover < next)
			next = r->next_recover;
		for (i = 0; i < r->nfin; i++)
			if (r->fin[i].due_ms < next)
				next = r->fin[i].due_ms;
		start_due_requests(r, &next);
		curl_multi_perform(r->multi, &running);
		finished_transfers(r);
		for (i = 0; i < r->ncalls; i++)
			if (r->calls[i]->status == BK_RUNNING && r->calls[i]->be->ops->tick) {
				r->calls[i]->again = 0;
				r->calls[i]->be->ops->tick(r->calls[i]);
				if (r->calls[i]->again)
					next = 0;
				else if (t0 + 100 < next)
					next = t0 + 100;
			}
		settle(r);
		flush_notify(r);
		took = util_mono_ms() - t0;
		pthread_mutex_lock(&r->mu);
		r->last_ms = took;
		if (took > r->max_ms)
			r->max_ms = took;
		pthread_mutex_unlock(&r->mu);
		for (i = 0; i < r->ncalls; i++)
			if (r->calls[i]->status != BK_RUNNING)
				next = 0;
		if (r->next_claim < next)
			next = r->next_claim;
		wait = next - util_mono_ms();
		if (wait > 1000)
			wait = 1000;
		if (wait > 0)
			curl_multi_poll(r->multi, NULL, 0, (int)wait + 1, NULL);
	}
	shutdown_calls(r);
	flush_notify(r);
	return NULL;
}

/* ------------------------------------------------------------ the API */

static void runner_free(struct runner *r)
{
	size_t i;

	if (r->multi)
		curl_multi_cleanup(r->multi);
	for (i = 0; i < r->nfin; i++)
		fin_free(&r->fin[i]);
	free(r->fin);
	if (r->lock_fd >= 0) {
		/* Gone: the next runner may treat what is left as a dead one's. */
		char *path = xasprintf("%s/runners/%s.lock", store_cache_dir(r->st), r->id);

		if (r->nfin == 0)
			unlink(path);
		free(path);
		close(r->lock_fd);
	}
	store_close(&r->st);
	if (r->wait_pipe[0] >= 0) {
		close(r->wait_pipe[0]);
		close(r->wait_pipe[1]);
	}
	pthread_mutex_destroy(&r->mu);
	free(r->calls);
	free(r->progress_at);
	free(r->only);
	free(r->store_dir);
	free(r->curator);
	free(r);
}

/* Why the runners' lock at path cannot be made or opened (errno), for people. */
static char *lock_failure(const char *path)
{
	char *why = errno == EACCES || errno == EPERM ? util_perm_blocker(path) : NULL;

	if (why == NULL)
		why = xasprintf("cannot create %s: %s", path, strerror(errno));
	return why;
}

char *runner_blocked(const char *store_dir)
{
	char *dir = xasprintf("%s/cache/runners", store_dir), *probe, *why;

	/* A runner makes its lock file in cache/runners/ (and the folder
	 * itself the first time). */
	probe = access(dir, F_OK) == 0 ? xasprintf("%s/ID.lock", dir) : xstrdup(dir);
	why = util_perm_blocker(probe);
	free(probe);
	free(dir);
	return why;
}

/* Lock files of runners that died holding no job are nobody's concern
 * but would pile up: each start removes those nobody holds. */
static void sweep_locks(struct runner *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char id[40];
		size_t n = strlen(e->d_name);

		if (n < 6 || n - 5 >= sizeof id || strcmp(e->d_name + n - 5, ".lock") != 0)
			continue;
		memcpy(id, e->d_name, n - 5);
		id[n - 5] = '\0';
		runner_alive(r, id); /* removes it when dead */
	}
	if (d)
		closedir(d);
}

/* This runner's id and its lock, held until it stops: other runners
 * probe it (runner_alive) before touching a job it holds. */
static int take_lock(struct runner *r, char **err)
{
	char *dir = xasprintf("%s/runners", store_cache_dir(r->st)), *path;
	uint32_t rnd = 0;

	if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		rnd = (uint32_t)util_mono_ms() ^ (uint32_t)(uintptr_t)r;
	snprintf(r->id, sizeof r->id, "%lx-%08x", (unsigned long)getpid(), (unsigned)rnd);
	path = xasprintf("%s/%s.lock", dir, r->id);
	/* The store's modes: in a shared store every member probes it. */
	if (util_mkdir_p(dir) < 0)
		*err = lock_failure(dir);
	else if ((r->lock_fd = util_perm_open(path, O_RDWR | O_EXCL | O_NOFOLLOW)) < 0)
		*err = lock_failure(errno == ENOTDIR ? dir : path);
	if (r->lock_fd < 0) {
		free(dir);
		free(path);
		return -1;
	}
	while (flock(r->lock_fd, LOCK_EX) < 0 && errno == EINTR)
		;
	if (store_runner_hold(r->st, r->id) < 0) {
		*err = xstrdup(store_errmsg(r->st));
		close(r->lock_fd);
		r->lock_fd = -1;
		unlink(path);
		free(dir);
		free(path);
		return -1;
	}
	sweep_locks(r, dir);
	free(dir);
	free(path);
	return 0;
}

int runner_start(const struct runner_options *opt, struct runner **out, char **err)
{
	struct runner *r = xcalloc(1, sizeof *r);
	struct store_options so = { 0 };
	int flags;

	*out = NULL;
	bk_http_init();
	r->wait_pipe[0] = r->wait_pipe[1] = -1;
	r->lock_fd = -1;
	pthread_mutex_init(&r->mu, NULL);
	r->store_dir = xstrdup(opt->store_dir);
	r->curator = opt->curator ? xstrdup(opt->curator) : util_curator();
	r->reg = opt->reg;
	r->notify_fd = opt->notify_fd;
	r->nice = opt->nice;
	if (opt->nonly > 0) {
		r->only = xcalloc(opt->nonly, sizeof *r->only);
		memcpy(r->only, opt->only, opt->nonly * sizeof *r->only);
		r->nonly = opt->nonly;
	}
	so.curator = r->curator;
	so.sync_full = opt->sync_full;
	if (store_open(r->store_dir, &so, &r->st, err) != 0)
		goto fail;
	/* Opened by its name (a folder, or a PostgreSQL store's URL); its
	 * files (cache/jobs, cache/runners) are under its folder. */
	free(r->store_dir);
	r->store_dir = xstrdup(store_dir(r->st));
	/* A busy store is waited for in the loop, not in SQLite's handler:
	 * the other transfers go on meanwhile. */
	store_set_busy(r->st, RUNNER_BUSY_MS, 1);
	if (pipe2(r->wait_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		*err = xasprintf("cannot make a pipe: %s", strerror(errno));
		goto fail;
	}
	if (r->notify_fd >= 0 && (flags = fcntl(r->notify_fd, F_GETFL)) >= 0)
		fcntl(r->notify_fd, F_SETFL, flags | O_NONBLOCK);
	if (take_lock(r, err) < 0)
		goto fail;
	r->multi = curl_multi_init();
	if (r->multi == NULL)
		fatal("out of memory (curl_multi_init)");
	curl_multi_setopt(r->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	if (util_thread_start(&r->thread, run, r) != 0) {
		*err = xasprintf("cannot start the runner thread: %s", strerror(errno));
		goto fail;
	}
	r->started = 1;
	*out = r;
	return 0;
fail:
	runner_free(r);
	return -1;
}

void runner_kick(struct runner *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->kicked = 1;
	pthread_mutex_unlock(&r->mu);
	curl_multi_wakeup(r->multi);
}

void runner_stop(struct runner **pr)
{
	struct runner *r = *pr;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_mutex_unlock(&r->mu);
	curl_multi_wakeup(r->multi);
	if (r->started)
		pthread_join(r->thread, NULL);
	runner_free(r);
	*pr = NULL;
}

int runner_active(struct runner *r)
{
	int n;

	pthread_mutex_lock(&r->mu);
	n = r->nactive;
	pthread_mutex_unlock(&r->mu);
	return n;
}

int runner_unsaved(struct runner *r)
{
	int n;

	pthread_mutex_lock(&r->mu);
	n = r->nunsaved;
	pthread_mutex_unlock(&r->mu);
	return n;
}

void runner_loop_stats(struct runner *r, double *last_ms, double *max_ms)
{
	pthread_mutex_lock(&r->mu);
	*last_ms = r->last_ms;
	*max_ms = r->max_ms;
	pthread_mutex_unlock(&r->mu);
}

static int terminal(int state)
{
	return state == LB_JOB_DONE || state == LB_JOB_FAILED || state == LB_JOB_CANCELLED;
}

int runner_wait(struct runner *r, struct store *st, const int64_t *ids, size_t n, int stop_fd,
		runner_report_fn report, void *ud, char **err)
{
	struct lb_job *jobs = xcalloc(n ? n : 1, sizeof *jobs), *prev = xcalloc(n ? n : 1, sizeof *prev);
	size_t i;
	int rc = -1, first = 1, unsaved = 0;

	for (;;) {
		struct pollfd pfd[2];
		int all = 1, changed = first;
		char buf[64];

		if (r && runner_unsaved(r) != unsaved) {
			unsaved = runner_unsaved(r);
			changed = 1;
		}

		for (i = 0; i < n; i++) {
			lb_job_clear(&jobs[i]);
			if (store_job_get(st, ids[i], &jobs[i]) != 0) {
				*err = xstrdup(store_errmsg(st));
				goto out;
			}
			if (!terminal(jobs[i].state))
				all = 0;
			if (jobs[i].state != prev[i].state || fabs(jobs[i].progress - prev[i].progress) > 0.001 ||
			    jobs[i].attempts != prev[i].attempts || jobs[i].n_candidates != prev[i].n_candidates ||
			    strcmp(jobs[i].error ? jobs[i].error : "", prev[i].error ? prev[i].error : "") != 0)
				changed = 1;
		}
		first = 0;
		if (changed) {
			for (i = 0; i < n; i++) {
				lb_job_clear(&prev[i]);
				prev[i] = jobs[i];
				prev[i].kind = xstrdup(jobs[i].kind);
				prev[i].backend = xstrdup(jobs[i].backend);
				prev[i].params = xstrdup(jobs[i].params);
				prev[i].error = xstrdup(jobs[i].error);
				prev[i].curator = xstrdup(jobs[i].curator);
			}
			if (report && report(ud, jobs, n)) {
				rc = 1;
				goto out;
			}
		}
		if (all) {
			rc = 0;
			goto out;
		}
		pfd[0].fd = r ? r->wait_pipe[0] : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = stop_fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, 500) < 0 && errno != EINTR) {
			*err = xasprintf("poll: %s", strerror(errno));
			goto out;
		}
		if (stop_fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			rc = 1;
			goto out;
		}
		if (r && (pfd[0].revents & POLLIN))
			while (read(r->wait_pipe[0], buf, sizeof buf) > 0)
				;
	}
out:
	for (i = 0; i < n; i++) {
		lb_job_clear(&jobs[i]);
		lb_job_clear(&prev[i]);
	}
	free(jobs);
	free(prev);
	return rc;
}

int runner_queued(struct store *st, const struct backend_registry *reg, const char *curator, int64_t *n,
		  int64_t *next_at)
{
	struct lb_job_queue *q = NULL;
	size_t nq = 0, i;
	int rc = store_job_queue(st, curator, &q, &nq);

	*n = 0;
	*next_at = 0;
	if (rc != 0)
		return rc;
	for (i = 0; i < nq; i++) {
		if (backend_registry_find(reg, q[i].backend) == NULL)
			continue;
		*n += q[i].queued;
		if (q[i].due > 0)
			*next_at = util_now();
		else if (q[i].next_at && (*next_at == 0 || q[i].next_at < *next_at))
			*next_at = q[i].next_at;
	}
	store_job_queue_free(&q, nq);
	return 0;
}
