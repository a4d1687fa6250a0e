/*
 * store-open.h - a store handle: its errors, opening, settings, the modes
 * of its files, transactions (batches) and the busy policy (store/store.c,
 * store/modes.c).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_OPEN_H
#define LB_STORE_OPEN_H

#include <stddef.h>
#include <stdint.h>

struct store;

enum store_err {
	STORE_OK = 0,
	STORE_EINVAL = -1,   /* a bad value from the caller (stars 7, empty name) */
	STORE_ENOTFOUND = -2,/* an unknown id */
	STORE_EIO = -3,      /* disk, SQLite or file system failure */
	STORE_EBUSY = -4,    /* the database stayed locked past the retries */
	STORE_EREADONLY = -5,/* the store cannot be written */
	STORE_ESCHEMA = -6,  /* not a lightbox store, or a newer schema */
	STORE_ECONFLICT = -7,/* undo/redo found the entity changed since */
	STORE_ENOSTORE = -8, /* no store at that path (run lightbox init) */
	STORE_EEMPTY = -9,   /* nothing to undo / redo */
};

#define STORE_SCHEMA_VERSION 11

/* ------------------------------------------------------------ opening */

struct store_options {
	int create;     /* create the folder and database if missing */
	int readonly;   /* open read-only (no migrations) */
	int sync_full;  /* PRAGMA synchronous=FULL: power-loss durability */
	const char *curator; /* NULL: util_curator() */
};

/* The store folder to use: dir if given, else $LIGHTBOX_STORE, else
 * $XDG_DATA_HOME/lightbox, else ~/.local/share/lightbox.  Owned. */
char *store_default_dir(const char *dir);

/* 1 when name is a postgresql:// (or postgres://) URL: the store is in
 * that PostgreSQL database, its assets in $LIGHTBOX_ASSETS or the folder
 * recorded by init (issue 18). */
int store_is_url(const char *name);
/* name for a message: a URL without its password (owned). */
char *store_url_safe(const char *name);

/* Opens (and with create, makes) the store in dir, migrating an older
 * schema.  On failure *out is NULL, *err holds an owned message and the
 * return is a STORE_E* code. */
int store_open(const char *dir, const struct store_options *opt, struct store **out, char **err);
void store_close(struct store **st);

const char *store_errmsg(const struct store *st);
const char *store_dir(const struct store *st);
/* What store_open needs to open this store again (another thread's
 * connection, a runner): its folder, or its PostgreSQL URL. */
const char *store_name(const struct store *st);
const char *store_curator(const struct store *st);
/* The Unix login of this process, recorded with every event. */
const char *store_login(const struct store *st);
/* Store settings (table `setting`): "aliases" ("on"/"off": whether a
 * curator name may differ from the login; unset: on, off once the store
 * is shared) and "shared" (the group of a shared store).  *value is owned,
 * NULL when unset. */
int store_setting_get(struct store *st, const char *key, char **value);
int store_setting_set(struct store *st, const char *key, const char *value);
/* Whether this store lets the curator name differ from the login. */
int store_aliases_allowed(struct store *st);
/* 0 when this store takes changes under the curator name it was opened with;
 * else STORE_EREADONLY, store_errmsg() saying why (an alias the store does
 * not allow) and what to do. */
int store_check_curator(struct store *st);
/* Path of the cache folder (dir/cache), created on demand. */
const char *store_cache_dir(const struct store *st);
/* A descriptor to poll beside the terminal: readable when another
 * connection may have committed (then ask store_data_version); -1 when
 * the store has none and must be polled on a timer (SQLite).  A
 * PostgreSQL store's connection LISTENs, and every commit NOTIFYs. */
int store_change_fd(struct store *st);
/* PRAGMA data_version: changes when another connection commits (on
 * PostgreSQL: the commits heard of through LISTEN/NOTIFY). */
int store_data_version(struct store *st, int64_t *v);
/* What other connections' commits touched since this was last asked
 * (PostgreSQL: their NOTIFY payloads): up to 32 briefs, or all (SQLite
 * cannot say; a change of a project, a setting, an undo, or many briefs),
 * and the kinds of change (the events' actions, "rate,tag").  A commit
 * that wrote no event (job bookkeeping) adds nothing. */
struct store_heard {
	int all;
	int n;
	int64_t brief[32];
	char kinds[256];
};
void store_changes_heard(struct store *st, struct store_heard *out);
/* The id of the newest event in the audit log (0 when empty): every
 * change a view shows writes one, job bookkeeping does not, so a change
 * of data_version with the same last event was only jobs at work. */
int store_event_last(struct store *st, int64_t *id);
/* The schema version of the open database. */
int store_schema_version(struct store *st);
/* The store's id (32 hex digits, random, made with the store; setting `id`, schema 3). */
int store_id(struct store *st, char id[33]);

/* The modes of a store's files (store/modes.c).  A shared store (group
 * given) wants folders 2770 and files 0660 in that group, a private one
 * 0700 and 0600.  With fix, what this user owns (all, as root) is set
 * right; nbad counts what is still wrong, with up to 5 examples, their
 * owners ("alice, bob") and the one command that mends them. */
struct store_modes {
	size_t nbad, nfixed;
	char *examples[5];
	size_t nexamples;
	char *owners;
	char *fix;
	char *error;  /* group unknown: STORE_EINVAL and this says so */
	char *unread; /* a folder this user cannot read (the check is partial) */
};
int store_modes(const char *dir, const char *group, int fix, struct store_modes *out);
void store_modes_clear(struct store_modes *m);

/* Joins the following actions into one transaction and one undo step
 * named label.  _end(st, 1) commits, _end(st, 0) rolls back.  Nests. */
int store_batch_begin(struct store *st, const char *label);
int store_batch_end(struct store *st, int commit);
/* A bulk change too long for one transaction runs as several batches of
 * one undo group: the first is a plain batch, store_batch_last_group()
 * names its group once committed, and each later chunk begins with
 * store_batch_begin_group(st, label, group).  store_undo_group() takes
 * such a group back (a cancelled bulk change), as store_undo does. */
int64_t store_batch_last_group(const struct store *st);
int store_batch_begin_group(struct store *st, const char *label, int64_t group);
int store_undo_group(struct store *st, int64_t group, char **what);
/* With tracking on, store_last_commit_event() is the id of the last
 * event the last commit on this handle wrote (0: none, or not tracked);
 * its events run from store_batch_last_group() to it when the batch
 * did not join an earlier group.  A reader can then tell its own
 * writer's changes from others' (the interface does not re-read a list
 * for its own rating). */
void store_track_events(struct store *st, int on);
int64_t store_last_commit_event(const struct store *st);

/* ------------------------------------------------------------ the busy policy
 *
 * One writer at a time: BEGIN IMMEDIATE waits up to timeout_ms for the
 * write lock and is tried `tries` times before STORE_EBUSY.  Batch
 * commands keep the default (10 s, 5 tries) and say why they wait
 * through on_wait; the interface's writer thread waits 150 ms once and
 * retries in the background.  Long writers announce themselves with a
 * small file in cache/ (login, pid, what) removed when they end; a file
 * whose pid is gone is stale and ignored (and removed). */
void store_set_busy(struct store *st, int timeout_ms, int tries);
/* fn(arg, holder) is called once a wait for the lock has lasted a
 * second (once per wait); holder is store_lock_holder()'s text or NULL. */
void store_on_wait(struct store *st, void (*fn)(void *arg, const char *holder), void *arg);
/* Announces "WHAT by LOGIN (pid N) is writing" until store_announce_end
 * or store_close.  0, or -1 when the file cannot be written (harmless). */
int store_announce(struct store *st, const char *what);
void store_announce_end(struct store *st);
/* Who announced a write in progress, other than this process:
 * "an import by alice (pid 4242)", owned; NULL when nobody did. */
char *store_lock_holder(struct store *st);

#endif
