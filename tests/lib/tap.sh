# tap.sh - a tiny TAP producer for shell tests (sourced).
#
#   . "$top_srcdir/tests/lib/tap.sh"
#   plan 3
#   ok "the store opens" test -f "$S/lightbox.db"
#   is "$(cmd)" "expected" "what it shows"
#   done_testing
#
# Every test gets a scratch folder $T (removed at exit unless KEEP=1) and a
# store $LIGHTBOX_STORE inside it; the clock and the curator are pinned so
# outputs are stable.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LIGHTBOX:=$top_builddir/lightbox}"
export LIGHTBOX top_srcdir top_builddir

T=$(mktemp -d "${TMPDIR:-/tmp}/lbtest.XXXXXX")
export LIGHTBOX_STORE="$T/store"
export LIGHTBOX_CURATOR="${LIGHTBOX_CURATOR:-alice}"
export XDG_CONFIG_HOME="$T/config"
export XDG_DATA_HOME="$T/data"
export HOME="$T/home"
mkdir -p "$HOME" "$XDG_CONFIG_HOME"
unset VISUAL EDITOR NO_COLOR LIGHTBOX_EDITOR
# import, gen and candidate add return once their background fingerprint
# filler is done (tests/cli/fingerprint-background.sh unsets it)
export LIGHTBOX_TEST_FP_WAIT=1

_tap_n=0
_tap_failed=0
_tap_cleanups=""

at_exit() { _tap_cleanups="$1; $_tap_cleanups"; }
_tap_exit() {
	eval "$_tap_cleanups" 2>/dev/null
	# fingerprint fillers that import, gen and candidate add left at work
	# (each holds its store's lock while it runs): done before $T goes
	find "$T" -name fingerprint.lock 2>/dev/null | while read -r _l; do flock -w 60 "$_l" true; done
	if [ "${KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap _tap_exit EXIT

plan() { echo "1..$1"; }
_tap_result() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		_tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - $2"
	fi
}
# ok DESCRIPTION COMMAND...: passes when the command succeeds.
ok() {
	_d=$1
	shift
	if "$@" >"$T/.out" 2>&1; then _tap_result 0 "$_d"; else
		_tap_result 1 "$_d"
		sed 's/^/# /' "$T/.out" | head -20
	fi
}
# fails DESCRIPTION STATUS COMMAND...: passes when the command exits STATUS.
fails() {
	_d=$1
	_want=$2
	shift 2
	"$@" >"$T/.out" 2>&1
	_got=$?
	if [ "$_got" = "$_want" ]; then _tap_result 0 "$_d"; else
		_tap_result 1 "$_d"
		echo "# exit status $_got, wanted $_want"
		sed 's/^/# /' "$T/.out" | head -20
	fi
}
# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then _tap_result 0 "$3"; else
		_tap_result 1 "$3"
		printf '# got:\n%s\n# wanted:\n%s\n' "$1" "$2" | sed 's/^/#   /'
	fi
}
# like GOT REGEX DESCRIPTION (grep -E on the whole text)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then _tap_result 0 "$3"; else
		_tap_result 1 "$3"
		printf '# wanted /%s/ in:\n%s\n' "$2" "$1" | sed 's/^/#   /' | head -30
	fi
}
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		_tap_result 1 "$3"
		printf '# did not want /%s/ in:\n%s\n' "$2" "$1" | sed 's/^/#   /' | head -30
	else _tap_result 0 "$3"; fi
}
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
done_testing() { exit $((_tap_failed > 0)); }

# lb ARGS...: runs lightbox; its stdout and stderr go to $T/out and $T/err,
# and are added to $T/out.all and $T/err.all (every run's, for checks like
# "the key is in no output").
lb() {
	"$LIGHTBOX" "$@" >"$T/out" 2>"$T/err"
	_lb_rc=$?
	cat "$T/out" >>"$T/out.all"
	cat "$T/err" >>"$T/err.all"
	return $_lb_rc
}
# sql SQL: query the test store.
sql() { sqlite3 -batch -noheader "$LIGHTBOX_STORE/lightbox.db" "$@"; }

# near_copies DIR SEED...: per seed, a 200x200 ImageMagick plasma DIR/oSEED.png
# and four near-copies of it (resized to 90%: rSEED.png, JPEG q70:
# qSEED.jpg, 6% brighter: bSEED.png, 2 pixels shaved off: cSEED.png).
near_copies() {
	_d=$1
	shift
	for _s in "$@"; do
		convert -seed "$_s" -size 200x200 plasma:fractal -write "$_d/o$_s.png" \
			\( +clone -resize 90% -write "$_d/r$_s.png" +delete \) \
			\( +clone -quality 70 -write "$_d/q$_s.jpg" +delete \) \
			\( +clone -modulate 106 -write "$_d/b$_s.png" +delete \) \
			-shave 2x2 "$_d/c$_s.png" || return 1
	done
}

# mkquad FILE W H TL TR BL BR: a PNG in four flat quarters, each colour
# written R,G,B (top left, top right, bottom left, bottom right).
mkquad() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
q = [bytes(map(int, c.split(","))) for c in sys.argv[4:8]]
raw = b"".join(b"\0" + q[2 * (y >= h // 2)] * (w // 2) + q[2 * (y >= h // 2) + 1] * (w - w // 2)
               for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}
# mkpng FILE W H R G B: writes a solid-colour PNG without outside tools.
mkpng() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
path, w, h, r, g, b = sys.argv[1], *map(int, sys.argv[2:7])
raw = b"".join(b"\0" + bytes((r, g, b)) * w for _ in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}

# LB_TEST_DIALECT=pg: the test's store is a database of a private
# PostgreSQL cluster (tests/lib/pg.sh) instead of $T/store, and sql asks
# it (issue 18: tests/*/pg-*.sh run a test written for SQLite so).
if [ "${LB_TEST_DIALECT:-}" = pg ]; then
	. "$top_srcdir/tests/lib/pg.sh"
	pg_start
	LIGHTBOX_STORE=$(pg_newdb lbtest)
	LIGHTBOX_ASSETS=$T/assets
	export LIGHTBOX_STORE LIGHTBOX_ASSETS
	# SQLite's SQL, as the store's rewriter gives it to PostgreSQL
	sql() {
		_sql=$("$top_builddir/tests/lib/pg-translate" "$1") || return 1
		# a change made behind lightbox's back: tell the open
		# interfaces, as lightbox's own commits do (SQLite's are seen
		# by data_version)
		case $_sql in
		[Ss][Ee][Ll][Ee][Cc][Tt]*) ;;
		*) _sql="$_sql; NOTIFY lightbox" ;;
		esac
		pg_sql "$LIGHTBOX_STORE" "$_sql"
	}
fi
