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

/* What a file holds, decided from its bytes. */
enum media_kind {
	MEDIA_UNKNOWN = 0,
	MEDIA_IMAGE,
	MEDIA_TEXT,
	MEDIA_AUDIO,
	MEDIA_VIDEO,
};

/* Facts about one file.  Fields that do not apply, or could not be read,
 * are 0 or "".  Strings are NUL-terminated ASCII, safe to print. */
struct media_info {
	enum media_kind kind;
	char mime[32];       /* "image/png", "audio/ogg", ...; "application/octet-stream" */
	char ext[8];         /* canonical extension, no dot: "png", "jpg", "mp4", "bin" */
	char codec[16];      /* "png", "jpeg", "pcm", "float", "mp3", "opus", "h264", "vp9"... */
	uint64_t bytes;      /* size of the file or buffer */
	int width, height;   /* pixels as displayed (images, video) */
	int frames;          /* image frames: 1 still, >1 animated (GIF, APNG, WebP) */
	int orientation;     /* EXIF orientation 1..8 of a JPEG, 0 when absent */
	double duration;     /* seconds (audio, video); 0 when unknown */
	int duration_estimated; /* 1 when duration is guessed from the bitrate */
	int sample_rate;     /* Hz, of the (first) audio stream */
	int channels;        /* of the (first) audio stream */
	int bits;            /* bits per sample when the format says */
	int bitrate;         /* kbit/s when the format says (MP3) */
};

/* Default for the pixel_limit arguments below: 100 megapixels. */
#define MEDIA_PIXEL_LIMIT_DEFAULT 100000000LL
/* The highest limit `set pixel-limit` takes (10000 megapixels, its unit;
 * keymaps/options.def says the same), for the hint of a refusal. */
#define MEDIA_PIXEL_LIMIT_MAX 10000000000LL

/* "image", "text", "audio", "video" or "unknown"; static string. */
const char *media_kind_name(enum media_kind kind);

/* Probes n bytes by content (magic bytes, never a name).  0 with *info
 * filled (kind MEDIA_UNKNOWN for bytes it does not recognise), or -1 with
 * *err set (owned by the caller) for empty, truncated or corrupt data of a
 * recognised format.  Bounded in time and memory on any input. */
int media_probe_mem(const void *data, size_t n, struct media_info *info, char **err);

/* As media_probe_mem for a file, reading only the parts it needs (the
 * head, the tail of an Ogg stream, an MP4's boxes).  The extension only
 * picks between text subtypes ("md" -> text/markdown); a file whose name
 * lies is reported as what it holds.  -1 and *err when it cannot be read. */
int media_probe_file(const char *path, struct media_info *info, char **err);

/* Decoded pixels: always RGBA, 8 bits per channel, straight (not
 * premultiplied) alpha, rows top to bottom with no padding. */
struct media_image {
	unsigned char *rgba; /* owned; width * height * 4 bytes */
	int width, height;   /* of rgba */
	int src_width, src_height; /* of the picture in the file, as displayed */
	int frames;          /* frames in the file (only the first is decoded) */
	int decoded_width, decoded_height; /* what the decoder produced before the final
					    * resize: below src_* when it scaled itself */
};

/* Frees img->rgba and zeroes *img; a zeroed or freed image is fine. */
void media_image_free(struct media_image *img);

/* The largest size with src's aspect that fits max_w x max_h, never
 * larger than src and never below 1x1.  max_w or max_h <= 0: no bound on
 * that side. */
void media_fit(int src_w, int src_h, int max_w, int max_h, int *w, int *h);

/* Decodes the image at path (PNG, JPEG, WebP, GIF: first frame) to RGBA
 * no larger than max_w x max_h (aspect kept, never enlarged), decoding
 * JPEG and WebP directly at a reduced scale.  The header is read first:
 * a picture of more than pixel_limit pixels (<= 0: the default) is
 * refused before any large allocation.  0, or -1 with *err (owned). */
int media_image_load(const char *path, int max_w, int max_h, long long pixel_limit,
		     struct media_image *out, char **err);
/* The same for an image held in memory. */
int media_image_load_mem(const void *data, size_t n, int max_w, int max_h,
			 long long pixel_limit, struct media_image *out, char **err);

/* Scales an RGBA picture to exactly w x h (area average when shrinking).
 * Returns an owned buffer. */
unsigned char *media_rgba_resize(const unsigned char *rgba, int sw, int sh, int w, int h);

/* Encoders for sending pictures to terminals.  Each returns 0 and an owned
 * buffer (*out, *len; free() it), or -1 with *err (owned).  rgba is
 * width * height * 4 bytes as in struct media_image. */
/* PNG: truecolour, with alpha only when some pixel is not opaque; level
 * 0..9 is zlib's (1, for a terminal link, also picks run-length or LZ77
 * matching by trying both on a band of the picture). */
int media_png_encode(const unsigned char *rgba, int width, int height, int level,
		     unsigned char **out, size_t *len, char **err);
/* Baseline JPEG, quality 1..100: chroma subsampled 4:2:0 below 90,
 * full 4:4:4 from 90 up.  Alpha is dropped. */
int media_jpeg_encode(const unsigned char *rgba, int width, int height, int quality,
		      unsigned char **out, size_t *len, char **err);
/* A zlib stream (RFC 1950) of n bytes, as kitty's o=z payload wants. */
int media_zlib_encode(const void *data, size_t n, int level, unsigned char **out, size_t *len,
		      char **err);

/* Thumbnail cache.  Looks up the picture of the asset sha256_hex (64
 * lower-case hex digits) fitted to max_w x max_h under
 * cache_dir/thumbs/XX/<sha>-<w>x<h>.lbt; when it is missing or corrupt,
 * decodes src_path (an image, or a video's poster frame through ffmpeg),
 * stores the result atomically and returns it.  Returns 1 when served from
 * the cache, 0 when built (a cache that cannot be written is not an error),
 * -1 with *err (owned) when the source cannot be decoded. */
int media_thumb_load(const char *cache_dir, const char *sha256_hex, const char *src_path,
		     int max_w, int max_h, long long pixel_limit, struct media_image *out,
		     char **err);
/* The cache file media_thumb_load uses; owned string. */
char *media_thumb_path(const char *cache_dir, const char *sha256_hex, int max_w, int max_h);

/* Waveform of an audio file in `buckets` columns: mins[i] <= maxs[i] in
 * [-1, 1], channels mixed to mono.  WAV (8/16/24/32-bit PCM, 32/64-bit
 * float, A-law, mu-law) is read directly; other formats are decoded by
 * ffmpeg when it is installed.  *info (may be NULL) gets the file's facts
 * even when the waveform fails.  0, or -1 with *err (owned). */
int media_audio_peaks(const char *path, int buckets, float *mins, float *maxs,
		      struct media_info *info, char **err);

/* A poster frame of a video (a frame about a tenth in), through ffmpeg,
 * fitted to max_w x max_h like media_image_load.  *info (may be NULL) gets
 * the file's facts.  0, or -1 with *err (owned), e.g. when ffmpeg is not
 * installed. */
int media_video_poster(const char *path, int max_w, int max_h, long long pixel_limit,
		       struct media_image *out, struct media_info *info, char **err);

/* Perceptual fingerprints (media/fingerprint.c): 64 bits from a decoded
 * picture, compared by Hamming distance (media_fp_distance: 0 the same
 * picture, about 32 unrelated ones). */
enum media_fp_method {
	MEDIA_FP_PHASH, /* low frequencies of a 32x32 DCT against their median */
	MEDIA_FP_DHASH, /* brightness gradients of a 9x8 grey picture */
};
/* The default stack distance (`set stack-distance`): near-copies lie
 * within it, unrelated pictures beyond (tests/unit/test-fingerprint). */
#define MEDIA_FP_NEAR 10
/* The box of the thumbnail fingerprints are made from. */
#define MEDIA_FP_THUMB 128
uint64_t media_fingerprint(const struct media_image *img, enum media_fp_method method);
int media_fp_distance(uint64_t a, uint64_t b);
/* The pHash of a picture file, or of a video's poster frame: through the
 * thumbnail cache (media_thumb_load at MEDIA_FP_THUMB) when cache_dir and
 * sha256_hex are given, else decoded from path directly (video says it is
 * a video).  0, or -1 with *err (owned). */
int media_fingerprint_file(const char *cache_dir, const char *sha256_hex, const char *path,
			   int video, long long pixel_limit, uint64_t *fp, char **err);

/* Name or path of the ffmpeg program media/ runs: $LIGHTBOX_FFMPEG, else
 * "ffmpeg" (looked up in $PATH).  Static or environment string. */
const char *media_ffmpeg_program(void);


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
/* The same, reading the file's own bytes from copy (a copy of it already
 * made) and looking for sidecars beside path. */
int media_genmeta_from_copy(const char *copy, const char *path, unsigned flags, struct media_genmeta **out,
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
