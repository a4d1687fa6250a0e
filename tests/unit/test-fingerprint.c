/*
 * test-fingerprint.c - perceptual fingerprints: near-copies of a picture
 * (resized to 90%, JPEG quality 70, 6% brighter, 2 pixels shaved off each
 * side) lie within the default stack distance; pictures ImageMagick draws
 * as plasma:fractal from other seeds lie outside it.  Both distance
 * distributions are printed, for pHash and dHash, as TAP comments (the
 * figures HACKING.md quotes come from here).  The pictures are made by
 * `convert` in a scratch folder; the test is skipped without it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "media/media.h"
#include "util.h"

#define SEEDS 10
#define VARIANTS 4
static const char *const variant_name[VARIANTS] = { "resized 90%", "JPEG q70", "brightness +6%",
						    "2-pixel crop" };
static const char *const variant_file[VARIANTS] = { "r.png", "q.jpg", "b.png", "c.png" };

static char scratch[] = "/tmp/lbfp.XXXXXX";
static int have_convert;

static char *pic(int seed, const char *what)
{
	return xasprintf("%s/%d-%s", scratch, seed, what);
}

/* One convert per seed writes the original and its four near-copies. */
static int make_pictures(void **state)
{
	int s;

	(void)state;
	have_convert = system("convert -version >/dev/null 2>&1") == 0;
	if (!have_convert)
		return 0;
	if (mkdtemp(scratch) == NULL)
		return -1;
	for (s = 1; s <= SEEDS; s++) {
		char *cmd = xasprintf(
			"cd %s && convert -seed %d -size 320x320 plasma:fractal -write %d-o.png "
			"\\( +clone -resize 90%% -write %d-r.png +delete \\) "
			"\\( +clone -quality 70 -write %d-q.jpg +delete \\) "
			"\\( +clone -modulate 106 -write %d-b.png +delete \\) "
			"-shave 2x2 %d-c.png",
			scratch, s, s, s, s, s, s);
		int rc = system(cmd);

		free(cmd);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int remove_pictures(void **state)
{
	char *cmd;

	(void)state;
	if (!have_convert || strcmp(scratch, "/tmp/lbfp.XXXXXX") == 0)
		return 0;
	cmd = xasprintf("rm -rf %s", scratch);
	(void)system(cmd);
	free(cmd);
	return 0;
}

static uint64_t fp_of(const char *path, enum media_fp_method m)
{
	struct media_image img = { 0 };
	char *err = NULL;
	uint64_t fp;

	if (media_image_load(path, MEDIA_FP_THUMB, MEDIA_FP_THUMB, 0, &img, &err) != 0) {
		print_error("%s: %s\n", path, err);
		fail();
	}
	fp = media_fingerprint(&img, m);
	media_image_free(&img);
	return fp;
}

/* Near-copy and unrelated distances of one method; prints both. */
static void distances(enum media_fp_method m, const char *name, int *near_max, int *far_min)
{
	uint64_t orig[SEEDS];
	int s, t, v, hist_near[65] = { 0 }, hist_far[65] = { 0 }, d;
	char line[400];
	size_t len;

	*near_max = 0;
	*far_min = 64;
	for (s = 0; s < SEEDS; s++) {
		char *p = pic(s + 1, "o.png");

		orig[s] = fp_of(p, m);
		free(p);
		for (v = 0; v < VARIANTS; v++) {
			p = pic(s + 1, variant_file[v]);
			d = media_fp_distance(orig[s], fp_of(p, m));
			free(p);
			hist_near[d]++;
			if (d > *near_max) {
				*near_max = d;
				printf("# %s: seed %d %s at %d\n", name, s + 1, variant_name[v], d);
			}
		}
	}
	for (s = 0; s < SEEDS; s++)
		for (t = s + 1; t < SEEDS; t++) {
			d = media_fp_distance(orig[s], orig[t]);
			hist_far[d]++;
			if (d < *far_min)
				*far_min = d;
		}
	for (v = 0; v < 2; v++) {
		int *h = v ? hist_far : hist_near;

		len = (size_t)snprintf(line, sizeof line, "# %s %s distances (d:count):", name,
				       v ? "unrelated" : "near-copy");
		for (d = 0; d <= 64 && len < sizeof line - 16; d++)
			if (h[d])
				len += (size_t)snprintf(line + len, sizeof line - len, " %d:%d", d, h[d]);
		printf("%s\n", line);
	}
	printf("# %s: near-copies at most %d, unrelated at least %d, default distance %d\n", name,
	       *near_max, *far_min, MEDIA_FP_NEAR);
}

static void test_phash_separates(void **state)
{
	int near_max, far_min;

	(void)state;
	if (!have_convert)
		skip();
	distances(MEDIA_FP_PHASH, "pHash", &near_max, &far_min);
	assert_true(near_max <= MEDIA_FP_NEAR);
	assert_true(far_min > MEDIA_FP_NEAR);
}

/* dHash is measured, not stored: only its figures are printed, and it
 * must at least tell a picture from an unrelated one. */
static void test_dhash_measured(void **state)
{
	int near_max, far_min;

	(void)state;
	if (!have_convert)
		skip();
	distances(MEDIA_FP_DHASH, "dHash", &near_max, &far_min);
	assert_true(near_max < far_min || far_min > 0);
}

/* Same pixels, same fingerprint; a flat picture and its negative are
 * not confused with a picture; the file path goes through the thumbnail
 * cache and gives the same bits as the decoded picture. */
static void test_fingerprint_basics(void **state)
{
	struct media_image a = { 0 }, b = { 0 };
	int i, n = 64 * 48;
	uint64_t fa, fb;
	char *err = NULL, *path, *cache;
	const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

	(void)state;
	a.width = b.width = 64;
	a.height = b.height = 48;
	a.rgba = xmalloc((size_t)n * 4);
	b.rgba = xmalloc((size_t)n * 4);
	for (i = 0; i < n; i++) {
		int x = i % 64, y = i / 64;
		unsigned char v = (unsigned char)((x * 4 + y * 2) & 255);

		a.rgba[4 * i] = a.rgba[4 * i + 1] = a.rgba[4 * i + 2] = v;
		b.rgba[4 * i] = b.rgba[4 * i + 1] = b.rgba[4 * i + 2] = (unsigned char)(255 - v);
		a.rgba[4 * i + 3] = b.rgba[4 * i + 3] = 255;
	}
	fa = media_fingerprint(&a, MEDIA_FP_PHASH);
	assert_int_equal(media_fp_distance(fa, media_fingerprint(&a, MEDIA_FP_PHASH)), 0);
	fb = media_fingerprint(&b, MEDIA_FP_PHASH);
	assert_true(media_fp_distance(fa, fb) > MEDIA_FP_NEAR);
	assert_true(media_fp_distance(media_fingerprint(&a, MEDIA_FP_DHASH),
				      media_fingerprint(&b, MEDIA_FP_DHASH)) > MEDIA_FP_NEAR);
	media_image_free(&a);
	media_image_free(&b);

	if (!have_convert)
		return;
	path = pic(1, "o.png");
	cache = xasprintf("%s/cache", scratch);
	assert_int_equal(media_fingerprint_file(cache, sha, path, 0, 0, &fa, &err), 0);
	assert_int_equal(media_fingerprint_file(cache, sha, path, 0, 0, &fb, &err), 0); /* cached */
	assert_true(media_fp_distance(fa, fb) <= 2);
	assert_true(media_fp_distance(fa, fp_of(path, MEDIA_FP_PHASH)) <= 2);
	assert_int_equal(media_fingerprint_file(NULL, NULL, path, 0, 0, &fb, &err), 0);
	assert_int_equal(fb, fp_of(path, MEDIA_FP_PHASH));
	free(path);
	/* a file that is no picture is an error with a message, not a fingerprint */
	path = xasprintf("%s/not-a-picture.png", scratch);
	assert_int_equal(util_write_atomic(path, "hello", 5), 0);
	assert_int_equal(media_fingerprint_file(NULL, NULL, path, 0, 0, &fb, &err), -1);
	assert_non_null(err);
	free(err);
	free(path);
	free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phash_separates),
		cmocka_unit_test(test_dhash_measured),
		cmocka_unit_test(test_fingerprint_basics),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, make_pictures, remove_pictures);
}
