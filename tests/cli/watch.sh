#!/bin/sh
# watch.sh - import FOLDER --watch (issue 16 item 1): each new file is
# imported once it is complete (closed by its writer, or moved in); a
# file written slowly is never read half-written; a burst goes in in
# batches; what arrived while no watch ran is taken at the next start;
# Ctrl-C exits 0 with a count; doctor lists the running watch.
. "$top_srcdir/tests/lib/tap.sh"

plan 27
cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add P >/dev/null
"$LIGHTBOX" brief add --project 1 --title Pictures >/dev/null
mkdir in elsewhere
mkpng in/before.png 16 16 1 2 3

count() { sql "SELECT count(*) FROM candidate WHERE brief_id = 1"; }
# wait_count N: until the brief has N candidates (30 s at most).
wait_count() {
	_i=0
	while [ "$(count)" -lt "$1" ] && [ $_i -lt "${WATCH_WAIT:-300}" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(count)" -ge "$1" ]
}
# start: a watch in the background, its output in $T/w.out and $T/w.err.
start() {
	"$LIGHTBOX" import in --brief 1 --watch >"$T/w.out" 2>"$T/w.err" &
	WPID=$!
	at_exit "kill $WPID"
	# Until its Ctrl-C handler is in place (a background job of a
	# script starts with SIGINT ignored).
	_i=0
	while ! grep -q '^lightbox: import: watching' "$T/w.err" && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
stop() {
	kill -INT "$WPID"
	wait "$WPID"
}
# asset_of NAME: the size and sha256 stored for the candidate from in/NAME.
asset_of() {
	sql "SELECT a.bytes || ' ' || a.sha256 FROM candidate c JOIN asset a ON a.id = c.asset_id
	     WHERE c.source LIKE '%/$1'"
}
file_facts() { echo "$(stat -c %s "$1") $(sha256sum <"$1" | cut -d' ' -f1)"; }

start
ok "a file already in the folder is taken by the walk at start" wait_count 1

# slowpng FILE SEED: a 200x200 PNG written in three pieces, one second
# apart, through one open descriptor.
cat >"$T/slowpng.py" <<'PY'
import os, struct, sys, time, zlib
path, seed = sys.argv[1], int(sys.argv[2])
w = h = 200
raw = b"".join(b"\0" + b"".join(bytes(((x + seed) % 251, y % 241, (x * y) % 239)) for x in range(w))
               for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b""))
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "wb") as f:
    third = len(data) // 3
    for part in (data[:third], data[third:2 * third], data[2 * third:]):
        f.write(part)
        f.flush()
        time.sleep(1)
PY
python3 "$T/slowpng.py" in/slow.png 1
ok "a file written in pieces, a second apart, is taken once complete" wait_count 2
is "$(asset_of slow.png)" "$(file_facts in/slow.png)" "the stored bytes are the whole file"
is "$(sql "SELECT count(*) FROM candidate WHERE source LIKE '%/slow.png'")" 1 "and it is taken once"

# A new folder with a file still being written in it: the folder's walk
# leaves the file alone (its writer holds it open); its close brings it in.
python3 "$T/slowpng.py" in/sub/growing.png 2
ok "a file growing in a new folder is taken once complete" wait_count 3
is "$(asset_of growing.png)" "$(file_facts in/sub/growing.png)" "whole, not as the folder's walk saw it"
is "$(sql "SELECT count(*) FROM candidate WHERE source LIKE '%/growing.png'")" 1 "and once"

mkpng elsewhere/moved.png 24 24 9 9 9
mv elsewhere/moved.png in/moved.png
ok "a file moved in is taken" wait_count 4
printf 'some notes\n' >in/notes.txt
mkpng in/after-notes.png 8 8 4 4 4
wait_count 5
is "$(sql "SELECT count(*) FROM candidate WHERE source LIKE '%notes.txt'")" 0 \
	"a text file in the folder of a picture brief is left out, as a walk leaves it out"

# A burst: 500 files written at once.
python3 - <<'PY'
import struct, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
for i in range(500):
    raw = b"".join(b"\0" + bytes((i % 256, i // 256, 7)) * 4 for _ in range(4))
    open("in/burst-%03d.png" % i, "wb").write(b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
ok "a burst of 500 files is taken" wait_count 505
adds=$(sql "SELECT count(*) FROM event WHERE action = 'candidate-add' AND json_extract(after, '$.count') > 1")
batches=$(sql "SELECT count(*) FROM event WHERE action = 'candidate-add'")
ok "in batches: several files to a transaction ($batches transactions for 505 files)" \
	test "$adds" -ge 1 -a "$batches" -le 60
is "$(sql "SELECT max(json_extract(after, '$.count')) <= 256 FROM event WHERE action = 'candidate-add'")" 1 \
	"no batch holds more than 256 files"

"$LIGHTBOX" doctor >"$T/doc" 2>&1
like "$(cat "$T/doc")" "watches +$T/in for brief 1, by alice \\(pid $WPID\\)" "doctor lists the running watch"

stop
is "$?" 0 "Ctrl-C ends the watch with status 0"
like "$(cat "$T/w.out")" "^Watched in: imported 505 files into brief 1" "and says how many it imported"
is "$(grep -v '^lightbox: import: watching in for brief 1' "$T/w.err")" "" \
	"no file was refused: none was read half-written (a truncated PNG would be)"
"$LIGHTBOX" doctor >"$T/doc" 2>&1
like "$(cat "$T/doc")" "watches +none" "doctor lists no watch once it stopped"
is "$(ls "$LIGHTBOX_STORE/cache" | grep -c '^watch-')" 0 "the watch's registration file is gone"

# While stopped: a file arrives.  The next start takes it, and only it.
mkpng in/while-stopped.png 12 12 200 100 50
start
ok "a restart takes what arrived while it was stopped" wait_count 506
stop
is "$?" 0 "the second watch ends with status 0 too"
like "$(cat "$T/w.out")" "imported 1 file into brief 1: 1 new, 505 already in" "the rest is recognised as already in"
is "$(sql "SELECT count(*) FROM candidate")" 506 "no file was imported twice"

fails "--watch names one folder" 2 "$LIGHTBOX" import in elsewhere --brief 1 --watch
fails "--watch of a file is refused" 1 "$LIGHTBOX" import in/before.png --brief 1 --watch
like "$(cat "$T/.out")" "not a folder" "and says the path is not a folder"
fails "watching the store's own folder is refused" 1 "$LIGHTBOX" import "$LIGHTBOX_STORE" --brief 1 --watch
like "$(cat "$T/.out")" "it is the store's own folder" "and says why"
done_testing
