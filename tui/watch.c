/*
 * watch.c - watching a folder for new files from the interface: the
 * store's watch (store/watch.c, the same as `import --watch`) runs in a
 * thread of its own with its own store connection and wakes the loop
 * through the self-pipe when files went in, so the open list shows them
 * as they land.  Several folders may be watched, each in its thread:
 * the `watch` action names a folder to start, a watched one to stop it,
 * and nothing to list them; quitting stops them all (what went in stays;
 * the next watch of a folder takes what arrived meanwhile).  A leading
 * --link links the files as `import --link` does.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct watch_job {
	struct filejob f;        /* first: the thread's work gets &f */
	char *folder;            /* its real path (realpath) */
	int link;                /* link the files, as import --link */
	size_t shown_in, shown_failed; /* interface thread: the counts last said */
	struct watch_job *next;  /* ui->watch: the watches, newest first */
};

static int w_tick(void *ctx, const struct lb_watch_status *s)
{
	struct filejob *f = ctx;

	filejob_counts(f, s->n, 0, 0, 0); /* failures; files in are woken by w_landed */
	return atomic_load(&f->stop);
}

static void w_landed(void *ctx, const struct lb_watch_status *s)
{
	filejob_counts(ctx, s->n, 0, 0, 1);
}

static void w_report(void *ctx, const struct lb_import_item *it)
{
	filejob_report(ctx, it, 0);
}

static int watch_work(struct filejob *f, struct store *st)
{
	struct watch_job *j = (struct watch_job *)f;
	struct lb_watch_options wo;
	struct lb_watch_status s;
	int rc;

	memset(&wo, 0, sizeof wo);
	memset(&s, 0, sizeof s);
	wo.import.brief_id = f->brief_id;
	wo.import.link = j->link;
	wo.import.report = w_report;
	wo.import.ctx = f;
	wo.tick = w_tick;
	wo.landed = w_landed;
	wo.ctx = f;
	rc = store_watch(st, j->folder, &wo, &s);
	pthread_mutex_lock(&f->mu);
	memcpy(f->n, s.n, sizeof f->n);
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static void job_free(struct watch_job *j)
{
	free(j->folder);
	filejob_clear(&j->f);
	free(j);
}

/* Takes j off the list, stops it and says what it did. */
static void finish(struct tui *ui, struct watch_job *j, int asked)
{
	struct watch_job **pp;
	struct filejob *f = &j->f;
	size_t in, failed;
	char *folder;

	for (pp = &ui->watch; *pp != j; pp = &(*pp)->next)
		;
	*pp = j->next;
	filejob_stop(f);
	folder = util_visible_dup(j->folder, 0);
	in = filejob_in(f->n);
	failed = f->n[LB_IMPORT_FAILED];
	if (f->rc && !asked)
		tui_error(ui, "watching %s stopped: %s", folder,
			  f->err ? f->err : "the store failed");
	else
		tui_msg(ui, "stopped watching %s: %zu file%s imported into brief #%lld%s%s", folder,
			in, in == 1 ? "" : "s", (long long)f->brief_id, failed ? "; failed: " : "",
			failed && f->failure ? f->failure : "");
	free(folder);
	job_free(j);
	ui->next_poll = 0;
	ui->dirty |= R_REDRAW;
}

void tui_watch_poll(struct tui *ui)
{
	struct watch_job *j, *next;
	struct filejob *f;
	size_t in, failed;
	int finished;
	char *folder, *fail;

	for (j = ui->watch; j; j = next) {
		next = j->next;
		f = &j->f;
		fail = NULL;
		pthread_mutex_lock(&f->mu);
		finished = f->finished;
		in = filejob_in(f->n);
		failed = f->n[LB_IMPORT_FAILED];
		if (f->failure && failed)
			fail = xasprintf("; last failure: %s", f->failure);
		else if (f->note)
			fail = xasprintf("; %s", f->note);
		pthread_mutex_unlock(&f->mu);
		if (finished) {
			finish(ui, j, 0);
		} else if (in != j->shown_in || failed != j->shown_failed) {
			j->shown_in = in;
			j->shown_failed = failed;
			folder = util_visible_dup(j->folder, 0);
			tui_msg(ui, "watching %s: %zu imported into brief #%lld%s", folder, in,
				(long long)f->brief_id, fail ? fail : "");
			free(folder);
			ui->next_poll = 0; /* the new candidates: now, not at the next poll */
			ui->dirty |= R_REDRAW;
		}
		free(fail);
	}
}

void tui_watch_stop(struct tui *ui)
{
	struct watch_job *j;

	while ((j = ui->watch) != NULL) {
		ui->watch = j->next;
		filejob_stop(&j->f);
		job_free(j);
	}
}

/* "watching 2 folders: A (brief #2, 5 in), B (brief #3, linked, 0 in)";
 * the prompt says how to stop one. */
static void list_watches(struct tui *ui)
{
	struct watch_job *j;
	struct sbuf b;
	size_t n = 0, in;
	char *folder;

	sb_init(&b);
	for (j = ui->watch; j; j = j->next)
		n++;
	sb_addf(&b, "watching %zu folder%s:", n, n == 1 ? "" : "s");
	for (j = ui->watch; j; j = j->next) {
		pthread_mutex_lock(&j->f.mu);
		in = filejob_in(j->f.n);
		pthread_mutex_unlock(&j->f.mu);
		folder = util_visible_dup(j->folder, 0);
		sb_addf(&b, "%s %s (brief #%lld%s, %zu in)", j == ui->watch ? "" : ",", folder,
			(long long)j->f.brief_id, j->link ? ", linked" : "", in);
		free(folder);
	}
	tui_msg(ui, "%s", b.s);
	sb_free(&b);
}

static int watch_start(struct tui *ui, int64_t brief_id, const char *folder, int link)
{
	struct watch_job *j = xcalloc(1, sizeof *j);

	j->folder = xstrdup(folder);
	j->link = link;
	j->f.work = watch_work;
	if (filejob_start(ui, &j->f, brief_id, "watch") != 0) {
		job_free(j);
		return -1;
	}
	j->next = ui->watch;
	ui->watch = j;
	return 0;
}

static void watch_accept(struct tui *ui, void *arg, const char *text)
{
	int64_t brief_id = *(int64_t *)arg;
	const char *home = getenv("HOME");
	struct watch_job *j;
	char *path, *real = NULL, *vis;
	struct stat sb;
	int link;

	text = tui_link_option(text, &link);
	if (*text == '\0') {
		if (ui->watch)
			list_watches(ui);
		else
			tui_msg(ui, "no folder is watched; name one at the watch prompt");
		return;
	}
	path = text[0] == '~' && text[1] == '/' && home ? xasprintf("%s%s", home, text + 1) : xstrdup(text);
	vis = util_visible_dup(path, 0);
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode) || (real = realpath(path, NULL)) == NULL) {
		tui_error(ui, "watch: %s is not a folder; name the folder the files land in", vis);
		goto out;
	}
	free(vis);
	vis = util_visible_dup(real, 0);
	for (j = ui->watch; j && strcmp(j->folder, real) != 0; j = j->next)
		;
	if (j)
		finish(ui, j, 1); /* a watched folder again: stop it */
	else if (brief_id == 0)
		tui_msg(ui, "open a brief first: the files of a watched folder become its "
			    "candidates");
	else if (watch_start(ui, brief_id, real, link) == 0)
		tui_msg(ui, "watching %s for brief #%lld%s: new files go in as they are closed "
			    "(name it again to stop)",
			vis, (long long)brief_id, link ? ", linking them" : "");
out:
	free(real);
	free(vis);
	free(path);
}

int tui_watch(struct tui *ui, int64_t brief_id, const char *arg)
{
	if (brief_id == 0 && ui->watch == NULL) {
		tui_msg(ui, "open a brief first: the files of a watched folder become its candidates");
		return R_REDRAW;
	}
	return tui_path_prompt(ui, brief_id, arg,
			       ui->watch ? "watch folder (--link first: link; a watched one: stop; "
					   "nothing: list): "
					 : "watch folder for new files (--link first: link, not "
					   "copy): ",
			       watch_accept);
}
