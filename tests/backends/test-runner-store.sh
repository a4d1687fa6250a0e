#!/bin/sh
# test-runner-store.sh - a busy store delays a job's results, it never
# loses them (issue 10, 3), and runners on one store never interfere
# (issue 12, 5):
#   - a runner killed after its outputs are on disk and before their rows
#     are recorded: the next runner records them from the job's manifest,
#     and the server sees no second request;
#   - a job left running by a killed runner is recovered by a runner that
#     starts while another (a live `gen`) is at work;
#   - the write lock held by another connection for 4 s while a job ends:
#     the results land afterwards, the job is not left running;
#   - two `lightbox gen` at once: neither touches the other's job, the
#     server gets one request per job, attempts stay within retries + 1.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

export TEST_KEY="sk-runner-key"
start_server --key "$TEST_KEY"
backends_config \
	"backend oa type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY concurrency=1 retries=1"
setup_store
# Reads wait for a moment the runners hold the database (a WAL reset).
count() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$LIGHTBOX_STORE/lightbox.db" "$1"; }
plan 35

state() { count "SELECT state FROM job WHERE id = $1"; }
gens() { server_stats | jq .gen; }
made() { count "SELECT count(*) FROM candidate WHERE job_id = $1"; }
# Holds the store's write lock for $1 seconds (another connection), once
# it has it prints "locked" to $T/lock.
hold_lock() {
	py - "$LIGHTBOX_STORE/lightbox.db" "$1" "$T/lock" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[3], "w").write("locked\n")
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
PY
	LOCKER=$!
	for _i in $(seq 100); do [ -s "$T/lock" ] && return 0; sleep 0.05; done
	return 1
}

# --- (a) killed between the outputs and the rows
LIGHTBOX_TEST_DIE_AFTER_OUTPUTS=1 "$LIGHTBOX" gen 1 --backend oa >"$T/gen.out" 2>&1
is "$?" 137 "the runner was killed (SIGKILL) after writing its outputs"
is "$(state 1) $(made 1) $(gens)" "running 0 1" "the job still says running, no candidate, one request"
ok "its manifest lists the output" jq -e '.job == 1 and (.outputs | length) == 1' \
	"$LIGHTBOX_STORE/cache/jobs/1.json"
SHA=$(jq -r '.outputs[0].sha256' "$LIGHTBOX_STORE/cache/jobs/1.json")
ok "and the asset file is on disk" test -f "$LIGHTBOX_STORE/assets/$(printf %.2s "$SHA")/$SHA.png"
timeout 30 "$LIGHTBOX" jobs run >"$T/out" 2>&1
is "$?" 0 "the next runner finishes"
is "$(state 1) $(made 1) $(gens)" "done 1 1" "it recorded the candidate without asking the server again"
is "$(count "SELECT a.sha256 FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.job_id = 1")" "$SHA" \
	"the candidate is the file the killed runner wrote"
ok "the manifest is gone" test ! -e "$LIGHTBOX_STORE/cache/jobs/1.json"
ok "every candidate has its file" candidates_whole

# --- (b) a stuck job is recovered while another runner is alive
control normal "" "" 3
"$LIGHTBOX" gen 1 --backend oa >"$T/gen-alive.out" 2>&1 &
ALIVE=$!
wait_arrivals 2 /v1/images/generations
"$LIGHTBOX" gen 1 --backend oa >"$T/gen-killed.out" 2>&1 &
KILLED=$!
ok "the job to strand is running" wait_arrivals 3 /v1/images/generations
kill -9 "$KILLED"
wait "$KILLED" 2>/dev/null
is "$(state 2)" running "the live runner's job runs"
# The runner thread takes no signal of the owner's: SIGINT, SIGPIPE,
# SIGTERM and SIGWINCH (bits 2, 13, 15, 28) are blocked in it.
blk=$(for t in /proc/$ALIVE/task/*; do [ "$(cat "$t/comm")" = lb-runner ] && sed -n 's/^SigBlk:\t//p' "$t/status"; done)
is "$([ -n "$blk" ] && echo $((0x$blk & 0x8005002)))" $((0x8005002)) "the runner thread blocks the owner's signals"
waitfor() { for _i in $(seq 100); do [ "$(eval "$1")" = "$2" ] && return 0; sleep 0.1; done; return 1; }
ok "the live runner soon requeues the killed one's job" waitfor "state 3" queued
like "$(count "SELECT error FROM job WHERE id = 3")" "interrupted: the lightbox working on it stopped" "saying why"
control normal
timeout 30 "$LIGHTBOX" jobs run >"$T/out" 2>&1
is "$?" 0 "the next runner finishes it"
is "$(state 3) $(made 3)" "done 1" "the stranded job is done"
wait "$ALIVE"
is "$? $(state 2) $(made 2)" "0 done 1" "the live runner's own job was left to it, and done"
unlike "$(cat "$T/gen-alive.out")" "interrupted" "the live runner was never interrupted"
is "$(count "SELECT group_concat(attempts) FROM job WHERE id IN (2, 3)")" "1,1" "no attempt was counted twice"

# --- (c) the write lock held while a job ends
: >"$T/lock"
control normal "" "" 1
timeout 30 "$LIGHTBOX" gen 1 --backend oa >"$T/gen-busy.out" 2>&1 &
BUSY=$!
wait_arrivals 5 /v1/images/generations
ok "another connection holds the write lock" hold_lock 4
is "$(state 4)" "running" "the job's reply came while the store was locked"
wait "$LOCKER"
wait "$BUSY"
is "$? $(state 4) $(made 4)" "0 done 1" "its result landed once the lock was free"
is "$(gens)" 5 "with a single request"

# --- two `gen` at once (issue 12, 5)
: >"$T/server.log"
control normal "" "" 2
G0=$(gens)
timeout 30 "$LIGHTBOX" gen 1 --backend oa >"$T/gen-a.out" 2>&1 &
A=$!
wait_arrivals 1 /v1/images/generations
timeout 30 "$LIGHTBOX" gen 1 --backend oa >"$T/gen-b.out" 2>&1 &
B=$!
wait "$A"
SA=$?
wait "$B"
is "$SA $?" "0 0" "both gen processes succeed"
unlike "$(cat "$T/gen-a.out" "$T/gen-b.out")" "interrupted" "neither was told its job was interrupted"
is "$(($(gens) - G0))" 2 "one request per job"
is "$(count "SELECT group_concat(attempts) FROM job WHERE id IN (5, 6)")" "1,1" "one attempt each"
is "$(count "SELECT count(*) FROM job WHERE attempts > 2")" 0 "attempts never exceed retries + 1"

# A `gen` with a free slot leaves a job queued by someone else alone: it
# would interrupt it when it stops.
backends_config \
	"backend oa type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY concurrency=2 retries=1"
control normal "" "" 2
G0=$(gens)
timeout 30 "$LIGHTBOX" gen 1 --backend oa >"$T/gen-a.out" 2>&1 &
A=$!
wait_arrivals 3 /v1/images/generations
"$LIGHTBOX" gen 1 --backend oa --no-wait >/dev/null
wait "$A"
is "$? $(state 7) $(state 8)" "0 done queued" "gen ran its own job only"
is "$(count "SELECT attempts || ':' || error FROM job WHERE id = 8") $(($(gens) - G0))" "0: 1" \
	"the other job was never started nor interrupted"
lb jobs cancel 8

# Stopped while the store is locked: what the runner could not save in
# time stays in its manifest, and the next runner records it.
: >"$T/server.log"
: >"$T/lock"
control normal "" "" 1
G0=$(gens)
"$LIGHTBOX" gen 1 --backend oa >"$T/gen-stop.out" 2>&1 &
STOPPED=$!
wait_arrivals 1 /v1/images/generations
hold_lock 10
sleep 2.5
kill -INT "$STOPPED"
wait "$STOPPED"
is "$? $(state 9)" "1 running" "interrupted while the store is locked, its finished job not yet saved"
ok "its results wait in the manifest" test -s "$LIGHTBOX_STORE/cache/jobs/9.json"
wait "$LOCKER"
timeout 30 "$LIGHTBOX" jobs run >"$T/out" 2>&1
is "$(state 9) $(made 9) $(($(gens) - G0))" "done 1 1" "the next runner records them, with no second request"

# Lock files: a dead runner's is swept at the next start, a live one's stays.
R="$LIGHTBOX_STORE/cache/runners"
: >"$R/dead-0001.lock"
: >"$R/beef-0002.lock"
flock "$R/beef-0002.lock" sleep 30 &
HOLDER=$!
at_exit "kill $HOLDER"
sleep 0.2
lb jobs run
ok "a dead runner's lock file is swept" test ! -e "$R/dead-0001.lock"
ok "a live one's is kept" test -e "$R/beef-0002.lock"
done_testing
