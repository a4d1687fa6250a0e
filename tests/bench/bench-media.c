/*
 * bench-media.c - figures for media/: decoding a 1024x1024 PNG and a
 * 2048x2048 JPEG (and WebP) whole and scaled to an 80x40-cell preview
 * (10x20 px cells: an 800x800 box), thumbnails cold and warm, the
 * thumbnail file format candidates, the encoders the terminal link uses,
 * and our area resize against stb_image_resize.  Pictures are generated
 * (plasma with grain), nothing is shipped.  Each figure is the best of
 * several runs, as wall time and as CPU time of this process (the CPU
 * figure holds steady when other programs share the machine).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>
#include <zlib.h>

#include "media/media.h"
#include "tests/unit/media-testdata.h"
#include "util.h"

#define RUNS 7
#define BOX 800

static const char sha[] = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/* Best wall and CPU milliseconds of a few runs. */
struct fig {
	double wall, cpu;
};

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Everything one benchmark needs; `run` does one timed repetition and
 * `prep` (optional) what must happen before each, untimed. */
struct job {
	void (*prep)(struct job *j);
	void (*run)(struct job *j);
	const char *path;       /* input file */
	const char *cache;      /* thumbnail cache folder */
	int box;                /* fit box side, 0 for none */
	int level;              /* encoder level or quality */
	struct media_image *im; /* input or output picture */
	const unsigned char *px;
	int w, h;
	size_t bytes;           /* output size */
	int dw, dh;             /* decoder's own size */
};

static struct fig measure(struct job *j)
{
	struct fig f = { 1e30, 1e30 };
	double w0, c0, w, c;
	int i;

	for (i = 0; i < RUNS; i++) {
		if (j->prep)
			j->prep(j);
		w0 = util_mono_ms();
		c0 = cpu_ms();
		j->run(j);
		c = cpu_ms() - c0;
		w = util_mono_ms() - w0;
		if (w < f.wall)
			f.wall = w;
		if (c < f.cpu)
			f.cpu = c;
	}
	return f;
}

static void die(const char *what, char *err)
{
	fprintf(stderr, "bench-media: %s: %s\n", what, err ? err : "failed");
	exit(1);
}

static void run_load(struct job *j)
{
	struct media_image im;
	char *err = NULL;

	if (media_image_load(j->path, j->box, j->box, 0, &im, &err) < 0)
		die(j->path, err);
	j->dw = im.decoded_width;
	j->dh = im.decoded_height;
	media_image_free(&im);
}

static void bench_decode(const char *dir, const char *name, const struct sbuf *file)
{
	char *path = td_write(dir, name, file->s, file->len);
	struct job j = { .run = run_load, .path = path };
	struct fig full, scaled;

	full = measure(&j);
	j.box = BOX;
	scaled = measure(&j);
	printf("decode %-15s full %7.1f ms (cpu %6.1f)   to %dx%d box %7.1f ms (cpu %6.1f; "
	       "decoder made %dx%d)\n",
	       name, full.wall, full.cpu, BOX, BOX, scaled.wall, scaled.cpu, j.dw, j.dh);
	free(path);
}

static void prep_cold(struct job *j)
{
	char *tp = media_thumb_path(j->cache, sha, j->box, j->box);

	unlink(tp);
	free(tp);
}

static void run_thumb(struct job *j)
{
	struct media_image im;
	char *err = NULL;

	if (media_thumb_load(j->cache, sha, j->path, j->box, j->box, 0, &im, &err) < 0)
		die("thumbnail", err);
	j->dw = im.width;
	j->dh = im.height;
	media_image_free(&im);
}

static void run_read_raw(struct job *j)
{
	char *data;
	size_t len;

	if (util_read_file(j->path, (size_t)1 << 28, &data, &len) < 0)
		die("read", NULL);
	(void)crc32(0L, (const Bytef *)data, (uInt)len);
	free(data);
}

static void run_read_zlib(struct job *j)
{
	unsigned char *px = xmalloc((size_t)j->w * j->h * 4);
	uLongf dlen = (uLongf)j->w * j->h * 4;
	char *data;
	size_t len;

	if (util_read_file(j->path, (size_t)1 << 28, &data, &len) < 0 ||
	    uncompress(px, &dlen, (const Bytef *)data, len) != Z_OK)
		die("inflate", NULL);
	free(data);
	free(px);
}

static void run_png(struct job *j)
{
	unsigned char *out;
	char *err = NULL;

	if (media_png_encode(j->px, j->w, j->h, j->level, &out, &j->bytes, &err) < 0)
		die("png", err);
	free(out);
}

static void to_sbuf(void *ctx, void *data, int size)
{
	sb_add(ctx, data, (size_t)size);
}

static void run_stb_png(struct job *j)
{
	struct sbuf b;

	sb_init(&b);
	stbi_write_png_to_func(to_sbuf, &b, j->w, j->h, 4, j->px, j->w * 4);
	j->bytes = b.len;
	sb_free(&b);
}

static void run_jpeg(struct job *j)
{
	unsigned char *out;
	char *err = NULL;

	if (media_jpeg_encode(j->px, j->w, j->h, j->level, &out, &j->bytes, &err) < 0)
		die("jpeg", err);
	free(out);
}

static void run_zlib(struct job *j)
{
	unsigned char *out;
	char *err = NULL;

	if (media_zlib_encode(j->px, (size_t)j->w * j->h * 4, j->level, &out, &j->bytes, &err) <
	    0)
		die("zlib", err);
	free(out);
}

static void run_resize(struct job *j)
{
	free(media_rgba_resize(j->px, j->w, j->h, BOX, BOX));
}

static void run_stbir(struct job *j)
{
	unsigned char *out = xmalloc((size_t)BOX * BOX * 4);

	if (j->level)
		stbir_resize_uint8_srgb(j->px, j->w, j->h, 0, out, BOX, BOX, 0, 4, 3, 0);
	else
		stbir_resize_uint8(j->px, j->w, j->h, 0, out, BOX, BOX, 0, 4);
	free(out);
}

static double mean_error(const struct media_image *a, const struct media_image *b)
{
	double sum = 0;
	size_t i, n = (size_t)a->width * a->height;

	for (i = 0; i < 4 * n; i++)
		if (i % 4 != 3)
			sum += abs(a->rgba[i] - b->rgba[i]);
	return sum / (3.0 * n);
}

/* The candidates for the thumbnail file: what it costs to load one. */
static void bench_thumb_formats(const char *dir, const struct media_image *t)
{
	size_t npx = (size_t)t->width * t->height * 4, len;
	struct job j = { .w = t->width, .h = t->height };
	struct media_image back;
	unsigned char *out;
	char *path, *err = NULL, name[32];
	struct fig f;
	int q;

	printf("\nthumbnail file candidates, %dx%d (load = read the file and decode):\n",
	       t->width, t->height);
	path = td_write(dir, "t.raw", t->rgba, npx);
	j.path = path;
	j.run = run_read_raw;
	f = measure(&j);
	printf("  raw RGBA + CRC-32     %8zu bytes  load %6.2f ms (cpu %5.2f)\n", npx, f.wall,
	       f.cpu);
	free(path);
	if (media_zlib_encode(t->rgba, npx, 1, &out, &len, &err) < 0)
		die("zlib", err);
	path = td_write(dir, "t.z", out, len);
	free(out);
	j.path = path;
	j.run = run_read_zlib;
	f = measure(&j);
	printf("  zlib level 1          %8zu bytes  load %6.2f ms (cpu %5.2f)\n", len, f.wall,
	       f.cpu);
	free(path);
	if (media_png_encode(t->rgba, t->width, t->height, 1, &out, &len, &err) < 0)
		die("png", err);
	path = td_write(dir, "t.png", out, len);
	free(out);
	j.path = path;
	j.run = run_load;
	j.box = 0;
	f = measure(&j);
	printf("  PNG (stb_image)       %8zu bytes  load %6.2f ms (cpu %5.2f)\n", len, f.wall,
	       f.cpu);
	free(path);
	for (q = 85; q <= 95; q += 5) {
		if (media_jpeg_encode(t->rgba, t->width, t->height, q, &out, &len, &err) < 0)
			die("jpeg", err);
		snprintf(name, sizeof name, "t.q%d.jpg", q);
		path = td_write(dir, name, out, len);
		free(out);
		j.path = path;
		f = measure(&j);
		if (media_image_load(path, 0, 0, 0, &back, &err) < 0)
			die("jpeg", err);
		printf("  JPEG q%d %s        %8zu bytes  load %6.2f ms (cpu %5.2f)  mean error "
		       "%.2f/255\n",
		       q, q >= 90 ? "4:4:4" : "4:2:0", len, f.wall, f.cpu, mean_error(&back, t));
		media_image_free(&back);
		free(path);
	}
}

/* Peak RSS (MB) of loading path for a preview box in a child process of
 * its own, with this pixel limit (0: the default); *ok: it decoded. */
static double load_rss(const char *path, long long limit, int *ok)
{
	struct media_image im;
	struct rusage ru;
	char *err = NULL;
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork", NULL);
	if (pid == 0) {
		int rc = media_image_load(path, 800, 800, limit, &im, &err);
		if (rc == 0)
			media_image_free(&im);
		free(err);
		_exit(rc == 0 ? 0 : 1);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		die("wait4", NULL);
	*ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	return ru.ru_maxrss / 1024.0;
}

/* Issue 12: a 10000x10000 16-bit RGBA PNG (778 KB) took the interface to
 * 2.2 GB.  The limit now counts decoded bytes: refused at the default,
 * what it costs when allowed, and an 8-bit picture of the same pixels. */
static void bench_png16_rss(const char *dir)
{
	struct sbuf b;
	char *p16, *p8, *p1;
	double mb;
	int ok;

	sb_init(&b);
	td_png16(&b, 10000, 10000);
	p16 = td_write(dir, "10000x10000-16bit.png", b.s, b.len);
	printf("\npeak RSS of a preview (800x800 box), each in a process of its own:\n");
	printf("  a 10000x10000 16-bit RGBA PNG is %zu bytes\n", b.len);
	sb_reset(&b);
	td_png16(&b, 1, 1);
	p1 = td_write(dir, "1x1-16bit.png", b.s, b.len);
	mb = load_rss(p1, 0, &ok);
	printf("  16-bit 1x1 (the process itself)   %s  peak RSS %7.1f MB\n",
	       ok ? "decoded" : "refused", mb);
	mb = load_rss(p16, 0, &ok);
	printf("  16-bit, default limit (100 MP)    %s  peak RSS %7.1f MB\n",
	       ok ? "decoded" : "refused", mb);
	if (getenv("LB_BENCH_BIG")) {
		mb = load_rss(p16, 200000000LL, &ok);
		printf("  16-bit, limit 200 MP              %s  peak RSS %7.1f MB\n",
		       ok ? "decoded" : "refused", mb);
	} else {
		printf("  16-bit, limit 200 MP              (LB_BENCH_BIG=1 to measure: about 1.6 GB)\n");
	}
	sb_reset(&b);
	{
		unsigned char *px = td_flat(4000, 4000, 0xff808080u);
		td_png(&b, px, 4000, 4000);
		free(px);
	}
	p8 = td_write(dir, "4000x4000-8bit.png", b.s, b.len);
	mb = load_rss(p8, 0, &ok);
	printf("  8-bit 4000x4000 (16 MP), default  %s  peak RSS %7.1f MB\n",
	       ok ? "decoded" : "refused", mb);
	sb_free(&b);
	free(p16);
	free(p8);
	free(p1);
}

int main(void)
{
	char *dir = td_tmpdir(), *cache, *src, *err = NULL;
	unsigned char *png1k = td_plasma(1024, 1024, 0), *jpg2k = td_plasma(2048, 2048, 0);
	struct media_image thumb;
	struct job j;
	struct sbuf b;
	struct fig cold, warm, f;

	sb_init(&b);
	printf("media bench: best of %d runs, wall ms (cpu ms); generated plasma with grain\n\n",
	       RUNS);
	td_png(&b, png1k, 1024, 1024);
	bench_decode(dir, "1024x1024.png", &b);
	sb_reset(&b);
	td_jpeg(&b, jpg2k, 2048, 2048, 90);
	bench_decode(dir, "2048x2048.jpg", &b);
	src = td_write(dir, "thumb-src.jpg", b.s, b.len);
	bench_png16_rss(dir);
	sb_reset(&b);
	td_webp(&b, jpg2k, 2048, 2048, 0);
	bench_decode(dir, "2048x2048.webp", &b);

	cache = xasprintf("%s/cache", dir);
	memset(&j, 0, sizeof j);
	j.path = src;
	j.cache = cache;
	j.box = BOX;
	j.prep = prep_cold;
	j.run = run_thumb;
	cold = measure(&j);
	j.prep = NULL;
	warm = measure(&j);
	printf("\nthumbnail %dx%d of the 2048x2048 JPEG: cold %.1f ms (cpu %.1f), "
	       "warm %.1f ms (cpu %.1f)\n",
	       j.dw, j.dh, cold.wall, cold.cpu, warm.wall, warm.cpu);
	if (media_image_load(src, BOX, BOX, 0, &thumb, &err) < 0)
		die("thumb source", err);
	bench_thumb_formats(dir, &thumb);

	printf("\nencoders on the %dx%d preview (%d bytes as RGBA):\n", thumb.width, thumb.height,
	       thumb.width * thumb.height * 4);
	memset(&j, 0, sizeof j);
	j.px = thumb.rgba;
	j.w = thumb.width;
	j.h = thumb.height;
	for (j.level = 1; j.level <= 6; j.level += 5) {
		j.run = run_png;
		f = measure(&j);
		printf("  PNG, ours, level %d      %8zu bytes  %6.1f ms (cpu %6.1f)\n", j.level,
		       j.bytes, f.wall, f.cpu);
	}
	j.run = run_stb_png;
	f = measure(&j);
	printf("  PNG, stb_image_write    %8zu bytes  %6.1f ms (cpu %6.1f)\n", j.bytes, f.wall,
	       f.cpu);
	for (j.level = 80; j.level <= 90; j.level += 10) {
		j.run = run_jpeg;
		f = measure(&j);
		printf("  JPEG q%d                %8zu bytes  %6.1f ms (cpu %6.1f)\n", j.level,
		       j.bytes, f.wall, f.cpu);
	}
	j.level = 1;
	j.run = run_zlib;
	f = measure(&j);
	printf("  zlib 1 (kitty o=z)      %8zu bytes  %6.1f ms (cpu %6.1f)\n", j.bytes, f.wall,
	       f.cpu);

	printf("\nresize 1024x1024 -> %dx%d:\n", BOX, BOX);
	memset(&j, 0, sizeof j);
	j.px = png1k;
	j.w = j.h = 1024;
	j.run = run_resize;
	f = measure(&j);
	printf("  area average (ours)       %6.1f ms (cpu %6.1f)\n", f.wall, f.cpu);
	j.run = run_stbir;
	j.level = 1;
	f = measure(&j);
	printf("  stb_image_resize, sRGB    %6.1f ms (cpu %6.1f)\n", f.wall, f.cpu);
	j.level = 0;
	f = measure(&j);
	printf("  stb_image_resize, linear  %6.1f ms (cpu %6.1f)\n", f.wall, f.cpu);

	media_image_free(&thumb);
	free(src);
	free(cache);
	sb_free(&b);
	free(png1k);
	free(jpg2k);
	td_rmtree(dir);
	free(dir);
	return 0;
}
