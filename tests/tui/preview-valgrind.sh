#!/bin/sh
# preview-valgrind.sh - the picture paths under valgrind: symbols rendered
# in the worker threads and drawn in cells, moving (prefetch), a bad file,
# audio, the grid, the zoom zoomed in and panned, a resize, then sixel,
# kitty and iTerm2 forced with `set preview-mode`, compare's pictures
# zoomed, and quitting: no memory error, nothing
# definitely or indirectly lost.
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip_all "valgrind is not installed"
nm "$LIGHTBOX" 2>/dev/null | grep -q __asan_init && skip_all "an ASan build cannot run under valgrind"

plan 11
lbq init
lbq project add "Under the microscope"
lbq brief add --project 1 --title "Small things" --prompt "small"
mkpng "$T/a.png" 96 64 250 120 10
mkpng "$T/b.png" 64 96 10 120 250
python3 - "$T/tone.wav" <<'PY'
import math, struct, sys
rate, n = 8000, 4000
data = b"".join(struct.pack("<h", int(9000 * math.sin(i / 5.0))) for i in range(n))
open(sys.argv[1], "wb").write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
    + struct.pack("<IHHIIHH", 16, 1, 1, rate, 2 * rate, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)
PY
mkpng "$T/cut.png" 80 80 90 90 90
lbq candidate add --brief 1 "$T/cut.png" "$T/b.png" "$T/a.png"
# cut short on disk after the import (which refuses a cut file)
cut=$(sql "SELECT a.sha256 || '.' || a.ext FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.id = 1")
head -c 60 "$LIGHTBOX_STORE/assets/$(echo "$cut" | cut -c1-2)/$cut" >"$T/cut60"
cat "$T/cut60" >"$LIGHTBOX_STORE/assets/$(echo "$cut" | cut -c1-2)/$cut"
lbq brief add --project 1 --modality audio --title "A tone" --prompt "beep"
lbq candidate add --brief 2 "$T/tone.wav"

VG="valgrind --quiet --suppressions=$top_srcdir/tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$T/vg.log"
LIGHTBOX_PREVIEW_LOG="$T/pv.log"
export LIGHTBOX_PREVIEW_LOG
tm_start 100 30 sh -c "$VG \"\$0\" \"\$@\"; echo \"[exited \$?]\"; exec sleep 600" "$LIGHTBOX" tui --brief 1
ok "the interface runs under valgrind" tm_wait_for 'png 96x64' 60
tm_keys j
tm_wait_for 'png 64x96' 30 >/dev/null
tm_keys j
ok "a truncated file shows why" tm_wait_for 'cannot|corrupt|truncated' 30
tm_keys Tab
tm_wait_for '\[grid\]' 20 >/dev/null
tm_keys h z
ok "grid and zoom" tm_wait_for '\[zoom\]' 20
# Each render of a crop is logged (LIGHTBOX_PREVIEW_LOG): the pan waits for
# the zoom's, so that it crops the picture kept for it.
wait_log() {
	_i=0
	while ! grep -q "$1" "$T/pv.log" 2>/dev/null && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q "$1" "$T/pv.log"
}
tm_keys +
wait_log 'zoom 1.5@0.5000,0.5000'
tm_keys l
ok "zoomed in and panned (a crop of a kept picture)" wait_log 'zoom 1.5@0.6667,0.5000'
tm_keys z Tab
tm_resize 80 24
tm_wait_for '\[candidates\]' 20 >/dev/null
for mode in sixel kitty iterm2; do
	tm_keys :
	tm_type "set preview-mode $mode"
	tm_keys Enter k
	ok "set preview-mode $mode draws with it" tm_wait_for " $mode ([a-z]+ )?[0-9.]+ K?B" 30
done
tm_keys c
tm_wait_for '\[compare\]' 20 >/dev/null
tm_keys z +
wait_log 'iterm2.*zoom 1.5@0.5000,0.5000'
tm_keys j
ok "compare zooms both pictures in iTerm2" wait_log 'iterm2.*zoom 1.5@0.5000,0.6667'
tm_keys Escape
tm_wait_for 'line 1' 20 >/dev/null
tm_keys q
tm_wait_for '\[candidates\]' 20 >/dev/null
tm_keys B j Enter
ok "audio: its waveform and facts" tm_wait_for '8000 Hz' 30
tm_keys Q
ok "it exits 0 (valgrind found nothing)" tm_wait_for '^\[exited 0\]' 60
[ -s "$T/vg.log" ] && sed 's/^/# /' "$T/vg.log" | head -40
is "$(grep -c 'definitely lost\|Invalid\|uninitialised' "$T/vg.log")" 0 "no error in valgrind's log"
done_testing
