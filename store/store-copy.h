/*
 * store-copy.h - lightbox store copy: a whole store into an empty one,
 * SQLite or PostgreSQL on either side, resumable and verified
 * (store/copy.c, issue 18).
 * Part of store.h (the conventions are there); include store.h.
 */
#ifndef LB_STORE_COPY_H
#define LB_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

/* One table's verification: rows and a hash over them (rows in id order,
 * or, for a table keyed by text, a sum of the rows' hashes), computed the
 * same way on both sides. */
struct lb_copy_table {
	char name[32];
	int64_t src_rows, dst_rows;
	char src_hash[17], dst_hash[17]; /* the first 16 hex digits */
	int ok;
};

struct lb_copy_result {
	char *src, *dst;          /* the stores' names, a URL without its password */
	struct lb_copy_table *v;  /* filled once the rows are copied */
	size_t n;
	int resumed;              /* DST held an unfinished copy of SRC */
	int64_t rows;             /* rows written by this run */
	int64_t files_copied, files_present, bytes_copied;
};

/* Copies the store src (a folder or a postgresql:// URL) into dst, which
 * is made when missing and must be empty, or hold an unfinished copy of
 * src (then the copy goes on from where it stopped).  The assets folder of
 * a PostgreSQL dst is LIGHTBOX_ASSETS.  Other writers of src are held off
 * while it runs (see HACKING.md "store copy").  0 once every table's
 * count and hash agree; else a STORE_E* code with *err (owned) saying
 * what and where, res filled as far as it got. */
int store_copy(const char *src, const char *dst, struct lb_copy_result *res, char **err);
void lb_copy_result_free(struct lb_copy_result *res);

#endif
