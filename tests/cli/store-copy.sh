#!/bin/sh
# store-copy.sh - `lightbox store copy SRC DST` (issue 18): a whole store,
# SQLite -> PostgreSQL -> SQLite, with identical exports and audit logs,
# every table counted and hashed on both sides; a copy killed (-9) half-way
# goes on from where it stopped when started again, without a duplicate;
# a source with another writer at work, or being copied, takes no other
# writer; a DST that is not empty (or of another schema) is refused; a
# URL's password is never printed.  One private cluster (tests/lib/pg.sh).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
plan 24

export LIGHTBOX_NOW=1700000000
mkdir "$T/img"
for i in 1 2 3 4 5 6; do mkpng "$T/img/p$i.png" 8 8 $((i * 30)) 10 10; done

# The source: two projects, briefs with revisions, image and text
# candidates, curation by two curators, tags, notes, a selection, pairs, a
# saved view, a purged file, an edited brief: rows in most tables.
S1=$LIGHTBOX_STORE
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add Harbour --description "the old port" >/dev/null
"$LIGHTBOX" project add Second >/dev/null
"$LIGHTBOX" brief add --project 1 --title sky --prompt "a red sky over the sea" >/dev/null
"$LIGHTBOX" brief add --project 1 --title poem --modality text --prompt "a poem" >/dev/null
"$LIGHTBOX" brief add --project 2 --title dock --prompt "cranes at dusk" >/dev/null
"$LIGHTBOX" candidate add --brief 1 "$T/img/p1.png" "$T/img/p2.png" "$T/img/p3.png" "$T/img/p4.png" >/dev/null
"$LIGHTBOX" candidate add --brief 3 "$T/img/p5.png" "$T/img/p6.png" >/dev/null
"$LIGHTBOX" candidate add --brief 2 --text "waves and gulls at dawn" >/dev/null
"$LIGHTBOX" rate 1 4 >/dev/null
"$LIGHTBOX" rate 2 2 >/dev/null
LIGHTBOX_CURATOR=bob "$LIGHTBOX" rate 1 5 >/dev/null 2>&1
"$LIGHTBOX" flag 3 reject >/dev/null
"$LIGHTBOX" flag 5 pick >/dev/null
"$LIGHTBOX" tag add 1 sunset >/dev/null
"$LIGHTBOX" tag add 5 Crane >/dev/null
"$LIGHTBOX" note add 1 "too red" >/dev/null
"$LIGHTBOX" note add --brief 1 "try dawn" >/dev/null
"$LIGHTBOX" select 1 --use hero >/dev/null
"$LIGHTBOX" select 5 --use poster >/dev/null
"$LIGHTBOX" compare 1 --left 1 --right 2 --verdict left >/dev/null 2>&1
"$LIGHTBOX" view save reds 'stars>=3' >/dev/null
"$LIGHTBOX" purge 1 --yes >/dev/null 2>&1
"$LIGHTBOX" rate 4 1 >/dev/null
"$LIGHTBOX" undo >/dev/null

# exports STORE: every project's JSON export and the audit log.
exports() {
	for p in 1 2; do
		"$LIGHTBOX" --store "$1" export "$p" --format json 2>&1
	done
	"$LIGHTBOX" --store "$1" log 2>&1
	"$LIGHTBOX" --store "$1" candidate ls --brief 1 --search red 2>&1
}
exports "$S1" >"$T/exp1"
ok "the source has something to copy" grep -q '"hero"' "$T/exp1"
