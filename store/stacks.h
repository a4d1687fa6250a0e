/*
 * stacks.h - perceptual fingerprints of candidates, finding similar ones,
 * and stacks (candidates of a brief within a distance of each other).
 *
 *   store/hamming.c      the index for Hamming distance (no SQL)
 *   store/similar.c      fingerprints in the store, similar, stacks
 *   store/fingerprint.c  making the missing fingerprints (decodes through
 *                        media/; links libmedia)
 *
 * A fingerprint belongs to an asset (table `fingerprint`): the same file
 * in two briefs has one.  Text and audio candidates have none.
 */
#ifndef LB_STACKS_H
#define LB_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* ------------------------------------------------------------ Hamming index */

/* Multi-index hashing over n 64-bit codes (copied); positions are
 * 0..n-1 in the order given. */
struct fp_index;
struct fp_index *fp_index_new(const uint64_t *fp, size_t n);
void fp_index_free(struct fp_index **ix);
size_t fp_index_size(const struct fp_index *ix);
uint64_t fp_index_get(const struct fp_index *ix, size_t i);
/* Bytes the index holds (for `make bench`). */
size_t fp_index_bytes(const struct fp_index *ix);
/* The k nearest entries to q within maxd bits, nearest first (ties: the
 * lower position first), into pos[] and dist[] (k slots each); returns
 * how many. */
size_t fp_index_nearest(const struct fp_index *ix, uint64_t q, int maxd, size_t k, uint32_t *pos,
			int *dist);
/* The same by looking at every code: the reference the index is
 * measured and tested against. */
size_t fp_scan_nearest(const uint64_t *fp, size_t n, uint64_t q, int maxd, size_t k, uint32_t *pos,
		       int *dist);
/* Every entry within r bits of q, ascending, into the growing array
 * *out of *cap slots; returns how many. */
size_t fp_index_within(const struct fp_index *ix, uint64_t q, int r, uint32_t **out, size_t *cap);

/* ------------------------------------------------------------ fingerprints in the store */

/* An asset of an image or video candidate that has no fingerprint row. */
struct lb_fp_todo {
	int64_t asset_id;
	char sha256[65];
	char ext[16];
	int video;
};
/* Up to limit assets after asset id `after` (ascending) of the brief's
 * candidates (brief_id 0: of every brief) with no fingerprint; with
 * retry, also those whose fingerprint failed before.  *out is owned. */
int store_fp_todo(struct store *st, int64_t brief_id, int64_t after, int retry, int limit,
		  struct lb_fp_todo **out, size_t *n);

/* What making one asset's fingerprint gave: ok and fp, or the error. */
struct lb_fp_result {
	int64_t asset_id;
	int ok;
	uint64_t fp;
	const char *error; /* when !ok: why (kept in the store, shown by doctor) */
};
/* Writes results in one short transaction (no file is read in it). */
int store_fp_put(struct store *st, const struct lb_fp_result *r, size_t n);
/* Image and video candidates of a brief (0: all) with a fingerprint,
 * without one yet, and whose fingerprint failed. */
int store_fp_counts(struct store *st, int64_t brief_id, int64_t *have, int64_t *missing,
		    int64_t *failed);
/* The fingerprint of a candidate's asset: STORE_ENOTFOUND when the
 * candidate does not exist, STORE_EEMPTY (with a message saying why) when
 * it has no fingerprint. */
int store_fp_get(struct store *st, int64_t candidate_id, uint64_t *fp);

/* Up to limit candidates whose fingerprint failed, with the reason
 * (owned strings in *why), newest first. */
int store_fp_failures(struct store *st, int limit, int64_t **ids, char ***why, size_t *n);

/* Makes the missing fingerprints of the brief's candidates (0: all),
 * reading and decoding each file outside any transaction and writing
 * them in batches.  Stops early when *stop becomes non-zero (may be
 * NULL).  made/failed (may be NULL) count this run's.  A failure to
 * decode is recorded, not returned; a store error is returned. */
int store_fp_fill(struct store *st, int64_t brief_id, int retry, long long pixel_limit,
		  const volatile int *stop, size_t *made, size_t *failed);

/* At most max of the store's missing fingerprints, for a worker that
 * must stay free for other tasks between small batches; *more is 1 when
 * some may be left. */
int store_fp_fill_some(struct store *st, long long pixel_limit, size_t max, size_t *made,
		       int *more);

/* One filler at a time per store: an exclusive flock on
 * cache/fingerprint.lock (made in the store's mode), labelled with the
 * holder's login and pid.  With wait, blocks until it is free; without,
 * returns 1 at once when another holds it.  0 with *fd the lock's
 * descriptor (store_fp_unlock lets go), or a store error. */
int store_fp_lock(struct store *st, int wait, int *fd);
void store_fp_unlock(int *fd);
/* 1 when a filler holds the lock (*login owned and *pid from its label,
 * either may be NULL), else 0. */
int store_fp_filler(struct store *st, char **login, long *pid);

/* ------------------------------------------------------------ similar */

enum lb_fp_scope { LB_FP_BRIEF = 0, LB_FP_PROJECT, LB_FP_ALL };

/* The candidates with a fingerprint in a scope, by id. */
struct lb_fp_set {
	int64_t *id;
	int64_t *brief;
	uint64_t *fp;
	size_t n;
	void *map; /* the arrays point into this mapping when not NULL */
	size_t maplen;
};
int store_fp_set(struct store *st, int scope, int64_t scope_id, struct lb_fp_set *out);
/* The same for the whole store, mapped from cache/fingerprints.bin when
 * it is current, else read and the file rewritten (fp-cache.c).
 * *from_file (may be NULL) says whether the file served. */
int store_fp_set_all(struct store *st, struct lb_fp_set *out, int *from_file);
/* Any scope: a brief's or a project's rows are taken from the packed file
 * when it is current (never made again for them), else read. */
int store_fp_set_cached(struct store *st, int scope, int64_t scope_id, struct lb_fp_set *out,
			int *from_file);
void lb_fp_set_free(struct lb_fp_set *s);

struct lb_similar {
	int64_t id;
	int64_t brief_id;
	int distance;
};
/* The candidates nearest to candidate `cand` (itself left out) in its
 * brief, its project or the whole store, nearest first, at most limit,
 * through ix when given (built over set), else by a scan of set. */
size_t lb_similar_in(const struct lb_fp_set *set, const struct fp_index *ix, int64_t cand,
		     uint64_t fp, int maxd, size_t limit, struct lb_similar *out);

/* ------------------------------------------------------------ stacks */

struct lb_stack_member {
	int64_t id;
	int has_fp;
	uint64_t fp;
	int my_stars;  /* -1: not rated by me */
	int my_flag;
	double score;  /* pooled score, NAN when none */
};
/* Members of stack i are member[stack[i].first .. + stack[i].n), best
 * first (my rating: not rejected, more stars, picked; then the pooled
 * score; then the older).  Stacks are in the order of their oldest
 * member.  A candidate without fingerprint is a stack of its own. */
struct lb_stack {
	size_t first, n;
};
struct lb_stacks {
	struct lb_stack_member *member;
	size_t nmember;
	struct lb_stack *stack;
	size_t n;
	size_t unprinted; /* candidates without a fingerprint (text, audio, not made yet) */
};
/* 1 when a is the better of two members (the order above). */
int lb_stack_member_better(const struct lb_stack_member *a, const struct lb_stack_member *b);
/* Groups the brief's candidates: two candidates whose fingerprints are
 * within distance bits are in one stack (and so, transitively, their
 * neighbours). */
int store_stacks(struct store *st, int64_t brief_id, int distance, struct lb_stacks *out);
/* The same over members already read (the grouping alone, for benches
 * and the interface): fills out->stack from out->member. */
void lb_stacks_group(struct lb_stacks *out, int distance);
/* store_stacks in parts, for a worker that must stay free for other
 * tasks: the members read (out->stack empty), then grouped in steps of
 * at most max fingerprints (lb_grouper_step returns 1 while some are
 * left), then put in stacks (finish frees the grouper).  out must stay
 * where it is meanwhile. */
int store_stacks_members(struct store *st, int64_t brief_id, struct lb_stacks *out);
struct lb_grouper;
struct lb_grouper *lb_grouper_new(struct lb_stacks *out, int distance);
int lb_grouper_step(struct lb_grouper *g, size_t max);
void lb_grouper_finish(struct lb_grouper **g);
void lb_grouper_free(struct lb_grouper **g);
void lb_stacks_free(struct lb_stacks *s);

/* "Keep best, reject rest": flags every member of stack i but the first
 * rejected (those not already rejected), as one undo step.  i = -1 does
 * it for every stack of more than one, still as one step.  *rejected
 * (may be NULL) counts the flags written. */
int store_stacks_keep_best(struct store *st, const struct lb_stacks *s, long i, size_t *rejected);

#endif
