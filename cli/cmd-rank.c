/*
 * cmd-rank.c - lightbox rank (the Bradley-Terry ranking of a brief from
 * pairwise judgements, with its uncertainty) and lightbox compare (judge
 * pairs from a script or a plain terminal).
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char rank_help[] =
	"Usage: lightbox rank BRIEF [--curator NAME] [--json]\n"
	"\n"
	"Ranks the candidates of a brief from the pairwise judgements made with\n"
	"'lightbox compare' or the TUI's compare mode (Bradley-Terry model).  SCORE is a\n"
	"log-strength (0 = an average candidate, +1 beats it about 73% of the time); SE\n"
	"is its standard error, so SCORE +/- 2 SE is a rough 95% interval.  Candidates\n"
	"never judged are not listed.\n"
	"\n"
	"Options:\n"
	"  --curator NAME   only NAME's judgements (default: everyone's, pooled)\n"
	"  --json           print JSON\n";

static const char compare_help[] =
	"Usage: lightbox compare BRIEF                   (judge pairs read from standard input)\n"
	"       lightbox compare BRIEF --next [--json]   (print the next pair to judge)\n"
	"       lightbox compare BRIEF LEFT RIGHT VERDICT\n"
	"\n"
	"Records pairwise judgements: which of two candidates of a brief is better.  The\n"
	"next pair is chosen to be informative: candidates close in score with few\n"
	"judgements.  VERDICT is left, right, tie or skip.  Without a pair, shows one pair\n"
	"after another and reads a line for each: l (left better), r (right better),\n"
	"t (tie), s (skip), u (undo the last judgement) or q (quit).\n";

enum { O_CURATOR = 1000, O_JSON, O_NEXT };

static const struct option rank_opts[] = {
	{ "curator", required_argument, NULL, O_CURATOR },
	{ "json", no_argument, NULL, O_JSON },
	{ 0 },
};

static const struct option compare_opts[] = {
	{ "next", no_argument, NULL, O_NEXT },
	{ "json", no_argument, NULL, O_JSON },
	{ 0 },
};

int cmd_rank(struct cli *c, int argc, char **argv)
{
	static const char *const heads[] = { "RANK", "ID", "SCORE", "SE", "W-L-T", "N", "STARS" };
	const char *curator = NULL;
	struct lb_ranking r;
	struct lb_brief b;
	struct cli_table *t;
	int64_t brief;
	size_t i;
	int opt, json = 0, rc;

	if (cli_args(c, &argc, argv, "", rank_opts, rank_help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", rank_opts, NULL)) != -1) {
		switch (opt) {
		case O_CURATOR: curator = optarg; break;
		case O_JSON: json = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if ((rc = cli_brief_operand(c, argc, argv, &brief, &b)) != CLI_OK)
		return rc;
	if (store_ranking(c->st, brief, curator, &r) != 0) {
		lb_brief_clear(&b);
		return cli_store_fail(c);
	}
	if (json) {
		json_t *o = json_object(), *arr = json_array();
		json_object_set_new(o, "brief_id", json_integer(brief));
		json_object_set_new(o, "curator", curator ? json_string(curator) : json_null());
		json_object_set_new(o, "judgements", json_integer(r.n_judgements));
		json_object_set_new(o, "skipped", json_integer(r.n_skips));
		json_object_set_new(o, "candidates", json_integer(b.n_candidates));
		json_object_set_new(o, "model", json_string("bradley-terry"));
		json_object_set_new(o, "iterations", json_integer(r.iterations));
		for (i = 0; i < r.n; i++) {
			json_t *x = json_object();
			json_object_set_new(x, "rank", json_integer(r.v[i].rank));
			json_object_set_new(x, "candidate_id", json_integer(r.v[i].candidate_id));
			json_object_set_new(x, "score", json_real(round(r.v[i].score * 10000) / 10000));
			json_object_set_new(x, "se", json_real(round(r.v[i].se * 10000) / 10000));
			json_object_set_new(x, "judgements", json_integer(r.v[i].n));
			json_object_set_new(x, "wins", json_integer(r.v[i].wins));
			json_object_set_new(x, "losses", json_integer(r.v[i].losses));
			json_object_set_new(x, "ties", json_integer(r.v[i].ties));
			json_array_append_new(arr, x);
		}
		json_object_set_new(o, "ranking", arr);
		cli_json_print(o);
	} else {
		char *title = cli_safe(b.f.title, 60), *who = cli_safe(curator ? curator : "everyone", 30);
		printf("Brief %lld: %s\n%d judgement%s by %s (%d skipped); %zu of %lld candidates ranked\n\n",
		       (long long)brief, title, r.n_judgements, r.n_judgements == 1 ? "" : "s", who, r.n_skips, r.n,
		       (long long)b.n_candidates);
		free(title);
		free(who);
		t = cli_table_new(7, heads, "rrrrrrr");
		for (i = 0; i < r.n; i++) {
			struct lb_candidate cand;
			char rank[16], id[24], score[24], se[24], wlt[48], n[16], stars[16];
			const char *cells[7];
			snprintf(rank, sizeof rank, "%d", r.v[i].rank);
			snprintf(id, sizeof id, "%lld", (long long)r.v[i].candidate_id);
			snprintf(score, sizeof score, "%+.2f", r.v[i].score);
			snprintf(se, sizeof se, "%.2f", r.v[i].se);
			snprintf(wlt, sizeof wlt, "%d-%d-%d", r.v[i].wins, r.v[i].losses, r.v[i].ties);
			snprintf(n, sizeof n, "%d", r.v[i].n);
			snprintf(stars, sizeof stars, "-");
			if (store_candidate_get(c->st, r.v[i].candidate_id, &cand) == 0) {
				if (cand.n_ratings)
					snprintf(stars, sizeof stars, "%.1f", cand.mean_stars);
				lb_candidate_clear(&cand);
			}
			cells[0] = rank;
			cells[1] = id;
			cells[2] = score;
			cells[3] = se;
			cells[4] = wlt;
			cells[5] = n;
			cells[6] = stars;
			cli_table_row(t, cells);
		}
		if (r.n)
			cli_table_print(t, stdout);
		cli_table_free(&t);
		if ((int64_t)r.n < b.n_candidates)
			printf("%s%lld candidate%s not judged yet; 'lightbox compare %lld' offers pairs.\n", r.n ? "\n" : "",
			       (long long)(b.n_candidates - (int64_t)r.n), b.n_candidates - (int64_t)r.n == 1 ? "" : "s",
			       (long long)brief);
	}
	lb_ranking_clear(&r);
	lb_brief_clear(&b);
	return CLI_OK;
}

static void show_side(struct cli *c, const char *side, int64_t id)
{
	struct lb_candidate x;
	char *p;

	if (store_candidate_get(c->st, id, &x) != 0) {
		printf("  %-5s #%lld\n", side, (long long)id);
		return;
	}
	printf("  %-5s #%-6lld %s", side, (long long)id, x.media_type);
	if (x.width && x.height)
		printf(" %dx%d", x.width, x.height);
	if (x.n_ratings)
		printf("  %.1f stars", x.mean_stars);
	if (!isnan(x.score))
		printf("  score %+.2f", x.score);
	if (x.path) {
		p = cli_safe(x.path, 0);
		printf("\n        %s", p);
		free(p);
	} else if (x.body) {
		p = cli_safe(x.body, 60);
		printf("\n        %s", p);
		free(p);
	}
	putchar('\n');
	lb_candidate_clear(&x);
}

static int compare_loop(struct cli *c, int64_t brief)
{
	struct lb_pair p;
	char line[64], *what = NULL;
	int n = 0, v, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		rc = store_compare_next(c->st, brief, &p);
		if (rc == STORE_EEMPTY) {
			printf("%s\n", store_errmsg(c->st));
			break;
		}
		if (rc)
			return cli_store_fail(c);
		printf("\nWhich is better?  (%.0f%% expected for left%s)\n", p.p_left * 100,
		       p.times ? ", judged before" : "");
		show_side(c, "left", p.left_id);
		show_side(c, "right", p.right_id);
	ask:
		printf("[l]eft [r]ight [t]ie [s]kip [u]ndo [q]uit> ");
		if (fgets(line, sizeof line, stdin) == NULL) {
			putchar('\n');
			break;
		}
		line[strcspn(line, " \t\r\n")] = '\0';
		if (strcmp(line, "q") == 0 || strcmp(line, "quit") == 0)
			break;
		if (strcmp(line, "u") == 0 || strcmp(line, "undo") == 0) {
			if (store_undo(c->st, &what) != 0)
				printf("%s\n", store_errmsg(c->st));
			else {
				char *s = cli_safe(what, 0);
				printf("undid %s\n", s);
				free(s);
				n--;
			}
			xfree(&what);
			continue;
		}
		v = lb_verdict_parse(line);
		if (v < 0)
			goto ask;
		if (store_compare(c->st, p.left_id, p.right_id, v, NULL) != 0)
			return cli_store_fail(c);
		n++;
	}
	printf("%d judgement%s saved; 'lightbox rank %lld' shows the ranking.\n", n, n == 1 ? "" : "s",
	       (long long)brief);
	return CLI_OK;
}

int cmd_compare(struct cli *c, int argc, char **argv)
{
	struct lb_pair p;
	int64_t brief, left, right, id;
	int opt, json = 0, next = 0, v = -1;

	if (cli_args(c, &argc, argv, "", compare_opts, compare_help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", compare_opts, NULL)) != -1) {
		switch (opt) {
		case O_NEXT: next = 1; break;
		case O_JSON: json = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage(c, "say which brief");
	if (optind + 1 != argc && optind + 4 != argc)
		return cli_usage(c, "give a brief, or a brief and LEFT RIGHT VERDICT");
	if (cli_id(c, "brief", argv[optind], &brief) < 0)
		return CLI_USAGE;
	if (optind + 4 == argc) {
		if (next)
			return cli_usage(c, "--next does not take a pair");
		if (cli_id(c, "candidate", argv[optind + 1], &left) < 0 ||
		    cli_id(c, "candidate", argv[optind + 2], &right) < 0)
			return CLI_USAGE;
		v = lb_verdict_parse(argv[optind + 3]);
		if (v < 0)
			return cli_usage(c, "the verdict is left, right, tie or skip");
	}
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (cli_brief_exists(c, brief) != 0)
		return CLI_FAIL;
	if (optind + 4 == argc) {
		struct lb_candidate x;
		if (store_candidate_get(c->st, left, &x) != 0)
			return cli_store_fail(c);
		if (x.brief_id != brief) {
			lb_candidate_clear(&x);
			return cli_error(c, "candidate %lld is not of brief %lld", (long long)left, (long long)brief);
		}
		lb_candidate_clear(&x);
		if (store_compare(c->st, left, right, v, &id) != 0)
			return cli_store_fail(c);
		printf("judgement %lld: #%lld vs #%lld: %s\n", (long long)id, (long long)left, (long long)right,
		       lb_verdict_name(v));
		return CLI_OK;
	}
	if (next) {
		if (store_compare_next(c->st, brief, &p) != 0)
			return cli_store_fail(c);
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "left_id", json_integer(p.left_id));
			json_object_set_new(o, "right_id", json_integer(p.right_id));
			json_object_set_new(o, "p_left", json_real(round(p.p_left * 10000) / 10000));
			json_object_set_new(o, "judged_before", json_integer(p.times));
			cli_json_print(o);
		} else {
			printf("%lld %lld\n", (long long)p.left_id, (long long)p.right_id);
		}
		return CLI_OK;
	}
	return compare_loop(c, brief);
}
