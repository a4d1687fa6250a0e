/*
 * bench-preview.c - what a preview costs: milliseconds per preview cold
 * (decode + render), from a thumbnail on disk, and warm (a render kept in
 * memory), and bytes written to the terminal per preview change, in each
 * mode, for a 1024x1024 PNG and a 2048x2048 JPEG of noise-like plasma in
 * an 80x40-cell box; and the same from the `chafa` command on the same
 * files, side by side.
 *
 * Cold and thumbnail times are the renderer's, in this process.  Warm
 * times and bytes are lightbox's own: the program runs on a pty of 80x45
 * cells of 10x20 pixels with --preview=MODE, zooms (a box of 80x40 cells),
 * and moves between the two pictures, each already rendered; a thread
 * drains the pty and counts what reaches it per change, and the program's
 * LIGHTBOX_PREVIEW_LOG gives the frame's time (from the start of the
 * pane's drawing to the last byte written).  The chafa command runs on the
 * same pty at 80x41 cells, 800x820 pixels, as ../shared/terminal/figures.md
 * measured it.  Medians; nothing is asserted: the targets are printed
 * beside the figures.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "media/media.h"
#include "tui/preview.h"
#include "util.h"

enum { COLS_BOX = 80, ROWS_BOX = 40, CELL_W = 10, CELL_H = 20, RUNS = 7 };

/* ------------------------------------------------------------ the pty */

static int master = -1, slave = -1;
static atomic_ullong drained;
static atomic_int draining = 1;

static void *drain(void *arg)
{
	char buf[65536];
	struct pollfd p;
	ssize_t n;

	(void)arg;
	while (atomic_load(&draining)) {
		p.fd = master;
		p.events = POLLIN;
		if (poll(&p, 1, 20) <= 0)
			continue;
		n = read(master, buf, sizeof buf);
		if (n > 0)
			atomic_fetch_add(&drained, (unsigned long long)n);
	}
	return NULL;
}

/* Waits until the pty has been quiet for a moment, returns the count. */
static unsigned long long settled(void)
{
	unsigned long long a, b;

	do {
		a = atomic_load(&drained);
		usleep(30000);
		b = atomic_load(&drained);
	} while (a != b);
	return b;
}

/* The pty's size: rows x COLS_BOX cells of CELL_W x CELL_H pixels. */
static void pty_rows(int rows)
{
	struct winsize ws = { (unsigned short)rows, COLS_BOX, COLS_BOX * CELL_W, (unsigned short)(rows * CELL_H) };

	ioctl(slave, TIOCSWINSZ, &ws);
}

static void open_pty(pthread_t *t)
{
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
		fatal("no pty: %s", strerror(errno));
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0)
		fatal("no pty: %s", strerror(errno));
	pthread_create(t, NULL, drain, NULL);
}

static void write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* ------------------------------------------------------------ test pictures */

/* Diamond-square fractal noise: what ImageMagick's plasma:fractal makes,
 * close to the worst case for every compressor and palette. */
static unsigned char *plasma(int size, unsigned seed)
{
	int n = 1, step, x, y, c;
	float *f[3], *g;
	unsigned char *rgba;

	while (n < size)
		n <<= 1;
	srand(seed);
	for (c = 0; c < 3; c++) {
		g = f[c] = xcalloc((size_t)(n + 1) * (n + 1), sizeof(float));
		g[0] = g[n] = g[(size_t)n * (n + 1)] = g[(size_t)n * (n + 1) + n] = (float)(rand() % 256);
		for (step = n; step > 1; step /= 2) {
			int h = step / 2;
			float amp = 255.0f * (float)step / (float)n + 24.0f;
			for (y = h; y < n; y += step)
				for (x = h; x < n; x += step) {
					float a = g[(y - h) * (n + 1) + x - h], b = g[(y - h) * (n + 1) + x + h];
					float d = g[(y + h) * (n + 1) + x - h], e = g[(y + h) * (n + 1) + x + h];
					g[y * (n + 1) + x] = (a + b + d + e) / 4 + amp * ((float)rand() / RAND_MAX - 0.5f);
				}
			for (y = 0; y <= n; y += h)
				for (x = (y / h) % 2 ? 0 : h; x <= n; x += step) {
					float s = 0;
					int k = 0;
					if (y >= h) s += g[(y - h) * (n + 1) + x], k++;
					if (y + h <= n) s += g[(y + h) * (n + 1) + x], k++;
					if (x >= h) s += g[y * (n + 1) + x - h], k++;
					if (x + h <= n) s += g[y * (n + 1) + x + h], k++;
					g[y * (n + 1) + x] = s / (float)k + amp * ((float)rand() / RAND_MAX - 0.5f);
				}
		}
	}
	rgba = xmalloc((size_t)size * size * 4);
	for (y = 0; y < size; y++)
		for (x = 0; x < size; x++)
			for (c = 0; c < 4; c++) {
				float v = c < 3 ? f[c][y * (n + 1) + x] : 255.0f;
				rgba[4 * ((size_t)y * size + x) + c] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
			}
	for (c = 0; c < 3; c++)
		free(f[c]);
	return rgba;
}

/* The two test files: ImageMagick's plasma:fractal as in figures.md when
 * /usr/bin/convert is there, else the generator above. */
static const char *make_pictures(const char *dir, char **png, char **jpg)
{
	unsigned char *px, *data;
	size_t len;
	char *err = NULL, *cmd;

	*png = xasprintf("%s/test1024.png", dir);
	*jpg = xasprintf("%s/test2048.jpg", dir);
	if (access("/usr/bin/convert", X_OK) == 0) {
		cmd = xasprintf("/usr/bin/convert -size 1024x1024 -seed 42 plasma:fractal -depth 8 '%s' && "
				"/usr/bin/convert -size 2048x2048 -seed 7 plasma:fractal -quality 90 '%s'",
				*png, *jpg);
		if (system(cmd) == 0 && access(*png, F_OK) == 0 && access(*jpg, F_OK) == 0) {
			free(cmd);
			return "ImageMagick plasma:fractal (as figures.md)";
		}
		free(cmd);
	}
	px = plasma(1024, 42);
	if (media_png_encode(px, 1024, 1024, 6, &data, &len, &err) != 0 ||
	    util_write_atomic(*png, data, len) != 0)
		fatal("cannot write %s: %s", *png, err ? err : strerror(errno));
	free(data);
	free(px);
	px = plasma(2048, 7);
	if (media_jpeg_encode(px, 2048, 2048, 90, &data, &len, &err) != 0 ||
	    util_write_atomic(*jpg, data, len) != 0)
		fatal("cannot write %s: %s", *jpg, err ? err : strerror(errno));
	free(data);
	free(px);
	return "built-in diamond-square plasma";
}

/* ------------------------------------------------------------ measuring */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	if (n <= 0)
		return -1;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct row {
	const char *mode;
	double cold, thumb, warm;       /* ms */
	double bytes;                   /* per change to a picture shown before, on the pty */
	double first;                   /* per change to a picture shown the first time */
	double chafa_ms, chafa_bytes;
	const char *note;
};

static void request(struct pv_req *q, const char *path, enum pv_mode mode, int depth, const char *cache,
		    const char *sha)
{
	memset(q, 0, sizeof *q);
	q->kind = PV_K_IMAGE;
	q->mode = mode;
	q->path = (char *)path;
	q->sha = (char *)sha;
	q->cache_dir = (char *)cache;
	q->cols = COLS_BOX;
	q->rows = ROWS_BOX;
	q->cell_w = CELL_W;
	q->cell_h = CELL_H;
	q->depth = depth;
	q->sixel_colors = 256;
	q->budget = mode == PV_KITTY || mode == PV_ITERM2 ? PV_BUDGET_REMOTE : 0;
}

/* The renderer alone: cold (decode + render) and from a thumbnail. */
static void render_times(struct row *row, const char *path, const char *sha, enum pv_mode mode, int depth,
			 const char *cache)
{
	struct pv_req q;
	struct pv_render *r;
	double v[RUNS], t0;
	int i;

	request(&q, path, mode, depth, NULL, NULL);
	for (i = 0; i < RUNS; i++) {
		t0 = util_mono_ms();
		r = pv_render_run(&q);
		v[i] = util_mono_ms() - t0;
		if (r->error)
			fatal("render failed: %s", r->error);
		pv_render_free(r);
	}
	row->cold = median(v, RUNS);
	request(&q, path, mode, depth, cache, sha);
	pv_render_free(pv_render_run(&q));
	for (i = 0; i < RUNS; i++) {
		t0 = util_mono_ms();
		r = pv_render_run(&q);
		v[i] = util_mono_ms() - t0;
		pv_render_free(r);
	}
	row->thumb = median(v, RUNS);
}

/* ------------------------------------------------------------ zoomed in */

/* A zoomed render is made for each zoom step and each pan step (a new
 * crop of the picture decoded at zoom times the box's size, no
 * thumbnail): what a key in the zoom or in compare waits for, per
 * picture (compare makes two).  The first decodes the file; the next
 * crop the picture the renderer keeps. */
static void zoomed(const char *png, const char *jpg)
{
	static const double zooms[] = { 2, 4, 8 };
	static const struct {
		const char *name;
		enum pv_mode m;
		int depth;
	} modes[] = { { "symbols 24-bit", PV_SYMBOLS, 16777216 }, { "sixel", PV_SIXEL, 0 } };
	struct pv_req q;
	struct pv_render *r;
	double v[RUNS], t0;
	int f, m, z, i;

	printf("\nzoomed renders (%dx%d cells of %dx%d px), ms: the first of a zoom step (decoding the "
	       "file) / a pan step after it (median of %d):\n",
	       COLS_BOX, ROWS_BOX, CELL_W, CELL_H, RUNS - 1);
	printf("  %-28s %15s %15s %15s\n", "picture, mode", "2x", "4x", "8x");
	for (f = 0; f < 2; f++)
		for (m = 0; m < 2; m++) {
			char label[64], cell[32];
			snprintf(label, sizeof label, "%s, %s", f ? "2048 JPEG" : "1024 PNG", modes[m].name);
			printf("  %-28s", label);
			for (z = 0; z < 3; z++) {
				request(&q, f ? jpg : png, modes[m].m, modes[m].depth, NULL, NULL);
				q.zoom = zooms[z];
				pv_zoom_forget(); /* the first decodes */
				for (i = 0; i < RUNS; i++) {
					q.cx = q.cy = 0.3 + 0.05 * i; /* each a new crop, as a pan step is */
					t0 = util_mono_ms();
					r = pv_render_run(&q);
					v[i] = util_mono_ms() - t0;
					if (r->error)
						fatal("zoomed render failed: %s", r->error);
					pv_render_free(r);
				}
				snprintf(cell, sizeof cell, "%.1f / %.1f", v[0], median(v + 1, RUNS - 1));
				printf(" %15s", cell);
			}
			printf("\n");
		}
}

/* ------------------------------------------------------------ quality */

/* An indexed colour (xterm's 256) or 0xRRGGBB as r, g, b. */
static void rgb_of(int32_t c, int depth, double *o)
{
	static const int base[16][3] = { { 0, 0, 0 },	    { 205, 0, 0 },   { 0, 205, 0 },   { 205, 205, 0 },
					 { 0, 0, 238 },	    { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
					 { 127, 127, 127 }, { 255, 0, 0 },   { 0, 255, 0 },   { 255, 255, 0 },
					 { 92, 92, 255 },   { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 } };
	static const int cube[6] = { 0, 95, 135, 175, 215, 255 };

	if (c < 0) {
		o[0] = o[1] = o[2] = 0; /* the default background: black here */
	} else if (depth >= 16777216) {
		o[0] = (c >> 16) & 255;
		o[1] = (c >> 8) & 255;
		o[2] = c & 255;
	} else if (c < 16) {
		o[0] = base[c][0];
		o[1] = base[c][1];
		o[2] = base[c][2];
	} else if (c < 232) {
		o[0] = cube[(c - 16) / 36];
		o[1] = cube[(c - 16) / 6 % 6];
		o[2] = cube[(c - 16) % 6];
	} else {
		o[0] = o[1] = o[2] = 8 + 10 * (c - 232);
	}
}

/* How much of a cell's sub-pixel (sx, sy of 8 x 16) is foreground for
 * the block elements; -1 for other characters (taken as half). */
static int covered(uint32_t ch, int sx, int sy)
{
	if (ch == ' ')
		return 0;
	if (ch == 0x2588)
		return 1;
	if (ch == 0x2580)
		return sy < 8;
	if (ch >= 0x2581 && ch <= 0x2587) /* lower eighths */
		return sy >= 16 - 2 * (int)(ch - 0x2580);
	if (ch >= 0x2589 && ch <= 0x258f) /* left eighths, 7/8 down to 1/8 */
		return sx < 8 - (int)(ch - 0x2588);
	if (ch == 0x2590)
		return sx >= 4;
	if (ch >= 0x2596 && ch <= 0x259f) {
		/* quadrants: bits UL, UR, LL, LR */
		static const int q[10] = { 4, 8, 1, 1 | 4 | 8, 1 | 8, 1 | 2 | 4, 1 | 2 | 8, 2, 2 | 4, 2 | 4 | 8 };
		int bit = (sy < 8 ? (sx < 4 ? 1 : 2) : (sx < 4 ? 4 : 8));
		return (q[ch - 0x2596] & bit) != 0;
	}
	return -1;
}

/* PSNR (dB) of a symbols render against the picture it shows (rgba, w x h),
 * each cell drawn as 8 x 16 sub-pixels of its colours. */
static double psnr(const struct pv_render *r, const unsigned char *rgba, int w, int h, int depth)
{
	double se = 0, fg[3], bg[3], px[3];
	long n = 0;
	int cx, cy, sx, sy, k;

	for (cy = 0; cy < r->rows; cy++)
		for (cx = 0; cx < r->cols; cx++) {
			const struct pv_cell *c = &r->cells[(size_t)cy * r->cols + cx];
			rgb_of(c->fg, depth, fg);
			rgb_of(c->bg, depth, bg);
			for (sy = 0; sy < 16; sy++)
				for (sx = 0; sx < 8; sx++) {
					int cov = covered(c->ch, sx, sy);
					int ix = (int)(((double)cx * 8 + sx + 0.5) * w / (r->cols * 8.0));
					int iy = (int)(((double)cy * 16 + sy + 0.5) * h / (r->rows * 16.0));
					const unsigned char *s = rgba + 4 * ((size_t)iy * w + ix);
					for (k = 0; k < 3; k++) {
						px[k] = cov < 0 ? (fg[k] + bg[k]) / 2 : cov ? fg[k] : bg[k];
						se += (px[k] - s[k]) * (px[k] - s[k]);
					}
					n += 3;
				}
		}
	return n ? 10 * log10(255.0 * 255.0 / (se / (double)n)) : 0;
}

/* 24-bit symbols exact and in runs (PV_RUN_TOLERANCE), and 256 colours:
 * PSNR against the source picture, colours used. */
static void quality(const char *dir)
{
	static const struct {
		const char *name;
		int depth, tolerance;
	} v[] = { { "256 colours", 256, 0 }, { "24-bit, exact", 16777216, -1 },
		  { "24-bit, in runs", 16777216, 0 } };
	unsigned char *px = plasma(512, 3), *data;
	char *path = xasprintf("%s/quality.png", dir), *err = NULL;
	size_t len, i, k;
	struct pv_req q;

	if (media_png_encode(px, 512, 512, 6, &data, &len, &err) != 0 || util_write_atomic(path, data, len) != 0)
		fatal("cannot write %s: %s", path, err ? err : strerror(errno));
	free(data);
	printf("\nsymbols quality: a 512x512 plasma in %dx%d cells, PSNR against it (cells as 8x16 "
	       "sub-pixels)\n", COLS_BOX, ROWS_BOX);
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct pv_render *r;
		int32_t seen[4096];
		size_t nseen = 0;
		request(&q, path, PV_SYMBOLS, v[i].depth, NULL, NULL);
		q.tolerance = v[i].tolerance;
		r = pv_render_run(&q);
		if (r->error || r->cells == NULL)
			fatal("render failed: %s", r->error ? r->error : "no cells");
		for (k = 0; k < (size_t)r->cols * r->rows * 2 && nseen < 4096; k++) {
			int32_t c = k % 2 ? r->cells[k / 2].bg : r->cells[k / 2].fg;
			size_t j;
			for (j = 0; j < nseen && seen[j] != c; j++)
				;
			if (j == nseen)
				seen[nseen++] = c;
		}
		printf("  %-22s PSNR %5.2f dB, %s%zu colours\n", v[i].name, psnr(r, px, 512, 512, v[i].depth),
		       nseen >= 4096 ? ">=" : "", nseen);
		pv_render_free(r);
	}
	printf("  (bytes per change: the symbols rows above; target: 24-bit at half of today's 124 KB)\n");
	free(px);
	free(path);
}

/* Starts argv on the pty as its controlling terminal, with env added. */
static pid_t spawn(char *const argv[], char *const env[])
{
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		for (i = 0; env && env[i]; i++)
			putenv(env[i]);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static double run_chafa(const char *fmt, const char *colors, const char *path, double *bytes)
{
	char size[32];
	char *argv[] = { (char *)"chafa", (char *)"-f", (char *)fmt, (char *)"-s", size, (char *)path, NULL, NULL,
			 NULL };
	unsigned long long before;
	double t0, t;
	int st;
	pid_t pid;

	snprintf(size, sizeof size, "%dx%d", COLS_BOX, ROWS_BOX);
	if (colors) {
		argv[5] = (char *)"-c";
		argv[6] = (char *)colors;
		argv[7] = (char *)path;
	}
	before = settled();
	t0 = util_mono_ms();
	pid = spawn(argv, NULL);
	waitpid(pid, &st, 0);
	t = util_mono_ms() - t0;
	*bytes = (double)(settled() - before);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1;
}

static void chafa_times(struct row *row, const char *fmt, const char *colors, const char *path)
{
	double v[RUNS], b = 0;
	int i;

	pty_rows(ROWS_BOX + 1);
	for (i = 0; i < RUNS; i++)
		v[i] = run_chafa(fmt, colors, path, &b);
	row->chafa_ms = median(v, RUNS);
	row->chafa_bytes = b;
}

static int lines_of(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, ch;

	if (f == NULL)
		return 0;
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

/* lightbox itself: zoom, then move between the two pictures.  For each
 * warm change: the bytes on the pty and the frame time from the log. */
static void app_times(struct row *rows[2], const char *lightbox, const char *store, const char *cfg,
		      const char *mode, const char *term, const char *log)
{
	char *argv[] = { (char *)lightbox, (char *)"--preview", (char *)mode, (char *)"tui", (char *)"--brief",
			 (char *)"1", NULL };
	char e1[512], e2[512], e3[512], e4[512], e5[64], e6[64];
	char *env[] = { e1, e2, e3, e4, e5, e6, NULL };
	double ms[2][16], bytes[2][16];
	int nms[2] = { 0, 0 }, nb[2] = { 0, 0 }, i, n, which, st;
	unsigned long long before;
	char line[1024];
	FILE *f;
	pid_t pid;

	snprintf(e1, sizeof e1, "LIGHTBOX_STORE=%s", store);
	snprintf(e2, sizeof e2, "LIGHTBOX_PREVIEW_LOG=%s", log);
	snprintf(e3, sizeof e3, "XDG_CONFIG_HOME=%s", cfg);
	snprintf(e4, sizeof e4, "TERM=%s", term);
	snprintf(e5, sizeof e5, "LIGHTBOX_CURATOR=bench");
	/* As over SSH: the payload budget that matters on a link. */
	snprintf(e6, sizeof e6, "SSH_CONNECTION=10.0.0.1 50000 10.0.0.2 22");
	unlink(log);
	pty_rows(ROWS_BOX + 5);
	pid = spawn(argv, env);
	settled();
	usleep(300000);
	before = settled();
	n = lines_of(log);
	write_all(master, "z", 1);
	{
		double until = util_mono_ms() + 20000;
		while (lines_of(log) <= n && util_mono_ms() < until)
			usleep(10000);
		usleep(50000);
	}
	rows[1]->first = (double)(settled() - before); /* the newest: the JPEG */
	/* Both pictures rendered in the zoom (the first two changes). */
	for (i = 0; i < 14; i++) {
		n = lines_of(log);
		before = settled();
		write_all(master, i % 2 ? "k" : "j", 1);
		double until = util_mono_ms() + 20000;
		while (lines_of(log) <= n && util_mono_ms() < until)
			usleep(10000);
		usleep(50000);
		which = i % 2; /* j shows the PNG (the older), k the JPEG */
		if (i >= 2)
			bytes[which][nb[which]++] = (double)(settled() - before);
		else if (i == 0)
			rows[0]->first = (double)(settled() - before);
		else
			settled();
	}
	write_all(master, "Q", 1);
	waitpid(pid, &st, 0);
	f = fopen(log, "r");
	i = 0;
	while (f && fgets(line, sizeof line, f)) {
		const char *fm = strstr(line, "frame_ms=");
		if (strncmp(line, "change", 6) != 0 || fm == NULL)
			continue;
		/* change 0 is the zoom's first picture; then j, k, j, ... */
		if (i >= 3 && strstr(line, " ready ")) {
			which = (i - 1) % 2;
			ms[which][nms[which]++] = strtod(fm + 9, NULL);
		}
		i++;
	}
	if (f)
		fclose(f);
	for (which = 0; which < 2; which++) {
		rows[which]->warm = median(ms[which], nms[which]);
		rows[which]->bytes = median(bytes[which], nb[which]);
	}
}

static int have(const char *cmd)
{
	char *c = xasprintf("%s >/dev/null 2>&1", cmd);
	int ok = system(c) == 0;

	free(c);
	return ok;
}

static void print_row(const struct row *r)
{
	char cb[32] = "-", ct[32] = "-", cold[32] = "-", warm[32] = "-", ratio[32] = "";

	if (r->chafa_ms > 0) {
		snprintf(ct, sizeof ct, "%.1f", r->chafa_ms);
		snprintf(cb, sizeof cb, "%.0f", r->chafa_bytes);
		snprintf(cold, sizeof cold, "%.1fx", r->chafa_ms / r->cold);
		if (r->warm > 0)
			snprintf(warm, sizeof warm, "%.0fx", r->chafa_ms / r->warm);
		if (r->chafa_bytes > 0 && r->first >= 0)
			snprintf(ratio, sizeof ratio, "%5.3f", r->first / r->chafa_bytes);
	}
	printf("  %-15s %8.1f %8.1f %8.2f %9.0f %9.0f   %8s %9s   %6s %6s  %6s%s%s\n", r->mode, r->cold,
	       r->thumb, r->warm, r->first, r->bytes, ct, cb, cold, warm, ratio, r->note ? "  " : "",
	       r->note ? r->note : "");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *mode, *term, *chafa, *colors;
		enum pv_mode m;
		int depth;
	} modes[] = {
		{ "symbols 256", "symbols", "xterm-256color", "symbols", "256", PV_SYMBOLS, 256 },
		{ "symbols 24-bit", "symbols", "xterm-direct", "symbols", "full", PV_SYMBOLS, 16777216 },
		{ "sixel", "sixel", "xterm-256color", "sixel", NULL, PV_SIXEL, 256 },
		{ "kitty (png)", "kitty", "xterm-256color", "kitty", NULL, PV_KITTY, 256 },
		{ "iterm2 (jpeg)", "iterm2", "xterm-256color", "iterm", NULL, PV_ITERM2, 256 },
	};
	enum { NM = sizeof modes / sizeof modes[0] };
	char tmpl[] = "/tmp/lb-bench-preview-XXXXXX", *dir, *png, *jpg, *cache, *store, *cfg, *log, *cmd;
	char sa[65], sb[65];
	const char *made, *lightbox = argc > 1 ? argv[1] : getenv("LIGHTBOX") ? getenv("LIGHTBOX") : "./lightbox";
	struct row rows[2][NM];
	pthread_t t;
	int chafa_ok, app_ok, direct, m, f;

	setlocale(LC_ALL, "C.UTF-8");
	signal(SIGPIPE, SIG_IGN);
	dir = mkdtemp(tmpl);
	if (dir == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	cache = xasprintf("%s/cache", dir);
	store = xasprintf("%s/store", dir);
	cfg = xasprintf("%s/config", dir);
	log = xasprintf("%s/preview.log", dir);
	made = make_pictures(dir, &png, &jpg);
	sha256_buf_hex(png, strlen(png), sa);
	sha256_buf_hex(jpg, strlen(jpg), sb);
	chafa_ok = have("chafa --version");
	direct = have("infocmp xterm-direct");
	cmd = xasprintf("export LIGHTBOX_STORE='%s'; mkdir -p '%s/lightbox' && "
			"echo 'set probe-timeout 0' >'%s/lightbox/config' && '%s' init && '%s' project add bench && "
			"'%s' brief add --project 1 --title plasma --prompt noise && "
			"'%s' candidate add --brief 1 '%s' '%s'",
			store, cfg, cfg, lightbox, lightbox, lightbox, lightbox, png, jpg);
	app_ok = access(lightbox, X_OK) == 0 && have(cmd);
	free(cmd);
	open_pty(&t);
	memset(rows, 0, sizeof rows);

	printf("preview figures: %dx%d-cell box, %dx%d px cells; pictures: %s\n", COLS_BOX, ROWS_BOX, CELL_W,
	       CELL_H, made);
	printf("cold = decode + render, no thumbnail; thumb = render from the thumbnail cache;\n"
	       "warm = lightbox's frame when the picture changes to one already made (its log);\n"
	       "new B / again B = what reached the terminal when the zoom changes to a picture shown\n"
	       "for the first time / again (symbols: ncurses' own output; kitty: upload, then placing);\n"
	       "chafa = the chafa command on the same file and pty; x = how many times faster;\n"
	       "kitty and iTerm2 are sent under %d KB, the budget over SSH (lightbox runs as\n"
	       "over SSH, probe-timeout 0: the modes are forced).\n",
	       PV_BUDGET_REMOTE / 1024);
	if (!chafa_ok)
		printf("(the chafa command is not installed: its columns are empty)\n");
	if (!app_ok)
		printf("(%s could not make a store: no warm or byte figures)\n", lightbox);
	for (m = 0; m < (int)NM; m++) {
		for (f = 0; f < 2; f++) {
			struct row *r = &rows[f][m];
			r->mode = modes[m].name;
			r->bytes = r->first = r->warm = -1;
			render_times(r, f ? jpg : png, f ? sb : sa, modes[m].m, modes[m].depth, cache);
			if (chafa_ok)
				chafa_times(r, modes[m].chafa, modes[m].colors, f ? jpg : png);
			if (m == 1 && !direct)
				r->note = "(no xterm-direct terminfo: install ncurses-term)";
		}
		if (app_ok && (m != 1 || direct)) {
			struct row *pair[2] = { &rows[0][m], &rows[1][m] };
			app_times(pair, lightbox, store, cfg, modes[m].mode, modes[m].term, log);
		}
	}
	for (f = 0; f < 2; f++) {
		printf("\n%s\n", f ? "test2048.jpg (2048x2048 JPEG q90)" : "test1024.png (1024x1024 PNG)");
		printf("  %-15s %8s %8s %8s %9s %9s   %8s %9s   %6s %6s  %s\n", "mode", "cold ms", "thumb ms",
		       "warm ms", "new B", "again B", "chafa ms", "chafa B", "cold x", "warm x", "new/chafa");
		for (m = 0; m < (int)NM; m++)
			print_row(&rows[f][m]);
	}
	printf("\ntargets: warm >= 20x faster than chafa, cold >= 1.5x faster, symbols in 256 colours\n"
	       "under 40000 bytes per change, kitty and iTerm2 under 0.100 of chafa's bytes.\n");
	quality(dir);
	zoomed(png, jpg);
	atomic_store(&draining, 0);
	pthread_join(t, NULL);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench-preview: could not remove %s\n", dir);
	free(cmd);
	free(png);
	free(jpg);
	free(cache);
	free(store);
	free(cfg);
	free(log);
	return 0;
}
