#!/bin/sh
# wins.sh - what wins: per model, LoRA, parameter and prompt phrase, the
# candidates, the mean stars with a 95% Student's t interval, the share
# picked with a Wilson interval; values under the minimum support are not
# ranked; text with bars, JSON and CSV.
. "$top_srcdir/tests/lib/tap.sh"
plan 18

cd "$T" || exit 1
mkdir in
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "P" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "Harbour" --modality image --prompt "a harbour" >/dev/null
i=1
for spec in "sdxl|detail|warm light, harbour" "sdxl|detail|warm light" "sdxl|detail|cold fog" \
	"flux|none|cold fog" "flux|none|cold fog, harbour" "flux|none|warm light" "sd15|none|pale"; do
	model=${spec%%|*} rest=${spec#*|}
	lora=${rest%%|*} prompt=${rest#*|}
	mkpng in/p$i.png 4 4 $((i * 20)) 0 0
	if [ "$lora" = none ]; then loras='[]'; else loras="[{\"name\": \"$lora\", \"weight\": 0.5}]"; fi
	printf '{"prompt": "%s", "seed": %d, "steps": %d, "model": "%s", "loras": %s}\n' \
		"$prompt" $i $((20 + i % 2 * 10)) "$model" "$loras" >in/p$i.json
	i=$((i + 1))
done
"$LIGHTBOX" import in --brief 1 >/dev/null
# alice and bob: sdxl 5,4 / 5,5 / 4,4; flux 2,1 / 2,2 / 3,2; sd15 one rating of 5
r() { LIGHTBOX_CURATOR=$1 "$LIGHTBOX" rate $2 $3 >/dev/null; }
r alice 1 5; r bob 1 4; r alice 2 5; r bob 2 5; r alice 3 4; r bob 3 4
r alice 4 2; r bob 4 1; r alice 5 2; r bob 5 2; r alice 6 3; r bob 6 2
r alice 7 5
LIGHTBOX_CURATOR=alice "$LIGHTBOX" flag 2 pick >/dev/null

lb wins 1 --json
is "$?" 0 "wins BRIEF --json"
is "$(jq -r '[.[] | select(.ranked) | .value] | join(" ")' "$T/out")" "sdxl flux" \
	"ranked by the low end of the interval; sd15 (one rated) is not ranked"
# sdxl: ratings 5 4 5 5 4 4 -> mean 4.5, sd 0.5477, t(5) 2.571 -> +-0.575
is "$(jq -c '.[] | select(.value == "sdxl") | [.candidates, .rated, .ratings, .mean_stars, .stars_95]' "$T/out")" \
	"[3,3,6,4.5,[3.925,5]]" "counts, mean and the t interval"
# 1 of 3 picked: Wilson 95% 0.061 .. 0.792
is "$(jq -c '.[] | select(.value == "sdxl") | [.pick_rate, .pick_rate_95]' "$T/out")" \
	"[0.333,[0.061,0.792]]" "pick rate with its Wilson interval"
is "$(jq -c '.[] | select(.value == "sd15") | [.ranked, .mean_stars, .stars_95]' "$T/out")" \
	"[false,5,[null,null]]" "one rating: no interval, not ranked"

lb wins 1
like "$(sed -n 2p "$T/out")" "^sdxl +3 +3 +4\.50 3\.9-5\.0 .*█{18}" "a table with bars in Unicode"
like "$(cat "$T/out")" "1 value with fewer than 3 rated candidates not ranked" "says what was left out"
lb wins 1 --by lora --min 1 --json
is "$(jq -c '[.[] | [.value, .candidates]]' "$T/out")" '[["detail",3]]' "--by lora"
lb wins 1 --by phrase --min 2 --json
is "$(jq -c '[.[] | select(.ranked) | [.value, .candidates, .mean_stars]]' "$T/out")" \
	'[["warm light",3,4],["cold fog",3,2.5],["harbour",2,3.25]]' "--by phrase splits prompts at commas"
lb wins --project 1 --by param:steps --min 1 --csv
like "$(head -1 "$T/out")" "^value,ranked,candidates,rated,ratings,mean_stars" "--csv with a header"
lb wins 1 --by colour
is "$?" 1 "an unknown field is refused"
like "$(cat "$T/err")" "unknown field 'colour': use model" "naming the fields"

# stats --by FIELD is the same command under the name the issue gives it
lb wins 1 --by lora --min 1 --json
cp "$T/out" "$T/wins.json"
lb stats 1 --by lora --min 1 --json
is "$?" 0 "stats BRIEF --by FIELD"
is "$(cat "$T/out")" "$(cat "$T/wins.json")" "... prints what wins prints"
lb wins --project 1 --by model --csv
cp "$T/out" "$T/wins.csv"
lb stats --project P --by model --csv
is "$(cat "$T/out")" "$(cat "$T/wins.csv")" "stats --project P --by FIELD --csv too"
lb stats 1 --by model --top 3
is "$?" 2 "--by with an agreement option is a usage error"
like "$(cat "$T/err")" "--top, --gap and --bt-gap are for agreement" "... saying which go with which"
lb stats P --csv
like "$(cat "$T/err")" "--csv go with --by FIELD" "--csv without --by is refused"
done_testing
