/*
 * gc.c - asset files nothing refers to.  A file under assets/ is an
 * orphan when no candidate refers to its asset (or it has no row at all,
 * or it is a leftover temporary file), no job's manifest lists it (a job
 * may still record it), and it has not been written or touched for the
 * grace period: a file a job or an import is about to record is fresh
 * (asset.c renews the mtime of a file it finds already there).
 *
 * Removal checks each file again just before: its mtime, the manifests,
 * and, in a short transaction that deletes an unused row, that no
 * candidate refers to it.  What stays open is a writer that finds the
 * old file in the microseconds between that last mtime check and the
 * unlink; a job then fails saying its output file is missing (the
 * record checks the files), and only a file unreferenced for the whole
 * grace period is ever at stake.  Closing it would need a lock held by
 * every writer from its "already there" check to its commit.
 */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

void lb_gc_list_free(struct lb_gc_list *l)
{
	size_t i;

	for (i = 0; l->v && i < l->n; i++)
		free(l->v[i].path);
	xfree(&l->v);
	l->n = 0;
	l->bytes = 0;
}

/* The SHA-256s every job manifest lists, sorted (char *). */
static int manifest_shas(struct store *st, char ***out, size_t *n)
{
	int64_t *ids = NULL;
	size_t nids = 0, i, k, cap = 0;
	int rc = store_job_manifests(st, &ids, &nids);

	*out = NULL;
	*n = 0;
	for (i = 0; rc == 0 && i < nids; i++) {
		struct lb_job_output *v = NULL;
		size_t nv = 0;
		char *runner = NULL;

		if (store_job_manifest_read(st, ids[i], &runner, &v, &nv) != 0)
			continue; /* gone meanwhile (recorded), or unreadable */
		for (k = 0; k < nv; k++) {
			if (!*v[k].sha256)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				*out = xrealloc(*out, cap * sizeof **out);
			}
			(*out)[(*n)++] = xstrdup(v[k].sha256);
		}
		lb_job_outputs_free(&v, nv);
		free(runner);
	}
	free(ids);
	if (*n)
		qsort(*out, *n, sizeof **out, st_cmp_str);
	return rc;
}

static void free_strs(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* 1 when a candidate refers to the asset of that SHA-256. */
static int referenced(struct store *st, const char *sha, int *has_row, int *rc)
{
	db_stmt *s = st_prep(st, "SELECT a.id, EXISTS (SELECT 1 FROM candidate c WHERE c.asset_id = a.id)"
				      " FROM asset a WHERE a.sha256 = ?");
	int r, ref = 0;

	*has_row = 0;
	if (s == NULL) {
		*rc = STORE_EIO;
		return 1;
	}
	st_bind_text(s, 1, sha);
	r = db_step(s);
	if (r == DB_ROW) {
		*has_row = 1;
		ref = db_column_int(s, 1);
	} else if (r != DB_DONE) {
		*rc = st_sqlfail(st, r, "looking up an asset");
		ref = 1;
	}
	db_reset(s);
	return ref;
}

static int is_hex64(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void add(struct lb_gc_list *l, size_t *cap, char *path, const char *sha, const struct stat *sb, int row)
{
	struct lb_gc_item *it;

	if (l->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		l->v = xrealloc(l->v, *cap * sizeof *l->v);
	}
	it = &l->v[l->n++];
	memset(it, 0, sizeof *it);
	it->path = path;
	snprintf(it->sha256, sizeof it->sha256, "%s", sha ? sha : "");
	it->bytes = (int64_t)sb->st_size;
	it->mtime = (int64_t)sb->st_mtime;
	it->has_row = row;
	l->bytes += it->bytes;
}

int store_gc_find(struct store *st, int64_t grace, struct lb_gc_list *out)
{
	char *top = xasprintf("%s/assets", st->dir), **keep = NULL;
	size_t nkeep = 0, cap = 0;
	int64_t before = util_now() - grace;
	DIR *d = opendir(top), *sub;
	struct dirent *e, *f;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (d == NULL) {
		if (errno != ENOENT)
			rc = st_fail(st, STORE_EIO, "cannot read %s: %s", top, strerror(errno));
		free(top);
		return rc;
	}
	rc = manifest_shas(st, &keep, &nkeep);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *dir;
		int tmp = strcmp(e->d_name, "tmp") == 0;

		if (e->d_name[0] == '.' || (!tmp && strlen(e->d_name) != 2))
			continue;
		dir = xasprintf("%s/%s", top, e->d_name);
		sub = opendir(dir);
		while (sub && rc == 0 && (f = readdir(sub)) != NULL) {
			char *path, sha[65];
			const char *dot = strchr(f->d_name, '.');
			struct stat sb;
			int row = 0;

			if (f->d_name[0] == '.')
				continue;
			path = xasprintf("%s/%s", dir, f->d_name);
			if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || (int64_t)sb.st_mtime > before) {
				free(path);
				continue;
			}
			if (tmp) {
				/* A leftover of a write that never finished. */
				add(out, &cap, path, NULL, &sb, 0);
				continue;
			}
			if (dot == NULL || dot - f->d_name != 64 || !is_hex64(f->d_name)) {
				free(path); /* not lightbox's: never touched */
				continue;
			}
			memcpy(sha, f->d_name, 64);
			sha[64] = '\0';
			if (referenced(st, sha, &row, &rc) ||
			    (nkeep && bsearch(&(const char *){ sha }, keep, nkeep, sizeof *keep, st_cmp_str))) {
				free(path);
				continue;
			}
			add(out, &cap, path, sha, &sb, row);
		}
		if (sub)
			closedir(sub);
		free(dir);
	}
	closedir(d);
	free(top);
	free_strs(keep, nkeep);
	if (rc)
		lb_gc_list_free(out);
	return rc;
}

int store_gc_remove(struct store *st, struct lb_gc_list *l, int64_t grace, size_t *removed, int64_t *freed)
{
	char **keep = NULL;
	size_t nkeep = 0, i;
	int64_t before = util_now() - grace;
	int rc;

	*removed = 0;
	*freed = 0;
	/* Manifests written since the list was made protect their files too. */
	rc = manifest_shas(st, &keep, &nkeep);
	for (i = 0; rc == 0 && i < l->n; i++) {
		struct lb_gc_item *it = &l->v[i];
		struct stat sb;
		int row = 0;

		it->removed = 0;
		if (lstat(it->path, &sb) < 0 || (int64_t)sb.st_mtime > before)
			continue; /* gone, or touched since: someone is recording it */
		if (*it->sha256) {
			if (nkeep && bsearch(&(const char *){ it->sha256 }, keep, nkeep, sizeof *keep, st_cmp_str))
				continue;
			/* The row goes first, in a short transaction that checks
			 * again that no candidate refers to it. */
			rc = st_begin(st);
			if (rc)
				break;
			if (referenced(st, it->sha256, &row, &rc)) {
				st_end(st, rc);
				continue;
			}
			if (row) {
				db_stmt *s = st_prep(st, "DELETE FROM asset WHERE sha256 = ?");

				if (s == NULL) {
					rc = st_end(st, STORE_EIO);
					break;
				}
				st_bind_text(s, 1, it->sha256);
				rc = st_step_done(st, s, "removing an unused asset");
			}
			rc = st_end(st, rc);
			if (rc)
				break;
		}
		if (lstat(it->path, &sb) == 0 && (int64_t)sb.st_mtime > before)
			continue; /* touched while the row went: it is wanted again */
		if (unlink(it->path) < 0 && errno != ENOENT) {
			rc = st_fail(st, STORE_EIO, "cannot remove %s: %s", it->path, strerror(errno));
			break;
		}
		it->removed = 1;
		(*removed)++;
		*freed += it->bytes;
	}
	free_strs(keep, nkeep);
	return rc;
}
