/*
 * idset.c - sets of ids: open addressing with linear probing, 0 for an
 * empty slot (ids are > 0), for the marks of a list and other sets of ids.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

static size_t id_slot(const struct idset *s, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 17) & (s->cap - 1);
}

int idset_has(const struct idset *s, int64_t id)
{
	size_t i;

	if (s->cap == 0 || id <= 0)
		return 0;
	for (i = id_slot(s, id); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == id)
			return 1;
	return 0;
}

static void idset_grow(struct idset *s)
{
	struct idset bigger;
	size_t i;

	bigger.cap = s->cap ? s->cap * 2 : 64;
	bigger.v = xcalloc(bigger.cap, sizeof *bigger.v);
	bigger.n = 0;
	for (i = 0; i < s->cap; i++)
		if (s->v[i])
			idset_add(&bigger, s->v[i]);
	free(s->v);
	*s = bigger;
}

void idset_add(struct idset *s, int64_t id)
{
	size_t i;

	if (id <= 0)
		return;
	if ((s->n + 1) * 2 > s->cap)
		idset_grow(s);
	for (i = id_slot(s, id); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == id)
			return;
	s->v[i] = id;
	s->n++;
}

void idset_del(struct idset *s, int64_t id)
{
	size_t i, j, k;

	if (s->cap == 0 || id <= 0)
		return;
	for (i = id_slot(s, id); s->v[i] && s->v[i] != id; i = (i + 1) & (s->cap - 1))
		;
	if (s->v[i] == 0)
		return;
	s->v[i] = 0;
	s->n--;
	/* Backward-shift the cluster that follows so lookups still find it. */
	for (j = (i + 1) & (s->cap - 1); s->v[j]; j = (j + 1) & (s->cap - 1)) {
		k = id_slot(s, s->v[j]);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			s->v[i] = s->v[j];
			s->v[j] = 0;
			i = j;
		}
	}
}

void idset_clear(struct idset *s)
{
	free(s->v);
	s->v = NULL;
	s->cap = 0;
	s->n = 0;
}

int idset_each(const struct idset *s, int (*fn)(int64_t id, void *arg), void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < s->cap; i++) {
		if (s->v[i]) {
			rc = fn(s->v[i], arg);
			if (rc)
				return rc;
		}
	}
	return 0;
}
