/*
 * filter.h - candidate filters as the user writes them (filter.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_FILTER_H
#define LB_TUI_FILTER_H

#include <stdint.h>

#include "store/store.h"

/* ------------------------------------------------------------ filters (filter.c) */

/* A candidate filter as the user wrote it: owned strings. */
struct tfilter {
	int min_stars, max_stars; /* 0: none */
	int exact_stars;          /* 1: stars=N (min=max=N) */
	int has_flag, flag;
	int unrated, selected;
	char *tag, *curator, *backend;
};
/* Parses "stars>=4 flag:pick tag:hero curator:bob backend:sdxl unrated
 * selected" into f (replaced).  0, or -1 with *err (owned) naming the bad word. */
int tfilter_parse(const char *expr, struct tfilter *f, char **err);
/* The expression form ("" when empty).  Owned. */
char *tfilter_format(const struct tfilter *f);
int tfilter_empty(const struct tfilter *f);
/* 1 when the filter looks at ratings, flags, tags or the selection. */
int tfilter_uses_curation(const struct tfilter *f);
void tfilter_copy(struct tfilter *dst, const struct tfilter *src);
void tfilter_clear(struct tfilter *f);
/* Fills lb (borrowing f's strings) for brief_id and search. */
void tfilter_to_lb(const struct tfilter *f, int64_t brief_id, const char *search, struct lb_filter *lb);
/* The words that may start a filter term, for completion. */
extern const char *const tfilter_words[];

#endif
