/*
 * view-zoom.c - the preview full-screen (z): the picture of the candidate
 * under the cursor of the view below, as large as the screen allows.
 *
 * The zoom is a way of looking, not a place: it takes the context, and so
 * the keys, of the view below and hands it every action but its own
 * (z and back close it, the scroll keys scroll a text).  Moving, rating,
 * flagging and tagging work as in the list, and the zoom follows.
 *
 * Its own keys are the `zoom` context's, looked up first: + and - zoom
 * in steps, = or 0 fit, h/j/k/l and arrows pan while zoomed in (at fit
 * they mean what they mean below: j the next).  The part shown is named
 * in the picture's coordinates (viewport.h) and kept from one candidate
 * to the next (J, K), as a loupe keeps its place through a burst.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

struct zview {
	struct view v;
	struct view_ops ops; /* the view below's context, under the name "zoom" */
	struct view *below;
	int scroll;
	int64_t scroll_id;
	struct viewport vp; /* kept across candidates */
};

static struct zview *zv_of(struct view *v)
{
	return (struct zview *)v;
}

static const struct lb_candidate *z_current(struct view *v, int delta)
{
	struct view *b = zv_of(v)->below;

	return b->ops->current ? b->ops->current(b, delta) : NULL;
}

static void z_draw(struct view *v, struct rect r)
{
	struct zview *zv = zv_of(v);
	struct preview *p = v->ui->preview;
	const struct lb_candidate *c = z_current(v, 0), *n;
	int d;

	if (c == NULL) {
		p->ops->hide(p);
		draw_text(r.y + r.h / 2, r.x + 2, r.w - 2, ROLE_DIM, "no candidate here (z goes back)");
		return;
	}
	if (c->id != zv->scroll_id) {
		zv->scroll = 0;
		zv->scroll_id = c->id;
	}
	preview_draw_zoomed(p, c, r, zv->scroll, &zv->vp);
	if (p->ops->prefetch)
		for (d = 1; d <= 2; d++) {
			if ((n = z_current(v, d)) != NULL)
				p->ops->prefetch(p, n, r, 2 * d - 1);
			if ((n = z_current(v, -d)) != NULL)
				p->ops->prefetch(p, n, r, 2 * d);
		}
}

static int z_handle(struct view *v, enum km_action a, const char *arg)
{
	struct zview *zv = zv_of(v);

	if (viewport_is_action(a)) {
		const struct lb_candidate *c = z_current(v, 0);
		if (c && c->modality != LB_IMAGE && c->modality != LB_VIDEO) {
			tui_msg(v->ui, "#%lld is %s: zooming is for pictures", (long long)c->id,
				lb_modality_name(c->modality));
			return R_REDRAW;
		}
		return viewport_action(&zv->vp, v->ui, a);
	}
	switch (a) {
	case KM_A_ZOOM:
	case KM_A_BACK:
		return R_POP;
	case KM_A_SCROLL_PREVIEW_DOWN:
		zv->scroll += 3;
		return R_REDRAW;
	case KM_A_SCROLL_PREVIEW_UP:
		zv->scroll = zv->scroll > 3 ? zv->scroll - 3 : 0;
		return R_REDRAW;
	case KM_A_PREVIEW_TOGGLE:
		return R_REDRAW;
	default:
		return zv->below->ops->handle(zv->below, a, arg);
	}
}

static void z_reload(struct view *v, int mode)
{
	struct view *b = zv_of(v)->below;

	b->ops->reload(b, mode);
}

static void z_crumb(struct view *v, struct sbuf *out)
{
	(void)v;
	sb_adds(out, "zoom");
}

static void z_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct view *b = zv_of(v)->below;

	b->ops->status(b, left, right);
	if (viewport_zoomed(&zv_of(v)->vp)) {
		sb_adds(left, "  ");
		viewport_describe(&zv_of(v)->vp, left);
	}
}

static int z_takes(struct view *v, enum km_action a)
{
	return viewport_takes(&zv_of(v)->vp, a);
}

static void z_close(struct view *v)
{
	view_release(zv_of(v)->below);
	free(zv_of(v));
}

struct view *view_zoom_new(struct tui *ui, struct view *below)
{
	struct zview *zv = xcalloc(1, sizeof *zv);

	zv->ops.name = "zoom";
	zv->ops.ctx = below->ops->ctx;
	zv->ops.draw = z_draw;
	zv->ops.handle = z_handle;
	zv->ops.reload = z_reload;
	zv->ops.crumb = z_crumb;
	zv->ops.status = z_status;
	zv->ops.close = z_close;
	zv->ops.current = z_current;
	zv->ops.keys_first = KM_CTX_ZOOM;
	zv->ops.takes = z_takes;
	zv->v.ops = &zv->ops;
	zv->v.ui = ui;
	zv->v.owner = tui_owner(ui);
	zv->v.project_id = below->project_id;
	zv->v.brief_id = below->brief_id;
	zv->below = view_hold(below);
	viewport_fit(&zv->vp);
	return &zv->v;
}
