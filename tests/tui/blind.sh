#!/bin/sh
# blind.sh - blind review in the interface: M-b on a brief turns it on
# (through the writer), the brief list shows "blind" for its picks, the
# candidate list says so and shows bob no mean until he rates; M-b again
# turns it off.
. "$(dirname "$0")/lib.sh"

plan 7
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
done_testing
