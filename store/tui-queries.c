/*
 * tui-queries.c - reads the interface needs that the rest of the store
 * API does not offer: lists of projects and briefs without their counts
 * (a count over a million candidates takes longer than a frame, so the
 * interface shows the names at once and fills counts in from a worker
 * thread), the names to complete after `filter-curator` and
 * `filter-backend`, what the job runner did lately (for the status line),
 * and WAL checkpoints moved off the interface's thread.
 */
#include "config.h"

#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "store-private.h"

int store_project_list_light(struct store *st, int include_archived, struct lb_project_list *out)
{
	/* The counts are -1: not counted (the worker counts them). */
	return st_project_list(st, "SELECT id, name, slug, description, archived, created, -1, -1, -1"
				   " FROM project WHERE ? OR NOT archived ORDER BY id",
			       include_archived, out);
}

#define LIGHT_BRIEF_COLS                                                                          \
	"b.id, b.project_id, b.revision_id, b.rev, b.title, b.modality, b.prompt, b.negative,"  \
	" b.params, b.constraints, b.refs, b.backend, b.archived, b.created, b.updated, b.blind "

static void light_brief_row(db_stmt *s, void *out)
{
	struct lb_brief *b = out;

	memset(b, 0, sizeof *b);
	b->id = db_column_int64(s, 0);
	b->project_id = db_column_int64(s, 1);
	b->revision_id = db_column_int64(s, 2);
	b->rev = db_column_int(s, 3);
	b->f.title = st_col_text(s, 4);
	b->f.modality = lb_modality_parse((const char *)db_column_text(s, 5));
	if (b->f.modality < 0)
		b->f.modality = LB_IMAGE;
	b->f.prompt = st_col_text(s, 6);
	b->f.negative = st_col_text(s, 7);
	b->f.params = st_col_text(s, 8);
	b->f.constraints = st_col_text(s, 9);
	b->f.refs = st_col_text(s, 10);
	b->f.backend = st_col_text(s, 11);
	b->archived = db_column_int(s, 12);
	b->created = db_column_int64(s, 13);
	b->updated = db_column_int64(s, 14);
	b->blind = db_column_int(s, 15);
	b->n_candidates = -1;
	b->n_rated_by_me = -1;
	b->n_picked = -1;
	b->n_selected = -1;
}

int store_brief_get_light(struct store *st, int64_t id, struct lb_brief *out)
{
	db_stmt *s = st_prep(st, "SELECT " LIGHT_BRIEF_COLS "FROM brief b WHERE b.id = ?");

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	return st_get_row(st, s, light_brief_row, out, "brief", id, "reading the brief");
}

int store_brief_list_light(struct store *st, int64_t project_id, int include_archived, struct lb_brief_list *out)
{
	db_stmt *s = st_prep(st, "SELECT " LIGHT_BRIEF_COLS "FROM brief b"
				      " WHERE b.project_id = ? AND (? OR NOT b.archived) ORDER BY b.id");
	void *v = NULL;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, project_id);
	db_bind_int(s, 2, include_archived);
	rc = st_list_rows(st, s, light_brief_row, &v, &out->n, sizeof *out->v, "listing briefs");
	out->v = v;
	if (rc)
		lb_brief_list_free(out);
	return rc;
}

int store_project_name(struct store *st, int64_t id, char **name)
{
	db_stmt *s = st_prep(st, "SELECT name FROM project WHERE id = ?");

	*name = NULL;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	return st_get_row(st, s, st_row_text0, name, "project", id, "reading the project");
}

/* Collects the text column 0 of s's rows that start with prefix. */
static int collect_names(struct store *st, db_stmt *s, const char *prefix, char ***names, size_t *n,
			 const char *doing)
{
	size_t cap = 0, plen = prefix ? strlen(prefix) : 0;
	const char *t;
	int rc;

	*names = NULL;
	*n = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		t = (const char *)db_column_text(s, 0);
		if (t == NULL || *t == '\0' || (plen && strncmp(t, prefix, plen) != 0))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*names = xrealloc(*names, cap * sizeof **names);
		}
		(*names)[(*n)++] = xstrdup(t);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_strv_free(names, *n);
		*n = 0;
		return st_sqlfail(st, rc, doing);
	}
	return 0;
}

int store_curator_names(struct store *st, const char *prefix, char ***names, size_t *n)
{
	/* Everyone who changed something (rated, flagged, tagged, noted) is in
	 * the undoable events; a loose scan of their partial index costs one
	 * probe per curator, however many ratings there are. */
	db_stmt *s = st_prep(st, "WITH RECURSIVE c(name) AS ("
				      " SELECT min(curator) FROM event WHERE undoable"
				      " UNION ALL SELECT (SELECT min(curator) FROM event"
				      "  WHERE undoable AND curator > c.name)"
				      " FROM c WHERE c.name IS NOT NULL)"
				      " SELECT name FROM c WHERE name IS NOT NULL");

	*names = NULL;
	*n = 0;
	if (s == NULL)
		return STORE_EIO;
	return collect_names(st, s, prefix, names, n, "listing curators");
}

int store_backend_names(struct store *st, int64_t brief_id, const char *prefix, char ***names, size_t *n)
{
	db_stmt *s = st_prep(st, "SELECT DISTINCT backend FROM candidate WHERE ?1 = 0 OR brief_id = ?1"
				      " ORDER BY backend");

	*names = NULL;
	*n = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	return collect_names(st, s, prefix, names, n, "listing backends");
}

int store_wal_autocheckpoint(struct store *st, int pages)
{
	if (db_wal_autocheckpoint(st->db, pages < 0 ? 0 : pages) != DB_OK)
		return st_sqlfail(st, DB_ERROR, "setting the checkpoint interval");
	return 0;
}

int store_wal_checkpoint(struct store *st, int *wal_frames, int *copied)
{
	int log = 0, done = 0, rc;

	if (st->readonly)
		return 0;
	rc = db_wal_checkpoint_v2(st->db, NULL, DB_CHECKPOINT_PASSIVE, &log, &done);
	if (wal_frames)
		*wal_frames = log;
	if (copied)
		*copied = done;
	if (rc != DB_OK && (rc & 0xff) != DB_BUSY)
		return st_sqlfail(st, rc, "checkpointing the write-ahead log");
	return 0;
}

int store_job_news(struct store *st, const char *curator, int64_t since, int limit, struct lb_job_list *out,
		   int64_t *queued, int64_t *running)
{
	db_stmt *s;
	size_t cap = 0;
	int rc, i;

	out->v = NULL;
	out->n = 0;
	*queued = *running = 0;
	s = st_prep(st, "SELECT state, count(*) FROM job WHERE state IN ('queued', 'running') AND curator = ?"
			" GROUP BY state");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, curator);
	while ((rc = db_step(s)) == DB_ROW) {
		const char *state = (const char *)db_column_text(s, 0);
		if (state && strcmp(state, "queued") == 0)
			*queued = db_column_int64(s, 1);
		else
			*running = db_column_int64(s, 1);
	}
	db_reset(s);
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, "counting jobs");
	s = st_prep(st, "SELECT j.id, j.brief_id, j.kind, j.backend, j.state, j.error, j.finished,"
			" (SELECT count(*) FROM candidate c WHERE c.job_id = j.id)"
			" FROM job j WHERE j.state IN ('done', 'failed') AND j.curator = ? AND j.finished >= ?"
			" ORDER BY j.finished, j.id LIMIT ?");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, curator);
	db_bind_int64(s, 2, since);
	db_bind_int(s, 3, limit > 0 ? limit : 100);
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_job *j;
		const char *state = (const char *)db_column_text(s, 4);

		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		j = &out->v[out->n++];
		memset(j, 0, sizeof *j);
		j->id = db_column_int64(s, 0);
		j->brief_id = db_column_int64(s, 1);
		j->kind = st_col_text(s, 2);
		j->backend = st_col_text(s, 3);
		for (i = 0; i <= LB_JOB_CANCELLED; i++)
			if (state && strcmp(state, lb_job_state_name(i)) == 0)
				j->state = i;
		j->error = st_col_text(s, 5);
		j->finished = db_column_int64(s, 6);
		j->n_candidates = db_column_int(s, 7);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_job_list_free(out);
		return st_sqlfail(st, rc, "reading finished jobs");
	}
	return 0;
}

int store_job_first_candidate(struct store *st, int64_t job_id, int64_t *cand_id)
{
	db_stmt *s = st_prep(st, "SELECT min(id) FROM candidate WHERE job_id = ?");
	int rc;

	*cand_id = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, job_id);
	rc = db_step(s);
	if (rc == DB_ROW)
		*cand_id = db_column_int64(s, 0);
	db_reset(s);
	return rc == DB_ROW ? 0 : st_sqlfail(st, rc, "finding the job's candidates");
}
