/*
 * exiftext.c - text metadata of JPEG and WebP files, and the EXIF text
 * tags of any file: the walks stop at the image data (JPEG SOS) or seek
 * past it (WebP VP8/VP8L/ANMF), and every offset inside an EXIF block is
 * checked against its bounds.
 *
 * Where the tools put their text: AUTOMATIC1111 and Forge write the
 * parameters into EXIF UserComment with piexif's "UNICODE" prefix
 * (AUTOMATIC1111/stable-diffusion-webui:modules/images.py, exif_bytes);
 * ComfyUI's WebP saver writes "prompt:{...}" and "workflow:{...}" into
 * the IFD0 Model and Make tags (comfyanonymous/ComfyUI:
 * comfy_extras/nodes_images.py, SaveAnimatedWEBP).
 * Formats: TIFF 6.0 (IFD layout), EXIF 2.32 (UserComment character code
 * prefix, section 4.6.5), JPEG (ITU T.81 B.1 markers), RIFF/WebP container
 * (Google's "WebP Container Specification").
 */
#include "config.h"

#include "media/media.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media/genmeta-private.h"
#include "util.h"

/* ---------------------------------------------------------------- EXIF */

struct tiff {
	const unsigned char *p;
	size_t n;
	int be;
};

static unsigned t16(const struct tiff *t, size_t off)
{
	const unsigned char *q = t->p + off;

	return t->be ? (unsigned)(q[0] << 8 | q[1]) : (unsigned)(q[1] << 8 | q[0]);
}

static uint32_t t32(const struct tiff *t, size_t off)
{
	const unsigned char *q = t->p + off;

	if (t->be)
		return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

/* Decodes EXIF UserComment: an 8-byte character code, then the text. */
static void user_comment(struct gm_walk *w, const unsigned char *v, size_t n, int tiff_be,
                         struct sbuf *out)
{
	struct media_png_text *t = w->t;
	size_t even = 0, odd = 0, i;
	int be;

	if (n < 8) {
		gm_utf8_clean(out, v, n);
		return;
	}
	if (!memcmp(v, "UNICODE\0", 8)) {
		v += 8;
		n -= 8;
		while (n >= 2 && v[n - 1] == 0 && v[n - 2] == 0)
			n -= 2;
		if (n >= 2 && ((v[0] == 0xfe && v[1] == 0xff) || (v[0] == 0xff && v[1] == 0xfe))) {
			be = v[0] == 0xfe;
			v += 2;
			n -= 2;
		} else {
			/* piexif writes UTF-16BE whatever the TIFF order; others write
			 * the TIFF order.  Text is mostly ASCII: the zero bytes tell. */
			for (i = 0; i + 1 < n && i < 4096; i += 2) {
				even += v[i] == 0;
				odd += v[i + 1] == 0;
			}
			be = even != odd ? even > odd : tiff_be;
		}
		if (gm_utf16_to_utf8(out, v, n, be))
			gm_note(&t->notes, &t->n_notes,
			        "EXIF UserComment holds bad UTF-16: replaced by U+FFFD");
	} else if (!memcmp(v, "ASCII\0\0\0", 8) || !memcmp(v, "\0\0\0\0\0\0\0\0", 8)) {
		v += 8;
		n -= 8;
		while (n && v[n - 1] == 0)
			n--;
		if (gm_is_utf8_nonascii(v, n))
			sb_add(out, v, n);
		else
			gm_latin1_to_utf8(out, v, n);
	} else if (!memcmp(v, "JIS\0\0\0\0\0", 8)) {
		gm_note(&t->notes, &t->n_notes, "EXIF UserComment in JIS encoding: not read");
	} else {
		gm_utf8_clean(out, v, n);
	}
}

/* Adds a text-like tag value as an item. */
static void tag_text(struct gm_walk *w, const struct tiff *t, unsigned tag, const unsigned char *v,
                     size_t n)
{
	struct sbuf text;
	const char *key;
	const char *colon;

	sb_init(&text);
	switch (tag) {
	case 0x9286:
		key = "UserComment";
		user_comment(w, v, n, t->be, &text);
		break;
	case 0x010e:
		key = "ImageDescription";
		break;
	case 0x010f:
		key = "Make";
		break;
	case 0x0110:
		key = "Model";
		break;
	default:
		return;
	}
	if (tag != 0x9286) {
		while (n && v[n - 1] == 0)
			n--;
		/* NovelAI's WebP puts four NUL bytes before its ImageDescription
		 * (as enslo/sd-metadata reads it: src/converters/novelai.ts). */
		while (n && v[0] == 0) {
			v++;
			n--;
		}
		if (gm_is_utf8_nonascii(v, n))
			sb_add(&text, v, n);
		else
			gm_latin1_to_utf8(&text, v, n);
	}
	/* ComfyUI: "prompt:{...}" / "workflow:{...}" in Make and Model. */
	colon = text.len ? memchr(text.s, ':', text.len < 40 ? text.len : 40) : NULL;
	if (colon && colon[1] == '{' && tag != 0x9286) {
		char *k = xstrndup(text.s, (size_t)(colon - text.s));
		struct sbuf rest;

		sb_init(&rest);
		sb_adds(&rest, colon + 1);
		gm_walk_add(w, MEDIA_TEXT_EXIF, k, &rest, NULL, NULL, 0, 0);
		free(k);
		sb_free(&rest);
	} else if (text.len) {
		gm_walk_add(w, MEDIA_TEXT_EXIF, key, &text, NULL, NULL, 0, 0);
	}
	sb_free(&text);
}

/* Walks one IFD; returns the Exif sub-IFD offset found in it, or 0. */
static uint32_t walk_ifd(struct gm_walk *w, const struct tiff *t, uint32_t off)
{
	unsigned count, i, tag, type;
	uint32_t cnt, voff, sub = 0;
	size_t e, size;

	if (off < 8 || (size_t)off + 2 > t->n)
		return 0;
	count = t16(t, off);
	if (count > 512)
		count = 512;
	for (i = 0; i < count; i++) {
		e = (size_t)off + 2 + (size_t)i * 12;
		if (e + 12 > t->n)
			break;
		tag = t16(t, e);
		type = t16(t, e + 2);
		cnt = t32(t, e + 4);
		if (tag == 0x8769 && (type == 4 || type == 13) && cnt == 1) {
			sub = t32(t, e + 8);
			continue;
		}
		if (tag != 0x9286 && tag != 0x010e && tag != 0x010f && tag != 0x0110)
			continue;
		if (type != 1 && type != 2 && type != 7)
			continue;
		size = cnt;
		if (size <= 4) {
			voff = (uint32_t)(e + 8);
		} else {
			voff = t32(t, e + 8);
			if (voff > t->n || size > t->n - voff) {
				gm_note(&w->t->notes, &w->t->n_notes,
				        "EXIF tag 0x%04x points outside the EXIF block: skipped",
				        tag);
				continue;
			}
		}
		if (size > w->lim.max_item_bytes) {
			gm_note(&w->t->notes, &w->t->n_notes,
			        "EXIF tag 0x%04x is %zu bytes, over the limit: skipped", tag, size);
			continue;
		}
		tag_text(w, t, tag, t->p + voff, size);
	}
	return sub;
}

void gm_exif_parse(struct gm_walk *w, const unsigned char *p, size_t n)
{
	struct tiff t;
	uint32_t ifd0, sub;

	if (n >= 6 && !memcmp(p, "Exif\0\0", 6)) {
		p += 6;
		n -= 6;
	}
	if (n < 8 || !((p[0] == 'I' && p[1] == 'I' && p[2] == 42 && p[3] == 0) ||
	               (p[0] == 'M' && p[1] == 'M' && p[2] == 0 && p[3] == 42))) {
		gm_note(&w->t->notes, &w->t->n_notes, "EXIF block without a TIFF header: skipped");
		return;
	}
	t.p = p;
	t.n = n;
	t.be = p[0] == 'M';
	ifd0 = t32(&t, 4);
	sub = walk_ifd(w, &t, ifd0);
	if (sub && sub != ifd0)
		walk_ifd(w, &t, sub);
}

/* ---------------------------------------------------------------- JPEG */

static const char xmp_ns[] = "http://ns.adobe.com/xap/1.0/";

/* Reads a segment body of n bytes into a buffer the caller frees, or
 * skips it (NULL) when it is over the limit. */
static unsigned char *segment(struct gm_src *s, struct gm_walk *w, size_t n, const char *what)
{
	unsigned char *b;

	if (n > w->lim.max_item_bytes) {
		gm_note(&w->t->notes, &w->t->n_notes, "%s of %zu bytes is over the limit: skipped",
		        what, n);
		gm_src_skip(s, n);
		return NULL;
	}
	b = xmalloc(n + 1);
	if (gm_src_read(s, b, n) < 0) {
		free(b);
		return NULL;
	}
	b[n] = 0;
	return b;
}

static void add_plain(struct gm_walk *w, enum media_text_kind kind, const char *key,
                      const unsigned char *p, size_t n)
{
	struct sbuf text;

	sb_init(&text);
	if (gm_utf8_clean(&text, p, n))
		gm_note(&w->t->notes, &w->t->n_notes,
		        "%s is not valid UTF-8: bad bytes replaced by U+FFFD", key);
	gm_walk_add(w, kind, key, &text, NULL, NULL, 0, 0);
	sb_free(&text);
}

int gm_jpeg_walk(struct gm_src *s, const struct media_text_limits *lim, struct media_png_text **out,
                 char **err)
{
	struct gm_walk w;
	unsigned char m[2], lb[2], *b;
	size_t len;

	*out = NULL;
	if (gm_src_read(s, m, 2) < 0 || m[0] != 0xff || m[1] != 0xd8) {
		*err = xstrdup("not a JPEG file");
		return -1;
	}
	gm_walk_init(&w, "JPEG", lim);
	for (;;) {
		if (w.chunks++ >= w.lim.max_chunks) {
			gm_note(&w.t->notes, &w.t->n_notes, "too many JPEG segments: stopped");
			break;
		}
		if (gm_src_read(s, m, 1) < 0)
			goto trunc;
		if (m[0] != 0xff) {
			gm_note(&w.t->notes, &w.t->n_notes,
			        "no JPEG marker at byte %llu: stopped reading (damaged JPEG)",
			        (unsigned long long)(s->pos - 1));
			break;
		}
		do {
			if (gm_src_read(s, m + 1, 1) < 0)
				goto trunc;
		} while (m[1] == 0xff);
		if (m[1] == 0xd9 || m[1] == 0xda)
			break; /* EOI, or SOS: the image data; no metadata follows it in practice */
		if (m[1] == 0x01 || (m[1] >= 0xd0 && m[1] <= 0xd7) || m[1] == 0x00)
			continue;
		if (gm_src_read(s, lb, 2) < 0)
			goto trunc;
		len = (size_t)(lb[0] << 8 | lb[1]);
		if (len < 2) {
			gm_note(&w.t->notes, &w.t->n_notes, "bad JPEG segment length: stopped");
			break;
		}
		len -= 2;
		if (len > s->size - s->pos)
			goto trunc;
		if (m[1] == 0xe1 || m[1] == 0xfe) {
			b = segment(s, &w, len, m[1] == 0xfe ? "JPEG comment" : "APP1 segment");
			if (!b) {
				if (s->ioerr)
					goto ioerr;
				continue;
			}
			if (m[1] == 0xfe)
				add_plain(&w, MEDIA_TEXT_COMMENT, "Comment", b, len);
			else if (len >= 6 && !memcmp(b, "Exif\0\0", 6))
				gm_exif_parse(&w, b, len);
			else if (len > sizeof xmp_ns && !memcmp(b, xmp_ns, sizeof xmp_ns))
				add_plain(&w, MEDIA_TEXT_XMP, "XMP", b + sizeof xmp_ns,
				          len - sizeof xmp_ns);
			free(b);
		} else if (gm_src_skip(s, len) < 0) {
			goto trunc;
		}
	}
	*out = w.t;
	return 0;
trunc:
	if (s->ioerr)
		goto ioerr;
	w.t->truncated = 1;
	gm_note(&w.t->notes, &w.t->n_notes, "the file ends inside the JPEG headers (truncated)");
	*out = w.t;
	return 0;
ioerr:
	*err = xasprintf("read error: %s", strerror(s->ioerr));
	media_png_text_free(&w.t);
	return -1;
}

/* ---------------------------------------------------------------- WebP */

int gm_webp_walk(struct gm_src *s, const struct media_text_limits *lim, struct media_png_text **out,
                 char **err)
{
	struct gm_walk w;
	unsigned char h[12], *b;
	uint32_t riff, len;
	uint64_t end;

	*out = NULL;
	if (gm_src_read(s, h, 12) < 0 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WEBP", 4)) {
		*err = xstrdup("not a WebP file");
		return -1;
	}
	riff = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
	end = (uint64_t)riff + 8;
	gm_walk_init(&w, "WebP", lim);
	if (end > s->size) {
		w.t->truncated = 1;
		gm_note(&w.t->notes, &w.t->n_notes,
		        "the RIFF header claims %llu bytes but the file has %llu (truncated WebP)",
		        (unsigned long long)end, (unsigned long long)s->size);
		end = s->size;
	}
	while (s->pos + 8 <= end) {
		if (w.chunks++ >= w.lim.max_chunks) {
			gm_note(&w.t->notes, &w.t->n_notes, "too many WebP chunks: stopped");
			break;
		}
		if (gm_src_read(s, h, 8) < 0)
			break;
		len = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
		      (uint32_t)h[7] << 24;
		if ((uint64_t)len > end - s->pos) {
			w.t->truncated = 1;
			gm_note(&w.t->notes, &w.t->n_notes,
			        "the file ends inside a WebP chunk (truncated WebP)");
			break;
		}
		if (!memcmp(h, "EXIF", 4) || !memcmp(h, "XMP ", 4)) {
			b = segment(s, &w, len, !memcmp(h, "EXIF", 4) ? "EXIF chunk" : "XMP chunk");
			if (b) {
				if (!memcmp(h, "EXIF", 4))
					gm_exif_parse(&w, b, len);
				else
					add_plain(&w, MEDIA_TEXT_XMP, "XMP", b, len);
				free(b);
			}
			if (s->ioerr)
				goto ioerr;
			if ((len & 1) && gm_src_skip(s, 1) < 0)
				break;
		} else if (gm_src_skip(s, (uint64_t)len + (len & 1)) < 0) {
			if (s->ioerr)
				goto ioerr;
			break;
		}
	}
	*out = w.t;
	return 0;
ioerr:
	*err = xasprintf("read error: %s", strerror(s->ioerr));
	media_png_text_free(&w.t);
	return -1;
}

/* ---------------------------------------------------------------- XMP */

/* Appends the XML text s[0..n) with its character and entity references
 * resolved; bad references are kept as they are. */
static void xml_unescape(struct sbuf *out, const char *s, size_t n)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
	size_t i = 0, k;
	unsigned long cp;
	char *end;

	while (i < n) {
		if (s[i] != '&') {
			sb_addc(out, s[i++]);
			continue;
		}
		for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
			size_t l = strlen(ents[k].name);

			if (n - i - 1 >= l && !memcmp(s + i + 1, ents[k].name, l)) {
				sb_addc(out, ents[k].c);
				i += 1 + l;
				break;
			}
		}
		if (k < sizeof ents / sizeof ents[0])
			continue;
		if (i + 2 < n && s[i + 1] == '#') {
			int hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			char num[16];
			size_t j = i + 2 + (size_t)hex, d = 0;

			while (j < n && d < sizeof num - 1 && s[j] != ';')
				num[d++] = s[j++];
			num[d] = 0;
			cp = d ? strtoul(num, &end, hex ? 16 : 10) : 0;
			if (j < n && s[j] == ';' && d && !*end && cp > 0 && cp <= 0x10ffff &&
			    !(cp >= 0xd800 && cp <= 0xdfff)) {
				gm_utf8_put(out, (unsigned)cp);
				i = j + 1;
				continue;
			}
		}
		sb_addc(out, s[i++]);
	}
}

char *gm_xmp_field(const char *xmp, const char *name)
{
	size_t nl = strlen(name);
	const char *p = xmp, *body, *close, *li, *end;
	struct sbuf out;
	char closetag[80];

	if (nl > 60)
		return NULL;
	snprintf(closetag, sizeof closetag, "</%s>", name);
	while ((p = strstr(p, name))) {
		/* Attribute form: name="value". */
		if (p > xmp && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == '\r') &&
		    p[nl] == '=' && (p[nl + 1] == '"' || p[nl + 1] == '\'')) {
			end = strchr(p + nl + 2, p[nl + 1]);
			if (!end)
				return NULL;
			sb_init(&out);
			xml_unescape(&out, p + nl + 2, (size_t)(end - p - nl - 2));
			return sb_steal(&out);
		}
		/* Element form: <name ...>text</name>, the text maybe in an rdf:li. */
		if (p > xmp && p[-1] == '<' && (p[nl] == '>' || p[nl] == ' ')) {
			body = strchr(p + nl, '>');
			if (!body || body[-1] == '/')
				return NULL;
			body++;
			close = strstr(body, closetag);
			if (!close)
				return NULL;
			li = strstr(body, "<rdf:li");
			if (li && li < close) {
				body = strchr(li, '>');
				end = body ? strstr(body, "</rdf:li>") : NULL;
				if (!body || !end || end > close)
					return NULL;
				body++;
				close = end;
			}
			sb_init(&out);
			xml_unescape(&out, body, (size_t)(close - body));
			return sb_steal(&out);
		}
		p += nl;
	}
	return NULL;
}
