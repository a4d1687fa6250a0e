#!/bin/sh
# help.sh - the help view: a golden capture of the full default help of
# the candidate list (every action, unbound ones too, made from the one
# action table), a rebinding and an unbinding showing there and in
# `lightbox keys`, and search in the help.
. "$(dirname "$0")/lib.sh"

plan 10
GOLDEN="$top_srcdir/tests/tui/help.golden"
mkstore

# Tall enough for the whole help on one screen.
open_brief 120 120
tm_keys '?'
ok "? opens the help of the candidate list" tm_wait_for '\[help\].*line 1 of'
tm_screen >"$T/help.txt"
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$T/help.txt" "$GOLDEN"
	echo "# wrote $GOLDEN"
fi
if diff -u "$GOLDEN" "$T/help.txt" >"$T/help.diff"; then
	_tap_result 0 "the help screen is the golden one (tests/tui/help.golden)"
else
	_tap_result 1 "the help screen is the golden one (tests/tui/help.golden)"
	sed 's/^/#   /' "$T/help.diff" | head -60
	echo "# if the change is intended, refresh it with:"
	echo "#   UPDATE_GOLDEN=1 make check TESTS=tests/tui/help.sh"
fi
unlike "$(tail -n +2 "$T/help.txt" | head -n -2 | tail -1)" '[a-z]' \
	"the whole help fits: the last list line is empty"

# Every action the help lists is in `lightbox keys`, and the other way round.
"$LIGHTBOX" keys >"$T/keys.txt" 2>&1
sed -n '/^candidates/,/^$/p' "$T/keys.txt" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^[a-z]+(-[a-z0-9]+)+$|^(open|back|quit|help|undo|redo|tag|untag|note|select|search|filter|sort|mark|compare|pick|reject|unflag|zoom|detail|play|refresh|regenerate|reroll|variations|import|unselect)$/) print $i}' | sort -u >"$T/keys.actions"
grep -oE '^ +[^ ].{20,}' "$T/help.txt" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^[a-z]+(-[a-z0-9]+)*$/ && length($i) >= 3) print $i}' | sort -u >"$T/help.words"
missing=$(comm -23 "$T/keys.actions" "$T/help.words")
is "$missing" "" "every action 'lightbox keys' lists for candidates is in the help"

# search in the help
tm_keys /
tm_type "pick"
tm_keys Enter
ok "/ narrows the help to the matching actions" tm_wait_for '\[help\].*/pick.*line 1 of 3'
like "$(tm_screen | sed -n 2p)" '^ +p +pick +Flag as a pick' "the pick action first"
tm_stop

# A rebinding shows in the help and in `lightbox keys`.
mkdir -p "$XDG_CONFIG_HOME/lightbox"
printf 'bind candidates Y rate-5\nunbind candidates p\n' >"$XDG_CONFIG_HOME/lightbox/config"
open_brief 120 120
tm_keys '?'
ok "the help shows a key bound in the config" tm_wait_for '^ +5 Y +rate-5 '
like "$(tm_screen)" '\(unbound\) +pick ' "and lists an unbound action as such"
like "$("$LIGHTBOX" keys)" '5 Y +rate-5' "lightbox keys shows the binding too"
like "$("$LIGHTBOX" keys --defaults)" '  5 +rate-5' "and --defaults does not"
done_testing
