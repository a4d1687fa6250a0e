# lib.sh - a real xterm on a private Xvfb display, driven by key presses
# and photographed, for tests of pictures that a text dump cannot see
# (sixel).  Sourced after tests/lib/tap.sh.
#
#   xt_need                        skips the test when Xvfb, xterm, xdotool,
#                                  xwd or ImageMagick are missing
#   xt_start COLS ROWS CMD...      Xvfb on a free display, xterm (a VT340
#                                  with 256 sixel colours) running CMD
#   xt_key KEY...                  key presses (xdotool key names: j, Tab,
#                                  question, Escape, colon)
#   xt_shot FILE                   the xterm window as a PNG
#   xt_resize W H                  the window to W x H pixels (SIGWINCH)
#   xt_count FILE COLOUR [GEOM]    pixels near COLOUR (within 10%), in the
#                                  crop WxH+X+Y when given
#   xt_bbox FILE COLOUR            the bounding box WxH+X+Y of those pixels
#   xt_stop                        ends xterm, then Xvfb, by their PIDs
#   lines, settle [N]              lines in $LOG (LIGHTBOX_PREVIEW_LOG); wait
#                                  until it has more than N, then for paint
#   solid FILE COLOUR              the colour fills its bounding box
#   shot NAME                      $T/NAME.png (copied to $XT_KEEP if set)
#
# Nothing is killed by name: only the PIDs this file started.  ImageMagick
# is called as /usr/bin/convert (some machines put a wrapper named
# convert earlier in PATH).

XT_DISPLAY=""
XT_XVFB_PID=""
XT_PID=""
XT_WID=""
XT_CONVERT=/usr/bin/convert

xt_need() {
	for _t in Xvfb xterm xdotool xwd xwininfo; do
		command -v "$_t" >/dev/null 2>&1 || skip_all "$_t is not installed (./bootstrap installs it)"
	done
	[ -x "$XT_CONVERT" ] || skip_all "ImageMagick's $XT_CONVERT is not installed"
}

# xt_start COLS ROWS CMD...
xt_start() {
	_cols=$1
	_rows=$2
	shift 2
	for _n in $(seq 70 160); do
		if [ ! -e "/tmp/.X$_n-lock" ] && [ ! -e "/tmp/.X11-unix/X$_n" ]; then
			XT_DISPLAY=":$_n"
			break
		fi
	done
	[ -n "$XT_DISPLAY" ] || { echo "# no free X display"; return 1; }
	Xvfb "$XT_DISPLAY" -screen 0 1280x1024x24 -nolisten tcp -noreset >"$T/xvfb.log" 2>&1 &
	XT_XVFB_PID=$!
	at_exit xt_stop
	_i=0
	while [ ! -e "/tmp/.X11-unix/X${XT_DISPLAY#:}" ] && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	DISPLAY=$XT_DISPLAY
	export DISPLAY
	# The command runs through a script so that its arguments keep their
	# quoting; the shell stays to keep the window for the last picture.
	{
		echo '#!/bin/sh'
		printf '"$@"; echo "[exited $?]"; exec sleep 600\n'
	} >"$T/.xt-run"
	chmod +x "$T/.xt-run"
	xterm -ti vt340 -tn xterm-256color -geometry "${_cols}x${_rows}+0+0" \
		-fa "DejaVu Sans Mono" -fs 10 -bg black -fg white \
		-xrm 'XTerm*decTerminalID: vt340' -xrm 'XTerm*numColorRegisters: 256' \
		-xrm 'XTerm*sixelScrolling: true' -xrm 'XTerm*maxGraphicSize: 2048x2048' \
		-xrm 'XTerm*utf8: 1' -xrm 'XTerm*allowWindowOps: true' \
		-e "$T/.xt-run" "$@" >"$T/xterm.log" 2>&1 &
	XT_PID=$!
	_i=0
	while [ -z "$XT_WID" ] && [ $_i -lt 100 ]; do
		XT_WID=$(xdotool search --pid "$XT_PID" 2>/dev/null | tail -1)
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -n "$XT_WID" ] || { echo "# xterm did not open a window"; cat "$T/xterm.log"; return 1; }
}

xt_key() {
	xdotool windowfocus --sync "$XT_WID" 2>/dev/null
	xdotool key --delay 40 "$@"
}

# xt_geometry: WxH+X+Y of the xterm window on the screen.
xt_geometry() {
	xwininfo -id "$XT_WID" | awk -F: '
		/Absolute upper-left X/ {x = $2 + 0}
		/Absolute upper-left Y/ {y = $2 + 0}
		/^ *Width/ {w = $2 + 0}
		/^ *Height/ {h = $2 + 0}
		END {printf "%dx%d+%d+%d\n", w, h, x, y}'
}

xt_shot() {
	xwd -root -silent >"$T/.xt.xwd" || return 1
	"$XT_CONVERT" "xwd:$T/.xt.xwd" -crop "$(xt_geometry)" +repage "$1"
	rm -f "$T/.xt.xwd"
}

xt_resize() {
	xdotool windowsize "$XT_WID" "$1" "$2"
}

# xt_count FILE COLOUR [GEOM]: how many pixels are near COLOUR.
xt_count() {
	_crop=""
	[ -n "${3:-}" ] && _crop="-crop $3 +repage"
	# shellcheck disable=SC2086
	"$XT_CONVERT" "$1" $_crop -alpha off -fuzz 10% -fill black +opaque "$2" -fill white -opaque "$2" \
		-format '%[fx:round(mean*w*h)]' info:
}

# xt_bbox FILE COLOUR: WxH+X+Y around the pixels near COLOUR ("none").
xt_bbox() {
	_n=$(xt_count "$1" "$2")
	if [ "$_n" = 0 ]; then
		echo none
		return
	fi
	"$XT_CONVERT" "$1" -alpha off -fuzz 10% -fill black +opaque "$2" -fill white -opaque "$2" \
		-format '%@' info:
}

xt_stop() {
	for _p in $XT_PID $XT_XVFB_PID; do
		if kill -0 "$_p" 2>/dev/null; then
			kill "$_p" 2>/dev/null
			_i=0
			while kill -0 "$_p" 2>/dev/null && [ $_i -lt 40 ]; do
				sleep 0.05
				_i=$((_i + 1))
			done
			kill -9 "$_p" 2>/dev/null
			wait "$_p" 2>/dev/null
		fi
	done
	XT_PID=""
	XT_XVFB_PID=""
	[ -n "$XT_DISPLAY" ] && rm -f "/tmp/.X${XT_DISPLAY#:}-lock"
	XT_DISPLAY=""
}

lines() { if [ -f "$LOG" ]; then wc -l <"$LOG" | tr -d ' '; else echo 0; fi; }
# settle [LINES]: waits until the log has more than LINES lines (a frame
# that drew or removed a picture), then a little for xterm to paint.
settle() {
	_i=0
	while [ "$(lines)" -le "${1:-0}" ] && [ $_i -lt 60 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.7
}
# solid FILE COLOUR: the colour's pixels fill its bounding box (one
# rectangle: no stray piece anywhere else).
solid() {
	_n=$(xt_count "$1" "$2")
	_b=$(xt_bbox "$1" "$2")
	[ "$_b" != none ] || return 1
	_w=${_b%%x*}
	_h=${_b#*x}
	_h=${_h%%+*}
	[ "$_n" -ge $((_w * _h * 97 / 100)) ] || {
		echo "# $2: $_n pixels in a box of $_b"
		return 1
	}
}
# shot_until NAME COLOUR: screenshots NAME until COLOUR is one solid
# rectangle there, 10 s at most (a loaded machine redraws late); the last
# shot stays for the assertion that follows.
shot_until() {
	_j=0
	while [ $_j -lt 20 ]; do
		shot "$1"
		solid "$T/$1.png" "$2" >/dev/null && return 0
		sleep 0.5
		_j=$((_j + 1))
	done
	return 1
}
shot() {
	xt_shot "$T/$1.png"
	cp "$T/$1.png" "${XT_KEEP:-/nonexistent}/" 2>/dev/null || true
}
