/*
 * tag.c - free tags on candidates, shared by all curators, each use
 * remembering who added it and when.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

int st_tag_valid(struct store *st, const char *tag)
{
	size_t n = tag ? strlen(tag) : 0, i;

	if (n == 0 || n > 64)
		return st_fail(st, STORE_EINVAL, "a tag is 1 to 64 bytes long");
	if (!util_text_is_clean(tag, n))
		return st_fail(st, STORE_EINVAL, "a tag must be UTF-8 text without control characters");
	for (i = 0; i < n; i++)
		if (tag[i] == ' ' || tag[i] == ',' || tag[i] == '\t')
			return st_fail(st, STORE_EINVAL, "a tag cannot hold spaces or commas: '%s'", tag);
	return 0;
}

/* The id of tag name, created when create is set; 0 when absent. */
static int tag_id(struct store *st, const char *name, int create, int64_t *id)
{
	db_stmt *s = st_prep(st, "SELECT id FROM tag WHERE name = ?");
	int rc;

	*id = 0;
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, name);
	rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_column_int64(s, 0);
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE)
		return st_sqlfail(st, rc, "reading tags");
	if (*id || !create)
		return 0;
	s = st_prep(st, "INSERT INTO tag (name, created) VALUES (?, ?)");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, name);
	db_bind_int64(s, 2, util_now());
	rc = st_step_done(st, s, "adding the tag");
	if (rc == 0)
		*id = db_last_insert_rowid(st->db);
	return rc;
}

/* Whether candidate has tag; *who gets the curator who added it (owned). */
static int tag_has(struct store *st, int64_t cand, int64_t tid, int *has, char **who)
{
	db_stmt *s = st_prep(st, "SELECT curator FROM candidate_tag WHERE candidate_id = ? AND tag_id = ?");
	int rc;

	*has = 0;
	if (who)
		*who = NULL;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, cand);
	db_bind_int64(s, 2, tid);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*has = 1;
		if (who)
			*who = st_col_text(s, 0);
	}
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading tags");
}

static char *tag_json(const char *name, const char *curator)
{
	json_t *j = json_pack("{s:s, s:s}", "tag", name, "curator", curator ? curator : "");
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	return s;
}

/* Sets whether candidate has tag (as curator when adding). */
int st_tag_set(struct store *st, int64_t cand, const char *name, int present, const char *curator)
{
	db_stmt *s;
	int64_t tid;
	int rc = tag_id(st, name, present, &tid);

	if (rc || (!present && tid == 0))
		return rc;
	if (present) {
		s = st_prep(st, "INSERT OR IGNORE INTO candidate_tag (candidate_id, tag_id, curator, created)"
				" VALUES (?, ?, ?, ?)");
		if (s == NULL)
			return STORE_EIO;
		db_bind_int64(s, 1, cand);
		db_bind_int64(s, 2, tid);
		st_bind_text(s, 3, curator);
		db_bind_int64(s, 4, util_now());
	} else {
		s = st_prep(st, "DELETE FROM candidate_tag WHERE candidate_id = ? AND tag_id = ?");
		if (s == NULL)
			return STORE_EIO;
		db_bind_int64(s, 1, cand);
		db_bind_int64(s, 2, tid);
	}
	return st_step_done(st, s, "saving the tag");
}

int st_tag_present(struct store *st, int64_t cand, const char *name, int *present)
{
	int64_t tid;
	int rc = tag_id(st, name, 0, &tid);

	*present = 0;
	if (rc || tid == 0)
		return rc;
	return tag_has(st, cand, tid, present, NULL);
}

int store_tag_add(struct store *st, int64_t cand, const char *tag)
{
	int64_t tid;
	int rc = st_tag_valid(st, tag), has = 0;
	char *after;

	if (rc)
		return rc;
	rc = st_begin(st);
	if (rc == 0)
		rc = st_exists(st, "candidate", cand);
	if (rc == 0)
		rc = tag_id(st, tag, 1, &tid);
	if (rc == 0)
		rc = tag_has(st, cand, tid, &has, NULL);
	if (rc == 0 && !has) {
		rc = st_tag_set(st, cand, tag, 1, st->curator);
		after = tag_json(tag, st->curator);
		if (rc == 0)
			rc = st_event(st, "tag", "candidate_tag", cand, cand, NULL, after, 1);
		free(after);
	}
	return st_end(st, rc);
}

int store_tag_rm(struct store *st, int64_t cand, const char *tag)
{
	int64_t tid;
	int rc = st_tag_valid(st, tag), has = 0;
	char *who = NULL, *before;

	if (rc)
		return rc;
	rc = st_begin(st);
	if (rc == 0)
		rc = st_exists(st, "candidate", cand);
	if (rc == 0)
		rc = tag_id(st, tag, 0, &tid);
	if (rc == 0 && tid)
		rc = tag_has(st, cand, tid, &has, &who);
	if (rc == 0 && has) {
		rc = st_tag_set(st, cand, tag, 0, NULL);
		before = tag_json(tag, who);
		if (rc == 0)
			rc = st_event(st, "untag", "candidate_tag", cand, cand, before, NULL, 1);
		free(before);
	}
	free(who);
	return st_end(st, rc);
}

int store_tag_names(struct store *st, const char *prefix, char ***names, size_t *n)
{
	db_stmt *s;
	char *like;
	size_t cap = 0;
	int rc;

	*names = NULL;
	*n = 0;
	s = st_prep(st, "SELECT t.name FROM tag t WHERE t.name LIKE ? ESCAPE '\\'"
			" ORDER BY (SELECT count(*) FROM candidate_tag ct WHERE ct.tag_id = t.id) DESC, t.name");
	if (s == NULL)
		return STORE_EIO;
	{
		struct sbuf b;
		const char *p;
		sb_init(&b);
		for (p = prefix ? prefix : ""; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				sb_addc(&b, '\\');
			sb_addc(&b, *p);
		}
		sb_addc(&b, '%');
		like = sb_steal(&b);
	}
	st_bind_text(s, 1, like);
	free(like);
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*names = xrealloc(*names, cap * sizeof **names);
		}
		(*names)[(*n)++] = st_col_text(s, 0);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_strv_free(names, *n);
		*n = 0;
		return st_sqlfail(st, rc, "listing tags");
	}
	return 0;
}
