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
plan 32

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
"$LIGHTBOX" brief add --project 2 --title gen --prompt "a lighthouse" --params '{"width": 16, "height": 12}' >/dev/null
"$LIGHTBOX" gen 4 --seed 7 >/dev/null 2>&1
"$LIGHTBOX" gen --variation-of 1 -n 1 --seed 8 --backend builtin >/dev/null 2>&1
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
# LoRAs in a candidate's parameters: rows of candidate_lora, which each
# store's triggers keep (verified, not copied).
sql "UPDATE candidate SET params = '{\"loras\": [\"film\", {\"name\": \"Grain\"}]}' WHERE id = 2"
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

# copy SRC DST [ARGS]: runs store copy; $T/out, $T/err, the status in $rc.
copy() {
	lb store copy "$@"
	rc=$?
}
U1=$(pg_newdb one)
copy "$S1" "$U1" --assets "$T/pgassets"
is "$rc" 0 "SQLite -> PostgreSQL: done"
like "$(cat "$T/out")" "counts and hashes equal" "it says every table's count and hash agree"
ntables=$(sed -n 's/^copied .*: \([0-9]*\) tables.*/\1/p' "$T/out")
is "$(grep -cE '^[a-z_]+ +[0-9]+ +[0-9a-f]{16} +[0-9]+ +[0-9a-f]{16}$' "$T/out")" "$ntables" \
	"the summary gives rows and hashes of every table ($ntables) on both sides"
like "$(grep '^event ' "$T/out")" "^event +2[0-9] " "the audit log's rows are among them"
like "$(grep '^candidate_lora ' "$T/out")" "^candidate_lora +2 " "and the LoRA rows PostgreSQL's trigger made"
exports "$U1" >"$T/exp2"
ok "PostgreSQL's exports and log are the source's" cmp -s "$T/exp1" "$T/exp2"
nfiles=$(find "$S1/assets" -name '*.png' | wc -l)
is "$(find "$T/pgassets/assets" -name '*.png' | wc -l)" "$nfiles" "the asset files are in DST's assets folder"

# ... and back: PostgreSQL -> SQLite, identical again.
copy "$U1" "$T/s3"
is "$rc" 0 "PostgreSQL -> SQLite: done"
exports "$T/s3" >"$T/exp3"
ok "the round trip's exports and log are the source's" cmp -s "$T/exp1" "$T/exp3"

# Identity sequences follow the copied ids.
"$LIGHTBOX" --store "$U1" project add Third >/dev/null 2>&1
is "$(pg_sql "$U1" "SELECT id FROM project WHERE name = 'Third'")" 3 "a new project on the copy takes the next id"

# A non-empty DST is refused, and nothing is written to it.
before=$(pg_sql "$U1" "SELECT count(*) FROM event")
U1P=$(echo "$U1" | sed 's|lightbox@|lightbox:s3cret@|')
copy "$S1" "$U1P"
is "$rc" 1 "a non-empty PostgreSQL DST is refused"
like "$(cat "$T/err")" "DST postgresql://lightbox@/one.* is not empty" "saying so, naming it"
is "$(pg_sql "$U1" "SELECT count(*) FROM event")" "$before" "and it is left as it was"
copy "$S1" "$T/s3"
like "$rc $(cat "$T/err")" "^1 .*is not empty" "a non-empty SQLite DST is refused too"
unlike "$(cat "$T/out.all" "$T/err.all")" "s3cret" "a URL's password is never printed"

# A DST of another schema version is refused before anything is done.
"$LIGHTBOX" --store "$T/old" init >/dev/null
sqlite3 "$T/old/lightbox.db" "PRAGMA user_version = 8"
copy "$S1" "$T/old"
like "$rc $(cat "$T/err")" "^1 .*DST has schema version 8 and this lightbox's is [0-9]+" \
	"a DST of another schema version is refused"
is "$(sqlite3 "$T/old/lightbox.db" "PRAGMA user_version")" 8 "and left as it was (not upgraded)"

# Killed (-9) half-way, the same command goes on from where it stopped:
# in batches of 3 rows, killed inside the candidates (whose parent_id is
# set at the end), then inside the ratings (keyed by curator too).
U2=$(pg_newdb two)
export LB_COPY_TEST_BATCH=3
LB_COPY_TEST_KILL_AFTER=26 "$LIGHTBOX" store copy "$S1" "$U2" --assets "$T/pga2" >"$T/out" 2>&1
killed=$?
nc=$(pg_sql "$U2" "SELECT count(*) FROM candidate")
ok "a copy killed (status $killed) inside the candidates left $nc of 9" \
	[ "$killed" -gt 128 ] && [ "$nc" -gt 0 ] && [ "$nc" -lt 9 ]
copy "$S1" "$U2" --assets "$T/pga2"
ok "started again, it resumes and ends verified" [ "$rc" = 0 ] && grep -q "(resumed).*counts and hashes equal" "$T/out"
exports "$U2" >"$T/exp4"
ok "the resumed copy's exports are the source's" cmp -s "$T/exp1" "$T/exp4"
LB_COPY_TEST_KILL_AFTER=36 "$LIGHTBOX" store copy "$U2" "$T/s4" >/dev/null 2>&1
nr=$(sqlite3 "$T/s4/lightbox.db" "SELECT count(*) FROM rating")
copy "$U2" "$T/s4"
ok "so does one into SQLite killed inside the ratings ($nr of 5)" \
	[ "$rc" = 0 ] && [ "$nr" -gt 0 ] && [ "$nr" -lt 5 ] && grep -q "(resumed).*counts and hashes equal" "$T/out"

# A source changed between the kill and the resume (its lock died with
# the copy): the verification finds it, naming the table.
U4=$(pg_newdb four)
LB_COPY_TEST_KILL_AFTER=26 "$LIGHTBOX" store copy "$S1" "$U4" --assets "$T/pga4" >/dev/null 2>&1
"$LIGHTBOX" project archive Second >/dev/null
copy "$S1" "$U4" --assets "$T/pga4"
like "$rc $(cat "$T/err")" "^1 .*verification failed: the table project differs" \
	"a difference fails the copy, naming the table"
like "$(grep '^project ' "$T/out")" "DIFFERS$" "and the summary marks it"
unset LB_COPY_TEST_BATCH

# A file already in DST's assets folder is not copied again, unless its
# bytes do not hash to its name.
f=$(find "$T/pgassets/assets" -name '*.png' | head -1)
echo damaged >"$f"
copy "$S1" "$(pg_newdb three)" --assets "$T/pgassets"
like "$rc $(grep '^assets' "$T/out")" "^0 assets: 1 files copied \\([0-9]+ bytes\\), $((nfiles - 1)) already in DST" \
	"files already in DST are kept, a damaged one copied again"
ok "the damaged file is whole again" cmp -s "$f" "$(find "$S1/assets" -name "$(basename "$f")")"

# The source takes no other writer while it is copied.
# stopped SRC DST: a copy that stops (SIGSTOP) after 10 rows, in $cpid.
stopped() {
	LB_COPY_TEST_STOP_AFTER=10 "$LIGHTBOX" store copy "$1" "$2" >"$T/stopped" 2>&1 &
	cpid=$!
	for i in $(seq 100); do
		case $(ps -o stat= -p $cpid) in T*) break ;; esac
		sleep 0.1
	done
}
stopped "$S1" "$T/s5"
lb rate 2 3
like "$?: $(cat "$T/err")" "^1: .*being copied \\(lightbox store copy by .*pid $cpid" \
	"a writer of a SQLite source being copied is refused, told by whom"
kill -CONT $cpid
wait $cpid
is "$?" 0 "the copy then ends, verified"
lb rate 2 3
is "$?" 0 "and the source takes writes again"

stopped "$U2" "$T/s6"
pg_sql "$U2" "SET lock_timeout = '200ms'; SELECT pg_advisory_xact_lock(1279414104)" >/dev/null 2>&1
ok "a PostgreSQL source being copied holds the writers' lock" [ $? != 0 ]
kill -CONT $cpid
wait $cpid

# Another writer at work: the copy refuses to start.
python3 "$top_srcdir/tests/lib/holdlock.py" "$S1/lightbox.db" "$T/ready" 5 &
hpid=$!
while [ ! -e "$T/ready" ]; do sleep 0.05; done
copy "$S1" "$T/s7"
like "$rc $(cat "$T/err")" "^1 .*an import by bob \\(pid $hpid\\) is writing to it" \
	"a copy refuses while another writer is announced"
kill $hpid
wait $hpid 2>/dev/null
rm -f "$T/ready"
HOLD_QUIET=1 python3 "$top_srcdir/tests/lib/holdlock.py" "$S1/lightbox.db" "$T/ready" 5 &
hpid=$!
while [ ! -e "$T/ready" ]; do sleep 0.05; done
copy "$S1" "$T/s8"
like "$rc $(cat "$T/err")" "^1 .*(busy|locked)" "or holds the write lock"
kill $hpid
wait $hpid 2>/dev/null
done_testing
