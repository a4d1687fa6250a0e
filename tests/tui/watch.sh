#!/bin/sh
# watch.sh - watching a folder from the interface (issue 16 item 1): the
# `watch` action takes a folder, new files closed in it appear in the
# open list as they land, doctor lists the watch, `watch` again stops it
# and says how many went in.
. "$(dirname "$0")/lib.sh"

plan 8
mkstore
mkdir -p "$T/drop"

open_brief 120 40 2
tm_keys :
tm_type "watch $T/dro"
tm_keys Tab
ok "the folder completes" tm_wait_for ":watch $T/drop/\$"
tm_keys Enter
ok "the watch starts" tm_wait_for "watching $T/drop for brief #2"
mkpng "$T/drop/landed-1.png" 40 30 200 10 10
ok "a file closed in the folder appears in the open list" tm_wait_for '\[candidates\].* of 1' 30
mkpng "$T/elsewhere.png" 40 30 10 200 10
mv "$T/elsewhere.png" "$T/drop/landed-2.png"
ok "a file moved in too" tm_wait_for '\[candidates\].* of 2' 30
"$LIGHTBOX" doctor >"$T/doc" 2>&1
like "$(cat "$T/doc")" "watches +$T/drop for brief 2, by alice" "doctor lists the interface's watch"
tm_keys :
tm_type "watch"
tm_keys Enter
ok "watch again stops it, with a count" tm_wait_for "stopped watching $T/drop: 2 files imported into brief #2"
"$LIGHTBOX" doctor >"$T/doc" 2>&1
like "$(cat "$T/doc")" "watches +none" "doctor lists no watch once it stopped"
quit_ok "quits"
done_testing
