/*
 * view.h - views: reaction masks, the view ops, holds on views, the view
 * constructors, the view stack (viewstack.c) and the actions list views
 * share (listview.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_VIEW_H
#define LB_TUI_VIEW_H

#include <stdint.h>

#include "keymaps/keymaps.h"
#include "store/store.h"
#include "tui/draw.h"
#include "util.h"

struct tui;
struct list;
struct view;

/* ------------------------------------------------------------ reactions */

/* What a handler asks of the main loop. */
enum reaction {
	R_NONE = 0,
	R_REDRAW = 1 << 0,    /* repaint the screen */
	R_RELOAD = 1 << 1,    /* re-read the view's data from the store, then repaint */
	R_QUIT = 1 << 2,      /* leave lightbox */
	R_POP = 1 << 3,       /* close this view and show the one below */
	R_UNHANDLED = 1 << 4, /* the view does not use this action: try the global handler */
	R_FULL = 1 << 5,      /* repaint every cell (after $EDITOR, C-l) */
};

/* ------------------------------------------------------------ views */

struct view_ops {
	const char *name;          /* "candidates": shown in the status line */
	enum km_context ctx;
	/* Draws the view's body into r. */
	void (*draw)(struct view *v, struct rect r);
	/* Handles an action (arg: the text after the name on the `:` line, or
	 * NULL from a key).  Returns a reaction mask; R_UNHANDLED when unused. */
	int (*handle)(struct view *v, enum km_action a, const char *arg);
	/* Re-reads from the store (mode RELOAD_*). */
	void (*reload)(struct view *v, int mode);
	/* Appends this view's part of the breadcrumb ("Hero image r3"). */
	void (*crumb)(struct view *v, struct sbuf *out);
	/* Appends status details (filter, sort, marks) and the position text. */
	void (*status)(struct view *v, struct sbuf *left, struct sbuf *right);
	void (*close)(struct view *v);
	/* Optional: work to do while the user reads the screen (read the
	 * next page ahead).  Must not change what is on screen. */
	void (*idle)(struct view *v);
	/* Optional: the candidate under the cursor (delta 0) or delta rows
	 * away (for prefetching), NULL when none is at hand.  Borrowed: valid
	 * until the view changes.  The zoom and the grid draw through it. */
	const struct lb_candidate *(*current)(struct view *v, int delta);
	/* Optional: called by the loop once the monotonic clock reaches
	 * v->timer_at (when > 0) while the view is on top; the loop's poll
	 * waits no longer than that.  Returns a reaction mask; set timer_at
	 * again for the next tick. */
	int (*tick)(struct view *v);
	/* Optional: keys are looked up in the context `keys_first` (its own
	 * bindings) before ctx, and the action found there goes to the view
	 * when takes() says 1; else the key means what it means in ctx (the
	 * zoom's pan keys at fit: j moves on).  The zoom and compare use the
	 * `zoom` context this way. */
	enum km_context keys_first;
	int (*takes)(struct view *v, enum km_action a);
};

enum {
	RELOAD_EXTERNAL = 0, /* someone else changed the store: re-read, recount */
	RELOAD_OWN = 1,      /* this view changed the row under the cursor */
	RELOAD_REOPEN = 2,   /* the search, filter or sort changed: from the top */
};

struct view {
	const struct view_ops *ops;
	struct tui *ui;
	uint64_t owner;       /* for background tasks */
	int64_t project_id;   /* context for view-briefs / view-selection; 0 none */
	int64_t brief_id;
	int stale;            /* the store changed while the view was hidden */
	int refs;             /* holders: the stack, a zoom or grid over it */
	double timer_at;      /* monotonic ms of the next tick (ops->tick), 0: none */
};

/* Views are reference-counted, and a pointer to a view is kept only with a
 * hold on it: the stack holds each view on it (tui_push takes the hold,
 * popping lets go), a zoom or grid holds the view under it until it closes.
 * view_release closes the view (and forgets its background tasks) when
 * its last holder lets go; a view never held is closed by one release.
 * The stack, when full, lets go only of a view nothing else holds, and
 * never of the top one (its handler may be running). */
struct view *view_hold(struct view *v);
void view_release(struct view *v);

struct view *view_projects_new(struct tui *ui);
struct view *view_briefs_new(struct tui *ui, int64_t project_id);
struct view *view_candidates_new(struct tui *ui, int64_t brief_id, int64_t cand_id);
struct view *view_detail_new(struct tui *ui, int64_t cand_id);
/* The detail of a candidate with what a list's filter and search (either
 * may be NULL) found in it highlighted. */
struct view *view_detail_new_q(struct tui *ui, int64_t cand_id, const char *filter, const char *search);
struct view *view_selection_new(struct tui *ui, int64_t project_id);
struct view *view_jobs_new(struct tui *ui, int64_t brief_id);
/* The keys of ctx, and of the context first (-1: none) a view looks up
 * before it (the zoom's). */
struct view *view_help_new(struct tui *ui, enum km_context ctx, int first, const char *what);
struct view *view_compare_new(struct tui *ui, int64_t left, int64_t right);
/* The full-screen preview of below's current candidate (view-zoom.c); keys
 * are below's (moving, rating...), z or back closes it. */
struct view *view_zoom_new(struct tui *ui, struct view *below);
/* The contact sheet of a candidates view's list (view-grid.c): the same
 * list, filter, sort and marks, drawn as a grid of pictures. */
struct view *view_grid_new(struct tui *ui, struct view *candidates);
/* view-stacks.c: view-stacks and view-queue open the brief's stacks or
 * my queue; find-similar the candidates most like the current one. */
int view_stacks_action(struct tui *ui, enum km_action a);
/* view-wins.c: what wins in the brief open (from the brief list: the
 * project), pushed on the stack. */
int view_wins_action(struct tui *ui);
/* Starts making the store's missing fingerprints in the worker, a small
 * batch at a time (once; the loop calls it after each frame). */
void view_stacks_fill_start(struct tui *ui);
/* compare-diff.c: the words of a that b lacks (counted), in a's order,
 * space-separated, appended to out (empty on entry). */
void compare_words_only(const char *a, const char *b, struct sbuf *out);
/* The candidates view's list, for the grid drawn over it. */
struct list *view_candidates_list(struct view *v);

/* listview.c: the actions every list view shares: moving, paging, marks (when
 * markable), search (the prompt, then reload(RELOAD_REOPEN)).  Returns a
 * reaction mask, R_UNHANDLED for other actions. */
int view_list_action(struct view *v, struct list *l, enum km_action a, const char *arg, int markable);
/* sort, sort-reverse and sort-by for a small list with named orders:
 * names (NULL-terminated) starts with "oldest", "newest"; *sort indexes
 * it.  After a change the view is reloaded.  R_UNHANDLED for others. */
int view_sort_action(struct view *v, enum km_action a, const char *arg, const char *const *names, int *sort);

/* ------------------------------------------------------------ the view stack (viewstack.c) */

/* Puts v on the stack, which holds it; when the stack is full it first lets
 * go of its oldest view between the root and the top that no other view
 * holds; when there is none, v is let go of and an error says so. */
void tui_push(struct tui *ui, struct view *v);
/* Takes the top view off (never the root), lets go of it and reloads the
 * view then on top. */
void tui_pop(struct tui *ui);
struct view *tui_top(struct tui *ui);
/* The nearest view (from the top) with a project / brief in context. */
int64_t tui_project_id(struct tui *ui);
int64_t tui_brief_id(struct tui *ui);
uint64_t tui_owner(struct tui *ui);
/* Marks views below the top as stale (the store changed). */
void tui_stale_below(struct tui *ui);

#endif
