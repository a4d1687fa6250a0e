/*
 * fold.c - stacks folded in the candidate list and the grid.
 *
 * The list reads the store a page at a time (keyset pagination); this
 * file turns a page of the store's order into the rows the list shows:
 * a candidate of a stack of near-copies shows only when it is the
 * stack's head, its best member (my rating, then the pooled score, as
 * store_stacks orders them) among those the filter and search let
 * through.  The head carries the count; when the stack is open its
 * other members follow it, indented.  So a stack stands where its best
 * member stands in the sort, like a collapsed stack in a photo library.
 *
 * A page from a member row goes on with the members after it, then the
 * store's order after the head; backward, the head and the members
 * before it, then the store's order before the head.  With no filter,
 * the members of a closed stack cost nothing (the map says who is
 * head); with one, a stack met on a page is asked which of its members
 * match (one short query by id).  The map comes from the worker
 * (fold_compute): the interface thread never groups.
 */
#include "config.h"

#include "tui-private.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store/stacks.h"

/* ------------------------------------------------------------ the map and its snapshots */

struct fmap {
	atomic_int refs;
	int distance;
	struct lb_stacks s;
	size_t nidx;   /* members of stacks of more than one */
	int64_t *ids;  /* their ids, ascending */
	uint32_t *mem; /* ids[i]'s index in s.member */
	uint32_t *stk; /* per s.member: its stack */
	size_t nmulti;
};

/* A stack put in order again after a rating typed here (the map is
 * shared and never changes): immutable, shared by the snapshots. */
struct reorder {
	atomic_int refs;
	size_t stack, n;
	struct lb_stack_member *m;
};

struct fold {
	atomic_int refs;
	struct fmap *m;
	unsigned char *open; /* per stack of m->s */
	int all_open;        /* O opened every stack: new ones come open too */
	struct reorder **ro; /* stacks reordered since the map was made */
	size_t nro;
};

static void reorder_unref(struct reorder *r)
{
	if (atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	free(r->m);
	free(r);
}

/* The members of stack k, best first, and how many. */
static const struct lb_stack_member *members_of(const struct fold *f, size_t k, size_t *n)
{
	const struct lb_stacks *s = &f->m->s;
	size_t i;

	for (i = 0; i < f->nro; i++)
		if (f->ro[i]->stack == k) {
			*n = f->ro[i]->n;
			return f->ro[i]->m;
		}
	*n = s->stack[k].n;
	return &s->member[s->stack[k].first];
}

static void fmap_unref(struct fmap *m)
{
	if (m == NULL || atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	lb_stacks_free(&m->s);
	free(m->ids);
	free(m->mem);
	free(m->stk);
	free(m);
}

static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

struct fold *fold_new(struct lb_stacks *s, int distance)
{
	struct fmap *m;
	struct fold *f;
	int64_t *pairs;
	size_t i, k, n = 0;

	for (i = 0; i < s->n; i++)
		if (s->stack[i].n > 1)
			n += s->stack[i].n;
	if (n == 0) {
		lb_stacks_free(s);
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	atomic_init(&m->refs, 1);
	m->distance = distance;
	m->s = *s;
	memset(s, 0, sizeof *s);
	m->stk = xmalloc(sizeof *m->stk * m->s.nmember);
	pairs = xmalloc(sizeof *pairs * 2 * n);
	for (i = 0; i < m->s.n; i++) {
		const struct lb_stack *st = &m->s.stack[i];

		for (k = 0; k < st->n; k++)
			m->stk[st->first + k] = (uint32_t)i;
		if (st->n < 2)
			continue;
		m->nmulti++;
		for (k = 0; k < st->n; k++) {
			pairs[2 * m->nidx] = m->s.member[st->first + k].id;
			pairs[2 * m->nidx + 1] = (int64_t)(st->first + k);
			m->nidx++;
		}
	}
	qsort(pairs, m->nidx, 2 * sizeof *pairs, cmp_pair);
	m->ids = xmalloc(sizeof *m->ids * m->nidx);
	m->mem = xmalloc(sizeof *m->mem * m->nidx);
	for (i = 0; i < m->nidx; i++) {
		m->ids[i] = pairs[2 * i];
		m->mem[i] = (uint32_t)pairs[2 * i + 1];
	}
	free(pairs);
	f = xcalloc(1, sizeof *f);
	atomic_init(&f->refs, 1);
	f->m = m;
	f->open = xcalloc(m->s.n, 1);
	return f;
}

struct fold *fold_ref(struct fold *f)
{
	if (f)
		atomic_fetch_add(&f->refs, 1);
	return f;
}

void fold_unref(struct fold **pf)
{
	struct fold *f = *pf;

	*pf = NULL;
	if (f == NULL || atomic_fetch_sub(&f->refs, 1) != 1)
		return;
	fmap_unref(f->m);
	while (f->nro > 0)
		reorder_unref(f->ro[--f->nro]);
	free(f->ro);
	free(f->open);
	free(f);
}

int fold_distance(const struct fold *f)
{
	return f ? f->m->distance : -1;
}

size_t fold_stacks(const struct fold *f)
{
	return f ? f->m->nmulti : 0;
}

int fold_all_open(const struct fold *f)
{
	return f && f->all_open;
}

/* The stack of id (of more than one member), or -1. */
static long stack_of(const struct fold *f, int64_t id)
{
	const struct fmap *m;
	size_t lo = 0, hi, mi;

	if (f == NULL)
		return -1;
	m = f->m;
	hi = m->nidx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= m->nidx || m->ids[lo] != id)
		return -1;
	mi = m->mem[lo];
	return (long)m->stk[mi];
}

int fold_in_stack(const struct fold *f, int64_t id, int64_t *head)
{
	long k = stack_of(f, id);
	size_t n;

	if (k < 0)
		return 0;
	if (head)
		*head = members_of(f, (size_t)k, &n)[0].id;
	return 1;
}

static struct fold *copy(const struct fold *f)
{
	struct fold *c = xcalloc(1, sizeof *c);

	atomic_init(&c->refs, 1);
	c->m = f->m;
	atomic_fetch_add(&c->m->refs, 1);
	c->open = xmalloc(f->m->s.n ? f->m->s.n : 1);
	memcpy(c->open, f->open, f->m->s.n);
	c->all_open = f->all_open;
	c->nro = f->nro;
	c->ro = xmalloc(sizeof *c->ro * (f->nro + 1));
	for (size_t i = 0; i < f->nro; i++) {
		c->ro[i] = f->ro[i];
		atomic_fetch_add(&c->ro[i]->refs, 1);
	}
	return c;
}

struct fold *fold_rated(const struct fold *f, int64_t id, int stars, int flag)
{
	const struct lb_stack_member *old;
	struct lb_stack_member t;
	struct reorder *r;
	struct fold *c;
	long k = stack_of(f, id);
	size_t n, i, j;

	if (k < 0)
		return NULL;
	old = members_of(f, (size_t)k, &n);
	r = xcalloc(1, sizeof *r);
	atomic_init(&r->refs, 1);
	r->stack = (size_t)k;
	r->n = n;
	r->m = xmalloc(sizeof *r->m * n);
	memcpy(r->m, old, sizeof *r->m * n);
	for (i = 0; i < n; i++)
		if (r->m[i].id == id) {
			if (stars != WR_NO_VALUE)
				r->m[i].my_stars = stars;
			if (flag != WR_NO_VALUE)
				r->m[i].my_flag = flag;
		}
	/* best first again (insertion: a stack is short) */
	for (i = 1; i < n; i++) {
		t = r->m[i];
		for (j = i; j > 0 && lb_stack_member_better(&t, &r->m[j - 1]); j--)
			r->m[j] = r->m[j - 1];
		r->m[j] = t;
	}
	c = copy(f);
	for (i = 0; i < c->nro; i++)
		if (c->ro[i]->stack == (size_t)k) {
			reorder_unref(c->ro[i]);
			c->ro[i] = r;
			return c;
		}
	c->ro[c->nro++] = r;
	return c;
}

size_t fold_reordered(const struct fold *f)
{
	return f ? f->nro : 0;
}

struct fold *fold_toggle(const struct fold *f, int64_t id, int open)
{
	long k = stack_of(f, id);
	struct fold *c;

	if (k < 0)
		return NULL;
	c = copy(f);
	c->open[k] = (unsigned char)(open < 0 ? !c->open[k] : open);
	return c;
}

struct fold *fold_toggle_all(const struct fold *f, int open)
{
	struct fold *c;
	size_t i;

	if (f == NULL)
		return NULL;
	if (open < 0) {
		open = 0;
		for (i = 0; i < f->m->s.n && !open; i++)
			open = f->m->s.stack[i].n > 1 && !f->open[i];
	}
	c = copy(f);
	memset(c->open, open, c->m->s.n);
	c->all_open = open;
	return c;
}

void fold_keep_open(struct fold *fresh, const struct fold *old)
{
	const struct lb_stacks *s;
	size_t i, k;
	long o;

	if (fresh == NULL || old == NULL)
		return;
	fresh->all_open = old->all_open;
	s = &fresh->m->s;
	for (i = 0; i < s->n; i++) {
		if (s->stack[i].n < 2)
			continue;
		fresh->open[i] = (unsigned char)old->all_open;
		for (k = 0; k < s->stack[i].n; k++) {
			o = stack_of(old, s->member[s->stack[i].first + k].id);
			if (o >= 0) {
				fresh->open[i] = old->open[o];
				break;
			}
		}
	}
}

/* ------------------------------------------------------------ rows */

struct crow *fold_row(struct lb_candidate *c, size_t keep)
{
	struct crow *r = xcalloc(1, sizeof *r);
	size_t n;
	char *cut;

	r->c = *c;
	memset(c, 0, sizeof *c);
	r->head_id = r->c.id;
	if (r->c.body && (n = strlen(r->c.body)) > keep) {
		n = keep;
		while (n > 0 && ((unsigned char)r->c.body[n] & 0xC0) == 0x80)
			n--;
		cut = xstrndup(r->c.body, n);
		free(r->c.body);
		r->c.body = cut;
	}
	return r;
}

void fold_mark(const struct crow *r, char *buf, size_t n)
{
	int u = draw_unicode();

	if (r->stack_n > 1 && r->member > 0)
		snprintf(buf, n, "%s", u ? "\xe2\x94\x94" : "`"); /* └ */
	else if (r->stack_n > 1)
		snprintf(buf, n, "%s%d", r->open ? (u ? "\xe2\x96\xbe" : "-") : (u ? "\xe2\x96\xb8" : "+"),
			 r->stack_n); /* ▾ ▸ */
	else
		buf[0] = '\0';
}

void fold_row_free(struct crow *r)
{
	if (r == NULL)
		return;
	lb_candidate_clear(&r->c);
	free(r);
}

/* Rows in the list keep at most this much of a text (view-candidates.c). */
enum { KEEP = 1024 };

/* ------------------------------------------------------------ which members show */

/* The members of one stack the filter lets through, best first. */
struct mset {
	size_t stack;
	size_t n;
	int64_t *id;
	struct lb_key *key;
	struct lb_candidate *row; /* when read; id 0 once taken */
};

struct ctx {
	struct store *st;
	const struct fold *f;
	const struct lb_filter *flt;
	int sort;
	struct mset *ms;
	size_t nms;
	char *err;
};

static int filtered(const struct lb_filter *flt)
{
	return (flt->query && *flt->query) || (flt->search && *flt->search);
}

static void mset_clear(struct mset *m)
{
	size_t i;

	for (i = 0; m->row && i < m->n; i++)
		if (m->row[i].id)
			lb_candidate_clear(&m->row[i]);
	free(m->id);
	free(m->key);
	free(m->row);
}

static void ctx_clear(struct ctx *x)
{
	size_t i;

	for (i = 0; i < x->nms; i++)
		mset_clear(&x->ms[i]);
	free(x->ms);
	free(x->err);
}

/* Reads the matching members of stack k with their rows (a query by id
 * with the filter; without one, each member by id). */
static int read_members(struct ctx *x, size_t k, struct mset *out)
{
	struct lb_candidate_list page = { NULL, 0 };
	struct lb_candidate c;
	struct lb_filter f2;
	struct sbuf q;
	size_t i, j, n;
	const struct lb_stack_member *mm = members_of(x->f, k, &n);
	int rc;

	out->id = xmalloc(sizeof *out->id * n);
	out->key = xmalloc(sizeof *out->key * n);
	out->row = xcalloc(n, sizeof *out->row);
	if (!filtered(x->flt)) {
		for (i = 0; i < n; i++) {
			if (store_candidate_get(x->st, mm[i].id, &c) != 0)
				continue;
			if (c.brief_id != x->flt->brief_id) {
				lb_candidate_clear(&c);
				continue;
			}
			out->id[out->n] = c.id;
			lb_candidate_key(&c, x->sort, &out->key[out->n]);
			out->row[out->n++] = c;
		}
		return 0;
	}
	sb_init(&q);
	if (x->flt->query && *x->flt->query)
		sb_addf(&q, "(%s) ", x->flt->query);
	sb_adds(&q, "(");
	for (i = 0; i < n; i++)
		sb_addf(&q, "%sid:%lld", i ? " OR " : "", (long long)mm[i].id);
	sb_adds(&q, ")");
	f2 = *x->flt;
	f2.query = q.s;
	rc = store_candidate_page(x->st, &f2, LB_SORT_OLDEST, NULL, 0, (int)n, &page);
	free(q.s);
	if (rc != 0) {
		x->err = xstrdup(store_errmsg(x->st));
		return -1;
	}
	/* best first, as the stack orders them */
	for (i = 0; i < n; i++)
		for (j = 0; j < page.n; j++)
			if (page.v[j].id == mm[i].id) {
				out->id[out->n] = page.v[j].id;
				lb_candidate_key(&page.v[j], x->sort, &out->key[out->n]);
				out->row[out->n++] = page.v[j];
				page.v[j].id = 0;
				break;
			}
	for (j = 0; j < page.n; j++)
		if (page.v[j].id)
			lb_candidate_clear(&page.v[j]);
	free(page.v);
	return 0;
}

/* The members of stack k that show (read once per page). */
static struct mset *members(struct ctx *x, size_t k)
{
	struct mset *m;
	size_t i;

	for (i = 0; i < x->nms; i++)
		if (x->ms[i].stack == k)
			return &x->ms[i];
	x->ms = xrealloc(x->ms, sizeof *x->ms * (x->nms + 1));
	m = &x->ms[x->nms++];
	memset(m, 0, sizeof *m);
	m->stack = k;
	if (read_members(x, k, m) != 0) {
		mset_clear(m);
		x->nms--;
		return NULL;
	}
	return m;
}

static long index_in(const struct mset *m, int64_t id)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->id[i] == id)
			return (long)i;
	return -1;
}

/* ------------------------------------------------------------ reading pages */

struct rows {
	struct crow **v;
	size_t n, cap;
};

static void push(struct rows *r, struct crow *row)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xrealloc(r->v, sizeof *r->v * r->cap);
	}
	r->v[r->n++] = row;
}

/* Member j of m as a row of stack k. */
static struct crow *member_row(struct ctx *x, struct mset *m, size_t j)
{
	struct lb_candidate c;
	struct crow *r;

	if (m->row[j].id) {
		c = m->row[j];
		m->row[j].id = 0;
	} else if (store_candidate_get(x->st, m->id[j], &c) != 0) {
		return NULL;
	}
	r = fold_row(&c, KEEP);
	r->stack_n = (int)m->n;
	r->member = (int)j;
	r->open = x->f->open[m->stack];
	r->head_id = m->id[0];
	return r;
}

/* A row of the store's order: shown alone, as a head (with its open
 * members after it), or not at all.  Takes c.  -1 on a store error. */
static int place(struct ctx *x, struct lb_candidate *c, struct rows *out)
{
	long k = stack_of(x->f, c->id), j;
	struct mset *m;
	struct crow *r;
	size_t i;

	if (k < 0) {
		push(out, fold_row(c, KEEP));
		return 0;
	}
	if (!filtered(x->flt) && !x->f->open[k]) {
		/* no filter, closed: the map alone says */
		size_t n;
		const struct lb_stack_member *mm = members_of(x->f, (size_t)k, &n);

		if (mm[0].id != c->id) {
			lb_candidate_clear(c);
			return 0;
		}
		r = fold_row(c, KEEP);
		r->stack_n = (int)n;
		push(out, r);
		return 0;
	}
	m = members(x, (size_t)k);
	if (m == NULL) {
		lb_candidate_clear(c);
		return -1;
	}
	j = index_in(m, c->id);
	if (j > 0) {
		lb_candidate_clear(c);
		return 0;
	}
	r = fold_row(c, KEEP);
	if (j < 0) /* the map is older than the list */
		return push(out, r), 0;
	r->stack_n = (int)m->n;
	r->open = x->f->open[k];
	push(out, r);
	if (x->f->open[k])
		for (i = 1; i < m->n; i++)
			if ((r = member_row(x, m, i)) != NULL)
				push(out, r);
	return 0;
}

/* Places a page of the store's order; -1 on a store error. */
static int place_page(struct ctx *x, struct lb_candidate_list *page, struct rows *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < page->n; i++) {
		if (rc == 0)
			rc = place(x, &page->v[i], out);
		else
			lb_candidate_clear(&page->v[i]);
	}
	free(page->v);
	page->v = NULL;
	page->n = 0;
	return rc;
}

static void rows_free(struct rows *r, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		fold_row_free(r->v[i]);
}

static int page_fail(struct ctx *x, char **err)
{
	*err = x->err ? x->err : xstrdup(store_errmsg(x->st));
	x->err = NULL;
	return -1;
}

int fold_fetch(struct store *st, const struct fold *f, const struct lb_filter *flt, int sort,
	       const struct crow *from, int dir, int incl, int n, struct crow **out, char **err)
{
	struct ctx x = { st, f, flt, sort, NULL, 0, NULL };
	struct lb_candidate_list page = { NULL, 0 };
	struct rows got = { NULL, 0, 0 }, chunk;
	struct lb_key key, *pkey = NULL;
	struct mset *m = NULL;
	long k = -1, j = -1, i;
	int rc = 0, want = n < 16 ? 16 : n, desc = sort == LB_SORT_NEWEST;
	size_t first = 0;

	if (from) {
		k = from->stack_n > 1 ? stack_of(f, from->c.id) : -1;
		if (k >= 0 && f->open[k] && (m = members(&x, (size_t)k)) != NULL && m->n > 1)
			j = index_in(m, from->c.id);
		if (j >= 0) {
			/* from a row of an open stack: its members, then the
			 * store's order after (before) its head */
			if (dir > 0) {
				for (i = incl ? j : j + 1; i < (long)m->n; i++) {
					struct crow *r = member_row(&x, m, (size_t)i);
					if (r)
						push(&got, r);
				}
			} else {
				for (i = 0; i < j + (incl ? 1 : 0); i++) {
					struct crow *r = member_row(&x, m, (size_t)i);
					if (r)
						push(&got, r);
				}
			}
			key = m->key[0];
		} else {
			lb_candidate_key(&from->c, sort, &key);
			/* Inclusive: move the id one step so the row itself qualifies. */
			if (incl)
				key.id += (dir > 0) == desc ? 1 : -1;
		}
		pkey = &key;
	}
	for (;;) {
		int short_page;

		if ((int)got.n >= n)
			break;
		if (store_candidate_page(st, flt, sort, pkey, dir < 0, want, &page) != 0) {
			rc = page_fail(&x, err);
			break;
		}
		short_page = (int)page.n < want;
		if (page.n == 0) {
			free(page.v);
			break;
		}
		lb_candidate_key(&page.v[dir > 0 ? page.n - 1 : 0], sort, &key);
		pkey = &key;
		memset(&chunk, 0, sizeof chunk);
		if (place_page(&x, &page, &chunk) != 0) {
			rows_free(&chunk, 0, chunk.n);
			free(chunk.v);
			rc = page_fail(&x, err);
			break;
		}
		if (dir > 0) {
			for (i = 0; i < (long)chunk.n; i++)
				push(&got, chunk.v[i]);
			free(chunk.v);
		} else {
			/* in front of what came before */
			for (i = 0; i < (long)got.n; i++)
				push(&chunk, got.v[i]);
			free(got.v);
			got = chunk;
		}
		if (short_page)
			break;
	}
	ctx_clear(&x);
	if (rc != 0) {
		rows_free(&got, 0, got.n);
		free(got.v);
		return -1;
	}
	if ((int)got.n > n) {
		if (dir > 0) {
			rows_free(&got, (size_t)n, got.n);
		} else {
			first = got.n - (size_t)n;
			rows_free(&got, 0, first);
		}
	}
	for (i = 0; i < (long)got.n - (long)first && i < n; i++)
		out[i] = got.v[first + (size_t)i];
	free(got.v);
	return (int)i;
}

struct crow *fold_get(struct store *st, const struct fold *f, const struct lb_filter *flt, int64_t brief_id,
		      int64_t id)
{
	struct ctx x = { st, f, flt, LB_SORT_OLDEST, NULL, 0, NULL };
	struct lb_candidate c;
	struct crow *r = NULL;
	struct mset *m;
	long k, j;

	if (store_candidate_get(st, id, &c) != 0)
		return NULL;
	if (c.brief_id != brief_id) {
		lb_candidate_clear(&c);
		return NULL;
	}
	k = stack_of(f, id);
	if (k < 0 || (m = members(&x, (size_t)k)) == NULL || (j = index_in(m, id)) < 0 || m->n < 2) {
		r = fold_row(&c, KEEP);
	} else if (j == 0 || f->open[k]) {
		r = fold_row(&c, KEEP);
		r->stack_n = (int)m->n;
		r->member = (int)j;
		r->open = f->open[k];
		r->head_id = m->id[0];
	} else {
		lb_candidate_clear(&c);
	}
	ctx_clear(&x);
	return r;
}

/* ------------------------------------------------------------ counting */

/* a comes before b in the sort */
static int before(const struct lb_key *a, const struct lb_key *b, int sort)
{
	if (sort == LB_SORT_OLDEST)
		return a->id < b->id;
	if (sort == LB_SORT_NEWEST)
		return a->id > b->id;
	return a->k > b->k || (a->k == b->k && a->id < b->id);
}

/* The members of stack i that show, with their keys (rows not kept). */
static int keys_of(struct ctx *x, int quick, size_t i, struct mset *one)
{
	size_t j, n;
	const struct lb_stack_member *mm = members_of(x->f, i, &n);

	memset(one, 0, sizeof *one);
	if (!quick) {
		if (read_members(x, i, one) != 0)
			return -1;
		for (j = 0; j < one->n; j++)
			lb_candidate_clear(&one->row[j]);
		free(one->row);
		one->row = NULL;
		return 0;
	}
	/* no filter, sorted by id: every member shows, its key is its id */
	one->n = n;
	one->id = xmalloc(sizeof *one->id * n);
	one->key = xmalloc(sizeof *one->key * n);
	for (j = 0; j < n; j++) {
		one->id[j] = mm[j].id;
		one->key[j].id = one->id[j];
		one->key[j].k = 0;
	}
	return 0;
}

int fold_adjust(struct store *st, const struct fold *f, const struct lb_filter *flt, int sort, int64_t pos_id,
		int64_t *n, int64_t *pos)
{
	struct ctx x = { st, f, flt, sort, NULL, 0, NULL };
	const struct lb_stacks *s;
	struct lb_candidate c;
	struct lb_key ckey;
	struct mset one;
	int64_t hidden = 0, moved = 0, add = 0, head_pos;
	int quick = !filtered(flt) && (sort == LB_SORT_OLDEST || sort == LB_SORT_NEWEST);
	int have_pos = pos_id && pos && *pos >= 0, rc = 0;
	size_t i, j;
	long ck;

	if (f == NULL)
		return 0;
	s = &f->m->s;
	if (have_pos) {
		if (store_candidate_get(st, pos_id, &c) != 0)
			return -1;
		lb_candidate_key(&c, sort, &ckey);
		lb_candidate_clear(&c);
		head_pos = *pos;
		/* the cursor on a member of an open stack: its head's place, and on */
		ck = stack_of(f, pos_id);
		if (ck >= 0 && f->open[ck]) {
			if (keys_of(&x, quick, (size_t)ck, &one) != 0)
				goto fail;
			for (j = 1; j < one.n; j++)
				if (one.id[j] == pos_id) {
					add = (int64_t)j;
					ckey = one.key[0];
				}
			mset_clear(&one);
			if (add > 0 && store_candidate_position(st, flt, sort, ckey.id, &head_pos) != 0)
				goto fail;
		}
	}
	for (i = 0; i < s->n; i++) {
		if (s->stack[i].n < 2)
			continue;
		if (keys_of(&x, quick, i, &one) != 0)
			goto fail;
		if (one.n > 1 && !f->open[i])
			hidden += (int64_t)one.n - 1;
		if (have_pos && one.n > 1) {
			/* members are not where the store's order has them */
			for (j = 1; j < one.n; j++)
				if (before(&one.key[j], &ckey, sort))
					moved--;
			/* an open stack's members follow its head */
			if (f->open[i] && before(&one.key[0], &ckey, sort))
				moved += (int64_t)one.n - 1;
		}
		mset_clear(&one);
	}
	if (have_pos)
		*pos = head_pos + moved + add;
	*n -= hidden;
	ctx_clear(&x);
	return rc;
fail:
	ctx_clear(&x);
	return -1;
}

/* ------------------------------------------------------------ computing in the worker */

/* Fingerprints a brief still lacks are made first when there are at
 * most this many; more are left to the background filler (loop.c), and
 * the stacks are those of the fingerprints there are. */
enum { FILL_FIRST_MAX = 256 };
/* Grouping a brief of a million takes the worker minutes: it is done a
 * slice at a time, each task about this long, so the read-ahead, the
 * counts and checkpoints queued meanwhile wait for one slice only. */
enum { SLICE_MS = 50 };

/* One computation, handed from task to task (the task holding it frees
 * it: closing the view drops the chain). */
struct fold_job {
	struct tui *ui;
	uint64_t owner;
	int64_t brief;
	int distance;
	long long pixel_limit;
	fold_done_fn done;
	void *ctx;
	struct lb_stacks s;     /* the members, then the stacks */
	struct lb_grouper *g;   /* between the slices */
	struct fold *fold;      /* the result */
	int rc;
	char *err;
};

struct fold_task {
	struct bg_task t;
	struct fold_job *job;
};

static void job_free(struct fold_job *j)
{
	if (j == NULL)
		return;
	lb_grouper_free(&j->g);
	lb_stacks_free(&j->s);
	fold_unref(&j->fold);
	free(j->err);
	free(j);
}

static void submit(struct fold_job *j, void (*run)(struct bg_task *, struct store *));

/* First: the few missing fingerprints, and the members. */
static void read_run(struct bg_task *bt, struct store *st)
{
	struct fold_job *j = ((struct fold_task *)bt)->job;
	int64_t have = 0, missing = 0, failed = 0;

	j->rc = -1;
	if (st == NULL) {
		j->err = xstrdup("the store could not be opened by the worker");
		return;
	}
	if (store_fp_counts(st, j->brief, &have, &missing, &failed) != 0)
		goto fail;
	if (missing > 0 && missing <= FILL_FIRST_MAX &&
	    store_fp_fill(st, j->brief, 0, j->pixel_limit, NULL, NULL, NULL) != 0)
		goto fail;
	if (have + missing == 0) {
		j->rc = 0; /* nothing with a fingerprint: nothing folds */
		return;
	}
	if (store_stacks_members(st, j->brief, &j->s) != 0)
		goto fail;
	j->g = lb_grouper_new(&j->s, j->distance);
	j->rc = 1; /* grouping */
	return;
fail:
	j->err = xstrdup(store_errmsg(st));
}

/* Then the grouping, a slice at a time; the last puts them in stacks. */
static void group_run(struct bg_task *bt, struct store *st)
{
	struct fold_job *j = ((struct fold_task *)bt)->job;
	double until = util_mono_ms() + SLICE_MS;
	int more = 1;

	(void)st;
	while (more && util_mono_ms() < until)
		more = lb_grouper_step(j->g, 64);
	if (more)
		return;
	lb_grouper_finish(&j->g);
	j->fold = fold_new(&j->s, j->distance);
	j->rc = 0;
}

static void task_done(struct bg_task *bt, struct tui *ui)
{
	struct fold_task *t = (struct fold_task *)bt;
	struct fold_job *j = t->job;

	(void)ui;
	if (j->rc < 0) {
		j->done(j->ctx, NULL, j->err ? j->err : "the store could not be read");
		return;
	}
	if (j->rc > 0) {
		/* the next slice, behind what was queued meanwhile */
		t->job = NULL;
		submit(j, group_run);
		return;
	}
	j->done(j->ctx, j->fold, NULL);
	j->fold = NULL;
}

static void task_free(struct bg_task *bt)
{
	struct fold_task *t = (struct fold_task *)bt;

	job_free(t->job);
	free(t);
}

static void submit(struct fold_job *j, void (*run)(struct bg_task *, struct store *))
{
	struct fold_task *t = xcalloc(1, sizeof *t);

	t->t.run = run;
	t->t.done = task_done;
	t->t.free = task_free;
	t->t.owner = j->owner;
	t->t.key = 0x666f6c64; /* "fold" */
	t->job = j;
	bg_submit(j->ui->bg, &t->t);
	bg_kick(j->ui->bg);
}

void fold_compute(struct tui *ui, uint64_t owner, int64_t brief_id, int distance, fold_done_fn done, void *ctx)
{
	struct fold_job *j = xcalloc(1, sizeof *j);

	j->ui = ui;
	j->owner = owner;
	j->brief = brief_id;
	j->distance = distance;
	j->pixel_limit = km_opt_int(ui->opt, KM_O_PIXEL_LIMIT) * 1000000LL;
	j->done = done;
	j->ctx = ctx;
	submit(j, read_run);
}

/* ------------------------------------------------------------ keep best, reject rest */

/* Adds the members after the first that are not rejected (as shown,
 * with changes still pending) to op. */
static void add_rest(struct tui *ui, struct wr_op *op, const struct lb_stack_member *m, size_t n)
{
	size_t k;
	int stars, flag;

	for (k = 1; k < n; k++) {
		wr_pending(ui, m[k].id, &stars, &flag);
		if (flag == WR_NO_VALUE ? m[k].my_flag != LB_FLAG_REJECT : flag != LB_FLAG_REJECT)
			wr_op_add_id(op, m[k].id);
	}
}

static struct wr_op *keep_op(const char *label)
{
	struct wr_op *op = wr_op_new(WR_FLAG, label);

	op->value = LB_FLAG_REJECT;
	op->bulk = 1;
	return op;
}

static struct wr_op *keep_done(struct wr_op *op, const char *label)
{
	if (op->n == 0) {
		wr_op_free(op);
		return NULL;
	}
	op->done_msg = xasprintf("%s: rejected %zu, one undo step (u)", label, op->n);
	return op;
}

struct wr_op *fold_keep_best_op(struct tui *ui, const struct lb_stacks *s, long which, char *label, size_t label_n)
{
	struct wr_op *op;
	size_t a, b;

	if (which < 0)
		snprintf(label, label_n, "keep the best of every stack");
	else
		snprintf(label, label_n, "keep #%lld, the best of its stack",
			 (long long)s->member[s->stack[which].first].id);
	op = keep_op(label);
	a = which < 0 ? 0 : (size_t)which;
	b = which < 0 ? s->n : (size_t)which + 1;
	for (; a < b; a++)
		add_rest(ui, op, &s->member[s->stack[a].first], s->stack[a].n);
	return keep_done(op, label);
}

struct wr_op *fold_keep_best(struct tui *ui, const struct fold *f, int64_t id, int all, char *label, size_t label_n)
{
	long k = all ? -1 : stack_of(f, id);
	const struct lb_stack_member *m;
	struct wr_op *op;
	size_t a, b, n;

	if (f == NULL || (!all && k < 0)) {
		snprintf(label, label_n, "keep-best: #%lld is in no stack", (long long)id);
		return NULL;
	}
	if (all) {
		snprintf(label, label_n, "keep the best of every stack");
	} else {
		m = members_of(f, (size_t)k, &n);
		snprintf(label, label_n, "keep #%lld, the best of its stack", (long long)m[0].id);
	}
	op = keep_op(label);
	a = all ? 0 : (size_t)k;
	b = all ? f->m->s.n : (size_t)k + 1;
	for (; a < b; a++) {
		m = members_of(f, a, &n);
		if (n > 1)
			add_rest(ui, op, m, n);
	}
	return keep_done(op, label);
}
