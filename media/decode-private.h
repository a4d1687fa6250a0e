/*
 * decode-private.h - shared insides of media/'s decoding half: a bounded
 * byte source over a file or a buffer that every probe parser reads
 * through, the per-format probe entry points, big/little-endian readers,
 * whole-file reading and running ffmpeg without a shell.
 *
 * Private to media/: never included from another folder.
 */
#ifndef LB_MEDIA_DECODE_PRIVATE_H
#define LB_MEDIA_DECODE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"

/* Bytes a parser may ask for at once: the file window's size. */
#define MSRC_WINDOW 65536

/* A read-only byte source: a buffer, or a file read through a window. */
struct msrc {
	const unsigned char *mem; /* the whole data, or NULL for a file */
	int fd;                   /* the file when mem is NULL */
	uint64_t size;            /* total bytes */
	unsigned char *win;       /* owned window over the file */
	uint64_t win_off;         /* file offset of win[0] */
	size_t win_len;           /* valid bytes in win */
	const char *path;         /* for text subtype hints; may be NULL */
	int quick;                /* header facts only: skip whole-file checks */
	int io_error;             /* errno of a failed read, else 0 */
};

void msrc_init_mem(struct msrc *s, const void *data, size_t n);
/* Opens a regular file; -1 with *err (owned) when it cannot. */
int msrc_open(struct msrc *s, const char *path, char **err);
void msrc_close(struct msrc *s);
/* n bytes at off (n <= MSRC_WINDOW), valid until the next call, or NULL
 * when they are not all in the source. */
const unsigned char *msrc_at(struct msrc *s, uint64_t off, size_t n);
/* Up to n bytes at off (n <= MSRC_WINDOW); *got says how many. */
const unsigned char *msrc_upto(struct msrc *s, uint64_t off, size_t n, size_t *got);

/* Sets *err to a formatted message (when err is not NULL); returns -1. */
int media_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fills the identity fields of info. */
void media_set_type(struct media_info *info, enum media_kind kind, const char *mime,
		    const char *ext, const char *codec);

/* Probes a source (see media_probe_mem). */
int probe_source(struct msrc *s, struct media_info *info, char **err);

/* Format probes: the magic has matched; each fills info or fails with a
 * message naming the format and what is wrong. */
int probe_png(struct msrc *s, struct media_info *info, char **err);
int probe_jpeg(struct msrc *s, struct media_info *info, char **err);
int probe_gif(struct msrc *s, struct media_info *info, char **err);
int probe_webp(struct msrc *s, struct media_info *info, char **err);
int probe_wav(struct msrc *s, struct media_info *info, char **err);
int probe_flac(struct msrc *s, uint64_t off, struct media_info *info, char **err);
int probe_ogg(struct msrc *s, struct media_info *info, char **err);
int probe_mpeg_audio(struct msrc *s, uint64_t off, struct media_info *info, char **err);
int probe_isobmff(struct msrc *s, struct media_info *info, char **err);
int probe_matroska(struct msrc *s, struct media_info *info, char **err);
/* 1 when the bytes look like an MPEG audio (MP3) or ADTS stream at off. */
int probe_is_mpeg_audio(struct msrc *s, uint64_t off);
/* 1 when a box walk from 0 finds an ISO BMFF / QuickTime file. */
int probe_looks_isobmff(struct msrc *s);

/* Where WAV samples live and how they are coded (for the waveform). */
struct wav_layout {
	int format;          /* 1 PCM, 3 float, 6 A-law, 7 mu-law */
	int channels, bits, block_align, rate;
	uint64_t data_off, data_len; /* data_len clamped to the file */
};
int wav_layout(struct msrc *s, struct wav_layout *w, char **err);

static inline uint16_t rd_be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t rd_be24(const unsigned char *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline uint32_t rd_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t rd_be64(const unsigned char *p)
{
	return (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4);
}
static inline uint16_t rd_le16(const unsigned char *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}
static inline uint32_t rd_le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline uint32_t rd_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline uint64_t rd_le64(const unsigned char *p)
{
	return (uint64_t)rd_le32(p + 4) << 32 | rd_le32(p);
}

/* IEEE 754 values from their bits (as read from a file). */
static inline float f32_bits(uint32_t u)
{
	union {
		uint32_t u;
		float f;
	} v;

	v.u = u;
	return v.f;
}
static inline double f64_bits(uint64_t u)
{
	union {
		uint64_t u;
		double d;
	} v;

	v.u = u;
	return v.d;
}

/* A four-character code made printable (others become '?'). */
static inline const char *fourcc_str(const unsigned char *p, char out[5])
{
	int i;

	for (i = 0; i < 4; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[4] = '\0';
	return out;
}

/* Reads a whole regular file of at most max bytes into an owned buffer.
 * 0, or -1 with *err (owned). */
int media_read_all(const char *path, size_t max, unsigned char **out, size_t *len, char **err);

/* Runs argv[0] (looked up in $PATH, no shell) with stdin on /dev/null.
 * Each piece of its standard output goes to on_out (which returns nonzero
 * to stop early and kill the program); at most max_out bytes are passed
 * on.  The run is killed after timeout_ms.  Returns the exit status (0..255),
 * or -1 with *err (owned): not installed (errno ENOENT: *missing set to 1),
 * killed, timed out.  The first lines of its standard error go into a
 * failure message. */
int media_run(const char *const argv[], int timeout_ms, size_t max_out,
	      int (*on_out)(void *ctx, const unsigned char *p, size_t n), void *ctx,
	      int *missing, char **err);

#endif
