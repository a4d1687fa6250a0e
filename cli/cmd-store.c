/*
 * cmd-store.c - lightbox store copy SRC DST: a whole store into a new one,
 * SQLite or PostgreSQL on either side (store/copy.c), with the summary of
 * its verification.
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox store copy SRC DST [--assets DIR]\n"
	"\n"
	"Copies the whole store SRC into DST: every row of every table (ids kept), the\n"
	"audit log, the settings and the asset files.  Each is a store folder or a\n"
	"postgresql:// URL, so a store moves from SQLite to PostgreSQL and back.  DST\n"
	"must be new (an empty database, or a folder with no store); it is created.\n"
	"Other writers of SRC are refused while the copy runs (it refuses to start\n"
	"while one is at work).  Files are copied by content name, hashed and synced\n"
	"before their rows are written.  Interrupted, the same command goes on from\n"
	"where it stopped.  At the end every table's rows are counted and hashed on\n"
	"both sides and a summary printed; a difference fails, naming the table.\n"
	"\n"
	"  --assets DIR   the asset folder of a PostgreSQL DST (default\n"
	"                 $LIGHTBOX_ASSETS); a folder every server mounts\n";

static const struct option none[] = { { 0 } };

static int store_copy_cmd(struct cli *c, int argc, char **argv)
{
	struct lb_copy_result r;
	char *err = NULL, *src, *dst;
	int64_t rows = 0;
	size_t i, bad = 0;
	int rc;

	if (getopt_long(argc, argv, "", none, NULL) != -1)
		return cli_usage(c, "unknown option");
	if (optind + 2 != argc)
		return cli_usage(c, "give SRC and DST: store folders or postgresql:// URLs");
	rc = store_copy(argv[optind], argv[optind + 1], &r, &err);
	src = cli_safe(r.src ? r.src : "SRC", 0);
	dst = cli_safe(r.dst ? r.dst : "DST", 0);
	if (r.n) {
		printf("%-16s %10s  %-16s  %10s  %-16s\n", "TABLE", "SRC ROWS", "SRC HASH", "DST ROWS", "DST HASH");
		for (i = 0; i < r.n; i++) {
			printf("%-16s %10lld  %-16s  %10lld  %-16s%s\n", r.v[i].name, (long long)r.v[i].src_rows,
			       r.v[i].src_hash, (long long)r.v[i].dst_rows, r.v[i].dst_hash,
			       r.v[i].ok ? "" : "  DIFFERS");
			rows += r.v[i].src_rows;
			bad += !r.v[i].ok;
		}
		printf("assets: %lld files copied (%lld bytes), %lld already in DST\n", (long long)r.files_copied,
		       (long long)r.bytes_copied, (long long)r.files_present);
	}
	if (rc == 0)
		printf("copied %s to %s%s: %zu tables, %lld rows, counts and hashes equal\n", src, dst,
		       r.resumed ? " (resumed)" : "", r.n, (long long)rows);
	free(src);
	free(dst);
	lb_copy_result_free(&r);
	if (rc) {
		char *safe = cli_safe(err, 0);
		fprintf(stderr, "lightbox: %s: %s\n", c->cmd, safe);
		free(safe);
		free(err);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_store(struct cli *c, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "copy", store_copy_cmd, "", none },
	};

	return cli_dispatch(c, "store", subs, sizeof subs / sizeof subs[0], help, argc, argv);
}
