#!/bin/sh
# man-generate.sh LIGHTBOX MANPAGE - prints MANPAGE with its generated
# blocks (between ".\" BEGIN GENERATED NAME: COMMAND" and ".\" END
# GENERATED NAME") filled from the built lightbox: the KEYS section and
# the options `set` takes come from the one action table, so the manual
# cannot drift from the program.  `make update-man` writes the result
# back; tests/cli/man.sh fails when the shipped page differs.
set -eu
lb=$1
page=$2
tmp=${TMPDIR:-/tmp}/lb-man.$$
trap 'rm -f "$tmp".*' EXIT
# The key listing alone, and keys + options: the options are the tail.
"$lb" keys --man --defaults >"$tmp.keys"
"$lb" keys --man --options --defaults >"$tmp.all"
n=$(wc -l <"$tmp.keys")
tail -n +"$((n + 1))" "$tmp.all" >"$tmp.options"
awk -v keys="$tmp.keys" -v opts="$tmp.options" '
	/^\.\\" BEGIN GENERATED KEYS/ { print; while ((getline l < keys) > 0) print l; skip = 1; next }
	/^\.\\" BEGIN GENERATED OPTIONS/ { print; while ((getline l < opts) > 0) print l; skip = 1; next }
	/^\.\\" END GENERATED/ { skip = 0 }
	!skip { print }
' "$page"
