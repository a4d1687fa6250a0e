#!/bin/sh
# textfiles.sh - text candidates that came from files read like typed
# ones: a file added with `candidate add` shows its text in the preview,
# the zoom, the detail and the comparison; a text over 8 MiB, kept only as a file, is read
# a window at a time: its first lines at once, further ones as the pane
# scrolls (} and {), in the preview and in the zoom.
. "$(dirname "$0")/lib.sh"

plan 14
lbq init
lbq project add "Autumn campaign"
lbq brief add --project 1 --title "Hero copy" --modality text --prompt "Three lines about leaves"
lbq candidate add --brief 1 --text "A typed text, candidate one."
printf 'From a file: the first line.\nAnd its second line, read like a typed one.\n' >"$T/small.txt"
lbq candidate add --brief 1 "$T/small.txt"
# 12 MB of numbered lines: over the inline limit, so only a file.
awk 'BEGIN { for (i = 1; i <= 250000; i++) printf "big line %07d of the long story, told slowly.\n", i }' \
	>"$T/big.txt"
lbq import "$T/big.txt" --brief 1
is "$(sql "SELECT count(*) FROM candidate WHERE id = 3 AND body IS NULL AND asset_id IS NOT NULL")" 1 \
	"the big text is kept only as a file"

open_brief 100 45
tm_keys j
ok "the preview shows the text of a file added with candidate add" tm_wait_for '│From a file: the first line\.'
like "$(tm_screen)" '│And its second line, read like a typed' "all of it"
tm_keys k
ok "the text kept only as a file shows its first lines" tm_wait_for '│big line 0000001 of the long story'
tm_keys '}' '}'
ok "and scrolls through the file" tm_wait_for '│big line 0000007 of the long story'
tm_keys z
ok "the zoom shows it too" tm_wait_for '^big line 0000001 of the long story'
tm_keys '}' '}' '}'
ok "and pages through it" tm_wait_for '^big line 0000010 of the long story'
tm_keys q
tm_wait_for '\[candidates\]' >/dev/null
tm_keys i
ok "the detail of the big one shows its first lines" tm_wait_for '^ big line 0000001 of the long story'
tm_keys G
ok "and, at its end, says how much more there is and where to read it" tm_wait_for '\.\.\. 12 MB more: z pages through all of it'
tm_keys q
tm_wait_for '\[candidates\]' >/dev/null
tm_keys j
tm_wait_for '│From a file: the first line\.' >/dev/null
tm_keys i
ok "the detail shows the file's text" tm_wait_for '^ From a file: the first line\.'
like "$(tm_screen)" '^ And its second line, read like a typed one\.' "all of it, not only its type, size and hash"
tm_keys q
tm_wait_for '\[candidates\]' >/dev/null
tm_keys k c
ok "compare shows the start of the file-only text" tm_wait_for 'big line 0000001 of the long story'
like "$(tm_screen)" 'From a file: the first line\.' "beside the other file's text"
quit_ok "quits"
done_testing
