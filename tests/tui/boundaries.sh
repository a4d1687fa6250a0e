#!/bin/sh
# boundaries.sh - only tui/ speaks to the terminal: no other folder
# includes curses.h or chafa.h, and inside tui/ only draw.c and loop.c do
# (views draw through the primitives; only the main loop repaints), and
# the two that put pictures in the cells (preview-symbols.c) and around
# them (preview-pixels.c).
. "$(dirname "$0")/../lib/tap.sh"

plan 3
cd "$top_srcdir" || exit 1
outside=$(grep -rlE '#include <(n?curses|ncursesw/curses|chafa)\.h>' --include='*.c' --include='*.h' . |
	grep -v '^\./tui/' | grep -v '^\./build' | grep -v '^\./lightbox-' || true)
is "$outside" "" "no folder but tui/ includes curses or chafa"
inside=$(grep -lE '#include <(n?curses|ncursesw/curses)\.h>' tui/*.c tui/*.h | sort | tr '\n' ' ')
is "$inside" "tui/draw.c tui/loop.c tui/preview-pixels.c tui/preview-symbols.c " \
	"in tui/, only draw.c, loop.c and the picture drawers include curses"
views=$(grep -lE 'mvadd|wrefresh|doupdate|refresh\(\)' tui/view-*.c || true)
is "$views" "" "no view writes to the terminal"
done_testing
