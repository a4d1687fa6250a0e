/*
 * pg-translate.c - prints SQL written in SQLite's dialect as the store's
 * rewriter gives it to PostgreSQL (db_pg_translate), so a shell test's
 * `sql` asks a PostgreSQL store the same question (tests/lib/tap.sh,
 * LB_TEST_DIALECT=pg).  A construct it cannot rewrite: its message on
 * stderr, exit 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

int main(int argc, char **argv)
{
	char *out;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: pg-translate SQL\n");
		return 2;
	}
	out = db_pg_translate(argv[1], &n);
	if (out[0] == '\x01') {
		fprintf(stderr, "pg-translate: %s\n", out + 1);
		free(out);
		return 1;
	}
	puts(out);
	free(out);
	return 0;
}
