#!/bin/sh
# jobs.sh - the job view and the runner inside the interface: a failing
# backend's error is told in the message line and shown whole (escape
# sequences made visible) under the job list, retry runs it again, cancel
# stops a running job, the status line counts running jobs, and quitting
# with a job running puts it back in the queue; the next start resumes it.
. "$(dirname "$0")/lib.sh"

plan 20
mkdir -p "$XDG_CONFIG_HOME/lightbox" "$T/bin"
cat >"$T/bin/broken" <<'EOF'
#!/bin/sh
printf 'model file not found: /models/x.gguf \033]52;c;aGk=\007 \033[2J\n' >&2
exit 3
EOF
# gated waits for a file, so a test decides when its job ends.
cat >"$T/bin/gated" <<EOF
#!/bin/sh
while [ ! -e "$T/go" ]; do sleep 0.05; done
printf 'gated: %s\n' "\$1"
EOF
chmod +x "$T/bin/broken" "$T/bin/gated"
cat >"$XDG_CONFIG_HOME/lightbox/config" <<EOF
backend broken type=exec modality=text command="$T/bin/broken {prompt}"
backend gated type=exec modality=text command="$T/bin/gated {prompt}"
EOF
mkstore

# form_job BACKEND-STEPS: the form with the backend Right N times, count 1.
form_job() {
	tm_keys R
	tm_wait_for 'Generate for brief #1' >/dev/null
	_i=0
	while [ $_i -lt "$1" ]; do tm_keys Right; _i=$((_i + 1)); done
	tm_keys Tab Tab C-u
	tm_type 1
	tm_keys Enter
}

open_brief 120 40 1
form_job 1
ok "a failed job is told with its reason" \
	tm_wait_for 'job #1 \(broken\) failed: .*broken exited with status 3: model file not found' 30
is "$(sql "SELECT state FROM job WHERE id = 1")" failed "the job failed in the store"
is "$(sql "SELECT count(*) FROM candidate WHERE job_id = 1")" 0 "and made nothing"
tm_keys J
ok "the job view lists it" tm_wait_for '^ +1 failed +generate +broken'
ok "with what it asked for" tm_wait_for 'job #1: generate with broken, 1 wanted'
ok "and its whole error" tm_wait_for 'error +.*model file not found: /models/x.gguf'
# exec already blanks control characters in what it keeps of stderr; a
# row written by another program may still hold them.
sql "UPDATE job SET error = error || ' ' || char(27) || ']52;c;aGk=' || char(7) || char(27) || '[2J' WHERE id = 1"
ok "escape sequences in an error are drawn visibly" tm_wait_for '\^\[\]52;c;aGk=\^G\^\[\[2J'
tm_keys r
ok "retry queues it again" tm_wait_for 'queued again 1 job'
ok "it runs and fails again, told again" tm_wait_for 'job #1 \(broken\) failed' 30
is "$(sql "SELECT state FROM job WHERE id = 1")" failed "failed again in the store"

# A running job: counted in the status line, then cancelled.
tm_keys Escape
tm_wait_for '\[candidates\]' >/dev/null
form_job 2
ok "the status line counts the running job" tm_wait_for '1 running' 30
tm_keys J
tm_wait_for '^ +2 running' >/dev/null
tm_keys x
ok "cancel says so" tm_wait_for 'cancelled 1 job'
ok "the job view shows it cancelled" tm_wait_for '^ +2 cancelled' 10
is "$(sql "SELECT state FROM job WHERE id = 2")" cancelled "cancelled in the store"

# Quitting with a job running puts it back in the queue.
tm_keys Escape
tm_wait_for '\[candidates\]' >/dev/null
form_job 2
tm_wait_for '1 running' 30 >/dev/null
is "$(sql "SELECT state FROM job WHERE id = 3")" running "job 3 runs"
tm_keys Q
ok "lightbox quits at once with a job running" tm_wait_for '^\[exited 0\]' 10
like "$(tm_screen)" '1 generation job stopped and 0 queued: they resume' "and says the job will resume"
is "$(sql "SELECT state FROM job WHERE id = 3")" queued "the job is queued again"

tm_stop
touch "$T/go"
open_brief 120 40 1
ok "the next start resumes it" tm_wait_for '1 new from job #3' 30
is "$(sql "SELECT state, (SELECT body FROM candidate WHERE job_id = 3) FROM job WHERE id = 3")" \
	"done|gated: Three lines about falling leaves and warm coffee" "and it is done in the store"
done_testing
