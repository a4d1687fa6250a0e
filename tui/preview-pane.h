/*
 * preview-pane.h - the preview pane behind its ops: the text and facts preview
 * (preview.c) and the picture preview (preview-image.c, see preview.h).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_PREVIEW_PANE_H
#define LB_TUI_PREVIEW_PANE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "tui/draw.h"

struct tui;
struct viewport;

/* ------------------------------------------------------------ the preview pane (preview.c) */

/* The preview pane behind a small interface: the text/facts preview now;
 * image previews (chafa: symbols, sixel, kitty) plug in as other ops. */
struct preview;
struct preview_ops {
	const char *name;
	/* Draws c into r (through the draw primitives; pixel modes may note
	 * what to emit after the flush).  scroll: first line.  Returns the
	 * number of lines the content has (for scrolling). */
	int (*draw)(struct preview *p, const struct lb_candidate *c, struct rect r, int scroll);
	/* After ncurses flushed the frame: pixel modes write their image here. */
	void (*flush)(struct preview *p);
	/* The pane is gone (view switch, prompt over it, resize): forget or
	 * erase anything drawn outside ncurses. */
	void (*hide)(struct preview *p);
	void (*free)(struct preview *p);
	/* Optional (NULL in the text preview).  Before doupdate(), once the
	 * whole frame is drawn: pictures that go are erased. */
	void (*prepare)(struct preview *p);
	/* Optional.  Before a frame is drawn: renders still queued from the
	 * last frames are forgotten (the view may have moved on; this frame
	 * asks again for what it shows and what is near the cursor). */
	void (*begin)(struct preview *p);
	/* Each turn of the event loop: 1 when a frame should be drawn (a
	 * picture finished rendering). */
	int (*poll)(struct preview *p);
	/* c will likely be shown in r soon (distance: 1 the next, 2 the one
	 * after...): render it in the background. */
	void (*prefetch)(struct preview *p, const struct lb_candidate *c, struct rect r, int distance);
	/* Only the picture of c (text: its first lines) centred in r, for the
	 * contact sheet; distance 0 for the cursor's cell.  draw 0: only
	 * render it in the background (the next screen). */
	void (*thumb)(struct preview *p, const struct lb_candidate *c, struct rect r, int distance,
		      int draw);
	/* The screen goes away (suspend, $EDITOR, a player, quitting). */
	void (*leave)(struct preview *p);
	/* Optional (NULL in the text preview).  As draw, showing the part of
	 * the picture vp names (viewport.h), enlarged as the whole would be;
	 * vp NULL or at fit: the whole. */
	int (*draw_zoomed)(struct preview *p, const struct lb_candidate *c, struct rect r, int scroll,
			   const struct viewport *vp);
};
struct preview {
	const struct preview_ops *ops;
	struct tui *ui;
	void *data;
};
/* The text and facts preview (text candidates, `preview-mode none`). */
struct preview *preview_text_new(struct tui *ui);
/* The picture preview (preview-image.c): asks the terminal what it can
 * draw (so: before ncurses starts), and wraps a text preview.  Owned. */
struct preview *preview_image_new(struct tui *ui);
int preview_is_image(const struct preview *p);
/* 1 when picture bytes wait to be sent (the loop then wakes when the
 * terminal can take them). */
int preview_pending(const struct preview *p);
/* After `set color`: picture colour pairs are made again. */
void preview_colors_changed(struct preview *p);
/* The preview-mode action: the next mode this terminal can show. */
int preview_cycle_mode(struct tui *ui);
void preview_free(struct preview **p);
/* p's draw_zoomed when it has one, else its draw (text has no zoom). */
int preview_draw_zoomed(struct preview *p, const struct lb_candidate *c, struct rect r, int scroll,
			const struct viewport *vp);
/* Lines of facts about a candidate ("type", "size", ...) as label/value
 * pairs; owned strings, free with preview_facts_free. */
struct fact {
	char *label, *value;
};
size_t preview_facts(const struct lb_candidate *c, struct fact **out);
void preview_facts_free(struct fact *f, size_t n);
/* "1.2 MB" */
void human_bytes(int64_t n, char buf[32]);
/* The start of a text candidate kept only as a file: at most max bytes,
 * cut at a line (or a character); owned, NULL with *err (owned) when the
 * file cannot be read.  *rest: the bytes left out. */
char *preview_text_head(const struct lb_candidate *c, size_t max, int64_t *rest, char **err);

#endif
