/*
 * reply.c - parsers for what backends send back, kept free of I/O so the
 * unit tests and the fuzzer (tests/fuzz/fuzz-replies.c) reach them all:
 * base64, what bytes hold (magic numbers, image sizes, truncation), the
 * error shapes of every protocol, Retry-After, the backoff, A1111's
 * info-inside-JSON, ComfyUI's history and Ollama's (ND)JSON text.
 *
 * What bytes hold (and whether they are cut short) is media/'s probe.
 * Formats followed: RFC 4648 (base64); RFC 9110 sections 10.2.3 and
 * 5.6.7 (Retry-After; its HTTP-date is read by curl_getdate).  The
 * reply shapes are those of each backend's public API (see the comment at
 * the top of backend-*.c).
 */
#include "config.h"

#include "backends-private.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "media/media.h"

/* ------------------------------------------------------------ base64 */

/* Value of each byte in base64 (standard and URL-safe alphabets), -1 for
 * others; made once. */
static signed char b64_table[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_init(void)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int i;

	memset(b64_table, -1, sizeof b64_table);
	for (i = 0; i < 64; i++)
		b64_table[(unsigned char)alpha[i]] = (signed char)i;
	b64_table['-'] = 62;
	b64_table['_'] = 63;
}

int bk_b64_decode(const char *s, size_t n, unsigned char **out, size_t *len, char **err)
{
	unsigned char *buf;
	const char *comma;
	uint32_t acc = 0;
	size_t i, o = 0;
	int nacc = 0, pad = 0, v;

	*out = NULL;
	*len = 0;
	if (n > 5 && strncmp(s, "data:", 5) == 0) {
		comma = memchr(s, ',', n < 256 ? n : 256);
		if (comma == NULL) {
			*err = xstrdup("a data: URL without a comma");
			return -1;
		}
		n -= (size_t)(comma + 1 - s);
		s = comma + 1;
	}
	pthread_once(&b64_once, b64_init);
	buf = xmalloc(n / 4 * 3 + 3);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64_table[c];
		if (v < 0 || pad) {
			free(buf);
			*err = xasprintf("the base64 data has %s at byte %zu", v < 0 ? "a character that is not base64"
										   : "data after its padding", i);
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		if (++nacc == 4) {
			buf[o++] = (unsigned char)(acc >> 16);
			buf[o++] = (unsigned char)(acc >> 8);
			buf[o++] = (unsigned char)acc;
			nacc = 0;
			acc = 0;
		}
	}
	if (nacc == 1 || (pad && nacc + pad != 4)) {
		free(buf);
		*err = xstrdup("the base64 data is truncated (it ends in the middle of a group)");
		return -1;
	}
	if (nacc == 2) {
		buf[o++] = (unsigned char)(acc >> 4);
	} else if (nacc == 3) {
		buf[o++] = (unsigned char)(acc >> 10);
		buf[o++] = (unsigned char)(acc >> 2);
	}
	*out = buf;
	*len = o;
	return 0;
}

char *bk_b64_encode(const void *data, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = tbl[v >> 18];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = tbl[(v >> 6) & 63];
		*o++ = tbl[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = tbl[v >> 18];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* ------------------------------------------------------------ sniffing */

int bk_sniff(const unsigned char *d, size_t n, struct bk_sniff *s, char **err)
{
	static const int kinds[] = { [MEDIA_UNKNOWN] = -1, [MEDIA_IMAGE] = LB_IMAGE, [MEDIA_TEXT] = LB_TEXT,
				     [MEDIA_AUDIO] = LB_AUDIO, [MEDIA_VIDEO] = LB_VIDEO };
	struct media_info in;
	int rc = media_probe_mem(d, n, &in, err);

	memset(s, 0, sizeof *s);
	s->kind = in.kind <= MEDIA_VIDEO ? kinds[in.kind] : -1;
	snprintf(s->media_type, sizeof s->media_type, "%s", *in.mime ? in.mime : "application/octet-stream");
	snprintf(s->ext, sizeof s->ext, "%s", *in.ext ? in.ext : "bin");
	s->width = in.width;
	s->height = in.height;
	s->duration = in.duration;
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ error shapes */

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ComfyUI node_errors: {"6": {"errors": [{"message": .., "details": ..}], "class_type": ..}} */
static void node_errors(const json_t *ne, struct sbuf *b)
{
	const char *id;
	json_t *node;

	json_object_foreach ((json_t *)ne, id, node) {
		json_t *errs = json_object_get(node, "errors"), *e0 = json_array_get(errs, 0);
		const char *m = jstr(e0, "message"), *det = jstr(e0, "details");

		sb_addf(b, "%snode %s%s%s%s: %s%s%s", b->len ? "; " : "", id, jstr(node, "class_type") ? " (" : "",
			jstr(node, "class_type") ? jstr(node, "class_type") : "", jstr(node, "class_type") ? ")" : "",
			m ? m : "error", det && *det ? ": " : "", det && *det ? det : "");
		break;
	}
}

char *bk_json_error(const json_t *j)
{
	const json_t *e, *ne, *det;
	struct sbuf b;

	if (!json_is_object(j))
		return NULL;
	sb_init(&b);
	e = json_object_get(j, "error");
	ne = json_object_get(j, "node_errors");
	det = json_object_get(j, "detail");
	if (json_is_string(e)) {
		sb_adds(&b, json_string_value(e));
		if (json_is_string(det) && *json_string_value(det))
			sb_addf(&b, ": %s", json_string_value(det));
		else if (jstr(j, "errors") && *jstr(j, "errors"))
			sb_addf(&b, ": %s", jstr(j, "errors"));
	} else if (json_is_object(e)) {
		const char *m = jstr(e, "message"), *t = jstr(e, "type"), *d = jstr(e, "details");

		sb_adds(&b, m && *m ? m : t ? t : "unspecified error");
		if (d && *d)
			sb_addf(&b, ": %s", d);
	} else if (jstr(j, "object") && strcmp(jstr(j, "object"), "error") == 0) {
		sb_adds(&b, jstr(j, "message") ? jstr(j, "message") : "unspecified error");
	} else if (det && json_object_size(j) == 1) {
		if (json_is_string(det)) {
			sb_adds(&b, json_string_value(det));
		} else if (json_is_array(det)) {
			const json_t *d0 = json_array_get(det, 0), *loc = json_object_get(d0, "loc");
			size_t i;

			sb_adds(&b, jstr(d0, "msg") ? jstr(d0, "msg") : "the request was not valid");
			for (i = 0; i < json_array_size(loc); i++) {
				const json_t *l = json_array_get(loc, i);
				if (json_is_string(l))
					sb_addf(&b, "%s%s", i ? "." : " (at ", json_string_value(l));
				else if (json_is_integer(l))
					sb_addf(&b, "%s%lld", i ? "." : " (at ", (long long)json_integer_value(l));
				if (i + 1 == json_array_size(loc))
					sb_addc(&b, ')');
			}
		}
	}
	if (json_is_object(ne) && json_object_size(ne) > 0)
		node_errors(ne, &b);
	if (b.len == 0) {
		sb_free(&b);
		return NULL;
	}
	return sb_steal(&b);
}

char *bk_body_error(const char *ctype, const char *body, size_t n)
{
	size_t i = 0, end;
	json_t *j;
	char *m;

	if (body == NULL || n == 0)
		return NULL;
	while (i < n && isspace((unsigned char)body[i]))
		i++;
	if (i < n && body[i] == '{') {
		j = json_loadb(body, n, JSON_DISABLE_EOF_CHECK, NULL);
		m = bk_json_error(j);
		json_decref(j);
		if (m)
			return m;
	}
	if (ctype && *ctype && strncmp(ctype, "text/", 5) != 0 && strstr(ctype, "json") == NULL)
		return NULL;
	if (!util_utf8_valid(body, n) || memchr(body, 0, n))
		return NULL;
	if (ctype && strstr(ctype, "html")) {
		/* The <title> of an HTML error page says the most. */
		const char *t = memmem(body, n, "<title>", 7), *te;
		if (t && (te = memmem(t, n - (size_t)(t - body), "</title>", 8)) && te - t - 7 > 0)
			return xstrndup(t + 7, (size_t)(te - t - 7) < 200 ? (size_t)(te - t - 7) : 200);
	}
	end = i;
	while (end < n && body[end] != '\n' && end - i < 200)
		end++;
	if (end == i)
		return NULL;
	return xstrndup(body + i, end - i);
}

/* ------------------------------------------------------------ Retry-After */

int bk_retry_after_parse(const char *v, int64_t now, long *secs)
{
	char buf[64];
	size_t n;
	time_t t;

	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (strspn(buf, "0123456789") == n) {
		long long s = 0;
		size_t i;
		for (i = 0; i < n; i++)
			s = s < 100000000 ? s * 10 + (buf[i] - '0') : s;
		*secs = (long)s;
		return 0;
	}
	/* An HTTP-date in any of its three forms (IMF-fixdate, RFC 850,
	 * asctime), read by libcurl's date parser. */
	t = curl_getdate(buf, NULL);
	if (t == (time_t)-1)
		return -1;
	*secs = (int64_t)t > now ? (long)((int64_t)t - now) : 0;
	return 0;
}

double bk_backoff(int attempt, double base, double cap, double jitter01, long retry_after)
{
	double d = base;
	int i;

	for (i = 1; i < attempt && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	if (jitter01 < 0)
		jitter01 = 0;
	if (jitter01 > 1)
		jitter01 = 1;
	d = d / 2 + d / 2 * jitter01;
	if (retry_after >= 0 && (double)retry_after > d)
		d = (double)retry_after;
	return d;
}

/* ------------------------------------------------------------ A1111 */

void bk_a1111_info_clear(struct bk_a1111_info *i)
{
	json_decref(i->info);
	free(i->seeds);
	memset(i, 0, sizeof *i);
}

int bk_a1111_parse_info(const json_t *reply, struct bk_a1111_info *out, char **err)
{
	const json_t *info = json_object_get(reply, "info"), *seeds, *v;
	json_error_t je;
	size_t i;

	memset(out, 0, sizeof *out);
	if (!json_is_string(info)) {
		*err = xstrdup("the reply has no `info` string (is this an AUTOMATIC1111-compatible server?)");
		return -1;
	}
	out->info = json_loadb(json_string_value(info), json_string_length(info), 0, &je);
	if (!json_is_object(out->info)) {
		*err = xasprintf("the reply's `info` is not a JSON object: %s", out->info ? "wrong type" : je.text);
		bk_a1111_info_clear(out);
		return -1;
	}
	v = json_object_get(out->info, "index_of_first_image");
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 1000)
		out->first = (int)json_integer_value(v);
	seeds = json_object_get(out->info, "all_seeds");
	if (json_is_array(seeds) && json_array_size(seeds) > 0) {
		out->seeds = xcalloc(json_array_size(seeds), sizeof *out->seeds);
		for (i = 0; i < json_array_size(seeds); i++) {
			v = json_array_get(seeds, i);
			if (!json_is_integer(v)) {
				*err = xstrdup("the reply's `info.all_seeds` holds something that is not a seed");
				bk_a1111_info_clear(out);
				return -1;
			}
			out->seeds[out->nseeds++] = json_integer_value(v);
		}
	} else if (json_is_integer(json_object_get(out->info, "seed"))) {
		out->seeds = xmalloc(sizeof *out->seeds);
		out->seeds[0] = json_integer_value(json_object_get(out->info, "seed"));
		out->nseeds = 1;
	}
	out->model = jstr(out->info, "sd_model_name");
	return 0;
}

/* ------------------------------------------------------------ ComfyUI */

void bk_comfy_files_free(struct bk_comfy_file **f, size_t n)
{
	size_t i;

	for (i = 0; *f && i < n; i++) {
		free((*f)[i].filename);
		free((*f)[i].subfolder);
		free((*f)[i].type);
	}
	xfree(f);
}

static int name_safe(const char *s, int allow_slash)
{
	const char *p;

	if (strstr(s, "..") && (strcmp(s, "..") == 0 || strncmp(s, "../", 3) == 0 || strstr(s, "/../") ||
				(strlen(s) >= 3 && strcmp(s + strlen(s) - 3, "/..") == 0)))
		return 0;
	if (!allow_slash && (strchr(s, '/') || strcmp(s, "..") == 0 || strcmp(s, ".") == 0))
		return 0;
	if (*s == '/' || strchr(s, '\\') || strlen(s) > 255)
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static char *exec_error(const json_t *status)
{
	const json_t *msgs = json_object_get(status, "messages");
	size_t i;

	for (i = 0; i < json_array_size(msgs); i++) {
		const json_t *m = json_array_get(msgs, i), *d = json_array_get(m, 1);
		const char *what = json_string_value(json_array_get(m, 0));

		if (what && strcmp(what, "execution_error") == 0) {
			const char *em = jstr(d, "exception_message"), *nt = jstr(d, "node_type");
			return xasprintf("%s%s%s", nt ? nt : "", nt ? ": " : "", em ? em : "execution error");
		}
		if (what && strcmp(what, "execution_interrupted") == 0)
			return xstrdup("the prompt was interrupted on the server");
	}
	return xstrdup("the workflow failed on the server");
}

int bk_comfy_history(const json_t *reply, const char *prompt_id, int *done, struct bk_comfy_file **files,
		     size_t *n, char **err)
{
	const json_t *entry, *outputs, *status, *node;
	const char *nid, *key, *st;
	json_t *list;
	size_t cap = 0, i;

	*done = 0;
	*files = NULL;
	*n = 0;
	if (!json_is_object(reply)) {
		*err = xstrdup("the /history reply is not a JSON object");
		return -1;
	}
	entry = json_object_get(reply, prompt_id);
	if (entry == NULL)
		return 0;
	if (!json_is_object(entry)) {
		*err = xstrdup("the /history entry is not an object");
		return -1;
	}
	status = json_object_get(entry, "status");
	st = jstr(status, "status_str");
	if (st && strcmp(st, "error") == 0) {
		*err = exec_error(status);
		return -1;
	}
	if (json_is_false(json_object_get(status, "completed")) && !st)
		return 0;
	outputs = json_object_get(entry, "outputs");
	if (!json_is_object(outputs)) {
		*err = xstrdup("the /history entry has no outputs");
		return -1;
	}
	*done = 1;
	json_object_foreach ((json_t *)outputs, nid, node) {
		json_object_foreach ((json_t *)node, key, list) {
			if (!json_is_array(list))
				continue;
			for (i = 0; i < json_array_size(list); i++) {
				const json_t *f = json_array_get(list, i);
				const char *fn = jstr(f, "filename"), *sub = jstr(f, "subfolder"), *ty = jstr(f, "type");

				if (fn == NULL)
					continue;
				if (!ty || strcmp(ty, "output") != 0)
					continue;
				if (!name_safe(fn, 0) || *fn == '\0' || (sub && !name_safe(sub, 1))) {
					char *vis = util_visible_dup(name_safe(fn, 0) ? sub : fn, 0);
					*err = xasprintf("the server named an output \"%.80s\" that could escape its "
							 "folder; refusing it", vis);
					free(vis);
					bk_comfy_files_free(files, *n);
					*n = 0;
					return -1;
				}
				if (*n == cap) {
					cap = cap ? cap * 2 : 4;
					*files = xrealloc(*files, cap * sizeof **files);
				}
				(*files)[*n].filename = xstrdup(fn);
				(*files)[*n].subfolder = xstrdup(sub ? sub : "");
				(*files)[*n].type = xstrdup(ty);
				(*n)++;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------ Ollama */

static int ollama_obj(const json_t *o, int chat, struct bk_jscan *js, struct bk_sink *text, char **model,
		      char **err)
{
	const json_t *v;
	struct bk_sink *big;

	if (!json_is_object(o)) {
		*err = xstrdup("a reply line is not a JSON object");
		return -1;
	}
	if (json_object_get(o, "error")) {
		char *m = bk_json_error(o);
		*err = m ? m : xstrdup("the server reported an error");
		return -1;
	}
	v = chat ? json_object_get(json_object_get(o, "message"), "content") : json_object_get(o, "response");
	if (!json_is_string(v))
		v = NULL;
	if (v && (big = bk_jscan_sink(js, v)) != NULL)
		bk_sink_append(text, big);
	else if (v)
		bk_sink_add(text, json_string_value(v), strlen(json_string_value(v)));
	if (jstr(o, "model") && *model == NULL)
		*model = xstrdup(jstr(o, "model"));
	return v ? 1 : 0;
}

int bk_ollama_sink(const char *body, size_t n, int chat, struct bk_jscan *js, struct bk_sink *out, char **model,
		   char **err)
{
	json_error_t je;
	json_t *j;
	size_t pos = 0;
	int got = 0, rc;

	*model = NULL;
	j = json_loadb(body, n, 0, &je);
	if (j) {
		rc = ollama_obj(j, chat, js, out, model, err);
		json_decref(j);
		if (rc < 0)
			goto fail;
		got = rc;
	} else {
		/* NDJSON: one object per line. */
		while (pos < n) {
			const char *nl = memchr(body + pos, '\n', n - pos);
			size_t len = nl ? (size_t)(nl - body - pos) : n - pos;

			if (len > 0 && !(len == 1 && body[pos] == '\r')) {
				j = json_loadb(body + pos, len, 0, &je);
				if (j == NULL) {
					*err = xasprintf("the reply is not JSON: %s", je.text);
					goto fail;
				}
				rc = ollama_obj(j, chat, js, out, model, err);
				json_decref(j);
				if (rc < 0)
					goto fail;
				got |= rc;
			}
			pos += len + 1;
		}
		if (!got && pos == 0) {
			*err = xstrdup("the reply is empty");
			goto fail;
		}
	}
	if (!got) {
		*err = xasprintf("the reply has no %s", chat ? "message.content" : "response text");
		goto fail;
	}
	return 0;
fail:
	xfree(model);
	return -1;
}

int bk_ollama_text(const char *body, size_t n, int chat, char **text, char **model, char **err)
{
	struct bk_sink s;
	int rc;

	*text = NULL;
	bk_sink_init(&s, NULL, n + 1);
	rc = bk_ollama_sink(body, n, chat, NULL, &s, model, err);
	if (rc == 0 && s.path == NULL && !s.err) {
		sb_addc(&s.mem, '\0');
		*text = sb_steal(&s.mem);
	} else if (rc == 0) {
		*err = xstrdup("the text is too long to keep in memory");
		xfree(model);
		rc = -1;
	}
	bk_sink_free(&s);
	return rc;
}

