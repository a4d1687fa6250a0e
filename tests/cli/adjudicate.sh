#!/bin/sh
# adjudicate.sh - the pairwise-order rule of the disputed candidates and
# agreement before and after adjudication.  Brief 1: #1 and #2 were
# compared eight times (#1 won each) while the stars put #2 two above
# #1: both are disputed, with why; #3/#4 (pairwise agrees with the
# stars) and #5/#6 (one comparison: the fit is not sure) are not; --bt-gap
# sets the stars margin, 0 turns the rule off.  Brief 2: stats gives
# Krippendorff's alpha and pick/reject agreement over the votes, and again
# with each decided candidate's votes replaced by the decision.
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
plan 19

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add P >/dev/null
"$LIGHTBOX" brief add --project 1 --title pairs --modality text >/dev/null
"$LIGHTBOX" brief add --project 1 --title votes --modality text >/dev/null
for i in 1 2 3 4 5 6; do "$LIGHTBOX" candidate add --brief 1 --text "line $i" >/dev/null; done
for i in 7 8 9 10 11; do "$LIGHTBOX" candidate add --brief 2 --text "line $i" >/dev/null; done
r() { LIGHTBOX_CURATOR=$1 "$LIGHTBOX" rate $2 $3 >/dev/null; }
f() { LIGHTBOX_CURATOR=$1 "$LIGHTBOX" flag $2 $3 >/dev/null; }
beats() { LIGHTBOX_CURATOR=$1 "$LIGHTBOX" compare 1 $2 $3 left >/dev/null; }
for c in ann bob; do
	r $c 1 2; r $c 2 4; r $c 3 2; r $c 4 4; r $c 5 2; r $c 6 4
done
for i in 1 2 3 4; do beats ann 1 2; beats bob 1 2; beats ann 4 3; beats bob 4 3; done
beats ann 5 6

lb conflicts 1 --json
is "$(jq -c '[.[] | [.candidate_id, .kinds]]' "$T/out")" '[[1,["pairwise-order"]],[2,["pairwise-order"]]]' \
	"a confident pairwise order against the stars disputes both of the pair"
is "$(jq -r '.[0].reason' "$T/out")" "pairwise: beats #2 with p 0.96, but 2.0 stars to its 4.0" \
	"the reason says which other, how sure the fit is, and the stars"
lb conflicts 1
like "$(cat "$T/out")" "#2 +ann:4:none bob:4:none  \\(pairwise: loses to #1 with p 0\\.96, but 4\\.0 stars to its 2\\.0\\)" \
	"... in text beside the votes"
lb candidate ls --brief 1 --query disputed --json
is "$(jq -c '[.[].id]' "$T/out")" "[1,2]" "the query term disputed has the pairwise-order rule too"
lb conflicts 1 --bt-gap 2 --json
is "$(jq -c '[.[].candidate_id]' "$T/out")" "[1,2]" "--bt-gap 2: the stars are 2 apart, still disputed"
lb conflicts 1 --bt-gap 2.5 --json
is "$(jq -c '[.[].candidate_id]' "$T/out")" "[]" "--bt-gap 2.5: not"
lb conflicts 1 --bt-gap 0 --json
is "$(jq -c '[.[].candidate_id]' "$T/out")" "[]" "--bt-gap 0 turns the rule off"
lb conflicts 1 --bt-gap 6
is "$?" 2 "--bt-gap above 5 is a usage error"
like "$(cat "$T/err")" "--bt-gap takes 0 \\(off\\) to 5 stars" "saying what it takes"
LIGHTBOX_CURATOR=dee lb adjudicate 2 --stars 2 --reason "the pairs are right"
lb conflicts 1 --json
is "$(jq -c '[.[] | [.candidate_id, .decision]]' "$T/out")" '[[1,null],[2,"dee:2:none"]]' \
	"the decision shows in the queue beside the votes"
lb stats P --brief 1 --json
is "$(jq -c '.briefs[0] | [.disputed, .adjudicated]' "$T/out")" "[2,1]" "stats counts the pairwise disputes"
lb stats P --brief 1 --bt-gap 0 --json
is "$(jq -c '.briefs[0] | [.disputed, .adjudicated]' "$T/out")" "[0,0]" "... by the rules it is given"

# brief 2: agreement before and after adjudication
r ann 7 5; f ann 7 pick; r bob 7 5; f bob 7 pick
r ann 8 1; f ann 8 reject; r bob 8 1; f bob 8 reject
r ann 9 5; f ann 9 pick; r bob 9 1; f bob 9 reject
r ann 10 4; r bob 10 4; r ann 11 2; r bob 11 2
lb stats P --brief 2 --json
is "$(jq -c '.briefs[0] | [.pick_reject_agreement.agree, .pick_reject_agreement.of, .after_adjudication.decided,
	(.alpha.ordinal == .after_adjudication.alpha.ordinal), (.alpha.ordinal < 1)]' "$T/out")" "[2,3,0,true,true]" \
	"before any decision: 2 of 3 flagged agree, alpha below 1, the same after"
LIGHTBOX_CURATOR=dee lb adjudicate 9 --flag pick --reason "the pick stands"
lb stats P --brief 2 --json
is "$(jq -c '.briefs[0] | [.after_adjudication.decided, .after_adjudication.pick_reject_agreement.agree,
	.after_adjudication.pick_reject_agreement.of, (.alpha.ordinal == .after_adjudication.alpha.ordinal)]' "$T/out")" \
	"[1,3,3,true]" "a flag decision: pick/reject agree 3 of 3 after, the stars as they were"
LIGHTBOX_CURATOR=dee lb adjudicate 9 --stars 4 --flag pick --reason "a good one"
lb stats P --brief 2 --json
is "$(jq -c '.briefs[0] | [.after_adjudication.alpha.ordinal, .after_adjudication.alpha.interval,
	.after_adjudication.pick_reject_agreement.percent, .pick_reject_agreement.percent]' "$T/out")" "[1,1,100,66.7]" \
	"with stars: alpha 1 after, and the votes' own figures unchanged"
is "$(jq -c '[.briefs[0].curators[] | .mean_stars]' "$T/out")" "[3.4,2.6]" "the curators' own means stay theirs"
lb stats P --brief 2
like "$(cat "$T/out")" "agreement: Krippendorff's alpha 0\\.[0-9]+ .*; pick/reject 67% \\(2 of 3\\)" "text: before"
like "$(cat "$T/out")" "after adjudication \\(1 decided\\): Krippendorff's alpha 1\\.00; pick/reject 100% \\(3 of 3\\)" \
	"text: after"
is "$(sql "SELECT group_concat(v, ' ') FROM (SELECT stars || flag AS v FROM rating WHERE candidate_id = 9 ORDER BY curator)")" \
	"5pick 1reject" "the votes in the store are as cast"
done_testing
