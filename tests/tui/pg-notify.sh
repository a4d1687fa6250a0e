#!/bin/sh
# pg-notify.sh - on a PostgreSQL store the interface hears another
# curator's commit at once (LISTEN/NOTIFY, issue 18), not on its poll
# timer: with the timer at its longest (60 s), bob's rating and tag show
# in alice's open list within the wait.  On SQLite the same keys would
# wait for the timer.  Each NOTIFY says the kind of change and its
# briefs, so a change of another brief does not make alice's list read
# itself again (LIGHTBOX_REFRESH_LOG: a line per change looked at).
LB_TEST_DIALECT=pg
. "$(dirname "$0")/lib.sh"

plan 10
mkstore
mkdir -p "$XDG_CONFIG_HOME/lightbox"
echo "set poll-interval 60000" >"$XDG_CONFIG_HOME/lightbox/config"
export LIGHTBOX_REFRESH_LOG="$T/refresh.log"
: >"$LIGHTBOX_REFRESH_LOG"
# log_wait REGEX: waits up to 5 s for a line of the refresh log.
log_wait() {
	_i=0
	while ! grep -Eq -- "$1" "$LIGHTBOX_REFRESH_LOG"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && return 1
		sleep 0.05
	done
}
reloads() { grep -c '^reload' "$LIGHTBOX_REFRESH_LOG"; }
open_brief 100 20 1
ok "the brief's candidates are open" tm_wait_for '^ +8 .* manual'
like "$(tm_screen | grep -E '^ +8 ')" '^ +8 ····· +- ' "candidate 8 has no rating yet"
LIGHTBOX_CURATOR=bob lbq rate 8 3
t0=$(date +%s%N)
ok "bob's rating shows in alice's list at once" tm_wait_for '^ +8 .*3\.0' 3
echo "# on the screen $((($(date +%s%N) - t0) / 1000000)) ms after bob's commit (screen read every 50 ms)"
ok "the NOTIFY said a rating of brief 1, and the list read itself again" \
	log_wait '^reload brief=1 kinds=rate briefs=1$'
LIGHTBOX_CURATOR=bob lbq tag add 8 sunset
ok "and his tag" tm_wait_for '^ +8 .*sunset' 3
ok "said so: a tag of brief 1" log_wait '^reload brief=1 kinds=tag briefs=1$'

# Another brief's changes: heard, not re-read.
n=$(reloads)
LIGHTBOX_CURATOR=bob lbq brief add --project 1 --title "Other copy" --modality text
LIGHTBOX_CURATOR=bob lbq candidate add --brief 3 --text "another brief's line"
LIGHTBOX_CURATOR=bob lbq rate 9 5
ok "a rating of brief 3 is heard as such" log_wait '^skip brief=1 kinds=([a-z-]+,)*rate(,[a-z-]+)* briefs=3$'
is "$(reloads)" "$n" "and alice's list of brief 1 does not read itself again"
# A change on this brief after them: read again.
LIGHTBOX_CURATOR=bob lbq note add 8 "warmer light"
ok "a note on brief 1 makes it read itself again" log_wait '^reload brief=1 kinds=note briefs=1$'
is "$(reloads)" "$((n + 1))" "once"
sed 's/^/# /' "$LIGHTBOX_REFRESH_LOG"
done_testing
