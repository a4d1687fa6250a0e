#!/bin/sh
# A full disk (simulated with a file-size limit: writes past it fail with
# EFBIG, as they would with ENOSPC) loses nothing: the command fails with a
# clear line, no half-written asset or row is left, and what was there stays.
. "$top_srcdir/tests/lib/tap.sh"
plan 7

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title b >/dev/null
mkpng small.png 4 4 1 2 3
"$LIGHTBOX" candidate add --brief 1 small.png >/dev/null
"$LIGHTBOX" rate 1 4 >/dev/null
yes "a long generated text, line after line" | head -c 3000000 > big.txt
before=$(sql 'SELECT count(*) FROM candidate; SELECT count(*) FROM asset; SELECT count(*) FROM event' | tr '\n' ' ')

# The limit applies to files this process writes; SIGXFSZ is ignored so the
# write fails with EFBIG instead of killing the process.
(trap '' XFSZ; ulimit -f 1024; exec "$LIGHTBOX" candidate add --brief 1 big.txt) >"$T/out" 2>"$T/err"
is "$?" "1" "adding a file that does not fit fails"
like "$(cat "$T/err")" "big.txt: cannot copy big.txt into the store: File too large" "with a line that says why"
is "$(sql 'SELECT count(*) FROM candidate; SELECT count(*) FROM asset; SELECT count(*) FROM event' | tr '\n' ' ')" \
	"$before" "no row was written"
is "$(find "$LIGHTBOX_STORE/assets" -type f | wc -l)" "1" "no half-written file is left in assets/"
is "$(sql 'PRAGMA integrity_check')" "ok" "the database is sound"
is "$(sql "SELECT stars FROM rating WHERE candidate_id = 1")" "4" "earlier work is intact"
ok "the store works once there is room" "$LIGHTBOX" candidate add --brief 1 big.txt
done_testing
