#!/bin/sh
# Identity and access on a PostgreSQL store (issue 18): the curator is
# the database role (or the name its owner maps it to, setting
# curator:ROLE), every event records the role in event.login, and the
# group roles migration 11 makes are enforced by grants: a member of
# lightbox_reviewer rates but may not purge or change settings, and is
# told what it lacks; undo acts on the caller's own events only.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
plan 17

unset LIGHTBOX_CURATOR
mkdir "$T/img"
mkpng "$T/img/a.png" 8 8 200 10 10
mkpng "$T/img/b.png" 8 8 10 200 10
OWN=$(pg_newdb roles)
url() { echo "postgresql://$1@/roles?host=$PG_HOST"; }
as() {
	_who=$1
	shift
	LIGHTBOX_STORE=$(url "$_who") lb "$@"
}
q() { pg_sql "$OWN" "$1"; }

# The roles are made by the first store's owner that may make roles.
pg_sql "$PG_URL" "CREATE ROLE plain LOGIN" >/dev/null && pg_sql "$PG_URL" "CREATE DATABASE plaindb OWNER plain" >/dev/null
PLAIN="postgresql://plain@/plaindb?host=$PG_HOST"
LIGHTBOX_STORE=$PLAIN lb init --assets "$T/plain"
like "$(cat "$T/err")" "role plain may not create them; have a superuser run CREATE ROLE lightbox_reviewer" \
	"an owner who may not make the roles is told who can, and how"
is "$(pg_sql "$PLAIN" "SELECT to_regclass('brief') IS NULL")" "t" "and no half-made store is left"

export LIGHTBOX_STORE="$OWN"
lb init --assets "$T/assets" --aliases off &&
	lb project add Demo >/dev/null && lb brief add --project 1 --title sky >/dev/null &&
	lb candidate add --brief 1 "$T/img/a.png" "$T/img/b.png" >/dev/null
ok "the owner makes the store" test -s "$T/out"
unset LIGHTBOX_STORE
is "$(q "SELECT string_agg(rolname, ' ' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'lightbox_%'")" \
	"lightbox_curator lightbox_reviewer" "the migration made the two group roles"
LIGHTBOX_STORE=$PLAIN lb init --assets "$T/plain"
is "$?:$(cat "$T/err")" "0:" "then an owner who may not make roles makes a store"
pg_sql "$PG_URL" "CREATE ROLE alice LOGIN IN ROLE lightbox_curator; CREATE ROLE rev LOGIN IN ROLE lightbox_reviewer;
	CREATE ROLE stranger LOGIN" >/dev/null
q "INSERT INTO setting VALUES ('curator:rev', 'rita')" >/dev/null

ok "alice (a curator) rates" as alice rate 1 4
ok "rev (a reviewer) rates" as rev rate 1 2
ok "and flags" as rev flag 1 pick
is "$(q "SELECT curator || ' ' || login FROM event WHERE entity = 'rating' ORDER BY id")" \
	"alice alice
rita rev
rita rev" "each event records the curator (the role, or its mapped name) and the role"

as alice flag 2 reject >/dev/null
as rev purge 1 --rejected --yes
is "$?" 1 "rev may not purge"
sed 's/^/# /' "$T/err"
like "$(cat "$T/err")" "your database role 'rev' may not do that .*it needs lightbox_curator; ask the store's owner" \
	"and is told which grant it lacks"
is "$(find "$T/assets/assets" -name '*.png' | wc -l)" 2 "and its files are all there"
as rev init --aliases on
like "$(cat "$T/err")" "your database role 'rev' may not: only the store's owner may" \
	"rev may not change the store's settings"
LIGHTBOX_CURATOR=alice as rev rate 2 1
like "$(cat "$T/err")" "curator name 'alice' .*is not 'rita', the curator of your database role 'rev'" \
	"rev may not rate as alice where the store allows no aliases"

as alice undo && as alice undo
is "$(q "SELECT curator || ' ' || stars FROM rating WHERE candidate_id = 1 ORDER BY curator")" "rita 2" \
	"alice's undo takes back her rating, not rev's"
as rev undo
is "$(q "SELECT curator || ' ' || stars || ' ' || flag FROM rating WHERE candidate_id = 1")" "rita 2 none" \
	"rev undoes his own flag"
as stranger rate 1 3
like "$(cat "$T/err")" "role 'stranger' may not .*it needs lightbox_reviewer or lightbox_curator" \
	"a role in neither group may not rate"
done_testing
