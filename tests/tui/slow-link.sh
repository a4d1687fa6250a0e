#!/bin/sh
# slow-link.sh - kitty pictures over a slow link (slow-link.py: a pty read
# at 200 KB/s with 50 ms latency each way, answering as kitty 0.26): a run
# of 20 `j` presses must not send 20 pictures.  Uploads go a chunk at a
# time between keys; those the cursor left behind are abandoned at a chunk
# boundary; the last picture arrives whole.  Counts, never times.
. "$(dirname "$0")/lib.sh"

plan 7
RELAY="$top_srcdir/tests/tui/slow-link.py"

lbq init
lbq project add "Link"
lbq brief add --project 1 --title "Noise" --prompt "noisy"
# 20 noisy pictures of 256x256: each PNG about 200 KB, a second on the link.
python3 "$top_srcdir/tests/tui/noise-png.py" 256 256 $(seq -f "$T/n%02g.png" 0 20)
lbq candidate add --brief 1 "$T"/n*.png
unset TMUX STY TERM_PROGRAM LC_TERMINAL KITTY_WINDOW_ID COLORTERM
# Over SSH: the 240 KB payload budget and a probe that waits for the link.
export SSH_CONNECTION="10.0.0.1 50000 10.0.0.2 22"
LOG="$T/preview.log"
python3 "$RELAY" --rate 200000 --latency 50 --count 20 --gap 60 --out "$T/screen" -- \
	env LIGHTBOX_PREVIEW_LOG="$LOG" "$LIGHTBOX" tui --brief 1 >"$T/figures"
is "$?" 0 "the interface ran on the far end of the link and quit"
sed 's/^/# /' "$T/figures"
fig() { awk -v k="$1" '$1 == k {print $2}' "$T/figures"; }
like "$(head -1 "$LOG")" 'mode=kitty' "kitty is drawn"
is "$(fig keys)" 20 "20 keys were typed"
# A loop blocked on a whole picture reads the keys typed meanwhile at once
# and asks for few pictures: fewer than 20 sent would then prove nothing.
# So the interface must have asked for a picture at most of the keys (the log's
# "change" lines after the first), and yet sent few whole.
asked=$(($(grep -c '^change ' "$LOG") - 1))
ok "20 j ask for $asked pictures as they come, yet $(fig uploads_complete) are sent whole" \
	test "$asked" -ge 10 -a "$(fig uploads_complete)" -le 6
ok "the last picture arrives whole after the last key ($(fig picture_complete_ms) ms)" \
	test "$(fig picture_complete_ms)" -ge 0 -a "$(fig uploads_complete)" -ge 1
ok "uploads left behind were abandoned ($(fig uploads_abandoned))" test "$(fig uploads_abandoned)" -ge 1
like "$(grep "^link uploads=" "$LOG" | tail -1)" 'link uploads=[0-9]+ complete=[0-9]+ abandoned=[1-9]' "the log counts them too"
done_testing
