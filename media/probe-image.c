/*
 * probe-image.c - facts of still and animated pictures from their
 * headers: PNG (IHDR, APNG's acTL, a walk to IEND for truncation), JPEG
 * (the marker walk to the frame header, EXIF orientation, the scan walk to
 * EOI), GIF (screen size, counting image descriptors) and WebP (VP8, VP8L,
 * VP8X, ANMF frames).
 *
 * Formats followed: PNG (ISO/IEC 15948, W3C PNG 2nd ed.; APNG acTL from
 * the Mozilla APNG spec), JPEG (ITU-T T.81 annex B; EXIF 2.3 / TIFF 6.0
 * IFD layout), GIF89a (W3C/CompuServe spec), WebP container (Google's
 * "WebP Container Specification", RFC 9649) and the VP8 key frame header
 * (RFC 6386 section 9.1).  Every walk advances by at least one byte per
 * step and never reads outside the source.
 */
#include "config.h"

#include "media.h"

#include <string.h>

#include "decode-private.h"

/* ---------------------------------------------------------------- PNG */

int probe_png(struct msrc *s, struct media_info *info, char **err)
{
	const unsigned char *p;
	uint64_t off;
	uint32_t w, h, len;
	int depth, ctype, seen_idat = 0;
	char type[5];

	media_set_type(info, MEDIA_IMAGE, "image/png", "png", "png");
	p = msrc_at(s, 0, 33);
	if (p == NULL)
		return media_err(err, "truncated PNG header (%llu of 33 bytes)",
				 (unsigned long long)s->size);
	if (rd_be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
		return media_err(err, "corrupt PNG: the first chunk is not IHDR");
	w = rd_be32(p + 16);
	h = rd_be32(p + 20);
	depth = p[24];
	ctype = p[25];
	if (w == 0 || h == 0 || w > 0x7fffffffu || h > 0x7fffffffu)
		return media_err(err, "corrupt PNG: impossible size %ux%u", w, h);
	if ((depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) ||
	    (ctype != 0 && ctype != 2 && ctype != 3 && ctype != 4 && ctype != 6))
		return media_err(err, "corrupt PNG: bit depth %d with colour type %d", depth,
				 ctype);
	info->width = (int)w;
	info->height = (int)h;
	info->bits = depth;
	info->frames = 1;

	for (off = 33;;) {
		p = msrc_at(s, off, 8);
		if (p == NULL) {
			if (s->quick)
				return 0;
			return media_err(err, "truncated PNG: the file stops at byte %llu, %s",
					 (unsigned long long)s->size,
					 seen_idat ? "before IEND" : "before any image data");
		}
		len = rd_be32(p);
		fourcc_str(p + 4, type);
		if (len > 0x7fffffffu)
			return media_err(err, "corrupt PNG: chunk length %u at byte %llu", len,
					 (unsigned long long)off);
		if (strcmp(type, "acTL") == 0 && len >= 8) {
			const unsigned char *a = msrc_at(s, off + 8, 8);
			if (a != NULL && rd_be32(a) > 0 && rd_be32(a) <= 0x7fffffffu)
				info->frames = (int)rd_be32(a);
		}
		if (strcmp(type, "IDAT") == 0) {
			seen_idat = 1;
			if (s->quick)
				return 0;
		}
		if (off + 12 + len > s->size)
			return media_err(err, "truncated PNG: the file stops inside its %s chunk "
					 "(%llu of %llu bytes)", type, (unsigned long long)s->size,
					 (unsigned long long)(off + 12 + len));
		if (strcmp(type, "IEND") == 0)
			break;
		off += 12 + (uint64_t)len;
	}
	if (!seen_idat)
		return media_err(err, "corrupt PNG: no image data (IDAT) before IEND");
	return 0;
}

/* ---------------------------------------------------------------- JPEG */

/* EXIF orientation (1..8) from an APP1 body of n bytes, or 0. */
static int exif_orientation(struct msrc *s, uint64_t off, uint32_t n)
{
	const unsigned char *p;
	uint64_t tiff = off + 6, ifd;
	uint32_t count, i;
	int le;

	p = msrc_at(s, off, 14);
	if (n < 14 || p == NULL || memcmp(p, "Exif\0\0", 6) != 0)
		return 0;
	if (memcmp(p + 6, "II*\0", 4) == 0)
		le = 1;
	else if (memcmp(p + 6, "MM\0*", 4) == 0)
		le = 0;
	else
		return 0;
	ifd = le ? rd_le32(p + 10) : rd_be32(p + 10);
	if (ifd + 2 > n - 6)
		return 0;
	p = msrc_at(s, tiff + ifd, 2);
	if (p == NULL)
		return 0;
	count = le ? rd_le16(p) : rd_be16(p);
	for (i = 0; i < count && ifd + 2 + 12 * (i + 1) <= n - 6; i++) {
		p = msrc_at(s, tiff + ifd + 2 + 12 * i, 12);
		if (p == NULL)
			return 0;
		if ((le ? rd_le16(p) : rd_be16(p)) == 0x0112) {
			unsigned v = le ? rd_le16(p + 8) : rd_be16(p + 8);
			return v >= 1 && v <= 8 ? (int)v : 0;
		}
	}
	return 0;
}

static int is_sof(int m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* From a scan's entropy-coded data at off, finds the end-of-image marker,
 * stepping over further segments (progressive files have several scans). */
static int jpeg_find_eoi(struct msrc *s, uint64_t off)
{
	const unsigned char *p, *q;
	size_t got;
	uint64_t pos;
	int m;

	for (;;) {
		p = msrc_upto(s, off, MSRC_WINDOW, &got);
		if (p == NULL)
			return 0;
		q = memchr(p, 0xff, got);
		if (q == NULL) {
			off += got;
			continue;
		}
		pos = off + (uint64_t)(q - p);
		p = msrc_at(s, pos + 1, 1);
		if (p == NULL)
			return 0;
		m = p[0];
		if (m == 0x00 || m == 0xff || (m >= 0xd0 && m <= 0xd7)) {
			off = pos + (m == 0xff ? 1 : 2);
			continue;
		}
		if (m == 0xd9)
			return 1;
		p = msrc_at(s, pos + 2, 2);
		if (p == NULL || rd_be16(p) < 2)
			return 0;
		off = pos + 2 + rd_be16(p);
	}
}

int probe_jpeg(struct msrc *s, struct media_info *info, char **err)
{
	const unsigned char *p;
	uint64_t off = 2;
	unsigned seglen;
	int m, w, h, sof_seen = 0;

	media_set_type(info, MEDIA_IMAGE, "image/jpeg", "jpg", "jpeg");
	info->frames = 1;
	for (;;) {
		p = msrc_at(s, off, 2);
		if (p == NULL)
			return media_err(err, "truncated JPEG: the file stops before %s",
					 sof_seen ? "the image data" : "the frame header (SOF)");
		if (p[0] != 0xff)
			return media_err(err, "corrupt JPEG: no marker at byte %llu",
					 (unsigned long long)off);
		m = p[1];
		if (m == 0xff) {
			off++;
			continue;
		}
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			off += 2;
			continue;
		}
		if (m == 0xd9)
			return media_err(err, "corrupt JPEG: end of image before any image data");
		p = msrc_at(s, off + 2, 2);
		if (p == NULL)
			return media_err(err, "truncated JPEG: the file stops inside a marker");
		seglen = rd_be16(p);
		if (seglen < 2)
			return media_err(err, "corrupt JPEG: segment length %u at byte %llu", seglen,
					 (unsigned long long)off);
		if (off + 2 + seglen > s->size)
			return media_err(err, "truncated JPEG: the file stops inside a segment");
		if (m == 0xe1 && info->orientation == 0)
			info->orientation = exif_orientation(s, off + 4, seglen - 2);
		if (is_sof(m)) {
			p = msrc_at(s, off + 4, 6);
			if (seglen < 8 || p == NULL)
				return media_err(err, "corrupt JPEG: short frame header");
			info->bits = p[0];
			h = rd_be16(p + 1);
			w = rd_be16(p + 3);
			if (w == 0 || h == 0)
				return media_err(err, "corrupt JPEG: frame size %dx%d", w, h);
			if (m == 0xc3 || m == 0xc7 || m == 0xcb || m == 0xcf)
				media_set_type(info, MEDIA_IMAGE, "image/jpeg", "jpg",
					       "jpeg-lossless");
			else if (m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce)
				media_set_type(info, MEDIA_IMAGE, "image/jpeg", "jpg",
					       "jpeg-progressive");
			if (info->orientation >= 5) {
				info->width = h;
				info->height = w;
			} else {
				info->width = w;
				info->height = h;
			}
			sof_seen = 1;
			if (s->quick)
				return 0;
		}
		if (m == 0xda) {
			if (!sof_seen)
				return media_err(err, "corrupt JPEG: image data before the frame "
						      "header");
			if (!jpeg_find_eoi(s, off + 2 + seglen))
				return media_err(err, "truncated JPEG: no end-of-image marker (the "
						      "file stops inside the image data)");
			return 0;
		}
		off += 2 + (uint64_t)seglen;
	}
}

/* ---------------------------------------------------------------- GIF */

/* Skips GIF data sub-blocks from *off; 0, or -1 when the file stops. */
static int gif_skip_blocks(struct msrc *s, uint64_t *off)
{
	const unsigned char *p;

	for (;;) {
		p = msrc_at(s, *off, 1);
		if (p == NULL)
			return -1;
		*off += 1 + (uint64_t)p[0];
		if (p[0] == 0)
			return 0;
		if (*off > s->size)
			return -1;
	}
}

int probe_gif(struct msrc *s, struct media_info *info, char **err)
{
	const unsigned char *p;
	uint64_t off = 13;
	int frames = 0, fw = 0, fh = 0;

	media_set_type(info, MEDIA_IMAGE, "image/gif", "gif", "gif");
	p = msrc_at(s, 0, 13);
	if (p == NULL)
		return media_err(err, "truncated GIF header (%llu of 13 bytes)",
				 (unsigned long long)s->size);
	info->width = rd_le16(p + 6);
	info->height = rd_le16(p + 8);
	info->bits = 8;
	if (p[10] & 0x80)
		off += 3u << ((p[10] & 7) + 1);
	for (;;) {
		p = msrc_at(s, off, 1);
		if (p == NULL)
			break;
		if (p[0] == 0x3b)
			break;
		if (p[0] == 0x21) {
			off += 2;
			if (gif_skip_blocks(s, &off) < 0)
				goto cut;
			continue;
		}
		if (p[0] != 0x2c) {
			if (frames > 0)
				break; /* junk after the last frame: decoders stop there too */
			return media_err(err, "corrupt GIF: unknown block 0x%02x at byte %llu",
					 p[0], (unsigned long long)off);
		}
		p = msrc_at(s, off, 10);
		if (p == NULL)
			goto cut;
		if (frames == 0) {
			fw = rd_le16(p + 5);
			fh = rd_le16(p + 7);
		}
		off += 10;
		if (p[9] & 0x80)
			off += 3u << ((p[9] & 7) + 1);
		off++; /* LZW minimum code size */
		if (gif_skip_blocks(s, &off) < 0)
			goto cut;
		frames++;
	}
	if (frames == 0)
		return media_err(err, "corrupt GIF: no image in the file");
	goto done;
cut:
	if (frames == 0)
		return media_err(err, "truncated GIF: the file stops inside the first frame");
	if (!s->quick)
		return media_err(err, "truncated GIF: the file stops inside frame %d", frames + 1);
done:
	if (info->width == 0 || info->height == 0) {
		info->width = fw;
		info->height = fh;
	}
	if (info->width == 0 || info->height == 0)
		return media_err(err, "corrupt GIF: size %dx%d", info->width, info->height);
	info->frames = frames;
	return 0;
}

/* ---------------------------------------------------------------- WebP */

int probe_webp(struct msrc *s, struct media_info *info, char **err)
{
	const unsigned char *p;
	uint64_t off = 12, end;
	uint32_t len, bits;
	int frames = 0, have_size = 0, have_codec = 0, steps = 0, animated = 0;
	char type[5];

	media_set_type(info, MEDIA_IMAGE, "image/webp", "webp", "webp");
	info->frames = 1;
	p = msrc_at(s, 0, 12);
	if (p == NULL)
		return media_err(err, "truncated WebP header");
	end = (uint64_t)rd_le32(p + 4) + 8;
	if (end > s->size && !s->quick)
		return media_err(err, "truncated WebP: the header says %llu bytes, the file has "
				 "%llu", (unsigned long long)end, (unsigned long long)s->size);
	if (end > s->size)
		end = s->size;
	while (off + 8 <= end && steps++ < 100000) {
		p = msrc_at(s, off, 8);
		if (p == NULL)
			break;
		len = rd_le32(p + 4);
		fourcc_str(p, type);
		if (off + 8 + len > end)
			return media_err(err, "truncated WebP: the file stops inside its %s chunk",
					 type);
		if (!have_codec && strcmp(type, "VP8 ") == 0) {
			media_set_type(info, MEDIA_IMAGE, "image/webp", "webp", "webp-lossy");
			have_codec = 1;
			p = msrc_at(s, off + 8, 10);
			if (len < 10 || p == NULL || memcmp(p + 3, "\x9d\x01\x2a", 3) != 0)
				return media_err(err, "corrupt WebP: bad VP8 frame header");
			if (!have_size) {
				info->width = rd_le16(p + 6) & 0x3fff;
				info->height = rd_le16(p + 8) & 0x3fff;
				have_size = 1;
			}
		} else if (!have_codec && strcmp(type, "VP8L") == 0) {
			media_set_type(info, MEDIA_IMAGE, "image/webp", "webp", "webp-lossless");
			have_codec = 1;
			p = msrc_at(s, off + 8, 5);
			if (len < 5 || p == NULL || p[0] != 0x2f)
				return media_err(err, "corrupt WebP: bad VP8L header");
			bits = rd_le32(p + 1);
			if (!have_size) {
				info->width = (int)(bits & 0x3fff) + 1;
				info->height = (int)((bits >> 14) & 0x3fff) + 1;
				have_size = 1;
			}
		} else if (!have_size && strcmp(type, "VP8X") == 0) {
			p = msrc_at(s, off + 8, 10);
			if (len < 10 || p == NULL)
				return media_err(err, "corrupt WebP: short VP8X chunk");
			animated = (p[0] & 0x02) != 0;
			info->width = (int)rd_le24(p + 4) + 1;
			info->height = (int)rd_le24(p + 7) + 1;
			have_size = 1;
		} else if (strcmp(type, "ANMF") == 0) {
			frames++;
		}
		if (have_size && (have_codec || animated) && s->quick && !animated)
			break;
		off += 8 + (uint64_t)len + (len & 1);
	}
	if (!have_size)
		return media_err(err, "corrupt WebP: no image chunk");
	if (info->width <= 0 || info->height <= 0)
		return media_err(err, "corrupt WebP: size %dx%d", info->width, info->height);
	if (frames > 0)
		info->frames = frames;
	return 0;
}
