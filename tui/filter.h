/*
 * filter.h - candidate filters as the user writes them (filter.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_FILTER_H
#define LB_TUI_FILTER_H

#include <stdint.h>

#include "store/store.h"

/* ------------------------------------------------------------ filters (filter.c) */

/* A candidate filter as the user wrote it: a query (store/query.c). */
struct tfilter {
	char *text;     /* owned, trimmed; NULL: no filter */
	unsigned uses;  /* LB_QUERY_* */
};
/* Checks expr and puts it in f (replaced).  0, or -1 with *err (owned)
 * naming the column of the mistake; f is unchanged then. */
int tfilter_parse(const char *expr, struct tfilter *f, char **err);
/* The filter AND "FIELDvalue" (value quoted when it must be), as text
 * to parse.  Owned. */
char *tfilter_and(const struct tfilter *f, const char *field, const char *value);
/* The expression form ("" when empty).  Owned. */
char *tfilter_format(const struct tfilter *f);
int tfilter_empty(const struct tfilter *f);
/* 1 when the filter looks at ratings, flags, tags or the selection. */
int tfilter_uses_curation(const struct tfilter *f);
void tfilter_copy(struct tfilter *dst, const struct tfilter *src);
void tfilter_clear(struct tfilter *f);
/* Fills lb (borrowing f's strings) for brief_id and search. */
void tfilter_to_lb(const struct tfilter *f, int64_t brief_id, const char *search, struct lb_filter *lb);
/* What a list's filter and search found, to highlight where it matched:
 * free words in the texts, a field's term in the places that show the
 * field (filter.c). */
enum hl_scope {
	HL_TEXT,    /* prompt, negative prompt, text body: free words */
	HL_PARAMS,  /* the parameters: free words, sampler, scheduler, lora, steps, cfg, param */
	HL_NOTES,   /* free words, note: */
	HL_TAGS,    /* tag: */
	HL_BACKEND, /* backend:, model: */
	HL_SOURCE,  /* source: */
	HL__COUNT
};
struct thl {
	char *key;                  /* the queries the words are for */
	char **w[HL__COUNT];        /* NULL-terminated, or NULL */
	size_t n[HL__COUNT];
	struct lb_query_term *seed; /* the seed: terms */
	size_t nseed;
};
/* Reads the words again when filter or search (either may be NULL)
 * changed since the last call; cheap when they did not. */
void thl_update(struct thl *h, const char *filter, const char *search);
/* 1 when seed satisfies a seed: term of the queries. */
int thl_seed(const struct thl *h, int64_t seed);
void thl_clear(struct thl *h);

/* The words that may start a filter term, for completion. */
extern const char *const *const tfilter_words;

#endif
