/*
 * actions.h - what views share beyond the list: $EDITOR and players (editor.c),
 * candidate actions (cand-actions.c), imports (import.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_ACTIONS_H
#define LB_TUI_ACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "keymaps/keymaps.h"

struct tui;
struct view;
struct list;
struct wr_op;

/* editor.c: leaving the screen for $EDITOR and coming back. */
/* Writes text to a temporary file named after hint, opens the editor on
 * it and reads it back into *out (owned).  0 when the editor exited 0;
 * -1 with *err (owned) otherwise (nothing is lost: the text is in *out
 * when it could be read).  The screen is restored exactly. */
int tui_edit_text(struct tui *ui, const char *text, const char *hint, char **out, char **err);
/* Leaves curses for a command and restores the screen (players). */
void tui_suspend_screen(struct tui *ui);

/* pipe.c: runs command (a config pipe's name, or a command line split
 * without a shell) on the candidates ids: their paths as arguments, their
 * JSON lines on its stdin, the screen left meanwhile.  A reaction mask. */
int tui_pipe_run(struct tui *ui, const char *command, const int64_t *ids, size_t n);
/* Says on the message line what `lightbox purge BRIEF --rejected [--below
 * arg]` would free (read by the worker), freeing nothing. */
int tui_purge_preview(struct tui *ui, uint64_t owner, int64_t brief, const char *arg);
/* The config's pipe names, NULL-terminated (the array is owned). */
const char **tui_pipe_names(struct tui *ui);
void tui_resume_screen(struct tui *ui);
/* Runs argv (no shell) with the terminal given to it, then restores the
 * screen.  0 when it exited 0, else -1 with *err (owned). */
int tui_run_foreground(struct tui *ui, char **argv, char **err);
/* Edits a brief in $EDITOR and has the writer save a new revision when
 * it changed; a text that does not parse, or that the store refuses, is
 * kept and offered again.  Returns R_*. */
int tui_edit_brief(struct tui *ui, int64_t brief_id);
/* Writes a new brief of project_id in $EDITOR; the writer saves it and
 * then calls on_done(v, op) with its id in op->new_id (op->rc 0) if the
 * view v is still open (v and on_done may be NULL).  Returns R_*. */
int tui_add_brief(struct tui *ui, int64_t project_id, struct view *v,
		  void (*on_done)(struct view *v, const struct wr_op *op));
/* Writes a note in $EDITOR on target/target_id.  Returns R_*. */
int tui_long_note(struct tui *ui, int target, int64_t target_id);
/* A one-line note on a project or brief: saved at once when text is given
 * (the `:note TEXT` form), else asked for with label.  Returns R_*. */
int tui_note(struct tui *ui, int target, int64_t target_id, const char *text, const char *label);

/* Candidate actions shared by the candidate list and the detail view. */
struct cand_actions {
	struct view *v;
	struct list *list;             /* NULL in the detail view */
	int64_t (*current)(struct view *v); /* the candidate under the cursor */
	void (*changed)(struct view *v, int what); /* CHANGED_* */
};
enum { CHANGED_ROW = 1, CHANGED_LIST = 2, CHANGED_ADVANCE = 4 };
/* Rating, flags, tags, notes, editing, selecting: for the current
 * candidate, or for every marked one when the list has marks.  Returns a
 * reaction mask, R_UNHANDLED for other actions. */
int cand_action(const struct cand_actions *ca, enum km_action a, const char *arg);
/* import.c: importing files as candidates of a brief, in a thread of its
 * own.  tui_import asks for paths (completing file names) unless arg
 * gives them (quoted as a shell would, never run by one).  The loop calls
 * tui_import_poll on each wake (progress in the status line, a summary at
 * the end); tui_import_stop stops after the current file and waits. */
int tui_import(struct tui *ui, int64_t brief_id, const char *arg);
/* Asks for paths (completing file names) unless arg gives them; accept
 * gets an owned int64_t* holding brief_id. */
int tui_path_prompt(struct tui *ui, int64_t brief_id, const char *arg, const char *label,
		    void (*accept)(struct tui *ui, void *arg, const char *text));
int tui_import_start(struct tui *ui, int64_t brief_id, char **paths, size_t n, int link);
/* A leading "--link" word of what was typed at the import or watch
 * prompt sets *link (the files are linked into the store, as with
 * `import --link`); returns the text after it. */
const char *tui_link_option(const char *text, int *link);
void tui_import_poll(struct tui *ui);
void tui_import_stop(struct tui *ui);
/* watch.c: watching a folder for new files of a brief, in a thread of its
 * own (store_watch).  tui_watch asks for the folder unless arg gives it;
 * while a watch runs, it stops it.  tui_watch_poll on each wake (a message
 * when files went in; the end of a watch that failed); tui_watch_stop
 * stops it and waits. */
int tui_watch(struct tui *ui, int64_t brief_id, const char *arg);
void tui_watch_poll(struct tui *ui);
void tui_watch_stop(struct tui *ui);
/* The file names that may replace word (a path being typed); owned. */
size_t complete_paths(const char *word, char ***out);

/* Text shown for "not available yet" actions; NULL when available. */
const char *tui_unavailable(enum km_action a);

#endif
