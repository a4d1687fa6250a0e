/*
 * test-tui.c - unit tests of the interface's engine without a screen: the
 * view stack (who holds a view, what the stack lets go of when full), the
 * list engine (keyset paging, marks as "all minus exceptions", moving) and
 * the background worker (a request run on its own connection, its answer
 * through the self-pipe), the self-pipe's bytes, and the import thread
 * (no signals, its wake bytes).
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

/* A fresh interface with a root view on its stack; returns the root. */
static struct tview *stack_start(struct tui *ui)
{
	struct tview *root;

	memset(ui, 0, sizeof *ui);
	memset(pool, 0, sizeof pool);
	npool = 0;
	root = tv(ui, NULL);
	tui_push(ui, &root->v);
	return root;
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
	root = stack_start(&ui);
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
	struct tview *list;
	struct view *zoom;
	int i;

	(void)state;
	stack_start(&ui);
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
	root = stack_start(&ui);
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
	root = stack_start(&ui);
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

/* ------------------------------------------------------------ the list engine */

/* A keyset source like the store's: ids 1..src_n in order, some removed
 * (src_gone), rows are allocated copies of their id (the key).  Counts
 * reads and rows alive, so paging and freeing can be checked. */
enum { SRC_MAX = 20000 };
static int src_n;
static unsigned char src_gone[SRC_MAX + 1];
static int src_fetches, src_live, src_fail;

static void *src_row(int64_t id)
{
	int64_t *r = xmalloc(sizeof *r);

	*r = id;
	src_live++;
	return r;
}

static int s_fetch(struct list *l, const void *from, int dir, int incl, int n, void **out, char **err)
{
	int64_t k, id;
	int got = 0, i;

	(void)l;
	src_fetches++;
	if (src_fail) {
		*err = xstrdup("the store is gone");
		return -1;
	}
	if (dir > 0) {
		k = from ? *(const int64_t *)from + (incl ? 0 : 1) : 1;
		for (id = k; id <= src_n && got < n; id++)
			if (!src_gone[id])
				out[got++] = src_row(id);
		return got;
	}
	k = from ? *(const int64_t *)from - (incl ? 0 : 1) : src_n;
	for (id = k; id >= 1 && got < n; id--)
		if (!src_gone[id])
			out[got++] = src_row(id);
	/* Read backwards; the list wants them in list order. */
	for (i = 0; i < got / 2; i++) {
		void *t = out[i];
		out[i] = out[got - 1 - i];
		out[got - 1 - i] = t;
	}
	return got;
}

static void *s_get(struct list *l, int64_t id)
{
	(void)l;
	return id >= 1 && id <= src_n && !src_gone[id] ? src_row(id) : NULL;
}

static void s_free_row(struct list *l, void *row)
{
	(void)l;
	src_live--;
	free(row);
}

static int64_t s_id(const struct list *l, const void *row)
{
	(void)l;
	return *(const int64_t *)row;
}

static void s_draw(struct list *l, const void *row, int y, int x, int w, unsigned flags)
{
	(void)l;
	(void)row;
	(void)y;
	(void)x;
	(void)w;
	(void)flags;
}

static const struct list_src keyset_src = {
	.fetch = s_fetch,
	.get = s_get,
	.free_row = s_free_row,
	.id = s_id,
	.draw = s_draw,
};

static void src_reset(int n)
{
	src_n = n;
	memset(src_gone, 0, sizeof src_gone);
	src_fetches = src_live = src_fail = 0;
}

/* The window's ids are the source's, in order, with none skipped. */
static void window_is_contiguous(const struct list *l)
{
	int i;
	int64_t id;

	for (i = 1; i < l->n; i++) {
		assert_true(l->ids[i] > l->ids[i - 1]);
		for (id = l->ids[i - 1] + 1; id < l->ids[i]; id++)
			assert_true(src_gone[id]);
	}
	assert_int_equal(src_live, l->n);
}

static void paging_keeps_a_small_window(void **state)
{
	struct list l;
	char pos[64];
	int i, fetches;

	(void)state;
	src_reset(10000);
	list_init(&l, &keyset_src, NULL);
	l.height = 20;
	assert_int_equal(list_open(&l), 0);
	assert_int_equal(src_fetches, 1);
	assert_int_equal(l.n, 64); /* one chunk: nothing counts the list */
	assert_true(l.at_start);
	assert_false(l.at_end);
	assert_int_equal(l.total, -1);
	assert_int_equal(list_current_id(&l), 1);
	/* Down 5000 rows a page at a time: pages are read as needed, the
	 * window never holds more than 256, the position stays known. */
	for (i = 0; i < 250; i++) {
		assert_true(list_move(&l, 20));
		assert_true(l.n <= 256);
	}
	assert_int_equal(list_current_id(&l), 5001);
	assert_int_equal(list_pos(&l), 5000);
	assert_true(src_fetches < 5000 / 64 + 3);
	window_is_contiguous(&l);
	list_pos_text(&l, pos, sizeof pos);
	assert_string_equal(pos, "5001 of \xe2\x80\xa6");
	/* The end is one read from the end, not a walk. */
	fetches = src_fetches;
	assert_true(list_end(&l));
	assert_int_equal(src_fetches, fetches + 1);
	assert_int_equal(list_current_id(&l), 10000);
	assert_true(l.at_end);
	/* Its position comes when the total does (the worker counts). */
	assert_int_equal(list_pos(&l), -1);
	list_set_total(&l, 10000);
	assert_int_equal(list_pos(&l), 9999);
	/* Up again past the window's start: read backwards. */
	for (i = 0; i < 10; i++)
		list_move(&l, -20);
	assert_int_equal(list_current_id(&l), 9800);
	assert_int_equal(list_pos(&l), 9799);
	window_is_contiguous(&l);
	/* Moving is clamped at the ends. */
	assert_true(list_home(&l));
	assert_int_equal(list_current_id(&l), 1);
	assert_false(list_move(&l, -1));
	assert_int_equal(list_current_id(&l), 1);
	list_free(&l);
	assert_int_equal(src_live, 0);
}

static void pages_follow_keys_not_offsets(void **state)
{
	struct list l;
	int64_t id;

	(void)state;
	src_reset(1000);
	list_init(&l, &keyset_src, NULL);
	l.height = 20;
	assert_int_equal(list_open(&l), 0);
	assert_int_equal(l.n, 64);
	/* Rows after the window go, and one is added before it, while the
	 * user reads: the next page starts after the last row seen, so
	 * nothing is skipped twice or shown twice. */
	for (id = 65; id <= 70; id++)
		src_gone[id] = 1;
	list_move(&l, 63);
	assert_int_equal(list_current_id(&l), 64);
	list_move(&l, 1);
	assert_int_equal(list_current_id(&l), 71);
	window_is_contiguous(&l);
	/* The row under the cursor goes: a reload lands where it was. */
	src_gone[71] = 1;
	assert_int_equal(list_reload(&l, 0), 0);
	assert_int_equal(list_current_id(&l), 72);
	window_is_contiguous(&l);
	/* A failed read says why and keeps the window. */
	src_fail = 1;
	assert_int_equal(list_reload(&l, 0), -1);
	assert_string_equal(l.err, "the store is gone");
	assert_int_equal(list_current_id(&l), 72);
	src_fail = 0;
	list_free(&l);
	assert_int_equal(src_live, 0);
}

static int collect_id(int64_t id, void *arg)
{
	int64_t *seen = arg;

	assert_true(id >= 1 && id <= src_n);
	seen[id]++;
	seen[0]++;
	return 0;
}

static void marks_are_all_minus_exceptions(void **state)
{
	struct list l;
	static int64_t seen[SRC_MAX + 1];
	int64_t id;

	(void)state;
	src_reset(SRC_MAX);
	list_init(&l, &keyset_src, NULL);
	l.height = 20;
	assert_int_equal(list_open(&l), 0);
	assert_false(list_has_marks(&l));
	/* Marking everything stores nothing... */
	list_mark_all(&l);
	assert_int_equal(l.marks.n, 0);
	assert_true(list_is_marked(&l, 1));
	assert_true(list_is_marked(&l, SRC_MAX)); /* a row never read */
	assert_int_equal(list_marked_count(&l), -1); /* the total is not known yet */
	/* ...and unmarking three stores the three. */
	list_move(&l, 1);
	list_mark_toggle(&l);
	list_move(&l, 1);
	list_mark_toggle(&l);
	list_move(&l, 1);
	list_mark_toggle(&l);
	assert_int_equal(l.marks.n, 3);
	assert_false(list_is_marked(&l, 2));
	assert_false(list_is_marked(&l, 4));
	assert_true(list_is_marked(&l, 5));
	list_set_total(&l, SRC_MAX);
	assert_int_equal(list_marked_count(&l), SRC_MAX - 3);
	/* Acting on the marks pages through the whole source, without them. */
	memset(seen, 0, sizeof seen);
	assert_int_equal(list_marked_each(&l, collect_id, seen), 0);
	assert_int_equal(seen[0], SRC_MAX - 3);
	assert_int_equal(seen[3], 0);
	assert_int_equal(seen[SRC_MAX], 1);
	assert_int_equal(src_live, l.n);
	/* Toggling an exception back marks it again and forgets it. */
	list_mark_toggle(&l);
	assert_int_equal(l.marks.n, 2);
	assert_true(list_is_marked(&l, 4));
	/* Unmark all, then marks are the set again. */
	list_unmark_all(&l);
	assert_int_equal(list_marked_count(&l), 0);
	list_home(&l);
	list_mark_toggle(&l); /* 1: the anchor */
	/* A range to a row far outside the window walks the source. */
	list_move(&l, 999);
	assert_int_equal(list_current_id(&l), 1000);
	assert_int_equal(list_mark_range(&l), 0);
	assert_int_equal(list_marked_count(&l), 1000);
	for (id = 1; id <= 1000; id++)
		assert_true(list_is_marked(&l, id));
	assert_false(list_is_marked(&l, 1001));
	memset(seen, 0, sizeof seen);
	assert_int_equal(list_marked_each(&l, collect_id, seen), 0);
	assert_int_equal(seen[0], 1000);
	/* Without an anchor, a range says what to do. */
	list_unmark_all(&l);
	assert_int_equal(list_mark_range(&l), -1);
	assert_non_null(strstr(l.err, "mark a row first"));
	list_free(&l);
	assert_int_equal(src_live, 0);
}

/* ------------------------------------------------------------ the worker and the self-pipe */

static char store_dir_[64];

static int group_setup(void **state)
{
	struct store_options o;
	struct store *st = NULL;
	char *err = NULL;

	(void)state;
	snprintf(store_dir_, sizeof store_dir_, "%s", "/tmp/lb-test-tui.XXXXXX");
	if (mkdtemp(store_dir_) == NULL)
		return -1;
	memset(&o, 0, sizeof o);
	o.create = 1;
	o.curator = "alice";
	if (store_open(store_dir_, &o, &st, &err) != 0) {
		fprintf(stderr, "# %s\n", err);
		free(err);
		return -1;
	}
	store_close(&st);
	return 0;
}

static int group_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", store_dir_);
	int rc;

	(void)state;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

struct probe_task {
	struct bg_task t;
	int *order;   /* where done() writes its turn */
	int *turn;
	/* filled by run(), in the worker */
	int had_store;
	char dir[64];
	pthread_t thread;
	int blocked;  /* SIGINT, SIGTERM and SIGWINCH blocked there */
	int freed_flag;
	int *freed;
};

static int ndone;

static void probe_run(struct bg_task *bt, struct store *st)
{
	struct probe_task *t = (struct probe_task *)bt;
	sigset_t cur;

	t->had_store = st != NULL;
	if (st)
		snprintf(t->dir, sizeof t->dir, "%s", store_dir(st));
	t->thread = pthread_self();
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	t->blocked = sigismember(&cur, SIGINT) && sigismember(&cur, SIGTERM) && sigismember(&cur, SIGWINCH);
}

static void probe_done(struct bg_task *bt, struct tui *ui)
{
	struct probe_task *t = (struct probe_task *)bt;

	(void)ui;
	*t->order = ++*t->turn;
	ndone++;
}

static void probe_free(struct bg_task *bt)
{
	struct probe_task *t = (struct probe_task *)bt;

	if (t->freed)
		(*t->freed)++;
	free(t);
}

static struct probe_task *probe(uint64_t owner, int key, int *order, int *turn, int *freed)
{
	struct probe_task *t = xcalloc(1, sizeof *t);

	t->t.run = probe_run;
	t->t.done = probe_done;
	t->t.free = probe_free;
	t->t.owner = owner;
	t->t.key = key;
	t->order = order;
	t->turn = turn;
	t->freed = freed;
	return t;
}

/* Waits (up to 10 s) for a byte on the self-pipe, then empties it. */
static int wait_wake(int fd, int *asks_store)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&p, 1, 10000);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return -1;
	*asks_store = tui_wake_drain(fd);
	return 0;
}

static void worker_answers_through_the_self_pipe(void **state)
{
	struct tui ui;
	struct bg *b;
	struct probe_task *t;
	int wake[2], order = 0, turn = 0, freed = 0, store = -1, got = 0;

	(void)state;
	memset(&ui, 0, sizeof ui);
	assert_int_equal(pipe2(wake, O_NONBLOCK | O_CLOEXEC), 0);
	b = bg_new(store_dir_, "alice", wake[1]);
	t = probe(1, 1, &order, &turn, &freed);
	bg_submit(b, &t->t);
	assert_true(bg_busy(b));
	bg_kick(b);
	assert_int_equal(wait_wake(wake[0], &store), 0);
	/* The worker's byte is not "look at the store". */
	assert_int_equal(store, 0);
	ndone = 0;
	while (got == 0)
		got = bg_collect(b, &ui);
	assert_int_equal(got, 1);
	assert_int_equal(ndone, 1);
	assert_int_equal(freed, 1);
	assert_int_equal(order, 1);
	assert_false(bg_busy(b));
	bg_free(&b);
	assert_null(b);
	close(wake[0]);
	close(wake[1]);
}

static struct probe_task *last_probe;

static void probe_keep_run(struct bg_task *bt, struct store *st)
{
	probe_run(bt, st);
	/* Copy what run() saw: the task is freed after done(). */
	last_probe = xmalloc(sizeof *last_probe);
	memcpy(last_probe, bt, sizeof *last_probe);
}

static void worker_has_its_own_connection_and_no_signals(void **state)
{
	struct tui ui;
	struct bg *b;
	struct probe_task *t;
	int wake[2], order = 0, turn = 0, store;

	(void)state;
	memset(&ui, 0, sizeof ui);
	assert_int_equal(pipe2(wake, O_NONBLOCK | O_CLOEXEC), 0);
	b = bg_new(store_dir_, "alice", wake[1]);
	t = probe(1, 1, &order, &turn, NULL);
	t->t.run = probe_keep_run;
	bg_submit(b, &t->t);
	bg_kick(b);
	assert_int_equal(wait_wake(wake[0], &store), 0);
	while (bg_collect(b, &ui) == 0)
		;
	assert_non_null(last_probe);
	assert_true(last_probe->had_store);
	assert_string_equal(last_probe->dir, store_dir_);
	assert_false(pthread_equal(last_probe->thread, pthread_self()));
	/* Signals are the interface thread's: the worker takes none. */
	assert_true(last_probe->blocked);
	free(last_probe);
	last_probe = NULL;
	bg_free(&b);
	close(wake[0]);
	close(wake[1]);
}

static void newer_task_replaces_and_forgotten_owner_is_dropped(void **state)
{
	struct tui ui;
	struct bg *b;
	int wake[2], first = 0, second = 0, other = 0, turn = 0, freed = 0, store;

	(void)state;
	memset(&ui, 0, sizeof ui);
	assert_int_equal(pipe2(wake, O_NONBLOCK | O_CLOEXEC), 0);
	b = bg_new(store_dir_, "alice", wake[1]);
	/* Typing a filter fast: the same owner and key replace the queued one. */
	bg_submit(b, &probe(7, 1, &first, &turn, &freed)->t);
	bg_submit(b, &probe(7, 1, &second, &turn, &freed)->t);
	assert_int_equal(freed, 1);
	/* A view that closed: its tasks are dropped, never done(). */
	bg_submit(b, &probe(8, 1, &other, &turn, &freed)->t);
	bg_forget(b, 8);
	assert_int_equal(freed, 2);
	bg_kick(b);
	assert_int_equal(wait_wake(wake[0], &store), 0);
	ndone = 0;
	while (ndone < 1)
		bg_collect(b, &ui);
	while (bg_busy(b))
		bg_collect(b, &ui);
	assert_int_equal(ndone, 1);
	assert_int_equal(first, 0);
	assert_int_equal(second, 1);
	assert_int_equal(other, 0);
	assert_int_equal(freed, 3);
	bg_free(&b);
	close(wake[0]);
	close(wake[1]);
}

static void only_a_store_wake_asks_for_the_store(void **state)
{
	static const enum tui_wake quiet[] = { WAKE_BG, WAKE_IMPORT, WAKE_PREVIEW, WAKE_REDRAW };
	static const char sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCONT };
	int wake[2];
	size_t i;
	char c;

	(void)state;
	assert_int_equal(pipe2(wake, O_NONBLOCK | O_CLOEXEC), 0);
	/* Each byte alone: the worker's, an import's progress, the
	 * preview's, the signal handlers': none asks for the store. */
	for (i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
		tui_wake(wake[1], quiet[i]);
		assert_int_equal(tui_wake_drain(wake[0]), 0);
	}
	for (i = 0; i < sizeof sigs; i++) {
		assert_int_equal(write(wake[1], &sigs[i], 1), 1);
		assert_int_equal(tui_wake_drain(wake[0]), 0);
	}
	/* A job runner's or an import's commit does, among others. */
	tui_wake(wake[1], WAKE_PREVIEW);
	tui_wake(wake[1], WAKE_STORE);
	tui_wake(wake[1], WAKE_BG);
	assert_int_equal(tui_wake_drain(wake[0]), 1);
	/* And the pipe is empty after. */
	assert_int_equal(read(wake[0], &c, 1), -1);
	assert_int_equal(errno, EAGAIN);
	/* The runner's byte is WAKE_STORE. */
	assert_int_equal(WAKE_STORE, '!');
	/* A full pipe never blocks the writer. */
	for (i = 0; i < 100000; i++)
		tui_wake(wake[1], WAKE_BG);
	assert_int_equal(tui_wake_drain(wake[0]), 0);
	close(wake[0]);
	close(wake[1]);
}

/* ------------------------------------------------------------ the import thread */

static volatile sig_atomic_t usr1_in_main, usr1_elsewhere;
static pthread_t main_thread;

static void on_usr1(int sig)
{
	(void)sig;
	if (pthread_equal(pthread_self(), main_thread))
		usr1_in_main++;
	else
		usr1_elsewhere++;
}

static void import_takes_no_signals_and_wakes_by_name(void **state)
{
	struct store_options o;
	struct lb_brief_fields f;
	struct sigaction sa, old;
	sigset_t usr1, prev;
	struct tui ui;
	char *paths[1], *dir, *file, buf[256];
	int64_t project, brief, n;
	int i, kills = 0;
	ssize_t got;
	char *err = NULL;

	(void)state;
	memset(&ui, 0, sizeof ui);
	memset(&o, 0, sizeof o);
	o.curator = "alice";
	assert_int_equal(store_open(store_dir_, &o, &ui.st, &err), 0);
	assert_int_equal(store_project_add(ui.st, "Import", NULL, &project), 0);
	memset(&f, 0, sizeof f);
	f.title = (char *)"texts";
	f.modality = LB_TEXT;
	f.prompt = (char *)"lines";
	assert_int_equal(store_brief_add(ui.st, project, &f, &brief), 0);
	/* A folder of 300 texts: long enough to be signalled while it runs. */
	dir = xasprintf("%s/in", store_dir_);
	assert_int_equal(util_mkdir_p(dir), 0);
	for (i = 0; i < 300; i++) {
		file = xasprintf("%s/t%03d.txt", dir, i);
		FILE *fp = fopen(file, "w");
		assert_non_null(fp);
		fprintf(fp, "text number %d\n", i);
		assert_int_equal(fclose(fp), 0);
		free(file);
	}
	assert_int_equal(pipe2(ui.wake, O_NONBLOCK | O_CLOEXEC), 0);

	/* SIGUSR1 is not blocked while the thread starts; the thread must
	 * block it anyway.  Then the main thread blocks it too: a signal sent
	 * to the process stays pending unless some thread takes it. */
	main_thread = pthread_self();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	paths[0] = dir;
	assert_int_equal(tui_import_start(&ui, brief, paths, 1, 0), 0);
	pthread_sigmask(SIG_BLOCK, &usr1, &prev);
	while (ui.import) {
		if (kills < 50) {
			kill(getpid(), SIGUSR1);
			kills++;
		}
		/* The bytes it wakes the loop with: its own, or "look now". */
		while ((got = read(ui.wake[0], buf, sizeof buf)) > 0)
			for (i = 0; i < got; i++)
				assert_true(buf[i] == WAKE_IMPORT || buf[i] == WAKE_STORE);
		tui_import_poll(&ui);
		usleep(1000);
	}
	assert_int_equal(usr1_elsewhere, 0);
	pthread_sigmask(SIG_SETMASK, &prev, NULL); /* the pending one runs here */
	assert_int_equal(usr1_in_main, 1);
	sigaction(SIGUSR1, &old, NULL);
	assert_int_equal(ui.nmsg, 1);
	assert_non_null(strstr(ui.msg[0], "300 added"));
	assert_int_equal(store_candidate_count(ui.st, &(struct lb_filter){ .brief_id = brief }, &n), 0);
	assert_int_equal(n, 300);
	tui_msg_clear(&ui);
	free(ui.status_note);
	close(ui.wake[0]);
	close(ui.wake[1]);
	store_close(&ui.st);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_stack_drops_its_oldest),
		cmocka_unit_test(a_held_view_outlives_the_stack_s_hold),
		cmocka_unit_test(zoom_below_survives_popping),
		cmocka_unit_test(nothing_to_drop_refuses_the_push),
		cmocka_unit_test(paging_keeps_a_small_window),
		cmocka_unit_test(pages_follow_keys_not_offsets),
		cmocka_unit_test(marks_are_all_minus_exceptions),
		cmocka_unit_test(worker_answers_through_the_self_pipe),
		cmocka_unit_test(worker_has_its_own_connection_and_no_signals),
		cmocka_unit_test(newer_task_replaces_and_forgotten_owner_is_dropped),
		cmocka_unit_test(only_a_store_wake_asks_for_the_store),
		cmocka_unit_test(import_takes_no_signals_and_wakes_by_name),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
