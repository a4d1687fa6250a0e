/*
 * store-pg.c - opening a store that lives in PostgreSQL (issue 18).
 *
 * `--store postgresql://[user@]host/db` (or LIGHTBOX_STORE) names the
 * database; the asset folder, a path every server mounts, is given by
 * `--assets DIR` / LIGHTBOX_ASSETS and recorded in the store (setting
 * `assets`) by init, so later commands find it.  That folder plays the
 * part of a SQLite store's folder for files: assets/ (content-addressed
 * as ever) and cache/ under it.  Everything after opening is store.c's,
 * through the PostgreSQL dialect of the db layer (db-pg.c).
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store-private.h"

int st_is_pg(const struct store *st)
{
	return st->db && db_dialect(st->db) == DB_PG;
}

int store_is_url(const char *name)
{
	return db_is_url(name);
}

/* The URL without a password (user:secret@ and password=...), for messages. */
static char *redact(const char *url)
{
	const char *scheme = strstr(url, "://"), *at, *colon, *q;
	struct sbuf b;

	sb_init(&b);
	if (scheme == NULL) {
		sb_adds(&b, url);
		return sb_steal(&b);
	}
	scheme += 3;
	at = strchr(scheme, '@');
	colon = strchr(scheme, ':');
	q = strpbrk(scheme, "/?");
	if (at && colon && colon < at && (q == NULL || at < q)) {
		sb_add(&b, url, (size_t)(colon - url));
		url = at;
	}
	while (*url) {
		if ((url[0] == '?' || url[0] == '&') && strncmp(url + 1, "password=", 9) == 0) {
			sb_addc(&b, url[0]);
			sb_adds(&b, "password=...");
			url += 10;
			url += strcspn(url, "&");
			continue;
		}
		sb_addc(&b, *url++);
	}
	return sb_steal(&b);
}

char *store_url_safe(const char *name)
{
	return redact(name);
}

int st_pg_fail(struct store *st, int rc, const char *doing)
{
	const char *msg = db_errmsg(st->db);

	/* A caller that passed a plain DB_ERROR: the refusal is the server's. */
	if ((rc & 0xff) == DB_ERROR && (db_errcode(st->db) & 0xff) == DB_PERM)
		rc = DB_PERM;
	switch (rc & 0xff) {
	case DB_CONSTRAINT:
		return st_fail(st, STORE_EINVAL, "%s: %s", doing, msg);
	case DB_PERM:
		/* What it lacks follows from what it has (read at opening: an
		 * aborted transaction can ask nothing now); before that (an
		 * upgrade while opening) the role is not known yet. */
		if (st->pg_access < 0)
			return st_fail(st, STORE_EREADONLY,
				       "%s: your database role may not do that (PostgreSQL: %s): it needs the "
				       "store's owner's rights; ask the store's owner",
				       doing, msg);
		return st_fail(st, STORE_EREADONLY,
			       "%s: your database role '%s' may not do that (PostgreSQL: %s): it needs %s; ask "
			       "the store's owner",
			       doing, st->login, msg,
			       st->pg_access >= PG_CURATOR ? "the store's owner's rights"
			       : st->pg_access == PG_REVIEWER ? "lightbox_curator"
							       : "lightbox_reviewer or lightbox_curator");
	case DB_READONLY:
		return st_fail(st, STORE_EREADONLY,
			       "%s: the PostgreSQL store %s is read-only here (%s); use a server that takes "
			       "writes",
			       doing, st->dbpath, *msg ? msg : "a read-only connection");
	case DB_IOERR:
		return st_fail(st, STORE_EIO, "%s: the connection to %s failed (%s); check the server and try again",
			       doing, st->dbpath, msg);
	case DB_CORRUPT:
		return st_fail(st, STORE_ESCHEMA, "%s: PostgreSQL reports damage in %s (%s)", doing, st->dbpath,
			       msg);
	default:
		return st_fail(st, STORE_EIO, "%s: %s", doing, msg);
	}
}

/* Records the assets folder (setting `assets`) when the store is made:
 * part of making it, like its id, so no event. */
static int record_assets(struct store *st, const char *dir)
{
	db_stmt *s;
	int refused = st->alias_refused, rc;

	st->alias_refused = 0;
	rc = st_begin(st);
	st->alias_refused = refused;
	if (rc)
		return rc;
	s = st_prep(st, "INSERT OR IGNORE INTO setting (key, value) VALUES ('assets', ?)");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	st_bind_text(s, 1, dir);
	return st_end(st, st_step_done(st, s, "recording the assets folder"));
}

/* The assets folder: $LIGHTBOX_ASSETS, else the store's setting; with
 * create, made and recorded when the store has none.  Owned, absolute. */
static int assets_dir(struct store *st, int create, char **out)
{
	const char *env = getenv("LIGHTBOX_ASSETS");
	char *rec = NULL, real[PATH_MAX];
	int rc;

	*out = NULL;
	rc = store_setting_get(st, "assets", &rec);
	if (rc)
		return rc;
	if (env && *env) {
		struct stat sb;
		int made = create && stat(env, &sb) < 0 && errno == ENOENT;

		if (create && util_mkdir_p(env) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot create the assets folder %s: %s", env, strerror(errno));
			free(rec);
			return rc;
		}
		/* A new assets folder is private to its owner, as a new
		 * SQLite store's folder is (init --shared GROUP shares it). */
		if (made)
			chmod(env, 0700);
		if (realpath(env, real) == NULL) {
			rc = st_fail(st, STORE_ENOSTORE,
				     "the assets folder %s (LIGHTBOX_ASSETS or --assets) cannot be used: %s", env,
				     strerror(errno));
			free(rec);
			return rc;
		}
		if (create && rec == NULL) {
			rc = record_assets(st, real);
			if (rc) {
				free(rec);
				return rc;
			}
		}
		free(rec);
		*out = xstrdup(real);
		return 0;
	}
	if (rec == NULL)
		return st_fail(st, STORE_ENOSTORE,
			       "the PostgreSQL store %s has no assets folder; give one with --assets DIR (or "
			       "LIGHTBOX_ASSETS): a folder every server mounts at the same path",
			       st->dbpath);
	*out = rec;
	return 0;
}

/* Who the connection is (issue 18): event.login is the database role
 * (current_user), the curator name is LIGHTBOX_CURATOR, else the role's
 * mapped name (the setting curator:ROLE, the owner's), else the role;
 * an alias is a curator name other than the role's.  Its access: the
 * owner of the store's tables (or a superuser), a member of
 * lightbox_curator or of lightbox_reviewer, or none. */
static int pg_identity(struct store *st, const struct store_options *opt)
{
	const char *env = getenv("LIGHTBOX_CURATOR");
	const unsigned char *t;
	db_stmt *s;
	int rc;

	s = st_prep(st, "SELECT current_user,"
			" (SELECT value FROM setting WHERE key = 'curator:' || current_user),"
			" pg_has_role(current_user, (SELECT tableowner FROM pg_tables WHERE"
			" schemaname = current_schema() AND tablename = 'setting'), 'USAGE'),"
			" pg_has_role(current_user, 'lightbox_curator', 'USAGE'),"
			" pg_has_role(current_user, 'lightbox_reviewer', 'USAGE')");
	if (s == NULL)
		return STORE_EIO;
	rc = db_step(s);
	if (rc == DB_ROW) {
		free(st->login);
		free(st->self);
		st->login = st_col_text(s, 0);
		t = db_column_text(s, 1);
		st->self = xstrdup(t && *t ? (const char *)t : st->login);
#define YES(i) ((t = db_column_text(s, i)) != NULL && (*t == 't' || *t == '1'))
		st->pg_access = PG_NONE;
		if (YES(2))
			st->pg_access = PG_OWNER;
		else if (YES(3))
			st->pg_access = PG_CURATOR;
		else if (YES(4))
			st->pg_access = PG_REVIEWER;
#undef YES
		if (opt->curator == NULL && !(env && *env)) {
			free(st->curator);
			st->curator = xstrdup(st->self);
		}
	}
	db_reset(s);
	return rc == DB_ROW ? 0 : st_sqlfail(st, rc, "reading who you are in the store");
}

int st_open_pg(const char *url, const struct store_options *opt, struct store **out, char **err)
{
	struct store *st = xcalloc(1, sizeof *st);
	char *msg = NULL, *dir = NULL;
	int code, v = 0;

	sb_init(&st->err);
	st_rules_default(st); /* as store.c's open */
	st->dbpath = redact(url);
	st->url = xstrdup(url);
	st->dir = xstrdup(st->dbpath); /* until the assets folder is known */
	st->cache = xstrdup("/nonexistent");
	st->curator = opt->curator ? xstrdup(opt->curator) : util_curator();
	st->login = util_login();
	st->self = xstrdup(st->login);
	st->pg_access = -1; /* not known before the schema is: an upgrade is the owner's */
	if (db_open_pg(url, &st->db, &msg) != DB_OK) {
		code = st_fail(st, STORE_ENOSTORE,
			       "cannot reach the PostgreSQL store %s: %s; check the URL, and that the server "
			       "runs and lets you in",
			       st->dbpath, msg);
		free(msg);
		goto fail;
	}
	store_set_busy(st, 10000, 5);
	st->readonly = opt->readonly || db_db_readonly(st->db, "main");
	if (db_schema_version(st->db, &v) != DB_OK) {
		db_stmt *s;

		if (strstr(db_errmsg(st->db), "permission denied") &&
		    db_prepare_v2(st->db, "SELECT current_user", -1, &s, NULL) == DB_OK) {
			char *role = db_step(s) == DB_ROW ? st_col_text(s, 0) : NULL;

			db_finalize(s);
			code = st_fail(st, STORE_EREADONLY,
				       "your database role '%s' may not read the store %s: it needs "
				       "lightbox_reviewer or lightbox_curator; ask the store's owner",
				       role ? role : "?", st->dbpath);
			free(role);
			goto fail;
		}
		code = st_sqlfail(st, DB_ERROR, "reading the store");
		goto fail;
	}
	if (v == 0 && !opt->create) {
		code = st_fail(st, STORE_ENOSTORE,
			       "no lightbox store in the PostgreSQL database %s; create one with 'lightbox "
			       "--store URL --assets DIR init'",
			       st->dbpath);
		goto fail;
	}
	if (v > STORE_SCHEMA_VERSION) {
		code = st_fail(st, STORE_ESCHEMA,
			       "%s has schema version %d, newer than this lightbox understands (%d); upgrade "
			       "lightbox to use it",
			       st->dbpath, v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	code = st_schema_migrate(st);
	if (code)
		goto fail;
	code = assets_dir(st, opt->create, &dir);
	if (code)
		goto fail;
	free(st->dir);
	free(st->cache);
	st->dir = dir;
	st->cache = xasprintf("%s/cache", dir);
	util_perm_store(st->dir);
	code = pg_identity(st, opt);
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

/* ------------------------------------------------------------ runners */

/* Runners' locks are two-key advisory locks (19522 is "LB"; the write
 * lock is a one-key one, another space), keyed by a hash of the id. */
#define RUNNER_LOCK(fn) "SELECT " fn "(19522, hashtext(?1))"

int store_runner_hold(struct store *st, const char *id)
{
	db_stmt *s;
	int rc, got;

	if (!st_is_pg(st))
		return 0;
	s = st_prep(st, RUNNER_LOCK("pg_try_advisory_lock"));
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, id);
	rc = db_step(s);
	got = rc == DB_ROW && db_column_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		return st_sqlfail(st, rc, "taking the runner's lock");
	return got ? 1 : st_fail(st, STORE_EBUSY, "the runner id %s is taken", id);
}

int store_runner_alive(struct store *st, const char *id)
{
	db_stmt *s;
	int rc, free_ = 0;

	if (!st_is_pg(st))
		return -1;
	/* Free when this connection can take it: then it was a dead
	 * runner's, and is let go at once. */
	s = st_prep(st, RUNNER_LOCK("pg_try_advisory_lock"));
	if (s == NULL)
		return 1; /* cannot tell: alive, so its jobs are left alone */
	st_bind_text(s, 1, id);
	rc = db_step(s);
	free_ = rc == DB_ROW && db_column_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		return 1;
	if (free_) {
		s = st_prep(st, RUNNER_LOCK("pg_advisory_unlock"));
		if (s) {
			st_bind_text(s, 1, id);
			db_step(s);
			db_reset(s);
		}
	}
	return !free_;
}
