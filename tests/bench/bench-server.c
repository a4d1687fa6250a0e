/*
 * bench-server.c - what the benches that talk HTTP share: starting
 * tests/backends/server.py on a free port.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
