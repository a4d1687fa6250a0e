#!/bin/sh
# watch.sh - watching folders from the interface (issue 16 item 1): the
# `watch` action takes a folder, new files closed in it appear in the
# open list as they land, doctor lists the watch; a second folder is
# watched beside it (--link first: its files are linked), Enter alone at
# the prompt lists them, and naming a watched folder again stops it and
# says how many went in.  The store is polled once a minute here, and
# no key is pressed while files land: the list shows them only because
# the watch's thread wakes the loop (WAKE_STORE through the self-pipe).
. "$(dirname "$0")/lib.sh"

plan 17
mkstore
mkdir -p "$T/drop" "$XDG_CONFIG_HOME/lightbox"
echo "set poll-interval 60000" >"$XDG_CONFIG_HOME/lightbox/config"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

open_brief 120 40 2
tm_keys :
tm_type "watch $T/dro"
tm_keys Tab
ok "the folder completes" tm_wait_for ":watch $T/drop/\$"
tm_keys Enter
ok "the watch starts" tm_wait_for "watching $T/drop for brief #2"
mkpng "$T/drop/landed-1.png" 40 30 200 10 10
ok "a file closed in the folder appears in the open list, no key pressed" \
	tm_wait_for '\[candidates\].* of 1' 20
mkpng "$T/elsewhere.png" 40 30 10 200 10
mv "$T/elsewhere.png" "$T/drop/landed-2.png"
ok "a file moved in too" tm_wait_for '\[candidates\].* of 2' 20
"$LIGHTBOX" doctor >"$T/doc" 2>&1
like "$(cat "$T/doc")" "watches +$T/drop for brief 2, by alice" "doctor lists the interface's watch"
mkdir -p "$T/drop2"
tm_keys :
tm_type "watch --link $T/drop2"
tm_keys Enter
ok "a second folder is watched beside the first, its files linked" \
	tm_wait_for "watching $T/drop2 for brief #2, linking them"
mkpng "$T/drop2/linked.png" 40 30 20 20 220
ok "its files land in the list too" tm_wait_for '\[candidates\].* of 3' 20
asset=$(sql "SELECT substr(sha256, 1, 2) || '/' || sha256 || '.' || ext FROM asset WHERE origin = '$T/drop2/linked.png'")
is "$(stat -c %i "$LIGHTBOX_STORE/assets/$asset" 2>&1)" "$(stat -c %i "$T/drop2/linked.png")" \
	"linked: the asset is the file dropped in (the same inode)"
tm_keys :
tm_type "watch"
tm_keys Enter
tm_wait_for '^watch folder \(--link first: link; a watched one: stop; nothing: list\): ' >/dev/null
tm_keys Enter
ok "Enter alone lists the watches" \
	tm_wait_for "watching 2 folders: $T/drop2 \(brief #2, linked, 1 in\), $T/drop \(brief #2, 2 in\)"
tm_keys :
tm_type "watch $T/drop"
tm_keys Enter
ok "naming a watched folder again stops it, with a count" \
	tm_wait_for "stopped watching $T/drop: 2 files imported into brief #2"
"$LIGHTBOX" doctor >"$T/doc" 2>&1
like "$(cat "$T/doc")" "watches +$T/drop2 for brief 2, by alice" "doctor lists the watch still running"
unlike "$(cat "$T/doc")" "$T/drop for brief" "and not the one stopped"
# Back to the usual poll for the command-line watch below, which has no
# way into this process but the store (the stop makes the loop poll now).
tm_keys :
tm_type "set poll-interval 500"
tm_keys Enter
tm_keys :
tm_type "watch $T/drop2/"
tm_keys Enter
ok "the other stops the same way" tm_wait_for "stopped watching $T/drop2: 1 file imported into brief #2"
"$LIGHTBOX" doctor >"$T/doc" 2>&1
like "$(cat "$T/doc")" "watches +none" "doctor lists no watch once they stopped"

# A watch from the command line: the open interface shows what it imports.
mkdir -p "$T/cli-drop"
"$LIGHTBOX" import "$T/cli-drop" --brief 2 --watch >"$T/w.out" 2>"$T/w.err" &
WPID=$!
at_exit "kill $WPID"
tm_wait_for_file() { _i=0; while ! grep -q watching "$1" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done; }
tm_wait_for_file "$T/w.err"
mkpng "$T/cli-drop/from-cli.png" 40 30 10 10 200
ok "the interface shows what import --watch brings in" tm_wait_for '\[candidates\].* of 4' 30
kill -INT $WPID
wait $WPID
is "$?" 0 "the command-line watch ends with status 0"
quit_ok "quits"
done_testing
