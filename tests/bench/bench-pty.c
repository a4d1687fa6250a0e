/*
 * bench-pty.c - a pseudo-terminal the benches drive (see bench-pty.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/bench/bench-pty.h"

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

double term_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void term_start(struct term *t, char *const *argv, char *const *envp, int rows, int cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	memset(t, 0, sizeof *t);
	t->pid = forkpty(&t->fd, NULL, NULL, &ws);
	if (t->pid < 0)
		die("forkpty");
	if (t->pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	fcntl(t->fd, F_SETFL, O_NONBLOCK);
}

void term_start_lightbox(struct term *t, char *const *argv, const char *store, const char *home,
			 const char *curator, int rows, int cols)
{
	char *envp[8];
	int i;

	if (asprintf(&envp[2], "LIGHTBOX_CURATOR=%s", curator) < 0 ||
	    asprintf(&envp[3], "LIGHTBOX_STORE=%s", store) < 0 || asprintf(&envp[4], "HOME=%s", home) < 0 ||
	    asprintf(&envp[5], "XDG_CONFIG_HOME=%s/config", home) < 0)
		die("out of memory");
	envp[0] = (char *)"TERM=xterm-256color";
	envp[1] = (char *)"LANG=C.UTF-8";
	envp[6] = (char *)"PATH=/usr/bin:/bin";
	envp[7] = NULL;
	term_start(t, argv, envp, rows, cols);
	for (i = 2; i <= 5; i++)
		free(envp[i]);
}

size_t term_read(struct term *t, int timeout)
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
				die("answering the terminal queries");
			t->answered = 1;
		}
		memcpy(t->buf + t->len, chunk, (size_t)n);
		t->len += (size_t)n;
		t->buf[t->len] = '\0';
		total += (size_t)n;
		t->last = term_now_ms();
	}
	return total;
}

double term_wait(struct term *t, const char *const *needles, int timeout_ms)
{
	double end = term_now_ms() + timeout_ms;
	int i, all;

	for (;;) {
		all = 1;
		for (i = 0; needles[i] && all; i++)
			all = t->buf && strstr(t->buf, needles[i]) != NULL;
		if (all)
			return t->last;
		if (term_now_ms() > end)
			return -1;
		term_read(t, 10);
	}
}

void term_reset(struct term *t)
{
	t->len = 0;
	if (t->buf)
		t->buf[0] = '\0';
}

double term_key(struct term *t, const char *bytes, int quiet_ms)
{
	double sent;

	term_reset(t);
	sent = term_now_ms();
	if (write(t->fd, bytes, strlen(bytes)) < 0)
		die("write to the terminal");
	/* The first bytes may take a while; after that, quiet means done. */
	if (term_read(t, 2000) == 0)
		return -1;
	while (term_read(t, quiet_ms) > 0)
		;
	return t->last - sent;
}

void term_quit(struct term *t)
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

uint64_t bench_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int bench_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return n ? v[i < n ? i : n - 1] : 0;
}
