#!/bin/sh
# kill -9 in the middle of a stream of ratings: every rating the command
# reported as saved is in the store, and the database is sound.
. "$top_srcdir/tests/lib/tap.sh"
plan 4

"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title b >/dev/null
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
     INSERT INTO candidate (brief_id, revision_id, modality, body, created)
     SELECT 1, 1, 'text', 'candidate ' || i, 0 FROM n;"
awk 'BEGIN { for (i = 1; i <= 100000; i++) print i, i % 6 }' > "$T/in"

"$LIGHTBOX" rate - <"$T/in" >"$T/acked" 2>"$T/err" &
pid=$!
# Wait until it is well under way (however loaded the machine), then
# kill it without warning.
n=0
while [ "$(grep -c '^saved' "$T/acked" 2>/dev/null)" -lt 300 ] && [ $n -lt 1200 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -9 $pid
wait $pid 2>/dev/null
acked=$(grep -c '^saved' "$T/acked")
echo "# acknowledged before the kill: $acked of 100000"
ok "the process was killed mid-stream" test "$acked" -gt 0 -a "$acked" -lt 100000
missing=$(grep '^saved' "$T/acked" | while read -r _ id stars; do echo "$id $stars"; done | sort >"$T/want";
	sql "SELECT candidate_id || ' ' || stars FROM rating" | sort >"$T/have";
	comm -23 "$T/want" "$T/have" | wc -l)
is "$missing" "0" "every acknowledged rating survived"
is "$(sql 'PRAGMA integrity_check')" "ok" "integrity_check says ok"
ok "the store opens and works after the crash" "$LIGHTBOX" rate 1 5
done_testing
