/*
 * bench-jobs.c - `make bench`: N generation jobs (default 1000) against the
 * local OpenAI-compatible test server answering 1 MiB pictures, run by
 * the runner in this process.  Prints candidates per second, megabytes
 * stored per second, peak resident memory, and the runner loop's longest
 * iteration (the hook for the interface's keystroke latency while jobs
 * run, which the TUI's bench measures).  Then a busy store: another
 * connection holds the write lock for 3 s while 20 jobs finish; prints
 * how long after the lock is freed their results land, the runner loop's
 * longest iteration meanwhile, and jobs lost or stuck.  No assertions:
 * figures only.
 *
 *   tests/bench/bench-jobs [N [BYTES]]
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "backends/backend.h"
#include "tests/bench/bench-server.h"
#include "util.h"

/* Queues n jobs of one candidate each into ids[]. */
static void queue_jobs(struct store *st, struct backend_registry *reg, int64_t brief, int64_t *ids, long n)
{
	struct backend_gen g;
	char *err = NULL;
	long i;

	memset(&g, 0, sizeof g);
	g.backend = "bench";
	g.count = 1;
	for (i = 0; i < n; i++)
		if (backend_submit(st, reg, brief, &g, &ids[i], &err) < 0)
			fatal("%s", err);
}

static struct runner *start_runner(const char *dir, struct backend_registry *reg)
{
	struct runner_options ro = { 0 };
	struct runner *r = NULL;
	char *err = NULL;

	ro.store_dir = dir;
	ro.curator = "bench";
	ro.reg = reg;
	ro.notify_fd = -1;
	if (runner_start(&ro, &r, &err) < 0)
		fatal("%s", err);
	return r;
}

/* 20 more jobs while another connection holds the write lock for 3 s. */
static void busy_phase(const char *dir, struct store *st, struct backend_registry *reg, int64_t brief)
{
	enum { N = 20 };
	struct runner *r;
	int64_t ids[N];
	char *path = xasprintf("%s/lightbox.db", dir), *err = NULL;
	sqlite3 *db;
	double t_free, t_saved, t_end, last, max;
	int i, done = 0, stuck = 0, unsaved;

	queue_jobs(st, reg, brief, ids, N);
	r = start_runner(dir, reg);
	/* Locked once the first jobs are in flight: their replies arrive
	 * while the store is busy. */
	while (runner_active(r) < 4)
		usleep(1000);
	if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_busy_timeout(db, 10000) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		fatal("cannot lock %s", path);
	usleep(3000000);
	unsaved = runner_unsaved(r);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	t_free = util_mono_ms();
	while (runner_unsaved(r) > 0)
		usleep(1000);
	t_saved = util_mono_ms();
	if (runner_wait(r, st, ids, N, -1, NULL, NULL, &err) != 0)
		fatal("%s", err ? err : "interrupted");
	t_end = util_mono_ms();
	runner_loop_stats(r, &last, &max);
	runner_stop(&r);
	for (i = 0; i < N; i++) {
		struct lb_job j;
		if (store_job_get(st, ids[i], &j) == 0) {
			done += j.state == LB_JOB_DONE && j.n_candidates == 1;
			stuck += j.state == LB_JOB_RUNNING;
		}
		lb_job_clear(&j);
	}
	printf("busy store:         %d jobs, write lock held 3 s by another connection with %d results waiting: "
	       "saved %.0f ms and all done %.0f ms after it was freed; runner loop's longest iteration %.0f ms; "
	       "%d lost, %d stuck\n",
	       N, unsaved, t_saved - t_free, t_end - t_free, max, N - done - stuck, stuck);
	free(path);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, bytes = argc > 2 ? atol(argv[2]) : 1L << 20;
	char tmpl[] = "/tmp/lightbox-bench.XXXXXX", *url, *err = NULL, bkt[16], size[24];
	struct store_options so = { 0 };
	struct store *st = NULL;
	struct backend_registry *reg = backend_registry_new();
	struct lb_brief_fields f;
	struct runner *r;
	struct rusage ru;
	int64_t pid_project, brief, *ids, ncand = 0;
	double t0, t1, t2, last, max;
	const char *keys[] = { "type", "url", "model", "concurrency", "retries" };
	const char *vals[5];
	int port;
	pid_t server;
	long i;

	if (n < 1 || bytes < 1000) {
		fprintf(stderr, "usage: bench-jobs [JOBS [BYTES]]\n");
		return 2;
	}
	if (mkdtemp(tmpl) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	snprintf(size, sizeof size, "%ld", bytes);
	server = bench_server(size, &port);
	url = xasprintf("http://127.0.0.1:%d/v1", port);
	vals[0] = "openai";
	vals[1] = url;
	vals[2] = "gpt-image-1";
	vals[3] = "4";
	vals[4] = "0";
	if (backend_registry_add(reg, "bench", 5, keys, vals, NULL, 0, &err) < 0)
		fatal("%s", err);
	so.create = 1;
	so.curator = "bench";
	if (store_open(tmpl, &so, &st, &err) != 0)
		fatal("%s", err);
	memset(&f, 0, sizeof f);
	f.title = (char *)"bench";
	f.prompt = (char *)"a lighthouse at dusk";
	f.negative = f.params = f.constraints = f.refs = f.backend = (char *)"";
	if (store_project_add(st, "bench", "", &pid_project) || store_brief_add(st, pid_project, &f, &brief))
		fatal("%s", store_errmsg(st));
	ids = xcalloc((size_t)n, sizeof *ids);
	t0 = util_mono_ms();
	queue_jobs(st, reg, brief, ids, n);
	t1 = util_mono_ms();
	r = start_runner(tmpl, reg);
	if (runner_wait(r, st, ids, (size_t)n, -1, NULL, NULL, &err) != 0)
		fatal("%s", err ? err : "interrupted");
	t2 = util_mono_ms();
	runner_loop_stats(r, &last, &max);
	runner_stop(&r);
	for (i = 0; i < n; i++) {
		struct lb_job j;
		if (store_job_get(st, ids[i], &j) == 0)
			ncand += j.n_candidates;
		lb_job_clear(&j);
	}
	getrusage(RUSAGE_SELF, &ru);
	snprintf(bkt, sizeof bkt, "%.1f", (double)bytes / 1048576);
	printf("jobs:               %ld queued in %.2f s (%.0f/s)\n", n, (t1 - t0) / 1000, n / ((t1 - t0) / 1000));
	printf("candidates:         %lld of %s MiB each in %.2f s\n", (long long)ncand, bkt, (t2 - t1) / 1000);
	printf("throughput:         %.1f candidates/s, %.1f MiB/s stored (concurrency 4, one local server)\n",
	       ncand / ((t2 - t1) / 1000), ncand * ((double)bytes / 1048576) / ((t2 - t1) / 1000));
	printf("peak resident:      %.1f MiB (this process: runner, store, replies)\n", ru.ru_maxrss / 1024.0);
	printf("runner loop:        longest iteration %.1f ms (hook for the TUI's keystroke latency bench)\n", max);
	busy_phase(tmpl, st, reg, brief);
	kill(-server, SIGTERM);
	waitpid(server, NULL, 0);
	store_close(&st);
	backend_registry_free(&reg);
	nftw(tmpl, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(ids);
	free(url);
	return 0;
}
