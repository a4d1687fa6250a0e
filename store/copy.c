/*
 * copy.c - lightbox store copy SRC DST (issue 18): a whole store, SQLite
 * or PostgreSQL on either side, into an empty store.
 *
 * Table by table in dependency order, rows in key order (ids kept), in
 * batches: a batch is read from SRC (one statement, no transaction), its
 * asset files are copied into DST's assets folder (hashed while copied,
 * checked against their content name, fsync'd), and only then are its rows
 * written in one DST transaction.  Both sides go through the db layer, so
 * one statement serves both dialects; DST's full-text tables are filled
 * from SRC's texts (FTS5 indexes them as they come, PostgreSQL's tsvector
 * is generated), and PostgreSQL's identity sequences are set past the
 * copied ids.  Two columns point forward in id order (job.parent_id to a
 * candidate, candidate.parent_id to itself): they are written NULL with
 * their rows and set once every row is in.
 *
 * Resuming: DST records `copy_from` (SRC's store id) before the first row;
 * a table's rows in DST are always the first rows of SRC's in key order,
 * committed with nothing else, so a copy started again skips as many.  A
 * DST with rows and no such record is refused.
 *
 * Holding writers off: see HACKING.md "store copy".  SQLite: a setting
 * `copying` (login, pid, host) written in a short transaction; st_begin
 * refuses other writers while it names a live process.  PostgreSQL: the
 * writers' advisory lock held for the session.  No transaction spans the
 * copying of files.
 *
 * Verified: per table, rows and a SHA-256 over them, each value as its
 * text (an integer and its text hash the same; a float as %.17g, or as an
 * integer when it is one), computed the same way on both sides.  Tables
 * keyed by integers hash their rows in key order; the others (keyed by
 * text, whose order is the dialect's collation) sum their rows' hashes.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

#define BATCH 1000 /* rows read and written at a time (LB_COPY_TEST_BATCH) */

static int batch = BATCH;

/* What copy knows of each table, in dependency order. */
struct ctab {
	const char *name;
	const char *key;   /* ORDER BY, and the keyset's columns */
	int nkey;
	int ordered;       /* keyed by integers: hashed in key order */
	const char *later; /* a column set once every row is in */
	const char *where; /* rows not copied (the copy's own settings) */
	int derived;       /* kept by DST's triggers as its rows come: verified, not copied */
};

static const struct ctab tables[] = {
	{ "project", "id", 1, 1, NULL, NULL, 0 },
	{ "brief", "id", 1, 1, NULL, NULL, 0 },
	{ "brief_revision", "id", 1, 1, NULL, NULL, 0 },
	{ "asset", "id", 1, 1, NULL, NULL, 0 },
	{ "job", "id", 1, 1, "parent_id", NULL, 0 },
	{ "candidate", "id", 1, 1, "parent_id", NULL, 0 },
	{ "tag", "id", 1, 1, NULL, NULL, 0 },
	{ "candidate_tag", "candidate_id, tag_id", 2, 1, NULL, NULL, 0 },
	{ "rating", "brief_id, candidate_id, curator", 3, 0, NULL, NULL, 0 },
	{ "note", "id", 1, 1, NULL, NULL, 0 },
	{ "selection", "id", 1, 1, NULL, NULL, 0 },
	{ "comparison", "id", 1, 1, NULL, NULL, 0 },
	{ "event", "id", 1, 1, NULL, NULL, 0 },
	{ "fingerprint", "asset_id", 1, 1, NULL, NULL, 0 },
	{ "delivered", "asset_id, dir", 2, 0, NULL, NULL, 0 },
	{ "saved_view", "id", 1, 1, NULL, NULL, 0 },
	{ "assignment", "brief_id, curator, candidate_id", 3, 0, NULL, NULL, 0 },
	{ "adjudication", "brief_id, candidate_id", 2, 1, NULL, NULL, 0 },
	{ "candidate_lora", "name, candidate_id", 2, 0, NULL, NULL, 1 },
	{ "candidate_fts", "rowid", 1, 1, NULL, NULL, 0 },
	{ "note_fts", "rowid", 1, 1, NULL, NULL, 0 },
	{ "revision_fts", "rowid", 1, 1, NULL, NULL, 0 },
	/* Last, in one transaction: the store's id, aliases, shared ... */
	{ "setting", "key", 1, 0, NULL, "key NOT IN ('assets', 'copying', 'copy_from')", 0 },
};
#define NTABLES (sizeof tables / sizeof tables[0])
#define SETTING (NTABLES - 1)

/* Tables that are each store's own: the version, a cache counter. */
static const char *const own_tables[] = { "lb_schema", "fp_generation" };

struct val {
	int type; /* DB_INTEGER ... */
	int64_t i;
	double d;
	char *s; /* text or blob */
	int n;
};

struct rows {
	struct val *v; /* n rows of ncol values */
	size_t n, cap;
	int ncol;
};

struct copy {
	struct store *src, *dst;
	struct lb_copy_result *res;
	char **cols[NTABLES]; /* keys first, then the rest */
	int ncol[NTABLES];
	char *list[NTABLES];  /* cols joined by ", " */
	int64_t kill_after;   /* LB_COPY_TEST_KILL_AFTER: test hook */
	int64_t stop_after;   /* LB_COPY_TEST_STOP_AFTER */
	int held_src, held_dst; /* hold_writers took them */
	char *err;
};

static int fail(struct copy *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct copy *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->err == NULL) {
		va_start(ap, fmt);
		c->err = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return code;
}

/* A store's failure, its message taken. */
static int store_failed(struct copy *c, struct store *st, int code)
{
	return fail(c, code ? code : STORE_EIO, "%s", store_errmsg(st));
}

static const char *name_of(const struct store *st)
{
	return st_is_pg(st) ? st->dbpath : st->dir;
}

static void free_names(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void rows_clear(struct rows *r)
{
	for (size_t i = 0; i < r->n * (size_t)r->ncol; i++)
		free(r->v[i].s);
	r->n = 0;
}

static void rows_free(struct rows *r)
{
	rows_clear(r);
	free(r->v);
	memset(r, 0, sizeof *r);
}

static void val_read(db_stmt *s, int i, struct val *v)
{
	memset(v, 0, sizeof *v);
	v->type = db_column_type(s, i);
	switch (v->type) {
	case DB_INTEGER:
		v->i = db_column_int64(s, i);
		break;
	case DB_FLOAT:
		v->d = db_column_double(s, i);
		break;
	case DB_NULL:
		break;
	case DB_BLOB:
		v->n = db_column_bytes(s, i);
		v->s = xmalloc((size_t)v->n + 1);
		if (v->n)
			memcpy(v->s, db_column_blob(s, i), (size_t)v->n);
		v->s[v->n] = '\0';
		break;
	default:
		v->type = DB_TEXT;
		v->s = xstrdup((const char *)db_column_text(s, i));
		v->n = (int)strlen(v->s);
		break;
	}
}

static void val_bind(db_stmt *s, int i, const struct val *v)
{
	switch (v->type) {
	case DB_INTEGER: db_bind_int64(s, i, v->i); break;
	case DB_FLOAT: db_bind_double(s, i, v->d); break;
	case DB_NULL: db_bind_null(s, i); break;
	case DB_BLOB: db_bind_blob(s, i, v->s, v->n, DB_TRANSIENT); break;
	default: db_bind_text(s, i, v->s, v->n, DB_TRANSIENT); break;
	}
}

/* A value as the hash sees it: its text, the same for an integer, its
 * text, and a float that is that integer. */
static void val_hash(struct sha256 *h, const struct val *v)
{
	char buf[64], len[24];
	const char *p = buf;
	size_t n;

	switch (v->type) {
	case DB_NULL:
		sha256_update(h, "-", 1);
		return;
	case DB_INTEGER:
		n = (size_t)snprintf(buf, sizeof buf, "%" PRId64, v->i);
		break;
	case DB_FLOAT:
		if (v->d == (double)(int64_t)v->d && v->d > -9.2e18 && v->d < 9.2e18)
			n = (size_t)snprintf(buf, sizeof buf, "%" PRId64, (int64_t)v->d);
		else
			n = (size_t)snprintf(buf, sizeof buf, "%.17g", v->d);
		break;
	default:
		p = v->s;
		n = (size_t)v->n;
		break;
	}
	snprintf(len, sizeof len, "%zu:", n);
	sha256_update(h, len, strlen(len));
	sha256_update(h, p, n);
}

/* ------------------------------------------------------------ reading */

/* Reads up to BATCH rows of table t from st after the key of *after (or
 * from the start): appended to r. */
static int read_batch(struct copy *c, struct store *st, size_t t, const struct val *after, struct rows *r)
{
	const struct ctab *tab = &tables[t];
	struct sbuf sql;
	db_stmt *s;
	int rc, k;

	sb_init(&sql);
	sb_addf(&sql, "SELECT %s FROM %s", c->list[t], tab->name);
	if (after && tab->nkey == 1) {
		sb_addf(&sql, " WHERE %s > ?1", tab->key);
	} else if (after) {
		/* A row value (a, b) > (?1, ?2): both dialects have them. */
		sb_addf(&sql, " WHERE (%s) > (", tab->key);
		for (k = 0; k < tab->nkey; k++)
			sb_addf(&sql, "%s?%d", k ? ", " : "", k + 1);
		sb_adds(&sql, ")");
	}
	if (tab->where)
		sb_addf(&sql, " %s %s", after ? "AND" : "WHERE", tab->where);
	sb_addf(&sql, " ORDER BY %s LIMIT %d", tab->key, batch);
	s = st_prep(st, sql.s);
	sb_free(&sql);
	if (s == NULL)
		return store_failed(c, st, STORE_EIO);
	for (k = 0; after && k < tab->nkey; k++)
		val_bind(s, k + 1, &after[k]);
	r->ncol = c->ncol[t];
	while ((rc = db_step(s)) == DB_ROW) {
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : (size_t)batch;
			r->v = xrealloc(r->v, r->cap * (size_t)r->ncol * sizeof *r->v);
		}
		for (k = 0; k < r->ncol; k++)
			val_read(s, k, &r->v[r->n * (size_t)r->ncol + (size_t)k]);
		r->n++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		st_sqlfail(st, rc, "reading");
		return fail(c, STORE_EIO, "%s: reading the table %s: %s", name_of(st), tab->name, store_errmsg(st));
	}
	return 0;
}

/* Copies the key of row i of r to key[]. */
static void key_of(const struct rows *r, size_t i, int nkey, struct val *key)
{
	for (int k = 0; k < nkey; k++) {
		free(key[k].s);
		key[k] = r->v[i * (size_t)r->ncol + (size_t)k];
		if (key[k].s) {
			key[k].s = xmalloc((size_t)key[k].n + 1);
			memcpy(key[k].s, r->v[i * (size_t)r->ncol + (size_t)k].s, (size_t)key[k].n + 1);
		}
	}
}

static int64_t count_rows(struct copy *c, struct store *st, size_t t, int *rc)
{
	char sql[256];
	db_stmt *s;
	int64_t n = 0;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s%s%s", tables[t].name, tables[t].where ? " WHERE " : "",
		 tables[t].where ? tables[t].where : "");
	s = st_prep(st, sql);
	*rc = s ? 0 : store_failed(c, st, STORE_EIO);
	if (s && db_step(s) == DB_ROW)
		n = db_column_int64(s, 0);
	else if (s)
		*rc = fail(c, STORE_EIO, "%s: counting the rows of %s: %s", name_of(st), tables[t].name,
			   db_errmsg(st->db));
	if (s)
		db_reset(s);
	return n;
}

/* ------------------------------------------------------------ hashing */

struct thash {
	struct sha256 h;     /* ordered tables */
	uint64_t sum[4];     /* the others: the rows' digests added */
	int64_t rows;
};

static void row_hash(struct thash *th, int ordered, const struct val *row, int ncol)
{
	struct sha256 h;
	unsigned char d[32];
	int i, k;

	sha256_init(&h);
	for (i = 0; i < ncol; i++)
		val_hash(&h, &row[i]);
	sha256_final(&h, d);
	th->rows++;
	if (ordered) {
		sha256_update(&th->h, d, sizeof d);
		return;
	}
	for (i = 0; i < 4; i++) {
		uint64_t x = 0;
		for (k = 0; k < 8; k++)
			x = x << 8 | d[i * 8 + k];
		th->sum[i] += x;
	}
}

/* Count and hash of table t in st, read in batches as the copy reads. */
static int table_hash(struct copy *c, struct store *st, size_t t, int64_t *rows, char hex[17])
{
	const struct ctab *tab = &tables[t];
	struct thash th;
	struct rows r = { 0 };
	struct val key[3] = { { 0 } };
	unsigned char d[32];
	char full[65];
	int rc = 0, have = 0;

	memset(&th, 0, sizeof th);
	sha256_init(&th.h);
	for (;;) {
		rows_clear(&r);
		rc = read_batch(c, st, t, have ? key : NULL, &r);
		if (rc || r.n == 0)
			break;
		for (size_t i = 0; i < r.n; i++)
			row_hash(&th, tab->ordered, &r.v[i * (size_t)r.ncol], r.ncol);
		key_of(&r, r.n - 1, tab->nkey, key);
		have = 1;
	}
	rows_free(&r);
	for (int k = 0; k < 3; k++)
		free(key[k].s);
	if (!tab->ordered) {
		sha256_drop(&th.h);
		for (int i = 0; i < 4; i++)
			for (int k = 0; k < 8; k++)
				d[i * 8 + k] = (unsigned char)(th.sum[i] >> (56 - 8 * k));
	} else {
		sha256_final(&th.h, d);
	}
	sha256_hex(d, full);
	memcpy(hex, full, 16);
	hex[16] = '\0';
	*rows = th.rows;
	return rc;
}

/* ------------------------------------------------------------ assets */

static int file_has(const char *path, const char *hex)
{
	char got[65];
	int64_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), rc;

	if (fd < 0)
		return 0;
	rc = st_fd_hash(fd, got, &n);
	close(fd);
	return rc == 0 && strcmp(got, hex) == 0;
}

static int col_index(struct copy *c, size_t t, const char *name)
{
	for (int i = 0; i < c->ncol[t]; i++)
		if (strcmp(c->cols[t][i], name) == 0)
			return i;
	return -1;
}

/* The files of a batch of asset rows, copied into DST and made durable
 * before the rows are written.  A file already in DST with the right hash
 * is kept; a purged asset has none. */
static int copy_files(struct copy *c, size_t t, const struct rows *r)
{
	int ish = col_index(c, t, "sha256"), iext = col_index(c, t, "ext"), ipurged = col_index(c, t, "purged");
	struct st_staged sg;
	int rc;

	if (ish < 0 || iext < 0)
		return fail(c, STORE_ESCHEMA, "the asset table lacks sha256 or ext");
	for (size_t i = 0; i < r->n; i++) {
		const struct val *row = &r->v[i * (size_t)r->ncol];
		const char *hex = row[ish].s, *ext = row[iext].s;
		char *from, *to;

		if (hex == NULL || ext == NULL || (ipurged >= 0 && row[ipurged].type != DB_NULL))
			continue;
		from = store_asset_path(c->src, hex, ext);
		to = store_asset_path(c->dst, hex, ext);
		if (file_has(to, hex)) {
			c->res->files_present++;
			free(from);
			free(to);
			continue;
		}
		rc = st_asset_stage(c->dst, from, 1, &sg);
		if (rc) {
			rc = fail(c, rc, "asset #%" PRId64 ": %s (run 'lightbox verify' on %s)", row[0].i,
				  store_errmsg(c->dst), name_of(c->src));
		} else if (strcmp(sg.hex, hex) != 0) {
			rc = fail(c, STORE_EIO,
				  "asset #%" PRId64 ": the file %s does not hash to its name (it is damaged); "
				  "nothing of it was copied: restore it, then run the copy again",
				  row[0].i, from);
		} else {
			c->res->bytes_copied += sg.bytes;
			rc = st_asset_place(c->dst, &sg, ext, 1);
			if (rc)
				rc = store_failed(c, c->dst, rc);
			else
				c->res->files_copied++;
		}
		st_asset_unstage(&sg);
		free(from);
		free(to);
		if (rc)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------ writing */

/* INSERT of n rows of table t in one statement (one round trip to a
 * server): ?1 ... ?(n * ncol). */
static char *insert_sql(struct copy *c, size_t t, size_t n)
{
	struct sbuf sql;
	int p = 1;

	sb_init(&sql);
	sb_addf(&sql, "INSERT INTO %s (%s) VALUES ", tables[t].name, c->list[t]);
	for (size_t i = 0; i < n; i++) {
		sb_adds(&sql, i ? ", (" : "(");
		for (int k = 0; k < c->ncol[t]; k++)
			sb_addf(&sql, "%s?%d", k ? ", " : "", p++);
		sb_adds(&sql, ")");
	}
	return sb_steal(&sql);
}

static int write_rows(struct copy *c, size_t t, const struct rows *r, int replace)
{
	const struct ctab *tab = &tables[t];
	int later = tab->later ? col_index(c, t, tab->later) : -1, rc, k;
	/* Rows per statement: under SQLite's oldest limit of 999 parameters. */
	size_t per = (size_t)(999 / r->ncol), n;
	char *sql;
	db_stmt *s;

	if (per > 100)
		per = 100;
	rc = st_begin(c->dst);
	if (rc)
		return store_failed(c, c->dst, rc);
	if (replace) /* the settings: DST's own ones give way to SRC's */
		rc = st_exec(c->dst, "DELETE FROM setting WHERE key NOT IN ('assets', 'copying', 'copy_from')");
	for (size_t i = 0; rc == 0 && i < r->n; i += n) {
		n = r->n - i < per ? r->n - i : per;
		sql = insert_sql(c, t, n);
		s = st_prep(c->dst, sql);
		free(sql);
		if (s == NULL) {
			rc = STORE_EIO;
			break;
		}
		for (size_t j = 0; j < n; j++) {
			const struct val *row = &r->v[(i + j) * (size_t)r->ncol];

			for (k = 0; k < r->ncol; k++) {
				int at = (int)j * r->ncol + k + 1;

				if (k == later)
					db_bind_null(s, at);
				else
					val_bind(s, at, &row[k]);
			}
		}
		rc = st_step_done(c->dst, s, "copying rows");
	}
	rc = st_end(c->dst, rc);
	if (rc)
		return fail(c, rc, "%s: writing the table %s: %s", name_of(c->dst), tab->name,
			    store_errmsg(c->dst));
	c->res->rows += (int64_t)r->n;
	return 0;
}

/* Sets the columns written NULL (tables[].later) to SRC's values. */
static int fill_later(struct copy *c, size_t t)
{
	const struct ctab *tab = &tables[t];
	int later = col_index(c, t, tab->later), rc = 0, have = 0;
	struct rows r = { 0 };
	struct val key[1] = { { 0 } };
	char sql[160];
	db_stmt *s;

	snprintf(sql, sizeof sql, "UPDATE %s SET %s = ? WHERE id = ?", tab->name, tab->later);
	for (;;) {
		rows_clear(&r);
		rc = read_batch(c, c->src, t, have ? key : NULL, &r);
		if (rc || r.n == 0)
			break;
		rc = st_begin(c->dst);
		for (size_t i = 0; rc == 0 && i < r.n; i++) {
			const struct val *row = &r.v[i * (size_t)r.ncol];

			if (row[later].type == DB_NULL)
				continue;
			s = st_prep(c->dst, sql);
			if (s == NULL) {
				rc = STORE_EIO;
				break;
			}
			val_bind(s, 1, &row[later]);
			val_bind(s, 2, &row[0]);
			rc = st_step_done(c->dst, s, "copying a row");
		}
		rc = st_end(c->dst, rc);
		if (rc) {
			rc = fail(c, rc, "%s: writing %s.%s: %s", name_of(c->dst), tab->name, tab->later,
				  store_errmsg(c->dst));
			break;
		}
		key_of(&r, r.n - 1, 1, key);
		have = 1;
	}
	rows_free(&r);
	free(key[0].s);
	return rc;
}

/* The tests' hooks, once that many rows are in: LB_COPY_TEST_KILL_AFTER
 * dies as kill -9 would; LB_COPY_TEST_STOP_AFTER stops (SIGSTOP) once, so
 * a test sees a copy at work. */
static void maybe_die(struct copy *c)
{
	if (c->kill_after > 0 && c->res->rows >= c->kill_after)
		raise(SIGKILL);
	if (c->stop_after > 0 && c->res->rows >= c->stop_after) {
		c->stop_after = 0;
		raise(SIGSTOP);
	}
}

/* Copies table t from where DST's rows end. */
static int copy_table(struct copy *c, size_t t)
{
	const struct ctab *tab = &tables[t];
	struct rows r = { 0 };
	struct val key[3] = { { 0 } };
	int64_t have;
	int rc, started = 0;

	have = count_rows(c, c->dst, t, &rc);
	if (rc)
		return rc;
	if (have > 0) {
		/* DST holds SRC's first `have` rows: go on after the last. */
		char sql[256];
		db_stmt *s;

		snprintf(sql, sizeof sql, "SELECT %s FROM %s ORDER BY %s LIMIT 1 OFFSET ?", c->list[t], tab->name,
			 tab->key);
		s = st_prep(c->src, sql);
		if (s == NULL)
			return store_failed(c, c->src, STORE_EIO);
		db_bind_int64(s, 1, have - 1);
		r.ncol = c->ncol[t];
		if (db_step(s) != DB_ROW) {
			db_reset(s);
			return fail(c, STORE_EINVAL,
				    "%s holds more rows of %s (%" PRId64 ") than %s: it is not a copy of it",
				    name_of(c->dst), tab->name, have, name_of(c->src));
		}
		r.v = xcalloc((size_t)r.ncol, sizeof *r.v);
		r.cap = r.n = 1;
		for (int k = 0; k < r.ncol; k++)
			val_read(s, k, &r.v[k]);
		db_reset(s);
		key_of(&r, 0, tab->nkey, key);
		started = 1;
	}
	for (;;) {
		rows_clear(&r);
		rc = read_batch(c, c->src, t, started ? key : NULL, &r);
		if (rc || r.n == 0)
			break;
		if (strcmp(tab->name, "asset") == 0 && (rc = copy_files(c, t, &r)) != 0)
			break;
		rc = write_rows(c, t, &r, 0);
		if (rc)
			break;
		maybe_die(c);
		key_of(&r, r.n - 1, tab->nkey, key);
		started = 1;
	}
	rows_free(&r);
	for (int k = 0; k < 3; k++)
		free(key[k].s);
	return rc;
}

/* ------------------------------------------------------------ columns */

static int has_name(char **v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

/* Every table of SRC is one copy knows (or a store's own), and both
 * sides have the same columns; c->cols[t] = keys first, then the rest. */
static int learn_columns(struct copy *c)
{
	char **names = NULL, **sc = NULL, **dc = NULL;
	int n = 0, ns = 0, nd = 0, rc, i;
	size_t t, k;

	rc = db_table_names(c->src->db, &names, &n);
	if (rc != DB_OK)
		return fail(c, STORE_EIO, "%s: listing its tables: %s", name_of(c->src), db_errmsg(c->src->db));
	for (i = 0; i < n; i++) {
		int known = 0;
		for (t = 0; t < NTABLES; t++)
			known |= strcmp(names[i], tables[t].name) == 0;
		for (k = 0; k < sizeof own_tables / sizeof own_tables[0]; k++)
			known |= strcmp(names[i], own_tables[k]) == 0;
		if (!known) {
			rc = fail(c, STORE_ESCHEMA,
				  "%s has a table store copy does not know (%s); this lightbox cannot copy it whole",
				  name_of(c->src), names[i]);
			free_names(names, n);
			return rc;
		}
	}
	free_names(names, n);
	for (t = 0; t < NTABLES && rc == 0; t++) {
		struct sbuf list;
		char *keys = xstrdup(tables[t].key), *p, *save = NULL;
		int m = 0;

		if (db_table_columns(c->src->db, tables[t].name, &sc, &ns) != DB_OK ||
		    db_table_columns(c->dst->db, tables[t].name, &dc, &nd) != DB_OK) {
			rc = fail(c, STORE_EIO, "listing the columns of %s: %s", tables[t].name,
				  db_errmsg(c->src->db));
		}
		c->cols[t] = xcalloc((size_t)ns + 4, sizeof(char *));
		for (p = strtok_r(keys, ", ", &save); p; p = strtok_r(NULL, ", ", &save))
			c->cols[t][m++] = xstrdup(p);
		free(keys);
		for (i = 0; i < ns; i++)
			if (!has_name(c->cols[t], m, sc[i]))
				c->cols[t][m++] = xstrdup(sc[i]);
		c->ncol[t] = m;
		/* SQLite's FTS5 tables show no rowid; PostgreSQL's have one. */
		for (i = 0; rc == 0 && i < m; i++)
			if (strcmp(c->cols[t][i], "rowid") != 0 && !has_name(dc, nd, c->cols[t][i]))
				rc = fail(c, STORE_ESCHEMA, "%s's table %s has the column %s, %s's has not",
					  name_of(c->src), tables[t].name, c->cols[t][i], name_of(c->dst));
		for (i = 0; rc == 0 && i < nd; i++)
			if (!has_name(c->cols[t], m, dc[i]))
				rc = fail(c, STORE_ESCHEMA, "%s's table %s has the column %s, %s's has not",
					  name_of(c->dst), tables[t].name, dc[i], name_of(c->src));
		sb_init(&list);
		for (i = 0; i < m; i++)
			sb_addf(&list, "%s%s", i ? ", " : "", c->cols[t][i]);
		c->list[t] = sb_steal(&list);
		free_names(sc, ns);
		free_names(dc, nd);
		sc = dc = NULL;
	}
	return rc;
}

/* ------------------------------------------------------------ holding writers off */

static char *marker_text(void)
{
	char host[256] = "";
	char *login = util_login(), *t;

	gethostname(host, sizeof host - 1);
	t = xasprintf("%s\t%ld\t%s", login, (long)getpid(), host);
	free(login);
	return t;
}

/* SQLite: the setting `copying` written under the write lock (st_begin
 * refuses it to anyone else while its process lives); PostgreSQL: the
 * writers' lock held for the session.  Either refused while another
 * writer is at work. */
static int hold_writers(struct copy *c, struct store *st, const char *role)
{
	char *who = store_lock_holder(st), *mark;
	db_stmt *s;
	int rc, got = 0;

	if (who) {
		rc = fail(c, STORE_EBUSY, "%s %s: %s is writing to it; run the copy once it is done", role,
			  name_of(st), who);
		free(who);
		return rc;
	}
	if (st_is_pg(st)) {
		for (int i = 0; i < 20 && !got; i++) {
			if (db_writers_hold(st->db, &got) != DB_OK)
				return fail(c, STORE_EIO, "%s %s: taking its write lock: %s", role, name_of(st),
					    db_errmsg(st->db));
			if (!got)
				db_sleep(100);
		}
		if (!got)
			return fail(c, STORE_EBUSY,
				    "%s %s: another writer holds its write lock; run the copy once it is done", role,
				    name_of(st));
		return 0;
	}
	store_set_busy(st, 2000, 1);
	rc = st_begin(st);
	store_set_busy(st, 10000, 5);
	if (rc)
		return fail(c, STORE_EBUSY, "%s %s: %s%s", role, name_of(st), store_errmsg(st),
			    rc == STORE_EBUSY ? "; run the copy once the other writer is done" : "");
	mark = marker_text();
	s = st_prep(st, "INSERT OR REPLACE INTO setting (key, value) VALUES ('copying', ?)");
	if (s)
		st_bind_text(s, 1, mark);
	rc = st_end(st, s ? st_step_done(st, s, "marking the store") : STORE_EIO);
	free(mark);
	return rc ? store_failed(c, st, rc) : 0;
}

static void release_writers(struct store *st)
{
	if (st == NULL || st_is_pg(st))
		return; /* the session's lock goes with the connection */
	if (st_begin(st) == 0)
		st_end(st, st_exec(st, "DELETE FROM setting WHERE key = 'copying'"));
}

/* ------------------------------------------------------------ opening */

/* The schema version of an existing DST, before opening it (which would
 * upgrade an older one): 0 when there is none yet. */
static int peek_version(struct copy *c, const char *name, int *v)
{
	struct db *db = NULL;
	char *msg = NULL, *path;
	struct stat sb;
	int rc;

	*v = 0;
	if (db_is_url(name)) {
		if (db_open_pg(name, &db, &msg) != DB_OK) {
			free(msg); /* store_open says it, with the URL redacted */
			return 0;
		}
	} else {
		path = xasprintf("%s/lightbox.db", name);
		if (stat(path, &sb) < 0) {
			free(path);
			return 0;
		}
		rc = db_open_v2(path, &db, DB_OPEN_READONLY, NULL);
		free(path);
		if (rc != DB_OK) {
			db_close(db);
			return 0;
		}
	}
	rc = db_schema_version(db, v);
	db_close(db);
	(void)c;
	return 0;
}

static int open_side(struct copy *c, const char *name, int create, struct store **out, const char *role)
{
	struct store_options opt = { 0 };
	char *err = NULL;
	int rc;

	opt.create = create;
	rc = store_open(name, &opt, out, &err);
	if (rc) {
		rc = fail(c, rc, "%s: %s", role, err);
		free(err);
	}
	return rc;
}

static int same_store(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (db_is_url(a) || db_is_url(b))
		return strcmp(a, b) == 0;
	return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

/* DST is empty, or an unfinished copy of SRC (*resumed). */
static int check_dst(struct copy *c, const char *src_id, int *resumed)
{
	char *from = NULL;
	int rc = 0;

	*resumed = 0;
	if (store_setting_get(c->dst, "copy_from", &from) != 0)
		return store_failed(c, c->dst, STORE_EIO);
	if (from && strcmp(from, src_id) == 0) {
		*resumed = 1;
		free(from);
		return 0;
	}
	for (size_t t = 0; t < SETTING && rc == 0; t++) {
		if (tables[t].derived)
			continue;
		int64_t n = count_rows(c, c->dst, t, &rc);
		if (rc == 0 && n > 0)
			rc = fail(c, STORE_EINVAL,
				  "DST %s is not empty (%" PRId64 " rows in %s%s); copy into a new store: an empty "
				  "PostgreSQL database or a folder with no store",
				  name_of(c->dst), n, tables[t].name,
				  from ? ", and an unfinished copy of another store" : "");
	}
	free(from);
	if (rc == 0) {
		db_stmt *s;

		rc = st_begin(c->dst);
		s = rc ? NULL : st_prep(c->dst, "INSERT OR REPLACE INTO setting (key, value) VALUES ('copy_from', ?)");
		if (s)
			st_bind_text(s, 1, src_id);
		rc = st_end(c->dst, rc ? rc : s ? st_step_done(c->dst, s, "marking the copy") : STORE_EIO);
		if (rc)
			rc = store_failed(c, c->dst, rc);
	}
	return rc;
}

/* ------------------------------------------------------------ the copy */

static int verify(struct copy *c)
{
	int rc = 0, bad = 0;
	size_t t;

	c->res->v = xcalloc(NTABLES, sizeof *c->res->v);
	for (t = 0; t < NTABLES && rc == 0; t++) {
		struct lb_copy_table *v = &c->res->v[c->res->n];

		snprintf(v->name, sizeof v->name, "%s", tables[t].name);
		rc = table_hash(c, c->src, t, &v->src_rows, v->src_hash);
		if (rc == 0)
			rc = table_hash(c, c->dst, t, &v->dst_rows, v->dst_hash);
		if (rc)
			break;
		c->res->n++;
		v->ok = v->src_rows == v->dst_rows && strcmp(v->src_hash, v->dst_hash) == 0;
		if (!v->ok && !bad++)
			fail(c, STORE_EIO,
			     "verification failed: the table %s differs (%s: %" PRId64 " rows, hash %s; %s: %" PRId64
			     " rows, hash %s); the source changed since the copy began, or the copy is damaged: "
			     "copy again into a new store",
			     v->name, name_of(c->src), v->src_rows, v->src_hash, name_of(c->dst), v->dst_rows,
			     v->dst_hash);
	}
	return rc ? rc : bad ? STORE_EIO : 0;
}

static int run(struct copy *c, const char *src, const char *dst)
{
	char *saved = NULL, *src_id = NULL;
	const char *env = getenv("LIGHTBOX_ASSETS");
	int rc, v;
	size_t t;

	if (same_store(src, dst))
		return fail(c, STORE_EINVAL, "SRC and DST are the same store");
	peek_version(c, dst, &v);
	if (v != 0 && v != STORE_SCHEMA_VERSION)
		return fail(c, STORE_ESCHEMA,
			    "DST has schema version %d and this lightbox's is %d; copy into an empty store", v,
			    STORE_SCHEMA_VERSION);
	/* LIGHTBOX_ASSETS (--assets) names a PostgreSQL DST's assets folder;
	 * a PostgreSQL SRC then uses the one its init recorded. */
	if (env && db_is_url(dst)) {
		saved = xstrdup(env);
		unsetenv("LIGHTBOX_ASSETS");
	}
	rc = open_side(c, src, 0, &c->src, "SRC");
	if (saved) {
		setenv("LIGHTBOX_ASSETS", saved, 1);
		free(saved);
	}
	if (rc)
		return rc;
	c->res->src = xstrdup(name_of(c->src));
	rc = hold_writers(c, c->src, "SRC");
	if (rc)
		return rc;
	c->held_src = 1;
	store_announce(c->src, "a store copy");
	rc = open_side(c, dst, 1, &c->dst, "DST");
	if (rc)
		return rc;
	c->res->dst = xstrdup(name_of(c->dst));
	if (store_schema_version(c->src) != store_schema_version(c->dst))
		return fail(c, STORE_ESCHEMA, "SRC has schema version %d and DST %d", store_schema_version(c->src),
			    store_schema_version(c->dst));
	rc = hold_writers(c, c->dst, "DST");
	if (rc)
		return rc;
	c->held_dst = 1;
	store_announce(c->dst, "a store copy");
	rc = learn_columns(c);
	if (rc)
		return rc;
	if (store_setting_get(c->src, "id", &src_id) != 0)
		return store_failed(c, c->src, STORE_EIO);
	if (src_id == NULL)
		src_id = xstrdup(c->res->src);
	rc = check_dst(c, src_id, &c->res->resumed);
	free(src_id);
	for (t = 0; t < SETTING && rc == 0; t++)
		if (!tables[t].derived)
			rc = copy_table(c, t);
	for (t = 0; t < SETTING && rc == 0; t++)
		if (tables[t].later)
			rc = fill_later(c, t);
	for (t = 0; t < SETTING && rc == 0; t++)
		if (strcmp(tables[t].key, "id") == 0 && db_identity_follow(c->dst->db, tables[t].name) != DB_OK)
			rc = fail(c, STORE_EIO, "%s: setting the next id of %s: %s", name_of(c->dst), tables[t].name,
				  db_errmsg(c->dst->db));
	if (rc == 0) {
		struct rows r = { 0 };

		rc = read_batch(c, c->src, SETTING, NULL, &r);
		if (rc == 0)
			rc = write_rows(c, SETTING, &r, 1);
		rows_free(&r);
	}
	if (rc == 0)
		rc = verify(c);
	if (rc == 0) {
		/* Whole and verified: DST is no longer a copy in progress. */
		rc = st_begin(c->dst);
		rc = st_end(c->dst, rc ? rc : st_exec(c->dst, "DELETE FROM setting WHERE key IN ('copy_from', 'copying')"));
		if (rc)
			rc = store_failed(c, c->dst, rc);
	}
	return rc;
}

int store_copy(const char *src, const char *dst, struct lb_copy_result *res, char **err)
{
	struct copy c;
	const char *k = getenv("LB_COPY_TEST_KILL_AFTER");
	int rc;

	memset(&c, 0, sizeof c);
	memset(res, 0, sizeof *res);
	c.res = res;
	c.kill_after = k ? strtoll(k, NULL, 10) : 0;
	k = getenv("LB_COPY_TEST_BATCH");
	batch = k && atoi(k) > 0 ? atoi(k) : BATCH;
	k = getenv("LB_COPY_TEST_STOP_AFTER");
	c.stop_after = k ? strtoll(k, NULL, 10) : 0;
	rc = run(&c, src, dst);
	if (c.held_src)
		release_writers(c.src);
	if (c.held_dst && rc != 0) /* an unfinished copy keeps copy_from (to be resumed), not the lock */
		release_writers(c.dst);
	store_close(&c.dst);
	store_close(&c.src);
	for (size_t t = 0; t < NTABLES; t++) {
		if (c.cols[t])
			free_names(c.cols[t], c.ncol[t]);
		free(c.list[t]);
	}
	*err = rc ? (c.err ? c.err : xstrdup("the copy failed")) : NULL;
	if (rc == 0)
		free(c.err);
	return rc;
}

void lb_copy_result_free(struct lb_copy_result *res)
{
	free(res->src);
	free(res->dst);
	free(res->v);
	memset(res, 0, sizeof *res);
}
