/*
 * review.c - several judges per item and adjudication: assigning a
 * brief's candidates to curators (each to `overlap` of them, balanced),
 * each curator's progress, the queue of disputed candidates and an
 * adjudicator's recorded decision.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

int store_assign(struct store *st, int64_t brief_id, char *const *curators, size_t n, int overlap,
		 int64_t *per_curator)
{
	db_stmt *s, *ins;
	int64_t k = 0;
	size_t i;
	char after[160];
	int rc;

	if (n == 0)
		return st_fail(st, STORE_EINVAL, "name the curators to assign (--curators alice,bob)");
	if (overlap < 1 || (size_t)overlap > n)
		return st_fail(st, STORE_EINVAL, "each candidate goes to 1 to %zu curators (there are %zu); got %d", n,
			       n, overlap);
	for (i = 0; i < n; i++) {
		size_t j;
		if (*curators[i] == '\0' || !util_text_is_clean(curators[i], strlen(curators[i])))
			return st_fail(st, STORE_EINVAL, "a curator's name is clean text, not empty");
		for (j = 0; j < i; j++)
			if (strcmp(curators[i], curators[j]) == 0)
				return st_fail(st, STORE_EINVAL, "curator '%s' is named twice", curators[i]);
		per_curator[i] = 0;
	}
	rc = st_exists(st, "brief", brief_id);
	if (rc == 0)
		rc = st_begin(st);
	if (rc)
		return rc;
	/* A new assignment replaces the brief's old one. */
	s = st_prep(st, "DELETE FROM assignment WHERE brief_id = ?");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	db_bind_int64(s, 1, brief_id);
	rc = st_step_done(st, s, "clearing the old assignment");
	/* Round robin over the candidates in id order: candidate k goes to
	 * curators k*overlap .. k*overlap+overlap-1 (mod n), so every curator
	 * gets the same number, give or take one, and no candidate the same
	 * curator twice. */
	s = rc ? NULL : st_prep(st, "SELECT id FROM candidate WHERE brief_id = ? ORDER BY id");
	if (rc == 0 && s == NULL)
		rc = STORE_EIO;
	if (rc == 0) {
		db_bind_int64(s, 1, brief_id);
		while (rc == 0 && (rc = db_step(s)) == DB_ROW) {
			int64_t cand = db_column_int64(s, 0);
			int o;
			rc = 0;
			for (o = 0; o < overlap && rc == 0; o++) {
				size_t who = (size_t)((k * overlap + o) % (int64_t)n);
				ins = st_prep(st, "INSERT INTO assignment (brief_id, candidate_id, curator) VALUES (?,?,?)");
				if (ins == NULL) {
					rc = STORE_EIO;
					break;
				}
				db_bind_int64(ins, 1, brief_id);
				db_bind_int64(ins, 2, cand);
				st_bind_text(ins, 3, curators[who]);
				rc = st_step_done(st, ins, "assigning");
				per_curator[who]++;
			}
			k++;
		}
		if (rc == DB_DONE)
			rc = 0;
		db_reset(s);
	}
	if (rc == 0) {
		snprintf(after, sizeof after, "{\"curators\":%zu,\"overlap\":%d,\"candidates\":%lld}", n, overlap,
			 (long long)k);
		rc = st_event(st, "assign", "brief", brief_id, 0, NULL, after, 0);
	}
	return st_end(st, rc);
}

int store_assign_progress(struct store *st, int64_t brief_id, struct lb_progress **out, size_t *n)
{
	db_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	s = st_prep(st, "SELECT a.curator, count(*), count(r.curator) FROM assignment a"
			" LEFT JOIN rating r ON r.brief_id = a.brief_id AND r.candidate_id = a.candidate_id"
			"  AND r.curator = a.curator"
			" WHERE a.brief_id = ? GROUP BY a.curator ORDER BY a.curator");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[*n].curator = st_col_text(s, 0);
		(*out)[*n].assigned = db_column_int64(s, 1);
		(*out)[*n].done = db_column_int64(s, 2);
		(*n)++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_progress_free(*out, *n);
		*out = NULL;
		*n = 0;
		return st_sqlfail(st, rc, "reading the assignment");
	}
	return 0;
}

void lb_progress_free(struct lb_progress *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(p[i].curator);
	free(p);
}

int store_conflicts(struct store *st, int64_t brief_id, int gap, struct lb_conflict **out, size_t *n)
{
	db_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (gap < 1 || gap > 5)
		return st_fail(st, STORE_EINVAL, "the stars gap is 1 to 5 (default 2)");
	s = st_prep(st, "SELECT r.candidate_id, min(r.stars), max(r.stars), count(r.stars),"
			" count(*) FILTER (WHERE r.flag = 'pick'), count(*) FILTER (WHERE r.flag = 'reject'),"
			" (SELECT group_concat(x.curator || ':' || coalesce(x.stars, '-') || ':' || x.flag, ' ')"
			"  FROM (SELECT * FROM rating x WHERE x.brief_id = r.brief_id AND x.candidate_id = r.candidate_id"
			"  ORDER BY x.curator) x),"
			" (SELECT d.adjudicator || ':' || coalesce(d.stars, '-') || ':' || d.flag FROM adjudication d"
			"  WHERE d.brief_id = r.brief_id AND d.candidate_id = r.candidate_id)"
			" FROM rating r WHERE r.brief_id = ?1 GROUP BY r.candidate_id"
			" HAVING max(r.stars) - min(r.stars) >= ?2"
			"  OR (count(*) FILTER (WHERE r.flag = 'pick') > 0 AND count(*) FILTER (WHERE r.flag = 'reject') > 0)"
			" ORDER BY r.candidate_id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	db_bind_int(s, 2, gap);
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_conflict *c;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		c = &(*out)[(*n)++];
		c->candidate_id = db_column_int64(s, 0);
		c->min_stars = db_column_type(s, 1) == DB_NULL ? -1 : db_column_int(s, 1);
		c->max_stars = db_column_type(s, 2) == DB_NULL ? -1 : db_column_int(s, 2);
		c->n_starred = db_column_int(s, 3);
		c->n_picks = db_column_int(s, 4);
		c->n_rejects = db_column_int(s, 5);
		c->votes = st_col_text(s, 6);
		c->decision = st_col_text_or_null(s, 7);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_conflicts_free(*out, *n);
		*out = NULL;
		*n = 0;
		return st_sqlfail(st, rc, "reading the disputed candidates");
	}
	return 0;
}

void lb_conflicts_free(struct lb_conflict *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].votes);
		free(c[i].decision);
	}
	free(c);
}

int store_adjudicate(struct store *st, int64_t candidate_id, int stars, int flag, const char *reason)
{
	db_stmt *s;
	int64_t brief;
	json_t *j;
	char *after;
	int rc;

	if (stars < -1 || stars > 5)
		return st_fail(st, STORE_EINVAL, "final stars are 0 to 5");
	if (flag < LB_FLAG_NONE || flag > LB_FLAG_REJECT)
		return st_fail(st, STORE_EINVAL, "the final flag is pick, reject or none");
	if (reason == NULL || *reason == '\0')
		return st_fail(st, STORE_EINVAL, "an adjudication needs a reason (--reason TEXT)");
	rc = st_candidate_brief(st, candidate_id, &brief);
	if (rc == 0)
		rc = st_begin(st);
	if (rc)
		return rc;
	s = st_prep(st, "INSERT INTO adjudication (brief_id, candidate_id, adjudicator, stars, flag, reason, created)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (brief_id, candidate_id) DO UPDATE SET"
			" adjudicator = ?3, stars = ?4, flag = ?5, reason = ?6, created = ?7");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	db_bind_int64(s, 1, brief);
	db_bind_int64(s, 2, candidate_id);
	st_bind_text(s, 3, st->curator);
	if (stars >= 0)
		db_bind_int(s, 4, stars);
	st_bind_text(s, 5, lb_flag_name(flag));
	st_bind_text(s, 6, reason);
	db_bind_int64(s, 7, util_now());
	rc = st_step_done(st, s, "recording the adjudication");
	if (rc == 0) {
		j = json_pack("{s:o, s:s, s:s}", "stars", stars >= 0 ? json_integer(stars) : json_null(), "flag",
			      lb_flag_name(flag), "reason", reason);
		after = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		rc = st_event(st, "adjudicate", "candidate", candidate_id, candidate_id, NULL, after, 0);
		free(after);
	}
	return st_end(st, rc);
}

int store_adjudication(struct store *st, int64_t candidate_id, struct lb_adjudication *out)
{
	db_stmt *s;
	int64_t brief;
	int rc;

	memset(out, 0, sizeof *out);
	/* Blind review hides the decision too, until I judged it. */
	rc = st_candidate_brief(st, candidate_id, &brief);
	if (rc)
		return rc;
	if (st_blind_hides(st, brief, candidate_id))
		return STORE_ENOTFOUND;
	s = st_prep(st, "SELECT adjudicator, stars, flag, reason, created FROM adjudication WHERE candidate_id = ?");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, candidate_id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		out->adjudicator = st_col_text(s, 0);
		out->stars = db_column_type(s, 1) == DB_NULL ? -1 : db_column_int(s, 1);
		out->flag = lb_flag_parse((const char *)db_column_text(s, 2));
		out->reason = st_col_text(s, 3);
		out->created = db_column_int64(s, 4);
	}
	db_reset(s);
	if (rc == DB_ROW)
		return 0;
	return rc == DB_DONE ? STORE_ENOTFOUND : st_sqlfail(st, rc, "reading the adjudication");
}

void lb_adjudication_clear(struct lb_adjudication *a)
{
	free(a->adjudicator);
	free(a->reason);
	memset(a, 0, sizeof *a);
}
