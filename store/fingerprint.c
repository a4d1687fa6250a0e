/*
 * fingerprint.c - makes the fingerprints candidates lack: reads which
 * assets have none (a read), decodes each through the thumbnail cache
 * (no transaction open: a write transaction never spans file I/O), and
 * writes a batch of results in one short transaction.  Used at import,
 * generation and `candidate add` (for the new candidates), by `lightbox
 * fingerprint` and `doctor --fix`, and by the interface's worker.
 */
#include "config.h"

#include "stacks.h"

#include <stdlib.h>
#include <string.h>

#include "media/media.h"
#include "store-private.h"

#define FILL_BATCH 32

/* Up to max (0: no end) of the brief's missing fingerprints. */
static int fill(struct store *st, int64_t brief_id, int retry, long long pixel_limit,
		const volatile int *stop, size_t max, size_t *made, size_t *failed)
{
	struct lb_fp_todo *todo = NULL;
	struct lb_fp_result res[FILL_BATCH];
	char *errs[FILL_BATCH];
	int64_t after = 0;
	size_t n, i, nmade = 0, nfailed = 0;
	int rc = 0;

	if (made)
		*made = 0;
	if (failed)
		*failed = 0;
	if (st->depth > 0) /* a caller's transaction would span the decoding */
		fatal("store_fp_fill inside a transaction");
	for (;;) {
		if (stop && *stop)
			break;
		if (max && nmade + nfailed >= max)
			break;
		rc = store_fp_todo(st, brief_id, after, retry,
				   max && max - nmade - nfailed < FILL_BATCH ? (int)(max - nmade - nfailed)
									     : FILL_BATCH,
				   &todo, &n);
		if (rc || n == 0)
			break;
		for (i = 0; i < n; i++) {
			char *path = store_asset_path(st, todo[i].sha256, todo[i].ext);
			char *err = NULL;

			memset(&res[i], 0, sizeof res[i]);
			res[i].asset_id = todo[i].asset_id;
			res[i].ok = media_fingerprint_file(store_cache_dir(st), todo[i].sha256, path,
							   todo[i].video, pixel_limit, &res[i].fp,
							   &err) == 0;
			errs[i] = err;
			res[i].error = err;
			nmade += res[i].ok;
			nfailed += !res[i].ok;
			free(path);
			if (stop && *stop) {
				n = i + 1;
				break;
			}
		}
		after = todo[n - 1].asset_id;
		rc = store_fp_put(st, res, n);
		for (i = 0; i < n; i++)
			free(errs[i]);
		free(todo);
		todo = NULL;
		if (rc)
			break;
	}
	free(todo);
	if (made)
		*made = nmade;
	if (failed)
		*failed = nfailed;
	return rc;
}

int store_fp_fill(struct store *st, int64_t brief_id, int retry, long long pixel_limit,
		  const volatile int *stop, size_t *made, size_t *failed)
{
	return fill(st, brief_id, retry, pixel_limit, stop, 0, made, failed);
}

int store_fp_fill_some(struct store *st, long long pixel_limit, size_t max, size_t *made,
		       int *more)
{
	size_t ok = 0, bad = 0;
	int rc = fill(st, 0, 0, pixel_limit, NULL, max, &ok, &bad);

	*made = ok;
	*more = rc == 0 && ok + bad >= max;
	return rc;
}
