/*
 * backend-ollama.c - Ollama's native API for text:
 *
 *   POST /api/generate  {"model", "prompt", "system", "stream": false, "options": {"seed", ...}}
 *   POST /api/chat      {"model", "messages", "stream": false, "options"}   (api=chat)
 *   GET  /api/tags      `backends --check`: is the model installed
 *
 * Ollama cannot batch: n candidates are n requests, one after another,
 * each with its own seed.  A server that streams anyway (NDJSON) is read
 * line by line; an {"error": ...} line is an error.
 * Shapes: ../shared/specs/ollama-openapi.yaml (GenerateRequest,
 * GenerateResponse, ChatRequest, ChatResponse, ListResponse).
 */
#include "config.h"

#include "backends-private.h"

#include <stdlib.h>
#include <string.h>

enum { R_TEXT = 1, R_TAGS };

static const struct bk_param params[] = {
	{ "temperature", BK_NUM, 0, 5, "options.temperature" },
	{ "top-p", BK_NUM, 0, 1, "options.top_p" },
	{ "top-k", BK_INT, 1, 100000, "options.top_k" },
	{ "num-predict", BK_INT, -2, 1000000, "options.num_predict: most tokens to generate" },
	{ "num-ctx", BK_INT, 1, 10000000, "options.num_ctx: context length" },
	{ "system", BK_STR, 0, 0, "a system prompt" },
	{ NULL, 0, 0, 0, NULL },
};

static const char *const settings[] = { "api", "keep-alive", NULL };

static int chat_api(const struct backend *be)
{
	return strcmp(bk_setting(be, "api", "generate"), "chat") == 0;
}

static int ollama_configure(struct backend *be, char **err)
{
	const char *api = bk_setting(be, "api", "generate");

	if (strcmp(api, "generate") != 0 && strcmp(api, "chat") != 0) {
		*err = xstrdup("api takes generate (POST /api/generate, the default) or chat (POST /api/chat)");
		return -1;
	}
	return 0;
}

static int ollama_can_vary(const struct backend *be, int modality)
{
	(void)be;
	return modality == LB_TEXT;
}

static void request(struct bk_call *c)
{
	const char *sys = bk_str(c, "system", NULL), *ka = bk_setting(c->be, "keep-alive", NULL);
	json_t *opts, *body;
	char *text;
	struct bk_req *r;
	int i = (int)c->nout;

	if (i >= c->count) {
		bk_finish(c);
		return;
	}
	bk_progress(c, (double)i / c->count);
	text = bk_text_prompt(c);
	if (c->has_parent && c->parent.body) {
		char *v = xasprintf("Write a variation of the text below: keep what it is for, change the "
				    "wording. Reply with the new text only.\n\nText:\n%s\n\nBrief:\n%s",
				    c->parent.body, text);
		free(text);
		text = v;
	}
	opts = json_pack("{s:I}", "seed", (json_int_t)bk_seed(c, i));
	if (bk_has(c, "temperature"))
		json_object_set_new(opts, "temperature", json_real(bk_num(c, "temperature", 0.8)));
	if (bk_has(c, "top-p"))
		json_object_set_new(opts, "top_p", json_real(bk_num(c, "top-p", 0.9)));
	if (bk_has(c, "top-k"))
		json_object_set_new(opts, "top_k", json_integer(bk_int(c, "top-k", 40)));
	if (bk_has(c, "num-predict"))
		json_object_set_new(opts, "num_predict", json_integer(bk_int(c, "num-predict", 128)));
	if (bk_has(c, "num-ctx"))
		json_object_set_new(opts, "num_ctx", json_integer(bk_int(c, "num-ctx", 2048)));
	if (chat_api(c->be)) {
		json_t *msgs = json_array();
		if (sys)
			json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "system", "content", sys));
		json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "user", "content", text));
		body = json_pack("{s:s, s:o, s:b, s:o}", "model", c->be->model, "messages", msgs, "stream", 0,
				 "options", opts);
	} else {
		body = json_pack("{s:s, s:s, s:b, s:o}", "model", c->be->model, "prompt", text, "stream", 0, "options",
				 opts);
		if (sys)
			json_object_set_new(body, "system", json_string(sys));
	}
	free(text);
	if (ka)
		json_object_set_new(body, "keep_alive", json_string(ka));
	r = bk_req_new(c, "POST", chat_api(c->be) ? "/api/chat" : "/api/generate", R_TEXT, i);
	if (r) {
		bk_req_json(r, body);
		bk_req_spill(r);
	} else {
		json_decref(body);
	}
}

static void ollama_start(struct bk_call *c)
{
	request(c);
}

static void ollama_reply(struct bk_call *c, struct bk_req *req)
{
	char *model = NULL, *err = NULL;
	struct bk_jscan js;
	struct bk_sink text;
	const char *body = req->reply.s ? req->reply.s : "";
	size_t n = req->reply.len;
	int rc;

	if (strstr(req->ctype, "json") == NULL) {
		bk_fail(c, "%s: expected JSON but the server sent %s", req->what, *req->ctype ? req->ctype : "no Content-Type");
		return;
	}
	/* A long reply is on disk: its skeleton is read instead, with the
	 * long strings in files. */
	bk_jscan_init(&js, NULL, c->be->max_reply, LB_TEXT_INLINE_MAX);
	if (req->spill && req->sink.path) {
		js.dir = xstrdup(req->sink.dir ? req->sink.dir : c->workdir);
		if (bk_jscan_file(&js, req->sink.path) < 0) {
			bk_fail(c, "%s: the reply is not usable JSON (%s)", req->what, js.error);
			bk_jscan_free(&js);
			return;
		}
		body = js.out.s ? js.out.s : "";
		n = js.out.len;
	}
	bk_sink_init(&text, NULL, c->be->max_reply);
	text.call = c;
	rc = bk_ollama_sink(body, n, chat_api(c->be), &js, &text, &model, &err);
	if (rc < 0)
		bk_fail(c, "%s: %s", req->what, err);
	else if (bk_out_text_sink(c, &text, "the model's reply", 1, bk_seed(c, req->index),
				  model ? model : c->be->model,
				  json_pack("{s:s}", "api", chat_api(c->be) ? "chat" : "generate")) == 0)
		request(c);
	bk_sink_free(&text);
	bk_jscan_free(&js);
	free(err);
	free(model);
}

static void ollama_check(struct bk_call *c)
{
	bk_req_new(c, "GET", "/api/tags", R_TAGS, 0);
}

static int ollama_check_reply(struct bk_call *c, struct bk_req *req, char **msg)
{
	json_t *j = bk_req_parse_json(c, req), *models;
	size_t i, n;
	int have = 0;
	const char *want = c->be->model;

	if (j == NULL) {
		*msg = xstrdup(c->error);
		return 0;
	}
	models = json_object_get(j, "models");
	n = json_array_size(models);
	for (i = 0; i < n; i++) {
		const char *name = json_string_value(json_object_get(json_array_get(models, i), "name"));
		size_t wl = strlen(want);
		/* "llama3.2" is "llama3.2:latest". */
		if (name && (strcmp(name, want) == 0 ||
			     (strncmp(name, want, wl) == 0 && strcmp(name + wl, ":latest") == 0)))
			have = 1;
	}
	*msg = have ? xasprintf("ok: %s is installed (%zu models)", want, n)
		    : xasprintf("answers but %s is not installed — run: ollama pull %s", want, want);
	json_decref(j);
	return have;
}

const struct bk_ops bk_ollama_ops = {
	.type = "ollama",
	.params = params,
	.settings = settings,
	.can_make = 1u << LB_TEXT,
	.default_make = 1u << LB_TEXT,
	.caps = BACKEND_CAP_SEED | BACKEND_CAP_COUNT,
	.needs_url = 1,
	.needs_model = 1,
	.auth = BK_AUTH_BEARER,
	.default_concurrency = 1,
	.default_timeout = 300,
	.configure = ollama_configure,
	.can_vary = ollama_can_vary,
	.start = ollama_start,
	.reply = ollama_reply,
	.check = ollama_check,
	.check_reply = ollama_check_reply,
};
