/*
 * keymap.c - bindings per context: bind, unbind (which can block the
 * fallback to `global`), reset to the pristine defaults, lookup, and the
 * reverse direction (the keys of an action) for the help view and listing.
 *
 * Each context is an array sorted by key: a lookup is a binary search of
 * a few hundred entries at most.  Every binding carries a sequence number
 * so that the keys of an action are shown in the order they were bound
 * (the order of default.keys), not in code order.
 */
#include "config.h"

#include "keymaps.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct binding {
	km_key key;
	enum km_action action; /* KM_A_NONE: blocks the fallback to global */
	uint32_t seq;          /* when it was bound, for display order */
};

struct table {
	struct binding *b; /* owned, sorted by key */
	size_t n, cap;
};

struct km_keymap {
	struct table t[KM_NCONTEXTS];        /* the live bindings */
	struct table pristine[KM_NCONTEXTS]; /* the defaults, for reset */
	uint32_t seq;                        /* next sequence number */
};

struct km_keymap *km_keymap_new(void)
{
	return xcalloc(1, sizeof(struct km_keymap));
}

void km_keymap_free(struct km_keymap **kmp)
{
	struct km_keymap *km = *kmp;
	int i;

	if (!km)
		return;
	for (i = 0; i < KM_NCONTEXTS; i++) {
		free(km->t[i].b);
		free(km->pristine[i].b);
	}
	free(km);
	*kmp = NULL;
}

/* Index of key in t, or where it would go (with *found = 0). */
static size_t find(const struct table *t, km_key key, int *found)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->b[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->n && t->b[lo].key == key;
	return lo;
}

static void put(struct table *t, km_key key, enum km_action a, uint32_t seq)
{
	int found;
	size_t i = find(t, key, &found);

	if (!found) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 32;
			t->b = xrealloc(t->b, t->cap * sizeof t->b[0]);
		}
		memmove(t->b + i + 1, t->b + i, (t->n - i) * sizeof t->b[0]);
		t->n++;
	}
	t->b[i].key = key;
	t->b[i].action = a;
	t->b[i].seq = seq;
}

static void drop(struct table *t, size_t i)
{
	memmove(t->b + i, t->b + i + 1, (t->n - i - 1) * sizeof t->b[0]);
	t->n--;
}

static void copy_table(struct table *dst, const struct table *src)
{
	if (dst->cap < src->n) {
		dst->cap = src->n;
		dst->b = xrealloc(dst->b, dst->cap * sizeof dst->b[0]);
	}
	if (src->n)
		memcpy(dst->b, src->b, src->n * sizeof src->b[0]);
	dst->n = src->n;
}

static char *where_valid(enum km_action a)
{
	struct sbuf b;
	int c;

	if (km_action_contexts(a) & KM_M_GLOBAL)
		return xstrdup("global (every view)");
	sb_init(&b);
	for (c = 0; c < KM_NCONTEXTS; c++) {
		if (c != KM_CTX_GLOBAL && km_action_in_context(a, (enum km_context)c)) {
			if (b.len)
				sb_addc(&b, ' ');
			sb_adds(&b, km_context_name((enum km_context)c));
		}
	}
	return sb_steal(&b);
}

const char km_fixed_note[] = "':' opens the command line in every view and <Enter> runs it; no config "
			     "can unbind them, so ':quit' always quits.";

enum km_action km_fixed(enum km_context ctx, km_key key)
{
	if (ctx == KM_CTX_PROMPT)
		return key == KM_KEY_ENTER ? KM_A_PROMPT_ACCEPT : KM_A_NONE;
	return key == ':' ? KM_A_COMMAND_LINE : KM_A_NONE;
}

int km_bind(struct km_keymap *km, enum km_context ctx, km_key key, enum km_action a, char **err)
{
	char name[KM_KEY_NAME_MAX];

	*err = NULL;
	if ((unsigned)ctx >= KM_NCONTEXTS)
		fatal("km_bind: bad context %d", (int)ctx);
	if (!km_key_valid(key)) {
		*err = xasprintf("%s is not a key code — see km_key in keymaps.h",
		                 km_key_name(key, name));
		return -1;
	}
	if (a == KM_A_NONE || (unsigned)a >= KM_NACTIONS) {
		*err = xstrdup("no action given — name one of the actions `lightbox keys` lists");
		return -1;
	}
	if (km_fixed(ctx, key) != KM_A_NONE && km_fixed(ctx, key) != a) {
		*err = xasprintf("%s cannot be bound to %s in %s: it is fixed to %s, the way out no config "
		                 "can take away (:quit) — bind another key",
		                 km_key_name(key, name), km_action_name(a), km_context_name(ctx),
		                 km_action_name(km_fixed(ctx, key)));
		return -1;
	}
	if (!km_action_bindable(a, ctx)) {
		char *where = where_valid(a);

		*err = xasprintf("action %s does not work in context %s — bind it in: %s",
		                 km_action_name(a), km_context_name(ctx), where);
		free(where);
		return -1;
	}
	put(&km->t[ctx], key, a, km->seq++);
	return 0;
}

/* The action `global` lends ctx for key, or KM_A_NONE. */
static enum km_action inherited(const struct km_keymap *km, enum km_context ctx, km_key key)
{
	int found;
	size_t i;

	if (ctx == KM_CTX_GLOBAL || ctx == KM_CTX_PROMPT)
		return KM_A_NONE;
	i = find(&km->t[KM_CTX_GLOBAL], key, &found);
	if (found && km_action_in_context(km->t[KM_CTX_GLOBAL].b[i].action, ctx))
		return km->t[KM_CTX_GLOBAL].b[i].action;
	return KM_A_NONE;
}

int km_unbind(struct km_keymap *km, enum km_context ctx, km_key key)
{
	struct table *t;
	int found;
	size_t i;

	if ((unsigned)ctx >= KM_NCONTEXTS)
		fatal("km_unbind: bad context %d", (int)ctx);
	if (km_fixed(ctx, key) != KM_A_NONE)
		return KM_E_FIXED;
	t = &km->t[ctx];
	i = find(t, key, &found);
	if (found && t->b[i].action == KM_A_NONE)
		return -1;
	if (inherited(km, ctx, key) != KM_A_NONE) {
		put(t, key, KM_A_NONE, km->seq++);
		return 0;
	}
	if (!found)
		return -1;
	drop(t, i);
	return 0;
}

void km_unbind_all(struct km_keymap *km, enum km_context ctx)
{
	if ((unsigned)ctx >= KM_NCONTEXTS)
		fatal("km_unbind_all: bad context %d", (int)ctx);
	km->t[ctx].n = 0;
}

void km_keymap_save_pristine(struct km_keymap *km)
{
	int i;

	for (i = 0; i < KM_NCONTEXTS; i++)
		copy_table(&km->pristine[i], &km->t[i]);
}

void km_reset(struct km_keymap *km, int ctx, km_key key)
{
	struct table *t;
	const struct table *p;
	int found;
	size_t i;

	if (ctx < 0) {
		for (i = 0; i < KM_NCONTEXTS; i++)
			copy_table(&km->t[i], &km->pristine[i]);
		return;
	}
	if (ctx >= KM_NCONTEXTS)
		fatal("km_reset: bad context %d", ctx);
	t = &km->t[ctx];
	p = &km->pristine[ctx];
	if (key == KM_KEY_NONE) {
		copy_table(t, p);
		return;
	}
	i = find(t, key, &found);
	if (found)
		drop(t, i);
	i = find(p, key, &found);
	if (found)
		put(t, key, p->b[i].action, p->b[i].seq);
}

enum km_action km_lookup(const struct km_keymap *km, enum km_context ctx, km_key key)
{
	int found;
	size_t i;

	if ((unsigned)ctx >= KM_NCONTEXTS)
		return KM_A_NONE;
	if (km_fixed(ctx, key) != KM_A_NONE)
		return km_fixed(ctx, key); /* whatever `unbind ctx *` left */
	i = find(&km->t[ctx], key, &found);
	if (found)
		return km->t[ctx].b[i].action;
	return inherited(km, ctx, key);
}

enum km_action km_lookup_own(const struct km_keymap *km, enum km_context ctx, km_key key)
{
	int found;
	size_t i;

	if ((unsigned)ctx >= KM_NCONTEXTS || km_fixed(ctx, key) != KM_A_NONE)
		return KM_A_NONE;
	i = find(&km->t[ctx], key, &found);
	return found ? km->t[ctx].b[i].action : KM_A_NONE;
}

static int by_seq(const void *a, const void *b)
{
	const struct binding *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The bindings that make key trigger a in ctx, sorted by seq; owned. */
static size_t collect(const struct km_keymap *km, enum km_context ctx, enum km_action a,
                      struct binding **out)
{
	const struct table *own = &km->t[ctx], *g = &km->t[KM_CTX_GLOBAL];
	struct binding *v = NULL;
	size_t n = 0, cap = 0, i, lim = own->n;
	km_key fixed;

	if (ctx != KM_CTX_GLOBAL && ctx != KM_CTX_PROMPT && km_action_in_context(a, ctx))
		lim += g->n;
	for (i = 0; i < lim; i++) {
		const struct binding *b = i < own->n ? &own->b[i] : &g->b[i - own->n];
		int found;

		if (b->action != a)
			continue;
		if (i >= own->n) {
			find(own, b->key, &found);
			if (found)
				continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof v[0]);
		}
		v[n++] = *b;
	}
	/* A fixed key does its action whatever the tables say (km_fixed). */
	fixed = ctx == KM_CTX_PROMPT ? KM_KEY_ENTER : ':';
	if (km_fixed(ctx, fixed) == a) {
		for (i = 0; i < n && v[i].key != fixed; i++)
			;
		if (i == n) {
			v = xrealloc(v, (n + 1) * sizeof v[0]);
			v[n].key = fixed;
			v[n].action = a;
			v[n++].seq = 0;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof v[0], by_seq);
	*out = v;
	return n;
}

size_t km_keys_for(const struct km_keymap *km, enum km_context ctx, enum km_action a, km_key *out,
                   size_t max)
{
	struct binding *v;
	size_t n, i;

	if ((unsigned)ctx >= KM_NCONTEXTS || a == KM_A_NONE)
		return 0;
	n = collect(km, ctx, a, &v);
	for (i = 0; i < n && i < max; i++)
		out[i] = v[i].key;
	free(v);
	return n;
}

char *km_keys_string(const struct km_keymap *km, enum km_context ctx, enum km_action a)
{
	struct binding *v = NULL;
	struct sbuf b;
	size_t n = 0, i;
	char name[KM_KEY_NAME_MAX];

	sb_init(&b);
	if ((unsigned)ctx < KM_NCONTEXTS && a != KM_A_NONE)
		n = collect(km, ctx, a, &v);
	for (i = 0; i < n; i++) {
		if (i)
			sb_addc(&b, ' ');
		sb_adds(&b, km_key_name(v[i].key, name));
	}
	free(v);
	return sb_steal(&b);
}

static int by_action_seq(const void *a, const void *b)
{
	const struct binding *x = a, *y = b;

	if (x->action != y->action)
		return x->action < y->action ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every binding that takes effect in ctx (own, and inherited from global
 * where not shadowed), sorted by action then seq.  Owned. */
static size_t effective(const struct km_keymap *km, enum km_context ctx, struct binding **out)
{
	const struct table *own = &km->t[ctx], *g = &km->t[KM_CTX_GLOBAL];
	struct binding *v = xmalloc((own->n + g->n + 1) * sizeof v[0]);
	size_t n = 0, i;
	km_key fixed;
	int found;

	for (i = 0; i < own->n; i++)
		if (own->b[i].action != KM_A_NONE)
			v[n++] = own->b[i];
	if (ctx != KM_CTX_GLOBAL && ctx != KM_CTX_PROMPT) {
		for (i = 0; i < g->n; i++) {
			if (!km_action_in_context(g->b[i].action, ctx))
				continue;
			find(own, g->b[i].key, &found);
			if (!found)
				v[n++] = g->b[i];
		}
	}
	/* The fixed key (km_fixed), whatever the tables say: the +1 above. */
	fixed = ctx == KM_CTX_PROMPT ? KM_KEY_ENTER : ':';
	for (i = 0; i < n && v[i].key != fixed; i++)
		;
	if (i == n) {
		v[n].key = fixed;
		v[n].action = km_fixed(ctx, fixed);
		v[n++].seq = 0;
	}
	qsort(v, n, sizeof v[0], by_action_seq);
	*out = v;
	return n;
}

/* The names of the keys of action a in v[*pos..] (advancing *pos).  Owned. */
static char *names_of(const struct binding *v, size_t n, size_t *pos, enum km_action a)
{
	char name[KM_KEY_NAME_MAX];
	struct sbuf b;

	sb_init(&b);
	while (*pos < n && v[*pos].action < a)
		(*pos)++;
	for (; *pos < n && v[*pos].action == a; (*pos)++) {
		if (b.len)
			sb_addc(&b, ' ');
		sb_adds(&b, km_key_name(v[*pos].key, name));
	}
	return sb_steal(&b);
}

size_t km_rows(const struct km_keymap *km, enum km_context ctx, unsigned flags,
               struct km_row **rows)
{
	struct km_row *r;
	struct binding *mine, *glob = NULL;
	size_t n = 0, nm, ng = 0, pm = 0, pg = 0;
	int a;

	if ((unsigned)ctx >= KM_NCONTEXTS)
		fatal("km_rows: bad context %d", (int)ctx);
	r = xcalloc(KM_NACTIONS, sizeof r[0]);
	nm = effective(km, ctx, &mine);
	if (flags & KM_ROWS_CHANGED)
		ng = effective(km, KM_CTX_GLOBAL, &glob);
	for (a = 1; a < KM_NACTIONS; a++) {
		unsigned m = km_action_contexts((enum km_action)a);
		int own, gl;
		char *keys;

		if (!km_action_in_context((enum km_action)a, ctx))
			continue;
		if (ctx == KM_CTX_GLOBAL || ctx == KM_CTX_PROMPT) {
			own = 1;
			gl = 0;
		} else {
			gl = (m & KM_M_GLOBAL) != 0;
			own = !gl;
		}
		if (!((own && (flags & KM_ROWS_OWN)) || (gl && (flags & KM_ROWS_GLOBAL))))
			continue;
		keys = names_of(mine, nm, &pm, (enum km_action)a);
		if (gl && (flags & KM_ROWS_CHANGED)) {
			char *gk = names_of(glob, ng, &pg, (enum km_action)a);
			int same = strcmp(gk, keys) == 0;

			free(gk);
			if (same) {
				free(keys);
				continue;
			}
		}
		r[n].action = (enum km_action)a;
		r[n].keys = keys;
		n++;
	}
	free(mine);
	free(glob);
	*rows = r;
	return n;
}

void km_rows_free(struct km_row **rows, size_t n)
{
	size_t i;

	if (!*rows)
		return;
	for (i = 0; i < n; i++)
		free((*rows)[i].keys);
	free(*rows);
	*rows = NULL;
}
