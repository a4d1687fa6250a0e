# pg.sh - a private PostgreSQL cluster for one test file (sourced after
# tap.sh).
#
#   . "$top_srcdir/tests/lib/tap.sh"
#   . "$top_srcdir/tests/lib/pg.sh"
#   pg_start                  # or skips the whole file, saying why
#   LIGHTBOX_STORE=$(pg_newdb one) lb init --assets "$T/assets"
#
# pg_start makes a cluster in a folder of its own (initdb, trust
# authentication, no TCP: listen_addresses is empty and the only socket is
# in that folder), starts it with pg_ctl and exports PG_URL (a URL of its
# `postgres` database).  It is stopped and removed when the test exits.
# One cluster per test file: start it once, make a database per case with
# pg_newdb NAME (prints its URL).  initdb and postgres refuse to run as
# root, so as root they run as the Unix user `nobody` (runuser); the
# cluster's folder is then nobody's, outside $T (which is root's, 0700).
#
# PG_BINDIR (default: Debian's /usr/lib/postgresql/15/bin, else pg_config
# --bindir) names where initdb, pg_ctl and postgres are.

: "${PG_BINDIR:=}"
if [ -z "$PG_BINDIR" ]; then
	for _d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		[ -x "$_d/initdb" ] && PG_BINDIR=$_d && break
	done
fi
if [ -z "$PG_BINDIR" ] && command -v pg_config >/dev/null; then
	PG_BINDIR=$(pg_config --bindir)
fi

# _pg_as CMD...: runs CMD as the cluster's owner.
_pg_as() {
	if [ -n "$_pg_user" ]; then
		runuser -u "$_pg_user" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	[ -n "$PG_BINDIR" ] && [ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ] ||
		skip_all "needs PostgreSQL's server programs (Debian: postgresql); set PG_BINDIR to their folder"
	_pg_user=
	if [ "$(id -u)" = 0 ]; then
		command -v runuser >/dev/null || skip_all "as root, needs runuser to run PostgreSQL as nobody"
		id nobody >/dev/null 2>&1 || skip_all "as root, needs the user nobody to run PostgreSQL as"
		_pg_user=nobody
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lbpg.XXXXXX") || skip_all "cannot make a folder for the cluster"
	at_exit "_pg_stop"
	# The socket's folder must be reachable by the tests' user.
	chmod 755 "$PG_DIR"
	mkdir "$PG_DIR/sock"
	[ -z "$_pg_user" ] || chown -R "$_pg_user" "$PG_DIR"
	if ! _pg_as "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U lightbox --auth=trust -E UTF8 \
		--locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		sed 's/^/# /' "$PG_DIR/initdb.log" | tail -5
		echo "Bail out! initdb failed"
		exit 1
	fi
	# No TCP; fsync off (a test cluster dies with its test) unless the
	# caller sets PG_SERVER_OPTS (bench-pg.sh: PostgreSQL's durable defaults).
	: "${PG_SERVER_OPTS=-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=40}"
	if ! _pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR/sock' $PG_SERVER_OPTS" \
		start >/dev/null 2>&1; then
		sed 's/^/# /' "$PG_DIR/server.log" | tail -5
		echo "Bail out! the PostgreSQL server did not start"
		exit 1
	fi
	PG_HOST=$PG_DIR/sock
	PG_URL="postgresql://lightbox@/postgres?host=$PG_HOST"
	export PG_URL PG_HOST PG_DIR
}

_pg_stop() {
	[ -f "$PG_DIR/data/postmaster.pid" ] &&
		_pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
}

# pg_newdb NAME: makes an empty database NAME in the cluster; prints its URL.
pg_newdb() {
	_pg_as "$PG_BINDIR/psql" -X -q -h "$PG_HOST" -U lightbox -d postgres -c "CREATE DATABASE \"$1\"" \
		>/dev/null || {
		echo "Bail out! cannot create the database $1" >&2
		exit 1
	}
	echo "postgresql://lightbox@/$1?host=$PG_HOST"
}

# pg_sql URL SQL: runs SQL in the database of URL; prints rows unaligned.
pg_sql() {
	"$PG_BINDIR/psql" -X -q -A -t -d "$1" -c "$2"
}
