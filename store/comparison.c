/*
 * comparison.c - pairwise judgements of candidates and the rankings made
 * from them.
 *
 * A judgement says which of two candidates of a brief is better, or that
 * they tie, or is skipped.  Scores follow the Bradley-Terry model:
 * P(i beats j) = pi_i / (pi_i + pi_j), and a candidate's score is
 * ln pi_i.  They are fitted with Hunter's MM algorithm (D. R. Hunter,
 * "MM algorithms for generalized Bradley-Terry models", Annals of
 * Statistics 32(1), 2004), cyclic form, with a weak prior: every
 * candidate also plays PRIOR_GAMES virtual games against a fixed
 * reference of strength 1 (score 0) and wins half of them.  Without it a
 * candidate that never lost has no finite maximum-likelihood score and
 * sparse data do not converge; with it, every score is finite and an
 * unjudged candidate sits at 0.  A tie counts half a win to each side.
 *
 * Uncertainty: the standard error of a score is the square root of the
 * diagonal of the inverse Fisher information of the log-strengths,
 * I_ii = sum_j n_ij p_ij p_ji + PRIOR_GAMES p_i0 p_0i and
 * I_ij = -n_ij p_ij p_ji (inverted by Cholesky; for very large sets the
 * diagonal alone is used).
 *
 * The next pair to judge maximises p (1 - p) (var_i + var_j) / (1 + 4 t):
 * the chance of an informative outcome (close scores) times how uncertain
 * the two still are (few judgements, or judged only against uncertain
 * ones: var is the squared standard error above), divided down for pairs
 * I judged already (t times).  Unjudged candidates have the prior's
 * variance (4), so each is seen once before close pairs are refined.  In
 * tests/unit/test-records.c this reaches a good ranking of 16 candidates
 * in about half the judgements random pairs need.
 *
 * Judgements are undoable: the event holds the row as JSON and event.c
 * deletes or re-inserts it through st_comparison_state/_restore; every
 * change rescores the brief's candidate.score (the pooled score).
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

#define PRIOR_GAMES 1.0
#define MM_MAX_ITER 20000
#define MM_TOL 1e-10
#define FULL_INVERSE_MAX 600 /* candidates; beyond, the diagonal approximation */
#define ALL_PAIRS_MAX 400    /* candidates; beyond, pick the most uncertain first */

static const char *const verdict_names[] = { "left", "right", "tie", "skip" };

const char *lb_verdict_name(int v)
{
	return v >= 0 && v < 4 ? verdict_names[v] : "?";
}

int lb_verdict_parse(const char *s)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < 4; i++)
		if (strcmp(s, verdict_names[i]) == 0 || (s[0] == verdict_names[i][0] && s[1] == '\0'))
			return i;
	return -1;
}

void lb_comparison_clear(struct lb_comparison *c)
{
	free(c->curator);
	memset(c, 0, sizeof *c);
}

void lb_comparison_list_free(struct lb_comparison_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		lb_comparison_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void lb_ranking_clear(struct lb_ranking *r)
{
	free(r->curator);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ the model */

struct bt_edge {
	size_t j;
	double n;  /* judgements between the two */
};

struct bt {
	size_t n;          /* candidates judged */
	int64_t *ids;      /* sorted */
	double *w;         /* wins (ties half) */
	int *games, *wins, *losses, *ties;
	double *theta;     /* log-strength */
	double *info;      /* diagonal of the Fisher information */
	size_t *off;       /* CSR adjacency: edges of i are e[off[i] .. off[i+1]) */
	struct bt_edge *e;
	int n_judgements, n_skips, iterations;
};

struct judgement {
	size_t a, b;       /* a < b */
	double wa;         /* what a scored: 1, 0 or 0.5 */
};

static void bt_free(struct bt *m)
{
	free(m->ids);
	free(m->w);
	free(m->games);
	free(m->wins);
	free(m->losses);
	free(m->ties);
	free(m->theta);
	free(m->info);
	free(m->off);
	free(m->e);
	memset(m, 0, sizeof *m);
}

static int cmp_judgement(const void *pa, const void *pb)
{
	const struct judgement *a = pa, *b = pb;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

static size_t bt_index(const struct bt *m, int64_t id)
{
	const int64_t *p = bsearch(&id, m->ids, m->n, sizeof *m->ids, st_cmp_i64);

	return p ? (size_t)(p - m->ids) : (size_t)-1;
}

static double sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/* Fits theta by cyclic MM iterations, starting from theta as it is (a
 * warm start from the stored scores: one more judgement moves them little);
 * fills info. */
static void bt_fit(struct bt *m)
{
	size_t i, k;
	double *pi = xcalloc(m->n ? m->n : 1, sizeof *pi), d, next, diff, p;
	int it;

	for (i = 0; i < m->n; i++)
		pi[i] = exp(m->theta[i]);
	for (it = 1; it <= MM_MAX_ITER; it++) {
		diff = 0;
		for (i = 0; i < m->n; i++) {
			d = PRIOR_GAMES / (pi[i] + 1.0);
			for (k = m->off[i]; k < m->off[i + 1]; k++)
				d += m->e[k].n / (pi[i] + pi[m->e[k].j]);
			next = (m->w[i] + PRIOR_GAMES / 2) / d;
			if (fabs(log(next / pi[i])) > diff)
				diff = fabs(log(next / pi[i]));
			pi[i] = next;
		}
		m->iterations = it;
		if (diff < MM_TOL)
			break;
	}
	for (i = 0; i < m->n; i++)
		m->theta[i] = log(pi[i]);
	for (i = 0; i < m->n; i++) {
		p = sigmoid(m->theta[i]);
		m->info[i] = PRIOR_GAMES * p * (1 - p);
		for (k = m->off[i]; k < m->off[i + 1]; k++) {
			p = sigmoid(m->theta[i] - m->theta[m->e[k].j]);
			m->info[i] += m->e[k].n * p * (1 - p);
		}
	}
	free(pi);
}

/* Standard errors: sqrt of the diagonal of the inverse information.  The
 * information matrix is symmetric positive definite (the prior adds to
 * its diagonal more than the off-diagonal sums take away), so Cholesky
 * works; for large sets the diagonal alone is used. */
static void bt_se(const struct bt *m, double *se)
{
	size_t n = m->n, i, j, k;
	double *a, *col, s;

	if (n > FULL_INVERSE_MAX) {
		for (i = 0; i < n; i++)
			se[i] = 1 / sqrt(m->info[i]);
		return;
	}
	a = xcalloc(n * n + 1, sizeof *a);
	col = xcalloc(n + 1, sizeof *col);
	for (i = 0; i < n; i++) {
		a[i * n + i] = m->info[i];
		for (k = m->off[i]; k < m->off[i + 1]; k++) {
			double p = sigmoid(m->theta[i] - m->theta[m->e[k].j]);
			a[i * n + m->e[k].j] -= m->e[k].n * p * (1 - p);
		}
	}
	/* In place: lower triangle becomes L with A = L L^T. */
	for (j = 0; j < n; j++) {
		s = a[j * n + j];
		for (k = 0; k < j; k++)
			s -= a[j * n + k] * a[j * n + k];
		a[j * n + j] = sqrt(s > 1e-300 ? s : 1e-300);
		for (i = j + 1; i < n; i++) {
			s = a[i * n + j];
			for (k = 0; k < j; k++)
				s -= a[i * n + k] * a[j * n + k];
			a[i * n + j] = s / a[j * n + j];
		}
	}
	/* (A^-1)_ii = |L^-1 e_i|^2: solve L y = e_i, only rows >= i are nonzero. */
	for (i = 0; i < n; i++) {
		s = 0;
		for (j = i; j < n; j++) {
			double v = j == i ? 1.0 : 0.0;
			for (k = i; k < j; k++)
				v -= a[j * n + k] * col[k];
			col[j] = v / a[j * n + j];
			s += col[j] * col[j];
		}
		se[i] = sqrt(s);
	}
	free(a);
	free(col);
}

/* Reads the judgements of a brief (curator NULL: all) into a model. */
static int bt_load(struct store *st, int64_t brief_id, const char *curator, struct bt *m)
{
	db_stmt *s;
	struct judgement *jv = NULL;
	int64_t (*raw)[2] = NULL;
	int *verdict = NULL;
	size_t nraw = 0, cap = 0, i, k, np;
	int rc;

	memset(m, 0, sizeof *m);
	s = st_prep(st, "SELECT left_id, right_id, verdict FROM comparison WHERE brief_id = ?1"
			" AND (?2 IS NULL OR curator = ?2) ORDER BY id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	st_bind_text(s, 2, curator);
	while ((rc = db_step(s)) == DB_ROW) {
		int v = lb_verdict_parse((const char *)db_column_text(s, 2));
		if (v == LB_VERDICT_SKIP || v < 0) {
			m->n_skips++;
			continue;
		}
		if (nraw == cap) {
			cap = cap ? cap * 2 : 64;
			raw = xrealloc(raw, cap * sizeof *raw);
			verdict = xrealloc(verdict, cap * sizeof *verdict);
		}
		raw[nraw][0] = db_column_int64(s, 0);
		raw[nraw][1] = db_column_int64(s, 1);
		verdict[nraw++] = v;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		free(raw);
		free(verdict);
		return st_sqlfail(st, rc, "reading judgements");
	}
	/* The candidates: sorted unique ids. */
	m->ids = xcalloc(2 * nraw + 1, sizeof *m->ids);
	for (i = 0; i < nraw; i++) {
		m->ids[2 * i] = raw[i][0];
		m->ids[2 * i + 1] = raw[i][1];
	}
	qsort(m->ids, 2 * nraw, sizeof *m->ids, st_cmp_i64);
	for (i = 0, k = 0; i < 2 * nraw; i++)
		if (k == 0 || m->ids[k - 1] != m->ids[i])
			m->ids[k++] = m->ids[i];
	m->n = k;
	m->w = xcalloc(k + 1, sizeof *m->w);
	m->games = xcalloc(k + 1, sizeof *m->games);
	m->wins = xcalloc(k + 1, sizeof *m->wins);
	m->losses = xcalloc(k + 1, sizeof *m->losses);
	m->ties = xcalloc(k + 1, sizeof *m->ties);
	m->theta = xcalloc(k + 1, sizeof *m->theta);
	m->info = xcalloc(k + 1, sizeof *m->info);
	m->off = xcalloc(k + 2, sizeof *m->off);
	m->n_judgements = (int)nraw;
	/* Judgements as (a < b, score of a), sorted to merge repeats. */
	jv = xcalloc(nraw + 1, sizeof *jv);
	for (i = 0; i < nraw; i++) {
		size_t l = bt_index(m, raw[i][0]), r = bt_index(m, raw[i][1]);
		double sl = verdict[i] == LB_VERDICT_LEFT ? 1 : verdict[i] == LB_VERDICT_RIGHT ? 0 : 0.5;
		m->games[l]++;
		m->games[r]++;
		m->w[l] += sl;
		m->w[r] += 1 - sl;
		if (verdict[i] == LB_VERDICT_TIE) {
			m->ties[l]++;
			m->ties[r]++;
		} else {
			m->wins[sl > 0 ? l : r]++;
			m->losses[sl > 0 ? r : l]++;
		}
		jv[i].a = l < r ? l : r;
		jv[i].b = l < r ? r : l;
		jv[i].wa = l < r ? sl : 1 - sl;
	}
	qsort(jv, nraw, sizeof *jv, cmp_judgement);
	/* Unique pairs, then each pair twice in the adjacency (i->j, j->i). */
	for (i = 0, np = 0; i < nraw; i++)
		if (i == 0 || jv[i].a != jv[i - 1].a || jv[i].b != jv[i - 1].b) {
			m->off[jv[i].a + 1]++;
			m->off[jv[i].b + 1]++;
			np++;
		}
	for (i = 0; i < m->n; i++)
		m->off[i + 1] += m->off[i];
	m->e = xcalloc(2 * np + 1, sizeof *m->e);
	{
		size_t *fill = xcalloc(m->n + 1, sizeof *fill);
		for (i = 0; i < nraw;) {
			size_t a = jv[i].a, b = jv[i].b;
			double cnt = 0;
			for (; i < nraw && jv[i].a == a && jv[i].b == b; i++)
				cnt++;
			m->e[m->off[a] + fill[a]].j = b;
			m->e[m->off[a] + fill[a]++].n = cnt;
			m->e[m->off[b] + fill[b]].j = a;
			m->e[m->off[b] + fill[b]++].n = cnt;
		}
		free(fill);
	}
	free(jv);
	free(raw);
	free(verdict);
	/* Start from the pooled scores the brief has. */
	s = st_prep(st, "SELECT id, score FROM candidate WHERE brief_id = ? AND score IS NOT NULL");
	if (s == NULL) {
		bt_free(m);
		return STORE_EIO;
	}
	db_bind_int64(s, 1, brief_id);
	while ((rc = db_step(s)) == DB_ROW) {
		k = bt_index(m, db_column_int64(s, 0));
		if (k != (size_t)-1 && fabs(db_column_double(s, 1)) < 50)
			m->theta[k] = db_column_double(s, 1);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		bt_free(m);
		return st_sqlfail(st, rc, "reading scores");
	}
	bt_fit(m);
	return 0;
}

/* ------------------------------------------------------------ scores on candidates */

int store_rank_refresh(struct store *st, int64_t brief_id)
{
	struct bt m;
	db_stmt *s;
	size_t i;
	int rc = st_begin(st);

	if (rc)
		return rc;
	rc = bt_load(st, brief_id, NULL, &m);
	if (rc)
		return st_end(st, rc);
	s = st_prep(st, "UPDATE candidate SET score = NULL WHERE brief_id = ? AND score IS NOT NULL");
	if (s == NULL)
		rc = STORE_EIO;
	else {
		db_bind_int64(s, 1, brief_id);
		rc = st_step_done(st, s, "updating scores");
	}
	for (i = 0; rc == 0 && i < m.n; i++) {
		s = st_prep(st, "UPDATE candidate SET score = ? WHERE id = ?");
		if (s == NULL) {
			rc = STORE_EIO;
			break;
		}
		db_bind_double(s, 1, m.theta[i]);
		db_bind_int64(s, 2, m.ids[i]);
		rc = st_step_done(st, s, "updating scores");
	}
	bt_free(&m);
	return st_end(st, rc);
}

/* ------------------------------------------------------------ judgements */

static char *comparison_json(int64_t brief, int64_t left, int64_t right, int verdict, const char *curator,
			     int64_t created)
{
	json_t *j = json_pack("{s:I, s:I, s:I, s:s, s:s, s:I}", "brief_id", (json_int_t)brief, "left_id",
			      (json_int_t)left, "right_id", (json_int_t)right, "verdict", lb_verdict_name(verdict),
			      "curator", curator, "created", (json_int_t)created);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	return s;
}

int st_comparison_state(struct store *st, int64_t id, char **json)
{
	db_stmt *s = st_prep(st, "SELECT brief_id, left_id, right_id, verdict, curator, created"
				      " FROM comparison WHERE id = ?");
	int rc;

	*json = NULL;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		*json = comparison_json(db_column_int64(s, 0), db_column_int64(s, 1),
					db_column_int64(s, 2),
					lb_verdict_parse((const char *)db_column_text(s, 3)),
					(const char *)db_column_text(s, 4), db_column_int64(s, 5));
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the judgement");
}

/* Deletes judgement id (to NULL) or writes it as the JSON `to`, then
 * rescores the brief named in `any` (the event's before or after). */
int st_comparison_restore(struct store *st, int64_t id, const char *to, const char *any)
{
	json_t *j = json_loads(any ? any : "", 0, NULL);
	json_int_t brief = 0, left, right, created;
	const char *verdict, *curator;
	db_stmt *s;
	int rc;

	if (j == NULL || json_unpack(j, "{s:I}", "brief_id", &brief) != 0) {
		json_decref(j);
		return st_fail(st, STORE_EIO, "the audit log holds a damaged judgement entry");
	}
	json_decref(j);
	if (to == NULL) {
		s = st_prep(st, "DELETE FROM comparison WHERE id = ?");
		if (s == NULL)
			return STORE_EIO;
		db_bind_int64(s, 1, id);
		rc = st_step_done(st, s, "removing the judgement");
	} else {
		j = json_loads(to, 0, NULL);
		if (j == NULL || json_unpack(j, "{s:I, s:I, s:I, s:s, s:s, s:I}", "brief_id", &brief, "left_id",
					     &left, "right_id", &right, "verdict", &verdict, "curator", &curator,
					     "created", &created) != 0) {
			json_decref(j);
			return st_fail(st, STORE_EIO, "the audit log holds a damaged judgement entry");
		}
		s = st_prep(st, "INSERT INTO comparison (id, brief_id, left_id, right_id, verdict, curator,"
				" created) VALUES (?,?,?,?,?,?,?)");
		if (s == NULL) {
			json_decref(j);
			return STORE_EIO;
		}
		db_bind_int64(s, 1, id);
		db_bind_int64(s, 2, brief);
		db_bind_int64(s, 3, left);
		db_bind_int64(s, 4, right);
		st_bind_text(s, 5, verdict);
		st_bind_text(s, 6, curator);
		db_bind_int64(s, 7, created);
		rc = st_step_done(st, s, "saving the judgement");
		json_decref(j);
	}
	return rc ? rc : store_rank_refresh(st, brief);
}

int store_compare(struct store *st, int64_t left, int64_t right, int verdict, int64_t *id)
{
	int64_t bl = 0, br = 0, cid = 0, now = util_now();
	db_stmt *s;
	char *after;
	int rc;

	if (verdict < LB_VERDICT_LEFT || verdict > LB_VERDICT_SKIP)
		return st_fail(st, STORE_EINVAL, "a verdict is left, right, tie or skip");
	if (left == right)
		return st_fail(st, STORE_EINVAL, "a candidate cannot be compared with itself (#%lld)",
			       (long long)left);
	rc = st_begin(st);
	if (rc)
		return rc;
	rc = st_candidate_brief(st, left, &bl);
	if (rc == 0)
		rc = st_candidate_brief(st, right, &br);
	if (rc == 0 && bl != br)
		rc = st_fail(st, STORE_EINVAL,
			     "candidates #%lld and #%lld belong to different briefs (%lld, %lld); "
			     "judge candidates of one brief",
			     (long long)left, (long long)right, (long long)bl, (long long)br);
	if (rc)
		return st_end(st, rc);
	s = st_prep(st, "INSERT INTO comparison (brief_id, left_id, right_id, verdict, curator, created)"
			" VALUES (?,?,?,?,?,?)");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	db_bind_int64(s, 1, bl);
	db_bind_int64(s, 2, left);
	db_bind_int64(s, 3, right);
	st_bind_text(s, 4, lb_verdict_name(verdict));
	st_bind_text(s, 5, st->curator);
	db_bind_int64(s, 6, now);
	rc = st_step_done(st, s, "saving the judgement");
	if (rc == 0) {
		cid = db_last_insert_rowid(st->db);
		after = comparison_json(bl, left, right, verdict, st->curator, now);
		rc = st_event(st, "compare", "comparison", cid, left, NULL, after, 1);
		free(after);
	}
	if (rc == 0 && verdict != LB_VERDICT_SKIP)
		rc = store_rank_refresh(st, bl);
	rc = st_end(st, rc);
	if (rc == 0 && id)
		*id = cid;
	return rc;
}

int store_comparisons(struct store *st, int64_t brief_id, const char *curator, struct lb_comparison_list *out)
{
	db_stmt *s;
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = st_exists(st, "brief", brief_id);
	if (rc)
		return rc;
	s = st_prep(st, "SELECT id, brief_id, left_id, right_id, verdict, curator, created FROM comparison"
			" WHERE brief_id = ?1 AND (?2 IS NULL OR curator = ?2) ORDER BY id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	st_bind_text(s, 2, curator);
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_comparison *c;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		c = &out->v[out->n++];
		c->id = db_column_int64(s, 0);
		c->brief_id = db_column_int64(s, 1);
		c->left_id = db_column_int64(s, 2);
		c->right_id = db_column_int64(s, 3);
		c->verdict = lb_verdict_parse((const char *)db_column_text(s, 4));
		c->curator = st_col_text(s, 5);
		c->created = db_column_int64(s, 6);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_comparison_list_free(out);
		return st_sqlfail(st, rc, "reading judgements");
	}
	return 0;
}

/* ------------------------------------------------------------ rankings */

static int cmp_rank(const void *pa, const void *pb)
{
	const struct lb_rank_item *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->candidate_id > b->candidate_id) - (a->candidate_id < b->candidate_id);
}

int store_ranking(struct store *st, int64_t brief_id, const char *curator, struct lb_ranking *out)
{
	struct bt m;
	double *se;
	size_t i;
	int rc;

	memset(out, 0, sizeof *out);
	rc = st_exists(st, "brief", brief_id);
	if (rc == 0)
		rc = bt_load(st, brief_id, curator, &m);
	if (rc)
		return rc;
	se = xcalloc(m.n + 1, sizeof *se);
	bt_se(&m, se);
	out->brief_id = brief_id;
	out->curator = xstrdup(curator);
	out->v = xcalloc(m.n + 1, sizeof *out->v);
	out->n = m.n;
	out->n_judgements = m.n_judgements;
	out->n_skips = m.n_skips;
	out->iterations = m.iterations;
	for (i = 0; i < m.n; i++) {
		out->v[i].candidate_id = m.ids[i];
		out->v[i].score = m.theta[i];
		out->v[i].se = se[i];
		out->v[i].n = m.games[i];
		out->v[i].wins = m.wins[i];
		out->v[i].losses = m.losses[i];
		out->v[i].ties = m.ties[i];
	}
	qsort(out->v, out->n, sizeof *out->v, cmp_rank);
	/* Blind review: others' judgements of a candidate I have not judged
	 * are hidden, their pooled score with them; ranks count what is shown. */
	if ((curator == NULL || strcmp(curator, st->curator) != 0) && st_scope_blind(st, brief_id, 0)) {
		size_t k = 0;
		for (i = 0; i < out->n; i++)
			if (!st_blind_hides(st, brief_id, out->v[i].candidate_id))
				out->v[k++] = out->v[i];
		out->n = k;
	}
	for (i = 0; i < out->n; i++)
		out->v[i].rank = (int)i + 1;
	free(se);
	bt_free(&m);
	return 0;
}

/* ------------------------------------------------------------ the next pair */

struct seen {
	int64_t a, b; /* a < b */
	int times;
};

static int cmp_seen(const void *pa, const void *pb)
{
	const struct seen *a = pa, *b = pb;

	if (a->a != b->a)
		return (a->a > b->a) - (a->a < b->a);
	return (a->b > b->b) - (a->b < b->b);
}

/* A well-mixed hash for deterministic tie-breaks (splitmix64's finaliser). */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct pick {
	double crit;
	uint64_t tie;
	size_t i, j;
	int times;
};

static int times_of(const struct seen *sv, size_t ns, int64_t x, int64_t y)
{
	struct seen key = { x < y ? x : y, x < y ? y : x, 0 };
	const struct seen *f = ns ? bsearch(&key, sv, ns, sizeof *sv, cmp_seen) : NULL;

	return f ? f->times : 0;
}

static void consider(struct pick *best, size_t i, size_t j, const int64_t *ids, const double *th,
		     const double *var, const struct seen *sv, size_t ns, uint64_t salt)
{
	double p = sigmoid(th[i] - th[j]);
	int t = times_of(sv, ns, ids[i], ids[j]);
	double crit = p * (1 - p) * (var[i] + var[j]) / (1 + 4.0 * t);
	uint64_t tie = mix(salt ^ mix((uint64_t)ids[i] * 1000003u + (uint64_t)ids[j]));

	if (crit > best->crit * (1 + 1e-12) ||
	    (crit >= best->crit * (1 - 1e-12) && tie < best->tie)) {
		best->crit = crit;
		best->tie = tie;
		best->i = i;
		best->j = j;
		best->times = t;
	}
}

int store_compare_next(struct store *st, int64_t brief_id, struct lb_pair *out)
{
	db_stmt *s;
	struct bt m;
	int64_t *ids = NULL;
	double *th = NULL, *var = NULL, *se;
	struct seen *sv = NULL;
	size_t n = 0, cap = 0, ns = 0, scap = 0, i, j, k;
	struct pick best = { -1, UINT64_MAX, 0, 0, 0 };
	uint64_t salt;
	int rc;

	memset(out, 0, sizeof *out);
	rc = st_exists(st, "brief", brief_id);
	if (rc)
		return rc;
	s = st_prep(st, "SELECT c.id FROM candidate c WHERE c.brief_id = ?1 AND NOT EXISTS (SELECT 1 FROM"
			" rating r WHERE r.brief_id = ?1 AND r.candidate_id = c.id AND r.curator = ?2"
			" AND r.flag = 'reject') ORDER BY c.id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	st_bind_text(s, 2, st->curator);
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = db_column_int64(s, 0);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		free(ids);
		return st_sqlfail(st, rc, "reading candidates");
	}
	if (n < 2) {
		free(ids);
		return st_fail(st, STORE_EEMPTY, "brief %lld has fewer than two candidates to compare",
			       (long long)brief_id);
	}
	s = st_prep(st, "SELECT min(left_id, right_id), max(left_id, right_id), count(*) FROM comparison"
			" WHERE brief_id = ? AND curator = ? GROUP BY 1, 2 ORDER BY 1, 2");
	if (s == NULL) {
		free(ids);
		return STORE_EIO;
	}
	db_bind_int64(s, 1, brief_id);
	st_bind_text(s, 2, st->curator);
	while ((rc = db_step(s)) == DB_ROW) {
		if (ns == scap) {
			scap = scap ? scap * 2 : 64;
			sv = xrealloc(sv, scap * sizeof *sv);
		}
		sv[ns].a = db_column_int64(s, 0);
		sv[ns].b = db_column_int64(s, 1);
		sv[ns++].times = db_column_int(s, 2);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		free(ids);
		free(sv);
		return st_sqlfail(st, rc, "reading judgements");
	}
	rc = bt_load(st, brief_id, NULL, &m);
	if (rc) {
		free(ids);
		free(sv);
		return rc;
	}
	th = xcalloc(n, sizeof *th);
	var = xcalloc(n, sizeof *var);
	se = xcalloc(m.n + 1, sizeof *se);
	bt_se(&m, se);
	for (i = 0; i < n; i++) {
		k = bt_index(&m, ids[i]);
		th[i] = k == (size_t)-1 ? 0 : m.theta[k];
		var[i] = k == (size_t)-1 ? 1 / (PRIOR_GAMES * 0.25) : se[k] * se[k];
	}
	free(se);
	salt = mix((uint64_t)(m.n_judgements + m.n_skips) * 7919u + (uint64_t)ns);
	if (n <= ALL_PAIRS_MAX) {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				consider(&best, i, j, ids, th, var, sv, ns, salt);
	} else {
		size_t a = 0;
		uint64_t ta = UINT64_MAX;
		for (i = 0; i < n; i++) {
			uint64_t t = mix(salt ^ (uint64_t)ids[i]);
			if (var[i] > var[a] * (1 + 1e-12) || (var[i] >= var[a] * (1 - 1e-12) && t < ta)) {
				a = i;
				ta = t;
			}
		}
		for (j = 0; j < n; j++)
			if (j != a)
				consider(&best, a < j ? a : j, a < j ? j : a, ids, th, var, sv, ns, salt);
	}
	/* Sides alternate by the tie-break hash so neither is favoured. */
	if (best.tie & 1) {
		out->left_id = ids[best.i];
		out->right_id = ids[best.j];
		out->p_left = sigmoid(th[best.i] - th[best.j]);
	} else {
		out->left_id = ids[best.j];
		out->right_id = ids[best.i];
		out->p_left = sigmoid(th[best.j] - th[best.i]);
	}
	out->info = best.crit;
	out->times = best.times;
	free(ids);
	free(th);
	free(var);
	free(sv);
	bt_free(&m);
	return 0;
}
