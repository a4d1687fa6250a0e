/*
 * view-grid.c - the contact sheet (Tab in the candidates view): the
 * brief's candidates as a grid of pictures, each captioned with its id,
 * my stars and flag, the selection and the mark, like a photo tool's
 * grid.  A stack of near-copies is one cell, its best member's, with the
 * count at the caption's end (o opens it: its members follow).
 *
 * It is another way of drawing the candidates view below it: the same
 * list (window, cursor, marks, search), filter and sort.  The arrows
 * (and h j k l) move by cell and by row, the page keys by screen; every
 * other action goes to the candidates view, so rating, flagging,
 * tagging, marking and filtering work unchanged.  Tab goes back.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

enum { CELL_MIN_W = 16, CELL_TARGET_W = 24 };

struct gview {
	struct view v;
	struct view *below; /* the candidates view */
	struct list *list;  /* its list */
	int ncols, nrows;   /* the grid at the last draw */
	int cw, ch;         /* a cell: columns, rows (picture + caption) */
};

static struct gview *gv_of(struct view *v)
{
	return (struct gview *)v;
}

static const struct lb_candidate *g_current(struct view *v, int delta)
{
	struct list *l = gv_of(v)->list;
	int i = l->cur + delta;

	return l->cur >= 0 && i >= 0 && i < l->n ? l->rows[i] : NULL;
}

/* Lays the grid out in r: cells about CELL_TARGET_W columns wide, their
 * pictures about square. */
static void lay_out(struct gview *gv, struct rect r)
{
	int gap = 1;

	gv->ncols = (r.w + gap) / (CELL_TARGET_W + gap);
	if (gv->ncols < 1)
		gv->ncols = 1;
	gv->cw = (r.w + gap) / gv->ncols - gap;
	if (gv->cw < CELL_MIN_W && gv->ncols > 1) {
		gv->ncols = (r.w + gap) / (CELL_MIN_W + gap);
		if (gv->ncols < 1)
			gv->ncols = 1;
		gv->cw = (r.w + gap) / gv->ncols - gap;
	}
	/* Cells are about twice as tall as wide: a square picture is cw/2
	 * rows, and a caption.  As many rows as fit when rounded, sharing
	 * the height so that no band of the screen stays empty. */
	gv->ch = gv->cw / 2 + 1;
	gv->nrows = (2 * r.h + gv->ch) / (2 * gv->ch);
	if (gv->nrows < 1)
		gv->nrows = 1;
	gv->ch = r.h / gv->nrows;
	if (gv->ch < 2)
		gv->ch = 2;
}

static void caption(struct gview *gv, const struct lb_candidate *c, int y, int x, int w, int cursor)
{
	char buf[64], stars[32];
	int cx = x, marked = list_is_marked(gv->list, c->id), my_stars, my_flag;
	int pending = wr_shown(gv->v.ui, c, &my_stars, &my_flag);

	if (cursor) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	if (marked)
		draw_text(y, cx, 1, ROLE_MARK, glyph_mark());
	cx++;
	snprintf(buf, sizeof buf, "%lld", (long long)c->id);
	cx += draw_text(y, cx, x + w - cx, ROLE_DIM, buf) + 1;
	if (cx + 5 <= x + w) {
		draw_raw(y, cx, 5, my_stars < 0 ? ROLE_DIM : ROLE_STARS, glyph_stars(my_stars, stars));
		if (pending)
			draw_raw(y, cx + 5, 1, ROLE_DIM, wr_pending_glyph());
		cx += 6;
	}
	if (cx < x + w && my_flag == LB_FLAG_PICK)
		draw_raw(y, cx, 1, ROLE_PICK, glyph_pick());
	else if (cx < x + w && my_flag == LB_FLAG_REJECT)
		draw_raw(y, cx, 1, ROLE_REJECT, glyph_reject());
	if (cx + 1 < x + w && c->selected)
		draw_raw(y, cx + 1, 1, ROLE_SELECTED, glyph_selected());
	/* a stack: its count on its best member, at the caption's end */
	fold_mark((const struct crow *)c, buf, sizeof buf);
	if (*buf && cx + 3 + draw_width(buf) <= x + w)
		draw_text_right(y, x + w - 4, 4, ((const struct crow *)c)->member ? ROLE_DIM : ROLE_INFO, buf);
	draw_override(-1);
}

static void g_draw(struct view *v, struct rect r)
{
	struct gview *gv = gv_of(v);
	struct list *l = gv->list;
	struct preview *p = v->ui->preview;
	int per, first, i, row, col, y, x;
	struct rect box;

	lay_out(gv, r);
	per = gv->ncols * gv->nrows;
	list_scroll(l, per);
	if (l->n == 0) {
		p->ops->hide(p);
		draw_text(r.y + 1, r.x + 2, r.w - 2, ROLE_DIM,
			  l->search ? "no candidates match (M-/ forgets the search; Tab: the list)"
				    : "no candidates (Tab: the list)");
		return;
	}
	/* Whole rows: the first cell shown starts a row. */
	first = l->top - l->top % gv->ncols;
	if (l->cur >= first + per)
		first = (l->cur / gv->ncols - gv->nrows + 1) * gv->ncols;
	if (first < 0)
		first = 0;
	l->top = first;
	for (i = first; i < l->n && i < first + per; i++) {
		const struct lb_candidate *c = l->rows[i];
		row = (i - first) / gv->ncols;
		col = (i - first) % gv->ncols;
		y = r.y + row * gv->ch;
		x = r.x + col * (gv->cw + 1);
		box.y = y;
		box.x = x;
		box.w = gv->cw;
		box.h = gv->ch - 1;
		if (p->ops->thumb)
			p->ops->thumb(p, c, box, abs(i - l->cur), 1);
		caption(gv, c, y + gv->ch - 1, x, gv->cw, i == l->cur);
	}
	/* The next screen, in the background. */
	if (p->ops->thumb)
		for (i = first + per; i < l->n && i < first + 2 * per; i++) {
			box.y = box.x = 0;
			box.w = gv->cw;
			box.h = gv->ch - 1;
			p->ops->thumb(p, l->rows[i], box, per + i - first, 0);
		}
}

static int g_handle(struct view *v, enum km_action a, const char *arg)
{
	struct gview *gv = gv_of(v);
	struct list *l = gv->list;
	int page = gv->ncols * gv->nrows, half = gv->ncols * (gv->nrows > 1 ? gv->nrows / 2 : 1);

	switch (a) {
	case KM_A_MOVE_LEFT:
		list_move(l, -1);
		return R_REDRAW;
	case KM_A_MOVE_RIGHT:
		list_move(l, 1);
		return R_REDRAW;
	case KM_A_MOVE_DOWN:
		list_move(l, gv->ncols);
		return R_REDRAW;
	case KM_A_MOVE_UP:
		list_move(l, -gv->ncols);
		return R_REDRAW;
	case KM_A_PAGE_DOWN:
		list_move(l, page);
		return R_REDRAW;
	case KM_A_PAGE_UP:
		list_move(l, -page);
		return R_REDRAW;
	case KM_A_HALF_PAGE_DOWN:
		list_move(l, half);
		return R_REDRAW;
	case KM_A_HALF_PAGE_UP:
		list_move(l, -half);
		return R_REDRAW;
	case KM_A_VIEW_GRID:
		return R_POP;
	case KM_A_PREVIEW_TOGGLE:
		return R_REDRAW;
	default:
		return gv->below->ops->handle(gv->below, a, arg);
	}
}

static void g_reload(struct view *v, int mode)
{
	struct view *b = gv_of(v)->below;

	b->ops->reload(b, mode);
}

static void g_crumb(struct view *v, struct sbuf *out)
{
	(void)v;
	sb_adds(out, "grid");
}

static void g_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct view *b = gv_of(v)->below;

	b->ops->status(b, left, right);
}

static void g_close(struct view *v)
{
	view_release(gv_of(v)->below);
	free(gv_of(v));
}

static void g_idle(struct view *v)
{
	struct view *b = gv_of(v)->below;

	if (b->ops->idle)
		b->ops->idle(b);
}

static const struct view_ops grid_ops = {
	.name = "grid",
	.ctx = KM_CTX_GRID,
	.draw = g_draw,
	.handle = g_handle,
	.reload = g_reload,
	.crumb = g_crumb,
	.status = g_status,
	.close = g_close,
	.idle = g_idle,
	.current = g_current,
};

struct view *view_grid_new(struct tui *ui, struct view *candidates)
{
	struct gview *gv = xcalloc(1, sizeof *gv);

	gv->v.ops = &grid_ops;
	gv->v.ui = ui;
	gv->v.owner = tui_owner(ui);
	gv->v.project_id = candidates->project_id;
	gv->v.brief_id = candidates->brief_id;
	gv->below = view_hold(candidates);
	gv->list = view_candidates_list(candidates);
	gv->ncols = gv->nrows = 1;
	return &gv->v;
}
