/*
 * view-jobs.c - the generation jobs, newest first: state, kind, backend,
 * progress (made of wanted, or a running job's percentage), attempts,
 * elapsed time, age and the last error; under the list, what the job
 * under the cursor asks for and its whole error.  A job waiting to retry
 * shows the time left.  r retries a failed or cancelled job (or a waiting
 * one now), x cancels a queued or running one (or every marked job);
 * the runner is woken at once.  The list follows the runner through the
 * store's change polling; elapsed times tick while jobs run.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

enum { JOBS_MAX = 1000, FOOT_LINES = 5 };

struct jview {
	struct view v;
	struct array_src asrc;
	struct list list;
	struct lb_job_list jobs;
	int *wanted;          /* candidates each job asks for (from its params) */
	int64_t now;
};

/* "42s", "3m04s", "2h05m": seconds left. */
static void span(int64_t s, char *buf, size_t n)
{
	if (s < 60)
		snprintf(buf, n, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
}

/* "12s", "3m04s", "1h02m": how long the job ran (or runs), "-" before it started. */
static void elapsed(const struct lb_job *j, int64_t now, char *buf, size_t n)
{
	int64_t end = j->state == LB_JOB_RUNNING ? now : j->finished, s;

	if (j->started <= 0 || end < j->started || (j->state == LB_JOB_QUEUED)) {
		snprintf(buf, n, "-");
		return;
	}
	s = end - j->started;
	span(s, buf, n);
}

static int waiting(const struct lb_job *j, int64_t now)
{
	return j->state == LB_JOB_QUEUED && j->next_at > now;
}

static struct jview *jv_of(struct view *v)
{
	return (struct jview *)v;
}

static size_t j_count(void *ctx)
{
	return ((struct jview *)ctx)->jobs.n;
}

static int64_t j_row_id(void *ctx, size_t i)
{
	return ((struct jview *)ctx)->jobs.v[i].id;
}

static int j_match(void *ctx, size_t i, const char *words)
{
	const struct lb_job *j = &((struct jview *)ctx)->jobs.v[i];
	char *s = xasprintf("%s %s %s %s %s", lb_job_state_name(j->state), j->kind, j->backend, j->error, j->curator);
	int m = text_matches(s, words);

	free(s);
	return m;
}

static enum role state_role(int state)
{
	switch (state) {
	case LB_JOB_FAILED:
		return ROLE_REJECT;
	case LB_JOB_DONE:
		return ROLE_PICK;
	case LB_JOB_RUNNING:
		return ROLE_STARS;
	default:
		return ROLE_DIM;
	}
}

static void j_draw(void *ctx, size_t i, int y, int x, int w, unsigned flags)
{
	struct jview *jv = ctx;
	const struct lb_job *j = &jv->jobs.v[i];
	char buf[48], age[16];
	int cx = x, end = x + w;

	if (flags & LIST_CURSOR) {
		draw_fill(y, x, w, ROLE_CURSOR);
		draw_override(ROLE_CURSOR);
	}
	if (flags & LIST_MARKED)
		draw_text(y, cx, 1, ROLE_MARK, glyph_mark());
	cx += 1;
	snprintf(buf, sizeof buf, "%lld", (long long)j->id);
	draw_text_right(y, cx, 5, ROLE_DIM, buf);
	cx += 6;
	if (waiting(j, jv->now)) {
		char left[16];

		span(j->next_at - jv->now, left, sizeof left);
		snprintf(buf, sizeof buf, "wait %s", left);
		draw_text(y, cx, 10, ROLE_DIM, buf);
	} else {
		draw_text(y, cx, 10, state_role(j->state), lb_job_state_name(j->state));
	}
	cx += 11;
	draw_text(y, cx, 9, ROLE_NORMAL, j->kind);
	cx += 10;
	draw_text(y, cx, 10, ROLE_NORMAL, j->backend);
	cx += 11;
	snprintf(buf, sizeof buf, "#%lld", (long long)j->brief_id);
	draw_text_right(y, cx, 5, ROLE_DIM, buf);
	cx += 6;
	if (j->state == LB_JOB_RUNNING && j->progress > 0)
		snprintf(buf, sizeof buf, "%3.0f%%", j->progress * 100);
	else
		snprintf(buf, sizeof buf, "%d/%d", j->n_candidates, jv->wanted[i]);
	draw_text_right(y, cx, 7, ROLE_NORMAL, buf);
	cx += 8;
	snprintf(buf, sizeof buf, "%d", j->attempts);
	draw_text_right(y, cx, 3, ROLE_DIM, buf);
	cx += 4;
	elapsed(j, jv->now, buf, sizeof buf);
	draw_text_right(y, cx, 7, ROLE_NORMAL, buf);
	cx += 8;
	util_age(j->created, jv->now, age);
	draw_text_right(y, cx, 4, ROLE_DIM, age);
	cx += 5;
	if (cx < end)
		draw_text(y, cx, end - cx, ROLE_ERROR, j->error);
	draw_override(-1);
}

static void load(struct jview *jv)
{
	struct lb_job_list fresh;
	size_t i;

	if (store_job_list(jv->v.ui->st, jv->v.brief_id, JOBS_MAX, &fresh) != 0) {
		tui_store_error(jv->v.ui, "listing jobs");
		return;
	}
	lb_job_list_free(&jv->jobs);
	jv->jobs = fresh;
	free(jv->wanted);
	jv->wanted = xcalloc(fresh.n ? fresh.n : 1, sizeof *jv->wanted);
	for (i = 0; i < fresh.n; i++) {
		struct backend_job_info info;

		backend_job_info(&fresh.v[i], &info);
		jv->wanted[i] = info.count;
		backend_job_info_clear(&info);
	}
}

static void j_reload(struct view *v, int mode)
{
	struct jview *jv = jv_of(v);

	load(jv);
	if (mode == RELOAD_REOPEN)
		list_open(&jv->list);
	else
		list_reload(&jv->list, 0);
}

/* What the job under the cursor asks for, and its whole error. */
static void draw_foot(struct jview *jv, int y, int x, int h, int w)
{
	void *row = list_current(&jv->list);
	const struct lb_job *j;
	struct backend_job_info info;
	struct draw_lines lines;
	struct sbuf b;
	size_t k;
	int i = 1;

	draw_hline(y, x, w, ROLE_SEP);
	if (row == NULL)
		return;
	j = &jv->jobs.v[array_row_index(row)];
	backend_job_info(j, &info);
	sb_init(&b);
	sb_addf(&b, "job #%lld: %s with %s, %d wanted, seed %lld (%s)", (long long)j->id, j->kind, j->backend,
		info.count, (long long)info.seed,
		info.seed_mode == BACKEND_SEED_FIXED ? "fixed" : info.seed_mode == BACKEND_SEED_STEP ? "+1 each" : "random");
	if (j->parent_id)
		sb_addf(&b, ", from #%lld", (long long)j->parent_id);
	if (*info.set)
		sb_addf(&b, ", %s", info.set);
	if (info.prompt)
		sb_addf(&b, ", prompt \"%s\"", info.prompt);
	if (waiting(j, jv->now)) {
		char left[16];

		span(j->next_at - jv->now, left, sizeof left);
		sb_addf(&b, "; waiting to retry, %s left (r retries now)", left);
	}
	draw_text(y + 1, x + 1, w - 2, ROLE_NORMAL, b.s);
	sb_free(&b);
	backend_job_info_clear(&info);
	if (j->error == NULL || *j->error == '\0')
		return;
	draw_wrap(j->error, w - 9, &lines);
	draw_text(y + 2, x + 1, 7, ROLE_LABEL, "error");
	for (k = 0; k < lines.n && i + 1 < h; k++, i++)
		draw_text(y + 1 + i, x + 8, w - 9, ROLE_ERROR, lines.v[k]);
	draw_lines_free(&lines);
}

static void j_draw_view(struct view *v, struct rect r)
{
	struct jview *jv = jv_of(v);
	int x = r.x + 1, foot;

	jv->now = util_now();
	draw_fill(r.y, r.x, r.w, ROLE_HEADER);
	draw_text_right(r.y, x, 5, ROLE_HEADER, "job");
	x += 6;
	draw_text(r.y, x, 10, ROLE_HEADER, "state");
	x += 11;
	draw_text(r.y, x, 9, ROLE_HEADER, "kind");
	x += 10;
	draw_text(r.y, x, 10, ROLE_HEADER, "backend");
	x += 11;
	draw_text_right(r.y, x, 5, ROLE_HEADER, "brief");
	x += 6;
	draw_text_right(r.y, x, 7, ROLE_HEADER, "made");
	x += 8;
	draw_text_right(r.y, x, 3, ROLE_HEADER, "try");
	x += 4;
	draw_text_right(r.y, x, 7, ROLE_HEADER, "elapsed");
	x += 8;
	draw_text_right(r.y, x, 4, ROLE_HEADER, "age");
	x += 5;
	draw_text(r.y, x, r.x + r.w - x, ROLE_HEADER, "error");
	if (jv->jobs.n == 0)
		draw_text(r.y + 2, r.x + 2, r.w - 2, ROLE_DIM,
			  "no generation jobs yet: + on a brief or a candidate generates, R chooses how");
	foot = jv->jobs.n && r.h > 12 ? FOOT_LINES : 0;
	list_draw(&jv->list, r.y + 1, r.x, r.h - 1 - foot, r.w);
	if (foot)
		draw_foot(jv, r.y + r.h - foot, r.x, foot, r.w);
}

static void j_crumb(struct view *v, struct sbuf *out)
{
	if (v->brief_id)
		sb_addf(out, "jobs of brief #%lld", (long long)v->brief_id);
	else
		sb_adds(out, "jobs");
}

static void j_status(struct view *v, struct sbuf *left, struct sbuf *right)
{
	struct jview *jv = jv_of(v);
	int64_t marked = list_marked_count(&jv->list);
	char pos[64];

	if (jv->list.search)
		sb_addf(left, "  /%s", jv->list.search);
	if (marked)
		sb_addf(left, "  %lld marked", (long long)marked);
	list_pos_text(&jv->list, pos, sizeof pos);
	sb_adds(right, pos);
}

struct jop {
	struct jview *jv;
	int retry;
	int n;        /* changed */
	int skipped;  /* not in a state the action applies to */
};

static int job_state(const struct jview *jv, int64_t id)
{
	size_t i;

	for (i = 0; i < jv->jobs.n; i++)
		if (jv->jobs.v[i].id == id)
			return jv->jobs.v[i].state;
	return -1;
}

/* Retry takes failed and cancelled jobs, and queued ones waiting to
 * retry (now); cancel, queued and running ones. */
static int job_one(int64_t id, void *arg)
{
	struct jop *op = arg;
	int state = job_state(op->jv, id), rc, wait = 0;
	size_t i;

	for (i = 0; i < op->jv->jobs.n; i++)
		if (op->jv->jobs.v[i].id == id)
			wait = waiting(&op->jv->jobs.v[i], util_now());
	if (op->retry ? state != LB_JOB_FAILED && state != LB_JOB_CANCELLED && !wait
		      : state != LB_JOB_QUEUED && state != LB_JOB_RUNNING) {
		op->skipped++;
		return 0;
	}
	if (op->retry && wait) {
		rc = store_job_retry_now(op->jv->v.ui->st, id);
		op->n += rc == 0;
		return rc;
	}
	rc = op->retry ? store_job_resubmit(op->jv->v.ui->st, id) : store_job_cancel(op->jv->v.ui->st, id);
	if (rc == 0)
		op->n++;
	if (rc == 0 && op->retry)
		tui_gen_retried(op->jv->v.ui, id);
	return rc;
}

static int j_handle(struct view *v, enum km_action a, const char *arg)
{
	struct jview *jv = jv_of(v);
	struct jop op;
	int64_t id = list_current_id(&jv->list);
	int r, rc;

	r = view_list_action(v, &jv->list, a, arg, 1);
	if (r != R_UNHANDLED)
		return r;
	switch (a) {
	case KM_A_JOB_RETRY:
	case KM_A_JOB_CANCEL:
		memset(&op, 0, sizeof op);
		op.jv = jv;
		op.retry = a == KM_A_JOB_RETRY;
		if (list_has_marks(&jv->list))
			rc = list_marked_each(&jv->list, job_one, &op);
		else
			rc = id ? job_one(id, &op) : 0;
		if (rc)
			tui_store_error(v->ui, op.retry ? "job-retry" : "job-cancel");
		else if (op.n == 0 && op.skipped)
			tui_msg(v->ui, "%s takes %s jobs", op.retry ? "job-retry" : "job-cancel",
				op.retry ? "failed, cancelled or waiting" : "queued or running");
		else
			tui_msg(v->ui, "%s %d job%s%s", op.retry ? "queued again" : "cancelled", op.n,
				op.n == 1 ? "" : "s", op.skipped ? " (others were not in a state for it)" : "");
		j_reload(v, RELOAD_OWN);
		if (op.n)
			tui_gen_kick(v->ui);
		return R_REDRAW;
	case KM_A_OPEN:
		if (id == 0)
			return R_REDRAW;
		{
			const struct lb_job *j = &jv->jobs.v[array_row_index(list_current(&jv->list))];
			tui_push(v->ui, view_candidates_new(v->ui, j->brief_id, 0));
		}
		return R_REDRAW;
	default:
		return R_UNHANDLED;
	}
}

static void j_close(struct view *v)
{
	struct jview *jv = jv_of(v);

	list_free(&jv->list);
	lb_job_list_free(&jv->jobs);
	free(jv->wanted);
	free(jv);
}

static const struct view_ops j_ops = {
	.name = "jobs",
	.ctx = KM_CTX_JOBS,
	.draw = j_draw_view,
	.handle = j_handle,
	.reload = j_reload,
	.crumb = j_crumb,
	.status = j_status,
	.close = j_close,
};

struct view *view_jobs_new(struct tui *ui, int64_t brief_id)
{
	struct jview *jv = xcalloc(1, sizeof *jv);

	jv->v.ops = &j_ops;
	jv->v.ui = ui;
	jv->v.owner = tui_owner(ui);
	jv->v.brief_id = brief_id;
	jv->v.project_id = tui_project_id(ui);
	jv->asrc.count = j_count;
	jv->asrc.row_id = j_row_id;
	jv->asrc.match = j_match;
	jv->asrc.draw = j_draw;
	array_src_init(&jv->asrc);
	list_init(&jv->list, &jv->asrc.src, jv);
	load(jv);
	list_open(&jv->list);
	return &jv->v;
}
