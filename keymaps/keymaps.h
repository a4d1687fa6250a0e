/*
 * keymaps.h - actions, key names, keymaps, options and the config file.
 *
 * One table of actions (actions.def) is the single source for key dispatch,
 * the help view, `lightbox keys` and the man page.  Keys are plain numbers
 * (km_key, below) so that this module needs no curses: the TUI translates
 * terminal input into km_key values and asks km_lookup() for the action of
 * the current context.  The config file (`bind`, `unbind`, `reset`, `set`,
 * `source`, `backend`) is parsed here; default.keys is the same syntax,
 * embedded at build time.
 */
#ifndef LB_KEYMAPS_H
#define LB_KEYMAPS_H

#include <stddef.h>
#include <stdint.h>

struct sbuf;

/* ------------------------------------------------------------ contexts */

enum km_context {
#define CONTEXT(id, name, desc) KM_CTX_##id,
#include "contexts.def"
#undef CONTEXT
	KM_NCONTEXTS
};

/* One bit per context, for the CONTEXTS column of actions.def. */
enum km_context_mask {
#define CONTEXT(id, name, desc) KM_M_##id = 1u << KM_CTX_##id,
#include "contexts.def"
#undef CONTEXT
	/* Composite masks used by actions.def. */
	KM_M_CAND = KM_M_CANDIDATES | KM_M_GRID | KM_M_DETAIL | KM_M_STACKS, /* a current candidate */
	KM_M_DRILL = KM_M_PROJECTS | KM_M_BRIEFS | KM_M_CANDIDATES | KM_M_GRID | KM_M_SELECTION |
	             KM_M_JOBS | KM_M_DETAIL | KM_M_STACKS, /* the detail: its parent and child lines */
	KM_M_SORTABLE = KM_M_PROJECTS | KM_M_BRIEFS | KM_M_CANDIDATES | KM_M_GRID | KM_M_SELECTION |
	                KM_M_JOBS,
	KM_M_LISTS = KM_M_SORTABLE | KM_M_HELP,
	KM_M_NOTES = KM_M_PROJECTS | KM_M_BRIEFS | KM_M_CAND | KM_M_SELECTION,
	KM_M_MARKABLE = KM_M_CANDIDATES | KM_M_GRID | KM_M_JOBS,
};

/* The context's name ("candidates") and one-line description. */
const char *km_context_name(enum km_context ctx);
const char *km_context_description(enum km_context ctx);
/* Finds a context by exact name; 0, or -1 when unknown. */
int km_context_find(const char *name, enum km_context *out);

/* ------------------------------------------------------------- actions */

enum km_group {
#define GROUP(id, title) KM_G_##id,
#define ACTION(id, name, group, contexts, desc)
#include "actions.def"
#undef GROUP
#undef ACTION
	KM_NGROUPS
};

enum km_action {
	KM_A_NONE = 0, /* "nothing bound"; never a real action */
#define GROUP(id, title)
#define ACTION(id, name, group, contexts, desc) KM_A_##id,
#include "actions.def"
#undef GROUP
#undef ACTION
	KM_NACTIONS
};

/* Name ("move-down"), description, group and context mask of an action.
 * Strings are static.  KM_A_NONE has the name "none". */
const char *km_action_name(enum km_action a);
const char *km_action_description(enum km_action a);
enum km_group km_action_group(enum km_action a);
unsigned km_action_contexts(enum km_action a);
const char *km_group_title(enum km_group g);
/* The action with exactly this name, or KM_A_NONE. */
enum km_action km_action_find(const char *name);
/* The action name closest to a misspelt one ("mvoe-down" -> "move-down"),
 * or NULL when none is close.  Static string. */
const char *km_action_suggest(const char *name);
/* 1 when the action belongs to ctx: for `global` the KM_M_GLOBAL actions,
 * for `prompt` the prompt actions, for a view its own actions and the
 * global ones.  This is what the view handles and what its help lists. */
int km_action_in_context(enum km_action a, enum km_context ctx);
/* 1 when `bind ctx KEY a` is allowed: km_action_in_context(), and in
 * `global` any action of any view (it reaches the views where it is valid). */
int km_action_bindable(enum km_action a, enum km_context ctx);

/* ---------------------------------------------------------------- keys
 *
 * The key code space (a km_key is a uint32_t):
 *
 *   bits  0..20  the base key:
 *                U+0020..U+10FFFF  a character, case-sensitive ('G' is 0x47);
 *                                  never a control character, DEL, a C1
 *                                  control or a surrogate;
 *                0x110001..        a named key, KM_KEY_UP.. (keys.def);
 *                0x110101..0x110118 the function keys KM_KEY_F1..KM_KEY_F24.
 *   bit  24      KM_MOD_SHIFT  only with named and function keys (<S-Tab>);
 *                              a shifted character is the character itself.
 *   bit  25      KM_MOD_CTRL   with a named or function key, or with one of
 *                              a..z but i j m, <Space>, \ ] ^ _ (what a terminal can
 *                              send as a control byte); C-i is <Tab>, C-m and
 *                              C-j are <Enter>, C-[ is <Esc>, C-? is
 *                              <Backspace>, C-@ is C-<Space>.
 *   bit  26      KM_MOD_META   anything (ESC-prefixed keys, Alt).
 *
 * Mapping terminal input (for the TUI): a byte or wide character c goes
 * through km_key_from_char(); curses KEY_UP.. map to KM_KEY_UP..,
 * KEY_BTAB to KM_MOD_SHIFT | KM_KEY_TAB, KEY_F(n) to KM_KEY_F1 + n - 1,
 * KEY_ENTER to KM_KEY_ENTER, KEY_BACKSPACE to KM_KEY_BACKSPACE, KEY_DC to
 * KM_KEY_DELETE, KEY_IC to KM_KEY_INSERT, KEY_B2 to KM_KEY_BEGIN,
 * KEY_SLEFT/KEY_SRIGHT/KEY_SR/KEY_SF to shifted arrows, kLFT5.. to C- arrows.
 * A key read within a short time after a lone ESC gets KM_MOD_META added.
 *
 * Names (km_key_parse, km_key_name): a character stands for itself ("j",
 * "G", "é", "日"); named keys are written <Name> (case-insensitive, with
 * aliases: <Return> <CR> for <Enter>, <Escape>, <BS>, <Del>, <Ins>,
 * <PgUp> <PgDn>, <BackTab> for <S-Tab>, <lt> <gt> <Space> <Hash> <Quote>
 * <Bslash> <Bar> <Star>); F1..F24 and named keys may also be written bare ("F5",
 * "PageDown").  Modifiers C- M- S- (A- is M-) prefix a key, outside or
 * inside the brackets: "C-x", "M-j", "C-M-x", "<C-Left>", "C-<Left>",
 * "M-<Space>".  The canonical name (km_key_name) puts modifiers in the
 * order C- M- S-, writes characters bare with modifiers outside
 * ("C-M-x", "M-<Space>") and named keys in brackets with modifiers inside
 * ("<S-Tab>", "<C-Left>", "<F5>").  <Space>, <Hash>, <Quote> and <Bslash>
 * are canonical for ' ', '#', '"' and '\', so a canonical name is always
 * one unquoted word of the config file.
 */
typedef uint32_t km_key;

enum {
	KM_KEY_NONE = 0,
	KM_KEY_BASE_MASK = 0x1FFFFF,
	KM_KEY_SPECIAL_BASE = 0x110000,
	KM_KEY_F1 = 0x110101,
	KM_KEY_F24 = 0x110118,
	KM_MOD_SHIFT = 1 << 24,
	KM_MOD_CTRL = 1 << 25,
	KM_MOD_META = 1 << 26,
	KM_MOD_MASK = KM_MOD_SHIFT | KM_MOD_CTRL | KM_MOD_META,
	KM_KEY_NAME_MAX = 40, /* room for any canonical name and its NUL */
};

enum km_special_key {
	KM__SPECIAL_FIRST = KM_KEY_SPECIAL_BASE,
#define SPECIAL(id, name) KM_KEY_##id,
#include "keys.def"
#undef SPECIAL
	KM__SPECIAL_END
};

/* Parses a key name into *out.  0, or -1 with *err set to an owned message
 * saying what is wrong and how to write it ("unknown key name <Pgdown> —
 * did you mean <PageDown>?").  Hostile input is fine: the message shows it
 * through util_visible. */
int km_key_parse(const char *name, km_key *out, char **err);
/* Writes the canonical name of key into buf and returns buf.  Codes that
 * km_key_valid() rejects are written as "<invalid-XXXXXXXX>". */
const char *km_key_name(km_key key, char buf[KM_KEY_NAME_MAX]);
/* 1 when key is a code that km_key_parse can produce. */
int km_key_valid(km_key key);
/* The key for a character or byte read from the terminal: control bytes
 * become C-x / <Tab> / <Enter> / <Esc> / <Backspace> (0x08 is C-h, 0x7f is
 * <Backspace>), printable code points stay themselves.  KM_KEY_NONE for
 * code points that are not keys (C1 controls, surrogates, > U+10FFFF). */
km_key km_key_from_char(uint32_t c);

/* ------------------------------------------------------------- keymaps */

struct km_keymap;

/* A new empty keymap (no bindings, no pristine copy).  Owned. */
struct km_keymap *km_keymap_new(void);
void km_keymap_free(struct km_keymap **km);
/* Binds key to action in ctx, replacing what the key did there.  0, or -1
 * with an owned *err when the action does not belong to ctx, the key is
 * invalid, or the action is KM_A_NONE. */
int km_bind(struct km_keymap *km, enum km_context ctx, km_key key, enum km_action a, char **err);
/* Makes key do nothing in ctx: removes ctx's binding and, where `global`
 * would answer instead, blocks that fallback.  0, -1 when the key did
 * nothing in ctx already, KM_E_FIXED for a fixed key (km_fixed). */
int km_unbind(struct km_keymap *km, enum km_context ctx, km_key key);
enum { KM_E_FIXED = -2 };
/* The way out no config can take away: ':' opens the command line in every
 * view, and <Enter> runs what was typed there, so `:quit` always quits.
 * The action a fixed key has in ctx, or KM_A_NONE when it is not fixed
 * there.  km_bind refuses to give it another action, km_unbind to remove it,
 * and km_lookup answers with it whatever the tables say. */
enum km_action km_fixed(enum km_context ctx, km_key key);
/* One line that says so, for listings (no newline). */
extern const char km_fixed_note[];
/* Removes every binding of ctx, including blocks: `global` answers again. */
void km_unbind_all(struct km_keymap *km, enum km_context ctx);
/* Records the current bindings as the pristine defaults. */
void km_keymap_save_pristine(struct km_keymap *km);
/* Restores the pristine bindings: of every context (ctx < 0), of ctx
 * (key == KM_KEY_NONE), or of one key in ctx. */
void km_reset(struct km_keymap *km, int ctx, km_key key);
/* The action key triggers in ctx: ctx's own binding, else (except in the
 * prompt) the `global` binding if that action belongs to ctx; KM_A_NONE
 * when nothing is bound.  A few comparisons, no allocation. */
enum km_action km_lookup(const struct km_keymap *km, enum km_context ctx, km_key key);
/* The action key has in ctx's own table only (nothing from `global`, no
 * fixed key): KM_A_NONE when ctx binds nothing there.  For views that
 * look a context up before their own (the zoom's keys over the view
 * below). */
enum km_action km_lookup_own(const struct km_keymap *km, enum km_context ctx, km_key key);
/* Stores up to max keys that trigger action a in ctx (own and inherited
 * from `global`, in the order they were bound) and returns how many keys
 * there are in all (which may exceed max). */
size_t km_keys_for(const struct km_keymap *km, enum km_context ctx, enum km_action a, km_key *out,
                   size_t max);
/* The same keys as canonical names joined by spaces ("j <Down>"), "" when
 * none.  Owned. */
char *km_keys_string(const struct km_keymap *km, enum km_context ctx, enum km_action a);

/* One line of a help view: an action that belongs to the context and the
 * keys that trigger it there ("" when unbound: unbound actions are listed). */
struct km_row {
	enum km_action action;
	char *keys; /* owned: canonical key names, space-separated */
};
enum {
	KM_ROWS_OWN = 1,     /* actions of the context itself */
	KM_ROWS_GLOBAL = 2,  /* KM_M_GLOBAL actions (as triggered in ctx) */
	KM_ROWS_CHANGED = 4, /* ...only those whose keys differ from `global`'s */
};
/* Fills *rows (owned; free with km_rows_free) in action-table order and
 * returns how many.  flags: KM_ROWS_* ORed.  For `global` and `prompt`,
 * KM_ROWS_OWN lists their own actions. */
size_t km_rows(const struct km_keymap *km, enum km_context ctx, unsigned flags,
               struct km_row **rows);
void km_rows_free(struct km_row **rows, size_t n);

/* ------------------------------------------------------------- options */

enum km_option_type {
	KM_OPT_BOOL,    /* on/off */
	KM_OPT_INT,     /* a whole number within the row's MIN..MAX */
	KM_OPT_ENUM,    /* one of the row's CHOICEs */
	KM_OPT_STRING,  /* text without control characters */
	KM_OPT_COMMAND, /* a string that must split as an argv template (or be empty) */
};

enum km_option {
#define OPTION(id, name, type, def, min, max, desc) KM_O_##id,
#define CHOICE(opt, id, name)
#include "options.def"
#undef OPTION
#undef CHOICE
	KM_NOPTIONS
};

/* Every enum value of every option, e.g. KM_V_PREVIEW_MODE_SIXEL.  What
 * km_opt_choice() returns. */
enum km_choice {
#define OPTION(id, name, type, def, min, max, desc)
#define CHOICE(opt, id, name) KM_V_##opt##_##id,
#include "options.def"
#undef OPTION
#undef CHOICE
	KM_NCHOICES
};

struct km_options;

/* Options at their defaults.  Owned.  Aborts if options.def is broken. */
struct km_options *km_options_new(void);
void km_options_free(struct km_options **o);
/* Option by exact name; 0, or -1 when unknown. */
int km_opt_find(const char *name, enum km_option *out);
const char *km_opt_name(enum km_option id);
const char *km_opt_description(enum km_option id);
enum km_option_type km_opt_type(enum km_option id);
/* What values the option takes, for messages and listings: "on|off",
 * "50..60000", "auto|symbols|...", "text", "command".  Owned. */
char *km_opt_domain(enum km_option id);
const char *km_opt_default(enum km_option id);
const char *km_choice_name(enum km_choice c);
/* Sets an option from text as a user writes it.  0, or -1 with an owned
 * *err naming the accepted values; the option is unchanged then. */
int km_opt_set(struct km_options *o, enum km_option id, const char *value, char **err);
/* Typed getters; the type must match (a mismatch is a bug: fatal()). */
int km_opt_bool(const struct km_options *o, enum km_option id);
long long km_opt_int(const struct km_options *o, enum km_option id);
enum km_choice km_opt_choice(const struct km_options *o, enum km_option id);
const char *km_opt_string(const struct km_options *o, enum km_option id); /* borrowed */
/* The value as text, the way `set` takes it.  Owned. */
char *km_opt_format(const struct km_options *o, enum km_option id);
/* pixel-limit in pixels (the option is in megapixels). */
unsigned long long km_opt_pixel_limit(const struct km_options *o);

/* ---------------------------------------------------- argv templates
 *
 * Splits a command template (an option such as audio-player) into argv
 * without a shell: words are separated by blanks; '...' quotes literally,
 * "..." quotes with \" and \\ escapes, a backslash outside quotes escapes
 * the next character.  Every {file} is replaced by file as data: it never
 * splits a word and is never re-parsed, whatever it contains.  When the
 * template has no {file}, file is appended as the last argument.  A file
 * starting with '-' is passed as "./-..." so no player reads it as an option.
 * With file NULL nothing is substituted or appended (to check a template).
 * 0 with *argv an owned NULL-terminated vector (km_argv_free), or -1 with
 * an owned *err (empty template, unterminated quote).
 */
int km_argv_template(const char *tmpl, const char *file, char ***argv, char **err);
void km_argv_free(char ***argv);

/* -------------------------------------------------------------- config */

/* A `backend NAME key=value ...` line, kept for the backends module. */
struct km_kv {
	char *key;   /* owned */
	char *value; /* owned, quotes and escapes resolved */
};
struct km_backend_rec {
	char *name;       /* owned */
	char *file;       /* owned: the file it came from */
	int line;         /* its line there */
	struct km_kv *kv; /* owned array of nkv pairs, in order */
	size_t nkv;
	/* The same pairs as two parallel NULL-terminated lists (owned arrays
	 * of pointers into kv), the form backend_registry_add() takes. */
	const char **keys;
	const char **values;
};

struct km_config;

/* A config holding the default keymap (default.keys, embedded and parsed
 * by the same parser; a bad default is fatal), its pristine copy and the
 * default options.  Owned. */
struct km_config *km_config_new(void);
void km_config_free(struct km_config **cfg);
/* Reads a config file.  Every good line applies; each bad line adds one
 * error "FILE:LINE: problem — what to do".  A missing file is an error
 * unless must_exist is 0.  Returns the number of errors this call added. */
size_t km_config_load_file(struct km_config *cfg, const char *path, int must_exist);
/* The same for text in memory; name is used in messages and relative
 * `source` paths resolve against the current directory. */
size_t km_config_load_string(struct km_config *cfg, const char *name, const char *text, size_t len);
/* Runs one line typed at the `:` command line (bind, unbind, reset, set,
 * source).  0, or -1 with an owned *err without the FILE:LINE prefix. */
int km_config_exec(struct km_config *cfg, const char *line, char **err);
/* The user's config file: $XDG_CONFIG_HOME/lightbox/config, else
 * $HOME/.config/lightbox/config.  Owned; NULL when neither is set. */
char *km_config_default_path(void);

/* Accessors; everything returned is borrowed from cfg. */
struct km_keymap *km_config_keymap(struct km_config *cfg);
struct km_options *km_config_options(struct km_config *cfg);
size_t km_config_nerrors(const struct km_config *cfg);
const char *km_config_error(const struct km_config *cfg, size_t i);
/* The command of the line error i is about: "bind", "unbind", "reset",
 * "set", "source" or "backend"; "" for a line that is none of them, the
 * file itself, or the "... and N more" line. */
const char *km_config_error_kind(const struct km_config *cfg, size_t i);
/* Where error i is: "FILE:LINE", or "FILE" for the file itself ("" for
 * the "... and N more" line). */
const char *km_config_error_where(const struct km_config *cfg, size_t i);
/* Forgets the collected errors (after showing them). */
void km_config_clear_errors(struct km_config *cfg);
size_t km_config_nbackends(const struct km_config *cfg);
const struct km_backend_rec *km_config_backend(const struct km_config *cfg, size_t i);
/* A `pipe NAME COMMAND ARGS...` line: a command for the interface's pipe. */
struct km_pipe_rec {
	char *name;  /* owned */
	char **argv; /* owned, NULL-terminated (km_argv_free) */
};
size_t km_config_npipes(const struct km_config *cfg);
const struct km_pipe_rec *km_config_pipe(const struct km_config *cfg, size_t i);

/* The value of key in a backend record, or NULL. */
const char *km_backend_get(const struct km_backend_rec *rec, const char *key);

/* The text of keymaps/default.keys, as embedded at build time. */
extern const char km_default_keys[];

/* ------------------------------------------------------------- listing */

enum km_format {
	KM_FMT_TEXT, /* plain text, for `lightbox keys` */
	KM_FMT_ROFF, /* man(7) source, for the man page's KEYS section */
};
/* Appends the full key listing of km: per context, every action that
 * belongs to it with its keys and description, unbound actions included
 * (for views: their own actions, and global ones whose keys differ there). */
void km_listing(struct sbuf *out, const struct km_keymap *km, enum km_format fmt);
/* Appends the option reference: name, values, default, description (and
 * the current value when it differs from the default). */
void km_options_listing(struct sbuf *out, const struct km_options *o, enum km_format fmt);

#endif
