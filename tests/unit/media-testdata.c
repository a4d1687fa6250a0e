/*
 * media-testdata.c - makers of test media (see media-testdata.h).  The
 * hand-built containers carry just the fields the probes read, laid out
 * as the format documents cited in media/probe-*.c say.
 */
#include "config.h"

#include "media-testdata.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stb_image_write.h>
#include <turbojpeg.h>
#include <webp/encode.h>
#include <zlib.h>

/* ---------------------------------------------------------------- bytes */

static void le16(struct sbuf *b, unsigned v)
{
	unsigned char p[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
	sb_add(b, p, 2);
}

static void le24(struct sbuf *b, uint32_t v)
{
	unsigned char p[3] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16) };
	sb_add(b, p, 3);
}

static void le32(struct sbuf *b, uint32_t v)
{
	le16(b, v & 0xffff);
	le16(b, v >> 16);
}

static void le64(struct sbuf *b, uint64_t v)
{
	le32(b, (uint32_t)v);
	le32(b, (uint32_t)(v >> 32));
}

static void be16(struct sbuf *b, unsigned v)
{
	unsigned char p[2] = { (unsigned char)(v >> 8), (unsigned char)v };
	sb_add(b, p, 2);
}

static void be32(struct sbuf *b, uint32_t v)
{
	be16(b, v >> 16);
	be16(b, v & 0xffff);
}

static void be64(struct sbuf *b, uint64_t v)
{
	be32(b, (uint32_t)(v >> 32));
	be32(b, (uint32_t)v);
}

static void zeros(struct sbuf *b, size_t n)
{
	static const unsigned char z[256];

	while (n > 0) {
		size_t k = n < sizeof z ? n : sizeof z;
		sb_add(b, z, k);
		n -= k;
	}
}

/* ---------------------------------------------------------------- pictures */

unsigned char *td_plasma(int w, int h, int alpha)
{
	unsigned char *p = xmalloc((size_t)w * h * 4);
	uint32_t seed = 12345;
	int x, y;

	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			double v = sin(x * 0.031) + sin(y * 0.023 + 1.3) + sin((x + y) * 0.017) +
				   sin(sqrt((double)x * x + (double)y * y) * 0.05);
			unsigned char *q = p + ((size_t)y * w + x) * 4;
			int n;

			seed = seed * 1103515245u + 12345u;
			n = (int)((seed >> 16) & 15) - 8;
			q[0] = (unsigned char)fmin(255, fmax(0, 128 + 120 * sin(v * M_PI) + n));
			q[1] = (unsigned char)fmin(255, fmax(0, 128 + 120 * sin(v * M_PI + 2) + n));
			q[2] = (unsigned char)fmin(255, fmax(0, 128 + 120 * sin(v * M_PI + 4) + n));
			q[3] = alpha ? (unsigned char)(x * 255 / (w > 1 ? w - 1 : 1)) : 255;
		}
	}
	return p;
}

unsigned char *td_flat(int w, int h, uint32_t rgba)
{
	unsigned char *p = xmalloc((size_t)w * h * 4);
	size_t i;

	for (i = 0; i < (size_t)w * h; i++) {
		p[4 * i] = (unsigned char)(rgba >> 24);
		p[4 * i + 1] = (unsigned char)(rgba >> 16);
		p[4 * i + 2] = (unsigned char)(rgba >> 8);
		p[4 * i + 3] = (unsigned char)rgba;
	}
	return p;
}

static void to_sbuf(void *ctx, void *data, int size)
{
	sb_add(ctx, data, (size_t)size);
}

void td_png(struct sbuf *b, const unsigned char *rgba, int w, int h)
{
	if (!stbi_write_png_to_func(to_sbuf, b, w, h, 4, rgba, w * 4))
		fatal("stbi_write_png_to_func failed");
}

void td_jpeg(struct sbuf *b, const unsigned char *rgba, int w, int h, int quality)
{
	tjhandle tj = tjInitCompress();
	unsigned char *out = NULL;
	unsigned long len = 0;

	if (tj == NULL || tjCompress2(tj, rgba, w, 0, h, TJPF_RGBA, &out, &len, TJSAMP_420,
				      quality, 0) < 0)
		fatal("tjCompress2 failed");
	sb_add(b, out, len);
	tjFree(out);
	tjDestroy(tj);
}

void td_webp(struct sbuf *b, const unsigned char *rgba, int w, int h, int lossless)
{
	uint8_t *out = NULL;
	size_t len;

	len = lossless ? WebPEncodeLosslessRGBA(rgba, w, h, w * 4, &out)
		       : WebPEncodeRGBA(rgba, w, h, w * 4, 80, &out);
	if (len == 0)
		fatal("WebPEncode failed");
	sb_add(b, out, len);
	WebPFree(out);
}

/* The VP8L chunk (header and padded body) of a lossless WebP. */
static void vp8l_chunk(struct sbuf *out, const unsigned char *rgba, int w, int h)
{
	struct sbuf f;
	size_t off = 12, len;

	sb_init(&f);
	td_webp(&f, rgba, w, h, 1);
	while (off + 8 <= f.len) {
		const unsigned char *p = (const unsigned char *)f.s + off;
		len = (size_t)p[4] | (size_t)p[5] << 8 | (size_t)p[6] << 16 | (size_t)p[7] << 24;
		if (memcmp(p, "VP8L", 4) == 0) {
			sb_add(out, p, 8 + len + (len & 1));
			break;
		}
		off += 8 + len + (len & 1);
	}
	sb_free(&f);
}

void td_webp_anim(struct sbuf *out, const unsigned char *a, const unsigned char *b, int w,
		  int h)
{
	const unsigned char *frames[2] = { a, b };
	struct sbuf body, fr;
	int i;

	sb_init(&body);
	sb_adds(&body, "WEBP");
	sb_adds(&body, "VP8X");
	le32(&body, 10);
	sb_addc(&body, 0x12); /* animation + alpha */
	le24(&body, 0);
	le24(&body, (uint32_t)w - 1);
	le24(&body, (uint32_t)h - 1);
	sb_adds(&body, "ANIM");
	le32(&body, 6);
	le32(&body, 0);
	le16(&body, 0);
	for (i = 0; i < 2; i++) {
		sb_init(&fr);
		vp8l_chunk(&fr, frames[i], w, h);
		sb_adds(&body, "ANMF");
		le32(&body, (uint32_t)(16 + fr.len));
		le24(&body, 0);
		le24(&body, 0);
		le24(&body, (uint32_t)w - 1);
		le24(&body, (uint32_t)h - 1);
		le24(&body, 100);
		sb_addc(&body, 0);
		sb_add(&body, fr.s, fr.len);
		sb_free(&fr);
	}
	sb_adds(out, "RIFF");
	le32(out, (uint32_t)body.len);
	sb_add(out, body.s, body.len);
	sb_free(&body);
}

/* GIF image data in which every pixel is a literal 3-bit code after a
 * clear code, so the code width never grows: valid, if not small. */
static void gif_pixels(struct sbuf *b, int npix, int index)
{
	struct sbuf bits;
	uint32_t acc = 0;
	int nbits = 0, i, k;
	size_t off;

	sb_init(&bits);
	for (i = 0; i <= npix; i++) {
		int codes[2] = { 4, index };
		int ncodes = i < npix ? 2 : 1;
		if (i == npix)
			codes[0] = 5; /* end of information */
		for (k = 0; k < ncodes; k++) {
			acc |= (uint32_t)codes[k] << nbits;
			nbits += 3;
			while (nbits >= 8) {
				sb_addc(&bits, (char)(acc & 0xff));
				acc >>= 8;
				nbits -= 8;
			}
		}
	}
	if (nbits > 0)
		sb_addc(&bits, (char)(acc & 0xff));
	sb_addc(b, 2); /* LZW minimum code size */
	for (off = 0; off < bits.len; off += 255) {
		size_t n = bits.len - off < 255 ? bits.len - off : 255;
		sb_addc(b, (char)n);
		sb_add(b, bits.s + off, n);
	}
	sb_addc(b, 0);
	sb_free(&bits);
}

void td_gif(struct sbuf *b, int w, int h, const uint32_t *colors, int frames)
{
	int i;

	sb_adds(b, "GIF89a");
	le16(b, (unsigned)w);
	le16(b, (unsigned)h);
	sb_addc(b, (char)0x81); /* global colour table of 4 */
	sb_addc(b, 0);
	sb_addc(b, 0);
	for (i = 0; i < 4; i++) {
		uint32_t c = i < frames ? colors[i] : 0;
		sb_addc(b, (char)(c >> 24));
		sb_addc(b, (char)(c >> 16));
		sb_addc(b, (char)(c >> 8));
	}
	for (i = 0; i < frames; i++) {
		sb_add(b, "\x21\xf9\x04\x00\x0a\x00\x00\x00", 8); /* 0.1 s per frame */
		sb_addc(b, 0x2c);
		le16(b, 0);
		le16(b, 0);
		le16(b, (unsigned)w);
		le16(b, (unsigned)h);
		sb_addc(b, 0);
		gif_pixels(b, w * h, i % 4);
	}
	sb_addc(b, 0x3b);
}

void td_jpeg_orient(struct sbuf *jpeg, int orientation)
{
	struct sbuf out, app;

	sb_init(&app);
	sb_add(&app, "Exif\0\0", 6);
	sb_add(&app, "MM\0*", 4);
	be32(&app, 8);      /* IFD0 right after the header */
	be16(&app, 1);      /* one entry */
	be16(&app, 0x0112); /* Orientation */
	be16(&app, 3);      /* SHORT */
	be32(&app, 1);
	be16(&app, (unsigned)orientation);
	be16(&app, 0);
	be32(&app, 0); /* no next IFD */
	sb_init(&out);
	sb_add(&out, jpeg->s, 2);
	sb_add(&out, "\xff\xe1", 2);
	be16(&out, (unsigned)app.len + 2);
	sb_add(&out, app.s, app.len);
	sb_add(&out, jpeg->s + 2, jpeg->len - 2);
	sb_free(&app);
	sb_free(jpeg);
	*jpeg = out;
}

void td_png_liar(struct sbuf *b, uint32_t w, uint32_t h)
{
	unsigned char small[4] = { 0, 0, 0, 255 };
	struct sbuf real;

	sb_init(&real);
	td_png(&real, small, 1, 1);
	/* same chunks, but IHDR says w x h (CRC left as it was: readers
	 * that check it are not the ones under test here) */
	sb_add(b, real.s, real.len);
	b->s[16] = (char)(w >> 24);
	b->s[17] = (char)(w >> 16);
	b->s[18] = (char)(w >> 8);
	b->s[19] = (char)w;
	b->s[20] = (char)(h >> 24);
	b->s[21] = (char)(h >> 16);
	b->s[22] = (char)(h >> 8);
	b->s[23] = (char)h;
	sb_free(&real);
}

/* Appends a chunk: length, type and data, CRC. */
static void png_chunk(struct sbuf *b, const char *type, const void *data, size_t n)
{
	uLong crc = crc32(0L, (const Bytef *)type, 4);

	be32(b, (uint32_t)n);
	sb_add(b, type, 4);
	if (n)
		sb_add(b, data, n);
	crc = crc32(crc, data, (uInt)n);
	be32(b, (uint32_t)crc);
}

void td_png16(struct sbuf *b, int w, int h)
{
	unsigned char ihdr[13], *row, out[65536];
	struct sbuf idat;
	z_stream z;
	size_t rowlen = 1 + (size_t)w * 8, i;
	int y, flush;

	sb_add(b, "\x89PNG\r\n\x1a\n", 8);
	ihdr[0] = (unsigned char)(w >> 24);
	ihdr[1] = (unsigned char)(w >> 16);
	ihdr[2] = (unsigned char)(w >> 8);
	ihdr[3] = (unsigned char)w;
	ihdr[4] = (unsigned char)(h >> 24);
	ihdr[5] = (unsigned char)(h >> 16);
	ihdr[6] = (unsigned char)(h >> 8);
	ihdr[7] = (unsigned char)h;
	ihdr[8] = 16; /* bits per channel */
	ihdr[9] = 6;  /* RGBA */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	png_chunk(b, "IHDR", ihdr, sizeof ihdr);
	row = xcalloc(1, rowlen);
	for (i = 1; i < rowlen; i++)
		row[i] = (unsigned char)(i % 8 < 6 ? 0x80 : 0xff); /* grey, opaque */
	row[0] = 0; /* filter: none */
	memset(&z, 0, sizeof z);
	if (deflateInit(&z, 9) != Z_OK)
		fatal("deflateInit failed");
	sb_init(&idat);
	for (y = 0; y < h; y++) {
		flush = y == h - 1 ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = row;
		z.avail_in = (uInt)rowlen;
		do {
			z.next_out = out;
			z.avail_out = sizeof out;
			deflate(&z, flush);
			sb_add(&idat, out, sizeof out - z.avail_out);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	png_chunk(b, "IDAT", idat.s, idat.len);
	png_chunk(b, "IEND", NULL, 0);
	sb_free(&idat);
	free(row);
}

/* ---------------------------------------------------------------- audio */

void td_wav(struct sbuf *b, int format, int bits, int channels, int rate, long frames,
	    int extensible, double (*gen)(long i, int c))
{
	int bytes = (bits + 7) / 8, c;
	uint32_t data_len = (uint32_t)(frames * channels * bytes);
	long i;

	sb_adds(b, "RIFF");
	le32(b, 4 + 8 + (extensible ? 40 : 16) + 8 + data_len);
	sb_adds(b, "WAVE");
	sb_adds(b, "fmt ");
	le32(b, extensible ? 40 : 16);
	le16(b, extensible ? 0xfffe : (unsigned)format);
	le16(b, (unsigned)channels);
	le32(b, (uint32_t)rate);
	le32(b, (uint32_t)(rate * channels * bytes));
	le16(b, (unsigned)(channels * bytes));
	le16(b, (unsigned)bits);
	if (extensible) {
		le16(b, 22);
		le16(b, (unsigned)bits);
		le32(b, 0);
		le16(b, (unsigned)format);
		sb_add(b, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71", 14);
	}
	sb_adds(b, "JUNK"); /* a chunk the reader must step over, of odd size */
	le32(b, 3);
	sb_add(b, "abc\0", 4);
	sb_adds(b, "data");
	le32(b, data_len);
	for (i = 0; i < frames; i++) {
		for (c = 0; c < channels; c++) {
			double v = gen(i, c);
			if (format == 3 && bits == 32) {
				union {
					float f;
					uint32_t u;
				} u;
				u.f = (float)v;
				le32(b, u.u);
			} else if (format == 3) {
				union {
					double d;
					uint64_t u;
				} u;
				u.d = v;
				le64(b, u.u);
			} else if (bits == 8) {
				sb_addc(b, (char)(int)lround(128 + v * 127));
			} else if (bits == 16) {
				le16(b, (unsigned)(int)lround(v * 32767));
			} else if (bits == 24) {
				le24(b, (uint32_t)(int32_t)lround(v * 8388607));
			} else {
				le32(b, (uint32_t)(int32_t)lround(v * 2147483647.0));
			}
		}
	}
}

void td_flac_header(struct sbuf *b, int rate, int channels, int bits, uint64_t samples)
{
	unsigned char si[8];

	sb_adds(b, "fLaC");
	sb_addc(b, (char)0x80); /* last block, STREAMINFO */
	sb_add(b, "\x00\x00\x22", 3);
	be16(b, 4096);
	be16(b, 4096);
	sb_add(b, "\x00\x00\x00\x00\x00\x00", 6);
	si[0] = (unsigned char)(rate >> 12);
	si[1] = (unsigned char)(rate >> 4);
	si[2] = (unsigned char)((rate & 15) << 4 | (channels - 1) << 1 | ((bits - 1) >> 4));
	si[3] = (unsigned char)(((bits - 1) & 15) << 4 | (unsigned)(samples >> 32));
	si[4] = (unsigned char)(samples >> 24);
	si[5] = (unsigned char)(samples >> 16);
	si[6] = (unsigned char)(samples >> 8);
	si[7] = (unsigned char)samples;
	sb_add(b, si, 8);
	zeros(b, 16); /* MD5 */
	sb_add(b, "\xff\xf8\x69\x08\x00\x00", 6); /* a frame header's start */
}

static void ogg_page(struct sbuf *b, int flags, uint64_t granule, uint32_t seq,
		     const void *data, size_t n)
{
	size_t segs = n / 255 + 1, i;

	sb_adds(b, "OggS");
	sb_addc(b, 0);
	sb_addc(b, (char)flags);
	le64(b, granule);
	le32(b, 0x1234);
	le32(b, seq);
	le32(b, 0); /* CRC: not checked by the probe */
	sb_addc(b, (char)segs);
	for (i = 0; i + 1 < segs; i++)
		sb_addc(b, (char)255);
	sb_addc(b, (char)(n % 255));
	sb_add(b, data, n);
}

void td_ogg(struct sbuf *b, int codec, int rate, int channels, uint64_t granule)
{
	struct sbuf id;
	unsigned char junk[300];

	sb_init(&id);
	if (codec == 0) {
		sb_add(&id, "\x01vorbis", 7);
		le32(&id, 0);
		sb_addc(&id, (char)channels);
		le32(&id, (uint32_t)rate);
		le32(&id, 0);
		le32(&id, 128000);
		le32(&id, 0);
		sb_addc(&id, (char)0xb8);
		sb_addc(&id, 1);
	} else {
		sb_add(&id, "OpusHead", 8);
		sb_addc(&id, 1);
		sb_addc(&id, (char)channels);
		le16(&id, 312);
		le32(&id, (uint32_t)rate);
		le16(&id, 0);
		sb_addc(&id, 0);
	}
	memset(junk, 0x4f, sizeof junk); /* holds "OOOO", never "OggS" */
	ogg_page(b, 2, 0, 0, id.s, id.len);
	ogg_page(b, 0, granule / 2, 1, junk, sizeof junk);
	ogg_page(b, 4, granule, 2, junk, 100);
	sb_free(&id);
}

void td_mp3(struct sbuf *b, int frames, int xing, size_t id3)
{
	int i;
	size_t start;

	if (id3 > 0) {
		sb_add(b, "ID3\x04\x00\x00", 6);
		sb_addc(b, (char)((id3 >> 21) & 0x7f));
		sb_addc(b, (char)((id3 >> 14) & 0x7f));
		sb_addc(b, (char)((id3 >> 7) & 0x7f));
		sb_addc(b, (char)(id3 & 0x7f));
		zeros(b, id3);
	}
	for (i = 0; i < frames; i++) {
		start = b->len;
		sb_add(b, "\xff\xfb\x90\x00", 4); /* MPEG-1 III, 128 kbit/s, 44.1 kHz */
		zeros(b, 417 - 4);
		if (i == 0 && xing) {
			memcpy(b->s + start + 36, "Xing\0\0\0\x01", 8);
			b->s[start + 44] = (char)(frames >> 24);
			b->s[start + 45] = (char)(frames >> 16);
			b->s[start + 46] = (char)(frames >> 8);
			b->s[start + 47] = (char)frames;
		}
	}
}

/* ---------------------------------------------------------------- video */

static void box(struct sbuf *b, const char *type, const struct sbuf *body)
{
	be32(b, (uint32_t)(8 + body->len));
	sb_add(b, type, 4);
	sb_add(b, body->s, body->len);
}

static void matrix(struct sbuf *b)
{
	be32(b, 0x00010000);
	be32(b, 0);
	be32(b, 0);
	be32(b, 0);
	be32(b, 0x00010000);
	be32(b, 0);
	be32(b, 0);
	be32(b, 0);
	be32(b, 0x40000000);
}

void td_mp4(struct sbuf *b, const char *brand, uint32_t timescale, uint32_t duration, int w,
	    int h, size_t mdat_len, int large64)
{
	struct sbuf ftyp, mvhd, tkhd, hdlr, mdia, trak, moov;

	sb_init(&ftyp);
	sb_add(&ftyp, brand, 4);
	be32(&ftyp, 0x200);
	sb_add(&ftyp, brand, 4);
	sb_adds(&ftyp, "isom");
	box(b, "ftyp", &ftyp);

	if (large64) {
		be32(b, 1);
		sb_adds(b, "mdat");
		be64(b, 16 + (uint64_t)mdat_len);
	} else {
		be32(b, (uint32_t)(8 + mdat_len));
		sb_adds(b, "mdat");
	}
	zeros(b, mdat_len);

	sb_init(&mvhd);
	be32(&mvhd, 0);
	be32(&mvhd, 0);
	be32(&mvhd, 0);
	be32(&mvhd, timescale);
	be32(&mvhd, duration);
	be32(&mvhd, 0x00010000);
	be16(&mvhd, 0x0100);
	zeros(&mvhd, 10);
	matrix(&mvhd);
	zeros(&mvhd, 24);
	be32(&mvhd, 2);

	sb_init(&tkhd);
	be32(&tkhd, 7);
	be32(&tkhd, 0);
	be32(&tkhd, 0);
	be32(&tkhd, 1);
	be32(&tkhd, 0);
	be32(&tkhd, duration);
	zeros(&tkhd, 8);
	be16(&tkhd, 0);
	be16(&tkhd, 0);
	be16(&tkhd, 0);
	be16(&tkhd, 0);
	matrix(&tkhd);
	be32(&tkhd, (uint32_t)w << 16);
	be32(&tkhd, (uint32_t)h << 16);

	sb_init(&hdlr);
	be32(&hdlr, 0);
	be32(&hdlr, 0);
	sb_adds(&hdlr, "vide");
	zeros(&hdlr, 12);
	sb_addc(&hdlr, 0);

	sb_init(&mdia);
	box(&mdia, "hdlr", &hdlr);
	sb_init(&trak);
	box(&trak, "tkhd", &tkhd);
	box(&trak, "mdia", &mdia);
	sb_init(&moov);
	box(&moov, "mvhd", &mvhd);
	box(&moov, "trak", &trak);
	box(b, "moov", &moov);
	sb_free(&ftyp);
	sb_free(&mvhd);
	sb_free(&tkhd);
	sb_free(&hdlr);
	sb_free(&mdia);
	sb_free(&trak);
	sb_free(&moov);
}

/* An EBML element with an 8-byte size. */
static void ebml(struct sbuf *b, uint32_t id, const void *data, size_t n)
{
	int i, started = 0;

	for (i = 3; i >= 0; i--) {
		unsigned char c = (unsigned char)(id >> (8 * i));
		if (c || started) {
			sb_addc(b, (char)c);
			started = 1;
		}
	}
	sb_addc(b, 0x01);
	for (i = 6; i >= 0; i--)
		sb_addc(b, (char)(n >> (8 * i)));
	sb_add(b, data, n);
}

static void ebml_uint(struct sbuf *b, uint32_t id, uint64_t v)
{
	unsigned char p[8];
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
	ebml(b, id, p, 8);
}

void td_webm(struct sbuf *b, double duration_ms, int w, int h)
{
	struct sbuf hdr, info, video, entry, tracks, seg;
	union {
		double d;
		uint64_t u;
	} f;
	unsigned char fb[8];
	int i;

	sb_init(&hdr);
	ebml_uint(&hdr, 0x4286, 1);
	ebml(&hdr, 0x4282, "webm", 4);
	ebml_uint(&hdr, 0x4287, 4);
	ebml(b, 0x1a45dfa3, hdr.s, hdr.len);

	sb_init(&info);
	ebml_uint(&info, 0x2ad7b1, 1000000);
	f.d = duration_ms;
	for (i = 0; i < 8; i++)
		fb[i] = (unsigned char)(f.u >> (56 - 8 * i));
	ebml(&info, 0x4489, fb, 8);
	sb_init(&video);
	ebml_uint(&video, 0xb0, (uint64_t)w);
	ebml_uint(&video, 0xba, (uint64_t)h);
	sb_init(&entry);
	ebml_uint(&entry, 0xd7, 1);
	ebml_uint(&entry, 0x83, 1);
	ebml(&entry, 0x86, "V_VP9", 5);
	ebml(&entry, 0xe0, video.s, video.len);
	sb_init(&tracks);
	ebml(&tracks, 0xae, entry.s, entry.len);
	sb_init(&seg);
	ebml(&seg, 0x1549a966, info.s, info.len);
	ebml(&seg, 0x1654ae6b, tracks.s, tracks.len);
	ebml(&seg, 0x1f43b675, "\xe7\x81\x00", 3); /* a cluster with a timecode */
	ebml(b, 0x18538067, seg.s, seg.len);
	sb_free(&hdr);
	sb_free(&info);
	sb_free(&video);
	sb_free(&entry);
	sb_free(&tracks);
	sb_free(&seg);
}

/* ---------------------------------------------------------------- files */

char *td_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/lb-media-XXXXXX", base && *base ? base : "/tmp");

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void td_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *td_dir;

int td_setup(void **state)
{
	(void)state;
	td_dir = td_tmpdir();
	return 0;
}

int td_teardown(void **state)
{
	(void)state;
	td_rmtree(td_dir);
	xfree(&td_dir);
	return 0;
}

char *td_write(const char *dir, const char *name, const void *data, size_t n)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	if (f == NULL || (n > 0 && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
		fatal("cannot write %s", path);
	return path;
}

int td_have_ffmpeg(void)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *exe;
	int found = 0;

	if (path == NULL)
		return 0;
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		exe = xasprintf("%s/ffmpeg", *dir ? dir : ".");
		found = access(exe, X_OK) == 0;
		free(exe);
	}
	free(copy);
	return found;
}

int td_ffmpeg(const char *out, const char *const args[])
{
	const char *argv[64];
	int n = 0, i, status;
	pid_t pid;

	argv[n++] = "ffmpeg";
	argv[n++] = "-nostdin";
	argv[n++] = "-v";
	argv[n++] = "error";
	argv[n++] = "-y";
	for (i = 0; args[i] && n < 60; i++)
		argv[n++] = args[i];
	argv[n++] = out;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp("ffmpeg", (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
