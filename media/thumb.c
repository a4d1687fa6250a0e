/*
 * thumb.c - the thumbnail cache: one file per (asset, box size) under
 * CACHE/thumbs/XX/<sha256>-<W>x<H>.lbt, written atomically, checked on
 * every read, rebuilt when missing or damaged.  Assets are content-
 * addressed, so a thumbnail never goes stale; only a change of this
 * format (its version byte) retires old files.
 *
 * The file is a 48-byte header and the pixels, coded as JPEG (quality 90,
 * 4:4:4) when the picture is opaque and as PNG when it has transparency:
 *
 *   0  "LBTHUMB" + version (1)     24  frames in the source
 *   8  width   12  height           28  encoding (1 JPEG, 2 PNG)
 *   16 source width  20 height      32  payload bytes (64-bit)
 *   40 CRC-32 of the payload        44  CRC-32 of bytes 0..43
 *
 * (all little-endian).  Chosen by measurement (`make bench`: an 800x800
 * thumbnail of a grainy render, CPU time to read and decode): raw RGBA
 * loads in 0.7 ms but costs 2.5 MB a thumbnail (25 GB for 10,000 assets);
 * zlib and PNG save a fifth and two fifths of that and load in 14 and
 * 10 ms; JPEG q90 4:4:4 takes 380 KB, loads in 4 ms, and is off by 2.7/255
 * on average - below what sixel palettes and text cells can show.
 */
#include "config.h"

#include "media.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "decode-private.h"
#include "util.h"

#define THUMB_MAGIC "LBTHUMB\x01"
#define THUMB_HDR 48
#define ENC_JPEG 1
#define ENC_PNG 2
#define THUMB_QUALITY 90

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static int valid_sha(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

char *media_thumb_path(const char *cache_dir, const char *sha256_hex, int max_w, int max_h)
{
	return xasprintf("%s/thumbs/%.2s/%s-%dx%d.lbt", cache_dir, sha256_hex, sha256_hex, max_w,
			 max_h);
}

/* Reads a cached thumbnail; 0 when it is whole and fits the box. */
static int thumb_read(const char *path, int max_w, int max_h, struct media_image *out)
{
	unsigned char *data = NULL, *px = NULL;
	struct media_image img;
	size_t n;
	uint64_t plen;
	uint32_t w, h, enc;
	int rc = -1;

	if (media_read_all(path, (size_t)1 << 30, &data, &n, NULL) < 0)
		return -1;
	if (n < THUMB_HDR || memcmp(data, THUMB_MAGIC, 8) != 0 ||
	    crc32(0L, data, 44) != rd_le32(data + 44))
		goto out;
	w = rd_le32(data + 8);
	h = rd_le32(data + 12);
	enc = rd_le32(data + 28);
	plen = rd_le64(data + 32);
	if (w == 0 || h == 0 || w > 65535 || h > 65535 || (max_w > 0 && w > (uint32_t)max_w) ||
	    (max_h > 0 && h > (uint32_t)max_h) || plen != n - THUMB_HDR ||
	    crc32(0L, data + THUMB_HDR, (uInt)plen) != rd_le32(data + 40))
		goto out;
	if (enc != ENC_JPEG && enc != ENC_PNG)
		goto out;
	if (media_image_load_mem(data + THUMB_HDR, (size_t)plen, 0, 0, (long long)w * h, &img,
				 NULL) < 0)
		goto out;
	if (img.width != (int)w || img.height != (int)h) {
		media_image_free(&img);
		goto out;
	}
	px = img.rgba;
	out->rgba = px;
	px = NULL;
	out->width = (int)w;
	out->height = (int)h;
	out->src_width = (int)rd_le32(data + 16);
	out->src_height = (int)rd_le32(data + 20);
	out->frames = (int)rd_le32(data + 24);
	out->decoded_width = (int)w;
	out->decoded_height = (int)h;
	rc = 0;
out:
	free(px);
	free(data);
	return rc;
}

/* Stores img at path, atomically; failures only cost the next load time. */
static void thumb_write(const char *path, const struct media_image *img)
{
	unsigned char hdr[THUMB_HDR], *payload = NULL, *file;
	size_t npx = (size_t)img->width * img->height, plen, i;
	char *dir, *slash;
	int enc = ENC_JPEG, rc;

	for (i = 0; i < npx && enc == ENC_JPEG; i++)
		if (img->rgba[4 * i + 3] != 255)
			enc = ENC_PNG;
	if (enc == ENC_JPEG)
		rc = media_jpeg_encode(img->rgba, img->width, img->height, THUMB_QUALITY, &payload,
				       &plen, NULL);
	else
		rc = media_png_encode(img->rgba, img->width, img->height, 1, &payload, &plen, NULL);
	if (rc < 0)
		return;
	memcpy(hdr, THUMB_MAGIC, 8);
	put_le32(hdr + 8, (uint32_t)img->width);
	put_le32(hdr + 12, (uint32_t)img->height);
	put_le32(hdr + 16, (uint32_t)img->src_width);
	put_le32(hdr + 20, (uint32_t)img->src_height);
	put_le32(hdr + 24, (uint32_t)img->frames);
	put_le32(hdr + 28, (uint32_t)enc);
	put_le32(hdr + 32, (uint32_t)plen);
	put_le32(hdr + 36, (uint32_t)((uint64_t)plen >> 32));
	put_le32(hdr + 40, (uint32_t)crc32(0L, payload, (uInt)plen));
	put_le32(hdr + 44, (uint32_t)crc32(0L, hdr, 44));
	file = xmalloc(THUMB_HDR + plen);
	memcpy(file, hdr, THUMB_HDR);
	memcpy(file + THUMB_HDR, payload, plen);
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	if (util_mkdir_p(dir) == 0)
		(void)util_write_atomic(path, file, THUMB_HDR + plen);
	free(dir);
	free(file);
	free(payload);
}

/* The source's header facts, tolerating a cut-short file. */
static int quick_probe(const char *path, struct media_info *info)
{
	struct msrc s;
	int rc;

	if (msrc_open(&s, path, NULL) < 0)
		return -1;
	s.quick = 1;
	rc = probe_source(&s, info, NULL);
	msrc_close(&s);
	return rc;
}

int media_thumb_load(const char *cache_dir, const char *sha256_hex, const char *src_path,
		     int max_w, int max_h, long long pixel_limit, struct media_image *out,
		     char **err)
{
	struct media_info info;
	char *path;
	int rc;

	memset(out, 0, sizeof *out);
	if (sha256_hex == NULL || !valid_sha(sha256_hex))
		return media_err(err, "bad asset hash for the thumbnail cache: \"%.70s\"",
				 sha256_hex ? sha256_hex : "(none)");
	if (max_w <= 0 || max_h <= 0)
		return media_err(err, "bad thumbnail size %dx%d", max_w, max_h);
	path = media_thumb_path(cache_dir, sha256_hex, max_w, max_h);
	if (thumb_read(path, max_w, max_h, out) == 0) {
		free(path);
		return 1;
	}
	if (quick_probe(src_path, &info) == 0 && info.kind == MEDIA_VIDEO)
		rc = media_video_poster(src_path, max_w, max_h, pixel_limit, out, NULL, err);
	else
		rc = media_image_load(src_path, max_w, max_h, pixel_limit, out, err);
	if (rc == 0)
		thumb_write(path, out);
	free(path);
	return rc < 0 ? -1 : 0;
}
