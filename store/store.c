/*
 * store.c - opening a store, its pragmas, the statement cache,
 * transactions and batches, and error reporting.
 */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "store-private.h"

#define LB_APPLICATION_ID 0x4C424F58 /* "LBOX" */
#define BUSY_TIMEOUT_MS 10000
#define BUSY_TRIES 5
#define WAIT_TELL_MS 1000 /* a wait this long is told (store_on_wait) */

int st_fail(struct store *st, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sb_reset(&st->err);
	sb_adds(&st->err, msg);
	free(msg);
	return code;
}

static char *readonly_culprit(struct store *st);

int st_sqlfail(struct store *st, int rc, const char *doing)
{
	int prim = rc & 0xff;

	if (db_dialect(st->db) == DB_PG && prim != DB_BUSY)
		return st_pg_fail(st, rc, doing);
	if (prim == DB_BUSY || prim == DB_LOCKED) {
		char *who = store_lock_holder(st);
		int ms = st->busy_ms * (st->busy_tries > 0 ? st->busy_tries : 1);
		rc = st_fail(st, STORE_EBUSY, "%s: %s kept the store locked for %d.%d s; try again", doing,
			     who ? who : "another process", ms / 1000, ms % 1000 / 100);
		free(who);
		return rc;
	}
	if (prim == DB_READONLY || prim == DB_PERM || (prim == DB_CANTOPEN && st->readonly))
		return st_readonly_fail(st, doing);
	if (prim == DB_CANTOPEN || prim == DB_IOERR) {
		/* A -wal or -shm another member left that this user cannot
		 * open: name it, not lightbox.db. */
		char *why = readonly_culprit(st);

		if (why) {
			rc = st_fail(st, STORE_EREADONLY, "%s: %s", doing, why);
			free(why);
			return rc;
		}
	}
	/* A full disk shows as DB_FULL, or as an I/O error whose OS errno
	 * says so (growing the -shm or -wal file failed). */
	if (prim == DB_FULL || (prim == DB_IOERR && (db_system_errno(st->db) == ENOSPC ||
							     db_system_errno(st->db) == EDQUOT)))
		return st_fail(st, STORE_EIO,
			       "%s: the disk holding %s is full (%s); nothing was saved: free some space "
			       "there and try again",
			       doing, st->dir, strerror(ENOSPC));
	if (prim == DB_CONSTRAINT)
		return st_fail(st, STORE_EINVAL, "%s: %s", doing, db_errmsg(st->db));
	if (prim == DB_CORRUPT || prim == DB_NOTADB)
		return st_fail(st, STORE_ESCHEMA,
			       "%s: %s is damaged (%s); restore it from a backup", doing, st->dbpath,
			       db_errmsg(st->db));
	return st_fail(st, STORE_EIO, "%s: %s", doing, db_errmsg(st->db));
}

/* Which of the store's files refuses this user: the folder, the
 * database, its -wal and -shm (SQLite makes those beside it).  NULL when
 * none does (a read-only mount). */
static char *readonly_culprit(struct store *st)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char *path, *why = NULL;
	size_t i;

	why = util_perm_blocker(st->dir);
	for (i = 0; why == NULL && i < 3; i++) {
		path = xasprintf("%s%s", st->dbpath, sfx[i]);
		if (access(path, F_OK) == 0)
			why = util_perm_blocker(path);
		free(path);
	}
	return why;
}

int st_readonly_fail(struct store *st, const char *doing)
{
	char *why = readonly_culprit(st);
	int rc;

	if (why)
		rc = st_fail(st, STORE_EREADONLY, "%s: the store is read-only for you: %s", doing, why);
	else
		rc = st_fail(st, STORE_EREADONLY,
			     "%s: the store %s is read-only (a read-only file system or mount?); "
			     "use a store you can write",
			     doing, st->dir);
	free(why);
	return rc;
}

char *st_file_why(const char *path, const char *doing, int e, int *code)
{
	char *who = e == EACCES || e == EPERM ? util_perm_blocker(path) : NULL, *why;

	if (who) {
		*code = STORE_EREADONLY;
		why = xasprintf("%s %s: %s", doing, path, who);
	} else {
		*code = e == EROFS || e == EACCES || e == EPERM ? STORE_EREADONLY : STORE_EIO;
		why = xasprintf("%s %s: %s%s", doing, path, strerror(e), util_write_hint(e));
	}
	free(who);
	return why;
}

int st_file_fail(struct store *st, const char *path, const char *doing)
{
	int e = errno, code;
	char *why = st_file_why(path, doing, e, &code);

	st_fail(st, code, "%s", why);
	free(why);
	errno = e;
	return code;
}

const char *store_errmsg(const struct store *st)
{
	return st->err.s;
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

const char *store_name(const struct store *st)
{
	return st->url ? st->url : st->dir;
}

const char *store_curator(const struct store *st)
{
	return st->curator;
}

const char *store_login(const struct store *st)
{
	return st->login;
}

int store_setting_get(struct store *st, const char *key, char **value)
{
	db_stmt *s;
	int rc;

	*value = NULL;
	if (store_schema_version(st) < 2)
		return 0;
	s = st_prep(st, "SELECT value FROM setting WHERE key = ?");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, key);
	rc = db_step(s);
	if (rc == DB_ROW)
		*value = st_col_text(s, 0);
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(st, rc, "reading the store's settings");
}

/* {"key": value} (null when unset) for the audit log.  Owned. */
static char *setting_json(const char *key, const char *value)
{
	json_t *j = json_object();
	char *s;

	json_object_set_new(j, key, value ? json_string(value) : json_null());
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

int store_setting_set(struct store *st, const char *key, const char *value)
{
	db_stmt *s;
	int refused = st->alias_refused, rc;
	char *old = NULL, *before, *after;

	/* Settings are the store's, not a curator's: no alias check; on
	 * PostgreSQL only its owner's (the grants refuse others too). */
	if (st_is_pg(st) && st->pg_access < PG_OWNER)
		return st_fail(st, STORE_EREADONLY,
			       "changing the store's settings: your database role '%s' may not: only the "
			       "store's owner may; ask them",
			       st->login);
	st->alias_refused = 0;
	rc = st_begin(st);
	st->alias_refused = refused;
	if (rc == 0) {
		s = st_prep(st, value ? "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)"
				      : "DELETE FROM setting WHERE key = ?");
		if (s == NULL)
			rc = STORE_EIO;
		else {
			rc = store_setting_get(st, key, &old);
			st_bind_text(s, 1, key);
			if (value)
				st_bind_text(s, 2, value);
			if (rc == 0)
				rc = st_step_done(st, s, "saving the store's settings");
		}
	}
	/* Who shared the store or allowed aliases is part of the record. */
	if (rc == 0 && !(old == NULL ? value == NULL : value && strcmp(old, value) == 0)) {
		before = setting_json(key, old);
		after = setting_json(key, value);
		rc = st_event(st, "setting", "setting", 0, 0, before, after, 0);
		free(before);
		free(after);
	}
	free(old);
	rc = st_end(st, rc);
	if (rc == 0)
		st->alias_refused = strcmp(st->curator, st->self) != 0 && !store_aliases_allowed(st);
	return rc;
}

int store_aliases_allowed(struct store *st)
{
	char *v = NULL, *shared = NULL;
	int yes;

	/* Unset: a private store has one writer and its names are labels;
	 * a shared one refuses aliases until its owner allows them. */
	store_setting_get(st, "aliases", &v);
	if (v)
		yes = strcmp(v, "on") == 0;
	else {
		store_setting_get(st, "shared", &shared);
		yes = shared == NULL;
	}
	free(v);
	free(shared);
	return yes;
}

const char *store_cache_dir(const struct store *st)
{
	util_mkdir_p(st->cache);
	return st->cache;
}

char *store_default_dir(const char *dir)
{
	const char *env;

	if (dir && *dir)
		return xstrdup(dir);
	env = getenv("LIGHTBOX_STORE");
	if (env && *env)
		return xstrdup(env);
	env = getenv("XDG_DATA_HOME");
	if (env && *env == '/')
		return xasprintf("%s/lightbox", env);
	env = getenv("HOME");
	return xasprintf("%s/.local/share/lightbox", env && *env ? env : ".");
}

db_stmt *st_prep(struct store *st, const char *sql)
{
	size_t i, victim = 0;
	db_stmt *s = NULL;
	int rc;

	/* Most SQL is a string literal: its address finds the entry, one
	 * compare confirms it (a stack buffer may hold other text by now);
	 * otherwise every entry's text is compared. */
	for (i = 0; i < st->nstmts; i++) {
		if (st->stmts[i].lit == sql && strcmp(st->stmts[i].key, sql) == 0) {
			st->stmts[i].used = ++st->tick;
			db_reset(st->stmts[i].stmt);
			db_clear_bindings(st->stmts[i].stmt);
			return st->stmts[i].stmt;
		}
	}
	for (i = 0; i < st->nstmts; i++) {
		if (strcmp(st->stmts[i].key, sql) == 0) {
			st->stmts[i].lit = sql;
			st->stmts[i].used = ++st->tick;
			db_reset(st->stmts[i].stmt);
			db_clear_bindings(st->stmts[i].stmt);
			return st->stmts[i].stmt;
		}
	}
	rc = db_prepare_v3(st->db, sql, -1, DB_PREPARE_PERSISTENT, &s, NULL);
	if (rc != DB_OK) {
		st_sqlfail(st, rc, "preparing a query");
		db_finalize(s);
		return NULL;
	}
	if (st->nstmts == ST_NSTMT) {
		for (i = 1; i < ST_NSTMT; i++)
			if (st->stmts[i].used < st->stmts[victim].used)
				victim = i;
		db_finalize(st->stmts[victim].stmt);
		if (st->stmts[victim].owned)
			free((char *)st->stmts[victim].key);
	} else {
		victim = st->nstmts++;
	}
	/* Dynamic SQL lives on the caller's stack or heap: keep our own copy. */
	st->stmts[victim].key = xstrdup(sql);
	st->stmts[victim].lit = sql;
	st->stmts[victim].owned = 1;
	st->stmts[victim].stmt = s;
	st->stmts[victim].used = ++st->tick;
	return s;
}

void st_bind_text(db_stmt *s, int i, const char *v)
{
	if (v)
		db_bind_text(s, i, v, -1, DB_TRANSIENT);
	else
		db_bind_null(s, i);
}

char *st_col_text(db_stmt *s, int i)
{
	const unsigned char *t = db_column_text(s, i);

	return xstrdup(t ? (const char *)t : "");
}

char *st_col_text_or_null(db_stmt *s, int i)
{
	const unsigned char *t = db_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

int st_step_done(struct store *st, db_stmt *s, const char *doing)
{
	int rc = db_step(s);

	if (rc != DB_DONE && rc != DB_ROW) {
		rc = st_sqlfail(st, rc, doing);
		db_reset(s);
		return rc;
	}
	db_reset(s);
	return 0;
}

int st_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	int rc = db_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != DB_OK) {
		rc = st_sqlfail(st, rc, msg ? msg : "running SQL");
		db_free(msg);
		return rc;
	}
	return 0;
}

/* BEGIN (taking the write lock), COMMIT and ROLLBACK: the dialect's. */
static int tx(struct store *st, int which)
{
	return which == TX_BEGIN ? db_begin(st->db) : which == TX_COMMIT ? db_commit(st->db) : db_rollback(st->db);
}

int store_check_curator(struct store *st)
{
	if (!st->alias_refused)
		return 0;
	if (st_is_pg(st))
		return st_fail(st, STORE_EREADONLY,
			       "saving: the curator name '%s' (LIGHTBOX_CURATOR) is not '%s', the curator of "
			       "your database role '%s', and this store does not allow aliases; unset "
			       "LIGHTBOX_CURATOR, or ask the store's owner to map your role to that name "
			       "(setting curator:%s) or run 'lightbox init --aliases on'",
			       st->curator, st->self, st->login, st->login);
	return st_fail(st, STORE_EREADONLY,
		       "saving: the curator name '%s' (LIGHTBOX_CURATOR) is not your login '%s', and "
		       "this store does not allow aliases; unset LIGHTBOX_CURATOR, or have the "
		       "store's owner run 'lightbox init --aliases on' if this account is shared on "
		       "purpose",
		       st->curator, st->login);
}

/* A SQLite store being copied (store copy, copy.c) takes no other
 * writer: its setting `copying` names the copy's process (login, pid,
 * host), read here under the write lock.  One that is gone is ignored. */
static int copy_refuses(struct store *st)
{
	char host[256] = "", *v, *pid, *at;
	const unsigned char *t;
	db_stmt *s;
	long n;
	int rc = 0;

	if (db_dialect(st->db) != DB_SQLITE ||
	    db_prepare_v2(st->db, "SELECT value FROM setting WHERE key = 'copying'", -1, &s, NULL) != DB_OK)
		return 0; /* PostgreSQL's copy holds the writers' lock; a store older than settings */
	if (db_step(s) == DB_ROW && (t = db_column_text(s, 0)) != NULL) {
		v = xstrdup((const char *)t);
		pid = strchr(v, '\t');
		at = pid ? strchr(pid + 1, '\t') : NULL;
		if (at) {
			*pid++ = '\0';
			*at++ = '\0';
			n = strtol(pid, NULL, 10);
			gethostname(host, sizeof host - 1);
			if (n > 0 && n != (long)getpid() &&
			    (strcmp(at, host) != 0 || kill((pid_t)n, 0) == 0 || errno == EPERM)) {
				char *who = util_visible_dup(v, 0), *where = util_visible_dup(at, 0);
				rc = st_fail(st, STORE_EBUSY,
					     "the store is being copied (lightbox store copy by %s, pid %ld on %s) and "
					     "takes no changes until it is done; try again then",
					     who, n, where);
				free(where);
				free(who);
			}
		}
		free(v);
	}
	db_finalize(s);
	return rc;
}

int st_begin(struct store *st)
{
	int rc, tries;

	if (st->depth > 0) {
		st->depth++;
		return 0;
	}
	if (st->readonly)
		return st_sqlfail(st, DB_READONLY, "saving");
	if (st->alias_refused)
		return store_check_curator(st);
	/* BEGIN IMMEDIATE takes the write lock up front, so two writers never
	 * deadlock upgrading a read; the busy timeout waits for the other. */
	for (tries = 0;;) {
		rc = tx(st, TX_BEGIN);
		if ((rc & 0xff) != DB_BUSY || ++tries >= st->busy_tries)
			break;
	}
	if (rc != DB_OK)
		return st_sqlfail(st, rc, "starting a change");
	rc = copy_refuses(st);
	if (rc) {
		tx(st, TX_ROLLBACK);
		return rc;
	}
	st->depth = 1;
	st->failed = 0;
	st->group = 0;
	return 0;
}

/* 1 when the list "1,2,3" (NULL: empty) has id. */
static int list_has_id(const char *list, long long id)
{
	char *end;

	while (list && *list) {
		if (strtoll(list, &end, 10) == id)
			return 1;
		list = *end == ',' ? end + 1 : NULL;
	}
	return 0;
}

/* What this commit's NOTIFY says (PostgreSQL, issue 18): "KINDS;BRIEFS",
 * the actions of the events the transaction wrote (from its first,
 * st->group) and the briefs they touched, "*" when one touched no single
 * brief (a project, a setting, an undo); ";" when it wrote none (job
 * bookkeeping).  One query, under the write lock, before COMMIT. */
#define NOTIFY_MAX 2000
#define EVENT_BRIEF "CASE WHEN e.entity = 'brief' THEN e.entity_id ELSE c.brief_id END"
static void notify_payload(struct store *st)
{
	struct sbuf kinds, briefs;
	const char *a;
	char *last = NULL;
	db_stmt *s = NULL;
	int all = 0;

	sb_init(&kinds);
	sb_init(&briefs);
	if (st->group)
		s = st_prep(st, "SELECT DISTINCT e.action, " EVENT_BRIEF " FROM event e"
				" LEFT JOIN candidate c ON c.id = CASE WHEN e.entity = 'candidates'"
				" THEN e.entity_id ELSE e.candidate_id END"
				" WHERE e.id >= ?1 ORDER BY 1, 2");
	if (s) {
		db_bind_int64(s, 1, st->group);
		while (db_step(s) == DB_ROW) {
			a = (const char *)db_column_text(s, 0);
			if (a && (last == NULL || strcmp(last, a) != 0)) {
				if (kinds.len < NOTIFY_MAX)
					sb_addf(&kinds, "%s%s", kinds.len ? "," : "", a);
				free(last);
				last = xstrdup(a);
			}
			if (db_column_type(s, 1) == DB_NULL || briefs.len >= NOTIFY_MAX)
				all = 1;
			else if (!list_has_id(briefs.s, db_column_int64(s, 1)))
				sb_addf(&briefs, "%s%lld", briefs.len ? "," : "",
					(long long)db_column_int64(s, 1));
		}
		db_reset(s);
	} else if (st->group)
		all = 1;
	free(last);
	sb_addf(&kinds, ";%s", all ? "*" : briefs.s ? briefs.s : "");
	db_notify_payload(st->db, kinds.s);
	sb_free(&kinds);
	sb_free(&briefs);
}

int st_end(struct store *st, int code)
{
	int rc;

	/* The usual shape is rc = st_begin(); if (rc == 0) ...; st_end(rc):
	 * when the begin failed there is nothing to end, only its failure. */
	if (st->depth <= 0 && code != 0)
		return code;
	if (st->depth <= 0)
		fatal("st_end without st_begin");
	if (code != 0)
		st->failed = 1;
	if (--st->depth > 0)
		return code;
	if (st->failed) {
		tx(st, TX_ROLLBACK);
		st->group = 0;
		return code ? code : STORE_EIO;
	}
	st->last_event = 0;
	if (st->track_events && st->group) {
		/* We hold the write lock: the newest event is our last one. */
		db_stmt *s = st_prep(st, "SELECT max(id) FROM event");
		if (s && db_step(s) == DB_ROW)
			st->last_event = db_column_int64(s, 0);
		if (s)
			db_reset(s);
	}
	if (st_is_pg(st))
		notify_payload(st);
	rc = tx(st, TX_COMMIT);
	st->last_group = rc == DB_OK ? st->group : 0;
	if (rc != DB_OK)
		st->last_event = 0;
	st->group = 0;
	if (rc != DB_OK) {
		code = st_sqlfail(st, rc, "saving");
		tx(st, TX_ROLLBACK);
		return code;
	}
	return 0;
}

int st_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int st_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int st_savepoint(struct store *st)
{
	if (st->depth <= 0)
		fatal("st_savepoint outside a transaction");
	if (st->failed)
		return st_fail(st, STORE_EIO, "the batch already failed");
	return st_exec(st, "SAVEPOINT lb_item");
}

int st_savepoint_end(struct store *st, int keep)
{
	int rc;

	if (keep && !st->failed)
		return st_exec(st, "RELEASE lb_item");
	rc = st_exec(st, "ROLLBACK TO lb_item");
	if (rc == 0)
		rc = st_exec(st, "RELEASE lb_item");
	/* The failure is undone with the savepoint; the batch goes on. */
	if (rc == 0)
		st->failed = 0;
	return rc;
}

int store_batch_begin(struct store *st, const char *label)
{
	int rc = st_begin(st);

	if (rc == 0 && st->depth == 1) {
		free(st->batch_label);
		st->batch_label = xstrdup(label);
	}
	return rc;
}

int store_batch_begin_group(struct store *st, const char *label, int64_t group)
{
	int rc;

	if (st->depth > 0)
		return st_fail(st, STORE_EINVAL, "a bulk change's chunk cannot start inside a batch");
	rc = store_batch_begin(st, label);
	if (rc == 0)
		st->group = group; /* st_event joins the events to it */
	return rc;
}

int64_t store_batch_last_group(const struct store *st)
{
	return st->last_group;
}

void store_track_events(struct store *st, int on)
{
	st->track_events = on;
}

int64_t store_last_commit_event(const struct store *st)
{
	return st->last_event;
}

void store_set_busy(struct store *st, int timeout_ms, int tries)
{
	st->busy_ms = timeout_ms;
	st->busy_tries = tries > 0 ? tries : 1;
	db_lock_timeout(st->db, timeout_ms);
}

/* SQLite's own busy timeout, plus telling on_wait once per wait that
 * lasts a second: a command that waits says for whom. */
static int busy_handler(void *arg, int count)
{
	static const int delays[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
	struct store *st = arg;
	int d = delays[count < 11 ? count : 11];

	if (count == 0) {
		st->busy_slept = 0;
		st->busy_told = 0;
	}
	if (st->busy_slept >= st->busy_ms)
		return 0;
	if (st->busy_slept + d > st->busy_ms)
		d = st->busy_ms - st->busy_slept;
	if (st->on_wait && !st->busy_told && st->busy_slept >= WAIT_TELL_MS) {
		char *who = store_lock_holder(st);
		st->busy_told = 1;
		st->on_wait(st->on_wait_arg, who);
		free(who);
	}
	db_sleep(d);
	st->busy_slept += d;
	return 1;
}

void store_on_wait(struct store *st, void (*fn)(void *arg, const char *holder), void *arg)
{
	st->on_wait = fn;
	st->on_wait_arg = arg;
}

/* ------------------------------------------------------------ announcements */

enum { ANNOUNCE_MAX = 200 };

int store_announce(struct store *st, const char *what)
{
	char *text, *login;
	int rc;

	store_announce_end(st);
	if (util_mkdir_p(st->cache) < 0)
		return -1;
	st->announced = xasprintf("%s/writer-%ld", st->cache, (long)getpid());
	login = util_curator();
	text = xasprintf("%s\t%ld\t%.*s\n", login, (long)getpid(), ANNOUNCE_MAX, what);
	rc = util_write_atomic(st->announced, text, strlen(text));
	free(login);
	free(text);
	if (rc != 0)
		xfree(&st->announced);
	return rc == 0 ? 0 : -1;
}

void store_announce_end(struct store *st)
{
	if (st->announced) {
		unlink(st->announced);
		xfree(&st->announced);
	}
}

/* "what by login (pid N)" from an announcement file, or NULL when the
 * file is not one or its process is gone. */
static char *read_announcement(const char *path)
{
	char buf[512], *login, *pid, *what, *nl, *out = NULL;
	FILE *f = fopen(path, "r");
	long n;

	if (f == NULL)
		return NULL;
	if (fgets(buf, sizeof buf, f) != NULL) {
		nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
		login = buf;
		pid = strchr(login, '\t');
		what = pid ? strchr(pid + 1, '\t') : NULL;
		if (what) {
			*pid++ = '\0';
			*what++ = '\0';
			n = strtol(pid, NULL, 10);
			if (n > 0 && (kill((pid_t)n, 0) == 0 || errno == EPERM))
				out = xasprintf("%s by %s (pid %ld)", what, login, n);
			else if (n > 0 && errno == ESRCH)
				unlink(path); /* stale: its writer died */
		}
	}
	fclose(f);
	if (out) {
		char *v = util_visible_dup(out, 0);
		free(out);
		out = v;
	}
	return out;
}

char *store_lock_holder(struct store *st)
{
	DIR *d = opendir(st->cache);
	struct dirent *e;
	char *path, *who = NULL, mine[32];

	if (d == NULL)
		return NULL;
	snprintf(mine, sizeof mine, "writer-%ld", (long)getpid());
	while (who == NULL && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "writer-", 7) != 0 || strcmp(e->d_name, mine) == 0 ||
		    strchr(e->d_name, '.'))
			continue;
		path = xasprintf("%s/%s", st->cache, e->d_name);
		who = read_announcement(path);
		free(path);
	}
	closedir(d);
	return who;
}

int store_batch_end(struct store *st, int commit)
{
	int rc;

	if (st->depth <= 0)
		return st_fail(st, STORE_EINVAL, "no batch is open");
	rc = st_end(st, commit ? 0 : STORE_EINVAL);
	if (st->depth == 0)
		xfree(&st->batch_label);
	if (!commit && rc == STORE_EINVAL)
		rc = 0;
	return rc;
}

int st_exists(struct store *st, const char *table, int64_t id)
{
	char sql[96];
	db_stmt *s;
	int rc;

	snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id = ?", table);
	s = st_prep(st, sql);
	if (s == NULL)
		return STORE_EIO;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	db_reset(s);
	if (rc == DB_ROW)
		return 0;
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, "looking up an id");
	return st_fail(st, STORE_ENOTFOUND, "no %s with id %lld; list them with 'lightbox %s ls'",
		       strcmp(table, "brief_revision") == 0 ? "brief revision" : table, (long long)id,
		       strcmp(table, "brief_revision") == 0 ? "brief" : table);
}

int st_get_row(struct store *st, db_stmt *s, st_row_fn row, void *out, const char *table, int64_t id,
	       const char *doing)
{
	int rc = db_step(s);

	if (rc == DB_ROW)
		row(s, out);
	db_reset(s);
	if (rc == DB_ROW)
		return 0;
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, doing);
	return st_exists(st, table, id);
}

void st_row_int0(db_stmt *s, void *out)
{
	*(int64_t *)out = db_column_int64(s, 0);
}

void st_row_text0(db_stmt *s, void *out)
{
	*(char **)out = st_col_text(s, 0);
}

int st_list_rows(struct store *st, db_stmt *s, st_row_fn row, void **v, size_t *n, size_t size,
		 const char *doing)
{
	size_t cap = *n;
	int rc;

	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*v = xrealloc(*v, cap * size);
		}
		memset((char *)*v + *n * size, 0, size);
		row(s, (char *)*v + (*n)++ * size);
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : st_sqlfail(st, rc, doing);
}

/* One row, one integer column: *v, or the failure of `doing`. */
static int one_int(struct store *st, const char *sql, const char *doing, int64_t *v)
{
	db_stmt *s = st_prep(st, sql);
	int rc;

	if (s == NULL)
		return STORE_EIO;
	rc = db_step(s);
	if (rc != DB_ROW) {
		db_reset(s);
		return st_sqlfail(st, rc, doing);
	}
	*v = db_column_int64(s, 0);
	db_reset(s);
	return 0;
}

int store_event_last(struct store *st, int64_t *id)
{
	return one_int(st, "SELECT coalesce(max(id), 0) FROM event", "checking for changes", id);
}

int store_change_fd(struct store *st)
{
	return db_change_fd(st->db);
}

void store_changes_heard(struct store *st, struct store_heard *out)
{
	struct db_heard h;

	_Static_assert(sizeof out->brief == sizeof h.brief && sizeof out->kinds == sizeof h.kinds,
		       "store_heard is db_heard");
	db_changes_heard(st->db, &h);
	out->all = h.all;
	out->n = h.n;
	memcpy(out->brief, h.brief, sizeof out->brief);
	memcpy(out->kinds, h.kinds, sizeof out->kinds);
}

int store_data_version(struct store *st, int64_t *v)
{
	int rc = db_data_version(st->db, v);

	return rc == DB_OK ? 0 : st_sqlfail(st, rc, "checking for changes");
}

static int pragma_int(struct db *db, const char *sql, int *out)
{
	db_stmt *s;
	int rc = db_prepare_v2(db, sql, -1, &s, NULL);

	if (rc != DB_OK)
		return rc;
	rc = db_step(s);
	if (rc == DB_ROW) {
		*out = db_column_int(s, 0);
		rc = DB_OK;
	}
	db_finalize(s);
	return rc;
}

int store_schema_version(struct store *st)
{
	int v = 0;

	db_schema_version(st->db, &v);
	return v;
}

int store_id(struct store *st, char id[33])
{
	char *v = NULL;
	int rc = store_setting_get(st, "id", &v);

	id[0] = '\0';
	if (rc == 0 && v && strlen(v) == 32 && strspn(v, "0123456789abcdef") == 32)
		memcpy(id, v, 33);
	free(v);
	if (rc)
		return rc;
	return id[0] ? 0
		     : st_fail(st, STORE_EIO, "the store %s has no id among its settings; it is damaged",
			       st->dir);
}

static int check_identity(struct store *st)
{
	int app = 0, ver = 0, tables = 0, rc;

	rc = pragma_int(st->db, "PRAGMA application_id", &app);
	if (rc == DB_OK)
		rc = pragma_int(st->db, "PRAGMA user_version", &ver);
	if (rc == DB_OK)
		rc = pragma_int(st->db, "SELECT count(*) FROM sqlite_schema", &tables);
	if (rc != DB_OK) {
		if ((rc & 0xff) == DB_NOTADB)
			return st_fail(st, STORE_ESCHEMA,
				       "%s is not a lightbox store (not an SQLite database); "
				       "use another folder with --store, or run 'lightbox init' in an empty one",
				       st->dbpath);
		return st_sqlfail(st, rc, "reading the store");
	}
	if (app != LB_APPLICATION_ID && (tables > 0 || app != 0))
		return st_fail(st, STORE_ESCHEMA,
			       "%s is an SQLite database but not a lightbox store; "
			       "use another folder with --store",
			       st->dbpath);
	if (ver > STORE_SCHEMA_VERSION)
		return st_fail(st, STORE_ESCHEMA,
			       "%s has schema version %d, newer than this lightbox understands (%d); "
			       "upgrade lightbox to use it",
			       st->dbpath, ver, STORE_SCHEMA_VERSION);
	return 0;
}

/* SQLite makes -wal and -shm with the database's mode: when that is
 * wrong (0644 in a shared store), a member's -wal would lock the others
 * out.  Ours get the store's mode at once.  Cheap: two stats. */
static void fix_wal_modes(struct store *st)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	struct stat sb;
	mode_t file, dir;
	gid_t gid;
	size_t i;
	char *path;

	/* By path, never by opening them: closing any descriptor of a file
	 * drops every POSIX lock this process holds on it, SQLite's too, and
	 * another process may then truncate the -shm under our mapping
	 * (SIGBUS, seen in tests/reliability/concurrent.sh). */
	for (i = 0; i < 2; i++) {
		path = xasprintf("%s%s", st->dbpath, sfx[i]);
		util_perm_of(path, &file, &dir, &gid);
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid()) {
			if (gid != (gid_t)-1 && sb.st_gid != gid)
				(void)chown(path, (uid_t)-1, gid);
			if ((sb.st_mode & 07777) != file)
				(void)chmod(path, file);
		}
		free(path);
	}
}

/* A new store: its folder (private, 0700, unless it was made ready to
 * share: group-writable) and an empty lightbox.db with the mode the folder
 * calls for.  SQLite gives -wal and -shm the database's mode, whatever
 * the umask of whoever makes them. */
static int make_db(struct store *st)
{
	struct stat sb;
	int made = stat(st->dir, &sb) < 0, fd, code = 0;
	char *why = NULL;

	if (util_mkdir_p(st->dir) < 0 || stat(st->dir, &sb) < 0) {
		why = errno == EACCES ? util_perm_blocker(st->dir) : NULL;
		if (why)
			code = st_fail(st, STORE_EREADONLY, "cannot create the store folder: %s", why);
		else
			code = st_fail(st, errno == EACCES || errno == EROFS ? STORE_EREADONLY : STORE_EIO,
				       "cannot create the store folder %s: %s", st->dir, strerror(errno));
		free(why);
		return code;
	}
	if ((made || !(sb.st_mode & S_IWGRP)) && sb.st_uid == geteuid() && (sb.st_mode & 07777) != 0700)
		chmod(st->dir, 0700);
	util_perm_store(st->dir);
	fd = util_perm_open(st->dbpath, O_RDWR | O_EXCL);
	if (fd < 0 && errno != EEXIST) {
		why = errno == EACCES ? util_perm_blocker(st->dbpath) : NULL;
		if (why)
			code = st_fail(st, STORE_EREADONLY, "cannot create the store: %s", why);
		else
			code = st_fail(st, errno == EROFS ? STORE_EREADONLY : STORE_EIO, "cannot create %s: %s",
				       st->dbpath, strerror(errno));
		free(why);
		return code;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

void st_rules_default(struct store *st)
{
	st->stack_distance = st_stack_distance_default();
	st->dispute_gap = LB_DISPUTE_GAP;
	st->dispute_bt_gap = LB_DISPUTE_BT_GAP;
}

int store_open(const char *dir, const struct store_options *opt, struct store **out, char **err)
{
	static const struct store_options defaults;
	struct store *st;
	struct stat sb;
	int rc, flags, code;
	char *name;

	*out = NULL;
	*err = NULL;
	if (opt == NULL)
		opt = &defaults;
	name = store_default_dir(dir);
	if (db_is_url(name)) {
		code = st_open_pg(name, opt, out, err);
		free(name);
		return code;
	}
	st = xcalloc(1, sizeof *st);
	sb_init(&st->err);
	st->dir = name;
	st->dbpath = xasprintf("%s/lightbox.db", st->dir);
	st->cache = xasprintf("%s/cache", st->dir);
	st->curator = opt->curator ? xstrdup(opt->curator) : util_curator();
	st_rules_default(st);
	st->login = util_login();
	st->self = xstrdup(st->login);

	if (stat(st->dbpath, &sb) < 0 && errno != ENOENT) {
		char *why = errno == EACCES ? util_perm_blocker(st->dbpath) : NULL;

		code = st_fail(st, errno == EACCES ? STORE_EREADONLY : STORE_EIO, "cannot open the store at %s: %s",
			       st->dir, why ? why : strerror(errno));
		free(why);
		goto fail;
	}
	if (stat(st->dbpath, &sb) < 0) {
		if (!opt->create) {
			code = st_fail(st, STORE_ENOSTORE,
				       "no lightbox store at %s; create one with 'lightbox init' "
				       "(or choose another with --store DIR or LIGHTBOX_STORE)",
				       st->dir);
			goto fail;
		}
		code = make_db(st);
		if (code)
			goto fail;
	} else if (!S_ISREG(sb.st_mode)) {
		code = st_fail(st, STORE_ESCHEMA, "%s is not a file; is --store pointing at the right folder?",
			       st->dbpath);
		goto fail;
	}

	util_perm_store(st->dir);
	flags = opt->readonly ? DB_OPEN_READONLY : DB_OPEN_READWRITE | DB_OPEN_CREATE;
	rc = db_open_v2(st->dbpath, &st->db, flags | DB_OPEN_NOMUTEX, NULL);
	if (rc != DB_OK) {
		st->readonly = access(st->dir, W_OK) != 0;
		code = st_sqlfail(st, rc, "opening the store");
		goto fail;
	}
	db_extended_result_codes(st->db, 1);
	st->busy_ms = BUSY_TIMEOUT_MS;
	st->busy_tries = BUSY_TRIES;
	db_busy_handler(st->db, busy_handler, st);
	st->readonly = opt->readonly || db_db_readonly(st->db, "main") == 1;
	code = check_identity(st);
	fix_wal_modes(st);
	if (code)
		goto fail;
	if (!st->readonly) {
		rc = db_exec(st->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (rc != DB_OK) {
			if ((rc & 0xff) == DB_READONLY || (rc & 0xff) == DB_CANTOPEN)
				st->readonly = 1;
			else {
				code = st_sqlfail(st, rc, "opening the store");
				goto fail;
			}
		}
	}
	st_exec(st, "PRAGMA foreign_keys=ON");
	st_exec(st, opt->sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
	st_exec(st, "PRAGMA temp_store=MEMORY");
	st_exec(st, "PRAGMA cache_size=-8000");
	code = st_schema_migrate(st);
	if (code)
		goto fail;
	st->alias_refused = strcmp(st->curator, st->self) != 0 && !store_aliases_allowed(st);
	*out = st;
	return 0;
fail:
	*err = xstrdup(st->err.s);
	store_close(&st);
	return code;
}

void store_close(struct store **pst)
{
	struct store *st = *pst;
	size_t i;

	if (st == NULL)
		return;
	if (st->db && st->depth > 0)
		tx(st, TX_ROLLBACK);
	store_announce_end(st);
	for (i = 0; i < st->nstmts; i++) {
		db_finalize(st->stmts[i].stmt);
		if (st->stmts[i].owned)
			free((char *)st->stmts[i].key);
	}
	st_stack_cache_free(st);
	free(st->stars_key);
	if (st->db) {
		int lite = db_dialect(st->db) == DB_SQLITE;

		db_close(st->db);
		/* A read-only connection leaves -wal and -shm behind. */
		if (lite)
			fix_wal_modes(st);
	}
	free(st->dir);
	free(st->dbpath);
	free(st->cache);
	free(st->curator);
	free(st->login);
	free(st->self);
	free(st->batch_label);
	free(st->url);
	sb_free(&st->err);
	free(st);
	*pst = NULL;
}
