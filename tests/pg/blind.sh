#!/bin/sh
# tests/cli/blind.sh on a PostgreSQL store (issue 18: make check runs the store,
# CLI and screen tests on both dialects; LB_TEST_DIALECT in tests/lib/tap.sh).
LB_TEST_DIALECT=pg
. "$top_srcdir/tests/cli/blind.sh"
