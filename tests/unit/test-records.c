/*
 * test-records.c - unit tests of the store's records code: agreement
 * figures against a worked example, pairwise judgements (undo, redo, the
 * pair chooser) and a simulation showing that the Bradley-Terry ranking
 * recovers a known order, with the informative pair chooser against
 * random pairs.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "media/media.h"
#include "store/store.h"
#include "util.h"

/* got within eps of want, else the test fails naming what. */
static void near(double got, double want, double eps, const char *what)
{
	if (!(fabs(got - want) <= eps))
		fail_msg("%s: got %.12g, wanted %.12g", what, got, want);
}

/* ------------------------------------------------------------ a scratch store */

struct fixture {
	char dir[64];
	struct store *st;          /* as "ann" */
	int64_t project, brief;
};

static struct store *open_as(const char *dir, const char *curator)
{
	struct store_options o = { 0 };
	struct store *st = NULL;
	char *err = NULL;

	o.create = 1;
	o.curator = curator;
	if (store_open(dir, &o, &st, &err) != 0) {
		fprintf(stderr, "# %s\n", err);
		free(err);
		fail();
	}
	return st;
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct lb_brief_fields bf = { 0 };

	snprintf(f->dir, sizeof f->dir, "%s/lbrec.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->st = open_as(f->dir, "ann");
	bf.title = (char *)"Hero";
	bf.modality = LB_TEXT;
	if (store_project_add(f->st, "Autumn", "", &f->project) != 0 ||
	    store_brief_add(f->st, f->project, &bf, &f->brief) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->st);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int64_t add_text(struct fixture *f, int64_t brief, const char *body)
{
	struct lb_candidate_input in = { 0 };
	int64_t id = 0;

	in.brief_id = brief;
	in.body = body;
	in.backend = "manual";
	assert_int_equal(store_candidate_add(f->st, &in, &id), 0);
	return id;
}

/* ------------------------------------------------------------ agreement, worked by hand */

/*
 * Three curators rate four candidates of one brief (- = no rating row):
 *
 *              c1        c2        c3       c4
 *     ann    1 reject  2 -       3 pick   3 pick
 *     ben    1 reject  2 pick    3 pick   2 -
 *     cy     2 -       2 reject  3 pick   -
 *
 * Mean of the 11 star values: (1+2+3+3 + 1+2+3+2 + 2+2+3) / 11 = 24/11 = 2.1818.
 * Sample standard deviation: sum x^2 = 58, SS = 58 - 24^2/11 = 5.63636,
 * var = SS / 10 = 0.563636, sd = 0.750757.
 *
 * Krippendorff's alpha.  Coincidences: a unit with m values adds
 * 1/(m-1) for each ordered pair of values.
 *   c1 {1,1,2} m=3: o11 += 2*(1/2) = 1, o12 += 1, o21 += 1
 *   c2 {2,2,2} m=3: o22 += 6*(1/2) = 3
 *   c3 {3,3,3} m=3: o33 += 3
 *   c4 {3,2}   m=2: o23 += 1, o32 += 1
 * Totals: n1 = o11+o12 = 2, n2 = o21+o22+o23 = 5, n3 = o32+o33 = 4, n = 11.
 * alpha = 1 - (n-1) * sum o_ck d2_ck / sum n_c n_k d2_ck.
 *
 * Interval, d2 = (c-k)^2: d2(1,2) = d2(2,3) = 1, d2(1,3) = 4.
 *   observed: o12+o21+o23+o32 = 4 (o13 = 0)
 *   expected: 2 * (n1 n2 * 1 + n2 n3 * 1 + n1 n3 * 4) = 2 * (10 + 20 + 32) = 124
 *   alpha = 1 - 10 * 4 / 124 = 84/124 = 21/31 = 0.677419
 * Ordinal, d(c,k) = sum_{g=c..k} n_g - (n_c + n_k)/2:
 *   d(1,2) = (2+5)/2 = 3.5, d2 = 12.25; d(2,3) = (5+4)/2 = 4.5, d2 = 20.25;
 *   d(1,3) = 11 - (2+4)/2 = 8, d2 = 64
 *   observed: 2 * 12.25 + 2 * 20.25 = 65
 *   expected: 2 * (10 * 12.25 + 20 * 20.25 + 8 * 64) = 2 * 1039.5 = 2079
 *   alpha = 1 - 10 * 65 / 2079 = 1429/2079 = 0.687350
 *
 * Pairwise ordinal alpha:
 *   ann-ben, units (1,1) (2,2) (3,3) (3,2): o11 = o22 = o33 = 2, o23 = o32 = 1;
 *     n1 = 2, n2 = 3, n3 = 3, n = 8; d2(1,2) = 2.5^2 = 6.25, d2(2,3) = 3^2 = 9,
 *     d2(1,3) = (8 - 2.5)^2 = 30.25; observed 2 * 9 = 18;
 *     expected 2 * (6 * 6.25 + 9 * 9 + 6 * 30.25) = 600; alpha = 1 - 7*18/600 = 0.79
 *   ann-cy, units (1,2) (2,2) (3,3): o12 = o21 = 1, o22 = o33 = 2; n1 = 1, n2 = 3,
 *     n3 = 2, n = 6; d2(1,2) = 2^2 = 4, d2(2,3) = 2.5^2 = 6.25, d2(1,3) = 4.5^2 = 20.25;
 *     observed 8; expected 2 * (3*4 + 6*6.25 + 2*20.25) = 180; alpha = 1 - 5*8/180 = 7/9
 *   ben-cy: the same stars as ann-cy on c1..c3, so 7/9.
 *
 * Pick/reject agreement: candidates both rated where at least one flagged.
 *   ann-ben: c1 (reject, reject) c2 (-, pick) c3 (pick, pick) c4 (pick, -): 2 of 4
 *   ann-cy:  c1 (reject, -) c2 (-, reject) c3 (pick, pick): 1 of 3 (c4: cy did not rate)
 *   ben-cy:  c1 (reject, -) c2 (pick, reject) c3 (pick, pick): 1 of 3
 *   pooled: 4 of 10.
 *
 * Disagreement, most first: c2 (a pick and a reject, range 0), then c4
 * (range 1, sd 0.5), then c1 (range 1, sd 0.471); c3 agrees and is not listed.
 */
static void agreement_worked_example(void **state)
{
	struct fixture *f = *state;
	static const int stars[3][4] = { { 1, 2, 3, 3 }, { 1, 2, 3, 2 }, { 2, 2, 3, -1 } };
	static const int flags[3][4] = { { LB_FLAG_REJECT, LB_FLAG_NONE, LB_FLAG_PICK, LB_FLAG_PICK },
					 { LB_FLAG_REJECT, LB_FLAG_PICK, LB_FLAG_PICK, LB_FLAG_NONE },
					 { LB_FLAG_NONE, LB_FLAG_REJECT, LB_FLAG_PICK, LB_FLAG_NONE } };
	static const char *const who[3] = { "ann", "ben", "cy" };
	struct lb_brief_stats s;
	int64_t c[4];
	int r, u;

	for (u = 0; u < 4; u++)
		c[u] = add_text(f, f->brief, "a line of copy");
	add_text(f, f->brief, "never rated");
	for (r = 0; r < 3; r++) {
		struct store *st = open_as(f->dir, who[r]);
		for (u = 0; u < 4; u++) {
			if (stars[r][u] < 0)
				continue;
			assert_int_equal(store_rate(st, c[u], stars[r][u]), 0);
			if (flags[r][u] != LB_FLAG_NONE)
				assert_int_equal(store_flag(st, c[u], flags[r][u]), 0);
		}
		store_close(&st);
	}
	assert_int_equal(store_brief_stats(f->st, f->brief, 10, &s), 0);
	assert_int_equal(s.n_candidates, 5);
	assert_int_equal(s.n_rated, 4);
	assert_int_equal(s.n_ratings, 11);
	assert_int_equal(s.n_curators, 3);
	near(s.mean_stars, 24.0 / 11, 1e-9, "s.mean_stars");
	near(s.sd_stars, sqrt((58 - 576.0 / 11) / 10), 1e-9, "s.sd_stars");
	assert_int_equal(s.n_pairable, 11);
	near(s.alpha, 1429.0 / 2079, 1e-9, "s.alpha");
	near(s.alpha_interval, 21.0 / 31, 1e-9, "s.alpha_interval");
	assert_int_equal(s.n_flagged, 10);
	assert_int_equal(s.n_flag_agree, 4);
	assert_int_equal(s.n_pairs, 3);
	assert_string_equal(s.pairs[0].a, "ann");
	assert_string_equal(s.pairs[0].b, "ben");
	near(s.pairs[0].alpha, 0.79, 1e-9, "s.pairs[0].alpha");
	assert_int_equal(s.pairs[0].n_common, 4);
	assert_int_equal(s.pairs[0].n_flagged, 4);
	assert_int_equal(s.pairs[0].n_flag_agree, 2);
	assert_string_equal(s.pairs[1].b, "cy");
	near(s.pairs[1].alpha, 7.0 / 9, 1e-9, "s.pairs[1].alpha");
	assert_int_equal(s.pairs[1].n_flagged, 3);
	assert_int_equal(s.pairs[1].n_flag_agree, 1);
	near(s.pairs[2].alpha, 7.0 / 9, 1e-9, "s.pairs[2].alpha");
	near(s.pairs[2].flag_agreement, 1.0 / 3, 1e-9, "s.pairs[2].flag_agreement");
	assert_int_equal(s.curators[0].n_rated, 4);
	near(s.curators[0].mean_stars, 9.0 / 4, 1e-9, "s.curators[0].mean_stars");
	assert_int_equal(s.curators[2].n_rejects, 1);
	assert_int_equal(s.n_disagree, 3);
	assert_int_equal(s.disagree[0].candidate_id, c[1]);
	assert_int_equal(s.disagree[1].candidate_id, c[3]);
	assert_int_equal(s.disagree[2].candidate_id, c[0]);
	assert_string_equal(s.disagree[0].ratings, "ann 2, ben 2 pick, cy 2 reject");
	near(s.disagree[1].sd, 0.5, 1e-9, "s.disagree[1].sd");
	lb_brief_stats_clear(&s);
	/* Only the top one when asked for one. */
	assert_int_equal(store_brief_stats(f->st, f->brief, 1, &s), 0);
	assert_int_equal(s.n_disagree, 1);
	lb_brief_stats_clear(&s);
}

static void alpha_edge_cases(void **state)
{
	/* Perfect agreement, no variation, a single rater, missing values. */
	double same[6] = { 1, 2, 3, 1, 2, 3 };
	double flat[4] = { 4, 4, 4, 4 };
	double one[3] = { 1, 2, 3 };
	double gaps[6] = { 1, NAN, 5, 1, 2, NAN };
	int n;

	(void)state;
	near(lb_krippendorff_alpha(same, 2, 3, 1, &n), 1.0, 1e-12, "lb_krippendorff_alpha(same, 2, 3, 1, &n)");
	assert_int_equal(n, 6);
	assert_true(isnan(lb_krippendorff_alpha(flat, 2, 2, 1, &n)));
	assert_true(isnan(lb_krippendorff_alpha(one, 1, 3, 0, &n)));
	/* Only unit 0 is pairable (1 and 1): no variation, undefined. */
	assert_true(isnan(lb_krippendorff_alpha(gaps, 2, 3, 1, &n)));
	assert_int_equal(n, 2);
}

/* ------------------------------------------------------------ judgements */

static double score_of(struct fixture *f, int64_t id)
{
	struct lb_candidate c;
	double s;

	assert_int_equal(store_candidate_get(f->st, id, &c), 0);
	s = c.score;
	lb_candidate_clear(&c);
	return s;
}

static void judgements_undo_and_redo(void **state)
{
	struct fixture *f = *state;
	struct lb_comparison_list l;
	struct lb_ranking r;
	struct lb_brief_fields bf = { 0 };
	int64_t a = add_text(f, f->brief, "a"), b = add_text(f, f->brief, "b"), other, x, id;
	char *what = NULL;

	assert_true(isnan(score_of(f, a)));
	assert_int_equal(store_compare(f->st, a, b, LB_VERDICT_LEFT, &id), 0);
	assert_true(score_of(f, a) > 0 && score_of(f, b) < 0);
	assert_int_equal(store_ranking(f->st, f->brief, NULL, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].candidate_id, a);
	assert_int_equal(r.v[0].wins, 1);
	assert_true(r.v[0].se > 0 && isfinite(r.v[0].se));
	lb_ranking_clear(&r);
	/* Undo takes the judgement and the scores away; redo brings them back. */
	assert_int_equal(store_undo(f->st, &what), 0);
	assert_non_null(strstr(what, "left"));
	free(what);
	assert_true(isnan(score_of(f, a)));
	assert_int_equal(store_comparisons(f->st, f->brief, NULL, &l), 0);
	assert_int_equal(l.n, 0);
	lb_comparison_list_free(&l);
	assert_int_equal(store_redo(f->st, &what), 0);
	free(what);
	assert_true(score_of(f, a) > 0);
	assert_int_equal(store_comparisons(f->st, f->brief, "ann", &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, id);
	assert_int_equal(l.v[0].verdict, LB_VERDICT_LEFT);
	assert_string_equal(l.v[0].curator, "ann");
	lb_comparison_list_free(&l);
	/* A skip is stored but does not score. */
	assert_int_equal(store_compare(f->st, b, a, LB_VERDICT_SKIP, NULL), 0);
	assert_int_equal(store_ranking(f->st, f->brief, NULL, &r), 0);
	assert_int_equal(r.n_judgements, 1);
	assert_int_equal(r.n_skips, 1);
	lb_ranking_clear(&r);
	/* Bad judgements are refused with a reason. */
	assert_int_equal(store_compare(f->st, a, a, LB_VERDICT_TIE, NULL), STORE_EINVAL);
	bf.title = (char *)"Other";
	bf.modality = LB_TEXT;
	assert_int_equal(store_brief_add(f->st, f->project, &bf, &x), 0);
	other = add_text(f, x, "elsewhere");
	assert_int_equal(store_compare(f->st, a, other, LB_VERDICT_LEFT, NULL), STORE_EINVAL);
	assert_non_null(strstr(store_errmsg(f->st), "different briefs"));
	assert_int_equal(store_compare(f->st, a, 9999, LB_VERDICT_LEFT, NULL), STORE_ENOTFOUND);
	assert_int_equal(store_compare(f->st, a, b, 7, NULL), STORE_EINVAL);
}

static void ranking_sparse_and_per_curator(void **state)
{
	struct fixture *f = *state;
	struct store *bob = open_as(f->dir, "bob");
	int64_t c[4];
	struct lb_ranking r;
	int i;

	for (i = 0; i < 4; i++)
		c[i] = add_text(f, f->brief, "x");
	/* A chain of wins only: maximum likelihood alone would diverge. */
	assert_int_equal(store_compare(f->st, c[0], c[1], LB_VERDICT_LEFT, NULL), 0);
	assert_int_equal(store_compare(f->st, c[1], c[2], LB_VERDICT_LEFT, NULL), 0);
	assert_int_equal(store_compare(f->st, c[2], c[3], LB_VERDICT_LEFT, NULL), 0);
	assert_int_equal(store_compare(bob, c[3], c[0], LB_VERDICT_TIE, NULL), 0);
	assert_int_equal(store_ranking(f->st, f->brief, "ann", &r), 0);
	assert_int_equal(r.n, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(r.v[i].candidate_id, c[i]);
		assert_true(isfinite(r.v[i].score) && r.v[i].se > 0 && r.v[i].se < 3);
	}
	assert_true(r.v[0].score > r.v[1].score && r.v[2].score > r.v[3].score);
	lb_ranking_clear(&r);
	assert_int_equal(store_ranking(f->st, f->brief, "bob", &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].ties, 1);
	near(r.v[0].score, 0, 1e-9, "r.v[0].score");
	lb_ranking_clear(&r);
	/* Pooled: the tie pulls the ends together but the order stays. */
	assert_int_equal(store_ranking(f->st, f->brief, NULL, &r), 0);
	assert_int_equal(r.n_judgements, 4);
	assert_int_equal(r.v[0].candidate_id, c[0]);
	assert_int_equal(r.v[3].candidate_id, c[3]);
	lb_ranking_clear(&r);
	store_close(&bob);
}

static void next_pair_is_new_and_skips_rejects(void **state)
{
	struct fixture *f = *state;
	struct lb_pair p, q;
	int64_t c[3];
	int i, seen[3] = { 0 };

	assert_int_equal(store_compare_next(f->st, f->brief, &p), STORE_EEMPTY);
	for (i = 0; i < 3; i++)
		c[i] = add_text(f, f->brief, "y");
	/* Three judgements in a row cover the three pairs once each. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_compare_next(f->st, f->brief, &p), 0);
		assert_int_equal(p.times, 0);
		seen[(p.left_id - c[0]) + (p.right_id - c[0]) - 1]++;
		assert_int_equal(store_compare(f->st, p.left_id, p.right_id, LB_VERDICT_TIE, NULL), 0);
	}
	assert_int_equal(seen[0] + seen[1] + seen[2], 3);
	assert_true(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	/* Same state, same answer. */
	assert_int_equal(store_compare_next(f->st, f->brief, &p), 0);
	assert_int_equal(store_compare_next(f->st, f->brief, &q), 0);
	assert_int_equal(p.left_id, q.left_id);
	assert_int_equal(p.right_id, q.right_id);
	assert_int_equal(p.times, 1);
	/* A candidate I rejected is not offered. */
	assert_int_equal(store_flag(f->st, c[0], LB_FLAG_REJECT), 0);
	assert_int_equal(store_compare_next(f->st, f->brief, &p), 0);
	assert_true(p.left_id != c[0] && p.right_id != c[0]);
}

/* ------------------------------------------------------------ recovering a known order */

static uint64_t rng_state;

static double rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Kendall's tau between the current pooled scores (unjudged = 0) and
 * the true order (candidate i has true strength i). */
static double tau(struct fixture *f, const int64_t *ids, int n)
{
	double *s = xcalloc((size_t)n, sizeof *s);
	int i, j, conc = 0, disc = 0;

	for (i = 0; i < n; i++) {
		s[i] = score_of(f, ids[i]);
		if (isnan(s[i]))
			s[i] = 0;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (s[j] > s[i])
				conc++;
			else if (s[j] < s[i])
				disc++;
		}
	free(s);
	return (double)(conc - disc) / (n * (n - 1) / 2);
}

#define SIM_N 16
#define SIM_MAX 400
#define SIM_TARGET 0.8

/* Judgements needed until tau stays >= SIM_TARGET for 10 judgements in
 * a row, with the pair chooser (active) or random pairs; SIM_MAX + 1 when
 * not reached.  True strengths: candidate i scores 0.35 i (so neighbours
 * are close to a coin toss: P = 0.59), judged with Bradley-Terry noise. */
static int simulate(struct fixture *f, int active, uint64_t seed)
{
	struct lb_brief_fields bf = { 0 };
	int64_t brief, ids[SIM_N], left, right;
	struct lb_pair p;
	int i, k, a, b, streak = 0;

	bf.title = (char *)"Simulation";
	bf.modality = LB_TEXT;
	assert_int_equal(store_brief_add(f->st, f->project, &bf, &brief), 0);
	for (i = 0; i < SIM_N; i++)
		ids[i] = add_text(f, brief, "sim");
	rng_state = seed;
	for (k = 1; k <= SIM_MAX; k++) {
		if (active) {
			assert_int_equal(store_compare_next(f->st, brief, &p), 0);
			left = p.left_id;
			right = p.right_id;
		} else {
			a = (int)(rnd() * SIM_N);
			do
				b = (int)(rnd() * SIM_N);
			while (b == a);
			left = ids[a];
			right = ids[b];
		}
		a = (int)(left - ids[0]);
		b = (int)(right - ids[0]);
		assert_int_equal(store_compare(f->st, left, right,
					       rnd() < 1 / (1 + exp(-0.35 * (a - b))) ? LB_VERDICT_LEFT
										 : LB_VERDICT_RIGHT,
					       NULL),
				 0);
		streak = tau(f, ids, SIM_N) >= SIM_TARGET ? streak + 1 : 0;
		if (streak == 10)
			return k - 9;
	}
	return SIM_MAX + 1;
}

static void ranking_recovers_known_order(void **state)
{
	struct fixture *f = *state;
	static const uint64_t seeds[] = { 0x9e3779b97f4a7c15ULL, 0x2545f4914f6cdd1dULL, 0xd1b54a32d192ed03ULL };
	int i, act = 0, rnd_total = 0, na, nr;

	for (i = 0; i < 3; i++) {
		na = simulate(f, 1, seeds[i]);
		nr = simulate(f, 0, seeds[i]);
		printf("# seed %d: informative pairs reached tau >= %.1f after %d judgements, random pairs after %d\n",
		       i, SIM_TARGET, na, nr);
		act += na;
		rnd_total += nr;
	}
	printf("# %d candidates (%d possible pairs): informative %d judgements on average, random %d\n", SIM_N,
	       SIM_N * (SIM_N - 1) / 2, act / 3, rnd_total / 3);
	/* Generous bounds: the order is recovered well before every pair is
	 * judged once, and choosing pairs does not do worse than chance. */
	assert_true(act / 3 <= SIM_N * (SIM_N - 1) / 2);
	assert_true(act <= rnd_total + 30);
}

/* ------------------------------------------------------------ import through the API */

struct import_log {
	int reports, added, stop_after, progress_calls;
	int64_t last_cand;
};

static void on_report(void *ctx, const struct lb_import_item *it)
{
	struct import_log *l = ctx;

	l->reports++;
	if (it->status == LB_IMPORT_ADDED) {
		l->added++;
		assert_true(it->candidate_id > l->last_cand);
		l->last_cand = it->candidate_id;
	}
}

static int on_progress(void *ctx, const struct lb_import_progress *p)
{
	struct import_log *l = ctx;

	l->progress_calls++;
	assert_true(p->done <= p->total);
	return l->stop_after && (int)p->done >= l->stop_after;
}

static int64_t count(struct fixture *f, const char *what)
{
	struct lb_event_list ev;
	struct lb_log_filter lf = { 0 };
	size_t i;
	int64_t n = 0;

	assert_int_equal(store_log(f->st, &lf, 1000, &ev), 0);
	for (i = 0; i < ev.n; i++)
		n += strcmp(ev.v[i].action, what) == 0;
	lb_event_list_free(&ev);
	return n;
}

static void import_stops_and_resumes(void **state)
{
	struct fixture *f = *state;
	struct lb_brief_fields bf = { 0 };
	struct lb_import_options o = { 0 };
	struct lb_import_result r;
	struct import_log log = { 0 };
	unsigned char rgba[4 * 4 * 4], *png;
	char *dir = xasprintf("%s/pictures", f->dir), *path, *err = NULL;
	const char *paths[1];
	size_t len;
	int64_t brief, n = 0;
	int i;

	bf.title = (char *)"Pictures";
	bf.modality = LB_IMAGE;
	assert_int_equal(store_brief_add(f->st, f->project, &bf, &brief), 0);
	assert_int_equal(mkdir(dir, 0777), 0);
	for (i = 0; i < 5; i++) {
		memset(rgba, 40 * i + 1, sizeof rgba);
		assert_int_equal(media_png_encode(rgba, 4, 4, 1, &png, &len, &err), 0);
		path = xasprintf("%s/p%d.png", dir, i);
		assert_int_equal(util_write_atomic(path, png, len), 0);
		free(path);
		free(png);
	}
	paths[0] = dir;
	o.brief_id = brief;
	o.batch = 2;
	o.report = on_report;
	o.progress = on_progress;
	o.ctx = &log;
	log.stop_after = 3;
	assert_int_equal(store_import(f->st, paths, 1, &o, &r), 0);
	assert_true(r.interrupted);
	assert_int_equal(r.total, 5);
	assert_int_equal(r.n[LB_IMPORT_ADDED], 3);
	assert_int_equal(log.added, 3);
	assert_int_equal(log.progress_calls, 3);
	lb_import_result_clear(&r);
	/* Batches of two: two batches, two audit events for three candidates. */
	assert_int_equal(count(f, "candidate-add"), 2);
	assert_int_equal(store_candidate_count(f->st, &(struct lb_filter){ .brief_id = brief }, &n), 0);
	assert_int_equal(n, 3);
	/* Again, to the end: the rest goes in, nothing twice. */
	memset(&log, 0, sizeof log);
	assert_int_equal(store_import(f->st, paths, 1, &o, &r), 0);
	assert_false(r.interrupted);
	assert_int_equal(r.n[LB_IMPORT_ADDED], 2);
	assert_int_equal(r.n[LB_IMPORT_DUPLICATE], 3);
	assert_int_equal(log.reports, 5);
	lb_import_result_clear(&r);
	assert_int_equal(store_candidate_count(f->st, &(struct lb_filter){ .brief_id = brief }, &n), 0);
	assert_int_equal(n, 5);
	/* A dry run changes nothing; an import inside a batch is refused. */
	o.dry_run = 1;
	assert_int_equal(store_import(f->st, paths, 1, &o, &r), 0);
	assert_int_equal(r.n[LB_IMPORT_DUPLICATE], 5);
	lb_import_result_clear(&r);
	assert_int_equal(store_batch_begin(f->st, "x"), 0);
	assert_int_equal(store_import(f->st, paths, 1, &o, &r), STORE_EINVAL);
	lb_import_result_clear(&r);
	assert_int_equal(store_batch_end(f->st, 0), 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(agreement_worked_example, setup, teardown),
		cmocka_unit_test(alpha_edge_cases),
		cmocka_unit_test_setup_teardown(judgements_undo_and_redo, setup, teardown),
		cmocka_unit_test_setup_teardown(ranking_sparse_and_per_curator, setup, teardown),
		cmocka_unit_test_setup_teardown(next_pair_is_new_and_skips_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(ranking_recovers_known_order, setup, teardown),
		cmocka_unit_test_setup_teardown(import_stops_and_resumes, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
