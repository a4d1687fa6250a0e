/*
 * test-tui.c - unit tests of the interface's engine without a screen: the
 * view stack (who holds a view, what the stack lets go of when full), the
 * list engine (keyset paging, marks as "all minus exceptions", moving) and
 * the background worker (a request run on its own connection, its answer
 * through the self-pipe).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tui/tui-private.h"
#include "util.h"

/* ------------------------------------------------------------ the view stack */

/* Test views live in a static pool and are never freed, so a view used
 * after its close is seen (closed is set) instead of being undefined. */
enum { POOL = 80 };
static struct tview {
	struct view v;
	struct view *held; /* a view this one holds, like a zoom */
	int closed;
	int reloads;
} pool[POOL];
static int npool;

static void t_draw(struct view *v, struct rect r)
{
	(void)v;
	(void)r;
}

static int t_handle(struct view *v, enum km_action a, const char *arg)
{
	(void)v;
	(void)a;
	(void)arg;
	return R_UNHANDLED;
}

static void t_reload(struct view *v, int mode)
{
	struct tview *t = (struct tview *)v;

	(void)mode;
	assert_false(t->closed);
	t->reloads++;
}

static void t_crumb(struct view *v, struct sbuf *out)
{
	(void)v;
	sb_adds(out, "t");
}

static void t_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	(void)v;
	(void)left;
	(void)right;
}

static void t_close(struct view *v)
{
	struct tview *t = (struct tview *)v;

	assert_false(t->closed);
	t->closed = 1;
	if (t->held)
		view_release(t->held);
}

static const struct view_ops t_ops = {
	.name = "t",
	.ctx = KM_CTX_CANDIDATES,
	.draw = t_draw,
	.handle = t_handle,
	.reload = t_reload,
	.crumb = t_crumb,
	.status = t_status,
	.close = t_close,
};

static struct tview *tv(struct tui *ui, struct view *hold)
{
	struct tview *t;

	assert_true(npool < POOL);
	t = &pool[npool++];
	memset(t, 0, sizeof *t);
	t->v.ops = &t_ops;
	t->v.ui = ui;
	t->v.owner = tui_owner(ui);
	if (hold)
		t->held = view_hold(hold);
	return t;
}

static void stack_reset(struct tui *ui)
{
	memset(ui, 0, sizeof *ui);
	memset(pool, 0, sizeof pool);
	npool = 0;
}

/* Pops everything (each pop reloads the new top: a closed view would fail
 * t_reload) and lets go of the root. */
static void stack_empty(struct tui *ui)
{
	while (ui->depth > 1)
		tui_pop(ui);
	if (ui->depth == 1)
		view_release(ui->stack[--ui->depth]);
	tui_msg_clear(ui);
}

static int nclosed(void)
{
	int i, n = 0;

	for (i = 0; i < npool; i++)
		n += pool[i].closed;
	return n;
}

static void full_stack_drops_its_oldest(void **state)
{
	struct tui ui;
	struct tview *root, *first, *second;
	int i;

	(void)state;
	stack_reset(&ui);
	root = tv(&ui, NULL);
	tui_push(&ui, &root->v);
	first = tv(&ui, NULL);
	tui_push(&ui, &first->v);
	second = tv(&ui, NULL);
	tui_push(&ui, &second->v);
	for (i = 3; i < TUI_MAX_VIEWS; i++)
		tui_push(&ui, &tv(&ui, NULL)->v);
	assert_int_equal(ui.depth, TUI_MAX_VIEWS);
	assert_int_equal(nclosed(), 0);
	/* One more: the oldest above the root goes, the root stays. */
	tui_push(&ui, &tv(&ui, NULL)->v);
	assert_int_equal(ui.depth, TUI_MAX_VIEWS);
	assert_true(first->closed);
	assert_int_equal(nclosed(), 1);
	assert_ptr_equal(ui.stack[0], &root->v);
	assert_ptr_equal(ui.stack[1], &second->v);
	assert_int_equal(root->v.refs, 1);
	stack_empty(&ui);
	assert_int_equal(nclosed(), npool);
	/* Popping reloaded each new top once; the root every time it was. */
	assert_int_equal(second->reloads, 1);
}

static void a_held_view_outlives_the_stack_s_hold(void **state)
{
	struct tui ui;
	struct tview *root, *list;
	struct view *zoom;
	int i;

	(void)state;
	stack_reset(&ui);
	root = tv(&ui, NULL);
	tui_push(&ui, &root->v);
	list = tv(&ui, NULL);
	tui_push(&ui, &list->v);
	/* The real zoom over it holds it. */
	zoom = view_zoom_new(&ui, &list->v);
	tui_push(&ui, zoom);
	assert_int_equal(list->v.refs, 2);
	assert_int_equal(zoom->refs, 1);
	/* Fill the stack past full: the zoom's view is not let go of while
	 * the zoom is there; the zoom itself may go, and then the view. */
	for (i = 3; i < TUI_MAX_VIEWS; i++)
		tui_push(&ui, &tv(&ui, NULL)->v);
	tui_push(&ui, &tv(&ui, NULL)->v);
	assert_false(list->closed);
	assert_ptr_equal(ui.stack[1], &list->v);
	assert_int_equal(list->v.refs, 1); /* the zoom went first, and let go */
	tui_push(&ui, &tv(&ui, NULL)->v);
	assert_true(list->closed);
	stack_empty(&ui);
	assert_int_equal(nclosed(), npool);
}

static void zoom_below_survives_popping(void **state)
{
	struct tui ui;
	struct tview *root, *list;
	int i;

	(void)state;
	/* The reproduction of issue 11: a zoom, then views over it until the
	 * stack is full, then back down: every reload is of a live view. */
	stack_reset(&ui);
	root = tv(&ui, NULL);
	tui_push(&ui, &root->v);
	list = tv(&ui, NULL);
	tui_push(&ui, &list->v);
	tui_push(&ui, view_zoom_new(&ui, &list->v));
	for (i = 0; i < 30; i++)
		tui_push(&ui, &tv(&ui, NULL)->v);
	for (i = 0; i < 30; i++)
		tui_pop(&ui);
	/* The zoom was let go of to make room; the view it held was not. */
	assert_int_equal(ui.depth, 2);
	assert_ptr_equal(tui_top(&ui), &list->v);
	assert_false(list->closed);
	assert_int_equal(list->reloads, 1);
	tui_pop(&ui);
	assert_ptr_equal(tui_top(&ui), &root->v);
	stack_empty(&ui);
	assert_int_equal(nclosed(), npool);
}

static void nothing_to_drop_refuses_the_push(void **state)
{
	struct tui ui;
	struct tview *root, *prev, *extra;
	int i;

	(void)state;
	stack_reset(&ui);
	root = tv(&ui, NULL);
	tui_push(&ui, &root->v);
	/* Each view holds the one under it: none but the top is droppable,
	 * and the top never is. */
	prev = root;
	for (i = 1; i < TUI_MAX_VIEWS; i++) {
		prev = tv(&ui, i > 1 ? &prev->v : NULL);
		tui_push(&ui, &prev->v);
	}
	extra = tv(&ui, NULL);
	tui_push(&ui, &extra->v);
	assert_true(extra->closed);
	assert_int_equal(nclosed(), 1);
	assert_int_equal(ui.depth, TUI_MAX_VIEWS);
	assert_ptr_equal(tui_top(&ui), &prev->v);
	assert_int_equal(ui.nmsg, 1);
	assert_true(ui.msg_error);
	assert_non_null(strstr(ui.msg[0], "too many views"));
	stack_empty(&ui);
	assert_int_equal(nclosed(), npool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_stack_drops_its_oldest),
		cmocka_unit_test(a_held_view_outlives_the_stack_s_hold),
		cmocka_unit_test(zoom_below_survives_popping),
		cmocka_unit_test(nothing_to_drop_refuses_the_push),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
