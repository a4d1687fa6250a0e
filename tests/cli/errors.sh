#!/bin/sh
# Bad input gets one clear line on stderr, the right exit status, and no
# partial write.
. "$top_srcdir/tests/lib/tap.sh"
plan 65

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "P" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "b" >/dev/null
mkpng a.png 8 8 1 2 3
"$LIGHTBOX" candidate add --brief 1 a.png >/dev/null
events() { sql "SELECT count(*) FROM event"; }
before=$(events)

fails "rate 7 is a usage error" 2 "$LIGHTBOX" rate 1 7
like "$(cat "$T/.out")" "stars must be 0 to 5" "and says what is allowed"
fails "rate of an unknown candidate fails" 1 "$LIGHTBOX" rate 999 3
like "$(cat "$T/.out")" "no candidate with id 999" "and names the id"
fails "a non-numeric id is a usage error" 2 "$LIGHTBOX" rate abc 3
fails "flag maybe" 2 "$LIGHTBOX" flag 1 maybe
fails "tag with a space" 1 "$LIGHTBOX" tag add 1 "two words"
fails "an unknown command" 2 "$LIGHTBOX" frobnicate
fails "an unknown subcommand" 2 "$LIGHTBOX" project frob
fails "a brief in an unknown project" 1 "$LIGHTBOX" brief add --project 42 --title x
like "$(cat "$T/.out")" "no project" "names the missing project"
fails "bad params JSON" 1 "$LIGHTBOX" brief add --project 1 --title x --params '{nope'
like "$(cat "$T/.out")" "JSON object" "says params must be a JSON object"
fails "a file that vanished" 1 "$LIGHTBOX" candidate add --brief 1 gone.png
like "$(cat "$T/.out")" "gone.png: cannot read" "names the file"
is "$(events)" "$before" "no failed command wrote anything"
is "$(sql 'SELECT count(*) FROM candidate')" "1" "no partial candidate"

# A hostile name is shown, not executed by the terminal.
fails "an escape sequence in an argument" 2 "$LIGHTBOX" "$(printf 'x\033[2Jy')"
like "$(cat "$T/.out")" 'x\^\[\[2Jy' "is printed made visible"

# Stores that are not what they seem.
mkdir notastore
printf 'just some text, not a database\n' > notastore/lightbox.db
fails "a file that is not a database" 1 "$LIGHTBOX" --store notastore project ls
like "$(cat "$T/.out")" "not a lightbox store" "says so"
mkdir other
sqlite3 other/lightbox.db "CREATE TABLE t(x)"
fails "some other SQLite database" 1 "$LIGHTBOX" --store other project ls
like "$(cat "$T/.out")" "not a lightbox store" "says so"
cp -r store newer
sqlite3 newer/lightbox.db "PRAGMA user_version = 99"
fails "a store of a newer schema" 1 "$LIGHTBOX" --store newer project ls
like "$(cat "$T/.out")" "newer than this lightbox" "says to upgrade"
fails "no store at all" 1 "$LIGHTBOX" --store nothing-here project ls
like "$(cat "$T/.out")" "lightbox init" "points at init"

# A read-only store (as a non-root user would have; root ignores modes).
cp -r store ro
chmod -R a+rX,a-w ro # private by default: let the other user read it
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	run_ro() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	run_ro() { "$@"; }
fi
chmod a+rx "$T"
run_ro "$LIGHTBOX" --store "$T/ro" rate 1 3 >"$T/.out" 2>&1
st=$?
is "$st" "1" "rating in a read-only store fails"
like "$(cat "$T/.out")" "read-only" "and says the store is read-only"
is "$(sqlite3 "$T/ro/lightbox.db" 'SELECT count(*) FROM rating' 2>/dev/null)" "0" "nothing written"
# Every write refused for permissions ends cleanly (no abort: tag and
# select once died of "st_end without st_begin", status 134) and names
# the file and its owner.  The folder is writable, the database not: the
# user's SQLite makes -wal and -shm and opens lightbox.db read-only.
cp -r store ro2
chmod -R a+rX,a-w ro2
chmod a+w ro2
for cmd in "tag add 1 red" "tag rm 1 red" "select 1" "unselect 1" "note add 1 hi"; do
	# shellcheck disable=SC2086
	run_ro "$LIGHTBOX" --store "$T/ro2" $cmd >"$T/.out" 2>&1
	is "$?" "1" "$cmd in a read-only store fails cleanly"
	like "$(cat "$T/.out")" "cannot write $T/ro2/lightbox.db \(owner $(id -un), group [^,]+, mode 0[0-7]+\)" \
		"and names the file and its owner"
done
chmod -R u+w ro ro2

# A curator name that is not the login, where the store allows no alias.
login=$(id -un)
"$LIGHTBOX" init --aliases off >/dev/null
before=$(events)
LIGHTBOX_CURATOR=not-$login "$LIGHTBOX" rate 1 2 >"$T/.out" 2>&1
is "$?" 1 "an alias is refused where the store allows none"
like "$(cat "$T/.out")" "curator name 'not-$login' \(LIGHTBOX_CURATOR\) is not your login '$login'.*init --aliases on" \
	"and the message says why and how to allow it"
is "$(events)" "$before" "nothing was written"
LIGHTBOX_CURATOR=$login "$LIGHTBOX" rate 1 2 >/dev/null 2>&1
is "$?" 0 "the login itself may write"
"$LIGHTBOX" init --aliases on >/dev/null
LIGHTBOX_CURATOR=not-$login "$LIGHTBOX" rate 1 3 >/dev/null 2>&1
is "$?" 0 "once allowed, the alias writes"
is "$(sql "SELECT login || ' as ' || curator FROM event ORDER BY id DESC LIMIT 1")" "$login as not-$login" \
	"and the event records both the login and the name"
# The operand checks shared by commands of one brief or one project.
for cmd in "rank" "stacks" "brief show"; do
	fails "$cmd without a brief is a usage error" 2 "$LIGHTBOX" $cmd
	like "$(cat "$T/.out")" "say which brief" "... saying so"
	fails "$cmd of an unknown brief fails" 1 "$LIGHTBOX" $cmd 99
	like "$(cat "$T/.out")" "no brief with id 99" "... naming it"
done
fails "project archive with two projects is a usage error" 2 "$LIGHTBOX" project archive 1 2
like "$(cat "$T/.out")" "give one project id or slug" "... saying so"
fails "project show --undo is not an option of show" 2 "$LIGHTBOX" project show 1 --undo
fails "project show of an unknown project fails" 1 "$LIGHTBOX" project show nowhere
ok "project archive --undo restores" "$LIGHTBOX" project archive --undo p
like "$(cat "$T/.out")" "project 1 restored from the archive" "... saying so"
like "$("$LIGHTBOX" project show p --json)" '"name": "P"' "project show --json"
done_testing
