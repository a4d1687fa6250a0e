/*
 * filter.c - the candidate filter as the user types it and sees it in the
 * status line:
 *
 *     stars>=4 stars<=2 stars=3 flag:pick flag:reject flag:none
 *     tag:NAME curator:NAME backend:NAME unrated selected
 *
 * Terms combine with AND.  A bad term is reported by name with what is
 * accepted; nothing changes then.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

const char *const tfilter_words[] = {
	"stars>=", "stars<=", "stars=", "flag:pick", "flag:reject", "flag:none", "tag:", "curator:",
	"backend:", "unrated", "selected", NULL,
};

void tfilter_clear(struct tfilter *f)
{
	free(f->tag);
	free(f->curator);
	free(f->backend);
	memset(f, 0, sizeof *f);
}

void tfilter_copy(struct tfilter *dst, const struct tfilter *src)
{
	*dst = *src;
	dst->tag = xstrdup(src->tag);
	dst->curator = xstrdup(src->curator);
	dst->backend = xstrdup(src->backend);
}

int tfilter_empty(const struct tfilter *f)
{
	return !f->min_stars && !f->max_stars && !f->has_flag && !f->unrated && !f->selected && !f->tag &&
	       !f->curator && !f->backend;
}

int tfilter_uses_curation(const struct tfilter *f)
{
	return f->min_stars || f->max_stars || f->has_flag || f->unrated || f->selected || f->tag || f->curator;
}

/* lb_filter takes 1..5 (0 means "no filter"), so 0 is refused here. */
static int stars_value(const char *word, const char *v, int *out, char **err)
{
	long long n;

	if (util_parse_int(v, 1, 5, &n) != 0) {
		char *s = util_visible_dup(word, 0);
		*err = xasprintf("'%s': filter on 1 to 5 stars (stars>=4, stars<=2, stars=3; "
				 "'unrated' finds what you have not rated)",
				 s);
		free(s);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int term(struct tfilter *f, const char *w, char **err)
{
	const char *v;
	char *s;
	int n;

	if (strncmp(w, "stars>=", 7) == 0 || strncmp(w, ">=", 2) == 0) {
		if (stars_value(w, w[0] == '>' ? w + 2 : w + 7, &n, err))
			return -1;
		f->min_stars = n;
		f->exact_stars = 0;
		return 0;
	}
	if (strncmp(w, "stars<=", 7) == 0 || strncmp(w, "<=", 2) == 0) {
		if (stars_value(w, w[0] == '<' ? w + 2 : w + 7, &n, err))
			return -1;
		f->max_stars = n;
		f->exact_stars = 0;
		return 0;
	}
	if (strncmp(w, "stars=", 6) == 0) {
		if (stars_value(w, w + 6, &n, err))
			return -1;
		f->min_stars = f->max_stars = n;
		f->exact_stars = 1;
		return 0;
	}
	if (strncmp(w, "flag:", 5) == 0) {
		n = lb_flag_parse(w + 5);
		if (n < 0) {
			s = util_visible_dup(w, 0);
			*err = xasprintf("'%s': the flag is pick, reject or none", s);
			free(s);
			return -1;
		}
		f->has_flag = 1;
		f->flag = n;
		return 0;
	}
	if (strcmp(w, "pick") == 0 || strcmp(w, "picked") == 0 || strcmp(w, "reject") == 0 ||
	    strcmp(w, "rejected") == 0) {
		f->has_flag = 1;
		f->flag = w[0] == 'p' ? LB_FLAG_PICK : LB_FLAG_REJECT;
		return 0;
	}
	if (strncmp(w, "tag:", 4) == 0 || strncmp(w, "curator:", 8) == 0 || strncmp(w, "backend:", 8) == 0) {
		char **slot = w[0] == 't' ? &f->tag : w[0] == 'c' ? &f->curator : &f->backend;
		v = strchr(w, ':') + 1;
		if (*v == '\0') {
			s = util_visible_dup(w, 0);
			*err = xasprintf("'%s' needs a name after the colon", s);
			free(s);
			return -1;
		}
		free(*slot);
		*slot = xstrdup(v);
		return 0;
	}
	if (strcmp(w, "unrated") == 0) {
		f->unrated = 1;
		return 0;
	}
	if (strcmp(w, "selected") == 0) {
		f->selected = 1;
		return 0;
	}
	s = util_visible_dup(w, 0);
	*err = xasprintf("unknown filter term '%s': use stars>=N, stars<=N, stars=N, flag:pick|reject|none, "
			 "tag:NAME, curator:NAME, backend:NAME, unrated, selected (search with /)",
			 s);
	free(s);
	return -1;
}

int tfilter_parse(const char *expr, struct tfilter *out, char **err)
{
	struct tfilter f;
	char *copy = xstrdup(expr ? expr : ""), *w, *save = NULL;

	*err = NULL;
	memset(&f, 0, sizeof f);
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (term(&f, w, err) != 0) {
			tfilter_clear(&f);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (f.min_stars && f.max_stars && f.min_stars > f.max_stars && !f.exact_stars) {
		*err = xasprintf("no stars are >= %d and <= %d", f.min_stars, f.max_stars);
		tfilter_clear(&f);
		return -1;
	}
	tfilter_clear(out);
	*out = f;
	return 0;
}

char *tfilter_format(const struct tfilter *f)
{
	struct sbuf b;

	sb_init(&b);
	if (f->exact_stars && f->min_stars == f->max_stars)
		sb_addf(&b, " stars=%d", f->min_stars);
	else {
		if (f->min_stars)
			sb_addf(&b, " stars>=%d", f->min_stars);
		if (f->max_stars)
			sb_addf(&b, " stars<=%d", f->max_stars);
	}
	if (f->has_flag)
		sb_addf(&b, " flag:%s", lb_flag_name(f->flag));
	if (f->tag)
		sb_addf(&b, " tag:%s", f->tag);
	if (f->curator)
		sb_addf(&b, " curator:%s", f->curator);
	if (f->backend)
		sb_addf(&b, " backend:%s", f->backend);
	if (f->unrated)
		sb_adds(&b, " unrated");
	if (f->selected)
		sb_adds(&b, " selected");
	if (b.len) {
		char *s = xstrdup(b.s + 1);
		sb_free(&b);
		return s;
	}
	return sb_steal(&b);
}

void tfilter_to_lb(const struct tfilter *f, int64_t brief_id, const char *search, struct lb_filter *lb)
{
	memset(lb, 0, sizeof *lb);
	lb->brief_id = brief_id;
	lb->min_stars = f->min_stars;
	lb->max_stars = f->max_stars;
	lb->has_flag = f->has_flag;
	lb->flag = f->flag;
	lb->curator = f->curator;
	lb->unrated = f->unrated;
	lb->tag = f->tag;
	lb->backend = f->backend;
	lb->selected = f->selected;
	lb->search = search;
	/* curator:NAME alone: what NAME rated; with stars or a flag: NAME's. */
	lb->rated = f->curator && !f->min_stars && !f->max_stars && !f->has_flag && !f->unrated;
}
