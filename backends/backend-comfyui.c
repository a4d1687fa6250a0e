/*
 * backend-comfyui.c - ComfyUI, driven by a workflow template:
 *
 *   backend comfy type=comfyui url=http://127.0.0.1:8188 workflow=sdxl-api.json
 *           prompt-input=6.text negative-input=7.text seed-input=3.seed
 *           width-input=5.width height-input=5.height
 *
 * The workflow is the API format ("Save (API format)": node id ->
 * {class_type, inputs}); the *-input settings name NODE.INPUT to fill.
 * One candidate at a time: POST /prompt {"prompt", "client_id"} gives a
 * prompt_id; GET /history/{id} is polled until the entry appears; each
 * saved output (type "output") is fetched with GET /view.  An output name
 * with a slash or "..", or a subfolder that climbs out, fails the job.
 * Shapes: ComfyUI's server routes (server.py: /prompt, /history, /view,
 * /system_stats), as tests/backends/server.py speaks them.
 */
#include "config.h"

#include "backends-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { R_PROMPT = 1, R_STATS, R_HISTORY = 101, R_VIEW = 102 };

static const struct bk_param params[] = {
	{ "width", BK_INT, 8, 16384, "into width-input" },
	{ "height", BK_INT, 8, 16384, "into height-input" },
	{ "steps", BK_INT, 1, 1000, "into steps-input" },
	{ "poll-interval", BK_INT, 100, 60000, "milliseconds between /history polls (default 1000)" },
	{ NULL, 0, 0, 0, NULL },
};

static const char *const inputs[] = { "prompt-input", "negative-input", "seed-input", "width-input",
				      "height-input", "steps-input", NULL };
static const char *const settings[] = { "workflow", "prompt-input", "negative-input", "seed-input",
					"width-input", "height-input", "steps-input", NULL };

/* Splits "6.text" into node "6" and input "text". */
static int split_input(const char *spec, char *node, size_t nn, const char **input)
{
	const char *dot = strchr(spec, '.');

	if (dot == NULL || dot == spec || dot[1] == '\0' || (size_t)(dot - spec) >= nn)
		return -1;
	memcpy(node, spec, (size_t)(dot - spec));
	node[dot - spec] = '\0';
	*input = dot + 1;
	return 0;
}

static int comfy_configure(struct backend *be, char **err)
{
	const char *wf = bk_setting(be, "workflow", NULL);
	char *path, *text = NULL, node[64];
	const char *input;
	json_error_t je;
	json_t *j;
	size_t len, i;

	if (wf == NULL) {
		*err = xstrdup("type comfyui needs workflow=FILE — a workflow exported with \"Save (API format)\"");
		return -1;
	}
	if (bk_setting(be, "prompt-input", NULL) == NULL) {
		*err = xstrdup("type comfyui needs prompt-input=NODE.INPUT — the node input that takes the prompt, "
			       "e.g. prompt-input=6.text");
		return -1;
	}
	path = wf[0] == '/' ? xstrdup(wf) : xasprintf("%s/%s", be->dir, wf);
	if (util_read_file(path, (size_t)16 << 20, &text, &len) < 0) {
		*err = xasprintf("cannot read workflow %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	j = json_loadb(text, len, 0, &je);
	free(text);
	if (!json_is_object(j)) {
		*err = xasprintf("workflow %s is not a JSON object%s%s", path, j ? "" : ": ", j ? "" : je.text);
		goto fail;
	}
	if (json_object_get(j, "nodes") && json_object_get(j, "links")) {
		*err = xasprintf("workflow %s is in the UI format — export it with \"Save (API format)\"", path);
		goto fail;
	}
	for (i = 0; inputs[i]; i++) {
		const char *spec = bk_setting(be, inputs[i], NULL);
		json_t *n;

		if (spec == NULL)
			continue;
		if (split_input(spec, node, sizeof node, &input) < 0) {
			*err = xasprintf("%s=%s: write NODE.INPUT, e.g. 6.text", inputs[i], spec);
			goto fail;
		}
		n = json_object_get(j, node);
		if (!json_is_object(json_object_get(n, "inputs")) ||
		    json_object_get(json_object_get(n, "inputs"), input) == NULL) {
			*err = xasprintf("workflow %s has no node \"%s\" with an input \"%s\" (%s)", path, node, input,
					 inputs[i]);
			goto fail;
		}
	}
	free(path);
	be->priv = j;
	return 0;
fail:
	free(path);
	json_decref(j);
	return -1;
}

static void comfy_release(struct backend *be)
{
	json_decref(be->priv);
	be->priv = NULL;
}

struct comfy {
	char *prompt_id;
	char client_id[48];
	int views;            /* /view requests not yet back */
	int made_here;        /* outputs of the current prompt */
};

static void set_input(json_t *wf, const char *spec, json_t *v)
{
	char node[64];
	const char *input;

	if (spec && split_input(spec, node, sizeof node, &input) == 0)
		json_object_set_new(json_object_get(json_object_get(wf, node), "inputs"), input, v);
	else
		json_decref(v);
}

static void submit(struct bk_call *c)
{
	struct comfy *st = c->priv;
	json_t *wf, *body;
	struct bk_req *r;
	const struct backend *be = c->be;

	if ((int)c->nout >= c->count) {
		bk_finish(c);
		return;
	}
	bk_progress(c, (double)c->nout / c->count);
	wf = json_deep_copy(be->priv);
	set_input(wf, bk_setting(be, "prompt-input", NULL), json_string(c->prompt));
	if (bk_setting(be, "negative-input", NULL))
		set_input(wf, bk_setting(be, "negative-input", NULL), json_string(c->negative));
	if (bk_setting(be, "seed-input", NULL))
		set_input(wf, bk_setting(be, "seed-input", NULL), json_integer(bk_seed(c, (int)c->nout)));
	if (bk_setting(be, "width-input", NULL) && bk_has(c, "width"))
		set_input(wf, bk_setting(be, "width-input", NULL), json_integer(bk_int(c, "width", 512)));
	if (bk_setting(be, "height-input", NULL) && bk_has(c, "height"))
		set_input(wf, bk_setting(be, "height-input", NULL), json_integer(bk_int(c, "height", 512)));
	if (bk_setting(be, "steps-input", NULL) && bk_has(c, "steps"))
		set_input(wf, bk_setting(be, "steps-input", NULL), json_integer(bk_int(c, "steps", 20)));
	body = json_pack("{s:o, s:s}", "prompt", wf, "client_id", st->client_id);
	r = bk_req_new(c, "POST", "/prompt", R_PROMPT, (int)c->nout);
	if (r)
		bk_req_json(r, body);
	else
		json_decref(body);
	st->made_here = 0;
}

static void comfy_start(struct bk_call *c)
{
	struct comfy *st = xcalloc(1, sizeof *st);

	snprintf(st->client_id, sizeof st->client_id, "lightbox-%lld-%08llx", (long long)c->job.id,
		 (unsigned long long)bk_random_seed());
	c->priv = st;
	submit(c);
}

static void poll_history(struct bk_call *c, double delay)
{
	struct comfy *st = c->priv;
	char *esc = curl_easy_escape(NULL, st->prompt_id, 0), *path = xasprintf("/history/%s", esc);
	struct bk_req *r = bk_req_new(c, "GET", path, R_HISTORY, 0);

	if (r)
		bk_req_delay(r, delay);
	curl_free(esc);
	free(path);
}

static void prompt_reply(struct bk_call *c, struct bk_req *req)
{
	struct comfy *st = c->priv;
	json_t *j = bk_req_parse_json(c, req);
	const char *id;

	if (j == NULL)
		return;
	id = json_string_value(json_object_get(j, "prompt_id"));
	if (id == NULL || *id == '\0' || strlen(id) > 200) {
		bk_fail(c, "%s: the reply has no prompt_id", req->what);
		json_decref(j);
		return;
	}
	free(st->prompt_id);
	st->prompt_id = xstrdup(id);
	json_decref(j);
	poll_history(c, 200);
}

static void history_reply(struct bk_call *c, struct bk_req *req)
{
	struct comfy *st = c->priv;
	struct bk_comfy_file *files = NULL;
	json_t *j = bk_req_parse_json(c, req);
	char *err = NULL;
	size_t n = 0, i;
	int done = 0;

	if (j == NULL)
		return;
	if (bk_comfy_history(j, st->prompt_id, &done, &files, &n, &err) < 0) {
		bk_fail(c, "ComfyUI prompt %s: %s", st->prompt_id, err);
		free(err);
		json_decref(j);
		return;
	}
	json_decref(j);
	if (!done) {
		if (util_mono_ms() - c->started_ms > (double)c->be->timeout * 1000) {
			bk_fail(c, "ComfyUI did not finish prompt %s within timeout=%ld s", st->prompt_id,
				c->be->timeout);
			return;
		}
		poll_history(c, (double)bk_int(c, "poll-interval", 1000));
		return;
	}
	if (n == 0) {
		bk_fail(c, "ComfyUI prompt %s finished but saved no output — the workflow needs a save node "
			   "(SaveImage, ...)", st->prompt_id);
		return;
	}
	for (i = 0; i < n; i++) {
		char *f = curl_easy_escape(NULL, files[i].filename, 0), *s = curl_easy_escape(NULL, files[i].subfolder, 0),
		     *t = curl_easy_escape(NULL, files[i].type, 0);
		char *path = xasprintf("/view?filename=%s&subfolder=%s&type=%s", f, s, t);

		if (bk_req_new(c, "GET", path, R_VIEW, (int)i))
			st->views++;
		curl_free(f);
		curl_free(s);
		curl_free(t);
		free(path);
	}
	bk_comfy_files_free(&files, n);
}

static void view_reply(struct bk_call *c, struct bk_req *req)
{
	struct comfy *st = c->priv;
	size_t len = req->reply.len;
	unsigned char *data;
	const char *wf = bk_setting(c->be, "workflow", "");
	int has_seed = bk_setting(c->be, "seed-input", NULL) != NULL;

	st->views--;
	if (strstr(req->ctype, "json") || strncmp(req->ctype, "text/", 5) == 0) {
		char *m = bk_body_error(req->ctype, req->reply.s, req->reply.len);
		bk_fail(c, "%s: expected a file but the server sent %s%s%s", req->what, req->ctype, m ? ": " : "",
			m ? m : "");
		free(m);
		return;
	}
	if ((int)c->nout >= c->count) {
		/* The workflow saves more than one output per prompt: keep count. */
		if (st->views == 0)
			bk_finish(c);
		return;
	}
	data = (unsigned char *)sb_steal(&req->reply);
	if (bk_out_media(c, data, len, c->modality, has_seed, bk_seed(c, (int)c->nout), NULL,
			 json_pack("{s:s, s:s}", "workflow", util_basename(wf), "prompt_id", st->prompt_id)) < 0)
		return;
	st->made_here++;
	if (st->views == 0)
		submit(c);
}

static void comfy_reply(struct bk_call *c, struct bk_req *req)
{
	switch (req->kind) {
	case R_PROMPT: prompt_reply(c, req); break;
	case R_HISTORY: history_reply(c, req); break;
	case R_VIEW: view_reply(c, req); break;
	default: break;
	}
}

/* Whether the server's queue says prompt id is the one running now. */
static int comfy_running(const char *queue, const char *id)
{
	json_t *j = queue ? json_loads(queue, 0, NULL) : NULL, *run = json_object_get(j, "queue_running"), *e;
	size_t i;
	int found = 0;

	/* Each entry: [number, prompt_id, prompt, extra_data, outputs]. */
	json_array_foreach(run, i, e) {
		const char *pid = json_string_value(json_array_get(e, 1));
		if (pid && strcmp(pid, id) == 0)
			found = 1;
	}
	json_decref(j);
	return found;
}

/* A cancelled job's prompt goes from the server too: out of the queue
 * when it waits there, interrupted when it runs — only when the queue
 * says it is ours that runs, since an older ComfyUI's /interrupt stops
 * whatever runs, maybe a colleague's prompt.  Best effort, a few seconds
 * at most: the job is cancelled here whatever the server says. */
static void comfy_cancel_remote(struct bk_call *c, const char *id)
{
	char *queue = NULL;

	bk_req_now(c, "POST", "/queue", json_pack("{s:[s]}", "delete", id), 3, NULL);
	if (bk_req_now(c, "GET", "/queue", NULL, 3, &queue) == 200 && comfy_running(queue, id))
		bk_req_now(c, "POST", "/interrupt", json_pack("{s:s}", "prompt_id", id), 3, NULL);
	free(queue);
}

static void comfy_stop(struct bk_call *c)
{
	struct comfy *st = c->priv;

	if (st && st->prompt_id && c->status == BK_DROPPED)
		comfy_cancel_remote(c, st->prompt_id);
	if (st)
		free(st->prompt_id);
	free(st);
	c->priv = NULL;
}

static void comfy_check(struct bk_call *c)
{
	bk_req_new(c, "GET", "/system_stats", R_STATS, 0);
}

static int comfy_check_reply(struct bk_call *c, struct bk_req *req, char **msg)
{
	json_t *j = bk_req_parse_json(c, req);
	const char *v;

	if (j == NULL) {
		*msg = xstrdup(c->error);
		return 0;
	}
	v = json_string_value(json_object_get(json_object_get(j, "system"), "comfyui_version"));
	*msg = v ? xasprintf("ok: ComfyUI %.40s", v) : xstrdup("ok: answers /system_stats");
	json_decref(j);
	return 1;
}

const struct bk_ops bk_comfyui_ops = {
	.type = "comfyui",
	.params = params,
	.settings = settings,
	.can_make = 1u << LB_IMAGE | 1u << LB_AUDIO | 1u << LB_VIDEO,
	.default_make = 1u << LB_IMAGE,
	.caps = BACKEND_CAP_SEED | BACKEND_CAP_COUNT | BACKEND_CAP_PROGRESS,
	.needs_url = 1,
	.auth = BK_AUTH_BEARER,
	.default_concurrency = 1,
	.default_timeout = 600,
	.configure = comfy_configure,
	.release = comfy_release,
	.start = comfy_start,
	.reply = comfy_reply,
	.stop = comfy_stop,
	.check = comfy_check,
	.check_reply = comfy_check_reply,
};
