/*
 * lightbox.c - main(): global options and the subcommand table.  With no
 * subcommand, lightbox opens the curation interface on the store.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tui/tui.h"
#include "util.h"

/* The interface's commands take the global options, not a store handle. */
/* tui and keys read their own options (tui/); the global ones are taken
 * here first. */
static int run_tui(struct cli *c, int argc, char **argv)
{
	if (cli_args(c, &argc, argv, NULL, NULL, NULL))
		return c->status;
	return tui_cmd_open(c->store_dir, c->config, c->preview, argc, argv);
}

static int run_keys(struct cli *c, int argc, char **argv)
{
	if (cli_args(c, &argc, argv, NULL, NULL, NULL))
		return c->status;
	return tui_cmd_keys(c->config, argc, argv);
}

/* The demo store is built by cli/; on a terminal the interface then
 * opens on it, at the demo project, so one command shows the whole loop. */
static int run_demo(struct cli *c, int argc, char **argv)
{
	struct tui_start start;
	char *dir, *slug;
	int rc;

	c->status = -1;
	rc = cmd_demo(c, argc, argv);
	/* c->status is set when cmd_demo stopped at its options (--help) */
	if (rc != CLI_OK || c->status >= 0 || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return rc;
	store_close(&c->st);
	dir = cli_demo_dir(c);
	slug = cli_demo_project();
	memset(&start, 0, sizeof start);
	start.store_dir = dir;
	start.config = c->config;
	start.project = slug;
	start.message = "demo: Enter opens a brief, + generates more with builtin (offline, procedural), "
			"R chooses how, J lists the jobs, ? the keys";
	rc = tui_main(&start);
	free(slug);
	free(dir);
	return rc;
}

static const struct cli_cmd commands[] = {
	{ "init", cmd_init, "create a store (or check and upgrade one)" },
	{ "project", cmd_project, "add, list, show and archive projects" },
	{ "brief", cmd_brief, "add, list, show and edit briefs (with revisions)" },
	{ "candidate", cmd_candidate, "add, list (filtered) and show candidates" },
	{ "rate", cmd_rate, "rate a candidate 0-5 stars" },
	{ "flag", cmd_flag, "flag a candidate pick, reject or none" },
	{ "tag", cmd_tag, "add and remove tags; list tags" },
	{ "note", cmd_note, "add a note to a candidate, brief or project" },
	{ "select", cmd_select, "record a candidate in the project's selection" },
	{ "unselect", cmd_unselect, "take a candidate out of the selection" },
	{ "undo", cmd_undo, "undo your last change" },
	{ "redo", cmd_redo, "redo what you undid" },
	{ "log", cmd_log, "show the audit log" },
	{ "import", cmd_import, "import files and folders of outputs (with their parameters)" },
	{ "view", cmd_view, "save, list and remove saved views (named queries)" },
	{ "verify", cmd_verify, "check linked assets (import --link) against their SHA-256" },
	{ "relink", cmd_relink, "find linked assets' originals in a folder by SHA-256" },
	{ "export", cmd_export, "write the selection record (JSON, CSV, Markdown), copy assets" },
	{ "deliver", cmd_deliver, "hand the selected files to a folder (copy, link), verified" },
	{ "purge", cmd_purge, "free the files of rejected candidates (rows stay)" },
	{ "xmp", cmd_xmp, "write XMP sidecars (rating, keywords) for other photo tools" },
	{ "assign", cmd_assign, "give each candidate of a brief to N of the curators" },
	{ "conflicts", cmd_conflicts, "the candidates curators disagree on, with their votes" },
	{ "adjudicate", cmd_adjudicate, "record an adjudicator's final stars and flag, with a reason" },
	{ "wins", cmd_wins, "which models, LoRAs, parameters and phrases the curators prefer" },
	{ "stats", cmd_stats, "how far curators agree, brief by brief" },
	{ "compare", cmd_compare, "judge candidates of a brief in pairs" },
	{ "rank", cmd_rank, "rank a brief's candidates from pairwise judgements" },
	{ "stacks", cmd_stacks, "group a brief's near-copies; keep the best, reject the rest" },
	{ "similar", cmd_similar, "list the candidates that look most like one" },
	{ "fingerprint", cmd_fingerprint, "make the missing perceptual fingerprints" },
	{ "gen", cmd_gen, "generate candidates for a brief with a backend" },
	{ "jobs", cmd_jobs, "list, show, cancel, retry and run generation jobs" },
	{ "backends", cmd_backends, "list the configured backends; --check asks each" },
	{ "demo", run_demo, "build a demo store and open the interface on it" },
	{ "tui", run_tui, "open the interface at a project, brief or candidate" },
	{ "keys", run_keys, "list every action and its keys (as the help view does)" },
	{ "gc", cmd_gc, "remove asset files nothing refers to (--dry-run lists them)" },
	{ "store", cmd_store, "copy a whole store (SQLite, PostgreSQL) into a new one, verified" },
	{ "doctor", cmd_doctor, "say what this terminal can draw, and why previews look as they do" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: lightbox [--store DIR] [--config FILE] [COMMAND [ARGS]]\n"
		     "\n"
		     "A keyboard-driven workstation for curating the outputs of generative models.\n"
		     "Without a command, opens the curation interface on the store.\n"
		     "\n"
		     "Commands:\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n"
		     "Options:\n"
		     "  --store DIR    the store folder (default $LIGHTBOX_STORE, else\n"
		     "                 $XDG_DATA_HOME/lightbox), or a postgresql:// URL\n"
		     "  --assets DIR   a PostgreSQL store's asset folder (default $LIGHTBOX_ASSETS,\n"
		     "                 else the one its init recorded)\n"
		     "  --config FILE  the config file (default $XDG_CONFIG_HOME/lightbox/config)\n"
		     "  --preview MODE how pictures are drawn: auto, symbols, sixel, kitty,\n"
		     "                 iterm2 or none (overrides `set preview-mode`)\n"
		     "  --version      print the version\n"
		     "  --help         print this help\n"
		     "\n"
		     "'lightbox COMMAND --help' describes a command.  Exit status: 0 done,\n"
		     "1 failed, 2 usage error.  See lightbox(1).\n");
}

/* Takes the global options that stand before the command out of argv;
 * each command takes those after it (cli_args), where it can tell an
 * option from the value of one of its own ('gen 2 --prompt --store' has
 * the prompt "--store"). */
static int take_globals(struct cli *c, int *argc, char **argv)
{
	/* "+": up to the first operand, the command. */
	return cli_args(c, argc, argv, "+", NULL, NULL) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct cli c;
	size_t i;
	int rc;
	char *s;

	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	memset(&c, 0, sizeof c);
	c.cmd = "lightbox";
	if (take_globals(&c, &argc, argv) < 0)
		return c.status;
	if (argc < 2) {
		struct tui_start start;
		memset(&start, 0, sizeof start);
		start.store_dir = c.store_dir;
		start.config = c.config;
		start.preview = c.preview;
		return tui_main(&start);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("%s %s (schema %d)\n", PACKAGE_NAME, PACKAGE_VERSION, STORE_SCHEMA_VERSION);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			c.cmd = commands[i].name;
			rc = commands[i].run(&c, argc - 1, argv + 1);
			store_close(&c.st);
			return rc;
		}
	}
	s = util_visible_dup(argv[1], 0);
	fprintf(stderr, "lightbox: unknown command '%s'; see 'lightbox --help'\n", s);
	free(s);
	return CLI_USAGE;
}
