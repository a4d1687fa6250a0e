#!/bin/sh
# test-a1111.sh - the a1111 backend end to end: txt2img in batches, the
# seeds the server really used (from `info`, a JSON string inside the
# JSON) stored rather than the ones asked for, progress polled on a
# second connection while the request blocks, img2img variations linked
# to their parent, and HTTP Basic credentials from key-env.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

export SD_AUTH="painter:brush-$$"
start_server --basic "$SD_AUTH" --a1111-time 1.5
backends_config \
	"backend sd type=a1111 url=$URL key-env=SD_AUTH model=v1-5-pruned steps=12 cfg-scale=6.5 sampler=\"Euler a\" batch=2 progress-interval=200" \
	"backend bad type=a1111 url=$URL key-env=WRONG_AUTH retries=0"
export WRONG_AUTH="painter:wrong"
setup_store
plan 15

lb gen 1 --backend sd -n 3 --seed 10+
is "$?" 0 "gen -n 3 succeeds"
is "$(requests_to /sdapi/v1/txt2img | jq -s 'map("\(.seed)x\(.batch_size)") | join(",")')" '"10x2,12x1"' \
	"batch=2: two requests, the second starting where the first stopped"
is "$(count "SELECT group_concat(seed) FROM candidate WHERE backend = 'sd'")" "1010,1011,1012" \
	"the seeds stored are those info.all_seeds reports"
is "$(count "SELECT DISTINCT model FROM candidate WHERE backend = 'sd'")" "v1-5-pruned" "the model sd_model_name names"
like "$(count "SELECT params FROM candidate WHERE backend = 'sd' AND seed = 1011")" \
	'"cfg-scale":6.5.*"infotext":"a lighthouse at dusk\\nSteps: 12, Seed: 1011".*"sampler":"Euler a".*"sd_model_hash":"cc6cb27103".*"steps":12' \
	"the effective parameters and the infotext are recorded"
ok "progress was polled while txt2img ran" test "$(requests_to /sdapi/v1/progress | wc -l)" -ge 1
is "$(count "SELECT progress FROM job WHERE backend = 'sd'")" "1.0" "the job ends at 100%"

lb gen --variation-of 2 --backend sd --set denoising-strength=0.3
is "$?" 0 "a variation through img2img"
is "$(requests_to /sdapi/v1/img2img | wc -l)" 1 "img2img got the parent picture"
is "$(count "SELECT parent_id FROM candidate WHERE id = (SELECT max(id) FROM candidate)")" 2 "it links to its parent"
like "$(count "SELECT params FROM candidate WHERE id = (SELECT max(id) FROM candidate)")" '"denoising-strength":0.3[,}]' \
	"its denoising strength is recorded"

lb gen 1 --backend bad
like "$(count "SELECT error FROM job WHERE backend = 'bad'")" "HTTP 401" "wrong credentials fail with the status"
ok "the credentials are nowhere in the store" sh -c '! grep -rqF "brush-$1" "$2"' sh "$$" "$LIGHTBOX_STORE"
is "$(spec_errors | grep -v 'expected HTTP Basic')" "" "every request matched the API"
ok "nothing written outside the store" outside_clean
done_testing
