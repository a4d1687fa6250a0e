#!/bin/sh
# runner-blocked.sh - a queued job whose runner cannot start says why on
# the status line (it once said "no runner" and nothing more), and the
# store is private by default: the folder 0700, the files 0600.
. "$(dirname "$0")/lib.sh"

plan 4
mkstore
is "$(stat -c %a "$LIGHTBOX_STORE" "$LIGHTBOX_STORE/lightbox.db" | tr '\n' ' ')" "700 600 " \
	"a new store is private: folder 0700, database 0600"
lbq gen 2 --backend builtin --no-wait
# The runners' lock folder cannot be made: a file in its place.
mkdir -p "$LIGHTBOX_STORE/cache"
: >"$LIGHTBOX_STORE/cache/runners"
tm_start 200 24 "$LIGHTBOX"
ok "the message line says the runner did not start, and why" \
	tm_wait_for "the job runner did not start \(cannot create .*/cache/runners: (File exists|Not a directory)\)"
ok "the status line counts the job and says why no runner runs it" \
	tm_wait_for "1 queued \(no runner: cannot create .*cache/runners: (File exists|Not a directory)\)"
is "$(sql "SELECT state FROM job")" queued "the job stays queued"
done_testing
