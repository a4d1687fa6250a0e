/*
 * watch.c - a folder that fills while people curate (ComfyUI's output/,
 * A1111's outputs/): inotify tells which files are complete, and the
 * import takes them.
 *
 * A file is complete when its writer closes it (IN_CLOSE_WRITE) or when
 * it is moved in whole (IN_MOVED_TO); a file still open for writing is
 * never read (store_import's skip_open: a read lease is refused while a
 * writer holds the file).  Events are gathered until the folder has been
 * quiet for settle_ms (or a second has passed since the first, or a
 * batch is full), then one store_import takes them all: files are staged
 * outside any transaction and recorded in short batches, as every import
 * is.  The watches are set before the walk at start, so a file that
 * arrives during the walk is taken by one or the other (and once: the
 * import resumes by SHA-256).  A new folder is watched and walked; an
 * overflowing event queue is answered with a walk of the whole folder.
 */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

#define SETTLE_DEFAULT 100 /* ms of quiet that end a burst */
#define BURST_MAX_MS 1000  /* a steady stream is still taken every second */
#define TICK_MS 200
#define MAX_DEPTH 64
#define DIR_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct wdir {
	int wd;
	char *path;
};

struct watcher {
	struct store *st;
	const struct lb_watch_options *o;
	struct lb_watch_status *s;
	int fd;
	struct wdir *dirs;
	size_t ndirs;
	char **pend;            /* paths waiting for the burst to end */
	size_t npend;
	double first, last;     /* when the first and the last of them came */
	char *root;
	char *store_dir;        /* the store's own folder (realpath): never watched */
	int gone;               /* the watched folder was removed or moved */
};

static int tick(struct watcher *w)
{
	return w->o->tick ? w->o->tick(w->o->ctx, w->s) : 0;
}

static void pend_add(struct watcher *w, const char *path)
{
	double now = util_mono_ms();

	if (w->npend == 0)
		w->first = now;
	w->last = now;
	w->pend = xrealloc(w->pend, (w->npend + 1) * sizeof *w->pend);
	w->pend[w->npend++] = xstrdup(path);
}

/* Watches path and the folders under it (hidden ones left out, as the
 * walk leaves them out). */
static void add_dir(struct watcher *w, const char *path, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	char *full;
	int wd;
	size_t i;

	if (depth > MAX_DEPTH || (w->store_dir && strcmp(path, w->store_dir) == 0))
		return; /* a store inside the folder: its own writes are not new files */
	wd = inotify_add_watch(w->fd, path, DIR_MASK);
	if (wd < 0)
		return;
	for (i = 0; i < w->ndirs && w->dirs[i].wd != wd; i++)
		;
	if (i < w->ndirs)
		return; /* already watched (a link back, or seen twice) */
	w->dirs = xrealloc(w->dirs, (w->ndirs + 1) * sizeof *w->dirs);
	w->dirs[w->ndirs].wd = wd;
	w->dirs[w->ndirs++].path = xstrdup(path);
	d = opendir(path);
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		full = xasprintf("%s/%s", path, de->d_name);
		if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
			add_dir(w, full, depth + 1);
		free(full);
	}
	if (d)
		closedir(d);
}

static const char *dir_of(struct watcher *w, int wd)
{
	size_t i;

	for (i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd)
			return w->dirs[i].path;
	return NULL;
}

static void drop_dir(struct watcher *w, int wd)
{
	size_t i;

	for (i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd) {
			free(w->dirs[i].path);
			w->dirs[i] = w->dirs[--w->ndirs];
			return;
		}
}

/* Reads what inotify has; the paths of complete files (and new folders)
 * join the burst. */
static void read_events(struct watcher *w)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	const char *dir;
	char *full;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(w->fd, buf, sizeof buf);
		if (n <= 0)
			return;
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				/* Events were lost: look at everything again. */
				pend_add(w, w->root);
				continue;
			}
			if (ev->mask & IN_IGNORED) {
				drop_dir(w, ev->wd);
				continue;
			}
			dir = dir_of(w, ev->wd);
			if (dir == NULL)
				continue;
			if ((ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) && strcmp(dir, w->root) == 0) {
				w->gone = 1;
				continue;
			}
			if (ev->len == 0 || ev->name[0] == '.')
				continue; /* hidden: a tool's temporary file, left out as the walk does */
			full = xasprintf("%s/%s", dir, ev->name);
			if (ev->mask & IN_ISDIR) {
				if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
					add_dir(w, full, 1);
					pend_add(w, full);
				}
			} else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
				pend_add(w, full);
			}
			free(full);
		}
	}
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct run_ctx {
	struct watcher *w;
	const struct lb_import_options *user;
};

static int on_progress(void *ctx, const struct lb_import_progress *p)
{
	struct run_ctx *rc = ctx;

	(void)p;
	/* Events go on arriving while a big burst is imported. */
	return tick(rc->w);
}

static void on_report(void *ctx, const struct lb_import_item *it)
{
	struct run_ctx *rc = ctx;

	/* A file open for writing is taken at its close: not news. */
	if (it->status == LB_IMPORT_SKIPPED && it->reason && strncmp(it->reason, "still being written", 18) == 0)
		return;
	rc->w->s->n[it->status]++;
	if (rc->user->report)
		rc->user->report(rc->user->ctx, it);
}

/* Imports paths (the walk at start, or a burst). */
static int import_paths(struct watcher *w, char **paths, size_t n)
{
	struct lb_import_options o = w->o->import;
	struct lb_import_result res;
	struct run_ctx rc = { w, &w->o->import };
	size_t before = w->s->n[LB_IMPORT_ADDED] + w->s->n[LB_IMPORT_SAME_ASSET], bsize, k = 0, i;
	int r;

	qsort(paths, n, sizeof *paths, cmp_path);
	for (i = 0; i < n; i++) /* the same file closed twice in a burst: once */
		if (k == 0 || strcmp(paths[k - 1], paths[i]) != 0)
			paths[k++] = paths[i];
		else
			free(paths[i]);
	n = k;
	o.found = 1;
	o.skip_open = 1;
	o.report = on_report;
	o.progress = on_progress;
	o.ctx = &rc;
	r = store_import(w->st, (const char *const *)paths, n, &o, &res);
	w->s->runs++;
	bsize = o.batch > 0 ? (size_t)o.batch : 256;
	{
		size_t added = w->s->n[LB_IMPORT_ADDED] + w->s->n[LB_IMPORT_SAME_ASSET] - before;
		w->s->batches += (added + bsize - 1) / bsize;
		if (added && w->o->landed)
			w->o->landed(w->o->ctx, w->s);
	}
	lb_import_result_clear(&res);
	for (i = 0; i < n; i++)
		free(paths[i]);
	return r;
}

/* ------------------------------------------------------------ registration */

static char *register_watch(struct store *st, const char *dir, int64_t brief)
{
	static int seq;
	char *path, *text, *login;

	if (util_mkdir_p(st->cache) < 0)
		return NULL;
	path = xasprintf("%s/watch-%ld-%d", st->cache, (long)getpid(), __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST));
	login = util_curator();
	text = xasprintf("%s\t%ld\t%lld\t%s\n", login, (long)getpid(), (long long)brief, dir);
	if (util_write_atomic(path, text, strlen(text)) < 0)
		xfree(&path);
	free(login);
	free(text);
	return path;
}

void lb_watch_list_free(struct lb_watch_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].login);
		free(v[i].folder);
	}
	free(v);
}

int store_watch_list(struct store *st, int tidy, struct lb_watch_entry **v, size_t *n)
{
	DIR *d = opendir(st->cache);
	struct dirent *de;
	char buf[PATH_MAX + 256], *f[4], *path, *nl;
	FILE *fp;
	int k;

	*v = NULL;
	*n = 0;
	while (d && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "watch-", 6) != 0)
			continue;
		path = xasprintf("%s/%s", st->cache, de->d_name);
		fp = fopen(path, "r");
		if (fp && fgets(buf, sizeof buf, fp)) {
			if ((nl = strchr(buf, '\n')) != NULL)
				*nl = '\0';
			f[0] = buf;
			for (k = 1; k < 4 && f[k - 1]; k++)
				if ((f[k] = strchr(f[k - 1], '\t')) != NULL)
					*f[k]++ = '\0';
			if (k == 4 && f[3]) {
				long pid = strtol(f[1], NULL, 10);
				if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
					*v = xrealloc(*v, (*n + 1) * sizeof **v);
					(*v)[*n].login = util_visible_dup(f[0], 0);
					(*v)[*n].pid = pid;
					(*v)[*n].brief_id = strtoll(f[2], NULL, 10);
					(*v)[*n].folder = util_visible_dup(f[3], 0);
					(*n)++;
				} else if (tidy && pid > 0 && errno == ESRCH) {
					unlink(path); /* stale: its watcher died */
				}
			}
		}
		if (fp)
			fclose(fp);
		free(path);
	}
	if (d)
		closedir(d);
	return 0;
}

/* ------------------------------------------------------------ the watch */

int store_watch(struct store *st, const char *dir, const struct lb_watch_options *o, struct lb_watch_status *s)
{
	struct watcher w;
	struct stat sb;
	struct pollfd pfd;
	char *reg, **batch, *root;
	double now;
	int rc = 0, settle = o->settle_ms > 0 ? o->settle_ms : SETTLE_DEFAULT, wait, bsize;
	size_t i;

	memset(s, 0, sizeof *s);
	if (stat(dir, &sb) < 0)
		return st_fail(st, STORE_ENOTFOUND, "cannot watch %s: %s", dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return st_fail(st, STORE_EINVAL, "cannot watch %s: not a folder (name the folder the files land in)",
			       dir);
	root = realpath(dir, NULL);
	if (root == NULL)
		return st_fail(st, STORE_EIO, "cannot watch %s: %s", dir, strerror(errno));
	memset(&w, 0, sizeof w);
	w.st = st;
	w.o = o;
	w.s = s;
	w.root = root;
	w.store_dir = realpath(st->dir, NULL);
	if (w.store_dir && strcmp(w.store_dir, root) == 0) {
		free(w.store_dir);
		free(root);
		return st_fail(st, STORE_EINVAL, "cannot watch %s: it is the store's own folder; watch the folder "
			       "the generator writes to", dir);
	}
	w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w.fd < 0) {
		rc = st_fail(st, STORE_EIO, "cannot watch %s: %s%s", dir, strerror(errno),
			     errno == EMFILE ? " (too many inotify instances: raise fs.inotify.max_user_instances)"
					     : "");
		free(w.store_dir);
		free(root);
		return rc;
	}
	/* Watches first, then the walk: nothing falls between them. */
	add_dir(&w, root, 0);
	if (w.ndirs == 0) {
		rc = st_fail(st, STORE_EIO, "cannot watch %s: %s%s", dir, strerror(errno),
			     errno == ENOSPC ? " (too many watches: raise fs.inotify.max_user_watches)" : "");
		close(w.fd);
		free(w.store_dir);
		free(root);
		return rc;
	}
	{
		/* Files left by watches that died (kill -9) go now. */
		struct lb_watch_entry *v;
		size_t nv;
		store_watch_list(st, 1, &v, &nv);
		lb_watch_list_free(v, nv);
	}
	reg = register_watch(st, root, o->import.brief_id);
	batch = xmalloc(sizeof *batch);
	batch[0] = xstrdup(root);
	rc = import_paths(&w, batch, 1);
	free(batch);
	s->walked = 1;
	bsize = o->import.batch > 0 ? o->import.batch : 256;
	while (rc == 0 && !tick(&w)) {
		now = util_mono_ms();
		if (w.npend && (now - w.last >= settle || now - w.first >= BURST_MAX_MS || w.npend >= (size_t)bsize)) {
			batch = w.pend;
			i = w.npend;
			w.pend = NULL;
			w.npend = 0;
			rc = import_paths(&w, batch, i);
			free(batch);
			continue;
		}
		if (w.gone) {
			rc = st_fail(st, STORE_ENOTFOUND, "the watched folder %s was removed or moved; watching stopped",
				     root);
			break;
		}
		wait = TICK_MS;
		if (w.npend) {
			double left = settle - (now - w.last);
			wait = left < 1 ? 1 : left < wait ? (int)left : wait;
		}
		pfd.fd = w.fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, wait) > 0)
			read_events(&w);
	}
	for (i = 0; i < w.npend; i++)
		free(w.pend[i]);
	free(w.pend);
	for (i = 0; i < w.ndirs; i++)
		free(w.dirs[i].path);
	free(w.dirs);
	close(w.fd);
	if (reg) {
		unlink(reg);
		free(reg);
	}
	free(w.store_dir);
	free(root);
	return rc;
}
