/*
 * filter.c - the candidate filter as the user types it and sees it in the
 * status line: a query in lightbox's query language (store/query.c), the
 * same as `candidate ls --query` and `export --query`:
 *
 *     stars>=4 (tag:hero OR lora:detail*) -flag:reject created:<7d
 *
 * A bad query is reported with the column of the mistake and what was
 * expected; nothing changes then.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

const char *const *const tfilter_words = lb_query_words;

void tfilter_clear(struct tfilter *f)
{
	free(f->text);
	memset(f, 0, sizeof *f);
}

void tfilter_copy(struct tfilter *dst, const struct tfilter *src)
{
	*dst = *src;
	dst->text = xstrdup(src->text);
}

int tfilter_empty(const struct tfilter *f)
{
	return f->text == NULL;
}

int tfilter_uses_curation(const struct tfilter *f)
{
	return (f->uses & LB_QUERY_CURATION) != 0;
}

int tfilter_parse(const char *expr, struct tfilter *out, char **err)
{
	struct lb_query *q;
	const char *s = expr ? expr : "";
	size_t n;

	*err = NULL;
	if (lb_query_check(s, err) != 0 || lb_query_parse(s, &q, err) != 0)
		return -1;
	tfilter_clear(out);
	out->uses = lb_query_uses(q);
	lb_query_free(q);
	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n)
		out->text = xstrndup(s, n);
	return 0;
}

char *tfilter_format(const struct tfilter *f)
{
	return xstrdup(f->text ? f->text : "");
}

void tfilter_to_lb(const struct tfilter *f, int64_t brief_id, const char *search, struct lb_filter *lb)
{
	memset(lb, 0, sizeof *lb);
	lb->brief_id = brief_id;
	lb->query = f->text;
	lb->search = search;
}

char *tfilter_and(const struct tfilter *f, const char *field, const char *value)
{
	struct sbuf b;
	const char *p;

	sb_init(&b);
	if (f->text)
		sb_addf(&b, strstr(f->text, "OR") ? "(%s) " : "%s ", f->text);
	sb_adds(&b, field);
	if (*value && strcspn(value, " \t\"()\\") == strlen(value)) {
		sb_adds(&b, value);
		return sb_steal(&b);
	}
	sb_addc(&b, '"');
	for (p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addc(&b, '\\');
		sb_addc(&b, *p);
	}
	sb_addc(&b, '"');
	return sb_steal(&b);
}
