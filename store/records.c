/*
 * records.c - names of enumerations and freeing of the records that the
 * store hands out.
 */
#include "config.h"

#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const flag_names[] = { "none", "pick", "reject" };
static const char *const modality_names[] = { "image", "text", "audio", "video" };
static const char *const note_kind_names[] = { "comment", "edit", "integration" };
static const char *const sort_names[] = { "oldest", "newest", "stars", "score" };
static const char *const job_state_names[] = { "queued", "running", "done", "failed", "cancelled" };

static int lookup(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

#define NAMES(fn, parse, arr)                                                \
	const char *fn(int v)                                                \
	{                                                                    \
		return v >= 0 && v < (int)(sizeof arr / sizeof arr[0]) ? arr[v] : "?"; \
	}                                                                    \
	int parse(const char *s)                                             \
	{                                                                    \
		return lookup(arr, (int)(sizeof arr / sizeof arr[0]), s);    \
	}
NAMES(lb_flag_name, lb_flag_parse, flag_names)
NAMES(lb_modality_name, lb_modality_parse, modality_names)
NAMES(lb_note_kind_name, lb_note_kind_parse, note_kind_names)
NAMES(lb_sort_name, lb_sort_parse, sort_names)
#undef NAMES

const char *lb_job_state_name(int s)
{
	return s >= 0 && s < 5 ? job_state_names[s] : "?";
}

void lb_project_clear(struct lb_project *p)
{
	free(p->name);
	free(p->slug);
	free(p->description);
	memset(p, 0, sizeof *p);
}

void lb_brief_fields_clear(struct lb_brief_fields *f)
{
	free(f->title);
	free(f->prompt);
	free(f->negative);
	free(f->params);
	free(f->constraints);
	free(f->refs);
	free(f->backend);
	memset(f, 0, sizeof *f);
}

void lb_brief_clear(struct lb_brief *b)
{
	lb_brief_fields_clear(&b->f);
	memset(b, 0, sizeof *b);
}

void lb_revision_clear(struct lb_revision *r)
{
	lb_brief_fields_clear(&r->f);
	free(r->author);
	memset(r, 0, sizeof *r);
}

void lb_candidate_clear(struct lb_candidate *c)
{
	free(c->body);
	free(c->backend);
	free(c->model);
	free(c->prompt);
	free(c->negative);
	free(c->params);
	free(c->source);
	free(c->sha256);
	free(c->media_type);
	free(c->path);
	free(c->tags);
	memset(c, 0, sizeof *c);
}

void lb_rating_clear(struct lb_rating *r)
{
	free(r->curator);
	memset(r, 0, sizeof *r);
}

void lb_note_clear(struct lb_note *n)
{
	free(n->body);
	free(n->curator);
	memset(n, 0, sizeof *n);
}

void lb_selection_clear(struct lb_selection *s)
{
	free(s->intended_use);
	free(s->integration);
	free(s->curator);
	memset(s, 0, sizeof *s);
}

void lb_event_clear(struct lb_event *e)
{
	free(e->curator);
	free(e->login);
	free(e->action);
	free(e->entity);
	free(e->before);
	free(e->after);
	memset(e, 0, sizeof *e);
}

char *store_event_who(const struct lb_event *e)
{
	if (e->login && *e->login && strcmp(e->login, e->curator) != 0)
		return xasprintf("%s (as %s)", e->login, e->curator);
	return xstrdup(e->curator);
}

void lb_job_clear(struct lb_job *j)
{
	free(j->kind);
	free(j->backend);
	free(j->params);
	free(j->error);
	free(j->curator);
	memset(j, 0, sizeof *j);
}

#define LIST_FREE(fn, type, clear)             \
	void fn(type *l)                       \
	{                                      \
		size_t i;                      \
		for (i = 0; i < l->n; i++)     \
			clear(&l->v[i]);       \
		free(l->v);                    \
		l->v = NULL;                   \
		l->n = 0;                      \
	}
LIST_FREE(lb_project_list_free, struct lb_project_list, lb_project_clear)
LIST_FREE(lb_brief_list_free, struct lb_brief_list, lb_brief_clear)
LIST_FREE(lb_revision_list_free, struct lb_revision_list, lb_revision_clear)
LIST_FREE(lb_candidate_list_free, struct lb_candidate_list, lb_candidate_clear)
LIST_FREE(lb_rating_list_free, struct lb_rating_list, lb_rating_clear)
LIST_FREE(lb_note_list_free, struct lb_note_list, lb_note_clear)
LIST_FREE(lb_selection_list_free, struct lb_selection_list, lb_selection_clear)
LIST_FREE(lb_event_list_free, struct lb_event_list, lb_event_clear)
LIST_FREE(lb_job_list_free, struct lb_job_list, lb_job_clear)
#undef LIST_FREE

void store_strv_free(char ***v, size_t n)
{
	size_t i;

	if (*v == NULL)
		return;
	for (i = 0; i < n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
}
