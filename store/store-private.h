/*
 * store-private.h - what the files of store/ share: the handle, the
 * statement cache, transactions, error reporting and the event log.
 */
#ifndef LB_STORE_PRIVATE_H
#define LB_STORE_PRIVATE_H

#include "db.h"

#include "util.h"

#define ST_NSTMT 96

struct st_stmt {
	const char *key;    /* our copy of the SQL text */
	const char *lit;    /* the caller's pointer it was last asked by */
	int owned;          /* key is ours to free */
	db_stmt *stmt;
	unsigned long used; /* for evicting dynamic statements */
};

struct store {
	struct db *db;
	char *dir;
	char *dbpath;
	char *cache;
	char *curator;
	char *login;         /* event.login: the Unix login; PostgreSQL: the database role */
	char *self;          /* the curator name that is no alias: the login, or the role's */
	int pg_access;       /* PostgreSQL: what the role may do (PG_REVIEWER...) */
	int alias_refused;   /* curator differs from self, store allows no alias */
	int readonly;        /* the database cannot be written */
	struct sbuf err;     /* last error message */
	struct st_stmt stmts[ST_NSTMT];
	size_t nstmts;
	unsigned long tick;
	int depth;           /* open transactions (batch nesting) */
	int failed;          /* a step inside the batch failed */
	int64_t group;       /* undo group of the open batch, 0 when none */
	int64_t last_group;  /* the group of the last batch committed */
	int track_events;    /* store_track_events */
	int64_t last_event;  /* the last event of the last commit (tracked) */
	int busy_ms;         /* busy timeout of one BEGIN (store_set_busy) */
	int busy_tries;      /* BEGINs tried before STORE_EBUSY */
	int busy_slept;      /* ms waited in this busy wait */
	int busy_told;       /* on_wait was called for it */
	void (*on_wait)(void *arg, const char *holder);
	void *on_wait_arg;
	char *announced;     /* the announcement file written, or NULL */
	char *batch_label;
	char *url;           /* a PostgreSQL store's URL as given (store_name) */
	int stack_distance;  /* of the query term stack: (store_set_stack_distance) */
	struct stack_cache *stack_cache; /* query-stacks.c */
	int dispute_gap;        /* the term disputed's rules (store_set_dispute_rules) */
	double dispute_bt_gap;
	int disputes_given;     /* temp.lb_disputed is filled from outside (store_disputes_given) */
	/* the last count of my qualifying ratings (query.c's stars term),
	 * for the next page of the same query */
	char *stars_key;
	int stars_n;
	int64_t stars_mark[2];
};

enum { TX_BEGIN, TX_COMMIT, TX_ROLLBACK };

/* Sets the error message and returns code. */
int st_fail(struct store *st, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Maps an SQLite failure to a code with a message naming what was done. */
int st_sqlfail(struct store *st, int rc, const char *doing);
/* STORE_EREADONLY with a message naming the file this user cannot write
 * and its owner (util_perm_blocker), for `doing`. */
int st_readonly_fail(struct store *st, const char *doing);
/* The failure (errno) of `doing` ("cannot create") on path: for a
 * permission, who owns the file or folder that refused, else strerror. */
int st_file_fail(struct store *st, const char *path, const char *doing);
/* The same message and code without a store (for a thread that must not
 * touch the handle's error): owned. */
char *st_file_why(const char *path, const char *doing, int e, int *code);

/* A cached prepared statement for sql (compared by text), reset and
 * with bindings cleared.  NULL after st_sqlfail on error. */
db_stmt *st_prep(struct store *st, const char *sql);

/* Transactions: st_begin opens BEGIN IMMEDIATE (retrying while busy) or
 * joins the open batch; st_end commits when ok and rolls back otherwise
 * (a failure inside a batch dooms the batch). Return code passes through. */
int st_begin(struct store *st);
int st_end(struct store *st, int rc);

/* A savepoint inside the open transaction, so that one failing item of
 * a batch (an import's file) is undone without dooming the batch.
 * st_savepoint_end(st, 1) keeps the work, (st, 0) rolls it back and
 * clears the failure it caused.  Must not nest. */
int st_savepoint(struct store *st);
int st_savepoint_end(struct store *st, int keep);

/* qsort/bsearch comparators: int64_t values, C strings (char *). */
int st_cmp_i64(const void *a, const void *b);
int st_cmp_str(const void *a, const void *b);

/* Runs sql (no rows) with the bindings; returns 0 or a code. */
int st_exec(struct store *st, const char *sql);

/* Binding helpers that treat NULL strings as SQL NULL. */
void st_bind_text(db_stmt *s, int i, const char *v);
/* Column text copied (NULL column -> "" unless nullable). */
char *st_col_text(db_stmt *s, int i);
char *st_col_text_or_null(db_stmt *s, int i);

/* Steps a statement expecting DB_DONE; 0 or code. */
int st_step_done(struct store *st, db_stmt *s, const char *doing);

/* Records that assets were delivered to dir (purge never frees them). */
int st_delivered_add(struct store *st, const int64_t *assets, size_t n, const char *dir, int mode);

/* Appends one event to the audit log (in the open transaction).
 * before/after are JSON texts or NULL.  undoable events form undo steps. */
int st_event(struct store *st, const char *action, const char *entity, int64_t entity_id,
	     int64_t candidate_id, const char *before, const char *after, int undoable);

/* 1 when blind review hides the others' judgements of candidate (of
 * brief_id) from the store's curator: the brief is blind and the curator
 * has not rated or flagged it. */
int st_blind_hides(struct store *st, int64_t brief_id, int64_t candidate_id);
/* SQL: rating row x (of candidate c) may be shown to curator ?1 (blind review). */
#define ST_RATING_VISIBLE(me)                                                                         \
	" AND (x.curator = " me " OR NOT (SELECT bb.blind FROM brief bb WHERE bb.id = c.brief_id)"      \
	" OR EXISTS (SELECT 1 FROM rating y WHERE y.brief_id = c.brief_id AND y.candidate_id = c.id"    \
	" AND y.curator = " me "))"

/* SQL, true when blind review hides the judgements of candidate `cand`
 * (of brief `brief`) from curator `me`: the brief is blind and `me` has
 * no rating row (stars or flag) for it.  The three are SQL expressions. */
#define ST_BLIND_HIDES(brief, cand, me)                                                               \
	"((SELECT bb.blind FROM brief bb WHERE bb.id = " brief ") AND NOT EXISTS (SELECT 1 FROM rating y"  \
	" WHERE y.brief_id = " brief " AND y.candidate_id = " cand " AND y.curator = " me "))"
/* SQL: " AND" the judgement of curator `cur` (an SQL expression) on that
 * candidate may be shown to `me`: it is theirs, or blind review does not
 * hide it. */
#define ST_VISIBLE_TO(brief, cand, cur, me) " AND (" cur " = " me " OR NOT " ST_BLIND_HIDES(brief, cand, me) ")"
/* 1 when a brief of the scope (brief_id; else the briefs of project_id;
 * else every brief) is blind: lists and sorts take the plans that hide
 * judgements only then. */
int st_scope_blind(struct store *st, int64_t brief_id, int64_t project_id);

/* A query under construction (query.c): SQL text and its bindings in
 * order; the k-th binding is ?(first + k).  err: a term that did not
 * compile (the store's message is set); the query must not run. */
enum { QB_INT, QB_TEXT, QB_DOUBLE };
struct qbind {
	int type;
	int64_t i;
	const char *t;
	double d;
	char *own; /* t when the query owns it */
};
struct query {
	struct sbuf sql;
	int n, cap, first;
	struct qbind *b;
	int err;
	int drives; /* a term reads its few candidates by id (a rare tag or word): the
		       keyset condition must not become the plan (+c.id) */
	int64_t brief_id, project_id; /* the scope the query runs in (0: all), for stack: */
	int has_my;  /* the SELECT joins my rating as `my` (a list page by id) */
	int by_my;   /* a stars term reads my rating range: the page goes in its
			order (my.candidate_id), streamed from the brief's ratings */
};
void q_init(struct query *q, int first);
void q_free(struct query *q);
void q_int(struct query *q, int64_t v);
void q_text(struct query *q, const char *v);
void q_text_own(struct query *q, char *v);
void q_double(struct query *q, double v);
void q_bind(db_stmt *s, const struct query *q);
/* Appends " AND (condition)" on candidate c for a query in lightbox's
 * query language (nothing for an empty one); the current curator is
 * "me".  A bad query sets q->err and the store's message. */
int st_query_where(struct store *st, struct query *q, const char *text);
/* query-stacks.c: temp.lb_stack_of holds the stacks of the brief (or of
 * the project's briefs, or of all when both are 0) as they are now. */
int st_stacks_ready(struct store *st, int64_t brief_id, int64_t project_id);
void st_stack_cache_free(struct store *st);
/* The briefs a query's scope holds (one, a project's or all). */
int st_query_briefs(struct store *st, int64_t brief_id, int64_t project_id, int64_t **out, size_t *n);
/* review.c: temp.lb_disputed holds the candidates of the scope that the
 * pairwise-order rule marks (computed now, unless store_disputes_given). */
int st_disputes_ready(struct store *st, int64_t brief_id, int64_t project_id);
int st_stack_distance_default(void);
/* What moves when the store changes: PRAGMA data_version (other
 * connections' commits) and total_changes (this one's). */
void st_change_mark(struct store *st, int64_t mark[2]);

/* A file copied into assets/tmp, hashed while it was copied (each byte
 * read once). */
struct st_staged {
	char *tmp;      /* owned path of the copy; NULL once placed */
	char hex[65];   /* SHA-256 of the bytes copied */
	int64_t bytes;
	int link;       /* 0 a copy, 1 a hard link to src, 2 a reflink of src */
	int64_t mtime_ns; /* src's mtime when linked */
};
/* Copies the regular file src into assets/tmp (keeping its extension)
 * and hashes the copy; sync: fsync the copy.  A file whose size or mtime
 * changed while it was read is refused (STORE_EINVAL). */
int st_asset_stage(struct store *st, const char *src, int sync, struct st_staged *sg);
/* st_asset_stage without the fsync, for any thread (the store's handle
 * is not touched: a failure is a store error code and *why, owned).  The
 * copy is the kernel's (copy_file_range: a reflink where the filesystem
 * has them), checked against src's size and mtime before and after; stop
 * (may be NULL) is looked at between 8 MiB pieces.  Then the copy is read
 * back and hashed, so the digest names the bytes the store holds; each
 * byte is hashed once, and the source read once. */
int st_asset_copy(const char *root, const char *src, const volatile int *stop, struct st_staged *sg,
		  char **why);
/* As st_asset_stage, but links src instead of copying it when it lies
 * on the store's filesystem: a reflink (FICLONE) where the filesystem
 * has them, else a hard link.  Hashed all the same (a file that changes
 * meanwhile is refused).  Where it cannot link, it copies, and *note
 * (owned) says why. */
int st_asset_stage_link(struct store *st, const char *src, struct st_staged *sg, char **note);
/* Moves a staged copy to its content name assets/XX/HEX.ext.  A file
 * already there is reused only when its bytes hash to HEX, else the copy
 * replaces it.  sync 0: no fsync of the folder (the caller syncs the
 * batch with st_assets_sync before its rows commit). */
int st_asset_place(struct store *st, struct st_staged *sg, const char *ext, int sync);
/* Removes what is left of a staged copy and clears sg. */
void st_asset_unstage(struct st_staged *sg);
/* Records the asset row for bytes durable at their content name. */
int st_asset_row(struct store *st, const char *hex, int64_t bytes, const struct lb_asset_facts *f,
		 const char *ext, int64_t *asset_id, int *existed);
int st_assets_sync(struct store *st);
/* SHA-256 (hex) and length of what is left to read of fd; 0, or -1 with
 * errno. */
int st_fd_hash(int fd, char hex[65], int64_t *bytes);
/* Records how an asset's file is linked (st_staged.link), from where and
 * its mtime then (joins the open transaction). */
int st_asset_link_record(struct store *st, int64_t asset_id, int link, const char *origin, int64_t mtime_ns);
/* The extension an asset of these facts is stored under ("bin" when none). */
const char *st_asset_ext(const struct lb_asset_facts *facts);
/* The file of an asset, written durably without its row (a job's outputs
 * are on disk before the store may be written; st_asset_stage and
 * st_asset_place do the same for a file); st_asset_row comes later. */
int st_asset_write(struct store *st, const void *data, size_t n, const struct lb_asset_facts *facts, char hex[65]);

/* The brief of a candidate; STORE_ENOTFOUND (with a message) when the
 * candidate does not exist. */
int st_candidate_brief(struct store *st, int64_t cand, int64_t *brief);

/* Schema: creating and migrating. */
int st_schema_migrate(struct store *st);
/* The migrations of the PostgreSQL dialect (schema-pg.c), as many as
 * SQLite's: st_pg_migrations[v] takes a store from version v to v+1. */
extern const char *const st_pg_migrations[];

/* A store in a PostgreSQL database named by url (store-pg.c): its
 * assets folder is $LIGHTBOX_ASSETS, else the one recorded in the store
 * (setting `assets`); init records it. */
/* A PostgreSQL role's access (store-pg.c): none, lightbox_reviewer,
 * lightbox_curator, the store's owner (or a superuser). */
enum { PG_NONE, PG_REVIEWER, PG_CURATOR, PG_OWNER };
int st_open_pg(const char *url, const struct store_options *opt, struct store **out, char **err);
/* The rules a store opens with, on either dialect: the config's stack
 * distance, the dispute gaps (store.c). */
void st_rules_default(struct store *st);
/* st_sqlfail for a PostgreSQL failure. */
int st_pg_fail(struct store *st, int rc, const char *doing);
/* 1 when the store is in PostgreSQL. */
int st_is_pg(const struct store *st);

/* Checks that an id exists in table; STORE_ENOTFOUND with a message. */
int st_exists(struct store *st, const char *table, int64_t id);

/* Fills one record from the current row of s. */
typedef void (*st_row_fn)(db_stmt *s, void *out);
/* Steps s (bound, with the id of table as its key) once: fills *out with
 * row when there is a row, else says that id is not in table (st_exists),
 * or the failure of `doing`.  Resets s. */
int st_get_row(struct store *st, db_stmt *s, st_row_fn row, void *out, const char *table, int64_t id,
	       const char *doing);
/* A project from its 9 columns: id, name, slug, description, archived,
 * created and the counts of briefs, candidates and selections (-1: not
 * counted). */
void st_project_row(db_stmt *s, void *out);
/* The projects sql selects (those 9 columns; its one parameter is
 * include_archived), into *out. */
int st_project_list(struct store *st, const char *sql, int include_archived, struct lb_project_list *out);
/* Row functions for one column: an int64_t, and a string (owned copy). */
void st_row_int0(db_stmt *s, void *out);
void st_row_text0(db_stmt *s, void *out);
/* Steps s (bound) to its end, appending each row (zeroed, then filled by
 * row) to the array *v of *n records of size bytes, grown as needed.  On
 * failure the caller frees what *v holds.  Resets s. */
int st_list_rows(struct store *st, db_stmt *s, st_row_fn row, void **v, size_t *n, size_t size,
		 const char *doing);
/* Archives (archived 1) or restores (0) the project or brief id (table
 * "project" or "brief"): one action, one undoable event, none when it
 * already was so.  Its own transaction. */
int st_archive(struct store *st, const char *table, int64_t id, int archived);

/* Tag rules shared by tag.c and event.c */
int st_tag_valid(struct store *st, const char *tag);

/* Entity states for the audit log (JSON texts, NULL = absent) and
 * putting an entity back into a state: used by undo and redo. */
char *st_json_rating(int has, int stars, int flag);
int st_rating_parse(const char *json, int *has, int *stars, int *flag);
int st_rating_state(struct store *st, int64_t cand, const char *curator, char **json);
int st_rating_restore(struct store *st, int64_t cand, const char *curator, const char *json);
int st_selection_state(struct store *st, int64_t cand, char **json);
int st_selection_restore(struct store *st, int64_t cand, const char *json);
int st_tag_set(struct store *st, int64_t cand, const char *name, int present, const char *curator);
int st_tag_present(struct store *st, int64_t cand, const char *name, int *present);
int st_note_insert(struct store *st, int64_t id, int target, int64_t target_id, int kind, const char *body,
		   const char *curator, int64_t created, int64_t *out_id);
int st_note_delete(struct store *st, int64_t id);
int st_note_restore(struct store *st, int64_t id, const char *curator, const char *json);
/* A pairwise judgement's state (NULL: absent) and putting it back:
 * deletes it (to NULL) or re-inserts it, then rescores the brief named
 * in `any` (the event's before or after JSON). */
int st_comparison_state(struct store *st, int64_t id, char **json);
int st_comparison_restore(struct store *st, int64_t id, const char *to, const char *any);
/* Makes revision rev_id the brief's current one (copies its fields). */
int st_brief_set_current(struct store *st, int64_t brief_id, int64_t rev_id);

#endif
