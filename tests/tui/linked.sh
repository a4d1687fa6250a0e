#!/bin/sh
# linked.sh - a linked asset (import --link) whose file was changed
# outside lightbox is said as such in the interface, never drawn as the
# candidate (issue 16 item 2); an untouched one is drawn and named a link.
. "$(dirname "$0")/lib.sh"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

plan 4
mkstore
mkdir -p "$T/shots"
mkpng "$T/shots/kept.png" 40 30 200 200 210
mkpng "$T/shots/edited.png" 40 30 90 120 60
lbq import "$T/shots" --brief 2 --link
printf 'scribbled' >>"$T/shots/edited.png"

open_brief 160 70 2
tm_keys Enter
ok "the untouched one is named a hard link" tm_wait_for 'file +a hard link to the imported file'
tm_keys q j Enter
ok "the changed one is said to have changed outside lightbox" \
	tm_wait_for 'file +its linked file changed outside lightbox since it was imported'
unlike "$(tm_screen)" 'path +/' "and no file is named as its picture"
quit_ok "quits"
done_testing
