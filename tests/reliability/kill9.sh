#!/bin/sh
# kill -9 in the middle of a stream of ratings: every rating the command
# reported as saved is in the store, and the database is sound.
. "$top_srcdir/tests/lib/tap.sh"
plan 4

"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title b >/dev/null
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
     INSERT INTO candidate (brief_id, revision_id, modality, body, created)
     SELECT 1, 1, 'text', 'candidate ' || i, 0 FROM n;"
awk 'BEGIN { for (i = 1; i <= 20000; i++) print i, i % 6 }' > "$T/in"

"$LIGHTBOX" rate - <"$T/in" >"$T/acked" 2>"$T/err" &
pid=$!
# Wait until it is well under way, then kill it without warning.
n=0
while [ "$(grep -c '^saved' "$T/acked" 2>/dev/null)" -lt 500 ] && [ $n -lt 300 ]; do
	sleep 0.02
	n=$((n + 1))
done
kill -9 $pid
wait $pid 2>/dev/null
acked=$(grep -c '^saved' "$T/acked")
echo "# acknowledged before the kill: $acked of 20000"
ok "the process was killed mid-stream" test "$acked" -gt 0 -a "$acked" -lt 20000
missing=$(grep '^saved' "$T/acked" | while read -r _ id stars; do echo "$id $stars"; done | sort >"$T/want";
	sql "SELECT candidate_id || ' ' || stars FROM rating" | sort >"$T/have";
	comm -23 "$T/want" "$T/have" | wc -l)
is "$missing" "0" "every acknowledged rating survived"
is "$(sql 'PRAGMA integrity_check')" "ok" "integrity_check says ok"
ok "the store opens and works after the crash" "$LIGHTBOX" rate 1 5
done_testing
