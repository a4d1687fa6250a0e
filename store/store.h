/*
 * store.h - the lightbox store: one SQLite file (lightbox.db) plus
 * content-addressed asset files (assets/ab/abcdef....ext) and a cache
 * folder.  store/ is the only code that speaks SQL.
 *
 * Conventions
 *  - Every function that can fail returns 0 or a negative STORE_E* code;
 *    the message for the last failure is store_errmsg() (owned by the store,
 *    valid until the next call on that handle).  Messages say what went
 *    wrong and what to do, and never hold secrets.
 *  - Every user action is one transaction and writes one event (the audit
 *    log); store_batch_begin()/_end() join several actions into one
 *    transaction and one undo step (bulk rating of marked candidates).
 *  - Records returned in structs own their strings; free them with the
 *    matching *_clear() (struct stays reusable) or the list's *_free().
 *  - Ratings, flags, tags, notes and selections are made as the store's
 *    curator (store_curator()): $LIGHTBOX_CURATOR, else the login name.
 *  - One handle per thread.  Several processes may share a store: WAL,
 *    a busy timeout, and retries on SQLITE_BUSY.
 */
#ifndef LB_STORE_H
#define LB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#define STORE_SCHEMA_VERSION 3

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

/* Opens (and with create, makes) the store in dir, migrating an older
 * schema.  On failure *out is NULL, *err holds an owned message and the
 * return is a STORE_E* code. */
int store_open(const char *dir, const struct store_options *opt, struct store **out, char **err);
void store_close(struct store **st);

const char *store_errmsg(const struct store *st);
const char *store_dir(const struct store *st);
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
/* Path of the cache folder (dir/cache), created on demand. */
const char *store_cache_dir(const struct store *st);
/* PRAGMA data_version: changes when another connection commits. */
int store_data_version(struct store *st, int64_t *v);
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

/* ------------------------------------------------------------ records */

enum lb_flag { LB_FLAG_NONE = 0, LB_FLAG_PICK = 1, LB_FLAG_REJECT = 2 };
const char *lb_flag_name(int flag);          /* "none", "pick", "reject" */
int lb_flag_parse(const char *s);            /* -1 when unknown */

enum lb_modality { LB_IMAGE = 0, LB_TEXT, LB_AUDIO, LB_VIDEO };

/* Text longer than this many bytes is kept only as an asset file, never
 * inline in candidate.body: one rule for every door (import, candidate
 * add, generation).  Lists read at most LB_BODY_PREFIX bytes of a body
 * (lb_candidate.bytes still says the whole length). */
#define LB_TEXT_INLINE_MAX ((size_t)8 << 20)
#define LB_BODY_PREFIX 4096
const char *lb_modality_name(int m);         /* "image", ... */
int lb_modality_parse(const char *s);        /* -1 when unknown */

struct lb_project {
	int64_t id;
	char *name;
	char *slug;
	char *description;
	int archived;
	int64_t created;
	int64_t n_briefs;       /* live briefs */
	int64_t n_candidates;
	int64_t n_selected;
};

/* The editable fields of a brief (one revision). */
struct lb_brief_fields {
	char *title;
	int modality;           /* enum lb_modality */
	char *prompt;
	char *negative;
	char *params;           /* JSON object text, "{}" when none */
	char *constraints;
	char *refs;             /* references, one per line */
	char *backend;          /* default backend name, "" for the configured default */
};

struct lb_brief {
	int64_t id;
	int64_t project_id;
	int64_t revision_id;    /* the current revision's row id */
	int rev;                /* the current revision number, 1.. */
	struct lb_brief_fields f;
	int archived;
	int64_t created;
	int64_t updated;
	/* counts, filled by store_brief_list and store_brief_get */
	int64_t n_candidates;
	int64_t n_rated_by_me;
	int64_t n_picked;       /* candidates any curator picked */
	int64_t n_selected;
};

struct lb_revision {
	int64_t id;
	int64_t brief_id;
	int rev;
	struct lb_brief_fields f;
	char *author;
	int64_t created;
};

struct lb_candidate {
	int64_t id;
	int64_t brief_id;
	int64_t revision_id;
	int rev;                /* brief revision number it was made from */
	int modality;
	int64_t asset_id;       /* 0 for a text body */
	int64_t parent_id;      /* 0 when none */
	int64_t job_id;         /* 0 when none */
	char *body;             /* text candidates: the text; else NULL */
	char *backend;
	char *model;
	int has_seed;
	int64_t seed;
	char *prompt;           /* effective prompt ("" = the revision's) */
	char *negative;
	char *params;           /* effective parameters, JSON object text */
	char *source;           /* where it came from: import path, job, edit */
	int64_t created;
	/* asset facts (asset_id != 0) */
	char *sha256;
	char *media_type;
	char *path;             /* absolute path of the asset file */
	int64_t bytes;
	int width, height;
	double duration;
	/* ratings */
	int my_stars;           /* -1: not rated by me */
	int my_flag;
	double mean_stars;      /* over curators who rated; 0 when none */
	int n_ratings;
	int n_picks, n_rejects;
	int selected;           /* selected for the project */
	char *tags;             /* "a,b,c" sorted, "" when none */
	double score;           /* pooled pairwise score (NAN when none) */
};

struct lb_rating {
	int64_t candidate_id;
	char *curator;
	int stars;
	int flag;
	int64_t updated;
};

enum lb_note_kind { LB_NOTE_COMMENT = 0, LB_NOTE_EDIT, LB_NOTE_INTEGRATION };
const char *lb_note_kind_name(int k);
int lb_note_kind_parse(const char *s);

enum lb_target { LB_ON_PROJECT = 0, LB_ON_BRIEF, LB_ON_CANDIDATE };

struct lb_note {
	int64_t id;
	int target;             /* enum lb_target */
	int64_t target_id;
	int kind;
	char *body;
	char *curator;
	int64_t created;
};

struct lb_selection {
	int64_t id;
	int64_t project_id;
	int64_t brief_id;
	int64_t candidate_id;
	char *intended_use;
	char *integration;      /* integration note */
	char *curator;
	int64_t created;
	int64_t updated;
};

struct lb_event {
	int64_t id;
	int64_t at;
	char *curator;
	char *login;            /* the Unix login that made it; "" before schema 2 */
	char *action;           /* "rate", "flag", "tag", "undo", ... */
	char *entity;           /* "rating", "candidate_tag", "brief", ... */
	int64_t entity_id;      /* candidate id, brief id, ... */
	char *before;           /* JSON or NULL */
	char *after;            /* JSON or NULL */
	int64_t group_id;       /* events of one undo step share it */
	int undone;
};

/* Who made an event, for people: the curator, or "alice (as bob)" when
 * the login alice made it under the curator name bob.  Owned. */
char *store_event_who(const struct lb_event *e);

/* Owned arrays of records. */
#define LB_LIST(type, name) \
	struct name {       \
		type *v;    \
		size_t n;   \
	}
LB_LIST(struct lb_project, lb_project_list);
LB_LIST(struct lb_brief, lb_brief_list);
LB_LIST(struct lb_revision, lb_revision_list);
LB_LIST(struct lb_candidate, lb_candidate_list);
LB_LIST(struct lb_rating, lb_rating_list);
LB_LIST(struct lb_note, lb_note_list);
LB_LIST(struct lb_selection, lb_selection_list);
LB_LIST(struct lb_event, lb_event_list);
#undef LB_LIST

void lb_project_clear(struct lb_project *p);
void lb_brief_fields_clear(struct lb_brief_fields *f);
void lb_brief_clear(struct lb_brief *b);
void lb_revision_clear(struct lb_revision *r);
void lb_candidate_clear(struct lb_candidate *c);
void lb_rating_clear(struct lb_rating *r);
void lb_note_clear(struct lb_note *n);
void lb_selection_clear(struct lb_selection *s);
void lb_event_clear(struct lb_event *e);
void lb_project_list_free(struct lb_project_list *l);
void lb_brief_list_free(struct lb_brief_list *l);
void lb_revision_list_free(struct lb_revision_list *l);
void lb_candidate_list_free(struct lb_candidate_list *l);
void lb_rating_list_free(struct lb_rating_list *l);
void lb_note_list_free(struct lb_note_list *l);
void lb_selection_list_free(struct lb_selection_list *l);
void lb_event_list_free(struct lb_event_list *l);

/* ------------------------------------------------------------ projects */

int store_project_add(struct store *st, const char *name, const char *description, int64_t *id);
/* Finds a project by id ("3") or slug ("autumn-campaign"). */
int store_project_find(struct store *st, const char *ref, int64_t *id);
int store_project_get(struct store *st, int64_t id, struct lb_project *out);
int store_project_list(struct store *st, int include_archived, struct lb_project_list *out);
int store_project_archive(struct store *st, int64_t id, int archived);

/* ------------------------------------------------------------ briefs */

/* Adds a brief with revision 1.  f->title must be non-empty. */
int store_brief_add(struct store *st, int64_t project_id, const struct lb_brief_fields *f, int64_t *id);
/* Saves f as a new revision when it differs from the current one;
 * *changed says whether it did. */
int store_brief_edit(struct store *st, int64_t id, const struct lb_brief_fields *f, int *changed);
int store_brief_get(struct store *st, int64_t id, struct lb_brief *out);
int store_brief_list(struct store *st, int64_t project_id, int include_archived, struct lb_brief_list *out);
int store_brief_revisions(struct store *st, int64_t id, struct lb_revision_list *out);
int store_revision_get(struct store *st, int64_t revision_id, struct lb_revision *out);
int store_brief_archive(struct store *st, int64_t id, int archived);

/* The readable text form of a brief that `brief edit` and the TUI open
 * in $EDITOR: "key: value" header lines, then [prompt], [negative],
 * [constraints] and [references] sections; '#' lines are comments.
 * Owned result. */
char *store_brief_to_text(const struct lb_brief *b);
/* Parses that form into f (fields owned by f; clear with
 * lb_brief_fields_clear).  On a mistake: STORE_EINVAL and *err (owned)
 * says which line and what is wrong. */
int store_brief_from_text(const char *text, struct lb_brief_fields *f, char **err);

/* ------------------------------------------------------------ assets */

/* Stores data as a content-addressed asset (temp file, fsync, rename,
 * then the row).  media_type like "image/png", ext like "png" (may be
 * NULL: derived from the type).  *existed is set when the same bytes were
 * already stored.  width/height/duration may be 0. */
struct lb_asset_facts {
	const char *media_type;
	const char *ext;
	int width, height;
	double duration;
};
int store_asset_put(struct store *st, const void *data, size_t n, const struct lb_asset_facts *facts,
		    int64_t *asset_id, int *existed);
/* Same, from a file, streamed (never fully in memory). */
int store_asset_put_file(struct store *st, const char *path, const struct lb_asset_facts *facts,
			 int64_t *asset_id, int *existed);
/* Finds an asset by sha256 hex; STORE_ENOTFOUND when absent. */
int store_asset_find(struct store *st, const char *sha256, int64_t *asset_id);
/* Absolute path of an asset's file.  Owned. */
char *store_asset_path(struct store *st, const char *sha256, const char *ext);

/* ------------------------------------------------------------ candidates */

struct lb_candidate_input {
	int64_t brief_id;
	int64_t revision_id;    /* 0: the brief's current revision */
	int64_t asset_id;       /* 0 for text */
	const char *body;       /* text candidates */
	const char *backend;    /* "import", "builtin", ... */
	const char *model;
	int has_seed;
	int64_t seed;
	const char *prompt;     /* NULL: the revision's */
	const char *negative;
	const char *params;     /* JSON object text or NULL */
	int64_t parent_id;
	int64_t job_id;
	const char *source;
};
int store_candidate_add(struct store *st, const struct lb_candidate_input *in, int64_t *id);
/* Adds many in one transaction (bulk import, a job's reply); ids[] gets
 * the new ids (may be NULL). All or nothing. */
int store_candidate_add_many(struct store *st, const struct lb_candidate_input *in, size_t n,
			     int64_t *ids);
int store_candidate_get(struct store *st, int64_t id, struct lb_candidate *out);
int store_candidate_children(struct store *st, int64_t id, struct lb_candidate_list *out);

/* Which candidates a list shows.  Zero-initialise, then set fields. */
struct lb_filter {
	int64_t brief_id;       /* 0: every brief (of project_id if set) */
	int64_t project_id;     /* 0: every project */
	int min_stars;          /* 0: no filter; 1..5 */
	int max_stars;          /* 0: no filter */
	int has_flag;           /* 1: only candidates flagged `flag` */
	int flag;               /* LB_FLAG_* (LB_FLAG_NONE: unflagged) */
	const char *curator;    /* whose rating stars/flag apply to; NULL: any curator */
	int unrated;            /* only candidates the curator (or me) has not rated */
	int rated;              /* only candidates the curator (or anyone) rated or flagged */
	const char *tag;        /* only candidates with this tag */
	const char *backend;    /* only from this backend */
	const char *search;     /* FTS5 query over prompt, body and notes */
	int selected;           /* only selected ones */
};

enum lb_sort {
	LB_SORT_OLDEST = 0,     /* by id ascending (the default) */
	LB_SORT_NEWEST,         /* by id descending */
	LB_SORT_STARS,          /* mean stars descending, then id */
	LB_SORT_SCORE,          /* pairwise score descending, then id */
	LB_SORT__COUNT
};
const char *lb_sort_name(int s);
int lb_sort_parse(const char *s);

/* A position in a sorted list: the sort key and id of a row.  A page
 * starts after (or, backward, before) it. */
struct lb_key {
	double k;
	int64_t id;
};

/* Reads up to limit candidates matching f in order sort, strictly after
 * `after` (NULL: from the start); with backward, strictly before it
 * (NULL: from the end) and returned in list order.  out is replaced. */
int store_candidate_page(struct store *st, const struct lb_filter *f, int sort, const struct lb_key *after,
			 int backward, int limit, struct lb_candidate_list *out);
/* The key of a candidate in a sort (for resuming a list at it). */
void lb_candidate_key(const struct lb_candidate *c, int sort, struct lb_key *out);
int store_candidate_count(struct store *st, const struct lb_filter *f, int64_t *n);
/* How many rows of f/sort come before candidate id: its position. */
int store_candidate_position(struct store *st, const struct lb_filter *f, int sort, int64_t id,
			     int64_t *pos);

/* ------------------------------------------------------------ curation (as store_curator()) */

/* stars 0..5. */
int store_rate(struct store *st, int64_t candidate_id, int stars);
int store_flag(struct store *st, int64_t candidate_id, int flag);
/* Removes my rating and flag. */
int store_unrate(struct store *st, int64_t candidate_id);
int store_ratings(struct store *st, int64_t candidate_id, struct lb_rating_list *out);

/* Tag names: 1..64 bytes of clean UTF-8, no spaces or commas. */
int store_tag_add(struct store *st, int64_t candidate_id, const char *tag);
int store_tag_rm(struct store *st, int64_t candidate_id, const char *tag);
/* All tag names, most used first (for completion); prefix may be NULL. */
int store_tag_names(struct store *st, const char *prefix, char ***names, size_t *n);
void store_strv_free(char ***v, size_t n);

int store_note_add(struct store *st, int target, int64_t target_id, int kind, const char *body,
		   int64_t *id);
int store_notes(struct store *st, int target, int64_t target_id, struct lb_note_list *out);

/* Selects a candidate for its project (updates use/note if selected). */
int store_select(struct store *st, int64_t candidate_id, const char *intended_use, const char *integration);
int store_unselect(struct store *st, int64_t candidate_id);
int store_selections(struct store *st, int64_t project_id, struct lb_selection_list *out);

/* ------------------------------------------------------------ audit log, undo */

/* Reverses my last undo step (one action, or one batch).  *what gets an
 * owned one-line description ("rating of #2: 4 -> none").  STORE_EEMPTY
 * when there is nothing to undo; STORE_ECONFLICT when another curator
 * changed the entity since (nothing is changed then). */
int store_undo(struct store *st, char **what);
/* Re-applies my last undone step, if I did nothing new since. */
int store_redo(struct store *st, char **what);

struct lb_log_filter {
	const char *curator;    /* NULL: all */
	int64_t candidate_id;   /* 0: all */
	int64_t before_id;      /* 0: newest first; else older than this */
};
int store_log(struct store *st, const struct lb_log_filter *f, int limit, struct lb_event_list *out);

/* ------------------------------------------------------------ search */

/* Text to index for a candidate/brief/note is kept by the store itself;
 * this rebuilds the FTS index (after a crash mid-migration). */
int store_search_rebuild(struct store *st);

/* ------------------------------------------------------------ jobs */

enum lb_job_state { LB_JOB_QUEUED = 0, LB_JOB_RUNNING, LB_JOB_DONE, LB_JOB_FAILED, LB_JOB_CANCELLED };
const char *lb_job_state_name(int s);

struct lb_job {
	int64_t id;
	int64_t brief_id;
	int64_t revision_id;
	int64_t parent_id;      /* candidate varied or rerolled; 0 when none */
	char *kind;             /* "generate", "reroll", "variation" */
	char *backend;
	char *params;           /* JSON: count, seed, seed mode, overrides, prompt */
	int state;
	double progress;        /* 0..1 */
	int attempts;
	char *error;            /* last error, "" when none */
	char *curator;
	int64_t created, started, finished;
	int64_t next_at;        /* not before this time (retry backoff) */
	int n_candidates;       /* made so far */
};
void lb_job_clear(struct lb_job *j);
struct lb_job_list {
	struct lb_job *v;
	size_t n;
};
void lb_job_list_free(struct lb_job_list *l);

struct lb_job_input {
	int64_t brief_id;
	int64_t revision_id;    /* 0: current */
	int64_t parent_id;
	const char *kind;
	const char *backend;
	const char *params;
};
int store_job_add(struct store *st, const struct lb_job_input *in, int64_t *id);
int store_job_get(struct store *st, int64_t id, struct lb_job *out);
/* Newest first; brief_id 0 for all. */
int store_job_list(struct store *st, int64_t brief_id, int limit, struct lb_job_list *out);
/* Claims the oldest queued job whose next_at has come, for backend
 * (NULL: any), marking it running; STORE_EEMPTY when none. */
int store_job_claim(struct store *st, const char *backend, struct lb_job *out);
/* The same, only among jobs queued by curator (NULL: anyone's): a runner
 * works its own curator's jobs, with its own keys. */
int store_job_claim_for(struct store *st, const char *backend, const char *curator, struct lb_job *out);
/* The queue by backend: jobs queued, how many are due now, and the
 * earliest next_at of those not yet due (0 when none). */
struct lb_job_queue {
	char *backend;
	int64_t queued;
	int64_t due;
	int64_t next_at;
};
/* Queued jobs of curator (NULL: anyone's), one entry per backend.
 * *v is owned (store_job_queue_free). */
int store_job_queue(struct store *st, const char *curator, struct lb_job_queue **v, size_t *n);
void store_job_queue_free(struct lb_job_queue **v, size_t n);
/* Running jobs of a dead runner go back to queued (at start-up). */
int store_job_requeue_interrupted(struct store *st, int *n);
int store_job_progress(struct store *st, int64_t id, double progress);
/* Back to queued, not before next_at, with the error that caused it. */
int store_job_retry_later(struct store *st, int64_t id, int64_t next_at, const char *error);
int store_job_fail(struct store *st, int64_t id, const char *error);
int store_job_cancel(struct store *st, int64_t id);
/* Requeues a failed or cancelled job (user's retry), its attempts reset. */
int store_job_resubmit(struct store *st, int64_t id);
/* Finishes a job: its candidates (assets already stored) are added and the
 * job marked done in one transaction.  ids may be NULL. */
int store_job_done(struct store *st, int64_t id, const struct lb_candidate_input *in, size_t n,
		   int64_t *ids);

/* ============================================================ records (issue 6):
 * import, export, agreement between curators, pairwise ranking */

/* ------------------------------------------------------------ import */

/* What happened to one file of an import. */
enum lb_import_status {
	LB_IMPORT_ADDED = 0,    /* a new candidate (and maybe a new asset) */
	LB_IMPORT_SAME_ASSET,   /* a new candidate whose bytes were already stored */
	LB_IMPORT_DUPLICATE,    /* the same bytes are already a candidate there: skipped */
	LB_IMPORT_SIDECAR,      /* a .json/.txt read as another file's parameters */
	LB_IMPORT_SKIPPED,      /* left out on purpose (hidden, other modality in a folder) */
	LB_IMPORT_FAILED,       /* could not be imported: reason says why */
	LB_IMPORT__COUNT
};
/* "added", "same-asset", "duplicate", "sidecar", "skipped", "failed". */
const char *lb_import_status_name(int s);

/* One file's outcome, handed to the report callback.  Strings belong to
 * the import and live until the callback returns. */
struct lb_import_item {
	const char *path;       /* the path as found (raw bytes, maybe not UTF-8) */
	const char *shown;      /* the same made safe to print (util_visible) */
	int status;             /* enum lb_import_status */
	const char *reason;     /* why it failed or was skipped, or a warning; NULL when none */
	const char *media_type; /* "image/png", ...; NULL when unknown */
	const char *sha256;     /* hex; NULL when the file was not read */
	int64_t bytes;
	int width, height;
	double duration;
	int64_t brief_id;       /* the brief it went (or would go) to; 0 when none */
	int64_t candidate_id;   /* new or existing candidate; 0 when none (or dry run) */
	int64_t asset_id;       /* 0 when none (or dry run) */
	const char *tool;       /* generator named by the metadata, or NULL */
	int has_prompt;         /* generation parameters were recovered */
};

/* Progress, handed to the progress callback after each file.  Files of
 * the open batch count as added already; the report callback hears of
 * them once their batch is committed. */
struct lb_import_progress {
	size_t done, total;     /* files handled / found */
	int64_t bytes;          /* bytes read so far */
	size_t n[LB_IMPORT__COUNT]; /* files per status so far */
	const char *current;    /* the file just handled, made safe to print */
	double elapsed_ms;
};

struct lb_import_options {
	int64_t brief_id;       /* the brief to import into; 0 with new_brief */
	int new_brief;          /* make briefs from the prompts found (one per prompt) */
	int64_t project_id;     /* with new_brief: the project for the new briefs */
	int dry_run;            /* read and report everything, write nothing */
	int batch;              /* files per transaction (0: 256) */
	int found;              /* the paths were found in a watched folder: other kinds are
				   left out as in a folder walk, not taken as named */
	int skip_open;          /* leave out files some process has open for writing (a watch:
				   they are taken when closed) */
	int link;               /* link the files into the store (hard link, or a reflink where
				   the filesystem has them) instead of copying, when they lie on
				   the store's filesystem; else copied, with a note */
	/* Called once per file (and once per file found in a folder that is
	 * left out): at once for files that fail or are skipped, after their
	 * batch commits for files added (so "added" is on disk).  May be NULL. */
	void (*report)(void *ctx, const struct lb_import_item *it);
	/* Called after each file; a nonzero return stops the import after
	 * that file, keeping what is done (STORE_OK, *interrupted set).
	 * May be NULL. */
	int (*progress)(void *ctx, const struct lb_import_progress *p);
	void *ctx;
};

struct lb_import_result {
	size_t total;                /* names found: files, and what the walk left out or could
					not follow (pipes, devices, loops, hidden names); the
					n[] add up to it unless interrupted */
	size_t n[LB_IMPORT__COUNT];  /* files per status */
	int64_t bytes;               /* bytes read */
	int interrupted;             /* the progress callback stopped it */
	int64_t *briefs;             /* owned: briefs made by new_brief (none in a dry run) */
	size_t n_briefs;
	size_t n_briefs_planned;     /* briefs new_brief made (or would make) */
};
void lb_import_result_clear(struct lb_import_result *r);

/* Imports the files and folders in paths (recursively; symlinks followed,
 * loops detected; names need not be UTF-8) as candidates of a brief.
 * Each file is stored once by SHA-256; a file whose bytes are already a
 * candidate of the brief (or, with new_brief, of the project) is skipped,
 * so running the same import again continues where it stopped.  The
 * generation parameters the file or its sidecar holds become the
 * candidate's prompt, negative prompt, seed, model and parameters.
 * Files are read, copied and synced outside any transaction; each batch's
 * rows then go in one short transaction, after its files are on disk.
 * `candidate add` takes its files through here too: one rule per file
 * for every door.  A file that fails is reported (o->report) with its reason
 * and the rest go on: the return is STORE_OK unless the store itself
 * failed (then the batch in progress is rolled back and earlier batches
 * stay).  *res is filled in both cases (clear it with
 * lb_import_result_clear).  Blocking: the TUI runs it in a thread with a
 * store handle of its own and uses the callbacks. */
int store_import(struct store *st, const char *const *paths, size_t n_paths,
		 const struct lb_import_options *o, struct lb_import_result *res);

/* ------------------------------------------------------------ watch */

/* Where a watch stands, handed to the tick callback. */
struct lb_watch_status {
	size_t n[LB_IMPORT__COUNT]; /* files per status since the watch started */
	size_t runs;                /* imports run (the walk at start, then one per burst) */
	size_t batches;             /* transactions that recorded files */
	int walked;                 /* the walk at start is done */
};

struct lb_watch_options {
	/* brief_id, batch, link, report, ctx as for store_import; found and
	 * skip_open are set by the watch itself. */
	struct lb_import_options import;
	int settle_ms;          /* quiet time that ends a burst (0: 100 ms) */
	/* Called a few times a second and after each import; nonzero stops
	 * the watch (after the file in hand).  May be NULL. */
	int (*tick)(void *ctx, const struct lb_watch_status *s);
	/* Called after each import run that added files (the interface looks
	 * at the store then).  May be NULL. */
	void (*landed)(void *ctx, const struct lb_watch_status *s);
	void *ctx;              /* for tick and landed */
};

/* Watches the folder dir (and the folders in it) with inotify and imports
 * each new file into o->import.brief_id once it is complete: when its
 * writer closes it (close_write) or it is moved in (moved_to).  A file
 * some process still has open for writing is never read.  First a walk
 * imports what arrived while nobody watched (resumed by SHA-256 as every
 * import is); files of a burst go in together, in batches.  While it
 * runs, cache/watch-PID-N names it (login, pid, folder, brief) for
 * store_watch_list.  Returns when tick asks (STORE_OK), or on a store
 * failure or when the folder goes away (an error, with a message). */
int store_watch(struct store *st, const char *dir, const struct lb_watch_options *o, struct lb_watch_status *s);

/* One active watch, from its registration file. */
struct lb_watch_entry {
	char *login, *folder;   /* made safe to print */
	long pid;
	int64_t brief_id;
};
/* The watches of this store whose process runs; tidy: remove the files
 * of dead ones (stale).  Free with lb_watch_list_free. */
int store_watch_list(struct store *st, int tidy, struct lb_watch_entry **v, size_t *n);
void lb_watch_list_free(struct lb_watch_entry *v, size_t n);

/* ------------------------------------------------------------ export */

enum lb_export_format { LB_EXPORT_JSON = 0, LB_EXPORT_CSV, LB_EXPORT_MD };
const char *lb_export_format_name(int f);    /* "json", "csv", "md" */
int lb_export_format_parse(const char *s);   /* -1 when unknown; "markdown" too */

#define LB_EXPORT_FORMAT_VERSION 1

struct lb_export_options {
	int64_t project_id;
	int format;             /* enum lb_export_format */
	int64_t brief_id;       /* 0: every brief of the project */
	int all;                /* every candidate, not only the selected ones */
	int picked;             /* only candidates some curator flagged pick */
	int min_stars;          /* 0: any; else mean stars >= min_stars */
	const char *tag;        /* only candidates with this tag; NULL: any */
	const char *out;        /* write the record here: a regular file is replaced
				   atomically (keeping its mode), a device, FIFO or socket
				   written as a stream, a symbolic link followed; "-": to;
				   NULL: see below */
	FILE *to;               /* "-", or when out and copy_to are NULL: write here */
	const char *copy_to;    /* also copy the assets here as BRIEF-SLUG/N-ID.EXT with a
				   MANIFEST.sha256; the record goes in as selection.EXT
				   (and only there when out is NULL) */
	int force;              /* replace an earlier export of this store at copy_to (one
				   holding its marker and only what its manifest lists) */
};

struct lb_export_result {
	int64_t n_briefs;       /* briefs in the record */
	int64_t n_candidates;   /* candidates in the record */
	int64_t n_files;        /* files copied (copy_to) */
	int64_t bytes_copied;
	char *record_path;      /* owned: where the record went, NULL for a stream */
	char *kept;             /* owned: where the earlier export replaced with force stays,
				   because something its manifest does not list appeared in it
				   meanwhile; NULL: it is gone */
};
void lb_export_result_clear(struct lb_export_result *r);

/* Writes the project's selection record (doc/export.md describes the
 * formats): every brief with its current revision, the chosen candidates
 * with selection, ratings, tags, notes, provenance and asset SHA-256.
 * Files are written to a temporary name and renamed, the copy folder
 * built beside its destination and renamed into place, so a failure
 * leaves nothing half-written.  An existing copy_to folder is refused
 * (STORE_EINVAL) unless force.  The clock is util_now(). */
int store_export(struct store *st, const struct lb_export_options *o, struct lb_export_result *res);

/* ------------------------------------------------------------ agreement */

/* One curator's ratings in a brief. */
struct lb_curator_stats {
	char *curator;
	int n_rated;            /* candidates given stars */
	double mean_stars;      /* NAN when none */
	int n_picks, n_rejects;
};

/* Agreement of two curators (a < b by name) in a brief. */
struct lb_pair_agreement {
	char *a, *b;
	int n_common;           /* candidates both rated or flagged */
	int n_flagged;          /* of those, flagged pick or reject by at least one */
	int n_flag_agree;       /* of those, flagged the same */
	double flag_agreement;  /* n_flag_agree / n_flagged; NAN when n_flagged is 0 */
	int n_starred;          /* candidates both gave stars */
	double alpha;           /* Krippendorff's alpha, ordinal, on their stars; NAN when
				   undefined (fewer than 2 shared or no variation) */
};

/* A candidate the curators disagree on. */
struct lb_disagreement {
	int64_t candidate_id;
	int n_starred;          /* curators who gave stars */
	int min_stars, max_stars;
	double sd;              /* standard deviation of the stars (n, not n-1) */
	int n_picks, n_rejects;
	char *ratings;          /* owned: "alice 5 pick, bob 1 reject" (curators sorted) */
};

struct lb_brief_stats {
	int64_t brief_id;
	int64_t n_candidates;
	int64_t n_rated;        /* candidates with at least one rating */
	int n_ratings;          /* star ratings, all curators */
	double mean_stars;      /* NAN when no stars */
	double sd_stars;        /* sample standard deviation (n-1); NAN below 2 */
	int n_pairable;         /* star values in candidates rated by 2 or more */
	double alpha;           /* Krippendorff's alpha, ordinal (see stats.c); NAN if undefined */
	double alpha_interval;  /* the same with the interval metric, for comparison */
	int n_flagged;          /* pooled over curator pairs, as in lb_pair_agreement */
	int n_flag_agree;
	double flag_agreement;
	struct lb_curator_stats *curators; /* owned, sorted by name */
	size_t n_curators;
	struct lb_pair_agreement *pairs;   /* owned, every pair of curators */
	size_t n_pairs;
	struct lb_disagreement *disagree;  /* owned, most disagreed first */
	size_t n_disagree;
};
void lb_brief_stats_clear(struct lb_brief_stats *s);

/* Agreement figures of a brief: how many rated, mean and spread of the
 * stars, pairwise agreement (percent on pick/reject, Krippendorff's alpha
 * on stars) and up to top candidates with the most disagreement (only
 * candidates with some disagreement are listed).  *out is owned by the
 * caller (lb_brief_stats_clear). */
int store_brief_stats(struct store *st, int64_t brief_id, int top, struct lb_brief_stats *out);

/* Krippendorff's alpha for m x n_units values (values[r * n_units + u],
 * rater r, unit u; NAN = missing) with the ordinal (ordinal 1) or interval
 * metric.  *n_pairable gets the values that count.  NAN when undefined.
 * Exposed for tests and for other kinds of ratings. */
double lb_krippendorff_alpha(const double *values, int m, int n_units, int ordinal, int *n_pairable);

/* ------------------------------------------------------------ pairwise ranking */

enum lb_verdict { LB_VERDICT_LEFT = 0, LB_VERDICT_RIGHT, LB_VERDICT_TIE, LB_VERDICT_SKIP };
const char *lb_verdict_name(int v);          /* "left", "right", "tie", "skip" */
int lb_verdict_parse(const char *s);         /* also "l", "r", "t", "s"; -1 when unknown */

struct lb_comparison {
	int64_t id;
	int64_t brief_id;
	int64_t left_id, right_id;
	int verdict;
	char *curator;
	int64_t created;
};
struct lb_comparison_list {
	struct lb_comparison *v;
	size_t n;
};
void lb_comparison_clear(struct lb_comparison *c);
void lb_comparison_list_free(struct lb_comparison_list *l);

/* Records my judgement of two candidates of one brief (one transaction,
 * one undoable event) and rescores the brief's candidate.score.  *id (may
 * be NULL) gets the judgement's id. */
int store_compare(struct store *st, int64_t left_id, int64_t right_id, int verdict, int64_t *id);
/* The judgements of a brief, oldest first; curator NULL: everyone's. */
int store_comparisons(struct store *st, int64_t brief_id, const char *curator,
		      struct lb_comparison_list *out);

struct lb_rank_item {
	int64_t candidate_id;
	int rank;               /* 1 = best */
	double score;           /* Bradley-Terry log-strength; 0 = the prior's reference */
	double se;              /* its standard error (Fisher information) */
	int n;                  /* judgements it took part in (skips not counted) */
	int wins, losses, ties;
};

struct lb_ranking {
	int64_t brief_id;
	char *curator;          /* owned; NULL: pooled over curators */
	struct lb_rank_item *v; /* owned, best first; only candidates judged at least once */
	size_t n;
	int n_judgements;       /* left/right/tie judgements used */
	int n_skips;
	int iterations;         /* of the MM algorithm */
};
void lb_ranking_clear(struct lb_ranking *r);

/* Bradley-Terry scores of a brief's candidates from the judgements of
 * curator (NULL: pooled), fitted with a weak prior (one virtual tie
 * against a reference of score 0) so that sparse data converge.  Ties
 * count half a win each; skips are ignored.  *out owned by the caller. */
int store_ranking(struct store *st, int64_t brief_id, const char *curator, struct lb_ranking *out);

/* The next pair for me to judge in a brief: candidates close in their
 * current pooled score and with few judgements (the most expected
 * information), avoiding pairs I judged already and candidates I
 * rejected.  Deterministic for a given state.  STORE_EEMPTY when the
 * brief has fewer than two candidates to compare. */
struct lb_pair {
	int64_t left_id, right_id;
	double p_left;          /* predicted chance that left wins */
	double info;            /* the criterion the pair maximised */
	int times;              /* judgements of this pair by me so far */
};
int store_compare_next(struct store *st, int64_t brief_id, struct lb_pair *out);

/* Recomputes the pooled scores of a brief into candidate.score (NULL for
 * candidates never judged).  store_compare does it; for repairs. */
int store_rank_refresh(struct store *st, int64_t brief_id);

/* ------------------------------------------------------------ reads for the interface
 * (store/tui-queries.c) Cheap at any store size: nothing here counts
 * candidates, so the interface can show names at once and fill counts in
 * from a worker thread (store_project_get, store_brief_get). */

/* Projects / briefs with every count field set to -1.  out is replaced;
 * free with lb_project_list_free / lb_brief_list_free. */
int store_project_list_light(struct store *st, int include_archived, struct lb_project_list *out);
int store_brief_list_light(struct store *st, int64_t project_id, int include_archived, struct lb_brief_list *out);
/* One brief (current revision's fields), counts -1.  Clear with lb_brief_clear. */
int store_brief_get_light(struct store *st, int64_t id, struct lb_brief *out);
/* A project's name.  *name is owned by the caller. */
int store_project_name(struct store *st, int64_t id, char **name);
/* Curators who rated anything / backends that made candidates of brief_id
 * (0: any brief), starting with prefix (NULL: all), sorted.  Free with
 * store_strv_free.  store_backend_names reads every candidate of the
 * brief: call it off the interface's thread for big briefs. */
int store_curator_names(struct store *st, const char *prefix, char ***names, size_t *n);
int store_backend_names(struct store *st, int64_t brief_id, const char *prefix, char ***names, size_t *n);
/* What the job runner did lately, for the interface's status line: jobs of
 * curator that ended (done or failed) at `since` or later (Unix seconds),
 * by when they ended, at most limit; only id, brief_id, kind, backend,
 * state, error, finished and n_candidates are filled in.  *queued and
 * *running count the curator's jobs in those states now.  out is replaced. */
int store_job_news(struct store *st, const char *curator, int64_t since, int limit, struct lb_job_list *out,
		   int64_t *queued, int64_t *running);
/* The first candidate job_id made (0 when none), to open its brief there. */
int store_job_first_candidate(struct store *st, int64_t job_id, int64_t *cand_id);
/* Checkpoints copy the write-ahead log into the database and fsync: up to
 * a few hundred milliseconds on a big store.  The interface turns them
 * off on its own connection (pages 0; SQLite's default is 1000) and runs
 * store_wal_checkpoint, a PASSIVE checkpoint that waits for nobody, from
 * its worker thread.  *wal_frames and *copied (may be NULL) say how big
 * the log was and how much was copied. */
int store_wal_autocheckpoint(struct store *st, int pages);
int store_wal_checkpoint(struct store *st, int *wal_frames, int *copied);

#endif
