/*
 * backend-a1111.c - AUTOMATIC1111's web UI API (and Forge, SD.Next that
 * keep it), started with --api:
 *
 *   POST /sdapi/v1/txt2img   a batch of pictures; blocking until done
 *   POST /sdapi/v1/img2img   variations: init_images = the parent picture
 *   GET  /sdapi/v1/progress  polled on a second connection meanwhile
 *   GET  /sdapi/v1/sd-models `backends --check`
 *
 * The reply's `info` is a JSON string inside the JSON; its all_seeds are
 * the seeds really used (seed -1 or a batch makes new ones), and those are
 * the ones stored.  Credentials, when the server runs with --api-auth,
 * come from key-env as "user:password" (HTTP Basic).
 * Shapes: ../shared/specs/APIS.md section 4.
 */
#include "config.h"

#include "backends-private.h"

#include <stdlib.h>
#include <string.h>

enum { R_TXT2IMG = 1, R_IMG2IMG, R_MODELS, R_PROGRESS = 102 };

static const struct bk_param params[] = {
	{ "width", BK_INT, 8, 8192, "picture width (server default 512)" },
	{ "height", BK_INT, 8, 8192, "picture height (server default 512)" },
	{ "steps", BK_INT, 1, 500, "sampling steps" },
	{ "cfg-scale", BK_NUM, 0, 100, "classifier-free guidance scale" },
	{ "sampler", BK_STR, 0, 0, "sampler name, e.g. \"Euler a\" or \"DPM++ 2M\"" },
	{ "scheduler", BK_STR, 0, 0, "scheduler, e.g. Karras" },
	{ "denoising-strength", BK_NUM, 0, 1, "variations: how far from the parent (default 0.5)" },
	{ "batch", BK_INT, 1, 64, "pictures per request (default 8)" },
	{ "progress-interval", BK_INT, 100, 60000, "milliseconds between progress polls (default 1000)" },
	{ NULL, 0, 0, 0, NULL },
};

static int a1111_can_vary(const struct backend *be, int modality)
{
	(void)be;
	return modality == LB_IMAGE;
}

static int in_flight(struct bk_call *c, int kind)
{
	size_t i;

	for (i = 0; i < c->nreqs; i++)
		if (c->reqs[i]->kind == kind || (kind == 0 && c->reqs[i]->kind < 100))
			return 1;
	return 0;
}

static void poll_progress(struct bk_call *c)
{
	struct bk_req *r = bk_req_new(c, "GET", "/sdapi/v1/progress?skip_current_image=true", R_PROGRESS, 0);

	if (r) {
		r->optional = 1;
		bk_req_delay(r, (double)bk_int(c, "progress-interval", 1000));
	}
}

static void generate(struct bk_call *c)
{
	int left = c->count - (int)c->nout, batch = (int)bk_int(c, "batch", 8);
	int n = left < batch ? left : batch;
	json_t *body;
	struct bk_req *r;
	int vary = c->has_parent && c->parent.path;

	if (left <= 0) {
		bk_finish(c);
		return;
	}
	bk_progress(c, (double)c->nout / c->count);
	body = json_pack("{s:s, s:s, s:I, s:i, s:i, s:b, s:b}", "prompt", c->prompt, "negative_prompt", c->negative,
			 "seed", (json_int_t)bk_seed(c, (int)c->nout), "batch_size", n, "n_iter", 1, "send_images", 1,
			 "save_images", 0);
	if (bk_has(c, "steps"))
		json_object_set_new(body, "steps", json_integer(bk_int(c, "steps", 20)));
	if (bk_has(c, "cfg-scale"))
		json_object_set_new(body, "cfg_scale", json_real(bk_num(c, "cfg-scale", 7)));
	if (bk_str(c, "sampler", NULL))
		json_object_set_new(body, "sampler_name", json_string(bk_str(c, "sampler", NULL)));
	if (bk_str(c, "scheduler", NULL))
		json_object_set_new(body, "scheduler", json_string(bk_str(c, "scheduler", NULL)));
	if (bk_has(c, "width") || (vary && c->parent.width > 0))
		json_object_set_new(body, "width", json_integer(bk_int(c, "width", c->parent.width)));
	if (bk_has(c, "height") || (vary && c->parent.height > 0))
		json_object_set_new(body, "height", json_integer(bk_int(c, "height", c->parent.height)));
	if (*c->be->model) {
		json_object_set_new(body, "override_settings",
				    json_pack("{s:s}", "sd_model_checkpoint", c->be->model));
		json_object_set_new(body, "override_settings_restore_afterwards", json_true());
	}
	if (vary) {
		unsigned char *data;
		size_t len;
		char *err = NULL, *b64;

		if (bk_read_limited(c->parent.path, (size_t)64 << 20, &data, &len, &err) < 0) {
			bk_fail(c, "cannot read candidate #%lld's picture: %s", (long long)c->parent.id, err);
			free(err);
			json_decref(body);
			return;
		}
		b64 = bk_b64_encode(data, len);
		free(data);
		json_object_set_new(body, "init_images", json_pack("[s]", b64));
		free(b64);
		json_object_set_new(body, "denoising_strength", json_real(bk_num(c, "denoising-strength", 0.5)));
	}
	r = bk_req_new(c, "POST", vary ? "/sdapi/v1/img2img" : "/sdapi/v1/txt2img", vary ? R_IMG2IMG : R_TXT2IMG,
		       (int)c->nout);
	if (r == NULL) {
		json_decref(body);
		return;
	}
	bk_req_json(r, body);
	if (!in_flight(c, R_PROGRESS))
		poll_progress(c);
}

static void a1111_start(struct bk_call *c)
{
	generate(c);
}

static json_t *image_params(const struct bk_a1111_info *in, size_t k)
{
	static const char *const keys[] = { "steps", "cfg_scale", "sampler_name", "scheduler", "width", "height",
					    "denoising_strength", "sd_model_hash", "clip_skip" };
	json_t *p = json_object(), *t;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(in->info, keys[i]);
		if (v && !json_is_null(v))
			json_object_set(p, keys[i], v);
	}
	t = json_array_get(json_object_get(in->info, "infotexts"), k);
	if (json_is_string(t))
		json_object_set(p, "infotext", t);
	return p;
}

static void images_reply(struct bk_call *c, struct bk_req *req)
{
	json_t *j = bk_req_parse_json(c, req), *images;
	struct bk_a1111_info in;
	char *err = NULL;
	size_t k, made = 0;
	int64_t asked = bk_seed(c, req->index);

	if (j == NULL)
		return;
	images = json_object_get(j, "images");
	if (!json_is_array(images) || json_array_size(images) == 0) {
		bk_fail(c, "%s: the reply has no images", req->what);
		json_decref(j);
		return;
	}
	if (bk_a1111_parse_info(j, &in, &err) < 0) {
		bk_fail(c, "%s: %s", req->what, err);
		free(err);
		json_decref(j);
		return;
	}
	for (k = (size_t)in.first; k < json_array_size(images) && (int)c->nout < c->count; k++) {
		const json_t *b64 = json_array_get(images, k);
		size_t idx = k - (size_t)in.first;
		/* The seed the server really used; a fixed seed in a batch advances. */
		int64_t seed = idx < in.nseeds ? in.seeds[idx] : asked + (int64_t)idx;

		if (!json_is_string(b64)) {
			bk_fail(c, "%s: images[%zu] is not a base64 string", req->what, k);
			break;
		}
		if (bk_out_b64_image(c, json_string_value(b64), json_string_length(b64), 1, seed,
				     in.model && *in.model ? in.model : c->be->model, image_params(&in, k)) < 0)
			break;
		made++;
	}
	bk_a1111_info_clear(&in);
	json_decref(j);
	if (c->status != BK_RUNNING)
		return;
	if (made == 0) {
		bk_fail(c, "%s: the reply has no pictures after index_of_first_image", req->what);
		return;
	}
	generate(c);
}

static void progress_reply(struct bk_call *c, struct bk_req *req)
{
	json_t *j = json_loadb(req->reply.s, req->reply.len, 0, NULL);
	double p = json_number_value(json_object_get(j, "progress"));
	int left = c->count - (int)c->nout, batch = (int)bk_int(c, "batch", 8);

	json_decref(j);
	if (p > 0 && p <= 1)
		bk_progress(c, ((double)c->nout + p * (left < batch ? left : batch)) / c->count);
	if (in_flight(c, 0))
		poll_progress(c);
}

static void a1111_reply(struct bk_call *c, struct bk_req *req)
{
	if (req->kind == R_PROGRESS)
		progress_reply(c, req);
	else
		images_reply(c, req);
}

static void a1111_check(struct bk_call *c)
{
	bk_req_new(c, "GET", "/sdapi/v1/sd-models", R_MODELS, 0);
}

static int a1111_check_reply(struct bk_call *c, struct bk_req *req, char **msg)
{
	json_t *j = bk_req_parse_json(c, req);
	size_t i, n;
	int have = 0, ok;

	if (j == NULL) {
		*msg = xstrdup(c->error);
		return 0;
	}
	n = json_array_size(j);
	for (i = 0; i < n && *c->be->model; i++) {
		const char *t = json_string_value(json_object_get(json_array_get(j, i), "title"));
		const char *m = json_string_value(json_object_get(json_array_get(j, i), "model_name"));
		if ((t && strncmp(t, c->be->model, strlen(c->be->model)) == 0) || (m && strcmp(m, c->be->model) == 0))
			have = 1;
	}
	ok = json_is_array(j);
	if (!ok)
		*msg = xstrdup("answers, but /sdapi/v1/sd-models is not a list");
	else if (*c->be->model && !have)
		*msg = xasprintf("answers (%zu checkpoints) but has no %s", n, c->be->model);
	else
		*msg = xasprintf("ok: %zu checkpoint%s", n, n == 1 ? "" : "s");
	json_decref(j);
	return ok;
}

const struct bk_ops bk_a1111_ops = {
	.type = "a1111",
	.params = params,
	.can_make = 1u << LB_IMAGE,
	.default_make = 1u << LB_IMAGE,
	.caps = BACKEND_CAP_SEED | BACKEND_CAP_COUNT | BACKEND_CAP_INIT_IMAGE | BACKEND_CAP_PROGRESS,
	.needs_url = 1,
	.auth = BK_AUTH_BASIC,
	.default_concurrency = 1,
	.default_timeout = 600,
	.can_vary = a1111_can_vary,
	.start = a1111_start,
	.reply = a1111_reply,
	.check = a1111_check,
	.check_reply = a1111_check_reply,
};
