#!/bin/sh
# similar-cache.sh - 'similar --all' answers from the packed fingerprint
# file cache/fingerprints.bin, and never from a stale or broken one: a
# candidate added, a fingerprint made again (the row count unchanged), a
# truncated file and a foreign one all give the store's answer.
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"

plan 23
lb init
lb project add Harbour
lb brief add --project harbour --title Boats
lb brief add --project harbour --title Sails
# assets and candidates made in SQL: fingerprints are numbers here
add() { # id brief fp
	sql "INSERT INTO asset (id, sha256, media_type, ext, bytes, created)
	     VALUES ($1, printf('%064x', $1), 'image/png', 'png', 1, 0);
	     INSERT INTO candidate (id, brief_id, revision_id, modality, asset_id, created)
	     VALUES ($1, $2, (SELECT max(id) FROM brief_revision WHERE brief_id = $2), 'image', $1, 0);
	     INSERT INTO fingerprint (asset_id, fp, made) VALUES ($1, $3, 0)"
}
add 1 1 0
add 2 1 1          # 1 bit from #1
add 3 2 255        # 8 bits
add 4 2 -1         # 64 bits
F="$LIGHTBOX_STORE/cache/fingerprints.bin"
near() { jq -c '[.similar[] | [.candidate_id, .distance]]' "$T/out"; }

ok "similar --all" lb similar 1 --all --json
is "$(near)" "[[2,1],[3,8],[4,64]]" "nearest first across briefs"
ok "the packed file is made" test -f "$F"
is "$(head -c 8 "$F")" "LBFPSET1" "... with its magic"
is "$(stat -c %s "$F")" "$((40 + 24 * 4))" "... a header and three arrays of four"
ino=$(stat -c %i "$F")
ok "again, from the file" lb similar 1 --all --json
is "$(near)" "[[2,1],[3,8],[4,64]]" "the same answer"
is "$(stat -c %i "$F")" "$ino" "... and the file was not written again"

add 5 2 3          # 2 bits
lb similar 1 --all --json
is "$(near)" "[[2,1],[5,2],[3,8],[4,64]]" "a candidate added is found at once"

sql "UPDATE fingerprint SET fp = 0 WHERE asset_id = 4"
lb similar 1 --all --json
is "$(near)" "[[4,0],[2,1],[5,2],[3,8]]" "a fingerprint made again (same row count) is seen"

sql "DELETE FROM fingerprint WHERE asset_id = 2; INSERT INTO fingerprint (asset_id, fp, made) VALUES (2, 7, 0)"
lb similar 1 --all --json
is "$(near)" "[[4,0],[5,2],[2,3],[3,8]]" "a fingerprint removed and made again is seen"

head -c 50 "$F" > "$T/short" && cp "$T/short" "$F"
lb similar 1 --all --json
is "$(near)" "[[4,0],[5,2],[2,3],[3,8]]" "a truncated file is not trusted"
is "$(stat -c %s "$F")" "$((40 + 24 * 5))" "... and is written whole again"

# a file of the right size and key whose magic is not ours
{ printf 'NOTOURS!'; tail -c +9 "$F"; } > "$T/foreign" && cp "$T/foreign" "$F"
lb similar 1 --all --json
is "$(near)" "[[4,0],[5,2],[2,3],[3,8]]" "a foreign file is not trusted"

# a brief's and a project's from the current file; a stale one is not
# made again for them
lb project add Other
lb brief add --project other --title Far
add 6 3 1
ok "similar --all with a third brief" lb similar 1 --all --json
is "$(near)" "[[4,0],[6,1],[5,2],[2,3],[3,8]]" "... finds its candidate"
ino=$(stat -c %i "$F")
lb similar 1 --json
is "$(near)" "[[2,3]]" "a brief's, from the file: only the brief's"
lb similar 1 --project harbour --json
is "$(near)" "[[4,0],[5,2],[2,3],[3,8]]" "a project's, from the file: only its briefs'"
add 7 1 0
lb similar 1 --json
is "$(near)" "[[7,0],[2,3]]" "a brief's after a change: the store's answer"
lb similar 1 --project harbour --json
is "$(near)" "[[4,0],[7,0],[5,2],[2,3],[3,8]]" "a project's after a change: the store's answer"
is "$(stat -c %i "$F")" "$ino" "... and the stale file was left for --all to make"

# (as root the folder stays writable: then this checks only the answer)
chmod a-w "$LIGHTBOX_STORE/cache"
rm -f "$F"
ok "a cache that cannot be written: still answers" lb similar 1 --all --json
is "$(near)" "[[4,0],[7,0],[6,1],[5,2],[2,3],[3,8]]" "... the store's answer"
chmod u+w "$LIGHTBOX_STORE/cache"
