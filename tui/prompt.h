/*
 * prompt.h - the prompt: the one-line editor with history and completion (prompt.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_PROMPT_H
#define LB_TUI_PROMPT_H

#include <stddef.h>
#include <stdint.h>

#include "keymaps/keymaps.h"

struct tui;
struct prompt;

/* ------------------------------------------------------------ the prompt (prompt.c) */

enum complete_kind {
	CPL_NONE = 0,
	CPL_COMMAND,  /* action names, config verbs, then their arguments */
	CPL_TAGS,     /* existing tags */
	CPL_WORDS,    /* spec->words */
	CPL_FILTER,   /* filter terms and their values */
	CPL_CURATORS,
	CPL_BACKENDS,
	CPL_PATHS,    /* file and folder names */
};

enum prompt_history {
	HIST_COMMAND = 0,
	HIST_SEARCH,
	HIST_FILTER,
	HIST_TAG,
	HIST_NOTE,
	HIST_OTHER,
	HIST__COUNT
};

typedef void (*prompt_accept_fn)(struct tui *ui, void *arg, const char *text);

struct prompt_spec {
	const char *label;           /* "tag: " */
	const char *init;            /* initial text, NULL for "" */
	int complete;                /* enum complete_kind */
	const char *const *words;    /* CPL_WORDS: NULL-terminated */
	int history;                 /* enum prompt_history */
	prompt_accept_fn accept;     /* called with the line on Enter */
	void *arg;
	void (*arg_free)(void *arg); /* called when the prompt ends either way */
	int64_t brief_id;            /* CPL_BACKENDS: whose backends */
};

struct prompt;
void prompt_open(struct tui *ui, const struct prompt_spec *spec);
/* The `:action TEXT` form: accepts text at once (then frees spec->arg)
 * when it is given, else opens the prompt. */
void prompt_or_text(struct tui *ui, const struct prompt_spec *spec, const char *text);
int prompt_active(const struct tui *ui);
/* Handles a key while the prompt is open; returns a reaction mask. */
int prompt_key(struct tui *ui, km_key key);
/* Inserts pasted text literally (bracketed paste). */
void prompt_paste(struct tui *ui, const char *text);
/* Draws the prompt on line y (and the completion menu above it). */
void prompt_draw(struct tui *ui, int y, int w);
void prompt_close(struct tui *ui);
void prompt_free_history(struct tui *ui);

/* Completion candidates for the command line, exposed for tests of the
 * command line: fills *out (owned, store_strv_free) with the words that
 * may replace the word ending at `upto` in line. */
size_t complete_words(struct tui *ui, const struct prompt_spec *spec, const char *line, size_t upto,
		      char ***out);

#endif
