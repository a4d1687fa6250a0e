/*
 * test-store.c - unit tests of store/: opening and refusing stores,
 * migrations, the entities, keyset pages under every sort and filter,
 * full-text search, batches, and undo/redo with conflicts.
 */
#include "config.h"

#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store.h"
#include "util.h"

struct fx {
	char dir[512];   /* the store: a folder, or a PostgreSQL database's URL */
	char files[64];  /* on PostgreSQL, the assets folder */
	struct store *st;
	int64_t project, brief;
};

static struct store *open_as(const char *dir, const char *curator)
{
	struct store_options o = { 0 };
	struct store *st = NULL;
	char *err = NULL;

	o.create = 1;
	o.curator = curator;
	if (store_open(dir, &o, &st, &err) != 0)
		fail_msg("open: %s", err);
	return st;
}

/* LB_TEST_STORE_URL, the URL of a PostgreSQL server's `postgres`
 * database (tests/unit/pg-store.sh): each test's store is then a new
 * database there, its assets in a temporary folder. */
static void pg_store(struct fx *f, const char *base)
{
	static int n;
	const char *db = strstr(base, "/postgres");
	PGconn *c = PQconnectdb(base);
	PGresult *r;
	char sql[64], name[32];

	snprintf(name, sizeof name, "lbt%ld_%d", (long)getpid(), ++n);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	assert_non_null(db);
	snprintf(f->dir, sizeof f->dir, "%.*s/%s%s", (int)(db - base), base, name, db + strlen("/postgres"));
	strcpy(f->files, "/tmp/lb-assets-XXXXXX");
	assert_non_null(mkdtemp(f->files));
	setenv("LIGHTBOX_ASSETS", f->files, 1);
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct lb_brief_fields bf = { 0 };
	const char *url = getenv("LB_TEST_STORE_URL");

	if (url && *url) {
		pg_store(f, url);
	} else {
		strcpy(f->dir, "/tmp/lb-store-XXXXXX");
		assert_non_null(mkdtemp(f->dir));
	}
	f->st = open_as(f->dir, "alice");
	assert_int_equal(store_project_add(f->st, "Autumn campaign", "", &f->project), 0);
	bf.title = (char *)"hero banner";
	bf.prompt = (char *)"warm autumn forest, wide";
	bf.params = (char *)"{\"steps\": 30}";
	assert_int_equal(store_brief_add(f->st, f->project, &bf, &f->brief), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[600];

	store_close(&f->st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->files[0] ? f->files : f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t add_text(struct fx *f, const char *body)
{
	struct lb_candidate_input in = { 0 };
	int64_t id;

	in.brief_id = f->brief;
	in.body = body;
	in.backend = "test";
	assert_int_equal(store_candidate_add(f->st, &in, &id), 0);
	return id;
}

static void projects_and_slugs(void **state)
{
	struct fx *f = *state;
	struct lb_project_list l;
	int64_t id, found;

	assert_int_equal(store_project_add(f->st, "Autumn campaign", "again", &id), 0);
	assert_int_equal(store_project_list(f->st, 0, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].slug, "autumn-campaign");
	assert_string_equal(l.v[1].slug, "autumn-campaign-2");
	assert_int_equal(l.v[0].n_briefs, 1);
	lb_project_list_free(&l);
	assert_int_equal(store_project_find(f->st, "autumn-campaign-2", &found), 0);
	assert_int_equal(found, id);
	assert_int_equal(store_project_find(f->st, "nope", &found), STORE_ENOTFOUND);
	assert_non_null(strstr(store_errmsg(f->st), "project ls"));
	assert_int_equal(store_project_add(f->st, "", "", &id), STORE_EINVAL);
	assert_int_equal(store_project_add(f->st, "bad\x1bname", "", &id), STORE_EINVAL);
	assert_int_equal(store_project_archive(f->st, found, 1), 0);
	assert_int_equal(store_project_list(f->st, 0, &l), 0);
	assert_int_equal(l.n, 1);
	lb_project_list_free(&l);
}

/* Archiving a project or a brief is one undoable event; archiving what
 * already is archived changes nothing and logs nothing. */
static void archive_and_undo(void **state)
{
	struct fx *f = *state;
	struct lb_brief_list bl;
	struct lb_project p;
	int64_t e0, e1, e2;
	char *what = NULL;

	assert_int_equal(store_event_last(f->st, &e0), 0);
	assert_int_equal(store_brief_archive(f->st, f->brief, 1), 0);
	assert_int_equal(store_event_last(f->st, &e1), 0);
	assert_true(e1 > e0);
	assert_int_equal(store_brief_archive(f->st, f->brief, 1), 0);
	assert_int_equal(store_event_last(f->st, &e2), 0);
	assert_int_equal(e2, e1);
	assert_int_equal(store_brief_list(f->st, f->project, 0, &bl), 0);
	assert_int_equal(bl.n, 0);
	lb_brief_list_free(&bl);
	assert_int_equal(store_undo(f->st, &what), 0);
	free(what);
	assert_int_equal(store_brief_list(f->st, f->project, 0, &bl), 0);
	assert_int_equal(bl.n, 1);
	lb_brief_list_free(&bl);

	assert_int_equal(store_project_archive(f->st, f->project, 1), 0);
	assert_int_equal(store_project_get(f->st, f->project, &p), 0);
	assert_int_equal(p.archived, 1);
	lb_project_clear(&p);
	assert_int_equal(store_project_archive(f->st, f->project, 0), 0);
	assert_int_equal(store_project_get(f->st, f->project, &p), 0);
	assert_int_equal(p.archived, 0);
	lb_project_clear(&p);
	assert_int_equal(store_project_archive(f->st, 999, 1), STORE_ENOTFOUND);
	assert_int_equal(store_brief_archive(f->st, 999, 1), STORE_ENOTFOUND);
}

static void brief_revisions(void **state)
{
	struct fx *f = *state;
	struct lb_brief b;
	struct lb_brief_fields nf = { 0 };
	struct lb_revision_list revs;
	char *text, *err;
	int changed;

	assert_int_equal(store_brief_get(f->st, f->brief, &b), 0);
	assert_int_equal(b.rev, 1);
	assert_string_equal(b.f.params, "{\"steps\":30}");
	/* The text form round-trips to "unchanged". */
	text = store_brief_to_text(&b);
	assert_int_equal(store_brief_from_text(text, &nf, &err), 0);
	assert_int_equal(store_brief_edit(f->st, f->brief, &nf, &changed), 0);
	assert_int_equal(changed, 0);
	lb_brief_fields_clear(&nf);
	free(text);
	/* A real change makes revision 2; the first stays. */
	free(b.f.prompt);
	b.f.prompt = xstrdup("cold winter forest");
	assert_int_equal(store_brief_edit(f->st, f->brief, &b.f, &changed), 0);
	assert_int_equal(changed, 1);
	lb_brief_clear(&b);
	assert_int_equal(store_brief_get(f->st, f->brief, &b), 0);
	assert_int_equal(b.rev, 2);
	assert_string_equal(b.f.prompt, "cold winter forest");
	lb_brief_clear(&b);
	assert_int_equal(store_brief_revisions(f->st, f->brief, &revs), 0);
	assert_int_equal(revs.n, 2);
	assert_string_equal(revs.v[0].f.prompt, "warm autumn forest, wide");
	lb_revision_list_free(&revs);
	/* Undo of the edit goes back to revision 1's text. */
	assert_int_equal(store_undo(f->st, &text), 0);
	free(text);
	assert_int_equal(store_brief_get(f->st, f->brief, &b), 0);
	assert_int_equal(b.rev, 1);
	assert_string_equal(b.f.prompt, "warm autumn forest, wide");
	lb_brief_clear(&b);
	/* Bad text forms name the line. */
	assert_int_equal(store_brief_from_text("title: x\nmodality: smell\n", &nf, &err), STORE_EINVAL);
	assert_non_null(strstr(err, "line 2"));
	free(err);
	assert_int_equal(store_brief_from_text("[prompt]\nonly\n", &nf, &err), STORE_EINVAL);
	assert_non_null(strstr(err, "title"));
	free(err);
	assert_int_equal(store_brief_from_text("title: x\nparams: {bad\n", &nf, &err), STORE_EINVAL);
	free(err);
}

static void assets_are_content_addressed(void **state)
{
	struct fx *f = *state;
	struct lb_asset_facts facts = { "image/png", "png", 2, 3, 0 };
	int64_t a1, a2;
	int existed;
	char *path;
	struct stat sb;

	assert_int_equal(store_asset_put(f->st, "pixels", 6, &facts, &a1, &existed), 0);
	assert_int_equal(existed, 0);
	assert_int_equal(store_asset_put(f->st, "pixels", 6, &facts, &a2, &existed), 0);
	assert_int_equal(existed, 1);
	assert_int_equal(a1, a2);
	path = store_asset_path(f->st, "a6e1d3b9e0b2e1f2c05c85b3e3bbd9f1d14fd9d9ec7d1a8a29c28ed48b55c0c6", "png");
	free(path);
	{
		char hex[65];
		sha256_buf_hex("pixels", 6, hex);
		path = store_asset_path(f->st, hex, "png");
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_size, 6);
		free(path);
	}
	facts.ext = "../x";
	assert_int_equal(store_asset_put(f->st, "other", 5, &facts, &a1, &existed), STORE_EINVAL);
	assert_int_equal(store_asset_put_file(f->st, "/nonexistent/file.png", NULL, &a1, &existed),
			 STORE_ENOTFOUND);
}

static void ratings_flags_and_means(void **state)
{
	struct fx *f = *state;
	struct store *bob = open_as(f->dir, "bob");
	struct lb_candidate c;
	struct lb_rating_list rl;
	int64_t id = add_text(f, "one");

	assert_int_equal(store_rate(f->st, id, 4), 0);
	assert_int_equal(store_rate(bob, id, 2), 0);
	assert_int_equal(store_flag(bob, id, LB_FLAG_PICK), 0);
	assert_int_equal(store_rate(f->st, id, 7), STORE_EINVAL);
	assert_non_null(strstr(store_errmsg(f->st), "0 to 5"));
	assert_int_equal(store_rate(f->st, 9999, 3), STORE_ENOTFOUND);
	assert_int_equal(store_candidate_get(f->st, id, &c), 0);
	assert_int_equal(c.my_stars, 4);
	assert_int_equal(c.n_ratings, 2);
	assert_true(c.mean_stars > 2.99 && c.mean_stars < 3.01);
	assert_int_equal(c.n_picks, 1);
	lb_candidate_clear(&c);
	assert_int_equal(store_ratings(f->st, id, &rl), 0);
	assert_int_equal(rl.n, 2);
	assert_string_equal(rl.v[0].curator, "alice");
	assert_string_equal(rl.v[1].curator, "bob");
	assert_int_equal(rl.v[1].flag, LB_FLAG_PICK);
	lb_rating_list_free(&rl);
	store_close(&bob);
}

static void tags_notes_selection(void **state)
{
	struct fx *f = *state;
	struct lb_candidate c;
	struct lb_note_list nl;
	struct lb_selection_list sl;
	char **names;
	size_t n;
	int64_t id = add_text(f, "two"), nid;

	assert_int_equal(store_tag_add(f->st, id, "hero"), 0);
	assert_int_equal(store_tag_add(f->st, id, "Hero"), 0); /* same tag, case-folded */
	assert_int_equal(store_tag_add(f->st, id, "warm"), 0);
	assert_int_equal(store_tag_add(f->st, id, "has space"), STORE_EINVAL);
	assert_int_equal(store_tag_add(f->st, id, "esc\x1b"), STORE_EINVAL);
	assert_int_equal(store_candidate_get(f->st, id, &c), 0);
	assert_string_equal(c.tags, "hero,warm");
	lb_candidate_clear(&c);
	assert_int_equal(store_tag_names(f->st, "he", &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "hero");
	store_strv_free(&names, n);
	assert_int_equal(store_tag_rm(f->st, id, "warm"), 0);
	assert_int_equal(store_note_add(f->st, LB_ON_CANDIDATE, id, LB_NOTE_COMMENT, "needs more contrast", &nid), 0);
	assert_int_equal(store_notes(f->st, LB_ON_CANDIDATE, id, &nl), 0);
	assert_int_equal(nl.n, 1);
	assert_string_equal(nl.v[0].body, "needs more contrast");
	lb_note_list_free(&nl);
	assert_int_equal(store_select(f->st, id, "homepage hero", "cropped to 16:9 in header.psd"), 0);
	assert_int_equal(store_selections(f->st, f->project, &sl), 0);
	assert_int_equal(sl.n, 1);
	assert_string_equal(sl.v[0].intended_use, "homepage hero");
	assert_string_equal(sl.v[0].curator, "alice");
	lb_selection_list_free(&sl);
	/* Re-selecting with only a new note keeps the use. */
	assert_int_equal(store_select(f->st, id, NULL, "final crop"), 0);
	assert_int_equal(store_selections(f->st, f->project, &sl), 0);
	assert_string_equal(sl.v[0].intended_use, "homepage hero");
	assert_string_equal(sl.v[0].integration, "final crop");
	lb_selection_list_free(&sl);
}

static void undo_redo_stack(void **state)
{
	struct fx *f = *state;
	struct lb_candidate c;
	char *what;
	int64_t id = add_text(f, "three");

	assert_int_equal(store_undo(f->st, &what), STORE_EEMPTY);
	assert_int_equal(store_rate(f->st, id, 4), 0);
	assert_int_equal(store_flag(f->st, id, LB_FLAG_PICK), 0);
	assert_int_equal(store_tag_add(f->st, id, "hero"), 0);
	assert_int_equal(store_undo(f->st, &what), 0);
	assert_non_null(strstr(what, "hero"));
	free(what);
	assert_int_equal(store_undo(f->st, &what), 0); /* the flag */
	free(what);
	assert_int_equal(store_candidate_get(f->st, id, &c), 0);
	assert_int_equal(c.my_stars, 4);
	assert_int_equal(c.my_flag, LB_FLAG_NONE);
	assert_string_equal(c.tags, "");
	lb_candidate_clear(&c);
	assert_int_equal(store_redo(f->st, &what), 0); /* the flag again */
	free(what);
	assert_int_equal(store_redo(f->st, &what), 0); /* the tag again */
	free(what);
	assert_int_equal(store_redo(f->st, &what), STORE_EEMPTY);
	assert_int_equal(store_candidate_get(f->st, id, &c), 0);
	assert_int_equal(c.my_flag, LB_FLAG_PICK);
	assert_string_equal(c.tags, "hero");
	lb_candidate_clear(&c);
	/* Something new clears the redo stack. */
	assert_int_equal(store_undo(f->st, &what), 0);
	free(what);
	assert_int_equal(store_rate(f->st, id, 1), 0);
	assert_int_equal(store_redo(f->st, &what), STORE_EEMPTY);
	/* Undo the rating back to 4, then the original rating to none. */
	assert_int_equal(store_undo(f->st, &what), 0);
	free(what);
	assert_int_equal(store_undo(f->st, &what), 0); /* flag */
	free(what);
	assert_int_equal(store_undo(f->st, &what), 0); /* rate 4 */
	free(what);
	assert_int_equal(store_candidate_get(f->st, id, &c), 0);
	assert_int_equal(c.my_stars, -1);
	assert_int_equal(c.n_ratings, 0);
	lb_candidate_clear(&c);
}

static void undo_conflicts_and_batches(void **state)
{
	struct fx *f = *state;
	struct store *bob = open_as(f->dir, "bob");
	struct lb_candidate c;
	char *what;
	int64_t a = add_text(f, "four"), b = add_text(f, "five");

	/* Bob removes the tag Alice added: Alice's undo would resurrect a
	 * different state, so it refuses and changes nothing. */
	assert_int_equal(store_tag_add(f->st, a, "keep"), 0);
	assert_int_equal(store_tag_rm(bob, a, "keep"), 0);
	assert_int_equal(store_undo(f->st, &what), STORE_ECONFLICT);
	assert_non_null(strstr(store_errmsg(f->st), "changed since"));
	/* Bob's own undo works and only touches his change. */
	assert_int_equal(store_undo(bob, &what), 0);
	free(what);
	assert_int_equal(store_candidate_get(f->st, a, &c), 0);
	assert_string_equal(c.tags, "keep");
	lb_candidate_clear(&c);
	/* A batch is one undo step. */
	assert_int_equal(store_batch_begin(f->st, "bulk-rate"), 0);
	assert_int_equal(store_rate(f->st, a, 5), 0);
	assert_int_equal(store_rate(f->st, b, 5), 0);
	assert_int_equal(store_batch_end(f->st, 1), 0);
	assert_int_equal(store_undo(f->st, &what), 0);
	assert_non_null(strstr(what, "1 more"));
	free(what);
	assert_int_equal(store_candidate_get(f->st, b, &c), 0);
	assert_int_equal(c.my_stars, -1);
	lb_candidate_clear(&c);
	/* A rolled-back batch leaves nothing, not even its events. */
	assert_int_equal(store_batch_begin(f->st, "bulk-rate"), 0);
	assert_int_equal(store_rate(f->st, a, 2), 0);
	assert_int_equal(store_batch_end(f->st, 0), 0);
	assert_int_equal(store_candidate_get(f->st, a, &c), 0);
	assert_int_equal(c.my_stars, -1);
	lb_candidate_clear(&c);
	store_close(&bob);
}

/* Walks the whole list page by page both ways and checks order. */
static void walk(struct fx *f, const struct lb_filter *flt, int sort, int64_t expect_n)
{
	struct lb_candidate_list l = { 0 };
	struct lb_key key, first_key;
	int64_t seen = 0, n;
	double prev_k = 1e300;
	int64_t prev_id = 0;
	int have = 0;
	size_t i;

	assert_int_equal(store_candidate_count(f->st, flt, &n), 0);
	assert_int_equal(n, expect_n);
	for (;;) {
		assert_int_equal(store_candidate_page(f->st, flt, sort, have ? &key : NULL, 0, 7, &l), 0);
		if (l.n == 0)
			break;
		for (i = 0; i < l.n; i++) {
			struct lb_key k;
			lb_candidate_key(&l.v[i], sort, &k);
			if (seen == 0)
				first_key = k;
			if (seen > 0) {
				if (sort == LB_SORT_OLDEST)
					assert_true(k.id > prev_id);
				else if (sort == LB_SORT_NEWEST)
					assert_true(k.id < prev_id);
				else
					assert_true(k.k < prev_k || (k.k == prev_k && k.id > prev_id));
			}
			prev_k = k.k;
			prev_id = k.id;
			seen++;
		}
		lb_candidate_key(&l.v[l.n - 1], sort, &key);
		have = 1;
	}
	assert_int_equal(seen, expect_n);
	/* Backward from the end gives the last rows in list order. */
	assert_int_equal(store_candidate_page(f->st, flt, sort, NULL, 1, 3, &l), 0);
	if (expect_n > 0) {
		assert_int_equal(l.v[l.n - 1].id, prev_id);
		if (expect_n > 3) {
			int64_t pos;
			assert_int_equal(store_candidate_position(f->st, flt, sort, l.v[0].id, &pos), 0);
			assert_int_equal(pos, expect_n - 3);
		}
	}
	(void)first_key;
	lb_candidate_list_free(&l);
}

static void keyset_pages(void **state)
{
	struct fx *f = *state;
	struct lb_filter flt = { 0 };
	int64_t ids[40];
	int i;

	for (i = 0; i < 40; i++) {
		char body[32];
		snprintf(body, sizeof body, "variation %d %s", i, i % 3 == 0 ? "crimson" : "amber");
		ids[i] = add_text(f, body);
		if (i % 2 == 0)
			assert_int_equal(store_rate(f->st, ids[i], i % 6), 0);
		if (i % 4 == 0)
			assert_int_equal(store_tag_add(f->st, ids[i], "keeper"), 0);
		if (i % 5 == 0)
			assert_int_equal(store_flag(f->st, ids[i], LB_FLAG_REJECT), 0);
	}
	flt.brief_id = f->brief;
	walk(f, &flt, LB_SORT_OLDEST, 40);
	walk(f, &flt, LB_SORT_NEWEST, 40);
	walk(f, &flt, LB_SORT_STARS, 40);
	walk(f, &flt, LB_SORT_SCORE, 40);
	flt.min_stars = 3; /* even i rate i%6 in {0,2,4}: 4 for i = 4, 10, ..., 34 */
	walk(f, &flt, LB_SORT_STARS, 6);
	flt.tag = "keeper"; /* and i%4 == 0: 4, 16, 28 */
	walk(f, &flt, LB_SORT_OLDEST, 3);
	flt.min_stars = 0;
	flt.tag = NULL;
	flt.has_flag = 1;
	flt.flag = LB_FLAG_REJECT;
	walk(f, &flt, LB_SORT_OLDEST, 8);
	flt.flag = LB_FLAG_NONE;
	walk(f, &flt, LB_SORT_OLDEST, 32);
	flt.has_flag = 0;
	flt.search = "crimson";
	walk(f, &flt, LB_SORT_OLDEST, 14);
	flt.search = "crim"; /* prefix */
	walk(f, &flt, LB_SORT_OLDEST, 14);
	flt.search = "\"unbalanced\" AND NEAR* ^x"; /* the full-text part cannot be an FTS5 syntax error */
	walk(f, &flt, LB_SORT_OLDEST, 0);
	flt.search = "\"unbalanced AND ( NEAR"; /* the query language refuses it, saying where */
	assert_int_equal(store_candidate_count(f->st, &flt, &ids[0]), STORE_EINVAL);
	assert_non_null(strstr(store_errmsg(f->st), "at column 1: the quote is not closed"));
	flt.search = "autumn"; /* matches the brief's text: every candidate */
	walk(f, &flt, LB_SORT_OLDEST, 40);
	flt.search = NULL;
	flt.unrated = 1;
	walk(f, &flt, LB_SORT_OLDEST, 16); /* odd i, less the 4 flagged (5, 15, 25, 35) */
}

static void refuses_foreign_and_newer(void **state)
{
	char dir[] = "/tmp/lb-store2-XXXXXX", path[128], *err = NULL;
	struct store_options o = { 0 };
	struct store *st = NULL;
	sqlite3 *db;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* No store: a clear pointer to init. */
	assert_int_equal(store_open(dir, &o, &st, &err), STORE_ENOSTORE);
	assert_non_null(strstr(err, "lightbox init"));
	free(err);
	/* Some other SQLite database. */
	snprintf(path, sizeof path, "%s/lightbox.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(dir, &o, &st, &err), STORE_ESCHEMA);
	assert_non_null(strstr(err, "not a lightbox store"));
	free(err);
	/* Not a database at all. */
	assert_int_equal(util_write_atomic(path, "hello, this is text, not SQLite at all......", 44), 0);
	assert_int_equal(store_open(dir, &o, &st, &err), STORE_ESCHEMA);
	assert_non_null(strstr(err, "not a lightbox store"));
	free(err);
	/* A lightbox store from the future. */
	unlink(path);
	o.create = 1;
	assert_int_equal(store_open(dir, &o, &st, &err), 0);
	store_close(&st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(dir, &o, &st, &err), STORE_ESCHEMA);
	assert_non_null(strstr(err, "newer"));
	free(err);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* The rows of table (every column in cols, a comma-separated list of
 * quoted names), one line each, sorted: what a migration must keep. */
static char *table_rows(sqlite3 *db, const char *table, const char *cols)
{
	struct sbuf sql, out;
	sqlite3_stmt *s;
	const char *c, *comma;

	sb_init(&sql);
	sb_init(&out);
	sb_adds(&sql, "SELECT ");
	for (c = cols; *c; c = comma ? comma + 1 : c + strlen(c)) {
		comma = strchr(c, ',');
		sb_addf(&sql, "%squote(%.*s)", c == cols ? "" : " || ',' || ",
			(int)(comma ? comma - c : (ptrdiff_t)strlen(c)), c);
	}
	sb_addf(&sql, " AS r FROM \"%s\" ORDER BY r", table);
	assert_int_equal(sqlite3_prepare_v2(db, sql.s, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		sb_addf(&out, "%s\n", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sb_free(&sql);
	return sb_steal(&out);
}

/* 1 when every line of before is a line of after: a migration keeps every
 * row and may add some (schema 3 adds the store's id to `setting`). */
static int rows_kept(const char *before, const char *after)
{
	const char *line, *end, *p, *stop = after + strlen(after);
	size_t n;

	for (line = before; *line; line = end + 1) {
		end = strchr(line, '\n');
		n = (size_t)(end - line) + 1; /* with its newline */
		for (p = after; (p = memmem(p, (size_t)(stop - p), line, n)) != NULL; p++)
			if (p == after || p[-1] == '\n')
				break;
		if (p == NULL)
			return 0;
	}
	return 1;
}

/* The columns of table, as "\"a\",\"b\"", or "" when there is no such table. */
static char *table_cols(sqlite3 *db, const char *table)
{
	struct sbuf out;
	sqlite3_stmt *s;
	char *sql = xasprintf("SELECT name FROM pragma_table_info('%s') ORDER BY cid", table);

	sb_init(&out);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		sb_addf(&out, "%s\"%s\"", out.len ? "," : "", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	free(sql);
	return sb_steal(&out);
}

/* The columns of a that b has too. */
static char *common_cols(const char *a, const char *b)
{
	struct sbuf out;
	const char *c, *comma;
	char *one;

	sb_init(&out);
	for (c = a; *c; c = comma ? comma + 1 : c + strlen(c)) {
		comma = strchr(c, ',');
		one = xstrndup(c, comma ? (size_t)(comma - c) : strlen(c));
		if (strstr(b, one))
			sb_addf(&out, "%s%s", out.len ? "," : "", one);
		free(one);
	}
	return sb_steal(&out);
}

static char *one_text(sqlite3 *db, const char *sql)
{
	struct sbuf out;
	sqlite3_stmt *s;

	sb_init(&out);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		sb_addf(&out, "%s%s", out.len ? "\n" : "", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return sb_steal(&out);
}

/* Opens a copy of fixture (a store file of schema version `version`), which
 * must upgrade it to the current version keeping every row of every table
 * (in the columns that remain; a migration may add rows), with integrity_check and foreign_key_check
 * clean. */
static void upgrades_fixture(const char *fixture, int version)
{
	char dir[] = "/tmp/lb-store3-XXXXXX", *path, *cmd, *err = NULL, *tables, *t, *next;
	char *before_cols, *after_cols, *cols, *before, *after, *text;
	struct store_options o = { 0 };
	struct store *st = NULL;
	sqlite3 *orig, *db;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/lightbox.db", dir);
	cmd = xasprintf("cp '%s' '%s'", fixture, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(sqlite3_open_v2(fixture, &orig, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	text = one_text(orig, "PRAGMA user_version");
	if (atoi(text) != version)
		fail_msg("%s has schema version %s, not the %d its name says", fixture, text, version);
	free(text);

	assert_int_equal(store_open(dir, &o, &st, &err), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(&st);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	text = one_text(db, "PRAGMA integrity_check");
	assert_string_equal(text, "ok");
	free(text);
	text = one_text(db, "SELECT \"table\" || ' row ' || rowid || ' -> ' || parent FROM pragma_foreign_key_check");
	assert_string_equal(text, "");
	free(text);
	/* Every table of the old schema (the full-text shadow tables are the
	 * FTS tables' business) keeps its rows. */
	tables = one_text(orig, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
				"AND name NOT GLOB '*_fts_*' ORDER BY name");
	for (t = tables; t && *t; t = next) {
		next = strchr(t, '\n');
		if (next)
			*next++ = '\0';
		before_cols = table_cols(orig, t);
		after_cols = table_cols(db, t);
		if (*after_cols == '\0')
			fail_msg("%s: the table %s is gone after the upgrade", fixture, t);
		cols = common_cols(before_cols, after_cols);
		assert_true(*cols != '\0');
		before = table_rows(orig, t, cols);
		after = table_rows(db, t, cols);
		if (!rows_kept(before, after))
			fail_msg("%s: the rows of %s changed in the upgrade:\n-- before:\n%s-- after:\n%s",
				 fixture, t, before, after);
		free(before);
		free(after);
		free(cols);
		free(before_cols);
		free(after_cols);
	}
	free(tables);
	sqlite3_close(orig);
	sqlite3_close(db);
	free(path);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Every released schema is kept as a store made by the lightbox of that
 * version (tests/fixtures/schema-vN.db, made by
 * tests/fixtures/make-schema-fixture.sh, with rows in every table); each
 * one, and an empty file (version 0), opens as the current version with
 * its data whole. */
static void migrates_every_older_schema(void **state)
{
	char dir[] = "/tmp/lb-store3-XXXXXX", path[128], *err = NULL;
	struct store_options o = { 0 };
	struct store *st = NULL;
	sqlite3 *db;
	glob_t g;
	size_t i;
	int v, have_v1 = 0;

	(void)state;
	o.create = 1;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/lightbox.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(dir, &o, &st, &err), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(&st);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);

	assert_int_equal(glob(LB_SRCDIR "/tests/fixtures/schema-v*.db", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		const char *name = strrchr(g.gl_pathv[i], '/') + 1;

		assert_int_equal(sscanf(name, "schema-v%d.db", &v), 1);
		assert_true(v >= 1 && v <= STORE_SCHEMA_VERSION);
		have_v1 |= v == 1;
		upgrades_fixture(g.gl_pathv[i], v);
		print_message("# upgraded %s (schema %d) to %d\n", name, v, STORE_SCHEMA_VERSION);
	}
	assert_true(have_v1);
	globfree(&g);
}

static void readonly_store_says_so(void **state)
{
	struct fx *f = *state;
	struct store_options o = { 0 };
	struct store *ro = NULL;
	char *err = NULL;
	int64_t id = add_text(f, "ro");

	o.readonly = 1;
	assert_int_equal(store_open(f->dir, &o, &ro, &err), 0);
	assert_int_equal(store_rate(ro, id, 3), STORE_EREADONLY);
	assert_non_null(strstr(store_errmsg(ro), "read-only"));
	store_close(&ro);
}

/* store_event_last moves with every change a view shows and not with a
 * runner's bookkeeping (poll_store in tui/loop.c relies on it). */
static void event_last_ignores_job_bookkeeping(void **state)
{
	struct fx *f = *state;
	struct lb_job_input ji = { 0 };
	struct lb_job j;
	int64_t e0, e1, e2, e3, dv0, dv1, job, cand;
	struct store *other = open_as(f->dir, "bob");

	assert_int_equal(store_event_last(f->st, &e0), 0);
	assert_true(e0 > 0); /* the project and the brief */
	ji.brief_id = f->brief;
	ji.kind = "generate";
	ji.backend = "builtin";
	ji.params = "{}";
	assert_int_equal(store_job_add(f->st, &ji, &job), 0);
	assert_int_equal(store_event_last(f->st, &e1), 0);
	assert_true(e1 > e0); /* queueing is a change people see */
	assert_int_equal(store_data_version(f->st, &dv0), 0);
	assert_int_equal(store_job_claim(other, NULL, &j), 0);
	assert_int_equal(store_job_progress(other, job, 0.5), 0);
	lb_job_clear(&j);
	assert_int_equal(store_data_version(f->st, &dv1), 0);
	assert_true(dv1 != dv0); /* someone wrote... */
	assert_int_equal(store_event_last(f->st, &e2), 0);
	assert_int_equal(e2, e1); /* ...only job bookkeeping */
	cand = add_text(f, "a new one");
	assert_int_equal(store_rate(other, cand, 4), 0);
	assert_int_equal(store_event_last(f->st, &e3), 0);
	assert_true(e3 > e2 + 1);
	store_close(&other);
}

/* A job's outputs: files first, a manifest, then the rows, once, and
 * only by the runner that holds the job (store/job-output.c). */
static void job_outputs_recorded_once(void **state)
{
	struct fx *f = *state;
	struct lb_job_input ji = { 0 };
	struct lb_asset_facts facts = { "image/png", "png", 2, 1, 0 };
	struct lb_job_output out[2], *back = NULL;
	struct lb_job j;
	int64_t job, *ids = NULL;
	size_t n = 0;
	char *runner = NULL, *path;
	int changed = -1;

	memset(out, 0, sizeof out);
	ji.brief_id = f->brief;
	ji.backend = "builtin";
	assert_int_equal(store_job_add(f->st, &ji, &job), 0);
	assert_int_equal(store_job_claim_by(f->st, NULL, NULL, job, "1f-0a", &j), 0);
	assert_int_equal(j.attempts, 1);
	lb_job_clear(&j);
	assert_int_equal(store_job_output_data(f->st, "\x89PNG fake bytes", 16, &facts, &out[0]), 0);
	assert_int_equal(out[0].bytes, 16);
	out[0].seed = 42;
	out[0].has_seed = 1;
	out[0].params = xstrdup("{\"steps\": 3}");
	out[1].body = xstrdup("a text, inline");
	assert_int_equal(store_job_manifest_write(f->st, job, "1f-0a", out, 2), 0);
	assert_int_equal(store_job_manifest_read(f->st, job, &runner, &back, &n), 0);
	assert_string_equal(runner, "1f-0a");
	assert_int_equal(n, 2);
	assert_string_equal(back[0].sha256, out[0].sha256);
	assert_int_equal(back[0].seed, 42);
	assert_string_equal(back[0].params, "{\"steps\": 3}");
	assert_string_equal(back[1].body, "a text, inline");
	assert_int_equal(store_job_manifests(f->st, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], job);
	free(ids);

	/* Another runner's id, or a requeue by the wrong holder: refused. */
	assert_int_equal(store_job_record(f->st, job, "2e-0b", back, 2, NULL), STORE_ECONFLICT);
	assert_int_equal(store_job_requeue(f->st, job, "2e-0b", "no", &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(store_job_record(f->st, job, "1f-0a", back, 2, NULL), 0);
	assert_int_equal(store_job_get(f->st, job, &j), 0);
	assert_int_equal(j.state, LB_JOB_DONE);
	assert_int_equal(j.n_candidates, 2);
	lb_job_clear(&j);
	/* Recording twice adds nothing. */
	assert_int_equal(store_job_record(f->st, job, "1f-0a", back, 2, NULL), STORE_ECONFLICT);
	store_job_manifest_remove(f->st, job);
	lb_job_outputs_free(&back, 2);
	free(runner);
	assert_int_equal(store_job_manifest_read(f->st, job, &runner, &back, &n), STORE_ENOTFOUND);

	/* An interrupted attempt is given back; a missing file fails. */
	assert_int_equal(store_job_add(f->st, &ji, &job), 0);
	assert_int_equal(store_job_claim_by(f->st, NULL, NULL, job, "1f-0a", &j), 0);
	lb_job_clear(&j);
	assert_int_equal(store_job_requeue(f->st, job, "1f-0a", "stopped", &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(store_job_claim_by(f->st, NULL, NULL, job, "1f-0a", &j), 0);
	assert_int_equal(j.attempts, 1);
	lb_job_clear(&j);
	path = store_asset_path(f->st, out[0].sha256, "png");
	assert_int_equal(unlink(path), 0);
	free(path);
	assert_int_equal(store_job_record(f->st, job, "1f-0a", out, 1, NULL), STORE_EINVAL);
	assert_non_null(strstr(store_errmsg(f->st), "missing"));
	lb_job_output_clear(&out[0]);
	lb_job_output_clear(&out[1]);
	free(runner);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(projects_and_slugs, setup, teardown),
		cmocka_unit_test_setup_teardown(event_last_ignores_job_bookkeeping, setup, teardown),
		cmocka_unit_test_setup_teardown(brief_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(assets_are_content_addressed, setup, teardown),
		cmocka_unit_test_setup_teardown(ratings_flags_and_means, setup, teardown),
		cmocka_unit_test_setup_teardown(tags_notes_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(undo_redo_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(undo_conflicts_and_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(keyset_pages, setup, teardown),
		cmocka_unit_test(refuses_foreign_and_newer),
		cmocka_unit_test(migrates_every_older_schema),
		cmocka_unit_test_setup_teardown(archive_and_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(readonly_store_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(job_outputs_recorded_once, setup, teardown),
	};

	/* What runs on PostgreSQL so far (HACKING.md, PostgreSQL). */
	const struct CMUnitTest both[] = {
		cmocka_unit_test_setup_teardown(projects_and_slugs, setup, teardown),
		cmocka_unit_test_setup_teardown(brief_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(ratings_flags_and_means, setup, teardown),
		cmocka_unit_test_setup_teardown(tags_notes_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(undo_redo_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(undo_conflicts_and_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(keyset_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(archive_and_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(event_last_ignores_job_bookkeeping, setup, teardown),
		cmocka_unit_test_setup_teardown(assets_are_content_addressed, setup, teardown),
		cmocka_unit_test_setup_teardown(job_outputs_recorded_once, setup, teardown),
	};
	const char *url = getenv("LB_TEST_STORE_URL");

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (url && *url)
		return cmocka_run_group_tests_name("postgresql", both, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
