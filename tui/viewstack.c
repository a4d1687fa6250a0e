/*
 * viewstack.c - the view stack: holds on views (reference counts), pushing and
 * popping, and what the views on it have in context.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-private.h"

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
