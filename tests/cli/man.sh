#!/bin/sh
# The manual covers the program: every command of `lightbox --help` has an
# entry, and the KEYS and options blocks equal what the action table says
# (run `make update-man` after changing keys or options).
. "$top_srcdir/tests/lib/tap.sh"
page="$top_srcdir/doc/lightbox.1"
cmds=$("$LIGHTBOX" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && $1 != "Commands:" { print $1 }')
n=$(printf '%s\n' $cmds | wc -l)
plan $((n + 5))

like "$n" "^[1-9][0-9]$" "--help lists the commands"
for c in $cmds; do
	# an entry opens with .B "cmd ...", .BI "cmd ..." or .B cmd
	ok "the manual has an entry for '$c'" grep -Eq "^\.(B|BI|BR) \"?$c( |\"|\$)" "$page"
done

"$top_srcdir/doc/man-generate.sh" "$LIGHTBOX" "$page" >"$T/fresh.1"
ok "KEYS and options are the action table's (else: make update-man)" diff "$page" "$T/fresh.1"
like "$(grep -c '^\\fBmove\\-down\\fR' "$page")" "^[1-9]" "the KEYS block is filled"
is "$(grep -c '^\\fBpoll\\-interval\\fR' "$page")" 1 "the options block holds each option once"
MANWIDTH=80 man -l "$page" >"$T/man.txt" 2>"$T/warn"
is "$(cat "$T/warn")" "" "man renders the page without a warning"
done_testing
