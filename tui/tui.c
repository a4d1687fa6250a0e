/*
 * tui.c - starting the interface: the config, the store, the worker, the
 * terminal and the first views, and closing it all again.  The view stack
 * is in viewstack.c, messages in messages.c, dispatch and the `:` command
 * line in cmdline.c, the actions list views share in listview.c.
 */
#include "config.h"

#include "tui.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui-private.h"

/* ------------------------------------------------------------ starting */

/* Resolves where to open: project, brief, candidate ids from the refs. */
static int resolve_start(struct tui *ui, const struct tui_start *s, int64_t *proj, int64_t *brief, int64_t *cand)
{
	struct lb_candidate c;
	struct lb_brief b;
	long long v;

	*proj = *brief = *cand = 0;
	if (s->candidate) {
		if (util_parse_int(s->candidate, 1, INT64_MAX, &v) != 0 || store_candidate_get(ui->st, v, &c) != 0) {
			fprintf(stderr, "lightbox: no candidate '%s'\n", s->candidate);
			return -1;
		}
		*cand = c.id;
		*brief = c.brief_id;
		lb_candidate_clear(&c);
	} else if (s->brief) {
		if (util_parse_int(s->brief, 1, INT64_MAX, &v) != 0) {
			fprintf(stderr, "lightbox: '%s' is not a brief id (a number, as 'lightbox brief ls' shows)\n",
				s->brief);
			return -1;
		}
		*brief = v;
	}
	if (*brief) {
		if (store_brief_get_light(ui->st, *brief, &b) != 0) {
			fprintf(stderr, "lightbox: %s\n", store_errmsg(ui->st));
			return -1;
		}
		*proj = b.project_id;
		lb_brief_clear(&b);
	} else if (s->project) {
		if (store_project_find(ui->st, s->project, proj) != 0) {
			fprintf(stderr, "lightbox: %s\n", store_errmsg(ui->st));
			return -1;
		}
	}
	return 0;
}

static void load_config(struct tui *ui, const struct tui_start *s)
{
	char *path = s->config ? xstrdup(s->config) : km_config_default_path();
	size_t i, n;

	ui->cfg = km_config_new();
	ui->km = km_config_keymap(ui->cfg);
	ui->opt = km_config_options(ui->cfg);
	if (path)
		km_config_load_file(ui->cfg, path, s->config != NULL);
	ui->config_path = path;
	n = km_config_nerrors(ui->cfg);
	for (i = 0; i < n; i++)
		tui_msg_add_line(ui, 1, km_config_error(ui->cfg, i));
	km_config_clear_errors(ui->cfg);
	store_stack_distance_default((int)km_opt_int(ui->opt, KM_O_STACK_DISTANCE));
}

/* Glyphs like ★ and ✓ need a UTF-8 locale and a terminal with the
 * fonts; the Linux console and VT100s get ASCII. */
static int want_unicode(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *term = getenv("TERM"), *loc = NULL, *v;
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0] && loc == NULL; i++) {
		v = getenv(vars[i]);
		if (v && *v)
			loc = v;
	}
	if (loc == NULL || !(strcasestr(loc, "utf-8") || strcasestr(loc, "utf8")))
		return 0;
	if (term && (strcmp(term, "linux") == 0 || strncmp(term, "vt", 2) == 0 || strcmp(term, "dumb") == 0))
		return 0;
	return 1;
}

static void close_all(struct tui *ui)
{
	struct view *v;

	while (ui->depth > 0) {
		v = ui->stack[--ui->depth];
		view_release(v);
	}
}

int tui_main(const struct tui_start *s)
{
	struct tui ui;
	struct store_options so;
	int64_t proj = 0, brief = 0, cand = 0, queued = 0;
	char *err = NULL, *dir;
	int rc = 1, created = 0, interrupted = 0, lost;
	char *lost_why = NULL;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "lightbox: the interface needs a terminal; for scripts use the commands "
				"('lightbox --help')\n");
		return 1;
	}
	memset(&ui, 0, sizeof ui);
	ui.wake[0] = ui.wake[1] = -1;
	ui.next_poll = -1;
	sb_init(&ui.pastebuf);
	load_config(&ui, s);

	/* A new user's first run makes the default store; an explicit
	 * --store or LIGHTBOX_STORE that does not exist is a mistake to report. */
	memset(&so, 0, sizeof so);
	so.sync_full = km_opt_choice(ui.opt, KM_O_SYNC) == KM_V_SYNC_FULL;
	dir = store_default_dir(s->store_dir);
	so.create = s->store_dir == NULL && (getenv("LIGHTBOX_STORE") == NULL || !*getenv("LIGHTBOX_STORE"));
	if (so.create) {
		char *db = xasprintf("%s/lightbox.db", dir);
		created = access(db, F_OK) != 0;
		free(db);
	}
	if (store_open(dir, &so, &ui.st, &err) != 0) {
		fprintf(stderr, "lightbox: %s\n", err);
		free(err);
		goto out;
	}
	/* The pairwise-order disputes of the filter term disputed come from
	 * the worker (view-candidates.c): the fit never runs here. */
	if (store_disputes_given(ui.st, 0, NULL, 0) != 0) {
		fprintf(stderr, "lightbox: %s\n", store_errmsg(ui.st));
		goto out;
	}
	if (resolve_start(&ui, s, &proj, &brief, &cand) != 0)
		goto out;
	/* Checkpoints (fsync, copying the log) run in the worker, not here. */
	store_wal_autocheckpoint(ui.st, 0);
	/* Every write goes through the writer thread (curation, briefs,
	 * projects, edits, job submissions, retries and cancels): this
	 * connection only reads, and never waits long for anything
	 * (HACKING.md, the busy policy). */
	store_set_busy(ui.st, 100, 1);
	if (pipe2(ui.wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		perror("lightbox: pipe");
		goto out;
	}
	ui.bg = bg_new(store_name(ui.st), store_curator(ui.st), ui.wake[1]);
	ui.wr = wr_new(store_name(ui.st), store_curator(ui.st), ui.wake[1]);
	if (s->preview && km_opt_set(ui.opt, KM_O_PREVIEW_MODE, s->preview, &err) != 0) {
		fprintf(stderr, "lightbox: --preview: %s\n", err);
		free(err);
		goto out;
	}
	ui.preview = preview_image_new(&ui);
	tui_gen_init(&ui);
	if (tui_screen_init(&ui) != 0)
		goto out;
	draw_set_unicode(want_unicode());

	tui_push(&ui, view_projects_new(&ui));
	if (proj)
		tui_push(&ui, view_briefs_new(&ui, proj));
	if (brief)
		tui_push(&ui, view_candidates_new(&ui, brief, cand));
	if (cand)
		tui_push(&ui, view_detail_new(&ui, cand));
	if (s->message && ui.nmsg == 0)
		tui_msg(&ui, "%s", s->message);
	if (created && ui.nmsg == 0)
		tui_msg(&ui, "new store at %s: 'a' adds a project, ? lists the keys", dir);
	rc = tui_loop(&ui) == 0 ? 0 : 1;
	if (ui.import)
		tui_busy(&ui, "stopping the import after the current file...");
	tui_import_stop(&ui);
	tui_watch_stop(&ui);
	interrupted = tui_gen_stop(&ui, &queued);
	if (wr_queued(&ui))
		tui_busy(&ui, "saving your last changes...");
	lost = wr_free(&ui, &lost_why);
	close_all(&ui);
	tui_screen_end(&ui);
	if (lost)
		fprintf(stderr, "lightbox: %d change%s could not be saved (%s); make %s again\n", lost,
			lost == 1 ? "" : "s", lost_why ? lost_why : "the store stayed locked",
			lost == 1 ? "it" : "them");
	free(lost_why);
	if (interrupted || queued)
		fprintf(stderr,
			"lightbox: %d generation job%s stopped and %lld queued: they resume when lightbox "
			"next opens this store (or with 'lightbox jobs run')\n",
			interrupted, interrupted == 1 ? "" : "s", (long long)queued);
out:
	close_all(&ui);
	if (ui.prompt)
		prompt_close(&ui);
	form_close(&ui);
	tui_gen_free(&ui);
	lost = wr_free(&ui, &lost_why);
	free(lost_why);
	bg_free(&ui.bg);
	preview_free(&ui.preview);
	tui_msg_clear(&ui);
	free(ui.brief_retry);
	free(ui.edit_retry);
	prompt_free_history(&ui);
	sb_free(&ui.pastebuf);
	free(ui.status_note);
	free(ui.config_path);
	if (ui.wake[0] >= 0) {
		close(ui.wake[0]);
		close(ui.wake[1]);
	}
	store_close(&ui.st);
	km_config_free(&ui.cfg);
	free(dir);
	return rc;
}

int tui_cmd_open(const char *store_dir, const char *config, const char *preview, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "brief", required_argument, NULL, 'b' },
		{ "candidate", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tui_start s;
	int o;

	memset(&s, 0, sizeof s);
	s.store_dir = store_dir;
	s.config = config;
	s.preview = preview;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (o) {
		case 'p': s.project = optarg; break;
		case 'b': s.brief = optarg; break;
		case 'c': s.candidate = optarg; break;
		case 'h':
			printf("Usage: lightbox tui [--project PROJECT | --brief BRIEF | --candidate CANDIDATE]\n"
			       "\n"
			       "Opens the curation interface (what 'lightbox' alone does), at a project's\n"
			       "briefs, a brief's candidates or one candidate.  '?' in the interface lists\n"
			       "the keys; 'lightbox keys' prints them all.\n");
			return 0;
		default:
			fprintf(stderr, "lightbox: tui: unknown option; try 'lightbox tui --help'\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lightbox: tui: unexpected argument; try 'lightbox tui --help'\n");
		return 2;
	}
	return tui_main(&s);
}
