/*
 * genmeta-comfy.c - ComfyUI's two graphs.
 *
 * "prompt" chunk: the API graph that was executed, written by SaveImage
 * as json.dumps(prompt) (comfyanonymous/ComfyUI:nodes.py, SaveImage):
 *   { "3": {"class_type": "KSampler", "inputs": {"seed": 5, "positive": ["6", 0], ...}}, ...}
 * An input is a value or a link [source node id, output index].
 *
 * "workflow" chunk: the editor's UI graph (extra_pnginfo["workflow"]):
 *   {"nodes": [{"id": 3, "type": "KSampler", "mode": 0, "inputs": [{"name":
 *   "positive", "link": 4}], "widgets_values": [seed, "randomize", 20, ...]}],
 *   "links": [[id, from node, from slot, to node, to slot, type], ...]}
 * Widget values are positional, so the layouts of the core nodes are
 * listed here (from their INPUT_TYPES in nodes.py and
 * comfy_extras/nodes_custom_sampler.py); a seed widget is followed by the
 * editor's "control after generate" value.
 *
 * Both are walked from the sampler node that feeds the saved image: the
 * prompts through the conditioning links to the text encoders, the model
 * through LoRA loaders to the checkpoint loader, the size from the empty
 * latent.  Every walk is bounded in depth and guards against cycles.
 */
#include "config.h"

#include "media/media.h"

#include <stdlib.h>
#include <string.h>

#include "media/genmeta-private.h"
#include "util.h"

#define DEPTH_MAX 48
#define TEXTS_MAX 16
/* Steps one graph walk may take in all: hostile graphs fan out. */
#define BUDGET 20000

static int spend(int *budget)
{
	return (*budget)-- > 0;
}

/* ---------------------------------------------------------------- shared */

static int name_has(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

/* Joins the distinct texts found on one side. */
struct texts {
	char *v[TEXTS_MAX];
	size_t n;
};

static void texts_add(struct texts *t, const char *s)
{
	size_t i;

	if (!s || t->n >= TEXTS_MAX)
		return;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], s))
			return;
	t->v[t->n++] = xstrdup(s);
}

static void texts_set(struct texts *t, char **field)
{
	struct sbuf b;
	size_t i;

	if (t->n == 0)
		return;
	sb_init(&b);
	for (i = 0; i < t->n; i++) {
		if (i)
			sb_addc(&b, '\n');
		sb_adds(&b, t->v[i]);
		free(t->v[i]);
	}
	gm_set_text(field, b.s, b.len);
	sb_free(&b);
	t->n = 0;
}

static void texts_free(struct texts *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	t->n = 0;
}

static void lora_add(json_t *loras, const char *name, json_t *weight)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	if (json_is_number(weight))
		json_object_set_new(o, "weight", json_real(json_number_value(weight)));
	json_array_append_new(loras, o);
}

/* ---------------------------------------------------------------- API graph */

int gm_is_comfy_prompt(json_t *g)
{
	const char *k;
	json_t *v;
	size_t good = 0;

	if (!json_is_object(g) || json_object_size(g) == 0)
		return 0;
	json_object_foreach(g, k, v)
	{
		if (json_is_object(v) && json_is_string(json_object_get(v, "class_type")) &&
		    json_is_object(json_object_get(v, "inputs")))
			good++;
	}
	return good > 0 && good * 2 >= json_object_size(g);
}

struct api {
	json_t *g;
	struct media_genmeta *m;
	json_t *params;
	int budget; /* walk steps left */
};

/* Node ids are strings in the API graph and numbers in the UI graph; all
 * numbers are reals when the JSON had to be read with big integers. */
static char *id_key(json_t *id)
{
	double d;

	if (json_is_integer(id))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(id));
	if (json_is_real(id)) {
		d = json_real_value(id);
		if (d >= -1e15 && d <= 1e15 && d == (double)(long long)d)
			return xasprintf("%lld", (long long)d);
		return NULL;
	}
	if (json_is_string(id))
		return xstrdup(json_string_value(id));
	return NULL;
}

static int is_link(json_t *v)
{
	return json_is_array(v) && json_array_size(v) == 2 &&
	       (json_is_string(json_array_get(v, 0)) || json_is_number(json_array_get(v, 0))) &&
	       json_is_number(json_array_get(v, 1));
}

static json_t *api_node(struct api *a, json_t *link)
{
	char *key = id_key(json_array_get(link, 0));
	json_t *n = key ? json_object_get(a->g, key) : NULL;

	free(key);
	return json_is_object(n) ? n : NULL;
}

static json_t *inputs_of(json_t *node)
{
	json_t *in = json_object_get(node, "inputs");

	return json_is_object(in) ? in : NULL;
}

static const char *class_of(json_t *node)
{
	return json_string_value(json_object_get(node, "class_type"));
}

/* A scalar input, following links to primitive/seed nodes. */
static json_t *api_scalar(struct api *a, json_t *v, const char *want, int depth)
{
	static const char *const names[] = {"seed",   "noise_seed", "value", "int", "float",
	                                    "number", "string",     "text",  NULL};
	json_t *node, *in, *x;
	const char *k;
	int i;

	if (!is_link(v))
		return json_is_object(v) || json_is_array(v) || json_is_null(v) ? NULL : v;
	if (depth > DEPTH_MAX || !spend(&a->budget) || !(node = api_node(a, v)) ||
	    !(in = inputs_of(node)))
		return NULL;
	if ((x = json_object_get(in, want)))
		return api_scalar(a, x, want, depth + 1);
	for (i = 0; names[i]; i++)
		if ((x = json_object_get(in, names[i])))
			return api_scalar(a, x, want, depth + 1);
	if (json_object_size(in) == 1) {
		json_object_foreach(in, k, x) return api_scalar(a, x, want, depth + 1);
	}
	return NULL;
}

/* Collects the prompt text reached from a conditioning link. */
static void api_text(struct api *a, json_t *link, const char *side, struct texts *out, int depth)
{
	static const char *const text_keys[] = {"text",   "text_g",        "text_l",
	                                        "prompt", "string",        "t5xxl",
	                                        "clip_l", "text_positive", NULL};
	json_t *node, *in, *x, *s;
	const char *k;
	int i, found = 0;

	if (depth > DEPTH_MAX || !spend(&a->budget) || !(node = api_node(a, link)) ||
	    !(in = inputs_of(node)))
		return;
	x = json_object_get(in, "guidance");
	if (json_is_number(x) && !json_object_get(a->params, "guidance"))
		json_object_set(a->params, "guidance", x);
	x = json_object_get(in, side);
	if (x && !is_link(x) && (s = api_scalar(a, x, side, depth + 1)) && json_is_string(s)) {
		texts_add(out, json_string_value(s));
		return;
	}
	for (i = 0; text_keys[i]; i++) {
		x = json_object_get(in, text_keys[i]);
		s = x ? api_scalar(a, x, text_keys[i], depth + 1) : NULL;
		if (json_is_string(s)) {
			texts_add(out, json_string_value(s));
			found = 1;
		}
	}
	if (found)
		return;
	json_object_foreach(in, k, x)
	{
		if (!is_link(x))
			continue;
		if (!strcmp(k, side) || !strncmp(k, "conditioning", 12) ||
		    (!strcmp(side, "positive") && !strcmp(k, "guider")))
			api_text(a, x, side, out, depth + 1);
	}
}

/* The model: follows "model" links to a checkpoint loader, noting LoRAs. */
static void api_model(struct api *a, json_t *link, json_t *loras, int depth)
{
	static const char *const ckpt_keys[] = {"ckpt_name", "unet_name", "model_path",
	                                        "base_ckpt_name", NULL};
	json_t *node, *in, *x;
	int i;

	if (depth > DEPTH_MAX || !spend(&a->budget) || !(node = api_node(a, link)) ||
	    !(in = inputs_of(node)))
		return;
	for (i = 0; ckpt_keys[i]; i++) {
		x = api_scalar(a, json_object_get(in, ckpt_keys[i]), ckpt_keys[i], depth + 1);
		if (json_is_string(x)) {
			gm_set(&a->m->model, json_string_value(x));
			return;
		}
	}
	x = json_object_get(in, "lora_name");
	if (json_is_string(x))
		lora_add(loras, json_string_value(x), json_object_get(in, "strength_model"));
	x = json_object_get(in, "model");
	if (is_link(x))
		api_model(a, x, loras, depth + 1);
}

/* The latent size: the first node on the latent path with width and height. */
static void api_size(struct api *a, json_t *link, int depth)
{
	json_t *node, *in, *w, *h, *x;
	const char *k;

	if (depth > DEPTH_MAX || !spend(&a->budget) || !(node = api_node(a, link)) ||
	    !(in = inputs_of(node)))
		return;
	w = api_scalar(a, json_object_get(in, "width"), "width", depth + 1);
	h = api_scalar(a, json_object_get(in, "height"), "height", depth + 1);
	if (!w)
		w = api_scalar(a, json_object_get(in, "empty_latent_width"), "width", depth + 1);
	if (!h)
		h = api_scalar(a, json_object_get(in, "empty_latent_height"), "height", depth + 1);
	if (json_is_integer(w) && json_is_integer(h)) {
		gm_params_wh(a->params, json_integer_value(w), json_integer_value(h));
		return;
	}
	if (json_object_get(in, "pixels")) {
		gm_note(&a->m->notes, &a->m->n_notes,
		        "the latent comes from an input image (%s): the size is not in the "
		        "metadata",
		        class_of(node) ? class_of(node) : "?");
		return;
	}
	json_object_foreach(in, k, x)
	{
		if (is_link(x) && (!strcmp(k, "samples") || !strcmp(k, "latent") ||
		                   !strcmp(k, "latent_image") || !strcmp(k, "latent_image_in"))) {
			api_size(a, x, depth + 1);
			return;
		}
	}
}

static int is_sampler_node(json_t *node)
{
	const char *c = class_of(node);
	json_t *in = inputs_of(node);

	if (!c || !in)
		return 0;
	if (name_has(c, "Sampler") && !name_has(c, "Select") &&
	    (json_object_get(in, "positive") || json_object_get(in, "guider") ||
	     json_object_get(in, "seed") || json_object_get(in, "noise_seed") ||
	     json_object_get(in, "noise")))
		return 1;
	return is_link(json_object_get(in, "positive")) &&
	       is_link(json_object_get(in, "negative")) &&
	       (json_object_get(in, "seed") || json_object_get(in, "noise_seed")) &&
	       json_object_get(in, "steps");
}

/* Walks back from node (an output) to the first sampler; its id or NULL. */
static const char *api_find_sampler(struct api *a, const char *id, int depth, json_t *seen)
{
	json_t *node = json_object_get(a->g, id), *in, *x;
	const char *k, *r;
	char *src;

	if (!node || depth > DEPTH_MAX || !spend(&a->budget) || json_object_get(seen, id))
		return NULL;
	json_object_set_new(seen, id, json_true());
	if (depth > 0 && is_sampler_node(node))
		return json_object_iter_key(json_object_iter_at(a->g, id));
	if (!(in = inputs_of(node)))
		return NULL;
	json_object_foreach(in, k, x)
	{
		if (!is_link(x) || !(src = id_key(json_array_get(x, 0))))
			continue;
		r = api_find_sampler(a, src, depth + 1, seen);
		free(src);
		if (r)
			return r;
	}
	return NULL;
}

static void put_scalar(struct api *a, const char *pkey, json_t *v)
{
	if (v && !json_is_null(v))
		json_object_set(a->params, pkey, v);
}

/* Reads sampling settings from one node's inputs (the sampler, or a node
 * it links to: noise, guider, sampler select, scheduler). */
static void api_settings(struct api *a, json_t *in, int depth)
{
	json_t *v;
	const char *k;

	json_object_foreach(in, k, v)
	{
		json_t *s = api_scalar(a, v, k, depth + 1);

		if (!strcmp(k, "seed") || !strcmp(k, "noise_seed")) {
			if (!a->m->has_seed && s && gm_set_seed_json(a->m, s) < 0)
				put_scalar(a, "seed", s);
		} else if (!strcmp(k, "steps")) {
			put_scalar(a, "steps", s);
		} else if (!strcmp(k, "cfg")) {
			put_scalar(a, "cfg_scale", s);
		} else if (!strcmp(k, "sampler_name")) {
			put_scalar(a, "sampler", s);
		} else if (!strcmp(k, "scheduler")) {
			put_scalar(a, "scheduler", s);
		} else if (!strcmp(k, "denoise")) {
			put_scalar(a, "denoise", s);
		} else if (!strcmp(k, "guidance")) {
			put_scalar(a, "guidance", s);
		} else if (is_link(v) && depth == 0 &&
		           (!strcmp(k, "noise") || !strcmp(k, "guider") || !strcmp(k, "sampler") ||
		            !strcmp(k, "sigmas"))) {
			json_t *node = api_node(a, v), *in2 = node ? inputs_of(node) : NULL;

			if (in2)
				api_settings(a, in2, depth + 1);
		} else if (depth == 0 && s && !is_link(v) && !json_object_get(a->params, k) &&
		           strcmp(k, "positive") && strcmp(k, "negative") && strcmp(k, "model") &&
		           strcmp(k, "latent_image")) {
			json_object_set(a->params, k, s);
		}
	}
}

/* 1 when the sampler continues a latent another sampler began: add_noise
 * "disable" or a start_at_step above 0, as the refiner of an SDXL base +
 * refiner graph is set (ComfyUI's KSamplerAdvanced). */
static int api_continues(struct api *a, json_t *node)
{
	json_t *in = inputs_of(node), *an, *st;

	if (!in)
		return 0;
	an = api_scalar(a, json_object_get(in, "add_noise"), "add_noise", 1);
	st = api_scalar(a, json_object_get(in, "start_at_step"), "start_at_step", 1);
	return (json_is_string(an) && !strcmp(json_string_value(an), "disable")) ||
	       json_is_false(an) || (json_is_integer(st) && json_integer_value(st) > 0);
}

/* The sampler upstream of sid's latent_image, or NULL. */
static const char *api_upstream_sampler(struct api *a, const char *sid)
{
	json_t *x = json_object_get(inputs_of(json_object_get(a->g, sid)), "latent_image"), *seen;
	const char *r;
	char *src;

	if (!is_link(x) || !(src = id_key(json_array_get(x, 0))))
		return NULL;
	seen = json_object();
	json_object_set_new(seen, sid, json_true());
	r = api_find_sampler(a, src, 1, seen);
	json_decref(seen);
	free(src);
	return r;
}

/* The refiner's own settings and model, kept as params["refiner"]: the
 * generation's seed and model are the base sampler's. */
static void api_refiner(struct api *a, const char *rid)
{
	struct media_genmeta *rm = gm_new();
	struct api r = {.g = a->g, .m = rm, .params = json_object(), .budget = a->budget};
	json_t *node = json_object_get(a->g, rid), *in = inputs_of(node), *loras = json_array(), *x;

	api_settings(&r, in, 0);
	if (rm->has_seed)
		json_object_set_new(r.params, "seed", json_integer(rm->seed));
	x = json_object_get(in, "model");
	if (is_link(x))
		api_model(&r, x, loras, 0);
	if (rm->model)
		json_object_set_new(r.params, "model", json_string(rm->model));
	if (json_array_size(loras))
		json_object_set(r.params, "loras", loras);
	json_object_set_new(r.params, "node", json_string(rid));
	if (class_of(node))
		json_object_set_new(r.params, "comfy_sampler_node", json_string(class_of(node)));
	json_object_set_new(a->params, "refiner", r.params);
	a->budget = r.budget;
	json_decref(loras);
	media_genmeta_free(&rm);
}

/* A graph whose sampler this reader does not know: it is still ComfyUI's,
 * and a lone checkpoint loader still names the model. */
static int api_no_sampler(struct media_genmeta *m, json_t *g)
{
	const char *k, *found = NULL;
	json_t *v, *in, *c;
	size_t loaders = 0;

	json_object_foreach(g, k, v)
	{
		in = inputs_of(v);
		c = in ? json_object_get(in, "ckpt_name") : NULL;
		if (!json_is_string(c) && in)
			c = json_object_get(in, "unet_name");
		if (json_is_string(c)) {
			loaders++;
			found = json_string_value(c);
		}
	}
	gm_set(&m->tool, "ComfyUI");
	if (loaders == 1)
		gm_set(&m->model, found);
	gm_note(&m->notes, &m->n_notes,
	        "ComfyUI graph without a sampler node this reader knows: prompts and settings "
	        "not read%s",
	        loaders == 1 ? " (the model comes from its only checkpoint loader)" : "");
	return 0;
}

int gm_parse_comfy_prompt(struct media_genmeta *m, json_t *g)
{
	struct api a = {.g = g, .m = m, .budget = BUDGET};
	const char *k, *sid = NULL, *out_id = NULL, *refiner = NULL;
	json_t *v, *node, *in, *seen, *loras, *x, *guider;
	struct texts pos = {.n = 0}, neg = {.n = 0};
	size_t samplers = 0;

	if (!gm_is_comfy_prompt(g))
		return -1;
	json_object_foreach(g, k, v)
	{
		if (is_sampler_node(v))
			samplers++;
		if (!out_id && json_is_object(v) &&
		    (name_has(class_of(v), "Save") || name_has(class_of(v), "Preview")) &&
		    is_link(json_object_get(inputs_of(v), "images")))
			out_id = k;
	}
	if (out_id) {
		seen = json_object();
		sid = api_find_sampler(&a, out_id, 0, seen);
		json_decref(seen);
	}
	if (!sid) {
		json_object_foreach(g, k, v)
		{
			if (is_sampler_node(v)) {
				sid = k;
				break;
			}
		}
	}
	if (!sid)
		return api_no_sampler(m, g);
	/* Base + refiner: the sampler that feeds the image only refines the
	 * latent of one upstream that added the noise from step 0. */
	if (api_continues(&a, json_object_get(g, sid))) {
		const char *b = sid;
		int hops = 0;

		while (b && api_continues(&a, json_object_get(g, b)) && hops++ < 8)
			b = api_upstream_sampler(&a, b);
		if (b && strcmp(b, sid)) {
			refiner = sid;
			sid = b;
		}
	}
	node = json_object_get(g, sid);
	in = inputs_of(node);
	if (refiner)
		gm_note(&m->notes, &m->n_notes,
		        "the graph has %zu sampler nodes: values come from node %s (%s), the base "
		        "sampler that adds the noise from step 0; node %s (%s) refines its "
		        "latent and is kept under \"refiner\"",
		        samplers, sid, class_of(node), refiner,
		        class_of(json_object_get(g, refiner)));
	else if (samplers > 1)
		gm_note(&m->notes, &m->n_notes,
		        "the graph has %zu sampler nodes: values come from node %s (%s)%s",
		        samplers, sid, class_of(node),
		        out_id ? ", the one that feeds the saved image" : "");
	gm_set(&m->tool, "ComfyUI");
	a.params = json_object();
	loras = json_array();
	api_settings(&a, in, 0);
	if (refiner)
		api_refiner(&a, refiner);

	guider = json_object_get(in, "guider");
	guider = is_link(guider) ? api_node(&a, guider) : NULL;
	x = json_object_get(in, "positive");
	if (json_is_string(x))
		texts_add(&pos, json_string_value(x));
	else if (is_link(x))
		api_text(&a, x, "positive", &pos, 0);
	else if (guider)
		api_text(&a, json_object_get(in, "guider"), "positive", &pos, 0);
	x = json_object_get(in, "negative");
	if (json_is_string(x))
		texts_add(&neg, json_string_value(x));
	else if (is_link(x))
		api_text(&a, x, "negative", &neg, 0);
	else if (guider && is_link(json_object_get(inputs_of(guider), "negative")))
		api_text(&a, json_object_get(inputs_of(guider), "negative"), "negative", &neg, 0);
	texts_set(&pos, &m->prompt);
	texts_set(&neg, &m->negative_prompt);

	x = json_object_get(in, "model");
	if (!is_link(x) && guider)
		x = json_object_get(inputs_of(guider), "model");
	if (is_link(x))
		api_model(&a, x, loras, 0);
	if (json_array_size(loras))
		json_object_set(a.params, "loras", loras);
	x = json_object_get(in, "latent_image");
	if (is_link(x))
		api_size(&a, x, 0);
	json_object_set_new(a.params, "comfy_sampler_node", json_string(class_of(node)));
	gm_set_params(m, a.params);
	json_decref(a.params);
	json_decref(loras);
	texts_free(&pos);
	texts_free(&neg);
	return 0;
}

/* ---------------------------------------------------------------- UI workflow */

int gm_is_comfy_workflow(json_t *doc)
{
	return json_is_object(doc) && json_is_array(json_object_get(doc, "nodes"));
}

/* Widget layouts of the core nodes; "*" marks the editor's
 * control-after-generate value that follows a seed widget. */
struct layout {
	const char *type;
	const char *w[12];
};

static const struct layout layouts[] = {
        {"KSampler", {"seed", "*", "steps", "cfg", "sampler_name", "scheduler", "denoise"}},
        {"KSamplerAdvanced",
         {"add_noise", "noise_seed", "*", "steps", "cfg", "sampler_name", "scheduler",
          "start_at_step", "end_at_step", "return_with_leftover_noise"}},
        {"SamplerCustom", {"add_noise", "noise_seed", "*", "cfg"}},
        {"RandomNoise", {"noise_seed", "*"}},
        {"KSamplerSelect", {"sampler_name"}},
        {"BasicScheduler", {"scheduler", "steps", "denoise"}},
        {"CFGGuider", {"cfg"}},
        {"FluxGuidance", {"guidance"}},
        {"CLIPTextEncode", {"text"}},
        {"CheckpointLoaderSimple", {"ckpt_name"}},
        {"CheckpointLoader", {"config_name", "ckpt_name"}},
        {"UNETLoader", {"unet_name", "weight_dtype"}},
        {"EmptyLatentImage", {"width", "height", "batch_size"}},
        {"EmptySD3LatentImage", {"width", "height", "batch_size"}},
        {"LoraLoader", {"lora_name", "strength_model", "strength_clip"}},
        {"LoraLoaderModelOnly", {"lora_name", "strength_model"}},
        {"PrimitiveNode", {"value", "*"}},
};

struct ui {
	json_t *wf;
	struct media_genmeta *m;
	json_t *params;
	json_t *byid;  /* id -> node */
	json_t *links; /* link id -> [from node, from slot] */
	int budget;    /* walk steps left */
};

static json_t *ui_widget(json_t *node, const char *name)
{
	const char *type = json_string_value(json_object_get(node, "type"));
	json_t *wv = json_object_get(node, "widgets_values"), *v;
	size_t i, k, pos = 0;

	if (json_is_object(wv))
		return json_object_get(wv, name);
	if (!type || !json_is_array(wv))
		return NULL;
	for (i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
		if (strcmp(layouts[i].type, type))
			continue;
		for (k = 0; k < 12 && layouts[i].w[k]; k++) {
			v = json_array_get(wv, pos);
			if (!strcmp(layouts[i].w[k], "*")) {
				/* Only skip what really is a control value. */
				const char *s = json_string_value(v);

				if (json_is_boolean(v) ||
				    (s && (!strcmp(s, "fixed") || !strcmp(s, "increment") ||
				           !strcmp(s, "decrement") || !strcmp(s, "randomize"))))
					pos++;
				continue;
			}
			if (!strcmp(layouts[i].w[k], name))
				return v;
			pos++;
		}
		return NULL;
	}
	return NULL;
}

/* The node feeding input `name` of node, through Reroute nodes. */
static json_t *ui_source(struct ui *u, json_t *node, const char *name, int depth)
{
	json_t *inputs = json_object_get(node, "inputs"), *in, *link, *src;
	char *key;
	size_t i;

	if (depth > DEPTH_MAX || !spend(&u->budget) || !json_is_array(inputs))
		return NULL;
	json_array_foreach(inputs, i, in)
	{
		if (!json_is_string(json_object_get(in, "name")) ||
		    strcmp(json_string_value(json_object_get(in, "name")), name))
			continue;
		key = id_key(json_object_get(in, "link"));
		link = key ? json_object_get(u->links, key) : NULL;
		free(key);
		key = link ? id_key(json_array_get(link, 0)) : NULL;
		src = key ? json_object_get(u->byid, key) : NULL;
		free(key);
		if (src && !strcmp(json_string_value(json_object_get(src, "type"))
		                           ? json_string_value(json_object_get(src, "type"))
		                           : "",
		                   "Reroute")) {
			json_t *ri = json_array_get(json_object_get(src, "inputs"), 0);

			if (ri && json_is_string(json_object_get(ri, "name")))
				return ui_source(u, src,
				                 json_string_value(json_object_get(ri, "name")),
				                 depth + 1);
			return NULL;
		}
		return src;
	}
	return NULL;
}

static const char *ui_type(json_t *node)
{
	return json_string_value(json_object_get(node, "type"));
}

static void ui_text(struct ui *u, json_t *node, const char *side, struct texts *out, int depth)
{
	json_t *v, *inputs, *in;
	const char *nm;
	size_t i;

	if (!node || depth > DEPTH_MAX || !spend(&u->budget))
		return;
	v = ui_widget(node, "text");
	if (json_is_string(v)) {
		texts_add(out, json_string_value(v));
		return;
	}
	/* A text widget turned into an input fed by a primitive. */
	if ((v = ui_source(u, node, "text", depth + 1)) && json_is_string(ui_widget(v, "value"))) {
		texts_add(out, json_string_value(ui_widget(v, "value")));
		return;
	}
	inputs = json_object_get(node, "inputs");
	json_array_foreach(inputs, i, in)
	{
		nm = json_string_value(json_object_get(in, "name"));
		if (nm && (!strcmp(nm, side) || !strncmp(nm, "conditioning", 12)))
			ui_text(u, ui_source(u, node, nm, depth + 1), side, out, depth + 1);
	}
}

static void ui_model(struct ui *u, json_t *node, json_t *loras, int depth)
{
	json_t *v;

	if (!node || depth > DEPTH_MAX || !spend(&u->budget))
		return;
	if (json_is_string(v = ui_widget(node, "ckpt_name")) ||
	    json_is_string(v = ui_widget(node, "unet_name"))) {
		gm_set(&u->m->model, json_string_value(v));
		return;
	}
	if (json_is_string(v = ui_widget(node, "lora_name")))
		lora_add(loras, json_string_value(v), ui_widget(node, "strength_model"));
	ui_model(u, ui_source(u, node, "model", depth + 1), loras, depth + 1);
}

static void ui_size(struct ui *u, json_t *node, int depth)
{
	json_t *w, *h;

	if (!node || depth > DEPTH_MAX || !spend(&u->budget))
		return;
	w = ui_widget(node, "width");
	h = ui_widget(node, "height");
	if (json_is_integer(w) && json_is_integer(h)) {
		gm_params_wh(u->params, json_integer_value(w), json_integer_value(h));
		return;
	}
	ui_size(u, ui_source(u, node, "samples", depth + 1), depth + 1);
}

static void ui_settings(struct ui *u, json_t *node, int depth)
{
	static const char *const keys[][2] = {
	        {"steps", "steps"},         {"cfg", "cfg_scale"},   {"sampler_name", "sampler"},
	        {"scheduler", "scheduler"}, {"denoise", "denoise"}, {"guidance", "guidance"},
	        {"add_noise", "add_noise"}, {"start_at_step", "start_at_step"},
	        {"end_at_step", "end_at_step"}};
	static const char *const feeders[] = {"noise", "guider", "sampler", "sigmas"};
	json_t *v;
	size_t i;

	if (!node || depth > 2 || !spend(&u->budget))
		return;
	for (i = 0; i < 2; i++) {
		v = ui_widget(node, i ? "noise_seed" : "seed");
		if (v && !u->m->has_seed && gm_set_seed_json(u->m, v) < 0)
			json_object_set(u->params, "seed", v);
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		v = ui_widget(node, keys[i][0]);
		if (v && !json_is_null(v) && !json_object_get(u->params, keys[i][1]))
			json_object_set(u->params, keys[i][1], v);
	}
	for (i = 0; i < sizeof feeders / sizeof feeders[0]; i++)
		ui_settings(u, ui_source(u, node, feeders[i], depth + 1), depth + 1);
}

/* As api_continues, from the widgets. */
static int ui_continues(json_t *node)
{
	json_t *an = ui_widget(node, "add_noise"), *st = ui_widget(node, "start_at_step");

	return (json_is_string(an) && !strcmp(json_string_value(an), "disable")) ||
	       json_is_false(an) || (json_is_integer(st) && json_integer_value(st) > 0);
}

/* As api_refiner. */
static void ui_refiner(struct ui *u, json_t *refiner)
{
	struct media_genmeta *rm = gm_new();
	struct ui r = *u;
	json_t *loras = json_array(), *id = json_object_get(refiner, "id");

	r.m = rm;
	r.params = json_object();
	ui_settings(&r, refiner, 0);
	if (rm->has_seed)
		json_object_set_new(r.params, "seed", json_integer(rm->seed));
	ui_model(&r, ui_source(&r, refiner, "model", 1), loras, 0);
	if (rm->model)
		json_object_set_new(r.params, "model", json_string(rm->model));
	if (json_array_size(loras))
		json_object_set(r.params, "loras", loras);
	if (json_is_integer(id))
		json_object_set(r.params, "node", id);
	json_object_set_new(r.params, "comfy_sampler_node", json_string(ui_type(refiner)));
	json_object_set_new(u->params, "refiner", r.params);
	u->budget = r.budget;
	json_decref(loras);
	media_genmeta_free(&rm);
}

static int ui_is_sampler(json_t *node)
{
	const char *t = ui_type(node);

	return t && (!strcmp(t, "KSampler") || !strcmp(t, "KSamplerAdvanced") ||
	             !strcmp(t, "SamplerCustom") || !strcmp(t, "SamplerCustomAdvanced"));
}

int gm_parse_comfy_workflow(struct media_genmeta *m, json_t *wf)
{
	struct ui u = {.wf = wf, .m = m, .budget = BUDGET};
	json_t *nodes = json_object_get(wf, "nodes"), *links = json_object_get(wf, "links"), *n, *l;
	json_t *sampler = NULL, *base = NULL, *refiner = NULL, *x, *loras, *guider;
	struct texts pos = {.n = 0}, neg = {.n = 0};
	size_t i, samplers = 0;
	char *key;

	if (!gm_is_comfy_workflow(wf))
		return -1;
	u.byid = json_object();
	u.links = json_object();
	json_array_foreach(nodes, i, n)
	{
		json_t *mode = json_object_get(n, "mode");

		if (!json_is_object(n) || (json_is_integer(mode) && json_integer_value(mode) != 0))
			continue; /* muted (2) or bypassed (4) nodes did not run */
		key = id_key(json_object_get(n, "id"));
		if (key)
			json_object_set(u.byid, key, n);
		free(key);
		if (ui_is_sampler(n)) {
			samplers++;
			if (ui_continues(n)) {
				if (!refiner)
					refiner = n;
			} else if (!base) {
				base = n;
			}
			if (!sampler)
				sampler = n;
		}
	}
	json_array_foreach(links, i, l)
	{
		json_t *pair = json_array();

		if (json_is_array(l) && json_array_size(l) >= 4) {
			key = id_key(json_array_get(l, 0));
			json_array_append(pair, json_array_get(l, 1));
			json_array_append(pair, json_array_get(l, 2));
		} else if (json_is_object(l)) {
			key = id_key(json_object_get(l, "id"));
			json_array_append(pair, json_object_get(l, "origin_id"));
			json_array_append(pair, json_object_get(l, "origin_slot"));
		} else {
			key = NULL;
		}
		if (key)
			json_object_set(u.links, key, pair);
		json_decref(pair);
		free(key);
	}
	if (json_is_object(json_object_get(wf, "definitions")))
		gm_note(&m->notes, &m->n_notes,
		        "the workflow has subgraphs: only the top-level graph was read");
	if (!sampler) {
		gm_note(&m->notes, &m->n_notes, "ComfyUI workflow without a sampler node");
		json_decref(u.byid);
		json_decref(u.links);
		return -1;
	}
	if (base && refiner) {
		sampler = base;
		gm_note(&m->notes, &m->n_notes,
		        "the workflow has %zu sampler nodes: values come from the base sampler "
		        "that adds the noise from step 0 (%s); the refiner (%s) is kept under "
		        "\"refiner\"",
		        samplers, ui_type(base), ui_type(refiner));
	} else if (samplers > 1) {
		refiner = NULL;
		gm_note(&m->notes, &m->n_notes,
		        "the workflow has %zu sampler nodes: values come from the first (%s)",
		        samplers, ui_type(sampler));
	}
	gm_note(&m->notes, &m->n_notes,
	        "values read from the editor's workflow graph: widget positions follow the "
	        "core nodes' layouts");
	gm_set(&m->tool, "ComfyUI");
	u.params = json_object();
	loras = json_array();
	ui_settings(&u, sampler, 0);
	if (base && refiner)
		ui_refiner(&u, refiner);
	guider = ui_source(&u, sampler, "guider", 1);
	x = ui_source(&u, sampler, "positive", 1);
	ui_text(&u, x ? x : guider, "positive", &pos, 0);
	x = ui_source(&u, sampler, "negative", 1);
	if (!x && guider)
		x = ui_source(&u, guider, "negative", 1);
	ui_text(&u, x, "negative", &neg, 0);
	texts_set(&pos, &m->prompt);
	texts_set(&neg, &m->negative_prompt);
	x = ui_source(&u, sampler, "model", 1);
	if (!x && guider)
		x = ui_source(&u, guider, "model", 1);
	ui_model(&u, x, loras, 0);
	if (json_array_size(loras))
		json_object_set(u.params, "loras", loras);
	ui_size(&u, ui_source(&u, sampler, "latent_image", 1), 0);
	json_object_set_new(u.params, "comfy_sampler_node", json_string(ui_type(sampler)));
	gm_set_params(m, u.params);
	json_decref(u.params);
	json_decref(loras);
	json_decref(u.byid);
	json_decref(u.links);
	texts_free(&pos);
	texts_free(&neg);
	return 0;
}
