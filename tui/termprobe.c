/*
 * termprobe.c - what the terminal can draw, asked before ncurses takes
 * the screen.
 *
 * All questions go out in one write and the DA1 request comes last:
 * every terminal answers DA1, and answers come in order, so its answer
 * is the fence that ends the wait in one round trip.  The questions:
 *
 *   ESC _ G i=31,s=1,v=1,a=q,t=d,f=24 ; AAAA ESC \   kitty graphics query
 *       (answer ESC _ G i=31;OK ESC \; not asked inside tmux or screen,
 *       where the APC would become the pane title)
 *   ESC [ > q        XTVERSION (answer DCS > | name ST): the terminal's name
 *   ESC [ 16 t       the cell size in pixels (answer ESC [ 6 ; h ; w t),
 *       asked only when TIOCGWINSZ has no plausible pixel size
 *   ESC [ c          DA1 (answer ESC [ ? class ; attrs c; attribute 4 is sixel)
 *
 * and, when DA1 says sixel, a second round: XTSMGRAPHICS ESC [ ? 1 ; 1 ; 0 S
 * (colour registers) and ESC [ ? 2 ; 1 ; 0 S (largest graphic), fenced by
 * DA1 again.  Formats followed: xterm's ctlseqs ("XTerm Control
 * Sequences", invisible-island.net), kitty's graphics-protocol.rst
 * ("Querying support and available transmission mediums").
 *
 * Inside tmux the questions are for the terminal tmux runs in (the
 * client's, "outer" terminal): tmux is asked first (`tmux display -p`)
 * whether passthrough is allowed, and if it is, every question goes
 * wrapped (ESC P tmux; ... ESC \ with each ESC doubled) and the wrapped
 * DA1 is the fence; tmux forwards the outer answers to the pane (seen with
 * tmux 3.3a in xterm).  tmux's own answers to unwrapped questions would
 * say only "tmux", so none are asked then.  With passthrough off the
 * questions go unwrapped, as tmux drops the wrapped ones.
 *
 * The terminal is read in raw mode without flushing its input, so keys
 * typed meanwhile are kept (and handed back to ncurses) unless the
 * terminal answered something that is neither a key nor an answer: then
 * they are dropped rather than risk feeding garbage to the key handler.
 */
#include "config.h"

#include "preview.h"

#include <chafa.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define Q_KITTY "\033_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\033\\"
#define Q_VERSION "\033[>q"
#define Q_CELL "\033[16t"
#define Q_DA1 "\033[c"
#define Q_SIXEL "\033[?1;1;0S\033[?2;1;0S"

enum { READ_MAX = 8192, DEFAULT_CELL_W = 10, DEFAULT_CELL_H = 20 };

static void keep_visible(char *dst, size_t n, const unsigned char *s, size_t len);

static const char *const mode_names[PV_NMODES] = { "none", "symbols", "sixel", "kitty", "iterm2" };

const char *pv_mode_name(enum pv_mode m)
{
	return m >= 0 && m < PV_NMODES ? mode_names[m] : "?";
}

int pv_mode_parse(const char *name, int *known)
{
	int i;

	*known = 1;
	if (strcmp(name, "auto") == 0)
		return -1;
	for (i = 0; i < PV_NMODES; i++)
		if (strcmp(name, mode_names[i]) == 0)
			return i;
	*known = 0;
	return -1;
}

int tp_budget(int option_ms, int over_ssh)
{
	if (option_ms > 0 && over_ssh && option_ms < TP_SSH_MS)
		return TP_SSH_MS;
	return option_ms > 0 ? option_ms : 0;
}

/* ------------------------------------------------------------ environment */

static void copy_env(char *dst, size_t n, const char *name)
{
	const char *v = getenv(name);
	struct sbuf b;

	sb_init(&b);
	if (v)
		util_visible(&b, v, strlen(v), 0);
	snprintf(dst, n, "%s", b.s);
	sb_free(&b);
}

static int env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

/* What chafa 1.12's terminal database makes of the environment alone. */
static void chafa_hint(char *dst, size_t n)
{
	gchar **envp = g_get_environ();
	ChafaTermDb *db = chafa_term_db_get_default();
	ChafaTermInfo *ti = chafa_term_db_detect(db, envp);

	if (chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_KITTY_IMMEDIATE_IMAGE_V1))
		snprintf(dst, n, "kitty");
	else if (chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_ITERM2_IMAGE))
		snprintf(dst, n, "iterm2");
	else if (chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_SIXELS))
		snprintf(dst, n, "sixel");
	else if (chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_SET_COLOR_FGBG_DIRECT))
		snprintf(dst, n, "symbols (truecolor)");
	else
		snprintf(dst, n, "symbols");
	chafa_term_info_unref(ti);
	g_strfreev(envp);
}

void tp_environment(struct tp_result *r)
{
	copy_env(r->term, sizeof r->term, "TERM");
	copy_env(r->term_program, sizeof r->term_program, "TERM_PROGRAM");
	copy_env(r->colorterm, sizeof r->colorterm, "COLORTERM");
	copy_env(r->lc_terminal, sizeof r->lc_terminal, "LC_TERMINAL");
	r->in_tmux = env_set("TMUX") || strncmp(r->term, "tmux", 4) == 0;
	r->in_screen = !r->in_tmux && (env_set("STY") || strncmp(r->term, "screen", 6) == 0);
	r->over_ssh = env_set("SSH_CONNECTION") || env_set("SSH_TTY") || env_set("SSH_CLIENT");
	r->kitty_env = strcmp(r->term, "xterm-kitty") == 0 || env_set("KITTY_WINDOW_ID");
	r->no_color = env_set("NO_COLOR");
	chafa_hint(r->env_hint, sizeof r->env_hint);
	if (r->in_tmux && env_set("TMUX"))
		tp_tmux_ask(r);
}

/* ------------------------------------------------------------ tmux */

#define TMUX_FORMAT                                                                           \
	"#{allow-passthrough}\t#{focus-events}\t#{version}\t#{client_termname}\t"             \
	"#{client_termtype}\t#{pane_top}\t#{pane_left}\t#{status}\t#{status-position}"

/* The next tab-separated field of *s, made visible, into dst. */
static void field(char **s, char *dst, size_t n)
{
	char *tab = strchr(*s, '\t');
	size_t len = tab ? (size_t)(tab - *s) : strlen(*s);

	keep_visible(dst, n, (const unsigned char *)*s, len);
	*s += len + (tab != NULL);
}

static int flag_on(const char *v)
{
	return strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "all") == 0;
}

int tp_tmux_ask(struct tp_result *r)
{
	char line[512], f[9][64], *p;
	FILE *fp;
	size_t len;
	int i, status_lines;

	r->tmux_asked = 0;
	/* -t names this pane (TMUX_PANE), not whichever is current. */
	fp = popen(env_set("TMUX_PANE") ? "tmux display -p -t \"$TMUX_PANE\" '" TMUX_FORMAT "' 2>&1"
					: "tmux display -p '" TMUX_FORMAT "' 2>&1",
		   "r");
	if (fp == NULL) {
		snprintf(r->tmux_error, sizeof r->tmux_error, "cannot run tmux: %s", strerror(errno));
		return -1;
	}
	len = fread(line, 1, sizeof line - 1, fp);
	line[len] = '\0';
	i = pclose(fp);
	line[strcspn(line, "\n")] = '\0';
	if (i != 0 || strchr(line, '\t') == NULL) {
		keep_visible((char *)f[0], sizeof f[0], (const unsigned char *)line, strlen(line));
		snprintf(r->tmux_error, sizeof r->tmux_error, "`tmux display -p` failed: %s",
			 *f[0] ? f[0] : "no output");
		return -1;
	}
	p = line;
	for (i = 0; i < 9; i++)
		field(&p, f[i], sizeof f[i]);
	snprintf(r->tmux_version, sizeof r->tmux_version, "%.15s", f[2]);
	/* Before 3.3 there is no such option and passthrough is always on. */
	r->passthrough = flag_on(f[0]) || (*f[0] == '\0' && strncmp(f[2], "3.", 2) != 0 &&
					    strncmp(f[2], "next", 4) != 0);
	r->focus_events = flag_on(f[1]);
	snprintf(r->client_term, sizeof r->client_term, "%s", f[3]);
	snprintf(r->client_type, sizeof r->client_type, "%s", f[4]);
	status_lines = strcmp(f[7], "off") == 0 ? 0 : strcmp(f[7], "on") == 0 ? 1 : atoi(f[7]);
	r->pane_y = atoi(f[5]) + (strcmp(f[8], "top") == 0 ? status_lines : 0);
	r->pane_x = atoi(f[6]);
	r->tmux_asked = 1;
	return 0;
}

int tp_tmux_hooks(int on)
{
	const char *pane = getenv("TMUX_PANE");
	char *argv[12], *panes, *modes, *mode, *cmd;
	posix_spawn_file_actions_t fa;
	int argc = 0, status = -1;
	long me = (long)getpid();
	pid_t pid;

	if (pane == NULL || *pane != '%' || strspn(pane + 1, "0123456789") != strlen(pane + 1))
		return -1;
	cmd = xasprintf("run-shell -b 'kill -WINCH %ld 2>/dev/null || true'", me);
	/* This pane, once it leaves copy mode (or another mode): while
	 * the mode shows, tmux passes nothing of the pane through. */
	mode = xasprintf("if-shell -F '#{&&:#{==:#{hook_pane},%s},#{!=:#{pane_in_mode},1}}' \"%s\"",
			 pane, cmd);
	panes = xasprintf("after-display-panes[%ld]", me);
	modes = xasprintf("pane-mode-changed[%ld]", me);
	argv[argc++] = (char *)"tmux";
	argv[argc++] = (char *)"set-hook";
	argv[argc++] = (char *)(on ? "-g" : "-gu");
	argv[argc++] = panes;
	if (on)
		argv[argc++] = cmd;
	argv[argc++] = (char *)";";
	argv[argc++] = (char *)"set-hook";
	argv[argc++] = (char *)(on ? "-g" : "-gu");
	argv[argc++] = modes;
	if (on)
		argv[argc++] = mode;
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "tmux", &fa, NULL, argv, environ) == 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	posix_spawn_file_actions_destroy(&fa);
	free(panes);
	free(modes);
	free(mode);
	free(cmd);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The start of a small /proc file into buf, NUL-terminated ("" when
 * it cannot be read). */
static void read_proc(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t len = f ? fread(buf, 1, size - 1, f) : 0;

	if (f)
		fclose(f);
	buf[len] = '\0';
}

/* The pids in /proc/PID/task/PID/children (one line, space-separated). */
static size_t children(long pid, long **out)
{
	char path[64], buf[4096], *p, *end;
	size_t n = 0;

	*out = NULL;
	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", pid, pid);
	read_proc(path, buf, sizeof buf);
	for (p = buf;; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		*out = xrealloc(*out, (n + 1) * sizeof **out);
		(*out)[n++] = v;
	}
	return n;
}

/* 1 when process pid has a controlling terminal (field 7 of its stat). */
static int on_terminal(long pid)
{
	char path[64], buf[512], *p;
	int tty = 0;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	read_proc(path, buf, sizeof buf);
	p = strrchr(buf, ')'); /* after the name, which may hold anything */
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %d", &tty) != 1)
		tty = 0;
	return tty != 0;
}

static int has(const long *v, size_t n, long x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static void load_panes(struct tp_popups *pp)
{
	char line[64];
	FILE *fp = popen("tmux list-panes -a -F '#{pane_pid}' 2>/dev/null", "r");

	pp->npanes = 0;
	while (fp && fgets(line, sizeof line, fp)) {
		pp->panes = xrealloc(pp->panes, (pp->npanes + 1) * sizeof *pp->panes);
		pp->panes[pp->npanes++] = atol(line);
	}
	if (fp)
		pclose(fp);
}

int tp_tmux_popup_closed(struct tp_popups *pp)
{
	const char *env = getenv("TMUX"), *comma = env ? strchr(env, ',') : NULL;
	long *kids, *now = NULL;
	size_t n, i, nnow = 0;
	int loaded = 0, closed = 0;

	if (pp->server == 0 && comma)
		pp->server = atol(comma + 1);
	if (pp->server <= 0)
		return 0;
	n = children(pp->server, &kids);
	for (i = 0; i < n; i++) {
		if (has(pp->panes, pp->npanes, kids[i]) || !on_terminal(kids[i]))
			continue;
		/* Not known yet: a new pane, or a popup. */
		if (!has(pp->others, pp->nothers, kids[i]) && !loaded) {
			load_panes(pp);
			loaded = 1;
			if (has(pp->panes, pp->npanes, kids[i]))
				continue;
		}
		now = xrealloc(now, (nnow + 1) * sizeof *now);
		now[nnow++] = kids[i];
	}
	for (i = 0; i < pp->nothers; i++)
		closed |= !has(now, nnow, pp->others[i]);
	free(pp->others);
	pp->others = now;
	pp->nothers = nnow;
	free(kids);
	return closed;
}

void tp_popups_free(struct tp_popups *pp)
{
	free(pp->panes);
	free(pp->others);
	memset(pp, 0, sizeof *pp);
}

void tp_wrap(struct sbuf *out, const char *s, size_t n)
{
	size_t i, from = 0;

	sb_adds(out, "\033Ptmux;");
	for (i = 0; i < n; i++)
		if (s[i] == '\033') {
			sb_add(out, s + from, i + 1 - from);
			from = i; /* the ESC goes twice */
		}
	sb_add(out, s + from, n - from);
	sb_adds(out, "\033\\");
}

/* ------------------------------------------------------------ parsing answers */

static void keep_visible(char *dst, size_t n, const unsigned char *s, size_t len)
{
	struct sbuf b;

	sb_init(&b);
	util_visible(&b, (const char *)s, len, 0);
	if (b.len >= n && n > 4)
		snprintf(dst, n, "%.*s...", (int)(n - 4), b.s);
	else
		snprintf(dst, n, "%s", b.s);
	sb_free(&b);
}

static void add_key_bytes(struct tp_result *r, const unsigned char *s, size_t n)
{
	if (r->ntypeahead + n > TP_TYPEAHEAD_MAX) {
		r->garbage++; /* too much to be typing: not keys */
		return;
	}
	memcpy(r->typeahead + r->ntypeahead, s, n);
	r->ntypeahead += n;
}

/* Numbers of a parameter string "1;2;3" (digits and ';' only). */
static int numbers(const unsigned char *p, size_t n, int *out, int max)
{
	int k = 0, v = 0, have = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		if (i == n || p[i] == ';') {
			if (k < max)
				out[k++] = have ? v : 0;
			v = 0;
			have = 0;
		} else if (p[i] >= '0' && p[i] <= '9') {
			if (v < 100000000)
				v = v * 10 + (p[i] - '0');
			have = 1;
		} else {
			return -1;
		}
	}
	return k;
}

/* A CSI sequence s[0..n) (ESC [ ... final).  Returns 1 for a DA1 answer. */
static int csi(struct tp_result *r, const unsigned char *s, size_t n)
{
	const unsigned char *p = s + 2;
	size_t plen = n - 3;
	unsigned char fin = s[n - 1];
	int v[24], k;

	if (plen > 0 && p[0] == '?' && fin == 'c') {
		k = numbers(p + 1, plen - 1, v, 24);
		if (k < 1) {
			r->garbage++;
			return 0;
		}
		r->da1 = 1;
		memcpy(r->da1_attr, v, (size_t)k * sizeof v[0]);
		r->nda1 = k;
		keep_visible(r->da1_raw, sizeof r->da1_raw, s, n);
		for (int i = 1; i < k; i++)
			if (v[i] == 4)
				r->sixel = 1;
		return 1;
	}
	if (plen > 0 && p[0] == '?' && fin == 'S') {
		k = numbers(p + 1, plen - 1, v, 4);
		if (k >= 3 && v[0] == 1 && v[1] == 0 && v[2] >= 2)
			r->sixel_colors = v[2];
		else if (k >= 4 && v[0] == 2 && v[1] == 0) {
			r->sixel_max_w = v[2];
			r->sixel_max_h = v[3];
		}
		return 0;
	}
	if (fin == 't') {
		k = numbers(p, plen, v, 4);
		if (k == 3 && v[0] == 6) {
			keep_visible(r->cell_raw, sizeof r->cell_raw, s, n);
			if (v[1] >= 4 && v[1] <= 512 && v[2] >= 2 && v[2] <= 512 && r->cell_w == 0) {
				r->cell_h = v[1];
				r->cell_w = v[2];
				snprintf(r->cell_source, sizeof r->cell_source, "CSI 16 t answer");
			}
			return 0;
		}
		r->garbage++;
		return 0;
	}
	/* A key: arrows, Home/End, F-keys, Delete, PageUp... (no private marker). */
	if ((plen == 0 || (p[0] >= '0' && p[0] <= ';')) && strchr("ABCDEFHPQRSZ~u", fin)) {
		add_key_bytes(r, s, n);
		return 0;
	}
	r->garbage++;
	return 0;
}

/* A string (APC, DCS, OSC) body s[0..n) without its introducer and ST. */
static void string_seq(struct tp_result *r, unsigned char type, const unsigned char *s, size_t n,
		       const unsigned char *whole, size_t wn)
{
	if (type == '_' && n >= 1 && s[0] == 'G') {
		keep_visible(r->kitty_raw, sizeof r->kitty_raw, whole, wn);
		if (n >= 7 && memcmp(s, "Gi=31;", 6) == 0)
			r->kitty = n >= 8 && memcmp(s + 6, "OK", 2) == 0 ? 1 : -1;
		else
			r->garbage++;
		return;
	}
	if (type == 'P' && n >= 2 && s[0] == '>' && s[1] == '|') {
		keep_visible(r->version, sizeof r->version, s + 2, n - 2);
		keep_visible(r->version_raw, sizeof r->version_raw, whole, wn);
		return;
	}
	r->garbage++;
}

int tp_parse(struct tp_result *r, const unsigned char *buf, size_t n, int final)
{
	size_t i = 0, j;
	int fences = 0;

	r->ntypeahead = 0;
	r->garbage = 0;
	while (i < n) {
		if (buf[i] != 0x1b) {
			add_key_bytes(r, buf + i, 1);
			i++;
			continue;
		}
		if (i + 1 >= n) {
			/* A lone ESC at the end: the Escape key, unless more may come. */
			if (final)
				add_key_bytes(r, buf + i, 1);
			break;
		}
		if (buf[i + 1] == '[') {
			for (j = i + 2; j < n && buf[j] >= 0x20 && buf[j] <= 0x3f; j++)
				;
			if (j >= n) {
				if (final)
					r->garbage++;
				break;
			}
			if (buf[j] < 0x40 || buf[j] > 0x7e) {
				r->garbage++;
				i = j;
				continue;
			}
			fences += csi(r, buf + i, j + 1 - i);
			i = j + 1;
			continue;
		}
		if (buf[i + 1] == '_' || buf[i + 1] == 'P' || buf[i + 1] == ']') {
			/* Up to ST (ESC \) or BEL. */
			for (j = i + 2; j < n; j++)
				if (buf[j] == 0x07 || (buf[j] == 0x1b && j + 1 < n && buf[j + 1] == '\\'))
					break;
			if (j >= n || (buf[j] == 0x1b && j + 1 >= n)) {
				if (final)
					r->garbage++;
				break;
			}
			string_seq(r, buf[i + 1], buf + i + 2, j - i - 2, buf + i,
				   (buf[j] == 0x07 ? j + 1 : j + 2) - i);
			i = buf[j] == 0x07 ? j + 1 : j + 2;
			continue;
		}
		if (buf[i + 1] == 'O') {
			/* SS3: F1-F4 and application-mode arrows. */
			if (i + 2 >= n) {
				if (final)
					r->garbage++;
				break;
			}
			add_key_bytes(r, buf + i, 3);
			i += 3;
			continue;
		}
		/* ESC and a character: a key with Meta. */
		add_key_bytes(r, buf + i, 2);
		i += 2;
	}
	return fences;
}

/* ------------------------------------------------------------ asking */

static int plausible_pixels(int cols, int rows, int xpx, int ypx)
{
	return cols > 0 && rows > 0 && xpx >= 2 * cols && ypx >= 4 * rows && xpx / cols <= 512 &&
	       ypx / rows <= 512;
}

/* Reads until `fences` DA1 answers are in buf or the deadline passes. */
static void collect(struct tp_result *r, int fd, unsigned char *buf, size_t *n, int fences,
		    double deadline)
{
	struct pollfd pfd;
	ssize_t got;
	double now;

	for (;;) {
		if (tp_parse(r, buf, *n, 0) >= fences)
			return;
		now = util_mono_ms();
		if (now >= deadline || *n >= READ_MAX) {
			r->timed_out = *n < READ_MAX;
			return;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(deadline - now) + 1) < 0 && errno != EINTR)
			return;
		if (!(pfd.revents & POLLIN)) {
			if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
				return;
			continue;
		}
		got = read(fd, buf + *n, READ_MAX - *n);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return;
		*n += (size_t)got;
	}
}

/* Adds question q to the write, wrapped for tmux passthrough when asked to. */
static void ask(struct sbuf *out, int wrapped, const char *q)
{
	if (wrapped)
		tp_wrap(out, q, strlen(q));
	else
		sb_adds(out, q);
}

static void log_question(struct tp_result *r, const char *what, const char *q)
{
	char vis[TP_ANSWER_MAX];

	keep_visible(vis, sizeof vis, (const unsigned char *)q, strlen(q));
	sb_addf(&r->log, "  asked  %-22s %s\n", what, vis);
}

static void log_answer(struct tp_result *r, const char *what, int asked, const char *answer)
{
	if (!asked)
		return;
	sb_addf(&r->log, "  answer %-22s %s\n", what, *answer ? answer : r->da1 ? "(none)" : "(no answer)");
}

int tp_probe(struct tp_result *r, int in_fd, int out_fd, int budget_ms, int linger_ms)
{
	struct termios saved, raw;
	struct winsize ws;
	struct sbuf q;
	unsigned char *buf;
	size_t n = 0, n0 = 0;
	double t0, deadline;
	int dumb;

	sb_init(&r->log);
	r->budget_ms = budget_ms;
	r->is_tty = isatty(in_fd) && isatty(out_fd);
	if (ioctl(out_fd, TIOCGWINSZ, &ws) == 0) {
		r->cols = ws.ws_col;
		r->rows = ws.ws_row;
		r->xpixel = ws.ws_xpixel;
		r->ypixel = ws.ws_ypixel;
		if (plausible_pixels(r->cols, r->rows, r->xpixel, r->ypixel)) {
			r->cell_w = r->xpixel / r->cols;
			r->cell_h = r->ypixel / r->rows;
			snprintf(r->cell_source, sizeof r->cell_source, "TIOCGWINSZ %dx%d px", r->xpixel,
				 r->ypixel);
		}
	}
	if (!r->is_tty) {
		sb_adds(&r->log, "no questions asked\n");
		return -1;
	}
	dumb = strcmp(r->term, "dumb") == 0 || r->term[0] == '\0';
	if (budget_ms <= 0 || dumb) {
		sb_addf(&r->log, "  no questions asked (%s)\n",
			dumb ? "TERM is dumb or unset" : "preview mode set: nothing to detect");
		return 0;
	}
	if (tcgetattr(in_fd, &saved) != 0) {
		sb_addf(&r->log, "  cannot set the terminal to raw mode: %s\n", strerror(errno));
		return -1;
	}
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(in_fd, TCSANOW, &raw) != 0) {
		sb_addf(&r->log, "  cannot set the terminal to raw mode: %s\n", strerror(errno));
		return -1;
	}

	sb_init(&q);
	/* Through tmux's passthrough the questions reach the outer terminal. */
	r->wrapped = r->in_tmux && r->tmux_asked && r->passthrough;
	r->asked_kitty = (r->wrapped || (!r->in_tmux && !r->in_screen)) && strcmp(r->term, "linux") != 0 &&
			 strncmp(r->term, "vt", 2) != 0;
	r->asked_cell = r->cell_w == 0 && (r->wrapped || (!r->in_tmux && !r->in_screen));
	r->asked_version = 1;
	if (r->asked_kitty)
		ask(&q, r->wrapped, Q_KITTY);
	ask(&q, r->wrapped, Q_VERSION);
	if (r->asked_cell)
		ask(&q, r->wrapped, Q_CELL);
	ask(&q, r->wrapped, Q_DA1);
	buf = xmalloc(READ_MAX);
	t0 = util_mono_ms();
	deadline = t0 + budget_ms;
	if (util_write_all(out_fd, q.s, q.len) == 0) {
		collect(r, in_fd, buf, &n, 1, deadline);
		if (r->da1 && r->sixel) {
			/* Second round: how many colours and how large a sixel may be. */
			r->asked_sixel = 1;
			sb_reset(&q);
			ask(&q, r->wrapped, Q_SIXEL);
			ask(&q, r->wrapped, Q_DA1);
			if (util_write_all(out_fd, q.s, q.len) == 0)
				collect(r, in_fd, buf, &n, 2, util_mono_ms() + budget_ms);
		}
	}
	r->ms = util_mono_ms() - t0;
	n0 = n;
	if (!r->da1 && linger_ms > 0 && n < READ_MAX) {
		/* Only to tell when the answers came (doctor): they do not count. */
		struct tp_result late;
		memset(&late, 0, sizeof late);
		collect(&late, in_fd, buf, &n, 1, util_mono_ms() + linger_ms);
		if (late.da1)
			r->late_ms = util_mono_ms() - t0;
		keep_visible(r->late_raw, sizeof r->late_raw, buf + n0, n - n0);
	}
	tcsetattr(in_fd, TCSANOW, &saved);
	if (r->asked_kitty && !r->wrapped)
		util_write_all(out_fd, "\r\033[2K", 5); /* wipe what a terminal may have shown of the APC */
	tp_parse(r, buf, n0, 1);
	free(buf);
	sb_free(&q);

	if (r->in_tmux && r->tmux_asked)
		sb_addf(&r->log, "  tmux %s: allow-passthrough %s, focus-events %s; the outer terminal is "
				 "TERM=%s (%s)\n",
			r->tmux_version, r->passthrough ? "on" : "off", r->focus_events ? "on" : "off",
			*r->client_term ? r->client_term : "(unknown)",
			*r->client_type ? r->client_type : "tmux knows no more of it");
	else if (r->in_tmux)
		sb_addf(&r->log, "  inside tmux, which could not be asked: %s\n", r->tmux_error);
	if (r->wrapped)
		sb_adds(&r->log, "  every question goes wrapped for tmux passthrough (ESC P tmux; ... ESC \\)\n");
	else if (r->in_tmux)
		sb_adds(&r->log, "  the questions reach tmux only (passthrough is off): it answers for itself\n");
	if (r->asked_kitty)
		log_question(r, "kitty graphics query", Q_KITTY);
	log_question(r, "XTVERSION (name)", Q_VERSION);
	if (r->asked_cell)
		log_question(r, "cell size (CSI 16 t)", Q_CELL);
	log_question(r, "DA1 (attributes)", Q_DA1);
	log_answer(r, "kitty graphics query", r->asked_kitty, r->kitty_raw);
	log_answer(r, "XTVERSION", r->asked_version, r->version_raw);
	log_answer(r, "cell size", r->asked_cell, r->cell_raw);
	log_answer(r, "DA1", 1, r->da1_raw);
	if (r->asked_sixel) {
		log_question(r, "XTSMGRAPHICS (sixel)", Q_SIXEL);
		if (r->sixel_colors || r->sixel_max_w)
			sb_addf(&r->log, "  answer %-22s %d colour registers, at most %dx%d px\n",
				"XTSMGRAPHICS", r->sixel_colors, r->sixel_max_w, r->sixel_max_h);
		else
			sb_addf(&r->log, "  answer %-22s (none)\n", "XTSMGRAPHICS");
	}
	sb_addf(&r->log, "  %s after %.0f ms (budget %d ms)\n",
		r->da1 ? "answered" : "no DA1 answer: gave up", r->ms, budget_ms);
	if (r->late_ms > 0)
		sb_addf(&r->log, "  the answers came late, after %.0f ms: %s\n"
				 "  (raise probe-timeout above %.0f to use them)\n",
			r->late_ms, r->late_raw, r->late_ms);
	else if (*r->late_raw)
		sb_addf(&r->log, "  later, without a DA1 answer: %s\n", r->late_raw);
	if (r->garbage) {
		sb_addf(&r->log, "  %d piece(s) of the answer were not understood: %zu typed byte(s) dropped\n",
			r->garbage, r->ntypeahead);
		r->ntypeahead = 0;
	} else if (r->ntypeahead) {
		sb_addf(&r->log, "  %zu byte(s) typed meanwhile, handed to the interface\n", r->ntypeahead);
	}
	return 0;
}

/* ------------------------------------------------------------ deciding */

static int iterm_like(const struct tp_result *r)
{
	return strcmp(r->term_program, "iTerm.app") == 0 || strcmp(r->lc_terminal, "iTerm2") == 0 ||
	       strcmp(r->term_program, "WezTerm") == 0 || strncmp(r->version, "iTerm2", 6) == 0 ||
	       strncmp(r->version, "WezTerm", 7) == 0;
}

int tp_capable(const struct tp_result *r, enum pv_mode m)
{
	switch (m) {
	case PV_NONE:
	case PV_SYMBOLS:
		return 1;
	case PV_SIXEL:
		return r->sixel || strcmp(r->env_hint, "sixel") == 0;
	case PV_KITTY:
		return r->kitty == 1 || (r->kitty_env && r->kitty != -1) ||
		       strcmp(r->env_hint, "kitty") == 0;
	case PV_ITERM2:
		return iterm_like(r) || strcmp(r->env_hint, "iterm2") == 0;
	default:
		return 0;
	}
}

/* kitty's Unicode placeholders (U=1): kitty 0.28 and later, Ghostty. */
static int knows_placeholders(const char *version)
{
	int major = 0, minor = 0;

	if (strncmp(version, "ghostty", 7) == 0)
		return 1;
	if (sscanf(version, "kitty(%d.%d", &major, &minor) == 2)
		return major > 0 || minor >= 28;
	return 0;
}

int tp_placeholders(const struct tp_result *r)
{
	return knows_placeholders(r->version);
}

enum pv_mode tp_decide(const struct tp_result *r, int forced, char **why)
{
	const char *outer = *r->client_term ? r->client_term : "the outer terminal";

	if (forced >= 0 && forced < PV_NMODES) {
		*why = xasprintf("%s: set by preview-mode or --preview", pv_mode_name(forced));
		return (enum pv_mode)forced;
	}
	if (r->in_screen) {
		*why = xstrdup("symbols: inside GNU screen, whose cells carry symbols but not pixel "
			       "images (set preview-mode to force one)");
		return PV_SYMBOLS;
	}
	if (r->in_tmux && !r->tmux_asked) {
		*why = xasprintf("symbols: inside tmux, which could not be asked whether it passes "
				 "pictures through (%s)",
				 r->tmux_error);
		return PV_SYMBOLS;
	}
	if (r->in_tmux && !r->passthrough) {
		*why = xstrdup("symbols: inside tmux with allow-passthrough off, so tmux drops pictures "
			       "(add 'set -g allow-passthrough on' to ~/.tmux.conf)");
		return PV_SYMBOLS;
	}
	if (r->in_tmux && !r->da1) {
		*why = xasprintf("symbols: inside tmux with allow-passthrough on, but %s answered nothing "
				 "through it within %d ms (raise probe-timeout if it is slow)",
				 outer, r->budget_ms);
		return PV_SYMBOLS;
	}
	if (r->no_color) {
		*why = xstrdup("symbols in monochrome: NO_COLOR is set (set color always, or set "
			       "preview-mode, to have colour pictures)");
		return PV_SYMBOLS;
	}
	if (r->kitty == 1 && !(r->in_tmux && !tp_placeholders(r))) {
		*why = xasprintf("kitty: the terminal answered the kitty graphics query with OK%s",
				 r->in_tmux ? " through tmux passthrough (Unicode placeholders)" : "");
		return PV_KITTY;
	}
	if (iterm_like(r)) {
		*why = xasprintf("iterm2: the terminal says it is %s%s",
				 *r->version ? r->version : *r->lc_terminal ? r->lc_terminal : r->term_program,
				 r->in_tmux ? " (through tmux passthrough)" : "");
		return PV_ITERM2;
	}
	if (r->sixel) {
		*why = xasprintf("sixel: the DA1 answer lists attribute 4 (sixel graphics)%s",
				 r->in_tmux ? ", through tmux passthrough" : "");
		return PV_SIXEL;
	}
	if (r->in_tmux && r->kitty == 1) {
		/* tmux 3.3 drops passthrough for panes not shown, so a direct
		 * placement could not be taken away when another window shows. */
		*why = xasprintf("symbols: %s answered the kitty graphics query through tmux passthrough, "
				 "but without Unicode placeholders (kitty 0.28 or later) its pictures would "
				 "float over tmux's other windows (set preview-mode kitty to have them anyway)",
				 *r->version ? r->version : outer);
		return PV_SYMBOLS;
	}
	if (r->in_tmux) {
		*why = xasprintf("symbols: %s (%s) answered through tmux passthrough but offers no pixel "
				 "protocol",
				 outer, *r->version ? r->version : "no name given");
		return PV_SYMBOLS;
	}
	if (r->kitty_env && r->kitty != -1 && !r->da1) {
		*why = xstrdup("kitty: TERM or KITTY_WINDOW_ID says kitty (the query went unanswered)");
		return PV_KITTY;
	}
	if (!r->da1 && (strcmp(r->env_hint, "sixel") == 0 || strcmp(r->env_hint, "kitty") == 0 ||
			strcmp(r->env_hint, "iterm2") == 0)) {
		int known;
		*why = xasprintf("%s: no answers; chafa's terminal database says so from the environment",
				 r->env_hint);
		return (enum pv_mode)pv_mode_parse(r->env_hint, &known);
	}
	*why = xasprintf("symbols: %s", r->da1 ? "the terminal offers no pixel protocol"
					   : "the terminal answered no question");
	return PV_SYMBOLS;
}

int tp_cell_size(const struct tp_result *r, int fd, int *cw, int *ch)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 &&
	    plausible_pixels(ws.ws_col, ws.ws_row, ws.ws_xpixel, ws.ws_ypixel)) {
		*cw = ws.ws_xpixel / ws.ws_col;
		*ch = ws.ws_ypixel / ws.ws_row;
		return 1;
	}
	if (r && r->cell_w > 0 && r->cell_h > 0) {
		*cw = r->cell_w;
		*ch = r->cell_h;
		return 1;
	}
	*cw = DEFAULT_CELL_W;
	*ch = DEFAULT_CELL_H;
	return 0;
}

void tp_result_free(struct tp_result *r)
{
	sb_free(&r->log);
}
