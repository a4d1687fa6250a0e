#!/bin/sh
# terminal.sh - terminal hygiene: wide characters line up, resizing at any
# moment (also with a prompt open), a terminal below the minimum size, and
# colour: NO_COLOR, 8 colours (TERM=xterm), none at all (TERM=vt100).
. "$(dirname "$0")/lib.sh"

plan 22
mkstore
lbq brief add --project 1 --title "日本語の見出し" --modality text --prompt "縦書き"
lbq candidate add --brief 3 --text "日本語のテキストです。とても長い行が続きます、折り返しを確かめるために。"
lbq candidate add --brief 3 --text "plain ascii text, then 漢字 in the middle and more ascii after it"
lbq tag add 9 日本
lbq tag add 10 mixed漢

# The display column of the first │ on every line that has one, as
# python3 counts East Asian wide characters: all equal means aligned.
sep_columns() {
	tm_screen | python3 -c '
import sys, unicodedata
cols = set()
for line in sys.stdin:
    col = 0
    for ch in line:
        if ch == "\u2502":
            cols.add(col)
            break
        col += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
print(" ".join(str(c) for c in sorted(cols)))'
}

start_lb 80 24 tui --brief 3
ok "a brief with a CJK title opens" tm_wait_for '日本語の見出し r1'
ok "wide text wraps in the preview" tm_wait_for '│plain ascii text, then 漢字 in$'
is "$(sep_columns)" "48" "the pane separator stands in one column on every line"
like "$(screen_line '^ +9 ')" '9 .* 日本 ' "a wide tag is drawn in its column"
tm_keys j
ok "moving draws the other text" tm_wait_for '│日本語のテキストです'
is "$(sep_columns)" "48" "still aligned after moving"

# resizing at any moment
tm_resize 120 40
ok "growing to 120x40 relays out: the text column appears" tm_wait_for '# mine +avg F +age +seed backend +tags +text'
ok "the status line moves to the new bottom" tm_wait_for '\[candidates\]'
is "$(tm_screen | grep -n '\[candidates\]' | cut -d: -f1)" 39 "on line 39 of 40"
tm_keys t
tm_wait_for '^tag:' >/dev/null
tm_type "漢"
tm_resize 60 20
ok "a prompt survives a resize, its text intact" tm_wait_for '^tag: 漢$'
tm_keys Escape
tm_resize 30 8
ok "below the minimum size a clear message, not a broken layout" \
	tm_wait_for 'terminal too small'
like "$(tm_screen)" 'need 40x10' "it says what size is needed"
tm_keys j
tm_resize 80 24
ok "back to 80x24 the interface returns" tm_wait_for '\[candidates\].*of 2'
is "$(sep_columns)" "48" "and lines up again"
quit_ok "quits after all that"
tm_stop

# An SGR that sets a colour (39 and 49, "the default colour", do not).
COLOUR_SGR="$(printf '\033')\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m"

# NO_COLOR: attributes only, no colour escapes at all
NO_COLOR=1
export NO_COLOR
open_brief 80 24
tm_wait_for '│Leaves fall' >/dev/null
unlike "$(tm_screen_ansi)" "$COLOUR_SGR" "NO_COLOR: no colour in the output"
like "$(tm_screen_ansi)" "$(printf '\033')\\[7m" "NO_COLOR: the cursor line and status line are in reverse video"
tm_stop
unset NO_COLOR

# TERM=xterm: 8 colours, no 256-colour escapes
TM_TERM=xterm
open_brief 80 24
tm_wait_for '│Leaves fall' >/dev/null
like "$(tm_screen_ansi)" "$(printf '\033')\\[3[0-7]m" "TERM=xterm uses the 8 basic colours"
unlike "$(tm_screen_ansi)" '38;5;|48;5;' "and nothing it does not have"
tm_stop

# TERM=vt100: no colour, ASCII glyphs
TM_TERM=vt100
open_brief 80 24
ok "TERM=vt100 works" tm_wait_for '\[candidates\]'
unlike "$(tm_screen_ansi)" "$COLOUR_SGR" "TERM=vt100: no colour escapes"
like "$(screen_line '^ +1 ')" '1 \*\*\*\*- 4\.5 P' "TERM=vt100: ASCII stars and flags"
tm_stop
done_testing
