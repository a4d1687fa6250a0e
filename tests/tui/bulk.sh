#!/bin/sh
# bulk.sh - at 120x40: marks (space, a range, all), a tag and a rating
# applied to every marked candidate as one undo step, filters, full-text
# search, sorting, and actions by name at the : command line with
# completion.
. "$(dirname "$0")/lib.sh"

plan 32
mkstore
tags_of() { sql "SELECT group_concat(t.name) FROM candidate_tag ct JOIN tag t ON t.id = ct.tag_id
	WHERE ct.candidate_id = $1"; }

open_brief 120 40
ok "wide enough for every column: seed, backend, tags and the text" \
	tm_wait_for '# mine +avg F +age +seed backend +tags +text'

# space marks and moves on: #8, #7, #6
tm_keys Space Space Space
ok "three rows are marked and the status line counts them" tm_wait_for '\[candidates\].*3 marked'
like "$(screen_line '^▌ +7 ')" '▌ +7 ' "a marked row carries the mark"
tm_keys t
tm_wait_for '^tag marked: ' >/dev/null
tm_type "shortlist"
tm_keys Enter
ok "the tag goes to all three at once" tm_wait_for 'tag shortlist \(3 marked\): 3 candidates'
is "$(sql "SELECT group_concat(id) FROM (SELECT ct.candidate_id AS id FROM candidate_tag ct JOIN tag t
	ON t.id = ct.tag_id WHERE t.name = 'shortlist' ORDER BY ct.candidate_id)")" "6,7,8" "the store has the tag on #6, #7, #8"
tm_keys 3
ok "a rating goes to all marked" tm_wait_for 'rate 3 \(3 marked\): 3 candidates'
is "$(sql "SELECT count(*) FROM rating WHERE curator = 'alice' AND stars = 3")" 3 "three ratings of 3 in the store"
tm_keys u
ok "one u undoes the whole bulk rating" tm_wait_for 'undone: '
is "$(sql "SELECT count(*) FROM rating WHERE curator = 'alice' AND stars = 3")" 0 "all three ratings are gone"
is "$(tags_of 7)" "shortlist" "the earlier bulk tag stays"

tm_keys V
ok "V clears the marks" tm_wait_gone 'marked'
# mark-range: mark #5, then v on #3 marks #5, #4, #3
tm_keys g j j j Space j v
ok "v marks the range from the last mark" tm_wait_for '\[candidates\].*3 marked'
tm_keys x
ok "x rejects the range" tm_wait_for 'flag reject \(3 marked\)'
is "$(sql "SELECT group_concat(candidate_id) FROM (SELECT candidate_id FROM rating WHERE flag = 'reject'
	ORDER BY candidate_id)")" "3,4,5" "#3, #4 and #5 are rejected"
tm_keys V '*'
ok "* marks every candidate" tm_wait_for '8 marked'
tm_keys V

# filters
tm_keys f
tm_wait_for '^filter: ' >/dev/null
tm_type "tag:sho"
tm_keys Tab
ok "the filter prompt completes tag names" tm_wait_for '^filter: tag:shortlist$'
tm_keys Enter
ok "the filter shows in the status line with the count" tm_wait_for 'filter: tag:shortlist.* 1 of 3'
tm_keys F
ok "F clears the filter" tm_wait_for '\[candidates\]  sort: newest .* of 8'
tm_keys '>'
tm_wait_for 'at least how many stars' >/dev/null
tm_type 4
tm_keys Enter
ok "> filters by stars (by any curator)" tm_wait_for 'filter: stars>=4.* of 1'
tm_keys F '!'
tm_wait_for '^flag' >/dev/null
tm_type reject
tm_keys Enter
ok "! filters by flag" tm_wait_for 'filter: flag:reject.* of 3'
tm_keys F '@'
tm_wait_for '^curator: ' >/dev/null
tm_type b
tm_keys Tab Enter
ok "@ filters by curator, completing names" tm_wait_for 'filter: curator:bob.* 1 of 1'
tm_keys F %
tm_wait_for '^backend: ' >/dev/null
tm_type man
tm_keys Tab Enter
ok "% filters by backend, completing names" tm_wait_for 'filter: backend:manual.* 1 of 8'
tm_keys F

# search (full text)
tm_keys /
tm_type "number 5"
tm_keys Enter
ok "/ searches the text" tm_wait_for '/number 5.* 1 of 1'
like "$(tm_screen)" 'Leaves fall, number 5' "and shows the match"
tm_keys M-/
ok "M-/ forgets the search" tm_wait_for '\[candidates\]  sort: newest .* of 8'

# sort
tm_keys '\;'
ok "; sorts by the next order (o opens stacks here)" tm_wait_for 'sort: oldest'
like "$(tm_screen | sed -n 3p)" '^ +1 ' "oldest first"
tm_keys '\;'
ok "then by stars" tm_wait_for 'sort: stars'

# the command line
tm_keys :
tm_type "filter-t"
tm_keys Tab
ok ": completes action names" tm_wait_for '^:filter-tag ?$'
tm_type "bl"
tm_keys Tab Enter
ok "and their arguments (tags); the action runs" tm_wait_for 'filter: tag:blue.* 1 of 1'
tm_keys :
tm_type "mvoe-down"
tm_keys Enter
ok "a misspelt name gets a suggestion" tm_wait_for "unknown command 'mvoe-down'; did you mean move-down"
quit_ok "quits cleanly"
done_testing
