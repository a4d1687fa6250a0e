/*
 * tui.c - the interface as a whole: starting it (config, store, worker,
 * terminal, the first views), the view stack, messages, dispatching an
 * action to the top view and then to the global handler, and the `:`
 * command line (actions by name with their argument, and the config
 * verbs set/bind/unbind/reset/source).
 */
#include "config.h"

#include "tui.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui-private.h"

/* ------------------------------------------------------------ messages */

void tui_msg_clear(struct tui *ui)
{
	int i;

	for (i = 0; i < ui->nmsg; i++)
		xfree(&ui->msg[i]);
	if (ui->nmsg)
		ui->dirty |= R_REDRAW;
	ui->nmsg = 0;
	ui->msg_error = 0;
}

void tui_msg_add_line(struct tui *ui, int error, const char *line)
{
	if (ui->nmsg == MSG_MAX_LINES) {
		free(ui->msg[MSG_MAX_LINES - 1]);
		ui->msg[MSG_MAX_LINES - 1] = xstrdup("...");
		return;
	}
	ui->msg[ui->nmsg++] = xstrdup(line);
	ui->msg_error |= error;
	ui->dirty |= R_REDRAW;
}

static void vmsg(struct tui *ui, int error, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);

	tui_msg_clear(ui);
	tui_msg_add_line(ui, error, s);
	free(s);
}

void tui_msg(struct tui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ui, 0, fmt, ap);
	va_end(ap);
}

void tui_error(struct tui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ui, 1, fmt, ap);
	va_end(ap);
}

void tui_store_error(struct tui *ui, const char *what)
{
	tui_error(ui, "%s: %s", what, store_errmsg(ui->st));
}

/* ------------------------------------------------------------ the view stack */

uint64_t tui_owner(struct tui *ui)
{
	return ++ui->next_owner;
}

struct view *tui_top(struct tui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

struct view *view_hold(struct view *v)
{
	v->refs++;
	return v;
}

void view_release(struct view *v)
{
	if (v->refs > 1) {
		v->refs--;
		return;
	}
	v->refs = 0;
	if (v->ui->bg)
		bg_forget(v->ui->bg, v->owner);
	v->ops->close(v);
}

/* The oldest view between the root and the top that only the stack holds,
 * or -1.  Never the top: its handler may be the one pushing. */
static int droppable(const struct tui *ui)
{
	int i;

	for (i = 1; i + 1 < ui->depth; i++)
		if (ui->stack[i]->refs == 1)
			return i;
	return -1;
}

void tui_push(struct tui *ui, struct view *v)
{
	struct view *old;
	int i;

	if (v == NULL)
		return;
	view_hold(v);
	if (ui->depth == TUI_MAX_VIEWS) {
		/* Let go of the oldest view above the root that no other view
		 * holds (a zoom or grid holds the view under it). */
		i = droppable(ui);
		if (i < 0) {
			view_release(v);
			tui_error(ui, "too many views open: go back (q) before opening another");
			return;
		}
		old = ui->stack[i];
		memmove(ui->stack + i, ui->stack + i + 1, (size_t)(ui->depth - i - 1) * sizeof *ui->stack);
		ui->depth--;
		view_release(old);
	}
	if (ui->preview)
		ui->preview->ops->hide(ui->preview);
	ui->stack[ui->depth++] = v;
	ui->dirty |= R_REDRAW;
}

void tui_pop(struct tui *ui)
{
	struct view *v;

	if (ui->depth <= 1)
		return;
	v = ui->stack[--ui->depth];
	if (ui->preview)
		ui->preview->ops->hide(ui->preview);
	view_release(v);
	v = tui_top(ui);
	/* What was below may be out of date: changes made above it, or by others. */
	v->stale = 0;
	v->ops->reload(v, RELOAD_EXTERNAL);
	ui->dirty |= R_REDRAW;
}

void tui_stale_below(struct tui *ui)
{
	int i;

	for (i = 0; i + 1 < ui->depth; i++)
		ui->stack[i]->stale = 1;
}

int64_t tui_project_id(struct tui *ui)
{
	int i;

	for (i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i]->project_id)
			return ui->stack[i]->project_id;
	return 0;
}

int64_t tui_brief_id(struct tui *ui)
{
	int i;

	for (i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i]->brief_id)
			return ui->stack[i]->brief_id;
	return 0;
}

int tui_advance(struct tui *ui)
{
	return km_opt_bool(ui->opt, KM_O_ADVANCE_AFTER_RATE);
}

/* ------------------------------------------------------------ actions */

const char *tui_unavailable(enum km_action a)
{
	/* Every action of the table works in this build. */
	(void)a;
	return NULL;
}

static void search_accept(struct tui *ui, void *arg, const char *text)
{
	struct view *v = tui_top(ui);
	struct list *l = arg;

	free(l->search);
	l->search = *text ? xstrdup(text) : NULL;
	if (l->search)
		tui_busy(ui, draw_unicode() ? "searching\xe2\x80\xa6" : "searching...");
	v->ops->reload(v, RELOAD_REOPEN);
	if (l->n == 0 && l->search) {
		char *vis = util_visible_dup(text, 0);
		tui_msg(ui, "nothing matches '%s' (M-/ forgets the search)", vis);
		free(vis);
	} else {
		tui_msg_clear(ui);
	}
}

int view_list_action(struct view *v, struct list *l, enum km_action a, const char *arg, int markable)
{
	struct prompt_spec ps;
	int h = l->height > 1 ? l->height : 1;

	switch (a) {
	case KM_A_MOVE_DOWN:
		list_move(l, 1);
		return R_REDRAW;
	case KM_A_MOVE_UP:
		list_move(l, -1);
		return R_REDRAW;
	case KM_A_MOVE_TOP:
		list_home(l);
		return R_REDRAW;
	case KM_A_MOVE_BOTTOM:
		list_end(l);
		return R_REDRAW;
	case KM_A_PAGE_DOWN:
		list_move(l, h);
		return R_REDRAW;
	case KM_A_PAGE_UP:
		list_move(l, -h);
		return R_REDRAW;
	case KM_A_HALF_PAGE_DOWN:
		list_move(l, h / 2 > 1 ? h / 2 : 1);
		return R_REDRAW;
	case KM_A_HALF_PAGE_UP:
		list_move(l, -(h / 2 > 1 ? h / 2 : 1));
		return R_REDRAW;
	case KM_A_SEARCH:
		if (arg) {
			search_accept(v->ui, l, arg);
			return R_REDRAW;
		}
		memset(&ps, 0, sizeof ps);
		ps.label = "/";
		ps.init = l->search;
		ps.history = HIST_SEARCH;
		ps.accept = search_accept;
		ps.arg = l;
		prompt_open(v->ui, &ps);
		return R_REDRAW;
	case KM_A_CLEAR_SEARCH:
		if (l->search) {
			xfree(&l->search);
			v->ops->reload(v, RELOAD_REOPEN);
		}
		return R_REDRAW;
	default:
		break;
	}
	if (!markable)
		return R_UNHANDLED;
	switch (a) {
	case KM_A_MARK:
		list_mark_toggle(l);
		list_move(l, 1);
		return R_REDRAW;
	case KM_A_MARK_RANGE:
		if (list_mark_range(l) != 0)
			tui_error(v->ui, "%s", l->err ? l->err : "cannot mark the range");
		return R_REDRAW;
	case KM_A_MARK_ALL:
		list_mark_all(l);
		return R_REDRAW;
	case KM_A_UNMARK_ALL:
		list_unmark_all(l);
		return R_REDRAW;
	default:
		return R_UNHANDLED;
	}
}

struct sort_ask {
	struct view *v;
	const char *const *names;
	int *sort;
};

static void sort_accept(struct tui *ui, void *arg, const char *text)
{
	struct sort_ask *sa = arg;
	struct sbuf all;
	char *vis;
	int i;

	if (*text == '\0')
		return;
	for (i = 0; sa->names[i]; i++) {
		if (strcmp(sa->names[i], text) == 0) {
			*sa->sort = i;
			sa->v->ops->reload(sa->v, RELOAD_EXTERNAL);
			return;
		}
	}
	sb_init(&all);
	for (i = 0; sa->names[i]; i++)
		sb_addf(&all, "%s%s", i ? ", " : "", sa->names[i]);
	vis = util_visible_dup(text, 0);
	tui_error(ui, "unknown order '%s': the %s sort by %s", vis, sa->v->ops->name, all.s);
	free(vis);
	sb_free(&all);
}

int view_sort_action(struct view *v, enum km_action a, const char *arg, const char *const *names, int *sort)
{
	struct prompt_spec ps;
	struct sort_ask *sa;
	int n = 0;

	while (names[n])
		n++;
	switch (a) {
	case KM_A_SORT:
		*sort = (*sort + 1) % n;
		break;
	case KM_A_SORT_REVERSE:
		*sort = *sort == 1 ? 0 : 1;
		break;
	case KM_A_SORT_BY:
		sa = xmalloc(sizeof *sa);
		sa->v = v;
		sa->names = names;
		sa->sort = sort;
		if (arg) {
			sort_accept(v->ui, sa, arg);
			free(sa);
			return R_REDRAW;
		}
		memset(&ps, 0, sizeof ps);
		ps.label = "sort by: ";
		ps.complete = CPL_WORDS;
		ps.words = names;
		ps.history = HIST_OTHER;
		ps.accept = sort_accept;
		ps.arg = sa;
		ps.arg_free = free;
		prompt_open(v->ui, &ps);
		return R_REDRAW;
	default:
		return R_UNHANDLED;
	}
	v->ops->reload(v, RELOAD_EXTERNAL);
	return R_REDRAW;
}

static void quit_accept(struct tui *ui, void *arg, const char *text)
{
	(void)arg;
	if (text[0] == 'y' || text[0] == 'Y')
		ui->quit = 1;
}

static int ask_quit(struct tui *ui)
{
	struct prompt_spec ps;

	if (!km_opt_bool(ui->opt, KM_O_CONFIRM_QUIT))
		return R_QUIT;
	memset(&ps, 0, sizeof ps);
	ps.label = "Quit lightbox? (y/n) ";
	ps.history = HIST_OTHER;
	ps.accept = quit_accept;
	prompt_open(ui, &ps);
	return R_REDRAW;
}

static void command_accept(struct tui *ui, void *arg, const char *text)
{
	(void)arg;
	ui->dirty |= tui_command(ui, text);
}

/* Undo and redo go through the writer, after every change typed before
 * them (a bulk change still being saved is undone whole). */
static int undo_redo(struct tui *ui, int redo)
{
	wr_submit(ui, wr_op_new(redo ? WR_REDO : WR_UNDO, redo ? "redo" : "undo"));
	return R_REDRAW;
}

static int find_view(struct tui *ui, enum km_context ctx)
{
	int i;

	for (i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i]->ops->ctx == ctx)
			return i;
	return -1;
}

static int global_action(struct tui *ui, enum km_action a, const char *arg)
{
	struct view *v = tui_top(ui);
	struct prompt_spec ps;
	const char *why;
	int i;

	switch (a) {
	case KM_A_QUIT:
		return ask_quit(ui);
	case KM_A_BACK:
		return ui->depth > 1 ? R_POP : ask_quit(ui);
	case KM_A_VIEW_PROJECTS:
		while (ui->depth > 1)
			tui_pop(ui);
		return R_REDRAW;
	case KM_A_VIEW_BRIEFS:
		i = find_view(ui, KM_CTX_BRIEFS);
		if (i >= 0) {
			while (ui->depth > i + 1)
				tui_pop(ui);
			return R_REDRAW;
		}
		if (tui_project_id(ui) == 0) {
			tui_msg(ui, "open a project first (Enter on it)");
			return R_REDRAW;
		}
		tui_push(ui, view_briefs_new(ui, tui_project_id(ui)));
		return R_REDRAW;
	case KM_A_VIEW_SELECTION:
		if (v->ops->ctx == KM_CTX_SELECTION)
			return R_REDRAW;
		if (tui_project_id(ui) == 0) {
			tui_msg(ui, "open a project first: the selection record is per project");
			return R_REDRAW;
		}
		tui_push(ui, view_selection_new(ui, tui_project_id(ui)));
		return R_REDRAW;
	case KM_A_VIEW_JOBS:
		if (v->ops->ctx == KM_CTX_JOBS)
			return R_REDRAW;
		tui_push(ui, view_jobs_new(ui, tui_brief_id(ui)));
		return R_REDRAW;
	case KM_A_HELP:
		if (v->ops->ctx == KM_CTX_HELP)
			return R_POP;
		tui_push(ui, view_help_new(ui, v->ops->ctx, v->ops->name));
		return R_REDRAW;
	case KM_A_COMMAND_LINE:
		memset(&ps, 0, sizeof ps);
		ps.label = ":";
		ps.init = arg;
		ps.complete = CPL_COMMAND;
		ps.history = HIST_COMMAND;
		ps.accept = command_accept;
		prompt_open(ui, &ps);
		return R_REDRAW;
	case KM_A_REFRESH:
		v->ops->reload(v, RELOAD_EXTERNAL);
		tui_stale_below(ui);
		return R_REDRAW | R_FULL;
	case KM_A_PREVIEW_MODE:
		return preview_cycle_mode(ui);
	case KM_A_ZOOM:
		if (v->ops->current && v->ops->current(v, 0)) {
			tui_push(ui, view_zoom_new(ui, v));
			return R_REDRAW;
		}
		tui_msg(ui, "zoom shows the candidate under the cursor: open a brief's candidates");
		return R_REDRAW;
	case KM_A_UNDO:
		return undo_redo(ui, 0);
	case KM_A_REDO:
		return undo_redo(ui, 1);
	case KM_A_CANCEL:
		/* C-c: stops a bulk change being saved; otherwise it quits, as
		 * it always did. */
		if (wr_cancel(ui))
			tui_msg(ui, "cancelling: the rows saved so far are being put back...");
		else
			ui->quit = 1;
		return R_REDRAW;
	default:
		break;
	}
	why = tui_unavailable(a);
	if (why)
		tui_msg(ui, "%s %s", km_action_name(a), why);
	else
		tui_msg(ui, "%s does nothing in the %s view", km_action_name(a), v->ops->name);
	return R_REDRAW;
}

int tui_dispatch(struct tui *ui, enum km_action a, const char *arg)
{
	struct view *v = tui_top(ui);
	int r;

	if (v == NULL)
		return R_NONE;
	r = v->ops->handle(v, a, arg);
	if (r & R_UNHANDLED)
		r = global_action(ui, a, arg);
	if (r & R_QUIT)
		ui->quit = 1;
	if ((r & R_POP) && tui_top(ui) == v)
		tui_pop(ui);
	else if (r & R_RELOAD)
		v->ops->reload(v, RELOAD_OWN);
	ui->dirty |= (r & R_FULL) | R_REDRAW;
	return r;
}

/* ------------------------------------------------------------ the command line */

static int is_verb(const char *w)
{
	static const char *const verbs[] = { "set", "bind", "unbind", "reset", "source", NULL };
	int i;

	for (i = 0; verbs[i]; i++)
		if (strcmp(w, verbs[i]) == 0)
			return 1;
	return 0;
}

/* After `set`, options that the screen uses now. */
static void apply_options(struct tui *ui)
{
	int mode = km_opt_choice(ui->opt, KM_O_COLOR);

	draw_init_colors(mode == KM_V_COLOR_ALWAYS ? 1 : mode == KM_V_COLOR_NEVER ? 2 : 0);
	if (preview_is_image(ui->preview))
		preview_colors_changed(ui->preview);
	ui->dirty |= R_FULL | R_REDRAW;
}

int tui_command(struct tui *ui, const char *line)
{
	struct view *v = tui_top(ui);
	char *copy, *name, *arg, *err = NULL, *vis;
	const char *sugg;
	enum km_action a;
	int r = R_REDRAW;

	while (*line == ' ' || *line == ':')
		line++;
	if (*line == '\0')
		return R_NONE;
	copy = xstrdup(line);
	name = copy;
	arg = strchr(copy, ' ');
	if (arg) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
		if (*arg == '\0')
			arg = NULL;
		else {
			char *end = arg + strlen(arg);
			while (end > arg && end[-1] == ' ')
				*--end = '\0';
		}
	}
	if (is_verb(name)) {
		if (km_config_exec(ui->cfg, line, &err) != 0) {
			tui_error(ui, "%s", err);
			free(err);
		} else {
			vis = util_visible_dup(line, 0);
			tui_msg(ui, "%s", vis);
			free(vis);
			apply_options(ui);
		}
		free(copy);
		return R_REDRAW;
	}
	a = km_action_find(name);
	vis = util_visible_dup(name, 0);
	if (a == KM_A_NONE) {
		sugg = km_action_suggest(name);
		if (sugg)
			tui_error(ui, "unknown command '%s'; did you mean %s?", vis, sugg);
		else
			tui_error(ui, "unknown command '%s' (Tab completes names; ? lists the keys)", vis);
	} else if (km_action_group(a) == KM_G_PROMPT) {
		tui_error(ui, "%s works while typing in a prompt", vis);
	} else if (!km_action_in_context(a, v->ops->ctx) && !tui_unavailable(a)) {
		tui_error(ui, "%s does nothing in the %s view", vis, v->ops->name);
	} else {
		r = tui_dispatch(ui, a, arg);
	}
	free(vis);
	free(copy);
	return r;
}

/* ------------------------------------------------------------ starting */

/* Resolves where to open: project, brief, candidate ids from the refs. */
static int resolve_start(struct tui *ui, const struct tui_start *s, int64_t *proj, int64_t *brief, int64_t *cand)
{
	struct lb_candidate c;
	struct lb_brief b;
	long long v;

	*proj = *brief = *cand = 0;
	if (s->candidate) {
		if (util_parse_int(s->candidate, 1, INT64_MAX, &v) != 0 || store_candidate_get(ui->st, v, &c) != 0) {
			fprintf(stderr, "lightbox: no candidate '%s'\n", s->candidate);
			return -1;
		}
		*cand = c.id;
		*brief = c.brief_id;
		lb_candidate_clear(&c);
	} else if (s->brief) {
		if (util_parse_int(s->brief, 1, INT64_MAX, &v) != 0) {
			fprintf(stderr, "lightbox: '%s' is not a brief id (a number, as 'lightbox brief ls' shows)\n",
				s->brief);
			return -1;
		}
		*brief = v;
	}
	if (*brief) {
		if (store_brief_get_light(ui->st, *brief, &b) != 0) {
			fprintf(stderr, "lightbox: %s\n", store_errmsg(ui->st));
			return -1;
		}
		*proj = b.project_id;
		lb_brief_clear(&b);
	} else if (s->project) {
		if (store_project_find(ui->st, s->project, proj) != 0) {
			fprintf(stderr, "lightbox: %s\n", store_errmsg(ui->st));
			return -1;
		}
	}
	return 0;
}

static void load_config(struct tui *ui, const struct tui_start *s)
{
	char *path = s->config ? xstrdup(s->config) : km_config_default_path();
	size_t i, n;

	ui->cfg = km_config_new();
	ui->km = km_config_keymap(ui->cfg);
	ui->opt = km_config_options(ui->cfg);
	if (path)
		km_config_load_file(ui->cfg, path, s->config != NULL);
	ui->config_path = path;
	n = km_config_nerrors(ui->cfg);
	for (i = 0; i < n; i++)
		tui_msg_add_line(ui, 1, km_config_error(ui->cfg, i));
	km_config_clear_errors(ui->cfg);
}

/* Glyphs like ★ and ✓ need a UTF-8 locale and a terminal with the
 * fonts; the Linux console and VT100s get ASCII. */
static int want_unicode(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *term = getenv("TERM"), *loc = NULL, *v;
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0] && loc == NULL; i++) {
		v = getenv(vars[i]);
		if (v && *v)
			loc = v;
	}
	if (loc == NULL || !(strcasestr(loc, "utf-8") || strcasestr(loc, "utf8")))
		return 0;
	if (term && (strcmp(term, "linux") == 0 || strncmp(term, "vt", 2) == 0 || strcmp(term, "dumb") == 0))
		return 0;
	return 1;
}

static void close_all(struct tui *ui)
{
	struct view *v;

	while (ui->depth > 0) {
		v = ui->stack[--ui->depth];
		view_release(v);
	}
}

int tui_main(const struct tui_start *s)
{
	struct tui ui;
	struct store_options so;
	int64_t proj = 0, brief = 0, cand = 0, queued = 0;
	char *err = NULL, *dir;
	int rc = 1, created = 0, interrupted = 0, lost;
	char *lost_why = NULL;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "lightbox: the interface needs a terminal; for scripts use the commands "
				"('lightbox --help')\n");
		return 1;
	}
	memset(&ui, 0, sizeof ui);
	ui.wake[0] = ui.wake[1] = -1;
	ui.next_poll = -1;
	sb_init(&ui.pastebuf);
	load_config(&ui, s);

	/* A new user's first run makes the default store; an explicit
	 * --store or LIGHTBOX_STORE that does not exist is a mistake to report. */
	memset(&so, 0, sizeof so);
	so.sync_full = km_opt_choice(ui.opt, KM_O_SYNC) == KM_V_SYNC_FULL;
	dir = store_default_dir(s->store_dir);
	so.create = s->store_dir == NULL && (getenv("LIGHTBOX_STORE") == NULL || !*getenv("LIGHTBOX_STORE"));
	if (so.create) {
		char *db = xasprintf("%s/lightbox.db", dir);
		created = access(db, F_OK) != 0;
		free(db);
	}
	if (store_open(dir, &so, &ui.st, &err) != 0) {
		fprintf(stderr, "lightbox: %s\n", err);
		free(err);
		goto out;
	}
	if (resolve_start(&ui, s, &proj, &brief, &cand) != 0)
		goto out;
	/* Checkpoints (fsync, copying the log) run in the worker, not here. */
	store_wal_autocheckpoint(ui.st, 0);
	/* Every write goes through the writer thread (curation, briefs,
	 * projects, edits, job submissions); what is still written here (a
	 * job's retry or cancel in the jobs view) waits a second at most for
	 * the lock, then says who holds it (HACKING.md, the busy policy). */
	store_set_busy(ui.st, 1000, 1);
	if (pipe2(ui.wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		perror("lightbox: pipe");
		goto out;
	}
	ui.bg = bg_new(store_dir(ui.st), store_curator(ui.st), ui.wake[1]);
	ui.wr = wr_new(store_dir(ui.st), store_curator(ui.st), ui.wake[1]);
	if (s->preview && km_opt_set(ui.opt, KM_O_PREVIEW_MODE, s->preview, &err) != 0) {
		fprintf(stderr, "lightbox: --preview: %s\n", err);
		free(err);
		goto out;
	}
	ui.preview = preview_image_new(&ui);
	tui_gen_init(&ui);
	if (tui_screen_init(&ui) != 0)
		goto out;
	draw_set_unicode(want_unicode());

	tui_push(&ui, view_projects_new(&ui));
	if (proj)
		tui_push(&ui, view_briefs_new(&ui, proj));
	if (brief)
		tui_push(&ui, view_candidates_new(&ui, brief, cand));
	if (cand)
		tui_push(&ui, view_detail_new(&ui, cand));
	if (s->message && ui.nmsg == 0)
		tui_msg(&ui, "%s", s->message);
	if (created && ui.nmsg == 0)
		tui_msg(&ui, "new store at %s: 'a' adds a project, ? lists the keys", dir);
	rc = tui_loop(&ui) == 0 ? 0 : 1;
	if (ui.import)
		tui_busy(&ui, "stopping the import after the current file...");
	tui_import_stop(&ui);
	interrupted = tui_gen_stop(&ui, &queued);
	if (wr_queued(&ui))
		tui_busy(&ui, "saving your last changes...");
	lost = wr_free(&ui, &lost_why);
	close_all(&ui);
	tui_screen_end(&ui);
	if (lost)
		fprintf(stderr, "lightbox: %d change%s could not be saved (%s); make %s again\n", lost,
			lost == 1 ? "" : "s", lost_why ? lost_why : "the store stayed locked",
			lost == 1 ? "it" : "them");
	free(lost_why);
	if (interrupted || queued)
		fprintf(stderr,
			"lightbox: %d generation job%s stopped and %lld queued: they resume when lightbox "
			"next opens this store (or with 'lightbox jobs run')\n",
			interrupted, interrupted == 1 ? "" : "s", (long long)queued);
out:
	close_all(&ui);
	if (ui.prompt)
		prompt_close(&ui);
	form_close(&ui);
	tui_gen_free(&ui);
	lost = wr_free(&ui, &lost_why);
	free(lost_why);
	bg_free(&ui.bg);
	preview_free(&ui.preview);
	tui_msg_clear(&ui);
	free(ui.brief_retry);
	free(ui.edit_retry);
	prompt_free_history(&ui);
	sb_free(&ui.pastebuf);
	free(ui.status_note);
	free(ui.config_path);
	if (ui.wake[0] >= 0) {
		close(ui.wake[0]);
		close(ui.wake[1]);
	}
	store_close(&ui.st);
	km_config_free(&ui.cfg);
	free(dir);
	return rc;
}

int tui_cmd_open(const char *store_dir, const char *config, const char *preview, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "brief", required_argument, NULL, 'b' },
		{ "candidate", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tui_start s;
	int o;

	memset(&s, 0, sizeof s);
	s.store_dir = store_dir;
	s.config = config;
	s.preview = preview;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (o) {
		case 'p': s.project = optarg; break;
		case 'b': s.brief = optarg; break;
		case 'c': s.candidate = optarg; break;
		case 'h':
			printf("Usage: lightbox tui [--project PROJECT | --brief BRIEF | --candidate CANDIDATE]\n"
			       "\n"
			       "Opens the curation interface (what 'lightbox' alone does), at a project's\n"
			       "briefs, a brief's candidates or one candidate.  '?' in the interface lists\n"
			       "the keys; 'lightbox keys' prints them all.\n");
			return 0;
		default:
			fprintf(stderr, "lightbox: tui: unknown option; try 'lightbox tui --help'\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lightbox: tui: unexpected argument; try 'lightbox tui --help'\n");
		return 2;
	}
	return tui_main(&s);
}
