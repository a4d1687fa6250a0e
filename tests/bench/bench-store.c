/*
 * bench-store.c - the store's speed and size on 1,000,000 candidates,
 * each figure beside the same operation done by a bare SQLite loop in the
 * same run (the limit on this machine).  Prints figures; asserts nothing.
 *
 *   tests/bench/bench-store [N]     (N candidates, default 1000000)
 */
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util.h"

static double peak_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024.0;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench-store: %s: %s\n", what, msg);
	exit(1);
}

static void exec_or_die(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die(sql, err);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(db));
	return s;
}

/* Median of the time to run a page query n times, in ms. */
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

#define REPS 21

/* Our page: store_candidate_page after a key, REPS times. */
static double our_page_sorted(struct store *st, const struct lb_filter *f, int sort, int64_t after_id,
			      int backward);

static double our_page(struct store *st, const struct lb_filter *f, int64_t after_id, int backward)
{
	return our_page_sorted(st, f, LB_SORT_OLDEST, after_id, backward);
}

static double our_page_sorted(struct store *st, const struct lb_filter *f, int sort, int64_t after_id,
			      int backward)
{
	struct lb_candidate_list l = { 0 };
	struct lb_key k = { 0, after_id };
	double t[REPS], t0;
	int i;

	for (i = 0; i < REPS; i++) {
		t0 = util_mono_ms();
		if (store_candidate_page(st, f, sort, after_id ? &k : NULL, backward, 50, &l) != 0)
			die("page", store_errmsg(st));
		t[i] = util_mono_ms() - t0;
		if (l.n == 0)
			die("page", "empty page");
	}
	lb_candidate_list_free(&l);
	return median(t, REPS);
}

/* The bare page: the same keyset query, the same row as the list shows
 * (the candidate, its asset, my rating, the summary of every curator's
 * rating, selected, tags), stepped and every column read, with nothing
 * around it: no copies, no structs.  :after, :tag and :me are bound. */
#define BARE_ROW                                                                                  \
	"SELECT c.id, c.brief_id, c.revision_id, r.rev, c.modality, c.asset_id, c.parent_id,"     \
	" c.job_id, c.body, c.backend, c.model, c.seed, c.prompt, c.negative, c.params, c.source," \
	" c.created, a.sha256, a.media_type, a.ext, a.bytes, a.width, a.height, a.duration,"      \
	" my.stars, my.flag,"                                                                      \
	" (SELECT printf('%.6f %d %d %d', coalesce(avg(x.stars), 0), count(x.stars),"            \
	"   count(*) FILTER (WHERE x.flag = 'pick'), count(*) FILTER (WHERE x.flag = 'reject'))"  \
	"   FROM rating x WHERE x.brief_id = c.brief_id AND x.candidate_id = c.id),"             \
	" EXISTS (SELECT 1 FROM selection sel WHERE sel.candidate_id = c.id),"                     \
	" (SELECT group_concat(name, ',') FROM (SELECT t.name FROM candidate_tag ct"              \
	"   JOIN tag t ON t.id = ct.tag_id WHERE ct.candidate_id = c.id ORDER BY t.name)),"      \
	" c.score FROM candidate c JOIN brief_revision r ON r.id = c.revision_id"                 \
	" LEFT JOIN asset a ON a.id = c.asset_id"                                                 \
	" LEFT JOIN rating my ON my.brief_id = c.brief_id AND my.candidate_id = c.id"              \
	"  AND my.curator = :me "

static double bare_page(sqlite3 *db, const char *sql, int64_t after_id, int tag_id)
{
	sqlite3_stmt *s = prep(db, sql);
	double t[REPS], t0;
	int i, j, rows, idx;
	size_t bytes = 0;

	for (i = 0; i < REPS; i++) {
		t0 = util_mono_ms();
		if ((idx = sqlite3_bind_parameter_index(s, ":after")) > 0)
			sqlite3_bind_int64(s, idx, after_id);
		if ((idx = sqlite3_bind_parameter_index(s, ":tag")) > 0)
			sqlite3_bind_int(s, idx, tag_id);
		if ((idx = sqlite3_bind_parameter_index(s, ":me")) > 0)
			sqlite3_bind_text(s, idx, "bench", -1, SQLITE_STATIC);
		rows = 0;
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (j = 0; j < sqlite3_column_count(s); j++)
				if (sqlite3_column_type(s, j) == SQLITE_TEXT)
					bytes += (size_t)sqlite3_column_bytes(s, j);
			rows++;
		}
		sqlite3_reset(s);
		t[i] = util_mono_ms() - t0;
		if (rows == 0)
			die("bare page", "no rows");
	}
	sqlite3_finalize(s);
	if (bytes == 0)
		die("bare page", "read nothing");
	return median(t, REPS);
}

/* Single rating commits on the bare database, each its own transaction:
 * nrate upserts for candidates spread over n by step.  Returns per second. */
static double bare_rates(sqlite3 *bare, const char *curator, long n, int nrate, long step)
{
	sqlite3_stmt *s = prep(bare, "INSERT OR REPLACE INTO r (cand, curator, stars) VALUES (?, ?, ?)");
	double t0 = util_mono_ms();
	int i;

	for (i = 0; i < nrate; i++) {
		exec_or_die(bare, "BEGIN IMMEDIATE");
		sqlite3_bind_int64(s, 1, 1 + (i * step) % n);
		sqlite3_bind_text(s, 2, curator, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, i % 6);
		sqlite3_step(s);
		sqlite3_reset(s);
		exec_or_die(bare, "COMMIT");
	}
	sqlite3_finalize(s);
	return nrate / ((util_mono_ms() - t0) / 1000.0);
}

/* Single rating commits with `set sync full` (fsync per commit), beside
 * SQLite doing the same on the bare database: what power-loss durability
 * costs.  Run last, after the memory figure: it opens a second store. */
static void sync_full_figures(const char *dir, long n)
{
	struct store_options fo = { 0 };
	struct store *full = NULL;
	sqlite3 *bare;
	char path[256], *err = NULL;
	double t0, ours, base;
	int i, nfull = 2000;

	fo.curator = "bench-full";
	fo.sync_full = 1;
	if (store_open(dir, &fo, &full, &err) != 0)
		die("open (sync full)", err);
	t0 = util_mono_ms();
	for (i = 0; i < nfull; i++)
		if (store_rate(full, 1 + (i * 41) % n, i % 6) != 0)
			die("rate", store_errmsg(full));
	ours = nfull / ((util_mono_ms() - t0) / 1000.0);
	store_close(&full);
	snprintf(path, sizeof path, "%s/bare.db", dir);
	if (sqlite3_open(path, &bare) != SQLITE_OK)
		die("open", path);
	exec_or_die(bare, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");
	base = bare_rates(bare, "full", n, nfull, 41);
	sqlite3_close(bare);
	printf("%-44s %11.0f/s %11.0f/s %7.2fx\n", "single rating commits (WAL, sync FULL)", ours, base, ours / base);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	char dir[] = "/tmp/lb-bench-store-XXXXXX", path[256], *err = NULL;
	struct store_options o = { 0 };
	struct store *st = NULL;
	struct lb_brief_fields bf = { 0 };
	struct lb_candidate_input *in;
	struct lb_filter f = { 0 }, ff = { 0 };
	int64_t project, brief, assets[100], first_id, mid_id, last_id;
	sqlite3 *bare, *raw;
	sqlite3_stmt *s;
	double t0, ours, base;
	long i, batch = 10000, nrate;
	struct stat sb;
	int existed;

	if (n < 1000)
		n = 1000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir))
		die("mkdtemp", "failed");
	o.create = 1;
	o.curator = "bench";
	if (store_open(dir, &o, &st, &err) != 0)
		die("open", err);
	printf("lightbox store bench: %ld candidates in one brief (store in %s)\n\n", n, dir);
	printf("%-44s %14s %14s %8s\n", "operation", "lightbox", "bare SQLite", "ratio");

	store_project_add(st, "bench", "", &project);
	bf.title = (char *)"bench brief";
	bf.prompt = (char *)"a prompt shared by every candidate";
	store_brief_add(st, project, &bf, &brief);
	for (i = 0; i < 100; i++) {
		struct lb_asset_facts facts = { "image/png", "png", 512, 512, 0 };
		snprintf(path, sizeof path, "asset bytes %ld", i);
		if (store_asset_put(st, path, strlen(path), &facts, &assets[i], &existed) != 0)
			die("asset", store_errmsg(st));
	}

	/* 1. bulk insert */
	in = xcalloc((size_t)batch, sizeof *in);
	t0 = util_mono_ms();
	for (i = 0; i < n; i += batch) {
		long j, m = n - i < batch ? n - i : batch;
		for (j = 0; j < m; j++) {
			in[j].brief_id = brief;
			in[j].asset_id = assets[(i + j) % 100];
			in[j].backend = "builtin";
			in[j].model = "plasma";
			in[j].has_seed = 1;
			in[j].seed = i + j;
			in[j].params = "{\"width\":512,\"height\":512}";
		}
		if (store_candidate_add_many(st, in, (size_t)m, NULL) != 0)
			die("insert", store_errmsg(st));
	}
	ours = n / ((util_mono_ms() - t0) / 1000.0);
	free(in);
	snprintf(path, sizeof path, "%s/bare.db", dir);
	sqlite3_open(path, &bare);
	exec_or_die(bare, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			  "CREATE TABLE c (id INTEGER PRIMARY KEY, brief_id INTEGER, asset_id INTEGER, backend TEXT,"
			  " model TEXT, seed INTEGER, params TEXT, created INTEGER);"
			  "CREATE INDEX c_brief ON c(brief_id);"
			  "CREATE TABLE r (cand INTEGER, curator TEXT, stars INTEGER, PRIMARY KEY (cand, curator)) WITHOUT ROWID;");
	s = prep(bare, "INSERT INTO c (brief_id, asset_id, backend, model, seed, params, created) VALUES (1,?,?,?,?,?,?)");
	t0 = util_mono_ms();
	exec_or_die(bare, "BEGIN");
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, i % 100 + 1);
		sqlite3_bind_text(s, 2, "builtin", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, "plasma", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, i);
		sqlite3_bind_text(s, 5, "{\"width\":512,\"height\":512}", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, 0);
		sqlite3_step(s);
		sqlite3_reset(s);
		if (i % batch == batch - 1)
			exec_or_die(bare, "COMMIT; BEGIN");
	}
	exec_or_die(bare, "COMMIT");
	base = n / ((util_mono_ms() - t0) / 1000.0);
	sqlite3_finalize(s);
	printf("%-44s %11.0f/s %11.0f/s %7.2fx\n", "bulk insert (candidates, 10k per commit)", ours, base, ours / base);

	/* 2. single rating commits, each its own transaction + audit event */
	nrate = 20000;
	first_id = 1;
	t0 = util_mono_ms();
	for (i = 0; i < nrate; i++)
		if (store_rate(st, first_id + (i * 37) % n, (int)(i % 6)) != 0)
			die("rate", store_errmsg(st));
	ours = nrate / ((util_mono_ms() - t0) / 1000.0);
	base = bare_rates(bare, "bench", n, (int)nrate, 37);
	printf("%-44s %11.0f/s %11.0f/s %7.2fx\n", "single rating commits (WAL, sync NORMAL)", ours, base, ours / base);

	/* tags on 5% for the filtered list */
	store_batch_begin(st, "bench-tags");
	for (i = 0; i < n; i += 20)
		if (store_tag_add(st, first_id + i, "keeper") != 0)
			die("tag", store_errmsg(st));
	store_batch_end(st, 1);

	/* 3. pages */
	last_id = first_id + n - 1;
	mid_id = first_id + n / 2;
	f.brief_id = brief;
	snprintf(path, sizeof path, "%s/lightbox.db", dir);
	sqlite3_open(path, &raw);
	{
		static const char *plain = BARE_ROW "WHERE c.brief_id = 1 AND c.id > :after"
					   " ORDER BY c.id LIMIT 50";
		static const char *plain_back = BARE_ROW "WHERE c.brief_id = 1 ORDER BY c.id DESC LIMIT 50";
		static const char *filt =
			BARE_ROW "WHERE c.brief_id = 1 AND c.id > :after"
			" AND EXISTS (SELECT 1 FROM rating x WHERE x.brief_id = c.brief_id AND x.candidate_id = c.id"
			"  AND x.stars >= 3)"
			" AND EXISTS (SELECT 1 FROM candidate_tag t WHERE t.candidate_id = c.id AND t.tag_id = :tag)"
			" ORDER BY c.id LIMIT 50";
		static const char *filt_back =
			BARE_ROW "WHERE c.brief_id = 1"
			" AND EXISTS (SELECT 1 FROM rating x WHERE x.brief_id = c.brief_id AND x.candidate_id = c.id"
			"  AND x.stars >= 3)"
			" AND EXISTS (SELECT 1 FROM candidate_tag t WHERE t.candidate_id = c.id AND t.tag_id = :tag)"
			" ORDER BY c.id DESC LIMIT 50";
		static const char *ids_only = "SELECT c.id, c.asset_id, c.backend, c.seed FROM candidate c"
					      " WHERE c.brief_id = 1 AND c.id > :after ORDER BY c.id LIMIT 50";
		struct {
			const char *label;
			const struct lb_filter *f;
			int64_t after;
			int backward;
			const char *sql;
		} pages[] = {
			{ "50-row page at the start", &f, 0, 0, plain },
			{ "50-row page in the middle", &f, mid_id, 0, plain },
			{ "50-row page at the end", &f, 0, 1, plain_back },
			{ "filtered page (stars>=3 + tag) at the start", &ff, 0, 0, filt },
			{ "filtered page in the middle", &ff, mid_id, 0, filt },
			{ "filtered page at the end", &ff, 0, 1, filt_back },
		};
		ff.brief_id = brief;
		ff.min_stars = 3;
		ff.tag = "keeper";
		for (i = 0; i < (long)(sizeof pages / sizeof pages[0]); i++) {
			ours = our_page(st, pages[i].f, pages[i].after, pages[i].backward);
			base = bare_page(raw, pages[i].sql, pages[i].after, 1);
			printf("%-44s %11.3fms %11.3fms %7.2fx\n", pages[i].label, ours, base, ours / base);
		}
		/* For scale: what four columns cost without the row the list shows. */
		base = bare_page(raw, ids_only, mid_id, 1);
		printf("%-44s %14s %11.3fms\n", "(bare: ids and 3 columns only, middle)", "", base);
		/* Blind review: the same pages when the brief is blind (the
		 * sorts and filters then check what the curator may see). */
		printf("\n%-44s %14s %14s %8s\n", "blind review", "open", "blind", "ratio");
		for (i = 0; i < 3; i++) {
			static const char *const label[] = { "first page sorted by stars", "first page sorted by score",
							     "filtered page (stars>=3 + tag) at the start" };
			const struct lb_filter *pf = i < 2 ? &f : &ff;
			int sort = i == 0 ? LB_SORT_STARS : i == 1 ? LB_SORT_SCORE : LB_SORT_OLDEST;
			if (store_brief_blind(st, brief, 0) != 0)
				die("blind", store_errmsg(st));
			ours = our_page_sorted(st, pf, sort, 0, 0);
			if (store_brief_blind(st, brief, 1) != 0)
				die("blind", store_errmsg(st));
			base = our_page_sorted(st, pf, sort, 0, 0);
			printf("%-44s %11.3fms %11.3fms %7.2fx\n", label[i], ours, base, base / ours);
		}
		store_brief_blind(st, brief, 0);
	}
	(void)last_id;
	sqlite3_close(raw);
	sqlite3_close(bare);

	/* 4. size and memory */
	store_close(&st);
	snprintf(path, sizeof path, "%s/lightbox.db", dir);
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null 2>&1", path);
		if (system(cmd) != 0)
			fprintf(stderr, "bench-store: checkpoint failed (is sqlite3 installed?)\n");
	}
	stat(path, &sb);
	printf("\n%-44s %11.0f B\n", "bytes per candidate on disk (incl. ratings)", (double)sb.st_size / n);
	printf("%-44s %11.1f MB\n", "peak resident memory of this process", peak_mb());
	sync_full_figures(dir, n);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return 0;
}
