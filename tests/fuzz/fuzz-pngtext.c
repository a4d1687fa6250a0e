/*
 * fuzz-pngtext.c - libFuzzer target for the container walks: PNG text
 * chunks (tEXt, zTXt, iTXt, eXIf), JPEG segments and WebP chunks with
 * their EXIF blocks, then the generation-metadata dispatch on what they
 * found, and the whole reader on the bytes (stealth PNG info in the
 * pixels when no text gave parameters).  Built by `make fuzz` only; small
 * limits keep each run fast.  Starting files: `make fuzz-genmeta-corpus`.
 *
 *   tests/fuzz/fuzz-pngtext -max_total_time=120 -dict=tests/fuzz/pngtext.dict CORPUS/
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "media/media.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_text_limits lim;
	struct media_png_text *t = NULL;
	struct media_genmeta *m;
	char *err = NULL;
	size_t i;

	media_text_limits_default(&lim);
	lim.max_items = 16;
	lim.max_item_bytes = 1u << 20;
	lim.max_total_bytes = 2u << 20;
	lim.max_chunks = 4096;
	if (media_embedded_text_read_mem(data, size, &lim, &t, &err) < 0) {
		if (!err)
			__builtin_trap();
		xfree(&err);
		return 0;
	}
	for (i = 0; i < t->n; i++) {
		/* The contract: valid UTF-8, no NUL, len right. */
		if (strlen(t->items[i].text) != t->items[i].len ||
		    !util_utf8_valid(t->items[i].text, t->items[i].len))
			__builtin_trap();
	}
	m = media_genmeta_from_texts(t);
	if (!m || !m->params_json)
		__builtin_trap();
	media_genmeta_free(&m);
	media_png_text_free(&t);
	if (media_genmeta_from_mem(data, size, &m) < 0 || !m || !m->params_json ||
	    (m->prompt && !util_utf8_valid(m->prompt, strlen(m->prompt))))
		__builtin_trap();
	media_genmeta_free(&m);
	return 0;
}
