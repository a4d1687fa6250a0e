/*
 * saved-view.c - saved views: a named query with its sort, for one
 * project or (project 0) the whole store, shared by the team with its
 * author.  A project's view hides a store-wide one of the same name.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

void lb_saved_view_clear(struct lb_saved_view *v)
{
	free(v->name);
	free(v->query);
	free(v->sort);
	free(v->author);
	memset(v, 0, sizeof *v);
}

void lb_saved_view_list_free(struct lb_saved_view_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		lb_saved_view_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int name_ok(struct store *st, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 64)
		return st_fail(st, STORE_EINVAL, "a view's name is 1 to 64 bytes long");
	if (!util_text_is_clean(name, n) || strchr(name, '\n') || strchr(name, '\t'))
		return st_fail(st, STORE_EINVAL, "a view's name must be UTF-8 text on one line, without control "
						 "characters");
	return 0;
}

#define VIEW_COLS "id, project_id, name, query, sort, author, created, updated"

static void view_row(db_stmt *s, struct lb_saved_view *v)
{
	v->id = db_column_int64(s, 0);
	v->project_id = db_column_int64(s, 1);
	v->name = st_col_text(s, 2);
	v->query = st_col_text(s, 3);
	v->sort = st_col_text(s, 4);
	v->author = st_col_text(s, 5);
	v->created = db_column_int64(s, 6);
	v->updated = db_column_int64(s, 7);
}

static char *view_json(const char *query, const char *sort)
{
	json_t *j = json_pack("{s:s, s:s}", "query", query, "sort", sort);
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

int store_view_save(struct store *st, int64_t project_id, const char *name, const char *query, const char *sort,
		    int *replaced)
{
	struct lb_saved_view old = { 0 };
	db_stmt *s;
	char *err = NULL, *before = NULL, *after;
	int rc, had;

	if (replaced)
		*replaced = 0;
	if (sort == NULL || *sort == '\0')
		sort = "oldest";
	rc = name_ok(st, name);
	if (rc)
		return rc;
	if (lb_sort_parse(sort) < 0)
		return st_fail(st, STORE_EINVAL, "unknown sort '%s': use oldest, newest, stars or score", sort);
	if (query == NULL || lb_query_check(query, &err) != 0) {
		rc = st_fail(st, STORE_EINVAL, "query: %s", err ? err : "missing");
		free(err);
		return rc;
	}
	if (project_id && (rc = st_exists(st, "project", project_id)) != 0)
		return rc;
	rc = st_begin(st);
	if (rc)
		return rc;
	had = store_view_get(st, project_id, name, 0, &old) == 0;
	if (had)
		before = view_json(old.query, old.sort);
	s = st_prep(st, "INSERT INTO saved_view (project_id, name, query, sort, author, created, updated)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (project_id, name) DO UPDATE SET"
			" query = ?3, sort = ?4, author = ?5, updated = ?6");
	if (s == NULL) {
		rc = STORE_EIO;
	} else {
		db_bind_int64(s, 1, project_id);
		st_bind_text(s, 2, name);
		st_bind_text(s, 3, query);
		st_bind_text(s, 4, sort);
		st_bind_text(s, 5, st->curator);
		db_bind_int64(s, 6, util_now());
		rc = st_step_done(st, s, "saving the view");
	}
	if (rc == 0) {
		after = view_json(query, sort);
		rc = st_event(st, "view-save", "saved_view",
			      had ? old.id : db_last_insert_rowid(st->db), 0, before, after, 0);
		free(after);
	}
	free(before);
	lb_saved_view_clear(&old);
	if (replaced && rc == 0)
		*replaced = had;
	return st_end(st, rc);
}

int store_view_get(struct store *st, int64_t project_id, const char *name, int fallback, struct lb_saved_view *out)
{
	db_stmt *s;
	int rc;

	memset(out, 0, sizeof *out);
	/* The project's own first, then (fallback) the store-wide one. */
	s = st_prep(st, "SELECT " VIEW_COLS " FROM saved_view WHERE name = ?1 AND (project_id = ?2"
			" OR (?3 AND project_id = 0)) ORDER BY project_id = 0 LIMIT 1");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, name);
	db_bind_int64(s, 2, project_id);
	db_bind_int(s, 3, fallback);
	rc = db_step(s);
	if (rc == DB_ROW)
		view_row(s, out);
	db_reset(s);
	if (rc == DB_ROW)
		return 0;
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, "reading saved views");
	{
		char *safe = util_visible_dup(name ? name : "", 0);
		rc = st_fail(st, STORE_ENOTFOUND, "no saved view '%s'%s; list them with 'lightbox view ls'", safe,
			     project_id ? " for this project" : "");
		free(safe);
	}
	return rc;
}

int store_view_rm(struct store *st, int64_t project_id, const char *name)
{
	struct lb_saved_view old;
	db_stmt *s;
	char *before;
	int rc = st_begin(st);

	if (rc)
		return rc;
	rc = store_view_get(st, project_id, name, 0, &old);
	if (rc == 0) {
		s = st_prep(st, "DELETE FROM saved_view WHERE id = ?");
		if (s == NULL) {
			rc = STORE_EIO;
		} else {
			db_bind_int64(s, 1, old.id);
			rc = st_step_done(st, s, "removing the view");
		}
		before = view_json(old.query, old.sort);
		if (rc == 0)
			rc = st_event(st, "view-rm", "saved_view", old.id, 0, before, NULL, 0);
		free(before);
		lb_saved_view_clear(&old);
	}
	return st_end(st, rc);
}

int store_views(struct store *st, int64_t project_id, struct lb_saved_view_list *out)
{
	db_stmt *s;
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	/* project_id -1: every view; else the project's and the store-wide. */
	s = st_prep(st, "SELECT " VIEW_COLS " FROM saved_view WHERE ?1 < 0 OR project_id IN (?1, 0)"
			" ORDER BY project_id = 0, name");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, project_id);
	while ((rc = db_step(s)) == DB_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		view_row(s, &out->v[out->n++]);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_saved_view_list_free(out);
		return st_sqlfail(st, rc, "reading saved views");
	}
	return 0;
}
