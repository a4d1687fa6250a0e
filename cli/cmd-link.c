/*
 * cmd-link.c - lightbox verify and lightbox relink: the assets that
 * import --link made hard links (or reflinks) of files outside the store
 * are checked by hash, and found again by hash when they moved.
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char verify_help[] =
	"Usage: lightbox verify [--all]\n"
	"\n"
	"Reads every linked asset's file (import --link) and checks its bytes against\n"
	"its SHA-256: a hard link is the imported file itself, so editing that file\n"
	"edits the asset.  Says which changed or vanished; lightbox relink DIR puts\n"
	"them back from a folder that holds the originals.\n"
	"\n"
	"Options:\n"
	"  --all    every asset, copies too\n"
	"\n"
	"Exit status: 0 when every file is whole, 1 when some are not.\n";

static const struct option verify_opts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ 0 },
};

static void on_verify(void *ctx, const struct lb_verify_item *it)
{
	char *origin = it->origin ? cli_safe(it->origin, 0) : NULL;

	(void)ctx;
	if (it->state)
		printf("asset %lld %s: %s%s%s\n", (long long)it->asset_id,
		       it->state == LB_ASSET_MISSING ? "MISSING" : "CHANGED",
		       it->state == LB_ASSET_MISSING ? "its file is gone from the store"
						     : "its bytes no longer match its SHA-256",
		       origin ? "; linked from " : "", origin ? origin : "");
	free(origin);
}

int cmd_verify(struct cli *c, int argc, char **argv)
{
	size_t bad = 0;
	int opt, all = 0;

	if (cli_args(c, &argc, argv, "", verify_opts, verify_help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", verify_opts, NULL)) != -1) {
		if (opt == 'a')
			all = 1;
		else
			return cli_usage(c, "unknown option");
	}
	if (optind < argc)
		return cli_usage(c, "takes no arguments");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_asset_verify(c->st, all, on_verify, NULL, &bad) != 0)
		return cli_store_fail(c);
	if (bad) {
		printf("%zu asset file%s changed or missing: lightbox relink DIR puts them back from the originals.\n",
		       bad, bad == 1 ? "" : "s");
		return CLI_FAIL;
	}
	printf("Every %s file is whole.\n", all ? "asset" : "linked asset");
	return CLI_OK;
}

static const char relink_help[] =
	"Usage: lightbox relink DIR\n"
	"\n"
	"Finds the originals of linked assets (import --link) in DIR by SHA-256: an\n"
	"asset whose file changed or vanished is linked again from the file with its\n"
	"bytes (copied when DIR is on another filesystem), and an original that moved\n"
	"is recorded where it lies now.  Only files of a size some linked asset has\n"
	"are read.\n"
	"\n"
	"Exit status: 0 when every linked asset is whole afterwards, 1 when some\n"
	"could not be found or put back.\n";

static void on_relink(void *ctx, const struct lb_relink_item *it)
{
	char *found = it->found ? cli_safe(it->found, 0) : NULL, *was = it->was ? cli_safe(it->was, 0) : NULL;

	(void)ctx;
	switch (it->what) {
	case LB_RELINK_RESTORED:
		printf("restored  asset %lld from %s\n", (long long)it->asset_id, found);
		break;
	case LB_RELINK_MOVED:
		printf("moved     asset %lld: %s -> %s\n", (long long)it->asset_id, was ? was : "?", found);
		break;
	case LB_RELINK_NOT_FOUND:
		printf("missing   asset %lld (%s): no file in the folder has its bytes\n", (long long)it->asset_id,
		       was ? was : it->sha256);
		break;
	default: {
		char *why = cli_safe(it->why ? it->why : "failed", 0);
		fprintf(stderr, "lightbox: relink: asset %lld from %s: %s\n", (long long)it->asset_id,
			found ? found : "?", why);
		free(why);
	}
	}
	free(found);
	free(was);
}

int cmd_relink(struct cli *c, int argc, char **argv)
{
	static const struct option none[] = { { 0 } };
	struct lb_relink_result r;

	if (cli_args(c, &argc, argv, "", none, relink_help))
		return c->status;
	if (argc != 2)
		return cli_usage(c, "name the folder that holds the originals");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_relink(c->st, argv[1], on_relink, NULL, &r) != 0)
		return cli_store_fail(c);
	printf("%zu linked asset%s; %zu files read: %zu restored, %zu moved, %zu in place, %zu not found, "
	       "%zu failed.\n",
	       r.linked, r.linked == 1 ? "" : "s", r.hashed, r.restored, r.moved, r.in_place, r.not_found, r.failed);
	return r.not_found || r.failed ? CLI_FAIL : CLI_OK;
}
