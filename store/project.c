/*
 * project.c - projects: the top of the tree, with their counts.
 */
#include "config.h"

#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "store-private.h"

int store_project_add(struct store *st, const char *name, const char *description, int64_t *id)
{
	db_stmt *s;
	char *slug, *try = NULL;
	int rc, n;

	if (name == NULL || *name == '\0' || strlen(name) > 200)
		return st_fail(st, STORE_EINVAL, "a project needs a name of 1 to 200 bytes");
	if (!util_text_is_clean(name, strlen(name)))
		return st_fail(st, STORE_EINVAL, "a project name must be UTF-8 text without control characters");
	rc = st_begin(st);
	if (rc)
		return rc;
	slug = util_slug(name);
	/* Slugs are unique: "autumn-campaign", then "autumn-campaign-2", ... */
	for (n = 1; rc == 0; n++) {
		free(try);
		try = n == 1 ? xstrdup(slug) : xasprintf("%s-%d", slug, n);
		s = st_prep(st, "SELECT 1 FROM project WHERE slug = ?");
		if (s == NULL) {
			rc = STORE_EIO;
			break;
		}
		st_bind_text(s, 1, try);
		if (db_step(s) != DB_ROW)
			break;
	}
	if (rc == 0) {
		s = st_prep(st, "INSERT INTO project (name, slug, description, created) VALUES (?, ?, ?, ?)");
		if (s == NULL)
			rc = STORE_EIO;
	}
	if (rc == 0) {
		st_bind_text(s, 1, name);
		st_bind_text(s, 2, try);
		st_bind_text(s, 3, description ? description : "");
		db_bind_int64(s, 4, util_now());
		rc = st_step_done(st, s, "adding the project");
	}
	if (rc == 0) {
		*id = db_last_insert_rowid(st->db);
		rc = st_event(st, "project-add", "project", *id, 0, NULL, NULL, 0);
	}
	free(slug);
	free(try);
	return st_end(st, rc);
}

int store_project_find(struct store *st, const char *ref, int64_t *id)
{
	db_stmt *s;
	long long v;
	int rc;

	if (util_parse_int(ref, 1, INT64_MAX, &v) == 0) {
		rc = st_exists(st, "project", v);
		if (rc == 0)
			*id = v;
		return rc;
	}
	s = st_prep(st, "SELECT id FROM project WHERE slug = ? OR name = ? ORDER BY id LIMIT 1");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, ref);
	st_bind_text(s, 2, ref);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*id = db_column_int64(s, 0);
		db_reset(s);
		return 0;
	}
	db_reset(s);
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, "finding the project");
	return st_fail(st, STORE_ENOTFOUND, "no project '%s'; list them with 'lightbox project ls'", ref);
}

#define PROJECT_COLS                                                                            \
	"p.id, p.name, p.slug, p.description, p.archived, p.created, "                          \
	"(SELECT count(*) FROM brief b WHERE b.project_id = p.id AND NOT b.archived), "         \
	"(SELECT count(*) FROM candidate c JOIN brief b ON c.brief_id = b.id "                 \
	"  WHERE b.project_id = p.id), "                                                        \
	"(SELECT count(*) FROM selection s WHERE s.project_id = p.id) "

void st_project_row(db_stmt *s, void *out)
{
	struct lb_project *p = out;

	p->id = db_column_int64(s, 0);
	p->name = st_col_text(s, 1);
	p->slug = st_col_text(s, 2);
	p->description = st_col_text(s, 3);
	p->archived = db_column_int(s, 4);
	p->created = db_column_int64(s, 5);
	p->n_briefs = db_column_int64(s, 6);
	p->n_candidates = db_column_int64(s, 7);
	p->n_selected = db_column_int64(s, 8);
}

int store_project_get(struct store *st, int64_t id, struct lb_project *out)
{
	db_stmt *s = st_prep(st, "SELECT " PROJECT_COLS "FROM project p WHERE p.id = ?");

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	return st_get_row(st, s, st_project_row, out, "project", id, "reading the project");
}

int store_project_list(struct store *st, int include_archived, struct lb_project_list *out)
{
	return st_project_list(st, "SELECT " PROJECT_COLS "FROM project p WHERE ? OR NOT p.archived ORDER BY p.id",
			       include_archived, out);
}

int st_project_list(struct store *st, const char *sql, int include_archived, struct lb_project_list *out)
{
	db_stmt *s = st_prep(st, sql);
	void *v = NULL;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int(s, 1, include_archived);
	rc = st_list_rows(st, s, st_project_row, &v, &out->n, sizeof *out->v, "listing projects");
	out->v = v;
	if (rc)
		lb_project_list_free(out);
	return rc;
}

int store_project_archive(struct store *st, int64_t id, int archived)
{
	return st_archive(st, "project", id, archived);
}
