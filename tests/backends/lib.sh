# lib.sh - shared by the backend tests (sourced after tests/lib/tap.sh).
#
#   start_server [--key K] [--basic U:P] ...   starts server.py on a random
#                 port: sets PORT, URL and SERVER_PID; its log is $T/server.log
#   control MODE [TIMES] [ARG] [DELAY]         tells it to misbehave (every request,
#                                              not only generations, with CONTROL_EVERY=1)
#   spec_errors                                requests that broke the protocol
#   backends_config LINE...                    writes the config file
#   setup_store                                a store, project 1 and briefs:
#                                              1 image, 2 text, 3 audio
#   outside_clean                              1 when nothing was written outside the store
#   key_nowhere KEY                            KEY is in no file of the test: every run's
#                                              output, the store, its logs, exports

[ "${PYTHON3:-no}" = no ] && PYTHON3=$(command -v python3 || echo no)
[ "$PYTHON3" = no ] && skip_all "python3 is needed for the test servers"

# Isolated and without site-packages: the standard library is all the
# servers need, and some installations take seconds to import site.
py() { "$PYTHON3" -I -S "$@"; }

mkdir -p "$T/cwd" "$T/tmp" "$XDG_CONFIG_HOME/lightbox"
export TMPDIR="$T/tmp"
cd "$T/cwd" || exit 1

start_server() {
	: >"$T/server.port"
	# exec: $! must be the server itself, not a shell around it.
	(exec "$PYTHON3" -I -S "$top_srcdir/tests/backends/server.py" --log "$T/server.log" "$@" \
		>"$T/server.port" 2>"$T/server.err") &
	SERVER_PID=$!
	at_exit "kill $SERVER_PID"
	PORT=
	for _i in $(seq 200); do
		PORT=$(sed -n 's/^PORT //p' "$T/server.port")
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	[ -n "$PORT" ] || { echo "Bail out! the test server did not start"; cat "$T/server.err"; exit 1; }
	URL="http://127.0.0.1:$PORT"
}

control() {
	py - "$URL" "$@" <<'PY'
import json, os, sys, urllib.request
url, mode = sys.argv[1], sys.argv[2]
cmd = {"mode": mode}
if len(sys.argv) > 3 and sys.argv[3] != "": cmd["times"] = int(sys.argv[3])
if len(sys.argv) > 4 and sys.argv[4] != "": cmd["arg"] = sys.argv[4]
if len(sys.argv) > 5 and sys.argv[5] != "": cmd["delay"] = float(sys.argv[5])
if os.environ.get("CONTROL_EVERY"): cmd["every"] = True
urllib.request.urlopen(urllib.request.Request(url + "/_control", json.dumps(cmd).encode(), method="POST")).read()
PY
}

server_stats() {
	py -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/_stats").read().decode())' "$URL"
}

# Requests whose spec_errors are not empty, one per line.
spec_errors() {
	[ -f "$T/server.log" ] || return 0
	jq -c 'select(.spec_errors | length > 0) | {path, spec_errors}' "$T/server.log"
}

# The requests the server saw to PATH (a prefix), as JSON lines.
requests_to() {
	[ -f "$T/server.log" ] || return 0
	jq -c --arg p "$1" 'select((.path | startswith($p)) and .arrived != true)' "$T/server.log"
}

backends_config() {
	printf '%s\n' "$@" >"$XDG_CONFIG_HOME/lightbox/config"
}

setup_store() {
	"$LIGHTBOX" init >/dev/null &&
	"$LIGHTBOX" project add "Harbour" >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title Hero --prompt "a lighthouse at dusk" \
		--negative "blurry" --params '{"width": 64, "height": 48}' >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title Tagline --modality text \
		--prompt "a tagline for a harbour café" --constraints "max 8 words" >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title Jingle --modality audio \
		--prompt "warm harbour evening" --params '{"duration": 1}' >/dev/null
}

# Nothing was left in the working directory, $TMPDIR or $HOME.
outside_clean() {
	[ -z "$(find "$T/cwd" "$T/tmp" "$HOME" -mindepth 1 2>/dev/null | head -1)" ]
}

# Every candidate row references an asset file that exists, or has a body.
candidates_whole() {
	sql "SELECT a.sha256 || '.' || a.ext FROM candidate c JOIN asset a ON a.id = c.asset_id" |
	while read -r f; do
		[ -f "$LIGHTBOX_STORE/assets/$(printf %.2s "$f")/$f" ] || { echo "missing $f"; return 1; }
	done
}

count() { sql "$1"; }

# Waits (up to 15 s) until the server has begun n requests to PATH.
wait_arrivals() {
	for _i in $(seq 300); do
		[ "$(jq -c --arg p "$2" 'select(.arrived == true and (.path | startswith($p)))' "$T/server.log" 2>/dev/null |
			wc -l)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# key_nowhere KEY: KEY is in no file the test made: every lb run's output
# ($T/out.all, $T/err.all), the store (database, WAL, assets, logs), and
# what the commands that show jobs and candidates print, and the exports.
# Only the test server's own files are left out (it is the other side).
# Prints the files that hold it.
key_nowhere() {
	for _j in $(sql "SELECT id FROM job"); do
		lb jobs show "$_j"
		lb jobs show "$_j" --json
	done
	lb jobs ls --json
	lb candidate ls --all --json
	lb log --json
	for _p in $(sql "SELECT id FROM project"); do
		lb export "$_p" --all --format json --out "$T/export-$_p.json"
		lb export "$_p" --all --format csv --out "$T/export-$_p.csv"
		lb export "$_p" --all --format md --out "$T/export-$_p.md"
	done
	[ -s "$T/out.all" ] && [ -s "$T/err.all" ] || { echo "no output was kept"; return 1; }
	! grep -rlF -- "$1" "$T" | grep -v "^$T/server\."
}
