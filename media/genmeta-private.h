/*
 * genmeta-private.h - shared insides of media/'s metadata readers
 * (pngtext.c, exiftext.c, genmeta*.c): bounded byte sources, notes,
 * text repair, the walk state that enforces the limits, and the parsers
 * that genmeta.c dispatches to.  Never included from another folder.
 */
#ifndef LB_MEDIA_GENMETA_PRIVATE_H
#define LB_MEDIA_GENMETA_PRIVATE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "media/media.h"
#include "util.h"

/* Notes past this many are summed up in one last note. */
#define GM_MAX_NOTES 40

/* --- a file or a memory buffer read front to back, with seeks --- */
struct gm_src {
	FILE *f;                  /* NULL for memory */
	const unsigned char *mem; /* the buffer when f is NULL */
	uint64_t size;            /* total bytes */
	uint64_t pos;             /* next byte to read */
	int ioerr;                /* errno of a failed read, 0 when none */
};
/* Reads exactly n bytes; -1 when fewer are left (or on I/O error). */
int gm_src_read(struct gm_src *s, void *buf, size_t n);
/* Moves n bytes on; -1 (and pos at the end) when fewer are left. */
int gm_src_skip(struct gm_src *s, uint64_t n);
/* Opens path as a source: 0, or -1 with *err set (owned). */
int gm_src_open(struct gm_src *s, const char *path, char **err);
void gm_src_mem(struct gm_src *s, const void *data, size_t n);
void gm_src_close(struct gm_src *s);

/* --- notes: "what was skipped and why", capped at GM_MAX_NOTES --- */
void gm_note(char ***notes, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void gm_notes_free(char ***notes, size_t *n);

/* --- text repair: every result is valid UTF-8 with no NUL byte --- */
/* Appends the valid UTF-8 of s; each invalid byte and each NUL becomes
 * U+FFFD.  Returns how many were replaced. */
size_t gm_utf8_clean(struct sbuf *out, const unsigned char *s, size_t n);
/* Appends code point cp (at most U+10FFFF) as UTF-8. */
void gm_utf8_put(struct sbuf *out, unsigned cp);
/* Appends Latin-1 bytes as UTF-8 (NUL becomes U+FFFD). */
void gm_latin1_to_utf8(struct sbuf *out, const unsigned char *s, size_t n);
/* 1 when s is valid UTF-8 holding at least one multi-byte sequence. */
int gm_is_utf8_nonascii(const unsigned char *s, size_t n);
/* Appends UTF-16 (big-endian when be) as UTF-8; lone surrogates and NUL
 * become U+FFFD.  Returns how many were replaced. */
size_t gm_utf16_to_utf8(struct sbuf *out, const unsigned char *s, size_t n, int be);

/* --- the state of one walk over a container --- */
struct gm_walk {
	struct media_png_text *t;
	struct media_text_limits lim;
	size_t total;    /* text bytes kept so far */
	uint64_t chunks; /* chunks or segments walked */
	int full_items;  /* the items limit was met and noted */
	int full_total;  /* the total-bytes limit was met and noted */
};
void gm_walk_init(struct gm_walk *w, const char *container, const struct media_text_limits *lim);
/* Adds one item, taking text (reset afterwards) and copying key, lang and
 * tkey; skips it with a note when a limit is met.  0 kept, -1 skipped. */
int gm_walk_add(struct gm_walk *w, enum media_text_kind kind, const char *key, struct sbuf *text,
                const char *lang, const char *tkey, int compressed, int after_idat);
/* 1 (with a note the first time) when no further item can be kept. */
int gm_walk_items_full(struct gm_walk *w);
/* Inflates a zlib stream into out, refusing to grow past max bytes.
 * 0, or -1 with *why set to a static reason. */
int gm_inflate(const unsigned char *in, size_t n, size_t max, struct sbuf *out, const char **why);
/* The same for a gzip stream (RFC 1952), as Python's gzip.compress writes. */
int gm_gunzip(const unsigned char *in, size_t n, size_t max, struct sbuf *out, const char **why);

/* The PNG walk, on an opened source positioned at 0. */
int gm_png_walk(struct gm_src *s, const struct media_text_limits *lim, struct media_png_text **out,
                char **err);
/* The JPEG and WebP walks, likewise. */
int gm_jpeg_walk(struct gm_src *s, const struct media_text_limits *lim, struct media_png_text **out,
                 char **err);
int gm_webp_walk(struct gm_src *s, const struct media_text_limits *lim, struct media_png_text **out,
                 char **err);
/* Parses a TIFF-structured EXIF block and adds its text tags as items. */
void gm_exif_parse(struct gm_walk *w, const unsigned char *p, size_t n);
/* The text of property name ("exif:UserComment", "dc:description",
 * "xmp:CreatorTool") in an XMP packet, as element (the first rdf:li of
 * an rdf:Alt/Seq/Bag when there is one) or as attribute, with XML
 * references resolved; owned, or NULL when absent. */
char *gm_xmp_field(const char *xmp, const char *name);

/* --- "stealth" PNG info: text in the pixels' least significant bits (stealth.c) --- */
struct gm_stealth {
	const char *signature; /* static: "stealth_pnginfo", "stealth_pngcomp",
				  "stealth_rgbinfo" or "stealth_rgbcomp" */
	int rgb;               /* 1: in the red, green and blue bits; 0: in the alpha bits */
	int compressed;        /* 1: the bytes were gzip */
	struct sbuf text;      /* the bytes, inflated when compressed (not yet UTF-8 checked) */
};
/* Looks for stealth info in the PNG on s (positioned anywhere).  1 and
 * *st filled (st->text to be freed with sb_free), 0 when the file holds
 * none (not a PNG of 8-bit RGB or RGBA, or no signature), -1 when a
 * signature is there but the data is unusable (*why, static).  Decodes
 * rows as a stream: memory is two rows plus the bits kept, at most
 * max_bytes of payload; pictures over pixel_limit pixels are not read. */
int gm_stealth_read(struct gm_src *s, long long pixel_limit, size_t max_bytes,
                    struct gm_stealth *st, const char **why);

/* --- building a result (genmeta.c) --- */
struct media_genmeta *gm_new(void);
/* Sets a string field (owned copy of s, or NULL); the old value is freed. */
void gm_set(char **field, const char *s);
/* Sets a string field to s with surrounding whitespace removed and CRLF
 * turned into LF, as the tools' own readers compare prompts. */
void gm_set_text(char **field, const char *s, size_t n);
/* Parses a decimal seed (optional sign) into m->seed: 0, or -1 when it
 * is not an integer or out of the int64 range. */
int gm_set_seed_str(struct media_genmeta *m, const char *s);
/* Sets the seed from a JSON value (integer, integral real, or string). */
int gm_set_seed_json(struct media_genmeta *m, json_t *v);
/* Stores params (a JSON object, reference taken) as m->params_json. */
void gm_set_params(struct media_genmeta *m, json_t *params);
/* Fills width, height and size in params from "WxH" or "(W, H)" text. */
int gm_params_size(json_t *params, const char *s);
/* Sets width/height/size in params from two numbers. */
void gm_params_wh(json_t *params, json_int_t w, json_int_t h);
/* Loads JSON text without ever failing on integers beyond 64 bits
 * (retried as reals, with a note).  NULL when the text is not JSON;
 * *why then holds jansson's reason. */
json_t *gm_json_load(struct media_genmeta *m, const char *text, size_t len, char why[160]);
/* The value as a string: strings as they are, numbers formatted; owned. */
char *gm_json_str(json_t *v);

/* --- the parsers (0 when the text was of their kind) --- */
int gm_parse_a1111(struct media_genmeta *m, const char *text, size_t len);
int gm_parse_comfy_prompt(struct media_genmeta *m, json_t *graph);
int gm_parse_comfy_workflow(struct media_genmeta *m, json_t *wf);
int gm_parse_swarm(struct media_genmeta *m, json_t *doc);
int gm_parse_fooocus(struct media_genmeta *m, json_t *doc);
int gm_parse_invoke_meta(struct media_genmeta *m, json_t *doc);
int gm_parse_invoke_sd(struct media_genmeta *m, json_t *doc);
int gm_parse_invoke_dream(struct media_genmeta *m, const char *text);
int gm_parse_novelai(struct media_genmeta *m, json_t *comment, const char *description,
                     const char *source);
int gm_parse_generic_json(struct media_genmeta *m, json_t *doc);
int gm_parse_drawthings(struct media_genmeta *m, json_t *doc);
/* 1 when graph looks like a ComfyUI API prompt (nodes with class_type). */
int gm_is_comfy_prompt(json_t *graph);
/* 1 when doc looks like a ComfyUI UI workflow (a "nodes" array). */
int gm_is_comfy_workflow(json_t *doc);

#endif
