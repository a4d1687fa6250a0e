/*
 * job.c - generation jobs as rows: queued, running, done, failed or
 * cancelled, surviving restarts.  The runner (backends/) claims jobs,
 * reports progress and finishes them; a job's candidates and its `done`
 * state are written in one transaction.
 */
#include "config.h"

#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "store-private.h"

static const char *const states[] = { "queued", "running", "done", "failed", "cancelled" };

#define JOB_COLS                                                                                 \
	"j.id, j.brief_id, j.revision_id, j.parent_id, j.kind, j.backend, j.params, j.state,"    \
	" j.progress, j.attempts, j.error, j.curator, j.created, j.started, j.finished,"         \
	" j.next_at, (SELECT count(*) FROM candidate c WHERE c.job_id = j.id) "

static void job_row(db_stmt *s, struct lb_job *j)
{
	const char *state = (const char *)db_column_text(s, 7);
	int i;

	memset(j, 0, sizeof *j);
	j->id = db_column_int64(s, 0);
	j->brief_id = db_column_int64(s, 1);
	j->revision_id = db_column_int64(s, 2);
	j->parent_id = db_column_int64(s, 3);
	j->kind = st_col_text(s, 4);
	j->backend = st_col_text(s, 5);
	j->params = st_col_text(s, 6);
	for (i = 0; i < 5; i++)
		if (state && strcmp(state, states[i]) == 0)
			j->state = i;
	j->progress = db_column_double(s, 8);
	j->attempts = db_column_int(s, 9);
	j->error = st_col_text(s, 10);
	j->curator = st_col_text(s, 11);
	j->created = db_column_int64(s, 12);
	j->started = db_column_int64(s, 13);
	j->finished = db_column_int64(s, 14);
	j->next_at = db_column_int64(s, 15);
	j->n_candidates = db_column_int(s, 16);
}

int store_job_add(struct store *st, const struct lb_job_input *in, int64_t *id)
{
	db_stmt *s;
	int64_t rev = in->revision_id;
	int rc;

	if (in->backend == NULL || *in->backend == '\0')
		return st_fail(st, STORE_EINVAL, "a job needs a backend");
	rc = st_begin(st);
	if (rc)
		return rc;
	rc = st_exists(st, "brief", in->brief_id);
	if (rc == 0 && in->parent_id)
		rc = st_exists(st, "candidate", in->parent_id);
	if (rc == 0 && rev == 0) {
		s = st_prep(st, "SELECT revision_id FROM brief WHERE id = ?");
		if (s == NULL)
			return st_end(st, STORE_EIO);
		db_bind_int64(s, 1, in->brief_id);
		if (db_step(s) == DB_ROW)
			rev = db_column_int64(s, 0);
		db_reset(s);
	}
	if (rc == 0) {
		s = st_prep(st, "INSERT INTO job (brief_id, revision_id, parent_id, kind, backend, params, curator,"
				" created) VALUES (?,?,?,?,?,?,?,?)");
		if (s == NULL)
			return st_end(st, STORE_EIO);
		db_bind_int64(s, 1, in->brief_id);
		db_bind_int64(s, 2, rev);
		if (in->parent_id)
			db_bind_int64(s, 3, in->parent_id);
		st_bind_text(s, 4, in->kind ? in->kind : "generate");
		st_bind_text(s, 5, in->backend);
		st_bind_text(s, 6, in->params && *in->params ? in->params : "{}");
		st_bind_text(s, 7, st->curator);
		db_bind_int64(s, 8, util_now());
		rc = st_step_done(st, s, "queueing the job");
	}
	if (rc == 0) {
		*id = db_last_insert_rowid(st->db);
		rc = st_event(st, "job-add", "job", *id, in->parent_id, NULL, NULL, 0);
	}
	return st_end(st, rc);
}

int store_job_get(struct store *st, int64_t id, struct lb_job *out)
{
	db_stmt *s = st_prep(st, "SELECT " JOB_COLS "FROM job j WHERE j.id = ?");
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		job_row(s, out);
	db_reset(s);
	if (rc == DB_ROW)
		return 0;
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, "reading the job");
	return st_fail(st, STORE_ENOTFOUND, "no job with id %lld; list them with 'lightbox jobs'", (long long)id);
}

int store_job_list(struct store *st, int64_t brief_id, int limit, struct lb_job_list *out)
{
	db_stmt *s = st_prep(st, "SELECT " JOB_COLS "FROM job j WHERE ?1 = 0 OR j.brief_id = ?1"
				      " ORDER BY j.id DESC LIMIT ?2");
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	db_bind_int(s, 2, limit > 0 ? limit : 100);
	while ((rc = db_step(s)) == DB_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		job_row(s, &out->v[out->n++]);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_job_list_free(out);
		return st_sqlfail(st, rc, "listing jobs");
	}
	return 0;
}

int store_job_claim(struct store *st, const char *backend, struct lb_job *out)
{
	return store_job_claim_for(st, backend, NULL, out);
}

int store_job_claim_for(struct store *st, const char *backend, const char *curator, struct lb_job *out)
{
	return store_job_claim_by(st, backend, curator, 0, NULL, out);
}

int store_job_claim_by(struct store *st, const char *backend, const char *curator, int64_t job_id,
		       const char *runner, struct lb_job *out)
{
	db_stmt *s;
	int64_t id = 0;
	int rc = st_begin(st);

	memset(out, 0, sizeof *out);
	if (rc)
		return rc;
	s = st_prep(st, "SELECT id FROM job WHERE state = 'queued' AND next_at <= ?1"
			" AND (?2 IS NULL OR backend = ?2) AND (?3 IS NULL OR curator = ?3)"
			" AND (?4 = 0 OR id = ?4) ORDER BY next_at, id LIMIT 1");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	db_bind_int64(s, 1, util_now());
	st_bind_text(s, 2, backend);
	st_bind_text(s, 3, curator);
	db_bind_int64(s, 4, job_id);
	rc = db_step(s);
	if (rc == DB_ROW)
		id = db_column_int64(s, 0);
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE)
		return st_end(st, st_sqlfail(st, rc, "looking for queued jobs"));
	if (id == 0)
		return st_end(st, st_fail(st, STORE_EEMPTY, "no queued job"));
	s = st_prep(st, "UPDATE job SET state = 'running', attempts = attempts + 1, runner = ?3,"
			" started = coalesce(started, ?2) WHERE id = ?1");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, util_now());
	st_bind_text(s, 3, runner);
	rc = st_step_done(st, s, "starting the job");
	if (rc == 0)
		rc = store_job_get(st, id, out);
	return st_end(st, rc);
}

/* Binds ?1 id, ?2 a, ?3 text, ?4 d, ?5 runner: each statement uses those
 * it needs.  *changed (may be NULL) says whether a row changed. */
static int job_update_by(struct store *st, const char *sql, int64_t id, int64_t a, const char *text, double d,
			 const char *runner, int *changed)
{
	db_stmt *s;
	int rc = st_begin(st);

	if (rc)
		return rc;
	rc = st_exists(st, "job", id);
	if (rc == 0) {
		s = st_prep(st, sql);
		if (s == NULL)
			return st_end(st, STORE_EIO);
		db_bind_int64(s, 1, id);
		db_bind_int64(s, 2, a);
		st_bind_text(s, 3, text);
		db_bind_double(s, 4, d);
		st_bind_text(s, 5, runner);
		rc = st_step_done(st, s, "updating the job");
		if (rc == 0 && changed)
			*changed = db_changes(st->db) > 0;
	}
	return st_end(st, rc);
}

static int job_update(struct store *st, const char *sql, int64_t id, int64_t a, const char *text, double d)
{
	return job_update_by(st, sql, id, a, text, d, NULL, NULL);
}

int store_job_running(struct store *st, struct lb_job_owner **v, size_t *n)
{
	db_stmt *s = st_prep(st, "SELECT id, runner, curator FROM job WHERE state = 'running' ORDER BY id");
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (s == NULL)
		return STORE_EIO;
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*v = xrealloc(*v, cap * sizeof **v);
		}
		(*v)[*n].id = db_column_int64(s, 0);
		(*v)[*n].runner = st_col_text_or_null(s, 1);
		(*v)[*n].curator = st_col_text(s, 2);
		(*n)++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_job_owners_free(v, *n);
		*n = 0;
		return st_sqlfail(st, rc, "reading the running jobs");
	}
	return 0;
}

void store_job_owners_free(struct lb_job_owner **v, size_t n)
{
	size_t i;

	for (i = 0; *v && i < n; i++) {
		free((*v)[i].runner);
		free((*v)[i].curator);
	}
	xfree(v);
}

int store_job_requeue(struct store *st, int64_t id, const char *runner, const char *why, int *changed)
{
	/* The interrupted attempt reached no verdict: it is given back, so
	 * attempts never exceed retries + 1 however often a job is stopped. */
	return job_update_by(st, "UPDATE job SET state = 'queued', runner = NULL, error = ?3,"
				 " attempts = max(attempts - 1, 0) WHERE id = ?1 AND state = 'running'"
				 " AND runner IS ?5",
			     id, 0, why ? why : "interrupted; it resumes", 0, runner, changed);
}

int store_job_progress(struct store *st, int64_t id, double progress)
{
	return job_update(st, "UPDATE job SET progress = ?4 WHERE id = ?1", id, 0, NULL,
			  progress < 0 ? 0 : progress > 1 ? 1 : progress);
}

int store_job_retry_later(struct store *st, int64_t id, int64_t next_at, const char *error)
{
	return job_update(st, "UPDATE job SET state = 'queued', runner = NULL, next_at = ?2, error = ?3"
			      " WHERE id = ?1 AND state = 'running'",
			  id, next_at, error ? error : "", 0);
}

int store_job_fail(struct store *st, int64_t id, const char *error)
{
	return job_update(st, "UPDATE job SET state = 'failed', runner = NULL, finished = ?2, error = ?3"
			      " WHERE id = ?1 AND state IN ('queued', 'running')",
			  id, util_now(), error ? error : "failed", 0);
}

int store_job_cancel(struct store *st, int64_t id)
{
	return job_update(st, "UPDATE job SET state = 'cancelled', runner = NULL, finished = ?2, error = ?3"
			      " WHERE id = ?1 AND state IN ('queued', 'running')",
			  id, util_now(), "cancelled", 0);
}

int store_job_retry_now(struct store *st, int64_t id)
{
	return job_update(st, "UPDATE job SET next_at = 0 WHERE id = ?1 AND state = 'queued'", id, 0, NULL, 0);
}

int store_job_resubmit(struct store *st, int64_t id)
{
	/* A user's retry starts afresh: the attempts count again from zero. */
	return job_update(st, "UPDATE job SET state = 'queued', next_at = ?2, error = coalesce(?3, ''),"
			      " progress = ?4, attempts = 0, finished = NULL"
			      " WHERE id = ?1 AND state IN ('failed', 'cancelled')",
			  id, 0, NULL, 0);
}

int store_job_queue(struct store *st, const char *curator, struct lb_job_queue **v, size_t *n)
{
	db_stmt *s = st_prep(st, "SELECT backend, count(*), sum(next_at <= ?1),"
				      " min(CASE WHEN next_at > ?1 THEN next_at END) FROM job"
				      " WHERE state = 'queued' AND (?2 IS NULL OR curator = ?2)"
				      " GROUP BY backend ORDER BY backend");
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, util_now());
	st_bind_text(s, 2, curator);
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*v = xrealloc(*v, cap * sizeof **v);
		}
		(*v)[*n].backend = st_col_text(s, 0);
		(*v)[*n].queued = db_column_int64(s, 1);
		(*v)[*n].due = db_column_int64(s, 2);
		(*v)[*n].next_at = db_column_int64(s, 3);
		(*n)++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_job_queue_free(v, *n);
		*n = 0;
		return st_sqlfail(st, rc, "reading the job queue");
	}
	return 0;
}

void store_job_queue_free(struct lb_job_queue **v, size_t n)
{
	size_t i;

	for (i = 0; *v && i < n; i++)
		free((*v)[i].backend);
	xfree(v);
}
