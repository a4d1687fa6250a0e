/*
 * encode.c - compact pictures for the terminal link: PNG (our own writer
 * over zlib: RGB when the picture is opaque, one filter for all rows, and
 * at the fast level the zlib strategy that suits the picture; several
 * times faster and smaller than stb_image_write's built-in deflate, see
 * `make bench`), baseline JPEG through libturbojpeg, and a bare zlib
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
 * fraction of the cost.  bpp is 3 or 4. */
static void png_filter_row(const unsigned char *row, const unsigned char *prev, size_t n,
			   int bpp, unsigned char *out)
{
	size_t i;

	if (prev == NULL) {
		out[0] = 1;
		memcpy(out + 1, row, (size_t)bpp);
		for (i = (size_t)bpp; i < n; i++)
			out[1 + i] = (unsigned char)(row[i] - row[i - (size_t)bpp]);
		return;
	}
	out[0] = 2;
	for (i = 0; i < n; i++)
		out[1 + i] = (unsigned char)(row[i] - prev[i]);
}

/* Row y of the picture as PNG wants it: RGBA, or RGB when bpp is 3. */
static const unsigned char *png_row(const unsigned char *rgba, int width, int y, int bpp,
				    unsigned char *tmp)
{
	const unsigned char *row = rgba + (size_t)y * width * 4;
	int x;

	if (bpp == 4)
		return row;
	for (x = 0; x < width; x++)
		memcpy(tmp + (size_t)x * 3, row + (size_t)x * 4, 3);
	return tmp;
}

/* Deflates rows [y0, y1) filtered, with the given strategy, into z (set
 * up by the caller); the last row finishes the stream when fin. */
static int png_deflate_rows(z_stream *z, const unsigned char *rgba, int width, int y0, int y1,
			    int bpp, int fin, unsigned char *line, unsigned char *cur,
			    unsigned char *prev)
{
	size_t stride = (size_t)width * (size_t)bpp;
	unsigned char *t;
	int y;

	for (y = y0; y < y1; y++) {
		const unsigned char *row = png_row(rgba, width, y, bpp, cur);
		int last = fin && y + 1 == y1;

		if (bpp == 4)
			png_filter_row(row, y > y0 ? row - stride : NULL, stride, bpp, line);
		else
			png_filter_row(row, y > y0 ? prev : NULL, stride, bpp, line);
		z->next_in = line;
		z->avail_in = (uInt)(stride + 1);
		if (deflate(z, last ? Z_FINISH : Z_NO_FLUSH) != (last ? Z_STREAM_END : Z_OK) ||
		    z->avail_in != 0)
			return -1;
		t = cur;
		cur = prev;
		prev = t;
	}
	return 0;
}

/*
 * The fast level (1) picks its zlib strategy by trying both on a band of
 * 16 rows: run-length matching only (Z_RLE) is both smaller and twice as
 * fast on grainy photographs and renders, LZ77 wins by far on flat
 * artwork and screenshots.  The sample costs a few percent of the whole.
 */
static int png_pick_strategy(const unsigned char *rgba, int width, int height, int bpp)
{
	int strategies[2] = { Z_RLE, Z_DEFAULT_STRATEGY }, i, y0, y1;
	size_t stride = (size_t)width * (size_t)bpp, size[2] = { 0, 0 }, cap;
	unsigned char *line = xmalloc(stride + 1), *a = xmalloc(stride), *b = xmalloc(stride);
	unsigned char *out;
	z_stream z;

	y0 = height > 16 ? height / 2 - 8 : 0;
	y1 = height > 16 ? y0 + 16 : height;
	cap = (stride + 1) * (size_t)(y1 - y0) + 1024;
	cap += cap / 8;
	out = xmalloc(cap);
	for (i = 0; i < 2; i++) {
		memset(&z, 0, sizeof z);
		if (deflateInit2(&z, 1, Z_DEFLATED, 15, 8, strategies[i]) != Z_OK)
			continue;
		z.next_out = out;
		z.avail_out = (uInt)cap;
		if (png_deflate_rows(&z, rgba, width, y0, y1, bpp, 1, line, a, b) == 0)
			size[i] = z.total_out;
		deflateEnd(&z);
	}
	free(line);
	free(a);
	free(b);
	free(out);
	return size[0] > 0 && (size[1] == 0 || size[0] <= size[1]) ? Z_RLE : Z_DEFAULT_STRATEGY;
}

int media_png_encode(const unsigned char *rgba, int width, int height, int level,
		     unsigned char **out, size_t *len, char **err)
{
	unsigned char ihdr[13], *zbuf = NULL, *line = NULL, *cur = NULL, *prev = NULL;
	size_t stride, zcap, done, i, npx;
	int bpp = 3, strategy = Z_DEFAULT_STRATEGY, rc = -1;
	struct sbuf b;
	z_stream z;

	*out = NULL;
	*len = 0;
	if (width <= 0 || height <= 0 || (size_t)width > (SIZE_MAX / 8 - 1) / 4 ||
	    (size_t)height > SIZE_MAX / 8 / ((size_t)width * 4 + 1))
		return media_err(err, "cannot encode PNG: bad size %dx%d", width, height);
	if (level < 0 || level > 9)
		level = 1;
	npx = (size_t)width * (size_t)height;
	for (i = 0; i < npx && bpp == 3; i++)
		if (rgba[4 * i + 3] != 255)
			bpp = 4; /* opaque pictures go as RGB: a quarter less to squeeze */
	if (level == 1)
		strategy = png_pick_strategy(rgba, width, height, bpp);
	stride = (size_t)width * (size_t)bpp;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level, Z_DEFLATED, 15, 8, strategy) != Z_OK)
		return media_err(err, "cannot encode PNG: zlib would not start");
	zcap = deflateBound(&z, (uLong)((stride + 1) * (size_t)height));
	zbuf = xmalloc(zcap);
	line = xmalloc(stride + 1);
	cur = xmalloc(stride);
	prev = xmalloc(stride);
	z.next_out = zbuf;
	z.avail_out = (uInt)(zcap > UINT_MAX ? UINT_MAX : zcap);
	if (png_deflate_rows(&z, rgba, width, 0, height, bpp, 1, line, cur, prev) < 0) {
		media_err(err, "cannot encode PNG: zlib failed");
		goto out;
	}
	sb_init(&b);
	sb_add(&b, "\x89PNG\r\n\x1a\n", 8);
	put_be32(ihdr, (uint32_t)width);
	put_be32(ihdr + 4, (uint32_t)height);
	memcpy(ihdr + 8, bpp == 4 ? "\x08\x06\x00\x00\x00" : "\x08\x02\x00\x00\x00", 5);
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
	free(cur);
	free(prev);
	return rc;
}

int media_jpeg_encode(const unsigned char *rgba, int width, int height, int quality,
		      unsigned char **out, size_t *len, char **err)
{
	tjhandle tj;
	unsigned char *buf;
	unsigned long size, cap;
	int rc = -1, ss;

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
	ss = quality >= 90 ? TJSAMP_444 : TJSAMP_420;
	cap = tjBufSize(width, height, ss);
	if (cap == (unsigned long)-1) {
		media_err(err, "cannot encode JPEG: %s", tjGetErrorStr2(tj));
		goto done;
	}
	buf = xmalloc(cap);
	size = cap;
	if (tjCompress2(tj, rgba, width, 0, height, TJPF_RGBA, &buf, &size, ss, quality,
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
