/*
 * bench-pg.c - the store on PostgreSQL beside SQLite, in the same run
 * (issue 18, make bench).  tests/bench/bench-pg.sh starts a private
 * cluster on a Unix socket (tests/lib/pg.sh, PostgreSQL's durable
 * defaults: fsync on, synchronous_commit on) and runs this with PG_HOST
 * (the socket's folder), LIGHTBOX (the program) and BENCH_PG_PICS (a
 * folder of noise pictures).  For each dialect, one after the other:
 *
 * 1. a team: CURATORS (16) store connections, one per curator, each
 *    rating at human speed (every 50-200 ms) while one `lightbox import`
 *    takes the pictures: the commit latency of store_rate pooled over the
 *    curators (p50, p99, max) and the import's wall time.  PostgreSQL is
 *    run twice: with synchronous_commit off (what SQLite's default,
 *    WAL + synchronous NORMAL, also gives up: the last commits on a
 *    crash of the machine) and on (like `set sync full`), and once more
 *    with `import --batch 16` (a batch's statements are round trips on
 *    PostgreSQL, so its transaction holds the write lock longer).
 * 2. pages on N candidates (BENCH_PG_N, default 1,000,000): the first
 *    50-row page, a keyset page from the middle, the filtered page
 *    (stars >= 3 and a tag) at the start and in the middle, through
 *    store_candidate_page as bench-store does.  The first 10,000
 *    candidates go in through the store (store_candidate_add_many, 10,000
 *    in one commit); the rest through the dialect's bulk path, printed:
 *    SQLite, one prepared INSERT in transactions of 100,000; PostgreSQL,
 *    COPY ... FROM STDIN through libpq.  Ratings (every 7th candidate)
 *    and the tag (every 20th) are the same SQL on both; then ANALYZE on
 *    PostgreSQL only (its autovacuum would, soon after a bulk load;
 *    lightbox never runs ANALYZE on SQLite, so neither does this).
 * 3. refresh: two interfaces (`lightbox tui` in pseudo-terminals); one
 *    rates a row, the time until the other's screen shows the new
 *    average.  On SQLite the other polls store_data_version every
 *    poll-interval (500 ms); on PostgreSQL it LISTENs and the commit's
 *    NOTIFY wakes it (the timer stays as a fallback).
 *
 * Prints figures; asserts nothing.  Everything lives in a scratch folder
 * under $TMPDIR (removed at the end) and in the cluster (the script's).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "tests/bench/bench-pty.h"
#include "util.h"

#define CURATORS  16
#define RATED     400   /* candidates the team rates */
#define STORE_ADD 10000 /* candidates added through the store before the bulk path */
#define REPS      21
#define ROUNDS    15 /* ratings seen across two interfaces */

enum dialect { SQLITE, PG };
static const char *const dialect_name[] = {"SQLite", "PostgreSQL"};

static const char *lightbox, *pg_host, *pics;
static char scratch[256];
static atomic_int stop;

/* ------------------------------------------------------------ stores */

static void pg_do(const char *db, const char *sql)
{
	char *url = xasprintf("postgresql://lightbox@/%s?host=%s", db, pg_host);
	PGconn *c = PQconnectdb(url);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		fatal("cannot reach %s: %s", url, PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fatal("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	free(url);
}

/* A new, empty store called name of the dialect: a folder under the
 * scratch folder, or a database of the cluster with its assets folder
 * (LIGHTBOX_ASSETS, which the children inherit).  Owned. */
static char *new_store(enum dialect d, const char *name)
{
	char *sql, *assets;

	if (d == SQLITE) {
		unsetenv("LIGHTBOX_ASSETS");
		return xasprintf("%s/%s", scratch, name);
	}
	sql = xasprintf("CREATE DATABASE \"%s\"", name);
	pg_do("postgres", sql);
	free(sql);
	assets = xasprintf("%s/%s-assets", scratch, name);
	setenv("LIGHTBOX_ASSETS", assets, 1);
	free(assets);
	return xasprintf("postgresql://lightbox@/%s?host=%s", name, pg_host);
}

static struct store *open_as(const char *name, const char *curator, int create)
{
	struct store_options o = {0};
	struct store *st = NULL;
	char *err = NULL;

	o.create = create;
	o.curator = curator;
	if (store_open(name, &o, &st, &err) != 0)
		fatal("cannot open %s: %s", name, err);
	return st;
}

/* A project and a brief; returns the brief. */
static int64_t make_brief(struct store *st, const char *title, int modality)
{
	struct lb_brief_fields bf = {0};
	int64_t project, brief;

	if (store_project_add(st, title, "", &project) != 0)
		fatal("%s", store_errmsg(st));
	bf.title = (char *)title;
	bf.modality = modality;
	if (store_brief_add(st, project, &bf, &brief) != 0)
		fatal("%s", store_errmsg(st));
	return brief;
}

/* n text candidates "label i" in brief; returns the first id. */
static int64_t add_texts(struct store *st, int64_t brief, const char *label, int n)
{
	struct lb_candidate_input in = {0};
	int64_t id, first = 0;
	char body[64];
	int i;

	if (store_batch_begin(st, "setup") != 0)
		fatal("%s", store_errmsg(st));
	in.brief_id = brief;
	in.backend = "bench";
	for (i = 0; i < n; i++) {
		snprintf(body, sizeof body, "%s %d", label, i);
		in.body = body;
		if (store_candidate_add(st, &in, &id) != 0)
			fatal("%s", store_errmsg(st));
		if (i == 0)
			first = id;
	}
	if (store_batch_end(st, 1) != 0)
		fatal("%s", store_errmsg(st));
	return first;
}

/* ------------------------------------------------------------ 1. the team */

struct curator {
	struct store *st;
	int no;
	int64_t first;
	double *lat;
	size_t n, cap;
	int failed;
	pthread_t th;
};

static void *curate(void *arg)
{
	struct curator *c = arg;
	uint64_t s = (uint64_t)c->no * 7919 + 17;
	struct timespec nap = {0, 0};
	double t0;

	while (!atomic_load(&stop)) {
		nap.tv_nsec = (50 + (long)(bench_rnd(&s) % 151)) * 1000000L;
		nanosleep(&nap, NULL);
		t0 = util_mono_ms();
		if (store_rate(c->st, c->first + (int64_t)(bench_rnd(&s) % RATED),
		               (int)(bench_rnd(&s) % 6)) != 0) {
			c->failed++;
			continue;
		}
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 1024;
			c->lat = xrealloc(c->lat, c->cap * sizeof *c->lat);
		}
		c->lat[c->n++] = util_mono_ms() - t0;
	}
	return NULL;
}

/* Runs lightbox args... on store as curator; its exit status. */
static int run_lightbox(const char *store, const char *curator, const char *const *args)
{
	const char *argv[12];
	int i, status, null;
	pid_t pid;

	argv[0] = lightbox;
	for (i = 0; args[i] && i < 10; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid == 0) {
		setenv("LIGHTBOX_STORE", store, 1);
		setenv("LIGHTBOX_CURATOR", curator, 1);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execv(lightbox, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0)
		fatal("cannot run %s: %s", lightbox, strerror(errno));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void team(enum dialect d, const char *dbname, const char *label, const char *batch)
{
	struct curator cur[CURATORS];
	char *name = new_store(d, dbname), brief_arg[24], who[32];
	struct store *st = open_as(name, "setup", 1);
	int64_t import_brief = make_brief(st, "Imported", LB_IMAGE);
	int64_t first = add_texts(st, make_brief(st, "Copy to rate", LB_TEXT), "headline", RATED);
	const char *args[] = {"import", pics, "--brief", brief_arg, batch ? "--batch" : NULL,
	                      batch,    NULL};
	double t0, t_import, *all;
	size_t n = 0, k;
	int i, rc, failed = 0;

	store_close(&st);
	snprintf(brief_arg, sizeof brief_arg, "%lld", (long long)import_brief);
	atomic_store(&stop, 0);
	for (i = 0; i < CURATORS; i++) {
		memset(&cur[i], 0, sizeof cur[i]);
		cur[i].no = i + 1;
		cur[i].first = first;
		snprintf(who, sizeof who, "curator%d", i + 1);
		cur[i].st = open_as(name, who, 0);
	}
	for (i = 0; i < CURATORS; i++)
		pthread_create(&cur[i].th, NULL, curate, &cur[i]);
	sleep(1);
	t0 = util_mono_ms();
	rc = run_lightbox(name, "importer", args);
	t_import = util_mono_ms() - t0;
	sleep(1);
	atomic_store(&stop, 1);
	for (i = 0; i < CURATORS; i++) {
		pthread_join(cur[i].th, NULL);
		store_close(&cur[i].st);
		n += cur[i].n;
	}
	all = xmalloc((n ? n : 1) * sizeof *all);
	for (i = 0, k = 0; i < CURATORS; i++) {
		memcpy(all + k, cur[i].lat, cur[i].n * sizeof *all);
		k += cur[i].n;
		failed += cur[i].failed;
		free(cur[i].lat);
	}
	qsort(all, n, sizeof *all, bench_cmp_d);
	printf("%-34s %6zu %8.1f %8.1f %8.1f %9.1f s%s", label, n, bench_pct(all, n, 0.5),
	       bench_pct(all, n, 0.99), n ? all[n - 1] : 0.0, t_import / 1000,
	       rc ? " (import FAILED)" : "");
	if (failed)
		printf(" (%d ratings refused)", failed);
	printf("\n");
	free(all);
	free(name);
}

/* ------------------------------------------------------------ 2. pages */

/* The same SQL on both dialects: ratings on every 7th candidate (stars
 * 0-5 in turn, so about half are 3 or more) and the tag on every 20th. */
static const char *const fill_sql[] = {
        "INSERT INTO rating (brief_id, candidate_id, curator, stars, flag, updated)"
        " SELECT brief_id, id, 'bench', (id / 7) % 6, 'none', 0 FROM candidate WHERE id % 7 = 1",
        "INSERT INTO tag (name, created) VALUES ('keeper', 0)",
        "INSERT INTO candidate_tag (candidate_id, tag_id, curator, created)"
        " SELECT id, (SELECT id FROM tag WHERE name = 'keeper'), 'bench', 0 FROM candidate WHERE "
        "id % 20 = 1",
        "ANALYZE", /* PostgreSQL only: autovacuum would do it; lightbox never analyzes SQLite */
};
#define NFILL (sizeof fill_sql / sizeof *fill_sql)

static void sqlite_fill(const char *dir, int64_t brief, int64_t rev, const int64_t *assets,
                        long from, long n)
{
	char *path = xasprintf("%s/lightbox.db", dir);
	sqlite3 *db;
	sqlite3_stmt *s;
	size_t i;
	long k;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		fatal("cannot open %s", path);
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_prepare_v2(
	            db,
	            "INSERT INTO candidate (brief_id, revision_id, modality, asset_id, backend, "
	            "model, seed,"
	            " params, created) VALUES (?, ?, 'image', ?, 'builtin', 'plasma', ?, ?, 0)",
	            -1, &s, NULL) != SQLITE_OK)
		fatal("prepare: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (k = from; k < n; k++) {
		sqlite3_bind_int64(s, 1, brief);
		sqlite3_bind_int64(s, 2, rev);
		sqlite3_bind_int64(s, 3, assets[k % 100]);
		sqlite3_bind_int64(s, 4, k);
		sqlite3_bind_text(s, 5, "{\"width\":512,\"height\":512}", -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			fatal("insert: %s", sqlite3_errmsg(db));
		sqlite3_reset(s);
		if (k % 100000 == 99999)
			sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
	}
	sqlite3_finalize(s);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		fatal("commit: %s", sqlite3_errmsg(db));
	for (i = 0; i + 1 < NFILL; i++)
		if (sqlite3_exec(db, fill_sql[i], NULL, NULL, NULL) != SQLITE_OK)
			fatal("%s: %s", fill_sql[i], sqlite3_errmsg(db));
	sqlite3_close(db);
	free(path);
}

/* COPY candidate FROM STDIN, 1 MB a message. */
static void pg_fill(const char *url, int64_t brief, int64_t rev, const int64_t *assets, long from,
                    long n)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	struct sbuf b;
	size_t i;
	long k;

	if (PQstatus(c) != CONNECTION_OK)
		fatal("cannot reach %s: %s", url, PQerrorMessage(c));
	r = PQexec(c, "COPY candidate (brief_id, revision_id, modality, asset_id, backend, model, "
	              "seed, params,"
	              " created) FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN)
		fatal("COPY: %s", PQerrorMessage(c));
	PQclear(r);
	sb_init(&b);
	for (k = from; k < n; k++) {
		sb_addf(&b,
		        "%lld\t%lld\timage\t%lld\tbuiltin\tplasma\t%ld\t{\"width\":512,\"height\":"
		        "512}\t0\n",
		        (long long)brief, (long long)rev, (long long)assets[k % 100], k);
		if (b.len > (1 << 20) || k == n - 1) {
			if (PQputCopyData(c, b.s, (int)b.len) != 1)
				fatal("COPY: %s", PQerrorMessage(c));
			sb_reset(&b);
		}
	}
	sb_free(&b);
	if (PQputCopyEnd(c, NULL) != 1)
		fatal("COPY: %s", PQerrorMessage(c));
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fatal("COPY: %s", PQerrorMessage(c));
		PQclear(r);
	}
	for (i = 0; i < NFILL; i++) {
		r = PQexec(c, fill_sql[i]);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fatal("%s: %s", fill_sql[i], PQerrorMessage(c));
		PQclear(r);
	}
	PQfinish(c);
}

static double page_ms(struct store *st, const struct lb_filter *f, int64_t after)
{
	struct lb_candidate_list l = {0};
	struct lb_key k = {0, after};
	double t[REPS], t0;
	int i;

	for (i = 0; i < REPS; i++) {
		t0 = util_mono_ms();
		if (store_candidate_page(st, f, LB_SORT_OLDEST, after ? &k : NULL, 0, 50, &l) != 0)
			fatal("page: %s", store_errmsg(st));
		t[i] = util_mono_ms() - t0;
		if (l.n == 0)
			fatal("page: empty");
		lb_candidate_list_free(&l);
	}
	qsort(t, REPS, sizeof *t, bench_cmp_d);
	return t[REPS / 2];
}

struct pages {
	double add, bulk, ms[4];
};

static void pages(enum dialect d, long n, struct pages *p)
{
	char *name = new_store(d, "pages"), data[64];
	struct store *st = open_as(name, "bench", 1);
	int64_t brief = make_brief(st, "Pages", LB_IMAGE), assets[100], rev;
	struct lb_candidate_input *in = xcalloc(STORE_ADD, sizeof *in);
	struct lb_filter f = {0}, ff = {0};
	struct lb_brief b = {0};
	double t0;
	int existed;
	long i;

	for (i = 0; i < 100; i++) {
		struct lb_asset_facts facts = {"image/png", "png", 512, 512, 0};
		snprintf(data, sizeof data, "asset bytes %ld", i);
		if (store_asset_put(st, data, strlen(data), &facts, &assets[i], &existed) != 0)
			fatal("asset: %s", store_errmsg(st));
	}
	for (i = 0; i < STORE_ADD; i++) {
		in[i].brief_id = brief;
		in[i].asset_id = assets[i % 100];
		in[i].backend = "builtin";
		in[i].model = "plasma";
		in[i].has_seed = 1;
		in[i].seed = i;
		in[i].params = "{\"width\":512,\"height\":512}";
	}
	t0 = util_mono_ms();
	if (store_candidate_add_many(st, in, STORE_ADD, NULL) != 0)
		fatal("insert: %s", store_errmsg(st));
	p->add = STORE_ADD / ((util_mono_ms() - t0) / 1000);
	free(in);
	if (store_brief_get(st, brief, &b) != 0)
		fatal("%s", store_errmsg(st));
	rev = b.revision_id;
	lb_brief_clear(&b);
	t0 = util_mono_ms();
	if (d == SQLITE)
		sqlite_fill(name, brief, rev, assets, STORE_ADD, n);
	else
		pg_fill(name, brief, rev, assets, STORE_ADD, n);
	p->bulk = (double)(n - STORE_ADD) / ((util_mono_ms() - t0) / 1000);
	f.brief_id = ff.brief_id = brief;
	ff.min_stars = 3;
	ff.tag = "keeper";
	p->ms[0] = page_ms(st, &f, 0);
	p->ms[1] = page_ms(st, &f, n / 2);
	p->ms[2] = page_ms(st, &ff, 0);
	p->ms[3] = page_ms(st, &ff, n / 2);
	store_close(&st);
	free(name);
}

/* ------------------------------------------------------------ 3. refresh */

/* Interface A rates a row; the time until interface B's screen shows the
 * new average ("4.0" where "-" was), ROUNDS times, moving A down a row
 * each time.  Fills ms[ROUNDS]; returns how many were seen. */
static int refresh(enum dialect d, double *ms)
{
	char *name = new_store(d, "refresh"), brief[24], needle[8], key[2] = {0, 0};
	struct store *st = open_as(name, "setup", 1);
	int64_t b = make_brief(st, "Refresh", LB_TEXT);
	char *argv[] = {(char *)lightbox, (char *)"tui", (char *)"--brief", brief, NULL};
	const char *counted[] = {"of 40", NULL};
	struct term ta, tb;
	double t0, end;
	uint64_t s = 12345;
	long pause_ms;
	int i, seen = 0;

	add_texts(st, b, "line", 40);
	store_close(&st);
	snprintf(brief, sizeof brief, "%lld", (long long)b);
	term_start_lightbox(&ta, argv, name, scratch, "alice", 50, 120);
	term_start_lightbox(&tb, argv, name, scratch, "bob", 50, 120);
	if (term_wait(&ta, counted, 30000) < 0 || term_wait(&tb, counted, 30000) < 0)
		fatal("the interfaces did not show the brief (%s)", dialect_name[d]);
	for (i = 0; i < ROUNDS; i++) {
		key[0] = (char)('1' + i % 5);
		snprintf(needle, sizeof needle, "%c.0", key[0]);
		/* Settle, then a pause of 0-600 ms, so the key falls anywhere
		 * in B's poll interval. */
		pause_ms = 200 + (long)(bench_rnd(&s) % 601);
		end = util_mono_ms() + (double)pause_ms;
		while (util_mono_ms() < end) {
			term_read(&ta, 5);
			term_read(&tb, 5);
		}
		term_reset(&tb);
		t0 = util_mono_ms();
		if (write(ta.fd, key, 1) < 0)
			fatal("write to the interface: %s", strerror(errno));
		end = t0 + 10000;
		ms[i] = -1;
		while (util_mono_ms() < end) {
			term_read(&ta, 0);
			term_read(&tb, 5);
			if (tb.buf && strstr(tb.buf, needle)) {
				ms[seen++] = tb.last - t0;
				break;
			}
		}
		if (write(ta.fd, "j", 1) < 0)
			fatal("write to the interface: %s", strerror(errno));
	}
	term_quit(&ta);
	term_quit(&tb);
	free(name);
	return seen;
}

/* ------------------------------------------------------------ main */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR"), *env = getenv("BENCH_PG_N");
	long n = env ? atol(env) : 1000000, npics = 0;
	static const char *const page_label[] = {
	        "50-row page at the start", "50-row page in the middle (keyset)",
	        "filtered page (stars>=3 + tag), start", "filtered page, middle (keyset)"};
	struct pages pg[2];
	double ms[2][ROUNDS];
	int seen[2], d, i;
	struct stat sb;
	char *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	lightbox = getenv("LIGHTBOX");
	pg_host = getenv("PG_HOST");
	pics = getenv("BENCH_PG_PICS");
	if (lightbox == NULL || pg_host == NULL || pics == NULL)
		fatal("run through tests/bench/bench-pg.sh (it sets LIGHTBOX, PG_HOST and "
		      "BENCH_PG_PICS)");
	if (n < 2 * STORE_ADD)
		n = 2 * STORE_ADD;
	for (i = 0; i < 100000; i++) {
		p = xasprintf("%s/p%05d.png", pics, i);
		if (stat(p, &sb) != 0) {
			free(p);
			break;
		}
		free(p);
		npics++;
	}
	snprintf(scratch, sizeof scratch, "%s/lb-pg.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL)
		fatal("mkdtemp: %s", strerror(errno));

	printf("1. %d curators rating every 50-200 ms (store connections) while one `lightbox "
	       "import` takes "
	       "%ld pictures\n",
	       CURATORS, npics);
	printf("%-34s %6s %8s %8s %8s %11s\n", "commit latency of a rating, ms", "n", "p50", "p99",
	       "max", "import");
	team(SQLITE, "team", "SQLite (WAL, synchronous NORMAL)", NULL);
	setenv("PGOPTIONS", "-c synchronous_commit=off", 1);
	team(PG, "team_async", "PostgreSQL (synchronous_commit off)", NULL);
	unsetenv("PGOPTIONS");
	team(PG, "team", "PostgreSQL (synchronous_commit on)", NULL);
	/* The import's batch (256 files a transaction) is a round trip per
	 * statement on PostgreSQL: the write lock is held that much longer. */
	team(PG, "team_b16", "PostgreSQL (on), import --batch 16", "16");

	printf("\n2. pages of %ld candidates in one brief (median of %d, ms)\n", n, REPS);
	for (d = SQLITE; d <= PG; d++)
		pages((enum dialect)d, n, &pg[d]);
	printf("%-44s %12s %12s\n", "", "SQLite", "PostgreSQL");
	printf("%-44s %10.0f/s %10.0f/s\n", "add 10,000 through the store (one commit)", pg[0].add,
	       pg[1].add);
	printf("%-44s %10.0f/s %10.0f/s\n", "bulk: the rest (INSERT in 100k commits; COPY)",
	       pg[0].bulk, pg[1].bulk);
	for (i = 0; i < 4; i++)
		printf("%-44s %10.3fms %10.3fms\n", page_label[i], pg[0].ms[i], pg[1].ms[i]);

	printf("\n3. refresh between two interfaces: a rating in one until the other's screen "
	       "shows it\n"
	       "   (SQLite: the other polls the data version every 500 ms; PostgreSQL: "
	       "LISTEN/NOTIFY)\n");
	for (d = SQLITE; d <= PG; d++) {
		seen[d] = refresh((enum dialect)d, ms[d]);
		qsort(ms[d], (size_t)seen[d], sizeof **ms, bench_cmp_d);
		printf("%-34s %2d of %d seen: p50 %6.1f ms, max %6.1f ms\n", dialect_name[d],
		       seen[d], ROUNDS, bench_pct(ms[d], (size_t)seen[d], 0.5),
		       seen[d] ? ms[d][seen[d] - 1] : 0.0);
	}
	if (!getenv("BENCH_KEEP"))
		nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
