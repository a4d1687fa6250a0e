/*
 * view-compare.c - two candidates side by side (ratings, tags, facts, the
 * text or prompt, scrolled together) and one key to judge them: left
 * better, right better, a tie, or skip.  Each judgement is stored (who,
 * when, which pair, the verdict; undoable) and the next pair is the one
 * the ranking learns most from (store_compare_next), so a brief settles
 * in far fewer judgements than all its pairs.
 *
 * z shows the two pictures side by side instead of the texts; + and -
 * zoom both at once and h/j/k/l pan both while zoomed in (the `zoom`
 * context's keys, looked up first: at fit h and l judge as ever), one
 * viewport in the pictures' own coordinates (viewport.h), so that the
 * same crop of pictures of different sizes shows; flicker (f, F) shows
 * that crop too, and the next pair keeps it.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

struct cmpview {
	struct view v;
	int64_t id[2];
	struct lb_candidate c[2];
	int ok[2];
	struct draw_lines lines[2];
	char *prompt[2]; /* effective prompts (the revision's when the candidate has none of its own) */
	int width;
	int scroll;
	int height;
	int judged;   /* judgements made in this view */
	int saving;   /* a judgement is with the writer: the next pair comes after it */
	double p_left; /* the ranking's prediction for this pair, < 0 unknown */
	int64_t pinned; /* the reference kept on the left (0: none): challengers step past it */
	int flicker;    /* 0: side by side; 1 the left's picture, 2 the right's, in one place */
	int timed;      /* flicker on a timer (v.timer_at, the loop's poll wakes for it) */
	int pictures;   /* z: the two pictures side by side instead of the texts */
	struct viewport vp; /* the part of both pictures shown (kept from pair to pair) */
};

static struct cmpview *mv_of(struct view *v)
{
	return (struct cmpview *)v;
}

static void add_line(struct draw_lines *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

static void add_wrapped(struct draw_lines *l, const char *s, int w)
{
	struct draw_lines wl;
	size_t i;

	draw_wrap(s, w, &wl);
	for (i = 0; i < wl.n; i++)
		add_line(l, wl.v[i]);
	draw_lines_free(&wl);
}

static void lay_out(struct cmpview *mv, int w)
{
	struct fact *f;
	size_t n, i;
	int k;
	char buf[160], stars[32];

	mv->width = w;
	for (k = 0; k < 2; k++) {
		struct draw_lines *l = &mv->lines[k];
		const struct lb_candidate *c = &mv->c[k];
		draw_lines_free(l);
		if (!mv->ok[k]) {
			add_line(l, "(could not be read)");
			continue;
		}
		snprintf(buf, sizeof buf, "mine %s  avg %s%.1f  %s%s", glyph_stars(c->my_stars, stars),
			 c->n_ratings ? "" : "-", c->n_ratings ? c->mean_stars : 0.0,
			 c->my_flag == LB_FLAG_NONE ? "" : lb_flag_name(c->my_flag), c->selected ? " selected" : "");
		add_wrapped(l, buf, w);
		snprintf(buf, sizeof buf, "tags %s", *c->tags ? c->tags : "-");
		add_wrapped(l, buf, w);
		if (mv->ok[1 - k]) { /* what tells them apart, word by word */
			struct sbuf d;
			char *line;

			sb_init(&d);
			compare_words_only(mv->prompt[k], mv->prompt[1 - k], &d);
			if (d.len) {
				line = xasprintf("prompt only here: %s", d.s);
				add_wrapped(l, line, w);
				free(line);
			}
			d.len = 0;
			d.s[0] = '\0';
			compare_words_only(c->params, mv->c[1 - k].params, &d);
			if (d.len) {
				line = xasprintf("params only here: %s", d.s);
				add_wrapped(l, line, w);
				free(line);
			}
			sb_free(&d);
		}
		n = preview_facts(c, &f);
		for (i = 0; i < n; i++) {
			char *line = xasprintf("%-8s %s", f[i].label, f[i].value);
			add_wrapped(l, line, w);
			free(line);
		}
		preview_facts_free(f, n);
		add_line(l, "");
		if (c->body) {
			add_wrapped(l, c->body, w);
		} else if (c->modality == LB_TEXT && c->asset_id) {
			/* A text kept only as a file: its start, like the detail's. */
			int64_t rest;
			char *err, *head = preview_text_head(c, 16384, &rest, &err);
			add_wrapped(l, head ? head : err, w);
			if (head && rest > 0) {
				char size[32], *more;
				human_bytes(rest, size);
				more = xasprintf("... %s more (z in the list pages through it)", size);
				add_wrapped(l, more, w);
				free(more);
			}
			free(head);
			free(err);
		} else if (*c->prompt)
			add_wrapped(l, c->prompt, w);
	}
}

static void load(struct cmpview *mv)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (mv->ok[k])
			lb_candidate_clear(&mv->c[k]);
		mv->ok[k] = store_candidate_get(mv->v.ui->st, mv->id[k], &mv->c[k]) == 0;
		xfree(&mv->prompt[k]);
		if (mv->ok[k] && *mv->c[k].prompt == '\0') {
			struct lb_revision rev;

			if (store_revision_get(mv->v.ui->st, mv->c[k].revision_id, &rev) == 0) {
				mv->prompt[k] = xstrdup(rev.f.prompt);
				lb_revision_clear(&rev);
			}
		}
		if (mv->prompt[k] == NULL)
			mv->prompt[k] = xstrdup(mv->ok[k] ? mv->c[k].prompt : "");
	}
	mv->width = 0;
}

static void stop_timer(struct cmpview *mv)
{
	mv->timed = 0;
	mv->v.timer_at = 0;
}

static void m_draw(struct view *v, struct rect r)
{
	struct cmpview *mv = mv_of(v);
	int half = (r.w - 1) / 2, k, i, x, y;
	char head[96];

	if (mv->flicker && mv->ok[mv->flicker - 1]) {
		/* flicker: one picture in the whole body, the other in its
		 * place at the next key, so what differs moves */
		struct rect pr = { r.y + 1, r.x, r.h - 1, r.w };

		k = mv->flicker - 1;
		if (mv->timed)
			snprintf(head, sizeof head, " %s #%lld  flicker every %lld ms: F stop, Esc both",
				 k == 0 ? "left" : "right", (long long)mv->id[k],
				 km_opt_int(v->ui->opt, KM_O_FLICKER_INTERVAL));
		else
			snprintf(head, sizeof head, " %s #%lld  flicker: f the other, Esc both",
				 k == 0 ? "left" : "right", (long long)mv->id[k]);
		draw_fill(r.y, r.x, r.w, ROLE_HEADER);
		draw_text(r.y, r.x, r.w, ROLE_HEADER, head);
		preview_draw_zoomed(v->ui->preview, &mv->c[k], pr, 0, &mv->vp);
		return;
	}
	if (mv->pictures) {
		/* both pictures, the same part of each */
		for (k = 0; k < 2; k++) {
			struct rect pr = { r.y + 1, r.x + k * (half + 1), r.h - 1, k ? r.w - half - 1 : half };
			snprintf(head, sizeof head, " %s #%lld%s", k == 0 ? "left" : "right", (long long)mv->id[k],
				 k == 0 && mv->pinned == mv->id[0] ? " (pinned)" : "");
			draw_fill(r.y, pr.x, pr.w, ROLE_HEADER);
			draw_text(r.y, pr.x, pr.w, ROLE_HEADER, head);
			if (mv->ok[k])
				preview_draw_zoomed(v->ui->preview, &mv->c[k], pr, 0, &mv->vp);
		}
		draw_vline(r.y, r.x + half, r.h, ROLE_SEP);
		return;
	}
	v->ui->preview->ops->hide(v->ui->preview);
	if (half != mv->width)
		lay_out(mv, half - 1);
	mv->height = r.h - 1;
	for (k = 0; k < 2; k++) {
		x = r.x + k * (half + 1);
		snprintf(head, sizeof head, " %s #%lld", k == 0 ? "left" : "right", (long long)mv->id[k]);
		draw_fill(r.y, x, half, ROLE_HEADER);
		draw_text(r.y, x, half, ROLE_HEADER, head);
		for (i = mv->scroll, y = r.y + 1; i < (int)mv->lines[k].n && y < r.y + r.h; i++, y++)
			draw_text(y, x + 1, half - 1, ROLE_NORMAL, mv->lines[k].v[i]);
	}
	draw_vline(r.y, r.x + half, r.h, ROLE_SEP);
}

/* With a pinned reference: the brief's next candidate after the current
 * challenger (by id, wrapping round), other than the reference; 0 when
 * there is none. */
static int64_t next_challenger(struct cmpview *mv)
{
	struct lb_filter f;
	struct lb_candidate_list page = { NULL, 0 };
	struct lb_key key = { 0, mv->id[1] };
	int64_t id = 0;
	size_t i;
	int round;

	memset(&f, 0, sizeof f);
	f.brief_id = mv->v.brief_id;
	for (round = 0; round < 2 && id == 0; round++) {
		if (store_candidate_page(mv->v.ui->st, &f, LB_SORT_OLDEST, round ? NULL : &key, 0, 2, &page) != 0)
			return 0;
		for (i = 0; i < page.n; i++)
			if (id == 0 && page.v[i].id != mv->pinned && page.v[i].id != mv->id[1])
				id = page.v[i].id;
		lb_candidate_list_free(&page);
	}
	return id;
}

/* The writer saved the judgement (or could not): the next pair worth
 * judging is read now that the ranking has it. */
static void judged(struct view *v, const struct wr_op *op)
{
	struct cmpview *mv = mv_of(v);
	struct tui *ui = v->ui;
	struct lb_pair next;
	int rc;

	mv->saving = 0;
	ui->dirty |= R_REDRAW;
	if (op->rc)
		return; /* said by the writer; the pair stays to be judged again */
	mv->judged++;
	tui_stale_below(ui);
	if (mv->pinned && (next.right_id = next_challenger(mv)) != 0) {
		tui_msg(ui, "%s: judged #%lld vs #%lld (u undoes); next challenger against #%lld",
			lb_verdict_name(op->value), (long long)op->ids[0], (long long)op->ids[1],
			(long long)mv->pinned);
		mv->id[0] = mv->pinned;
		mv->id[1] = next.right_id;
		mv->p_left = -1;
		mv->scroll = 0;
		load(mv);
		return;
	}
	rc = store_compare_next(ui->st, mv->v.brief_id, &next);
	if (rc == STORE_EEMPTY) {
		tui_msg(ui, "%s: judged; no more pairs to compare in this brief (q goes back)",
			lb_verdict_name(op->value));
		return;
	}
	if (rc != 0) {
		tui_store_error(ui, "choosing the next pair");
		return;
	}
	tui_msg(ui, "%s: judged #%lld vs #%lld (u undoes); next pair", lb_verdict_name(op->value),
		(long long)op->ids[0], (long long)op->ids[1]);
	mv->id[0] = next.left_id;
	mv->id[1] = next.right_id;
	mv->p_left = next.p_left;
	mv->scroll = 0;
	load(mv);
}

/* Hands the verdict to the writer; the next pair is shown once it is
 * saved (judged), normally within a frame. */
static int judge(struct cmpview *mv, int verdict)
{
	struct tui *ui = mv->v.ui;
	struct wr_op *op;
	char label[48];

	if (mv->saving) {
		tui_msg(ui, "the judgement is being saved; the next pair comes then");
		return R_REDRAW;
	}
	snprintf(label, sizeof label, "judge %s", lb_verdict_name(verdict));
	op = wr_op_new(WR_COMPARE, label);
	op->value = verdict;
	wr_op_add_id(op, mv->id[0]);
	wr_op_add_id(op, mv->id[1]);
	op->on_done = judged;
	op->owner = mv->v.owner;
	mv->saving = 1;
	wr_submit(ui, op);
	return R_REDRAW;
}

static int m_handle(struct view *v, enum km_action a, const char *arg)
{
	struct cmpview *mv = mv_of(v);
	int most = (int)(mv->lines[0].n > mv->lines[1].n ? mv->lines[0].n : mv->lines[1].n);
	int h = mv->height > 1 ? mv->height : 1;

	(void)arg;
	if (viewport_is_action(a)) {
		if (!mv->flicker)
			mv->pictures = 1; /* zooming is about the pictures: show them */
		return viewport_action(&mv->vp, v->ui, a);
	}
	switch (a) {
	case KM_A_COMPARE_LEFT:
		return judge(mv, LB_VERDICT_LEFT);
	case KM_A_COMPARE_RIGHT:
		return judge(mv, LB_VERDICT_RIGHT);
	case KM_A_COMPARE_TIE:
		return judge(mv, LB_VERDICT_TIE);
	case KM_A_COMPARE_SKIP:
		return judge(mv, LB_VERDICT_SKIP);
	case KM_A_COMPARE_FLICKER:
		mv->flicker = mv->flicker == 1 ? 2 : 1;
		stop_timer(mv); /* by hand now */
		return R_REDRAW;
	case KM_A_COMPARE_FLICKER_TIMER:
		if (mv->timed) {
			stop_timer(mv); /* the picture shown stays */
			return R_REDRAW;
		}
		if (!mv->flicker)
			mv->flicker = 1;
		mv->timed = 1;
		v->timer_at = util_mono_ms() + (double)km_opt_int(v->ui->opt, KM_O_FLICKER_INTERVAL);
		return R_REDRAW;
	case KM_A_BACK:
		if (!mv->flicker && !mv->pictures)
			return R_UNHANDLED;
		if (mv->flicker)
			mv->flicker = 0; /* back to both, side by side */
		else
			mv->pictures = 0; /* back to the texts */
		stop_timer(mv);
		return R_REDRAW;
	case KM_A_ZOOM:
		if (mv->flicker) {
			mv->flicker = 0; /* to both pictures, side by side */
			stop_timer(mv);
			mv->pictures = 1;
		} else {
			mv->pictures = !mv->pictures;
		}
		return R_REDRAW;
	case KM_A_COMPARE_PIN:
		mv->pinned = mv->pinned ? 0 : mv->id[0];
		if (mv->pinned)
			tui_msg(v->ui, "#%lld pinned on the left: each challenger comes against it (again: unpin)",
				(long long)mv->pinned);
		else
			tui_msg(v->ui, "unpinned: the next pair is the one the ranking learns most from");
		return R_REDRAW;
	case KM_A_MOVE_DOWN:
	case KM_A_SCROLL_PREVIEW_DOWN:
		mv->scroll++;
		break;
	case KM_A_MOVE_UP:
	case KM_A_SCROLL_PREVIEW_UP:
		mv->scroll--;
		break;
	case KM_A_PAGE_DOWN:
		mv->scroll += h;
		break;
	case KM_A_PAGE_UP:
		mv->scroll -= h;
		break;
	case KM_A_HALF_PAGE_DOWN:
		mv->scroll += h / 2;
		break;
	case KM_A_HALF_PAGE_UP:
		mv->scroll -= h / 2;
		break;
	case KM_A_MOVE_TOP:
		mv->scroll = 0;
		break;
	case KM_A_MOVE_BOTTOM:
		mv->scroll = most - h;
		break;
	default:
		return R_UNHANDLED;
	}
	if (mv->scroll > most - h)
		mv->scroll = most - h;
	if (mv->scroll < 0)
		mv->scroll = 0;
	return R_REDRAW;
}

static void m_reload(struct view *v, int mode)
{
	(void)mode;
	load(mv_of(v));
}

static void m_crumb(struct view *v, struct sbuf *out)
{
	struct cmpview *mv = mv_of(v);

	sb_addf(out, "#%lld%s vs #%lld", (long long)mv->id[0], mv->pinned == mv->id[0] ? " (pinned)" : "",
		(long long)mv->id[1]);
}

/* " h left": the first key bound to the action here, from the keymap. */
static void hint(struct view *v, struct sbuf *out, enum km_action a, const char *what)
{
	char *keys = km_keys_string(v->ui->km, KM_CTX_COMPARE, a);
	size_t n = strcspn(keys, " ");

	if (n)
		sb_addf(out, " %.*s %s", (int)n, keys, what);
	free(keys);
}

static void m_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct cmpview *mv = mv_of(v);

	sb_adds(left, "  which is better?");
	hint(v, left, KM_A_COMPARE_LEFT, "left");
	hint(v, left, KM_A_COMPARE_RIGHT, "right");
	hint(v, left, KM_A_COMPARE_TIE, "tie");
	hint(v, left, KM_A_COMPARE_SKIP, "skip");
	hint(v, left, KM_A_ZOOM, mv->pictures ? "texts" : "pictures");
	if (mv->judged)
		sb_addf(left, "  (%d judged)", mv->judged);
	if (mv->saving)
		sb_adds(left, "  saving...");
	if (mv->p_left >= 0)
		sb_addf(right, "predicted left %.0f%%  ", mv->p_left * 100);
	if (mv->pictures || mv->flicker)
		viewport_describe(&mv->vp, right);
	else
		sb_addf(right, "line %d", mv->scroll + 1);
}

/* The `zoom` context's keys: pan and fit only while zoomed in on pictures
 * shown (else h and l judge, = is a tie, j scrolls); no other key of
 * that context (J stays view-jobs here). */
static int m_takes(struct view *v, enum km_action a)
{
	struct cmpview *mv = mv_of(v);

	if (!viewport_is_action(a) ||
	    (!mv->pictures && !mv->flicker && a != KM_A_ZOOM_IN && a != KM_A_ZOOM_OUT))
		return 0;
	return viewport_takes(&mv->vp, a);
}

static void m_close(struct view *v)
{
	struct cmpview *mv = mv_of(v);
	int k;

	for (k = 0; k < 2; k++) {
		if (mv->ok[k])
			lb_candidate_clear(&mv->c[k]);
		draw_lines_free(&mv->lines[k]);
		free(mv->prompt[k]);
	}
	free(mv);
}

/* The flicker timer's tick: the other picture in the same place, and
 * the next tick one interval from now (a late tick does not hurry the
 * next: each picture stays at least the interval). */
static int m_tick(struct view *v)
{
	struct cmpview *mv = mv_of(v);

	if (!mv->timed || !mv->flicker)
		return R_NONE;
	mv->flicker = mv->flicker == 1 ? 2 : 1;
	v->timer_at = util_mono_ms() + (double)km_opt_int(v->ui->opt, KM_O_FLICKER_INTERVAL);
	return R_REDRAW;
}

static const struct view_ops m_ops = {
	.name = "compare",
	.ctx = KM_CTX_COMPARE,
	.draw = m_draw,
	.handle = m_handle,
	.reload = m_reload,
	.crumb = m_crumb,
	.status = m_status,
	.close = m_close,
	.tick = m_tick,
	.keys_first = KM_CTX_ZOOM,
	.takes = m_takes,
};

struct view *view_compare_new(struct tui *ui, int64_t left, int64_t right)
{
	struct cmpview *mv = xcalloc(1, sizeof *mv);

	mv->v.ops = &m_ops;
	mv->v.ui = ui;
	mv->v.owner = tui_owner(ui);
	mv->v.project_id = tui_project_id(ui);
	mv->v.brief_id = tui_brief_id(ui);
	mv->id[0] = left;
	mv->id[1] = right;
	mv->p_left = -1;
	viewport_fit(&mv->vp);
	load(mv);
	return &mv->v;
}
