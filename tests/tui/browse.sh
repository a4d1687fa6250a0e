#!/bin/sh
# browse.sh - at 80x24: projects -> briefs -> candidates -> detail by
# keys, then rate, flag, tag with completion, a note, undo and redo, and
# the advance-after-rate mode; each checked on screen and in the store.
. "$(dirname "$0")/lib.sh"

plan 34
mkstore

start_lb 80 24
ok "the project list opens first" tm_wait_for 'Autumn campaign +2 +8 +0'
like "$(tm_screen | head -1)" 'lightbox . projects +alice' "the title bar names the place and the curator"
ok "the status line says where and how many" tm_wait_for '\[projects\].*1 of 2'
tm_keys o
ok "o sorts the projects newest first" tm_wait_for 'sort: newest'
like "$(tm_screen | sed -n 3p)" '^ Radio jingles' "the newest project is on top"
tm_keys :
tm_type "sort-by banana"
tm_keys Enter
ok "a sort order that does not exist is named, with the ones that do" \
	tm_wait_for "unknown order 'banana': the projects sort by oldest, newest, name"
tm_keys M-o
ok "M-o reverses it" tm_wait_for 'sort: oldest'

tm_keys j k Enter
ok "Enter opens the project's briefs with their counts" tm_wait_for 'Hero copy +text +r1 +8 +2 +1 +0'
like "$(tm_screen | head -1)" 'projects . Autumn campaign' "the breadcrumb grows"

tm_keys Enter
ok "Enter opens the brief's candidates, newest first" tm_wait_for '^ +8 .* manual'
ok "the preview shows the text of the current candidate" tm_wait_for '│Leaves fall, number 8'
like "$(screen_line '^ +1 ')" '1 ★★★★☆ 4\.5 ✓' "my stars, the mean of all curators and my pick show"

tm_keys j
ok "j moves to the next candidate" tm_wait_for '│Leaves fall, number 7'
tm_keys 4
ok "4 rates the candidate" tm_wait_for '^ +7 ★★★★☆ 4\.0'
is "$(sql "SELECT stars, flag FROM rating WHERE candidate_id = 7 AND curator = 'alice'")" "4|none" \
	"the rating is in the store"

tm_keys p
ok "p picks it" tm_wait_for '^ +7 ★★★★☆ 4\.0 ✓'
sql_wait "SELECT flag FROM rating WHERE candidate_id = 7" pick
is "$(sql "SELECT flag FROM rating WHERE candidate_id = 7")" "pick" "the pick is in the store"
tm_keys x
ok "x rejects it" tm_wait_for '^ +7 ★★★★☆ 4\.0 ✗'
tm_keys U
ok "U clears the flag" tm_wait_for '^ +7 ★★★★☆ 4\.0 +3d '
sql_wait "SELECT flag FROM rating WHERE candidate_id = 7" none
is "$(sql "SELECT flag FROM rating WHERE candidate_id = 7")" "none" "the flag is cleared in the store"

tm_keys t
tm_wait_for '^tag: ' >/dev/null
tm_type "he"
tm_keys Tab
ok "Tab completes an existing tag" tm_wait_for '^tag: hero$'
tm_keys Enter
ok "the tag shows in the list" tm_wait_for '^ +7 .*manual +hero'
is "$(sql "SELECT t.name FROM candidate_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.candidate_id = 7")" \
	"hero" "the tag is in the store"

tm_keys n
tm_wait_for '^note: ' >/dev/null
tm_type "warm, but the second line is too long"
tm_keys Enter
ok "the note is saved" tm_wait_for 'note saved on #7'
is "$(sql "SELECT curator || ':' || body FROM note WHERE candidate_id = 7")" \
	"alice:warm, but the second line is too long" "the note is in the store, by alice"

tm_keys Enter
ok "Enter opens the detail with the note, ratings and tags" tm_wait_for 'warm, but the second line is too long'
like "$(tm_screen)" 'alice +★★★★☆' "the detail lists my rating"

tm_keys u
ok "u undoes the note" tm_wait_for 'undone: '
is "$(sql "SELECT count(*) FROM note WHERE candidate_id = 7")" "0" "the note is gone from the store"
tm_keys C-r
ok "C-r redoes it" tm_wait_for 'redone: '
is "$(sql "SELECT count(*) FROM note WHERE candidate_id = 7")" "1" "the note is back"

tm_keys q A
ok "A turns advance-after-rate on (the status line says so)" tm_wait_for '\[candidates\].*advance'
tm_keys 5
ok "rating then moves to the next candidate" tm_wait_for '│Leaves fall, number 6'
quit_ok "Q quits with status 0"
done_testing
