/*
 * backend-exec.c - a local command as a backend, e.g.
 *
 *   backend say type=exec modality=audio command="espeak-ng -w {out} {prompt}"
 *
 * The command template is split into words once, at configuration, and
 * never given to a shell: {prompt}, {negative}, {seed}, {width}, {height},
 * {out}, {n} and {init} are replaced inside the words as data, so a prompt
 * full of shell syntax stays one argument and is never executed.  The
 * program runs in a private folder under the store's cache (its current
 * directory), with stdin from /dev/null, in its own process group, killed
 * after timeout= seconds.  Every regular file it leaves there becomes a
 * candidate (checked by its bytes); for text, its standard output does
 * when it wrote no file.  Without {n} it runs once per candidate with
 * seed, seed+1, ...; with {n} once for all.
 */
#include "config.h"

#include "backends-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const struct bk_param params[] = {
	{ "width", BK_INT, 1, 16384, "passed as {width} (default 512)" },
	{ "height", BK_INT, 1, 16384, "passed as {height} (default 512)" },
	{ NULL, 0, 0, 0, NULL },
};

static const char *const settings[] = { "command", "ext", NULL };

static const char *const placeholders[] = { "prompt", "negative", "seed", "width", "height", "out", "n", "init",
					    NULL };

/* ------------------------------------------------------------ templates */

int bk_argv_split(const char *t, char ***words, char **err)
{
	struct sbuf w;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int inword = 0;

	*words = NULL;
	sb_init(&w);
	for (;;) {
		char ch = *t;

		if (ch == '\0' || ch == ' ' || ch == '\t' || ch == '\n') {
			if (inword) {
				if (n + 2 > cap) {
					cap = cap ? cap * 2 : 8;
					v = xrealloc(v, cap * sizeof *v);
				}
				v[n++] = sb_steal(&w);
				inword = 0;
			}
			if (ch == '\0')
				break;
			t++;
			continue;
		}
		inword = 1;
		if (ch == '\'') {
			const char *end = strchr(t + 1, '\'');
			if (end == NULL) {
				*err = xstrdup("the command has an unterminated ' quote");
				goto fail;
			}
			sb_add(&w, t + 1, (size_t)(end - t - 1));
			t = end + 1;
		} else if (ch == '"') {
			for (t++; *t && *t != '"'; t++) {
				if (*t == '\\' && (t[1] == '"' || t[1] == '\\'))
					t++;
				sb_addc(&w, *t);
			}
			if (*t != '"') {
				*err = xstrdup("the command has an unterminated \" quote");
				goto fail;
			}
			t++;
		} else if (ch == '\\' && t[1]) {
			sb_addc(&w, t[1]);
			t += 2;
		} else {
			sb_addc(&w, ch);
			t++;
		}
	}
	sb_free(&w);
	if (n == 0) {
		free(v);
		*err = xstrdup("the command is empty");
		return -1;
	}
	v[n] = NULL;
	*words = v;
	return 0;
fail:
	sb_free(&w);
	while (n > 0)
		free(v[--n]);
	free(v);
	return -1;
}

void bk_argv_free(char ***pv)
{
	char **v = *pv;
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
	*pv = NULL;
}

/* Checks each {name} in word; -1 (and where) at an unknown one. */
static int scan(const char *word, const char **bad, size_t *badlen)
{
	const char *p = word;

	while ((p = strchr(p, '{')) != NULL) {
		const char *end;
		size_t i, len;
		int known = 0;

		if (p[1] == '{') {
			p += 2;
			continue;
		}
		end = strchr(p, '}');
		len = end ? (size_t)(end - p - 1) : strlen(p + 1);
		for (i = 0; end && placeholders[i]; i++)
			if (strlen(placeholders[i]) == len && strncmp(placeholders[i], p + 1, len) == 0)
				known = 1;
		if (!known) {
			*bad = p;
			*badlen = end ? len + 2 : strlen(p);
			return -1;
		}
		p = end + 1;
	}
	return 0;
}

int bk_argv_check(char *const *words, char **err)
{
	const char *bad;
	size_t badlen, i;

	if (strchr(words[0], '{')) {
		*err = xstrdup("the program (the command's first word) cannot be a placeholder");
		return -1;
	}
	for (i = 1; words[i]; i++)
		if (scan(words[i], &bad, &badlen) < 0) {
			*err = xasprintf("unknown placeholder %.*s in the command — use {prompt}, {negative}, {seed}, "
					 "{width}, {height}, {out}, {n} or {init}; write {{ for a literal {",
					 (int)(badlen > 40 ? 40 : badlen), bad);
			return -1;
		}
	return 0;
}

int bk_argv_uses(char *const *words, const char *name)
{
	char *needle = xasprintf("{%s}", name);
	size_t i;
	int found = 0;

	for (i = 1; words[i] && !found; i++)
		found = strstr(words[i], needle) != NULL;
	free(needle);
	return found;
}

/* Whether p..end is the placeholder {name}. */
static int is_ph(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	return (size_t)(end - p - 1) == n && strncmp(p + 1, name, n) == 0;
}

char **bk_argv_expand(char *const *words, const struct bk_argv_vars *v)
{
	size_t n = 0, i;
	char **out;

	while (words[n])
		n++;
	out = xcalloc(n + 1, sizeof *out);
	out[0] = xstrdup(words[0]);
	for (i = 1; i < n; i++) {
		const char *p = words[i];
		struct sbuf b;

		sb_init(&b);
		while (*p) {
			const char *end;

			if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
				sb_addc(&b, *p);
				p += 2;
				continue;
			}
			if (*p != '{' || (end = strchr(p, '}')) == NULL) {
				sb_addc(&b, *p++);
				continue;
			}
			if (is_ph(p, end, "prompt"))
				sb_adds(&b, v->prompt ? v->prompt : "");
			else if (is_ph(p, end, "negative"))
				sb_adds(&b, v->negative ? v->negative : "");
			else if (is_ph(p, end, "seed"))
				sb_addf(&b, "%lld", (long long)v->seed);
			else if (is_ph(p, end, "width"))
				sb_addf(&b, "%d", v->width);
			else if (is_ph(p, end, "height"))
				sb_addf(&b, "%d", v->height);
			else if (is_ph(p, end, "out"))
				sb_adds(&b, v->out ? v->out : "");
			else if (is_ph(p, end, "n"))
				sb_addf(&b, "%d", v->n);
			else if (is_ph(p, end, "init"))
				sb_adds(&b, v->init ? v->init : "");
			else
				sb_add(&b, p, (size_t)(end - p + 1));
			p = end + 1;
		}
		out[i] = sb_steal(&b);
	}
	return out;
}

/* ------------------------------------------------------------ configuration */

static int exec_configure(struct backend *be, char **err)
{
	const char *cmd = bk_setting(be, "command", NULL), *ext = bk_setting(be, "ext", NULL);
	char **words = NULL;

	if (cmd == NULL) {
		*err = xstrdup("type exec needs command=\"PROGRAM ARGS...\" — e.g. command=\"espeak-ng -w {out} "
			       "{prompt}\" (quote it as one word)");
		return -1;
	}
	if (bk_argv_split(cmd, &words, err) < 0 || bk_argv_check(words, err) < 0) {
		bk_argv_free(&words);
		return -1;
	}
	if (!bk_argv_uses(words, "out") && !bk_argv_uses(words, "n") && be->modalities != (1u << LB_TEXT)) {
		*err = xstrdup("the command must write its result to {out}, or take {n} and write its files into its "
			       "current folder (only modality=text may print it)");
		bk_argv_free(&words);
		return -1;
	}
	if (ext && (strlen(ext) > 8 || strspn(ext, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(ext) || !*ext)) {
		*err = xstrdup("ext= is a file extension of up to 8 lower-case letters and digits, e.g. ext=wav");
		bk_argv_free(&words);
		return -1;
	}
	be->priv = words;
	return 0;
}

static void exec_release(struct backend *be)
{
	char **w = be->priv;

	bk_argv_free(&w);
	be->priv = NULL;
}

static int exec_can_vary(const struct backend *be, int modality)
{
	(void)modality;
	return be->priv && bk_argv_uses(be->priv, "init");
}

/* ------------------------------------------------------------ running */

struct run {
	pid_t pid;                 /* the keeper (see keeper()), 0 when none */
	int out_fd, err_fd;        /* pipes from the command, read by the drainer */
	int wake[2];               /* a byte here: the drainer reads what is left and ends */
	pthread_t drainer;
	int draining;              /* the drainer runs */
	int stdout_over;           /* (atomic) stdout passed max-reply or could not be kept */
	struct bk_sink out;        /* stdout: memory, then a file of the folder */
	char tail[4096];           /* the last bytes of stderr */
	size_t tail_len;
	char *cgroup;              /* the run's cgroup folder, or NULL */
	int cg_procs, cg_kill;     /* its cgroup.procs and cgroup.kill, or -1 */
	double started, killed_at;
	int timed_out;
	int run;                   /* which run: 0..count-1, or 0 with {n} */
	char **seen;               /* files already taken */
	size_t nseen;
	char *program;
};

static const char *default_ext(int modality)
{
	return modality == LB_IMAGE ? "png" : modality == LB_TEXT ? "txt" : modality == LB_AUDIO ? "wav" : "mp4";
}

static char *find_program(const struct backend *be, const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *full = NULL;

	if (strchr(name, '/')) {
		full = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", be->dir, name);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
		return NULL;
	}
	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		struct stat sb;

		full = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode) && access(full, X_OK) == 0)
			break;
		xfree(&full);
	}
	free(copy);
	return full;
}

/* ------------------------------------------------------------ the drainer */

/* Reads both pipes at once, in big pieces, as fast as the command
 * writes: stdout into the sink (a file once long), stderr into a bounded
 * tail.  Ends at EOF on both, or, told through wake, after reading what
 * is there now (the keeper has ended every process by then; only an
 * escapee could still hold a pipe open). */
static void *drain_main(void *arg)
{
	struct run *x = arg;
	size_t cap = 256 * 1024;
	char *buf = xmalloc(cap);
	int finishing = 0;

	while (x->out_fd >= 0 || x->err_fd >= 0) {
		struct pollfd p[3] = {
			{ x->out_fd, POLLIN, 0 },
			{ x->err_fd, POLLIN, 0 },
			{ x->wake[0], POLLIN, 0 },
		};
		int k;

		if (!finishing && poll(p, 3, -1) < 0 && errno != EINTR)
			finishing = 1;
		if (p[2].revents)
			finishing = 1;
		for (k = 0; k < 2; k++) {
			int *fd = k == 0 ? &x->out_fd : &x->err_fd;

			while (*fd >= 0 && (finishing || p[k].revents)) {
				ssize_t r = read(*fd, buf, cap);

				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0 && errno == EAGAIN && !finishing)
					break;
				if (r <= 0) {
					close(*fd);
					*fd = -1;
					break;
				}
				if (k == 0) {
					if (!__atomic_load_n(&x->stdout_over, __ATOMIC_ACQUIRE) &&
					    bk_sink_add(&x->out, buf, (size_t)r) < 0)
						__atomic_store_n(&x->stdout_over, 1, __ATOMIC_RELEASE);
				} else if ((size_t)r >= sizeof x->tail) {
					memcpy(x->tail, buf + r - sizeof x->tail, sizeof x->tail);
					x->tail_len = sizeof x->tail;
				} else {
					size_t keep = sizeof x->tail - (size_t)r;
					if (keep > x->tail_len)
						keep = x->tail_len;
					memmove(x->tail, x->tail + x->tail_len - keep, keep);
					memcpy(x->tail + keep, buf, (size_t)r);
					x->tail_len = keep + (size_t)r;
				}
				if (!finishing)
					break;
			}
		}
	}
	free(buf);
	return NULL;
}

static void drain_end(struct run *x)
{
	char b = 'x';

	if (!x->draining)
		return;
	while (write(x->wake[1], &b, 1) < 0 && errno == EINTR)
		;
	pthread_join(x->drainer, NULL);
	x->draining = 0;
	close(x->wake[0]);
	close(x->wake[1]);
	x->wake[0] = x->wake[1] = -1;
}

/* ------------------------------------------------------------ cgroups */

/* Removes the run cgroups (lightbox-PID-jobN-RUN) in dir whose lightbox
 * process is gone: a runner killed with -9 cannot remove its own.  rmdir
 * refuses one that still holds processes, which the keeper ends. */
static void cgroup_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		long pid;
		char *path;

		if (sscanf(e->d_name, "lightbox-%ld-job", &pid) != 1 || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		rmdir(path);
		free(path);
	}
	if (d)
		closedir(d);
}

/* A cgroup v2 folder of its own for the run, under lightbox's cgroup,
 * when the system delegates one to us (systemd user sessions do; a plain
 * login or a container without delegation does not: the keeper alone
 * then ends the processes).  LIGHTBOX_NO_CGROUP=1 turns it off. */
static void cgroup_make(struct bk_call *c, struct run *x)
{
	char line[4096], *mnt = NULL, *own = NULL, *path = NULL;
	FILE *f;

	x->cg_procs = x->cg_kill = -1;
	if (getenv("LIGHTBOX_NO_CGROUP") && strcmp(getenv("LIGHTBOX_NO_CGROUP"), "0") != 0)
		return;
	f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			own = xstrdup(line + 3);
		}
	if (f)
		fclose(f);
	f = fopen("/proc/self/mountinfo", "re");
	while (f && own && fgets(line, sizeof line, f)) {
		/* ... MOUNTPOINT ... - cgroup2 ... */
		char *sep = strstr(line, " - cgroup2 "), *save = NULL, *tok;
		int i;

		if (sep == NULL)
			continue;
		*sep = '\0';
		for (i = 0, tok = strtok_r(line, " ", &save); tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		if (tok && mnt == NULL)
			mnt = xstrdup(tok);
	}
	if (f)
		fclose(f);
	if (mnt && own) {
		char *parent = xasprintf("%s%s", mnt, strcmp(own, "/") == 0 ? "" : own);

		cgroup_sweep(parent);
		path = xasprintf("%s/lightbox-%ld-job%lld-%d", parent, (long)getpid(), (long long)c->job.id,
				 x->run);
		free(parent);
		if (mkdir(path, 0700) == 0) {
			char *p = xasprintf("%s/cgroup.procs", path), *k = xasprintf("%s/cgroup.kill", path);
			x->cg_procs = open(p, O_WRONLY | O_CLOEXEC);
			x->cg_kill = open(k, O_WRONLY | O_CLOEXEC);
			free(p);
			free(k);
			if (x->cg_procs >= 0 && x->cg_kill >= 0) {
				x->cgroup = path;
				path = NULL;
			}
		}
	}
	if (path && x->cgroup == NULL) {
		rmdir(path);
		if (x->cg_procs >= 0)
			close(x->cg_procs);
		if (x->cg_kill >= 0)
			close(x->cg_kill);
		x->cg_procs = x->cg_kill = -1;
	}
	free(path);
	free(mnt);
	free(own);
}

static void cgroup_remove(struct run *x)
{
	int i;

	if (x->cg_procs >= 0)
		close(x->cg_procs);
	if (x->cg_kill >= 0)
		close(x->cg_kill);
	x->cg_procs = x->cg_kill = -1;
	if (x->cgroup == NULL)
		return;
	/* Empty once the keeper is reaped; the kernel may lag a moment. */
	for (i = 0; i < 50 && rmdir(x->cgroup) < 0 && errno == EBUSY; i++)
		usleep(10000);
	xfree(&x->cgroup);
}

/* ------------------------------------------------------------ the keeper */

static void run_free(struct run *x)
{
	size_t i;

	if (x == NULL)
		return;
	if (x->pid > 0) {
		/* The keeper ends every process of the run, then itself. */
		kill(x->pid, SIGUSR1);
		while (waitpid(x->pid, NULL, 0) < 0 && errno == EINTR)
			;
		x->pid = 0;
	}
	drain_end(x);
	cgroup_remove(x);
	if (x->out_fd >= 0)
		close(x->out_fd);
	if (x->err_fd >= 0)
		close(x->err_fd);
	bk_sink_free(&x->out);
	for (i = 0; i < x->nseen; i++)
		free(x->seen[i]);
	free(x->seen);
	free(x->program);
	free(x);
}

/* Async-signal-safe pieces for the keeper (a forked child of a threaded
 * program: no malloc, no stdio). */
static void put_num(char *p, long v)
{
	char t[24];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		*p++ = t[--n];
	*p = '\0';
}

/* SIGKILLs every child of the keeper (the command, and, as the keeper is
 * a subreaper, every orphaned descendant: background and setsid children
 * included) and reaps them until none is left.  Returns the command's
 * status when it is reaped here. */
static void keeper_clear(pid_t prog, int *pstatus, int reaped, int cg_kill)
{
	char path[64] = "/proc/self/task/", buf[4096];

	put_num(path + strlen(path), (long)getpid());
	memcpy(path + strlen(path), "/children", 10);
	kill(-prog, SIGKILL);
	if (cg_kill >= 0 && write(cg_kill, "1", 1) < 0) {
		/* no cgroup.kill (kernel < 5.14): the loop below does it */
	}
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC), st;
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
		pid_t w;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			char *p = buf;
			buf[n] = '\0';
			while (*p) {
				long v = 0;
				while (*p >= '0' && *p <= '9')
					v = v * 10 + (*p++ - '0');
				if (v > 0)
					kill((pid_t)v, SIGKILL);
				while (*p && (*p < '0' || *p > '9'))
					p++;
			}
		}
		if (n < 0) {
			/* No children list in /proc: the command is waited
			 * for, what else has ended is reaped, the rest is
			 * left (to init). */
			if (!reaped && waitpid(prog, &st, 0) == prog)
				*pstatus = st;
			while (waitpid(-1, &st, WNOHANG) > 0)
				;
			break;
		}
		w = waitpid(-1, &st, 0);
		if (w < 0 && errno != EINTR)
			break;
		if (w == prog) {
			*pstatus = st;
			reaped = 1;
		}
	}
}

/* The keeper: forked from the runner thread, it joins the run's cgroup,
 * becomes a subreaper, starts the command in a process group of its own
 * and waits.  SIGTERM is passed to the command's group (the timeout's
 * polite stop); SIGUSR1, or the command's end, ends every process left
 * (keeper_clear).  It then exits as the command did.  PR_SET_PDEATHSIG
 * sends it SIGUSR1 if the runner thread dies first. */
static void keeper(const char *path, char **argv, const char *dir, int out_w, int err_w, int nullfd, int cg_procs,
		   int cg_kill, pid_t parent)
{
	sigset_t set, none;
	pid_t prog;
	int pstatus = 0, st, sig, reaped = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGCHLD, SIG_DFL);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGUSR1);
	if (getppid() != parent)
		_exit(125);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (chdir(dir) < 0)
		_exit(126);
	if (dup2(nullfd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		_exit(126);
	/* The cgroup's files as 3 and 4 (the keeper itself stays outside:
	 * cgroup.kill ends all inside). */
	if (cg_procs < 0 || cg_kill < 0 || dup2(cg_procs, 3) < 0 || dup2(cg_kill, 4) < 0)
		cg_kill = -1;
#ifdef SYS_close_range
	syscall(SYS_close_range, cg_kill >= 0 ? 5U : 3U, ~0U, 0U);
#endif
	prog = fork();
	if (prog < 0)
		_exit(126);
	if (prog == 0) {
		setpgid(0, 0);
		if (cg_kill >= 0) {
			/* Not allowed to move (no delegation): the keeper alone ends them. */
			if (write(3, "0", 1) < 0)
				cg_kill = -1;
			close(3);
			close(4);
		}
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execve(path, argv, environ);
		_exit(127);
	}
	setpgid(prog, prog);
	close(1);
	close(2);
	for (;;) {
		pid_t w;

		sig = sigwaitinfo(&set, NULL);
		if (sig == SIGUSR1)
			break;
		if (sig == SIGTERM || sig == SIGHUP || sig == SIGINT) {
			kill(-prog, SIGTERM);
			continue;
		}
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == prog)
				break;
		if (w == prog) {
			pstatus = st;
			reaped = 1;
			break;
		}
	}
	keeper_clear(prog, &pstatus, reaped, cg_kill >= 0 ? 4 : -1);
	if (WIFSIGNALED(pstatus)) {
		signal(WTERMSIG(pstatus), SIG_DFL);
		sigemptyset(&none);
		sigaddset(&none, WTERMSIG(pstatus));
		sigprocmask(SIG_UNBLOCK, &none, NULL);
		kill(getpid(), WTERMSIG(pstatus));
		_exit(128 + WTERMSIG(pstatus));
	}
	_exit(WIFEXITED(pstatus) ? WEXITSTATUS(pstatus) : 125);
}

static int start_run(struct bk_call *c, struct run *x)
{
	const struct backend *be = c->be;
	char **words = be->priv, **argv, *out, *init = NULL;
	const char *dir = bk_call_workdir(c), *ext = bk_setting(be, "ext", default_ext(c->modality));
	struct bk_argv_vars v;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, nullfd;
	int all = bk_argv_uses(words, "n");
	pid_t parent = getpid();

	if (dir == NULL)
		return -1;
	memset(&v, 0, sizeof v);
	out = all ? xasprintf("%s/out.%s", dir, ext) : xasprintf("%s/out-%d.%s", dir, x->run + 1, ext);
	if (c->has_parent) {
		if (c->parent.path) {
			init = xstrdup(c->parent.path);
		} else if (c->parent.body) {
			init = xasprintf("%s/.init.txt", dir);
			if (util_write_atomic(init, c->parent.body, strlen(c->parent.body)) < 0) {
				bk_fail(c, "cannot write the parent's text for {init}: %s", strerror(errno));
				free(init);
				free(out);
				return -1;
			}
		}
	}
	v.prompt = c->prompt;
	v.negative = c->negative;
	v.seed = bk_seed(c, x->run);
	v.width = (int)bk_int(c, "width", 512);
	v.height = (int)bk_int(c, "height", 512);
	v.out = out;
	v.n = all ? c->count : 1;
	v.init = init;
	argv = bk_argv_expand(words, &v);
	free(out);
	free(init);
	bk_sink_free(&x->out);
	/* Only a text command's stdout is kept; any other is dropped. */
	bk_sink_init(&x->out, dir, c->modality == LB_TEXT ? be->max_reply : 0);
	x->tail_len = 0;
	__atomic_store_n(&x->stdout_over, 0, __ATOMIC_RELEASE);
	cgroup_make(c, x);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0 || pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
	    pipe2(x->wake, O_CLOEXEC) < 0) {
		bk_fail(c, "cannot set up the command's pipes: %s", strerror(errno));
		goto fail;
	}
	x->pid = fork();
	if (x->pid == 0)
		keeper(x->program, argv, dir, po[1], pe[1], nullfd, x->cg_procs, x->cg_kill, parent);
	if (x->pid < 0) {
		bk_fail(c, "cannot start %s: %s", words[0], strerror(errno));
		x->pid = 0;
		goto fail;
	}
	close(po[1]);
	close(pe[1]);
	close(nullfd);
	x->out_fd = po[0];
	x->err_fd = pe[0];
	fcntl(x->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(x->err_fd, F_SETFL, O_NONBLOCK);
	/* Bigger pipes: fewer wake-ups for a command that prints a lot. */
	fcntl(x->out_fd, F_SETPIPE_SZ, 1 << 20);
	fcntl(x->err_fd, F_SETPIPE_SZ, 1 << 20);
	if (util_thread_start(&x->drainer, drain_main, x) != 0) {
		bk_fail(c, "cannot start a thread to read the command's output: %s", strerror(errno));
		bk_argv_free(&argv);
		return -1;
	}
	x->draining = 1;
	x->started = util_mono_ms();
	x->timed_out = 0;
	x->killed_at = 0;
	bk_argv_free(&argv);
	return 0;
fail:
	if (nullfd >= 0)
		close(nullfd);
	if (po[0] >= 0) {
		close(po[0]);
		close(po[1]);
	}
	if (pe[0] >= 0) {
		close(pe[0]);
		close(pe[1]);
	}
	if (x->wake[0] >= 0) {
		close(x->wake[0]);
		close(x->wake[1]);
		x->wake[0] = x->wake[1] = -1;
	}
	bk_argv_free(&argv);
	return -1;
}

/* The last non-empty line the command printed on stderr. */
static char *last_line(const char *s, size_t len)
{
	size_t end = len, start;

	while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == '\r' || s[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && s[start - 1] != '\n')
		start--;
	return end > start ? xstrndup(s + start, end - start > 300 ? 300 : end - start) : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Takes the files the run left in the folder. */
static int collect(struct bk_call *c, struct run *x, int has_seed, int64_t seed)
{
	DIR *d = opendir(c->workdir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i, j;
	int taken = 0, rc = 0;

	if (d == NULL) {
		bk_fail(c, "cannot read the command's folder: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n && rc == 0; i++) {
		char *path = xasprintf("%s/%s", c->workdir, names[i]);
		struct stat sb;
		int seen = 0;

		for (j = 0; j < x->nseen; j++)
			if (strcmp(x->seen[j], names[i]) == 0)
				seen = 1;
		if (!seen && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			json_t *p = json_pack("{s:s}", "file", names[i]);
			x->seen = xrealloc(x->seen, (x->nseen + 1) * sizeof *x->seen);
			x->seen[x->nseen++] = xstrdup(names[i]);
			rc = bk_out_file(c, path, has_seed, seed, p);
			taken++;
		}
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc < 0 ? -1 : taken;
}

static void run_ended(struct bk_call *c, struct run *x, int status)
{
	char **words = c->be->priv;
	int all = bk_argv_uses(words, "n"), has_seed = bk_argv_uses(words, "seed"), got;
	char *line;

	x->pid = 0;
	/* The keeper has ended every process of the run: what they printed
	 * is in the pipes. */
	drain_end(x);
	cgroup_remove(x);
	line = last_line(x->tail, x->tail_len);
	if (x->timed_out) {
		bk_fail(c, "%s did not finish within timeout=%ld s and was stopped", words[0], c->be->timeout);
	} else if (WIFSIGNALED(status)) {
		bk_fail(c, "%s was killed by signal %d%s%s", words[0], WTERMSIG(status), line ? ": " : "",
			line ? line : "");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && x->tail_len == 0) {
		bk_fail(c, "%s could not be executed", words[0]);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		bk_fail(c, "%s exited with status %d%s%s", words[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			line ? ": " : "", line ? line : "");
	}
	free(line);
	if (c->status != BK_RUNNING)
		return;
	got = collect(c, x, has_seed, bk_seed(c, x->run));
	if (got < 0)
		return;
	if (got == 0 && c->modality == LB_TEXT && (x->out.len > 0 || x->out.over)) {
		if (bk_out_text_sink(c, &x->out, "the command's standard output", has_seed, bk_seed(c, x->run),
				     NULL, json_object()) < 0)
			return;
		got = 1;
	}
	bk_sink_free(&x->out);
	x->tail_len = 0;
	if (got == 0) {
		bk_fail(c, "%s exited 0 but wrote no file%s", words[0],
			c->modality == LB_TEXT ? " and printed nothing" : " (it should write to {out})");
		return;
	}
	x->run++;
	bk_progress(c, all ? 1.0 : (double)x->run / c->count);
	if (all || x->run >= c->count) {
		bk_finish(c);
		return;
	}
	start_run(c, x);
}

static void exec_start(struct bk_call *c)
{
	struct run *x = xcalloc(1, sizeof *x);
	char **words = c->be->priv;

	x->out_fd = x->err_fd = -1;
	x->wake[0] = x->wake[1] = -1;
	x->cg_procs = x->cg_kill = -1;
	bk_sink_init(&x->out, NULL, c->be->max_reply);
	c->priv = x;
	x->program = find_program(c->be, words[0]);
	if (x->program == NULL) {
		char *vis = util_visible_dup(words[0], 0);
		bk_fail(c, "the command's program '%s' is not found%s", vis,
			strchr(words[0], '/') ? " or not executable" : " in $PATH");
		free(vis);
		return;
	}
	start_run(c, x);
}

static void exec_tick(struct bk_call *c)
{
	struct run *x = c->priv;
	double now = util_mono_ms();
	int status;
	pid_t w;

	if (x == NULL || x->pid <= 0)
		return;
	if (c->modality == LB_TEXT && __atomic_load_n(&x->stdout_over, __ATOMIC_ACQUIRE)) {
		/* Cut: the job fails rather than keep part of the text. */
		if (x->out.over)
			bk_fail(c, "%s printed more than max-reply (%zu MiB) on its standard output, so it was stopped "
				   "and nothing is kept — raise max-reply if that is expected",
				((char **)c->be->priv)[0], c->be->max_reply >> 20);
		else
			bk_fail(c, "cannot keep the command's standard output in %s: %s%s", c->workdir,
				strerror(x->out.err), x->out.err == ENOSPC ? " — free disk space and retry" : "");
		return;
	}
	w = waitpid(x->pid, &status, WNOHANG);
	if (w == x->pid || (w < 0 && errno == ECHILD)) {
		if (w < 0)
			status = 0;
		run_ended(c, x, status);
		return;
	}
	if (!x->timed_out && now - x->started > (double)c->be->timeout * 1000) {
		x->timed_out = 1;
		x->killed_at = now;
		kill(x->pid, SIGTERM);
	} else if (x->timed_out && now - x->killed_at > 2000) {
		kill(x->pid, SIGUSR1);
	}
}

static void exec_stop(struct bk_call *c)
{
	run_free(c->priv);
	c->priv = NULL;
}

static int exec_check_reply(struct bk_call *c, struct bk_req *req, char **msg)
{
	char **words = c->be->priv, *p = find_program(c->be, words[0]), *vis = util_visible_dup(words[0], 0);
	int ok = p != NULL;

	(void)req;
	*msg = ok ? xasprintf("ok: runs %s", p)
		  : xasprintf("%s is not found%s", vis, strchr(words[0], '/') ? " or not executable" : " in $PATH");
	free(p);
	free(vis);
	return ok;
}

const struct bk_ops bk_exec_ops = {
	.type = "exec",
	.params = params,
	.settings = settings,
	.can_make = 1u << LB_IMAGE | 1u << LB_TEXT | 1u << LB_AUDIO | 1u << LB_VIDEO,
	.default_make = 1u << LB_IMAGE,
	.caps = BACKEND_CAP_SEED | BACKEND_CAP_COUNT | BACKEND_CAP_OFFLINE,
	.default_concurrency = 1,
	.default_timeout = 300,
	.configure = exec_configure,
	.release = exec_release,
	.can_vary = exec_can_vary,
	.start = exec_start,
	.tick = exec_tick,
	.stop = exec_stop,
	.check_reply = exec_check_reply,
};
