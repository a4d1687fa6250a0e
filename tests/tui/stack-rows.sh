#!/bin/sh
# stack-rows.sh - at 100x20: in the candidate list and the grid a stack of
# near-copies is one row (one cell) with its count, its best member on
# top; o opens it (its members follow, indented), O opens every one; the
# row count leaves out what is folded; a rating changes the top; K keeps
# the best from the list; a filter shows the best member it lets through;
# `set stacks off` unfolds.
. "$(dirname "$0")/lib.sh"
command -v convert >/dev/null || skip_all "ImageMagick's convert is not installed"

plan 30
P="$T/pics"
mkdir -p "$P"
for s in 1 2 3; do
	convert -seed $s -size 160x160 plasma:fractal -write "$P/o$s.png" \
		\( +clone -resize 90% -write "$P/r$s.png" +delete \) \
		-quality 70 "$P/q$s.jpg" || exit 1
done
lbq init
lbq project add Harbour
lbq brief add --project 1 --title Boats --prompt "boats at dawn"
# stacks: {1 2 3} {4 5} {6}
lbq candidate add --brief 1 "$P/o1.png" "$P/r1.png" "$P/q1.jpg" "$P/o2.png" "$P/q2.jpg" "$P/o3.png"
flags() { sql "SELECT group_concat(candidate_id || ':' || flag, ' ') FROM
	(SELECT candidate_id, flag FROM rating WHERE curator = 'alice' ORDER BY candidate_id)"; }
# until_same WANT COMMAND...: COMMAND's output once it is WANT, or after 5 s
until_same() {
	_want=$1
	shift
	_i=0
	while [ "$("$@")" != "$_want" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	"$@"
}
# rows: the list's rows as "n #": the stack column and the id
# previewed: the candidate under the cursor (the preview's header)
previewed() { tm_screen | sed -n 2p | sed 's/.*│\(#[0-9]*\).*/\1/'; }
rows() { tm_screen | sed -n '3,12p' | cut -c1-60 | awk 'NF { print $1 " " $2 }' | tr '\n' '|'; }

start_lb 100 20 --preview none tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null || exit 1
# newest first: #6 alone, the stack of #4 at #4, the stack of #1 at #1
ok "a stack is one row with its count, its best member on top" tm_wait_for '^ +▸3 +1 '
is "$(rows)" "6 ·····|▸2 4|▸3 1|" "one row per stack: #2, #3 and #5 are folded away"
ok "the status line counts the rows shown, and the stacks" tm_wait_for '2 stacks +1 of 3'

tm_keys G o
ok "o opens the stack under the cursor" tm_wait_for '^ +▾3 +1 '
is "$(rows)" "6 ·····|▸2 4|▾3 1|└ 2|└ 3|" "its members follow it, indented, best first"
ok "the count follows" tm_wait_for '3 of 5'
tm_keys j o
ok "o on a member closes its stack" tm_wait_for '^ +▸3 +1 '
is "$(previewed)" "#1" "... the cursor on its head"
tm_keys O
ok "O opens every stack" tm_wait_for '└ +5 '
is "$(rows)" "6 ·····|▾2 4|└ 5|▾3 1|└ 2|└ 3|" "every member shows"
tm_keys O
ok "O again closes them all" tm_wait_gone '└'

# a rating makes #3 the best: it comes on top of its stack
tm_keys G o j j 5
ok "the rated member comes on top" tm_wait_for '^ +▾3 +3 ★★★★★'
is "$(rows)" "6 ·····|▸2 4|▾3 3|└ 1|└ 2|" "the stack stands where its best stands"
tm_keys o
ok "rating the top of a closed stack rates only it" tm_wait_for '^ +▸3 +3 ★★★★★'
tm_keys 2
tm_wait_for '▸3 +3 ★★☆☆☆' >/dev/null
is "$(until_same 3:2 sql "SELECT group_concat(candidate_id || ':' || stars) FROM rating WHERE curator = 'alice'")" \
	"3:2" "only the top was rated, not the folded members"
tm_keys x
ok "a rejected top gives way to the next best" tm_wait_for '^ +▸3 +1 '
is "$(previewed)" "#1" "... under the cursor, where the stack was"

# the grid: a stack is one cell, its count on the best member's caption
tm_keys Tab
ok "the grid shows a stack as one cell with its count" tm_wait_for '^ 6 ·····  +4 ·····  +▸2  1 ····· +▸3'
tm_keys o
ok "o opens it in the grid too: its members follow" tm_wait_for '1 ····· +▾3  2 ····· +└'
tm_keys o Tab
tm_wait_for '\[candidates\]' >/dev/null

# keep the best, reject the rest, from the list
tm_keys K
ok "K on a stack row keeps its best and rejects the rest" tm_wait_for 'keep #1, the best of its stack: 1 candidate'
is "$(until_same "2:reject 3:reject" flags)" "2:reject 3:reject" "in the store: #2 now, #3 was already"
tm_keys u
is "$(until_same "3:reject" flags)" "3:reject" "one u takes it back"
# the undo came from the store: the stacks are read again before K acts
sleep 0.5
tm_wait_gone 'reading stacks' >/dev/null
tm_keys :
tm_type 'keep-best all'
tm_keys Enter
ok ":keep-best all keeps the best of every stack" tm_wait_for 'keep the best of every stack: 2 candidates'
is "$(until_same "2:reject 3:reject 5:reject" flags)" "2:reject 3:reject 5:reject" "#2 and #5 rejected"

# a filter: the best member it lets through heads the stack
tm_keys f
tm_type 'flag:reject'
tm_keys Enter
ok "a filter hiding the head shows the best member it lets through" tm_wait_for '^ +▸2 +3 '
ok "... one row per stack it shows" tm_wait_for 'flag:reject .* 1 of 2'
is "$(rows)" "5 ·····|▸2 3|" "#5 alone (its best, #4, is not rejected), #3 for #2 and #3"
tm_keys j o
ok "... and opening it, the others it lets through" tm_wait_for '^ +└ +2 '
tm_keys F

# set stacks off: every candidate a row
tm_keys :
tm_type 'set stacks off'
tm_keys Enter
ok "set stacks off shows every candidate" tm_wait_for '1 of 6'
quit_ok "Q quits"
done_testing
