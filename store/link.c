/*
 * link.c - assets linked rather than copied (import --link): checking
 * them by hash on demand, and finding their files again by hash.
 *
 * A hard-linked asset is the imported file itself under a second name:
 * editing the file in place edits the asset.  Reading a candidate
 * compares the file's size and mtime with the record (candidate.c), so a
 * changed file is never shown as the candidate; store_asset_verify reads
 * every byte.  store_relink walks a folder, hashes only files of a size
 * some linked asset has, and for each match puts back an asset file that
 * changed or vanished (a new hard link, or a copy across filesystems)
 * and records where the original now lies.  No transaction spans the
 * walk, a hash or a link: each asset's row is updated alone.
 */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

struct linked {
	int64_t id, bytes, mtime_ns;
	int link;
	char hex[65];
	char *ext, *origin, *path;
	int done;
};

static void linked_free(struct linked *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].ext);
		free(v[i].origin);
		free(v[i].path);
	}
	free(v);
}

static int load_linked(struct store *st, int all, struct linked **out, size_t *n)
{
	db_stmt *s = st_prep(st, all ? "SELECT id, sha256, ext, bytes, link, origin, mtime_ns FROM asset ORDER BY id"
					  : "SELECT id, sha256, ext, bytes, link, origin, mtime_ns FROM asset"
					    " WHERE link != 0 ORDER BY id");
	struct linked *v = NULL;
	int rc;

	*n = 0;
	if (s == NULL)
		return STORE_EIO;
	while ((rc = db_step(s)) == DB_ROW) {
		v = xrealloc(v, (*n + 1) * sizeof *v);
		memset(&v[*n], 0, sizeof *v);
		v[*n].id = db_column_int64(s, 0);
		snprintf(v[*n].hex, sizeof v[*n].hex, "%s", (const char *)db_column_text(s, 1));
		v[*n].ext = st_col_text(s, 2);
		v[*n].bytes = db_column_int64(s, 3);
		v[*n].link = db_column_int(s, 4);
		v[*n].origin = st_col_text_or_null(s, 5);
		v[*n].mtime_ns = db_column_int64(s, 6);
		v[*n].path = store_asset_path(st, v[*n].hex, v[*n].ext);
		(*n)++;
	}
	db_reset(s);
	*out = v;
	if (rc != DB_DONE) {
		linked_free(v, *n);
		*out = NULL;
		*n = 0;
		return st_sqlfail(st, rc, "reading the assets");
	}
	return 0;
}

/* SHA-256 of a file; 0, or -1 with errno. */
static int hash_path(const char *path, char hex[65], int64_t *bytes)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), rc, e;

	if (fd < 0)
		return -1;
	rc = st_fd_hash(fd, hex, bytes);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static int64_t mtime_of(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

int store_asset_verify(struct store *st, int all, void (*report)(void *ctx, const struct lb_verify_item *it),
		       void *ctx, size_t *nbad)
{
	struct linked *v;
	struct lb_verify_item it;
	char hex[65];
	int64_t bytes;
	size_t n, i;
	int rc = load_linked(st, all, &v, &n);

	*nbad = 0;
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		memset(&it, 0, sizeof it);
		it.asset_id = v[i].id;
		it.sha256 = v[i].hex;
		it.path = v[i].path;
		it.origin = v[i].origin;
		it.link = v[i].link;
		if (hash_path(v[i].path, hex, &bytes) < 0)
			it.state = errno == ENOENT ? LB_ASSET_MISSING : LB_ASSET_CHANGED;
		else if (bytes != v[i].bytes || strcmp(hex, v[i].hex) != 0)
			it.state = LB_ASSET_CHANGED;
		if (it.state)
			(*nbad)++;
		if (report)
			report(ctx, &it);
	}
	linked_free(v, n);
	return 0;
}

int store_asset_link_check(struct store *st, size_t *linked, size_t *bad)
{
	struct linked *v;
	struct stat sb;
	size_t n, i;
	int rc = load_linked(st, 0, &v, &n);

	*linked = *bad = 0;
	if (rc)
		return rc;
	*linked = n;
	for (i = 0; i < n; i++)
		if (stat(v[i].path, &sb) < 0 || sb.st_size != v[i].bytes ||
		    (v[i].link == 1 && mtime_of(&sb) != v[i].mtime_ns))
			(*bad)++;
	linked_free(v, n);
	return 0;
}

/* ------------------------------------------------------------ relink */

struct relink {
	struct store *st;
	struct linked *v;
	size_t n;
	void (*report)(void *ctx, const struct lb_relink_item *it);
	void *ctx;
	struct lb_relink_result *res;
	int rc;
};

static void say(struct relink *r, const struct linked *l, const char *found, int what, const char *why)
{
	struct lb_relink_item it = { 0 };

	it.asset_id = l->id;
	it.sha256 = l->hex;
	it.found = found;
	it.was = l->origin;
	it.what = what;
	it.why = why;
	if (r->report)
		r->report(r->ctx, &it);
}

/* Puts the asset's file back from found (same bytes): a hard link when
 * on the same filesystem, else a copy; 0 or a store error. */
static int restore(struct relink *r, struct linked *l, const char *found, int *how)
{
	struct st_staged sg;
	char *note = NULL;
	int rc = st_asset_stage_link(r->st, found, &sg, &note);

	free(note);
	if (rc)
		return rc;
	if (strcmp(sg.hex, l->hex) != 0) {
		st_asset_unstage(&sg);
		return st_fail(r->st, STORE_EINVAL, "%s changed while it was read", found);
	}
	/* The file at the content name is not these bytes: replaced. */
	if (rename(sg.tmp, l->path) < 0) {
		rc = st_file_fail(r->st, l->path, "cannot write");
		st_asset_unstage(&sg);
		return rc;
	}
	xfree(&sg.tmp);
	*how = sg.link;
	return 0;
}

static void consider(struct relink *r, const char *path, const struct stat *sb)
{
	char hex[65], *abs;
	int64_t bytes;
	struct stat ab, ob;
	size_t i;
	int want = 0, how = 0, rc;

	for (i = 0; i < r->n; i++)
		if (!r->v[i].done && r->v[i].bytes == sb->st_size)
			want = 1;
	if (!want || r->rc)
		return;
	if (hash_path(path, hex, &bytes) < 0)
		return;
	r->res->hashed++;
	for (i = 0; i < r->n; i++) {
		struct linked *l = &r->v[i];
		if (l->done || strcmp(l->hex, hex) != 0)
			continue;
		l->done = 1;
		abs = realpath(path, NULL);
		if (abs == NULL)
			abs = xstrdup(path);
		if (stat(l->path, &ab) < 0 || ab.st_size != l->bytes || (l->link == 1 && mtime_of(&ab) != l->mtime_ns)) {
			/* The asset's file vanished or changed: put it back. */
			rc = restore(r, l, path, &how);
			if (rc == 0 && stat(l->path, &ab) == 0) {
				rc = st_begin(r->st);
				if (rc == 0)
					rc = st_end(r->st, st_asset_link_record(r->st, l->id, how ? how : 0,
										 how ? abs : l->origin, mtime_of(&ab)));
			}
			if (rc) {
				say(r, l, abs, LB_RELINK_FAILED, store_errmsg(r->st));
				r->res->failed++;
			} else {
				say(r, l, abs, LB_RELINK_RESTORED, NULL);
				r->res->restored++;
			}
		} else if (l->origin == NULL || strcmp(l->origin, abs) != 0) {
			/* The original moved: where it lies now is recorded, when
			 * the old place no longer holds it. */
			if (l->origin && stat(l->origin, &ob) == 0 && ob.st_size == l->bytes &&
			    (l->link != 1 || (ob.st_ino == ab.st_ino && ob.st_dev == ab.st_dev))) {
				free(abs);
				continue;
			}
			rc = st_begin(r->st);
			if (rc == 0)
				rc = st_end(r->st, st_asset_link_record(r->st, l->id, l->link, abs, l->mtime_ns));
			if (rc) {
				say(r, l, abs, LB_RELINK_FAILED, store_errmsg(r->st));
				r->res->failed++;
			} else {
				say(r, l, abs, LB_RELINK_MOVED, NULL);
				r->res->moved++;
			}
		} else {
			r->res->in_place++;
		}
		free(abs);
	}
}

static void walk(struct relink *r, const char *path, int depth)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	char *full;

	if (depth > 64 || stat(path, &sb) < 0)
		return;
	if (S_ISREG(sb.st_mode)) {
		consider(r, path, &sb);
		return;
	}
	if (!S_ISDIR(sb.st_mode) || (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		full = xasprintf("%s/%s", path, de->d_name);
		walk(r, full, depth + 1);
		free(full);
	}
	closedir(d);
}

int store_relink(struct store *st, const char *dir, void (*report)(void *ctx, const struct lb_relink_item *it),
		 void *ctx, struct lb_relink_result *res)
{
	struct relink r;
	struct stat sb;
	size_t i;
	int rc;

	memset(res, 0, sizeof *res);
	if (stat(dir, &sb) < 0)
		return st_fail(st, STORE_ENOTFOUND, "cannot read %s: %s", dir, strerror(errno));
	memset(&r, 0, sizeof r);
	r.st = st;
	r.report = report;
	r.ctx = ctx;
	r.res = res;
	rc = load_linked(st, 0, &r.v, &r.n);
	if (rc)
		return rc;
	res->linked = r.n;
	walk(&r, dir, 0);
	for (i = 0; i < r.n; i++) {
		struct stat ab;
		if (r.v[i].done)
			continue;
		if (stat(r.v[i].path, &ab) < 0 || ab.st_size != r.v[i].bytes ||
		    (r.v[i].link == 1 && mtime_of(&ab) != r.v[i].mtime_ns)) {
			say(&r, &r.v[i], NULL, LB_RELINK_NOT_FOUND, NULL);
			res->not_found++;
		}
	}
	linked_free(r.v, r.n);
	return r.rc;
}
