#!/bin/sh
# quit-hatch.sh - a config that binds away every way out (unbind * *, then
# C-c to another action; tries ':' and the prompt's <Enter> too) still
# leaves one: ':' opens the command line in every view and <Enter> runs
# it, so ':quit' quits (issue 12).
# The config's tries to take them away are reported; `lightbox keys` and
# the manual say so.
. "$(dirname "$0")/lib.sh"

plan 8
mkstore
mkdir -p "$XDG_CONFIG_HOME/lightbox"
cat >"$XDG_CONFIG_HOME/lightbox/config" <<'CONF'
unbind * *
bind global C-c refresh
unbind global :
bind candidates : mark
unbind prompt <Enter>
CONF

like "$("$LIGHTBOX" keys 2>&1)" "':' opens the command line in every view and <Enter> runs it; no config can unbind them, so ':quit' always quits" \
	"lightbox keys says which keys are fixed"
like "$(cat "$top_srcdir/doc/lightbox.1")" "so ':quit' always quits" "and so does the manual"

open_brief 100 30
ok "unbinding ':' is refused and says why" tm_wait_for 'config:3: : cannot be unbound in global: it is fixed'
like "$(tm_screen)" 'config:4: : cannot be bound to mark in candidates' "binding it to another action too"
like "$(tm_screen)" 'config:5: <Enter> cannot be unbound in prompt' "and the prompt's <Enter>"
tm_keys Space
tm_wait_gone 'config:3' >/dev/null
tm_keys Q q C-c Escape
sleep 0.5
ok "Q, q, C-c and Esc are bound away: still running" tm_wait_for '\[candidates\]'
tm_keys :
ok "':' opens the command line" tm_wait_for '^:'
tm_type quit
tm_keys Enter
ok "':quit' quits" tm_wait_for '^\[exited 0\]'
done_testing
