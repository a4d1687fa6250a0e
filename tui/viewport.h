/*
 * viewport.h - a zoomed part of a picture, named in the picture's own
 * coordinates (viewport.c): the zoom view and the compare view keep one,
 * compare for both of its pictures at once, so that a crop of a face in
 * one is the same crop in the other whatever their sizes.
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_VIEWPORT_H
#define LB_TUI_VIEWPORT_H

#include "keymaps/keymaps.h"

struct sbuf;
struct tui;

/* zoom 1 shows the whole picture; at zoom z the part 1/z of its width
 * and height centred at (cx, cy), 0..1 from its top left corner, always
 * inside the picture.  A zeroed viewport is the whole picture too. */
struct viewport {
	double zoom, cx, cy;
};

/* The whole picture. */
void viewport_fit(struct viewport *vp);
/* 1 when zoomed in (less than the whole picture shows). */
int viewport_zoomed(const struct viewport *vp);
/* The next zoom step in (dir > 0) or out (1, 1.5, 2, 3, 4, 6, 8, 12,
 * 16x), the centre kept (then kept inside).  0 when already at the end. */
int viewport_step(struct viewport *vp, int dir);
/* Pans by dx, dy quarters of the part shown; 0 when it cannot move. */
int viewport_pan(struct viewport *vp, int dx, int dy);
/* "zoom 2x, centre 0.30,0.40", or "zoom fit". */
void viewport_describe(const struct viewport *vp, struct sbuf *out);
/* 1 for the actions above: zoom-in, zoom-out, zoom-fit, pan-*. */
int viewport_is_action(enum km_action a);
/* For a key bound in the `zoom` context (view ops' takes): 1 when it
 * means a here.  Zooming always; fitting and panning only while zoomed
 * in (at fit their keys keep the meaning they have in the view: j the
 * next...); any other action bound there (J: move-down) always. */
int viewport_takes(const struct viewport *vp, enum km_action a);
/* Does a to vp: a reaction mask (R_REDRAW), R_UNHANDLED for other
 * actions; at an end it says so in the message line. */
int viewport_action(struct viewport *vp, struct tui *ui, enum km_action a);

#endif
