/*
 * test-util.c - unit tests of util/: hashing, visible text, slugs, files.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void *thread_mask(void *arg)
{
	sigset_t *out = arg;
	mode_t m = util_umask();

	pthread_sigmask(SIG_BLOCK, NULL, out);
	return (void *)(intptr_t)m;
}

static void threads_take_no_signals(void **state)
{
	sigset_t in[4], before, after;
	pthread_t t[4];
	void *mask[4];
	mode_t m = umask(022);
	int i;

	(void)state;
	umask(m); /* util_umask reads it once: the test program's own */
	pthread_sigmask(SIG_BLOCK, NULL, &before);
	/* Four at once, all asking for the umask first (a data race on its
	 * cache before pthread_once; -fsanitize=thread says so). */
	for (i = 0; i < 4; i++)
		assert_int_equal(util_thread_start(&t[i], thread_mask, &in[i]), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], &mask[i]);
	/* Each thread blocks every signal a handler could take... */
	for (i = 0; i < 4; i++) {
		assert_true(sigismember(&in[i], SIGINT));
		assert_true(sigismember(&in[i], SIGTERM));
		assert_true(sigismember(&in[i], SIGWINCH));
		assert_true(sigismember(&in[i], SIGHUP));
	}
	/* ...and the caller's mask is as it was. */
	pthread_sigmask(SIG_BLOCK, NULL, &after);
	assert_int_equal(sigismember(&after, SIGINT), sigismember(&before, SIGINT));
	assert_int_equal(sigismember(&after, SIGWINCH), sigismember(&before, SIGWINCH));
	/* Every thread reads the same umask, the process's. */
	for (i = 0; i < 4; i++)
		assert_int_equal((mode_t)(intptr_t)mask[i], m);
}

static void sha256_known_vectors(void **state)
{
	char hex[65];
	struct sha256 c;
	unsigned char d[32];
	char million[1001];
	int i;

	(void)state;
	sha256_buf_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_buf_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_buf_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof million);
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, million, i % 2 ? 999 : 1001);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* JSON strings are UTF-8: a bad byte is shown as util_visible shows it
 * (not dropped, not a NULL value that loses the key); parameters that
 * are not JSON are an empty object. */
static void json_from_outside_text(void **state)
{
	json_t *o = json_object();
	char *text;

	(void)state;
	json_object_set_new(o, "good", util_json_str("caf\xc3\xa9"));
	json_object_set_new(o, "bad", util_json_str("bad\xff name\n"));
	json_object_set_new(o, "none", util_json_str(NULL));
	json_object_set_new(o, "params", util_json_params("{\"steps\": 30}"));
	json_object_set_new(o, "broken", util_json_params("{steps"));
	json_object_set_new(o, "empty", util_json_params(""));
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"bad\":\"bad\\\\xFF name\\n\",\"broken\":{},\"empty\":{},"
				  "\"good\":\"caf\xc3\xa9\",\"none\":null,"
				  "\"params\":{\"steps\":30}}");
	free(text);
	json_decref(o);
}

static void visible_hides_controls(void **state)
{
	char *s;

	(void)state;
	s = util_visible_dup("a\x1b]52;c;aGk=\a b\x1b[2J", 0);
	assert_string_equal(s, "a^[]52;c;aGk=^G b^[[2J");
	free(s);
	s = util_visible_dup("tab\there\nline\x7f\xc2\x9b", 0);
	assert_string_equal(s, "tab^Ihere^Jline^?<9b>");
	free(s);
	s = util_visible_dup("x\ty\nz", 1);
	assert_string_equal(s, "x       y\nz");
	free(s);
	s = util_visible_dup("bad\xff\xc0\x80 ok \xe6\x97\xa5", 0);
	assert_string_equal(s, "bad\\xFF\\xC0\\x80 ok \xe6\x97\xa5");
	free(s);
	assert_true(util_text_is_clean("plain \xc3\xa9t\xc3\xa9", 11));
	assert_false(util_text_is_clean("esc\x1b", 4));
	assert_false(util_utf8_valid("\xed\xa0\x80", 3));
}

/* A user's value in a message: whole when short, else cut at a
 * character and said so, with the whole length. */
static void visible_cut_says_so(void **state)
{
	char *big = xmalloc(100001), *s;

	(void)state;
	s = util_visible_cut("short\x1b", 10);
	assert_string_equal(s, "short^[");
	free(s);
	s = util_visible_cut("0123456789", 10);
	assert_string_equal(s, "0123456789");
	free(s);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	s = util_visible_cut(big, 60);
	assert_int_equal(strlen(s), 60 + strlen("... (100000 bytes, cut)"));
	assert_string_equal(s + 60, "... (100000 bytes, cut)");
	free(s);
	/* never inside a character: "é" is 2 bytes, the cut falls before it */
	s = util_visible_cut("ab\xc3\xa9" "cd", 3);
	assert_string_equal(s, "ab... (6 bytes, cut)");
	free(s);
	free(big);
}

/* The one UTF-8 encoder: known forms at each length's edges, and every
 * scalar value decodes back to itself at the length it was given. */
static void utf8_encodes(void **state)
{
	static const struct {
		uint32_t cp;
		const char *utf8;
	} known[] = {
		{ 0x41, "A" },           { 0x7F, "\x7f" },         { 0x80, "\xc2\x80" },
		{ 0xE9, "\xc3\xa9" },     { 0x7FF, "\xdf\xbf" },     { 0x800, "\xe0\xa0\x80" },
		{ 0x2605, "\xe2\x98\x85" }, { 0xFFFD, "\xef\xbf\xbd" }, { 0x10000, "\xf0\x90\x80\x80" },
		{ 0x1F600, "\xf0\x9f\x98\x80" }, { 0x10FFFF, "\xf4\x8f\xbf\xbf" },
	};
	char buf[4];
	uint32_t cp, back;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		n = util_utf8_encode(known[i].cp, buf);
		assert_int_equal(n, strlen(known[i].utf8));
		assert_memory_equal(buf, known[i].utf8, n);
	}
	for (cp = 1; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		n = util_utf8_encode(cp, buf);
		if (util_utf8_decode(buf, n, &back) != n || back != cp)
			fail_msg("U+%04X does not round-trip", (unsigned)cp);
	}
}

static void slugs_and_ages(void **state)
{
	char *s, buf[16];

	(void)state;
	s = util_slug("Autumn campaign");
	assert_string_equal(s, "autumn-campaign");
	free(s);
	s = util_slug("  --Hero  Banner!! v2 ");
	assert_string_equal(s, "hero-banner-v2");
	free(s);
	s = util_slug("日本");
	assert_string_equal(s, "untitled");
	free(s);
	util_age(1000, 1003, buf);
	assert_string_equal(buf, "now");
	util_age(0, 7200, buf);
	assert_string_equal(buf, "2h");
	util_age(0, 86400 * 3, buf);
	assert_string_equal(buf, "3d");
}

static void atomic_write_and_read(void **state)
{
	char dir[] = "/tmp/lb-util-XXXXXX", path[256], ext[16], *data;
	size_t len;
	long long v;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/a/b/c", dir);
	assert_int_equal(util_mkdir_p(path), 0);
	snprintf(path, sizeof path, "%s/a/b/c/file.PNG", dir);
	assert_int_equal(util_write_atomic(path, "hello", 5), 0);
	assert_int_equal(util_read_file(path, 100, &data, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(data, "hello");
	free(data);
	assert_int_equal(util_read_file(path, 3, &data, &len), -1);
	assert_string_equal(util_ext(path, ext), "png");
	assert_string_equal(util_ext("/x/.hidden", ext), "");
	assert_int_equal(util_parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(util_parse_int("7", 0, 5, &v), -1);
	assert_int_equal(util_parse_int("4x", 0, 5, &v), -1);
	assert_int_equal(util_parse_int("", 0, 5, &v), -1);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* Files made in a store take the store's modes whatever the umask:
 * 0600/0700 in a private one, 0660/2770 in a group-writable one. */
static void store_modes_not_umask(void **state)
{
	char root[] = "/tmp/lb-perm-XXXXXX", *p, *cmd;
	mode_t file, dir, old = umask(077);
	gid_t gid;
	struct stat sb;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(util_perm_of("/tmp/elsewhere/x", &file, &dir, &gid), 0);
	util_perm_store(root);
	assert_int_equal(util_perm_of(root, &file, &dir, &gid), 1);
	assert_int_equal(file, 0600);
	assert_int_equal(dir, 0700);
	/* A shared store: the folder group-writable (as init --shared makes it). */
	assert_int_equal(chmod(root, 02770), 0);
	util_perm_store(root);
	assert_int_equal(util_perm_of(root, &file, &dir, &gid), 1);
	assert_int_equal(file, 0660);
	assert_int_equal(dir, 02770);
	p = xasprintf("%s/assets/ab", root);
	assert_int_equal(util_mkdir_p(p), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 02770);
	free(p);
	p = xasprintf("%s/assets/ab/f.png", root);
	assert_int_equal(util_write_atomic(p, "x", 1), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0660);
	free(p);
	p = xasprintf("%s/cache.lock", root);
	fd = util_perm_open(p, O_RDWR);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0660);
	free(p);
	umask(old);
	cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* util_write_all carries on through a non-blocking pipe that is full (EAGAIN)
 * until a slow reader has all of it, and says ENOSPC for a full device. */
static void write_all_whole_or_why(void **state)
{
	size_t n = 1 << 20, got = 0, i;
	char *buf = malloc(n), chunk[4096];
	int p[2], status, fd;
	pid_t kid;
	ssize_t r;

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < n; i++)
		buf[i] = (char)(i * 7);
	assert_int_equal(pipe(p), 0);
	kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		close(p[1]);
		while ((r = read(p[0], chunk, sizeof chunk)) > 0) {
			for (i = 0; i < (size_t)r; i++)
				if (chunk[i] != (char)((got + i) * 7))
					_exit(2);
			got += (size_t)r;
			usleep(200);
		}
		_exit(got == n ? 0 : 1);
	}
	close(p[0]);
	assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(util_write_all(p[1], buf, n), 0);
	close(p[1]);
	assert_int_equal(waitpid(kid, &status, 0), kid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(buf);

	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		errno = EEXIST; /* stale: must not be what is reported */
		assert_int_equal(util_write_all(fd, "x", 1), -1);
		assert_int_equal(errno, ENOSPC);
		close(fd);
	}
	assert_non_null(strstr(util_write_hint(ENOSPC), "free some space"));
	assert_string_equal(util_write_hint(EEXIST), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threads_take_no_signals),
		cmocka_unit_test(sha256_known_vectors),
		cmocka_unit_test(visible_hides_controls),
		cmocka_unit_test(visible_cut_says_so),
		cmocka_unit_test(utf8_encodes),
		cmocka_unit_test(json_from_outside_text),
		cmocka_unit_test(slugs_and_ages),
		cmocka_unit_test(atomic_write_and_read),
		cmocka_unit_test(store_modes_not_umask),
		cmocka_unit_test(write_all_whole_or_why),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
