/*
 * review.c - several judges per item and adjudication: assigning a
 * brief's candidates to curators (each to `overlap` of them, balanced),
 * each curator's progress, the queue of disputed candidates and an
 * adjudicator's recorded decision.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
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

static int cmp_conflict_id(const void *a, const void *b)
{
	const struct lb_conflict *x = a, *y = b;

	return (x->candidate_id > y->candidate_id) - (x->candidate_id < y->candidate_id);
}

static void add_reason(struct lb_conflict *c, unsigned kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_reason(struct lb_conflict *c, unsigned kind, const char *fmt, ...)
{
	char *more, *old = c->reason;
	va_list ap;

	va_start(ap, fmt);
	more = xvasprintf(fmt, ap);
	va_end(ap);
	c->reason = old ? xasprintf("%s; %s", old, more) : more;
	if (old) {
		free(old);
		free(more);
	}
	c->kinds |= kind;
}

static const struct lb_rank_item *rank_find(const struct lb_ranking *rk, int64_t id)
{
	size_t i;

	for (i = 0; i < rk->n; i++)
		if (rk->v[i].candidate_id == id)
			return &rk->v[i];
	return NULL;
}

/* Marks the pairs compared directly whose confident pooled order the
 * mean stars contradict by bt_gap or more (both of the pair). */
static int order_disputes(struct store *st, int64_t brief_id, double bt_gap, struct lb_conflict *v, size_t n)
{
	struct lb_ranking rk;
	db_stmt *s;
	int rc;

	rc = store_ranking(st, brief_id, NULL, &rk);
	if (rc)
		return rc;
	/* The rank's items are in score order: index them by id. */
	s = st_prep(st, "SELECT DISTINCT min(left_id, right_id), max(left_id, right_id) FROM comparison"
			" WHERE brief_id = ? AND verdict <> 'skip' ORDER BY 1, 2");
	if (s == NULL) {
		lb_ranking_clear(&rk);
		return STORE_EIO;
	}
	db_bind_int64(s, 1, brief_id);
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_conflict key, *a, *b, *t;
		const struct lb_rank_item *ra, *rb, *rt;
		double p;
		key.candidate_id = db_column_int64(s, 0);
		a = bsearch(&key, v, n, sizeof *v, cmp_conflict_id);
		key.candidate_id = db_column_int64(s, 1);
		b = bsearch(&key, v, n, sizeof *v, cmp_conflict_id);
		if (a == NULL || b == NULL || isnan(a->mean_stars) || isnan(b->mean_stars))
			continue;
		ra = rank_find(&rk, a->candidate_id);
		rb = rank_find(&rk, b->candidate_id);
		if (ra == NULL || rb == NULL)
			continue;
		if (ra->score < rb->score) { /* a: the one the pairwise fit puts first */
			t = a, a = b, b = t;
			rt = ra, ra = rb, rb = rt;
		}
		/* The fit's chance that a beats b. */
		p = 1 / (1 + exp(rb->score - ra->score));
		if (!(p >= LB_DISPUTE_BT_P) || b->mean_stars - a->mean_stars < bt_gap)
			continue;
		add_reason(a, LB_DISPUTE_ORDER, "pairwise: beats #%lld with p %.2f, but %.1f stars to its %.1f",
			   (long long)b->candidate_id, p, a->mean_stars, b->mean_stars);
		add_reason(b, LB_DISPUTE_ORDER, "pairwise: loses to #%lld with p %.2f, but %.1f stars to its %.1f",
			   (long long)a->candidate_id, p, b->mean_stars, a->mean_stars);
	}
	db_reset(s);
	lb_ranking_clear(&rk);
	return rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the pairwise judgements");
}

int store_conflicts(struct store *st, int64_t brief_id, const struct lb_dispute_rules *rules,
		    struct lb_conflict **out, size_t *n)
{
	static const struct lb_dispute_rules defaults = { LB_DISPUTE_GAP, LB_DISPUTE_BT_GAP };
	struct lb_conflict *v = NULL;
	db_stmt *s;
	size_t cap = 0, nv = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (rules == NULL)
		rules = &defaults;
	if (rules->gap < 1 || rules->gap > 5)
		return st_fail(st, STORE_EINVAL, "the stars gap is 1 to 5 (default %d)", LB_DISPUTE_GAP);
	if (!(rules->bt_gap >= 0 && rules->bt_gap <= 5))
		return st_fail(st, STORE_EINVAL, "the pairwise gap is 0 (off) to 5 stars (default %.0f)",
			       LB_DISPUTE_BT_GAP);
	/* Every candidate with judgements I may see (blind review), then the
	 * rules mark the disputed ones. */
	s = st_prep(st, "SELECT r.candidate_id, min(r.stars), max(r.stars), count(r.stars), avg(r.stars),"
			" count(*) FILTER (WHERE r.flag = 'pick'), count(*) FILTER (WHERE r.flag = 'reject'),"
			" (SELECT group_concat(x.curator || ':' || coalesce(x.stars, '-') || ':' || x.flag, ' ')"
			"  FROM (SELECT * FROM rating x WHERE x.brief_id = r.brief_id AND x.candidate_id = r.candidate_id"
			ST_VISIBLE_TO("?1", "x.candidate_id", "x.curator", "?2") " ORDER BY x.curator) x),"
			" (SELECT d.adjudicator || ':' || coalesce(d.stars, '-') || ':' || d.flag FROM adjudication d"
			"  WHERE d.brief_id = r.brief_id AND d.candidate_id = r.candidate_id)"
			" FROM rating r WHERE r.brief_id = ?1"
			ST_VISIBLE_TO("?1", "r.candidate_id", "r.curator", "?2")
			" GROUP BY r.candidate_id ORDER BY r.candidate_id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	st_bind_text(s, 2, st->curator);
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_conflict *c;
		if (nv == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		c = &v[nv++];
		memset(c, 0, sizeof *c);
		c->candidate_id = db_column_int64(s, 0);
		c->min_stars = db_column_type(s, 1) == DB_NULL ? -1 : db_column_int(s, 1);
		c->max_stars = db_column_type(s, 2) == DB_NULL ? -1 : db_column_int(s, 2);
		c->n_starred = db_column_int(s, 3);
		c->mean_stars = db_column_type(s, 4) == DB_NULL ? NAN : db_column_double(s, 4);
		c->n_picks = db_column_int(s, 5);
		c->n_rejects = db_column_int(s, 6);
		c->votes = st_col_text(s, 7);
		c->decision = st_col_text_or_null(s, 8);
		if (c->n_starred > 1 && c->max_stars - c->min_stars >= rules->gap)
			add_reason(c, LB_DISPUTE_STARS, "stars %d to %d", c->min_stars, c->max_stars);
		if (c->n_picks && c->n_rejects)
			add_reason(c, LB_DISPUTE_FLAGS, "pick against reject");
	}
	db_reset(s);
	rc = rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the disputed candidates");
	if (rc == 0 && rules->bt_gap > 0)
		rc = order_disputes(st, brief_id, rules->bt_gap, v, nv);
	/* Keep the disputed ones, in id order. */
	for (i = 0; i < nv; i++) {
		if (rc == 0 && v[i].kinds) {
			v[(*n)++] = v[i];
			continue;
		}
		free(v[i].votes);
		free(v[i].decision);
		free(v[i].reason);
	}
	if (rc) {
		lb_conflicts_free(v, *n);
		*n = 0;
		return rc;
	}
	*out = v;
	return 0;
}

int store_blind_hidden(struct store *st, int64_t brief_id, int64_t *n)
{
	db_stmt *s = st_prep(st, "SELECT count(DISTINCT x.candidate_id) FROM rating x WHERE x.brief_id = ?1"
				      " AND " ST_BLIND_HIDES("?1", "x.candidate_id", "?2"));
	int rc;

	*n = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	st_bind_text(s, 2, st->curator);
	rc = db_step(s);
	if (rc == DB_ROW)
		*n = db_column_int64(s, 0);
	db_reset(s);
	return rc == DB_ROW ? 0 : st_sqlfail(st, rc, "counting what blind review hides");
}

void lb_conflicts_free(struct lb_conflict *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].votes);
		free(c[i].decision);
		free(c[i].reason);
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

int store_set_dispute_rules(struct store *st, const struct lb_dispute_rules *rules)
{
	if (rules->gap < 1 || rules->gap > 5)
		return st_fail(st, STORE_EINVAL, "the stars gap is 1 to 5 (default %d)", LB_DISPUTE_GAP);
	if (!(rules->bt_gap >= 0 && rules->bt_gap <= 5))
		return st_fail(st, STORE_EINVAL, "the pairwise gap is 0 (off) to 5 stars (default %.0f)",
			       LB_DISPUTE_BT_GAP);
	st->dispute_gap = rules->gap;
	st->dispute_bt_gap = rules->bt_gap;
	return 0;
}

/* Empties the rows of brief_id (0: all). */
static int disputed_table(struct store *st, int64_t brief_id)
{
	db_stmt *s;

	if (db_exec(st->db, "CREATE TEMP TABLE IF NOT EXISTS lb_disputed (id INTEGER PRIMARY KEY, brief_id INTEGER)",
		    NULL, NULL, NULL) != DB_OK)
		return st_sqlfail(st, db_errcode(st->db), "making the table of disputed candidates for a query");
	s = st_prep(st, "DELETE FROM temp.lb_disputed WHERE ?1 = 0 OR brief_id = ?1");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	return st_step_done(st, s, "emptying the table of disputed candidates");
}

static int disputed_add(struct store *st, int64_t brief_id, int64_t id)
{
	db_stmt *s = st_prep(st, "INSERT OR REPLACE INTO temp.lb_disputed (id, brief_id) VALUES (?1, ?2)");

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, brief_id);
	return st_step_done(st, s, "noting a disputed candidate");
}

int store_disputes_given(struct store *st, int64_t brief_id, const int64_t *ids, size_t n)
{
	size_t i;
	int rc = disputed_table(st, brief_id);

	for (i = 0; i < n && rc == 0; i++)
		rc = disputed_add(st, brief_id, ids[i]);
	st->disputes_given = 1;
	return rc;
}

int st_disputes_ready(struct store *st, int64_t brief_id, int64_t project_id)
{
	struct lb_dispute_rules rules = { st->dispute_gap, st->dispute_bt_gap };
	struct lb_conflict *v;
	int64_t *briefs;
	size_t nb, n, i, j;
	int rc;

	if (st->disputes_given) /* the interface's worker keeps it */
		return 0;
	rc = disputed_table(st, 0);
	if (rc || rules.bt_gap <= 0)
		return rc;
	rc = st_query_briefs(st, brief_id, project_id, &briefs, &nb);
	for (i = 0; i < nb && rc == 0; i++) {
		rc = store_conflicts(st, briefs[i], &rules, &v, &n);
		for (j = 0; j < n && rc == 0; j++)
			if (v[j].kinds & LB_DISPUTE_ORDER)
				rc = disputed_add(st, briefs[i], v[j].candidate_id);
		lb_conflicts_free(v, n);
	}
	free(briefs);
	return rc;
}
