/*
 * fuzz-probe.c - libFuzzer target for the probe parsers (every format
 * media_probe_mem knows) and, for small pictures, the decode path behind
 * them (WebP frame extraction, resizing, EXIF orientation).  Built only by
 * `make fuzz` (clang -fsanitize=fuzzer,address,undefined); run it as
 *   tests/fuzz/fuzz-probe -max_total_time=60 tests/fuzz/corpus-probe
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_info info;
	struct media_image im;
	char *err = NULL;
	int rc;

	rc = media_probe_mem(data, size, &info, &err);
	if ((rc < 0) != (err != NULL))
		abort();
	if (err != NULL && !util_text_is_clean(err, strlen(err)))
		abort(); /* messages reach the screen: never a control byte */
	free(err);
	err = NULL;
	if (rc == 0 && info.kind == MEDIA_IMAGE) {
		/* a small limit keeps each run fast; the guard itself is fuzzed too */
		if (media_image_load_mem(data, size, 37, 23, 1 << 16, &im, &err) == 0) {
			if (im.width < 1 || im.width > 37 || im.height < 1 || im.height > 23 ||
			    im.rgba == NULL)
				abort();
			media_image_free(&im);
		} else if (err == NULL) {
			abort();
		}
		free(err);
	}
	return 0;
}
