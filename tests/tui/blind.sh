#!/bin/sh
# blind.sh - blind review in the interface: M-b on a brief turns it on
# (through the writer), the brief list shows "blind" for its picks, the
# candidate list says so and shows bob no mean until he rates; M-b again
# turns it off.  Adjudication: the filter 'disputed -adjudicated' is the
# queue; M-a records a decision (through the writer) and it leaves it.
. "$(dirname "$0")/lib.sh"

plan 11
mkstore
start_lb 120 30 tui --project 1
tm_wait_for 'Hero copy' >/dev/null
tm_keys M-b
ok "M-b turns blind review on" tm_wait_for 'brief #1: blind review on'
is "$(sql "SELECT blind FROM brief WHERE id = 1")" 1 "in the store"
ok "the brief list shows it is blind" tm_wait_for 'Hero copy .* blind '
quit_ok "quits"
tm_stop

# bob has rated #1 only: he sees its mean, and none for #2 (alice's 2)
LIGHTBOX_CURATOR=bob
export LIGHTBOX_CURATOR
start_lb 120 30 tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null
ok "the candidate list says the brief is blind" tm_wait_for 'Hero copy r1 \(blind\)'
like "$(tm_screen | grep -E '^ +1 ')" ' 4\.5 ' "bob rated #1: he sees its mean"
like "$(tm_screen | grep -E '^ +2 ')" '^ +2 [^ ]+ +- ' "not #2's, which he has not judged"
tm_keys q
tm_wait_for 'exited' >/dev/null
tm_stop

# bob gives #2 five stars against alice's two: #2 is disputed
"$LIGHTBOX" rate 2 5 >/dev/null
"$LIGHTBOX" brief blind 1 off >/dev/null
LIGHTBOX_CURATOR=dee
start_lb 120 30 tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null
tm_keys f
tm_wait_for '^filter: ' >/dev/null
tm_type 'disputed -adjudicated'
tm_keys Enter
ok "the queue of disputed candidates holds #2" tm_wait_for 'filter: disputed -adjudicated.* 1 of 1'
tm_keys M-a
tm_wait_for '^decide ' >/dev/null
tm_type '3 none alice is closer to the brief'
tm_keys Enter
ok "M-a records the decision" tm_wait_for '#2 decided: 3 stars, none \(as the adjudicator\)'
is "$(sql "SELECT adjudicator || '|' || stars || '|' || flag || '|' || reason FROM adjudication")" \
	"dee|3|none|alice is closer to the brief" "in the store, as dee's"
ok "and #2 leaves the queue" tm_wait_for 'no candidates match: F clears the filter'
done_testing
