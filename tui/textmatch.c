/*
 * textmatch.c - the search words of small lists: every word of the search,
 * ASCII case-insensitive, somewhere in the text.
 */
#include "config.h"

#include "tui-private.h"

#include <ctype.h>
#include <stddef.h>

/* Finds needle (ASCII case-insensitive) in hay. */
static int contains(const char *hay, const char *needle, size_t n)
{
	size_t i;

	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i]; i++)
			if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return n == 0;
}

int text_matches(const char *s, const char *words)
{
	const char *p = words, *e;

	if (s == NULL)
		s = "";
	while (*p) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e && *e != ' '; e++)
			;
		if (!contains(s, p, (size_t)(e - p)))
			return 0;
		p = e;
	}
	return 1;
}
