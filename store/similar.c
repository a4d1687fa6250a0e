/*
 * similar.c - fingerprints in the store (table `fingerprint`, one row per
 * asset), the candidates nearest to one, and stacks: a brief's candidates
 * grouped by fingerprint distance, best member first, and "keep best,
 * reject rest".  Grouping and nearest-first go through the Hamming index
 * of hamming.c.  No file is read here (fingerprint.c makes them).
 */
#include "config.h"

#include "stacks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "store-private.h"

/* ------------------------------------------------------------ fingerprints */

static void todo_row(db_stmt *s, void *out)
{
	struct lb_fp_todo *t = out;
	const char *sha = (const char *)db_column_text(s, 1);
	const char *ext = (const char *)db_column_text(s, 2);

	t->asset_id = db_column_int64(s, 0);
	snprintf(t->sha256, sizeof t->sha256, "%s", sha ? sha : "");
	snprintf(t->ext, sizeof t->ext, "%s", ext ? ext : "");
	t->video = db_column_int(s, 3);
}

int store_fp_todo(struct store *st, int64_t brief_id, int64_t after, int retry, int limit,
		  struct lb_fp_todo **out, size_t *n)
{
	/* An asset of the brief's picture and video candidates; DISTINCT
	 * because two candidates may share a file. */
	db_stmt *s = st_prep(
		st, "SELECT DISTINCT a.id, a.sha256, a.ext, c.modality = 'video' FROM candidate c "
		    "JOIN asset a ON a.id = c.asset_id "
		    "LEFT JOIN fingerprint f ON f.asset_id = a.id "
		    "WHERE (?1 = 0 OR c.brief_id = ?1) AND c.modality IN ('image', 'video') "
		    "AND a.id > ?2 AND (f.asset_id IS NULL OR (?3 AND f.fp IS NULL)) "
		    "ORDER BY a.id LIMIT ?4");

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	db_bind_int64(s, 2, after);
	db_bind_int(s, 3, retry != 0);
	db_bind_int(s, 4, limit);
	return st_list_rows(st, s, todo_row, (void **)out, n, sizeof **out,
			    "reading the candidates that have no fingerprint");
}

int store_fp_put(struct store *st, const struct lb_fp_result *r, size_t n)
{
	db_stmt *s;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	rc = st_begin(st);
	if (rc)
		return rc;
	s = st_prep(st, "INSERT OR REPLACE INTO fingerprint (asset_id, fp, error, made) "
			"VALUES (?, ?, ?, ?)");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	for (i = 0; i < n && rc == 0; i++) {
		db_reset(s);
		db_bind_int64(s, 1, r[i].asset_id);
		if (r[i].ok)
			db_bind_int64(s, 2, (int64_t)r[i].fp);
		else
			db_bind_null(s, 2);
		st_bind_text(s, 3, r[i].ok ? "" : (r[i].error ? r[i].error : "cannot be decoded"));
		db_bind_int64(s, 4, util_now());
		rc = st_step_done(st, s, "saving a fingerprint");
	}
	return st_end(st, rc);
}

int store_fp_counts(struct store *st, int64_t brief_id, int64_t *have, int64_t *missing,
		    int64_t *failed)
{
	db_stmt *s = st_prep(
		st, "SELECT count(f.fp), count(*) - count(f.asset_id), "
		    "count(f.asset_id) - count(f.fp) FROM candidate c "
		    "LEFT JOIN fingerprint f ON f.asset_id = c.asset_id "
		    "WHERE (?1 = 0 OR c.brief_id = ?1) AND c.modality IN ('image', 'video') "
		    "AND c.asset_id IS NOT NULL");
	int rc;

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*have = db_column_int64(s, 0);
		*missing = db_column_int64(s, 1);
		*failed = db_column_int64(s, 2);
	}
	db_reset(s);
	return rc == DB_ROW ? 0 : st_sqlfail(st, rc, "counting fingerprints");
}

int store_fp_get(struct store *st, int64_t candidate_id, uint64_t *fp)
{
	db_stmt *s = st_prep(
		st, "SELECT c.modality, f.asset_id IS NOT NULL, f.fp, f.error FROM candidate c "
		    "LEFT JOIN fingerprint f ON f.asset_id = c.asset_id WHERE c.id = ?");
	int rc, has_row, ret;
	char *mod, *err;

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, candidate_id);
	rc = db_step(s);
	if (rc == DB_DONE) {
		db_reset(s);
		return st_exists(st, "candidate", candidate_id);
	}
	if (rc != DB_ROW) {
		db_reset(s);
		return st_sqlfail(st, rc, "reading a fingerprint");
	}
	if (db_column_type(s, 2) == DB_INTEGER) {
		*fp = (uint64_t)db_column_int64(s, 2);
		db_reset(s);
		return 0;
	}
	mod = st_col_text(s, 0);
	has_row = db_column_int(s, 1);
	err = st_col_text(s, 3);
	db_reset(s);
	if (strcmp(mod, "image") != 0 && strcmp(mod, "video") != 0)
		ret = st_fail(st, STORE_EEMPTY,
			      "candidate #%lld is %s, and only pictures and videos have fingerprints",
			      (long long)candidate_id, mod);
	else if (has_row)
		ret = st_fail(st, STORE_EEMPTY,
			      "candidate #%lld has no fingerprint: %s; 'lightbox fingerprint --retry' "
			      "tries again",
			      (long long)candidate_id, err);
	else
		ret = st_fail(st, STORE_EEMPTY,
			      "candidate #%lld has no fingerprint yet; 'lightbox fingerprint' makes "
			      "the missing ones",
			      (long long)candidate_id);
	free(mod);
	free(err);
	return ret;
}

int store_fp_failures(struct store *st, int limit, int64_t **ids, char ***why, size_t *n)
{
	db_stmt *s = st_prep(st, "SELECT max(c.id), f.error FROM fingerprint f "
				      "JOIN candidate c ON c.asset_id = f.asset_id WHERE f.fp IS NULL "
				      "GROUP BY f.asset_id ORDER BY 1 DESC LIMIT ?");
	int rc;

	*ids = NULL;
	*why = NULL;
	*n = 0;
	if (s == NULL)
		return STORE_EIO;
	db_bind_int(s, 1, limit);
	while ((rc = db_step(s)) == DB_ROW) {
		*ids = xrealloc(*ids, sizeof **ids * (*n + 1));
		*why = xrealloc(*why, sizeof **why * (*n + 1));
		(*ids)[*n] = db_column_int64(s, 0);
		(*why)[(*n)++] = st_col_text(s, 1);
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the fingerprints that failed");
}

/* ------------------------------------------------------------ similar */

int store_fp_set(struct store *st, int scope, int64_t scope_id, struct lb_fp_set *out)
{
	static const char *const sql[] = {
		"SELECT c.id, c.brief_id, f.fp FROM candidate c JOIN fingerprint f "
		"ON f.asset_id = c.asset_id WHERE c.brief_id = ?1 AND f.fp IS NOT NULL ORDER BY c.id",
		"SELECT c.id, c.brief_id, f.fp FROM brief b JOIN candidate c ON c.brief_id = b.id "
		"JOIN fingerprint f ON f.asset_id = c.asset_id WHERE b.project_id = ?1 "
		"AND f.fp IS NOT NULL ORDER BY c.id",
		"SELECT c.id, c.brief_id, f.fp FROM candidate c JOIN fingerprint f "
		"ON f.asset_id = c.asset_id WHERE ?1 = ?1 AND f.fp IS NOT NULL ORDER BY c.id",
	};
	db_stmt *s;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (scope < LB_FP_BRIEF || scope > LB_FP_ALL)
		return st_fail(st, STORE_EINVAL, "unknown scope %d for similar candidates", scope);
	s = st_prep(st, sql[scope]);
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, scope_id);
	while ((rc = db_step(s)) == DB_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 256;
			out->id = xrealloc(out->id, sizeof *out->id * cap);
			out->brief = xrealloc(out->brief, sizeof *out->brief * cap);
			out->fp = xrealloc(out->fp, sizeof *out->fp * cap);
		}
		out->id[out->n] = db_column_int64(s, 0);
		out->brief[out->n] = db_column_int64(s, 1);
		out->fp[out->n++] = (uint64_t)db_column_int64(s, 2);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_fp_set_free(out);
		return st_sqlfail(st, rc, "reading fingerprints");
	}
	return 0;
}

void lb_fp_set_free(struct lb_fp_set *s)
{
	if (s->map) {
		munmap(s->map, s->maplen);
		memset(s, 0, sizeof *s);
		return;
	}
	free(s->id);
	free(s->brief);
	free(s->fp);
	memset(s, 0, sizeof *s);
}

size_t lb_similar_in(const struct lb_fp_set *set, const struct fp_index *ix, int64_t cand,
		     uint64_t fp, int maxd, size_t limit, struct lb_similar *out)
{
	uint32_t *pos = xmalloc(sizeof *pos * (limit + 1));
	int *dist = xmalloc(sizeof *dist * (limit + 1));
	size_t i, k, n = 0;

	/* one more than asked: the candidate itself is among them */
	k = ix ? fp_index_nearest(ix, fp, maxd, limit + 1, pos, dist)
	       : fp_scan_nearest(set->fp, set->n, fp, maxd, limit + 1, pos, dist);
	for (i = 0; i < k && n < limit; i++) {
		if (set->id[pos[i]] == cand)
			continue;
		out[n].id = set->id[pos[i]];
		out[n].brief_id = set->brief[pos[i]];
		out[n++].distance = dist[i];
	}
	free(pos);
	free(dist);
	return n;
}

/* ------------------------------------------------------------ stacks */

static size_t uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* Best first: not rejected, more of my stars, picked, higher pooled
 * score, older. */
static int better(const struct lb_stack_member *a, const struct lb_stack_member *b)
{
	int ra = a->my_flag == LB_FLAG_REJECT, rb = b->my_flag == LB_FLAG_REJECT;
	int pa = a->my_flag == LB_FLAG_PICK, pb = b->my_flag == LB_FLAG_PICK;
	double sa = isnan(a->score) ? -INFINITY : a->score, sb = isnan(b->score) ? -INFINITY : b->score;

	if (ra != rb)
		return rb;
	if (a->my_stars != b->my_stars)
		return a->my_stars > b->my_stars;
	if (pa != pb)
		return pa;
	if (sa != sb)
		return sa > sb;
	return a->id < b->id;
}

int lb_stack_member_better(const struct lb_stack_member *a, const struct lb_stack_member *b)
{
	return better(a, b);
}

struct sort_item {
	size_t root;    /* the stack, named by its oldest member's index */
	const struct lb_stack_member *m;
};

static int cmp_item(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;

	if (a->root != b->root)
		return a->root < b->root ? -1 : 1;
	return better(a->m, b->m) ? -1 : better(b->m, a->m) ? 1 : 0;
}

/* Grouping in steps, so a worker that has other tasks is never held
 * long: the radius queries of a step's fingerprints join their stacks. */
struct lb_grouper {
	struct lb_stacks *out;
	int distance;
	size_t *parent, *fpidx;
	uint64_t *fps;
	size_t nfp, next;
	uint32_t *near;
	size_t cap;
	struct fp_index *ix;
};

struct lb_grouper *lb_grouper_new(struct lb_stacks *out, int distance)
{
	struct lb_grouper *g = xcalloc(1, sizeof *g);
	size_t i, n = out->nmember;

	g->out = out;
	g->distance = distance;
	free(out->stack);
	out->stack = NULL;
	out->n = 0;
	out->unprinted = 0;
	g->parent = xmalloc(sizeof *g->parent * (n ? n : 1));
	g->fps = xmalloc(sizeof *g->fps * (n ? n : 1));
	g->fpidx = xmalloc(sizeof *g->fpidx * (n ? n : 1));
	for (i = 0; i < n; i++) {
		g->parent[i] = i;
		if (out->member[i].has_fp) {
			g->fpidx[g->nfp] = i;
			g->fps[g->nfp++] = out->member[i].fp;
		} else {
			out->unprinted++;
		}
	}
	g->ix = fp_index_new(g->fps, g->nfp);
	return g;
}

int lb_grouper_step(struct lb_grouper *g, size_t max)
{
	size_t i, j, k, end = g->next + max < g->nfp ? g->next + max : g->nfp;

	for (i = g->next; i < end; i++) {
		k = fp_index_within(g->ix, g->fps[i], g->distance, &g->near, &g->cap);
		for (j = 0; j < k; j++) {
			size_t a = uf_find(g->parent, g->fpidx[i]), b = uf_find(g->parent, g->fpidx[g->near[j]]);

			if (a != b) /* the older member names the stack */
				g->parent[a > b ? a : b] = a < b ? a : b;
		}
	}
	g->next = end;
	return g->next < g->nfp;
}

void lb_grouper_free(struct lb_grouper **pg)
{
	struct lb_grouper *g = *pg;

	if (g == NULL)
		return;
	fp_index_free(&g->ix);
	free(g->near);
	free(g->fps);
	free(g->fpidx);
	free(g->parent);
	free(g);
	*pg = NULL;
}

void lb_grouper_finish(struct lb_grouper **pg)
{
	struct lb_grouper *g = *pg;
	struct lb_stacks *out = g->out;
	size_t n = out->nmember, i;
	struct sort_item *items;
	struct lb_stack_member *sorted;

	while (lb_grouper_step(g, g->nfp))
		;
	if (n == 0) {
		lb_grouper_free(pg);
		return;
	}
	/* members are by id, so a stack's root (its lowest index) is its oldest */
	items = xmalloc(sizeof *items * n);
	for (i = 0; i < n; i++) {
		items[i].root = uf_find(g->parent, i);
		items[i].m = &out->member[i];
	}
	qsort(items, n, sizeof *items, cmp_item);
	sorted = xmalloc(sizeof *sorted * n);
	out->stack = xmalloc(sizeof *out->stack * n);
	for (i = 0; i < n; i++) {
		sorted[i] = *items[i].m;
		if (i == 0 || items[i].root != items[i - 1].root) {
			out->stack[out->n].first = i;
			out->stack[out->n++].n = 0;
		}
		out->stack[out->n - 1].n++;
	}
	free(items);
	free(out->member);
	out->member = sorted;
	lb_grouper_free(pg);
}

void lb_stacks_group(struct lb_stacks *out, int distance)
{
	struct lb_grouper *g = lb_grouper_new(out, distance);

	lb_grouper_finish(&g);
}

int store_stacks_members(struct store *st, int64_t brief_id, struct lb_stacks *out)
{
	db_stmt *s;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	rc = st_exists(st, "brief", brief_id);
	if (rc)
		return rc;
	/* The pooled score of a candidate blind review hides from me is none. */
	s = st_prep(st, "SELECT c.id, f.fp, r.stars, r.flag, CASE WHEN r.curator IS NULL AND (SELECT b.blind"
			" FROM brief b WHERE b.id = c.brief_id) THEN NULL ELSE c.score END FROM candidate c "
			"LEFT JOIN fingerprint f ON f.asset_id = c.asset_id "
			"LEFT JOIN rating r ON r.brief_id = c.brief_id AND r.candidate_id = c.id "
			"AND r.curator = ?2 WHERE c.brief_id = ?1 ORDER BY c.id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, brief_id);
	st_bind_text(s, 2, store_curator(st));
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_stack_member *m;
		const char *flag = (const char *)db_column_text(s, 3);

		if (out->nmember == cap) {
			cap = cap ? cap * 2 : 64;
			out->member = xrealloc(out->member, sizeof *out->member * cap);
		}
		m = &out->member[out->nmember++];
		m->id = db_column_int64(s, 0);
		m->has_fp = db_column_type(s, 1) == DB_INTEGER;
		m->fp = (uint64_t)db_column_int64(s, 1);
		m->my_stars = db_column_type(s, 2) == DB_INTEGER ? db_column_int(s, 2) : -1;
		m->my_flag = flag ? lb_flag_parse(flag) : LB_FLAG_NONE;
		if (m->my_flag < 0)
			m->my_flag = LB_FLAG_NONE;
		m->score = db_column_type(s, 4) == DB_NULL ? NAN : db_column_double(s, 4);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_stacks_free(out);
		return st_sqlfail(st, rc, "reading the brief's candidates for stacks");
	}
	return 0;
}

int store_stacks(struct store *st, int64_t brief_id, int distance, struct lb_stacks *out)
{
	int rc = store_stacks_members(st, brief_id, out);

	if (rc == 0)
		lb_stacks_group(out, distance);
	return rc;
}

void lb_stacks_free(struct lb_stacks *s)
{
	free(s->member);
	free(s->stack);
	memset(s, 0, sizeof *s);
}

int store_stacks_keep_best(struct store *st, const struct lb_stacks *s, long i, size_t *rejected)
{
	size_t a, b, m, done = 0;
	int rc, erc;

	if (rejected)
		*rejected = 0;
	if (i >= (long)s->n || i < -1)
		return st_fail(st, STORE_EINVAL, "there is no stack %ld (the brief has %zu)", i + 1,
			       s->n);
	a = i < 0 ? 0 : (size_t)i;
	b = i < 0 ? s->n : (size_t)i + 1;
	rc = store_batch_begin(st, i < 0 ? "keep the best of every stack" : "keep the best of a stack");
	if (rc)
		return rc;
	for (; a < b && rc == 0; a++)
		for (m = 1; m < s->stack[a].n && rc == 0; m++) {
			const struct lb_stack_member *x = &s->member[s->stack[a].first + m];

			if (x->my_flag == LB_FLAG_REJECT)
				continue;
			rc = store_flag(st, x->id, LB_FLAG_REJECT);
			done += rc == 0;
		}
	erc = store_batch_end(st, rc == 0);
	if (rc == 0)
		rc = erc;
	if (rc == 0 && rejected)
		*rejected = done;
	return rc;
}
