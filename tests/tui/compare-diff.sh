#!/bin/sh
# compare-diff.sh - at 100x20: comparing two candidates shows, on each
# side, the words of its prompt and parameters the other lacks (a one-off
# prompt against the brief's; a wider picture against a narrower one),
# and nothing when they are the same; a pinned reference stays on the left
# while challengers come against it, each verdict recorded.
. "$(dirname "$0")/lib.sh"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

plan 11
lbq init
lbq project add Harbour
lbq brief add --project 1 --title Boats --prompt "a red boat at dawn, harbour"
lbq gen 1 -n 1 --seed 1 --backend builtin --set width=96 --set height=96
lbq gen 1 -n 1 --seed 2 --backend builtin --prompt "a blue boat at dusk, harbour" --set width=64 --set height=96
lbq gen 1 -n 1 --seed 2 --backend builtin --prompt "a blue boat at dusk, harbour" --set width=64 --set height=96

start_lb 100 20 --preview none tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null || exit 1
tm_keys G c # #1 (the list is newest first) against the next, #2
ok "c compares #1 and #2" tm_wait_for 'left #1 +│ right #2'
ok "the brief's prompt against a one-off: each side's own words" \
	tm_wait_for 'prompt only here: red dawn +│ prompt only here: blue dusk'
ok "a changed parameter shows on both sides" tm_wait_for 'width:96 +│ .*width:64'
unlike "$(tm_screen)" 'height:96.*│' "the same value is not shown"
tm_keys q
tm_wait_for '\[candidates\]' >/dev/null
tm_keys g Space Space c # mark #3 and #2 (a mark moves down), compare them
ok "two identical prompts" tm_wait_for 'left #[23] +│ right #[23]'
unlike "$(tm_screen)" 'prompt only here' "show no prompt difference"

# ---------------------------------------------------------------- a pinned reference
ref=$(tm_screen | sed -n 's/.* left #\([0-9]*\) .*/\1/p' | head -1)
tm_keys r
ok "r pins the left" tm_wait_for "#$ref pinned on the left"
tm_keys l
tm_wait_for '\(1 judged\)' >/dev/null # saved: the next pair is there
ok "after a verdict the reference stays, a challenger comes" tm_wait_for "#$ref \\(pinned\\) vs #"
tm_keys h
ok "and the next" tm_wait_for '\(2 judged\)'
is "$(sql "SELECT count(*) || ':' || count(DISTINCT right_id) FROM comparison WHERE left_id = $ref")" "2:2" \
	"two verdicts, the reference against two challengers, for the ranking"
tm_keys r
ok "r again unpins" tm_wait_for 'unpinned'
done_testing
