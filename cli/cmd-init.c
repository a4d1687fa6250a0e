/*
 * cmd-init.c - lightbox init: create a store.
 */
#include "config.h"

#include "cli.h"

#include <stdlib.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox [--store DIR] init\n"
	"\n"
	"Creates a lightbox store (a folder with lightbox.db, assets/ and cache/) at\n"
	"--store DIR, else $LIGHTBOX_STORE, else $XDG_DATA_HOME/lightbox.  Running it\n"
	"on an existing store checks it and upgrades its schema.\n";

int cmd_init(struct cli *c, int argc, char **argv)
{
	struct store *st;
	char *s;

	if (cli_args(c, &argc, argv, NULL, NULL, help))
		return c->status;
	if (argc > 1)
		return cli_usage(c, "takes no arguments (use --store DIR to choose the folder)");
	st = cli_store(c, 1);
	if (st == NULL)
		return CLI_FAIL;
	s = cli_safe(store_dir(st), 0);
	printf("lightbox store ready at %s (schema %d)\n", s, store_schema_version(st));
	free(s);
	return CLI_OK;
}
