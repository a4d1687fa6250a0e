#!/bin/sh
# tmux-sixel.sh - sixel pictures through tmux's passthrough: a real tmux
# (allow-passthrough on, focus-events on) inside a real xterm (a VT340
# under Xvfb), checked on screenshots.  lightbox asks the outer xterm
# through the passthrough and draws sixel inside the pane; switching tmux
# windows leaves nothing of it and the picture comes back on return (a
# focus-in), and after a detach on attaching again; a tmux popup over it
# shows no picture through it; a split
# redraws it at its new size; with passthrough off it draws symbols and
# the log says why.  Pictures are flat colours counted in each screenshot.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
# its flat pictures are near-copies to the fingerprint: each its own row,
# stacks not folded
mkdir -p "$XDG_CONFIG_HOME/lightbox"
echo "set stacks off" >>"$XDG_CONFIG_HOME/lightbox/config"

xt_need
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
[ -x "$LIGHTBOX" ] || skip_all "no lightbox binary at $LIGHTBOX"
plan 14

ORANGE='#ff8000'
TEAL='#00ff80'
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "Swatches" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "Flat" --prompt "one colour each" >/dev/null
mkpng "$T/teal.png" 160 320 0 255 128
mkpng "$T/orange.png" 240 240 255 128 0
"$LIGHTBOX" candidate add --brief 1 "$T/teal.png" "$T/orange.png" >/dev/null
LOG="$T/preview.log"
SOCK="$T/tmux.sock"
cat >"$T/tmux.conf" <<CONF
set -g allow-passthrough on
set -g focus-events on
set -g default-terminal tmux-256color
set -g status-style bg=blue
CONF
tm() { tmux -S "$SOCK" "$@"; }
stop_tmux() { tmux -S "$SOCK" kill-server 2>/dev/null; rm -f "$SOCK"; }
at_exit stop_tmux

# The client attaches again once detached (a dropped SSH link, tmux attach).
xt_start 100 30 sh -c 'tmux -S "$1" -f "$2" new-session -s lb env LIGHTBOX_PREVIEW_LOG="$3" "$4" tui \
	--brief 1; sleep 1; tmux -S "$1" attach -t lb' sh "$SOCK" "$T/tmux.conf" "$LOG" "$LIGHTBOX" || exit 1
settle 1
like "$(head -1 "$LOG")" 'mode=sixel detected=sixel \(sixel: .*through tmux passthrough.* tmux=passthrough' \
	"inside tmux the outer xterm is asked through passthrough and draws sixel"
n=$(lines)
settle "$n"
shot 1-picture
ok "the picture is drawn inside the tmux pane ($(xt_count "$T/1-picture.png" "$ORANGE") px)" \
	test "$(xt_count "$T/1-picture.png" "$ORANGE")" -gt 10000
ok "as one solid rectangle" solid "$T/1-picture.png" "$ORANGE"

n=$(lines)
tm new-window
sleep 1
shot 2-other-window
is "$(xt_count "$T/2-other-window.png" "$ORANGE")" 0 "another tmux window shows nothing of the picture"
tm select-window -t :0
settle "$n"
shot 3-back
ok "back in lightbox's window the picture is drawn again" solid "$T/3-back.png" "$ORANGE"

client=$(tm list-clients -F '#{client_name}' | head -1)
tm display-popup -c "$client" -w 60 -h 20 -x 0 -y 0 -E 'sleep 4' &
popup=$!
sleep 1.2
shot 4-popup
is "$(xt_count "$T/4-popup.png" "$ORANGE" 600x300+0+0)" 0 "a tmux popup over the picture shows none of it"
wait "$popup"

n=$(lines)
tm split-window -v -l 8 -t lb:0 'sleep 600'
settle "$n"
shot 5-split
ok "after a split the picture is drawn again" solid "$T/5-split.png" "$ORANGE"

n=$(lines)
tm resize-pane -Z -t lb:0.0
settle "$n"
shot 6-zoomed
ok "zoomed, it is drawn again, in one piece" solid "$T/6-zoomed.png" "$ORANGE"

n=$(lines)
tm send-keys -t lb:0.0 j
settle "$n"
shot 7-moved
ok "moving draws the next picture" solid "$T/7-moved.png" "$TEAL"
is "$(xt_count "$T/7-moved.png" "$ORANGE")" 0 "and erases the last one"

n=$(lines)
tm detach-client -s lb
sleep 0.5
shot 8-detached
is "$(xt_count "$T/8-detached.png" "$TEAL")" 0 "detached, nothing of the picture is left"
settle "$n"
shot_until 9-reattached "$TEAL"
ok "attached again, the picture is drawn again" solid "$T/9-reattached.png" "$TEAL"

tm send-keys -t lb:0.0 Q
sleep 1
# Passthrough off: symbols, and the log says why.
tm set -g allow-passthrough off
: >"$LOG"
tm respawn-pane -k -t lb:0.0 env LIGHTBOX_PREVIEW_LOG="$LOG" "$LIGHTBOX" tui --brief 1
settle 0
like "$(head -1 "$LOG")" "mode=symbols .*allow-passthrough off.*set -g allow-passthrough on" \
	"with passthrough off it draws symbols and says the line that fixes it"
like "$(head -1 "$LOG")" "tmux=no-passthrough" "and names the case"
done_testing
