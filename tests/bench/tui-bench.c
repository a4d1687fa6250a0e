/*
 * tui-bench.c - figures for the interface, measured through a real
 * terminal: a pseudo-terminal this program drives, as a user's terminal
 * would.
 *
 *  - a store with 1,000,000 candidates in one brief (built with SQLite
 *    directly: the CLI would take minutes);
 *  - time from starting `lightbox tui --brief 1` to the first full screen,
 *    and until the count "of 1000000" shows;
 *  - 2,000 keystrokes (next, rate, next, rate, ...): latency from writing a
 *    key to the end of the screen update it caused, median and 99th
 *    percentile;
 *  - resident memory of the interface;
 *  - a culling pass over 1,000 candidates (advance after rating; every
 *    tenth also tagged with completion): keystrokes and tool time per
 *    decision;
 *  - keystroke latency while the interface's job runner works: 20 jobs
 *    of 4 builtin 512x512 pictures for a second brief, queued in the
 *    store, made by the interface's own runner thread while next/previous
 *    keys go to the million-candidate list (which re-reads its window at
 *    every change); beside the idle figure above (it must never wait);
 *  - culling 1,000 pictures in 100 stacks: today's flow (the list: a
 *    rating, then j) against my queue (m: one key per decision).
 *
 * Usage: tui-bench LIGHTBOX [WORKDIR]   (prints figures; exit 1 on failure)
 * TUI_BENCH_SLOW=MS also prints every keystroke slower than MS;
 * TUI_BENCH_QUEUE_ONLY=1 measures only the cull of the stacks brief.
 * The end of a screen update is the last byte before the terminal has been
 * quiet for QUIET_MS; the latency counts to that last byte, not the quiet.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { N_CANDIDATES = 1000000, N_KEYS = 2000, N_CULL = 1000, QUIET_MS = 12, N_STARTS = 5, N_JOBS = 20,
       N_PER_JOB = 4, N_BUSY_KEYS = 4000, N_STACKS = 100 };

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tui-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void run(const char *cmd)
{
	if (system(cmd) != 0)
		die("failed: %s", cmd);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die("SQL failed: %s\n%s", err ? err : "?", sql);
}

/* The store: the CLI makes the project and brief (so the schema is the
 * real one), SQLite fills in a million candidates and some ratings. */
static double build_store(const char *lightbox, const char *dir)
{
	char *cmd, *db;
	sqlite3 *h;
	double t0 = now_ms();

	if (asprintf(&cmd,
		 "rm -rf '%s' && LIGHTBOX_STORE='%s' '%s' init >/dev/null && "
		 "LIGHTBOX_STORE='%s' '%s' project add 'Bench project' >/dev/null && "
		 "LIGHTBOX_STORE='%s' '%s' brief add --project 1 --title 'A million' --modality text "
		 "--prompt 'one line about the sea' >/dev/null && "
		 "LIGHTBOX_STORE='%s' '%s' brief add --project 1 --title 'Pictures' "
		 "--prompt 'harbour lights at dusk, plasma glow' >/dev/null",
		 dir, dir, lightbox, dir, lightbox, dir, lightbox, dir, lightbox) < 0 || asprintf(&db, "%s/lightbox.db", dir) < 0)
		die("out of memory");
	run(cmd);
	if (sqlite3_open(db, &h) != SQLITE_OK)
		die("cannot open %s", db);
	free(cmd);
	free(db);
	exec_sql(h, "PRAGMA synchronous=OFF; PRAGMA cache_size=-200000; BEGIN;"
		    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)"
		    " INSERT INTO candidate (brief_id, revision_id, modality, body, backend, model, seed, created)"
		    " SELECT 1, 1, 'text', 'The sea, line ' || i || ': grey water under a low sky, gulls.',"
		    " CASE i % 3 WHEN 0 THEN 'builtin' WHEN 1 THEN 'sdxl' ELSE 'local' END, 'm1',"
		    " (i * 7919) % 1000003, 1700000000 + i FROM n;"
		    /* every tenth rated by another curator */
		    "INSERT INTO rating (brief_id, candidate_id, curator, stars, flag, updated)"
		    " SELECT 1, id, 'bob', id % 6, CASE id % 7 WHEN 0 THEN 'pick' ELSE 'none' END, 1700000000"
		    " FROM candidate WHERE id % 10 = 0;"
		    "INSERT INTO tag (name, created) VALUES ('hero', 0), ('heron', 0), ('harbour', 0);"
		    "INSERT INTO candidate_tag (candidate_id, tag_id, curator, created)"
		    " SELECT id, 1, 'bob', 0 FROM candidate WHERE id % 1000 = 0;"
		    "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
	sqlite3_close(h);
	return now_ms() - t0;
}

/* ------------------------------------------------------------ the terminal */

struct term {
	int fd;
	pid_t pid;
	char *buf;       /* everything read since the last reset */
	size_t len, cap;
	double last;     /* when the last byte came */
	int answered;    /* the start-up DA1 was answered */
};

static void term_start_brief(struct term *t, const char *lightbox, const char *store, const char *home,
			     int baseline, const char *brief)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char *env_store, *env_home, *env_cfg, *envp[8];

	memset(t, 0, sizeof *t);
	t->pid = forkpty(&t->fd, NULL, NULL, &ws);
	if (t->pid < 0)
		die("forkpty: %s", strerror(errno));
	if (t->pid == 0) {
		if (asprintf(&env_store, "LIGHTBOX_STORE=%s", store) < 0 ||
		    asprintf(&env_home, "HOME=%s", home) < 0 ||
		    asprintf(&env_cfg, "XDG_CONFIG_HOME=%s/config", home) < 0)
			_exit(127);
		envp[0] = strdup("TERM=xterm-256color");
		envp[1] = strdup("LANG=C.UTF-8");
		envp[2] = strdup("LIGHTBOX_CURATOR=bench");
		envp[3] = env_store;
		envp[4] = env_home;
		envp[5] = env_cfg;
		envp[6] = strdup("PATH=/usr/bin:/bin");
		envp[7] = NULL;
		if (baseline) /* the cost of starting any program in a pty here */
			execle("/bin/true", "true", (char *)NULL, envp);
		execle(lightbox, lightbox, "tui", "--brief", brief, (char *)NULL, envp);
		_exit(127);
	}
	fcntl(t->fd, F_SETFL, O_NONBLOCK);
}

static void term_start(struct term *t, const char *lightbox, const char *store, const char *home, int baseline)
{
	term_start_brief(t, lightbox, store, home, baseline, "1");
}

/* Reads what is there within timeout ms; returns bytes read. */
static size_t term_read(struct term *t, int timeout)
{
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	char chunk[65536];
	size_t total = 0;
	ssize_t n;

	if (poll(&p, 1, timeout) <= 0)
		return 0;
	while ((n = read(t->fd, chunk, sizeof chunk)) > 0) {
		if (t->len + (size_t)n + 1 > t->cap) {
			t->cap = (t->len + (size_t)n + 1) * 2;
			t->buf = realloc(t->buf, t->cap);
			if (t->buf == NULL)
				die("out of memory");
		}
		/* Answer the start-up questions as xterm without sixel does: the
		 * cell size, then DA1 (the probe's fence).  A terminal that
		 * answers nothing costs probe-timeout; every real one answers. */
		if (!t->answered && (memmem(chunk, (size_t)n, "\033[c", 3) || memmem(chunk, (size_t)n, "\033[0c", 4))) {
			static const char ans[] = "\033[6;20;10t\033[?62;22c";
			if (write(t->fd, ans, sizeof ans - 1) < 0)
				die("answering the terminal queries: %s", strerror(errno));
			t->answered = 1;
		}
		memcpy(t->buf + t->len, chunk, (size_t)n);
		t->len += (size_t)n;
		t->buf[t->len] = '\0';
		total += (size_t)n;
		t->last = now_ms();
	}
	return total;
}

/* Waits until the output holds every needle; returns when the last one
 * arrived, or -1 after timeout_ms. */
static double term_wait(struct term *t, const char *const *needles, int timeout_ms)
{
	double end = now_ms() + timeout_ms;
	int i, all;

	for (;;) {
		all = 1;
		for (i = 0; needles[i] && all; i++)
			all = t->buf && strstr(t->buf, needles[i]) != NULL;
		if (all)
			return t->last;
		if (now_ms() > end)
			return -1;
		term_read(t, 10);
	}
}

static void term_reset(struct term *t)
{
	t->len = 0;
	if (t->buf)
		t->buf[0] = '\0';
}

/* Writes a key, then reads until the terminal is quiet: the latency is
 * from the write to the last byte of the update (-1 if nothing came). */
static double key(struct term *t, const char *bytes)
{
	double sent;
	size_t got = 0;

	term_reset(t);
	sent = now_ms();
	if (write(t->fd, bytes, strlen(bytes)) < 0)
		die("write: %s", strerror(errno));
	/* The first bytes may take a while; after that, quiet means done. */
	got = term_read(t, 2000);
	if (got == 0)
		return -1;
	while (term_read(t, QUIET_MS) > 0)
		;
	return t->last - sent;
}

static long rss_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, strlen(field)) == 0)
			v = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(f);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

/* One number from the store, through the sqlite3 program. */
static int sql_count(const char *store, const char *query)
{
	char cmd[2048];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof cmd, "sqlite3 '%s/lightbox.db' \"%s\"", store, query);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

static void term_quit(struct term *t)
{
	int status;

	if (write(t->fd, "Q", 1) < 0)
		kill(t->pid, SIGTERM);
	for (int i = 0; i < 100 && waitpid(t->pid, &status, WNOHANG) == 0; i++)
		term_read(t, 20);
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &status, 0);
	close(t->fd);
	free(t->buf);
}

/* A third brief of N_CULL pictures in N_STACKS stacks of near-copies
 * (fingerprints written directly: the files need not exist, nothing is
 * decoded), for the queue against today's flow. */
static void build_stacks(const char *lightbox, const char *dir)
{
	char *cmd, *db;
	sqlite3 *h;
	sqlite3_stmt *s;
	uint64_t x = 0x9e3779b97f4a7c15ULL, base = 0;
	int i;

	if (asprintf(&cmd, "LIGHTBOX_STORE='%s' '%s' brief add --project 1 --title 'Stacks' "
			   "--prompt 'rerolls of one harbour' >/dev/null", dir, lightbox) < 0 ||
	    asprintf(&db, "%s/lightbox.db", dir) < 0)
		die("out of memory");
	run(cmd);
	free(cmd);
	if (sqlite3_open(db, &h) != SQLITE_OK)
		die("cannot open %s", db);
	free(db);
	exec_sql(h, "BEGIN;");
	if (sqlite3_prepare_v2(h, "INSERT INTO fingerprint (asset_id, fp, error, made) VALUES (?, ?, '', 0)", -1,
			       &s, NULL) != SQLITE_OK)
		die("prepare: %s", sqlite3_errmsg(h));
	for (i = 1; i <= N_CULL; i++) {
		char sql[512];

		snprintf(sql, sizeof sql,
			 "INSERT INTO asset (id, sha256, media_type, ext, bytes, width, height, created)"
			 " VALUES (%d, printf('%%064x', %d), 'image/png', 'png', 1000, 64, 64, 0);"
			 "INSERT INTO candidate (brief_id, revision_id, modality, asset_id, backend, created)"
			 " VALUES (3, (SELECT max(id) FROM brief_revision WHERE brief_id = 3), 'image', %d,"
			 " 'bench', 1700000000 + %d);",
			 i, i, i, i);
		exec_sql(h, sql);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if ((i - 1) % (N_CULL / N_STACKS) == 0)
			base = x; /* a new stack */
		sqlite3_bind_int(s, 1, i);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)(base ^ ((uint64_t)1 << (x % 64))));
		if (sqlite3_step(s) != SQLITE_DONE)
			die("fingerprint: %s", sqlite3_errmsg(h));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	exec_sql(h, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
	sqlite3_close(h);
}

/* Culling the stacks brief: today's flow (the list, rate then j: the
 * default has advance-after-rate off) against my queue (m, then one key
 * per decision).  Keystrokes and tool time per decision; decisions per
 * minute at the tool's speed. */
static void queue_phase(const char *lightbox, const char *store, const char *home)
{
	static const char *const list_open[] = { "[candidates]", NULL };
	static const char *const queue_open[] = { "queue]", NULL }; /* ncurses keeps the "[" */
	struct term t;
	double tool, wall0, wall;
	int i, keys, flow;
	char cmd[2200];

	for (flow = 0; flow < 2; flow++) {
		snprintf(cmd, sizeof cmd, "sqlite3 '%s/lightbox.db' \"DELETE FROM rating WHERE brief_id = 3\"", store);
		run(cmd);
		term_start_brief(&t, lightbox, store, home, 0, "3");
		if (term_wait(&t, list_open, 10000) < 0)
			die("the stacks brief did not open");
		while (term_read(&t, 100) > 0)
			;
		if (flow == 1) {
			term_reset(&t);
			if (write(t.fd, "m", 1) < 0 || term_wait(&t, queue_open, 10000) < 0)
				die("the queue did not open");
			/* the worker groups the brief: until the screen rests */
			while (term_read(&t, 1000) > 0)
				;
		}
		tool = 0;
		keys = 0;
		wall0 = now_ms();
		for (i = 0; i < N_CULL; i++) {
			char k[2] = { (char)('1' + (i * 7) % 5), 0 };
			double l = key(&t, k);

			tool += l > 0 ? l : 0;
			keys++;
			if (flow == 0) {
				l = key(&t, "j");
				tool += l > 0 ? l : 0;
				keys++;
			}
		}
		wall = now_ms() - wall0;
		term_quit(&t);
		printf("  %s: %d candidates in %d stacks, %.2f keystrokes per decision,\n"
		       "    tool time %.2f ms per decision; scripted: %.0f decisions per minute (%.1f ms wall each,\n"
		       "    with the %d ms quiet wait per key); %d rated\n",
		       flow ? "my queue (m)" : "today's flow (the list: rate, j)", N_CULL, N_STACKS,
		       (double)keys / N_CULL, tool / N_CULL, 60000.0 * N_CULL / wall, wall / N_CULL, QUIET_MS,
		       sql_count(store, "SELECT count(*) FROM rating WHERE brief_id = 3 AND curator = 'bench'"));
	}
}

int main(int argc, char **argv)
{
	const char *lightbox, *work;
	char store[1024], home[1024], cmd[4200];
	struct term t, base;
	double build, t0, first, counted, lat[N_KEYS], sum = 0, cull_time = 0, wall0, wall;
	double starts[N_STARTS], counts[N_STARTS], spawn[N_STARTS];
	char load[64] = "";
	FILE *lf;
	static const char *const first_screen[] = { "[candidates]", "999981", NULL };
	static const char *const count_shown[] = { "of 1000000", NULL };
	int i, nlat = 0, keys = 0, timeouts = 0, made, done, left;
	double idle_median, idle_p99;
	struct stat sb;

	if (argc < 2)
		die("usage: tui-bench LIGHTBOX [WORKDIR]");
	lightbox = argv[1];
	work = argc > 2 ? argv[2] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (stat(lightbox, &sb) != 0)
		die("no lightbox at %s", lightbox);
	snprintf(store, sizeof store, "%s/lightbox-tui-bench", work);
	snprintf(home, sizeof home, "%s/lightbox-tui-bench-home", work);
	snprintf(cmd, sizeof cmd,
		 "rm -rf '%s' && mkdir -p '%s/config'", home, home);
	run(cmd);

	lf = fopen("/proc/loadavg", "r");
	if (lf) {
		if (fgets(load, sizeof load, lf) == NULL)
			load[0] = '\0';
		load[strcspn(load, "\n")] = '\0';
		fclose(lf);
	}
	printf("tui bench: %d candidates in one brief, a pty of 80x24, TERM=xterm-256color\n"
	       "  (%ld CPUs, load average %s: figures include what else runs)\n",
	       N_CANDIDATES, sysconf(_SC_NPROCESSORS_ONLN), load);
	if (getenv("TUI_BENCH_QUEUE_ONLY")) { /* the queue's figures alone, without the million */
		const char *const steps[] = { "init", "project add 'Bench project'", "brief add --project 1 --title One",
					      "brief add --project 1 --title Two" };

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
		run(cmd);
		for (i = 0; i < 4; i++) {
			snprintf(cmd, sizeof cmd, "LIGHTBOX_STORE='%s' '%s' %s >/dev/null", store, lightbox, steps[i]);
			run(cmd);
		}
		build_stacks(lightbox, store);
		queue_phase(lightbox, store, home);
		snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", store, home);
		run(cmd);
		return 0;
	}
	build = build_store(lightbox, store);
	printf("  store built in %.1f s (SQLite directly)\n", build / 1000);

	/* Start five times; the first also warms the OS's file cache, as for
	 * any start after the first.  Reported: the median of the other four. */
	for (i = 0; i < N_STARTS; i++) {
		t0 = now_ms();
		term_start(&t, lightbox, store, home, 0);
		first = term_wait(&t, first_screen, 10000);
		counted = term_wait(&t, count_shown, 30000);
		if (first < 0)
			die("no first screen within 10 s");
		starts[i] = first - t0;
		counts[i] = counted > 0 ? counted - t0 : -1;
		if (i < N_STARTS - 1)
			term_quit(&t);
	}
	for (i = 0; i < N_STARTS - 1; i++) {
		int status;
		t0 = now_ms();
		term_start(&base, lightbox, store, home, 1);
		waitpid(base.pid, &status, 0);
		spawn[i] = now_ms() - t0;
		close(base.fd);
		free(base.buf);
	}
	qsort(starts + 1, N_STARTS - 1, sizeof starts[0], cmp_double);
	qsort(counts + 1, N_STARTS - 1, sizeof counts[0], cmp_double);
	qsort(spawn, N_STARTS - 1, sizeof spawn[0], cmp_double);
	printf("  start to first full screen: median %.1f ms, best %.1f ms of %d starts (target < 50 ms);\n"
	       "    of which starting any program in a pty takes %.1f ms here (/bin/true)\n",
	       pct(starts + 1, N_STARTS - 1, 0.5), starts[1], N_STARTS - 1, pct(spawn, N_STARTS - 1, 0.5));
	printf("  start to \"N of 1000000\" in the status line: median %.0f ms (counted in the background)\n",
	       pct(counts + 1, N_STARTS - 1, 0.5));
	while (term_read(&t, 100) > 0)
		;

	/* 2,000 keystrokes: next, rate, next, rate ... */
	for (i = 0; i < N_KEYS; i++) {
		char k[2] = { i % 2 == 0 ? 'j' : (char)('1' + (i / 2) % 5), 0 };
		double l = key(&t, k);
		if (getenv("TUI_BENCH_SLOW") && l > atof(getenv("TUI_BENCH_SLOW")))
			printf("    slow key %d (%s): %.2f ms\n", i, k, l);
		if (l < 0)
			timeouts++;
		else
			lat[nlat++] = l;
	}
	qsort(lat, (size_t)nlat, sizeof lat[0], cmp_double);
	printf("  %d keystrokes (next, rate, ...): latency median %.2f ms, p99 %.2f ms, max %.2f ms"
	       " (targets: median < 2 ms, p99 < 10 ms)%s\n",
	       N_KEYS, pct(lat, nlat, 0.5), pct(lat, nlat, 0.99), lat[nlat - 1],
	       timeouts ? " -- some keys drew nothing!" : "");
	printf("  resident memory: %.1f MB now, %.1f MB peak (target < 30 MB)\n", rss_kb(t.pid, "VmRSS:") / 1024.0,
	       rss_kb(t.pid, "VmHWM:") / 1024.0);

	/* The culling pass: advance after rating; every tenth also tagged
	 * "hero" by typing "he", Tab, Enter. */
	key(&t, "g");
	key(&t, "A");
	wall0 = now_ms();
	for (i = 0; i < N_CULL; i++) {
		char k[2] = { (char)('0' + (i * 7) % 6), 0 };
		double l;
		if (i % 10 == 0) {
			const char *seq[] = { "t", "h", "e", "\t", "\r" };
			for (int s = 0; s < 5; s++) {
				l = key(&t, seq[s]);
				cull_time += l > 0 ? l : 0;
				keys++;
			}
		}
		l = key(&t, k);
		cull_time += l > 0 ? l : 0;
		keys++;
		sum += l;
	}
	wall = now_ms() - wall0;
	printf("  culling pass over %d candidates (rate and advance; every tenth tagged with completion):\n"
	       "    %.2f keystrokes per decision, tool time %.2f ms per decision (%.1f ms wall per decision,"
	       " with the %d ms quiet wait per key)\n",
	       N_CULL, (double)keys / N_CULL, cull_time / N_CULL, wall / N_CULL, QUIET_MS);

	/* Keys while the runner works: a teammate's script queues picture
	 * jobs for the curator (rows in the store, as `lightbox` would), the
	 * interface's runner makes them, and j/k are pressed until it is done. */
	idle_median = pct(lat, nlat, 0.5);
	idle_p99 = pct(lat, nlat, 0.99);
	snprintf(cmd, sizeof cmd,
		 "sqlite3 '%s/lightbox.db' \"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		 " INSERT INTO job (brief_id, revision_id, kind, backend, params, curator, created)"
		 " SELECT 2, (SELECT max(id) FROM brief_revision WHERE brief_id = 2), 'generate', 'builtin',"
		 " '{\\\"count\\\": %d, \\\"seed_mode\\\": \\\"step\\\", \\\"seed\\\": ' || (i * 100) || ',"
		 " \\\"set\\\": {}}', 'bench', strftime('%%s', 'now') FROM n\"",
		 store, N_JOBS, N_PER_JOB);
	run(cmd);
	nlat = timeouts = 0;
	wall0 = now_ms();
	/* Only keys sent while jobs were left count; the store is asked
	 * between keys (outside the measured time) every ten keys. */
	for (i = 0, left = 1; i < N_BUSY_KEYS && left > 0; i++) {
		double l = key(&t, i % 2 == 0 ? "j" : "k");
		if (l < 0)
			timeouts++;
		else
			lat[nlat++] = l;
		if (i % 10 == 9)
			left = sql_count(store, "SELECT count(*) FROM job WHERE state IN ('queued', 'running')");
	}
	wall = now_ms() - wall0;
	made = sql_count(store, "SELECT count(*) FROM candidate WHERE job_id IS NOT NULL");
	done = sql_count(store, "SELECT count(*) FROM job WHERE state = 'done'");
	qsort(lat, (size_t)nlat, sizeof lat[0], cmp_double);
	printf("  %d keystrokes (next, previous) in %.1f s while the runner made %d candidates (%d of %d jobs\n"
	       "    done; builtin 512x512 pictures, %d each, of another brief): latency median %.2f ms, p99 %.2f ms,\n"
	       "    max %.2f ms; idle above: median %.2f ms, p99 %.2f ms%s\n",
	       nlat, wall / 1000, made, done, N_JOBS, N_PER_JOB, pct(lat, nlat, 0.5), pct(lat, nlat, 0.99),
	       nlat ? lat[nlat - 1] : -1, idle_median, idle_p99, timeouts ? " -- some keys drew nothing!" : "");
	term_quit(&t);
	build_stacks(lightbox, store);
	queue_phase(lightbox, store, home);
	snprintf(cmd, sizeof cmd,
		 "test \"$(sqlite3 '%s/lightbox.db' \"SELECT count(*) FROM rating WHERE curator = 'bench'\")\" -ge %d",
		 store, N_CULL);
	if (system(cmd) != 0)
		printf("  warning: the store does not hold the culling pass's ratings\n");
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", store, home);
	run(cmd);
	return 0;
}
