#!/bin/sh
# preview-drop.sh - moving on forgets the renders queued for rows left
# behind: with the renderers held still (LIGHTBOX_PREVIEW_THREADS=0, so
# what is queued stays to be counted), twenty steps down a list of
# pictures leave queued only what the last position shows and its
# neighbours (the cursor's row, two after, two before), not the
# neighbours of every row passed; and the picture is drawn once the
# renderers run again.
. "$(dirname "$0")/lib.sh"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

plan 6
lbq init
lbq project add "Posters"
lbq brief add --project 1 --title "Many colours" --prompt "one colour each"
i=1
while [ $i -le 30 ]; do
	mkpng "$T/p$i.png" 64 48 $((i * 8)) $((255 - i * 8)) 40
	i=$((i + 1))
done
lbq candidate add --brief 1 $(i=1; while [ $i -le 30 ]; do echo "$T/p$i.png"; i=$((i + 1)); done)
export LIGHTBOX_PREVIEW_LOG="$T/preview.log"
export LIGHTBOX_PREVIEW_THREADS=0

open_brief 100 30 1
ok "the list of thirty is open" tm_wait_for '\[candidates\].* 1 of 30'
n=1
while [ $n -lt 21 ]; do
	tm_keys j
	n=$((n + 1))
	tm_wait_for "\\[candidates\\].* $n of 30" 5 >/dev/null || break
done
is "$n" 21 "twenty steps down, one frame each"
quit_ok "Q quits"
end=$(sed -n 's/^end //p' "$T/preview.log")
like "$end" '^rendered=0 queued=[0-9]+$' "the preview log counts the queue at the end (nothing rendered)"
queued=${end#*queued=}
ok "at most the last position's five renders are queued, not the neighbours of every row passed ($queued)" \
	test "$queued" -ge 1 -a "$queued" -le 5
tm_stop

# The renderers at work again: the row under the cursor is drawn.
unset LIGHTBOX_PREVIEW_THREADS
open_brief 100 30 1
ok "with renderers the picture is drawn" tm_wait_for 'png 64x48'
done_testing
