/*
 * jobparams.c - what a job asks for, as stored in its row's params JSON:
 *
 *   {"count": 4, "seed_mode": "random"|"fixed"|"step", "seed": 1234,
 *    "prompt": "one-off prompt", "negative": "...", "set": {"steps": 30}}
 *
 * backend_submit checks a request and queues it; bk_call_setup reads it
 * back in the runner, with the brief revision and the parent candidate,
 * into a call's effective parameters (definition < brief < job).
 */
#include "config.h"

#include "backends-private.h"

#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = { "generate", "reroll", "variation" };
static const char *const seed_modes[] = { "random", "fixed", "step" };

/* "cfg_scale" and "cfg-scale" name the same parameter. */
static const struct bk_param *param_lookup(const struct backend *be, const char *key)
{
	char name[64];
	size_t i;

	for (i = 0; key[i] && i + 1 < sizeof name; i++)
		name[i] = key[i] == '_' ? '-' : key[i];
	name[i] = '\0';
	return bk_param_find(be->ops->params, name);
}

static char *param_list(const struct backend *be)
{
	struct sbuf b;
	const struct bk_param *p;

	sb_init(&b);
	for (p = be->ops->params; p && p->name; p++)
		sb_addf(&b, "%s%s", b.len ? ", " : "", p->name);
	return sb_steal(&b);
}

int backend_submit(struct store *st, const struct backend_registry *reg, int64_t brief_id,
		   const struct backend_gen *g, int64_t *job_id, char **err)
{
	struct lb_brief b;
	struct lb_candidate parent;
	struct lb_job_input in;
	const struct backend *be = NULL;
	const char *name = g->backend;
	json_t *jp = json_object(), *set = json_object(), *pp;
	int has_parent = 0, count = g->count ? g->count : 1, rc = -1;
	int64_t seed = g->seed, revision = 0;
	char *text = NULL;
	size_t i;

	memset(&b, 0, sizeof b);
	memset(&parent, 0, sizeof parent);
	if (store_brief_get(st, brief_id, &b) != 0) {
		*err = xstrdup(store_errmsg(st));
		goto out;
	}
	if (g->kind != BACKEND_GENERATE) {
		if (g->parent_id <= 0 || store_candidate_get(st, g->parent_id, &parent) != 0) {
			*err = g->parent_id > 0 ? xstrdup(store_errmsg(st))
						: xstrdup("a reroll or variation needs the candidate to start from");
			goto out;
		}
		has_parent = 1;
		if (parent.brief_id != brief_id) {
			*err = xasprintf("candidate #%lld belongs to brief #%lld, not #%lld", (long long)parent.id,
					 (long long)parent.brief_id, (long long)brief_id);
			goto out;
		}
		if (g->kind == BACKEND_REROLL && name == NULL && *parent.backend) {
			name = parent.backend;
			if (backend_registry_find(reg, name) == NULL) {
				char *vis = util_visible_dup(name, 0);
				*err = xasprintf("candidate #%lld was made by backend '%s', which is not configured — "
						 "choose one with --backend",
						 (long long)parent.id, vis);
				free(vis);
				goto out;
			}
		}
	}
	if (name == NULL && *b.f.backend)
		name = b.f.backend;
	be = name ? backend_registry_find(reg, name) : backend_registry_default(reg);
	if (be == NULL) {
		char *vis = util_visible_dup(name, 0);
		*err = xasprintf("no backend named '%s' — 'lightbox backends' lists the configured ones", vis);
		free(vis);
		goto out;
	}
	if (!(be->modalities & (1u << b.f.modality))) {
		char *makes = backend_modality_list(be->modalities);
		*err = xasprintf("backend %s makes %s, not %s (brief #%lld is %s) — choose another with --backend",
				 be->name, makes, lb_modality_name(b.f.modality), (long long)brief_id,
				 lb_modality_name(b.f.modality));
		free(makes);
		goto out;
	}
	if (g->kind == BACKEND_VARIATION) {
		if (!backend_can_vary(be, b.f.modality)) {
			*err = xasprintf("backend %s cannot make variations of %s candidates — choose another with "
					 "--backend, or reroll instead",
					 be->name, lb_modality_name(b.f.modality));
			goto out;
		}
		if (parent.asset_id == 0 && parent.body == NULL) {
			*err = xasprintf("candidate #%lld has neither a file nor a text to vary", (long long)parent.id);
			goto out;
		}
	}
	if (count < 1 || count > 100) {
		*err = xasprintf("a job makes 1 to 100 candidates, not %d", count);
		goto out;
	}
	if (g->kind == BACKEND_REROLL) {
		/* Same parameters as the parent: those this backend takes. */
		pp = json_loads(parent.params && *parent.params ? parent.params : "{}", 0, NULL);
		if (json_is_object(pp)) {
			const char *k;
			json_t *v;
			json_object_foreach (pp, k, v) {
				const struct bk_param *p = param_lookup(be, k);
				char *e = NULL;
				json_t *tv = p ? bk_param_json(p, v, &e) : NULL;
				if (tv)
					json_object_set_new(set, p->name, tv);
				free(e);
			}
		}
		json_decref(pp);
		revision = parent.revision_id;
	}
	for (i = 0; i < g->nset; i++) {
		const struct bk_param *p = param_lookup(be, g->set_keys[i]);
		json_t *v;

		if (p == NULL) {
			char *list = param_list(be), *vis = util_visible_dup(g->set_keys[i], 0);
			*err = xasprintf("backend %s (type %s) has no parameter '%s' — it takes: %s", be->name,
					 be->ops->type, vis, *list ? list : "none");
			free(list);
			free(vis);
			goto out;
		}
		v = bk_param_value(p, g->set_values[i], err);
		if (v == NULL)
			goto out;
		json_object_set_new(set, p->name, v);
	}
	if (g->seed_mode == BACKEND_SEED_RANDOM) {
		seed = bk_random_seed();
	} else if (seed < 0 || seed > 0xffffffffLL) {
		*err = xasprintf("a seed is a whole number from 0 to 4294967295, not %lld", (long long)seed);
		goto out;
	}
	if (g->seed_mode < 0 || g->seed_mode > BACKEND_SEED_STEP) {
		*err = xstrdup("unknown seed mode");
		goto out;
	}
	json_object_set_new(jp, "count", json_integer(count));
	json_object_set_new(jp, "seed_mode", json_string(seed_modes[g->seed_mode]));
	json_object_set_new(jp, "seed", json_integer(seed));
	if (g->prompt)
		json_object_set_new(jp, "prompt", json_string(g->prompt));
	else if (g->kind == BACKEND_REROLL && parent.prompt && *parent.prompt)
		json_object_set_new(jp, "prompt", json_string(parent.prompt));
	if (g->negative)
		json_object_set_new(jp, "negative", json_string(g->negative));
	else if (g->kind == BACKEND_REROLL && parent.negative && *parent.negative)
		json_object_set_new(jp, "negative", json_string(parent.negative));
	json_object_set(jp, "set", set);
	text = json_dumps(jp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	memset(&in, 0, sizeof in);
	in.brief_id = brief_id;
	in.revision_id = revision;
	in.parent_id = has_parent ? parent.id : 0;
	in.kind = kinds[g->kind >= 0 && g->kind <= BACKEND_VARIATION ? g->kind : 0];
	in.backend = be->name;
	in.params = text;
	rc = store_job_add(st, &in, job_id);
	if (rc != 0) {
		*err = xstrdup(store_errmsg(st));
		rc = rc == STORE_EBUSY ? STORE_EBUSY : -1;
		goto out;
	}
	rc = 0;
out:
	free(text);
	json_decref(jp);
	json_decref(set);
	lb_brief_clear(&b);
	if (has_parent || parent.id)
		lb_candidate_clear(&parent);
	return rc;
}

void backend_job_info(const struct lb_job *j, struct backend_job_info *out)
{
	json_t *jp = json_loads(j->params && *j->params ? j->params : "{}", 0, NULL), *v;
	const char *s, *k;
	struct sbuf b;
	size_t i;

	memset(out, 0, sizeof *out);
	out->count = 1;
	sb_init(&b);
	if (json_is_object(jp)) {
		v = json_object_get(jp, "count");
		if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 100)
			out->count = (int)json_integer_value(v);
		s = json_string_value(json_object_get(jp, "seed_mode"));
		for (i = 0; s && i < 3; i++)
			if (strcmp(s, seed_modes[i]) == 0)
				out->seed_mode = (int)i;
		v = json_object_get(jp, "seed");
		if (json_is_integer(v))
			out->seed = json_integer_value(v);
		if ((s = json_string_value(json_object_get(jp, "prompt"))) != NULL)
			out->prompt = xstrdup(s);
		if ((s = json_string_value(json_object_get(jp, "negative"))) != NULL)
			out->negative = xstrdup(s);
		json_object_foreach (json_object_get(jp, "set"), k, v) {
			char *text = json_is_string(v) ? xstrdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);

			sb_addf(&b, "%s%s=%s", b.len ? " " : "", k, text ? text : "?");
			free(text);
		}
	}
	json_decref(jp);
	out->set = sb_steal(&b);
}

void backend_job_info_clear(struct backend_job_info *info)
{
	free(info->prompt);
	free(info->negative);
	free(info->set);
	memset(info, 0, sizeof *info);
}

static void replace(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v ? v : "");
}

/* Merges the parameters a type takes from src into c->params (typed). */
static int merge(struct bk_call *c, const json_t *src, const char *from, char **err)
{
	const char *k;
	json_t *v;

	json_object_foreach ((json_t *)src, k, v) {
		const struct bk_param *p = param_lookup(c->be, k);
		char *e = NULL;
		json_t *tv;

		if (p == NULL)
			continue;
		tv = bk_param_json(p, v, &e);
		if (tv == NULL) {
			*err = xasprintf("%s: %s", from, e);
			free(e);
			return -1;
		}
		json_object_set_new(c->params, p->name, tv);
	}
	return 0;
}

int bk_call_setup(struct bk_call *c, struct store *st, char **err)
{
	struct lb_revision rev;
	json_t *jp, *v, *bp = NULL;
	const char *s;
	char *from;
	size_t i;
	int rc = -1;

	memset(&rev, 0, sizeof rev);
	jp = json_loads(c->job.params && *c->job.params ? c->job.params : "{}", 0, NULL);
	if (!json_is_object(jp)) {
		*err = xstrdup("the job's parameters are not a JSON object");
		goto out;
	}
	v = json_object_get(jp, "count");
	c->count = json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 100
			   ? (int)json_integer_value(v)
			   : 1;
	s = json_string_value(json_object_get(jp, "seed_mode"));
	c->seed_mode = BACKEND_SEED_RANDOM;
	for (i = 0; s && i < 3; i++)
		if (strcmp(s, seed_modes[i]) == 0)
			c->seed_mode = (int)i;
	v = json_object_get(jp, "seed");
	c->seed = json_is_integer(v) ? json_integer_value(v) & 0xffffffffLL : bk_random_seed();
	if (store_revision_get(st, c->job.revision_id, &rev) != 0) {
		*err = xasprintf("cannot read brief revision %lld: %s", (long long)c->job.revision_id,
				 store_errmsg(st));
		goto out;
	}
	c->modality = rev.f.modality;
	s = json_string_value(json_object_get(jp, "prompt"));
	replace(&c->prompt, s ? s : rev.f.prompt);
	c->one_off = s && strcmp(s, rev.f.prompt ? rev.f.prompt : "") != 0;
	s = json_string_value(json_object_get(jp, "negative"));
	replace(&c->negative, s ? s : rev.f.negative);
	c->one_off |= s && strcmp(s, rev.f.negative ? rev.f.negative : "") != 0;
	replace(&c->constraints, rev.f.constraints);
	if (merge(c, c->be->settings, "the backend's definition", err) < 0)
		goto out;
	bp = json_loads(rev.f.params && *rev.f.params ? rev.f.params : "{}", 0, NULL);
	from = xasprintf("brief #%lld's params", (long long)rev.brief_id);
	if (json_is_object(bp) && merge(c, bp, from, err) < 0) {
		free(from);
		goto out;
	}
	free(from);
	v = json_object_get(jp, "set");
	if (json_is_object(v) && merge(c, v, "the job's --set", err) < 0)
		goto out;
	if (c->job.parent_id) {
		if (store_candidate_get(st, c->job.parent_id, &c->parent) != 0) {
			*err = xasprintf("cannot read candidate #%lld: %s", (long long)c->job.parent_id,
					 store_errmsg(st));
			goto out;
		}
		c->has_parent = 1;
	}
	rc = 0;
out:
	json_decref(jp);
	json_decref(bp);
	lb_revision_clear(&rev);
	return rc;
}

char *bk_candidate_params(const struct bk_call *c, const struct bk_output *o)
{
	json_t *all = json_deep_copy(c->params), *v;
	const char *k;
	char *s;

	/* What the output reports is added, except a second spelling of a
	 * parameter the job set (the server's cfg_scale for our cfg-scale). */
	json_object_foreach (o->params, k, v) {
		const struct bk_param *p = param_lookup(c->be, k);
		if (p == NULL || strcmp(p->name, k) == 0 || json_object_get(all, p->name) == NULL)
			json_object_set(all, k, v);
	}
	s = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
	json_decref(all);
	return s ? s : xstrdup("{}");
}
