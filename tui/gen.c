/*
 * gen.c - generation inside the interface: the backends of the config
 * file, the job runner (backends/) in its own thread on its own store
 * connection, and what the user is told about it.  The runner writes a
 * byte into the loop's self-pipe when a job changes; the loop then looks
 * at the store (new candidates appear in an open list) and asks the
 * worker which jobs ended, to say "3 new from job #12" or why one failed,
 * and how many run and wait, for the status line.  Nothing here waits on
 * the network: submitting writes one job row, and the runner does the rest.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

/* Below the interface's thread, as the worker is: the screen wins. */
enum { RUNNER_NICE = 5, NEWS_MAX = 50, MARKED_MAX = 100 };

struct tui_gen {
	struct backend_registry *reg;
	struct runner *runner;
	char *why;           /* why the runner did not start (its error), or NULL */
	int started;         /* tui_gen_start ran */
	int64_t since;       /* jobs ending at or after this (Unix s) are news */
	struct idset told;   /* jobs told that ended in second `since` */
	int64_t queued, running;
	uint64_t owner;      /* of the news tasks */
};

void tui_gen_init(struct tui *ui)
{
	struct tui_gen *g = xcalloc(1, sizeof *g);
	size_t i;

	g->reg = backend_registry_new();
	for (i = 0; i < km_config_nbackends(ui->cfg); i++) {
		const struct km_backend_rec *r = km_config_backend(ui->cfg, i);
		char *err = NULL;

		if (backend_registry_add(g->reg, r->name, r->nkv, r->keys, r->values, r->file, r->line, &err) < 0) {
			tui_msg_add_line(ui, 1, err);
			free(err);
		}
	}
	g->owner = tui_owner(ui);
	g->since = util_now();
	ui->gen = g;
}

const struct backend_registry *tui_gen_registry(struct tui *ui)
{
	return ui->gen->reg;
}

void tui_gen_start(struct tui *ui)
{
	struct tui_gen *g = ui->gen;
	struct runner_options ro;
	char *err = NULL;

	if (g == NULL || g->started)
		return;
	g->started = 1;
	memset(&ro, 0, sizeof ro);
	ro.store_dir = store_name(ui->st);
	ro.curator = store_curator(ui->st);
	ro.reg = g->reg;
	ro.notify_fd = ui->wake[1];
	ro.sync_full = km_opt_choice(ui->opt, KM_O_SYNC) == KM_V_SYNC_FULL;
	ro.nice = RUNNER_NICE;
	/* A name the store refuses can change nothing, a job's results
	 * included: say so at once rather than at the first key. */
	if (store_check_curator(ui->st) != 0) {
		g->why = xstrdup(store_errmsg(ui->st));
		tui_error(ui, "%s", g->why);
	} else if (runner_start(&ro, &g->runner, &err) < 0) {
		g->why = err ? err : xstrdup("unknown error");
		tui_error(ui, "the job runner did not start (%s); jobs stay queued for 'lightbox jobs run'",
			  g->why);
	}
	/* A frame is on the screen: the worker may read the counts now. */
	tui_gen_changed(ui);
	bg_kick(ui->bg);
}

int tui_gen_stop(struct tui *ui, int64_t *queued)
{
	struct tui_gen *g = ui->gen;
	int n = 0;

	if (queued)
		*queued = g ? g->queued : 0;
	if (g == NULL || g->runner == NULL)
		return 0;
	n = runner_active(g->runner);
	runner_stop(&g->runner);
	return n;
}

void tui_gen_free(struct tui *ui)
{
	struct tui_gen *g = ui->gen;

	if (g == NULL)
		return;
	runner_stop(&g->runner);
	if (ui->bg)
		bg_forget(ui->bg, g->owner);
	backend_registry_free(&g->reg);
	idset_clear(&g->told);
	free(g->why);
	free(g);
	ui->gen = NULL;
}

void tui_gen_retried(struct tui *ui, int64_t job_id)
{
	/* Its next end is news even within the second the last one was. */
	if (ui->gen)
		idset_del(&ui->gen->told, job_id);
}

void tui_gen_kick(struct tui *ui)
{
	if (ui->gen && ui->gen->runner)
		runner_kick(ui->gen->runner);
	tui_gen_changed(ui);
}

/* ------------------------------------------------------------ news */

struct news_task {
	struct bg_task t;
	char *curator;
	int64_t since;
	struct lb_job_list jobs;
	int64_t queued, running;
	int ok;
};

static void news_run(struct bg_task *t, struct store *st)
{
	struct news_task *n = (struct news_task *)t;

	n->ok = st && store_job_news(st, n->curator, n->since, NEWS_MAX, &n->jobs, &n->queued, &n->running) == 0;
}

static void news_done(struct bg_task *t, struct tui *ui)
{
	struct news_task *n = (struct news_task *)t;
	struct tui_gen *g = ui->gen;
	struct sbuf ok, bad;
	size_t i;

	if (g == NULL || !n->ok)
		return;
	g->queued = n->queued;
	g->running = n->running;
	sb_init(&ok);
	sb_init(&bad);
	for (i = 0; i < n->jobs.n; i++) {
		const struct lb_job *j = &n->jobs.v[i];

		/* Jobs are in the order they ended: the set only needs the
		 * ones of the latest second (a retried job ends again later). */
		if (j->finished > g->since) {
			g->since = j->finished;
			idset_clear(&g->told);
		}
		if (idset_has(&g->told, j->id))
			continue;
		idset_add(&g->told, j->id);
		if (j->state == LB_JOB_DONE)
			sb_addf(&ok, "%s%d new from job #%lld", ok.len ? ", " : "", j->n_candidates,
				(long long)j->id);
		else
			sb_addf(&bad, "%sjob #%lld (%s) failed: %s", bad.len ? "; " : "", (long long)j->id, j->backend,
				*j->error ? j->error : "no reason given");
	}
	/* A failure wins the line. */
	if (bad.len)
		tui_error(ui, "%s%s%s (J lists the jobs)", bad.s, ok.len ? "; " : "", ok.len ? ok.s : "");
	else if (ok.len)
		tui_msg(ui, "%s", ok.s);
	ui->dirty |= R_REDRAW;
	sb_free(&ok);
	sb_free(&bad);
}

static void news_free(struct bg_task *t)
{
	struct news_task *n = (struct news_task *)t;

	lb_job_list_free(&n->jobs);
	free(n->curator);
	free(n);
}

void tui_gen_changed(struct tui *ui)
{
	struct tui_gen *g = ui->gen;
	struct news_task *n;

	if (g == NULL || ui->bg == NULL)
		return;
	n = xcalloc(1, sizeof *n);
	n->t.run = news_run;
	n->t.done = news_done;
	n->t.free = news_free;
	n->t.owner = g->owner;
	n->t.key = 1;
	n->curator = xstrdup(store_curator(ui->st));
	n->since = g->since;
	bg_submit(ui->bg, &n->t);
}

int64_t tui_gen_running(const struct tui *ui)
{
	return ui->gen ? ui->gen->running : 0;
}

int64_t tui_gen_queued(const struct tui *ui)
{
	return ui->gen ? ui->gen->queued : 0;
}

void tui_gen_status(struct tui *ui, struct sbuf *out)
{
	struct tui_gen *g = ui->gen;
	int unsaved;

	if (g == NULL || (g->running == 0 && g->queued == 0))
		return;
	if (g->running)
		sb_addf(out, "%lld running", (long long)g->running);
	if (g->queued)
		sb_addf(out, "%s%lld queued", g->running ? ", " : "", (long long)g->queued);
	if (g->runner == NULL && g->started)
		sb_addf(out, " (no runner: %s)", g->why ? g->why : "not started");
	if (g->runner && (unsaved = runner_unsaved(g->runner)) > 0)
		sb_addf(out, " (%d result%s waiting for the busy store)", unsaved, unsaved == 1 ? "" : "s");
	sb_adds(out, "  ");
}

/* ------------------------------------------------------------ submitting */

const struct backend *tui_gen_default_backend(struct tui *ui, const struct lb_brief *b, char **why)
{
	const char *opt = km_opt_string(ui->opt, KM_O_DEFAULT_BACKEND), *name = NULL, *whose = NULL;
	const struct backend *be;
	char *vis;

	*why = NULL;
	if (b && b->f.backend && *b->f.backend) {
		name = b->f.backend;
		whose = "the brief's backend";
	} else if (opt && *opt && strcmp(opt, km_opt_default(KM_O_DEFAULT_BACKEND)) != 0) {
		name = opt;
		whose = "set default-backend";
	}
	if (name == NULL)
		return backend_registry_default(ui->gen->reg);
	be = backend_registry_find(ui->gen->reg, name);
	if (be)
		return be;
	vis = util_visible_dup(name, 0);
	*why = xasprintf("%s '%s' is not configured: add 'backend %s type=...' to %s, or choose one with "
			 "regenerate-form (R)",
			 whose, vis, vis, ui->config_path ? ui->config_path : "the config file");
	free(vis);
	return NULL;
}

/* One job to queue, with copies of what it points to. */
struct gen_item {
	int64_t brief_id;
	struct backend_gen g;
	char *backend, *prompt, *negative;
	char **keys, **vals;
};

struct gen_req {
	const struct backend_registry *reg;
	char *what;            /* "regenerate", "reroll"... */
	char *tail;            /* said after "job #12 queued: " */
	struct gen_item *v;
	size_t n, next;        /* next: the first not asked for yet (the writer's) */
	char *revise;          /* a new revision's prompt, written before the jobs */
	int revised;
	int queued, failed;
	int64_t first_job, last_job;
	char *err;             /* the first refusal */
	void (*then)(struct tui *ui, const char *err);
};

struct gen_req *tui_gen_req_new(struct tui *ui, const char *what)
{
	struct gen_req *r = xcalloc(1, sizeof *r);

	r->reg = ui->gen->reg;
	r->what = xstrdup(what);
	return r;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void tui_gen_req_add(struct gen_req *r, int64_t brief_id, const struct backend_gen *g)
{
	struct gen_item *it;
	size_t i;

	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	it = &r->v[r->n++];
	memset(it, 0, sizeof *it);
	it->brief_id = brief_id;
	it->g = *g;
	it->g.backend = it->backend = dup_or_null(g->backend);
	it->g.prompt = it->prompt = dup_or_null(g->prompt);
	it->g.negative = it->negative = dup_or_null(g->negative);
	if (g->nset) {
		it->keys = xcalloc(g->nset, sizeof *it->keys);
		it->vals = xcalloc(g->nset, sizeof *it->vals);
		for (i = 0; i < g->nset; i++) {
			it->keys[i] = xstrdup(g->set_keys[i]);
			it->vals[i] = xstrdup(g->set_values[i]);
		}
	}
	it->g.set_keys = (const char *const *)it->keys;
	it->g.set_values = (const char *const *)it->vals;
}

static void req_refused(struct gen_req *r, int64_t id, const char *err)
{
	r->failed++;
	if (r->err == NULL)
		r->err = id ? xasprintf("#%lld: %s", (long long)id, err) : xstrdup(err);
}

void tui_gen_req_fail(struct gen_req *r, int64_t id, const char *err)
{
	req_refused(r, id, err);
}

void tui_gen_req_revise(struct gen_req *r, const char *prompt)
{
	free(r->revise);
	r->revise = xstrdup(prompt);
}

static void gen_req_free(void *p)
{
	struct gen_req *r = p;
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		struct gen_item *it = &r->v[i];
		for (k = 0; k < it->g.nset; k++) {
			free(it->keys[k]);
			free(it->vals[k]);
		}
		free(it->keys);
		free(it->vals);
		free(it->backend);
		free(it->prompt);
		free(it->negative);
	}
	free(r->v);
	free(r->what);
	free(r->tail);
	free(r->revise);
	free(r->err);
	free(r);
}

/* On the writer's thread: the revision, then each job not asked for yet
 * (a busy store: STORE_EBUSY, and the next try goes on from there). */
static int gen_call(struct store *st, struct wr_op *op)
{
	struct gen_req *r = op->ctx;
	int rc;

	if (r->revise && !r->revised && r->n > 0) {
		struct lb_brief b;
		int changed = 0;

		if (store_brief_get(st, r->v[0].brief_id, &b) != 0)
			return STORE_EIO;
		free(b.f.prompt);
		b.f.prompt = xstrdup(r->revise);
		rc = store_brief_edit(st, r->v[0].brief_id, &b.f, &changed);
		lb_brief_clear(&b);
		if (rc == STORE_EBUSY)
			return rc;
		if (rc != 0) {
			op->err = xasprintf("the new revision was not saved: %s", store_errmsg(st));
			return rc;
		}
		r->revised = 1;
	}
	while (r->next < r->n) {
		struct gen_item *it = &r->v[r->next];
		int64_t job = 0;
		char *err = NULL;

		rc = backend_submit(st, r->reg, it->brief_id, &it->g, &job, &err);
		if (rc == STORE_EBUSY) {
			free(err);
			return rc;
		}
		if (rc < 0) {
			req_refused(r, r->n > 1 ? it->g.parent_id : 0, err ? err : "not queued");
		} else {
			if (r->first_job == 0)
				r->first_job = job;
			r->last_job = job;
			r->queued++;
		}
		free(err);
		r->next++;
	}
	return 0;
}

/* On the interface's thread, once the writer is done with it. */
static void gen_saved(struct tui *ui, struct wr_op *op)
{
	struct gen_req *r = op->ctx;

	if (op->rc) {
		tui_error(ui, "%s: not queued: %s", r->what, op->err ? op->err : "?");
		if (r->then)
			r->then(ui, op->err ? op->err : "?");
		return;
	}
	if (r->queued == 0)
		tui_error(ui, "%s: %s", r->what, r->err ? r->err : "nothing to do");
	else if (r->failed)
		tui_error(ui, "%s: %d job%s queued, %d not: %s", r->what, r->queued, r->queued == 1 ? "" : "s",
			  r->failed, r->err);
	else if (r->queued == 1)
		tui_msg(ui, "job #%lld queued: %s (J shows the jobs)", (long long)r->first_job, r->tail);
	else
		tui_msg(ui, "jobs #%lld-#%lld queued: %d %s%s", (long long)r->first_job, (long long)r->last_job,
			r->queued, r->what, r->queued + r->failed >= MARKED_MAX ? " (at most 100 at once)" : "");
	if (r->queued) {
		ui->gen->queued += r->queued;
		tui_gen_kick(ui);
		tui_stale_below(ui);
		ui->dirty |= R_REDRAW;
	}
	if (r->then)
		r->then(ui, r->queued ? NULL : r->err ? r->err : "nothing to do");
}

void tui_gen_req_submit(struct tui *ui, struct gen_req *r, const char *tail,
			void (*then)(struct tui *ui, const char *err))
{
	struct wr_op *op;

	r->tail = xstrdup(tail);
	r->then = then;
	if (r->n == 0) {
		/* Nothing to ask the writer: say why at once. */
		tui_error(ui, "%s: %s", r->what, r->err ? r->err : "nothing to do");
		if (then)
			then(ui, r->err ? r->err : "nothing to do");
		gen_req_free(r);
		return;
	}
	op = wr_op_new(WR_CALL, r->what);
	op->call = gen_call;
	op->on_saved = gen_saved;
	op->ctx = r;
	op->free_ctx = gen_req_free;
	op->pending = xasprintf("%s: job%s queued…", r->what, r->n == 1 ? "" : "s");
	tui_msg(ui, "%s (saved as soon as the store is free)", op->pending);
	wr_submit(ui, op);
}

static const char *modality_noun(int m)
{
	return m == LB_IMAGE ? "image" : m == LB_TEXT ? "text" : m == LB_AUDIO ? "sound" : "video";
}

int tui_regenerate(struct tui *ui, int64_t brief_id)
{
	struct backend_gen g;
	const struct backend *be;
	struct gen_req *r;
	struct lb_brief b;
	char *err = NULL, *tail;

	if (brief_id == 0) {
		tui_msg(ui, "no brief here");
		return R_REDRAW;
	}
	if (store_brief_get_light(ui->st, brief_id, &b) != 0) {
		tui_store_error(ui, "regenerate");
		return R_REDRAW;
	}
	be = tui_gen_default_backend(ui, &b, &err);
	if (be == NULL) {
		tui_error(ui, "regenerate: %s", err);
		free(err);
		lb_brief_clear(&b);
		return R_REDRAW;
	}
	memset(&g, 0, sizeof g);
	g.backend = backend_name(be);
	g.count = (int)km_opt_int(ui->opt, KM_O_REGENERATE_COUNT);
	g.seed_mode = BACKEND_SEED_RANDOM;
	r = tui_gen_req_new(ui, "regenerate");
	tui_gen_req_add(r, brief_id, &g);
	tail = xasprintf("%d %s from %s", g.count, modality_noun(b.f.modality), g.backend);
	tui_gen_req_submit(ui, r, tail, NULL);
	free(tail);
	lb_brief_clear(&b);
	return R_REDRAW;
}

struct reroll {
	struct tui *ui;
	int variations;
	int asked;           /* candidates looked at (at most MARKED_MAX) */
	struct gen_req *req;
};

/* The backend a variation of c uses: the one that made it, else (an
 * imported or edited candidate) the brief's default.  NULL with *why
 * when that one cannot start from a candidate. */
static const char *vary_backend(struct tui *ui, const struct lb_candidate *c, const struct lb_brief *b, char **why)
{
	const struct backend *be = *c->backend ? backend_registry_find(ui->gen->reg, c->backend) : NULL;

	if (be == NULL && (be = tui_gen_default_backend(ui, b, why)) == NULL)
		return NULL;
	if (backend_can_vary(be, c->modality))
		return backend_name(be);
	*why = xasprintf("%s (type %s) cannot start from a %s candidate: it takes no init %s; "
			 "R chooses a backend that can, r rerolls",
			 backend_name(be), backend_type(be), modality_noun(c->modality),
			 c->modality == LB_TEXT ? "text" : c->modality == LB_IMAGE ? "image" : "file");
	return NULL;
}

static int reroll_one(int64_t id, void *arg)
{
	struct reroll *rr = arg;
	struct tui *ui = rr->ui;
	struct backend_gen g;
	struct lb_candidate c;
	struct lb_brief b;
	char *err = NULL;

	rr->asked++;
	if (store_candidate_get(ui->st, id, &c) != 0) {
		tui_gen_req_fail(rr->req, id, store_errmsg(ui->st));
		return rr->asked >= MARKED_MAX;
	}
	memset(&g, 0, sizeof g);
	g.kind = rr->variations ? BACKEND_VARIATION : BACKEND_REROLL;
	g.parent_id = id;
	g.count = rr->variations ? (int)km_opt_int(ui->opt, KM_O_REGENERATE_COUNT) : 1;
	g.seed_mode = BACKEND_SEED_RANDOM;
	if (rr->variations) {
		if (store_brief_get_light(ui->st, c.brief_id, &b) != 0) {
			err = xstrdup(store_errmsg(ui->st));
		} else {
			g.backend = vary_backend(ui, &c, &b, &err); /* the registry's string */
			lb_brief_clear(&b);
		}
	}
	if (err == NULL) {
		tui_gen_req_add(rr->req, c.brief_id, &g);
	} else {
		tui_gen_req_fail(rr->req, id, err);
	}
	free(err);
	lb_candidate_clear(&c);
	return rr->asked >= MARKED_MAX;
}

int tui_reroll(struct tui *ui, struct list *l, int64_t id, int variations)
{
	struct reroll rr;
	const char *what = variations ? "variations" : "reroll";

	memset(&rr, 0, sizeof rr);
	rr.ui = ui;
	rr.variations = variations;
	if (!(l && list_has_marks(l)) && id == 0) {
		tui_msg(ui, "no candidate here");
		return R_REDRAW;
	}
	rr.req = tui_gen_req_new(ui, what);
	if (l && list_has_marks(l))
		list_marked_each(l, reroll_one, &rr);
	else
		reroll_one(id, &rr);
	tui_gen_req_submit(ui, rr.req, variations ? "variations" : "a reroll with a new seed", NULL);
	return R_REDRAW;
}
