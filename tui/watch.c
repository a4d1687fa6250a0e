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

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct watch_job {
	pthread_t thread;
	pthread_mutex_t mu;
	char *folder;            /* as typed, made absolute by the watch */
	char *dir, *curator;     /* the store to open */
	int64_t brief_id;
	int wake_fd;
	atomic_int stop;         /* asked to stop */
	/* shared with the main thread, under mu */
	size_t added, failed, shown;
	char *first_failure;
	int finished, rc;
	char *err;
};

static int w_tick(void *ctx, const struct lb_watch_status *s)
{
	struct watch_job *j = ctx;

	(void)s;
	return atomic_load(&j->stop);
}

static void w_landed(void *ctx, const struct lb_watch_status *s)
{
	struct watch_job *j = ctx;

	pthread_mutex_lock(&j->mu);
	j->added = s->n[LB_IMPORT_ADDED] + s->n[LB_IMPORT_SAME_ASSET];
	j->failed = s->n[LB_IMPORT_FAILED];
	pthread_mutex_unlock(&j->mu);
	tui_wake(j->wake_fd, WAKE_STORE);
}

static void w_report(void *ctx, const struct lb_import_item *it)
{
	struct watch_job *j = ctx;

	if (it->status != LB_IMPORT_FAILED)
		return;
	pthread_mutex_lock(&j->mu);
	j->failed++;
	free(j->first_failure);
	j->first_failure = xasprintf("%s: %s", it->shown ? it->shown : "?", it->reason ? it->reason : "failed");
	pthread_mutex_unlock(&j->mu);
	tui_wake(j->wake_fd, WAKE_IMPORT);
}

static void *run(void *arg)
{
	struct watch_job *j = arg;
	struct store_options so;
	struct lb_watch_options wo;
	struct lb_watch_status s;
	struct store *st = NULL;
	char *err = NULL;
	int rc;

	memset(&so, 0, sizeof so);
	memset(&s, 0, sizeof s);
	so.curator = j->curator;
	rc = store_open(j->dir, &so, &st, &err);
	if (rc == 0) {
		memset(&wo, 0, sizeof wo);
		wo.import.brief_id = j->brief_id;
		wo.import.report = w_report;
		wo.import.ctx = j;
		wo.tick = w_tick;
		wo.landed = w_landed;
		wo.ctx = j;
		rc = store_watch(st, j->folder, &wo, &s);
		if (rc)
			err = xstrdup(store_errmsg(st));
	}
	pthread_mutex_lock(&j->mu);
	j->added = s.n[LB_IMPORT_ADDED] + s.n[LB_IMPORT_SAME_ASSET];
	j->rc = rc;
	j->err = err;
	j->finished = 1;
	pthread_mutex_unlock(&j->mu);
	store_close(&st);
	tui_wake(j->wake_fd, WAKE_IMPORT);
	return NULL;
}

static void job_free(struct watch_job *j)
{
	free(j->folder);
	free(j->dir);
	free(j->curator);
	free(j->first_failure);
	free(j->err);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

/* Stops the watch and says what it did. */
static void finish(struct tui *ui, int asked)
{
	struct watch_job *j = ui->watch;
	char *folder;

	if (j == NULL)
		return;
	atomic_store(&j->stop, 1);
	pthread_join(j->thread, NULL);
	folder = util_visible_dup(j->folder, 0);
	if (j->rc && !asked)
		tui_error(ui, "watching %s stopped: %s", folder, j->err ? j->err : "the store failed");
	else
		tui_msg(ui, "stopped watching %s: %zu file%s imported into brief #%lld%s%s", folder, j->added,
			j->added == 1 ? "" : "s", (long long)j->brief_id, j->failed ? "; failed: " : "",
			j->failed && j->first_failure ? j->first_failure : "");
	free(folder);
	job_free(j);
	ui->watch = NULL;
	ui->next_poll = 0;
	ui->dirty |= R_REDRAW;
}

void tui_watch_poll(struct tui *ui)
{
	struct watch_job *j = ui->watch;
	size_t added, failed;
	int finished;
	char *folder, *fail = NULL;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	finished = j->finished;
	added = j->added;
	failed = j->failed;
	if (j->first_failure && failed)
		fail = xstrdup(j->first_failure);
	pthread_mutex_unlock(&j->mu);
	if (finished) {
		finish(ui, 0);
	} else if (added != j->shown) {
		j->shown = added;
		folder = util_visible_dup(j->folder, 0);
		tui_msg(ui, "watching %s: %zu imported into brief #%lld%s%s", folder, added, (long long)j->brief_id,
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
		atomic_store(&ui->watch->stop, 1);
		pthread_join(ui->watch->thread, NULL);
		job_free(ui->watch);
		ui->watch = NULL;
	}
}

static int watch_start(struct tui *ui, int64_t brief_id, const char *folder)
{
	struct watch_job *j = xcalloc(1, sizeof *j);

	pthread_mutex_init(&j->mu, NULL);
	j->folder = xstrdup(folder);
	j->brief_id = brief_id;
	j->dir = xstrdup(store_name(ui->st));
	j->curator = xstrdup(store_curator(ui->st));
	j->wake_fd = ui->wake[1];
	if (util_thread_start(&j->thread, run, j) != 0) {
		job_free(j);
		tui_error(ui, "cannot start the watch");
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
