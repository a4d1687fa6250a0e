/*
 * test-stacks.c - the Hamming index against a scan (same neighbours, same
 * order, on clustered and random codes); fingerprints made for a real
 * store's pictures outside any transaction (a file that is no picture is
 * recorded with its reason, not retried, and said by store_fp_get);
 * stacks grouped by distance with the best member first; "keep best,
 * reject rest" as one undo step.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "media/media.h"
#include "store/stacks.h"
#include "util.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* v with nbits random bits flipped */
static uint64_t flip(uint64_t v, int nbits)
{
	while (nbits-- > 0)
		v ^= (uint64_t)1 << (next64() % 64);
	return v;
}

static void index_matches_scan(void **state)
{
	enum { N = 30000, Q = 300, K = 12 };
	uint64_t *fp = xmalloc(sizeof *fp * N);
	uint32_t pa[K], pb[K], *near = NULL;
	int da[K], db[K], maxd[] = { 64, 20, 6, 0 };
	size_t i, q, na, nb, cap = 0, nw, brute;
	struct fp_index *ix;
	int m;

	(void)state;
	/* a third in tight clusters (near-copies), the rest random */
	for (i = 0; i < N; i++)
		fp[i] = i % 3 == 0 && i >= 3 ? flip(fp[i - 3], (int)(next64() % 8)) : next64();
	ix = fp_index_new(fp, N);
	assert_int_equal(fp_index_size(ix), N);
	for (q = 0; q < Q; q++) {
		uint64_t x = q % 2 ? flip(fp[next64() % N], (int)(next64() % 12)) : next64();

		for (m = 0; m < 4; m++) {
			na = fp_index_nearest(ix, x, maxd[m], K, pa, da);
			nb = fp_scan_nearest(fp, N, x, maxd[m], K, pb, db);
			assert_int_equal(na, nb);
			for (i = 0; i < na; i++) {
				assert_int_equal(pa[i], pb[i]);
				assert_int_equal(da[i], db[i]);
				assert_true(da[i] <= maxd[m]);
				assert_true(i == 0 || da[i] >= da[i - 1]);
			}
		}
		nw = fp_index_within(ix, x, 10, &near, &cap);
		for (i = 0, brute = 0; i < N; i++)
			brute += media_fp_distance(fp[i], x) <= 10;
		assert_int_equal(nw, brute);
		for (i = 0; i < nw; i++) {
			assert_true(media_fp_distance(fp[near[i]], x) <= 10);
			assert_true(i == 0 || near[i] > near[i - 1]);
		}
	}
	free(near);
	fp_index_free(&ix);
	assert_null(ix);
	ix = fp_index_new(NULL, 0); /* an empty scope */
	assert_int_equal(fp_index_nearest(ix, 1, 64, K, pa, da), 0);
	fp_index_free(&ix);
	free(fp);
}

struct fx {
	char dir[64];
	struct store *st;
	int64_t project, brief;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct store_options o = { 0 };
	struct lb_brief_fields bf = { 0 };
	char *err = NULL;

	strcpy(f->dir, "/tmp/lb-stacks-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.create = 1;
	o.curator = "alice";
	if (store_open(f->dir, &o, &f->st, &err) != 0)
		fail_msg("open: %s", err);
	assert_int_equal(store_project_add(f->st, "Stacks", "", &f->project), 0);
	bf.title = (char *)"reroll";
	assert_int_equal(store_brief_add(f->st, f->project, &bf, &f->brief), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	store_close(&f->st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A PNG of 96x96: smooth value noise of `kind` (a 7x7 grid of random
 * levels, interpolated), lighter by `light`. */
static int64_t add_picture(struct fx *f, int kind, int light)
{
	unsigned char *rgba = xmalloc(96 * 96 * 4), *png;
	struct lb_asset_facts facts = { "image/png", "png", 96, 96, 0 };
	struct lb_candidate_input in = { 0 };
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(kind + 1);
	double grid[7][7];
	size_t len;
	int64_t asset, id;
	int x, y, existed;
	char *err = NULL;

	for (y = 0; y < 7; y++)
		for (x = 0; x < 7; x++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			grid[y][x] = 20 + (double)(seed % 200);
		}
	for (y = 0; y < 96; y++)
		for (x = 0; x < 96; x++) {
			unsigned char *p = rgba + (y * 96 + x) * 4;
			double gx = x / 16.0, gy = y / 16.0, fx = gx - (int)gx, fy = gy - (int)gy;
			int ix = (int)gx, iy = (int)gy;
			double v = grid[iy][ix] * (1 - fx) * (1 - fy) + grid[iy][ix + 1] * fx * (1 - fy) +
				   grid[iy + 1][ix] * (1 - fx) * fy + grid[iy + 1][ix + 1] * fx * fy;

			p[0] = p[1] = p[2] = (unsigned char)(v + light > 255 ? 255 : v + light);
			p[3] = 255;
		}
	assert_int_equal(media_png_encode(rgba, 96, 96, 1, &png, &len, &err), 0);
	assert_int_equal(store_asset_put(f->st, png, len, &facts, &asset, &existed), 0);
	in.brief_id = f->brief;
	in.asset_id = asset;
	in.backend = "test";
	assert_int_equal(store_candidate_add(f->st, &in, &id), 0);
	free(png);
	free(rgba);
	return id;
}

static void fill_group_keep_best(void **state)
{
	struct fx *f = *state;
	struct lb_asset_facts facts = { "image/png", "png", 1, 1, 0 };
	struct lb_candidate_input in = { 0 };
	int64_t a[3], b[2], c, bad, text, asset, have, missing, failed;
	struct lb_stacks s;
	size_t made, nfail, rej, i, k;
	uint64_t fp;
	int existed;
	char *what = NULL;

	a[0] = add_picture(f, 0, 0);
	b[0] = add_picture(f, 2, 0);
	a[1] = add_picture(f, 0, 6);
	c = add_picture(f, 1, 0);
	a[2] = add_picture(f, 0, 12);
	b[1] = add_picture(f, 2, 8);
	assert_int_equal(store_asset_put(f->st, "not a png", 9, &facts, &asset, &existed), 0);
	in.brief_id = f->brief;
	in.asset_id = asset;
	in.backend = "test";
	assert_int_equal(store_candidate_add(f->st, &in, &bad), 0);
	memset(&in, 0, sizeof in);
	in.brief_id = f->brief;
	in.body = "a caption";
	in.backend = "test";
	assert_int_equal(store_candidate_add(f->st, &in, &text), 0);

	assert_int_equal(store_fp_counts(f->st, f->brief, &have, &missing, &failed), 0);
	assert_int_equal(have, 0);
	assert_int_equal(missing, 7); /* the text has none to make */
	assert_int_equal(store_fp_get(f->st, a[0], &fp), STORE_EEMPTY);
	assert_non_null(strstr(store_errmsg(f->st), "lightbox fingerprint"));
	assert_int_equal(store_fp_fill(f->st, f->brief, 0, 0, NULL, &made, &nfail), 0);
	assert_int_equal(made, 6);
	assert_int_equal(nfail, 1);
	assert_int_equal(store_fp_counts(f->st, f->brief, &have, &missing, &failed), 0);
	assert_int_equal(have, 6);
	assert_int_equal(missing, 0);
	assert_int_equal(failed, 1);
	/* a failure is recorded, not tried again unless asked */
	assert_int_equal(store_fp_fill(f->st, f->brief, 0, 0, NULL, &made, &nfail), 0);
	assert_int_equal(made + nfail, 0);
	assert_int_equal(store_fp_fill(f->st, f->brief, 1, 0, NULL, &made, &nfail), 0);
	assert_int_equal(nfail, 1);
	assert_int_equal(store_fp_get(f->st, bad, &fp), STORE_EEMPTY);
	assert_non_null(strstr(store_errmsg(f->st), "--retry"));
	assert_int_equal(store_fp_get(f->st, text, &fp), STORE_EEMPTY);
	assert_non_null(strstr(store_errmsg(f->st), "only pictures and videos"));
	assert_int_equal(store_fp_get(f->st, 999, &fp), STORE_ENOTFOUND);

	/* c is rated best of... nothing: it stands alone; b[1] is picked, a[2] has stars */
	assert_int_equal(store_rate(f->st, a[2], 4), 0);
	assert_int_equal(store_flag(f->st, b[1], LB_FLAG_PICK), 0);
	assert_int_equal(store_flag(f->st, a[1], LB_FLAG_REJECT), 0);
	assert_int_equal(store_stacks(f->st, f->brief, MEDIA_FP_NEAR, &s), 0);
	assert_int_equal(s.nmember, 8);
	assert_int_equal(s.unprinted, 2);
	assert_int_equal(s.n, 5); /* {a}, {b}, {c}, bad, text */
	assert_int_equal(s.stack[0].n, 3);
	assert_int_equal(s.member[0].id, a[2]);    /* 4 stars */
	assert_int_equal(s.member[1].id, a[0]);    /* unrated, older */
	assert_int_equal(s.member[2].id, a[1]);    /* rejected: last */
	assert_int_equal(s.stack[1].n, 2);
	assert_int_equal(s.member[s.stack[1].first].id, b[1]); /* picked */
	assert_int_equal(s.member[s.stack[2].first].id, c);
	assert_int_equal(s.member[s.stack[3].first].id, bad);
	assert_int_equal(s.member[s.stack[4].first].id, text);
	assert_int_equal(store_stacks_keep_best(f->st, &s, 7, &rej), STORE_EINVAL);
	assert_int_equal(store_stacks_keep_best(f->st, &s, -1, &rej), 0);
	assert_int_equal(rej, 2); /* a[0] and b[0]; a[1] already was */
	lb_stacks_free(&s);
	assert_int_equal(store_stacks(f->st, f->brief, MEDIA_FP_NEAR, &s), 0);
	assert_int_equal(s.member[1].id, a[0]);
	assert_int_equal(s.member[1].my_flag, LB_FLAG_REJECT);
	assert_int_equal(s.member[s.stack[1].first + 1].my_flag, LB_FLAG_REJECT);
	lb_stacks_free(&s);
	/* one undo step puts both back */
	assert_int_equal(store_undo(f->st, &what), 0);
	free(what);
	assert_int_equal(store_stacks(f->st, f->brief, MEDIA_FP_NEAR, &s), 0);
	assert_int_equal(s.member[1].my_flag, LB_FLAG_NONE);
	assert_int_equal(s.member[s.stack[1].first + 1].my_flag, LB_FLAG_NONE);
	assert_int_equal(s.member[2].my_flag, LB_FLAG_REJECT); /* rejected before: still */
	lb_stacks_free(&s);
	/* at distance 0 only identical fingerprints stack */
	assert_int_equal(store_stacks(f->st, f->brief, 0, &s), 0);
	for (i = 0; i < s.n; i++)
		for (k = 1; k < s.stack[i].n; k++)
			assert_true(s.member[s.stack[i].first + k].fp == s.member[s.stack[i].first].fp);
	lb_stacks_free(&s);
}

static void similar_nearest_first(void **state)
{
	struct fx *f = *state;
	int64_t a0 = add_picture(f, 0, 0), a1 = add_picture(f, 0, 10), c = add_picture(f, 1, 0);
	struct lb_fp_set set;
	struct lb_similar sim[4];
	struct fp_index *ix;
	uint64_t fp;
	size_t n;

	(void)c;
	assert_int_equal(store_fp_fill(f->st, 0, 0, 0, NULL, NULL, NULL), 0);
	assert_int_equal(store_fp_set(f->st, LB_FP_PROJECT, f->project, &set), 0);
	assert_int_equal(set.n, 3);
	assert_int_equal(store_fp_get(f->st, a0, &fp), 0);
	ix = fp_index_new(set.fp, set.n);
	n = lb_similar_in(&set, ix, a0, fp, 64, 4, sim);
	assert_int_equal(n, 2); /* itself left out */
	assert_int_equal(sim[0].id, a1);
	assert_true(sim[0].distance <= sim[1].distance);
	assert_int_equal(lb_similar_in(&set, NULL, a0, fp, 64, 4, sim), 2);
	assert_int_equal(sim[0].id, a1);
	assert_int_equal(lb_similar_in(&set, ix, a0, fp, 64, 1, sim), 1);
	fp_index_free(&ix);
	lb_fp_set_free(&set);
}

/* Grouping a slice at a time (the interface's worker) gives the stacks
 * grouping at once gives. */
static void grouping_in_slices(void **state)
{
	enum { N = 3000 };
	struct lb_stacks a = { 0 }, b = { 0 };
	struct lb_grouper *g;
	size_t i, steps = 0;

	(void)state;
	a.member = xcalloc(N, sizeof *a.member);
	a.nmember = N;
	for (i = 0; i < N; i++) {
		struct lb_stack_member *m = &a.member[i];

		m->id = (int64_t)i + 1;
		m->has_fp = i % 97 != 5; /* some without a fingerprint */
		/* chains of rerolls: each near the one before */
		m->fp = i % 7 ? flip(a.member[i - 1].fp, 3) : next64();
		m->my_stars = (int)(next64() % 7) - 1;
		m->my_flag = (int)(next64() % 3);
		m->score = (double)(next64() % 100);
	}
	b.member = xmalloc(sizeof *b.member * N);
	memcpy(b.member, a.member, sizeof *b.member * N);
	b.nmember = N;
	lb_stacks_group(&a, 10);
	g = lb_grouper_new(&b, 10);
	while (lb_grouper_step(g, 13))
		steps++;
	assert_true(steps >= (N - N / 97) / 13 - 1);
	lb_grouper_finish(&g);
	assert_null(g);
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.unprinted, b.unprinted);
	for (i = 0; i < a.n; i++) {
		assert_int_equal(a.stack[i].first, b.stack[i].first);
		assert_int_equal(a.stack[i].n, b.stack[i].n);
	}
	for (i = 0; i < N; i++)
		assert_int_equal(a.member[i].id, b.member[i].id);
	assert_true(a.n < N / 2); /* the chains did group */
	lb_stacks_free(&a);
	lb_stacks_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(index_matches_scan),
		cmocka_unit_test(grouping_in_slices),
		cmocka_unit_test_setup_teardown(fill_group_keep_best, setup, teardown),
		cmocka_unit_test_setup_teardown(similar_nearest_first, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
