#!/bin/sh
# test-runner.sh - the job runner across processes: a runner killed with
# SIGKILL mid-job leaves the job `running`, and the next runner resumes it
# (and the rest of the queue) without duplicating anything; cancelling a
# running job from another process aborts it and drops its results;
# Ctrl-C puts a job back in the queue; the per-backend concurrency limit
# holds; two runners at once never run a job twice.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

export TEST_KEY="sk-runner-key"
start_server --key "$TEST_KEY"
backends_config \
	"backend oa type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY concurrency=1"
setup_store
plan 24

wait_requests() { wait_arrivals "$1" /v1/images/generations; }
state() { count "SELECT state FROM job WHERE id = $1"; }

# --- kill -9 mid-run, then resume
control normal "" "" 3
"$LIGHTBOX" gen 1 --backend oa >"$T/gen.out" 2>&1 &
GEN=$!
ok "the job reached the server" wait_requests 1
"$LIGHTBOX" gen 1 --backend oa --no-wait -n 2 >/dev/null
kill -9 "$GEN"
wait "$GEN" 2>/dev/null
is "$(state 1) $(state 2)" "running queued" "killed mid-job: the row still says running"
control normal
lb jobs run
is "$?" 0 "the next runner resumes the queue"
is "$(state 1) $(state 2)" "done done" "both jobs are done"
is "$(count "SELECT attempts FROM job WHERE id = 1") $(server_stats | jq .gen)" "1 3" \
	"the interrupted job ran a second time, its interrupted attempt given back"
is "$(count "SELECT group_concat(n) FROM (SELECT count(*) AS n FROM candidate GROUP BY job_id ORDER BY job_id)")" "1,2" \
	"each job has its candidates exactly once"

# --- cancel a running job from another process
: >"$T/server.log"
control normal "" "" 4
"$LIGHTBOX" gen 1 --backend oa >"$T/gen.out" 2>"$T/gen.err" &
GEN=$!
ok "the job to cancel is running" wait_requests 1
lb jobs cancel 3
is "$(cat "$T/out")" "job #3: cancelled" "jobs cancel answers"
wait "$GEN"
is "$?" 1 "gen exits 1 for a cancelled job"
like "$(cat "$T/gen.err")" "job #3 cancelled: cancelled" "and says so"
is "$(state 3) $(count "SELECT count(*) FROM candidate WHERE job_id = 3")" "cancelled 0" \
	"the cancelled job stays cancelled, with no candidate"
sleep 4.5
is "$(count "SELECT count(*) FROM candidate WHERE job_id = 3")" 0 "... even after the server would have answered"

# --- Ctrl-C puts the job back
: >"$T/server.log"
control normal "" "" 3
"$LIGHTBOX" gen 1 --backend oa >"$T/gen.out" 2>"$T/gen.err" &
GEN=$!
ok "the job to interrupt is running" wait_requests 1
kill -INT "$GEN"
wait "$GEN"
is "$?" 1 "interrupted gen exits 1"
like "$(cat "$T/gen.err")" "interrupted; unfinished jobs are back in the queue and resume with 'lightbox jobs run'" \
	"and says how to resume"
is "$(state 4)" "queued" "the job is queued again"
control normal
lb jobs run
is "$(state 4) $(count "SELECT count(*) FROM candidate WHERE job_id = 4")" "done 1" "and runs later"

# --- concurrency, and two runners at once
kill "$SERVER_PID"
start_server --key "$TEST_KEY" --per-client
backends_config "backend oa type=openai url=$URL/v1 model=gpt-image-1 key-env=TEST_KEY concurrency=2"
control normal "" "" 0.5
for i in 1 2 3 4 5 6; do "$LIGHTBOX" gen 1 --backend oa --no-wait >/dev/null; done
"$LIGHTBOX" jobs run >"$T/run1.out" 2>&1 &
R1=$!
"$LIGHTBOX" jobs run >"$T/run2.out" 2>&1 &
R2=$!
wait "$R1"
S1=$?
wait "$R2"
S2=$?
is "$S1 $S2" "0 0" "two runners at once both finish"
is "$(count "SELECT count(*) FROM job WHERE id > 4 AND state = 'done' AND attempts = 1")" 6 \
	"every job ran exactly once"
is "$(count "SELECT count(*) FROM candidate WHERE job_id > 4")" 6 "with one candidate each"
server_stats >"$T/stats"
MAX=$(jq .max_inflight "$T/stats")
# The server tells which process sent each request (through /proc): the
# most in flight from each runner, and which pids those were.
BY=$(jq -c '.max_inflight_by_pid // {}' "$T/stats")
ok "the two runners ran requests side by side (saw $MAX at once)" test "$MAX" -ge 2 -a "$MAX" -le 4
is "$(echo "$BY" | jq -r --arg a "$R1" --arg b "$R2" 'keys - [$a, $b] | length')" 0 \
	"every request came from one of the two runners ($BY)"
ok "at most 2 requests at once per runner ($BY)" sh -c 'echo "$1" | jq -e "length >= 1 and all(.[]; . <= 2)"' sh "$BY"
is "$(spec_errors)" "" "every request was well formed"
done_testing
