#!/bin/sh
# test-exec-streams.sh - what an exec command prints and leaves behind:
# standard output over the inline limit (8 MiB) becomes an asset file, not
# a body; over max-reply the job fails and keeps nothing; 10 MB on stderr
# is read to the end (a bounded tail is kept for the message); background
# children, setsid children and double-forked daemons are gone once the
# job ends, with the run's cgroup and without it (the keeper's subreaper
# fallback, LIGHTBOX_NO_CGROUP=1).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

# The test runs in a cgroup of its own where it may make one (as root, or
# where delegated), so the runs' cgroups it looks for at the end are its
# own, not those of tests running beside it.
CG=
cg_own=$(sed -n 's/^0:://p' /proc/self/cgroup 2>/dev/null)
cg_mnt=$(awk '/ - cgroup2 / {print $5; exit}' /proc/self/mountinfo 2>/dev/null)
if [ -n "$cg_own" ] && [ -n "$cg_mnt" ]; then
	cg_parent=$cg_mnt${cg_own%/}
	if mkdir "$cg_parent/lbtest-$$" 2>/dev/null; then
		if echo $$ >"$cg_parent/lbtest-$$/cgroup.procs" 2>/dev/null; then
			CG=$cg_parent/lbtest-$$
			at_exit "echo \$\$ >'$cg_parent/cgroup.procs'; rmdir '$CG'/lightbox-* '$CG'"
		else
			rmdir "$cg_parent/lbtest-$$"
		fi
	fi
fi

BIN="$T/bin"
mkdir -p "$BIN"
cat >"$BIN/big-text" <<'EOF'
#!/bin/sh
# Prints $1 bytes of text: lines of 99 letters.
py=$(command -v python3)
exec "$py" -I -S -c '
import sys
n = int(sys.argv[1]); line = b"a" * 98 + b"\n"; out = sys.stdout.buffer
while n > 0:
    out.write(line[:n] if n < len(line) else line); n -= len(line)
' "$1"
EOF
cat >"$BIN/noisy" <<'EOF'
#!/bin/sh
# 10 MB on stderr, then a short text on stdout.
head -c 10485760 /dev/zero | tr '\0' 'e' >&2
echo >&2
echo "last words on stderr" >&2
printf 'quiet text'
EOF
cat >"$BIN/leaves" <<'EOF'
#!/bin/sh
# Leaves a background child, a setsid child and a double-forked daemon,
# writes their pids to $1, prints a text and exits 0 at once.
sleep 600 </dev/null >/dev/null 2>&1 &
echo "$!" >"$1.bg"
setsid sleep 601 </dev/null >/dev/null 2>&1 &
echo "$!" >"$1.sid"
(setsid sh -c 'sleep 602 </dev/null >/dev/null 2>&1 & echo $! >"$0.daemon"' "$1" &)
i=0
while [ ! -s "$1.daemon" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
printf 'left some children'
EOF
chmod +x "$BIN"/*
backends_config \
	"backend big type=exec modality=text command=\"$BIN/big-text 9000000\"" \
	"backend small type=exec modality=text command=\"$BIN/big-text 5000\"" \
	"backend cut type=exec modality=text max-reply=1 command=\"$BIN/big-text 3000000\"" \
	"backend noisy type=exec modality=text timeout=30 command=\"$BIN/noisy\"" \
	"backend leaves type=exec modality=text command=\"$BIN/leaves $T/pids\""
setup_store
plan 18

lb gen 2 --backend big
is "$?" 0 "a command printing 9 MB of text finishes"
is "$(count "SELECT count(*) FROM candidate WHERE backend = 'big' AND body IS NULL AND asset_id IS NOT NULL")" 1 \
	"text over the inline limit is an asset, not a body"
is "$(count "SELECT a.bytes || ' ' || a.media_type FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.backend = 'big'")" \
	"9000000 text/plain" "the whole text is in the asset"
ok "the asset file is there" candidates_whole

lb gen 2 --backend small
is "$(count "SELECT length(body) FROM candidate WHERE backend = 'small' AND asset_id IS NULL")" 5000 \
	"short text stays a body"

lb gen 2 --backend cut
is "$?" 1 "a command printing more than max-reply fails"
like "$(count "SELECT error FROM job WHERE backend = 'cut'")" \
	"big-text printed more than max-reply \\(1 MiB\\) on its standard output, so it was stopped and nothing is kept" \
	"the job says it was cut and why"
is "$(count "SELECT count(*) FROM candidate WHERE backend = 'cut'")" 0 "and keeps nothing"

lb gen 2 --backend noisy
is "$?" 0 "10 MB on stderr is read to the end"
is "$(count "SELECT body FROM candidate WHERE backend = 'noisy'")" "quiet text" "stdout is kept apart from stderr"

gone() {
	for f in bg sid daemon; do
		p=$(cat "$T/pids.$f" 2>/dev/null) || { echo "no $f pid"; return 1; }
		# A zombie is gone too: only a live process counts.
		st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)
		if [ -n "$st" ] && [ "$st" != Z ]; then echo "$f ($p) lives: $st"; return 1; fi
	done
	return 0
}
lb gen 2 --backend leaves
is "$?" 0 "a command that leaves children succeeds"
ok "its background, setsid and daemon children are gone (cgroup where delegated)" gone
rm -f "$T"/pids.*
LIGHTBOX_NO_CGROUP=1 lb gen 2 --backend leaves
is "$?" 0 "the same without a cgroup"
ok "its children are gone all the same (the keeper, a subreaper)" gone
# A run's cgroup is lightbox-PID-jobN-RUN: one whose lightbox process has
# ended was left behind.  In a cgroup of the test's own only its runs'
# are looked at; else other tests' live runs may have theirs meanwhile.
left_cgroups() {
	find "${CG:-/sys/fs/cgroup}" -maxdepth 6 -name "lightbox-*" 2>/dev/null | while read -r cg; do
		pid=$(basename "$cg" | cut -d- -f2)
		kill -0 "$pid" 2>/dev/null || echo "$cg"
	done
}
is "$(left_cgroups)" "" "no cgroup of ours is left"
if [ -n "$CG" ]; then
	# A runner killed with -9 cannot remove its run's cgroup: the next run
	# of any lightbox in the same cgroup sweeps it (no live process has
	# this pid: it is above pid_max).
	mkdir "$CG/lightbox-2147483646-job1-0"
	lb gen 2 --backend small
	is "$(left_cgroups)" "" "a dead runner's cgroup is swept by the next run"
else
	ok "# SKIP no cgroup of the test's own here" true
fi
is "$(find "$LIGHTBOX_STORE/cache/jobs" -mindepth 1 | head -3)" "" "the private folders are removed"
ok "nothing written outside the store but by the test's own tools" outside_clean
done_testing
