#!/bin/sh
# busy.sh - the busy policy's batch side: a command that finds the store
# locked waits, and says who holds it when the holder announced itself
# (cache/writer-PID), else "another process"; an announcement whose
# process is gone is stale: ignored and removed.
. "$(dirname "$0")/../lib/tap.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"
plan 9
DB="$LIGHTBOX_STORE/lightbox.db"
HOLD="$top_srcdir/tests/lib/holdlock.py"
lb init && lb project add "P" && lb brief add --project 1 --title "B" --modality text --prompt "p" &&
	lb candidate add --brief 1 --text "one" || { echo "# setup failed"; cat "$T/err"; exit 1; }
wait_ready() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}

python3 "$HOLD" "$DB" "$T/ready1" 2.5 &
HOLDER=$!
wait_ready "$T/ready1"
ok "rate waits for the lock and then saves" lb rate 1 3
like "$(cat "$T/err")" '^lightbox: rate: an import by bob \(pid [0-9]+\) is writing to the store; waiting$' \
	"it said who held the lock while it waited"
is "$(sqlite3 "$DB" "SELECT stars FROM rating WHERE candidate_id = 1")" 3 "the rating is in the store"
wait $HOLDER

# A stale announcement: its process is gone.
sh -c 'echo $$' >"$T/deadpid"
DEAD=$(cat "$T/deadpid")
mkdir -p "$LIGHTBOX_STORE/cache"
printf 'carol\t%s\tan export\n' "$DEAD" >"$LIGHTBOX_STORE/cache/writer-$DEAD"
HOLD_QUIET=1 python3 "$HOLD" "$DB" "$T/ready2" 2.5 &
HOLDER=$!
wait_ready "$T/ready2"
ok "a holder that did not announce itself is waited for too" lb rate 1 4
like "$(cat "$T/err")" '^lightbox: rate: another process is writing to the store; waiting$' \
	"it is called another process"
unlike "$(cat "$T/err")" 'carol' "a stale announcement is not believed"
ok "and it is removed" test ! -e "$LIGHTBOX_STORE/cache/writer-$DEAD"
wait $HOLDER

# No wait, no message.
ok "an unlocked store saves at once" lb rate 1 5
is "$(cat "$T/err")" "" "and says nothing"
