#!/bin/sh
# pg-notify.sh - on a PostgreSQL store the interface hears another
# curator's commit at once (LISTEN/NOTIFY, issue 18), not on its poll
# timer: with the timer at its longest (60 s), bob's rating and tag show
# in alice's open list within the wait.  On SQLite the same keys would
# wait for the timer.
LB_TEST_DIALECT=pg
. "$(dirname "$0")/lib.sh"

plan 4
mkstore
mkdir -p "$XDG_CONFIG_HOME/lightbox"
echo "set poll-interval 60000" >"$XDG_CONFIG_HOME/lightbox/config"
open_brief 100 20 1
ok "the brief's candidates are open" tm_wait_for '^ +8 .* manual'
like "$(tm_screen | grep -E '^ +8 ')" '^ +8 ····· +- ' "candidate 8 has no rating yet"
LIGHTBOX_CURATOR=bob lbq rate 8 3
t0=$(date +%s%N)
ok "bob's rating shows in alice's list at once" tm_wait_for '^ +8 .*3\.0' 3
echo "# on the screen $((($(date +%s%N) - t0) / 1000000)) ms after bob's commit (screen read every 50 ms)"
LIGHTBOX_CURATOR=bob lbq tag add 8 sunset
ok "and his tag" tm_wait_for '^ +8 .*sunset' 3
done_testing
