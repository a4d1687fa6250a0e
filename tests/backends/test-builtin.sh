#!/bin/sh
# test-builtin.sh - the offline builtin backend and the commands around
# it: gen (pictures, texts, sounds; seeds; variations; rerolls; one-off
# prompts; bad parameters), jobs (ls, show, retry, cancel), backends and
# the demo store.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

backends_config "backend words type=ollama url=http://127.0.0.1:9 model=llama3.2"
setup_store
plan 36

lb gen 1 -n 3 --seed 100+
is "$?" 0 "three pictures"
is "$(count "SELECT group_concat(a.width || 'x' || a.height || ':' || c.seed) FROM candidate c JOIN asset a ON a.id = c.asset_id")" \
	"64x48:100,64x48:101,64x48:102" "at the brief's size, with the seeds asked for"
is "$(count "SELECT DISTINCT model FROM candidate")" "builtin procedural (not a model)" "labelled as what it is"
like "$(cat "$T/out")" "^#1  seed 100  image/png 64x48  $LIGHTBOX_STORE/assets/" "gen prints what it made"
like "$(count "SELECT params FROM candidate WHERE id = 1")" '"family":"(gradient|noise|plasma|voronoi|stripes)".*"palette":\["#[0-9a-f]{6}"' \
	"the family and palette are recorded"

lb gen 1 --seed 100
is "$(count "SELECT count(DISTINCT asset_id) FROM candidate WHERE seed = 100")" 1 "the same seed makes the same picture"
lb gen 1 --seed 5 -n 2
is "$(count "SELECT count(DISTINCT asset_id) || '/' || count(*) FROM candidate WHERE seed = 5")" "1/2" \
	"--seed S gives every candidate S"

lb gen 1 --set family=voronoi --set width=40
like "$(count "SELECT params FROM candidate WHERE id = (SELECT max(id) FROM candidate)")" '"family":"voronoi".*"width":40' \
	"--set overrides the brief's parameters"

lb gen 1 --set steps=3
is "$?" 1 "an unknown parameter is refused"
like "$(cat "$T/err")" "backend builtin \\(type builtin\\) has no parameter 'steps' — it takes: width, height, family" \
	"and the message lists those it takes"
lb gen 1 --set width=0
like "$(cat "$T/err")" "width=0 is not valid — it takes a whole number from 1 to 8192" "a bad value says the range"
lb gen 1 --backend nope
like "$(cat "$T/err")" "no backend named 'nope' — 'lightbox backends' lists the configured ones" "an unknown backend"
lb gen 1 --backend words
like "$(cat "$T/err")" "backend words makes text, not image \\(brief #1 is image\\)" "a backend that cannot make the brief's kind"
is "$(count "SELECT count(*) FROM job")" 4 "refused requests queue nothing"

lb gen 2 -n 4
is "$(count "SELECT count(*) FROM candidate WHERE body IS NOT NULL AND length(body) > 10")" 4 "four texts"
is "$(count "SELECT max(length(body) - length(replace(body, ' ', '')) + 1) FROM candidate WHERE body IS NOT NULL")" \
	"$(count "SELECT min(8, max(length(body) - length(replace(body, ' ', '')) + 1)) FROM candidate WHERE body IS NOT NULL")" \
	"each keeps to the brief's 'max 8 words'"
lb gen 3 -n 2
is "$(count "SELECT group_concat(a.media_type || ' ' || a.duration) FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.brief_id = 3")" \
	"audio/wav 1.0,audio/wav 1.0" "two one-second WAV beds"

lb gen --variation-of 2 -n 2
is "$(count "SELECT group_concat(parent_id || ':' || c.revision_id) FROM candidate c WHERE job_id = (SELECT max(id) FROM job)")" \
	"2:1,2:1" "variations link to their parent"
is "$(count "SELECT count(DISTINCT asset_id) FROM candidate WHERE parent_id = 2")" 2 "and differ from each other"
lb gen --variation-of 8 -n 1
is "$(count "SELECT parent_id FROM candidate WHERE id = (SELECT max(id) FROM candidate)")" 8 "a text can be varied too"

lb brief edit --prompt "a lighthouse at night" 1
lb gen --reroll 1
is "$(count "SELECT c.revision_id = p.revision_id AND c.seed != p.seed AND c.parent_id = p.id FROM candidate c JOIN candidate p ON p.id = 1 WHERE c.id = (SELECT max(id) FROM candidate)")" \
	1 "a reroll keeps its parent's brief revision, with a new seed"
lb gen 1 --prompt "a lighthouse in fog"
is "$(count "SELECT c.prompt || '|' || r.rev FROM candidate c JOIN brief_revision r ON r.id = c.revision_id WHERE c.id = (SELECT max(id) FROM candidate)")" \
	"a lighthouse in fog|2" "a one-off prompt is recorded on the candidate, not as a revision"

lb gen 1 --set width=8000 --set height=8000
is "$?" 1 "a job that fails exits 1"
like "$(cat "$T/err")" "job #[0-9]+ failed: builtin draws at most 36 megapixels; 8000x8000 is too large" "with the reason"
FAILED=$(count "SELECT max(id) FROM job")
lb jobs retry "$FAILED"
is "$(count "SELECT state || ' ' || attempts FROM job WHERE id = $FAILED")" "queued 0" "jobs retry queues it again, afresh"
lb jobs cancel "$FAILED"
is "$(count "SELECT state FROM job WHERE id = $FAILED")" "cancelled" "jobs cancel"
lb jobs cancel 1
like "$(cat "$T/err")" "job #1 is done: there is nothing to cancel" "a done job cannot be cancelled"
lb jobs
like "$(cat "$T/out")" "^ +$FAILED +cancelled +builtin +generate +1 +0 " "jobs lists them, newest first"
lb jobs show 1 --json
is "$(jq -r '"\(.state) \(.candidates) \(.params.seed_mode) \(.params.seed)"' "$T/out")" "done 3 step 100" "jobs show --json"

lb backends --json
is "$(jq -r 'map("\(.name):\(.type):\(.makes):\(.default)") | join(" ")' "$T/out")" \
	"builtin:builtin:image,text,audio:true words:ollama:text:false" "backends --json"

DEMO="$T/demo"
lb demo --store "$DEMO"
is "$?" 0 "lightbox demo builds a store"
like "$(cat "$T/out")" "Open it with: lightbox --store $DEMO" "and says how to open it"
is "$(sqlite3 "$DEMO/lightbox.db" "SELECT (SELECT count(*) FROM brief) || ' ' || (SELECT group_concat(DISTINCT modality) FROM brief) || ' ' || (SELECT count(DISTINCT curator) FROM rating) || ' ' || (SELECT count(*) > 20 FROM candidate) || ' ' || (SELECT count(*) FROM candidate WHERE parent_id IS NOT NULL) || ' ' || (SELECT count(*) FROM brief_revision WHERE rev = 2)")" \
	"4 image,text,audio 2 1 4 1" "image, text and audio briefs, two curators, a revision and variations"
like "$(sqlite3 "$DEMO/lightbox.db" "SELECT integration FROM selection s JOIN candidate c ON c.id = s.candidate_id WHERE c.parent_id IS NOT NULL")" \
	"exported to site/assets/hero.png" "the selected hero is a variation with its integration note"
lb demo --store "$DEMO"
like "$(cat "$T/out")" "The demo store is already at $DEMO" "a second run leaves it as it is"
ok "nothing written outside the store" outside_clean
done_testing
