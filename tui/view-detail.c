/*
 * view-detail.c - one candidate in full: its provenance (the brief
 * revision it was made from, backend, model, seed, parameters, prompt),
 * its file or text, every curator's rating, tags, the selection record,
 * notes, and its parent and children (Enter on one opens it).  The
 * document is a list of lines, so it moves and searches like every list;
 * ratings, tags and notes apply to the candidate shown.
 */
#include "config.h"

#include "tui-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct dline {
	enum role role;
	char *label;       /* left column, or NULL */
	char *text;
	int64_t link;      /* a candidate this line opens, or 0 */
	int marked;        /* text is visible already, matches marked (draw_mark) */
};

struct dview {
	struct view v;
	struct array_src asrc;
	struct list list;
	struct cand_actions ca;
	int64_t id;
	/* the data, from the store */
	int ok;
	struct lb_candidate c;
	struct lb_brief brief;
	struct lb_revision rev;
	struct lb_rating_list ratings;
	struct lb_note_list notes;
	struct lb_candidate parent;
	int has_parent;
	struct lb_candidate_list children;
	struct lb_selection sel;
	int has_sel;
	/* the document laid out for a width */
	struct dline *lines;
	size_t n, cap;
	int width;
	int preview;
	int pscroll;
	int labelw;
	/* what the list that opened it looked for: its filter and search */
	char *query[2];
	struct thl hl;
	char *seedw[2]; /* the seed's text when a seed: term holds, else NULL */
};

static struct dview *dv_of(struct view *v)
{
	return (struct dview *)v;
}

/* ------------------------------------------------------------ data */

static void clear_data(struct dview *dv)
{
	if (!dv->ok)
		return;
	lb_candidate_clear(&dv->c);
	lb_brief_clear(&dv->brief);
	lb_revision_clear(&dv->rev);
	lb_rating_list_free(&dv->ratings);
	lb_note_list_free(&dv->notes);
	if (dv->has_parent)
		lb_candidate_clear(&dv->parent);
	lb_candidate_list_free(&dv->children);
	if (dv->has_sel)
		lb_selection_clear(&dv->sel);
	dv->ok = dv->has_parent = dv->has_sel = 0;
}

static void load(struct dview *dv)
{
	struct store *st = dv->v.ui->st;
	struct lb_selection_list sl;
	size_t i;

	clear_data(dv);
	if (store_candidate_get(st, dv->id, &dv->c) != 0) {
		tui_store_error(dv->v.ui, "reading the candidate");
		return;
	}
	dv->ok = 1;
	memset(&dv->brief, 0, sizeof dv->brief);
	memset(&dv->rev, 0, sizeof dv->rev);
	store_brief_get_light(st, dv->c.brief_id, &dv->brief);
	store_revision_get(st, dv->c.revision_id, &dv->rev);
	if (store_ratings(st, dv->id, &dv->ratings) != 0)
		memset(&dv->ratings, 0, sizeof dv->ratings);
	if (store_notes(st, LB_ON_CANDIDATE, dv->id, &dv->notes) != 0)
		memset(&dv->notes, 0, sizeof dv->notes);
	if (dv->c.parent_id && store_candidate_get(st, dv->c.parent_id, &dv->parent) == 0)
		dv->has_parent = 1;
	if (store_candidate_children(st, dv->id, &dv->children) != 0)
		memset(&dv->children, 0, sizeof dv->children);
	if (dv->c.selected && store_selections(st, dv->brief.project_id, &sl) == 0) {
		for (i = 0; i < sl.n; i++) {
			if (sl.v[i].candidate_id == dv->id && !dv->has_sel) {
				dv->sel = sl.v[i];
				memset(&sl.v[i], 0, sizeof sl.v[i]);
				dv->has_sel = 1;
			}
		}
		lb_selection_list_free(&sl);
	}
	dv->v.brief_id = dv->c.brief_id;
	dv->v.project_id = dv->brief.project_id;
	thl_update(&dv->hl, dv->query[0], dv->query[1]);
	free(dv->seedw[0]);
	dv->seedw[0] = dv->c.has_seed && thl_seed(&dv->hl, dv->c.seed) ? xasprintf("%lld", (long long)dv->c.seed)
									 : NULL;
	dv->width = 0; /* lay out again */
}

/* ------------------------------------------------------------ layout */

static void free_lines(struct dview *dv)
{
	size_t i;

	for (i = 0; i < dv->n; i++) {
		free(dv->lines[i].label);
		free(dv->lines[i].text);
	}
	dv->n = 0;
}

static void add(struct dview *dv, enum role role, const char *label, const char *text, int64_t link)
{
	if (dv->n == dv->cap) {
		dv->cap = dv->cap ? dv->cap * 2 : 64;
		dv->lines = xrealloc(dv->lines, dv->cap * sizeof *dv->lines);
	}
	dv->lines[dv->n].role = role;
	dv->lines[dv->n].label = label ? xstrdup(label) : NULL;
	dv->lines[dv->n].text = xstrdup(text ? text : "");
	dv->lines[dv->n].link = link;
	dv->lines[dv->n].marked = 0;
	dv->n++;
}

/* A line of visible text with its matches marked (draw_wrap_marked). */
static void add_marked(struct dview *dv, enum role role, const char *label, const char *text)
{
	add(dv, role, label, text, 0);
	dv->lines[dv->n - 1].marked = 1;
}

/* Where a line's words come from: a scope of the highlights, the seed, none. */
enum { SC_NONE = -1, SC_SEED = HL__COUNT };

static char *const *words_of(struct dview *dv, int sc)
{
	return sc == SC_NONE ? NULL : sc == SC_SEED ? dv->seedw : dv->hl.w[sc];
}

/* Wrapped text, the scope's words marked. */
static void wrap(struct dview *dv, const char *text, int w, int sc, struct draw_lines *wl)
{
	draw_wrap_marked(text, w, words_of(dv, sc), wl);
}

/* A labelled value, wrapped to the width after the label column, the
 * scope's words marked. */
static void field_in(struct dview *dv, const char *label, const char *text, enum role role, int sc)
{
	struct draw_lines wl;
	size_t i;
	int w = dv->width - dv->labelw - 3;

	wrap(dv, text && *text ? text : "-", w > 10 ? w : 10, sc, &wl);
	for (i = 0; i < wl.n; i++)
		add_marked(dv, role, i == 0 ? label : "", wl.v[i]);
	draw_lines_free(&wl);
}

static void field(struct dview *dv, const char *label, const char *text, enum role role)
{
	field_in(dv, label, text, role, SC_NONE);
}

static void section(struct dview *dv, const char *title)
{
	if (dv->n)
		add(dv, ROLE_NORMAL, NULL, "", 0);
	add(dv, ROLE_SECTION, NULL, title, 0);
}

/* A text kept only as a file (over 8 MiB): its first 64 KiB, cut at a
 * line; the zoom (z) pages through the rest. */
static void text_file_head(struct dview *dv, const struct lb_candidate *c, int width)
{
	char size[32], *more, *err, *head;
	struct draw_lines wl;
	int64_t rest;
	size_t i;

	section(dv, "Text");
	head = preview_text_head(c, 65536, &rest, &err);
	if (head == NULL) {
		add(dv, ROLE_ERROR, NULL, err, 0);
		free(err);
		return;
	}
	wrap(dv, head, width - 2 > 10 ? width - 2 : 10, HL_TEXT, &wl);
	for (i = 0; i < wl.n; i++)
		add_marked(dv, ROLE_NORMAL, NULL, wl.v[i]);
	draw_lines_free(&wl);
	if (rest > 0) {
		human_bytes(rest, size);
		more = xasprintf("... %s more: z pages through all of it", size);
		add(dv, ROLE_DIM, NULL, more, 0);
		free(more);
	}
	free(head);
}

static void cand_link(struct dview *dv, const char *label, const struct lb_candidate *c)
{
	char stars[32], *line, *first;
	const char *text = c->body && *c->body ? c->body : c->prompt;

	first = xstrndup(text, strcspn(text, "\n"));
	line = xasprintf("#%lld  %s  %s  %s", (long long)c->id, glyph_stars(c->my_stars, stars),
			 *c->backend ? c->backend : "-", first);
	add(dv, ROLE_LINK, label, line, c->id);
	free(line);
	free(first);
}

static void lay_out(struct dview *dv, int width)
{
	const struct lb_candidate *c = &dv->c;
	struct fact *facts;
	size_t nf, i;
	char buf[160], when[32], age[16], stars[32];
	int64_t now = util_now();
	int picks = 0, rejects = 0;

	free_lines(dv);
	dv->width = width;
	dv->labelw = 11;
	if (!dv->ok) {
		add(dv, ROLE_ERROR, NULL, "this candidate could not be read", 0);
		return;
	}
	util_age(c->created, now, age);
	snprintf(buf, sizeof buf, "Candidate #%lld: %s, made %s%s", (long long)c->id, lb_modality_name(c->modality),
		 strcmp(age, "now") ? age : "just now", strcmp(age, "now") ? " ago" : "");
	add(dv, ROLE_SECTION, NULL, buf, 0);

	for (i = 0; i < dv->ratings.n; i++) {
		picks += dv->ratings.v[i].flag == LB_FLAG_PICK;
		rejects += dv->ratings.v[i].flag == LB_FLAG_REJECT;
	}
	if (c->n_ratings)
		snprintf(buf, sizeof buf, "Ratings: mean %.2f from %d curator%s, %d pick%s, %d reject%s",
			 c->mean_stars, c->n_ratings, c->n_ratings == 1 ? "" : "s", picks, picks == 1 ? "" : "s",
			 rejects, rejects == 1 ? "" : "s");
	else
		snprintf(buf, sizeof buf, "Ratings");
	section(dv, buf);
	if (dv->ratings.n == 0)
		add(dv, ROLE_DIM, NULL, "nobody has rated it yet (0-5 rates)", 0);
	for (i = 0; i < dv->ratings.n; i++) {
		const struct lb_rating *r = &dv->ratings.v[i];
		util_age(r->updated, now, age);
		snprintf(buf, sizeof buf, "%s  %-6s  %s%s", glyph_stars(r->stars, stars),
			 r->flag == LB_FLAG_NONE ? "" : lb_flag_name(r->flag), age, strcmp(age, "now") ? " ago" : "");
		add(dv, strcmp(r->curator, store_curator(dv->v.ui->st)) == 0 ? ROLE_STARS : ROLE_NORMAL, r->curator,
		    buf, 0);
	}

	section(dv, "Tags");
	if (*c->tags) {
		char *tags = draw_mark(c->tags, dv->hl.w[HL_TAGS], 0);
		add_marked(dv, ROLE_TAG, NULL, tags);
		free(tags);
	} else {
		add(dv, ROLE_DIM, NULL, "none (t adds one)", 0);
	}

	if (dv->has_sel) {
		section(dv, "Selected for the project");
		field(dv, "use", dv->sel.intended_use, ROLE_NORMAL);
		field(dv, "integration", dv->sel.integration, ROLE_NORMAL);
		util_age(dv->sel.updated, now, age);
		snprintf(buf, sizeof buf, "%s, %s%s", dv->sel.curator, age, strcmp(age, "now") ? " ago" : "");
		field(dv, "by", buf, ROLE_DIM);
	}

	section(dv, "Notes");
	if (dv->notes.n == 0)
		add(dv, ROLE_DIM, NULL, "none (n writes one, N in $EDITOR)", 0);
	for (i = 0; i < dv->notes.n; i++) {
		const struct lb_note *n = &dv->notes.v[i];
		struct draw_lines wl;
		size_t j;
		util_age(n->created, now, age);
		snprintf(buf, sizeof buf, "%s%s, %s", age, strcmp(age, "now") ? " ago" : "", lb_note_kind_name(n->kind));
		add(dv, ROLE_LABEL, n->curator, buf, 0);
		wrap(dv, n->body, width - dv->labelw - 3 > 10 ? width - dv->labelw - 3 : 10, HL_NOTES, &wl);
		for (j = 0; j < wl.n; j++)
			add_marked(dv, ROLE_NORMAL, "", wl.v[j]);
		draw_lines_free(&wl);
	}

	section(dv, "Provenance");
	snprintf(buf, sizeof buf, "%s (#%lld), revision %d%s", dv->brief.f.title ? dv->brief.f.title : "?",
		 (long long)c->brief_id, c->rev,
		 dv->brief.rev > c->rev ? " (the brief has been edited since)" : "");
	field(dv, "brief", buf, ROLE_NORMAL);
	snprintf(buf, sizeof buf, "%s%s%s", *c->backend ? c->backend : "-", *c->model ? " / " : "", c->model);
	field_in(dv, "backend", buf, ROLE_NORMAL, HL_BACKEND);
	if (c->has_seed) {
		snprintf(buf, sizeof buf, "%lld", (long long)c->seed);
		field_in(dv, "seed", buf, ROLE_NORMAL, SC_SEED);
	}
	field_in(dv, "parameters", c->params, ROLE_NORMAL, HL_PARAMS);
	field_in(dv, "prompt", *c->prompt ? c->prompt : dv->rev.f.prompt, ROLE_NORMAL, HL_TEXT);
	if (*c->negative || (dv->rev.f.negative && *dv->rev.f.negative))
		field_in(dv, "negative", *c->negative ? c->negative : dv->rev.f.negative, ROLE_NORMAL, HL_TEXT);
	if (*c->source)
		field_in(dv, "source", c->source, ROLE_NORMAL, HL_SOURCE);
	if (c->job_id) {
		snprintf(buf, sizeof buf, "#%lld", (long long)c->job_id);
		field(dv, "job", buf, ROLE_NORMAL);
	}
	util_iso8601(c->created, when);
	field(dv, "created", when, ROLE_NORMAL);

	if (c->asset_id) {
		section(dv, "File");
		nf = preview_facts(c, &facts);
		for (i = 0; i < nf; i++)
			if (strcmp(facts[i].label, "backend") && strcmp(facts[i].label, "seed") &&
			    strcmp(facts[i].label, "created"))
				field(dv, facts[i].label, facts[i].value,
				      c->asset_state && strcmp(facts[i].label, "file") == 0 ? ROLE_ERROR : ROLE_NORMAL);
		preview_facts_free(facts, nf);
	}
	if (c->body) {
		struct draw_lines wl;
		section(dv, "Text");
		wrap(dv, c->body, width - 2 > 10 ? width - 2 : 10, HL_TEXT, &wl);
		for (i = 0; i < wl.n; i++)
			add_marked(dv, ROLE_NORMAL, NULL, wl.v[i]);
		draw_lines_free(&wl);
	} else if (c->modality == LB_TEXT && c->path) {
		text_file_head(dv, c, width);
	}

	section(dv, "Lineage");
	if (!dv->has_parent && dv->children.n == 0)
		add(dv, ROLE_DIM, NULL, "no parent, no children", 0);
	if (dv->has_parent)
		cand_link(dv, "parent", &dv->parent);
	for (i = 0; i < dv->children.n; i++)
		cand_link(dv, i == 0 ? "children" : "", &dv->children.v[i]);
}

/* ------------------------------------------------------------ the list of lines */

static size_t d_count(void *ctx)
{
	return ((struct dview *)ctx)->n;
}

static int64_t d_row_id(void *ctx, size_t i)
{
	(void)ctx;
	return (int64_t)i + 1;
}

static int d_match(void *ctx, size_t i, const char *words)
{
	const struct dline *l = &((struct dview *)ctx)->lines[i];
	char *s = xasprintf("%s %s", l->label ? l->label : "", l->text), *p, *q;
	int m;

	for (p = q = s; *p; p++) /* without the marks of matches */
		if (!l->marked || (*p != UTIL_MARK_ON && *p != UTIL_MARK_OFF))
			*q++ = *p;
	*q = '\0';
	m = text_matches(s, words);

	free(s);
	return m;
}

static void d_draw(void *ctx, size_t i, int y, int x, int w, unsigned flags)
{
	struct dview *dv = ctx;
	const struct dline *l = &dv->lines[i];
	int cx = x + 1;

	if (flags & LIST_CURSOR) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	if (l->label) {
		draw_text(y, cx + 1, dv->labelw, ROLE_LABEL, l->label);
		cx += dv->labelw + 2;
	}
	if (l->marked)
		draw_text_hl(y, cx, x + w - cx, l->role, l->text);
	else
		draw_text(y, cx, x + w - cx, l->role, l->text);
	draw_override(-1);
}

static void d_reload(struct view *v, int mode)
{
	struct dview *dv = dv_of(v);

	(void)mode;
	load(dv);
	if (dv->width)
		lay_out(dv, dv->width);
	list_reload(&dv->list, 1);
}

static void d_draw_view(struct view *v, struct rect r)
{
	struct dview *dv = dv_of(v);
	struct rect pr;
	int w = r.w;

	if (dv->preview && r.w >= 60)
		w = r.w - (r.w * 2 / 5 > 28 ? r.w * 2 / 5 : 28);
	if (w != dv->width) {
		int64_t line = list_current_id(&dv->list);
		lay_out(dv, w);
		list_open_at(&dv->list, line > 0 && (size_t)line <= dv->n ? line : 1);
	}
	list_draw(&dv->list, r.y, r.x, r.h, w);
	if (w < r.w && dv->ok) {
		draw_vline(r.y, r.x + w, r.h, ROLE_SEP);
		pr.y = r.y;
		pr.x = r.x + w + 1;
		pr.h = r.h;
		pr.w = r.w - w - 1;
		v->ui->preview->ops->draw(v->ui->preview, &dv->c, pr, dv->pscroll);
	}
}

static void d_crumb(struct view *v, struct sbuf *out)
{
	sb_addf(out, "#%lld", (long long)dv_of(v)->id);
}

static void d_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct dview *dv = dv_of(v);
	char pos[64];

	if (dv->list.search)
		sb_addf(left, "  /%s", dv->list.search);
	if (tui_advance(v->ui))
		sb_adds(left, "  advance");
	list_pos_text(&dv->list, pos, sizeof pos);
	sb_addf(right, "line %s", pos);
}

static int64_t d_current(struct view *v)
{
	return dv_of(v)->ok ? dv_of(v)->id : 0;
}

static void d_changed(struct view *v, int what)
{
	(void)what;
	d_reload(v, RELOAD_OWN);
	tui_stale_below(v->ui);
}

static int d_handle(struct view *v, enum km_action a, const char *arg)
{
	struct dview *dv = dv_of(v);
	const struct dline *l;
	void *row;
	int r;

	r = view_list_action(v, &dv->list, a, arg, 0);
	if (r != R_UNHANDLED)
		return r;
	switch (a) {
	case KM_A_OPEN:
		row = list_current(&dv->list);
		l = row ? &dv->lines[array_row_index(row)] : NULL;
		if (l && l->link)
			tui_push(v->ui, view_detail_new(v->ui, l->link));
		else
			tui_msg(v->ui, "Enter on a parent or child line opens it");
		return R_REDRAW;
	case KM_A_PREVIEW_TOGGLE:
		dv->preview = !dv->preview;
		if (!dv->preview)
			v->ui->preview->ops->hide(v->ui->preview);
		return R_REDRAW;
	case KM_A_SCROLL_PREVIEW_DOWN:
		dv->pscroll += 3;
		return R_REDRAW;
	case KM_A_SCROLL_PREVIEW_UP:
		dv->pscroll = dv->pscroll > 3 ? dv->pscroll - 3 : 0;
		return R_REDRAW;
	default:
		break;
	}
	return cand_action(&dv->ca, a, arg);
}

static void d_close(struct view *v)
{
	struct dview *dv = dv_of(v);

	list_free(&dv->list);
	clear_data(dv);
	free_lines(dv);
	free(dv->lines);
	thl_clear(&dv->hl);
	free(dv->seedw[0]);
	free(dv->query[0]);
	free(dv->query[1]);
	free(dv);
}

static const struct lb_candidate *d_current_cand(struct view *v, int delta)
{
	struct dview *dv = dv_of(v);

	return dv->ok && delta == 0 ? &dv->c : NULL;
}

static const struct view_ops d_ops = {
	.name = "detail",
	.ctx = KM_CTX_DETAIL,
	.draw = d_draw_view,
	.handle = d_handle,
	.reload = d_reload,
	.crumb = d_crumb,
	.status = d_status,
	.close = d_close,
	.current = d_current_cand,
};

struct view *view_detail_new(struct tui *ui, int64_t cand_id)
{
	return view_detail_new_q(ui, cand_id, NULL, NULL);
}

struct view *view_detail_new_q(struct tui *ui, int64_t cand_id, const char *filter, const char *search)
{
	struct dview *dv = xcalloc(1, sizeof *dv);

	dv->v.ops = &d_ops;
	dv->v.ui = ui;
	dv->v.owner = tui_owner(ui);
	dv->id = cand_id;
	dv->query[0] = filter ? xstrdup(filter) : NULL;
	dv->query[1] = search ? xstrdup(search) : NULL;
	dv->ca.v = &dv->v;
	dv->ca.current = d_current;
	dv->ca.changed = d_changed;
	dv->asrc.count = d_count;
	dv->asrc.row_id = d_row_id;
	dv->asrc.match = d_match;
	dv->asrc.draw = d_draw;
	array_src_init(&dv->asrc);
	list_init(&dv->list, &dv->asrc.src, dv);
	load(dv);
	if (!dv->ok) {
		d_close(&dv->v);
		return NULL;
	}
	lay_out(dv, draw_cols());
	list_open(&dv->list);
	return &dv->v;
}
