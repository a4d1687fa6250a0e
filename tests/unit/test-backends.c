/*
 * test-backends.c - unit tests of backends/ that need no server: the reply
 * parsers (base64, sniffing, error shapes, A1111's info, ComfyUI's history,
 * Ollama's NDJSON), Retry-After and the backoff, exec's argv templates,
 * the registry's checks of definitions, the builtin generators, and long
 * text in pieces (the JSON skeleton's decoding, UTF-8 across reads).
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/backends-private.h"
#include "media/media.h"

static void b64_round_trips_and_refuses(void **state)
{
	unsigned char *out;
	size_t len;
	char *err = NULL, *enc;

	(void)state;
	assert_int_equal(bk_b64_decode("aGVsbG8=", 8, &out, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
	assert_int_equal(bk_b64_decode("aGVsbG8", 7, &out, &len, &err), 0); /* padding optional */
	assert_memory_equal(out, "hello", 5);
	free(out);
	assert_int_equal(bk_b64_decode("data:image/png;base64,aGk=", 26, &out, &len, &err), 0);
	assert_int_equal(len, 2);
	free(out);
	assert_int_equal(bk_b64_decode("aGVs\nbG8=\r\n", 11, &out, &len, &err), 0);
	assert_int_equal(len, 5);
	free(out);
	assert_int_equal(bk_b64_decode("aGVsbG8=a", 9, &out, &len, &err), -1);
	assert_non_null(strstr(err, "after its padding"));
	xfree(&err);
	assert_int_equal(bk_b64_decode("aGVsb", 5, &out, &len, &err), -1);
	assert_non_null(strstr(err, "truncated"));
	xfree(&err);
	assert_int_equal(bk_b64_decode("aGV*bG8=", 8, &out, &len, &err), -1);
	assert_non_null(strstr(err, "not base64"));
	xfree(&err);
	enc = bk_b64_encode("hello!?", 7);
	assert_string_equal(enc, "aGVsbG8hPw==");
	free(enc);
}

static void sniffing_reads_bytes_not_names(void **state)
{
	unsigned char rgba[4 * 6 * 4], *png, *jpeg;
	struct bk_sniff s;
	size_t len;
	char *err = NULL;

	(void)state;
	memset(rgba, 200, sizeof rgba);
	assert_int_equal(media_png_encode(rgba, 6, 4, 6, &png, &len, &err), 0);
	assert_int_equal(bk_sniff(png, len, &s, &err), 0);
	assert_string_equal(s.media_type, "image/png");
	assert_int_equal(s.kind, LB_IMAGE);
	assert_int_equal(s.width, 6);
	assert_int_equal(s.height, 4);
	assert_int_equal(bk_sniff(png, len - 5, &s, &err), -1);
	assert_non_null(strstr(err, "truncated PNG"));
	xfree(&err);
	free(png);
	assert_int_equal(media_jpeg_encode(rgba, 6, 4, 80, &jpeg, &len, &err), 0);
	assert_int_equal(bk_sniff(jpeg, len, &s, &err), 0);
	assert_string_equal(s.ext, "jpg");
	assert_int_equal(s.width, 6);
	assert_int_equal(bk_sniff(jpeg, len / 2, &s, &err), -1);
	xfree(&err);
	free(jpeg);
	assert_int_equal(bk_sniff((const unsigned char *)"just words\n", 11, &s, &err), 0);
	assert_int_equal(s.kind, LB_TEXT);
	assert_int_equal(bk_sniff((const unsigned char *)"\x00\x01\x02\x03", 4, &s, &err), 0);
	assert_int_equal(s.kind, -1);
	assert_string_equal(s.media_type, "application/octet-stream");
}

static void wav_duration_is_read(void **state)
{
	const char *desc;
	size_t len;
	unsigned char *w = bk_builtin_wav("harbour", 7, 1.5, &len, &desc);
	struct bk_sniff s;
	char *err = NULL;

	(void)state;
	assert_int_equal(bk_sniff(w, len, &s, &err), 0);
	assert_string_equal(s.media_type, "audio/wav");
	assert_true(s.duration > 1.49 && s.duration < 1.51);
	assert_int_equal(bk_sniff(w, len / 2, &s, &err), -1);
	xfree(&err);
	free(w);
}

static void error_shapes_are_normalised(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"error\":{\"message\":\"Rate limit\",\"type\":\"x\",\"param\":null,\"code\":null}}", "Rate limit" },
		{ "{\"error\":\"model 'x' not found\"}", "model 'x' not found" },
		{ "{\"error\":\"HTTPException\",\"detail\":\"Sampler not found\",\"body\":\"\",\"errors\":\"\"}",
		  "HTTPException: Sampler not found" },
		{ "{\"detail\":[{\"loc\":[\"body\",\"steps\"],\"msg\":\"value is not a valid integer\"}]}",
		  "value is not a valid integer (at body.steps)" },
		{ "{\"object\":\"error\",\"message\":\"bad n\",\"code\":400}", "bad n" },
		{ "{\"error\":{\"type\":\"prompt_outputs_failed_validation\",\"message\":\"Prompt outputs failed "
		  "validation\",\"details\":\"\"},\"node_errors\":{\"6\":{\"errors\":[{\"message\":\"Required input is "
		  "missing\",\"details\":\"clip\"}],\"class_type\":\"CLIPTextEncode\"}}}",
		  "Prompt outputs failed validation; node 6 (CLIPTextEncode): Required input is missing: clip" },
	};
	size_t i;
	char *m;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		m = bk_body_error("application/json", cases[i].json, strlen(cases[i].json));
		assert_non_null(m);
		assert_string_equal(m, cases[i].want);
		free(m);
	}
	{
		json_t *ok = json_loads("{\"images\":[],\"error\":null}", 0, NULL);
		assert_null(bk_json_error(ok)); /* "error": null is no error */
		json_decref(ok);
	}
	m = bk_body_error("text/html", "<html><title>502 Bad Gateway</title></html>", 43);
	assert_string_equal(m, "502 Bad Gateway");
	free(m);
	assert_null(bk_body_error("application/octet-stream", "\x89PNG", 4));
}

static void retry_after_seconds_and_dates(void **state)
{
	int64_t now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
	long s = -1;

	(void)state;
	assert_int_equal(bk_retry_after_parse("120", now, &s), 0);
	assert_int_equal(s, 120);
	assert_int_equal(bk_retry_after_parse("  7 \r\n", now, &s), 0);
	assert_int_equal(s, 7);
	assert_int_equal(bk_retry_after_parse("Sun, 06 Nov 1994 08:49:57 GMT", now, &s), 0);
	assert_int_equal(s, 20);
	assert_int_equal(bk_retry_after_parse("Sunday, 06-Nov-94 08:50:37 GMT", now, &s), 0);
	assert_int_equal(s, 60);
	assert_int_equal(bk_retry_after_parse("Sun Nov  6 08:51:37 1994", now, &s), 0);
	assert_int_equal(s, 120);
	assert_int_equal(bk_retry_after_parse("Sat, 05 Nov 1994 08:49:37 GMT", now, &s), 0);
	assert_int_equal(s, 0); /* a date past: at once */
	assert_int_equal(bk_retry_after_parse("-5", now, &s), -1);
	assert_int_equal(bk_retry_after_parse("1.5", now, &s), -1);
	assert_int_equal(bk_retry_after_parse("soon", now, &s), -1);
	assert_int_equal(bk_retry_after_parse("", now, &s), -1);
	assert_int_equal(bk_retry_after_parse("Sun, 32 Nov 1994 08:49:37 GMT", now, &s), -1);
	assert_int_equal(bk_retry_after_parse("Sun, 06 Foo 1994 08:49:37 GMT", now, &s), -1);
	assert_int_equal(bk_retry_after_parse("99999999999999999999", now, &s), 0);
	assert_true(s >= 100000000);
}

static void backoff_doubles_with_jitter(void **state)
{
	(void)state;
	assert_true(bk_backoff(1, 2, 300, 0, -1) == 1.0);
	assert_true(bk_backoff(1, 2, 300, 1, -1) == 2.0);
	assert_true(bk_backoff(3, 2, 300, 1, -1) == 8.0);
	assert_true(bk_backoff(3, 2, 300, 0.5, -1) == 6.0);
	assert_true(bk_backoff(20, 2, 300, 1, -1) == 300.0);
	assert_true(bk_backoff(2, 2, 300, 0, 30) == 30.0); /* Retry-After wins when longer */
	assert_true(bk_backoff(4, 2, 300, 1, 3) == 16.0);
	assert_true(bk_backoff(1, 2, 300, 7, -1) == 2.0); /* jitter clamped */
}

static void a1111_info_inside_json(void **state)
{
	struct bk_a1111_info in;
	char *err = NULL;
	json_t *j;

	(void)state;
	j = json_loads("{\"images\":[\"g\",\"a\",\"b\"],\"info\":\"{\\\"seed\\\": 5, \\\"all_seeds\\\": [5, 6], "
		       "\\\"index_of_first_image\\\": 1, \\\"sd_model_name\\\": \\\"sdxl\\\"}\"}",
		       0, NULL);
	assert_int_equal(bk_a1111_parse_info(j, &in, &err), 0);
	assert_int_equal(in.first, 1);
	assert_int_equal(in.nseeds, 2);
	assert_int_equal(in.seeds[1], 6);
	assert_string_equal(in.model, "sdxl");
	bk_a1111_info_clear(&in);
	json_decref(j);
	j = json_loads("{\"images\":[],\"info\":{\"seed\":1}}", 0, NULL);
	assert_int_equal(bk_a1111_parse_info(j, &in, &err), -1);
	assert_non_null(strstr(err, "no `info` string"));
	xfree(&err);
	json_decref(j);
	j = json_loads("{\"info\":\"{not json\"}", 0, NULL);
	assert_int_equal(bk_a1111_parse_info(j, &in, &err), -1);
	assert_non_null(strstr(err, "not a JSON object"));
	xfree(&err);
	json_decref(j);
	j = json_loads("{\"info\":\"{\\\"all_seeds\\\": [1, \\\"x\\\"]}\"}", 0, NULL);
	assert_int_equal(bk_a1111_parse_info(j, &in, &err), -1);
	xfree(&err);
	json_decref(j);
	j = json_loads("{\"info\":\"{\\\"seed\\\": 77}\"}", 0, NULL);
	assert_int_equal(bk_a1111_parse_info(j, &in, &err), 0);
	assert_int_equal(in.nseeds, 1);
	assert_int_equal(in.seeds[0], 77);
	bk_a1111_info_clear(&in);
	json_decref(j);
}

static int history(const char *text, int *done, size_t *n, char **err)
{
	struct bk_comfy_file *f = NULL;
	json_t *j = json_loads(text, 0, NULL);
	int rc;

	assert_non_null(j);
	rc = bk_comfy_history(j, "p1", done, &f, n, err);
	if (rc == 0 && *n > 0 && strcmp(f[0].filename, "a.png") == 0)
		assert_string_equal(f[0].subfolder, "x/y");
	bk_comfy_files_free(&f, *n);
	json_decref(j);
	return rc;
}

static void comfy_history_and_names(void **state)
{
	int done;
	size_t n;
	char *err = NULL;

	(void)state;
	assert_int_equal(history("{}", &done, &n, &err), 0);
	assert_false(done);
	assert_int_equal(history("{\"p1\":{\"outputs\":{\"9\":{\"images\":[{\"filename\":\"a.png\",\"subfolder\":\"x/y\","
				 "\"type\":\"output\"},{\"filename\":\"p.png\",\"subfolder\":\"\",\"type\":\"temp\"}]}},"
				 "\"status\":{\"status_str\":\"success\",\"completed\":true}}}",
				 &done, &n, &err),
			 0);
	assert_true(done);
	assert_int_equal(n, 1);
	assert_int_equal(history("{\"p1\":{\"outputs\":{\"9\":{\"images\":[{\"filename\":\"../../etc/x.png\","
				 "\"subfolder\":\"\",\"type\":\"output\"}]}},\"status\":{}}}",
				 &done, &n, &err),
			 -1);
	assert_non_null(strstr(err, "could escape"));
	xfree(&err);
	assert_int_equal(history("{\"p1\":{\"outputs\":{\"9\":{\"images\":[{\"filename\":\"a.png\",\"subfolder\":\"../..\","
				 "\"type\":\"output\"}]}},\"status\":{}}}",
				 &done, &n, &err),
			 -1);
	xfree(&err);
	assert_int_equal(history("{\"p1\":{\"outputs\":{\"9\":{\"images\":[{\"filename\":\"sub/a.png\",\"subfolder\":\"\","
				 "\"type\":\"output\"}]}},\"status\":{}}}",
				 &done, &n, &err),
			 -1);
	xfree(&err);
	assert_int_equal(history("{\"p1\":{\"outputs\":{},\"status\":{\"status_str\":\"error\",\"messages\":[["
				 "\"execution_error\",{\"node_type\":\"KSampler\",\"exception_message\":\"OOM\"}]]}}}",
				 &done, &n, &err),
			 -1);
	assert_string_equal(err, "KSampler: OOM");
	xfree(&err);
}

static void ollama_json_and_ndjson(void **state)
{
	char *text, *model, *err = NULL;
	const char *nd = "{\"model\":\"m\",\"response\":\"Harbour\",\"done\":false}\n"
			 "{\"model\":\"m\",\"response\":\" light\",\"done\":false}\n"
			 "{\"model\":\"m\",\"response\":\"\",\"done\":true}\n";
	const char *bad = "{\"model\":\"m\",\"response\":\"Har\",\"done\":false}\n{\"error\":\"out of memory\"}\n";

	(void)state;
	assert_int_equal(bk_ollama_text("{\"model\":\"m\",\"response\":\"hi\",\"done\":true}", 41, 0, &text, &model,
					&err),
			 0);
	assert_string_equal(text, "hi");
	assert_string_equal(model, "m");
	free(text);
	free(model);
	assert_int_equal(bk_ollama_text(nd, strlen(nd), 0, &text, &model, &err), 0);
	assert_string_equal(text, "Harbour light");
	free(text);
	free(model);
	assert_int_equal(bk_ollama_text(bad, strlen(bad), 0, &text, &model, &err), -1);
	assert_string_equal(err, "out of memory");
	xfree(&err);
	assert_int_equal(bk_ollama_text("{\"message\":{\"content\":\"c\"}}", 27, 1, &text, &model, &err), 0);
	assert_string_equal(text, "c");
	free(text);
	assert_int_equal(bk_ollama_text("{\"done\":true}", 13, 0, &text, &model, &err), -1);
	xfree(&err);
	assert_int_equal(bk_ollama_text("", 0, 0, &text, &model, &err), -1);
	xfree(&err);
}

static void argv_templates_never_split_values(void **state)
{
	char **w = NULL, **x, *err = NULL;
	struct bk_argv_vars v;
	const char *hostile = "$(touch pwned); rm -rf ~ \"' `x` {seed} }} {{";

	(void)state;
	assert_int_equal(bk_argv_split("gen -p {prompt} '--a b' \"c \\\"d\\\"\" e\\ f --seed={seed} -o {out}", &w, &err),
			 0);
	assert_string_equal(w[3], "--a b");
	assert_string_equal(w[4], "c \"d\"");
	assert_string_equal(w[5], "e f");
	assert_int_equal(bk_argv_check(w, &err), 0);
	memset(&v, 0, sizeof v);
	v.prompt = hostile;
	v.seed = 42;
	v.out = "/s/out-1.png";
	x = bk_argv_expand(w, &v);
	assert_string_equal(x[2], hostile);
	assert_string_equal(x[6], "--seed=42");
	assert_string_equal(x[8], "/s/out-1.png");
	assert_null(x[9]);
	bk_argv_free(&x);
	bk_argv_free(&w);
	assert_int_equal(bk_argv_split("gen {promt}", &w, &err), 0);
	assert_int_equal(bk_argv_check(w, &err), -1);
	assert_non_null(strstr(err, "unknown placeholder {promt}"));
	xfree(&err);
	bk_argv_free(&w);
	assert_int_equal(bk_argv_split("{prompt} x", &w, &err), 0);
	assert_int_equal(bk_argv_check(w, &err), -1);
	xfree(&err);
	bk_argv_free(&w);
	assert_int_equal(bk_argv_split("x '{{literal}}' {n}", &w, &err), 0);
	assert_int_equal(bk_argv_check(w, &err), 0);
	v.n = 3;
	x = bk_argv_expand(w, &v);
	assert_string_equal(x[1], "{literal}");
	assert_string_equal(x[2], "3");
	bk_argv_free(&x);
	bk_argv_free(&w);
	assert_int_equal(bk_argv_split("x 'open", &w, &err), -1);
	xfree(&err);
	assert_int_equal(bk_argv_split("   ", &w, &err), -1);
	xfree(&err);
}

/* Adds "backend NAME k=v ..." at cfg:3; returns the error or NULL. */
static char *add(struct backend_registry *reg, const char *name, const char *kv)
{
	char *copy = xstrdup(kv), *tok, *save = NULL, *err = NULL;
	const char *keys[16], *vals[16];
	size_t n = 0;

	for (tok = strtok_r(copy, " ", &save); tok && n < 16; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		*eq = '\0';
		keys[n] = tok;
		vals[n++] = eq + 1;
	}
	if (backend_registry_add(reg, name, n, keys, vals, "cfg", 3, &err) == 0)
		err = NULL;
	free(copy);
	return err;
}

static void registry_checks_definitions(void **state)
{
	struct backend_registry *reg = backend_registry_new();
	char *e;

	(void)state;
	assert_string_equal(backend_name(backend_registry_default(reg)), "builtin");
	e = add(reg, "x", "type=dalle");
	assert_non_null(strstr(e, "cfg:3: backend x: unknown type 'dalle' — use builtin, exec, openai"));
	free(e);
	e = add(reg, "x", "url=http://h");
	assert_non_null(strstr(e, "no type"));
	free(e);
	e = add(reg, "x", "type=a1111 url=ftp://h");
	assert_non_null(strstr(e, "only http:// and https://"));
	free(e);
	e = add(reg, "x", "type=openai url=https://me:pw@api.example/v1 model=m");
	assert_non_null(strstr(e, "holds credentials; put the key in an environment variable named by key-env"));
	free(e);
	e = add(reg, "x", "type=ollama url=http://h:11434");
	assert_non_null(strstr(e, "type ollama needs model= — e.g. model=llama3.2"));
	free(e);
	e = add(reg, "x", "type=a1111 url=http://h stepz=3");
	assert_non_null(strstr(e, "unknown setting 'stepz' for type a1111 — known: type, url"));
	assert_non_null(strstr(e, "steps"));
	free(e);
	e = add(reg, "x", "type=a1111 url=http://h steps=0");
	assert_non_null(strstr(e, "steps=0 is not valid — it takes a whole number from 1 to 500"));
	free(e);
	e = add(reg, "x", "type=ollama url=http://h model=m modality=image");
	assert_non_null(strstr(e, "type ollama makes only text"));
	free(e);
	e = add(reg, "x", "type=openai url=http://h model=m key-env=$KEY");
	assert_non_null(strstr(e, "name an environment variable"));
	free(e);
	e = add(reg, "bad/name", "type=builtin");
	assert_non_null(strstr(e, "use letters, digits"));
	free(e);
	assert_null(add(reg, "sd", "type=a1111 url=http://h:7860/ steps=30 default=yes"));
	assert_string_equal(backend_url(backend_registry_find(reg, "sd")), "http://h:7860");
	assert_string_equal(backend_name(backend_registry_default(reg)), "sd");
	e = add(reg, "sd", "type=a1111 url=http://h");
	assert_non_null(strstr(e, "already defined at cfg:3"));
	free(e);
	e = add(reg, "sd2", "type=a1111 url=http://h default=yes");
	assert_non_null(strstr(e, "default=yes is already given to sd"));
	free(e);
	e = add(reg, "builtin", "type=openai url=http://h model=m");
	assert_non_null(strstr(e, "belongs to the built-in backend"));
	free(e);
	assert_null(add(reg, "builtin", "width=256"));
	assert_string_equal(backend_setting(backend_registry_find(reg, "builtin"), "width"), "256");
	assert_null(add(reg, "dalle", "type=openai url=https://api.example/v1 model=dall-e-3 key-env=K"));
	assert_int_equal(backend_modalities(backend_registry_find(reg, "dalle")), 1u << LB_IMAGE);
	assert_null(add(reg, "tts", "type=openai url=https://api.example/v1 model=tts-1"));
	assert_int_equal(backend_modalities(backend_registry_find(reg, "tts")), 1u << LB_AUDIO);
	assert_int_equal(backend_registry_count(reg), 4);
	backend_registry_free(&reg);
	assert_null(reg);
}

static void builtin_is_deterministic(void **state)
{
	unsigned pal[3], pal2[3];
	const char *fam, *fam2;
	unsigned char *a = bk_builtin_pixels("teal stripes", 9, 40, 30, NULL, &fam, pal);
	unsigned char *b = bk_builtin_pixels("teal stripes", 9, 40, 30, NULL, &fam2, pal2);
	unsigned char *c = bk_builtin_pixels("teal stripes", 10, 40, 30, NULL, &fam2, pal2);
	char *t;

	(void)state;
	assert_string_equal(fam, "stripes"); /* a family word in the prompt picks it */
	assert_memory_equal(a, b, 40 * 30 * 4);
	assert_memory_not_equal(a, c, 40 * 30 * 4);
	free(a);
	free(b);
	free(c);
	t = bk_builtin_text("tagline for a harbour café with lighthouse evenings", "max 5 words", NULL, 3, 4);
	{
		int words = 1;
		const char *p;
		for (p = t; *p; p++)
			words += *p == ' ';
		assert_true(words <= 5);
	}
	free(t);
}

/* Bytes of a closed sink (memory or file), owned. */
static char *sink_text(struct bk_sink *k, size_t *n)
{
	unsigned char *d = NULL;
	char *err = NULL;

	if (k->path == NULL) {
		*n = k->mem.len;
		d = xmalloc(*n + 1);
		memcpy(d, k->mem.s ? k->mem.s : "", *n);
		d[*n] = '\0';
		return (char *)d;
	}
	assert_int_equal(bk_read_limited(k->path, 1 << 20, &d, n, &err), 0);
	return (char *)d;
}

static void skeleton_decodes_long_strings_in_pieces(void **state)
{
	static const char doc[] = "{\"model\": \"m\", \"choices\": [{\"message\": {\"content\": "
				  "\"harbour \\\"light\\\" \\u00e9 \\ud83c\\udf0a\\n\\t\\/\\\\ end\"}}], \"n\": 1}";
	char dir[] = "/tmp/lbtest-jscan.XXXXXX", *text;
	struct bk_jscan js;
	struct bk_sink *k;
	json_t *j, *content;
	size_t i, n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	bk_jscan_init(&js, dir, 1 << 20, 1 << 20);
	js.spill_at = 8;    /* every string longer than 8 bytes (no key here) goes to a sink */
	js.sink_inline = 8; /* and a sink over 8 bytes to a file */
	for (i = 0; i < sizeof doc - 1; i++) /* one byte at a time: escapes cut anywhere */
		bk_jscan_feed(&js, doc + i, 1);
	assert_int_equal(bk_jscan_end(&js), 0);
	j = json_loadb(js.out.s, js.out.len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "model")), "m"); /* short: kept as is */
	content = json_object_get(json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message"),
				  "content");
	k = bk_jscan_sink(&js, content);
	assert_non_null(k);
	assert_non_null(k->path); /* it went to a file */
	text = sink_text(k, &n);
	assert_int_equal(n, strlen("harbour \"light\" \xc3\xa9 \xf0\x9f\x8c\x8a\n\t/\\ end"));
	assert_memory_equal(text, "harbour \"light\" \xc3\xa9 \xf0\x9f\x8c\x8a\n\t/\\ end", n);
	free(text);
	json_decref(j);
	bk_jscan_free(&js);

	/* What is not JSON text is refused, saying what. */
	bk_jscan_init(&js, dir, 1 << 20, 1 << 20);
	js.spill_at = 2;
	bk_jscan_feed(&js, "[\"abc\\ud83c def\"]", 18);
	assert_int_equal(bk_jscan_end(&js), -1);
	assert_non_null(strstr(js.error, "surrogate"));
	bk_jscan_free(&js);
	bk_jscan_init(&js, dir, 1 << 20, 1 << 20);
	bk_jscan_feed(&js, "[\"abc", 5);
	assert_int_equal(bk_jscan_end(&js), -1);
	assert_non_null(strstr(js.error, "ends inside a string"));
	bk_jscan_free(&js);
	/* A string over max is cut, and said to be. */
	bk_jscan_init(&js, dir, 16, 1 << 20);
	js.spill_at = 2;
	bk_jscan_feed(&js, "[\"0123456789abcdefghij\"]", 24);
	assert_int_equal(bk_jscan_end(&js), -1);
	assert_non_null(strstr(js.error, "longer than max-reply"));
	bk_jscan_free(&js);
	rmdir(dir);
}

static void text_checked_in_pieces(void **state)
{
	char path[] = "/tmp/lbtest-utf8.XXXXXX", *err = NULL;
	static const unsigned char e[] = "\xc3\xa9"; /* é */
	int fd;

	(void)state;
	assert_int_equal(bk_utf8_complete((const unsigned char *)"ab\xc3", 3), 2);
	assert_int_equal(bk_utf8_complete((const unsigned char *)"ab\xf0\x9f\x8c", 5), 2);
	assert_int_equal(bk_utf8_complete((const unsigned char *)"ab\xf0\x9f\x8c\x8a", 6), 6);
	assert_int_equal(bk_utf8_complete(e, 2), 2);
	/* A file of é: 65536 is even, so no read cuts one... then one that does. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	for (int i = 0; i < 70000; i++)
		assert_int_equal(write(fd, e, 2), 2);
	close(fd);
	assert_int_equal(bk_text_file_check(path, &err), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "\xc3", 1), 1);
	close(fd);
	assert_int_equal(bk_text_file_check(path, &err), -1);
	assert_non_null(strstr(err, "middle of a UTF-8 character"));
	free(err);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64_round_trips_and_refuses),
		cmocka_unit_test(sniffing_reads_bytes_not_names),
		cmocka_unit_test(wav_duration_is_read),
		cmocka_unit_test(error_shapes_are_normalised),
		cmocka_unit_test(retry_after_seconds_and_dates),
		cmocka_unit_test(backoff_doubles_with_jitter),
		cmocka_unit_test(a1111_info_inside_json),
		cmocka_unit_test(comfy_history_and_names),
		cmocka_unit_test(ollama_json_and_ndjson),
		cmocka_unit_test(argv_templates_never_split_values),
		cmocka_unit_test(registry_checks_definitions),
		cmocka_unit_test(builtin_is_deterministic),
		cmocka_unit_test(skeleton_decodes_long_strings_in_pieces),
		cmocka_unit_test(text_checked_in_pieces),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
