/*
 * cmd-gen.c - generation from the command line:
 *   lightbox gen BRIEF [-n N] [--backend B] [--seed S|random|S+] [--set K=V]...
 *   lightbox jobs [ls|show|cancel|retry|run]
 * `gen` queues one job and runs it to completion here (a progress bar on a
 * terminal, plain lines otherwise), exiting 1 when it failed.  Interrupted
 * (Ctrl-C), the job goes back to the queue and resumes at the next run.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backends/backend.h"
#include "util.h"

/* ------------------------------------------------------------ signals */

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int e = errno;

	util_wake(sig_pipe[1], (char)sig);
	errno = e;
}

static void catch_signals(struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;

	if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

static void restore_signals(const struct sigaction *old_int, const struct sigaction *old_term)
{
	sigaction(SIGINT, old_int, NULL);
	sigaction(SIGTERM, old_term, NULL);
}

/* ------------------------------------------------------------ progress */

struct progress {
	int tty;
	int width;
	double t0;
	int drawn;             /* a bar is on the line */
	struct lb_job *last;   /* what was last printed, per job (plain mode) */
	size_t n;
	struct runner *r;      /* to tell results waiting for a busy store */
};

static int term_width(void)
{
	struct winsize ws;

	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

static const char *state_word(const struct lb_job *j)
{
	if (j->state == LB_JOB_QUEUED && j->attempts > 0 && j->error && *j->error)
		return "waiting to retry";
	return lb_job_state_name(j->state);
}

static void draw_bar(struct progress *p, const struct lb_job *jobs, size_t n)
{
	double sum = 0;
	int done = 0, i, filled, barw = 24;
	size_t k;
	struct sbuf line;
	char *clip, *err = NULL;
	int cand = 0;

	for (k = 0; k < n; k++) {
		sum += jobs[k].state == LB_JOB_DONE ? 1 : jobs[k].progress;
		done += jobs[k].state == LB_JOB_DONE || jobs[k].state == LB_JOB_FAILED ||
			jobs[k].state == LB_JOB_CANCELLED;
		cand += jobs[k].n_candidates;
		if (jobs[k].state == LB_JOB_QUEUED && jobs[k].error && *jobs[k].error)
			err = jobs[k].error;
	}
	sum /= (double)(n ? n : 1);
	filled = (int)lround(sum * barw);
	sb_init(&line);
	if (n == 1)
		sb_addf(&line, "job #%lld %s ", (long long)jobs[0].id, jobs[0].backend);
	else
		sb_addf(&line, "%d/%zu jobs ", done, n);
	sb_addc(&line, '[');
	for (i = 0; i < barw; i++)
		sb_adds(&line, i < filled ? "#" : "-");
	sb_addf(&line, "] %3d%%  %s  %.0fs", (int)lround(sum * 100), n == 1 ? state_word(&jobs[0]) : "",
		(util_mono_ms() - p->t0) / 1000);
	if (err) {
		char *vis = util_visible_dup(err, 0);
		sb_addf(&line, "  %s", vis);
		free(vis);
	}
	(void)cand;
	if (p->r && runner_unsaved(p->r) > 0)
		sb_adds(&line, "  saving: the store is busy, retrying");
	clip = util_clip(line.s, p->width - 1);
	fprintf(stderr, "\r\033[K%s", clip);
	fflush(stderr);
	p->drawn = 1;
	free(clip);
	sb_free(&line);
}

static void plain_lines(struct progress *p, const struct lb_job *jobs, size_t n)
{
	size_t k;

	if (p->last == NULL) {
		p->last = xcalloc(n, sizeof *p->last);
		p->n = n;
		for (k = 0; k < n; k++)
			p->last[k].state = -1;
	}
	for (k = 0; k < n; k++) {
		const struct lb_job *j = &jobs[k];
		struct lb_job *l = &p->last[k];
		const char *e = j->error ? j->error : "";

		if (j->state == l->state && j->n_candidates == l->n_candidates && j->attempts == l->attempts &&
		    strcmp(e, l->error ? l->error : "") == 0)
			continue;
		if (j->state == LB_JOB_DONE)
			fprintf(stderr, "job #%lld: done, %d candidate%s\n", (long long)j->id, j->n_candidates,
				j->n_candidates == 1 ? "" : "s");
		else if (*e && j->state != LB_JOB_RUNNING) {
			char *vis = util_visible_dup(e, 0);
			fprintf(stderr, "job #%lld: %s: %s\n", (long long)j->id, state_word(j), vis);
			free(vis);
		} else {
			fprintf(stderr, "job #%lld: %s%s\n", (long long)j->id, state_word(j),
				j->state == LB_JOB_RUNNING && j->attempts > 1 ? " (again)" : "");
		}
		free(l->error);
		l->error = xstrdup(e);
		l->state = j->state;
		l->n_candidates = j->n_candidates;
		l->attempts = j->attempts;
	}
}

static int report(void *ud, const struct lb_job *jobs, size_t n)
{
	struct progress *p = ud;

	if (p->tty)
		draw_bar(p, jobs, n);
	else
		plain_lines(p, jobs, n);
	return 0;
}

static void progress_end(struct progress *p)
{
	size_t k;

	if (p->drawn)
		fputc('\n', stderr);
	for (k = 0; k < p->n; k++)
		free(p->last[k].error);
	free(p->last);
	p->last = NULL;
}

/* only/nonly: the jobs it may run (`gen`: its own), or NULL for all. */
static struct runner *start_runner(struct cli *c, struct backend_registry *reg, const int64_t *only, size_t nonly)
{
	struct runner_options ro = { 0 };
	struct runner *r = NULL;
	char *err = NULL;

	ro.store_dir = store_name(c->st);
	ro.curator = store_curator(c->st);
	ro.reg = reg;
	ro.notify_fd = -1;
	ro.only = only;
	ro.nonly = nonly;
	ro.sync_full = getenv("LIGHTBOX_SYNC") && strcmp(getenv("LIGHTBOX_SYNC"), "full") == 0;
	if (runner_start(&ro, &r, &err) < 0) {
		cli_error(c, "cannot start the job runner: %s", err);
		free(err);
		return NULL;
	}
	return r;
}

/* Waits for the jobs, run by r (which it stops), to end; prints their
 * fate.  CLI_OK when all are done. */
static int run_jobs(struct cli *c, struct runner *r, const int64_t *ids, size_t n, int quiet)
{
	struct progress p = { 0 };
	struct sigaction oi, ot;
	char *err = NULL;
	int rc, failed = 0;
	size_t k;

	p.tty = !quiet && isatty(2) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
	p.width = term_width();
	p.t0 = util_mono_ms();
	p.r = r;
	catch_signals(&oi, &ot);
	rc = runner_wait(r, c->st, ids, n, sig_pipe[0], quiet ? NULL : report, &p, &err);
	restore_signals(&oi, &ot);
	runner_stop(&r);
	progress_end(&p);
	if (rc < 0) {
		cli_error(c, "%s", err);
		free(err);
		return CLI_FAIL;
	}
	if (rc == 1) {
		fprintf(stderr, "lightbox: %s: interrupted; unfinished jobs are back in the queue and resume with "
				"'lightbox jobs run' or in the interface\n",
			c->cmd);
		return CLI_FAIL;
	}
	for (k = 0; k < n; k++) {
		struct lb_job j;

		if (store_job_get(c->st, ids[k], &j) != 0)
			return cli_store_fail(c);
		if (j.state != LB_JOB_DONE) {
			char *vis = util_visible_dup(j.error, 0);
			fprintf(stderr, "lightbox: %s: job #%lld %s: %s\n", c->cmd, (long long)j.id,
				lb_job_state_name(j.state), vis);
			free(vis);
			failed++;
		}
		lb_job_clear(&j);
	}
	/* the new pictures' fingerprints follow in the background, as after an import */
	if (n && cli_fingerprint_later(c) != CLI_OK)
		failed++;
	return failed ? CLI_FAIL : CLI_OK;
}

/* The candidates a job made, oldest first. */
static int job_candidates(struct store *st, const struct lb_job *j, struct lb_candidate_list *out)
{
	struct lb_filter f;
	struct lb_candidate_list page;
	struct lb_key key;
	int have_key = 0, rc = 0;
	size_t i, cap = 0;

	memset(&f, 0, sizeof f);
	memset(&page, 0, sizeof page);
	f.brief_id = j->brief_id;
	out->v = NULL;
	out->n = 0;
	while ((int)out->n < j->n_candidates) {
		rc = store_candidate_page(st, &f, LB_SORT_NEWEST, have_key ? &key : NULL, 0, 200, &page);
		if (rc != 0 || page.n == 0) {
			lb_candidate_list_free(&page);
			break;
		}
		lb_candidate_key(&page.v[page.n - 1], LB_SORT_NEWEST, &key);
		have_key = 1;
		for (i = 0; i < page.n; i++) {
			if (page.v[i].job_id == j->id) {
				if (out->n == cap) {
					cap = cap ? cap * 2 : 8;
					out->v = xrealloc(out->v, cap * sizeof *out->v);
				}
				out->v[out->n++] = page.v[i];
				memset(&page.v[i], 0, sizeof page.v[i]);
			}
		}
		lb_candidate_list_free(&page);
	}
	/* Newest first came in; show them in the order made. */
	for (i = 0; i < out->n / 2; i++) {
		struct lb_candidate t = out->v[i];
		out->v[i] = out->v[out->n - 1 - i];
		out->v[out->n - 1 - i] = t;
	}
	return rc;
}

static void print_candidates(struct cli *c, const int64_t *ids, size_t n, int json)
{
	json_t *arr = json ? json_array() : NULL;
	size_t k, i;

	for (k = 0; k < n; k++) {
		struct lb_job j;
		struct lb_candidate_list l;

		if (store_job_get(c->st, ids[k], &j) != 0)
			continue;
		if (j.state == LB_JOB_DONE && job_candidates(c->st, &j, &l) == 0) {
			for (i = 0; i < l.n; i++) {
				const struct lb_candidate *cd = &l.v[i];
				if (json) {
					json_array_append_new(arr, cli_json_candidate(cd));
					continue;
				}
				printf("#%lld", (long long)cd->id);
				if (cd->has_seed)
					printf("  seed %lld", (long long)cd->seed);
				if (cd->body) {
					char *s = cli_safe(cd->body, 70);
					printf("  text: %s\n", s);
					free(s);
				} else {
					char *s = cli_safe(cd->path, 0);
					printf("  %s", cd->media_type ? cd->media_type : "");
					if (cd->width > 0)
						printf(" %dx%d", cd->width, cd->height);
					if (cd->duration > 0)
						printf(" %.1fs", cd->duration);
					printf("  %s\n", s);
					free(s);
				}
			}
			lb_candidate_list_free(&l);
		}
		lb_job_clear(&j);
	}
	if (json)
		cli_json_print(arr);
}

/* ------------------------------------------------------------ gen */

static const char gen_help[] =
	"Usage: lightbox gen BRIEF [-n N] [--backend NAME] [--seed S|random|S+]\n"
	"                    [--set KEY=VALUE]... [--prompt TEXT] [--negative TEXT]\n"
	"                    [--variation-of CANDIDATE | --reroll CANDIDATE] [--no-wait] [--json]\n"
	"\n"
	"Queues a job that makes N candidates (default 1) for a brief and runs it\n"
	"to completion: a progress bar on a terminal, plain lines otherwise.  The\n"
	"exit status is 1 when it failed.  Ctrl-C puts it back in the queue.\n"
	"\n"
	"  -n, --count N          candidates to make (1-100)\n"
	"  --backend NAME         the backend (default: the brief's, else the default one;\n"
	"                         'lightbox backends' lists them)\n"
	"  --seed S               the same seed S for every candidate\n"
	"  --seed S+              seeds S, S+1, S+2, ...\n"
	"  --seed random          a random seed, +1 for each further candidate (default)\n"
	"  --set KEY=VALUE        a parameter for this job (steps=30, width=768, ...)\n"
	"  --prompt TEXT          a one-off prompt instead of the brief's (no new revision)\n"
	"  --negative TEXT        a one-off negative prompt\n"
	"  --variation-of ID      variations of candidate ID (its brief; BRIEF may be left out)\n"
	"  --reroll ID            candidate ID's backend, prompt and parameters, new seeds\n"
	"  --no-wait              queue the job and return; 'lightbox jobs run' runs it\n"
	"  --json                 print the new candidates as JSON\n";

enum { O_BACKEND = 1000, O_SEED, O_SET, O_VAR, O_REROLL, O_NOWAIT, O_JSON, O_PROMPT, O_NEG };

int cmd_gen(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },   { "backend", required_argument, NULL, O_BACKEND },
		{ "seed", required_argument, NULL, O_SEED }, { "set", required_argument, NULL, O_SET },
		{ "variation-of", required_argument, NULL, O_VAR },
		{ "reroll", required_argument, NULL, O_REROLL },
		{ "no-wait", no_argument, NULL, O_NOWAIT }, { "json", no_argument, NULL, O_JSON },
		{ "prompt", required_argument, NULL, O_PROMPT },
		{ "negative", required_argument, NULL, O_NEG },
		{ 0 },
	};
	struct backend_gen g;
	struct backend_registry *reg = NULL;
	struct runner *r;
	const char **keys = NULL, **vals = NULL;
	char **sets = NULL, *err = NULL;
	int64_t brief = 0, job = 0;
	int o, nowait = 0, json = 0, rc = CLI_USAGE, nerr;
	long long v;
	size_t i;

	if (cli_args(c, &argc, argv, "n:", opts, gen_help))
		return c->status;
	memset(&g, 0, sizeof g);
	g.count = 1;
	optind = 0;
	while ((o = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (util_parse_int(optarg, 1, 100, &v) < 0) {
				cli_usage(c, "-n takes 1 to 100");
				goto out;
			}
			g.count = (int)v;
			break;
		case O_BACKEND: g.backend = optarg; break;
		case O_SEED: {
			size_t l = strlen(optarg);
			char *num = xstrdup(optarg);

			if (strcmp(optarg, "random") == 0) {
				g.seed_mode = BACKEND_SEED_RANDOM;
			} else {
				g.seed_mode = l > 1 && optarg[l - 1] == '+' ? BACKEND_SEED_STEP : BACKEND_SEED_FIXED;
				if (g.seed_mode == BACKEND_SEED_STEP)
					num[l - 1] = '\0';
				if (util_parse_int(num, 0, 4294967295LL, &v) < 0) {
					free(num);
					cli_usage(c, "--seed takes a number 0-4294967295, N+ (N, N+1, ...) or random");
					goto out;
				}
				g.seed = v;
			}
			free(num);
			break;
		}
		case O_SET: {
			const char *eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg) {
				cli_usage(c, "--set takes KEY=VALUE, e.g. --set steps=30");
				goto out;
			}
			sets = xrealloc(sets, (g.nset + 1) * sizeof *sets);
			keys = xrealloc(keys, (g.nset + 1) * sizeof *keys);
			vals = xrealloc(vals, (g.nset + 1) * sizeof *vals);
			sets[g.nset] = xstrndup(optarg, (size_t)(eq - optarg));
			keys[g.nset] = sets[g.nset];
			vals[g.nset] = eq + 1;
			g.nset++;
			break;
		}
		case O_VAR:
		case O_REROLL:
			if (g.kind != BACKEND_GENERATE) {
				cli_usage(c, "give one of --variation-of and --reroll");
				goto out;
			}
			if (cli_id(c, "candidate", optarg, &g.parent_id) < 0)
				goto out;
			g.kind = o == O_VAR ? BACKEND_VARIATION : BACKEND_REROLL;
			break;
		case O_NOWAIT: nowait = 1; break;
		case O_JSON: json = 1; break;
		case O_PROMPT: g.prompt = optarg; break;
		case O_NEG: g.negative = optarg; break;
		default: cli_usage(c, "unknown option"); goto out;
		}
	}
	g.set_keys = keys;
	g.set_values = vals;
	if (optind < argc && cli_id(c, "brief", argv[optind++], &brief) < 0)
		goto out;
	if (optind < argc) {
		cli_usage(c, "unexpected argument; quote values that have spaces");
		goto out;
	}
	rc = CLI_FAIL;
	if (!cli_store(c, 0))
		goto out;
	if (brief == 0 && g.parent_id) {
		struct lb_candidate cd;
		if (store_candidate_get(c->st, g.parent_id, &cd) != 0) {
			rc = cli_store_fail(c);
			goto out;
		}
		brief = cd.brief_id;
		lb_candidate_clear(&cd);
	}
	if (brief == 0) {
		rc = cli_usage(c, "say which brief (its id, as 'lightbox brief ls' prints it)");
		goto out;
	}
	reg = cli_backends_load(c, 0, &nerr, NULL);
	if (backend_submit(c->st, reg, brief, &g, &job, &err) < 0) {
		char *vis = util_visible_dup(err, 0);
		cli_error(c, "%s", vis);
		free(vis);
		goto out;
	}
	if (nowait) {
		printf("job #%lld queued\n", (long long)job);
		rc = CLI_OK;
		goto out;
	}
	r = start_runner(c, reg, &job, 1);
	if (r == NULL)
		goto out;
	rc = run_jobs(c, r, &job, 1, json);
	if (rc == CLI_OK || json)
		print_candidates(c, &job, 1, json);
out:
	for (i = 0; i < g.nset; i++)
		free(sets[i]);
	free(sets);
	free(keys);
	free(vals);
	free(err);
	backend_registry_free(&reg);
	return rc;
}

/* ------------------------------------------------------------ jobs */

static const char jobs_help[] =
	"Usage: lightbox jobs [ls] [--brief BRIEF] [--limit N] [--json]\n"
	"       lightbox jobs show JOB [--json]\n"
	"       lightbox jobs cancel JOB...\n"
	"       lightbox jobs retry JOB...\n"
	"       lightbox jobs run\n"
	"\n"
	"Generation jobs: queued, running, done, failed or cancelled.  They survive\n"
	"restarts.  'cancel' stops a queued or running job (a running one is aborted\n"
	"by whichever lightbox runs it, and its results are dropped); 'retry' queues a\n"
	"failed or cancelled job again, and makes one waiting to retry run now; 'run'\n"
	"runs your queued jobs here until they are all finished (jobs left running by\n"
	"a killed lightbox resume too).\n";

static void age(int64_t t, char buf[16])
{
	if (t <= 0) {
		snprintf(buf, 16, "-");
		return;
	}
	util_age(t, util_now(), buf);
}

/* The options of jobs ls (also for cli_args in cmd_jobs and the dispatch). */
static const struct option jobs_ls_opts[] = { { "brief", required_argument, NULL, 'b' },
					     { "limit", required_argument, NULL, 'l' },
					     { "json", no_argument, NULL, 'j' },
					     { 0 } };

static json_t *job_json(const struct lb_job *j)
{
	json_t *o = json_object(), *p = json_loads(j->params ? j->params : "{}", 0, NULL);
	char t[32];

	json_object_set_new(o, "id", json_integer(j->id));
	json_object_set_new(o, "state", json_string(lb_job_state_name(j->state)));
	json_object_set_new(o, "kind", json_string(j->kind));
	json_object_set_new(o, "backend", json_string(j->backend));
	json_object_set_new(o, "brief_id", json_integer(j->brief_id));
	json_object_set_new(o, "revision_id", json_integer(j->revision_id));
	json_object_set_new(o, "parent_id", j->parent_id ? json_integer(j->parent_id) : json_null());
	json_object_set_new(o, "params", p ? p : json_object());
	json_object_set_new(o, "progress", json_real(j->progress));
	json_object_set_new(o, "attempts", json_integer(j->attempts));
	json_object_set_new(o, "candidates", json_integer(j->n_candidates));
	json_object_set_new(o, "error", json_string(util_utf8_valid(j->error, strlen(j->error)) ? j->error : "?"));
	json_object_set_new(o, "curator", json_string(j->curator));
	util_iso8601(j->created, t);
	json_object_set_new(o, "created", json_string(t));
	if (j->started) {
		util_iso8601(j->started, t);
		json_object_set_new(o, "started", json_string(t));
	}
	if (j->finished) {
		util_iso8601(j->finished, t);
		json_object_set_new(o, "finished", json_string(t));
	}
	if (j->state == LB_JOB_QUEUED && j->next_at > util_now()) {
		util_iso8601(j->next_at, t);
		json_object_set_new(o, "not_before", json_string(t));
	}
	return o;
}

/* Queued jobs wait for a runner; when this user's cannot start (the
 * runners' lock refuses them), say why rather than leave them waiting. */
static void queued_why(struct cli *c, const struct lb_job_list *l, FILE *out)
{
	size_t i, n = 0;
	char *why, *vis;

	for (i = 0; i < l->n; i++)
		n += l->v[i].state == LB_JOB_QUEUED;
	if (n == 0 || (why = runner_blocked(store_dir(c->st))) == NULL)
		return;
	vis = cli_safe(why, 0);
	fprintf(out, "%zu queued job%s cannot start here: no runner can start: %s\n", n, n == 1 ? "" : "s", vis);
	free(vis);
	free(why);
}

static int jobs_ls(struct cli *c, int argc, char **argv)
{
	static const char *const heads[] = { "JOB", "STATE", "BACKEND", "KIND", "BRIEF", "MADE", "PROGRESS", "AGE",
					     "ERROR" };
	struct lb_job_list l;
	int64_t brief = 0;
	long long limit = 30;
	int o, json = 0;
	size_t i;

	optind = 0;
	while ((o = getopt_long(argc, argv, "+", jobs_ls_opts, NULL)) != -1) {
		if (o == 'b' && cli_id(c, "brief", optarg, &brief) == 0)
			;
		else if (o == 'l' && util_parse_int(optarg, 1, 100000, &limit) == 0)
			;
		else if (o == 'j')
			json = 1;
		else
			return cli_usage(c, o == 'l' ? "--limit takes 1 to 100000" : "unknown option");
	}
	if (optind != argc)
		return cli_usage(c, "unexpected argument");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_job_list(c->st, brief, (int)limit, &l) != 0)
		return cli_store_fail(c);
	if (json) {
		json_t *a = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(a, job_json(&l.v[i]));
		cli_json_print(a);
	} else {
		struct cli_table *t = cli_table_new(9, heads, "rlllrrrrl");
		for (i = 0; i < l.n; i++) {
			const struct lb_job *j = &l.v[i];
			char id[24], br[24], made[16], prog[16], ag[16];
			const char *cells[9];

			snprintf(id, sizeof id, "%lld", (long long)j->id);
			snprintf(br, sizeof br, "%lld", (long long)j->brief_id);
			snprintf(made, sizeof made, "%d", j->n_candidates);
			snprintf(prog, sizeof prog, "%d%%", (int)lround(j->progress * 100));
			age(j->created, ag);
			cells[0] = id;
			cells[1] = state_word(j);
			cells[2] = j->backend;
			cells[3] = j->kind;
			cells[4] = br;
			cells[5] = made;
			cells[6] = prog;
			cells[7] = ag;
			cells[8] = j->error;
			cli_table_row(t, cells);
		}
		cli_table_print(t, stdout);
		cli_table_free(&t);
	}
	queued_why(c, &l, json ? stderr : stdout);
	lb_job_list_free(&l);
	return CLI_OK;
}

static int jobs_show(struct cli *c, int argc, char **argv)
{
	struct lb_job j;
	int64_t id;
	int json = argc == 3 && strcmp(argv[2], "--json") == 0;
	char created[32], *s;

	if (argc != 2 + json)
		return cli_usage(c, "give one job id");
	if (cli_id(c, "job", argv[1], &id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_job_get(c->st, id, &j) != 0)
		return cli_store_fail(c);
	if (json) {
		cli_json_print(job_json(&j));
	} else {
		util_iso8601(j.created, created);
		printf("job:        #%lld\n", (long long)j.id);
		printf("state:      %s\n", state_word(&j));
		printf("kind:       %s\n", j.kind);
		s = cli_safe(j.backend, 0);
		printf("backend:    %s\n", s);
		free(s);
		printf("brief:      #%lld (revision id %lld)\n", (long long)j.brief_id, (long long)j.revision_id);
		if (j.parent_id)
			printf("from:       candidate #%lld\n", (long long)j.parent_id);
		s = cli_safe(j.params, 0);
		printf("parameters: %s\n", s);
		free(s);
		printf("progress:   %d%%\n", (int)lround(j.progress * 100));
		printf("attempts:   %d\n", j.attempts);
		printf("made:       %d candidate%s\n", j.n_candidates, j.n_candidates == 1 ? "" : "s");
		s = cli_safe(j.curator, 0);
		printf("by:         %s, %s\n", s, created);
		free(s);
		if (j.state == LB_JOB_QUEUED && j.next_at > util_now())
			printf("not before: %lld s from now\n", (long long)(j.next_at - util_now()));
		if (*j.error) {
			s = cli_safe(j.error, 0);
			printf("error:      %s\n", s);
			free(s);
		}
	}
	lb_job_clear(&j);
	return CLI_OK;
}

static int jobs_change(struct cli *c, int argc, char **argv, int cancel)
{
	int i, failed = 0;

	if (argc < 2)
		return cli_usage(c, "give one or more job ids");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	for (i = 1; i < argc; i++) {
		struct lb_job j;
		int64_t id;

		if (cli_id(c, "job", argv[i], &id) < 0)
			return CLI_USAGE;
		if (store_job_get(c->st, id, &j) != 0) {
			failed += cli_store_fail(c) != 0;
			continue;
		}
		if (cancel && j.state != LB_JOB_QUEUED && j.state != LB_JOB_RUNNING) {
			cli_error(c, "job #%lld is %s: there is nothing to cancel", (long long)id,
				  lb_job_state_name(j.state));
			failed++;
		} else if (!cancel && j.state == LB_JOB_QUEUED && j.next_at > util_now()) {
			if (store_job_retry_now(c->st, id) != 0)
				failed += cli_store_fail(c) != 0;
			else
				printf("job #%lld: retries now instead of in %lld s\n", (long long)id,
				       (long long)(j.next_at - util_now()));
		} else if (!cancel && j.state != LB_JOB_FAILED && j.state != LB_JOB_CANCELLED) {
			cli_error(c, "job #%lld is %s: only failed or cancelled jobs, or those waiting to retry, are retried",
				  (long long)id, lb_job_state_name(j.state));
			failed++;
		} else if ((cancel ? store_job_cancel(c->st, id) : store_job_resubmit(c->st, id)) != 0) {
			failed += cli_store_fail(c) != 0;
		} else {
			printf("job #%lld: %s\n", (long long)id,
			       cancel ? "cancelled" : "queued again (it runs with 'lightbox jobs run' or in the interface)");
		}
		lb_job_clear(&j);
	}
	return failed ? CLI_FAIL : CLI_OK;
}

static int jobs_cancel(struct cli *c, int argc, char **argv)
{
	return jobs_change(c, argc, argv, 1);
}

static int jobs_retry(struct cli *c, int argc, char **argv)
{
	return jobs_change(c, argc, argv, 0);
}

static int jobs_run(struct cli *c, int argc, char **argv)
{
	struct backend_registry *reg;
	struct lb_job_list l;
	struct runner *r;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int nerr, rc;

	(void)argv;
	if (argc != 1)
		return cli_usage(c, "'jobs run' takes no arguments");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	reg = cli_backends_load(c, 0, &nerr, NULL);
	/* The runner recovers what a killed one left running (its first loop). */
	r = start_runner(c, reg, NULL, 0);
	if (r == NULL) {
		backend_registry_free(&reg);
		return CLI_FAIL;
	}
	if (store_job_list(c->st, 0, 100000, &l) != 0) {
		runner_stop(&r);
		backend_registry_free(&reg);
		return cli_store_fail(c);
	}
	ids = xcalloc(l.n ? l.n : 1, sizeof *ids);
	for (i = 0; i < l.n; i++)
		if ((l.v[i].state == LB_JOB_QUEUED || l.v[i].state == LB_JOB_RUNNING) &&
		    strcmp(l.v[i].curator, store_curator(c->st)) == 0 && backend_registry_find(reg, l.v[i].backend))
			ids[n++] = l.v[i].id;
	lb_job_list_free(&l);
	if (n == 0) {
		runner_stop(&r);
		printf("no queued jobs\n");
		rc = CLI_OK;
	} else {
		printf("running %zu job%s\n", n, n == 1 ? "" : "s");
		fflush(stdout);
		rc = run_jobs(c, r, ids, n, 0);
	}
	free(ids);
	backend_registry_free(&reg);
	return rc;
}

static const struct cli_sub jobs_subs[] = {
	{ "ls", jobs_ls, "+", jobs_ls_opts }, { "show", jobs_show, NULL, NULL },
	{ "cancel", jobs_cancel, NULL, NULL }, { "retry", jobs_retry, NULL, NULL }, { "run", jobs_run, NULL, NULL },
};

int cmd_jobs(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (cli_args(c, &argc, argv, "+", jobs_ls_opts, jobs_help))
			return c->status;
		snprintf(c->cmdbuf, sizeof c->cmdbuf, "jobs ls");
		c->cmd = c->cmdbuf;
		return jobs_ls(c, argc, argv);
	}
	return cli_dispatch(c, "jobs", jobs_subs, sizeof jobs_subs / sizeof jobs_subs[0], jobs_help, argc, argv);
}
