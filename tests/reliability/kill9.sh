#!/bin/sh
# kill9.sh - what a stream of ratings keeps when it is stopped dead.
#
# 1. kill -9 mid-stream (the process dies, the machine does not): every
#    rating `rate -` acknowledged is in the store and the database is
#    sound.  This proves the acknowledgement comes after the commit; it
#    says nothing of the disk, since the kernel still holds the writes.
# 2. A power cut with `LIGHTBOX_SYNC=full`: the same stream runs under
#    powercut.so (an LD_PRELOAD library that records every write to the
#    store and every fsync), is killed, and powercut.py then undoes each
#    write that no fsync of its file followed, as a power cut at that
#    moment would lose it.  Every acknowledged rating must survive that
#    too: this is durability.
# 3. The same power cut with the default `sync normal`: acknowledged
#    ratings since the last checkpoint may be lost (SQLite's WAL is synced
#    at checkpoints only), but the database stays sound and what survives
#    is an unbroken run of the first acknowledged ratings, never a gap.
#
# The power cut modelled is the harshest clean one: every write not
# synced is lost, every synced write is whole.  Torn sectors and a disk
# that reorders synced writes are not modelled.
. "$top_srcdir/tests/lib/tap.sh"
plan 12

SHIM="$top_builddir/tests/reliability/powercut.so"
[ -f "$SHIM" ] || { echo "Bail out! $SHIM is not built (make check builds it)"; exit 1; }

# A store with a brief of 100,000 text candidates, and the ratings to give.
make_store() {
	rm -rf "$LIGHTBOX_STORE"
	"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
		"$LIGHTBOX" brief add --project 1 --title b >/dev/null
	sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
	     INSERT INTO candidate (brief_id, revision_id, modality, body, created)
	     SELECT 1, 1, 'text', 'candidate ' || i, 0 FROM n;"
}
awk 'BEGIN { for (i = 1; i <= 100000; i++) print i, i % 6 }' >"$T/in"

# stream_and_kill [ENV...]: runs `rate -` (with the environment given),
# waits until it has acknowledged 300 ratings however loaded the machine,
# and kills it without warning.  Sets acked.
stream_and_kill() {
	: >"$T/acked"
	env "$@" "$LIGHTBOX" rate - <"$T/in" >"$T/acked" 2>"$T/err" &
	pid=$!
	n=0
	while [ "$(grep -c '^saved' "$T/acked" 2>/dev/null)" -lt 300 ] && [ $n -lt 1200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	kill -9 $pid
	wait $pid 2>/dev/null
	acked=$(grep -c '^saved' "$T/acked")
}

# The acknowledged ratings that are not in the store, as a count.
missing() {
	grep '^saved' "$T/acked" | while read -r _ id stars; do echo "$id $stars"; done | sort >"$T/want"
	sql "SELECT candidate_id || ' ' || stars FROM rating" | sort >"$T/have"
	comm -23 "$T/want" "$T/have" | wc -l
}

# Runs the stream under the power-cut library and cuts the power.
powercut() {
	rm -f "$T/powercut.log"
	stream_and_kill LD_PRELOAD="$SHIM${LD_PRELOAD:+ $LD_PRELOAD}" POWERCUT_DIR="$LIGHTBOX_STORE" \
		POWERCUT_LOG="$T/powercut.log" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
	"${PYTHON3:-python3}" "$top_srcdir/tests/reliability/powercut.py" "$T/powercut.log" >"$T/undone"
	echo "# $(cat "$T/undone")"
}

# --- 1. kill -9
make_store
stream_and_kill
echo "# acknowledged before the kill: $acked of 100000"
ok "the process was killed mid-stream" test "$acked" -gt 0 -a "$acked" -lt 100000
is "$(missing)" "0" "every acknowledged rating survived"
is "$(sql 'PRAGMA integrity_check')" "ok" "integrity_check says ok"
ok "the store opens and works after the crash" "$LIGHTBOX" rate 1 5

# --- 2. a power cut, sync full
make_store
powercut LIGHTBOX_SYNC=full
echo "# acknowledged before the power cut: $acked"
ok "sync full: killed mid-stream" test "$acked" -gt 0 -a "$acked" -lt 100000
ok "sync full: the power-cut library saw the store's writes and syncs" \
	grep -Eq '^undone [0-9]+ writes, [1-9][0-9]* were synced' "$T/undone"
is "$(missing)" "0" "sync full: every acknowledged rating survived the power cut"
is "$(sql 'PRAGMA integrity_check')" "ok" "sync full: integrity_check says ok"

# --- 3. a power cut, sync normal
make_store
powercut
lost=$(missing)
echo "# sync normal: $lost of $acked acknowledged ratings lost in the power cut"
is "$(sql 'PRAGMA integrity_check')" "ok" "sync normal: integrity_check says ok"
is "$(sql 'PRAGMA foreign_key_check')" "" "sync normal: foreign keys hold"
# In the order they were acknowledged, the survivors come first.
is "$(awk 'NR == FNR { have[$0] = 1; next }
	/^saved/ { if (($2 " " $3) in have) { if (gap) bad++ } else gap++ }
	END { print bad ? bad " survived after a lost one" : "no gap" }' "$T/have" "$T/acked")" "no gap" \
	"sync normal: what survived is the first ratings acknowledged, without a gap"
ok "sync normal: the store opens and works after the power cut" "$LIGHTBOX" rate 1 5
done_testing
