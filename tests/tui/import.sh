#!/bin/sh
# import.sh - importing a folder from the interface: the path completes,
# the import runs in its own thread with its progress in the status line,
# the new candidates appear in the open list, a broken file is reported
# and the rest imported, and running it again adds nothing twice; with
# --link first the files are linked into the store, as import --link.
. "$(dirname "$0")/lib.sh"
no_stacks # its test pictures are near-copies to the fingerprint: a row each

plan 14
mkstore
mkdir -p "$T/shots/more"
mkpng "$T/shots/fog-1.png" 40 30 200 200 210
mkpng "$T/shots/fog-2.png" 40 30 90 120 60
mkpng "$T/shots/more/fog-3.png" 64 48 10 10 10
printf 'not a picture at all' >"$T/shots/broken.png"

open_brief 120 40 2
tm_keys I
tm_wait_for '^import files or folders \(--link first: link, not copy\): ' >/dev/null
tm_type "$T/sho"
tm_keys Tab
ok "the path completes to the folder" tm_wait_for "^import files or folders .*: $T/shots/\$"
tm_keys Enter
ok "the import reports what it did" tm_wait_for 'import into brief #2: 3 added, 0 already there, 1 failed' 30
like "$(tm_screen)" 'first failure: .*broken\.png' "and names the file that failed"
is "$(sql "SELECT count(*) FROM candidate WHERE brief_id = 2")" 3 "three candidates in the store"
ok "they appear in the open list" tm_wait_for '\[candidates\].* of 3'
like "$(tm_screen)" 'fog-1\.png' "with their file names"
tm_keys Enter
ok "the detail shows an imported file's facts" tm_wait_for 'pixels +64 x 48'
tm_keys q :
tm_type "import $T/shots"
tm_keys Enter
ok "importing the folder again adds nothing twice" \
	tm_wait_for 'import into brief #2: 0 added, 3 already there, 1 failed' 30
is "$(sql "SELECT count(*) FROM candidate WHERE brief_id = 2")" 3 "still three"
tm_keys :
tm_type "import $T/nowhere"
tm_keys Enter
ok "a path that is not there is refused before anything starts" tm_wait_for 'cannot read .*nowhere; nothing was imported'
mkdir -p "$T/linked"
mkpng "$T/linked/kept.png" 40 30 1 2 3
tm_keys :
tm_type "import --link $T/linked"
tm_keys Enter
ok "--link first: the files are linked" tm_wait_for 'import into brief #2: 1 added \(linked\), 0 already there' 30
asset=$(sql "SELECT substr(sha256, 1, 2) || '/' || sha256 || '.' || ext FROM asset WHERE origin = '$T/linked/kept.png'")
is "$(stat -c %i "$LIGHTBOX_STORE/assets/$asset" 2>&1)" "$(stat -c %i "$T/linked/kept.png")" \
	"the asset is the imported file (the same inode)"
# Another filesystem: copied, and the message says which file and why.
if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$T")" ]; then
	d=$(mktemp -d /dev/shm/lbtui.XXXXXX)
	at_exit "rm -rf $d"
	mkpng "$d/far.png" 40 30 9 9 9
	tm_resize 220 40 # room for the whole message
	tm_keys :
	tm_type "import --link $d"
	tm_keys Enter
	ok "a file that could not be linked is named, with why" \
		tm_wait_for "1 added \(linked where they could be\).*far\.png: on another filesystem than the store: copied" 30
else
	ok "# SKIP no second filesystem" true
fi
quit_ok "quits"
done_testing
