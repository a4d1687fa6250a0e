/*
 * fp-cache.c - the store's fingerprinted candidates packed in one file,
 * cache/fingerprints.bin, for `lightbox similar --all`: reading a million
 * rows from SQLite takes a quarter second, mapping the file a millisecond.
 *
 * The file is a header (magic, the key it was made under, the count) and
 * three arrays of n: candidate ids, their briefs, their fingerprints, in
 * candidate order.  Its key is fp_generation.n (bumped by triggers when a
 * candidate or a fingerprint is added, removed or changed, schema 7), the
 * newest candidate id and the newest fingerprinted asset: all three are
 * one-row reads.  When the key differs, or the file is missing, short or
 * not ours, the set is read from the store and the file written again
 * (temp -> fsync -> rename, so a reader maps either the old file or the
 * new one whole).  A brief's or a project's similar candidates are taken
 * from the file too when it is current, but a stale file is not made
 * again for them (their index reads a small scope faster).  The key is read before the rows: a change in between
 * leaves the file under the older key, and the next query rebuilds it.
 */
#include "config.h"

#include "stacks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"
#include "util.h"

#define FP_MAGIC "LBFPSET1"

struct fp_head {
	char magic[8];
	int64_t gen, max_cand, max_asset, n;
};

static int fp_key(struct store *st, int64_t key[3])
{
	db_stmt *s = st_prep(st, "SELECT (SELECT n FROM fp_generation), "
				      "(SELECT max(id) FROM candidate), "
				      "(SELECT max(asset_id) FROM fingerprint)");
	int rc, i;

	if (s == NULL)
		return STORE_EIO;
	rc = db_step(s);
	for (i = 0; i < 3; i++)
		key[i] = rc == DB_ROW ? db_column_int64(s, i) : 0;
	db_reset(s);
	if (rc != DB_ROW)
		return st_sqlfail(st, rc, "reading the fingerprints' generation");
	return 0;
}

/* Maps path when it holds the set under key; 0 when it did. */
static int fp_map(const char *path, const int64_t key[3], struct lb_fp_set *out)
{
	const struct fp_head *h;
	struct stat sb;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0 || (size_t)sb.st_size < sizeof *h) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	h = map;
	if (memcmp(h->magic, FP_MAGIC, 8) != 0 || h->gen != key[0] || h->max_cand != key[1] ||
	    h->max_asset != key[2] || h->n < 0 ||
	    (uint64_t)h->n > ((uint64_t)sb.st_size - sizeof *h) / 24 ||
	    sizeof *h + 24 * (uint64_t)h->n != (uint64_t)sb.st_size) {
		munmap(map, (size_t)sb.st_size);
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->n = (size_t)h->n;
	out->id = (int64_t *)(h + 1);
	out->brief = out->id + out->n;
	out->fp = (uint64_t *)(out->brief + out->n);
	out->map = map;
	out->maplen = (size_t)sb.st_size;
	return 0;
}

/* Writes the set under key; a cache that cannot be written is only slower
 * next time (a read-only store, a full disk), so failures are not errors. */
static void fp_write(const char *path, const int64_t key[3], const struct lb_fp_set *set)
{
	size_t n = set->n, len = sizeof(struct fp_head) + 24 * n;
	char *buf = xmalloc(len);
	struct fp_head h;

	memset(&h, 0, sizeof h);
	memcpy(h.magic, FP_MAGIC, 8);
	h.gen = key[0];
	h.max_cand = key[1];
	h.max_asset = key[2];
	h.n = (int64_t)n;
	memcpy(buf, &h, sizeof h);
	if (n) {
		memcpy(buf + sizeof h, set->id, 8 * n);
		memcpy(buf + sizeof h + 8 * n, set->brief, 8 * n);
		memcpy(buf + sizeof h + 16 * n, set->fp, 8 * n);
	}
	(void)util_write_atomic(path, buf, len);
	free(buf);
}

static int in_briefs(int64_t b, const int64_t *briefs, size_t nb)
{
	return nb == 1 ? b == briefs[0] : bsearch(&b, briefs, nb, sizeof *briefs, st_cmp_i64) != NULL;
}

/* The rows of *set whose brief is in briefs (sorted) into out: counted
 * first, so the arrays are allocated once; when every row is in, out takes
 * the mapping itself (*set is then empty). */
static void fp_filter(struct lb_fp_set *set, const int64_t *briefs, size_t nb, struct lb_fp_set *out)
{
	size_t i, n = 0;

	memset(out, 0, sizeof *out);
	for (i = 0; i < set->n; i++)
		n += in_briefs(set->brief[i], briefs, nb);
	if (n == set->n) {
		*out = *set;
		memset(set, 0, sizeof *set);
		return;
	}
	out->id = xmalloc(sizeof *out->id * (n ? n : 1));
	out->brief = xmalloc(sizeof *out->brief * (n ? n : 1));
	out->fp = xmalloc(sizeof *out->fp * (n ? n : 1));
	for (i = 0; i < set->n; i++) {
		if (!in_briefs(set->brief[i], briefs, nb))
			continue;
		out->id[out->n] = set->id[i];
		out->brief[out->n] = set->brief[i];
		out->fp[out->n++] = set->fp[i];
	}
}

int store_fp_set_cached(struct store *st, int scope, int64_t scope_id, struct lb_fp_set *out,
			int *from_file)
{
	struct lb_fp_set all;
	const char *cache;
	char *path;
	int64_t key[3], *briefs = NULL;
	size_t nb = 0, cap = 0;
	db_stmt *s;
	int rc;

	if (scope == LB_FP_ALL)
		return store_fp_set_all(st, out, from_file);
	if (from_file)
		*from_file = 0;
	cache = st->depth ? NULL : store_cache_dir(st);
	if (cache == NULL || fp_key(st, key) != 0)
		return store_fp_set(st, scope, scope_id, out);
	path = xasprintf("%s/fingerprints.bin", cache);
	rc = fp_map(path, key, &all);
	free(path);
	/* a stale file is not made again for a brief or a project: the
	 * store's index reads a small scope faster than a rebuild */
	if (rc != 0)
		return store_fp_set(st, scope, scope_id, out);
	if (scope == LB_FP_BRIEF) {
		briefs = xmalloc(sizeof *briefs);
		briefs[nb++] = scope_id;
	} else {
		s = st_prep(st, "SELECT id FROM brief WHERE project_id = ? ORDER BY id");
		if (s == NULL) {
			lb_fp_set_free(&all);
			return STORE_EIO;
		}
		db_bind_int64(s, 1, scope_id);
		while ((rc = db_step(s)) == DB_ROW) {
			if (nb == cap) {
				cap = cap ? cap * 2 : 16;
				briefs = xrealloc(briefs, sizeof *briefs * cap);
			}
			briefs[nb++] = db_column_int64(s, 0);
		}
		db_reset(s);
		if (rc != DB_DONE) {
			free(briefs);
			lb_fp_set_free(&all);
			return st_sqlfail(st, rc, "reading the project's briefs");
		}
	}
	fp_filter(&all, briefs, nb, out);
	free(briefs);
	lb_fp_set_free(&all);
	if (from_file)
		*from_file = 1;
	return 0;
}

int store_fp_set_all(struct store *st, struct lb_fp_set *out, int *from_file)
{
	const char *cache;
	char *path = NULL;
	int64_t key[3];
	int rc;

	if (from_file)
		*from_file = 0;
	memset(out, 0, sizeof *out);
	if (st->depth)
		return store_fp_set(st, LB_FP_ALL, 0, out);
	if ((rc = fp_key(st, key)) != 0)
		return rc;
	cache = store_cache_dir(st);
	if (cache)
		path = xasprintf("%s/fingerprints.bin", cache);
	if (path && fp_map(path, key, out) == 0) {
		if (from_file)
			*from_file = 1;
		free(path);
		return 0;
	}
	rc = store_fp_set(st, LB_FP_ALL, 0, out);
	if (rc == 0 && path)
		fp_write(path, key, out);
	free(path);
	return rc;
}
