/*
 * actions.c - the action and context tables made from actions.def and
 * contexts.def: names, descriptions, validity per context, and the
 * did-you-mean helper used by every "unknown ..." message.
 */
#include "config.h"

#include "keymaps.h"

#include <ctype.h>
#include <string.h>

#include "keymaps-private.h"
#include "util.h"

static const struct {
	const char *name;
	const char *desc;
} contexts[KM_NCONTEXTS] = {
#define CONTEXT(id, name, desc) [KM_CTX_##id] = {name, desc},
#include "contexts.def"
#undef CONTEXT
};

static const char *const groups[KM_NGROUPS] = {
#define GROUP(id, title) [KM_G_##id] = title,
#define ACTION(id, name, group, ctxs, desc)
#include "actions.def"
#undef GROUP
#undef ACTION
};

static const struct {
	const char *name;
	const char *desc;
	enum km_group group;
	unsigned contexts;
} actions[KM_NACTIONS] = {
        [KM_A_NONE] = {"none", "Nothing", KM_G_MOVE, 0},
#define GROUP(id, title)
#define ACTION(id, name, group, ctxs, desc) [KM_A_##id] = {name, desc, KM_G_##group, ctxs},
#include "actions.def"
#undef GROUP
#undef ACTION
};

const char *km_context_name(enum km_context ctx)
{
	if ((unsigned)ctx >= KM_NCONTEXTS)
		fatal("km_context_name: bad context %d", (int)ctx);
	return contexts[ctx].name;
}

const char *km_context_description(enum km_context ctx)
{
	if ((unsigned)ctx >= KM_NCONTEXTS)
		fatal("km_context_description: bad context %d", (int)ctx);
	return contexts[ctx].desc;
}

int km_context_find(const char *name, enum km_context *out)
{
	int i;

	for (i = 0; i < KM_NCONTEXTS; i++) {
		if (strcmp(name, contexts[i].name) == 0) {
			*out = (enum km_context)i;
			return 0;
		}
	}
	return -1;
}

static void check_action(enum km_action a)
{
	if ((unsigned)a >= KM_NACTIONS)
		fatal("keymaps: bad action %d", (int)a);
}

const char *km_action_name(enum km_action a)
{
	check_action(a);
	return actions[a].name;
}

const char *km_action_description(enum km_action a)
{
	check_action(a);
	return actions[a].desc;
}

enum km_group km_action_group(enum km_action a)
{
	check_action(a);
	return actions[a].group;
}

unsigned km_action_contexts(enum km_action a)
{
	check_action(a);
	return actions[a].contexts;
}

const char *km_group_title(enum km_group g)
{
	if ((unsigned)g >= KM_NGROUPS)
		fatal("km_group_title: bad group %d", (int)g);
	return groups[g];
}

enum km_action km_action_find(const char *name)
{
	int i;

	for (i = 1; i < KM_NACTIONS; i++)
		if (strcmp(name, actions[i].name) == 0)
			return (enum km_action)i;
	return KM_A_NONE;
}

static const char *action_name_at(size_t i, const void *ctx)
{
	(void)ctx;
	return actions[i + 1].name;
}

const char *km_action_suggest(const char *name)
{
	return km_closest(name, KM_NACTIONS - 1, action_name_at, NULL);
}

int km_action_in_context(enum km_action a, enum km_context ctx)
{
	unsigned m;

	if (a == KM_A_NONE || (unsigned)a >= KM_NACTIONS || (unsigned)ctx >= KM_NCONTEXTS)
		return 0;
	m = actions[a].contexts;
	if (ctx == KM_CTX_GLOBAL)
		return (m & KM_M_GLOBAL) != 0;
	if (ctx == KM_CTX_PROMPT)
		return (m & KM_M_PROMPT) != 0;
	return (m & (KM_M_GLOBAL | (1u << ctx))) != 0;
}

int km_action_bindable(enum km_action a, enum km_context ctx)
{
	if (a == KM_A_NONE || (unsigned)a >= KM_NACTIONS)
		return 0;
	if (ctx == KM_CTX_GLOBAL)
		return (actions[a].contexts & ~(unsigned)KM_M_PROMPT) != 0;
	return km_action_in_context(a, ctx);
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps). */
static size_t osa_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[3][65];
	size_t i, j;

	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return d[la % 3][lb];
}

const char *km_closest(const char *word, size_t n, const char *(*get)(size_t i, const void *ctx),
                       const void *ctx)
{
	char low[65];
	size_t len = strlen(word), i, best_d = (size_t)-1, best_pre = 0, limit;
	const char *best = NULL;

	if (len == 0 || len > 64)
		return NULL;
	for (i = 0; i <= len; i++)
		low[i] = (char)tolower((unsigned char)word[i]);
	limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	for (i = 0; i < n; i++) {
		const char *name = get(i, ctx);
		size_t ln = strlen(name), d, k;
		char lname[65];

		if (ln == 0 || ln > 64)
			continue;
		for (k = 0; k <= ln; k++)
			lname[k] = (char)tolower((unsigned char)name[k]);
		if (len >= 3 && strncmp(lname, low, len) == 0)
			d = 0;
		else
			d = osa_distance(low, len, lname, ln);
		for (k = 0; k < len && k < ln && low[k] == lname[k]; k++)
			;
		if (d <= limit && (d < best_d || (d == best_d && k > best_pre))) {
			best_d = d;
			best_pre = k;
			best = name;
		}
	}
	return best;
}
