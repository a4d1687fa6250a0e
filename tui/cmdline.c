/*
 * cmdline.c - dispatching an action to the top view and then to the global
 * handler, and the `:` command line (actions by name with their argument,
 * and the config verbs set/bind/unbind/reset/source).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-private.h"

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
	case KM_A_VIEW_STACKS:
	case KM_A_VIEW_QUEUE:
	case KM_A_FIND_SIMILAR:
		return view_stacks_action(ui, a);
	case KM_A_VIEW_WINS:
		return view_wins_action(ui);
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
		tui_push(ui, view_help_new(ui, v->ops->ctx, v->ops->takes ? (int)v->ops->keys_first : -1,
					  v->ops->name));
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
	} else if (!km_action_in_context(a, v->ops->ctx) && !tui_unavailable(a) &&
		   !(v->ops->takes && km_action_in_context(a, v->ops->keys_first))) {
		tui_error(ui, "%s does nothing in the %s view", vis, v->ops->name);
	} else {
		r = tui_dispatch(ui, a, arg);
	}
	free(vis);
	free(copy);
	return r;
}
