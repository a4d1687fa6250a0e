/*
 * test-keymaps.c - unit tests of keymaps/: key names and codes, bindings
 * with fallback and reset, the config parser (bad lines, source loops,
 * presets), typed options, the argv-template splitter, and a golden file
 * of the default key listing.
 *
 * Files are made in a fresh temporary folder; the presets and the golden
 * file are read from the source tree ($top_srcdir, else LB_SRCDIR).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "keymaps/keymaps.h"
#include "store/store.h"
#include "util.h"

static char tmpdir[64];

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s && *s ? s : LB_SRCDIR;
}

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/lb-keymaps-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc;

	(void)state;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* Parses name; asserts success and that it formats as canonical. */
static km_key check_name(const char *name, const char *canonical)
{
	char buf[KM_KEY_NAME_MAX], *err = NULL;
	km_key k = 0, again = 0;

	if (km_key_parse(name, &k, &err) != 0)
		fail_msg("\"%s\" did not parse: %s", name, err);
	assert_null(err);
	assert_true(km_key_valid(k));
	km_key_name(k, buf);
	if (strcmp(buf, canonical) != 0)
		fail_msg("\"%s\" formats as \"%s\", expected \"%s\"", name, buf, canonical);
	assert_int_equal(km_key_parse(buf, &again, &err), 0);
	assert_int_equal(again, k);
	return k;
}

static void key_names_parse_and_format(void **state)
{
	static const char *const pairs[][2] = {
	        {"j", "j"},
	        {"G", "G"},
	        {"C-x", "C-x"},
	        {"C-X", "C-x"},
	        {"c-x", "C-x"},
	        {"M-j", "M-j"},
	        {"M-J", "M-J"},
	        {"A-j", "M-j"},
	        {"C-M-x", "C-M-x"},
	        {"M-C-x", "C-M-x"},
	        {"<C-x>", "C-x"},
	        {"<C-M-x>", "C-M-x"},
	        {"F1", "<F1>"},
	        {"f5", "<F5>"},
	        {"<F12>", "<F12>"},
	        {"<F24>", "<F24>"},
	        {"<Space>", "<Space>"},
	        {" ", "<Space>"},
	        {"<Enter>", "<Enter>"},
	        {"<Return>", "<Enter>"},
	        {"<CR>", "<Enter>"},
	        {"<return>", "<Enter>"},
	        {"C-m", "<Enter>"},
	        {"C-j", "<Enter>"},
	        {"<Esc>", "<Esc>"},
	        {"<Escape>", "<Esc>"},
	        {"C-[", "<Esc>"},
	        {"<Tab>", "<Tab>"},
	        {"C-i", "<Tab>"},
	        {"<S-Tab>", "<S-Tab>"},
	        {"S-<Tab>", "<S-Tab>"},
	        {"<BackTab>", "<S-Tab>"},
	        {"<Backspace>", "<Backspace>"},
	        {"<BS>", "<Backspace>"},
	        {"C-?", "<Backspace>"},
	        {"<Delete>", "<Delete>"},
	        {"<Del>", "<Delete>"},
	        {"<Insert>", "<Insert>"},
	        {"<Up>", "<Up>"},
	        {"<down>", "<Down>"},
	        {"<LEFT>", "<Left>"},
	        {"<Right>", "<Right>"},
	        {"<Home>", "<Home>"},
	        {"<End>", "<End>"},
	        {"<PageUp>", "<PageUp>"},
	        {"<PgUp>", "<PageUp>"},
	        {"<PgDn>", "<PageDown>"},
	        {"PageDown", "<PageDown>"},
	        {"Up", "<Up>"},
	        {"<lt>", "<"},
	        {"<", "<"},
	        {">", ">"},
	        {"<gt>", ">"},
	        {"M-<", "M-<"},
	        {"M-<lt>", "M-<"},
	        {"<M-lt>", "M-<"},
	        {"<<>", "<"},
	        {"-", "-"},
	        {"M--", "M--"},
	        {"<->", "-"},
	        {"#", "<Hash>"},
	        {"<hash>", "<Hash>"},
	        {"\"", "<Quote>"},
	        {"\\", "<Bslash>"},
	        {"<Star>", "*"},
	        {"*", "*"},
	        {"C-<Space>", "C-<Space>"},
	        {"C-@", "C-<Space>"},
	        {"M-<Space>", "M-<Space>"},
	        {"<C-Left>", "<C-Left>"},
	        {"C-<Left>", "<C-Left>"},
	        {"<S-M-C-F5>", "<C-M-S-F5>"},
	        {"M-<Enter>", "<M-Enter>"},
	        {"S-a", "A"},
	        {"S-A", "A"},
	        {"C-_", "C-_"},
	        {"\xc3\xa9", "\xc3\xa9"},
	        {"M-\xc3\xa9", "M-\xc3\xa9"},
	        {"\xe6\x97\xa5", "\xe6\x97\xa5"},
	        {"\xf0\x9f\x99\x82", "\xf0\x9f\x99\x82"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		check_name(pairs[i][0], pairs[i][1]);
	assert_int_equal(check_name("j", "j"), 'j');
	assert_int_equal(check_name("G", "G"), 'G');
	assert_int_equal(check_name("C-x", "C-x"), KM_MOD_CTRL | 'x');
	assert_int_equal(check_name("<S-Tab>", "<S-Tab>"), KM_MOD_SHIFT | KM_KEY_TAB);
	assert_int_equal(check_name("F5", "<F5>"), KM_KEY_F1 + 4);
	assert_int_equal(check_name("<PgDn>", "<PageDown>"), KM_KEY_PAGEDOWN);
	assert_int_equal(check_name("M-j", "M-j"), KM_MOD_META | 'j');
}

/* Every valid code round-trips: name -> code -> the same name. */
static void key_codes_round_trip(void **state)
{
	static const km_key mods[] = {0,
	                              KM_MOD_CTRL,
	                              KM_MOD_META,
	                              KM_MOD_SHIFT,
	                              KM_MOD_CTRL | KM_MOD_META,
	                              KM_MOD_CTRL | KM_MOD_SHIFT,
	                              KM_MOD_META | KM_MOD_SHIFT,
	                              KM_MOD_MASK};
	char buf[KM_KEY_NAME_MAX], *err = NULL;
	size_t valid = 0, m;
	km_key base, k, back;

	(void)state;
	for (m = 0; m < sizeof mods / sizeof mods[0]; m++) {
		for (base = 0; base < 0x3000; base++) {
			k = base | mods[m];
			if (!km_key_valid(k))
				continue;
			valid++;
			km_key_name(k, buf);
			if (km_key_parse(buf, &back, &err) != 0)
				fail_msg("%08X named \"%s\" does not parse: %s", (unsigned)k, buf,
				         err);
			assert_int_equal(back, k);
		}
		for (base = KM_KEY_SPECIAL_BASE; base <= KM_KEY_F24 + 1; base++) {
			k = base | mods[m];
			if (!km_key_valid(k))
				continue;
			valid++;
			km_key_name(k, buf);
			assert_int_equal(km_key_parse(buf, &back, &err), 0);
			assert_int_equal(back, k);
		}
	}
	assert_true(valid > 2 * 0x2f00);
	/* Codes a terminal cannot produce are not valid and say so. */
	assert_false(km_key_valid(0x1b));
	assert_false(km_key_valid(0x7f));
	assert_false(km_key_valid(0x9b));
	assert_false(km_key_valid(0xD800));
	assert_false(km_key_valid(KM_MOD_SHIFT | 'a'));
	assert_false(km_key_valid(KM_MOD_CTRL | '1'));
	assert_false(km_key_valid(KM_KEY_SPECIAL_BASE));
	assert_false(km_key_valid(KM_KEY_F24 + 1));
	assert_false(km_key_valid(1u << 30 | 'a'));
	assert_string_equal(km_key_name(0x1b, buf), "<invalid-0000001B>");
}

static void hostile_key_names(void **state)
{
	static const char *const bad[] = {
	        "",
	        "<>",
	        "C-",
	        "M-",
	        "C-C-x",
	        "M-M-x",
	        "C-M-C-x",
	        "<Foo>",
	        "Foo",
	        "jj",
	        "\x1b",
	        "a\x1b",
	        "\x1b[2J",
	        "\x7f",
	        "\xc2\x9b",
	        "\xff",
	        "\xc0\x80",
	        "\xed\xa0\x80",
	        "\xf4\x90\x80\x80",
	        "C-1",
	        "C-/",
	        "S-1",
	        "S-<Space>",
	        "<F25>",
	        "<F0>",
	        "F99",
	        "F1x",
	        "<C->",
	        "<<<>>>",
	        "<\x1b>",
	        "C-\x01",
	        "<Enter",
	        "Enter>",
	        "\xe6\x97",
	        "ab\xc3",
	};
	char long_name[2000], *err = NULL;
	size_t i;
	km_key k;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (km_key_parse(bad[i], &k, &err) == 0)
			fail_msg("bad key name #%zu parsed as %08X", i, (unsigned)k);
		assert_non_null(err);
		assert_true(util_text_is_clean(err, strlen(err)));
		assert_non_null(strstr(err, " — "));
		free(err);
		err = NULL;
	}
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_int_equal(km_key_parse(long_name, &k, &err), -1);
	assert_true(strlen(err) < 200);
	free(err);
	assert_int_equal(km_key_parse("<Pgdown>", &k, &err), -1);
	assert_non_null(strstr(err, "did you mean <PageDown>"));
	free(err);
	assert_int_equal(km_key_parse("<Entr>", &k, &err), -1);
	assert_non_null(strstr(err, "<Enter>"));
	free(err);
}

static void terminal_characters_map_to_keys(void **state)
{
	(void)state;
	assert_int_equal(km_key_from_char('j'), 'j');
	assert_int_equal(km_key_from_char(0x01), KM_MOD_CTRL | 'a');
	assert_int_equal(km_key_from_char(0x08), KM_MOD_CTRL | 'h');
	assert_int_equal(km_key_from_char(0x09), KM_KEY_TAB);
	assert_int_equal(km_key_from_char(0x0a), KM_KEY_ENTER);
	assert_int_equal(km_key_from_char(0x0d), KM_KEY_ENTER);
	assert_int_equal(km_key_from_char(0x1b), KM_KEY_ESC);
	assert_int_equal(km_key_from_char(0x00), KM_MOD_CTRL | ' ');
	assert_int_equal(km_key_from_char(0x1f), KM_MOD_CTRL | '_');
	assert_int_equal(km_key_from_char(0x7f), KM_KEY_BACKSPACE);
	assert_int_equal(km_key_from_char(0x9b), KM_KEY_NONE);
	assert_int_equal(km_key_from_char(0xD800), KM_KEY_NONE);
	assert_int_equal(km_key_from_char(0x110000), KM_KEY_NONE);
	assert_int_equal(km_key_from_char(0x65E5), 0x65E5);
}

static void actions_and_contexts(void **state)
{
	enum km_context c;
	int a, ok = 0;

	(void)state;
	assert_int_equal(km_action_find("move-down"), KM_A_MOVE_DOWN);
	assert_int_equal(km_action_find("none"), KM_A_NONE);
	assert_int_equal(km_action_find("Move-Down"), KM_A_NONE);
	assert_string_equal(km_action_name(KM_A_PROMPT_COMPLETE), "prompt-complete");
	assert_string_equal(km_action_suggest("mvoe-down"), "move-down");
	assert_string_equal(km_action_suggest("rate5"), "rate-5");
	assert_string_equal(km_action_suggest("Regen"), "regenerate");
	assert_null(km_action_suggest("xyzzy-plugh"));
	assert_int_equal(km_context_find("grid", &c), 0);
	assert_int_equal(c, KM_CTX_GRID);
	assert_int_equal(km_context_find("Grid", &c), -1);
	/* Names are unique kebab-case, descriptions fit the listing. */
	for (a = 1; a < KM_NACTIONS; a++) {
		const char *n = km_action_name((enum km_action)a), *p;

		assert_int_equal(km_action_find(n), a);
		for (p = n; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			            *p == '-');
		assert_true(strlen(km_action_description((enum km_action)a)) <= 52);
		assert_true(km_action_contexts((enum km_action)a) != 0);
		ok++;
	}
	assert_true(ok > 90);
	assert_true(km_action_in_context(KM_A_PICK, KM_CTX_CANDIDATES));
	assert_false(km_action_in_context(KM_A_PICK, KM_CTX_PROJECTS));
	assert_true(km_action_in_context(KM_A_QUIT, KM_CTX_HELP));
	assert_false(km_action_in_context(KM_A_QUIT, KM_CTX_PROMPT));
	assert_false(km_action_in_context(KM_A_PICK, KM_CTX_GLOBAL));
	assert_true(km_action_bindable(KM_A_PICK, KM_CTX_GLOBAL));
	assert_false(km_action_bindable(KM_A_PROMPT_ACCEPT, KM_CTX_GLOBAL));
	assert_true(km_action_bindable(KM_A_PROMPT_ACCEPT, KM_CTX_PROMPT));
}

/* The way out no config can take away (issue 12): ':' and the prompt's
 * <Enter> keep their actions through bind, unbind and unbind-all. */
static void fixed_keys_stay(void **state)
{
	struct km_keymap *km = km_keymap_new();
	km_key keys[4];
	char *err = NULL;
	int c;

	(void)state;
	/* An empty keymap still answers them. */
	assert_int_equal(km_lookup(km, KM_CTX_GLOBAL, ':'), KM_A_COMMAND_LINE);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, ':'), KM_A_COMMAND_LINE);
	assert_int_equal(km_lookup(km, KM_CTX_PROMPT, KM_KEY_ENTER), KM_A_PROMPT_ACCEPT);
	/* ':' is text in the prompt, and <Enter> opens things elsewhere. */
	assert_int_equal(km_lookup(km, KM_CTX_PROMPT, ':'), KM_A_NONE);
	assert_int_equal(km_fixed(KM_CTX_CANDIDATES, KM_KEY_ENTER), KM_A_NONE);
	for (c = 0; c < KM_NCONTEXTS; c++) {
		km_key k = c == KM_CTX_PROMPT ? KM_KEY_ENTER : ':';
		enum km_action other = c == KM_CTX_PROMPT ? KM_A_PROMPT_CANCEL : KM_A_HELP;

		assert_int_equal(km_unbind(km, (enum km_context)c, k), KM_E_FIXED);
		if (km_action_bindable(other, (enum km_context)c)) {
			assert_int_equal(km_bind(km, (enum km_context)c, k, other, &err), -1);
			assert_non_null(strstr(err, "the way out no config can take away"));
			xfree(&err);
		}
		/* Binding it to its own action is no change, and allowed. */
		assert_int_equal(km_bind(km, (enum km_context)c, k, km_fixed((enum km_context)c, k), &err), 0);
		km_unbind_all(km, (enum km_context)c);
		assert_int_equal(km_lookup(km, (enum km_context)c, k), km_fixed((enum km_context)c, k));
	}
	/* The listing and the help show them. */
	assert_int_equal(km_keys_for(km, KM_CTX_GLOBAL, KM_A_COMMAND_LINE, keys, 4), 1);
	assert_int_equal(keys[0], ':');
	assert_int_equal(km_keys_for(km, KM_CTX_PROMPT, KM_A_PROMPT_ACCEPT, keys, 4), 1);
	assert_int_equal(keys[0], KM_KEY_ENTER);
	km_keymap_free(&km);
}

static void bind_unbind_fallback_reset(void **state)
{
	struct km_keymap *km = km_keymap_new();
	struct km_row *rows;
	char *err = NULL, *s;
	km_key keys[4];
	size_t n, i;
	int found;

	(void)state;
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, 'j', KM_A_MOVE_DOWN, &err), 0);
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, KM_KEY_DOWN, KM_A_MOVE_DOWN, &err), 0);
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, 'p', KM_A_PICK, &err), 0);
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, 'q', KM_A_BACK, &err), 0);
	assert_int_equal(km_bind(km, KM_CTX_PROMPT, KM_KEY_ENTER, KM_A_PROMPT_ACCEPT, &err), 0);
	km_keymap_save_pristine(km);

	/* Fallback to global, only where the action belongs. */
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'j'), KM_A_MOVE_DOWN);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'p'), KM_A_PICK);
	assert_int_equal(km_lookup(km, KM_CTX_PROJECTS, 'p'), KM_A_NONE);
	assert_int_equal(km_lookup(km, KM_CTX_PROMPT, 'q'), KM_A_NONE);
	assert_int_equal(km_lookup(km, KM_CTX_PROMPT, KM_KEY_ENTER), KM_A_PROMPT_ACCEPT);
	assert_int_equal(km_lookup(km, KM_CTX_GLOBAL, KM_KEY_ENTER), KM_A_NONE);

	/* A view's own binding wins; other views still fall back. */
	assert_int_equal(km_bind(km, KM_CTX_CANDIDATES, 'j', KM_A_MOVE_UP, &err), 0);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'j'), KM_A_MOVE_UP);
	assert_int_equal(km_lookup(km, KM_CTX_GRID, 'j'), KM_A_MOVE_DOWN);

	/* Unbinding in a view blocks the fallback; a second unbind has nothing to do. */
	assert_int_equal(km_unbind(km, KM_CTX_CANDIDATES, 'j'), 0);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'j'), KM_A_NONE);
	assert_int_equal(km_unbind(km, KM_CTX_CANDIDATES, 'j'), -1);
	assert_int_equal(km_unbind(km, KM_CTX_CANDIDATES, 'Z'), -1);
	assert_int_equal(km_unbind(km, KM_CTX_PROJECTS, 'p'), -1);
	assert_int_equal(km_lookup(km, KM_CTX_GRID, 'j'), KM_A_MOVE_DOWN);
	s = km_keys_string(km, KM_CTX_CANDIDATES, KM_A_MOVE_DOWN);
	assert_string_equal(s, "<Down>");
	free(s);

	/* unbind CONTEXT * lets global answer again. */
	km_unbind_all(km, KM_CTX_CANDIDATES);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'j'), KM_A_MOVE_DOWN);

	/* Errors: actions that do not belong, KM_A_NONE, invalid codes. */
	assert_int_equal(km_bind(km, KM_CTX_PROJECTS, 'x', KM_A_PICK, &err), -1);
	assert_non_null(strstr(err, "candidates grid detail"));
	free(err);
	assert_int_equal(km_bind(km, KM_CTX_PROMPT, 'x', KM_A_QUIT, &err), -1);
	assert_non_null(strstr(err, "global"));
	free(err);
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, 'x', KM_A_PROMPT_YANK, &err), -1);
	free(err);
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, 'x', KM_A_NONE, &err), -1);
	free(err);
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, 0x1b, KM_A_QUIT, &err), -1);
	free(err);

	/* Keys of an action, in binding order, own ones and inherited ones. */
	assert_int_equal(km_bind(km, KM_CTX_GRID, 'J', KM_A_MOVE_DOWN, &err), 0);
	n = km_keys_for(km, KM_CTX_GRID, KM_A_MOVE_DOWN, keys, 4);
	assert_int_equal(n, 3);
	assert_int_equal(keys[0], 'j');
	assert_int_equal(keys[1], KM_KEY_DOWN);
	assert_int_equal(keys[2], 'J');
	assert_int_equal(km_keys_for(km, KM_CTX_GRID, KM_A_MOVE_DOWN, keys, 1), 3);
	assert_int_equal(km_keys_for(km, KM_CTX_PROJECTS, KM_A_PICK, keys, 4), 0);

	/* Rows list every action of the context, unbound ones with "". */
	n = km_rows(km, KM_CTX_JOBS, KM_ROWS_OWN | KM_ROWS_GLOBAL, &rows);
	for (i = 0, found = 0; i < n; i++) {
		assert_true(km_action_in_context(rows[i].action, KM_CTX_JOBS));
		if (rows[i].action == KM_A_JOB_CANCEL) {
			assert_string_equal(rows[i].keys, "");
			found++;
		}
		if (rows[i].action == KM_A_MOVE_DOWN) {
			assert_string_equal(rows[i].keys, "j <Down>");
			found++;
		}
	}
	assert_int_equal(found, 2);
	km_rows_free(&rows, n);
	assert_null(rows);
	n = km_rows(km, KM_CTX_GRID, KM_ROWS_GLOBAL | KM_ROWS_CHANGED, &rows);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].action, KM_A_MOVE_DOWN);
	assert_string_equal(rows[0].keys, "j <Down> J");
	km_rows_free(&rows, n);

	/* Reset: one key, one context, everything. */
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, 'p', KM_A_REJECT, &err), 0);
	assert_int_equal(km_bind(km, KM_CTX_GLOBAL, 'q', KM_A_QUIT, &err), 0);
	km_reset(km, KM_CTX_GLOBAL, 'p');
	assert_int_equal(km_lookup(km, KM_CTX_GRID, 'p'), KM_A_PICK);
	assert_int_equal(km_lookup(km, KM_CTX_GRID, 'q'), KM_A_QUIT);
	km_reset(km, KM_CTX_GRID, KM_KEY_NONE);
	assert_int_equal(km_lookup(km, KM_CTX_GRID, 'J'), KM_A_NONE);
	km_reset(km, -1, KM_KEY_NONE);
	assert_int_equal(km_lookup(km, KM_CTX_GRID, 'q'), KM_A_BACK);
	km_keymap_free(&km);
	assert_null(km);
	km_keymap_free(&km);
}

static void default_keys_match_the_file(void **state)
{
	char *path = xasprintf("%s/keymaps/default.keys", srcdir()), *text;
	size_t len;

	(void)state;
	assert_int_equal(util_read_file(path, 1 << 20, &text, &len), 0);
	assert_string_equal(km_default_keys, text);
	free(text);
	free(path);
}

static void default_keymap(void **state)
{
	struct km_config *cfg = km_config_new();
	struct km_keymap *km = km_config_keymap(cfg);

	(void)state;
	assert_int_equal(km_config_nerrors(cfg), 0);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'j'), KM_A_MOVE_DOWN);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_KEY_PAGEDOWN), KM_A_PAGE_DOWN);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, '3'), KM_A_RATE_3);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'p'), KM_A_PICK);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, ' '), KM_A_MARK);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_MOD_CTRL | 'r'), KM_A_REDO);
	assert_int_equal(km_lookup(km, KM_CTX_GRID, 'h'), KM_A_MOVE_LEFT);
	assert_int_equal(km_lookup(km, KM_CTX_BRIEFS, 'h'), KM_A_BACK);
	assert_int_equal(km_lookup(km, KM_CTX_COMPARE, 'h'), KM_A_COMPARE_LEFT);
	assert_int_equal(km_lookup(km, KM_CTX_COMPARE, ' '), KM_A_COMPARE_SKIP);
	assert_int_equal(km_lookup(km, KM_CTX_PROJECTS, 'a'), KM_A_PROJECT_ADD);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'a'), KM_A_PLAY);
	assert_int_equal(km_lookup(km, KM_CTX_BRIEFS, 'e'), KM_A_EDIT_BRIEF);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'e'), KM_A_EDIT_CANDIDATE);
	assert_int_equal(km_lookup(km, KM_CTX_PROMPT, KM_KEY_TAB), KM_A_PROMPT_COMPLETE);
	assert_int_equal(km_lookup(km, KM_CTX_PROMPT, 'j'), KM_A_NONE);
	assert_int_equal(km_lookup(km, KM_CTX_PROJECTS, 'p'), KM_A_NONE);
	km_config_free(&cfg);
	assert_null(cfg);
}

static void presets_parse_cleanly(void **state)
{
	static const char *const presets[] = {"default.keys", "emacs.keys", "cull.keys"};
	struct km_config *cfg;
	struct km_keymap *km;
	size_t i, j;
	char *path;

	(void)state;
	for (i = 0; i < 3; i++) {
		cfg = km_config_new();
		path = xasprintf("%s/keymaps/%s", srcdir(), presets[i]);
		if (km_config_load_file(cfg, path, 1) != 0) {
			for (j = 0; j < km_config_nerrors(cfg); j++)
				print_message("# %s\n", km_config_error(cfg, j));
			fail_msg("%s has errors", presets[i]);
		}
		free(path);
		km = km_config_keymap(cfg);
		if (i == 1) {
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'j'), KM_A_NONE);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_MOD_CTRL | 'n'),
			                 KM_A_MOVE_DOWN);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_MOD_META | '<'),
			                 KM_A_MOVE_TOP);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_MOD_CTRL | '_'),
			                 KM_A_UNDO);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_MOD_META | '_'),
			                 KM_A_REDO);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_MOD_CTRL | 's'),
			                 KM_A_SEARCH);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_MOD_CTRL | 'g'),
			                 KM_A_BACK);
			assert_int_equal(km_lookup(km, KM_CTX_PROMPT, KM_MOD_CTRL | 'g'),
			                 KM_A_PROMPT_CANCEL);
		}
		if (i == 2) {
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'c'), KM_A_PICK);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'x'), KM_A_REJECT);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 's'), KM_A_MOVE_DOWN);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, '`'), KM_A_RATE_0);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'q'), KM_A_UNDO);
			assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'p'), KM_A_NONE);
			assert_int_equal(km_lookup(km, KM_CTX_GRID, 'd'), KM_A_MOVE_RIGHT);
			assert_int_equal(km_lookup(km, KM_CTX_GRID, 'l'), KM_A_NONE);
			assert_int_equal(km_lookup(km, KM_CTX_PROJECTS, 'q'), KM_A_BACK);
			assert_int_equal(km_lookup(km, KM_CTX_PROJECTS, 'j'), KM_A_MOVE_DOWN);
		}
		km_config_free(&cfg);
	}

	/* `source NAME.keys` finds the shipped presets. */
	setenv("LIGHTBOX_DATADIR", srcdir(), 1);
	cfg = km_config_new();
	path = write_tmp("uses-preset", "source cull.keys\n");
	assert_int_equal(km_config_load_file(cfg, path, 1), 0);
	assert_int_equal(km_lookup(km_config_keymap(cfg), KM_CTX_CANDIDATES, 'c'), KM_A_PICK);
	free(path);
	km_config_free(&cfg);
	unsetenv("LIGHTBOX_DATADIR");
}

/* Asserts that error i is "PATH:LINE: ..." and mentions what. */
static void expect_error(struct km_config *cfg, size_t i, const char *path, int line,
                         const char *what)
{
	char *prefix = xasprintf("%s:%d: ", path, line);
	const char *e;

	if (i >= km_config_nerrors(cfg))
		fail_msg("expected an error for line %d about \"%s\"", line, what);
	e = km_config_error(cfg, i);
	if (strncmp(e, prefix, strlen(prefix)) != 0 || !strstr(e, what) || !strstr(e, " — "))
		fail_msg("error %zu is \"%s\"; expected %s... %s", i, e, prefix, what);
	assert_true(util_text_is_clean(e, strlen(e)));
	free(prefix);
}

static void bad_lines_reported_good_lines_applied(void **state)
{
	static const char text[] =
	        "# a config with good and bad lines\n"                       /* 1 */
	        "bind candidates j mvoe-down\n"                              /* 2 */
	        "bind candidatez j move-down\n"                              /* 3 */
	        "bind candidates <Pgdown> page-down\n"                       /* 4 */
	        "set advance-after-rate maybe\n"                             /* 5 */
	        "set pixel-limt 5\n"                                         /* 6 */
	        "source does-not-exist.keys\n"                               /* 7 */
	        "bind candidates K pick\n"                                   /* 8 */
	        "set poll-interval 250\n"                                    /* 9 */
	        "bind projects p pick\n"                                     /* 10 */
	        "frobnicate the keys\n"                                      /* 11 */
	        "set poll-interval 10\n"                                     /* 12 */
	        "bind grid \"#\" tag\n"                                      /* 13 */
	        "backend sdxl type=a1111 url=http://gpu-box:7860 steps=30\n" /* 14 */
	        "  bind \"candidates\" <F5> zoom   # trailing comment\n"     /* 15 */
	        "set audio-player \"mpv --no-video {file}\"\n"               /* 16 */
	        "set video-player \"mpv 'unterminated {file}\"\n"            /* 17 */
	        "bind candidates \\\n"                                       /* 18 */
	        "   M-x zoom\n"                                              /* 19 */
	        "unbind candidates Z\n"                                      /* 20 */
	        "bind candidates j\n"                                        /* 21 */
	        "bind candidates \x1b[2J pick\n"                             /* 22 */
	        "set preview-mode sixle\n"                                   /* 23 */
	        "bind grid,compare,detail <F6> zoom\r\n"                     /* 24 */
	        "set color=never\n"                                          /* 25 */
	        "set advance-after-rate\n"                                   /* 26 */
	        "set sort stars extra\n"                                     /* 27 */
	        "bind candidates \"unterminated pick\n"                      /* 28 */
	        "backend bad/name type=x\n"                                  /* 29 */
	        "backend ok-name url\n"                                      /* 30 */
	        "unbind candidates x\n"                                      /* 31 */
	        "bind candidates,projects q none\n"                          /* 32 */
	        "set editor \"code --wait\"\n"                               /* 33 */
	        "bind candidates \xff pick\n";                               /* 34 */
	struct km_config *cfg = km_config_new();
	struct km_keymap *km = km_config_keymap(cfg);
	struct km_options *o = km_config_options(cfg);
	const struct km_backend_rec *be;
	char *path = write_tmp("bad.config", text);
	size_t n, i = 0;

	(void)state;
	n = km_config_load_file(cfg, path, 1);
	for (size_t j = 0; j < km_config_nerrors(cfg); j++)
		print_message("# %s\n", km_config_error(cfg, j));
	expect_error(cfg, i++, path, 2, "did you mean move-down?");
	expect_error(cfg, i++, path, 3, "did you mean candidates?");
	expect_error(cfg, i++, path, 4, "did you mean <PageDown>?");
	expect_error(cfg, i++, path, 5, "on or off");
	expect_error(cfg, i++, path, 6, "did you mean pixel-limit?");
	expect_error(cfg, i++, path, 7, "does-not-exist.keys");
	expect_error(cfg, i++, path, 10, "candidates grid detail");
	expect_error(cfg, i++, path, 11, "unknown command");
	expect_error(cfg, i++, path, 12, "50 to 60000");
	expect_error(cfg, i++, path, 17, "unterminated single quote");
	expect_error(cfg, i++, path, 20, "nothing to unbind");
	expect_error(cfg, i++, path, 21, "bind takes CONTEXT KEY ACTION");
	expect_error(cfg, i++, path, 22, "control character");
	expect_error(cfg, i++, path, 23, "did you mean sixel?");
	expect_error(cfg, i++, path, 27, "double quotes");
	expect_error(cfg, i++, path, 28, "unterminated quote");
	expect_error(cfg, i++, path, 29, "backend name");
	expect_error(cfg, i++, path, 30, "key=value");
	expect_error(cfg, i++, path, 34, "UTF-8");
	assert_int_equal(n, i);
	assert_int_equal(km_config_nerrors(cfg), i);

	/* Every good line applied. */
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'K'), KM_A_PICK);
	assert_int_equal(km_opt_int(o, KM_O_POLL_INTERVAL), 250);
	assert_int_equal(km_lookup(km, KM_CTX_GRID, '#'), KM_A_TAG);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_KEY_F1 + 4), KM_A_ZOOM);
	assert_string_equal(km_opt_string(o, KM_O_AUDIO_PLAYER), "mpv --no-video {file}");
	assert_string_equal(km_opt_string(o, KM_O_VIDEO_PLAYER), "mpv {file}");
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, KM_MOD_META | 'x'), KM_A_ZOOM);
	assert_int_equal(km_lookup(km, KM_CTX_COMPARE, KM_KEY_F1 + 5), KM_A_ZOOM);
	assert_int_equal(km_opt_choice(o, KM_O_COLOR), KM_V_COLOR_NEVER);
	assert_int_equal(km_opt_choice(o, KM_O_PREVIEW_MODE), KM_V_PREVIEW_MODE_AUTO);
	assert_true(km_opt_bool(o, KM_O_ADVANCE_AFTER_RATE));
	assert_int_equal(km_opt_choice(o, KM_O_SORT), KM_V_SORT_NEWEST);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'x'), KM_A_NONE);
	assert_int_equal(km_lookup(km, KM_CTX_CANDIDATES, 'q'), KM_A_NONE);
	assert_int_equal(km_lookup(km, KM_CTX_PROJECTS, 'q'), KM_A_NONE);
	assert_int_equal(km_lookup(km, KM_CTX_GRID, 'q'), KM_A_BACK);
	assert_string_equal(km_opt_string(o, KM_O_EDITOR), "code --wait");
	assert_int_equal(km_config_nbackends(cfg), 1);
	be = km_config_backend(cfg, 0);
	assert_string_equal(be->name, "sdxl");
	assert_string_equal(be->file, path);
	assert_int_equal(be->line, 14);
	assert_int_equal(be->nkv, 3);
	assert_string_equal(km_backend_get(be, "type"), "a1111");
	assert_string_equal(km_backend_get(be, "url"), "http://gpu-box:7860");
	assert_string_equal(km_backend_get(be, "steps"), "30");
	assert_null(km_backend_get(be, "model"));

	km_config_clear_errors(cfg);
	assert_int_equal(km_config_nerrors(cfg), 0);
	free(path);
	km_config_free(&cfg);
}

/* `pipe NAME COMMAND ARGS...`: the manual's examples parse into the argv
 * they mean (double quotes, \" inside, '#' and '$' as data); a redefined
 * name replaces the first; bad lines say why. */
static void pipe_lines(void **state)
{
	static const char text[] =
		"pipe gimp    gimp\n"
		"pipe send    sh -c \"rsync -a --partial \\\"$@\\\" gpu-box:/srv/inbox/\" sh\n"
		"pipe upscale sh -c \"for f; do up -i \\\"$f\\\" -o ~/up/${f##*/}; done\" sh\n"
		"pipe gimp    gimp-2.10 --new-instance\n"
		"pipe lonely\n"
		"pipe b@d x\n";
	struct km_config *cfg = km_config_new();
	const struct km_pipe_rec *r;

	(void)state;
	km_config_load_string(cfg, "test", text, strlen(text));
	assert_int_equal(km_config_npipes(cfg), 3);
	r = km_config_pipe(cfg, 0);
	assert_string_equal(r->name, "gimp");
	assert_string_equal(r->argv[0], "gimp-2.10");
	assert_string_equal(r->argv[1], "--new-instance");
	assert_null(r->argv[2]);
	r = km_config_pipe(cfg, 1);
	assert_string_equal(r->argv[0], "sh");
	assert_string_equal(r->argv[1], "-c");
	assert_string_equal(r->argv[2], "rsync -a --partial \"$@\" gpu-box:/srv/inbox/");
	assert_string_equal(r->argv[3], "sh");
	assert_null(r->argv[4]);
	r = km_config_pipe(cfg, 2);
	assert_string_equal(r->argv[2], "for f; do up -i \"$f\" -o ~/up/${f##*/}; done");
	assert_int_equal(km_config_nerrors(cfg), 2);
	assert_non_null(strstr(km_config_error(cfg, 0), "pipe takes NAME COMMAND ARGS"));
	assert_non_null(strstr(km_config_error(cfg, 1), "pipe name"));
	km_config_free(&cfg);
}

static void many_bad_lines_are_capped(void **state)
{
	struct km_config *cfg = km_config_new();
	struct sbuf b;
	size_t i, n;

	(void)state;
	sb_init(&b);
	for (i = 0; i < 500; i++)
		sb_adds(&b, "bind nowhere x quit\n");
	sb_adds(&b, "bind global X quit\n");
	n = km_config_load_string(cfg, "many", b.s, b.len);
	assert_int_equal(n, 500);
	assert_int_equal(km_config_nerrors(cfg), 101);
	assert_string_equal(km_config_error(cfg, 0),
	                    "many:1: unknown context \"nowhere\" — use global, projects, briefs, "
	                    "candidates, grid, detail, selection, jobs, help, compare or prompt "
	                    "(or several, joined by commas)");
	assert_string_equal(km_config_error(cfg, 100), "... and 400 more problems");
	assert_int_equal(km_lookup(km_config_keymap(cfg), KM_CTX_JOBS, 'X'), KM_A_QUIT);
	sb_free(&b);
	km_config_free(&cfg);
}

static void source_paths_loops_and_non_files(void **state)
{
	struct km_config *cfg;
	char *a, *b, *sub, *deep, *top, *fifo, *home, *path;
	size_t i;

	(void)state;
	/* A sources b sources a: the loop is reported, the rest applies. */
	a = write_tmp("a.keys", "bind candidates K pick\nsource b.keys\n");
	b = write_tmp("b.keys", "bind candidates L reject\nsource a.keys\nbind grid L tag\n");
	cfg = km_config_new();
	assert_int_equal(km_config_load_file(cfg, a, 1), 1);
	assert_non_null(strstr(km_config_error(cfg, 0), "b.keys:2: source loop"));
	assert_int_equal(km_lookup(km_config_keymap(cfg), KM_CTX_CANDIDATES, 'L'), KM_A_REJECT);
	assert_int_equal(km_lookup(km_config_keymap(cfg), KM_CTX_GRID, 'L'), KM_A_TAG);
	km_config_free(&cfg);

	/* A file that sources itself. */
	path = write_tmp("self.keys", "source self.keys\n");
	cfg = km_config_new();
	assert_int_equal(km_config_load_file(cfg, path, 1), 1);
	assert_non_null(strstr(km_config_error(cfg, 0), "self.keys:1: source loop"));
	km_config_free(&cfg);
	free(path);

	/* Relative paths start at the including file's folder. */
	sub = xasprintf("%s/sub", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	path = write_tmp("sub/inner.keys", "source ../leaf.keys\n");
	free(path);
	path = write_tmp("leaf.keys", "bind jobs X job-cancel\n");
	free(path);
	top = write_tmp("top.keys", "source sub/inner.keys\n");
	cfg = km_config_new();
	assert_int_equal(km_config_load_file(cfg, top, 1), 0);
	assert_int_equal(km_lookup(km_config_keymap(cfg), KM_CTX_JOBS, 'X'), KM_A_JOB_CANCEL);
	km_config_free(&cfg);
	free(top);

	/* A chain deeper than the limit stops with a message, not a crash. */
	for (i = 0; i < 30; i++) {
		char name[32], body[64];

		snprintf(name, sizeof name, "d%zu.keys", i);
		snprintf(body, sizeof body, "source d%zu.keys\n", i + 1);
		free(write_tmp(name, body));
	}
	free(write_tmp("d30.keys", "bind global Y quit\n"));
	deep = xasprintf("%s/d0.keys", tmpdir);
	cfg = km_config_new();
	assert_int_equal(km_config_load_file(cfg, deep, 1), 1);
	assert_non_null(strstr(km_config_error(cfg, 0), "deeper than 16"));
	km_config_free(&cfg);
	free(deep);

	/* ~ is $HOME; a FIFO or a folder is refused at once (no hang). */
	home = xasprintf("%s/home", tmpdir);
	assert_int_equal(mkdir(home, 0700), 0);
	path = write_tmp("home/mine.keys", "bind global Y quit\n");
	free(path);
	fifo = xasprintf("%s/fifo", tmpdir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	setenv("HOME", home, 1);
	path = write_tmp("tilde.keys", "source ~/mine.keys\nsource fifo\nsource sub\n"
	                               "source \"\"\n");
	cfg = km_config_new();
	assert_int_equal(km_config_load_file(cfg, path, 1), 3);
	assert_int_equal(km_lookup(km_config_keymap(cfg), KM_CTX_HELP, 'Y'), KM_A_QUIT);
	assert_non_null(strstr(km_config_error(cfg, 0), ":2: cannot read"));
	assert_non_null(strstr(km_config_error(cfg, 0), "not a regular file"));
	assert_non_null(strstr(km_config_error(cfg, 1), ":3: cannot read"));
	assert_non_null(strstr(km_config_error(cfg, 2), ":4: cannot read"));
	km_config_free(&cfg);
	free(path);

	/* A file over 1 MiB is refused whole, saying so. */
	{
		char *big = xmalloc((1 << 20) + 2);
		memset(big, '#', (1 << 20) + 1);
		big[(1 << 20) + 1] = '\0';
		path = write_tmp("big.keys", big);
		free(big);
		cfg = km_config_new();
		assert_int_equal(km_config_load_file(cfg, path, 1), 1);
		assert_non_null(strstr(km_config_error(cfg, 0), "larger than 1 MiB"));
		km_config_free(&cfg);
		free(path);
	}

	/* The top file: missing is fine unless it must exist. */
	cfg = km_config_new();
	path = xasprintf("%s/nope", tmpdir);
	assert_int_equal(km_config_load_file(cfg, path, 0), 0);
	assert_int_equal(km_config_load_file(cfg, path, 1), 1);
	assert_non_null(strstr(km_config_error(cfg, 0), "No such file"));
	assert_int_equal(km_config_load_file(cfg, fifo, 0), 1);
	km_config_free(&cfg);
	free(path);

	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	path = km_config_default_path();
	assert_string_equal(path, "/x/conf/lightbox/config");
	free(path);
	unsetenv("XDG_CONFIG_HOME");
	path = km_config_default_path();
	assert_non_null(strstr(path, "/home/.config/lightbox/config"));
	free(path);

	free(fifo);
	free(home);
	free(sub);
	free(a);
	free(b);
}

static void command_line_exec(void **state)
{
	struct km_config *cfg = km_config_new();
	char *err = NULL, *path;

	(void)state;
	assert_int_equal(km_config_exec(cfg, "bind candidates D pick", &err), 0);
	assert_null(err);
	assert_int_equal(km_lookup(km_config_keymap(cfg), KM_CTX_CANDIDATES, 'D'), KM_A_PICK);
	assert_int_equal(km_config_exec(cfg, "bind candidates D pikc", &err), -1);
	assert_string_equal(err, "unknown action \"pikc\" — did you mean pick?");
	free(err);
	assert_int_equal(km_config_exec(cfg, "backend x type=y", &err), -1);
	free(err);
	assert_int_equal(km_config_exec(cfg, "set sync full", &err), 0);
	assert_int_equal(km_opt_choice(km_config_options(cfg), KM_O_SYNC), KM_V_SYNC_FULL);
	assert_int_equal(km_config_exec(cfg, "reset", &err), 0);
	assert_int_equal(km_lookup(km_config_keymap(cfg), KM_CTX_CANDIDATES, 'D'), KM_A_NONE);
	assert_int_equal(km_config_exec(cfg, "   # only a comment", &err), 0);
	path = write_tmp("two-bad.keys", "bind global y zzzz-zzzz\nset nope 1\n");
	free(path);
	path = xasprintf("source %s/two-bad.keys", tmpdir);
	assert_int_equal(km_config_exec(cfg, path, &err), -1);
	assert_non_null(strstr(err, "2 problems"));
	assert_non_null(strstr(err, "two-bad.keys:1:"));
	free(err);
	free(path);
	assert_int_equal(km_config_nerrors(cfg), 2);
	km_config_free(&cfg);
}

static void options_typed_and_validated(void **state)
{
	struct km_options *o = km_options_new();
	char *err = NULL, *s;
	enum km_option id;
	int i;

	(void)state;
	assert_false(km_opt_bool(o, KM_O_ADVANCE_AFTER_RATE));
	assert_false(km_opt_bool(o, KM_O_CONFIRM_QUIT));
	assert_int_equal(km_opt_choice(o, KM_O_PREVIEW_MODE), KM_V_PREVIEW_MODE_AUTO);
	assert_int_equal(km_opt_choice(o, KM_O_SYNC), KM_V_SYNC_NORMAL);
	assert_int_equal(km_opt_choice(o, KM_O_COLOR), KM_V_COLOR_AUTO);
	assert_int_equal(km_opt_int(o, KM_O_POLL_INTERVAL), 500);
	assert_int_equal(km_opt_pixel_limit(o), 100000000ULL);
	assert_string_equal(km_opt_string(o, KM_O_DEFAULT_BACKEND), "builtin");
	assert_string_equal(km_opt_string(o, KM_O_EDITOR), "");

	static const char *const yes[] = {"on", "ON", "yes", "true", "1"};
	static const char *const no[] = {"off", "No", "false", "0"};
	for (i = 0; i < 5; i++) {
		assert_int_equal(km_opt_set(o, KM_O_CONFIRM_QUIT, yes[i], &err), 0);
		assert_true(km_opt_bool(o, KM_O_CONFIRM_QUIT));
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(km_opt_set(o, KM_O_CONFIRM_QUIT, no[i], &err), 0);
		assert_false(km_opt_bool(o, KM_O_CONFIRM_QUIT));
	}
	assert_int_equal(km_opt_set(o, KM_O_CONFIRM_QUIT, "2", &err), -1);
	free(err);
	assert_int_equal(km_opt_set(o, KM_O_PREVIEW_MODE, "SIXEL", &err), 0);
	assert_int_equal(km_opt_choice(o, KM_O_PREVIEW_MODE), KM_V_PREVIEW_MODE_SIXEL);
	assert_int_equal(km_opt_set(o, KM_O_PREVIEW_MODE, "kity", &err), -1);
	assert_non_null(strstr(err, "did you mean kitty?"));
	assert_non_null(strstr(err, "auto|symbols|sixel|kitty|iterm2|none"));
	free(err);
	assert_int_equal(km_opt_choice(o, KM_O_PREVIEW_MODE), KM_V_PREVIEW_MODE_SIXEL);
	assert_int_equal(km_opt_set(o, KM_O_PREVIEW_MODE, "s", &err), -1);
	free(err);
	assert_int_equal(km_opt_set(o, KM_O_PIXEL_LIMIT, "0", &err), -1);
	free(err);
	assert_int_equal(km_opt_set(o, KM_O_PIXEL_LIMIT, "10001", &err), -1);
	free(err);
	assert_int_equal(km_opt_set(o, KM_O_PIXEL_LIMIT, "1e3", &err), -1);
	free(err);
	assert_int_equal(km_opt_set(o, KM_O_PIXEL_LIMIT, "16", &err), 0);
	assert_int_equal(km_opt_pixel_limit(o), 16000000ULL);
	assert_int_equal(km_opt_set(o, KM_O_DEFAULT_BACKEND, "bad\x1b]52;c;x\a", &err), -1);
	assert_true(util_text_is_clean(err, strlen(err)));
	free(err);
	assert_int_equal(km_opt_set(o, KM_O_AUDIO_PLAYER, "mpv \"x", &err), -1);
	free(err);
	assert_int_equal(km_opt_set(o, KM_O_AUDIO_PLAYER, "", &err), 0);

	/* Every option's value formats as text that `set` takes back. */
	assert_int_equal(km_opt_set(o, KM_O_VIDEO_PLAYER, "my \"player\" -x '{file}' \\ # y", &err),
	                 0);
	for (i = 0; i < KM_NOPTIONS; i++) {
		struct km_config *cfg = km_config_new();
		char *line, *again;

		id = (enum km_option)i;
		s = km_opt_format(o, id);
		line = xasprintf("set %s %s", km_opt_name(id), s);
		if (km_config_exec(cfg, line, &err) != 0)
			fail_msg("\"%s\": %s", line, err);
		again = km_opt_format(km_config_options(cfg), id);
		assert_string_equal(again, s);
		free(again);
		free(line);
		free(s);
		km_config_free(&cfg);
	}
	assert_int_equal(km_opt_find("sync", &id), 0);
	assert_int_equal(id, KM_O_SYNC);
	assert_int_equal(km_opt_type(KM_O_SYNC), KM_OPT_ENUM);
	assert_int_equal(km_opt_find("Sync", &id), -1);
	s = km_opt_domain(KM_O_POLL_INTERVAL);
	assert_string_equal(s, "50..60000");
	free(s);
	km_options_free(&o);
	assert_null(o);
}

/* Runs argv and returns what it printed (owned). */
static char *run(char **argv)
{
	int fd[2], status;
	pid_t pid;
	struct sbuf b;
	char buf[256];
	ssize_t r;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	sb_init(&b);
	while ((r = read(fd[0], buf, sizeof buf)) > 0)
		sb_add(&b, buf, (size_t)r);
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return sb_steal(&b);
}

static void argv_templates(void **state)
{
	static const char hostile[] = "a b;$(touch x)|&`id` \"q\" 'z' {file} \\ *\n";
	char **argv = NULL, *err = NULL, *out;

	(void)state;
	assert_int_equal(km_argv_template("aplay -q {file}", "/tmp/a b.wav", &argv, &err), 0);
	assert_string_equal(argv[0], "aplay");
	assert_string_equal(argv[1], "-q");
	assert_string_equal(argv[2], "/tmp/a b.wav");
	assert_null(argv[3]);
	km_argv_free(&argv);
	assert_null(argv);

	assert_int_equal(km_argv_template("mpv", "/x/y.mp4", &argv, &err), 0);
	assert_string_equal(argv[1], "/x/y.mp4");
	assert_null(argv[2]);
	km_argv_free(&argv);

	assert_int_equal(
	        km_argv_template("  p --in={file}  \"{file}\" '{file}' ", "/f g", &argv, &err), 0);
	assert_string_equal(argv[0], "p");
	assert_string_equal(argv[1], "--in=/f g");
	assert_string_equal(argv[2], "/f g");
	assert_string_equal(argv[3], "/f g");
	assert_null(argv[4]);
	km_argv_free(&argv);

	assert_int_equal(km_argv_template("p \"a \\\" b\" c\\ d '\\n' \"\" x", "/f", &argv, &err),
	                 0);
	assert_string_equal(argv[1], "a \" b");
	assert_string_equal(argv[2], "c d");
	assert_string_equal(argv[3], "\\n");
	assert_string_equal(argv[4], "");
	assert_string_equal(argv[5], "x");
	assert_string_equal(argv[6], "/f");
	km_argv_free(&argv);

	assert_int_equal(km_argv_template("p {file}", "-rf", &argv, &err), 0);
	assert_string_equal(argv[1], "./-rf");
	km_argv_free(&argv);

	assert_int_equal(km_argv_template("p {file}", hostile, &argv, &err), 0);
	assert_string_equal(argv[1], hostile);
	assert_null(argv[2]);
	km_argv_free(&argv);

	/* Run for real: printf sees exactly one argument. */
	assert_int_equal(km_argv_template("printf [%s] {file}", hostile, &argv, &err), 0);
	out = run(argv);
	assert_int_equal(strlen(out), strlen(hostile) + 2);
	assert_memory_equal(out + 1, hostile, strlen(hostile));
	free(out);
	km_argv_free(&argv);

	assert_int_equal(km_argv_template("", "/f", &argv, &err), -1);
	assert_null(argv);
	free(err);
	assert_int_equal(km_argv_template(" \t ", "/f", &argv, &err), -1);
	free(err);
	assert_int_equal(km_argv_template("mpv 'x", "/f", &argv, &err), -1);
	assert_non_null(strstr(err, "single quote"));
	free(err);
	assert_int_equal(km_argv_template("mpv \"x", "/f", &argv, &err), -1);
	free(err);
	assert_int_equal(km_argv_template("mpv x\\", "/f", &argv, &err), -1);
	free(err);
	assert_null(argv);
}

static void listing_golden(void **state)
{
	struct km_config *cfg = km_config_new();
	char *golden = xasprintf("%s/tests/unit/keys.golden", srcdir()), *want = NULL;
	struct sbuf b;
	size_t len;
	int a;

	(void)state;
	sb_init(&b);
	km_listing(&b, km_config_keymap(cfg), KM_FMT_TEXT);
	if (getenv("LB_UPDATE_GOLDEN")) {
		assert_int_equal(util_write_atomic(golden, b.s, b.len), 0);
		print_message("# wrote %s\n", golden);
	}
	assert_int_equal(util_read_file(golden, 1 << 20, &want, &len), 0);
	if (len != b.len || memcmp(want, b.s, len) != 0) {
		char cwd[4096];
		FILE *f = fopen("keys.golden.new", "w");

		if (f) {
			fwrite(b.s, 1, b.len, f);
			fclose(f);
		}
		if (!getcwd(cwd, sizeof cwd))
			snprintf(cwd, sizeof cwd, ".");
		print_message(
		        "# the default key listing changed; review it with\n"
		        "#   diff -u %s %s/keys.golden.new\n"
		        "# and if the change is meant, regenerate the golden file with\n"
		        "#   cd %s && LB_UPDATE_GOLDEN=1 top_srcdir=%s ./tests/unit/test-keymaps\n",
		        golden, cwd, cwd, srcdir());
		fail_msg("keys listing differs from %s", golden);
	}
	/* Every action appears somewhere; the text is clean. */
	for (a = 1; a < KM_NACTIONS; a++) {
		char *needle = xasprintf(" %s ", km_action_name((enum km_action)a));

		assert_non_null(strstr(b.s, needle));
		free(needle);
	}
	for (len = 0; len < b.len; len++)
		assert_true((unsigned char)b.s[len] >= 0x20 || b.s[len] == '\n');
	sb_reset(&b);

	/* roff: sections per context, escaped hyphens, no line starting with ' */
	km_listing(&b, km_config_keymap(cfg), KM_FMT_ROFF);
	assert_non_null(strstr(b.s, ".SS global\n"));
	assert_non_null(strstr(b.s, "\\fBmove\\-down\\fR \\(em Move down"));
	assert_non_null(strstr(b.s, "\\fI(unbound)\\fR"));
	assert_null(strstr(b.s, "\n'"));
	sb_reset(&b);
	km_options_listing(&b, km_config_options(cfg), KM_FMT_TEXT);
	assert_non_null(strstr(b.s, "pixel-limit"));
	assert_non_null(strstr(b.s, "1..10000 (default 100)"));
	sb_reset(&b);
	km_options_listing(&b, km_config_options(cfg), KM_FMT_ROFF);
	assert_non_null(strstr(b.s, "\\fBaudio\\-player\\fR"));
	sb_free(&b);
	free(want);
	free(golden);
	km_config_free(&cfg);
}

/* The interface's queue and `lightbox conflicts` dispute by the same
 * default thresholds. */
static void dispute_defaults(void **state)
{
	struct km_config *cfg = km_config_new();
	struct km_options *o = km_config_options(cfg);

	(void)state;
	assert_int_equal(km_opt_int(o, KM_O_DISPUTE_GAP), LB_DISPUTE_GAP);
	assert_int_equal(km_opt_int(o, KM_O_DISPUTE_BT_GAP), (long long)LB_DISPUTE_BT_GAP);
	km_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(key_names_parse_and_format),
	        cmocka_unit_test(key_codes_round_trip),
	        cmocka_unit_test(hostile_key_names),
	        cmocka_unit_test(terminal_characters_map_to_keys),
	        cmocka_unit_test(actions_and_contexts),
	        cmocka_unit_test(bind_unbind_fallback_reset),
	        cmocka_unit_test(fixed_keys_stay),
	        cmocka_unit_test(default_keys_match_the_file),
	        cmocka_unit_test(default_keymap),
	        cmocka_unit_test(presets_parse_cleanly),
	        cmocka_unit_test(bad_lines_reported_good_lines_applied),
	        cmocka_unit_test(many_bad_lines_are_capped),
	        cmocka_unit_test(source_paths_loops_and_non_files),
	        cmocka_unit_test(command_line_exec),
	        cmocka_unit_test(options_typed_and_validated),
	        cmocka_unit_test(argv_templates),
	        cmocka_unit_test(pipe_lines),
	        cmocka_unit_test(listing_golden),
	        cmocka_unit_test(dispute_defaults),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
