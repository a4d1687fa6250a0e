/*
 * loop.c - the terminal and the event loop.
 *
 * poll() waits on the terminal, a self-pipe (signals, the worker thread,
 * later the job runner) and a timer that checks PRAGMA data_version so
 * another curator's changes show within a poll interval; on a PostgreSQL
 * store also on its connection, which hears every commit (NOTIFY).  Keys read from
 * ncurses become keymaps' km_key codes (ESC-prefixed keys are Meta, a
 * bracketed paste is one piece of text), every pending key is handled
 * before the next frame, and only here is the screen repainted: erase,
 * draw the views into ncurses' virtual screen, one doupdate().
 */
#include "config.h"

#include "tui-private.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

enum { MIN_COLS = 40, MIN_ROWS = 10 };

/* Key codes we ask ncurses to report (above its dynamic range). */
enum { KEY_PASTE_BEGIN = 0x7F00, KEY_PASTE_END = 0x7F01 };
/* The start of a terminal's answer to a question asked at start-up
 * (termprobe.c) that came too late: swallowed up to its end, never keys. */
enum { KEY_LATE_CSI = 0x7F02, KEY_LATE_STRING = 0x7F03 };
/* Focus reports (DECSET 1004: ESC [ I, ESC [ O). */
enum { KEY_FOCUS_IN = 0x7F04, KEY_FOCUS_OUT = 0x7F05 };

static int wake_fd = -1;
static volatile sig_atomic_t sig_winch, sig_int, sig_term, sig_cont;

/* Extended terminfo keys (xterm's modified arrows) and what they mean. */
static struct {
	const char *cap;
	km_key key;
	int code;
} xkeys[] = {
	{ "kUP5", KM_MOD_CTRL | KM_KEY_UP, 0 },     { "kDN5", KM_MOD_CTRL | KM_KEY_DOWN, 0 },
	{ "kLFT5", KM_MOD_CTRL | KM_KEY_LEFT, 0 },  { "kRIT5", KM_MOD_CTRL | KM_KEY_RIGHT, 0 },
	{ "kUP3", KM_MOD_META | KM_KEY_UP, 0 },     { "kDN3", KM_MOD_META | KM_KEY_DOWN, 0 },
	{ "kLFT3", KM_MOD_META | KM_KEY_LEFT, 0 },  { "kRIT3", KM_MOD_META | KM_KEY_RIGHT, 0 },
	{ "kHOM5", KM_MOD_CTRL | KM_KEY_HOME, 0 },  { "kEND5", KM_MOD_CTRL | KM_KEY_END, 0 },
	{ "kDC5", KM_MOD_CTRL | KM_KEY_DELETE, 0 }, { "kNXT5", KM_MOD_CTRL | KM_KEY_PAGEDOWN, 0 },
	{ "kPRV5", KM_MOD_CTRL | KM_KEY_PAGEUP, 0 },
};

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGWINCH)
		sig_winch = 1;
	else if (sig == SIGINT)
		sig_int = 1;
	else if (sig == SIGCONT)
		sig_cont = 1;
	else
		sig_term = 1;
	if (wake_fd >= 0)
		util_wake(wake_fd, c);
	errno = saved;
}

static void set_signals(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCONT };
	size_t i;

	/* SA_RESTART: a signal never makes a read or write of ncurses, SQLite
	 * or stdio fail with EINTR; the loop learns of it through the
	 * self-pipe, and poll() returns on a signal whatever the flag.  The
	 * mask blocks the others while a handler runs. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void reset_signals(void)
{
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCONT };
	size_t i;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
}

/* Bracketed paste (xterm's DECSET 2004): a paste arrives between
 * ESC[200~ and ESC[201~, so pasted text is text, never keys.  Terminals
 * that do not know the mode ignore it.  Written at once: ncurses would
 * hold it until it next flushes on its own. */
static void bracketed_paste(int on)
{
	fputs(on ? "\033[?2004h" : "\033[?2004l", stdout);
	/* Inside tmux, focus reports (DECSET 1004, sent by tmux with
	 * focus-events on) tell when the window comes back: tmux has then
	 * redrawn the pane's cells over any picture passed through. */
	if (getenv("TMUX") && *getenv("TMUX"))
		fputs(on ? "\033[?1004h" : "\033[?1004l", stdout);
	fflush(stdout);
}

static SCREEN *screen;

int tui_screen_init(struct tui *ui)
{
	const char *term = getenv("TERM");
	size_t i;
	char *s;
	int code;

	wake_fd = ui->wake[1];
	set_signals();
	/* Asked of terminfo first: a newterm that fails loses the screen it
	 * began, a leak in ncurses (seen by LeakSanitizer); setupterm's entry
	 * is given back whole. */
	if (setupterm(NULL, fileno(stdout), &code) == OK && cur_term)
		del_curterm(cur_term);
	else
		code = -1;
	screen = code < 0 ? NULL : newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		fprintf(stderr, "lightbox: cannot use the terminal type '%s'; set TERM to one this system knows "
				"(for example TERM=xterm-256color)\n",
			term ? term : "(unset)");
		reset_signals();
		return -1;
	}
	set_term(screen);
	raw();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, FALSE);
	draw_init_colors(km_opt_choice(ui->opt, KM_O_COLOR) == KM_V_COLOR_ALWAYS  ? 1
			 : km_opt_choice(ui->opt, KM_O_COLOR) == KM_V_COLOR_NEVER ? 2
										  : 0);
	define_key("\033[200~", KEY_PASTE_BEGIN);
	define_key("\033[201~", KEY_PASTE_END);
	define_key("\033[?", KEY_LATE_CSI);
	define_key("\033_G", KEY_LATE_STRING);
	define_key("\033P>|", KEY_LATE_STRING);
	define_key("\033[I", KEY_FOCUS_IN);
	define_key("\033[O", KEY_FOCUS_OUT);
	for (i = 0; i < sizeof xkeys / sizeof xkeys[0]; i++) {
		s = tigetstr((char *)xkeys[i].cap);
		if (s == NULL || s == (char *)-1)
			continue;
		code = key_defined(s);
		if (code > 0)
			xkeys[i].code = code;
	}
	bracketed_paste(1);
	return 0;
}

void tui_screen_end(struct tui *ui)
{
	if (screen == NULL)
		return;
	if (ui->preview && ui->preview->ops->leave)
		ui->preview->ops->leave(ui->preview);
	bracketed_paste(0);
	endwin();
	delscreen(screen);
	screen = NULL;
	reset_signals();
	wake_fd = -1;
}

void tui_suspend_screen(struct tui *ui)
{
	if (ui->preview && ui->preview->ops->leave)
		ui->preview->ops->leave(ui->preview);
	else if (ui->preview)
		ui->preview->ops->hide(ui->preview);
	def_prog_mode();
	bracketed_paste(0);
	endwin();
}

static void check_size(struct tui *ui)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	ui->dirty |= R_REDRAW | R_FULL;
}

void tui_resume_screen(struct tui *ui)
{
	reset_prog_mode();
	bracketed_paste(1);
	check_size(ui);
	clearok(curscr, TRUE);
	ui->dirty |= R_REDRAW | R_FULL;
}

/* ------------------------------------------------------------ keys */

static km_key translate_code(int ch)
{
	size_t i;

	switch (ch) {
	case KEY_UP: return KM_KEY_UP;
	case KEY_DOWN: return KM_KEY_DOWN;
	case KEY_LEFT: return KM_KEY_LEFT;
	case KEY_RIGHT: return KM_KEY_RIGHT;
	case KEY_HOME: return KM_KEY_HOME;
	case KEY_END: return KM_KEY_END;
	case KEY_PPAGE: return KM_KEY_PAGEUP;
	case KEY_NPAGE: return KM_KEY_PAGEDOWN;
	case KEY_IC: return KM_KEY_INSERT;
	case KEY_DC: return KM_KEY_DELETE;
	case KEY_BACKSPACE: return KM_KEY_BACKSPACE;
	case KEY_ENTER: return KM_KEY_ENTER;
	case KEY_BTAB: return KM_MOD_SHIFT | KM_KEY_TAB;
	case KEY_B2: return KM_KEY_BEGIN;
	case KEY_SLEFT: return KM_MOD_SHIFT | KM_KEY_LEFT;
	case KEY_SRIGHT: return KM_MOD_SHIFT | KM_KEY_RIGHT;
	case KEY_SR: return KM_MOD_SHIFT | KM_KEY_UP;
	case KEY_SF: return KM_MOD_SHIFT | KM_KEY_DOWN;
	case KEY_SHOME: return KM_MOD_SHIFT | KM_KEY_HOME;
	case KEY_SEND: return KM_MOD_SHIFT | KM_KEY_END;
	case KEY_SDC: return KM_MOD_SHIFT | KM_KEY_DELETE;
	default: break;
	}
	if (ch >= KEY_F(1) && ch <= KEY_F(24))
		return KM_KEY_F1 + (km_key)(ch - KEY_F(1));
	for (i = 0; i < sizeof xkeys / sizeof xkeys[0]; i++)
		if (xkeys[i].code && xkeys[i].code == ch)
			return xkeys[i].key;
	return KM_KEY_NONE;
}

static void paste_char(struct tui *ui, wint_t ch)
{
	char buf[8];
	size_t n;
	mbstate_t ps;

	memset(&ps, 0, sizeof ps);
	if (ch == '\r')
		ch = '\n';
	n = wcrtomb(buf, (wchar_t)ch, &ps);
	if (n != (size_t)-1)
		sb_add(&ui->pastebuf, buf, n);
}

static void paste_end(struct tui *ui)
{
	ui->paste = 0;
	if (prompt_active(ui))
		prompt_paste(ui, ui->pastebuf.s);
	else if (form_active(ui))
		form_paste(ui, ui->pastebuf.s);
	else if (ui->pastebuf.len)
		tui_msg(ui, "pasted text ignored: paste into a prompt (: / f t n)");
	sb_reset(&ui->pastebuf);
	ui->dirty |= R_REDRAW;
}

static void handle_key(struct tui *ui, km_key key)
{
	struct view *v = tui_top(ui);
	enum km_action a;
	char name[KM_KEY_NAME_MAX];

	if (key == KM_KEY_NONE)
		return;
	if (ui->nmsg > 1) {
		/* A key dismisses a block of messages (config errors at start). */
		tui_msg_clear(ui);
		ui->dirty |= R_REDRAW;
		return;
	}
	tui_msg_clear(ui);
	if (prompt_active(ui)) {
		ui->dirty |= prompt_key(ui, key);
		return;
	}
	if (form_active(ui)) {
		ui->dirty |= form_key(ui, key);
		return;
	}
	if (v == NULL)
		return;
	if (v->ops->takes && (a = km_lookup_own(ui->km, v->ops->keys_first, key)) != KM_A_NONE &&
	    v->ops->takes(v, a)) {
		tui_dispatch(ui, a, NULL);
		return;
	}
	a = km_lookup(ui->km, v->ops->ctx, key);
	if (a != KM_A_NONE) {
		tui_dispatch(ui, a, NULL);
		return;
	}
	if (key == (KM_MOD_CTRL | 'c')) {
		ui->quit = 1;
		return;
	}
	if (key == (KM_MOD_CTRL | 'z')) {
		struct sigaction dfl, old;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		tui_suspend_screen(ui);
		sigaction(SIGTSTP, &dfl, &old);
		raise(SIGTSTP);
		sigaction(SIGTSTP, &old, NULL);
		tui_resume_screen(ui);
		return;
	}
	tui_msg(ui, "%s does nothing in the %s view (? lists the keys)", km_key_name(key, name),
		km_context_name(v->ops->ctx));
}

/* Reads and drops the rest of a late answer: a CSI up to its final byte,
 * a string up to ST (or BEL). */
static void swallow_answer(int string)
{
	wint_t ch;
	int prev = 0;

	while (get_wch(&ch) != ERR) {
		if (!string && ch >= 0x40 && ch <= 0x7e)
			return;
		if (string && (ch == 0x07 || (prev == 0x1b && ch == '\\')))
			return;
		prev = (int)ch;
	}
}

/* Reads every key ncurses has and handles each. */
static void read_keys(struct tui *ui)
{
	wint_t ch, ch2;
	int rc, rc2;
	km_key key;

	while (!ui->quit && (rc = get_wch(&ch)) != ERR) {
		if (rc == KEY_CODE_YES) {
			if (ch == KEY_RESIZE) {
				check_size(ui);
				continue;
			}
			if (ch == KEY_PASTE_BEGIN) {
				ui->paste = 1;
				sb_reset(&ui->pastebuf);
				continue;
			}
			if (ch == KEY_PASTE_END) {
				paste_end(ui);
				continue;
			}
			if (ch == KEY_LATE_CSI || ch == KEY_LATE_STRING) {
				swallow_answer(ch == KEY_LATE_STRING);
				continue;
			}
			if (ch == KEY_FOCUS_IN) {
				/* Back from another tmux window or a detach: draw all
				 * again (but not for the focus-in tmux sends at once
				 * when the reports are turned on). */
				if (ui->focus_seen)
					check_size(ui);
				ui->focus_seen = 1;
				continue;
			}
			if (ch == KEY_FOCUS_OUT) {
				ui->focus_seen = 1;
				continue;
			}
			if (ui->paste)
				continue;
			handle_key(ui, translate_code((int)ch));
			continue;
		}
		if (ui->paste) {
			paste_char(ui, ch);
			continue;
		}
		if (ch == 27) {
			/* ESC with a key right behind it is that key with Meta. */
			rc2 = get_wch(&ch2);
			if (rc2 == ERR)
				key = KM_KEY_ESC;
			else if (rc2 == KEY_CODE_YES)
				key = translate_code((int)ch2) | KM_MOD_META;
			else
				key = km_key_from_char((uint32_t)ch2) | KM_MOD_META;
			if ((key & KM_KEY_BASE_MASK) == KM_KEY_NONE)
				continue;
			handle_key(ui, key);
			continue;
		}
		handle_key(ui, km_key_from_char((uint32_t)ch));
	}
}

/* ------------------------------------------------------------ painting */

static void draw_title(struct tui *ui)
{
	struct sbuf b, part[TUI_MAX_VIEWS];
	const char *who = store_curator(ui->st);
	int i, first = 0, cols = COLS, rw, room, width;

	draw_fill(0, 0, cols, ROLE_TITLE);
	rw = draw_width(who) + 2;
	room = cols - rw - 1;
	for (i = 0; i < ui->depth; i++) {
		sb_init(&part[i]);
		ui->stack[i]->ops->crumb(ui->stack[i], &part[i]);
	}
	/* The deepest places matter most: when it is too long, the first
	 * parts give way to an ellipsis. */
	for (;;) {
		sb_init(&b);
		sb_adds(&b, " lightbox");
		if (first > 0) {
			sb_adds(&b, glyph_crumb());
			sb_adds(&b, draw_unicode() ? "\xe2\x80\xa6" : "...");
		}
		for (i = first; i < ui->depth; i++) {
			sb_adds(&b, glyph_crumb());
			sb_adds(&b, part[i].s);
		}
		width = draw_width(b.s);
		if (width <= room || first >= ui->depth - 1)
			break;
		sb_free(&b);
		first++;
	}
	draw_text(0, 0, room, ROLE_TITLE, b.s);
	draw_text_right(0, cols - rw, rw, ROLE_TITLE, who);
	sb_free(&b);
	for (i = 0; i < ui->depth; i++)
		sb_free(&part[i]);
}

static void draw_status(struct tui *ui, int y)
{
	struct view *v = tui_top(ui);
	struct sbuf left, right;
	int cols = COLS, rw;

	sb_init(&left);
	sb_init(&right);
	draw_fill(y, 0, cols, ROLE_STATUS);
	sb_addf(&left, " [%s]", v->ops->name);
	tui_gen_status(ui, &right);
	v->ops->status(v, &left, &right);
	wr_status(ui, &left);
	if (ui->status_note)
		sb_addf(&left, "  %s", ui->status_note);
	sb_addc(&right, ' ');
	rw = draw_width(right.s);
	if (rw > cols / 2)
		rw = cols / 2;
	draw_text(y, 0, cols - rw - 1, ROLE_STATUS, left.s);
	draw_text_right(y, cols - rw, rw, ROLE_STATUS, right.s);
	sb_free(&left);
	sb_free(&right);
}

static void draw_too_small(void)
{
	char msg[96];
	int len, y, x;

	snprintf(msg, sizeof msg, "lightbox needs at least %dx%d; this terminal is %dx%d", MIN_COLS, MIN_ROWS,
		 COLS, LINES);
	len = (int)strlen(msg);
	y = LINES / 2;
	x = COLS > len ? (COLS - len) / 2 : 0;
	if (COLS < len) {
		/* Narrower than the sentence: say it in two short lines. */
		snprintf(msg, sizeof msg, "need %dx%d", MIN_COLS, MIN_ROWS);
		draw_text(y > 0 ? y - 1 : 0, 0, COLS, ROLE_ERROR, "terminal too small");
		draw_text(y, 0, COLS, ROLE_NORMAL, msg);
		return;
	}
	draw_text(y, x, COLS - x, ROLE_ERROR, msg);
}

void tui_repaint(struct tui *ui, int full)
{
	struct view *v = tui_top(ui);
	struct rect body;
	int rows = LINES, cols = COLS, i, y;

	if (full)
		clearok(curscr, TRUE);
	draw_erase();
	ui->too_small = cols < MIN_COLS || rows < MIN_ROWS;
	if (ui->too_small || v == NULL) {
		if (ui->preview)
			ui->preview->ops->hide(ui->preview);
		draw_too_small();
		draw_place_cursor();
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	if (ui->preview && ui->preview->ops->begin)
		ui->preview->ops->begin(ui->preview);
	draw_title(ui);
	body.y = 1;
	body.x = 0;
	body.h = rows - 3;
	body.w = cols;
	v->ops->draw(v, body);
	/* Pictures under the form are covered: prepare() takes them away. */
	if (form_active(ui))
		form_draw(ui, body);
	draw_status(ui, rows - 2);
	draw_fill(rows - 1, 0, cols, ROLE_NORMAL);
	if (ui->nmsg > 1 && !prompt_active(ui)) {
		/* Several lines (config errors at start): above the status line. */
		y = rows - 2 - ui->nmsg;
		if (y < 1)
			y = 1;
		for (i = 0; i < ui->nmsg && y + i < rows - 2; i++) {
			draw_fill(y + i, 0, cols, ROLE_NORMAL);
			draw_text(y + i, 1, cols - 2, ui->msg_error ? ROLE_ERROR : ROLE_INFO, ui->msg[i]);
		}
		draw_text(rows - 1, 1, cols - 2, ROLE_DIM, "(any key to continue)");
	} else if (prompt_active(ui)) {
		prompt_draw(ui, rows - 1, cols);
	} else if (ui->nmsg == 1) {
		draw_text(rows - 1, 0, cols, ui->msg_error ? ROLE_ERROR : ROLE_INFO, ui->msg[0]);
	}
	if (ui->preview && ui->preview->ops->prepare)
		ui->preview->ops->prepare(ui->preview);
	draw_place_cursor();
	wnoutrefresh(stdscr);
	doupdate();
	if (ui->preview)
		ui->preview->ops->flush(ui->preview);
	bg_kick(ui->bg);
}

void tui_busy(struct tui *ui, const char *what)
{
	if (ui->too_small || tui_top(ui) == NULL)
		return;
	tui_msg(ui, "%s", what);
	tui_repaint(ui, 0);
}

/* ------------------------------------------------------------ the loop */

/* Whether view v shows something of what the commits heard of changed:
 * a view of one brief (its list, grid, detail, compare...) only when
 * that brief is among them; a view of many (projects, briefs) always. */
static int heard_shows(const struct view *v, const struct store_heard *h)
{
	int i;

	if (h->all || v->brief_id <= 0)
		return 1;
	for (i = 0; i < h->n; i++)
		if (h->brief[i] == v->brief_id)
			return 1;
	return 0;
}

/* LIGHTBOX_REFRESH_LOG=FILE: a line per change of the store the view
 * looked at ("reload"/"skip", its brief, what was heard), for tests. */
static void refresh_log(const struct view *v, const struct store_heard *h, const char *what)
{
	const char *path = getenv("LIGHTBOX_REFRESH_LOG");
	FILE *f;
	int i;

	if (path == NULL || *path == '\0' || (f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "%s brief=%lld kinds=%s briefs=", what, v ? (long long)v->brief_id : 0LL,
		h->kinds);
	if (h->all)
		fputs("*", f);
	for (i = 0; i < h->n && !h->all; i++)
		fprintf(f, "%s%lld", i ? "," : "", (long long)h->brief[i]);
	fputc('\n', f);
	fclose(f);
}

static void poll_store(struct tui *ui)
{
	struct view *v = tui_top(ui);
	struct store_heard h;
	int64_t dv, ev = -1;

	if (store_data_version(ui->st, &dv) != 0 || dv == ui->data_version)
		return;
	ui->data_version = dv;
	/* What the others' commits said they touched (PostgreSQL's NOTIFY
	 * payloads; SQLite: all). */
	store_changes_heard(ui->st, &h);
	tui_gen_changed(ui);
	ui->dirty |= R_REDRAW;
	/* No new event: only job rows changed (a runner's progress and
	 * states).  Lists of curation data stay as they are — re-reading a
	 * window of a big list every poll while jobs run is what made keys
	 * wait (tui-bench) — and only the job view reads again. */
	if (store_event_last(ui->st, &ev) == 0 && ev == ui->event_last) {
		if (v && v->ops->ctx == KM_CTX_JOBS)
			v->ops->reload(v, 0);
		tui_stale_below(ui);
		return;
	}
	/* Only this interface's own one-row changes: their rows were re-read
	 * when saved; a whole re-read and recount per rating is not needed. */
	if (ev > ui->event_last && wr_own_events(ui, ui->event_last, ev)) {
		ui->event_last = ev;
		tui_stale_below(ui);
		return;
	}
	ui->event_last = ev;
	/* Another brief's change: this view shows nothing of it. */
	if (v && !heard_shows(v, &h)) {
		refresh_log(v, &h, "skip");
		tui_stale_below(ui);
		return;
	}
	refresh_log(v, &h, "reload");
	if (v)
		v->ops->reload(v, 0);
	tui_stale_below(ui);
}

/* Checkpoints run in the worker (the interface's connection has them off). */
static void ckpt_run(struct bg_task *t, struct store *st)
{
	(void)t;
	if (st)
		store_wal_checkpoint(st, NULL, NULL);
}

static void ckpt_done(struct bg_task *t, struct tui *ui)
{
	(void)t;
	(void)ui;
}

static void ckpt_free(struct bg_task *t)
{
	free(t);
}

static void ask_checkpoint(struct tui *ui)
{
	struct bg_task *t = xcalloc(1, sizeof *t);

	t->run = ckpt_run;
	t->done = ckpt_done;
	t->free = ckpt_free;
	t->owner = 0;
	t->key = -1;
	bg_submit(ui->bg, t);
}

static int input_waiting(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

void tui_wake(int fd, enum tui_wake why)
{
	int saved = errno;

	if (fd < 0)
		return;
	util_wake(fd, (char)why);
	errno = saved;
}

int tui_wake_drain(int fd)
{
	char buf[256];
	ssize_t n, i;
	int store = 0;

	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] == WAKE_STORE)
				store = 1;
	}
	return store;
}

int tui_loop(struct tui *ui)
{
	struct pollfd fds[4];
	double now;
	long long interval;
	int timeout, nfds, change;

	struct view *v;
	int polls = 0;

	ui->dirty |= R_REDRAW | R_FULL;
	store_data_version(ui->st, &ui->data_version);
	store_event_last(ui->st, &ui->event_last);
	while (!ui->quit) {
		if (ui->dirty & (R_REDRAW | R_FULL)) {
			tui_repaint(ui, ui->dirty & R_FULL);
			ui->dirty = 0;
		}
		/* The job runner starts once the first frame is on the screen. */
		tui_gen_start(ui);
		view_stacks_fill_start(ui); /* missing fingerprints, in the worker */
		v = tui_top(ui);
		if (v && v->ops->idle && !prompt_active(ui) && !input_waiting())
			v->ops->idle(v);
		interval = km_opt_int(ui->opt, KM_O_POLL_INTERVAL);
		now = util_mono_ms();
		if (ui->next_poll < 0)
			ui->next_poll = now + (double)interval;
		timeout = ui->next_poll > now ? (int)(ui->next_poll - now) + 1 : 0;
		/* a view's timer (compare's flicker) wakes the poll itself */
		if (v && v->ops->tick && v->timer_at > 0) {
			int t = v->timer_at > now ? (int)(v->timer_at - now) + 1 : 0;

			if (t < timeout)
				timeout = t;
		}
		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		fds[1].fd = ui->wake[0];
		fds[1].events = POLLIN;
		/* Picture bytes on their way: wake when the terminal takes more. */
		fds[2].fd = preview_pending(ui->preview) ? STDOUT_FILENO : -1;
		fds[2].events = POLLOUT;
		fds[2].revents = 0;
		/* A store that says when others commit (PostgreSQL's NOTIFY)
		 * is looked at then, not only on the timer. */
		change = store_change_fd(ui->st);
		fds[3].fd = change;
		fds[3].events = POLLIN;
		fds[3].revents = 0;
		nfds = change >= 0 ? 4 : 3;
		if (poll(fds, (nfds_t)nfds, timeout) < 0 && errno != EINTR)
			return -1;
		if (change >= 0 && (fds[3].revents & POLLIN))
			ui->next_poll = 0; /* another connection committed */
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			ui->quit = 1; /* the terminal went away */
		if ((fds[1].revents & POLLIN) && tui_wake_drain(ui->wake[0]))
			ui->next_poll = 0; /* look at the store now */
		if (sig_term) {
			ui->quit = 1;
			break;
		}
		if (sig_int) {
			sig_int = 0;
			handle_key(ui, KM_MOD_CTRL | 'c');
		}
		if (sig_winch || sig_cont) {
			sig_winch = sig_cont = 0;
			check_size(ui);
		}
		if (bg_collect(ui->bg, ui) > 0)
			ui->dirty |= R_REDRAW;
		/* Saved changes; progress and "store busy" on the status line. */
		wr_collect(ui);
		tui_import_poll(ui);
		tui_watch_poll(ui);
		if (ui->preview && ui->preview->ops->poll && ui->preview->ops->poll(ui->preview))
			ui->dirty |= R_REDRAW;
		read_keys(ui);
		v = tui_top(ui);
		if (v && v->ops->tick && v->timer_at > 0 && util_mono_ms() >= v->timer_at) {
			v->timer_at = 0;
			ui->dirty |= v->ops->tick(v) & (R_REDRAW | R_FULL);
		}
		if (util_mono_ms() >= ui->next_poll) {
			poll_store(ui);
			ui->next_poll = util_mono_ms() + (double)interval;
			/* Elapsed times (and the time left of a job waiting
			 * to retry) tick in the job view. */
			v = tui_top(ui);
			if (v && v->ops->ctx == KM_CTX_JOBS && (tui_gen_running(ui) || tui_gen_queued(ui)))
				ui->dirty |= R_REDRAW;
			/* Every few seconds the worker copies the log back (cheap when
			 * there is nothing to copy). */
			if (++polls * interval >= 3000) {
				polls = 0;
				ask_checkpoint(ui);
				bg_kick(ui->bg);
			}
		}
	}
	return 0;
}
