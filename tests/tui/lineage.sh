#!/bin/sh
# lineage.sh - the detail view's lineage: Enter on its parent line opens
# the parent's detail, Enter on a child line opens that child, back comes
# down the way it went (issue 11: Enter there said it does nothing).
. "$(dirname "$0")/lib.sh"

plan 6
mkstore
# 3 and 4 are variations of 2.
sql "UPDATE candidate SET parent_id = 2 WHERE id IN (3, 4)"
start_lb 100 30 tui --candidate 3
ok "the detail of a variation" tm_wait_for 'parent +#2 ' 20
tm_keys G Enter
ok "Enter on its parent line opens the parent" tm_wait_for '#3 › #2|#3 > #2' 20
ok "which lists its children" tm_wait_for 'children +#3 ' 20
tm_keys G Enter
ok "Enter on a child line opens that child" tm_wait_for '#2 › #4|#2 > #4' 20
tm_keys q q
ok "back comes down the way it went" tm_wait_for 'parent +#2 ' 20
tm_wait_gone '#2 › #4' 20 >/dev/null
tm_keys Q
ok "it exits 0" tm_wait_for '^\[exited 0\]' 20
done_testing
