/*
 * pipe.c - the pipe action (`|`): runs a program on the marked candidates,
 * or the current one.  The command is a `pipe NAME COMMAND ARGS...` line
 * of the config, chosen from the prompt's list, or typed; it is split into
 * words as the player templates are and run without a shell (a shell only
 * when the user writes sh -c).  The candidates' file paths are appended as
 * arguments, and one JSON object per candidate, one per line, is its
 * standard input (a private temporary file, so a program that does not
 * read it never blocks lightbox).  The screen is left as for $EDITOR; when
 * the program ends its exit status is shown, and Enter returns.
 */
#include "config.h"

#include "tui-private.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* One candidate as a JSON line (the fields of `candidate show --json` a
 * program is likely to want). */
static void json_line(struct sbuf *b, const struct lb_candidate *c, const struct lb_revision *rev)
{
	json_t *o = json_object(), *tags = json_array();
	char *text, *dup, *save = NULL, *t;

	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "brief_id", json_integer(c->brief_id));
	json_object_set_new(o, "modality", util_json_str(lb_modality_name(c->modality)));
	json_object_set_new(o, "path", c->path && !c->purged ? util_json_str(c->path) : json_null());
	json_object_set_new(o, "purged", json_boolean(c->purged != 0));
	json_object_set_new(o, "sha256", c->sha256 ? util_json_str(c->sha256) : json_null());
	json_object_set_new(o, "media_type", c->media_type ? util_json_str(c->media_type) : json_null());
	json_object_set_new(o, "width", json_integer(c->width));
	json_object_set_new(o, "height", json_integer(c->height));
	/* The effective prompts: the candidate's own, else its revision's. */
	json_object_set_new(o, "prompt", util_json_str(c->prompt && *c->prompt ? c->prompt
										 : rev->f.prompt ? rev->f.prompt : ""));
	json_object_set_new(o, "negative",
			    util_json_str(c->negative && *c->negative ? c->negative
							   : rev->f.negative ? rev->f.negative : ""));
	json_object_set_new(o, "seed", c->has_seed ? json_integer(c->seed) : json_null());
	json_object_set_new(o, "model", util_json_str(c->model ? c->model : ""));
	json_object_set_new(o, "source", util_json_str(c->source ? c->source : ""));
	json_object_set_new(o, "backend", util_json_str(c->backend ? c->backend : ""));
	json_object_set_new(o, "params", json_loads(c->params ? c->params : "{}", 0, NULL));
	json_object_set_new(o, "mean_stars", json_real(c->mean_stars));
	json_object_set_new(o, "ratings", json_integer(c->n_ratings));
	json_object_set_new(o, "picks", json_integer(c->n_picks));
	json_object_set_new(o, "rejects", json_integer(c->n_rejects));
	json_object_set_new(o, "selected", json_boolean(c->selected));
	dup = xstrdup(c->tags ? c->tags : "");
	for (t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(tags, util_json_str(t));
	free(dup);
	json_object_set_new(o, "tags", tags);
	if (c->asset_id == 0 && c->body)
		json_object_set_new(o, "text", util_json_str(c->body));
	/* Strings that are not UTF-8 become null rather than break the line. */
	text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (text) {
		sb_adds(b, text);
		sb_adds(b, "\n");
		free(text);
	}
}

/* A private temporary file holding data, read from its start; -1 on error. */
static int stdin_file(const char *data, size_t n)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/lightbox-pipe.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkostemp(path, O_CLOEXEC);

	if (fd >= 0) {
		unlink(path);
		if (util_write_all(fd, data, n) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
			close(fd);
			fd = -1;
		}
	}
	free(path);
	return fd;
}

/* Runs argv with in as its standard input, in the foreground, without a
 * shell; says how it ended and waits for Enter.  The status as a message. */
static char *run(char **argv, int in)
{
	char *msg, *cmd = util_visible_dup(argv[0], 0), line[64];
	ssize_t r;
	int status = 0, tty;

	if (util_run_wait(argv, in, &status) != 0)
		msg = xasprintf("pipe: cannot start %s: %s", cmd, strerror(errno));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		msg = xasprintf("pipe: '%s' was not found (no shell runs it: write sh -c '...' "
				"for one)",
				cmd);
	else if (WIFEXITED(status))
		msg = xasprintf("pipe: '%s' exited with status %d", cmd, WEXITSTATUS(status));
	else
		msg = xasprintf("pipe: '%s' was killed by signal %d", cmd, WTERMSIG(status));
	/* The program's output stays on the screen until Enter. */
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0) {
		char *say = xasprintf("\n[lightbox: %s; press Enter to return]", msg + 6);
		if (util_write_all(tty, say, strlen(say)) == 0)
			while ((r = read(tty, line, sizeof line)) > 0 && memchr(line, '\n', (size_t)r) == NULL)
				;
		free(say);
		close(tty);
	}
	free(cmd);
	return msg;
}

int tui_pipe_run(struct tui *ui, const char *command, const int64_t *ids, size_t n)
{
	struct km_config *cfg = ui->cfg;
	const struct km_pipe_rec *named = NULL;
	char **words = NULL, **argv, *err = NULL, *msg;
	struct sbuf in;
	struct lb_revision rev;
	size_t i, k, nw = 0, nfiles = 0;
	int fd;

	for (i = 0; cfg && i < km_config_npipes(cfg); i++)
		if (strcmp(km_config_pipe(cfg, i)->name, command) == 0)
			named = km_config_pipe(cfg, i);
	if (named == NULL && km_argv_template(command, NULL, &words, &err) != 0) {
		tui_error(ui, "pipe: %s", err);
		free(err);
		return R_REDRAW;
	}
	for (k = 0; (named ? named->argv : words)[k]; k++)
		nw++;
	argv = xcalloc(nw + n + 1, sizeof *argv);
	for (k = 0; k < nw; k++)
		argv[k] = (named ? named->argv : words)[k];
	sb_init(&in);
	memset(&rev, 0, sizeof rev);
	for (i = 0; i < n; i++) {
		struct lb_candidate c;
		if (store_candidate_get(ui->st, ids[i], &c) != 0)
			continue;
		if (c.revision_id != rev.id) {
			lb_revision_clear(&rev);
			if (store_revision_get(ui->st, c.revision_id, &rev) != 0)
				memset(&rev, 0, sizeof rev);
		}
		json_line(&in, &c, &rev);
		/* A file that is gone (purged) or a text without one: JSON only. */
		if (c.path && !c.purged)
			argv[nw + nfiles++] = xstrdup(c.path);
		lb_candidate_clear(&c);
	}
	lb_revision_clear(&rev);
	fd = stdin_file(in.s ? in.s : "", in.len);
	sb_free(&in);
	if (fd < 0) {
		tui_error(ui, "pipe: cannot write the candidates for the program's input: %s",
			  strerror(errno));
	} else {
		tui_suspend_screen(ui);
		msg = run(argv, fd);
		tui_resume_screen(ui);
		close(fd);
		tui_msg(ui, "%s (%zu candidate%s, %zu file%s)", msg, n, n == 1 ? "" : "s", nfiles,
			nfiles == 1 ? "" : "s");
		free(msg);
	}
	for (k = 0; k < nfiles; k++)
		free(argv[nw + k]);
	free(argv);
	km_argv_free(&words);
	return R_REDRAW | R_FULL;
}

const char **tui_pipe_names(struct tui *ui)
{
	size_t i, n = ui->cfg ? km_config_npipes(ui->cfg) : 0;
	const char **v = xcalloc(n + 1, sizeof *v);

	for (i = 0; i < n; i++)
		v[i] = km_config_pipe(ui->cfg, i)->name;
	return v;
}

/* ------------------------------------------------------------ purge preview */

/* What `lightbox purge` would free in a brief, read by the worker (the
 * plan reads every candidate of the brief) and told on the message line. */
struct purge_task {
	struct bg_task t;
	int64_t brief;
	int below;
	struct lb_purge_plan plan;
	char *err;
};

static void purge_run(struct bg_task *t, struct store *st)
{
	struct purge_task *p = (struct purge_task *)t;
	struct lb_purge_options o = { 0 };
	struct lb_brief b;

	if (store_brief_get(st, p->brief, &b) != 0) {
		p->err = xstrdup(store_errmsg(st));
		return;
	}
	o.project_id = b.project_id;
	o.brief_id = p->brief;
	o.rejected = 1;
	o.below = p->below;
	lb_brief_clear(&b);
	if (store_purge_plan(st, &o, &p->plan) != 0)
		p->err = xstrdup(store_errmsg(st));
}

static void purge_done(struct bg_task *t, struct tui *ui)
{
	struct purge_task *p = (struct purge_task *)t;
	struct sbuf ids, how;
	size_t i, shown = 0;
	int64_t nfree = (int64_t)p->plan.n - p->plan.n_kept;
	double mib = (double)p->plan.bytes / 1048576.0;

	if (p->err) {
		tui_error(ui, "purge preview: %s", p->err);
		return;
	}
	sb_init(&ids);
	sb_init(&how);
	for (i = 0; i < p->plan.n; i++)
		if (!p->plan.v[i].kept && shown++ < 12)
			sb_addf(&ids, " #%lld", (long long)p->plan.v[i].candidate_id);
	if (shown > 12)
		sb_addf(&ids, " and %zu more", shown - 12);
	sb_addf(&how, "lightbox purge %lld --rejected", (long long)p->brief);
	if (p->below)
		sb_addf(&how, " --below %d", p->below);
	if (nfree == 0)
		tui_msg(ui, "purge would free nothing in brief %lld (rejected%s, never picked, not "
			    "selected)%s",
			(long long)p->brief, p->below ? " or rated low" : "",
			p->plan.n_kept ? "; the files ruled out are used elsewhere" : "");
	else {
		char kept[48] = "";
		if (p->plan.n_kept)
			snprintf(kept, sizeof kept, "; %lld kept (used elsewhere)", (long long)p->plan.n_kept);
		tui_msg(ui, "purge would free %lld file%s (%.1f MiB):%s%s; %s frees them", (long long)nfree,
			nfree == 1 ? "" : "s", mib, ids.s ? ids.s : "", kept, how.s);
	}
	sb_free(&ids);
	sb_free(&how);
	ui->dirty |= R_REDRAW;
}

static void purge_free(struct bg_task *t)
{
	struct purge_task *p = (struct purge_task *)t;

	lb_purge_plan_clear(&p->plan);
	free(p->err);
	free(p);
}

int tui_purge_preview(struct tui *ui, uint64_t owner, int64_t brief, const char *arg)
{
	struct purge_task *p;
	long long below = 0;

	if (brief == 0) {
		tui_msg(ui, "purge preview: open a brief first");
		return R_REDRAW;
	}
	if (arg && *arg && util_parse_int(arg, 1, 5, &below) < 0) {
		tui_error(ui, "purge preview: give the stars to purge below, 1 to 5 (or nothing: "
			      "rejected only)");
		return R_REDRAW;
	}
	p = xcalloc(1, sizeof *p);
	p->t.run = purge_run;
	p->t.done = purge_done;
	p->t.free = purge_free;
	p->t.owner = owner;
	p->t.key = 0x7075;
	p->brief = brief;
	p->below = (int)below;
	bg_submit(ui->bg, &p->t);
	tui_msg(ui, "purge preview: reading brief %lld...", (long long)brief);
	return R_REDRAW;
}
