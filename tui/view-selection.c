/*
 * view-selection.c - the project's selection record: for each brief, the
 * candidates selected, with their intended use, the integration note, who
 * selected them and when.  Enter shows the candidate; n edits the
 * integration note; d takes it out of the selection.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

struct srow {
	struct lb_selection s;
	char *brief;           /* the brief's title */
	int my_stars;
	double mean;
	int n_ratings;
	char *tags;
};

struct sview {
	struct view v;
	struct array_src asrc;
	struct list list;
	struct srow *rows;
	size_t n;
	char *project_name;
	int briefw, usew;
	int64_t now;
};

static struct sview *sv_of(struct view *v)
{
	return (struct sview *)v;
}

static void free_rows(struct sview *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++) {
		lb_selection_clear(&sv->rows[i].s);
		free(sv->rows[i].brief);
		free(sv->rows[i].tags);
	}
	free(sv->rows);
	sv->rows = NULL;
	sv->n = 0;
}

static void load(struct sview *sv)
{
	struct store *st = sv->v.ui->st;
	struct lb_selection_list sl;
	struct lb_brief_list bl;
	struct lb_candidate c;
	size_t i, j;

	if (store_selections(st, sv->v.project_id, &sl) != 0) {
		tui_store_error(sv->v.ui, "reading the selection");
		return;
	}
	if (store_brief_list_light(st, sv->v.project_id, 1, &bl) != 0)
		memset(&bl, 0, sizeof bl);
	free_rows(sv);
	sv->rows = xcalloc(sl.n ? sl.n : 1, sizeof *sv->rows);
	for (i = 0; i < sl.n; i++) {
		struct srow *r = &sv->rows[sv->n++];
		r->s = sl.v[i];
		for (j = 0; j < bl.n; j++)
			if (bl.v[j].id == r->s.brief_id)
				r->brief = xstrdup(bl.v[j].f.title);
		if (r->brief == NULL)
			r->brief = xasprintf("brief #%lld", (long long)r->s.brief_id);
		r->my_stars = -1;
		if (store_candidate_get(st, r->s.candidate_id, &c) == 0) {
			r->my_stars = c.my_stars;
			r->mean = c.mean_stars;
			r->n_ratings = c.n_ratings;
			r->tags = xstrdup(c.tags);
			lb_candidate_clear(&c);
		}
		if (r->tags == NULL)
			r->tags = xstrdup("");
	}
	free(sl.v);
	lb_brief_list_free(&bl);
}

static size_t s_count(void *ctx)
{
	return ((struct sview *)ctx)->n;
}

static int64_t s_row_id(void *ctx, size_t i)
{
	return ((struct sview *)ctx)->rows[i].s.candidate_id;
}

static int s_match(void *ctx, size_t i, const char *words)
{
	const struct srow *r = &((struct sview *)ctx)->rows[i];
	char *s = xasprintf("%s %s %s %s %s", r->brief, r->s.intended_use, r->s.integration, r->s.curator, r->tags);
	int m = text_matches(s, words);

	free(s);
	return m;
}

static void s_draw(void *ctx, size_t i, int y, int x, int w, unsigned flags)
{
	struct sview *sv = ctx;
	const struct srow *r = &sv->rows[i];
	char buf[48], stars[32], age[16];
	int cx = x + 1, end = x + w, rw;

	if (flags & LIST_CURSOR) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	/* The brief's title on the first of its rows only. */
	if (i == 0 || sv->rows[i - 1].s.brief_id != r->s.brief_id)
		draw_text(y, cx, sv->briefw, ROLE_LABEL, r->brief);
	cx += sv->briefw + 1;
	snprintf(buf, sizeof buf, "#%lld", (long long)r->s.candidate_id);
	draw_text_right(y, cx, 6, ROLE_DIM, buf);
	cx += 7;
	draw_raw(y, cx, 5, r->my_stars < 0 ? ROLE_DIM : ROLE_STARS, glyph_stars(r->my_stars, stars));
	cx += 6;
	if (r->n_ratings)
		snprintf(buf, sizeof buf, "%.1f", r->mean);
	else
		snprintf(buf, sizeof buf, "-");
	draw_text_right(y, cx, 3, ROLE_NORMAL, buf);
	cx += 4;
	draw_text(y, cx, sv->usew, ROLE_NORMAL, *r->s.intended_use ? r->s.intended_use : "-");
	cx += sv->usew + 1;
	util_age(r->s.updated, sv->now, age);
	snprintf(buf, sizeof buf, "%s %s", r->s.curator, age);
	rw = draw_width(buf);
	if (end - cx - rw - 3 >= 24) {
		draw_text(y, cx, end - cx - rw - 3, ROLE_DIM, *r->s.integration ? r->s.integration : "-");
		draw_text_right(y, end - rw - 1, rw, ROLE_DIM, buf);
	} else {
		draw_text(y, cx, end - cx, ROLE_DIM, r->s.integration);
	}
	draw_override(-1);
}

static void s_reload(struct view *v, int mode)
{
	struct sview *sv = sv_of(v);

	load(sv);
	if (mode == RELOAD_REOPEN)
		list_open(&sv->list);
	else
		list_reload(&sv->list, 0);
}

static void s_draw_view(struct view *v, struct rect r)
{
	struct sview *sv = sv_of(v);
	int x;

	sv->now = util_now();
	sv->briefw = r.w >= 120 ? 24 : 16;
	sv->usew = r.w >= 120 ? 28 : 16;
	draw_fill(r.y, r.x, r.w, ROLE_HEADER);
	x = r.x + 1;
	draw_text(r.y, x, sv->briefw, ROLE_HEADER, "brief");
	x += sv->briefw + 1;
	draw_text_right(r.y, x, 6, ROLE_HEADER, "#");
	x += 7;
	draw_text(r.y, x, 5, ROLE_HEADER, "mine");
	x += 6;
	draw_text_right(r.y, x, 3, ROLE_HEADER, "avg");
	x += 4;
	draw_text(r.y, x, sv->usew, ROLE_HEADER, "intended use");
	x += sv->usew + 1;
	draw_text(r.y, x, r.x + r.w - x, ROLE_HEADER, "integration note");
	if (sv->n == 0)
		draw_text(r.y + 2, r.x + 2, r.w - 2, ROLE_DIM,
			  "nothing selected yet: 's' on a candidate selects it for the project");
	list_draw(&sv->list, r.y + 1, r.x, r.h - 1, r.w);
}

static void s_crumb(struct view *v, struct sbuf *out)
{
	(void)v;
	sb_adds(out, "selection");
}

static void s_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct sview *sv = sv_of(v);
	char pos[64];

	if (sv->list.search)
		sb_addf(left, "  /%s", sv->list.search);
	list_pos_text(&sv->list, pos, sizeof pos);
	sb_adds(right, pos);
}

static struct srow *cur_row(struct sview *sv)
{
	void *row = list_current(&sv->list);

	return row ? &sv->rows[array_row_index(row)] : NULL;
}

static void note_accept(struct tui *ui, void *arg, const char *text)
{
	int64_t *cand = arg;
	char *msg = xasprintf("integration note of #%lld saved", (long long)*cand);

	wr_one(ui, WR_SELECT, *cand, "integration note", NULL, text, msg);
	free(msg);
	ui->dirty |= R_REDRAW;
}

static int s_handle(struct view *v, enum km_action a, const char *arg)
{
	struct sview *sv = sv_of(v);
	struct srow *row = cur_row(sv);
	struct prompt_spec ps;
	char *text = NULL, *err = NULL;
	int64_t *cand;
	int r;

	r = view_list_action(v, &sv->list, a, arg, 0);
	if (r != R_UNHANDLED)
		return r;
	switch (a) {
	case KM_A_OPEN:
	case KM_A_DETAIL:
		if (row)
			tui_push(v->ui, view_detail_new(v->ui, row->s.candidate_id));
		return R_REDRAW;
	case KM_A_UNSELECT:
		if (row == NULL)
			return R_REDRAW;
		text = xasprintf("#%lld taken out of the selection (u undoes)", (long long)row->s.candidate_id);
		wr_one(v->ui, WR_UNSELECT, row->s.candidate_id, "unselect", NULL, NULL, text);
		free(text);
		return R_REDRAW;
	case KM_A_NOTE:
		if (row == NULL)
			return R_REDRAW;
		cand = xmalloc(sizeof *cand);
		*cand = row->s.candidate_id;
		if (arg) {
			note_accept(v->ui, cand, arg);
			free(cand);
			return R_REDRAW;
		}
		memset(&ps, 0, sizeof ps);
		ps.label = "integration note: ";
		ps.init = row->s.integration;
		ps.history = HIST_NOTE;
		ps.accept = note_accept;
		ps.arg = cand;
		ps.arg_free = free;
		prompt_open(v->ui, &ps);
		return R_REDRAW;
	case KM_A_NOTE_LONG:
		if (row == NULL)
			return R_REDRAW;
		if (tui_edit_text(v->ui, row->s.integration, "integration", &text, &err) != 0) {
			tui_error(v->ui, "integration note not saved: %s", err ? err : "the editor failed");
		} else {
			size_t n = strlen(text);
			while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
				text[--n] = '\0';
			wr_one(v->ui, WR_SELECT, row->s.candidate_id, "integration note", NULL, text,
			       "integration note saved");
		}
		free(text);
		free(err);
		return R_REDRAW | R_FULL;
	default:
		return R_UNHANDLED;
	}
}

static void s_close(struct view *v)
{
	struct sview *sv = sv_of(v);

	list_free(&sv->list);
	free_rows(sv);
	free(sv->project_name);
	free(sv);
}

static const struct view_ops s_ops = {
	.name = "selection",
	.ctx = KM_CTX_SELECTION,
	.draw = s_draw_view,
	.handle = s_handle,
	.reload = s_reload,
	.crumb = s_crumb,
	.status = s_status,
	.close = s_close,
};

struct view *view_selection_new(struct tui *ui, int64_t project_id)
{
	struct sview *sv = xcalloc(1, sizeof *sv);

	sv->v.ops = &s_ops;
	sv->v.ui = ui;
	sv->v.owner = tui_owner(ui);
	sv->v.project_id = project_id;
	store_project_name(ui->st, project_id, &sv->project_name);
	sv->asrc.count = s_count;
	sv->asrc.row_id = s_row_id;
	sv->asrc.match = s_match;
	sv->asrc.draw = s_draw;
	array_src_init(&sv->asrc);
	list_init(&sv->list, &sv->asrc.src, sv);
	load(sv);
	list_open(&sv->list);
	return &sv->v;
}
