/*
 * bench-text.c - `make bench`: huge generated text, measured as `lightbox`
 * processes (peak resident memory from wait4, seconds):
 *   - an exec backend printing 300 MB on stdout (max-reply=512: kept as an
 *     asset), and the same under the default max-reply (cut: the job fails);
 *   - an exec backend printing 10 MB on stderr;
 *   - an OpenAI chat reply of 200 MiB of text (tests/backends/server.py);
 *   - `candidate ls` of the store afterwards, and the database's size;
 *   - the interface on that brief (in a pty): time to its first frame, and
 *     peak memory after paging through the 200 MiB text in the preview and
 *     the zoom.
 * No assertions: figures only.
 *
 *   tests/bench/bench-text [LIGHTBOX [MB]]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pty.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/bench/bench-server.h"
#include "util.h"

static const char *lightbox;
static char dir[] = "/tmp/lightbox-bench-text.XXXXXX";

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void lb(const char *what, const char *a1, const char *a2, const char *a3, const char *a4)
{
	const char *argv[] = { lightbox, a1, a2, a3, a4, NULL };
	double mib, secs;
	int rc = bench_run(argv, 0, &mib, &secs);

	printf("%-48s %8.1f s %8.1f MiB peak RSS  (exit %d)\n", what, secs, mib, rc);
	fflush(stdout);
}

static void db_size(void)
{
	char *p = xasprintf("%s/store/lightbox.db", dir);
	struct stat sb;

	if (stat(p, &sb) == 0)
		printf("%-48s %8.1f MiB\n", "database size", (double)sb.st_size / (1 << 20));
	free(p);
}

static void write_file(const char *name, const char *text, int exec)
{
	char *p = xasprintf("%s/%s", dir, name);

	if (util_write_atomic(p, text, strlen(text)) < 0)
		fatal("cannot write %s: %s", p, strerror(errno));
	if (exec)
		chmod(p, 0755);
	free(p);
}

/* Reads the pty until `want` has been seen (0), or, want NULL, until it
 * has been quiet for 100 ms; -1 after 30 s or at its end. */
static int pty_until(int fd, const char *want)
{
	char buf[65536 + 128];
	size_t keep = 0;
	double t0 = util_mono_ms();

	while (util_mono_ms() - t0 < 30000) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, want ? 200 : 100) <= 0) {
			if (want == NULL)
				return 0;
			continue;
		}
		n = read(fd, buf + keep, 65536);
		if (n <= 0)
			return -1;
		n += (ssize_t)keep;
		buf[n] = '\0';
		/* Answer the terminal probe (DA1) as a plain xterm. */
		if (memmem(buf, (size_t)n, "\033[c", 3) && write(fd, "\033[?62;22c", 10) < 0)
			return -1;
		if (want && memmem(buf, (size_t)n, want, strlen(want)))
			return 0;
		/* A needle split between two reads is still found. */
		keep = n > 64 ? 64 : (size_t)n;
		memmove(buf, buf + n - keep, keep);
	}
	return -1;
}

static void send_keys(int fd, const char *keys, int times)
{
	int i;

	for (i = 0; i < times; i++) {
		if (write(fd, keys, strlen(keys)) < 0)
			return;
		pty_until(fd, NULL);
	}
}

/* The interface on brief 2 with the 200 MiB text at the top. */
static void interface(void)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	struct rusage ru;
	double t0 = util_mono_ms(), first;
	int fd, status;
	pid_t pid = forkpty(&fd, NULL, NULL, &ws);

	if (pid < 0)
		fatal("forkpty: %s", strerror(errno));
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		execlp(lightbox, lightbox, "tui", "--brief", "2", (char *)NULL);
		_exit(127);
	}
	if (pty_until(fd, "[candidates]") < 0)
		fatal("the interface did not draw its list");
	first = (util_mono_ms() - t0) / 1000;
	send_keys(fd, "}", 30);
	send_keys(fd, "z", 1);
	send_keys(fd, "}", 30);
	send_keys(fd, "q", 1);
	send_keys(fd, "Q", 1);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	close(fd);
	printf("%-48s %8.3f s %8.1f MiB peak RSS  (exit %d)\n", "interface: first frame; paging 60 times, zoom", first,
	       (double)ru.ru_maxrss / 1024, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

int main(int argc, char **argv)
{
	long mb = argc > 2 ? atol(argv[2]) : 300;
	char *conf, *t;
	double mib, secs;
	int port;
	pid_t server;

	lightbox = argc > 1 ? argv[1] : "./lightbox";
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	t = xasprintf("%s/store", dir);
	setenv("LIGHTBOX_STORE", t, 1);
	free(t);
	setenv("XDG_CONFIG_HOME", dir, 1);
	t = xasprintf("%s/lightbox", dir);
	util_mkdir_p(t);
	free(t);
	server = bench_server(NULL, &port);
	t = xasprintf("#!/bin/sh\nhead -c %ld /dev/zero | tr '\\0' a\n", mb * 1000000);
	write_file("stdout", t, 1);
	free(t);
	write_file("stderr", "#!/bin/sh\nhead -c 10000000 /dev/zero | tr '\\0' e >&2\nprintf ok\n", 1);
	conf = xasprintf("backend big type=exec modality=text max-reply=512 command=%s/stdout timeout=600\n"
			 "backend cut type=exec modality=text command=%s/stdout timeout=600\n"
			 "backend noisy type=exec modality=text command=%s/stderr\n"
			 "backend oa type=openai url=http://127.0.0.1:%d/v1 model=m modality=text max-reply=512 "
			 "timeout=600\nset probe-timeout 0\n",
			 dir, dir, dir, port);
	write_file("lightbox/config", conf, 0);
	free(conf);
	lb("init", "init", NULL, NULL, NULL);
	lb("project add", "project", "add", "bench", NULL);
	lb("brief add", "brief", "add", "--project=1", "--title=t");
	{
		const char *av[] = { lightbox, "brief", "add", "--project", "1", "--title", "text", "--modality",
			       "text", "--prompt", "a long story", NULL };
		bench_run(av, 0, &mib, &secs);
	}
	t = xasprintf("exec: %ld MB on stdout, kept (max-reply=512)", mb);
	lb(t, "gen", "2", "--backend", "big");
	free(t);
	t = xasprintf("exec: %ld MB on stdout, cut at max-reply 256", mb);
	lb(t, "gen", "2", "--backend", "cut");
	free(t);
	lb("exec: 10 MB on stderr", "gen", "2", "--backend", "noisy");
	t = xasprintf("%d", 200 << 20);
	bench_server_control(port, "bigtext", t, 0);
	free(t);
	lb("openai: a 200 MiB text reply", "gen", "2", "--backend", "oa");
	lb("candidate ls afterwards", "candidate", "ls", "--all", NULL);
	db_size();
	interface();
	kill(-server, SIGTERM);
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
