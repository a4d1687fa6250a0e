/*
 * view-candidates.c - the candidates of one brief: a list (marks, id, my
 * stars, the mean of all curators, flag and selection, age, seed, backend,
 * tags, and the text or prompt when there is room) beside the preview
 * pane.
 *
 * The list reads the store a page at a time through keyset pagination, so
 * a brief of a million candidates opens and moves as fast as one of ten;
 * its count and the cursor's position come from the worker thread and
 * appear in the status line when ready.  Filters, search and sort change
 * what the store is asked; ratings, flags, tags, notes and selections go
 * through cand-actions.c (to every marked candidate when there are marks).
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

struct layout {
	int stackw; /* the stack column (0: nothing folds) */
	int idw, seedw, backendw, tagsw, snipw; /* 0: column not shown */
};

/* Rows in the window keep at most this much of a text: the list shows a
 * snippet and the preview reads the whole text of the one it shows, so a
 * brief of long texts costs no more memory than one of short ones. */
enum { BODY_KEEP = 1024 };
/* Stacks put in order here before the worker computes the map again. */
enum { FOLD_REORDER_MAX = 256 };

struct cview {
	struct view v;
	struct list list;
	struct list_src src;
	struct cand_actions ca;
	struct lb_brief brief;   /* the current revision's fields; no counts */
	char *project_name;
	struct tfilter flt;
	struct thl hl;           /* what the filter and search look for (highlighted) */
	int sort;
	int preview;             /* show the preview pane */
	int pscroll;             /* preview scroll */
	int64_t pscroll_id;      /* the candidate pscroll belongs to */
	uint64_t qgen;           /* bumped when the list's membership may have changed */
	uint64_t asked;          /* qgen of the last count asked for */
	int64_t asked_pos;       /* the row whose position it asked for */
	int count_failed;
	struct layout lay;
	int64_t now;
	struct lb_candidate full; /* the previewed candidate, whole (full.id 0: none) */
	struct fold *fold;       /* the stacks as the list folds them; NULL: none */
	int fold_on;             /* `set stacks` when the fold was asked for */
	int fold_distance;       /* `set stack-distance` then */
	int fold_asking;         /* a computation is on its way */
	int fold_again;          /* ... and another is wanted after it */
	int fold_dirty;          /* a member of a stack was rated: its best may change */
	struct lb_conflict *disp; /* the disputes of the brief (filter term disputed), by id */
	size_t ndisp;
	int disp_fresh;          /* the list was read again for them: ask no more */
};

static struct cview *cv_of(struct view *v)
{
	return (struct cview *)v;
}

/* ------------------------------------------------------------ the source */

/* The whole candidate for the preview when the row holds a cut text. */
static const struct lb_candidate *whole(struct cview *cv, const struct lb_candidate *row)
{
	if (row->body == NULL || (int64_t)strlen(row->body) >= row->bytes)
		return row;
	if (cv->full.id != row->id) {
		if (cv->full.id)
			lb_candidate_clear(&cv->full);
		memset(&cv->full, 0, sizeof cv->full);
		if (store_candidate_get(cv->v.ui->st, row->id, &cv->full) != 0) {
			memset(&cv->full, 0, sizeof cv->full);
			return row;
		}
	}
	return &cv->full;
}

static void forget_whole(struct cview *cv)
{
	if (cv->full.id)
		lb_candidate_clear(&cv->full);
	memset(&cv->full, 0, sizeof cv->full);
}

/* `set dispute-gap`, `set dispute-bt-gap`: the rules of `conflicts`. */
static void dispute_rules(struct tui *ui, struct lb_dispute_rules *r)
{
	r->gap = (int)km_opt_int(ui->opt, KM_O_DISPUTE_GAP);
	r->bt_gap = (double)km_opt_int(ui->opt, KM_O_DISPUTE_BT_GAP);
}

/* Why candidate id is disputed, as `conflicts` says it; NULL: it is not. */
static const char *dispute_reason(const struct cview *cv, int64_t id)
{
	size_t lo = 0, hi = cv->ndisp, m;

	while (lo < hi) { /* store_conflicts lists them by id */
		m = (lo + hi) / 2;
		if (cv->disp[m].candidate_id == id)
			return cv->disp[m].reason;
		if (cv->disp[m].candidate_id < id)
			lo = m + 1;
		else
			hi = m;
	}
	return NULL;
}

/* Folded through the stacks (fold.c) when there are some. */
static int cand_fetch(struct list *l, const void *from, int dir, int incl, int n, void **out, char **err)
{
	struct cview *cv = l->ctx;
	struct lb_filter f;

	tfilter_to_lb(&cv->flt, cv->v.brief_id, l->search, &f);
	if (cv->flt.uses & LB_QUERY_DISPUTED) {
		struct lb_dispute_rules r;
		dispute_rules(cv->v.ui, &r);
		store_set_dispute_rules(cv->v.ui->st, &r);
	}
	return fold_fetch(cv->v.ui->st, cv->fold, &f, cv->sort, from, dir, incl, n, (struct crow **)out, err);
}

/* Reading ahead in the worker: the same page query on its connection. */
struct ahead_task {
	struct bg_task t;
	struct cview *cv;
	uint64_t gen;
	int64_t anchor;
	int dir, want, got;
	int64_t brief_id;
	struct tfilter flt;
	char *search;
	int sort;
	struct crow from;      /* the anchor row's numbers (no strings) */
	struct fold *fold;
	struct crow **rows;
};

static void ahead_run(struct bg_task *bt, struct store *st)
{
	struct ahead_task *t = (struct ahead_task *)bt;
	struct lb_filter f;

	char *err = NULL;

	t->got = -1;
	if (st == NULL)
		return;
	tfilter_to_lb(&t->flt, t->brief_id, t->search, &f);
	t->rows = xmalloc(sizeof *t->rows * (size_t)(t->want > 0 ? t->want : 1));
	t->got = fold_fetch(st, t->fold, &f, t->sort, &t->from, t->dir, 0, t->want, t->rows, &err);
	free(err);
}

static void ahead_done(struct bg_task *bt, struct tui *ui)
{
	struct ahead_task *t = (struct ahead_task *)bt;

	(void)ui;
	if (t->got < 0) {
		list_take_prefetch(&t->cv->list, t->gen, t->anchor, t->dir, NULL, -1, t->want);
		return;
	}
	/* the list takes the rows */
	list_take_prefetch(&t->cv->list, t->gen, t->anchor, t->dir, (void **)t->rows, t->got, t->want);
	t->got = 0;
}

static void ahead_free(struct bg_task *bt)
{
	struct ahead_task *t = (struct ahead_task *)bt;

	int i;

	for (i = 0; i < t->got; i++)
		fold_row_free(t->rows[i]);
	free(t->rows);
	fold_unref(&t->fold);
	tfilter_clear(&t->flt);
	free(t->search);
	free(t);
}

/* The numbers of a row a page is read from (its strings belong to the
 * list, which may free them before the worker is done). */
static void row_numbers(const struct crow *r, struct crow *out)
{
	memset(out, 0, sizeof *out);
	out->c.id = r->c.id;
	out->c.brief_id = r->c.brief_id;
	out->c.mean_stars = r->c.mean_stars;
	out->c.n_ratings = r->c.n_ratings;
	out->c.score = r->c.score;
	out->stack_n = r->stack_n;
	out->member = r->member;
	out->open = r->open;
	out->head_id = r->head_id;
}

static void cand_prefetch(struct list *l, const void *from, int dir, int n, uint64_t gen)
{
	struct cview *cv = l->ctx;
	struct ahead_task *t = xcalloc(1, sizeof *t);

	t->t.run = ahead_run;
	t->t.done = ahead_done;
	t->t.free = ahead_free;
	t->t.owner = cv->v.owner;
	t->t.key = 2;
	t->cv = cv;
	t->gen = gen;
	t->anchor = ((const struct lb_candidate *)from)->id;
	t->dir = dir;
	t->want = n;
	t->brief_id = cv->v.brief_id;
	tfilter_copy(&t->flt, &cv->flt);
	t->search = xstrdup(l->search);
	t->sort = cv->sort;
	t->fold = fold_ref(cv->fold);
	row_numbers(from, &t->from);
	bg_submit(cv->v.ui->bg, &t->t);
	bg_kick(cv->v.ui->bg);
}

static void *cand_get(struct list *l, int64_t id)
{
	struct cview *cv = l->ctx;
	struct lb_filter f;

	tfilter_to_lb(&cv->flt, cv->v.brief_id, l->search, &f);
	return fold_get(cv->v.ui->st, cv->fold, &f, cv->v.brief_id, id);
}

static void cand_free(struct list *l, void *row)
{
	(void)l;
	fold_row_free(row);
}

static int64_t cand_id(const struct list *l, const void *row)
{
	(void)l;
	return ((const struct lb_candidate *)row)->id;
}

static int digits(int64_t v)
{
	int n = 1;

	if (v < 0) {
		v = -v;
		n++;
	}
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* What tells candidates apart at a glance: the start of a text, else a
 * prompt of its own, else where it came from (an imported file's name).
 * On one line: line breaks and tabs become spaces; other control
 * characters stay visible. */
static char *snippet(const struct lb_candidate *c)
{
	const char *s = c->body && *c->body ? c->body
			: *c->prompt	    ? c->prompt
					    : util_basename(c->source);
	size_t n = strlen(s);
	char *out, *p;

	if (n > 400) {
		n = 400;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
	}
	out = xstrndup(s, n);
	for (p = out; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return out;
}

/* What to highlight, read again when the filter or search changed. */
static const struct thl *hl_of(struct cview *cv)
{
	thl_update(&cv->hl, cv->flt.text, cv->list.search);
	return &cv->hl;
}

static void cand_draw(struct list *l, const void *row, int y, int x, int w, unsigned flags)
{
	struct cview *cv = l->ctx;
	const struct lb_candidate *c = row;
	const struct layout *lay = &cv->lay;
	char buf[64], stars[32];
	int cx = x, end = x + w, cursor = flags & LIST_CURSOR;
	int my_stars, my_flag, pending = wr_shown(cv->v.ui, c, &my_stars, &my_flag);

	if (cursor) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	if (flags & LIST_MARKED)
		draw_text(y, cx, 1, ROLE_MARK, glyph_mark());
	cx += 1;
	if (lay->stackw) {
		fold_mark(row, buf, sizeof buf);
		draw_text_right(y, cx, lay->stackw, ((const struct crow *)row)->member ? ROLE_DIM : ROLE_INFO, buf);
		cx += lay->stackw + 1;
	}
	snprintf(buf, sizeof buf, "%lld", (long long)c->id);
	draw_text_right(y, cx, lay->idw, ROLE_DIM, buf);
	cx += lay->idw + 1;
	/* A change not saved yet shows as made, with a dim mark after the
	 * stars until the writer has saved it. */
	draw_raw(y, cx, 5, my_stars < 0 ? ROLE_DIM : ROLE_STARS, glyph_stars(my_stars, stars));
	if (pending)
		draw_raw(y, cx + 5, 1, ROLE_DIM, wr_pending_glyph());
	cx += 6;
	if (c->n_ratings > 0)
		snprintf(buf, sizeof buf, "%.1f", c->mean_stars);
	else
		snprintf(buf, sizeof buf, "-");
	draw_text_right(y, cx, 3, c->n_ratings ? ROLE_NORMAL : ROLE_DIM, buf);
	cx += 4;
	if (my_flag == LB_FLAG_PICK)
		draw_raw(y, cx, 1, ROLE_PICK, glyph_pick());
	else if (my_flag == LB_FLAG_REJECT)
		draw_raw(y, cx, 1, ROLE_REJECT, glyph_reject());
	if (c->selected)
		draw_raw(y, cx + 1, 1, ROLE_SELECTED, glyph_selected());
	cx += 3;
	util_age(c->created, cv->now, buf);
	draw_text_right(y, cx, 3, ROLE_DIM, buf);
	cx += 4;
	if (lay->seedw && cx < end) {
		if (c->has_seed)
			snprintf(buf, sizeof buf, "%lld", (long long)c->seed);
		else
			snprintf(buf, sizeof buf, "-");
		draw_text_right(y, cx, lay->seedw, c->has_seed && thl_seed(hl_of(cv), c->seed) ? ROLE_MATCH : ROLE_DIM,
				buf);
		cx += lay->seedw + 1;
	}
	if (lay->backendw && cx < end) {
		draw_text_marked(y, cx, lay->backendw, ROLE_NORMAL, c->backend, hl_of(cv)->w[HL_BACKEND]);
		cx += lay->backendw + 1;
	}
	if (lay->tagsw && cx < end) {
		draw_text_marked(y, cx, lay->tagsw, ROLE_TAG, c->tags, hl_of(cv)->w[HL_TAGS]);
		cx += lay->tagsw + 1;
	}
	if (lay->snipw && cx < end && dispute_reason(cv, c->id)) {
		/* the adjudication queue: why, before the text */
		char *why = xasprintf("[%s] ", dispute_reason(cv, c->id));
		int ww = draw_width(why);
		draw_text(y, cx, end - cx, ROLE_INFO, why);
		free(why);
		cx += ww;
	}
	if (lay->snipw && cx < end) {
		char *snip = snippet(c);
		draw_text_marked(y, cx, end - cx, ROLE_NORMAL, snip, hl_of(cv)->w[HL_TEXT]);
		free(snip);
	}
	draw_override(-1);
}

/* Fits the optional columns into width w, from what the visible rows hold. */
static void lay_out(struct cview *cv, int w)
{
	struct list *l = &cv->list;
	struct layout *lay = &cv->lay;
	int i, maxid = 3, seedw = 4, backw = 7, tagw = 4, left;

	for (i = l->top; i < l->n && i < l->top + l->height; i++) {
		const struct lb_candidate *c = l->rows[i];
		int d = digits(c->id), bl = draw_width(c->backend), tl = draw_width(c->tags);
		if (d > maxid)
			maxid = d;
		if (c->has_seed && digits(c->seed) > seedw)
			seedw = digits(c->seed);
		if (bl > backw)
			backw = bl;
		if (tl > tagw)
			tagw = tl;
	}
	if (seedw > 10)
		seedw = 10;
	if (backw > 12)
		backw = 12;
	memset(lay, 0, sizeof *lay);
	lay->idw = maxid;
	lay->stackw = cv->fold ? 4 : 0;
	/* mark, stack, id, stars, mean, flag+selected, age */
	left = w - (1 + (lay->stackw ? lay->stackw + 1 : 0) + maxid + 1 + 6 + 4 + 3 + 4);
	if (left >= backw + 1) {
		lay->backendw = backw;
		left -= backw + 1;
	}
	if (left >= seedw + 1) {
		lay->seedw = seedw;
		left -= seedw + 1;
	}
	/* Tags as wide as the widest on screen (up to 24); the text gets the rest. */
	if (left >= 5) {
		lay->tagsw = tagw > 24 ? 24 : tagw;
		if (lay->tagsw > left)
			lay->tagsw = left;
		left -= lay->tagsw + 1;
	}
	if (left >= 12)
		lay->snipw = left;
	else if (lay->tagsw && left > 0)
		lay->tagsw += left;
}

static const struct list_src cand_src = {
	.prefetch = cand_prefetch,
	.fetch = cand_fetch,
	.get = cand_get,
	.free_row = cand_free,
	.id = cand_id,
	.draw = cand_draw,
};

/* ------------------------------------------------------------ counting in the background */

struct count_task {
	struct bg_task t;
	struct cview *cv;
	uint64_t qgen;
	int64_t brief_id;
	struct tfilter flt;
	char *search;
	int sort;
	int64_t pos_id;
	int64_t n, pos;
	struct fold *fold;
	int rc;
	char *err;
};

static void count_run(struct bg_task *bt, struct store *st)
{
	struct count_task *t = (struct count_task *)bt;
	struct lb_filter f;

	t->pos = -1;
	if (st == NULL) {
		t->rc = STORE_EIO;
		return;
	}
	tfilter_to_lb(&t->flt, t->brief_id, t->search, &f);
	t->rc = store_candidate_count(st, &f, &t->n);
	if (t->rc == 0 && t->pos_id && store_candidate_position(st, &f, t->sort, t->pos_id, &t->pos) != 0)
		t->pos = -1;
	/* less what closed stacks hide, and members moved under their head */
	if (t->rc == 0 && fold_adjust(st, t->fold, &f, t->sort, t->pos_id, &t->n, &t->pos) != 0)
		t->rc = STORE_EIO;
	if (t->rc)
		t->err = xstrdup(store_errmsg(st));
}

static void count_done(struct bg_task *bt, struct tui *ui)
{
	struct count_task *t = (struct count_task *)bt;
	struct cview *cv = t->cv;

	if (t->qgen != cv->qgen)
		return; /* the list changed since; a newer count is on its way */
	if (t->rc) {
		cv->count_failed = 1;
		tui_error(ui, "counting candidates: %s", t->err ? t->err : "the store could not be read");
		return;
	}
	list_set_total(&cv->list, t->n);
	if (t->pos_id && t->pos >= 0)
		list_set_position(&cv->list, t->pos_id, t->pos);
	ui->dirty |= R_REDRAW;
}

static void count_free(struct bg_task *bt)
{
	struct count_task *t = (struct count_task *)bt;

	tfilter_clear(&t->flt);
	fold_unref(&t->fold);
	free(t->search);
	free(t->err);
	free(t);
}

static void ask_count(struct cview *cv)
{
	struct count_task *t;
	int need_pos = cv->list.base < 0 && cv->list.n > 0;

	if (cv->count_failed || (cv->list.total >= 0 && !need_pos))
		return;
	if (cv->asked == cv->qgen && (!need_pos || cv->asked_pos == list_current_id(&cv->list)))
		return;
	t = xcalloc(1, sizeof *t);
	t->t.run = count_run;
	t->t.done = count_done;
	t->t.free = count_free;
	t->t.owner = cv->v.owner;
	t->t.key = 1;
	t->cv = cv;
	t->qgen = cv->qgen;
	t->brief_id = cv->v.brief_id;
	tfilter_copy(&t->flt, &cv->flt);
	t->search = xstrdup(cv->list.search);
	t->sort = cv->sort;
	t->pos_id = need_pos ? list_current_id(&cv->list) : 0;
	t->fold = fold_ref(cv->fold);
	cv->asked = cv->qgen;
	cv->asked_pos = t->pos_id;
	bg_submit(cv->v.ui->bg, &t->t);
}

/* ------------------------------------------------------------ disputes in the background */

/* The filter term disputed's pairwise-order rule needs the ranking fit,
 * which runs here in the worker (store_conflicts on its connection, so
 * what blind review hides stays hidden); the ids it marks are handed to
 * the interface's connection (store_disputes_given), where the page
 * query reads them from a temporary table, and the reasons show in the
 * rows. */
static void list_changed(struct cview *cv);

struct dispute_task {
	struct bg_task t;
	struct cview *cv;
	int64_t brief_id;
	struct lb_dispute_rules rules;
	struct lb_conflict *v;
	size_t n;
	int rc;
	char *err;
};

static void dispute_run(struct bg_task *bt, struct store *st)
{
	struct dispute_task *t = (struct dispute_task *)bt;

	if (st == NULL) {
		t->rc = STORE_EIO;
		return;
	}
	/* the counts that follow on this connection use them too */
	t->rc = store_set_dispute_rules(st, &t->rules);
	if (t->rc == 0)
		t->rc = store_conflicts(st, t->brief_id, &t->rules, &t->v, &t->n);
	if (t->rc)
		t->err = xstrdup(store_errmsg(st));
}

/* Whether the pairwise-order disputes of a and b are the same ids. */
static int same_order_ids(const struct lb_conflict *a, size_t na, const struct lb_conflict *b, size_t nb)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < na && !(a[i].kinds & LB_DISPUTE_ORDER))
			i++;
		while (j < nb && !(b[j].kinds & LB_DISPUTE_ORDER))
			j++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (a[i++].candidate_id != b[j++].candidate_id)
			return 0;
	}
}

static void dispute_done(struct bg_task *bt, struct tui *ui)
{
	struct dispute_task *t = (struct dispute_task *)bt;
	struct cview *cv = t->cv;
	int64_t *ids;
	size_t i, n = 0;
	int same;

	if (t->rc) {
		tui_error(ui, "finding the disputed candidates: %s", t->err ? t->err : "the store could not be read");
		return;
	}
	same = same_order_ids(cv->disp, cv->ndisp, t->v, t->n);
	lb_conflicts_free(cv->disp, cv->ndisp);
	cv->disp = t->v;
	cv->ndisp = t->n;
	t->v = NULL;
	t->n = 0;
	ui->dirty |= R_REDRAW;
	if (same)
		return;
	ids = xcalloc(cv->ndisp + 1, sizeof *ids);
	for (i = 0; i < cv->ndisp; i++)
		if (cv->disp[i].kinds & LB_DISPUTE_ORDER)
			ids[n++] = cv->disp[i].candidate_id;
	if (store_disputes_given(ui->st, t->brief_id, ids, n) != 0)
		tui_error(ui, "finding the disputed candidates: %s", store_errmsg(ui->st));
	free(ids);
	/* the queue holds other candidates now */
	list_reload(&cv->list, 1);
	cv->list.total = -1;
	cv->disp_fresh = 1;
	list_changed(cv);
}

static void dispute_free(struct bg_task *bt)
{
	struct dispute_task *t = (struct dispute_task *)bt;

	lb_conflicts_free(t->v, t->n);
	free(t->err);
	free(t);
}

/* Asked whenever the list is read again while its filter has the term
 * disputed (a newer ask replaces a queued one). */
static void ask_disputes(struct cview *cv)
{
	struct dispute_task *t;

	if (!(cv->flt.uses & LB_QUERY_DISPUTED)) {
		lb_conflicts_free(cv->disp, cv->ndisp);
		cv->disp = NULL;
		cv->ndisp = 0;
		return;
	}
	t = xcalloc(1, sizeof *t);
	t->t.run = dispute_run;
	t->t.done = dispute_done;
	t->t.free = dispute_free;
	t->t.owner = cv->v.owner;
	t->t.key = 3;
	t->cv = cv;
	t->brief_id = cv->v.brief_id;
	dispute_rules(cv->v.ui, &t->rules);
	bg_submit(cv->v.ui->bg, &t->t);
}

/* ------------------------------------------------------------ reading */

static void ask_fold(struct cview *cv);

static void list_changed(struct cview *cv)
{
	if (cv->disp_fresh)
		cv->disp_fresh = 0;
	else
		ask_disputes(cv);
	forget_whole(cv);
	cv->qgen++;
	cv->count_failed = 0;
	if (cv->list.err) {
		tui_error(cv->v.ui, "reading candidates: %s", cv->list.err);
		xfree(&cv->list.err);
	}
}

static void read_header(struct cview *cv)
{
	struct lb_brief b;

	if (store_brief_get_light(cv->v.ui->st, cv->v.brief_id, &b) == 0) {
		lb_brief_clear(&cv->brief);
		cv->brief = b;
	}
}

static void cand_reload(struct view *v, int mode)
{
	struct cview *cv = cv_of(v);

	if (mode == RELOAD_REOPEN) {
		list_open(&cv->list);
	} else {
		if (mode == RELOAD_EXTERNAL) {
			read_header(cv);
			ask_fold(cv); /* candidates came, went or were rated */
		}
		list_reload(&cv->list, mode == RELOAD_OWN);
		if (mode == RELOAD_EXTERNAL)
			cv->list.total = -1;
	}
	list_changed(cv);
}

/* ------------------------------------------------------------ stacks */

/* The list read again through a new fold, the cursor on the same row, or
 * on its stack's head when the row is now folded away. */
static void refold(struct cview *cv, struct fold *fresh)
{
	struct list *l = &cv->list;
	const struct crow *cur = list_current(l);
	int64_t head = 0;
	int i;

	fold_unref(&cv->fold);
	cv->fold = fresh;
	if (cur && fold_in_stack(fresh, cur->c.id, &head)) {
		struct crow *now = cand_get(l, cur->c.id);

		if (now) {
			fold_row_free(now);
		} else {
			/* folded away: to the head that shows, where the row was */
			for (i = 0; i < l->n; i++)
				if (((const struct crow *)l->rows[i])->c.id == cur->head_id ||
				    l->ids[i] == head) {
					l->cur = i;
					break;
				}
		}
	}
	list_reload(l, 0);
	l->total = -1;
	list_changed(cv);
	cv->v.ui->dirty |= R_REDRAW;
}

static void fold_arrived(void *ctx, struct fold *fresh, const char *err)
{
	struct cview *cv = ctx;

	cv->fold_asking = 0;
	if (err) {
		tui_error(cv->v.ui, "stacks: %s (the list shows every candidate)", err);
	} else if (cv->fold_on) {
		fold_keep_open(fresh, cv->fold);
		if (fresh || cv->fold)
			refold(cv, fresh);
		fresh = NULL;
	}
	fold_unref(&fresh);
	if (cv->fold_again) {
		cv->fold_again = 0;
		ask_fold(cv);
	}
}

/* The stacks are computed (again) by the worker; `set stacks off` folds
 * nothing. */
static void ask_fold(struct cview *cv)
{
	struct tui *ui = cv->v.ui;

	cv->fold_on = km_opt_bool(ui->opt, KM_O_STACKS);
	cv->fold_distance = (int)km_opt_int(ui->opt, KM_O_STACK_DISTANCE);
	cv->fold_dirty = 0;
	if (!cv->fold_on) {
		if (cv->fold)
			refold(cv, NULL);
		return;
	}
	if (ui->bg == NULL)
		return;
	if (cv->fold_asking) {
		cv->fold_again = 1;
		return;
	}
	cv->fold_asking = 1;
	fold_compute(ui, cv->v.owner, cv->v.brief_id, cv->fold_distance, fold_arrived, cv);
}

/* o: the stack under the cursor opens or closes; O: every stack. */
static int toggle_stack(struct cview *cv, int all)
{
	struct list *l = &cv->list;
	const struct crow *cur = list_current(l);
	struct fold *fresh;
	int i;

	if (cv->fold == NULL) {
		tui_msg(cv->v.ui, "%s", !cv->fold_on    ? "stacks are off (set stacks on)"
				  : cv->fold_asking ? "the stacks are still being read"
						    : "no stacks in this brief (no two pictures alike)");
		return R_REDRAW;
	}
	if (!all && (cur == NULL || cur->stack_n < 2)) {
		tui_msg(cv->v.ui, "#%lld is in no stack (O opens or closes them all)",
			(long long)(cur ? cur->c.id : 0));
		return R_REDRAW;
	}
	fresh = all ? fold_toggle_all(cv->fold, -1) : fold_toggle(cv->fold, cur->c.id, -1);
	if (fresh == NULL)
		return R_REDRAW;
	/* closing: the cursor goes to the head, which stays */
	if (cur && cur->member > 0)
		for (i = l->cur; i >= 0; i--)
			if (l->ids[i] == cur->head_id) {
				l->cur = i;
				break;
			}
	refold(cv, fresh);
	if (all)
		tui_msg(cv->v.ui, "%s", fold_all_open(cv->fold) ? "every stack open (O closes them)"
								 : "every stack closed (O opens them)");
	return R_REDRAW;
}

/* The writer saved "keep best" (or could not): the stacks are read again. */
static void kept(struct view *v, const struct wr_op *op)
{
	struct cview *cv = cv_of(v);

	(void)op;
	list_reload(&cv->list, 0);
	cv->list.total = -1;
	list_changed(cv);
	ask_fold(cv);
}

/* "Keep best, reject rest" on the stack under the cursor (all: every
 * stack), as one undo step through the writer. */
static int keep_best(struct cview *cv, const char *arg)
{
	struct tui *ui = cv->v.ui;
	const struct crow *cur = list_current(&cv->list);
	int all = arg && strcmp(arg, "all") == 0;
	struct wr_op *op;
	char label[96];

	if (cv->fold == NULL || cv->fold_asking) {
		/* after a change from elsewhere (an undo, another curator) the
		 * map may say rejected where it is not: wait for the new one */
		tui_msg(ui, "keep-best: %s", cv->fold_asking ? "the stacks are being read again; K in a moment"
							 : "no stacks here");
		return R_REDRAW;
	}
	if (!all && (cur == NULL || cur->stack_n < 2)) {
		tui_msg(ui, "keep-best: #%lld is in no stack", (long long)(cur ? cur->c.id : 0));
		return R_REDRAW;
	}
	op = fold_keep_best(ui, cv->fold, cur ? cur->c.id : 0, all, label, sizeof label);
	if (op == NULL) {
		tui_msg(ui, "%s: nothing to reject", label);
		return R_REDRAW;
	}
	op->on_done = kept;
	op->owner = cv->v.owner;
	wr_submit(ui, op);
	return R_REDRAW;
}

/* The cursor is on the stack of candidate id (another member came on
 * top of it). */
static int same_stack(struct cview *cv, int64_t id)
{
	int64_t a, b;

	return fold_in_stack(cv->fold, id, &a) && fold_in_stack(cv->fold, list_current_id(&cv->list), &b) && a == b;
}

/* After a change made here (cand-actions.c). */
static void cand_changed(struct view *v, int what)
{
	struct cview *cv = cv_of(v);
	int64_t before = list_current_id(&cv->list);
	int moves = tfilter_uses_curation(&cv->flt) || cv->sort == LB_SORT_STARS || cv->sort == LB_SORT_SCORE ||
		    cv->list.search;

	/* A rating of a stack's member may change which is best: its stack
	 * is put in order again now (the map is not computed again for it,
	 * which on a big brief takes the worker minutes).  A bulk change
	 * reads the stacks again once it is saved. */
	if ((what & CHANGED_ROW) && list_has_marks(&cv->list)) {
		cv->fold_dirty = 1;
	} else if ((what & CHANGED_ROW) && fold_in_stack(cv->fold, before, NULL)) {
		int stars, flag;
		struct fold *fresh;

		wr_pending(cv->v.ui, before, &stars, &flag);
		fresh = fold_rated(cv->fold, before, stars, flag);
		if (fresh) {
			refold(cv, fresh);
			if (fold_reordered(cv->fold) > FOLD_REORDER_MAX)
				cv->fold_dirty = 1;
			/* the map on its way read the ratings before this one */
			if (cv->fold_asking)
				cv->fold_again = 1;
		}
	} else if (!(what & CHANGED_ROW) && (cv->fold_dirty || ((what & CHANGED_LIST) && cv->fold))) {
		ask_fold(cv);
	}

	if (what & CHANGED_LIST) {
		list_reload(&cv->list, 0);
		cv->list.total = -1;
		list_changed(cv);
	} else if (moves) {
		/* The row may have moved or left the list: read the window again. */
		list_reload(&cv->list, 1);
		if (tfilter_uses_curation(&cv->flt) || cv->list.search)
			cv->list.total = -1;
		list_changed(cv);
	} else {
		list_refresh_row(&cv->list, before);
		forget_whole(cv);
	}
	if ((what & CHANGED_ADVANCE) && (list_current_id(&cv->list) == before || same_stack(cv, before)))
		list_move(&cv->list, 1);
}

static int64_t cand_current(struct view *v)
{
	return list_current_id(&cv_of(v)->list);
}

/* ------------------------------------------------------------ drawing */

static void draw_header(struct cview *cv, int y, int x, int w)
{
	const struct layout *lay = &cv->lay;
	int cx = x + 1;

	draw_fill(y, x, w, ROLE_HEADER);
	if (lay->stackw) {
		draw_text_right(y, cx, lay->stackw, ROLE_HEADER, "n");
		cx += lay->stackw + 1;
	}
	draw_text_right(y, cx, lay->idw, ROLE_HEADER, "#");
	cx += lay->idw + 1;
	draw_text(y, cx, 5, ROLE_HEADER, "mine");
	cx += 6;
	draw_text_right(y, cx, 3, ROLE_HEADER, "avg");
	cx += 4;
	draw_text(y, cx, 2, ROLE_HEADER, "F");
	cx += 3;
	draw_text_right(y, cx, 3, ROLE_HEADER, "age");
	cx += 4;
	if (lay->seedw) {
		draw_text_right(y, cx, lay->seedw, ROLE_HEADER, "seed");
		cx += lay->seedw + 1;
	}
	if (lay->backendw) {
		draw_text(y, cx, lay->backendw, ROLE_HEADER, "backend");
		cx += lay->backendw + 1;
	}
	if (lay->tagsw) {
		draw_text(y, cx, lay->tagsw, ROLE_HEADER, "tags");
		cx += lay->tagsw + 1;
	}
	if (lay->snipw)
		draw_text(y, cx, x + w - cx, ROLE_HEADER, cv->brief.f.modality == LB_TEXT ? "text" : "prompt or source");
}

static void draw_empty(struct cview *cv, struct rect r, int w)
{
	const char *why;

	if (cv->list.search || !tfilter_empty(&cv->flt))
		why = "no candidates match: F clears the filter, M-/ forgets the search";
	else
		why = "no candidates yet: add some with 'lightbox candidate add'";
	draw_text(r.y + 1, r.x + 2, w - 3, ROLE_DIM, why);
}

/* The previews of the rows around the cursor, rendered in the background
 * so that moving finds them ready: next, previous, the one after... */
static void prefetch_neighbours(struct cview *cv, struct rect pr)
{
	struct preview *p = cv->v.ui->preview;
	struct list *l = &cv->list;
	int d;

	if (p->ops->prefetch == NULL)
		return;
	for (d = 1; d <= 2; d++) {
		if (l->cur + d < l->n)
			p->ops->prefetch(p, l->rows[l->cur + d], pr, 2 * d - 1);
		if (l->cur - d >= 0)
			p->ops->prefetch(p, l->rows[l->cur - d], pr, 2 * d);
	}
}

static const struct lb_candidate *cand_current_row(struct view *v, int delta)
{
	struct list *l = &cv_of(v)->list;
	int i = l->cur + delta;

	if (l->cur < 0 || i < 0 || i >= l->n)
		return NULL;
	return delta == 0 ? whole(cv_of(v), l->rows[i]) : l->rows[i];
}

struct list *view_candidates_list(struct view *v)
{
	return &cv_of(v)->list;
}

static void cand_draw_view(struct view *v, struct rect r)
{
	struct cview *cv = cv_of(v);
	struct lb_candidate *cur;
	struct rect pr;
	int lw = r.w, sep;

	cv->now = util_now();
	if (km_opt_bool(v->ui->opt, KM_O_STACKS) != cv->fold_on ||
	    km_opt_int(v->ui->opt, KM_O_STACK_DISTANCE) != cv->fold_distance)
		ask_fold(cv); /* `set stacks` or `set stack-distance` */
	if (cv->preview && r.w >= 60) {
		lw = r.w >= 140 ? r.w * 55 / 100 : r.w - (r.w * 2 / 5 > 28 ? r.w * 2 / 5 : 28);
	}
	sep = lw < r.w;
	list_scroll(&cv->list, r.h - 1);
	lay_out(cv, lw);
	draw_header(cv, r.y, r.x, lw);
	if (cv->list.n == 0)
		draw_empty(cv, r, lw);
	else
		list_draw(&cv->list, r.y + 1, r.x, r.h - 1, lw);
	if (sep) {
		draw_vline(r.y, r.x + lw, r.h, ROLE_SEP);
		pr.y = r.y;
		pr.x = r.x + lw + 1;
		pr.h = r.h;
		pr.w = r.w - lw - 1;
		cur = list_current(&cv->list);
		if (cur) {
			if (cur->id != cv->pscroll_id) {
				cv->pscroll = 0;
				cv->pscroll_id = cur->id;
			}
			v->ui->preview->ops->draw(v->ui->preview, whole(cv, cur), pr, cv->pscroll);
			prefetch_neighbours(cv, pr);
		} else {
			v->ui->preview->ops->hide(v->ui->preview);
		}
	}
	ask_count(cv);
}

static void cand_crumb(struct view *v, struct sbuf *out)
{
	struct cview *cv = cv_of(v);

	sb_addf(out, "%s r%d%s", cv->brief.f.title, cv->brief.rev, cv->brief.blind ? " (blind)" : "");
}

static void cand_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct cview *cv = cv_of(v);
	char pos[64], *f = tfilter_format(&cv->flt);
	int64_t marked = list_marked_count(&cv->list);

	if (*f)
		sb_addf(left, "  filter: %s", f);
	if (cv->list.search)
		sb_addf(left, "  /%s", cv->list.search);
	sb_addf(left, "  sort: %s", lb_sort_name(cv->sort));
	if (marked > 0)
		sb_addf(left, "  %lld marked", (long long)marked);
	else if (marked < 0)
		sb_adds(left, "  all marked");
	if (tui_advance(v->ui))
		sb_adds(left, "  advance");
	if (cv->fold)
		sb_addf(left, "  %zu stacks", fold_stacks(cv->fold));
	if (cv->fold && cv->fold_asking) /* read again (after a change from elsewhere) */
		sb_adds(left, draw_unicode() ? "  reading stacks\xe2\x80\xa6" : "  reading stacks...");
	list_pos_text(&cv->list, pos, sizeof pos);
	sb_adds(right, pos);
	free(f);
}

/* ------------------------------------------------------------ actions */

struct filter_arg {
	struct cview *cv;
	enum km_action a;
};

static void filter_set(struct cview *cv, enum km_action a, const char *text)
{
	struct tui *ui = cv->v.ui;
	struct tfilter f;
	char *err = NULL, *expr = NULL, *cur = tfilter_format(&cv->flt);

	switch (a) {
	case KM_A_FILTER:
		expr = xstrdup(text);
		break;
	case KM_A_FILTER_STARS:
		expr = tfilter_and(&cv->flt, "stars>=", text);
		break;
	case KM_A_FILTER_FLAG:
		expr = tfilter_and(&cv->flt, "flag:", text);
		break;
	case KM_A_FILTER_TAG:
		expr = tfilter_and(&cv->flt, "tag:", text);
		break;
	case KM_A_FILTER_CURATOR:
		expr = tfilter_and(&cv->flt, "curator:", text);
		break;
	default:
		expr = tfilter_and(&cv->flt, "backend:", text);
		break;
	}
	memset(&f, 0, sizeof f);
	if (tfilter_parse(expr, &f, &err) != 0) {
		tui_error(ui, "filter: %s", err);
		free(err);
	} else {
		tui_busy(ui, draw_unicode() ? "filtering\xe2\x80\xa6" : "filtering...");
		tfilter_clear(&cv->flt);
		cv->flt = f;
		cand_reload(&cv->v, RELOAD_REOPEN);
		if (cv->list.n == 0)
			tui_msg(ui, "nothing matches this filter (F clears it)");
		else
			tui_msg_clear(ui);
	}
	free(expr);
	free(cur);
}

static void filter_accept(struct tui *ui, void *arg, const char *text)
{
	struct filter_arg *fa = arg;

	(void)ui;
	if (*text == '\0' && fa->a != KM_A_FILTER)
		return;
	filter_set(fa->cv, fa->a, text);
}

static int ask_filter(struct cview *cv, enum km_action a, const char *arg)
{
	static const char *const flags[] = { "pick", "reject", "none", NULL };
	struct prompt_spec ps;
	struct filter_arg *fa;
	char *cur = NULL;

	if (arg) {
		filter_set(cv, a, arg);
		return R_REDRAW;
	}
	memset(&ps, 0, sizeof ps);
	ps.history = HIST_FILTER;
	ps.brief_id = cv->v.brief_id;
	switch (a) {
	case KM_A_FILTER:
		ps.label = "filter: ";
		cur = tfilter_format(&cv->flt);
		ps.init = cur;
		ps.complete = CPL_FILTER;
		break;
	case KM_A_FILTER_STARS:
		ps.label = "at least how many stars (1-5): ";
		break;
	case KM_A_FILTER_FLAG:
		ps.label = "flag (pick, reject, none): ";
		ps.complete = CPL_WORDS;
		ps.words = flags;
		break;
	case KM_A_FILTER_TAG:
		ps.label = "tag: ";
		ps.complete = CPL_TAGS;
		break;
	case KM_A_FILTER_CURATOR:
		ps.label = "curator: ";
		ps.complete = CPL_CURATORS;
		break;
	default:
		ps.label = "backend: ";
		ps.complete = CPL_BACKENDS;
		break;
	}
	fa = xcalloc(1, sizeof *fa);
	fa->cv = cv;
	fa->a = a;
	ps.accept = filter_accept;
	ps.arg = fa;
	ps.arg_free = free;
	prompt_open(cv->v.ui, &ps);
	free(cur);
	return R_REDRAW;
}

/* ------------------------------------------------------------ saved views */

struct view_arg {
	struct cview *cv;
	char **names; /* view-open: the names offered */
	size_t n;
};

static void view_arg_free(void *arg)
{
	struct view_arg *va = arg;

	store_strv_free(&va->names, va->n);
	free(va);
}

/* Saved through the writer thread, like every change typed here. */
static void view_save_accept(struct tui *ui, void *arg, const char *text)
{
	struct view_arg *va = arg;
	struct cview *cv = va->cv;
	struct wr_op *op;
	char *q, *label, *safe;

	if (*text == '\0')
		return;
	q = cv->list.search && cv->flt.text ? xasprintf("(%s) %s", cv->flt.text, cv->list.search)
	    : xstrdup(cv->list.search ? cv->list.search : cv->flt.text ? cv->flt.text : "");
	safe = util_visible_dup(text, 0);
	label = xasprintf("view '%s'", safe);
	op = wr_op_new(WR_VIEW_SAVE, label);
	wr_op_add_id(op, cv->brief.project_id);
	op->words = xcalloc(1, sizeof *op->words);
	op->words[0] = xstrdup(text);
	op->nwords = 1;
	op->text = q;
	op->text2 = xstrdup(lb_sort_name(cv->sort));
	op->done_msg = xasprintf("view '%s' saved for the project (M-v opens it)", safe);
	wr_submit(ui, op);
	free(label);
	free(safe);
}

static void view_open_accept(struct tui *ui, void *arg, const char *text)
{
	struct view_arg *va = arg;
	struct cview *cv = va->cv;
	struct lb_saved_view v;
	struct tfilter f;
	char *err = NULL;

	if (*text == '\0')
		return;
	if (store_view_get(ui->st, cv->brief.project_id, text, 1, &v) != 0) {
		tui_error(ui, "%s", store_errmsg(ui->st));
		return;
	}
	memset(&f, 0, sizeof f);
	if (tfilter_parse(v.query, &f, &err) != 0) {
		tui_error(ui, "view: %s", err);
		free(err);
		lb_saved_view_clear(&v);
		return;
	}
	tui_busy(ui, draw_unicode() ? "filtering\xe2\x80\xa6" : "filtering...");
	tfilter_clear(&cv->flt);
	cv->flt = f;
	if (lb_sort_parse(v.sort) >= 0)
		cv->sort = lb_sort_parse(v.sort);
	cand_reload(&cv->v, RELOAD_REOPEN);
	tui_msg(ui, "view %s by %s%s", v.name, v.author, cv->list.n == 0 ? ": nothing matches (F clears it)" : "");
	lb_saved_view_clear(&v);
}

static int ask_view(struct cview *cv, enum km_action a, const char *arg)
{
	struct tui *ui = cv->v.ui;
	struct lb_saved_view_list l;
	struct prompt_spec ps;
	struct view_arg *va = xcalloc(1, sizeof *va);
	size_t i;

	va->cv = cv;
	memset(&ps, 0, sizeof ps);
	if (a == KM_A_VIEW_SAVE) {
		if (tfilter_empty(&cv->flt) && !cv->list.search) {
			free(va);
			tui_error(ui, "nothing to save: filter (f) or search (/) first");
			return R_REDRAW;
		}
		if (arg) {
			view_save_accept(ui, va, arg);
			free(va);
			return R_REDRAW;
		}
		ps.label = "save the filter as view: ";
		ps.accept = view_save_accept;
	} else {
		if (arg) {
			view_open_accept(ui, va, arg);
			free(va);
			return R_REDRAW;
		}
		if (store_views(ui->st, cv->brief.project_id, &l) != 0) {
			free(va);
			tui_error(ui, "%s", store_errmsg(ui->st));
			return R_REDRAW;
		}
		if (l.n == 0) {
			free(va);
			lb_saved_view_list_free(&l);
			tui_msg(ui, "no saved views: M-V saves the filter as one");
			return R_REDRAW;
		}
		va->names = xcalloc(l.n + 1, sizeof *va->names);
		for (i = 0; i < l.n; i++)
			va->names[va->n++] = xstrdup(l.v[i].name);
		lb_saved_view_list_free(&l);
		ps.label = "view (Tab lists them): ";
		ps.complete = CPL_WORDS;
		ps.words = (const char *const *)va->names;
		ps.accept = view_open_accept;
	}
	ps.arg = va;
	ps.arg_free = view_arg_free;
	prompt_open(ui, &ps);
	return R_REDRAW;
}

static void set_sort(struct cview *cv, int sort)
{
	int64_t id = list_current_id(&cv->list);
	char *what = xasprintf("sorting by %s%s", lb_sort_name(sort), draw_unicode() ? "\xe2\x80\xa6" : "...");

	tui_busy(cv->v.ui, what);
	free(what);
	cv->sort = sort;
	/* Stay on the same candidate; its new position comes from the worker. */
	if (id)
		list_open_at(&cv->list, id);
	else
		list_open(&cv->list);
	list_changed(cv);
	tui_msg(cv->v.ui, "sorted by %s", lb_sort_name(sort));
}

static void sort_accept(struct tui *ui, void *arg, const char *text)
{
	struct cview *cv = arg;
	int s = lb_sort_parse(text);

	if (*text == '\0')
		return;
	if (s < 0) {
		char *vis = util_visible_dup(text, 0);
		tui_error(ui, "unknown sort '%s': newest, oldest, stars or score", vis);
		free(vis);
		return;
	}
	set_sort(cv, s);
}

static int sort_action(struct cview *cv, enum km_action a, const char *arg)
{
	static const char *const sorts[] = { "newest", "oldest", "stars", "score", NULL };
	static const int cycle[] = { LB_SORT_NEWEST, LB_SORT_OLDEST, LB_SORT_STARS, LB_SORT_SCORE };
	struct prompt_spec ps;
	int i;

	if (a == KM_A_SORT) {
		for (i = 0; i < 4 && cycle[i] != cv->sort; i++)
			;
		set_sort(cv, cycle[(i + 1) % 4]);
		return R_REDRAW;
	}
	if (a == KM_A_SORT_REVERSE) {
		if (cv->sort == LB_SORT_NEWEST || cv->sort == LB_SORT_OLDEST)
			set_sort(cv, cv->sort == LB_SORT_NEWEST ? LB_SORT_OLDEST : LB_SORT_NEWEST);
		else
			tui_msg(cv->v.ui, "%s lists the best first; only the age sorts reverse (newest/oldest)",
				lb_sort_name(cv->sort));
		return R_REDRAW;
	}
	if (arg) {
		sort_accept(cv->v.ui, cv, arg);
		return R_REDRAW;
	}
	memset(&ps, 0, sizeof ps);
	ps.label = "sort by (newest, oldest, stars, score): ";
	ps.complete = CPL_WORDS;
	ps.words = sorts;
	ps.history = HIST_OTHER;
	ps.accept = sort_accept;
	ps.arg = cv;
	prompt_open(cv->v.ui, &ps);
	return R_REDRAW;
}

static int first_two_marked(int64_t id, void *arg)
{
	int64_t *ids = arg;

	if (ids[0] == 0)
		ids[0] = id;
	else if (ids[1] == 0)
		ids[1] = id;
	else
		return 1;
	return 0;
}

static int compare(struct cview *cv)
{
	struct list *l = &cv->list;
	int64_t ids[2] = { 0, 0 };

	if (!l->mark_all && l->marks.n == 2) {
		idset_each(&l->marks, first_two_marked, ids);
	} else if (list_has_marks(l)) {
		tui_msg(cv->v.ui, "compare takes two marked candidates (or this one and the next)");
		return R_REDRAW;
	} else if (l->cur >= 0 && l->cur + 1 < l->n) {
		ids[0] = l->ids[l->cur];
		ids[1] = l->ids[l->cur + 1];
	} else if (l->cur > 0) {
		ids[0] = l->ids[l->cur - 1];
		ids[1] = l->ids[l->cur];
	}
	if (ids[0] == 0 || ids[1] == 0) {
		tui_msg(cv->v.ui, "compare needs two candidates");
		return R_REDRAW;
	}
	if (ids[0] > ids[1]) {
		int64_t t = ids[0];
		ids[0] = ids[1];
		ids[1] = t;
	}
	tui_push(cv->v.ui, view_compare_new(cv->v.ui, ids[0], ids[1]));
	return R_REDRAW;
}

static int cand_handle(struct view *v, enum km_action a, const char *arg)
{
	struct cview *cv = cv_of(v);
	int r;

	r = view_list_action(v, &cv->list, a, arg, 1);
	if (r != R_UNHANDLED)
		return r;
	switch (a) {
	case KM_A_OPEN:
	case KM_A_DETAIL:
		if (list_current_id(&cv->list) == 0)
			return R_REDRAW;
		tui_push(v->ui, view_detail_new_q(v->ui, list_current_id(&cv->list), cv->flt.text, cv->list.search));
		return R_REDRAW;
	case KM_A_VIEW_GRID:
		tui_push(v->ui, view_grid_new(v->ui, v));
		return R_REDRAW;
	case KM_A_PREVIEW_TOGGLE:
		cv->preview = !cv->preview;
		if (!cv->preview)
			v->ui->preview->ops->hide(v->ui->preview);
		return R_REDRAW;
	case KM_A_SCROLL_PREVIEW_DOWN:
		cv->pscroll += 3;
		return R_REDRAW;
	case KM_A_SCROLL_PREVIEW_UP:
		cv->pscroll = cv->pscroll > 3 ? cv->pscroll - 3 : 0;
		return R_REDRAW;
	case KM_A_FILTER:
	case KM_A_FILTER_STARS:
	case KM_A_FILTER_FLAG:
	case KM_A_FILTER_TAG:
	case KM_A_FILTER_CURATOR:
	case KM_A_FILTER_BACKEND:
		return ask_filter(cv, a, arg);
	case KM_A_VIEW_SAVE:
	case KM_A_VIEW_OPEN:
		return ask_view(cv, a, arg);
	case KM_A_CLEAR_FILTER:
		if (!tfilter_empty(&cv->flt)) {
			tfilter_clear(&cv->flt);
			cand_reload(v, RELOAD_REOPEN);
		}
		return R_REDRAW;
	case KM_A_SORT:
	case KM_A_SORT_BY:
	case KM_A_SORT_REVERSE:
		return sort_action(cv, a, arg);
	case KM_A_COMPARE:
		return compare(cv);
	case KM_A_STACK_TOGGLE:
	case KM_A_STACK_TOGGLE_ALL:
		return toggle_stack(cv, a == KM_A_STACK_TOGGLE_ALL);
	case KM_A_KEEP_BEST:
		return keep_best(cv, arg);
	case KM_A_IMPORT:
		return tui_import(v->ui, v->brief_id, arg);
	case KM_A_WATCH:
		return tui_watch(v->ui, v->brief_id, arg);
	case KM_A_EDIT_BRIEF:
		r = tui_edit_brief(v->ui, v->brief_id);
		read_header(cv);
		return (r & ~R_RELOAD) | R_REDRAW;
	default:
		break;
	}
	return cand_action(&cv->ca, a, arg);
}

static void cand_close(struct view *v)
{
	struct cview *cv = cv_of(v);

	list_free(&cv->list);
	fold_unref(&cv->fold);
	lb_conflicts_free(cv->disp, cv->ndisp);
	forget_whole(cv);
	lb_brief_clear(&cv->brief);
	tfilter_clear(&cv->flt);
	thl_clear(&cv->hl);
	free(cv->project_name);
	free(cv);
}

static void cand_idle(struct view *v)
{
	list_prefetch(&cv_of(v)->list);
}

static const struct view_ops cand_ops = {
	.idle = cand_idle,
	.name = "candidates",
	.ctx = KM_CTX_CANDIDATES,
	.draw = cand_draw_view,
	.handle = cand_handle,
	.reload = cand_reload,
	.crumb = cand_crumb,
	.status = cand_status,
	.close = cand_close,
	.current = cand_current_row,
};

static int initial_sort(struct tui *ui)
{
	switch (km_opt_choice(ui->opt, KM_O_SORT)) {
	case KM_V_SORT_OLDEST:
		return LB_SORT_OLDEST;
	case KM_V_SORT_STARS:
	case KM_V_SORT_MEAN:
		return LB_SORT_STARS;
	case KM_V_SORT_NEWEST:
		return LB_SORT_NEWEST;
	default:
		tui_msg(ui, "set sort: lists sort by newest, oldest, stars or score; using newest");
		return LB_SORT_NEWEST;
	}
}

struct view *view_candidates_new(struct tui *ui, int64_t brief_id, int64_t cand_id)
{
	struct cview *cv = xcalloc(1, sizeof *cv);

	cv->v.ops = &cand_ops;
	cv->v.ui = ui;
	cv->v.owner = tui_owner(ui);
	cv->v.brief_id = brief_id;
	if (store_brief_get_light(ui->st, brief_id, &cv->brief) != 0) {
		tui_store_error(ui, "opening the brief");
		free(cv);
		return NULL;
	}
	cv->v.project_id = cv->brief.project_id;
	store_project_name(ui->st, cv->v.project_id, &cv->project_name);
	cv->sort = initial_sort(ui);
	cv->preview = 1;
	cv->ca.v = &cv->v;
	cv->ca.list = &cv->list;
	cv->ca.current = cand_current;
	cv->ca.changed = cand_changed;
	cv->src = cand_src;
	list_init(&cv->list, &cv->src, cv);
	cv->list.height = draw_rows() > 6 ? draw_rows() - 4 : 2;
	if (cand_id)
		list_open_at(&cv->list, cand_id);
	else
		list_open(&cv->list);
	list_changed(cv);
	ask_fold(cv);
	return &cv->v;
}
