/*
 * fuzz-genmeta.c - libFuzzer target for the parameter parsers: the first
 * byte picks where the rest goes (A1111 text, any JSON shape, or a text
 * item under one of the keys the tools use, so that ComfyUI graphs,
 * InvokeAI, NovelAI, Fooocus and SwarmUI documents all get hit).
 * Built by `make fuzz` only.
 *
 *   tests/fuzz/fuzz-genmeta -max_total_time=120 -dict=tests/fuzz/genmeta.dict CORPUS/
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "media/media.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
        "parameters", "prompt",  "workflow",    "invokeai_metadata", "sd-metadata",
        "Dream",      "Comment", "UserComment", "XML:com.adobe.xmp", "ImageDescription"};

static void check(struct media_genmeta *m)
{
	json_t *p;

	if (!m || !m->params_json)
		__builtin_trap();
	p = json_loads(m->params_json, 0, NULL);
	if (!json_is_object(p))
		__builtin_trap();
	json_decref(p);
	if (m->prompt && !util_utf8_valid(m->prompt, strlen(m->prompt)))
		__builtin_trap();
	media_genmeta_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_text_item items[3];
	struct media_png_text t;
	struct sbuf text;
	unsigned sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	sb_init(&text);
	sb_add(&text, data, size);
	switch (sel % 4) {
	case 0:
		check(media_genmeta_parse_a1111(text.s, text.len));
		break;
	case 1:
		check(media_genmeta_parse_json(text.s, text.len));
		break;
	default:
		/* As a text item: the reader hands over clean UTF-8 only. */
		if (!util_utf8_valid(text.s, text.len) || memchr(text.s, 0, text.len))
			break;
		memset(&t, 0, sizeof t);
		memset(items, 0, sizeof items);
		t.container = "PNG";
		t.items = items;
		t.n = 1;
		items[0].kind = MEDIA_TEXT_TEXT;
		items[0].key = (char *)keys[(sel >> 2) % (sizeof keys / sizeof keys[0])];
		items[0].text = text.s;
		items[0].len = text.len;
		if (sel & 0x80) {
			/* NovelAI and Fooocus need a second key beside the first. */
			items[1].kind = MEDIA_TEXT_TEXT;
			items[1].key = (char *)(sel & 0x40 ? "Software" : "fooocus_scheme");
			items[1].text = (char *)(sel & 0x40 ? "NovelAI" : "fooocus");
			items[1].len = strlen(items[1].text);
			t.n = 2;
		}
		check(media_genmeta_from_texts(&t));
		break;
	}
	sb_free(&text);
	return 0;
}
