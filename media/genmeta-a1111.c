/*
 * genmeta-a1111.c - the "parameters" text of AUTOMATIC1111, Forge, SD.Next
 * and the tools that copy it (Fooocus's a1111 scheme, many ComfyUI save
 * nodes), also found in EXIF UserComment and in .txt sidecars:
 *
 *   PROMPT (one or more lines)
 *   Negative prompt: NEGATIVE (one or more lines; the line is left out
 *                             when the negative prompt is empty)
 *   Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, ...
 *
 * Written by create_infotext (AUTOMATIC1111/stable-diffusion-webui:
 * modules/processing.py): parameters joined with ", ", each "Key: value";
 * a value holding ',', ':' or a newline is written as a JSON string
 * (infotext_utils.quote).  Read back by parse_generation_parameters
 * (modules/infotext_utils.py): the last line is the settings line when it
 * holds at least three "Key: value" pairs (re_param).  This reader follows
 * the same rules, keeps each prompt verbatim apart from whole-value
 * trimming, and also accepts lines some extensions add after the settings
 * line (Dynamic Prompts' "Template: ...").
 */
#include "config.h"

#include "media/media.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "media/genmeta-private.h"
#include "util.h"

/* How far back from the end a "Steps: " line is looked for. */
#define TRAILING_LINES_MAX 16

struct pair {
	const char *key; /* into the text */
	size_t klen;
	const char *val; /* into the text, quotes included */
	size_t vlen;
	int quoted; /* 1: a JSON string; 2: a raw JSON array or object */
};

static int word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static int key_char(unsigned char c)
{
	return word_char(c) || c == ' ' || c == '-' || c == '/';
}

static int space_char(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The end of the JSON array or object at s[v] (one past its closing
 * bracket), or v when it does not close on this line.  *budget bounds the
 * bytes all calls on one line may scan, so hostile lines stay linear. */
static size_t json_end(const char *s, size_t n, size_t v, size_t *budget)
{
	size_t i, depth = 0;
	int in_str = 0;

	for (i = v; i < n && *budget; i++, (*budget)--) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
		} else if (s[i] == '"') {
			in_str = 1;
		} else if (s[i] == '[' || s[i] == '{') {
			depth++;
		} else if (s[i] == ']' || s[i] == '}') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return v;
}

/* Finds the "Key: value" pairs of one line as re_param.findall does,
 * in linear time.  Calls fn for each pair when fn is not NULL; returns
 * how many there are. */
static size_t pairs(const char *s, size_t n, void (*fn)(void *, const struct pair *), void *arg)
{
	size_t pos = 0, p, q, v, r, count = 0, budget = 1u << 22;
	struct pair pr;

	while (pos < n) {
		p = pos;
		while (p < n && space_char((unsigned char)s[p]))
			p++;
		if (p >= n)
			break;
		if (!word_char((unsigned char)s[p])) {
			pos = p + 1;
			continue;
		}
		q = p + 1;
		while (q < n && key_char((unsigned char)s[q]))
			q++;
		if (q - p < 2 || q >= n || s[q] != ':') {
			/* Every start inside this run fails the same way. */
			pos = q > pos + 1 ? q : pos + 1;
			continue;
		}
		v = q + 1;
		while (v < n && space_char((unsigned char)s[v]))
			v++;
		pr.key = s + p;
		pr.klen = q - p;
		while (pr.klen && s[p + pr.klen - 1] == ' ')
			pr.klen--;
		pr.quoted = 0;
		r = v;
		if (v < n && s[v] == '"') {
			r = v + 1;
			while (r < n && s[r] != '"')
				r += (s[r] == '\\' && r + 1 < n) ? 2 : 1;
			if (r < n && r > v + 1 && (r + 1 == n || s[r + 1] == ',')) {
				pr.quoted = 1;
				r++;
			} else {
				r = v;
			}
		}
		if (!pr.quoted && v < n && (s[v] == '[' || s[v] == '{')) {
			/* Civitai writes raw JSON values ("Civitai resources: [...]"). */
			r = json_end(s, n, v, &budget);
			if (r == v || (r < n && s[r] != ','))
				r = v;
			else
				pr.quoted = 2;
		}
		if (!pr.quoted)
			while (r < n && s[r] != ',')
				r++;
		pr.val = s + v;
		pr.vlen = r - v;
		while (!pr.quoted && pr.vlen && space_char((unsigned char)pr.val[pr.vlen - 1]))
			pr.vlen--;
		count++;
		if (fn)
			fn(arg, &pr);
		pos = r < n ? r + 1 : n;
	}
	return count;
}

/* A strict decimal number as JSON (integer or real), or NULL. */
static json_t *strict_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	int dot = 0;
	char buf[32];

	if (n == 0 || n >= sizeof buf)
		return NULL;
	if (s[0] == '-')
		i++;
	if (i < n && s[i] == '0' && i + 1 < n && isdigit((unsigned char)s[i + 1]))
		return NULL;
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i])) {
			digits++;
		} else if (s[i] == '.' && !dot && digits) {
			dot = 1;
			if (i + 1 >= n)
				return NULL;
		} else {
			return NULL;
		}
	}
	if (!digits || n > 18)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (dot)
		return json_real(strtod(buf, NULL));
	return json_integer(strtoll(buf, NULL, 10));
}

struct ctx {
	struct media_genmeta *m;
	json_t *params;
	char *version;
	char *app;
};

static int key_is(const struct pair *p, const char *k)
{
	return p->klen == strlen(k) && !memcmp(p->key, k, p->klen);
}

/* The value without its quoting, owned. */
static char *unquote(const struct pair *p)
{
	json_t *j;
	char *s;

	if (p->quoted != 1)
		return xstrndup(p->val, p->vlen);
	j = json_loadb(p->val, p->vlen, JSON_DECODE_ANY, NULL);
	if (json_is_string(j))
		s = xstrdup(json_string_value(j));
	else
		s = xstrndup(p->val + 1, p->vlen - 2);
	json_decref(j);
	return s;
}

static void put_number_or_string(json_t *params, const char *key, const char *v, int as_int)
{
	json_t *num = strict_number(v, strlen(v));

	if (num && as_int && json_is_real(num)) {
		json_decref(num);
		num = NULL;
	}
	json_object_set_new(params, key, num ? num : json_string(v));
}

static void on_pair(void *arg, const struct pair *p)
{
	struct ctx *c = arg;
	char *key = xstrndup(p->key, p->klen), *v = unquote(p);
	json_t *num;

	if (key_is(p, "Steps")) {
		put_number_or_string(c->params, "steps", v, 1);
	} else if (key_is(p, "Sampler")) {
		json_object_set_new(c->params, "sampler", json_string(v));
	} else if (key_is(p, "Schedule type") || key_is(p, "Scheduler")) {
		json_object_set_new(c->params, "scheduler", json_string(v));
	} else if (key_is(p, "CFG scale") || key_is(p, "Guidance Scale")) {
		put_number_or_string(c->params, "cfg_scale", v, 0);
	} else if (key_is(p, "Seed")) {
		if (gm_set_seed_str(c->m, v) < 0)
			json_object_set_new(c->params, "seed", json_string(v));
	} else if (key_is(p, "Size")) {
		if (gm_params_size(c->params, v) < 0)
			json_object_set_new(c->params, "size", json_string(v));
	} else if (key_is(p, "Model hash")) {
		gm_set(&c->m->model_hash, v);
	} else if (key_is(p, "Model")) {
		gm_set(&c->m->model, v);
	} else if (key_is(p, "Denoising strength")) {
		put_number_or_string(c->params, "denoise", v, 0);
	} else if (key_is(p, "Clip skip")) {
		put_number_or_string(c->params, "clip_skip", v, 1);
	} else {
		if (key_is(p, "Version"))
			gm_set(&c->version, v);
		else if (key_is(p, "App"))
			gm_set(&c->app, v);
		if (p->quoted == 2)
			num = json_loadb(p->val, p->vlen, 0, NULL);
		else if (strstr(key, "hash") || strstr(key, "Hash") || key_is(p, "Version"))
			num = NULL;
		else
			num = strict_number(v, strlen(v));
		json_object_set_new(c->params, key, num ? num : json_string(v));
	}
	free(key);
	free(v);
}

/* The start of the line holding s[i]. */
static size_t line_start(const char *s, size_t i)
{
	while (i > 0 && s[i - 1] != '\n')
		i--;
	return i;
}

static size_t line_end(const char *s, size_t n, size_t i)
{
	const char *nl = memchr(s + i, '\n', n - i);

	return nl ? (size_t)(nl - s) : n;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

/* <lora:NAME:WEIGHT> and <lyco:...> tags of a prompt as normalized loras. */
static void prompt_loras(json_t *params, const char *prompt)
{
	json_t *arr = json_array(), *o;
	const char *p = prompt, *end, *name, *colon;
	char *nm;
	double w;
	size_t count = 0;

	while ((p = strchr(p, '<')) && count < 256) {
		if (!strncmp(p, "<lora:", 6))
			name = p + 6;
		else if (!strncmp(p, "<lyco:", 6))
			name = p + 6;
		else {
			p++;
			continue;
		}
		end = strchr(name, '>');
		if (!end)
			break;
		colon = memchr(name, ':', (size_t)(end - name));
		nm = xstrndup(name, (size_t)((colon ? colon : end) - name));
		w = colon ? strtod(colon + 1, NULL) : 1.0;
		o = json_object();
		json_object_set_new(o, "name", json_string(nm));
		json_object_set_new(o, "weight", json_real(w));
		json_array_append_new(arr, o);
		free(nm);
		count++;
		p = end + 1;
	}
	if (json_array_size(arr))
		json_object_set_new(params, "loras", arr);
	else
		json_decref(arr);
}

static void set_tool(struct ctx *c, int have_settings)
{
	struct media_genmeta *m = c->m;
	const char *v = c->version;

	if (v)
		gm_set(&m->tool_version, v);
	if (c->app && !strcmp(c->app, "SD.Next")) {
		gm_set(&m->tool, "SD.Next");
	} else if (v && v[0] == 'f' && isdigit((unsigned char)v[1])) {
		gm_set(&m->tool, "Forge");
	} else if (v && !strncmp(v, "Fooocus", 7)) {
		gm_set(&m->tool, "Fooocus");
	} else if (v && ((v[0] == 'v' && isdigit((unsigned char)v[1])) ||
	                 isdigit((unsigned char)v[0]))) {
		gm_set(&m->tool, "AUTOMATIC1111");
	} else if (have_settings) {
		gm_set(&m->tool, "A1111-style");
		if (v)
			gm_note(&m->notes, &m->n_notes,
			        "A1111-style parameters with Version \"%.60s\", which names no "
			        "tool this reader knows",
			        v);
		else
			gm_note(&m->notes, &m->n_notes,
			        "A1111-style parameters without a Version field: written by "
			        "AUTOMATIC1111 or a tool that copies its format");
	}
}

int gm_parse_a1111(struct media_genmeta *m, const char *text, size_t len)
{
	struct sbuf b;
	struct ctx c;
	const char *s;
	size_t n, i, ls, le, settings = SIZE_MAX, neg = SIZE_MAX, body_end, k;
	int back;

	sb_init(&b);
	for (i = 0; i < len; i++)
		if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
			sb_addc(&b, text[i] == '\r' ? '\n' : text[i]);
	s = b.s;
	n = b.len;
	while (n && space_char((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && space_char((unsigned char)s[n - 1]))
		n--;
	if (n == 0) {
		sb_free(&b);
		gm_note(&m->notes, &m->n_notes, "the parameters text is empty");
		return -1;
	}

	/* The settings line: the last line when it has three pairs (as A1111
	 * reads it), else a "Steps: " line near the end. */
	ls = line_start(s, n);
	if (pairs(s + ls, n - ls, NULL, NULL) >= 3) {
		settings = ls;
	} else {
		le = ls;
		for (back = 0; back < TRAILING_LINES_MAX && le > 0; back++) {
			ls = line_start(s, le - 1);
			if (starts_with(s + ls, le - 1 - ls, "Steps: ") &&
			    pairs(s + ls, le - 1 - ls, NULL, NULL) >= 3) {
				settings = ls;
				break;
			}
			le = ls;
		}
	}
	body_end = settings == SIZE_MAX ? n : settings;

	/* The negative prompt starts at the first line beginning "Negative prompt:". */
	for (i = 0; i < body_end; i = le + 1) {
		le = line_end(s, body_end, i);
		k = i;
		while (k < le && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (starts_with(s + k, le - k, "Negative prompt:")) {
			neg = k;
			break;
		}
		if (le >= body_end)
			break;
	}
	if (neg == SIZE_MAX) {
		gm_set_text(&m->prompt, s, body_end);
	} else {
		gm_set_text(&m->prompt, s, neg);
		k = neg + strlen("Negative prompt:");
		gm_set_text(&m->negative_prompt, s + k, body_end - k);
	}

	memset(&c, 0, sizeof c);
	c.m = m;
	c.params = json_object();
	if (settings != SIZE_MAX) {
		le = line_end(s, n, settings);
		pairs(s + settings, le - settings, on_pair, &c);
		/* Lines after the settings line: "Key: value" each. */
		for (i = le + 1; le < n && i < n; i = le + 1) {
			const char *colon;
			char *key;

			le = line_end(s, n, i);
			colon = memchr(s + i, ':', le - i);
			if (colon && colon > s + i) {
				key = xstrndup(s + i, (size_t)(colon - s - i));
				json_object_set_new(c.params, key,
				                    json_stringn(colon + 1 + (colon[1] == ' '),
				                                 (size_t)(s + le - colon - 1 -
				                                          (colon[1] == ' '))));
				free(key);
			} else {
				gm_note(&m->notes, &m->n_notes,
				        "a line after the settings line is not \"Key: value\": "
				        "kept "
				        "as \"trailing_text\"");
				json_object_set_new(c.params, "trailing_text",
				                    json_stringn(s + i, le - i));
			}
		}
	} else {
		gm_note(&m->notes, &m->n_notes,
		        "no settings line (\"Steps: ...\"): the text is taken as the prompt");
	}
	if (m->prompt && !json_object_get(c.params, "loras"))
		prompt_loras(c.params, m->prompt);
	set_tool(&c, settings != SIZE_MAX);
	gm_set_params(m, c.params);
	json_decref(c.params);
	free(c.version);
	free(c.app);
	sb_free(&b);
	return 0;
}
