/*
 * fingerprint.c - 64-bit perceptual fingerprints of pictures, compared by
 * Hamming distance: near-copies (resized, re-encoded, a little brighter,
 * cropped by a few pixels) lie a few bits apart, unrelated pictures about
 * 32.
 *
 * Two methods, both from the decoded picture (a thumbnail will do):
 *   pHash  the picture in grey at 32x32, its 2-D DCT-II, the 8x8 lowest
 *          frequencies; a bit is 1 where the coefficient is above their
 *          median (the DC term left out of the median and its bit taken
 *          from the coefficient at (0,8) instead, so all 64 bits carry
 *          information);
 *   dHash  the picture in grey at 9x8; a bit is 1 where a pixel is
 *          brighter than its right-hand neighbour.
 * lightbox stores pHash (HACKING.md says why: the measurements of
 * tests/unit/test-fingerprint and `make bench`).
 */
#include "config.h"

#include "media.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Grey levels (0..255, alpha composited over mid grey) of img shrunk to
 * w x h by area averaging. */
static void grey(const struct media_image *img, int w, int h, double *out)
{
	unsigned char *small = media_rgba_resize(img->rgba, img->width, img->height, w, h);
	int i;

	for (i = 0; i < w * h; i++) {
		const unsigned char *p = small + 4 * i;
		double a = p[3] / 255.0;
		double y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];

		out[i] = y * a + 128.0 * (1 - a);
	}
	free(small);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define PN 32 /* pHash works on PN x PN grey */
#define PK 9  /* and keeps the coefficients below PK in each direction */

static uint64_t phash(const struct media_image *img)
{
	double cosines[PK][PN], g[PN * PN], rows[PN * PK], c[PK][PK], v[64], sorted[64], med;
	uint64_t fp = 0;
	int x, y, u, k;

	for (u = 0; u < PK; u++) /* 288 cosines: cheaper than sharing a table between threads */
		for (x = 0; x < PN; x++)
			cosines[u][x] = cos(3.14159265358979323846 / PN * (x + 0.5) * u);
	grey(img, PN, PN, g);
	/* separable DCT-II, only the low frequencies: rows first, then columns */
	for (y = 0; y < PN; y++)
		for (u = 0; u < PK; u++) {
			double s = 0;

			for (x = 0; x < PN; x++)
				s += g[y * PN + x] * cosines[u][x];
			rows[y * PK + u] = s;
		}
	for (k = 0; k < PK; k++)
		for (u = 0; u < PK; u++) {
			double s = 0;

			for (y = 0; y < PN; y++)
				s += rows[y * PK + u] * cosines[k][y];
			c[k][u] = s;
		}
	for (k = 0; k < 8; k++)
		for (u = 0; u < 8; u++)
			v[k * 8 + u] = c[k][u];
	v[0] = c[0][8]; /* the DC term says only how bright the picture is */
	memcpy(sorted, v, sizeof sorted);
	qsort(sorted, 64, sizeof sorted[0], cmp_double);
	med = (sorted[31] + sorted[32]) / 2;
	for (k = 0; k < 64; k++)
		if (v[k] > med)
			fp |= (uint64_t)1 << k;
	return fp;
}

static uint64_t dhash(const struct media_image *img)
{
	double g[9 * 8];
	uint64_t fp = 0;
	int x, y;

	grey(img, 9, 8, g);
	for (y = 0; y < 8; y++)
		for (x = 0; x < 8; x++)
			if (g[y * 9 + x] > g[y * 9 + x + 1])
				fp |= (uint64_t)1 << (y * 8 + x);
	return fp;
}

uint64_t media_fingerprint(const struct media_image *img, enum media_fp_method method)
{
	if (img == NULL || img->rgba == NULL || img->width < 1 || img->height < 1)
		return 0;
	return method == MEDIA_FP_DHASH ? dhash(img) : phash(img);
}

int media_fp_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

int media_fingerprint_file(const char *cache_dir, const char *sha256_hex, const char *path,
			   int video, long long pixel_limit, uint64_t *fp, char **err)
{
	struct media_image img = { 0 };
	int rc;

	if (cache_dir && sha256_hex)
		rc = media_thumb_load(cache_dir, sha256_hex, path, MEDIA_FP_THUMB, MEDIA_FP_THUMB,
				      pixel_limit, &img, err);
	else if (video)
		rc = media_video_poster(path, MEDIA_FP_THUMB, MEDIA_FP_THUMB, pixel_limit, &img,
					NULL, err);
	else
		rc = media_image_load(path, MEDIA_FP_THUMB, MEDIA_FP_THUMB, pixel_limit, &img, err);
	if (rc < 0)
		return -1;
	*fp = media_fingerprint(&img, MEDIA_FP_PHASH);
	media_image_free(&img);
	return 0;
}
