/*
 * pngtext.c - reading PNG text chunks (tEXt, zTXt, iTXt, and the EXIF
 * text in eXIf) from a file or a buffer without loading the image data,
 * safely for hostile input: every chunk's CRC is checked, chunk count,
 * chunk size, inflated size and total text are bounded, and every skip,
 * repair or truncation is said in a note.  Also the pieces the JPEG/WebP
 * walk (exiftext.c) shares: byte sources, notes, text repair, limits.
 *
 * Format: PNG specification (W3C, third edition), sections 5.3 (chunk
 * layout, CRC-32 over type and data) and 11.3.3 (tEXt, zTXt, iTXt).
 */
#include "config.h"

#include "media/media.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "media/genmeta-private.h"
#include "util.h"

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
static const int check_crc = 0; /* a fuzzer cannot forge CRCs: parse bad chunks too */
#else
static const int check_crc = 1;
#endif

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

void media_text_limits_default(struct media_text_limits *lim)
{
	lim->max_items = 256;
	lim->max_item_bytes = 8u << 20;
	lim->max_total_bytes = 32u << 20;
	lim->max_chunks = 1000000;
}

/* ---------------------------------------------------------------- sources */

int gm_src_open(struct gm_src *s, const char *path, char **err)
{
	struct stat st;

	memset(s, 0, sizeof *s);
	s->f = fopen(path, "rb");
	if (!s->f) {
		*err = xasprintf("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(s->f), &st) < 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("%s: not a regular file", path);
		fclose(s->f);
		s->f = NULL;
		return -1;
	}
	s->size = (uint64_t)st.st_size;
	return 0;
}

void gm_src_mem(struct gm_src *s, const void *data, size_t n)
{
	memset(s, 0, sizeof *s);
	s->mem = data;
	s->size = n;
}

void gm_src_close(struct gm_src *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

int gm_src_read(struct gm_src *s, void *buf, size_t n)
{
	if (n > s->size - s->pos)
		return -1;
	if (!s->f) {
		memcpy(buf, s->mem + s->pos, n);
	} else if (n && fread(buf, 1, n, s->f) != n) {
		s->ioerr = ferror(s->f) ? (errno ? errno : EIO) : 0;
		s->pos = s->size;
		return -1;
	}
	s->pos += n;
	return 0;
}

int gm_src_skip(struct gm_src *s, uint64_t n)
{
	if (n > s->size - s->pos) {
		s->pos = s->size;
		return -1;
	}
	if (s->f && n && fseeko(s->f, (off_t)(s->pos + n), SEEK_SET) < 0) {
		s->ioerr = errno;
		s->pos = s->size;
		return -1;
	}
	s->pos += n;
	return 0;
}

/* ---------------------------------------------------------------- notes */

void gm_note(char ***notes, size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n > GM_MAX_NOTES)
		return;
	*notes = xrealloc(*notes, (*n + 1) * sizeof **notes);
	if (*n == GM_MAX_NOTES) {
		(*notes)[(*n)++] = xstrdup("further problems were not listed");
		return;
	}
	va_start(ap, fmt);
	(*notes)[(*n)++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void gm_notes_free(char ***notes, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*notes)[i]);
	xfree(notes);
	*n = 0;
}

/* ---------------------------------------------------------------- text repair */

static const char replacement[] = "\xef\xbf\xbd";

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t u8len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;

	return len <= n && util_utf8_valid((const char *)s, len) ? len : 0;
}

size_t gm_utf8_clean(struct sbuf *out, const unsigned char *s, size_t n)
{
	size_t i = 0, start = 0, bad = 0, len;

	while (i < n) {
		len = s[i] ? u8len(s + i, n - i) : 0;
		if (len) {
			i += len;
			continue;
		}
		sb_add(out, s + start, i - start);
		sb_adds(out, replacement);
		bad++;
		start = ++i;
	}
	sb_add(out, s + start, i - start);
	return bad;
}

void gm_latin1_to_utf8(struct sbuf *out, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == 0) {
			sb_adds(out, replacement);
		} else {
			gm_utf8_put(out, s[i]);
		}
	}
}

int gm_is_utf8_nonascii(const unsigned char *s, size_t n)
{
	size_t i = 0, len;
	int multi = 0;

	while (i < n) {
		len = s[i] ? u8len(s + i, n - i) : 0;
		if (!len)
			return 0;
		multi |= len > 1;
		i += len;
	}
	return multi;
}

void gm_utf8_put(struct sbuf *out, unsigned cp)
{
	char u[4];

	sb_add(out, u, util_utf8_encode(cp, u));
}

size_t gm_utf16_to_utf8(struct sbuf *out, const unsigned char *s, size_t n, int be)
{
	size_t i, bad = 0;
	unsigned u, lo;

	for (i = 0; i + 1 < n; i += 2) {
		u = be ? (unsigned)(s[i] << 8 | s[i + 1]) : (unsigned)(s[i + 1] << 8 | s[i]);
		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			lo = be ? (unsigned)(s[i + 2] << 8 | s[i + 3])
			        : (unsigned)(s[i + 3] << 8 | s[i + 2]);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				gm_utf8_put(out, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
				i += 2;
				continue;
			}
		}
		if (u == 0 || (u >= 0xd800 && u <= 0xdfff)) {
			sb_adds(out, replacement);
			bad++;
			continue;
		}
		gm_utf8_put(out, u);
	}
	if (n % 2) {
		sb_adds(out, replacement);
		bad++;
	}
	return bad;
}

/* ---------------------------------------------------------------- walk state */

void gm_walk_init(struct gm_walk *w, const char *container, const struct media_text_limits *lim)
{
	memset(w, 0, sizeof *w);
	if (lim)
		w->lim = *lim;
	else
		media_text_limits_default(&w->lim);
	w->t = xcalloc(1, sizeof *w->t);
	w->t->container = container;
}

int gm_walk_items_full(struct gm_walk *w)
{
	if (w->t->n < w->lim.max_items)
		return 0;
	if (!w->full_items) {
		gm_note(&w->t->notes, &w->t->n_notes,
		        "more than %zu text items: the rest were skipped", w->lim.max_items);
		w->full_items = 1;
	}
	return 1;
}

int gm_walk_add(struct gm_walk *w, enum media_text_kind kind, const char *key, struct sbuf *text,
                const char *lang, const char *tkey, int compressed, int after_idat)
{
	struct media_png_text *t = w->t;
	struct media_text_item *it;

	if (gm_walk_items_full(w)) {
		sb_reset(text);
		return -1;
	}
	if (text->len > w->lim.max_total_bytes - w->total || w->total > w->lim.max_total_bytes) {
		if (!w->full_total)
			gm_note(&t->notes, &t->n_notes,
			        "text \"%s\" (%zu bytes) and later ones skipped: the texts pass "
			        "%zu bytes in all",
			        key, text->len, w->lim.max_total_bytes);
		w->full_total = 1;
		sb_reset(text);
		return -1;
	}
	w->total += text->len;
	t->items = xrealloc(t->items, (t->n + 1) * sizeof *t->items);
	it = &t->items[t->n++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->key = xstrdup(key);
	it->len = text->len;
	it->text = sb_steal(text);
	it->lang = lang ? xstrdup(lang) : NULL;
	it->translated_key = tkey ? xstrdup(tkey) : NULL;
	it->compressed = compressed;
	it->after_idat = after_idat;
	return 0;
}

/* wbits as zlib's inflateInit2: 15 for a zlib stream, 16 + 15 for gzip. */
static int inflate_bits(const unsigned char *in, size_t n, size_t max, struct sbuf *out,
                        const char **why, int wbits)
{
	z_stream z;
	unsigned char buf[16384];
	int rc;
	size_t got;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, wbits) != Z_OK) {
		*why = "zlib cannot start";
		return -1;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	for (;;) {
		z.next_out = buf;
		z.avail_out = sizeof buf;
		rc = inflate(&z, Z_NO_FLUSH);
		got = sizeof buf - z.avail_out;
		if (got > max - out->len) {
			*why = "it inflates past the size limit (a zip bomb?)";
			break;
		}
		sb_add(out, buf, got);
		if (rc == Z_STREAM_END) {
			inflateEnd(&z);
			return 0;
		}
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			*why = "the compressed stream is cut short";
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			*why = "the compressed stream is corrupt";
			break;
		}
		if (rc == Z_BUF_ERROR && got == 0) {
			*why = "the compressed stream does not progress";
			break;
		}
	}
	inflateEnd(&z);
	sb_reset(out);
	return -1;
}

int gm_inflate(const unsigned char *in, size_t n, size_t max, struct sbuf *out, const char **why)
{
	return inflate_bits(in, n, max, out, why, 15);
}

int gm_gunzip(const unsigned char *in, size_t n, size_t max, struct sbuf *out, const char **why)
{
	return inflate_bits(in, n, max, out, why, 16 + 15);
}

/* ---------------------------------------------------------------- PNG chunks */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int is_text_type(const unsigned char *ty)
{
	return !memcmp(ty, "tEXt", 4) || !memcmp(ty, "zTXt", 4) || !memcmp(ty, "iTXt", 4);
}

/* Chunk types are four ASCII letters (PNG spec 5.3). */
static int is_chunk_type(const unsigned char *ty)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!((ty[i] >= 'A' && ty[i] <= 'Z') || (ty[i] >= 'a' && ty[i] <= 'z')))
			return 0;
	return 1;
}

/* The type as printable text for a note. */
static void type_name(const unsigned char *ty, char out[5])
{
	int i;

	for (i = 0; i < 4; i++)
		out[i] = (ty[i] >= 0x21 && ty[i] <= 0x7e) ? (char)ty[i] : '?';
	out[4] = 0;
}

/* Splits the keyword off a text chunk body: its length, or -1 when the
 * body has no NUL within 79 bytes or the keyword is empty. */
static int keyword_len(const unsigned char *b, size_t n)
{
	const unsigned char *z = memchr(b, 0, n < 80 ? n : 80);

	if (!z || z == b)
		return -1;
	return (int)(z - b);
}

/* Decodes one text chunk body into an item (or a note). */
static void text_chunk(struct gm_walk *w, const unsigned char *ty, const unsigned char *b, size_t n,
                       uint64_t off, int after_idat)
{
	struct media_png_text *t = w->t;
	struct sbuf key, text, lang, tkey;
	const unsigned char *p, *z, *end = b + n;
	const char *why = NULL;
	char tn[5];
	int kl, compressed = 0;
	enum media_text_kind kind;

	type_name(ty, tn);
	kl = keyword_len(b, n);
	if (kl < 0) {
		gm_note(&t->notes, &t->n_notes,
		        "%s chunk at byte %llu has no valid keyword: skipped", tn,
		        (unsigned long long)off);
		return;
	}
	sb_init(&key);
	sb_init(&text);
	sb_init(&lang);
	sb_init(&tkey);
	gm_latin1_to_utf8(&key, b, (size_t)kl);
	p = b + kl + 1;
	if (!memcmp(ty, "tEXt", 4)) {
		kind = MEDIA_TEXT_TEXT;
		if (gm_is_utf8_nonascii(p, (size_t)(end - p))) {
			gm_note(&t->notes, &t->n_notes,
			        "tEXt \"%s\" holds UTF-8, not the Latin-1 the PNG standard asks "
			        "for: read as UTF-8",
			        key.s);
			sb_add(&text, p, (size_t)(end - p));
		} else {
			gm_latin1_to_utf8(&text, p, (size_t)(end - p));
		}
	} else if (!memcmp(ty, "zTXt", 4)) {
		kind = MEDIA_TEXT_ZTXT;
		compressed = 1;
		if (p >= end || *p != 0) {
			why = "unknown compression method";
		} else {
			struct sbuf raw;

			sb_init(&raw);
			if (gm_inflate(p + 1, (size_t)(end - p - 1), w->lim.max_item_bytes, &raw,
			               &why) == 0) {
				if (gm_is_utf8_nonascii((unsigned char *)raw.s, raw.len))
					sb_add(&text, raw.s, raw.len);
				else
					gm_latin1_to_utf8(&text, (unsigned char *)raw.s, raw.len);
			}
			sb_free(&raw);
		}
	} else {
		kind = MEDIA_TEXT_ITXT;
		if (end - p < 2) {
			why = "the chunk is too short";
			goto done;
		}
		compressed = p[0];
		if (compressed > 1 || (compressed && p[1] != 0)) {
			why = "unknown compression flag or method";
			goto done;
		}
		p += 2;
		z = memchr(p, 0, (size_t)(end - p));
		if (!z) {
			why = "the language tag is not terminated";
			goto done;
		}
		gm_utf8_clean(&lang, p, (size_t)(z - p));
		p = z + 1;
		z = memchr(p, 0, (size_t)(end - p));
		if (!z) {
			why = "the translated keyword is not terminated";
			goto done;
		}
		gm_utf8_clean(&tkey, p, (size_t)(z - p));
		p = z + 1;
		if (compressed) {
			struct sbuf raw;

			sb_init(&raw);
			if (gm_inflate(p, (size_t)(end - p), w->lim.max_item_bytes, &raw, &why) ==
			            0 &&
			    gm_utf8_clean(&text, (unsigned char *)raw.s, raw.len))
				gm_note(&t->notes, &t->n_notes,
				        "iTXt \"%s\" is not valid UTF-8: bad bytes replaced by "
				        "U+FFFD",
				        key.s);
			sb_free(&raw);
		} else if (gm_utf8_clean(&text, p, (size_t)(end - p))) {
			gm_note(&t->notes, &t->n_notes,
			        "iTXt \"%s\" is not valid UTF-8: bad bytes replaced by U+FFFD",
			        key.s);
		}
	}
done:
	if (why)
		gm_note(&t->notes, &t->n_notes, "%s \"%s\" at byte %llu skipped: %s", tn, key.s,
		        (unsigned long long)off, why);
	else
		gm_walk_add(w, kind, key.s, &text, lang.len ? lang.s : NULL,
		            tkey.len ? tkey.s : NULL, compressed, after_idat);
	sb_free(&key);
	sb_free(&text);
	sb_free(&lang);
	sb_free(&tkey);
}

int gm_png_walk(struct gm_src *s, const struct media_text_limits *lim, struct media_png_text **out,
                char **err)
{
	struct gm_walk w;
	struct media_png_text *t;
	unsigned char sig[8], hdr[8], crcb[4], *body;
	uint32_t len, crc;
	uint64_t off;
	int after_idat = 0, seen_idat = 0, first = 1;
	char tn[5];

	*out = NULL;
	if (gm_src_read(s, sig, 8) < 0 || memcmp(sig, png_sig, 8) != 0) {
		*err = xstrdup(s->ioerr ? strerror(s->ioerr) : "not a PNG file (no PNG signature)");
		return -1;
	}
	gm_walk_init(&w, "PNG", lim);
	t = w.t;
	for (;;) {
		off = s->pos;
		if (w.chunks++ >= w.lim.max_chunks) {
			gm_note(&t->notes, &t->n_notes,
			        "more than %zu chunks: stopped reading at byte %llu",
			        w.lim.max_chunks, (unsigned long long)off);
			break;
		}
		if (gm_src_read(s, hdr, 8) < 0) {
			if (s->ioerr)
				goto ioerr;
			t->truncated = 1;
			gm_note(&t->notes, &t->n_notes,
			        "the file ends at byte %llu without an IEND chunk (truncated PNG)",
			        (unsigned long long)s->size);
			break;
		}
		len = be32(hdr);
		type_name(hdr + 4, tn);
		if (len > 0x7fffffffu || !is_chunk_type(hdr + 4)) {
			gm_note(&t->notes, &t->n_notes,
			        "bad chunk header at byte %llu: stopped reading (damaged PNG)",
			        (unsigned long long)off);
			break;
		}
		if (first && memcmp(hdr + 4, "IHDR", 4) != 0)
			gm_note(&t->notes, &t->n_notes, "the first chunk is %s, not IHDR", tn);
		first = 0;
		if ((uint64_t)len + 4 > s->size - s->pos) {
			t->truncated = 1;
			gm_note(&t->notes, &t->n_notes,
			        "the file ends inside chunk %s at byte %llu (truncated PNG)", tn,
			        (unsigned long long)off);
			break;
		}
		if (!memcmp(hdr + 4, "IEND", 4))
			break;
		if (!memcmp(hdr + 4, "IDAT", 4)) {
			seen_idat = 1;
		} else if (seen_idat) {
			after_idat = 1;
		}
		if (!is_text_type(hdr + 4) && memcmp(hdr + 4, "eXIf", 4) != 0) {
			if (gm_src_skip(s, (uint64_t)len + 4) < 0)
				goto ioerr_or_trunc;
			continue;
		}
		if (gm_walk_items_full(&w) || len > w.lim.max_item_bytes) {
			if (len > w.lim.max_item_bytes)
				gm_note(&t->notes, &t->n_notes,
				        "%s chunk at byte %llu is %u bytes, over the %zu-byte "
				        "limit: skipped",
				        tn, (unsigned long long)off, len, w.lim.max_item_bytes);
			if (gm_src_skip(s, (uint64_t)len + 4) < 0)
				goto ioerr_or_trunc;
			continue;
		}
		body = xmalloc(len ? len : 1);
		if (gm_src_read(s, body, len) < 0 || gm_src_read(s, crcb, 4) < 0) {
			free(body);
			goto ioerr_or_trunc;
		}
		crc = (uint32_t)crc32(0L, hdr + 4, 4);
		crc = (uint32_t)crc32(crc, body, len);
		if (crc != be32(crcb)) {
			gm_note(&t->notes, &t->n_notes,
			        "%s chunk at byte %llu fails its CRC check: skipped (damaged file)",
			        tn, (unsigned long long)off);
			if (check_crc) {
				free(body);
				continue;
			}
		}
		if (!memcmp(hdr + 4, "eXIf", 4)) {
			gm_exif_parse(&w, body, len);
		} else {
			text_chunk(&w, hdr + 4, body, len, off, after_idat);
		}
		free(body);
	}
	*out = t;
	return 0;
ioerr_or_trunc:
	if (!s->ioerr) {
		t->truncated = 1;
		gm_note(&t->notes, &t->n_notes, "the file is cut short (truncated PNG)");
		*out = t;
		return 0;
	}
ioerr:
	*err = xasprintf("read error: %s", strerror(s->ioerr));
	media_png_text_free(&t);
	return -1;
}

/* ---------------------------------------------------------------- public */

static int read_file_with(int (*walk)(struct gm_src *, const struct media_text_limits *,
                                      struct media_png_text **, char **),
                          const char *path, const struct media_text_limits *lim,
                          struct media_png_text **out, char **err)
{
	struct gm_src s;
	char *why = NULL;
	int rc;

	*out = NULL;
	if (gm_src_open(&s, path, err) < 0)
		return -1;
	rc = walk(&s, lim, out, &why);
	gm_src_close(&s);
	if (rc < 0) {
		*err = xasprintf("%s: %s", path, why);
		free(why);
	}
	return rc;
}

int media_png_text_read_file(const char *path, const struct media_text_limits *lim,
                             struct media_png_text **out, char **err)
{
	return read_file_with(gm_png_walk, path, lim, out, err);
}

int media_png_text_read_mem(const void *data, size_t n, const struct media_text_limits *lim,
                            struct media_png_text **out, char **err)
{
	struct gm_src s;

	gm_src_mem(&s, data, n);
	return gm_png_walk(&s, lim, out, err);
}

/* Picks the walk by the first bytes. */
static int sniff_walk(struct gm_src *s, const struct media_text_limits *lim,
                      struct media_png_text **out, char **err)
{
	unsigned char head[12];
	size_t n = s->size < sizeof head ? (size_t)s->size : sizeof head;

	*out = NULL;
	if (gm_src_read(s, head, n) < 0) {
		*err = xasprintf("read error: %s", strerror(s->ioerr ? s->ioerr : EIO));
		return -1;
	}
	if (s->f ? fseeko(s->f, 0, SEEK_SET) < 0 : 0) {
		*err = xasprintf("cannot seek: %s", strerror(errno));
		return -1;
	}
	s->pos = 0;
	if (n >= 8 && !memcmp(head, png_sig, 8))
		return gm_png_walk(s, lim, out, err);
	if (n >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
		return gm_jpeg_walk(s, lim, out, err);
	if (n >= 12 && !memcmp(head, "RIFF", 4) && !memcmp(head + 8, "WEBP", 4))
		return gm_webp_walk(s, lim, out, err);
	*err = xstrdup(n == 0 ? "empty file" : "not a PNG, JPEG or WebP file");
	return -1;
}

int media_embedded_text_read_file(const char *path, const struct media_text_limits *lim,
                                  struct media_png_text **out, char **err)
{
	return read_file_with(sniff_walk, path, lim, out, err);
}

int media_embedded_text_read_mem(const void *data, size_t n, const struct media_text_limits *lim,
                                 struct media_png_text **out, char **err)
{
	struct gm_src s;

	gm_src_mem(&s, data, n);
	return sniff_walk(&s, lim, out, err);
}

const struct media_text_item *media_png_text_get(const struct media_png_text *t, const char *key)
{
	size_t i;

	for (i = 0; t && i < t->n; i++)
		if (!strcmp(t->items[i].key, key))
			return &t->items[i];
	return NULL;
}

void media_png_text_free(struct media_png_text **tp)
{
	struct media_png_text *t = *tp;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->items[i].key);
		free(t->items[i].text);
		free(t->items[i].lang);
		free(t->items[i].translated_key);
	}
	free(t->items);
	gm_notes_free(&t->notes, &t->n_notes);
	free(t);
	*tp = NULL;
}
