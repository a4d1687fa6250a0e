#!/bin/sh
# boundaries.sh - only tui/ speaks to the terminal: no other folder
# includes curses.h or chafa.h, and inside tui/ only draw.c and loop.c do
# (views draw through the primitives; only the main loop repaints), and
# the two that put pictures in the cells (preview-symbols.c) and around
# them (preview-pixels.c).
#
# A view reaches the terminal only through the two doors of loop.c:
# tui_busy (a one-line message repainted before a step that keeps the
# thread, such as filtering a big list) and tui_suspend_screen (leaving
# curses for the editor or a player).  The check follows calls, not
# names: every function of tui/ that calls, directly or through other
# functions of tui/, a curses call that writes to the terminal, without
# passing through one of the doors, must be outside the views.  Calls
# through function pointers (the view ops) are not followed: those go
# from the loop into the views, not the other way.
. "$(dirname "$0")/../lib/tap.sh"

plan 4
cd "$top_srcdir" || exit 1
outside=$(grep -rlE '#include <(n?curses|ncursesw/curses|chafa)\.h>' --include='*.c' --include='*.h' . |
	grep -v '^\./tui/' | grep -v '^\./build' | grep -v '^\./lightbox-' || true)
is "$outside" "" "no folder but tui/ includes curses or chafa"
inside=$(grep -lE '#include <(n?curses|ncursesw/curses)\.h>' tui/*.c tui/*.h | sort | tr '\n' ' ')
is "$inside" "tui/draw.c tui/loop.c tui/preview-pixels.c tui/preview-symbols.c " \
	"in tui/, only draw.c, loop.c and the picture drawers include curses"
views=$(grep -lE 'mvadd|wrefresh|doupdate|refresh\(\)' tui/view-*.c tui/cand-actions.c tui/listview.c || true)
is "$views" "" "no view calls curses to write to the terminal"

# FILE FUNCTION CALLEE for every call in every function of tui/ (the
# tree's style: a definition starts in column 0, its body's braces too).
awk '
/^[A-Za-z_].*[A-Za-z_][A-Za-z0-9_]*\(/ && !/;[ \t]*$/ && !/^(if|for|while|return|typedef)/ {
	line = $0
	if (match(line, /[A-Za-z_][A-Za-z0-9_]*\(/))
		pending = substr(line, RSTART, RLENGTH - 1)
	next
}
/^\{/ { if (pending != "") fn = pending; pending = ""; next }
/^\}/ { fn = ""; next }
fn != "" {
	line = $0
	while (match(line, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
		name = substr(line, RSTART, RLENGTH)
		sub(/[ \t]*\($/, "", name)
		print FILENAME, fn, name
		line = substr(line, RSTART + RLENGTH)
	}
}' tui/*.c | sort -u >"$T/calls"
doors=" tui_busy tui_suspend_screen "
reach=" doupdate wrefresh wnoutrefresh refresh endwin putp tputs "
while :; do
	more=$(awk -v r="$reach" -v d="$doors" 'index(r, " " $3 " ") && !index(d, " " $2 " ") &&
		!index(r, " " $2 " ") { print $2 }' "$T/calls" | sort -u | tr '\n' ' ')
	[ -z "$more" ] && break
	reach="$reach$more "
done
# The views: view-*.c and the actions they share (cand-actions.c,
# listview.c).
leaks=$(awk -v r="$reach" 'index(r, " " $3 " ") && ($1 ~ /^tui\/view-/ || $1 == "tui/cand-actions.c" ||
	$1 == "tui/listview.c") {
	print $1 ": " $2 " calls " $3 }' "$T/calls" | sort -u)
is "$leaks" "" "no view reaches the terminal but through tui_busy or tui_suspend_screen"
done_testing
