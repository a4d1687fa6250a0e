#!/bin/sh
# browse.sh on a PostgreSQL store (issue 18): the same keys, screens and
# rows in the store, through libpq (tests/tui/lib.sh, LB_TEST_DIALECT).
LB_TEST_DIALECT=pg
. "$(dirname "$0")/browse.sh"
