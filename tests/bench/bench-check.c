/*
 * bench-check.c - the peak resident memory of `lightbox backends --check`
 * against tests/backends/server.py misbehaving on the check requests
 * themselves (issue 12, item 14): three HTTP backends (OpenAI, A1111,
 * Ollama) checked at once while the server answers each with a 250 MB
 * reply (with and without Content-Length), a 250 MB list of small
 * objects, malformed JSON, a slow drip or the wrong content type.
 *
 *   bench-check [LIGHTBOX]
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>

#include "tests/bench/bench-server.h"
#include "util.h"

static char dir[] = "/tmp/lightbox-bench-check.XXXXXX";

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *mode, *arg, *what;
	} modes[] = {
		{ "normal", NULL, "a well server" },
		{ "huge", "250000000", "250 MB replies with a Content-Length" },
		{ "hugechunked", "250000000", "250 MB replies, chunked" },
		{ "hugelist", "250000000", "250 MB lists of small objects" },
		{ "hugelist", "4000000", "4 MB lists of small objects (kept)" },
		{ "badjson", NULL, "malformed JSON" },
		{ "drip", NULL, "a slow drip (8 bytes/s, --timeout 3)" },
		{ "wrongtype", NULL, "the wrong content type" },
	};
	const char *lightbox = argc > 1 ? argv[1] : "./lightbox";
	char *t;
	FILE *f;
	int port;
	size_t i;
	pid_t server;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("BENCH_CHECK_KEY", "sk-bench", 1);
	t = xasprintf("%s/lightbox", dir);
	util_mkdir_p(t);
	free(t);
	server = bench_server(NULL, &port);
	t = xasprintf("%s/lightbox/config", dir);
	f = fopen(t, "w");
	if (f == NULL)
		fatal("%s: %s", t, strerror(errno));
	fprintf(f,
		"backend oa type=openai url=http://127.0.0.1:%d/v1 model=gpt-image-1 key-env=BENCH_CHECK_KEY\n"
		"backend sd type=a1111 url=http://127.0.0.1:%d\n"
		"backend ol type=ollama url=http://127.0.0.1:%d model=llama3.2\n",
		port, port, port);
	fclose(f);
	free(t);
	printf("backends --check of 3 HTTP backends at once; the server misbehaves on every request\n");
	for (i = 0; i < sizeof modes / sizeof *modes; i++) {
		const char *av[] = { lightbox, "backends", "--check", "--timeout", "3", NULL };
		double mib, secs;
		int rc;

		bench_server_control(port, modes[i].mode, modes[i].arg, 1);
		rc = bench_run(av, 0, &mib, &secs);
		printf("%-44s %8.2f s %8.1f MiB peak RSS  (exit %d)\n", modes[i].what, secs, mib, rc);
		fflush(stdout);
	}
	kill(-server, SIGTERM);
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
