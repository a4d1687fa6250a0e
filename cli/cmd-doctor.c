/*
 * cmd-doctor.c - lightbox doctor: what this terminal and this machine can
 * show, and why: the terminal's answers and the preview mode that follows
 * (asked by the interface's own detection, tui_doctor_terminal), the
 * programs previews use (ffmpeg, the players), and the thumbnail cache.
 * It changes nothing and creates no store (but --fix makes the missing
 * fingerprints).
 */
#include "config.h"

#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keymaps/keymaps.h"
#include "media/media.h"
#include "tui/tui.h"
#include "util.h"

static const char help[] =
	"Usage: lightbox [--store DIR] [--config FILE] [--preview MODE] doctor [--fix]\n"
	"\n"
	"Says what this terminal can draw and why lightbox draws pictures the way it\n"
	"does: the questions it asks the terminal and the answers (made visible), the\n"
	"cell size, the colours, the preview mode chosen and the reason; then the\n"
	"programs previews use (ffmpeg, the audio and video players) and the thumbnail\n"
	"cache.  --preview MODE (or `set preview-mode`) shows what forcing a mode means.\n"
	"Then the store's perceptual fingerprints: how many are made, missing, failed\n"
	"and why.  --fix makes the missing ones (and tries the failed ones again).\n";

static const struct option doctor_opts[] = {
	{ "fix", no_argument, NULL, 'f' },
	{ 0 },
};

/* Where a program named by an argv template is found, or NULL. */
static char *which(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *full;

	if (prog == NULL || *prog == '\0')
		return NULL;
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
	for (p = path ? path : "/usr/bin:/bin"; p; p = colon ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		full = xasprintf("%.*s/%s", colon ? (int)(colon - p) : (int)strlen(p), p, prog);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
	}
	return NULL;
}

static void program(const char *label, const char *prog, const char *missing)
{
	char *where = which(prog), *vis = cli_safe(prog, 0), *wvis = where ? cli_safe(where, 0) : NULL;

	if (where)
		printf("  %-13s %s\n", label, wvis);
	else
		printf("  %-13s %s not found: %s\n", label, vis, missing);
	free(where);
	free(wvis);
	free(vis);
}

static void player(const struct km_options *o, enum km_option id)
{
	const char *tmpl = km_opt_string(o, id);
	char **argv = NULL, *err = NULL, *vis = cli_safe(tmpl, 0), *label;

	label = xasprintf("%s", km_opt_name(id));
	if (tmpl == NULL || *tmpl == '\0') {
		printf("  %-13s (none): a plays nothing\n", label);
	} else if (km_argv_template(tmpl, NULL, &argv, &err) != 0) {
		printf("  %-13s %s: %s\n", label, vis, err);
	} else {
		char *m = xasprintf("set %s to a player that is installed", km_opt_name(id));
		printf("  %-13s %s\n", label, vis);
		program("", argv[0], m);
		free(m);
	}
	km_argv_free(&argv);
	free(err);
	free(vis);
	free(label);
}

/* Thumbnails under cache/thumbs: how many and how large. */
static void count_thumbs(const char *dir, long *n, long long *bytes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat sb;
	char *p;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode)) {
				count_thumbs(p, n, bytes);
			} else if (S_ISREG(sb.st_mode)) {
				(*n)++;
				*bytes += sb.st_size;
			}
		}
		free(p);
	}
	closedir(d);
}

/* The group a store (name) is shared with: its setting, else the group
 * of its group-writable folder (dir); NULL for a private store.  Owned. */
static char *shared_group(const char *name, const char *dir)
{
	struct store_options so = { 0 };
	struct store *st = NULL;
	struct stat sb;
	char *err = NULL, *group = NULL;

	so.readonly = 1;
	if (store_open(name, &so, &st, &err) == 0) {
		store_setting_get(st, "shared", &group);
		store_close(&st);
	}
	free(err);
	if (group == NULL && stat(dir, &sb) == 0 && (sb.st_mode & S_IWGRP))
		group = util_group_name(sb.st_gid);
	return group;
}

/* The folders being watched for new files (import --watch, or the
 * interface's watch), read from their registration files. */
static void list_watches(const char *dir)
{
	struct store_options so = { 0 };
	struct store *st = NULL;
	struct lb_watch_entry *v = NULL;
	char *err = NULL;
	size_t n = 0, i, linked = 0, bad = 0;

	so.readonly = 1;
	if (store_open(dir, &so, &st, &err) == 0) {
		store_watch_list(st, 0, &v, &n);
		store_asset_link_check(st, &linked, &bad);
		store_close(&st);
	}
	if (linked)
		printf("  linked        %zu asset%s linked, not copied (import --link)%s\n", linked,
		       linked == 1 ? "" : "s",
		       bad ? "" : "; none changed by size and time (lightbox verify reads the bytes)");
	if (bad)
		printf("                %zu of them changed or vanished outside lightbox: lightbox verify names "
		       "them, lightbox relink DIR puts them back\n", bad);
	free(err);
	if (n == 0)
		printf("  watches       none\n");
	for (i = 0; i < n; i++)
		printf("  %-13s %s for brief %lld, by %s (pid %ld)\n", i ? "" : "watches", v[i].folder,
		       (long long)v[i].brief_id, v[i].login, v[i].pid);
	lb_watch_list_free(v, n);
}

/* Whether the store's files (in dir) have the modes its sharing calls
 * for; when not, which and the one command that mends them.  0 when
 * right.  name is the store: dir, or a PostgreSQL URL (whose database's
 * modes are the server's). */
static int check_modes(const char *name, const char *dir)
{
	char *group = shared_group(name, dir), *vis;
	struct store_modes m;
	size_t i;
	int rc = 0;

	if (store_modes(dir, group, 0, &m) != 0) {
		vis = cli_safe(m.error, 0);
		printf("  modes         shared with a group that does not exist: %s\n", vis);
		free(vis);
		rc = -1;
	} else if (m.nbad == 0) {
		vis = group ? cli_safe(group, 0) : NULL;
		if (group)
			printf("  modes         right: shared with the group %s (folders 2770, files 0660)\n", vis);
		else
			printf("  modes         right: private (folders 0700, files 0600)\n");
		free(vis);
	} else {
		printf("  modes         %zu files and folders are wrong for a %s store:\n", m.nbad,
		       group ? "shared" : "private");
		for (i = 0; i < m.nexamples; i++) {
			vis = cli_safe(m.examples[i], 0);
			printf("                %s\n", vis);
			free(vis);
		}
		if (strcmp(name, dir) != 0) {
			/* init mends the assets folder of a PostgreSQL store */
			char *url = store_url_safe(name), *q = util_shell_quote(url), *g = util_shell_quote(group ? group : "");

			free(m.fix);
			m.fix = group ? xasprintf("lightbox --store %s init --shared %s", q, g)
				      : xasprintf("lightbox --store %s init --private", q);
			free(url);
			free(q);
			free(g);
		}
		vis = cli_safe(m.fix, 0);
		printf("  fix with      %s\n", vis);
		free(vis);
		vis = cli_safe(m.owners, 0);
		printf("                (run by %s%s)\n", vis, strcmp(m.owners, "root") == 0 ? "" : ", their owners, or root");
		free(vis);
		rc = -1;
	}
	if (m.unread) {
		vis = cli_safe(m.unread, 0);
		printf("                (you cannot read %s: what is inside was not checked)\n", vis);
		free(vis);
	}
	store_modes_clear(&m);
	free(group);
	return rc;
}

/* Asset files nothing refers to, older than gc's default grace. */
static void orphans(const char *dir)
{
	struct store_options so = { 0 };
	struct store *st = NULL;
	struct lb_gc_list l;
	char *err = NULL, *vis;

	so.readonly = 1;
	if (store_open(dir, &so, &st, &err) != 0) {
		vis = cli_safe(err, 0);
		printf("  %-13s not counted: %s\n", "orphans", vis);
		free(vis);
		free(err);
		return;
	}
	if (store_gc_find(st, 86400, &l) != 0) {
		vis = cli_safe(store_errmsg(st), 0);
		printf("  %-13s not counted: %s\n", "orphans", vis);
		free(vis);
	} else {
		printf("  %-13s %zu asset file%s nothing refers to, %.1f MB%s\n", "orphans", l.n,
		       l.n == 1 ? "" : "s", (double)l.bytes / 1e6, l.n ? " ('lightbox gc' removes them)" : "");
		lb_gc_list_free(&l);
	}
	store_close(&st);
}

/* The store part on a PostgreSQL store (url): the same checks of its
 * rows and of its assets folder; the database's files, modes and
 * integrity are the server's.  0 when nothing is wrong. */
static int doctor_pg(struct cli *c, const char *url, int fix)
{
	struct store_options so = { 0 };
	struct store *st = NULL;
	char *err = NULL, *safe = store_url_safe(url), *vis = cli_safe(safe, 0), *files, *fv, *thumbs;
	long n = 0;
	long long bytes = 0;
	int rc = 0;

	so.readonly = 1;
	if (store_open(url, &so, &st, &err) != 0) {
		char *ev = cli_safe(err, 0);

		printf("  %s\n  %-13s not opened: %s\n", vis, "database", ev);
		free(ev);
		free(err);
		free(vis);
		free(safe);
		return -1;
	}
	files = xstrdup(store_dir(st));
	printf("  %s\n  %-13s PostgreSQL, schema %d (its files, modes, integrity and backups are the "
	       "server's: not checked here)\n",
	       vis, "database", store_schema_version(st));
	store_close(&st);
	fv = cli_safe(files, 0);
	printf("  %-13s %s\n", "assets", fv);
	thumbs = xasprintf("%s/cache/thumbs", files);
	count_thumbs(thumbs, &n, &bytes);
	printf("  thumbnails    %ld, %.1f MB (rebuilt when missing; safe to delete)\n", n, (double)bytes / 1e6);
	orphans(url);
	if (check_modes(url, files) != 0)
		rc = -1;
	list_watches(url);
	cli_doctor_fingerprints(c, url, fix);
	free(thumbs);
	free(fv);
	free(files);
	free(vis);
	free(safe);
	return rc;
}

int cmd_doctor(struct cli *c, int argc, char **argv)
{
	struct km_config *cfg;
	const struct km_options *o;
	struct sbuf out;
	char *path, *dir, *thumbs, *vis;
	long n = 0;
	long long bytes = 0;
	size_t i, nerr;
	int rc, opt, fix = 0;

	if (cli_args(c, &argc, argv, "", doctor_opts, help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", doctor_opts, NULL)) != -1) {
		if (opt != 'f')
			return cli_usage(c, "unknown option");
		fix = 1;
	}
	if (optind != argc)
		return cli_usage(c, "takes no arguments (but --fix)");
	cfg = km_config_new();
	path = c->config ? xstrdup(c->config) : km_config_default_path();
	if (path)
		km_config_load_file(cfg, path, c->config != NULL);
	nerr = km_config_nerrors(cfg);
	for (i = 0; i < nerr; i++) {
		vis = cli_safe(km_config_error(cfg, i), 0);
		fprintf(stderr, "lightbox: doctor: %s\n", vis);
		free(vis);
	}
	o = km_config_options(cfg);

	sb_init(&out);
	rc = tui_doctor_terminal(o, c->preview, &out);
	fputs(out.s, rc == 0 ? stdout : stderr);
	sb_free(&out);
	if (rc != 0) {
		km_config_free(&cfg);
		free(path);
		return CLI_USAGE;
	}

	printf("\nPrograms\n");
	program("ffmpeg", media_ffmpeg_program(), "video shows its facts only; audio other than WAV has no waveform");
	player(o, KM_O_AUDIO_PLAYER);
	player(o, KM_O_VIDEO_PLAYER);
	printf("  %-13s %lld megapixels (larger pictures are refused before decoding)\n", "pixel-limit",
	       (long long)km_opt_int(o, KM_O_PIXEL_LIMIT));

	rc = CLI_OK;
	printf("\nStore\n");
	dir = store_default_dir(c->store_dir);
	thumbs = xasprintf("%s/cache/thumbs", dir);
	vis = cli_safe(dir, 0);
	if (store_is_url(dir)) {
		if (doctor_pg(c, dir, fix) != 0)
			rc = CLI_FAIL;
	} else if (access(dir, F_OK) != 0) {
		printf("  %s does not exist yet ('lightbox init' makes it)\n", vis);
	} else {
		count_thumbs(thumbs, &n, &bytes);
		printf("  %s\n  thumbnails    %ld, %.1f MB (rebuilt when missing; safe to delete)\n", vis, n,
		       (double)bytes / 1e6);
		orphans(dir);
		if (check_modes(dir, dir) != 0)
			rc = CLI_FAIL;
		list_watches(dir);
		cli_doctor_fingerprints(c, dir, fix);
	}
	if (path) {
		char *pv = cli_safe(path, 0);
		printf("  config        %s%s\n", pv, access(path, F_OK) == 0 ? "" : " (none)");
		free(pv);
	}
	free(vis);
	free(thumbs);
	free(dir);
	free(path);
	km_config_free(&cfg);
	return rc;
}
