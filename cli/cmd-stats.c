/*
 * cmd-stats.c - lightbox stats: how far the curators of a project agree,
 * brief by brief.
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox stats PROJECT [--brief BRIEF] [--top N] [--gap N] [--bt-gap S] [--json]\n"
	"       lightbox stats BRIEF --by FIELD [--min N] [--json|--csv]\n"
	"       lightbox stats --project PROJECT --by FIELD [--min N] [--json|--csv]\n"
	"\n"
	"For each brief where curators rated: how many rated, the mean and spread of the\n"
	"stars, how far each pair of curators agrees (percent agreement on pick/reject,\n"
	"over the candidates both rated and at least one flagged; Krippendorff's alpha on\n"
	"stars, ordinal metric) and the candidates they disagree on most.\n"
	"\n"
	"Alpha is 1 for perfect agreement and 0 for agreement no better than chance; it\n"
	"is ordinal because stars are ranks, not measurements (the step from 4 to 5 is\n"
	"not the step from 1 to 2).  The interval alpha is in the JSON for comparison.\n"
	"Agreement is given twice: over the curators' votes as cast, and after\n"
	"adjudication, with each decided candidate's votes replaced by the decision.\n"
	"The disputed candidates are counted by the rules of 'lightbox conflicts'.\n"
	"\n"
	"With --by FIELD it is what wins ('lightbox wins'): the candidates of a brief, or\n"
	"of a project's briefs, grouped by FIELD, with their stars, picks and pairwise\n"
	"score per value.\n"
	"\n"
	"Options:\n"
	"  --brief BRIEF   only this brief\n"
	"  --top N         list the N most disputed candidates (default 5)\n"
	"  --gap N         disputed: stars N or more apart (default 2)\n"
	"  --bt-gap S      disputed: a confident pairwise order against stars S apart\n"
	"                  (default 1; 0: not looked for)\n"
	"  --project P     the project (with --by: group its briefs' candidates)\n"
	"  --by FIELD      what wins, by FIELD: model, sampler, scheduler, steps, cfg,\n"
	"                  lora, param:KEY, phrase, revision, backend, seed, tag, width,\n"
	"                  height ('lightbox wins --help')\n"
	"  --min N         with --by: values with fewer rated candidates are not ranked\n"
	"                  (default 3)\n"
	"  --csv           with --by: print CSV\n"
	"  --json          print JSON\n";

enum { O_BRIEF = 1000, O_TOP, O_JSON, O_BY, O_MIN, O_PROJECT, O_CSV };

static const struct option opts[] = {
	{ "brief", required_argument, NULL, O_BRIEF },
	{ "top", required_argument, NULL, O_TOP },
	{ "json", no_argument, NULL, O_JSON },
	{ "gap", required_argument, NULL, 'g' },
	{ "bt-gap", required_argument, NULL, 'B' },
	{ "by", required_argument, NULL, O_BY },
	{ "min", required_argument, NULL, O_MIN },
	{ "project", required_argument, NULL, O_PROJECT },
	{ "csv", no_argument, NULL, O_CSV },
	{ 0 },
};

/* v rounded to `per` steps per unit (1000: three decimals); null if NAN. */
static json_t *jnum(double v, double per)
{
	return isnan(v) ? json_null() : json_real(round(v * per) / per);
}

/* "alpha" and "pick_reject_agreement" into o. */
static void put_agreement(json_t *o, double alpha, double alpha_interval, int pairable, int agree, int of,
			  double share)
{
	json_t *a = json_object();

	json_object_set_new(a, "ordinal", jnum(alpha, 10000));
	json_object_set_new(a, "interval", jnum(alpha_interval, 10000));
	json_object_set_new(a, "pairable_values", json_integer(pairable));
	json_object_set_new(o, "alpha", a);
	a = json_object();
	json_object_set_new(a, "agree", json_integer(agree));
	json_object_set_new(a, "of", json_integer(of));
	json_object_set_new(a, "percent", jnum(share * 100, 10));
	json_object_set_new(o, "pick_reject_agreement", a);
}

static json_t *json_stats(const struct lb_brief *b, const struct lb_brief_stats *s)
{
	json_t *o = json_object(), *arr, *x;
	size_t i;

	json_object_set_new(o, "brief_id", json_integer(b->id));
	json_object_set_new(o, "title", json_string(b->f.title));
	json_object_set_new(o, "candidates", json_integer(s->n_candidates));
	json_object_set_new(o, "rated", json_integer(s->n_rated));
	json_object_set_new(o, "hidden", json_integer(s->n_hidden));
	json_object_set_new(o, "curators_rating", json_integer((json_int_t)s->n_curators));
	json_object_set_new(o, "star_ratings", json_integer(s->n_ratings));
	json_object_set_new(o, "mean_stars", jnum(s->mean_stars, 1000));
	json_object_set_new(o, "sd_stars", jnum(s->sd_stars, 1000));
	put_agreement(o, s->alpha, s->alpha_interval, s->n_pairable, s->n_flag_agree, s->n_flagged,
		      s->flag_agreement);
	x = json_object();
	json_object_set_new(x, "decided", json_integer(s->n_adjudicated));
	put_agreement(x, s->alpha_after, s->alpha_interval_after, s->n_pairable_after, s->n_flag_agree_after,
		      s->n_flagged_after, s->flag_agreement_after);
	json_object_set_new(o, "after_adjudication", x);
	arr = json_array();
	for (i = 0; i < s->n_curators; i++) {
		x = json_object();
		json_object_set_new(x, "curator", json_string(s->curators[i].curator));
		json_object_set_new(x, "rated", json_integer(s->curators[i].n_rated));
		json_object_set_new(x, "mean_stars", jnum(s->curators[i].mean_stars, 1000));
		json_object_set_new(x, "picks", json_integer(s->curators[i].n_picks));
		json_object_set_new(x, "rejects", json_integer(s->curators[i].n_rejects));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "curators", arr);
	arr = json_array();
	for (i = 0; i < s->n_pairs; i++) {
		const struct lb_pair_agreement *p = &s->pairs[i];
		x = json_object();
		json_object_set_new(x, "a", json_string(p->a));
		json_object_set_new(x, "b", json_string(p->b));
		json_object_set_new(x, "both_rated", json_integer(p->n_common));
		json_object_set_new(x, "flagged", json_integer(p->n_flagged));
		json_object_set_new(x, "flag_agree", json_integer(p->n_flag_agree));
		json_object_set_new(x, "flag_percent", jnum(p->flag_agreement * 100, 10));
		json_object_set_new(x, "both_starred", json_integer(p->n_starred));
		json_object_set_new(x, "alpha", jnum(p->alpha, 10000));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "pairs", arr);
	arr = json_array();
	for (i = 0; i < s->n_disagree; i++) {
		const struct lb_disagreement *d = &s->disagree[i];
		x = json_object();
		json_object_set_new(x, "candidate_id", json_integer(d->candidate_id));
		json_object_set_new(x, "min_stars", d->n_starred ? json_integer(d->min_stars) : json_null());
		json_object_set_new(x, "max_stars", d->n_starred ? json_integer(d->max_stars) : json_null());
		json_object_set_new(x, "sd", jnum(d->sd, 1000));
		json_object_set_new(x, "picks", json_integer(d->n_picks));
		json_object_set_new(x, "rejects", json_integer(d->n_rejects));
		json_object_set_new(x, "ratings", json_string(d->ratings));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "disagreements", arr);
	return o;
}

/* v with dec decimals and a suffix, or "-" when undefined. */
static void fmt(char *buf, size_t n, int dec, const char *suffix, double v)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.*f%s", dec, v, suffix);
}

static void human_stats(const struct lb_brief *b, const struct lb_brief_stats *s)
{
	static const char *const ch[] = { "CURATOR", "RATED", "MEAN", "PICKS", "REJECTS" };
	static const char *const ph[] = { "PAIR", "BOTH", "PICK/REJECT", "ALPHA" };
	struct cli_table *t;
	char *title = cli_safe(b->f.title, 60), a[32], bb[32], c[32], d[32], e[64];
	const char *cells[5];
	size_t i;

	printf("Brief %lld: %s\n", (long long)b->id, title);
	free(title);
	cli_blind_note(s->n_hidden, "the figures leave them out");
	if (s->n_rated == 0) {
		printf("  %lld candidate%s, no ratings yet.\n\n", (long long)s->n_candidates,
		       s->n_candidates == 1 ? "" : "s");
		return;
	}
	printf("  %lld candidate%s, %lld rated by %zu curator%s (%d star rating%s)\n", (long long)s->n_candidates,
	       s->n_candidates == 1 ? "" : "s", (long long)s->n_rated, s->n_curators, s->n_curators == 1 ? "" : "s",
	       s->n_ratings, s->n_ratings == 1 ? "" : "s");
	fmt(a, sizeof a, 2, "", s->mean_stars);
	fmt(bb, sizeof bb, 2, "", s->sd_stars);
	printf("  stars: mean %s, standard deviation %s\n", a, bb);
	fmt(a, sizeof a, 2, "", s->alpha);
	fmt(bb, sizeof bb, 0, "%", s->flag_agreement * 100);
	printf("  agreement: Krippendorff's alpha %s (ordinal, %d paired values); pick/reject %s (%d of %d)\n", a,
	       s->n_pairable, bb, s->n_flag_agree, s->n_flagged);
	if (s->n_adjudicated) {
		fmt(a, sizeof a, 2, "", s->alpha_after);
		fmt(bb, sizeof bb, 0, "%", s->flag_agreement_after * 100);
		printf("  after adjudication (%d decided): Krippendorff's alpha %s; pick/reject %s (%d of %d)\n",
		       s->n_adjudicated, a, bb, s->n_flag_agree_after, s->n_flagged_after);
	}
	t = cli_table_new(5, ch, "lrrrr");
	for (i = 0; i < s->n_curators; i++) {
		snprintf(a, sizeof a, "%d", s->curators[i].n_rated);
		fmt(bb, sizeof bb, 2, "", s->curators[i].mean_stars);
		snprintf(c, sizeof c, "%d", s->curators[i].n_picks);
		snprintf(d, sizeof d, "%d", s->curators[i].n_rejects);
		cells[0] = s->curators[i].curator;
		cells[1] = a;
		cells[2] = bb;
		cells[3] = c;
		cells[4] = d;
		cli_table_row(t, cells);
	}
	putchar('\n');
	cli_table_print(t, stdout);
	cli_table_free(&t);
	if (s->n_pairs) {
		t = cli_table_new(4, ph, "lrrr");
		for (i = 0; i < s->n_pairs; i++) {
			const struct lb_pair_agreement *p = &s->pairs[i];
			char *pair = xasprintf("%s-%s", p->a, p->b);
			snprintf(a, sizeof a, "%d", p->n_common);
			if (p->n_flagged)
				snprintf(e, sizeof e, "%.0f%% (%d/%d)", p->flag_agreement * 100, p->n_flag_agree,
					 p->n_flagged);
			else
				snprintf(e, sizeof e, "-");
			fmt(c, sizeof c, 2, "", p->alpha);
			cells[0] = pair;
			cells[1] = a;
			cells[2] = e;
			cells[3] = c;
			cli_table_row(t, cells);
			free(pair);
		}
		putchar('\n');
		cli_table_print(t, stdout);
		cli_table_free(&t);
	}
	if (s->n_disagree) {
		printf("\n  Most disagreement:\n");
		for (i = 0; i < s->n_disagree; i++) {
			char *r = cli_safe(s->disagree[i].ratings, 0);
			printf("  #%-6lld %s\n", (long long)s->disagree[i].candidate_id, r);
			free(r);
		}
	}
	putchar('\n');
}

/* Each curator's progress through an assignment, and the disputed
 * candidates with how many an adjudicator decided; into o when JSON. */
static int review_stats(struct cli *c, int64_t brief, const struct lb_dispute_rules *rules, json_t *o)
{
	struct lb_progress *p;
	struct lb_conflict *cf;
	size_t n, nc, i, decided = 0;
	json_t *arr;
	char *s;

	if (store_assign_progress(c->st, brief, &p, &n) != 0 || store_conflicts(c->st, brief, rules, &cf, &nc) != 0)
		return -1;
	for (i = 0; i < nc; i++)
		decided += cf[i].decision != NULL;
	if (o) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "curator", p[i].curator, "assigned",
							     (json_int_t)p[i].assigned, "judged", (json_int_t)p[i].done));
		json_object_set_new(o, "progress", arr);
		json_object_set_new(o, "disputed", json_integer((json_int_t)nc));
		json_object_set_new(o, "adjudicated", json_integer((json_int_t)decided));
	} else {
		if (n)
			printf("  Progress (assigned, judged):");
		for (i = 0; i < n; i++) {
			s = cli_safe(p[i].curator, 30);
			printf(" %s %lld/%lld%s", s, (long long)p[i].done, (long long)p[i].assigned, i + 1 < n ? "," : "\n");
			free(s);
		}
		if (nc)
			printf("  Disputed (stars %d+ apart, pick against reject, or a pairwise order against the stars): "
			       "%zu, %zu decided by an adjudicator ('lightbox conflicts %lld')\n\n",
			       rules->gap, nc, decided, (long long)brief);
		else if (n)
			putchar('\n');
	}
	lb_progress_free(p, n);
	lb_conflicts_free(cf, nc);
	return 0;
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
	struct lb_dispute_rules rules = { LB_DISPUTE_GAP, LB_DISPUTE_BT_GAP };
	struct lb_brief_list bl;
	struct lb_brief_stats s;
	int64_t pid, only = 0;
	const char *project = NULL;
	json_t *arr = NULL;
	long long v;
	size_t i;
	int opt, top = 5, json = 0, rc = CLI_OK, shown = 0, by = 0, agreement = 0, csv = 0;

	if (cli_args(c, &argc, argv, "", opts, help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_BRIEF:
			if (cli_id(c, "brief", optarg, &only) < 0)
				return CLI_USAGE;
			break;
		case O_TOP:
			if (util_parse_int(optarg, 0, 1000, &v) < 0)
				return cli_usage(c, "--top takes 0 to 1000");
			top = (int)v;
			agreement = 1;
			break;
		case 'g':
		case 'B':
			if (cli_dispute_opt(c, opt, optarg, &rules))
				return CLI_USAGE;
			agreement = 1;
			break;
		case O_JSON: json = 1; break;
		case O_BY: by = 1; break;
		case O_MIN: /* wins reads them */
		case O_CSV: csv = 1; break;
		case O_PROJECT: project = optarg; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	/* What wins: the same command as 'lightbox wins', under the name the
	 * issue gave it. */
	if (by) {
		if (agreement || only)
			return cli_usage(c, "--by takes a brief or --project, with --min, --json or --csv; "
					    "--brief, --top, --gap and --bt-gap are for agreement");
		return cmd_wins(c, argc, argv);
	}
	if (csv)
		return cli_usage(c, "--min and --csv go with --by FIELD (agreement prints text or --json)");
	if (project ? optind != argc : optind != argc - 1)
		return cli_usage(c, "say which project");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_project_find(c->st, project ? project : argv[optind], &pid) != 0 ||
	    store_brief_list(c->st, pid, 0, &bl) != 0)
		return cli_store_fail(c);
	if (json)
		arr = json_array();
	for (i = 0; i < bl.n && rc == CLI_OK; i++) {
		if (only && bl.v[i].id != only)
			continue;
		shown++;
		if (store_brief_stats(c->st, bl.v[i].id, top, &s) != 0) {
			rc = cli_store_fail(c);
			break;
		}
		if (json) {
			json_t *o = json_stats(&bl.v[i], &s);
			json_array_append_new(arr, o);
			if (review_stats(c, bl.v[i].id, &rules, o) != 0)
				rc = cli_store_fail(c);
		} else {
			human_stats(&bl.v[i], &s);
			if (review_stats(c, bl.v[i].id, &rules, NULL) != 0)
				rc = cli_store_fail(c);
		}
		lb_brief_stats_clear(&s);
	}
	if (rc == CLI_OK && only && shown == 0)
		rc = cli_error(c, "brief %lld is not a live brief of that project", (long long)only);
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "project_id", json_integer(pid));
		json_object_set_new(o, "briefs", arr);
		if (rc == CLI_OK)
			cli_json_print(o);
		else
			json_decref(o);
	} else if (rc == CLI_OK && shown == 0) {
		printf("No briefs.\n");
	}
	lb_brief_list_free(&bl);
	return rc;
}
