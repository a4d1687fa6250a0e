/*
 * cmd-backends.c - lightbox backends [--check] [--json]: the configured
 * backends, what they make, where their key comes from (never the key),
 * and with --check whether each answers.  Also cli_backends_load(), the
 * one place the command line turns the config file's `backend` lines
 * into a registry.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "util.h"

static char *config_path(struct cli *c, int *explicit)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	*explicit = c->config != NULL;
	if (c->config)
		return xstrdup(c->config);
	if (x && *x)
		return xasprintf("%s/lightbox/config", x);
	if (home && *home)
		return xasprintf("%s/.config/lightbox/config", home);
	return NULL;
}

/* Splits a config line into words: blanks separate, "..." quotes with \"
 * and \\, '#' at the start of a word begins a comment.  -1 on a bad quote. */
static int split_words(const char *s, char ***words, size_t *n)
{
	struct sbuf w;
	size_t cap = 0;

	*words = NULL;
	*n = 0;
	sb_init(&w);
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s || *s == '#')
			break;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
			if (*s != '"') {
				sb_addc(&w, *s++);
				continue;
			}
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				sb_addc(&w, *s);
			}
			if (!*s) {
				sb_free(&w);
				return -1;
			}
			s++;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*words = xrealloc(*words, cap * sizeof **words);
		}
		(*words)[(*n)++] = sb_steal(&w);
	}
	sb_free(&w);
	return 0;
}

/* The minimal reader of `backend` lines, until the keymaps config parser
 * hands records over: everything else in the file is left to that parser
 * (and not checked here; `source` is not followed).  Returns the number
 * of errors, each printed as "lightbox: FILE:LINE: ...". */
static int read_backend_lines(const char *path, struct backend_registry *reg, int quiet)
{
	char *text = NULL, *line, *save = NULL;
	size_t len, i;
	int lineno = 0, errors = 0;

	if (util_read_file(path, (size_t)4 << 20, &text, &len) < 0)
		return -1;
	for (line = text; line; line = save) {
		char **w = NULL, *err = NULL, *eq;
		const char **keys, **vals;
		size_t n = 0;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		if (split_words(line, &w, &n) < 0) {
			if (strncmp(line + strspn(line, " \t"), "backend", 7) == 0) {
				if (!quiet)
					fprintf(stderr, "lightbox: %s:%d: unterminated quote — close the word with \"\n",
						path, lineno);
				errors++;
			}
			continue;
		}
		if (n == 0 || strcmp(w[0], "backend") != 0) {
			for (i = 0; i < n; i++)
				free(w[i]);
			free(w);
			continue;
		}
		keys = xcalloc(n, sizeof *keys);
		vals = xcalloc(n, sizeof *vals);
		for (i = 2; i < n; i++) {
			eq = strchr(w[i], '=');
			if (eq == NULL) {
				char *vis = util_visible_dup(w[i], 0);
				err = xasprintf("%s:%d: backend %s: \"%s\" is not key=value — write e.g. model=NAME", path,
						lineno, w[1], vis);
				free(vis);
				break;
			}
			*eq = '\0';
			keys[i - 2] = w[i];
			vals[i - 2] = eq + 1;
		}
		if (n < 2)
			err = xasprintf("%s:%d: backend takes NAME key=value ... — e.g. backend sdxl type=a1111 "
					"url=http://gpu-box:7860",
					path, lineno);
		if (err == NULL)
			backend_registry_add(reg, w[1], n - 2, keys, vals, path, lineno, &err);
		if (err) {
			char *vis = util_visible_dup(err, 0);
			if (!quiet)
				fprintf(stderr, "lightbox: %s\n", vis);
			free(vis);
			free(err);
			errors++;
		}
		free(keys);
		free(vals);
		for (i = 0; i < n; i++)
			free(w[i]);
		free(w);
	}
	free(text);
	return errors;
}

struct backend_registry *cli_backends_load(struct cli *c, int quiet, int *nerrors)
{
	struct backend_registry *reg = backend_registry_new();
	int explicit, n;
	char *path = config_path(c, &explicit);

	*nerrors = 0;
	if (path == NULL)
		return reg;
	n = read_backend_lines(path, reg, quiet);
	if (n < 0 && (explicit || errno != ENOENT)) {
		if (!quiet)
			fprintf(stderr, "lightbox: cannot read the config file %s: %s\n", path, strerror(errno));
		n = 1;
	}
	*nerrors = n < 0 ? 0 : n;
	free(path);
	return reg;
}

static const char help[] =
	"Usage: lightbox backends [--check [--timeout SECONDS]] [--json]\n"
	"\n"
	"Lists the backends defined in the config file (`backend NAME type=TYPE\n"
	"url=... model=... key-env=VAR ...`) and the built-in one, what each makes,\n"
	"and where its key comes from: the environment variable named by key-env,\n"
	"shown as set or unset, never the key.  --check asks each one whether it\n"
	"answers (one cheap request each, at once) and exits 1 if any does not.\n";

int cmd_backends(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "check", no_argument, NULL, 'c' },
					      { "json", no_argument, NULL, 'j' },
					      { "timeout", required_argument, NULL, 't' },
					      { 0 } };
	static const char *const heads[] = { "NAME", "TYPE", "MAKES", "URL", "MODEL", "KEY", "STATUS" };
	struct backend_registry *reg;
	struct backend_check *chk = NULL;
	size_t nchk = 0, i;
	int o, check = 0, json = 0, nerr, failed = 0;
	long long timeout = 10;

	if (cli_wants_help(argc, argv))
		return cli_help(help);
	optind = 0;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o == 'c')
			check = 1;
		else if (o == 'j')
			json = 1;
		else if (o == 't' && util_parse_int(optarg, 1, 600, &timeout) == 0)
			;
		else
			return cli_usage(c, o == 't' ? "--timeout takes 1 to 600 seconds" : "unknown option");
	}
	if (optind != argc)
		return cli_usage(c, "unexpected argument");
	reg = cli_backends_load(c, 0, &nerr);
	if (check)
		backend_check_all(reg, (long)timeout, &chk, &nchk);
	if (json) {
		json_t *a = json_array();
		for (i = 0; i < backend_registry_count(reg); i++) {
			const struct backend *be = backend_registry_at(reg, i);
			char *makes = backend_modality_list(backend_modalities(be)), *key = backend_key_status(be);
			json_t *o2 = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b}", "name", backend_name(be),
					       "type", backend_type(be), "makes", makes, "url", backend_url(be), "model",
					       backend_model(be), "key_env", backend_key_env(be), "key", key,
					       "concurrency", backend_concurrency(be), "default",
					       be == backend_registry_default(reg));
			if (*backend_file(be))
				json_object_set_new(o2, "defined_at", json_sprintf("%s:%d", backend_file(be),
										  backend_line(be)));
			if (check) {
				json_object_set_new(o2, "ok", json_boolean(chk[i].ok));
				json_object_set_new(o2, "status", json_string(chk[i].message));
			}
			json_array_append_new(a, o2);
			free(makes);
			free(key);
		}
		cli_json_print(a);
	} else {
		struct cli_table *t = cli_table_new(check ? 7 : 6, heads, "lllllll");
		for (i = 0; i < backend_registry_count(reg); i++) {
			const struct backend *be = backend_registry_at(reg, i);
			char *makes = backend_modality_list(backend_modalities(be)), *key = backend_key_status(be);
			char *name = xasprintf("%s%s", backend_name(be), be == backend_registry_default(reg) ? " *" : "");
			const char *cells[7];

			cells[0] = name;
			cells[1] = backend_type(be);
			cells[2] = makes;
			cells[3] = *backend_url(be) ? backend_url(be) : "-";
			cells[4] = *backend_model(be) ? backend_model(be) : "-";
			cells[5] = key;
			cells[6] = check ? (chk[i].ok ? "ok" : "FAILED") : "";
			cli_table_row(t, cells);
			free(makes);
			free(key);
			free(name);
		}
		cli_table_print(t, stdout);
		cli_table_free(&t);
		printf("(* the default backend)\n");
		for (i = 0; i < nchk; i++) {
			char *vis = util_visible_dup(chk[i].message, 0);
			printf("%s: %s\n", backend_name(chk[i].be), vis);
			free(vis);
		}
	}
	for (i = 0; i < nchk; i++)
		if (!chk[i].ok)
			failed++;
	backend_checks_free(&chk, nchk);
	backend_registry_free(&reg);
	if (failed)
		fprintf(stderr, "lightbox: backends: %d backend%s did not answer as expected\n", failed,
			failed == 1 ? "" : "s");
	if (nerr)
		fprintf(stderr, "lightbox: backends: %d bad backend definition%s in the config file (see above)\n",
			nerr, nerr == 1 ? "" : "s");
	return failed || nerr ? CLI_FAIL : CLI_OK;
}
