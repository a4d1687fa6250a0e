/*
 * genmeta.c - recovering generation parameters from a file: reads its
 * embedded text (pngtext.c, exiftext.c), decides from the keys and the
 * content which tool wrote it, hands the text to that tool's parser
 * (genmeta-a1111.c, genmeta-comfy.c, genmeta-json.c), and falls back to
 * sidecar files with the same stem.  Every choice is written in notes.
 */
#include "config.h"

#include "media/media.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "media/genmeta-private.h"
#include "util.h"

/* Sidecars bigger than this are not read. */
#define SIDECAR_MAX (8u << 20)

/* ---------------------------------------------------------------- result helpers */

struct media_genmeta *gm_new(void)
{
	struct media_genmeta *m = xcalloc(1, sizeof *m);

	m->params_json = xstrdup("{}");
	return m;
}

void gm_set(char **field, const char *s)
{
	char *old = *field;

	*field = s ? xstrdup(s) : NULL;
	free(old);
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void gm_set_text(char **field, const char *s, size_t n)
{
	struct sbuf b;
	size_t i;

	while (n && is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	sb_init(&b);
	for (i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		sb_addc(&b, s[i]);
	}
	free(*field);
	*field = sb_steal(&b);
}

int gm_set_seed_str(struct media_genmeta *m, const char *s)
{
	long long v;
	char *end;

	while (is_space((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	while (is_space((unsigned char)*end))
		end++;
	if (*end || end == s)
		return -1;
	if (errno == ERANGE) {
		gm_note(&m->notes, &m->n_notes,
		        "seed %.40s is outside the 64-bit range: kept in the parameters only", s);
		return -1;
	}
	m->seed = v;
	m->has_seed = 1;
	return 0;
}

int gm_set_seed_json(struct media_genmeta *m, json_t *v)
{
	double d;

	if (json_is_integer(v)) {
		m->seed = json_integer_value(v);
		m->has_seed = 1;
		return 0;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
		    d == (double)(int64_t)d) {
			m->seed = (int64_t)d;
			m->has_seed = 1;
			return 0;
		}
		gm_note(&m->notes, &m->n_notes, "seed %g is not a 64-bit integer", d);
		return -1;
	}
	if (json_is_string(v))
		return gm_set_seed_str(m, json_string_value(v));
	return -1;
}

void gm_set_params(struct media_genmeta *m, json_t *params)
{
	char *s = json_dumps(params, JSON_COMPACT | JSON_REAL_PRECISION(15));

	if (!s)
		fatal("cannot encode generation parameters as JSON");
	free(m->params_json);
	m->params_json = xstrdup(s);
	free(s);
}

void gm_params_wh(json_t *params, json_int_t w, json_int_t h)
{
	char buf[64];

	json_object_set_new(params, "width", json_integer(w));
	json_object_set_new(params, "height", json_integer(h));
	snprintf(buf, sizeof buf, "%lldx%lld", (long long)w, (long long)h);
	json_object_set_new(params, "size", json_string(buf));
}

int gm_params_size(json_t *params, const char *s)
{
	long long w, h;
	char *end;

	while (*s == ' ' || *s == '(' || *s == '[')
		s++;
	errno = 0;
	w = strtoll(s, &end, 10);
	if (end == s || errno || w <= 0 || w > 1000000)
		return -1;
	s = end;
	while (*s == ' ')
		s++;
	if (*s != 'x' && *s != 'X' && *s != ',')
		return -1;
	s++;
	while (*s == ' ')
		s++;
	h = strtoll(s, &end, 10);
	if (end == s || errno || h <= 0 || h > 1000000)
		return -1;
	s = end;
	while (*s == ' ' || *s == ')' || *s == ']')
		s++;
	if (*s)
		return -1;
	gm_params_wh(params, w, h);
	return 0;
}

/* The JSON text with every integer literal beyond 64 bits turned into a
 * string, so that big seeds stay exact and everything else stays typed. */
static char *quote_big_ints(const char *text, size_t len, size_t *outlen)
{
	struct sbuf b;
	size_t i = 0, j;
	int in_str = 0, digits;
	long long v;
	char *tok, *end;

	sb_init(&b);
	while (i < len) {
		char c = text[i];

		if (in_str) {
			if (c == '\\' && i + 1 < len) {
				sb_add(&b, text + i, 2);
				i += 2;
				continue;
			}
			in_str = c != '"';
			sb_addc(&b, c);
			i++;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			sb_addc(&b, c);
			i++;
			continue;
		}
		if (c != '-' && (c < '0' || c > '9')) {
			sb_addc(&b, c);
			i++;
			continue;
		}
		j = i + (c == '-');
		digits = 1;
		while (j < len &&
		       ((text[j] >= '0' && text[j] <= '9') || text[j] == '.' || text[j] == 'e' ||
		        text[j] == 'E' || text[j] == '+' || text[j] == '-')) {
			if (text[j] < '0' || text[j] > '9')
				digits = 0;
			j++;
		}
		tok = xstrndup(text + i, j - i);
		errno = 0;
		v = strtoll(tok, &end, 10);
		(void)v;
		if (digits && errno == ERANGE && !*end)
			sb_addf(&b, "\"%s\"", tok);
		else
			sb_add(&b, text + i, j - i);
		free(tok);
		i = j;
	}
	*outlen = b.len;
	return sb_steal(&b);
}

json_t *gm_json_load(struct media_genmeta *m, const char *text, size_t len, char why[160])
{
	json_error_t e;
	json_t *doc;
	char *fixed;
	size_t flen;

	why[0] = 0;
	doc = json_loadb(text, len, JSON_DECODE_ANY, &e);
	if (!doc && strstr(e.text, "too big")) {
		fixed = quote_big_ints(text, len, &flen);
		doc = json_loadb(fixed, flen, JSON_DECODE_ANY, &e);
		free(fixed);
		if (doc && m)
			gm_note(&m->notes, &m->n_notes,
			        "the JSON holds integers beyond 64 bits: they were read as text");
	}
	if (!doc)
		snprintf(why, 160, "%.120s at line %d", e.text, e.line);
	return doc;
}

char *gm_json_str(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.17g", json_real_value(v));
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v))
		return xstrdup("false");
	return NULL;
}

int media_genmeta_found(const struct media_genmeta *m)
{
	return m && (m->prompt || m->negative_prompt || m->has_seed || m->model || m->model_hash ||
	             strcmp(m->params_json, "{}") != 0);
}

void media_genmeta_free(struct media_genmeta **mp)
{
	struct media_genmeta *m = *mp;

	if (!m)
		return;
	free(m->tool);
	free(m->tool_version);
	free(m->source);
	free(m->prompt);
	free(m->negative_prompt);
	free(m->model);
	free(m->model_hash);
	free(m->params_json);
	free(m->raw);
	free(m->workflow);
	gm_notes_free(&m->notes, &m->n_notes);
	free(m);
	*mp = NULL;
}

/* ---------------------------------------------------------------- dispatch */

static const char *kind_name(enum media_text_kind k)
{
	switch (k) {
	case MEDIA_TEXT_TEXT:
		return "PNG tEXt";
	case MEDIA_TEXT_ZTXT:
		return "PNG zTXt";
	case MEDIA_TEXT_ITXT:
		return "PNG iTXt";
	case MEDIA_TEXT_EXIF:
		return "EXIF";
	case MEDIA_TEXT_XMP:
		return "XMP";
	case MEDIA_TEXT_COMMENT:
		return "JPEG comment";
	}
	return "text";
}

static void set_source(struct media_genmeta *m, const struct media_text_item *it)
{
	free(m->source);
	m->source = xasprintf("%s \"%s\"", kind_name(it->kind), it->key);
}

/* Empties m of values (keeps notes and workflow) after a parser gave up. */
static void reset_values(struct media_genmeta *m)
{
	xfree(&m->tool);
	xfree(&m->tool_version);
	xfree(&m->source);
	xfree(&m->prompt);
	xfree(&m->negative_prompt);
	xfree(&m->model);
	xfree(&m->model_hash);
	xfree(&m->raw);
	m->has_seed = 0;
	m->seed = 0;
	gm_set(&m->params_json, "{}");
}

static int starts_json(const char *s)
{
	while (is_space((unsigned char)*s))
		s++;
	return *s == '{';
}

/* A JSON document of a known shape; hint names the tool when the file
 * already said so (fooocus_scheme).  0 when recognised. */
static int parse_json_doc(struct media_genmeta *m, json_t *doc, const char *hint)
{
	json_t *v;
	const char *s;

	if (!json_is_object(doc))
		return -1;
	if (json_is_object(json_object_get(doc, "sui_image_params")))
		return gm_parse_swarm(m, doc);
	v = json_object_get(doc, "metadata_scheme");
	s = json_string_value(json_object_get(doc, "version"));
	if ((hint && !strcmp(hint, "fooocus")) ||
	    (json_is_string(v) && !strcmp(json_string_value(v), "fooocus")) ||
	    (s && !strncmp(s, "Fooocus", 7)))
		return gm_parse_fooocus(m, doc);
	if (gm_is_comfy_prompt(doc))
		return gm_parse_comfy_prompt(m, doc);
	if (gm_is_comfy_workflow(doc))
		return gm_parse_comfy_workflow(m, doc);
	if (json_is_object(json_object_get(doc, "image")) && json_object_get(doc, "app_id"))
		return gm_parse_invoke_sd(m, doc);
	if (json_object_get(doc, "positive_prompt") &&
	    (json_object_get(doc, "generation_mode") || json_object_get(doc, "app_version")))
		return gm_parse_invoke_meta(m, doc);
	if (json_object_get(doc, "uc") && json_object_get(doc, "scale") &&
	    json_object_get(doc, "sampler")) {
		gm_note(&m->notes, &m->n_notes,
		        "JSON with NovelAI's key names (uc, scale): read as NovelAI");
		return gm_parse_novelai(m, doc, NULL, NULL);
	}
	return gm_parse_generic_json(m, doc);
}

/* A1111-style "parameters" text, or a JSON document in the same place. */
static int parse_parameters(struct media_genmeta *m, const struct media_text_item *it,
                            const char *scheme)
{
	char why[160];
	json_t *doc;

	if (starts_json(it->text)) {
		doc = gm_json_load(m, it->text, it->len, why);
		if (doc && parse_json_doc(m, doc, scheme) == 0) {
			json_decref(doc);
			set_source(m, it);
			gm_set(&m->raw, it->text);
			return 0;
		}
		if (doc) {
			/* Valid JSON of no known shape is no prompt either. */
			reset_values(m);
			json_decref(doc);
			gm_note(&m->notes, &m->n_notes,
			        "%s \"%s\" is JSON of an unknown shape: not used",
			        kind_name(it->kind), it->key);
			return -1;
		}
	}
	if (gm_parse_a1111(m, it->text, it->len) < 0)
		return -1;
	if (!m->tool && !strcmp(it->key, "parameters")) {
		gm_set(&m->tool, "A1111-style");
		gm_note(&m->notes, &m->n_notes,
		        "a \"parameters\" text, the A1111 family's key, without a settings line");
	}
	if (scheme && !strcmp(scheme, "a1111") && (!m->tool || strcmp(m->tool, "Fooocus"))) {
		gm_set(&m->tool, "Fooocus");
		gm_note(&m->notes, &m->n_notes,
		        "fooocus_scheme \"a1111\": Fooocus wrote A1111-style parameters");
	}
	set_source(m, it);
	gm_set(&m->raw, it->text);
	return 0;
}

/* A JSON chunk handed to one parser; notes when the text is not JSON. */
static int parse_json_item(struct media_genmeta *m, const struct media_text_item *it,
                           int (*parse)(struct media_genmeta *, json_t *))
{
	char why[160];
	json_t *doc = gm_json_load(m, it->text, it->len, why);
	int rc;

	if (!doc) {
		gm_note(&m->notes, &m->n_notes, "%s \"%s\" is not valid JSON (%s): not used",
		        kind_name(it->kind), it->key, why);
		return -1;
	}
	rc = parse(m, doc);
	json_decref(doc);
	if (rc < 0) {
		reset_values(m);
		gm_note(&m->notes, &m->n_notes, "%s \"%s\" is JSON of an unknown shape: not used",
		        kind_name(it->kind), it->key);
		return -1;
	}
	set_source(m, it);
	gm_set(&m->raw, it->text);
	return 0;
}

static int comfy_prompt_item(struct media_genmeta *m, json_t *doc)
{
	if (!gm_is_comfy_prompt(doc))
		return -1;
	return gm_parse_comfy_prompt(m, doc);
}

static int comfy_workflow_item(struct media_genmeta *m, json_t *doc)
{
	if (!gm_is_comfy_workflow(doc))
		return -1;
	return gm_parse_comfy_workflow(m, doc);
}

/* 1 when text looks like A1111 parameters rather than a plain caption. */
static int looks_a1111(const char *s)
{
	return strstr(s, "Steps: ") && (strstr(s, "Sampler: ") || strstr(s, "Seed: "));
}

/* Draw Things' description: "prompt\n-negative\nSteps: ..." as A1111 text. */
static char *drawthings_description(const char *d)
{
	const char *nl = strstr(d, "\n-");
	struct sbuf b;

	sb_init(&b);
	if (nl) {
		sb_add(&b, d, (size_t)(nl - d));
		sb_adds(&b, "\nNegative prompt: ");
		sb_adds(&b, nl + 2);
	} else {
		sb_adds(&b, d);
	}
	return sb_steal(&b);
}

/* XMP: Draw Things' JSON, else A1111 text in exif:UserComment or
 * dc:description.  0 when values were found. */
static int parse_xmp(struct media_genmeta *m, const struct media_text_item *it)
{
	char *tool = gm_xmp_field(it->text, "xmp:CreatorTool");
	char *uc = gm_xmp_field(it->text, "exif:UserComment");
	char *desc = gm_xmp_field(it->text, "dc:description");
	int dt = tool && strstr(tool, "Draw Things"), rc = -1;
	char why[160], *text;
	json_t *doc;

	if (dt && uc && starts_json(uc)) {
		doc = gm_json_load(m, uc, strlen(uc), why);
		rc = doc ? gm_parse_drawthings(m, doc) : -1;
		json_decref(doc);
		if (rc == 0) {
			gm_set(&m->source, "XMP exif:UserComment");
			gm_set(&m->raw, uc);
		} else {
			reset_values(m);
		}
	}
	if (rc < 0 && uc && looks_a1111(uc) && gm_parse_a1111(m, uc, strlen(uc)) == 0) {
		gm_set(&m->source, "XMP exif:UserComment");
		gm_set(&m->raw, uc);
		rc = 0;
	}
	if (rc < 0 && desc && (dt || looks_a1111(desc))) {
		text = dt ? drawthings_description(desc) : xstrdup(desc);
		if (gm_parse_a1111(m, text, strlen(text)) == 0) {
			gm_set(&m->source, "XMP dc:description");
			gm_set(&m->raw, desc);
			rc = 0;
		}
		free(text);
	}
	if (rc == 0 && dt) {
		gm_set(&m->tool, "Draw Things");
		xfree(&m->tool_version);
	}
	free(tool);
	free(uc);
	free(desc);
	return rc;
}

/* 1 when doc is NovelAI's text chunks gathered in one JSON object, as its
 * WebP files carry in EXIF UserComment and its stealth info in the
 * pixels: "Software": "NovelAI" beside a "Comment" (the parameters, as
 * JSON text or an object), "Description", "Source", "Title".  The layout
 * is the one sd-metadata (enslo/sd-metadata: src/converters/novelai.ts)
 * reads from NovelAI's WebP. */
static int is_novelai_mirror(json_t *doc)
{
	json_t *sw = json_object_get(doc, "Software");

	return json_is_object(doc) && json_is_string(sw) &&
	       !strcmp(json_string_value(sw), "NovelAI") && json_object_get(doc, "Comment");
}

/* Reads such an object; description is the file's own (EXIF
 * ImageDescription), preferred to the copy in the JSON.  0 when read. */
static int parse_novelai_mirror(struct media_genmeta *m, json_t *doc, const char *description)
{
	json_t *c = json_object_get(doc, "Comment"), *cdoc;
	const char *desc = json_string_value(json_object_get(doc, "Description"));
	char why[160];
	int rc;

	if (json_is_string(c))
		cdoc = gm_json_load(m, json_string_value(c), json_string_length(c), why);
	else
		cdoc = json_incref(c);
	if (description && *description)
		desc = description;
	rc = json_is_object(cdoc) ? gm_parse_novelai(m, cdoc, desc,
	                                             json_string_value(json_object_get(doc, "Source")))
	                          : -1;
	json_decref(cdoc);
	if (rc < 0) {
		reset_values(m);
		gm_note(&m->notes, &m->n_notes,
		        "NovelAI's JSON holds a Comment that is not a JSON object: not used");
	}
	return rc;
}

/* EXIF UserComment holding NovelAI's JSON (its WebP files). */
static int parse_novelai_user_comment(struct media_genmeta *m, const struct media_text_item *uc,
                                      const struct media_text_item *idesc)
{
	char why[160];
	json_t *doc = gm_json_load(m, uc->text, uc->len, why);
	int rc = -1;

	if (is_novelai_mirror(doc) && parse_novelai_mirror(m, doc, idesc ? idesc->text : NULL) == 0) {
		set_source(m, uc);
		gm_set(&m->raw, uc->text);
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

struct media_genmeta *media_genmeta_from_texts(const struct media_png_text *t)
{
	struct media_genmeta *m = gm_new();
	const struct media_text_item *params, *scheme, *prompt, *workflow, *inv, *sdm, *dream,
	        *soft, *comment, *desc, *src, *uc, *idesc, *xmp, *used = NULL;
	const char *scheme_s;
	size_t i;
	char why[160];
	json_t *doc;

	for (i = 0; t && i < t->n_notes; i++)
		gm_note(&m->notes, &m->n_notes, "%s", t->notes[i]);
	if (!t || t->n == 0) {
		gm_note(&m->notes, &m->n_notes, "no text metadata in the file");
		return m;
	}
	params = media_png_text_get(t, "parameters");
	scheme = media_png_text_get(t, "fooocus_scheme");
	prompt = media_png_text_get(t, "prompt");
	workflow = media_png_text_get(t, "workflow");
	inv = media_png_text_get(t, "invokeai_metadata");
	sdm = media_png_text_get(t, "sd-metadata");
	dream = media_png_text_get(t, "Dream");
	soft = media_png_text_get(t, "Software");
	comment = media_png_text_get(t, "Comment");
	desc = media_png_text_get(t, "Description");
	src = media_png_text_get(t, "Source");
	uc = media_png_text_get(t, "UserComment");
	idesc = media_png_text_get(t, "ImageDescription");
	scheme_s = scheme ? scheme->text : NULL;

	if (workflow)
		gm_set(&m->workflow, workflow->text);

	if (params && parse_parameters(m, params, scheme_s) == 0)
		used = params;
	if (!used && inv && parse_json_item(m, inv, gm_parse_invoke_meta) == 0)
		used = inv;
	if (!used && sdm && parse_json_item(m, sdm, gm_parse_invoke_sd) == 0)
		used = sdm;
	if (!used && dream && gm_parse_invoke_dream(m, dream->text) == 0) {
		set_source(m, dream);
		gm_set(&m->raw, dream->text);
		used = dream;
	}
	if (!used && soft && !strcmp(soft->text, "NovelAI") && comment) {
		doc = gm_json_load(m, comment->text, comment->len, why);
		if (doc && gm_parse_novelai(m, doc, desc ? desc->text : NULL,
		                            src ? src->text : NULL) == 0) {
			set_source(m, comment);
			gm_set(&m->raw, comment->text);
			used = comment;
		} else {
			reset_values(m);
			gm_note(&m->notes, &m->n_notes,
			        "NovelAI image whose Comment is not a JSON object%s%s: not used",
			        doc ? "" : ": ", doc ? "" : why);
		}
		json_decref(doc);
	}
	if (!used && prompt && parse_json_item(m, prompt, comfy_prompt_item) == 0)
		used = prompt;
	if (!used && workflow && parse_json_item(m, workflow, comfy_workflow_item) == 0) {
		used = workflow;
		if (prompt)
			gm_note(&m->notes, &m->n_notes,
			        "the ComfyUI \"prompt\" graph was unusable: values come from the "
			        "\"workflow\" graph instead");
	}
	if (!used && uc && starts_json(uc->text) && parse_novelai_user_comment(m, uc, idesc) == 0)
		used = uc;
	if (!used && uc && (looks_a1111(uc->text) || starts_json(uc->text)) &&
	    parse_parameters(m, uc, NULL) == 0)
		used = uc;
	if (!used && idesc && (looks_a1111(idesc->text) || starts_json(idesc->text)) &&
	    parse_parameters(m, idesc, NULL) == 0)
		used = idesc;
	xmp = media_png_text_get(t, "XML:com.adobe.xmp");
	if (!xmp)
		xmp = media_png_text_get(t, "XMP");
	if (!used && xmp && parse_xmp(m, xmp) == 0)
		used = xmp;
	if (!used && uc)
		gm_note(&m->notes, &m->n_notes,
		        "EXIF UserComment holds text that is not generation parameters: not used");

	if (!used) {
		reset_values(m);
		gm_note(&m->notes, &m->n_notes,
		        "no generation parameters among the %zu text "
		        "item%s",
		        t->n, t->n == 1 ? "" : "s");
		return m;
	}
	/* Say what else was there and not used. */
	if (prompt && used != prompt && used != workflow)
		gm_note(&m->notes, &m->n_notes,
		        "a \"prompt\" text (a ComfyUI graph?) is also present; values come from %s",
		        m->source);
	if (params && used != params)
		gm_note(&m->notes, &m->n_notes,
		        "a \"parameters\" text is also present but was not usable");
	return m;
}

/* ---------------------------------------------------------------- parsers for callers */

struct media_genmeta *media_genmeta_parse_a1111(const char *text, size_t len)
{
	struct media_genmeta *m = gm_new();
	struct sbuf b;

	sb_init(&b);
	if (gm_utf8_clean(&b, (const unsigned char *)text, len))
		gm_note(&m->notes, &m->n_notes, "the text is not valid UTF-8: bad bytes replaced");
	gm_parse_a1111(m, b.s, b.len);
	gm_set(&m->raw, b.s);
	sb_free(&b);
	return m;
}

struct media_genmeta *media_genmeta_parse_json(const char *text, size_t len)
{
	struct media_genmeta *m = gm_new();
	char why[160];
	json_t *doc = gm_json_load(m, text, len, why);

	if (!doc) {
		gm_note(&m->notes, &m->n_notes, "not valid JSON: %s", why);
		return m;
	}
	if (parse_json_doc(m, doc, NULL) < 0) {
		reset_values(m);
		gm_note(&m->notes, &m->n_notes, "JSON of no known shape: no parameters read");
	} else {
		m->raw = xstrndup(text, len);
	}
	json_decref(doc);
	return m;
}

/* ---------------------------------------------------------------- stealth PNG info */

/* The text of stealth info: NovelAI's JSON, another JSON shape, or A1111
 * parameters.  0 when values were read. */
static int parse_stealth_text(struct media_genmeta *m, const char *text, size_t len)
{
	char why[160];
	json_t *doc;
	int rc;

	if (starts_json(text)) {
		doc = gm_json_load(m, text, len, why);
		if (doc) {
			rc = is_novelai_mirror(doc) ? parse_novelai_mirror(m, doc, NULL)
			                            : parse_json_doc(m, doc, NULL);
			json_decref(doc);
			return rc;
		}
	}
	if (gm_parse_a1111(m, text, len) < 0)
		return -1;
	if (!m->tool)
		gm_set(&m->tool, "A1111-style");
	return 0;
}

/* Looks for parameters in the pixels' lowest bits; only called when the
 * file's text gave none (the tools write stealth info beside the text,
 * and it outlives the text when a site strips the chunks). */
static void try_stealth(struct media_genmeta *m, struct gm_src *s)
{
	struct media_text_limits lim;
	struct gm_stealth st;
	const char *why = "";
	struct sbuf text;
	int rc;

	media_text_limits_default(&lim);
	rc = gm_stealth_read(s, MEDIA_PIXEL_LIMIT_DEFAULT, lim.max_item_bytes, &st, &why);
	if (rc == 0)
		return;
	if (rc < 0) {
		gm_note(&m->notes, &m->n_notes,
		        "the pixels carry a stealth PNG info signature, but %s: not used", why);
		return;
	}
	sb_init(&text);
	if (gm_utf8_clean(&text, (const unsigned char *)st.text.s, st.text.len))
		gm_note(&m->notes, &m->n_notes,
		        "the stealth PNG info is not valid UTF-8: bad bytes replaced by U+FFFD");
	sb_free(&st.text);
	if (parse_stealth_text(m, text.s, text.len) == 0) {
		free(m->source);
		m->source = xasprintf("PNG %s bits \"%s\"", st.rgb ? "RGB" : "alpha", st.signature);
		gm_set(&m->raw, text.s);
		gm_note(&m->notes, &m->n_notes,
		        "parameters read from the lowest bits of the %s channel%s (%s%s)",
		        st.rgb ? "colour" : "alpha", st.rgb ? "s" : "", st.signature,
		        st.compressed ? ", gzip" : "");
	} else {
		reset_values(m);
		gm_note(&m->notes, &m->n_notes,
		        "the stealth PNG info holds no generation parameters: not used");
	}
	sb_free(&text);
}

/* ---------------------------------------------------------------- files */

int media_genmeta_from_mem(const void *data, size_t n, struct media_genmeta **out)
{
	struct media_png_text *t = NULL;
	char *err = NULL;

	if (media_embedded_text_read_mem(data, n, NULL, &t, &err) < 0) {
		*out = gm_new();
		gm_note(&(*out)->notes, &(*out)->n_notes, "%s", err);
		free(err);
		return 0;
	}
	*out = media_genmeta_from_texts(t);
	media_png_text_free(&t);
	if (!(*out)->tool && !media_genmeta_found(*out)) {
		struct gm_src s;

		gm_src_mem(&s, data, n);
		try_stealth(*out, &s);
	}
	return 0;
}

/* Reads one sidecar candidate into m; 0 when it gave parameters. */
static int try_sidecar(struct media_genmeta *m, const char *path, int json)
{
	struct media_genmeta *s;
	struct sbuf name;
	struct stat st;
	char *data = NULL;
	size_t len;
	size_t i;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	if (st.st_size > (off_t)SIDECAR_MAX) {
		gm_note(&m->notes, &m->n_notes, "sidecar %s is over %u bytes: not read",
		        util_basename(path), SIDECAR_MAX);
		return -1;
	}
	if (util_read_file(path, SIDECAR_MAX, &data, &len) < 0) {
		gm_note(&m->notes, &m->n_notes, "sidecar %s cannot be read: %s",
		        util_basename(path), strerror(errno));
		return -1;
	}
	if (json || starts_json(data)) {
		s = media_genmeta_parse_json(data, len);
		if (!json && !media_genmeta_found(s))
			media_genmeta_free(&s);
	} else {
		s = NULL;
	}
	if (!s && !json)
		s = media_genmeta_parse_a1111(data, len);
	free(data);
	for (i = 0; i < s->n_notes; i++)
		gm_note(&m->notes, &m->n_notes, "sidecar %s: %s", util_basename(path), s->notes[i]);
	if (!media_genmeta_found(s)) {
		media_genmeta_free(&s);
		return -1;
	}
	/* Move the values over; keep m's notes and workflow. */
	free(m->tool);
	m->tool = s->tool;
	free(m->tool_version);
	m->tool_version = s->tool_version;
	free(m->prompt);
	m->prompt = s->prompt;
	free(m->negative_prompt);
	m->negative_prompt = s->negative_prompt;
	m->has_seed = s->has_seed;
	m->seed = s->seed;
	free(m->model);
	m->model = s->model;
	free(m->model_hash);
	m->model_hash = s->model_hash;
	free(m->params_json);
	m->params_json = s->params_json;
	free(m->raw);
	m->raw = s->raw;
	if (!m->workflow) {
		m->workflow = s->workflow;
		s->workflow = NULL;
	}
	s->tool = s->tool_version = s->prompt = s->negative_prompt = s->model = s->model_hash =
	        s->params_json = s->raw = NULL;
	s->params_json = xstrdup("{}");
	media_genmeta_free(&s);
	/* File names need not be UTF-8; the source text must be. */
	sb_init(&name);
	sb_adds(&name, "sidecar ");
	gm_utf8_clean(&name, (const unsigned char *)util_basename(path),
	              strlen(util_basename(path)));
	free(m->source);
	m->source = sb_steal(&name);
	return 0;
}

int media_genmeta_from_file(const char *path, unsigned flags, struct media_genmeta **out,
                            char **err)
{
	return media_genmeta_from_copy(path, path, flags, out, err);
}

int media_genmeta_from_copy(const char *copy, const char *path, unsigned flags, struct media_genmeta **out,
			    char **err)
{
	struct media_png_text *t = NULL;
	struct media_genmeta *m;
	char *why = NULL, *stem, *cand[4];
	const char *base, *dot;
	char ext[16];
	size_t i;
	struct stat st;
	int self_text;
	FILE *f;

	*out = NULL;
	if (stat(copy, &st) < 0) {
		*err = xasprintf("%s: %s", copy, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = xasprintf("%s: not a regular file", copy);
		return -1;
	}
	/* Unreadable is an error; an unknown kind of file is not. */
	f = fopen(copy, "rb");
	if (!f) {
		*err = xasprintf("%s: cannot open: %s", copy, strerror(errno));
		return -1;
	}
	fclose(f);
	if (media_embedded_text_read_file(copy, NULL, &t, &why) < 0) {
		m = gm_new();
		gm_note(&m->notes, &m->n_notes, "%s", why);
		free(why);
	} else {
		m = media_genmeta_from_texts(t);
		media_png_text_free(&t);
		if (!m->tool && !media_genmeta_found(m)) {
			struct gm_src s;

			if (gm_src_open(&s, copy, &why) == 0) {
				try_stealth(m, &s);
				gm_src_close(&s);
			} else {
				xfree(&why);
			}
		}
	}
	if (m->tool || media_genmeta_found(m) || (flags & MEDIA_GENMETA_NO_SIDECAR)) {
		*out = m;
		return 0;
	}
	base = util_basename(path);
	dot = strrchr(base, '.');
	stem = dot && dot != base ? xstrndup(path, (size_t)(dot - path)) : xstrdup(path);
	util_ext(path, ext);
	self_text = !strcmp(ext, "txt") || !strcmp(ext, "json");
	cand[0] = xasprintf("%s.json", stem);
	cand[1] = xasprintf("%s.txt", stem);
	cand[2] = xasprintf("%s.json", path);
	cand[3] = xasprintf("%s.txt", path);
	for (i = 0; i < 4; i++) {
		if (self_text && !strcmp(cand[i], path))
			continue;
		if (try_sidecar(m, cand[i], i % 2 == 0) == 0)
			break;
	}
	for (i = 0; i < 4; i++)
		free(cand[i]);
	free(stem);
	*out = m;
	return 0;
}
