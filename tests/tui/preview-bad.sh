#!/bin/sh
# preview-bad.sh - what bad input gets: a PNG cut short on disk, a header
# claiming 100000x100000 pixels, a file emptied or deleted after import, a picture
# over `set pixel-limit`: a placeholder in the pane that says why, while
# moving and rating go on; an animated GIF shows its first frame; NO_COLOR
# gives monochrome symbols; and with kitty forced (inside tmux, which
# swallows the pictures, the log still says what was sent), a picture is
# uploaded once, never sent again while it stays, and placed again for a
# few bytes after a view switch.
. "$(dirname "$0")/lib.sh"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

plan 22
CELLS="$top_srcdir/tests/tui/ansi-cells.py"

lbq init
lbq project add "Mishaps"
lbq brief add --project 1 --title "Broken files" --prompt "whatever arrived"
python3 - "$T" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
def png(w, h, rows):
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
# half white, half black: monochrome symbols show it as blocks and blanks
half = b"".join(b"\0" + (b"\xff\xff\xff" * 60 + b"\0\0\0" * 60) for _ in range(120))
open(d + "/ok.png", "wb").write(png(120, 120, half))
# 1.1 megapixels: over `set pixel-limit 1`
open(d + "/big.png", "wb").write(png(1100, 1000, b"".join(b"\0" + b"\x80" * 3300 for _ in range(1000))))
# (imported whole; cut on disk afterwards: the import refuses a cut file)
open(d + "/cut.png", "wb").write(png(400, 300, b"".join(b"\0" + bytes((i % 256, 128, 240)) * 400 for i in range(300))))
# (every door refuses a header over the pixel limit: a small picture goes
# in, and its file on disk is swapped for the hostile one afterwards)
open(d + "/huge.png", "wb").write(png(2, 2, b"\0\x10\x20\x30\x40\x50\x60\0\x70\x80\x90\xa0\xb0\xc0"))
open(d + "/huge-header.png", "wb").write(png(100000, 100000, b"\0\0\0\0"))
open(d + "/keep.png", "wb").write(png(64, 64, b"".join(b"\0" + b"\x20\x40\x60" * 64 for _ in range(64))))
open(d + "/lost.png", "wb").write(png(64, 64, b"".join(b"\0" + b"\x60\x40\x20" * 64 for _ in range(64))))
# GIF89a, 8x8, two frames (red, then blue), codes 3 bits wide (a clear
# code before every pixel keeps the LZW table from growing)
def lzw(pixels):
    bits = n = 0
    out = bytearray()
    for code in [c for p in pixels for c in (4, p)] + [5]:
        bits |= code << n
        n += 3
        while n >= 8:
            out.append(bits & 255)
            bits >>= 8
            n -= 8
    if n:
        out.append(bits & 255)
    return bytes(out)
def frame(index):
    data = lzw([index] * 64)
    blocks = b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255))
    return (b"\x21\xf9\x04\x00\x0a\x00\x00\x00" + b"\x2c" + struct.pack("<HHHHB", 0, 0, 8, 8, 0)
            + b"\x02" + blocks + b"\x00")
gif = (b"GIF89a" + struct.pack("<HHBBB", 8, 8, 0xf1, 0, 0) + b"\xff\x00\x00\x00\x00\xff\x00\x00\x00\x00\x00\x00"
       + b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00" + frame(0) + frame(1) + b"\x3b")
open(d + "/anim.gif", "wb").write(gif)
PY
# Newest first: ok 7, anim 6, cut 5, huge 4, keep 3 (emptied), lost 2
# (deleted), big 1.
for f in big lost keep huge cut; do lbq candidate add --brief 1 "$T/$f.png"; done
lbq candidate add --brief 1 "$T/anim.gif"
lbq candidate add --brief 1 "$T/ok.png"
asset() { sql "SELECT a.sha256 || '.' || a.ext FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.id = $1"; }
keep=$(asset 3)
lost=$(asset 2)
cut=$(asset 5)
huge=$(asset 4)
cat "$T/huge-header.png" >"$LIGHTBOX_STORE/assets/$(echo "$huge" | cut -c1-2)/$huge"
sql "UPDATE asset SET width = 100000, height = 100000, bytes = $(wc -c <"$T/huge-header.png")
	WHERE id = (SELECT asset_id FROM candidate WHERE id = 4)"
cutpath="$LIGHTBOX_STORE/assets/$(echo "$cut" | cut -c1-2)/$cut"
head -c $(($(wc -c <"$cutpath") / 3)) "$cutpath" >"$T/third" && cat "$T/third" >"$cutpath"
: >"$LIGHTBOX_STORE/assets/$(echo "$keep" | cut -c1-2)/$keep"
rm -f "$LIGHTBOX_STORE/assets/$(echo "$lost" | cut -c1-2)/$lost"

open_brief 100 30 1
ok "a good picture first" tm_wait_for 'png 120x120'
tm_keys j
ok "an animated GIF shows its first frame, and says so" tm_wait_for 'gif 8x8, 2 frames \(the first shown\)'
tm_keys j
ok "a truncated PNG: the pane says it cannot be decoded" tm_wait_for 'cannot decode|corrupt|truncated'
ok "with the file's facts under it" tm_wait_for 'sha256'
tm_keys 3
ok "rating goes on" tm_wait_for '^ +5 ★★★☆☆'
tm_keys j
ok "a 100000x100000 header is refused before decoding" tm_wait_for 'over the.*pixel limit'
tm_keys j
ok "a file emptied on disk says so" tm_wait_for 'empty file'
tm_keys j
ok "a file gone from disk says so" tm_wait_for 'gone from disk'
tm_keys g
ok "and moving back to the good one draws it again" tm_wait_for 'png 120x120'
quit_ok "quits cleanly after all that"
is "$(sql "SELECT candidate_id || ':' || stars FROM rating")" "5:3" "the rating was saved"

# NO_COLOR: symbols without colours (blocks where the picture is light);
# a pixel limit of one megapixel (thumbnails made meanwhile would be
# shown: they are small, so they go first).
tm_stop
rm -rf "$LIGHTBOX_STORE/cache"
mkdir -p "$XDG_CONFIG_HOME/lightbox"
echo "set pixel-limit 1" >>"$XDG_CONFIG_HOME/lightbox/config"
NO_COLOR=1
export NO_COLOR
open_brief 100 30 1
ok "with NO_COLOR the picture is still drawn" tm_wait_for 'symbols mono'
tm_screen_ansi >"$T/mono"
set -- $(python3 "$CELLS" glyphs 61 100 2 27 <"$T/mono")
ok "as block characters ($1)" test "$1" -gt 20
is "$2" 0 "and no colour at all"
tm_keys G
ok "set pixel-limit 1 refuses a picture of 1.1 megapixels" \
	tm_wait_for 'pixel limit of 1.0 megapixels'
quit_ok "quits"
sed -i "/pixel-limit/d" "$XDG_CONFIG_HOME/lightbox/config"
unset NO_COLOR

# kitty forced: what the picture costs on the link, from the log.
# changes_after N: waits (5 s at most) until the log holds more than N
# picture changes, so a loaded machine's late frame is not read as the last.
changes_after() {
	i=0
	while [ "$(grep -c '^change' "$T/kitty.log")" -le "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
tm_stop
export LIGHTBOX_PREVIEW_LOG="$T/kitty.log"
start_lb 100 30 --preview=kitty tui --brief 1
tm_wait_for '\[candidates\]' >/dev/null
ok "kitty: the first picture is uploaded and placed" tm_wait_for 'kitty png'
first=$(grep -c '^change' "$T/kitty.log")
tm_keys 5 :
tm_wait_for '^:' >/dev/null
# (an Escape read with the next key within ESCDELAY is Alt-key: let the
# prompt close before another key goes)
tm_keys Escape
tm_wait_gone '^:' >/dev/null
tm_wait_for '^ +7 ★★★★★' >/dev/null
# Escape is a key only once escdelay (25 ms) passed with nothing behind
# it: a j sent at once would be Meta-j.
sleep 0.2
is "$(grep -c 'pixels=[1-9]' "$T/kitty.log")" 1 "rating and a prompt send no picture again"
tm_keys j
tm_wait_for 'gif 8x8' >/dev/null
changes_after "$(grep -c '^change' "$T/kitty.log")"
n=$(grep -c '^change' "$T/kitty.log")
tm_keys k
tm_wait_for 'png 120x120' >/dev/null
changes_after "$n"
back=$(grep '^change' "$T/kitty.log" | tail -1 | sed 's/.*pixels=\([0-9]*\).*/\1/')
ok "coming back places the uploaded picture again for $back bytes" test "$back" -gt 0 -a "$back" -lt 200
n=$(grep -c '^change' "$T/kitty.log")
tm_keys '?'
tm_wait_for 'help' >/dev/null
changes_after "$n"
n=$(grep -c '^change' "$T/kitty.log")
tm_keys q
tm_wait_for 'png 120x120' >/dev/null
changes_after "$n"
back=$(grep '^change' "$T/kitty.log" | tail -1 | sed 's/.*pixels=\([0-9]*\).*/\1/')
ok "and after the help view too ($back bytes)" test "$back" -gt 0 -a "$back" -lt 200
ok "each picture change was logged ($first first)" test "$(grep -c '^change' "$T/kitty.log")" -ge 4
quit_ok "quits"
done_testing
