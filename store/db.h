/*
 * db.h - the store's connection to its database, SQLite or PostgreSQL
 * (issue 18).  For store/ only.
 *
 * The calls have SQLite's shape (the files of store/ were written against SQLite
 * and converted by store/db-convert.sh, a rename), but dispatch on
 * the connection: db-sqlite.c passes them to SQLite, db-pg.c runs them
 * through libpq.  A statement is written once, in SQLite's dialect with
 * ? or ?N parameters; db-pg.c rewrites it for PostgreSQL when it is
 * prepared (db_pg_translate: $N parameters and the few constructs that
 * differ), so the SQL that differs lives in one place per dialect.  What
 * cannot be rewritten (the schema, PRAGMAs) is asked of the dialect:
 * db_dialect(), db_schema_version(), store/schema-pg.c.
 *
 * Result codes are SQLite's primary codes (DB_OK 0, DB_BUSY 5, DB_ROW
 * 100 ...), so a PostgreSQL failure reaches st_sqlfail as the SQLite one
 * it corresponds to (SQLSTATE class 23 is DB_CONSTRAINT, a lock timeout
 * DB_BUSY, and so on).
 */
#ifndef LB_DB_H
#define LB_DB_H

#include <stddef.h>
#include <stdint.h>

struct db;
typedef struct db_stmt db_stmt;
typedef int64_t db_int64;

enum db_dialect { DB_SQLITE, DB_PG };

/* Result codes (SQLite's values). */
enum {
	DB_OK = 0,
	DB_ERROR = 1,
	DB_PERM = 3,
	DB_BUSY = 5,
	DB_LOCKED = 6,
	DB_NOMEM = 7,
	DB_READONLY = 8,
	DB_IOERR = 10,
	DB_CORRUPT = 11,
	DB_FULL = 13,
	DB_CANTOPEN = 14,
	DB_CONSTRAINT = 19,
	DB_MISUSE = 21,
	DB_NOTADB = 26,
	DB_ROW = 100,
	DB_DONE = 101,
};

/* Column types. */
enum { DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4, DB_NULL = 5 };

/* Flags of db_open_v2 (SQLite's values). */
#define DB_OPEN_READONLY 0x00000001
#define DB_OPEN_READWRITE 0x00000002
#define DB_OPEN_CREATE 0x00000004
#define DB_OPEN_NOMUTEX 0x00008000
#define DB_PREPARE_PERSISTENT 0x01
#define DB_CHECKPOINT_PASSIVE 0

/* Binding destructors: the text lives until the statement is reset
 * (STATIC), or is copied (TRANSIENT). */
typedef void (*db_destructor)(void *);
#define DB_STATIC ((db_destructor)0)
#define DB_TRANSIENT ((db_destructor)-1)

/* ------------------------------------------------------------ connections */

/* An SQLite database file (flags: DB_OPEN_*).  *out is set even on
 * failure (for db_errmsg), and must be closed. */
int db_open_v2(const char *path, struct db **out, int flags, const char *vfs);
/* A PostgreSQL database named by a libpq URL or keyword string.  On
 * failure *out is NULL and *err an owned message (no password in it). */
int db_open_pg(const char *url, struct db **out, char **err);
/* 1 for a postgresql:// or postgres:// URL. */
int db_is_url(const char *name);
int db_close(struct db *db);
enum db_dialect db_dialect(const struct db *db);

const char *db_errmsg(struct db *db);
int db_system_errno(struct db *db);
int db_extended_result_codes(struct db *db, int on);
int db_busy_handler(struct db *db, int (*fn)(void *, int), void *arg);
/* How long one statement waits for a lock (PostgreSQL's lock_timeout;
 * SQLite's is its busy handler). */
int db_lock_timeout(struct db *db, int ms);
int db_db_readonly(struct db *db, const char *name);
int db_get_autocommit(struct db *db);
int64_t db_last_insert_rowid(struct db *db);
int db_changes(struct db *db);
/* Rows changed through this connection since it opened. */
int64_t db_total_changes64(struct db *db);
/* The result code of the last failure. */
int db_errcode(struct db *db);
int db_wal_autocheckpoint(struct db *db, int pages);
int db_wal_checkpoint_v2(struct db *db, const char *name, int mode, int *log, int *done);
/* Runs sql (one or more statements, no parameters, no rows wanted),
 * written in SQLite's dialect as every statement is.  cb must be NULL;
 * *errmsg (when given) is freed with db_free. */
int db_exec(struct db *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
	    char **errmsg);
/* Runs sql as it is, in the connection's own dialect (the migrations of
 * schema.c and schema-pg.c). */
int db_exec_native(struct db *db, const char *sql);
void db_free(void *p);
void db_sleep(int ms);

/* Transactions: BEGIN taking the store's write lock (SQLite's BEGIN
 * IMMEDIATE; on PostgreSQL a transaction-scoped advisory lock, so writers
 * are serialised as on SQLite), COMMIT, ROLLBACK. */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* The schema version (SQLite: PRAGMA user_version; PostgreSQL: the
 * table lb_schema), and setting it inside the migration's transaction. */
int db_schema_version(struct db *db, int *v);
int db_set_schema_version(struct db *db, int v);
/* A number that changes when another connection commits (SQLite:
 * PRAGMA data_version). */
int db_data_version(struct db *db, int64_t *v);

/* A descriptor that becomes readable when another connection commits
 * (PostgreSQL: the socket of a connection that LISTENs; every write
 * transaction NOTIFYs), or -1 where there is none (SQLite: poll
 * db_data_version). */
int db_change_fd(struct db *db);

/* What the commits heard of said they touched (PostgreSQL: the NOTIFY
 * payloads, "KINDS;BRIEFS"): the briefs, or all when one did not say
 * (SQLite never does), and the kinds of change.  db_notify_payload sets
 * what this connection's next commit says (ignored by SQLite);
 * db_changes_heard hands over what was heard since it was last asked. */
#define DB_HEARD_MAX 32
struct db_heard {
	int all;
	int n;
	int64_t brief[DB_HEARD_MAX];
	char kinds[256]; /* comma-separated, as heard, truncated */
};
void db_notify_payload(struct db *db, const char *payload);
void db_changes_heard(struct db *db, struct db_heard *out);

/* ------------------------------------------------------------ statements */

int db_prepare_v3(struct db *db, const char *sql, int n, unsigned flags, db_stmt **out, const char **tail);
int db_prepare_v2(struct db *db, const char *sql, int n, db_stmt **out, const char **tail);
int db_step(db_stmt *s);
int db_reset(db_stmt *s);
int db_clear_bindings(db_stmt *s);
int db_finalize(db_stmt *s);

int db_bind_int64(db_stmt *s, int i, int64_t v);
int db_bind_int(db_stmt *s, int i, int v);
int db_bind_double(db_stmt *s, int i, double v);
int db_bind_null(db_stmt *s, int i);
int db_bind_text(db_stmt *s, int i, const char *v, int n, db_destructor d);
int db_bind_blob(db_stmt *s, int i, const void *v, int n, db_destructor d);

int db_column_type(db_stmt *s, int i);
int64_t db_column_int64(db_stmt *s, int i);
int db_column_int(db_stmt *s, int i);
double db_column_double(db_stmt *s, int i);
/* NULL for a NULL column; valid until the next step or reset. */
const unsigned char *db_column_text(db_stmt *s, int i);
const void *db_column_blob(db_stmt *s, int i);
int db_column_bytes(db_stmt *s, int i);

/* ------------------------------------------------------------ dialects */

/* What each dialect implements (db-sqlite.c, db-pg.c). */
struct db_ops {
	enum db_dialect dialect;
	int (*close)(struct db *db);
	const char *(*errmsg)(struct db *db);
	int (*system_errno)(struct db *db);
	int (*extended_result_codes)(struct db *db, int on);
	int (*busy_handler)(struct db *db, int (*fn)(void *, int), void *arg);
	int (*lock_timeout)(struct db *db, int ms);
	int (*readonly)(struct db *db);
	int (*autocommit)(struct db *db);
	int64_t (*last_insert_rowid)(struct db *db);
	int (*changes)(struct db *db);
	int64_t (*total_changes)(struct db *db);
	int (*errcode)(struct db *db);
	int (*wal_autocheckpoint)(struct db *db, int pages);
	int (*wal_checkpoint)(struct db *db, int *log, int *done);
	int (*exec)(struct db *db, const char *sql);
	int (*exec_native)(struct db *db, const char *sql);
	int (*tx)(struct db *db, int which); /* 0 begin, 1 commit, 2 rollback */
	int (*schema_version)(struct db *db, int *v);
	int (*set_schema_version)(struct db *db, int v);
	int (*data_version)(struct db *db, int64_t *v);
	int (*change_fd)(struct db *db);
	void (*notify_payload)(struct db *db, const char *payload); /* NULL: none */
	void (*changes_heard)(struct db *db, struct db_heard *out); /* NULL: all, always */
	int (*prepare)(struct db *db, const char *sql, db_stmt **out);
	int (*step)(db_stmt *s);
	int (*reset)(db_stmt *s);
	int (*clear_bindings)(db_stmt *s);
	int (*finalize)(db_stmt *s);
	int (*bind_int64)(db_stmt *s, int i, int64_t v);
	int (*bind_double)(db_stmt *s, int i, double v);
	int (*bind_null)(db_stmt *s, int i);
	int (*bind_text)(db_stmt *s, int i, const char *v, int n);
	int (*bind_blob)(db_stmt *s, int i, const void *v, int n);
	int (*column_type)(db_stmt *s, int i);
	int64_t (*column_int64)(db_stmt *s, int i);
	double (*column_double)(db_stmt *s, int i);
	const unsigned char *(*column_text)(db_stmt *s, int i);
	const void *(*column_blob)(db_stmt *s, int i);
	int (*column_bytes)(db_stmt *s, int i);
};

/* The first member of each dialect's connection and statement. */
struct db {
	const struct db_ops *ops;
};
struct db_stmt {
	const struct db_ops *ops;
};

/* ------------------------------------------------------------ whole tables (store copy) */

/* The tables of the database (PostgreSQL's base tables; SQLite's without
 * its own and FTS5's inner ones), and a table's columns in order without
 * generated ones (PostgreSQL's tsvector).  Owned arrays of owned strings. */
int db_table_names(struct db *db, char ***out, int *n);
int db_table_columns(struct db *db, const char *table, char ***out, int *n);
/* After rows were written with their ids: the table's next id follows
 * the largest (PostgreSQL's identity sequence; nothing to do in SQLite). */
int db_identity_follow(struct db *db, const char *table);
/* PostgreSQL: tries to take the writers' lock for this session (until it
 * closes), so every other connection's db_begin waits; *got says if it
 * did.  DB_MISUSE on SQLite, which has no such lock. */
int db_writers_hold(struct db *db, int *got);

/* For tests: the PostgreSQL text of an SQLite statement (owned), and the
 * number of its parameters. */
char *db_pg_translate(const char *sql, int *nparams);

#endif
