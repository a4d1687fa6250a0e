#!/bin/sh
# compare-zoom.sh - synced zoom in compare, in sixel, seen in a real xterm
# (a VT340 under Xvfb) on screenshots: two pictures of different sizes,
# each in four flat quarters of the same four colours; z in compare shows
# both side by side (every quarter on each side), + + zooms both to 2x and
# l/j pan both into the bottom right quarter: then each half of the window
# shows that quarter's colour and none of the other three.  Flicker keeps
# the crop; = fits both again.  The colours are ones the interface itself
# never draws.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
# its two pictures (the same quarters, wide and tall) are near-copies to
# the fingerprint: each its own row, stacks not folded
mkdir -p "$XDG_CONFIG_HOME/lightbox"
echo "set stacks off" >>"$XDG_CONFIG_HOME/lightbox/config"

xt_need
[ -x "$LIGHTBOX" ] || skip_all "no lightbox binary at $LIGHTBOX"
plan 9

ORANGE='#ff8000'
TEAL='#00ff80'
PURPLE='#8000ff'
AZURE='#0080ff'
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "Quarters" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "Four" --prompt "four quarters" >/dev/null
mkquad "$T/wide.png" 320 160 255,128,0 0,255,128 128,0,255 0,128,255
mkquad "$T/tall.png" 150 200 255,128,0 0,255,128 128,0,255 0,128,255
"$LIGHTBOX" candidate add --brief 1 "$T/wide.png" "$T/tall.png" >/dev/null
LOG="$T/preview.log"

xt_start 100 30 env LIGHTBOX_PREVIEW_LOG="$LOG" "$LIGHTBOX" tui --brief 1 || exit 1
settle 1
like "$(head -1 "$LOG")" 'mode=sixel detected=sixel' "xterm is found to draw sixel"

# The halves of the window, without the top three rows and the bottom two
# (headers, captions, the status line): only the pictures.
geom=$(xt_geometry)
W=${geom%%x*}
H=${geom#*x}
H=${H%%+*}
CH=$((H / 30))
LEFT="$((W / 2 - 4))x$((H - 5 * CH))+0+$((3 * CH))"
RIGHT="$((W / 2 - 4))x$((H - 5 * CH))+$((W / 2 + 4))+$((3 * CH))"
# colours SHOT GEOM: "orange teal purple azure" pixel counts there.
colours() {
	echo "$(xt_count "$1" "$ORANGE" "$2") $(xt_count "$1" "$TEAL" "$2") $(xt_count "$1" "$PURPLE" "$2")" \
		"$(xt_count "$1" "$AZURE" "$2")"
}
# all4 SHOT GEOM: every quarter shows there.
all4() {
	for _n in $(colours "$1" "$2"); do
		[ "$_n" -gt 500 ] || { echo "# $2: $(colours "$1" "$2")"; return 1; }
	done
}
# only_azure SHOT GEOM: the bottom right quarter's colour fills it, no
# other quarter's shows.
only_azure() {
	set -- "$1" "$2" $(colours "$1" "$2")
	[ "$3" = 0 ] && [ "$4" = 0 ] && [ "$5" = 0 ] && [ "$6" -gt 5000 ] || {
		echo "# $2: orange teal purple azure = $3 $4 $5 $6"
		return 1
	}
}
# until_ok NAME CHECK GEOM...: screenshots NAME until CHECK holds for every
# GEOM, 10 s at most (a loaded machine paints late).
until_ok() {
	_name=$1
	_check=$2
	shift 2
	_j=0
	while [ $_j -lt 20 ]; do
		shot "$_name"
		_all=1
		for _g in "$@"; do
			$_check "$T/$_name.png" "$_g" >/dev/null || _all=0
		done
		[ $_all = 1 ] && return 0
		sleep 0.5
		_j=$((_j + 1))
	done
	for _g in "$@"; do
		$_check "$T/$_name.png" "$_g"
	done
	return 1
}

xt_key c
sleep 0.5
n=$(lines)
xt_key z
settle "$n"
ok "z in compare: both pictures side by side, each whole" until_ok 1-both all4 "$LEFT" "$RIGHT"

n=$(lines)
xt_key plus plus l l l j j j
settle "$n"
ok "zoomed 2x into the bottom right: the left shows only that quarter" until_ok 2-zoomed only_azure "$LEFT"
ok "and so does the right, a picture of another size" only_azure "$T/2-zoomed.png" "$RIGHT"
like "$(grep '^change' "$LOG" | tail -1)" 'zoom 2@0.7500,0.7500' "the preview log names the crop (of the right, drawn last)"

n=$(lines)
xt_key f
settle "$n"
ok "flicker shows one picture at the same crop" until_ok 3-flicker only_azure "${W}x$((H - 5 * CH))+0+$((3 * CH))"
xt_key f
sleep 1
ok "and the other at it too" until_ok 4-flicker only_azure "${W}x$((H - 5 * CH))+0+$((3 * CH))"

xt_key Escape
sleep 0.5
n=$(lines)
xt_key equal
settle "$n"
ok "= fits both again: every quarter on each side" until_ok 5-fit all4 "$LEFT" "$RIGHT"

xt_key Q
sleep 1
shot 6-quit
is "$(xt_count "$T/6-quit.png" "$AZURE")" 0 "quitting leaves no picture behind"
done_testing
