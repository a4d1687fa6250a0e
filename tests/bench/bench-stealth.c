/*
 * bench-stealth.c - what reading stealth PNG info costs the importer: a
 * 4096 x 4096 RGBA PNG without metadata (the reader looks at the first
 * 152 rows and stops), the same with A1111's stealth_pngcomp payload in
 * its alpha bits (every row is decoded), and, for scale, a whole decode
 * of the picture.  Prints milliseconds and how much the peak resident
 * size grew (each measure runs in a child of its own, so the building of
 * the test pictures does not hide it).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "media/media.h"
#include "util.h"

#define W 4096
#define H 4096

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void put32(struct sbuf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
			      (unsigned char)v};

	sb_add(b, x, 4);
}

static void chunk(struct sbuf *png, const char *type, const void *data, size_t n)
{
	uint32_t crc = (uint32_t)crc32(crc32(0L, (const unsigned char *)type, 4), data, (uInt)n);

	put32(png, (uint32_t)n);
	sb_add(png, type, 4);
	sb_add(png, data, n);
	put32(png, crc);
}

/* The picture, with the stream's bits in the alpha LSBs (column by column). */
static void make_png(struct sbuf *png, const unsigned char *stream, size_t nbytes)
{
	unsigned char ihdr[13] = {W >> 24, (W >> 16) & 255, (W >> 8) & 255, W & 255, H >> 24, (H >> 16) & 255,
				  (H >> 8) & 255, H & 255, 8, 6, 0, 0, 0};
	size_t rb = (size_t)W * 4 + 1, i;
	unsigned char *raw = xmalloc(rb * H), *z;
	uLongf zn;

	for (i = 0; i < rb * H; i++)
		raw[i] = (unsigned char)((i % rb) % 4 == 0 ? 255 : (i * 31 + i / 4099) & 255);
	for (i = 0; i < H; i++)
		raw[i * rb] = 0;
	for (i = 0; i < nbytes * 8; i++) {
		size_t x = i / H, y = i % H;
		unsigned char *a = raw + y * rb + 1 + x * 4 + 3;

		*a = (unsigned char)((*a & ~1u) | ((stream[i / 8] >> (7 - i % 8)) & 1));
	}
	zn = compressBound((uLong)(rb * H));
	z = xmalloc(zn);
	compress2(z, &zn, raw, (uLong)(rb * H), 1);
	sb_init(png);
	sb_add(png, "\x89PNG\r\n\x1a\n", 8);
	chunk(png, "IHDR", ihdr, 13);
	chunk(png, "IDAT", z, zn);
	chunk(png, "IEND", "", 0);
	free(raw);
	free(z);
}

static void run(const char *what, const struct sbuf *png, int whole)
{
	struct media_image img = {0};
	struct media_genmeta *m;
	char *err = NULL;
	double t;
	long before;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		before = peak_kb();
		t = now_ms();
		if (whole) {
			if (media_image_load_mem(png->s, png->len, 0, 0, 0, &img, &err) == 0)
				printf("  %-44s %8.1f ms  peak +%ld KB\n", what, now_ms() - t,
				       peak_kb() - before);
			fflush(stdout);
			_exit(0);
		}
		media_genmeta_from_mem(png->s, png->len, &m);
		printf("  %-44s %8.1f ms  peak +%ld KB  %s\n", what, now_ms() - t, peak_kb() - before,
		       media_genmeta_found(m) ? m->source : "(nothing found)");
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	static const char info[] = "a lighthouse at dusk\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, "
				   "CFG scale: 7, Seed: 42, Size: 4096x4096, Model: sd15";
	unsigned char gz[1024];
	struct sbuf plain, stealth, stream;
	z_stream zs;

	memset(&zs, 0, sizeof zs);
	deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (unsigned char *)info;
	zs.avail_in = sizeof info - 1;
	zs.next_out = gz;
	zs.avail_out = sizeof gz;
	deflate(&zs, Z_FINISH);
	sb_init(&stream);
	sb_adds(&stream, "stealth_pngcomp");
	put32(&stream, (uint32_t)(zs.total_out * 8));
	sb_add(&stream, gz, zs.total_out);
	deflateEnd(&zs);
	printf("stealth PNG info, %dx%d RGBA:\n", W, H);
	make_png(&plain, NULL, 0);
	make_png(&stealth, (unsigned char *)stream.s, stream.len);
	run("no metadata (rejected after 152 rows)", &plain, 0);
	run("stealth_pngcomp in alpha (every row)", &stealth, 0);
	run("for scale: a whole decode (stb)", &plain, 1);
	sb_free(&plain);
	sb_free(&stealth);
	sb_free(&stream);
	return 0;
}
