#!/bin/sh
# doctor and demo on a PostgreSQL store (issue 18): doctor checks what
# is the store's own (its rows: orphans, fingerprints, watches; its
# assets folder: thumbnails, modes) and leaves the database's files to
# the server, saying so; the fix it names for the folder's modes (init
# --private) works on the URL; --fix makes missing fingerprints.  A URL's
# password is never printed.  demo builds its own SQLite store whatever
# LIGHTBOX_STORE says, and goes into a PostgreSQL database named by
# --store when that holds no project yet.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"
pg_start
plan 17

U=$(pg_newdb doc)
# the same database, with a password the server (trust) does not need
SECRET=$(echo "$U" | sed 's|lightbox@|lightbox:hunter2@|')
export LIGHTBOX_STORE=$SECRET
mkdir "$T/img"
mkpng "$T/img/a.png" 8 8 200 10 10
mkpng "$T/img/b.png" 8 8 10 200 10
lb init --assets "$T/pga" || { echo "Bail out! init: $(cat "$T/err")"; exit 1; }
is "$(stat -c %a "$T/pga")" 700 "a new assets folder is private to its owner, whatever the umask"
lb project add P && lb brief add --project 1 --title s --prompt x &&
	lb candidate add --brief 1 "$T/img/a.png" "$T/img/b.png" || { echo "Bail out! setup: $(cat "$T/err")"; exit 1; }

lb doctor
is "$?" 0 "doctor runs on a PostgreSQL store"
like "$(cat "$T/out")" "database +PostgreSQL, schema [0-9]+ \\(its files, modes, integrity and backups are the server's" \
	"it says what it leaves to the server"
like "$(cat "$T/out")" "assets +$T/pga" "it names the assets folder"
like "$(cat "$T/out")" "orphans +0 asset files" "it counts orphans in the database's rows"
like "$(cat "$T/out")" "fingerprints +2 made, 0 missing" "and the fingerprints"
like "$(cat "$T/out")" "modes +right: private" "the folder's modes are right"
unlike "$(cat "$T/out.all" "$T/err.all")" "hunter2" "the password is never printed"

# a wrong mode: named, with the fix, which works on the URL
chmod 0644 "$T"/pga/assets/*/*.png
lb doctor
is "$?" 1 "wrong modes fail doctor"
like "$(cat "$T/out")" "fix with +lightbox --store 'postgresql://lightbox@/doc[^']*' init --private" \
	"the fix names the store's URL (without the password)"
lb init --private
lb doctor
like "$(cat "$T/out")" "modes +right: private" "init --private mends the assets folder"

# missing fingerprints: --fix makes them
pg_sql "$U" "DELETE FROM fingerprint" >/dev/null
lb doctor --fix
like "$(cat "$T/out")" "fixed +2 made now" "doctor --fix makes the missing fingerprints"
is "$(pg_sql "$U" 'SELECT count(*) FROM fingerprint')" 2 "(in the database)"

# demo: its own SQLite store whatever LIGHTBOX_STORE says
XDG_DATA_HOME=$T/xdg lb demo </dev/null
ok "demo with LIGHTBOX_STORE a URL builds its own SQLite store" test -f "$T/xdg/lightbox-demo/lightbox.db"
unset LIGHTBOX_STORE
D=$(pg_newdb demo)
LIGHTBOX_ASSETS=$T/demoa lb --store "$D" demo </dev/null
is "$?:$(pg_sql "$D" "SELECT count(*) FROM project WHERE slug LIKE 'harbour%'")" "0:1" \
	"demo --store URL builds it in that database"
LIGHTBOX_ASSETS=$T/demoa lb --store "$D" demo </dev/null
like "$?:$(cat "$T/out")" "^0:The demo store is already at postgresql://" "again: it is there already"
LIGHTBOX_ASSETS=$T/pga lb --store "$U" demo </dev/null
like "$?:$(cat "$T/err")" "^1:.*holds a store that is not the demo — choose another database" \
	"a database with other projects is left alone"
done_testing
