/*
 * sbuf.c - a growable, always NUL-terminated byte buffer.
 */
#include "config.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

static char empty[1];

void sb_init(struct sbuf *b)
{
	b->s = empty;
	b->len = 0;
	b->cap = 0;
}

void sb_free(struct sbuf *b)
{
	if (b->cap)
		free(b->s);
	sb_init(b);
}

void sb_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->cap)
		b->s[0] = '\0';
}

static void grow(struct sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (b->cap == 0) {
		b->s = xmalloc(cap);
		b->s[0] = '\0';
	} else {
		b->s = xrealloc(b->s, cap);
	}
	b->cap = cap;
}

void sb_add(struct sbuf *b, const void *data, size_t n)
{
	if (n == 0)
		return;
	grow(b, n);
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_addc(struct sbuf *b, char c)
{
	grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

void sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *sb_steal(struct sbuf *b)
{
	char *s = b->cap ? b->s : xstrdup("");

	sb_init(b);
	return s;
}
