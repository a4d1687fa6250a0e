/*
 * stats.c - how far curators agree: per brief, who rated how much, the
 * mean and spread of the stars, pairwise agreement between curators and
 * the candidates they disagree on most.
 *
 * Stars are compared with Krippendorff's alpha (K. Krippendorff, "Content
 * Analysis", 2004, ch. 11; "Computing Krippendorff's Alpha-Reliability",
 * 2011) with the ordinal metric.  Why ordinal: stars are ranks, not
 * measurements.  Nobody claims the step from 4 to 5 stars is the same as
 * from 1 to 2, and curators use the scale unevenly (most ratings sit at
 * 3-4).  The ordinal metric measures a difference by how many of the
 * ratings actually given lie between two values, so it needs no more
 * than the order of the stars.  The interval metric ((c - k)^2) is
 * computed too, for readers who treat stars as numbers.  Alpha is 1 for
 * perfect agreement, 0 for agreement no better than chance, below 0 for
 * systematic disagreement; it is undefined (NAN) when fewer than two
 * values can be paired or all values are equal.
 *
 * Pick/reject agreement is the share of candidates, among those both
 * curators rated and at least one flagged pick or reject, that they
 * flagged the same way.  Candidates neither flagged say nothing about
 * picking and would only inflate the figure.
 */
#include "config.h"

#include "store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double lb_krippendorff_alpha(const double *values, int m, int n_units, int ordinal, int *n_pairable)
{
	double *cat, *o, *nc, *delta2, n = 0, dobs = 0, dexp = 0, alpha;
	int u, r, r2, i, k, g, ncat = 0, mu;

	if (n_pairable)
		*n_pairable = 0;
	if (m < 2 || n_units < 1)
		return NAN;
	/* The categories: the distinct values in units with two or more. */
	cat = xcalloc((size_t)m * (size_t)n_units + 1, sizeof *cat);
	for (u = 0; u < n_units; u++) {
		for (mu = 0, r = 0; r < m; r++)
			mu += !isnan(values[r * n_units + u]);
		if (mu < 2)
			continue;
		for (r = 0; r < m; r++)
			if (!isnan(values[r * n_units + u]))
				cat[ncat++] = values[r * n_units + u];
	}
	if (n_pairable)
		*n_pairable = ncat;
	if (ncat < 2) {
		free(cat);
		return NAN;
	}
	qsort(cat, (size_t)ncat, sizeof *cat, cmp_double);
	for (i = 1, k = 1; i < ncat; i++)
		if (cat[i] != cat[k - 1])
			cat[k++] = cat[i];
	ncat = k;
	/* The coincidence matrix: each ordered pair of values within a unit
	 * of m_u values adds 1 / (m_u - 1). */
	o = xcalloc((size_t)ncat * (size_t)ncat, sizeof *o);
	nc = xcalloc((size_t)ncat, sizeof *nc);
	delta2 = xcalloc((size_t)ncat * (size_t)ncat, sizeof *delta2);
	for (u = 0; u < n_units; u++) {
		for (mu = 0, r = 0; r < m; r++)
			mu += !isnan(values[r * n_units + u]);
		if (mu < 2)
			continue;
		for (r = 0; r < m; r++) {
			double v = values[r * n_units + u];
			double *pc;
			if (isnan(v))
				continue;
			pc = bsearch(&v, cat, (size_t)ncat, sizeof *cat, cmp_double);
			for (r2 = 0; r2 < m; r2++) {
				double w = values[r2 * n_units + u];
				double *pk;
				if (r2 == r || isnan(w))
					continue;
				pk = bsearch(&w, cat, (size_t)ncat, sizeof *cat, cmp_double);
				o[(pc - cat) * ncat + (pk - cat)] += 1.0 / (mu - 1);
			}
		}
	}
	for (i = 0; i < ncat; i++) {
		for (k = 0; k < ncat; k++)
			nc[i] += o[i * ncat + k];
		n += nc[i];
	}
	/* The metric: interval (c - k)^2, or ordinal: the ratings between c
	 * and k, counting each end half, squared. */
	for (i = 0; i < ncat; i++)
		for (k = 0; k < ncat; k++) {
			double d;
			if (ordinal) {
				int lo = i < k ? i : k, hi = i < k ? k : i;
				d = 0;
				for (g = lo; g <= hi; g++)
					d += nc[g];
				d -= (nc[lo] + nc[hi]) / 2;
				if (lo == hi)
					d = 0;
			} else {
				d = cat[i] - cat[k];
			}
			delta2[i * ncat + k] = d * d;
		}
	for (i = 0; i < ncat; i++)
		for (k = 0; k < ncat; k++) {
			dobs += o[i * ncat + k] * delta2[i * ncat + k];
			dexp += nc[i] * nc[k] * delta2[i * ncat + k];
		}
	alpha = dexp > 0 && n > 1 ? 1 - (n - 1) * dobs / dexp : NAN;
	free(cat);
	free(o);
	free(nc);
	free(delta2);
	return alpha;
}

void lb_brief_stats_clear(struct lb_brief_stats *s)
{
	size_t i;

	for (i = 0; i < s->n_curators; i++)
		free(s->curators[i].curator);
	for (i = 0; i < s->n_pairs; i++) {
		free(s->pairs[i].a);
		free(s->pairs[i].b);
	}
	for (i = 0; i < s->n_disagree; i++)
		free(s->disagree[i].ratings);
	free(s->curators);
	free(s->pairs);
	free(s->disagree);
	memset(s, 0, sizeof *s);
}

/* The ratings of a brief as curator x candidate matrices. */
struct grid {
	char **cur;       /* sorted curator names */
	size_t ncur;
	int64_t *cand;    /* sorted candidate ids with a rating */
	size_t ncand;
	double *stars;    /* [cur * ncand + cand], NAN when no stars */
	int *flag;        /* -1 no rating row, else LB_FLAG_* */
};

static void grid_free(struct grid *g)
{
	size_t i;

	for (i = 0; i < g->ncur; i++)
		free(g->cur[i]);
	free(g->cur);
	free(g->cand);
	free(g->stars);
	free(g->flag);
	memset(g, 0, sizeof *g);
}

struct row {
	int64_t cand;
	char *cur;
	int stars, flag;
};

static int grid_load(struct store *st, int64_t brief_id, struct grid *g)
{
	db_stmt *s;
	struct row *rows = NULL;
	size_t n = 0, cap = 0, i, k;
	int rc;

	memset(g, 0, sizeof *g);
	/* Blind review: only the rows the store's curator may see, so no
	 * figure (a curator's mean, an agreement, a disagreement) tells what
	 * they may not see. */
	s = st_prep(st, st_scope_blind(st, brief_id, 0)
				? "SELECT x.candidate_id, x.curator, x.stars, x.flag FROM rating x WHERE x.brief_id = ?1"
				  ST_VISIBLE_TO("?1", "x.candidate_id", "x.curator", "?2")
				: "SELECT x.candidate_id, x.curator, x.stars, x.flag FROM rating x WHERE x.brief_id = ?1"
				  " AND ?2 IS NOT NULL");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	st_bind_text(s, 2, store_curator(st));
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		rows[n].cand = db_column_int64(s, 0);
		rows[n].cur = st_col_text(s, 1);
		rows[n].stars = db_column_type(s, 2) == DB_NULL ? -1 : db_column_int(s, 2);
		rows[n].flag = lb_flag_parse((const char *)db_column_text(s, 3));
		if (rows[n].flag < 0)
			rows[n].flag = LB_FLAG_NONE;
		n++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		for (i = 0; i < n; i++)
			free(rows[i].cur);
		free(rows);
		return st_sqlfail(st, rc, "reading ratings");
	}
	g->cur = xcalloc(n + 1, sizeof *g->cur);
	g->cand = xcalloc(n + 1, sizeof *g->cand);
	for (i = 0; i < n; i++) {
		g->cur[i] = rows[i].cur;
		g->cand[i] = rows[i].cand;
	}
	qsort(g->cur, n, sizeof *g->cur, st_cmp_str);
	qsort(g->cand, n, sizeof *g->cand, st_cmp_i64);
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || strcmp(g->cur[k - 1], g->cur[i]) != 0)
			g->cur[k++] = g->cur[i];
	g->ncur = k;
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || g->cand[k - 1] != g->cand[i])
			g->cand[k++] = g->cand[i];
	g->ncand = k;
	g->stars = xcalloc(g->ncur * g->ncand + 1, sizeof *g->stars);
	g->flag = xcalloc(g->ncur * g->ncand + 1, sizeof *g->flag);
	for (i = 0; i < g->ncur * g->ncand; i++) {
		g->stars[i] = NAN;
		g->flag[i] = -1;
	}
	for (i = 0; i < n; i++) {
		char **pc = bsearch(&rows[i].cur, g->cur, g->ncur, sizeof *g->cur, st_cmp_str);
		int64_t *pk = bsearch(&rows[i].cand, g->cand, g->ncand, sizeof *g->cand, st_cmp_i64);
		size_t at = (size_t)(pc - g->cur) * g->ncand + (size_t)(pk - g->cand);
		g->stars[at] = rows[i].stars >= 0 ? rows[i].stars : NAN;
		g->flag[at] = rows[i].flag;
	}
	/* Names were moved into g->cur; free the duplicates left behind. */
	for (i = 0; i < n; i++) {
		char **pc = bsearch(&rows[i].cur, g->cur, g->ncur, sizeof *g->cur, st_cmp_str);
		if (*pc != rows[i].cur)
			free(rows[i].cur);
	}
	free(rows);
	return 0;
}

static int flagged(int f)
{
	return f == LB_FLAG_PICK || f == LB_FLAG_REJECT;
}

static void pair_stats(const struct grid *g, size_t a, size_t b, struct lb_pair_agreement *p)
{
	double *v = xcalloc(2 * g->ncand + 1, sizeof *v);
	size_t u;
	int fa, fb;

	p->a = xstrdup(g->cur[a]);
	p->b = xstrdup(g->cur[b]);
	for (u = 0; u < g->ncand; u++) {
		fa = g->flag[a * g->ncand + u];
		fb = g->flag[b * g->ncand + u];
		v[u] = g->stars[a * g->ncand + u];
		v[g->ncand + u] = g->stars[b * g->ncand + u];
		if (fa < 0 || fb < 0)
			continue;
		p->n_common++;
		if (!isnan(v[u]) && !isnan(v[g->ncand + u]))
			p->n_starred++;
		if (flagged(fa) || flagged(fb)) {
			p->n_flagged++;
			p->n_flag_agree += fa == fb;
		}
	}
	p->flag_agreement = p->n_flagged ? (double)p->n_flag_agree / p->n_flagged : NAN;
	p->alpha = lb_krippendorff_alpha(v, 2, (int)g->ncand, 1, NULL);
	free(v);
}

static int cmp_disagree(const void *pa, const void *pb)
{
	const struct lb_disagreement *a = pa, *b = pb;
	int ca = a->n_picks > 0 && a->n_rejects > 0, cb = b->n_picks > 0 && b->n_rejects > 0;

	if (ca != cb)
		return cb - ca;
	if (a->max_stars - a->min_stars != b->max_stars - b->min_stars)
		return (b->max_stars - b->min_stars) - (a->max_stars - a->min_stars);
	if (a->sd != b->sd)
		return a->sd > b->sd ? -1 : 1;
	return (a->candidate_id > b->candidate_id) - (a->candidate_id < b->candidate_id);
}

static void disagreements(const struct grid *g, int top, struct lb_brief_stats *out)
{
	struct lb_disagreement *d = xcalloc(g->ncand + 1, sizeof *d);
	size_t u, r, n = 0;

	for (u = 0; u < g->ncand; u++) {
		struct lb_disagreement x = { 0 };
		double sum = 0, sq = 0;
		struct sbuf b;
		x.candidate_id = g->cand[u];
		x.min_stars = 99;
		x.max_stars = -1;
		for (r = 0; r < g->ncur; r++) {
			double v = g->stars[r * g->ncand + u];
			int f = g->flag[r * g->ncand + u];
			x.n_picks += f == LB_FLAG_PICK;
			x.n_rejects += f == LB_FLAG_REJECT;
			if (isnan(v))
				continue;
			x.n_starred++;
			sum += v;
			sq += v * v;
			if ((int)v < x.min_stars)
				x.min_stars = (int)v;
			if ((int)v > x.max_stars)
				x.max_stars = (int)v;
		}
		if (x.n_starred == 0)
			x.min_stars = x.max_stars = 0;
		else
			x.sd = sqrt(fmax(0, sq / x.n_starred - (sum / x.n_starred) * (sum / x.n_starred)));
		if (!(x.max_stars > x.min_stars || (x.n_picks > 0 && x.n_rejects > 0)))
			continue;
		sb_init(&b);
		for (r = 0; r < g->ncur; r++) {
			double v = g->stars[r * g->ncand + u];
			int f = g->flag[r * g->ncand + u];
			if (f < 0)
				continue;
			if (b.len)
				sb_adds(&b, ", ");
			sb_adds(&b, g->cur[r]);
			if (isnan(v))
				sb_adds(&b, " -");
			else
				sb_addf(&b, " %d", (int)v);
			if (f != LB_FLAG_NONE)
				sb_addf(&b, " %s", lb_flag_name(f));
		}
		x.ratings = sb_steal(&b);
		d[n++] = x;
	}
	qsort(d, n, sizeof *d, cmp_disagree);
	if (top < 0)
		top = 0;
	for (u = (size_t)top; u < n; u++)
		free(d[u].ratings);
	out->n_disagree = n < (size_t)top ? n : (size_t)top;
	out->disagree = d;
}

/* Agreement after adjudication: g's votes on each decided candidate
 * become the decision (stars when it gave stars; the flag), then the
 * same figures again.  g is changed. */
static int after_adjudication(struct store *st, int64_t brief_id, struct grid *g, struct lb_brief_stats *out)
{
	struct lb_pair_agreement p;
	db_stmt *s;
	size_t r, a, b;
	int rc;

	s = st_prep(st, "SELECT candidate_id, stars, flag FROM adjudication WHERE brief_id = ?");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t id = db_column_int64(s, 0);
		int64_t *pk = bsearch(&id, g->cand, g->ncand, sizeof *g->cand, st_cmp_i64);
		int has_stars = db_column_type(s, 1) != DB_NULL;
		int flag = lb_flag_parse((const char *)db_column_text(s, 2));
		size_t u;
		if (pk == NULL) /* no votes, or none I may see */
			continue;
		u = (size_t)(pk - g->cand);
		out->n_adjudicated++;
		for (r = 0; r < g->ncur; r++) {
			if (g->flag[r * g->ncand + u] < 0)
				continue;
			if (has_stars)
				g->stars[r * g->ncand + u] = db_column_int(s, 1);
			g->flag[r * g->ncand + u] = flag < 0 ? LB_FLAG_NONE : flag;
		}
	}
	db_reset(s);
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, "reading the adjudications");
	out->alpha_after = lb_krippendorff_alpha(g->stars, (int)g->ncur, (int)g->ncand, 1, &out->n_pairable_after);
	out->alpha_interval_after = lb_krippendorff_alpha(g->stars, (int)g->ncur, (int)g->ncand, 0, NULL);
	for (a = 0; a < g->ncur; a++)
		for (b = a + 1; b < g->ncur; b++) {
			memset(&p, 0, sizeof p);
			pair_stats(g, a, b, &p);
			out->n_flagged_after += p.n_flagged;
			out->n_flag_agree_after += p.n_flag_agree;
			free(p.a);
			free(p.b);
		}
	out->flag_agreement_after = out->n_flagged_after ? (double)out->n_flag_agree_after / out->n_flagged_after : NAN;
	return 0;
}

int store_brief_stats(struct store *st, int64_t brief_id, int top, struct lb_brief_stats *out)
{
	struct grid g;
	db_stmt *s;
	size_t i, k, np = 0;
	double sum = 0, sq = 0;
	int rc;

	memset(out, 0, sizeof *out);
	out->brief_id = brief_id;
	rc = st_exists(st, "brief", brief_id);
	if (rc)
		return rc;
	s = st_prep(st, "SELECT count(*) FROM candidate WHERE brief_id = ?");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	if (db_step(s) == DB_ROW)
		out->n_candidates = db_column_int64(s, 0);
	db_reset(s);
	rc = store_blind_hidden(st, brief_id, &out->n_hidden);
	if (rc == 0)
		rc = grid_load(st, brief_id, &g);
	if (rc)
		return rc;
	out->n_rated = (int64_t)g.ncand;
	out->curators = xcalloc(g.ncur + 1, sizeof *out->curators);
	out->n_curators = g.ncur;
	for (i = 0; i < g.ncur; i++) {
		struct lb_curator_stats *c = &out->curators[i];
		double csum = 0;
		c->curator = xstrdup(g.cur[i]);
		for (k = 0; k < g.ncand; k++) {
			double v = g.stars[i * g.ncand + k];
			int f = g.flag[i * g.ncand + k];
			c->n_picks += f == LB_FLAG_PICK;
			c->n_rejects += f == LB_FLAG_REJECT;
			if (isnan(v))
				continue;
			c->n_rated++;
			csum += v;
			sum += v;
			sq += v * v;
		}
		c->mean_stars = c->n_rated ? csum / c->n_rated : NAN;
		out->n_ratings += c->n_rated;
	}
	out->mean_stars = out->n_ratings ? sum / out->n_ratings : NAN;
	out->sd_stars = out->n_ratings > 1
				? sqrt(fmax(0, (sq - sum * sum / out->n_ratings) / (out->n_ratings - 1)))
				: NAN;
	out->alpha = lb_krippendorff_alpha(g.stars, (int)g.ncur, (int)g.ncand, 1, &out->n_pairable);
	out->alpha_interval = lb_krippendorff_alpha(g.stars, (int)g.ncur, (int)g.ncand, 0, NULL);
	out->pairs = xcalloc(g.ncur * g.ncur / 2 + 1, sizeof *out->pairs);
	for (i = 0; i < g.ncur; i++)
		for (k = i + 1; k < g.ncur; k++) {
			pair_stats(&g, i, k, &out->pairs[np]);
			out->n_flagged += out->pairs[np].n_flagged;
			out->n_flag_agree += out->pairs[np].n_flag_agree;
			np++;
		}
	out->n_pairs = np;
	out->flag_agreement = out->n_flagged ? (double)out->n_flag_agree / out->n_flagged : NAN;
	disagreements(&g, top, out);
	rc = after_adjudication(st, brief_id, &g, out);
	grid_free(&g);
	return rc;
}
