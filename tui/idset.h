/*
 * idset.h - sets of ids (open addressing), for marks and pending rows (idset.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_IDSET_H
#define LB_TUI_IDSET_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ id sets (idset.c) */

struct idset {
	int64_t *v;  /* open addressing; 0 = empty (ids are > 0) */
	size_t cap;  /* a power of two, or 0 */
	size_t n;
};
int idset_has(const struct idset *s, int64_t id);
void idset_add(struct idset *s, int64_t id);
void idset_del(struct idset *s, int64_t id);
void idset_clear(struct idset *s);
/* Calls fn for each id; stops early when fn returns non-zero. */
int idset_each(const struct idset *s, int (*fn)(int64_t id, void *arg), void *arg);

#endif
