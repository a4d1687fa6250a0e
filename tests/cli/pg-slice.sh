#!/bin/sh
# The same commands on a SQLite store and on a PostgreSQL one (issue 18)
# print the same, but for the store's folder: init, projects, briefs,
# candidates, ratings, flags, tags, notes, selection, undo/redo, keyset
# pages, search (FTS5 there, tsvector + GIN here), queries, the log and
# the exports (doctor and demo: pg-doctor.sh).  The assets folder is recorded by init; a URL's
# password never reaches a message.  One private cluster (tests/lib/pg.sh).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
plan 17

export LIGHTBOX_NOW=1700000000
mkdir "$T/img"
mkpng "$T/img/a.png" 8 8 200 10 10
mkpng "$T/img/b.png" 8 8 10 200 10
mkpng "$T/img/c.png" 8 8 10 10 200

# slice INITARGS...: the commands, as a transcript of outputs and statuses.
slice() {
	r() {
		echo "\$ $*"
		"$LIGHTBOX" "$@" 2>&1
		echo "[exit $?]"
	}
	r init "$@"
	r project add Demo --description "first"
	r project add "Second one"
	r project ls
	r brief add --project 1 --title sky --prompt "a red sky over the sea"
	r brief add --project 1 --title poem --modality text --prompt "a poem"
	r brief ls --project 1
	r candidate add --brief 1 "$T/img/a.png" "$T/img/b.png" "$T/img/c.png"
	r candidate add --brief 2 --text "waves and gulls at dawn"
	r rate 1 4
	r rate 2 2
	r flag 2 reject
	r flag 3 pick
	r tag add 1 sunset
	r tag add 3 Sunset
	r tag add 1 SUNSET
	r tag add 2 dull
	r tag rm 2 dull
	r tag ls
	r note add 1 too red
	r note add --brief 1 "try dawn"
	r select 1 --use hero
	r candidate ls --brief 1
	r candidate ls --brief 1 --sort stars
	r candidate ls --brief 1 --limit 1
	r candidate ls --brief 1 --limit 1 --after 1
	r candidate ls --brief 1 --tag sunset
	r candidate ls --brief 1 --search red
	r candidate ls --brief 2 --search gull
	r candidate ls --query 'stars>=3'
	r candidate ls --query 'tag:sunset -flag:pick'
	r candidate ls --query '-stars>=4 -tag:sunset'
	r candidate ls --query 'steps>=30 OR sampler:euler* OR param:seed OR width<8' # query.sh: more
	r candidate show 1
	r undo
	r candidate ls --brief 1
	r undo
	r undo
	r redo
	r candidate ls --brief 1 --json
	r brief show 1
	r log
	r export 1 --format json
	r export 1 --format csv
	r export 1 --format md
}

# slice2 INITARGS...: curation by two curators, disputes, deliveries,
# purge, saved views, similar, pairs and ranking, assignment.
slice2() {
	r() {
		echo "\$ $*"
		"$LIGHTBOX" "$@" 2>&1
		echo "[exit $?]"
	}
	r init "$@"
	r project add Demo
	r brief add --project 1 --title sky --prompt "a red sky over the sea"
	r import "$T/img" --brief 1
	r import "$T/img/a.png" --brief 1
	r rate 1 4
	r rate 2 1
	r flag 2 reject
	r flag 3 pick
	LIGHTBOX_CURATOR=bob r rate 1 2
	LIGHTBOX_CURATOR=bob r rate 3 5
	LIGHTBOX_CURATOR=bob r flag 2 pick
	r stats 1
	r conflicts 1
	r adjudicate 2 --stars 3 --reason "split"
	r conflicts 1
	r select 1 --use hero
	r select 3
	r deliver 1 --to "$OUT/deliv"
	r deliver 1 --to "$OUT/deliv"
	r xmp write 1 --to "$OUT/deliv"
	r purge 1 --rejected --dry-run
	r purge 1 --rejected --yes
	r candidate ls --brief 1
	r undo
	r export 1 --format html --copy-to "$OUT/html"
	r view save reds 'stars>=3' --project 1
	r view ls --json
	r candidate ls --view reds --project 1
	r fingerprint
	r similar 1
	r wins 1
	r compare 1 1 2 left
	r compare 1 2 3 right
	r compare 1 1 3 left
	r compare 1 --next
	r rank 1
	r assign 1 --curators alice,bob --overlap 1
	r assign 1 --progress
	r verify
	r gc --dry-run
	mkdir "$OUT/src"
	mkpng "$OUT/src/d.png" 8 8 90 90 90
	r import "$OUT/src" --brief 1 --link
	echo changed >>"$OUT/src/d.png"
	r verify
	mkpng "$OUT/moved.png" 8 8 90 90 90
	r relink "$OUT"
	r verify
	r stacks 1
	r stacks 1 --keep-best all
	r log
}

# slice3 INITARGS...: generation through the runner (the builtin
# backend).  The runner's progress lines depend on timing (a claim that
# waited past the runner's 100 ms is retried): q prints only the status.
slice3() {
	r() {
		echo "\$ $*"
		# a runner that cannot save retries for ever: bound it
		timeout 60 "$LIGHTBOX" "$@" 2>&1
		echo "[exit $?]"
	}
	q() {
		echo "\$ $*"
		timeout 60 "$LIGHTBOX" "$@" >/dev/null 2>&1
		echo "[exit $?]"
	}
	r init "$@"
	r project add Demo
	r brief add --project 1 --title sky --prompt "a red sky over the sea"
	q gen 1 -n 2 --backend builtin --seed 5
	r gen 1 -n 1 --backend builtin --seed 7 --no-wait
	r jobs ls
	q jobs run
	r jobs show 1
	q gen 1 --variation-of 1 --backend builtin --seed 9
	r jobs ls
	r candidate ls --brief 1
	r log
}

# both NAME FUNCTION DESCRIPTION: runs FUNCTION on a SQLite store
# ($T/NAME-lite) and on a new database NAME (assets in $T/NAME-pga, its
# URL in $U), with OUT=$T/NAME-o1 and -o2, and compares the outputs,
# paths and timings aside (in $T/NAME-lite.out and $T/NAME-pg.out).
both() {
	mkdir "$T/$1-o1" "$T/$1-o2"
	LIGHTBOX_STORE=$T/$1-lite OUT=$T/$1-o1 $2 >"$T/$1-lite.out"
	U=$(pg_newdb "$1")
	LIGHTBOX_STORE=$U OUT=$T/$1-o2 $2 --assets "$T/$1-pga" >"$T/$1-pg.out"
	# The log's login: the Unix one on SQLite, the database role (lightbox) here
	# (its column as wide as the longest).
	sed "s|$T/$1-lite|STORE|g; s|$T/$1-o1|OUT|g; s|([0-9.]* s[,)].*|(TIME)|; s|$(id -un) (as |LOGIN (as |; s|  *| |g" \
		"$T/$1-lite.out" >"$T/$1-lite.norm"
	sed "s|$T/$1-pga|STORE|g; s|$T/$1-o2|OUT|g; s|([0-9.]* s[,)].*|(TIME)|; s|^\\\$ init --assets STORE|\$ init|;
		s|lightbox (as |LOGIN (as |; s|  *| |g" \
		"$T/$1-pg.out" >"$T/$1-pg.norm"
	if cmp -s "$T/$1-lite.norm" "$T/$1-pg.norm"; then _tap_result 0 "$3"; else
		_tap_result 1 "$3"
		diff "$T/$1-lite.norm" "$T/$1-pg.norm" | head -40 | sed 's/^/# /'
	fi
}

both one slice "the slice prints the same on SQLite and PostgreSQL"
U1=$U
is "$(grep -c '^\[exit 0\]' "$T/one-pg.out")" "$(grep -c '^\$ ' "$T/one-pg.out")" "every command of the slice succeeded"
both two slice2 "the second slice prints the same on both"
is "$(grep -c '^\[exit [^0]\]' "$T/two-pg.out")" 1 "every command of the second slice succeeded but verify of a changed file"
ok "the deliveries hold the same files" diff -r -x .lightbox-delivery "$T/two-o1/deliv" "$T/two-o2/deliv"
both three slice3 "generation through the runner prints the same on both"
U3=$U
is "$(pg_sql "$U3" "SELECT count(*) FROM job WHERE state = 'done'")" 3 "the runner did the three jobs on PostgreSQL"
like "$(grep -A4 -- '--search gull' "$T/one-pg.out")" '^ 4 +2 +text' "full-text search finds a word's prefix on PostgreSQL"
U=$U1

is "$(pg_sql "$U" 'SELECT max(version) FROM lb_schema')" "$("$LIGHTBOX" --version | sed 's/.*schema \([0-9]*\).*/\1/')" "the PostgreSQL store has the same schema version"
is "$(pg_sql "$U" "SELECT indexdef LIKE '%USING gin (tsv)%' FROM pg_indexes WHERE indexname = 'candidate_fts_tsv'")" t \
	"candidates' text is searched through a tsvector with a GIN index"
is "$(pg_sql "$U" "SELECT value FROM setting WHERE key = 'assets'")" "$T/one-pga" "init recorded the assets folder"
ok "the files went to the assets folder" test -f "$T/one-pga/assets/f6/f66f397a30dde1e4966e2dd6ee8d83be4215bfd6d865a8b8ecc14b3a2fa43297.png"

# Runners on two machines: each sees its own cache/runners (here: two
# assets folders), so only the database can say a runner is alive.  B
# leaves the job A is running; once A is killed, B takes it back.  (A
# job of `sleep 6` runs long enough; the checks come within 2 s.)
R=$(pg_newdb runners)
mkdir -p "$XDG_CONFIG_HOME/lightbox" "$T/rb"
printf '%s\n' 'backend slow type=exec command="sleep 6 {n}"' >"$XDG_CONFIG_HOME/lightbox/config"
export LIGHTBOX_STORE="$R"
LIGHTBOX_ASSETS=$T/ra lb init && lb project add P && lb brief add --project 1 --title t
LIGHTBOX_ASSETS=$T/ra "$LIGHTBOX" gen 1 --backend slow >/dev/null 2>&1 &
A=$!
for _ in $(seq 100); do
	[ "$(pg_sql "$R" 'SELECT state FROM job WHERE id = 1')" = running ] && break
	sleep 0.1
done
owner=$(pg_sql "$R" 'SELECT runner FROM job WHERE id = 1')
LIGHTBOX_ASSETS=$T/rb timeout 3 "$LIGHTBOX" jobs run >/dev/null 2>&1 &
B=$!
sleep 1.5
is "$(pg_sql "$R" 'SELECT state, runner FROM job WHERE id = 1')" "running|$owner" \
	"a runner on another machine leaves a live runner's job alone"
kill -9 "$A"
wait "$A" "$B" 2>/dev/null
LIGHTBOX_ASSETS=$T/rb timeout 3 "$LIGHTBOX" jobs run >/dev/null 2>&1 &
B=$!
sleep 1.5
like "$(pg_sql "$R" 'SELECT runner FROM job WHERE id = 1')" "^[0-9a-f]+-[0-9a-f]{8}\$" "and takes back a dead one's"
unlike "$(pg_sql "$R" 'SELECT runner FROM job WHERE id = 1')" "^$owner\$" "(another runner holds it now)"
wait "$B" 2>/dev/null
unset LIGHTBOX_STORE

# A database without a store, without an assets folder: what to do.
E=$(pg_newdb empty)
LIGHTBOX_STORE=$E lb init
like "$(cat "$T/err")" "has no assets folder; give one with --assets DIR" "init without --assets says what to give"

# A URL with a password: the message names the store without it.
LIGHTBOX_STORE="postgresql://lightbox:s3cr3t@/nosuchdb?host=$PG_HOST" lb project ls
like "$? $(cat "$T/err")" '^1 lightbox: cannot reach the PostgreSQL store postgresql://lightbox@/nosuchdb.*nosuchdb.* does not exist' \
	"an unreachable store is named, without the password"
done_testing
