#!/bin/sh
# bench-pg.sh - bench-pg (the store on PostgreSQL beside SQLite) against a
# private cluster on a Unix socket, started here as the tests start theirs
# (tests/lib/pg.sh; as root, PostgreSQL runs as nobody) but with
# PostgreSQL's durable defaults (fsync, full_page_writes and
# synchronous_commit on), and stopped at the end.
#
#   LIGHTBOX=./lightbox tests/bench/bench-pg.sh
#
# BENCH_PG_N candidates for the pages (default 1000000), BENCH_PG_PICS_N
# pictures of 512x512 noise for the import (default 200).  Prints figures;
# asserts nothing.
set -e
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${LIGHTBOX:?set LIGHTBOX to the lightbox program to measure}"
: "${BENCH_PG_PICS_N:=200}"
: "${TMPDIR:=/tmp}"

# What tests/lib/tap.sh gives pg.sh: a skip, and cleanups run at exit.
_cleanups=:
at_exit() { _cleanups="$1; $_cleanups"; }
skip_all() {
	echo "bench-pg: skipped: $*"
	exit 0
}
trap 'eval "$_cleanups"' EXIT
trap 'exit 1' INT TERM

PG_SERVER_OPTS="-c max_connections=60"
. "$top_srcdir/tests/lib/pg.sh"
pg_start

BENCH_PG_PICS=$(mktemp -d "$TMPDIR/lb-pg-pics.XXXXXX")
at_exit "rm -rf '$BENCH_PG_PICS'"
i=0
set --
while [ "$i" -lt "$BENCH_PG_PICS_N" ]; do
	set -- "$@" "$BENCH_PG_PICS/$(printf 'p%05d.png' "$i")"
	i=$((i + 1))
done
python3 "$top_srcdir/tests/tui/noise-png.py" 512 512 "$@"
"$PG_BINDIR/postgres" --version | sed 's/^/server: /'
echo "cluster: fsync on, synchronous_commit on (unless said), Unix socket; load: $(uptime | sed 's/.*load/load/')"
echo
export LIGHTBOX PG_HOST BENCH_PG_PICS
"${BENCH_PG:-tests/bench/bench-pg}"
