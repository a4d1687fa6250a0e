/*
 * listing.c - the key listing (`lightbox keys`, the man page's KEYS
 * section) and the option reference, as plain text or man(7) source.
 *
 * Per context: every action that belongs there with its keys, unbound
 * ones too (as NeoMutt's help does), in action-table order.  A view's
 * section holds its own actions plus the global actions whose keys differ
 * in that view, so the global ones are not repeated eleven times.
 */
#include "config.h"

#include "keymaps.h"

#include <stdlib.h>
#include <string.h>

#include "keymaps-private.h"
#include "util.h"

enum {
	KEYS_W = 18,   /* key column */
	ACTION_W = 24, /* action column */
};

static const char unbound[] = "(unbound)";

void km_roff_escape(struct sbuf *out, const char *s)
{
	const char *p = s;

	if (*p == '.' || *p == '\'')
		sb_adds(out, "\\&");
	while (*p) {
		uint32_t cp;
		size_t n = util_utf8_decode(p, strlen(p), &cp);

		if (n == 0) {
			sb_adds(out, "\\[uFFFD]");
			p++;
			continue;
		}
		if (cp == '\\')
			sb_adds(out, "\\e");
		else if (cp == '-')
			sb_adds(out, "\\-");
		else if (cp >= 0x80)
			sb_addf(out, "\\[u%04X]", (unsigned)cp);
		else if (cp < 0x20 || cp == 0x7f)
			sb_adds(out, "\\[uFFFD]");
		else
			sb_addc(out, (char)cp);
		p += n;
	}
}

/* Display columns of s, counting each code point as one column. */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void pad(struct sbuf *out, size_t used, size_t width)
{
	while (used++ < width)
		sb_addc(out, ' ');
}

static void text_row(struct sbuf *out, const struct km_row *r)
{
	const char *keys = *r->keys ? r->keys : unbound;
	size_t w = columns(keys);

	sb_adds(out, "  ");
	if (w > KEYS_W) {
		sb_adds(out, keys);
		sb_adds(out, "\n  ");
		w = 0;
	} else {
		sb_adds(out, keys);
	}
	pad(out, w, KEYS_W + 1);
	sb_adds(out, km_action_name(r->action));
	pad(out, strlen(km_action_name(r->action)), ACTION_W);
	sb_adds(out, km_action_description(r->action));
	sb_addc(out, '\n');
}

static void roff_row(struct sbuf *out, const struct km_row *r)
{
	sb_adds(out, ".TP\n");
	if (!*r->keys) {
		sb_adds(out, "\\fI(unbound)\\fR\n");
	} else {
		char *copy = xstrdup(r->keys), *tok, *save = NULL;
		int first = 1;

		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			sb_adds(out, first ? "\\fB" : "\\fR, \\fB");
			km_roff_escape(out, tok);
			first = 0;
		}
		sb_adds(out, "\\fR\n");
		free(copy);
	}
	sb_adds(out, "\\fB");
	km_roff_escape(out, km_action_name(r->action));
	sb_adds(out, "\\fR \\(em ");
	km_roff_escape(out, km_action_description(r->action));
	sb_addc(out, '\n');
}

void km_listing(struct sbuf *out, const struct km_keymap *km, enum km_format fmt)
{
	int c;

	if (fmt == KM_FMT_ROFF) {
		km_roff_escape(out, km_fixed_note);
		sb_adds(out, "\n");
	} else {
		sb_addf(out, "%s\n\n", km_fixed_note);
	}
	for (c = 0; c < KM_NCONTEXTS; c++) {
		enum km_context ctx = (enum km_context)c;
		unsigned flags = KM_ROWS_OWN;
		struct km_row *rows;
		size_t n, i;

		if (ctx != KM_CTX_GLOBAL && ctx != KM_CTX_PROMPT)
			flags |= KM_ROWS_GLOBAL | KM_ROWS_CHANGED;
		n = km_rows(km, ctx, flags, &rows);
		if (fmt == KM_FMT_ROFF) {
			sb_adds(out, ".SS ");
			km_roff_escape(out, km_context_name(ctx));
			sb_addc(out, '\n');
			km_roff_escape(out, km_context_description(ctx));
			sb_adds(out, ".\n");
		} else {
			if (c)
				sb_addc(out, '\n');
			sb_addf(out, "%s — %s\n", km_context_name(ctx),
			        km_context_description(ctx));
		}
		for (i = 0; i < n; i++) {
			if (fmt == KM_FMT_ROFF)
				roff_row(out, &rows[i]);
			else
				text_row(out, &rows[i]);
		}
		km_rows_free(&rows, n);
	}
}

void km_options_listing(struct sbuf *out, const struct km_options *o, enum km_format fmt)
{
	struct km_options *fresh = km_options_new();
	int i;

	for (i = 0; i < KM_NOPTIONS; i++) {
		enum km_option id = (enum km_option)i;
		char *dom = km_opt_domain(id), *now = km_opt_format(o, id);
		char *defq = km_opt_format(fresh, id);
		const char *def = km_opt_default(id);
		if (fmt == KM_FMT_ROFF) {
			sb_adds(out, ".TP\n\\fB");
			km_roff_escape(out, km_opt_name(id));
			sb_adds(out, "\\fR \\fI");
			km_roff_escape(out, dom);
			sb_adds(out, "\\fR\n");
			km_roff_escape(out, km_opt_description(id));
			sb_adds(out, " Default: ");
			km_roff_escape(out, *def ? defq : "empty");
			sb_adds(out, ".");
			if (strcmp(now, defq) != 0) {
				sb_adds(out, " Now: ");
				km_roff_escape(out, now);
				sb_adds(out, ".");
			}
			sb_addc(out, '\n');
		} else {
			sb_addf(out, "  %-20s %s (default %s", km_opt_name(id), dom,
			        *def ? defq : "empty");
			if (strcmp(now, defq) != 0) {
				char *vis = util_visible_dup(now, 0);

				sb_addf(out, ", now %s", vis);
				free(vis);
			}
			sb_addf(out, ")\n  %-20s %s\n", "", km_opt_description(id));
		}
		free(dom);
		free(now);
		free(defq);
	}
	km_options_free(&fresh);
}
