/*
 * brief-text.c - the text form of a brief for editing in $EDITOR.
 *
 *   # comments
 *   title: hero banner
 *   modality: image
 *   backend: sdxl
 *   params: {"steps": 30}
 *
 *   [prompt]
 *   warm autumn forest, wide
 *   [negative]
 *   ...
 */
#include "config.h"

#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const sections[] = { "prompt", "negative", "constraints", "references" };

char *store_brief_to_text(const struct lb_brief *b)
{
	struct sbuf s;
	const char *body[4];
	int i;

	body[0] = b->f.prompt;
	body[1] = b->f.negative;
	body[2] = b->f.constraints;
	body[3] = b->f.refs;
	sb_init(&s);
	sb_addf(&s, "# lightbox brief %lld, revision %d.\n", (long long)b->id, b->rev);
	sb_adds(&s, "# Edit and save to make a new revision; an unchanged text saves nothing.\n"
		    "# Lines starting with '#' are ignored.  modality: image, text, audio or video.\n"
		    "# params: a JSON object, e.g. {\"steps\": 30, \"width\": 1024}.\n");
	sb_addf(&s, "title: %s\n", b->f.title ? b->f.title : "");
	sb_addf(&s, "modality: %s\n", lb_modality_name(b->f.modality));
	sb_addf(&s, "backend: %s\n", b->f.backend ? b->f.backend : "");
	sb_addf(&s, "params: %s\n", b->f.params && *b->f.params ? b->f.params : "{}");
	for (i = 0; i < 4; i++) {
		sb_addf(&s, "\n[%s]\n", sections[i]);
		if (body[i] && *body[i]) {
			sb_adds(&s, body[i]);
			if (body[i][strlen(body[i]) - 1] != '\n')
				sb_addc(&s, '\n');
		}
	}
	return sb_steal(&s);
}

static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

/* Drops blank lines at both ends of a section's text. */
static char *section_text(struct sbuf *b)
{
	size_t start = 0, end = b->len;

	while (start < end && (b->s[start] == '\n' || b->s[start] == ' '))
		start++;
	while (end > start && (b->s[end - 1] == '\n' || b->s[end - 1] == ' ' || b->s[end - 1] == '\r'))
		end--;
	return xstrndup(b->s + start, end - start);
}

int store_brief_from_text(const char *text, struct lb_brief_fields *f, char **err)
{
	struct sbuf sec[4];
	const char *p = text, *nl, *colon;
	int cur = -1, line = 0, i, rc = 0, seen_title = 0;
	char *key, *val;
	json_t *j;

	memset(f, 0, sizeof *f);
	*err = NULL;
	for (i = 0; i < 4; i++)
		sb_init(&sec[i]);
	while (*p && rc == 0) {
		size_t n;
		line++;
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[0] == '[' && (p[n - 1] == ']' || (n > 1 && p[n - 2] == ']' && p[n - 1] == '\r'))) {
			char *name = trimmed(p + 1, n - 1 - (size_t)(p[n - 1] == '\r') - 1);
			for (cur = 0; cur < 4 && strcmp(name, sections[cur]) != 0; cur++)
				;
			if (cur == 4) {
				*err = xasprintf("line %d: unknown section [%s]; the sections are [prompt], "
						 "[negative], [constraints] and [references]",
						 line, name);
				rc = STORE_EINVAL;
			}
			free(name);
		} else if (n > 0 && p[0] == '#') {
			/* comment */
		} else if (cur >= 0) {
			sb_add(&sec[cur], p, n);
			sb_addc(&sec[cur], '\n');
		} else if (n > 0 && strspn(p, " \t\r") < n) {
			colon = memchr(p, ':', n);
			if (colon == NULL) {
				*err = xasprintf("line %d: expected 'key: value' or a [section]", line);
				rc = STORE_EINVAL;
				break;
			}
			key = trimmed(p, (size_t)(colon - p));
			val = trimmed(colon + 1, n - (size_t)(colon - p) - 1);
			if (strcmp(key, "title") == 0) {
				free(f->title);
				f->title = val;
				seen_title = 1;
				val = NULL;
			} else if (strcmp(key, "modality") == 0) {
				f->modality = lb_modality_parse(val);
				if (f->modality < 0) {
					*err = xasprintf("line %d: modality '%s' is not image, text, audio or video",
							 line, val);
					rc = STORE_EINVAL;
				}
			} else if (strcmp(key, "backend") == 0) {
				free(f->backend);
				f->backend = val;
				val = NULL;
			} else if (strcmp(key, "params") == 0) {
				j = json_loads(*val ? val : "{}", 0, NULL);
				if (j == NULL || !json_is_object(j)) {
					*err = xasprintf("line %d: params must be a JSON object on one line, "
							 "like {\"steps\": 30}",
							 line);
					rc = STORE_EINVAL;
				} else {
					free(f->params);
					f->params = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
				}
				json_decref(j);
			} else {
				*err = xasprintf("line %d: unknown field '%s'; the fields are title, modality, "
						 "backend and params",
						 line, key);
				rc = STORE_EINVAL;
			}
			free(key);
			free(val);
		}
		p = nl ? nl + 1 : p + n;
	}
	if (rc == 0 && (!seen_title || f->title == NULL || *f->title == '\0')) {
		*err = xstrdup("the brief needs a 'title:' line with a title");
		rc = STORE_EINVAL;
	}
	if (rc == 0) {
		f->prompt = section_text(&sec[0]);
		f->negative = section_text(&sec[1]);
		f->constraints = section_text(&sec[2]);
		f->refs = section_text(&sec[3]);
		if (f->params == NULL)
			f->params = xstrdup("{}");
		if (f->backend == NULL)
			f->backend = xstrdup("");
	}
	for (i = 0; i < 4; i++)
		sb_free(&sec[i]);
	if (rc)
		lb_brief_fields_clear(f);
	return rc;
}
