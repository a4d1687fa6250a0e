#!/bin/sh
# purge.sh - purge in the interface (issue 15 item 3): :purge-preview says
# what `lightbox purge` would free in the open brief, freeing nothing; a
# purged candidate's preview says "file purged" instead of failing to read
# a file that is gone.
. "$(dirname "$0")/lib.sh"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

plan 8
mkstore
cd "$T" || exit 1
mkdir pics && for i in 1 2 3; do mkpng "pics/p$i.png" 4 4 $((i * 60)) 0 0; done
lbq import --brief 2 pics # candidates 9, 10, 11
lbq flag 9 reject
lbq flag 10 reject
lbq rate 11 1
before=$(find store/assets -type f | sort)

open_brief 140 24 2
tm_keys :
tm_type purge-preview
tm_keys Enter
ok ":purge-preview says what would be freed" tm_wait_for 'purge would free 2 files \(0\.0 MiB\): #9 #10; lightbox purge'
ok "and how to free it" tm_wait_for 'lightbox purge 2 --rejected frees them'
tm_keys :
tm_type "purge-preview 2"
tm_keys Enter
ok "with stars to purge below, the low-rated one too" tm_wait_for 'would free 3 files .*--below 2 frees them'
is "$(find store/assets -type f | sort)" "$before" "the preview frees nothing"

lbq purge 2 --rejected --yes
tm_keys C-l
tm_keys G
ok "a purged candidate's preview says so" tm_wait_for '#9 image file purged'
ok "with when, and that the record stays" tm_wait_for 'purged .*: freed by'
tm_keys Tab
ok "the grid's cells say so too" tm_wait_for '^ +file purged +file purged *$'
tm_keys Tab
quit_ok "lightbox quits cleanly"
