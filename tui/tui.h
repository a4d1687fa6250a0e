/*
 * tui.h - the curation interface: `lightbox` with no command, `lightbox
 * tui` to open it at a project, brief or candidate, and `lightbox keys`.
 * Everything else in tui/ is private to the module (tui-private.h).
 */
#ifndef LB_TUI_H
#define LB_TUI_H

/* Where and how to open the interface.  Strings are borrowed. */
struct tui_start {
	const char *store_dir;  /* --store, or NULL for the default */
	const char *config;     /* --config, or NULL for $XDG_CONFIG_HOME/lightbox/config */
	const char *project;    /* open at this project (id or slug), or NULL */
	const char *brief;      /* open at this brief's candidates (id), or NULL */
	const char *candidate;  /* open at this candidate (id), or NULL */
	const char *message;    /* a first message for the status line, or NULL */
	const char *preview;    /* --preview MODE (preview-mode's values), or NULL */
};

/* Runs the interface on a terminal until the user quits.  Returns the
 * process exit status: 0, or 1 after printing why it could not start (no
 * terminal, no store, an unknown TERM). */
int tui_main(const struct tui_start *start);

/* `lightbox tui [--project P] [--brief B] [--candidate C]`: argv[0] is
 * "tui".  Returns the exit status (2 for a usage error). */
int tui_cmd_open(const char *store_dir, const char *config, const char *preview, int argc, char **argv);

/* `lightbox keys [--man] [--options] [--defaults]`: prints every action
 * with its keys per context (the same listing the help view shows), as
 * text or as man(7) source, and the options.  The user's config applies
 * unless --defaults.  argv[0] is "keys".  Returns the exit status. */
int tui_cmd_keys(const char *config, int argc, char **argv);

struct km_options;
struct sbuf;

/* `lightbox doctor`'s terminal part: asks the terminal on /dev/tty what
 * it can draw, as the interface does at start, and appends the report to
 * out: environment, each question and answer made visible, cell size,
 * colours, and the preview mode that follows with the reason.  preview
 * is --preview (or NULL); options are the user's.  0, or -1 when preview
 * names no mode (the report says so). */
int tui_doctor_terminal(const struct km_options *opt, const char *preview, struct sbuf *out);

#endif
