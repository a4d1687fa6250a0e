/*
 * cmd-review.c - lightbox assign|conflicts|adjudicate: several judges per
 * candidate, the queue of disputed candidates, an adjudicator's decision.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char assign_help[] =
	"Usage: lightbox assign BRIEF --curators NAME,NAME... [--overlap N]\n"
	"       lightbox assign BRIEF --progress\n"
	"\n"
	"Gives each candidate of the brief to N of the curators (default 1), in turn, so\n"
	"each gets as many as the others, give or take one; a new assignment replaces the\n"
	"brief's old one.  A curator's queue is the query 'assigned:me unrated'.\n"
	"--progress shows how many each curator was given and has judged.\n";

static const struct option assign_opts[] = {
	{ "curators", required_argument, NULL, 'c' },
	{ "overlap", required_argument, NULL, 'o' },
	{ "progress", no_argument, NULL, 'p' },
	{ 0 },
};

static int progress(struct cli *c, int64_t brief)
{
	struct lb_progress *p;
	size_t n, i;
	char *s;

	if (store_assign_progress(c->st, brief, &p, &n) != 0)
		return cli_store_fail(c);
	if (n == 0)
		printf("brief %lld has no assignment; make one with 'lightbox assign %lld --curators a,b'\n",
		       (long long)brief, (long long)brief);
	for (i = 0; i < n; i++) {
		s = cli_safe(p[i].curator, 30);
		printf("%-20s %6lld of %6lld judged (%3.0f%%)\n", s, (long long)p[i].done, (long long)p[i].assigned,
		       p[i].assigned ? 100.0 * (double)p[i].done / (double)p[i].assigned : 0.0);
		free(s);
	}
	lb_progress_free(p, n);
	return CLI_OK;
}

int cmd_assign(struct cli *c, int argc, char **argv)
{
	const char *list = NULL;
	char **names = NULL, *copy, *tok, *save = NULL, *s;
	int64_t brief, *per;
	size_t n = 0, i;
	long long v;
	int o, overlap = 1, prog = 0, rc;

	if (cli_args(c, &argc, argv, "", assign_opts, assign_help))
		return c->status;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", assign_opts, NULL)) != -1) {
		switch (o) {
		case 'c': list = optarg; break;
		case 'o':
			if (util_parse_int(optarg, 1, 100, &v) < 0)
				return cli_usage(c, "--overlap takes a number from 1 to the number of curators");
			overlap = (int)v;
			break;
		case 'p': prog = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(c, "say which brief to assign");
	if (cli_id(c, "brief", argv[optind], &brief) < 0)
		return CLI_USAGE;
	if (!prog && list == NULL)
		return cli_usage(c, "name the curators with --curators alice,bob (or ask for --progress)");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (cli_brief_exists(c, brief) != 0)
		return CLI_FAIL;
	if (prog)
		return progress(c, brief);
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = tok;
	}
	per = xcalloc(n + 1, sizeof *per);
	rc = store_assign(c->st, brief, names, n, overlap, per);
	if (rc == 0) {
		for (i = 0; i < n; i++) {
			s = cli_safe(names[i], 30);
			printf("%s: %lld candidates\n", s, (long long)per[i]);
			free(s);
		}
	}
	free(per);
	free(names);
	free(copy);
	return rc ? cli_store_fail(c) : CLI_OK;
}

static const char conflicts_help[] =
	"Usage: lightbox conflicts BRIEF [--gap N] [--bt-gap S] [--json]\n"
	"\n"
	"The candidates the curators disagree on: stars N or more apart (default 2),\n"
	"picked by one and rejected by another, or a pairwise order that contradicts the\n"
	"stars: two candidates compared directly, one of which the pooled Bradley-Terry\n"
	"fit says beats the other 9 times in 10, while their mean stars order them the\n"
	"other way by S stars or more (default 1; 0 leaves this rule out).  Each comes\n"
	"with why, every curator's vote and the adjudicator's decision once there is one\n"
	"('lightbox adjudicate').\n";

static const struct option conflicts_opts[] = {
	{ "gap", required_argument, NULL, 'g' },
	{ "bt-gap", required_argument, NULL, 'B' },
	{ "json", no_argument, NULL, 'j' },
	{ 0 },
};

void cli_blind_note(int64_t hidden, const char *then)
{
	if (hidden > 0)
		printf("  (blind review hides the others' judgements of %lld candidate%s you have not judged: %s)\n",
		       (long long)hidden, hidden == 1 ? "" : "s", then);
}

int cli_dispute_opt(struct cli *c, int opt, const char *arg, struct lb_dispute_rules *r)
{
	long long g;
	char *end;
	double d;

	if (opt == 'g') {
		if (util_parse_int(arg, 1, 5, &g) < 0)
			return cli_usage(c, "--gap takes 1 to 5 stars");
		r->gap = (int)g;
		return 0;
	}
	errno = 0;
	d = strtod(arg, &end);
	if (errno || end == arg || *end || !(d >= 0 && d <= 5))
		return cli_usage(c, "--bt-gap takes 0 (off) to 5 stars, such as 1 or 1.5");
	r->bt_gap = d;
	return 0;
}

int cmd_conflicts(struct cli *c, int argc, char **argv)
{
	struct lb_dispute_rules rules = { LB_DISPUTE_GAP, LB_DISPUTE_BT_GAP };
	struct lb_conflict *v;
	int64_t brief, hidden;
	size_t n, i;
	int o, json = 0;
	json_t *arr, *why;
	char *s;

	if (cli_args(c, &argc, argv, "", conflicts_opts, conflicts_help))
		return c->status;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", conflicts_opts, NULL)) != -1) {
		if (o == 'g' || o == 'B') {
			if (cli_dispute_opt(c, o, optarg, &rules))
				return CLI_USAGE;
		} else if (o == 'j') {
			json = 1;
		} else {
			return cli_usage(c, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(c, "say which brief");
	if (cli_id(c, "brief", argv[optind], &brief) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (cli_brief_exists(c, brief) != 0)
		return CLI_FAIL;
	if (store_conflicts(c->st, brief, &rules, &v, &n) != 0 || store_blind_hidden(c->st, brief, &hidden) != 0)
		return cli_store_fail(c);
	if (json) {
		arr = json_array();
		for (i = 0; i < n; i++) {
			why = json_array();
			if (v[i].kinds & LB_DISPUTE_STARS)
				json_array_append_new(why, json_string("stars"));
			if (v[i].kinds & LB_DISPUTE_FLAGS)
				json_array_append_new(why, json_string("pick-reject"));
			if (v[i].kinds & LB_DISPUTE_ORDER)
				json_array_append_new(why, json_string("pairwise-order"));
			json_array_append_new(arr, json_pack("{s:I, s:o, s:s, s:s, s:o}", "candidate_id",
							     (json_int_t)v[i].candidate_id, "kinds", why, "reason",
							     v[i].reason, "votes", v[i].votes, "decision",
							     v[i].decision ? json_string(v[i].decision) : json_null()));
		}
		cli_json_print(arr);
	} else {
		cli_blind_note(hidden, "rate one to see its votes, or turn blind review off to adjudicate them");
		if (n == 0)
			printf("no disputed candidates in brief %lld\n", (long long)brief);
		for (i = 0; i < n; i++) {
			s = cli_safe(v[i].votes, 0);
			printf("#%-8lld %s", (long long)v[i].candidate_id, s);
			free(s);
			printf("  (%s)", v[i].reason);
			if (v[i].decision) {
				s = cli_safe(v[i].decision, 0);
				printf("  => decided %s", s);
				free(s);
			}
			printf("\n");
		}
	}
	lb_conflicts_free(v, n);
	return CLI_OK;
}

static const char adjudicate_help[] =
	"Usage: lightbox adjudicate CANDIDATE [--stars N] [--flag pick|reject|none] --reason TEXT\n"
	"\n"
	"Records your decision on a disputed candidate as the adjudicator's: final stars\n"
	"and flag with a reason, kept beside the curators' votes (their ratings are not\n"
	"changed); a later decision replaces it.\n";

static const struct option adjudicate_opts[] = {
	{ "stars", required_argument, NULL, 's' },
	{ "flag", required_argument, NULL, 'f' },
	{ "reason", required_argument, NULL, 'r' },
	{ 0 },
};

int cmd_adjudicate(struct cli *c, int argc, char **argv)
{
	const char *reason = NULL;
	int64_t id;
	long long v;
	int o, stars = -1, flag = LB_FLAG_NONE, given = 0;

	if (cli_args(c, &argc, argv, "", adjudicate_opts, adjudicate_help))
		return c->status;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", adjudicate_opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (util_parse_int(optarg, 0, 5, &v) < 0)
				return cli_usage(c, "--stars takes 0 to 5");
			stars = (int)v;
			given = 1;
			break;
		case 'f':
			flag = lb_flag_parse(optarg);
			if (flag < 0)
				return cli_usage(c, "--flag is pick, reject or none");
			given = 1;
			break;
		case 'r': reason = optarg; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(c, "say which candidate");
	if (cli_id(c, "candidate", argv[optind], &id) < 0)
		return CLI_USAGE;
	if (!given)
		return cli_usage(c, "give the final --stars N and/or --flag");
	if (reason == NULL || *reason == '\0')
		return cli_usage(c, "say why with --reason TEXT");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_adjudicate(c->st, id, stars, flag, reason) != 0)
		return cli_store_fail(c);
	printf("candidate %lld: adjudicated", (long long)id);
	if (stars >= 0)
		printf(" %d stars", stars);
	printf(", %s\n", lb_flag_name(flag));
	return CLI_OK;
}
