#!/bin/sh
# preview-tmux.sh - pictures through a real tmux (3.3) to a made-up outer
# terminal (outer-term.py) that answers as kitty does, read byte by byte:
# the questions go through passthrough and come back; with a kitty that
# knows Unicode placeholders (0.28 and later; Debian 12 has 0.26) the data
# goes in 4096-byte chunks (m=1), once, with one virtual placement (U=1),
# and the pane holds placeholder cells (U+10EEEE, row and column
# diacritics, the id as 256-colour foreground); a kitty 0.26 gets symbols
# (its pictures would float over tmux's other windows, and tmux 3.3 passes
# nothing through for a hidden pane to take them away), direct placements
# only when preview-mode kitty forces them; passthrough off means symbols, and doctor says the line
# that fixes it and what else helps; GNU screen keeps symbols.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
plan 24
OUTER="$top_srcdir/tests/tui/outer-term.py"

lbq init
lbq project add "Outer"
lbq brief add --project 1 --title "Noise" --prompt "noisy"
# Noisy pictures, so that the PNG is larger than one 4096-byte chunk.
python3 "$top_srcdir/tests/tui/noise-png.py" 96 96 "$T/a.png" "$T/b.png"
lbq candidate add --brief 1 "$T/a.png" "$T/b.png"
SOCK="$T/tmux.sock"
LOG="$T/preview.log"
printf 'set -g allow-passthrough on\nset -g focus-events on\nset -g default-terminal tmux-256color\n' \
	>"$T/tmux.conf"
tmo() { tmux -S "$SOCK" "$@"; }
stop_tmux() { tmux -S "$SOCK" kill-server 2>/dev/null; }
at_exit stop_tmux

# outer VERSION OUT CMD...: a session run from the made-up terminal.
outer() {
	_v=$1
	_o=$2
	shift 2
	python3 "$OUTER" --version "$_v" --out "$_o" -- \
		tmux -S "$SOCK" -f "$T/tmux.conf" new-session -s lb "$@" &
	OUTER_PID=$!
	_i=0
	while ! tmo has-session -t lb 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
end_outer() {
	tmo kill-session -t lb 2>/dev/null
	wait "$OUTER_PID" 2>/dev/null
}
logged() {
	_i=0
	while ! grep -q "$1" "$LOG" 2>/dev/null && [ $_i -lt 80 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.5
}

# --- kitty 0.35: Unicode placeholders
outer 'kitty(0.35.2)' "$T/out1" env LIGHTBOX_PREVIEW_LOG="$LOG" "$LIGHTBOX" tui --brief 1
logged '^change'
like "$(head -1 "$LOG")" 'mode=kitty detected=kitty \(kitty: .*through tmux passthrough \(Unicode placeholders\)\).* tmux=passthrough placeholders' \
	"the outer kitty is asked through passthrough and has placeholders"
tmo capture-pane -p -e -t lb >"$T/cap1"
python3 - "$T/out1" "$T/cap1" >"$T/check1" <<'PY'
import re, sys
out = open(sys.argv[1], "rb").read()
cap = open(sys.argv[2], "rb").read().decode("utf-8", "replace")
ups = re.findall(rb"\x1b_Ga=t,f=100,t=d,i=(\d+),q=2,m=(\d);", out)
chunks = re.findall(rb"\x1b_G(?:a=t[^;]*|m=\d);([^\x1b]*)\x1b\\", out)
virt = re.findall(rb"\x1b_Ga=p,U=1,i=(\d+),p=1,c=(\d+),r=(\d+),q=2\x1b\\", out)
print("uploads", len(ups))
print("first_more", ups[0][1].decode() if ups else "-")
print("chunks", len(chunks), "max", max((len(c) for c in chunks), default=0))
print("virtual", len(virt))
ident = int(virt[0][0]) if virt else 0
cols, rows = (int(virt[0][1]), int(virt[0][2])) if virt else (0, 0)
print("same_id", int(bool(ups) and int(ups[0][0]) == ident))
print("low", ident & 0xff)
# placeholder cells in the pane: U+10EEEE, row diacritic, column diacritic
cells = re.findall("\U0010EEEE([\u0300-\uffff])([\u0300-\uffff])", cap)
print("cells", len(cells), "want", cols * rows)
print("colour", int(f"\x1b[38;5;{ident & 0xff}m" in cap))
print("corner", "%04X %04X" % (ord(cells[0][0]), ord(cells[0][1])) if cells else "-")
print("raw_apc", int(b"\x1bPtmux;" in out))
PY
cat "$T/check1" | sed 's/^/# /'
val() { awk -v k="$1" '$1 == k {print $2}' "$T/check1"; }
is "$(val uploads)" 1 "the picture's data went to the outer terminal once"
is "$(val first_more)" 1 "in chunks: the first says more follow (m=1)"
ok "several chunks of at most 4096 bytes ($(grep ^chunks "$T/check1"))" \
	test "$(val chunks)" -gt 1 -a "$(awk '$1 == "chunks" {print $4}' "$T/check1")" -le 4096
is "$(val virtual)" 1 "one virtual placement (U=1)"
is "$(val same_id)" 1 "for the id the data went under"
ok "the pane holds a placeholder cell for each cell of the picture" \
	test "$(val cells)" -gt 0 -a "$(val cells)" = "$(awk '$1 == "cells" {print $4}' "$T/check1")"
is "$(val colour)" 1 "coloured with the id's low byte"
is "$(grep '^corner' "$T/check1" | cut -d' ' -f2-)" "0305 0305" "the top-left cell is row 0, column 0"
is "$(val raw_apc)" 0 "tmux unwrapped every passthrough (none reached the outer terminal wrapped)"

# Moving on and back: the second picture goes once, the first is not sent again.
tmo send-keys -t lb j
sleep 1
tmo send-keys -t lb k
sleep 1
n=$(grep -c '' "$LOG")
tmo send-keys -t lb j
sleep 1
is "$(grep -ao "$(printf '\033')_Ga=t," "$T/out1" | wc -l | tr -d ' ')" 2 \
	"moving j, k, j uploads two pictures, not four"
end_outer

# --- kitty 0.26: no placeholders: symbols, unless forced
: >"$LOG"
outer 'kitty(0.26.5)' "$T/out2" env LIGHTBOX_PREVIEW_LOG="$LOG" "$LIGHTBOX" tui --brief 1
logged '^change'
like "$(head -1 "$LOG")" 'mode=symbols detected=symbols \(symbols: kitty\(0.26.5\) answered .*without Unicode placeholders' \
	"kitty 0.26 is told apart and gets symbols"
ok "no kitty picture reaches it" test "$(grep -ac "$(printf '\033')_G" "$T/out2")" -le 1
end_outer
: >"$LOG"
outer 'kitty(0.26.5)' "$T/out2" env LIGHTBOX_PREVIEW_LOG="$LOG" "$LIGHTBOX" --preview=kitty tui --brief 1
logged '^change'
ok "forced, it gets a direct placement at the pane's cell" \
	grep -aq "$(printf '\033')_Ga=p,i=[0-9]*,p=1,c=[0-9]*,r=[0-9]*,C=1" "$T/out2"
# tmux tells a pane nothing when its copy mode, display-panes or a popup
# ends; it paints the cells back over a picture passed through.  lightbox
# has it drawn again then: hooks (SIGWINCH) for the first two, the tmux
# server's children for a popup.
placed() { grep -ao "$(printf '\033')_Ga=p," "$T/out2" | wc -l | tr -d ' '; }
more_than() {
	_i=0
	while [ "$(placed)" -le "$1" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ "$(placed)" -gt "$1" ]
}
n=$(placed)
tmo copy-mode -t lb
sleep 0.5
tmo send-keys -t lb -X cancel
ok "leaving copy mode places the picture again" more_than "$n"
n=$(placed)
tmo display-panes -t "$(tmo list-clients -F '#{client_name}' | head -1)" -d 300
ok "so does the end of display-panes" more_than "$n"
n=$(placed)
tmo display-popup -t lb -E 'sleep 1.5' &
POPUP=$!
sleep 0.8
is "$(placed)" "$n" "nothing is placed over an open popup"
wait $POPUP
ok "the picture is placed again once the popup closed" more_than "$n"
tmo set-option -g remain-on-exit on
tmo send-keys -t lb Q
i=0
while [ "$(tmo display -p -t lb '#{pane_dead}')" != 1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
is "$( (tmo show-hooks -g; tmo show-hooks -g pane-mode-changed) | grep -c '\[')" 0 "quitting takes its hooks away"
tmo set-option -g remain-on-exit off
end_outer

# --- passthrough off: symbols, and doctor says which line fixes it
printf 'set -g allow-passthrough off\nset -g default-terminal tmux-256color\n' >"$T/tmux.conf"
outer 'kitty(0.35.2)' "$T/out3" sh -c "'$LIGHTBOX' doctor >'$T/doctor' 2>&1; sleep 30"
i=0
while ! grep -q '^Preview' "$T/doctor" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
like "$(cat "$T/doctor")" 'case: passthrough is off' "doctor says passthrough is off"
like "$(cat "$T/doctor")" '      set -g allow-passthrough on' "and the line that fixes it"
like "$(cat "$T/doctor")" 'helps: set -g focus-events on' "and that focus-events helps"
end_outer

# --- GNU screen passes no pictures on: symbols, even where the terminal draws sixel.
env -u TMUX -u TMUX_PANE STY=4242.pts-1.host python3 "$top_srcdir/tests/tui/pty-term.py" --answer sixel \
	--out "$T/doc-screen" -- "$LIGHTBOX" doctor >/dev/null
like "$(tr -d '\r' <"$T/doc-screen")" 'mode: symbols: inside GNU screen' "GNU screen keeps symbols"
like "$(tr -d '\r' <"$T/doc-screen")" 'screen passes no pictures on' "and doctor says why"
done_testing
