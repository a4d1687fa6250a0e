#!/bin/sh
# large.sh - a brief of 20,000 candidates: the count and position come in
# the status line, G jumps to the end through a backward page, paging and
# rating at the end, marking all of them (without listing them), and a
# filter over the whole brief.
. "$(dirname "$0")/lib.sh"

plan 24
mkstore
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
	INSERT INTO candidate (brief_id, revision_id, modality, body, backend, seed, created)
	SELECT 1, 1, 'text', 'generated text number ' || i, 'builtin', i * 7, 1700000000 + i FROM n;
	INSERT INTO candidate_fts (rowid, text) SELECT id, body FROM candidate WHERE id > 8"
N=20008

open_brief 80 24
ok "the count of a big brief arrives in the status line" tm_wait_for "\\[candidates\\].* 1 of $N"
like "$(screen_line '^ +[0-9]+ ')" "^ +$N " "newest first"
tm_keys G
ok "G jumps to the last candidate" tm_wait_for " $N of $N"
like "$(tm_screen | sed -n 22p)" '^ +1 ★★★★☆' "the oldest (#1) is on the last line"
tm_keys k k 3
ok "rating near the end" tm_wait_for '^ +3 ★★★☆☆'
sql_wait "SELECT stars FROM rating WHERE candidate_id = 3 AND curator = 'alice'" 3
is "$(sql "SELECT stars FROM rating WHERE candidate_id = 3 AND curator = 'alice'")" 3 "in the store"
tm_keys g
ok "g goes back to the top" tm_wait_for " 1 of $N"
tm_keys PageDown PageDown
ok "two pages down is row 41 at 20 rows a page" tm_wait_for " 41 of $N"
tm_keys PageDown PageDown PageDown PageDown PageDown PageDown PageDown PageDown
ok "ten pages down, past the pages read ahead, is row 201" tm_wait_for " 201 of $N"
like "$(tm_screen)" '│generated text number 19800' "and it is the right candidate"
tm_keys k k k
ok "and back up" tm_wait_for " 198 of $N"
like "$(tm_screen)" '│generated text number 19803' "to the right one"
tm_keys '*'
ok "* marks all of them" tm_wait_for "$N marked"
tm_keys 2
ok "rating that many asks first" tm_wait_for "^rate 2 $N candidates \\(one undo step\\)\\? y/n"
tm_keys n Enter
ok "n changes nothing" tm_wait_for 'nothing changed'
is "$(sql "SELECT count(*) FROM rating WHERE stars = 2")" 1 "only the one rating of 2 from before"
tm_keys 2
tm_wait_for '^rate 2 ' >/dev/null
tm_keys y Enter
ok "y rates them all" tm_wait_for "rate 2 \\($N marked\\): $N candidates, one undo step" 60
is "$(sql "SELECT count(*) FROM rating WHERE stars = 2 AND curator = 'alice'")" "$N" "every one in the store"
tm_keys u
ok "one u takes all of it back" tm_wait_for 'undone: rate 2' 60
is "$(sql "SELECT count(*) FROM rating WHERE stars = 2")" 1 "back to the one from before"
tm_keys V '>'
tm_type 3
tm_keys Enter
ok "a filter over the whole brief counts what matches" tm_wait_for 'filter: stars>=3.* 1 of 2'
tm_keys F /
tm_type "number 19999"
tm_keys Enter
ok "full-text search finds one in twenty thousand" tm_wait_for '/number 19999.* 1 of 1'
like "$(tm_screen)" '│generated text number 19999' "and shows it"
quit_ok "quits"
done_testing
