/*
 * test-query.c - the query language (store/query.c): every operator and
 * field run against a real store, precedence, errors with their column,
 * values that stay bindings, and hostile queries (deep nesting, very long
 * ones) refused quickly.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store.h"
#include "util.h"

struct fixture {
	char dir[64];      /* the store's folder (on PostgreSQL: its assets) */
	char name[512];    /* the store: dir, or a database's URL */
	struct store *st;  /* as "ann" */
	struct store *bob; /* the same store as "bob" */
	int64_t brief, id[9];
};

static struct store *open_as(const char *dir, const char *curator)
{
	struct store_options o = { 0 };
	struct store *st = NULL;
	char *err = NULL;

	o.create = 1;
	o.curator = curator;
	if (store_open(dir, &o, &st, &err) != 0) {
		fprintf(stderr, "# %s\n", err);
		free(err);
		fail();
	}
	return st;
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* LB_TEST_STORE_URL, the URL of a PostgreSQL server's `postgres`
 * database (tests/unit/pg-query.sh): each test's store is then a new
 * database there, its assets in the test's folder. */
static void store_name_for(struct fixture *f)
{
	const char *base = getenv("LB_TEST_STORE_URL"), *db;
	static int n;
	PGconn *c;
	PGresult *r;
	char sql[64], name[32];

	snprintf(f->name, sizeof f->name, "%s", f->dir);
	if (!base || !*base)
		return;
	db = strstr(base, "/postgres");
	assert_non_null(db);
	snprintf(name, sizeof name, "lbq%ld_%d", (long)getpid(), ++n);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	c = PQconnectdb(base);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(f->name, sizeof f->name, "%.*s/%s%s", (int)(db - base), base, name, db + strlen("/postgres"));
	setenv("LIGHTBOX_ASSETS", f->dir, 1);
}

/* Nine text candidates (index 1..8 used, 0 unused), ids in order:
 *   1 seed 100 model sdxl-base  steps 30 cfg 7   sampler "Euler a"  lora detail  1024x768 "red car"
 *   2 seed 101 model sdxl-turbo steps 8  cfg 2.5 sampler_name DPM    loras style  768x1024 "blue car"
 *   3 seed 200 model flux-dev   steps 30 cfg 3.5 scheduler karras   (ComfyUI node) 1024x1024 "red boat"
 *   4 no seed  model flux-dev   no params                              "green field", backend a1111
 *   5 seed 5   model sd15       steps "25" (text)                      "50% off_sale", parent 1
 *   6..8       model sd15       seeds 6..8                             "filler"
 * Ratings: ann 1:5 pick, 2:2, 3:4; bob 1:3, 2:2 reject, 4:5 pick.
 * Tags: 1 hero, 2 hero-alt, 3 hero.  Note on 3: "horizon too high".
 * Selected: 2.  Candidate 8 is 30 days old. */
static int setup(void **state)
{
	static const struct {
		const char *body, *model, *backend, *params;
		int64_t seed;
	} c[] = {
		{ NULL, NULL, NULL, NULL, 0 },
		{ "red car", "sdxl-base", "comfyui",
		  "{\"steps\":30,\"cfg_scale\":7,\"sampler\":\"Euler a\",\"width\":1024,\"height\":768,"
		  "\"loras\":[{\"name\":\"detail.safetensors\",\"weight\":0.8}]}",
		  100 },
		{ "blue car", "sdxl-turbo", "a1111",
		  "{\"steps\":8,\"cfg-scale\":2.5,\"sampler_name\":\"DPM++ 2M\",\"width\":768,\"height\":1024,"
		  "\"loras\":[\"style\"]}",
		  101 },
		{ "red boat", "flux-dev", "comfyui",
		  "{\"steps\":30,\"cfg\":3.5,\"scheduler\":\"karras\",\"width\":1024,\"height\":1024,"
		  "\"workflow\":{\"3\":{\"class_type\":\"KSampler\",\"inputs\":{\"denoise\":0.6,\"seed\":200}}}}",
		  200 },
		{ "green field", "flux-dev", "a1111", NULL, -1 },
		{ "50% off_sale", "sd15", "manual", "{\"steps\":\"25\"}", 5 },
		{ "filler", "sd15", "manual", NULL, 6 },
		{ "filler", "sd15", "manual", NULL, 7 },
		{ "filler", "sd15", "manual", NULL, 8 },
	};
	struct fixture *f = xcalloc(1, sizeof *f);
	struct lb_brief_fields bf = { 0 };
	int64_t project, nid;
	size_t i;

	setenv("LIGHTBOX_NOW", "1800000000", 1);
	snprintf(f->dir, sizeof f->dir, "%s/lbq.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	store_name_for(f);
	f->st = open_as(f->name, "ann");
	bf.title = (char *)"Wheels";
	bf.modality = LB_TEXT;
	bf.prompt = (char *)"a vehicle by the sea";
	if (store_project_add(f->st, "Autumn", "", &project) != 0 ||
	    store_brief_add(f->st, project, &bf, &f->brief) != 0)
		return -1;
	for (i = 1; i < sizeof c / sizeof c[0]; i++) {
		struct lb_candidate_input in = { 0 };
		in.brief_id = f->brief;
		in.body = c[i].body;
		in.model = c[i].model;
		in.backend = c[i].backend;
		in.params = c[i].params;
		in.has_seed = c[i].seed >= 0;
		in.seed = c[i].seed;
		in.parent_id = i == 5 ? f->id[1] : 0;
		if (i == 8)
			setenv("LIGHTBOX_NOW", "1797408000", 1); /* 30 days before */
		if (store_candidate_add(f->st, &in, &f->id[i]) != 0)
			return -1;
		setenv("LIGHTBOX_NOW", "1800000000", 1);
	}
	f->bob = open_as(f->name, "bob");
	if (store_rate(f->st, f->id[1], 5) || store_flag(f->st, f->id[1], LB_FLAG_PICK) ||
	    store_rate(f->st, f->id[2], 2) || store_rate(f->st, f->id[3], 4) || store_rate(f->bob, f->id[1], 3) ||
	    store_rate(f->bob, f->id[2], 2) || store_flag(f->bob, f->id[2], LB_FLAG_REJECT) ||
	    store_rate(f->bob, f->id[4], 5) || store_flag(f->bob, f->id[4], LB_FLAG_PICK) ||
	    store_tag_add(f->st, f->id[1], "hero") || store_tag_add(f->st, f->id[2], "hero-alt") ||
	    store_tag_add(f->st, f->id[3], "hero") ||
	    store_note_add(f->st, LB_ON_CANDIDATE, f->id[3], LB_NOTE_COMMENT, "horizon too high", &nid) ||
	    store_select(f->st, f->id[2], "", ""))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->bob);
	store_close(&f->st);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	unsetenv("LIGHTBOX_NOW");
	return 0;
}

/* The candidates (as fixture indexes "1 3 5") a query finds, in id order;
 * "ERR: message" when the store refuses it. */
static char *run(struct fixture *f, const char *query)
{
	struct lb_filter fl = { 0 };
	struct lb_candidate_list l = { 0 };
	struct sbuf b;
	int64_t n = -1;
	size_t i;
	int k;

	fl.brief_id = f->brief;
	fl.query = query;
	sb_init(&b);
	if (store_candidate_page(f->st, &fl, LB_SORT_OLDEST, NULL, 0, 100, &l) != 0) {
		sb_addf(&b, "ERR: %s", store_errmsg(f->st));
		return sb_steal(&b);
	}
	/* The count runs the same condition without the list's joins. */
	if (store_candidate_count(f->st, &fl, &n) != 0)
		fail_msg("query '%s': counting: %s", query, store_errmsg(f->st));
	if (n != (int64_t)l.n)
		fail_msg("query '%s': counted %lld, listed %zu", query, (long long)n, l.n);
	for (i = 0; i < l.n; i++)
		for (k = 1; k < 9; k++)
			if (l.v[i].id == f->id[k])
				sb_addf(&b, "%s%d", b.len ? " " : "", k);
	lb_candidate_list_free(&l);
	return sb_steal(&b);
}

static void expect(struct fixture *f, const char *query, const char *want)
{
	char *got = run(f, query);

	if (strcmp(got, want) != 0)
		fail_msg("query '%s': got '%s', wanted '%s'", query, got, want);
	free(got);
}

static void fields_each(void **state)
{
	struct fixture *f = *state;

	/* generation */
	expect(f, "seed:100", "1");
	expect(f, "seed>=101", "2 3");
	expect(f, "seed>100 seed<=200", "2 3");
	expect(f, "seed:6..7", "6 7");
	expect(f, "seed:..5", "5");
	expect(f, "model:flux-dev", "3 4");
	expect(f, "model:SDXL*", "1 2");
	expect(f, "model!=sd15", "1 2 3 4");
	expect(f, "sampler:\"euler a\"", "1");
	expect(f, "sampler:dpm*", "2");
	expect(f, "scheduler:karras", "3");
	expect(f, "steps>=30", "1 3");
	expect(f, "steps<10", "2");
	expect(f, "cfg<3", "2");
	expect(f, "cfg:3.5", "3");
	expect(f, "lora:detail", "1");
	expect(f, "lora:style", "2");
	expect(f, "lora:det*", "1");
	expect(f, "param:steps=25", "5");
	expect(f, "param:steps>=30", "1 3");
	expect(f, "param:denoise<1", "3");
	expect(f, "param:workflow.3.inputs.denoise=0.6", "3");
	expect(f, "param:class_type=ksampler", "3");
	expect(f, "param:scheduler", "3");
	expect(f, "param:loras", "1 2");
	expect(f, "width>=1024", "1 3");
	expect(f, "height:1024", "2 3");
	expect(f, "aspect:4:3", "1");
	expect(f, "aspect:portrait", "2");
	expect(f, "aspect:square", "3");
	expect(f, "aspect>1", "1");
	/* provenance */
	expect(f, "modality:text", "1 2 3 4 5 6 7 8");
	expect(f, "modality:image", "");
	expect(f, "backend:a1111", "2 4");
	expect(f, "parent:any", "5");
	expect(f, "parent:none seed:5..6", "6");
	expect(f, "job:none seed:100", "1");
	expect(f, "revision:1 seed:100", "1");
	expect(f, "revision>1", "");
	expect(f, "created:<7d", "1 2 3 4 5 6 7");
	expect(f, "created:>7d", "8");
	expect(f, "created>=2027-01-01", "1 2 3 4 5 6 7");
	expect(f, "created:2026-12-16", "8");
	/* judgement: stars and flag are mine (ann's) */
	expect(f, "stars>=4", "1 3");
	expect(f, "stars:2", "2");
	expect(f, "avg>=4", "1 3 4");
	expect(f, "avg>4", "4");
	expect(f, "avg:2", "2");
	expect(f, "picks>=1", "1 4");
	expect(f, "rejects:1", "2");
	expect(f, "ratings>=2", "1 2");
	expect(f, "flag:pick", "1");
	expect(f, "flag:none seed:100..200", "2 3");
	expect(f, "rated-by:bob", "1 2 4");
	expect(f, "curator:bob", "1 2 4");
	expect(f, "unrated-by:me", "4 5 6 7 8");
	expect(f, "unrated-by:bob seed:100..200", "3");
	expect(f, "unrated", "4 5 6 7 8");
	expect(f, "rated", "1 2 3");
	expect(f, "spread>=2", "1");
	expect(f, "spread:0", "2 3 4");
	expect(f, "disputed", "1");
	expect(f, "-disputed rated", "2 3");
	/* curation */
	expect(f, "tag:hero", "1 3");
	expect(f, "tag:HERO*", "1 2 3");
	expect(f, "selected", "2");
	expect(f, "note:horizon", "3");
	expect(f, "note:\"too high\"", "3");
	expect(f, "note:\"high too\"", "");
	expect(f, "id:2", "2");
	/* free words: prefixes, phrases, the brief's text, notes */
	expect(f, "car", "1 2");
	expect(f, "red", "1 3");
	expect(f, "\"red car\"", "1");
	expect(f, "\"red ca\"", "");
	expect(f, "\"red ca\"*", "1");
	expect(f, "vehicle", "1 2 3 4 5 6 7 8");
	expect(f, "horizon", "3");
	expect(f, "fil*", "6 7 8");
}

static void operators_and_precedence(void **state)
{
	struct fixture *f = *state;

	expect(f, "red car", "1");
	expect(f, "red AND car", "1");
	expect(f, "red OR car", "1 2 3");
	expect(f, "NOT red", "2 4 5 6 7 8");
	expect(f, "-red", "2 4 5 6 7 8");
	expect(f, "-tag:hero", "2 4 5 6 7 8");
	/* NOT finds the rest, unrated ones too */
	expect(f, "-stars>=4", "2 4 5 6 7 8");
	expect(f, "NOT NOT tag:hero", "1 3");
	/* AND binds tighter than OR */
	expect(f, "seed:100 OR seed:101 tag:hero", "1");
	expect(f, "(seed:100 OR seed:101) tag:hero", "1");
	expect(f, "seed:101 OR seed:100 tag:hero", "1 2");
	expect(f, "tag:hero seed:200 OR backend:a1111", "2 3 4");
	expect(f, "tag:hero (seed:200 OR backend:a1111)", "3");
	expect(f, "-(tag:hero OR selected) seed:100..200", "");
	expect(f, "-(tag:hero OR selected) model:flux*", "4");
	expect(f, "((((seed:100))))", "1");
	expect(f, "  seed:100\t", "1");
	expect(f, "", "1 2 3 4 5 6 7 8");
	expect(f, "boat OR -red model:sdxl*", "2 3");
	/* LIKE's own characters are plain in a prefix */
	expect(f, "param:steps=2*", "5");
	expect(f, "model:sd_*", "");
	expect(f, "50%", "5");
}

/* The column of the mistake, and what was expected. */
static void errors_name_the_column(void **state)
{
	static const struct {
		const char *q, *err;
	} cases[] = {
		{ "(seed:5", "at column 8: expected ')' to close the '(' at column 1" },
		{ "seed:5)", "at column 7: unexpected ')'" },
		{ "red OR", "at column 7: expected a term after OR" },
		{ "OR red", "at column 1: expected a term before 'OR'" },
		{ "red AND", "at column 8: expected a term after AND" },
		{ "red AND OR x", "at column 9: expected a term after AND" },
		{ "seed:abc", "at column 1: 'seed' takes a whole number, not 'abc'" },
		{ "red stars>=x", "at column 5: 'stars' takes a whole number, not 'x'" },
		{ "cfg<seven", "at column 1: 'cfg' takes a number, not 'seven'" },
		{ "sed:5", "at column 1: unknown field 'sed'" },
		{ "a \"open", "at column 3: the quote is not closed" },
		{ "model:", "at column 7: expected a value after 'model'" },
		{ "flag:maybe", "at column 1: write flag:pick, flag:reject or flag:none" },
		{ "created:<7x", "at column 1: '7x' is neither an age" },
		{ "aspect:wide", "at column 1: 'wide' is not an aspect ratio" },
		{ "-", "at column 1: expected a term after '-'" },
		{ "()", "at column 2: unexpected ')'" },
		{ "NOT", "at column 4: expected a term at the end" },
		{ "param:", "at column 7: expected a parameter name" },
		{ "tag>x", "at column 1: 'tag' takes a name" },
		{ "seed:5*", "at column 1: 'seed' takes a number; '*' is for names" },
		{ "é sed:1", "at column 3: unknown field 'sed'" },
	};
	struct fixture *f = *state;
	size_t i;
	char *err, *got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err = NULL;
		assert_int_equal(lb_query_check(cases[i].q, &err), -1);
		if (err == NULL || strncmp(err, cases[i].err, strlen(cases[i].err)) != 0)
			fail_msg("query '%s': got '%s', wanted '%s...'", cases[i].q, err ? err : "(none)",
				 cases[i].err);
		free(err);
		/* The store refuses it the same way and runs nothing. */
		got = run(f, cases[i].q);
		if (strncmp(got, "ERR: query: ", 12) != 0 || strncmp(got + 12, cases[i].err, strlen(cases[i].err)))
			fail_msg("store on '%s': got '%s'", cases[i].q, got);
		free(got);
	}
}

/* Values go in as bindings: no text of the query reaches the SQL. */
static void values_are_bindings(void **state)
{
	struct fixture *f = *state;
	char *sql;

	expect(f, "model:\"x' OR 1=1 --\"", "");
	expect(f, "tag:\"a') OR 1=1 --\"", "");
	expect(f, "param:x'--=1", "");
	expect(f, "\"x\\\" OR \\\"y\"", "");
	sql = store_query_sql(f->st, "model:\"evil'name\" tag:evil2 param:evil3=evil4 note:evil5 evil6 seed:123456");
	assert_non_null(sql);
	assert_null(strstr(sql, "evil"));
	assert_null(strstr(sql, "123456"));
	free(sql);
}

/* Deep nesting, very long queries and many terms are refused at once. */
static void hostile_queries(void **state)
{
	struct fixture *f = *state;
	struct sbuf b;
	char *err = NULL, *got;
	struct timespec t0, t1;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	sb_init(&b);
	for (i = 0; i < 100000; i++)
		sb_addc(&b, '(');
	assert_int_equal(lb_query_check(b.s + 100000 - 4000, &err), -1);
	assert_non_null(strstr(err, "at column 33: nested more than 32 deep"));
	free(err);
	assert_int_equal(lb_query_check(b.s, &err), -1);
	assert_non_null(strstr(err, "the most is 4096"));
	free(err);
	sb_reset(&b);
	for (i = 0; i < 40; i++)
		sb_adds(&b, "NOT ");
	sb_adds(&b, "red");
	assert_int_equal(lb_query_check(b.s, &err), -1);
	assert_non_null(strstr(err, "nested more than 32 deep"));
	free(err);
	sb_reset(&b);
	for (i = 0; i < 300; i++)
		sb_addf(&b, "seed:%d OR ", i);
	sb_adds(&b, "red");
	assert_int_equal(lb_query_check(b.s, &err), -1);
	assert_non_null(strstr(err, "more than 256 terms"));
	free(err);
	/* The most a query may hold still runs. */
	sb_reset(&b);
	for (i = 0; i < 100; i++)
		sb_addf(&b, "%s(seed:%d OR -tag:x%d)", i ? " OR " : "", i, i);
	got = run(f, b.s);
	assert_string_equal(got, "1 2 3 4 5 6 7 8");
	free(got);
	sb_free(&b);
	/* Control characters and bytes that are not UTF-8 are words. */
	expect(f, "\x1b[31m \xff\xfe", "");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Not a timing test: a guard against a runaway parser (seconds). */
	assert_true(t1.tv_sec - t0.tv_sec < 20);
}

/* Keyset pages of one row, forward and backward, in both id orders, for
 * queries whose rare term reads its candidates by id (a tag, a word)
 * and for one that walks: every page continues where the last ended. */
static void keyset_pages_with_drivers(void **state)
{
	static const char *const queries[] = { "tag:hero", "red", "red OR tag:hero", "model:sd*", "stack:3",
						"stack:top model:sd*", "stars>=2", "stars<=4 model:sd*" };
	static const char *const want[] = { "1 3", "1 3", "1 3", "1 2 5 6 7 8", "3", "1 2 5 6 7 8", "1 2 3", "2" };
	struct fixture *f = *state;
	struct lb_filter fl = { 0 };
	struct lb_candidate_list l = { 0 };
	struct lb_key key;
	struct sbuf got;
	size_t q;
	int sort, have, k;

	fl.brief_id = f->brief;
	for (q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		fl.query = queries[q];
		for (sort = LB_SORT_OLDEST; sort <= LB_SORT_NEWEST; sort++) {
			sb_init(&got);
			have = 0;
			for (;;) {
				assert_int_equal(store_candidate_page(f->st, &fl, sort, have ? &key : NULL, 0, 1, &l), 0);
				if (l.n == 0)
					break;
				for (k = 1; k < 9; k++)
					if (l.v[0].id == f->id[k])
						sb_addf(&got, "%s%d", got.len ? " " : "", k);
				lb_candidate_key(&l.v[0], sort, &key);
				have = 1;
				lb_candidate_list_free(&l);
			}
			if (sort == LB_SORT_NEWEST) {
				/* compare with the oldest-first answer reversed */
				struct sbuf r;
				char *copy = xstrdup(want[q]), *w[8];
				int n = 0, i;
				for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
					w[n++] = t;
				sb_init(&r);
				for (i = n - 1; i >= 0; i--)
					sb_addf(&r, "%s%s", r.len ? " " : "", w[i]);
				if (strcmp(got.s, r.s) != 0)
					fail_msg("'%s' newest first: got '%s', wanted '%s'", queries[q], got.s, r.s);
				sb_free(&r);
				free(copy);
			} else if (strcmp(got.s, want[q]) != 0) {
				fail_msg("'%s' oldest first: got '%s', wanted '%s'", queries[q], got.s, want[q]);
			}
			sb_free(&got);
		}
	}
}

/* What a query looks at: the interface re-reads a list under curation. */
static void uses_flags(void **state)
{
	struct lb_query *q;
	char *err;

	(void)state;
	assert_int_equal(lb_query_parse("seed:5 model:x", &q, &err), 0);
	assert_int_equal(lb_query_uses(q), 0);
	lb_query_free(q);
	assert_int_equal(lb_query_parse("seed:5 OR -tag:x", &q, &err), 0);
	assert_int_equal(lb_query_uses(q), LB_QUERY_CURATION);
	lb_query_free(q);
	assert_int_equal(lb_query_parse("red (unrated)", &q, &err), 0);
	assert_int_equal(lb_query_uses(q), LB_QUERY_CURATION | LB_QUERY_TEXT);
	lb_query_free(q);
}

/* stack: over the fixture's text candidates, each a stack of its own
 * (the CLI test has pictures in stacks); the stacks follow the store's
 * changes, by this connection and by another. */
static void stack_terms(void **state)
{
	struct fixture *f = *state;
	struct lb_candidate_input in = { 0 };
	struct lb_filter fl = { 0 };
	int64_t n, id;
	char *sql;

	expect(f, "stack:alone", "1 2 3 4 5 6 7 8");
	expect(f, "stack:top", "1 2 3 4 5 6 7 8");
	expect(f, "stack:rest", "");
	expect(f, "stack:stacked", "");
	expect(f, "-stack:stacked", "1 2 3 4 5 6 7 8");
	expect(f, "stack>1", "");
	expect(f, "stack<=1 seed:5", "5");
	expect(f, "stack:3 OR stack:5", "3 5");
	expect(f, "stack:head red", "1 3");
	expect(f, "stack:9999", "ERR: query: at column 1: there is no candidate 9999: stack:N is the stack candidate N is in");
	expect(f, "red stack:tall",
	       "ERR: query: at column 5: 'stack:tall' is not a stack term: write stack:top (the best of each stack), "
	       "stack:rest, stack:alone, stack:stacked, stack:N (the stack of candidate N) or stack>N (stacks of "
	       "more than N)");
	expect(f, "stack:top*", "ERR: query: at column 1: 'stack:top' is not a stack term: write stack:top (the best of "
	       "each stack), stack:rest, stack:alone, stack:stacked, stack:N (the stack of candidate N) or stack>N "
	       "(stacks of more than N)");
	/* the candidate's id is a binding */
	sql = store_query_sql(f->st, "stack:4");
	assert_non_null(sql);
	assert_null(strstr(sql, "4)"));
	free(sql);
	/* a candidate added by another connection, then by this one: the
	 * stacks are grouped again, not taken from the last query's */
	fl.brief_id = f->brief;
	fl.query = "stack:alone";
	assert_int_equal(store_candidate_count(f->st, &fl, &n), 0);
	assert_int_equal(n, 8);
	in.brief_id = f->brief;
	in.body = "late";
	assert_int_equal(store_candidate_add(f->bob, &in, &id), 0);
	assert_int_equal(store_candidate_count(f->st, &fl, &n), 0);
	assert_int_equal(n, 9);
	assert_int_equal(store_candidate_add(f->st, &in, &id), 0);
	assert_int_equal(store_candidate_count(f->st, &fl, &n), 0);
	assert_int_equal(n, 10);
}

/* Runs sql on the fixture's database through a connection of its own. */
static void raw_sql(struct fixture *f, const char *sql)
{
	char *path = xasprintf("%s/lightbox.db", f->dir), *err = NULL;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
	free(path);
}

/* lora: reads candidate_lora (schema 10): triggers keep it as the
 * parameters change, and the migration fills it from a store of 9. */
static void loras_follow_params(void **state)
{
	struct fixture *f = *state;
	char *sql;

	raw_sql(f, "UPDATE candidate SET params = '{\"loras\":[\"grain\",{\"name\":\"Film.safetensors\"}]}'"
		   " WHERE body = 'blue car'");
	expect(f, "lora:style", "");
	expect(f, "lora:grain lora:film", "2");
	expect(f, "lora:fil*", "2");
	expect(f, "-lora:grain", "1 3 4 5 6 7 8");
	/* few of my ratings qualify: they drive the page */
	sql = store_query_sql(f->st, "stars>=4");
	assert_null(strstr(sql, "c.id IN (SELECT x.candidate_id FROM rating")); /* no brief: no drive */
	free(sql);
	/* a rare LoRA drives the page: read by id */
	sql = store_query_sql(f->st, "lora:grain");
	assert_non_null(strstr(sql, "c.id IN (SELECT cl.candidate_id FROM candidate_lora"));
	free(sql);
	/* back to schema 9: no table, no triggers; opening migrates and fills */
	store_close(&f->st);
	store_close(&f->bob);
	raw_sql(f, "DROP TRIGGER candidate_lora_ins; DROP TRIGGER candidate_lora_upd; DROP TRIGGER candidate_lora_del;"
		   " DROP TABLE candidate_lora; PRAGMA user_version = 9");
	f->st = open_as(f->dir, "ann");
	f->bob = open_as(f->dir, "bob");
	expect(f, "lora:grain", "2");
	expect(f, "lora:detail", "1");
}

/* The terms a detail view highlights: not those under NOT or !=, nor flag words. */
static void terms_to_highlight(void **state)
{
	struct lb_query_term *t;
	size_t n;

	(void)state;
	n = lb_query_terms("red \"two words\" model:sdxl* -tag:x seed:1..9 (param:k>=3 OR note:hi) model!=y selected",
			   &t);
	assert_int_equal(n, 6);
	assert_null(t[0].field);
	assert_string_equal(t[0].value, "red");
	assert_string_equal(t[1].value, "two words");
	assert_true(t[1].phrase);
	assert_string_equal(t[2].field, "model");
	assert_string_equal(t[2].value, "sdxl");
	assert_true(t[2].prefix);
	assert_string_equal(t[3].op, "..");
	assert_string_equal(t[3].value2, "9");
	assert_string_equal(t[4].field, "param");
	assert_string_equal(t[4].key, "k");
	assert_string_equal(t[4].op, ">=");
	assert_string_equal(t[5].field, "note");
	lb_query_terms_free(t, n);
	assert_int_equal(lb_query_terms("seed:(", &t), 0);
	assert_null(t);
}

int main(void)
{
	/* The last is SQLite's only (it edits the store's file); the others
	 * run on PostgreSQL too (tests/unit/pg-query.sh). */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fields_each, setup, teardown),
		cmocka_unit_test_setup_teardown(operators_and_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_name_the_column, setup, teardown),
		cmocka_unit_test_setup_teardown(values_are_bindings, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(keyset_pages_with_drivers, setup, teardown),
		cmocka_unit_test(uses_flags),
		cmocka_unit_test(terms_to_highlight),
		cmocka_unit_test_setup_teardown(stack_terms, setup, teardown),
		cmocka_unit_test_setup_teardown(loras_follow_params, setup, teardown),
	};
	const char *url = getenv("LB_TEST_STORE_URL");
	size_t n = sizeof tests / sizeof tests[0];

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (url && *url)
		return _cmocka_run_group_tests("postgresql", tests, n - 1, NULL, NULL);
	return _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
}
