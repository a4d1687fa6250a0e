/*
 * list.c - the one list engine behind every list view: a cursor moving
 * through a window of rows read from a source a page at a time (keyset
 * pagination for the store, indices for small in-memory arrays),
 * scrolling, the position "row N of M" when it is known, marks (a set of
 * ids, or "all" minus exceptions so that marking a million rows costs
 * nothing), and search words the sources apply.
 *
 * The window never holds more than a few screens of rows: moving past
 * its edge reads the next page after the last row's key, G reads the last
 * page backwards, and rows far behind the cursor are dropped.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the window */

static void array_sync(struct list *l);

enum { CHUNK_MIN = 64, WINDOW_MIN = 256 };

static int chunk(const struct list *l)
{
	return l->height > CHUNK_MIN ? l->height : CHUNK_MIN;
}

static int window_max(const struct list *l)
{
	return 4 * l->height > WINDOW_MIN ? 4 * l->height : WINDOW_MIN;
}

void list_init(struct list *l, const struct list_src *src, void *ctx)
{
	memset(l, 0, sizeof *l);
	l->src = src;
	l->ctx = ctx;
	l->cur = -1;
	l->base = -1;
	l->total = -1;
	l->height = 20;
}

static void free_rows(struct list *l, void **rows, int n)
{
	int i;

	for (i = 0; i < n; i++)
		l->src->free_row(l, rows[i]);
}

static void drop_window(struct list *l)
{
	free_rows(l, l->rows, l->n);
	l->n = 0;
	l->cur = -1;
	l->top = 0;
}

void list_free(struct list *l)
{
	drop_window(l);
	free(l->rows);
	free(l->ids);
	free(l->search);
	free(l->err);
	idset_clear(&l->marks);
	memset(l, 0, sizeof *l);
	l->cur = -1;
}

static void reserve(struct list *l, int n)
{
	if (n <= l->cap)
		return;
	l->cap = n > 2 * l->cap ? n : 2 * l->cap;
	l->rows = xrealloc(l->rows, (size_t)l->cap * sizeof *l->rows);
	l->ids = xrealloc(l->ids, (size_t)l->cap * sizeof *l->ids);
}

static int fetch(struct list *l, const void *from, int dir, int incl, int n, void ***out)
{
	char *err = NULL;
	int got;

	*out = xmalloc((size_t)(n > 0 ? n : 1) * sizeof **out);
	got = l->src->fetch(l, from, dir, incl, n, *out, &err);
	if (got < 0) {
		free(l->err);
		l->err = err ? err : xstrdup("reading the list failed");
		free(*out);
		*out = NULL;
		return -1;
	}
	free(err);
	return got;
}

/* Puts rows[0..n) at position at (0: front, l->n: back) of the window. */
static void insert_rows(struct list *l, int at, void **rows, int n)
{
	int i;

	if (n <= 0)
		return;
	reserve(l, l->n + n);
	memmove(l->rows + at + n, l->rows + at, (size_t)(l->n - at) * sizeof *l->rows);
	memmove(l->ids + at + n, l->ids + at, (size_t)(l->n - at) * sizeof *l->ids);
	for (i = 0; i < n; i++) {
		l->rows[at + i] = rows[i];
		l->ids[at + i] = l->src->id(l, rows[i]);
	}
	l->n += n;
}

/* Drops rows far from the cursor so the window stays small. */
static void trim(struct list *l, int keep_front)
{
	int max = window_max(l), k;

	if (l->n <= max)
		return;
	k = l->n - max;
	if (keep_front) {
		/* Drop from the back, never what is on screen. */
		int first = l->top + l->height > l->cur + 1 ? l->top + l->height : l->cur + 1;
		if (k > l->n - first)
			k = l->n - first;
		if (k <= 0)
			return;
		free_rows(l, l->rows + l->n - k, k);
		l->n -= k;
		l->at_end = 0;
	} else {
		int lim = l->top < l->cur ? l->top : l->cur;
		if (k > lim)
			k = lim;
		if (k <= 0)
			return;
		free_rows(l, l->rows, k);
		memmove(l->rows, l->rows + k, (size_t)(l->n - k) * sizeof *l->rows);
		memmove(l->ids, l->ids + k, (size_t)(l->n - k) * sizeof *l->ids);
		l->n -= k;
		l->cur -= k;
		l->top -= k;
		if (l->base >= 0)
			l->base += k;
		l->at_start = 0;
	}
}

/* Puts a page read after the last row (dir 1) or before the first (dir -1)
 * into the window; fewer rows than asked for means that edge was reached. */
static void add_page(struct list *l, int dir, void **rows, int got, int want)
{
	if (dir > 0) {
		insert_rows(l, l->n, rows, got);
		if (got < want) {
			l->at_end = 1;
			if (l->base >= 0)
				l->total = l->base + l->n;
		}
		trim(l, 0);
		return;
	}
	insert_rows(l, 0, rows, got);
	l->cur += got;
	l->top += got;
	if (l->base >= 0)
		l->base -= got;
	if (got < want) {
		l->at_start = 1;
		l->base = 0;
		if (l->at_end)
			l->total = l->n;
	}
	trim(l, 1);
}

/* Reads the next page in place; returns how many rows came. */
static int extend(struct list *l, int dir)
{
	void **rows;
	int got, want = chunk(l);

	if (l->n == 0 || (dir > 0 ? l->at_end : l->at_start))
		return 0;
	got = fetch(l, l->rows[dir > 0 ? l->n - 1 : 0], dir, 0, want, &rows);
	if (got < 0)
		return 0;
	add_page(l, dir, rows, got, want);
	free(rows);
	return got;
}

static int extend_forward(struct list *l)
{
	return extend(l, 1);
}

static int extend_backward(struct list *l)
{
	return extend(l, -1);
}

int list_open(struct list *l)
{
	void **rows;
	int got, want = chunk(l);

	drop_window(l);
	l->gen++;
	l->prefetching = 0;
	got = fetch(l, NULL, 1, 0, want, &rows);
	l->at_start = 1;
	l->base = 0;
	l->at_end = 0;
	if (got < 0) {
		l->at_end = 1;
		l->total = -1;
		return -1;
	}
	insert_rows(l, 0, rows, got);
	free(rows);
	l->cur = got ? 0 : -1;
	l->top = 0;
	if (got < want) {
		l->at_end = 1;
		l->total = got;
	}
	array_sync(l);
	return 0;
}

int list_open_at(struct list *l, int64_t id)
{
	void **after, **before, *row;
	int got, gotb, want = chunk(l);

	if (l->src->get == NULL || id <= 0 || (row = l->src->get(l, id)) == NULL)
		return list_open(l);
	got = fetch(l, row, 1, 1, want, &after);
	l->src->free_row(l, row);
	if (got <= 0 || l->src->id(l, after[0]) != id) {
		if (got > 0)
			free_rows(l, after, got);
		free(after);
		return list_open(l);
	}
	drop_window(l);
	l->gen++;
	l->prefetching = 0;
	gotb = fetch(l, after[0], -1, 0, l->height / 2, &before);
	if (gotb < 0)
		gotb = 0;
	insert_rows(l, 0, before, gotb);
	insert_rows(l, gotb, after, got);
	free(before);
	free(after);
	l->cur = gotb;
	l->top = 0;
	l->at_start = gotb < l->height / 2;
	l->at_end = got < want;
	l->base = l->at_start ? 0 : -1;
	l->total = l->at_start && l->at_end ? l->n : -1;
	array_sync(l);
	return 0;
}

int list_reload(struct list *l, int own)
{
	void **after = NULL, **before = NULL, *fresh, **old_rows;
	int64_t cur_id, *old_ids, old_base = l->base, old_total = l->total;
	int old_n = l->n, old_cur = l->cur, line = l->cur - l->top;
	int got = 0, gotb = 0, k = 0, want = chunk(l), wantb, found = 0, same = 0;

	l->gen++;
	l->prefetching = 0;
	if (l->n == 0 || l->cur < 0)
		return list_open(l);
	cur_id = l->ids[l->cur];
	/* The row as it is now, if it is still in the list. */
	if (l->src->get && (fresh = l->src->get(l, cur_id)) != NULL) {
		got = fetch(l, fresh, 1, 1, want, &after);
		l->src->free_row(l, fresh);
		if (got > 0 && l->src->id(l, after[0]) == cur_id)
			found = 1;
		else if (got > 0) {
			free_rows(l, after, got);
			free(after);
			after = NULL;
			got = 0;
		} else if (got == 0) {
			free(after);
			after = NULL;
		}
	}
	/* Else: where it was (the old row's key), the next row, or the previous. */
	if (!found) {
		got = fetch(l, l->rows[l->cur], 1, 0, want, &after);
		if (got == 0) {
			free(after);
			got = fetch(l, l->rows[l->cur], -1, 0, want, &after);
			k = got > 0 ? got - 1 : 0;
			if (got == 0) {
				free(after);
				return list_open(l);
			}
		}
	}
	if (got < 0)
		return -1;
	wantb = (line > k ? line - k : 0) + want / 2;
	gotb = fetch(l, after[0], -1, 0, wantb, &before);
	if (gotb < 0) {
		gotb = 0;
		before = NULL;
	}
	/* Our own change touched only the cursor row: if it still follows the
	 * same row, nothing before it moved and the position stands. */
	if (own && found && old_base >= 0) {
		if (old_cur > 0)
			same = gotb > 0 && l->src->id(l, before[gotb - 1]) == l->ids[old_cur - 1];
		else
			same = old_base == 0 && gotb == 0;
	}
	old_rows = l->rows;
	old_ids = l->ids;
	l->rows = NULL;
	l->ids = NULL;
	l->cap = 0;
	l->n = 0;
	insert_rows(l, 0, before, gotb);
	insert_rows(l, gotb, after, got);
	free_rows(l, old_rows, old_n);
	free(old_rows);
	free(old_ids);
	free(before);
	free(after);
	l->cur = gotb + k;
	l->top = l->cur - line;
	if (l->top < 0)
		l->top = 0;
	l->at_start = gotb < wantb;
	l->at_end = k > 0 || got < want;
	if (l->at_start)
		l->base = 0;
	else if (same)
		l->base = old_base + old_cur - l->cur;
	else
		l->base = -1;
	if (same && !l->at_end)
		l->total = old_total;
	else if (l->at_end && l->base >= 0)
		l->total = l->base + l->n;
	else
		l->total = -1;
	array_sync(l);
	return 0;
}

void list_refresh_row(struct list *l, int64_t id)
{
	void *fresh;
	int i;

	if (l->src->get == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		if (l->ids[i] != id)
			continue;
		fresh = l->src->get(l, id);
		if (fresh) {
			l->src->free_row(l, l->rows[i]);
			l->rows[i] = fresh;
		}
		return;
	}
}

int list_move(struct list *l, int delta)
{
	int start = l->cur, target, before;

	if (l->n == 0)
		return 0;
	target = l->cur + delta;
	while (target >= l->n && !l->at_end) {
		before = l->cur;
		if (extend_forward(l) == 0)
			break;
		/* Rows dropped in front shift every index. */
		target -= before - l->cur;
		start -= before - l->cur;
	}
	while (target < 0 && !l->at_start) {
		before = l->cur;
		if (extend_backward(l) == 0)
			break;
		target += l->cur - before;
		start += l->cur - before;
	}
	if (target >= l->n)
		target = l->n - 1;
	if (target < 0)
		target = 0;
	if (delta > 1 || delta < -1)
		l->top += target - l->cur;
	l->cur = target;
	if (l->top < 0)
		l->top = 0;
	return l->cur != start;
}

int list_home(struct list *l)
{
	if (l->at_start) {
		l->cur = l->n ? 0 : -1;
		l->top = 0;
		return 1;
	}
	return list_open(l) == 0;
}

int list_end(struct list *l)
{
	void **rows;
	int got, want = chunk(l);

	if (l->at_end) {
		l->cur = l->n - 1;
		return 1;
	}
	got = fetch(l, NULL, -1, 0, want, &rows);
	if (got < 0)
		return 0;
	drop_window(l);
	l->gen++;
	l->prefetching = 0;
	insert_rows(l, 0, rows, got);
	free(rows);
	l->at_end = 1;
	l->at_start = got < want;
	l->cur = got - 1;
	l->top = got > l->height ? got - l->height : 0;
	if (l->at_start) {
		l->base = 0;
		l->total = got;
	} else {
		l->base = l->total >= 0 ? l->total - got : -1;
	}
	array_sync(l);
	return 1;
}

void list_scroll(struct list *l, int h)
{
	if (h < 1)
		h = 1;
	l->height = h;
	if (l->n == 0)
		return;
	if (l->top + h > l->n && !l->at_end)
		extend_forward(l);
	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + h)
		l->top = l->cur - h + 1;
	/* At the end, fill the screen rather than leave it half empty. */
	if (l->top + h > l->n)
		l->top = l->n - h;
	if (l->top > l->cur)
		l->top = l->cur;
	if (l->top < 0)
		l->top = 0;
}

int list_prefetch(struct list *l)
{
	int top = l->top, cur = l->cur, dir = 0;

	if (l->n == 0 || l->prefetching)
		return 0;
	if (!l->at_end && l->n - l->cur <= 2 * l->height)
		dir = 1;
	else if (!l->at_start && l->cur < 2 * l->height)
		dir = -1;
	if (dir == 0)
		return 0;
	if (l->src->prefetch) {
		l->prefetching = 1;
		l->src->prefetch(l, l->rows[dir > 0 ? l->n - 1 : 0], dir, chunk(l), l->gen);
		return 0;
	}
	if (dir > 0)
		return extend_forward(l) > 0;
	extend_backward(l);
	return l->top != top || l->cur != cur;
}

void list_take_prefetch(struct list *l, uint64_t gen, int64_t anchor_id, int dir, void **rows, int got, int want)
{
	if (gen == l->gen)
		l->prefetching = 0;
	if (gen != l->gen || l->n == 0 || got < 0 ||
	    l->ids[dir > 0 ? l->n - 1 : 0] != anchor_id || (dir > 0 ? l->at_end : l->at_start)) {
		free_rows(l, rows, got > 0 ? got : 0);
		return;
	}
	add_page(l, dir, rows, got, want);
}

void list_draw(struct list *l, int y, int x, int h, int w)
{
	unsigned flags;
	int i;

	list_scroll(l, h);
	for (i = l->top; i < l->n && i < l->top + h; i++) {
		flags = 0;
		if (i == l->cur)
			flags |= LIST_CURSOR;
		if (list_is_marked(l, l->ids[i]))
			flags |= LIST_MARKED;
		l->src->draw(l, l->rows[i], y + i - l->top, x, w, flags);
	}
}

void *list_current(const struct list *l)
{
	return l->cur >= 0 && l->cur < l->n ? l->rows[l->cur] : NULL;
}

int64_t list_current_id(const struct list *l)
{
	return l->cur >= 0 && l->cur < l->n ? l->ids[l->cur] : 0;
}

int64_t list_pos(const struct list *l)
{
	return l->base >= 0 && l->cur >= 0 ? l->base + l->cur : -1;
}

void list_set_total(struct list *l, int64_t total)
{
	l->total = total;
	if (l->at_end && l->base < 0)
		l->base = total - l->n;
	if (l->base < 0 && l->at_start)
		l->base = 0;
}

void list_set_position(struct list *l, int64_t id, int64_t pos)
{
	int i;

	for (i = 0; i < l->n; i++) {
		if (l->ids[i] == id) {
			l->base = pos - i;
			if (l->base < 0)
				l->base = 0;
			return;
		}
	}
}

void list_pos_text(const struct list *l, char *buf, size_t n)
{
	const char *more = draw_unicode() ? "\xe2\x80\xa6" : "...";
	int64_t pos = list_pos(l);

	if (l->n == 0) {
		snprintf(buf, n, "empty");
		return;
	}
	if (pos >= 0 && l->total >= 0)
		snprintf(buf, n, "%lld of %lld", (long long)pos + 1, (long long)l->total);
	else if (pos >= 0)
		snprintf(buf, n, "%lld of %s", (long long)pos + 1, more);
	else if (l->total >= 0)
		snprintf(buf, n, "? of %lld", (long long)l->total);
	else
		snprintf(buf, n, "%s", more);
}

/* ------------------------------------------------------------ marks */

int list_is_marked(const struct list *l, int64_t id)
{
	return l->mark_all != idset_has(&l->marks, id);
}

static void set_marked(struct list *l, int64_t id, int on)
{
	if (on != l->mark_all)
		idset_add(&l->marks, id);
	else
		idset_del(&l->marks, id);
}

void list_mark_toggle(struct list *l)
{
	int64_t id = list_current_id(l);
	int on;

	if (id == 0)
		return;
	on = !list_is_marked(l, id);
	set_marked(l, id, on);
	l->mark_anchor = on ? id : 0;
}

void list_mark_all(struct list *l)
{
	idset_clear(&l->marks);
	l->mark_all = 1;
	l->mark_anchor = 0;
}

void list_unmark_all(struct list *l)
{
	idset_clear(&l->marks);
	l->mark_all = 0;
	l->mark_anchor = 0;
}

int64_t list_marked_count(const struct list *l)
{
	if (!l->mark_all)
		return (int64_t)l->marks.n;
	return l->total >= 0 ? l->total - (int64_t)l->marks.n : -1;
}

int list_has_marks(const struct list *l)
{
	return list_marked_count(l) != 0;
}

enum { RANGE_MAX = 100000 };

int list_mark_range(struct list *l)
{
	int64_t anchor = l->mark_anchor, cur_id = list_current_id(l);
	void **rows, *from;
	int i, a = -1, dir, got, seen, found;
	int64_t *ids = NULL;
	size_t nids = 0, cap = 0;

	if (cur_id == 0)
		return -1;
	if (anchor == 0) {
		free(l->err);
		l->err = xstrdup("mark a row first (mark), then mark-range marks from it to here");
		return -1;
	}
	for (i = 0; i < l->n; i++)
		if (l->ids[i] == anchor)
			a = i;
	if (a >= 0) {
		int lo = a < l->cur ? a : l->cur, hi = a < l->cur ? l->cur : a;
		for (i = lo; i <= hi; i++)
			set_marked(l, l->ids[i], 1);
		l->mark_anchor = cur_id;
		return 0;
	}
	/* Outside the window: walk from the cursor each way until found. */
	for (dir = 1; dir >= -1; dir -= 2) {
		from = NULL;
		nids = 0;
		found = 0;
		seen = 0;
		rows = NULL;
		{
			void *start = l->src->get ? l->src->get(l, cur_id) : NULL;
			if (start == NULL)
				break;
			from = start;
		}
		while (!found && seen < RANGE_MAX) {
			got = fetch(l, from, dir, 0, 512, &rows);
			l->src->free_row(l, from);
			from = NULL;
			if (got <= 0) {
				free(rows);
				break;
			}
			for (i = 0; i < got && !found; i++) {
				int j = dir > 0 ? i : got - 1 - i;
				int64_t id = l->src->id(l, rows[j]);
				if (nids == cap) {
					cap = cap ? cap * 2 : 512;
					ids = xrealloc(ids, cap * sizeof *ids);
				}
				ids[nids++] = id;
				found = id == anchor;
			}
			seen += got;
			/* Keep the last row read as the next page's key. */
			from = rows[dir > 0 ? got - 1 : 0];
			for (i = 0; i < got; i++)
				if (rows[i] != from)
					l->src->free_row(l, rows[i]);
			free(rows);
			rows = NULL;
		}
		if (from)
			l->src->free_row(l, from);
		if (found) {
			set_marked(l, cur_id, 1);
			for (size_t k = 0; k < nids; k++)
				set_marked(l, ids[k], 1);
			free(ids);
			l->mark_anchor = cur_id;
			return 0;
		}
	}
	free(ids);
	free(l->err);
	l->err = xasprintf("the last mark is not within %d rows of the cursor; mark the range in parts",
			   RANGE_MAX);
	return -1;
}

int list_marked_each(struct list *l, int (*fn)(int64_t id, void *arg), void *arg)
{
	int64_t *ids = NULL;
	size_t n = 0, cap = 0, i;
	void **rows, *from = NULL;
	int got, rc = 0, j;

	if (!l->mark_all)
		return idset_each(&l->marks, fn, arg);
	/* Collect first: applying a change may reorder the list under us. */
	for (;;) {
		got = fetch(l, from, 1, 0, 1024, &rows);
		if (from)
			l->src->free_row(l, from);
		from = NULL;
		if (got <= 0) {
			free(rows);
			if (got < 0)
				rc = -1;
			break;
		}
		for (j = 0; j < got; j++) {
			int64_t id = l->src->id(l, rows[j]);
			if (!idset_has(&l->marks, id)) {
				if (n == cap) {
					cap = cap ? cap * 2 : 1024;
					ids = xrealloc(ids, cap * sizeof *ids);
				}
				ids[n++] = id;
			}
			if (j < got - 1)
				l->src->free_row(l, rows[j]);
		}
		from = rows[got - 1];
		free(rows);
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(ids[i], arg);
	free(ids);
	return rc;
}

/* ------------------------------------------------------------ array sources */

static struct array_src *arr_of(const struct list *l)
{
	return (struct array_src *)l->src;
}

static void *handle(size_t i)
{
	return (void *)(uintptr_t)(i + 1);
}

size_t array_row_index(const void *row)
{
	return (size_t)((uintptr_t)row - 1);
}

static int arr_fetch(struct list *l, const void *from, int dir, int incl, int n, void **out, char **err)
{
	struct array_src *a = arr_of(l);
	size_t count = a->count(l->ctx);
	long long i, start;
	int got = 0, k;

	(void)err;
	if (from == NULL)
		start = dir > 0 ? 0 : (long long)count - 1;
	else
		start = (long long)array_row_index(from) + (incl ? 0 : dir);
	if (dir < 0 && start >= (long long)count)
		start = (long long)count - 1;
	for (i = start; i >= 0 && i < (long long)count && got < n; i += dir) {
		if (l->search && a->match && !a->match(l->ctx, (size_t)i, l->search))
			continue;
		out[got++] = handle((size_t)i);
	}
	if (dir < 0) {
		for (k = 0; k < got / 2; k++) {
			void *t = out[k];
			out[k] = out[got - 1 - k];
			out[got - 1 - k] = t;
		}
	}
	return got;
}

static void *arr_get(struct list *l, int64_t id)
{
	struct array_src *a = arr_of(l);
	size_t i, count = a->count(l->ctx);

	for (i = 0; i < count; i++)
		if (a->row_id(l->ctx, i) == id)
			return handle(i);
	return NULL;
}

static void arr_free_row(struct list *l, void *row)
{
	(void)l;
	(void)row;
}

static int64_t arr_id(const struct list *l, const void *row)
{
	struct array_src *a = arr_of(l);
	size_t i = array_row_index(row);

	return i < a->count(l->ctx) ? a->row_id(l->ctx, i) : 0;
}

static void arr_draw(struct list *l, const void *row, int y, int x, int w, unsigned flags)
{
	struct array_src *a = arr_of(l);
	size_t i = array_row_index(row);

	if (i < a->count(l->ctx))
		a->draw(l->ctx, i, y, x, w, flags);
}

/* For an array the count and the position are cheap: keep them known. */
static void array_sync(struct list *l)
{
	struct array_src *a;
	size_t i, count, first;
	int64_t total = 0, base = 0;

	if (l->src->fetch != arr_fetch)
		return;
	a = arr_of(l);
	count = a->count(l->ctx);
	first = l->n ? array_row_index(l->rows[0]) : count;
	for (i = 0; i < count; i++) {
		if (l->search && a->match && !a->match(l->ctx, i, l->search))
			continue;
		if (i < first)
			base++;
		total++;
	}
	l->total = total;
	l->base = base;
}

void array_src_init(struct array_src *a)
{
	a->src.fetch = arr_fetch;
	a->src.get = arr_get;
	a->src.free_row = arr_free_row;
	a->src.id = arr_id;
	a->src.draw = arr_draw;
}
