/*
 * app.h - the application: struct tui, the self-pipe, messages (messages.c),
 * the command line and dispatch (cmdline.c), the main loop (loop.c).
 * Part of tui-private.h, which the files of tui/ include.
 */
#ifndef LB_TUI_APP_H
#define LB_TUI_APP_H

#include <stdint.h>

#include "keymaps/keymaps.h"
#include "tui/prompt.h"
#include "util.h"

struct view;
struct store;
struct bg;
struct preview;
struct prompt;
struct import_job;
struct watch_job;
struct tui_gen;
struct form;
struct writer;

/* ------------------------------------------------------------ the application (tui.c, messages.c, cmdline.c) */

enum { TUI_MAX_VIEWS = 32, MSG_MAX_LINES = 8 };

/* The bytes written into the loop's self-pipe (ui->wake), besides the
 * signal handlers' signal numbers.  Only WAKE_STORE asks for the store to
 * be looked at now; the others are answered by their own poll in the loop
 * (bg_collect, tui_import_poll, the preview's poll). */
enum tui_wake {
	WAKE_STORE = '!',   /* a job runner or an import committed: look now */
	WAKE_BG = 'b',      /* the worker finished a task */
	WAKE_IMPORT = 'i',  /* an import's progress (nothing committed) */
	WAKE_PREVIEW = 'p', /* a render is ready (preview-cache.c writes it) */
	WAKE_REDRAW = 'r',  /* the preview wants another frame */
	WAKE_WRITER = 'w',  /* the writer saved or refused changes */
};
/* Empties the self-pipe's read end fd (non-blocking); 1 when a byte asked
 * for the store to be looked at now (WAKE_STORE), else 0. */
int tui_wake_drain(int fd);
/* Writes one wake byte; never blocks, keeps errno. */
void tui_wake(int fd, enum tui_wake why);

struct tui {
	struct store *st;
	struct km_config *cfg;
	struct km_keymap *km;         /* borrowed from cfg */
	struct km_options *opt;       /* borrowed from cfg */
	struct view *stack[TUI_MAX_VIEWS];
	int depth;
	struct bg *bg;
	struct preview *preview;
	/* the self-pipe: bytes enum tui_wake, and signal numbers */
	int wake[2];
	uint64_t next_owner;
	int64_t data_version;
	int64_t event_last;            /* the newest event seen by poll_store */
	double next_poll;             /* monotonic ms; 0: now; < 0: not set */
	/* messages: one or more lines, shown until the next key */
	char *msg[MSG_MAX_LINES];
	int nmsg;
	int msg_error;
	struct prompt *prompt;
	struct sbuf history[HIST__COUNT]; /* lines separated by '\n', newest last */
	int quit;
	int dirty;                    /* R_* accumulated for the next frame */
	int too_small;
	int paste;                    /* inside a bracketed paste */
	int focus_seen;               /* a focus report came (tmux sends one at once) */
	struct sbuf pastebuf;
	char *config_path;
	char *status_note;            /* a mode note for the status line */
	struct import_job *import;    /* an import running in its thread, or NULL */
	struct watch_job *watch;      /* the folders watched, each in its thread, or NULL */
	int64_t brief_retry_id;       /* a brief edit that did not parse... */
	char *brief_retry;            /* ...and its text, offered again */
	int64_t edit_retry_id;        /* a text candidate's edit the store refused... */
	char *edit_retry;             /* ...and its text, offered again */
	struct tui_gen *gen;          /* backends, the job runner, job news (gen.c) */
	struct form *form;            /* the regenerate form over the view, or NULL */
	struct writer *wr;            /* the writer thread: every change typed here (writer.c) */
};

/* Messages: one line for the user, through one function. */
void tui_msg(struct tui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tui_error(struct tui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A store failure: "what: the store's message". */
void tui_store_error(struct tui *ui, const char *what);
void tui_msg_clear(struct tui *ui);
void tui_msg_add_line(struct tui *ui, int error, const char *line);
/* Runs an action as if typed (from a key or the `:` line). */
int tui_dispatch(struct tui *ui, enum km_action a, const char *arg);
/* Runs a `:` command line. */
int tui_command(struct tui *ui, const char *line);
/* Whether advance-after-rate is on. */
int tui_advance(struct tui *ui);

/* loop.c */
int tui_loop(struct tui *ui);
/* Shows what is being done ("sorting by stars…") at once, before work
 * that may take a while on a big store; the message stays until the next
 * key.  The main loop's own repaint: views only call it, they never draw. */
void tui_busy(struct tui *ui, const char *what);
void tui_repaint(struct tui *ui, int full);
int tui_screen_init(struct tui *ui);
void tui_screen_end(struct tui *ui);

#endif
