#!/bin/sh
# blind-doors.sh - blind review through every door: bob and carol rate,
# flag, note and compare on a blind brief; alice, who has judged none of
# their candidates, sees none of it in list filters and sort orders,
# candidate show, queries (notes, score), stats, the conflicts queue,
# export (json, csv, html, --picked), wins (and stats --by), brief show and
# ls, stacks (the best member) and rank.  Once she rates a candidate she
# sees its judgements everywhere.
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v convert >/dev/null || skip_all "ImageMagick's convert is not installed"

plan 44
P="$T/pics"
mkdir -p "$P"
convert -seed 1 -size 120x120 plasma:fractal -write "$P/o1.png" -resize 90% "$P/r1.png" || exit 1
convert -seed 2 -size 120x120 plasma:fractal "$P/o2.png" || exit 1
convert -seed 3 -size 120x120 plasma:fractal "$P/o3.png" || exit 1

"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add P >/dev/null
"$LIGHTBOX" brief add --project 1 --title Boats >/dev/null
# 1 and 2 are near-copies (one stack); 3 and 4 stand apart
"$LIGHTBOX" candidate add --brief 1 "$P/o1.png" "$P/r1.png" "$P/o2.png" "$P/o3.png" >/dev/null
as() { who=$1; shift; LIGHTBOX_CURATOR=$who "$LIGHTBOX" "$@" >/dev/null || echo "setup failed: $who $*" >&2; }
as bob rate 1 2
as bob rate 2 5
as bob rate 3 4
as bob flag 3 pick
as bob note add 2 "bob's secret favourite"
as carol rate 2 1
as carol flag 2 reject
as bob flag 2 pick
for i in 1 2 3 4 5 6; do as bob compare 1 2 1 left; done
as alice rate 4 3
as alice brief blind 1 on
export LIGHTBOX_CURATOR=alice

# lists: the filters and sort orders use only what alice may see
lb candidate ls --brief 1 --json
is "$(jq -c '[.[] | [.id, .mean_stars, .picks]]' "$T/out")" "[[1,null,0],[2,null,0],[3,null,0],[4,3,0]]" \
	"ls --json: no mean or picks on what alice has not judged"
lb candidate ls --brief 1 --sort stars --json
is "$(jq -c '[.[].id]' "$T/out")" "[4,1,2,3]" "sort by stars: only her own rated one is ordered by stars"
lb candidate ls --project 1 --sort stars --json
is "$(jq -c '[.[].id]' "$T/out")" "[4,1,2,3]" "... in a project's list too"
lb candidate ls --brief 1 --sort score --json
is "$(jq -c '[.[].id]' "$T/out")" "[1,2,3,4]" "sort by score: no order from bob's comparisons"
lb candidate ls --project 1 --sort score --json
is "$(jq -c '[.[].id]' "$T/out")" "[1,2,3,4]" "... in a project's list neither"
lb candidate ls --brief 1 --sort score --after 2 --json
is "$(jq -c '[.[].id]' "$T/out")" "[3,4]" "... the next page after #2 (its key hides the score too)"
lb candidate ls --brief 1 --min-stars 4 --json
is "$(jq -c '[.[].id]' "$T/out")" "[]" "--min-stars finds nothing it may not show"
lb candidate ls --brief 1 --flag pick --json
is "$(jq -c '[.[].id]' "$T/out")" "[]" "--flag pick neither"
lb candidate ls --brief 1 --curator bob --unrated --json
is "$(jq -c '[.[].id]' "$T/out")" "[1,2,3,4]" "--curator bob --unrated: bob's hidden ratings count as none"
lb candidate ls --brief 1 --query 'secret OR note:favourite OR score>-100' --json
is "$(jq -c '[.[].id]' "$T/out")" "[]" "queries find no hidden note and no hidden score"
lb candidate show 2 --json
is "$(jq -c '[.mean_stars, .picks, (.notes | length), (.curator_ratings | length)]' "$T/out")" "[null,0,0,0]" \
	"candidate show: no mean, pick, note or rating"

# stats, the conflicts queue, rank
lb stats P --json
is "$(jq -c '.briefs[0] | [.rated, .star_ratings, .mean_stars, [.curators[].curator], .hidden, .disputed]' "$T/out")" \
	'[1,1,3,["alice"],3,0]' "stats: only alice's own rating; says 3 candidates are hidden"
lb stats P
like "$(cat "$T/out")" "blind review hides the others' judgements of 3 candidates" "... in text too"
unlike "$(cat "$T/out")" "bob|carol" "... and names no one else"
lb log --candidate 2 --json
is "$(jq -c '[.[].curator] | unique' "$T/out")" "[]" "log: no one's rating, flag or note of #2"
lb log --json
is "$(jq -c '[.[].curator] | unique' "$T/out")" '["alice"]' "... nor of the others: only her own changes"
lb conflicts 1 --json
is "$(cat "$T/out")" "[]" "conflicts: #2 is not disputed as far as alice may see"
lb conflicts 1
like "$(cat "$T/out")" "blind review hides .* 3 candidates" "... and the text says why the queue may look empty"
lb rank 1 --json
is "$(jq -c '[.ranking[].candidate_id]' "$T/out")" "[]" "rank: no pooled score she may not see"

# exports in every format, and the picked selection
lb export P --all --format json
is "$(jq -c '[.briefs[0].candidates[] | [.id, .mean_stars, .picks, (.ratings | length), (.notes | length), .pairwise_score]]' "$T/out")" \
	"[[1,null,0,0,0,null],[2,null,0,0,0,null],[3,null,0,0,0,null],[4,3,0,1,0,null]]" \
	"export json: nothing of bob's or carol's"
lb export P --all --format csv
unlike "$(cat "$T/out")" "bob|carol|secret|5\\.00" "export csv neither"
lb export P --all --format html --copy-to "$T/page"
like "$(cat "$T/page/index.html")" "Boats" "export html: the page"
unlike "$(sed -n "/<body/,\$p" "$T/page/index.html")" "bob|carol|secret|Mean [0-24-9]|1 pick" "... holds nothing of theirs"
lb export P --all --picked --format json
is "$(jq -c '[.briefs[]?.candidates[].id]' "$T/out")" "[]" "export --picked: bob's picks choose nothing"
lb export P --all --min-stars 4 --format json
is "$(jq -c '[.briefs[]?.candidates[].id]' "$T/out")" "[]" "export --min-stars: nor do bob's stars"

# what wins, the brief's counts, stacks
lb wins 1 --by backend --min 1 --json
is "$(jq -c '[.[] | [.ratings, .mean_stars, .pick_rate, .bradley_terry]]' "$T/out")" "[[1,3,0,null]]" \
	"wins: only alice's rating, no picks, no pooled score"
lb stats 1 --by backend --min 1 --json
is "$(jq -c '[.[] | [.ratings, .mean_stars]]' "$T/out")" "[[1,3]]" "stats --by: the same"
lb brief show 1 --json
is "$(jq -c '[.picked, .rated_by_me]' "$T/out")" "[0,1]" "brief show: no picks counted"
lb brief ls --project 1 --json
is "$(jq -c '[.[].picked]' "$T/out")" "[0]" "brief ls neither"
lb stacks 1 --json
is "$(jq -c '[.stacks[] | .members]' "$T/out")" "[[1,2],[3],[4]]" \
	"stacks: the best member is not chosen by bob's comparisons"

# alice rates #2: she sees its judgements, and still not #1's or #3's
lb rate 2 3
lb candidate show 2 --json
is "$(jq -c '[.mean_stars, .picks, (.notes | length), [.curator_ratings[].curator]]' "$T/out")" \
	'[3,1,1,["alice","bob","carol"]]' "after rating #2: its mean, pick, note and votes"
lb candidate ls --brief 1 --sort stars --json
is "$(jq -c '[.[].id]' "$T/out")" "[2,4,1,3]" "... it sorts by its mean, the others do not"
lb candidate ls --brief 1 --sort score --json
is "$(jq -c '[.[].id]' "$T/out")" "[2,1,3,4]" "... and by its pooled score"
lb candidate ls --brief 1 --sort score --after 2 --json
is "$(jq -c '[.[].id]' "$T/out")" "[1,3,4]" "... page after page"
lb candidate ls --brief 1 --query 'secret' --json
is "$(jq -c '[.[].id]' "$T/out")" "[2]" "... a query finds bob's note"
lb log --candidate 2 --json
is "$(jq -c '[.[].curator] | unique' "$T/out")" '["alice","bob","carol"]' "... the log shows their changes"
lb conflicts 1 --json
is "$(jq -c '[.[] | [.candidate_id, .kinds]]' "$T/out")" '[[2,["stars","pick-reject"]]]' "... and the dispute"
lb stats P --json
is "$(jq -c '.briefs[0] | [.rated, .star_ratings, [.curators[].curator], .hidden]' "$T/out")" \
	'[2,4,["alice","bob","carol"],2]' "... stats count #2's votes"
lb export P --all --format json
is "$(jq -c '[.briefs[0].candidates[] | select(.id == 2) | [.mean_stars, .picks, (.ratings | length), (.notes | length), (.pairwise_score != null)]]' "$T/out")" \
	"[[3,1,3,1,true]]" "... the export holds them"
lb brief show 1 --json
is "$(jq -c '.picked' "$T/out")" "1" "... and the brief counts #2's pick"
lb stacks 1 --json
is "$(jq -c '[.stacks[] | .members]' "$T/out")" "[[2,1],[3],[4]]" "... and it is the stack's best member"

# bob sees his own judgements all along; off, alice sees everything
LIGHTBOX_CURATOR=bob lb candidate ls --brief 1 --min-stars 4 --json
is "$(jq -c '[.[].id]' "$T/out")" "[2,3]" "bob's own stars filter his list"
lb brief blind 1 off
lb candidate ls --brief 1 --sort stars --json
is "$(jq -c '[.[].id]' "$T/out")" "[3,2,4,1]" "blind off: every mean orders alice's list"
lb rank 1 --json
is "$(jq -c '[.ranking[].candidate_id]' "$T/out")" "[2,1]" "... and rank shows the pooled scores"
done_testing
