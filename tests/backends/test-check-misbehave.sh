#!/bin/sh
# test-check-misbehave.sh - `backends --check` against servers that
# misbehave on the check requests themselves (GET /models,
# /sdapi/v1/sd-models, /api/tags): each backend's line says what went
# wrong, a reply far larger than a model list is refused as such (not
# read whole: its figure is in make bench, bench-check), a slow drip and
# a silent server are told apart, and a well server is ok again after.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

export TEST_KEY=sk-check-test
start_server
backends_config \
	"backend oa type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY" \
	"backend sd type=a1111 url=$URL" \
	"backend ol type=ollama url=$URL model=llama3.2"
export CONTROL_EVERY=1
plan 12

# check MODE ARG TIMEOUT PATTERN: every HTTP backend's line matches PATTERN
# (with PATH for its request's path) and the exit status is 1.
check() {
	control "$1" "" "$2"
	lb backends --check --timeout "$3"
	_rc=$?
	control normal
	for _b in "oa:/models" "sd:/sdapi/v1/sd-models" "ol:/api/tags"; do
		_p=$(printf '%s' "$4" | sed "s|PATH|${_b#*:}|")
		grep "^${_b%%:*}: " "$T/out" | grep -q -- "$_p" || {
			echo "# ${_b%%:*}: wanted: $_p"
			sed 's/^/# /' "$T/out"
			return 1
		}
	done
	[ "$_rc" = 1 ]
}

ok "a reply with a Content-Length of 8 MiB is refused as far more than a model list" \
	check huge 8388608 10 "GET PATH: the reply is over 4096 KiB, far more than a model list needs"
ok "... and without a Content-Length" \
	check hugechunked 8388608 10 "GET PATH: the reply is over 4096 KiB, far more than a model list needs"
ok "... and as a list of millions of small objects" \
	check hugelist 8388608 10 "GET PATH: the reply is over 4096 KiB, far more than a model list needs"
ok "malformed JSON" check badjson "" 10 "GET PATH: the reply is not valid JSON"
ok "a slow drip is told as a reply that began" \
	check drip "" 2 "GET PATH: the reply began but was not complete within 2 s ([0-9]* bytes came)"
ok "a server that never answers" check timeout 10 1 "GET PATH: no answer within 1 s"
ok "the wrong content type" check wrongtype "" 10 "expected JSON but the server sent text/html"
ok "a redirect loop" check redirect "" 10 "the server redirects in a loop"
ok "HTTP 500" check http500 "" 10 "GET PATH: HTTP 500 Internal Server Error"
ok "a 200 that is an error" check error200 "" 10 "GET PATH: the server replied 200 but reported an error"
ok "a connection closed without a reply" check nothing "" 10 "the connection broke before the reply was complete"
lb backends --check --timeout 10
is "$?$(grep -c ": ok" "$T/out")" 04 "a well server afterwards: every backend ok"
done_testing
