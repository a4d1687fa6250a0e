/*
 * test-preview.c - unit tests of the preview engine's parts that need no
 * running interface: what the terminal answers (parsed, and asked through
 * a real pty with a fake terminal on the other side: a sixel xterm, kitty,
 * one that answers nothing, garbage, or floods), the mode decision, the
 * sixel encoder (its output decoded back), renders in every mode and for
 * bad input, and the render cache (budget, references, queue).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "media/media.h"
#include "tests/unit/media-testdata.h"
#include "tui/preview.h"
#include "util.h"

/* ------------------------------------------------------------ parsing answers */

static int parse(struct tp_result *r, const char *s)
{
	memset(r, 0, sizeof *r);
	return tp_parse(r, (const unsigned char *)s, strlen(s), 1);
}

static void answers_are_read(void **state)
{
	struct tp_result r;

	(void)state;
	assert_int_equal(parse(&r, "\033_Gi=31;OK\033\\\033P>|XTerm(379)\033\\\033[6;17;8t"
				   "\033[?63;1;2;4;6;9;15;22c"),
			 1);
	assert_int_equal(r.kitty, 1);
	assert_string_equal(r.version, "XTerm(379)");
	assert_int_equal(r.cell_w, 8);
	assert_int_equal(r.cell_h, 17);
	assert_int_equal(r.da1, 1);
	assert_int_equal(r.sixel, 1);
	assert_int_equal(r.nda1, 8);
	assert_int_equal(r.garbage, 0);
	assert_int_equal(r.ntypeahead, 0);

	/* tmux: class 1 with attribute 2, no sixel; 4 as the class is not sixel */
	parse(&r, "\033[?1;2c");
	assert_int_equal(r.sixel, 0);
	parse(&r, "\033[?4c");
	assert_int_equal(r.sixel, 0);
	/* kitty refusing, and XTSMGRAPHICS */
	parse(&r, "\033_Gi=31;EINVAL:bad\033\\\033[?1;0;16S\033[?2;0;1000;800S\033[?62;c");
	assert_int_equal(r.kitty, -1);
	assert_int_equal(r.sixel_colors, 16);
	assert_int_equal(r.sixel_max_w, 1000);
	assert_int_equal(r.sixel_max_h, 800);
	/* a BEL-terminated string works too */
	parse(&r, "\033P>|kitty(0.26.5)\007");
	assert_string_equal(r.version, "kitty(0.26.5)");
}

static void keys_between_answers_are_kept(void **state)
{
	struct tp_result r;

	(void)state;
	parse(&r, "j\033[Ak\033[?62;c\033OPq\033x\033");
	assert_int_equal(r.da1, 1);
	assert_int_equal(r.garbage, 0);
	assert_int_equal(r.ntypeahead, 12);
	assert_memory_equal(r.typeahead, "j\033[Ak\033OPq\033x\033", 12);
	/* an escape sequence cut short is not taken as keys at the end */
	parse(&r, "a\033[?6");
	assert_int_equal(r.ntypeahead, 1);
	assert_true(r.garbage > 0);
	/* not final: wait for more */
	memset(&r, 0, sizeof r);
	assert_int_equal(tp_parse(&r, (const unsigned char *)"\033[?6", 4, 0), 0);
	assert_int_equal(r.garbage, 0);
}

static void garbage_is_counted(void **state)
{
	struct tp_result r;

	(void)state;
	parse(&r, "\033]11;rgb:0000/0000/0000\033\\\033_Xjunk\033\\\033[?62;c");
	assert_true(r.garbage >= 2);
	parse(&r, "\033[1;2;3Xc\033[?62;c");
	assert_true(r.garbage >= 1);
	parse(&r, "\033[9;1;1t\033[?62;c");
	assert_true(r.garbage >= 1);
	assert_int_equal(r.cell_w, 0);
}

static void setenv_clean(const char *term)
{
	static const char *const vars[] = { "TMUX", "STY", "TERM_PROGRAM", "LC_TERMINAL", "KITTY_WINDOW_ID",
					    "COLORTERM", "SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT",
					    "NO_COLOR", "VTE_VERSION", "KONSOLE_VERSION" };
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("TERM", term, 1);
}

/* Inside tmux: which case holds decides the mode; questions are wrapped. */
static void tmux_cases_are_told_apart(void **state)
{
	struct tp_result r;
	struct sbuf b;
	char *why = NULL;

	(void)state;
	sb_init(&b);
	tp_wrap(&b, "\033[c\033_Ga=q\033\\", 11);
	assert_string_equal(b.s, "\033Ptmux;\033\033[c\033\033_Ga=q\033\033\\\033\\");
	sb_free(&b);

	setenv_clean("tmux-256color");
	parse(&r, "\033[?63;1;2;4c");
	r.in_tmux = 1;
	r.tmux_asked = 1;
	r.passthrough = 0;
	assert_int_equal(tp_decide(&r, -1, &why), PV_SYMBOLS);
	assert_non_null(strstr(why, "set -g allow-passthrough on"));
	xfree(&why);
	r.passthrough = 1;
	assert_int_equal(tp_decide(&r, -1, &why), PV_SIXEL);
	assert_non_null(strstr(why, "through tmux passthrough"));
	xfree(&why);
	parse(&r, "");
	r.in_tmux = r.tmux_asked = r.passthrough = 1;
	assert_int_equal(tp_decide(&r, -1, &why), PV_SYMBOLS);
	assert_non_null(strstr(why, "answered nothing"));
	xfree(&why);
	parse(&r, "\033[?62;c");
	r.in_tmux = r.tmux_asked = r.passthrough = 1;
	assert_int_equal(tp_decide(&r, -1, &why), PV_SYMBOLS);
	assert_non_null(strstr(why, "offers no pixel protocol"));
	xfree(&why);
	parse(&r, "\033_Gi=31;OK\033\\\033P>|kitty(0.35.2)\033\\\033[?62;c");
	r.in_tmux = r.tmux_asked = r.passthrough = 1;
	assert_int_equal(tp_decide(&r, -1, &why), PV_KITTY);
	assert_int_equal(tp_placeholders(&r), 1);
	assert_non_null(strstr(why, "Unicode placeholders"));
	xfree(&why);
	parse(&r, "\033_Gi=31;OK\033\\\033P>|kitty(0.26.5)\033\\\033[?62;c");
	assert_int_equal(tp_placeholders(&r), 0);
	parse(&r, "\033P>|ghostty 1.1.0\033\\\033[?62;c");
	assert_int_equal(tp_placeholders(&r), 1);
}

static void modes_are_decided(void **state)
{
	struct tp_result r;
	char *why = NULL;

	(void)state;
	setenv_clean("xterm-256color");
	parse(&r, "\033[?63;1;2;4c");
	tp_environment(&r);
	assert_int_equal(tp_decide(&r, -1, &why), PV_SIXEL);
	xfree(&why);
	assert_int_equal(tp_decide(&r, PV_KITTY, &why), PV_KITTY);
	assert_non_null(strstr(why, "set by"));
	xfree(&why);
	r.no_color = 1;
	assert_int_equal(tp_decide(&r, -1, &why), PV_SYMBOLS);
	assert_non_null(strstr(why, "NO_COLOR"));
	xfree(&why);

	setenv("TMUX", "/tmp/tmux-0/default,1,0", 1);
	parse(&r, "\033_Gi=31;OK\033\\\033[?63;1;2;4c");
	tp_environment(&r);
	assert_int_equal(tp_decide(&r, -1, &why), PV_SYMBOLS);
	assert_non_null(strstr(why, "tmux"));
	xfree(&why);

	setenv_clean("screen-256color");
	parse(&r, "\033[?63;1;2;4c");
	tp_environment(&r);
	assert_int_equal(tp_decide(&r, -1, &why), PV_SYMBOLS);
	xfree(&why);

	setenv_clean("xterm-256color");
	parse(&r, "\033_Gi=31;OK\033\\\033[?62;c");
	tp_environment(&r);
	assert_int_equal(tp_decide(&r, -1, &why), PV_KITTY);
	xfree(&why);

	setenv("TERM_PROGRAM", "iTerm.app", 1);
	parse(&r, "\033[?62;4c");
	tp_environment(&r);
	assert_int_equal(tp_decide(&r, -1, &why), PV_ITERM2);
	xfree(&why);

	setenv_clean("xterm-kitty");
	parse(&r, "");
	tp_environment(&r);
	assert_int_equal(tp_decide(&r, -1, &why), PV_KITTY);
	assert_true(tp_capable(&r, PV_KITTY));
	assert_false(tp_capable(&r, PV_SIXEL));
	xfree(&why);

	setenv_clean("xterm-256color");
	parse(&r, "\033[?62;c");
	tp_environment(&r);
	assert_int_equal(tp_decide(&r, -1, &why), PV_SYMBOLS);
	xfree(&why);
	assert_int_equal(tp_budget(300, 0), 300);
	assert_int_equal(tp_budget(300, 1), 1000);
	assert_int_equal(tp_budget(0, 1), 0);
}

/* ------------------------------------------------------------ a fake terminal on a pty */

enum fake { FAKE_XTERM, FAKE_KITTY, FAKE_SILENT, FAKE_GARBAGE, FAKE_FLOOD, FAKE_TYPIST };

struct term {
	int master, slave;
	enum fake kind;
	int stop;
	pthread_t thread;
	char heard[512];
	size_t nheard;
};

static void put(int fd, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0 && (w = write(fd, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

static void *fake_terminal(void *arg)
{
	struct term *t = arg;
	char buf[256];
	struct pollfd p;
	ssize_t n;
	int i;

	while (!t->stop) {
		if (t->kind == FAKE_FLOOD) {
			memset(buf, 'x', sizeof buf);
			if (write(t->master, buf, sizeof buf) < 0 && errno != EAGAIN)
				break;
		}
		p.fd = t->master;
		p.events = POLLIN;
		if (poll(&p, 1, 20) <= 0)
			continue;
		n = read(t->master, buf, sizeof buf - 1);
		if (n <= 0)
			break;
		buf[n] = '\0';
		if (t->nheard + (size_t)n < sizeof t->heard) {
			memcpy(t->heard + t->nheard, buf, (size_t)n);
			t->nheard += (size_t)n;
		}
		/* Answers in the order the questions came. */
		for (i = 0; i < n; i++) {
			if (buf[i] != 0x1b)
				continue;
			if (t->kind == FAKE_SILENT || t->kind == FAKE_FLOOD)
				continue;
			if (strncmp(buf + i, "\033_G", 3) == 0 && t->kind == FAKE_KITTY)
				put(t->master, "\033_Gi=31;OK\033\\");
			else if (strncmp(buf + i, "\033[>q", 4) == 0)
				put(t->master, t->kind == FAKE_KITTY ? "\033P>|kitty(0.26.5)\033\\" : "\033P>|XTerm(379)\033\\");
			else if (strncmp(buf + i, "\033[?1;1;0S", 9) == 0)
				put(t->master, "\033[?1;0;256S");
			else if (strncmp(buf + i, "\033[c", 3) == 0) {
				if (t->kind == FAKE_GARBAGE)
					put(t->master, "\033]11;rgb:ffff/ffff/ffff\033\\\033_junk\033\\");
				if (t->kind == FAKE_TYPIST)
					put(t->master, "jk\033[B");
				put(t->master, t->kind == FAKE_KITTY || t->kind == FAKE_TYPIST ? "\033[?62;c"
											       : "\033[?63;1;2;4;6c");
			}
		}
	}
	return NULL;
}

static void term_open(struct term *t, enum fake kind)
{
	struct winsize ws = { 30, 100, 800, 510 };

	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(t->master >= 0);
	assert_int_equal(grantpt(t->master), 0);
	assert_int_equal(unlockpt(t->master), 0);
	t->slave = open(ptsname(t->master), O_RDWR | O_NOCTTY);
	assert_true(t->slave >= 0);
	ioctl(t->slave, TIOCSWINSZ, &ws);
	fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK);
	assert_int_equal(pthread_create(&t->thread, NULL, fake_terminal, t), 0);
}

static void term_close(struct term *t)
{
	t->stop = 1;
	pthread_join(t->thread, NULL);
	close(t->slave);
	close(t->master);
}

static void probe(struct tp_result *r, enum fake kind, int budget, struct term *keep)
{
	struct term t;

	memset(r, 0, sizeof *r);
	tp_environment(r);
	term_open(&t, kind);
	alarm(20); /* a probe that hangs fails the test instead of the suite */
	assert_int_equal(tp_probe(r, t.slave, t.slave, budget, 0), 0);
	alarm(0);
	term_close(&t);
	if (keep)
		*keep = t;
}

static void asks_a_sixel_xterm(void **state)
{
	struct tp_result r;
	struct term t;
	char *why = NULL;

	(void)state;
	setenv_clean("xterm-256color");
	probe(&r, FAKE_XTERM, 2000, &t);
	assert_int_equal(r.da1, 1);
	assert_int_equal(r.sixel, 1);
	assert_int_equal(r.sixel_colors, 256);
	assert_string_equal(r.version, "XTerm(379)");
	assert_int_equal(r.timed_out, 0);
	/* TIOCGWINSZ had the size: no CSI 16 t */
	assert_int_equal(r.cell_w, 8);
	assert_int_equal(r.cell_h, 17);
	assert_int_equal(r.asked_cell, 0);
	assert_null(memmem(t.heard, t.nheard, "\033[16t", 5));
	/* the DA1 question came last, and the kitty query with it */
	assert_non_null(memmem(t.heard, t.nheard, "\033_Gi=31,s=1,v=1,a=q", 19));
	assert_int_equal(tp_decide(&r, -1, &why), PV_SIXEL);
	assert_non_null(strstr(r.log.s, "^[[?63;1;2;4;6c"));
	free(why);
	tp_result_free(&r);
}

static void asks_kitty(void **state)
{
	struct tp_result r;
	char *why = NULL;

	(void)state;
	setenv_clean("xterm-kitty");
	probe(&r, FAKE_KITTY, 2000, NULL);
	assert_int_equal(r.kitty, 1);
	assert_int_equal(r.sixel, 0);
	assert_int_equal(tp_decide(&r, -1, &why), PV_KITTY);
	assert_non_null(strstr(why, "answered"));
	free(why);
	tp_result_free(&r);
}

static void a_silent_terminal_does_not_hang(void **state)
{
	struct tp_result r;
	char *why = NULL;

	(void)state;
	setenv_clean("xterm-256color");
	probe(&r, FAKE_SILENT, 150, NULL);
	assert_int_equal(r.da1, 0);
	assert_int_equal(r.timed_out, 1);
	assert_int_equal(r.ntypeahead, 0);
	assert_int_equal(tp_decide(&r, -1, &why), PV_SYMBOLS);
	assert_non_null(strstr(r.log.s, "gave up"));
	free(why);
	tp_result_free(&r);
}

static void garbage_answers_drop_the_keys(void **state)
{
	struct tp_result r;

	(void)state;
	setenv_clean("xterm-256color");
	probe(&r, FAKE_GARBAGE, 2000, NULL);
	assert_int_equal(r.da1, 1);
	assert_true(r.garbage > 0);
	assert_int_equal(r.ntypeahead, 0);
	assert_non_null(strstr(r.log.s, "not understood"));
	tp_result_free(&r);

	/* A terminal that floods: the probe stops, nothing is taken as keys. */
	probe(&r, FAKE_FLOOD, 300, NULL);
	assert_int_equal(r.da1, 0);
	assert_int_equal(r.ntypeahead, 0);
	tp_result_free(&r);
}

static void typed_keys_are_handed_back(void **state)
{
	struct tp_result r;

	(void)state;
	setenv_clean("xterm-256color");
	probe(&r, FAKE_TYPIST, 2000, NULL);
	assert_int_equal(r.da1, 1);
	assert_int_equal(r.garbage, 0);
	assert_int_equal(r.ntypeahead, 5);
	assert_memory_equal(r.typeahead, "jk\033[B", 5);
	tp_result_free(&r);
}

static void not_a_terminal(void **state)
{
	struct tp_result r;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	memset(&r, 0, sizeof r);
	assert_int_equal(tp_probe(&r, fds[0], fds[1], 300, 0), -1);
	assert_int_equal(r.is_tty, 0);
	tp_result_free(&r);
	close(fds[0]);
	close(fds[1]);
}

/* ------------------------------------------------------------ the sixel encoder */

/* Decodes a sixel string into RGBA (transparent where nothing was painted). */
static unsigned char *sixel_decode(const char *s, size_t n, int *w, int *h)
{
	int pal[256][3], color = 0, x = 0, y = 0, rep, i, v[5], k;
	unsigned char *px;
	size_t p = 0;

	memset(pal, 0, sizeof pal);
	assert_true(n > 4 && memcmp(s, "\033P", 2) == 0);
	while (p < n && s[p] != 'q')
		p++;
	p++;
	assert_int_equal(s[p], '"');
	assert_int_equal(sscanf(s + p + 1, "1;1;%d;%d", w, h), 2);
	while (p < n && s[p] != '#')
		p++;
	px = xcalloc((size_t)*w * *h, 4);
	while (p < n && s[p] != 0x1b) {
		char c = s[p++];
		rep = 1;
		if (c == '#') {
			for (k = 0; k < 5; k++)
				v[k] = -1;
			for (k = 0; k < 5 && p < n; k++) {
				v[k] = (int)strtol(s + p, NULL, 10);
				while (p < n && s[p] >= '0' && s[p] <= '9')
					p++;
				if (p < n && s[p] == ';')
					p++;
				else
					break;
			}
			color = v[0];
			if (k >= 4) {
				pal[color][0] = v[2] * 255 / 100;
				pal[color][1] = v[3] * 255 / 100;
				pal[color][2] = v[4] * 255 / 100;
			}
			continue;
		}
		if (c == '$') {
			x = 0;
			continue;
		}
		if (c == '-') {
			x = 0;
			y += 6;
			continue;
		}
		if (c == '!') {
			rep = (int)strtol(s + p, NULL, 10);
			while (s[p] >= '0' && s[p] <= '9')
				p++;
			c = s[p++];
		}
		assert_true(c >= 63 && c <= 126);
		for (; rep > 0; rep--, x++)
			for (i = 0; i < 6; i++)
				if (((c - 63) >> i) & 1) {
					assert_true(x < *w && y + i < *h);
					unsigned char *q = px + 4 * ((size_t)(y + i) * *w + x);
					q[0] = (unsigned char)pal[color][0];
					q[1] = (unsigned char)pal[color][1];
					q[2] = (unsigned char)pal[color][2];
					q[3] = 255;
				}
	}
	assert_memory_equal(s + n - 2, "\033\\", 2);
	return px;
}

static void sixel_round_trip(void **state)
{
	struct sbuf out;
	unsigned char *img = xmalloc(64 * 42 * 4), *back;
	int x, y, w, h;
	long err = 0;

	(void)state;
	/* Four flat quadrants, and a transparent hole. */
	for (y = 0; y < 42; y++)
		for (x = 0; x < 64; x++) {
			unsigned char *p = img + 4 * (y * 64 + x);
			p[0] = x < 32 ? 255 : 0;
			p[1] = y < 21 ? 255 : 0;
			p[2] = (x >= 32) && (y >= 21) ? 255 : 0;
			p[3] = x >= 10 && x < 14 && y >= 10 && y < 14 ? 0 : 255;
		}
	sb_init(&out);
	pv_sixel_encode(img, 64, 42, 256, &out);
	back = sixel_decode(out.s, out.len, &w, &h);
	assert_int_equal(w, 64);
	assert_int_equal(h, 42);
	for (y = 0; y < 42; y++)
		for (x = 0; x < 64; x++) {
			unsigned char *a = img + 4 * (y * 64 + x), *b = back + 4 * (y * 64 + x);
			assert_int_equal(a[3] ? 255 : 0, b[3]);
			if (a[3])
				err += abs(a[0] - b[0]) + abs(a[1] - b[1]) + abs(a[2] - b[2]);
		}
	assert_true(err == 0);
	free(back);
	sb_free(&out);

	/* A smooth picture in few colours: close, and runs make it short. */
	free(img);
	img = td_plasma(120, 90, 0);
	sb_init(&out);
	pv_sixel_encode(img, 120, 90, 16, &out);
	back = sixel_decode(out.s, out.len, &w, &h);
	err = 0;
	for (x = 0; x < 120 * 90; x++)
		err += abs(img[4 * x] - back[4 * x]) + abs(img[4 * x + 1] - back[4 * x + 1]) +
		       abs(img[4 * x + 2] - back[4 * x + 2]);
	assert_true(err / (120 * 90 * 3) < 24);
	free(back);
	sb_free(&out);
	free(img);
}

/* ------------------------------------------------------------ renders */

static char *write_png(const char *name, unsigned char *rgba, int w, int h)
{
	struct sbuf b;
	char *path;

	sb_init(&b);
	td_png(&b, rgba, w, h);
	path = td_write(td_dir, name, b.s, b.len);
	sb_free(&b);
	free(rgba);
	return path;
}

static void req(struct pv_req *q, const char *path, enum pv_mode mode, int cols, int rows)
{
	memset(q, 0, sizeof *q);
	q->kind = PV_K_IMAGE;
	q->mode = mode;
	q->path = (char *)path;
	q->cols = cols;
	q->rows = rows;
	q->cell_w = 10;
	q->cell_h = 20;
	q->depth = 256;
	q->pixel_limit = 0;
	q->sixel_colors = 256;
}

static size_t unbase64(const char *s, size_t n, unsigned char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	unsigned v = 0;
	int bits = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(tab, s[i]);
		assert_non_null(p);
		v = v << 6 | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			out[o++] = (unsigned char)(v >> (bits - 8));
			bits -= 8;
		}
	}
	return o;
}

static void renders_in_every_mode(void **state)
{
	char *red = write_png("red.png", td_flat(200, 200, 0xff0000ff), 200, 200);
	char *plasma = write_png("plasma.png", td_plasma(640, 480, 0), 640, 480);
	struct pv_req q;
	struct pv_render *r;
	int i, n196 = 0;
	const char *p;

	(void)state;
	/* symbols, 256 colours: a square picture in 1:2 cells is twice as wide */
	req(&q, red, PV_SYMBOLS, 40, 30);
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_int_equal(r->cols, 40);
	assert_int_equal(r->rows, 20);
	for (i = 0; i < r->cols * r->rows; i++) {
		assert_true(r->cells[i].fg == -1 || (r->cells[i].fg >= 16 && r->cells[i].fg <= 255));
		n196 += r->cells[i].fg == 196 || r->cells[i].bg == 196;
	}
	assert_true(n196 > r->cols * r->rows * 9 / 10);
	pv_render_free(r);
	/* monochrome, ASCII */
	q.depth = 0;
	q.ascii = 1;
	r = pv_render_run(&q);
	for (i = 0; i < r->cols * r->rows; i++) {
		assert_int_equal(r->cells[i].fg, -1);
		assert_true(r->cells[i].ch < 128);
	}
	pv_render_free(r);

	/* sixel: whole bands, within the box, decodable */
	req(&q, plasma, PV_SIXEL, 40, 10);
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_int_equal(r->px_h % 6, 0);
	assert_true(r->px_w <= 400 && r->px_h <= 200);
	assert_true(r->cols <= 40 && r->rows <= 10);
	assert_memory_equal(r->blob, "\033P0;1;0q\"1;1;", 13);
	pv_render_free(r);

	/* kitty: PNG in chunks of at most 4096 base64 bytes, m=1 ... m=0 */
	req(&q, plasma, PV_KITTY, 40, 10);
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_true(r->image_id != 0);
	assert_memory_equal(r->blob, "\033_Ga=t,f=100,t=d,i=", 19);
	{
		const char *s = (const char *)r->blob, *end = s + r->len;
		unsigned char *png = xmalloc(r->len);
		size_t got = 0;
		int last = 0;
		while (s < end) {
			const char *semi = memchr(s, ';', (size_t)(end - s)), *st = strstr(semi, "\033\\");
			assert_non_null(semi);
			assert_non_null(st);
			assert_true(st - semi - 1 <= 4096);
			last = strstr(s, "m=0") && strstr(s, "m=0") < semi;
			got += unbase64(semi + 1, (size_t)(st - semi - 1), png + got);
			s = st + 2;
		}
		assert_true(last);
		assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
		free(png);
	}
	i = (int)r->image_id;
	pv_render_free(r);
	r = pv_render_run(&q);
	assert_int_not_equal((int)r->image_id, i);
	pv_render_free(r);

	/* kitty under a small budget: a smaller picture, within it */
	req(&q, plasma, PV_KITTY, 80, 40);
	q.budget = 20000;
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_true(r->px_w < 640);
	assert_true(r->len < 20000 * 4 / 3 + 2000);
	assert_int_equal(r->cols, 80); /* still shown over the whole box */
	pv_render_free(r);
	/* right after it, a flat picture under the same budget is not shrunk
	 * by the guess the noisy one left: it fits whole */
	req(&q, red, PV_KITTY, 80, 40);
	q.budget = 20000;
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_int_equal(r->px_w, 200);
	assert_int_equal(r->px_h, 200);
	pv_render_free(r);
	/* and the next noisy one still keeps within it */
	req(&q, plasma, PV_KITTY, 80, 40);
	q.budget = 20000;
	r = pv_render_run(&q);
	assert_true(r->len < 20000 * 4 / 3 + 2000);
	pv_render_free(r);

	/* iTerm2: an opaque picture goes as JPEG */
	req(&q, plasma, PV_ITERM2, 40, 10);
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_string_equal(r->format, "jpeg");
	p = (const char *)r->blob;
	assert_memory_equal(p, "\033]1337;File=inline=1;size=", 26);
	{
		const char *colon = strchr(p, ':');
		unsigned char head[4];
		assert_non_null(colon);
		assert_int_equal(unbase64(colon + 1, 4, head), 3);
		assert_memory_equal(head, "\xff\xd8\xff", 3);
		assert_int_equal(p[r->len - 1], '\a');
	}
	pv_render_free(r);
	free(red);
	free(plasma);
}

/* The decoded pixels of a kitty or iTerm2 payload (base64 of a PNG or
 * JPEG: kitty's after each ';' up to ESC \, iTerm2's after ':' up to BEL). */
static void payload_pixels(const struct pv_render *r, struct media_image *img)
{
	const char *s = (const char *)r->blob, *end = s + r->len;
	unsigned char *data = xmalloc(r->len);
	size_t got = 0;
	char *err = NULL;

	if (r->mode == PV_ITERM2) {
		const char *colon = memchr(s, ':', r->len);
		assert_non_null(colon);
		got = unbase64(colon + 1, (size_t)(end - colon - 2), data);
	} else {
		while (s < end) {
			const char *semi = memchr(s, ';', (size_t)(end - s)), *st = strstr(semi, "\033\\");
			got += unbase64(semi + 1, (size_t)(st - semi - 1), data + got);
			s = st + 2;
		}
	}
	assert_int_equal(media_image_load_mem(data, got, 0, 0, 0, img, &err), 0);
	free(data);
}

/* Pixels (RGBA, opaque ones) that are not near rgb. */
static int pixels_off(const unsigned char *px, size_t n, uint32_t rgb, int tol)
{
	size_t i;
	int off = 0;

	for (i = 0; i < n; i++, px += 4)
		if (px[3] && (abs(px[0] - (int)(rgb >> 16)) > tol || abs(px[1] - (int)(rgb >> 8 & 255)) > tol ||
			      abs(px[2] - (int)(rgb & 255)) > tol))
			off++;
	return off;
}

/* Zoomed in (2x at the centre of the bottom right quarter), every mode
 * sends only that quarter, filling the box as the whole would. */
static void zoomed_renders_crop(void **state)
{
	static const uint32_t quarter[4] = { 0xff0000, 0x00ff00, 0x0000ff, 0x0080ff };
	unsigned char *rgba = xmalloc(320 * 160 * 4);
	char *path, *path2, *k1, *k2;
	struct pv_req q;
	struct pv_render *r, *whole;
	struct media_image img;
	unsigned char *px;
	int x, y, m, w, h, i;

	(void)state;
	for (y = 0; y < 160; y++)
		for (x = 0; x < 320; x++) {
			uint32_t c = quarter[2 * (y >= 80) + (x >= 160)];
			unsigned char *p = rgba + 4 * (y * 320 + x);
			p[0] = (unsigned char)(c >> 16);
			p[1] = (unsigned char)(c >> 8);
			p[2] = (unsigned char)c;
			p[3] = 255;
		}
	path = write_png("quarters.png", rgba, 320, 160);
	for (m = PV_SYMBOLS; m < PV_NMODES; m++) {
		req(&q, path, (enum pv_mode)m, 40, 20);
		q.depth = 16777216;
		q.tolerance = -1;
		whole = pv_render_run(&q);
		k1 = pv_req_key(&q);
		q.zoom = 2;
		q.cx = q.cy = 0.75;
		k2 = pv_req_key(&q);
		assert_string_not_equal(k1, k2); /* a crop is a render of its own */
		r = pv_render_run(&q);
		assert_null(r->error);
		assert_int_equal(r->cols, whole->cols); /* as large as the whole */
		assert_int_equal(r->rows, whole->rows);
		if (m == PV_SYMBOLS) {
			for (x = 0; x < r->cols * r->rows; x++) {
				assert_int_equal(r->cells[x].bg, 0x0080ff);
				assert_true(r->cells[x].ch == ' ' || r->cells[x].fg == 0x0080ff);
			}
		} else if (m == PV_SIXEL) {
			px = sixel_decode((const char *)r->blob, r->len, &w, &h);
			assert_int_equal(pixels_off(px, (size_t)w * h, 0x0080ff, 3), 0);
			assert_int_equal(pixels_off(px, (size_t)w * h, 0xff0000, 3), w * h);
			free(px);
		} else {
			memset(&img, 0, sizeof img);
			payload_pixels(r, &img);
			assert_int_equal(pixels_off(img.rgba, (size_t)img.width * img.height, 0x0080ff, 12), 0);
			media_image_free(&img);
		}
		/* the whole still shows every quarter */
		if (m == PV_SIXEL) {
			px = sixel_decode((const char *)whole->blob, whole->len, &w, &h);
			assert_true(pixels_off(px, (size_t)w * h, 0x0080ff, 3) > w * h / 2);
			free(px);
		}
		pv_render_free(r);
		pv_render_free(whole);
		free(k1);
		free(k2);
	}
	/* Pan steps crop the picture the renderer kept, never another's: a
	 * second file of the same size, zoomed the same, shows its own. */
	path2 = write_png("green.png", td_flat(320, 160, 0x00ff00ff), 320, 160);
	for (i = 0; i < 2; i++) {
		req(&q, i ? path2 : path, PV_SIXEL, 40, 20);
		q.zoom = 2;
		q.cx = q.cy = 0.75;
		r = pv_render_run(&q);
		px = sixel_decode((const char *)r->blob, r->len, &w, &h);
		assert_int_equal(pixels_off(px, (size_t)w * h, i ? 0x00ff00 : 0x0080ff, 3), 0);
		free(px);
		pv_render_free(r);
	}
	pv_zoom_forget();
	free(path2);
	free(path);
}

static void bad_input_says_why(void **state)
{
	struct sbuf b;
	struct pv_req q;
	struct pv_render *r;
	char *path, *gone, *big, *gif;
	unsigned char *flat;
	uint32_t colors[3] = { 0xff0000ff, 0x00ff00ff, 0x0000ffff };

	(void)state;
	gone = xasprintf("%s/not-there.png", td_dir);
	req(&q, gone, PV_SYMBOLS, 20, 10);
	r = pv_render_run(&q);
	assert_non_null(r->error);
	assert_non_null(strstr(r->error, "gone from disk"));
	pv_render_free(r);

	path = td_write(td_dir, "empty.png", "", 0);
	req(&q, path, PV_SIXEL, 20, 10);
	r = pv_render_run(&q);
	assert_non_null(r->error);
	assert_non_null(strstr(r->error, "empty"));
	pv_render_free(r);
	free(path);

	sb_init(&b);
	flat = td_flat(64, 64, 0x336699ff);
	td_png(&b, flat, 64, 64);
	free(flat);
	path = td_write(td_dir, "cut.png", b.s, b.len / 2);
	req(&q, path, PV_KITTY, 20, 10);
	r = pv_render_run(&q);
	assert_non_null(r->error);
	assert_null(r->blob);
	pv_render_free(r);
	free(path);
	sb_free(&b);

	sb_init(&b);
	td_png_liar(&b, 100000, 100000);
	big = td_write(td_dir, "huge.png", b.s, b.len);
	sb_free(&b);
	req(&q, big, PV_SYMBOLS, 20, 10);
	r = pv_render_run(&q);
	assert_non_null(r->error);
	assert_non_null(strstr(r->error, "pixel limit"));
	pv_render_free(r);
	free(big);

	/* a small picture over a small limit is refused too */
	path = write_png("small.png", td_flat(64, 64, 0x112233ff), 64, 64);
	req(&q, path, PV_SYMBOLS, 20, 10);
	q.pixel_limit = 1000;
	r = pv_render_run(&q);
	assert_non_null(r->error);
	pv_render_free(r);
	free(path);

	sb_init(&b);
	td_gif(&b, 32, 32, colors, 3);
	gif = td_write(td_dir, "anim.gif", b.s, b.len);
	sb_free(&b);
	req(&q, gif, PV_SYMBOLS, 20, 10);
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_int_equal(r->frames, 3);
	assert_true(r->cells[0].fg == 196 || r->cells[0].bg == 196);
	pv_render_free(r);
	free(gif);
	free(gone);
}

static double tone(long i, int c)
{
	(void)c;
	return (i % 100 < 50 ? 0.5 : -0.5) * (double)i / 8000.0;
}

static void audio_and_thumbnails(void **state)
{
	struct sbuf b;
	struct pv_req q;
	struct pv_render *r;
	char *wav, *pic, *dir = xasprintf("%s/cache", td_dir), *tp;
	char sha[65];
	int w, h, i;

	(void)state;
	sb_init(&b);
	td_wav(&b, 1, 16, 1, 8000, 8000, 0, tone);
	wav = td_write(td_dir, "tone.wav", b.s, b.len);
	sb_free(&b);
	req(&q, wav, PV_SIXEL, 30, 8);
	q.kind = PV_K_AUDIO;
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_int_equal(r->npeaks, 30);
	assert_int_equal(r->info.sample_rate, 8000);
	for (i = 0; i < 30; i++)
		assert_true(r->mins[i] <= r->maxs[i]);
	assert_true(r->maxs[29] > r->maxs[0]);
	pv_render_free(r);

	/* The same box in two modes: one thumbnail, made once, read after. */
	pic = write_png("thumb.png", td_plasma(300, 300, 0), 300, 300);
	sha256_buf_hex(pic, strlen(pic), sha);
	req(&q, pic, PV_SYMBOLS, 30, 15);
	q.cache_dir = dir;
	q.sha = sha;
	r = pv_render_run(&q);
	assert_null(r->error);
	assert_int_equal(r->from_thumb, 0);
	pv_render_free(r);
	pv_decode_size(&q, &w, &h);
	tp = media_thumb_path(dir, sha, w, h);
	assert_int_equal(access(tp, F_OK), 0);
	free(tp);
	q.depth = 16;
	r = pv_render_run(&q);
	assert_int_equal(r->from_thumb, 1);
	pv_render_free(r);
	free(wav);
	free(pic);
	free(dir);
}

static void keys_and_sizes(void **state)
{
	struct pv_req a, b;
	char *ka, *kb;
	int w, h;

	(void)state;
	req(&a, "/x.png", PV_SYMBOLS, 80, 40);
	b = a;
	ka = pv_req_key(&a);
	kb = pv_req_key(&b);
	assert_string_equal(ka, kb);
	free(kb);
	b.depth = 16;
	kb = pv_req_key(&b);
	assert_string_not_equal(ka, kb);
	free(kb);
	b = a;
	b.mode = PV_SIXEL;
	kb = pv_req_key(&b);
	assert_string_not_equal(ka, kb);
	free(kb);
	free(ka);
	/* audio does not depend on the picture mode */
	a.kind = b.kind = PV_K_AUDIO;
	ka = pv_req_key(&a);
	kb = pv_req_key(&b);
	assert_string_equal(ka, kb);
	free(ka);
	free(kb);
	/* decode sizes come from a short list and cover the box */
	req(&a, "/x.png", PV_SYMBOLS, 80, 40);
	pv_decode_size(&a, &w, &h);
	assert_int_equal(w, 640);
	req(&a, "/x.png", PV_SIXEL, 80, 40);
	pv_decode_size(&a, &w, &h);
	assert_int_equal(w, 800);
	a.cols = 81;
	pv_decode_size(&a, &w, &h);
	assert_int_equal(w, 1024);
	assert_int_equal(h, 1024);
}

/* ------------------------------------------------------------ the cache */

static void cache_keeps_its_budget(void **state)
{
	struct pv_cache *c = pv_cache_new(200 * 1000, 2, -1);
	struct pv_req q;
	struct pv_render *r, *held;
	char *paths[6], *key;
	size_t n, bytes, hits, misses, queued, rendered;
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof name, "c%d.png", i);
		paths[i] = write_png(name, td_flat(100, 100, 0x102030ff + (uint32_t)i * 0x100000), 100, 100);
	}
	/* Each 80x40 symbols render is about 3200 cells of 12 bytes. */
	req(&q, paths[0], PV_SYMBOLS, 80, 40);
	key = pv_req_key(&q);
	assert_null(pv_cache_get(c, key));
	pv_cache_want(c, &q, 0);
	pv_cache_want(c, &q, 0); /* asked twice, rendered once */
	held = pv_cache_wait(c, key, 20000);
	assert_non_null(held);
	assert_null(held->error);
	free(key);
	pv_cache_stats(c, &n, &bytes, &hits, &misses);
	assert_int_equal(n, 1);
	assert_int_equal(bytes, held->mem);
	assert_int_equal(misses, 1); /* the get before it was asked for */
	for (i = 1; i < 6; i++) {
		req(&q, paths[i], PV_SYMBOLS, 80, 40);
		key = pv_req_key(&q);
		pv_cache_want(c, &q, i);
		r = pv_cache_wait(c, key, 20000);
		assert_non_null(r);
		pv_render_unref(c, &r);
		assert_null(r);
		free(key);
	}
	pv_cache_stats(c, &n, &bytes, &hits, &misses);
	assert_true(bytes <= 200 * 1000);
	assert_true(n >= 1 && n < 6);
	/* six pictures, six renders: the one asked twice was rendered once */
	pv_cache_work(c, &queued, &rendered);
	assert_int_equal(queued, 0);
	assert_int_equal(rendered, 6);
	/* the first render went out of the cache but our reference holds it */
	assert_int_equal(held->cells[0].ch != 0, 1);
	pv_render_unref(c, &held);

	/* the synchronous path, and a hit */
	req(&q, paths[5], PV_SYMBOLS, 80, 40);
	r = pv_cache_render(c, &q);
	assert_non_null(r);
	pv_render_unref(c, &r);
	pv_cache_work(c, &queued, &rendered);
	assert_int_equal(rendered, 6);
	pv_cache_clear(c);
	pv_cache_stats(c, &n, &bytes, &hits, &misses);
	assert_int_equal(n, 0);
	pv_cache_free(&c);
	assert_null(c);

	/* Without workers nothing runs, so the queue can be seen: a request
	 * asked twice is queued once, at the more urgent prio; dropping takes
	 * the requests at or above a prio and leaves the others; a wait for a
	 * dropped request ends at once. */
	c = pv_cache_new(1 << 20, 0, -1);
	for (i = 1; i <= 3; i++) {
		req(&q, paths[i], PV_SYMBOLS, 10, 5);
		pv_cache_want(c, &q, 2 * i - 1); /* prios 1, 3, 5 */
	}
	pv_cache_want(c, &q, 0); /* paths[3] again, now urgent */
	pv_cache_work(c, &queued, &rendered);
	assert_int_equal(queued, 3);
	pv_cache_drop(c, 3);
	pv_cache_work(c, &queued, &rendered);
	assert_int_equal(queued, 2); /* paths[2] (prio 3) went */
	req(&q, paths[2], PV_SYMBOLS, 10, 5);
	key = pv_req_key(&q);
	assert_null(pv_cache_wait(c, key, 10000));
	free(key);
	for (i = 1; i <= 3; i += 2) { /* paths[1] and paths[3] are still there */
		req(&q, paths[i], PV_SYMBOLS, 10, 5);
		pv_cache_want(c, &q, 9);
	}
	pv_cache_work(c, &queued, &rendered);
	assert_int_equal(queued, 2);
	pv_cache_drop(c, 0);
	pv_cache_work(c, &queued, &rendered);
	assert_int_equal(queued, 0);
	assert_int_equal(rendered, 0);
	assert_int_equal(pv_cache_news(c), 0);
	pv_cache_free(&c);
	for (i = 0; i < 6; i++)
		free(paths[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_are_read),
		cmocka_unit_test(keys_between_answers_are_kept),
		cmocka_unit_test(garbage_is_counted),
		cmocka_unit_test(modes_are_decided),
		cmocka_unit_test(tmux_cases_are_told_apart),
		cmocka_unit_test(asks_a_sixel_xterm),
		cmocka_unit_test(asks_kitty),
		cmocka_unit_test(a_silent_terminal_does_not_hang),
		cmocka_unit_test(garbage_answers_drop_the_keys),
		cmocka_unit_test(typed_keys_are_handed_back),
		cmocka_unit_test(not_a_terminal),
		cmocka_unit_test(sixel_round_trip),
		cmocka_unit_test(renders_in_every_mode),
		cmocka_unit_test(zoomed_renders_crop),
		cmocka_unit_test(bad_input_says_why),
		cmocka_unit_test(audio_and_thumbnails),
		cmocka_unit_test(keys_and_sizes),
		cmocka_unit_test(cache_keeps_its_budget),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, td_setup, td_teardown);
}
