#!/bin/sh
# disputed.sh - the interface's adjudication queue (the filter 'disputed
# -adjudicated') holds all three kinds of dispute `lightbox conflicts`
# lists, each row saying why: #1 and #2 were compared eight times (#1
# won each) while the stars put #2 two above #1 (the pairwise-order
# rule, found by the worker's fit); #3's stars are 1 and 5.  Deciding #2
# (M-a) takes it out of the queue; `set dispute-bt-gap 0` turns the
# pairwise rule off, as `conflicts --bt-gap 0` does.
. "$(dirname "$0")/lib.sh"

plan 9
lbq init
lbq project add P
lbq brief add --project 1 --title pairs --modality text
for i in 1 2 3 4; do lbq candidate add --brief 1 --text "line $i"; done
for c in ann bob; do
	LIGHTBOX_CURATOR=$c lbq rate 1 2
	LIGHTBOX_CURATOR=$c lbq rate 2 4
	LIGHTBOX_CURATOR=$c lbq rate 4 3
	for i in 1 2 3 4; do LIGHTBOX_CURATOR=$c lbq compare 1 1 2 left; done
done
LIGHTBOX_CURATOR=ann lbq rate 3 1
LIGHTBOX_CURATOR=bob lbq rate 3 5

LIGHTBOX_CURATOR=dee
export LIGHTBOX_CURATOR
start_lb 200 30 tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null
tm_keys f
tm_wait_for '^filter: ' >/dev/null
tm_type 'disputed -adjudicated'
tm_keys Enter
ok "the queue holds the pair and the stars dispute" tm_wait_for 'filter: disputed -adjudicated.* [0-9]+ of 3$'
like "$(tm_screen | grep -E '^ +1 ')" '\[pairwise: beats #2 with p 0\.96, but 2\.0 stars to its 4\.0\] line 1' \
	"#1 says why, as conflicts does"
like "$(tm_screen | grep -E '^ +2 ')" '\[pairwise: loses to #1 with p 0\.96, but 4\.0 stars to its 2\.0\]' \
	"and #2"
like "$(tm_screen | grep -E '^ +3 ')" '\[stars 1 to 5\]' "#3 by its stars"
# newest first: #3, #2, #1; the cursor to #2
tm_keys g j
tm_wait_for '│#2 text' >/dev/null
tm_keys M-a
tm_wait_for '^decide ' >/dev/null
tm_type '3 none the comparisons are right'
tm_keys Enter
ok "M-a decides #2" tm_wait_for '#2 decided: 3 stars, none \(as the adjudicator\)'
ok "and #2 leaves the queue" tm_wait_for 'filter: disputed -adjudicated.* [0-9]+ of 2$'
like "$(tm_screen | grep -cE '^ +2 ')" '^0$' "#2's row is gone"

tm_keys :
tm_wait_for '^:' >/dev/null
tm_type 'set dispute-bt-gap 0'
tm_keys Enter
# the list is read again on the next change: a filter typed again
tm_keys f
tm_wait_for '^filter: ' >/dev/null
tm_keys C-u
tm_type 'disputed'
tm_keys Enter
ok "set dispute-bt-gap 0: only the stars dispute" tm_wait_for 'filter: disputed  .* 1 of 1$'
quit_ok "quits"
tm_stop
done_testing
