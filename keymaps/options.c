/*
 * options.c - the `set` options of options.def: typed storage, parsing and
 * validation of values, getters, and the argv-template splitter used to
 * run players and editors without a shell.
 */
#include "config.h"

#include "keymaps.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keymaps-private.h"
#include "util.h"

static const struct {
	const char *name;
	enum km_option_type type;
	const char *def;
	long long min, max;
	const char *desc;
} defs[KM_NOPTIONS] = {
#define OPTION(id, name, type, def, min, max, desc)                                                \
	[KM_O_##id] = {name, KM_OPT_##type, def, min, max, desc},
#define CHOICE(opt, id, name)
#include "options.def"
#undef OPTION
#undef CHOICE
};

static const struct {
	enum km_option opt;
	const char *name;
} choices[KM_NCHOICES] = {
#define OPTION(id, name, type, def, min, max, desc)
#define CHOICE(opt, id, name) [KM_V_##opt##_##id] = {KM_O_##opt, name},
#include "options.def"
#undef OPTION
#undef CHOICE
};

union value {
	int b;            /* KM_OPT_BOOL */
	long long i;      /* KM_OPT_INT */
	enum km_choice c; /* KM_OPT_ENUM */
	char *s;          /* KM_OPT_STRING, KM_OPT_COMMAND: owned */
};

struct km_options {
	union value v[KM_NOPTIONS];
};

static void check_id(enum km_option id)
{
	if ((unsigned)id >= KM_NOPTIONS)
		fatal("keymaps: bad option %d", (int)id);
}

static int is_string(enum km_option id)
{
	return defs[id].type == KM_OPT_STRING || defs[id].type == KM_OPT_COMMAND;
}

struct km_options *km_options_new(void)
{
	struct km_options *o = xcalloc(1, sizeof *o);
	int i;

	for (i = 0; i < KM_NOPTIONS; i++) {
		char *err = NULL;

		if (km_opt_set(o, (enum km_option)i, defs[i].def, &err) < 0)
			fatal("options.def: default of %s: %s", defs[i].name, err);
	}
	return o;
}

void km_options_free(struct km_options **op)
{
	struct km_options *o = *op;
	int i;

	if (!o)
		return;
	for (i = 0; i < KM_NOPTIONS; i++)
		if (is_string((enum km_option)i))
			free(o->v[i].s);
	free(o);
	*op = NULL;
}

int km_opt_find(const char *name, enum km_option *out)
{
	int i;

	for (i = 0; i < KM_NOPTIONS; i++) {
		if (strcmp(name, defs[i].name) == 0) {
			*out = (enum km_option)i;
			return 0;
		}
	}
	return -1;
}

const char *km_opt_name(enum km_option id)
{
	check_id(id);
	return defs[id].name;
}

const char *km_opt_description(enum km_option id)
{
	check_id(id);
	return defs[id].desc;
}

enum km_option_type km_opt_type(enum km_option id)
{
	check_id(id);
	return defs[id].type;
}

const char *km_opt_default(enum km_option id)
{
	check_id(id);
	return defs[id].def;
}

const char *km_choice_name(enum km_choice c)
{
	if ((unsigned)c >= KM_NCHOICES)
		fatal("keymaps: bad choice %d", (int)c);
	return choices[c].name;
}

char *km_opt_domain(enum km_option id)
{
	struct sbuf b;
	int c;

	check_id(id);
	switch (defs[id].type) {
	case KM_OPT_BOOL:
		return xstrdup("on|off");
	case KM_OPT_INT:
		return xasprintf("%lld..%lld", defs[id].min, defs[id].max);
	case KM_OPT_STRING:
		return xstrdup("text");
	case KM_OPT_COMMAND:
		return xstrdup("command");
	case KM_OPT_ENUM:
		break;
	}
	sb_init(&b);
	for (c = 0; c < KM_NCHOICES; c++) {
		if (choices[c].opt != id)
			continue;
		if (b.len)
			sb_addc(&b, '|');
		sb_adds(&b, choices[c].name);
	}
	return sb_steal(&b);
}

static const char *choice_name_at(size_t i, const void *ctx)
{
	const enum km_option *id = ctx;

	return choices[i].opt == *id ? choices[i].name : "";
}

static int set_enum(struct km_options *o, enum km_option id, const char *value, const char *shown,
                    char **err)
{
	const char *hint;
	char *dom;
	int c;

	for (c = 0; c < KM_NCHOICES; c++) {
		if (choices[c].opt == id && strcasecmp(value, choices[c].name) == 0) {
			o->v[id].c = (enum km_choice)c;
			return 0;
		}
	}
	dom = km_opt_domain(id);
	hint = km_closest(value, KM_NCHOICES, choice_name_at, &id);
	if (hint && *hint)
		*err = xasprintf("%s cannot be \"%s\" — did you mean %s? (one of %s)",
		                 defs[id].name, shown, hint, dom);
	else
		*err = xasprintf("%s cannot be \"%s\" — use one of %s", defs[id].name, shown, dom);
	free(dom);
	return -1;
}

int km_opt_set(struct km_options *o, enum km_option id, const char *value, char **err)
{
	static const char *const yes[] = {"on", "yes", "true", "1"};
	static const char *const no[] = {"off", "no", "false", "0"};
	char *shown;
	long long v;
	size_t i;
	int rc = -1;

	check_id(id);
	*err = NULL;
	shown = util_visible_cut(value, 60);
	switch (defs[id].type) {
	case KM_OPT_BOOL:
		for (i = 0; i < 4; i++) {
			if (strcasecmp(value, yes[i]) == 0 || strcasecmp(value, no[i]) == 0) {
				o->v[id].b = strcasecmp(value, yes[i]) == 0;
				rc = 0;
				goto out;
			}
		}
		*err = xasprintf("%s is on or off, not \"%s\" — write on or off", defs[id].name,
		                 shown);
		goto out;
	case KM_OPT_INT:
		if (util_parse_int(value, defs[id].min, defs[id].max, &v) < 0) {
			*err = xasprintf("%s takes a whole number from %lld to %lld, not \"%s\" — "
			                 "see `lightbox keys --options`",
			                 defs[id].name, defs[id].min, defs[id].max, shown);
			goto out;
		}
		o->v[id].i = v;
		rc = 0;
		goto out;
	case KM_OPT_ENUM:
		rc = set_enum(o, id, value, shown, err);
		goto out;
	case KM_OPT_STRING:
	case KM_OPT_COMMAND:
		break;
	}
	if (!util_text_is_clean(value, strlen(value)) || strchr(value, '\t')) {
		*err = xasprintf("%s cannot hold \"%s\": control characters or invalid UTF-8 — "
		                 "write plain text",
		                 defs[id].name, shown);
		goto out;
	}
	if (defs[id].type == KM_OPT_COMMAND && *value) {
		char **argv = NULL, *why = NULL;

		if (km_argv_template(value, NULL, &argv, &why) < 0) {
			*err = xasprintf("%s \"%s\": %s", defs[id].name, shown, why);
			free(why);
			goto out;
		}
		km_argv_free(&argv);
	}
	free(o->v[id].s);
	o->v[id].s = xstrdup(value);
	rc = 0;
out:
	free(shown);
	return rc;
}

static void check_type(enum km_option id, enum km_option_type t)
{
	check_id(id);
	if (defs[id].type != t && !(t == KM_OPT_STRING && is_string(id)))
		fatal("keymaps: option %s read with the wrong type", defs[id].name);
}

int km_opt_bool(const struct km_options *o, enum km_option id)
{
	check_type(id, KM_OPT_BOOL);
	return o->v[id].b;
}

long long km_opt_int(const struct km_options *o, enum km_option id)
{
	check_type(id, KM_OPT_INT);
	return o->v[id].i;
}

enum km_choice km_opt_choice(const struct km_options *o, enum km_option id)
{
	check_type(id, KM_OPT_ENUM);
	return o->v[id].c;
}

const char *km_opt_string(const struct km_options *o, enum km_option id)
{
	check_type(id, KM_OPT_STRING);
	return o->v[id].s;
}

unsigned long long km_opt_pixel_limit(const struct km_options *o)
{
	return (unsigned long long)km_opt_int(o, KM_O_PIXEL_LIMIT) * 1000000ULL;
}

char *km_opt_format(const struct km_options *o, enum km_option id)
{
	const char *s, *p;
	struct sbuf b;

	check_id(id);
	switch (defs[id].type) {
	case KM_OPT_BOOL:
		return xstrdup(o->v[id].b ? "on" : "off");
	case KM_OPT_INT:
		return xasprintf("%lld", o->v[id].i);
	case KM_OPT_ENUM:
		return xstrdup(choices[o->v[id].c].name);
	case KM_OPT_STRING:
	case KM_OPT_COMMAND:
		break;
	}
	s = o->v[id].s;
	if (*s && !strpbrk(s, " \t\"#\\'"))
		return xstrdup(s);
	sb_init(&b);
	sb_addc(&b, '"');
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addc(&b, '\\');
		sb_addc(&b, *p);
	}
	sb_addc(&b, '"');
	return sb_steal(&b);
}

/* ------------------------------------------------------ argv templates */

static void push_word(char ***v, size_t *n, size_t *cap, struct sbuf *w)
{
	if (*n + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = sb_steal(w);
	(*v)[*n] = NULL;
}

static int is_placeholder(const char *p)
{
	return strncmp(p, "{file}", 6) == 0;
}

int km_argv_template(const char *tmpl, const char *file, char ***argv, char **err)
{
	char **v = NULL, *safe = NULL;
	size_t n = 0, cap = 0;
	struct sbuf w;
	const char *p = tmpl;
	int in_word = 0, used = 0;

	*argv = NULL;
	*err = NULL;
	if (file && file[0] == '-')
		safe = xasprintf("./%s", file);
	sb_init(&w);
	while (*p) {
		char c = *p;

		if (c == ' ' || c == '\t' || c == '\n') {
			if (in_word)
				push_word(&v, &n, &cap, &w);
			in_word = 0;
			p++;
			continue;
		}
		in_word = 1;
		if (is_placeholder(p)) {
			if (file)
				sb_adds(&w, safe ? safe : file);
			else
				sb_adds(&w, "{file}");
			used = 1;
			p += 6;
		} else if (c == '\'' || c == '"') {
			for (p++; *p && *p != c;) {
				if (is_placeholder(p)) {
					sb_adds(&w, file ? (safe ? safe : file) : "{file}");
					used = 1;
					p += 6;
				} else if (c == '"' && *p == '\\' &&
				           (p[1] == '"' || p[1] == '\\')) {
					sb_addc(&w, p[1]);
					p += 2;
				} else {
					sb_addc(&w, *p++);
				}
			}
			if (!*p) {
				*err = xasprintf("unterminated %s quote — close it with %c",
				                 c == '"' ? "double" : "single", c);
				goto fail;
			}
			p++;
		} else if (c == '\\') {
			if (!p[1]) {
				*err = xstrdup("backslash at the end — remove it or write \\\\");
				goto fail;
			}
			sb_addc(&w, p[1]);
			p += 2;
		} else {
			sb_addc(&w, c);
			p++;
		}
	}
	if (in_word)
		push_word(&v, &n, &cap, &w);
	if (n == 0) {
		*err = xstrdup("empty command — give a program, e.g. mpv {file}");
		goto fail;
	}
	if (!used && file) {
		sb_adds(&w, safe ? safe : file);
		push_word(&v, &n, &cap, &w);
	}
	sb_free(&w);
	free(safe);
	*argv = v;
	return 0;
fail:
	sb_free(&w);
	free(safe);
	*argv = v;
	km_argv_free(argv);
	return -1;
}

void km_argv_free(char ***argv)
{
	char **v = *argv;
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
	*argv = NULL;
}
