/*
 * viewport.c - zoom steps and panning over a picture, in the picture's
 * own coordinates (see viewport.h).  The crop itself is cut by the
 * renderer (preview-render.c) from the decoded picture.
 */
#include "config.h"

#include "tui-private.h"

static const double steps[] = { 1, 1.5, 2, 3, 4, 6, 8, 12, 16 };
enum { NSTEPS = sizeof steps / sizeof steps[0] };

static double zoom_of(const struct viewport *vp)
{
	return vp->zoom > 1 ? vp->zoom : 1;
}

/* Keeps the part shown inside the picture. */
static void keep_inside(struct viewport *vp)
{
	double half = 0.5 / zoom_of(vp);

	if (vp->zoom <= 1) {
		viewport_fit(vp);
		return;
	}
	if (vp->cx < half)
		vp->cx = half;
	if (vp->cx > 1 - half)
		vp->cx = 1 - half;
	if (vp->cy < half)
		vp->cy = half;
	if (vp->cy > 1 - half)
		vp->cy = 1 - half;
}

void viewport_fit(struct viewport *vp)
{
	vp->zoom = 1;
	vp->cx = vp->cy = 0.5;
}

int viewport_zoomed(const struct viewport *vp)
{
	return vp->zoom > 1;
}

int viewport_step(struct viewport *vp, int dir)
{
	double z = zoom_of(vp);
	int i;

	if (vp->zoom <= 1)
		viewport_fit(vp); /* a zeroed one: centred */
	if (dir > 0) {
		for (i = 0; i < NSTEPS && steps[i] <= z + 1e-9; i++)
			;
		if (i == NSTEPS)
			return 0;
	} else {
		for (i = NSTEPS - 1; i >= 0 && steps[i] >= z - 1e-9; i--)
			;
		if (i < 0)
			return 0;
	}
	vp->zoom = steps[i];
	keep_inside(vp);
	return 1;
}

int viewport_pan(struct viewport *vp, int dx, int dy)
{
	double q = 0.25 / zoom_of(vp), x = vp->cx, y = vp->cy;

	if (!viewport_zoomed(vp))
		return 0;
	vp->cx += dx * q;
	vp->cy += dy * q;
	keep_inside(vp);
	return vp->cx != x || vp->cy != y;
}

void viewport_describe(const struct viewport *vp, struct sbuf *out)
{
	if (!viewport_zoomed(vp))
		sb_adds(out, "zoom fit");
	else
		sb_addf(out, "zoom %gx, centre %.2f,%.2f", vp->zoom, vp->cx, vp->cy);
}

int viewport_is_action(enum km_action a)
{
	switch (a) {
	case KM_A_ZOOM_IN:
	case KM_A_ZOOM_OUT:
	case KM_A_ZOOM_FIT:
	case KM_A_PAN_LEFT:
	case KM_A_PAN_RIGHT:
	case KM_A_PAN_UP:
	case KM_A_PAN_DOWN:
		return 1;
	default:
		return 0;
	}
}

int viewport_takes(const struct viewport *vp, enum km_action a)
{
	if (a == KM_A_ZOOM_IN || a == KM_A_ZOOM_OUT || !viewport_is_action(a))
		return 1; /* zooming, or another action bound in `zoom` (J: the next) */
	return viewport_zoomed(vp); /* fitting and panning */
}

int viewport_action(struct viewport *vp, struct tui *ui, enum km_action a)
{
	switch (a) {
	case KM_A_ZOOM_IN:
		if (!viewport_step(vp, 1))
			tui_msg(ui, "zoom %gx is the closest", steps[NSTEPS - 1]);
		return R_REDRAW;
	case KM_A_ZOOM_OUT:
		if (!viewport_step(vp, -1))
			tui_msg(ui, "the whole picture shows already");
		return R_REDRAW;
	case KM_A_ZOOM_FIT:
		viewport_fit(vp);
		return R_REDRAW;
	case KM_A_PAN_LEFT:
	case KM_A_PAN_RIGHT:
	case KM_A_PAN_UP:
	case KM_A_PAN_DOWN:
		if (!viewport_zoomed(vp))
			tui_msg(ui, "the whole picture shows: zoom in (+) to pan");
		else if (!viewport_pan(vp, a == KM_A_PAN_RIGHT ? 1 : a == KM_A_PAN_LEFT ? -1 : 0,
				       a == KM_A_PAN_DOWN ? 1 : a == KM_A_PAN_UP ? -1 : 0))
			tui_msg(ui, "at the picture's edge");
		return R_REDRAW;
	default:
		return R_UNHANDLED;
	}
}
