#!/bin/sh
# blind.sh - blind review: with `brief blind B on`, a curator who has not
# judged a candidate sees no other curator's stars, flags, notes or mean
# (candidate ls --json, candidate show --json, queries on avg/picks/
# rated-by), and sees them all once they rated it; another brief is not
# affected; turning it off shows everything again.
. "$top_srcdir/tests/lib/tap.sh"
plan 16

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "P" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "blind one" --modality text --prompt "lines" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "open one" --modality text --prompt "lines" >/dev/null
"$LIGHTBOX" candidate add --brief 1 --text "first" >/dev/null
"$LIGHTBOX" candidate add --brief 1 --text "second" >/dev/null
"$LIGHTBOX" candidate add --brief 2 --text "third" >/dev/null
for c in 1 2 3; do "$LIGHTBOX" rate $c 5 >/dev/null; "$LIGHTBOX" flag $c pick >/dev/null; done
"$LIGHTBOX" note add 1 "alice thinks it is the one" >/dev/null

lb brief blind 1 on
like "$(cat "$T/out")" "brief 1: blind review on" "brief blind on"
lb brief show 1
like "$(cat "$T/out")" "blind: +on" "brief show says the brief is blind"

export LIGHTBOX_CURATOR=bob
lb candidate ls --brief 1 --json
is "$(jq -c '[.[] | [.id, .mean_stars, .ratings, .picks]]' "$T/out")" "[[1,null,0,0],[2,null,0,0]]" \
	"bob sees no mean, ratings or picks before judging"
lb candidate show 1 --json
is "$(jq -c '[.curator_ratings, (.notes | length)]' "$T/out")" "[[],0]" "nor alice's rating or note in show"
lb candidate ls --brief 1 --query 'avg>=1 OR picks>=1 OR rated-by:alice' --json
is "$(jq -c '[.[].id]' "$T/out")" "[]" "queries cannot find what is hidden"
lb candidate ls --brief 2 --json
is "$(jq -c '[.[] | [.id, .mean_stars, .picks]]' "$T/out")" "[[3,5,1]]" "a brief that is not blind shows all"

lb rate 1 3
lb candidate ls --brief 1 --json
is "$(jq -c '[.[] | [.id, .mean_stars, .ratings, .picks]]' "$T/out")" "[[1,4,2,1],[2,null,0,0]]" \
	"after rating #1 bob sees its mean and picks, not #2's"
lb candidate show 1 --json
is "$(jq -c '[[.curator_ratings[].curator], (.notes | length)]' "$T/out")" '[["alice","bob"],1]' \
	"and alice's rating and note on #1"
lb candidate ls --brief 1 --query 'rated-by:alice' --json
is "$(jq -c '[.[].id]' "$T/out")" "[1]" "a query finds what bob may see"

export LIGHTBOX_CURATOR=alice
lb candidate ls --brief 1 --json
is "$(jq -c '[.[] | [.id, .mean_stars]]' "$T/out")" "[[1,4],[2,5]]" "alice judged both: she sees all"

lb brief blind 1 off
LIGHTBOX_CURATOR=carol lb candidate ls --brief 1 --json
is "$(jq -c '[.[] | [.id, .mean_stars]]' "$T/out")" "[[1,4],[2,5]]" "off: everyone sees everything"
lb brief show 1 --json
is "$(jq -r .blind "$T/out")" "false" "brief show --json says blind: false"
lb brief blind 1 maybe
is "$?" 2 "a bad value is a usage error"
lb brief blind 99 on
is "$?" 1 "an unknown brief is refused"
like "$(cat "$T/err")" "99" "naming it"
is "$(sql "SELECT group_concat(after) FROM event WHERE action = 'brief-blind'")" \
	'{"blind":true},{"blind":false}' "each change is in the audit log"
done_testing
