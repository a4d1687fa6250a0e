#!/bin/sh
# preview-probe.sh - the questions asked of the terminal at start, against
# a made-up terminal on a pty (pty-term.py): one that answers nothing, one
# that answers garbage, one that answers too late, one that answers well
# while the user types.  Nothing hangs, nothing of an answer is taken for
# a key (a late "ESC [ ? 63;1;2;4 c" holds a 4 and a 2, which rate), keys
# typed during the questions are kept, and doctor says what happened.
. "$(dirname "$0")/lib.sh"

plan 18
PTY="$top_srcdir/tests/tui/pty-term.py"

lbq init
lbq project add "Probe"
lbq brief add --project 1 --title "Swatches" --prompt "flat"
mkpng "$T/a.png" 64 64 200 100 50
mkpng "$T/b.png" 64 64 50 100 200
lbq candidate add --brief 1 "$T/a.png" "$T/b.png"
mkdir -p "$XDG_CONFIG_HOME/lightbox"
echo "set probe-timeout 300" >"$XDG_CONFIG_HOME/lightbox/config"
unset TMUX STY TERM_PROGRAM LC_TERMINAL KITTY_WINDOW_ID COLORTERM SSH_CONNECTION SSH_TTY SSH_CLIENT
ratings() { sql "SELECT count(*) FROM rating"; }

# A terminal that answers nothing: doctor gives up and says so.
fails "doctor ends when nothing answers" 0 python3 "$PTY" --answer none --out "$T/doc1" -- "$LIGHTBOX" doctor
like "$(tr -d '\r' <"$T/doc1")" 'no DA1 answer: gave up' "and says it gave up"
like "$(tr -d '\r' <"$T/doc1")" 'mode: symbols: the terminal answered no question' "symbols, and why"

# The interface starts on it all the same, and quits.
fails "the interface starts without answers and quits on Q" 0 \
	python3 "$PTY" --answer none --wait '[candidates]' --then Q --out "$T/tui1" -- "$LIGHTBOX" tui --brief 1
like "$(cat "$T/tui1")" 'Swatches r1' "it drew the candidates"

# Garbage: reported, and keys typed meanwhile are dropped, not guessed at.
fails "doctor with a garbage answer" 0 python3 "$PTY" --answer garbage --out "$T/doc2" -- "$LIGHTBOX" doctor
like "$(tr -d '\r' <"$T/doc2")" 'not understood' "doctor reports what it did not understand"
fails "the interface starts after garbage and quits" 0 \
	python3 "$PTY" --answer garbage --type 4 --wait '[candidates]' --then Q --out "$T/tui2" -- \
	"$LIGHTBOX" tui --brief 1
is "$(ratings)" 0 "a key typed amid garbage is dropped, not taken"
like "$(cat "$T/tui2")" "$(printf '\033P0;1;0q')" "the DA1 it understood still chose sixel"

# Too late: the answer comes after probe-timeout, while the interface runs.
fails "an answer after the time budget" 0 \
	python3 "$PTY" --answer sixel --late 1.5 --wait '[candidates]' --then 'jQ' --out "$T/tui3" -- \
	"$LIGHTBOX" tui --brief 1
is "$(ratings)" 0 "its digits rated nothing"
unlike "$(cat "$T/tui3")" 'help\]' "its ? opened no help"
unlike "$(cat "$T/tui3")" 'does nothing in' "and none of it was taken for a key"
fails "doctor waits a little longer to say when it came" 0 \
	python3 "$PTY" --answer sixel --late 0.6 --out "$T/doc3" -- "$LIGHTBOX" doctor
like "$(tr -d '\r' <"$T/doc3")" 'the answers came late, after [0-9]+ ms' "and tells to raise probe-timeout"

# Keys typed while a good terminal answers are handed to the interface.
fails "keys typed during the questions" 0 \
	python3 "$PTY" --answer sixel --type 4 --wait '[candidates]' --then Q --out "$T/tui4" -- \
	"$LIGHTBOX" tui --brief 1
is "$(sql "SELECT candidate_id || ':' || stars FROM rating")" "2:4" "the typed 4 rated the first candidate"
done_testing
