/*
 * bench-preview.c - what a preview costs: milliseconds per preview cold
 * (decode + render), from a thumbnail on disk, and warm (a render kept in
 * memory), and bytes written to the terminal per preview change, in each
 * mode, for a 1024x1024 PNG and a 2048x2048 JPEG of noise-like plasma in
 * an 80x40-cell box; and the same from the `chafa` command on the same
 * files, side by side.
 *
 * The terminal is a pty of 80x41 cells and 800x820 pixels (10x20 px
 * cells), as in ../shared/terminal/figures.md; a thread drains and counts
 * what reaches it.  Symbols are drawn by ncurses on that pty (TERM
 * xterm-256color, and xterm-direct for 24-bit when its terminfo entry is
 * installed), so the bytes are ncurses' own.  A change is one picture
 * replaced by the other, both already rendered (warm) or not (cold).
 * Medians of several runs; nothing is asserted: the targets are printed
 * beside the figures.
 */
#include "config.h"

#include <curses.h>
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
#include "tui/tui-private.h"
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

static void open_pty(pthread_t *t)
{
	struct winsize ws = { ROWS_BOX + 1, COLS_BOX, COLS_BOX * CELL_W, (ROWS_BOX + 1) * CELL_H };

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
		fatal("no pty: %s", strerror(errno));
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0)
		fatal("no pty: %s", strerror(errno));
	ioctl(slave, TIOCSWINSZ, &ws);
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
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct row {
	const char *mode;
	double cold, thumb, warm;       /* ms */
	unsigned long long bytes;       /* per change, warm */
	double chafa_ms;
	unsigned long long chafa_bytes;
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

/* Shows r as the interface would after a change: symbols through
 * ncurses' cells, pixels as their escape sequence after the flush. */
static void show(const struct pv_render *r)
{
	struct sbuf b;

	if (r->mode == PV_SYMBOLS) {
		erase();
		pv_symbols_draw(r, 0, 0);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	sb_init(&b);
	pv_pixels_sequence(r, 0, 0, 1, &b);
	write_all(slave, b.s, b.len);
	sb_free(&b);
}

/* Runs the chafa command on the pty; its time (ms) and bytes. */
static double run_chafa(const char *fmt, const char *colors, const char *path, unsigned long long *bytes)
{
	char size[32];
	double t0, t;
	pid_t pid;
	int st;

	snprintf(size, sizeof size, "%dx%d", COLS_BOX, ROWS_BOX);
	settled();
	unsigned long long before = atomic_load(&drained);
	t0 = util_mono_ms();
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(devnull, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (colors)
			execlp("chafa", "chafa", "-f", fmt, "-c", colors, "-s", size, path, (char *)NULL);
		else
			execlp("chafa", "chafa", "-f", fmt, "-s", size, path, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	t = util_mono_ms() - t0;
	*bytes = settled() - before;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1;
}

static int have_chafa(void)
{
	return system("chafa --version >/dev/null 2>&1") == 0;
}

/* Everything for one mode: the two pictures changing places. */
static void measure(struct row *row, const char *a, const char *b, const char *sa, const char *sb,
		    enum pv_mode mode, int depth, const char *cache, const char *chafa_fmt,
		    const char *chafa_colors, int chafa_ok, int file)
{
	struct pv_cache *c = pv_cache_new((size_t)512 << 20, 0, -1);
	const char *path = file ? b : a, *sha = file ? sb : sa, *other = file ? a : b;
	const char *osha = file ? sa : sb;
	struct pv_req q, o;
	struct pv_render *r, *ro;
	double v[RUNS], t0;
	unsigned long long base;
	char *key, *okey;
	int i;

	/* cold: decode + render, no thumbnail */
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
	/* from the thumbnail cache (made by the first call) */
	request(&q, path, mode, depth, cache, sha);
	pv_render_free(pv_render_run(&q));
	for (i = 0; i < RUNS; i++) {
		t0 = util_mono_ms();
		r = pv_render_run(&q);
		v[i] = util_mono_ms() - t0;
		pv_render_free(r);
	}
	row->thumb = median(v, RUNS);
	/* warm: both kept in memory; each change finds its render and shows it */
	request(&o, other, mode, depth, cache, osha);
	r = pv_cache_render(c, &q);
	pv_render_unref(c, &r);
	r = pv_cache_render(c, &o);
	pv_render_unref(c, &r);
	key = pv_req_key(&q);
	okey = pv_req_key(&o);
	ro = pv_cache_get(c, okey);
	show(ro);
	pv_render_unref(c, &ro);
	for (i = 0; i < RUNS; i++) {
		settled();
		base = atomic_load(&drained);
		t0 = util_mono_ms();
		r = pv_cache_get(c, i % 2 ? okey : key);
		show(r);
		v[i] = util_mono_ms() - t0;
		pv_render_unref(c, &r);
		if (i == 0)
			row->bytes = settled() - base;
	}
	row->warm = median(v, RUNS);
	free(key);
	free(okey);
	pv_cache_free(&c);
	row->chafa_ms = -1;
	if (chafa_ok && chafa_fmt) {
		unsigned long long nb = 0;
		for (i = 0; i < RUNS; i++)
			v[i] = run_chafa(chafa_fmt, chafa_colors, path, &nb);
		row->chafa_ms = median(v, RUNS);
		row->chafa_bytes = nb;
	}
}

static void print_row(const struct row *r)
{
	char cb[32] = "-", ct[32] = "-", cold[32] = "-", warm[32] = "-";

	if (r->chafa_ms >= 0) {
		snprintf(ct, sizeof ct, "%.1f", r->chafa_ms);
		snprintf(cb, sizeof cb, "%llu", r->chafa_bytes);
		snprintf(cold, sizeof cold, "%.1fx", r->chafa_ms / r->cold);
		snprintf(warm, sizeof warm, "%.0fx", r->chafa_ms / (r->warm > 0.001 ? r->warm : 0.001));
	}
	printf("  %-16s %8.1f %8.1f %8.3f %10llu   %8s %10s   %7s %7s", r->mode, r->cold, r->thumb, r->warm,
	       r->bytes, ct, cb, cold, warm);
	if (r->chafa_ms >= 0 && r->chafa_bytes)
		printf("  %5.3f", (double)r->bytes / (double)r->chafa_bytes);
	printf("%s%s\n", r->note ? "  " : "", r->note ? r->note : "");
}

static SCREEN *screen_for(const char *term, FILE **fo, FILE **fi)
{
	SCREEN *s;

	*fo = fdopen(dup(slave), "w");
	*fi = fdopen(dup(slave), "r");
	s = newterm(term, *fo, *fi);
	if (s == NULL) {
		fclose(*fo);
		fclose(*fi);
		return NULL;
	}
	set_term(s);
	draw_init_colors(1);
	pv_symbols_reset();
	return s;
}

static void end_screen(SCREEN *s, FILE *fo, FILE *fi)
{
	endwin();
	delscreen(s);
	fclose(fo);
	fclose(fi);
}

int main(void)
{
	char tmpl[] = "/tmp/lb-bench-preview-XXXXXX", *dir, *png, *jpg, *cache, sa[65], sb[65];
	const char *made;
	pthread_t t;
	int chafa_ok = have_chafa(), file;
	struct row rows[6];
	FILE *fo, *fi;
	SCREEN *s;

	setlocale(LC_ALL, "C.UTF-8");
	signal(SIGPIPE, SIG_IGN);
	dir = mkdtemp(tmpl);
	if (dir == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	cache = xasprintf("%s/cache", dir);
	made = make_pictures(dir, &png, &jpg);
	sha256_buf_hex(png, strlen(png), sa);
	sha256_buf_hex(jpg, strlen(jpg), sb);
	open_pty(&t);

	printf("preview figures: %dx%d-cell box, %dx%d px cells; pictures: %s\n", COLS_BOX, ROWS_BOX, CELL_W,
	       CELL_H, made);
	printf("cold = decode + render (no thumbnail); thumb = from the thumbnail cache; warm = kept in\n"
	       "memory (found and shown); bytes = written to the terminal for one change of picture\n"
	       "(ncurses' output for symbols); chafa = the chafa command on the same file and pty.\n"
	       "kitty and iTerm2 payloads are capped at %d KB (the budget over SSH).\n",
	       PV_BUDGET_REMOTE / 1024);
	if (!chafa_ok)
		printf("(the chafa command is not installed: its columns are empty)\n");
	for (file = 0; file < 2; file++) {
		printf("\n%s\n", file ? "test2048.jpg (2048x2048 JPEG q90)" : "test1024.png (1024x1024 PNG)");
		printf("  %-16s %8s %8s %8s %10s   %8s %10s   %7s %7s  %s\n", "mode", "cold ms", "thumb ms",
		       "warm ms", "bytes", "chafa ms", "chafa B", "cold x", "warm x", "bytes/chafa");
		memset(rows, 0, sizeof rows);
		s = screen_for("xterm-256color", &fo, &fi);
		if (s == NULL)
			fatal("no terminfo entry for xterm-256color");
		rows[0].mode = "symbols 256";
		measure(&rows[0], png, jpg, sa, sb, PV_SYMBOLS, 256, cache, "symbols", "256", chafa_ok, file);
		end_screen(s, fo, fi);
		s = screen_for("xterm-direct", &fo, &fi);
		rows[1].mode = "symbols 24-bit";
		if (s) {
			measure(&rows[1], png, jpg, sa, sb, PV_SYMBOLS, 16777216, cache, "symbols", "full",
				chafa_ok, file);
			end_screen(s, fo, fi);
		} else {
			rows[1].chafa_ms = -1;
			rows[1].note = "(no xterm-direct terminfo: install ncurses-term)";
		}
		rows[2].mode = "sixel";
		measure(&rows[2], png, jpg, sa, sb, PV_SIXEL, 256, cache, "sixel", NULL, chafa_ok, file);
		rows[3].mode = "kitty (png)";
		measure(&rows[3], png, jpg, sa, sb, PV_KITTY, 256, cache, "kitty", NULL, chafa_ok, file);
		rows[4].mode = "iterm2 (jpeg)";
		measure(&rows[4], png, jpg, sa, sb, PV_ITERM2, 256, cache, "iterm", NULL, chafa_ok, file);
		for (int i = 0; i < 5; i++)
			print_row(&rows[i]);
	}
	printf("\ntargets: warm >= 20x faster than chafa, cold >= 1.5x faster, symbols in 256 colours\n"
	       "under 40000 bytes per change, kitty and iTerm2 under 0.100 of chafa's bytes.\n");
	atomic_store(&draining, 0);
	pthread_join(t, NULL);
	{
		char *rm = xasprintf("rm -rf '%s'", dir);
		if (system(rm) != 0)
			fprintf(stderr, "bench-preview: could not remove %s\n", dir);
		free(rm);
	}
	free(png);
	free(jpg);
	free(cache);
	return 0;
}
