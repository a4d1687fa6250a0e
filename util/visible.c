/*
 * visible.c - turning outside text (prompts, notes, file names, generated
 * text) into something that is safe to draw or print: every control
 * character and every invalid byte becomes a visible token.
 */
#include "config.h"

#include "util.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

void util_visible_marked(struct sbuf *out, const char *str, size_t n, int keep_nl, const char *mask)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, col = 0, len;
	unsigned cp;
	char on = 0;

	while (i < n) {
		len = utf8_len(s + i, n - i, &cp);
		/* A character's visible form is marked whole or not at all. */
		if (mask && mask[i] != on) {
			on = mask[i] != 0;
			sb_addc(out, on ? UTIL_MARK_ON : UTIL_MARK_OFF);
		}
		if (len == 0) {
			sb_addf(out, "\\x%02X", s[i]);
			col += 4;
			i++;
			continue;
		}
		if (cp == '\n' && keep_nl) {
			sb_addc(out, '\n');
			col = 0;
		} else if (cp == '\t' && keep_nl) {
			do {
				sb_addc(out, ' ');
				col++;
			} while (col % 8);
		} else if (cp < 0x20) {
			sb_addc(out, '^');
			sb_addc(out, (char)(cp + 0x40));
			col += 2;
		} else if (cp == 0x7f) {
			sb_adds(out, "^?");
			col += 2;
		} else if (cp >= 0x80 && cp <= 0x9f) {
			sb_addf(out, "<%02x>", cp);
			col += 4;
		} else {
			sb_add(out, s + i, len);
			col++;
		}
		i += len;
	}
	if (on)
		sb_addc(out, UTIL_MARK_OFF);
}

void util_visible(struct sbuf *out, const char *str, size_t n, int keep_nl)
{
	util_visible_marked(out, str, n, keep_nl, NULL);
}

char *util_visible_dup(const char *s, int keep_nl)
{
	struct sbuf b;

	sb_init(&b);
	if (s)
		util_visible(&b, s, strlen(s), keep_nl);
	return sb_steal(&b);
}

char *util_visible_cut(const char *s, size_t max)
{
	struct sbuf b;
	size_t n = strlen(s), keep = n;

	sb_init(&b);
	if (n > max) {
		keep = max;
		while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
			keep--;
	}
	util_visible(&b, s, keep, 0);
	if (keep < n)
		sb_addf(&b, "... (%zu bytes, cut)", n);
	return sb_steal(&b);
}

size_t util_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t util_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	unsigned v;
	size_t len = n ? utf8_len((const unsigned char *)s, n, &v) : 0;

	if (len)
		*cp = v;
	return len;
}

/* 1 when the n bytes at str are valid UTF-8 and, unless controls is set,
 * hold no control character but tab. */
static int utf8_scan(const char *str, size_t n, int controls)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	unsigned cp;

	while (i < n) {
		len = utf8_len(s + i, n - i, &cp);
		if (len == 0)
			return 0;
		if (!controls && ((cp < 0x20 && cp != '\t') || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)))
			return 0;
		i += len;
	}
	return 1;
}

int util_utf8_valid(const char *str, size_t n)
{
	return utf8_scan(str, n, 1);
}

int util_text_is_clean(const char *str, size_t n)
{
	return utf8_scan(str, n, 0);
}
