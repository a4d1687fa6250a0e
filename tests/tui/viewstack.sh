#!/bin/sh
# viewstack.sh - the view stack under valgrind: a zoom over the candidates,
# then jobs and candidates opened over it until the stack is full (it then
# lets go of its oldest views), then back down to the first view.  The zoom
# holds the view below it; the stack must never free a view that another
# still holds (issue 11: this read freed memory, then crashed).
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip_all "valgrind is not installed"
nm "$LIGHTBOX" 2>/dev/null | grep -q __asan_init && skip_all "an ASan build cannot run under valgrind"

plan 5
mkstore
lbq gen 1 -n 1
VG="valgrind --quiet --suppressions=$top_srcdir/tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$T/vg.log"
tm_start 100 30 sh -c "$VG \"\$0\" \"\$@\"; echo \"[exited \$?]\"; exec sleep 600" "$LIGHTBOX" \
	tui --brief 1
ok "the interface runs under valgrind" tm_wait_for '\[candidates\]' 30
tm_keys z
tm_wait_for 'zoom' 20 >/dev/null
i=0
while [ $i -lt 15 ]; do
	tm_keys J
	tm_wait_for '\[jobs\]' 20 >/dev/null
	tm_keys Enter
	tm_wait_for '\[candidates\]' 20 >/dev/null
	i=$((i + 1))
done
ok "fifteen jobs and candidates views over the zoom" tm_wait_for '\[candidates\]' 20
i=0
while [ $i -lt 30 ]; do
	tm_keys q
	sleep 0.2
	i=$((i + 1))
done
ok "back down to the first view, which stays" tm_wait_for 'Hero copy' 30
tm_keys Q
ok "it exits 0 (valgrind found nothing)" tm_wait_for '^\[exited 0\]' 60
like "$(grep -c . "$T/vg.log")" '^0$' "the valgrind log is empty"
[ -s "$T/vg.log" ] && sed 's/^/#   /' "$T/vg.log" | head -60
done_testing
