/*
 * messages.c - the message line: one or more lines for the user, shown
 * until the next key, through tui_msg and tui_error.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-private.h"

/* ------------------------------------------------------------ messages */

void tui_msg_clear(struct tui *ui)
{
	int i;

	for (i = 0; i < ui->nmsg; i++)
		xfree(&ui->msg[i]);
	if (ui->nmsg)
		ui->dirty |= R_REDRAW;
	ui->nmsg = 0;
	ui->msg_error = 0;
}

void tui_msg_add_line(struct tui *ui, int error, const char *line)
{
	if (ui->nmsg == MSG_MAX_LINES) {
		free(ui->msg[MSG_MAX_LINES - 1]);
		ui->msg[MSG_MAX_LINES - 1] = xstrdup("...");
		return;
	}
	ui->msg[ui->nmsg++] = xstrdup(line);
	ui->msg_error |= error;
	ui->dirty |= R_REDRAW;
}

static void vmsg(struct tui *ui, int error, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);

	tui_msg_clear(ui);
	tui_msg_add_line(ui, error, s);
	free(s);
}

void tui_msg(struct tui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ui, 0, fmt, ap);
	va_end(ap);
}

void tui_error(struct tui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ui, 1, fmt, ap);
	va_end(ap);
}

void tui_store_error(struct tui *ui, const char *what)
{
	tui_error(ui, "%s: %s", what, store_errmsg(ui->st));
}
