#!/bin/sh
# test-store's tests that run on both dialects, on PostgreSQL: each test
# makes its store in a new database of one private cluster
# (tests/lib/pg.sh; LB_TEST_STORE_URL, see test-store.c).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
LB_TEST_STORE_URL=$PG_URL "$top_builddir/tests/unit/test-store"
