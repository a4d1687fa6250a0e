#!/bin/sh
# compare-flicker.sh - at 80x20 in symbols: f in the compare view shows
# one candidate's picture across the body, f again the other's in the
# same place (the picture cells change, the frame does not), and Esc
# goes back to both side by side.
. "$(dirname "$0")/lib.sh"

plan 7
lbq init
lbq project add Harbour
lbq brief add --project 1 --title Boats --prompt "a red boat at dawn, harbour"
lbq gen 1 -n 2 --seed 1+ --backend builtin --set width=96 --set height=96

start_lb 80 20 --preview symbols tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null || exit 1
tm_keys c
tm_wait_for 'left #1 +│ right #2' >/dev/null
tm_keys f
ok "f shows the left's picture alone" tm_wait_for '^ left #1  flicker: f the other, Esc both'
tm_settle
left=$(tm_screen | sed -n '4,18p')
like "$left" '[▀▄█▌▐▖▗▘▝▚▞▙▛▜▟]' "drawn in symbols"
tm_keys f
ok "f again: the right's, in the same place" tm_wait_for '^ right #2  flicker: f the other, Esc both'
tm_settle
right=$(tm_screen | sed -n '4,18p')
ok "the picture cells changed" test "$left" != "$right"
tm_keys f
tm_wait_for '^ left #1  flicker' >/dev/null
tm_settle
is "$(tm_screen | sed -n '4,18p')" "$left" "f once more: the left's again, cell for cell"
tm_keys Escape
ok "Esc: both side by side again" tm_wait_for 'left #1 +│ right #2'
ok "and the compare view stays" tm_wait_for '\[compare\]'
done_testing
