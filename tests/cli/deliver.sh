#!/bin/sh
# deliver.sh - lightbox deliver (issue 15 item 1): each mode (--copy, the
# inode of --link, --symlink), MANIFEST.sha256 verified with sha256sum -c,
# --name fields made safe, collisions suffixed, a second run adds only what
# is new and removes or overwrites nothing, a damaged asset refused.
. "$top_srcdir/tests/lib/tap.sh"
plan 49

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add "Spring Campaign" >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title "hero shot" --modality image >/dev/null || exit 1
mkdir src && for i in 1 2 3 4; do mkpng "src/p$i.png" 4 4 $((i * 50)) 10 10; done
"$LIGHTBOX" import --brief 1 src >/dev/null 2>&1 || exit 1
"$LIGHTBOX" select 1 --use "home/page" >/dev/null && "$LIGHTBOX" select 2 --use web >/dev/null &&
	"$LIGHTBOX" rate 1 5 >/dev/null || exit 1
asset() {
	sql "SELECT '$T/store/assets/' || substr(a.sha256, 1, 2) || '/' || a.sha256 || '.' || a.ext
	     FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.id = $1"
}
inode() { stat -c %i "$1"; }
verify() { (cd "$1" && sha256sum -c --strict --quiet MANIFEST.sha256); }
files() { (cd "$1" && find . ! -name . | sort | tr '\n' ' '); }

# ---------------------------------------------------------------- --copy (the default)
ok "deliver copies by default" lb deliver "Spring Campaign" --to copy
like "$(cat "$T/err")" "2 candidates in copy: 2 new \(2 copied, 0 linked, 0 symlinked\)" "saying what it did"
is "$(files copy)" "./.lightbox-delivery ./MANIFEST.sha256 ./hero-shot ./hero-shot/1.png ./hero-shot/2.png ./selection.json " \
	"the files under the default name {brief}/{id}.{ext}, the record and the manifest"
ok "sha256sum -c verifies the manifest" verify copy
ok "(the store's file is where the test looks)" test -f "$(asset 1)"
ok "the copies are files of their own" test "$(inode copy/hero-shot/1.png)" != "$(inode "$(asset 1)")" -a ! -L copy/hero-shot/1.png
is "$(jq -r '[.briefs[].candidates[] | "\(.id)=\(.file)"] | join(" ")' copy/selection.json)" \
	"1=hero-shot/1.png 2=hero-shot/2.png" "the record names each candidate's file"
is "$(ls -a | grep -c '\.tmp\.')" "0" "nothing hidden is left beside it"

# ---------------------------------------------------------------- --link
ok "deliver --link" lb deliver "Spring Campaign" --to linked --link
is "$(inode linked/hero-shot/1.png)" "$(inode "$(asset 1)")" "the delivered file is the store's file (same inode)"
is "$(stat -c %h "$(asset 2)")" "2" "one more name, no second copy"
ok "its manifest verifies" verify linked

# On another file system (tmpfs) a link cannot be made: copied, and said so.
shm=$(mktemp -d /dev/shm/lbdeliver.XXXXXX 2>/dev/null || mktemp -d)
at_exit "rm -rf '$shm'"
if [ "$(stat -c %d "$shm")" != "$(stat -c %d "$T")" ]; then
	ok "--link to another file system" lb deliver "Spring Campaign" --to "$shm/out" --link
	like "$(cat "$T/err")" "2 files copied, not linked: the folder is on another file system than the store" \
		"copies instead, saying why"
	ok "and verifies" verify "$shm/out"
else
	for i in 1 2 3; do ok "# SKIP no second file system for the link test" true; done
fi

# ---------------------------------------------------------------- --symlink
ok "deliver --symlink" lb deliver --brief 1 --to sym --symlink
ok "the files are symbolic links" test -L sym/hero-shot/1.png
is "$(readlink sym/hero-shot/2.png)" "$(asset 2)" "to the store's files"
ok "sha256sum -c follows them" verify sym

# ---------------------------------------------------------------- run again
echo "the client's own notes" >copy/notes.txt
echo "edited by hand" >copy/hero-shot/1.png
"$LIGHTBOX" select 3 --use web >/dev/null
ok "deliver again into the same folder" lb deliver "Spring Campaign" --to copy
like "$(cat "$T/err")" "3 candidates in copy: 1 new .* 2 already there" "adds only the new candidate"
is "$(cat copy/notes.txt):$(cat copy/hero-shot/1.png)" "the client's own notes:edited by hand" \
	"and leaves the rest as it was, edited or not its own"
ok "the new file is there" test -f copy/hero-shot/3.png
like "$(cat copy/MANIFEST.sha256)" "  hero-shot/3.png" "and in the manifest"
unlike "$(cat copy/MANIFEST.sha256)" "notes.txt" "which does not claim the client's file"
ok "a third run changes nothing" lb deliver "Spring Campaign" --to copy
like "$(cat "$T/err")" "0 new .* 3 already there" "saying so"
ok "idempotent: the link delivery verifies after a second run too" sh -c \
	"'$LIGHTBOX' deliver 'Spring Campaign' --to linked --link 2>/dev/null && cd linked && sha256sum -c --strict --quiet MANIFEST.sha256"

# ---------------------------------------------------------------- names
ok "--name with every field" lb deliver 1 --to fields --name '{project}_{use}_{stars}_{seed}_{n}.{ext}'
ok "a value with '/' is made safe (no folder)" test -f "fields/Spring Campaign_home_page_5_noseed_1.png"
mkdir named && echo "someone's" >named/5.png
ok "names that collide" lb deliver 1 --to named --name '{stars}.{ext}'
is "$(cat named/5.png)" "someone's" "never overwrite what is there"
is "$(cd named && ls ./*.png | tr '\n' ' ')" "./0-2.png ./0.png ./5-2.png ./5.png " "a taken name gets a suffix"
ok "and the manifest still verifies" verify named
fails "an unknown field is refused" 2 lb deliver 1 --to x --name '{prompt}.png'
like "$(cat "$T/err")" "unknown field \{prompt\}; the fields are" "naming it"
fails "two modes at once are refused" 2 lb deliver 1 --to x --link --copy

# ---------------------------------------------------------------- --query
# A query chooses among all of the project's candidates, selected or not.
"$LIGHTBOX" tag add 3 keeper >/dev/null && "$LIGHTBOX" tag add 1 keeper >/dev/null
ok "deliver --query takes what the query finds" lb deliver 1 --query "tag:keeper" --to chosen
is "$(files chosen)" "./.lightbox-delivery ./MANIFEST.sha256 ./hero-shot ./hero-shot/1.png ./hero-shot/3.png ./selection.json " \
	"the tagged candidates, #3 though it is not selected, and not #2 though it is"
ok "and the manifest verifies" verify chosen
fails "a query that does not parse is a usage error" 2 lb deliver 1 --query "tag:keeper (" --to bad

# ---------------------------------------------------------------- refusals
LIGHTBOX_STORE="$T/other" "$LIGHTBOX" init >/dev/null
LIGHTBOX_STORE="$T/other" "$LIGHTBOX" project add Q >/dev/null
fails "another store's delivery is refused" 1 env LIGHTBOX_STORE="$T/other" "$LIGHTBOX" deliver Q --to copy
like "$(cat "$T/.out")" "copy holds a delivery of another lightbox store" "saying so"
"$LIGHTBOX" select 4 >/dev/null
chmod u+w "$(asset 4)" && printf 'damaged' >"$(asset 4)"
fails "a damaged asset is not delivered" 1 lb deliver 1 --to broken --link
like "$(cat "$T/err")" "no longer matches its SHA-256" "saying the store is damaged"
ok "and nothing is left" test ! -e broken
fails "nor copied" 1 lb deliver 1 --to broken --copy
like "$(cat "$T/err")" "asset file .* no longer matches its SHA-256" "the copy is checked too"
ok "and nothing is left of it" test ! -e broken
