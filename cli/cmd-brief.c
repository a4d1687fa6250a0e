/*
 * cmd-brief.c - lightbox brief add|ls|show|edit
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox brief add --project PROJECT --title TITLE [FIELDS]\n"
	"       lightbox brief ls --project PROJECT [--all] [--json]\n"
	"       lightbox brief show BRIEF [--revisions] [--json]\n"
	"       lightbox brief edit BRIEF [FIELDS]\n"
	"       lightbox brief blind BRIEF on|off\n"
	"\n"
	"A brief is the task given to a model: a prompt with its parameters,\n"
	"constraints and references.  Every edit is kept as a revision.\n"
	"'brief edit' without FIELDS opens $VISUAL or $EDITOR on the brief's text and\n"
	"saves a new revision only if it changed.\n"
	"'brief blind' turns blind review on or off: while on, no curator sees another's\n"
	"stars, flags, notes or means on a candidate before rating or flagging it.\n"
	"\n"
	"FIELDS:\n"
	"  --title TEXT        a short name\n"
	"  --modality KIND     image (default), text, audio or video\n"
	"  --prompt TEXT       the prompt\n"
	"  --negative TEXT     the negative prompt\n"
	"  --params JSON       parameters as a JSON object, e.g. '{\"steps\":30}'\n"
	"  --constraints TEXT  what a result must respect\n"
	"  --refs TEXT         references, one per line\n"
	"  --backend NAME      the backend to generate with (default: the configured one)\n"
	"Other options:\n"
	"  --project PROJECT   a project id or slug\n"
	"  --all               list archived briefs too\n"
	"  --revisions         show every revision\n"
	"  --json              print JSON\n";

enum { O_TITLE = 1000, O_MODALITY, O_PROMPT, O_NEGATIVE, O_PARAMS, O_CONSTRAINTS, O_REFS, O_BACKEND, O_PROJECT,
       O_ALL, O_JSON, O_REVISIONS };

static const struct option field_opts[] = {
	{ "title", required_argument, NULL, O_TITLE },
	{ "modality", required_argument, NULL, O_MODALITY },
	{ "prompt", required_argument, NULL, O_PROMPT },
	{ "negative", required_argument, NULL, O_NEGATIVE },
	{ "params", required_argument, NULL, O_PARAMS },
	{ "constraints", required_argument, NULL, O_CONSTRAINTS },
	{ "refs", required_argument, NULL, O_REFS },
	{ "backend", required_argument, NULL, O_BACKEND },
	{ "project", required_argument, NULL, O_PROJECT },
	{ "all", no_argument, NULL, O_ALL },
	{ "json", no_argument, NULL, O_JSON },
	{ "revisions", no_argument, NULL, O_REVISIONS },
	{ 0 },
};

/* Options as parsed; set[] says which fields were given. */
struct brief_args {
	struct lb_brief_fields f;
	int set[O_BACKEND - O_TITLE + 1];
	int any_field;
	const char *project;
	int all, json, revisions;
};

static void replace(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int parse(struct cli *c, int argc, char **argv, struct brief_args *a)
{
	int o;

	optind = 0;
	while ((o = getopt_long(argc, argv, "", field_opts, NULL)) != -1) {
		if (o >= O_TITLE && o <= O_BACKEND) {
			a->set[o - O_TITLE] = 1;
			a->any_field = 1;
		}
		switch (o) {
		case O_TITLE: replace(&a->f.title, optarg); break;
		case O_MODALITY:
			a->f.modality = lb_modality_parse(optarg);
			if (a->f.modality < 0)
				return cli_usage(c, "--modality is image, text, audio or video");
			break;
		case O_PROMPT: replace(&a->f.prompt, optarg); break;
		case O_NEGATIVE: replace(&a->f.negative, optarg); break;
		case O_PARAMS: replace(&a->f.params, optarg); break;
		case O_CONSTRAINTS: replace(&a->f.constraints, optarg); break;
		case O_REFS: replace(&a->f.refs, optarg); break;
		case O_BACKEND: replace(&a->f.backend, optarg); break;
		case O_PROJECT: a->project = optarg; break;
		case O_ALL: a->all = 1; break;
		case O_JSON: a->json = 1; break;
		case O_REVISIONS: a->revisions = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	return 0;
}

static int brief_add(struct cli *c, int argc, char **argv)
{
	struct brief_args a;
	int64_t pid, id;
	int rc;

	memset(&a, 0, sizeof a);
	rc = parse(c, argc, argv, &a);
	if (rc == 0 && optind != argc)
		rc = cli_usage(c, "unexpected argument; quote values that have spaces");
	if (rc == 0 && a.project == NULL)
		rc = cli_usage(c, "say which project with --project (an id or slug)");
	if (rc == 0 && (a.f.title == NULL || *a.f.title == '\0'))
		rc = cli_usage(c, "give the brief a --title");
	if (rc == 0 && !cli_store(c, 0))
		rc = CLI_FAIL;
	if (rc == 0 && (store_project_find(c->st, a.project, &pid) != 0 || store_brief_add(c->st, pid, &a.f, &id) != 0))
		rc = cli_store_fail(c);
	if (rc == 0)
		printf("brief %lld added to project %lld\n", (long long)id, (long long)pid);
	lb_brief_fields_clear(&a.f);
	return rc;
}

static int brief_ls(struct cli *c, int argc, char **argv)
{
	static const char *const heads[] = { "ID", "TITLE", "KIND", "REV", "CANDIDATES", "RATED", "PICKED", "SELECTED" };
	struct brief_args a;
	struct lb_brief_list l;
	struct cli_table *t;
	int64_t pid;
	json_t *arr;
	size_t i;
	int rc;

	memset(&a, 0, sizeof a);
	rc = parse(c, argc, argv, &a);
	lb_brief_fields_clear(&a.f);
	if (rc)
		return rc;
	if (optind != argc || a.any_field)
		return cli_usage(c, "'brief ls' takes --project, --all and --json");
	if (a.project == NULL)
		return cli_usage(c, "say which project with --project (an id or slug)");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_project_find(c->st, a.project, &pid) != 0 || store_brief_list(c->st, pid, a.all, &l) != 0)
		return cli_store_fail(c);
	if (a.json) {
		arr = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(arr, cli_json_brief(&l.v[i]));
		cli_json_print(arr);
	} else if (l.n == 0) {
		printf("no briefs in project %lld: add one with 'lightbox brief add --project %lld --title ...'\n",
		       (long long)pid, (long long)pid);
	} else {
		t = cli_table_new(8, heads, "rllrrrrr");
		for (i = 0; i < l.n; i++) {
			char n[6][24], *title;
			const char *cells[8];
			snprintf(n[0], 24, "%lld", (long long)l.v[i].id);
			snprintf(n[1], 24, "%d", l.v[i].rev);
			snprintf(n[2], 24, "%lld", (long long)l.v[i].n_candidates);
			snprintf(n[3], 24, "%lld", (long long)l.v[i].n_rated_by_me);
			snprintf(n[4], 24, "%lld", (long long)l.v[i].n_picked);
			snprintf(n[5], 24, "%lld", (long long)l.v[i].n_selected);
			title = l.v[i].archived ? xasprintf("%s (archived)", l.v[i].f.title) : xstrdup(l.v[i].f.title);
			cells[0] = n[0];
			cells[1] = title;
			cells[2] = lb_modality_name(l.v[i].f.modality);
			cells[3] = n[1];
			cells[4] = n[2];
			cells[5] = n[3];
			cells[6] = n[4];
			cells[7] = n[5];
			cli_table_row(t, cells);
			free(title);
		}
		cli_table_print(t, stdout);
		cli_table_free(&t);
	}
	lb_brief_list_free(&l);
	return CLI_OK;
}

static void print_block(const char *label, const char *text)
{
	char *s;

	if (text == NULL || *text == '\0')
		return;
	s = util_visible_dup(text, 1);
	printf("%s:\n", label);
	{
		char *line, *save = NULL;
		for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			printf("  %s\n", line);
	}
	free(s);
}

static int brief_blind(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int on;

	if (argc != 3 || (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0))
		return cli_usage(c, "write 'brief blind BRIEF on' or 'brief blind BRIEF off'");
	if (cli_id(c, "brief", argv[1], &id) < 0)
		return CLI_USAGE;
	on = strcmp(argv[2], "on") == 0;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_brief_blind(c->st, id, on) != 0)
		return cli_store_fail(c);
	printf("brief %lld: blind review %s\n", (long long)id,
	       on ? "on (each curator sees the others' judgements of a candidate only after judging it)"
		  : "off");
	return CLI_OK;
}

static int brief_show(struct cli *c, int argc, char **argv)
{
	struct brief_args a;
	struct lb_brief b;
	struct lb_revision_list revs = { 0 };
	int64_t id;
	json_t *o, *arr;
	char when[32], *s;
	size_t i;
	int rc;

	memset(&a, 0, sizeof a);
	rc = parse(c, argc, argv, &a);
	lb_brief_fields_clear(&a.f);
	if (rc)
		return rc;
	if ((rc = cli_brief_operand(c, argc, argv, &id, &b)) != CLI_OK)
		return rc;
	if (a.revisions && store_brief_revisions(c->st, id, &revs) != 0) {
		lb_brief_clear(&b);
		return cli_store_fail(c);
	}
	if (a.json) {
		o = cli_json_brief(&b);
		if (a.revisions) {
			arr = json_array();
			for (i = 0; i < revs.n; i++) {
				json_t *r = json_object();
				util_iso8601(revs.v[i].created, when);
				json_object_set_new(r, "revision", json_integer(revs.v[i].rev));
				json_object_set_new(r, "author", json_string(revs.v[i].author));
				json_object_set_new(r, "created", json_string(when));
				json_object_set_new(r, "title", json_string(revs.v[i].f.title));
				json_object_set_new(r, "prompt", json_string(revs.v[i].f.prompt));
				json_object_set_new(r, "negative_prompt", json_string(revs.v[i].f.negative));
				json_object_set_new(r, "parameters", json_loads(revs.v[i].f.params, 0, NULL));
				json_array_append_new(arr, r);
			}
			json_object_set_new(o, "revisions", arr);
		}
		cli_json_print(o);
	} else {
		s = cli_safe(b.f.title, 0);
		printf("brief %lld: %s\n", (long long)b.id, s);
		free(s);
		util_iso8601(b.updated, when);
		printf("project:    %lld\nkind:       %s\nrevision:   %d (%s)\n", (long long)b.project_id,
		       lb_modality_name(b.f.modality), b.rev, when);
		s = cli_safe(*b.f.backend ? b.f.backend : "(configured default)", 0);
		printf("backend:    %s\nparams:     %s\n", s, b.f.params);
		free(s);
		if (b.blind)
			printf("blind:      on (no one sees the others' judgements of a candidate before "
			       "judging it)\n");
		printf("candidates: %lld (rated by me %lld, picked %lld, selected %lld)\n",
		       (long long)b.n_candidates, (long long)b.n_rated_by_me, (long long)b.n_picked,
		       (long long)b.n_selected);
		print_block("prompt", b.f.prompt);
		print_block("negative prompt", b.f.negative);
		print_block("constraints", b.f.constraints);
		print_block("references", b.f.refs);
		for (i = 0; i < revs.n; i++) {
			util_iso8601(revs.v[i].created, when);
			s = cli_safe(revs.v[i].f.prompt, 60);
			printf("revision %d  %s  %s  %s\n", revs.v[i].rev, when, revs.v[i].author, s);
			free(s);
		}
	}
	lb_revision_list_free(&revs);
	lb_brief_clear(&b);
	return CLI_OK;
}

/* Opens the editor on the brief's text until it parses or the user
 * gives up; *f gets the result.  Keeps the file when it cannot be used. */
static int edit_in_editor(struct cli *c, const struct lb_brief *b, struct lb_brief_fields *f, int *same)
{
	char path[] = "/tmp/lightbox-brief-XXXXXX.txt", *text = NULL, *after = NULL, *err = NULL;
	size_t len;
	int fd, rc = CLI_OK;

	*same = 0;
	text = store_brief_to_text(b);
	fd = mkostemps(path, 4, O_CLOEXEC); /* other threads start ffmpeg meanwhile */
	if (fd < 0) {
		free(text);
		return cli_error(c, "cannot create a temporary file: %s", strerror(errno));
	}
	if (util_write_all(fd, text, strlen(text)) < 0 || close(fd) < 0) {
		unlink(path);
		free(text);
		return cli_error(c, "cannot write %s: %s%s", path, strerror(errno), util_write_hint(errno));
	}
	if (util_run_editor(getenv("LIGHTBOX_EDITOR"), path, &err) < 0) {
		rc = cli_error(c, "%s", err);
		unlink(path);
	} else if (util_read_file(path, 16 << 20, &after, &len) < 0) {
		rc = cli_error(c, "cannot read back %s: %s", path, strerror(errno));
	} else if (strcmp(after, text) == 0) {
		*same = 1;
		unlink(path);
	} else if (store_brief_from_text(after, f, &err) != 0) {
		rc = cli_error(c, "%s; nothing was saved, your text is kept in %s", err, path);
	} else {
		unlink(path);
	}
	free(err);
	free(text);
	free(after);
	return rc;
}

static int brief_edit(struct cli *c, int argc, char **argv)
{
	struct brief_args a;
	struct lb_brief b;
	struct lb_brief_fields f;
	int64_t id;
	int rc, changed = 0, same = 0, i;
	char **dst[8];
	char *const *src[8];

	memset(&a, 0, sizeof a);
	memset(&f, 0, sizeof f);
	rc = parse(c, argc, argv, &a);
	if (rc == 0 && optind + 1 != argc)
		rc = cli_usage(c, "give one brief id");
	if (rc == 0 && cli_id(c, "brief", argv[optind], &id) < 0)
		rc = CLI_USAGE;
	if (rc == 0 && !cli_store(c, 0))
		rc = CLI_FAIL;
	if (rc == 0 && store_brief_get(c->st, id, &b) != 0)
		rc = cli_store_fail(c);
	if (rc) {
		lb_brief_fields_clear(&a.f);
		return rc;
	}
	if (a.any_field) {
		/* Fields given on the command line replace the current ones. */
		dst[0] = &b.f.title, src[0] = &a.f.title;
		dst[1] = &b.f.prompt, src[1] = &a.f.prompt;
		dst[2] = &b.f.negative, src[2] = &a.f.negative;
		dst[3] = &b.f.params, src[3] = &a.f.params;
		dst[4] = &b.f.constraints, src[4] = &a.f.constraints;
		dst[5] = &b.f.refs, src[5] = &a.f.refs;
		dst[6] = &b.f.backend, src[6] = &a.f.backend;
		for (i = 0; i < 7; i++)
			if (*src[i])
				replace(dst[i], *src[i]);
		if (a.set[O_MODALITY - O_TITLE])
			b.f.modality = a.f.modality;
		rc = store_brief_edit(c->st, id, &b.f, &changed) != 0 ? cli_store_fail(c) : CLI_OK;
	} else {
		rc = edit_in_editor(c, &b, &f, &same);
		if (rc == CLI_OK && !same && store_brief_edit(c->st, id, &f, &changed) != 0)
			rc = cli_store_fail(c);
	}
	if (rc == CLI_OK) {
		if (changed) {
			lb_brief_clear(&b);
			store_brief_get(c->st, id, &b);
			printf("brief %lld: saved revision %d\n", (long long)id, b.rev);
		} else {
			printf("brief %lld: unchanged, no new revision\n", (long long)id);
		}
	}
	lb_brief_fields_clear(&f);
	lb_brief_fields_clear(&a.f);
	lb_brief_clear(&b);
	return rc;
}

int cmd_brief(struct cli *c, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "add", brief_add, "", field_opts },
		{ "ls", brief_ls, "", field_opts },
		{ "show", brief_show, "", field_opts },
		{ "edit", brief_edit, "", field_opts },
		{ "blind", brief_blind, NULL, NULL },
	};

	return cli_dispatch(c, "brief", subs, sizeof subs / sizeof subs[0], help, argc, argv);
}
