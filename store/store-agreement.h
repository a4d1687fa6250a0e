/*
 * store-agreement.h - agreement between curators and pairwise ranking
 * (store/stats.c, store/comparison.c).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_AGREEMENT_H
#define LB_STORE_AGREEMENT_H

#include <stddef.h>
#include <stdint.h>

struct store;

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
	int64_t n_hidden;       /* candidates others judged that blind review hides from
				   me: every figure below leaves their ratings out */
	int n_ratings;          /* star ratings, all curators */
	double mean_stars;      /* NAN when no stars */
	double sd_stars;        /* sample standard deviation (n-1); NAN below 2 */
	int n_pairable;         /* star values in candidates rated by 2 or more */
	double alpha;           /* Krippendorff's alpha, ordinal (see stats.c); NAN if undefined */
	double alpha_interval;  /* the same with the interval metric, for comparison */
	int n_flagged;          /* pooled over curator pairs, as in lb_pair_agreement */
	int n_flag_agree;
	double flag_agreement;
	/* The same after adjudication: each decided candidate's votes
	 * replaced by the decision (its stars when it gave stars, its flag). */
	int n_adjudicated;      /* decisions applied (on candidates with votes I may see) */
	double alpha_after, alpha_interval_after;
	int n_pairable_after;
	int n_flagged_after, n_flag_agree_after;
	double flag_agreement_after;
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

#endif
