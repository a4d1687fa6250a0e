#!/bin/sh
# jobs-wait.sh - a job waiting to retry (a server's Retry-After, a
# backoff) shows the time left in the job view, ticking, and r makes it
# run now (issue 12, 6); a job that ends while another process holds the
# store's write lock says its result waits, and it lands afterwards
# (issue 10, 3).
. "$(dirname "$0")/lib.sh"

plan 10
mkdir -p "$XDG_CONFIG_HOME/lightbox" "$T/bin"
cat >"$T/bin/echo-back" <<'EOF2'
#!/bin/sh
printf 'retried: %s\n' "$1"
EOF2
chmod +x "$T/bin/echo-back"
# gated waits for a file, so the test decides when its job ends.
cat >"$T/bin/gated" <<EOF2
#!/bin/sh
while [ ! -e "$T/go" ]; do sleep 0.05; done
printf 'gated: %s\n' "\$1"
EOF2
chmod +x "$T/bin/gated"
cat >"$XDG_CONFIG_HOME/lightbox/config" <<EOF2
backend eb type=exec modality=text command="$T/bin/echo-back {prompt}"
backend gated type=exec modality=text command="$T/bin/gated {prompt}"
EOF2
mkstore
lbq gen 1 --backend eb --no-wait
# What a runner leaves after an HTTP 429 asking for 5 minutes.
sql "UPDATE job SET attempts = 1, next_at = strftime('%s', 'now') + 300,
	error = 'POST /v1/images/generations: HTTP 429 (the server asked to wait); retrying in 300 s (attempt 2 of 4)'
	WHERE id = 1"

start_lb 120 40 tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null
tm_keys J
ok "the job view shows the time left" tm_wait_for '^ +1 wait 4m[0-9][0-9]s +generate +eb'
ok "and says so under the list, with the way out" \
	tm_wait_for 'waiting to retry, 4m[0-9][0-9]s left \(r retries now\)'
first=$(screen_line '^ +1 wait' | sed 's/.*wait \(4m[0-9]*s\).*/\1/')
sleep 2.2
ok "it ticks" test "$(screen_line '^ +1 wait' | sed 's/.*wait \(4m[0-9]*s\).*/\1/')" != "$first"
is "$(sql "SELECT state FROM job WHERE id = 1")" queued "the runner leaves it waiting"
tm_keys r
ok "r makes it run now" tm_wait_for '^ +1 done +generate +eb' 30
is "$(sql "SELECT body FROM candidate WHERE job_id = 1")" \
	"retried: Three lines about falling leaves and warm coffee" "and its candidate is in"

# The store locked by another process while a job ends.
"$LIGHTBOX" gen 1 --backend gated --no-wait >/dev/null
tm_wait_for '^ +2 running +generate +gated' 30 >/dev/null
python3 -I -S - "$LIGHTBOX_STORE/lightbox.db" "$T/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").write("locked\n")
time.sleep(6)
db.execute("COMMIT")
PY
LOCKER=$!
for _i in $(seq 100); do [ -s "$T/locked" ] && break; sleep 0.05; done
touch "$T/go"
ok "the status line says the result waits for the busy store" \
	tm_wait_for '1 running \(1 result waiting for the busy store\)' 10
is "$(sql "SELECT state FROM job WHERE id = 2")" running "the job is not done yet"
wait "$LOCKER"
ok "it lands once the lock is free" tm_wait_for '^ +2 done +generate +gated' 20
is "$(sql "SELECT state || ' ' || (SELECT body FROM candidate WHERE job_id = 2) FROM job WHERE id = 2")" \
	"done gated: Three lines about falling leaves and warm coffee" "with its candidate"
done_testing
