#!/bin/sh
# jobs.sh on a PostgreSQL store (issue 18: make check runs the screen tests
# on both dialects; tests/tui/lib.sh, LB_TEST_DIALECT).
LB_TEST_DIALECT=pg
. "$(dirname "$0")/jobs.sh"
