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

#define STORE_SCHEMA_VERSION 1

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
/* Path of the cache folder (dir/cache), created on demand. */
const char *store_cache_dir(const struct store *st);
/* PRAGMA data_version: changes when another connection commits. */
int store_data_version(struct store *st, int64_t *v);
/* The schema version of the open database. */
int store_schema_version(struct store *st);

/* Joins the following actions into one transaction and one undo step
 * named label.  _end(st, 1) commits, _end(st, 0) rolls back.  Nests. */
int store_batch_begin(struct store *st, const char *label);
int store_batch_end(struct store *st, int commit);

/* ------------------------------------------------------------ records */

enum lb_flag { LB_FLAG_NONE = 0, LB_FLAG_PICK = 1, LB_FLAG_REJECT = 2 };
const char *lb_flag_name(int flag);          /* "none", "pick", "reject" */
int lb_flag_parse(const char *s);            /* -1 when unknown */

enum lb_modality { LB_IMAGE = 0, LB_TEXT, LB_AUDIO, LB_VIDEO };
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
	char *action;           /* "rate", "flag", "tag", "undo", ... */
	char *entity;           /* "rating", "candidate_tag", "brief", ... */
	int64_t entity_id;      /* candidate id, brief id, ... */
	char *before;           /* JSON or NULL */
	char *after;            /* JSON or NULL */
	int64_t group_id;       /* events of one undo step share it */
	int undone;
};

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
/* Running jobs of a dead runner go back to queued (at start-up). */
int store_job_requeue_interrupted(struct store *st, int *n);
int store_job_progress(struct store *st, int64_t id, double progress);
/* Back to queued, not before next_at, with the error that caused it. */
int store_job_retry_later(struct store *st, int64_t id, int64_t next_at, const char *error);
int store_job_fail(struct store *st, int64_t id, const char *error);
int store_job_cancel(struct store *st, int64_t id);
/* Requeues a failed or cancelled job (user's retry). */
int store_job_resubmit(struct store *st, int64_t id);
/* Finishes a job: its candidates (assets already stored) are added and the
 * job marked done in one transaction.  ids may be NULL. */
int store_job_done(struct store *st, int64_t id, const struct lb_candidate_input *in, size_t n,
		   int64_t *ids);

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
/* Checkpoints copy the write-ahead log into the database and fsync: up to
 * a few hundred milliseconds on a big store.  The interface turns them
 * off on its own connection (pages 0; SQLite's default is 1000) and runs
 * store_wal_checkpoint, a PASSIVE checkpoint that waits for nobody, from
 * its worker thread.  *wal_frames and *copied (may be NULL) say how big
 * the log was and how much was copied. */
int store_wal_autocheckpoint(struct store *st, int pages);
int store_wal_checkpoint(struct store *st, int *wal_frames, int *copied);

#endif
