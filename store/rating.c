/*
 * rating.c - stars and flags per candidate per curator, and the derived
 * columns (mean, counts) on the candidate row that lists sort by.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

/* The brief of a candidate; STORE_ENOTFOUND when there is no candidate. */
int st_candidate_brief(struct store *st, int64_t cand, int64_t *brief)
{
	db_stmt *s = st_prep(st, "SELECT brief_id FROM candidate WHERE id = ?");

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, cand);
	return st_get_row(st, s, st_row_int0, brief, "candidate", cand, "reading the candidate");
}

/* Reads curator's rating of a candidate: *has 0 when there is none;
 * *stars -1 when flagged but not starred. */
static int rating_read(struct store *st, int64_t brief, int64_t cand, const char *curator, int *has, int *stars,
		       int *flag)
{
	db_stmt *s = st_prep(st, "SELECT stars, flag FROM rating WHERE brief_id = ? AND candidate_id = ?"
				      " AND curator = ?");
	int rc;

	*has = 0;
	*stars = -1;
	*flag = LB_FLAG_NONE;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief);
	db_bind_int64(s, 2, cand);
	st_bind_text(s, 3, curator);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*has = 1;
		*stars = db_column_type(s, 0) == DB_NULL ? -1 : db_column_int(s, 0);
		*flag = lb_flag_parse((const char *)db_column_text(s, 1));
		if (*flag < 0)
			*flag = LB_FLAG_NONE;
	}
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the rating");
}

/* Sets curator's rating to the given state (has 0: no row). */
static int rating_write(struct store *st, int64_t brief, int64_t cand, const char *curator, int has, int stars,
			int flag)
{
	db_stmt *s;

	if (!has || (stars < 0 && flag == LB_FLAG_NONE)) {
		s = st_prep(st, "DELETE FROM rating WHERE brief_id = ? AND candidate_id = ? AND curator = ?");
		if (s == NULL)
			return STORE_EIO;
		db_bind_int64(s, 1, brief);
		db_bind_int64(s, 2, cand);
		st_bind_text(s, 3, curator);
	} else {
		s = st_prep(st, "INSERT INTO rating (brief_id, candidate_id, curator, stars, flag, updated)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (brief_id, candidate_id, curator) DO UPDATE"
				" SET stars = excluded.stars, flag = excluded.flag, updated = excluded.updated");
		if (s == NULL)
			return STORE_EIO;
		db_bind_int64(s, 1, brief);
		db_bind_int64(s, 2, cand);
		st_bind_text(s, 3, curator);
		if (stars >= 0)
			db_bind_int(s, 4, stars);
		st_bind_text(s, 5, lb_flag_name(flag));
		db_bind_int64(s, 6, util_now());
	}
	return st_step_done(st, s, "saving the rating");
}

char *st_json_rating(int has, int stars, int flag)
{
	if (!has || (stars < 0 && flag == LB_FLAG_NONE))
		return NULL;
	if (stars < 0)
		return xasprintf("{\"stars\":null,\"flag\":\"%s\"}", lb_flag_name(flag));
	return xasprintf("{\"stars\":%d,\"flag\":\"%s\"}", stars, lb_flag_name(flag));
}

/* Parses a rating state written by st_json_rating. */
int st_rating_parse(const char *json, int *has, int *stars, int *flag)
{
	json_t *j, *v;

	*has = 0;
	*stars = -1;
	*flag = LB_FLAG_NONE;
	if (json == NULL)
		return 0;
	j = json_loads(json, 0, NULL);
	if (j == NULL)
		return -1;
	*has = 1;
	v = json_object_get(j, "stars");
	if (json_is_integer(v))
		*stars = (int)json_integer_value(v);
	v = json_object_get(j, "flag");
	if (json_is_string(v))
		*flag = lb_flag_parse(json_string_value(v));
	if (*flag < 0)
		*flag = LB_FLAG_NONE;
	json_decref(j);
	return 0;
}

/* The rating as the undo machinery sees it: JSON state of (cand, curator). */
int st_rating_state(struct store *st, int64_t cand, const char *curator, char **json)
{
	int64_t brief;
	int has, stars, flag, rc = st_candidate_brief(st, cand, &brief);

	if (rc == 0)
		rc = rating_read(st, brief, cand, curator, &has, &stars, &flag);
	*json = rc ? NULL : st_json_rating(has, stars, flag);
	return rc;
}

int st_rating_restore(struct store *st, int64_t cand, const char *curator, const char *json)
{
	int64_t brief;
	int has, stars, flag, rc;

	if (st_rating_parse(json, &has, &stars, &flag) < 0)
		return st_fail(st, STORE_EIO, "the audit log holds a damaged rating entry");
	rc = st_candidate_brief(st, cand, &brief);
	return rc ? rc : rating_write(st, brief, cand, curator, has, stars, flag);
}

static int change(struct store *st, int64_t cand, const char *action, int set_stars, int stars, int set_flag,
		  int flag)
{
	int has, ostars, oflag, nstars, nflag, rc;
	char *before = NULL, *after = NULL;
	int64_t brief = 0;

	rc = st_begin(st);
	if (rc)
		return rc;
	rc = st_candidate_brief(st, cand, &brief);
	if (rc == 0)
		rc = rating_read(st, brief, cand, st->curator, &has, &ostars, &oflag);
	if (rc)
		return st_end(st, rc);
	nstars = set_stars ? stars : ostars;
	nflag = set_flag ? flag : oflag;
	if (has && nstars == ostars && nflag == oflag)
		return st_end(st, 0); /* no change, no event */
	before = st_json_rating(has, ostars, oflag);
	after = st_json_rating(1, nstars, nflag);
	rc = rating_write(st, brief, cand, st->curator, 1, nstars, nflag);
	if (rc == 0)
		rc = st_event(st, action, "rating", cand, cand, before, after, 1);
	free(before);
	free(after);
	return st_end(st, rc);
}

int store_rate(struct store *st, int64_t candidate_id, int stars)
{
	if (stars < 0 || stars > 5)
		return st_fail(st, STORE_EINVAL, "stars must be 0 to 5, not %d", stars);
	return change(st, candidate_id, "rate", 1, stars, 0, 0);
}

int store_flag(struct store *st, int64_t candidate_id, int flag)
{
	if (flag < LB_FLAG_NONE || flag > LB_FLAG_REJECT)
		return st_fail(st, STORE_EINVAL, "a flag is pick, reject or none");
	return change(st, candidate_id, "flag", 0, 0, 1, flag);
}

int store_unrate(struct store *st, int64_t candidate_id)
{
	return change(st, candidate_id, "unrate", 1, -1, 1, LB_FLAG_NONE);
}

int store_ratings(struct store *st, int64_t candidate_id, struct lb_rating_list *out)
{
	db_stmt *s;
	size_t cap = 0;
	int64_t brief;
	int rc, hide;

	out->v = NULL;
	out->n = 0;
	rc = st_candidate_brief(st, candidate_id, &brief);
	if (rc)
		return rc;
	/* Blind review: only my own until I have judged it. */
	hide = st_blind_hides(st, brief, candidate_id);
	s = st_prep(st, "SELECT candidate_id, curator, stars, flag, updated FROM rating"
			" WHERE brief_id = ? AND candidate_id = ? AND (NOT ?3 OR curator = ?4) ORDER BY curator");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief);
	db_bind_int64(s, 2, candidate_id);
	db_bind_int(s, 3, hide);
	st_bind_text(s, 4, st->curator);
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_rating *r;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 4;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		r = &out->v[out->n++];
		r->candidate_id = db_column_int64(s, 0);
		r->curator = st_col_text(s, 1);
		r->stars = db_column_type(s, 2) == DB_NULL ? -1 : db_column_int(s, 2);
		r->flag = lb_flag_parse((const char *)db_column_text(s, 3));
		if (r->flag < 0)
			r->flag = LB_FLAG_NONE;
		r->updated = db_column_int64(s, 4);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_rating_list_free(out);
		return st_sqlfail(st, rc, "reading ratings");
	}
	return 0;
}
