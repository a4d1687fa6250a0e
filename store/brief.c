/*
 * brief.c - briefs and their revisions.  The brief row holds the current
 * revision's fields; every edit adds a brief_revision, so a candidate
 * always points at the exact text it was generated from.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

static int fields_check(struct store *st, const struct lb_brief_fields *f)
{
	json_t *j;
	json_error_t e;

	if (f->title == NULL || *f->title == '\0')
		return st_fail(st, STORE_EINVAL, "a brief needs a title");
	if (strlen(f->title) > 500 || !util_text_is_clean(f->title, strlen(f->title)))
		return st_fail(st, STORE_EINVAL, "a brief title must be one line of UTF-8 text (at most 500 bytes)");
	if (f->modality < 0 || f->modality > LB_VIDEO)
		return st_fail(st, STORE_EINVAL, "modality must be image, text, audio or video");
	if (f->params && *f->params) {
		j = json_loads(f->params, JSON_REJECT_DUPLICATES, &e);
		if (j == NULL || !json_is_object(j)) {
			json_decref(j);
			return st_fail(st, STORE_EINVAL,
				       "brief parameters must be a JSON object like {\"steps\": 30}: %s",
				       j ? "not an object" : e.text);
		}
		json_decref(j);
	}
	return 0;
}

/* Parameters in one canonical form (compact, keys sorted) so that an
 * unchanged brief compares equal whatever the spacing.  Owned. */
static char *canon_params(const char *params)
{
	json_t *j = json_loads(params && *params ? params : "{}", 0, NULL);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return s ? s : xstrdup("{}");
}

static char *fts_text(const struct lb_brief_fields *f)
{
	return xasprintf("%s\n%s\n%s\n%s\n%s", nz(f->title), nz(f->prompt), nz(f->negative),
			 nz(f->constraints), nz(f->refs));
}

/* Adds revision `rev` of brief `id` from f and makes it current. */
static int add_revision(struct store *st, int64_t id, int rev, const struct lb_brief_fields *f,
			int64_t *rev_id)
{
	db_stmt *s;
	char *text, *params;
	int rc;

	s = st_prep(st, "INSERT INTO brief_revision (brief_id, rev, title, modality, prompt, negative,"
			" params, constraints, refs, backend, author, created)"
			" VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	db_bind_int(s, 2, rev);
	st_bind_text(s, 3, f->title);
	st_bind_text(s, 4, lb_modality_name(f->modality));
	st_bind_text(s, 5, nz(f->prompt));
	st_bind_text(s, 6, nz(f->negative));
	params = canon_params(f->params);
	st_bind_text(s, 7, params);
	free(params);
	st_bind_text(s, 8, nz(f->constraints));
	st_bind_text(s, 9, nz(f->refs));
	st_bind_text(s, 10, nz(f->backend));
	st_bind_text(s, 11, st->curator);
	db_bind_int64(s, 12, util_now());
	rc = st_step_done(st, s, "saving the brief revision");
	if (rc)
		return rc;
	*rev_id = db_last_insert_rowid(st->db);
	s = st_prep(st, "INSERT INTO revision_fts (rowid, text) VALUES (?, ?)");
	if (s == NULL)
		return STORE_EIO;
	text = fts_text(f);
	db_bind_int64(s, 1, *rev_id);
	st_bind_text(s, 2, text);
	rc = st_step_done(st, s, "indexing the brief");
	free(text);
	return rc;
}

/* Copies a revision's fields into the brief row and makes it current. */
int st_brief_set_current(struct store *st, int64_t brief_id, int64_t rev_id)
{
	db_stmt *s = st_prep(
		st, "UPDATE brief SET (revision_id, rev, title, modality, prompt, negative, params,"
		    " constraints, refs, backend, updated) = (SELECT id, rev, title, modality, prompt,"
		    " negative, params, constraints, refs, backend, ? FROM brief_revision WHERE id = ?)"
		    " WHERE id = ?");

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, util_now());
	db_bind_int64(s, 2, rev_id);
	db_bind_int64(s, 3, brief_id);
	return st_step_done(st, s, "updating the brief");
}

int store_brief_add(struct store *st, int64_t project_id, const struct lb_brief_fields *f, int64_t *id)
{
	db_stmt *s;
	int64_t rev_id, now = util_now();
	int rc = fields_check(st, f);

	if (rc)
		return rc;
	rc = st_begin(st);
	if (rc)
		return rc;
	rc = st_exists(st, "project", project_id);
	if (rc == 0) {
		s = st_prep(st, "INSERT INTO brief (project_id, title, modality, created, updated)"
				" VALUES (?, ?, ?, ?, ?)");
		if (s == NULL)
			return st_end(st, STORE_EIO);
		db_bind_int64(s, 1, project_id);
		st_bind_text(s, 2, f->title);
		st_bind_text(s, 3, lb_modality_name(f->modality));
		db_bind_int64(s, 4, now);
		db_bind_int64(s, 5, now);
		rc = st_step_done(st, s, "adding the brief");
	}
	if (rc == 0) {
		*id = db_last_insert_rowid(st->db);
		rc = add_revision(st, *id, 1, f, &rev_id);
	}
	if (rc == 0)
		rc = st_brief_set_current(st, *id, rev_id);
	if (rc == 0)
		rc = st_event(st, "brief-add", "brief", *id, 0, NULL, NULL, 0);
	return st_end(st, rc);
}

static int fields_equal(const struct lb_brief_fields *a, const struct lb_brief_fields *b)
{
	char *pa = canon_params(a->params), *pb = canon_params(b->params);
	int same = strcmp(pa, pb) == 0;

	free(pa);
	free(pb);
	return same && strcmp(nz(a->title), nz(b->title)) == 0 && a->modality == b->modality &&
	       strcmp(nz(a->prompt), nz(b->prompt)) == 0 && strcmp(nz(a->negative), nz(b->negative)) == 0 &&
	       strcmp(nz(a->constraints), nz(b->constraints)) == 0 && strcmp(nz(a->refs), nz(b->refs)) == 0 &&
	       strcmp(nz(a->backend), nz(b->backend)) == 0;
}

int store_brief_edit(struct store *st, int64_t id, const struct lb_brief_fields *f, int *changed)
{
	struct lb_brief cur;
	db_stmt *s;
	int64_t rev_id;
	char before[64], after[64];
	int rc = fields_check(st, f), next = 0;

	*changed = 0;
	if (rc)
		return rc;
	rc = st_begin(st);
	if (rc)
		return rc;
	rc = store_brief_get(st, id, &cur);
	if (rc == 0 && !fields_equal(&cur.f, f)) {
		s = st_prep(st, "SELECT max(rev) FROM brief_revision WHERE brief_id = ?");
		if (s == NULL) {
			rc = STORE_EIO;
		} else {
			db_bind_int64(s, 1, id);
			if (db_step(s) == DB_ROW)
				next = db_column_int(s, 0) + 1;
			db_reset(s);
			rc = add_revision(st, id, next, f, &rev_id);
		}
		if (rc == 0)
			rc = st_brief_set_current(st, id, rev_id);
		if (rc == 0) {
			snprintf(before, sizeof before, "{\"revision_id\":%lld}", (long long)cur.revision_id);
			snprintf(after, sizeof after, "{\"revision_id\":%lld}", (long long)rev_id);
			rc = st_event(st, "brief-edit", "brief", id, 0, before, after, 1);
		}
		if (rc == 0)
			*changed = 1;
	}
	lb_brief_clear(&cur);
	return st_end(st, rc);
}

#define BRIEF_COLS                                                                               \
	"b.id, b.project_id, b.revision_id, b.rev, b.title, b.modality, b.prompt, b.negative,"   \
	" b.params, b.constraints, b.refs, b.backend, b.archived, b.created, b.updated,"         \
	" (SELECT count(*) FROM candidate c WHERE c.brief_id = b.id),"                          \
	" (SELECT count(*) FROM rating r WHERE r.brief_id = b.id AND r.curator = ?1),"           \
	" (SELECT count(DISTINCT r.candidate_id) FROM rating r WHERE r.brief_id = b.id"          \
	"   AND r.flag = 'pick'" ST_VISIBLE_TO("b.id", "r.candidate_id", "r.curator", "?1") "),"   \
	" (SELECT count(*) FROM selection s WHERE s.brief_id = b.id), b.blind "

static void fields_row(db_stmt *s, int col, struct lb_brief_fields *f)
{
	f->title = st_col_text(s, col);
	f->modality = lb_modality_parse((const char *)db_column_text(s, col + 1));
	if (f->modality < 0)
		f->modality = LB_IMAGE;
	f->prompt = st_col_text(s, col + 2);
	f->negative = st_col_text(s, col + 3);
	f->params = st_col_text(s, col + 4);
	f->constraints = st_col_text(s, col + 5);
	f->refs = st_col_text(s, col + 6);
	f->backend = st_col_text(s, col + 7);
}

static void brief_row(db_stmt *s, void *out)
{
	struct lb_brief *b = out;

	b->id = db_column_int64(s, 0);
	b->project_id = db_column_int64(s, 1);
	b->revision_id = db_column_int64(s, 2);
	b->rev = db_column_int(s, 3);
	fields_row(s, 4, &b->f);
	b->archived = db_column_int(s, 12);
	b->created = db_column_int64(s, 13);
	b->updated = db_column_int64(s, 14);
	b->n_candidates = db_column_int64(s, 15);
	b->n_rated_by_me = db_column_int64(s, 16);
	b->n_picked = db_column_int64(s, 17);
	b->n_selected = db_column_int64(s, 18);
	b->blind = db_column_int(s, 19);
}

int store_brief_get(struct store *st, int64_t id, struct lb_brief *out)
{
	db_stmt *s = st_prep(st, "SELECT " BRIEF_COLS "FROM brief b WHERE b.id = ?2");

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, st->curator);
	db_bind_int64(s, 2, id);
	return st_get_row(st, s, brief_row, out, "brief", id, "reading the brief");
}

int store_brief_list(struct store *st, int64_t project_id, int include_archived, struct lb_brief_list *out)
{
	db_stmt *s;
	void *v = NULL;
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = st_exists(st, "project", project_id);
	if (rc)
		return rc;
	s = st_prep(st, "SELECT " BRIEF_COLS
			"FROM brief b WHERE b.project_id = ?2 AND (?3 OR NOT b.archived) ORDER BY b.id");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, st->curator);
	db_bind_int64(s, 2, project_id);
	db_bind_int(s, 3, include_archived);
	rc = st_list_rows(st, s, brief_row, &v, &out->n, sizeof *out->v, "listing briefs");
	out->v = v;
	if (rc)
		lb_brief_list_free(out);
	return rc;
}

#define REV_COLS                                                                                \
	"id, brief_id, rev, title, modality, prompt, negative, params, constraints, refs, backend," \
	" author, created "

static void revision_row(db_stmt *s, void *out)
{
	struct lb_revision *r = out;

	r->id = db_column_int64(s, 0);
	r->brief_id = db_column_int64(s, 1);
	r->rev = db_column_int(s, 2);
	fields_row(s, 3, &r->f);
	r->author = st_col_text(s, 11);
	r->created = db_column_int64(s, 12);
}

int store_revision_get(struct store *st, int64_t revision_id, struct lb_revision *out)
{
	db_stmt *s = st_prep(st, "SELECT " REV_COLS "FROM brief_revision WHERE id = ?");

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, revision_id);
	return st_get_row(st, s, revision_row, out, "brief_revision", revision_id, "reading the brief revision");
}

int store_brief_revisions(struct store *st, int64_t id, struct lb_revision_list *out)
{
	db_stmt *s;
	void *v = NULL;
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = st_exists(st, "brief", id);
	if (rc)
		return rc;
	s = st_prep(st, "SELECT " REV_COLS "FROM brief_revision WHERE brief_id = ? ORDER BY rev");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	rc = st_list_rows(st, s, revision_row, &v, &out->n, sizeof *out->v, "listing brief revisions");
	out->v = v;
	if (rc)
		lb_revision_list_free(out);
	return rc;
}

int store_brief_blind(struct store *st, int64_t id, int on)
{
	db_stmt *s;
	int rc = st_exists(st, "brief", id);

	if (rc)
		return rc;
	rc = st_begin(st);
	if (rc)
		return rc;
	s = st_prep(st, "UPDATE brief SET blind = ? WHERE id = ?");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	db_bind_int(s, 1, on != 0);
	db_bind_int64(s, 2, id);
	rc = st_step_done(st, s, "setting blind review");
	if (rc == 0)
		rc = st_event(st, "brief-blind", "brief", id, 0, NULL, on ? "{\"blind\":true}" : "{\"blind\":false}", 0);
	return st_end(st, rc);
}

/* The 0/1 that sql (?1 = a, ?2 = b, ?3 = the curator) selects; 1 (hide)
 * when it cannot be read, 0 when there is no row. */
static int blind_ask(struct store *st, const char *sql, int64_t a, int64_t b)
{
	db_stmt *s = st_prep(st, sql);
	int v = 0;

	if (s == NULL)
		return 1;
	db_bind_int64(s, 1, a);
	db_bind_int64(s, 2, b);
	st_bind_text(s, 3, st->curator);
	if (db_step(s) == DB_ROW)
		v = db_column_int(s, 0);
	db_reset(s);
	return v;
}

int st_blind_hides(struct store *st, int64_t brief_id, int64_t candidate_id)
{
	return blind_ask(st, "SELECT b.blind AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.brief_id = b.id"
			     " AND r.candidate_id = ?2 AND r.curator = ?3) FROM brief b WHERE b.id = ?1",
			 brief_id, candidate_id);
}

int st_scope_blind(struct store *st, int64_t brief_id, int64_t project_id)
{
	return blind_ask(st, "SELECT ?3 IS NOT NULL AND EXISTS (SELECT 1 FROM brief WHERE blind"
			     " AND (?1 = 0 OR id = ?1) AND (?1 <> 0 OR ?2 = 0 OR project_id = ?2))",
			 brief_id, project_id);
}

int store_brief_archive(struct store *st, int64_t id, int archived)
{
	return st_archive(st, "brief", id, archived);
}
