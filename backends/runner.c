/*
 * runner.c - the job runner: one thread with its own store connection
 * that claims queued jobs (each backend at most `concurrency` at once),
 * drives their HTTP requests on a libcurl multi handle, retries transient
 * failures with exponential backoff and jitter (honouring Retry-After),
 * notices cancels, records progress, and turns finished replies into
 * candidates: the assets are durable on disk first, then the candidates
 * and the job's `done` are written in one transaction, so a crash leaves
 * all of a job's candidates or none.
 *
 * Several runners may work on one store (the interface and `lightbox gen`
 * in another terminal).  Each holds a shared flock on cache/runner.lock;
 * a runner that starts while no other holds it knows that jobs left
 * `running` belong to a dead runner and requeues them.
 *
 * The owner is woken through notify_fd; runner_wait (for `lightbox gen`)
 * through an internal pipe.  The owner's loop never waits on the runner.
 */
#include "config.h"

#include "backends-private.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct runner {
	char *store_dir;
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

/* ------------------------------------------------------------ starting a job */

static void fail_job(struct runner *r, int64_t id, const char *msg)
{
	store_job_fail(r->st, id, msg);
	notify(r);
}

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

static void claim_jobs(struct runner *r)
{
	struct lb_job_queue *q = NULL;
	struct lb_job job;
	size_t n = 0, i;
	double now = util_mono_ms();
	int64_t wall = util_now();

	r->next_claim = now + 1000;
	if (store_job_queue(r->st, r->curator, &q, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		const struct backend *be = backend_registry_find(r->reg, q[i].backend);
		int64_t due = q[i].due;

		if (be == NULL)
			continue;
		while (due > 0 && active_for(r, be) < be->concurrency) {
			if (store_job_claim_for(r->st, be->name, r->curator, &job) != 0)
				break;
			due--;
			start_call(r, be, &job);
		}
		if (q[i].next_at > wall && now + (double)(q[i].next_at - wall) * 1000 < r->next_claim)
			r->next_claim = now + (double)(q[i].next_at - wall) * 1000;
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

static void commit(struct runner *r, struct bk_call *c)
{
	struct lb_candidate_input *in;
	char **params, *source;
	int64_t *assets;
	size_t i;
	int rc = 0, existed;

	if (c->nout == 0) {
		fail_job(r, c->job.id, "the backend finished without making any candidate");
		return;
	}
	in = xcalloc(c->nout, sizeof *in);
	params = xcalloc(c->nout, sizeof *params);
	assets = xcalloc(c->nout, sizeof *assets);
	source = xasprintf("job #%lld (%s)", (long long)c->job.id, c->job.kind);
	for (i = 0; i < c->nout && rc == 0; i++) {
		struct bk_output *o = &c->out[i];
		struct lb_asset_facts f = { o->media_type, o->ext, o->width, o->height, o->duration };

		if (o->data)
			rc = store_asset_put(r->st, o->data, o->len, &f, &assets[i], &existed);
		else if (o->file)
			rc = store_asset_put_file(r->st, o->file, &f, &assets[i], &existed);
		params[i] = bk_candidate_params(c, o);
		in[i].brief_id = c->job.brief_id;
		in[i].revision_id = c->job.revision_id;
		in[i].asset_id = assets[i];
		in[i].body = o->text;
		in[i].backend = c->be->name;
		in[i].model = o->model ? o->model : c->be->model;
		in[i].has_seed = o->has_seed;
		in[i].seed = o->seed;
		in[i].prompt = c->one_off ? c->prompt : NULL;
		in[i].negative = c->one_off ? c->negative : NULL;
		in[i].params = params[i];
		in[i].parent_id = c->job.parent_id;
		in[i].job_id = c->job.id;
		in[i].source = source;
	}
	if (rc != 0) {
		char *m = xasprintf("storing the result failed: %s", store_errmsg(r->st));
		fail_job(r, c->job.id, m);
		free(m);
	} else {
		rc = store_job_done(r->st, c->job.id, in, c->nout, NULL);
		/* A job cancelled meanwhile keeps its `cancelled`: results dropped. */
		if (rc != 0 && rc != STORE_ECONFLICT) {
			char *m = xasprintf("recording the candidates failed: %s", store_errmsg(r->st));
			fail_job(r, c->job.id, m);
			free(m);
		}
	}
	for (i = 0; i < c->nout; i++)
		free(params[i]);
	free(params);
	free(assets);
	free(in);
	free(source);
}

static void end_unfinished(struct runner *r, struct bk_call *c)
{
	const struct backend *be = c->be;
	char *msg;

	if (c->status == BK_RETRY && c->job.attempts <= be->retries) {
		double d = bk_backoff(c->job.attempts, be->backoff, be->max_backoff, bk_random01(), c->retry_after);
		int64_t secs = (int64_t)ceil(d > 86400 ? 86400 : d);

		msg = xasprintf("%s; retrying in %lld s (attempt %d of %d)", c->error, (long long)secs,
				c->job.attempts + 1, be->retries + 1);
		store_job_retry_later(r->st, c->job.id, util_now() + secs, msg);
		if (r->next_claim > util_mono_ms() + (double)secs * 1000)
			r->next_claim = util_mono_ms() + (double)secs * 1000;
	} else if (c->status == BK_RETRY) {
		msg = xasprintf("%s; gave up after %d attempt%s", c->error, c->job.attempts,
				c->job.attempts == 1 ? "" : "s");
		store_job_fail(r->st, c->job.id, msg);
	} else {
		msg = xstrdup(c->error ? c->error : "failed");
		store_job_fail(r->st, c->job.id, msg);
	}
	free(msg);
	notify(r);
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
			if (c->progress > 0 && now - r->progress_at[i] >= 400) {
				r->progress_at[i] = now;
				store_job_progress(r->st, c->job.id, c->progress);
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

static void shutdown_calls(struct runner *r)
{
	/* A job cancelled just before the stop is dropped, not requeued, and
	 * its type cleans up on the server (a ComfyUI prompt). */
	check_cancels(r, 1);
	while (r->ncalls > 0) {
		struct bk_call *c = r->calls[r->ncalls - 1];

		abort_requests(r, c);
		if (c->status == BK_FINISHED) {
			commit(r, c);
		} else if (c->status != BK_DROPPED) {
			store_job_retry_later(r->st, c->job.id, 0, "interrupted when lightbox stopped; it resumes");
		}
		notify(r);
		remove_call(r, r->ncalls - 1);
	}
}

static void *run(void *arg)
{
	struct runner *r = arg;
	int kicked, running;

	if (r->nice)
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), r->nice);
	r->next_claim = 0;
	r->next_cancel = 0;
	while (!stopping(r, &kicked)) {
		double t0 = util_mono_ms(), next, wait, took;
		size_t i;

		if (kicked || t0 >= r->next_cancel)
			check_cancels(r, kicked);
		settle(r);
		if (kicked || t0 >= r->next_claim)
			claim_jobs(r);
		next = r->next_claim < r->next_cancel ? r->next_claim : r->next_cancel;
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
	if (r->multi)
		curl_multi_cleanup(r->multi);
	store_close(&r->st);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	if (r->wait_pipe[0] >= 0) {
		close(r->wait_pipe[0]);
		close(r->wait_pipe[1]);
	}
	pthread_mutex_destroy(&r->mu);
	free(r->calls);
	free(r->progress_at);
	free(r->store_dir);
	free(r->curator);
	free(r);
}

/* Why the runners' lock at path cannot be opened (errno), for people. */
static char *lock_failure(const char *path)
{
	char *why = errno == EACCES || errno == EPERM ? util_perm_blocker(path) : NULL;

	if (why == NULL)
		why = xasprintf("cannot open %s: %s", path, strerror(errno));
	return why;
}

char *runner_blocked(const char *store_dir)
{
	char *path = xasprintf("%s/cache/runner.lock", store_dir), *why = NULL;

	if (access(path, F_OK) == 0 ? access(path, R_OK | W_OK) != 0 : errno != ENOENT) {
		why = lock_failure(path);
	} else if (access(path, F_OK) != 0) {
		/* No lock yet: the first runner makes it (and cache/ if need be). */
		why = util_perm_blocker(path);
	}
	free(path);
	return why;
}

/* Takes the runners' lock; alone, requeues what a dead runner left. */
static int take_lock(struct runner *r, char **err)
{
	char *path = xasprintf("%s/runner.lock", store_cache_dir(r->st));
	int n = 0;

	/* The store's mode: in a shared store every member's runner opens it. */
	r->lock_fd = util_perm_open(path, O_RDWR);
	if (r->lock_fd < 0) {
		*err = lock_failure(path);
		free(path);
		return -1;
	}
	free(path);
	if (flock(r->lock_fd, LOCK_EX | LOCK_NB) == 0) {
		if (store_job_requeue_interrupted(r->st, &n) != 0) {
			*err = xstrdup(store_errmsg(r->st));
			return -1;
		}
	}
	while (flock(r->lock_fd, LOCK_SH) < 0 && errno == EINTR)
		;
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
	so.curator = r->curator;
	so.sync_full = opt->sync_full;
	if (store_open(r->store_dir, &so, &r->st, err) != 0)
		goto fail;
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
	if (pthread_create(&r->thread, NULL, run, r) != 0) {
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
	int rc = -1, first = 1;

	for (;;) {
		struct pollfd pfd[2];
		int all = 1, changed = first;
		char buf[64];

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
