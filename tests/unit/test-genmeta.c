/*
 * test-genmeta.c - unit tests of media/'s metadata readers: PNG text
 * chunks, JPEG/WebP EXIF, and the recovery of generation parameters.
 *
 * The test writes its own files at run time, byte for byte as the tools
 * do (the chunk stream and CRCs written here, with zlib):
 *  - Pillow's PngInfo.add_text, which AUTOMATIC1111 and ComfyUI both use,
 *    writes tEXt when the value encodes as Latin-1, else an uncompressed
 *    iTXt with empty language and translated keyword; with zip=True a
 *    zTXt, or a compressed iTXt (python-pillow/Pillow:
 *    src/PIL/PngImagePlugin.py, PngInfo.add_text / add_itxt).
 *  - AUTOMATIC1111 puts create_infotext()'s text under "parameters"
 *    (AUTOMATIC1111/stable-diffusion-webui: modules/images.py,
 *    save_image_with_geninfo; modules/processing.py, create_infotext:
 *    prompt, "\nNegative prompt: ..." only when there is one, "\n", the
 *    settings joined by ", " with values holding ',' ':' or newlines
 *    written as JSON strings; the whole stripped); for JPEG and WebP it
 *    writes EXIF UserComment as piexif's "UNICODE\0" + UTF-16BE
 *    (modules/images.py, exif_bytes).
 *  - ComfyUI's SaveImage adds "prompt" = json.dumps(prompt) and, per key
 *    of extra_pnginfo, "workflow" = json.dumps(workflow)
 *    (comfyanonymous/ComfyUI: nodes.py, SaveImage.save_images), so the
 *    JSON below is in Python's json.dumps form: ", " and ": " separators,
 *    non-ASCII escaped as \uXXXX.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>
#include <zlib.h>

#include "media/media.h"
#include "util.h"

/* ---------------------------------------------------------------- writing files */

static void put32(struct sbuf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
	                      (unsigned char)(v >> 8), (unsigned char)v};

	sb_add(b, x, 4);
}

static void chunk(struct sbuf *png, const char *type, const void *data, size_t n)
{
	uint32_t crc = (uint32_t)crc32(0L, (const unsigned char *)type, 4);

	crc = (uint32_t)crc32(crc, data, (uInt)n);
	put32(png, (uint32_t)n);
	sb_add(png, type, 4);
	sb_add(png, data, n);
	put32(png, crc);
}

static void zcompress(struct sbuf *out, const void *data, size_t n)
{
	uLongf cap = compressBound((uLong)n);
	unsigned char *buf = xmalloc(cap);

	assert_int_equal(compress2(buf, &cap, data, (uLong)n, 6), Z_OK);
	sb_add(out, buf, cap);
	free(buf);
}

/* UTF-8 to Latin-1; -1 when a code point is above U+00FF. */
static int to_latin1(const char *s, struct sbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p < 0x80) {
			sb_addc(out, (char)*p);
		} else if ((*p == 0xc2 || *p == 0xc3) && (p[1] & 0xc0) == 0x80) {
			sb_addc(out, (char)(((*p & 0x1f) << 6) | (p[1] & 0x3f)));
			p++;
		} else {
			return -1;
		}
	}
	return 0;
}

/* As Pillow's PngInfo.add_text(key, value, zip). */
static void pil_add_text(struct sbuf *png, const char *key, const char *value, int zip)
{
	struct sbuf body, lat;

	sb_init(&body);
	sb_init(&lat);
	sb_add(&body, key, strlen(key) + 1);
	if (to_latin1(value, &lat) == 0) {
		if (zip) {
			sb_addc(&body, 0);
			zcompress(&body, lat.s, lat.len);
			chunk(png, "zTXt", body.s, body.len);
		} else {
			sb_add(&body, lat.s, lat.len);
			chunk(png, "tEXt", body.s, body.len);
		}
	} else {
		sb_add(&body, zip ? "\1\0" : "\0\0", 2);
		sb_add(&body, "\0\0", 2); /* empty language tag and translated keyword */
		if (zip)
			zcompress(&body, value, strlen(value));
		else
			sb_adds(&body, value);
		chunk(png, "iTXt", body.s, body.len);
	}
	sb_free(&body);
	sb_free(&lat);
}

static void png_start(struct sbuf *png)
{
	static const unsigned char ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0};

	sb_init(png);
	sb_add(png, "\x89PNG\r\n\x1a\n", 8);
	chunk(png, "IHDR", ihdr, sizeof ihdr);
}

static void png_finish(struct sbuf *png)
{
	static const unsigned char row[4] = {0, 200, 100, 50};
	struct sbuf z;

	sb_init(&z);
	zcompress(&z, row, sizeof row);
	chunk(png, "IDAT", z.s, z.len);
	chunk(png, "IEND", "", 0);
	sb_free(&z);
}

static char tmpdir[64];

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *write_tmp(const char *name, const void *data, size_t n)
{
	char *p = tmp_path(name);

	assert_int_equal(util_write_atomic(p, data, n), 0);
	return p;
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/lb-genmeta-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc;

	(void)state;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- checking results */

static json_t *params_of(const struct media_genmeta *m)
{
	json_error_t e;
	json_t *p = json_loads(m->params_json, 0, &e);

	assert_non_null(p);
	assert_true(json_is_object(p));
	return p;
}

static void param_int(const struct media_genmeta *m, const char *k, long long want)
{
	json_t *p = params_of(m), *v = json_object_get(p, k);

	if (!json_is_integer(v))
		fail_msg("param %s is not an integer in %s", k, m->params_json);
	assert_int_equal(json_integer_value(v), want);
	json_decref(p);
}

static void param_num(const struct media_genmeta *m, const char *k, double want)
{
	json_t *p = params_of(m), *v = json_object_get(p, k);

	if (!json_is_number(v))
		fail_msg("param %s is not a number in %s", k, m->params_json);
	assert_float_equal(json_number_value(v), want, 1e-9);
	json_decref(p);
}

static void param_str(const struct media_genmeta *m, const char *k, const char *want)
{
	json_t *p = params_of(m), *v = json_object_get(p, k);

	if (!json_is_string(v))
		fail_msg("param %s is not a string in %s", k, m->params_json);
	assert_string_equal(json_string_value(v), want);
	json_decref(p);
}

static void param_absent(const struct media_genmeta *m, const char *k)
{
	json_t *p = params_of(m);

	if (json_object_get(p, k))
		fail_msg("param %s should be absent in %s", k, m->params_json);
	json_decref(p);
}

static int has_note(const char **notes, size_t n, const char *part)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(notes[i], part))
			return 1;
	return 0;
}

static void note_has(const struct media_genmeta *m, const char *part)
{
	if (!has_note((const char **)m->notes, m->n_notes, part)) {
		size_t i;

		for (i = 0; i < m->n_notes; i++)
			print_message("note: %s\n", m->notes[i]);
		fail_msg("no note says \"%s\"", part);
	}
}

static void tnote_has(const struct media_png_text *t, const char *part)
{
	if (!has_note((const char **)t->notes, t->n_notes, part)) {
		size_t i;

		for (i = 0; i < t->n_notes; i++)
			print_message("note: %s\n", t->notes[i]);
		fail_msg("no note says \"%s\"", part);
	}
}

static struct media_genmeta *from_file(const char *path)
{
	struct media_genmeta *m = NULL;
	char *err = NULL;

	if (media_genmeta_from_file(path, 0, &m, &err) < 0)
		fail_msg("%s", err);
	assert_non_null(m);
	return m;
}

/* ---------------------------------------------------------------- A1111 */

/* create_infotext's layout. */
static char *infotext(const char *prompt, const char *neg, const char *settings)
{
	return xasprintf("%s%s%s\n%s", prompt, neg && *neg ? "\nNegative prompt: " : "",
	                 neg && *neg ? neg : "", settings);
}

static const char a1111_prompt[] = "masterpiece, caf\xc3\xa9 terrace at "
                                   "night,\n<lora:add_detail:0.8>, (starry sky:1.2)\n\nthird line";
static const char a1111_neg[] = "lowres, bad anatomy\nsecond negative line";
static const char a1111_settings[] =
        "Steps: 28, Sampler: DPM++ 2M SDE, Schedule type: Karras, CFG scale: 6.5, "
        "Seed: 4075203362, Size: 832x1216, Model hash: 7f96a1a9ca, Model: animagineXL_v31, "
        "Denoising strength: 0.45, Clip skip: 2, Hires upscale: 1.5, "
        "Hires upscaler: R-ESRGAN 4x+ Anime6B, "
        "Lora hashes: \"add_detail: 7c6bad76eb54, more_details: 3b8aa1d351ef\", "
        "ADetailer prompt: \"face, \\\"smile\\\"\\nsecond line\", Version: v1.10.1";

static void check_a1111(const struct media_genmeta *m)
{
	json_t *p, *l;

	assert_string_equal(m->tool, "AUTOMATIC1111");
	assert_string_equal(m->tool_version, "v1.10.1");
	assert_string_equal(m->prompt, a1111_prompt);
	assert_string_equal(m->negative_prompt, a1111_neg);
	assert_true(m->has_seed);
	assert_int_equal(m->seed, 4075203362LL);
	assert_string_equal(m->model, "animagineXL_v31");
	assert_string_equal(m->model_hash, "7f96a1a9ca");
	param_int(m, "steps", 28);
	param_str(m, "sampler", "DPM++ 2M SDE");
	param_str(m, "scheduler", "Karras");
	param_num(m, "cfg_scale", 6.5);
	param_int(m, "width", 832);
	param_int(m, "height", 1216);
	param_str(m, "size", "832x1216");
	param_num(m, "denoise", 0.45);
	param_int(m, "clip_skip", 2);
	param_num(m, "Hires upscale", 1.5);
	param_str(m, "Hires upscaler", "R-ESRGAN 4x+ Anime6B");
	param_str(m, "Lora hashes", "add_detail: 7c6bad76eb54, more_details: 3b8aa1d351ef");
	param_str(m, "ADetailer prompt", "face, \"smile\"\nsecond line");
	param_str(m, "Version", "v1.10.1");
	param_absent(m, "Seed");
	param_absent(m, "Steps");
	p = params_of(m);
	l = json_object_get(p, "loras");
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "name")),
	                    "add_detail");
	assert_float_equal(json_number_value(json_object_get(json_array_get(l, 0), "weight")), 0.8,
	                   1e-9);
	json_decref(p);
	assert_non_null(m->raw);
	assert_null(m->workflow);
}

static void a1111_text_chunk(void **state)
{
	struct sbuf png;
	struct media_png_text *t = NULL;
	struct media_genmeta *m;
	char *info = infotext(a1111_prompt, a1111_neg, a1111_settings), *path, *err = NULL;

	(void)state;
	png_start(&png);
	pil_add_text(&png, "parameters", info, 0);
	png_finish(&png);
	path = write_tmp("a1111.png", png.s, png.len);

	/* Latin-1 text: a tEXt chunk, whose 0xE9 byte comes back as UTF-8. */
	assert_int_equal(media_png_text_read_file(path, NULL, &t, &err), 0);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->items[0].kind, MEDIA_TEXT_TEXT);
	assert_string_equal(t->items[0].key, "parameters");
	assert_string_equal(t->items[0].text, info);
	assert_int_equal(t->n_notes, 0);
	media_png_text_free(&t);
	assert_null(t);

	m = from_file(path);
	check_a1111(m);
	assert_string_equal(m->source, "PNG tEXt \"parameters\"");
	assert_string_equal(m->raw, info);
	media_genmeta_free(&m);
	assert_null(m);

	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	check_a1111(m);
	media_genmeta_free(&m);
	free(path);
	free(info);
	sb_free(&png);
}

static void a1111_itxt_and_ztxt(void **state)
{
	static const char jp_prompt[] =
	        "1girl, \xe6\xa1\x9c\xe3\x81\xae\xe6\x9c\xa8, \xf0\x9f\x8c\xb8 petals";
	struct sbuf png;
	struct media_png_text *t = NULL;
	struct media_genmeta *m;
	char *info, *path, *err = NULL;
	int zip;

	(void)state;
	info = infotext(jp_prompt, "",
	                "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, "
	                "Size: 512x512, Model: x, Version: v1.6.0");
	for (zip = 0; zip < 2; zip++) {
		png_start(&png);
		pil_add_text(&png, "parameters", info, zip);
		png_finish(&png);
		path = write_tmp(zip ? "itxt-z.png" : "itxt.png", png.s, png.len);
		assert_int_equal(media_png_text_read_file(path, NULL, &t, &err), 0);
		assert_int_equal(t->n, 1);
		assert_int_equal(t->items[0].kind, MEDIA_TEXT_ITXT);
		assert_int_equal(t->items[0].compressed, zip);
		assert_null(t->items[0].lang);
		assert_null(t->items[0].translated_key);
		media_png_text_free(&t);
		m = from_file(path);
		assert_string_equal(m->tool, "AUTOMATIC1111");
		assert_string_equal(m->prompt, jp_prompt);
		assert_null(m->negative_prompt); /* no "Negative prompt:" line at all */
		assert_int_equal(m->seed, 1);
		param_str(m, "sampler", "Euler a");
		param_absent(m, "scheduler");
		param_int(m, "cfg_scale", 7);
		assert_string_equal(m->source, "PNG iTXt \"parameters\"");
		media_genmeta_free(&m);
		free(path);
		sb_free(&png);
	}
	free(info);

	/* Latin-1 with zip=True: zTXt. */
	info = infotext("a red fox", "blurry",
	                "Steps: 9, Sampler: Euler, Seed: 77, Size: 64x64, "
	                "Version: f2.0.1v1.10.1-previous-669-gdfdcbab6");
	png_start(&png);
	pil_add_text(&png, "parameters", info, 1);
	png_finish(&png);
	path = write_tmp("ztxt.png", png.s, png.len);
	assert_int_equal(media_png_text_read_file(path, NULL, &t, &err), 0);
	assert_int_equal(t->items[0].kind, MEDIA_TEXT_ZTXT);
	assert_string_equal(t->items[0].text, info);
	media_png_text_free(&t);
	m = from_file(path);
	assert_string_equal(m->tool, "Forge");
	assert_string_equal(m->prompt, "a red fox");
	assert_string_equal(m->negative_prompt, "blurry");
	assert_string_equal(m->source, "PNG zTXt \"parameters\"");
	param_int(m, "steps", 9);
	media_genmeta_free(&m);
	free(path);
	free(info);
	sb_free(&png);
}

static void a1111_text_forms(void **state)
{
	struct media_genmeta *m;
	const char *s;

	(void)state;
	/* CRLF, blank lines, a trailing Dynamic Prompts template, SD.Next. */
	s = "line one\r\nline two\r\n\r\nNegative prompt: ugly,\r\nbad\r\n"
	    "Steps: 30, Sampler: UniPC, Seed: -5, App: SD.Next, Version: 3c1a2b4\r\n"
	    "Template: a {red|blue} car\r\nNegative Template: ugly";
	m = media_genmeta_parse_a1111(s, strlen(s));
	assert_string_equal(m->tool, "SD.Next");
	assert_string_equal(m->tool_version, "3c1a2b4");
	assert_string_equal(m->prompt, "line one\nline two");
	assert_string_equal(m->negative_prompt, "ugly,\nbad");
	assert_int_equal(m->seed, -5);
	param_str(m, "Template", "a {red|blue} car");
	param_str(m, "Negative Template", "ugly");
	param_str(m, "App", "SD.Next");
	media_genmeta_free(&m);

	/* A prompt alone (a .txt with no settings): no tool, a note. */
	s = "just a prompt, with: colons, in: it";
	m = media_genmeta_parse_a1111(s, strlen(s));
	assert_null(m->tool);
	assert_string_equal(m->prompt, s);
	assert_null(m->negative_prompt);
	assert_false(m->has_seed);
	note_has(m, "no settings line");
	media_genmeta_free(&m);

	/* Settings alone, no version: an empty prompt, "A1111-style", a note. */
	s = "Steps: 5, Sampler: Euler, CFG scale: 3";
	m = media_genmeta_parse_a1111(s, strlen(s));
	assert_string_equal(m->tool, "A1111-style");
	assert_string_equal(m->prompt, "");
	note_has(m, "without a Version field");
	param_int(m, "steps", 5);
	media_genmeta_free(&m);

	/* An empty negative prompt line; a seed too big for 64 bits. */
	s = "p\nNegative prompt: \nSteps: 5, Seed: 99999999999999999999, Size: 5x"
	    ", Version: v1.0.0";
	m = media_genmeta_parse_a1111(s, strlen(s));
	assert_string_equal(m->negative_prompt, "");
	assert_false(m->has_seed);
	param_str(m, "seed", "99999999999999999999");
	param_str(m, "size", "5x");
	param_absent(m, "width");
	note_has(m, "outside the 64-bit range");
	media_genmeta_free(&m);

	/* Civitai's raw JSON values stay whole. */
	s = "p\nSteps: 5, Sampler: Euler, Civitai resources: [{\"type\":\"checkpoint\",\"id\":1},"
	    "{\"type\":\"lora\",\"weight\":0.5}], Civitai metadata: {}, Seed: 9";
	m = media_genmeta_parse_a1111(s, strlen(s));
	assert_int_equal(m->seed, 9);
	{
		json_t *p = params_of(m), *r = json_object_get(p, "Civitai resources");

		assert_int_equal(json_array_size(r), 2);
		assert_string_equal(
		        json_string_value(json_object_get(json_array_get(r, 1), "type")), "lora");
		assert_true(json_is_object(json_object_get(p, "Civitai metadata")));
		json_decref(p);
	}
	media_genmeta_free(&m);

	/* Empty text. */
	m = media_genmeta_parse_a1111(" \n\t", 3);
	assert_false(media_genmeta_found(m));
	media_genmeta_free(&m);
}

/* ---------------------------------------------------------------- ComfyUI */

/* The default text-to-image graph with a LoRA, as the API prompt. */
static const char comfy_prompt[] =
        "{\"3\": {\"inputs\": {\"seed\": 156680208700286, \"steps\": 20, \"cfg\": 8.0, "
        "\"sampler_name\": \"euler\", \"scheduler\": \"normal\", \"denoise\": 1.0, "
        "\"model\": [\"10\", 0], \"positive\": [\"6\", 0], \"negative\": [\"7\", 0], "
        "\"latent_image\": [\"5\", 0]}, \"class_type\": \"KSampler\", "
        "\"_meta\": {\"title\": \"KSampler\"}}, "
        "\"4\": {\"inputs\": {\"ckpt_name\": \"v1-5-pruned-emaonly.safetensors\"}, "
        "\"class_type\": \"CheckpointLoaderSimple\", \"_meta\": {\"title\": \"Load Checkpoint\"}}, "
        "\"5\": {\"inputs\": {\"width\": 512, \"height\": 768, \"batch_size\": 1}, "
        "\"class_type\": \"EmptyLatentImage\", \"_meta\": {\"title\": \"Empty Latent Image\"}}, "
        "\"6\": {\"inputs\": {\"text\": \"beautiful scenery, caf\\u00e9, purple galaxy "
        "bottle,\\n\", "
        "\"clip\": [\"10\", 1]}, \"class_type\": \"CLIPTextEncode\", "
        "\"_meta\": {\"title\": \"CLIP Text Encode (Prompt)\"}}, "
        "\"7\": {\"inputs\": {\"text\": \"text, watermark\", \"clip\": [\"10\", 1]}, "
        "\"class_type\": \"CLIPTextEncode\", \"_meta\": {\"title\": \"CLIP Text Encode "
        "(Prompt)\"}}, "
        "\"8\": {\"inputs\": {\"samples\": [\"3\", 0], \"vae\": [\"4\", 2]}, "
        "\"class_type\": \"VAEDecode\", \"_meta\": {\"title\": \"VAE Decode\"}}, "
        "\"9\": {\"inputs\": {\"filename_prefix\": \"ComfyUI\", \"images\": [\"8\", 0]}, "
        "\"class_type\": \"SaveImage\", \"_meta\": {\"title\": \"Save Image\"}}, "
        "\"10\": {\"inputs\": {\"lora_name\": \"add_detail.safetensors\", \"strength_model\": "
        "0.75, "
        "\"strength_clip\": 1.0, \"model\": [\"4\", 0], \"clip\": [\"4\", 1]}, "
        "\"class_type\": \"LoraLoader\", \"_meta\": {\"title\": \"Load LoRA\"}}}";

/* The same graph as the editor saves it. */
static const char comfy_workflow[] =
        "{\"last_node_id\": 10, \"last_link_id\": 11, \"nodes\": ["
        "{\"id\": 3, \"type\": \"KSampler\", \"pos\": [863, 186], \"size\": [315, 262], "
        "\"flags\": {}, \"order\": 5, \"mode\": 0, \"inputs\": ["
        "{\"name\": \"model\", \"type\": \"MODEL\", \"link\": 3}, "
        "{\"name\": \"positive\", \"type\": \"CONDITIONING\", \"link\": 6}, "
        "{\"name\": \"negative\", \"type\": \"CONDITIONING\", \"link\": 7}, "
        "{\"name\": \"latent_image\", \"type\": \"LATENT\", \"link\": 8}], "
        "\"outputs\": [{\"name\": \"LATENT\", \"type\": \"LATENT\", \"links\": [9], "
        "\"slot_index\": 0}], "
        "\"properties\": {\"Node name for S&R\": \"KSampler\"}, "
        "\"widgets_values\": [156680208700286, \"randomize\", 20, 8, \"euler\", \"normal\", 1]}, "
        "{\"id\": 4, \"type\": \"CheckpointLoaderSimple\", \"pos\": [26, 474], \"size\": [315, "
        "98], "
        "\"flags\": {}, \"order\": 0, \"mode\": 0, \"inputs\": [], \"outputs\": ["
        "{\"name\": \"MODEL\", \"type\": \"MODEL\", \"links\": [1], \"slot_index\": 0}, "
        "{\"name\": \"CLIP\", \"type\": \"CLIP\", \"links\": [2], \"slot_index\": 1}, "
        "{\"name\": \"VAE\", \"type\": \"VAE\", \"links\": [10], \"slot_index\": 2}], "
        "\"properties\": {\"Node name for S&R\": \"CheckpointLoaderSimple\"}, "
        "\"widgets_values\": [\"v1-5-pruned-emaonly.safetensors\"]}, "
        "{\"id\": 5, \"type\": \"EmptyLatentImage\", \"pos\": [473, 609], \"size\": [315, 106], "
        "\"flags\": {}, \"order\": 1, \"mode\": 0, \"inputs\": [], \"outputs\": ["
        "{\"name\": \"LATENT\", \"type\": \"LATENT\", \"links\": [8], \"slot_index\": 0}], "
        "\"properties\": {\"Node name for S&R\": \"EmptyLatentImage\"}, "
        "\"widgets_values\": [512, 768, 1]}, "
        "{\"id\": 6, \"type\": \"CLIPTextEncode\", \"pos\": [415, 186], \"size\": [422, 164], "
        "\"flags\": {}, \"order\": 3, \"mode\": 0, \"inputs\": ["
        "{\"name\": \"clip\", \"type\": \"CLIP\", \"link\": 4}], \"outputs\": ["
        "{\"name\": \"CONDITIONING\", \"type\": \"CONDITIONING\", \"links\": [6], \"slot_index\": "
        "0}], "
        "\"properties\": {\"Node name for S&R\": \"CLIPTextEncode\"}, "
        "\"widgets_values\": [\"beautiful scenery, caf\\u00e9, purple galaxy bottle,\\n\"]}, "
        "{\"id\": 7, \"type\": \"CLIPTextEncode\", \"pos\": [413, 389], \"size\": [425, 180], "
        "\"flags\": {}, \"order\": 4, \"mode\": 0, \"inputs\": ["
        "{\"name\": \"clip\", \"type\": \"CLIP\", \"link\": 5}], \"outputs\": ["
        "{\"name\": \"CONDITIONING\", \"type\": \"CONDITIONING\", \"links\": [7], \"slot_index\": "
        "0}], "
        "\"properties\": {\"Node name for S&R\": \"CLIPTextEncode\"}, "
        "\"widgets_values\": [\"text, watermark\"]}, "
        "{\"id\": 8, \"type\": \"VAEDecode\", \"pos\": [1209, 188], \"size\": [210, 46], "
        "\"flags\": {}, \"order\": 6, \"mode\": 0, \"inputs\": ["
        "{\"name\": \"samples\", \"type\": \"LATENT\", \"link\": 9}, "
        "{\"name\": \"vae\", \"type\": \"VAE\", \"link\": 10}], \"outputs\": ["
        "{\"name\": \"IMAGE\", \"type\": \"IMAGE\", \"links\": [11], \"slot_index\": 0}], "
        "\"properties\": {\"Node name for S&R\": \"VAEDecode\"}}, "
        "{\"id\": 9, \"type\": \"SaveImage\", \"pos\": [1451, 189], \"size\": [210, 270], "
        "\"flags\": {}, \"order\": 7, \"mode\": 0, \"inputs\": ["
        "{\"name\": \"images\", \"type\": \"IMAGE\", \"link\": 11}], \"outputs\": [], "
        "\"properties\": {}, \"widgets_values\": [\"ComfyUI\"]}, "
        "{\"id\": 10, \"type\": \"LoraLoader\", \"pos\": [100, 200], \"size\": [315, 126], "
        "\"flags\": {}, \"order\": 2, \"mode\": 0, \"inputs\": ["
        "{\"name\": \"model\", \"type\": \"MODEL\", \"link\": 1}, "
        "{\"name\": \"clip\", \"type\": \"CLIP\", \"link\": 2}], \"outputs\": ["
        "{\"name\": \"MODEL\", \"type\": \"MODEL\", \"links\": [3], \"slot_index\": 0}, "
        "{\"name\": \"CLIP\", \"type\": \"CLIP\", \"links\": [4, 5], \"slot_index\": 1}], "
        "\"properties\": {\"Node name for S&R\": \"LoraLoader\"}, "
        "\"widgets_values\": [\"add_detail.safetensors\", 0.75, 1]}], "
        "\"links\": [[1, 4, 0, 10, 0, \"MODEL\"], [2, 4, 1, 10, 1, \"CLIP\"], "
        "[3, 10, 0, 3, 0, \"MODEL\"], [4, 10, 1, 6, 0, \"CLIP\"], [5, 10, 1, 7, 0, \"CLIP\"], "
        "[6, 6, 0, 3, 1, \"CONDITIONING\"], [7, 7, 0, 3, 2, \"CONDITIONING\"], "
        "[8, 5, 0, 3, 3, \"LATENT\"], [9, 3, 0, 8, 0, \"LATENT\"], [10, 4, 2, 8, 1, \"VAE\"], "
        "[11, 8, 0, 9, 0, \"IMAGE\"]], \"groups\": [], \"config\": {}, "
        "\"extra\": {\"ds\": {\"scale\": 1.0, \"offset\": [0, 0]}}, \"version\": 0.4}";

static void check_comfy(const struct media_genmeta *m)
{
	json_t *p, *l;

	assert_string_equal(m->tool, "ComfyUI");
	assert_string_equal(m->prompt, "beautiful scenery, caf\xc3\xa9, purple galaxy bottle,");
	assert_string_equal(m->negative_prompt, "text, watermark");
	assert_true(m->has_seed);
	assert_int_equal(m->seed, 156680208700286LL);
	assert_string_equal(m->model, "v1-5-pruned-emaonly.safetensors");
	assert_null(m->model_hash);
	param_int(m, "steps", 20);
	param_num(m, "cfg_scale", 8);
	param_str(m, "sampler", "euler");
	param_str(m, "scheduler", "normal");
	param_num(m, "denoise", 1);
	param_int(m, "width", 512);
	param_int(m, "height", 768);
	param_str(m, "size", "512x768");
	param_str(m, "comfy_sampler_node", "KSampler");
	p = params_of(m);
	l = json_object_get(p, "loras");
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "name")),
	                    "add_detail.safetensors");
	assert_float_equal(json_number_value(json_object_get(json_array_get(l, 0), "weight")), 0.75,
	                   1e-9);
	json_decref(p);
}

static void comfy_prompt_and_workflow(void **state)
{
	struct sbuf png;
	struct media_genmeta *m;
	char *path;

	(void)state;
	png_start(&png);
	pil_add_text(&png, "prompt", comfy_prompt, 0);
	pil_add_text(&png, "workflow", comfy_workflow, 0);
	png_finish(&png);
	path = write_tmp("comfy.png", png.s, png.len);
	m = from_file(path);
	check_comfy(m);
	assert_string_equal(m->source, "PNG tEXt \"prompt\"");
	assert_string_equal(m->raw, comfy_prompt);
	assert_string_equal(m->workflow, comfy_workflow);
	media_genmeta_free(&m);
	free(path);
	sb_free(&png);

	/* Only the workflow: the same values from the editor's graph. */
	png_start(&png);
	pil_add_text(&png, "workflow", comfy_workflow, 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	check_comfy(m);
	assert_string_equal(m->source, "PNG tEXt \"workflow\"");
	note_has(m, "workflow graph");
	media_genmeta_free(&m);
	sb_free(&png);

	/* Garbage in "prompt": said, and the workflow used instead. */
	png_start(&png);
	pil_add_text(&png, "prompt", "{\"3\": {\"inputs\": {\"seed\": 1,, garbage", 0);
	pil_add_text(&png, "workflow", comfy_workflow, 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	check_comfy(m);
	note_has(m, "not valid JSON");
	note_has(m, "unusable");
	media_genmeta_free(&m);
	sb_free(&png);

	/* Garbage in both: nothing found, and notes say why. */
	png_start(&png);
	pil_add_text(&png, "prompt", "[1, 2, {\"class_type\": 5}]", 0);
	pil_add_text(&png, "workflow", "\x01\x02 not json at all", 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_false(media_genmeta_found(m));
	assert_null(m->tool);
	note_has(m, "unknown shape");
	note_has(m, "not valid JSON");
	media_genmeta_free(&m);
	sb_free(&png);
}

static void comfy_custom_sampler(void **state)
{
	/* Flux through SamplerCustomAdvanced: seed, sampler, scheduler and
	 * steps sit on the nodes that feed the sampler. */
	static const char g[] =
	        "{\"6\": {\"inputs\": {\"text\": \"a lighthouse in fog\", \"clip\": [\"11\", 0]}, "
	        "\"class_type\": \"CLIPTextEncode\"}, "
	        "\"8\": {\"inputs\": {\"samples\": [\"13\", 0], \"vae\": [\"10\", 0]}, "
	        "\"class_type\": \"VAEDecode\"}, "
	        "\"9\": {\"inputs\": {\"filename_prefix\": \"ComfyUI\", \"images\": [\"8\", 0]}, "
	        "\"class_type\": \"SaveImage\"}, "
	        "\"12\": {\"inputs\": {\"unet_name\": \"flux1-dev.safetensors\", "
	        "\"weight_dtype\": \"default\"}, \"class_type\": \"UNETLoader\"}, "
	        "\"13\": {\"inputs\": {\"noise\": [\"25\", 0], \"guider\": [\"22\", 0], "
	        "\"sampler\": [\"16\", 0], \"sigmas\": [\"17\", 0], \"latent_image\": [\"27\", "
	        "0]}, "
	        "\"class_type\": \"SamplerCustomAdvanced\"}, "
	        "\"16\": {\"inputs\": {\"sampler_name\": \"euler\"}, \"class_type\": "
	        "\"KSamplerSelect\"}, "
	        "\"17\": {\"inputs\": {\"scheduler\": \"simple\", \"steps\": 25, \"denoise\": 1.0, "
	        "\"model\": [\"12\", 0]}, \"class_type\": \"BasicScheduler\"}, "
	        "\"22\": {\"inputs\": {\"model\": [\"12\", 0], \"conditioning\": [\"26\", 0]}, "
	        "\"class_type\": \"BasicGuider\"}, "
	        "\"25\": {\"inputs\": {\"noise_seed\": 219670278747233}, \"class_type\": "
	        "\"RandomNoise\"}, "
	        "\"26\": {\"inputs\": {\"guidance\": 3.5, \"conditioning\": [\"6\", 0]}, "
	        "\"class_type\": \"FluxGuidance\"}, "
	        "\"27\": {\"inputs\": {\"width\": 1024, \"height\": 576, \"batch_size\": 1}, "
	        "\"class_type\": \"EmptySD3LatentImage\"}}";
	struct media_genmeta *m = media_genmeta_parse_json(g, strlen(g));

	(void)state;
	assert_string_equal(m->tool, "ComfyUI");
	assert_string_equal(m->prompt, "a lighthouse in fog");
	assert_null(m->negative_prompt);
	assert_int_equal(m->seed, 219670278747233LL);
	assert_string_equal(m->model, "flux1-dev.safetensors");
	param_str(m, "sampler", "euler");
	param_str(m, "scheduler", "simple");
	param_int(m, "steps", 25);
	param_num(m, "guidance", 3.5);
	param_str(m, "size", "1024x576");
	media_genmeta_free(&m);
}

static void comfy_hostile_graphs(void **state)
{
	/* A conditioning cycle, links to missing nodes, wrong types. */
	static const char g[] =
	        "{\"1\": {\"class_type\": \"KSampler\", \"inputs\": {\"seed\": \"x\", "
	        "\"positive\": [\"2\", 0], \"negative\": [\"99\", 0], \"model\": [\"1\", 0], "
	        "\"latent_image\": [\"1\", 0], \"steps\": [\"2\", 0]}}, "
	        "\"2\": {\"class_type\": \"ConditioningCombine\", \"inputs\": {"
	        "\"conditioning_1\": [\"2\", 0], \"conditioning_2\": [\"3\", 0]}}, "
	        "\"3\": {\"class_type\": \"ConditioningCombine\", \"inputs\": {"
	        "\"conditioning_1\": [\"2\", 0], \"conditioning_2\": [\"3\", 0]}}}";
	static const char big[] =
	        "{\"1\": {\"class_type\": \"KSampler\", \"inputs\": {\"seed\": "
	        "18446744073709551615, \"steps\": 4, \"positive\": [\"2\", 0], "
	        "\"negative\": [\"2\", 0]}}, \"2\": {\"class_type\": \"CLIPTextEncode\", "
	        "\"inputs\": {\"text\": \"x\"}}}";
	static const char odd[] =
	        "{\"1\": {\"class_type\": \"MyFancySampler\", \"inputs\": {\"x\": 1}}, "
	        "\"2\": {\"class_type\": \"CheckpointLoaderSimple\", \"inputs\": "
	        "{\"ckpt_name\": \"sdxl.safetensors\"}}}";
	struct media_genmeta *m = media_genmeta_parse_json(g, strlen(g));
	struct sbuf fan;
	int i;

	(void)state;
	assert_string_equal(m->tool, "ComfyUI");
	assert_null(m->prompt);
	assert_false(m->has_seed);
	media_genmeta_free(&m);

	/* A sampler this reader does not know: ComfyUI all the same, and the
	 * only checkpoint loader names the model. */
	m = media_genmeta_parse_json(odd, strlen(odd));
	assert_string_equal(m->tool, "ComfyUI");
	assert_string_equal(m->model, "sdxl.safetensors");
	assert_null(m->prompt);
	note_has(m, "without a sampler node");
	media_genmeta_free(&m);

	/* A seed past 64 bits: the JSON still reads; the seed is not invented. */
	m = media_genmeta_parse_json(big, strlen(big));
	assert_string_equal(m->prompt, "x");
	assert_false(m->has_seed);
	note_has(m, "beyond 64 bits");
	note_has(m, "outside the 64-bit range");
	param_str(m, "seed", "18446744073709551615");
	param_int(m, "steps", 4);
	media_genmeta_free(&m);

	/* Sixty nodes each linking twice to the next: 2^60 paths, one budget. */
	sb_init(&fan);
	sb_adds(&fan, "{\"0\": {\"class_type\": \"KSampler\", \"inputs\": {\"seed\": 1, "
	              "\"positive\": [\"1\", 0], \"negative\": [\"1\", 0]}}");
	for (i = 1; i < 60; i++)
		sb_addf(&fan,
		        ", \"%d\": {\"class_type\": \"ConditioningCombine\", \"inputs\": "
		        "{\"conditioning_1\": [\"%d\", 0], \"conditioning_2\": [\"%d\", 0]}}",
		        i, i + 1, i + 1);
	sb_addf(&fan, ", \"60\": {\"class_type\": \"CLIPTextEncode\", \"inputs\": "
	              "{\"text\": \"deep\"}}}");
	m = media_genmeta_parse_json(fan.s, fan.len);
	assert_int_equal(m->seed, 1);
	assert_null(m->prompt); /* 48 levels down is as far as the walk goes */
	media_genmeta_free(&m);
	sb_free(&fan);
}

/* ---------------------------------------------------------------- other tools */

static void other_tools(void **state)
{
	struct sbuf png;
	struct media_genmeta *m;
	const char *s;

	(void)state;
	/* InvokeAI 1.x "Dream". */
	png_start(&png);
	pil_add_text(&png, "Dream",
	             "\"a castle on a hill [fog, blur] at dawn\" -s 50 -S 42 -W 512 "
	             "-H 640 -C 7.5 -A k_lms -F",
	             0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_string_equal(m->tool, "InvokeAI");
	assert_string_equal(m->prompt, "a castle on a hill  at dawn");
	assert_string_equal(m->negative_prompt, "fog, blur");
	assert_int_equal(m->seed, 42);
	param_int(m, "steps", 50);
	param_num(m, "cfg_scale", 7.5);
	param_str(m, "sampler", "k_lms");
	param_str(m, "size", "512x640");
	media_genmeta_free(&m);
	sb_free(&png);

	/* InvokeAI 2.x "sd-metadata". */
	s = "{\"model\": \"stable diffusion\", \"model_weights\": \"stable-diffusion-1.5\", "
	    "\"model_hash\": \"cc6cb27103417325ff94f52b7a5d2dde45a7515b25c255d8e396c90014281516\", "
	    "\"app_id\": \"invoke-ai/InvokeAI\", \"app_version\": \"2.2.5\", \"image\": {"
	    "\"prompt\": [{\"prompt\": \"a cat in a hat [dog]\", \"weight\": 1.0}], \"steps\": 30, "
	    "\"cfg_scale\": 7.5, \"height\": 512, \"width\": 512, \"seed\": 3000, "
	    "\"sampler\": \"k_euler_a\", \"type\": \"txt2img\"}}";
	png_start(&png);
	pil_add_text(&png, "sd-metadata", s, 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_string_equal(m->tool, "InvokeAI");
	assert_string_equal(m->tool_version, "2.2.5");
	assert_string_equal(m->prompt, "a cat in a hat");
	assert_string_equal(m->negative_prompt, "dog");
	assert_string_equal(m->model, "stable-diffusion-1.5");
	assert_int_equal(m->seed, 3000);
	param_str(m, "sampler", "k_euler_a");
	param_str(m, "type", "txt2img");
	media_genmeta_free(&m);
	sb_free(&png);

	/* Fooocus writing the A1111 scheme. */
	png_start(&png);
	pil_add_text(&png, "parameters",
	             "a goldfish\nNegative prompt: murky\nSteps: 30, Sampler: dpmpp_2m_sde_gpu, "
	             "Scheduler: karras, CFG scale: 4, Seed: 6952411511246973023, Size: 768x1280, "
	             "Model: juggernautXL_v8Rundiffusion, Model hash: aeb7e9e689, "
	             "Version: Fooocus v2.4.3",
	             0);
	pil_add_text(&png, "fooocus_scheme", "a1111", 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_string_equal(m->tool, "Fooocus");
	assert_int_equal(m->seed, 6952411511246973023LL);
	param_str(m, "scheduler", "karras");
	media_genmeta_free(&m);
	sb_free(&png);
}

static void put16x(struct sbuf *b, unsigned v, int be);
static void tiff_user_comment(struct sbuf *t, const char *utf8, int be);

static void drawthings_xmp(void **state)
{
	/* Draw Things: XMP in an iTXt "XML:com.adobe.xmp", settings as JSON in
	 * exif:UserComment, a summary in dc:description. */
	static const char xmp[] =
	        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"XMP Core 6.0.0\">\n"
	        "   <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
	        "      <rdf:Description rdf:about=\"\"\n"
	        "            xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
	        "            xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
	        "            xmlns:exif=\"http://ns.adobe.com/exif/1.0/\">\n"
	        "         <dc:description>\n            <rdf:Alt>\n"
	        "               <rdf:li xml:lang=\"x-default\">a &lt;cat&gt; &amp; moon&#xA;-ugly"
	        "&#xA;Steps: 8, Sampler: UniPC Trailing, Guidance Scale: 4.5, Seed: 42, "
	        "Size: 640x480, Model: m.ckpt</rdf:li>\n            </rdf:Alt>\n"
	        "         </dc:description>\n"
	        "         <xmp:CreatorTool>Draw Things</xmp:CreatorTool>\n"
	        "         <exif:UserComment>\n            <rdf:Alt>\n"
	        "               <rdf:li xml:lang=\"x-default\">{&quot;c&quot;:&quot;a &lt;cat&gt; "
	        "&amp; moon&quot;,&quot;uc&quot;:&quot;ugly&quot;,&quot;model&quot;:&quot;"
	        "m.ckpt&quot;,&quot;sampler&quot;:&quot;UniPC Trailing&quot;,&quot;scale&quot;:"
	        "4.5,&quot;seed&quot;:42,&quot;size&quot;:&quot;640x480&quot;,&quot;steps&quot;:"
	        "8,&quot;strength&quot;:1,&quot;v2&quot;:{&quot;loras&quot;:[{&quot;file&quot;:"
	        "&quot;detail.ckpt&quot;,&quot;weight&quot;:0.8}]}}</rdf:li>\n"
	        "            </rdf:Alt>\n         </exif:UserComment>\n"
	        "      </rdf:Description>\n   </rdf:RDF>\n</x:xmpmeta>\n";
	struct sbuf png;
	struct media_genmeta *m;
	char *only_desc, *cut;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		only_desc = xstrdup(xmp);
		if (pass == 1) {
			/* Without the JSON: the description alone. */
			cut = strstr(only_desc, "         <exif:UserComment>");
			memmove(cut, strstr(cut, "      </rdf:Description>"),
			        strlen(strstr(cut, "      </rdf:Description>")) + 1);
		}
		png_start(&png);
		pil_add_text(&png, "XML:com.adobe.xmp", only_desc, 0);
		png_finish(&png);
		assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
		assert_string_equal(m->tool, "Draw Things");
		assert_string_equal(m->prompt, "a <cat> & moon");
		assert_string_equal(m->negative_prompt, "ugly");
		assert_int_equal(m->seed, 42);
		assert_string_equal(m->model, "m.ckpt");
		param_int(m, "steps", 8);
		param_str(m, "sampler", "UniPC Trailing");
		param_num(m, "cfg_scale", 4.5);
		param_str(m, "size", "640x480");
		assert_string_equal(m->source,
		                    pass ? "XMP dc:description" : "XMP exif:UserComment");
		if (pass == 0)
			param_num(m, "denoise", 1);
		media_genmeta_free(&m);
		sb_free(&png);
		free(only_desc);
	}
}

static void not_generation_metadata(void **state)
{
	struct sbuf png, f, tiff;
	struct media_genmeta *m;

	(void)state;
	/* "parameters" holding JSON of no known shape: not a prompt. */
	png_start(&png);
	pil_add_text(&png, "parameters", "{\"colour\": \"red\", \"n\": [1, 2]}", 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_false(media_genmeta_found(m));
	note_has(m, "unknown shape");
	media_genmeta_free(&m);
	sb_free(&png);

	/* "parameters" with a prompt only: A1111-style, said so. */
	png_start(&png);
	pil_add_text(&png, "parameters", "{red|blue} car, night", 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_string_equal(m->tool, "A1111-style");
	assert_string_equal(m->prompt, "{red|blue} car, night");
	note_has(m, "without a settings line");
	media_genmeta_free(&m);
	sb_free(&png);

	/* A camera's EXIF UserComment is no prompt. */
	sb_init(&tiff);
	tiff_user_comment(&tiff, "Holiday at the beach", 1);
	sb_init(&f);
	sb_add(&f, "\xff\xd8\xff\xe1", 4);
	put16x(&f, (unsigned)(2 + 6 + tiff.len), 1);
	sb_add(&f, "Exif\0\0", 6);
	sb_add(&f, tiff.s, tiff.len);
	sb_add(&f, "\xff\xd9", 2);
	assert_int_equal(media_genmeta_from_mem(f.s, f.len, &m), 0);
	assert_false(media_genmeta_found(m));
	note_has(m, "not generation parameters");
	media_genmeta_free(&m);
	sb_free(&f);
	sb_free(&tiff);
}

/* ---------------------------------------------------------------- JPEG and WebP */

static void put16x(struct sbuf *b, unsigned v, int be)
{
	unsigned char x[2];

	x[be ? 0 : 1] = (unsigned char)(v >> 8);
	x[be ? 1 : 0] = (unsigned char)v;
	sb_add(b, x, 2);
}

static void put32x(struct sbuf *b, uint32_t v, int be)
{
	put16x(b, be ? v >> 16 : v & 0xffff, be);
	put16x(b, be ? v & 0xffff : v >> 16, be);
}

/* A TIFF block as piexif.dump({"Exif": {UserComment: ...}}) makes it. */
static void tiff_user_comment(struct sbuf *t, const char *utf8, int be)
{
	struct sbuf uc;
	const unsigned char *p = (const unsigned char *)utf8;
	unsigned cp;

	sb_init(&uc);
	sb_add(&uc, "UNICODE\0", 8);
	while (*p) {
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = (unsigned)(*p & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else {
			cp = (unsigned)(*p & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 |
			     (p[2] & 0x3f);
			p += 3;
		}
		put16x(&uc, cp, be);
	}
	sb_add(t, be ? "MM\0*" : "II*\0", 4);
	put32x(t, 8, be);
	put16x(t, 1, be);      /* IFD0: one entry */
	put16x(t, 0x8769, be); /* ExifIFD pointer */
	put16x(t, 4, be);
	put32x(t, 1, be);
	put32x(t, 26, be);
	put32x(t, 0, be);
	put16x(t, 1, be);      /* Exif IFD at 26: one entry */
	put16x(t, 0x9286, be); /* UserComment, UNDEFINED */
	put16x(t, 7, be);
	put32x(t, (uint32_t)uc.len, be);
	put32x(t, 44, be);
	put32x(t, 0, be);
	sb_add(t, uc.s, uc.len);
	sb_free(&uc);
}

static void jpeg_and_webp_exif(void **state)
{
	static const char info[] =
	        "a snowy owl, \xe9\x9b\xaa\n"
	        "Negative prompt: blurry\n"
	        "Steps: 24, Sampler: Euler a, CFG scale: 7, Seed: 123, Size: 640x480, "
	        "Model: dreamshaper_8, Version: v1.9.4";
	struct sbuf f, tiff;
	struct media_genmeta *m;
	struct media_png_text *t = NULL;
	char *path, *err = NULL;

	(void)state;
	sb_init(&tiff);
	tiff_user_comment(&tiff, info, 1);
	sb_init(&f);
	sb_add(&f, "\xff\xd8", 2);
	sb_add(&f, "\xff\xe1", 2);
	put16x(&f, (unsigned)(2 + 6 + tiff.len), 1);
	sb_add(&f, "Exif\0\0", 6);
	sb_add(&f, tiff.s, tiff.len);
	sb_add(&f, "\xff\xfe\x00\x07hello", 9); /* COM */
	sb_add(&f, "\xff\xda\x00\x02\x12\x34\x56\xff\xd9", 9);
	path = write_tmp("a1111.jpg", f.s, f.len);
	assert_int_equal(media_embedded_text_read_file(path, NULL, &t, &err), 0);
	assert_string_equal(t->container, "JPEG");
	assert_non_null(media_png_text_get(t, "Comment"));
	assert_string_equal(media_png_text_get(t, "Comment")->text, "hello");
	assert_string_equal(media_png_text_get(t, "UserComment")->text, info);
	media_png_text_free(&t);
	m = from_file(path);
	assert_string_equal(m->tool, "AUTOMATIC1111");
	assert_string_equal(m->prompt, "a snowy owl, \xe9\x9b\xaa");
	assert_string_equal(m->negative_prompt, "blurry");
	assert_int_equal(m->seed, 123);
	assert_string_equal(m->source, "EXIF \"UserComment\"");
	media_genmeta_free(&m);
	free(path);
	sb_free(&f);
	sb_free(&tiff);

	/* WebP, EXIF after the image data, little-endian TIFF and UTF-16LE. */
	sb_init(&tiff);
	tiff_user_comment(&tiff, info, 0);
	sb_init(&f);
	sb_add(&f, "RIFF\0\0\0\0WEBP", 12);
	sb_add(&f, "VP8 \x05\0\0\0abcde\0", 14);
	sb_add(&f, "EXIF", 4);
	put32x(&f, (uint32_t)tiff.len, 0);
	sb_add(&f, tiff.s, tiff.len);
	if (tiff.len & 1)
		sb_addc(&f, 0);
	f.s[4] = (char)((f.len - 8) & 0xff);
	f.s[5] = (char)(((f.len - 8) >> 8) & 0xff);
	assert_int_equal(media_genmeta_from_mem(f.s, f.len, &m), 0);
	assert_string_equal(m->tool, "AUTOMATIC1111");
	assert_string_equal(m->prompt, "a snowy owl, \xe9\x9b\xaa");
	param_str(m, "size", "640x480");
	media_genmeta_free(&m);
	sb_free(&f);
	sb_free(&tiff);
}

/* ---------------------------------------------------------------- sidecars */

static void sidecars(void **state)
{
	struct sbuf png;
	struct media_genmeta *m;
	char *img, *side;
	const char *txt = "a quiet harbour\nNegative prompt: people\n"
	                  "Steps: 12, Sampler: Euler, Seed: 5, Size: 256x256, Version: v1.10.1\n";
	const char *json = "{\"prompt\": \"a tin robot\", \"negative_prompt\": \"rust\", "
	                   "\"seed\": 99, \"steps\": 8, \"cfg_scale\": 3.5, \"sampler_name\": "
	                   "\"DDIM\", \"sd_model_name\": \"base\", \"width\": 64, \"height\": 32, "
	                   "\"style\": \"noir\"}";

	(void)state;
	png_start(&png);
	png_finish(&png);
	img = write_tmp("plain.png", png.s, png.len);
	side = write_tmp("plain.txt", txt, strlen(txt));
	m = from_file(img);
	assert_string_equal(m->source, "sidecar plain.txt");
	assert_string_equal(m->tool, "AUTOMATIC1111");
	assert_string_equal(m->prompt, "a quiet harbour");
	assert_int_equal(m->seed, 5);
	media_genmeta_free(&m);
	unlink(side);
	free(side);

	side = write_tmp("plain.json", json, strlen(json));
	m = from_file(img);
	assert_string_equal(m->source, "sidecar plain.json");
	assert_null(m->tool);
	assert_string_equal(m->prompt, "a tin robot");
	assert_string_equal(m->negative_prompt, "rust");
	assert_int_equal(m->seed, 99);
	assert_string_equal(m->model, "base");
	param_str(m, "sampler", "DDIM");
	param_num(m, "cfg_scale", 3.5);
	param_str(m, "size", "64x32");
	param_str(m, "style", "noir");
	note_has(m, "no tool is named");
	media_genmeta_free(&m);

	/* A file name that is not UTF-8: the source text still is. */
	{
		char *img2 = write_tmp("caf\xe9.png", png.s, png.len);
		char *side2 = write_tmp("caf\xe9.txt", txt, strlen(txt));

		m = from_file(img2);
		assert_string_equal(m->source, "sidecar caf\xef\xbf\xbd.txt");
		assert_string_equal(m->prompt, "a quiet harbour");
		media_genmeta_free(&m);
		unlink(side2);
		free(img2);
		free(side2);
	}

	/* Not asked for: no sidecar. */
	free(side);
	side = NULL;
	assert_int_equal(media_genmeta_from_file(img, MEDIA_GENMETA_NO_SIDECAR, &m, &side), 0);
	assert_false(media_genmeta_found(m));
	media_genmeta_free(&m);
	free(img);
	sb_free(&png);

	/* Embedded metadata wins over a sidecar. */
	png_start(&png);
	pil_add_text(&png, "parameters", txt, 0);
	png_finish(&png);
	img = write_tmp("both.png", png.s, png.len);
	side = write_tmp("both.json", json, strlen(json));
	m = from_file(img);
	assert_string_equal(m->prompt, "a quiet harbour");
	media_genmeta_free(&m);
	free(img);
	free(side);
	sb_free(&png);

	/* A text file itself with a sidecar beside it; a missing file. */
	img = write_tmp("notes.txt", "hello", 5);
	side = write_tmp("notes.json", json, strlen(json));
	m = from_file(img);
	assert_string_equal(m->prompt, "a tin robot");
	media_genmeta_free(&m);
	free(img);
	free(side);
	img = tmp_path("missing.png");
	assert_int_equal(media_genmeta_from_file(img, 0, &m, &side), -1);
	assert_null(m);
	assert_non_null(strstr(side, "missing.png"));
	free(side);
	free(img);
}

/* ---------------------------------------------------------------- hostile input */

static void truncated_and_bad_crc(void **state)
{
	struct sbuf png;
	struct media_png_text *t = NULL;
	struct media_genmeta *m;
	char *err = NULL, *path;
	size_t cut;

	(void)state;
	png_start(&png);
	pil_add_text(&png, "parameters", "a\nSteps: 1, Sampler: Euler, Seed: 3, Version: v1.0", 0);
	cut = png.len;
	pil_add_text(&png, "Comment", "second chunk", 0);
	png_finish(&png);

	/* Cut inside the second text chunk: the first survives. */
	assert_int_equal(media_png_text_read_mem(png.s, cut + 10, NULL, &t, &err), 0);
	assert_true(t->truncated);
	assert_int_equal(t->n, 1);
	tnote_has(t, "truncated");
	media_png_text_free(&t);
	path = write_tmp("trunc.png", png.s, cut + 10);
	m = from_file(path);
	assert_int_equal(m->seed, 3);
	note_has(m, "truncated");
	media_genmeta_free(&m);
	free(path);
	/* Cut right after the signature, and inside it. */
	assert_int_equal(media_png_text_read_mem(png.s, 8, NULL, &t, &err), 0);
	assert_true(t->truncated);
	media_png_text_free(&t);
	assert_int_equal(media_png_text_read_mem(png.s, 5, NULL, &t, &err), -1);
	assert_non_null(strstr(err, "not a PNG"));
	xfree(&err);

	/* A flipped byte in the first chunk: its CRC fails, it is skipped. */
	png.s[cut - 6] ^= 0x20;
	assert_int_equal(media_png_text_read_mem(png.s, png.len, NULL, &t, &err), 0);
	assert_int_equal(t->n, 1);
	assert_string_equal(t->items[0].key, "Comment");
	tnote_has(t, "CRC");
	media_png_text_free(&t);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_false(media_genmeta_found(m));
	note_has(m, "CRC");
	media_genmeta_free(&m);

	/* A chunk claiming 2 GiB; a zero-byte file; not an image. */
	sb_free(&png);
	png_start(&png);
	sb_add(&png, "\x7f\xff\xff\xf0tEXt", 8);
	assert_int_equal(media_png_text_read_mem(png.s, png.len, NULL, &t, &err), 0);
	assert_true(t->truncated);
	media_png_text_free(&t);
	path = write_tmp("empty.png", "", 0);
	assert_int_equal(media_genmeta_from_file(path, 0, &m, &err), 0);
	assert_false(media_genmeta_found(m));
	note_has(m, "empty file");
	media_genmeta_free(&m);
	assert_int_equal(media_embedded_text_read_file(path, NULL, &t, &err), -1);
	assert_non_null(strstr(err, "empty"));
	xfree(&err);
	free(path);
	assert_int_equal(media_embedded_text_read_mem("GIF89a....", 10, NULL, &t, &err), -1);
	assert_non_null(strstr(err, "not a PNG, JPEG or WebP"));
	xfree(&err);
	sb_free(&png);
}

static void huge_text_chunks(void **state)
{
	struct sbuf png, big;
	struct media_png_text *t = NULL;
	struct media_text_limits lim;
	struct media_genmeta *m;
	char *err = NULL, *path;
	size_t i;

	(void)state;
	/* 3 MB of prompt: read whole with the default limits. */
	sb_init(&big);
	for (i = 0; i < 3u << 20; i += 16) {
		sb_add(&big, "a long prompt, ", 15);
		sb_addc(&big, i % 1024 ? ' ' : '\n');
	}
	sb_adds(&big, "\nSteps: 2, Sampler: Euler, Seed: 8, Version: v1.0.0");
	png_start(&png);
	pil_add_text(&png, "parameters", big.s, 0);
	png_finish(&png);
	path = write_tmp("big.png", png.s, png.len);
	m = from_file(path);
	assert_int_equal(m->seed, 8);
	assert_true(strlen(m->prompt) > 3000000);
	media_genmeta_free(&m);

	/* The same file with a 1 MiB limit: skipped, said, never loaded. */
	media_text_limits_default(&lim);
	lim.max_item_bytes = 1u << 20;
	assert_int_equal(media_png_text_read_file(path, &lim, &t, &err), 0);
	assert_int_equal(t->n, 0);
	tnote_has(t, "over the 1048576-byte limit");
	media_png_text_free(&t);
	free(path);
	sb_free(&png);

	/* Over the default limit (9 MiB): skipped. */
	while (big.len < 9u << 20)
		sb_adds(&big, "more and more text in the prompt, ");
	png_start(&png);
	pil_add_text(&png, "parameters", big.s, 0);
	pil_add_text(&png, "Comment", "small", 0);
	png_finish(&png);
	path = write_tmp("huge.png", png.s, png.len);
	assert_int_equal(media_png_text_read_file(path, NULL, &t, &err), 0);
	assert_int_equal(t->n, 1);
	assert_string_equal(t->items[0].key, "Comment");
	tnote_has(t, "over the");
	media_png_text_free(&t);
	free(path);
	sb_free(&png);
	sb_free(&big);

	/* Two thousand tiny chunks: 256 kept, one note; a total cap. */
	png_start(&png);
	for (i = 0; i < 2000; i++)
		pil_add_text(&png, "k", "v", 0);
	png_finish(&png);
	assert_int_equal(media_png_text_read_mem(png.s, png.len, NULL, &t, &err), 0);
	assert_int_equal(t->n, 256);
	tnote_has(t, "more than 256 text items");
	assert_true(t->n_notes <= 2);
	media_png_text_free(&t);
	media_text_limits_default(&lim);
	lim.max_total_bytes = 10;
	assert_int_equal(media_png_text_read_mem(png.s, png.len, &lim, &t, &err), 0);
	assert_int_equal(t->n, 10);
	tnote_has(t, "bytes in all");
	media_png_text_free(&t);
	lim.max_chunks = 5;
	assert_int_equal(media_png_text_read_mem(png.s, png.len, &lim, &t, &err), 0);
	assert_int_equal(t->n, 4);
	tnote_has(t, "more than 5 chunks");
	media_png_text_free(&t);
	sb_free(&png);
}

static void zip_bomb(void **state)
{
	struct sbuf png, body;
	struct media_png_text *t = NULL;
	struct media_genmeta *m;
	z_stream z;
	static unsigned char zeros[1 << 16], out[1 << 16];
	char *err = NULL;
	int i, flush;

	(void)state;
	/* 64 MiB of zeros in a zTXt of about 64 KiB. */
	sb_init(&body);
	sb_add(&body, "parameters\0\0", 12);
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit(&z, 9), Z_OK);
	for (i = 0; i < 1024; i++) {
		z.next_in = zeros;
		z.avail_in = sizeof zeros;
		flush = i == 1023 ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = out;
			z.avail_out = sizeof out;
			deflate(&z, flush);
			sb_add(&body, out, sizeof out - z.avail_out);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	png_start(&png);
	chunk(&png, "zTXt", body.s, body.len);
	pil_add_text(&png, "Title", "after the bomb", 0);
	png_finish(&png);
	assert_int_equal(media_png_text_read_mem(png.s, png.len, NULL, &t, &err), 0);
	assert_int_equal(t->n, 1);
	assert_string_equal(t->items[0].key, "Title");
	tnote_has(t, "zip bomb");
	media_png_text_free(&t);

	/* A corrupt zlib stream, in zTXt and in a compressed iTXt. */
	body.s[20] ^= 0x55;
	body.len = 200;
	sb_free(&png);
	png_start(&png);
	chunk(&png, "zTXt", body.s, body.len);
	chunk(&png, "iTXt", "k\0\1\0\0\0\x78\x9c\xff\xff", 10);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_false(media_genmeta_found(m));
	note_has(m, "zTXt \"parameters\"");
	note_has(m, "iTXt \"k\"");
	media_genmeta_free(&m);
	sb_free(&png);
	sb_free(&body);
}

static void bad_text_bytes(void **state)
{
	static const char lang_itxt[] = "Title\0\0\0ja\0\xe9\xa1\x8c\0\xe6\xa1\x9c";
	static const char bad_itxt[] =
	        "parameters\0\0\0\0\0bad \xff\xfe utf8\nSteps: 3, Sampler: x, Seed: 4";
	struct sbuf png;
	struct media_png_text *t = NULL;
	struct media_genmeta *m;
	char *err = NULL, *vis;

	(void)state;
	png_start(&png);
	/* iTXt that is not UTF-8; tEXt with Latin-1 high bytes and a NUL-free
	 * control; a keyword with no terminator. */
	chunk(&png, "iTXt", bad_itxt, sizeof bad_itxt - 1);
	chunk(&png, "tEXt", "Title\0gr\xfc\xdf", 10);
	chunk(&png, "tEXt", "no-terminator-here", 18);
	chunk(&png, "iTXt", lang_itxt, sizeof lang_itxt - 1);
	png_finish(&png);
	assert_int_equal(media_png_text_read_mem(png.s, png.len, NULL, &t, &err), 0);
	assert_int_equal(t->n, 3);
	assert_string_equal(t->items[2].lang, "ja");
	assert_string_equal(t->items[2].translated_key, "\xe9\xa1\x8c");
	assert_string_equal(t->items[2].text, "\xe6\xa1\x9c");
	assert_string_equal(t->items[0].text,
	                    "bad \xef\xbf\xbd\xef\xbf\xbd utf8\nSteps: 3, Sampler: x, Seed: 4");
	assert_string_equal(t->items[1].text, "gr\xc3\xbc\xc3\x9f");
	assert_true(util_utf8_valid(t->items[0].text, t->items[0].len));
	tnote_has(t, "not valid UTF-8");
	tnote_has(t, "no valid keyword");
	media_png_text_free(&t);
	sb_free(&png);

	/* A prompt holding terminal escapes is kept as data; shown visibly. */
	png_start(&png);
	pil_add_text(&png, "parameters",
	             "evil \x1b[2J\x1b]52;c;aGk=\x07 prompt\nSteps: 3, Sampler: x, Seed: 4", 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_string_equal(m->prompt, "evil \x1b[2J\x1b]52;c;aGk=\x07 prompt");
	vis = util_visible_dup(m->prompt, 0);
	assert_string_equal(vis, "evil ^[[2J^[]52;c;aGk=^G prompt");
	free(vis);
	media_genmeta_free(&m);
	sb_free(&png);
}


/* ---------------------------------------------------------------- NovelAI WebP */

/* NovelAI's WebP EXIF, as enslo/sd-metadata reads it
 * (src/converters/novelai.ts): IFD0 ImageDescription = four NUL bytes
 * then the short prompt; Exif UserComment = "ASCII\0\0\0" then one JSON
 * object holding the PNG text chunks (Comment as JSON text, Description,
 * Generation time, Software, Source, Title).  Little-endian TIFF. */
static void tiff_novelai(struct sbuf *t, const char *desc, const char *json)
{
	size_t dlen = 4 + strlen(desc) + 1, ulen = 8 + strlen(json);

	sb_add(t, "II*\0", 4);
	put32x(t, 8, 0);
	put16x(t, 2, 0);      /* IFD0 at 8: two entries */
	put16x(t, 0x010e, 0); /* ImageDescription, ASCII */
	put16x(t, 2, 0);
	put32x(t, (uint32_t)dlen, 0);
	put32x(t, 56, 0);
	put16x(t, 0x8769, 0); /* ExifIFD pointer */
	put16x(t, 4, 0);
	put32x(t, 1, 0);
	put32x(t, 38, 0);
	put32x(t, 0, 0);
	put16x(t, 1, 0);      /* Exif IFD at 38: one entry */
	put16x(t, 0x9286, 0); /* UserComment, UNDEFINED */
	put16x(t, 7, 0);
	put32x(t, (uint32_t)ulen, 0);
	put32x(t, (uint32_t)(56 + dlen), 0);
	put32x(t, 0, 0);
	sb_add(t, "\0\0\0\0", 4);
	sb_add(t, desc, strlen(desc) + 1);
	sb_add(t, "ASCII\0\0\0", 8);
	sb_adds(t, json);
}

static void webp_with_exif(struct sbuf *f, const struct sbuf *tiff)
{
	sb_init(f);
	sb_add(f, "RIFF\0\0\0\0WEBP", 12);
	sb_add(f, "VP8 \x05\0\0\0abcde\0", 14);
	sb_add(f, "EXIF", 4);
	put32x(f, (uint32_t)tiff->len, 0);
	sb_add(f, tiff->s, tiff->len);
	if (tiff->len & 1)
		sb_addc(f, 0);
	put32x(f, 0, 0);
	f->len -= 4;
	f->s[4] = (char)((f->len - 8) & 0xff);
	f->s[5] = (char)(((f->len - 8) >> 8) & 0xff);
}

/* NovelAI's Comment JSON (json.dumps form) and the object around it. */
static const char nai_comment[] =
        "{\"prompt\": \"1girl, cherry blossoms, \\u685c\", \"steps\": 28, \"height\": 1216, "
        "\"width\": 832, \"scale\": 5.0, \"uncond_scale\": 0.0, \"cfg_rescale\": 0.0, "
        "\"seed\": 3847221155, \"n_samples\": 1, \"noise_schedule\": \"karras\", "
        "\"sampler\": \"k_euler_ancestral\", \"uc\": \"lowres, bad anatomy\"}";

static char *nai_object(const char *description)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "Comment", json_string(nai_comment));
	json_object_set_new(o, "Description", json_string(description));
	json_object_set_new(o, "Generation time", json_string("4.812"));
	json_object_set_new(o, "Software", json_string("NovelAI"));
	json_object_set_new(o, "Source", json_string("NovelAI Diffusion V4.5 4BDE2A90"));
	json_object_set_new(o, "Title", json_string("NovelAI generated image"));
	s = json_dumps(o, JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static void check_nai(const struct media_genmeta *m)
{
	assert_non_null(m->tool);
	assert_string_equal(m->tool, "NovelAI");
	assert_string_equal(m->prompt, "1girl, cherry blossoms, \xe6\xa1\x9c");
	assert_string_equal(m->negative_prompt, "lowres, bad anatomy");
	assert_true(m->has_seed);
	assert_int_equal(m->seed, 3847221155LL);
	assert_string_equal(m->model, "NovelAI Diffusion V4.5");
	assert_string_equal(m->model_hash, "4BDE2A90");
	param_int(m, "steps", 28);
	param_str(m, "sampler", "k_euler_ancestral");
	param_int(m, "width", 832);
}

static void novelai_webp(void **state)
{
	struct sbuf f, tiff;
	struct media_genmeta *m;
	struct media_png_text *t = NULL;
	char *json = nai_object("1girl, cherry blossoms, \xe6\xa1\x9c"), *err = NULL, *path;

	(void)state;
	sb_init(&tiff);
	tiff_novelai(&tiff, "1girl, cherry blossoms, \xe6\xa1\x9c", json);
	webp_with_exif(&f, &tiff);
	path = write_tmp("nai.webp", f.s, f.len);
	/* The leading NUL bytes of ImageDescription are not text. */
	assert_int_equal(media_embedded_text_read_file(path, NULL, &t, &err), 0);
	assert_string_equal(media_png_text_get(t, "ImageDescription")->text,
	                    "1girl, cherry blossoms, \xe6\xa1\x9c");
	media_png_text_free(&t);
	m = from_file(path);
	check_nai(m);
	assert_string_equal(m->source, "EXIF \"UserComment\"");
	media_genmeta_free(&m);

	/* A Comment that is no JSON object: nothing read, and said so. */
	sb_free(&f);
	sb_free(&tiff);
	free(json);
	json = xstrdup("{\"Software\": \"NovelAI\", \"Comment\": \"not json\"}");
	sb_init(&tiff);
	tiff_novelai(&tiff, "x", json);
	webp_with_exif(&f, &tiff);
	assert_int_equal(media_genmeta_from_mem(f.s, f.len, &m), 0);
	assert_false(media_genmeta_found(m));
	note_has(m, "Comment that is not a JSON object");
	media_genmeta_free(&m);
	sb_free(&f);
	sb_free(&tiff);
	free(json);
	free(path);
}

/* ---------------------------------------------------------------- stealth PNG info */

/* A truecolour PNG (colour type 6 or 2) of pixels px (channels bytes
 * each), every row filtered with another of the five filters, as
 * encoders that pick filters per row write them. */
static void png_pixels(struct sbuf *png, const unsigned char *px, uint32_t w, uint32_t h,
                       unsigned channels)
{
	unsigned char ihdr[13] = {0};
	size_t rb = (size_t)w * channels, i;
	struct sbuf raw, z;
	uint32_t y;

	ihdr[0] = (unsigned char)(w >> 24);
	ihdr[1] = (unsigned char)(w >> 16);
	ihdr[2] = (unsigned char)(w >> 8);
	ihdr[3] = (unsigned char)w;
	ihdr[4] = (unsigned char)(h >> 24);
	ihdr[5] = (unsigned char)(h >> 16);
	ihdr[6] = (unsigned char)(h >> 8);
	ihdr[7] = (unsigned char)h;
	ihdr[8] = 8;
	ihdr[9] = channels == 4 ? 6 : 2;
	sb_init(png);
	sb_add(png, "\x89PNG\r\n\x1a\n", 8);
	chunk(png, "IHDR", ihdr, sizeof ihdr);
	sb_init(&raw);
	for (y = 0; y < h; y++) {
		const unsigned char *r = px + y * rb, *pr = y ? r - rb : NULL;
		unsigned f = y % 5;

		sb_addc(&raw, (char)f);
		for (i = 0; i < rb; i++) {
			int a = i >= channels ? r[i - channels] : 0, b = pr ? pr[i] : 0,
			    c = pr && i >= channels ? pr[i - channels] : 0, p = a + b - c;
			int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
			int pred = f == 0   ? 0
			           : f == 1 ? a
			           : f == 2 ? b
			           : f == 3 ? (a + b) / 2
			                    : (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);

			sb_addc(&raw, (char)(unsigned char)(r[i] - pred));
		}
	}
	sb_init(&z);
	zcompress(&z, raw.s, raw.len);
	/* Two IDAT chunks, split anywhere, as encoders do. */
	chunk(png, "IDAT", z.s, z.len / 2);
	chunk(png, "IDAT", z.s + z.len / 2, z.len - z.len / 2);
	chunk(png, "IEND", "", 0);
	sb_free(&raw);
	sb_free(&z);
}

static void gzip_bytes(struct sbuf *out, const void *data, size_t n)
{
	z_stream z;
	unsigned char buf[4096];
	int rc;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)n;
	do {
		z.next_out = buf;
		z.avail_out = sizeof buf;
		rc = deflate(&z, Z_FINISH);
		sb_add(out, buf, sizeof buf - z.avail_out);
	} while (rc == Z_OK);
	assert_int_equal(rc, Z_STREAM_END);
	deflateEnd(&z);
}

/* Writes text into the pixels as sd-webui-stealth-pnginfo's add_data
 * does: the signature, the payload's length in bits (32 bits), the
 * payload (gzip when compressed), each byte MSB first, over the pixels
 * column by column (x outer, y inner), one bit per pixel in alpha or three
 * (R, G, B) in RGB mode.  len_bits overrides the length when not 0;
 * compressed 2 says "comp" but writes the bytes as they are. */
static void stealth_write(unsigned char *px, uint32_t w, uint32_t h, unsigned channels, int rgb,
                          int compressed, const char *text, uint32_t len_bits)
{
	struct sbuf stream, payload;
	uint64_t i, nbits, pix;
	unsigned char *v;

	sb_init(&stream);
	sb_init(&payload);
	sb_addf(&stream, "stealth_%s%s", rgb ? "rgb" : "png", compressed ? "comp" : "info");
	if (compressed == 1)
		gzip_bytes(&payload, text, strlen(text));
	else
		sb_adds(&payload, text);
	put32(&stream, len_bits ? len_bits : (uint32_t)(payload.len * 8));
	sb_add(&stream, payload.s, payload.len);
	nbits = (uint64_t)stream.len * 8;
	assert_true(nbits <= (uint64_t)w * h * (rgb ? 3 : 1));
	if (!rgb)
		for (i = 0; i < (uint64_t)w * h; i++)
			px[i * channels + 3] = 255; /* putalpha(255) */
	for (i = 0; i < nbits; i++) {
		int bit = ((unsigned char)stream.s[i / 8] >> (7 - i % 8)) & 1;

		pix = rgb ? i / 3 : i;
		/* pixels[x, y] with x = pix / h, y = pix % h */
		v = px + ((pix % h) * w + pix / h) * channels + (rgb ? i % 3 : 3);
		*v = (unsigned char)((*v & ~1u) | (unsigned)bit);
	}
	sb_free(&stream);
	sb_free(&payload);
}

static unsigned char *stealth_canvas(uint32_t w, uint32_t h, unsigned channels)
{
	unsigned char *px = xmalloc((size_t)w * h * channels);
	size_t i;

	for (i = 0; i < (size_t)w * h * channels; i++)
		px[i] = (unsigned char)(i * 7 + i / 13);
	return px;
}

static struct media_genmeta *stealth_case(uint32_t w, uint32_t h, unsigned channels, int rgb,
                                          int compressed, const char *text, uint32_t len_bits)
{
	unsigned char *px = stealth_canvas(w, h, channels);
	struct media_genmeta *m;
	struct sbuf png;

	stealth_write(px, w, h, channels, rgb, compressed, text, len_bits);
	png_pixels(&png, px, w, h, channels);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	free(px);
	sb_free(&png);
	return m;
}

static void stealth_pnginfo(void **state)
{
	char *info = infotext(a1111_prompt, a1111_neg, a1111_settings);
	char *nai = nai_object("ignored when the Comment has a prompt");
	struct media_genmeta *m;
	unsigned char *px;
	struct sbuf png;
	char *path;

	(void)state;
	/* Plain, alpha; 64 rows, so the header spans three columns. */
	m = stealth_case(96, 64, 4, 0, 0, info, 0);
	check_a1111(m);
	assert_string_equal(m->source, "PNG alpha bits \"stealth_pnginfo\"");
	note_has(m, "lowest bits of the alpha channel");
	media_genmeta_free(&m);
	/* gzip, alpha, a picture taller than the header. */
	m = stealth_case(12, 400, 4, 0, 1, info, 0);
	check_a1111(m);
	assert_string_equal(m->source, "PNG alpha bits \"stealth_pngcomp\"");
	media_genmeta_free(&m);
	/* RGB modes, in an RGB picture and in an RGBA one. */
	m = stealth_case(48, 41, 3, 1, 0, info, 0);
	check_a1111(m);
	assert_string_equal(m->source, "PNG RGB bits \"stealth_rgbinfo\"");
	media_genmeta_free(&m);
	m = stealth_case(48, 41, 4, 1, 1, info, 0);
	check_a1111(m);
	assert_string_equal(m->source, "PNG RGB bits \"stealth_rgbcomp\"");
	media_genmeta_free(&m);
	/* NovelAI: its text chunks as gzip JSON in alpha. */
	m = stealth_case(64, 96, 4, 0, 1, nai, 0);
	check_nai(m);
	assert_string_equal(m->source, "PNG alpha bits \"stealth_pngcomp\"");
	media_genmeta_free(&m);

	/* From a file too; text chunks win over the bits. */
	px = stealth_canvas(96, 64, 4);
	stealth_write(px, 96, 64, 4, 0, 0, info, 0);
	png_pixels(&png, px, 96, 64, 4);
	path = write_tmp("stealth.png", png.s, png.len);
	m = from_file(path);
	check_a1111(m);
	media_genmeta_free(&m);
	free(path);
	sb_free(&png);
	png_start(&png);
	pil_add_text(&png, "parameters", "from the chunk\nSteps: 3, Sampler: Euler, Seed: 9", 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_string_equal(m->prompt, "from the chunk");
	media_genmeta_free(&m);
	sb_free(&png);
	free(px);
	free(info);
	free(nai);
}

static void stealth_bad(void **state)
{
	char *info = infotext(a1111_prompt, a1111_neg, a1111_settings);
	unsigned char *px;
	struct media_genmeta *m;
	struct sbuf png;
	size_t cut;

	(void)state;
	/* Alpha without a signature: nothing, and no word of stealth. */
	px = stealth_canvas(32, 200, 4);
	png_pixels(&png, px, 32, 200, 4);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_false(media_genmeta_found(m));
	assert_false(has_note((const char **)m->notes, m->n_notes, "stealth"));
	media_genmeta_free(&m);
	sb_free(&png);
	free(px);
	/* A length beyond the pixels, one not in whole bytes, one over the limit. */
	m = stealth_case(32, 32, 4, 0, 0, "short", 5000);
	assert_false(media_genmeta_found(m));
	note_has(m, "more than the picture's pixels hold");
	media_genmeta_free(&m);
	m = stealth_case(32, 32, 4, 0, 0, "short", 39);
	note_has(m, "not a whole number of bytes");
	media_genmeta_free(&m);
	m = stealth_case(32, 32, 4, 0, 0, "short", 0xfffffff8u);
	note_has(m, "over the size limit");
	media_genmeta_free(&m);
	/* "comp" over bytes that are not gzip. */
	m = stealth_case(64, 64, 4, 0, 2, "not gzip at all", 0);
	assert_false(media_genmeta_found(m));
	note_has(m, "stealth PNG info signature, but the compressed stream");
	media_genmeta_free(&m);
	/* The image data cut short after the header. */
	px = stealth_canvas(8, 600, 4);
	stealth_write(px, 8, 600, 4, 0, 0, info, 0);
	png_pixels(&png, px, 8, 600, 4);
	cut = png.len - 12 - 12 - (png.len / 3);
	png.len = cut;
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	assert_false(media_genmeta_found(m));
	note_has(m, "ends before the hidden text does");
	media_genmeta_free(&m);
	sb_free(&png);
	free(px);
	free(info);
}

/* ---------------------------------------------------------------- ComfyUI refiner */

/* ComfyUI's SDXL base + refiner example as SaveImage writes the "prompt"
 * graph: the base KSamplerAdvanced adds the noise and runs steps 0-20,
 * returning its leftover noise; the refiner takes that latent with
 * add_noise "disable" from step 20; the saved image is the refiner's. */
static const char comfy_refiner_prompt[] =
        "{\"4\": {\"inputs\": {\"ckpt_name\": \"sd_xl_base_1.0.safetensors\"}, "
        "\"class_type\": \"CheckpointLoaderSimple\"}, "
        "\"5\": {\"inputs\": {\"width\": 1024, \"height\": 1024, \"batch_size\": 1}, "
        "\"class_type\": \"EmptyLatentImage\"}, "
        "\"6\": {\"inputs\": {\"text\": \"evening sunset scenery blue sky nature, glass "
        "bottle with a galaxy in it\", \"clip\": [\"4\", 1]}, \"class_type\": "
        "\"CLIPTextEncode\"}, "
        "\"7\": {\"inputs\": {\"text\": \"text, watermark\", \"clip\": [\"4\", 1]}, "
        "\"class_type\": \"CLIPTextEncode\"}, "
        "\"11\": {\"inputs\": {\"add_noise\": \"disable\", \"noise_seed\": 0, \"steps\": 25, "
        "\"cfg\": 8, \"sampler_name\": \"euler\", \"scheduler\": \"normal\", "
        "\"start_at_step\": 20, \"end_at_step\": 10000, \"return_with_leftover_noise\": "
        "\"disable\", \"model\": [\"12\", 0], \"positive\": [\"15\", 0], \"negative\": "
        "[\"16\", 0], \"latent_image\": [\"10\", 0]}, \"class_type\": \"KSamplerAdvanced\"}, "
        "\"10\": {\"inputs\": {\"add_noise\": \"enable\", \"noise_seed\": 721897303308196, "
        "\"steps\": 25, \"cfg\": 8, \"sampler_name\": \"euler\", \"scheduler\": \"normal\", "
        "\"start_at_step\": 0, \"end_at_step\": 20, \"return_with_leftover_noise\": "
        "\"enable\", \"model\": [\"4\", 0], \"positive\": [\"6\", 0], \"negative\": "
        "[\"7\", 0], \"latent_image\": [\"5\", 0]}, \"class_type\": \"KSamplerAdvanced\"}, "
        "\"12\": {\"inputs\": {\"ckpt_name\": \"sd_xl_refiner_1.0.safetensors\"}, "
        "\"class_type\": \"CheckpointLoaderSimple\"}, "
        "\"15\": {\"inputs\": {\"text\": \"evening sunset scenery blue sky nature, glass "
        "bottle with a galaxy in it\", \"clip\": [\"12\", 1]}, \"class_type\": "
        "\"CLIPTextEncode\"}, "
        "\"16\": {\"inputs\": {\"text\": \"text, watermark\", \"clip\": [\"12\", 1]}, "
        "\"class_type\": \"CLIPTextEncode\"}, "
        "\"17\": {\"inputs\": {\"samples\": [\"11\", 0], \"vae\": [\"12\", 2]}, "
        "\"class_type\": \"VAEDecode\"}, "
        "\"19\": {\"inputs\": {\"filename_prefix\": \"ComfyUI\", \"images\": [\"17\", 0]}, "
        "\"class_type\": \"SaveImage\"}}";

/* The same graph as the editor saves it, the refiner listed first. */
static const char comfy_refiner_workflow[] =
        "{\"last_node_id\": 19, \"nodes\": ["
        "{\"id\": 11, \"type\": \"KSamplerAdvanced\", \"mode\": 0, \"inputs\": ["
        "{\"name\": \"model\", \"type\": \"MODEL\", \"link\": 31}, "
        "{\"name\": \"latent_image\", \"type\": \"LATENT\", \"link\": 32}], "
        "\"widgets_values\": [\"disable\", 0, \"fixed\", 25, 8, \"euler\", \"normal\", 20, "
        "10000, \"disable\"]}, "
        "{\"id\": 10, \"type\": \"KSamplerAdvanced\", \"mode\": 0, \"inputs\": ["
        "{\"name\": \"model\", \"type\": \"MODEL\", \"link\": 30}, "
        "{\"name\": \"latent_image\", \"type\": \"LATENT\", \"link\": 33}], "
        "\"widgets_values\": [\"enable\", 721897303308196, \"randomize\", 25, 8, \"euler\", "
        "\"normal\", 0, 20, \"enable\"]}, "
        "{\"id\": 4, \"type\": \"CheckpointLoaderSimple\", \"mode\": 0, "
        "\"widgets_values\": [\"sd_xl_base_1.0.safetensors\"]}, "
        "{\"id\": 12, \"type\": \"CheckpointLoaderSimple\", \"mode\": 0, "
        "\"widgets_values\": [\"sd_xl_refiner_1.0.safetensors\"]}, "
        "{\"id\": 5, \"type\": \"EmptyLatentImage\", \"mode\": 0, "
        "\"widgets_values\": [1024, 1024, 1]}], "
        "\"links\": [[30, 4, 0, 10, 0, \"MODEL\"], [31, 12, 0, 11, 0, \"MODEL\"], "
        "[32, 10, 0, 11, 1, \"LATENT\"], [33, 5, 0, 10, 1, \"LATENT\"]], \"version\": 0.4}";

static void check_refiner(const struct media_genmeta *m)
{
	json_t *p = params_of(m), *r = json_object_get(p, "refiner");

	assert_string_equal(m->tool, "ComfyUI");
	assert_true(m->has_seed);
	assert_int_equal(m->seed, 721897303308196LL);
	assert_string_equal(m->model, "sd_xl_base_1.0.safetensors");
	param_int(m, "start_at_step", 0);
	param_int(m, "end_at_step", 20);
	param_str(m, "size", "1024x1024");
	if (!json_is_object(r))
		fail_msg("no refiner in %s", m->params_json);
	assert_string_equal(json_string_value(json_object_get(r, "model")),
	                    "sd_xl_refiner_1.0.safetensors");
	assert_int_equal(json_integer_value(json_object_get(r, "start_at_step")), 20);
	assert_int_equal(json_integer_value(json_object_get(r, "seed")), 0);
	json_decref(p);
}

static void comfy_base_and_refiner(void **state)
{
	struct media_genmeta *m;
	struct sbuf png;

	(void)state;
	png_start(&png);
	pil_add_text(&png, "prompt", comfy_refiner_prompt, 0);
	pil_add_text(&png, "workflow", comfy_refiner_workflow, 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	check_refiner(m);
	assert_string_equal(m->prompt,
	                    "evening sunset scenery blue sky nature, glass bottle with a galaxy in it");
	assert_string_equal(m->negative_prompt, "text, watermark");
	note_has(m, "the base sampler that adds the noise from step 0");
	media_genmeta_free(&m);
	sb_free(&png);

	/* The editor's graph alone (the API graph lost). */
	png_start(&png);
	pil_add_text(&png, "workflow", comfy_refiner_workflow, 0);
	png_finish(&png);
	assert_int_equal(media_genmeta_from_mem(png.s, png.len, &m), 0);
	check_refiner(m);
	media_genmeta_free(&m);
	sb_free(&png);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(a1111_text_chunk),
	        cmocka_unit_test(a1111_itxt_and_ztxt),
	        cmocka_unit_test(a1111_text_forms),
	        cmocka_unit_test(comfy_prompt_and_workflow),
	        cmocka_unit_test(comfy_custom_sampler),
	        cmocka_unit_test(comfy_hostile_graphs),
	        cmocka_unit_test(other_tools),
	        cmocka_unit_test(drawthings_xmp),
	        cmocka_unit_test(not_generation_metadata),
	        cmocka_unit_test(jpeg_and_webp_exif),
	        cmocka_unit_test(sidecars),
	        cmocka_unit_test(truncated_and_bad_crc),
	        cmocka_unit_test(huge_text_chunks),
	        cmocka_unit_test(zip_bomb),
	        cmocka_unit_test(bad_text_bytes),
	        cmocka_unit_test(novelai_webp),
	        cmocka_unit_test(stealth_pnginfo),
	        cmocka_unit_test(stealth_bad),
	        cmocka_unit_test(comfy_base_and_refiner),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
