/*
 * store-interface.h - cheap reads for the interface and its checkpoints
 * (store/tui-queries.c).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_INTERFACE_H
#define LB_STORE_INTERFACE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store-records.h"
#include "store/store-jobs.h"

struct store;

/* ------------------------------------------------------------ reads for the interface
 * (store/tui-queries.c) Cheap at any store size: nothing here counts
 * candidates, so the interface can show names at once and fill counts in
 * from a worker thread (store_project_get, store_brief_get). */

/* Projects / briefs with every count field set to -1.  out is replaced;
 * free with lb_project_list_free / lb_brief_list_free. */
int store_project_list_light(struct store *st, int include_archived, struct lb_project_list *out);
int store_brief_list_light(struct store *st, int64_t project_id, int include_archived, struct lb_brief_list *out);
/* One brief (current revision's fields), counts -1.  Clear with lb_brief_clear. */
int store_brief_get_light(struct store *st, int64_t id, struct lb_brief *out);
/* A project's name.  *name is owned by the caller. */
int store_project_name(struct store *st, int64_t id, char **name);
/* Curators who rated anything / backends that made candidates of brief_id
 * (0: any brief), starting with prefix (NULL: all), sorted.  Free with
 * store_strv_free.  store_backend_names reads every candidate of the
 * brief: call it off the interface's thread for big briefs. */
int store_curator_names(struct store *st, const char *prefix, char ***names, size_t *n);
int store_backend_names(struct store *st, int64_t brief_id, const char *prefix, char ***names, size_t *n);
/* What the job runner did lately, for the interface's status line: jobs of
 * curator that ended (done or failed) at `since` or later (Unix seconds),
 * by when they ended, at most limit; only id, brief_id, kind, backend,
 * state, error, finished and n_candidates are filled in.  *queued and
 * *running count the curator's jobs in those states now.  out is replaced. */
int store_job_news(struct store *st, const char *curator, int64_t since, int limit, struct lb_job_list *out,
		   int64_t *queued, int64_t *running);
/* The first candidate job_id made (0 when none), to open its brief there. */
int store_job_first_candidate(struct store *st, int64_t job_id, int64_t *cand_id);
/* Checkpoints copy the write-ahead log into the database and fsync: up to
 * a few hundred milliseconds on a big store.  The interface turns them
 * off on its own connection (pages 0; SQLite's default is 1000) and runs
 * store_wal_checkpoint, a PASSIVE checkpoint that waits for nobody, from
 * its worker thread.  *wal_frames and *copied (may be NULL) say how big
 * the log was and how much was copied. */
int store_wal_autocheckpoint(struct store *st, int pages);
int store_wal_checkpoint(struct store *st, int *wal_frames, int *copied);

#endif
