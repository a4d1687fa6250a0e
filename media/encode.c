/*
 * encode.c - compact pictures for the terminal link: PNG (our own writer
 * over zlib: one filter per image and a fast deflate level beat
 * stb_image_write's built-in deflate by a wide margin in time and size,
 * see `make bench`), baseline JPEG through libturbojpeg, and a bare zlib
 * stream (kitty's o=z payload).
 *
 * PNG layout follows ISO/IEC 15948 (W3C PNG 2nd edition): signature,
 * IHDR, IDAT chunks of a zlib stream of filtered scanlines, IEND; CRC-32
 * over type and data.
 */
#include "config.h"

#include "media.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>
#include <zlib.h>

#include "decode-private.h"
#include "util.h"

/* Largest IDAT chunk written. */
#define IDAT_MAX (1u << 30)

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void png_chunk(struct sbuf *b, const char *type, const unsigned char *data, size_t n)
{
	unsigned char hdr[8];
	uLong crc;

	put_be32(hdr, (uint32_t)n);
	memcpy(hdr + 4, type, 4);
	sb_add(b, hdr, 8);
	if (n > 0)
		sb_add(b, data, n);
	crc = crc32(0L, (const Bytef *)type, 4);
	if (n > 0)
		crc = crc32(crc, data, (uInt)n);
	put_be32(hdr, (uint32_t)crc);
	sb_add(b, hdr, 4);
}

/* Filter "Up" for every row but the first ("Sub"): on photographs and
 * renders it compresses within a few percent of adaptive filtering at a
 * fraction of the cost. */
static void png_filter_row(const unsigned char *row, const unsigned char *prev, size_t n,
			   unsigned char *out)
{
	size_t i;

	if (prev == NULL) {
		out[0] = 1;
		memcpy(out + 1, row, 4);
		for (i = 4; i < n; i++)
			out[1 + i] = (unsigned char)(row[i] - row[i - 4]);
		return;
	}
	out[0] = 2;
	for (i = 0; i < n; i++)
		out[1 + i] = (unsigned char)(row[i] - prev[i]);
}

int media_png_encode(const unsigned char *rgba, int width, int height, int level,
		     unsigned char **out, size_t *len, char **err)
{
	unsigned char ihdr[13], *zbuf = NULL, *line = NULL;
	size_t stride, zcap, done;
	struct sbuf b;
	z_stream z;
	int y, rc = -1;

	*out = NULL;
	*len = 0;
	if (width <= 0 || height <= 0 || (size_t)width > (SIZE_MAX / 8 - 1) / 4 ||
	    (size_t)height > SIZE_MAX / 8 / ((size_t)width * 4 + 1))
		return media_err(err, "cannot encode PNG: bad size %dx%d", width, height);
	if (level < 0 || level > 9)
		level = 1;
	stride = (size_t)width * 4;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return media_err(err, "cannot encode PNG: zlib would not start");
	zcap = deflateBound(&z, (uLong)((stride + 1) * (size_t)height));
	zbuf = xmalloc(zcap);
	line = xmalloc(stride + 1);
	z.next_out = zbuf;
	z.avail_out = (uInt)(zcap > UINT_MAX ? UINT_MAX : zcap);
	for (y = 0; y < height; y++) {
		const unsigned char *row = rgba + (size_t)y * stride;
		int last = y + 1 == height;

		png_filter_row(row, y ? row - stride : NULL, stride, line);
		z.next_in = line;
		z.avail_in = (uInt)(stride + 1);
		if (deflate(&z, last ? Z_FINISH : Z_NO_FLUSH) != (last ? Z_STREAM_END : Z_OK) ||
		    z.avail_in != 0) {
			media_err(err, "cannot encode PNG: zlib failed");
			goto out;
		}
	}
	sb_init(&b);
	sb_add(&b, "\x89PNG\r\n\x1a\n", 8);
	put_be32(ihdr, (uint32_t)width);
	put_be32(ihdr + 4, (uint32_t)height);
	memcpy(ihdr + 8, "\x08\x06\x00\x00\x00", 5);
	png_chunk(&b, "IHDR", ihdr, sizeof ihdr);
	for (done = 0; done < z.total_out;) {
		size_t n = z.total_out - done > IDAT_MAX ? IDAT_MAX : z.total_out - done;
		png_chunk(&b, "IDAT", zbuf + done, n);
		done += n;
	}
	png_chunk(&b, "IEND", NULL, 0);
	*len = b.len;
	*out = (unsigned char *)sb_steal(&b);
	rc = 0;
out:
	deflateEnd(&z);
	free(zbuf);
	free(line);
	return rc;
}

int media_jpeg_encode(const unsigned char *rgba, int width, int height, int quality,
		      unsigned char **out, size_t *len, char **err)
{
	tjhandle tj;
	unsigned char *buf;
	unsigned long size, cap;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if (width <= 0 || height <= 0 || width > 65535 || height > 65535)
		return media_err(err, "cannot encode JPEG: bad size %dx%d", width, height);
	if (quality < 1)
		quality = 1;
	if (quality > 100)
		quality = 100;
	tj = tjInitCompress();
	if (tj == NULL)
		return media_err(err, "cannot start the JPEG encoder: %s", tjGetErrorStr2(NULL));
	cap = tjBufSize(width, height, TJSAMP_420);
	if (cap == (unsigned long)-1) {
		media_err(err, "cannot encode JPEG: %s", tjGetErrorStr2(tj));
		goto done;
	}
	buf = xmalloc(cap);
	size = cap;
	if (tjCompress2(tj, rgba, width, 0, height, TJPF_RGBA, &buf, &size, TJSAMP_420, quality,
			TJFLAG_NOREALLOC) < 0) {
		media_err(err, "cannot encode JPEG: %s", tjGetErrorStr2(tj));
		free(buf);
		goto done;
	}
	*out = buf;
	*len = size;
	rc = 0;
done:
	tjDestroy(tj);
	return rc;
}

int media_zlib_encode(const void *data, size_t n, int level, unsigned char **out, size_t *len,
		      char **err)
{
	uLongf cap;
	unsigned char *buf;

	*out = NULL;
	*len = 0;
	if (n > ULONG_MAX / 2)
		return media_err(err, "cannot compress: %zu bytes is too much", n);
	if (level < 0 || level > 9)
		level = 1;
	cap = compressBound((uLong)n);
	buf = xmalloc(cap);
	if (compress2(buf, &cap, data, (uLong)n, level) != Z_OK) {
		free(buf);
		return media_err(err, "cannot compress: zlib failed");
	}
	*out = buf;
	*len = cap;
	return 0;
}
