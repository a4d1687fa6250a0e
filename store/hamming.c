/*
 * hamming.c - nearest 64-bit fingerprints by Hamming distance: multi-index
 * hashing (Norouzi, Punjani, Fleet, "Fast Search in Hamming Space with
 * Multi-Index Hashing", CVPR 2012).
 *
 * The 64 bits are cut into four 16-bit chunks, and each chunk has a table
 * of the entries by that chunk's value (a counting sort: 65,537 offsets
 * and n positions).  Two codes at distance d have at least one chunk at
 * distance floor(d/4) or less (pigeonhole), so probing, in every table,
 * the values within s bits of the query's chunk finds every entry within
 * 4s+3 bits.  A search widens s one step at a time and stops as soon as
 * the k nearest found so far are all within 4s+3: nothing unseen can be
 * nearer.  When the next step would look at more entries than a scan
 * would (query far from everything), it scans instead.
 *
 * Measured in `make bench` (tests/bench/bench-stacks.c) against the scan.
 */
#include "config.h"

#include "stacks.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CHUNKS 4
#define VALUES 65536

struct fp_index {
	uint64_t *fp;
	size_t n;
	uint32_t *start[CHUNKS]; /* VALUES + 1 offsets into pos[] */
	uint32_t *pos[CHUNKS];   /* entry positions, by chunk value */
	uint16_t *mask;          /* the 16-bit masks by how many bits they set, */
	uint32_t mask_at[19];    /* those with s bits from mask_at[s] */
};

static unsigned chunk(uint64_t v, int j)
{
	return (unsigned)(v >> (16 * j)) & 0xffff;
}

struct fp_index *fp_index_new(const uint64_t *fp, size_t n)
{
	struct fp_index *ix = xcalloc(1, sizeof *ix);
	size_t i;
	int j;

	if (n > UINT32_MAX - 1)
		fatal("fp_index_new: %zu entries are more than it can hold", n);
	ix->n = n;
	ix->mask = xmalloc(sizeof *ix->mask * VALUES);
	for (i = 0; i < VALUES; i++)
		ix->mask_at[__builtin_popcount((unsigned)i) + 2]++;
	for (j = 0; j < 18; j++)
		ix->mask_at[j + 1] += ix->mask_at[j];
	for (i = 0; i < VALUES; i++)
		ix->mask[ix->mask_at[__builtin_popcount((unsigned)i) + 1]++] = (uint16_t)i;
	ix->fp = xmalloc(sizeof *ix->fp * (n ? n : 1));
	if (n)
		memcpy(ix->fp, fp, sizeof *fp * n);
	for (j = 0; j < CHUNKS; j++) {
		uint32_t *st = xcalloc(VALUES + 1, sizeof *st), *p = xmalloc(sizeof *p * (n ? n : 1));

		for (i = 0; i < n; i++)
			st[chunk(fp[i], j) + 1]++;
		for (i = 0; i < VALUES; i++)
			st[i + 1] += st[i];
		for (i = 0; i < n; i++) /* stable: a bucket lists its entries in order */
			p[st[chunk(fp[i], j)]++] = (uint32_t)i;
		for (i = VALUES; i > 0; i--) /* st[v] moved to the end of v: shift back */
			st[i] = st[i - 1];
		st[0] = 0;
		ix->start[j] = st;
		ix->pos[j] = p;
	}
	return ix;
}

void fp_index_free(struct fp_index **ixp)
{
	struct fp_index *ix = *ixp;
	int j;

	if (ix == NULL)
		return;
	for (j = 0; j < CHUNKS; j++) {
		free(ix->start[j]);
		free(ix->pos[j]);
	}
	free(ix->fp);
	free(ix->mask);
	free(ix);
	*ixp = NULL;
}

size_t fp_index_size(const struct fp_index *ix)
{
	return ix ? ix->n : 0;
}

size_t fp_index_bytes(const struct fp_index *ix)
{
	if (ix == NULL)
		return 0;
	return sizeof *ix + ix->n * (sizeof(uint64_t) + CHUNKS * sizeof(uint32_t)) +
	       CHUNKS * (VALUES + 1) * sizeof(uint32_t) + VALUES * sizeof(uint16_t);
}

uint64_t fp_index_get(const struct fp_index *ix, size_t i)
{
	return ix->fp[i];
}

/* ---------------------------------------------------------- k nearest */

struct best {
	size_t k, n;
	int maxd;
	uint32_t *pos;
	int *dist;
};

/* Keeps pos if it is among the k nearest (ties: the earlier entry). */
static void consider(struct best *b, uint32_t pos, int d)
{
	size_t i;

	if (d > b->maxd)
		return;
	if (b->n == b->k && (d > b->dist[b->n - 1] || (d == b->dist[b->n - 1] && pos > b->pos[b->n - 1])))
		return;
	for (i = 0; i < b->n; i++) /* found again through another chunk */
		if (b->pos[i] == pos)
			return;
	i = b->n < b->k ? b->n++ : b->n - 1;
	while (i > 0 && (b->dist[i - 1] > d || (b->dist[i - 1] == d && b->pos[i - 1] > pos))) {
		b->dist[i] = b->dist[i - 1];
		b->pos[i] = b->pos[i - 1];
		i--;
	}
	b->dist[i] = d;
	b->pos[i] = pos;
}

size_t fp_scan_nearest(const uint64_t *fp, size_t n, uint64_t q, int maxd, size_t k, uint32_t *pos,
		       int *dist)
{
	struct best b = { k, 0, maxd, pos, dist };
	size_t i;

	if (k == 0)
		return 0;
	for (i = 0; i < n; i++) {
		int d = __builtin_popcountll(fp[i] ^ q);

		if (d <= maxd && (b.n < k || d <= b.dist[b.n - 1]))
			consider(&b, (uint32_t)i, d);
	}
	return b.n;
}

/* Entries probing level s costs: 4 tables x C(16, s) buckets and their
 * expected entries, against n for a scan. */
static double level_cost(size_t n, int s)
{
	double c = 1;
	int i;

	for (i = 0; i < s; i++)
		c = c * (16 - i) / (i + 1);
	return CHUNKS * c * (1.0 + (double)n / VALUES);
}

/* Calls fn for every entry in a bucket within exactly s bits of q's
 * chunk, in every table. */
static void probe_level(const struct fp_index *ix, uint64_t q, int s,
			void (*fn)(const struct fp_index *, uint32_t, uint64_t, void *), void *arg)
{
	int j;

	for (j = 0; j < CHUNKS; j++) {
		unsigned qc = chunk(q, j);
		uint32_t k;

		for (k = ix->mask_at[s]; k < ix->mask_at[s + 1]; k++) {
			unsigned v = qc ^ ix->mask[k];
			uint32_t a = ix->start[j][v], e = ix->start[j][v + 1];

			for (; a < e; a++)
				fn(ix, ix->pos[j][a], q, arg);
		}
	}
}

static void nearest_fn(const struct fp_index *ix, uint32_t pos, uint64_t q, void *arg)
{
	struct best *b = arg;
	int d = __builtin_popcountll(ix->fp[pos] ^ q);

	if (d <= b->maxd && (b->n < b->k || d <= b->dist[b->n - 1]))
		consider(b, pos, d);
}

size_t fp_index_nearest(const struct fp_index *ix, uint64_t q, int maxd, size_t k, uint32_t *pos,
			int *dist)
{
	struct best b = { k, 0, maxd, pos, dist };
	double spent = 0;
	int s;

	if (k == 0 || ix->n == 0)
		return 0;
	if (maxd > 64)
		b.maxd = maxd = 64;
	for (s = 0; s <= 16; s++) {
		double next = level_cost(ix->n, s);

		if (spent + next > (double)ix->n) /* a scan is cheaper from here */
			return fp_scan_nearest(ix->fp, ix->n, q, maxd, k, pos, dist);
		spent += next;
		probe_level(ix, q, s, nearest_fn, &b);
		/* everything within 4s+3 has been seen */
		if (4 * s + 3 >= maxd || (b.n == k && b.dist[b.n - 1] <= 4 * s + 3))
			break;
	}
	return b.n;
}

/* ---------------------------------------------------------- all within r */

struct within {
	int r;
	uint32_t **out;
	size_t n, *cap;
};

static void within_fn(const struct fp_index *ix, uint32_t pos, uint64_t q, void *arg)
{
	struct within *w = arg;

	if (__builtin_popcountll(ix->fp[pos] ^ q) > w->r)
		return;
	if (w->n == *w->cap) {
		*w->cap = *w->cap ? *w->cap * 2 : 64;
		*w->out = xrealloc(*w->out, sizeof **w->out * *w->cap);
	}
	(*w->out)[w->n++] = pos;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

size_t fp_index_within(const struct fp_index *ix, uint64_t q, int r, uint32_t **out, size_t *cap)
{
	struct within w = { r, out, 0, cap };
	double cost = 0;
	size_t i, m;
	int s;

	if (r < 0 || ix->n == 0)
		return 0;
	for (s = 0; s <= r / 4 && s <= 16; s++)
		cost += level_cost(ix->n, s);
	if (cost > (double)ix->n) {
		for (i = 0; i < ix->n; i++)
			within_fn(ix, (uint32_t)i, q, &w);
		return w.n;
	}
	for (s = 0; s <= r / 4 && s <= 16; s++)
		probe_level(ix, q, s, within_fn, &w);
	if (w.n < 2)
		return w.n;
	qsort(*out, w.n, sizeof **out, cmp_u32);
	for (i = 1, m = 1; i < w.n; i++)
		if ((*out)[i] != (*out)[m - 1])
			(*out)[m++] = (*out)[i];
	return m;
}
