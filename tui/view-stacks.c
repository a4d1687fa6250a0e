/*
 * view-stacks.c - three lists of one brief's candidates built from their
 * perceptual fingerprints (store/stacks.h):
 *
 *   stacks   one row per stack of near-copies, its best member on top
 *            with the count; o opens or closes a stack, O every one; K
 *            keeps the best and rejects the rest (one undo step);
 *   queue    "my queue": the candidates I have not rated or flagged, in
 *            stack order, best first.  A rating, pick or reject takes the
 *            candidate out and the next one comes under the cursor: one
 *            key per decision.  An undo brings the undone candidate back
 *            under the cursor, though the queue would hide it; the status
 *            line counts down what is left;
 *   similar  the candidates nearest to one, nearest first, with their
 *            distance; = again widens the search (brief, project, store).
 *
 * The stacks, the queue and the search are computed by the worker thread
 * (tui/bg.c) on its own connection, which also makes the fingerprints
 * still missing first (niced, never on the interface's thread); the list
 * shows "reading..." meanwhile.  Ratings and flags go through
 * cand-actions.c like everywhere else.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

#include "media/media.h"
#include "store/stacks.h"

enum { SV_STACKS, SV_QUEUE, SV_SIMILAR };
static const char *const scope_name[] = { "brief", "project", "store" };

struct srow {
	int64_t id;
	size_t stack;   /* index into s.stack */
	int member;     /* 0: the stack's best */
	int size;       /* members of its stack */
	int distance;   /* similar: bits from the candidate asked about */
	int hidden;     /* queue: decided here */
	struct lb_candidate *c; /* read when first drawn; NULL until then */
};

struct stview {
	struct view v;
	struct array_src asrc;
	struct list list;
	struct cand_actions ca;
	int mode;
	int64_t of;            /* similar: the candidate asked about */
	int scope;             /* similar: LB_FP_* */
	int distance;          /* stack distance */
	int loading;           /* a computation is on its way */
	uint64_t gen;          /* bumped for each computation asked */
	struct lb_stacks s;
	unsigned char *open;   /* per stack: shown open */
	int all_open;
	struct srow *all;      /* every row the mode has */
	size_t nall;
	size_t *vis;           /* the rows shown, indices into all */
	size_t nvis;
	int64_t *decided;      /* queue: what was decided here, in order */
	size_t ndecided;
	size_t searched;       /* similar: fingerprints looked at */
	size_t unprinted;      /* candidates without a fingerprint */
	size_t filled;         /* fingerprints the worker made first */
	int64_t want_cursor;   /* put the cursor on this row when it shows */
	char *err;
	int64_t now;
};

static struct stview *sv_of(struct view *v)
{
	return (struct stview *)v;
}

/* ------------------------------------------------------------ rows */

static void free_rows(struct stview *sv)
{
	size_t i;

	for (i = 0; i < sv->nall; i++)
		if (sv->all[i].c) {
			lb_candidate_clear(sv->all[i].c);
			free(sv->all[i].c);
		}
	free(sv->all);
	free(sv->vis);
	sv->all = NULL;
	sv->vis = NULL;
	sv->nall = sv->nvis = 0;
}

static struct lb_candidate *row_cand(struct stview *sv, struct srow *r)
{
	struct lb_candidate c;

	if (r->c == NULL && store_candidate_get(sv->v.ui->st, r->id, &c) == 0) {
		r->c = xmalloc(sizeof *r->c);
		*r->c = c;
	}
	return r->c;
}

static void forget_cand(struct srow *r)
{
	if (r->c) {
		lb_candidate_clear(r->c);
		free(r->c);
		r->c = NULL;
	}
}

/* The rows shown: every stack's best, and the members of open stacks;
 * in the queue and the similar list, every row not hidden. */
static void layout_rows(struct stview *sv)
{
	size_t i;

	free(sv->vis);
	sv->vis = xmalloc(sizeof *sv->vis * (sv->nall ? sv->nall : 1));
	sv->nvis = 0;
	for (i = 0; i < sv->nall; i++) {
		const struct srow *r = &sv->all[i];

		if (r->hidden)
			continue;
		if (sv->mode == SV_STACKS && r->member > 0 && !sv->open[r->stack])
			continue;
		sv->vis[sv->nvis++] = i;
	}
}

/* Re-lays the rows keeping the cursor on id (or where it was). */
static void relayout(struct stview *sv, int64_t id)
{
	int64_t cur = id ? id : list_current_id(&sv->list);
	int at = sv->list.cur;
	size_t i;

	layout_rows(sv);
	list_open(&sv->list);
	for (i = 0; i < sv->nvis; i++)
		if (sv->all[sv->vis[i]].id == cur) {
			list_open_at(&sv->list, cur);
			return;
		}
	/* gone (decided): the row that took its place */
	if (at > 0)
		list_move(&sv->list, at < (int)sv->nvis ? at : (int)sv->nvis - 1);
}

static size_t a_count(void *ctx)
{
	return ((struct stview *)ctx)->nvis;
}

static int64_t a_row_id(void *ctx, size_t i)
{
	struct stview *sv = ctx;

	return sv->all[sv->vis[i]].id;
}

static int a_match(void *ctx, size_t i, const char *words)
{
	struct stview *sv = ctx;
	struct lb_candidate *c = row_cand(sv, &sv->all[sv->vis[i]]);
	char *s;
	int m;

	if (c == NULL)
		return 0;
	s = xasprintf("%lld %s %s %s %s", (long long)c->id, c->prompt, c->source, c->tags,
		      c->body ? c->body : "");
	m = text_matches(s, words);
	free(s);
	return m;
}

static void a_draw(void *ctx, size_t i, int y, int x, int w, unsigned flags)
{
	struct stview *sv = ctx;
	struct srow *r = &sv->all[sv->vis[i]];
	struct lb_candidate *c = row_cand(sv, r);
	char buf[64], stars[32];
	int cx = x + 1, end = x + w, my_stars, my_flag, pending;

	if (flags & LIST_CURSOR) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	if (sv->mode == SV_SIMILAR) {
		snprintf(buf, sizeof buf, "%d", r->distance);
		draw_text_right(y, cx, 4, ROLE_INFO, buf);
	} else if (r->member == 0 && r->size > 1) {
		snprintf(buf, sizeof buf, "%s%d", sv->mode == SV_QUEUE ? "" : sv->open[r->stack] ? "-" : "+",
			 r->size);
		draw_text_right(y, cx, 4, ROLE_INFO, buf);
	} else if (r->member > 0) {
		draw_text_right(y, cx, 4, ROLE_DIM, draw_unicode() ? "└" : "`");
	}
	cx += 5;
	snprintf(buf, sizeof buf, "#%lld", (long long)r->id);
	draw_text_right(y, cx, 7, ROLE_DIM, buf);
	cx += 8;
	if (c == NULL) {
		draw_text(y, cx, end - cx, ROLE_DIM, "(gone)");
		draw_override(-1);
		return;
	}
	pending = wr_shown(sv->v.ui, c, &my_stars, &my_flag); /* with changes not saved yet */
	draw_raw(y, cx, 5, my_stars < 0 ? ROLE_DIM : ROLE_STARS, glyph_stars(my_stars, stars));
	cx += 6;
	if (my_flag == LB_FLAG_PICK)
		draw_raw(y, cx, 1, ROLE_PICK, glyph_pick());
	else if (my_flag == LB_FLAG_REJECT)
		draw_raw(y, cx, 1, ROLE_REJECT, glyph_reject());
	if (pending)
		draw_raw(y, cx + 1, 1, ROLE_DIM, wr_pending_glyph());
	cx += 3;
	if (sv->mode == SV_SIMILAR && c->brief_id != sv->v.brief_id) {
		snprintf(buf, sizeof buf, "brief %lld", (long long)c->brief_id);
		cx += draw_text(y, cx, end - cx, ROLE_LABEL, buf) + 1;
	}
	if (cx < end) {
		const char *s = *c->prompt ? c->prompt : util_basename(c->source);

		draw_text(y, cx, end - cx, ROLE_NORMAL, s);
	}
	draw_override(-1);
}

/* ------------------------------------------------------------ the worker */

struct calc_task {
	struct bg_task t;
	struct stview *sv;
	uint64_t gen;
	int mode, scope, distance;
	int64_t brief, of;
	long long pixel_limit;
	/* results */
	int rc;
	char *err;
	struct lb_stacks s;
	struct lb_similar *sim;
	size_t nsim, searched, filled;
};

static void calc_run(struct bg_task *bt, struct store *st)
{
	struct calc_task *t = (struct calc_task *)bt;
	struct lb_fp_set set;
	struct fp_index *ix;
	int64_t scope_id = t->brief;
	uint64_t fp;
	struct lb_brief b;

	t->rc = -1;
	if (st == NULL) {
		t->err = xstrdup("the store could not be opened by the worker");
		return;
	}
	/* the fingerprints still missing first: decoding, no transaction open */
	if (store_fp_fill(st, t->mode == SV_SIMILAR && t->scope == LB_FP_ALL ? 0 : t->brief, 0,
			  t->pixel_limit, NULL, &t->filled, NULL) != 0)
		goto fail;
	if (t->mode != SV_SIMILAR) {
		if (store_stacks(st, t->brief, t->distance, &t->s) != 0)
			goto fail;
		t->rc = 0;
		return;
	}
	if (store_fp_get(st, t->of, &fp) != 0)
		goto fail;
	if (t->scope == LB_FP_PROJECT) {
		if (store_brief_get_light(st, t->brief, &b) != 0)
			goto fail;
		scope_id = b.project_id;
		lb_brief_clear(&b);
	}
	/* from cache/fingerprints.bin when current (--all makes it again) */
	if (store_fp_set_cached(st, t->scope, scope_id, &set, NULL) != 0)
		goto fail;
	ix = fp_index_new(set.fp, set.n);
	t->sim = xmalloc(sizeof *t->sim * 200);
	t->nsim = lb_similar_in(&set, ix, t->of, fp, 64, 200, t->sim);
	t->searched = set.n;
	fp_index_free(&ix);
	lb_fp_set_free(&set);
	t->rc = 0;
	return;
fail:
	t->err = xstrdup(store_errmsg(st));
}

static void take_stacks(struct stview *sv, struct calc_task *t)
{
	struct idset was_open = { 0 };
	size_t i, k;

	/* stacks stay open across a re-read: known by their members */
	for (i = 0; i < sv->s.n; i++)
		if (sv->open[i])
			for (k = 0; k < sv->s.stack[i].n; k++)
				idset_add(&was_open, sv->s.member[sv->s.stack[i].first + k].id);
	lb_stacks_free(&sv->s);
	sv->s = t->s;
	memset(&t->s, 0, sizeof t->s);
	free(sv->open);
	sv->open = xcalloc(sv->s.n ? sv->s.n : 1, 1);
	sv->unprinted = sv->s.unprinted;
	free_rows(sv);
	sv->all = xcalloc(sv->s.nmember ? sv->s.nmember : 1, sizeof *sv->all);
	for (i = 0; i < sv->s.n; i++) {
		const struct lb_stack *st = &sv->s.stack[i];

		sv->open[i] = (unsigned char)sv->all_open;
		for (k = 0; k < st->n; k++) {
			const struct lb_stack_member *m = &sv->s.member[st->first + k];
			struct srow *r;

			if (idset_has(&was_open, m->id))
				sv->open[i] = 1;
			/* the queue: only what I have not rated or flagged */
			if (sv->mode == SV_QUEUE && (m->my_stars >= 0 || m->my_flag != LB_FLAG_NONE))
				continue;
			r = &sv->all[sv->nall++];
			r->id = m->id;
			r->stack = i;
			r->member = sv->mode == SV_QUEUE ? 0 : (int)k;
			r->size = (int)st->n;
		}
	}
	idset_clear(&was_open);
}

static void calc_done(struct bg_task *bt, struct tui *ui)
{
	struct calc_task *t = (struct calc_task *)bt;
	struct stview *sv = t->sv;
	int64_t cur = list_current_id(&sv->list);
	size_t i;

	if (t->gen != sv->gen)
		return; /* a newer one is on its way */
	sv->loading = 0;
	xfree(&sv->err);
	sv->filled = t->filled;
	if (t->rc != 0) {
		sv->err = xstrdup(t->err ? t->err : "the store could not be read");
		tui_error(ui, "%s: %s", sv->v.ops->name, sv->err);
		ui->dirty |= R_REDRAW;
		return;
	}
	if (sv->mode == SV_SIMILAR) {
		free_rows(sv);
		sv->all = xcalloc(t->nsim ? t->nsim : 1, sizeof *sv->all);
		for (i = 0; i < t->nsim; i++) {
			sv->all[i].id = t->sim[i].id;
			sv->all[i].distance = t->sim[i].distance;
		}
		sv->nall = t->nsim;
		sv->searched = t->searched;
	} else {
		take_stacks(sv, t);
	}
	/* an undone decision comes back under the cursor */
	if (sv->mode == SV_QUEUE && sv->want_cursor)
		cur = sv->want_cursor;
	sv->want_cursor = 0;
	relayout(sv, cur);
	ui->dirty |= R_REDRAW;
}

static void calc_free(struct bg_task *bt)
{
	struct calc_task *t = (struct calc_task *)bt;

	lb_stacks_free(&t->s);
	free(t->sim);
	free(t->err);
	free(t);
}

static void ask(struct stview *sv)
{
	struct calc_task *t = xcalloc(1, sizeof *t);

	t->t.run = calc_run;
	t->t.done = calc_done;
	t->t.free = calc_free;
	t->t.owner = sv->v.owner;
	t->t.key = 1;
	t->sv = sv;
	t->gen = ++sv->gen;
	t->mode = sv->mode;
	t->scope = sv->scope;
	t->distance = sv->distance;
	t->brief = sv->v.brief_id;
	t->of = sv->of;
	t->pixel_limit = km_opt_int(sv->v.ui->opt, KM_O_PIXEL_LIMIT) * 1000000LL;
	sv->loading = 1;
	bg_submit(sv->v.ui->bg, &t->t);
	bg_kick(sv->v.ui->bg);
}

/* ------------------------------------------------------------ the view */

static struct srow *cur_row(struct stview *sv)
{
	void *row = list_current(&sv->list);

	return row ? &sv->all[sv->vis[array_row_index(row)]] : NULL;
}

static struct srow *row_of(struct stview *sv, int64_t id)
{
	size_t i;

	for (i = 0; i < sv->nall; i++)
		if (sv->all[i].id == id)
			return &sv->all[i];
	return NULL;
}

static int64_t st_current(struct view *v)
{
	struct srow *r = cur_row(sv_of(v));

	return r ? r->id : 0;
}

static const struct lb_candidate *st_current_row(struct view *v, int delta)
{
	struct stview *sv = sv_of(v);
	int i = sv->list.cur + delta;

	if (sv->list.cur < 0 || i < 0 || i >= (int)sv->nvis)
		return NULL;
	return row_cand(sv, &sv->all[sv->vis[i]]);
}

/* After a rating or flag here: in the queue the candidate leaves (the
 * next one comes under the cursor); elsewhere its row is read again. */
static void st_changed(struct view *v, int what)
{
	struct stview *sv = sv_of(v);
	struct srow *r = cur_row(sv);
	size_t i;

	if (!(what & CHANGED_ROW)) {
		/* the writer saved it: read the rows again; in the stacks, a
		 * rating may have changed which member is best */
		for (i = 0; i < sv->nall; i++)
			forget_cand(&sv->all[i]);
		if (sv->mode == SV_STACKS)
			ask(sv);
		return;
	}
	/* typed just now (pending in the writer) */
	if (r == NULL)
		return;
	forget_cand(r);
	if (sv->mode != SV_QUEUE)
		return;
	r->hidden = 1;
	sv->decided = xrealloc(sv->decided, sizeof *sv->decided * (sv->ndecided + 1));
	sv->decided[sv->ndecided++] = r->id;
	relayout(sv, 0);
}

static void st_reload(struct view *v, int mode)
{
	struct stview *sv = sv_of(v);
	size_t i;

	for (i = 0; i < sv->nall; i++)
		forget_cand(&sv->all[i]);
	if (mode == RELOAD_REOPEN) {
		list_open(&sv->list);
		return;
	}
	/* the queue: the newest decision that is undecided again (an undo)
	 * comes back under the cursor when the queue is read again */
	if (sv->mode == SV_QUEUE) {
		while (sv->ndecided > 0) {
			int64_t id = sv->decided[sv->ndecided - 1];
			struct lb_candidate c;

			if (store_candidate_get(v->ui->st, id, &c) != 0) {
				sv->ndecided--;
				continue;
			}
			if (c.my_stars < 0 && c.my_flag == LB_FLAG_NONE) {
				sv->want_cursor = id;
				sv->ndecided--;
			}
			lb_candidate_clear(&c);
			break;
		}
	}
	ask(sv);
}

static void st_draw(struct view *v, struct rect r)
{
	struct stview *sv = sv_of(v);
	const struct lb_candidate *cur;
	struct rect pr;
	int lw = r.w;

	sv->now = util_now();
	if (r.w >= 60)
		lw = r.w >= 140 ? r.w * 55 / 100 : r.w - (r.w * 2 / 5 > 28 ? r.w * 2 / 5 : 28);
	list_scroll(&sv->list, r.h - 1);
	draw_fill(r.y, r.x, lw, ROLE_HEADER);
	draw_text(r.y, r.x + 1, 4, ROLE_HEADER, sv->mode == SV_SIMILAR ? "dist" : "n");
	draw_text_right(r.y, r.x + 6, 7, ROLE_HEADER, "#");
	draw_text(r.y, r.x + 14, lw - 14, ROLE_HEADER, "mine   prompt or file");
	if (sv->nvis == 0) {
		const char *why = sv->loading			      ? "reading (fingerprints are made first)..."
				  : sv->err			      ? sv->err
				  : sv->mode == SV_QUEUE && sv->nall  ? "the queue is empty: every candidate is decided"
				  : sv->mode == SV_QUEUE	      ? "nothing left to rate"
				  : sv->mode == SV_SIMILAR	      ? "no other candidate with a fingerprint here"
								      : "no candidates";

		draw_text(r.y + 2, r.x + 2, lw - 2, ROLE_DIM, why);
	} else {
		list_draw(&sv->list, r.y + 1, r.x, r.h - 1, lw);
	}
	if (lw < r.w) {
		draw_vline(r.y, r.x + lw, r.h, ROLE_SEP);
		pr.y = r.y;
		pr.x = r.x + lw + 1;
		pr.h = r.h;
		pr.w = r.w - lw - 1;
		cur = st_current_row(v, 0);
		if (cur)
			v->ui->preview->ops->draw(v->ui->preview, cur, pr, 0);
		else
			v->ui->preview->ops->hide(v->ui->preview);
	}
}

static void st_crumb(struct view *v, struct sbuf *out)
{
	struct stview *sv = sv_of(v);

	if (sv->mode == SV_SIMILAR)
		sb_addf(out, "like #%lld in the %s", (long long)sv->of, scope_name[sv->scope]);
	else
		sb_adds(out, sv->mode == SV_QUEUE ? "my queue" : "stacks");
}

static void st_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct stview *sv = sv_of(v);
	char pos[64];

	if (sv->loading)
		sb_adds(left, "  reading...");
	if (sv->mode == SV_QUEUE) {
		sb_addf(left, "  %zu left", sv->nvis);
		if (sv->ndecided)
			sb_addf(left, ", %zu decided here", sv->ndecided);
	} else if (sv->mode == SV_STACKS) {
		sb_addf(left, "  %zu stacks at distance %d", sv->s.n, sv->distance);
		if (sv->unprinted)
			sb_addf(left, ", %zu without fingerprint", sv->unprinted);
	} else {
		sb_addf(left, "  %zu searched", sv->searched);
	}
	if (sv->list.search)
		sb_addf(left, "  /%s", sv->list.search);
	list_pos_text(&sv->list, pos, sizeof pos);
	sb_adds(right, pos);
}

/* The writer saved "keep best" (or could not): the stacks are read again. */
static void kept(struct view *v, const struct wr_op *op)
{
	(void)op;
	st_reload(v, RELOAD_OWN);
}

/* "Keep best, reject rest": the members to reject go to the writer as
 * one bulk flag (one undo step, in chunks, cancellable); the interface
 * never waits for the store's lock. */
static int keep_best(struct stview *sv, const char *arg)
{
	struct tui *ui = sv->v.ui;
	struct srow *r = cur_row(sv);
	struct wr_op *op;
	long which;
	char label[96];

	if (sv->mode == SV_SIMILAR || sv->loading) {
		tui_msg(ui, sv->loading ? "keep-best: the stacks are still being read" : "keep-best works on stacks");
		return R_REDRAW;
	}
	if (arg && strcmp(arg, "all") == 0)
		which = -1;
	else if (r)
		which = (long)r->stack;
	else
		return R_REDRAW;
	op = fold_keep_best_op(ui, &sv->s, which, label, sizeof label);
	if (op == NULL) {
		tui_msg(ui, "%s: nothing to reject", label);
		return R_REDRAW;
	}
	op->on_done = kept;
	op->owner = sv->v.owner;
	wr_submit(ui, op);
	return R_REDRAW;
}

static int st_handle(struct view *v, enum km_action a, const char *arg)
{
	struct stview *sv = sv_of(v);
	struct srow *r = cur_row(sv);
	size_t i;
	int res;

	res = view_list_action(v, &sv->list, a, arg, 0);
	if (res != R_UNHANDLED)
		return res;
	switch (a) {
	case KM_A_STACK_TOGGLE:
	case KM_A_OPEN:
		if (r && sv->mode == SV_STACKS && sv->s.stack && sv->s.stack[r->stack].n > 1) {
			int64_t best = sv->s.member[sv->s.stack[r->stack].first].id;

			sv->open[r->stack] = !sv->open[r->stack];
			relayout(sv, sv->open[r->stack] ? r->id : best);
			return R_REDRAW;
		}
		if (a == KM_A_OPEN && r)
			tui_push(v->ui, view_detail_new(v->ui, r->id));
		return R_REDRAW;
	case KM_A_STACK_TOGGLE_ALL:
		if (sv->mode != SV_STACKS)
			return R_REDRAW;
		sv->all_open = !sv->all_open;
		for (i = 0; i < sv->s.n; i++)
			sv->open[i] = (unsigned char)sv->all_open;
		if (r && !sv->all_open)
			relayout(sv, sv->s.member[sv->s.stack[r->stack].first].id);
		else
			relayout(sv, 0);
		return R_REDRAW;
	case KM_A_KEEP_BEST:
		return keep_best(sv, arg);
	case KM_A_FIND_SIMILAR:
		if (sv->mode == SV_SIMILAR) {
			/* = again: a wider search */
			sv->scope = (sv->scope + 1) % 3;
			free_rows(sv);
			relayout(sv, 0);
			ask(sv);
			return R_REDRAW;
		}
		return R_UNHANDLED;
	case KM_A_DETAIL:
		if (r)
			tui_push(v->ui, view_detail_new(v->ui, r->id));
		return R_REDRAW;
	case KM_A_ZOOM:
		if (r)
			tui_push(v->ui, view_zoom_new(v->ui, v));
		return R_REDRAW;
	case KM_A_VIEW_STACKS:
	case KM_A_VIEW_QUEUE:
		if ((a == KM_A_VIEW_STACKS) == (sv->mode == SV_STACKS))
			return R_REDRAW;
		return R_UNHANDLED;
	default:
		break;
	}
	if (r && row_of(sv, r->id))
		return cand_action(&sv->ca, a, arg);
	return R_UNHANDLED;
}

static void st_close(struct view *v)
{
	struct stview *sv = sv_of(v);

	list_free(&sv->list);
	free_rows(sv);
	lb_stacks_free(&sv->s);
	free(sv->open);
	free(sv->decided);
	free(sv->err);
	free(sv);
}

static const struct view_ops st_ops = {
	.name = "stacks",
	.ctx = KM_CTX_STACKS,
	.draw = st_draw,
	.handle = st_handle,
	.reload = st_reload,
	.crumb = st_crumb,
	.status = st_status,
	.close = st_close,
	.current = st_current_row,
};

static const struct view_ops queue_ops = {
	.name = "queue",
	.ctx = KM_CTX_STACKS,
	.draw = st_draw,
	.handle = st_handle,
	.reload = st_reload,
	.crumb = st_crumb,
	.status = st_status,
	.close = st_close,
	.current = st_current_row,
};

static const struct view_ops similar_ops = {
	.name = "similar",
	.ctx = KM_CTX_STACKS,
	.draw = st_draw,
	.handle = st_handle,
	.reload = st_reload,
	.crumb = st_crumb,
	.status = st_status,
	.close = st_close,
	.current = st_current_row,
};

static struct view *make(struct tui *ui, int mode, int64_t brief_id, int64_t of)
{
	struct stview *sv = xcalloc(1, sizeof *sv);

	sv->v.ops = mode == SV_STACKS ? &st_ops : mode == SV_QUEUE ? &queue_ops : &similar_ops;
	sv->v.ui = ui;
	sv->v.owner = tui_owner(ui);
	sv->v.brief_id = brief_id;
	sv->mode = mode;
	sv->of = of;
	sv->distance = (int)km_opt_int(ui->opt, KM_O_STACK_DISTANCE);
	sv->open = xcalloc(1, 1);
	sv->asrc.count = a_count;
	sv->asrc.row_id = a_row_id;
	sv->asrc.match = a_match;
	sv->asrc.draw = a_draw;
	array_src_init(&sv->asrc);
	list_init(&sv->list, &sv->asrc.src, sv);
	sv->ca.v = &sv->v;
	sv->ca.list = NULL;
	sv->ca.current = st_current;
	sv->ca.changed = st_changed;
	list_open(&sv->list);
	ask(sv);
	return &sv->v;
}

/* ------------------------------------------------------------ filling in the background */

/* The store's missing fingerprints, a few at a time: each task makes up
 * to FILL_STEP and queues the next, so counts and read-ahead queued
 * meanwhile wait for one small batch only (and quitting too). */
enum { FILL_STEP = 8 };

struct fill_task {
	struct bg_task t;
	long long pixel_limit;
	size_t made;
	int more, rc;
};

static struct tui *fill_ui; /* the interface whose store is being filled */

static void fill_run(struct bg_task *bt, struct store *st)
{
	struct fill_task *t = (struct fill_task *)bt;

	t->rc = st ? store_fp_fill_some(st, t->pixel_limit, FILL_STEP, &t->made, &t->more) : -1;
}

static void fill_submit(struct tui *ui);

static void fill_done(struct bg_task *bt, struct tui *ui)
{
	struct fill_task *t = (struct fill_task *)bt;

	if (t->rc == 0 && t->more)
		fill_submit(ui);
}

static void fill_free(struct bg_task *bt)
{
	free(bt);
}

static void fill_submit(struct tui *ui)
{
	struct fill_task *t = xcalloc(1, sizeof *t);

	t->t.run = fill_run;
	t->t.done = fill_done;
	t->t.free = fill_free;
	t->t.owner = 0;
	t->t.key = 0x66696c6c; /* "fill" */
	t->pixel_limit = km_opt_int(ui->opt, KM_O_PIXEL_LIMIT) * 1000000LL;
	bg_submit(ui->bg, &t->t);
	bg_kick(ui->bg);
}

void view_stacks_fill_start(struct tui *ui)
{
	if (fill_ui == ui || ui->bg == NULL)
		return;
	fill_ui = ui;
	fill_submit(ui);
}

int view_stacks_action(struct tui *ui, enum km_action a)
{
	struct view *top = tui_top(ui);
	const struct lb_candidate *c;
	int64_t brief = tui_brief_id(ui);

	if (a == KM_A_FIND_SIMILAR) {
		c = top && top->ops->current ? top->ops->current(top, 0) : NULL;
		if (c == NULL) {
			tui_msg(ui, "find-similar: no candidate here");
			return R_REDRAW;
		}
		if (c->modality != LB_IMAGE && c->modality != LB_VIDEO) {
			tui_msg(ui, "find-similar: #%lld is %s; only pictures and videos have fingerprints",
				(long long)c->id, lb_modality_name(c->modality));
			return R_REDRAW;
		}
		tui_push(ui, make(ui, SV_SIMILAR, c->brief_id, c->id));
		return R_REDRAW;
	}
	if (brief == 0) {
		tui_msg(ui, "%s: open a brief first", km_action_name(a));
		return R_REDRAW;
	}
	tui_push(ui, make(ui, a == KM_A_VIEW_QUEUE ? SV_QUEUE : SV_STACKS, brief, 0));
	return R_REDRAW;
}
