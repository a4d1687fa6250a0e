# tmux.sh - drive a program in a real terminal (tmux) from a shell test.
#
#   . "$top_srcdir/tests/lib/tmux.sh"
#   tm_start 80 24 "$LIGHTBOX"            # detached session of fixed size
#   tm_wait_for 'Projects'                # until the screen shows it (5 s)
#   tm_keys j j Enter                     # tmux key names (send-keys)
#   tm_type 'hello world'                 # literal text
#   tm_screen > "$T/screen.txt"           # capture-pane -p (text)
#   tm_screen_ansi                        # with colours (-e -N)
#   tm_resize 120 40
#   tm_stop                               # kill this session's own server
#
# Each test gets its own tmux server (-L socket name, -f /dev/null), so
# tests never touch a user's tmux nor each other; tm_stop ends only it.

TM_SOCK="lbtest-$$-$(date +%s%N)"
TM_SESSION="lb"
TM_RUNNING=0

tm() { tmux -L "$TM_SOCK" -f /dev/null "$@"; }

# tm_start COLS ROWS COMMAND...: starts COMMAND in a fresh detached session.
tm_start() {
	_cols=$1
	_rows=$2
	shift 2
	# The command runs through a tiny script so its arguments keep their quoting.
	_script="$T/.tm-run.$$"
	{
		echo '#!/bin/sh'
		printf 'exec'
		for _a in "$@"; do printf " '%s'" "$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")"; done
		echo
	} >"$_script"
	chmod +x "$_script"
	tm new-session -d -s "$TM_SESSION" -x "$_cols" -y "$_rows" \
		-e "TERM=${TM_TERM:-tmux-256color}" -e "LIGHTBOX_STORE=$LIGHTBOX_STORE" \
		-e "LIGHTBOX_CURATOR=$LIGHTBOX_CURATOR" -e "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
		-e "HOME=$HOME" "$_script"
	tm set-option -g status off >/dev/null
	tm set-option -g remain-on-exit on >/dev/null
	tm set-option -g window-size manual >/dev/null
	tm resize-window -t "$TM_SESSION" -x "$_cols" -y "$_rows" >/dev/null 2>&1
	TM_RUNNING=1
	at_exit tm_stop
}

tm_stop() {
	[ "$TM_RUNNING" = 1 ] || return 0
	tm kill-session -t "$TM_SESSION" 2>/dev/null
	tm kill-server 2>/dev/null
	TM_RUNNING=0
}

tm_keys() { tm send-keys -t "$TM_SESSION" "$@"; }
tm_type() { tm send-keys -t "$TM_SESSION" -l -- "$1"; }
tm_screen() { tm capture-pane -t "$TM_SESSION" -p; }
tm_screen_ansi() { tm capture-pane -t "$TM_SESSION" -p -e -N; }
tm_resize() { tm resize-window -t "$TM_SESSION" -x "$1" -y "$2"; }
# tm_dead: 0 when the program in the pane has exited.
tm_dead() { [ "$(tm display-message -t "$TM_SESSION" -p '#{pane_dead}')" = 1 ]; }
tm_exit_status() { tm display-message -t "$TM_SESSION" -p '#{pane_dead_status}'; }

# tm_wait_for REGEX [SECONDS]: waits until the screen matches (grep -E).
tm_wait_for() {
	_end=$(($(date +%s) + ${2:-5}))
	while [ "$(date +%s)" -le "$_end" ]; do
		if tm_screen | grep -Eq -- "$1"; then return 0; fi
		sleep 0.05
	done
	echo "# timed out waiting for /$1/; the screen was:"
	tm_screen | sed 's/^/#   |/'
	return 1
}

# tm_wait_gone REGEX [SECONDS]: waits until the screen no longer matches.
tm_wait_gone() {
	_end=$(($(date +%s) + ${2:-5}))
	while [ "$(date +%s)" -le "$_end" ]; do
		if ! tm_screen | grep -Eq -- "$1"; then return 0; fi
		sleep 0.05
	done
	echo "# timed out waiting for /$1/ to go; the screen was:"
	tm_screen | sed 's/^/#   |/'
	return 1
}

# tm_settle: waits until two captures 100 ms apart are the same.
tm_settle() {
	_prev=""
	_i=0
	while [ $_i -lt 50 ]; do
		_cur=$(tm_screen)
		[ "$_cur" = "$_prev" ] && return 0
		_prev=$_cur
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}
