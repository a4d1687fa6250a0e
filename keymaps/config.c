/*
 * config.c - the config file: `bind`, `unbind`, `reset`, `set`, `source`
 * and `backend` lines, `#` comments, double-quoted words.
 *
 * A bad line never stops the others: each adds one message
 * "FILE:LINE: problem — what to do" to the config's list and the parser
 * goes on.  `source` resolves paths against the including file's folder
 * (then the shipped presets), expands ~, refuses anything but regular
 * files (a FIFO would block start-up) and catches loops and deep nesting.
 * The embedded default.keys goes through this same code at start.
 */
#include "config.h"

#include "keymaps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keymaps-private.h"
#include "util.h"

#ifndef LB_DATADIR
#define LB_DATADIR "/usr/local/share/lightbox"
#endif

enum {
	MAX_DEPTH = 16,         /* nested `source` levels */
	MAX_ERRORS = 100,       /* kept; the rest are counted */
	MAX_FILE = 1024 * 1024, /* bytes of one config file */
	MAX_SHOWN = 60,         /* characters of a user's word in a message */
};

struct km_config {
	struct km_keymap *km;
	struct km_options *opts;
	struct km_backend_rec *be; /* owned array */
	size_t nbe, cap_be;
	struct km_pipe_rec *pipes; /* owned array: `pipe` lines, newest definition wins */
	size_t npipes, cap_pipes;
	char **errs; /* owned messages */
	const char **kinds; /* the command of each error's line ("" for none) */
	char **wheres;      /* owned "FILE:LINE" (or "FILE") of each error */
	size_t nerr, cap_err;
	size_t dropped; /* errors beyond MAX_ERRORS */
	char *more;     /* "... and N more" when dropped */
};

struct frame {
	dev_t dev;
	ino_t ino;
};

/* One parse: a file (or string) and where it sits in the source chain. */
struct parse {
	struct km_config *cfg;
	const char *file;    /* name used in messages */
	const char *dir;     /* folder for relative `source`; NULL: cwd */
	int depth;           /* 0 for the top file */
	struct frame *stack; /* files being read, outermost first */
	int nstack;
	size_t *added;  /* errors added by the top-level call */
	char **capture; /* exec: the line's own error goes here */
	int line;       /* current line number */
	const char *kind; /* the current line's command (bind, set...), or NULL */
};

/* ------------------------------------------------------------ errors */

static void add_error(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_error(struct parse *p, const char *fmt, ...)
{
	struct km_config *cfg = p->cfg;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (p->capture && p->depth == 0) {
		if (!*p->capture)
			*p->capture = msg;
		else
			free(msg);
		return;
	}
	(*p->added)++;
	if (cfg->nerr >= MAX_ERRORS) {
		free(msg);
		cfg->dropped++;
		free(cfg->more);
		cfg->more = xasprintf("... and %zu more problems", cfg->dropped);
		return;
	}
	if (cfg->nerr == cfg->cap_err) {
		cfg->cap_err = cfg->cap_err ? cfg->cap_err * 2 : 8;
		cfg->errs = xrealloc(cfg->errs, cfg->cap_err * sizeof cfg->errs[0]);
		cfg->kinds = xrealloc(cfg->kinds, cfg->cap_err * sizeof cfg->kinds[0]);
		cfg->wheres = xrealloc(cfg->wheres, cfg->cap_err * sizeof cfg->wheres[0]);
	}
	if (p->line > 0)
		cfg->wheres[cfg->nerr] = xasprintf("%s:%d", p->file, p->line);
	else
		cfg->wheres[cfg->nerr] = xstrdup(p->file);
	cfg->kinds[cfg->nerr] = p->line > 0 && p->kind ? p->kind : "";
	cfg->errs[cfg->nerr] = xasprintf("%s: %s", cfg->wheres[cfg->nerr], msg);
	cfg->nerr++;
	free(msg);
}

/* A user's word made safe and short for a message.  Owned. */
static char *show(const char *s)
{
	return util_visible_cut(s, MAX_SHOWN);
}

/* ---------------------------------------------------------- lifecycle */

static size_t parse_text(struct parse *p, const char *text, size_t len);

struct km_config *km_config_new(void)
{
	struct km_config *cfg = xcalloc(1, sizeof *cfg);
	size_t added = 0;
	struct parse p = {
	        .cfg = cfg,
	        .file = "default.keys",
	        .added = &added,
	};

	cfg->km = km_keymap_new();
	cfg->opts = km_options_new();
	parse_text(&p, km_default_keys, strlen(km_default_keys));
	if (cfg->nerr)
		fatal("the built-in keymaps/default.keys is broken (%zu problems), first: %s",
		      cfg->nerr, cfg->errs[0]);
	km_keymap_save_pristine(cfg->km);
	return cfg;
}

static void free_backend(struct km_backend_rec *r)
{
	size_t i;

	for (i = 0; i < r->nkv; i++) {
		free(r->kv[i].key);
		free(r->kv[i].value);
	}
	free(r->kv);
	free(r->keys);
	free(r->values);
	free(r->name);
	free(r->file);
}

void km_config_free(struct km_config **cfgp)
{
	struct km_config *cfg = *cfgp;
	size_t i;

	if (!cfg)
		return;
	km_keymap_free(&cfg->km);
	km_options_free(&cfg->opts);
	for (i = 0; i < cfg->nbe; i++)
		free_backend(&cfg->be[i]);
	free(cfg->be);
	for (i = 0; i < cfg->npipes; i++) {
		free(cfg->pipes[i].name);
		km_argv_free(&cfg->pipes[i].argv);
	}
	free(cfg->pipes);
	km_config_clear_errors(cfg);
	free(cfg);
	*cfgp = NULL;
}

struct km_keymap *km_config_keymap(struct km_config *cfg)
{
	return cfg->km;
}

struct km_options *km_config_options(struct km_config *cfg)
{
	return cfg->opts;
}

size_t km_config_nerrors(const struct km_config *cfg)
{
	return cfg->nerr + (cfg->dropped ? 1 : 0);
}

const char *km_config_error(const struct km_config *cfg, size_t i)
{
	if (i < cfg->nerr)
		return cfg->errs[i];
	if (i == cfg->nerr && cfg->dropped)
		return cfg->more;
	fatal("km_config_error: index %zu out of range", i);
}

const char *km_config_error_kind(const struct km_config *cfg, size_t i)
{
	return i < cfg->nerr ? cfg->kinds[i] : "";
}

const char *km_config_error_where(const struct km_config *cfg, size_t i)
{
	return i < cfg->nerr ? cfg->wheres[i] : "";
}

void km_config_clear_errors(struct km_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nerr; i++) {
		free(cfg->errs[i]);
		free(cfg->wheres[i]);
	}
	free(cfg->errs);
	free(cfg->kinds);
	free(cfg->wheres);
	free(cfg->more);
	cfg->errs = NULL;
	cfg->kinds = NULL;
	cfg->wheres = NULL;
	cfg->more = NULL;
	cfg->nerr = cfg->cap_err = cfg->dropped = 0;
}

size_t km_config_nbackends(const struct km_config *cfg)
{
	return cfg->nbe;
}

const struct km_backend_rec *km_config_backend(const struct km_config *cfg, size_t i)
{
	if (i >= cfg->nbe)
		fatal("km_config_backend: index %zu out of range", i);
	return &cfg->be[i];
}

const char *km_backend_get(const struct km_backend_rec *rec, const char *key)
{
	size_t i;

	for (i = 0; i < rec->nkv; i++)
		if (strcmp(rec->kv[i].key, key) == 0)
			return rec->kv[i].value;
	return NULL;
}

char *km_config_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && x[0] == '/')
		return xasprintf("%s/lightbox/config", x);
	if (home && *home)
		return xasprintf("%s/.config/lightbox/config", home);
	return NULL;
}

/* ---------------------------------------------------------- tokenizer */

struct words {
	char **w; /* owned */
	size_t n, cap;
};

static void words_free(struct words *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		free(ws->w[i]);
	free(ws->w);
	ws->w = NULL;
	ws->n = ws->cap = 0;
}

/* Splits a line into words: blanks separate, "..." quotes (with \" and
 * \\), # at the start of a word begins a comment.  0, or -1 with an error
 * added. */
static int split_line(struct parse *p, const char *s, struct words *ws)
{
	struct sbuf w;

	sb_init(&w);
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		while (*s && *s != ' ' && *s != '\t') {
			if (*s != '"') {
				sb_addc(&w, *s++);
				continue;
			}
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\') {
					if (s[1] != '"' && s[1] != '\\') {
						add_error(p,
						          "unknown escape \\%c in a quoted word — "
						          "only \\\" and \\\\ are escapes",
						          s[1] > 0x20 && s[1] < 0x7f ? s[1] : '?');
						goto fail;
					}
					s++;
				}
				sb_addc(&w, *s);
			}
			if (!*s) {
				add_error(p, "unterminated quote — close the word with \"");
				goto fail;
			}
			s++;
		}
		if (ws->n == ws->cap) {
			ws->cap = ws->cap ? ws->cap * 2 : 8;
			ws->w = xrealloc(ws->w, ws->cap * sizeof ws->w[0]);
		}
		ws->w[ws->n++] = sb_steal(&w);
	}
	sb_free(&w);
	return 0;
fail:
	sb_free(&w);
	words_free(ws);
	return -1;
}

/* ------------------------------------------------------------ commands */

static const char *context_name_at(size_t i, const void *ctx)
{
	(void)ctx;
	return km_context_name((enum km_context)i);
}

/* Parses "a,b,c" (or "*" when star_ok) into a context mask. */
static int parse_contexts(struct parse *p, const char *list, int star_ok, unsigned *mask)
{
	char *copy, *tok, *save = NULL;
	int rc = 0;

	*mask = 0;
	if (star_ok && strcmp(list, "*") == 0) {
		*mask = (1u << KM_NCONTEXTS) - 1;
		return 0;
	}
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum km_context c;
		const char *hint;
		char *s;

		if (km_context_find(tok, &c) == 0) {
			*mask |= 1u << c;
			continue;
		}
		s = show(tok);
		hint = km_closest(tok, KM_NCONTEXTS, context_name_at, NULL);
		if (hint)
			add_error(p, "unknown context \"%s\" — did you mean %s?", s, hint);
		else
			add_error(p,
			          "unknown context \"%s\" — use global, projects, briefs, "
			          "candidates, grid, detail, selection, jobs, help, compare or "
			          "prompt (or several, joined by commas)",
			          s);
		free(s);
		rc = -1;
	}
	if (!*mask && rc == 0) {
		add_error(p, "no context given — name one, e.g. candidates");
		rc = -1;
	}
	free(copy);
	return rc;
}

static int parse_key(struct parse *p, const char *name, km_key *key)
{
	char *err = NULL;

	if (km_key_parse(name, key, &err) == 0)
		return 0;
	add_error(p, "%s", err);
	free(err);
	return -1;
}

static void unknown_action(struct parse *p, const char *name)
{
	const char *hint = km_action_suggest(name);
	char *s = show(name);

	if (hint)
		add_error(p, "unknown action \"%s\" — did you mean %s?", s, hint);
	else
		add_error(p, "unknown action \"%s\" — `lightbox keys` lists every action", s);
	free(s);
}

/* A fixed key (km_fixed) cannot be unbound: says so. */
static void fixed_error(struct parse *p, enum km_context ctx, km_key key)
{
	char name[KM_KEY_NAME_MAX];

	add_error(p, "%s cannot be unbound in %s: it is fixed to %s, the way out no config can take "
	          "away (:quit)", km_key_name(key, name), km_context_name(ctx),
	          km_action_name(km_fixed(ctx, key)));
}

/* bind CONTEXT[,CONTEXT...] KEY ACTION */
static void cmd_bind(struct parse *p, struct words *ws)
{
	enum km_action a;
	unsigned mask;
	km_key key;
	int c, ok;

	if (ws->n != 4) {
		add_error(p, "bind takes CONTEXT KEY ACTION — e.g. bind candidates p pick");
		return;
	}
	ok = parse_contexts(p, ws->w[1], 0, &mask) == 0;
	ok &= parse_key(p, ws->w[2], &key) == 0;
	a = km_action_find(ws->w[3]);
	if (a == KM_A_NONE && strcmp(ws->w[3], "none") != 0) {
		unknown_action(p, ws->w[3]);
		return;
	}
	if (!ok)
		return;
	for (c = 0; c < KM_NCONTEXTS; c++) {
		char *err = NULL;

		if (!(mask & (1u << c)))
			continue;
		if (a == KM_A_NONE) {
			if (km_unbind(p->cfg->km, (enum km_context)c, key) == KM_E_FIXED)
				fixed_error(p, (enum km_context)c, key);
		} else if (km_bind(p->cfg->km, (enum km_context)c, key, a, &err) < 0) {
			add_error(p, "%s", err);
			free(err);
		}
	}
}

/* unbind CONTEXT[,...]|* KEY|* */
static void cmd_unbind(struct parse *p, struct words *ws)
{
	unsigned mask;
	km_key key = 0;
	int c, any = 0, rc;

	if (ws->n != 3) {
		add_error(p, "unbind takes CONTEXT KEY — e.g. unbind candidates x, or unbind "
		             "candidates * to clear a context");
		return;
	}
	if (parse_contexts(p, ws->w[1], 1, &mask) < 0)
		return;
	if (strcmp(ws->w[2], "*") != 0 && parse_key(p, ws->w[2], &key) < 0)
		return;
	for (c = 0; c < KM_NCONTEXTS; c++) {
		if (!(mask & (1u << c)))
			continue;
		if (key == KM_KEY_NONE) {
			km_unbind_all(p->cfg->km, (enum km_context)c);
			any = 1;
		} else if ((rc = km_unbind(p->cfg->km, (enum km_context)c, key)) == 0) {
			any = 1;
		} else if (rc == KM_E_FIXED) {
			fixed_error(p, (enum km_context)c, key);
			any = 1;
		} else if (strcmp(ws->w[1], "*") != 0) {
			char name[KM_KEY_NAME_MAX];

			add_error(p, "%s does nothing in %s already — nothing to unbind",
			          km_key_name(key, name), km_context_name((enum km_context)c));
		}
	}
	if (!any && strcmp(ws->w[1], "*") == 0) {
		char name[KM_KEY_NAME_MAX];

		add_error(p, "%s is bound nowhere — nothing to unbind", km_key_name(key, name));
	}
}

/* reset [CONTEXT[,...]|* [KEY]] */
static void cmd_reset(struct parse *p, struct words *ws)
{
	unsigned mask = (1u << KM_NCONTEXTS) - 1;
	km_key key = KM_KEY_NONE;
	int c;

	if (ws->n > 3) {
		add_error(p, "reset takes at most CONTEXT KEY — e.g. reset, reset grid, "
		             "reset grid x");
		return;
	}
	if (ws->n >= 2 && parse_contexts(p, ws->w[1], 1, &mask) < 0)
		return;
	if (ws->n == 3 && parse_key(p, ws->w[2], &key) < 0)
		return;
	for (c = 0; c < KM_NCONTEXTS; c++)
		if (mask & (1u << c))
			km_reset(p->cfg->km, c, key);
}

static const char *option_name_at(size_t i, const void *ctx)
{
	(void)ctx;
	return km_opt_name((enum km_option)i);
}

/* set NAME VALUE, set NAME=VALUE, set BOOLNAME */
static void cmd_set(struct parse *p, struct words *ws)
{
	char *name, *err = NULL, *eq;
	const char *value;
	enum km_option id;

	if (ws->n < 2) {
		add_error(p, "set takes OPTION VALUE — e.g. set advance-after-rate on");
		return;
	}
	name = xstrdup(ws->w[1]);
	eq = strchr(name, '=');
	if (eq && ws->n == 2) {
		*eq = '\0';
		value = eq + 1;
	} else {
		value = ws->n >= 3 ? ws->w[2] : NULL;
	}
	if (km_opt_find(name, &id) < 0) {
		const char *hint = km_closest(name, KM_NOPTIONS, option_name_at, NULL);
		char *s = show(name);

		if (hint)
			add_error(p, "unknown option \"%s\" — did you mean %s?", s, hint);
		else
			add_error(p, "unknown option \"%s\" — `lightbox keys --options` lists them",
			          s);
		free(s);
		goto out;
	}
	if (ws->n > 3 || (eq && ws->n > 2)) {
		add_error(p, "set %s takes one value — put a value with spaces in double quotes",
		          km_opt_name(id));
		goto out;
	}
	if (!value) {
		if (km_opt_type(id) != KM_OPT_BOOL) {
			char *dom = km_opt_domain(id);

			add_error(p, "set %s needs a value — one of %s", km_opt_name(id), dom);
			free(dom);
			goto out;
		}
		value = "on";
	}
	if (km_opt_set(p->cfg->opts, id, value, &err) < 0) {
		add_error(p, "%s", err);
		free(err);
	}
out:
	free(name);
}

static int backend_word_ok(const char *s, int key)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      (!key && ((c >= 'A' && c <= 'Z') || c == '.'))))
			return 0;
	}
	return 1;
}

/* backend NAME key=value ... */
static void cmd_backend(struct parse *p, struct words *ws)
{
	struct km_config *cfg = p->cfg;
	struct km_backend_rec r = {0};
	size_t i;

	if (p->capture && p->depth == 0) {
		add_error(p,
		          "backend lines are read at start-up — put this one in the config file");
		return;
	}
	if (ws->n < 2) {
		add_error(p, "backend takes NAME key=value ... — e.g. backend sdxl type=a1111 "
		             "url=http://gpu-box:7860");
		return;
	}
	if (!backend_word_ok(ws->w[1], 0)) {
		char *s = show(ws->w[1]);

		add_error(p, "backend name \"%s\" — use letters, digits, '.', '-' and '_'", s);
		free(s);
		return;
	}
	for (i = 2; i < ws->n; i++) {
		char *eq = strchr(ws->w[i], '='), *s;
		int ok;

		if (eq)
			*eq = '\0';
		ok = eq && backend_word_ok(ws->w[i], 1) &&
		     util_text_is_clean(eq + 1, strlen(eq + 1)) && !strchr(eq + 1, '\t');
		if (eq)
			*eq = '=';
		if (ok)
			continue;
		s = show(ws->w[i]);
		if (!eq)
			add_error(p, "backend %s: \"%s\" is not key=value — write e.g. model=NAME",
			          ws->w[1], s);
		else
			add_error(p,
			          "backend %s: bad setting \"%s\" — keys are lower-case words "
			          "(url, model, key-env), values plain text",
			          ws->w[1], s);
		free(s);
		return;
	}
	r.name = xstrdup(ws->w[1]);
	r.file = xstrdup(p->file);
	r.line = p->line;
	r.nkv = ws->n - 2;
	r.kv = xcalloc(r.nkv ? r.nkv : 1, sizeof r.kv[0]);
	r.keys = xcalloc(r.nkv + 1, sizeof r.keys[0]);
	r.values = xcalloc(r.nkv + 1, sizeof r.values[0]);
	for (i = 2; i < ws->n; i++) {
		char *eq = strchr(ws->w[i], '=');

		r.kv[i - 2].key = xstrndup(ws->w[i], (size_t)(eq - ws->w[i]));
		r.kv[i - 2].value = xstrdup(eq + 1);
		r.keys[i - 2] = r.kv[i - 2].key;
		r.values[i - 2] = r.kv[i - 2].value;
	}
	if (cfg->nbe == cfg->cap_be) {
		cfg->cap_be = cfg->cap_be ? cfg->cap_be * 2 : 4;
		cfg->be = xrealloc(cfg->be, cfg->cap_be * sizeof cfg->be[0]);
	}
	cfg->be[cfg->nbe++] = r;
}

/* pipe NAME COMMAND ARGS... : a command the interface's pipe action offers;
 * the marked candidates' paths are appended, their JSON on its stdin. */
static void cmd_pipe(struct parse *p, struct words *ws)
{
	struct km_config *cfg = p->cfg;
	struct km_pipe_rec *r = NULL;
	size_t i;

	if (ws->n < 3) {
		add_error(p, "pipe takes NAME COMMAND ARGS... — e.g. pipe gimp gimp, or "
		             "pipe send rsync -a --files-from=- gpu-box:inbox/");
		return;
	}
	if (!backend_word_ok(ws->w[1], 0)) {
		char *s = show(ws->w[1]);

		add_error(p, "pipe name \"%s\" — use letters, digits, '.', '-' and '_'", s);
		free(s);
		return;
	}
	for (i = 2; i < ws->n; i++)
		if (!util_text_is_clean(ws->w[i], strlen(ws->w[i]))) {
			char *s = show(ws->w[i]);

			add_error(p, "pipe %s: \"%s\" holds control characters", ws->w[1], s);
			free(s);
			return;
		}
	for (i = 0; i < cfg->npipes; i++)
		if (strcmp(cfg->pipes[i].name, ws->w[1]) == 0) {
			r = &cfg->pipes[i];
			km_argv_free(&r->argv);
			break;
		}
	if (r == NULL) {
		if (cfg->npipes == cfg->cap_pipes) {
			cfg->cap_pipes = cfg->cap_pipes ? cfg->cap_pipes * 2 : 4;
			cfg->pipes = xrealloc(cfg->pipes, cfg->cap_pipes * sizeof cfg->pipes[0]);
		}
		r = &cfg->pipes[cfg->npipes++];
		r->name = xstrdup(ws->w[1]);
	}
	r->argv = xcalloc(ws->n - 1, sizeof *r->argv);
	for (i = 2; i < ws->n; i++)
		r->argv[i - 2] = xstrdup(ws->w[i]);
}

size_t km_config_npipes(const struct km_config *cfg)
{
	return cfg->npipes;
}

const struct km_pipe_rec *km_config_pipe(const struct km_config *cfg, size_t i)
{
	if (i >= cfg->npipes)
		fatal("km_config_pipe: index %zu out of range", i);
	return &cfg->pipes[i];
}

/* ------------------------------------------------------------- source */

/* Reads a regular file of at most MAX_FILE bytes without blocking on
 * FIFOs or devices.  0, or -1 with *why a static reason and *eno the errno
 * (0 when the file exists but is refused). */
static int read_config(const char *path, char **out, size_t *len, struct stat *st, const char **why,
                       int *eno)
{
	int fd;

	*out = NULL;
	*eno = 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*eno = errno;
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		*eno = errno;
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*why = S_ISDIR(st->st_mode) ? "it is a folder" : "it is not a regular file";
		close(fd);
		return -1;
	}
	if (util_read_fd(fd, MAX_FILE, out, len) != 0) {
		*eno = errno == EFBIG ? 0 : errno;
		*why = errno == EFBIG ? "it is larger than 1 MiB" : strerror(errno);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static const char *preset_dir_base(void)
{
	const char *d = getenv("LIGHTBOX_DATADIR");

	return d && *d ? d : LB_DATADIR;
}

/* Where `source arg` points, or NULL with an error added.  Owned. */
static char *resolve(struct parse *p, const char *arg)
{
	char *path;
	struct stat st;

	if (arg[0] == '~' && (arg[1] == '\0' || arg[1] == '/')) {
		const char *home = getenv("HOME");

		if (!home || !*home) {
			add_error(p, "cannot expand ~: HOME is not set — write the full path");
			return NULL;
		}
		return xasprintf("%s%s", home, arg + 1);
	}
	if (arg[0] == '/' || !p->dir)
		return xstrdup(arg);
	path = xasprintf("%s/%s", p->dir, arg);
	if (stat(path, &st) < 0 && !strchr(arg, '/')) {
		char *preset = xasprintf("%s/keymaps/%s", preset_dir_base(), arg);

		if (stat(preset, &st) == 0) {
			free(path);
			return preset;
		}
		free(preset);
	}
	return path;
}

/* Parses the file at path as a child of p (or as the top file when p has
 * depth -1).  Adds an error for an unreadable file when must_exist. */
static void parse_file(struct parse *p, const char *path, int must_exist)
{
	struct parse child = *p;
	struct stat st;
	const char *why = NULL;
	char *text, *shown, *dir;
	size_t len;
	int i, eno;

	shown = show(path);
	if (p->nstack >= MAX_DEPTH) {
		add_error(p, "source nested deeper than %d files at %s — look for a loop",
		          MAX_DEPTH, shown);
		free(shown);
		return;
	}
	if (read_config(path, &text, &len, &st, &why, &eno) < 0) {
		if (p->depth < 0 && (must_exist || eno != ENOENT))
			add_error(p, "cannot read it: %s — check the path of the config file", why);
		else if (p->depth >= 0)
			add_error(p,
			          "cannot read %s: %s — check the path (a relative one starts "
			          "at this file's folder)",
			          shown, why);
		free(shown);
		return;
	}
	for (i = 0; i < p->nstack; i++) {
		if (p->stack[i].dev == st.st_dev && p->stack[i].ino == st.st_ino) {
			add_error(p,
			          "source loop: %s is already being read — remove one of the "
			          "source lines",
			          shown);
			free(text);
			free(shown);
			return;
		}
	}
	p->stack[p->nstack].dev = st.st_dev;
	p->stack[p->nstack].ino = st.st_ino;
	dir = dir_of(path);
	child.file = shown;
	child.dir = dir;
	child.depth = p->depth + 1;
	child.nstack = p->nstack + 1;
	child.line = 0;
	parse_text(&child, text, len);
	free(dir);
	free(text);
	free(shown);
}

static void cmd_source(struct parse *p, struct words *ws)
{
	char *path;

	if (ws->n != 2) {
		add_error(p, "source takes one FILE — e.g. source ~/.config/lightbox/cull.keys "
		             "(quote a path with spaces)");
		return;
	}
	path = resolve(p, ws->w[1]);
	if (!path)
		return;
	parse_file(p, path, 1);
	free(path);
}

/* ---------------------------------------------------------------- lines */

static const char *const commands[] = {"bind", "unbind", "reset", "set", "source", "backend", "pipe"};

static const char *command_at(size_t i, const void *ctx)
{
	(void)ctx;
	return commands[i];
}

static void run_line(struct parse *p, const char *line)
{
	struct words ws = {0};
	const char *hint;
	char *s;
	size_t i;

	p->kind = NULL;
	if (split_line(p, line, &ws) < 0 || ws.n == 0)
		goto out;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(ws.w[0], commands[i]) == 0)
			p->kind = commands[i];
	if (strcmp(ws.w[0], "bind") == 0)
		cmd_bind(p, &ws);
	else if (strcmp(ws.w[0], "unbind") == 0)
		cmd_unbind(p, &ws);
	else if (strcmp(ws.w[0], "reset") == 0)
		cmd_reset(p, &ws);
	else if (strcmp(ws.w[0], "set") == 0)
		cmd_set(p, &ws);
	else if (strcmp(ws.w[0], "source") == 0)
		cmd_source(p, &ws);
	else if (strcmp(ws.w[0], "backend") == 0)
		cmd_backend(p, &ws);
	else if (strcmp(ws.w[0], "pipe") == 0)
		cmd_pipe(p, &ws);
	else {
		s = show(ws.w[0]);
		hint = km_closest(ws.w[0], sizeof commands / sizeof commands[0], command_at, NULL);
		if (hint)
			add_error(p, "unknown command \"%s\" — did you mean %s?", s, hint);
		else
			add_error(p,
			          "unknown command \"%s\" — lines start with bind, unbind, "
			          "reset, set, source, backend or pipe",
			          s);
		free(s);
	}
out:
	words_free(&ws);
}

/* Checks one physical-or-joined line for bytes a config never holds. */
static int line_clean(struct parse *p, const char *s, size_t n)
{
	size_t i;

	if (memchr(s, '\0', n)) {
		add_error(p, "NUL byte in the line — this does not look like a text file");
		return 0;
	}
	if (!util_utf8_valid(s, n)) {
		add_error(p, "the line is not valid UTF-8 — save the file as UTF-8");
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f ||
		    (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] <= 0x9F)) {
			add_error(p, "control character in the line — remove it (write keys as "
			             "C-x or <Name>)");
			return 0;
		}
	}
	return 1;
}

static size_t parse_text(struct parse *p, const char *text, size_t len)
{
	struct frame stack[MAX_DEPTH + 1];
	size_t before = *p->added, pos = 0;
	struct sbuf joined;
	int first = 0;

	if (!p->stack) {
		p->stack = stack;
		p->nstack = 0;
	}
	sb_init(&joined);
	p->line = 0;
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl ? 1 : 0);
		p->line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (!joined.len)
			first = p->line;
		if (n && s[n - 1] == '\\' && pos < len) {
			sb_add(&joined, s, n - 1);
			sb_addc(&joined, ' ');
			continue;
		}
		sb_add(&joined, s, n);
		{
			int here = p->line;

			p->line = first;
			p->kind = NULL;
			if (line_clean(p, joined.s, joined.len))
				run_line(p, joined.s);
			p->line = here;
		}
		sb_reset(&joined);
	}
	sb_free(&joined);
	if (p->stack == stack)
		p->stack = NULL;
	return *p->added - before;
}

/* -------------------------------------------------------------- entries */

size_t km_config_load_file(struct km_config *cfg, const char *path, int must_exist)
{
	struct frame stack[MAX_DEPTH + 1];
	size_t added = 0;
	char *shown = show(path);
	struct parse p = {
	        .cfg = cfg,
	        .file = shown,
	        .depth = -1,
	        .stack = stack,
	        .added = &added,
	};

	parse_file(&p, path, must_exist);
	free(shown);
	return added;
}

size_t km_config_load_string(struct km_config *cfg, const char *name, const char *text, size_t len)
{
	size_t added = 0;
	char *shown = show(name);
	struct parse p = {
	        .cfg = cfg,
	        .file = shown,
	        .added = &added,
	};

	parse_text(&p, text, len);
	free(shown);
	return added;
}

int km_config_exec(struct km_config *cfg, const char *line, char **err)
{
	size_t added = 0, before = cfg->nerr;
	char *own = NULL;
	struct parse p = {
	        .cfg = cfg,
	        .file = "command line",
	        .added = &added,
	        .capture = &own,
	};

	*err = NULL;
	parse_text(&p, line, strlen(line));
	if (own) {
		*err = own;
		return -1;
	}
	if (added) {
		*err = xasprintf("%zu problem%s in the sourced file%s, first: %s", added,
		                 added == 1 ? "" : "s", added == 1 ? "" : "s",
		                 before < cfg->nerr ? cfg->errs[before] : "(too many)");
		return -1;
	}
	return 0;
}
