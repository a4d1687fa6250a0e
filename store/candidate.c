/*
 * candidate.c - candidates: adding them (with their search text), reading
 * one, and reading filtered, sorted lists a window at a time (keyset
 * pagination: a page starts after the last row's sort key and id, so the
 * millionth row costs what the first does).
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "store-private.h"

/* ------------------------------------------------------------ adding */

static int modality_of(struct store *st, const struct lb_candidate_input *in, const char **mod)
{
	db_stmt *s;
	const char *type;
	int rc;

	if (in->asset_id == 0) {
		*mod = "text";
		return 0;
	}
	s = st_prep(st, "SELECT media_type FROM asset WHERE id = ?");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, in->asset_id);
	rc = db_step(s);
	if (rc != DB_ROW) {
		db_reset(s);
		return rc == DB_DONE ? st_fail(st, STORE_ENOTFOUND, "no asset with id %lld",
						   (long long)in->asset_id)
					 : st_sqlfail(st, rc, "reading the asset");
	}
	type = (const char *)db_column_text(s, 0);
	if (type == NULL)
		*mod = "image";
	else if (strncmp(type, "text/", 5) == 0 || strcmp(type, "application/json") == 0)
		*mod = "text";
	else if (strncmp(type, "audio/", 6) == 0)
		*mod = "audio";
	else if (strncmp(type, "video/", 6) == 0)
		*mod = "video";
	else
		*mod = "image";
	db_reset(s);
	return 0;
}

static int params_ok(struct store *st, const char *params)
{
	json_t *j;

	if (params == NULL || *params == '\0')
		return 0;
	j = json_loads(params, 0, NULL);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		return st_fail(st, STORE_EINVAL, "candidate parameters must be a JSON object");
	}
	json_decref(j);
	return 0;
}

/* What add_many already looked up for the previous candidate. */
struct add_cache {
	int64_t brief, rev;
	int64_t asset;
	const char *mod;
};

static int add_one(struct store *st, const struct lb_candidate_input *in, struct add_cache *ac, int64_t *id)
{
	db_stmt *s;
	const char *mod = NULL;
	int64_t rev = in->revision_id;
	char *text;
	int rc;

	if (in->asset_id == 0 && in->body == NULL)
		return st_fail(st, STORE_EINVAL, "a candidate needs an asset or a text body");
	rc = params_ok(st, in->params);
	if (rc == 0 && in->brief_id != ac->brief) {
		rc = st_exists(st, "brief", in->brief_id);
		s = rc ? NULL : st_prep(st, "SELECT revision_id FROM brief WHERE id = ?");
		if (rc == 0 && s == NULL)
			return STORE_EIO;
		if (rc == 0) {
			db_bind_int64(s, 1, in->brief_id);
			if (db_step(s) == DB_ROW)
				ac->rev = db_column_int64(s, 0);
			db_reset(s);
			ac->brief = in->brief_id;
		}
	}
	if (rev == 0)
		rev = ac->rev;
	if (rc == 0 && in->parent_id)
		rc = st_exists(st, "candidate", in->parent_id);
	if (rc == 0 && (in->asset_id == 0 || in->asset_id != ac->asset)) {
		rc = modality_of(st, in, &ac->mod);
		ac->asset = in->asset_id;
	}
	mod = ac->mod;
	if (rc)
		return rc;
	s = st_prep(st, "INSERT INTO candidate (brief_id, revision_id, modality, asset_id, body, backend,"
			" model, seed, prompt, negative, params, parent_id, job_id, source, created)"
			" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, in->brief_id);
	db_bind_int64(s, 2, rev);
	st_bind_text(s, 3, mod);
	if (in->asset_id)
		db_bind_int64(s, 4, in->asset_id);
	st_bind_text(s, 5, in->body);
	st_bind_text(s, 6, in->backend ? in->backend : "");
	st_bind_text(s, 7, in->model ? in->model : "");
	if (in->has_seed)
		db_bind_int64(s, 8, in->seed);
	st_bind_text(s, 9, in->prompt ? in->prompt : "");
	st_bind_text(s, 10, in->negative ? in->negative : "");
	st_bind_text(s, 11, in->params && *in->params ? in->params : "{}");
	if (in->parent_id)
		db_bind_int64(s, 12, in->parent_id);
	if (in->job_id)
		db_bind_int64(s, 13, in->job_id);
	st_bind_text(s, 14, in->source ? in->source : "");
	db_bind_int64(s, 15, util_now());
	rc = st_step_done(st, s, "adding the candidate");
	if (rc)
		return rc;
	*id = db_last_insert_rowid(st->db);
	/* Only text of its own is indexed: the brief's text is indexed once
	 * per revision, not once per candidate. */
	if ((in->body && *in->body) || (in->prompt && *in->prompt) || (in->negative && *in->negative)) {
		s = st_prep(st, "INSERT INTO candidate_fts (rowid, text) VALUES (?, ?)");
		if (s == NULL)
			return STORE_EIO;
		text = xasprintf("%s\n%s\n%s", in->body ? in->body : "", in->prompt ? in->prompt : "",
				 in->negative ? in->negative : "");
		db_bind_int64(s, 1, *id);
		st_bind_text(s, 2, text);
		rc = st_step_done(st, s, "indexing the candidate");
		free(text);
	}
	return rc;
}

int store_candidate_add(struct store *st, const struct lb_candidate_input *in, int64_t *id)
{
	return store_candidate_add_many(st, in, 1, id);
}

int store_candidate_add_many(struct store *st, const struct lb_candidate_input *in, size_t n, int64_t *ids)
{
	struct add_cache ac = { 0 };
	size_t i;
	int64_t id = 0, first = 0;
	char after[96];
	int rc = st_begin(st);

	for (i = 0; i < n && rc == 0; i++) {
		rc = add_one(st, &in[i], &ac, &id);
		if (rc == 0 && ids)
			ids[i] = id;
		if (i == 0)
			first = id;
	}
	/* One event for the lot: an import of 10,000 files is one action. */
	if (rc == 0 && n > 0) {
		snprintf(after, sizeof after, "{\"count\":%zu,\"first\":%lld,\"last\":%lld}", n, (long long)first,
			 (long long)id);
		rc = st_event(st, "candidate-add", n == 1 ? "candidate" : "candidates", first, n == 1 ? first : 0,
			      NULL, after, 0);
	}
	return st_end(st, rc);
}

/* ------------------------------------------------------------ reading */

/* The body column sits between HEAD and TAIL: whole for one candidate, a
 * prefix in lists (a body may be megabytes); the last column is its
 * whole length. */
#define CAND_HEAD "c.id, c.brief_id, c.revision_id, r.rev, c.modality, c.asset_id, c.parent_id, c.job_id, "
#define CAND_TAIL                                                                                 \
	", c.backend, c.model, c.seed, c.prompt, c.negative, c.params, c.source, c.created," \
	" a.sha256, a.media_type, a.ext, a.bytes, a.width, a.height, a.duration,"                 \
	" my.stars, my.flag,"                                                                      \
	" (SELECT printf('%.6f %d %d %d', coalesce(avg(x.stars), 0), count(x.stars),"            \
	"   count(*) FILTER (WHERE x.flag = 'pick'), count(*) FILTER (WHERE x.flag = 'reject'))"  \
	"   FROM rating x WHERE x.brief_id = c.brief_id AND x.candidate_id = c.id"               \
	"   AND (my.curator IS NOT NULL OR x.curator = ?1"                                         \
	"   OR NOT (SELECT bb.blind FROM brief bb WHERE bb.id = c.brief_id))),"                   \
	" EXISTS (SELECT 1 FROM selection sel WHERE sel.candidate_id = c.id),"                     \
	" (SELECT group_concat(name, ',') FROM (SELECT t.name FROM candidate_tag ct"              \
	"   JOIN tag t ON t.id = ct.tag_id WHERE ct.candidate_id = c.id ORDER BY t.name)),"      \
	" CASE WHEN my.curator IS NULL AND (SELECT bb.blind FROM brief bb WHERE bb.id = c.brief_id)"     \
	"   THEN NULL ELSE c.score END,"                                                           \
	" length(CAST(c.body AS BLOB)), a.purged, a.link, a.mtime_ns "
#define CAND_SELECT CAND_HEAD "c.body" CAND_TAIL
#define CAND_LIST_SELECT CAND_HEAD "substr(c.body, 1, 4096)" CAND_TAIL
_Static_assert(LB_BODY_PREFIX == 4096, "CAND_LIST_SELECT spells LB_BODY_PREFIX");
#define CAND_JOINS                                                                                \
	" JOIN brief_revision r ON r.id = c.revision_id"                                          \
	" LEFT JOIN asset a ON a.id = c.asset_id"                                                 \
	" LEFT JOIN rating my ON my.brief_id = c.brief_id AND my.candidate_id = c.id"              \
	"  AND my.curator = ?1 "
#define CAND_COLS CAND_SELECT "FROM candidate c" CAND_JOINS
#define CAND_LIST_COLS CAND_LIST_SELECT "FROM candidate c" CAND_JOINS

const char *lb_asset_state_words(int state)
{
	switch (state) {
	case LB_ASSET_CHANGED:
		return "its linked file changed outside lightbox since it was imported (lightbox verify checks "
		       "it; lightbox relink DIR finds the original)";
	case LB_ASSET_MISSING:
		return "its linked file is gone from the store (lightbox relink DIR finds the original)";
	default:
		return NULL;
	}
}

static void cand_row(struct store *st, db_stmt *s, struct lb_candidate *c)
{
	const char *ext, *stats;

	memset(c, 0, sizeof *c);
	c->id = db_column_int64(s, 0);
	c->brief_id = db_column_int64(s, 1);
	c->revision_id = db_column_int64(s, 2);
	c->rev = db_column_int(s, 3);
	c->modality = lb_modality_parse((const char *)db_column_text(s, 4));
	c->asset_id = db_column_int64(s, 5);
	c->parent_id = db_column_int64(s, 6);
	c->job_id = db_column_int64(s, 7);
	c->body = st_col_text_or_null(s, 8);
	c->backend = st_col_text(s, 9);
	c->model = st_col_text(s, 10);
	c->has_seed = db_column_type(s, 11) != DB_NULL;
	c->seed = db_column_int64(s, 11);
	c->prompt = st_col_text(s, 12);
	c->negative = st_col_text(s, 13);
	c->params = st_col_text(s, 14);
	c->source = st_col_text(s, 15);
	c->created = db_column_int64(s, 16);
	if (c->asset_id) {
		c->sha256 = st_col_text(s, 17);
		c->media_type = st_col_text(s, 18);
		ext = (const char *)db_column_text(s, 19);
		c->path = store_asset_path(st, c->sha256, ext ? ext : "bin");
		c->bytes = db_column_int64(s, 20);
		c->width = db_column_int(s, 21);
		c->height = db_column_int(s, 22);
		c->duration = db_column_double(s, 23);
		c->purged = db_column_int64(s, 31);
		c->link = db_column_int(s, 32);
		if (c->link == 1 && !c->purged) {
			/* A hard link is the outside file itself: edited there, it
			 * is not what was recorded, and is never shown as if it were. */
			struct stat sb;
			int64_t mt = db_column_int64(s, 33);
			if (stat(c->path, &sb) < 0)
				c->asset_state = LB_ASSET_MISSING;
			else if (sb.st_size != c->bytes ||
				 (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec != mt)
				c->asset_state = LB_ASSET_CHANGED;
			if (c->asset_state)
				xfree(&c->path);
		}
	} else {
		c->media_type = xstrdup("text/plain");
		c->bytes = db_column_int64(s, 30);
	}
	c->my_stars = db_column_type(s, 24) == DB_NULL ? -1 : db_column_int(s, 24);
	c->my_flag = db_column_type(s, 25) == DB_NULL
			     ? LB_FLAG_NONE
			     : lb_flag_parse((const char *)db_column_text(s, 25));
	if (c->my_flag < 0)
		c->my_flag = LB_FLAG_NONE;
	/* The rating summary comes as one "mean n picks rejects" text: one
	 * range read of the rating b-tree per row instead of four. */
	stats = (const char *)db_column_text(s, 26);
	if (stats == NULL || sscanf(stats, "%lf %d %d %d", &c->mean_stars, &c->n_ratings, &c->n_picks,
				    &c->n_rejects) != 4) {
		c->mean_stars = 0;
		c->n_ratings = c->n_picks = c->n_rejects = 0;
	}
	c->selected = db_column_int(s, 27);
	c->tags = st_col_text(s, 28);
	c->score = db_column_type(s, 29) == DB_NULL ? NAN : db_column_double(s, 29);
}

int store_candidate_get(struct store *st, int64_t id, struct lb_candidate *out)
{
	db_stmt *s = st_prep(st, "SELECT " CAND_COLS "WHERE c.id = ?2");
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, st->curator);
	db_bind_int64(s, 2, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		cand_row(st, s, out);
		db_reset(s);
		return 0;
	}
	db_reset(s);
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, "reading the candidate");
	return st_fail(st, STORE_ENOTFOUND, "no candidate with id %lld; list them with 'lightbox candidate ls'",
		       (long long)id);
}

static int read_rows(struct store *st, db_stmt *s, struct lb_candidate_list *out, const char *doing)
{
	size_t cap = out->n;
	int rc;

	while ((rc = db_step(s)) == DB_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		cand_row(st, s, &out->v[out->n++]);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		lb_candidate_list_free(out);
		return st_sqlfail(st, rc, doing);
	}
	return 0;
}

int store_candidate_children(struct store *st, int64_t id, struct lb_candidate_list *out)
{
	db_stmt *s = st_prep(st, "SELECT " CAND_LIST_COLS "WHERE c.parent_id = ?2 ORDER BY c.id");

	out->v = NULL;
	out->n = 0;
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, st->curator);
	db_bind_int64(s, 2, id);
	return read_rows(st, s, out, "listing variations");
}

/* ------------------------------------------------------------ lists */

/* The rating rows x of c that blind review lets me (?1) see. */
#define X_VISIBLE ST_VISIBLE_TO("c.brief_id", "c.id", "x.curator", "?1")

/* vis: X_VISIBLE, or "" where no brief of the list is blind. */
static void rating_cond(struct query *q, const struct lb_filter *f, const char *vis, const char *cond)
{
	sb_adds(&q->sql, " EXISTS (SELECT 1 FROM rating x WHERE x.brief_id = c.brief_id AND x.candidate_id = c.id");
	sb_adds(&q->sql, vis);
	sb_adds(&q->sql, " AND ");
	if (f->curator) {
		sb_adds(&q->sql, "x.curator = ");
		q_text(q, f->curator);
		sb_adds(&q->sql, " AND ");
	}
	sb_adds(&q->sql, cond);
}

/* Appends " AND ..." conditions for f (a bad query sets q->err). */
static void where_filter(struct store *st, struct query *q, const struct lb_filter *f)
{
	const char *vis = (f->min_stars > 0 || f->max_stars > 0 || f->has_flag || f->unrated || f->rated) &&
					  st_scope_blind(st, f->brief_id, f->project_id)
				  ? X_VISIBLE
				  : "";

	if (f->brief_id) {
		sb_adds(&q->sql, " AND c.brief_id = ");
		q_int(q, f->brief_id);
	} else if (f->project_id) {
		sb_adds(&q->sql, " AND c.brief_id IN (SELECT id FROM brief WHERE project_id = ");
		q_int(q, f->project_id);
		sb_adds(&q->sql, ")");
	}
	if (f->min_stars > 0) {
		sb_adds(&q->sql, " AND");
		rating_cond(q, f, vis, "x.stars >= ");
		q_int(q, f->min_stars);
		sb_adds(&q->sql, ")");
	}
	if (f->max_stars > 0) {
		sb_adds(&q->sql, " AND");
		rating_cond(q, f, vis, "x.stars <= ");
		q_int(q, f->max_stars);
		sb_adds(&q->sql, ")");
	}
	if (f->has_flag && f->flag != LB_FLAG_NONE) {
		sb_adds(&q->sql, " AND");
		rating_cond(q, f, vis, "x.flag = ");
		q_text(q, lb_flag_name(f->flag));
		sb_adds(&q->sql, ")");
	} else if (f->has_flag) {
		sb_adds(&q->sql, " AND NOT");
		rating_cond(q, f, vis, "x.flag <> 'none')");
	}
	if (f->unrated) {
		sb_adds(&q->sql, " AND NOT EXISTS (SELECT 1 FROM rating x WHERE x.brief_id = c.brief_id"
				 " AND x.candidate_id = c.id");
		sb_adds(&q->sql, vis);
		sb_adds(&q->sql, " AND x.curator = ");
		q_text(q, f->curator ? f->curator : st->curator);
		sb_adds(&q->sql, ")");
	}
	if (f->rated) {
		sb_adds(&q->sql, " AND EXISTS (SELECT 1 FROM rating x WHERE x.brief_id = c.brief_id"
				 " AND x.candidate_id = c.id");
		sb_adds(&q->sql, vis);
		if (f->curator) {
			sb_adds(&q->sql, " AND x.curator = ");
			q_text(q, f->curator);
		}
		sb_adds(&q->sql, ")");
	}
	if (f->tag) {
		sb_adds(&q->sql, " AND EXISTS (SELECT 1 FROM candidate_tag ct WHERE ct.candidate_id = c.id"
				 " AND ct.tag_id = (SELECT id FROM tag WHERE name = ");
		q_text(q, f->tag);
		sb_adds(&q->sql, "))");
	}
	if (f->backend) {
		sb_adds(&q->sql, " AND c.backend = ");
		q_text(q, f->backend);
	}
	if (f->selected)
		sb_adds(&q->sql, " AND EXISTS (SELECT 1 FROM selection sel2 WHERE sel2.candidate_id = c.id)");
	q->brief_id = f->brief_id;
	q->project_id = f->project_id;
	st_query_where(st, q, f->search);
	st_query_where(st, q, f->query);
}

/* The mean of a candidate's stars, -1 when nobody starred it (so unrated
 * candidates sort after those rated 0). */
#define STARS_KEY                                                                              \
	"coalesce((SELECT avg(x.stars) FROM rating x WHERE x.brief_id = c.brief_id"            \
	" AND x.candidate_id = c.id), -1)"
/* The same where blind review may hide some: the mean of the stars I (?1)
 * may see, and no score where I may see no one's judgement.  A list is
 * ordered only by what it shows, or its order would tell what it hides. */
#define STARS_KEY_BLIND                                                                        \
	"coalesce((SELECT avg(x.stars) FROM rating x WHERE x.brief_id = c.brief_id"            \
	" AND x.candidate_id = c.id" X_VISIBLE "), -1)"
#define SCORE_KEY "coalesce(c.score, -1e300)"
#define SCORE_KEY_BLIND                                                                          \
	"coalesce(CASE WHEN " ST_BLIND_HIDES("c.brief_id", "c.id", "?1") " THEN NULL ELSE c.score END," \
	" -1e300)"
/* In one blind brief: the score of what I judged (one probe a row, not two). */
#define SCORE_KEY_MINE                                                                           \
	"coalesce(CASE WHEN EXISTS (SELECT 1 FROM rating y WHERE y.brief_id = c.brief_id"        \
	" AND y.candidate_id = c.id AND y.curator = ?1) THEN c.score END, -1e300)"

/* The list's blindness: 0 no brief of it is blind, 1 some are, 2 it is
 * one brief and that is blind. */
static int list_blind(struct store *st, const struct lb_filter *f)
{
	int blind = st_scope_blind(st, f->brief_id, f->project_id);

	return blind && f->brief_id ? 2 : blind;
}

/* The sort key expression, NULL for sorts by id; blind: list_blind. */
static const char *sort_expr(int sort, int blind)
{
	switch (sort) {
	case LB_SORT_STARS:
		return blind ? STARS_KEY_BLIND : STARS_KEY;
	case LB_SORT_SCORE:
		return blind == 2 ? SCORE_KEY_MINE : blind ? SCORE_KEY_BLIND : SCORE_KEY;
	default:
		return NULL;
	}
}

void lb_candidate_key(const struct lb_candidate *c, int sort, struct lb_key *out)
{
	out->id = c->id;
	out->k = 0;
	if (sort == LB_SORT_STARS)
		out->k = c->n_ratings ? c->mean_stars : -1;
	else if (sort == LB_SORT_SCORE)
		out->k = isnan(c->score) ? -1e300 : c->score;
}

/* Appends the keyset condition "row comes after (or before) key"; e is
 * the sort key's expression (NULL for sorts by id). */
static void where_key_on(struct query *q, const char *e, int sort, const struct lb_key *key, int before)
{
	int desc_id = sort == LB_SORT_NEWEST;

	if (e == NULL) {
		/* In my ratings' order: the key bounds that range. */
		if (q->by_my) {
			sb_adds(&q->sql, (desc_id != before) ? " AND my.candidate_id < " : " AND my.candidate_id > ");
			q_int(q, key->id);
			return;
		}
		/* With a term that reads its candidates by id, a range on the
		 * brief's index would walk half the brief to the next page. */
		if (q->drives)
			sb_adds(&q->sql, (desc_id != before) ? " AND +c.id < " : " AND +c.id > ");
		else
			sb_adds(&q->sql, (desc_id != before) ? " AND c.id < " : " AND c.id > ");
		q_int(q, key->id);
		return;
	}
	/* Sort key descending, id ascending. */
	sb_addf(&q->sql, " AND %s %s ", e, before ? ">=" : "<=");
	q_double(q, key->k);
	sb_addf(&q->sql, " AND (%s %s ", e, before ? ">" : "<");
	q_double(q, key->k);
	sb_addf(&q->sql, " OR c.id %s ", before ? "<" : ">");
	q_int(q, key->id);
	sb_adds(&q->sql, ")");
}

static void where_key(struct query *q, int sort, int blind, const struct lb_key *key, int before)
{
	where_key_on(q, sort_expr(sort, blind), sort, key, before);
}

static void order_by_on(struct query *q, const char *e, int sort, int reverse)
{
	if (e == NULL && q->by_my) /* the same order: my.candidate_id = c.id */
		sb_adds(&q->sql, (sort == LB_SORT_NEWEST) != reverse ? " ORDER BY my.candidate_id DESC"
								     : " ORDER BY my.candidate_id");
	else if (e == NULL)
		sb_adds(&q->sql, (sort == LB_SORT_NEWEST) != reverse ? " ORDER BY c.id DESC" : " ORDER BY c.id");
	else
		sb_addf(&q->sql, " ORDER BY %s %s, c.id %s", e, reverse ? "ASC" : "DESC",
			reverse ? "DESC" : "ASC");
}

static void order_by(struct query *q, int sort, int blind, int reverse)
{
	order_by_on(q, sort_expr(sort, blind), sort, reverse);
}

static db_stmt *q_prepare(struct store *st, struct query *q, int with_curator)
{
	db_stmt *s = q->err ? NULL : st_prep(st, q->sql.s);

	if (s == NULL)
		return NULL;
	if (with_curator)
		st_bind_text(s, 1, st->curator);
	q_bind(s, q);
	return s;
}

/* One phase of a star-ordered page within a brief.  starred: the
 * candidates someone starred, in (mean desc, id) order, read from the
 * brief's range of the rating b-tree; else the rest, by id.  In a blind
 * brief the starred ones are those I (?1) judged too (the others show
 * no mean, so they sort with the unstarred).  sort LB_SORT_SCORE (a blind
 * brief only): the same with the pooled score of what I judged, read from
 * my ratings.  Appends up to limit rows to out in query order. */
static int stars_phase(struct store *st, const struct lb_filter *f, int sort, int starred, int blind,
		       const struct lb_key *after, int backward, int limit, struct lb_candidate_list *out)
{
	struct query q;
	struct lb_candidate_list part = { 0 };
	db_stmt *s;
	size_t i;
	int rc;

	q_init(&q, 2);
	if (sort == LB_SORT_SCORE && starred) {
		sb_adds(&q.sql, "SELECT " CAND_LIST_SELECT "FROM (SELECT y.candidate_id AS mid, cs.score AS mk FROM rating y"
				" JOIN candidate cs ON cs.id = y.candidate_id WHERE y.brief_id = ");
		q_int(&q, f->brief_id);
		sb_adds(&q.sql, " AND y.curator = ?1 AND cs.score IS NOT NULL) m JOIN candidate c ON c.id = m.mid"
				CAND_JOINS "WHERE 1");
	} else if (sort == LB_SORT_SCORE) {
		sb_adds(&q.sql, "SELECT " CAND_LIST_COLS "WHERE (c.score IS NULL OR NOT EXISTS (SELECT 1 FROM rating y"
				" WHERE y.brief_id = c.brief_id AND y.candidate_id = c.id AND y.curator = ?1))");
	} else if (starred) {
		sb_adds(&q.sql, "SELECT " CAND_LIST_SELECT "FROM (SELECT candidate_id AS mid, avg(stars) AS mk FROM rating"
				" WHERE brief_id = ");
		q_int(&q, f->brief_id);
		sb_adds(&q.sql, " AND stars IS NOT NULL");
		if (blind)
			sb_adds(&q.sql, " AND EXISTS (SELECT 1 FROM rating y WHERE y.brief_id = rating.brief_id"
					" AND y.candidate_id = rating.candidate_id AND y.curator = ?1)");
		sb_adds(&q.sql, " GROUP BY candidate_id) m JOIN candidate c ON c.id = m.mid" CAND_JOINS "WHERE 1");
	} else {
		sb_adds(&q.sql, "SELECT " CAND_LIST_COLS "WHERE (NOT EXISTS (SELECT 1 FROM rating z WHERE"
				" z.brief_id = c.brief_id AND z.candidate_id = c.id AND z.stars IS NOT NULL)");
		if (blind)
			sb_adds(&q.sql, " OR NOT EXISTS (SELECT 1 FROM rating y WHERE y.brief_id = c.brief_id"
					" AND y.candidate_id = c.id AND y.curator = ?1)");
		sb_adds(&q.sql, ")");
	}
	where_filter(st, &q, f);
	if (after)
		where_key_on(&q, starred ? "m.mk" : NULL, starred ? LB_SORT_STARS : LB_SORT_OLDEST, after, backward);
	order_by_on(&q, starred ? "m.mk" : NULL, starred ? LB_SORT_STARS : LB_SORT_OLDEST, backward);
	sb_addf(&q.sql, " LIMIT %d", limit);
	s = q_prepare(st, &q, 1);
	rc = s ? read_rows(st, s, &part, "listing candidates") : q.err ? q.err : STORE_EIO;
	if (rc == 0 && part.n) {
		out->v = xrealloc(out->v, (out->n + part.n) * sizeof *out->v);
		for (i = 0; i < part.n; i++)
			out->v[out->n++] = part.v[i];
		free(part.v);
	}
	q_free(&q);
	return rc;
}

/* Star order within one brief, without computing every candidate's mean
 * for every page: starred candidates first (phase one), then the rest by
 * id (phase two); a key of -1 is in phase two.  The score order of a
 * blind brief the same way (the rest's key is -1e300). */
static int stars_page(struct store *st, const struct lb_filter *f, int sort, const struct lb_key *after,
		      int backward, int limit, struct lb_candidate_list *out)
{
	int in_rest = after && (sort == LB_SORT_SCORE ? after->k <= -1e299 : after->k < 0);
	int blind = st_scope_blind(st, f->brief_id, 0), rc;

	if (!backward) {
		if (!in_rest) {
			rc = stars_phase(st, f, sort, 1, blind, after, 0, limit, out);
			if (rc || (int)out->n >= limit)
				return rc;
		}
		return stars_phase(st, f, sort, 0, blind, in_rest ? after : NULL, 0, limit - (int)out->n, out);
	}
	if (!after || in_rest) {
		rc = stars_phase(st, f, sort, 0, blind, after, 1, limit, out);
		if (rc || (int)out->n >= limit)
			return rc;
		return stars_phase(st, f, sort, 1, blind, NULL, 1, limit - (int)out->n, out);
	}
	return stars_phase(st, f, sort, 1, blind, after, 1, limit, out);
}

int store_candidate_page(struct store *st, const struct lb_filter *f, int sort, const struct lb_key *after,
			 int backward, int limit, struct lb_candidate_list *out)
{
	static const struct lb_filter none;
	struct query q;
	db_stmt *s;
	size_t i;
	int rc, blind;

	lb_candidate_list_free(out);
	if (sort < 0 || sort >= LB_SORT__COUNT)
		return st_fail(st, STORE_EINVAL, "unknown sort order");
	if (f == NULL)
		f = &none;
	if (limit <= 0)
		limit = 50;
	blind = list_blind(st, f);
	if ((sort == LB_SORT_STARS && f->brief_id) || (sort == LB_SORT_SCORE && blind == 2)) {
		rc = stars_page(st, f, sort, after, backward, limit, out);
		goto done;
	}
	q_init(&q, 2);
	/* The curator binds as ?1; numbered parameters let the same SQL text
	 * be cached whatever the values. */
	sb_adds(&q.sql, "SELECT " CAND_LIST_COLS "WHERE 1");
	q.has_my = sort_expr(sort, blind) == NULL;
	where_filter(st, &q, f);
	if (after)
		where_key(&q, sort, blind, after, backward);
	order_by(&q, sort, blind, backward);
	sb_addf(&q.sql, " LIMIT %d", limit);
	s = q_prepare(st, &q, 1);
	rc = s ? read_rows(st, s, out, "listing candidates") : q.err ? q.err : STORE_EIO;
	q_free(&q);
done:
	if (rc == 0 && backward) {
		for (i = 0; i < out->n / 2; i++) {
			struct lb_candidate t = out->v[i];
			out->v[i] = out->v[out->n - 1 - i];
			out->v[out->n - 1 - i] = t;
		}
	}
	return rc;
}

/* q's ?1 is the curator, as in the lists (blind review). */
static int count_query(struct store *st, struct query *q, int64_t *n)
{
	db_stmt *s = q_prepare(st, q, 1);
	int rc;

	if (s == NULL)
		return q->err ? q->err : STORE_EIO;
	rc = db_step(s);
	if (rc == DB_ROW)
		*n = db_column_int64(s, 0);
	db_reset(s);
	return rc == DB_ROW ? 0 : st_sqlfail(st, rc, "counting candidates");
}

int store_candidate_count(struct store *st, const struct lb_filter *f, int64_t *n)
{
	static const struct lb_filter none;
	struct query q;
	int rc;

	q_init(&q, 2);
	sb_adds(&q.sql, "SELECT count(*) FROM candidate c WHERE ?1 IS NOT NULL");
	where_filter(st, &q, f ? f : &none);
	rc = count_query(st, &q, n);
	q_free(&q);
	return rc;
}

int store_candidate_position(struct store *st, const struct lb_filter *f, int sort, int64_t id, int64_t *pos)
{
	static const struct lb_filter none;
	struct lb_candidate c;
	struct lb_key key;
	struct query q;
	int rc;

	rc = store_candidate_get(st, id, &c);
	if (rc)
		return rc;
	lb_candidate_key(&c, sort, &key);
	lb_candidate_clear(&c);
	q_init(&q, 2);
	sb_adds(&q.sql, "SELECT count(*) FROM candidate c WHERE ?1 IS NOT NULL");
	where_filter(st, &q, f ? f : &none);
	where_key(&q, sort, list_blind(st, f ? f : &none), &key, 1);
	rc = count_query(st, &q, pos);
	q_free(&q);
	return rc;
}
