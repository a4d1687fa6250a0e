/*
 * query-stacks.c - the stacks the query term `stack:` looks at.  Stacks
 * are connected components over fingerprint distance, grouped in C
 * (store_stacks), not in SQL; so before a query with a stack term is
 * compiled, the stacks of the briefs it may see are written to a
 * temporary table of the connection, temp.lb_stack_of, one row per
 * candidate:
 *
 *     id       the candidate (the key: `s.id = c.id` is one lookup)
 *     brief_id its brief
 *     head     the best member of its stack (the stack's name)
 *     rank     0 for the best member, 1, 2 ... for the others
 *     size     how many the stack holds
 *     num      the stack's number as `lightbox stacks BRIEF` lists it
 *
 * The table is kept while the store does not change (st_change_mark:
 * PRAGMA data_version for other connections' commits, total_changes for
 * this one's), so the
 * pages of one list compute the stacks once.  A temporary table is the
 * connection's own: a read-only store can have one.
 */
#include "config.h"

#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "stacks.h"
#include "store-private.h"

/* What the table holds: for which briefs, under which state of the store. */
struct stack_cache {
	int distance;
	int64_t mark[2]; /* st_change_mark when it was filled */
	int64_t *brief;
	size_t n;
};

static int clamp(int d)
{
	return d < 0 ? 0 : d > 64 ? 64 : d;
}

/* The config is read once per process, before its stores are opened
 * (the interface's worker opens its own later). */
static _Atomic int default_distance = 10;

void store_stack_distance_default(int distance)
{
	default_distance = clamp(distance);
}

int st_stack_distance_default(void)
{
	return default_distance;
}

void store_set_stack_distance(struct store *st, int distance)
{
	st->stack_distance = clamp(distance);
}

void st_stack_cache_free(struct store *st)
{
	if (st->stack_cache) {
		free(st->stack_cache->brief);
		free(st->stack_cache);
		st->stack_cache = NULL;
	}
}

void st_change_mark(struct store *st, int64_t mark[2])
{
	mark[0] = -1;
	store_data_version(st, &mark[0]);
	mark[1] = (int64_t)db_total_changes64(st->db);
}

static int fill_brief(struct store *st, int64_t brief_id)
{
	struct lb_stacks s;
	db_stmt *ins;
	size_t i, k;
	int rc;

	rc = store_stacks(st, brief_id, st->stack_distance, &s);
	if (rc)
		return rc;
	ins = st_prep(st, "INSERT OR REPLACE INTO temp.lb_stack_of (id, brief_id, head, rank, size, num)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (ins == NULL) {
		lb_stacks_free(&s);
		return STORE_EIO;
	}
	for (i = 0; i < s.n && rc == 0; i++) {
		const struct lb_stack_member *m = &s.member[s.stack[i].first];
		for (k = 0; k < s.stack[i].n && rc == 0; k++) {
			db_bind_int64(ins, 1, m[k].id);
			db_bind_int64(ins, 2, brief_id);
			db_bind_int64(ins, 3, m[0].id);
			db_bind_int64(ins, 4, (db_int64)k);
			db_bind_int64(ins, 5, (db_int64)s.stack[i].n);
			db_bind_int64(ins, 6, (db_int64)i + 1);
			if (db_step(ins) != DB_DONE)
				rc = st_sqlfail(st, db_reset(ins), "keeping the stacks for a query");
			db_reset(ins);
		}
	}
	lb_stacks_free(&s);
	return rc;
}

/* The briefs a query over (brief_id, project_id) may see: that brief,
 * the project's, or all. */
int st_query_briefs(struct store *st, int64_t brief_id, int64_t project_id, int64_t **out, size_t *n)
{
	db_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (brief_id) {
		*out = xmalloc(sizeof **out);
		(*out)[(*n)++] = brief_id;
		return 0;
	}
	s = st_prep(st, "SELECT id FROM brief WHERE ?1 = 0 OR project_id = ?1 ORDER BY id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, project_id);
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = db_column_int64(s, 0);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return st_sqlfail(st, rc, "listing the briefs of a query");
	}
	return 0;
}

int st_stacks_ready(struct store *st, int64_t brief_id, int64_t project_id)
{
	struct stack_cache *c = st->stack_cache;
	int64_t *briefs, mark[2];
	size_t n, i, j;
	int rc;

	st_change_mark(st, mark);
	if (c && (c->distance != st->stack_distance || c->mark[0] != mark[0] || c->mark[1] != mark[1]))
		st_stack_cache_free(st), c = NULL;
	if (c == NULL) {
		if (db_exec(st->db,
				 "CREATE TEMP TABLE IF NOT EXISTS lb_stack_of (id INTEGER PRIMARY KEY,"
				 " brief_id INTEGER, head INTEGER, rank INTEGER, size INTEGER, num INTEGER);"
				 "DELETE FROM temp.lb_stack_of",
				 NULL, NULL, NULL) != DB_OK)
			return st_sqlfail(st, db_errcode(st->db), "making the table of stacks for a query");
		c = st->stack_cache = xcalloc(1, sizeof *c);
		c->distance = st->stack_distance;
	}
	rc = st_query_briefs(st, brief_id, project_id, &briefs, &n);
	for (i = 0; i < n && rc == 0; i++) {
		for (j = 0; j < c->n && c->brief[j] != briefs[i]; j++)
			;
		if (j < c->n)
			continue;
		rc = fill_brief(st, briefs[i]);
		if (rc == 0) {
			c->brief = xrealloc(c->brief, (c->n + 1) * sizeof *c->brief);
			c->brief[c->n++] = briefs[i];
		}
	}
	free(briefs);
	if (rc) {
		st_stack_cache_free(st);
		return rc;
	}
	st_change_mark(st, c->mark);
	return 0;
}
