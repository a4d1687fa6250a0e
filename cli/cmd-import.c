/*
 * cmd-import.c - lightbox import: files and folders of outputs people
 * already have become candidates, with the generation parameters found
 * in them.  A progress bar on a terminal, plain lines otherwise; Ctrl-C
 * stops after the current file and keeps what is in.
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox import PATH... --brief BRIEF [--link] [--dry-run] [--verbose] [--json]\n"
	"       lightbox import FOLDER --brief BRIEF --watch [--link] [--verbose]\n"
	"       lightbox import PATH... --new-brief --project PROJECT [--dry-run] [--json]\n"
	"\n"
	"Imports files and folders of outputs you already have as candidates: images\n"
	"(PNG, JPEG, WebP, GIF), text (txt, md, json), audio (wav, mp3, flac, ogg) and\n"
	"video (mp4, webm, mov).  Folders are read recursively; hidden names are left out,\n"
	"and in a folder only files of the brief's kind are taken.  Each file is stored\n"
	"once by its SHA-256.  The prompt, negative prompt, seed, model and parameters\n"
	"that AUTOMATIC1111/Forge, ComfyUI, InvokeAI, NovelAI, Fooocus and SwarmUI embed,\n"
	"or that a sidecar NAME.json / NAME.txt holds, are recovered.  Running the same\n"
	"import again skips what is already in, so an interrupted import continues.\n"
	"\n"
	"Options:\n"
	"  --brief BRIEF        the brief the files become candidates of\n"
	"  --new-brief          make a brief for each prompt found in the files (files\n"
	"                       with the same prompt share one; an existing brief of the\n"
	"                       project with that prompt is reused)\n"
	"  --project PROJECT    with --new-brief: the project of the new briefs\n"
	"  --dry-run            read and report everything, change nothing\n"
	"  --batch N            files per transaction (default 256)\n"
	"  --watch              keep running: import each new file of FOLDER once its\n"
	"                       writer closes it (or it is moved in); Ctrl-C stops\n"
	"  --link               hard-link (or reflink) files on the store's filesystem\n"
	"                       instead of copying them (see the manual for the cost)\n"
	"  -v, --verbose        a line for every file, not only for problems\n"
	"  --json               the outcome of every file as JSON on standard output\n"
	"\n"
	"Exit status: 0 when every file went in (or was left out on purpose), 1 when\n"
	"some failed (the others are imported) or the import was interrupted.\n";

enum { O_BRIEF = 1000, O_NEW, O_PROJECT, O_DRY, O_BATCH, O_JSON, O_WATCH, O_LINK };

static const struct option opts[] = {
	{ "brief", required_argument, NULL, O_BRIEF },
	{ "new-brief", no_argument, NULL, O_NEW },
	{ "project", required_argument, NULL, O_PROJECT },
	{ "dry-run", no_argument, NULL, O_DRY },
	{ "batch", required_argument, NULL, O_BATCH },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, O_JSON },
	{ "watch", no_argument, NULL, O_WATCH },
	{ "link", no_argument, NULL, O_LINK },
	{ 0 },
};

struct ctx {
	struct cli *c;
	int json, verbose, tty;
	json_t *files;
	double last_draw;
	size_t next_line;       /* plain progress: the next count to print at */
	int drawn;              /* a bar is on the screen */
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void clear_bar(struct ctx *x)
{
	if (x->drawn) {
		fputs("\r\033[K", stderr);
		x->drawn = 0;
	}
}

/* Outside text as a JSON string that is always valid UTF-8. */
static json_t *jsafe(const char *s)
{
	char *v;
	json_t *j;

	if (s == NULL)
		return json_null();
	v = util_visible_dup(s, 1);
	j = json_string(v);
	free(v);
	return j;
}

static void on_report(void *p, const struct lb_import_item *it)
{
	struct ctx *x = p;
	char *why = it->reason ? cli_safe(it->reason, 0) : NULL;
	json_t *o;

	if (x->json) {
		o = json_object();
		json_object_set_new(o, "path", jsafe(it->shown));
		json_object_set_new(o, "status", json_string(lb_import_status_name(it->status)));
		json_object_set_new(o, "reason", jsafe(it->reason));
		json_object_set_new(o, "media_type", jsafe(it->media_type));
		json_object_set_new(o, "sha256", it->sha256 ? json_string(it->sha256) : json_null());
		json_object_set_new(o, "bytes", json_integer(it->bytes));
		json_object_set_new(o, "width", it->width ? json_integer(it->width) : json_null());
		json_object_set_new(o, "height", it->height ? json_integer(it->height) : json_null());
		json_object_set_new(o, "duration", it->duration > 0 ? json_real(it->duration) : json_null());
		json_object_set_new(o, "brief_id", it->brief_id ? json_integer(it->brief_id) : json_null());
		json_object_set_new(o, "candidate_id", it->candidate_id ? json_integer(it->candidate_id) : json_null());
		json_object_set_new(o, "asset_id", it->asset_id ? json_integer(it->asset_id) : json_null());
		json_object_set_new(o, "generator", jsafe(it->tool));
		json_object_set_new(o, "parameters_found", json_boolean(it->has_prompt));
		json_array_append_new(x->files, o);
	}
	if (it->status == LB_IMPORT_FAILED) {
		clear_bar(x);
		fprintf(stderr, "lightbox: import: %s: %s\n", it->shown, why ? why : "failed");
	} else if (why && (it->status == LB_IMPORT_ADDED || it->status == LB_IMPORT_SAME_ASSET) && !x->json) {
		clear_bar(x);
		fprintf(stderr, "lightbox: import: %s: note: %s\n", it->shown, why);
	}
	if (x->verbose && !x->json && it->status != LB_IMPORT_FAILED) {
		clear_bar(x);
		if (it->candidate_id && (it->status == LB_IMPORT_ADDED || it->status == LB_IMPORT_SAME_ASSET)) {
			char *tool = cli_safe(it->tool, 0);
			printf("%-10s #%-6lld %s (%s%s%s)\n", lb_import_status_name(it->status),
			       (long long)it->candidate_id, it->shown, it->media_type ? it->media_type : "?",
			       it->tool ? ", " : "", it->tool ? tool : "");
			free(tool);
		} else {
			printf("%-10s %s%s%s\n", lb_import_status_name(it->status), it->shown, why ? ": " : "",
			       why ? why : "");
		}
	}
	free(why);
}

static int term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

static int on_progress(void *p, const struct lb_import_progress *pr)
{
	struct ctx *x = p;
	double now = util_mono_ms(), rate, eta;
	char head[160], *name;
	int width, bar, fill, i, room;

	if (x->tty) {
		if (now - x->last_draw < 100 && pr->done < pr->total)
			return interrupted;
		x->last_draw = now;
		rate = pr->elapsed_ms > 0 ? pr->done * 1000.0 / pr->elapsed_ms : 0;
		eta = rate > 0 ? (pr->total - pr->done) / rate : 0;
		width = term_width();
		bar = width / 4;
		fill = pr->total ? (int)((double)bar * pr->done / pr->total) : bar;
		snprintf(head, sizeof head, " %zu/%zu  %.0f/s  eta %d:%02d  ", pr->done, pr->total, rate,
			 (int)eta / 60, (int)eta % 60);
		fprintf(stderr, "\r\033[K%3d%% [", pr->total ? (int)(100.0 * pr->done / pr->total) : 100);
		for (i = 0; i < bar; i++)
			fputc(i < fill ? '#' : '.', stderr);
		fprintf(stderr, "]%s", head);
		room = width - bar - 8 - (int)strlen(head) - 1;
		if (room > 8) {
			name = util_clip(pr->current, room);
			fputs(name, stderr);
			free(name);
		}
		fflush(stderr);
		x->drawn = 1;
	} else if (pr->total >= 200) {
		size_t step = pr->total / 10 ? pr->total / 10 : 1;
		if (x->next_line == 0)
			x->next_line = step;
		if (pr->done < x->next_line && pr->done != pr->total)
			return interrupted;
		fprintf(stderr, "lightbox: import: %zu of %zu files (%zu added, %zu already in, %zu failed)\n",
			pr->done, pr->total, pr->n[LB_IMPORT_ADDED] + pr->n[LB_IMPORT_SAME_ASSET],
			pr->n[LB_IMPORT_DUPLICATE], pr->n[LB_IMPORT_FAILED]);
		while (x->next_line <= pr->done)
			x->next_line += step;
	}
	return interrupted;
}

static void summary(const struct lb_import_result *r, int dry, int64_t brief, double ms)
{
	size_t added = r->n[LB_IMPORT_ADDED] + r->n[LB_IMPORT_SAME_ASSET];

	printf("%s %zu of %zu file%s", dry ? "Would import" : "Imported", added, r->total, r->total == 1 ? "" : "s");
	if (brief)
		printf(" into brief %lld", (long long)brief);
	printf(": %zu new", r->n[LB_IMPORT_ADDED]);
	if (r->n[LB_IMPORT_SAME_ASSET])
		printf(", %zu sharing bytes already stored", r->n[LB_IMPORT_SAME_ASSET]);
	if (r->n[LB_IMPORT_DUPLICATE])
		printf(", %zu already in", r->n[LB_IMPORT_DUPLICATE]);
	if (r->n[LB_IMPORT_SIDECAR])
		printf(", %zu sidecar%s read", r->n[LB_IMPORT_SIDECAR], r->n[LB_IMPORT_SIDECAR] == 1 ? "" : "s");
	if (r->n[LB_IMPORT_SKIPPED])
		printf(", %zu left out", r->n[LB_IMPORT_SKIPPED]);
	if (r->n[LB_IMPORT_FAILED])
		printf(", %zu failed", r->n[LB_IMPORT_FAILED]);
	printf(" (%.1f s", ms / 1000);
	if (ms > 0 && added)
		printf(", %.0f files/s", added * 1000.0 / ms);
	printf(").\n");
}

static int watch_tick(void *p, const struct lb_watch_status *s)
{
	(void)p;
	(void)s;
	return interrupted;
}

static void watch_landed(void *p, const struct lb_watch_status *s)
{
	struct ctx *x = p;

	if (!x->verbose)
		printf("%zu imported so far\n", s->n[LB_IMPORT_ADDED] + s->n[LB_IMPORT_SAME_ASSET]);
	fflush(stdout);
	/* The new pictures' fingerprints follow in the background, as
	 * after any import. */
	cli_fingerprint_later(x->c);
}

/* import FOLDER --watch: runs until Ctrl-C (or SIGTERM), which is the
 * normal way to stop, so it exits 0 and says how many went in. */
static int watch_folder(struct cli *c, struct ctx *x, const char *dir, const struct lb_import_options *io)
{
	struct lb_watch_options wo;
	struct lb_watch_status s;
	struct sigaction sa, old_int, old_term;
	char *shown = cli_safe(dir, 0);
	int rc;

	memset(&wo, 0, sizeof wo);
	wo.import = *io;
	wo.import.report = on_report;
	wo.import.ctx = x;
	wo.tick = watch_tick;
	wo.landed = watch_landed;
	wo.ctx = x;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	fprintf(stderr, "lightbox: import: watching %s for brief %lld; Ctrl-C stops\n", shown,
		(long long)io->brief_id);
	rc = store_watch(c->st, dir, &wo, &s);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc != 0 && s.runs == 0) {
		free(shown);
		return cli_store_fail(c);
	}
	printf("Watched %s: imported %zu file%s into brief %lld: %zu new", shown,
	       s.n[LB_IMPORT_ADDED] + s.n[LB_IMPORT_SAME_ASSET],
	       s.n[LB_IMPORT_ADDED] + s.n[LB_IMPORT_SAME_ASSET] == 1 ? "" : "s", (long long)io->brief_id,
	       s.n[LB_IMPORT_ADDED]);
	if (s.n[LB_IMPORT_SAME_ASSET])
		printf(", %zu sharing bytes already stored", s.n[LB_IMPORT_SAME_ASSET]);
	printf(", %zu already in, %zu left out, %zu failed.\n", s.n[LB_IMPORT_DUPLICATE], s.n[LB_IMPORT_SKIPPED],
	       s.n[LB_IMPORT_FAILED]);
	free(shown);
	if (rc != 0)
		return cli_store_fail(c);
	return CLI_OK;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
	struct lb_import_options o = { 0 };
	struct lb_import_result r;
	struct sigaction sa, old;
	struct ctx x = { 0 };
	const char *brief = NULL, *project = NULL;
	long long v;
	double t0, ms;
	size_t i;
	int opt, rc, watch = 0, fp_later = 0;

	if (cli_args(c, &argc, argv, "v", opts, help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (opt) {
		case O_BRIEF: brief = optarg; break;
		case O_NEW: o.new_brief = 1; break;
		case O_PROJECT: project = optarg; break;
		case O_DRY: o.dry_run = 1; break;
		case O_BATCH:
			if (util_parse_int(optarg, 1, 100000, &v) < 0)
				return cli_usage(c, "--batch takes a number from 1 to 100000");
			o.batch = (int)v;
			break;
		case 'v': x.verbose = 1; break;
		case O_JSON: x.json = 1; break;
		case O_WATCH: watch = 1; break;
		case O_LINK: o.link = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage(c, "name the files or folders to import");
	if (o.new_brief && brief)
		return cli_usage(c, "--brief and --new-brief exclude each other");
	if (o.new_brief && project == NULL)
		return cli_usage(c, "--new-brief needs --project PROJECT");
	if (!o.new_brief && brief == NULL)
		return cli_usage(c, "say which brief with --brief BRIEF (or make briefs with --new-brief)");
	if (project && !o.new_brief)
		return cli_usage(c, "--project goes with --new-brief");
	if (watch && (o.new_brief || o.dry_run || x.json))
		return cli_usage(c, "--watch goes with --brief BRIEF only (not --new-brief, --dry-run or --json)");
	if (watch && argc - optind != 1)
		return cli_usage(c, "--watch watches one folder: name it alone");
	if (brief && cli_id(c, "brief", brief, &o.brief_id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (project && store_project_find(c->st, project, &o.project_id) != 0)
		return cli_store_fail(c);
	x.c = c;
	if (watch)
		return watch_folder(c, &x, argv[optind], &o);
	x.tty = isatty(STDERR_FILENO);
	x.files = json_array();
	o.report = on_report;
	o.progress = on_progress;
	o.ctx = &x;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C stops at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	t0 = util_mono_ms();
	/* Long writes say who they are: others waiting for the lock are told. */
	store_announce(c->st, "an import");
	rc = store_import(c->st, (const char *const *)argv + optind, (size_t)(argc - optind), &o, &r);
	store_announce_end(c->st);
	sigaction(SIGINT, &old, NULL);
	clear_bar(&x);
	if (rc != 0) {
		cli_store_fail(c);
		json_decref(x.files);
		lb_import_result_clear(&r);
		return CLI_FAIL;
	}
	ms = util_mono_ms() - t0;
	/* The rows are in: the new pictures' fingerprints (a decode each,
	 * several times the import's own work) are made in the background. */
	fp_later = !o.dry_run && r.n[LB_IMPORT_ADDED] && cli_fingerprint_later(c) == CLI_OK;
	if (x.json) {
		json_t *j = json_object(), *s = json_object(), *b = json_array();
		json_object_set_new(j, "brief_id", o.brief_id ? json_integer(o.brief_id) : json_null());
		json_object_set_new(j, "project_id", o.project_id ? json_integer(o.project_id) : json_null());
		json_object_set_new(j, "dry_run", json_boolean(o.dry_run));
		json_object_set_new(j, "interrupted", json_boolean(r.interrupted));
		json_object_set_new(s, "files", json_integer((json_int_t)r.total));
		for (i = 0; i < LB_IMPORT__COUNT; i++)
			json_object_set_new(s, lb_import_status_name((int)i), json_integer((json_int_t)r.n[i]));
		json_object_set_new(s, "bytes", json_integer(r.bytes));
		json_object_set_new(s, "briefs_made", json_integer((json_int_t)r.n_briefs_planned));
		json_object_set_new(j, "summary", s);
		for (i = 0; i < r.n_briefs; i++)
			json_array_append_new(b, json_integer(r.briefs[i]));
		json_object_set_new(j, "new_briefs", b);
		json_object_set_new(j, "files", x.files);
		cli_json_print(j);
	} else {
		json_decref(x.files);
		summary(&r, o.dry_run, o.brief_id, ms);
		if (o.new_brief && r.n_briefs_planned) {
			printf("%s %zu brief%s", o.dry_run ? "Would make" : "Made", r.n_briefs_planned,
			       r.n_briefs_planned == 1 ? "" : "s");
			for (i = 0; i < r.n_briefs; i++)
				printf("%s%lld", i ? ", " : ": ", (long long)r.briefs[i]);
			printf(".\n");
		}
		if (fp_later)
			printf("Fingerprints (for similar and stacks) are being made in the background: "
			       "'lightbox doctor' shows it, 'lightbox fingerprint' waits for them.\n");
		if (r.interrupted)
			printf("Interrupted: run the same command again to import the rest.\n");
	}
	rc = r.n[LB_IMPORT_FAILED] || r.interrupted ? CLI_FAIL : CLI_OK;
	lb_import_result_clear(&r);
	return rc;
}
