#!/bin/sh
# bench-deliver.sh [N [MB]] - lightbox deliver against the plain tools:
# N selected pictures of MB megabytes each (default 5000 of 3 MB, 15 GB;
# BENCH_DELIVER_N=500 make bench-deliver tries it smaller), delivered
#   --link  against  cp -l  of the same files,
#   --copy  against  cp && sync.
# deliver also reads every file to check it against its SHA-256 (cp does
# not), writes the record and the manifest, and syncs before the rename.
# Prints the figures; asserts nothing.  Needs about 3 x N x MB of disk.
set -eu
N=${1:-${BENCH_DELIVER_N:-5000}}
MB=${2:-3}
LIGHTBOX=${LIGHTBOX:-./lightbox}
T=$(mktemp -d "${TMPDIR:-/var/tmp}/lbbench-deliver.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LIGHTBOX_STORE="$T/store" LIGHTBOX_CURATOR=bench
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$N" -v mb="$MB" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? n * mb / s : 0) }'; }

"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add Bench >/dev/null
"$LIGHTBOX" brief add --project 1 --title pictures --modality image >/dev/null
mkdir "$T/src"
# PNGs of random pixels, stored uncompressed: MB megabytes each, all different.
python3 - "$T/src" "$N" "$MB" <<'PY'
import os, struct, sys, zlib
out, n, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
w = 1024
h = mb * 1024 * 1024 // (w * 3 + 1)
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
noise = bytearray(os.urandom(h * (w * 3 + 1)))
for row in range(0, len(noise), w * 3 + 1):
    noise[row] = 0  # filter: none
for i in range(n):
    raw = bytearray(noise)
    raw[1:9] = struct.pack(">Q", i)  # the first pixels: each file differs
    with open(os.path.join(out, "p%05d.png" % i), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(raw), 0)) + chunk(b"IEND", b""))
PY
size=$(du -sm "$T/src" | cut -f1)
t0=$(now)
"$LIGHTBOX" import --brief 1 "$T/src" >/dev/null 2>&1
t1=$(now)
rm -rf "$T/src"
i=1
while [ "$i" -le "$N" ]; do "$LIGHTBOX" select "$i" >/dev/null; i=$((i + 1)); done
echo "deliver: $N selected files of $MB MB ($size MB in all); import took $(secs "$t0" "$t1") s"
echo "  (before each run every file is read once, so each tool starts from the same page cache)"
sync
# Reads every asset: what fits in memory is then cached for whichever tool runs next.
warm() { find "$T/store/assets" -type f -exec cat {} + >/dev/null; }

warm
t0=$(now); "$LIGHTBOX" deliver Bench --to "$T/dl-link" --link 2>/dev/null; t1=$(now)
echo "  deliver --link   $(secs "$t0" "$t1") s  (reads and checks every file; no bytes written)"
rm -rf "$T/dl-link"; sync
warm
t0=$(now); cp -rl "$T/store/assets" "$T/cp-link"; t1=$(now)
echo "  cp -l            $(secs "$t0" "$t1") s"
rm -rf "$T/cp-link"; sync

warm
t0=$(now); "$LIGHTBOX" deliver Bench --to "$T/dl-copy" --copy 2>/dev/null; t1=$(now)
d=$(secs "$t0" "$t1")
echo "  deliver --copy   $d s  ($(rate "$d") MB/s, hashed while copied, synced)"
rm -rf "$T/dl-copy"; sync
warm
t0=$(now); cp -r "$T/store/assets" "$T/cp-copy" && sync; t1=$(now)
d=$(secs "$t0" "$t1")
echo "  cp && sync       $d s  ($(rate "$d") MB/s)"
