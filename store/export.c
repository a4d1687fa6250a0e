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
 * replaced only with force, and only when it is an earlier export).
 * doc/export.md documents the three formats.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

static const char *const format_names[] = { "json", "csv", "md", "html" };
#define N_FORMATS (int)(sizeof format_names / sizeof format_names[0])

const char *lb_export_format_name(int f)
{
	return f >= 0 && f < N_FORMATS ? format_names[f] : "?";
}

int lb_export_format_parse(const char *s)
{
	int i;

	if (s && strcmp(s, "markdown") == 0)
		return LB_EXPORT_MD;
	for (i = 0; s && i < N_FORMATS; i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -1;
}

void lb_export_result_clear(struct lb_export_result *r)
{
	free(r->record_path);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ one candidate, gathered */

struct tagrec {
	char *name, *curator;
	int64_t created;
};

struct item {
	struct lb_candidate c;
	int n;                        /* position in the brief, 1.. */
	char *file;                   /* copied file, relative to the copy folder; NULL */
	char *prompt, *negative;      /* effective: the candidate's, else its revision's */
	int has_sel;
	char *use, *integration, *sel_by;
	int64_t sel_at;
	struct lb_rating_list ratings;
	struct tagrec *tags;
	size_t ntags;
	struct lb_note_list notes;
	int has_score;
	double score, se;
	int judged;
};

static void item_clear(struct item *it)
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

/* ------------------------------------------------------------ the export's state */

struct ex {
	struct store *st;
	const struct lb_export_options *o;
	FILE *f;                      /* the record */
	char now[32];
	struct lb_project proj;
	char *stage;                  /* copy folder being built, or NULL */
	char *rec_rel;                /* record's name inside the copy folder */
	struct sbuf manifest;
	char **slugs;                 /* brief folder names used */
	size_t nslugs;
	int64_t n_briefs, n_cands, n_selected, n_files, bytes;
	int first;                    /* JSON: no brief written yet */
	/* current brief */
	struct lb_brief b;
	const char *slug;
	struct lb_ranking rank;
	int first_cand;
	int64_t cur_rev_id;
	struct lb_revision rev;       /* the revision of the candidate last seen */
};

/* JSON strings must be UTF-8: anything else is shown as util_visible does. */
static json_t *jstr(const char *s)
{
	char *v;
	json_t *j;

	if (s == NULL)
		return json_null();
	if (util_utf8_valid(s, strlen(s)))
		return json_string(s);
	v = util_visible_dup(s, 1);
	j = json_string(v);
	free(v);
	return j;
}

static json_t *jtime(int64_t t)
{
	char buf[32];

	if (t <= 0)
		return json_null();
	util_iso8601(t, buf);
	return json_string(buf);
}

static json_t *jparams(const char *params)
{
	json_t *j = json_loads(params && *params ? params : "{}", 0, NULL);

	return j ? j : json_object();
}

/* v rounded to `per` steps per unit (100: two decimals). */
static double round_to(double v, double per)
{
	return round(v * per) / per;
}

/* ------------------------------------------------------------ gathering */

static int read_tags(struct store *st, int64_t cand, struct item *it)
{
	sqlite3_stmt *s = st_prep(st, "SELECT t.name, ct.curator, ct.created FROM candidate_tag ct"
				      " JOIN tag t ON t.id = ct.tag_id WHERE ct.candidate_id = ? ORDER BY t.name");
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return STORE_EIO;
	sqlite3_bind_int64(s, 1, cand);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (it->ntags == cap) {
			cap = cap ? cap * 2 : 4;
			it->tags = xrealloc(it->tags, cap * sizeof *it->tags);
		}
		it->tags[it->ntags].name = st_col_text(s, 0);
		it->tags[it->ntags].curator = st_col_text(s, 1);
		it->tags[it->ntags++].created = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : st_sqlfail(st, rc, "reading tags");
}

static int read_selection(struct store *st, int64_t cand, struct item *it)
{
	sqlite3_stmt *s = st_prep(st, "SELECT intended_use, integration, curator, created FROM selection"
				      " WHERE candidate_id = ?");
	int rc;

	if (s == NULL)
		return STORE_EIO;
	sqlite3_bind_int64(s, 1, cand);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		it->has_sel = 1;
		it->use = st_col_text(s, 0);
		it->integration = st_col_text(s, 1);
		it->sel_by = st_col_text(s, 2);
		it->sel_at = sqlite3_column_int64(s, 3);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : st_sqlfail(st, rc, "reading the selection");
}

static int gather(struct ex *x, int64_t id, int n, struct item *it)
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
	for (i = 0; i < x->rank.n; i++)
		if (x->rank.v[i].candidate_id == id) {
			it->has_score = 1;
			it->score = x->rank.v[i].score;
			it->se = x->rank.v[i].se;
			it->judged = x->rank.v[i].n;
		}
	return 0;
}

/* ------------------------------------------------------------ copying assets */

/* Copies src to dst (a new file), checking that its bytes still hash to
 * want (NULL: no check); *hex gets the hash. */
static int copy_file(struct store *st, const char *src, const char *dst, const char *want, char hex[65],
		     int64_t *bytes)
{
	char buf[65536];
	unsigned char d[32];
	struct sha256 c;
	int in, out, rc = 0;
	ssize_t r;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return st_fail(st, STORE_EIO, "the asset file %s cannot be read: %s; the store is damaged "
				   "(restore the file from a backup)", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (out < 0) {
		rc = st_fail(st, STORE_EIO, "cannot create %s: %s", dst, strerror(errno));
		close(in);
		return rc;
	}
	sha256_init(&c);
	*bytes = 0;
	for (;;) {
		r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		sha256_update(&c, buf, (size_t)r);
		*bytes += r;
		if (write(out, buf, (size_t)r) != r) {
			rc = st_fail(st, STORE_EIO, "cannot write %s: %s%s", dst, strerror(errno),
				     errno == ENOSPC ? "; free disk space and retry" : "");
			break;
		}
	}
	if (rc == 0 && r < 0)
		rc = st_fail(st, STORE_EIO, "cannot read %s: %s", src, strerror(errno));
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = st_fail(st, STORE_EIO, "cannot write %s: %s", dst, strerror(errno));
	if (rc)
		return rc;
	sha256_final(&c, d);
	sha256_hex(d, hex);
	if (want && strcmp(hex, want) != 0)
		return st_fail(st, STORE_EIO,
			       "the asset file %s no longer matches its SHA-256 (%s); the store is damaged: "
			       "restore the file from a backup",
			       src, want);
	return 0;
}

static int write_text_file(struct store *st, const char *dst, const char *text, char hex[65])
{
	FILE *f = fopen(dst, "wx");
	size_t n = strlen(text);

	if (f == NULL)
		return st_fail(st, STORE_EIO, "cannot create %s: %s", dst, strerror(errno));
	if (fwrite(text, 1, n, f) != n || fclose(f) != 0)
		return st_fail(st, STORE_EIO, "cannot write %s: %s", dst, strerror(errno));
	sha256_buf_hex(text, n, hex);
	return 0;
}

/* A brief's folder name: its slug, made unique within the export. */
static const char *brief_slug(struct ex *x, const struct lb_brief *b)
{
	char *slug = util_slug(b->f.title), *try = xstrdup(slug);
	size_t i;
	int again = 1, k = 1;

	while (again) {
		again = 0;
		for (i = 0; i < x->nslugs; i++)
			if (strcmp(x->slugs[i], try) == 0) {
				free(try);
				try = ++k == 2 ? xasprintf("%s-%lld", slug, (long long)b->id)
					       : xasprintf("%s-%lld-%d", slug, (long long)b->id, k);
				again = 1;
				break;
			}
	}
	free(slug);
	x->slugs = xrealloc(x->slugs, (x->nslugs + 1) * sizeof *x->slugs);
	x->slugs[x->nslugs++] = try;
	return try;
}

static int copy_item(struct ex *x, struct item *it)
{
	char hex[65], *dir, *dst, ext[16];
	int64_t bytes = 0;
	int rc;

	dir = xasprintf("%s/%s", x->stage, x->slug);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		rc = st_fail(x->st, STORE_EIO, "cannot create %s: %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	free(dir);
	if (it->c.asset_id)
		util_ext(it->c.path, ext);
	else
		snprintf(ext, sizeof ext, "txt");
	it->file = xasprintf("%s/%d-%lld.%s", x->slug, it->n, (long long)it->c.id, *ext ? ext : "bin");
	dst = xasprintf("%s/%s", x->stage, it->file);
	if (it->c.asset_id)
		rc = copy_file(x->st, it->c.path, dst, it->c.sha256, hex, &bytes);
	else {
		rc = write_text_file(x->st, dst, it->c.body ? it->c.body : "", hex);
		bytes = it->c.body ? (int64_t)strlen(it->c.body) : 0;
	}
	free(dst);
	if (rc)
		return rc;
	sb_addf(&x->manifest, "%s  %s\n", hex, it->file);
	x->n_files++;
	x->bytes += bytes;
	return 0;
}

/* ------------------------------------------------------------ JSON */

/* Writes v as indented JSON with every line after the first indented by
 * `indent` spaces; takes v. */
static void json_emit(FILE *f, json_t *v, int indent)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY), *p;

	json_decref(v);
	if (s == NULL)
		fatal("cannot encode JSON");
	for (p = s; *p; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fprintf(f, "%*s", indent, "");
	}
	free(s);
}

static json_t *json_revision(const struct lb_revision *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "revision", json_integer(r->rev));
	json_object_set_new(o, "title", jstr(r->f.title));
	json_object_set_new(o, "modality", json_string(lb_modality_name(r->f.modality)));
	json_object_set_new(o, "prompt", jstr(r->f.prompt));
	json_object_set_new(o, "negative_prompt", jstr(r->f.negative));
	json_object_set_new(o, "parameters", jparams(r->f.params));
	json_object_set_new(o, "constraints", jstr(r->f.constraints));
	json_object_set_new(o, "references", jstr(r->f.refs));
	json_object_set_new(o, "backend", jstr(r->f.backend));
	json_object_set_new(o, "author", jstr(r->author));
	json_object_set_new(o, "created", jtime(r->created));
	return o;
}

static void json_begin(struct ex *x)
{
	const struct lb_export_options *o = x->o;
	json_t *p = json_object(), *f = json_object();

	fprintf(x->f, "{\n  \"format\": \"lightbox-selection-record\",\n  \"format_version\": %d,\n",
		LB_EXPORT_FORMAT_VERSION);
	fprintf(x->f, "  \"generator\": \"%s %s\",\n  \"exported_at\": \"%s\",\n  \"exported_by\": ", PACKAGE_NAME,
		PACKAGE_VERSION, x->now);
	json_emit(x->f, jstr(store_curator(x->st)), 2);
	fputs(",\n  \"project\": ", x->f);
	json_object_set_new(p, "id", json_integer(x->proj.id));
	json_object_set_new(p, "name", jstr(x->proj.name));
	json_object_set_new(p, "slug", jstr(x->proj.slug));
	json_object_set_new(p, "description", jstr(x->proj.description));
	json_object_set_new(p, "created", jtime(x->proj.created));
	json_emit(x->f, p, 2);
	fputs(",\n  \"filter\": ", x->f);
	json_object_set_new(f, "brief", o->brief_id ? json_integer(o->brief_id) : json_null());
	json_object_set_new(f, "all", json_boolean(o->all));
	json_object_set_new(f, "picked", json_boolean(o->picked));
	json_object_set_new(f, "min_stars", o->min_stars ? json_integer(o->min_stars) : json_null());
	json_object_set_new(f, "tag", jstr(o->tag));
	json_emit(x->f, f, 2);
	fputs(",\n  \"briefs\": [", x->f);
}

static void json_brief(struct ex *x, const struct lb_revision *cur, const struct lb_revision_list *earlier)
{
	const struct lb_brief *b = &x->b;
	json_t *o = json_object(), *e = json_array();
	size_t i;
	char *s;

	json_object_set_new(o, "id", json_integer(b->id));
	json_object_set_new(o, "title", jstr(b->f.title));
	json_object_set_new(o, "slug", jstr(x->slug));
	json_object_set_new(o, "modality", json_string(lb_modality_name(b->f.modality)));
	json_object_set_new(o, "archived", json_boolean(b->archived));
	json_object_set_new(o, "created", jtime(b->created));
	json_object_set_new(o, "candidates_total", json_integer(b->n_candidates));
	json_object_set_new(o, "final_revision", json_revision(cur));
	for (i = 0; i < earlier->n; i++)
		json_array_append_new(e, json_revision(&earlier->v[i]));
	json_object_set_new(o, "earlier_revisions_used", e);
	/* Open the object again to stream "candidates" into it. */
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	s[strlen(s) - 2] = '\0'; /* drop "\n}" */
	fputs(x->first ? "\n    " : ",\n    ", x->f);
	for (i = 0; s[i]; i++) {
		fputc(s[i], x->f);
		if (s[i] == '\n')
			fputs("    ", x->f);
	}
	free(s);
	fputs(",\n      \"candidates\": [", x->f);
	x->first = 0;
}

static json_t *json_item(const struct item *it)
{
	const struct lb_candidate *c = &it->c;
	json_t *o = json_object(), *a, *p, *arr, *x;
	size_t i;

	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "n", json_integer(it->n));
	json_object_set_new(o, "file", jstr(it->file));
	json_object_set_new(o, "selected", json_boolean(it->has_sel));
	if (it->has_sel) {
		x = json_object();
		json_object_set_new(x, "intended_use", jstr(it->use));
		json_object_set_new(x, "integration_note", jstr(it->integration));
		json_object_set_new(x, "selected_by", jstr(it->sel_by));
		json_object_set_new(x, "selected_at", jtime(it->sel_at));
		json_object_set_new(o, "selection", x);
	} else {
		json_object_set_new(o, "selection", json_null());
	}
	json_object_set_new(o, "modality", json_string(lb_modality_name(c->modality)));
	if (c->asset_id) {
		a = json_object();
		json_object_set_new(a, "sha256", jstr(c->sha256));
		json_object_set_new(a, "media_type", jstr(c->media_type));
		json_object_set_new(a, "bytes", json_integer(c->bytes));
		json_object_set_new(a, "width", c->width ? json_integer(c->width) : json_null());
		json_object_set_new(a, "height", c->height ? json_integer(c->height) : json_null());
		json_object_set_new(a, "duration",
				    c->duration > 0 ? json_real(round_to(c->duration, 1000)) : json_null());
		json_object_set_new(o, "asset", a);
	} else {
		json_object_set_new(o, "asset", json_null());
	}
	json_object_set_new(o, "text", c->body ? jstr(c->body) : json_null());
	p = json_object();
	json_object_set_new(p, "backend", jstr(c->backend));
	json_object_set_new(p, "model", jstr(c->model));
	json_object_set_new(p, "seed", c->has_seed ? json_integer(c->seed) : json_null());
	json_object_set_new(p, "prompt", jstr(it->prompt));
	json_object_set_new(p, "negative_prompt", jstr(it->negative));
	json_object_set_new(p, "parameters", jparams(c->params));
	json_object_set_new(p, "brief_revision", json_integer(c->rev));
	json_object_set_new(p, "parent_id", c->parent_id ? json_integer(c->parent_id) : json_null());
	json_object_set_new(p, "job_id", c->job_id ? json_integer(c->job_id) : json_null());
	json_object_set_new(p, "source", jstr(c->source));
	json_object_set_new(p, "created", jtime(c->created));
	json_object_set_new(o, "provenance", p);
	arr = json_array();
	for (i = 0; i < it->ratings.n; i++) {
		const struct lb_rating *r = &it->ratings.v[i];
		x = json_object();
		json_object_set_new(x, "curator", jstr(r->curator));
		json_object_set_new(x, "stars", r->stars >= 0 ? json_integer(r->stars) : json_null());
		json_object_set_new(x, "flag", json_string(lb_flag_name(r->flag)));
		json_object_set_new(x, "updated", jtime(r->updated));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "ratings", arr);
	json_object_set_new(o, "mean_stars", c->n_ratings ? json_real(round_to(c->mean_stars, 100)) : json_null());
	json_object_set_new(o, "picks", json_integer(c->n_picks));
	json_object_set_new(o, "rejects", json_integer(c->n_rejects));
	arr = json_array();
	for (i = 0; i < it->ntags; i++) {
		x = json_object();
		json_object_set_new(x, "tag", jstr(it->tags[i].name));
		json_object_set_new(x, "added_by", jstr(it->tags[i].curator));
		json_object_set_new(x, "added_at", jtime(it->tags[i].created));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "tags", arr);
	arr = json_array();
	for (i = 0; i < it->notes.n; i++) {
		const struct lb_note *n = &it->notes.v[i];
		x = json_object();
		json_object_set_new(x, "kind", json_string(lb_note_kind_name(n->kind)));
		json_object_set_new(x, "body", jstr(n->body));
		json_object_set_new(x, "by", jstr(n->curator));
		json_object_set_new(x, "at", jtime(n->created));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "notes", arr);
	if (it->has_score) {
		x = json_object();
		json_object_set_new(x, "value", json_real(round_to(it->score, 10000)));
		json_object_set_new(x, "se", json_real(round_to(it->se, 10000)));
		json_object_set_new(x, "judgements", json_integer(it->judged));
		json_object_set_new(o, "pairwise_score", x);
	} else {
		json_object_set_new(o, "pairwise_score", json_null());
	}
	return o;
}

static void json_candidate(struct ex *x, const struct item *it)
{
	fputs(x->first_cand ? "\n        " : ",\n        ", x->f);
	json_emit(x->f, json_item(it), 8);
	x->first_cand = 0;
}

static void json_brief_end(struct ex *x)
{
	fputs(x->first_cand ? "]\n    }" : "\n      ]\n    }", x->f);
}

static void json_end(struct ex *x)
{
	fputs(x->first ? "],\n" : "\n  ],\n", x->f);
	fprintf(x->f,
		"  \"totals\": {\n    \"briefs\": %lld,\n    \"candidates\": %lld,\n    \"selected\": %lld,\n"
		"    \"files\": %lld\n  }\n}\n",
		(long long)x->n_briefs, (long long)x->n_cands, (long long)x->n_selected, (long long)x->n_files);
}

/* ------------------------------------------------------------ CSV (RFC 4180) */

static const char *const csv_heads[] = {
	"project", "brief_id", "brief", "brief_revision", "candidate_id", "n", "selected", "intended_use",
	"integration_note", "selected_by", "selected_at", "modality", "media_type", "file", "sha256",
	"bytes", "width", "height", "duration", "text", "backend", "model", "seed", "generated_from_revision",
	"prompt", "negative_prompt", "parameters", "mean_stars", "ratings", "picks", "rejects", "tags",
	"notes", "pairwise_score", "pairwise_se",
};

/* A text field: quoted when it holds a comma, quote, CR or LF; a cell
 * that a spreadsheet would run as a formula (=, +, -, @, tab, CR first,
 * even after spaces) gets a leading apostrophe (OWASP "CSV Injection"). */
static void csv_text(FILE *f, const char *s, int last)
{
	const char *p = s ? s : "";
	const char *q;
	struct sbuf vis;
	int quote, guard;

	/* Control characters other than tab and newline (an escape sequence
	 * in a prompt) and invalid UTF-8 are made visible: a CSV is also read
	 * on terminals. */
	sb_init(&vis);
	for (q = p; *q; q++)
		if (((unsigned char)*q < 0x20 && *q != '\t' && *q != '\n' && *q != '\r') || *q == 0x7f)
			break;
	if (*q || !util_utf8_valid(p, strlen(p))) {
		util_visible(&vis, p, strlen(p), 1);
		p = vis.s;
	}
	q = p;

	while (*q == ' ')
		q++;
	guard = *q && strchr("=+-@\t\r", *q) != NULL;
	quote = guard || strpbrk(p, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', f);
	if (guard)
		fputc('\'', f);
	for (; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	if (quote)
		fputc('"', f);
	fputs(last ? "\r\n" : ",", f);
	sb_free(&vis);
}

static void csv_num(FILE *f, const char *s)
{
	fputs(s, f);
	fputc(',', f);
}

static void csv_begin(struct ex *x)
{
	size_t i, n = sizeof csv_heads / sizeof csv_heads[0];

	for (i = 0; i < n; i++)
		csv_text(x->f, csv_heads[i], i == n - 1);
}

static void csv_candidate(struct ex *x, const struct item *it)
{
	const struct lb_candidate *c = &it->c;
	char num[64], when[32];
	struct sbuf b;
	size_t i;

	csv_text(x->f, x->proj.name, 0);
	snprintf(num, sizeof num, "%lld", (long long)x->b.id);
	csv_num(x->f, num);
	csv_text(x->f, x->b.f.title, 0);
	snprintf(num, sizeof num, "%d", x->b.rev);
	csv_num(x->f, num);
	snprintf(num, sizeof num, "%lld", (long long)c->id);
	csv_num(x->f, num);
	snprintf(num, sizeof num, "%d", it->n);
	csv_num(x->f, num);
	csv_num(x->f, it->has_sel ? "yes" : "no");
	csv_text(x->f, it->use, 0);
	csv_text(x->f, it->integration, 0);
	csv_text(x->f, it->sel_by, 0);
	if (it->has_sel)
		util_iso8601(it->sel_at, when);
	csv_num(x->f, it->has_sel ? when : "");
	csv_num(x->f, lb_modality_name(c->modality));
	csv_text(x->f, c->media_type, 0);
	csv_text(x->f, it->file, 0);
	csv_num(x->f, c->sha256 ? c->sha256 : "");
	snprintf(num, sizeof num, "%lld", (long long)c->bytes);
	csv_num(x->f, num);
	snprintf(num, sizeof num, "%d", c->width);
	csv_num(x->f, c->width ? num : "");
	snprintf(num, sizeof num, "%d", c->height);
	csv_num(x->f, c->height ? num : "");
	snprintf(num, sizeof num, "%.3f", c->duration);
	csv_num(x->f, c->duration > 0 ? num : "");
	csv_text(x->f, c->asset_id ? NULL : c->body, 0);
	csv_text(x->f, c->backend, 0);
	csv_text(x->f, c->model, 0);
	snprintf(num, sizeof num, "%lld", (long long)c->seed);
	csv_num(x->f, c->has_seed ? num : "");
	snprintf(num, sizeof num, "%d", c->rev);
	csv_num(x->f, num);
	csv_text(x->f, it->prompt, 0);
	csv_text(x->f, it->negative, 0);
	csv_text(x->f, c->params, 0);
	snprintf(num, sizeof num, "%.2f", c->mean_stars);
	csv_num(x->f, c->n_ratings ? num : "");
	sb_init(&b);
	for (i = 0; i < it->ratings.n; i++) {
		const struct lb_rating *r = &it->ratings.v[i];
		sb_addf(&b, "%s%s=", i ? "; " : "", r->curator);
		if (r->stars >= 0)
			sb_addf(&b, "%d", r->stars);
		else
			sb_adds(&b, "-");
		if (r->flag != LB_FLAG_NONE)
			sb_addf(&b, "/%s", lb_flag_name(r->flag));
	}
	csv_text(x->f, b.s, 0);
	snprintf(num, sizeof num, "%d", c->n_picks);
	csv_num(x->f, num);
	snprintf(num, sizeof num, "%d", c->n_rejects);
	csv_num(x->f, num);
	sb_reset(&b);
	for (i = 0; i < it->ntags; i++)
		sb_addf(&b, "%s%s", i ? ";" : "", it->tags[i].name);
	csv_text(x->f, b.s, 0);
	sb_reset(&b);
	for (i = 0; i < it->notes.n; i++)
		sb_addf(&b, "%s[%s] %s: %s", i ? "\n" : "", lb_note_kind_name(it->notes.v[i].kind),
			it->notes.v[i].curator, it->notes.v[i].body);
	csv_text(x->f, b.s, 0);
	sb_free(&b);
	snprintf(num, sizeof num, "%.4f", it->score);
	csv_num(x->f, it->has_score ? num : "");
	snprintf(num, sizeof num, "%.4f", it->se);
	fputs(it->has_score ? num : "", x->f);
	fputs("\r\n", x->f);
}

/* ------------------------------------------------------------ Markdown */

/* Inline text: control characters made visible, newlines as spaces and
 * Markdown's punctuation escaped so that text stays text. */
static void md_inline(FILE *f, const char *s)
{
	struct sbuf v;
	const char *p;

	sb_init(&v);
	util_visible(&v, s ? s : "", strlen(s ? s : ""), 1);
	for (p = v.s; *p; p++) {
		if (*p == '\n')
			fputc(' ', f);
		else {
			if (strchr("\\`*_[]<>|#!~", *p))
				fputc('\\', f);
			fputc(*p, f);
		}
	}
	sb_free(&v);
}

/* A fenced block longer than any run of backticks inside. */
static void md_block(FILE *f, const char *s)
{
	struct sbuf v;
	const char *p;
	int run = 0, most = 0, n;

	sb_init(&v);
	util_visible(&v, s ? s : "", strlen(s ? s : ""), 1);
	for (p = v.s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > most)
			most = run;
	}
	n = most >= 3 ? most + 1 : 3;
	fprintf(f, "%.*s\n%s%s%.*s\n\n", n, "``````````````````````````````````````````````````", v.s,
		v.len && v.s[v.len - 1] != '\n' ? "\n" : "", n, "``````````````````````````````````````````````````");
	sb_free(&v);
}

static void md_size(char buf[32], int64_t bytes)
{
	if (bytes >= 1024 * 1024)
		snprintf(buf, 32, "%.1f MB", (double)bytes / (1024 * 1024));
	else if (bytes >= 1024)
		snprintf(buf, 32, "%.1f kB", (double)bytes / 1024);
	else
		snprintf(buf, 32, "%lld bytes", (long long)bytes);
}

static void md_begin(struct ex *x)
{
	char day[32];

	fputs("# Selection record: ", x->f);
	md_inline(x->f, x->proj.name);
	snprintf(day, sizeof day, "%.10s %.5s UTC", x->now, x->now + 11);
	fprintf(x->f, "\n\nExported %s by ", day);
	md_inline(x->f, store_curator(x->st));
	fprintf(x->f, " with %s %s.\n\n", PACKAGE_NAME, PACKAGE_VERSION);
	if (*x->proj.description) {
		md_inline(x->f, x->proj.description);
		fputs("\n\n", x->f);
	}
	if (x->o->all || x->o->picked || x->o->min_stars || x->o->tag) {
		fputs("Showing ", x->f);
		fputs(x->o->all ? "every candidate" : "the selected candidates", x->f);
		if (x->o->picked)
			fputs(", picked by a curator", x->f);
		if (x->o->min_stars)
			fprintf(x->f, ", rated %d stars or more on average", x->o->min_stars);
		if (x->o->tag) {
			fputs(", tagged ", x->f);
			md_inline(x->f, x->o->tag);
		}
		fputs(".\n\n", x->f);
	}
}

static void md_brief(struct ex *x, const struct lb_revision *cur, const struct lb_revision_list *earlier)
{
	size_t i;

	fprintf(x->f, "## %lld. ", (long long)x->n_briefs);
	md_inline(x->f, x->b.f.title);
	fprintf(x->f, "\n\nBrief %lld, revision %d, %s%s. ", (long long)x->b.id, cur->rev,
		lb_modality_name(cur->f.modality), x->b.archived ? ", archived" : "");
	fprintf(x->f, "%lld candidate%s in all.\n\n", (long long)x->b.n_candidates, x->b.n_candidates == 1 ? "" : "s");
	if (*cur->f.prompt) {
		fputs("Prompt:\n\n", x->f);
		md_block(x->f, cur->f.prompt);
	}
	if (*cur->f.negative) {
		fputs("Negative prompt:\n\n", x->f);
		md_block(x->f, cur->f.negative);
	}
	if (*cur->f.constraints) {
		fputs("Constraints: ", x->f);
		md_inline(x->f, cur->f.constraints);
		fputs("\n\n", x->f);
	}
	if (*cur->f.refs) {
		fputs("References: ", x->f);
		md_inline(x->f, cur->f.refs);
		fputs("\n\n", x->f);
	}
	for (i = 0; i < earlier->n; i++)
		fprintf(x->f, "Some candidates were made from revision %d%s\n\n", earlier->v[i].rev,
			i + 1 < earlier->n ? ";" : ".");
}

static void md_row(FILE *f, const char *head)
{
	fprintf(f, "| %s | ", head);
}

static void md_candidate(struct ex *x, const struct item *it)
{
	const struct lb_candidate *c = &it->c;
	char when[32], size[32];
	size_t i;
	int s;

	fprintf(x->f, "### %lld.%d Candidate %lld", (long long)x->n_briefs, it->n, (long long)c->id);
	if (it->has_sel && *it->use) {
		fputs(": ", x->f);
		md_inline(x->f, it->use);
	}
	fputs("\n\n", x->f);
	if (it->file && c->modality == LB_IMAGE)
		fprintf(x->f, "![Candidate %lld](%s)\n\n", (long long)c->id, it->file);
	if (c->body && !c->asset_id)
		md_block(x->f, c->body);
	fputs("| | |\n|---|---|\n", x->f);
	if (it->has_sel) {
		util_iso8601(it->sel_at, when);
		md_row(x->f, "Selected");
		fputs("by ", x->f);
		md_inline(x->f, it->sel_by);
		fprintf(x->f, ", %.10s |\n", when);
		if (*it->integration) {
			md_row(x->f, "Integration");
			md_inline(x->f, it->integration);
			fputs(" |\n", x->f);
		}
	} else {
		fputs("| Selected | no |\n", x->f);
	}
	md_row(x->f, "Ratings");
	if (it->ratings.n == 0)
		fputs("none", x->f);
	for (i = 0; i < it->ratings.n; i++) {
		const struct lb_rating *r = &it->ratings.v[i];
		if (i)
			fputs(", ", x->f);
		md_inline(x->f, r->curator);
		fputc(' ', x->f);
		if (r->stars >= 0)
			for (s = 0; s < 5; s++)
				fputs(s < r->stars ? "★" : "☆", x->f);
		else
			fputs("(no stars)", x->f);
		if (r->flag != LB_FLAG_NONE)
			fprintf(x->f, " %s", lb_flag_name(r->flag));
	}
	if (c->n_ratings)
		fprintf(x->f, " (mean %.2f)", c->mean_stars);
	fputs(" |\n", x->f);
	if (it->ntags) {
		md_row(x->f, "Tags");
		for (i = 0; i < it->ntags; i++) {
			fputs(i ? ", " : "", x->f);
			md_inline(x->f, it->tags[i].name);
		}
		fputs(" |\n", x->f);
	}
	if (it->has_score)
		fprintf(x->f, "| Pairwise score | %+.2f ± %.2f (%d judgement%s) |\n", it->score, it->se, it->judged,
			it->judged == 1 ? "" : "s");
	md_row(x->f, "Made by");
	md_inline(x->f, *c->backend ? c->backend : "unknown");
	if (*c->model) {
		fputs(", model ", x->f);
		md_inline(x->f, c->model);
	}
	if (c->has_seed)
		fprintf(x->f, ", seed %lld", (long long)c->seed);
	fprintf(x->f, ", from brief revision %d |\n", c->rev);
	if (*it->prompt && strcmp(it->prompt, x->b.f.prompt) != 0) {
		md_row(x->f, "Prompt");
		md_inline(x->f, it->prompt);
		fputs(" |\n", x->f);
	}
	if (*it->negative && strcmp(it->negative, x->b.f.negative) != 0) {
		md_row(x->f, "Negative prompt");
		md_inline(x->f, it->negative);
		fputs(" |\n", x->f);
	}
	if (strcmp(c->params, "{}") != 0) {
		md_row(x->f, "Parameters");
		md_inline(x->f, c->params);
		fputs(" |\n", x->f);
	}
	md_size(size, c->bytes);
	md_row(x->f, "File");
	md_inline(x->f, c->media_type);
	if (c->width && c->height)
		fprintf(x->f, ", %d×%d", c->width, c->height);
	if (c->duration > 0)
		fprintf(x->f, ", %.1f s", c->duration);
	fprintf(x->f, ", %s", size);
	if (it->file) {
		fputs(", ", x->f);
		md_inline(x->f, it->file);
	}
	fputs(" |\n", x->f);
	if (c->sha256)
		fprintf(x->f, "| SHA-256 | `%s` |\n", c->sha256);
	fputc('\n', x->f);
	for (i = 0; i < it->notes.n; i++) {
		const struct lb_note *n = &it->notes.v[i];
		util_iso8601(n->created, when);
		fprintf(x->f, "- %s note by ", n->kind == LB_NOTE_INTEGRATION ? "Integration"
						  : n->kind == LB_NOTE_EDIT      ? "Edit"
										 : "Comment");
		md_inline(x->f, n->curator);
		fprintf(x->f, ", %.10s: ", when);
		md_inline(x->f, n->body);
		fputc('\n', x->f);
	}
	if (it->notes.n)
		fputc('\n', x->f);
}

static void md_brief_end(struct ex *x)
{
	if (x->first_cand)
		fputs(x->o->all ? "No candidates match.\n\n" : "Nothing selected yet.\n\n", x->f);
}

static void md_end(struct ex *x)
{
	fprintf(x->f, "---\n\n%lld brief%s, %lld candidate%s (%lld selected)", (long long)x->n_briefs,
		x->n_briefs == 1 ? "" : "s", (long long)x->n_cands, x->n_cands == 1 ? "" : "s",
		(long long)x->n_selected);
	if (x->stage)
		fprintf(x->f, ", %lld file%s copied with MANIFEST.sha256", (long long)x->n_files,
			x->n_files == 1 ? "" : "s");
	fputs(".\n", x->f);
}

/* ------------------------------------------------------------ the walk */

static int brief_candidates(struct ex *x, int64_t brief_id, int64_t **ids, size_t *n)
{
	const struct lb_export_options *o = x->o;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	s = st_prep(x->st,
		    "SELECT c.id FROM candidate c LEFT JOIN selection s ON s.candidate_id = c.id"
		    " WHERE c.brief_id = ?1 AND (?2 OR s.id IS NOT NULL)"
		    " AND (NOT ?3 OR EXISTS (SELECT 1 FROM rating r WHERE r.brief_id = ?1"
		    "  AND r.candidate_id = c.id AND r.flag = 'pick'))"
		    " AND (?4 = 0 OR (SELECT avg(r.stars) FROM rating r WHERE r.brief_id = ?1"
		    "  AND r.candidate_id = c.id) >= ?4)"
		    " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM candidate_tag ct JOIN tag t ON t.id = ct.tag_id"
		    "  WHERE ct.candidate_id = c.id AND t.name = ?5))"
		    " ORDER BY s.id IS NULL, s.id, c.id");
	if (s == NULL)
		return STORE_EIO;
	sqlite3_bind_int64(s, 1, brief_id);
	sqlite3_bind_int(s, 2, o->all);
	sqlite3_bind_int(s, 3, o->picked);
	sqlite3_bind_int(s, 4, o->min_stars);
	st_bind_text(s, 5, o->tag);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
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
		sqlite3_stmt *s = st_prep(x->st, "SELECT revision_id FROM candidate WHERE id = ?");
		if (s == NULL) {
			rc = STORE_EIO;
			break;
		}
		sqlite3_bind_int64(s, 1, ids[i]);
		if (sqlite3_step(s) == SQLITE_ROW) {
			int64_t r = sqlite3_column_int64(s, 0);
			for (k = 0; k < nr && revs[k] != r; k++)
				;
			if (k == nr && r != x->b.revision_id)
				revs[nr++] = r;
		}
		sqlite3_reset(s);
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

	rc = brief_candidates(x, b->id, &ids, &n);
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
	x->slug = brief_slug(x, b);
	x->n_briefs++;
	x->first_cand = 1;
	rc = store_revision_get(x->st, b->revision_id, &cur);
	if (rc == 0)
		rc = earlier_revisions(x, ids, n, &earlier);
	if (rc == 0)
		rc = store_ranking(x->st, b->id, NULL, &x->rank);
	if (rc == 0) {
		if (x->o->format == LB_EXPORT_JSON)
			json_brief(x, &cur, &earlier);
		else if (x->o->format == LB_EXPORT_MD)
			md_brief(x, &cur, &earlier);
	}
	for (i = 0; i < n && rc == 0; i++) {
		rc = gather(x, ids[i], (int)i + 1, &it);
		if (rc == 0 && x->stage)
			rc = copy_item(x, &it);
		if (rc == 0) {
			if (x->o->format == LB_EXPORT_JSON)
				json_candidate(x, &it);
			else if (x->o->format == LB_EXPORT_CSV)
				csv_candidate(x, &it);
			else
				md_candidate(x, &it);
			x->n_cands++;
			x->n_selected += it.has_sel;
			x->first_cand = 0;
		}
		item_clear(&it);
	}
	if (rc == 0) {
		if (x->o->format == LB_EXPORT_JSON)
			json_brief_end(x);
		else if (x->o->format == LB_EXPORT_MD)
			md_brief_end(x);
	}
	lb_revision_clear(&cur);
	lb_revision_list_free(&earlier);
	lb_ranking_clear(&x->rank);
	memset(&x->b, 0, sizeof x->b);
	free(ids);
	return rc;
}

static int walk(struct ex *x)
{
	struct lb_brief_list bl;
	size_t i;
	int rc;

	rc = store_brief_list(x->st, x->proj.id, 1, &bl);
	if (rc)
		return rc;
	if (x->o->format == LB_EXPORT_JSON)
		json_begin(x);
	else if (x->o->format == LB_EXPORT_CSV)
		csv_begin(x);
	else
		md_begin(x);
	for (i = 0; i < bl.n && rc == 0; i++)
		if (x->o->brief_id == 0 || bl.v[i].id == x->o->brief_id)
			rc = export_brief(x, &bl.v[i]);
	if (rc == 0) {
		if (x->o->format == LB_EXPORT_JSON)
			json_end(x);
		else if (x->o->format == LB_EXPORT_MD)
			md_end(x);
	}
	lb_brief_list_free(&bl);
	return rc;
}

/* ------------------------------------------------------------ files and folders */

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Absolute form of a path whose last component may not exist yet. */
static char *abs_path(const char *p)
{
	char *copy = xstrdup(p), *slash, *res, buf[PATH_MAX];
	const char *base;

	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	slash = strrchr(copy, '/');
	if (slash == NULL) {
		base = copy;
		res = realpath(".", buf) ? xasprintf("%s/%s", buf, base) : xstrdup(copy);
	} else if (slash == copy) {
		res = xstrdup(copy);
	} else {
		*slash = '\0';
		base = slash + 1;
		res = realpath(copy, buf) ? xasprintf("%s/%s", strcmp(buf, "/") ? buf : "", base)
					  : xasprintf("%s/%s", copy, base);
	}
	free(copy);
	return res;
}

static char *parent_of(const char *abs)
{
	const char *slash = strrchr(abs, '/');

	return slash == abs ? xstrdup("/") : xstrndup(abs, (size_t)(slash - abs));
}

static int check_copy_to(struct store *st, const struct lb_export_options *o, const char *dest)
{
	struct stat sb;
	char *man;
	int rc = 0;

	if (stat(dest, &sb) < 0)
		return errno == ENOENT ? 0 : st_fail(st, STORE_EIO, "cannot use %s: %s", o->copy_to, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return st_fail(st, STORE_EINVAL, "%s exists and is not a folder; choose another place to copy to",
			       o->copy_to);
	if (!o->force)
		return st_fail(st, STORE_EINVAL,
			       "%s already exists; choose a new folder, or add --force to replace an earlier "
			       "export there",
			       o->copy_to);
	man = xasprintf("%s/MANIFEST.sha256", dest);
	if (access(man, F_OK) < 0)
		rc = st_fail(st, STORE_EINVAL,
			     "%s exists and is not a lightbox export (it has no MANIFEST.sha256); "
			     "not replacing it even with --force",
			     o->copy_to);
	free(man);
	return rc;
}

/* Opens the record's temporary file next to path. */
static FILE *open_temp(struct store *st, const char *path, char **tmp)
{
	char *abs = abs_path(path), *dir = parent_of(abs);
	FILE *f = NULL;
	int fd;

	*tmp = xasprintf("%s/.%s.tmp.XXXXXX", dir, util_basename(abs));
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		st_fail(st, errno == EACCES || errno == EROFS ? STORE_EREADONLY : STORE_EIO, "cannot write in %s: %s",
			dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		xfree(tmp);
	}
	free(abs);
	free(dir);
	return f;
}

/* Flushes, fsyncs and closes f; 0 or a code. */
static int close_synced(struct store *st, FILE *f, const char *name)
{
	int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0;
	int saved = errno;

	if (fclose(f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (bad)
		return st_fail(st, STORE_EIO, "cannot write %s: %s%s", name, strerror(saved),
			       saved == ENOSPC ? "; free disk space and retry" : "");
	return 0;
}

static int copy_plain(struct store *st, const char *src, FILE *to)
{
	char buf[65536];
	FILE *in = fopen(src, "rb");
	size_t n;

	if (in == NULL)
		return st_fail(st, STORE_EIO, "cannot read %s: %s", src, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			break;
	fclose(in);
	return ferror(to) ? st_fail(st, STORE_EIO, "cannot write the record: %s", strerror(errno)) : 0;
}

/* The SHA-256 of a file, read a piece at a time; 0 or -1 with errno. */
static int hash_path(const char *path, char hex[65])
{
	char buf[65536];
	unsigned char d[32];
	struct sha256 c;
	FILE *f = fopen(path, "rb");
	size_t n;
	int bad;

	if (f == NULL)
		return -1;
	sha256_init(&c);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sha256_update(&c, buf, n);
	bad = ferror(f);
	fclose(f);
	if (bad) {
		errno = EIO;
		return -1;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	return 0;
}

static int sync_dir(struct store *st, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return st_fail(st, STORE_EIO, "cannot open %s: %s", dir, strerror(errno));
	/* One syncfs for the whole copy: cheaper than an fsync per file. */
	if (syncfs(fd) < 0 || fsync(fd) < 0)
		rc = st_fail(st, STORE_EIO, "cannot save %s: %s", dir, strerror(errno));
	close(fd);
	return rc;
}

/* Moves the finished stage to dest, replacing an earlier export there. */
static int install_folder(struct store *st, const char *stage, const char *dest, const char *parent)
{
	char *old = NULL;
	int rc = 0;

	if (access(dest, F_OK) == 0) {
		old = xasprintf("%s/.%s.old.XXXXXX", parent, util_basename(dest));
		if (mkdtemp(old) == NULL || rename(dest, old) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot move the earlier export %s aside: %s", dest,
				     strerror(errno));
			if (old)
				rmdir(old);
			free(old);
			return rc;
		}
	}
	if (rename(stage, dest) < 0) {
		rc = st_fail(st, STORE_EIO, "cannot put the export in place at %s: %s", dest, strerror(errno));
		if (old)
			rename(old, dest);
	}
	if (rc == 0)
		util_fsync_dir_of(dest);
	if (old) {
		if (rc == 0)
			rm_rf(old);
		free(old);
	}
	return rc;
}

int store_export(struct store *st, const struct lb_export_options *o, struct lb_export_result *res)
{
	struct ex x;
	char *dest = NULL, *parent = NULL, *out_abs = NULL, *tmp_out = NULL, *rec = NULL;
	FILE *out_f = NULL, *html_f = NULL;
	struct lb_export_options html_opts;
	char *html_json = NULL;
	size_t html_len = 0;
	int rc, own_txn = 0;

	memset(res, 0, sizeof *res);
	memset(&x, 0, sizeof x);
	x.st = st;
	x.o = o;
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
	rc = store_project_get(st, o->project_id, &x.proj);
	if (rc)
		return rc;
	if (o->brief_id) {
		struct lb_brief b;
		rc = store_brief_get(st, o->brief_id, &b);
		if (rc == 0 && b.project_id != o->project_id)
			rc = st_fail(st, STORE_EINVAL, "brief %lld belongs to another project",
				     (long long)o->brief_id);
		lb_brief_clear(&b);
		if (rc)
			goto out;
	}
	if (o->copy_to) {
		dest = abs_path(o->copy_to);
		parent = parent_of(dest);
		rc = check_copy_to(st, o, dest);
		if (rc == 0 && o->out) {
			out_abs = abs_path(o->out);
			if (strncmp(out_abs, dest, strlen(dest)) == 0 && out_abs[strlen(dest)] == '/')
				rc = st_fail(st, STORE_EINVAL,
					     "--out points inside the --copy-to folder; leave --out away: the "
					     "record is written there as selection.%s",
					     lb_export_format_name(o->format));
		}
		if (rc)
			goto out;
		if (util_mkdir_p(parent) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot create %s: %s", parent, strerror(errno));
			goto out;
		}
		x.stage = xasprintf("%s/.%s.tmp.XXXXXX", parent, util_basename(dest));
		if (mkdtemp(x.stage) == NULL) {
			rc = st_fail(st, errno == EACCES || errno == EROFS ? STORE_EREADONLY : STORE_EIO,
				     "cannot create a folder in %s: %s", parent, strerror(errno));
			xfree(&x.stage);
			goto out;
		}
		chmod(x.stage, 0755);
		x.rec_rel = o->format == LB_EXPORT_HTML ? xstrdup("index.html")
							: xasprintf("selection.%s", lb_export_format_name(o->format));
		rec = xasprintf("%s/%s", x.stage, x.rec_rel);
		x.f = fopen(rec, "wx");
		if (x.f == NULL) {
			rc = st_fail(st, STORE_EIO, "cannot create %s: %s", rec, strerror(errno));
			goto out;
		}
	} else if (o->out) {
		x.f = out_f = open_temp(st, o->out, &tmp_out);
		if (x.f == NULL) {
			rc = STORE_EIO;
			goto out;
		}
	} else {
		x.f = o->to;
	}
	/* One read transaction: a consistent snapshot while others curate. */
	if (st->depth == 0 && sqlite3_get_autocommit(st->db)) {
		rc = st_exec(st, "BEGIN");
		if (rc)
			goto out;
		own_txn = 1;
	}
	if (o->format == LB_EXPORT_HTML) {
		/* The page is made from the JSON record (export-html.c). */
		html_opts = *o;
		html_opts.format = LB_EXPORT_JSON;
		x.o = &html_opts;
		html_f = x.f;
		x.f = open_memstream(&html_json, &html_len);
		if (x.f == NULL)
			fatal("out of memory");
	}
	rc = walk(&x);
	if (own_txn)
		st_exec(st, "COMMIT");
	if (html_f) {
		fclose(x.f);
		x.f = html_f;
		if (rc == 0)
			rc = st_export_html(st, o, html_json, html_len, x.stage, x.f, &x.manifest);
		free(html_json);
	}
	if (rc)
		goto out;
	if (x.stage) {
		FILE *m;
		rc = close_synced(st, x.f, rec);
		x.f = NULL;
		if (rc)
			goto out;
		/* The manifest lists the record too: hash it as written. */
		{
			char hex[65];
			if (hash_path(rec, hex) < 0) {
				rc = st_fail(st, STORE_EIO, "cannot read back %s: %s", rec, strerror(errno));
				goto out;
			}
			sb_addf(&x.manifest, "%s  %s\n", hex, x.rec_rel);
		}
		free(rec);
		rec = xasprintf("%s/MANIFEST.sha256", x.stage);
		m = fopen(rec, "wx");
		if (m == NULL) {
			rc = st_fail(st, STORE_EIO, "cannot create %s: %s", rec, strerror(errno));
			goto out;
		}
		fwrite(x.manifest.s, 1, x.manifest.len, m);
		rc = close_synced(st, m, rec);
		if (rc == 0 && o->out) {
			out_f = open_temp(st, o->out, &tmp_out);
			free(rec);
			rec = xasprintf("%s/%s", x.stage, x.rec_rel);
			rc = out_f ? copy_plain(st, rec, out_f) : STORE_EIO;
		}
		if (rc == 0)
			rc = sync_dir(st, x.stage);
		if (rc)
			goto out;
	}
	if (out_f) {
		rc = close_synced(st, out_f, o->out);
		out_f = NULL;
		if (rc)
			goto out;
	} else if (x.f && fflush(x.f) != 0) {
		rc = st_fail(st, STORE_EIO, "cannot write the record: %s", strerror(errno));
		goto out;
	}
	if (x.stage) {
		rc = install_folder(st, x.stage, dest, parent);
		if (rc)
			goto out;
		xfree(&x.stage);
		res->record_path = xasprintf("%s/%s", o->copy_to, x.rec_rel);
	}
	if (tmp_out) {
		if (rename(tmp_out, o->out) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot write %s: %s", o->out, strerror(errno));
			goto out;
		}
		util_fsync_dir_of(out_abs ? out_abs : o->out);
		xfree(&tmp_out);
		free(res->record_path);
		res->record_path = xstrdup(o->out);
	}
	res->n_briefs = x.n_briefs;
	res->n_candidates = x.n_cands;
	res->n_files = x.n_files;
	res->bytes_copied = x.bytes;
out:
	if (x.stage) {
		if (x.f)
			fclose(x.f);
		rm_rf(x.stage);
		free(x.stage);
	}
	if (out_f)
		fclose(out_f);
	if (tmp_out) {
		unlink(tmp_out);
		free(tmp_out);
	}
	for (size_t i = 0; i < x.nslugs; i++)
		free(x.slugs[i]);
	free(x.slugs);
	free(x.rec_rel);
	free(rec);
	free(dest);
	free(parent);
	free(out_abs);
	sb_free(&x.manifest);
	lb_project_clear(&x.proj);
	lb_revision_clear(&x.rev);
	lb_ranking_clear(&x.rank);
	return rc;
}
