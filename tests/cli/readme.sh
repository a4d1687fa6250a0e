#!/bin/sh
# The commands of issue 2 and the README, from a fresh store, as written.
. "$top_srcdir/tests/lib/tap.sh"
plan 16

cd "$T" || exit 1
mkpng a.png 32 32 200 90 20
mkpng b.png 48 32 20 90 200
printf 'Golden light through birch trees.\n' > notes.txt

ok "init" "$LIGHTBOX" init
ok "project add" "$LIGHTBOX" project add "Autumn campaign"
lb project ls --json
is "$(jq -r '.[0].id, .[0].name, .[0].slug' "$T/out" | tr '\n' ' ')" "1 Autumn campaign autumn-campaign " "project ls --json"
ok "brief add" "$LIGHTBOX" brief add --project 1 --title "hero banner" --prompt "warm autumn forest, wide"
lb brief ls --project 1 --json
is "$(jq -r '.[0].id, .[0].title, .[0].prompt, .[0].revision' "$T/out" | tr '\n' '|')" \
	"1|hero banner|warm autumn forest, wide|1|" "brief ls --json"
ok "candidate add" "$LIGHTBOX" candidate add --brief 1 a.png b.png notes.txt
lb candidate ls --brief 1 --json
is "$(jq -r '.[] | "\(.id) \(.modality) \(.media_type)"' "$T/out" | tr '\n' '|')" \
	"1 image image/png|2 image image/png|3 text text/plain|" "candidate ls --json lists the three"
is "$(jq -r '.[2].text' "$T/out")" "Golden light through birch trees." "the text candidate keeps its text"
is "$(jq -r '.[0].sha256' "$T/out")" "$(sha256sum a.png | cut -d' ' -f1)" "assets are named by sha256"
ok "rate, flag, tag, undo" sh -c '"$LIGHTBOX" rate 2 4 && "$LIGHTBOX" flag 2 pick && "$LIGHTBOX" tag add 2 hero && "$LIGHTBOX" undo'
is "$(sql "SELECT stars || ' ' || flag FROM rating WHERE candidate_id = 2 AND curator = 'alice'")" "4 pick" \
	"the rating and flag stay"
is "$(sql "SELECT count(*) FROM candidate_tag")" "0" "the tag is undone"
lb redo
is "$(sql "SELECT t.name FROM candidate_tag ct JOIN tag t ON t.id = ct.tag_id WHERE candidate_id = 2")" "hero" \
	"redo puts it back"
is "$(sql "PRAGMA integrity_check")" "ok" "the database is sound"
is "$(sql "PRAGMA journal_mode")" "wal" "in WAL mode"
lb --version
like "$(cat "$T/out")" "^lightbox [0-9]+\.[0-9]+" "--version"
done_testing
