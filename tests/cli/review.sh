#!/bin/sh
# review.sh - several judges per candidate and adjudication: assign gives
# each candidate to exactly --overlap curators, balanced; a curator's
# queue is 'assigned:me unrated'; --progress counts what each judged;
# conflicts lists stars 2+ apart and pick against reject with the votes;
# adjudicate records a decision as the adjudicator's, shown beside the
# votes and leaving them as they were.
. "$top_srcdir/tests/lib/tap.sh"
plan 19

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "P" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "b" --modality text --prompt "lines" >/dev/null
i=1
while [ $i -le 10 ]; do "$LIGHTBOX" candidate add --brief 1 --text "line $i" >/dev/null; i=$((i + 1)); done

lb assign 1 --curators ann,bob,cy --overlap 2
is "$?" 0 "assign"
is "$(cat "$T/out" | tr '\n' ' ')" "ann: 7 candidates bob: 7 candidates cy: 6 candidates " "balanced: 20 over 3"
is "$(sql "SELECT count(*) FROM (SELECT candidate_id FROM assignment GROUP BY candidate_id
	HAVING count(DISTINCT curator) = 2)")" 10 "every candidate to exactly 2 distinct curators"
lb assign 1 --curators ann,bob --overlap 2
is "$(sql "SELECT count(*) FROM assignment")" 20 "a new assignment replaces the old"
lb assign 1 --curators ann,bob,cy,dee --overlap 3
is "$(sql "SELECT group_concat(n) FROM (SELECT count(*) n FROM assignment GROUP BY curator ORDER BY curator)")" \
	"8,8,7,7" "30 over 4"
lb assign 1 --curators ann,bob --overlap 3
is "$?" 1 "more overlap than curators is refused"
like "$(cat "$T/err")" "1 to 2 curators" "saying how many there are"
lb assign 1 --curators ann,ann
like "$(cat "$T/err")" "named twice" "a curator named twice is refused"

LIGHTBOX_CURATOR=ann lb candidate ls --query 'assigned:me unrated' --all --json
n_queue=$(jq length "$T/out")
is "$n_queue" 8 "ann's queue holds what she was given"
first=$(jq -r '.[0].id' "$T/out")
LIGHTBOX_CURATOR=ann "$LIGHTBOX" rate "$first" 5 >/dev/null
LIGHTBOX_CURATOR=ann "$LIGHTBOX" flag "$first" pick >/dev/null
LIGHTBOX_CURATOR=ann lb candidate ls --query 'assigned:me unrated' --all --json
is "$(jq length "$T/out")" 7 "and shrinks as she rates"
lb assign 1 --progress
like "$(grep '^ann' "$T/out")" "1 of +8 judged" "--progress counts what each judged"

LIGHTBOX_CURATOR=bob "$LIGHTBOX" rate "$first" 2 >/dev/null
LIGHTBOX_CURATOR=bob "$LIGHTBOX" rate 10 3 >/dev/null
LIGHTBOX_CURATOR=cy "$LIGHTBOX" rate 10 4 >/dev/null
lb conflicts 1 --json
is "$(jq -c '[.[] | [.candidate_id, .votes, .decision]]' "$T/out")" "[[$first,\"ann:5:pick bob:2:none\",null]]" \
	"conflicts: stars 2 apart, not 1"
lb conflicts 1 --gap 1 --json
is "$(jq -c '[.[].candidate_id]' "$T/out")" "[$first,10]" "--gap 1 finds the other"

LIGHTBOX_CURATOR=dee lb adjudicate "$first" --stars 4 --flag pick --reason "small flaw"
is "$?" 0 "adjudicate"
lb candidate show "$first" --json
is "$(jq -c '[.adjudication, [.curator_ratings[] | .stars]]' "$T/out")" \
	'[{"adjudicator":"dee","stars":4,"flag":"pick","reason":"small flaw"},[5,2]]' \
	"the decision is shown beside the votes, which stay"
lb conflicts 1 --json
is "$(jq -r '.[0].decision' "$T/out")" "dee:4:pick" "and in the conflicts queue"
lb adjudicate "$first" --stars 4
is "$?" 2 "a decision without a reason is refused"
lb stats 1
like "$(cat "$T/out")" "Progress \(assigned, judged\): ann 1/8, bob 2/8, cy 0/7, dee 0/7" "stats: each curator's progress"
lb stats 1 --json
is "$(jq -c '.briefs[0] | [.disputed, .adjudicated, [.progress[].judged]]' "$T/out")" "[1,1,[1,2,0,0]]" \
	"stats --json: disputed, adjudicated, progress"
done_testing
