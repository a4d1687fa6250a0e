#!/bin/sh
# test-openai.sh - the openai backend end to end against the local server:
# images (b64_json, batched n), dall-e-3 one at a time, variations through
# multipart /images/edits, chat with one request and seed per candidate,
# speech, image URLs fetched at once, and the key: sent as a bearer token,
# never stored, never shown, scrubbed from a server's echo.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

KEY="sk-test-$(date +%s)-secret-3f9a"
export TEST_KEY="$KEY"
start_server --key "$KEY"
backends_config \
	"backend oa type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY" \
	"backend d3 type=openai url=$URL/v1 model=dall-e-3 key-env=TEST_KEY" \
	"backend chat type=openai url=$URL/v1 model=gpt-4o-mini key-env=TEST_KEY temperature=0.7" \
	"backend tts type=openai url=$URL/v1 model=gpt-4o-mini-tts key-env=TEST_KEY speech-format=wav voice=coral" \
	"backend nokey type=openai url=$URL/v1 model=gpt-image-1 key-env=LB_UNSET_VARIABLE"
setup_store
plan 29

lb backends --check
is "$?" 1 "backends --check: exit 1 as one backend lacks its key"
like "$(grep '^nokey:' "$T/out")" "the key variable \\\$LB_UNSET_VARIABLE is not set" "... and says which"
is "$(grep -c 'ok: 4 models listed' "$T/out")" 4 "the others answer"
like "$(cat "$T/out")" "oa +openai +image .*key from \\\$TEST_KEY \\(set\\) +ok" "the listing shows where the key comes from"
unlike "$(cat "$T/out" "$T/err")" "$KEY" "the listing never shows the key"

lb gen 1 --backend oa -n 3
ok "three pictures in one request" test "$(count "SELECT count(*) FROM candidate WHERE backend = 'oa'")" = 3
is "$(requests_to /v1/images/generations | jq -s 'map(.n) | join(",")')" '"3"' "one request asked for n=3"
is "$(count "SELECT DISTINCT model || '|' || coalesce(seed, 'null') FROM candidate WHERE backend = 'oa'")" \
	"gpt-image-1|null" "model recorded; no seed claimed (OpenAI images take none)"
like "$(count "SELECT params FROM candidate WHERE backend = 'oa' LIMIT 1")" '"revised_prompt":"revised: a lighthouse at dusk"' \
	"the revised prompt is kept with the candidate"

lb gen 1 --backend d3 -n 2
ok "dall-e-3: two pictures" test "$(count "SELECT count(*) FROM candidate WHERE backend = 'd3'")" = 2
is "$(requests_to /v1/images/generations | jq -s 'map(select(.model == "dall-e-3") | .n) | join(",")')" \
	'"1,1"' "dall-e-3 gets one request per picture"

lb gen --variation-of 1 -n 2 --backend oa
ok "variations through /images/edits" test "$(requests_to /v1/images/edits | wc -l)" = 1
is "$(count "SELECT group_concat(parent_id) FROM candidate WHERE job_id = (SELECT max(id) FROM job)")" "1,1" \
	"each variation links to its parent"

lb gen 2 --backend chat -n 3 --seed 500+
ok "three texts" test "$(count "SELECT count(*) FROM candidate WHERE backend = 'chat'")" = 3
is "$(requests_to /v1/chat/completions | jq -s 'map(.seed) | join(",")')" '"500,501,502"' \
	"one chat request per candidate, each with its own seed"
is "$(count "SELECT group_concat(seed) FROM candidate WHERE backend = 'chat'")" "500,501,502" "the seeds are stored"
is "$(count "SELECT DISTINCT model FROM candidate WHERE backend = 'chat'")" "gpt-4o-mini-2026" \
	"the model the server names is stored"
like "$(count "SELECT body FROM candidate WHERE backend = 'chat' AND seed = 501")" "seed 501" "the text is the reply's"

lb gen 3 --backend tts
is "$(count "SELECT a.media_type FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.backend = 'tts'")" \
	"audio/wav" "speech: raw bytes become an audio candidate"

control urlreply 1
lb gen 1 --backend oa
is "$(count "SELECT count(*) FROM job WHERE id = (SELECT max(id) FROM job) AND state = 'done'")" 1 \
	"image URLs in a reply are fetched at once"

lb gen 1 --backend nokey
is "$(count "SELECT state FROM job WHERE backend = 'nokey'")" failed "a missing key variable fails the job"
like "$(cat "$T/err")" 'LB_UNSET_VARIABLE is not set' "the message names the variable to set"

ok "every request carried a bearer token" test "$(jq -s 'map(select(.arrived != true and (.path | startswith("/v1/"))) | .auth) | unique | join(",")' "$T/server.log")" = '"present"'
is "$(spec_errors)" "" "every request matched the OpenAI spec"

# A server that echoes the Authorization header into its error message.
kill "$SERVER_PID"
start_server --key "other-key" --echo-key
backends_config "backend oa type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY"
lb gen 1 --backend oa
like "$(count "SELECT error FROM job WHERE id = (SELECT max(id) FROM job)")" "HTTP 401 Unauthorized: Incorrect API key provided: Bearer \\[redacted\\] — check the key in \\\$TEST_KEY" \
	"a 401 says what to check, with the echoed key blanked"
ok "the key is nowhere in the store" sh -c '! grep -rqF "$1" "$2"' sh "$KEY" "$LIGHTBOX_STORE"
ok "the key is in no output of any run, no export, no file of the test" key_nowhere "$KEY"
ok "nothing written outside the store" outside_clean
ok "every candidate's file exists" candidates_whole
done_testing
