/*
 * wins.c - what wins: a brief's (or a project's) candidates grouped by a
 * field (model, sampler, LoRA, a parameter, a prompt phrase, ...), each
 * group with how many candidates and ratings it has, the mean stars with
 * a 95% interval (Student's t on the ratings), the pick rate with a
 * Wilson interval, and the mean pairwise (Bradley-Terry) score.  Groups
 * with fewer rated candidates than the minimum are counted apart and not
 * ranked: noise is not a finding.
 */
#include "config.h"

#include "store.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"

/* One (group value, candidate) row with the candidate's judgements. */
struct wrow {
	char *key;
	int64_t id;
	double sum, sumsq; /* of its stars */
	int n, picks, rejects;
	int has_score;
	double score;
};

struct wrows {
	struct wrow *v;
	size_t n, cap;
};

static void add_row(struct wrows *r, const char *key, const struct wrow *proto)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	r->v[r->n] = *proto;
	r->v[r->n++].key = xstrdup(key);
}

/* The prompt's phrases: split at commas, periods, semicolons and
 * newlines, trimmed, lower case, weights like (x:1.2) kept as written. */
static void add_phrases(struct wrows *r, const char *prompt, const struct wrow *proto)
{
	char *copy = xstrdup(prompt), *p = copy, *e, *q;
	size_t k;

	while (*p) {
		size_t n = strcspn(p, ",.;\n");
		e = p + n;
		while (p < e && isspace((unsigned char)*p))
			p++;
		q = e;
		while (q > p && isspace((unsigned char)q[-1]))
			q--;
		if (q > p && q - p <= 80) {
			char *ph = xstrndup(p, (size_t)(q - p));
			for (k = 0; ph[k]; k++)
				ph[k] = (char)tolower((unsigned char)ph[k]);
			add_row(r, ph, proto);
			free(ph);
		}
		p = *e ? e + 1 : e;
	}
	free(copy);
}

static int cmp_key(const void *a, const void *b)
{
	const struct wrow *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Two-sided 95% Student's t for df degrees of freedom. */
static double t95(int df)
{
	static const double t[] = { 0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
				    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086 };

	if (df < 1)
		return NAN;
	if (df <= 20)
		return t[df];
	return df <= 30 ? 2.042 : df <= 60 ? 2.000 : df <= 120 ? 1.980 : 1.960;
}

static int cmp_group(const void *a, const void *b)
{
	const struct lb_win *x = a, *y = b;
	double lx = isnan(x->stars_lo) ? -1 : x->stars_lo, ly = isnan(y->stars_lo) ? -1 : y->stars_lo;

	if (x->ranked != y->ranked)
		return y->ranked - x->ranked;
	if (lx != ly)
		return lx < ly ? 1 : -1;
	return strcmp(x->value, y->value);
}

static void finish(struct wrow *v, size_t n, int min_support, struct lb_win *w)
{
	double sum = 0, sumsq = 0, score = 0, p, z = 1.96, den, mid, half;
	int nr = 0, ns = 0;
	size_t i;

	memset(w, 0, sizeof *w);
	w->value = xstrdup(v[0].key);
	for (i = 0; i < n; i++) {
		/* a candidate counts once per group (two equal phrases in one prompt) */
		if (i > 0 && v[i].id == v[i - 1].id)
			continue;
		w->n_candidates++;
		if (v[i].n) {
			w->n_rated++;
			nr += v[i].n;
			sum += v[i].sum;
			sumsq += v[i].sumsq;
		}
		if (v[i].picks)
			w->n_picked++;
		if (v[i].has_score) {
			score += v[i].score;
			ns++;
		}
	}
	w->n_ratings = nr;
	w->stars = nr ? sum / nr : NAN;
	w->stars_lo = w->stars_hi = NAN;
	if (nr >= 2) {
		double var = (sumsq - sum * sum / nr) / (nr - 1);
		half = t95(nr - 1) * sqrt(var > 0 ? var : 0) / sqrt(nr);
		w->stars_lo = fmax(0, w->stars - half);
		w->stars_hi = fmin(5, w->stars + half);
	}
	/* Wilson interval of the share of candidates someone picked. */
	p = w->n_candidates ? (double)w->n_picked / w->n_candidates : 0;
	w->pick_rate = p;
	den = 1 + z * z / w->n_candidates;
	mid = (p + z * z / (2.0 * w->n_candidates)) / den;
	half = z * sqrt(p * (1 - p) / w->n_candidates + z * z / (4.0 * w->n_candidates * w->n_candidates)) / den;
	w->pick_lo = fmax(0, mid - half);
	w->pick_hi = fmin(1, mid + half);
	w->score = ns ? score / ns : NAN;
	w->n_scored = ns;
	w->ranked = w->n_rated >= min_support;
}

int store_wins(struct store *st, int64_t brief_id, int64_t project_id, const char *by, int min_support,
	       struct lb_win **out, size_t *nout)
{
	struct wrows r = { 0 };
	struct wrow proto;
	db_stmt *s;
	char *sql, *keyexpr = NULL, *from = NULL, *pkey = NULL;
	int phrase = 0, rc;
	size_t i, j, cap = 0;

	*out = NULL;
	*nout = 0;
	if (by == NULL || *by == '\0')
		by = "model";
	if (min_support < 1)
		min_support = 1;
	if (strcmp(by, "model") == 0 || strcmp(by, "backend") == 0 || strcmp(by, "modality") == 0) {
		keyexpr = xasprintf("nullif(c.%s, '')", by);
	} else if (strcmp(by, "sampler") == 0) {
		keyexpr = xstrdup("coalesce(json_extract(c.params, '$.sampler'), json_extract(c.params, '$.sampler_name'))");
	} else if (strcmp(by, "scheduler") == 0 || strcmp(by, "steps") == 0 || strcmp(by, "width") == 0 ||
		   strcmp(by, "height") == 0) {
		keyexpr = xasprintf("json_extract(c.params, '$.%s')", by);
	} else if (strcmp(by, "cfg") == 0) {
		keyexpr = xstrdup("coalesce(json_extract(c.params, '$.cfg_scale'), json_extract(c.params, "
				  "'$.\"cfg-scale\"'), json_extract(c.params, '$.cfg'))");
	} else if (strcmp(by, "revision") == 0) {
		keyexpr = xstrdup("'r' || (SELECT rv.rev FROM brief_revision rv WHERE rv.id = c.revision_id)");
	} else if (strcmp(by, "seed") == 0) {
		keyexpr = xstrdup("CASE WHEN c.seed IS NULL THEN NULL ELSE (c.seed / 1000) * 1000 || '-' ||"
				  " ((c.seed / 1000) * 1000 + 999) END");
	} else if (strcmp(by, "lora") == 0) {
		keyexpr = xstrdup("CASE l.type WHEN 'object' THEN json_extract(l.value, '$.name') ELSE l.value END");
		/* a JOIN, not a comma: PostgreSQL's comma binds after the LEFT JOIN's ON */
		from = xstrdup(" CROSS JOIN json_each(c.params, '$.loras') l");
	} else if (strcmp(by, "tag") == 0) {
		keyexpr = xstrdup("t.name");
		from = xstrdup(" JOIN candidate_tag ct ON ct.candidate_id = c.id JOIN tag t ON t.id = ct.tag_id");
	} else if (strncmp(by, "param:", 6) == 0 && by[6]) {
		pkey = xstrdup(by + 6);
		keyexpr = xstrdup("pj.atom");
		from = xstrdup(" CROSS JOIN json_tree(c.params) pj");
	} else if (strcmp(by, "phrase") == 0) {
		phrase = 1;
		keyexpr = xstrdup("coalesce(nullif(c.prompt, ''), (SELECT rv.prompt FROM brief_revision rv"
				  " WHERE rv.id = c.revision_id))");
	} else {
		return st_fail(st, STORE_EINVAL,
			       "unknown field '%s': use model, sampler, scheduler, steps, cfg, lora, "
			       "param:KEY, phrase, revision, backend, seed (ranges of 1000), tag, width or height",
			       by);
	}
	/* Blind review: only the judgements the store's curator (?4) may see. */
	sql = xasprintf("SELECT CAST(%s AS TEXT), c.id, coalesce(j.s, 0), coalesce(j.ss, 0), coalesce(j.n, 0),"
			" coalesce(j.p, 0), coalesce(j.r, 0),"
			" CASE WHEN " ST_BLIND_HIDES("c.brief_id", "c.id", "?4") " THEN NULL ELSE c.score END"
			" FROM candidate c%s"
			" LEFT JOIN (SELECT x.candidate_id, sum(x.stars) s, sum(x.stars * x.stars) ss, count(x.stars) n,"
			"   count(*) FILTER (WHERE x.flag = 'pick') p, count(*) FILTER (WHERE x.flag = 'reject') r"
			"   FROM rating x WHERE x.brief_id IN (SELECT id FROM brief WHERE id = ?1 OR project_id = ?2)"
			"%s GROUP BY x.candidate_id) j ON j.candidate_id = c.id"
			" WHERE c.brief_id IN (SELECT id FROM brief WHERE id = ?1 OR project_id = ?2)%s",
			keyexpr, from ? from : "",
			/* the visibility check costs a lookup a rating: only where needed */
			st_scope_blind(st, brief_id, brief_id ? 0 : project_id)
				? ST_VISIBLE_TO("x.brief_id", "x.candidate_id", "x.curator", "?4")
				: " AND ?4 IS NOT NULL",
			pkey ? " AND pj.key = ?3 AND pj.type NOT IN ('object', 'array')" : "");
	s = st_prep(st, sql);
	free(sql);
	free(keyexpr);
	free(from);
	if (s == NULL) {
		free(pkey);
		return STORE_EIO;
	}
	db_bind_int64(s, 1, brief_id);
	db_bind_int64(s, 2, brief_id ? -1 : project_id);
	if (pkey)
		st_bind_text(s, 3, pkey);
	st_bind_text(s, 4, store_curator(st));
	while ((rc = db_step(s)) == DB_ROW) {
		const char *key = (const char *)db_column_text(s, 0);
		memset(&proto, 0, sizeof proto);
		proto.id = db_column_int64(s, 1);
		proto.sum = db_column_double(s, 2);
		proto.sumsq = db_column_double(s, 3);
		proto.n = db_column_int(s, 4);
		proto.picks = db_column_int(s, 5);
		proto.rejects = db_column_int(s, 6);
		proto.has_score = db_column_type(s, 7) != DB_NULL;
		proto.score = db_column_double(s, 7);
		if (key == NULL || *key == '\0')
			key = "(none)";
		if (phrase)
			add_phrases(&r, key, &proto);
		else
			add_row(&r, key, &proto);
	}
	db_reset(s);
	free(pkey);
	if (rc != DB_DONE) {
		for (i = 0; i < r.n; i++)
			free(r.v[i].key);
		free(r.v);
		return st_sqlfail(st, rc, "reading what wins");
	}
	qsort(r.v, r.n, sizeof *r.v, cmp_key);
	for (i = 0; i < r.n; i = j) {
		for (j = i + 1; j < r.n && strcmp(r.v[j].key, r.v[i].key) == 0; j++)
			;
		if (*nout == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		finish(&r.v[i], j - i, min_support, &(*out)[(*nout)++]);
	}
	for (i = 0; i < r.n; i++)
		free(r.v[i].key);
	free(r.v);
	if (*nout)
		qsort(*out, *nout, sizeof **out, cmp_group);
	return 0;
}

void lb_wins_free(struct lb_win *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(w[i].value);
	free(w);
}
