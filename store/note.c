/*
 * note.c - notes on a project, brief or candidate: comments, edit notes
 * and integration notes; searchable.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

static const char *target_col[] = { "project_id", "brief_id", "candidate_id" };
static const char *target_table[] = { "project", "brief", "candidate" };

/* Inserts a note row with a given id (0: a new one) and indexes it. */
int st_note_insert(struct store *st, int64_t id, int target, int64_t target_id, int kind, const char *body,
		   const char *curator, int64_t created, int64_t *out_id)
{
	char sql[200];
	db_stmt *s;
	int rc;

	snprintf(sql, sizeof sql, "INSERT INTO note (id, %s, kind, body, curator, created) VALUES (?,?,?,?,?,?)",
		 target_col[target]);
	s = st_prep(st, sql);
	if (s == NULL)
		return STORE_EIO;
	if (id)
		db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, target_id);
	st_bind_text(s, 3, lb_note_kind_name(kind));
	st_bind_text(s, 4, body);
	st_bind_text(s, 5, curator);
	db_bind_int64(s, 6, created);
	rc = st_step_done(st, s, "saving the note");
	if (rc)
		return rc;
	*out_id = db_last_insert_rowid(st->db);
	s = st_prep(st, "INSERT INTO note_fts (rowid, text) VALUES (?, ?)");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, *out_id);
	st_bind_text(s, 2, body);
	return st_step_done(st, s, "indexing the note");
}

int st_note_delete(struct store *st, int64_t id)
{
	db_stmt *s = st_prep(st, "DELETE FROM note WHERE id = ?");
	int rc;

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	rc = st_step_done(st, s, "removing the note");
	if (rc)
		return rc;
	s = st_prep(st, "DELETE FROM note_fts WHERE rowid = ?");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	return st_step_done(st, s, "removing the note");
}

int store_note_add(struct store *st, int target, int64_t target_id, int kind, const char *body, int64_t *id)
{
	json_t *j;
	char *after;
	int64_t now = util_now();
	int rc;

	if (target < LB_ON_PROJECT || target > LB_ON_CANDIDATE)
		return st_fail(st, STORE_EINVAL, "a note is on a project, a brief or a candidate");
	if (kind < LB_NOTE_COMMENT || kind > LB_NOTE_INTEGRATION)
		return st_fail(st, STORE_EINVAL, "a note is a comment, an edit or an integration note");
	if (body == NULL || *body == '\0' || !util_utf8_valid(body, strlen(body)))
		return st_fail(st, STORE_EINVAL, "a note needs some UTF-8 text");
	rc = st_begin(st);
	if (rc)
		return rc;
	rc = st_exists(st, target_table[target], target_id);
	if (rc == 0)
		rc = st_note_insert(st, 0, target, target_id, kind, body, st->curator, now, id);
	if (rc == 0) {
		j = json_pack("{s:s, s:I, s:s, s:s, s:I}", "on", target_table[target], "target_id",
			      (json_int_t)target_id, "kind", lb_note_kind_name(kind), "body", body, "created",
			      (json_int_t)now);
		after = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
		rc = st_event(st, "note", "note", *id, target == LB_ON_CANDIDATE ? target_id : 0, NULL, after, 1);
		free(after);
	}
	return st_end(st, rc);
}

/* Re-creates a note from its event payload (redo). */
int st_note_restore(struct store *st, int64_t id, const char *curator, const char *json)
{
	json_t *j = json_loads(json ? json : "", 0, NULL);
	const char *on, *kind, *body;
	json_int_t target_id, created;
	int target, rc;
	int64_t out;

	if (j == NULL || json_unpack(j, "{s:s, s:I, s:s, s:s, s:I}", "on", &on, "target_id", &target_id, "kind",
				     &kind, "body", &body, "created", &created) != 0) {
		json_decref(j);
		return st_fail(st, STORE_EIO, "the audit log holds a damaged note entry");
	}
	for (target = 0; target < 3 && strcmp(target_table[target], on) != 0; target++)
		;
	rc = target < 3 ? st_note_insert(st, id, target, target_id, lb_note_kind_parse(kind), body, curator,
					 created, &out)
			: st_fail(st, STORE_EIO, "the audit log holds a damaged note entry");
	json_decref(j);
	return rc;
}

int store_notes(struct store *st, int target, int64_t target_id, struct lb_note_list *out)
{
	char sql[200];
	db_stmt *s;
	size_t cap = 0;
	int64_t brief;
	int rc, hide = 0;

	out->v = NULL;
	out->n = 0;
	if (target < LB_ON_PROJECT || target > LB_ON_CANDIDATE)
		return st_fail(st, STORE_EINVAL, "a note is on a project, a brief or a candidate");
	/* Blind review: a candidate's notes are mine only until I judged it. */
	if (target == LB_ON_CANDIDATE && st_candidate_brief(st, target_id, &brief) == 0)
		hide = st_blind_hides(st, brief, target_id);
	snprintf(sql, sizeof sql,
		 "SELECT id, kind, body, curator, created FROM note WHERE %s = ?1 AND (NOT ?2 OR curator = ?3)"
		 " ORDER BY id",
		 target_col[target]);
	s = st_prep(st, sql);
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, target_id);
	db_bind_int(s, 2, hide);
	st_bind_text(s, 3, st->curator);
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_note *n;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 4;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		n = &out->v[out->n++];
		n->id = db_column_int64(s, 0);
		n->target = target;
		n->target_id = target_id;
		n->kind = lb_note_kind_parse((const char *)db_column_text(s, 1));
		n->body = st_col_text(s, 2);
		n->curator = st_col_text(s, 3);
		n->created = db_column_int64(s, 4);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_note_list_free(out);
		return st_sqlfail(st, rc, "reading notes");
	}
	return 0;
}
