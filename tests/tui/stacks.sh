#!/bin/sh
# stacks.sh - at 100x20: a brief's near-copies as stacks (one row each,
# the count, the best on top; o opens one, O all), K keeps the best and
# rejects the rest as one undo step, "my queue" takes one key per decision
# and counts down, an undo brings the undone candidate back under the
# cursor though the queue hides rated ones, and = lists similar ones.
. "$(dirname "$0")/lib.sh"
command -v convert >/dev/null || skip_all "ImageMagick's convert is not installed"

plan 26
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
# until_same WANT COMMAND...: COMMAND's output once it is WANT (the
# writer thread saves after the screen shows a change), or after 5 s
until_same() {
	_want=$1
	shift
	_i=0
	while [ "$("$@")" != "$_want" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	"$@"
}
ratings() { sql "SELECT group_concat(candidate_id || ':' || ifnull(stars, '-') || ':' || flag, ' ') FROM
	(SELECT * FROM rating WHERE curator = 'alice' ORDER BY candidate_id)"; }
flags() { sql "SELECT group_concat(candidate_id || ':' || flag, ' ') FROM
	(SELECT candidate_id, flag FROM rating WHERE curator = 'alice' ORDER BY candidate_id)"; }

# as if made before fingerprints existed: the interface's worker makes them
sql "DELETE FROM fingerprint"
start_lb 100 20 --preview none tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null || exit 1
is "$(until_same 6 sql "SELECT count(fp) FROM fingerprint")" 6 \
	"the worker fills the missing fingerprints while the list is open"
tm_keys b
ok "b shows the stacks" tm_wait_for '\[stacks\]  3 stacks at distance 10'
ok "a stack is one row with its count, best on top" tm_wait_for '^ +\+3 +#1 '
ok "the next stack" tm_wait_for '^ +\+2 +#4 '
ok "a loner has no count" tm_wait_for '^ +#6 '
tm_keys o
ok "o opens the stack under the cursor" tm_wait_for '^ +└ +#3 '
is "$(tm_screen | grep -cE '^ +└ ')" 2 "its two other members show"
tm_keys o
ok "o again closes it" tm_wait_gone '└'
tm_keys O
ok "O opens every stack" tm_wait_for '└ +#5 '
tm_keys O
tm_wait_gone '└' >/dev/null

# rate #3 (open the stack, go to it): it becomes the best
tm_keys o j j 4
ok "a better-rated member comes on top" tm_wait_for '^ +-3 +#3 ★★★★'
tm_keys K
ok "K keeps the best and rejects the rest" tm_wait_for '└ +#2 ····· ✗'
is "$(until_same "1:reject 2:reject 3:none" flags)" "1:reject 2:reject 3:none" "in the store"
tm_keys u
ok "one undo" tm_wait_for '└ +#2 ·····  +r1'
ok "... takes back both" tm_wait_for '└ +#1 ·····  +o1'
is "$(until_same "3:none" flags)" "3:none" "puts back both (they had no rating)"

# ---------------------------------------------------------------- the queue
tm_keys q m
ok "m opens my queue: unrated, in stack order, counted" tm_wait_for '\[queue\]  5 left'
ok "best first: the rest of stack 1, then stack 2" tm_wait_for '^ +3 +#1 '
tm_keys 2
ok "a rating takes it out and counts down" tm_wait_for '\[queue\]  4 left, 1 decided here'
tm_keys x
tm_wait_for '3 left, 2 decided here' >/dev/null
tm_keys p
ok "one key per decision: rate, reject, pick" tm_wait_for '\[queue\]  2 left, 3 decided here'
is "$(until_same "1:2:none 2:-:reject 3:4:none 4:-:pick" ratings)" \
	"1:2:none 2:-:reject 3:4:none 4:-:pick" "each key decided the next candidate"
tm_keys u
ok "undo brings the undone candidate back" tm_wait_for '\[queue\]  3 left, 2 decided here'
ok "... under the cursor, though the queue hides decided ones" tm_wait_for '│#4 image'

# ---------------------------------------------------------------- similar
# the list, stacks folded off: newest first, #1 at the bottom
tm_keys q :
tm_type 'set stacks off'
tm_keys Enter
tm_wait_gone ' stacks  ' >/dev/null
# G on the folded rows still shown would land on stack 1's best (#3)
tm_wait_for '[0-9]+ of 6 *$' >/dev/null
tm_keys G =
ok "= lists the candidates most like this one" tm_wait_for 'like #1 in the brief'
ok "nearest first: its near-copies" tm_wait_for '^ +[0-9]+ +#2 '
tm_keys =
ok "= again looks through the project" tm_wait_for 'like #1 in the project'
quit_ok "Q quits"
done_testing
