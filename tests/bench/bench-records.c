/*
 * bench-records.c - figures for issue 6 (make bench): importing 10,000
 * small images (files per second, peak memory) and exporting a project of
 * 100,000 candidates with 5,000 selections (seconds, peak memory).
 *
 * The commands measured are the real program ($LIGHTBOX, run as a child):
 * the times are wall-clock, the peak memory is the child's maximum
 * resident set (wait4).  The project to export is built through the store
 * API.  Everything lives in a scratch folder under $TMPDIR, removed at the
 * end (BENCH_KEEP=1 keeps it).  BENCH_FILES and BENCH_CANDIDATES change
 * the sizes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "store/store.h"
#include "util.h"

static const char *lightbox;
static char scratch[256];

/* Runs lightbox with args (NULL-terminated) in the store `store`, stdout to
 * out (NULL: /dev/null); *ms and *kb get the wall time and peak memory. */
static int run(const char *store, const char *out, double *ms, long *kb, const char *const *args)
{
	const char *argv[32];
	struct rusage ru;
	double t0 = util_mono_ms();
	int status, i, fd;
	pid_t pid;

	argv[0] = lightbox;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid == 0) {
		setenv("LIGHTBOX_STORE", store, 1);
		fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 2);
		execv(lightbox, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		fatal("cannot run %s: %s", lightbox, strerror(errno));
	*ms = util_mono_ms() - t0;
	*kb = ru.ru_maxrss;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void chunk(FILE *f, const char *type, const unsigned char *data, uint32_t n)
{
	unsigned char head[8], crc[4];
	uLong c = crc32(0, (const Bytef *)type, 4);

	put32(head, n);
	memcpy(head + 4, type, 4);
	c = crc32(c, data, n);
	put32(crc, (uint32_t)c);
	fwrite(head, 1, 8, f);
	fwrite(data, 1, n, f);
	fwrite(crc, 1, 4, f);
}

/* A 16x16 PNG with an A1111 "parameters" tEXt chunk; seed makes it unique. */
static void write_png(const char *path, int seed)
{
	unsigned char ihdr[13] = { 0 }, raw[16 * (1 + 16 * 3)], z[2048];
	char text[512];
	uLongf zn = sizeof z;
	FILE *f = fopen(path, "wb");
	int x, y, n;

	if (f == NULL)
		fatal("cannot write %s: %s", path, strerror(errno));
	put32(ihdr, 16);
	put32(ihdr + 4, 16);
	ihdr[8] = 8;
	ihdr[9] = 2;
	for (y = 0; y < 16; y++) {
		raw[y * 49] = 0;
		for (x = 0; x < 48; x++)
			raw[y * 49 + 1 + x] = (unsigned char)(seed * 31 + x * 7 + y * 13);
	}
	compress2(z, &zn, raw, sizeof raw, 6);
	n = snprintf(text, sizeof text,
		     "parameters%ca lighthouse on a cliff, storm, %d\nNegative prompt: blurry\n"
		     "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: %d, Size: 16x16, Model: bench-xl",
		     0, seed % 50, seed);
	fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
	chunk(f, "IHDR", ihdr, 13);
	chunk(f, "tEXt", (const unsigned char *)text, (uint32_t)n);
	chunk(f, "IDAT", z, (uint32_t)zn);
	chunk(f, "IEND", (const unsigned char *)"", 0);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	long long n;

	return v && util_parse_int(v, 1, 10000000, &n) == 0 ? (int)n : def;
}

static struct store *open_store(const char *dir, const char *curator)
{
	struct store_options o = { 0 };
	struct store *st;
	char *err;

	o.create = 1;
	o.curator = curator;
	if (store_open(dir, &o, &st, &err) != 0)
		fatal("%s", err);
	return st;
}

static void check(struct store *st, int rc)
{
	if (rc != 0)
		fatal("%s", store_errmsg(st));
}

static void bench_import(int nfiles)
{
	char *dir = xasprintf("%s/import-files", scratch), *store = xasprintf("%s/import-store", scratch), path[512];
	const char *init[] = { "init", NULL };
	const char *padd[] = { "project", "add", "Bench", NULL };
	const char *badd[] = { "brief", "add", "--project", "bench", "--title", "Lighthouse", NULL };
	const char *imp[] = { "import", dir, "--brief", "1", NULL };
	double ms, t0;
	long kb;
	int i, rc;

	mkdir(dir, 0777);
	t0 = util_mono_ms();
	for (i = 0; i < nfiles; i++) {
		snprintf(path, sizeof path, "%s/img%05d.png", dir, i);
		write_png(path, i);
	}
	printf("import: %d PNG files of 16x16 with A1111 parameters written in %.1f s\n", nfiles,
	       (util_mono_ms() - t0) / 1000);
	run(store, NULL, &ms, &kb, init);
	run(store, NULL, &ms, &kb, padd);
	run(store, NULL, &ms, &kb, badd);
	rc = run(store, NULL, &ms, &kb, imp);
	printf("import: %d files in %.2f s = %.0f files/s, peak memory %.1f MB (exit %d)\n", nfiles, ms / 1000,
	       nfiles * 1000.0 / ms, kb / 1024.0, rc);
	rc = run(store, NULL, &ms, &kb, imp);
	printf("import again (everything already in, skipped): %.2f s = %.0f files/s, peak memory %.1f MB "
	       "(exit %d)\n",
	       ms / 1000, nfiles * 1000.0 / ms, kb / 1024.0, rc);
	free(dir);
	free(store);
}

static void bench_export(int ncand, int nsel)
{
	char *store = xasprintf("%s/export-store", scratch), *out, *copy;
	const char *fmts[] = { "json", "csv", "md" };
	struct lb_candidate_input *in;
	struct lb_brief_fields bf = { 0 };
	struct store *st, *bob, *cy;
	int64_t project, brief = 0, *ids, asset;
	int nbriefs = ncand / 1000 > 0 ? ncand / 1000 : 1, per = ncand / nbriefs, b, i, k, existed, rc;
	int every = ncand / nsel > 0 ? ncand / nsel : 1, made = 0;
	unsigned char pixels[64];
	double t0, ms;
	long kb;

	t0 = util_mono_ms();
	st = open_store(store, "alice");
	bob = open_store(store, "bob");
	cy = open_store(store, "cy");
	check(st, store_project_add(st, "Export bench", "", &project));
	in = xcalloc((size_t)per, sizeof *in);
	ids = xcalloc((size_t)per, sizeof *ids);
	bf.modality = LB_IMAGE;
	for (b = 0; b < nbriefs; b++) {
		char title[64], prompt[96];
		snprintf(title, sizeof title, "Brief %d", b + 1);
		snprintf(prompt, sizeof prompt, "a lighthouse on a cliff, variation %d", b);
		bf.title = title;
		bf.prompt = prompt;
		check(st, store_brief_add(st, project, &bf, &brief));
		check(st, store_batch_begin(st, "bench"));
		for (i = 0; i < per; i++) {
			struct lb_asset_facts f = { "image/png", "png", 8, 8, 0 };
			memset(&in[i], 0, sizeof in[i]);
			in[i].brief_id = brief;
			in[i].backend = "bench";
			in[i].model = "bench-xl";
			in[i].has_seed = 1;
			in[i].seed = (int64_t)b * per + i;
			in[i].params = "{\"steps\":20,\"cfg_scale\":7}";
			if (i % every == 0) {
				/* The ones to select get files of their own. */
				for (k = 0; k < (int)sizeof pixels; k++)
					pixels[k] = (unsigned char)(b * 131 + i * 17 + k);
				check(st, store_asset_put(st, pixels, sizeof pixels, &f, &asset, &existed));
				in[i].asset_id = asset;
			} else {
				in[i].body = "a text candidate standing in for the rest";
			}
		}
		check(st, store_candidate_add_many(st, in, (size_t)per, ids));
		for (i = 0, k = made; i < per && k < nsel; i += every, k++) {
			check(st, store_select(st, ids[i], "poster", "print at A2"));
			check(st, store_rate(st, ids[i], 4));
			check(st, store_tag_add(st, ids[i], "final"));
		}
		check(st, store_batch_end(st, 1));
		/* The other curators, each in a transaction of their own. */
		check(bob, store_batch_begin(bob, "bench"));
		for (i = 0, k = made; i < per && k < nsel; i += every, k++)
			check(bob, store_rate(bob, ids[i], 3 + i % 3));
		check(bob, store_batch_end(bob, 1));
		check(cy, store_batch_begin(cy, "bench"));
		for (i = 0; i < per && made < nsel; i += every, made++)
			check(cy, store_flag(cy, ids[i], LB_FLAG_PICK));
		check(cy, store_batch_end(cy, 1));
	}
	store_close(&bob);
	store_close(&cy);
	store_close(&st);
	printf("export: built a project of %d candidates in %d briefs, %d selected and rated by 3 curators, "
	       "in %.1f s\n",
	       nbriefs * per, nbriefs, made, (util_mono_ms() - t0) / 1000);
	for (k = 0; k < 3; k++) {
		const char *args[] = { "export", "export-bench", "--format", fmts[k], NULL };
		struct stat sb;
		out = xasprintf("%s/record.%s", scratch, fmts[k]);
		rc = run(store, out, &ms, &kb, args);
		stat(out, &sb);
		printf("export --format %-4s (the %d selections): %.2f s, peak memory %.1f MB, %.1f MB written "
		       "(exit %d)\n",
		       fmts[k], made, ms / 1000, kb / 1024.0, sb.st_size / 1048576.0, rc);
		free(out);
	}
	{
		const char *args[] = { "export", "export-bench", "--all", "--format", "json", NULL };
		struct stat sb;
		out = xasprintf("%s/record-all.json", scratch);
		rc = run(store, out, &ms, &kb, args);
		stat(out, &sb);
		printf("export --all --format json (all %d candidates): %.2f s, peak memory %.1f MB, %.1f MB "
		       "written (exit %d)\n",
		       nbriefs * per, ms / 1000, kb / 1024.0, sb.st_size / 1048576.0, rc);
		free(out);
	}
	copy = xasprintf("%s/delivery", scratch);
	{
		const char *args[] = { "export", "export-bench", "--copy-to", copy, NULL };
		rc = run(store, NULL, &ms, &kb, args);
		printf("export --copy-to (%d files, MANIFEST.sha256, synced): %.2f s, peak memory %.1f MB (exit %d)\n",
		       made, ms / 1000, kb / 1024.0, rc);
	}
	free(copy);
	free(in);
	free(ids);
	free(store);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	setvbuf(stdout, NULL, _IOLBF, 0);
	lightbox = getenv("LIGHTBOX");
	if (lightbox == NULL || access(lightbox, X_OK) != 0)
		fatal("set LIGHTBOX to the lightbox program to measure");
	snprintf(scratch, sizeof scratch, "%s/lbbench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL)
		fatal("cannot create a scratch folder: %s", strerror(errno));
	printf("records bench in %s\n", scratch);
	bench_import(env_int("BENCH_FILES", 10000));
	bench_export(env_int("BENCH_CANDIDATES", 100000), env_int("BENCH_SELECTIONS", 5000));
	if (!getenv("BENCH_KEEP") || strcmp(getenv("BENCH_KEEP"), "1") != 0)
		nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
