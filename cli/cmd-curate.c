/*
 * cmd-curate.c - the curation verbs: rate, flag, tag, note, select,
 * unselect, undo, redo and log.  Each is one transaction with its audit
 * event, made as the curator ($LIGHTBOX_CURATOR, else the login name).
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Simple commands take only --help; returns nonzero when argv has an
 * option (a usage error was printed). */
static int no_options(struct cli *c, int argc, char **argv, int *first)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			*first = i + 1;
			return 0;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			break;
	}
	*first = 1;
	if (i < argc) {
		char *s = cli_safe(argv[i], 30);
		cli_usage(c, "unknown option '%s'", s);
		free(s);
		return 1;
	}
	return 0;
}

static const char rate_help[] =
	"Usage: lightbox rate CANDIDATE STARS\n"
	"       lightbox rate -\n"
	"\n"
	"Rates a candidate 0 to 5 stars as you ($LIGHTBOX_CURATOR, else your login).\n"
	"'none' removes your rating and flag.  With '-', reads 'CANDIDATE STARS' lines\n"
	"from standard input, saves each as its own change and prints 'saved CANDIDATE\n"
	"STARS' once it is on disk.\n";

static int rate_stream(struct cli *c)
{
	char line[256];
	long long id, stars;
	int lineno = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof line, stdin)) {
		lineno++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (sscanf(line, "%lld %lld", &id, &stars) != 2 || id < 1 || stars < 0 || stars > 5) {
			fprintf(stderr, "lightbox: rate: stdin:%d: expected 'CANDIDATE STARS' (stars 0 to 5)\n", lineno);
			failed = 1;
			continue;
		}
		if (store_rate(c->st, id, (int)stars) != 0) {
			fprintf(stderr, "lightbox: rate: stdin:%d: %s\n", lineno, store_errmsg(c->st));
			failed = 1;
			continue;
		}
		printf("saved %lld %lld\n", id, stars);
	}
	return failed ? CLI_FAIL : CLI_OK;
}

int cmd_rate(struct cli *c, int argc, char **argv)
{
	long long stars;
	int64_t id;
	int first;

	if (cli_args(c, &argc, argv, NULL, NULL, rate_help))
		return c->status;
	if (no_options(c, argc, argv, &first) != 0)
		return CLI_USAGE;
	if (argc - first == 1 && strcmp(argv[first], "-") == 0)
		return cli_store(c, 0) ? rate_stream(c) : CLI_FAIL;
	if (argc - first != 2)
		return cli_usage(c, "give a candidate id and 0 to 5 stars");
	if (cli_id(c, "candidate", argv[first], &id) < 0)
		return CLI_USAGE;
	if (strcmp(argv[first + 1], "none") == 0) {
		if (!cli_store(c, 0))
			return CLI_FAIL;
		if (store_unrate(c->st, id) != 0)
			return cli_store_fail(c);
		printf("candidate %lld: your rating removed\n", (long long)id);
		return CLI_OK;
	}
	if (util_parse_int(argv[first + 1], 0, 5, &stars) < 0) {
		char *s = cli_safe(argv[first + 1], 20);
		cli_usage(c, "stars must be 0 to 5 (or 'none'), not '%s'", s);
		free(s);
		return CLI_USAGE;
	}
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_rate(c->st, id, (int)stars) != 0)
		return cli_store_fail(c);
	printf("candidate %lld: %lld star%s\n", (long long)id, stars, stars == 1 ? "" : "s");
	return CLI_OK;
}

static const char flag_help[] =
	"Usage: lightbox flag CANDIDATE pick|reject|none\n"
	"\n"
	"Flags a candidate as a pick or a reject (as you), or clears your flag.\n";

int cmd_flag(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int first, flag;

	if (cli_args(c, &argc, argv, NULL, NULL, flag_help))
		return c->status;
	if (no_options(c, argc, argv, &first) != 0)
		return CLI_USAGE;
	if (argc - first != 2)
		return cli_usage(c, "give a candidate id and pick, reject or none");
	if (cli_id(c, "candidate", argv[first], &id) < 0)
		return CLI_USAGE;
	flag = lb_flag_parse(argv[first + 1]);
	if (flag < 0) {
		char *s = cli_safe(argv[first + 1], 20);
		cli_usage(c, "the flag is pick, reject or none, not '%s'", s);
		free(s);
		return CLI_USAGE;
	}
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_flag(c->st, id, flag) != 0)
		return cli_store_fail(c);
	printf("candidate %lld: %s\n", (long long)id, flag ? lb_flag_name(flag) : "flag cleared");
	return CLI_OK;
}

static const char tag_help[] =
	"Usage: lightbox tag add CANDIDATE TAG...\n"
	"       lightbox tag rm CANDIDATE TAG...\n"
	"       lightbox tag ls [PREFIX]\n"
	"\n"
	"Tags are shared by all curators; each remembers who added it.  A tag has no\n"
	"spaces or commas.  'tag ls' lists tags, most used first.\n";

static int tag_change(struct cli *c, int argc, char **argv, int add)
{
	int64_t id;
	int first, i, failed = 0;

	if (no_options(c, argc, argv, &first) != 0)
		return CLI_USAGE;
	if (argc - first < 2)
		return cli_usage(c, "give a candidate id and one or more tags");
	if (cli_id(c, "candidate", argv[first], &id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (argc - first > 2 && store_batch_begin(c->st, add ? "tag" : "untag") != 0)
		return cli_store_fail(c);
	for (i = first + 1; i < argc && !failed; i++)
		if ((add ? store_tag_add(c->st, id, argv[i]) : store_tag_rm(c->st, id, argv[i])) != 0)
			failed = 1;
	if (argc - first > 2 && store_batch_end(c->st, !failed) != 0 && !failed)
		failed = 1;
	if (failed)
		return cli_store_fail(c);
	printf("candidate %lld: %s %d tag%s\n", (long long)id, add ? "tagged with" : "untagged", argc - first - 1,
	       argc - first - 1 == 1 ? "" : "s");
	return CLI_OK;
}

static int tag_add(struct cli *c, int argc, char **argv)
{
	return tag_change(c, argc, argv, 1);
}

static int tag_rm(struct cli *c, int argc, char **argv)
{
	return tag_change(c, argc, argv, 0);
}

static int tag_ls(struct cli *c, int argc, char **argv)
{
	char **names;
	size_t n, i;
	int first;

	if (no_options(c, argc, argv, &first) != 0)
		return CLI_USAGE;
	if (argc - first > 1)
		return cli_usage(c, "give at most one prefix");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_tag_names(c->st, argc > first ? argv[first] : NULL, &names, &n) != 0)
		return cli_store_fail(c);
	for (i = 0; i < n; i++) {
		char *s = cli_safe(names[i], 0);
		puts(s);
		free(s);
	}
	store_strv_free(&names, n);
	return CLI_OK;
}

int cmd_tag(struct cli *c, int argc, char **argv)
{
	static const struct cli_sub subs[] = { { "add", tag_add, NULL, NULL },
					       { "rm", tag_rm, NULL, NULL },
					       { "ls", tag_ls, NULL, NULL } };

	return cli_dispatch(c, "tag", subs, sizeof subs / sizeof subs[0], tag_help, argc, argv);
}

static const char note_help[] =
	"Usage: lightbox note add CANDIDATE TEXT...\n"
	"       lightbox note add --brief BRIEF TEXT...\n"
	"       lightbox note add --project PROJECT TEXT...\n"
	"       lightbox note ls CANDIDATE | --brief BRIEF | --project PROJECT\n"
	"\n"
	"  --kind KIND   comment (default), edit or integration\n";

static const struct option note_opts[] = { { "brief", required_argument, NULL, 'b' },
					  { "project", required_argument, NULL, 'p' },
					  { "kind", required_argument, NULL, 'k' },
					  { 0 } };

static int note_args(struct cli *c, int argc, char **argv, int *target, int64_t *tid, int *kind)
{
	const char *brief = NULL, *project = NULL;
	int o;

	*kind = LB_NOTE_COMMENT;
	*target = LB_ON_CANDIDATE;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", note_opts, NULL)) != -1) {
		if (o == 'b')
			brief = optarg;
		else if (o == 'p')
			project = optarg;
		else if (o == 'k') {
			*kind = lb_note_kind_parse(optarg);
			if (*kind < 0)
				return cli_usage(c, "--kind is comment, edit or integration");
		} else
			return cli_usage(c, "unknown option");
	}
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (brief) {
		*target = LB_ON_BRIEF;
		if (cli_id(c, "brief", brief, tid) < 0)
			return CLI_USAGE;
	} else if (project) {
		*target = LB_ON_PROJECT;
		if (store_project_find(c->st, project, tid) != 0)
			return cli_store_fail(c);
	} else {
		if (optind >= argc)
			return cli_usage(c, "say what the note is on: a candidate id, --brief or --project");
		if (cli_id(c, "candidate", argv[optind++], tid) < 0)
			return CLI_USAGE;
	}
	return 0;
}

static int note_add(struct cli *c, int argc, char **argv)
{
	struct sbuf body;
	int64_t tid, id;
	int target, kind, rc, i;

	rc = note_args(c, argc, argv, &target, &tid, &kind);
	if (rc)
		return rc;
	if (optind >= argc)
		return cli_usage(c, "give the note's text");
	sb_init(&body);
	for (i = optind; i < argc; i++) {
		if (i > optind)
			sb_addc(&body, ' ');
		sb_adds(&body, argv[i]);
	}
	rc = store_note_add(c->st, target, tid, kind, body.s, &id) != 0 ? cli_store_fail(c) : CLI_OK;
	if (rc == CLI_OK)
		printf("note %lld added\n", (long long)id);
	sb_free(&body);
	return rc;
}

static int note_ls(struct cli *c, int argc, char **argv)
{
	struct lb_note_list l;
	int64_t tid;
	int target, kind, rc;
	size_t i;
	char when[32];

	rc = note_args(c, argc, argv, &target, &tid, &kind);
	if (rc)
		return rc;
	if (store_notes(c->st, target, tid, &l) != 0)
		return cli_store_fail(c);
	for (i = 0; i < l.n; i++) {
		char *who = cli_safe(l.v[i].curator, 30), *body = util_visible_dup(l.v[i].body, 1);
		util_iso8601(l.v[i].created, when);
		printf("note %lld  %s  %s  %s\n%s\n\n", (long long)l.v[i].id, when, who,
		       lb_note_kind_name(l.v[i].kind), body);
		free(who);
		free(body);
	}
	lb_note_list_free(&l);
	return CLI_OK;
}

int cmd_note(struct cli *c, int argc, char **argv)
{
	static const struct cli_sub subs[] = { { "add", note_add, "", note_opts }, { "ls", note_ls, "", note_opts } };

	return cli_dispatch(c, "note", subs, sizeof subs / sizeof subs[0], note_help, argc, argv);
}

static const char select_help[] =
	"Usage: lightbox select CANDIDATE [--use TEXT] [--note TEXT]\n"
	"       lightbox unselect CANDIDATE\n"
	"\n"
	"Records a candidate in its project's selection record, with its intended\n"
	"use and an integration note (where and how it is used).\n";

int cmd_select(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "use", required_argument, NULL, 'u' },
					      { "note", required_argument, NULL, 'n' },
					      { 0 } };
	const char *use = NULL, *note = NULL;
	int64_t id;
	int o;

	if (cli_args(c, &argc, argv, "", opts, select_help))
		return c->status;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'u')
			use = optarg;
		else if (o == 'n')
			note = optarg;
		else
			return cli_usage(c, "unknown option");
	}
	if (optind + 1 != argc)
		return cli_usage(c, "give one candidate id");
	if (cli_id(c, "candidate", argv[optind], &id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_select(c->st, id, use, note) != 0)
		return cli_store_fail(c);
	printf("candidate %lld: selected\n", (long long)id);
	return CLI_OK;
}

int cmd_unselect(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int first;

	if (cli_args(c, &argc, argv, NULL, NULL, select_help))
		return c->status;
	if (no_options(c, argc, argv, &first) != 0)
		return CLI_USAGE;
	if (argc - first != 1)
		return cli_usage(c, "give one candidate id");
	if (cli_id(c, "candidate", argv[first], &id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_unselect(c->st, id) != 0)
		return cli_store_fail(c);
	printf("candidate %lld: not selected\n", (long long)id);
	return CLI_OK;
}

static const char undo_help[] =
	"Usage: lightbox undo\n"
	"       lightbox redo\n"
	"\n"
	"Undo reverses your last change (a rating, flag, tag, note, selection, brief\n"
	"edit, or a whole bulk action) from the audit log; redo puts it back while you\n"
	"have changed nothing since.  Other curators' changes are never undone, and an\n"
	"undo refuses when someone changed the same thing after you.\n";

static int undo_redo(struct cli *c, int argc, char **argv, int undo)
{
	char *what = NULL, *s;
	int first;

	if (cli_args(c, &argc, argv, NULL, NULL, undo_help))
		return c->status;
	if (no_options(c, argc, argv, &first) != 0)
		return CLI_USAGE;
	if (argc - first != 0)
		return cli_usage(c, "takes no arguments");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if ((undo ? store_undo(c->st, &what) : store_redo(c->st, &what)) != 0)
		return cli_store_fail(c);
	s = cli_safe(what, 0);
	printf("%s: %s\n", undo ? "undone" : "redone", s);
	free(s);
	free(what);
	return CLI_OK;
}

int cmd_undo(struct cli *c, int argc, char **argv)
{
	return undo_redo(c, argc, argv, 1);
}

int cmd_redo(struct cli *c, int argc, char **argv)
{
	return undo_redo(c, argc, argv, 0);
}

static const char log_help[] =
	"Usage: lightbox log [--curator NAME] [--candidate ID] [--limit N] [--before EVENT] [--json]\n"
	"\n"
	"The audit log, newest first: who changed what, when, from what to what.  Who\n"
	"is the curator; a curator name that is not the Unix login that made the change\n"
	"shows as \"LOGIN (as CURATOR)\".\n";

int cmd_log(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "curator", required_argument, NULL, 'c' },
					      { "candidate", required_argument, NULL, 'i' },
					      { "limit", required_argument, NULL, 'l' },
					      { "before", required_argument, NULL, 'b' },
					      { "json", no_argument, NULL, 'j' },
					      { 0 } };
	static const char *const heads[] = { "EVENT", "WHEN", "CURATOR", "ACTION", "ON", "BEFORE", "AFTER" };
	struct lb_log_filter f = { 0 };
	struct lb_event_list l;
	struct cli_table *t;
	long long limit = 50;
	int o, json = 0;
	size_t i;
	json_t *arr;

	if (cli_args(c, &argc, argv, "", opts, log_help))
		return c->status;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			f.curator = optarg;
		else if (o == 'i') {
			if (cli_id(c, "candidate", optarg, &f.candidate_id) < 0)
				return CLI_USAGE;
		} else if (o == 'b') {
			if (cli_id(c, "event", optarg, &f.before_id) < 0)
				return CLI_USAGE;
		} else if (o == 'l') {
			if (util_parse_int(optarg, 1, 100000, &limit) < 0)
				return cli_usage(c, "--limit takes 1 to 100000");
		} else if (o == 'j')
			json = 1;
		else
			return cli_usage(c, "unknown option");
	}
	if (optind != argc)
		return cli_usage(c, "takes only options");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_log(c->st, &f, (int)limit, &l) != 0)
		return cli_store_fail(c);
	if (json) {
		arr = json_array();
		for (i = 0; i < l.n; i++) {
			json_t *e = json_object();
			char when[32];
			util_iso8601(l.v[i].at, when);
			json_object_set_new(e, "id", json_integer(l.v[i].id));
			json_object_set_new(e, "at", json_string(when));
			json_object_set_new(e, "curator", json_string(l.v[i].curator));
			json_object_set_new(e, "login", json_string(l.v[i].login));
			json_object_set_new(e, "action", json_string(l.v[i].action));
			json_object_set_new(e, "entity", json_string(l.v[i].entity));
			json_object_set_new(e, "entity_id", json_integer(l.v[i].entity_id));
			json_object_set_new(e, "before", l.v[i].before ? json_loads(l.v[i].before, 0, NULL) : json_null());
			json_object_set_new(e, "after", l.v[i].after ? json_loads(l.v[i].after, 0, NULL) : json_null());
			json_object_set_new(e, "group", json_integer(l.v[i].group_id));
			json_object_set_new(e, "undone", json_boolean(l.v[i].undone));
			json_array_append_new(arr, e);
		}
		cli_json_print(arr);
	} else {
		t = cli_table_new(7, heads, "rllllll");
		for (i = 0; i < l.n; i++) {
			char id[24], when[32], on[64], action[64], *who = store_event_who(&l.v[i]);
			const char *cells[7];
			snprintf(id, sizeof id, "%lld", (long long)l.v[i].id);
			util_iso8601(l.v[i].at, when);
			snprintf(on, sizeof on, "%s %lld", l.v[i].entity, (long long)l.v[i].entity_id);
			snprintf(action, sizeof action, "%s%s", l.v[i].action, l.v[i].undone ? " (undone)" : "");
			cells[0] = id;
			cells[1] = when;
			cells[2] = who;
			cells[3] = action;
			cells[4] = on;
			cells[5] = l.v[i].before ? l.v[i].before : "-";
			cells[6] = l.v[i].after ? l.v[i].after : "-";
			cli_table_row(t, cells);
			free(who);
		}
		cli_table_print(t, stdout);
		cli_table_free(&t);
	}
	lb_event_list_free(&l);
	return CLI_OK;
}
