#!/bin/sh
# link.sh - import --link (issue 16 item 2): a file on the store's
# filesystem becomes a hard link (same inode), still verified by SHA-256;
# a linked file changed outside lightbox is detected and never shown as
# the candidate; relink finds a moved original by hash and puts back an
# asset whose file vanished.
. "$top_srcdir/tests/lib/tap.sh"

plan 22
cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add P >/dev/null
"$LIGHTBOX" brief add --project 1 --title Pictures >/dev/null
mkdir in moved
mkpng in/a.png 32 32 10 20 30
mkpng in/b.png 32 32 40 50 60
mkpng in/c.png 32 32 70 80 90
asset_of() { echo "$LIGHTBOX_STORE/assets/$(sql "SELECT substr(a.sha256, 1, 2) || '/' || a.sha256 || '.' || a.ext
	FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.id = $1")"; }

ok "import --link succeeds" lb import in --brief 1 --link
is "$(stat -c %i "$(asset_of 1)")" "$(stat -c %i in/a.png)" "the asset is the imported file: the inode is the same"
is "$(sql "SELECT link, origin FROM asset WHERE id = 1")" "1|$T/in/a.png" "the store records the hard link and where it came from"
is "$(sql "SELECT sha256 FROM asset WHERE id = 1")" "$(sha256sum <in/a.png | cut -d' ' -f1)" "the file is still named by its SHA-256"
lb candidate show 1
like "$(cat "$T/out")" "file: +.*\\.png \\(a hard link\\)" "candidate show says it is a hard link"
ok "verify finds every linked file whole" lb verify

# Changed in place outside lightbox: the same inode, other bytes.
printf 'scribbled over' >>in/b.png
lb candidate show 2
like "$(cat "$T/out")" "file: +NOT SHOWN: its linked file changed outside lightbox" "candidate show says the file changed"
lb candidate show 2 --json
like "$(cat "$T/out")" '"file_state": *"changed"' "and so does its JSON"
unlike "$(cat "$T/out")" '"path": *"/' "which names no file to show"
"$LIGHTBOX" doctor >"$T/doc" 2>&1
like "$(cat "$T/doc")" "linked +3 assets linked, not copied" "doctor counts the linked assets"
like "$(cat "$T/doc")" "1 of them changed or vanished outside lightbox" "and the one changed outside"
fails "verify exits 1" 1 lb verify
like "$(cat "$T/out")" "asset 2 CHANGED: its bytes no longer match its SHA-256; linked from $T/in/b.png" \
	"and names the changed asset and its original"

# Moved: relink finds it by hash and records where it lies now.
mv in/c.png moved/renamed.png
lb relink moved
is "$?" 1 "relink exits 1 while a changed asset has no original left (b.png was edited in place)"
like "$(cat "$T/out")" "missing +asset 2 .*no file in the folder has its bytes" "and says which"
like "$(cat "$T/out")" "moved +asset 3: $T/in/c.png -> $T/moved/renamed.png" "relink finds the moved file by its hash"
is "$(sql "SELECT origin FROM asset WHERE id = 3")" "$T/moved/renamed.png" "and records where it lies now"

# Vanished from the store, the original moved: relink links it again.
rm "$(asset_of 1)"
mv in/a.png moved/a-again.png
lb candidate show 1
like "$(cat "$T/out")" "NOT SHOWN: its linked file is gone" "a vanished asset file is said, not shown"
lb relink moved
like "$(cat "$T/out")" "restored +asset 1 from $T/moved/a-again.png" "relink puts it back"
is "$(stat -c %i "$(asset_of 1)")" "$(stat -c %i moved/a-again.png)" "as a hard link to the moved original"

# Another filesystem: copied, and the import says so.
if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$T")" ]; then
	d=$(mktemp -d /dev/shm/lblink.XXXXXX)
	at_exit "rm -rf $d"
	mkpng "$d/far.png" 8 8 1 1 1
	lb import "$d/far.png" --brief 1 --link
	like "$(cat "$T/err")" "on another filesystem than the store: copied, not linked" "a file on another filesystem is copied, saying so"
	is "$(sql "SELECT link FROM asset ORDER BY id DESC LIMIT 1")" 0 "and recorded as a copy"
else
	ok "# SKIP no second filesystem" true
	ok "# SKIP no second filesystem" true
fi
done_testing
