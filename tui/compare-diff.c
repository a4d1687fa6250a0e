/*
 * compare-diff.c - what tells two candidates' prompts and parameters
 * apart, word by word, for the compare view: the words of one that the
 * other lacks (counted: "red red boat" against "red boat" leaves one
 * "red"), in their order.  Parameters are compared as the words of their
 * JSON text without its quotes ("steps:30"), so a changed value shows on
 * both sides.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

static int sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ',' || ch == ';' ||
	       ch == '{' || ch == '}' || ch == '[' || ch == ']';
}

/* JSON's quotes go: "steps":30 reads steps:30. */
static void unquote(char *w)
{
	char *d = w;

	for (; *w; w++)
		if (*w != '"')
			*d++ = *w;
	*d = '\0';
}

/* The words of s, owned, in order. */
static size_t words(const char *s, char ***out)
{
	size_t n = 0;
	const char *p = s ? s : "", *e;

	*out = NULL;
	while (*p) {
		while (*p && sep(*p))
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e && !sep(*e); e++)
			;
		*out = xrealloc(*out, (n + 1) * sizeof **out);
		(*out)[n] = xstrndup(p, (size_t)(e - p));
		unquote((*out)[n]);
		if (*(*out)[n])
			n++;
		else
			free((*out)[n]);
		p = e;
	}
	return n;
}

void compare_words_only(const char *a, const char *b, struct sbuf *out)
{
	char **wa, **wb;
	size_t na = words(a, &wa), nb = words(b, &wb), i, j;
	unsigned char *used = xcalloc(nb ? nb : 1, 1);

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (!used[j] && strcmp(wa[i], wb[j]) == 0)
				break;
		if (j < nb) {
			used[j] = 1;
			continue;
		}
		sb_addf(out, "%s%s", out->len ? " " : "", wa[i]);
	}
	for (i = 0; i < na; i++)
		free(wa[i]);
	for (j = 0; j < nb; j++)
		free(wb[j]);
	free(wa);
	free(wb);
	free(used);
}
