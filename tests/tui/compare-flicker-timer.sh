#!/bin/sh
# compare-flicker-timer.sh - at 80x20 in symbols: F in the compare view
# flickers on a timer (set flicker-interval), the two pictures taking
# turns in one place with no key pressed; F again stops it on the picture
# shown, and Esc goes back to both side by side.  The store's poll is
# set to 20 s: the loop's poll must wake for the timer itself.
. "$(dirname "$0")/lib.sh"

plan 9
lbq init
lbq project add Harbour
lbq brief add --project 1 --title Boats --prompt "a red boat at dawn, harbour"
lbq gen 1 -n 2 --seed 1+ --backend builtin --set width=96 --set height=96

start_lb 80 20 --preview symbols tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null || exit 1
tm_keys c
tm_wait_for 'left #1 +│ right #2' >/dev/null
tm_keys :
tm_type "set flicker-interval 300"
tm_keys Enter
# the store's poll seldom, so only the view's timer can wake the loop
tm_keys :
tm_type "set poll-interval 20000"
tm_keys Enter
tm_keys F
ok "F: the left's picture alone, on a timer" tm_wait_for '^ left #1  flicker every 300 ms: F stop, Esc both'
like "$(tm_screen | sed -n '4,18p')" '[▀▄█▌▐▖▗▘▝▚▞▙▛▜▟]' "drawn in symbols"
ok "with no key, the right's takes its place" tm_wait_for '^ right #2  flicker every 300 ms'
ok "and the left's again" tm_wait_for '^ left #1  flicker every 300 ms'
ok "and the right's again" tm_wait_for '^ right #2  flicker every 300 ms'
tm_keys F
ok "F again: the timer stops" tm_wait_for 'flicker: f the other, Esc both'
head=$(tm_screen | sed -n 2p)
sleep 1
is "$(tm_screen | sed -n 2p)" "$head" "... on the picture shown (a second later, the same)"
tm_keys Escape
ok "Esc: both side by side again" tm_wait_for 'left #1 +│ right #2'
ok "and the compare view stays" tm_wait_for '\[compare\]'
done_testing
