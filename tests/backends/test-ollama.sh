#!/bin/sh
# test-ollama.sh - the ollama backend end to end: /api/generate and
# /api/chat with "stream": false, n candidates as n requests with distinct
# seeds, a server that streams NDJSON anyway, an error line mid-stream,
# variations of a text, and --check naming a model that is not pulled.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

start_server
backends_config \
	"backend local type=ollama url=$URL model=llama3.2 temperature=0.9 num-predict=64" \
	"backend talk type=ollama url=$URL model=llama3.2 api=chat system=\"You write taglines.\"" \
	"backend absent type=ollama url=$URL model=mistral"
setup_store
plan 13

lb backends --check
is "$?" 1 "--check fails when a model is not pulled"
like "$(grep '^absent:' "$T/out")" "mistral is not installed — run: ollama pull mistral" "and says what to run"

lb gen 2 --backend local -n 3 --seed 40+
is "$?" 0 "three texts from /api/generate"
is "$(requests_to /api/generate | jq -s 'map(.seed) | join(",")')" '"40,41,42"' \
	"one request per candidate, each with its own seed"
is "$(count "SELECT group_concat(seed) FROM candidate WHERE backend = 'local'")" "40,41,42" "the seeds are stored"
is "$(count "SELECT body FROM candidate WHERE backend = 'local' AND seed = 41")" \
	"Evenings by the harbour light (seed 41)" "the text is the reply's"

lb gen 2 --backend talk
is "$(count "SELECT count(*) FROM candidate WHERE backend = 'talk'")" 1 "/api/chat with api=chat"

control ndjson 1
lb gen 2 --backend local --seed 5
is "$(count "SELECT body FROM candidate WHERE id = (SELECT max(id) FROM candidate)")" \
	"Evenings by the harbour light (seed 5)" "a streamed NDJSON reply is put together"

control ndjson 1 error
lb gen 2 --backend local
like "$(count "SELECT error FROM job WHERE id = (SELECT max(id) FROM job)")" "model ran out of memory mid-stream" \
	"an error line mid-stream fails the job with its message"
is "$(count "SELECT count(*) FROM candidate WHERE job_id = (SELECT max(id) FROM job)")" 0 "no partial candidate"

lb gen --variation-of 1 --backend local -n 2
is "$(count "SELECT group_concat(parent_id) FROM candidate WHERE job_id = (SELECT max(id) FROM job)")" "1,1" \
	"text variations link to their parent"
is "$(spec_errors)" "" "every request matched the Ollama spec"
ok "nothing written outside the store" outside_clean
done_testing
