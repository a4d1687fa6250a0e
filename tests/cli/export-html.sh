#!/bin/sh
# export-html.sh - `lightbox export --format html --copy-to DIR` in a real
# browser: Debian's chromium, headless, loads DIR/index.html offline
# (in a network namespace of its own when `unshare -n` works here, and
# with every host name mapped to nothing), makes a screenshot, the DOM it
# built and a PDF; pdftotext reads the pieces' captions back.  A note
# holding markup must show as text, and the page must ask for nothing
# outside DIR.  ./bootstrap installs chromium and poppler-utils.
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip_all "chromium is not installed (./bootstrap installs it as root)"
command -v pdftotext >/dev/null || skip_all "pdftotext is not installed (poppler-utils)"

plan 26
cd "$T" || exit 1
HOSTILE='<script>document.title="pwned"</script><img src="http://example.com/x.png"> & "quotes"'

"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "Harbour <b>Lights</b>" >/dev/null
P=$("$LIGHTBOX" project ls | awk 'NR==2{print $1}')
"$LIGHTBOX" brief add --project "$P" --title "Hero image" --prompt "a lighthouse at dusk" >/dev/null
"$LIGHTBOX" brief add --project "$P" --title "Menu texture" --prompt "paper grain" >/dev/null
mkdir files files2
mkpng files/amber.png 160 90 230 150 40
mkpng files/teal.png 90 160 30 140 150
mkpng files2/paper.png 64 64 235 225 200
"$LIGHTBOX" import files --brief 1 >/dev/null 2>&1
"$LIGHTBOX" import files2 --brief 2 >/dev/null 2>&1
LIGHTBOX_CURATOR=ana "$LIGHTBOX" rate 1 5 >/dev/null
LIGHTBOX_CURATOR=ana "$LIGHTBOX" flag 1 pick >/dev/null
LIGHTBOX_CURATOR=ben "$LIGHTBOX" rate 1 3 >/dev/null
LIGHTBOX_CURATOR=ben "$LIGHTBOX" rate 2 4 >/dev/null
"$LIGHTBOX" select 1 --use "website hero banner" --note "cropped 16:9, headline left" >/dev/null
"$LIGHTBOX" select 2 --use "print menu cover" >/dev/null
"$LIGHTBOX" select 3 --use "menu background texture" >/dev/null
"$LIGHTBOX" note add 2 "$HOSTILE" >/dev/null
"$LIGHTBOX" note add 3 "$(printf 'bell\007 and escape\033[2J')" >/dev/null

ok "the html export writes a folder" lb export "$P" --format html --copy-to site
H=site/index.html
ok "index.html is there" test -s "$H"
ok "every file and thumbnail is in the manifest" sh -c 'cd site && sha256sum -c --quiet MANIFEST.sha256'
is "$(ls site/thumbs | wc -l | tr -d ' ')" 3 "a thumbnail per picture, in the folder"
like "$(grep -o '<img src="[^"]*"' "$H" | sort | tr '\n' ' ')" \
	'^<img src="thumbs/1.jpg" <img src="thumbs/2.jpg" <img src="thumbs/3.jpg" $' \
	"the sheet shows the local thumbnails"
like "$(cat "$H")" "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self';" \
	"a CSP allows nothing remote"
unlike "$(cat "$H")" '<script|(src|href)="[a-z]+:|url\(' "no script, no remote or absolute URL"
like "$(cat "$H")" '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;' "the hostile note is escaped"
like "$(cat "$H")" 'Harbour &lt;b&gt;Lights&lt;/b&gt;' "the project's name is escaped"
like "$(cat "$H")" 'bell&#x2407; and escape&#x241B;\[2J' "control characters show as their symbols"
like "$(cat "$H")" '@media print' "a print style sheet"
ok "an html export replaces an earlier one with --force" lb export "$P" --format html --copy-to site --force
fails "html without --copy-to is refused" 2 "$LIGHTBOX" export "$P" --format html
like "$(cat "$T/.out")" "give --copy-to DIR" "the refusal says what to do"

# ---------------------------------------------------------------- chromium
NET=""
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	NET="unshare -n"
else
	echo "# unshare -n does not work here: the network stays up, host names map to nothing"
fi
browse() {
	rm -rf "$T/profile"
	mkdir "$T/profile"
	# shellcheck disable=SC2086
	timeout 120 $NET "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-default-apps --disable-extensions --user-data-dir="$T/profile" \
		--host-resolver-rules="MAP * ~NOTFOUND" --log-net-log="$T/net.json" \
		--window-size=1280,1600 "$@" "file://$T/$H" 2>"$T/chromium.err"
}
ok "chromium makes a screenshot" browse --screenshot="$T/shot.png"
ok "the screenshot is a picture" python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", d[16:24])
sys.exit(not (d[:8] == b"\x89PNG\r\n\x1a\n" and w == 1280 and h == 1600 and len(d) > 20000))' "$T/shot.png"
[ "${KEEP:-0}" = 1 ] && cp "$T/shot.png" "${TMPDIR:-/tmp}/lightbox-export-html.png"
browse --dump-dom >"$T/dom.html"
ok "chromium loads the page and dumps its DOM" grep -q '</html>' "$T/dom.html"
like "$(cat "$T/dom.html")" '<title>Selection record: Harbour &lt;b&gt;Lights&lt;/b&gt;</title>' \
	"no script ran (the title is as written)"
unlike "$(cat "$T/dom.html")" '<script|<img src="http' "the note made no element in the DOM"
# Requests the page made (the browser's own update checks have no origin).
PAGE_REQ=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["events"]:
    p = e.get("params", {})
    if "url" in p and p.get("initiator", "not an origin") != "not an origin":
        print(p["url"])' "$T/net.json")
is "$PAGE_REQ" "" "the page asked the network for nothing"
ok "chromium prints a PDF" browse --print-to-pdf="$T/page.pdf" --no-pdf-header-footer
pdftotext -layout "$T/page.pdf" "$T/page.txt"
TXT=$(tr -s ' \n' '  ' <"$T/page.txt")
like "$TXT" 'Candidate 1: website hero banner' "the PDF shows the first piece's caption"
like "$TXT" 'Candidate 2: print menu cover' "the PDF shows the second piece's caption"
like "$TXT" 'Candidate 3: menu background texture' "the PDF shows the other brief's piece"
like "$TXT" '<script>document.title="pwned" ?</script><img src="http://example.com/x.png"> & "quotes"' \
	"the PDF shows the hostile note as text"
like "$TXT" 'cropped 16:9, headline left' "the PDF shows the integration note"
done_testing
