#!/bin/sh
# gc.sh - `lightbox gc` removes asset files nothing refers to once they
# are older than the grace period, and never a file a job may still
# record (listed in its manifest) or a fresh one; `doctor` counts them.
. "$top_srcdir/tests/lib/tap.sh"
plan 18

"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add Harbour >/dev/null
"$LIGHTBOX" brief add --project 1 --title Hero --prompt "a lighthouse" --params '{"width": 32, "height": 24}' >/dev/null
"$LIGHTBOX" gen 1 --seed 7 >/dev/null
A="$LIGHTBOX_STORE/assets"
KEPT=$(sql "SELECT sha256 FROM asset")
keptf="$A/$(printf %.2s "$KEPT")/$KEPT.png"
old() { touch -d '3 days ago' "$@"; }

# An orphan with no row, one whose row no candidate refers to, a leftover
# temporary file; a candidate's file; and a fresh orphan.
orphan="$A/ab/ab$(printf '%062d' 1).png"
rowonly="$A/cd/cd$(printf '%062d' 2).png"
fresh="$A/ef/ef$(printf '%062d' 3).png"
mkdir -p "$A/ab" "$A/cd" "$A/ef" "$A/tmp"
head -c 1000 /dev/zero >"$orphan"
head -c 500 /dev/zero >"$rowonly"
head -c 70 /dev/zero >"$fresh"
head -c 30 /dev/zero >"$A/tmp/in.1.abc"
echo "not lightbox's" >"$A/ab/notes.txt"
sql "INSERT INTO asset (sha256, media_type, ext, bytes, created) VALUES ('cd$(printf '%062d' 2)', 'image/png', 'png', 500, 0)"
old "$orphan" "$rowonly" "$keptf" "$A/tmp/in.1.abc" "$A/ab/notes.txt"

# A job killed after writing its output, before recording it: its file
# is in the manifest, and old.
LIGHTBOX_TEST_DIE_AFTER_OUTPUTS=1 "$LIGHTBOX" gen 1 --seed 8 >/dev/null 2>&1
is "$(sql "SELECT state FROM job WHERE id = 2")" running "a job died between its outputs and its rows"
JOBSHA=$(jq -r '.outputs[0].sha256' "$LIGHTBOX_STORE/cache/jobs/2.json")
jobf="$A/$(printf %.2s "$JOBSHA")/$JOBSHA.png"
old "$jobf"

lb doctor
like "$(cat "$T/out")" "orphans +3 asset files nothing refers to" "doctor counts the orphans older than a day"

lb gc --dry-run
is "$?" 0 "gc --dry-run"
is "$(grep -c '^would remove' "$T/out")" 3 "lists three"
like "$(cat "$T/out")" "would free 1530 bytes" "says what it would free"
ok "and removes nothing" test -f "$orphan" -a -f "$rowonly" -a -f "$A/tmp/in.1.abc"

lb gc
is "$?" 0 "gc"
like "$(cat "$T/out")" "freed 1530 bytes \\(0.0 MB\\) in 3 files" "prints the bytes freed"
is "$(grep -c '^removed assets/' "$T/out")" 3 "and each file removed"
ok "the orphans are gone" test ! -e "$orphan" -a ! -e "$rowonly" -a ! -e "$A/tmp/in.1.abc"
is "$(sql "SELECT count(*) FROM asset WHERE sha256 LIKE 'cd000%'")" 0 "with the unused row"
ok "a candidate's file stays" test -f "$keptf"
ok "the file of a job not yet recorded stays" test -f "$jobf"
ok "a fresh orphan stays" test -f "$fresh"
ok "a file lightbox did not name stays" test -f "$A/ab/notes.txt"

lb gc --grace 0
like "$(cat "$T/out")" "freed 70 bytes" "--grace 0 takes the fresh one too"
"$LIGHTBOX" jobs run >/dev/null 2>&1
is "$(sql "SELECT state FROM job WHERE id = 2") $(sql "SELECT count(*) FROM candidate WHERE job_id = 2")" "done 1" \
	"the job's output, kept, is recorded later"
fails "a bad grace is refused" 2 "$LIGHTBOX" gc --grace soon
done_testing
