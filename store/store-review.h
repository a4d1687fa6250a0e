/*
 * store-review.h - saved views (store/saved-view.c), several judges per
 * candidate and adjudication (store/review.c), what wins (store/wins.c).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_REVIEW_H
#define LB_STORE_REVIEW_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* ------------------------------------------------------------ saved views (saved-view.c) */

/* A named query with its sort, for a project (project_id) or the whole
 * store (0), shared with its author. */
struct lb_saved_view {
	int64_t id, project_id;
	char *name, *query, *sort, *author;
	int64_t created, updated;
};
struct lb_saved_view_list {
	struct lb_saved_view *v;
	size_t n;
};
void lb_saved_view_clear(struct lb_saved_view *v);
void lb_saved_view_list_free(struct lb_saved_view_list *l);
/* Saves (or replaces: *replaced) a view; the query is checked first. */
int store_view_save(struct store *st, int64_t project_id, const char *name, const char *query, const char *sort,
		    int *replaced);
/* The view NAME of the project; with fallback, else the store-wide one.
 * STORE_ENOTFOUND when none. */
int store_view_get(struct store *st, int64_t project_id, const char *name, int fallback,
		   struct lb_saved_view *out);
int store_view_rm(struct store *st, int64_t project_id, const char *name);
/* The project's views and the store-wide ones (project_id -1: every view). */
int store_views(struct store *st, int64_t project_id, struct lb_saved_view_list *out);

/* ------------------------------------------------------------ judges and adjudication (review.c) */

/* Gives each candidate of the brief to `overlap` of the n curators, in
 * turn, so each gets the same number give or take one; replaces the
 * brief's assignment.  per_curator[i] gets curator i's count. */
int store_assign(struct store *st, int64_t brief_id, char *const *curators, size_t n, int overlap,
		 int64_t *per_curator);
struct lb_progress {
	char *curator;
	int64_t assigned, done; /* done: assigned ones the curator rated or flagged */
};
int store_assign_progress(struct store *st, int64_t brief_id, struct lb_progress **out, size_t *n);
void lb_progress_free(struct lb_progress *p, size_t n);
/* What makes a candidate disputed (the thresholds can be set):
 * - its stars lie `gap` or more apart (1 to 5);
 * - a curator picked it and another rejected it;
 * - the pairwise (Bradley-Terry) order contradicts the stars: it was
 *   compared directly with another candidate, the pooled fit says the
 *   one wins against the other 9 times in 10 or more (sigmoid(s_a - s_b)
 *   >= 0.9), and the curators' mean stars order them the other way by
 *   `bt_gap` stars or more (0: not looked for).  Both enter the queue. */
#define LB_DISPUTE_GAP 2
#define LB_DISPUTE_BT_GAP 1.0
#define LB_DISPUTE_BT_P 0.9
struct lb_dispute_rules {
	int gap;
	double bt_gap;
};
enum { LB_DISPUTE_STARS = 1, LB_DISPUTE_FLAGS = 2, LB_DISPUTE_ORDER = 4 };
struct lb_conflict {
	int64_t candidate_id;
	int min_stars, max_stars; /* -1: no stars */
	int n_starred, n_picks, n_rejects;
	double mean_stars;        /* NAN: no stars */
	unsigned kinds;           /* LB_DISPUTE_* */
	char *votes;              /* "alice:5:pick bob:1:reject" */
	char *decision;           /* "carol:4:pick", NULL when not adjudicated */
	char *reason;             /* "stars 1 to 5; pick against reject; pairwise over #7 ..." */
};
/* The disputed candidates of a brief, by id; rules NULL: the defaults.
 * Blind review: only the judgements the store's curator may see count. */
int store_conflicts(struct store *st, int64_t brief_id, const struct lb_dispute_rules *rules,
		    struct lb_conflict **out, size_t *n);
/* How many candidates of the brief others judged that blind review hides
 * from the store's curator (0 when the brief is not blind). */
int store_blind_hidden(struct store *st, int64_t brief_id, int64_t *n);
void lb_conflicts_free(struct lb_conflict *c, size_t n);
/* The rules the query term `disputed` follows (default LB_DISPUTE_GAP,
 * LB_DISPUTE_BT_GAP; the interface's `set dispute-gap`, `dispute-bt-gap`).
 * Out of range: STORE_EINVAL, nothing changes. */
int store_set_dispute_rules(struct store *st, const struct lb_dispute_rules *rules);
/* The candidates the pairwise-order rule marks, computed elsewhere by
 * store_conflicts (the interface's worker: the fit must not run on its
 * thread).  From now on the term `disputed` takes this set for that rule
 * instead of fitting as it compiles; the stars and flags rules stay SQL.
 * Replaces what was given for brief_id (0: for every brief). */
int store_disputes_given(struct store *st, int64_t brief_id, const int64_t *ids, size_t n);
/* The adjudicator's (the store's curator's) decision: final stars (-1:
 * none) and flag, with a reason; replaces an earlier one. */
int store_adjudicate(struct store *st, int64_t candidate_id, int stars, int flag, const char *reason);
struct lb_adjudication {
	char *adjudicator, *reason;
	int stars, flag;
	int64_t created;
};
/* STORE_ENOTFOUND when the candidate was not adjudicated. */
int store_adjudication(struct store *st, int64_t candidate_id, struct lb_adjudication *out);
void lb_adjudication_clear(struct lb_adjudication *a);

/* ------------------------------------------------------------ what wins (wins.c) */

/* One value of a field (a model, a LoRA, a prompt phrase ...) and how its
 * candidates were judged. */
struct lb_win {
	char *value;
	int n_candidates, n_rated, n_ratings, n_picked, n_scored;
	double stars, stars_lo, stars_hi; /* mean of the ratings, 95% interval (NAN: too few) */
	double pick_rate, pick_lo, pick_hi; /* share of candidates picked, Wilson 95% */
	double score;                     /* mean pairwise (Bradley-Terry) score, NAN: none */
	int ranked;                       /* n_rated >= the minimum support */
};
/* Groups the candidates of brief_id (or, when 0, of project_id) by
 * `by`: model, sampler, scheduler, steps, cfg, lora, param:KEY, phrase,
 * revision, backend, seed, tag, width, height.  Ranked groups first, by
 * the lower end of their stars interval. */
int store_wins(struct store *st, int64_t brief_id, int64_t project_id, const char *by, int min_support,
	       struct lb_win **out, size_t *n);
void lb_wins_free(struct lb_win *w, size_t n);

#endif
