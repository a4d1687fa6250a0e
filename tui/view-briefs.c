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
	draw_count(y, cx, 10, b->n_candidates);
	cx += 11;
	draw_count(y, cx, 5, b->n_rated_by_me);
	cx += 6;
	/* A blind brief shows no one's picks: it says it is blind. */
	if (b->blind)
		draw_text_right(y, cx, 5, ROLE_DIM, "blind");
	else
		draw_count(y, cx, 5, b->n_picked);
	cx += 6;
	draw_count(y, cx, 4, b->n_selected);
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

static void bcount_read(struct store *st, int64_t id, int64_t out[BG_COUNTS_MAX])
{
	struct lb_brief b;

	if (store_brief_get(st, id, &b) != 0)
		return;
	out[0] = b.n_candidates;
	out[1] = b.n_rated_by_me;
	out[2] = b.n_picked;
	out[3] = b.n_selected;
	lb_brief_clear(&b);
}

static void bcount_apply(void *ctx, int64_t id, const int64_t c[BG_COUNTS_MAX])
{
	struct bview *bv = ctx;
	size_t j;

	for (j = 0; j < bv->briefs.n; j++) {
		struct lb_brief *b = &bv->briefs.v[j];
		if (b->id != id)
			continue;
		b->n_candidates = c[0];
		b->n_rated_by_me = c[1];
		b->n_picked = c[2];
		b->n_selected = c[3];
	}
}

static void ask_counts(struct bview *bv)
{
	int64_t *ids;
	size_t i;

	if (bv->counts_asked || bv->briefs.n == 0)
		return;
	bv->counts_asked = 1;
	ids = xmalloc(bv->briefs.n * sizeof *ids);
	for (i = 0; i < bv->briefs.n; i++)
		ids[i] = bv->briefs.v[i].id;
	bg_counts(bv->v.ui->bg, bv->v.owner, ids, bv->briefs.n, bcount_read, bcount_apply, bv, &bv->gen);
	free(ids);
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

/* Saved through the writer thread; the list reads the store again when
 * it is done (a one-step change), and shows "blind" in the picks column. */
static void blind_done(struct view *v, const struct wr_op *op)
{
	(void)op;
	b_reload(v, RELOAD_OWN);
}

static int toggle_blind(struct bview *bv, int64_t id)
{
	struct wr_op *op;
	size_t i;
	int on = 1;

	if (id == 0)
		return R_REDRAW;
	for (i = 0; i < bv->briefs.n; i++)
		if (bv->briefs.v[i].id == id)
			on = !bv->briefs.v[i].blind;
	op = wr_op_new(WR_BLIND, on ? "blind review on" : "blind review off");
	wr_op_add_id(op, id);
	op->value = on;
	op->on_done = blind_done;
	op->owner = bv->v.owner;
	op->done_msg = xasprintf("brief #%lld: blind review %s", (long long)id,
				 on ? "on (no one sees the others' judgements of a candidate before judging it)"
				    : "off");
	wr_submit(bv->v.ui, op);
	return R_REDRAW;
}

/* A new brief saved by the writer: the list shows it, under the cursor. */
static void brief_added(struct view *v, const struct wr_op *op)
{
	struct bview *bv = bv_of(v);

	if (op->rc)
		return;
	load(bv);
	list_open_at(&bv->list, op->new_id);
}

static int b_handle(struct view *v, enum km_action a, const char *arg)
{
	struct bview *bv = bv_of(v);
	int64_t id = list_current_id(&bv->list);
	int r;

	r = view_list_action(v, &bv->list, a, arg, 0);
	if (r != R_UNHANDLED)
		return r;
	switch (a) {
	case KM_A_OPEN:
		if (id)
			tui_push(v->ui, view_candidates_new(v->ui, id, 0));
		return R_REDRAW;
	case KM_A_EDIT_BRIEF:
		r = tui_edit_brief(v->ui, id);
		b_reload(v, RELOAD_OWN);
		return r & ~R_RELOAD;
	case KM_A_BLIND:
		return toggle_blind(bv, id);
	case KM_A_BRIEF_ADD:
		r = tui_add_brief(v->ui, v->project_id, v, brief_added);
		return r & ~R_RELOAD;
	case KM_A_NOTE:
		return tui_note(v->ui, LB_ON_BRIEF, id, arg, "note on the brief: ");
	case KM_A_IMPORT:
		return tui_import(v->ui, id, arg);
	case KM_A_WATCH:
		return tui_watch(v->ui, id, arg);
	case KM_A_REGENERATE:
		return tui_regenerate(v->ui, id);
	case KM_A_REGENERATE_FORM:
		return tui_form_open(v->ui, id, 0);
	case KM_A_NOTE_LONG:
		if (id == 0)
			return R_REDRAW;
		return tui_long_note(v->ui, LB_ON_BRIEF, id) & ~R_RELOAD;
	case KM_A_SORT:
	case KM_A_SORT_REVERSE:
	case KM_A_SORT_BY:
		return view_sort_action(v, a, arg, sort_names, &bv->sort);
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
