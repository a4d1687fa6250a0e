/*
 * bench-team.c - a team on one store (issue 10, make bench): four curators
 * rate at human speed through `lightbox rate -` while a fifth imports N
 * 1024x1024 pictures of noise (about 3 MB each, so they do not compress)
 * and a runner finishes builtin jobs (`lightbox gen`), all at once.
 *
 * Prints each curator's commit latency (from the line written to
 * `rate -` to its "saved" line: p50, p99, max), the import's wall time
 * beside `cp -r && sync` of the same files in the same run with the same
 * team at work (a copy alone is printed too), and the jobs
 * lost (done without a candidate) or stuck (queued or running once every
 * runner has exited).  Targets (issue 10): p99 < 50 ms, max < 250 ms,
 * import <= 1.5x cp+sync, 0 lost, 0 stuck.  Prints figures; asserts
 * nothing.  The import returns once its rows are in; the pictures'
 * fingerprints follow from a filler in the background: the team works on
 * until they are all made (the curators' latency counts that time too),
 * and how long after the import that was is printed.
 *
 * The fifth part, in the same run: an interface (`lightbox tui`, driven in
 * a pseudo-terminal through bench-pty.c as a user's terminal would be)
 * marks every candidate of a brief of BULK (20,000) text candidates
 * (mark-all, *) and rates them 3 while the import runs.  It prints how
 * long the bulk change took (from the confirming key to the last rating
 * in the store) and the curators' p50/p99/max over the ratings they
 * made while it ran.
 *
 *   tests/bench/bench-team [N]      N pictures (default 800; BENCH_TEAM_N too)
 *
 * $LIGHTBOX is the program measured.  Everything lives in a scratch folder
 * under $TMPDIR, removed at the end (BENCH_KEEP=1 keeps it).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
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
#include <zlib.h>

#include "store/store.h"
#include "tests/bench/bench-pty.h"
#include "util.h"

#define CURATORS 4
#define SIDE 1024
#define RATED 400 /* candidates the curators rate */
#define BULK 20000 /* candidates the interface marks and rates */

static const char *lightbox;
static char scratch[256], team_store[300];
static atomic_int stop;

/* ------------------------------------------------------------ pictures */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void chunk(FILE *f, const char *type, const unsigned char *data, size_t n)
{
	unsigned char hd[8], crc[4];
	uLong c = crc32(0, (const Bytef *)type, 4);

	put32(hd, (uint32_t)n);
	memcpy(hd + 4, type, 4);
	c = crc32(c, data, (uInt)n);
	put32(crc, (uint32_t)c);
	fwrite(hd, 1, 8, f);
	fwrite(data, 1, n, f);
	fwrite(crc, 1, 4, f);
}

/* A SIDE x SIDE RGB PNG of noise, stored (zlib level 0): about 3 MB. */
static void write_noise_png(const char *path, uint64_t seed)
{
	size_t row = 1 + 3 * SIDE, n = row * SIDE, i;
	unsigned char *raw = xmalloc(n), ihdr[13];
	uLongf zn = compressBound(n);
	unsigned char *z = xmalloc(zn);
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1, v;
	FILE *f;

	for (i = 0; i + 8 <= n; i += 8) {
		v = bench_rnd(&s);
		memcpy(raw + i, &v, 8);
	}
	for (i = 0; i < SIDE; i++)
		raw[i * row] = 0; /* filter: none */
	if (compress2(z, &zn, raw, n, 0) != Z_OK)
		fatal("zlib failed");
	put32(ihdr, SIDE);
	put32(ihdr + 4, SIDE);
	ihdr[8] = 8;
	ihdr[9] = 2;
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	f = fopen(path, "wb");
	if (f == NULL)
		fatal("cannot write %s: %s", path, strerror(errno));
	fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
	chunk(f, "IHDR", ihdr, 13);
	chunk(f, "IDAT", z, zn);
	chunk(f, "IEND", (const unsigned char *)"", 0);
	if (fclose(f) != 0)
		fatal("cannot write %s: %s", path, strerror(errno));
	free(raw);
	free(z);
}

/* ------------------------------------------------------------ children */

/* Starts lightbox with args; fds for its stdin/stdout/stderr (-1: /dev/null). */
static pid_t spawn(const char *curator, int in, int out, int err, const char *const *args)
{
	const char *argv[16];
	pid_t pid;
	int i, null;

	argv[0] = lightbox;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid == 0) {
		setenv("LIGHTBOX_STORE", team_store, 1);
		setenv("LIGHTBOX_CURATOR", curator, 1);
		null = open("/dev/null", O_RDWR);
		dup2(in >= 0 ? in : null, 0);
		dup2(out >= 0 ? out : null, 1);
		dup2(err >= 0 ? err : null, 2);
		execv(lightbox, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0)
		fatal("cannot run %s: %s", lightbox, strerror(errno));
	return pid;
}

static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs sh -c cmd; its wall time in ms. */
static double time_shell(const char *cmd)
{
	double t0 = util_mono_ms();

	if (system(cmd) != 0)
		fatal("failed: %s", cmd);
	return util_mono_ms() - t0;
}

/* cp -r pics copy && sync, in ms; the copy is removed (and synced) after. */
static double cp_sync(const char *pics, const char *copy)
{
	char *cmd;
	double ms;

	if (system("sync") != 0)
		fatal("sync failed");
	cmd = xasprintf("cp -r '%s' '%s' && sync", pics, copy);
	ms = time_shell(cmd);
	free(cmd);
	cmd = xasprintf("rm -rf '%s' && sync", copy);
	time_shell(cmd);
	free(cmd);
	return ms;
}

/* ------------------------------------------------------------ curators */

struct curator {
	int no;
	int64_t first;          /* candidates first..first+RATED-1 are rated */
	double *lat;            /* ms per saved rating */
	double *at;             /* when each was sent (monotonic ms), in the same order */
	size_t n, cap;
	int failed;             /* lines answered with an error */
	pthread_t th;
};

/* Reads from fd until a newline; 1 a line, 0 end of file, -1 timeout. */
static int read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	ssize_t r;

	while (n + 1 < cap) {
		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		r = read(fd, buf + n, 1);
		if (r <= 0)
			return r < 0 && errno == EINTR ? -1 : 0;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return 1;
}

static void *curate(void *arg)
{
	struct curator *c = arg;
	int in[2], out[2];
	char name[32], line[256];
	uint64_t s = (uint64_t)c->no * 7919 + 17;
	struct timespec nap;
	const char *args[] = { "rate", "-", NULL };
	pid_t pid;
	double t0;
	int r;

	snprintf(name, sizeof name, "curator%d", c->no);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		fatal("pipe: %s", strerror(errno));
	/* Errors go to stdout too: a refused line answers instead of "saved". */
	pid = spawn(name, in[0], out[1], out[1], args);
	close(in[0]);
	close(out[1]);
	while (!atomic_load(&stop)) {
		long ms = 50 + (long)(bench_rnd(&s) % 151);
		nap.tv_sec = 0;
		nap.tv_nsec = ms * 1000000L;
		nanosleep(&nap, NULL);
		snprintf(line, sizeof line, "%lld %d\n",
			 (long long)(c->first + (int64_t)(bench_rnd(&s) % RATED)), (int)(bench_rnd(&s) % 6));
		t0 = util_mono_ms();
		if (write(in[1], line, strlen(line)) < 0)
			break;
		r = read_line(out[0], line, sizeof line, 120000);
		if (r <= 0)
			break;
		if (strncmp(line, "saved ", 6) != 0) {
			c->failed++;
			continue;
		}
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 1024;
			c->lat = xrealloc(c->lat, c->cap * sizeof *c->lat);
			c->at = xrealloc(c->at, c->cap * sizeof *c->at);
		}
		c->at[c->n] = t0;
		c->lat[c->n++] = util_mono_ms() - t0;
	}
	close(in[1]);
	close(out[0]);
	wait_for(pid);
	return NULL;
}

/* ------------------------------------------------------------ the runner */

struct runner {
	int64_t brief;
	int runs, failed;
	pthread_t th;
};

static void *run_jobs(void *arg)
{
	struct runner *r = arg;
	char brief[24];
	const char *args[] = { "gen", brief, "-n", "2", NULL };

	snprintf(brief, sizeof brief, "%lld", (long long)r->brief);
	while (!atomic_load(&stop)) {
		r->runs++;
		if (wait_for(spawn("runner", -1, -1, -1, args)) != 0)
			r->failed++;
	}
	return NULL;
}

/* ------------------------------------------------------------ the interface */

struct iface {
	int64_t brief;
	atomic_int go;          /* set when the import has started: confirm the bulk rating */
	int ready;              /* all marked and the confirmation asked */
	double t_enter, t_done; /* monotonic ms: the confirming key; the last rating in the store */
	int64_t rated;
	const char *why;        /* what went wrong, or NULL */
	pthread_t th;
};

static int64_t count_rated(sqlite3 *db)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM rating WHERE curator = 'interface' AND stars = 3", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void *interface(void *arg)
{
	struct iface *f = arg;
	char brief[24], *db_path;
	char *argv[] = { (char *)lightbox, (char *)"tui", (char *)"--brief", brief, NULL };
	char count[32];
	const char *counted[] = { count, NULL }, *marked[] = { "marked", NULL }, *asked[] = { "candidates", NULL };
	struct term t;
	sqlite3 *db = NULL;
	double end;

	snprintf(brief, sizeof brief, "%lld", (long long)f->brief);
	snprintf(count, sizeof count, "of %d", BULK);
	term_start_lightbox(&t, argv, team_store, scratch, "interface", 30, 120);
	if (term_wait(&t, counted, 60000) < 0) {
		f->why = "the interface did not show the brief's count";
		goto out;
	}
	term_key(&t, "*", 20);
	if (term_wait(&t, marked, 10000) < 0) {
		f->why = "mark-all (*) showed no marks";
		goto out;
	}
	term_key(&t, "3", 20);
	if (term_wait(&t, asked, 10000) < 0) {
		f->why = "rating the marked rows asked nothing";
		goto out;
	}
	f->ready = 1;
	while (!atomic_load(&f->go))
		term_read(&t, 10);
	db_path = xasprintf("%s/lightbox.db", team_store);
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		fatal("cannot open %s", db_path);
	free(db_path);
	sqlite3_busy_timeout(db, 10000);
	f->t_enter = util_mono_ms();
	if (write(t.fd, "y\r", 2) < 0)
		fatal("write to the interface: %s", strerror(errno));
	/* Keep reading the terminal (a full pty would stall the interface)
	 * and look at the store until every rating is in. */
	end = f->t_enter + 600000;
	while (util_mono_ms() < end) {
		term_reset(&t);
		term_read(&t, 50);
		f->rated = count_rated(db);
		if (f->rated >= BULK)
			break;
	}
	f->t_done = util_mono_ms();
	if (f->rated < BULK)
		f->why = "the bulk rating did not finish within 10 minutes";
out:
	sqlite3_close(db);
	term_quit(&t);
	if (!f->ready)
		f->ready = -1;
	return NULL;
}

/* ------------------------------------------------------------ the team */

static void team_start(struct curator *cur, struct runner *run, int64_t first, int64_t gen_brief)
{
	int i;

	atomic_store(&stop, 0);
	for (i = 0; i < CURATORS; i++) {
		memset(&cur[i], 0, sizeof cur[i]);
		cur[i].no = i + 1;
		cur[i].first = first;
		pthread_create(&cur[i].th, NULL, curate, &cur[i]);
	}
	run->brief = gen_brief;
	pthread_create(&run->th, NULL, run_jobs, run);
	sleep(1); /* everyone at work before the copy starts */
}

/* Stops the team a second after the copy; the runs keep adding up. */
static void team_stop(struct curator *cur, struct runner *run)
{
	int i;

	sleep(1);
	atomic_store(&stop, 1);
	for (i = 0; i < CURATORS; i++)
		pthread_join(cur[i].th, NULL);
	pthread_join(run->th, NULL);
}

/* ------------------------------------------------------------ setup */

static int64_t q1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fatal("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Waits (10 minutes at most) until the imported pictures have their
 * fingerprints; when, on the monotonic clock. */
static double wait_fingerprints(long n, int64_t *made)
{
	char *path = xasprintf("%s/lightbox.db", team_store);
	double limit = util_mono_ms() + 600000;
	sqlite3 *db;

	*made = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		fatal("cannot open %s", path);
	sqlite3_busy_timeout(db, 10000);
	while (util_mono_ms() < limit) {
		*made = q1(db, "SELECT count(*) FROM candidate c JOIN brief b ON b.id = c.brief_id "
			       "JOIN fingerprint f ON f.asset_id = c.asset_id WHERE b.title = 'Imported'");
		if (*made >= n)
			break;
		usleep(50000);
	}
	sqlite3_close(db);
	free(path);
	return util_mono_ms();
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void setup_store(int64_t *import_brief, int64_t *gen_brief, int64_t *first, int64_t *bulk_brief)
{
	struct store_options o = { 0 };
	struct store *st = NULL;
	struct lb_brief_fields bf = { 0 };
	struct lb_candidate_input in = { 0 };
	int64_t project, rate_brief, id;
	char *err = NULL, body[64];
	int i;

	o.create = 1;
	o.curator = "setup";
	if (store_open(team_store, &o, &st, &err) != 0)
		fatal("cannot make the store: %s", err);
	if (store_project_add(st, "Team", "", &project) != 0)
		fatal("%s", store_errmsg(st));
	bf.title = (char *)"Imported";
	bf.modality = LB_IMAGE;
	if (store_brief_add(st, project, &bf, import_brief) != 0)
		fatal("%s", store_errmsg(st));
	bf.title = (char *)"Generated";
	bf.prompt = (char *)"a lighthouse at dusk";
	if (store_brief_add(st, project, &bf, gen_brief) != 0)
		fatal("%s", store_errmsg(st));
	bf.title = (char *)"Copy to rate";
	bf.prompt = (char *)"";
	bf.modality = LB_TEXT;
	if (store_brief_add(st, project, &bf, &rate_brief) != 0)
		fatal("%s", store_errmsg(st));
	if (store_batch_begin(st, "setup") != 0)
		fatal("%s", store_errmsg(st));
	in.brief_id = rate_brief;
	in.backend = "bench";
	for (i = 0; i < RATED; i++) {
		snprintf(body, sizeof body, "headline %d", i);
		in.body = body;
		if (store_candidate_add(st, &in, &id) != 0)
			fatal("%s", store_errmsg(st));
		if (i == 0)
			*first = id;
	}
	bf.title = (char *)"Bulk";
	if (store_brief_add(st, project, &bf, bulk_brief) != 0)
		fatal("%s", store_errmsg(st));
	in.brief_id = *bulk_brief;
	for (i = 0; i < BULK; i++) {
		snprintf(body, sizeof body, "tagline %d", i);
		in.body = body;
		if (store_candidate_add(st, &in, &id) != 0)
			fatal("%s", store_errmsg(st));
	}
	if (store_batch_end(st, 1) != 0)
		fatal("%s", store_errmsg(st));
	store_close(&st);
}

int main(int argc, char **argv)
{
	struct curator cur[CURATORS], cur2[CURATORS];
	struct runner run = { 0 };
	const char *tmp = getenv("TMPDIR"), *env = getenv("BENCH_TEAM_N");
	int64_t import_brief = 0, gen_brief = 0, first = 0, bulk_brief = 0;
	struct iface ui = { 0 };
	long n = argc > 1 ? atol(argv[1]) : env ? atol(env) : 800, i;
	char *pics, *copy, *db_path, line[512], more[512];
	double t_cp, t_cp_busy, t_import, t0, cp_max = 0, t_fp;
	int64_t fp_made = 0;
	const char *args[6];
	int out[2], rc;
	sqlite3 *db;
	FILE *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	lightbox = getenv("LIGHTBOX");
	if (lightbox == NULL)
		fatal("set LIGHTBOX to the lightbox program to measure");
	if (n < 1)
		fatal("N must be at least 1");
	snprintf(scratch, sizeof scratch, "%s/lb-team.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	snprintf(team_store, sizeof team_store, "%s/store", scratch);
	pics = xasprintf("%s/pictures", scratch);
	copy = xasprintf("%s/copy", scratch);
	mkdir(pics, 0777);
	printf("%ld pictures of %dx%d noise (%.1f MB each), %d curators, one runner; in %s\n", n, SIDE, SIDE,
	       (SIDE * (1 + 3.0 * SIDE) + 100) / 1e6, CURATORS, scratch);
	fflush(stdout);
	t0 = util_mono_ms();
	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/p%05ld.png", pics, i);
		write_noise_png(p, (uint64_t)i + 1);
		free(p);
	}
	setup_store(&import_brief, &gen_brief, &first, &bulk_brief);
	printf("made in %.1f s\n", (util_mono_ms() - t0) / 1000);

	/* The yardstick, same files, same run: before the team starts and
	 * again once it is done (a shared disk is noisy; the mean is used). */
	t_cp = cp_sync(pics, copy);

	/* The team at work while cp -r && sync copies the same files (the
	 * yardstick under the same load), then while lightbox imports them. */
	team_start(cur, &run, first, gen_brief);
	t_cp_busy = cp_sync(pics, copy);
	team_stop(cur, &run);
	for (i = 0; i < CURATORS; i++) {
		qsort(cur[i].lat, cur[i].n, sizeof *cur[i].lat, bench_cmp_d);
		if (cur[i].n && cur[i].lat[cur[i].n - 1] > cp_max)
			cp_max = cur[i].lat[cur[i].n - 1];
		free(cur[i].lat);
		free(cur[i].at);
	}
	team_start(cur, &run, first, gen_brief);
	/* The interface opens the bulk brief, marks all and asks to rate
	 * them 3; the confirming key goes as the import starts. */
	ui.brief = bulk_brief;
	pthread_create(&ui.th, NULL, interface, &ui);
	while (ui.ready == 0)
		usleep(10000);
	{
		char brief[24];
		snprintf(brief, sizeof brief, "%lld", (long long)import_brief);
		args[0] = "import";
		args[1] = pics;
		args[2] = "--brief";
		args[3] = brief;
		args[4] = NULL;
	}
	if (pipe2(out, O_CLOEXEC) < 0)
		fatal("pipe: %s", strerror(errno));
	t0 = util_mono_ms();
	{
		pid_t pid = spawn("importer", -1, out[1], -1, args);
		close(out[1]);
		atomic_store(&ui.go, 1);
		f = fdopen(out[0], "r");
		line[0] = '\0';
		/* its summary: the "Imported ..." line (others may follow) */
		while (fgets(more, sizeof more, f))
			if (line[0] == '\0' || strncmp(more, "Imported", 8) == 0)
				memcpy(line, more, sizeof line);
		fclose(f);
		rc = wait_for(pid);
	}
	t_import = util_mono_ms() - t0;
	t_fp = wait_fingerprints(n, &fp_made) - t0 - t_import;
	pthread_join(ui.th, NULL); /* the team works on until the bulk change is done too */
	team_stop(cur, &run);
	/* The copy again after the import (a shared disk drifts): the mean of
	 * the two is the yardstick. */
	team_start(cur2, &run, first, gen_brief);
	t_cp_busy = (t_cp_busy + cp_sync(pics, copy)) / 2;
	team_stop(cur2, &run);
	for (i = 0; i < CURATORS; i++) {
		qsort(cur2[i].lat, cur2[i].n, sizeof *cur2[i].lat, bench_cmp_d);
		if (cur2[i].n && cur2[i].lat[cur2[i].n - 1] > cp_max)
			cp_max = cur2[i].lat[cur2[i].n - 1];
		free(cur2[i].lat);
		free(cur2[i].at);
	}

	printf("\nimport (exit %d): %s", rc, line);
	printf("import %.2f s against cp -r && sync %.2f s with the same team at work (the mean of a copy "
	       "before and one after the import): %.2fx (target <= 1.5x)\n",
	       t_import / 1000, t_cp_busy / 1000, t_import / t_cp_busy);
	printf("fingerprints of the imported pictures, made in the background after it returned: %lld of %ld, "
	       "%.2f s after the import\n",
	       (long long)fp_made, n, t_fp / 1000);
	printf("(cp -r && sync alone, before the team: %.2f s; the curators' worst commit during the copies: "
	       "%.1f ms)\n",
	       t_cp / 1000, cp_max);
	printf("\ncommit latency of `rate -` while the import and the bulk rating ran (targets: p99 < 50 ms, "
	       "max < 250 ms):\n");
	for (i = 0; i < CURATORS; i++) {
		/* sorted copies: at[] stays in the order sent */
		double *sorted = xmalloc((cur[i].n ? cur[i].n : 1) * sizeof *sorted);
		memcpy(sorted, cur[i].lat, cur[i].n * sizeof *sorted);
		qsort(sorted, cur[i].n, sizeof *sorted, bench_cmp_d);
		printf("  curator%ld: %5zu ratings, p50 %6.1f ms, p99 %7.1f ms, max %7.1f ms%s\n", i + 1, cur[i].n,
		       bench_pct(sorted, cur[i].n, 0.5), bench_pct(sorted, cur[i].n, 0.99),
		       cur[i].n ? sorted[cur[i].n - 1] : 0.0,
		       cur[i].failed ? " (some refused)" : "");
		if (cur[i].failed)
			printf("            %d ratings refused\n", cur[i].failed);
		free(sorted);
	}
	if (ui.why)
		printf("\nthe interface's bulk rating: FAILED: %s (%lld of %d rated)\n", ui.why, (long long)ui.rated,
		       BULK);
	else
		printf("\nthe interface's bulk rating of %d marked candidates (mark-all, 3, y), started with the import: "
		       "%.2f s from the key to the last rating in the store\n",
		       BULK, (ui.t_done - ui.t_enter) / 1000);
	printf("commit latency of `rate -` while the bulk rating ran (targets: p99 < 50 ms, max < 250 ms):\n");
	for (i = 0; i < CURATORS; i++) {
		double *w = xcalloc(cur[i].n ? cur[i].n : 1, sizeof *w);
		size_t k = 0, j;
		for (j = 0; j < cur[i].n; j++)
			if (cur[i].at[j] >= ui.t_enter && cur[i].at[j] <= ui.t_done)
				w[k++] = cur[i].lat[j];
		qsort(w, k, sizeof *w, bench_cmp_d);
		printf("  curator%ld: %5zu ratings, p50 %6.1f ms, p99 %7.1f ms, max %7.1f ms\n", i + 1, k,
		       bench_pct(w, k, 0.5), bench_pct(w, k, 0.99), k ? w[k - 1] : 0.0);
		free(w);
		free(cur[i].lat);
		free(cur[i].at);
	}

	db_path = xasprintf("%s/lightbox.db", team_store);
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		fatal("cannot open %s", db_path);
	sqlite3_busy_timeout(db, 10000);
	printf("\njobs: %d gen runs (%d exited non-zero); %lld done, %lld failed, "
	       "%lld lost (done without a candidate), %lld stuck (queued or running)\n",
	       run.runs, run.failed, (long long)q1(db, "SELECT count(*) FROM job WHERE state = 'done'"),
	       (long long)q1(db, "SELECT count(*) FROM job WHERE state = 'failed'"),
	       (long long)q1(db, "SELECT count(*) FROM job j WHERE state = 'done' AND NOT EXISTS "
				 "(SELECT 1 FROM candidate c WHERE c.job_id = j.id)"),
	       (long long)q1(db, "SELECT count(*) FROM job WHERE state IN ('queued', 'running')"));
	printf("candidates imported: %lld of %ld\n",
	       (long long)q1(db, "SELECT count(*) FROM candidate c JOIN brief b ON b.id = c.brief_id "
				 "WHERE b.title = 'Imported'"),
	       n);
	sqlite3_close(db);
	free(db_path);
	if (!getenv("BENCH_KEEP") || strcmp(getenv("BENCH_KEEP"), "1") != 0)
		nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(pics);
	free(copy);
	return 0;
}
