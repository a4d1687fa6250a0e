/*
 * export-private.h - what the parts of `lightbox export` share: the
 * gathered candidate, the export's state, the record formats
 * (export-format.c), and the files and folders it writes (export-copy.c).
 * store_export itself, the gathering and the walk are in export.c.
 */
#ifndef LIGHTBOX_EXPORT_PRIVATE_H
#define LIGHTBOX_EXPORT_PRIVATE_H

#include <stdio.h>
#include <sys/stat.h>

#include "store.h"

struct ex_format;

/* ------------------------------------------------------------ one candidate, gathered */

struct tagrec {
	char *name, *curator;
	int64_t created;
};

struct item {
	struct lb_candidate c;
	int n;                        /* position in the brief, 1.. */
	char *file;                   /* copied file, relative to the copy folder; NULL */
	char *prompt, *negative;      /* effective: the candidate's, else its revision's */
	int has_sel;
	char *use, *integration, *sel_by;
	int64_t sel_at;
	struct lb_rating_list ratings;
	struct tagrec *tags;
	size_t ntags;
	struct lb_note_list notes;
	int has_score;
	double score, se;
	int judged;
};

/* ------------------------------------------------------------ the export's state */

struct ex {
	struct store *st;
	const struct lb_export_options *o;
	const struct ex_format *fmt;
	FILE *f;                      /* the record */
	char now[32];
	struct lb_project proj;
	char *stage;                  /* copy folder being built, or NULL */
	char *rec_rel;                /* record's name inside the copy folder */
	struct sbuf manifest;
	char **slugs;                 /* brief folder names used */
	size_t nslugs;
	int64_t n_briefs, n_cands, n_selected, n_files, bytes;
	int first;                    /* JSON: no brief written yet */
	/* current brief */
	struct lb_brief b;
	const char *slug;
	struct lb_ranking rank;
	int first_cand;
	int64_t cur_rev_id;
	struct lb_revision rev;       /* the revision of the candidate last seen */
	/* deliver: places each candidate's file instead of ex_copy_item */
	int (*place)(struct ex *x, struct item *it);
	void *ctx;
};
/*
 * The record is written through a FILE whose writes are util_write_all on a
 * descriptor: short counts and EINTR carry on, and the first failure is kept
 * with its errno.  (Looking at ferror() and errno at the end reported a full
 * disk as "File exists", the errno of a later mkdir.)
 *
 * A regular file, new or replaced, is written to a temporary file beside it
 * that is synced and renamed over it; a replaced one keeps its mode and
 * owner, a new one gets 0666 less the umask.  Anything else that takes a
 * stream (standard output, a terminal or other character device, a FIFO, a
 * socket) is written to as one and never replaced.  A symbolic link is
 * followed to what it names.
 */
struct out {
	char *name;	   /* for messages */
	char *final;	   /* the regular file to replace at the end */
	char *tmp;	   /* its temporary, while it exists */
	int fd, own, sync; /* own: ours to close; sync: a file to fsync */
	int err;	   /* errno of the first failed write, 0 */
	FILE *f;
};

struct listed {
	char *name; /* relative to the folder */
	char hex[65];
};

struct listing {
	struct listed *v;
	size_t n;
};

/* ------------------------------------------------------------ the formats (export-format.c) */

/* A record format: begin and candidate always, the others where it has them. */
struct ex_format {
	void (*begin)(struct ex *x);
	void (*brief)(struct ex *x, const struct lb_revision *cur, const struct lb_revision_list *earlier);
	void (*candidate)(struct ex *x, const struct item *it);
	void (*brief_end)(struct ex *x);
	void (*end)(struct ex *x);
};

/* The writer of an enum lb_export_format; NULL for another number. */
const struct ex_format *ex_format(int format);

/* Walks the project (o->brief_id: one brief) through x->fmt, and x->place
 * or ex_copy_item for each candidate when x->stage is set (export.c). */
int ex_walk(struct ex *x);
/* ex_walk in one read transaction (unless one is open): a consistent snapshot. */
int ex_walk_snapshot(struct ex *x);
/* Reads the project of x->o (and checks its brief, o->brief_id): 0 or a code. */
int ex_open_project(struct ex *x);
/* Frees what x gathered: slugs, manifest, project, revision, ranking. */
void ex_clear(struct ex *x);

/* ------------------------------------------------------------ the web page (export-html.c) */

/* Writes the page of the JSON record (json, len; x->o asked for html) on
 * out, with the thumbnails and selection.json in x->stage, each listed in
 * x->manifest.  0 or a code. */
int ex_html(struct ex *x, const char *json, size_t len, FILE *out);

/* ------------------------------------------------------------ files and folders (export-copy.c) */

/* Copies src to dst (a new file), checking that its bytes still hash to
 * want (NULL: no check); hex gets the hash, *bytes the size. */
int ex_copy_file(struct store *st, const char *src, const char *dst, const char *want, char hex[65],
		 int64_t *bytes);

/* Creates dst (a new file) holding text; hex gets its hash. */
int ex_write_text_file(struct store *st, const char *dst, const char *text, char hex[65]);

/* The identity of this store in its folder's marker: 0, or -1 when the
 * marker at path is missing or holds none. */
int ex_read_marker_at(const char *path, char id[33]);

/* Reads dir's MANIFEST.sha256 as lightbox writes it; 0, or -1 when it is
 * missing or not such a file. */
int ex_read_manifest(const char *dir, struct listing *l);

/* A write to path failed with err: says so, and what to do about it. */
int ex_write_fail(struct store *st, const char *path, int err);

/* Copies the candidate's file (or writes its text) into the stage as
 * BRIEF-SLUG/N-ID.EXT and lists it in the manifest. */
int ex_copy_item(struct ex *x, struct item *it);

/* A brief's folder name: its slug, made unique within the export. */
const char *ex_brief_slug(struct ex *x, const struct lb_brief *b);

/* Absolute form of a path whose last component may not exist yet. */
char *ex_abs_path(const char *p);

/* The folder holding an absolute path (owned). */
char *ex_parent_of(const char *abs);

/* May the export go to dest (absolute; o->copy_to as given)?  When it is an
 * earlier export to replace, *old gets its listing. */
int ex_check_copy_to(struct store *st, const struct lb_export_options *o, const char *dest,
			 struct listing *old, int *replace);

/* An empty w, holding nothing. */
void ex_out_init(struct out *w);

/* w writes to fd (closed at the end when own), named name in messages. */
void ex_out_start(struct out *w, int fd, int own, const char *name);

/* Opens the place --out names ("-": std); 0 or a code with a message. */
int ex_out_open(struct store *st, const char *path, FILE *std, struct out *w);

/* Flushes and closes w, syncs a file, and puts a replacement in place; 0 or a
 * code that names the first error. */
int ex_out_close(struct store *st, struct out *w);

/* Closes w without finishing it: a temporary goes. */
void ex_out_free(struct out *w);

/* Appends the file src to w. */
int ex_out_copy(struct store *st, struct out *w, const char *src);

/* The SHA-256 of a file, read a piece at a time; 0 or -1 with errno. */
int ex_hash_path(const char *path, char hex[65]);

/* Creates dst (it must not exist) holding the n bytes of data. */
int ex_write_new_file(struct store *st, const char *dst, const void *data, size_t n);

/* Writes the marker naming this store into the stage. */
int ex_write_marker(struct store *st, const char *stage);

/* Makes everything under dir durable (one syncfs). */
int ex_sync_dir(struct store *st, const char *dir);

/* Puts the finished stage at dest.  An earlier export there (replace) is
 * swapped out in one rename where the file system can, then emptied by its
 * listing; *kept names where it stays when something unlisted kept it. */
int ex_install_folder(struct store *st, char **stage, const char *dest, const char *parent,
			  int replace, const struct listing *l, char **kept);

/* Removes a folder this export made itself (its stage), whatever is in it. */
void ex_rm_rf(const char *path);

/* Frees l's names; l is empty after. */
void ex_listing_free(struct listing *l);

/* ------------------------------------------------------------ XMP (xmp.c) */

/* Writes the sidecar of it at path (merge: into the one there, replaced
 * atomically; else a new file); hex gets the SHA-256 of what was written. */
int ex_xmp_write(struct ex *x, const struct item *it, const char *path, int merge, char hex[65]);

/* The ids of a brief's candidates that x->o asks for (all, picked,
 * min_stars, tag), selected ones first; owned *ids. */
int ex_brief_candidates(struct ex *x, int64_t brief_id, int64_t **ids, size_t *n);

/* Gathers candidate id of the brief x->b (ratings, tags, notes, selection). */
int ex_gather(struct ex *x, int64_t id, int n, struct item *it);
void ex_item_clear(struct item *it);

#endif
