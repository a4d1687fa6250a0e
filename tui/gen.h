/*
 * gen.h - generation: backends, the job runner, job news (gen.c) and the
 * regenerate form (form.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_GEN_H
#define LB_TUI_GEN_H

#include <stdint.h>

#include "backends/backend.h"
#include "keymaps/keymaps.h"
#include "store/store.h"
#include "tui/draw.h"

struct tui;
struct list;

/* ------------------------------------------------------------ generation (gen.c, form.c) */

/* The backends of the config file (builtin at least), read at start-up:
 * a bad definition becomes a start-up message naming its file and line. */
void tui_gen_init(struct tui *ui);
/* Starts the job runner (backends/) on the store, waking the loop through
 * ui->wake[1]; called once the first frame is on the screen.  Queued and
 * interrupted jobs of the curator run from then on.  Why it could not
 * start is said once and kept for the generation actions. */
void tui_gen_start(struct tui *ui);
/* Stops the runner: transfers in flight are aborted and their jobs go
 * back to the queue for the next runner.  Says so in the status line when
 * jobs were running; returns how many were (queued ones in *queued). */
int tui_gen_stop(struct tui *ui, int64_t *queued);
void tui_gen_free(struct tui *ui);
/* The store changed (the runner woke the loop, or another process wrote):
 * the worker reads which jobs ended since, and they are told in the
 * message line ("3 new from job #12"). */
void tui_gen_changed(struct tui *ui);
/* After jobs were queued, cancelled or retried: the runner looks now. */
void tui_gen_kick(struct tui *ui);
/* A job was queued again here: its next end is told, however soon. */
void tui_gen_retried(struct tui *ui, int64_t job_id);
/* Appends "2 running, 5 queued" (nothing when idle) to the status line. */
void tui_gen_status(struct tui *ui, struct sbuf *out);
/* How many of the curator's jobs ran at the last look (0 when idle). */
int64_t tui_gen_running(const struct tui *ui);
/* Jobs queued (some waiting to retry: their time left ticks). */
int64_t tui_gen_queued(const struct tui *ui);
/* The registry (borrowed) and the backend a brief generates with when
 * none is chosen: the brief's, else `set default-backend` when changed
 * from its default, else the registry's default.  NULL with *why (owned)
 * when that name is not configured. */
const struct backend_registry *tui_gen_registry(struct tui *ui);
const struct backend *tui_gen_default_backend(struct tui *ui, const struct lb_brief *b, char **why);
/* Queues a job for brief_id as g asks (g->backend NULL: the default
 * above), kicks the runner and says what was queued.  0 and *job_id, or
 * -1 with *err (owned; nothing queued). */
int tui_gen_submit(struct tui *ui, int64_t brief_id, struct backend_gen *g, int64_t *job_id, char **err);
/* The regenerate action: regenerate-count candidates of the brief with its
 * default backend, in one key.  Returns R_*. */
int tui_regenerate(struct tui *ui, int64_t brief_id);
/* Reroll (same parameters, a new seed) or variations of the marked
 * candidates of l (l may be NULL), else of candidate id.  Returns R_*. */
int tui_reroll(struct tui *ui, struct list *l, int64_t id, int variations);

/* The regenerate form: a small modal over the view, keyboard only (Tab
 * between fields, Enter submits, Esc cancels).  from_id: a candidate it
 * may vary (0: none).  Returns R_*. */
int tui_form_open(struct tui *ui, int64_t brief_id, int64_t from_id);
int form_active(const struct tui *ui);
/* A key while the form is open; returns a reaction mask. */
int form_key(struct tui *ui, km_key key);
/* Pasted text goes into the field being edited. */
void form_paste(struct tui *ui, const char *text);
/* Draws the form over body (after the view drew there). */
void form_draw(struct tui *ui, struct rect body);
void form_close(struct tui *ui);

#endif
