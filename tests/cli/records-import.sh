#!/bin/sh
# records-import.sh - lightbox import end to end: the parameters A1111
# (tEXt, iTXt, zTXt) and ComfyUI write land in the candidate, sidecars,
# one asset per content, resumable runs, briefs from prompts, a progress
# bar on a terminal, and bad input reported file by file while the rest
# goes in.  The files are written by records-mkfiles.py (see its header
# for the formats and where they come from).
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

plan 68
MK="python3 $top_srcdir/tests/cli/records-mkfiles.py"
cd "$T" || exit 1
show() { "$LIGHTBOX" candidate show --json "$1"; }
field() { show "$1" | jq -r "$2"; }

"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add Autumn >/dev/null
"$LIGHTBOX" brief add --project autumn --title "Fox" --prompt "a fox" >/dev/null
"$LIGHTBOX" brief add --project autumn --title "Copy" --modality text >/dev/null

# ---------------------------------------------------------------- recovered fields
mkdir good
$MK a1111 good/a1111-text.png tEXt "a red fox in autumn leaves, (masterpiece:1.2)" "blurry, lowres" 1234567
$MK a1111 good/a1111-itxt.png iTXt "狐と紅葉, 秋の森" "ぼやけた" 42
$MK a1111 good/a1111-ztxt.png zTXt "a fox, zTXt edition" "text" 7
$MK comfy good/comfy.png "beautiful scenery nature glass bottle landscape, purple galaxy bottle," "text, watermark" 156680208700286
ok "the folder imports" lb import good --brief 1 --json
is "$(jq -r '.summary.added' "$T/out")" 4 "four candidates added"
cand_of() { jq -r --arg p "good/$1" '.files[] | select(.path == $p) | .candidate_id' "$T/out"; }
A=$(cand_of a1111-text.png) I=$(cand_of a1111-itxt.png) Z=$(cand_of a1111-ztxt.png) C=$(cand_of comfy.png)

is "$(field "$A" .prompt)" "a red fox in autumn leaves, (masterpiece:1.2)" "A1111 tEXt: prompt"
is "$(field "$A" .negative_prompt)" "blurry, lowres" "A1111 tEXt: negative prompt"
is "$(field "$A" .seed)" 1234567 "A1111 tEXt: seed"
is "$(field "$A" .model)" "sdxl_base_1.0" "A1111 tEXt: model"
is "$(field "$A" '.parameters | [.steps, .sampler, .scheduler, .cfg_scale, .width, .height, .size] | @json')" \
	'[28,"DPM++ 2M","Karras",6.5,64,48,"64x48"]' "A1111 tEXt: steps, sampler, scheduler, CFG, size"
is "$(field "$A" '.parameters | [.model_hash, .generator, .Version] | @json')" \
	'["45a21ea00a","AUTOMATIC1111","v1.10.1"]' "A1111 tEXt: model hash, tool and version"
is "$(field "$A" '[.media_type, .width, .height, .backend] | @json')" '["image/png",64,48,"import"]' \
	"A1111 tEXt: media type, dimensions, backend"
is "$(field "$A" .sha256)" "$(sha256sum good/a1111-text.png | cut -c1-64)" "the asset is the file's SHA-256"
is "$(field "$A" .source)" "good/a1111-text.png" "the source names the file"
is "$(field "$I" .prompt)" "狐と紅葉, 秋の森" "A1111 iTXt: a prompt that is not Latin-1"
is "$(field "$I" '[.negative_prompt, .seed] | @json')" '["ぼやけた",42]' "A1111 iTXt: negative prompt and seed"
is "$(field "$Z" '[.prompt, .negative_prompt, .seed, .parameters.steps] | @json')" '["a fox, zTXt edition","text",7,28]' \
	"A1111 zTXt: compressed text is read too"
is "$(field "$C" .prompt)" "beautiful scenery nature glass bottle landscape, purple galaxy bottle," "ComfyUI: prompt"
is "$(field "$C" '[.negative_prompt, .seed, .model] | @json')" \
	'["text, watermark",156680208700286,"v1-5-pruned-emaonly.ckpt"]' "ComfyUI: negative prompt, seed, checkpoint"
is "$(field "$C" '.parameters | [.steps, .cfg_scale, .sampler, .scheduler, .width, .height, .generator] | @json')" \
	'[20,8,"euler","normal",32,32,"ComfyUI"]' "ComfyUI: steps, CFG, sampler, scheduler, latent size, tool"
like "$(cat "$T/out")" '"parameters_found": true' "the JSON report says parameters were found"

# ---------------------------------------------------------------- sidecars, duplicates, reruns
mkdir more
$MK plain more/side.png 1 2 3
printf 'a quiet harbour at dawn\nNegative prompt: people\nSteps: 12, Sampler: Euler a, Seed: 99, Size: 8x8\n' >more/side.txt
$MK plain more/twin-a.png 9 9 9
cp more/twin-a.png more/twin-b.png
touch more/.DS_Store
ok "a folder with a sidecar and twins imports" lb import more --brief 1 --json
is "$(jq -r '[.summary.added, .summary.sidecar, .summary.duplicate, .summary.skipped] | @json' "$T/out")" "[2,1,1,1]" \
	"counted: 2 added, 1 sidecar, 1 duplicate, 1 hidden file left out"
S=$(jq -r '.files[] | select(.path == "more/side.png") | .candidate_id' "$T/out")
is "$(field "$S" '[.prompt, .negative_prompt, .seed, .parameters.steps] | @json')" \
	'["a quiet harbour at dawn","people",99,12]' "the sidecar's parameters land in the picture's candidate"
like "$(jq -r '.files[] | select(.path == "more/twin-b.png") | .reason' "$T/out")" \
	"^the same bytes as more/twin-a.png, earlier in this import" "the second twin is reported as the same file"
is "$(sql "SELECT count(*) FROM asset WHERE sha256 = '$(sha256sum more/twin-a.png | cut -c1-64)'")" 1 \
	"the twins are one asset"
is "$(sql "SELECT count(*) FROM candidate WHERE source LIKE '%side.txt'")" 0 "the sidecar is no candidate"
n_before=$(sql "SELECT count(*) FROM candidate")
ok "running the same import again succeeds" lb import good more --brief 1
like "$(cat "$T/out")" "Imported 0 of 9 files into brief 1: 0 new, 7 already in, 1 sidecar read, 1 left out" \
	"and skips what is in"
is "$(sql "SELECT count(*) FROM candidate")" "$n_before" "no candidate is added twice"
lb import more/twin-b.png --brief 1 --json
like "$(jq -r '.files[0].reason' "$T/out")" "^already candidate [0-9]+ of brief 1 \\(from more/twin-a.png\\)" \
	"and on a later run as a candidate already there"
ok "the same file into another brief" lb import good/comfy.png --brief 2 --json
is "$(jq -r '.files[0].status' "$T/out")" "same-asset" "is a new candidate sharing the stored bytes"

# An import cut short continues: some files in, then the whole folder.
mkdir half
for i in 1 2 3 4 5 6; do $MK a1111 "half/h$i.png" tEXt "harbour $i" "" "$i"; done
lb import half/h1.png half/h2.png --brief 1
ok "the rest of a half-done folder imports" lb import half --brief 1 --json
is "$(jq -r '[.summary.added, .summary.duplicate] | @json' "$T/out")" "[4,2]" "only the four missing files are added"

# ---------------------------------------------------------------- what a folder leaves out
mkdir mixed
$MK plain mixed/pic.png 4 4 4
echo "a caption" >mixed/caption.md
$MK wav mixed/sound.wav
ok "a mixed folder imports into an image brief" lb import mixed --brief 1 --json
is "$(jq -r '[.files[] | "\(.path)=\(.status)"] | sort | join(" ")' "$T/out")" \
	"mixed/caption.md=skipped mixed/pic.png=added mixed/sound.wav=skipped" \
	"files of another kind in a folder are left out"
ok "named on the command line they go in" lb import mixed/sound.wav --brief 1 --json
is "$(jq -r '.files[0] | [.status, .media_type] | @json' "$T/out")" '["added","audio/wav"]' "as audio"

# ---------------------------------------------------------------- bad input
mkdir bad bad/deep
$MK plain bad/fine.png 50 60 70
$MK truncated bad/truncated.png
$MK bigtext bad/megabytes.png 3
$MK huge bad/huge-header.png
: >bad/zero.png
echo "I am text, not a picture" >bad/liar.png
$MK gif bad/gif-named.png
$MK plain bad/locked.png 80 80 80
chmod 000 bad/locked.png
$MK plain "$(printf 'bad/caf\351.png')" 90 91 92
ln -s self bad/self
ln -s .. bad/deep/up
RUN=""
if [ "$(id -u)" = 0 ]; then
	# root reads any file: the unreadable file is tried as nobody, in a
	# store nobody owns.
	RUN="setpriv --reuid=65534 --regid=65534 --clear-groups"
	chmod 755 "$T"
	chmod -R a+rwX "$T/bad" "$T/store" "$T/.out" 2>/dev/null
	chmod 000 bad/locked.png
	touch "$T/out" "$T/err" && chmod 666 "$T/out" "$T/err"
fi
$RUN "$LIGHTBOX" import bad --brief 1 --json >"$T/out" 2>"$T/err"
is "$?" 1 "an import with bad files exits 1"
status() { jq -r --arg p "$1" '.files[] | select(.path == $p) | "\(.status): \(.reason)"' "$T/out"; }
like "$(status bad/fine.png)" "^added" "the good file goes in"
like "$(status bad/truncated.png)" "^failed: truncated PNG" "a truncated PNG is refused"
like "$(status bad/megabytes.png)" "^added: its metadata text is 3.0 MB" "megabytes of text chunk: the picture goes in, the text is ignored"
like "$(status bad/huge-header.png)" "^failed: the header claims 100000x100000 pixels" "a 100000x100000 header is refused"
like "$(status bad/zero.png)" "^failed: empty file \\(0 bytes\\)" "a zero-byte file is refused"
like "$(status bad/liar.png)" "^failed: named like a PNG image but holds text" "a name that lies about the kind is refused"
like "$(status bad/gif-named.png)" "^added: named .png but holds image/gif: stored as .gif" "a GIF named .png goes in as a GIF"
like "$(status bad/locked.png)" "^failed: cannot read: Permission denied" "an unreadable file is refused"
like "$(status 'bad/caf\xE9.png')" "^added" "a name that is not UTF-8 goes in"
$RUN "$LIGHTBOX" import "$(printf 'bad/caf\351.png')" --brief 1 -v >"$T/v.out" 2>&1
like "$(cat "$T/v.out")" '^duplicate  bad/caf\\xE9.png: already candidate' "and is shown escaped"
like "$(status bad/self)" "^failed: symbolic link loop" "a link to itself is a loop"
like "$(status bad/deep/up)" "^failed: symbolic link loop: leads back to the folder bad" "a link to a parent folder is a loop"
like "$(cat "$T/err")" "lightbox: import: bad/zero.png: empty file" "each failure is on standard error"
is "$(jq -r '[.summary.added, .summary.failed] | @json' "$T/out")" "[4,7]" "4 in, 7 failed"
is "$(sql "SELECT source FROM candidate WHERE source LIKE 'bad/caf%'")" 'bad/caf\xE9.png' "the source keeps the escaped name"
is "$(ls "$T/store/assets/tmp" 2>/dev/null | wc -l)" 0 "no temporary file is left in the store"
sql "SELECT a.sha256 || '  ' || '$T/store/assets/' || substr(a.sha256, 1, 2) || '/' || a.sha256 || '.' || a.ext FROM asset a" >"$T/assets.sum"
ok "every asset row has its file with the right bytes" sha256sum -c --quiet "$T/assets.sum"
is "$(sql "SELECT count(*) FROM candidate c LEFT JOIN asset a ON a.id = c.asset_id WHERE c.asset_id IS NOT NULL AND a.id IS NULL")" 0 \
	"no candidate points at a missing asset"
[ -n "$RUN" ] && chmod -R a+rwX "$T/store"

# ---------------------------------------------------------------- briefs from prompts
"$LIGHTBOX" project add Harvest >/dev/null
mkdir grouped
$MK a1111 grouped/p1-a.png tEXt "golden wheat field at sunset" "rain" 1
$MK a1111 grouped/p1-b.png tEXt "golden wheat field at sunset" "rain" 2
$MK a1111 grouped/p1-c.png tEXt "golden  wheat field at sunset," "rain" 3
$MK a1111 grouped/p2.png tEXt "a lone scarecrow" "" 4
$MK plain grouped/none.png 5 5 5
nb=$(sql "SELECT count(*) FROM brief")
ok "a dry run with --new-brief" lb import grouped --new-brief --project harvest --dry-run
like "$(cat "$T/out")" "Would make 3 briefs" "plans three briefs"
is "$(sql "SELECT count(*) FROM brief")" "$nb" "and makes none"
ok "--new-brief makes briefs from the prompts" lb import grouped --new-brief --project harvest
is "$(sql "SELECT group_concat(t, '|') FROM (SELECT title || '=' || (SELECT count(*) FROM candidate c
	WHERE c.brief_id = b.id) AS t FROM brief b WHERE project_id = 2 ORDER BY b.id)")" \
	"Imported without a prompt (image)=1|golden wheat field at sunset=3|a lone scarecrow=1" \
	"one brief per prompt (spacing and a trailing comma do not split them)"
is "$(sql "SELECT negative FROM brief WHERE title = 'golden wheat field at sunset'")" "rain" "the brief takes the negative prompt"
ok "again" lb import grouped --new-brief --project harvest
is "$(sql "SELECT count(*) FROM brief")" "$((nb + 3))" "a rerun makes no brief and adds nothing"

# ---------------------------------------------------------------- progress and usage
mkdir many
python3 - <<'PY'
import struct, zlib
def chunk(k, d):
    return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xffffffff)
for i in range(250):
    raw = b"".join(b"\0" + bytes((i % 256, i // 256, 9)) * 4 for _ in range(4))
    open("many/m%03d.png" % i, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
lb import many --brief 1
like "$(cat "$T/err")" "lightbox: import: 250 of 250 files \\(250 added" "without a terminal: plain progress lines"
if command -v script >/dev/null; then
	rm -rf many2 && cp -r many many2 && for f in many2/*.png; do printf 'x' >>"$f"; done
	script -qec "$LIGHTBOX import many2 --brief 1" /dev/null >"$T/tty.out" 2>&1
	like "$(cat "$T/tty.out")" "100% \\[#+\\] 250/250" "on a terminal: a progress bar"
else
	ok "# SKIP script(1) missing" true
fi
fails "no brief is a usage error" 2 "$LIGHTBOX" import good
fails "--brief with --new-brief is a usage error" 2 "$LIGHTBOX" import good --brief 1 --new-brief --project autumn
fails "an unknown brief fails" 1 "$LIGHTBOX" import good --brief 99
done_testing
