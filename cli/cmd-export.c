/*
 * cmd-export.c - lightbox export: the project's selection record as
 * JSON, CSV or Markdown, optionally with a verified copy of the assets.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox export PROJECT [--format json|csv|md|html] [--out FILE]\n"
	"                       [--copy-to DIR [--force]] [--brief BRIEF] [--all]\n"
	"                       [--picked] [--min-stars N] [--tag TAG]\n"
	"\n"
	"Writes the project's selection record: every brief with its final revision, the\n"
	"selected candidates with intended use, integration notes, who selected them and\n"
	"when, each curator's rating and tags, the full provenance (backend, model, seed,\n"
	"parameters, the brief revision generated from) and the SHA-256 of every asset.\n"
	"JSON is the complete record (format described in doc/export.md), CSV has one row\n"
	"per candidate, Markdown is a readable report for a client or producer.  HTML\n"
	"(with --copy-to) is DIR/index.html, a contact sheet per brief with thumbnails that\n"
	"opens offline in any browser and prints cleanly.\n"
	"\n"
	"Options:\n"
	"  --format FORMAT   json (default), csv, md or html; else taken from --out's\n"
	"                    extension\n"
	"  --out FILE        write the record to FILE instead of standard output ('-'); a file\n"
	"                    is replaced atomically and keeps its mode, a terminal, FIFO or\n"
	"                    socket is written to as a stream, a symbolic link is followed\n"
	"  --copy-to DIR     also copy the candidates' files to DIR as BRIEF-SLUG/N-ID.EXT,\n"
	"                    with the record as DIR/selection.FORMAT and a MANIFEST.sha256\n"
	"                    that 'sha256sum -c' verifies; DIR must not exist\n"
	"  --force           replace DIR when it is an earlier export of this store holding\n"
	"                    only the files its MANIFEST.sha256 lists, unchanged\n"
	"  --brief BRIEF     only this brief\n"
	"  --all             every candidate, not only the selected ones\n"
	"  --picked          only candidates a curator flagged pick (e.g. --all --picked)\n"
	"  --min-stars N     only candidates whose mean rating is N stars or more\n"
	"  --tag TAG         only candidates tagged TAG\n"
	"\n"
	"Nothing half-written is left behind when an export fails.\n";

enum { O_FORMAT = 1000, O_OUT, O_COPY, O_FORCE, O_BRIEF, O_ALL, O_PICKED, O_MIN, O_TAG };

static const struct option opts[] = {
	{ "format", required_argument, NULL, O_FORMAT },
	{ "out", required_argument, NULL, O_OUT },
	{ "copy-to", required_argument, NULL, O_COPY },
	{ "force", no_argument, NULL, O_FORCE },
	{ "brief", required_argument, NULL, O_BRIEF },
	{ "all", no_argument, NULL, O_ALL },
	{ "picked", no_argument, NULL, O_PICKED },
	{ "min-stars", required_argument, NULL, O_MIN },
	{ "tag", required_argument, NULL, O_TAG },
	{ 0 },
};

int cmd_export(struct cli *c, int argc, char **argv)
{
	struct lb_export_options o = { 0 };
	struct lb_export_result r;
	const char *format = NULL;
	char ext[16], *safe;
	long long v;
	int opt;

	if (cli_args(c, &argc, argv, "", opts, help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_FORMAT: format = optarg; break;
		case O_OUT: o.out = optarg; break;
		case O_COPY: o.copy_to = optarg; break;
		case O_FORCE: o.force = 1; break;
		case O_BRIEF:
			if (cli_id(c, "brief", optarg, &o.brief_id) < 0)
				return CLI_USAGE;
			break;
		case O_ALL: o.all = 1; break;
		case O_PICKED: o.picked = 1; break;
		case O_MIN:
			if (util_parse_int(optarg, 1, 5, &v) < 0)
				return cli_usage(c, "--min-stars takes 1 to 5");
			o.min_stars = (int)v;
			break;
		case O_TAG: o.tag = optarg; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage(c, optind >= argc ? "say which project to export" : "export one project at a time");
	if (format && strcmp(format, "html") == 0 && (!o.copy_to || o.out))
		return cli_usage(c, "the html export is a folder: give --copy-to DIR (the page is "
				    "DIR/index.html, beside the files it shows) and no --out");
	if (o.force && !o.copy_to)
		return cli_usage(c, "--force goes with --copy-to");
	if (o.out && *o.out == '\0')
		return cli_usage(c, "--out needs a file name");
	if (format == NULL && o.out && strcmp(o.out, "-") != 0) {
		util_ext(o.out, ext);
		format = strcmp(ext, "csv") == 0 ? "csv" : strcmp(ext, "md") == 0 ? "md" : "json";
	}
	o.format = lb_export_format_parse(format ? format : "json");
	if (o.format < 0) {
		safe = cli_safe(format, 20);
		cli_usage(c, "unknown format '%s'; use json, csv, md or html", safe);
		free(safe);
		return CLI_USAGE;
	}
	o.to = stdout;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_project_find(c->st, argv[optind], &o.project_id) != 0)
		return cli_store_fail(c);
	if (o.format == LB_EXPORT_HTML)
		cli_export_thumbs(c, &o);
	if (store_export(c->st, &o, &r) != 0)
		return cli_store_fail(c);
	if (r.record_path) {
		safe = cli_safe(r.record_path, 0);
		fprintf(stderr, "lightbox: export: %lld candidate%s of %lld brief%s to %s", (long long)r.n_candidates,
			r.n_candidates == 1 ? "" : "s", (long long)r.n_briefs, r.n_briefs == 1 ? "" : "s", safe);
		free(safe);
		if (o.copy_to) {
			safe = cli_safe(o.copy_to, 0);
			fprintf(stderr, "; %lld file%s copied to %s with MANIFEST.sha256", (long long)r.n_files,
				r.n_files == 1 ? "" : "s", safe);
			free(safe);
		}
		fputc('\n', stderr);
	}
	if (r.kept) {
		safe = cli_safe(r.kept, 0);
		fprintf(stderr,
			"lightbox: export: files that the earlier export did not make appeared in it while "
			"it was replaced; they are kept in %s\n",
			safe);
		free(safe);
	}
	lb_export_result_clear(&r);
	if (fflush(stdout) != 0)
		return cli_error(c, "cannot write the record to standard output: %s%s", strerror(errno),
				 util_write_hint(errno));
	return CLI_OK;
}
