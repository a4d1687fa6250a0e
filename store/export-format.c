/*
 * export-format.c - the selection record's three formats: JSON (the
 * complete record), CSV (RFC 4180, one row per candidate) and Markdown (a
 * report for a client or producer).  doc/export.md documents them.
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store-private.h"
#include "export-private.h"

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

/* JSON strings must be UTF-8 (util_json_str); the short name keeps the
 * many calls below readable. */
static json_t *jstr(const char *s)
{
	return util_json_str(s);
}

static json_t *jtime(int64_t t)
{
	char buf[32];

	if (t <= 0)
		return json_null();
	util_iso8601(t, buf);
	return json_string(buf);
}

/* v rounded to `per` steps per unit (100: two decimals). */
static double round_to(double v, double per)
{
	return round(v * per) / per;
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
	json_object_set_new(o, "parameters", util_json_params(r->f.params));
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
	json_object_set_new(p, "parameters", util_json_params(c->params));
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

static const struct ex_format formats[] = {
	{ json_begin, json_brief, json_candidate, json_brief_end, json_end },
	{ csv_begin, NULL, csv_candidate, NULL, NULL },
	{ md_begin, md_brief, md_candidate, md_brief_end, md_end },
};

const struct ex_format *ex_format(int format)
{
	return format >= LB_EXPORT_JSON && format <= LB_EXPORT_MD ? &formats[format] : NULL;
}
