/*
 * export.c - the project's selection record as JSON, CSV or Markdown,
 * and a copy of the chosen assets with a MANIFEST.sha256.
 *
 * The record is streamed (one candidate in memory at a time) inside one
 * read transaction, so it is a consistent snapshot however large the
 * project and whoever is curating meanwhile.  Nothing half-written is
 * ever left under a final name: the record goes to a temporary file that
 * is fsynced and renamed; the copy folder is built as a hidden sibling of
 * its destination, synced, and renamed into place (an existing folder is
 * replaced only with force, and only when it is an earlier export of this
 * store holding nothing else).  This file gathers each candidate and walks
 * the project; export-format.c writes the three formats (doc/export.md
 * documents them), export-copy.c the files and folders.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"
#include "export-private.h"

void lb_export_result_clear(struct lb_export_result *r)
{
	free(r->record_path);
	free(r->kept);
	memset(r, 0, sizeof *r);
}

void ex_item_clear(struct item *it)
{
	size_t i;

	lb_candidate_clear(&it->c);
	free(it->file);
	free(it->prompt);
	free(it->negative);
	free(it->use);
	free(it->integration);
	free(it->sel_by);
	lb_rating_list_free(&it->ratings);
	for (i = 0; i < it->ntags; i++) {
		free(it->tags[i].name);
		free(it->tags[i].curator);
	}
	free(it->tags);
	lb_note_list_free(&it->notes);
	memset(it, 0, sizeof *it);
}

/* ------------------------------------------------------------ gathering */

static int read_tags(struct store *st, int64_t cand, struct item *it)
{
	db_stmt *s = st_prep(st, "SELECT t.name, ct.curator, ct.created FROM candidate_tag ct"
				      " JOIN tag t ON t.id = ct.tag_id WHERE ct.candidate_id = ? ORDER BY t.name");
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, cand);
	while ((rc = db_step(s)) == DB_ROW) {
		if (it->ntags == cap) {
			cap = cap ? cap * 2 : 4;
			it->tags = xrealloc(it->tags, cap * sizeof *it->tags);
		}
		it->tags[it->ntags].name = st_col_text(s, 0);
		it->tags[it->ntags].curator = st_col_text(s, 1);
		it->tags[it->ntags++].created = db_column_int64(s, 2);
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading tags");
}

static int read_selection(struct store *st, int64_t cand, struct item *it)
{
	db_stmt *s = st_prep(st, "SELECT intended_use, integration, curator, created FROM selection"
				      " WHERE candidate_id = ?");
	int rc;

	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, cand);
	rc = db_step(s);
	if (rc == DB_ROW) {
		it->has_sel = 1;
		it->use = st_col_text(s, 0);
		it->integration = st_col_text(s, 1);
		it->sel_by = st_col_text(s, 2);
		it->sel_at = db_column_int64(s, 3);
	}
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the selection");
}

int ex_gather(struct ex *x, int64_t id, int n, struct item *it)
{
	size_t i;
	int rc;

	memset(it, 0, sizeof *it);
	it->n = n;
	rc = store_candidate_get(x->st, id, &it->c);
	if (rc == 0 && it->c.revision_id != x->cur_rev_id) {
		lb_revision_clear(&x->rev);
		rc = store_revision_get(x->st, it->c.revision_id, &x->rev);
		x->cur_rev_id = rc == 0 ? it->c.revision_id : 0;
	}
	if (rc == 0)
		rc = store_ratings(x->st, id, &it->ratings);
	if (rc == 0)
		rc = read_tags(x->st, id, it);
	if (rc == 0)
		rc = store_notes(x->st, LB_ON_CANDIDATE, id, &it->notes);
	if (rc == 0)
		rc = read_selection(x->st, id, it);
	if (rc)
		return rc;
	it->prompt = xstrdup(*it->c.prompt ? it->c.prompt : x->rev.f.prompt);
	it->negative = xstrdup(*it->c.negative ? it->c.negative : x->rev.f.negative);
	/* (store_ranking leaves out what blind review hides.) */
	for (i = 0; i < x->rank.n; i++)
		if (x->rank.v[i].candidate_id == id) {
			it->has_score = 1;
			it->score = x->rank.v[i].score;
			it->se = x->rank.v[i].se;
			it->judged = x->rank.v[i].n;
		}
	return 0;
}

/* ------------------------------------------------------------ the walk */

/* Blind review: the rating rows r of c that the exporting curator (?6)
 * may see choose the candidates, as they fill the record. */
#define R_VISIBLE ST_VISIBLE_TO("?1", "c.id", "r.curator", "?6")

int ex_brief_candidates(struct ex *x, int64_t brief_id, int64_t **ids, size_t *n)
{
	const struct lb_export_options *o = x->o;
	struct query q;
	db_stmt *s;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	/* ?1..?5 are the options, ?6 the curator; a query's bindings follow. */
	q_init(&q, 7);
	sb_adds(&q.sql, "SELECT c.id FROM candidate c LEFT JOIN selection s ON s.candidate_id = c.id"
			" WHERE c.brief_id = ?1 AND (?2 OR s.id IS NOT NULL)"
			" AND (NOT ?3 OR EXISTS (SELECT 1 FROM rating r WHERE r.brief_id = ?1"
			"  AND r.candidate_id = c.id AND r.flag = 'pick'" R_VISIBLE "))"
			" AND (?4 = 0 OR (SELECT avg(r.stars) FROM rating r WHERE r.brief_id = ?1"
			"  AND r.candidate_id = c.id" R_VISIBLE ") >= ?4)"
			" AND (?5 IS NULL OR EXISTS (SELECT 1 FROM candidate_tag ct JOIN tag t ON t.id = ct.tag_id"
			"  WHERE ct.candidate_id = c.id AND t.name = ?5))");
	q.brief_id = brief_id;
	if (st_query_where(x->st, &q, o->query) != 0) {
		rc = q.err;
		q_free(&q);
		return rc;
	}
	sb_adds(&q.sql, " ORDER BY s.id IS NULL, s.id, c.id");
	s = st_prep(x->st, q.sql.s);
	if (s == NULL) {
		q_free(&q);
		return STORE_EIO;
	}
	db_bind_int64(s, 1, brief_id);
	db_bind_int(s, 2, o->all);
	db_bind_int(s, 3, o->picked);
	db_bind_int(s, 4, o->min_stars);
	st_bind_text(s, 5, o->tag);
	st_bind_text(s, 6, store_curator(x->st));
	q_bind(s, &q);
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = db_column_int64(s, 0);
	}
	db_reset(s);
	q_free(&q);
	if (rc != DB_DONE) {
		xfree(ids);
		*n = 0;
		return st_sqlfail(x->st, rc, "listing candidates");
	}
	return 0;
}

/* The earlier revisions the candidates were made from, oldest first. */
static int earlier_revisions(struct ex *x, const int64_t *ids, size_t n, struct lb_revision_list *out)
{
	int64_t *revs = xcalloc(n + 1, sizeof *revs);
	size_t i, k, nr = 0, cap = 0;
	int rc = 0;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < n && rc == 0; i++) {
		db_stmt *s = st_prep(x->st, "SELECT revision_id FROM candidate WHERE id = ?");
		if (s == NULL) {
			rc = STORE_EIO;
			break;
		}
		db_bind_int64(s, 1, ids[i]);
		if (db_step(s) == DB_ROW) {
			int64_t r = db_column_int64(s, 0);
			for (k = 0; k < nr && revs[k] != r; k++)
				;
			if (k == nr && r != x->b.revision_id)
				revs[nr++] = r;
		}
		db_reset(s);
	}
	for (i = 0; i < nr && rc == 0; i++) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 4;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		rc = store_revision_get(x->st, revs[i], &out->v[out->n]);
		if (rc == 0)
			out->n++;
	}
	free(revs);
	/* Oldest first. */
	for (i = 1; i < out->n; i++)
		for (k = i; k > 0 && out->v[k].rev < out->v[k - 1].rev; k--) {
			struct lb_revision t = out->v[k];
			out->v[k] = out->v[k - 1];
			out->v[k - 1] = t;
		}
	return rc;
}

static int export_brief(struct ex *x, const struct lb_brief *b)
{
	struct lb_revision cur;
	struct lb_revision_list earlier = { 0 };
	int64_t *ids = NULL;
	size_t n = 0, i;
	struct item it;
	int rc;

	rc = ex_brief_candidates(x, b->id, &ids, &n);
	if (rc)
		return rc;
	if (b->archived && n == 0) {
		free(ids);
		return 0;
	}
	if (x->o->format == LB_EXPORT_CSV && n == 0) {
		free(ids);
		return 0;
	}
	x->b = *b;
	x->slug = ex_brief_slug(x, b);
	x->n_briefs++;
	x->first_cand = 1;
	rc = store_revision_get(x->st, b->revision_id, &cur);
	if (rc == 0)
		rc = earlier_revisions(x, ids, n, &earlier);
	if (rc == 0)
		rc = store_ranking(x->st, b->id, NULL, &x->rank);
	if (rc == 0 && x->fmt->brief)
		x->fmt->brief(x, &cur, &earlier);
	for (i = 0; i < n && rc == 0; i++) {
		rc = ex_gather(x, ids[i], (int)i + 1, &it);
		if (rc == 0 && x->place)
			rc = x->place(x, &it);
		else if (rc == 0 && x->stage)
			rc = ex_copy_item(x, &it);
		if (rc == 0) {
			x->fmt->candidate(x, &it);
			x->n_cands++;
			x->n_selected += it.has_sel;
			x->first_cand = 0;
		}
		ex_item_clear(&it);
	}
	if (rc == 0 && x->fmt->brief_end)
		x->fmt->brief_end(x);
	lb_revision_clear(&cur);
	lb_revision_list_free(&earlier);
	lb_ranking_clear(&x->rank);
	memset(&x->b, 0, sizeof x->b);
	free(ids);
	return rc;
}

int ex_walk(struct ex *x)
{
	struct lb_brief_list bl;
	size_t i;
	int rc;

	rc = store_brief_list(x->st, x->proj.id, 1, &bl);
	if (rc)
		return rc;
	x->fmt->begin(x);
	for (i = 0; i < bl.n && rc == 0; i++)
		if (x->o->brief_id == 0 || bl.v[i].id == x->o->brief_id)
			rc = export_brief(x, &bl.v[i]);
	if (rc == 0 && x->fmt->end)
		x->fmt->end(x);
	lb_brief_list_free(&bl);
	return rc;
}

/* The project of x->o, and its brief when o->brief_id, checked: 0 or a code. */
int ex_open_project(struct ex *x)
{
	const struct lb_export_options *o = x->o;
	struct lb_brief b;
	int rc = store_project_get(x->st, o->project_id, &x->proj);

	if (rc || o->brief_id == 0)
		return rc;
	rc = store_brief_get(x->st, o->brief_id, &b);
	if (rc == 0 && b.project_id != o->project_id)
		rc = st_fail(x->st, STORE_EINVAL, "brief %lld belongs to another project",
			     (long long)o->brief_id);
	lb_brief_clear(&b);
	return rc;
}

/* ex_walk in one read transaction: a consistent snapshot while others curate. */
int ex_walk_snapshot(struct ex *x)
{
	struct store *st = x->st;
	int rc, own = 0;

	if (st->depth == 0 && db_get_autocommit(st->db)) {
		rc = st_exec(st, "BEGIN");
		if (rc)
			return rc;
		own = 1;
	}
	rc = ex_walk(x);
	if (own)
		st_exec(st, "COMMIT");
	return rc;
}

void ex_clear(struct ex *x)
{
	size_t i;

	for (i = 0; i < x->nslugs; i++)
		free(x->slugs[i]);
	free(x->slugs);
	sb_free(&x->manifest);
	lb_project_clear(&x->proj);
	lb_revision_clear(&x->rev);
	lb_ranking_clear(&x->rank);
}

/* ------------------------------------------------------------ the export */

/* The failure message names the place being made (copy_to), not the hidden
 * folder it was built in, which is gone once the export fails. */
static void name_dest(struct store *st, int rc, const char *stage, const char *copy_to)
{
	const char *msg = store_errmsg(st), *p;
	struct sbuf b;

	sb_init(&b);
	while ((p = strstr(msg, stage)) != NULL) {
		sb_add(&b, msg, (size_t)(p - msg));
		sb_adds(&b, copy_to);
		msg = p + strlen(stage);
	}
	sb_adds(&b, msg);
	st_fail(st, rc, "%s", b.s ? b.s : "");
	sb_free(&b);
}

int store_export(struct store *st, const struct lb_export_options *o, struct lb_export_result *res)
{
	struct ex x;
	struct out rec, out;
	struct listing old = {0};
	char *dest = NULL, *parent = NULL, *out_abs = NULL, *path = NULL, hex[65];
	int rc, fd, replace = 0;
	struct lb_export_options html_opts;
	char *html_json = NULL;
	size_t html_len = 0;

	memset(res, 0, sizeof *res);
	memset(&x, 0, sizeof x);
	ex_out_init(&rec);
	ex_out_init(&out);
	x.st = st;
	x.o = o;
	x.fmt = ex_format(o->format == LB_EXPORT_HTML ? LB_EXPORT_JSON : o->format);
	x.first = 1;
	sb_init(&x.manifest);
	util_iso8601(util_now(), x.now);
	if (o->format < LB_EXPORT_JSON || o->format > LB_EXPORT_HTML)
		return st_fail(st, STORE_EINVAL, "the export format is json, csv, md or html");
	if (o->format == LB_EXPORT_HTML && (!o->copy_to || o->out))
		return st_fail(st, STORE_EINVAL,
			       "the html export is a folder: give --copy-to DIR (the page is DIR/index.html, "
			       "beside the files and thumbnails it shows) and no --out");
	if (o->min_stars < 0 || o->min_stars > 5)
		return st_fail(st, STORE_EINVAL, "--min-stars takes 0 to 5");
	if (o->out == NULL && o->copy_to == NULL && o->to == NULL)
		return st_fail(st, STORE_EINVAL, "the export needs somewhere to go");
	rc = ex_open_project(&x);
	if (rc)
		goto out;
	if (o->copy_to) {
		dest = ex_abs_path(o->copy_to);
		parent = ex_parent_of(dest);
		if (o->out && strcmp(o->out, "-") != 0) {
			out_abs = ex_abs_path(o->out);
			if (strncmp(out_abs, dest, strlen(dest)) == 0 &&
			    out_abs[strlen(dest)] == '/') {
				rc = st_fail(st, STORE_EINVAL,
					     "--out points inside the --copy-to folder; leave "
					     "--out away: the "
					     "record is written there as selection.%s",
					     lb_export_format_name(o->format));
				goto out;
			}
		}
		rc = ex_check_copy_to(st, o, dest, &old, &replace);
		if (rc)
			goto out;
		if (util_mkdir_p(parent) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot create %s: %s", parent,
				     strerror(errno));
			goto out;
		}
		x.stage = xasprintf("%s/.%s.tmp.XXXXXX", parent, util_basename(dest));
		if (mkdtemp(x.stage) == NULL) {
			rc = st_fail(
				st, errno == EACCES || errno == EROFS ? STORE_EREADONLY : STORE_EIO,
				"cannot create a folder in %s: %s", parent, strerror(errno));
			xfree(&x.stage);
			goto out;
		}
		chmod(x.stage, 0777 & ~util_umask());
		x.rec_rel = o->format == LB_EXPORT_HTML
				    ? xstrdup("index.html")
				    : xasprintf("selection.%s", lb_export_format_name(o->format));
		path = xasprintf("%s/%s", x.stage, x.rec_rel);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0) {
			rc = st_fail(st, STORE_EIO, "cannot create %s: %s", path, strerror(errno));
			goto out;
		}
		ex_out_start(&rec, fd, 1, path);
		rec.sync = 1;
	} else {
		/* No --out: the caller's stream. */
		rc = ex_out_open(st, o->out ? o->out : "-", o->to, &rec);
		if (rc)
			goto out;
	}
	/* A stream can block until someone reads it: opened before the read
	 * transaction, so a waiting FIFO holds no snapshot. */
	if (o->copy_to && o->out) {
		rc = ex_out_open(st, o->out, o->to, &out);
		if (rc)
			goto out;
	}
	x.f = rec.f;
	if (o->format == LB_EXPORT_HTML) {
		/* The page is made from the JSON record (export-html.c). */
		html_opts = *o;
		html_opts.format = LB_EXPORT_JSON;
		x.o = &html_opts;
		x.f = open_memstream(&html_json, &html_len);
		if (x.f == NULL)
			fatal("out of memory");
	}
	rc = ex_walk_snapshot(&x);
	if (o->format == LB_EXPORT_HTML) {
		fclose(x.f);
		if (rc == 0)
			rc = ex_html(&x, html_json, html_len, rec.f);
		free(html_json);
	}
	x.f = NULL;
	if (rc == 0)
		rc = ex_out_close(st, &rec);
	if (rc == 0 && x.stage) {
		/* The manifest lists the record too: hash it as written. */
		if (ex_hash_path(path, hex) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot read back %s: %s", path,
				     strerror(errno));
			goto out;
		}
		sb_addf(&x.manifest, "%s  %s\n", hex, x.rec_rel);
		if (o->out)
			rc = ex_out_copy(st, &out, path);
		free(path);
		path = xasprintf("%s/MANIFEST.sha256", x.stage);
		if (rc == 0)
			rc = ex_write_new_file(st, path, x.manifest.s, x.manifest.len);
		if (rc == 0)
			rc = ex_write_marker(st, x.stage);
		if (rc == 0)
			rc = ex_sync_dir(st, x.stage);
		/* Flushed before the folder goes in place, renamed after it. */
		if (rc == 0 && out.f && fflush(out.f) != 0)
			rc = ex_write_fail(st, out.name, out.err ? out.err : errno);
		if (rc == 0)
			rc = ex_install_folder(st, &x.stage, dest, parent, replace, &old, &res->kept);
		if (rc == 0)
			res->record_path = xasprintf("%s/%s", o->copy_to, x.rec_rel);
		if (rc == 0 && o->out)
			rc = ex_out_close(st, &out);
	}
	if (rc)
		goto out;
	if (o->out && strcmp(o->out, "-") != 0) {
		free(res->record_path);
		res->record_path = xstrdup(o->out);
	}
	res->n_briefs = x.n_briefs;
	res->n_candidates = x.n_cands;
	res->n_files = x.n_files;
	res->bytes_copied = x.bytes;
out:
	ex_out_free(&rec);
	ex_out_free(&out);
	if (x.stage) {
		if (rc)
			name_dest(st, rc, x.stage, o->copy_to);
		ex_rm_rf(x.stage);
		free(x.stage);
	}
	ex_listing_free(&old);
	free(x.rec_rel);
	free(path);
	free(dest);
	free(parent);
	free(out_abs);
	ex_clear(&x);
	return rc;
}
