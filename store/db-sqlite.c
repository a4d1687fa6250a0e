/*
 * db-sqlite.c - the SQLite dialect of db.h: each call is SQLite's own.
 */
#include "config.h"

#include "db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

struct lite {
	struct db base;
	sqlite3 *h;
	sqlite3_stmt *tx[3]; /* BEGIN IMMEDIATE, COMMIT, ROLLBACK, prepared once */
};

struct lite_stmt {
	db_stmt base;
	sqlite3_stmt *s;
};

#define H(db) (((struct lite *)(db))->h)
#define S(st) (((struct lite_stmt *)(st))->s)

static const struct db_ops lite_ops;

int db_open_v2(const char *path, struct db **out, int flags, const char *vfs)
{
	struct lite *l = xcalloc(1, sizeof *l);
	int rc;

	l->base.ops = &lite_ops;
	rc = sqlite3_open_v2(path, &l->h, flags, vfs);
	*out = &l->base;
	return rc;
}

static int lite_close(struct db *db)
{
	struct lite *l = (struct lite *)db;
	int i, rc;

	for (i = 0; i < 3; i++)
		sqlite3_finalize(l->tx[i]);
	rc = sqlite3_close(l->h);
	free(l);
	return rc;
}

static const char *lite_errmsg(struct db *db)
{
	return sqlite3_errmsg(H(db));
}

static int lite_system_errno(struct db *db)
{
	return sqlite3_system_errno(H(db));
}

static int lite_extended(struct db *db, int on)
{
	return sqlite3_extended_result_codes(H(db), on);
}

static int lite_busy_handler(struct db *db, int (*fn)(void *, int), void *arg)
{
	return sqlite3_busy_handler(H(db), fn, arg);
}

static int lite_lock_timeout(struct db *db, int ms)
{
	(void)db;
	(void)ms; /* the busy handler waits */
	return SQLITE_OK;
}

static int lite_readonly(struct db *db)
{
	return sqlite3_db_readonly(H(db), "main");
}

static int lite_autocommit(struct db *db)
{
	return sqlite3_get_autocommit(H(db));
}

static int64_t lite_last_insert_rowid(struct db *db)
{
	return sqlite3_last_insert_rowid(H(db));
}

static int lite_changes(struct db *db)
{
	return sqlite3_changes(H(db));
}

static int64_t lite_total_changes(struct db *db)
{
	return sqlite3_total_changes64(H(db));
}

static int lite_errcode(struct db *db)
{
	return sqlite3_errcode(H(db));
}

static int lite_wal_autocheckpoint(struct db *db, int pages)
{
	return sqlite3_wal_autocheckpoint(H(db), pages);
}

static int lite_wal_checkpoint(struct db *db, int *log, int *done)
{
	return sqlite3_wal_checkpoint_v2(H(db), NULL, SQLITE_CHECKPOINT_PASSIVE, log, done);
}

static int lite_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(H(db), sql, NULL, NULL, NULL);
}

static int lite_tx(struct db *db, int which)
{
	static const char *const sql[] = { "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK" };
	struct lite *l = (struct lite *)db;
	int rc;

	if (l->tx[which] == NULL) {
		rc = sqlite3_prepare_v3(l->h, sql[which], -1, SQLITE_PREPARE_PERSISTENT, &l->tx[which], NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	rc = sqlite3_step(l->tx[which]);
	sqlite3_reset(l->tx[which]);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int pragma_int(struct db *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(H(db), sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static int lite_schema_version(struct db *db, int *v)
{
	int64_t x = 0;
	int rc = pragma_int(db, "PRAGMA user_version", &x);

	*v = (int)x;
	return rc;
}

static int lite_set_schema_version(struct db *db, int v)
{
	char sql[48];

	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
	return sqlite3_exec(H(db), sql, NULL, NULL, NULL);
}

static int lite_data_version(struct db *db, int64_t *v)
{
	return pragma_int(db, "PRAGMA data_version", v);
}

static int lite_change_fd(struct db *db)
{
	(void)db;
	return -1;
}

static int lite_prepare(struct db *db, const char *sql, db_stmt **out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v3(H(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	struct lite_stmt *ls;

	*out = NULL;
	if (rc != SQLITE_OK) {
		sqlite3_finalize(s);
		return rc;
	}
	ls = xcalloc(1, sizeof *ls);
	ls->base.ops = &lite_ops;
	ls->s = s;
	*out = &ls->base;
	return SQLITE_OK;
}

static int lite_step(db_stmt *s)
{
	return sqlite3_step(S(s));
}

static int lite_reset(db_stmt *s)
{
	return sqlite3_reset(S(s));
}

static int lite_clear_bindings(db_stmt *s)
{
	return sqlite3_clear_bindings(S(s));
}

static int lite_finalize(db_stmt *s)
{
	int rc = sqlite3_finalize(S(s));

	free(s);
	return rc;
}

static int lite_bind_int64(db_stmt *s, int i, int64_t v)
{
	return sqlite3_bind_int64(S(s), i, v);
}

static int lite_bind_double(db_stmt *s, int i, double v)
{
	return sqlite3_bind_double(S(s), i, v);
}

static int lite_bind_null(db_stmt *s, int i)
{
	return sqlite3_bind_null(S(s), i);
}

static int lite_bind_text(db_stmt *s, int i, const char *v, int n)
{
	return sqlite3_bind_text(S(s), i, v, n, SQLITE_TRANSIENT);
}

static int lite_bind_blob(db_stmt *s, int i, const void *v, int n)
{
	return sqlite3_bind_blob(S(s), i, v, n, SQLITE_TRANSIENT);
}

static int lite_column_type(db_stmt *s, int i)
{
	return sqlite3_column_type(S(s), i);
}

static int64_t lite_column_int64(db_stmt *s, int i)
{
	return sqlite3_column_int64(S(s), i);
}

static double lite_column_double(db_stmt *s, int i)
{
	return sqlite3_column_double(S(s), i);
}

static const unsigned char *lite_column_text(db_stmt *s, int i)
{
	return sqlite3_column_text(S(s), i);
}

static const void *lite_column_blob(db_stmt *s, int i)
{
	return sqlite3_column_blob(S(s), i);
}

static int lite_column_bytes(db_stmt *s, int i)
{
	return sqlite3_column_bytes(S(s), i);
}

static const struct db_ops lite_ops = {
	.dialect = DB_SQLITE,
	.close = lite_close,
	.errmsg = lite_errmsg,
	.system_errno = lite_system_errno,
	.extended_result_codes = lite_extended,
	.busy_handler = lite_busy_handler,
	.lock_timeout = lite_lock_timeout,
	.readonly = lite_readonly,
	.autocommit = lite_autocommit,
	.last_insert_rowid = lite_last_insert_rowid,
	.changes = lite_changes,
	.total_changes = lite_total_changes,
	.errcode = lite_errcode,
	.wal_autocheckpoint = lite_wal_autocheckpoint,
	.wal_checkpoint = lite_wal_checkpoint,
	.exec = lite_exec,
	.exec_native = lite_exec,
	.tx = lite_tx,
	.schema_version = lite_schema_version,
	.set_schema_version = lite_set_schema_version,
	.data_version = lite_data_version,
	.change_fd = lite_change_fd,
	.prepare = lite_prepare,
	.step = lite_step,
	.reset = lite_reset,
	.clear_bindings = lite_clear_bindings,
	.finalize = lite_finalize,
	.bind_int64 = lite_bind_int64,
	.bind_double = lite_bind_double,
	.bind_null = lite_bind_null,
	.bind_text = lite_bind_text,
	.bind_blob = lite_bind_blob,
	.column_type = lite_column_type,
	.column_int64 = lite_column_int64,
	.column_double = lite_column_double,
	.column_text = lite_column_text,
	.column_blob = lite_column_blob,
	.column_bytes = lite_column_bytes,
};
