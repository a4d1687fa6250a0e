#!/bin/sh
# query.sh - the query language in the interface: the filter prompt (f)
# takes OR, NOT and groups over fields and words; the search (/) takes a
# query too; a bad query is refused with its column and the list keeps
# its filter.  Saved views: M-V saves the filter and sort (through the
# writer), M-v lists the views and applies one.
. "$(dirname "$0")/lib.sh"

plan 13
mkstore
open_brief 120 30

tm_keys f
tm_wait_for '^filter: ' >/dev/null
tm_type 'number 3 OR tag:blue OR (stars>=4 -tag:hero)'
tm_keys Enter
ok "a filter with OR and a negated group" \
	tm_wait_for 'filter: number 3 OR tag:blue OR \(stars>=4 -tag:hero\).* 1 of 2'
is "$(tm_screen | sed -n '3,4p' | awk '{ printf "%s ", $1 }')" "3 2 " "it shows #3 and #2"
like "$(tm_screen_ansi | sed -n 3p)" 'Leaves fall, .*43m[^ ]*number.*43m[^ ]*3' "the words it found are highlighted"

tm_keys f
tm_wait_for '^filter: number' >/dev/null
tm_keys C-u
tm_type 'seed:5 (tag:x'
tm_keys Enter
ok "a bad filter says where the mistake is" tm_wait_for "filter: at column 14: expected '\)'"
ok "and the list keeps its filter" tm_wait_for 'filter: number 3 OR tag:blue.* 1 of 2'

tm_keys F /
tm_type 'avg>=4.5 rated-by:bob'
tm_keys Enter
ok "/ takes a query" tm_wait_for '/avg>=4.5 rated-by:bob.* 1 of 1'
like "$(tm_screen)" 'Leaves fall, number 1' "and shows the match"
tm_keys M-/

tm_keys f
tm_wait_for '^filter: ' >/dev/null
tm_keys C-u
tm_type 'tag:hero OR tag:blue'
tm_keys Enter
tm_wait_for 'filter: tag:hero OR tag:blue.* of 2' >/dev/null
tm_keys '\;'
tm_wait_for 'sort: oldest' >/dev/null
tm_keys M-V
tm_wait_for '^save the filter as view: ' >/dev/null
tm_type 'tagged'
tm_keys Enter
ok "M-V saves the filter as a view" tm_wait_for "view 'tagged' saved"
is "$(sql "SELECT name || '|' || query || '|' || sort || '|' || author || '|' || project_id FROM saved_view")" \
	"tagged|tag:hero OR tag:blue|oldest|alice|1" "in the store, with its sort, author and project"
tm_keys F '\;'
tm_wait_for 'sort: newest.* of 8' >/dev/null
tm_keys M-v
tm_wait_for '^view \(Tab lists them\): ' >/dev/null
tm_type 'ta'
tm_keys Tab
ok "M-v completes the views' names" tm_wait_for '^view \(Tab lists them\): tagged'
tm_keys Enter
ok "and applies the view's query" tm_wait_for 'filter: tag:hero OR tag:blue.* of 2'
like "$(tm_screen | grep '\[candidates\]')" 'sort: oldest' "and its sort"
quit_ok "quits cleanly"
done_testing
