/*
 * backend-openai.c - OpenAI-compatible servers (OpenAI, and for text
 * llama.cpp's server, vLLM, LocalAI, Ollama's /v1), paths under the
 * definition's url (which includes the version prefix, .../v1):
 *
 *   POST /images/generations  JSON; images come back as data[].b64_json
 *                             (or data[].url, fetched at once: they expire)
 *   POST /images/edits        multipart/form-data with the parent picture
 *                             as `image`: variations
 *   POST /chat/completions    text; one request per candidate with its own
 *                             seed, since `n` is not portable
 *   POST /audio/speech        raw audio bytes
 *   GET  /models              `backends --check`
 *
 * Shapes follow OpenAI's published OpenAPI description (CreateImageRequest,
 * CreateImageEditRequest, ImagesResponse, CreateChatCompletionRequest,
 * CreateSpeechRequest, ListModelsResponse); the key is a bearer token.
 */
#include "config.h"

#include "backends-private.h"

#include <stdlib.h>
#include <string.h>

enum { R_GENERATE = 1, R_EDIT, R_CHAT, R_SPEECH, R_MODELS, R_DOWNLOAD = 101 };

static const struct bk_param params[] = {
	{ "width", BK_INT, 16, 8192, "picture width: sent as size=WxH with height" },
	{ "height", BK_INT, 16, 8192, "picture height" },
	{ "size", BK_STR, 0, 0, "images: 1024x1024, 1536x1024, 1024x1536 or auto" },
	{ "quality", BK_STR, 0, 0, "images: low, medium, high, auto (dall-e-3: standard, hd)" },
	{ "output-format", BK_STR, 0, 0, "images: png, jpeg or webp (GPT image models)" },
	{ "background", BK_STR, 0, 0, "images: transparent, opaque or auto" },
	{ "batch", BK_INT, 1, 10, "images per request (default 10; dall-e-3 takes 1)" },
	{ "temperature", BK_NUM, 0, 2, "text: sampling temperature" },
	{ "max-tokens", BK_INT, 1, 1000000, "text: max_completion_tokens" },
	{ "system", BK_STR, 0, 0, "text: a system message" },
	{ "voice", BK_STR, 0, 0, "speech: alloy, ash, coral, echo, fable, nova, onyx, sage, shimmer, ..." },
	{ "speech-format", BK_STR, 0, 0, "speech: mp3 (default), opus, aac, flac or wav" },
	{ "speed", BK_NUM, 0.25, 4, "speech: 0.25 to 4.0" },
	{ NULL, 0, 0, 0, NULL },
};

static const char *const settings[] = { "image-model", "text-model", "speech-model", NULL };

static const char *model_for(const struct backend *be, int modality)
{
	const char *key = modality == LB_IMAGE ? "image-model" : modality == LB_TEXT ? "text-model" : "speech-model";

	return bk_setting(be, key, be->model);
}

/* Without modality=, what the models named make: a model per modality,
 * else guessed from the one model's name (dall-e-*, gpt-image-*: images;
 * tts-*, *-tts: speech; anything else: text). */
static unsigned guess_modalities(const struct backend *be)
{
	unsigned mask = 0;
	const char *m = be->model;

	if (bk_setting(be, "image-model", NULL))
		mask |= 1u << LB_IMAGE;
	if (bk_setting(be, "text-model", NULL))
		mask |= 1u << LB_TEXT;
	if (bk_setting(be, "speech-model", NULL))
		mask |= 1u << LB_AUDIO;
	if (*m == '\0')
		return mask;
	if (strncmp(m, "dall-e", 6) == 0 || strstr(m, "image"))
		mask |= 1u << LB_IMAGE;
	else if (strncmp(m, "tts", 3) == 0 || strstr(m, "-tts"))
		mask |= 1u << LB_AUDIO;
	else
		mask |= 1u << LB_TEXT;
	return mask;
}

static int openai_configure(struct backend *be, char **err)
{
	int m;

	if (!be->modality_set)
		be->modalities = guess_modalities(be);
	if (be->modalities == 0) {
		*err = xstrdup("no model — add model=, e.g. model=gpt-image-1 (and modality= if the name does not say "
			       "what it makes)");
		return -1;
	}

	for (m = LB_IMAGE; m <= LB_AUDIO; m++) {
		if ((be->modalities & (1u << m)) && *model_for(be, m) == '\0') {
			*err = xasprintf("no model for %s — add model= (or %s=), e.g. model=%s", lb_modality_name(m),
					 m == LB_IMAGE ? "image-model" : m == LB_TEXT ? "text-model" : "speech-model",
					 m == LB_IMAGE ? "gpt-image-1" : m == LB_TEXT ? "gpt-4o-mini" : "gpt-4o-mini-tts");
			return -1;
		}
	}
	if (json_object_get(be->settings, "speech-format")) {
		const char *f = bk_setting(be, "speech-format", "");
		if (strcmp(f, "mp3") && strcmp(f, "opus") && strcmp(f, "aac") && strcmp(f, "flac") && strcmp(f, "wav")) {
			*err = xstrdup("speech-format takes mp3, opus, aac, flac or wav");
			return -1;
		}
	}
	return 0;
}

static int openai_can_vary(const struct backend *be, int modality)
{
	(void)be;
	return modality == LB_IMAGE || modality == LB_TEXT;
}

static int is_dalle(const char *model)
{
	return strncmp(model, "dall-e", 6) == 0;
}

static char *size_of(struct bk_call *c)
{
	if (bk_str(c, "size", NULL))
		return xstrdup(bk_str(c, "size", NULL));
	if (bk_has(c, "width") && bk_has(c, "height"))
		return xasprintf("%lldx%lld", bk_int(c, "width", 1024), bk_int(c, "height", 1024));
	return NULL;
}

static int batch_of(struct bk_call *c)
{
	const char *m = model_for(c->be, LB_IMAGE);
	int b = (int)bk_int(c, "batch", strcmp(m, "dall-e-3") == 0 ? 1 : 10);
	int left = c->count - (int)c->nout;

	return left < b ? left : b;
}

static void image_request(struct bk_call *c)
{
	const char *m = model_for(c->be, LB_IMAGE), *q = bk_str(c, "quality", NULL),
		   *of = bk_str(c, "output-format", NULL), *bg = bk_str(c, "background", NULL);
	char *size = size_of(c), nbuf[16];
	int n = batch_of(c);
	struct bk_req *r;

	if (c->has_parent && c->parent.path) {
		curl_mime *mime;
		curl_mimepart *part;

		r = bk_req_new(c, "POST", "/images/edits", R_EDIT, n);
		if (r == NULL)
			goto out;
		mime = bk_req_mime(r);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "image");
		curl_mime_filedata(part, c->parent.path);
		curl_mime_filename(part, c->parent.media_type && strcmp(c->parent.media_type, "image/jpeg") == 0
						 ? "image.jpg"
					 : c->parent.media_type && strcmp(c->parent.media_type, "image/webp") == 0
						 ? "image.webp"
						 : "image.png");
		curl_mime_type(part, c->parent.media_type && *c->parent.media_type ? c->parent.media_type : "image/png");
		snprintf(nbuf, sizeof nbuf, "%d", n);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "prompt");
		curl_mime_data(part, c->prompt, CURL_ZERO_TERMINATED);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "model");
		curl_mime_data(part, m, CURL_ZERO_TERMINATED);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "n");
		curl_mime_data(part, nbuf, CURL_ZERO_TERMINATED);
		if (size) {
			part = curl_mime_addpart(mime);
			curl_mime_name(part, "size");
			curl_mime_data(part, size, CURL_ZERO_TERMINATED);
		}
		if (q) {
			part = curl_mime_addpart(mime);
			curl_mime_name(part, "quality");
			curl_mime_data(part, q, CURL_ZERO_TERMINATED);
		}
		if (is_dalle(m)) {
			part = curl_mime_addpart(mime);
			curl_mime_name(part, "response_format");
			curl_mime_data(part, "b64_json", CURL_ZERO_TERMINATED);
		}
	} else {
		json_t *body = json_pack("{s:s, s:s, s:i}", "model", m, "prompt", c->prompt, "n", n);

		r = bk_req_new(c, "POST", "/images/generations", R_GENERATE, n);
		if (r == NULL) {
			json_decref(body);
			goto out;
		}
		if (size)
			json_object_set_new(body, "size", json_string(size));
		if (q)
			json_object_set_new(body, "quality", json_string(q));
		if (of)
			json_object_set_new(body, "output_format", json_string(of));
		if (bg)
			json_object_set_new(body, "background", json_string(bg));
		if (is_dalle(m))
			json_object_set_new(body, "response_format", json_string("b64_json"));
		bk_req_json(r, body);
	}
out:
	free(size);
}

static void chat_request(struct bk_call *c)
{
	const char *sys = bk_str(c, "system", NULL);
	json_t *msgs = json_array(), *body;
	char *text = bk_text_prompt(c);
	struct bk_req *r;
	int i = (int)c->nout;

	if (sys)
		json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "system", "content", sys));
	if (c->has_parent && c->parent.body) {
		char *v = xasprintf("Write a variation of the text below: keep what it is for, change the "
				    "wording. Reply with the new text only.\n\nText:\n%s\n\nBrief:\n%s",
				    c->parent.body, text);
		free(text);
		text = v;
	}
	json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "user", "content", text));
	free(text);
	body = json_pack("{s:s, s:o, s:I}", "model", model_for(c->be, LB_TEXT), "messages", msgs, "seed",
			 (json_int_t)bk_seed(c, i));
	if (bk_has(c, "temperature"))
		json_object_set_new(body, "temperature", json_real(bk_num(c, "temperature", 1)));
	if (bk_has(c, "max-tokens"))
		json_object_set_new(body, "max_completion_tokens", json_integer(bk_int(c, "max-tokens", 256)));
	r = bk_req_new(c, "POST", "/chat/completions", R_CHAT, i);
	if (r) {
		bk_req_json(r, body);
		bk_req_spill(r);
	} else {
		json_decref(body);
	}
}

static void speech_request(struct bk_call *c)
{
	json_t *body;
	struct bk_req *r;

	if (strlen(c->prompt) > 4096) {
		bk_fail(c, "speech input is at most 4096 characters; this prompt has %zu", strlen(c->prompt));
		return;
	}
	if (*c->prompt == '\0') {
		bk_fail(c, "the brief's prompt is empty: there is nothing to speak");
		return;
	}
	body = json_pack("{s:s, s:s, s:s, s:s}", "model", model_for(c->be, LB_AUDIO), "input", c->prompt, "voice",
			 bk_str(c, "voice", "alloy"), "response_format", bk_str(c, "speech-format", "mp3"));
	if (bk_has(c, "speed"))
		json_object_set_new(body, "speed", json_real(bk_num(c, "speed", 1)));
	r = bk_req_new(c, "POST", "/audio/speech", R_SPEECH, (int)c->nout);
	if (r)
		bk_req_json(r, body);
	else
		json_decref(body);
}

static void next_request(struct bk_call *c)
{
	if ((int)c->nout >= c->count) {
		bk_finish(c);
		return;
	}
	bk_progress(c, (double)c->nout / c->count);
	if (c->modality == LB_IMAGE)
		image_request(c);
	else if (c->modality == LB_TEXT)
		chat_request(c);
	else if (c->modality == LB_AUDIO)
		speech_request(c);
	else
		bk_fail(c, "openai makes no %s", lb_modality_name(c->modality));
}

static void openai_start(struct bk_call *c)
{
	next_request(c);
}

static json_t *image_params(const json_t *reply, const json_t *item)
{
	json_t *p = json_object();
	const char *keys[] = { "size", "quality", "output_format", "background" };
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_is_string(json_object_get(reply, keys[i])))
			json_object_set(p, keys[i], json_object_get(reply, keys[i]));
	if (json_is_string(json_object_get(item, "revised_prompt")))
		json_object_set(p, "revised_prompt", json_object_get(item, "revised_prompt"));
	return p;
}

static void images_reply(struct bk_call *c, struct bk_req *req)
{
	json_t *j = bk_req_parse_json(c, req), *data;
	const char *m = model_for(c->be, LB_IMAGE);
	size_t i, before = c->nout;
	int pending = 0;

	if (j == NULL)
		return;
	data = json_object_get(j, "data");
	if (!json_is_array(data) || json_array_size(data) == 0) {
		bk_fail(c, "%s: the reply has no images (no data[])", req->what);
		json_decref(j);
		return;
	}
	for (i = 0; i < json_array_size(data) && (int)(c->nout + (size_t)pending) < c->count; i++) {
		const json_t *it = json_array_get(data, i), *b64 = json_object_get(it, "b64_json");
		const char *url = json_string_value(json_object_get(it, "url"));

		if (json_is_string(b64)) {
			if (bk_out_b64_image(c, json_string_value(b64), json_string_length(b64), 0, 0, m,
					     image_params(j, it)) < 0)
				break;
		} else if (url && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0)) {
			/* URLs expire (60 minutes): fetch now, without the key. */
			bk_req_new_url(c, url, R_DOWNLOAD, (int)i);
			pending++;
		} else {
			bk_fail(c, "%s: data[%zu] has neither b64_json nor an http(s) url", req->what, i);
			break;
		}
	}
	json_decref(j);
	if (c->status != BK_RUNNING || pending)
		return;
	if (c->nout == before) {
		bk_fail(c, "%s: the reply made no image", req->what);
		return;
	}
	next_request(c);
}

static void chat_reply(struct bk_call *c, struct bk_req *req)
{
	json_t *j = bk_req_parse_json(c, req), *msg;
	const char *text, *refusal, *model;
	struct bk_sink *big;

	if (j == NULL)
		return;
	msg = json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message");
	text = json_string_value(json_object_get(msg, "content"));
	big = bk_req_sink(req, json_object_get(msg, "content"));
	refusal = json_string_value(json_object_get(msg, "refusal"));
	model = json_string_value(json_object_get(j, "model"));
	if (text == NULL) {
		if (refusal)
			bk_fail(c, "the model refused: %s", refusal);
		else
			bk_fail(c, "%s: the reply has no choices[0].message.content", req->what);
	} else {
		const char *fr = json_string_value(json_object_get(json_array_get(json_object_get(j, "choices"), 0),
								   "finish_reason"));
		json_t *p = fr ? json_pack("{s:s}", "finish_reason", fr) : json_object();
		const char *m = model ? model : model_for(c->be, LB_TEXT);
		int64_t seed = bk_seed(c, req->index);
		int rc = big ? bk_out_text_sink(c, big, "the model's reply", 1, seed, m, p)
			     : bk_out_text(c, text, 1, seed, m, p);
		if (rc == 0)
			next_request(c);
	}
	json_decref(j);
}

static void speech_reply(struct bk_call *c, struct bk_req *req)
{
	unsigned char *data;
	size_t len = req->reply.len;

	if (strstr(req->ctype, "json") || strncmp(req->ctype, "text/", 5) == 0) {
		char *m = bk_body_error(req->ctype, req->reply.s, req->reply.len);
		bk_fail(c, "%s: expected audio but the server sent %s%s%s", req->what, req->ctype, m ? ": " : "",
			m ? m : "");
		free(m);
		return;
	}
	data = (unsigned char *)sb_steal(&req->reply);
	if (bk_out_audio(c, data, len, 0, 0, model_for(c->be, LB_AUDIO),
			 json_pack("{s:s, s:s}", "voice", bk_str(c, "voice", "alloy"), "speech_format",
				   bk_str(c, "speech-format", "mp3"))) == 0)
		next_request(c);
}

static void download_reply(struct bk_call *c, struct bk_req *req)
{
	size_t len = req->reply.len;
	unsigned char *data = (unsigned char *)sb_steal(&req->reply);
	json_t *p = json_pack("{s:s}", "fetched", "url");
	size_t i;

	if (bk_out_image(c, data, len, 0, 0, model_for(c->be, LB_IMAGE), p) < 0)
		return;
	for (i = 0; i < c->nreqs; i++)
		if (c->reqs[i]->kind == R_DOWNLOAD)
			return;
	next_request(c);
}

static void openai_reply(struct bk_call *c, struct bk_req *req)
{
	switch (req->kind) {
	case R_GENERATE:
	case R_EDIT: images_reply(c, req); break;
	case R_CHAT: chat_reply(c, req); break;
	case R_SPEECH: speech_reply(c, req); break;
	case R_DOWNLOAD: download_reply(c, req); break;
	default: break;
	}
}

static void openai_check(struct bk_call *c)
{
	bk_req_new(c, "GET", "/models", R_MODELS, 0);
}

static int openai_check_reply(struct bk_call *c, struct bk_req *req, char **msg)
{
	json_t *j = bk_req_parse_json(c, req), *data;
	size_t i, n;
	int found = 0, m;
	struct sbuf missing;

	if (j == NULL) {
		*msg = xstrdup(c->error);
		return 0;
	}
	data = json_object_get(j, "data");
	n = json_array_size(data);
	sb_init(&missing);
	for (m = LB_IMAGE; m <= LB_AUDIO; m++) {
		const char *want = model_for(c->be, m);
		int have = 0;

		if (!(c->be->modalities & (1u << m)) || !*want)
			continue;
		for (i = 0; i < n; i++)
			if (json_string_value(json_object_get(json_array_get(data, i), "id")) &&
			    strcmp(json_string_value(json_object_get(json_array_get(data, i), "id")), want) == 0)
				have = 1;
		if (have)
			found++;
		else if (!strstr(missing.s, want))
			sb_addf(&missing, "%s%s", missing.len ? ", " : "", want);
	}
	*msg = missing.len ? xasprintf("answers (%zu models) but does not list %s", n, missing.s)
			   : xasprintf("ok: %zu models listed", n);
	m = missing.len == 0;
	sb_free(&missing);
	json_decref(j);
	return m;
}

const struct bk_ops bk_openai_ops = {
	.type = "openai",
	.params = params,
	.settings = settings,
	.can_make = 1u << LB_IMAGE | 1u << LB_TEXT | 1u << LB_AUDIO,
	.default_make = 1u << LB_IMAGE | 1u << LB_TEXT | 1u << LB_AUDIO,
	.caps = BACKEND_CAP_SEED | BACKEND_CAP_COUNT | BACKEND_CAP_INIT_IMAGE,
	.needs_url = 1,
	.auth = BK_AUTH_BEARER,
	.default_concurrency = 2,
	.default_timeout = 300,
	.configure = openai_configure,
	.can_vary = openai_can_vary,
	.start = openai_start,
	.reply = openai_reply,
	.check = openai_check,
	.check_reply = openai_check_reply,
};
