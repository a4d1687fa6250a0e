#!/bin/sh
# detail-highlight.sh - what the list's filter found is highlighted in the
# list (the seed, tags and backend columns, the text) and in the detail
# view (Enter): free words in the prompt, the parameters, the notes
# and the text; field terms (model:, seed:, tag:, lora:, steps>=) in the
# lines that show their field, nothing else.  A control character beside a
# match stays visible whole (^G), never half highlighted.
. "$(dirname "$0")/lib.sh"

plan 11
lbq init
lbq project add "P"
lbq brief add --project 1 --title "Harbour" --modality image --prompt "a harbour"
mkdir "$T/in"
mkpng "$T/in/a.png" 16 9 200 0 0
mkpng "$T/in/b.png" 16 9 0 200 0
cat >"$T/in/a.json" <<'J'
{"prompt": "red lighthouse under \u0007Grey sky", "seed": 42, "steps": 30, "sampler": "Euler a",
 "model": "sdxl-base", "loras": [{"name": "detail", "weight": 0.5}]}
J
cat >"$T/in/b.json" <<'J'
{"prompt": "green boat", "seed": 43, "steps": 12, "model": "flux-dev"}
J
lbq import "$T/in" --brief 1
lbq tag add 1 keep
lbq tag add 1 other
lbq note add 1 "the horizon tilts"

open_brief 120 50
tm_keys f
tm_wait_for '^filter: ' >/dev/null
tm_type 'lighthouse g model:sdxl* seed:42 tag:keep lora:detail note:horizon steps>=30 -tag:nope'
tm_keys Enter
tm_wait_for 'filter: lighthouse.* 1 of 1' >/dev/null
tm_settle
tm_screen_ansi >"$T/list"
_r=$(($(tm_screen | grep -n 'keep,other' | head -1 | cut -d: -f1) - 1))
is "$(python3 "$top_srcdir/tests/tui/ansi-cells.py" runs 3 <"$T/list" | awk -F '\t' -v r="$_r" '$1 == r { printf "%s|", $3 }')" \
	"42|keep|lighthouse|G|" "the list: seed:42 in the seed column, tag:keep in the tags (not other), the words in the text"
tm_keys Enter
ok "Enter opens the detail" tm_wait_for 'Candidate #1'
tm_settle
tm_screen_ansi >"$T/cap"
# runs LABEL: the highlighted runs on the first line that shows LABEL
runs() {
	_row=$(tm_screen | grep -n -- "$1" | head -1 | cut -d: -f1)
	python3 "$top_srcdir/tests/tui/ansi-cells.py" runs 3 <"$T/cap" |
		awk -F '\t' -v r="$((_row - 1))" '$1 == r { printf "%s|", $3 }'
}
# col LABEL WORD: the column of WORD on the first line that shows LABEL
col() { tm_screen | grep -- "$1" | head -1 | awk -v w="$2" '{ print index($0, w) - 1 }'; }
is "$(runs ' prompt ')" "lighthouse|G|" \
	"the prompt: the free words only; ^G before Grey shown whole, not marked"
like "$(tm_screen | grep ' prompt ')" 'lighthouse under \^GGrey' "the control character is visible"
_r=$(($(tm_screen | grep -n ' prompt ' | head -1 | cut -d: -f1) - 1))
is "$(python3 "$top_srcdir/tests/tui/ansi-cells.py" runs 3 <"$T/cap" | awk -F '\t' -v r="$_r" '$1 == r && $3 == "G" { print $2 }')" \
	"$(col ' prompt ' Grey)" "the G marked is Grey's, not the one of ^G"
is "$(runs ' backend ')" "sdxl|" "model:sdxl* in the backend line"
is "$(runs ' seed ')" "42|" "seed:42 in the seed line"
is "$(runs 'keep,other')" "keep|" "tag:keep in the tags, not the other tag"
is "$(runs 'horizon tilts')" "horizon|" "note:horizon in the note"
like "$(runs ' parameters ')$(runs '"detail"')" 'steps\|.*detail' "steps>= and lora: in the parameters"
is "$(python3 "$top_srcdir/tests/tui/ansi-cells.py" runs 3 <"$T/cap" | grep -c -e nope -e Candidate -e Harbour)" "0" \
	"nothing under NOT, nothing in titles"
tm_keys Q
done_testing
