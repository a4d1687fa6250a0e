/*
 * fuzz-seeds.c - writes one small sample of every format the probes know
 * into a folder, as the fuzzer's starting corpus (`make fuzz` runs it).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/media-testdata.h"
#include "util.h"

static double tone(long i, int c)
{
	return 0.25 * ((i + c) % 40 < 20 ? 1 : -1);
}

/* Writes b as dir/name and empties it. */
static void seed(const char *dir, const char *name, struct sbuf *b)
{
	free(td_write(dir, name, b->s, b->len));
	sb_reset(b);
}

int main(int argc, char **argv)
{
	unsigned char *px = td_plasma(24, 16, 1);
	uint32_t colors[2] = { 0xff0000ff, 0x00ff00ff };
	struct sbuf b;
	const char *dir;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	if (util_mkdir_p(dir) < 0) {
		perror(dir);
		return 1;
	}
	sb_init(&b);
	td_png(&b, px, 24, 16);
	seed(dir, "png", &b);
	td_jpeg(&b, px, 24, 16, 70);
	seed(dir, "jpeg", &b);
	td_jpeg(&b, px, 24, 16, 70);
	td_jpeg_orient(&b, 6);
	seed(dir, "jpeg-exif", &b);
	td_webp(&b, px, 24, 16, 0);
	seed(dir, "webp-lossy", &b);
	td_webp(&b, px, 24, 16, 1);
	seed(dir, "webp-lossless", &b);
	td_webp_anim(&b, px, px, 24, 16);
	seed(dir, "webp-anim", &b);
	td_gif(&b, 6, 4, colors, 2);
	seed(dir, "gif", &b);
	td_wav(&b, 1, 16, 2, 8000, 64, 0, tone);
	seed(dir, "wav", &b);
	td_wav(&b, 3, 32, 1, 8000, 64, 1, tone);
	seed(dir, "wav-ext", &b);
	td_flac_header(&b, 44100, 2, 16, 1000);
	seed(dir, "flac", &b);
	td_ogg(&b, 0, 44100, 2, 4410);
	seed(dir, "ogg", &b);
	td_ogg(&b, 1, 48000, 1, 4800);
	seed(dir, "opus", &b);
	td_mp3(&b, 3, 1, 20);
	seed(dir, "mp3", &b);
	td_mp4(&b, "isom", 1000, 2000, 64, 48, 32, 1);
	seed(dir, "mp4", &b);
	td_mp4(&b, "qt  ", 600, 600, 32, 24, 8, 0);
	seed(dir, "mov", &b);
	td_webm(&b, 900, 64, 48);
	seed(dir, "webm", &b);
	sb_adds(&b, "{\"a\": [1, 2, {\"b\": null}]}");
	seed(dir, "json", &b);
	sb_adds(&b, "plain words\n\tand more\n");
	seed(dir, "text", &b);
	sb_free(&b);
	free(px);
	return 0;
}
