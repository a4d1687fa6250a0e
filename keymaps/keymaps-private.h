/*
 * keymaps-private.h - what the files of keymaps/ share and nobody else sees.
 */
#ifndef LB_KEYMAPS_PRIVATE_H
#define LB_KEYMAPS_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* Of the n names given by get(i, ctx), the one closest to word (ignoring
 * case) by edit distance; a name that word begins (3+ characters) counts
 * as distance 0, and ties go to the longer common prefix, then to the
 * earlier name.  NULL when none is close enough to be a plausible typo.
 * Borrowed from get's strings. */
const char *km_closest(const char *word, size_t n, const char *(*get)(size_t i, const void *ctx),
                       const void *ctx);

/* Appends s to out escaped for man(7) text: backslash, hyphen, a leading
 * dot or quote, and non-ASCII as \[uXXXX]. */
struct sbuf;
void km_roff_escape(struct sbuf *out, const char *s);

#endif
