/*
 * media.h - decoding and probing of candidate files: what a file is (by its
 * bytes, not its name), its dimensions or duration, pixels decoded at the
 * size a preview needs, thumbnails, waveforms, and the generation
 * parameters that tools embed in their outputs.
 *
 * media/ never includes curses or chafa and never speaks SQL.
 */
#ifndef LB_MEDIA_H
#define LB_MEDIA_H

#include <stddef.h>
#include <stdint.h>

/* ==== decoding, probing, thumbnails, waveforms (media/image*.c, probe*.c, thumb.c, audio.c) ==== */

/* ==== generation metadata: PNG text chunks, A1111/ComfyUI/... parameters, sidecars (media/pngtext.c, genmeta*.c) ==== */

/* --- embedded text: PNG tEXt/zTXt/iTXt (and eXIf), JPEG and WebP EXIF/XMP/COM ---
 * Readers never load image data: they walk the container's chunk or
 * segment headers and seek past everything else.  All sizes are bounded
 * (struct media_text_limits); what is skipped or cut is said in notes. */

enum media_text_kind {
	MEDIA_TEXT_TEXT,    /* PNG tEXt (Latin-1 in the file, UTF-8 here) */
	MEDIA_TEXT_ZTXT,    /* PNG zTXt (zlib, Latin-1) */
	MEDIA_TEXT_ITXT,    /* PNG iTXt (UTF-8, maybe zlib) */
	MEDIA_TEXT_EXIF,    /* an EXIF tag: UserComment, ImageDescription, Make, Model */
	MEDIA_TEXT_XMP,     /* an XMP packet, verbatim */
	MEDIA_TEXT_COMMENT, /* a JPEG COM segment */
};

struct media_text_item {
	enum media_text_kind kind;
	char *key;            /* owned, UTF-8: PNG keyword, EXIF tag name, "XMP", "Comment" */
	char *text;           /* owned, valid UTF-8 without NUL bytes, NUL-terminated */
	size_t len;           /* bytes in text, excluding the terminating NUL */
	char *lang;           /* owned iTXt language tag, or NULL */
	char *translated_key; /* owned iTXt translated keyword, or NULL */
	int compressed;       /* 1 when the text was stored zlib-compressed */
	int after_idat;       /* PNG: 1 when the chunk follows the image data */
};

struct media_png_text {
	const char *container;        /* static: "PNG", "JPEG" or "WebP" */
	struct media_text_item *items; /* owned array of n items, in file order */
	size_t n;
	char **notes;                 /* owned: what was skipped, repaired or cut, and why */
	size_t n_notes;
	int truncated;                /* 1 when the file ended inside the structure */
};

struct media_text_limits {
	size_t max_items;       /* text items kept; later ones are skipped (default 256) */
	size_t max_item_bytes;  /* one chunk stored, or its text inflated (default 8 MiB) */
	size_t max_total_bytes; /* all texts together (default 32 MiB) */
	size_t max_chunks;      /* chunks/segments walked before giving up (default 1000000) */
};

/* The default limits (the values above). */
void media_text_limits_default(struct media_text_limits *lim);

/* Reads the text chunks of the PNG file at path (or of the n bytes at
 * data), checking every chunk's CRC: a bad chunk is skipped and noted.
 * lim may be NULL for the defaults.  Returns 0 and sets *out (owned, free
 * with media_png_text_free) even when the file is truncated or holds no
 * text; -1 and sets *err (owned) when the file cannot be read or is not a
 * PNG. */
int media_png_text_read_file(const char *path, const struct media_text_limits *lim,
			     struct media_png_text **out, char **err);
int media_png_text_read_mem(const void *data, size_t n, const struct media_text_limits *lim,
			    struct media_png_text **out, char **err);

/* Like media_png_text_read_*, for any container it knows by its first
 * bytes: PNG, JPEG (APP1 EXIF and XMP, COM) or WebP (EXIF and XMP chunks).
 * -1 with *err for other files. */
int media_embedded_text_read_file(const char *path, const struct media_text_limits *lim,
				  struct media_png_text **out, char **err);
int media_embedded_text_read_mem(const void *data, size_t n, const struct media_text_limits *lim,
				 struct media_png_text **out, char **err);

/* The first item whose key is key (exact, case-sensitive), or NULL.
 * The item belongs to t. */
const struct media_text_item *media_png_text_get(const struct media_png_text *t, const char *key);

/* Frees *t and everything it owns, and sets *t to NULL.  NULL is fine. */
void media_png_text_free(struct media_png_text **t);

/* --- generation parameters recovered from a file's metadata ---
 * Tools: AUTOMATIC1111, Forge, SD.Next (A1111 "parameters" text, in PNG
 * text chunks or JPEG/WebP EXIF UserComment), ComfyUI ("prompt" API graph,
 * else the "workflow" UI graph), InvokeAI (invokeai_metadata, sd-metadata,
 * Dream), NovelAI, Fooocus, SwarmUI, Draw Things (XMP), and sidecar files
 * with the same stem (.json, .txt).  The tool is named only from evidence found in the file;
 * every choice between competing sources is written in notes.
 *
 * params_json holds every parameter other than the struct's own fields,
 * under these normalized names when the source has them:
 *   "steps" (int), "sampler" (string: the tool's own sampler name),
 *   "scheduler" (string), "cfg_scale" (number), "width", "height" (int),
 *   "size" ("WxH"), "denoise" (number), "clip_skip" (int),
 *   "loras" (array of {"name": string, "weight": number}, when the tool
 *   names them in a form this reader knows)
 * and any other key under the tool's own name ("Version", "Hires upscale",
 * "generation_mode", ...). */
struct media_genmeta {
	char *tool;            /* owned: "AUTOMATIC1111", "Forge", "SD.Next", "A1111-style",
				  "ComfyUI", "InvokeAI", "NovelAI", "Fooocus", "SwarmUI",
				  "Draw Things"; NULL when nothing names one */
	char *tool_version;    /* owned, as written, or NULL */
	char *source;          /* owned: where the values came from, e.g.
				  "PNG iTXt \"parameters\"", "sidecar cat.json"; NULL if none */
	char *prompt;          /* owned; NULL = not in the metadata, "" = present and empty */
	char *negative_prompt; /* owned; same rule */
	int has_seed;          /* 1 when seed holds a value */
	int64_t seed;
	char *model;           /* owned checkpoint/model name as written, or NULL */
	char *model_hash;      /* owned, as written, or NULL */
	char *params_json;     /* owned JSON object text, never NULL ("{}" when empty) */
	char *raw;             /* owned: the text the values were read from, or NULL */
	char *workflow;        /* owned ComfyUI UI workflow JSON when the file has one, or NULL */
	char **notes;          /* owned: choices made, things skipped or repaired */
	size_t n_notes;
};

enum {
	MEDIA_GENMETA_NO_SIDECAR = 1 << 0, /* do not look for STEM.json / STEM.txt */
};

/* Recovers generation parameters from the file at path: its embedded
 * metadata, else a sidecar with the same stem (unless flags say not to).
 * Returns 0 and sets *out (owned; free with media_genmeta_free) even when
 * nothing was found (then media_genmeta_found() is 0 and notes say why);
 * -1 and *err (owned) only when the file itself cannot be read. */
int media_genmeta_from_file(const char *path, unsigned flags, struct media_genmeta **out,
			    char **err);
/* The same for the n bytes at data (no sidecars).  Returns 0 and sets *out
 * (owned); never fails for bad input: unknown formats give an empty result. */
int media_genmeta_from_mem(const void *data, size_t n, struct media_genmeta **out);
/* From text items already read (t belongs to the caller).  Owned result. */
struct media_genmeta *media_genmeta_from_texts(const struct media_png_text *t);
/* Parses A1111-style "parameters" text (also a .txt sidecar's content).
 * Owned result; text that is not A1111-style gives the prompt alone. */
struct media_genmeta *media_genmeta_parse_a1111(const char *text, size_t len);
/* Parses a JSON document of any shape this reader knows: ComfyUI API or
 * UI graph, SwarmUI, Fooocus, InvokeAI, NovelAI comment, A1111 API info,
 * or an object with common key names (a .json sidecar).  Owned result;
 * empty (with a note) when the text is not JSON or of no known shape. */
struct media_genmeta *media_genmeta_parse_json(const char *text, size_t len);
/* 1 when m holds anything: a prompt, a seed, a model or a parameter. */
int media_genmeta_found(const struct media_genmeta *m);
/* Frees *m and everything it owns, and sets *m to NULL.  NULL is fine. */
void media_genmeta_free(struct media_genmeta **m);

#endif
