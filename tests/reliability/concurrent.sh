#!/bin/sh
# Four curators rate 2,000 different candidates each on one store at the
# same time: every one of the 8,000 ratings is there, and no process saw
# an error (WAL + busy timeout + BEGIN IMMEDIATE).
. "$top_srcdir/tests/lib/tap.sh"
plan 6

"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title b >/dev/null
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
     INSERT INTO candidate (brief_id, revision_id, modality, body, created)
     SELECT 1, 1, 'text', 'candidate ' || i, 0 FROM n;"
is "$(sql 'SELECT count(*) FROM candidate')" "8000" "8,000 candidates"

for w in 0 1 2 3; do
	awk -v w=$w 'BEGIN { for (i = 1; i <= 2000; i++) print w * 2000 + i, (i + w) % 6 }' > "$T/in.$w"
	LIGHTBOX_CURATOR="curator$w" "$LIGHTBOX" rate - <"$T/in.$w" >"$T/out.$w" 2>"$T/err.$w" &
	eval "pid$w=\$!"
done
st=0
for w in 0 1 2 3; do
	eval "wait \$pid$w" || st=1
done
is "$st" "0" "all four processes exited 0"
is "$(cat "$T"/err.* | wc -l)" "0" "no process printed an error"
is "$(cat "$T"/out.* | grep -c '^saved')" "8000" "8,000 ratings acknowledged"
is "$(sql 'SELECT count(*), count(DISTINCT curator) FROM rating')" "8000|4" "8,000 ratings from 4 curators stored"
is "$(sql "SELECT count(*) FROM event WHERE action = 'rate'")" "8000" "each with its audit event"
done_testing
