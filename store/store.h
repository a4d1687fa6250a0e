/*
 * store.h - the lightbox store: one SQLite file (lightbox.db) plus
 * content-addressed asset files (assets/ab/abcdef....ext) and a cache
 * folder.  store/ is the only code that speaks SQL.
 *
 * Conventions
 *  - Every function that can fail returns 0 or a negative STORE_E* code;
 *    the message for the last failure is store_errmsg() (owned by the store,
 *    valid until the next call on that handle).  Messages say what went
 *    wrong and what to do, and never hold secrets.
 *  - Every user action is one transaction and writes one event (the audit
 *    log); store_batch_begin()/_end() join several actions into one
 *    transaction and one undo step (bulk rating of marked candidates).
 *  - Records returned in structs own their strings; free them with the
 *    matching *_clear() (struct stays reusable) or the list's *_free().
 *  - Ratings, flags, tags, notes and selections are made as the store's
 *    curator (store_curator()): $LIGHTBOX_CURATOR, else the login name.
 *  - One handle per thread.  Several processes may share a store: WAL,
 *    a busy timeout, and retries on DB_BUSY.
 *
 * The rest of the tree includes this header; each part of the store has
 * its own, which compiles alone: store-open.h (the handle, settings,
 * batches, the busy policy), store-records.h (struct lb_* and their
 * lists), store-projects.h (projects, briefs), store-io.h (assets,
 * import, export), store-candidates.h (candidates, curation, undo,
 * search), store-jobs.h (jobs, runners, gc), store-agreement.h
 * (agreement, pairwise ranking), store-interface.h (the interface's
 * cheap reads), store-review.h (saved views, judges and adjudication,
 * what wins).
 */
#ifndef LB_STORE_H
#define LB_STORE_H

#include "store/store-open.h"
#include "store/store-records.h"
#include "store/store-projects.h"
#include "store/store-io.h"
#include "store/store-candidates.h"
#include "store/store-jobs.h"
#include "store/store-agreement.h"
#include "store/store-interface.h"
#include "store/store-review.h"
#include "store/store-copy.h"

#endif
