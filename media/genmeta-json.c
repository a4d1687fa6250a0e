/*
 * genmeta-json.c - the tools that write JSON (and InvokeAI's old "Dream"
 * command line): SwarmUI, Fooocus, InvokeAI, NovelAI, and sidecar JSON
 * with common key names.  Each maps the tool's own keys onto the struct
 * and the normalized parameter names; every other key is kept verbatim.
 *
 * Shapes, as the tools write them:
 *  - SwarmUI: PNG "parameters" = {"sui_image_params": {prompt, negativeprompt,
 *    model, seed, steps, cfgscale, width, height, sampler, scheduler, ...},
 *    "sui_extra_data": {...}, "sui_models": [{name, param, hash}]}
 *    (mcmonkeyprojects/SwarmUI: src/Text2Image/T2IParamInput.cs).
 *  - Fooocus: "fooocus_scheme" = "fooocus" and "parameters" = {prompt,
 *    negative_prompt, seed (a string), steps, sampler, scheduler,
 *    guidance_scale, resolution "(W, H)", base_model, base_model_hash,
 *    loras [[name, weight, hash]], version, ...}
 *    (lllyasviel/Fooocus: modules/meta_parser.py, FooocusMetadataParser).
 *  - InvokeAI 3+: "invokeai_metadata" = {positive_prompt, negative_prompt,
 *    seed, steps, cfg_scale, scheduler (its sampler), width, height,
 *    model {model_name | name, hash}, loras, ...}; 2.x: "sd-metadata" =
 *    {model_weights, model_hash, app_version, image {prompt [{prompt}],
 *    sampler, ...}} with negatives in [brackets]; 1.x: "Dream" =
 *    "\"prompt\" -s steps -S seed -W w -H h -C cfg -A sampler".
 *  - NovelAI: "Software" = "NovelAI", "Description" = prompt, "Source" =
 *    "MODEL HASH", "Comment" = {steps, sampler, seed, scale, uc, ...}.
 */
#include "config.h"

#include "media/media.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "media/genmeta-private.h"
#include "util.h"

enum tgt {
	T_PROMPT = 1, /* the prompt */
	T_NEG,        /* the negative prompt */
	T_SEED,       /* the seed */
	T_MODEL,      /* the model name (string) */
	T_HASH,       /* the model hash */
	T_VERSION,    /* the tool's version, also kept under its own key */
	T_PARAM,      /* a normalized parameter, named by `to` */
	T_SIZE,       /* "WxH" or "(W, H)" text */
	T_DROP,       /* not kept */
};

struct map {
	const char *from;
	enum tgt tgt;
	const char *to;
};

static const struct map *map_find(const struct map *map, const char *key, int nocase)
{
	for (; map->from; map++)
		if (nocase ? !strcasecmp(map->from, key) : !strcmp(map->from, key))
			return map;
	return NULL;
}

/* Applies map to obj; returns how many keys matched a mapping. */
static int apply(struct media_genmeta *m, json_t *obj, const struct map *map, json_t *params,
                 int nocase)
{
	const struct map *e;
	const char *k;
	json_t *v;
	int hits = 0;

	json_object_foreach(obj, k, v)
	{
		e = map_find(map, k, nocase);
		if (!e) {
			json_object_set(params, k, v);
			continue;
		}
		hits++;
		switch (e->tgt) {
		case T_PROMPT:
		case T_NEG:
			if (json_is_string(v))
				gm_set_text(e->tgt == T_PROMPT ? &m->prompt : &m->negative_prompt,
				            json_string_value(v), json_string_length(v));
			else if (!json_is_null(v))
				json_object_set(params, k, v);
			break;
		case T_SEED:
			if (!json_is_null(v) && gm_set_seed_json(m, v) < 0)
				json_object_set(params, "seed", v);
			break;
		case T_MODEL:
			if (json_is_string(v))
				gm_set(&m->model, json_string_value(v));
			else if (!json_is_null(v))
				json_object_set(params, k, v);
			break;
		case T_HASH:
			if (json_is_string(v))
				gm_set(&m->model_hash, json_string_value(v));
			break;
		case T_VERSION:
			if (json_is_string(v))
				gm_set(&m->tool_version, json_string_value(v));
			json_object_set(params, k, v);
			break;
		case T_PARAM:
			if (!json_is_null(v))
				json_object_set(params, e->to, v);
			break;
		case T_SIZE:
			if (!json_is_string(v) || gm_params_size(params, json_string_value(v)) < 0)
				json_object_set(params, "size", v);
			break;
		case T_DROP:
			break;
		}
	}
	return hits;
}

/* Adds "size" when width and height are both known. */
static void finish_size(json_t *params)
{
	json_t *w = json_object_get(params, "width"), *h = json_object_get(params, "height");

	if (json_is_integer(w) && json_is_integer(h) && !json_object_get(params, "size"))
		gm_params_wh(params, json_integer_value(w), json_integer_value(h));
}

static void finish(struct media_genmeta *m, json_t *params, const char *tool)
{
	finish_size(params);
	if (tool)
		gm_set(&m->tool, tool);
	gm_set_params(m, params);
	json_decref(params);
}

static json_t *lora(const char *name, json_t *weight, json_t *hash)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	if (json_is_number(weight))
		json_object_set_new(o, "weight", json_real(json_number_value(weight)));
	if (json_is_string(hash))
		json_object_set(o, "hash", hash);
	return o;
}

/* ---------------------------------------------------------------- SwarmUI */

static const struct map swarm_map[] = {
        {"prompt", T_PROMPT, NULL},
        {"negativeprompt", T_NEG, NULL},
        {"seed", T_SEED, NULL},
        {"model", T_MODEL, NULL},
        {"steps", T_PARAM, "steps"},
        {"cfgscale", T_PARAM, "cfg_scale"},
        {"width", T_PARAM, "width"},
        {"height", T_PARAM, "height"},
        {"sampler", T_PARAM, "sampler"},
        {"scheduler", T_PARAM, "scheduler"},
        {"swarm_version", T_VERSION, NULL},
        {"loras", T_DROP, NULL},
        {"loraweights", T_DROP, NULL},
        {NULL, 0, NULL},
};

int gm_parse_swarm(struct media_genmeta *m, json_t *doc)
{
	json_t *p = json_object_get(doc, "sui_image_params"), *params, *v, *names, *weights, *arr;
	const char *k;
	size_t i;

	if (!json_is_object(p))
		return -1;
	params = json_object();
	apply(m, p, swarm_map, params, 0);
	names = json_object_get(p, "loras");
	weights = json_object_get(p, "loraweights");
	if (json_is_array(names)) {
		arr = json_array();
		json_array_foreach(names, i, v)
		{
			if (!json_is_string(v))
				continue;
			json_t *w = json_array_get(weights, i);
			json_t *num =
			        json_is_string(w) ? json_real(atof(json_string_value(w))) : NULL;

			json_array_append_new(arr, lora(json_string_value(v), num ? num : w, NULL));
			json_decref(num);
		}
		json_object_set_new(params, "loras", arr);
	}
	json_array_foreach(json_object_get(doc, "sui_models"), i, v)
	{
		const char *param = json_string_value(json_object_get(v, "param"));

		if (param && !strcmp(param, "model") && json_is_string(json_object_get(v, "hash")))
			gm_set(&m->model_hash, json_string_value(json_object_get(v, "hash")));
	}
	json_object_foreach(doc, k, v)
	{
		if (strcmp(k, "sui_image_params"))
			json_object_set(params, k, v);
	}
	finish(m, params, "SwarmUI");
	return 0;
}

/* ---------------------------------------------------------------- Fooocus */

static const struct map fooocus_map[] = {
        {"prompt", T_PROMPT, NULL},
        {"negative_prompt", T_NEG, NULL},
        {"seed", T_SEED, NULL},
        {"steps", T_PARAM, "steps"},
        {"sampler", T_PARAM, "sampler"},
        {"scheduler", T_PARAM, "scheduler"},
        {"guidance_scale", T_PARAM, "cfg_scale"},
        {"resolution", T_SIZE, NULL},
        {"base_model", T_MODEL, NULL},
        {"base_model_hash", T_HASH, NULL},
        {"clip_skip", T_PARAM, "clip_skip"},
        {"version", T_VERSION, NULL},
        {"loras", T_DROP, NULL},
        {NULL, 0, NULL},
};

int gm_parse_fooocus(struct media_genmeta *m, json_t *doc)
{
	json_t *params, *loras, *arr, *l;
	size_t i;

	if (!json_is_object(doc))
		return -1;
	params = json_object();
	apply(m, doc, fooocus_map, params, 0);
	loras = json_object_get(doc, "loras");
	if (json_is_array(loras)) {
		arr = json_array();
		json_array_foreach(loras, i, l)
		{
			if (json_is_array(l) && json_is_string(json_array_get(l, 0)))
				json_array_append_new(
				        arr, lora(json_string_value(json_array_get(l, 0)),
				                  json_array_get(l, 1), json_array_get(l, 2)));
		}
		json_object_set_new(params, "loras", arr);
	}
	finish(m, params, "Fooocus");
	return 0;
}

/* ---------------------------------------------------------------- InvokeAI */

static const struct map invoke_map[] = {
        {"positive_prompt", T_PROMPT, NULL},
        {"negative_prompt", T_NEG, NULL},
        {"seed", T_SEED, NULL},
        {"steps", T_PARAM, "steps"},
        {"cfg_scale", T_PARAM, "cfg_scale"},
        {"scheduler", T_PARAM, "sampler"},
        {"width", T_PARAM, "width"},
        {"height", T_PARAM, "height"},
        {"strength", T_PARAM, "denoise"},
        {"clip_skip", T_PARAM, "clip_skip"},
        {"app_version", T_VERSION, NULL},
        {"model", T_DROP, NULL},
        {"loras", T_DROP, NULL},
        {NULL, 0, NULL},
};

/* The name and hash of an InvokeAI model object. */
static void invoke_model(struct media_genmeta *m, json_t *model)
{
	json_t *n;

	if (json_is_string(model)) {
		gm_set(&m->model, json_string_value(model));
		return;
	}
	n = json_object_get(model, "model_name");
	if (!json_is_string(n))
		n = json_object_get(model, "name");
	if (json_is_string(n))
		gm_set(&m->model, json_string_value(n));
	n = json_object_get(model, "hash");
	if (json_is_string(n))
		gm_set(&m->model_hash, json_string_value(n));
}

int gm_parse_invoke_meta(struct media_genmeta *m, json_t *doc)
{
	json_t *params, *loras, *arr, *l, *mod, *n;
	size_t i;

	if (!json_is_object(doc))
		return -1;
	params = json_object();
	apply(m, doc, invoke_map, params, 0);
	invoke_model(m, json_object_get(doc, "model"));
	loras = json_object_get(doc, "loras");
	if (json_is_array(loras)) {
		arr = json_array();
		json_array_foreach(loras, i, l)
		{
			mod = json_object_get(l, "lora");
			if (!mod)
				mod = json_object_get(l, "model");
			n = json_object_get(mod, "model_name");
			if (!json_is_string(n))
				n = json_object_get(mod, "name");
			if (!json_is_string(n))
				n = json_object_get(mod, "key");
			if (json_is_string(n))
				json_array_append_new(arr, lora(json_string_value(n),
				                                json_object_get(l, "weight"),
				                                json_object_get(mod, "hash")));
		}
		json_object_set_new(params, "loras", arr);
	}
	if (json_object_get(doc, "scheduler"))
		gm_note(&m->notes, &m->n_notes,
		        "InvokeAI calls its sampler \"scheduler\": kept as the sampler");
	finish(m, params, "InvokeAI");
	return 0;
}

/* Splits an InvokeAI 1.x/2.x prompt: [bracketed] parts are negative. */
static void invoke_split(struct media_genmeta *m, const char *s, struct sbuf *pos, struct sbuf *neg)
{
	const char *open, *close;

	(void)m;
	while (*s) {
		open = strchr(s, '[');
		close = open ? strchr(open + 1, ']') : NULL;
		if (!open || !close) {
			sb_adds(pos, s);
			break;
		}
		sb_add(pos, s, (size_t)(open - s));
		if (neg->len)
			sb_adds(neg, ", ");
		sb_add(neg, open + 1, (size_t)(close - open - 1));
		s = close + 1;
	}
}

static void set_split(struct media_genmeta *m, struct sbuf *pos, struct sbuf *neg)
{
	gm_set_text(&m->prompt, pos->s, pos->len);
	if (neg->len)
		gm_set_text(&m->negative_prompt, neg->s, neg->len);
}

static const struct map invoke_sd_map[] = {
        {"seed", T_SEED, NULL},
        {"steps", T_PARAM, "steps"},
        {"cfg_scale", T_PARAM, "cfg_scale"},
        {"sampler", T_PARAM, "sampler"},
        {"width", T_PARAM, "width"},
        {"height", T_PARAM, "height"},
        {"strength", T_PARAM, "denoise"},
        {"prompt", T_DROP, NULL},
        {NULL, 0, NULL},
};

static const struct map invoke_sd_top[] = {
        {"model_weights", T_MODEL, NULL},
        {"model_hash", T_HASH, NULL},
        {"app_version", T_VERSION, NULL},
        {"image", T_DROP, NULL},
        {NULL, 0, NULL},
};

int gm_parse_invoke_sd(struct media_genmeta *m, json_t *doc)
{
	json_t *img = json_object_get(doc, "image"), *params, *pr, *p;
	struct sbuf pos, neg;
	size_t i;

	if (!json_is_object(img))
		return -1;
	params = json_object();
	apply(m, doc, invoke_sd_top, params, 0);
	apply(m, img, invoke_sd_map, params, 0);
	sb_init(&pos);
	sb_init(&neg);
	pr = json_object_get(img, "prompt");
	if (json_is_string(pr)) {
		invoke_split(m, json_string_value(pr), &pos, &neg);
	} else {
		json_array_foreach(pr, i, p)
		{
			const char *t = json_string_value(json_object_get(p, "prompt"));

			if (!t)
				continue;
			if (pos.len)
				sb_addc(&pos, '\n');
			invoke_split(m, t, &pos, &neg);
		}
	}
	if (pr)
		set_split(m, &pos, &neg);
	sb_free(&pos);
	sb_free(&neg);
	finish(m, params, "InvokeAI");
	return 0;
}

int gm_parse_invoke_dream(struct media_genmeta *m, const char *text)
{
	static const char *const flags[][2] = {{"s", "steps"},   {"W", "width"},
	                                       {"H", "height"},  {"C", "cfg_scale"},
	                                       {"A", "sampler"}, {"f", "denoise"}};
	const char *q, *p, *flag, *val;
	struct sbuf pos, neg;
	json_t *params, *num;
	size_t fl, vl, i;
	char *f, *v;

	while (isspace((unsigned char)*text))
		text++;
	if (*text != '"' || !(q = strchr(text + 1, '"')))
		return -1;
	sb_init(&pos);
	sb_init(&neg);
	{
		char *prompt = xstrndup(text + 1, (size_t)(q - text - 1));

		invoke_split(m, prompt, &pos, &neg);
		free(prompt);
	}
	set_split(m, &pos, &neg);
	sb_free(&pos);
	sb_free(&neg);
	params = json_object();
	p = q + 1;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '-')
			break;
		flag = ++p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		fl = (size_t)(p - flag);
		while (isspace((unsigned char)*p))
			p++;
		val = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		vl = (size_t)(p - val);
		if (!fl || !vl)
			break;
		f = xstrndup(flag, fl);
		v = xstrndup(val, vl);
		num = NULL;
		if (strcmp(f, "A"))
			num = json_loadb(v, vl, JSON_DECODE_ANY, NULL);
		if (num && !json_is_number(num)) {
			json_decref(num);
			num = NULL;
		}
		if (!strcmp(f, "S")) {
			if (gm_set_seed_str(m, v) < 0)
				json_object_set_new(params, "seed", json_string(v));
		} else {
			const char *to = NULL;

			for (i = 0; i < sizeof flags / sizeof flags[0]; i++)
				if (!strcmp(flags[i][0], f))
					to = flags[i][1];
			if (to) {
				json_object_set_new(params, to,
				                    num ? json_incref(num) : json_string(v));
			} else {
				char *k = xasprintf("-%s", f);

				json_object_set_new(params, k,
				                    num ? json_incref(num) : json_string(v));
				free(k);
			}
		}
		json_decref(num);
		free(f);
		free(v);
	}
	finish(m, params, "InvokeAI");
	return 0;
}

/* ---------------------------------------------------------------- NovelAI */

static const struct map nai_map[] = {
        {"prompt", T_PROMPT, NULL},
        {"uc", T_NEG, NULL},
        {"seed", T_SEED, NULL},
        {"steps", T_PARAM, "steps"},
        {"sampler", T_PARAM, "sampler"},
        {"scale", T_PARAM, "cfg_scale"},
        {"width", T_PARAM, "width"},
        {"height", T_PARAM, "height"},
        {NULL, 0, NULL},
};

int gm_parse_novelai(struct media_genmeta *m, json_t *comment, const char *description,
                     const char *source)
{
	json_t *params;
	const char *sp;
	size_t n, i;
	int hashlike = 1;

	if (!json_is_object(comment))
		return -1;
	params = json_object();
	apply(m, comment, nai_map, params, 0);
	if (!m->prompt && description)
		gm_set_text(&m->prompt, description, strlen(description));
	if (source) {
		/* "Stable Diffusion 1D44365E": the last word is the model hash. */
		n = strlen(source);
		while (n && isspace((unsigned char)source[n - 1]))
			n--;
		sp = NULL;
		for (i = n; i > 0; i--) {
			if (isspace((unsigned char)source[i - 1])) {
				sp = source + i - 1;
				break;
			}
		}
		if (sp) {
			for (i = (size_t)(sp - source) + 1; i < n; i++)
				if (!isdigit((unsigned char)source[i]) &&
				    !isupper((unsigned char)source[i]))
					hashlike = 0;
		}
		if (sp && hashlike && sp + 1 < source + n) {
			char *name = xstrndup(source, (size_t)(sp - source)), *hash;

			gm_set_text(&m->model, name, strlen(name));
			hash = xstrndup(sp + 1, (size_t)(source + n - sp - 1));
			gm_set(&m->model_hash, hash);
			free(name);
			free(hash);
		} else {
			gm_set_text(&m->model, source, n);
		}
	}
	finish(m, params, "NovelAI");
	return 0;
}

/* ---------------------------------------------------------------- generic */

static const struct map generic_map[] = {
        {"prompt", T_PROMPT, NULL},
        {"positive_prompt", T_PROMPT, NULL},
        {"positive", T_PROMPT, NULL},
        {"negative_prompt", T_NEG, NULL},
        {"negativeprompt", T_NEG, NULL},
        {"negative", T_NEG, NULL},
        {"seed", T_SEED, NULL},
        {"noise_seed", T_SEED, NULL},
        {"model", T_MODEL, NULL},
        {"model_name", T_MODEL, NULL},
        {"sd_model_name", T_MODEL, NULL},
        {"checkpoint", T_MODEL, NULL},
        {"ckpt_name", T_MODEL, NULL},
        {"model_hash", T_HASH, NULL},
        {"sd_model_hash", T_HASH, NULL},
        {"steps", T_PARAM, "steps"},
        {"sampler", T_PARAM, "sampler"},
        {"sampler_name", T_PARAM, "sampler"},
        {"scheduler", T_PARAM, "scheduler"},
        {"schedule_type", T_PARAM, "scheduler"},
        {"cfg_scale", T_PARAM, "cfg_scale"},
        {"cfg", T_PARAM, "cfg_scale"},
        {"cfgscale", T_PARAM, "cfg_scale"},
        {"guidance_scale", T_PARAM, "cfg_scale"},
        {"width", T_PARAM, "width"},
        {"height", T_PARAM, "height"},
        {"size", T_SIZE, NULL},
        {"resolution", T_SIZE, NULL},
        {"denoising_strength", T_PARAM, "denoise"},
        {"denoise", T_PARAM, "denoise"},
        {"clip_skip", T_PARAM, "clip_skip"},
        {NULL, 0, NULL},
};

int gm_parse_generic_json(struct media_genmeta *m, json_t *doc)
{
	json_t *params, *info;

	if (!json_is_object(doc))
		return -1;
	/* An A1111 API reply's "info": its infotexts are the PNG text. */
	info = json_array_get(json_object_get(doc, "infotexts"), 0);
	if (json_is_string(info) &&
	    gm_parse_a1111(m, json_string_value(info), json_string_length(info)) == 0) {
		gm_note(&m->notes, &m->n_notes, "A1111 API reply: read from its infotexts");
		return 0;
	}
	params = json_object();
	apply(m, doc, generic_map, params, 1);
	if (!m->prompt && !m->has_seed && !m->model) {
		json_decref(params);
		return -1;
	}
	gm_note(&m->notes, &m->n_notes, "JSON with common key names; no tool is named in it");
	finish(m, params, NULL);
	return 0;
}

/* ---------------------------------------------------------------- Draw Things */

/* Draw Things keeps its settings as JSON in XMP exif:UserComment:
 * {"c": prompt, "uc": negative, "seed", "steps", "scale", "sampler",
 * "model", "size": "WxH", "strength", "v2": {... "loras": [{"file",
 * "weight"}]}}. */
static const struct map dt_map[] = {
        {"c", T_PROMPT, NULL},
        {"uc", T_NEG, NULL},
        {"seed", T_SEED, NULL},
        {"model", T_MODEL, NULL},
        {"steps", T_PARAM, "steps"},
        {"scale", T_PARAM, "cfg_scale"},
        {"sampler", T_PARAM, "sampler"},
        {"size", T_SIZE, NULL},
        {"strength", T_PARAM, "denoise"},
        {NULL, 0, NULL},
};

int gm_parse_drawthings(struct media_genmeta *m, json_t *doc)
{
	json_t *params, *loras, *arr, *l;
	size_t i;

	if (!json_is_object(doc) || !json_object_get(doc, "c"))
		return -1;
	params = json_object();
	apply(m, doc, dt_map, params, 0);
	loras = json_object_get(json_object_get(doc, "v2"), "loras");
	if (json_is_array(loras)) {
		arr = json_array();
		json_array_foreach(loras, i, l)
		{
			if (json_is_string(json_object_get(l, "file")))
				json_array_append_new(
				        arr, lora(json_string_value(json_object_get(l, "file")),
				                  json_object_get(l, "weight"), NULL));
		}
		json_object_set_new(params, "loras", arr);
	}
	finish(m, params, "Draw Things");
	return 0;
}
