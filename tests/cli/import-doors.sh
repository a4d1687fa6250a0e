#!/bin/sh
# import-doors.sh - one rule for every door: a file refused by import is
# refused by `candidate add` with the same words, and a file import takes
# is taken by `candidate add` the same way (issue 12 item 13); and import's
# summary adds up, pipes and link loops counted in the whole (item 11).
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

plan 19
MK="python3 $top_srcdir/tests/cli/records-mkfiles.py"
cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add P >/dev/null
"$LIGHTBOX" brief add --project 1 --title Pictures >/dev/null      # brief 1, image
"$LIGHTBOX" brief add --project 1 --title Pictures2 >/dev/null     # brief 2, image
# Import's words for a file: "status: reason".
imp() { "$LIGHTBOX" import "$1" --brief "$2" --json 2>/dev/null |
	jq -r '.files[0] | "\(.status): \(.reason)"'; }
# candidate add's words for it (the reason, from stderr or stdout).
add() { "$LIGHTBOX" candidate add --brief "$2" "$1" >"$T/add.out" 2>"$T/add.err"; echo "$?"; }

# ---------------------------------------------------------------- refused alike
$MK huge huge.png
is "$(add huge.png 1)" 1 "candidate add refuses a picture over the megapixel limit"
like "$(cat "$T/add.err")" "huge.png: the header claims 100000x100000 pixels, over lightbox's limit of 100 megapixels" \
	"naming the limit"
like "$(imp huge.png 1)" "^failed: the header claims 100000x100000 pixels, over lightbox's limit of 100 megapixels" \
	"import refuses it with the same words"
printf 'just words\n' > liar.png
is "$(add liar.png 1)" 1 "candidate add refuses a name that lies about the kind"
like "$(cat "$T/add.err")" "liar.png: named like a PNG image but holds text" "saying what it holds"
like "$(imp liar.png 1)" "^failed: named like a PNG image but holds text" "as import does"
: > empty.png
is "$(add empty.png 1)" 1 "candidate add refuses an empty file"
like "$(imp empty.png 1)" "^failed: empty file" "as import does"
is "$(sql 'SELECT count(*) FROM candidate')" 0 "nothing refused was added"

# ---------------------------------------------------------------- taken alike
# A text of 10 MiB: stored as an asset, not shown inline, by both doors.
yes "a long generated text, line after line" | head -c 10485760 > long.txt
cp long.txt long2.txt && echo "one more line" >> long2.txt
is "$(add long.txt 1)" 0 "candidate add takes a 10 MiB text"
like "$(cat "$T/add.out")" "text over 8 MiB: stored, not shown inline" "saying it is not shown inline"
like "$(imp long2.txt 2)" "^added: .*text over 8 MiB: stored, not shown inline" "as import does"
is "$(sql "SELECT count(*) FROM candidate WHERE body IS NULL AND asset_id IS NOT NULL AND modality = 'text'")" 2 \
	"both are text candidates whose bytes are an asset"
like "$(cat "$T/add.out")" "a text file in an image brief, taken because it was named" \
	"a text named for an image brief goes in, and says so"
mkdir mixed && echo "a note" > mixed/note.txt && mkpng mixed/pic.png 4 4 1 2 3
like "$("$LIGHTBOX" import mixed --brief 1 --json 2>/dev/null |
	jq -r '.files[] | select(.path == "mixed/note.txt") | "\(.status): \(.reason)"')" \
	"^skipped: a text file in a folder, and this is an image brief" "found in a folder, it is left out"

# ---------------------------------------------------------------- the summary adds up
mkdir d && mkpng d/a.png 4 4 9 9 9 && mkpng d/b.png 4 4 8 8 8
mkfifo d/pipe && ln -s loop d/loop && ln -s . d/self && echo x > d/.hidden
"$LIGHTBOX" import d --brief 2 --json >"$T/out" 2>/dev/null
is "$(jq -r '.summary | [.files, .added + ."same-asset" + .duplicate + .sidecar + .skipped + .failed] | @json' \
	"$T/out")" "[6,6]" "the parts add up to the whole: two pictures, a pipe, two loops, a hidden file"
"$LIGHTBOX" import d --brief 2 >"$T/out" 2>/dev/null
like "$(cat "$T/out")" "^Imported 0 of 6 files into brief 2: 0 new, 2 already in, 2 left out, 2 failed" \
	"and so does the line people read"
is "$(add d/pipe 2)" 1 "candidate add of a pipe fails"
like "$(cat "$T/add.err")" "d/pipe: not a regular file" "saying what it is"
done_testing
