#!/bin/sh
# preview-direct.sh - symbols in 24-bit colour (TERM=tmux-direct) cost
# under half of what exact colours cost: a plasma zoomed to 80x40 cells
# changes for under 62 KB on the terminal (exact colours took 124 KB),
# and the picture still uses many colours.  Bytes from the log, not times.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/convert ] || skip_all "ImageMagick's /usr/bin/convert is not installed"
infocmp tmux-direct >/dev/null 2>&1 || skip_all "no tmux-direct terminfo (ncurses-term)"
plan 5

lbq init
lbq project add "Plasma"
lbq brief add --project 1 --title "Smooth" --prompt "plasma"
/usr/bin/convert -size 512x512 -seed 42 plasma:fractal "$T/a.png"
/usr/bin/convert -size 512x512 -seed 7 plasma:fractal "$T/b.png"
lbq candidate add --brief 1 "$T/a.png" "$T/b.png"
export LIGHTBOX_PREVIEW_LOG="$T/preview.log"
TM_TERM=tmux-direct
export TM_TERM
start_lb 100 45 --preview=symbols tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null
tm_keys z
ok "the zoom opens" tm_wait_for '\[zoom\]'
n=$(grep -c '^change' "$T/preview.log")
tm_keys j
i=0
while [ "$(grep -c '^change' "$T/preview.log")" -le "$n" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
last=$(grep '^change' "$T/preview.log" | tail -1)
echo "# $last" | cut -c1-120
bytes=$(echo "$last" | sed 's/.*ncurses=\([0-9]*\).*/\1/')
ok "the next plasma is drawn ($bytes bytes)" test "$bytes" -gt 10000
ok "for under 62 KB (half of exact 24-bit colours)" test "$bytes" -lt 62000
tm_screen_ansi >"$T/cap"
ncol=$(grep -o '38;2;[0-9]*;[0-9]*;[0-9]*' "$T/cap" | sort -u | wc -l)
ok "in many colours still ($ncol)" test "$ncol" -gt 200
quit_ok "quits"
done_testing
