#!/bin/sh
# test-exec.sh - the exec backend: an argv template run without a shell,
# placeholders replaced as data (a prompt full of shell syntax stays one
# argument and nothing in it runs), one run per candidate with its seed or
# one run for all with {n}, text from standard output, variations through
# {init}, and every way a command can go wrong.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

BIN="$T/bin"
mkdir -p "$BIN"
export ARGV_LOG="$T/argv.log" FIXTURE="$T/fixture.png"
mkpng "$FIXTURE" 20 10 200 30 30
cat >"$BIN/fake-gen" <<'EOF'
#!/bin/sh
# Logs its arguments (NUL-separated, a newline after each run) and copies
# a picture (or its --init) to the -o path; with --n writes that many files.
for a in "$@"; do printf '%s\0' "$a"; done >>"$ARGV_LOG"
printf '\n' >>"$ARGV_LOG"
out= init= n=
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift ;;
	--init) init=$2; shift ;;
	--n) n=$2; shift ;;
	esac
	shift
done
if [ -n "$n" ]; then
	i=1
	while [ "$i" -le "$n" ]; do cp "$FIXTURE" "picture-$i.png"; printf 'x' >>"picture-$i.png"; i=$((i + 1)); done
	exit 0
fi
cp "${init:-$FIXTURE}" "$out"
EOF
cat >"$BIN/failing" <<'EOF'
#!/bin/sh
echo "loading model..." >&2
echo "error: CUDA device not found" >&2
exit 3
EOF
cat >"$BIN/writes-text" <<'EOF'
#!/bin/sh
echo "not a picture" >"$1"
EOF
chmod +x "$BIN"/*
HOSTILE='$(touch pwned); rm -rf ~ "'"'"'`touch pwned2` ; echo hi > pwned3 | cat && sleep 9 {seed}'
CONF="$XDG_CONFIG_HOME/lightbox/config"
backends_config \
	"backend fake type=exec command=\"$BIN/fake-gen --prompt {prompt} --neg={negative} --seed {seed} --size {width}x{height} -o {out}\"" \
	"backend batch type=exec command=\"$BIN/fake-gen --n {n} --prompt {prompt}\"" \
	"backend vary type=exec command=\"$BIN/fake-gen --init {init} -o {out} --prompt {prompt}\"" \
	"backend say type=exec modality=text command=\"printf %s {prompt}\"" \
	"backend fail type=exec command=\"$BIN/failing {out}\"" \
	"backend slow type=exec modality=text command=\"sleep 31.25\" timeout=1" \
	"backend lazy type=exec command=\"true {out}\"" \
	"backend texty type=exec command=\"$BIN/writes-text {out}\"" \
	"backend missing type=exec command=\"no-such-program-lb {out}\"" \
	"backend typo type=exec command=\"$BIN/fake-gen {promtp} -o {out}\"" \
	"backend noout type=exec command=\"$BIN/fake-gen {prompt}\""
setup_store
plan 26

lb backends
like "$(cat "$T/err")" "$CONF:10: backend typo: unknown placeholder \\{promtp\\} in the command" \
	"an unknown placeholder is an error at its line"
like "$(cat "$T/err")" "$CONF:11: backend noout: the command must write its result to \\{out\\}" \
	"a picture command without {out} is an error"

lb gen 1 --backend fake -n 2 --seed 3+
is "$?" 0 "one run per candidate"
is "$(count "SELECT group_concat(seed) FROM candidate WHERE backend = 'fake'")" "3,4" "each run got its seed"
py - "$ARGV_LOG" >"$T/args" <<'PY'
import sys
for run in open(sys.argv[1], "rb").read().split(b"\n"):
    if run:
        print(run.split(b"\0")[:-1])
PY
like "$(head -1 "$T/args")" "\\[b'--prompt', b'a lighthouse at dusk', b'--neg=blurry', b'--seed', b'3', b'--size', b'64x48', b'-o', b'.*/cache/jobs/job-1-[A-Za-z0-9]{6}/out-1.png'\\]" \
	"the words were filled in place, the output in a private folder in the store"

: >"$ARGV_LOG"
lb gen 1 --backend fake --prompt "$HOSTILE"
is "$?" 0 "a prompt full of shell syntax"
py - "$ARGV_LOG" "$HOSTILE" <<'PY' >"$T/hostile"
import sys
args = open(sys.argv[1], "rb").read().split(b"\n")[0].split(b"\0")[:-1]
print("one-argument" if args[1] == sys.argv[2].encode() and len(args) == 9 else "split: %r" % args)
PY
is "$(cat "$T/hostile")" "one-argument" "reaches the command as one argument, unchanged"
ok "nothing in it was executed" sh -c '! find "$1" -name "pwned*" | grep -q . && test -d "$HOME"' sh "$T"
is "$(count "SELECT prompt FROM candidate WHERE id = (SELECT max(id) FROM candidate)")" "$HOSTILE" \
	"the one-off prompt is recorded as given"

lb gen 1 --backend batch -n 3
is "$(count "SELECT count(*) FROM candidate WHERE backend = 'batch'")" 3 "with {n}: one run makes all"
like "$(count "SELECT params FROM candidate WHERE backend = 'batch' LIMIT 1")" '"file":"picture-1.png"' \
	"the file each came from is recorded"

lb gen --variation-of 1 --backend vary
is "$(count "SELECT parent_id FROM candidate WHERE backend = 'vary'")" 1 "a variation through {init} links to its parent"

lb gen 2 --backend say --prompt "Harbour nights, poured slow"
is "$(count "SELECT body FROM candidate WHERE backend = 'say'")" "Harbour nights, poured slow" \
	"a text command's standard output is the candidate"
lb gen 2 --backend say --prompt "$HOSTILE"
is "$(count "SELECT body FROM candidate WHERE id = (SELECT max(id) FROM candidate)")" "$HOSTILE" \
	"printed back literally"

lb gen 1 --backend fail
like "$(count "SELECT error FROM job WHERE backend = 'fail'")" "failing exited with status 3: error: CUDA device not found" \
	"a failing command: its status and last error line"
lb gen 2 --backend slow
like "$(count "SELECT error FROM job WHERE backend = 'slow'")" "sleep did not finish within timeout=1 s and was stopped" \
	"a command past its timeout is stopped"
ok "and is gone" sh -c "! pgrep -f 'sleep 31[.]25' >/dev/null"
lb gen 1 --backend lazy
like "$(count "SELECT error FROM job WHERE backend = 'lazy'")" "true exited 0 but wrote no file \\(it should write to \\{out\\}\\)" \
	"a command that writes nothing"
lb gen 1 --backend texty
like "$(count "SELECT error FROM job WHERE backend = 'texty'")" "wrote out-1.png, which is text/plain, where an image was expected" \
	"a command that writes the wrong kind of file"
lb gen 1 --backend missing
like "$(count "SELECT error FROM job WHERE backend = 'missing'")" "program 'no-such-program-lb' is not found in \\\$PATH" \
	"a program that does not exist"
is "$(count "SELECT count(*) FROM candidate WHERE backend IN ('fail', 'slow', 'lazy', 'texty', 'missing')")" 0 \
	"failed commands leave no candidate"
is "$(find "$LIGHTBOX_STORE/cache/jobs" -mindepth 1 | head -3)" "" "the private folders are removed"
ok "nothing written outside the store but by the test's own tools" sh -c 'test -z "$(find "$1/cwd" "$1/tmp" "$HOME" -mindepth 1 | head -1)"' sh "$T"
ok "every candidate's file exists" candidates_whole
is "$(count "SELECT count(*) FROM job WHERE state = 'failed'")" 5 "five jobs failed, as they should"
is "$(count "SELECT count(*) FROM job WHERE state = 'done'")" 6 "six jobs are done"
done_testing
