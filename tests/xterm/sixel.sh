#!/bin/sh
# sixel.sh - sixel pictures in a real xterm (a VT340 under Xvfb), driven by
# key presses and checked on screenshots: xterm is detected as sixel (DA1)
# and the picture is drawn; a block of messages over it keeps it away;
# moving, a view switch, a resize, the grid and the zoom leave no piece of
# an old picture; quitting leaves none at all.  Pictures are flat colours
# that the interface itself never uses, counted in each screenshot; "no
# stale piece" means every pixel of a colour lies in one solid rectangle.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
# its flat pictures are near-copies to the fingerprint: each its own row,
# stacks not folded
mkdir -p "$XDG_CONFIG_HOME/lightbox"
echo "set stacks off" >>"$XDG_CONFIG_HOME/lightbox/config"

xt_need
[ -x "$LIGHTBOX" ] || skip_all "no lightbox binary at $LIGHTBOX"
plan 18

ORANGE='#ff8000'
TEAL='#00ff80'
PURPLE='#8000ff'
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "Swatches" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "Flat" --prompt "one colour each" >/dev/null
mkpng "$T/purple.png" 320 160 128 0 255
mkpng "$T/teal.png" 160 320 0 255 128
mkpng "$T/orange.png" 240 240 255 128 0
"$LIGHTBOX" candidate add --brief 1 "$T/purple.png" "$T/teal.png" "$T/orange.png" >/dev/null
# Eight bad lines: at start their messages cover the lower part of the pane.
mkdir -p "$XDG_CONFIG_HOME/lightbox"
for i in 1 2 3 4 5 6 7 8; do echo "bogus-verb-$i"; done >>"$XDG_CONFIG_HOME/lightbox/config"
LOG="$T/preview.log"

xt_start 100 30 env LIGHTBOX_PREVIEW_LOG="$LOG" EDITOR=true "$LIGHTBOX" tui --brief 1 || exit 1
settle 1
shot 1-messages
like "$(head -1 "$LOG")" 'mode=sixel detected=sixel \(sixel: the DA1 answer lists attribute 4' \
	"xterm -ti vt340 is asked and found to draw sixel"
is "$(xt_count "$T/1-messages.png" "$ORANGE")" 0 "while messages cover the pane the picture stays away"

n=$(lines)
xt_key Escape
settle "$n"
shot 2-picture
ok "when they go, the picture is drawn ($(xt_count "$T/2-picture.png" "$ORANGE") px)" \
	test "$(xt_count "$T/2-picture.png" "$ORANGE")" -gt 20000
ok "as one solid rectangle" solid "$T/2-picture.png" "$ORANGE"

n=$(lines)
xt_key j
settle "$n"
shot 3-moved
ok "moving draws the next picture" solid "$T/3-moved.png" "$TEAL"
is "$(xt_count "$T/3-moved.png" "$ORANGE")" 0 "and no piece of the last one is left"

xt_key question
sleep 1
shot 4-help
is "$(xt_count "$T/4-help.png" "$TEAL")" 0 "the help view leaves nothing of the picture"
n=$(lines)
xt_key q
settle "$n"
shot 5-back
ok "back in the list the picture is drawn again" solid "$T/5-back.png" "$TEAL"

# A prompt that covers nothing: the picture is not sent again.
n=$(lines)
xt_key colon
sleep 0.6
xt_key Escape
sleep 0.6
is "$(lines)" "$n" "opening and closing the command line sends no picture"
# $EDITOR takes the terminal and gives it back: the picture returns.
xt_key E
settle "$n"
shot 5-editor
ok "after \$EDITOR the picture is drawn again" solid "$T/5-editor.png" "$TEAL"

n=$(lines)
xt_key Tab
sleep 1.5
shot 6-grid
ok "the grid draws every picture" test "$(xt_count "$T/6-grid.png" "$ORANGE")" -gt 500 -a \
	"$(xt_count "$T/6-grid.png" "$PURPLE")" -gt 500
ok "each in one piece" solid "$T/6-grid.png" "$ORANGE"

xt_key z
sleep 1.5
shot 7-zoom
ok "the zoom draws the picture larger" test "$(xt_count "$T/7-zoom.png" "$TEAL")" -gt \
	"$(xt_count "$T/6-grid.png" "$TEAL")"
is "$(xt_count "$T/7-zoom.png" "$ORANGE")" 0 "and nothing of the grid stays"

xt_key z Tab
sleep 1.5
shot 8-list
ok "back in the list: the pane's picture, nothing of the zoom" solid "$T/8-list.png" "$TEAL"

before=$(xt_bbox "$T/5-back.png" "$TEAL")
n=$(lines)
xt_resize 560 420
settle "$n"
shot 9-resized
after=$(xt_bbox "$T/9-resized.png" "$TEAL")
ok "after a resize the picture is drawn again ($before -> $after)" solid "$T/9-resized.png" "$TEAL"
ok "at its new size" test "$before" != "$after"

xt_key Q
sleep 1
shot 10-quit
is "$(xt_count "$T/10-quit.png" "$TEAL")" 0 "quitting leaves no picture behind"
done_testing
