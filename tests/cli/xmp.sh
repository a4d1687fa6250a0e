#!/bin/sh
# xmp.sh - XMP sidecars both ways against a peer, exiftool (issue 15 item
# 4): exiftool reads what deliver --xmp and xmp write write; import reads
# what exiftool writes in darktable's layout (NAME.EXT.xmp with the
# darktable namespace) and Lightroom's (NAME.xmp, -1 for rejected).
. "$top_srcdir/tests/lib/tap.sh"
command -v exiftool >/dev/null || skip_all "exiftool is not installed (Debian: libimage-exiftool-perl)"
plan 31

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title "hero shot" --modality image >/dev/null || exit 1
ex() { exiftool -config "$T/dt.cfg" -s3 "$@"; }
# darktable's namespace, as darktable writes it (src/common/exif.cc).
cat >dt.cfg <<'EOF'
%Image::ExifTool::UserDefined = (
	'Image::ExifTool::XMP::Main' => {
		darktable => { SubDirectory => { TagTable => 'Image::ExifTool::UserDefined::darktable' } },
	},
);
%Image::ExifTool::UserDefined::darktable = (
	GROUPS => { 0 => 'XMP', 1 => 'XMP-darktable', 2 => 'Image' },
	NAMESPACE => { 'darktable' => 'http://darktable.sf.net/' },
	WRITABLE => 'string',
	xmp_version => { Writable => 'integer' },
	auto_presets_applied => { Writable => 'integer' },
);
1;
EOF

# ---------------------------------------------------------------- exiftool writes, lightbox reads
mkdir src && mkpng src/dt.png 4 4 200 0 0 && mkpng src/lr.png 4 4 0 200 0 && mkpng src/bad.png 4 4 0 0 200
ok "(a darktable sidecar made by exiftool)" exiftool -config dt.cfg -q -o src/dt.png.xmp \
	-XMP-xmp:Rating=3 -XMP-dc:Subject=sunset -XMP-dc:Subject="night sky" \
	-XMP-darktable:xmp_version=5 -XMP-darktable:auto_presets_applied=1 src/dt.png
ok "(a Lightroom one, NAME.xmp, rejected)" exiftool -q -o src/lr.xmp -XMP-xmp:Rating=-1 -XMP-dc:Subject=blurry src/lr.png
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><broken>\033[2J</x:xmpmeta>' >src/bad.png.xmp
ok "import reads them" lb import --brief 1 src
like "$(cat "$T/out")" "3 of 6 files into brief 1: 3 new, 3 sidecars read" "the sidecars are not candidates"
is "$(sql "SELECT c.source, r.curator, r.stars, r.flag FROM rating r JOIN candidate c ON c.id = r.candidate_id ORDER BY c.id")" \
	"src/dt.png|alice|3|none
src/lr.png|alice||reject" "darktable's rating is the importing curator's; Lightroom's -1 a reject"
like "$(sql "SELECT body FROM note WHERE candidate_id = 2")" "rated 3 in the XMP sidecar dt.png.xmp \(xmp:Rating\), imported" \
	"noted as from XMP"
is "$(sql "SELECT group_concat(name, ' ') FROM (SELECT ct.candidate_id AS c, t.name AS name FROM candidate_tag ct
	JOIN tag t ON t.id = ct.tag_id ORDER BY ct.candidate_id, t.name) GROUP BY c ORDER BY c")" \
	"night-sky sunset
blurry" "keywords become tags (a space as '-')"
like "$(cat "$T/err")" "bad.png: note: its XMP sidecar bad.png.xmp was not read: it is not XMP" "a broken one is a warning"
unlike "$(cat "$T/err" "$T/out")" "XML parsing|$(printf '\033')" "and nothing of it, or of Exempi's complaint, reaches the terminal"

# ---------------------------------------------------------------- lightbox writes, exiftool reads
# Imported in name order: 1 bad.png, 2 dt.png, 3 lr.png.
"$LIGHTBOX" rate 2 5 >/dev/null && "$LIGHTBOX" tag add 2 hero >/dev/null &&
	"$LIGHTBOX" select 2 --use poster --note "left half of the poster" >/dev/null &&
	"$LIGHTBOX" select 3 >/dev/null && "$LIGHTBOX" flag 1 pick >/dev/null
ok "deliver --xmp" lb deliver P --to dl --xmp
ok "with a sidecar NAME.EXT.xmp beside each file" test -f dl/hero-shot/2.png.xmp -a -f dl/hero-shot/3.png.xmp
is "$(ex -XMP-xmp:Rating -XMP-xmp:Label dl/hero-shot/2.png.xmp | tr '\n' ' ')" "5 Selected " "exiftool reads xmp:Rating and xmp:Label"
is "$(ex -XMP-dc:Subject dl/hero-shot/2.png.xmp)" "hero, night-sky, sunset" "dc:subject, the tags"
is "$(ex -XMP-dc:Description dl/hero-shot/2.png.xmp)" "left half of the poster" "dc:description, the integration note"
is "$(ex -XMP-lightbox:Candidate -XMP-lightbox:Brief -XMP-lightbox:Revision -XMP-lightbox:Curator -XMP-lightbox:IntendedUse dl/hero-shot/2.png.xmp | tr '\n' '|')" \
	"2|hero shot|1|alice|poster|" "the lightbox namespace: candidate, brief, revision, curator, use"
is "$(ex -XMP-xmp:Rating -XMP-lightbox:Flag dl/hero-shot/3.png.xmp | tr '\n' ' ')" "-1 reject " "a rejected candidate is -1, as Lightroom writes"
ok "the sidecars are in the manifest" sh -c "cd dl && grep -q '  hero-shot/2.png.xmp$' MANIFEST.sha256 && sha256sum -c --strict --quiet MANIFEST.sha256"

ok "a delivery made without --xmp" lb deliver P --to plain
ok "gets its sidecars when delivered again with --xmp" lb deliver P --to plain --xmp
like "$(cat "$T/err")" "0 new \(0 copied, 0 linked, 0 symlinked, 2 XMP sidecars\), 2 already there" "as new files"
ok "which the manifest lists and verifies" sh -c "cd plain && grep -q '  hero-shot/3.png.xmp$' MANIFEST.sha256 && sha256sum -c --strict --quiet MANIFEST.sha256"

# ---------------------------------------------------------------- xmp write
"$LIGHTBOX" rate 2 2 >/dev/null
ok "xmp write --to the delivery" lb xmp write 1 --to dl
is "$(ex -XMP-xmp:Rating dl/hero-shot/2.png.xmp)" "2" "updates the rating"
ok "and the manifest, which still verifies" sh -c "cd dl && sha256sum -c --strict --quiet MANIFEST.sha256"
fails "xmp write beside the imported files (one is broken: status 1)" 1 lb xmp write 1
like "$(cat "$T/err")" "2 sidecars written" "the two readable ones"
is "$(ex -XMP-xmp:Rating -XMP-lightbox:Candidate src/dt.png.xmp | tr '\n' ' ')" "2 2 " "darktable's sidecar gets lightbox's rating"
is "$(ex -XMP-darktable:xmp_version -XMP-darktable:auto_presets_applied -XMP-dc:Subject src/dt.png.xmp | tr '\n' ' ')" "5 1 sunset, night sky, hero " \
	"and keeps what darktable wrote in it"
ok "Lightroom's NAME.xmp is the one written, no second sidecar" test -f src/lr.xmp -a ! -e src/lr.png.xmp
like "$(cat "$T/err")" "1 sidecar left as it was: src/bad.png.xmp is not an XMP sidecar" "the broken one is left alone"
is "$(head -c 36 src/bad.png.xmp)" '<x:xmpmeta xmlns:x="adobe:ns:meta/">' "untouched"
