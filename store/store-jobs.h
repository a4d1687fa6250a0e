/*
 * store-jobs.h - generation jobs: the queue, runners claiming jobs, their
 * outputs and manifests, and gc of asset files nothing refers to
 * (store/job.c, store/job-output.c, store/gc.c).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_JOBS_H
#define LB_STORE_JOBS_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct lb_asset_facts; /* store-io.h */

/* ------------------------------------------------------------ jobs */

enum lb_job_state { LB_JOB_QUEUED = 0, LB_JOB_RUNNING, LB_JOB_DONE, LB_JOB_FAILED, LB_JOB_CANCELLED };
const char *lb_job_state_name(int s);

struct lb_job {
	int64_t id;
	int64_t brief_id;
	int64_t revision_id;
	int64_t parent_id;      /* candidate varied or rerolled; 0 when none */
	char *kind;             /* "generate", "reroll", "variation" */
	char *backend;
	char *params;           /* JSON: count, seed, seed mode, overrides, prompt */
	int state;
	double progress;        /* 0..1 */
	int attempts;
	char *error;            /* last error, "" when none */
	char *curator;
	int64_t created, started, finished;
	int64_t next_at;        /* not before this time (retry backoff) */
	int n_candidates;       /* made so far */
};
void lb_job_clear(struct lb_job *j);
struct lb_job_list {
	struct lb_job *v;
	size_t n;
};
void lb_job_list_free(struct lb_job_list *l);

struct lb_job_input {
	int64_t brief_id;
	int64_t revision_id;    /* 0: current */
	int64_t parent_id;
	const char *kind;
	const char *backend;
	const char *params;
};
int store_job_add(struct store *st, const struct lb_job_input *in, int64_t *id);
int store_job_get(struct store *st, int64_t id, struct lb_job *out);
/* Newest first; brief_id 0 for all. */
int store_job_list(struct store *st, int64_t brief_id, int limit, struct lb_job_list *out);
/* Claims the oldest queued job whose next_at has come, for backend
 * (NULL: any), marking it running; STORE_EEMPTY when none. */
int store_job_claim(struct store *st, const char *backend, struct lb_job *out);
/* The same, only among jobs queued by curator (NULL: anyone's): a runner
 * works its own curator's jobs, with its own keys. */
int store_job_claim_for(struct store *st, const char *backend, const char *curator, struct lb_job *out);
/* The queue by backend: jobs queued, how many are due now, and the
 * earliest next_at of those not yet due (0 when none). */
struct lb_job_queue {
	char *backend;
	int64_t queued;
	int64_t due;
	int64_t next_at;
};
/* Queued jobs of curator (NULL: anyone's), one entry per backend.
 * *v is owned (store_job_queue_free). */
int store_job_queue(struct store *st, const char *curator, struct lb_job_queue **v, size_t *n);
void store_job_queue_free(struct lb_job_queue **v, size_t n);
/* The same, for one job (job_id 0: any) and marking it held by runner
 * (the id of a live runner; see backends/runner.c), or NULL. */
int store_job_claim_by(struct store *st, const char *backend, const char *curator, int64_t job_id,
		       const char *runner, struct lb_job *out);
/* The running jobs and the runner holding each (NULL: unknown). */
struct lb_job_owner {
	int64_t id;
	char *runner;
	char *curator;          /* who queued it */
};
int store_job_running(struct store *st, struct lb_job_owner **v, size_t *n);
void store_job_owners_free(struct lb_job_owner **v, size_t n);
/* A runner's life lock in the database, where runners may run on
 * several machines (PostgreSQL: a session advisory lock keyed by the
 * runner's id, held by this connection until it closes).
 * store_runner_hold: 1 taken, 0 the store has none (SQLite: the runner's
 * flock in cache/runners is the lock), else a STORE_E* code.
 * store_runner_alive: 1 the runner id holds its lock, 0 it does not (it
 * is dead), -1 the store has none (probe the flock). */
int store_runner_hold(struct store *st, const char *id);
int store_runner_alive(struct store *st, const char *id);
/* A running job held by runner (NULL: by none) goes back to queued with
 * why, its interrupted attempt given back (attempts never exceed
 * retries + 1).  *changed (may be NULL) is 0 when it was not so held. */
int store_job_requeue(struct store *st, int64_t id, const char *runner, const char *why, int *changed);
int store_job_progress(struct store *st, int64_t id, double progress);
/* Back to queued, not before next_at, with the error that caused it. */
int store_job_retry_later(struct store *st, int64_t id, int64_t next_at, const char *error);
/* A queued job waiting to retry becomes due now. */
int store_job_retry_now(struct store *st, int64_t id);
int store_job_fail(struct store *st, int64_t id, const char *error);
int store_job_cancel(struct store *st, int64_t id);
/* Requeues a failed or cancelled job (user's retry), its attempts reset. */
int store_job_resubmit(struct store *st, int64_t id);

/* A job's output, durable before any row is written: an asset file
 * (content-addressed and fsynced, its row made when the job is
 * recorded) or a text body, and its candidate's own fields. */
struct lb_job_output {
	char sha256[65];        /* "" for a text body */
	char ext[12];
	char media_type[40];
	int64_t bytes;
	int width, height;
	double duration;
	char *body;             /* owned; text without a file */
	char *model;            /* owned; NULL: the backend's */
	int has_seed;
	int64_t seed;
	char *prompt, *negative;/* owned; NULL: the revision's */
	char *params;           /* owned JSON object text, or NULL */
};
void lb_job_output_clear(struct lb_job_output *o);
/* Writes bytes, or copies the file at path, as an asset file without a
 * row, filling o's file fields (and nothing else).  No transaction. */
int store_job_output_data(struct store *st, const void *data, size_t n, const struct lb_asset_facts *f,
			  struct lb_job_output *o);
int store_job_output_file(struct store *st, const char *path, const struct lb_asset_facts *f,
			  struct lb_job_output *o);
/* The manifest of a job's outputs, cache/jobs/ID.json, written durably
 * after the files and before the rows, removed once they are recorded:
 * a runner that dies in between leaves it for the next one, which
 * records the outputs without asking the backend again, and gc keeps the
 * files it lists.  _read: STORE_ENOTFOUND when there is none. */
int store_job_manifest_write(struct store *st, int64_t job, const char *runner, const struct lb_job_output *v,
			     size_t n);
int store_job_manifest_read(struct store *st, int64_t job, char **runner, struct lb_job_output **v, size_t *n);
void store_job_manifest_remove(struct store *st, int64_t job);
/* The jobs that have a manifest (ids ascending, owned). */
int store_job_manifests(struct store *st, int64_t **ids, size_t *n);
void lb_job_outputs_free(struct lb_job_output **v, size_t n);
/* Finishes a running job held by runner (NULL: by none): the asset rows,
 * its candidates and `done` in one short transaction.  STORE_ECONFLICT
 * when the job is no longer running there (cancelled: results dropped),
 * STORE_EINVAL when an output's file is missing.  ids may be NULL. */
int store_job_record(struct store *st, int64_t id, const char *runner, const struct lb_job_output *v, size_t n,
		     int64_t *ids);

/* ------------------------------------------------------------ gc */

/* Asset files nothing refers to (see store/gc.c): no candidate refers to
 * their asset, no job manifest lists them, untouched for grace seconds;
 * and leftover temporary files as old. */
struct lb_gc_item {
	char *path;             /* owned, absolute */
	char sha256[65];        /* "" for a temporary file */
	int64_t bytes;
	int64_t mtime;
	int has_row;            /* an asset row without candidates goes too */
	int removed;            /* set by store_gc_remove */
};
struct lb_gc_list {
	struct lb_gc_item *v;
	size_t n;
	int64_t bytes;          /* total */
};
int store_gc_find(struct store *st, int64_t grace, struct lb_gc_list *out);
/* Removes the listed files that are still orphans (checked again: rows,
 * manifests, mtime), each row in a short transaction before its file. */
int store_gc_remove(struct store *st, struct lb_gc_list *l, int64_t grace, size_t *removed, int64_t *freed);
void lb_gc_list_free(struct lb_gc_list *l);

#endif
