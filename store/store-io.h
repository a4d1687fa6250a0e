/*
 * store-io.h - what goes in and out of a store as files: assets, import
 * and export (store/asset.c, store/import.c, store/export*.c).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_IO_H
#define LB_STORE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

/* ------------------------------------------------------------ assets */

/* Stores data as a content-addressed asset (temp file, fsync, rename,
 * then the row).  media_type like "image/png", ext like "png" (may be
 * NULL: derived from the type).  *existed is set when the same bytes were
 * already stored.  width/height/duration may be 0. */
struct lb_asset_facts {
	const char *media_type;
	const char *ext;
	int width, height;
	double duration;
};
int store_asset_put(struct store *st, const void *data, size_t n, const struct lb_asset_facts *facts,
		    int64_t *asset_id, int *existed);
/* Same, from a file, streamed (never fully in memory). */
int store_asset_put_file(struct store *st, const char *path, const struct lb_asset_facts *facts,
			 int64_t *asset_id, int *existed);
/* Finds an asset by sha256 hex; STORE_ENOTFOUND when absent. */
int store_asset_find(struct store *st, const char *sha256, int64_t *asset_id);
/* Absolute path of an asset's file.  Owned. */
char *store_asset_path(struct store *st, const char *sha256, const char *ext);

/* ------------------------------------------------------------ import */

/* What happened to one file of an import. */
enum lb_import_status {
	LB_IMPORT_ADDED = 0,    /* a new candidate (and maybe a new asset) */
	LB_IMPORT_SAME_ASSET,   /* a new candidate whose bytes were already stored */
	LB_IMPORT_DUPLICATE,    /* the same bytes are already a candidate there: skipped */
	LB_IMPORT_SIDECAR,      /* a .json/.txt read as another file's parameters */
	LB_IMPORT_SKIPPED,      /* left out on purpose (hidden, other modality in a folder) */
	LB_IMPORT_FAILED,       /* could not be imported: reason says why */
	LB_IMPORT__COUNT
};
/* "added", "same-asset", "duplicate", "sidecar", "skipped", "failed". */
const char *lb_import_status_name(int s);

/* One file's outcome, handed to the report callback.  Strings belong to
 * the import and live until the callback returns. */
struct lb_import_item {
	const char *path;       /* the path as found (raw bytes, maybe not UTF-8) */
	const char *shown;      /* the same made safe to print (util_visible) */
	int status;             /* enum lb_import_status */
	const char *reason;     /* why it failed or was skipped, or a warning; NULL when none */
	const char *media_type; /* "image/png", ...; NULL when unknown */
	const char *sha256;     /* hex; NULL when the file was not read */
	int64_t bytes;
	int width, height;
	double duration;
	int64_t brief_id;       /* the brief it went (or would go) to; 0 when none */
	int64_t candidate_id;   /* new or existing candidate; 0 when none (or dry run) */
	int64_t asset_id;       /* 0 when none (or dry run) */
	const char *tool;       /* generator named by the metadata, or NULL */
	int has_prompt;         /* generation parameters were recovered */
};

/* Progress, handed to the progress callback after each file.  Files of
 * the open batch count as added already; the report callback hears of
 * them once their batch is committed. */
struct lb_import_progress {
	size_t done, total;     /* files handled / found */
	int64_t bytes;          /* bytes read so far */
	size_t n[LB_IMPORT__COUNT]; /* files per status so far */
	const char *current;    /* the file just handled, made safe to print */
	double elapsed_ms;
};

struct lb_import_options {
	int64_t brief_id;       /* the brief to import into; 0 with new_brief */
	int new_brief;          /* make briefs from the prompts found (one per prompt) */
	int64_t project_id;     /* with new_brief: the project for the new briefs */
	int dry_run;            /* read and report everything, write nothing */
	int batch;              /* files per transaction (0: 256) */
	int found;              /* the paths were found in a watched folder: other kinds are
				   left out as in a folder walk, not taken as named */
	int skip_open;          /* leave out files some process has open for writing (a watch:
				   they are taken when closed) */
	int link;               /* link the files into the store (hard link, or a reflink where
				   the filesystem has them) instead of copying, when they lie on
				   the store's filesystem; else copied, with a note */
	/* Called once per file (and once per file found in a folder that is
	 * left out): at once for files that fail or are skipped, after their
	 * batch commits for files added (so "added" is on disk).  May be NULL. */
	void (*report)(void *ctx, const struct lb_import_item *it);
	/* Called after each file; a nonzero return stops the import after
	 * that file, keeping what is done (STORE_OK, *interrupted set).
	 * May be NULL. */
	int (*progress)(void *ctx, const struct lb_import_progress *p);
	void *ctx;
};

struct lb_import_result {
	size_t total;                /* names found: files, and what the walk left out or could
					not follow (pipes, devices, loops, hidden names); the
					n[] add up to it unless interrupted */
	size_t n[LB_IMPORT__COUNT];  /* files per status */
	int64_t bytes;               /* bytes read */
	int interrupted;             /* the progress callback stopped it */
	int64_t *briefs;             /* owned: briefs made by new_brief (none in a dry run) */
	size_t n_briefs;
	size_t n_briefs_planned;     /* briefs new_brief made (or would make) */
};
void lb_import_result_clear(struct lb_import_result *r);

/* Imports the files and folders in paths (recursively; symlinks followed,
 * loops detected; names need not be UTF-8) as candidates of a brief.
 * Each file is stored once by SHA-256; a file whose bytes are already a
 * candidate of the brief (or, with new_brief, of the project) is skipped,
 * so running the same import again continues where it stopped.  The
 * generation parameters the file or its sidecar holds become the
 * candidate's prompt, negative prompt, seed, model and parameters.
 * Files are read, copied and synced outside any transaction; each batch's
 * rows then go in one short transaction, after its files are on disk.
 * `candidate add` takes its files through here too: one rule per file
 * for every door.  A file that fails is reported (o->report) with its reason
 * and the rest go on: the return is STORE_OK unless the store itself
 * failed (then the batch in progress is rolled back and earlier batches
 * stay).  *res is filled in both cases (clear it with
 * lb_import_result_clear).  Blocking: the TUI runs it in a thread with a
 * store handle of its own and uses the callbacks. */
int store_import(struct store *st, const char *const *paths, size_t n_paths,
		 const struct lb_import_options *o, struct lb_import_result *res);

/* ------------------------------------------------------------ watch */

/* Where a watch stands, handed to the tick callback. */
struct lb_watch_status {
	size_t n[LB_IMPORT__COUNT]; /* files per status since the watch started */
	size_t runs;                /* imports run (the walk at start, then one per burst) */
	size_t batches;             /* transactions that recorded files */
	int walked;                 /* the walk at start is done */
};

struct lb_watch_options {
	/* brief_id, batch, link, report, ctx as for store_import; found and
	 * skip_open are set by the watch itself. */
	struct lb_import_options import;
	int settle_ms;          /* quiet time that ends a burst (0: 100 ms) */
	/* Called a few times a second and after each import; nonzero stops
	 * the watch (after the file in hand).  May be NULL. */
	int (*tick)(void *ctx, const struct lb_watch_status *s);
	/* Called after each import run that added files (the interface looks
	 * at the store then).  May be NULL. */
	void (*landed)(void *ctx, const struct lb_watch_status *s);
	void *ctx;              /* for tick and landed */
};

/* Watches the folder dir (and the folders in it) with inotify and imports
 * each new file into o->import.brief_id once it is complete: when its
 * writer closes it (close_write) or it is moved in (moved_to).  A file
 * some process still has open for writing is never read.  First a walk
 * imports what arrived while nobody watched (resumed by SHA-256 as every
 * import is); files of a burst go in together, in batches.  While it
 * runs, cache/watch-PID-N names it (login, pid, folder, brief) for
 * store_watch_list.  Returns when tick asks (STORE_OK), or on a store
 * failure or when the folder goes away (an error, with a message). */
int store_watch(struct store *st, const char *dir, const struct lb_watch_options *o, struct lb_watch_status *s);

/* One active watch, from its registration file. */
struct lb_watch_entry {
	char *login, *folder;   /* made safe to print */
	long pid;
	int64_t brief_id;
};
/* The watches of this store whose process runs; tidy: remove the files
 * of dead ones (stale).  Free with lb_watch_list_free. */
int store_watch_list(struct store *st, int tidy, struct lb_watch_entry **v, size_t *n);
void lb_watch_list_free(struct lb_watch_entry *v, size_t n);

/* ------------------------------------------------------------ linked assets */

/* One asset checked by hash (store_asset_verify). */
struct lb_verify_item {
	int64_t asset_id;
	const char *sha256, *path;
	const char *origin;     /* where it was linked from; NULL for a copy */
	int link;               /* 0 copy, 1 hard link, 2 reflink */
	int state;              /* enum lb_asset_state: its bytes against its SHA-256 */
};
/* Reads every linked asset's file (all: every asset's) and compares its
 * bytes with its SHA-256; *nbad counts those changed or missing.  Reads
 * only: no transaction is held. */
int store_asset_verify(struct store *st, int all, void (*report)(void *ctx, const struct lb_verify_item *it),
		       void *ctx, size_t *nbad);

/* How many assets are linked, and how many of them changed or vanished
 * by size and mtime (no hash: doctor's quick look). */
int store_asset_link_check(struct store *st, size_t *linked, size_t *bad);

enum lb_relink_what {
	LB_RELINK_RESTORED,     /* the asset's file had changed or vanished: linked again */
	LB_RELINK_MOVED,        /* its original lies elsewhere now: recorded */
	LB_RELINK_NOT_FOUND,    /* changed or missing, and no file in DIR has its bytes */
	LB_RELINK_FAILED,       /* found, but could not be put back (why) */
};
struct lb_relink_item {
	int64_t asset_id;
	const char *sha256;
	const char *found;      /* the file in DIR with its bytes; NULL when none */
	const char *was;        /* the origin recorded before */
	int what;               /* enum lb_relink_what */
	const char *why;
};
struct lb_relink_result {
	size_t linked, hashed, restored, moved, in_place, not_found, failed;
};
/* Finds the files of linked assets in dir by SHA-256 (hashing only files
 * of a size some linked asset has): an asset whose file changed or
 * vanished gets it back (a hard link, or a copy across filesystems); one
 * whose original moved records where it lies now. */
int store_relink(struct store *st, const char *dir, void (*report)(void *ctx, const struct lb_relink_item *it),
		 void *ctx, struct lb_relink_result *res);

/* ------------------------------------------------------------ export */

enum lb_export_format { LB_EXPORT_JSON = 0, LB_EXPORT_CSV, LB_EXPORT_MD, LB_EXPORT_HTML };
const char *lb_export_format_name(int f);    /* "json", "csv", "md", "html" */
int lb_export_format_parse(const char *s);   /* -1 when unknown; "markdown" too */

#define LB_EXPORT_FORMAT_VERSION 1

struct lb_export_options {
	int64_t project_id;
	int format;             /* enum lb_export_format */
	int64_t brief_id;       /* 0: every brief of the project */
	int all;                /* every candidate, not only the selected ones */
	int picked;             /* only candidates some curator flagged pick */
	int min_stars;          /* 0: any; else mean stars >= min_stars */
	const char *tag;        /* only candidates with this tag; NULL: any */
	const char *query;      /* only candidates this query finds (query.c); NULL: any */
	const char *out;        /* write the record here: a regular file is replaced
				   atomically (keeping its mode), a device, FIFO or socket
				   written as a stream, a symbolic link followed; "-": to;
				   NULL: see below */
	FILE *to;               /* "-", or when out and copy_to are NULL: write here */
	const char *copy_to;    /* also copy the assets here as BRIEF-SLUG/N-ID.EXT with a
				   MANIFEST.sha256; the record goes in as selection.EXT
				   (and only there when out is NULL) */
	int force;              /* replace an earlier export of this store at copy_to (one
				   holding its marker and only what its manifest lists) */
	/* html (needs copy_to): makes the JPEG thumbnail of the copied file
	 * src (a picture or a video) within max_side pixels a side: 0 with
	 * *jpeg (malloc'ed, len bytes), *w and *h, or -1 with *err (owned).
	 * NULL: the page shows the pictures themselves. */
	int (*thumb)(void *ctx, const char *src, const char *sha256, int max_side, unsigned char **jpeg,
		     size_t *len, int *w, int *h, char **err);
	void *thumb_ctx;
};

struct lb_export_result {
	int64_t n_briefs;       /* briefs in the record */
	int64_t n_candidates;   /* candidates in the record */
	int64_t n_files;        /* files copied (copy_to) */
	int64_t bytes_copied;
	char *record_path;      /* owned: where the record went, NULL for a stream */
	char *kept;             /* owned: where the earlier export replaced with force stays,
				   because something its manifest does not list appeared in it
				   meanwhile; NULL: it is gone */
};
void lb_export_result_clear(struct lb_export_result *r);

/* Writes the project's selection record (doc/export.md describes the
 * formats): every brief with its current revision, the chosen candidates
 * with selection, ratings, tags, notes, provenance and asset SHA-256.
 * Files are written to a temporary name and renamed, the copy folder
 * built beside its destination and renamed into place, so a failure
 * leaves nothing half-written.  An existing copy_to folder is refused
 * (STORE_EINVAL) unless force.  The clock is util_now(). */
int store_export(struct store *st, const struct lb_export_options *o, struct lb_export_result *res);

/* ------------------------------------------------------------ deliver */

enum lb_deliver_mode { LB_DELIVER_COPY = 0, LB_DELIVER_LINK, LB_DELIVER_SYMLINK };

/* The default --name: a folder per brief, the candidate's id. */
#define LB_DELIVER_NAME "{brief}/{id}.{ext}"

struct lb_deliver_options {
	int64_t project_id;
	int64_t brief_id;       /* 0: every brief of the project */
	const char *to;         /* the delivery folder */
	int mode;               /* enum lb_deliver_mode */
	const char *name;       /* template of file names; NULL: LB_DELIVER_NAME */
	int xmp;                /* a sidecar NAME.xmp beside each file */
	const char *query;      /* the candidates this query finds among all of the
				   project's (query.c), not the selection; NULL: the selection */
};

struct lb_deliver_result {
	int64_t n_candidates;   /* in the delivery now */
	int64_t n_new;          /* files placed by this run */
	int64_t n_already;      /* delivered before, left as they were */
	int64_t n_linked, n_copied, n_symlinked, n_fallback; /* fallback: copied, not linked */
	int64_t n_xmp;
	int64_t bytes;          /* of the files placed */
	char *fallback_why;     /* owned: why a link was a copy, NULL */
};
void lb_deliver_result_clear(struct lb_deliver_result *r);

/* Checks a --name template: NULL, or an owned message saying what is wrong. */
char *lb_deliver_name_check(const char *tmpl);

/* Delivers the project's selected candidates (store/deliver.c; the manual's
 * "lightbox deliver"): each file checked against its SHA-256 and placed in
 * o->to by copy, hard link or symbolic link under a name from the
 * template, with MANIFEST.sha256, the record selection.json and a marker
 * naming this store.  A new folder is built hidden beside o->to and renamed
 * into place; a folder delivered to before gets the candidates it lacks,
 * and nothing in it is removed or overwritten.  No write transaction. */
int store_deliver(struct store *st, const struct lb_deliver_options *o, struct lb_deliver_result *res);

/* ------------------------------------------------------------ purge (store/purge.c) */

struct lb_purge_options {
	int64_t project_id;
	int64_t brief_id;       /* 0: every brief of the project */
	int rejected;           /* candidates some curator rejected and none picked */
	int below;              /* 1-5: candidates rated below it (mean), none picked; 0: no */
	int64_t older;          /* seconds: only decisions at least this old */
};

enum { LB_PURGE_KEPT_SHARED = 1, LB_PURGE_KEPT_DELIVERED, LB_PURGE_KEPT_CHANGED };

struct lb_purge_item {
	int64_t candidate_id;   /* the first ruled-out candidate on the file */
	int64_t asset_id;
	int n_candidates;       /* ruled-out candidates on the file */
	char *sha256, *path;
	int64_t bytes;
	int kept;               /* 0: to free; else why not (lb_purge_kept_why) */
	int freed;              /* store_purge_run freed it */
};

struct lb_purge_plan {
	struct lb_purge_item *v;
	size_t n;
	int64_t bytes;          /* of the files to free (after a run: freed) */
	int64_t n_kept;         /* files ruled out that stay, and why in v */
	int64_t n_purged;       /* candidates whose file was freed before */
	int64_t n_freed;        /* after a run */
};
void lb_purge_plan_clear(struct lb_purge_plan *p);
const char *lb_purge_kept_why(int kept);

/* What a purge would free: read only, nothing changes (the dry run). */
int store_purge_plan(struct store *st, const struct lb_purge_options *o, struct lb_purge_plan *p);

/* Frees the plan's files: each is checked again in one short transaction
 * that marks its asset row purged (asset.purged) and logs the purge; file
 * work happens outside it.  p->v[i].freed, n_freed and bytes say what went. */
int store_purge_run(struct store *st, const struct lb_purge_options *o, struct lb_purge_plan *p);

/* ------------------------------------------------------------ XMP sidecars (store/xmp.c) */

/* The xmp:Rating lightbox writes for a candidate: -1 when rejected and
 * never picked, else its mean stars rounded (0: unrated). */
struct lb_candidate;
int lb_xmp_rating(const struct lb_candidate *c);

struct lb_xmp_facts {
	char *path;             /* the sidecar read */
	int has_rating, rating; /* xmp:Rating, -1..5 */
	char **tags;            /* dc:subject */
	size_t ntags;
};
void lb_xmp_facts_clear(struct lb_xmp_facts *f);

/* Reads an XMP sidecar; 0, or -1 with *why (owned) saying what is wrong. */
int lb_xmp_read(const char *path, struct lb_xmp_facts *f, char **why);

/* The sidecar of file another photo tool wrote: FILE.xmp (darktable,
 * digiKam) or STEM.xmp (Lightroom), owned; NULL when there is none. */
char *lb_xmp_sidecar(const char *file);

struct lb_xmp_write_result {
	int64_t n_written, n_skipped;
	int64_t n_bad;          /* sidecars there that Exempi cannot read: left alone */
	char *bad;              /* owned: the first one's message, NULL */
};

/* Writes (merging into what is there) the sidecars of a brief's candidates:
 * beside the delivered files in the delivery folder dir, or with dir NULL
 * beside the files they were imported from, when those still hold the same
 * bytes.  No write transaction. */
int store_xmp_write(struct store *st, int64_t brief_id, const char *dir,
		    struct lb_xmp_write_result *res);

#endif
