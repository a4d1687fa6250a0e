#!/bin/sh
# bench-import-link.sh - issue 16's figures: `import --link` of 800 files of
# 3 MB against `cp -l` (and against a plain import, which copies), and a
# watch's latency from a file's close_write to its candidate row in the
# store.  Prints figures; asserts nothing.  BENCH_LINK_N=100 tries it
# smaller; BENCH_LINK_DIR puts the files elsewhere (same filesystem as
# the store, or --link copies).
set -eu
: "${LIGHTBOX:=$(cd "$(dirname "$0")/../.." && pwd)/lightbox}"
N=${BENCH_LINK_N:-800}
W=$(mktemp -d "${BENCH_LINK_DIR:-${TMPDIR:-/tmp}}/lbbench-link.XXXXXX")
trap 'kill $WPID 2>/dev/null || true; rm -rf "$W"' EXIT
WPID=
export LIGHTBOX_STORE="$W/store" LIGHTBOX_CURATOR=bench XDG_CONFIG_HOME="$W/config" HOME="$W/home"
mkdir -p "$W/src" "$HOME"
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add Bench >/dev/null
"$LIGHTBOX" brief add --project 1 --title Linked >/dev/null
"$LIGHTBOX" brief add --project 1 --title Copied >/dev/null
"$LIGHTBOX" brief add --project 1 --title Watched >/dev/null

# N distinct PNGs of 3 MB (1024x1024 RGB, stored uncompressed).
python3 - "$W/src" "$N" <<'PY'
import os, struct, sys, zlib
out, n = sys.argv[1], int(sys.argv[2])
w, h = 1024, 1024
row = bytes(range(256)) * (w * 3 // 256)
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
base = bytearray(b"".join(b"\0" + row for _ in range(h)))
for i in range(n):
    base[1:9] = struct.pack(">Q", i)
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(base), 0)) + chunk(b"IEND", b""))
    with open(os.path.join(out, "f%04d.png" % i), "wb") as f:
        f.write(data)
PY
sync
mb=$(du -sm "$W/src" | cut -f1)
now() { date +%s.%N; }
el() { echo "$2 - $1" | bc; }

used() { df -m --output=used "$W" | tail -1; }
echo "$N files, $mb MB, on $(stat -f -c %T "$W") (page cache warm: the files were just written)"
t0=$(now); cp -rl "$W/src" "$W/cpl"; t1=$(now)
echo "cp -rl:                  $(el "$t0" "$t1") s"
rm -rf "$W/cpl"
sync
u0=$(used)
t0=$(now); "$LIGHTBOX" import "$W/src" --brief 1 --link >/dev/null 2>&1; t1=$(now)
sync
s=$(el "$t0" "$t1")
echo "lightbox import --link:  $s s ($(echo "$N / $s" | bc) files/s, $(echo "$mb / $s" | bc) MB/s hashed), disk used +$(($(used) - u0)) MB"
# The same files copied, into a store of their own (in the first store the
# bytes are there already and a copy would be removed unwritten).
LIGHTBOX_STORE="$W/store2" "$LIGHTBOX" init >/dev/null
LIGHTBOX_STORE="$W/store2" "$LIGHTBOX" project add Bench >/dev/null
LIGHTBOX_STORE="$W/store2" "$LIGHTBOX" brief add --project 1 --title Copied >/dev/null
u0=$(used)
t0=$(now); LIGHTBOX_STORE="$W/store2" "$LIGHTBOX" import "$W/src" --brief 1 >/dev/null 2>&1; t1=$(now)
sync
s=$(el "$t0" "$t1")
echo "lightbox import (copy):  $s s ($(echo "$N / $s" | bc) files/s), disk used +$(($(used) - u0)) MB"
rm -rf "$W/store2"

# Watch latency: a file closed in the watched folder until its row.
mkdir "$W/drop"
"$LIGHTBOX" import "$W/drop" --brief 3 --watch >/dev/null 2>&1 &
WPID=$!
sleep 1
python3 - "$W/drop" "$LIGHTBOX_STORE/lightbox.db" <<'PY'
import os, sqlite3, struct, sys, time, zlib
drop, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
def count():
    return con.execute("SELECT count(*) FROM candidate WHERE brief_id = 3").fetchone()[0]
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
lat = []
for i in range(40):
    raw = b"".join(b"\0" + bytes((i, y % 256, 7)) * 64 for y in range(64))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    before = count()
    with open(os.path.join(drop, "w%03d.png" % i), "wb") as f:
        f.write(data)
    t0 = time.monotonic()          # just after close(): the close_write
    while count() == before:
        time.sleep(0.001)
    lat.append((time.monotonic() - t0) * 1000)
    time.sleep(0.2)
lat.sort()
print("watch: close_write to candidate row, 40 files one at a time: median %.0f ms, p90 %.0f ms, max %.0f ms"
      % (lat[len(lat) // 2], lat[int(len(lat) * 0.9)], lat[-1]))
print("   (100 ms of it is the quiet time that gathers a burst into one import)")
PY
kill -INT $WPID
wait $WPID || true
exit 0
