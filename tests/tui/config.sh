#!/bin/sh
# config.sh - the config file: bad lines are reported with file:line and
# the problem when the interface starts, every good line still applies;
# --config names another file; `set` and `bind` work at the : line too.
. "$(dirname "$0")/lib.sh"

plan 16
mkstore
mkdir -p "$XDG_CONFIG_HOME/lightbox"
printf '#!/bin/sh\necho "written by the configured editor" >"$1"\n' >"$T/ed"
chmod +x "$T/ed"
cat >"$XDG_CONFIG_HOME/lightbox/config" <<CONF
# my lightbox config
bind candidates Y rate-5
bind candidates K frobnicate
set advance-after-rate on
set poll-interval fast
set editor "$T/ed"
CONF
CONF="$XDG_CONFIG_HOME/lightbox/config"

open_brief 80 24
ok "a bad line is named by file:line with the problem" tm_wait_for "config:3: .*frobnicate"
like "$(tm_screen)" "config:5: .*poll-interval" "every bad line is listed"
like "$(tm_screen)" 'any key to continue' "the messages wait for a key"
tm_keys Space
ok "a key dismisses them" tm_wait_gone 'config:3'
like "$(tm_screen)" '\[candidates\].*advance' "a good set line applied (advance-after-rate)"
tm_keys Y
ok "a good bind line applied: Y rates 5 (and advances)" tm_wait_for '^ +8 ★★★★★'
sql_wait "SELECT stars FROM rating WHERE candidate_id = 8 AND curator = 'alice'" 5
is "$(sql "SELECT stars FROM rating WHERE candidate_id = 8 AND curator = 'alice'")" 5 "in the store"
ok "advance moved on" tm_wait_for '│Leaves fall, number 7'

tm_keys :
tm_type "set advance-after-rate off"
tm_keys Enter
ok ":set changes an option at once" tm_wait_gone '\[candidates\].*advance'
tm_keys :
tm_type "bind candidates Z pick"
tm_keys Enter Z
ok ":bind adds a key at once" tm_wait_for '^ +7 .*✓'
tm_keys N
ok "set editor names the editor (no \$EDITOR here)" tm_wait_for 'note saved'
is "$(sql "SELECT body FROM note WHERE candidate_id = 7")" "written by the configured editor" "its text is the note"
tm_keys :
tm_type "set poll-interval soon"
tm_keys Enter
ok "a bad :set says what it takes" tm_wait_for 'poll-interval takes a whole number from 50 to 60000'
quit_ok "quits"
tm_stop

start_lb 80 24 --config "$T/nowhere.conf"
ok "--config with a missing file says so, and the interface still runs" tm_wait_for 'nowhere\.conf'
ok "with the built-in keys" tm_wait_for '\[projects\]'
done_testing
