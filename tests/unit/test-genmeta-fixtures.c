/*
 * test-genmeta-fixtures.c - checks media_genmeta_from_file() against real
 * outputs of generative tools kept outside the project (shared/fixtures/
 * generators: files plus EXPECTED.json, whose "_README" gives the rules).
 *
 * For every file and every field of its "expected" object (and every key
 * of "extras"), one TAP line.  Rules: strings compare exactly after CRLF
 * -> LF and trimming the whole value; numbers compare by value (7 == 7.0;
 * seeds as decimal text, so 19-digit seeds are exact); null means the
 * field must be absent.  The tool named must appear in "generator"
 * ("none" when nothing must be found).
 *
 * The folder is LIGHTBOX_GENERATOR_FIXTURES, else ../shared/fixtures/
 * generators beside the source tree (or two levels up, for worktrees);
 * when none exists the test prints "ok 1 # SKIP".  Plain TAP, not cmocka:
 * the plan is only known after reading EXPECTED.json.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "media/media.h"
#include "util.h"

static int tap_n, tap_failed;
static struct sbuf tap_out;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sb_addf(&tap_out, "%sok %d - ", ok ? "" : "not ", ++tap_n);
	/* Test names come from files: keep them on one visible line. */
	util_visible(&tap_out, msg, strlen(msg), 0);
	sb_addc(&tap_out, '\n');
	if (!ok)
		tap_failed++;
	free(msg);
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *find_dir(void)
{
	const char *env = getenv("LIGHTBOX_GENERATOR_FIXTURES");
	const char *top = getenv("top_srcdir");
	char *p;

	if (env && *env)
		return is_dir(env) ? xstrdup(env) : NULL;
	if (!top)
		top = ".";
	p = xasprintf("%s/../shared/fixtures/generators", top);
	if (is_dir(p))
		return p;
	free(p);
	p = xasprintf("%s/../../shared/fixtures/generators", top);
	if (is_dir(p))
		return p;
	free(p);
	return NULL;
}

/* The expected text under the comparison rules. */
static char *norm(const char *s)
{
	struct sbuf b;
	size_t n = strlen(s), i;
	const char *ws = " \t\n\r\v\f";

	while (n && strchr(ws, *s)) {
		s++;
		n--;
	}
	while (n && strchr(ws, s[n - 1]))
		n--;
	sb_init(&b);
	for (i = 0; i < n; i++)
		if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
			sb_addc(&b, s[i]);
	return sb_steal(&b);
}

/* JSON values equal under the rules (numbers by value, recursively). */
static int equiv(json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_number(a) && json_is_number(b))
		return fabs(json_number_value(a) - json_number_value(b)) <=
		       1e-9 * (1 + fabs(json_number_value(a)));
	if (json_is_string(a) && json_is_string(b)) {
		char *x = norm(json_string_value(a)), *y = norm(json_string_value(b));
		int eq = !strcmp(x, y);

		free(x);
		free(y);
		return eq;
	}
	if (json_is_array(a) && json_is_array(b)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		json_array_foreach(a, i, v) if (!equiv(v, json_array_get(b, i))) return 0;
		return 1;
	}
	if (json_is_object(a) && json_is_object(b)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach(a, k, v) if (!equiv(v, json_object_get(b, k))) return 0;
		return 1;
	}
	return json_equal(a, b);
}

static char *show(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	char *r = xstrdup(s ? s : "(absent)");

	free(s);
	if (strlen(r) > 200)
		r[200] = 0;
	return r;
}

static void check_value(const char *file, const char *field, json_t *want, json_t *got)
{
	int ok;
	char *w, *g;

	if (json_is_null(want))
		ok = got == NULL || json_is_null(got);
	else
		ok = got && equiv(want, got);
	w = show(want);
	g = show(got);
	if (ok)
		tap(1, "%s: %s", file, field);
	else
		tap(0, "%s: %s: expected %s, got %s", file, field, w, g);
	free(w);
	free(g);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : NULL;
}

static void check_file(const char *dir, const char *file, json_t *entry)
{
	struct media_genmeta *m = NULL;
	json_t *exp = json_object_get(entry, "expected"), *params, *v, *got;
	const char *k, *gen = json_string_value(json_object_get(entry, "generator"));
	char *path = xasprintf("%s/%s", dir, file), *err = NULL;

	if (media_genmeta_from_file(path, MEDIA_GENMETA_NO_SIDECAR, &m, &err) < 0) {
		tap(0, "%s: read: %s", file, err);
		free(err);
		free(path);
		return;
	}
	params = json_loads(m->params_json, 0, NULL);
	tap(params != NULL, "%s: params_json is a JSON object", file);
	if (json_is_null(json_object_get(entry, "metadata_source_used")))
		tap(!media_genmeta_found(m) && !m->tool, "%s: nothing found (negative control)",
		    file);
	else
		tap(m->tool && gen && strstr(gen, m->tool), "%s: tool %s named in \"%s\"", file,
		    m->tool ? m->tool : "(none)", gen ? gen : "?");
	json_object_foreach(exp, k, v)
	{
		if (!strcmp(k, "prompt")) {
			got = str_or_null(m->prompt);
		} else if (!strcmp(k, "negative_prompt")) {
			got = str_or_null(m->negative_prompt);
		} else if (!strcmp(k, "model")) {
			got = str_or_null(m->model);
		} else if (!strcmp(k, "model_hash")) {
			got = str_or_null(m->model_hash);
		} else if (!strcmp(k, "seed")) {
			char buf[32];

			json_t *want;

			snprintf(buf, sizeof buf, "%lld", (long long)m->seed);
			got = m->has_seed ? json_string(buf) : NULL;
			if (json_is_integer(v)) {
				snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT,
				         json_integer_value(v));
				want = json_string(buf);
			} else {
				want = json_incref(v);
			}
			check_value(file, k, want, got);
			json_decref(want);
			json_decref(got);
			continue;
		} else {
			got = json_incref(json_object_get(params, k));
		}
		check_value(file, k, v, got);
		json_decref(got);
	}
	json_object_foreach(json_object_get(entry, "extras"), k, v)
	{
		char *name = xasprintf("extras.%s", k);

		check_value(file, name, v, json_object_get(params, k));
		free(name);
	}
	json_decref(params);
	media_genmeta_free(&m);
	free(path);
}

int main(void)
{
	char *dir = find_dir(), *path;
	json_t *doc, *entry;
	json_error_t e;
	const char *file;

	sb_init(&tap_out);
	if (!dir) {
		printf("1..1\nok 1 # SKIP generator fixtures not found "
		       "(set LIGHTBOX_GENERATOR_FIXTURES to the folder)\n");
		return 0;
	}
	path = xasprintf("%s/EXPECTED.json", dir);
	doc = json_load_file(path, 0, &e);
	if (!doc) {
		printf("1..1\nnot ok 1 - %s: %s\n", path, e.text);
		return 1;
	}
	json_object_foreach(doc, file, entry)
	{
		if (file[0] == '_' || !json_is_object(entry))
			continue;
		check_file(dir, file, entry);
	}
	printf("1..%d\n%s", tap_n, tap_out.s);
	printf("# %d checks, %d failed, fixtures in %s\n", tap_n, tap_failed, dir);
	sb_free(&tap_out);
	json_decref(doc);
	free(path);
	free(dir);
	return 0;
}
