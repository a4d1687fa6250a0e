#!/bin/sh
# blind-detail.sh - blind review in the interface beyond the list's
# means: sorted by stars, carol's list is not ordered by the judgements
# she may not see; the detail view of a candidate she has not judged
# shows no other curator's rating, pick or note; once she rates it there
# (through the writer), they appear.
. "$(dirname "$0")/lib.sh"

plan 8
mkstore
LIGHTBOX_CURATOR=bob lbq rate 3 5
LIGHTBOX_CURATOR=bob lbq flag 3 pick
LIGHTBOX_CURATOR=bob lbq note add 3 "bob adores number three"
lbq brief blind 1 on

LIGHTBOX_CURATOR=carol
export LIGHTBOX_CURATOR
start_lb 120 30 tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null
tm_keys :
tm_type "sort-by stars"
tm_keys Enter
ok "sorted by stars" tm_wait_for 'sort: stars'
like "$(tm_screen | grep -E '^ +[0-9]+ ' | head -3 | awk '{print $1}' | tr '\n' ' ')" '^1 2 3 $' \
	"nothing carol has judged: the list keeps id order, not bob's and alice's stars"
tm_keys g j j Enter
ok "the detail of #3" tm_wait_for 'number 3'
unlike "$(tm_screen)" 'bob|adores|Ratings: mean' "shows no one else's rating, pick or note"
tm_keys 4
ok "carol rates #3 in the detail view" tm_wait_for 'bob adores number three'
like "$(tm_screen)" 'Ratings: mean 4\.50 from 2 curators, 1 pick' "now bob's rating and pick count"
like "$(tm_screen)" 'bob +★★★★★' "and his stars"
is "$(sql "SELECT stars FROM rating WHERE candidate_id = 3 AND curator = 'carol'")" 4 "the rating is in the store"
done_testing
