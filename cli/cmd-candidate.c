/*
 * cmd-candidate.c - lightbox candidate add|ls|show
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox candidate add --brief BRIEF FILE...   (or --text TEXT)\n"
	"       lightbox candidate ls [FILTERS] [--sort ORDER] [--limit N] [--after ID] [--all] [--json]\n"
	"       lightbox candidate show CANDIDATE [--json]\n"
	"\n"
	"Candidates are the outputs made for a brief: images, text, audio, video.\n"
	"'add' stores each file once (by its SHA-256) and makes it a candidate, with\n"
	"the checks of 'lightbox import' (see 'Which files go in' in lightbox(1)).\n"
	"\n"
	"FILTERS:\n"
	"  --brief BRIEF       candidates of this brief\n"
	"  --project PROJECT   candidates of this project's briefs\n"
	"  --min-stars N       rated N stars or more (by --curator, else by anyone)\n"
	"  --max-stars N       rated N stars or fewer\n"
	"  --flag FLAG         pick, reject or none (unflagged)\n"
	"  --tag TAG           tagged TAG\n"
	"  --curator NAME      whose ratings --min-stars/--flag/--unrated look at\n"
	"  --unrated           not rated yet (by --curator, else by me)\n"
	"  --backend NAME      made by this backend\n"
	"  --search WORDS      full-text search of prompts, texts and notes (a query)\n"
	"  --selected          selected for the project\n"
	"  --query EXPR        a query: seed:5 steps>=30 (lora:x OR model:sdxl*) -tag:bad\n"
	"                      \"red car\" created:<7d ... (QUERIES in lightbox(1))\n"
	"  --view NAME         a saved view's query and sort ('lightbox view ls')\n"
	"Listing:\n"
	"  --sort ORDER        oldest (default), newest, stars, score\n"
	"  --limit N           at most N rows (default 50)\n"
	"  --after ID          continue after candidate ID (as the last page ended)\n"
	"  --all               every matching row, page by page\n"
	"  --json              print JSON\n";

enum { O_BRIEF = 1000, O_PROJECT, O_MIN, O_MAX, O_FLAG, O_TAG, O_CURATOR, O_UNRATED, O_BACKEND, O_SEARCH,
       O_SELECTED, O_SORT, O_LIMIT, O_AFTER, O_ALL, O_JSON, O_TEXT, O_QUERY, O_VIEW };

static const struct option opts[] = {
	{ "brief", required_argument, NULL, O_BRIEF },
	{ "project", required_argument, NULL, O_PROJECT },
	{ "min-stars", required_argument, NULL, O_MIN },
	{ "max-stars", required_argument, NULL, O_MAX },
	{ "flag", required_argument, NULL, O_FLAG },
	{ "tag", required_argument, NULL, O_TAG },
	{ "curator", required_argument, NULL, O_CURATOR },
	{ "unrated", no_argument, NULL, O_UNRATED },
	{ "backend", required_argument, NULL, O_BACKEND },
	{ "search", required_argument, NULL, O_SEARCH },
	{ "selected", no_argument, NULL, O_SELECTED },
	{ "sort", required_argument, NULL, O_SORT },
	{ "limit", required_argument, NULL, O_LIMIT },
	{ "after", required_argument, NULL, O_AFTER },
	{ "all", no_argument, NULL, O_ALL },
	{ "json", no_argument, NULL, O_JSON },
	{ "text", required_argument, NULL, O_TEXT },
	{ "query", required_argument, NULL, O_QUERY },
	{ "view", required_argument, NULL, O_VIEW },
	{ 0 },
};

struct cand_args {
	struct lb_filter f;
	const char *brief, *project, *text, *view;
	int sort, sort_set, limit, all, json;
	int64_t after;
};

static int parse(struct cli *c, int argc, char **argv, struct cand_args *a)
{
	long long v;
	int o;

	memset(a, 0, sizeof *a);
	a->limit = 50;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case O_BRIEF: a->brief = optarg; break;
		case O_PROJECT: a->project = optarg; break;
		case O_MIN:
		case O_MAX:
			if (util_parse_int(optarg, 0, 5, &v) < 0)
				return cli_usage(c, "--%s takes 0 to 5", o == O_MIN ? "min-stars" : "max-stars");
			if (o == O_MIN)
				a->f.min_stars = (int)v;
			else
				a->f.max_stars = (int)v;
			break;
		case O_FLAG:
			a->f.has_flag = 1;
			a->f.flag = lb_flag_parse(optarg);
			if (a->f.flag < 0)
				return cli_usage(c, "--flag is pick, reject or none");
			break;
		case O_TAG: a->f.tag = optarg; break;
		case O_CURATOR: a->f.curator = optarg; break;
		case O_UNRATED: a->f.unrated = 1; break;
		case O_BACKEND: a->f.backend = optarg; break;
		case O_SEARCH: a->f.search = optarg; break;
		case O_SELECTED: a->f.selected = 1; break;
		case O_SORT:
			a->sort = lb_sort_parse(optarg);
			a->sort_set = 1;
			if (a->sort < 0)
				return cli_usage(c, "--sort is oldest, newest, stars or score");
			break;
		case O_LIMIT:
			if (util_parse_int(optarg, 1, 100000, &v) < 0)
				return cli_usage(c, "--limit takes a number from 1 to 100000");
			a->limit = (int)v;
			break;
		case O_AFTER:
			if (cli_id(c, "candidate", optarg, &a->after) < 0)
				return CLI_USAGE;
			break;
		case O_ALL: a->all = 1; break;
		case O_JSON: a->json = 1; break;
		case O_TEXT: a->text = optarg; break;
		case O_QUERY: a->f.query = optarg; break;
		case O_VIEW: a->view = optarg; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	return 0;
}

struct add_ctx {
	struct cli *c;
	int brief_modality;
	int failed;
};

/* One file of candidate add, as import reports it. */
static void add_report(void *ctx, const struct lb_import_item *it)
{
	struct add_ctx *x = ctx;
	const char *kind;

	switch (it->status) {
	case LB_IMPORT_ADDED:
	case LB_IMPORT_SAME_ASSET:
		kind = it->media_type ? it->media_type : "text";
		printf("candidate %lld: %s (%s%s)", (long long)it->candidate_id, it->shown, kind,
		       it->status == LB_IMPORT_SAME_ASSET ? ", same bytes as an earlier asset" : "");
		if (it->reason && it->status == LB_IMPORT_ADDED)
			printf(" - %s", it->reason);
		printf("\n");
		break;
	case LB_IMPORT_DUPLICATE:
		printf("%s: %s; not added again\n", it->shown, it->reason);
		break;
	case LB_IMPORT_SIDECAR:
		printf("%s: %s\n", it->shown, it->reason);
		break;
	default:
		cli_error(x->c, "%s: %s; not added", it->shown, it->reason ? it->reason : "refused");
		x->failed = 1;
		break;
	}
}

/* Files go in through import: one rule for every door (the kinds, the
 * megapixel limit, names that lie, text shown inline up to 8 MiB, the
 * parameters a file carries), and no transaction is held while a file is
 * copied. */
static int candidate_add(struct cli *c, int argc, char **argv)
{
	struct cand_args a;
	struct lb_candidate_input in;
	struct lb_import_options o = { 0 };
	struct lb_import_result r;
	struct add_ctx x = { 0 };
	struct stat sb;
	const char **files;
	size_t n = 0;
	int64_t bid, id;
	int rc, i;
	char *safe;

	rc = parse(c, argc, argv, &a);
	if (rc)
		return rc;
	if (a.brief == NULL)
		return cli_usage(c, "say which brief with --brief");
	if (cli_id(c, "brief", a.brief, &bid) < 0)
		return CLI_USAGE;
	if (optind == argc && a.text == NULL)
		return cli_usage(c, "give files to add, or --text TEXT");
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (cli_brief_exists(c, bid) != 0)
		return CLI_FAIL;
	if (a.text) {
		memset(&in, 0, sizeof in);
		in.brief_id = bid;
		in.body = a.text;
		in.backend = "manual";
		in.source = "command line";
		if (store_candidate_add(c->st, &in, &id) != 0)
			return cli_store_fail(c);
		printf("candidate %lld: text\n", (long long)id);
	}
	x.c = c;
	o.brief_id = bid;
	o.report = add_report;
	o.ctx = &x;
	files = xcalloc((size_t)(argc - optind) + 1, sizeof *files);
	for (i = optind; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			safe = cli_safe(argv[i], 0);
			cli_error(c, "%s: a folder; add its files with 'lightbox import %s --brief %lld'", safe, safe,
				  (long long)bid);
			free(safe);
			x.failed = 1;
			continue;
		}
		files[n++] = argv[i];
	}
	rc = n ? store_import(c->st, files, n, &o, &r) : 0;
	free(files);
	if (n)
		lb_import_result_clear(&r);
	if (rc)
		return cli_store_fail(c);
	/* the new pictures' fingerprints follow in the background, as after an import */
	if (n && cli_fingerprint_later(c) != CLI_OK)
		x.failed = 1;
	return x.failed ? CLI_FAIL : CLI_OK;
}

static void human_row(struct cli_table *t, const struct lb_candidate *x, int64_t now)
{
	char id[24], brief[24], stars[24], mine[16], seed[24], age[16];
	const char *cells[10];

	snprintf(id, sizeof id, "%lld", (long long)x->id);
	snprintf(brief, sizeof brief, "%lld", (long long)x->brief_id);
	if (x->n_ratings)
		snprintf(stars, sizeof stars, "%.1f (%d)", x->mean_stars, x->n_ratings);
	else
		snprintf(stars, sizeof stars, "-");
	if (x->my_stars >= 0)
		snprintf(mine, sizeof mine, "%d", x->my_stars);
	else
		snprintf(mine, sizeof mine, "-");
	if (x->has_seed)
		snprintf(seed, sizeof seed, "%lld", (long long)x->seed);
	else
		snprintf(seed, sizeof seed, "-");
	util_age(x->created, now, age);
	cells[0] = id;
	cells[1] = brief;
	cells[2] = x->purged ? "file purged" : lb_modality_name(x->modality);
	cells[3] = stars;
	cells[4] = mine;
	cells[5] = x->my_flag ? lb_flag_name(x->my_flag) : (x->n_picks ? "pick*" : x->n_rejects ? "reject*" : "-");
	cells[6] = *x->tags ? x->tags : "-";
	cells[7] = *x->backend ? x->backend : "-";
	cells[8] = seed;
	cells[9] = age;
	cli_table_row(t, cells);
}

static int candidate_ls(struct cli *c, int argc, char **argv)
{
	static const char *const heads[] = { "ID", "BRIEF", "KIND", "STARS", "MINE", "FLAG", "TAGS", "BACKEND", "SEED", "AGE" };
	struct cand_args a;
	struct lb_candidate_list l = { 0 };
	struct lb_candidate cur;
	struct lb_key key;
	struct cli_table *t = NULL;
	json_t *arr = NULL;
	int64_t total = 0, shown = 0, now = util_now();
	char *view_query = NULL;
	int rc, more = 0;
	size_t i;

	rc = parse(c, argc, argv, &a);
	if (rc)
		return rc;
	if (optind != argc || a.text)
		return cli_usage(c, "'candidate ls' takes only options");
	if (cli_query_ok(c, "--query", a.f.query) != 0 || cli_query_ok(c, "--search", a.f.search) != 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (a.brief && cli_id(c, "brief", a.brief, &a.f.brief_id) < 0)
		return CLI_USAGE;
	if (a.brief && cli_brief_exists(c, a.f.brief_id) != 0)
		return CLI_FAIL;
	if (a.project && store_project_find(c->st, a.project, &a.f.project_id) != 0)
		return cli_store_fail(c);
	if (a.view) {
		struct lb_brief b;
		int64_t pid = a.f.project_id;
		int vsort = a.sort_set ? a.sort : -1;
		if (a.f.brief_id && store_brief_get(c->st, a.f.brief_id, &b) == 0) {
			pid = b.project_id;
			lb_brief_clear(&b);
		}
		rc = cli_view_find(c, a.view, pid, &a.f.query, &vsort, &view_query);
		if (rc)
			return rc;
		a.sort = vsort < 0 ? 0 : vsort;
	}
	if (a.after) {
		if (store_candidate_get(c->st, a.after, &cur) != 0) {
			rc = cli_store_fail(c);
			goto out;
		}
		lb_candidate_key(&cur, a.sort, &key);
		lb_candidate_clear(&cur);
	}
	if (a.json)
		arr = json_array();
	else
		t = cli_table_new(10, heads, "rrlrrllllr");
	for (;;) {
		int want = a.all ? 500 : (int)(a.limit - shown) + 1;
		if (store_candidate_page(c->st, &a.f, a.sort, a.after || shown ? &key : NULL, 0, want, &l) != 0) {
			json_decref(arr);
			cli_table_free(&t);
			rc = cli_store_fail(c);
			goto out;
		}
		for (i = 0; i < l.n; i++) {
			if (!a.all && shown == a.limit) {
				more = 1;
				break;
			}
			if (a.json)
				json_array_append_new(arr, cli_json_candidate(&l.v[i]));
			else
				human_row(t, &l.v[i], now);
			shown++;
			lb_candidate_key(&l.v[i], a.sort, &key);
		}
		if (more || l.n < (size_t)want || l.n == 0 || !a.all)
			break;
		if (!a.json && t) {
			cli_table_print(t, stdout);
			cli_table_free(&t);
			t = cli_table_new(10, heads, "rrlrrllllr");
		}
	}
	total = (int64_t)shown;
	lb_candidate_list_free(&l);
	if (a.json) {
		cli_json_print(arr);
	} else {
		if (shown)
			cli_table_print(t, stdout);
		else
			printf("no candidates match\n");
		cli_table_free(&t);
		if (more)
			printf("(more: add --after %lld, or --all)\n", (long long)key.id);
	}
	(void)total;
	rc = CLI_OK;
out:
	free(view_query);
	return rc;
}

static void print_text(const char *label, const char *text)
{
	char *s = util_visible_dup(text, 1), *line, *save = NULL;

	printf("%s:\n", label);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("  %s\n", line);
	free(s);
}

static int candidate_show(struct cli *c, int argc, char **argv)
{
	struct cand_args a;
	struct lb_candidate x;
	struct lb_rating_list rl = { 0 };
	struct lb_note_list nl = { 0 };
	struct lb_candidate_list kids = { 0 };
	struct lb_adjudication adj = { 0 };
	json_t *o, *arr;
	int64_t id;
	char when[32], *s;
	size_t i;
	int rc, has_adj = 0;

	rc = parse(c, argc, argv, &a);
	if (rc)
		return rc;
	if (optind + 1 != argc)
		return cli_usage(c, "give one candidate id");
	if (cli_id(c, "candidate", argv[optind], &id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_candidate_get(c->st, id, &x) != 0)
		return cli_store_fail(c);
	if (store_ratings(c->st, id, &rl) != 0 || store_notes(c->st, LB_ON_CANDIDATE, id, &nl) != 0 ||
	    store_candidate_children(c->st, id, &kids) != 0) {
		rc = cli_store_fail(c);
		goto out;
	}
	has_adj = store_adjudication(c->st, id, &adj) == 0;
	if (a.json) {
		o = cli_json_candidate(&x);
		arr = json_array();
		for (i = 0; i < rl.n; i++) {
			json_t *r = json_object();
			json_object_set_new(r, "curator", json_string(rl.v[i].curator));
			json_object_set_new(r, "stars", rl.v[i].stars >= 0 ? json_integer(rl.v[i].stars) : json_null());
			json_object_set_new(r, "flag", json_string(lb_flag_name(rl.v[i].flag)));
			json_array_append_new(arr, r);
		}
		json_object_set_new(o, "curator_ratings", arr);
		if (has_adj)
			json_object_set_new(o, "adjudication",
					    json_pack("{s:s, s:o, s:s, s:s}", "adjudicator", adj.adjudicator, "stars",
						      adj.stars >= 0 ? json_integer(adj.stars) : json_null(), "flag",
						      lb_flag_name(adj.flag), "reason", adj.reason));
		arr = json_array();
		for (i = 0; i < nl.n; i++) {
			json_t *n = json_object();
			util_iso8601(nl.v[i].created, when);
			json_object_set_new(n, "kind", json_string(lb_note_kind_name(nl.v[i].kind)));
			json_object_set_new(n, "curator", json_string(nl.v[i].curator));
			json_object_set_new(n, "created", json_string(when));
			json_object_set_new(n, "text", json_string(nl.v[i].body));
			json_array_append_new(arr, n);
		}
		json_object_set_new(o, "notes", arr);
		arr = json_array();
		for (i = 0; i < kids.n; i++)
			json_array_append_new(arr, json_integer(kids.v[i].id));
		json_object_set_new(o, "children", arr);
		cli_json_print(o);
		goto out;
	}
	util_iso8601(x.created, when);
	printf("candidate %lld  (%s, brief %lld revision %d)\n", (long long)x.id, lb_modality_name(x.modality),
	       (long long)x.brief_id, x.rev);
	printf("created:   %s\n", when);
	if (x.sha256 && x.purged) {
		util_iso8601(x.purged, when);
		printf("file:      purged %s (freed by lightbox purge; the record stays)\n", when);
	} else if (x.sha256) {
		if (x.path) {
			s = cli_safe(x.path, 0);
			printf("file:      %s%s\n", s, x.link == 1 ? " (a hard link)" : x.link == 2 ? " (a reflink)" : "");
			free(s);
		} else {
			printf("file:      NOT SHOWN: %s\n", lb_asset_state_words(x.asset_state));
		}
		printf("type:      %s, %lld bytes", x.media_type, (long long)x.bytes);
		if (x.width)
			printf(", %dx%d", x.width, x.height);
		if (x.duration > 0)
			printf(", %.2f s", x.duration);
		printf("\nsha256:    %s\n", x.sha256);
	}
	s = cli_safe(*x.backend ? x.backend : "-", 0);
	printf("backend:   %s", s);
	free(s);
	s = cli_safe(x.model, 0);
	if (*x.model)
		printf("  model: %s", s);
	free(s);
	if (x.has_seed)
		printf("  seed: %lld", (long long)x.seed);
	printf("\nparams:    %s\n", x.params);
	if (x.parent_id)
		printf("parent:    %lld\n", (long long)x.parent_id);
	if (kids.n) {
		printf("children: ");
		for (i = 0; i < kids.n; i++)
			printf(" %lld", (long long)kids.v[i].id);
		printf("\n");
	}
	s = cli_safe(x.source, 0);
	if (*x.source)
		printf("source:    %s\n", s);
	free(s);
	if (x.n_ratings || rl.n) {
		printf("ratings:   mean %.2f from %d curator%s\n", x.mean_stars, x.n_ratings, x.n_ratings == 1 ? "" : "s");
		for (i = 0; i < rl.n; i++) {
			s = cli_safe(rl.v[i].curator, 30);
			if (rl.v[i].stars >= 0)
				printf("  %-16s %d star%s %s\n", s, rl.v[i].stars, rl.v[i].stars == 1 ? "" : "s",
				       rl.v[i].flag ? lb_flag_name(rl.v[i].flag) : "");
			else
				printf("  %-16s -       %s\n", s, lb_flag_name(rl.v[i].flag));
			free(s);
		}
	}
	if (has_adj) {
		s = cli_safe(adj.adjudicator, 30);
		printf("decided:   by %s (adjudicator): ", s);
		free(s);
		if (adj.stars >= 0)
			printf("%d star%s ", adj.stars, adj.stars == 1 ? "" : "s");
		s = cli_safe(adj.reason, 0);
		printf("%s - %s\n", lb_flag_name(adj.flag), s);
		free(s);
	}
	if (*x.tags) {
		s = cli_safe(x.tags, 0);
		printf("tags:      %s\n", s);
		free(s);
	}
	printf("selected:  %s\n", x.selected ? "yes" : "no");
	if (*x.prompt)
		print_text("prompt", x.prompt);
	if (*x.negative)
		print_text("negative prompt", x.negative);
	if (x.body)
		print_text("text", x.body);
	for (i = 0; i < nl.n; i++) {
		char *label;
		util_iso8601(nl.v[i].created, when);
		s = cli_safe(nl.v[i].curator, 30);
		label = xasprintf("note (%s) by %s, %s", lb_note_kind_name(nl.v[i].kind), s, when);
		print_text(label, nl.v[i].body);
		free(label);
		free(s);
	}
out:
	lb_adjudication_clear(&adj);
	lb_candidate_clear(&x);
	lb_rating_list_free(&rl);
	lb_note_list_free(&nl);
	lb_candidate_list_free(&kids);
	return rc;
}

int cmd_candidate(struct cli *c, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "add", candidate_add, "", opts },
		{ "ls", candidate_ls, "", opts },
		{ "show", candidate_show, "", opts },
	};

	return cli_dispatch(c, "candidate", subs, sizeof subs / sizeof subs[0], help, argc, argv);
}
