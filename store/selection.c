/*
 * selection.c - the project's selection record: which candidate is chosen
 * for which brief, its intended use, the integration note, who and when.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

/* The selection state of a candidate as JSON (NULL: not selected). */
int st_selection_state(struct store *st, int64_t cand, char **json)
{
	db_stmt *s = st_prep(st, "SELECT intended_use, integration, curator, created FROM selection"
				      " WHERE candidate_id = ?");
	json_t *j;
	int rc;

	*json = NULL;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, cand);
	rc = db_step(s);
	if (rc == DB_ROW) {
		j = json_pack("{s:s, s:s, s:s, s:I}", "intended_use", (const char *)db_column_text(s, 0),
			      "integration", (const char *)db_column_text(s, 1), "curator",
			      (const char *)db_column_text(s, 2), "created",
			      (json_int_t)db_column_int64(s, 3));
		*json = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
	}
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the selection");
}

/* Sets a candidate's selection to a state written by st_selection_state. */
int st_selection_restore(struct store *st, int64_t cand, const char *json)
{
	const char *use, *integ, *curator;
	json_int_t created;
	db_stmt *s;
	json_t *j;
	int rc;

	if (json == NULL) {
		s = st_prep(st, "DELETE FROM selection WHERE candidate_id = ?");
		if (s == NULL)
			return STORE_EIO;
		db_bind_int64(s, 1, cand);
		return st_step_done(st, s, "removing the selection");
	}
	j = json_loads(json, 0, NULL);
	if (j == NULL || json_unpack(j, "{s:s, s:s, s:s, s:I}", "intended_use", &use, "integration", &integ,
				     "curator", &curator, "created", &created) != 0) {
		json_decref(j);
		return st_fail(st, STORE_EIO, "the audit log holds a damaged selection entry");
	}
	s = st_prep(st, "INSERT INTO selection (project_id, brief_id, candidate_id, intended_use, integration,"
			" curator, created, updated) SELECT b.project_id, b.id, c.id, ?2, ?3, ?4, ?5, ?6"
			" FROM candidate c JOIN brief b ON b.id = c.brief_id WHERE c.id = ?1"
			" ON CONFLICT (candidate_id) DO UPDATE SET intended_use = excluded.intended_use,"
			" integration = excluded.integration, curator = excluded.curator,"
			" created = excluded.created, updated = excluded.updated");
	if (s == NULL) {
		json_decref(j);
		return STORE_EIO;
	}
	db_bind_int64(s, 1, cand);
	st_bind_text(s, 2, use);
	st_bind_text(s, 3, integ);
	st_bind_text(s, 4, curator);
	db_bind_int64(s, 5, created);
	db_bind_int64(s, 6, util_now());
	rc = st_step_done(st, s, "saving the selection");
	json_decref(j);
	return rc;
}

int store_select(struct store *st, int64_t cand, const char *use, const char *integration)
{
	char *before = NULL, *after = NULL;
	json_t *j, *prev = NULL;
	json_int_t created = util_now();
	int rc;

	if ((use && !util_utf8_valid(use, strlen(use))) ||
	    (integration && !util_utf8_valid(integration, strlen(integration))))
		return st_fail(st, STORE_EINVAL, "intended use and integration note must be UTF-8 text");
	rc = st_begin(st);
	if (rc == 0)
		rc = st_exists(st, "candidate", cand);
	if (rc == 0)
		rc = st_selection_state(st, cand, &before);
	if (rc)
		return st_end(st, rc);
	/* Re-selecting keeps the original selection time and, unless given,
	 * the earlier use and note. */
	if (before)
		prev = json_loads(before, 0, NULL);
	if (prev) {
		json_unpack(prev, "{s:I}", "created", &created);
		if (use == NULL)
			use = json_string_value(json_object_get(prev, "intended_use"));
		if (integration == NULL)
			integration = json_string_value(json_object_get(prev, "integration"));
	}
	j = json_pack("{s:s, s:s, s:s, s:I}", "intended_use", use ? use : "", "integration",
		      integration ? integration : "", "curator", st->curator, "created", created);
	after = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	json_decref(prev);
	if (before && strcmp(before, after) == 0) {
		free(before);
		free(after);
		return st_end(st, 0);
	}
	rc = st_selection_restore(st, cand, after);
	if (rc == 0)
		rc = st_event(st, "select", "selection", cand, cand, before, after, 1);
	free(before);
	free(after);
	return st_end(st, rc);
}

int store_unselect(struct store *st, int64_t cand)
{
	char *before = NULL;
	int rc = st_begin(st);

	if (rc == 0)
		rc = st_exists(st, "candidate", cand);
	if (rc == 0)
		rc = st_selection_state(st, cand, &before);
	if (rc == 0 && before) {
		rc = st_selection_restore(st, cand, NULL);
		if (rc == 0)
			rc = st_event(st, "unselect", "selection", cand, cand, before, NULL, 1);
	}
	free(before);
	return st_end(st, rc);
}

static void selection_row(db_stmt *s, void *out)
{
	struct lb_selection *x = out;

	x->id = db_column_int64(s, 0);
	x->project_id = db_column_int64(s, 1);
	x->brief_id = db_column_int64(s, 2);
	x->candidate_id = db_column_int64(s, 3);
	x->intended_use = st_col_text(s, 4);
	x->integration = st_col_text(s, 5);
	x->curator = st_col_text(s, 6);
	x->created = db_column_int64(s, 7);
	x->updated = db_column_int64(s, 8);
}

int store_selections(struct store *st, int64_t project_id, struct lb_selection_list *out)
{
	db_stmt *s;
	void *v = NULL;
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = st_exists(st, "project", project_id);
	if (rc)
		return rc;
	s = st_prep(st, "SELECT id, project_id, brief_id, candidate_id, intended_use, integration, curator,"
			" created, updated FROM selection WHERE project_id = ? ORDER BY brief_id, id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, project_id);
	rc = st_list_rows(st, s, selection_row, &v, &out->n, sizeof *out->v, "listing selections");
	out->v = v;
	if (rc)
		lb_selection_list_free(out);
	return rc;
}
