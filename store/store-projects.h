/*
 * store-projects.h - projects and briefs, their revisions and the text
 * form of a brief (store/project.c, store/brief.c, store/brief-text.c).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_PROJECTS_H
#define LB_STORE_PROJECTS_H

#include <stdint.h>

#include "store/store-records.h"

struct store;

/* ------------------------------------------------------------ projects */

int store_project_add(struct store *st, const char *name, const char *description, int64_t *id);
/* Finds a project by id ("3") or slug ("autumn-campaign"). */
int store_project_find(struct store *st, const char *ref, int64_t *id);
int store_project_get(struct store *st, int64_t id, struct lb_project *out);
int store_project_list(struct store *st, int include_archived, struct lb_project_list *out);
int store_project_archive(struct store *st, int64_t id, int archived);

/* ------------------------------------------------------------ briefs */

/* Adds a brief with revision 1.  f->title must be non-empty. */
int store_brief_add(struct store *st, int64_t project_id, const struct lb_brief_fields *f, int64_t *id);
/* Saves f as a new revision when it differs from the current one;
 * *changed says whether it did. */
int store_brief_edit(struct store *st, int64_t id, const struct lb_brief_fields *f, int *changed);
int store_brief_get(struct store *st, int64_t id, struct lb_brief *out);
int store_brief_list(struct store *st, int64_t project_id, int include_archived, struct lb_brief_list *out);
int store_brief_revisions(struct store *st, int64_t id, struct lb_revision_list *out);
int store_revision_get(struct store *st, int64_t revision_id, struct lb_revision *out);
int store_brief_archive(struct store *st, int64_t id, int archived);

/* The readable text form of a brief that `brief edit` and the TUI open
 * in $EDITOR: "key: value" header lines, then [prompt], [negative],
 * [constraints] and [references] sections; '#' lines are comments.
 * Owned result. */
char *store_brief_to_text(const struct lb_brief *b);
/* Parses that form into f (fields owned by f; clear with
 * lb_brief_fields_clear).  On a mistake: STORE_EINVAL and *err (owned)
 * says which line and what is wrong. */
int store_brief_from_text(const char *text, struct lb_brief_fields *f, char **err);

#endif
