#!/bin/sh
# db-convert.sh - moves store/ from SQLite's calls to the db layer's
# (store/db.h, issue 18): sqlite3_x -> db_x, SQLITE_X -> DB_X,
# sqlite3_stmt -> db_stmt, "sqlite3 *" -> "struct db *", and
# <sqlite3.h> -> "db.h".  A pure rename: db.h has SQLite's shapes, and
# the calls dispatch on the connection (db-sqlite.c, db-pg.c).
#
# Run from the top of the tree, as often as needed (it is idempotent):
#   sh store/db-convert.sh            converts store/*.c store/*.h
#   sh store/db-convert.sh FILE...    converts those files
# It never touches store/db*.c and store/db.h (the layer itself), and
# lists any sqlite3 name left over (there should be none).
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- store/*.c store/*.h
for f in "$@"; do
	case "$f" in
	store/db.h | store/db.c | store/db-*.c | store/db-convert.sh) continue ;;
	esac
	sed -i \
		-e 's/\bsqlite3_stmt\b/db_stmt/g' \
		-e 's/\bsqlite3_int64\b/int64_t/g' \
		-e 's/\bsqlite3 \*/struct db */g' \
		-e 's/\bsqlite3_\([a-z0-9_]*\)/db_\1/g' \
		-e 's/\bSQLITE_\([A-Z0-9_]*\)/DB_\1/g' \
		-e 's/#include <sqlite3\.h>/#include "db.h"/' \
		"$f"
	if grep -n 'sqlite3[_ ]\|SQLITE_' "$f" >&2; then
		echo "db-convert: $f still names SQLite above" >&2
	fi
done
