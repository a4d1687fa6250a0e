/*
 * width.c - display width of UTF-8 text and clipping to a width.
 */
#include "config.h"

#include "util.h"

#include <string.h>
#include <wchar.h>

/* Decodes one UTF-8 sequence; 0 when invalid. */
static size_t decode(const unsigned char *s, size_t n, wchar_t *wc)
{
	mbstate_t ps;
	size_t r;

	memset(&ps, 0, sizeof ps);
	r = mbrtowc(wc, (const char *)s, n, &ps);
	if (r == (size_t)-1 || r == (size_t)-2)
		return 0;
	return r == 0 ? 1 : r;
}

static int cp_width(const unsigned char *s, size_t n, size_t *len)
{
	wchar_t wc;
	int w;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0] < 0x20 || s[0] == 0x7f ? 2 : 1;
	}
	*len = decode(s, n, &wc);
	if (*len == 0) {
		*len = 1;
		return 4;
	}
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int util_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, len;
	int w = 0;

	while (i < n) {
		w += cp_width(s + i, n - i, &len);
		i += len;
	}
	return w;
}

char *util_clip(const char *str, int width)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, len, cut = 0;
	int w = 0, cw;

	if (util_width(str) <= width)
		return xstrdup(str);
	if (width <= 0)
		return xstrdup("");
	while (i < n) {
		cw = cp_width(s + i, n - i, &len);
		if (w + cw > width - 1)
			break;
		w += cw;
		i += len;
		cut = i;
	}
	return xasprintf("%.*s\xe2\x80\xa6", (int)cut, str);
}
