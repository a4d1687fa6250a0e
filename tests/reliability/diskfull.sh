#!/bin/sh
# A full disk loses nothing and says so.
#
# First with a file-size limit (writes past it fail with EFBIG, as they
# would with ENOSPC; no privilege needed).  Then on a real full file system
# (a small tmpfs, mounted in a private mount namespace: as root, or in a
# user namespace): candidate add, import, export --out and export --copy-to
# each fail with "No space left on device" and what to do, and leave
# nothing half-written.  Then short writes: an LD_PRELOAD shim makes every
# write() of lightbox's own write at most 100 bytes and fail with EINTR one
# time in five, and a non-blocking pipe read slowly makes writes fail with
# EAGAIN; every file still comes out whole.

# The private mount namespace, entered before tap.sh makes the scratch folder.
if [ -z "${LB_DISKFULL_NS:-}" ]; then
	LB_DISKFULL_NS=none
	if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
		LB_DISKFULL_NS=1 exec unshare -m sh "$0" "$@"
	elif unshare -rm true 2>/dev/null; then
		LB_DISKFULL_NS=1 exec unshare -rm sh "$0" "$@"
	fi
fi
. "$top_srcdir/tests/lib/tap.sh"
plan 34

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

# noise FILE SIDE: a PNG of random pixels, which no compression shrinks.
noise() {
	python3 - "$@" <<'PY'
import os, struct, sys, zlib
path, w = sys.argv[1], int(sys.argv[2])
raw = b"".join(b"\0" + os.urandom(w * 3) for _ in range(w))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, w, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b""))
PY
}
nospace="No space left on device; free some space on that disk and try again"

# ---------------------------------------------------------------- a full file system
if [ "$LB_DISKFULL_NS" = 1 ] && mkdir small full && mount -t tmpfs -o size=3m tmpfs small &&
	mount -t tmpfs -o size=1m tmpfs full; then
	at_exit "umount '$T/small' '$T/full'"
	mkdir in && noise in/noise.png 1100 # 3.6 MB
	S="$T/small/store"
	LIGHTBOX_STORE=$S "$LIGHTBOX" init >/dev/null && LIGHTBOX_STORE=$S "$LIGHTBOX" project add P >/dev/null &&
		LIGHTBOX_STORE=$S "$LIGHTBOX" brief add --project 1 --title b >/dev/null
	fails "candidate add onto a full disk fails" 1 env LIGHTBOX_STORE="$S" "$LIGHTBOX" candidate add --brief 1 in/noise.png
	like "$(cat "$T/.out")" "cannot copy in/noise.png into the store: $nospace" "saying the disk is full and what to do"
	fails "import onto a full disk fails" 1 env LIGHTBOX_STORE="$S" "$LIGHTBOX" import in --brief 1
	like "$(cat "$T/.out")" "in/noise.png: cannot copy in/noise.png into the store: $nospace" "saying so for the file"
	is "$(find "$S/assets" -type f 2>/dev/null | wc -l):$(sqlite3 "$S/lightbox.db" 'SELECT count(*) FROM candidate')" \
		"0:0" "leaving no half-written asset and no row"
	dd if=/dev/zero of=small/fill bs=4k 2>/dev/null
	fails "a change to a store on a full disk fails" 1 env LIGHTBOX_STORE="$S" "$LIGHTBOX" project add Q
	like "$(cat "$T/.out")" "the disk holding $S is full \(No space left on device\); nothing was saved: free some space" \
		"saying so, not 'disk I/O error'"
	rm small/fill
	is "$(sqlite3 "$S/lightbox.db" 'PRAGMA integrity_check; SELECT count(*) FROM project')" "ok
1" "the store is sound and unchanged once there is room"

	# Export to a disk filled to the last block, from the store above (on a disk with room).
	"$LIGHTBOX" select 1 --use "hero" >/dev/null
	echo "an earlier record" >full/record.json
	dd if=/dev/zero of=full/fill bs=4k 2>/dev/null
	fails "export --out onto a full disk fails" 1 "$LIGHTBOX" export 1 --out full/new.json
	like "$(cat "$T/.out")" "cannot write $T/full/new.json: $nospace" "saying so"
	fails "export --out over a file on a full disk fails" 1 "$LIGHTBOX" export 1 --out full/record.json
	is "$(cat full/record.json)" "an earlier record" "and the file is as it was"
	fails "export --copy-to onto a full disk fails" 1 "$LIGHTBOX" export 1 --copy-to full/delivery
	like "$(cat "$T/.out")" "cannot write full/delivery/b/1-1.png: $nospace" "saying so, naming the file as it would have been"
	is "$(ls -A full | tr '\n' ' ')" "fill record.json " "leaving nothing half-written on that disk"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do ok "# SKIP no mount namespace to make a full file system in" true; done
fi

# ---------------------------------------------------------------- short writes
CC=${CC:-cc}
cat >shim.c <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>
/* write() writes at most 100 bytes, and fails with EINTR one call in five. */
ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	static int calls;

	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (fd != 2 && n > 1) {
		if (++calls % 5 == 0) {
			errno = EINTR;
			return -1;
		}
		if (n > 100)
			n = 100;
	}
	return real(fd, buf, n);
}
C
if $CC -shared -fPIC -o shim.so shim.c -ldl 2>/dev/null; then
	# (ASan insists on being the first library; the shim only wraps write)
	shim() { LD_PRELOAD="$T/shim.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$LIGHTBOX" "$@"; }
	noise short.png 120
	ok "candidate add with short and interrupted writes" shim candidate add --brief 1 short.png
	sha=$(sha256sum short.png | cut -c1-64)
	is "$(sha256sum "$LIGHTBOX_STORE"/assets/*/"$sha".png 2>/dev/null | cut -c1-64)" "$sha" "copies the file whole"
	export LIGHTBOX_NOW=1764230400
	"$LIGHTBOX" select 3 --use "short" >/dev/null
	"$LIGHTBOX" export 1 --out plain.json
	ok "export --out with short and interrupted writes" shim export 1 --out shim.json
	ok "writes the record whole" cmp plain.json shim.json
	shim export 1 --out - >shim-stdout.json
	ok "to standard output too" cmp plain.json shim-stdout.json
	ok "export --copy-to with short and interrupted writes" shim export 1 --copy-to copied
	ok "copies every file whole" sh -c "cd copied && sha256sum -c --strict --quiet MANIFEST.sha256"
	"$LIGHTBOX" export 1 --copy-to copied-plain
	ok "and the record" cmp copied-plain/selection.json copied/selection.json
	mkdir shortin && noise shortin/import.png 100
	ok "import with short and interrupted writes" shim import shortin --brief 1
	sha=$(sha256sum shortin/import.png | cut -c1-64)
	is "$(sha256sum "$LIGHTBOX_STORE"/assets/*/"$sha".png 2>/dev/null | cut -c1-64)" "$sha" "copies the file whole"
else
	for i in 1 2 3 4 5 6 7 8 9 10; do ok "# SKIP no C compiler for the shim" true; done
fi

# A non-blocking pipe that is read slowly: writes fail with EAGAIN when it is full.
"$LIGHTBOX" brief add --project 1 --title words --modality text >/dev/null
yes "words, words, words" | head -c 400000 >long.txt
"$LIGHTBOX" candidate add --brief 2 long.txt >/dev/null
"$LIGHTBOX" export 1 --all --out plain-all.json
python3 - "$LIGHTBOX" >slow.json <<'PY'
import os, subprocess, sys, time
r, w = os.pipe()
os.set_blocking(w, False)
p = subprocess.Popen([sys.argv[1], "export", "1", "--all", "--out", "-"], stdout=w)
os.close(w)
while True:
    time.sleep(0.002)
    b = os.read(r, 4096)
    if not b:
        break
    sys.stdout.buffer.write(b)
sys.exit(p.wait())
PY
is "$?" "0" "export to a non-blocking pipe read slowly succeeds"
ok "and the reader gets the whole record" cmp plain-all.json slow.json
done_testing
