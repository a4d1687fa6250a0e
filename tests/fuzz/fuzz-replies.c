/*
 * fuzz-replies.c - libFuzzer target for what backends read from outside:
 * reply bodies (base64, the bytes of a file, error shapes of every
 * protocol, A1111's info-inside-JSON, ComfyUI's history, Ollama's
 * (ND)JSON), Retry-After headers, exec argv templates, backend
 * definitions, and the stream paths of long text: the JSON skeleton
 * scanner fed in pieces with tiny spill and inline limits (so strings go
 * to sinks and sinks to files), and UTF-8 checked in pieces.  The first
 * byte picks the reader; the rest is its input.
 *
 * Built only on request:  make tests/fuzz/fuzz-replies   (clang, libFuzzer)
 * Run:  tests/fuzz/fuzz-replies -max_total_time=120 CORPUS_DIR
 *
 * Besides crashes, leaks and sanitizer reports it checks invariants:
 * decoded base64 is never longer than 3/4 of its text, a ComfyUI output
 * accepted never names a path that climbs out, an expanded argv has as
 * many words as its template and carries the prompt whole, a JSON
 * document read through a skeleton gives the same strings byte for byte
 * as jansson, UTF-8 checked in two pieces agrees with the whole.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/backends-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void b64(const char *s, size_t n)
{
	unsigned char *out = NULL;
	size_t len = 0;
	char *err = NULL;

	if (bk_b64_decode(s, n, &out, &len, &err) == 0) {
		if (len > n / 4 * 3 + 3)
			abort();
		free(out);
	} else {
		free(err);
	}
}

static void sniff(const unsigned char *d, size_t n)
{
	struct bk_sniff s;
	char *err = NULL;

	if (bk_sniff(d, n, &s, &err) < 0)
		free(err);
	else if (s.width < 0 || s.height < 0 || s.media_type[0] == '\0')
		abort();
}

static void errors(const char *s, size_t n)
{
	char *m = bk_body_error("application/json", s, n);

	free(m);
	m = bk_body_error("text/html", s, n);
	free(m);
}

static void a1111(const char *s, size_t n)
{
	json_t *j = json_loadb(s, n, 0, NULL);
	struct bk_a1111_info in;
	char *err = NULL;

	if (bk_a1111_parse_info(j, &in, &err) == 0) {
		if (in.first < 0)
			abort();
		bk_a1111_info_clear(&in);
	} else {
		free(err);
	}
	json_decref(j);
}

static void comfy(const char *s, size_t n)
{
	json_t *j = json_loadb(s, n, 0, NULL);
	struct bk_comfy_file *f = NULL;
	char *err = NULL;
	size_t nf = 0, i;
	int done;

	if (j && bk_comfy_history(j, "p1", &done, &f, &nf, &err) == 0) {
		for (i = 0; i < nf; i++)
			if (strchr(f[i].filename, '/') || strcmp(f[i].filename, "..") == 0 ||
			    strncmp(f[i].subfolder, "../", 3) == 0 || f[i].subfolder[0] == '/')
				abort();
		bk_comfy_files_free(&f, nf);
	} else {
		free(err);
	}
	json_decref(j);
}

static void ollama(const char *s, size_t n, int chat)
{
	char *text = NULL, *model = NULL, *err = NULL;

	if (bk_ollama_text(s, n, chat, &text, &model, &err) == 0) {
		free(text);
		free(model);
	} else {
		free(err);
	}
}

static void argv(const char *s)
{
	char **w = NULL, **x, *err = NULL;
	struct bk_argv_vars v;
	size_t nw = 0, nx = 0;

	if (bk_argv_split(s, &w, &err) < 0) {
		free(err);
		return;
	}
	if (bk_argv_check(w, &err) == 0) {
		memset(&v, 0, sizeof v);
		v.prompt = s;
		v.out = "/o";
		x = bk_argv_expand(w, &v);
		while (w[nw])
			nw++;
		while (x[nx])
			nx++;
		if (nw != nx)
			abort();
		if (w[1] && strcmp(w[1], "{prompt}") == 0 && strcmp(x[1], s) != 0)
			abort();
		bk_argv_free(&x);
	} else {
		free(err);
	}
	bk_argv_free(&w);
}

/* "NAME k=v k=v ..." as a definition (never one that reads a file). */
static void definition(char *s)
{
	struct backend_registry *reg = backend_registry_new();
	const char *keys[32], *vals[32];
	char *tok, *save = NULL, *name, *err = NULL;
	size_t n = 0;

	name = strtok_r(s, " ", &save);
	while (name && (tok = strtok_r(NULL, " ", &save)) != NULL && n < 32) {
		char *eq = strchr(tok, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		if (strcmp(tok, "workflow") == 0)
			goto out;
		keys[n] = tok;
		vals[n++] = eq + 1;
	}
	if (name && backend_registry_add(reg, name, n, keys, vals, "fuzz", 1, &err) < 0)
		free(err);
out:
	backend_registry_free(&reg);
}

/* The bytes a sink holds (closed), owned, *n. */
static char *sink_bytes(struct bk_sink *k, size_t *n)
{
	char *out = NULL, *err = NULL;

	if (k->path == NULL) {
		*n = k->mem.len;
		out = xmalloc(*n + 1);
		memcpy(out, k->mem.s ? k->mem.s : "", *n);
		return out;
	}
	if (bk_read_limited(k->path, (size_t)1 << 24, (unsigned char **)&out, n, &err) < 0)
		abort();
	return out;
}

/* Does jansson's reading of v equal the skeleton's (sink or string)? */
static void same_strings(struct bk_jscan *js, const json_t *a, const json_t *b)
{
	struct bk_sink *k;
	const char *key;
	json_t *va;
	size_t i;

	if (json_is_string(a)) {
		char *got;
		size_t n;

		if ((k = bk_jscan_sink(js, b)) != NULL) {
			got = sink_bytes(k, &n);
		} else {
			n = json_string_length(b);
			got = xmalloc(n + 1);
			memcpy(got, json_string_value(b), n);
		}
		if (n != json_string_length(a) || memcmp(got, json_string_value(a), n) != 0)
			abort();
		free(got);
	} else if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			abort();
		for (i = 0; i < json_array_size(a); i++)
			same_strings(js, json_array_get(a, i), json_array_get(b, i));
	} else if (json_is_object(a)) {
		/* A key longer than spill_at is a placeholder in the skeleton:
		 * its value is not found by name, and not compared. */
		json_object_foreach((json_t *)a, key, va)
			if (json_object_get(b, key))
				same_strings(js, va, json_object_get(b, key));
	}
}

/* The skeleton scanner in pieces: the first byte sets the piece size, the
 * spill threshold and the sinks' inline limit (tiny, so files are used). */
static void jscan(const uint8_t *d, size_t n)
{
	static char dir[] = "/tmp/fuzz-replies.XXXXXX";
	static int made;
	struct bk_jscan js;
	size_t piece, i;
	json_t *whole, *skel;

	if (n < 1)
		return;
	if (!made && mkdtemp(dir) == NULL)
		abort();
	made = 1;
	piece = 1 + d[0] % 17;
	bk_jscan_init(&js, dir, 1 << 20, 1 << 20);
	js.spill_at = d[0] % 7;
	js.sink_inline = d[0] % 5;
	d++;
	n--;
	for (i = 0; i < n; i += piece)
		bk_jscan_feed(&js, d + i, n - i < piece ? n - i : piece);
	whole = json_loadb((const char *)d, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (bk_jscan_end(&js) < 0) {
		/* The scanner refuses only what jansson refuses too. */
		if (whole)
			abort();
	} else if (whole) {
		skel = json_loadb(js.out.s ? js.out.s : "", js.out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		if (skel == NULL)
			abort();
		same_strings(&js, whole, skel);
		json_decref(skel);
	}
	json_decref(whole);
	bk_jscan_free(&js);
}

/* UTF-8 checked in two pieces, split where bk_utf8_complete says, agrees
 * with the whole. */
static void utf8_pieces(const uint8_t *d, size_t n)
{
	size_t p, k;

	if (n < 1)
		return;
	p = d[0] % n;
	d++;
	n--;
	if (p > n)
		p = n;
	k = bk_utf8_complete(d, p);
	if (k > p || p - k > 3)
		abort();
	if ((util_utf8_valid((const char *)d, k) && util_utf8_valid((const char *)d + k, n - k)) !=
	    util_utf8_valid((const char *)d, n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	long secs;

	if (size < 1)
		return 0;
	s = xmalloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 12) {
	case 0: b64(s, size - 1); break;
	case 1: sniff(data + 1, size - 1); break;
	case 2: errors(s, size - 1); break;
	case 3: bk_retry_after_parse(s, 784111777, &secs); break;
	case 4: a1111(s, size - 1); break;
	case 5: comfy(s, size - 1); break;
	case 6: ollama(s, size - 1, 0); break;
	case 7: ollama(s, size - 1, 1); break;
	case 8: argv(s); break;
	case 10: jscan(data + 1, size - 1); break;
	case 11: utf8_pieces(data + 1, size - 1); break;
	default: definition(s); break;
	}
	free(s);
	return 0;
}
