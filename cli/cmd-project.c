/*
 * cmd-project.c - lightbox project add|ls|show|archive
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox project add NAME [--description TEXT]\n"
	"       lightbox project ls [--all] [--json]\n"
	"       lightbox project show PROJECT [--json]\n"
	"       lightbox project archive PROJECT [--undo]\n"
	"\n"
	"Projects hold briefs.  PROJECT is an id (as 'project ls' prints it) or a slug.\n"
	"\n"
	"  --description TEXT  what the project is for\n"
	"  --all               list archived projects too\n"
	"  --json              print JSON instead of a table\n"
	"  --undo              take the project out of the archive\n";

static json_t *project_json(const struct lb_project *p)
{
	json_t *o = json_object();
	char created[32];

	util_iso8601(p->created, created);
	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "slug", json_string(p->slug));
	json_object_set_new(o, "description", json_string(p->description));
	json_object_set_new(o, "archived", json_boolean(p->archived));
	json_object_set_new(o, "created", json_string(created));
	json_object_set_new(o, "briefs", json_integer(p->n_briefs));
	json_object_set_new(o, "candidates", json_integer(p->n_candidates));
	json_object_set_new(o, "selected", json_integer(p->n_selected));
	return o;
}

static const struct option add_opts[] = { { "description", required_argument, NULL, 'd' }, { 0 } };

static int project_add(struct cli *c, int argc, char **argv)
{
	const char *desc = "";
	int64_t id;
	int o;

	while ((o = getopt_long(argc, argv, "d:", add_opts, NULL)) != -1) {
		if (o == 'd')
			desc = optarg;
		else
			return cli_usage(c, "unknown option");
	}
	if (optind + 1 != argc)
		return cli_usage(c, "give the project's name, quoted if it has spaces");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_project_add(c->st, argv[optind], desc, &id) != 0)
		return cli_store_fail(c);
	printf("project %lld added\n", (long long)id);
	return CLI_OK;
}

static int project_ls(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "all", no_argument, NULL, 'a' },
					      { "json", no_argument, NULL, 'j' },
					      { 0 } };
	static const char *const heads[] = { "ID", "NAME", "SLUG", "BRIEFS", "CANDIDATES", "SELECTED" };
	struct lb_project_list l;
	struct cli_table *t;
	json_t *arr;
	int o, all = 0, json = 0;
	size_t i;

	while ((o = getopt_long(argc, argv, "aj", opts, NULL)) != -1) {
		if (o == 'a')
			all = 1;
		else if (o == 'j')
			json = 1;
		else
			return cli_usage(c, "unknown option");
	}
	if (optind != argc)
		return cli_usage(c, "'project ls' takes no arguments");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_project_list(c->st, all, &l) != 0)
		return cli_store_fail(c);
	if (json) {
		arr = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(arr, project_json(&l.v[i]));
		cli_json_print(arr);
	} else if (l.n == 0) {
		printf("no projects yet: add one with 'lightbox project add NAME'\n");
	} else {
		t = cli_table_new(6, heads, "rllrrr");
		for (i = 0; i < l.n; i++) {
			char id[24], nb[24], nc[24], ns[24], *name;
			const char *cells[6];
			snprintf(id, sizeof id, "%lld", (long long)l.v[i].id);
			snprintf(nb, sizeof nb, "%lld", (long long)l.v[i].n_briefs);
			snprintf(nc, sizeof nc, "%lld", (long long)l.v[i].n_candidates);
			snprintf(ns, sizeof ns, "%lld", (long long)l.v[i].n_selected);
			name = l.v[i].archived ? xasprintf("%s (archived)", l.v[i].name) : xstrdup(l.v[i].name);
			cells[0] = id;
			cells[1] = name;
			cells[2] = l.v[i].slug;
			cells[3] = nb;
			cells[4] = nc;
			cells[5] = ns;
			cli_table_row(t, cells);
			free(name);
		}
		cli_table_print(t, stdout);
		cli_table_free(&t);
	}
	lb_project_list_free(&l);
	return CLI_OK;
}

/* A subcommand whose one option is the flag opts[0], and whose one
 * operand is a project: sets *flag and *id, opening the store.  CLI_OK,
 * or the exit status after saying why. */
static int flag_and_project(struct cli *c, int argc, char **argv, const struct option *opts,
			    int *flag, int64_t *id)
{
	char shortopt[2] = { (char)opts[0].val, '\0' };
	int o;

	*flag = 0;
	while ((o = getopt_long(argc, argv, shortopt, opts, NULL)) != -1) {
		if (o != opts[0].val)
			return cli_usage(c, "unknown option");
		*flag = 1;
	}
	if (optind + 1 != argc)
		return cli_usage(c, "give one project id or slug");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_project_find(c->st, argv[optind], id) != 0)
		return cli_store_fail(c);
	return CLI_OK;
}

static int project_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	struct lb_project p;
	struct lb_brief_list bl;
	json_t *o, *arr;
	int64_t id;
	int rc, json;
	size_t i;
	char *s, created[32];

	if ((rc = flag_and_project(c, argc, argv, opts, &json, &id)) != CLI_OK)
		return rc;
	if (store_project_get(c->st, id, &p) != 0)
		return cli_store_fail(c);
	if (store_brief_list(c->st, id, 1, &bl) != 0) {
		lb_project_clear(&p);
		return cli_store_fail(c);
	}
	if (json) {
		o = project_json(&p);
		arr = json_array();
		for (i = 0; i < bl.n; i++)
			json_array_append_new(arr, cli_json_brief(&bl.v[i]));
		json_object_set_new(o, "brief_list", arr);
		cli_json_print(o);
	} else {
		util_iso8601(p.created, created);
		s = cli_safe(p.name, 0);
		printf("project %lld: %s%s\n", (long long)p.id, s, p.archived ? " (archived)" : "");
		free(s);
		printf("slug:       %s\ncreated:    %s\n", p.slug, created);
		if (*p.description) {
			s = cli_safe(p.description, 0);
			printf("about:      %s\n", s);
			free(s);
		}
		printf("briefs:     %lld\ncandidates: %lld\nselected:   %lld\n", (long long)p.n_briefs,
		       (long long)p.n_candidates, (long long)p.n_selected);
		for (i = 0; i < bl.n; i++) {
			s = cli_safe(bl.v[i].f.title, 60);
			printf("  brief %lld: %s (%s, rev %d, %lld candidates)%s\n", (long long)bl.v[i].id, s,
			       lb_modality_name(bl.v[i].f.modality), bl.v[i].rev, (long long)bl.v[i].n_candidates,
			       bl.v[i].archived ? " archived" : "");
			free(s);
		}
	}
	lb_brief_list_free(&bl);
	lb_project_clear(&p);
	return CLI_OK;
}

static int project_archive(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "undo", no_argument, NULL, 'u' }, { 0 } };
	int64_t id;
	int rc, undo;

	if ((rc = flag_and_project(c, argc, argv, opts, &undo, &id)) != CLI_OK)
		return rc;
	if (store_project_archive(c->st, id, !undo) != 0)
		return cli_store_fail(c);
	printf("project %lld %s\n", (long long)id, undo ? "restored from the archive" : "archived");
	return CLI_OK;
}

int cmd_project(struct cli *c, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "add", project_add, "d:", add_opts },
		{ "ls", project_ls, NULL, NULL },
		{ "show", project_show, NULL, NULL },
		{ "archive", project_archive, NULL, NULL },
	};

	return cli_dispatch(c, "project", subs, sizeof subs / sizeof subs[0], help, argc, argv);
}
