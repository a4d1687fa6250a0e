#!/bin/sh
# test-misbehave.sh - what bad replies get: connection refused, a timeout,
# HTTP 500 (retried, then given up), 429 with Retry-After (seconds and an
# HTTP date, honoured), a 200 whose body is an error, malformed JSON,
# truncated base64, a truncated PNG, a reply over max-reply (with and
# without Content-Length), a slow drip, the wrong content type, a redirect
# loop, a connection closed without a reply.  Each job fails or retries
# with a message that says what happened, leaves no partial candidate,
# writes nothing outside the store, and never shows the key.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

KEY="sk-misbehave-$(date +%s)-7c1e"
export TEST_KEY="$KEY"
start_server --key "$KEY"
DEAD=$(py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
backends_config \
	"backend oa type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY retries=0 timeout=5 low-speed=100 low-speed-time=1 max-reply=1" \
	"backend oat type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY retries=0 timeout=1" \
	"backend oar type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY retries=2 backoff=0.1" \
	"backend sd type=a1111 url=$URL retries=0" \
	"backend dead type=openai url=http://127.0.0.1:$DEAD/v1 model=gpt-image-1 key-env=TEST_KEY retries=1 backoff=0.1 connect-timeout=2"
setup_store
plan 30

last() { count "SELECT $1 FROM job WHERE id = (SELECT max(id) FROM job)"; }
# Seconds between the two image requests the server answered.
gap() {
	py - "$T/server.log" <<'PY'
import json, sys
ts = [json.loads(l)["t"] for l in open(sys.argv[1]) if "/images/generations" in l and "arrived" not in l]
print("%.1f" % (ts[1] - ts[0]) if len(ts) == 2 else "requests: %d" % len(ts))
PY
}
made() { count "SELECT count(*) FROM candidate WHERE job_id = (SELECT max(id) FROM job)"; }

lb gen 1 --backend dead
is "$?" 1 "connection refused: gen exits 1"
like "$(last error)" "^cannot connect to http://127.0.0.1:$DEAD/v1 — is the server running\\?; gave up after 2 attempts$" \
	"connection refused: retried once, then failed, saying so"

control timeout 1 3
lb gen 1 --backend oat
like "$(last error)" "^POST /images/generations: no complete reply within the time allowed .*timeout=1 s\\); gave up after 1 attempt$" \
	"a timeout"

control http500
lb gen 1 --backend oar
control normal
like "$(last "state || ' ' || attempts || ' ' || error")" \
	"^failed 3 POST /images/generations: HTTP 500 Internal Server Error: CUDA out of memory \\(simulated\\); gave up after 3 attempts$" \
	"HTTP 500 is retried with backoff, then given up"
control http500 1
lb gen 1 --backend oar
is "$(last "state || ' ' || attempts")" "done 2" "HTTP 500 once: the retry succeeds"
is "$(made)" 1 "... with its candidate"

: >"$T/server.log"
control 429 1 2
lb gen 1 --backend oar
is "$(last "state || ' ' || attempts")" "done 2" "429: retried"
gap >"$T/gap"
ok "429: Retry-After: 2 was honoured ($(cat "$T/gap") s)" py -c 'import sys; sys.exit(not float(sys.argv[1]) >= 1.9)' "$(cat "$T/gap")"

: >"$T/server.log"
control 429 1 date:3
lb gen 1 --backend oar
is "$(last "state || ' ' || attempts")" "done 2" "429 with an HTTP-date Retry-After: retried"
gap >"$T/gap"
ok "... and the date was honoured ($(cat "$T/gap") s)" py -c 'import sys; sys.exit(not float(sys.argv[1]) >= 1.9)' "$(cat "$T/gap")"

control error200 1
lb gen 1 --backend oa
like "$(last error)" "^POST /images/generations: the server replied 200 but reported an error: the model is overloaded" \
	"a 200 whose body is an error"
control badjson 1
lb gen 1 --backend oa
like "$(last error)" "^POST /images/generations: the reply is not valid JSON" "malformed JSON"
control truncb64 1
lb gen 1 --backend oa
like "$(last error)" "the server's image is not usable: the base64 data is truncated" "truncated base64"
control truncpng 1
lb gen 1 --backend oa
like "$(last error)" "the server.s image is not usable: truncated PNG: the file stops inside its IDAT chunk" \
	"a truncated PNG"
control huge 1 2097152
lb gen 1 --backend oa
like "$(last error)" "the reply is larger than max-reply \\(1 MiB\\)" "a reply over the size limit"
control hugechunked 1 2097152
lb gen 1 --backend oa
like "$(last error)" "the reply is larger than max-reply \\(1 MiB\\)" "... also without a Content-Length"
control drip 1
lb gen 1 --backend oa
like "$(last error)" "the reply trickled in too slowly \\(under 100 bytes/s for 1 s\\)" "a slow drip is dropped"
control wrongtype 1
lb gen 1 --backend oa
like "$(last error)" "expected JSON but the server sent text/html" "the wrong content type"
control redirect
lb gen 1 --backend oa
like "$(last error)" "more than 3 redirects — the server redirects in a loop" "a redirect loop"
control normal
control nothing 1
lb gen 1 --backend oa
like "$(last error)" "the connection broke before the reply was complete" "a connection closed without a reply"
control truncb64 1
lb gen 1 --backend sd
like "$(last error)" "the server's image is not usable: the base64 data is truncated" "A1111: truncated base64"
control http500 1
lb gen 1 --backend sd
like "$(last error)" "HTTP 500 Internal Server Error: RuntimeError: CUDA out of memory" "A1111's error shape is read"

is "$(count "SELECT count(*) FROM job WHERE state = 'failed'")" 15 "fifteen jobs failed"
is "$(count "SELECT count(*) FROM candidate c JOIN job j ON j.id = c.job_id WHERE j.state != 'done'")" 0 \
	"failed jobs left no candidate"
is "$(count "SELECT count(*) FROM candidate")" 3 "the three that succeeded made one each"
ok "every candidate's file exists" candidates_whole
ok "the key is nowhere in the store" sh -c '! grep -rqF "$1" "$2"' sh "$KEY" "$LIGHTBOX_STORE"
ok "the key is in no output of any run, no export, no file of the test" key_nowhere "$KEY"
is "$(spec_errors)" "" "the requests themselves were all well formed"
ok "nothing written outside the store" outside_clean
done_testing
