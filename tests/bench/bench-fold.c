/*
 * bench-fold.c - stacks folded in the candidate list (tui/fold.c) on a
 * brief of 1,000,000 fingerprinted candidates: 100,000 bursts of five
 * near-copies and 500,000 loners.  Prints:
 *   - the worker's part: reading the members, grouping them a slice at a
 *     time (the whole would take minutes), and the map;
 *   - a page of 64 rows as the list reads it (the interface's part when
 *     the read-ahead has not caught up), at the top, in the middle, from
 *     an open stack's member, and backward from the end, against the
 *     plain page without stacks;
 *   - the same with a filter (one query per stack met on the page);
 *   - the count and position the worker corrects for what is folded.
 * The store is made by SQL; nothing is shipped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "store/stacks.h"
#include "tui/tui-private.h"

enum { N = 1000000, PAGE = 64, RUNS = 20 };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void free_rows(struct crow **rows, int n)
{
	int i;

	for (i = 0; i < n; i++)
		fold_row_free(rows[i]);
}

/* p50 / p99 ms of reading a page from `from` (NULL: the top). */
static void page_times(const char *what, struct store *st, const struct fold *f, const struct lb_filter *flt,
		       int sort, const struct crow *from, int dir)
{
	static double t[RUNS];
	struct crow *rows[PAGE];
	char *err = NULL;
	int i, got = 0;

	for (i = 0; i < RUNS; i++) {
		t[i] = util_mono_ms();
		got = fold_fetch(st, f, flt, sort, from, dir, 0, PAGE, rows, &err);
		t[i] = util_mono_ms() - t[i];
		if (got < 0)
			fatal("fetch: %s", err);
		free_rows(rows, got);
	}
	qsort(t, RUNS, sizeof *t, cmp_double);
	printf("  %-52s p50 %6.2f ms  p99 %6.2f ms  (%d rows)\n", what, t[RUNS / 2], t[RUNS - 1], got);
}

static struct crow *row_of(struct store *st, const struct fold *f, const struct lb_filter *flt, int64_t id)
{
	struct crow *r = fold_get(st, f, flt, 1, id);

	if (r == NULL)
		fatal("candidate %lld does not show", (long long)id);
	return r;
}

static void pages(const char *label, struct store *st, struct fold *f, const struct lb_filter *flt, int sort)
{
	struct fold *open;
	struct crow *mid, *member;

	printf("%s\n", label);
	page_times("plain (no stacks): the top", st, NULL, flt, sort, NULL, 1);
	page_times("folded: the top", st, f, flt, sort, NULL, 1);
	/* #250,001 is a loner in the middle (newest first) */
	mid = row_of(st, f, flt, N / 4 + 1);
	page_times("folded: the middle, forward", st, f, flt, sort, mid, 1);
	page_times("folded: the middle, backward", st, f, flt, sort, mid, -1);
	page_times("folded: backward from the end", st, f, flt, sort, NULL, -1);
	open = fold_toggle_all(f, 1);
	page_times("every stack open: the middle, forward", st, open, flt, sort, mid, 1);
	member = row_of(st, open, flt, N / 4 + 3); /* a member of the middle's stack */
	page_times("every stack open: from a member, forward", st, open, flt, sort, member, 1);
	page_times("every stack open: from a member, backward", st, open, flt, sort, member, -1);
	fold_row_free(member);
	fold_row_free(mid);
	fold_unref(&open);
}

static void counts(const char *what, struct store *st, const struct fold *f, const struct lb_filter *flt,
		   int sort)
{
	int64_t n, pos;
	double t;

	if (store_candidate_count(st, flt, &n) != 0 ||
	    store_candidate_position(st, flt, sort, N / 4 + 1, &pos) != 0)
		fatal("count: %s", store_errmsg(st));
	t = util_mono_ms();
	if (fold_adjust(st, f, flt, sort, N / 4 + 1, &n, &pos) != 0)
		fatal("adjust: %s", store_errmsg(st));
	t = util_mono_ms() - t;
	printf("  count and position corrected (%s): %.0f ms (in the worker): %lld rows, #%d at %lld\n", what, t,
	       (long long)n, N / 4 + 1, (long long)pos + 1);
}

/* The worker's part: the members read, then the grouping a slice at a
 * time (tui/fold.c); the first 40 slices of 64 fingerprints, timed. */
static void grouping(struct store *st, int64_t brief)
{
	enum { SLICES = 40 };
	static double ts[SLICES];
	struct lb_stacks s;
	struct lb_grouper *g;
	double t, tnew, sum = 0;
	int i;

	t = util_mono_ms();
	if (store_stacks_members(st, brief, &s) != 0)
		fatal("members: %s", store_errmsg(st));
	t = util_mono_ms() - t;
	tnew = util_mono_ms();
	g = lb_grouper_new(&s, 10);
	tnew = util_mono_ms() - tnew;
	for (i = 0; i < SLICES; i++) {
		ts[i] = util_mono_ms();
		lb_grouper_step(g, 64);
		ts[i] = util_mono_ms() - ts[i];
		sum += ts[i];
	}
	qsort(ts, SLICES, sizeof *ts, cmp_double);
	printf("the worker: members read %.0f ms, index %.0f ms; a slice of 64 fingerprints p50 %.1f ms, max %.1f ms;"
	       " all 1,000,000 would take %.0f s of slices\n",
	       t, tnew, ts[SLICES / 2], ts[SLICES - 1], sum / (SLICES * 64) * N / 1000);
	lb_grouper_free(&g);
	lb_stacks_free(&s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	char dir[] = "/tmp/lbbench-fold.XXXXXX";
	struct store_options o = { 0 };
	struct lb_brief_fields bf = { 0 };
	struct store *st = NULL;
	struct lb_stacks s;
	struct lb_filter plain = { 0 }, filtered = { 0 };
	struct fold *f;
	struct rusage ru;
	char *err = NULL, *sql;
	int64_t project, brief;
	double t2;
	size_t i;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp failed");
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
	/* ids 1..500,000 in bursts of five (a code per burst, members one
	 * to four bits off); the rest loners with random codes */
	sql = xasprintf("sqlite3 '%s/lightbox.db' \"PRAGMA synchronous=OFF; BEGIN;"
			" WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
			" INSERT INTO asset (id, sha256, media_type, ext, bytes, created)"
			" SELECT i, printf('%%064x', i), 'image/png', 'png', 1, 0 FROM n;"
			" INSERT INTO candidate (brief_id, revision_id, modality, asset_id, created)"
			" SELECT 1, 1, 'image', id, 0 FROM asset;"
			" CREATE TEMP TABLE burst (k INTEGER PRIMARY KEY, fp INTEGER);"
			" INSERT INTO burst WITH RECURSIVE b(k) AS (SELECT 0 UNION ALL SELECT k + 1"
			" FROM b WHERE k < %d) SELECT k, random() FROM b;"
			" INSERT INTO fingerprint (asset_id, fp, made) SELECT a.id, CASE WHEN a.id <= %d"
			" THEN (SELECT (fp | ((a.id - 1) %% 5)) - (fp & ((a.id - 1) %% 5)) FROM burst"
			" WHERE k = (a.id - 1) / 5)"
			" ELSE random() END, 0 FROM asset a;"
			" COMMIT;\"",
			dir, N, N / 10, N / 2);
	if (system(sql) != 0)
		fatal("cannot fill the bench store");
	free(sql);
	if (store_open(dir, &o, &st, &err) != 0)
		fatal("store: %s", err);
	printf("a brief of 1,000,000 candidates: 100,000 stacks of five and 500,000 loners\n");
	grouping(st, brief);
	/* the stacks as the grouping makes them, without waiting minutes */
	memset(&s, 0, sizeof s);
	if (store_stacks_members(st, brief, &s) != 0)
		fatal("members: %s", store_errmsg(st));
	s.stack = xmalloc(sizeof *s.stack * N);
	for (i = 0; i < N; i++) {
		if (i < N / 2 && i % 5)
			s.stack[s.n - 1].n++;
		else
			s.stack[s.n++] = (struct lb_stack){ i, 1 };
	}
	t2 = util_mono_ms();
	f = fold_new(&s, 10);
	t2 = util_mono_ms() - t2;
	printf("the map: %.0f ms (%zu stacks of more than one)\n", t2, fold_stacks(f));
	plain.brief_id = brief;
	pages("pages of 64, newest first:", st, f, &plain, LB_SORT_NEWEST);
	filtered.brief_id = brief;
	filtered.query = "unrated";
	pages("pages of 64, newest first, filtered (unrated: every one):", st, f, &filtered, LB_SORT_NEWEST);
	printf("the status line's count, in the worker:\n");
	counts("no filter, newest", st, f, &plain, LB_SORT_NEWEST);
	counts("filtered, newest", st, f, &filtered, LB_SORT_NEWEST);
	fold_unref(&f);
	store_close(&st);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak resident: %.1f MiB\n", ru.ru_maxrss / 1024.0);
	sql = xasprintf("rm -rf '%s'", dir);
	if (system(sql) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(sql);
	return 0;
}
