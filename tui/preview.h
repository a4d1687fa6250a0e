/*
 * preview.h - the image preview engine, private to tui/: terminal
 * detection (termprobe.c), rendering a picture for a box of cells in each
 * mode (preview-render.c, preview-sixel.c), the cache of rendered
 * previews with its worker threads (preview-cache.c), drawing symbols
 * into ncurses' cells (preview-symbols.c), placing pixel images around
 * ncurses (preview-pixels.c) and the preview_ops that tie them together
 * (preview-image.c).  The views use the preview through tui-private.h.
 *
 * The pieces below the ops know nothing of views: a render is a value
 * computed from a request (file, box, mode, colours), so the bench and
 * the unit tests drive them without a running interface.
 */
#ifndef LB_TUI_PREVIEW_H
#define LB_TUI_PREVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "media/media.h"
#include "util.h"

/* How a picture reaches the terminal. */
enum pv_mode {
	PV_NONE = 0, /* facts only (the text preview) */
	PV_SYMBOLS,  /* Unicode blocks in ncurses' cells */
	PV_SIXEL,    /* DEC sixel graphics */
	PV_KITTY,    /* the kitty graphics protocol */
	PV_ITERM2,   /* iTerm2 inline images (OSC 1337) */
	PV_NMODES
};

/* "none", "symbols", "sixel", "kitty", "iterm2"; static. */
const char *pv_mode_name(enum pv_mode m);
/* The mode with this name (as preview-mode takes it), -1 for "auto" or
 * unknown (*known tells which). */
int pv_mode_parse(const char *name, int *known);

/* ------------------------------------------------------------ termprobe.c */

enum { TP_ANSWER_MAX = 160, TP_TYPEAHEAD_MAX = 256 };

/* What the terminal is, from its environment and its answers. */
struct tp_result {
	/* environment */
	char term[64], term_program[64], colorterm[32], lc_terminal[32];
	int in_tmux, in_screen, over_ssh, kitty_env, no_color;
	/* inside tmux, what tmux says (tp_tmux_ask) */
	int tmux_asked;                 /* 1: `tmux display` answered */
	int passthrough;                /* allow-passthrough is on (or all) */
	int focus_events;               /* focus-events is on */
	char tmux_version[16];
	char client_term[64];           /* the outer terminal: #{client_termname} */
	char client_type[64];           /* #{client_termtype}: what tmux learnt of it */
	int pane_y, pane_x;             /* where the pane is on the outer terminal */
	char tmux_error[TP_ANSWER_MAX]; /* why tmux could not be asked */
	int wrapped;                    /* the questions went through passthrough */
	int placeholders;               /* kitty Unicode placeholders (U=1) are known */
	/* the tty */
	int is_tty;
	int cols, rows, xpixel, ypixel; /* TIOCGWINSZ */
	/* what was asked and answered (answers made visible) */
	int asked_kitty, asked_cell, asked_version, asked_sixel;
	int da1;                        /* 1: the DA1 fence answered */
	int da1_attr[24], nda1;         /* its attributes */
	char da1_raw[TP_ANSWER_MAX];
	int sixel;                      /* DA1 has attribute 4 */
	int kitty;                      /* 1: a=q answered OK, -1: answered an error */
	char kitty_raw[TP_ANSWER_MAX];
	char version[TP_ANSWER_MAX];    /* XTVERSION: "XTerm(379)", "kitty(0.26.5)" */
	char version_raw[TP_ANSWER_MAX];
	int sixel_colors;               /* XTSMGRAPHICS colour registers, 0 unknown */
	int sixel_max_w, sixel_max_h;   /* XTSMGRAPHICS largest graphic, 0 unknown */
	char cell_raw[TP_ANSWER_MAX];   /* the CSI 16 t answer */
	int cell_w, cell_h;             /* pixels of a cell, 0 unknown */
	char cell_source[48];           /* "TIOCGWINSZ 964x684 px", "CSI 16 t", ... */
	double ms;                      /* how long the questions took */
	int budget_ms;
	int timed_out;                  /* the fence did not come in time */
	double late_ms;                 /* when it came after all (linger), 0: never */
	char late_raw[TP_ANSWER_MAX];   /* what came after the budget, made visible */
	int garbage;                    /* bytes that were neither keys nor answers */
	unsigned char typeahead[TP_TYPEAHEAD_MAX]; /* keys typed meanwhile, in order */
	size_t ntypeahead;
	char env_hint[32];              /* what chafa's terminal database says */
	struct sbuf log;                /* one line per question and answer, for doctor */
};

/* The wait for answers: the probe-timeout option's ms, at least
 * TP_SSH_MS over SSH (0 stays 0: ask nothing). */
enum { TP_SSH_MS = 1000 };
int tp_budget(int option_ms, int over_ssh);
/* Fills the environment part of r (no terminal I/O); inside tmux it asks
 * tmux (tp_tmux_ask). */
void tp_environment(struct tp_result *r);
/* Inside tmux: runs `tmux display -p` for the pane's options
 * (allow-passthrough, focus-events), the outer terminal's name and the
 * pane's place on it.  Returns 0, or -1 (r->tmux_error says why). */
int tp_tmux_ask(struct tp_result *r);
/* Inside tmux (on: 1 to set, 0 to take away): tmux tells a pane nothing
 * when its copy mode (or another mode) or display-panes ends; it paints
 * the pane's cells back, and a picture passed through is gone.  So the
 * server's pane-mode-changed (this pane leaving a mode) and
 * after-display-panes hooks, under the index of this process's pid
 * (other hooks stay), send it SIGWINCH, which draws everything again.
 * Any other process ignores SIGWINCH by default, so hooks a killed
 * lightbox left do no harm.  tmux 3.3 has no hook for a popup or a menu
 * closing.  0, or -1 when tmux refused. */
int tp_tmux_hooks(int on);
/* Nor for a popup (tmux 3.3): a popup is a child process of the tmux
 * server on a terminal of its own, so while pictures are passed through
 * the interface looks at the server's children (/proc, no process
 * started) a few times a second, and asks tmux for the panes' processes
 * only when a new one appears.  tp_tmux_popup_closed returns 1 once
 * such a child (a popup) went away since the last call.  A menu has no
 * process: after one the picture still waits for the next change. */
struct tp_popups {
	long server;           /* the tmux server's pid, from $TMUX; 0: unknown */
	long *panes, *others;  /* the panes' processes; other children on a terminal */
	size_t npanes, nothers;
	double next;           /* when to look next (monotonic ms) */
};
int tp_tmux_popup_closed(struct tp_popups *pp);
void tp_popups_free(struct tp_popups *pp);
/* Appends s[0..n) to out wrapped for tmux passthrough: DCS tmux; with
 * every ESC doubled, ST. */
void tp_wrap(struct sbuf *out, const char *s, size_t n);
/* Asks the terminal on in_fd/out_fd (raw mode, all questions in one
 * write, the DA1 answer as the fence) within budget_ms; budget_ms <= 0
 * asks nothing.  Fills r; returns 0, or -1 when the fds are no terminal
 * (r says so).  Keys typed meanwhile end up in r->typeahead (dropped when
 * the terminal answered garbage).  With linger_ms, answers that miss the
 * budget are still awaited that long, only to be reported (late_ms,
 * late_raw).  r->log is initialised here. */
int tp_probe(struct tp_result *r, int in_fd, int out_fd, int budget_ms, int linger_ms);
/* Parses answer bytes into r (what tp_probe does with what it reads);
 * returns the number of DA1 answers seen.  For the unit tests. */
int tp_parse(struct tp_result *r, const unsigned char *buf, size_t n, int final);
/* The mode to use: forced (>= 0, a pv_mode) wins; then tmux/screen mean
 * symbols; then what the terminal answered and the environment.  *why
 * gets an owned sentence. */
enum pv_mode tp_decide(const struct tp_result *r, int forced, char **why);
/* 1 when the terminal is known to draw kitty's Unicode placeholders
 * (U=1 virtual placements: kitty 0.28 and later, Ghostty). */
int tp_placeholders(const struct tp_result *r);
/* The modes this terminal can show, best first (for cycling). */
int tp_capable(const struct tp_result *r, enum pv_mode m);
/* The cell size in pixels now: TIOCGWINSZ on fd when plausible, else
 * the probe's, else 10x20.  Returns 1 when measured, 0 when guessed. */
int tp_cell_size(const struct tp_result *r, int fd, int *cw, int *ch);
void tp_result_free(struct tp_result *r);

/* ------------------------------------------------------------ preview-render.c */

/* Largest kitty/iTerm2 payload (before base64) on this machine and over
 * SSH: what crosses the link is what the user waits for. */
enum { PV_BUDGET_LOCAL = 2 << 20, PV_BUDGET_REMOTE = 240 << 10 };

/* What a render shows. */
enum pv_kind {
	PV_K_IMAGE = 0,
	PV_K_VIDEO, /* its poster frame, and facts */
	PV_K_AUDIO, /* a waveform, and facts */
};

/* One character cell of a symbols render.  Colours: -1 the terminal's
 * default; an index 0..255 for indexed depths; 0xRRGGBB for truecolour. */
struct pv_cell {
	uint32_t ch;
	int32_t fg, bg;
};

/* What to render.  Strings are owned by the request (pv_req_copy,
 * pv_req_clear). */
struct pv_req {
	enum pv_kind kind;
	enum pv_mode mode;  /* PV_SYMBOLS .. PV_ITERM2 (audio ignores it) */
	char *path;         /* the file */
	char *sha;          /* its asset hash (thumbnail key), or NULL */
	char *cache_dir;    /* the store's cache folder, or NULL: no thumbnails */
	int cols, rows;     /* the box, in cells */
	int cell_w, cell_h; /* pixels of a cell */
	int depth;          /* symbols: 0 monochrome, 8, 16, 256 or 16777216 colours */
	int ascii;          /* symbols: ASCII characters only */
	int tolerance;      /* symbols in 24-bit: run tolerance (0: PV_RUN_TOLERANCE, -1: exact) */
	long long pixel_limit;
	int sixel_colors;   /* colour registers (0: 256) */
	size_t budget;      /* kitty/iTerm2: largest payload before base64 (0: none) */
	double zoom;        /* > 1: only the part 1/zoom wide and high centred at */
	double cx, cy;      /* (cx, cy), 0..1 of the picture (viewport.h), fills the box */
};

/* A rendered preview: immutable once made, shared by reference. */
struct pv_render {
	int refs;              /* under the cache's lock */
	char *key;             /* owned: pv_req_key() */
	enum pv_kind kind;
	enum pv_mode mode;
	int cols, rows;        /* cells covered, within the box */
	int px_w, px_h;        /* pixels sent (pixel modes) */
	struct pv_cell *cells; /* symbols: cols * rows */
	unsigned char *blob;   /* pixel modes: what to send (see preview-pixels.c) */
	size_t len;
	const char *format;    /* payload: "sixel", "png", "jpeg" */
	uint32_t image_id;     /* kitty: the image id */
	char *error;           /* why there is no picture (owned), or NULL */
	struct media_info info; /* facts of the file (kind, size, duration, ...) */
	int src_w, src_h, frames;
	float *mins, *maxs;    /* audio: the waveform, one pair per column */
	int npeaks;
	double ms;             /* time it took */
	int from_thumb;        /* the pixels came from the thumbnail cache */
	size_t mem;            /* bytes held, for the cache budget */
};

/* The cache key of a request (what makes two renders the same).  Owned. */
char *pv_req_key(const struct pv_req *q);
void pv_req_copy(struct pv_req *dst, const struct pv_req *src);
void pv_req_clear(struct pv_req *q);
/* Renders q: never fails; a render that could not be made carries
 * ->error.  The result is owned by the caller (refs = 1). */
struct pv_render *pv_render_run(const struct pv_req *q);
void pv_render_free(struct pv_render *r);
/* The pixel size a box of cells asks the decoder for, rounded up to one
 * of a few sizes so that thumbnails are shared between panes; zoomed in
 * (q->zoom > 1) zoom times that, decoded from the file, no thumbnail. */
void pv_decode_size(const struct pv_req *q, int *w, int *h);
/* Zoomed renders crop the last few pictures decoded for them, kept whole
 * (up to 128 MB): a pan step costs a copy, not a decode.  This lets them
 * go (nothing zoomed is on the screen any more). */
void pv_zoom_forget(void);

/* 24-bit symbols: a cell whose colour is within this much (per channel,
 * 0..255) of the cell before it takes that colour, so ncurses sends no
 * change (under half the bytes on a plasma picture; PSNR in `make bench`). */
enum { PV_RUN_TOLERANCE = 24 };

/* preview-sixel.c: a sixel image of rgba (w x h, straight alpha) with at
 * most ncolors colours (2..256) from a median-cut palette; transparent
 * pixels are left unpainted.  The DCS ... ST string is appended to out. */
void pv_sixel_encode(const unsigned char *rgba, int w, int h, int ncolors, struct sbuf *out);

/* ------------------------------------------------------------ preview-cache.c */

struct pv_cache;
/* A cache of renders holding at most budget bytes, with nthreads worker
 * threads; wake_fd (may be -1) gets a byte when a render is ready.  Owned. */
struct pv_cache *pv_cache_new(size_t budget, int nthreads, int wake_fd);
/* Stops the workers (waits for the running renders) and frees it all. */
void pv_cache_free(struct pv_cache **c);
/* The render for key, with a reference the caller releases; NULL when
 * it is not ready. */
struct pv_render *pv_cache_get(struct pv_cache *c, const char *key);
/* Queues q (copied) unless it is ready or queued; a lower prio runs
 * first (0: on screen now).  A queued request gets the lower prio. */
void pv_cache_want(struct pv_cache *c, const struct pv_req *q, int prio);
/* Forgets queued (not running) requests of prio >= min_prio. */
void pv_cache_drop(struct pv_cache *c, int min_prio);
/* Waits up to ms for key; a reference or NULL. */
struct pv_render *pv_cache_wait(struct pv_cache *c, const char *key, int ms);
/* Renders q now in this thread unless ready (for the bench). */
struct pv_render *pv_cache_render(struct pv_cache *c, const struct pv_req *q);
/* 1 when renders finished since the last call. */
int pv_cache_news(struct pv_cache *c);
void pv_render_ref(struct pv_cache *c, struct pv_render *r);
void pv_render_unref(struct pv_cache *c, struct pv_render **r);
/* Statistics: renders held, their bytes, hits and misses. */
void pv_cache_stats(struct pv_cache *c, size_t *n, size_t *bytes, size_t *hits, size_t *misses);
/* The work: requests queued now, and renders made so far (by workers and
 * pv_cache_render). */
void pv_cache_work(struct pv_cache *c, size_t *queued, size_t *rendered);
/* Drops every render (the mode or the colours changed). */
void pv_cache_clear(struct pv_cache *c);

/* ------------------------------------------------------------ preview-symbols.c */

/* The colour depth symbols use on this screen: 0 (monochrome: NO_COLOR,
 * `set color never`, no colours), 8, 16, 256 or 16777216. */
int pv_symbols_depth(void);
/* Copies a symbols render into ncurses' virtual screen at (y, x),
 * clipped to the screen. */
void pv_symbols_draw(const struct pv_render *r, int y, int x);
/* The colour pair of the blank cells that reserve a pixel image's place
 * (default colours, but a pair of its own so that ncurses sees them as
 * different from plain blanks); 0 without colours. */
int pv_marker_pair(void);
/* Forgets the colour pairs made for pictures (after colours changed). */
void pv_symbols_reset(void);
/* A frame ends (called before doupdate). */
void pv_symbols_frame(void);
/* kitty Unicode placeholders for image id (low byte 16..255, high byte
 * any, the bytes between 0): rows x cols cells of U+10EEEE with the row,
 * column and the id's high byte as diacritics, in the colour of the id's
 * low byte, at (y, x) in ncurses' cells.  -1 when this screen cannot
 * (not 256 colours, or larger than the diacritics table). */
int pv_placeholders_draw(uint32_t id, int rows, int cols, int y, int x);
/* The most rows or columns placeholders can name. */
int pv_placeholder_max(void);
/* Pairs in use by pictures, and how many times the table was recycled. */
void pv_symbols_stats(int *pairs, int *resets);

/* ------------------------------------------------------------ preview-pixels.c */

struct pv_screen;
/* Tracks the pixel images on the terminal written to fd. */
struct pv_screen *pv_screen_new(struct pv_cache *cache, int fd);
void pv_screen_free(struct pv_screen **s);
/* Inside tmux with passthrough: every sequence goes wrapped, placed at
 * the pane's offset (y, x) on the outer terminal.  on = 0: written as is. */
void pv_screen_passthrough(struct pv_screen *s, int on, int y, int x);
/* What went over the link for pictures: kitty uploads queued, sent in
 * full and abandoned, and every byte written for pictures. */
struct pv_link_stats {
	size_t started, completed, abandoned;
	unsigned long long bytes;
};
void pv_screen_link_stats(const struct pv_screen *s, struct pv_link_stats *st);
/* kitty uploads yield to keys waiting on fd (-1: never). */
void pv_screen_input(struct pv_screen *s, int fd);
/* Sends queued kitty upload chunks until a key waits; 1 when some remain. */
int pv_screen_pump(struct pv_screen *s);
/* kitty pictures as Unicode placeholder cells (U=1) when on. */
void pv_screen_placeholders(struct pv_screen *s, int on);
/* During a frame: r (a pixel render) is wanted at cell (y, x); its cells
 * are reserved with blanks that ncurses draws and never changes. */
void pv_screen_want(struct pv_screen *s, struct pv_render *r, int y, int x);
/* Before doupdate(): works out what changed; pictures that must go have
 * their cells repainted by ncurses (sixel, iTerm2) or are deleted
 * (kitty, in flush).  full: the screen is being cleared. */
void pv_screen_prepare(struct pv_screen *s, int full);
/* After doupdate(): writes the new pictures.  Returns the bytes written. */
size_t pv_screen_flush(struct pv_screen *s);
/* The screen is going away (suspend, quit) or was lost: deletes kitty
 * placements now (and their data when free_data), forgets the rest.  What
 * the frame being drawn wants is kept. */
void pv_screen_forget(struct pv_screen *s, int free_data);
/* 1 when the next doupdate() clears the whole screen (clearok). */
int pv_screen_cleared(void);
/* Hands keys typed before ncurses started to it, in order. */
void pv_unget(const unsigned char *keys, size_t n);
/* Builds what pv_screen_flush sends for r at (y, x), for the bench:
 * appended to out.  upload: include kitty's image data. */
void pv_pixels_sequence(const struct pv_render *r, int y, int x, int upload, struct sbuf *out);

#endif
