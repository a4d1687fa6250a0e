/*
 * store-candidates.h - candidates and their lists (filters, sorts,
 * pages), curation as the store's curator (ratings, flags, tags, notes,
 * selections), the audit log with undo/redo, and the search index.
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_CANDIDATES_H
#define LB_STORE_CANDIDATES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store-records.h"

struct store;

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
	const char *search;     /* a query (lightbox's query language); its free words
				   search prompts, bodies and notes */
	int selected;           /* only selected ones */
	const char *query;      /* another query, ANDed (the interface's filter) */
};

/* ------------------------------------------------------------ queries (query.c) */

/* lightbox's query language (see QUERIES in lightbox(1)): free words
 * and "phrases" search the full text; field terms (seed:5, steps>=30,
 * lora:NAME, param:KEY=VALUE, created:<7d, stars>=4, tag:NAME, ...);
 * AND (implicit), OR, NOT or -, parentheses, a prefix with '*'. */
struct lb_query;
enum { LB_QUERY_TEXT = 1, LB_QUERY_CURATION = 2, LB_QUERY_DISPUTED = 4 /* the term disputed */ };
/* Parses text (NULL or blank: matches everything).  0, or -1 with *err
 * (owned): "at column 12: expected ')' ...". */
int lb_query_parse(const char *text, struct lb_query **out, char **err);
void lb_query_free(struct lb_query *q);
/* LB_QUERY_* bits: what the query looks at (curation moves under a list). */
unsigned lb_query_uses(const struct lb_query *q);
/* Parses and checks every value (numbers, dates, flags); 0 or -1 with *err. */
int lb_query_check(const char *text, char **err);
/* The terms of a query a candidate is shown for (not those under NOT,
 * nor field!=value), to highlight them where they matched. */
struct lb_query_term {
	const char *field;    /* NULL: a free word or phrase; else "model", "tag", "param", ... */
	char *key;            /* param:KEY */
	char *value, *value2; /* value2: a range's end (a..b) */
	const char *op;       /* ":", "<", "<=", ">", ">=", "..", "" (param:KEY alone) */
	int prefix, phrase;
};
/* *out owned (lb_query_terms_free); returns how many; 0 for a bad query. */
size_t lb_query_terms(const char *text, struct lb_query_term **out);
void lb_query_terms_free(struct lb_query_term *t, size_t n);
/* The words a term may start with, for completion. */
extern const char *const lb_query_words[];
/* The distance of the stacks the term stack: looks at (default 10, as
 * `set stack-distance`). */
void store_set_stack_distance(struct store *st, int distance);
/* The same for every store the process opens from now on (the config's
 * `set stack-distance`, read before opening). */
void store_stack_distance_default(int distance);
/* The SQL condition a query compiles to (for tests and --explain); owned,
 * NULL with the store's message on error. */
char *store_query_sql(struct store *st, const char *text);


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

#endif
