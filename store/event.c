/*
 * event.c - the audit log and undo/redo.
 *
 * Every change appends an event (who, when, what, the entity's state
 * before and after, as JSON).  Events of one action or batch share a
 * group; undo takes the curator's newest group not yet undone and puts
 * each entity back to its `before` state, after checking that it still
 * is in its `after` state (else another curator changed it: conflict,
 * nothing done).  Redo is the mirror image, allowed while the curator has
 * done nothing new since the undo.  Undo and redo are logged too.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

int st_event(struct store *st, const char *action, const char *entity, int64_t entity_id, int64_t candidate_id,
	     const char *before, const char *after, int undoable)
{
	db_stmt *s;
	int rc;

	s = st_prep(st, "INSERT INTO event (at, curator, action, entity, entity_id, candidate_id, before, after,"
			" group_id, undoable, login) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, util_now());
	st_bind_text(s, 2, st->curator);
	st_bind_text(s, 3, st->batch_label && undoable ? st->batch_label : action);
	st_bind_text(s, 4, entity);
	db_bind_int64(s, 5, entity_id);
	if (candidate_id)
		db_bind_int64(s, 6, candidate_id);
	st_bind_text(s, 7, before);
	st_bind_text(s, 8, after);
	/* The first event of a transaction names the group (group_id NULL
	 * means "this event's own id"); the others point at it. */
	if (st->group)
		db_bind_int64(s, 9, st->group);
	db_bind_int(s, 10, undoable);
	st_bind_text(s, 11, st->login);
	rc = st_step_done(st, s, "writing the audit log");
	if (rc == 0 && st->group == 0)
		st->group = db_last_insert_rowid(st->db);
	return rc;
}

/* ------------------------------------------------------------ entity states */

static int flag_state(struct store *st, const char *table, int64_t id, char **json)
{
	char sql[80];
	db_stmt *s;
	int rc;

	snprintf(sql, sizeof sql, "SELECT archived FROM %s WHERE id = ?", table);
	s = st_prep(st, sql);
	*json = NULL;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		*json = xasprintf("{\"archived\":%d}", db_column_int(s, 0));
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the log");
}

static int flag_restore(struct store *st, const char *table, int64_t id, const char *json)
{
	char sql[80];
	json_t *j = json_loads(json ? json : "", 0, NULL);
	db_stmt *s;
	int v = json_integer_value(json_object_get(j, "archived")) ? 1 : 0;

	json_decref(j);
	snprintf(sql, sizeof sql, "UPDATE %s SET archived = ? WHERE id = ?", table);
	s = st_prep(st, sql);
	if (s == NULL)
		return STORE_EIO;
	db_bind_int(s, 1, v);
	db_bind_int64(s, 2, id);
	return st_step_done(st, s, "writing the archived flag");
}

int st_archive(struct store *st, const char *table, int64_t id, int archived)
{
	char *before = NULL, after[32], entity[32];
	int rc;

	snprintf(after, sizeof after, "{\"archived\":%d}", archived ? 1 : 0);
	snprintf(entity, sizeof entity, "%s.archived", table);
	rc = st_begin(st);
	if (rc == 0)
		rc = st_exists(st, table, id);
	if (rc == 0)
		rc = flag_state(st, table, id, &before);
	if (rc == 0 && strcmp(before, after) != 0) {
		rc = flag_restore(st, table, id, after);
		if (rc == 0)
			rc = st_event(st, archived ? "archive" : "unarchive", entity, id, 0, before, after, 1);
	}
	free(before);
	return st_end(st, rc);
}

static int brief_state(struct store *st, int64_t id, char **json)
{
	db_stmt *s = st_prep(st, "SELECT revision_id FROM brief WHERE id = ?");
	int rc;

	*json = NULL;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		*json = xasprintf("{\"revision_id\":%lld}", (long long)db_column_int64(s, 0));
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the brief");
}

static int brief_restore(struct store *st, int64_t id, const char *json)
{
	json_t *j = json_loads(json ? json : "", 0, NULL);
	int64_t rev = json_integer_value(json_object_get(j, "revision_id"));

	json_decref(j);
	if (rev <= 0)
		return st_fail(st, STORE_EIO, "the audit log holds a damaged brief entry");
	return st_brief_set_current(st, id, rev);
}

static char *tag_of(const struct lb_event *e)
{
	json_t *j = json_loads(e->after ? e->after : e->before ? e->before : "", 0, NULL);
	const char *t = json_string_value(json_object_get(j, "tag"));
	char *name = xstrdup(t);

	json_decref(j);
	return name;
}

static char *curator_of(const char *json)
{
	json_t *j = json_loads(json ? json : "", 0, NULL);
	char *c = xstrdup(json_string_value(json_object_get(j, "curator")));

	json_decref(j);
	return c;
}

static int note_exists(struct store *st, int64_t id, int *has)
{
	db_stmt *s = st_prep(st, "SELECT 1 FROM note WHERE id = ?");
	int rc;

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	*has = rc == DB_ROW;
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the note");
}

static int same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Whether entity of e is in state `want` (e->before or e->after). */
static int in_state(struct store *st, const struct lb_event *e, const char *want, int *yes)
{
	char *cur = NULL, *name;
	int rc = 0, has = 0;

	*yes = 0;
	if (strcmp(e->entity, "rating") == 0) {
		rc = st_rating_state(st, e->entity_id, e->curator, &cur);
		*yes = same(cur, want);
	} else if (strcmp(e->entity, "selection") == 0) {
		rc = st_selection_state(st, e->entity_id, &cur);
		*yes = (cur == NULL) == (want == NULL);
	} else if (strcmp(e->entity, "candidate_tag") == 0) {
		name = tag_of(e);
		rc = name ? st_tag_present(st, e->entity_id, name, &has) : STORE_EIO;
		*yes = has == (want != NULL);
		free(name);
	} else if (strcmp(e->entity, "note") == 0) {
		rc = note_exists(st, e->entity_id, &has);
		*yes = has == (want != NULL);
	} else if (strcmp(e->entity, "comparison") == 0) {
		rc = st_comparison_state(st, e->entity_id, &cur);
		*yes = (cur == NULL) == (want == NULL);
	} else if (strcmp(e->entity, "brief") == 0) {
		rc = brief_state(st, e->entity_id, &cur);
		*yes = same(cur, want);
	} else if (strcmp(e->entity, "project.archived") == 0 || strcmp(e->entity, "brief.archived") == 0) {
		rc = flag_state(st, strcmp(e->entity, "brief.archived") == 0 ? "brief" : "project", e->entity_id,
				&cur);
		*yes = same(cur, want);
	} else {
		rc = st_fail(st, STORE_EIO, "cannot undo a '%s' change", e->entity);
	}
	free(cur);
	return rc;
}

/* Puts the entity of e into state `to`. */
static int put_state(struct store *st, const struct lb_event *e, const char *to)
{
	char *name, *who;
	int rc;

	if (strcmp(e->entity, "rating") == 0)
		return st_rating_restore(st, e->entity_id, e->curator, to);
	if (strcmp(e->entity, "selection") == 0)
		return st_selection_restore(st, e->entity_id, to);
	if (strcmp(e->entity, "candidate_tag") == 0) {
		name = tag_of(e);
		who = curator_of(to);
		rc = st_tag_set(st, e->entity_id, name, to != NULL, who ? who : e->curator);
		free(name);
		free(who);
		return rc;
	}
	if (strcmp(e->entity, "note") == 0)
		return to ? st_note_restore(st, e->entity_id, e->curator, to) : st_note_delete(st, e->entity_id);
	if (strcmp(e->entity, "comparison") == 0)
		return st_comparison_restore(st, e->entity_id, to, e->after ? e->after : e->before);
	if (strcmp(e->entity, "brief") == 0)
		return brief_restore(st, e->entity_id, to);
	return flag_restore(st, strcmp(e->entity, "brief.archived") == 0 ? "brief" : "project", e->entity_id, to);
}

/* ------------------------------------------------------------ reading events */

#define EVENT_COLS "id, at, curator, action, entity, entity_id, before, after, group_id, undone, login "

static void event_row(db_stmt *s, void *out)
{
	struct lb_event *e = out;

	e->id = db_column_int64(s, 0);
	e->at = db_column_int64(s, 1);
	e->curator = st_col_text(s, 2);
	e->action = st_col_text(s, 3);
	e->entity = st_col_text(s, 4);
	e->entity_id = db_column_int64(s, 5);
	e->before = st_col_text_or_null(s, 6);
	e->after = st_col_text_or_null(s, 7);
	e->group_id = db_column_int64(s, 8);
	e->undone = db_column_int(s, 9);
	e->login = st_col_text(s, 10);
}

static int read_events(struct store *st, db_stmt *s, struct lb_event_list *out)
{
	void *v = NULL;
	int rc;

	out->n = 0;
	rc = st_list_rows(st, s, event_row, &v, &out->n, sizeof *out->v, "reading the log");
	out->v = v;
	if (rc)
		lb_event_list_free(out);
	return rc;
}

static char *describe(const struct lb_event_list *g, int n_more)
{
	const struct lb_event *e = &g->v[0];
	char *s, *what;

	if (strcmp(e->entity, "rating") == 0)
		what = xasprintf("%s of #%lld (%s -> %s)", e->action, (long long)e->entity_id,
				 e->before ? e->before : "none", e->after ? e->after : "none");
	else if (strcmp(e->entity, "candidate_tag") == 0) {
		char *t = tag_of(e);
		what = xasprintf("%s '%s' on #%lld", e->action, t ? t : "?", (long long)e->entity_id);
		free(t);
	} else if (strcmp(e->entity, "comparison") == 0) {
		json_t *j = json_loads(e->after ? e->after : e->before ? e->before : "", 0, NULL);
		what = xasprintf("judgement #%lld vs #%lld (%s)",
				 (long long)json_integer_value(json_object_get(j, "left_id")),
				 (long long)json_integer_value(json_object_get(j, "right_id")),
				 json_string_value(json_object_get(j, "verdict")) ?: "?");
		json_decref(j);
	} else
		what = xasprintf("%s (%s %lld)", e->action, e->entity, (long long)e->entity_id);
	if (n_more > 0)
		s = xasprintf("%s and %d more", what, n_more);
	else
		s = xstrdup(what);
	free(what);
	return s;
}

/* Applies the group of events: undo (to before) or redo (to after).
 * The marker event is "undo" or "redo", or marker when given. */
static int apply_group(struct store *st, int64_t group, int undo, const char *marker, char **what)
{
	struct lb_event_list g;
	db_stmt *s;
	size_t i;
	int rc, yes;
	char note[64];

	/* A group's events are consecutive (one transaction of one writer). */
	s = st_prep(st, "SELECT " EVENT_COLS "FROM event WHERE id >= ?1 AND coalesce(group_id, id) = ?1"
			" AND undoable = 1 ORDER BY id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, group);
	rc = read_events(st, s, &g);
	if (rc)
		return rc;
	if (g.n == 0) {
		lb_event_list_free(&g);
		return st_fail(st, STORE_EEMPTY, "nothing to %s", undo ? "undo" : "redo");
	}
	/* Check every entity first: all or nothing. */
	for (i = 0; i < g.n && rc == 0; i++) {
		const struct lb_event *e = &g.v[undo ? g.n - 1 - i : i];
		rc = in_state(st, e, undo ? e->after : e->before, &yes);
		if (rc == 0 && !yes)
			rc = st_fail(st, STORE_ECONFLICT,
				     "cannot %s %s: it was changed since by someone else; nothing was changed",
				     undo ? "undo" : "redo", e->action);
	}
	for (i = 0; i < g.n && rc == 0; i++) {
		const struct lb_event *e = &g.v[undo ? g.n - 1 - i : i];
		rc = put_state(st, e, undo ? e->before : e->after);
	}
	if (rc == 0) {
		/* A bulk change in chunks may have others' events between its own. */
		s = st_prep(st, "UPDATE event SET undone = ?1 WHERE id BETWEEN ?2 AND ?3"
				" AND coalesce(group_id, id) = ?2");
		if (s == NULL)
			rc = STORE_EIO;
		else {
			db_bind_int(s, 1, undo);
			db_bind_int64(s, 2, g.v[0].id);
			db_bind_int64(s, 3, g.v[g.n - 1].id);
			rc = st_step_done(st, s, "updating the log");
		}
	}
	if (rc == 0) {
		snprintf(note, sizeof note, "{\"group\":%lld}", (long long)group);
		rc = st_event(st, marker ? marker : undo ? "undo" : "redo", "event", group, 0, NULL, note, 2);
	}
	if (rc == 0 && what)
		*what = describe(&g, (int)g.n - 1);
	lb_event_list_free(&g);
	return rc;
}

int store_undo(struct store *st, char **what)
{
	db_stmt *s;
	int64_t group = 0;
	int rc;

	if (what)
		*what = NULL;
	if (st->depth > 0)
		return st_fail(st, STORE_EINVAL, "cannot undo inside a batch");
	rc = st_begin(st);
	if (rc)
		return rc;
	/* My newest undoable event not undone yet, walking back over undo
	 * markers and undone steps (the partial index holds only these). */
	s = st_prep(st, "SELECT coalesce(group_id, id) FROM event WHERE curator = ?1 AND undoable = 1"
			" AND NOT undone AND login IN (?2, '') ORDER BY id DESC LIMIT 1");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	st_bind_text(s, 1, st->curator);
	st_bind_text(s, 2, st->login);
	if (db_step(s) == DB_ROW)
		group = db_column_int64(s, 0);
	db_reset(s);
	if (group == 0)
		rc = st_fail(st, STORE_EEMPTY, "nothing to undo for %s", st->curator);
	else
		rc = apply_group(st, group, 1, NULL, what);
	rc = st_end(st, rc);
	if (rc && what)
		xfree(what);
	return rc;
}

int store_undo_group(struct store *st, int64_t group, char **what)
{
	int rc;

	if (what)
		*what = NULL;
	if (st->depth > 0)
		return st_fail(st, STORE_EINVAL, "cannot undo inside a batch");
	rc = st_begin(st);
	if (rc)
		return rc;
	/* "rollback", not "undo": redo does not bring a cancelled change back. */
	rc = st_end(st, apply_group(st, group, 1, "rollback", what));
	if (rc && what)
		xfree(what);
	return rc;
}

int store_redo(struct store *st, char **what)
{
	db_stmt *s;
	int64_t group = 0, undo_id = 0, newest = 0;
	int rc;

	if (what)
		*what = NULL;
	if (st->depth > 0)
		return st_fail(st, STORE_EINVAL, "cannot redo inside a batch");
	rc = st_begin(st);
	if (rc)
		return rc;
	/* Walking my undo-related events newest first: an undo marker whose
	 * step is still undone is what to redo, unless a new undoable change
	 * of mine comes before it. */
	s = st_prep(st, "SELECT e.id, e.undoable, e.undone, e.action, e.entity_id, (SELECT g.undone FROM event g"
			" WHERE g.id = e.entity_id) FROM event e WHERE e.curator = ?1 AND e.undoable"
			" AND e.login IN (?2, '') ORDER BY e.id DESC");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	st_bind_text(s, 1, st->curator);
	st_bind_text(s, 2, st->login);
	while (db_step(s) == DB_ROW) {
		int kind = db_column_int(s, 1), undone = db_column_int(s, 2);
		const char *action = (const char *)db_column_text(s, 3);
		if (kind == 1 && !undone) {
			newest = db_column_int64(s, 0);
			break;
		}
		if (kind == 2 && action && strcmp(action, "undo") == 0 && db_column_int(s, 5)) {
			undo_id = db_column_int64(s, 0);
			group = db_column_int64(s, 4);
			break;
		}
	}
	db_reset(s);
	if (group == 0 || newest > undo_id)
		rc = st_fail(st, STORE_EEMPTY, "nothing to redo for %s", st->curator);
	else
		rc = apply_group(st, group, 0, NULL, what);
	rc = st_end(st, rc);
	if (rc && what)
		xfree(what);
	return rc;
}

int store_log(struct store *st, const struct lb_log_filter *f, int limit, struct lb_event_list *out)
{
	static const struct lb_log_filter none;
	db_stmt *s;

	if (f == NULL)
		f = &none;
	s = st_prep(st, "SELECT " EVENT_COLS "FROM event WHERE (?1 IS NULL OR curator = ?1)"
			" AND (?2 = 0 OR candidate_id = ?2) AND (?3 = 0 OR id < ?3)"
			/* blind review: no one else's judgement of a candidate I have not judged */
			" AND (coalesce(candidate_id, 0) = 0 OR (1"
			ST_VISIBLE_TO("(SELECT ec.brief_id FROM candidate ec WHERE ec.id = event.candidate_id)",
				      "event.candidate_id", "event.curator", "?5") "))"
			" ORDER BY id DESC LIMIT ?4");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, f->curator);
	db_bind_int64(s, 2, f->candidate_id);
	db_bind_int64(s, 3, f->before_id);
	db_bind_int(s, 4, limit > 0 ? limit : 50);
	st_bind_text(s, 5, st->curator);
	return read_events(st, s, out);
}
