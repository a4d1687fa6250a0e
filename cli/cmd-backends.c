/*
 * cmd-backends.c - lightbox backends [--check] [--json]: the configured
 * backends, what they make, where their key comes from (never the key),
 * and with --check whether each answers.  Also cli_backends_load(), the
 * one place the command line turns the config file's `backend` lines
 * into a registry (through the keymaps config parser).
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "keymaps/keymaps.h"
#include "util.h"

/* The backend definitions of the config file, read by the keymaps
 * module's config parser (which also checks the file's other lines: their
 * errors are shown too, since the file is the same). */
/* Adds "WHERE" (or "WHERE KIND") to a summary list of at most 5. */
static void list_add(struct sbuf *b, size_t *n, const char *where, const char *kind)
{
	if (*n < 5)
		sb_addf(b, "%s%s%s%s", *n ? ", " : "", where, *kind ? " " : "", kind);
	(*n)++;
}

static void list_end(struct sbuf *b, size_t n)
{
	if (n > 5)
		sb_addf(b, ", and %zu more", n - 5);
}

struct backend_registry *cli_backends_load(struct cli *c, int quiet, int *nerrors, char **summary)
{
	struct backend_registry *reg = backend_registry_new();
	struct km_config *cfg = km_config_new();
	char *path = c->config ? xstrdup(c->config) : km_config_default_path();
	struct sbuf defs, lines, files;
	size_t i, ndefs = 0, nlines = 0, nfiles = 0;

	sb_init(&defs);
	sb_init(&lines);
	sb_init(&files);
	*nerrors = 0;
	if (path)
		km_config_load_file(cfg, path, c->config != NULL);
	for (i = 0; i < km_config_nbackends(cfg); i++) {
		const struct km_backend_rec *r = km_config_backend(cfg, i);
		char *err = NULL, *at;

		if (backend_registry_add(reg, r->name, r->nkv, r->keys, r->values, r->file, r->line, &err) < 0) {
			if (!quiet)
				fprintf(stderr, "lightbox: %s\n", err);
			free(err);
			(*nerrors)++;
			at = xasprintf("%s:%d", r->file, r->line);
			list_add(&defs, &ndefs, at, "");
			free(at);
		}
	}
	for (i = 0; i < km_config_nerrors(cfg); i++) {
		const char *kind = km_config_error_kind(cfg, i), *where = km_config_error_where(cfg, i);

		if (!quiet)
			fprintf(stderr, "lightbox: %s\n", km_config_error(cfg, i));
		if (strcmp(kind, "backend") == 0)
			list_add(&defs, &ndefs, where, "");
		else if (*where && strspn(strrchr(where, ':') ? strrchr(where, ':') + 1 : "x", "0123456789") ==
					   strlen(strrchr(where, ':') ? strrchr(where, ':') + 1 : "x"))
			list_add(&lines, &nlines, where, kind);
		else if (*where)
			list_add(&files, &nfiles, where, "");
	}
	list_end(&defs, ndefs);
	list_end(&lines, nlines);
	list_end(&files, nfiles);
	*nerrors += (int)km_config_nerrors(cfg);
	if (summary) {
		struct sbuf b;

		sb_init(&b);
		if (ndefs)
			sb_addf(&b, "%zu bad backend definition%s (%s)", ndefs, ndefs == 1 ? "" : "s", defs.s);
		if (nlines)
			sb_addf(&b, "%s%zu %sbad line%s (%s)", ndefs ? " and " : "", nlines, ndefs ? "other " : "",
				nlines == 1 ? "" : "s", lines.s);
		if (ndefs || nlines)
			sb_addf(&b, " in the config file");
		if (nfiles)
			sb_addf(&b, "%s%zu config file%s could not be read (%s)", ndefs || nlines ? "; " : "", nfiles,
				nfiles == 1 ? "" : "s", files.s);
		if (ndefs || nlines || nfiles)
			sb_addf(&b, " — see above");
		else if (*nerrors)
			sb_addf(&b, "the config file has problems — see above");
		*summary = *nerrors ? sb_steal(&b) : NULL;
		sb_free(&b);
	}
	sb_free(&defs);
	sb_free(&lines);
	sb_free(&files);
	km_config_free(&cfg);
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
	char *summary = NULL;
	long long timeout = 10;

	if (cli_args(c, &argc, argv, "+", opts, help))
		return c->status;
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
	reg = cli_backends_load(c, 0, &nerr, &summary);
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
	if (summary)
		fprintf(stderr, "lightbox: backends: %s\n", summary);
	free(summary);
	return failed || nerr ? CLI_FAIL : CLI_OK;
}
