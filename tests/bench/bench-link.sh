#!/bin/sh
# bench-link.sh - kitty pictures over slow links (make bench): 20 `j`
# presses 60 ms apart through slow-link.py, a pty relay read at 1 MB/s,
# then at 200 KB/s with 50 ms latency each way, on 21 noisy 256x256
# pictures (about 200 KB of PNG each: the worst case).  Prints key-to-text
# p50/p99 (a key to the next text on the screen), the time from the last
# key to its complete picture, bytes per decision, and the uploads sent
# whole and abandoned.
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
LIGHTBOX=${LIGHTBOX:-$top/lightbox}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export LIGHTBOX_STORE="$T/store" XDG_CONFIG_HOME="$T/config" HOME="$T" LIGHTBOX_CURATOR=bench
unset TMUX STY TERM_PROGRAM LC_TERMINAL KITTY_WINDOW_ID COLORTERM
export SSH_CONNECTION="10.0.0.1 50000 10.0.0.2 22"
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add Link >/dev/null
"$LIGHTBOX" brief add --project 1 --title Noise --prompt noisy >/dev/null
python3 "$top/tests/tui/noise-png.py" 256 256 $(seq -f "$T/n%02g.png" 0 20)
"$LIGHTBOX" candidate add --brief 1 "$T"/n*.png >/dev/null
for link in "1000000 0" "200000 50"; do
	set -- $link
	python3 "$top/tests/tui/slow-link.py" --rate "$1" --latency "$2" --count 20 --gap 60 -- \
		"$LIGHTBOX" tui --brief 1 >"$T/fig"
	printf 'link %s B/s, %s ms latency, 20 j 60 ms apart:\n' "$1" "$2"
	awk '{printf "  %-22s %s\n", $1, $2}' "$T/fig"
done
