/*
 * cmd-view.c - lightbox view save|ls|rm: saved views, named queries the
 * team shares (with --view NAME wherever --query goes).
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox view save NAME QUERY [--sort ORDER] [--project PROJECT]\n"
	"       lightbox view ls [--project PROJECT] [--json]\n"
	"       lightbox view rm NAME [--project PROJECT]\n"
	"\n"
	"A saved view is a named query (QUERIES in lightbox(1)) with its sort, kept in\n"
	"the store so the team shares it, with its author.  Use it as --view NAME with\n"
	"'candidate ls' and 'export', or from the interface (the view-open action).\n"
	"\n"
	"  --project PROJECT   the view belongs to this project (else to the whole store);\n"
	"                      a project's view hides a store-wide one of the same name\n"
	"  --sort ORDER        oldest (default), newest, stars or score\n"
	"  --json              print JSON\n";

enum { O_PROJECT = 1000, O_SORT, O_JSON };

static const struct option opts[] = {
	{ "project", required_argument, NULL, O_PROJECT },
	{ "sort", required_argument, NULL, O_SORT },
	{ "json", no_argument, NULL, O_JSON },
	{ 0 },
};

struct view_args {
	const char *project, *sort;
	int json;
	int64_t project_id;
};

static int parse(struct cli *c, int argc, char **argv, struct view_args *a)
{
	int o;

	memset(a, 0, sizeof *a);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case O_PROJECT: a->project = optarg; break;
		case O_SORT:
			if (lb_sort_parse(optarg) < 0)
				return cli_usage(c, "--sort is oldest, newest, stars or score");
			a->sort = optarg;
			break;
		case O_JSON: a->json = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	return 0;
}

static int open_project(struct cli *c, struct view_args *a)
{
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (a->project && store_project_find(c->st, a->project, &a->project_id) != 0)
		return cli_store_fail(c);
	return 0;
}

static int view_save(struct cli *c, int argc, char **argv)
{
	struct view_args a;
	int rc = parse(c, argc, argv, &a), replaced = 0;
	char *safe;

	if (rc)
		return rc;
	if (optind + 2 != argc)
		return cli_usage(c, "give the view's name and its query (quoted)");
	if (cli_query_ok(c, "the query", argv[optind + 1]) != 0)
		return CLI_USAGE;
	rc = open_project(c, &a);
	if (rc)
		return rc;
	if (store_view_save(c->st, a.project_id, argv[optind], argv[optind + 1], a.sort, &replaced) != 0)
		return cli_store_fail(c);
	safe = cli_safe(argv[optind], 0);
	printf("view '%s' %s\n", safe, replaced ? "replaced" : "saved");
	free(safe);
	return CLI_OK;
}

static int view_rm(struct cli *c, int argc, char **argv)
{
	struct view_args a;
	int rc = parse(c, argc, argv, &a);
	char *safe;

	if (rc)
		return rc;
	if (optind + 1 != argc)
		return cli_usage(c, "give the name of the view to remove");
	rc = open_project(c, &a);
	if (rc)
		return rc;
	if (store_view_rm(c->st, a.project_id, argv[optind]) != 0)
		return cli_store_fail(c);
	safe = cli_safe(argv[optind], 0);
	printf("view '%s' removed\n", safe);
	free(safe);
	return CLI_OK;
}

static int view_ls(struct cli *c, int argc, char **argv)
{
	static const char *const heads[] = { "NAME", "PROJECT", "SORT", "AUTHOR", "QUERY" };
	struct lb_saved_view_list l;
	struct view_args a;
	struct cli_table *t;
	json_t *arr, *o;
	char proj[24], updated[32], *cells[5];
	size_t i;
	int rc = parse(c, argc, argv, &a), k;

	if (rc)
		return rc;
	if (optind != argc)
		return cli_usage(c, "'view ls' takes only options");
	rc = open_project(c, &a);
	if (rc)
		return rc;
	if (store_views(c->st, a.project ? a.project_id : -1, &l) != 0)
		return cli_store_fail(c);
	if (a.json) {
		arr = json_array();
		for (i = 0; i < l.n; i++) {
			util_iso8601(l.v[i].updated, updated);
			o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "name", l.v[i].name, "project_id",
				      l.v[i].project_id ? json_integer(l.v[i].project_id) : json_null(), "query",
				      l.v[i].query, "sort", l.v[i].sort, "author", l.v[i].author, "updated", updated);
			json_array_append_new(arr, o);
		}
		cli_json_print(arr);
	} else if (l.n == 0) {
		printf("no saved views; save one with 'lightbox view save NAME QUERY'\n");
	} else {
		t = cli_table_new(5, heads, "lllll");
		for (i = 0; i < l.n; i++) {
			snprintf(proj, sizeof proj, l.v[i].project_id ? "%lld" : "(all)", (long long)l.v[i].project_id);
			cells[0] = cli_safe(l.v[i].name, 30);
			cells[1] = xstrdup(proj);
			cells[2] = xstrdup(l.v[i].sort);
			cells[3] = cli_safe(l.v[i].author, 20);
			cells[4] = cli_safe(l.v[i].query, 70);
			cli_table_row(t, (const char *const *)cells);
			for (k = 0; k < 5; k++)
				free(cells[k]);
		}
		cli_table_print(t, stdout);
		cli_table_free(&t);
	}
	lb_saved_view_list_free(&l);
	return CLI_OK;
}

int cli_view_find(struct cli *c, const char *name, int64_t project_id, const char **query, int *sort,
		  char **owned)
{
	struct lb_saved_view v;

	*owned = NULL;
	if (name == NULL)
		return 0;
	if (store_view_get(c->st, project_id, name, 1, &v) != 0)
		return cli_store_fail(c);
	if (*query) {
		cli_error(c, "give --query or --view, not both (add to the view's query instead: "
			     "'lightbox view save NAME \"...\"')");
		lb_saved_view_clear(&v);
		return CLI_USAGE;
	}
	*owned = v.query;
	v.query = NULL;
	*query = *owned;
	if (sort && *sort < 0)
		*sort = lb_sort_parse(v.sort);
	lb_saved_view_clear(&v);
	return 0;
}

int cmd_view(struct cli *c, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "save", view_save, "", opts },
		{ "ls", view_ls, "", opts },
		{ "rm", view_rm, "", opts },
	};

	return cli_dispatch(c, "view", subs, sizeof subs / sizeof subs[0], help, argc, argv);
}
