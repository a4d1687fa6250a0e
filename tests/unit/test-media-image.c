/*
 * test-media-image.c - decoding at preview size (JPEG and WebP scaled in
 * the decoder, PNG and GIF resized after), EXIF orientation, the pixel
 * limit (refused before any large allocation, proved under an address
 * space limit or the sanitizer's allocation hook), the encoders, the
 * thumbnail cache, WAV waveforms, and ffmpeg-backed waveforms and poster
 * frames (run without a shell; a clear message when ffmpeg is missing).
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <stb_image.h>
#include <turbojpeg.h>
#include <zlib.h>

#include "media/media.h"
#include "media-testdata.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static const unsigned char *px_at(const struct media_image *im, int x, int y)
{
	return im->rgba + ((size_t)y * im->width + x) * 4;
}

static void assert_rgb_near(const unsigned char *p, int r, int g, int b, int tol)
{
	if (abs(p[0] - r) > tol || abs(p[1] - g) > tol || abs(p[2] - b) > tol)
		print_error("pixel %d,%d,%d not within %d of %d,%d,%d\n", p[0], p[1], p[2], tol, r,
			    g, b);
	assert_true(abs(p[0] - r) <= tol && abs(p[1] - g) <= tol && abs(p[2] - b) <= tol);
}

/* Mean absolute difference of RGB between an image and a reference
 * picture shrunk to the same size by the library's own area average. */
static double diff_to_reference(const struct media_image *im, const unsigned char *ref, int rw,
				int rh)
{
	unsigned char *small = media_rgba_resize(ref, rw, rh, im->width, im->height);
	double sum = 0;
	size_t i, n = (size_t)im->width * im->height;

	for (i = 0; i < n; i++)
		sum += abs(im->rgba[4 * i] - small[4 * i]) +
		       abs(im->rgba[4 * i + 1] - small[4 * i + 1]) +
		       abs(im->rgba[4 * i + 2] - small[4 * i + 2]);
	free(small);
	return sum / (3.0 * n);
}

static double sine(long i, int c)
{
	(void)c;
	return 0.5 * sin(2 * M_PI * 441.0 * i / 44100.0);
}

static double step(long i, int c)
{
	(void)c;
	return i < 22050 ? 0.0 : (i % 2 ? 1.0 : -1.0);
}

/* ---------------------------------------------------------------- decoding */

static void decode_png(void **state)
{
	unsigned char *px = td_plasma(300, 200, 1);
	struct media_image im;
	struct sbuf b;
	char *path, *err = NULL;

	(void)state;
	sb_init(&b);
	td_png(&b, px, 300, 200);
	path = td_write(td_dir, "plasma.png", b.s, b.len);
	assert_int_equal(media_image_load(path, 0, 0, 0, &im, &err), 0);
	assert_int_equal(im.width, 300);
	assert_int_equal(im.height, 200);
	assert_memory_equal(im.rgba, px, 300 * 200 * 4); /* lossless, alpha kept */
	media_image_free(&im);
	assert_null(im.rgba);

	assert_int_equal(media_image_load(path, 100, 100, 0, &im, &err), 0);
	assert_int_equal(im.width, 100);
	assert_int_equal(im.height, 67);
	assert_int_equal(im.src_width, 300);
	assert_int_equal(im.src_height, 200);
	assert_int_equal(im.decoded_width, 300);
	assert_int_equal(im.frames, 1);
	assert_true(diff_to_reference(&im, px, 300, 200) < 1.0);
	media_image_free(&im);

	assert_int_equal(media_image_load_mem(b.s, b.len, 1000, 20, 0, &im, &err), 0);
	assert_int_equal(im.width, 30);
	assert_int_equal(im.height, 20);
	media_image_free(&im);
	assert_null(err);
	free(path);
	sb_free(&b);
	free(px);
}

static void decode_jpeg_scaled(void **state)
{
	unsigned char *px = td_plasma(2048, 2048, 0);
	struct media_image im;
	struct sbuf b;
	char *path, *err = NULL;

	(void)state;
	sb_init(&b);
	td_jpeg(&b, px, 2048, 2048, 90);
	path = td_write(td_dir, "big.jpg", b.s, b.len);
	/* 160x80 box: 80x80, decoded at 1/8 (256 >= 80) then shrunk */
	assert_int_equal(media_image_load(path, 160, 80, 0, &im, &err), 0);
	assert_int_equal(im.width, 80);
	assert_int_equal(im.height, 80);
	assert_int_equal(im.src_width, 2048);
	assert_int_equal(im.decoded_width, 256);
	assert_int_equal(im.decoded_height, 256);
	assert_true(diff_to_reference(&im, px, 2048, 2048) < 6.0);
	media_image_free(&im);
	/* 800x800: the smallest factor that still covers it is 1/2 */
	assert_int_equal(media_image_load(path, 800, 800, 0, &im, &err), 0);
	assert_int_equal(im.width, 800);
	assert_int_equal(im.decoded_width, 1024);
	assert_true(diff_to_reference(&im, px, 2048, 2048) < 6.0);
	media_image_free(&im);
	/* no box: full size, no scaling */
	assert_int_equal(media_image_load(path, 0, 0, 0, &im, &err), 0);
	assert_int_equal(im.width, 2048);
	assert_int_equal(im.decoded_width, 2048);
	assert_true(diff_to_reference(&im, px, 2048, 2048) < 6.0);
	media_image_free(&im);
	assert_null(err);
	free(path);
	sb_free(&b);
	free(px);
}

static void decode_webp_scaled(void **state)
{
	unsigned char *px = td_plasma(600, 400, 0);
	struct media_image im;
	struct sbuf b;
	char *err = NULL;

	(void)state;
	sb_init(&b);
	td_webp(&b, px, 600, 400, 0);
	assert_int_equal(media_image_load_mem(b.s, b.len, 150, 150, 0, &im, &err), 0);
	assert_int_equal(im.width, 150);
	assert_int_equal(im.height, 100);
	assert_int_equal(im.decoded_width, 150); /* libwebp scaled while decoding */
	assert_true(diff_to_reference(&im, px, 600, 400) < 8.0);
	media_image_free(&im);
	sb_reset(&b);
	td_webp(&b, px, 600, 400, 1);
	assert_int_equal(media_image_load_mem(b.s, b.len, 0, 0, 0, &im, &err), 0);
	assert_memory_equal(im.rgba, px, 600 * 400 * 4);
	media_image_free(&im);
	assert_null(err);
	sb_free(&b);
	free(px);
}

static void decode_animated_first_frame(void **state)
{
	uint32_t colors[2] = { 0xff0000ff, 0x0000ffff };
	unsigned char *red = td_flat(30, 20, 0xff0000ff), *blue = td_flat(30, 20, 0x0000ffff);
	struct media_image im;
	struct sbuf b;
	char *path, *err = NULL;

	(void)state;
	sb_init(&b);
	td_gif(&b, 30, 20, colors, 2);
	path = td_write(td_dir, "anim.gif", b.s, b.len);
	assert_int_equal(media_image_load(path, 0, 0, 0, &im, &err), 0);
	assert_int_equal(im.width, 30);
	assert_int_equal(im.frames, 2);
	assert_rgb_near(px_at(&im, 0, 0), 255, 0, 0, 0);
	assert_rgb_near(px_at(&im, 29, 19), 255, 0, 0, 0);
	media_image_free(&im);
	free(path);

	sb_reset(&b);
	td_webp_anim(&b, red, blue, 30, 20);
	assert_int_equal(media_image_load_mem(b.s, b.len, 15, 15, 0, &im, &err), 0);
	assert_int_equal(im.frames, 2);
	assert_int_equal(im.width, 15);
	assert_int_equal(im.height, 10);
	assert_rgb_near(px_at(&im, 7, 5), 255, 0, 0, 0);
	assert_int_equal(px_at(&im, 7, 5)[3], 255);
	media_image_free(&im);
	assert_null(err);
	sb_free(&b);
	free(red);
	free(blue);
}

static void decode_exif_orientation(void **state)
{
	unsigned char *px = td_flat(64, 32, 0xff0000ff);
	struct media_image im;
	struct sbuf b;
	char *err = NULL;
	int x, y;

	(void)state;
	for (y = 0; y < 32; y++) /* left half red, right half blue */
		for (x = 32; x < 64; x++)
			memcpy(px + ((size_t)y * 64 + x) * 4, "\0\0\xff\xff", 4);
	sb_init(&b);
	td_jpeg(&b, px, 64, 32, 95);
	td_jpeg_orient(&b, 6); /* turn a quarter clockwise to show */
	assert_int_equal(media_image_load_mem(b.s, b.len, 0, 0, 0, &im, &err), 0);
	assert_int_equal(im.width, 32);
	assert_int_equal(im.height, 64);
	assert_rgb_near(px_at(&im, 16, 8), 255, 0, 0, 24);
	assert_rgb_near(px_at(&im, 16, 56), 0, 0, 255, 24);
	media_image_free(&im);

	sb_reset(&b);
	td_jpeg(&b, px, 64, 32, 95);
	td_jpeg_orient(&b, 8); /* a quarter anticlockwise */
	assert_int_equal(media_image_load_mem(b.s, b.len, 16, 16, 0, &im, &err), 0);
	assert_int_equal(im.width, 8);
	assert_int_equal(im.height, 16);
	assert_rgb_near(px_at(&im, 4, 2), 0, 0, 255, 24);
	assert_rgb_near(px_at(&im, 4, 13), 255, 0, 0, 24);
	media_image_free(&im);

	sb_reset(&b);
	td_jpeg(&b, px, 64, 32, 95);
	td_jpeg_orient(&b, 3); /* half a turn */
	assert_int_equal(media_image_load_mem(b.s, b.len, 0, 0, 0, &im, &err), 0);
	assert_int_equal(im.width, 64);
	assert_rgb_near(px_at(&im, 8, 16), 0, 0, 255, 24);
	assert_rgb_near(px_at(&im, 56, 16), 255, 0, 0, 24);
	media_image_free(&im);
	assert_null(err);
	sb_free(&b);
	free(px);
}

/* ---------------------------------------------------------------- the pixel limit */

static void guard_refuses_huge(void **state)
{
	unsigned char *px = td_plasma(300, 200, 0);
	struct media_image im;
	struct sbuf b;
	char *path, *err = NULL;

	(void)state;
	sb_init(&b);
	td_png_liar(&b, 100000, 100000);
	path = td_write(td_dir, "huge.png", b.s, b.len);
	assert_int_equal(media_image_load(path, 80, 40, 0, &im, &err), -1);
	assert_null(im.rgba);
	assert_non_null(strstr(err, "100000x100000"));
	assert_non_null(strstr(err, "10000.0 megapixels"));
	assert_non_null(strstr(err, "pixel limit of 100.0 megapixels"));
	assert_non_null(strstr(err, "set pixel-limit"));
	xfree(&err);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 0, &im, &err), -1);
	assert_non_null(strstr(err, "100000x100000"));
	xfree(&err);
	free(path);

	/* the limit is the caller's: 300x200 = 60000 pixels */
	sb_reset(&b);
	td_png(&b, px, 300, 200);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 59999, &im, &err), -1);
	assert_non_null(strstr(err, "300x200"));
	xfree(&err);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 60000, &im, &err), 0);
	media_image_free(&im);
	sb_reset(&b);
	td_jpeg(&b, px, 300, 200, 80);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 59999, &im, &err), -1);
	xfree(&err);
	sb_reset(&b);
	td_webp(&b, px, 300, 200, 0);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 59999, &im, &err), -1);
	xfree(&err);
	sb_free(&b);
	free(px);
}

/* A 16-bit PNG decodes at 16 bits per channel first: the limit counts it
 * twice, and the hint names a limit in megapixels, the option's unit
 * (issue 12: the hint said `set pixel-limit 900000000` for a 1-10000 range). */
static void guard_counts_decoded_bytes(void **state)
{
	struct media_image im;
	struct sbuf b;
	char *err = NULL;

	(void)state;
	sb_init(&b);
	td_png16(&b, 1000, 1000);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 1999999, &im, &err), -1);
	assert_null(im.rgba);
	assert_non_null(strstr(err, "1000x1000 at 16 bits per channel decodes like 2.0 megapixels"));
	assert_non_null(strstr(err, "raise it with `set pixel-limit 2`"));
	xfree(&err);
	/* at twice its pixels it decodes, to 8 bits, fitted */
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 2000000, &im, &err), 0);
	assert_int_equal(im.width, 40);
	assert_int_equal(im.decoded_width, 1000);
	assert_int_equal(im.rgba[0], 0x80);
	assert_int_equal(im.rgba[3], 0xff);
	media_image_free(&im);
	sb_free(&b);

	/* The reported case: 10000x10000, 16-bit RGBA, at the default limit
	 * (the header is enough to refuse it: nothing is decoded). */
	sb_init(&b);
	td_png_liar(&b, 10000, 10000);
	b.s[24] = 16;
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 0, &im, &err), -1);
	assert_non_null(strstr(err, "decodes like 200.0 megapixels"));
	assert_non_null(strstr(err, "pixel limit of 100.0 megapixels"));
	assert_non_null(strstr(err, "`set pixel-limit 200`"));
	xfree(&err);
	/* 8-bit: the pixels are the count; the hint rounds up */
	sb_reset(&b);
	td_png_liar(&b, 10001, 10000);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 0, &im, &err), -1);
	assert_non_null(strstr(err, "10001x10000 is 100.0 megapixels"));
	assert_non_null(strstr(err, "`set pixel-limit 101`"));
	xfree(&err);
	/* beyond what the option takes, no impossible hint */
	sb_reset(&b);
	td_png_liar(&b, 200000, 100000);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 0, &im, &err), -1);
	assert_null(strstr(err, "set pixel-limit"));
	assert_non_null(strstr(err, "larger than the highest pixel limit, 10000 megapixels"));
	xfree(&err);
	sb_free(&b);
}

#ifdef UNDER_ASAN
int __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
					      void (*f)(const volatile void *));
static volatile size_t biggest;


static void on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	if (n > biggest)
		biggest = n;
}
static void on_free(const volatile void *p)
{
	(void)p;
}
#endif

/* Peak virtual memory of this process in bytes (0 if unknown). */
static unsigned long long vm_peak(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmPeak: %llu kB", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb * 1024;
}

/* In a child: decode a liar PNG under `limit` and report whether an
 * allocation of 256 MB or more happened (under ASan its allocation hook
 * sees every malloc; otherwise the peak of the address space shows it).
 * Exit status: 10 + what happened (0 refused by the guard, 1 other
 * error, 2 decoded) + 20 when a big allocation was seen. */
static int child_decode(const char *path, long long limit)
{
	struct media_image im;
	char *err = NULL;
	int rc, what, big;
	unsigned long long before;

#ifdef UNDER_ASAN
	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	biggest = 0;
#endif
	before = vm_peak();
	rc = media_image_load(path, 80, 40, limit, &im, &err);
	what = rc == 0 ? 2 : strstr(err, "pixel limit") && strstr(err, "set pixel-limit") ? 0 : 1;
#ifdef UNDER_ASAN
	big = biggest >= ((size_t)256 << 20);
	(void)before;
#else
	big = before > 0 && vm_peak() - before >= (256ull << 20);
#endif
	media_image_free(&im);
	free(err);
	return 10 + what + (big ? 20 : 0);
}

static int run_child(const char *path, long long limit)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_decode(path, limit));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void guard_allocates_nothing_big(void **state)
{
	struct sbuf b;
	char *huge, *mid;
	(void)state;
	sb_init(&b);
	td_png_liar(&b, 100000, 100000);
	huge = td_write(td_dir, "huge2.png", b.s, b.len);
	sb_reset(&b);
	td_png_liar(&b, 12000, 12000);
	mid = td_write(td_dir, "mid.png", b.s, b.len);
	/* refused by the guard, with no big allocation */
	assert_int_equal(run_child(huge, 0), 10);
	assert_int_equal(run_child(mid, 0), 10);
	/* control: with the limit raised, the decoder does try to allocate
	 * 576 MB, and the harness sees it (so the two lines above could fail) */
	assert_int_equal(run_child(mid, 1000000000), 31);
	free(huge);
	free(mid);
	sb_free(&b);
}

/* ---------------------------------------------------------------- bad files */

static void decode_bad_files(void **state)
{
	unsigned char *px = td_plasma(200, 150, 0);
	struct media_image im;
	struct sbuf b;
	char *path, *err = NULL;
	size_t k;

	(void)state;
	path = td_write(td_dir, "zero.png", "", 0);
	assert_int_equal(media_image_load(path, 80, 40, 0, &im, &err), -1);
	assert_non_null(strstr(err, "empty file"));
	xfree(&err);
	free(path);

	sb_init(&b);
	td_png(&b, px, 200, 150);
	path = td_write(td_dir, "cut.png", b.s, b.len / 2);
	assert_int_equal(media_image_load(path, 80, 40, 0, &im, &err), -1);
	assert_non_null(strstr(err, "PNG"));
	xfree(&err);
	free(path);
	for (k = b.len / 3; k < b.len / 3 + 64; k++)
		b.s[k] = (char)(b.s[k] ^ 0x5a);
	assert_int_equal(media_image_load_mem(b.s, b.len, 80, 40, 0, &im, &err), -1);
	assert_non_null(strstr(err, "cannot decode PNG"));
	assert_null(im.rgba);
	xfree(&err);

	sb_reset(&b);
	td_wav(&b, 1, 16, 1, 8000, 80, 0, sine);
	path = td_write(td_dir, "sound.png", b.s, b.len);
	assert_int_equal(media_image_load(path, 80, 40, 0, &im, &err), -1);
	assert_non_null(strstr(err, "not a picture: the file holds audio (audio/wav)"));
	xfree(&err);
	free(path);

	path = xasprintf("%s/gone.png", td_dir);
	assert_int_equal(media_image_load(path, 80, 40, 0, &im, &err), -1);
	assert_non_null(strstr(err, "cannot open"));
	xfree(&err);
	free(path);

	/* a cut-short JPEG shows what arrived (the rest grey), as viewers do */
	sb_reset(&b);
	td_jpeg(&b, px, 200, 150, 90);
	assert_int_equal(media_image_load_mem(b.s, b.len * 2 / 3, 100, 100, 0, &im, &err), 0);
	assert_int_equal(im.width, 100);
	assert_rgb_near(px_at(&im, 50, 5), px[(5 * 2 * 200 + 100) * 4],
			px[(5 * 2 * 200 + 100) * 4 + 1], px[(5 * 2 * 200 + 100) * 4 + 2], 30);
	media_image_free(&im);
	sb_free(&b);
	free(px);
}

/* ---------------------------------------------------------------- resize */

static void resize_area_average(void **state)
{
	const unsigned char row[12] = { 10, 10, 10, 255, 20, 20, 20, 255, 30, 30, 30, 255 };
	const unsigned char mix[8] = { 255, 0, 0, 0, 0, 0, 255, 255 };
	unsigned char *out;

	(void)state;
	out = media_rgba_resize(row, 3, 1, 2, 1);
	assert_int_equal(out[0], 13); /* (10 + 20/2) / 1.5 */
	assert_int_equal(out[4], 27); /* (20/2 + 30) / 1.5 */
	assert_int_equal(out[3], 255);
	free(out);
	/* a transparent red pixel lends no colour, only its transparency */
	out = media_rgba_resize(mix, 2, 1, 1, 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[2], 255);
	assert_int_equal(out[3], 128);
	free(out);
	out = media_rgba_resize(row, 3, 1, 6, 2); /* enlarging stays total */
	assert_int_equal(out[0], 10);
	assert_int_equal(out[4 * 5], 30);
	free(out);
}

/* ---------------------------------------------------------------- encoders */

static void encoders_round_trip(void **state)
{
	unsigned char *px = td_plasma(120, 90, 1), *out, *dec, *flat;
	size_t len, small = 0;
	uLongf dlen;
	int w, h, c, level, x, y;
	char *err = NULL;
	tjhandle tj;

	(void)state;
	for (level = 0; level <= 9; level += 3) {
		assert_int_equal(media_png_encode(px, 120, 90, level, &out, &len, &err), 0);
		dec = stbi_load_from_memory(out, (int)len, &w, &h, &c, 4);
		assert_non_null(dec);
		assert_int_equal(w, 120);
		assert_int_equal(h, 90);
		assert_memory_equal(dec, px, 120 * 90 * 4);
		stbi_image_free(dec);
		if (level == 0)
			small = len;
		else
			assert_true(len < small);
		free(out);
		out = NULL;
	}
	assert_int_equal(out == NULL, 1);
	/* opaque pictures go as RGB (colour type 2), alpha ones as RGBA (6) */
	assert_int_equal(media_png_encode(px, 120, 90, 1, &out, &len, &err), 0);
	assert_int_equal(out[25], 6);
	free(out);
	free(px);
	px = td_plasma(120, 90, 0);
	assert_int_equal(media_png_encode(px, 120, 90, 1, &out, &len, &err), 0);
	assert_int_equal(out[25], 2);
	dec = stbi_load_from_memory(out, (int)len, &w, &h, &c, 4);
	assert_non_null(dec);
	assert_memory_equal(dec, px, 120 * 90 * 4);
	stbi_image_free(dec);
	free(out);
	/* flat artwork: the fast level still finds the long matches */
	flat = td_flat(400, 300, 0xf0f0f0ff);
	for (y = 100; y < 200; y++)
		for (x = 0; x < 400; x++)
			flat[((size_t)y * 400 + x) * 4] = (unsigned char)x;
	assert_int_equal(media_png_encode(flat, 400, 300, 1, &out, &len, &err), 0);
	assert_true(len < 400 * 300 * 3 / 50);
	dec = stbi_load_from_memory(out, (int)len, &w, &h, &c, 4);
	assert_non_null(dec);
	assert_memory_equal(dec, flat, 400 * 300 * 4);
	stbi_image_free(dec);
	free(out);
	free(flat);

	assert_int_equal(media_png_encode(px, 0, 10, 1, &out, &len, &err), -1);
	assert_non_null(strstr(err, "bad size"));
	xfree(&err);

	assert_int_equal(media_jpeg_encode(px, 120, 90, 85, &out, &len, &err), 0);
	assert_true(len > 100 && len < 120 * 90 * 3);
	tj = tjInitDecompress();
	dec = xmalloc(120 * 90 * 4);
	assert_int_equal(tjDecompress2(tj, out, len, dec, 120, 0, 90, TJPF_RGBA, 0), 0);
	assert_true(abs(dec[4 * 60] - px[4 * 60]) < 24);
	tjDestroy(tj);
	free(dec);
	free(out);

	assert_int_equal(media_zlib_encode(px, 120 * 90 * 4, 1, &out, &len, &err), 0);
	dec = xmalloc(120 * 90 * 4);
	dlen = 120 * 90 * 4;
	assert_int_equal(uncompress(dec, &dlen, out, len), Z_OK);
	assert_int_equal(dlen, 120 * 90 * 4);
	assert_memory_equal(dec, px, dlen);
	free(dec);
	free(out);
	assert_null(err);
	free(px);
}

/* ---------------------------------------------------------------- thumbnails */

static const char sha[] = "ab34567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";

/* Two pictures of one size whose RGB differ by at most `mean` on average. */
static void assert_close(const struct media_image *a, const struct media_image *b, double mean)
{
	double sum = 0;
	size_t i, n = (size_t)a->width * a->height;

	assert_int_equal(a->width, b->width);
	assert_int_equal(a->height, b->height);
	for (i = 0; i < n; i++) {
		sum += abs(a->rgba[4 * i] - b->rgba[4 * i]) +
		       abs(a->rgba[4 * i + 1] - b->rgba[4 * i + 1]) +
		       abs(a->rgba[4 * i + 2] - b->rgba[4 * i + 2]);
		assert_int_equal(a->rgba[4 * i + 3], b->rgba[4 * i + 3]);
	}
	if (sum / (3.0 * n) > mean)
		print_error("mean difference %.2f over %.2f\n", sum / (3.0 * n), mean);
	assert_true(sum / (3.0 * n) <= mean);
}

static void thumbs_cache(void **state)
{
	unsigned char *px = td_plasma(640, 480, 0), *copy;
	struct media_image a, b2;
	struct sbuf b;
	char *src, *cache, *tpath, *err = NULL, *data;
	size_t len;
	struct stat st;

	(void)state;
	sb_init(&b);
	td_jpeg(&b, px, 640, 480, 90);
	src = td_write(td_dir, "src.jpg", b.s, b.len);
	cache = xasprintf("%s/cache", td_dir);
	tpath = media_thumb_path(cache, sha, 160, 160);
	assert_non_null(strstr(tpath, "/cache/thumbs/ab/" "ab34"));
	assert_non_null(strstr(tpath, "-160x160.lbt"));

	assert_int_equal(media_thumb_load(cache, sha, src, 160, 160, 0, &a, &err), 0); /* miss */
	assert_int_equal(a.width, 160);
	assert_int_equal(a.height, 120);
	assert_int_equal(a.src_width, 640);
	assert_int_equal(stat(tpath, &st), 0);
	assert_int_equal(media_thumb_load(cache, sha, src, 160, 160, 0, &b2, &err), 1); /* hit */
	assert_int_equal(b2.width, 160);
	assert_int_equal(b2.src_width, 640);
	assert_int_equal(b2.src_height, 480);
	assert_close(&a, &b2, 4.0); /* opaque thumbnails are stored as JPEG q90 */
	media_image_free(&b2);

	/* a flipped byte in the pixels: detected, rebuilt, then served again */
	assert_int_equal(util_read_file(tpath, 1 << 24, &data, &len), 0);
	data[len - 7] ^= 0x01;
	assert_int_equal(util_write_atomic(tpath, data, len), 0);
	assert_int_equal(media_thumb_load(cache, sha, src, 160, 160, 0, &b2, &err), 0);
	assert_memory_equal(a.rgba, b2.rgba, 160 * 120 * 4); /* built: straight from the source */
	media_image_free(&b2);
	assert_int_equal(media_thumb_load(cache, sha, src, 160, 160, 0, &b2, &err), 1);
	media_image_free(&b2);
	/* cut short, and replaced by garbage: rebuilt too */
	assert_int_equal(truncate(tpath, (off_t)len / 2), 0);
	assert_int_equal(media_thumb_load(cache, sha, src, 160, 160, 0, &b2, &err), 0);
	media_image_free(&b2);
	assert_int_equal(util_write_atomic(tpath, "garbage", 7), 0);
	assert_int_equal(media_thumb_load(cache, sha, src, 160, 160, 0, &b2, &err), 0);
	media_image_free(&b2);
	/* a header that lies about the size is caught by its checksum */
	free(data);
	assert_int_equal(util_read_file(tpath, 1 << 24, &data, &len), 0);
	data[8] = 100;
	assert_int_equal(util_write_atomic(tpath, data, len), 0);
	assert_int_equal(media_thumb_load(cache, sha, src, 160, 160, 0, &b2, &err), 0);
	assert_int_equal(b2.width, 160);
	media_image_free(&b2);
	free(data);

	/* another size is another file; the source is not needed on a hit */
	assert_int_equal(media_thumb_load(cache, sha, src, 80, 40, 0, &b2, &err), 0);
	assert_int_equal(b2.width, 53);
	assert_int_equal(b2.height, 40);
	media_image_free(&b2);
	assert_int_equal(unlink(src), 0);
	assert_int_equal(media_thumb_load(cache, sha, src, 80, 40, 0, &b2, &err), 1);
	media_image_free(&b2);
	assert_int_equal(media_thumb_load(cache, sha, src, 90, 40, 0, &b2, &err), -1);
	assert_non_null(strstr(err, "cannot open"));
	xfree(&err);

	/* a picture with transparency is kept losslessly */
	free(px);
	px = td_plasma(300, 200, 1);
	sb_reset(&b);
	td_png(&b, px, 300, 200);
	free(src);
	src = td_write(td_dir, "alpha.png", b.s, b.len);
	media_image_free(&a);
	assert_int_equal(media_thumb_load(cache, sha, src, 150, 150, 0, &a, &err), 0);
	assert_int_equal(media_thumb_load(cache, sha, src, 150, 150, 0, &b2, &err), 1);
	assert_int_equal(b2.width, 150);
	assert_int_equal(b2.height, 100);
	assert_memory_equal(a.rgba, b2.rgba, 150 * 100 * 4);
	media_image_free(&b2);

	/* hashes are checked before they become paths */
	assert_int_equal(media_thumb_load(cache, "../../../etc/passwd", src, 80, 40, 0, &b2, &err),
			 -1);
	assert_non_null(strstr(err, "bad asset hash"));
	xfree(&err);
	copy = (unsigned char *)xstrdup(sha);
	copy[3] = 'G';
	assert_int_equal(media_thumb_load(cache, (char *)copy, src, 80, 40, 0, &b2, &err), -1);
	xfree(&err);
	free(copy);

	media_image_free(&a);
	free(tpath);
	free(cache);
	free(src);
	sb_free(&b);
	free(px);
}

/* ---------------------------------------------------------------- waveforms */

static void check_sine_peaks(const char *path, double amp, double tol)
{
	float mins[100], maxs[100];
	struct media_info info;
	char *err = NULL;
	int i;

	if (media_audio_peaks(path, 100, mins, maxs, &info, &err) != 0)
		print_error("%s: %s\n", path, err);
	assert_null(err);
	assert_int_equal(info.kind, MEDIA_AUDIO);
	for (i = 0; i < 100; i++) {
		if (fabs(maxs[i] - amp) > tol || fabs(mins[i] + amp) > tol)
			print_error("%s: column %d: %f..%f, want +-%f\n", path, i, mins[i], maxs[i],
				    amp);
		assert_true(fabs(maxs[i] - amp) <= tol);
		assert_true(fabs(mins[i] + amp) <= tol);
	}
}

static void wav_peaks(void **state)
{
	static const struct {
		int format, bits, channels, ext;
		double tol;
	} f[] = {
		{ 1, 16, 2, 0, 0.002 }, { 1, 8, 1, 0, 0.02 },  { 1, 24, 2, 1, 0.002 },
		{ 1, 32, 3, 0, 0.002 }, { 3, 32, 2, 1, 0.002 }, { 3, 64, 1, 0, 0.002 },
	};
	float mins[100], maxs[100];
	struct media_info info;
	struct sbuf b;
	char *path, name[32], *err = NULL;
	size_t k;
	int i;

	(void)state;
	sb_init(&b);
	for (k = 0; k < sizeof f / sizeof f[0]; k++) {
		sb_reset(&b);
		td_wav(&b, f[k].format, f[k].bits, f[k].channels, 44100, 44100, f[k].ext, sine);
		snprintf(name, sizeof name, "sine-%zu.wav", k);
		path = td_write(td_dir, name, b.s, b.len);
		check_sine_peaks(path, 0.5, f[k].tol);
		free(path);
	}
	/* half a second of silence, then full scale: the columns follow */
	sb_reset(&b);
	td_wav(&b, 1, 16, 1, 44100, 44100, 0, step);
	path = td_write(td_dir, "step.wav", b.s, b.len);
	assert_int_equal(media_audio_peaks(path, 100, mins, maxs, &info, &err), 0);
	for (i = 0; i < 50; i++)
		assert_true(fabs(mins[i]) < 1e-6 && fabs(maxs[i]) < 1e-6);
	for (i = 50; i < 100; i++)
		assert_true(maxs[i] > 0.99 && mins[i] < -0.99);
	assert_float_equal(info.duration, 1.0, 1e-9);
	free(path);
	/* fewer samples than columns: every column is filled */
	sb_reset(&b);
	td_wav(&b, 1, 16, 1, 44100, 10, 0, step);
	path = td_write(td_dir, "tiny.wav", b.s, b.len);
	assert_int_equal(media_audio_peaks(path, 100, mins, maxs, NULL, &err), 0);
	for (i = 0; i < 100; i++)
		assert_true(mins[i] <= maxs[i]);
	free(path);
	/* a recording cut short still has its waveform (and says how long) */
	sb_reset(&b);
	td_wav(&b, 1, 16, 1, 44100, 44100, 0, sine);
	path = td_write(td_dir, "cut.wav", b.s, b.len / 2);
	assert_int_equal(media_audio_peaks(path, 10, mins, maxs, &info, &err), 0);
	assert_true(info.duration > 0.49 && info.duration < 0.51);
	assert_true(maxs[9] > 0.49);
	free(path);
	/* not audio */
	path = td_write(td_dir, "words.wav", "hello\n", 6);
	assert_int_equal(media_audio_peaks(path, 10, mins, maxs, &info, &err), -1);
	assert_non_null(strstr(err, "not audio"));
	xfree(&err);
	assert_int_equal(media_audio_peaks(path, 0, mins, maxs, &info, &err), -1);
	xfree(&err);
	free(path);
	sb_free(&b);
}

/* Makes an MP3 of the 0.5 sine through ffmpeg; owned path or NULL. */
static char *make_mp3(const char *name)
{
	const char *args[8] = { "-i", NULL, "-c:a", "libmp3lame", NULL };
	struct sbuf b;
	char *wav, *mp3 = xasprintf("%s/%s", td_dir, name);

	sb_init(&b);
	td_wav(&b, 1, 16, 1, 44100, 88200, 0, sine);
	wav = td_write(td_dir, "for-mp3.wav", b.s, b.len);
	args[1] = wav;
	sb_free(&b);
	if (td_ffmpeg(mp3, args) < 0)
		xfree(&mp3);
	free(wav);
	return mp3;
}

static void ffmpeg_peaks_and_missing(void **state)
{
	float mins[50], maxs[50];
	struct media_info info;
	char *mp3, *err = NULL;
	int i;

	(void)state;
	if (!td_have_ffmpeg() || (mp3 = make_mp3("sine.mp3")) == NULL)
		skip();
	assert_int_equal(media_audio_peaks(mp3, 50, mins, maxs, &info, &err), 0);
	assert_string_equal(info.mime, "audio/mpeg");
	assert_true(fabs(info.duration - 2.0) < 0.1);
	for (i = 2; i < 48; i++) /* the encoder's priming and padding aside */
		assert_true(maxs[i] > 0.4 && maxs[i] < 0.6 && mins[i] < -0.4 && mins[i] > -0.6);

	/* G.711 WAVs made by ffmpeg are read directly, ffmpeg or not */
	for (i = 0; i < 2; i++) {
		const char *args[] = { "-i", NULL, "-c:a", i ? "pcm_mulaw" : "pcm_alaw", NULL };
		char *in = xasprintf("%s/for-mp3.wav", td_dir);
		char *g711 = xasprintf("%s/g711-%d.wav", td_dir, i);

		args[1] = in;
		assert_int_equal(td_ffmpeg(g711, args), 0);
		setenv("LIGHTBOX_FFMPEG", "/nonexistent/ffmpeg", 1);
		check_sine_peaks(g711, 0.5, 0.02);
		unsetenv("LIGHTBOX_FFMPEG");
		free(in);
		free(g711);
	}

	setenv("LIGHTBOX_FFMPEG", "/nonexistent/ffmpeg", 1);
	assert_int_equal(media_audio_peaks(mp3, 50, mins, maxs, &info, &err), -1);
	assert_non_null(strstr(err, "ffmpeg not installed: showing facts only"));
	assert_true(fabs(info.duration - 2.0) < 0.1); /* the facts are still there */
	xfree(&err);
	unsetenv("LIGHTBOX_FFMPEG");
	free(mp3);
}

static void ffmpeg_runs_without_shell(void **state)
{
	static const char script[] = "#!/bin/sh\n"
				     "printf '%s\\n' \"$@\" > \"$LB_ARGLOG\"\n"
				     "echo 'fake failure: cannot read \033[2J input' >&2\n"
				     "echo 'second line' >&2\n"
				     "exit 3\n";
	float mins[10], maxs[10];
	struct sbuf b;
	char *fake, *log, *name, *pwned, *argv, *line, *err = NULL;
	size_t len;

	(void)state;
	fake = td_write(td_dir, "fake-ffmpeg", script, strlen(script));
	assert_int_equal(chmod(fake, 0755), 0);
	log = xasprintf("%s/args.log", td_dir);
	pwned = xstrdup("PWNED"); /* where a shell would have made it: our directory */
	sb_init(&b);
	td_mp3(&b, 20, 0, 0);
	free(td_write(td_dir, "a b;touch PWNED;$(touch PWNED)`touch PWNED`.mp3", b.s, b.len));
	name = xasprintf("%s/a b;touch PWNED;$(touch PWNED)`touch PWNED`.mp3", td_dir);
	setenv("LIGHTBOX_FFMPEG", fake, 1);
	setenv("LB_ARGLOG", log, 1);
	assert_int_equal(media_audio_peaks(name, 10, mins, maxs, NULL, &err), -1);
	assert_non_null(strstr(err, "exit status 3"));
	assert_non_null(strstr(err, "fake failure: cannot read ^[[2J input")); /* made visible */
	assert_null(strstr(err, "second line"));
	xfree(&err);
	assert_int_equal(access(pwned, F_OK), -1);
	assert_int_equal(util_read_file(log, 1 << 16, &argv, &len), 0);
	line = xasprintf("\nfile:%s\n", name);
	assert_non_null(strstr(argv, line)); /* the name arrived whole, as one argument */
	free(line);
	free(argv);
	unsetenv("LIGHTBOX_FFMPEG");
	unsetenv("LB_ARGLOG");
	free(name);
	free(pwned);
	free(log);
	free(fake);
	sb_free(&b);
}

static void video_poster(void **state)
{
	const char *args[] = { "-f", "lavfi", "-i", "testsrc=s=320x240:d=2:r=10", "-pix_fmt",
			       "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", NULL };
	struct media_image im;
	struct media_info info;
	char *path, *cache, *err = NULL;
	size_t i, differ = 0;

	(void)state;
	path = xasprintf("%s/clip.mp4", td_dir);
	if (!td_have_ffmpeg() || td_ffmpeg(path, args) < 0) {
		free(path);
		skip();
	}
	assert_int_equal(media_video_poster(path, 160, 160, 0, &im, &info, &err), 0);
	assert_int_equal(im.width, 160);
	assert_int_equal(im.height, 120);
	assert_int_equal(im.src_width, 320);
	assert_int_equal(im.src_height, 240);
	assert_string_equal(info.mime, "video/mp4");
	for (i = 1; i < (size_t)im.width * im.height; i++)
		differ += memcmp(im.rgba, im.rgba + 4 * i, 3) != 0;
	assert_true(differ > 1000); /* a picture, not a flat fill */
	media_image_free(&im);

	cache = xasprintf("%s/vcache", td_dir);
	assert_int_equal(media_thumb_load(cache, sha, path, 64, 64, 0, &im, &err), 0);
	assert_int_equal(im.width, 64);
	assert_int_equal(im.height, 48);
	media_image_free(&im);
	assert_int_equal(media_thumb_load(cache, sha, path, 64, 64, 0, &im, &err), 1);
	media_image_free(&im);

	setenv("LIGHTBOX_FFMPEG", "/nonexistent/ffmpeg", 1);
	assert_int_equal(media_video_poster(path, 160, 160, 0, &im, &info, &err), -1);
	assert_non_null(strstr(err, "ffmpeg not installed: showing facts only"));
	assert_int_equal(info.width, 320);
	xfree(&err);
	unsetenv("LIGHTBOX_FFMPEG");
	assert_int_equal(media_video_poster(td_dir, 160, 160, 0, &im, &info, &err), -1);
	xfree(&err);
	free(cache);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_png),
		cmocka_unit_test(decode_jpeg_scaled),
		cmocka_unit_test(decode_webp_scaled),
		cmocka_unit_test(decode_animated_first_frame),
		cmocka_unit_test(decode_exif_orientation),
		cmocka_unit_test(guard_refuses_huge),
		cmocka_unit_test(guard_counts_decoded_bytes),
		cmocka_unit_test(guard_allocates_nothing_big),
		cmocka_unit_test(decode_bad_files),
		cmocka_unit_test(resize_area_average),
		cmocka_unit_test(encoders_round_trip),
		cmocka_unit_test(thumbs_cache),
		cmocka_unit_test(wav_peaks),
		cmocka_unit_test(ffmpeg_peaks_and_missing),
		cmocka_unit_test(ffmpeg_runs_without_shell),
		cmocka_unit_test(video_poster),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, td_setup, td_teardown);
}
