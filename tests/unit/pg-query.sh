#!/bin/sh
# test-query's tests on PostgreSQL (all but the one that edits a SQLite
# file): each makes its store in a new database of one private cluster
# (tests/lib/pg.sh; LB_TEST_STORE_URL, see test-query.c).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
LB_TEST_STORE_URL=$PG_URL "$top_builddir/tests/unit/test-query"
