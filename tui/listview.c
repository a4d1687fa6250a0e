/*
 * listview.c - the actions every list view shares: moving, paging, marks,
 * search, and sorting a small list by named orders.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-private.h"

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
