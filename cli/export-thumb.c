/*
 * export-thumb.c - the thumbnails of `lightbox export --format html`:
 * store/ writes the page but does not decode pictures, so the command
 * hands it this function.  Pictures come through media/'s thumbnail
 * cache (the interface's: a second export reuses them), videos as their
 * poster frame; transparent pixels are laid on white, as a JPEG has no
 * alpha.
 */
#include "config.h"

#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "media/media.h"
#include "util.h"

static int valid_sha(const char *s)
{
	size_t i;

	for (i = 0; s && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s && s[64] == '\0';
}

static int thumb(void *ctx, const char *src, const char *sha256, int max_side, unsigned char **jpeg,
		 size_t *len, int *w, int *h, char **err)
{
	struct store *st = ctx;
	struct media_image img = { 0 };
	unsigned char *p;
	size_t i;
	int rc;

	if (valid_sha(sha256))
		rc = media_thumb_load(store_cache_dir(st), sha256, src, max_side, max_side,
				      MEDIA_PIXEL_LIMIT_DEFAULT, &img, err);
	else
		rc = media_image_load(src, max_side, max_side, MEDIA_PIXEL_LIMIT_DEFAULT, &img, err);
	if (rc < 0)
		return -1;
	for (i = 0, p = img.rgba; i < (size_t)img.width * img.height; i++, p += 4) {
		unsigned a = p[3];

		p[0] = (unsigned char)((p[0] * a + 255 * (255 - a) + 127) / 255);
		p[1] = (unsigned char)((p[1] * a + 255 * (255 - a) + 127) / 255);
		p[2] = (unsigned char)((p[2] * a + 255 * (255 - a) + 127) / 255);
		p[3] = 255;
	}
	rc = media_jpeg_encode(img.rgba, img.width, img.height, 85, jpeg, len, err);
	*w = img.width;
	*h = img.height;
	media_image_free(&img);
	return rc;
}

void cli_export_thumbs(struct cli *c, struct lb_export_options *o)
{
	o->thumb = thumb;
	o->thumb_ctx = c->st;
}
