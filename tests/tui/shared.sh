#!/bin/sh
# shared.sh - two curators with the interface open on one store: what one
# does shows in the other's screen within the poll interval, without a key
# pressed there.
. "$(dirname "$0")/lib.sh"

plan 8
mkstore

open_brief 80 24
# bob's interface: a terminal of his own (a second tmux server: tmux 3.3
# cannot add a session to a server whose window-size is manual)
bob() { tmux -L "$TM_SOCK-bob" -f /dev/null "$@"; }
at_exit "bob kill-server"
bob new-session -d -s bob -x 80 -y 24 env TERM=tmux-256color LIGHTBOX_CURATOR=bob \
	LIGHTBOX_STORE="$LIGHTBOX_STORE" HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" LANG="$LANG" \
	"$LIGHTBOX" tui --brief 1
bob set-option -g status off >/dev/null
bob_screen() { bob capture-pane -t bob -p; }
bob_wait() {
	_end=$(($(date +%s) + 5))
	while [ "$(date +%s)" -le "$_end" ]; do
		bob_screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	echo "# bob's screen never showed /$1/:"
	bob_screen | sed 's/^/#   |/'
	return 1
}
ok "bob's interface is open" bob_wait '\[candidates\].*of 8'
like "$(bob_screen | head -1)" ' bob$' "as bob"

tm_keys 4
ok "alice rates #8" tm_wait_for '^ +8 ★★★★☆ 4\.0'
ok "bob sees the new mean without pressing a key" bob_wait '^ +8 ····· +4\.0'

bob send-keys -t bob t
bob send-keys -t bob -l "from-bob"
bob send-keys -t bob Enter
ok "bob tags #8" bob_wait '^ +8 .*from-bob'
ok "alice sees bob's tag without a key" tm_wait_for '^ +8 .*from-bob'

lbq candidate add --brief 1 --text "Leaves fall, number 9, added from a script."
ok "a candidate added elsewhere appears in alice's list" tm_wait_for '^ +9 .*manual'
ok "and in bob's, with the new count" bob_wait '\[candidates\].* of 9'
done_testing
