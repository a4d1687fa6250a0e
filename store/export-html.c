/*
 * export-html.c - the selection record as one self-contained web page:
 * `lightbox export PROJECT --format html --copy-to DIR` writes
 * DIR/index.html beside the copied files, a contact sheet per brief with
 * a thumbnail of every piece (DIR/thumbs/ID.jpg, made by the caller's
 * thumbnail function: store/ does not decode pictures), the brief and
 * its revision, each piece's intended use and integration note, every
 * curator's stars and pick, notes, provenance and SHA-256.
 *
 * The page is built from the JSON record (doc/export.md), which export.c
 * streams into memory first: one reader of the store's data for every
 * format, and the record's meaning is the page's.  The page needs no
 * script and asks for nothing remote: its Content-Security-Policy allows
 * pictures from its own folder and its one inline style sheet only, and
 * every text from the store is escaped, so a note holding markup shows
 * as that markup.  A print style sheet lays the sheets out for paper.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store-private.h"
#include "export-private.h"

/* Thumbnails fit in this square. */
#define THUMB_SIDE 480
/* A text piece shows this much of its text on the sheet. */
#define TEXT_SHOWN 1200

static const char style[] =
	":root{--ink:#1d1d1f;--dim:#5f6368;--line:#d9dce1;--card:#fff;--bg:#f4f5f7;--pick:#1a7f37;"
	"--reject:#b42318;--star:#b7791f}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
	"sans-serif;color:var(--ink);background:var(--bg)}\n"
	"header.record,main,footer{max-width:1280px;margin:0 auto;padding:0 24px}\n"
	"header.record{padding-top:28px}\n"
	"h1{font-size:26px;margin:0 0 6px}\n"
	"h2{font-size:21px;margin:0 0 4px}\n"
	".meta,.rev,.dim{color:var(--dim)}\n"
	"nav.toc ol{margin:8px 0 0;padding-left:22px}\n"
	"section.brief{margin:28px 0;padding-top:12px;border-top:2px solid var(--line)}\n"
	"dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:10px 0}\n"
	"dl.fields dt{font-weight:600;color:var(--dim)}\n"
	"dl.fields dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}\n"
	".sheet{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:18px;"
	"margin-top:14px}\n"
	"figure.piece{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;"
	"overflow:hidden;display:flex;flex-direction:column}\n"
	".frame{display:flex;align-items:center;justify-content:center;background:#e9ebef;"
	"aspect-ratio:4/3}\n"
	".frame img{max-width:100%;max-height:100%;object-fit:contain;display:block}\n"
	".frame .none{color:var(--dim);padding:16px;text-align:center}\n"
	"pre.text{margin:0;padding:12px;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.4 "
	"ui-monospace,'DejaVu Sans Mono',monospace;background:#fbfbfc;max-height:320px;overflow:hidden}\n"
	"figcaption{padding:10px 12px 12px;display:flex;flex-direction:column;gap:6px}\n"
	"figcaption p{margin:0}\n"
	".cap{font-weight:600;font-size:16px}\n"
	".cap .num{color:var(--dim);font-weight:500;margin-right:6px}\n"
	".integration{border-left:3px solid var(--line);padding-left:8px;white-space:pre-wrap}\n"
	"table.ratings{border-collapse:collapse;font-size:14px}\n"
	"table.ratings td,table.ratings th{padding:1px 10px 1px 0;text-align:left;font-weight:normal}\n"
	".stars{color:var(--star);letter-spacing:1px}\n"
	".flag-pick{color:var(--pick);font-weight:600}.flag-reject{color:var(--reject);font-weight:600}\n"
	".tags span{display:inline-block;border:1px solid var(--line);border-radius:10px;"
	"padding:0 8px;margin:0 4px 2px 0;font-size:13px}\n"
	"dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:1px 10px;margin:0;"
	"font-size:13px}\n"
	"dl.prov dt{color:var(--dim)}dl.prov dd{margin:0;overflow-wrap:anywhere;white-space:pre-wrap}\n"
	"code{font:12px ui-monospace,'DejaVu Sans Mono',monospace;overflow-wrap:anywhere}\n"
	"ul.notes{margin:0;padding-left:18px;font-size:14px}\n"
	"ul.notes li{white-space:pre-wrap;overflow-wrap:anywhere}\n"
	"footer{padding-bottom:28px;color:var(--dim);font-size:13px}\n"
	"a{color:#1f5fbf}\n"
	"@media print{\n"
	"@page{size:A4;margin:14mm}\n"
	"body{background:#fff;font-size:10pt}\n"
	"header.record,main,footer{max-width:none;padding:0}\n"
	"nav.toc{display:none}\n"
	"section.brief{border:0;margin:0 0 6mm;padding:0}\n"
	"section.brief+section.brief{break-before:page}\n"
	"h2{break-after:avoid}\n"
	".sheet{grid-template-columns:1fr 1fr;gap:5mm}\n"
	"figure.piece{break-inside:avoid;border-color:#999;border-radius:0}\n"
	"figcaption{padding:2mm 3mm;gap:1.5mm}\n"
	"dl.prov,table.ratings,ul.notes{font-size:8pt}code{font-size:7.5pt}\n"
	".frame{background:#fff;aspect-ratio:auto;max-height:55mm}\n"
	".frame img{max-height:55mm}\n"
	"a{color:inherit;text-decoration:none}\n"
	"}\n";

struct page {
	struct store *st;
	const struct lb_export_options *o;
	FILE *f;
	const char *stage;
	struct sbuf *manifest;
	int64_t n_thumbs;
	int thumbs_dir; /* DIR/thumbs made */
};

/* ------------------------------------------------------------ writing text */

/* Text from the store as HTML text or attribute value: markup characters
 * as references, control characters as their visible symbols (U+2400..). */
static void esc(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	for (; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
				fprintf(f, "&#x%X;", *p == 0x7f ? 0x2421u : 0x2400u + *p);
			else
				fputc(*p, f);
		}
	}
}

/* At most max bytes of s, cut on a character boundary, then "…". */
static void esc_cut(FILE *f, const char *s, size_t max)
{
	size_t n = strlen(s);
	char *cut;

	if (n <= max) {
		esc(f, s);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	cut = xstrndup(s, max);
	esc(f, cut);
	fputs("\xe2\x80\xa6", f);
	free(cut);
}

/* A path inside the export as a relative URL: percent-encoded but '/'. */
static void url(FILE *f, const char *path)
{
	const unsigned char *p = (const unsigned char *)path;

	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A non-empty string member, or NULL. */
static const char *full(json_t *o, const char *k)
{
	const char *s = str(o, k);

	return s && *s ? s : NULL;
}

/* "2026-12-07T06:49:20Z" as "2026-12-07 06:49 UTC". */
static void when(FILE *f, const char *iso)
{
	if (iso && strlen(iso) >= 16)
		fprintf(f, "%.10s %.5s UTC", iso, iso + 11);
	else
		esc(f, iso ? iso : "");
}

static void field(FILE *f, const char *dt, const char *dd)
{
	if (!dd)
		return;
	fputs("<dt>", f);
	esc(f, dt);
	fputs("</dt><dd>", f);
	esc(f, dd);
	fputs("</dd>\n", f);
}

/* ------------------------------------------------------------ thumbnails */

/* Makes thumbs/ID.jpg for a picture or video piece; its path (owned) and
 * size, or NULL with *why (owned) saying why there is none. */
static char *thumbnail(struct page *pg, json_t *c, const char *file, int *w, int *h, char **why)
{
	json_t *a = json_object_get(c, "asset");
	const char *sha = str(a, "sha256"), *mt = str(a, "media_type");
	unsigned char *jpg = NULL;
	size_t len = 0;
	char *src, *dir, *rel, *dst, hex[65];
	int rc;

	*why = NULL;
	if (!pg->o->thumb || !mt || (strncmp(mt, "image/", 6) && strncmp(mt, "video/", 6)))
		return NULL;
	src = xasprintf("%s/%s", pg->stage, file);
	rc = pg->o->thumb(pg->o->thumb_ctx, src, sha, THUMB_SIDE, &jpg, &len, w, h, why);
	free(src);
	if (rc < 0)
		return NULL;
	if (!pg->thumbs_dir) {
		dir = xasprintf("%s/thumbs", pg->stage);
		if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
			*why = xasprintf("cannot create %s: %s", dir, strerror(errno));
			free(dir);
			free(jpg);
			return NULL;
		}
		free(dir);
		pg->thumbs_dir = 1;
	}
	rel = xasprintf("thumbs/%lld.jpg", (long long)json_integer_value(json_object_get(c, "id")));
	dst = xasprintf("%s/%s", pg->stage, rel);
	if (ex_write_new_file(pg->st, dst, jpg, len) != 0) {
		*why = xstrdup(store_errmsg(pg->st));
		xfree(&rel);
	} else {
		sha256_buf_hex(jpg, len, hex);
		sb_addf(pg->manifest, "%s  %s\n", hex, rel);
		pg->n_thumbs++;
	}
	free(dst);
	free(jpg);
	return rel;
}

/* ------------------------------------------------------------ the page */

static void page_begin(struct page *pg, json_t *rec)
{
	FILE *f = pg->f;
	json_t *p = json_object_get(rec, "project"), *briefs = json_object_get(rec, "briefs"), *b;
	json_t *filter = json_object_get(rec, "filter");
	size_t i;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	/* Nothing but this folder's pictures and the one style sheet below. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n",
	      f);
	fputs("<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
	      f);
	fprintf(f, "<meta name=\"generator\" content=\"%s %s\">\n", PACKAGE_NAME, PACKAGE_VERSION);
	fputs("<title>Selection record: ", f);
	esc(f, str(p, "name"));
	fputs("</title>\n<style>\n", f);
	fputs(style, f);
	fputs("</style>\n</head>\n<body>\n<header class=\"record\">\n<h1>Selection record: ", f);
	esc(f, str(p, "name"));
	fputs("</h1>\n<p class=\"meta\">Exported ", f);
	when(f, str(rec, "exported_at"));
	fputs(" by ", f);
	esc(f, str(rec, "exported_by"));
	fputs(" with ", f);
	esc(f, str(rec, "generator"));
	fputs(".", f);
	if (json_is_true(json_object_get(filter, "all")))
		fputs(" Every candidate, not only the selected ones.", f);
	if (json_is_true(json_object_get(filter, "picked")))
		fputs(" Only candidates a curator picked.", f);
	if (json_is_integer(json_object_get(filter, "min_stars")))
		fprintf(f, " Rated %lld stars or more on average.",
			(long long)json_integer_value(json_object_get(filter, "min_stars")));
	if (full(filter, "tag")) {
		fputs(" Tagged ", f);
		esc(f, str(filter, "tag"));
		fputs(".", f);
	}
	fputs("</p>\n", f);
	if (full(p, "description")) {
		fputs("<p class=\"description\">", f);
		esc(f, str(p, "description"));
		fputs("</p>\n", f);
	}
	if (json_array_size(briefs) > 1) {
		fputs("<nav class=\"toc\"><ol>\n", f);
		json_array_foreach(briefs, i, b)
		{
			fprintf(f, "<li><a href=\"#brief-%lld\">", (long long)json_integer_value(json_object_get(b, "id")));
			esc(f, str(b, "title"));
			fprintf(f, "</a> <span class=\"dim\">(%zu)</span></li>\n",
				json_array_size(json_object_get(b, "candidates")));
		}
		fputs("</ol></nav>\n", f);
	}
	fputs("</header>\n<main>\n", f);
}

static void brief_head(struct page *pg, json_t *b, size_t k)
{
	FILE *f = pg->f;
	json_t *r = json_object_get(b, "final_revision"), *e = json_object_get(b, "earlier_revisions_used");
	json_t *x;
	size_t i;

	fprintf(f, "<section class=\"brief\" id=\"brief-%lld\">\n<h2>%zu. ",
		(long long)json_integer_value(json_object_get(b, "id")), k);
	esc(f, str(b, "title"));
	fprintf(f, "</h2>\n<p class=\"rev\">Brief %lld, revision %lld",
		(long long)json_integer_value(json_object_get(b, "id")),
		(long long)json_integer_value(json_object_get(r, "revision")));
	if (full(r, "author")) {
		fputs(" by ", f);
		esc(f, str(r, "author"));
	}
	if (full(r, "created")) {
		fputs(", ", f);
		when(f, str(r, "created"));
	}
	fputs("; ", f);
	esc(f, str(b, "modality"));
	if (json_is_true(json_object_get(b, "archived")))
		fputs(", archived", f);
	fprintf(f, "; %lld candidate%s in all.</p>\n",
		(long long)json_integer_value(json_object_get(b, "candidates_total")),
		json_integer_value(json_object_get(b, "candidates_total")) == 1 ? "" : "s");
	fputs("<dl class=\"fields\">\n", f);
	field(f, "Prompt", full(r, "prompt"));
	field(f, "Negative prompt", full(r, "negative_prompt"));
	field(f, "Constraints", full(r, "constraints"));
	field(f, "References", full(r, "references"));
	field(f, "Backend", full(r, "backend"));
	fputs("</dl>\n", f);
	if (json_array_size(e)) {
		fputs("<p class=\"dim\">Some pieces were made from earlier revisions:", f);
		json_array_foreach(e, i, x)
			fprintf(f, "%s %lld", i ? "," : "", (long long)json_integer_value(json_object_get(x, "revision")));
		fputs(".</p>\n", f);
	}
}

static void stars(FILE *f, json_t *v)
{
	int s, n;

	if (!json_is_integer(v)) {
		fputs("<span class=\"dim\">no stars</span>", f);
		return;
	}
	n = (int)json_integer_value(v);
	fprintf(f, "<span class=\"stars\" title=\"%d of 5 stars\">", n);
	for (s = 0; s < 5; s++)
		fputs(s < n ? "\xe2\x98\x85" : "\xe2\x98\x86", f);
	fputs("</span>", f);
}

static void ratings(FILE *f, json_t *c)
{
	json_t *rs = json_object_get(c, "ratings"), *r, *mean = json_object_get(c, "mean_stars");
	const char *flag;
	size_t i;

	if (!json_array_size(rs)) {
		fputs("<p class=\"dim\">Not rated.</p>\n", f);
		return;
	}
	fputs("<table class=\"ratings\">\n", f);
	json_array_foreach(rs, i, r)
	{
		flag = str(r, "flag");
		fputs("<tr><th>", f);
		esc(f, str(r, "curator"));
		fputs("</th><td>", f);
		stars(f, json_object_get(r, "stars"));
		fputs("</td><td>", f);
		if (flag && strcmp(flag, "none")) {
			fprintf(f, "<span class=\"flag-%s\">", !strcmp(flag, "pick") ? "pick" : "reject");
			esc(f, flag);
			fputs("</span>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (json_is_number(mean))
		fprintf(f, "<p class=\"dim\">Mean %.2f stars; %lld pick%s, %lld reject%s.</p>\n",
			json_number_value(mean), (long long)json_integer_value(json_object_get(c, "picks")),
			json_integer_value(json_object_get(c, "picks")) == 1 ? "" : "s",
			(long long)json_integer_value(json_object_get(c, "rejects")),
			json_integer_value(json_object_get(c, "rejects")) == 1 ? "" : "s");
}

static void size_text(FILE *f, json_int_t bytes)
{
	if (bytes >= 1048576)
		fprintf(f, "%.1f MB", (double)bytes / 1048576.0);
	else if (bytes >= 1024)
		fprintf(f, "%.1f KB", (double)bytes / 1024.0);
	else
		fprintf(f, "%lld bytes", (long long)bytes);
}

static void provenance(struct page *pg, json_t *b, json_t *c, const char *file)
{
	FILE *f = pg->f;
	json_t *p = json_object_get(c, "provenance"), *a = json_object_get(c, "asset");
	json_t *rev = json_object_get(b, "final_revision"), *params = json_object_get(p, "parameters"), *v;
	const char *k;
	char *s;

	fputs("<dl class=\"prov\">\n", f);
	field(f, "Backend", full(p, "backend") ? full(p, "backend") : "unknown");
	field(f, "Model", full(p, "model"));
	if (json_is_integer(json_object_get(p, "seed")))
		fprintf(f, "<dt>Seed</dt><dd>%lld</dd>\n", (long long)json_integer_value(json_object_get(p, "seed")));
	fprintf(f, "<dt>Revision</dt><dd>made from brief revision %lld</dd>\n",
		(long long)json_integer_value(json_object_get(p, "brief_revision")));
	if (full(p, "prompt") && (!full(rev, "prompt") || strcmp(str(p, "prompt"), str(rev, "prompt"))))
		field(f, "Prompt", str(p, "prompt"));
	if (full(p, "negative_prompt") &&
	    (!full(rev, "negative_prompt") || strcmp(str(p, "negative_prompt"), str(rev, "negative_prompt"))))
		field(f, "Negative", str(p, "negative_prompt"));
	if (json_object_size(params)) {
		fputs("<dt>Parameters</dt><dd><code>", f);
		json_object_foreach(params, k, v)
		{
			s = json_is_string(v) ? xstrdup(json_string_value(v))
					      : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
								 JSON_REAL_PRECISION(10));
			esc(f, k);
			fputs(": ", f);
			esc(f, s ? s : "");
			fputs("\n", f);
			free(s);
		}
		fputs("</code></dd>\n", f);
	}
	field(f, "Source", full(p, "source"));
	if (json_is_object(a)) {
		fputs("<dt>File</dt><dd>", f);
		if (file) {
			fputs("<a href=\"", f);
			url(f, file);
			fputs("\">", f);
			esc(f, file);
			fputs("</a>, ", f);
		}
		esc(f, str(a, "media_type"));
		if (json_is_integer(json_object_get(a, "width")))
			fprintf(f, ", %lld\xc3\x97%lld", (long long)json_integer_value(json_object_get(a, "width")),
				(long long)json_integer_value(json_object_get(a, "height")));
		if (json_is_number(json_object_get(a, "duration")))
			fprintf(f, ", %.1f s", json_number_value(json_object_get(a, "duration")));
		fputs(", ", f);
		size_text(f, json_integer_value(json_object_get(a, "bytes")));
		fputs("</dd>\n<dt>SHA-256</dt><dd><code>", f);
		esc(f, str(a, "sha256"));
		fputs("</code></dd>\n", f);
	} else if (file) {
		fputs("<dt>File</dt><dd><a href=\"", f);
		url(f, file);
		fputs("\">", f);
		esc(f, file);
		fputs("</a></dd>\n", f);
	}
	fputs("</dl>\n", f);
}

static void piece(struct page *pg, json_t *b, json_t *c, size_t bn)
{
	FILE *f = pg->f;
	json_t *sel = json_object_get(c, "selection"), *tags = json_object_get(c, "tags");
	json_t *notes = json_object_get(c, "notes"), *x, *a = json_object_get(c, "asset");
	const char *file = full(c, "file"), *mt = str(a, "media_type");
	long long id = (long long)json_integer_value(json_object_get(c, "id"));
	char *thumb = NULL, *why = NULL;
	int w = 0, h = 0;
	size_t i;

	fprintf(f, "<figure class=\"piece\" id=\"c-%lld\">\n", id);
	if (full(c, "text") && !json_is_object(a)) {
		fputs("<pre class=\"text\">", f);
		esc_cut(f, str(c, "text"), TEXT_SHOWN);
		fputs("</pre>\n", f);
	} else {
		fputs("<div class=\"frame\">", f);
		if (file)
			thumb = thumbnail(pg, c, file, &w, &h, &why);
		if (thumb || (file && !pg->o->thumb && mt && !strncmp(mt, "image/", 6))) {
			fputs("<a href=\"", f);
			url(f, file);
			fputs("\"><img src=\"", f);
			url(f, thumb ? thumb : file);
			fprintf(f, "\" alt=\"Candidate %lld\"", id);
			if (w > 0 && h > 0)
				fprintf(f, " width=\"%d\" height=\"%d\"", w, h);
			fputs("></a>", f);
		} else {
			fputs("<div class=\"none\">", f);
			esc(f, mt ? mt : "no file");
			if (why) {
				fputs("<br>no preview: ", f);
				esc(f, why);
			}
			if (file) {
				fputs("<br><a href=\"", f);
				url(f, file);
				fputs("\">open the file</a>", f);
			}
			fputs("</div>", f);
		}
		fputs("</div>\n", f);
	}
	fputs("<figcaption>\n", f);
	fprintf(f, "<p class=\"cap\"><span class=\"num\">%zu.%lld</span>Candidate %lld", bn,
		(long long)json_integer_value(json_object_get(c, "n")), id);
	if (full(sel, "intended_use")) {
		fputs(": ", f);
		esc(f, str(sel, "intended_use"));
	}
	fputs("</p>\n", f);
	if (json_is_object(sel)) {
		if (full(sel, "integration_note")) {
			fputs("<p class=\"integration\">", f);
			esc(f, str(sel, "integration_note"));
			fputs("</p>\n", f);
		}
		fputs("<p class=\"dim\">Selected by ", f);
		esc(f, str(sel, "selected_by"));
		fputs(", ", f);
		when(f, str(sel, "selected_at"));
		fputs(".</p>\n", f);
	} else {
		fputs("<p class=\"dim\">Not selected.</p>\n", f);
	}
	ratings(f, c);
	if (json_array_size(tags)) {
		fputs("<p class=\"tags\">", f);
		json_array_foreach(tags, i, x)
		{
			fputs("<span>", f);
			esc(f, str(x, "tag"));
			fputs("</span>", f);
		}
		fputs("</p>\n", f);
	}
	provenance(pg, b, c, file);
	if (json_array_size(notes)) {
		fputs("<ul class=\"notes\">\n", f);
		json_array_foreach(notes, i, x)
		{
			fputs("<li><span class=\"dim\">", f);
			esc(f, str(x, "kind"));
			fputs(" note by ", f);
			esc(f, str(x, "by"));
			fputs(", ", f);
			when(f, str(x, "at"));
			fputs(":</span> ", f);
			esc(f, str(x, "body"));
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("</figcaption>\n</figure>\n", f);
	free(thumb);
	free(why);
}

static void page_end(struct page *pg, json_t *rec)
{
	json_t *t = json_object_get(rec, "totals");

	fprintf(pg->f,
		"</main>\n<footer>\n<p>%lld brief%s, %lld piece%s (%lld selected); the files and this "
		"page are listed with their SHA-256 in <a href=\"MANIFEST.sha256\">MANIFEST.sha256</a> "
		"(check with <code>sha256sum -c MANIFEST.sha256</code>); the complete record is "
		"<a href=\"selection.json\">selection.json</a>.</p>\n</footer>\n</body>\n</html>\n",
		(long long)json_integer_value(json_object_get(t, "briefs")),
		json_integer_value(json_object_get(t, "briefs")) == 1 ? "" : "s",
		(long long)json_integer_value(json_object_get(t, "candidates")),
		json_integer_value(json_object_get(t, "candidates")) == 1 ? "" : "s",
		(long long)json_integer_value(json_object_get(t, "selected")));
}

int ex_html(struct ex *x, const char *json, size_t len, FILE *out)
{
	struct store *st = x->st;
	const struct lb_export_options *o = x->o;
	struct page pg = { .st = st, .o = o, .f = out, .stage = x->stage, .manifest = &x->manifest };
	json_t *rec, *briefs, *b, *cands, *c;
	json_error_t e;
	size_t i, k;
	char *path, hex[65];
	int rc;

	rec = json_loadb(json, len, 0, &e);
	if (!rec)
		return st_fail(st, STORE_EIO, "cannot read back the record to make the page: %s (line %d)",
			       e.text, e.line);
	/* The complete record beside the page, for programs. */
	path = xasprintf("%s/selection.json", x->stage);
	rc = ex_write_new_file(st, path, json, len);
	free(path);
	if (rc) {
		json_decref(rec);
		return rc;
	}
	sha256_buf_hex(json, len, hex);
	sb_addf(&x->manifest, "%s  selection.json\n", hex);
	page_begin(&pg, rec);
	briefs = json_object_get(rec, "briefs");
	json_array_foreach(briefs, i, b)
	{
		brief_head(&pg, b, i + 1);
		cands = json_object_get(b, "candidates");
		if (!json_array_size(cands))
			fprintf(out, "<p class=\"dim\">%s</p>\n",
				o->all ? "No candidates match." : "Nothing selected yet.");
		else
			fputs("<div class=\"sheet\">\n", out);
		json_array_foreach(cands, k, c)
			piece(&pg, b, c, i + 1);
		if (json_array_size(cands))
			fputs("</div>\n", out);
		fputs("</section>\n", out);
	}
	page_end(&pg, rec);
	json_decref(rec);
	return 0;
}
