/*
 * editor.c - running the user's $VISUAL / $EDITOR on a file.
 */
#include "config.h"

#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *full;
	int found = 0;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		full = xasprintf("%s/%s", *dir ? dir : ".", prog);
		found = access(full, X_OK) == 0;
		free(full);
	}
	free(copy);
	return found;
}

int util_run_wait(char *const argv[], int in, int *status)
{
	struct sigaction ign, oint, oquit;
	pid_t pid;
	int e;

	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGWINCH, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (in >= 0 && dup2(in, 0) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	e = errno;
	if (pid > 0)
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	errno = e;
	return pid < 0 ? -1 : 0;
}

int util_run_editor(const char *editor, const char *path, char **err)
{
	const char *ed = editor && *editor ? editor : getenv("VISUAL");
	char *cmd, *argv[6];
	int status;

	*err = NULL;
	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0') {
		if (!in_path("vi")) {
			*err = xstrdup("no editor: set $VISUAL or $EDITOR (for example: export EDITOR=nano)");
			return -1;
		}
		ed = "vi";
	}
	cmd = xasprintf("%s \"$1\"", ed);
	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)"-c";
	argv[2] = cmd;
	argv[3] = (char *)"sh";
	argv[4] = (char *)path;
	argv[5] = NULL;
	if (util_run_wait(argv, -1, &status) != 0) {
		*err = xasprintf("cannot start the editor: %s", strerror(errno));
		free(cmd);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		free(cmd);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		*err = xasprintf("the editor '%s' was not found; set $VISUAL or $EDITOR to an editor you have", ed);
	else if (WIFEXITED(status))
		*err = xasprintf("the editor '%s' exited with status %d; nothing was saved", ed, WEXITSTATUS(status));
	else
		*err = xasprintf("the editor '%s' was killed by signal %d; nothing was saved", ed, WTERMSIG(status));
	free(cmd);
	return -1;
}
