#!/bin/sh
# preview-symbols.sh - pictures drawn as symbols in ncurses' cells, seen
# through tmux (capture-pane -e): the candidate under the cursor is drawn
# in the pane and only there, moving draws the next one with nothing of
# the last left, switching views takes it away, the contact sheet shows
# several at once and moves by cell, the zoom is larger, a resize refits,
# and preview-mode none shows facts.
. "$(dirname "$0")/lib.sh"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

plan 26
CELLS="$top_srcdir/tests/tui/ansi-cells.py"

# Flat colours whose xterm-256 index is certain: red 196, green 46, blue 21.
lbq init
lbq project add "Posters"
lbq brief add --project 1 --title "Flat colours" --prompt "one colour each"
mkpng "$T/red.png" 200 200 255 0 0
mkpng "$T/blue.png" 300 150 0 0 255
mkpng "$T/green.png" 120 240 0 255 0
lbq candidate add --brief 1 "$T/red.png" "$T/blue.png" "$T/green.png"
export LIGHTBOX_PREVIEW_LOG="$T/preview.log"

# count COLOUR [X0 X1]: cells of that colour (default: the pane).
count() {
	tm_screen_ansi >"$T/cap"
	python3 "$CELLS" colours "${2:-$PANE}" "${3:-999}" 1 "$(($(tm_screen | wc -l) - 2))" <"$T/cap" |
		awk -v c="$1" '$1 == c { n = $2 } END { print n + 0 }'
}
# wait_count COLOUR MIN [X0 X1]: until at least MIN cells of it are in
# the pane (or the columns given).
wait_count() {
	_i=0
	while [ "$(count "$1" "${3:-$PANE}" "${4:-999}")" -lt "$2" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(count "$1" "${3:-$PANE}" "${4:-999}")" -ge "$2" ]
}
wait_gone() {
	_i=0
	while [ "$(count "$1" 0 999)" -gt 0 ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(count "$1" 0 999)" -eq 0 ]
}

open_brief 100 30 1
PANE=$(($(tm_screen | sed -n 3p | python3 -c 'import sys; print(sys.stdin.read().index("\u2502"))') + 1))
ok "the picture of the candidate under the cursor is drawn in the pane" wait_count 46 200
is "$(count 46 0 "$PANE")" 0 "and only in the pane"
like "$(tm_screen)" 'symbols 256 colours' "the caption says how it is drawn"
like "$(tm_screen)" 'png 120x240' "and what the picture is"

tm_keys j
ok "moving draws the next candidate's picture" wait_count 21 200
ok "nothing of the last picture is left" wait_gone 46
tm_keys j
ok "and the next" wait_count 196 200
ok "no blue left" wait_gone 21
grep '^change' "$T/preview.log" >"$T/changes"
is "$(wc -l <"$T/changes" | tr -d ' ')" 3 "each change of picture is logged once"
is "$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^total=/) { sub("total=", "", $i); if ($i + 0 >= 40000) print } }' \
	"$T/changes")" "" "and costs under 40 KB on the terminal"

tm_keys '?'
ok "the help view has no picture" wait_gone 196
tm_keys q
ok "back, the picture is drawn again" wait_count 196 200

# The contact sheet: all three at once, moved through by cell.
tm_keys Tab
ok "the grid opens" tm_wait_for '\[grid\]'
ok "it shows every candidate's picture" wait_count 21 50 0 999
red=$(count 196 0 999)
green=$(count 46 0 999)
ok "red and green too ($red, $green cells)" test "$red" -gt 50 -a "$green" -gt 50
like "$(tm_screen)" '1 ·····' "each with its id and stars"
tm_keys h
ok "h moves to the cell on the left" tm_wait_for '\[grid\].*2 of 3'
tm_keys 4
ok "4 rates the candidate under the cursor in the grid" tm_wait_for '★★★★☆'
sql_wait "SELECT candidate_id || ':' || stars FROM rating" "2:4"
is "$(sql "SELECT candidate_id || ':' || stars FROM rating")" "2:4" "the rating is in the store"

# The zoom: the same picture, larger.
inpane=$(count 21 0 999)
tm_keys z
ok "z opens the zoom" tm_wait_for '\[zoom\]'
wait_count 21 $((inpane + 1)) 0 999 >/dev/null
big=$(count 21 0 999)
ok "the zoomed picture is larger ($inpane -> $big cells)" test "$big" -gt $((inpane * 2))
tm_keys z Tab
ok "z and Tab go back to the list" tm_wait_for '\[candidates\]'

# A smaller terminal: the picture refits.
tm_resize 70 20
PANE=$(($(tm_screen | sed -n 3p | python3 -c 'import sys; print(sys.stdin.read().index("\u2502"))') + 1))
ok "after a resize the picture is drawn again, smaller" wait_count 21 20
tm_keys :
tm_type "set preview-mode none"
tm_keys Enter
ok "preview-mode none shows facts instead" tm_wait_for 'type +image \(image/png\)'
ok "and no picture" wait_gone 21
quit_ok "quits cleanly"
done_testing
