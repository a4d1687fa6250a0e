/*
 * view-projects.c - the project list, the first view: name, how many
 * briefs, candidates and selections, age, description.  Names show at
 * once; the counts come from the worker thread (counting a project of a
 * million candidates takes longer than a frame).
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

enum { SORT_OLDEST, SORT_NEWEST, SORT_NAME };
static const char *const sort_names[] = { "oldest", "newest", "name", NULL };

struct pview {
	struct view v;
	struct array_src asrc;
	struct list list;
	struct lb_project_list projects;
	int sort;
	uint64_t gen;      /* bumped per reload: stale counts are dropped */
	int counts_asked;
	int namew;
	int64_t now;
};

static struct pview *pv_of(struct view *v)
{
	return (struct pview *)v;
}

/* ------------------------------------------------------------ the array */

static size_t p_count(void *ctx)
{
	return ((struct pview *)ctx)->projects.n;
}

static int64_t p_row_id(void *ctx, size_t i)
{
	return ((struct pview *)ctx)->projects.v[i].id;
}

static int p_match(void *ctx, size_t i, const char *words)
{
	const struct lb_project *p = &((struct pview *)ctx)->projects.v[i];
	char *s = xasprintf("%s %s %s", p->name, p->slug, p->description);
	int m = text_matches(s, words);

	free(s);
	return m;
}

static void p_draw(void *ctx, size_t i, int y, int x, int w, unsigned flags)
{
	struct pview *pv = ctx;
	const struct lb_project *p = &pv->projects.v[i];
	char age[16];
	int cx = x + 1, end = x + w;

	if (flags & LIST_CURSOR) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	draw_text(y, cx, pv->namew, p->archived ? ROLE_DIM : ROLE_NORMAL, p->name);
	cx += pv->namew + 1;
	draw_count(y, cx, 6, p->n_briefs);
	cx += 7;
	draw_count(y, cx, 10, p->n_candidates);
	cx += 11;
	draw_count(y, cx, 8, p->n_selected);
	cx += 9;
	util_age(p->created, pv->now, age);
	draw_text_right(y, cx, 7, ROLE_DIM, age);
	cx += 9;
	if (cx < end)
		draw_text(y, cx, end - cx, ROLE_DIM, p->archived ? "(archived)" : p->description);
	draw_override(-1);
}

static int cmp_oldest(const void *a, const void *b)
{
	const struct lb_project *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_newest(const void *a, const void *b)
{
	return cmp_oldest(b, a);
}

static int cmp_name(const void *a, const void *b)
{
	const struct lb_project *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : cmp_oldest(a, b);
}

static void sort_array(struct pview *pv)
{
	int (*cmp)(const void *, const void *) = pv->sort == SORT_NEWEST ? cmp_newest
						  : pv->sort == SORT_NAME ? cmp_name
									  : cmp_oldest;

	if (pv->projects.n > 1)
		qsort(pv->projects.v, pv->projects.n, sizeof *pv->projects.v, cmp);
}

/* ------------------------------------------------------------ counts */

static void pcount_read(struct store *st, int64_t id, int64_t out[BG_COUNTS_MAX])
{
	struct lb_project p;

	if (store_project_get(st, id, &p) != 0)
		return;
	out[0] = p.n_briefs;
	out[1] = p.n_candidates;
	out[2] = p.n_selected;
	lb_project_clear(&p);
}

static void pcount_apply(void *ctx, int64_t id, const int64_t c[BG_COUNTS_MAX])
{
	struct pview *pv = ctx;
	size_t j;

	for (j = 0; j < pv->projects.n; j++) {
		if (pv->projects.v[j].id == id) {
			pv->projects.v[j].n_briefs = c[0];
			pv->projects.v[j].n_candidates = c[1];
			pv->projects.v[j].n_selected = c[2];
		}
	}
}

static void ask_counts(struct pview *pv)
{
	int64_t *ids;
	size_t i;

	if (pv->counts_asked || pv->projects.n == 0)
		return;
	pv->counts_asked = 1;
	ids = xmalloc(pv->projects.n * sizeof *ids);
	for (i = 0; i < pv->projects.n; i++)
		ids[i] = pv->projects.v[i].id;
	bg_counts(pv->v.ui->bg, pv->v.owner, ids, pv->projects.n, pcount_read, pcount_apply, pv, &pv->gen);
	free(ids);
}

/* ------------------------------------------------------------ the view */

static void load(struct pview *pv)
{
	struct lb_project_list fresh;
	size_t i, j;

	if (store_project_list_light(pv->v.ui->st, 1, &fresh) != 0) {
		tui_store_error(pv->v.ui, "listing projects");
		return;
	}
	/* Keep the counts we had until new ones arrive. */
	for (i = 0; i < fresh.n; i++) {
		for (j = 0; j < pv->projects.n; j++) {
			if (pv->projects.v[j].id == fresh.v[i].id) {
				fresh.v[i].n_briefs = pv->projects.v[j].n_briefs;
				fresh.v[i].n_candidates = pv->projects.v[j].n_candidates;
				fresh.v[i].n_selected = pv->projects.v[j].n_selected;
			}
		}
	}
	lb_project_list_free(&pv->projects);
	pv->projects = fresh;
	sort_array(pv);
	pv->gen++;
	pv->counts_asked = 0;
}

static void p_reload(struct view *v, int mode)
{
	struct pview *pv = pv_of(v);

	load(pv);
	if (mode == RELOAD_REOPEN)
		list_open(&pv->list);
	else
		list_reload(&pv->list, 0);
}

static void p_draw_view(struct view *v, struct rect r)
{
	struct pview *pv = pv_of(v);
	size_t i;
	int w;

	pv->now = util_now();
	pv->namew = 12;
	for (i = 0; i < pv->projects.n; i++) {
		w = draw_width(pv->projects.v[i].name);
		if (w > pv->namew)
			pv->namew = w;
	}
	if (pv->namew > r.w / 3)
		pv->namew = r.w / 3;
	draw_fill(r.y, r.x, r.w, ROLE_HEADER);
	draw_text(r.y, r.x + 1, pv->namew, ROLE_HEADER, "project");
	w = r.x + 1 + pv->namew + 1;
	draw_text_right(r.y, w, 6, ROLE_HEADER, "briefs");
	draw_text_right(r.y, w + 7, 10, ROLE_HEADER, "candidates");
	draw_text_right(r.y, w + 18, 8, ROLE_HEADER, "selected");
	draw_text_right(r.y, w + 27, 7, ROLE_HEADER, "created");
	draw_text(r.y, w + 36, r.w - w - 36, ROLE_HEADER, "description");
	if (pv->projects.n == 0)
		draw_text(r.y + 2, r.x + 2, r.w - 2, ROLE_DIM,
			  "no projects yet: 'a' adds one (or try 'lightbox demo')");
	else if (pv->list.n == 0)
		draw_text(r.y + 2, r.x + 2, r.w - 2, ROLE_DIM, "no project matches the search (M-/ forgets it)");
	list_draw(&pv->list, r.y + 1, r.x, r.h - 1, r.w);
	ask_counts(pv);
}

static void p_crumb(struct view *v, struct sbuf *out)
{
	(void)v;
	sb_adds(out, "projects");
}

static void p_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct pview *pv = pv_of(v);
	char pos[64];

	if (pv->list.search)
		sb_addf(left, "  /%s", pv->list.search);
	sb_addf(left, "  sort: %s", sort_names[pv->sort]);
	list_pos_text(&pv->list, pos, sizeof pos);
	sb_adds(right, pos);
}

static int64_t current(struct pview *pv)
{
	return list_current_id(&pv->list);
}

static int add_call(struct store *st, struct wr_op *op)
{
	return store_project_add(st, op->text, "", &op->new_id);
}

static void add_saved(struct tui *ui, struct wr_op *op)
{
	char *vis = util_visible_dup(op->text, 0);

	if (op->rc)
		tui_error(ui, "project '%s' not saved: %s; project-add to try again", vis, op->err);
	else
		tui_msg(ui, "project '%s' added: Enter opens it, 'a' there writes its first brief", vis);
	free(vis);
}

/* Saved: the list shows it, under the cursor. */
static void added(struct view *v, const struct wr_op *op)
{
	struct pview *pv = pv_of(v);

	if (op->rc)
		return;
	load(pv);
	list_open_at(&pv->list, op->new_id);
}

static void add_accept(struct tui *ui, void *arg, const char *text)
{
	struct pview *pv = arg;
	struct wr_op *op;
	char *vis;

	if (*text == '\0')
		return;
	/* The writer saves it: the interface never waits for the write lock. */
	op = wr_op_new(WR_CALL, "project-add");
	op->text = xstrdup(text);
	op->call = add_call;
	op->on_saved = add_saved;
	op->on_done = added;
	op->owner = pv->v.owner;
	vis = util_visible_dup(text, 0);
	op->pending = xasprintf("project '%s': saving…", vis);
	tui_msg(ui, "%s", op->pending);
	free(vis);
	wr_submit(ui, op);
}

static int archive_call(struct store *st, struct wr_op *op)
{
	return store_project_archive(st, *(int64_t *)op->ctx, op->value);
}

static void archive_saved(struct tui *ui, struct wr_op *op)
{
	char *vis = util_visible_dup(op->text, 0);

	if (op->rc)
		tui_error(ui, "%s: %s not saved: %s", op->label, vis, op->err);
	else
		tui_msg(ui, "%s %s (u undoes)", op->value ? "archived" : "restored", vis);
	free(vis);
}

static void archived(struct view *v, const struct wr_op *op)
{
	(void)op;
	p_reload(v, RELOAD_OWN);
}

/* A new brief saved: the counts of its project change. */
static void brief_added(struct view *v, const struct wr_op *op)
{
	if (op->rc == 0)
		p_reload(v, RELOAD_OWN);
}

static int p_handle(struct view *v, enum km_action a, const char *arg)
{
	struct pview *pv = pv_of(v);
	struct prompt_spec ps;
	struct lb_project *p;
	struct wr_op *op;
	int64_t id = current(pv);
	char *vis;
	int r;

	r = view_list_action(v, &pv->list, a, arg, 0);
	if (r != R_UNHANDLED)
		return r;
	memset(&ps, 0, sizeof ps);
	switch (a) {
	case KM_A_OPEN:
		if (id)
			tui_push(v->ui, view_briefs_new(v->ui, id));
		return R_REDRAW;
	case KM_A_PROJECT_ADD:
		if (arg) {
			add_accept(v->ui, pv, arg);
			return R_REDRAW;
		}
		ps.label = "new project name: ";
		ps.history = HIST_OTHER;
		ps.accept = add_accept;
		ps.arg = pv;
		prompt_open(v->ui, &ps);
		return R_REDRAW;
	case KM_A_PROJECT_ARCHIVE:
		if (id == 0)
			return R_REDRAW;
		p = list_current(&pv->list) ? &pv->projects.v[array_row_index(list_current(&pv->list))] : NULL;
		if (p == NULL)
			return R_REDRAW;
		/* The writer saves it: the interface never waits for the write lock. */
		op = wr_op_new(WR_CALL, p->archived ? "project-restore" : "project-archive");
		op->ctx = xmalloc(sizeof(int64_t)); /* not ids: those are candidates, shown pending */
		*(int64_t *)op->ctx = id;
		op->value = !p->archived;
		op->text = xstrdup(p->name);
		op->call = archive_call;
		op->on_saved = archive_saved;
		op->on_done = archived;
		op->owner = v->owner;
		vis = util_visible_dup(p->name, 0);
		op->pending = xasprintf("%s %s…", p->archived ? "restoring" : "archiving", vis);
		free(vis);
		wr_submit(v->ui, op);
		return R_REDRAW;
	case KM_A_NOTE:
		return tui_note(v->ui, LB_ON_PROJECT, id, arg, "note on the project: ");
	case KM_A_NOTE_LONG:
		if (id == 0)
			return R_REDRAW;
		return tui_long_note(v->ui, LB_ON_PROJECT, id) & ~R_RELOAD;
	case KM_A_BRIEF_ADD:
		if (id == 0)
			return R_REDRAW;
		r = tui_add_brief(v->ui, id, v, brief_added);
		return r & ~R_RELOAD;
	case KM_A_SORT:
	case KM_A_SORT_REVERSE:
	case KM_A_SORT_BY:
		return view_sort_action(v, a, arg, sort_names, &pv->sort);
	default:
		return R_UNHANDLED;
	}
}

static void p_close(struct view *v)
{
	struct pview *pv = pv_of(v);

	list_free(&pv->list);
	lb_project_list_free(&pv->projects);
	free(pv);
}

static const struct view_ops p_ops = {
	.name = "projects",
	.ctx = KM_CTX_PROJECTS,
	.draw = p_draw_view,
	.handle = p_handle,
	.reload = p_reload,
	.crumb = p_crumb,
	.status = p_status,
	.close = p_close,
};

struct view *view_projects_new(struct tui *ui)
{
	struct pview *pv = xcalloc(1, sizeof *pv);

	pv->v.ops = &p_ops;
	pv->v.ui = ui;
	pv->v.owner = tui_owner(ui);
	pv->asrc.count = p_count;
	pv->asrc.row_id = p_row_id;
	pv->asrc.match = p_match;
	pv->asrc.draw = p_draw;
	array_src_init(&pv->asrc);
	list_init(&pv->list, &pv->asrc.src, pv);
	load(pv);
	list_open(&pv->list);
	return &pv->v;
}
