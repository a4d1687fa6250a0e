/*
 * cmd-deliver.c - lightbox deliver: the selected candidates handed to a
 * folder (copied, hard-linked or symbolically linked, verified, with a
 * manifest and the record); lightbox xmp write: XMP sidecars.
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox deliver PROJECT | --brief BRIEF --to DIR [--copy | --link | --symlink]\n"
	"                        [--name TEMPLATE] [--xmp] [--query EXPR]\n"
	"\n"
	"Hands the selected candidates' files to DIR under names made from TEMPLATE, each\n"
	"checked against its SHA-256, with the record DIR/selection.json (as export writes\n"
	"it) and a MANIFEST.sha256 that 'sha256sum -c' verifies.  A new DIR is built hidden\n"
	"beside it and renamed into place; run again, it adds the candidates DIR lacks and\n"
	"never removes or overwrites anything (a taken name gets a suffix: NAME-2.EXT).\n"
	"\n"
	"Options:\n"
	"  --to DIR          the delivery folder\n"
	"  --brief BRIEF     only this brief (its project is the one delivered)\n"
	"  --query EXPR      the candidates a query finds (QUERIES in lightbox(1)), from\n"
	"                    all of the project's, as 'export --query' chooses them;\n"
	"                    write 'selected' in it to keep to the selection\n"
	"  --copy            copy the files (the default)\n"
	"  --link            hard links: no second copy on disk; a copy where the file\n"
	"                    system cannot link (said so)\n"
	"  --symlink         symbolic links to the store's files\n"
	"  --name TEMPLATE   file names, default " LB_DELIVER_NAME "; fields {project}\n"
	"                    {brief} {id} {seed} {stars} {use} {ext} {n}, made safe as file\n"
	"                    names; '/' in the template makes folders\n"
	"  --xmp             an XMP sidecar NAME.EXT.xmp beside each file (rating, label,\n"
	"                    keywords, description, lightbox's facts)\n";

enum { O_TO = 1000, O_BRIEF, O_COPY, O_LINK, O_SYMLINK, O_NAME, O_XMP, O_QUERY };

static const struct option opts[] = {
	{ "to", required_argument, NULL, O_TO },
	{ "brief", required_argument, NULL, O_BRIEF },
	{ "copy", no_argument, NULL, O_COPY },
	{ "link", no_argument, NULL, O_LINK },
	{ "symlink", no_argument, NULL, O_SYMLINK },
	{ "name", required_argument, NULL, O_NAME },
	{ "xmp", no_argument, NULL, O_XMP },
	{ "query", required_argument, NULL, O_QUERY },
	{ 0 },
};

/* The project of a brief; 0 or the command's exit status. */
static int brief_project(struct cli *c, int64_t brief, int64_t *project)
{
	struct lb_brief b;

	if (store_brief_get(c->st, brief, &b) != 0)
		return cli_store_fail(c);
	*project = b.project_id;
	lb_brief_clear(&b);
	return 0;
}

int cmd_deliver(struct cli *c, int argc, char **argv)
{
	struct lb_deliver_options o = { 0 };
	struct lb_deliver_result r;
	char *safe, *why;
	int opt, modes = 0;

	if (cli_args(c, &argc, argv, "", opts, help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_TO: o.to = optarg; break;
		case O_BRIEF:
			if (cli_id(c, "brief", optarg, &o.brief_id) < 0)
				return CLI_USAGE;
			break;
		case O_COPY: o.mode = LB_DELIVER_COPY; modes++; break;
		case O_LINK: o.mode = LB_DELIVER_LINK; modes++; break;
		case O_SYMLINK: o.mode = LB_DELIVER_SYMLINK; modes++; break;
		case O_NAME: o.name = optarg; break;
		case O_XMP: o.xmp = 1; break;
		case O_QUERY: o.query = optarg; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (modes > 1)
		return cli_usage(c, "choose one of --copy, --link and --symlink");
	if (o.brief_id == 0 && optind != argc - 1)
		return cli_usage(c, optind >= argc ? "say which project to deliver, or --brief BRIEF"
						   : "deliver one project at a time");
	if (o.brief_id && optind != argc)
		return cli_usage(c, "give a project or --brief, not both");
	if (o.to == NULL || *o.to == '\0')
		return cli_usage(c, "say where to deliver: --to DIR");
	if (o.name && (why = lb_deliver_name_check(o.name)) != NULL) {
		cli_usage(c, "%s", why);
		free(why);
		return CLI_USAGE;
	}
	if (cli_query_ok(c, "--query", o.query) != 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (o.brief_id) {
		int rc = brief_project(c, o.brief_id, &o.project_id);
		if (rc)
			return rc;
	} else if (store_project_find(c->st, argv[optind], &o.project_id) != 0) {
		return cli_store_fail(c);
	}
	if (store_deliver(c->st, &o, &r) != 0)
		return cli_store_fail(c);
	safe = cli_safe(o.to, 0);
	fprintf(stderr, "lightbox: deliver: %lld candidate%s in %s: %lld new (", (long long)r.n_candidates,
		r.n_candidates == 1 ? "" : "s", safe, (long long)r.n_new);
	fprintf(stderr, "%lld copied, %lld linked, %lld symlinked", (long long)r.n_copied,
		(long long)r.n_linked, (long long)r.n_symlinked);
	if (r.n_xmp)
		fprintf(stderr, ", %lld XMP sidecar%s", (long long)r.n_xmp, r.n_xmp == 1 ? "" : "s");
	fprintf(stderr, "), %lld already there; MANIFEST.sha256 verifies them\n", (long long)r.n_already);
	if (r.n_fallback)
		fprintf(stderr, "lightbox: deliver: %lld file%s copied, not linked: %s\n",
			(long long)r.n_fallback, r.n_fallback == 1 ? "" : "s", r.fallback_why);
	free(safe);
	lb_deliver_result_clear(&r);
	return CLI_OK;
}

static const char xmp_help[] =
	"Usage: lightbox xmp write BRIEF [--to DIR]\n"
	"\n"
	"Writes XMP sidecars for the brief's candidates, merged into any sidecar already\n"
	"there (what other tools wrote in it stays): beside each file of the delivery\n"
	"folder DIR made by 'lightbox deliver' (and its MANIFEST.sha256 updated), or\n"
	"without --to beside the files the candidates were imported from, when those still\n"
	"hold the same bytes (FILE.EXT.xmp, or a Lightroom FILE.xmp that is there).\n"
	"xmp:Rating is the mean stars (-1 when rejected), xmp:Label Selected, Pick or\n"
	"Rejected, dc:subject the tags, dc:description the integration notes.\n";

static const struct option xmp_opts[] = {
	{ "to", required_argument, NULL, O_TO },
	{ 0 },
};

int cmd_xmp(struct cli *c, int argc, char **argv)
{
	struct lb_xmp_write_result r;
	const char *to = NULL;
	int64_t brief;
	int opt;

	if (cli_args(c, &argc, argv, "", xmp_opts, xmp_help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", xmp_opts, NULL)) != -1) {
		switch (opt) {
		case O_TO: to = optarg; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (optind >= argc || strcmp(argv[optind], "write") != 0)
		return cli_usage(c, "the xmp command is 'lightbox xmp write BRIEF [--to DIR]'");
	if (optind + 2 != argc)
		return cli_usage(c, "say which brief: lightbox xmp write BRIEF");
	if (cli_id(c, "brief", argv[optind + 1], &brief) < 0)
		return CLI_USAGE;
	if (to && *to == '\0')
		return cli_usage(c, "--to needs a folder");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (cli_brief_exists(c, brief) != 0)
		return CLI_FAIL;
	if (store_xmp_write(c->st, brief, to, &r) != 0)
		return cli_store_fail(c);
	fprintf(stderr, "lightbox: xmp: %lld sidecar%s written", (long long)r.n_written,
		r.n_written == 1 ? "" : "s");
	if (r.n_skipped)
		fprintf(stderr, "; %lld candidate%s skipped (%s)", (long long)r.n_skipped,
			r.n_skipped == 1 ? "" : "s",
			to ? "not in the delivery" : "no imported file with the same bytes");
	fputc('\n', stderr);
	if (r.n_bad) {
		char *safe = cli_safe(r.bad, 0);
		fprintf(stderr, "lightbox: xmp: %lld sidecar%s left as %s: %s\n", (long long)r.n_bad,
			r.n_bad == 1 ? "" : "s", r.n_bad == 1 ? "it was" : "they were", safe);
		free(safe);
	}
	free(r.bad);
	return r.n_bad ? CLI_FAIL : CLI_OK;
}
