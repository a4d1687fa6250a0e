/*
 * purge.c - lightbox purge: frees the asset files of candidates the team
 * ruled out (rejected, or rated below a mark), keeping every row.
 *
 * Until a purge runs, a rejection is a rating like any other, which undo
 * reverses.  A purge frees a file only when no candidate outside the
 * purge, no selection and no delivery refers to its bytes.  It never
 * holds a write transaction across file work: the plan is read; the files
 * are moved aside into assets/tmp (outside any transaction); one short
 * transaction checks each again, marks its asset row purged and logs the
 * purge; after the commit the files moved aside are deleted, and those
 * the check refused are put back.  A crash leaves at worst a file in
 * assets/tmp and its row unmarked, which the next purge marks.
 *
 * `lightbox gc` is another thing: it removes files no row names at all
 * (what a crash left); purge frees files whose rows stay, marked purged.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-private.h"

void lb_purge_plan_clear(struct lb_purge_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].sha256);
		free(p->v[i].path);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* The candidates ruled out in scope, with why their file may not go. */
#define RULED_OUT                                                                                  \
	"WITH ro AS (SELECT c.id, c.asset_id FROM candidate c JOIN brief b ON b.id = c.brief_id"   \
	" WHERE b.project_id = ?1 AND (?2 = 0 OR c.brief_id = ?2) AND c.asset_id IS NOT NULL"      \
	" AND NOT EXISTS (SELECT 1 FROM selection s WHERE s.candidate_id = c.id)"                 \
	" AND ((?3 AND EXISTS (SELECT 1 FROM rating r WHERE r.candidate_id = c.id"                \
	"        AND r.flag = 'reject')"                                                         \
	"      AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.candidate_id = c.id"                \
	"        AND r.flag = 'pick'))"                                                          \
	"   OR (?4 > 0 AND (SELECT avg(r.stars) FROM rating r WHERE r.candidate_id = c.id) < ?4"  \
	"      AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.candidate_id = c.id"                \
	"        AND r.flag = 'pick')))"                                                         \
	" AND (SELECT max(r.updated) FROM rating r WHERE r.candidate_id = c.id) <= ?5)"

int store_purge_plan(struct store *st, const struct lb_purge_options *o, struct lb_purge_plan *p)
{
	db_stmt *s;
	size_t cap = 0;
	int rc;

	memset(p, 0, sizeof *p);
	if (!o->rejected && o->below <= 0)
		return st_fail(st, STORE_EINVAL,
			       "say which candidates are ruled out: --rejected, --below STARS, or both");
	if (o->below < 0 || o->below > 5)
		return st_fail(st, STORE_EINVAL, "--below takes 1 to 5 stars");
	s = st_prep(st, RULED_OUT
		    " SELECT ro.id, a.id, a.sha256, a.ext, a.bytes, a.purged,"
		    "  EXISTS (SELECT 1 FROM candidate x WHERE x.asset_id = ro.asset_id"
		    "   AND x.id NOT IN (SELECT id FROM ro)),"
		    "  EXISTS (SELECT 1 FROM delivered d WHERE d.asset_id = ro.asset_id)"
		    " FROM ro JOIN asset a ON a.id = ro.asset_id ORDER BY a.id, ro.id");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, o->project_id);
	db_bind_int64(s, 2, o->brief_id);
	db_bind_int(s, 3, o->rejected);
	db_bind_int(s, 4, o->below);
	db_bind_int64(s, 5, util_now() - o->older);
	while ((rc = db_step(s)) == DB_ROW) {
		struct lb_purge_item *it;
		const char *ext = (const char *)db_column_text(s, 3);
		if (db_column_type(s, 5) != DB_NULL) {
			p->n_purged++; /* freed before */
			continue;
		}
		if (p->n && p->v[p->n - 1].asset_id == db_column_int64(s, 1)) {
			p->v[p->n - 1].n_candidates++;
			continue;
		}
		if (p->n == cap) {
			cap = cap ? cap * 2 : 64;
			p->v = xrealloc(p->v, cap * sizeof *p->v);
		}
		it = &p->v[p->n++];
		memset(it, 0, sizeof *it);
		it->candidate_id = db_column_int64(s, 0);
		it->asset_id = db_column_int64(s, 1);
		it->sha256 = st_col_text(s, 2);
		it->path = store_asset_path(st, it->sha256, ext ? ext : "bin");
		it->bytes = db_column_int64(s, 4);
		it->n_candidates = 1;
		it->kept = db_column_int(s, 6) ? LB_PURGE_KEPT_SHARED
			   : db_column_int(s, 7) ? LB_PURGE_KEPT_DELIVERED
						      : 0;
		if (it->kept)
			p->n_kept++;
		else
			p->bytes += it->bytes;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_purge_plan_clear(p);
		return st_sqlfail(st, rc, "finding what to purge");
	}
	return 0;
}

const char *lb_purge_kept_why(int kept)
{
	switch (kept) {
	case LB_PURGE_KEPT_SHARED: return "another candidate or a selection uses the same file";
	case LB_PURGE_KEPT_DELIVERED: return "a delivery holds it";
	case LB_PURGE_KEPT_CHANGED: return "it changed while the purge ran";
	default: return "";
	}
}

/* The held name of an asset file while the purge decides. */
static char *held_name(struct store *st, const struct lb_purge_item *it)
{
	return xasprintf("%s/assets/tmp/purge.%s.%lld", store_dir(st), it->sha256, (long long)getpid());
}

int store_purge_run(struct store *st, const struct lb_purge_options *o, struct lb_purge_plan *p)
{
	db_stmt *chk, *mark;
	char **held = xcalloc(p->n + 1, sizeof *held), *tmp;
	int64_t now = util_now(), n_freed = 0, bytes = 0;
	size_t i;
	int rc = 0, still;
	struct sbuf ids;

	tmp = xasprintf("%s/assets/tmp", store_dir(st));
	util_mkdir_p(tmp);
	free(tmp);
	/* Out of sight first: a file that is gone already is marked all the same. */
	for (i = 0; i < p->n; i++) {
		if (p->v[i].kept)
			continue;
		held[i] = held_name(st, &p->v[i]);
		if (rename(p->v[i].path, held[i]) < 0) {
			if (errno != ENOENT) {
				p->v[i].kept = LB_PURGE_KEPT_CHANGED;
				p->n_kept++;
				p->bytes -= p->v[i].bytes;
			}
			xfree(&held[i]);
		}
	}
	sb_init(&ids);
	rc = st_begin(st);
	if (rc == 0) {
		chk = st_prep(st, RULED_OUT
			      " SELECT NOT EXISTS (SELECT 1 FROM candidate x WHERE x.asset_id = ?6"
			      "   AND x.id NOT IN (SELECT id FROM ro))"
			      " AND NOT EXISTS (SELECT 1 FROM delivered d WHERE d.asset_id = ?6)"
			      " AND EXISTS (SELECT 1 FROM ro WHERE ro.asset_id = ?6)");
		mark = st_prep(st, "UPDATE asset SET purged = ? WHERE id = ? AND purged IS NULL");
		if (chk == NULL || mark == NULL)
			rc = STORE_EIO;
		for (i = 0; i < p->n && rc == 0; i++) {
			if (p->v[i].kept)
				continue;
			db_bind_int64(chk, 1, o->project_id);
			db_bind_int64(chk, 2, o->brief_id);
			db_bind_int(chk, 3, o->rejected);
			db_bind_int(chk, 4, o->below);
			db_bind_int64(chk, 5, now - o->older);
			db_bind_int64(chk, 6, p->v[i].asset_id);
			still = db_step(chk) == DB_ROW && db_column_int(chk, 0);
			db_reset(chk);
			if (!still) {
				/* Someone selected, picked or rated it meanwhile. */
				p->v[i].kept = LB_PURGE_KEPT_CHANGED;
				p->n_kept++;
				continue;
			}
			db_bind_int64(mark, 1, now);
			db_bind_int64(mark, 2, p->v[i].asset_id);
			rc = db_step(mark) == DB_DONE ? 0 : st_sqlfail(st, DB_ERROR, "marking a purged file");
			db_reset(mark);
			p->v[i].freed = 1;
			n_freed++;
			bytes += p->v[i].bytes;
			sb_addf(&ids, "%s%lld", ids.len ? "," : "", (long long)p->v[i].asset_id);
		}
		if (rc == 0 && n_freed) {
			char *after = xasprintf("{\"files\":%lld,\"bytes\":%lld,\"assets\":[%s]}",
						(long long)n_freed, (long long)bytes, ids.s);
			rc = st_event(st, "purge", o->brief_id ? "brief" : "project",
				      o->brief_id ? o->brief_id : o->project_id, 0, NULL, after, 0);
			free(after);
		}
		rc = st_end(st, rc);
	}
	sb_free(&ids);
	/* After the commit: the freed go, the rest come back. */
	for (i = 0; i < p->n; i++) {
		if (held[i] == NULL)
			continue;
		if (rc == 0 && p->v[i].freed)
			unlink(held[i]);
		else
			rename(held[i], p->v[i].path);
		free(held[i]);
	}
	free(held);
	if (rc)
		for (i = 0; i < p->n; i++)
			p->v[i].freed = 0;
	p->n_freed = rc ? 0 : n_freed;
	p->bytes = rc ? 0 : bytes;
	return rc;
}

int st_delivered_add(struct store *st, const int64_t *assets, size_t n, const char *dir, int mode)
{
	static const char *const modes[] = { "copy", "link", "symlink" };
	db_stmt *s;
	size_t i;
	int rc = st_begin(st);

	if (rc)
		return rc;
	s = st_prep(st, "INSERT OR REPLACE INTO delivered (asset_id, dir, mode, curator, created)"
			" VALUES (?, ?, ?, ?, ?)");
	if (s == NULL)
		rc = STORE_EIO;
	for (i = 0; i < n && rc == 0; i++) {
		db_bind_int64(s, 1, assets[i]);
		db_bind_text(s, 2, dir, -1, DB_STATIC);
		db_bind_text(s, 3, modes[mode >= 0 && mode <= 2 ? mode : 0], -1, DB_STATIC);
		db_bind_text(s, 4, store_curator(st), -1, DB_STATIC);
		db_bind_int64(s, 5, util_now());
		rc = db_step(s) == DB_DONE ? 0 : st_sqlfail(st, DB_ERROR, "recording the delivery");
		db_reset(s);
	}
	return st_end(st, rc);
}
