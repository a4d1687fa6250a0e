/*
 * bench-stacks.c - figures for fingerprints, stacks and similar (issue 13):
 *   - the fingerprint of a 1024x1024 picture (PNG and JPEG): cold (decode,
 *     write the 128-pixel thumbnail, hash) and from the thumbnail;
 *   - grouping 100,000 candidates into stacks (10,000 bursts of near-copies
 *     and 50,000 loners);
 *   - find-similar on 1,000,000 fingerprints, 10 nearest, p50/p99 over
 *     2,000 queries (half near a stored code, half anywhere), through the
 *     multi-index against a scan; the index's build time and memory;
 *   - reading 1,000,000 fingerprints from a store (what `lightbox similar
 *     --all` does before its one query).
 * Pictures and codes are generated; nothing is shipped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "media/media.h"
#include "store/stacks.h"
#include "tests/unit/media-testdata.h"
#include "util.h"

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint64_t next64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t flip(uint64_t v, int nbits)
{
	while (nbits-- > 0)
		v ^= (uint64_t)1 << (next64() % 64);
	return v;
}

static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void fingerprint_times(const char *dir)
{
	unsigned char *rgba = td_plasma(1024, 1024, 0);
	const char *kinds[] = { "png", "jpg" };
	int k, run;

	for (k = 0; k < 2; k++) {
		struct sbuf b;
		char *path = xasprintf("%s/pic.%s", dir, kinds[k]), *cache, *err = NULL;
		char sha[65];
		double cold = 1e9, warm = 1e9, direct = 1e9, t;
		uint64_t fp;

		sb_init(&b);
		if (k == 0)
			td_png(&b, rgba, 1024, 1024);
		else
			td_jpeg(&b, rgba, 1024, 1024, 90);
		if (util_write_atomic(path, b.s, b.len) != 0)
			fatal("cannot write %s", path);
		sb_free(&b);
		for (run = 0; run < 5; run++) {
			snprintf(sha, sizeof sha, "%064x", run + 16 * k + 1);
			cache = xasprintf("%s/cache%d%d", dir, k, run);
			t = util_mono_ms();
			if (media_fingerprint_file(cache, sha, path, 0, 0, &fp, &err) != 0)
				fatal("fingerprint: %s", err);
			t = util_mono_ms() - t;
			cold = t < cold ? t : cold;
			t = util_mono_ms();
			if (media_fingerprint_file(cache, sha, path, 0, 0, &fp, &err) != 0)
				fatal("fingerprint: %s", err);
			t = util_mono_ms() - t;
			warm = t < warm ? t : warm;
			t = util_mono_ms();
			if (media_fingerprint_file(NULL, NULL, path, 0, 0, &fp, &err) != 0)
				fatal("fingerprint: %s", err);
			t = util_mono_ms() - t;
			direct = t < direct ? t : direct;
			free(cache);
		}
		printf("fingerprint 1024x1024 %s: cold %.1f ms (decode + thumbnail written), "
		       "from the thumbnail %.2f ms, decode without cache %.1f ms\n",
		       k ? "JPEG" : "PNG ", cold, warm, direct);
		free(path);
	}
	free(rgba);
}

static void grouping(void)
{
	enum { N = 100000 };
	struct lb_stacks s = { 0 };
	size_t i, multi = 0;
	double t, c;

	s.member = xcalloc(N, sizeof *s.member);
	s.nmember = N;
	for (i = 0; i < N; i++) {
		struct lb_stack_member *m = &s.member[i];

		m->id = (int64_t)i + 1;
		m->has_fp = 1;
		/* the first half: bursts of 5 near-copies (up to 4 bits off) */
		m->fp = i < N / 2 && i % 5 ? flip(s.member[i - i % 5].fp, (int)(next64() % 5))
					   : next64();
		m->my_stars = -1;
		m->score = 0;
	}
	t = util_mono_ms();
	c = (double)clock();
	lb_stacks_group(&s, MEDIA_FP_NEAR);
	c = ((double)clock() - c) / CLOCKS_PER_SEC;
	t = util_mono_ms() - t;
	for (i = 0; i < s.n; i++)
		multi += s.stack[i].n > 1;
	printf("stacks of 100,000 candidates at distance %d: %.3f s (%.3f s CPU; %zu stacks, %zu of "
	       "more than one)\n",
	       MEDIA_FP_NEAR, t / 1000, c, s.n, multi);
	lb_stacks_free(&s);
}

static void similar(void)
{
	enum { N = 1000000, Q = 2000, K = 10 };
	uint64_t *fp = xmalloc(sizeof *fp * N);
	double *ti = xmalloc(sizeof *ti * Q), *ts = xmalloc(sizeof *ts * Q), t, rss0, rss1;
	uint32_t pos[K];
	int dist[K];
	struct fp_index *ix;
	size_t i, found = 0;

	for (i = 0; i < N; i++) /* a tenth in bursts of near-copies */
		fp[i] = i % 10 && i % 100 < 10 ? flip(fp[i - 1], (int)(next64() % 6)) : next64();
	rss0 = rss_mib();
	t = util_mono_ms();
	ix = fp_index_new(fp, N);
	t = util_mono_ms() - t;
	rss1 = rss_mib();
	printf("index of 1,000,000 fingerprints: built in %.0f ms, %.1f MiB (%.1f MiB resident more; "
	       "the codes alone: %.1f MiB)\n",
	       t, fp_index_bytes(ix) / 1048576.0, rss1 - rss0, N * 8 / 1048576.0);
	for (i = 0; i < Q; i++) {
		uint64_t q = i % 2 ? flip(fp[next64() % N], (int)(next64() % 8)) : next64();

		t = util_mono_ms();
		found += fp_index_nearest(ix, q, 64, K, pos, dist);
		ti[i] = util_mono_ms() - t;
		t = util_mono_ms();
		found += fp_scan_nearest(fp, N, q, 64, K, pos, dist);
		ts[i] = util_mono_ms() - t;
	}
	qsort(ti, Q, sizeof *ti, cmp_double);
	qsort(ts, Q, sizeof *ts, cmp_double);
	printf("similar on 1,000,000 (10 nearest): index p50 %.3f ms p99 %.3f ms; scan p50 %.2f ms "
	       "p99 %.2f ms\n",
	       ti[Q / 2], ti[Q * 99 / 100], ts[Q / 2], ts[Q * 99 / 100]);
	/* near-copies only: what "find similar" asks in practice */
	for (i = 0; i < Q; i++) {
		uint64_t q = flip(fp[next64() % N], (int)(next64() % 8));

		t = util_mono_ms();
		found += fp_index_nearest(ix, q, MEDIA_FP_NEAR, K, pos, dist);
		ti[i] = util_mono_ms() - t;
	}
	qsort(ti, Q, sizeof *ti, cmp_double);
	printf("similar within the stack distance (%d): index p50 %.3f ms p99 %.3f ms\n",
	       MEDIA_FP_NEAR, ti[Q / 2], ti[Q * 99 / 100]);
	if (found == 0)
		printf("(nothing found?)\n");
	fp_index_free(&ix);
	free(ti);
	free(ts);
	free(fp);
}

/* What `lightbox similar --all` does on a store of 1,000,000 fingerprinted
 * candidates: read them (one query), then one scan. */
static void from_store(const char *dir)
{
	enum { N = 1000000 };
	struct store_options o = { 0 };
	struct lb_brief_fields bf = { 0 };
	struct store *st = NULL;
	struct lb_fp_set set;
	struct lb_similar sim[10];
	char *err = NULL, *sql;
	int64_t project, brief;
	double t, tread = 1e9, tscan = 1e9;
	int run;

	o.create = 1;
	o.curator = "bench";
	if (store_open(dir, &o, &st, &err) != 0)
		fatal("store: %s", err);
	if (store_project_add(st, "Bench", "", &project) != 0)
		fatal("project: %s", store_errmsg(st));
	bf.title = (char *)"A million pictures";
	if (store_brief_add(st, project, &bf, &brief) != 0)
		fatal("brief: %s", store_errmsg(st));
	store_close(&st);
	sql = xasprintf("sqlite3 '%s/lightbox.db' \"PRAGMA synchronous=OFF; BEGIN;"
			" WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
			" INSERT INTO asset (id, sha256, media_type, ext, bytes, created)"
			" SELECT i, printf('%%064x', i), 'image/png', 'png', 1, 0 FROM n;"
			" INSERT INTO candidate (brief_id, revision_id, modality, asset_id, created)"
			" SELECT 1, 1, 'image', id, 0 FROM asset;"
			" INSERT INTO fingerprint (asset_id, fp, made) SELECT id, random(), 0 FROM asset;"
			" COMMIT;\"",
			dir, N);
	if (system(sql) != 0)
		fatal("cannot fill the bench store");
	free(sql);
	if (store_open(dir, &o, &st, &err) != 0)
		fatal("store: %s", err);
	for (run = 0; run < 3; run++) {
		t = util_mono_ms();
		if (store_fp_set(st, LB_FP_ALL, 0, &set) != 0)
			fatal("fp set: %s", store_errmsg(st));
		t = util_mono_ms() - t;
		tread = t < tread ? t : tread;
		t = util_mono_ms();
		(void)lb_similar_in(&set, NULL, set.id[0], set.fp[0], 64, 10, sim);
		t = util_mono_ms() - t;
		tscan = t < tscan ? t : tscan;
		lb_fp_set_free(&set);
	}
	printf("lightbox similar --all on a store of 1,000,000: reading the fingerprints %.0f ms, the scan %.1f ms "
	       "(best of 3)\n",
	       tread, tscan);
	store_close(&st);
}

int main(void)
{
	char dir[] = "/tmp/lbbench-stacks.XXXXXX";
	char *cmd;
	struct rusage ru;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp failed");
	fingerprint_times(dir);
	grouping();
	similar();
	cmd = xasprintf("%s/store", dir);
	from_store(cmd);
	free(cmd);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak resident: %.1f MiB\n", ru.ru_maxrss / 1024.0);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	return 0;
}
