/*
 * fuzz-config.c - libFuzzer target for the config parser (and, on the same
 * input, key names, argv templates and the `:` command line).
 *
 * Built only on request:  make tests/fuzz/fuzz-config   (clang, libFuzzer)
 * Run:  tests/fuzz/fuzz-config -max_total_time=120 CORPUS_DIR
 *
 * Besides crashes and sanitizer reports it checks invariants: a parsed key
 * name round-trips through its canonical name, and no message or listing
 * ever holds a control character.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keymaps/keymaps.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* `source ~/...` and the presets must not reach real files. */
	setenv("HOME", "/nonexistent-lightbox-fuzz", 1);
	setenv("LIGHTBOX_DATADIR", "/nonexistent-lightbox-fuzz", 1);
	return 0;
}

static void check_clean(const char *s, int keep_nl)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && !(keep_nl && c == '\n')) || c == 0x7f)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct km_config *cfg = km_config_new();
	char *s = xstrndup((const char *)data, size), *err = NULL, **argv = NULL;
	char name[KM_KEY_NAME_MAX];
	struct sbuf b;
	km_key k, again;
	size_t i;

	km_config_load_string(cfg, "fuzz", (const char *)data, size);
	for (i = 0; i < km_config_nerrors(cfg); i++)
		check_clean(km_config_error(cfg, i), 0);

	if (km_key_parse(s, &k, &err) == 0) {
		km_key_name(k, name);
		if (km_key_parse(name, &again, &err) != 0 || again != k)
			abort();
	} else {
		check_clean(err, 0);
		free(err);
	}
	if (km_argv_template(s, "/tmp/a b", &argv, &err) == 0)
		km_argv_free(&argv);
	else
		free(err);
	if (km_config_exec(cfg, s, &err) < 0) {
		check_clean(err, 0);
		free(err);
	}

	/* The listings cost more than the parse: only for short inputs, which
	 * are enough to reach every odd binding. */
	if (size <= 256) {
		sb_init(&b);
		km_listing(&b, km_config_keymap(cfg), KM_FMT_TEXT);
		check_clean(b.s, 1);
		sb_reset(&b);
		km_listing(&b, km_config_keymap(cfg), KM_FMT_ROFF);
		km_options_listing(&b, km_config_options(cfg), KM_FMT_TEXT);
		sb_free(&b);
	}
	free(s);
	km_config_free(&cfg);
	return 0;
}
