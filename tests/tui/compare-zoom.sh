#!/bin/sh
# compare-zoom.sh - zoom and pan in symbols, seen through tmux
# (capture-pane -e): two pictures of different sizes, each in four flat
# quarters (red, green, blue, yellow); z in compare shows both, + + and
# l/j pan both into the bottom right quarter, and then each side shows
# only yellow; while zoomed h pans rather than judging; in the zoom view
# (z on the list) the crop is kept from one candidate to the next (J),
# and at fit j moves on as ever.
. "$(dirname "$0")/lib.sh"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

plan 17
CELLS="$top_srcdir/tests/tui/ansi-cells.py"
# xterm-256 indexes: red 196, green 46, blue 21, yellow 226.
lbq init
lbq project add "Quarters"
lbq brief add --project 1 --title "Four" --prompt "four quarters"
mkquad "$T/wide.png" 320 160 255,0,0 0,255,0 0,0,255 255,255,0
mkquad "$T/tall.png" 150 200 255,0,0 0,255,0 0,0,255 255,255,0
lbq candidate add --brief 1 "$T/wide.png" "$T/tall.png"

# colours X0 X1: "colour cells" lines for the picture rows of those columns.
colours() {
	tm_screen_ansi >"$T/cap"
	python3 "$CELLS" colours "$1" "$2" 3 27 <"$T/cap" | sort
}
# only COLOUR X0 X1: that colour, and no other, in those columns.
only() {
	_c=$(colours "$2" "$3")
	[ "$(echo "$_c" | awk '{ print $1 }' | tr '\n' ' ')" = "$1 " ] || {
		echo "# columns $2..$3: $(echo "$_c" | tr '\n' ' ')"
		return 1
	}
}
# all4 X0 X1: the four quarters' colours there.
all4() {
	_c=$(colours "$1" "$2")
	[ "$(echo "$_c" | awk '$2 > 50 { print $1 }' | tr '\n' ' ')" = "196 21 226 46 " ] || {
		echo "# columns $1..$2: $(echo "$_c" | tr '\n' ' ')"
		return 1
	}
}

start_lb 100 30 --preview symbols tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null || exit 1
tm_keys c
tm_wait_for 'left #1 +│ right #2' >/dev/null
tm_keys z
ok "z in compare shows both pictures" tm_wait_for 'zoom fit *$'
tm_settle
ok "the left whole: four quarters" all4 0 49
ok "the right whole too" all4 50 100

tm_keys + +
ok "+ + zooms both to 2x" tm_wait_for 'zoom 2x, centre 0.50,0.50 *$'
tm_keys l l l j j j
ok "l and j pan both, to the bottom right's centre" tm_wait_for 'zoom 2x, centre 0.75,0.75 *$'
tm_settle
ok "the left shows only the bottom right quarter" only 226 0 49
ok "the right, a picture of another size, the same quarter" only 226 50 100
tm_keys h
ok "zoomed in, h pans" tm_wait_for 'zoom 2x, centre 0.62,0.75 *$'
is "$(sql 'SELECT count(*) FROM comparison')" 0 "rather than judging"

tm_keys =
ok "= fits both" tm_wait_for 'zoom fit *$'
tm_keys Escape
ok "Esc: back to the texts" tm_wait_for 'line 1 *$'
tm_keys q
tm_wait_for '\[candidates\]' >/dev/null

# The zoom view: the crop follows from one candidate to the next.
tm_keys z
tm_wait_for '\[zoom\]' >/dev/null
tm_keys + + h h h
ok "the zoom view zooms and pans" tm_wait_for 'zoom 2x, centre 0.25,0.50 .*1 of 2 *$'
tm_settle
ok "the left half of the picture: red and blue only" test "$(colours 0 100 | awk '{ print $1 }' | tr '\n' ' ')" = "196 21 "
tm_keys J
ok "J: the next candidate, the crop kept" tm_wait_for 'zoom 2x, centre 0.25,0.50 .*2 of 2 *$'
tm_settle
ok "its left half: red and blue only" test "$(colours 0 100 | awk '{ print $1 }' | tr '\n' ' ')" = "196 21 "
tm_keys 0
tm_wait_for '\[zoom\]  sort' >/dev/null
tm_keys k
ok "at fit k moves, as in the list" tm_wait_for '\[zoom\].* 1 of 2 *$'
ok "and nothing zooms" test "$(tm_screen | grep -c 'zoom 2x')" = 0
done_testing
