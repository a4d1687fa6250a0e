#!/bin/sh
# records-export.sh - lightbox export: golden JSON, CSV and Markdown
# records of a small project (clock and curators pinned), the JSON through
# jq and back, CSV read back as RFC 4180, a copied export that
# 'sha256sum -c' verifies, filters, and failures that leave nothing behind.
#
# When the record format changes on purpose, refresh the golden files with
#   REFRESH_GOLDEN=1 make check TESTS=tests/cli/records-export.sh
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

plan 37
MK="python3 $top_srcdir/tests/cli/records-mkfiles.py"
GOLDEN="$top_srcdir/tests/cli/golden"
cd "$T" || exit 1
as() { who=$1; shift; LIGHTBOX_CURATOR=$who "$LIGHTBOX" "$@" >/dev/null; }
at() { LIGHTBOX_NOW=$1; export LIGHTBOX_NOW; }

# ---------------------------------------------------------------- a small project
at 1764230400 # 2025-11-27T08:00:00Z
as alice init
as alice project add --description "Posters and radio spots for the October launch." "Autumn campaign"
as alice brief add --project autumn-campaign --title "Hero poster" --prompt "a red fox in autumn leaves" \
	--negative "blurry" --params '{"steps": 30}' --constraints "no text in the image" --refs "moodboard.pdf"
as alice brief add --project autumn-campaign --title "Radio spot script" --modality text --prompt "30 seconds, warm voice"
as alice brief add --project autumn-campaign --title "Hero poster" --prompt "a second brief with the same title"
mkdir in
$MK stored in/fox-1.png 200 80 40 "a red fox in autumn leaves" 11
at 1764234000
as alice import in/fox-1.png --brief 1
as alice brief edit --prompt "a red fox in autumn leaves, golden hour" 1
$MK stored in/fox-2.png 210 90 30 "a red fox in autumn leaves, golden hour" 12
$MK stored in/fox-3.png 220 100 20
as alice import in/fox-2.png in/fox-3.png --brief 1
as alice candidate add --brief 2 --text "$(printf '=HYPERLINK("http://x") "Fox" spot, take 1\nVoice: warm\033[31m')"
as alice candidate add --brief 2 --text "Take 2: shorter"
at 1764237600
as alice rate 1 5
as alice flag 1 pick
as bob rate 1 4
as cy rate 1 4
as bob rate 2 3
as bob flag 2 pick
as cy flag 3 reject
as alice rate 4 4
as alice tag add 1 hero autumn
as bob tag add 4 radio
as alice note add --kind integration 1 "Crop to 16:9 for the landing page"
as bob note add 1 "Fur looks great"
as alice compare 1 1 2 left
as bob compare 1 2 3 left
as alice compare 1 1 3 left
at 1764241200
as alice select --use "landing page hero" --note "above the fold, 16:9 crop" 1
as bob select --use "radio, first week" 4
at 1764244800

# ---------------------------------------------------------------- golden records
golden() { # NAME FILE: compare with the golden file (the version normalised)
	sed "s/lightbox $(echo "$("$LIGHTBOX" --version)" | cut -d' ' -f2)/lightbox VERSION/" "$2" >"$T/$1.norm"
	if [ "${REFRESH_GOLDEN:-0}" = 1 ]; then
		cp "$T/$1.norm" "$GOLDEN/$1"
	fi
	if cmp -s "$T/$1.norm" "$GOLDEN/$1"; then _tap_result 0 "$1 matches the golden file"; else
		_tap_result 1 "$1 matches the golden file"
		diff -u "$GOLDEN/$1" "$T/$1.norm" | head -40 | sed 's/^/# /'
		echo "# refresh: REFRESH_GOLDEN=1 make check TESTS=tests/cli/records-export.sh"
	fi
}
ok "export as JSON" lb export autumn-campaign
golden records-export.json "$T/out"
cp "$T/out" "$T/record.json"
ok "export as CSV" lb export autumn-campaign --format csv
golden records-export.csv "$T/out"
cp "$T/out" "$T/record.csv"
ok "export as Markdown" lb export autumn-campaign --format md
golden records-export.md "$T/out"

# ---------------------------------------------------------------- the JSON through jq
ok "jq reads the record" jq -e '.format == "lightbox-selection-record" and .format_version == 1' "$T/record.json"
jq . "$T/record.json" >"$T/jq1.json"
ok "what jq writes reads back the same" python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(a != b)' "$T/record.json" "$T/jq1.json"
is "$(jq -r '[.briefs[] | "\(.id):\(.candidates | length)"] | join(" ")' "$T/record.json")" "1:1 2:1 3:0" \
	"every brief, with its selected candidates"
is "$(jq -r '.briefs[0].candidates[0] | [.selection.intended_use, .selection.selected_by, (.ratings | length), .provenance.brief_revision, .provenance.seed] | @json' "$T/record.json")" \
	'["landing page hero","alice",3,1,11]' "selection, ratings and provenance of the hero"
is "$(jq -r '.briefs[0] | [.final_revision.revision, .final_revision.prompt, .earlier_revisions_used[0].revision] | @json' "$T/record.json")" \
	'[2,"a red fox in autumn leaves, golden hour",1]' "the final revision and the earlier one a candidate came from"
is "$(jq -r '.briefs[0].candidates[0].asset.sha256' "$T/record.json")" "$(sha256sum in/fox-1.png | cut -c1-64)" \
	"the asset's SHA-256"
is "$(jq -r '.totals | [.briefs, .candidates, .selected] | @json' "$T/record.json")" "[3,2,2]" "the totals"

# ---------------------------------------------------------------- CSV as RFC 4180
ok "the CSV reads back" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 2, rows
assert open(sys.argv[1], "rb").read().count(b"\r\n") >= 3
t = rows[1]
assert t["selected"] == "yes" and t["intended_use"] == "radio, first week", t
assert t["ratings"] == "alice=4", t["ratings"]
' "$T/record.csv"
is "$(python3 -c '
import csv, sys
print(list(csv.DictReader(open(sys.argv[1], newline="")))[1]["prompt"][:12])' "$T/record.csv")" \
	"30 seconds, " "a field with a comma survives"
ok "a cell a spreadsheet would run is disarmed" grep -q "^Autumn campaign,2,Radio spot script,.*,\"'=HYPERLINK" "$T/record.csv"

# ---------------------------------------------------------------- filters
count() { jq -r '.totals.candidates' "$T/out"; }
lb export autumn-campaign --all
is "$(count)" 5 "--all: every candidate"
lb export autumn-campaign --all --picked
is "$(count)" 2 "--all --picked: the picked ones"
lb export autumn-campaign --all --min-stars 4
is "$(count)" 2 "--all --min-stars 4: mean 4 stars or more"
lb export autumn-campaign --all --tag radio
is "$(count)" 1 "--tag radio"
lb export autumn-campaign --brief 2
is "$(jq -r '[.briefs[].id] | @json' "$T/out")" "[2]" "--brief 2: that brief only"
ok "--out FILE.csv writes CSV" lb export autumn-campaign --out "$T/by-name.csv"
like "$(head -1 "$T/by-name.csv")" "^project,brief_id," "the format follows the name"

# ---------------------------------------------------------------- a copied export
ok "--copy-to copies the selection" lb export autumn-campaign --all --copy-to "$T/delivery"
is "$(cd "$T/delivery" && find . -type f | sort | tr '\n' ' ')" \
	"./.lightbox-export ./MANIFEST.sha256 ./hero-poster/1-1.png ./hero-poster/2-2.png ./hero-poster/3-3.png ./radio-spot-script/1-4.txt ./radio-spot-script/2-5.txt ./selection.json " \
	"as BRIEF-SLUG/N-ID.EXT with the record, a manifest and the marker"
ok "sha256sum -c verifies the copy" sh -c "cd '$T/delivery' && sha256sum -c --strict MANIFEST.sha256"
ok "the copies are the assets" cmp "$T/delivery/hero-poster/1-1.png" in/fox-1.png
fails "an existing folder is refused" 1 "$LIGHTBOX" export autumn-campaign --copy-to "$T/delivery"
like "$(cat "$T/.out")" "already exists; choose a new folder, or add --force" "saying what to do"
ok "--force replaces an earlier export" lb export autumn-campaign --copy-to "$T/delivery" --force
is "$(cd "$T/delivery" && sha256sum -c MANIFEST.sha256 2>&1 | grep -c ': OK')" 3 "with the new selection (two files and the record)"
mkdir "$T/photos" && echo keep >"$T/photos/mine.jpg"
fails "--force never replaces a folder that is not an export" 1 "$LIGHTBOX" export autumn-campaign --copy-to "$T/photos" --force
is "$(cat "$T/photos/mine.jpg")" "keep" "whose files stay"

# ---------------------------------------------------------------- failures leave nothing
sha=$(sha256sum in/fox-1.png | cut -c1-64)
printf 'damaged' >>"$T/store/assets/$(echo "$sha" | cut -c1-2)/$sha.png"
fails "an export meeting a damaged asset fails" 1 "$LIGHTBOX" export autumn-campaign --copy-to "$T/second" --out "$T/second.json"
like "$(cat "$T/.out")" "no longer matches its SHA-256" "and says why"
is "$(ls -a "$T" | grep -c -e second -e '\.tmp')" 0 "leaving no folder, no record and no temporary file"
fails "a record that cannot be written fails" 1 "$LIGHTBOX" export autumn-campaign --out "$T/photos/mine.jpg/x.json"
done_testing
