/*
 * media-testdata.h - files the media tests make for themselves: pictures
 * encoded with stb_image_write, libturbojpeg and libwebp, GIFs, WAVs,
 * and hand-built FLAC, Ogg, MP3, MP4 and WebM headers; ffmpeg-made
 * media when ffmpeg is installed.  Shared by test-media-*.c and the bench.
 */
#ifndef LB_MEDIA_TESTDATA_H
#define LB_MEDIA_TESTDATA_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* A smooth, non-repeating RGBA test picture ("plasma"); owned. */
unsigned char *td_plasma(int w, int h, int alpha);
/* A flat colour; owned. */
unsigned char *td_flat(int w, int h, uint32_t rgba);

/* Encoders for test inputs; each fills b (sb_init'ed by the caller). */
void td_png(struct sbuf *b, const unsigned char *rgba, int w, int h);
void td_jpeg(struct sbuf *b, const unsigned char *rgba, int w, int h, int quality);
void td_webp(struct sbuf *b, const unsigned char *rgba, int w, int h, int lossless);
/* Animated WebP of two frames (the first is `a`, the second `b`). */
void td_webp_anim(struct sbuf *out, const unsigned char *a, const unsigned char *b, int w,
		  int h);
/* GIF with one frame per colour (each frame w x h, palette of 4). */
void td_gif(struct sbuf *b, int w, int h, const uint32_t *colors, int frames);
/* Inserts an EXIF APP1 with the given orientation after a JPEG's SOI. */
void td_jpeg_orient(struct sbuf *jpeg, int orientation);
/* A PNG whose IHDR claims w x h, with a tiny IDAT (no real pixels). */
void td_png_liar(struct sbuf *b, uint32_t w, uint32_t h);
/* A real 16-bit RGBA PNG of w x h in one flat colour, deflated row by row
 * (a 10000x10000 one is about 780 KB and never whole in memory). */
void td_png16(struct sbuf *b, int w, int h);

/* WAV of `frames` frames: format 1 (PCM) or 3 (float), bits 8/16/24/32/64,
 * extensible wraps the format in WAVE_FORMAT_EXTENSIBLE.  Sample i of
 * channel c is gen(i, c) in -1..1. */
void td_wav(struct sbuf *b, int format, int bits, int channels, int rate, long frames,
	    int extensible, double (*gen)(long i, int c));

void td_flac_header(struct sbuf *b, int rate, int channels, int bits, uint64_t samples);
/* Ogg with a Vorbis (codec 0) or Opus (1) identification page and a last
 * page at granule position `granule`. */
void td_ogg(struct sbuf *b, int codec, int rate, int channels, uint64_t granule);
/* MPEG-1 layer III, 128 kbit/s, 44.1 kHz stereo: `frames` frames; xing
 * puts a Xing header with the frame count in the first; id3 prepends an
 * ID3v2 tag of that many body bytes (0: none). */
void td_mp3(struct sbuf *b, int frames, int xing, size_t id3);
/* MP4: ftyp brand, moov with mvhd (timescale, duration) and one video
 * trak of w x h; mdat of mdat_len bytes, written with a 64-bit size when
 * large64. */
void td_mp4(struct sbuf *b, const char *brand, uint32_t timescale, uint32_t duration, int w,
	    int h, size_t mdat_len, int large64);
/* WebM with Info (scale, duration) and one video track. */
void td_webm(struct sbuf *b, double duration_ms, int w, int h);

/* cmocka group setup and teardown: td_dir is a fresh temporary folder
 * for the group's files, removed with them at the end. */
extern char *td_dir;
int td_setup(void **state);
int td_teardown(void **state);

/* A fresh temporary folder (owned path) and its removal. */
char *td_tmpdir(void);
void td_rmtree(const char *dir);
/* Writes a file under dir; owned path. */
char *td_write(const char *dir, const char *name, const void *data, size_t n);
/* 1 when ffmpeg is in PATH. */
int td_have_ffmpeg(void);
/* Runs ffmpeg with the arguments (no shell) to make out; 0 on success. */
int td_ffmpeg(const char *out, const char *const args[]);

#endif
