/*
 * test-media-probe.c - probing by content: facts of every format from
 * files the test makes itself, names that lie, empty and cut-short files,
 * every prefix and thousands of corruptions of each sample (no crash, a
 * clear error), special files, and ffmpeg-made media when ffmpeg is there.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "media/media.h"
#include "media-testdata.h"
#include "util.h"

/* Probes a buffer that must succeed. */
static struct media_info probe_ok(const void *p, size_t n)
{
	struct media_info info;
	char *err = NULL;
	int rc = media_probe_mem(p, n, &info, &err);

	if (rc != 0)
		print_error("unexpected probe error: %s\n", err);
	assert_int_equal(rc, 0);
	assert_null(err);
	return info;
}

/* Probes a buffer that must fail with a message containing `want`. */
static void probe_fails(const void *p, size_t n, const char *want)
{
	struct media_info info;
	char *err = NULL;

	assert_int_equal(media_probe_mem(p, n, &info, &err), -1);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		print_error("error \"%s\" lacks \"%s\"\n", err, want);
	assert_non_null(strstr(err, want));
	free(err);
}

static double sine(long i, int c)
{
	return 0.5 * sin(2 * M_PI * 440.0 * i / 44100.0 + c);
}

/* ---------------------------------------------------------------- pictures */

static void probe_pictures(void **state)
{
	unsigned char *px = td_plasma(300, 200, 1);
	uint32_t colors[2] = { 0xff0000ff, 0x0000ffff };
	struct media_info i;
	struct sbuf b;

	(void)state;
	sb_init(&b);
	td_png(&b, px, 300, 200);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.kind, MEDIA_IMAGE);
	assert_string_equal(i.mime, "image/png");
	assert_string_equal(i.ext, "png");
	assert_int_equal(i.width, 300);
	assert_int_equal(i.height, 200);
	assert_int_equal(i.frames, 1);
	assert_int_equal(i.bytes, b.len);

	sb_reset(&b);
	td_jpeg(&b, px, 300, 200, 85);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.mime, "image/jpeg");
	assert_string_equal(i.ext, "jpg");
	assert_int_equal(i.width, 300);
	assert_int_equal(i.height, 200);
	assert_int_equal(i.orientation, 0);
	td_jpeg_orient(&b, 6);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.orientation, 6);
	assert_int_equal(i.width, 200); /* as displayed: turned a quarter */
	assert_int_equal(i.height, 300);

	sb_reset(&b);
	td_webp(&b, px, 300, 200, 0);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.mime, "image/webp");
	assert_string_equal(i.codec, "webp-lossy");
	assert_int_equal(i.width, 300);
	assert_int_equal(i.height, 200);
	sb_reset(&b);
	td_webp(&b, px, 33, 17, 1);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.codec, "webp-lossless");
	assert_int_equal(i.width, 33);
	assert_int_equal(i.height, 17);
	sb_reset(&b);
	td_webp_anim(&b, px, px, 24, 16);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.width, 24);
	assert_int_equal(i.height, 16);
	assert_int_equal(i.frames, 2);

	sb_reset(&b);
	td_gif(&b, 40, 30, colors, 2);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.mime, "image/gif");
	assert_int_equal(i.width, 40);
	assert_int_equal(i.height, 30);
	assert_int_equal(i.frames, 2);
	sb_free(&b);
	free(px);
}

/* ---------------------------------------------------------------- audio */

static void probe_audio(void **state)
{
	struct media_info i;
	struct sbuf b;

	(void)state;
	sb_init(&b);
	td_wav(&b, 1, 16, 2, 44100, 44100, 0, sine);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.kind, MEDIA_AUDIO);
	assert_string_equal(i.mime, "audio/wav");
	assert_string_equal(i.codec, "pcm");
	assert_int_equal(i.sample_rate, 44100);
	assert_int_equal(i.channels, 2);
	assert_int_equal(i.bits, 16);
	assert_float_equal(i.duration, 1.0, 1e-9);

	sb_reset(&b);
	td_wav(&b, 3, 32, 1, 48000, 24000, 1, sine);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.codec, "float");
	assert_int_equal(i.bits, 32);
	assert_int_equal(i.channels, 1);
	assert_float_equal(i.duration, 0.5, 1e-9);

	sb_reset(&b);
	td_wav(&b, 1, 24, 6, 96000, 9600, 1, sine);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.codec, "pcm");
	assert_int_equal(i.bits, 24);
	assert_int_equal(i.channels, 6);
	assert_float_equal(i.duration, 0.1, 1e-9);

	sb_reset(&b);
	td_flac_header(&b, 96000, 2, 24, 96000 * 3);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.mime, "audio/flac");
	assert_int_equal(i.sample_rate, 96000);
	assert_int_equal(i.channels, 2);
	assert_int_equal(i.bits, 24);
	assert_float_equal(i.duration, 3.0, 1e-9);

	sb_reset(&b);
	td_ogg(&b, 0, 44100, 2, 441000);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.mime, "audio/ogg");
	assert_string_equal(i.codec, "vorbis");
	assert_int_equal(i.sample_rate, 44100);
	assert_int_equal(i.channels, 2);
	assert_float_equal(i.duration, 10.0, 1e-9);

	sb_reset(&b);
	td_ogg(&b, 1, 44100, 1, 48000 * 5 + 312);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.codec, "opus");
	assert_string_equal(i.ext, "opus");
	assert_int_equal(i.channels, 1);
	assert_float_equal(i.duration, 5.0, 1e-9); /* 48 kHz granules less the pre-skip */

	sb_reset(&b);
	td_mp3(&b, 100, 0, 0);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.mime, "audio/mpeg");
	assert_string_equal(i.ext, "mp3");
	assert_int_equal(i.sample_rate, 44100);
	assert_int_equal(i.channels, 2);
	assert_int_equal(i.bitrate, 128);
	assert_int_equal(i.duration_estimated, 1);
	assert_float_equal(i.duration, 100 * 417 * 8 / 128000.0, 1e-6);

	sb_reset(&b);
	td_mp3(&b, 100, 1, 0);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.duration_estimated, 0);
	assert_float_equal(i.duration, 100 * 1152 / 44100.0, 1e-9);

	sb_reset(&b);
	td_mp3(&b, 50, 1, 3000);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.mime, "audio/mpeg");
	assert_float_equal(i.duration, 50 * 1152 / 44100.0, 1e-9);
	sb_free(&b);
}

/* ---------------------------------------------------------------- video */

static void probe_video(void **state)
{
	struct media_info i;
	struct sbuf b;

	(void)state;
	sb_init(&b);
	td_mp4(&b, "isom", 1000, 5000, 640, 360, 100, 1);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.kind, MEDIA_VIDEO);
	assert_string_equal(i.mime, "video/mp4");
	assert_string_equal(i.ext, "mp4");
	assert_int_equal(i.width, 640);
	assert_int_equal(i.height, 360);
	assert_float_equal(i.duration, 5.0, 1e-9);

	/* a phone video held upright: the track matrix turns it a quarter */
	{
		char *t = memmem(b.s, b.len, "tkhd", 4);
		assert_non_null(t);
		memcpy(t + 4 + 40, "\0\0\0\0\0\x01\0\0\0\0\0\0\xff\xff\0\0\0\0\0\0", 20);
		i = probe_ok(b.s, b.len);
		assert_int_equal(i.width, 360);
		assert_int_equal(i.height, 640);
	}

	sb_reset(&b);
	td_mp4(&b, "qt  ", 600, 900, 1920, 1080, 10, 0);
	i = probe_ok(b.s, b.len);
	assert_string_equal(i.mime, "video/quicktime");
	assert_string_equal(i.ext, "mov");
	assert_int_equal(i.width, 1920);
	assert_float_equal(i.duration, 1.5, 1e-9);

	/* HEIF: a still picture in boxes, sized by its ispe property */
	sb_reset(&b);
	sb_add(&b, "\0\0\0\x14" "ftypheic\0\0\0\0mif1", 20);
	sb_add(&b, "\0\0\0\x30" "meta\0\0\0\0", 12);
	sb_add(&b, "\0\0\0\x24" "iprp" "\0\0\0\x1c" "ipco", 16);
	sb_add(&b, "\0\0\0\x14" "ispe\0\0\0\0" "\0\0\x0f\xc0" "\0\0\x0b\xd0", 20);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.kind, MEDIA_IMAGE);
	assert_string_equal(i.mime, "image/heic");
	assert_int_equal(i.width, 4032);
	assert_int_equal(i.height, 3024);

	sb_reset(&b);
	td_webm(&b, 2500.0, 320, 240);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.kind, MEDIA_VIDEO);
	assert_string_equal(i.mime, "video/webm");
	assert_string_equal(i.codec, "vp9");
	assert_int_equal(i.width, 320);
	assert_int_equal(i.height, 240);
	assert_float_equal(i.duration, 2.5, 1e-9);
	sb_free(&b);
}

/* ---------------------------------------------------------------- text */

static void probe_text(void **state)
{
	static const char json[] = "  {\"prompt\": \"a fox\", \"seed\": [1, 2]}\n";
	struct media_info i;
	char *path, *err = NULL;

	(void)state;
	i = probe_ok("hello\nworld\t\xc3\xa9t\xc3\xa9\r\n", 17);
	assert_int_equal(i.kind, MEDIA_TEXT);
	assert_string_equal(i.mime, "text/plain");
	assert_string_equal(i.ext, "txt");
	i = probe_ok(json, strlen(json));
	assert_string_equal(i.mime, "application/json");
	assert_string_equal(i.ext, "json");
	i = probe_ok("{not json", 9);
	assert_string_equal(i.mime, "text/plain");
	i = probe_ok("colour \x1b[31mred\x1b[0m\n", 20);
	assert_int_equal(i.kind, MEDIA_TEXT);
	i = probe_ok("bin\0ary", 7);
	assert_int_equal(i.kind, MEDIA_UNKNOWN);
	assert_string_equal(i.mime, "application/octet-stream");
	i = probe_ok("latin1 caf\xe9 ok", 14);
	assert_int_equal(i.kind, MEDIA_UNKNOWN);

	path = td_write(td_dir, "notes.md", "# Brief\n\n- fox\n", 15);
	assert_int_equal(media_probe_file(path, &i, &err), 0);
	assert_string_equal(i.mime, "text/markdown");
	assert_string_equal(i.ext, "md");
	free(path);
	path = td_write(td_dir, "params.json", json, strlen(json));
	assert_int_equal(media_probe_file(path, &i, &err), 0);
	assert_string_equal(i.mime, "application/json");
	free(path);
	assert_string_equal(media_kind_name(MEDIA_TEXT), "text");
	assert_string_equal(media_kind_name(MEDIA_UNKNOWN), "unknown");
}

/* ---------------------------------------------------------------- lying names */

static void probe_names_lie(void **state)
{
	unsigned char *px = td_plasma(64, 48, 0);
	struct media_info i;
	struct sbuf b;
	char *path, *err = NULL;

	(void)state;
	sb_init(&b);
	td_png(&b, px, 64, 48);
	path = td_write(td_dir, "song.mp3", b.s, b.len);
	assert_int_equal(media_probe_file(path, &i, &err), 0);
	assert_int_equal(i.kind, MEDIA_IMAGE);
	assert_string_equal(i.mime, "image/png");
	assert_string_equal(i.ext, "png");
	free(path);

	sb_reset(&b);
	td_jpeg(&b, px, 64, 48, 80);
	path = td_write(td_dir, "picture.png", b.s, b.len);
	assert_int_equal(media_probe_file(path, &i, &err), 0);
	assert_string_equal(i.mime, "image/jpeg");
	free(path);

	sb_reset(&b);
	td_wav(&b, 1, 16, 1, 8000, 800, 0, sine);
	path = td_write(td_dir, "clip.mp4", b.s, b.len);
	assert_int_equal(media_probe_file(path, &i, &err), 0);
	assert_string_equal(i.mime, "audio/wav");
	free(path);

	path = td_write(td_dir, "render.png", "just words\n", 11);
	assert_int_equal(media_probe_file(path, &i, &err), 0);
	assert_int_equal(i.kind, MEDIA_TEXT);
	free(path);
	assert_null(err);
	sb_free(&b);
	free(px);
}

/* ---------------------------------------------------------------- bad files */

static void probe_empty_and_special(void **state)
{
	struct media_info i;
	char *path, *link, *err = NULL;

	(void)state;
	probe_fails("", 0, "empty file");
	path = td_write(td_dir, "zero.png", "", 0);
	assert_int_equal(media_probe_file(path, &i, &err), -1);
	assert_non_null(strstr(err, "empty file (0 bytes)"));
	xfree(&err);
	free(path);

	path = xasprintf("%s/missing.png", td_dir);
	assert_int_equal(media_probe_file(path, &i, &err), -1);
	assert_non_null(strstr(err, "cannot open"));
	assert_non_null(strstr(err, "No such file"));
	xfree(&err);
	free(path);

	assert_int_equal(media_probe_file(td_dir, &i, &err), -1);
	assert_non_null(strstr(err, "folder"));
	xfree(&err);

	path = xasprintf("%s/fifo", td_dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(media_probe_file(path, &i, &err), -1); /* and does not block */
	assert_non_null(strstr(err, "not a regular file"));
	xfree(&err);
	free(path);

	path = xasprintf("%s/loop-a", td_dir);
	link = xasprintf("%s/loop-b", td_dir);
	assert_int_equal(symlink(link, path), 0);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(media_probe_file(path, &i, &err), -1);
	assert_non_null(strstr(err, "symbolic links"));
	xfree(&err);
	free(path);
	free(link);
}

static void probe_truncated(void **state)
{
	unsigned char *px = td_plasma(120, 80, 0);
	struct sbuf b;

	(void)state;
	sb_init(&b);
	td_png(&b, px, 120, 80);
	probe_fails(b.s, 20, "truncated PNG header");
	probe_fails(b.s, 6, "truncated PNG signature");
	probe_fails(b.s, b.len / 2, "truncated PNG");
	probe_fails(b.s, b.len - 1, "IEND chunk");

	sb_reset(&b);
	td_jpeg(&b, px, 120, 80, 90);
	probe_fails(b.s, b.len / 2, "truncated JPEG");
	probe_fails(b.s, 100, "truncated JPEG");

	sb_reset(&b);
	td_webp(&b, px, 120, 80, 0);
	probe_fails(b.s, b.len - 10, "truncated WebP");

	sb_reset(&b);
	td_wav(&b, 1, 16, 2, 44100, 4410, 0, sine);
	probe_fails(b.s, b.len - 100, "truncated WAV");
	probe_fails(b.s, 30, "WAV");

	sb_reset(&b);
	td_mp4(&b, "isom", 1000, 5000, 640, 360, 5000, 0);
	probe_fails(b.s, 2000, "truncated MP4");
	sb_reset(&b);
	td_webm(&b, 1000, 64, 64);
	probe_fails(b.s, b.len - 5, "truncated WebM");
	sb_free(&b);
	free(px);
}

/* Samples of each format, for the prefix and corruption sweeps. */
struct sample {
	const char *name;
	struct sbuf b;
	int strict; /* every proper prefix of 16+ bytes is an error */
};

/* The next sample's buffer, named and marked. */
static struct sbuf *sample(struct sample *s, int *n, const char *name, int strict)
{
	s[*n].name = name;
	s[*n].strict = strict;
	return &s[(*n)++].b;
}

static int make_samples(struct sample *s)
{
	unsigned char *px = td_plasma(48, 32, 1);
	uint32_t colors[3] = { 0xff0000ff, 0x00ff00ff, 0x0000ffff };
	struct sbuf *b;
	int n = 0, i;

	for (i = 0; i < 14; i++)
		sb_init(&s[i].b);
	td_png(sample(s, &n, "png", 1), px, 48, 32);
	td_jpeg(sample(s, &n, "jpeg", 1), px, 48, 32, 80);
	b = sample(s, &n, "jpeg-exif", 1);
	td_jpeg(b, px, 48, 32, 80);
	td_jpeg_orient(b, 8);
	td_webp(sample(s, &n, "webp", 1), px, 48, 32, 0);
	td_webp_anim(sample(s, &n, "webp-anim", 1), px, px, 48, 32);
	td_gif(sample(s, &n, "gif", 0), 12, 8, colors, 3);
	td_wav(sample(s, &n, "wav", 1), 1, 24, 2, 8000, 200, 1, sine);
	td_flac_header(sample(s, &n, "flac", 0), 44100, 2, 16, 44100);
	td_ogg(sample(s, &n, "ogg", 0), 0, 44100, 2, 44100);
	td_ogg(sample(s, &n, "opus", 0), 1, 48000, 2, 48000);
	td_mp3(sample(s, &n, "mp3", 0), 6, 1, 40);
	td_mp4(sample(s, &n, "mp4", 1), "isom", 1000, 2000, 64, 48, 64, 1);
	td_webm(sample(s, &n, "webm", 1), 900, 64, 48);
	free(px);
	return n;
}

static void probe_every_prefix(void **state)
{
	struct sample s[14];
	struct media_info i;
	char *err;
	int n = make_samples(s), k, rc;
	size_t len;

	(void)state;
	for (k = 0; k < n; k++) {
		(void)probe_ok(s[k].b.s, s[k].b.len);
		for (len = 0; len < s[k].b.len; len++) {
			err = NULL;
			rc = media_probe_mem(s[k].b.s, len, &i, &err);
			assert_true(rc == 0 || rc == -1);
			assert_true((rc == -1) == (err != NULL));
			if (s[k].strict && len >= 16 && rc == 0)
				print_error("%s: prefix of %zu bytes probed as whole\n", s[k].name,
					    len);
			if (s[k].strict && len >= 16)
				assert_int_equal(rc, -1);
			free(err);
		}
		sb_free(&s[k].b);
	}
}

static void probe_corruptions(void **state)
{
	struct sample s[14];
	struct media_info i;
	uint32_t seed = 2026;
	char *err, *copy;
	int n = make_samples(s), k, round, flips, f;

	(void)state;
	for (k = 0; k < n; k++) {
		copy = xmalloc(s[k].b.len);
		for (round = 0; round < 1500; round++) {
			memcpy(copy, s[k].b.s, s[k].b.len);
			seed = seed * 1664525u + 1013904223u;
			flips = 1 + (int)(seed >> 28);
			for (f = 0; f < flips; f++) {
				seed = seed * 1664525u + 1013904223u;
				/* early bytes hold the headers: hit them more often */
				size_t at = (seed >> 8) % (round % 2 ? s[k].b.len
								     : (s[k].b.len < 96 ? s[k].b.len
											: 96));
				seed = seed * 1664525u + 1013904223u;
				copy[at] = (char)(round % 3 == 0 ? 0xff : seed >> 24);
			}
			err = NULL;
			if (media_probe_mem(copy, s[k].b.len, &i, &err) == 0) {
				assert_null(err);
				assert_true(i.width >= 0 && i.height >= 0 && i.duration >= 0);
			} else {
				assert_non_null(err);
				assert_true(util_text_is_clean(err, strlen(err)));
			}
			free(err);
		}
		free(copy);
		sb_free(&s[k].b);
	}
}

static void probe_lying_sizes(void **state)
{
	struct media_info i;
	struct sbuf b;
	unsigned char *p;
	size_t k;

	(void)state;
	sb_init(&b);
	/* a box smaller than its own header */
	sb_add(&b, "\0\0\0\x10" "ftypisom\0\0\0\0" "\0\0\0\x04" "moov", 24);
	probe_fails(b.s, b.len, "impossible size");
	/* a child claiming more than its parent, and 64-bit sizes near 2^64 */
	sb_reset(&b);
	sb_add(&b, "\0\0\0\x10" "ftypisom\0\0\0\0", 16);
	sb_add(&b, "\0\0\0\x20" "moov" "\xff\xff\xff\xf0" "trak" "\0\0\0\x01mvhd"
		   "\xff\xff\xff\xff\xff\xff\xff\xff", 32);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.kind, MEDIA_VIDEO);
	assert_int_equal(i.width, 0);
	/* 100000 empty boxes: bounded, and fast */
	sb_reset(&b);
	sb_add(&b, "\0\0\0\x10" "ftypisom\0\0\0\0", 16);
	for (k = 0; k < 100000; k++)
		sb_add(&b, "\0\0\0\x08" "free", 8);
	sb_add(&b, "\0\0\0\x08" "moov", 8);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.kind, MEDIA_VIDEO);

	/* JPEG segment of length 1 */
	probe_fails("\xff\xd8\xff\xe0\x00\x01", 6, "segment length");
	/* a GIF whose screen is 0x0 takes its first frame's size */
	{
		uint32_t c = 0xffffffff;
		sb_reset(&b);
		td_gif(&b, 7, 5, &c, 1);
		b.s[6] = b.s[7] = b.s[8] = b.s[9] = 0;
		i = probe_ok(b.s, b.len);
		assert_int_equal(i.width, 7);
		assert_int_equal(i.height, 5);
	}
	/* WAV with zero channels */
	sb_reset(&b);
	td_wav(&b, 1, 16, 1, 8000, 10, 0, sine);
	b.s[22] = 0;
	probe_fails(b.s, b.len, "0 channels");
	/* an ID3 tag longer than the file */
	probe_fails("ID3\x04\x00\x00\x7f\x7f\x7f\x7f" "abc", 13, "truncated MP3");
	/* an EBML segment and cluster of unknown size (a live stream) */
	sb_reset(&b);
	td_webm(&b, 1000, 32, 16);
	p = memmem(b.s, b.len, "\x18\x53\x80\x67", 4);
	assert_non_null(p);
	memcpy(p + 4, "\x01\xff\xff\xff\xff\xff\xff\xff", 8);
	i = probe_ok(b.s, b.len);
	assert_int_equal(i.width, 32);
	/* an Ogg page whose segment table runs past the end */
	probe_fails("OggS\0\x02\0\0\0\0\0\0\0\0\x34\x12\0\0\0\0\0\0\0\0\0\0\xff\x01", 28,
		    "truncated Ogg");
	sb_free(&b);
}

/* ---------------------------------------------------------------- ffmpeg */

static void probe_ffmpeg_made(void **state)
{
	static const struct {
		const char *file, *mime, *codec;
		enum media_kind kind;
		const char *args[16];
		double duration;
		int w, h;
	} cases[] = {
		{ "a.mp3", "audio/mpeg", "mp3", MEDIA_AUDIO,
		  { "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:a", "libmp3lame", NULL }, 2.0, 0, 0 },
		{ "a.ogg", "audio/ogg", "vorbis", MEDIA_AUDIO,
		  { "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:a", "libvorbis", NULL }, 2.0, 0, 0 },
		{ "a.opus", "audio/ogg", "opus", MEDIA_AUDIO,
		  { "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:a", "libopus", NULL }, 2.0, 0, 0 },
		{ "a.flac", "audio/flac", "flac", MEDIA_AUDIO,
		  { "-f", "lavfi", "-i", "sine=f=440:d=2", NULL }, 2.0, 0, 0 },
		{ "a.m4a", "audio/mp4", "aac", MEDIA_AUDIO,
		  { "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:a", "aac", NULL }, 2.0, 0, 0 },
		{ "v.mp4", "video/mp4", "h264", MEDIA_VIDEO,
		  { "-f", "lavfi", "-i", "testsrc=s=320x240:d=1.5:r=10", "-pix_fmt", "yuv420p",
		    "-c:v", "libx264", "-preset", "ultrafast", NULL }, 1.5, 320, 240 },
		{ "v.webm", "video/webm", "vp8", MEDIA_VIDEO,
		  { "-f", "lavfi", "-i", "testsrc=s=160x90:d=1.5:r=10", "-c:v", "libvpx",
		    "-deadline", "realtime", NULL }, 1.5, 160, 90 },
		{ "v.mov", "video/quicktime", "mp4v", MEDIA_VIDEO,
		  { "-f", "lavfi", "-i", "testsrc=s=176x144:d=1:r=10", "-c:v", "mpeg4", NULL },
		  1.0, 176, 144 },
		{ "v.mkv", "video/x-matroska", "mpeg4", MEDIA_VIDEO,
		  { "-f", "lavfi", "-i", "testsrc=s=128x96:d=1:r=10", "-c:v", "mpeg4", NULL },
		  1.0, 128, 96 },
		{ "a.aac", "audio/aac", "aac", MEDIA_AUDIO,
		  { "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:a", "aac", NULL }, 2.0, 0, 0 },
		{ "alaw.wav", "audio/wav", "alaw", MEDIA_AUDIO,
		  { "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:a", "pcm_alaw", NULL }, 2.0, 0, 0 },
		{ "v.ogv", "video/ogg", "theora", MEDIA_VIDEO,
		  { "-f", "lavfi", "-i", "testsrc=s=160x120:d=1.5:r=10", "-c:v", "libtheora", NULL },
		  1.5, 160, 120 },
		{ "anim.png", "image/png", "png", MEDIA_IMAGE,
		  { "-f", "lavfi", "-i", "testsrc=s=64x48:d=0.5:r=10", "-f", "apng", NULL }, 0, 64,
		  48 },
	};
	struct media_info i;
	char *path, *err = NULL;
	double tol;
	size_t k;

	(void)state;
	if (!td_have_ffmpeg())
		skip();
	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		path = xasprintf("%s/%s", td_dir, cases[k].file);
		if (td_ffmpeg(path, cases[k].args) < 0) {
			print_message("# ffmpeg could not make %s: skipped\n", cases[k].file);
			free(path);
			continue;
		}
		if (media_probe_file(path, &i, &err) != 0)
			print_error("%s: %s\n", cases[k].file, err);
		print_message("# %s: %s %s %s %dx%d %.3f s %d Hz %d ch\n", cases[k].file,
			      media_kind_name(i.kind), i.mime, i.codec, i.width, i.height, i.duration,
			      i.sample_rate, i.channels);
		assert_null(err);
		assert_int_equal(i.kind, cases[k].kind);
		assert_string_equal(i.mime, cases[k].mime);
		assert_string_equal(i.codec, cases[k].codec);
		/* raw ADTS has no gapless data: the encoder's priming frame counts */
		tol = strcmp(cases[k].file, "a.aac") == 0 ? 0.05 : 0.03;
		if (fabs(i.duration - cases[k].duration) > tol)
			print_error("%s: duration %.3f, want %.3f\n", cases[k].file, i.duration,
				    cases[k].duration);
		assert_true(fabs(i.duration - cases[k].duration) <= tol);
		assert_int_equal(i.width, cases[k].w);
		assert_int_equal(i.height, cases[k].h);
		if (strcmp(cases[k].file, "anim.png") == 0)
			assert_int_equal(i.frames, 5); /* APNG's acTL */
		if (cases[k].kind == MEDIA_AUDIO) {
			assert_true(i.sample_rate > 0);
			assert_int_equal(i.channels, 1);
		}
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_pictures),
		cmocka_unit_test(probe_audio),
		cmocka_unit_test(probe_video),
		cmocka_unit_test(probe_text),
		cmocka_unit_test(probe_names_lie),
		cmocka_unit_test(probe_empty_and_special),
		cmocka_unit_test(probe_truncated),
		cmocka_unit_test(probe_every_prefix),
		cmocka_unit_test(probe_corruptions),
		cmocka_unit_test(probe_lying_sizes),
		cmocka_unit_test(probe_ffmpeg_made),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, td_setup, td_teardown);
}
