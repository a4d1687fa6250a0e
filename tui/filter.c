/*
 * filter.c - the candidate filter as the user types it and sees it in the
 * status line: a query in lightbox's query language (store/query.c), the
 * same as `candidate ls --query` and `export --query`:
 *
 *     stars>=4 (tag:hero OR lora:detail*) -flag:reject created:<7d
 *
 * A bad query is reported with the column of the mistake and what was
 * expected; nothing changes then.
 */
#include "config.h"

#include "tui-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const *const tfilter_words = lb_query_words;

void tfilter_clear(struct tfilter *f)
{
	free(f->text);
	memset(f, 0, sizeof *f);
}

void tfilter_copy(struct tfilter *dst, const struct tfilter *src)
{
	*dst = *src;
	dst->text = xstrdup(src->text);
}

int tfilter_empty(const struct tfilter *f)
{
	return f->text == NULL;
}

int tfilter_uses_curation(const struct tfilter *f)
{
	return (f->uses & LB_QUERY_CURATION) != 0;
}

int tfilter_parse(const char *expr, struct tfilter *out, char **err)
{
	struct lb_query *q;
	const char *s = expr ? expr : "";
	size_t n;

	*err = NULL;
	if (lb_query_check(s, err) != 0 || lb_query_parse(s, &q, err) != 0)
		return -1;
	tfilter_clear(out);
	out->uses = lb_query_uses(q);
	lb_query_free(q);
	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n)
		out->text = xstrndup(s, n);
	return 0;
}

char *tfilter_format(const struct tfilter *f)
{
	return xstrdup(f->text ? f->text : "");
}

void tfilter_to_lb(const struct tfilter *f, int64_t brief_id, const char *search, struct lb_filter *lb)
{
	memset(lb, 0, sizeof *lb);
	lb->brief_id = brief_id;
	lb->query = f->text;
	lb->search = search;
}

char *tfilter_and(const struct tfilter *f, const char *field, const char *value)
{
	struct sbuf b;
	const char *p;

	sb_init(&b);
	if (f->text)
		sb_addf(&b, strstr(f->text, "OR") ? "(%s) " : "%s ", f->text);
	sb_adds(&b, field);
	if (*value && strcspn(value, " \t\"()\\") == strlen(value)) {
		sb_adds(&b, value);
		return sb_steal(&b);
	}
	sb_addc(&b, '"');
	for (p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addc(&b, '\\');
		sb_addc(&b, *p);
	}
	sb_addc(&b, '"');
	return sb_steal(&b);
}

/* ------------------------------------------------------------ highlights */

static void hl_add(struct thl *h, enum hl_scope sc, const char *word)
{
	size_t n = h->n[sc];

	if (word == NULL || *word == '\0')
		return;
	h->w[sc] = xrealloc(h->w[sc], (n + 2) * sizeof *h->w[sc]);
	h->w[sc][n] = xstrdup(word);
	h->w[sc][n + 1] = NULL;
	h->n[sc] = n + 1;
}

void thl_clear(struct thl *h)
{
	int i;

	for (i = 0; i < HL__COUNT; i++)
		store_strv_free(&h->w[i], h->n[i]);
	lb_query_terms_free(h->seed, h->nseed);
	free(h->key);
	memset(h, 0, sizeof *h);
}

/* 1 when the seed satisfies seed<op>value (a range a..b, either end open). */
static int seed_holds(int64_t seed, const struct lb_query_term *t)
{
	char *end;
	long long a = strtoll(t->value, &end, 10), b;

	if (strcmp(t->op, "..") == 0) {
		b = t->value2 && *t->value2 ? strtoll(t->value2, NULL, 10) : seed;
		return (!*t->value || seed >= a) && seed <= b;
	}
	if (*end || end == t->value || t->prefix)
		return 0;
	if (strcmp(t->op, ":") == 0 || strcmp(t->op, "=") == 0)
		return seed == a;
	if (strcmp(t->op, "<") == 0)
		return seed < a;
	if (strcmp(t->op, "<=") == 0)
		return seed <= a;
	if (strcmp(t->op, ">") == 0)
		return seed > a;
	return strcmp(t->op, ">=") == 0 && seed >= a;
}

/* Words of a note: term (each word, or the phrase). */
static void hl_words_of(struct thl *h, enum hl_scope sc, const struct lb_query_term *t)
{
	char *copy, *tok, *save = NULL;

	if (t->phrase) {
		hl_add(h, sc, t->value);
		return;
	}
	copy = xstrdup(t->value);
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		hl_add(h, sc, tok);
	free(copy);
}

static void hl_term(struct thl *h, const struct lb_query_term *t)
{
	const char *f = t->field;
	int eq = strcmp(t->op, ":") == 0 || strcmp(t->op, "=") == 0;

	if (f == NULL) {
		hl_add(h, HL_TEXT, t->value);
		hl_add(h, HL_PARAMS, t->value);
		hl_add(h, HL_NOTES, t->value);
	} else if (strcmp(f, "note") == 0) {
		hl_words_of(h, HL_NOTES, t);
	} else if (strcmp(f, "tag") == 0 && eq) {
		hl_add(h, HL_TAGS, t->value);
	} else if ((strcmp(f, "model") == 0 || strcmp(f, "backend") == 0) && eq) {
		hl_add(h, HL_BACKEND, t->value);
	} else if (strcmp(f, "source") == 0 && eq) {
		hl_add(h, HL_SOURCE, t->value);
	} else if ((strcmp(f, "sampler") == 0 || strcmp(f, "scheduler") == 0 || strcmp(f, "lora") == 0) && eq) {
		hl_add(h, HL_PARAMS, t->value);
	} else if (strcmp(f, "steps") == 0 || strcmp(f, "cfg") == 0) {
		hl_add(h, HL_PARAMS, f); /* the key: steps, cfg, cfg_scale, cfg-scale */
	} else if (strcmp(f, "param") == 0) {
		/* a path (3.inputs.seed) shows as its last key */
		hl_add(h, HL_PARAMS, strrchr(t->key, '.') ? strrchr(t->key, '.') + 1 : t->key);
		if (eq && (t->prefix || t->phrase || strtod(t->value, NULL) == 0))
			hl_add(h, HL_PARAMS, t->value);
	} else if (strcmp(f, "seed") == 0) {
		h->seed = xrealloc(h->seed, (h->nseed + 1) * sizeof *h->seed);
		h->seed[h->nseed] = *t;
		h->seed[h->nseed].key = t->key ? xstrdup(t->key) : NULL;
		h->seed[h->nseed].value = xstrdup(t->value);
		h->seed[h->nseed].value2 = t->value2 ? xstrdup(t->value2) : NULL;
		h->nseed++;
	}
}

void thl_update(struct thl *h, const char *filter, const char *search)
{
	const char *q[2] = { filter, search };
	char *key = xasprintf("%s\x01%s", filter ? filter : "", search ? search : "");
	struct lb_query_term *t;
	size_t n, i;
	int k;

	if (h->key && strcmp(h->key, key) == 0) {
		free(key);
		return;
	}
	thl_clear(h);
	h->key = key;
	for (k = 0; k < 2; k++) {
		n = lb_query_terms(q[k], &t);
		for (i = 0; i < n; i++)
			hl_term(h, &t[i]);
		lb_query_terms_free(t, n);
	}
}

int thl_seed(const struct thl *h, int64_t seed)
{
	size_t i;

	for (i = 0; i < h->nseed; i++)
		if (seed_holds(seed, &h->seed[i]))
			return 1;
	return 0;
}
