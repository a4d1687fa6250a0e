/*
 * cmd-gc.c - lightbox gc [--dry-run] [--grace DURATION]: lists, then
 * removes, asset files nothing refers to (store/gc.c says which), and
 * prints the bytes freed.
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox gc [--dry-run] [--grace DURATION]\n"
	"\n"
	"Lists, then removes, the asset files that no candidate refers to and that\n"
	"nothing wrote or touched for the grace period (default 1d): the leftovers of\n"
	"jobs and imports that failed half-way.  A file listed in a job's manifest\n"
	"(results not yet recorded) is never removed.  Prints the bytes freed.\n"
	"\n"
	"  --dry-run         list what would go; remove nothing\n"
	"  --grace DURATION  keep files newer than this: N seconds, or Ns, Nm, Nh, Nd\n";

/* "90", "90s", "15m", "12h", "2d" -> seconds; -1 when malformed. */
static int64_t parse_duration(const char *s)
{
	long long n;
	char num[32];
	size_t len = strlen(s);
	int64_t mult = 1;

	if (len == 0 || len >= sizeof num)
		return -1;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: mult = 0; break;
	}
	if (mult)
		num[len - 1] = '\0';
	else
		mult = 1;
	if (util_parse_int(num, 0, 100LL * 365 * 86400, &n) < 0 || n * mult > 100LL * 365 * 86400)
		return -1;
	return (int64_t)(n * mult);
}

static void print_item(struct cli *c, const struct lb_gc_item *it, const char *verb)
{
	const char *dir = store_dir(c->st);
	size_t dl = strlen(dir);
	const char *rel = strncmp(it->path, dir, dl) == 0 && it->path[dl] == '/' ? it->path + dl + 1 : it->path;
	char *vis = cli_safe(rel, 0), age[16];

	util_age(it->mtime, util_now(), age);
	printf("%s %s  %lld bytes, %s old%s\n", verb, vis, (long long)it->bytes, age,
	       !*it->sha256 ? " (an unfinished write)" : it->has_row ? " (and its unused row)" : "");
	free(vis);
}

int cmd_gc(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "dry-run", no_argument, NULL, 'n' },
					      { "grace", required_argument, NULL, 'g' },
					      { 0 } };
	struct lb_gc_list l;
	int64_t grace = 86400, freed = 0;
	size_t i, removed = 0;
	int o, dry = 0, rc;

	if (cli_args(c, &argc, argv, "+", opts, help))
		return c->status;
	optind = 0;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o == 'n')
			dry = 1;
		else if (o == 'g' && (grace = parse_duration(optarg)) >= 0)
			;
		else
			return cli_usage(c, o == 'g' ? "--grace takes a duration: N seconds, or Ns, Nm, Nh, Nd"
						     : "unknown option");
	}
	if (optind != argc)
		return cli_usage(c, "unexpected argument");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_gc_find(c->st, grace, &l) != 0)
		return cli_store_fail(c);
	if (dry) {
		for (i = 0; i < l.n; i++)
			print_item(c, &l.v[i], "would remove");
		printf("would free %lld bytes (%.1f MB) in %zu file%s\n", (long long)l.bytes, (double)l.bytes / 1e6,
		       l.n, l.n == 1 ? "" : "s");
		lb_gc_list_free(&l);
		return CLI_OK;
	}
	rc = store_gc_remove(c->st, &l, grace, &removed, &freed);
	for (i = 0; i < l.n; i++)
		if (l.v[i].removed)
			print_item(c, &l.v[i], "removed");
		else if (rc == 0)
			print_item(c, &l.v[i], "kept (in use again)");
	printf("freed %lld bytes (%.1f MB) in %zu file%s\n", (long long)freed, (double)freed / 1e6, removed,
	       removed == 1 ? "" : "s");
	lb_gc_list_free(&l);
	if (rc != 0)
		return cli_store_fail(c);
	return CLI_OK;
}
