/*
 * view-help.c - the keys of the view it was opened from, made from the
 * action table and the current keymap (so rebinding shows here at once):
 * grouped as in actions.def, every action listed, unbound ones too, with
 * its name for `:` and `bind`.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

struct hrow {
	enum km_action action; /* KM_A_NONE for a heading or a blank */
	char *keys;
	char *text;            /* heading text, or the description */
};

struct hview {
	struct view v;
	struct array_src asrc;
	struct list list;
	enum km_context ctx;
	int first;             /* a context looked up before ctx (view ops' keys_first), -1 none */
	char *what;            /* the view's name */
	struct hrow *rows;
	size_t n;
	int keysw, namew;
};

static struct hview *hv_of(struct view *v)
{
	return (struct hview *)v;
}

static void add(struct hview *hv, enum km_action a, const char *keys, const char *text)
{
	hv->rows = xrealloc(hv->rows, (hv->n + 1) * sizeof *hv->rows);
	hv->rows[hv->n].action = a;
	hv->rows[hv->n].keys = xstrdup(keys ? keys : "");
	hv->rows[hv->n].text = xstrdup(text ? text : "");
	hv->n++;
}

static void free_rows(struct hview *hv)
{
	size_t i;

	for (i = 0; i < hv->n; i++) {
		free(hv->rows[i].keys);
		free(hv->rows[i].text);
	}
	free(hv->rows);
	hv->rows = NULL;
	hv->n = 0;
}

static void build(struct hview *hv)
{
	struct km_row *kr = NULL, *fr = NULL;
	size_t n, i, g, nf = 0;
	int w, any;

	free_rows(hv);
	n = km_rows(hv->v.ui->km, hv->ctx, KM_ROWS_OWN | KM_ROWS_GLOBAL, &kr);
	if (hv->first >= 0) {
		/* the zoom's own keys, looked up first: in with the view's */
		nf = km_rows(hv->v.ui->km, (enum km_context)hv->first, KM_ROWS_OWN, &fr);
		kr = xrealloc(kr, (n + nf) * sizeof *kr);
		memcpy(kr + n, fr, nf * sizeof *kr);
		free(fr);
		n += nf;
	}
	hv->keysw = 4;
	hv->namew = 6;
	for (i = 0; i < n; i++) {
		w = draw_width(kr[i].keys);
		if (w > hv->keysw)
			hv->keysw = w;
		w = (int)strlen(km_action_name(kr[i].action));
		if (w > hv->namew)
			hv->namew = w;
	}
	if (hv->keysw > 22)
		hv->keysw = 22;
	for (g = 0; g < KM_NGROUPS; g++) {
		any = 0;
		for (i = 0; i < n; i++) {
			if (km_action_group(kr[i].action) != (enum km_group)g)
				continue;
			if (!any) {
				if (hv->n)
					add(hv, KM_A_NONE, NULL, "");
				add(hv, KM_A_NONE, NULL, km_group_title((enum km_group)g));
				any = 1;
			}
			add(hv, kr[i].action, kr[i].keys, km_action_description(kr[i].action));
		}
	}
	km_rows_free(&kr, n);
}

static size_t h_count(void *ctx)
{
	return ((struct hview *)ctx)->n;
}

static int64_t h_row_id(void *ctx, size_t i)
{
	(void)ctx;
	return (int64_t)i + 1;
}

static int h_match(void *ctx, size_t i, const char *words)
{
	const struct hrow *r = &((struct hview *)ctx)->rows[i];
	char *s = xasprintf("%s %s %s", r->keys, r->action ? km_action_name(r->action) : "", r->text);
	int m = text_matches(s, words);

	free(s);
	return m;
}

static void h_draw(void *ctx, size_t i, int y, int x, int w, unsigned flags)
{
	struct hview *hv = ctx;
	const struct hrow *r = &hv->rows[i];
	int cx = x + 2;

	if (flags & LIST_CURSOR) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	if (r->action == KM_A_NONE) {
		draw_text(y, x + 1, w - 1, ROLE_SECTION, r->text);
		draw_override(-1);
		return;
	}
	if (*r->keys)
		draw_text(y, cx, hv->keysw, ROLE_STARS, r->keys);
	else
		draw_text(y, cx, hv->keysw, ROLE_DIM, "(unbound)");
	cx += hv->keysw + 2;
	draw_text(y, cx, hv->namew, ROLE_LABEL, km_action_name(r->action));
	cx += hv->namew + 2;
	draw_text(y, cx, x + w - cx, ROLE_NORMAL, r->text);
	draw_override(-1);
}

static void h_reload(struct view *v, int mode)
{
	struct hview *hv = hv_of(v);

	build(hv);
	if (mode == RELOAD_REOPEN)
		list_open(&hv->list);
	else
		list_reload(&hv->list, 1);
}

static void h_draw_view(struct view *v, struct rect r)
{
	struct hview *hv = hv_of(v);

	list_draw(&hv->list, r.y, r.x, r.h, r.w);
}

static void h_crumb(struct view *v, struct sbuf *out)
{
	sb_addf(out, "help: %s", hv_of(v)->what);
}

static void h_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct hview *hv = hv_of(v);
	char pos[64];

	if (hv->list.search)
		sb_addf(left, "  /%s", hv->list.search);
	sb_adds(left, "  / searches, q goes back");
	list_pos_text(&hv->list, pos, sizeof pos);
	sb_addf(right, "line %s", pos);
}

static int h_handle(struct view *v, enum km_action a, const char *arg)
{
	return view_list_action(v, &hv_of(v)->list, a, arg, 0);
}

static void h_close(struct view *v)
{
	struct hview *hv = hv_of(v);

	list_free(&hv->list);
	free_rows(hv);
	free(hv->what);
	free(hv);
}

static const struct view_ops h_ops = {
	.name = "help",
	.ctx = KM_CTX_HELP,
	.draw = h_draw_view,
	.handle = h_handle,
	.reload = h_reload,
	.crumb = h_crumb,
	.status = h_status,
	.close = h_close,
};

struct view *view_help_new(struct tui *ui, enum km_context ctx, int first, const char *what)
{
	struct hview *hv = xcalloc(1, sizeof *hv);

	hv->v.ops = &h_ops;
	hv->v.ui = ui;
	hv->v.owner = tui_owner(ui);
	hv->v.project_id = tui_project_id(ui);
	hv->v.brief_id = tui_brief_id(ui);
	hv->ctx = ctx;
	hv->first = first;
	hv->what = xstrdup(what);
	hv->asrc.count = h_count;
	hv->asrc.row_id = h_row_id;
	hv->asrc.match = h_match;
	hv->asrc.draw = h_draw;
	array_src_init(&hv->asrc);
	list_init(&hv->list, &hv->asrc.src, hv);
	build(hv);
	list_open(&hv->list);
	return &hv->v;
}
