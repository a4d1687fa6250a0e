/*
 * cli.h - what the subcommands share: the context (store, options), error
 * and usage reporting, argument helpers and output for humans or JSON.
 * The command table lives in lightbox.c.
 */
#ifndef LB_CLI_H
#define LB_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cli {
	const char *store_dir;  /* --store, or NULL */
	const char *config;     /* --config, or NULL */
	const char *preview;    /* --preview, or NULL */
	const char *assets;     /* --assets (a PostgreSQL store's files), or NULL */
	struct store *st;       /* opened by cli_store() */
	const char *cmd;        /* "brief add", for messages */
	char cmdbuf[64];
	int status;             /* the exit status when cli_args says stop */
};

/* 1 (after saying so) when the store is a PostgreSQL one and cmd
 * ("candidate ls", "doctor") does not run on one yet. */
int cli_pg_refuses(struct cli *c, const char *cmd);

struct cli_sub {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *shortopts;          /* its getopt_long options, for cli_args */
	const struct option *longopts; /* (NULL: it takes none) */
};
/* Runs the subcommand argv[1] of group from subs (argv[0] is the group);
 * prints help for --help or none given (cli_args with the subcommand's
 * options). */
int cli_dispatch(struct cli *c, const char *group, const struct cli_sub *subs, size_t n, const char *help,
		 int argc, char **argv);

struct cli_cmd {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *summary;
};

/* Opens the store (creating it with create); prints the error and returns
 * NULL on failure. */
struct store *cli_store(struct cli *c, int create);
/* 0 when brief id exists; else prints why and returns CLI_FAIL. */
int cli_brief_exists(struct cli *c, int64_t id);
/* The command's one operand, a BRIEF, at argv[optind] (after getopt):
 * parses it, opens the store and reads the brief into *b (the caller
 * clears it).  CLI_OK, or the exit status after saying why (not one
 * operand, not an id, no store, no such brief). */
int cli_brief_operand(struct cli *c, int argc, char **argv, int64_t *id, struct lb_brief *b);
/* Exit status for a store error code (always CLI_FAIL). */
int cli_store_fail(struct cli *c);

/* "lightbox: CMD: message" on stderr; returns CLI_FAIL. */
int cli_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: message plus "try 'lightbox CMD --help'"; returns CLI_USAGE. */
int cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 0 when query (may be NULL) is a good query; else prints the usage
 * error, column and all, for option opt and returns -1. */
int cli_query_ok(struct cli *c, const char *opt, const char *query);
/* --view NAME: the saved view of project_id (else the store-wide one)
 * sets *query (owned by *owned) and, when *sort is < 0, *sort.  0, or the
 * exit status after printing why (no such view; --query given too). */
int cli_view_find(struct cli *c, const char *name, int64_t project_id, const char **query, int *sort,
		  char **owned);
/* Parses a positive id; prints a usage error naming what and returns -1. */
int cli_id(struct cli *c, const char *what, const char *s, int64_t *id);

/* Reads argv (argv[0] is the command) as getopt_long(argc, argv,
 * shortopts, longopts) will, either may be NULL for none, and up to "--"
 * (or, when shortopts starts with '+', the first operand):
 * - takes the global options (--store, --config, --preview and their
 *   --NAME=VALUE forms) out of argv, wherever they stand as options;
 * - when -h or --help stands as an option, prints help (if not NULL).
 * An option's value is never taken for an option: in
 * 'gen 2 --prompt --help' the prompt is "--help".  Returns 0 when the
 * command goes on, else 1 with the exit status in c->status (after help,
 * or a usage error). */
int cli_args(struct cli *c, int *argc, char **argv, const char *shortopts, const struct option *longopts,
	     const char *help);
/* Prints help text (already formatted) to stdout; returns CLI_OK. */
int cli_help(const char *text);

/* Prints a JSON value to stdout (indented, keys in insertion order) and
 * takes ownership of it. */
void cli_json_print(json_t *v);

/* Text made safe for the terminal, clipped to width display columns
 * (0: no clipping) with "…" marking the cut.  Owned. */
char *cli_safe(const char *s, int width);

/* A simple aligned table for humans. */
struct cli_table;
struct cli_table *cli_table_new(int ncols, const char *const *heads, const char *align);
/* Adds a row; cells are copied and made safe. */
void cli_table_row(struct cli_table *t, const char *const *cells);
void cli_table_print(struct cli_table *t, FILE *out);
void cli_table_free(struct cli_table **t);

/* --gap N or --bt-gap S (opt 'g' or 'B') of the disputed candidates'
 * rules into r; CLI_USAGE (said) when arg is not one. */
struct lb_dispute_rules;
/* Says, when hidden > 0, that blind review hides that many candidates'
 * judgements from me, and what follows (then). */
void cli_blind_note(int64_t hidden, const char *then);
int cli_dispute_opt(struct cli *c, int opt, const char *arg, struct lb_dispute_rules *r);

/* Subcommands. */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_project(struct cli *c, int argc, char **argv);
int cmd_view(struct cli *c, int argc, char **argv);
int cmd_assign(struct cli *c, int argc, char **argv);
int cmd_conflicts(struct cli *c, int argc, char **argv);
int cmd_adjudicate(struct cli *c, int argc, char **argv);
int cmd_wins(struct cli *c, int argc, char **argv);
int cmd_brief(struct cli *c, int argc, char **argv);
int cmd_candidate(struct cli *c, int argc, char **argv);
int cmd_rate(struct cli *c, int argc, char **argv);
int cmd_flag(struct cli *c, int argc, char **argv);
int cmd_tag(struct cli *c, int argc, char **argv);
int cmd_note(struct cli *c, int argc, char **argv);
int cmd_select(struct cli *c, int argc, char **argv);
int cmd_unselect(struct cli *c, int argc, char **argv);
int cmd_undo(struct cli *c, int argc, char **argv);
int cmd_redo(struct cli *c, int argc, char **argv);
int cmd_log(struct cli *c, int argc, char **argv);
int cmd_doctor(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_relink(struct cli *c, int argc, char **argv);
int cmd_gc(struct cli *c, int argc, char **argv);
int cmd_store(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_deliver(struct cli *c, int argc, char **argv);
int cmd_xmp(struct cli *c, int argc, char **argv);
int cmd_purge(struct cli *c, int argc, char **argv);
int cmd_stats(struct cli *c, int argc, char **argv);
int cmd_rank(struct cli *c, int argc, char **argv);
int cmd_compare(struct cli *c, int argc, char **argv);
int cmd_gen(struct cli *c, int argc, char **argv);
int cmd_jobs(struct cli *c, int argc, char **argv);
int cmd_backends(struct cli *c, int argc, char **argv);
int cmd_demo(struct cli *c, int argc, char **argv);
int cmd_fingerprint(struct cli *c, int argc, char **argv);
int cmd_similar(struct cli *c, int argc, char **argv);
int cmd_stacks(struct cli *c, int argc, char **argv);
/* Makes the missing fingerprints of a brief's candidates (0: all) after
 * they were added (no transaction open); says on stderr when some could
 * not be made, and on stdout how many were unless quiet.  CLI_OK, or
 * CLI_FAIL after a store error. */
int cli_fingerprint_fill(struct cli *c, int64_t brief, int retry, int quiet);
/* Starts the store's fingerprint filler in a detached, niced process
 * (`lightbox fingerprint --background`) and returns once it holds the
 * filler's lock or has found another filler at work, which takes these
 * files too.  Made here and now when no process can be started. */
int cli_fingerprint_later(struct cli *c);
/* The config's stack-distance and pixel-limit (either may be NULL). */
void cli_config_values(struct cli *c, int *distance, long long *pixel_limit);
/* doctor's lines on the store's fingerprints (made, missing, why some
 * failed); with fix, makes the missing ones first (retrying failures). */
void cli_doctor_fingerprints(struct cli *c, const char *dir, int fix);
/* Where `lightbox demo` builds its store (--store, else
 * $XDG_DATA_HOME/lightbox-demo) and the slug of its project: owned
 * strings, for main() to open the interface there. */
char *cli_demo_dir(const struct cli *c);
char *cli_demo_project(void);

/* The backends the config file defines (--config, else the default path),
 * with builtin.  Bad definitions, and the file's other bad lines, are
 * reported on stderr unless quiet and counted in *nerrors; the good ones
 * are kept.  With summary, *summary is one line that sorts them ("2 bad
 * backend definitions (FILE:1, FILE:3) and 1 other bad line (FILE:4 set)
 * in the config file — see above"), or NULL when there were none.  Owned
 * registry and summary. */
struct backend_registry;
struct backend_registry *cli_backends_load(struct cli *c, int quiet, int *nerrors, char **summary);

/* JSON forms shared by several commands. */
json_t *cli_json_candidate(const struct lb_candidate *cand);
/* export --format html: pictures for the page (cli/export-thumb.c); c->st open. */
void cli_export_thumbs(struct cli *c, struct lb_export_options *o);
json_t *cli_json_brief(const struct lb_brief *b);

#endif
