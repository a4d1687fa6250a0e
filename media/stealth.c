/*
 * stealth.c - "stealth" PNG info: generation parameters hidden in the
 * least significant bits of a PNG's pixels, where they survive the sites
 * and tools that strip text chunks.
 *
 * The layout, as the AUTOMATIC1111 extension sd-webui-stealth-pnginfo
 * writes it (scripts/stealth_pnginfo.py: prepare_data, add_data) and
 * NovelAI's published reader reads it (NovelAI/novelai-image-metadata:
 * nai_meta.py, LSBExtractor):
 *  - one stream of bits, each byte most significant bit first;
 *  - pixels taken column by column: x from 0, and within a column y from
 *    0 to height - 1 (the extension's "for x in range(width): for y in
 *    range(height)"; NovelAI's reader steps the row before the column);
 *  - alpha mode: one bit per pixel, the lowest bit of alpha;
 *    RGB mode: three per pixel, the lowest bits of red, green and blue;
 *  - the stream: the 15 ASCII bytes of a signature ("stealth_pnginfo",
 *    "stealth_pngcomp" in alpha; "stealth_rgbinfo", "stealth_rgbcomp" in
 *    RGB; "comp" means the payload is gzip), the payload's length in bits
 *    as a 32-bit big-endian number, then the payload: A1111 parameters
 *    as UTF-8, or NovelAI's JSON.
 * Both tools write 8-bit, non-interlaced truecolour PNGs; nothing else is
 * read.  Rows are inflated and unfiltered as a stream and only the bits
 * the stream needs are kept, so memory is two rows plus the payload: the
 * first pass reads the 152 header bits (the first 152 rows of a picture
 * at least that tall) and stops there when no signature is found.
 */
#include "config.h"

#include "media/media.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "media/genmeta-private.h"
#include "util.h"

/* Signature and length: 15 bytes and 32 bits. */
#define HEAD_BITS (15u * 8u + 32u)
/* A row longer than this is not decoded (a 4-megapixel-wide RGBA row). */
#define ROW_MAX (16u << 20)

struct hdr {
	uint32_t w, h;
	unsigned ch; /* bytes per pixel: 2 grey+alpha, 3 RGB, 4 RGBA */
};

/* One bit stream being collected. */
struct plane {
	int on;
	unsigned per;        /* bits per pixel: 1 (alpha) or 3 (RGB) */
	uint64_t need;       /* stream bits wanted */
	unsigned char *bits; /* (need + 7) / 8 bytes, MSB first */
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int rewind_src(struct gm_src *s)
{
	if (s->f && fseeko(s->f, 0, SEEK_SET) < 0)
		return -1;
	s->pos = 0;
	return 0;
}

/* Pixels of the plane's stream, and rows to decode for them. */
static uint64_t plane_pixels(const struct plane *p)
{
	return (p->need + p->per - 1) / p->per;
}

static uint64_t plane_rows(const struct plane *p, const struct hdr *h)
{
	uint64_t px = plane_pixels(p);

	return !p->on ? 0 : px < h->h ? px : h->h;
}

/* Takes the wanted bits of row y (unfiltered, without the filter byte). */
static void take_row(struct plane *p, const struct hdr *h, const unsigned char *row, uint32_t y)
{
	uint64_t px = plane_pixels(p), cols = (px + h->h - 1) / h->h, x, i;
	unsigned k, v;

	if (cols > h->w)
		cols = h->w;
	for (x = 0; x < cols; x++) {
		uint64_t pix = x * h->h + y;

		for (k = 0; k < p->per; k++) {
			i = pix * p->per + k;
			if (i >= p->need)
				return;
			v = row[x * h->ch + (p->per == 1 ? h->ch - 1 : k)] & 1u;
			if (v)
				p->bits[i >> 3] |= (unsigned char)(0x80u >> (i & 7));
		}
	}
}

static unsigned char paeth(unsigned a, unsigned b, unsigned c)
{
	int p = (int)a + (int)b - (int)c, pa = abs(p - (int)a), pb = abs(p - (int)b),
	    pc = abs(p - (int)c);

	if (pa <= pb && pa <= pc)
		return (unsigned char)a;
	return (unsigned char)(pb <= pc ? b : c);
}

/* Undoes PNG filter f on row r (n bytes) against the previous row pr. */
static int unfilter(unsigned f, unsigned char *r, const unsigned char *pr, size_t n, unsigned bpp)
{
	size_t i;

	switch (f) {
	case 0:
		return 0;
	case 1:
		for (i = bpp; i < n; i++)
			r[i] = (unsigned char)(r[i] + r[i - bpp]);
		return 0;
	case 2:
		for (i = 0; i < n; i++)
			r[i] = (unsigned char)(r[i] + pr[i]);
		return 0;
	case 3:
		for (i = 0; i < n; i++)
			r[i] = (unsigned char)(r[i] + (((i >= bpp ? r[i - bpp] : 0) + pr[i]) >> 1));
		return 0;
	case 4:
		for (i = 0; i < n; i++)
			r[i] = (unsigned char)(r[i] + paeth(i >= bpp ? r[i - bpp] : 0, pr[i],
			                                    i >= bpp ? pr[i - bpp] : 0));
		return 0;
	}
	return -1;
}

/* Decodes the picture's rows until every plane has its bits.  0, or -1
 * with *why when the image data ends or is corrupt first. */
static int decode(struct gm_src *s, const struct hdr *h, struct plane *pl, size_t npl,
                  const char **why)
{
	size_t rb = 1 + (size_t)h->w * h->ch, fill = 0, i;
	uint64_t rows = 0, y = 0;
	unsigned char *cur, *prev, *tmp, ch[8], in[65536];
	uint32_t len, take;
	z_stream z;
	int rc = Z_OK, ret = -1;

	for (i = 0; i < npl; i++)
		if (plane_rows(&pl[i], h) > rows)
			rows = plane_rows(&pl[i], h);
	if (rows == 0)
		return 0;
	if (rewind_src(s) < 0 || gm_src_skip(s, 8) < 0) {
		*why = "the file cannot be read again";
		return -1;
	}
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK) {
		*why = "zlib cannot start";
		return -1;
	}
	cur = xcalloc(1, rb);
	prev = xcalloc(1, rb);
	*why = "the image data ends before the hidden text does";
	while (y < rows && rc != Z_STREAM_END) {
		if (gm_src_read(s, ch, 8) < 0)
			break;
		len = be32(ch);
		if (!memcmp(ch + 4, "IEND", 4))
			break;
		if (memcmp(ch + 4, "IDAT", 4)) {
			if (gm_src_skip(s, (uint64_t)len + 4) < 0)
				break;
			continue;
		}
		while (len && y < rows && rc != Z_STREAM_END) {
			take = len < sizeof in ? len : (uint32_t)sizeof in;
			if (gm_src_read(s, in, take) < 0)
				goto out;
			len -= take;
			z.next_in = in;
			z.avail_in = take;
			while (z.avail_in && y < rows) {
				uInt before = z.avail_in;

				z.next_out = cur + fill;
				z.avail_out = (uInt)(rb - fill);
				rc = inflate(&z, Z_NO_FLUSH);
				if ((rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) ||
				    (z.avail_in == before && z.avail_out == rb - fill)) {
					*why = "the image data is corrupt";
					goto out;
				}
				fill = rb - z.avail_out;
				if (fill == rb) {
					if (unfilter(cur[0], cur + 1, prev + 1, rb - 1, h->ch) < 0) {
						*why = "the image data has an unknown row filter";
						goto out;
					}
					for (i = 0; i < npl; i++)
						if (pl[i].on && y < plane_rows(&pl[i], h))
							take_row(&pl[i], h, cur + 1, (uint32_t)y);
					tmp = prev;
					prev = cur;
					cur = tmp;
					fill = 0;
					y++;
				}
				if (rc == Z_STREAM_END)
					break;
			}
		}
		if (gm_src_skip(s, (uint64_t)len + 4) < 0)
			break;
	}
	if (y >= rows)
		ret = 0;
out:
	inflateEnd(&z);
	free(cur);
	free(prev);
	return ret;
}

static void plane_alloc(struct plane *p, uint64_t need)
{
	free(p->bits);
	p->need = need;
	p->bits = xcalloc(1, (size_t)((need + 7) / 8));
}

int gm_stealth_read(struct gm_src *s, long long pixel_limit, size_t max_bytes,
                    struct gm_stealth *st, const char **why)
{
	static const char *const sigs[4] = {"stealth_pnginfo", "stealth_pngcomp",
	                                    "stealth_rgbinfo", "stealth_rgbcomp"};
	unsigned char b[8 + 8 + 13];
	struct plane pl[2];
	struct hdr h;
	uint64_t bits, cap;
	unsigned depth, ctype;
	int found = -1, rc = 0, k;
	struct plane *p;

	memset(st, 0, sizeof *st);
	memset(pl, 0, sizeof pl);
	sb_init(&st->text);
	if (pixel_limit <= 0)
		pixel_limit = MEDIA_PIXEL_LIMIT_DEFAULT;
	if (rewind_src(s) < 0 || gm_src_read(s, b, sizeof b) < 0 ||
	    memcmp(b, "\x89PNG\r\n\x1a\n", 8) || be32(b + 8) != 13 || memcmp(b + 12, "IHDR", 4))
		return 0;
	h.w = be32(b + 16);
	h.h = be32(b + 20);
	depth = b[24];
	ctype = b[25];
	h.ch = ctype == 6 ? 4 : ctype == 2 ? 3 : ctype == 4 ? 2 : 0;
	if (depth != 8 || b[28] != 0 || !h.ch || !h.w || !h.h ||
	    (uint64_t)h.w * h.h > (uint64_t)pixel_limit || (uint64_t)h.w * h.ch + 1 > ROW_MAX)
		return 0;
	/* First pass: the header of each stream the picture can hold. */
	pl[0].per = 1;
	pl[0].on = (ctype == 6 || ctype == 4) && (uint64_t)h.w * h.h >= HEAD_BITS;
	pl[1].per = 3;
	pl[1].on = (ctype == 6 || ctype == 2) && (uint64_t)h.w * h.h * 3 >= HEAD_BITS;
	for (k = 0; k < 2; k++)
		if (pl[k].on)
			plane_alloc(&pl[k], HEAD_BITS);
	if (decode(s, &h, pl, 2, why) < 0)
		goto none; /* a damaged PNG: the probe says so, not this reader */
	for (k = 0; k < 4 && found < 0; k++)
		if (pl[k / 2].on && !memcmp(pl[k / 2].bits, sigs[k], 15))
			found = k;
	if (found < 0)
		goto none;
	p = &pl[found / 2];
	st->signature = sigs[found];
	st->rgb = found >= 2;
	st->compressed = found & 1;
	pl[1 - found / 2].on = 0;
	bits = be32(p->bits + 15);
	cap = (uint64_t)h.w * h.h * p->per;
	rc = -1;
	if (bits == 0 || bits % 8) {
		*why = "its length is not a whole number of bytes";
		goto none;
	}
	if (bits / 8 > max_bytes) {
		*why = "it is over the size limit for one text";
		goto none;
	}
	if (HEAD_BITS + bits > cap) {
		*why = "its length is more than the picture's pixels hold";
		goto none;
	}
	/* Second pass: the whole stream. */
	plane_alloc(p, HEAD_BITS + bits);
	if (decode(s, &h, p, 1, why) < 0)
		goto none;
	if (st->compressed) {
		if (gm_gunzip(p->bits + HEAD_BITS / 8, (size_t)(bits / 8), max_bytes, &st->text,
		              why) < 0)
			goto none;
	} else {
		sb_add(&st->text, p->bits + HEAD_BITS / 8, (size_t)(bits / 8));
	}
	rc = 1;
none:
	free(pl[0].bits);
	free(pl[1].bits);
	if (rc <= 0)
		sb_free(&st->text);
	return rc;
}
