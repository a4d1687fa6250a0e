#!/bin/sh
# stacks.sh - fingerprints made after 'candidate add' and by 'lightbox
# fingerprint', near-copies (ImageMagick: resized, JPEG q70, brighter,
# shaved) stacked apart from other pictures, best member first, keep-best
# as one undo step, 'similar' nearest first in a brief, a project and the
# store, and the errors said plainly.
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v convert >/dev/null || skip_all "ImageMagick's convert is not installed"

plan 41
P="$T/pics"
mkdir -p "$P"
near_copies "$P" 1 2 3 || exit 1
# a PNG whose pixels are zeroed: it probes as a PNG, and cannot be decoded
cp "$P/o3.png" "$P/bad.png"
dd if=/dev/zero of="$P/bad.png" bs=1 seek=400 count=3000 conv=notrunc 2>/dev/null

lb init
lb project add Harbour
lb project add Other
lb brief add --project harbour --title Boats
lb brief add --project other --title Elsewhere
# brief 1: seed 1 and its four near-copies, seed 2 and one near-copy, a text
ok "pictures added" lb candidate add --brief 1 "$P/o1.png" "$P/r1.png" "$P/q1.jpg" "$P/b1.png" \
	"$P/c1.png" "$P/o2.png" "$P/q2.jpg"
lb candidate add --brief 1 --text "a caption"
lb candidate add --brief 2 "$P/b2.png" "$P/o3.png"
ok "a picture that cannot be decoded: added" lb candidate add --brief 2 "$P/bad.png"
# the adds started a filler in the background; lightbox fingerprint waits for it
ok "lightbox fingerprint after the adds" lb fingerprint
is "$(sqlite3 "$LIGHTBOX_STORE/lightbox.db" "SELECT count(fp), count(*) FROM fingerprint")" "9|10" \
	"each picture got its fingerprint, the broken one its reason"
ok "--retry tries the broken one again" lb fingerprint --retry
like "$(cat "$T/err")" "1 of 1 pictures have no fingerprint: they could not be decoded \\('lightbox doctor' says why\\)" \
	"... saying so on stderr, with where to look"

ok "stacks as JSON" lb stacks 1 --json
is "$(jq -c '[.stacks[] | .members]' "$T/out")" "[[1,2,3,4,5],[6,7],[8]]" \
	"near-copies stack, others apart, the text alone"
is "$(jq -c '[.candidates, .without_fingerprint, .distance]' "$T/out")" "[8,1,10]" \
	"counts and the default distance"
lb rate 3 4
lb flag 7 pick
lb flag 2 reject
ok "stacks for people" lb stacks 1
like "$(cat "$T/out")" "8 candidates in 3 stacks \\(2 of more than one\\) at distance 10; 1 without a fingerprint" \
	"a summary line"
like "$(cat "$T/out")" "    1    5  #3 1 4 5 2" "best first: my stars, then the older, rejected last"
like "$(cat "$T/out")" "    2    2  #7 6" "a pick above the older"
ok "a distance of 0 keeps only identical fingerprints together" lb stacks 1 --distance 0 --json
is "$(jq '[.stacks[] | select(.size > 1)] | length' "$T/out")" "$(sqlite3 "$LIGHTBOX_STORE/lightbox.db" \
	"SELECT count(*) FROM (SELECT fp FROM fingerprint f JOIN candidate c ON c.asset_id = f.asset_id
	 WHERE c.brief_id = 1 AND fp IS NOT NULL GROUP BY fp HAVING count(*) > 1)")" "... as many stacks of more than one as repeated fingerprints"
mkdir -p "$XDG_CONFIG_HOME/lightbox"
printf 'set stack-distance 0\n' >"$XDG_CONFIG_HOME/lightbox/config"
lb stacks 1 --json
is "$(jq .distance "$T/out")" 0 "the config's stack-distance is the default"
rm "$XDG_CONFIG_HOME/lightbox/config"

# ---------------------------------------------------------------- keep best
ok "keep the best of stack 1" lb stacks 1 --keep-best 1
like "$(cat "$T/out")" "stack 1: kept #3, rejected 3; 'lightbox undo' takes it back" "says what it did"
lb candidate ls --brief 1 --flag reject --json
is "$(jq -c '[.[].id]' "$T/out")" "[1,2,4,5]" "the rest are rejected"
ok "one undo" lb undo
lb candidate ls --brief 1 --flag reject --json
is "$(jq -c '[.[].id]' "$T/out")" "[2]" "puts back all three, and only them"
ok "keep the best of all" lb stacks 1 --keep-best all
like "$(cat "$T/out")" "rejected 4" "four in two stacks"
fails "a stack that is not there" 1 lb stacks 1 --keep-best 9
like "$(cat "$T/err")" "lightbox: stacks: --keep-best: there is no stack '9': the brief has stacks 1 to 3" \
	"says which there are"

# ---------------------------------------------------------------- similar
ok "similar in the brief" lb similar 1 --json
is "$(jq -c '[.similar[] | .candidate_id][0:4] | sort' "$T/out")" "[2,3,4,5]" "near-copies first"
is "$(jq -c '[.similar[].distance] | . == sort' "$T/out")" "true" "nearest first"
ok "similar across the store" lb similar 6 --all --limit 3 --json
is "$(jq -c '[.similar[] | .candidate_id][0:2] | sort' "$T/out")" "[7,9]" \
	"the near-copy in another project too"
lb similar 6 --project other --limit 1 --json
is "$(jq -c '[.scope, .similar[0].candidate_id]' "$T/out")" '["project",9]' "in project other"
fails "a text has no fingerprint" 1 lb similar 8
like "$(cat "$T/err")" "candidate #8 is text, and only pictures and videos have fingerprints" "says so"

# ---------------------------------------------------------------- doctor
ok "doctor" lb doctor
like "$(cat "$T/out")" "fingerprints  9 made, 0 missing, 1 failed" "counts the store's fingerprints"
like "$(cat "$T/out")" "#11: cannot decode PNG" "and says why one failed"
# ---------------------------------------------------------------- background fill
sqlite3 "$LIGHTBOX_STORE/lightbox.db" "DELETE FROM fingerprint WHERE asset_id IN (1, 2, 3)"
ok "doctor --fix makes what is missing" lb doctor --fix
like "$(cat "$T/out")" "fixed         3 made now, 1 could not be made" "three, and tries the failed one again"
sqlite3 "$LIGHTBOX_STORE/lightbox.db" "DELETE FROM fingerprint WHERE asset_id IN (1, 2)"
ok "lightbox fingerprint fills what is missing" lb fingerprint
like "$(cat "$T/out")" "fingerprints: 2 made" "the two"
like "$(cat "$T/out")" "9 picture and video candidates have a fingerprint, 1 has none \\('lightbox fingerprint --retry' tries again\\)" \
	"and counts"
done_testing
