/*
 * fuzz-replies.c - libFuzzer target for what backends read from outside:
 * reply bodies (base64, the bytes of a file, error shapes of every
 * protocol, A1111's info-inside-JSON, ComfyUI's history, Ollama's
 * (ND)JSON), Retry-After headers, exec argv templates and backend
 * definitions.  The first byte picks the reader; the rest is its input.
 *
 * Built only on request:  make tests/fuzz/fuzz-replies   (clang, libFuzzer)
 * Run:  tests/fuzz/fuzz-replies -max_total_time=120 CORPUS_DIR
 *
 * Besides crashes, leaks and sanitizer reports it checks invariants:
 * decoded base64 is never longer than 3/4 of its text, a ComfyUI output
 * accepted never names a path that climbs out, an expanded argv has as
 * many words as its template and carries the prompt whole.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	long secs;

	if (size < 1)
		return 0;
	s = xmalloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 10) {
	case 0: b64(s, size - 1); break;
	case 1: sniff(data + 1, size - 1); break;
	case 2: errors(s, size - 1); break;
	case 3: bk_retry_after_parse(s, 784111777, &secs); break;
	case 4: a1111(s, size - 1); break;
	case 5: comfy(s, size - 1); break;
	case 6: ollama(s, size - 1, 0); break;
	case 7: ollama(s, size - 1, 1); break;
	case 8: argv(s); break;
	default: definition(s); break;
	}
	free(s);
	return 0;
}
