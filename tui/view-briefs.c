/*
 * view-briefs.c - the briefs of a project with their counts: candidates,
 * rated by me, picked, selected (filled in by the worker thread), the
 * modality, the revision and when it was last edited.  Enter opens the
 * candidates; e edits the brief in $EDITOR as a new revision.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

enum { SORT_OLDEST, SORT_NEWEST, SORT_TITLE, SORT_UPDATED };
static const char *const sort_names[] = { "oldest", "newest", "title", "updated", NULL };

struct bview {
	struct view v;
	struct array_src asrc;
	struct list list;
	struct lb_brief_list briefs;
	char *project_name;
	int sort;
	uint64_t gen;
	int counts_asked;
	int titlew;
	int64_t now;
};

static struct bview *bv_of(struct view *v)
{
	return (struct bview *)v;
}

static size_t b_count(void *ctx)
{
	return ((struct bview *)ctx)->briefs.n;
}

static int64_t b_row_id(void *ctx, size_t i)
{
	return ((struct bview *)ctx)->briefs.v[i].id;
}

static int b_match(void *ctx, size_t i, const char *words)
{
	const struct lb_brief *b = &((struct bview *)ctx)->briefs.v[i];
	char *s = xasprintf("%s %s %s %s", b->f.title, b->f.prompt, b->f.constraints, lb_modality_name(b->f.modality));
	int m = text_matches(s, words);

	free(s);
	return m;
}

static void count_cell(int y, int x, int w, int64_t n)
{
	char buf[32];

	if (n < 0) {
		draw_text_right(y, x, w, ROLE_DIM, draw_unicode() ? "\xe2\x80\xa6" : ".");
		return;
	}
	snprintf(buf, sizeof buf, "%lld", (long long)n);
	draw_text_right(y, x, w, n ? ROLE_NORMAL : ROLE_DIM, buf);
}

static void b_draw(void *ctx, size_t i, int y, int x, int w, unsigned flags)
{
	struct bview *bv = ctx;
	const struct lb_brief *b = &bv->briefs.v[i];
	char buf[32];
	int cx = x + 1, end = x + w;

	if (flags & LIST_CURSOR) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	snprintf(buf, sizeof buf, "%lld", (long long)b->id);
	draw_text_right(y, cx, 4, ROLE_DIM, buf);
	cx += 5;
	draw_text(y, cx, bv->titlew, b->archived ? ROLE_DIM : ROLE_NORMAL, b->f.title);
	cx += bv->titlew + 1;
	draw_text(y, cx, 5, ROLE_DIM, lb_modality_name(b->f.modality));
	cx += 6;
	snprintf(buf, sizeof buf, "r%d", b->rev);
	draw_text_right(y, cx, 4, ROLE_DIM, buf);
	cx += 5;
	count_cell(y, cx, 10, b->n_candidates);
	cx += 11;
	count_cell(y, cx, 5, b->n_rated_by_me);
	cx += 6;
	count_cell(y, cx, 5, b->n_picked);
	cx += 6;
	count_cell(y, cx, 4, b->n_selected);
	cx += 5;
	util_age(b->updated, bv->now, buf);
	draw_text_right(y, cx, 7, ROLE_DIM, buf);
	cx += 9;
	if (cx < end)
		draw_text(y, cx, end - cx, ROLE_DIM, b->f.prompt);
	draw_override(-1);
}

static int cmp_oldest(const void *a, const void *b)
{
	const struct lb_brief *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_newest(const void *a, const void *b)
{
	return cmp_oldest(b, a);
}

static int cmp_title(const void *a, const void *b)
{
	const struct lb_brief *x = a, *y = b;
	int c = strcasecmp(x->f.title, y->f.title);

	return c ? c : cmp_oldest(a, b);
}

static int cmp_updated(const void *a, const void *b)
{
	const struct lb_brief *x = a, *y = b;

	if (x->updated != y->updated)
		return x->updated < y->updated ? 1 : -1;
	return cmp_oldest(a, b);
}

static void sort_array(struct bview *bv)
{
	int (*const cmps[])(const void *, const void *) = { cmp_oldest, cmp_newest, cmp_title, cmp_updated };

	if (bv->briefs.n > 1)
		qsort(bv->briefs.v, bv->briefs.n, sizeof *bv->briefs.v, cmps[bv->sort]);
}

/* ------------------------------------------------------------ counts */

struct bcount_task {
	struct bg_task t;
	struct bview *bv;
	uint64_t gen;
	size_t n;
	int64_t *ids;
	int64_t (*counts)[4];
};

static void bcount_run(struct bg_task *bt, struct store *st)
{
	struct bcount_task *t = (struct bcount_task *)bt;
	struct lb_brief b;
	size_t i;

	for (i = 0; i < t->n; i++) {
		t->counts[i][0] = t->counts[i][1] = t->counts[i][2] = t->counts[i][3] = -1;
		if (st && store_brief_get(st, t->ids[i], &b) == 0) {
			t->counts[i][0] = b.n_candidates;
			t->counts[i][1] = b.n_rated_by_me;
			t->counts[i][2] = b.n_picked;
			t->counts[i][3] = b.n_selected;
			lb_brief_clear(&b);
		}
	}
}

static void bcount_done(struct bg_task *bt, struct tui *ui)
{
	struct bcount_task *t = (struct bcount_task *)bt;
	struct bview *bv = t->bv;
	size_t i, j;

	if (t->gen != bv->gen)
		return;
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < bv->briefs.n; j++) {
			struct lb_brief *b = &bv->briefs.v[j];
			if (b->id != t->ids[i])
				continue;
			b->n_candidates = t->counts[i][0];
			b->n_rated_by_me = t->counts[i][1];
			b->n_picked = t->counts[i][2];
			b->n_selected = t->counts[i][3];
		}
	}
	ui->dirty |= R_REDRAW;
}

static void bcount_free(struct bg_task *bt)
{
	struct bcount_task *t = (struct bcount_task *)bt;

	free(t->ids);
	free(t->counts);
	free(t);
}

static void ask_counts(struct bview *bv)
{
	struct bcount_task *t;
	size_t i;

	if (bv->counts_asked || bv->briefs.n == 0)
		return;
	bv->counts_asked = 1;
	t = xcalloc(1, sizeof *t);
	t->t.run = bcount_run;
	t->t.done = bcount_done;
	t->t.free = bcount_free;
	t->t.owner = bv->v.owner;
	t->t.key = 1;
	t->bv = bv;
	t->gen = bv->gen;
	t->n = bv->briefs.n;
	t->ids = xmalloc(t->n * sizeof *t->ids);
	t->counts = xmalloc(t->n * sizeof *t->counts);
	for (i = 0; i < t->n; i++)
		t->ids[i] = bv->briefs.v[i].id;
	bg_submit(bv->v.ui->bg, &t->t);
}

/* ------------------------------------------------------------ the view */

static void load(struct bview *bv)
{
	struct lb_brief_list fresh;
	size_t i, j;

	if (store_brief_list_light(bv->v.ui->st, bv->v.project_id, 1, &fresh) != 0) {
		tui_store_error(bv->v.ui, "listing briefs");
		return;
	}
	for (i = 0; i < fresh.n; i++) {
		for (j = 0; j < bv->briefs.n; j++) {
			const struct lb_brief *o = &bv->briefs.v[j];
			if (o->id != fresh.v[i].id)
				continue;
			fresh.v[i].n_candidates = o->n_candidates;
			fresh.v[i].n_rated_by_me = o->n_rated_by_me;
			fresh.v[i].n_picked = o->n_picked;
			fresh.v[i].n_selected = o->n_selected;
		}
	}
	lb_brief_list_free(&bv->briefs);
	bv->briefs = fresh;
	sort_array(bv);
	bv->gen++;
	bv->counts_asked = 0;
}

static void b_reload(struct view *v, int mode)
{
	struct bview *bv = bv_of(v);
	char *name = NULL;

	if (store_project_name(v->ui->st, v->project_id, &name) == 0) {
		free(bv->project_name);
		bv->project_name = name;
	}
	load(bv);
	if (mode == RELOAD_REOPEN)
		list_open(&bv->list);
	else
		list_reload(&bv->list, 0);
}

static void b_draw_view(struct view *v, struct rect r)
{
	struct bview *bv = bv_of(v);
	size_t i;
	int w, x;

	bv->now = util_now();
	bv->titlew = 12;
	for (i = 0; i < bv->briefs.n; i++) {
		w = draw_width(bv->briefs.v[i].f.title);
		if (w > bv->titlew)
			bv->titlew = w;
	}
	if (bv->titlew > r.w - 62)
		bv->titlew = r.w - 62 > 10 ? r.w - 62 : 10;
	if (bv->titlew > 40)
		bv->titlew = 40;
	draw_fill(r.y, r.x, r.w, ROLE_HEADER);
	x = r.x + 1;
	draw_text_right(r.y, x, 4, ROLE_HEADER, "#");
	x += 5;
	draw_text(r.y, x, bv->titlew, ROLE_HEADER, "brief");
	x += bv->titlew + 1;
	draw_text(r.y, x, 5, ROLE_HEADER, "kind");
	x += 6;
	draw_text_right(r.y, x, 4, ROLE_HEADER, "rev");
	x += 5;
	draw_text_right(r.y, x, 10, ROLE_HEADER, "candidates");
	x += 11;
	draw_text_right(r.y, x, 5, ROLE_HEADER, "mine");
	x += 6;
	draw_text_right(r.y, x, 5, ROLE_HEADER, "picks");
	x += 6;
	draw_text_right(r.y, x, 4, ROLE_HEADER, "sel");
	x += 5;
	draw_text_right(r.y, x, 7, ROLE_HEADER, "edited");
	x += 9;
	draw_text(r.y, x, r.w - x, ROLE_HEADER, "prompt");
	if (bv->briefs.n == 0)
		draw_text(r.y + 2, r.x + 2, r.w - 2, ROLE_DIM, "no briefs yet: 'a' writes one in $EDITOR");
	else if (bv->list.n == 0)
		draw_text(r.y + 2, r.x + 2, r.w - 2, ROLE_DIM, "no brief matches the search (M-/ forgets it)");
	list_draw(&bv->list, r.y + 1, r.x, r.h - 1, r.w);
	ask_counts(bv);
}

static void b_crumb(struct view *v, struct sbuf *out)
{
	struct bview *bv = bv_of(v);

	sb_adds(out, bv->project_name ? bv->project_name : "?");
}

static void b_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct bview *bv = bv_of(v);
	char pos[64];

	if (bv->list.search)
		sb_addf(left, "  /%s", bv->list.search);
	sb_addf(left, "  sort: %s", sort_names[bv->sort]);
	list_pos_text(&bv->list, pos, sizeof pos);
	sb_adds(right, pos);
}

static void note_accept(struct tui *ui, void *arg, const char *text)
{
	int64_t *bid = arg, id;

	if (*text == '\0')
		return;
	if (store_note_add(ui->st, LB_ON_BRIEF, *bid, LB_NOTE_COMMENT, text, &id) != 0)
		tui_store_error(ui, "note");
	else
		tui_msg(ui, "note saved on brief #%lld", (long long)*bid);
}

static void sort_accept(struct tui *ui, void *arg, const char *text)
{
	struct bview *bv = arg;
	int i;

	for (i = 0; sort_names[i]; i++) {
		if (strcmp(sort_names[i], text) == 0) {
			bv->sort = i;
			b_reload(&bv->v, RELOAD_EXTERNAL);
			return;
		}
	}
	if (*text)
		tui_error(ui, "briefs sort by oldest, newest, title or updated");
}

static int b_handle(struct view *v, enum km_action a, const char *arg)
{
	struct bview *bv = bv_of(v);
	struct prompt_spec ps;
	int64_t id = list_current_id(&bv->list), *bid, nid;
	int r;

	r = view_list_action(v, &bv->list, a, arg, 0);
	if (r != R_UNHANDLED)
		return r;
	memset(&ps, 0, sizeof ps);
	switch (a) {
	case KM_A_OPEN:
		if (id)
			tui_push(v->ui, view_candidates_new(v->ui, id, 0));
		return R_REDRAW;
	case KM_A_EDIT_BRIEF:
		r = tui_edit_brief(v->ui, id);
		b_reload(v, RELOAD_OWN);
		return r & ~R_RELOAD;
	case KM_A_BRIEF_ADD:
		r = tui_add_brief(v->ui, v->project_id, &nid);
		if (nid) {
			load(bv);
			list_open_at(&bv->list, nid);
		}
		return r & ~R_RELOAD;
	case KM_A_NOTE:
		if (id == 0)
			return R_REDRAW;
		bid = xmalloc(sizeof *bid);
		*bid = id;
		if (arg) {
			note_accept(v->ui, bid, arg);
			free(bid);
			return R_REDRAW;
		}
		ps.label = "note on the brief: ";
		ps.history = HIST_NOTE;
		ps.accept = note_accept;
		ps.arg = bid;
		ps.arg_free = free;
		prompt_open(v->ui, &ps);
		return R_REDRAW;
	case KM_A_NOTE_LONG:
		if (id == 0)
			return R_REDRAW;
		return tui_long_note(v->ui, LB_ON_BRIEF, id) & ~R_RELOAD;
	case KM_A_SORT:
		bv->sort = (bv->sort + 1) % 4;
		b_reload(v, RELOAD_EXTERNAL);
		return R_REDRAW;
	case KM_A_SORT_REVERSE:
		bv->sort = bv->sort == SORT_NEWEST ? SORT_OLDEST : SORT_NEWEST;
		b_reload(v, RELOAD_EXTERNAL);
		return R_REDRAW;
	case KM_A_SORT_BY:
		if (arg) {
			sort_accept(v->ui, bv, arg);
			return R_REDRAW;
		}
		ps.label = "sort briefs by (oldest, newest, title, updated): ";
		ps.complete = CPL_WORDS;
		ps.words = sort_names;
		ps.history = HIST_OTHER;
		ps.accept = sort_accept;
		ps.arg = bv;
		prompt_open(v->ui, &ps);
		return R_REDRAW;
	default:
		return R_UNHANDLED;
	}
}

static void b_close(struct view *v)
{
	struct bview *bv = bv_of(v);

	list_free(&bv->list);
	lb_brief_list_free(&bv->briefs);
	free(bv->project_name);
	free(bv);
}

static const struct view_ops b_ops = {
	.name = "briefs",
	.ctx = KM_CTX_BRIEFS,
	.draw = b_draw_view,
	.handle = b_handle,
	.reload = b_reload,
	.crumb = b_crumb,
	.status = b_status,
	.close = b_close,
};

struct view *view_briefs_new(struct tui *ui, int64_t project_id)
{
	struct bview *bv = xcalloc(1, sizeof *bv);

	bv->v.ops = &b_ops;
	bv->v.ui = ui;
	bv->v.owner = tui_owner(ui);
	bv->v.project_id = project_id;
	if (store_project_name(ui->st, project_id, &bv->project_name) != 0) {
		tui_store_error(ui, "opening the project");
		free(bv);
		return NULL;
	}
	bv->asrc.count = b_count;
	bv->asrc.row_id = b_row_id;
	bv->asrc.match = b_match;
	bv->asrc.draw = b_draw;
	array_src_init(&bv->asrc);
	list_init(&bv->list, &bv->asrc.src, bv);
	load(bv);
	list_open(&bv->list);
	return &bv->v;
}
