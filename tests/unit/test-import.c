/*
 * test-import.c - unit tests of how import and the asset files meet the
 * store: no write transaction is open while files are read (another
 * connection can take the write lock between any two files), a file is
 * reported added only once its row is committed, two imports of the same
 * files at once add each file once, and an asset file damaged at its
 * content name (same size, other bytes) is replaced, never reused.
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
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "media/media.h"
#include "store/store.h"
#include "util.h"

#define NFILES 5

struct fixture {
	char dir[256];
	char *pics;          /* a folder of NFILES small PNGs */
	struct store *st;
	int64_t project, brief, brief2;
	sqlite3 *other;      /* a second connection, as another curator's process */
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

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct lb_brief_fields bf = { 0 };
	unsigned char rgba[8 * 8 * 4], *png;
	char *path, *err = NULL, *db;
	size_t len;
	int i;

	snprintf(f->dir, sizeof f->dir, "%s/lbimp.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->st = open_as(f->dir, "ann");
	bf.title = (char *)"Pictures";
	bf.modality = LB_IMAGE;
	if (store_project_add(f->st, "Autumn", "", &f->project) != 0 ||
	    store_brief_add(f->st, f->project, &bf, &f->brief) != 0)
		return -1;
	bf.title = (char *)"More pictures";
	if (store_brief_add(f->st, f->project, &bf, &f->brief2) != 0)
		return -1;
	f->pics = xasprintf("%s/pictures", f->dir);
	if (mkdir(f->pics, 0777) != 0)
		return -1;
	for (i = 0; i < NFILES; i++) {
		memset(rgba, 30 * i + 7, sizeof rgba);
		if (media_png_encode(rgba, 8, 8, 1, &png, &len, &err) != 0)
			return -1;
		path = xasprintf("%s/p%d.png", f->pics, i);
		if (util_write_atomic(path, png, len) != 0)
			return -1;
		free(path);
		free(png);
	}
	db = xasprintf("%s/lightbox.db", f->dir);
	if (sqlite3_open(db, &f->other) != SQLITE_OK)
		return -1;
	free(db);
	/* No waiting: a lock held by the import shows at once. */
	sqlite3_busy_timeout(f->other, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sqlite3_close(f->other);
	store_close(&f->st);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->pics);
	free(f);
	return 0;
}

static int64_t count_rows(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *s;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

struct watch {
	struct fixture *f;
	int between, lock_free, added, added_visible;
	int second_import;   /* run a whole second import from the first progress call */
	size_t second_added;
};

static void on_report(void *ctx, const struct lb_import_item *it)
{
	struct watch *w = ctx;

	if (it->status != LB_IMPORT_ADDED)
		return;
	w->added++;
	/* Reported added: another process already sees the row. */
	w->added_visible += count_rows(w->f->other, "SELECT count(*) FROM candidate WHERE id = ?1",
				       it->candidate_id) == 1;
}

static int on_progress(void *ctx, const struct lb_import_progress *p)
{
	struct watch *w = ctx;
	int rc;

	(void)p;
	w->between++;
	rc = sqlite3_exec(w->f->other, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		w->lock_free++;
		sqlite3_exec(w->f->other, "ROLLBACK", NULL, NULL, NULL);
	}
	if (w->second_import && w->between == 1) {
		/* Another curator imports the same folder meanwhile. */
		struct store *st2 = open_as(w->f->dir, "bob");
		struct lb_import_options o = { 0 };
		struct lb_import_result r;
		const char *paths[1] = { w->f->pics };

		o.brief_id = w->f->brief;
		assert_int_equal(store_import(st2, paths, 1, &o, &r), 0);
		w->second_added = r.n[LB_IMPORT_ADDED];
		lb_import_result_clear(&r);
		store_close(&st2);
	}
	return 0;
}

static void import_holds_no_lock_between_files(void **state)
{
	struct fixture *f = *state;
	struct lb_import_options o = { 0 };
	struct lb_import_result r;
	struct watch w = { 0 };
	const char *paths[1] = { f->pics };

	w.f = f;
	o.brief_id = f->brief;
	o.report = on_report;
	o.progress = on_progress;
	o.ctx = &w;
	assert_int_equal(store_import(f->st, paths, 1, &o, &r), 0);
	assert_int_equal(r.n[LB_IMPORT_ADDED], NFILES);
	lb_import_result_clear(&r);
	/* All five in one batch, yet the write lock was free after each file. */
	assert_int_equal(w.between, NFILES);
	assert_int_equal(w.lock_free, NFILES);
	assert_int_equal(w.added, NFILES);
	assert_int_equal(w.added_visible, NFILES);
	assert_int_equal(count_rows(f->other, "SELECT count(*) FROM event WHERE action = 'candidate-add'", 0), 1);
	/* Nothing staged is left behind. */
	{
		char *tmp = xasprintf("%s/assets/tmp", f->dir);
		char cmd[600];
		snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmp);
		assert_int_equal(system(cmd), 0);
		free(tmp);
	}
}

static void two_imports_at_once_add_each_file_once(void **state)
{
	struct fixture *f = *state;
	struct lb_import_options o = { 0 };
	struct lb_import_result r;
	struct watch w = { 0 };
	const char *paths[1] = { f->pics };

	w.f = f;
	w.second_import = 1;
	o.brief_id = f->brief;
	o.report = on_report;
	o.progress = on_progress;
	o.ctx = &w;
	assert_int_equal(store_import(f->st, paths, 1, &o, &r), 0);
	/* The second took all five while the first held its first file staged. */
	assert_int_equal(w.second_added, NFILES);
	assert_int_equal(r.n[LB_IMPORT_ADDED], 0);
	assert_int_equal(r.n[LB_IMPORT_DUPLICATE], NFILES);
	lb_import_result_clear(&r);
	assert_int_equal(count_rows(f->other, "SELECT count(*) FROM candidate WHERE brief_id = ?1", f->brief),
			 NFILES);
}

/* Overwrites path with as many bytes of something else. */
static void damage(const char *path)
{
	struct stat sb;
	char *junk;
	FILE *fp;

	assert_int_equal(stat(path, &sb), 0);
	junk = xmalloc((size_t)sb.st_size);
	memset(junk, 'Z', (size_t)sb.st_size);
	chmod(path, 0644);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(junk, 1, (size_t)sb.st_size, fp), (size_t)sb.st_size);
	assert_int_equal(fclose(fp), 0);
	free(junk);
}

/* The SHA-256 of the file at path, hex. */
static void hash_of(const char *path, char hex[65])
{
	char *data;
	size_t len;

	assert_int_equal(util_read_file(path, 1 << 24, &data, &len), 0);
	sha256_buf_hex(data, len, hex);
	free(data);
}

static void damaged_asset_is_replaced_not_reused(void **state)
{
	struct fixture *f = *state;
	struct lb_asset_facts facts = { "image/png", "png", 8, 8, 0 };
	struct lb_import_options o = { 0 };
	struct lb_import_result r;
	char *src = xasprintf("%s/p0.png", f->pics), want[65], got[65], *asset;
	const char *paths[1] = { src };
	int64_t a1, a2;
	int existed;

	/* A file added, its asset damaged in place, the same file added again. */
	hash_of(src, want);
	asset = store_asset_path(f->st, want, "png");
	assert_int_equal(store_asset_put_file(f->st, src, &facts, &a1, &existed), 0);
	damage(asset);
	hash_of(asset, got);
	assert_string_not_equal(got, want);
	assert_int_equal(store_asset_put_file(f->st, src, &facts, &a2, &existed), 0);
	assert_int_equal(existed, 1);
	assert_int_equal(a1, a2);
	hash_of(asset, got);
	assert_string_equal(got, want);

	/* The same from memory (a job's output). */
	damage(asset);
	{
		char *data;
		size_t len;
		assert_int_equal(util_read_file(src, 1 << 24, &data, &len), 0);
		assert_int_equal(store_asset_put(f->st, data, len, &facts, &a2, &existed), 0);
		free(data);
	}
	hash_of(asset, got);
	assert_string_equal(got, want);

	/* And through import: into one brief, damaged, into another. */
	damage(asset);
	o.brief_id = f->brief2;
	assert_int_equal(store_import(f->st, paths, 1, &o, &r), 0);
	assert_int_equal(r.n[LB_IMPORT_SAME_ASSET], 1);
	lb_import_result_clear(&r);
	hash_of(asset, got);
	assert_string_equal(got, want);
	free(asset);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(import_holds_no_lock_between_files, setup, teardown),
		cmocka_unit_test_setup_teardown(two_imports_at_once_add_each_file_once, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_asset_is_replaced_not_reused, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
