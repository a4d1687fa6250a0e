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

/* Name or path of the ffmpeg program media/ runs: $LIGHTBOX_FFMPEG, else
 * "ffmpeg" (looked up in $PATH).  Static or environment string. */
const char *media_ffmpeg_program(void);


/* ==== generation metadata: PNG text chunks, A1111/ComfyUI/... parameters, sidecars (media/pngtext.c, genmeta*.c) ==== */

#endif
