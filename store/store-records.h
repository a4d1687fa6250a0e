/*
 * store-records.h - the records the store hands out (struct lb_*), their
 * owned lists (LB_LIST) and the functions that free them (store/records.c).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_RECORDS_H
#define LB_STORE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

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
	int blind;              /* blind review (store_brief_blind) */
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

/* A linked asset file against its record (size and mtime; the hash on
 * demand with store_asset_verify). */
enum lb_asset_state {
	LB_ASSET_OK = 0,
	LB_ASSET_CHANGED,       /* its size or mtime differ: edited in place outside lightbox */
	LB_ASSET_MISSING,       /* its file is gone */
};
/* "changed outside lightbox since it was linked" and such; NULL for OK. */
const char *lb_asset_state_words(int state);

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
	char *path;             /* absolute path of the asset file; NULL when a linked
				   file changed or vanished outside lightbox (asset_state) */
	int link;               /* 0 the store's copy, 1 a hard link, 2 a reflink */
	int asset_state;        /* enum lb_asset_state */
	int64_t bytes;
	int width, height;
	double duration;
	int64_t purged;         /* when lightbox purge freed the file; 0: it is there */
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

#endif
