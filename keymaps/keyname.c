/*
 * keyname.c - key names <-> key codes (the code space is documented in
 * keymaps.h), and the mapping of terminal characters to keys.
 *
 * The syntax follows the habits of vim, tig and NeoMutt (<Name>, C-x,
 * M-x) without their code.
 */
#include "config.h"

#include "keymaps.h"

#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "keymaps-private.h"
#include "util.h"

static const char *const special_names[] = {
        NULL,
#define SPECIAL(id, name) name,
#include "keys.def"
#undef SPECIAL
};

#define NSPECIAL (sizeof special_names / sizeof special_names[0])

/* Other spellings accepted in <...> or bare; never produced. */
static const struct {
	const char *name;
	km_key key;
} aliases[] = {
        {"Return", KM_KEY_ENTER},
        {"CR", KM_KEY_ENTER},
        {"Escape", KM_KEY_ESC},
        {"BS", KM_KEY_BACKSPACE},
        {"Del", KM_KEY_DELETE},
        {"Ins", KM_KEY_INSERT},
        {"PgUp", KM_KEY_PAGEUP},
        {"PgDn", KM_KEY_PAGEDOWN},
        {"PPage", KM_KEY_PAGEUP},
        {"NPage", KM_KEY_PAGEDOWN},
        {"BackTab", KM_MOD_SHIFT | KM_KEY_TAB},
        {"Space", ' '},
        {"lt", '<'},
        {"gt", '>'},
        {"Hash", '#'},
        {"Quote", '"'},
        {"Bslash", '\\'},
        {"Bar", '|'},
        {"Star", '*'},
};

/* Characters whose canonical name is bracketed, so that a canonical name is
 * always one plain word of a config line. */
static const struct {
	uint32_t c;
	const char *name;
} char_names[] = {
        {' ', "<Space>"},
        {'#', "<Hash>"},
        {'"', "<Quote>"},
        {'\\', "<Bslash>"},
};

static int is_key_char(uint32_t c)
{
	return c >= 0x20 && c != 0x7F && !(c >= 0x80 && c <= 0x9F) &&
	       !(c >= 0xD800 && c <= 0xDFFF) && c <= 0x10FFFF;
}

/* The characters C- goes with; C-i, C-j and C-m are <Tab> and <Enter>. */
static int ctrl_char_ok(uint32_t c)
{
	return (c >= 'a' && c <= 'z' && c != 'i' && c != 'j' && c != 'm') || c == ' ' ||
	       c == '\\' || c == ']' || c == '^' || c == '_';
}

int km_key_valid(km_key key)
{
	km_key base = key & KM_KEY_BASE_MASK, mods = key & KM_MOD_MASK;

	if (key & ~(km_key)(KM_KEY_BASE_MASK | KM_MOD_MASK))
		return 0;
	if (base < KM_KEY_SPECIAL_BASE) {
		if (!is_key_char(base) || (mods & KM_MOD_SHIFT))
			return 0;
		return !(mods & KM_MOD_CTRL) || ctrl_char_ok(base);
	}
	return (base > KM_KEY_SPECIAL_BASE && base < KM__SPECIAL_END) ||
	       (base >= KM_KEY_F1 && base <= KM_KEY_F24);
}

static void add_mods(struct sbuf *b, km_key key)
{
	if (key & KM_MOD_CTRL)
		sb_adds(b, "C-");
	if (key & KM_MOD_META)
		sb_adds(b, "M-");
	if (key & KM_MOD_SHIFT)
		sb_adds(b, "S-");
}

const char *km_key_name(km_key key, char buf[KM_KEY_NAME_MAX])
{
	km_key base = key & KM_KEY_BASE_MASK;
	struct sbuf b;
	size_t i;

	if (!km_key_valid(key)) {
		snprintf(buf, KM_KEY_NAME_MAX, "<invalid-%08X>", (unsigned)key);
		return buf;
	}
	sb_init(&b);
	if (base < KM_KEY_SPECIAL_BASE) {
		const char *name = NULL;
		char u[4];

		add_mods(&b, key);
		for (i = 0; i < sizeof char_names / sizeof char_names[0]; i++)
			if (char_names[i].c == base)
				name = char_names[i].name;
		if (name)
			sb_adds(&b, name);
		else
			sb_add(&b, u, util_utf8_encode(base, u));
	} else {
		sb_addc(&b, '<');
		add_mods(&b, key);
		if (base >= KM_KEY_F1)
			sb_addf(&b, "F%u", (unsigned)(base - KM_KEY_F1 + 1));
		else
			sb_adds(&b, special_names[base - KM_KEY_SPECIAL_BASE]);
		sb_addc(&b, '>');
	}
	if (b.len >= KM_KEY_NAME_MAX)
		fatal("km_key_name: name of %08X too long", (unsigned)key);
	memcpy(buf, b.s, b.len + 1);
	sb_free(&b);
	return buf;
}

km_key km_key_from_char(uint32_t c)
{
	switch (c) {
	case 0x00:
		return KM_MOD_CTRL | ' ';
	case 0x09:
		return KM_KEY_TAB;
	case 0x0A:
	case 0x0D:
		return KM_KEY_ENTER;
	case 0x1B:
		return KM_KEY_ESC;
	case 0x1C:
		return KM_MOD_CTRL | '\\';
	case 0x1D:
		return KM_MOD_CTRL | ']';
	case 0x1E:
		return KM_MOD_CTRL | '^';
	case 0x1F:
		return KM_MOD_CTRL | '_';
	case 0x7F:
		return KM_KEY_BACKSPACE;
	}
	if (c >= 0x01 && c <= 0x1A)
		return KM_MOD_CTRL | ('a' + c - 1);
	return is_key_char(c) ? c : KM_KEY_NONE;
}

/* A named key (without brackets): canonical names, aliases, F1..F24. */
static int lookup_name(const char *s, size_t n, km_key *out)
{
	size_t i;

	if (n == 0 || n > 16)
		return -1;
	for (i = 1; i < NSPECIAL; i++) {
		if (strlen(special_names[i]) == n && strncasecmp(s, special_names[i], n) == 0) {
			*out = (km_key)(KM_KEY_SPECIAL_BASE + i);
			return 0;
		}
	}
	for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (strlen(aliases[i].name) == n && strncasecmp(s, aliases[i].name, n) == 0) {
			*out = aliases[i].key;
			return 0;
		}
	}
	if ((s[0] == 'F' || s[0] == 'f') && n >= 2 && n <= 3 && s[1] >= '1' && s[1] <= '9' &&
	    (n == 2 || (s[2] >= '0' && s[2] <= '9'))) {
		unsigned f = (unsigned)(s[1] - '0');

		if (n == 3)
			f = f * 10 + (unsigned)(s[2] - '0');
		if (f >= 1 && f <= 24) {
			*out = (km_key)(KM_KEY_F1 + f - 1);
			return 0;
		}
	}
	return -1;
}

/* For did-you-mean: names and aliases in one list. */
static const char *name_at(size_t i, const void *ctx)
{
	(void)ctx;
	if (i + 1 < NSPECIAL)
		return special_names[i + 1];
	return aliases[i + 1 - NSPECIAL].name;
}

/* Reads modifier prefixes ("C-", "M-", "A-", "S-") at *p into *mods. */
static int parse_mods(const char **p, const char *end, km_key *mods, char **err, const char *shown)
{
	const char *s = *p;

	while (end - s >= 3 && s[1] == '-') {
		km_key m;

		switch (s[0]) {
		case 'C':
		case 'c':
			m = KM_MOD_CTRL;
			break;
		case 'M':
		case 'm':
		case 'A':
		case 'a':
			m = KM_MOD_META;
			break;
		case 'S':
		case 's':
			m = KM_MOD_SHIFT;
			break;
		default:
			*p = s;
			return 0;
		}
		if (*mods & m) {
			*err = xasprintf("key name \"%s\" repeats the modifier %c- — give each of "
			                 "C- M- S- at most once",
			                 shown, s[0]);
			return -1;
		}
		*mods |= m;
		s += 2;
	}
	*p = s;
	return 0;
}

/* One character, or a name; in brackets when bracketed (s..end excludes
 * the brackets). */
static int parse_base(const char *s, const char *end, int bracketed, km_key *out, char **err,
                      const char *shown)
{
	uint32_t cp;
	size_t n = (size_t)(end - s);
	const char *hint;

	if (util_utf8_decode(s, n, &cp) == n && n > 0) {
		*out = cp;
		return 0;
	}
	if (lookup_name(s, n, out) == 0)
		return 0;
	{
		char *word = xstrndup(s, n);

		hint = km_closest(word, NSPECIAL - 1 + sizeof aliases / sizeof aliases[0], name_at,
		                  NULL);
		free(word);
	}
	if (hint) {
		char canon[KM_KEY_NAME_MAX];
		km_key k = 0;

		lookup_name(hint, strlen(hint), &k);
		*err = xasprintf("unknown key name \"%s\" — did you mean %s?", shown,
		                 km_key_name(k, canon));
	} else if (bracketed)
		*err = xasprintf("unknown key name \"%s\" — named keys are <Enter> <Esc> <Tab> "
		                 "<Space> <Up> <PageDown> <F1>..<F24> and the like",
		                 shown);
	else
		*err = xasprintf("unknown key name \"%s\" — write one character (j, G, é), C-x, "
		                 "M-x, F5 or a <Name> such as <Enter>",
		                 shown);
	return -1;
}

static int normalise(km_key base, km_key mods, km_key *out, char **err, const char *shown)
{
	mods |= base & KM_MOD_MASK;
	base &= KM_KEY_BASE_MASK;
	if (base >= KM_KEY_SPECIAL_BASE) {
		*out = base | mods;
		return 0;
	}
	if (mods & KM_MOD_SHIFT) {
		if (base >= 'a' && base <= 'z') {
			base -= 'a' - 'A';
		} else if (!(base >= 'A' && base <= 'Z')) {
			*err = xasprintf("key name \"%s\": S- only goes with named keys (<S-Tab>) "
			                 "— write the shifted character itself",
			                 shown);
			return -1;
		}
		mods &= ~(km_key)KM_MOD_SHIFT;
	}
	if (mods & KM_MOD_CTRL) {
		if (base >= 'A' && base <= 'Z')
			base += 'a' - 'A';
		switch (base) {
		case 'i':
			base = KM_KEY_TAB;
			break;
		case 'm':
		case 'j':
			base = KM_KEY_ENTER;
			break;
		case '[':
			base = KM_KEY_ESC;
			break;
		case '?':
			base = KM_KEY_BACKSPACE;
			break;
		case '@':
			base = ' ';
			break;
		}
		if (base >= KM_KEY_SPECIAL_BASE) {
			*out = base | (mods & ~(km_key)KM_MOD_CTRL);
			return 0;
		}
		if (!ctrl_char_ok(base)) {
			*err = xasprintf("key name \"%s\": a terminal cannot send that control key "
			                 "— C- goes with a letter, <Space>, @ [ \\ ] ^ _ ? or a "
			                 "named key",
			                 shown);
			return -1;
		}
	}
	if (!is_key_char(base)) {
		*err = xasprintf("key name \"%s\" is not a key — write control keys as C-x", shown);
		return -1;
	}
	*out = base | mods;
	return 0;
}

int km_key_parse(const char *name, km_key *out, char **err)
{
	size_t len = strlen(name), i;
	const char *p = name, *end = name + len;
	km_key mods = 0, base = 0;
	char *shown;
	int rc = -1;

	*err = NULL;
	if (len == 0) {
		*err = xstrdup("empty key name — write one character, C-x, M-x or a <Name>");
		return -1;
	}
	shown = util_visible_dup(len > 48 ? "(a very long name)" : name, 0);
	if (len > 48) {
		*err = xasprintf("key name %s — key names are short: j, C-x, <PageDown>", shown);
		goto out;
	}
	if (!util_utf8_valid(name, len)) {
		*err = xasprintf("key name \"%s\" is not valid UTF-8 — save the file as UTF-8",
		                 shown);
		goto out;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7F ||
		    (c == 0xC2 && i + 1 < len && (unsigned char)name[i + 1] >= 0x80 &&
		     (unsigned char)name[i + 1] <= 0x9F)) {
			*err = xasprintf("key name \"%s\" holds a control character — write "
			                 "control keys as C-x or <Name>",
			                 shown);
			goto out;
		}
	}
	if (parse_mods(&p, end, &mods, err, shown) < 0)
		goto out;
	if (end - p >= 3 && p[0] == '<' && end[-1] == '>') {
		const char *q = p + 1, *qend = end - 1;

		if (parse_mods(&q, qend, &mods, err, shown) < 0)
			goto out;
		if (parse_base(q, qend, 1, &base, err, shown) < 0)
			goto out;
	} else if (parse_base(p, end, 0, &base, err, shown) < 0) {
		goto out;
	}
	if (normalise(base, mods, out, err, shown) < 0)
		goto out;
	rc = 0;
out:
	free(shown);
	return rc;
}
