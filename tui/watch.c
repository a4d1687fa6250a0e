/*
 * watch.c - watching a folder for new files from the interface: the
 * store's watch (store/watch.c, the same as `import --watch`) runs in a
 * thread of its own with its own store connection and wakes the loop
 * through the self-pipe when files went in, so the open list shows them
 * as they land.  One watch at a time; the `watch` action again stops it,
 * and quitting stops it (what went in stays; the next watch of the
 * folder takes what arrived meanwhile).
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct watch_job {
	struct filejob f;        /* first: the thread's work gets &f */
	char *folder;            /* as typed, made absolute by the watch */
	size_t shown_in, shown_failed; /* interface thread: the counts last said */
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
	filejob_failed(ctx, it, 0);
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

/* Stops the watch and says what it did. */
static void finish(struct tui *ui, int asked)
{
	struct watch_job *j = ui->watch;
	struct filejob *f = j ? &j->f : NULL;
	size_t in, failed;
	char *folder;

	if (j == NULL)
		return;
	filejob_stop(f);
	folder = util_visible_dup(j->folder, 0);
	in = filejob_in(f->n);
	failed = f->n[LB_IMPORT_FAILED];
	if (f->rc && !asked)
		tui_error(ui, "watching %s stopped: %s", folder, f->err ? f->err : "the store failed");
	else
		tui_msg(ui, "stopped watching %s: %zu file%s imported into brief #%lld%s%s", folder, in,
			in == 1 ? "" : "s", (long long)f->brief_id, failed ? "; failed: " : "",
			failed && f->failure ? f->failure : "");
	free(folder);
	job_free(j);
	ui->watch = NULL;
	ui->next_poll = 0;
	ui->dirty |= R_REDRAW;
}

void tui_watch_poll(struct tui *ui)
{
	struct watch_job *j = ui->watch;
	struct filejob *f = j ? &j->f : NULL;
	size_t in, failed;
	int finished;
	char *folder, *fail = NULL;

	if (j == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	finished = f->finished;
	in = filejob_in(f->n);
	failed = f->n[LB_IMPORT_FAILED];
	if (f->failure && failed)
		fail = xstrdup(f->failure);
	pthread_mutex_unlock(&f->mu);
	if (finished) {
		finish(ui, 0);
	} else if (in != j->shown_in || failed != j->shown_failed) {
		j->shown_in = in;
		j->shown_failed = failed;
		folder = util_visible_dup(j->folder, 0);
		tui_msg(ui, "watching %s: %zu imported into brief #%lld%s%s", folder, in, (long long)f->brief_id,
			fail ? "; last failure: " : "", fail ? fail : "");
		free(folder);
		ui->next_poll = 0; /* the new candidates: now, not at the next poll */
		ui->dirty |= R_REDRAW;
	}
	free(fail);
}

void tui_watch_stop(struct tui *ui)
{
	if (ui->watch) {
		filejob_stop(&ui->watch->f);
		job_free(ui->watch);
		ui->watch = NULL;
	}
}

static int watch_start(struct tui *ui, int64_t brief_id, const char *folder)
{
	struct watch_job *j = xcalloc(1, sizeof *j);

	j->folder = xstrdup(folder);
	j->f.work = watch_work;
	if (filejob_start(ui, &j->f, brief_id, "watch") != 0) {
		job_free(j);
		return -1;
	}
	ui->watch = j;
	return 0;
}

static void watch_accept(struct tui *ui, void *arg, const char *text)
{
	int64_t brief_id = *(int64_t *)arg;
	const char *home = getenv("HOME");
	char *path, *vis;
	struct stat sb;
	size_t len;

	if (*text == '\0')
		return;
	path = text[0] == '~' && text[1] == '/' && home ? xasprintf("%s%s", home, text + 1) : xstrdup(text);
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	vis = util_visible_dup(path, 0);
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		tui_error(ui, "watch: %s is not a folder; name the folder the files land in", vis);
	else if (watch_start(ui, brief_id, path) == 0)
		tui_msg(ui, "watching %s for brief #%lld: new files go in as they are closed ('watch' again stops)",
			vis, (long long)brief_id);
	free(vis);
	free(path);
}

int tui_watch(struct tui *ui, int64_t brief_id, const char *arg)
{
	if (ui->watch) {
		finish(ui, 1);
		return R_REDRAW;
	}
	if (brief_id == 0) {
		tui_msg(ui, "open a brief first: the files of a watched folder become its candidates");
		return R_REDRAW;
	}
	return tui_path_prompt(ui, brief_id, arg, "watch folder for new files: ", watch_accept);
}
