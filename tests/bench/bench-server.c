/*
 * bench-server.c - what the benches that talk HTTP share: starting
 * tests/backends/server.py on a free port.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/bench/bench-server.h"
#include "util.h"

pid_t bench_server(const char *image_bytes, int *port)
{
	int fd[2];
	pid_t pid;
	char line[64];
	FILE *f;
	char *script = xasprintf("%s/tests/backends/server.py", LB_SRCDIR);

	if (pipe(fd) < 0)
		fatal("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		/* Its own process group: a launcher script may run python as a child. */
		setpgid(0, 0);
		dup2(fd[1], 1);
		close(fd[0]);
		if (image_bytes)
			execlp(LB_PYTHON3, LB_PYTHON3, "-I", "-S", script, "--image-bytes", image_bytes, (char *)NULL);
		else
			execlp(LB_PYTHON3, LB_PYTHON3, "-I", "-S", script, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (f == NULL || fgets(line, sizeof line, f) == NULL || sscanf(line, "PORT %d", port) != 1)
		fatal("the test server did not start (%s)", script);
	fclose(f);
	free(script);
	return pid;
}

int bench_run(const char *const *argv, int show, double *mib, double *secs)
{
	struct rusage ru;
	double t0 = util_mono_ms();
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (!show) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	*secs = (util_mono_ms() - t0) / 1000;
	*mib = (double)ru.ru_maxrss / 1024;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void bench_server_control(int port, const char *mode, const char *arg, int every)
{
	char *cmd = xasprintf("import urllib.request, json; urllib.request.urlopen(urllib.request.Request("
			      "'http://127.0.0.1:%d/_control', json.dumps({'mode': '%s', 'arg': %s, 'every': %s})"
			      ".encode(), method='POST')).read()",
			      port, mode, arg ? arg : "None", every ? "True" : "False");
	const char *av[] = { LB_PYTHON3, "-I", "-S", "-c", cmd, NULL };
	double mib, secs;

	if (bench_run(av, 1, &mib, &secs) != 0)
		fatal("the test server did not take mode %s", mode);
	free(cmd);
}
