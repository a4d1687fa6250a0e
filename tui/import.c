/*
 * import.c - importing files and folders from the interface: the store's
 * import runs in a thread of its own with its own store connection (a
 * folder of ten thousand files takes minutes), reports its progress in
 * the status line, and wakes the loop through the self-pipe so the new
 * candidates appear in the open list as their batches commit.  The
 * interface stays usable meanwhile; quitting stops the import after the
 * file in hand (what was committed stays, and running it again goes on
 * from there).
 */
#include "config.h"

#include "tui-private.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct import_job {
	struct filejob f;        /* first: the thread's work gets &f */
	char **paths;            /* owned */
	size_t npaths;
	int link;                /* link the files, as import --link */
};

static void on_report(void *ctx, const struct lb_import_item *it)
{
	filejob_report(ctx, it, 1);
}

static int on_progress(void *ctx, const struct lb_import_progress *p)
{
	struct filejob *f = ctx;

	filejob_counts(f, p->n, p->done, p->total, 0);
	return atomic_load(&f->stop);
}

static int import_work(struct filejob *f, struct store *st)
{
	struct import_job *j = (struct import_job *)f;
	struct lb_import_options o;
	struct lb_import_result res;
	int rc;

	memset(&o, 0, sizeof o);
	memset(&res, 0, sizeof res);
	o.brief_id = f->brief_id;
	o.report = on_report;
	o.progress = on_progress;
	o.ctx = f;
	o.link = j->link;
	store_announce(st, "an import in lightbox's interface");
	rc = store_import(st, (const char *const *)j->paths, j->npaths, &o, &res);
	store_announce_end(st);
	if (rc == 0) {
		pthread_mutex_lock(&f->mu);
		f->total = res.total;
		memcpy(f->n, res.n, sizeof f->n);
		f->done = atomic_load(&f->stop) ? f->done : res.total;
		pthread_mutex_unlock(&f->mu);
	}
	lb_import_result_clear(&res);
	return rc;
}

static void job_free(struct import_job *j)
{
	size_t i;

	for (i = 0; i < j->npaths; i++)
		free(j->paths[i]);
	free(j->paths);
	filejob_clear(&j->f);
	free(j);
}

int tui_import_start(struct tui *ui, int64_t brief_id, char **paths, size_t n, int link)
{
	struct import_job *j;
	size_t i;

	if (ui->import) {
		tui_msg(ui, "an import is running already; wait for it to finish");
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->paths = xcalloc(n, sizeof *j->paths);
	for (i = 0; i < n; i++)
		j->paths[i] = xstrdup(paths[i]);
	j->npaths = n;
	j->link = link;
	j->f.work = import_work;
	if (filejob_start(ui, &j->f, brief_id, "import") != 0) {
		job_free(j);
		return -1;
	}
	ui->import = j;
	free(ui->status_note);
	ui->status_note = xstrdup("importing...");
	return 0;
}

void tui_import_poll(struct tui *ui)
{
	struct import_job *j = ui->import;
	struct filejob *f = j ? &j->f : NULL;
	const char *how;
	char *note, *fail = NULL;
	size_t n[LB_IMPORT__COUNT], done, total;
	int finished, rc;

	if (j == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	memcpy(n, f->n, sizeof n);
	done = f->done;
	total = f->total;
	finished = f->finished;
	rc = f->rc;
	pthread_mutex_unlock(&f->mu);
	if (!finished) {
		note = xasprintf("importing %zu/%zu", done, total);
		if (ui->status_note == NULL || strcmp(note, ui->status_note) != 0) {
			free(ui->status_note);
			ui->status_note = note;
			ui->dirty |= R_REDRAW;
		} else {
			free(note);
		}
		return;
	}
	pthread_join(f->thread, NULL);
	xfree(&ui->status_note);
	if (rc)
		tui_error(ui, "import into brief #%lld stopped: %s", (long long)f->brief_id,
			  f->err ? f->err : "the store failed");
	else {
		if (f->failure)
			fail = xasprintf("; first failure: %s", f->failure);
		else if (f->note)
			fail = xasprintf("; %s", f->note);
		how = !j->link ? "" : f->note ? " (linked where they could be)" : " (linked)";
		tui_msg(ui, "import into brief #%lld%s: %zu added%s, %zu already there, %zu "
			    "failed%s",
			(long long)f->brief_id, atomic_load(&f->stop) ? " (stopped)" : "",
			filejob_in(n), how, n[LB_IMPORT_DUPLICATE], n[LB_IMPORT_FAILED],
			fail ? fail : "");
		free(fail);
	}
	job_free(j);
	ui->import = NULL;
	/* The last batch: show it now rather than at the next poll. */
	ui->next_poll = 0;
	ui->dirty |= R_REDRAW;
}

void tui_import_stop(struct tui *ui)
{
	if (ui->import == NULL)
		return;
	filejob_stop(&ui->import->f);
	job_free(ui->import);
	ui->import = NULL;
}

/* ------------------------------------------------------------ completing paths */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t complete_paths(const char *word, char ***out)
{
	const char *home = getenv("HOME"), *slash, *base;
	char *dir, *shown_dir, *full;
	struct dirent *e;
	struct stat sb;
	size_t n = 0, blen;
	DIR *d;

	*out = NULL;
	slash = strrchr(word, '/');
	shown_dir = slash ? xstrndup(word, (size_t)(slash - word + 1)) : xstrdup("");
	base = slash ? slash + 1 : word;
	if (shown_dir[0] == '~' && shown_dir[1] == '/' && home)
		dir = xasprintf("%s%s", home, shown_dir + 1);
	else
		dir = xstrdup(*shown_dir ? shown_dir : "./");
	d = opendir(dir);
	blen = strlen(base);
	while (d && (e = readdir(d)) != NULL && n < 500) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(e->d_name, base, blen) != 0)
			continue;
		full = xasprintf("%s%s", dir, e->d_name);
		*out = xrealloc(*out, (n + 1) * sizeof **out);
		(*out)[n++] = xasprintf("%s%s%s", shown_dir, e->d_name,
					stat(full, &sb) == 0 && S_ISDIR(sb.st_mode) ? "/" : "");
		free(full);
	}
	if (d)
		closedir(d);
	if (n > 1)
		qsort(*out, n, sizeof **out, cmp_str);
	free(dir);
	free(shown_dir);
	return n;
}

/* ------------------------------------------------------------ the action */


const char *tui_link_option(const char *text, int *link)
{
	*link = 0;
	while (*text == ' ')
		text++;
	if (strncmp(text, "--link", 6) == 0 && (text[6] == ' ' || text[6] == '\0')) {
		*link = 1;
		for (text += 6; *text == ' ';)
			text++;
	}
	return text;
}

static void import_accept(struct tui *ui, void *arg, const char *text)
{
	int64_t brief_id = *(int64_t *)arg;
	const char *home = getenv("HOME");
	char **argv = NULL, *err = NULL;
	size_t n = 0, i;
	int link;

	text = tui_link_option(text, &link);
	if (*text == '\0') {
		if (link)
			tui_error(ui, "import: --link links the files named after it; name them");
		return;
	}
	/* Quotes and backslashes as a shell would take them; never a shell. */
	if (km_argv_template(text, NULL, &argv, &err) != 0) {
		tui_error(ui, "import: %s", err);
		free(err);
		return;
	}
	for (n = 0; argv[n]; n++) {
		size_t len;
		if (argv[n][0] == '~' && argv[n][1] == '/' && home) {
			char *p = xasprintf("%s%s", home, argv[n] + 1);
			free(argv[n]);
			argv[n] = p;
		}
		/* "shots/" (as completion leaves it) names the folder "shots". */
		len = strlen(argv[n]);
		while (len > 1 && argv[n][len - 1] == '/')
			argv[n][--len] = '\0';
	}
	for (i = 0; i < n; i++) {
		if (access(argv[i], R_OK) != 0) {
			char *vis = util_visible_dup(argv[i], 0);
			tui_error(ui, "import: cannot read %s; nothing was imported", vis);
			free(vis);
			km_argv_free(&argv);
			return;
		}
	}
	if (tui_import_start(ui, brief_id, argv, n, link) == 0)
		tui_msg(ui, "importing into brief #%lld%s; the list fills in as files are stored",
			(long long)brief_id,
			link ? ", linking the files (copied where they cannot be)" : "");
	km_argv_free(&argv);
}

int tui_path_prompt(struct tui *ui, int64_t brief_id, const char *arg, const char *label,
		    void (*accept)(struct tui *ui, void *arg, const char *text))
{
	struct prompt_spec ps;
	int64_t *id = xmalloc(sizeof *id);

	*id = brief_id;
	memset(&ps, 0, sizeof ps);
	ps.label = label;
	ps.complete = CPL_PATHS;
	ps.history = HIST_OTHER;
	ps.accept = accept;
	ps.arg = id;
	ps.arg_free = free;
	prompt_or_text(ui, &ps, arg);
	return R_REDRAW;
}

int tui_import(struct tui *ui, int64_t brief_id, const char *arg)
{
	if (brief_id == 0) {
		tui_msg(ui, "open a brief first: files are imported as its candidates");
		return R_REDRAW;
	}
	return tui_path_prompt(ui, brief_id, arg,
			       "import files or folders (--link first: link, not copy): ",
			       import_accept);
}
