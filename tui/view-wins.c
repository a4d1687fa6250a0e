/*
 * view-wins.c - what wins, as `lightbox wins` says it, drawn: the brief's
 * (or, from the brief list, the project's) candidates grouped by a field,
 * one row per value with its candidates, how many were rated, the mean
 * stars as a horizontal bar in eighths of a block with its 95% interval
 * (the bar's lighter end and a whisker to the interval's top), the share
 * picked and the mean pairwise (Bradley-Terry) score.  Tab and S-Tab go
 * through the fields; e asks for any field (param:KEY).  The groups are
 * made by store_wins in the worker (a brief of a million candidates takes
 * seconds), never on the interface's thread.
 */
#include "config.h"

#include "tui-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What can be cycled through; `e` takes any field store_wins knows. */
static const char *const fields[] = {
	"model", "sampler", "scheduler", "steps", "cfg",   "lora",	"revision",
	"backend", "seed", "tag",	"phrase", "width", "height", NULL,
};

/* Groups with fewer rated candidates are listed, not ranked (as `lightbox wins`). */
enum { MIN_SUPPORT = 3 };

struct wview {
	struct view v;
	struct array_src asrc;
	struct list list;
	int64_t brief, project;
	char *title;     /* the brief's or the project's name */
	char *by;        /* the field */
	struct lb_win *w;
	size_t n, ranked;
	int loading;
	char *err;
	uint64_t gen;
};

static struct wview *wv_of(struct view *v)
{
	return (struct wview *)v;
}

/* ------------------------------------------------------------ the worker */

struct wins_task {
	struct bg_task t;
	struct wview *wv;
	uint64_t gen;
	int64_t brief, project;
	char *by;
	int rc;
	char *err;
	struct lb_win *w;
	size_t n;
};

static void wins_run(struct bg_task *bt, struct store *st)
{
	struct wins_task *t = (struct wins_task *)bt;

	if (st == NULL) {
		t->rc = -1;
		t->err = xstrdup("the store could not be opened by the worker");
		return;
	}
	t->rc = store_wins(st, t->brief, t->project, t->by, MIN_SUPPORT, &t->w, &t->n);
	if (t->rc)
		t->err = xstrdup(store_errmsg(st));
}

static void wins_done(struct bg_task *bt, struct tui *ui)
{
	struct wins_task *t = (struct wins_task *)bt;
	struct wview *wv = t->wv;
	size_t i;

	if (t->gen != wv->gen)
		return; /* a newer one is on its way */
	wv->loading = 0;
	xfree(&wv->err);
	if (t->rc) {
		wv->err = xstrdup(t->err ? t->err : "the store could not be read");
		tui_error(ui, "what wins: %s", wv->err);
	} else {
		lb_wins_free(wv->w, wv->n);
		wv->w = t->w;
		wv->n = t->n;
		t->w = NULL;
		t->n = 0;
		for (wv->ranked = 0, i = 0; i < wv->n; i++)
			wv->ranked += wv->w[i].ranked;
	}
	list_reload(&wv->list, 1);
	ui->dirty |= R_REDRAW;
}

static void wins_free(struct bg_task *bt)
{
	struct wins_task *t = (struct wins_task *)bt;

	lb_wins_free(t->w, t->n);
	free(t->by);
	free(t->err);
	free(t);
}

static void ask(struct wview *wv)
{
	struct wins_task *t = xcalloc(1, sizeof *t);

	t->t.run = wins_run;
	t->t.done = wins_done;
	t->t.free = wins_free;
	t->t.owner = wv->v.owner;
	t->t.key = 1;
	t->wv = wv;
	t->gen = ++wv->gen;
	t->brief = wv->brief;
	t->project = wv->project;
	t->by = xstrdup(wv->by);
	wv->loading = 1;
	bg_submit(wv->v.ui->bg, &t->t);
	bg_kick(wv->v.ui->bg);
}

/* ------------------------------------------------------------ drawing */

/* Columns of a row at width w; bar 0: no room for bars. */
struct cols {
	int value, bar;
};

static struct cols cols_for(int w)
{
	struct cols c;

	/* value, cands 6, rated 6, mean 5, interval 10, bar, picked 6, bt 7 */
	c.value = w / 4 < 10 ? 10 : w / 4 > 28 ? 28 : w / 4;
	c.bar = w - (1 + c.value + 6 + 6 + 5 + 10 + 1 + 1 + 6 + 7);
	if (c.bar > 50)
		c.bar = 50;
	if (c.bar < 10)
		c.bar = 0;
	return c;
}

/* The mean as a bar over bw cells (0 to 5 stars) in eighths of a block:
 * solid up to the interval's low end, lighter from there to the mean,
 * then a whisker to its high end. */
static void draw_bar(int y, int x, int bw, const struct lb_win *g)
{
	static const char *const eighth[] = { "", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
					      "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89" };
	int uni = draw_unicode(), units, full, lo_cell, hi_cell, i, end;
	enum role strong = g->ranked ? ROLE_STARS : ROLE_DIM;

	if (isnan(g->stars))
		return;
	units = (int)lround(g->stars / 5 * bw * 8);
	full = units / 8;
	lo_cell = isnan(g->stars_lo) ? full : (int)floor(g->stars_lo / 5 * bw);
	hi_cell = isnan(g->stars_hi) ? -1 : (int)floor(g->stars_hi / 5 * bw);
	if (hi_cell >= bw)
		hi_cell = bw - 1;
	for (i = 0; i < full; i++)
		draw_raw(y, x + i, 1, i < lo_cell ? strong : ROLE_DIM, uni ? "\xe2\x96\x88" : "#");
	end = full;
	if (units % 8) {
		if (uni)
			draw_raw(y, x + full, 1, full < lo_cell ? strong : ROLE_DIM, eighth[units % 8]);
		else if (units % 8 >= 4)
			draw_raw(y, x + full, 1, full < lo_cell ? strong : ROLE_DIM, "#");
		end++;
	}
	for (i = end; i <= hi_cell; i++)
		draw_raw(y, x + i, 1, ROLE_DIM,
			 i == hi_cell ? (uni ? "\xe2\x94\xa4" : "|") : (uni ? "\xe2\x94\x80" : "-"));
}

/* Text right-aligned in the next w columns at *cx, which moves past them. */
static void col(int y, int *cx, int w, enum role r, const char *s)
{
	draw_text_right(y, *cx, w, r, s);
	*cx += w;
}

/* v with that many decimals (a sign: +0.35) and suffix, "-" when unknown (NAN). */
static const char *num(char buf[48], double v, int decimals, int sign, const char *suffix)
{
	if (isnan(v))
		return "-";
	snprintf(buf, 48, sign ? "%+.*f%s" : "%.*f%s", decimals, v, suffix);
	return buf;
}

static void a_draw(void *ctx, size_t i, int y, int x, int w, unsigned flags)
{
	struct wview *wv = ctx;
	const struct lb_win *g = &wv->w[i];
	struct cols c = cols_for(w);
	enum role r = g->ranked ? ROLE_NORMAL : ROLE_DIM;
	char buf[48];
	int cx = x + 1;

	if (flags & LIST_CURSOR) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	draw_text(y, cx, c.value, r, g->value);
	cx += c.value;
	col(y, &cx, 6, r, num(buf, g->n_candidates, 0, 0, ""));
	col(y, &cx, 6, r, num(buf, g->n_rated, 0, 0, ""));
	col(y, &cx, 5, r, num(buf, g->stars, 2, 0, ""));
	if (isnan(g->stars_lo))
		snprintf(buf, sizeof buf, "-");
	else
		snprintf(buf, sizeof buf, "%.1f-%.1f", g->stars_lo, g->stars_hi);
	col(y, &cx, 10, ROLE_DIM, buf);
	cx++;
	if (c.bar) {
		draw_bar(y, cx, c.bar, g);
		cx += c.bar + 1;
	}
	col(y, &cx, 6, r, num(buf, g->pick_rate * 100, 0, 0, "%"));
	col(y, &cx, 7, r, num(buf, g->score, 2, 1, ""));
	draw_override(-1);
}

static size_t a_count(void *ctx)
{
	return ((struct wview *)ctx)->n;
}

static int64_t a_row_id(void *ctx, size_t i)
{
	(void)ctx;
	return (int64_t)i + 1;
}

static int a_match(void *ctx, size_t i, const char *words)
{
	return text_matches(((struct wview *)ctx)->w[i].value, words);
}

static void w_draw(struct view *v, struct rect r)
{
	struct wview *wv = wv_of(v);
	struct cols c = cols_for(r.w);
	int cx = r.x + 1;

	draw_fill(r.y, r.x, r.w, ROLE_HEADER);
	draw_text(r.y, cx, c.value, ROLE_HEADER, wv->by);
	cx += c.value;
	col(r.y, &cx, 6, ROLE_HEADER, "cands");
	col(r.y, &cx, 6, ROLE_HEADER, "rated");
	col(r.y, &cx, 5, ROLE_HEADER, "mean");
	col(r.y, &cx, 10, ROLE_HEADER, "95%");
	cx++;
	if (c.bar) {
		draw_text(r.y, cx, c.bar, ROLE_HEADER, "stars 0..5, 95% interval");
		cx += c.bar + 1;
	}
	col(r.y, &cx, 6, ROLE_HEADER, "picked");
	col(r.y, &cx, 7, ROLE_HEADER, "BT");
	if (wv->n == 0) {
		draw_text(r.y + 2, r.x + 2, r.w - 2, ROLE_DIM,
			  wv->loading ? "reading..." : wv->err ? wv->err : "no candidates");
		return;
	}
	list_scroll(&wv->list, r.h - 2);
	list_draw(&wv->list, r.y + 1, r.x, r.h - 2, r.w);
	if (wv->ranked < wv->n)
		draw_textf(r.y + r.h - 1, r.x + 1, r.w - 1, ROLE_DIM,
			   "%zu value%s with fewer than %d rated candidates: listed dim, not ranked", wv->n - wv->ranked,
			   wv->n - wv->ranked == 1 ? "" : "s", MIN_SUPPORT);
}

/* ------------------------------------------------------------ the view */

static void set_field(struct wview *wv, const char *by)
{
	free(wv->by);
	wv->by = xstrdup(by);
	ask(wv);
}

static void by_accept(struct tui *ui, void *arg, const char *text)
{
	struct wview *wv = arg;

	(void)ui;
	while (*text == ' ')
		text++;
	if (*text)
		set_field(wv, text);
}

static void by_release(void *arg)
{
	view_release(arg);
}

static int w_handle(struct view *v, enum km_action a, const char *arg)
{
	struct wview *wv = wv_of(v);
	struct prompt_spec ps;
	size_t k, n;
	int r;

	r = view_list_action(v, &wv->list, a, arg, 0);
	if (r != R_UNHANDLED)
		return r;
	switch (a) {
	case KM_A_WINS_NEXT_FIELD:
	case KM_A_WINS_PREV_FIELD:
		for (n = 0; fields[n]; n++)
			;
		for (k = 0; k < n && strcmp(fields[k], wv->by) != 0; k++)
			;
		if (k == n) /* a field typed with e: start over */
			k = a == KM_A_WINS_NEXT_FIELD ? n - 1 : 0;
		set_field(wv, fields[(k + (a == KM_A_WINS_NEXT_FIELD ? 1 : n - 1)) % n]);
		return R_REDRAW;
	case KM_A_WINS_BY:
		if (arg && *arg) {
			set_field(wv, arg);
			return R_REDRAW;
		}
		memset(&ps, 0, sizeof ps);
		ps.label = "what wins by (a field, or param:KEY): ";
		ps.complete = CPL_WORDS;
		ps.words = fields;
		ps.history = HIST_OTHER;
		ps.accept = by_accept;
		ps.arg = view_hold(v);
		ps.arg_free = by_release;
		prompt_open(v->ui, &ps);
		return R_REDRAW;
	case KM_A_VIEW_WINS:
		return R_REDRAW;
	default:
		break;
	}
	return R_UNHANDLED;
}

static void w_reload(struct view *v, int mode)
{
	(void)mode;
	ask(wv_of(v));
}

static void w_crumb(struct view *v, struct sbuf *out)
{
	struct wview *wv = wv_of(v);

	sb_addf(out, "what wins by %s", wv->by);
}

static void w_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct wview *wv = wv_of(v);
	char pos[64];

	sb_addf(left, "  %s %s", wv->brief ? "brief" : "project", wv->title);
	if (wv->loading)
		sb_adds(left, "  reading...");
	if (wv->list.search)
		sb_addf(left, "  /%s", wv->list.search);
	list_pos_text(&wv->list, pos, sizeof pos);
	sb_addf(right, "%s", pos);
}

static void w_close(struct view *v)
{
	struct wview *wv = wv_of(v);

	list_free(&wv->list);
	lb_wins_free(wv->w, wv->n);
	free(wv->by);
	free(wv->title);
	free(wv->err);
	free(wv);
}

static const struct view_ops w_ops = {
	.name = "wins",
	.ctx = KM_CTX_WINS,
	.draw = w_draw,
	.handle = w_handle,
	.reload = w_reload,
	.crumb = w_crumb,
	.status = w_status,
	.close = w_close,
};

int view_wins_action(struct tui *ui)
{
	struct view *top = tui_top(ui), *v;
	struct wview *wv;
	int64_t brief = top && top->ops->ctx == KM_CTX_BRIEFS ? 0 : tui_brief_id(ui);
	int64_t project = tui_project_id(ui);
	struct lb_brief b;
	struct lb_project p;

	if (brief == 0 && project == 0) {
		tui_msg(ui, "view-wins: open a project or a brief first");
		return R_REDRAW;
	}
	wv = xcalloc(1, sizeof *wv);
	v = &wv->v;
	v->ops = &w_ops;
	v->ui = ui;
	v->owner = tui_owner(ui);
	v->brief_id = brief;
	v->project_id = project;
	wv->brief = brief;
	wv->project = brief ? 0 : project;
	wv->by = xstrdup(fields[0]);
	if (brief && store_brief_get_light(ui->st, brief, &b) == 0) {
		wv->title = xasprintf("#%lld %s", (long long)brief, b.f.title ? b.f.title : "");
		lb_brief_clear(&b);
	} else if (!brief && store_project_get(ui->st, project, &p) == 0) {
		wv->title = xasprintf("%s", p.name);
		lb_project_clear(&p);
	} else {
		wv->title = xasprintf("#%lld", (long long)(brief ? brief : project));
	}
	wv->asrc.count = a_count;
	wv->asrc.row_id = a_row_id;
	wv->asrc.match = a_match;
	wv->asrc.draw = a_draw;
	array_src_init(&wv->asrc);
	list_init(&wv->list, &wv->asrc.src, wv);
	list_open(&wv->list);
	ask(wv);
	tui_push(ui, v);
	return R_REDRAW;
}
