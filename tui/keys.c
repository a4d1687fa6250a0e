/*
 * keys.c - `lightbox keys`: the key listing made by keymaps from the one
 * action table, with the user's bindings applied (the help view shows the
 * same), as text or as man(7) source for the manual's KEYS section.
 */
#include "config.h"

#include "tui.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-private.h"

static const char keys_help[] =
	"Usage: lightbox keys [--man] [--options] [--defaults]\n"
	"\n"
	"Prints every action of every view with the keys that run it, unbound\n"
	"actions too: the same list '?' shows in the interface.\n"
	"\n"
	"  --man       print man(7) source (the manual's KEYS section)\n"
	"  --options   also print the options 'set' takes\n"
	"  --defaults  ignore the config file: the shipped keys\n";

int tui_cmd_keys(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "man", no_argument, NULL, 'm' },
		{ "options", no_argument, NULL, 'o' },
		{ "defaults", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct km_config *cfg;
	struct sbuf out;
	enum km_format fmt = KM_FMT_TEXT;
	char *path;
	size_t i;
	int o, with_options = 0, defaults = 0;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (o) {
		case 'm': fmt = KM_FMT_ROFF; break;
		case 'o': with_options = 1; break;
		case 'd': defaults = 1; break;
		case 'h': fputs(keys_help, stdout); return 0;
		default:
			fprintf(stderr, "lightbox: keys: unknown option; try 'lightbox keys --help'\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lightbox: keys: unexpected argument; try 'lightbox keys --help'\n");
		return 2;
	}
	cfg = km_config_new();
	if (!defaults) {
		path = config ? xstrdup(config) : km_config_default_path();
		if (path)
			km_config_load_file(cfg, path, config != NULL);
		for (i = 0; i < km_config_nerrors(cfg); i++)
			fprintf(stderr, "lightbox: %s\n", km_config_error(cfg, i));
		free(path);
	}
	sb_init(&out);
	km_listing(&out, km_config_keymap(cfg), fmt);
	if (with_options)
		km_options_listing(&out, km_config_options(cfg), fmt);
	fwrite(out.s, 1, out.len, stdout);
	sb_free(&out);
	o = km_config_nerrors(cfg) ? 1 : 0;
	km_config_free(&cfg);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "lightbox: keys: cannot write standard output: %s%s\n", strerror(errno),
			util_write_hint(errno));
		return 1;
	}
	return o;
}
