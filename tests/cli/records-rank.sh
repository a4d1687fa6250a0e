#!/bin/sh
# records-rank.sh - lightbox stats, compare and rank from the command line:
# the agreement figures of the worked example in tests/unit/test-records.c,
# judgements recorded, undone and read from a script, and the ranking
# with its uncertainty and as a sort order of the candidate list.
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"

plan 27
as() { who=$1; shift; LIGHTBOX_CURATOR=$who "$LIGHTBOX" "$@" >/dev/null; }
as ann init
as ann project add Autumn
as ann brief add --project autumn --title Copy --modality text
for i in 1 2 3 4 5; do as ann candidate add --brief 1 --text "line $i"; done

# ---------------------------------------------------------------- agreement
# The ratings of the worked example (see test-records.c for the working).
as ann rate 1 1; as ann flag 1 reject; as ann rate 2 2; as ann rate 3 3; as ann flag 3 pick
as ann rate 4 3; as ann flag 4 pick
as ben rate 1 1; as ben flag 1 reject; as ben rate 2 2; as ben flag 2 pick; as ben rate 3 3
as ben flag 3 pick; as ben rate 4 2
as cy rate 1 2; as cy rate 2 2; as cy flag 2 reject; as cy rate 3 3; as cy flag 3 pick
ok "stats as JSON" lb stats autumn --json
is "$(jq -c '.briefs[0] | [.candidates, .rated, .curators_rating, .star_ratings, .mean_stars]' "$T/out")" \
	"[5,4,3,11,2.182]" "how many rated and the mean"
is "$(jq -c '.briefs[0].alpha' "$T/out")" '{"ordinal":0.6873,"interval":0.6774,"pairable_values":11}' \
	"Krippendorff's alpha, ordinal and interval"
is "$(jq -c '.briefs[0].pick_reject_agreement' "$T/out")" '{"agree":4,"of":10,"percent":40}' \
	"pick/reject agreement pooled"
is "$(jq -c '[.briefs[0].pairs[] | [.a, .b, .alpha, .flag_percent]]' "$T/out")" \
	'[["ann","ben",0.79,50],["ann","cy",0.7778,33.3],["ben","cy",0.7778,33.3]]' "each pair of curators"
is "$(jq -c '[.briefs[0].disagreements[].candidate_id]' "$T/out")" "[2,4,1]" "most disagreement first"
ok "stats for people" lb stats autumn
like "$(cat "$T/out")" "Krippendorff's alpha 0.69 \\(ordinal, 11 paired values\\); pick/reject 40% \\(4 of 10\\)" \
	"say alpha and agreement"
like "$(cat "$T/out")" "#2 +ann 2, ben 2 pick, cy 2 reject" "and list the disputed candidates"

# ---------------------------------------------------------------- judgements
ok "a judgement from the command line" lb compare 1 1 2 left
like "$(cat "$T/out")" "^judgement 1: #1 vs #2: left" "is confirmed"
is "$(sql "SELECT count(*) FROM candidate WHERE id = 1 AND round(score, 3) > 0")" 1 "and scores the winner"
ok "undo takes it back" lb undo
like "$(cat "$T/out")" "judgement #1 vs #2 \\(left\\)" "naming the judgement"
is "$(sql "SELECT count(*) FROM comparison")|$(sql "SELECT count(*) FROM candidate WHERE score IS NOT NULL")" "0|0" \
	"leaving no judgement and no score"
ok "the next pair as JSON" lb compare 1 --next --json
is "$(jq -r '.judged_before' "$T/out")" 0 "is a pair not judged before"
fails "a verdict that is not one" 2 "$LIGHTBOX" compare 1 1 2 better
fails "a candidate of another brief" 1 "$LIGHTBOX" compare 1 9 2 left

# A script judges: left is better when its line number is higher.
printf 'x\nl\nr\nt\ns\nu\nq\n' | LIGHTBOX_CURATOR=ann "$LIGHTBOX" compare 1 >"$T/loop" 2>&1
like "$(cat "$T/loop")" "3 judgements saved" "the line loop saves what is judged, undo included"
is "$(sql "SELECT group_concat(verdict, ',') FROM (SELECT verdict FROM comparison ORDER BY id)")" "left,right,tie" \
	"in order, without the undone skip"
for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
	pair=$(LIGHTBOX_CURATOR=ben "$LIGHTBOX" compare 1 --next)
	l=${pair% *} r=${pair#* }
	if [ "$l" -gt "$r" ]; then v=left; else v=right; fi
	as ben compare 1 "$l" "$r" $v
done
ok "rank as JSON" lb rank 1 --curator ben --json
is "$(jq -c '[.ranking[].candidate_id]' "$T/out")" "[5,4,3,2]" \
	"ben's ranking follows his judgements (he rejected #1: it is never offered to him)"
like "$(jq -c '[.ranking[] | .se > 0 and .se < 3] | unique' "$T/out")" '^\[true\]$' "every score has a standard error"
ok "rank for people" lb rank 1
like "$(cat "$T/out")" "RANK +ID +SCORE +SE +W-L-T +N +STARS" "a table with the uncertainty"
pooled=$("$LIGHTBOX" rank 1 --json | jq -c '[.ranking[].candidate_id]')
is "$("$LIGHTBOX" candidate ls --brief 1 --sort score --json | jq -c '[.. | objects | select(has("brief_id")) | .id][:4]')" \
	"$pooled" "the candidate list sorts by the pooled score"
done_testing
