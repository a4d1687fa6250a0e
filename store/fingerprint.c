/*
 * fingerprint.c - makes the fingerprints candidates lack: reads which
 * assets have none (a read), decodes each through the thumbnail cache
 * (no transaction open: a write transaction never spans file I/O), and
 * writes a batch of results in one short transaction.  Used by the
 * filler that import, generation and `candidate add` start in the
 * background once their rows are in (one at a time per store: it holds
 * cache/fingerprint.lock), by `lightbox fingerprint` and `doctor --fix`,
 * and by the interface's worker.
 */
#include "config.h"

#include "stacks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "media/media.h"
#include "store-private.h"

#define FILL_BATCH 32

/* Up to max (0: no end) of the brief's missing fingerprints. */
static int fill(struct store *st, int64_t brief_id, int retry, long long pixel_limit,
		const volatile int *stop, size_t max, size_t *made, size_t *failed)
{
	struct lb_fp_todo *todo = NULL;
	struct lb_fp_result res[FILL_BATCH];
	char *errs[FILL_BATCH];
	int64_t after = 0;
	size_t n, i, nmade = 0, nfailed = 0;
	int rc = 0;

	if (made)
		*made = 0;
	if (failed)
		*failed = 0;
	if (st->depth > 0) /* a caller's transaction would span the decoding */
		fatal("store_fp_fill inside a transaction");
	for (;;) {
		if (stop && *stop)
			break;
		if (max && nmade + nfailed >= max)
			break;
		rc = store_fp_todo(st, brief_id, after, retry,
				   max && max - nmade - nfailed < FILL_BATCH ? (int)(max - nmade - nfailed)
									     : FILL_BATCH,
				   &todo, &n);
		if (rc || n == 0)
			break;
		for (i = 0; i < n; i++) {
			char *path = store_asset_path(st, todo[i].sha256, todo[i].ext);
			char *err = NULL;

			memset(&res[i], 0, sizeof res[i]);
			res[i].asset_id = todo[i].asset_id;
			res[i].ok = media_fingerprint_file(store_cache_dir(st), todo[i].sha256, path,
							   todo[i].video, pixel_limit, &res[i].fp,
							   &err) == 0;
			errs[i] = err;
			res[i].error = err;
			nmade += res[i].ok;
			nfailed += !res[i].ok;
			free(path);
			if (stop && *stop) {
				n = i + 1;
				break;
			}
		}
		after = todo[n - 1].asset_id;
		rc = store_fp_put(st, res, n);
		for (i = 0; i < n; i++)
			free(errs[i]);
		free(todo);
		todo = NULL;
		if (rc)
			break;
	}
	free(todo);
	if (made)
		*made = nmade;
	if (failed)
		*failed = nfailed;
	return rc;
}

int store_fp_fill(struct store *st, int64_t brief_id, int retry, long long pixel_limit,
		  const volatile int *stop, size_t *made, size_t *failed)
{
	return fill(st, brief_id, retry, pixel_limit, stop, 0, made, failed);
}

int store_fp_fill_some(struct store *st, long long pixel_limit, size_t max, size_t *made,
		       int *more)
{
	size_t ok = 0, bad = 0;
	int rc = fill(st, 0, 0, pixel_limit, NULL, max, &ok, &bad);

	*made = ok;
	*more = rc == 0 && ok + bad >= max;
	return rc;
}

/* ------------------------------------------------------------ one filler at a time */

static char *lock_path(struct store *st)
{
	return xasprintf("%s/fingerprint.lock", store_cache_dir(st));
}

int store_fp_lock(struct store *st, int wait, int *fd)
{
	char *path, *text, *login;
	int rc;

	*fd = -1;
	if (util_mkdir_p(store_cache_dir(st)) < 0)
		return st_file_fail(st, store_cache_dir(st), "cannot create");
	path = lock_path(st);
	/* The store's mode: another member's filler takes it in turn. */
	*fd = util_perm_open(path, O_RDWR);
	if (*fd < 0) {
		rc = st_file_fail(st, path, "cannot open");
		free(path);
		return rc;
	}
	while ((rc = flock(*fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK) {
			free(path);
			return 1;
		}
		rc = st_fail(st, STORE_EIO, "cannot lock %s: %s", path, strerror(e));
		free(path);
		return rc;
	}
	free(path);
	/* Who fills, for doctor and for whoever waits. */
	login = util_login();
	text = xasprintf("%s\t%ld\n", login, (long)getpid());
	if (ftruncate(*fd, 0) == 0 && pwrite(*fd, text, strlen(text), 0) < 0) {
		/* only a label: the lock is what counts */
	}
	free(text);
	free(login);
	return 0;
}

void store_fp_unlock(int *fd)
{
	if (*fd < 0)
		return;
	if (ftruncate(*fd, 0) < 0) {
		/* a stale label names a pid that is gone or unlocked: ignored */
	}
	close(*fd); /* drops the flock */
	*fd = -1;
}

int store_fp_filler(struct store *st, char **login, long *pid)
{
	char *path = lock_path(st), buf[256], *tab;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), busy = 0;
	ssize_t n;

	free(path);
	if (login)
		*login = NULL;
	if (pid)
		*pid = 0;
	if (fd < 0)
		return 0;
	/* Held means a filler is at work (a shared probe of our own lock,
	 * through another open, is refused too: flock is per open file). */
	busy = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (busy && (n = pread(fd, buf, sizeof buf - 1, 0)) > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if ((tab = strchr(buf, '\t')) != NULL) {
			*tab = '\0';
			if (pid)
				*pid = strtol(tab + 1, NULL, 10);
		}
		if (login)
			*login = util_visible_dup(buf, 0);
	}
	close(fd);
	return busy;
}
