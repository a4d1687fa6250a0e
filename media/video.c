/*
 * video.c - a poster frame for a video: ffmpeg seeks to about a tenth of
 * the way in (before opening the input, so it jumps to the nearest key
 * frame instead of decoding its way there), scales the frame to the box
 * and writes one PNG to a pipe, which stb_image decodes.  The facts come
 * from the built-in parsers, never from ffmpeg's chatter.
 */
#include "config.h"

#include "media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode-private.h"
#include "util.h"

#define POSTER_TIMEOUT_MS 20000
#define POSTER_MAX_OUT ((size_t)64 << 20)

static int collect(void *ctx, const unsigned char *p, size_t n)
{
	sb_add(ctx, p, n);
	return 0;
}

/* One frame at `at` seconds as PNG bytes in *png; 0 or -1 with *err. */
static int grab(const char *path, double at, int max_w, int max_h, struct sbuf *png,
		int *missing, char **err)
{
	char *input = xasprintf("file:%s", path), seek[32], *vf = NULL;
	const char *argv[24];
	int n = 0, rc;

	snprintf(seek, sizeof seek, "%.3f", at);
	argv[n++] = media_ffmpeg_program();
	argv[n++] = "-nostdin";
	argv[n++] = "-hide_banner";
	argv[n++] = "-v";
	argv[n++] = "error";
	argv[n++] = "-ss";
	argv[n++] = seek;
	argv[n++] = "-i";
	argv[n++] = input;
	argv[n++] = "-map";
	argv[n++] = "0:v:0";
	argv[n++] = "-frames:v";
	argv[n++] = "1";
	if (max_w > 0 && max_h > 0) {
		vf = xasprintf("scale=w=%d:h=%d:force_original_aspect_ratio=decrease", max_w,
			       max_h);
		argv[n++] = "-vf";
		argv[n++] = vf;
	}
	argv[n++] = "-f";
	argv[n++] = "image2pipe";
	argv[n++] = "-vcodec";
	argv[n++] = "png";
	argv[n++] = "-";
	argv[n] = NULL;
	sb_reset(png);
	rc = media_run(argv, POSTER_TIMEOUT_MS, POSTER_MAX_OUT, collect, png, missing, err);
	free(input);
	free(vf);
	return rc;
}

int media_video_poster(const char *path, int max_w, int max_h, long long pixel_limit,
		       struct media_image *out, struct media_info *info, char **err)
{
	struct media_info local;
	struct sbuf png;
	double at;
	int missing = 0, rc = -1;

	memset(out, 0, sizeof *out);
	if (info == NULL)
		info = &local;
	if (media_probe_file(path, info, err) < 0) {
		struct msrc s;

		/* a cut-short download still has frames to show */
		if (msrc_open(&s, path, NULL) < 0)
			return -1;
		s.quick = 1;
		rc = probe_source(&s, info, NULL);
		msrc_close(&s);
		if (rc < 0)
			return -1;
		if (err != NULL)
			xfree(err);
	}
	if (info->kind != MEDIA_VIDEO)
		return media_err(err, "not a video: the file holds %s (%s)",
				 media_kind_name(info->kind), info->mime);
	if (pixel_limit <= 0)
		pixel_limit = MEDIA_PIXEL_LIMIT_DEFAULT;
	if ((long long)info->width * info->height > pixel_limit)
		return media_err(err, "video frames too large: %dx%d is over the pixel limit of "
				 "%.1f megapixels (raise it with `set pixel-limit`)",
				 info->width, info->height, pixel_limit / 1e6);
	sb_init(&png);
	at = info->duration > 0 ? info->duration / 10 : 0;
	rc = grab(path, at, max_w, max_h, &png, &missing, err);
	if (rc == 0 && png.len == 0 && at > 0)
		rc = grab(path, 0, max_w, max_h, &png, &missing, err);
	if (rc < 0) {
		if (missing)
			media_err(err, "ffmpeg not installed: showing facts only (install ffmpeg "
				       "for video poster frames)");
		goto out;
	}
	if (png.len == 0) {
		rc = media_err(err, "ffmpeg found no video frame to show");
		goto out;
	}
	rc = media_image_load_mem(png.s, png.len, max_w, max_h, pixel_limit, out, err);
	if (rc == 0 && info->width > 0 && info->height > 0) {
		out->src_width = info->width;
		out->src_height = info->height;
	}
out:
	sb_free(&png);
	return rc;
}
