/*
 * cmd-purge.c - lightbox purge: frees the asset files of candidates the
 * team ruled out; the rows stay, marked purged.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox purge BRIEF | --project PROJECT [--rejected] [--below STARS]\n"
	"                      [--older AGE] [--dry-run] [--yes]\n"
	"\n"
	"Frees the asset files of candidates the team ruled out: rejected by a curator\n"
	"(--rejected) or rated below STARS on average (--below), never picked, not\n"
	"selected.  A file another candidate, a selection or a delivery still uses is\n"
	"kept.  The candidates stay, with their ratings, notes and SHA-256, shown as\n"
	"'file purged'.  Until a purge runs, a rejection is a rating that undo reverses;\n"
	"the purge itself cannot be undone: it lists what it would free and asks first.\n"
	"(lightbox gc is another thing: it removes files no row names at all.)\n"
	"\n"
	"Options:\n"
	"  --project PROJECT  every brief of the project\n"
	"  --rejected         candidates a curator rejected and none picked\n"
	"  --below STARS      candidates whose mean rating is below STARS (1-5), none picked\n"
	"  --older AGE        only decisions at least AGE old: 30m, 12h, 7d, 2w\n"
	"  --dry-run          list what would be freed; change nothing\n"
	"  --yes              do not ask\n";

enum { O_PROJECT = 1000, O_REJECTED, O_BELOW, O_OLDER, O_DRY, O_YES };

static const struct option opts[] = {
	{ "project", required_argument, NULL, O_PROJECT },
	{ "rejected", no_argument, NULL, O_REJECTED },
	{ "below", required_argument, NULL, O_BELOW },
	{ "older", required_argument, NULL, O_OLDER },
	{ "dry-run", no_argument, NULL, O_DRY },
	{ "yes", no_argument, NULL, O_YES },
	{ 0 },
};

/* "7d" and the like in seconds; -1 when it is not an age. */
static int64_t parse_age(const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || end == s || n < 0 || n > 100000 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 'm': return n * 60;
	case 'h': return n * 3600;
	case 'd': return n * 86400;
	case 'w': return n * 7 * 86400;
	default: return -1;
	}
}

static void human(int64_t bytes, char buf[32])
{
	if (bytes >= 1 << 30)
		snprintf(buf, 32, "%.1f GiB", bytes / 1073741824.0);
	else if (bytes >= 1 << 20)
		snprintf(buf, 32, "%.1f MiB", bytes / 1048576.0);
	else if (bytes >= 1 << 10)
		snprintf(buf, 32, "%.1f KiB", bytes / 1024.0);
	else
		snprintf(buf, 32, "%lld bytes", (long long)bytes);
}

/* Asks on the terminal; 1 yes, 0 no, -1 no terminal to ask on. */
static int confirm(const char *question)
{
	char line[16];
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	if (util_write_all(fd, question, strlen(question)) < 0) {
		close(fd);
		return -1;
	}
	n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	return line[0] == 'y' || line[0] == 'Y';
}

static void list(const struct lb_purge_plan *p, int dry)
{
	char size[32];
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct lb_purge_item *it = &p->v[i];
		human(it->bytes, size);
		if (it->kept)
			printf("keep  #%lld  %s  %.12s  (%s)\n", (long long)it->candidate_id, size,
			       it->sha256, lb_purge_kept_why(it->kept));
		else
			printf("%s #%lld  %s  %.12s%s\n", dry ? "would free" : "free ",
			       (long long)it->candidate_id, size, it->sha256,
			       it->n_candidates > 1 ? "  (and the other ruled-out candidates on it)" : "");
	}
}

int cmd_purge(struct cli *c, int argc, char **argv)
{
	struct lb_purge_options o = { 0 };
	struct lb_purge_plan p;
	const char *project = NULL;
	char size[32], *q;
	int opt, dry = 0, yes = 0, ans, rc;
	int64_t n_free;
	long long v;

	if (cli_args(c, &argc, argv, "", opts, help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_PROJECT: project = optarg; break;
		case O_REJECTED: o.rejected = 1; break;
		case O_BELOW:
			if (util_parse_int(optarg, 1, 5, &v) < 0)
				return cli_usage(c, "--below takes 1 to 5 stars");
			o.below = (int)v;
			break;
		case O_OLDER:
			o.older = parse_age(optarg);
			if (o.older < 0) {
				char *safe = cli_safe(optarg, 20);
				cli_usage(c, "--older takes an age such as 30m, 12h, 7d or 2w, not '%s'", safe);
				free(safe);
				return CLI_USAGE;
			}
			break;
		case O_DRY: dry = 1; break;
		case O_YES: yes = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (project == NULL && optind != argc - 1)
		return cli_usage(c, optind >= argc ? "say which brief to purge, or --project PROJECT"
						   : "purge one brief at a time, or --project PROJECT");
	if (project && optind != argc)
		return cli_usage(c, "give a brief or --project, not both");
	if (!o.rejected && o.below == 0)
		return cli_usage(c, "say which candidates are ruled out: --rejected, --below STARS, or both");
	if (project == NULL && cli_id(c, "brief", argv[optind], &o.brief_id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (project) {
		if (store_project_find(c->st, project, &o.project_id) != 0)
			return cli_store_fail(c);
	} else {
		struct lb_brief b;
		if (store_brief_get(c->st, o.brief_id, &b) != 0)
			return cli_store_fail(c);
		o.project_id = b.project_id;
		lb_brief_clear(&b);
	}
	if (store_purge_plan(c->st, &o, &p) != 0)
		return cli_store_fail(c);
	list(&p, 1);
	n_free = (int64_t)p.n - p.n_kept;
	human(p.bytes, size);
	if (n_free == 0) {
		fprintf(stderr, "lightbox: purge: nothing to free%s%s\n",
			p.n_kept ? " (the files ruled out are kept, see above)" : "",
			p.n_purged ? "; some were freed before" : "");
		lb_purge_plan_clear(&p);
		return CLI_OK;
	}
	if (dry) {
		fprintf(stderr, "lightbox: purge: would free %lld file%s, %s (dry run: nothing changed)\n",
			(long long)n_free, n_free == 1 ? "" : "s", size);
		lb_purge_plan_clear(&p);
		return CLI_OK;
	}
	if (!yes) {
		q = xasprintf("Free %lld file%s (%s)? The candidates stay, shown as 'file purged'; "
			      "this cannot be undone. [y/N] ",
			      (long long)n_free, n_free == 1 ? "" : "s", size);
		ans = confirm(q);
		free(q);
		if (ans <= 0) {
			lb_purge_plan_clear(&p);
			return cli_error(c, "%s", ans < 0 ? "there is no terminal to ask on; nothing was "
							    "freed: add --yes to purge without a question"
							  : "nothing was freed");
		}
	}
	rc = store_purge_run(c->st, &o, &p);
	if (rc) {
		lb_purge_plan_clear(&p);
		return cli_store_fail(c);
	}
	human(p.bytes, size);
	fprintf(stderr, "lightbox: purge: freed %lld file%s, %s", (long long)p.n_freed,
		p.n_freed == 1 ? "" : "s", size);
	if (p.n_freed < n_free)
		fprintf(stderr, "; %lld changed meanwhile and stay", (long long)(n_free - p.n_freed));
	fputc('\n', stderr);
	lb_purge_plan_clear(&p);
	return CLI_OK;
}
