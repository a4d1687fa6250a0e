/*
 * run.c - running a helper program (ffmpeg) the safe way: posix_spawn
 * with an argument vector (never a shell), stdin on /dev/null, standard
 * output streamed to a callback with a byte cap, standard error kept for
 * the message, a deadline after which the program is killed, and every
 * descriptor of ours closed on exec.
 */
#include "config.h"

#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decode-private.h"
#include "util.h"

extern char **environ;

/* Bytes of the program's standard error kept for the message. */
#define ERR_KEEP 512

const char *media_ffmpeg_program(void)
{
	const char *p = getenv("LIGHTBOX_FFMPEG");

	return p != NULL && *p != '\0' ? p : "ffmpeg";
}

/* The first line of a program's complaint, made printable. */
static char *first_line(const char *s, size_t n)
{
	size_t i = 0, end;
	struct sbuf b;

	while (i < n && (s[i] == '\n' || s[i] == '\r' || s[i] == ' '))
		i++;
	for (end = i; end < n && s[end] != '\n' && s[end] != '\r'; end++)
		;
	sb_init(&b);
	util_visible(&b, s + i, end - i, 0);
	return sb_steal(&b);
}

/* The executable argv0 names: itself when it holds a slash, else the
 * first match in $PATH.  Owned result, or NULL when there is none. */
static char *find_program(const char *argv0)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *exe;
	size_t n;

	if (strchr(argv0, '/') != NULL)
		return access(argv0, X_OK) == 0 ? xstrdup(argv0) : NULL;
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; ; p = colon + 1) {
		colon = strchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
		exe = xasprintf("%.*s/%s", (int)n, n ? p : ".", argv0);
		if (access(exe, X_OK) == 0)
			return exe;
		free(exe);
		if (colon == NULL)
			return NULL;
	}
}

static int spawn(const char *const argv[], pid_t *pid, int *out, int *errfd)
{
	char *exe = find_program(argv[0]);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	int op[2], ep[2], rc;

	if (exe == NULL)
		return ENOENT;
	if (pipe2(op, O_CLOEXEC) < 0) {
		free(exe);
		return errno;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		rc = errno;
		close(op[0]);
		close(op[1]);
		free(exe);
		return rc;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGQUIT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, exe, &fa, &at, (char *const *)argv, environ);
	free(exe);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(op[1]);
	close(ep[1]);
	if (rc != 0) {
		close(op[0]);
		close(ep[0]);
		return rc;
	}
	*out = op[0];
	*errfd = ep[0];
	return 0;
}

int media_run(const char *const argv[], int timeout_ms, size_t max_out,
	      int (*on_out)(void *ctx, const unsigned char *p, size_t n), void *ctx,
	      int *missing, char **err)
{
	unsigned char buf[65536];
	char errbuf[ERR_KEEP];
	size_t errlen = 0, sent = 0;
	struct pollfd pf[2];
	double deadline = util_mono_ms() + timeout_ms;
	int out = -1, efd = -1, rc, status = 0, stopped = 0, timed_out = 0;
	pid_t pid;
	ssize_t r;

	if (missing)
		*missing = 0;
	rc = spawn(argv, &pid, &out, &efd);
	if (rc != 0) {
		if (missing && (rc == ENOENT || rc == EACCES || rc == ENOTDIR))
			*missing = 1;
		if (rc == ENOENT)
			return media_err(err, "%s is not installed (not found in PATH)", argv[0]);
		return media_err(err, "cannot run %s: %s", argv[0], strerror(rc));
	}
	pf[0].fd = out;
	pf[1].fd = efd;
	pf[0].events = pf[1].events = POLLIN;
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		double left = deadline - util_mono_ms();
		int i;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		rc = poll(pf, 2, (int)left + 1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			break;
		for (i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(pf[i].fd, buf, sizeof buf);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				continue;
			}
			if (i == 1) {
				size_t k = (size_t)r < ERR_KEEP - errlen ? (size_t)r : ERR_KEEP - errlen;
				memcpy(errbuf + errlen, buf, k);
				errlen += k;
				continue;
			}
			if ((size_t)r > max_out - sent)
				r = (ssize_t)(max_out - sent);
			sent += (size_t)r;
			if ((r > 0 && on_out(ctx, buf, (size_t)r) != 0) || sent >= max_out) {
				stopped = 1;
				break;
			}
		}
		if (stopped)
			break;
	}
	if (stopped || timed_out)
		kill(pid, SIGKILL);
	if (pf[0].fd >= 0)
		close(pf[0].fd);
	if (pf[1].fd >= 0)
		close(pf[1].fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return media_err(err, "%s took longer than %d s and was stopped", argv[0],
				 timeout_ms / 1000);
	if (stopped)
		return 0;
	if (WIFSIGNALED(status))
		return media_err(err, "%s was killed by signal %d", argv[0], WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		char *line = first_line(errbuf, errlen);
		rc = media_err(err, "%s failed (exit status %d)%s%s", argv[0], WEXITSTATUS(status),
			       *line ? ": " : "", line);
		free(line);
		return rc;
	}
	return 0;
}
