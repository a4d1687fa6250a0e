#!/bin/sh
# text-prefix.sh - lists read only a prefix of each text: `candidate ls
# --json` carries the first 4096 characters of a long body and says it is
# cut (the whole length in bytes), `candidate show` the whole text.
. "$top_srcdir/tests/lib/tap.sh"
plan 6

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "P" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "copy" --modality text --prompt "long" >/dev/null
LONG=$(awk 'BEGIN { for (i = 0; i < 500; i++) printf "word%04d é ", i }')
"$LIGHTBOX" candidate add --brief 1 --text "$LONG" >/dev/null
"$LIGHTBOX" candidate add --brief 1 --text "short one" >/dev/null

lb candidate ls --json
is "$?" 0 "candidate ls --json"
is "$(jq -r '.[] | select(.id == 1) | .text | length' "$T/out")" 4096 "a long body is listed as its first 4096 characters"
is "$(jq -r '.[] | select(.id == 1) | "\(.text_truncated) \(.bytes)"' "$T/out")" "true $(printf %s "$LONG" | wc -c | tr -d ' ')" \
	"said to be cut, with its whole length"
is "$(jq -r '.[] | select(.id == 2) | "\(.text) \(.text_truncated)"' "$T/out")" "short one null" "a short one is whole"
lb candidate show 1 --json
is "$(jq -r '.text | length' "$T/out")" "$(printf %s "$LONG" | LC_ALL=C.UTF-8 wc -m | tr -d ' ')" "candidate show has the whole text"
is "$(jq -r '.text_truncated' "$T/out")" null "not cut"
done_testing
