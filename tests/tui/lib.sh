# lib.sh - what the interface's screen tests share (sourced).
#
#   . "$(dirname "$0")/lib.sh"
#   mkstore                      # the standard little store, see below
#   tm_start 80 24 "$LIGHTBOX"   # then tm_keys / tm_wait_for / sql ...
#
# Each test is a real terminal (tmux, its own server) driven by real keys,
# with assertions on the captured screen and on the store (sqlite3).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tmux.sh"

command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"
[ -x "$LIGHTBOX" ] || skip_all "no lightbox binary at $LIGHTBOX"

# Screens in UTF-8, as most SSH users have them; tests that want ASCII
# or no colour say so.
LANG=C.UTF-8
export LANG
unset LC_ALL LC_CTYPE EDITOR VISUAL NO_COLOR

# lbq ARGS...: runs lightbox quietly; fails the setup loudly.
lbq() {
	if ! "$LIGHTBOX" "$@" >"$T/lbq.out" 2>"$T/lbq.err"; then
		echo "# setup failed: lightbox $*"
		sed 's/^/#   /' "$T/lbq.err"
		exit 1
	fi
}

# mkstore: the standard store.
#   project 1 "Autumn campaign": brief 1 "Hero copy" (text) with candidates
#     1..8 ("Leaves fall, number N..."), brief 2 "Banner image" (image, empty);
#   project 2 "Radio jingles" (no briefs).
#   alice rated 1 (4, pick, tag hero) and 2 (2, tag blue); bob rated 1 (5).
mkstore() {
	lbq init
	lbq project add "Autumn campaign"
	lbq project add "Radio jingles"
	lbq brief add --project 1 --title "Hero copy" --modality text \
		--prompt "Three lines about falling leaves and warm coffee"
	lbq brief add --project 1 --title "Banner image" --prompt "a forest in october, wide"
	for i in 1 2 3 4 5 6 7 8; do
		lbq candidate add --brief 1 --text "Leaves fall, number $i.
The coffee is warm and the light is low; candidate $i has a longer line that wraps in the preview."
	done
	lbq rate 1 4
	lbq flag 1 pick
	lbq tag add 1 hero
	lbq rate 2 2
	lbq tag add 2 blue
	LIGHTBOX_CURATOR=bob lbq rate 1 5
	# Three days old, so ages on screen do not tick while a test runs.
	sql "UPDATE candidate SET created = created - 259200;
		UPDATE brief SET created = created - 259200, updated = updated - 259200;
		UPDATE project SET created = created - 259200;
		UPDATE rating SET updated = updated - 259200;"
}

# start_lb COLS ROWS [ARGS...]: lightbox in a terminal of that size.  A
# shell around it prints "[exited N]" when it ends (tmux does not always
# keep a dead pane's status), and keeps the pane for the screen tests.
# TM_TERM sets the terminal type inside (tmux puts its own TERM in a
# pane's environment, whatever new-session -e says).
start_lb() {
	_c=$1
	_r=$2
	shift 2
	tm_start "$_c" "$_r" env "TERM=${TM_TERM:-tmux-256color}" \
		sh -c '"$0" "$@"; echo "[exited $?]"; exec sleep 600' "$LIGHTBOX" "$@"
}

# open_brief COLS ROWS [BRIEF]: the interface at a brief's candidates.
open_brief() {
	start_lb "$1" "$2" tui --brief "${3:-1}"
	tm_wait_for '\[candidates\]' || { echo "# the interface did not open"; exit 1; }
}

# screen_line REGEX: the first captured line matching REGEX.
screen_line() { tm_screen | grep -E -- "$1" | head -1; }

# quit_ok DESCRIPTION: Q quits and lightbox exits 0.
quit_ok() {
	tm_keys Q
	ok "$1" tm_wait_for '^\[exited 0\]'
}

# sql_wait QUERY EXPECTED: waits up to 5 s until the store answers EXPECTED.
# The interface's writer thread saves a change a moment after the screen
# shows it: a test that reads the store after a screen wait waits for it.
sql_wait() {
	_end=$(($(date +%s) + 5))
	while [ "$(sql "$1")" != "$2" ] && [ "$(date +%s)" -le "$_end" ]; do sleep 0.05; done
}

# no_stacks: the candidate list and the grid show every candidate, stacks
# of near-copies not folded.  Flat synthetic pictures (one colour, four
# quarters, a fog) are near-copies to the fingerprint, so a test of
# something else keeps them apart.  Appends to the config: call it after
# writing one.
no_stacks() {
	mkdir -p "$XDG_CONFIG_HOME/lightbox"
	echo "set stacks off" >>"$XDG_CONFIG_HOME/lightbox/config"
}
