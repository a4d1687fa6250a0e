/*
 * image.c - pictures decoded at the size a preview needs.
 *
 * The header is probed first (a few hundred bytes; no pixel memory) and a
 * picture over the pixel limit is refused right there.  JPEG goes through
 * libturbojpeg's scaled decode (the smallest of its M/8 factors that is
 * still at least the target size), WebP through libwebp's built-in
 * rescaler, PNG and GIF (first frame) through stb_image; whatever is not
 * yet at the target size is then shrunk with an area average (our own:
 * two to three times cheaper than stb_image_resize in `make bench`, and a
 * box filter is what shrinking wants).  JPEG EXIF orientation is applied,
 * so sizes are always as displayed.
 */
#include "config.h"

#include "media.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include "decode-private.h"
#include "util.h"

/* Files bigger than this are not read whole to decode a picture. */
#define IMAGE_FILE_MAX ((size_t)1 << 30)

void media_image_free(struct media_image *img)
{
	if (img == NULL)
		return;
	free(img->rgba);
	memset(img, 0, sizeof *img);
}

void media_fit(int src_w, int src_h, int max_w, int max_h, int *w, int *h)
{
	double sx, sy, s;

	if (src_w < 1)
		src_w = 1;
	if (src_h < 1)
		src_h = 1;
	sx = max_w > 0 ? (double)max_w / src_w : 1.0;
	sy = max_h > 0 ? (double)max_h / src_h : 1.0;
	s = sx < sy ? sx : sy;
	if (s >= 1.0) {
		*w = src_w;
		*h = src_h;
		return;
	}
	*w = (int)(src_w * s + 0.5);
	*h = (int)(src_h * s + 0.5);
	if (max_w > 0 && *w > max_w)
		*w = max_w;
	if (max_h > 0 && *h > max_h)
		*h = max_h;
	if (*w < 1)
		*w = 1;
	if (*h < 1)
		*h = 1;
}

/* ---------------------------------------------------------------- resize */

/* Which source pixels (first, count) cover destination pixel i of n along
 * a side of sn source pixels, and how much of each (in source pixels). */
struct span {
	int first, count;
	float *w;
};

static struct span *spans_new(int sn, int n, float **store)
{
	struct span *sp = xmalloc(sizeof *sp * (size_t)n);
	double f = (double)sn / n;
	float *w = xmalloc(sizeof *w * ((size_t)sn + 2 * (size_t)n));
	size_t used = 0;
	int i, k;

	for (i = 0; i < n; i++) {
		double a = i * f, b = (i + 1) * f;
		int lo = (int)a, hi = (int)b;

		if (hi >= sn || (double)hi == b)
			hi = hi > lo ? hi - 1 : lo;
		if (hi >= sn)
			hi = sn - 1;
		if (lo > hi)
			lo = hi;
		sp[i].first = lo;
		sp[i].count = hi - lo + 1;
		sp[i].w = w + used;
		for (k = lo; k <= hi; k++) {
			double l = k > a ? k : a, r = k + 1 < b ? k + 1 : b;
			w[used++] = r > l ? (float)(r - l) : 0.0f;
		}
	}
	*store = w;
	return sp;
}

/* Adds w times the horizontally shrunk source row `line` into acc. */
static void add_row(const unsigned char *line, const struct span *xs, int w, float wy,
		    int opaque, float *acc)
{
	int x, j;

	for (x = 0; x < w; x++) {
		const unsigned char *p = line + (size_t)xs[x].first * 4;
		const float *wx = xs[x].w;
		float r = 0, g = 0, b = 0, a = 0;

		if (opaque) {
			for (j = 0; j < xs[x].count; j++, p += 4) {
				r += wx[j] * p[0];
				g += wx[j] * p[1];
				b += wx[j] * p[2];
			}
			a = 0;
		} else {
			for (j = 0; j < xs[x].count; j++, p += 4) {
				float pa = wx[j] * p[3];
				r += pa * p[0];
				g += pa * p[1];
				b += pa * p[2];
				a += pa;
			}
		}
		acc[4 * x] += wy * r;
		acc[4 * x + 1] += wy * g;
		acc[4 * x + 2] += wy * b;
		acc[4 * x + 3] += wy * a;
	}
}

static unsigned char to_byte(float v)
{
	v += 0.5f;
	return v <= 0 ? 0 : v >= 255 ? 255 : (unsigned char)v;
}

/* Writes destination row y from its accumulated sums. */
static void put_row(const float *acc, const struct span *xs, float area_y, int w, int opaque,
		    unsigned char *d)
{
	int x, j;

	for (x = 0; x < w; x++, d += 4) {
		const float *o = acc + 4 * x;
		float area = 0;

		for (j = 0; j < xs[x].count; j++)
			area += xs[x].w[j];
		area *= area_y;
		if (opaque) {
			d[0] = to_byte(o[0] / area);
			d[1] = to_byte(o[1] / area);
			d[2] = to_byte(o[2] / area);
			d[3] = 255;
		} else if (o[3] <= 0 || area <= 0) {
			d[0] = d[1] = d[2] = d[3] = 0;
		} else {
			d[0] = to_byte(o[0] / o[3]);
			d[1] = to_byte(o[1] / o[3]);
			d[2] = to_byte(o[2] / o[3]);
			d[3] = to_byte(o[3] / area);
		}
	}
}

/*
 * Area average: each destination pixel is the mean of the source area it
 * covers (fractional at the edges), weighted by alpha so that the colour
 * of transparent pixels does not bleed.  A box filter is what a shrink to
 * a preview wants: no ringing, every source pixel counted once.  Each
 * source row is shrunk across and added into the destination row it
 * falls in (a row straddling two is shrunk twice).
 */
unsigned char *media_rgba_resize(const unsigned char *src, int sw, int sh, int w, int h)
{
	unsigned char *dst = xmalloc((size_t)w * h * 4);
	float *xstore, *ystore, *acc;
	struct span *xs, *ys;
	int y, k, opaque = 1;
	size_t i, n = (size_t)sw * sh;

	if (w == sw && h == sh) {
		memcpy(dst, src, (size_t)w * h * 4);
		return dst;
	}
	for (i = 0; i < n && opaque; i++)
		opaque = src[4 * i + 3] == 255;
	xs = spans_new(sw, w, &xstore);
	ys = spans_new(sh, h, &ystore);
	acc = xmalloc(sizeof *acc * (size_t)w * 4);
	for (y = 0; y < h; y++) {
		float area_y = 0;

		memset(acc, 0, sizeof *acc * (size_t)w * 4);
		for (k = 0; k < ys[y].count; k++) {
			float wy = ys[y].w[k];

			if (wy <= 0)
				continue;
			area_y += wy;
			add_row(src + (size_t)(ys[y].first + k) * sw * 4, xs, w, wy, opaque, acc);
		}
		put_row(acc, xs, area_y, w, opaque, dst + (size_t)y * w * 4);
	}
	free(xs);
	free(ys);
	free(xstore);
	free(ystore);
	free(acc);
	return dst;
}

/* ---------------------------------------------------------------- orientation */

/* The stored picture (sw x sh) turned to EXIF orientation o (2..8) as
 * displayed; owned result, *w x *h. */
static unsigned char *orient(const unsigned char *src, int sw, int sh, int o, int *w, int *h)
{
	int W = o >= 5 ? sh : sw, H = o >= 5 ? sw : sh, x, y, sx, sy;
	unsigned char *dst = xmalloc((size_t)W * H * 4);

	for (y = 0; y < H; y++) {
		for (x = 0; x < W; x++) {
			switch (o) {
			case 2: sx = W - 1 - x; sy = y; break;
			case 3: sx = W - 1 - x; sy = H - 1 - y; break;
			case 4: sx = x; sy = H - 1 - y; break;
			case 5: sx = y; sy = x; break;
			case 6: sx = y; sy = W - 1 - x; break;
			case 7: sx = H - 1 - y; sy = W - 1 - x; break;
			case 8: sx = H - 1 - y; sy = x; break;
			default: sx = x; sy = y; break;
			}
			memcpy(dst + ((size_t)y * W + x) * 4, src + ((size_t)sy * sw + sx) * 4, 4);
		}
	}
	*w = W;
	*h = H;
	return dst;
}

/* ---------------------------------------------------------------- decoders */

/* A decoded picture before the final fit: pixels of pw x ph. */
struct raw {
	unsigned char *px; /* owned, malloc'd */
	int w, h;
};

static int decode_jpeg(const unsigned char *data, size_t n, int tw, int th, long long limit,
		       struct raw *r, char **err)
{
	tjhandle tj = tjInitDecompress();
	tjscalingfactor *sf;
	int w, h, ss, cs, nsf, i, sw = 0, sh = 0, pf, rc = -1;
	unsigned char *buf = NULL;
	size_t k, npx;

	if (tj == NULL)
		return media_err(err, "cannot start the JPEG decoder: %s", tjGetErrorStr2(NULL));
	if (n > ULONG_MAX ||
	    tjDecompressHeader3(tj, data, (unsigned long)n, &w, &h, &ss, &cs) < 0) {
		media_err(err, "cannot decode JPEG: %s", tjGetErrorStr2(tj));
		goto out;
	}
	if ((long long)w * h > limit) {
		media_err(err, "corrupt JPEG: the decoder sees %dx%d, over the pixel limit", w, h);
		goto out;
	}
	sf = tjGetScalingFactors(&nsf);
	for (i = 0; sf != NULL && i < nsf; i++) {
		int cw = TJSCALED(w, sf[i]), ch = TJSCALED(h, sf[i]);
		if (sf[i].num > sf[i].denom || cw < tw || ch < th)
			continue;
		if (sw == 0 || (long long)cw * ch < (long long)sw * sh) {
			sw = cw;
			sh = ch;
		}
	}
	if (sw == 0) {
		sw = w;
		sh = h;
	}
	pf = (cs == TJCS_CMYK || cs == TJCS_YCCK) ? TJPF_CMYK : TJPF_RGBA;
	buf = xmalloc((size_t)sw * sh * 4);
	if (tjDecompress2(tj, data, (unsigned long)n, buf, sw, 0, sh, pf, TJFLAG_LIMITSCANS) < 0 &&
	    tjGetErrorCode(tj) != TJERR_WARNING) {
		media_err(err, "cannot decode JPEG: %s", tjGetErrorStr2(tj));
		free(buf);
		goto out;
	}
	if (pf == TJPF_CMYK) {
		/* Adobe writes inverted CMYK, which is what such files hold */
		npx = (size_t)sw * sh;
		for (k = 0; k < npx; k++) {
			unsigned char *p = buf + 4 * k;
			unsigned kk = p[3];
			p[0] = (unsigned char)(p[0] * kk / 255);
			p[1] = (unsigned char)(p[1] * kk / 255);
			p[2] = (unsigned char)(p[2] * kk / 255);
			p[3] = 255;
		}
	}
	r->px = buf;
	r->w = sw;
	r->h = sh;
	rc = 0;
out:
	tjDestroy(tj);
	return rc;
}

static const char *webp_status(VP8StatusCode st)
{
	switch (st) {
	case VP8_STATUS_OUT_OF_MEMORY:
		return "out of memory";
	case VP8_STATUS_INVALID_PARAM:
		return "invalid parameter";
	case VP8_STATUS_BITSTREAM_ERROR:
		return "corrupt image data";
	case VP8_STATUS_UNSUPPORTED_FEATURE:
		return "unsupported feature";
	case VP8_STATUS_NOT_ENOUGH_DATA:
		return "the file is truncated";
	default:
		return "decoder error";
	}
}

/* Decodes a WebP bitstream, scaled to tw x th by libwebp. */
static int webp_decode_scaled(const unsigned char *data, size_t n, int tw, int th,
			      long long limit, struct raw *r, char **err)
{
	WebPDecoderConfig cfg;
	VP8StatusCode st;
	unsigned char *buf;

	if (!WebPInitDecoderConfig(&cfg))
		return media_err(err, "cannot start the WebP decoder (library version mismatch)");
	st = WebPGetFeatures(data, n, &cfg.input);
	if (st != VP8_STATUS_OK)
		return media_err(err, "cannot decode WebP: %s", webp_status(st));
	if (cfg.input.has_animation)
		return media_err(err, "cannot decode WebP: animated bitstream");
	if ((long long)cfg.input.width * cfg.input.height > limit)
		return media_err(err, "corrupt WebP: the decoder sees %dx%d, over the pixel limit",
				 cfg.input.width, cfg.input.height);
	cfg.options.use_threads = 1; /* in-loop filtering in a second thread */
	if (tw != cfg.input.width || th != cfg.input.height) {
		cfg.options.use_scaling = 1;
		cfg.options.scaled_width = tw;
		cfg.options.scaled_height = th;
	} else {
		tw = cfg.input.width;
		th = cfg.input.height;
	}
	buf = xmalloc((size_t)tw * th * 4);
	cfg.output.colorspace = MODE_RGBA;
	cfg.output.is_external_memory = 1;
	cfg.output.u.RGBA.rgba = buf;
	cfg.output.u.RGBA.stride = tw * 4;
	cfg.output.u.RGBA.size = (size_t)tw * th * 4;
	st = WebPDecode(data, n, &cfg);
	WebPFreeDecBuffer(&cfg.output);
	if (st != VP8_STATUS_OK) {
		free(buf);
		return media_err(err, "cannot decode WebP: %s", webp_status(st));
	}
	r->px = buf;
	r->w = tw;
	r->h = th;
	return 0;
}

/* The first frame of an animated WebP (its ANMF chunk's bitstream in a
 * container of its own, placed on a transparent canvas of cw x ch). */
static int webp_first_frame(const unsigned char *data, size_t n, int cw, int ch, struct raw *r,
			    char **err)
{
	size_t off = 12, end = n, len, flen = 0;
	const unsigned char *f = NULL;
	unsigned char *c, *box;
	struct raw fr;
	int fx = 0, fy = 0, fw = 0, fh = 0, alph = 0, y;
	struct sbuf b;

	if (n >= 8 && rd_le32(data + 4) + (uint64_t)8 < n)
		end = rd_le32(data + 4) + (size_t)8;
	while (off + 8 <= end) {
		len = rd_le32(data + off + 4);
		if (len > end - off - 8)
			break;
		if (memcmp(data + off, "ANMF", 4) == 0 && len >= 24) {
			f = data + off + 8;
			flen = len;
			break;
		}
		off += 8 + len + (len & 1);
	}
	if (f == NULL)
		return media_err(err, "cannot decode WebP: no animation frame");
	fx = (int)rd_le24(f) * 2;
	fy = (int)rd_le24(f + 3) * 2;
	fw = (int)rd_le24(f + 6) + 1;
	fh = (int)rd_le24(f + 9) + 1;
	if (fx + fw > cw || fy + fh > ch)
		return media_err(err, "corrupt WebP: the first frame lies outside the canvas");
	for (off = 16; off + 8 <= flen; off += 8 + len + (len & 1)) {
		len = rd_le32(f + off + 4);
		if (memcmp(f + off, "ALPH", 4) == 0)
			alph = 1;
		if (len > flen - off - 8)
			break;
	}
	sb_init(&b);
	sb_add(&b, "RIFF\0\0\0\0WEBP", 12);
	if (alph) {
		unsigned char x[18] = "VP8X\x0a\0\0\0\x10";
		x[12] = (unsigned char)((fw - 1) & 0xff);
		x[13] = (unsigned char)((fw - 1) >> 8);
		x[14] = (unsigned char)((fw - 1) >> 16);
		x[15] = (unsigned char)((fh - 1) & 0xff);
		x[16] = (unsigned char)((fh - 1) >> 8);
		x[17] = (unsigned char)((fh - 1) >> 16);
		sb_add(&b, x, sizeof x);
	}
	sb_add(&b, f + 16, flen - 16);
	box = (unsigned char *)b.s;
	box[4] = (unsigned char)((b.len - 8) & 0xff);
	box[5] = (unsigned char)((b.len - 8) >> 8);
	box[6] = (unsigned char)((b.len - 8) >> 16);
	box[7] = (unsigned char)((b.len - 8) >> 24);
	if (webp_decode_scaled(box, b.len, fw, fh, (long long)fw * fh, &fr, err) < 0) {
		sb_free(&b);
		return -1;
	}
	sb_free(&b);
	c = xcalloc((size_t)cw * ch, 4);
	for (y = 0; y < fh; y++)
		memcpy(c + ((size_t)(fy + y) * cw + fx) * 4, fr.px + (size_t)y * fw * 4,
		       (size_t)fw * 4);
	free(fr.px);
	r->px = c;
	r->w = cw;
	r->h = ch;
	return 0;
}

/* What decoding a picture costs, counted in pixels of 8-bit RGBA, the unit
 * of the pixel limit: a 16-bit PNG is inflated and converted at 16 bits per
 * channel before it is cut to 8, twice the memory of its pixel count (a
 * 10000x10000 one of 778 KB took 2.2 GB).  So the limit bounds decoded
 * bytes, not pixels. */
static long long decode_weight(long long px, int bits)
{
	return bits > 8 ? px * 2 : px;
}

/* The refusal: what, how large, and the `set pixel-limit` (in megapixels,
 * the option's unit) that would let it through, when there is one. */
static int refuse(const char *what, int w, int h, int bits, long long limit, char **err)
{
	long long px = (long long)w * h, weight = decode_weight(px, bits);
	long long need = (weight + 999999) / 1000000;
	char *hint, *size;
	int rc;

	if (weight > MEDIA_PIXEL_LIMIT_MAX)
		hint = xasprintf("larger than the highest pixel limit, %lld megapixels",
				 MEDIA_PIXEL_LIMIT_MAX / 1000000);
	else
		hint = xasprintf("raise it with `set pixel-limit %lld`", need);
	if (weight != px)
		size = xasprintf("%dx%d at %d bits per channel decodes like %.1f megapixels", w, h,
				 bits, weight / 1e6);
	else
		size = xasprintf("%dx%d is %.1f megapixels", w, h, px / 1e6);
	rc = media_err(err, "%s image too large to decode: %s, over the pixel limit of %.1f "
			 "megapixels (%s)", what, size, limit / 1e6, hint);
	free(hint);
	free(size);
	return rc;
}

static int decode_stb(const unsigned char *data, size_t n, const char *what, long long limit,
		      struct raw *r, char **err)
{
	int w, h, comp;
	unsigned char *px;

	if (n > INT_MAX)
		return media_err(err, "cannot decode %s: file too large", what);
	if (!stbi_info_from_memory(data, (int)n, &w, &h, &comp))
		return media_err(err, "cannot decode %s: %s", what,
				 stbi_failure_reason() ? stbi_failure_reason() : "corrupt data");
	if ((long long)w * h > limit)
		return media_err(err, "corrupt %s: the decoder sees %dx%d, over the pixel limit",
				 what, w, h);
	/* The header said 8 bits, or was not read: stb's view wins. */
	if (stbi_is_16_bit_from_memory(data, (int)n) &&
	    decode_weight((long long)w * h, 16) > limit)
		return refuse(what, w, h, 16, limit, err);
	px = stbi_load_from_memory(data, (int)n, &w, &h, &comp, 4);
	if (px == NULL)
		return media_err(err, "cannot decode %s: %s", what,
				 stbi_failure_reason() ? stbi_failure_reason() : "corrupt data");
	/* stb_image allocates with malloc (STBI_MALLOC's default): ours to free() */
	r->px = px;
	r->w = w;
	r->h = h;
	return 0;
}

/* ---------------------------------------------------------------- loading */

static int over_limit(const struct media_info *info, long long limit, char **err)
{
	int bits = strcmp(info->mime, "image/png") == 0 ? info->bits : 8;

	if (limit <= 0)
		limit = MEDIA_PIXEL_LIMIT_DEFAULT;
	if (decode_weight((long long)info->width * info->height, bits) <= limit)
		return 0;
	return refuse(info->ext[0] ? info->ext : "the", info->width, info->height, bits, limit,
		      err);
}

static int check_decodable(const struct media_info *info, long long limit, char **err)
{
	if (info->kind != MEDIA_IMAGE)
		return media_err(err, "not a picture: the file holds %s (%s)",
				 media_kind_name(info->kind), info->mime);
	if (strcmp(info->ext, "avif") == 0 || strcmp(info->ext, "heic") == 0)
		return media_err(err, "%s pictures cannot be decoded yet (%dx%d)", info->ext,
				 info->width, info->height);
	return over_limit(info, limit, err);
}

static int decode_fitted(const unsigned char *data, size_t n, const struct media_info *info,
			 int max_w, int max_h, long long limit, struct media_image *out,
			 char **err)
{
	struct raw r = { NULL, 0, 0 };
	int tw, th, o = info->orientation, rc;
	unsigned char *px;

	media_fit(info->width, info->height, max_w, max_h, &tw, &th);
	if (o >= 5) { /* decode in the stored orientation */
		int t = tw;
		tw = th;
		th = t;
	}
	if (strcmp(info->mime, "image/jpeg") == 0)
		rc = decode_jpeg(data, n, tw, th, limit, &r, err);
	else if (strcmp(info->mime, "image/webp") == 0 && info->frames > 1)
		rc = webp_first_frame(data, n, info->width, info->height, &r, err);
	else if (strcmp(info->mime, "image/webp") == 0)
		rc = webp_decode_scaled(data, n, tw, th, limit, &r, err);
	else
		rc = decode_stb(data, n, strcmp(info->mime, "image/gif") == 0 ? "GIF" : "PNG", limit,
				&r, err);
	if (rc < 0)
		return -1;
	if (r.w != (o >= 5 ? info->height : info->width) && strcmp(info->mime, "image/jpeg") != 0 &&
	    strcmp(info->mime, "image/webp") != 0) {
		/* stb's idea of the size wins over the header's */
		media_fit(r.w, r.h, max_w, max_h, &tw, &th);
	}
	out->decoded_width = o >= 5 ? r.h : r.w;
	out->decoded_height = o >= 5 ? r.w : r.h;
	if (r.w != tw || r.h != th) {
		px = media_rgba_resize(r.px, r.w, r.h, tw, th);
		free(r.px);
		r.px = px;
		r.w = tw;
		r.h = th;
	}
	if (o >= 2 && o <= 8) {
		px = orient(r.px, r.w, r.h, o, &r.w, &r.h);
		free(r.px);
		r.px = px;
	}
	out->rgba = r.px;
	out->width = r.w;
	out->height = r.h;
	out->src_width = info->width;
	out->src_height = info->height;
	out->frames = info->frames > 0 ? info->frames : 1;
	return 0;
}

int media_image_load_mem(const void *data, size_t n, int max_w, int max_h,
			 long long pixel_limit, struct media_image *out, char **err)
{
	struct media_info info;
	struct msrc s;

	memset(out, 0, sizeof *out);
	msrc_init_mem(&s, data, n);
	s.quick = 1;
	if (probe_source(&s, &info, err) < 0 || check_decodable(&info, pixel_limit, err) < 0)
		return -1;
	if (pixel_limit <= 0)
		pixel_limit = MEDIA_PIXEL_LIMIT_DEFAULT;
	return decode_fitted(data, n, &info, max_w, max_h, pixel_limit, out, err);
}

int media_image_load(const char *path, int max_w, int max_h, long long pixel_limit,
		     struct media_image *out, char **err)
{
	struct media_info info;
	struct msrc s;
	unsigned char *data;
	size_t n;
	int rc;

	memset(out, 0, sizeof *out);
	if (msrc_open(&s, path, err) < 0)
		return -1;
	s.quick = 1;
	rc = probe_source(&s, &info, err);
	msrc_close(&s);
	if (rc < 0 || check_decodable(&info, pixel_limit, err) < 0)
		return -1;
	if (media_read_all(path, IMAGE_FILE_MAX, &data, &n, err) < 0)
		return -1;
	/* probed again from the bytes read: the file may have changed since */
	rc = media_image_load_mem(data, n, max_w, max_h, pixel_limit, out, err);
	free(data);
	return rc;
}
