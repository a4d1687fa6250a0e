/*
 * bench-query.c - queries (store/query.c) on a brief of 1,000,000
 * candidates with parameters: the first 50-row page and a keyset page
 * from the middle of each, beside the same condition written by hand in
 * SQL on the same database with the best index it can use (schema 10's
 * candidate_lora for LoRAs, the brief's rating range for stars), and the
 * plan SQLite chose for the condition alone (a list page may differ: a
 * stars term there walks my ratings of the brief, query.by_my) for
 * ours (an index, or a walk of the brief).  Prints figures; asserts
 * nothing.
 *
 *   tests/bench/bench-query [N]     (N candidates, default 1000000)
 *
 * LB_BENCH_QUERY_STORE=DIR keeps the store built in DIR (and uses it as
 * it is when it is there), to measure again without building it.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util.h"

#define REPS 11

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench-query: %s: %s\n", what, msg);
	exit(1);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return v[n / 2];
}

/* The median time of a page of q after id `after` (0: the first), and
 * the last id of the first page in *last. */
static double our_page(struct store *st, int64_t brief, const char *q, int64_t after, int64_t *last, size_t *rows)
{
	struct lb_filter f = { 0 };
	struct lb_candidate_list l = { 0 };
	struct lb_key k = { 0, after };
	double t[REPS], t0;
	int i;

	f.brief_id = brief;
	f.query = q;
	for (i = 0; i < REPS; i++) {
		t0 = util_mono_ms();
		if (store_candidate_page(st, &f, LB_SORT_OLDEST, after ? &k : NULL, 0, 50, &l) != 0)
			die(q, store_errmsg(st));
		t[i] = util_mono_ms() - t0;
		if (last)
			*last = l.n ? l.v[l.n - 1].id : 0;
		*rows = l.n;
		lb_candidate_list_free(&l);
	}
	return median(t, REPS);
}

static double bare_page(sqlite3 *db, const char *where, int64_t after)
{
	/* +c.id: the key's range must not be taken for the plan (as ours);
	 * a WHERE starting with "FROM" is a whole page of its own */
	char *sql = strncmp(where, "FROM", 4) == 0
			    ? xasprintf("SELECT c.id, c.seed, c.model, c.params %s", where)
			    : xasprintf("SELECT c.id, c.seed, c.model, c.params FROM candidate c WHERE c.brief_id = 1"
					" AND +c.id > ?1 AND %s ORDER BY c.id LIMIT 50",
					where);
	sqlite3_stmt *s;
	double t[REPS], t0;
	int i;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(db));
	for (i = 0; i < REPS; i++) {
		t0 = util_mono_ms();
		sqlite3_bind_int64(s, 1, after);
		while (sqlite3_step(s) == SQLITE_ROW)
			;
		sqlite3_reset(s);
		t[i] = util_mono_ms() - t0;
	}
	sqlite3_finalize(s);
	free(sql);
	return median(t, REPS);
}

/* How SQLite runs our page: "index NAME" or "walk". */
static void plan(sqlite3 *db, struct store *st, const char *q, char *out, size_t n)
{
	char *cond = store_query_sql(st, q), *sql;
	sqlite3_stmt *s;
	const char *d;

	snprintf(out, n, "walk of the brief");
	if (cond == NULL)
		return;
	sql = xasprintf("EXPLAIN QUERY PLAN SELECT c.id FROM candidate c WHERE c.brief_id = 1 %s ORDER BY c.id"
			" LIMIT 50",
			cond);
	/* The step that reads the candidates: "SCAN c ..." or "SEARCH c ...". */
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			d = (const char *)sqlite3_column_text(s, 3);
			if (d && (strncmp(d, "SCAN c", 6) == 0 || strncmp(d, "SEARCH c ", 9) == 0)) {
				if (strstr(d, "candidate_brief") && !strstr(d, "rowid=?"))
					snprintf(out, n, "walk of the brief (%.40s)", d);
				else
					snprintf(out, n, "%.60s", d);
				break;
			}
		}
		sqlite3_finalize(s);
	}
	free(sql);
	free(cond);
}

int main(int argc, char **argv)
{
	static const char *const models[] = { "sdxl-base", "sdxl-turbo", "flux-dev", "flux-schnell", "sd15" };
	static const char *const samplers[] = { "Euler a", "DPM++ 2M", "DDIM", "UniPC" };
	static const struct {
		const char *label, *query, *bare;
	} qs[] = {
		{ "seed:123 (selective)", "seed:123", "c.seed = 123" },
		{ "lora:rare-lora steps>=30 (selective)", "lora:rare-lora steps>=30",
		  "c.id IN (SELECT l.candidate_id FROM candidate_lora l WHERE l.name = 'rare-lora')"
		  " AND c.params ->> '$.steps' >= 30" },
		{ "tag:rare (a rare tag)", "tag:rare",
		  "c.id IN (SELECT t.candidate_id FROM candidate_tag t WHERE t.tag_id = 2)" },
		{ "stars>=3 tag:keeper", "stars>=3 tag:keeper",
		  /* my ratings of the brief in their key's order, streamed */
		  "FROM rating x JOIN candidate c ON c.id = x.candidate_id WHERE x.brief_id = 1 AND x.curator = 'bench'"
		  " AND x.stars >= 3 AND c.brief_id = 1 AND x.candidate_id > ?1 AND EXISTS (SELECT 1 FROM candidate_tag t"
		  " WHERE t.candidate_id = c.id AND t.tag_id = 1) ORDER BY x.candidate_id LIMIT 50" },
		{ "model:sdxl* steps>=30 (broad)", "model:sdxl* steps>=30",
		  "c.model LIKE 'sdxl%' AND c.params ->> '$.steps' >= 30" },
		{ "sampler:\"euler a\" OR cfg<4 (broad)", "sampler:\"euler a\" OR cfg<4",
		  "(c.params ->> '$.sampler' = 'Euler a' OR c.params ->> '$.cfg_scale' < 4)" },
		{ "-tag:keeper aspect:square (broad)", "-tag:keeper aspect:square",
		  "NOT EXISTS (SELECT 1 FROM candidate_tag t WHERE t.candidate_id = c.id AND t.tag_id = 1)" },
		{ "param:denoise<0.5 (a node input)", "param:denoise<0.5",
		  "EXISTS (SELECT 1 FROM json_tree(c.params) j WHERE j.key = 'denoise' AND j.atom < 0.5)" },
		{ "words: lighthouse", "lighthouse",
		  "c.id IN (SELECT rowid FROM candidate_fts WHERE candidate_fts MATCH 'lighthouse*')" },
	};
	long n = argc > 1 ? atol(argv[1]) : 1000000, i, batch = 10000;
	char dir[256] = "/tmp/lb-bench-query-XXXXXX", path[300], how[80], *err = NULL;
	const char *keep;
	int built = 0;
	struct store_options o = { 0 };
	struct store *st = NULL;
	struct lb_brief_fields bf = { 0 };
	struct lb_candidate_input *in;
	char (*params)[200], (*prompts)[40];
	int64_t project, brief, last;
	double t0, ours, mid, base;
	sqlite3 *raw;
	size_t k, rows, mrows;
	unsigned r = 12345;

	if (n < 1000)
		n = 1000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	keep = getenv("LB_BENCH_QUERY_STORE");
	if (keep && *keep) {
		snprintf(path, sizeof path, "%s/lightbox.db", keep);
		built = access(path, F_OK) == 0;
		snprintf(dir, sizeof dir, "%s", keep);
		mkdir(dir, 0700);
	} else if (!mkdtemp(dir)) {
		die("mkdtemp", "failed");
	}
	o.create = 1;
	o.curator = "bench";
	if (store_open(dir, &o, &st, &err) != 0)
		die("open", err);
	printf("lightbox query bench: %ld candidates with parameters in one brief (store in %s)\n\n", n, dir);
	if (built) {
		brief = 1;
		goto measure;
	}
	store_project_add(st, "bench", "", &project);
	bf.title = (char *)"bench brief";
	bf.modality = LB_TEXT;
	store_brief_add(st, project, &bf, &brief);

	in = xcalloc((size_t)batch, sizeof *in);
	params = xcalloc((size_t)batch, sizeof *params);
	prompts = xcalloc((size_t)batch, sizeof *prompts);
	t0 = util_mono_ms();
	for (i = 0; i < n; i += batch) {
		long j, m = n - i < batch ? n - i : batch;
		for (j = 0; j < m; j++) {
			long id = i + j;
			r = r * 1103515245u + 12345u;
			snprintf(params[j], sizeof params[j],
				 "{\"steps\":%d,\"cfg_scale\":%.1f,\"sampler\":\"%s\",\"width\":%d,\"height\":%d,"
				 "\"loras\":[{\"name\":\"%s\",\"weight\":0.7}],\"denoise\":%.2f}",
				 20 + (int)(r >> 8) % 4 * 5, 2 + (r >> 12) % 60 / 10.0, samplers[(r >> 16) % 4],
				 (r >> 20) % 2 ? 1024 : 768, 1024, id % 997 == 0 ? "rare-lora" : "detail",
				 (r >> 4) % 100 / 100.0);
			snprintf(prompts[j], sizeof prompts[j], "%s number %ld",
				 id % 1000 == 7 ? "lighthouse" : "harbour", id);
			memset(&in[j], 0, sizeof in[j]);
			in[j].brief_id = brief;
			in[j].body = prompts[j];
			in[j].backend = "builtin";
			in[j].model = models[id % 5];
			in[j].has_seed = 1;
			in[j].seed = id;
			in[j].params = params[j];
		}
		if (store_candidate_add_many(st, in, (size_t)m, NULL) != 0)
			die("insert", store_errmsg(st));
	}
	free(in);
	free(params);
	free(prompts);
	store_batch_begin(st, "bench");
	for (i = 1; i <= n; i += 20)
		store_tag_add(st, i, "keeper");
	for (i = 5; i <= n; i += n / 100)
		store_tag_add(st, i, "rare");
	for (i = 0; i < 20000; i++)
		store_rate(st, 1 + (i * 37) % n, (int)(i % 6));
	store_batch_end(st, 1);
	printf("built in %.1f s\n\n", (util_mono_ms() - t0) / 1000.0);
measure:

	snprintf(path, sizeof path, "%s/lightbox.db", dir);
	if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("open", path);
	printf("%-38s %10s %10s %10s %6s  %s\n", "query", "first page", "middle", "by hand", "rows", "plan");
	for (k = 0; k < sizeof qs / sizeof qs[0]; k++) {
		ours = our_page(st, brief, qs[k].query, 0, &last, &rows);
		mid = our_page(st, brief, qs[k].query, n / 2, NULL, &mrows);
		base = bare_page(raw, qs[k].bare, 0);
		plan(raw, st, qs[k].query, how, sizeof how);
		printf("%-38s %8.3fms %8.3fms %8.3fms %3zu/%-2zu  %s\n", qs[k].label, ours, mid, base, rows, mrows,
		       how);
	}
	sqlite3_close(raw);
	store_close(&st);
	if (keep && *keep)
		return 0;
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	return system(path) != 0;
}
