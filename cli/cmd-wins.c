/*
 * cmd-wins.c - lightbox wins: which models, LoRAs, samplers, parameters
 * and prompt phrases the curators prefer, with honest uncertainty.
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <langinfo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox wins BRIEF [--by FIELD] [--min N] [--json|--csv]\n"
	"       lightbox wins --project PROJECT [--by FIELD] [--min N] [--json|--csv]\n"
	"\n"
	"Groups the candidates by FIELD and shows, per value: candidates, how many were\n"
	"rated, the mean stars with a 95% interval (Student's t over the ratings), the\n"
	"share picked with a 95% Wilson interval, and the mean pairwise (Bradley-Terry)\n"
	"score.  Values with fewer than N rated candidates (default 3) are listed apart,\n"
	"not ranked.  Ranked values come by the low end of their stars interval.\n"
	"\n"
	"FIELD: model (default), sampler, scheduler, steps, cfg, lora, param:KEY, phrase\n"
	"(the prompt's comma-separated phrases), revision, backend, seed (ranges of\n"
	"1000), tag, width, height.\n";

static const struct option opts[] = {
	{ "by", required_argument, NULL, 'b' },
	{ "min", required_argument, NULL, 'm' },
	{ "project", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "csv", no_argument, NULL, 'c' },
	{ 0 },
};

/* A CSV field: quoted when it holds a comma, quote or line break. */
static char *csv_field(const char *v)
{
	struct sbuf b;

	if (strcspn(v, ",\"\r\n") == strlen(v))
		return xstrdup(v);
	sb_init(&b);
	sb_addc(&b, '"');
	for (; *v; v++) {
		if (*v == '"')
			sb_addc(&b, '"');
		sb_addc(&b, *v);
	}
	sb_addc(&b, '"');
	return sb_steal(&b);
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(round(v * 1000) / 1000);
}

/* A bar of w cells for v of max, in eighths of a block (or '#'). */
static void bar(double v, double max, int w, int utf8)
{
	static const char *const eighth[] = { "", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
					      "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89" };
	int units = isnan(v) || max <= 0 ? 0 : (int)lround(v / max * w * 8), i;

	for (i = 0; i < units / 8; i++)
		fputs(utf8 ? "\xe2\x96\x88" : "#", stdout);
	if (utf8 && units % 8)
		fputs(eighth[units % 8], stdout);
}

int cmd_wins(struct cli *c, int argc, char **argv)
{
	const char *by = "model", *project = NULL;
	struct lb_win *w;
	int64_t brief = 0, pid = 0;
	size_t n, i, unranked = 0;
	long long v;
	int o, min = 3, json = 0, csv = 0, utf8;
	json_t *arr;
	char *s, ci[32], pk[32];

	if (cli_args(c, &argc, argv, "", opts, help))
		return c->status;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'b': by = optarg; break;
		case 'm':
			if (util_parse_int(optarg, 1, 1000000, &v) < 0)
				return cli_usage(c, "--min takes a number of rated candidates, 1 or more");
			min = (int)v;
			break;
		case 'p': project = optarg; break;
		case 'j': json = 1; break;
		case 'c': csv = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (json && csv)
		return cli_usage(c, "give --json or --csv, not both");
	if (project ? optind != argc : optind + 1 != argc)
		return cli_usage(c, "give one brief, or --project PROJECT");
	if (!project && cli_id(c, "brief", argv[optind], &brief) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (brief && cli_brief_exists(c, brief) != 0)
		return CLI_FAIL;
	if (project && store_project_find(c->st, project, &pid) != 0)
		return cli_store_fail(c);
	if (store_wins(c->st, brief, pid, by, min, &w, &n) != 0)
		return cli_store_fail(c);
	if (json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(
				arr, json_pack("{s:s, s:b, s:i, s:i, s:i, s:o, s:[o,o], s:f, s:[f,f], s:o}", "value",
					       w[i].value, "ranked", w[i].ranked, "candidates", w[i].n_candidates, "rated",
					       w[i].n_rated, "ratings", w[i].n_ratings, "mean_stars", num(w[i].stars),
					       "stars_95", num(w[i].stars_lo), num(w[i].stars_hi), "pick_rate",
					       round(w[i].pick_rate * 1000) / 1000, "pick_rate_95",
					       round(w[i].pick_lo * 1000) / 1000, round(w[i].pick_hi * 1000) / 1000,
					       "bradley_terry", num(w[i].score)));
		cli_json_print(arr);
	} else if (csv) {
		printf("value,ranked,candidates,rated,ratings,mean_stars,stars_lo,stars_hi,pick_rate,pick_lo,pick_hi,"
		       "bradley_terry\n");
		for (i = 0; i < n; i++) {
			s = csv_field(w[i].value);
			printf("%s,%d,%d,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f\n", s, w[i].ranked, w[i].n_candidates,
			       w[i].n_rated, w[i].n_ratings, w[i].stars, w[i].stars_lo, w[i].stars_hi, w[i].pick_rate,
			       w[i].pick_lo, w[i].pick_hi, w[i].score);
			free(s);
		}
	} else {
		utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
		printf("%-28s %5s %5s %5s %-11s %-9s %6s  %s\n", by, "CANDS", "RATED", "MEAN", "95%", "PICKED", "BT",
		       "stars");
		for (i = 0; i < n; i++) {
			if (!w[i].ranked) {
				unranked++;
				continue;
			}
			s = cli_safe(w[i].value, 28);
			if (isnan(w[i].stars_lo))
				snprintf(ci, sizeof ci, "-");
			else
				snprintf(ci, sizeof ci, "%.1f-%.1f", w[i].stars_lo, w[i].stars_hi);
			snprintf(pk, sizeof pk, "%2.0f%%±%.0f", w[i].pick_rate * 100,
				 (w[i].pick_hi - w[i].pick_lo) * 50);
			printf("%-28s %5d %5d %5.2f %-11s %-9s ", s, w[i].n_candidates, w[i].n_rated, w[i].stars, ci, pk);
			if (isnan(w[i].score))
				printf("%6s  ", "-");
			else
				printf("%+6.2f  ", w[i].score);
			bar(w[i].stars, 5, 20, utf8);
			printf("\n");
			free(s);
		}
		if (unranked)
			printf("(%zu value%s with fewer than %d rated candidates not ranked; --min lowers it)\n", unranked,
			       unranked == 1 ? "" : "s", min);
		if (n == 0)
			printf("no candidates\n");
	}
	lb_wins_free(w, n);
	return CLI_OK;
}
