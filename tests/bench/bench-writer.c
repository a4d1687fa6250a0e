/*
 * bench-writer.c - a bulk rating of N marked candidates (default 20,000)
 * while another curator rates one candidate every 50 ms through his own
 * process: the other curator's commit latency (p50, p99, max) and the
 * bulk change's time, for the bulk done as one transaction (lightbox
 * before the writer thread) and through the interface's writer thread
 * (tui/writer.c: chunks in one undo group, pauses between them).  Also
 * how long the interface's thread spent handing the bulk change over.
 * Prints figures; asserts nothing.
 *
 *   tests/bench/bench-writer [N]
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "tui/tui-private.h"
#include "util.h"

enum { CURATOR_EVERY_MS = 50 };

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench-writer: %s: %s\n", what, msg);
	exit(1);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The other curator: rates until stopped (SIGTERM), then writes p50,
 * p99 and max of his commit latencies (ms) and their count to fd. */
static volatile sig_atomic_t stop_curator;

static void on_term(int sig)
{
	(void)sig;
	stop_curator = 1;
}

static void curator(const char *dir, long n, int fd)
{
	struct store_options o;
	struct store *st;
	char *err = NULL;
	double *lat = NULL, t0, fig[4];
	size_t k = 0, cap = 0;
	long i = 0;
	ssize_t w;

	signal(SIGTERM, on_term);
	memset(&o, 0, sizeof o);
	o.curator = "bob";
	if (store_open(dir, &o, &st, &err) != 0)
		die("curator", err);
	while (!stop_curator) {
		t0 = util_mono_ms();
		if (store_rate(st, 1 + (i * 7919) % n, (int)(i % 5) + 1) != 0)
			die("curator rate", store_errmsg(st));
		if (k == cap) {
			cap = cap ? cap * 2 : 256;
			lat = xrealloc(lat, cap * sizeof *lat);
		}
		lat[k++] = util_mono_ms() - t0;
		i++;
		usleep(CURATOR_EVERY_MS * 1000);
	}
	qsort(lat, k, sizeof *lat, cmp_d);
	fig[0] = k ? lat[k / 2] : 0;
	fig[1] = k ? lat[(size_t)((double)(k - 1) * 0.99)] : 0;
	fig[2] = k ? lat[k - 1] : 0;
	fig[3] = (double)k;
	w = write(fd, fig, sizeof fig);
	(void)w;
	free(lat);
	store_close(&st);
	_exit(0);
}

static pid_t start_curator(const char *dir, long n, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		die("pipe", "failed");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		curator(dir, n, p[1]);
	}
	close(p[1]);
	*rfd = p[0];
	usleep(200 * 1000); /* a few ratings before the bulk change */
	return pid;
}

static void end_curator(pid_t pid, int rfd, const char *what, double bulk_ms)
{
	double fig[4] = { 0 };
	ssize_t r;

	usleep(200 * 1000);
	kill(pid, SIGTERM);
	r = read(rfd, fig, sizeof fig);
	(void)r;
	close(rfd);
	waitpid(pid, NULL, 0);
	printf("%-34s bulk %8.0f ms   other curator: p50 %6.1f ms  p99 %7.1f ms  max %7.1f ms  (%0.f ratings)\n",
	       what, bulk_ms, fig[0], fig[1], fig[2], fig[3]);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000, i;
	char tmpl[] = "/tmp/lb-bench-writer.XXXXXX", *dir, *sql, *err = NULL;
	struct store_options o;
	struct lb_brief_fields f;
	struct store *st;
	struct tui ui;
	struct wr_op *op;
	struct pollfd pfd;
	int64_t project, brief;
	sqlite3 *db;
	pid_t pid;
	int rfd, wake[2], rc;
	double t0, handed;
	char buf[64];

	dir = mkdtemp(tmpl);
	if (dir == NULL || n < 1)
		die("setup", "cannot make a temporary folder");
	memset(&o, 0, sizeof o);
	o.create = 1;
	o.curator = "alice";
	if (store_open(dir, &o, &st, &err) != 0)
		die("open", err);
	memset(&f, 0, sizeof f);
	f.title = (char *)"bench";
	f.modality = LB_TEXT;
	f.prompt = (char *)"lines";
	f.params = (char *)"{}";
	if (store_project_add(st, "bench", "", &project) != 0 || store_brief_add(st, project, &f, &brief) != 0)
		die("setup", store_errmsg(st));
	store_close(&st);
	sql = xasprintf("%s/lightbox.db", dir);
	if (sqlite3_open(sql, &db) != SQLITE_OK)
		die("sqlite", sql);
	free(sql);
	sql = xasprintf("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld)"
			" INSERT INTO candidate (brief_id, revision_id, modality, body, backend, created)"
			" SELECT %lld, (SELECT revision_id FROM brief WHERE id = %lld), 'text', 'line ' || i,"
			" 'builtin', 1700000000 + i FROM n",
			n, (long long)brief, (long long)brief);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die("candidates", err);
	free(sql);
	sqlite3_close(db);
	printf("bulk rating of %ld candidates; another curator rates one every %d ms meanwhile\n", n,
	       CURATOR_EVERY_MS);

	/* Before: one transaction on the interface's thread. */
	if (store_open(dir, &o, &st, &err) != 0)
		die("open", err);
	pid = start_curator(dir, n, &rfd);
	t0 = util_mono_ms();
	rc = store_batch_begin(st, "rate 3 (bench)");
	for (i = 1; i <= n && rc == 0; i++)
		rc = store_rate(st, i, 3);
	if (store_batch_end(st, rc == 0) != 0 || rc != 0)
		die("one transaction", store_errmsg(st));
	end_curator(pid, rfd, "one transaction (before)", util_mono_ms() - t0);
	store_close(&st);

	/* Now: the interface's writer thread. */
	memset(&ui, 0, sizeof ui);
	if (pipe(wake) != 0)
		die("pipe", "failed");
	ui.wr = wr_new(dir, "alice", wake[1]);
	pid = start_curator(dir, n, &rfd);
	t0 = util_mono_ms();
	op = wr_op_new(WR_RATE, "rate 4 (bench)");
	op->value = 4;
	op->bulk = 1;
	for (i = 1; i <= n; i++)
		wr_op_add_id(op, i);
	wr_submit(&ui, op);
	handed = util_mono_ms() - t0;
	pfd.fd = wake[0];
	pfd.events = POLLIN;
	while (wr_queued(&ui) > 0) {
		if (poll(&pfd, 1, 1000) > 0 && read(wake[0], buf, sizeof buf) < 0)
			break;
		wr_collect(&ui);
	}
	wr_collect(&ui);
	end_curator(pid, rfd, "writer thread, chunks (now)", util_mono_ms() - t0);
	printf("the interface's thread spent %.1f ms handing the bulk change to the writer\n", handed);
	if (ui.nmsg > 0)
		printf("the writer said: %s\n", ui.msg[0]);
	rc = wr_free(&ui, &err);
	free(err);
	tui_msg_clear(&ui);
	close(wake[0]);
	close(wake[1]);
	sql = xasprintf("rm -rf '%s'", dir);
	if (system(sql) != 0)
		fprintf(stderr, "bench-writer: could not remove %s\n", dir);
	free(sql);
	return 0;
}
