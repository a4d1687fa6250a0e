/*
 * doctor.c - the terminal part of `lightbox doctor`: what the terminal
 * says it can draw, asked exactly as the interface asks at start
 * (termprobe.c), with every question and answer made visible, and the
 * preview mode that follows, with the reason.
 *
 * The questions go to /dev/tty, so that `lightbox doctor | less` still
 * asks the terminal and not the pipe.
 */
#include "config.h"

#include "tui.h"

#include <fcntl.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "keymaps/keymaps.h"
#include "preview.h"

/* Colours the way the interface will see them (terminfo, NO_COLOR,
 * `set color`). */
static void colours(struct sbuf *out, const struct km_options *opt, int fd, const struct tp_result *r)
{
	int err = 0, colors, pairs, rgb;
	enum km_choice c = km_opt_choice(opt, KM_O_COLOR);

	if (setupterm(NULL, fd, &err) != 0) {
		sb_addf(out, "  terminfo has no entry for TERM=%s: the interface cannot start\n",
			*r->term ? r->term : "(unset)");
		return;
	}
	colors = tigetnum((char *)"colors");
	pairs = tigetnum((char *)"pairs");
	rgb = tigetflag((char *)"RGB") > 0;
	sb_addf(out, "  terminfo       colors#%d pairs#%d%s\n", colors, pairs, rgb ? " RGB (direct colour)" : "");
	if (c == KM_V_COLOR_NEVER || (r->no_color && c != KM_V_COLOR_ALWAYS) || colors < 8)
		sb_addf(out, "  symbols        monochrome (%s)\n",
			c == KM_V_COLOR_NEVER ? "set color never"
			: colors < 8	      ? "the terminal has no colours"
					      : "NO_COLOR is set");
	else if (colors >= 16777216)
		sb_adds(out, "  symbols        24-bit colour through ncurses' direct colour\n");
	else if (colors >= 256)
		sb_addf(out, "  symbols        256 colours (chafa's 240-colour palette, %s)\n",
			pairs >= 64 + 241 * 241 ? "one colour pair per combination"
						: "colour pairs handed out as met");
	else
		sb_addf(out, "  symbols        %d colours\n", colors >= 16 ? 16 : 8);
	if (!rgb && (strcmp(r->colorterm, "truecolor") == 0 || strcmp(r->colorterm, "24bit") == 0))
		sb_addf(out, "                 (COLORTERM=%s, but ncurses needs a terminfo entry with RGB for "
			     "24-bit, e.g. TERM=xterm-direct)\n",
			r->colorterm);
}

/* What tmux allows, which case holds, and the lines that fix or help. */
static void tmux_part(struct sbuf *out, const struct tp_result *r)
{
	sb_adds(out, "\ntmux\n");
	if (!r->tmux_asked) {
		sb_addf(out, "  tmux could not be asked: %s\n"
			     "  pictures stay symbols; run doctor in the pane where you curate\n",
			r->tmux_error);
		return;
	}
	sb_addf(out, "  tmux %s; the outer terminal: TERM=%s%s%s; this pane starts at row %d, column %d\n",
		r->tmux_version, *r->client_term ? r->client_term : "(not attached)",
		*r->client_type ? ", " : "", r->client_type, r->pane_y + 1, r->pane_x + 1);
	if (!r->passthrough)
		sb_adds(out, "  case: passthrough is off, so tmux drops every picture; the outer terminal "
			     "was not asked.\n"
			     "  fix: add this line to ~/.tmux.conf (then tmux source-file ~/.tmux.conf):\n"
			     "      set -g allow-passthrough on\n");
	else if (!r->da1)
		sb_adds(out, "  case: passthrough is on, but the outer terminal answered nothing through it "
			     "in time (a slow link: raise probe-timeout; or a terminal that ignores DA1)\n");
	else if (r->kitty == 1 && !tp_placeholders(r) && !r->sixel)
		sb_adds(out, "  case: passthrough is on and the outer terminal draws kitty pictures, but "
			     "without Unicode placeholders (kitty 0.28 or later): symbols, as its pictures "
			     "would float over tmux's other windows\n");
	else if (r->sixel || r->kitty == 1 || tp_capable(r, PV_ITERM2))
		sb_addf(out, "  case: passthrough is on and the outer terminal draws %s\n",
			r->kitty == 1 ? "kitty pictures with Unicode placeholders"
			: r->sixel    ? "sixel"
				      : "iTerm2 inline images");
	else
		sb_adds(out, "  case: passthrough is on, but the outer terminal draws no pixel pictures "
			     "(no sixel in DA1, no kitty answer): symbols\n");
	if (!r->focus_events)
		sb_adds(out, "  helps: set -g focus-events on  (the picture comes back at once when you "
			     "return to this window or reattach)\n");
	else
		sb_adds(out, "  focus-events is on: pictures come back when you return to this window\n");
	sb_adds(out, "  a tmux popup or a window over the picture erases it; press Ctrl-L (or move) "
		     "to draw it again\n");
}

int tui_doctor_terminal(const struct km_options *opt, const char *preview, struct sbuf *out)
{
	struct tp_result r;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), forced = -1, known, budget, m;
	enum km_choice pm = km_opt_choice(opt, KM_O_PREVIEW_MODE);
	enum pv_mode mode;
	char *why = NULL, *vis;
	const char *forced_by = NULL;

	memset(&r, 0, sizeof r);
	tp_environment(&r);
	if ((r.no_color && km_opt_choice(opt, KM_O_COLOR) != KM_V_COLOR_ALWAYS) ||
	    km_opt_choice(opt, KM_O_COLOR) == KM_V_COLOR_NEVER)
		r.no_color = 1;
	else
		r.no_color = 0;
	if (preview) {
		forced = pv_mode_parse(preview, &known);
		if (!known) {
			vis = util_visible_dup(preview, 0);
			sb_addf(out, "--preview %s: not a mode (auto, symbols, sixel, kitty, iterm2, none)\n", vis);
			free(vis);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		forced_by = "--preview";
	} else if (pm != KM_V_PREVIEW_MODE_AUTO) {
		forced = pv_mode_parse(km_choice_name(pm), &known);
		forced_by = "set preview-mode";
	}

	sb_adds(out, "Terminal\n");
	sb_addf(out, "  TERM=%s TERM_PROGRAM=%s COLORTERM=%s LC_TERMINAL=%s\n", *r.term ? r.term : "(unset)",
		r.term_program, r.colorterm, r.lc_terminal);
	sb_addf(out, "  inside tmux: %s, inside screen: %s, over SSH: %s, NO_COLOR: %s, locale: %s\n",
		r.in_tmux ? "yes" : "no", r.in_screen ? "yes" : "no", r.over_ssh ? "yes" : "no",
		getenv("NO_COLOR") && *getenv("NO_COLOR") ? "set" : "unset", nl_langinfo(CODESET));

	budget = tp_budget((int)km_opt_int(opt, KM_O_PROBE_TIMEOUT), r.over_ssh);
	if (fd < 0) {
		sb_adds(out, "  no terminal (/dev/tty cannot be opened): ");
		tp_probe(&r, -1, -1, 0, 0);
	} else {
		sb_addf(out, "\nQuestions, sent at once, DA1 last as the fence (probe-timeout %d ms%s)\n", budget,
			r.over_ssh ? ", at least " "1000" " over SSH" : "");
		tp_probe(&r, fd, fd, budget, 3000);
	}
	sb_add(out, r.log.s, r.log.len);
	if (*r.version)
		sb_addf(out, "  the terminal calls itself: %s\n", r.version);
	if (r.da1)
		sb_addf(out, "  sixel: %s\n", r.sixel ? "yes (DA1 attribute 4)" : "no (no attribute 4 in DA1)");
	if (r.asked_kitty)
		sb_addf(out, "  kitty graphics: %s\n", r.kitty == 1 ? "yes" : r.kitty < 0 ? "refused" : "no answer");
	sb_addf(out, "  chafa's terminal database (environment only) says: %s\n", r.env_hint);

	if (r.in_tmux)
		tmux_part(out, &r);
	else if (r.in_screen)
		sb_adds(out, "\nGNU screen\n  screen passes no pictures on: previews are symbols "
			     "(tmux 3.3 or later with allow-passthrough on can show pixels)\n");

	sb_adds(out, "\nSize\n");
	if (r.cols)
		sb_addf(out, "  %dx%d cells, %dx%d pixels (TIOCGWINSZ)\n", r.cols, r.rows, r.xpixel, r.ypixel);
	if (r.cell_w)
		sb_addf(out, "  a cell is %dx%d px (%s)\n", r.cell_w, r.cell_h, r.cell_source);
	else
		sb_adds(out, "  cell size unknown: pictures assume 10x20 px cells (symbols only need the ratio)\n");
	if (r.sixel_colors || r.sixel_max_w)
		sb_addf(out, "  sixel: %d colour registers, graphics up to %dx%d px\n", r.sixel_colors, r.sixel_max_w,
			r.sixel_max_h);

	sb_adds(out, "\nColours\n");
	if (fd >= 0)
		colours(out, opt, fd, &r);
	else
		sb_adds(out, "  no terminal to look up: run 'lightbox doctor' in the terminal you curate in\n");

	mode = tp_decide(&r, -1, &why);
	sb_adds(out, "\nPreview\n");
	if (forced >= 0) {
		sb_addf(out, "  mode: %s, set by %s\n", pv_mode_name(forced), forced_by);
		sb_addf(out, "  (auto would choose %s)\n", why);
		if (!tp_capable(&r, (enum pv_mode)forced))
			sb_addf(out, "  warning: this terminal did not say it draws %s; pictures may not appear\n",
				pv_mode_name(forced));
	} else {
		sb_addf(out, "  mode: %s\n", why);
	}
	sb_adds(out, "  this terminal can show:");
	for (m = PV_SYMBOLS; m < PV_NMODES; m++)
		if (tp_capable(&r, (enum pv_mode)m))
			sb_addf(out, " %s", pv_mode_name(m));
	sb_adds(out, " none\n");
	sb_addf(out, "  kitty and iTerm2 pictures are sent under %zu KB (%s); sixel in up to %d colours\n",
		(r.over_ssh ? (size_t)PV_BUDGET_REMOTE : (size_t)PV_BUDGET_LOCAL) / 1024,
		r.over_ssh ? "over SSH" : "on this machine", r.sixel_colors > 0 ? r.sixel_colors : 256);
	(void)mode;
	free(why);
	tp_result_free(&r);
	if (fd >= 0)
		close(fd);
	return 0;
}
