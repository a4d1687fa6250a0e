#!/bin/sh
# purge.sh - lightbox purge (issue 15 item 3): the dry run changes
# nothing; a file another candidate, a selection or a delivery uses is
# never freed; the rows stay and show "file purged"; the purge asks, is
# logged, and undo before it reverses the rejection.
. "$top_srcdir/tests/lib/tap.sh"
plan 28

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title one --modality image >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title two --modality image >/dev/null || exit 1
mkdir src && for i in 1 2 3 4 5 6; do mkpng "src/p$i.png" 4 4 $((i * 30)) 0 0; done
"$LIGHTBOX" import --brief 1 src >/dev/null 2>&1 || exit 1 # candidates 1-6
"$LIGHTBOX" import --brief 2 src/p2.png >/dev/null 2>&1 || exit 1 # 7: p2's bytes again
asset() {
	sql "SELECT '$T/store/assets/' || substr(a.sha256, 1, 2) || '/' || a.sha256 || '.' || a.ext
	     FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.id = $1"
}
for c in 1 2 3 4 5; do "$LIGHTBOX" flag $c reject >/dev/null; done
"$LIGHTBOX" rate 6 1 >/dev/null
LIGHTBOX_CURATOR=bob "$LIGHTBOX" flag 4 pick >/dev/null # 4: another curator picks it
"$LIGHTBOX" select 5 >/dev/null && "$LIGHTBOX" unselect 5 >/dev/null
"$LIGHTBOX" flag 5 reject >/dev/null
"$LIGHTBOX" select 3 >/dev/null && "$LIGHTBOX" deliver P --to dl >/dev/null 2>&1 && "$LIGHTBOX" unselect 3 >/dev/null

# ---------------------------------------------------------------- undo first
"$LIGHTBOX" flag 1 none >/dev/null && "$LIGHTBOX" undo >/dev/null
is "$(sql "SELECT flag FROM rating WHERE candidate_id = 1 AND curator = 'alice'")" "reject" \
	"(until a purge runs, a rejection is a flag that undo reverses)"

# ---------------------------------------------------------------- dry run
before=$(find store/assets -type f | sort)
ok "a dry run" lb purge 1 --rejected --below 2 --dry-run
is "$(find store/assets -type f | sort)" "$before" "frees nothing"
is "$(grep -c '^would free' "$T/out")" "3" "lists the three files it would free"
like "$(cat "$T/out")" "would free #1 " "the rejected one"
like "$(cat "$T/out")" "would free #6 " "the one rated below 2"
like "$(cat "$T/out")" "keep  #2 .*another candidate or a selection uses the same file" \
	"keeps a file another candidate (of another brief) uses, saying why"
like "$(cat "$T/out")" "keep  #3 .*a delivery holds it" "keeps a delivered file"
unlike "$(cat "$T/out")" "#4 " "leaves out a candidate someone picked"
like "$(cat "$T/err")" "would free 3 files, .* \(dry run: nothing changed\)" "and says how much"

# ---------------------------------------------------------------- asking
fails "without --yes and no terminal it refuses" 1 lb purge 1 --rejected --below 2
like "$(cat "$T/err")" "no terminal to ask on; nothing was freed: add --yes" "saying why"
is "$(find store/assets -type f | sort)" "$before" "and frees nothing"
fails "it needs to know what is ruled out" 2 lb purge 1
fails "a bad age is refused" 2 lb purge 1 --rejected --older soon
ok "--older 7d frees nothing decided today" lb purge 1 --rejected --older 7d --yes
like "$(cat "$T/err")" "nothing to free" "saying so"

# ---------------------------------------------------------------- the purge
ok "purge --yes" lb purge 1 --rejected --below 2 --yes
like "$(cat "$T/err")" "freed 3 files, " "prints what it freed"
ok "the files are gone" test ! -e "$(asset 1)" -a ! -e "$(asset 6)" -a ! -e "$(asset 5)"
ok "the shared, delivered and picked ones stay" test -f "$(asset 2)" -a -f "$(asset 3)" -a -f "$(asset 4)"
is "$(sql "SELECT count(*) FROM candidate") $(sql "SELECT count(*) FROM asset WHERE purged IS NOT NULL")" "7 3" \
	"every row stays; three assets are marked purged"
like "$("$LIGHTBOX" candidate ls --brief 1)" " 1 +1 +file purged " "candidate ls says 'file purged'"
like "$("$LIGHTBOX" candidate show 1)" "file: +purged .*freed by lightbox purge" "candidate show too"
is "$(sql "SELECT action || ' ' || json_extract(after, '\$.files') FROM event ORDER BY id DESC LIMIT 1")" "purge 3" \
	"the purge is logged"
is "$(sql "SELECT json_extract(after, '\$.bytes') FROM event ORDER BY id DESC LIMIT 1")" \
	"$(($(stat -c %s src/p1.png) + $(stat -c %s src/p5.png) + $(stat -c %s src/p6.png)))" \
	"with the bytes freed"
ok "a second purge finds nothing" lb purge 1 --rejected --below 2 --yes
ok "the delivery still verifies" sh -c "cd dl && sha256sum -c --strict --quiet MANIFEST.sha256"
