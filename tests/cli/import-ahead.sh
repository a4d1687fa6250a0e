#!/bin/sh
# import-ahead.sh - import's copying threads work ahead of the file being
# recorded: an import stopped with Ctrl-C (SIGINT) in the middle keeps what
# it recorded, leaves none of the copies made ahead in the store, and the
# same command then brings in the rest; every file's digest is that of its
# bytes.
. "$top_srcdir/tests/lib/tap.sh"
command -v mkfifo >/dev/null || skip_all "mkfifo is not installed"

plan 8
lb init
lb project add P
lb brief add --project 1 --title Pictures
mkdir -p "$T/pics"
# 1000 small pictures of noise, each different
python3 - "$T/pics" <<'PY'
import os, struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
for i in range(1000):
    raw = b"".join(b"\0" + os.urandom(3 * 48) for _ in range(48))
    open(os.path.join(sys.argv[1], "p%04d.png" % i), "wb").write(b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 48, 48, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b""))
PY
mkfifo "$T/progress"
"$LIGHTBOX" import "$T/pics" --brief 1 >"$T/imp.out" 2>"$T/progress" &
pid=$!
exec 3<"$T/progress"
# the first progress line (100 of 1000): copies are being made ahead
read -r first <&3
kill -INT $pid
cat <&3 >/dev/null # the rest of its stderr, until it ends
wait $pid
is "$?" 1 "the interrupted import exits 1"
exec 3<&-
like "$first" "lightbox: import: 100 of 1000 files" "it was stopped in the middle"
like "$(cat "$T/imp.out")" "Interrupted: run the same command again to import the rest" "and says how to go on"
n=$(sql "SELECT count(*) FROM candidate")
ok "some went in, not all ($n)" test "$n" -ge 100 -a "$n" -lt 1000
is "$(find "$LIGHTBOX_STORE/assets/tmp" -type f | wc -l)" 0 "no copy made ahead is left in assets/tmp"
is "$(find "$LIGHTBOX_STORE/assets" -type f -path '*/assets/??/*' | wc -l)" "$n" \
	"and no file in the store but those recorded"
ok "the same command imports the rest" lb import "$T/pics" --brief 1
# every asset file is named by the SHA-256 of its bytes
bad=0
for f in $(sql "SELECT substr(sha256, 1, 2) || '/' || sha256 || '.' || ext FROM asset"); do
	[ "$(sha256sum <"$LIGHTBOX_STORE/assets/$f" | cut -c1-64)" = "$(basename "$f" .png)" ] || bad=$((bad + 1))
done
is "$(sql "SELECT count(*) FROM candidate") $bad" "1000 0" "all 1000 in, each named by its bytes"
done_testing
