/*
 * editor.c - leaving the screen for $EDITOR (or a player) and coming back
 * to exactly the screen that was there: the program mode is saved, the
 * terminal given back, and on return every cell is repainted from the
 * same state.  Text goes through a private temporary file that is removed
 * afterwards; if the editor fails, what was written is kept in memory for
 * the caller so nothing typed is lost.
 */
#include "config.h"

#include "tui-private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs argv (no shell) in the foreground and waits.  0 when it exited 0. */
static int run_argv(char **argv, char **err)
{
	int status;

	if (util_run_wait(argv, -1, &status) != 0)
		*err = xasprintf("cannot start %s: %s", argv[0], strerror(errno));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		*err = xasprintf("'%s' was not found", argv[0]);
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		*err = xasprintf("'%s' exited with status %d", argv[0], WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		*err = xasprintf("'%s' was killed by signal %d", argv[0], WTERMSIG(status));
	return *err ? -1 : 0;
}

int tui_run_foreground(struct tui *ui, char **argv, char **err)
{
	int rc;

	*err = NULL;
	tui_suspend_screen(ui);
	rc = run_argv(argv, err);
	tui_resume_screen(ui);
	return rc;
}

/* The editor: `set editor` if set, else $VISUAL, $EDITOR, vi; run as a
 * shell would run $EDITOR, the file passed as an argument. */
static int run_editor(struct tui *ui, const char *path, char **err)
{
	return util_run_editor(km_opt_string(ui->opt, KM_O_EDITOR), path, err);
}

int tui_edit_text(struct tui *ui, const char *text, const char *hint, char **out, char **err)
{
	const char *tmp = getenv("TMPDIR");
	char *path, *slug = util_slug(hint ? hint : "text");
	size_t len, n = strlen(text ? text : "");
	int fd, rc;

	*out = NULL;
	*err = NULL;
	path = xasprintf("%s/lightbox-%s-XXXXXX.txt", tmp && *tmp ? tmp : "/tmp", slug);
	free(slug);
	fd = mkostemps(path, 4, O_CLOEXEC); /* other threads start ffmpeg meanwhile */
	if (fd < 0) {
		*err = xasprintf("cannot make a temporary file in %s: %s", tmp && *tmp ? tmp : "/tmp",
				 strerror(errno));
		free(path);
		return -1;
	}
	if (util_write_all(fd, text, n) < 0) {
		*err = xasprintf("cannot write %s: %s%s", path, strerror(errno), util_write_hint(errno));
		close(fd);
		unlink(path);
		free(path);
		return -1;
	}
	close(fd);
	tui_suspend_screen(ui);
	rc = run_editor(ui, path, err);
	tui_resume_screen(ui);
	if (util_read_file(path, 64 << 20, out, &len) != 0) {
		if (*err == NULL)
			*err = xasprintf("cannot read back %s: %s", path, strerror(errno));
		rc = -1;
	}
	unlink(path);
	free(path);
	return rc;
}
