/*
 * db.c - the calls of db.h, passed to the connection's dialect
 * (db-sqlite.c, db-pg.c).
 */
#include "config.h"

#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int db_is_url(const char *name)
{
	return name && (strncmp(name, "postgresql://", 13) == 0 || strncmp(name, "postgres://", 11) == 0);
}

int db_close(struct db *db)
{
	return db ? db->ops->close(db) : DB_OK;
}

enum db_dialect db_dialect(const struct db *db)
{
	return db->ops->dialect;
}

const char *db_errmsg(struct db *db)
{
	return db ? db->ops->errmsg(db) : "out of memory";
}

int db_system_errno(struct db *db)
{
	return db->ops->system_errno(db);
}

int db_extended_result_codes(struct db *db, int on)
{
	return db->ops->extended_result_codes(db, on);
}

int db_busy_handler(struct db *db, int (*fn)(void *, int), void *arg)
{
	return db->ops->busy_handler(db, fn, arg);
}

int db_lock_timeout(struct db *db, int ms)
{
	return db->ops->lock_timeout(db, ms);
}

int db_db_readonly(struct db *db, const char *name)
{
	(void)name;
	return db->ops->readonly(db);
}

int db_get_autocommit(struct db *db)
{
	return db->ops->autocommit(db);
}

int64_t db_last_insert_rowid(struct db *db)
{
	return db->ops->last_insert_rowid(db);
}

int db_changes(struct db *db)
{
	return db->ops->changes(db);
}

int64_t db_total_changes64(struct db *db)
{
	return db->ops->total_changes(db);
}

int db_errcode(struct db *db)
{
	return db->ops->errcode(db);
}

int db_exec_native(struct db *db, const char *sql)
{
	return db->ops->exec_native(db, sql);
}

int db_wal_autocheckpoint(struct db *db, int pages)
{
	return db->ops->wal_autocheckpoint(db, pages);
}

int db_wal_checkpoint_v2(struct db *db, const char *name, int mode, int *log, int *done)
{
	(void)name;
	(void)mode; /* only PASSIVE is used */
	return db->ops->wal_checkpoint(db, log, done);
}

int db_exec(struct db *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
	    char **errmsg)
{
	int rc;

	(void)arg;
	if (cb)
		return DB_MISUSE;
	rc = db->ops->exec(db, sql);
	if (errmsg)
		*errmsg = rc == DB_OK ? NULL : strdup(db_errmsg(db));
	return rc;
}

void db_free(void *p)
{
	free(p);
}

void db_sleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int db_begin(struct db *db)
{
	return db->ops->tx(db, 0);
}

int db_commit(struct db *db)
{
	return db->ops->tx(db, 1);
}

int db_rollback(struct db *db)
{
	return db->ops->tx(db, 2);
}

int db_schema_version(struct db *db, int *v)
{
	return db->ops->schema_version(db, v);
}

int db_set_schema_version(struct db *db, int v)
{
	return db->ops->set_schema_version(db, v);
}

int db_data_version(struct db *db, int64_t *v)
{
	return db->ops->data_version(db, v);
}

int db_change_fd(struct db *db)
{
	return db->ops->change_fd(db);
}

void db_notify_payload(struct db *db, const char *payload)
{
	if (db->ops->notify_payload)
		db->ops->notify_payload(db, payload);
}

void db_changes_heard(struct db *db, struct db_heard *out)
{
	memset(out, 0, sizeof *out);
	if (db->ops->changes_heard)
		db->ops->changes_heard(db, out);
	else
		out->all = 1;
}

int db_prepare_v3(struct db *db, const char *sql, int n, unsigned flags, db_stmt **out, const char **tail)
{
	(void)n; /* always the whole NUL-terminated text */
	(void)flags;
	if (tail)
		*tail = sql + strlen(sql);
	return db->ops->prepare(db, sql, out);
}

int db_prepare_v2(struct db *db, const char *sql, int n, db_stmt **out, const char **tail)
{
	return db_prepare_v3(db, sql, n, 0, out, tail);
}

int db_step(db_stmt *s)
{
	return s->ops->step(s);
}

int db_reset(db_stmt *s)
{
	return s ? s->ops->reset(s) : DB_OK;
}

int db_clear_bindings(db_stmt *s)
{
	return s->ops->clear_bindings(s);
}

int db_finalize(db_stmt *s)
{
	return s ? s->ops->finalize(s) : DB_OK;
}

int db_bind_int64(db_stmt *s, int i, int64_t v)
{
	return s->ops->bind_int64(s, i, v);
}

int db_bind_int(db_stmt *s, int i, int v)
{
	return s->ops->bind_int64(s, i, v);
}

int db_bind_double(db_stmt *s, int i, double v)
{
	return s->ops->bind_double(s, i, v);
}

int db_bind_null(db_stmt *s, int i)
{
	return s->ops->bind_null(s, i);
}

int db_bind_text(db_stmt *s, int i, const char *v, int n, db_destructor d)
{
	(void)d; /* always copied */
	return v ? s->ops->bind_text(s, i, v, n) : s->ops->bind_null(s, i);
}

int db_bind_blob(db_stmt *s, int i, const void *v, int n, db_destructor d)
{
	(void)d;
	return v ? s->ops->bind_blob(s, i, v, n) : s->ops->bind_null(s, i);
}

int db_column_type(db_stmt *s, int i)
{
	return s->ops->column_type(s, i);
}

int64_t db_column_int64(db_stmt *s, int i)
{
	return s->ops->column_int64(s, i);
}

int db_column_int(db_stmt *s, int i)
{
	return (int)s->ops->column_int64(s, i);
}

double db_column_double(db_stmt *s, int i)
{
	return s->ops->column_double(s, i);
}

const unsigned char *db_column_text(db_stmt *s, int i)
{
	return s->ops->column_text(s, i);
}

const void *db_column_blob(db_stmt *s, int i)
{
	return s->ops->column_blob(s, i);
}

int db_column_bytes(db_stmt *s, int i)
{
	return s->ops->column_bytes(s, i);
}

/* ------------------------------------------------------------ whole tables (store copy) */

/* The SQL of the two dialects for what store copy asks of a database's
 * catalogue: kept here, the layer's one place, not in store/copy.c. */
static int names_of(struct db *db, const char *sql, const char *arg, char ***out, int *n)
{
	db_stmt *s;
	char **v = NULL;
	int rc, cap = 0;

	*out = NULL;
	*n = 0;
	rc = db_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != DB_OK)
		return rc;
	if (arg)
		db_bind_text(s, 1, arg, -1, DB_TRANSIENT);
	while ((rc = db_step(s)) == DB_ROW) {
		const unsigned char *t = db_column_text(s, 0);

		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			v = realloc(v, (size_t)cap * sizeof *v);
			if (v == NULL)
				abort();
		}
		v[(*n)++] = strdup(t ? (const char *)t : "");
	}
	db_finalize(s);
	*out = v;
	return rc == DB_DONE ? DB_OK : rc;
}

int db_table_names(struct db *db, char ***out, int *n)
{
	return names_of(db,
			db_dialect(db) == DB_PG
				? "SELECT table_name::text FROM information_schema.tables WHERE table_schema = "
				  "current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
				/* FTS5's own tables (x_fts_data ...) are the virtual table's. */
				: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
				  "ESCAPE '\\' AND name NOT LIKE '%\\_fts\\_%' ESCAPE '\\' ORDER BY 1",
			NULL, out, n);
}

int db_table_columns(struct db *db, const char *table, char ***out, int *n)
{
	return names_of(db,
			db_dialect(db) == DB_PG
				/* A generated column (the tsvector) is the dialect's, not data. */
				? "SELECT column_name::text FROM information_schema.columns WHERE table_schema = "
				  "current_schema() AND table_name = ?1 AND is_generated = 'NEVER' ORDER BY "
				  "ordinal_position"
				: "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
			table, out, n);
}

int db_identity_follow(struct db *db, const char *table)
{
	char sql[256];

	if (db_dialect(db) != DB_PG)
		return DB_OK; /* SQLite's rowid goes on from the largest */
	snprintf(sql, sizeof sql,
		 "SELECT setval(pg_get_serial_sequence('%s', 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1, "
		 "false)",
		 table, table);
	return db->ops->exec(db, sql);
}

int db_writers_hold(struct db *db, int *got)
{
	db_stmt *s;
	int rc;

	*got = 0;
	if (db_dialect(db) != DB_PG)
		return DB_MISUSE;
	/* The key of the writers' transaction lock (db-pg.c), held for the
	 * session: every db_begin of another connection waits for it. */
	rc = db_prepare_v2(db, "SELECT pg_try_advisory_lock(1279414104)", -1, &s,
			   NULL);
	if (rc != DB_OK)
		return rc;
	rc = db_step(s);
	if (rc == DB_ROW) {
		*got = db_column_int64(s, 0) == 1;
		rc = DB_OK;
	}
	db_finalize(s);
	return rc;
}
