#!/bin/sh
# fingerprint-background.sh - import returns once its rows are in, and the
# pictures' fingerprints follow from a detached filler nobody runs by hand;
# one filler at a time per store (cache/fingerprint.lock): a second one
# leaves at once, doctor names the one at work, 'lightbox fingerprint'
# waits for it; a lock that cannot be taken does not keep them from being
# made.
. "$top_srcdir/tests/lib/tap.sh"
command -v flock >/dev/null || skip_all "flock (util-linux) is not installed"

plan 17
unset LIGHTBOX_TEST_FP_WAIT # the real thing: the filler is not waited for
lb init
lb project add P
lb brief add --project 1 --title Pictures
mkdir -p "$T/pics"
for i in 1 2 3 4 5 6; do mkpng "$T/pics/p$i.png" 96 64 $((i * 40)) 20 $((250 - i * 30)); done

# ---------------------------------------------------------------- after an import
ok "import" lb import "$T/pics" --brief 1
like "$(cat "$T/out")" "Fingerprints \\(for similar and stacks\\) are being made in the background" \
	"says the fingerprints follow in the background"
# nobody runs 'lightbox fingerprint': the filler the import started makes them
n=0
while [ "$(sql "SELECT count(fp) FROM fingerprint")" != 6 ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
is "$(sql "SELECT count(fp) FROM fingerprint")" 6 "the six fingerprints appear by themselves"
LOCK="$LIGHTBOX_STORE/cache/fingerprint.lock"
flock -w 30 "$LOCK" true
is "$(stat -c %a "$LOCK")" 600 "the lock is private in a private store"

# ---------------------------------------------------------------- one filler at a time
# another filler at work: bob's, holding the lock (flock(1) stands in for it)
printf 'bob\t4242\n' >"$LOCK"
flock "$LOCK" sh -c "while [ ! -e '$T/release' ]; do sleep 0.05; done" &
at_exit "touch '$T/release'"
n=0
while flock -n "$LOCK" true && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
mkpng "$T/late.png" 80 80 1 200 90
ok "a picture added while a filler is at work" lb candidate add --brief 1 "$T/late.png"
# its own filler found the lock held and left (the one at work takes the new
# file): gone at once, having made nothing
n=0
while pgrep -f "$LIGHTBOX_STORE fingerprint --background" >/dev/null && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
is "$(pgrep -f "$LIGHTBOX_STORE fingerprint --background" | wc -l)" 0 "the second filler is gone"
is "$(sql "SELECT count(*) FROM fingerprint")" 6 "... having made nothing: the one at work takes it"
ok "stacks" lb stacks 1
like "$(cat "$T/out")" "1 without a fingerprint \\(being made in the background: 'lightbox fingerprint' waits for them\\)" \
	"stacks says the missing fingerprint is on its way"
ok "doctor" lb doctor
like "$(cat "$T/out")" "being made in the background by bob \\(pid 4242\\)" "doctor names the filler at work"
# lightbox fingerprint waits for the one at work, then makes what is left
"$LIGHTBOX" fingerprint >"$T/fp.out" 2>"$T/fp.err" &
waiter=$!
n=0
while ! grep -q waiting "$T/fp.err" && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
like "$(cat "$T/fp.err")" "lightbox: fingerprint: waiting for the fingerprints being made in the background by bob \\(pid 4242\\)" \
	"lightbox fingerprint says whom it waits for"
is "$(sql "SELECT count(*) FROM fingerprint")" 6 "... and waits"
touch "$T/release"
wait $waiter
is "$?" 0 "it ends once the lock is free"
is "$(sql "SELECT count(fp) FROM fingerprint")" 7 "... having made the new one"

# a lock that cannot be taken at all (a folder in its place): the
# fingerprints are made all the same, by the command itself
rm -f "$LOCK"
mkdir "$LOCK"
mkpng "$T/odd.png" 70 70 9 9 200
ok "a picture added with the lock broken" lb candidate add --brief 1 "$T/odd.png"
is "$(sql "SELECT count(fp) FROM fingerprint")" 8 "its fingerprint is made all the same"
done_testing
