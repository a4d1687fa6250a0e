#!/bin/sh
# config-errors.sh - a bad config file is reported line by line, each
# message short whatever the value (a long one is cut, saying so), and the
# summary names the kind of each bad line with its file:line: bad backend
# definitions are not the same thing as a bad set, bind or source.
. "$top_srcdir/tests/lib/tap.sh"
plan 14

CFG="$T/lb.conf"
"$LIGHTBOX" init >/dev/null || exit 1
BIG=$(awk 'BEGIN { while (n++ < 100000) printf "x" }')

# A 100 KB value in each place a value is shown.
{
	echo "set sort $BIG"
	echo "set poll-interval $BIG"
	echo "bind candidates p $BIG"
	echo "$BIG"
	echo "backend b type=openai url=$BIG"
	echo "backend c type=$BIG"
	echo "backend d type=openai url=http://127.0.0.1:9 model=m $BIG=1"
	echo "backend $BIG type=openai"
} >"$CFG"
lb --config "$CFG" backends
is "$?" 1 "a bad config: backends exits 1"
is "$(grep -c '' "$T/err")" 9 "one line per bad line, and the summary"
is "$(awk 'length($0) > 600' "$T/err")" "" "no line is longer than 600 characters"
like "$(grep ':1: ' "$T/err")" 'sort cannot be "x{60}\.\.\. \(100000 bytes, cut\)" — use one of' \
	"set: the value is cut at 60 characters, saying how long it was"
like "$(grep ':2: ' "$T/err")" 'not "x{60}\.\.\. \(100000 bytes, cut\)"' "set of a number: the same"
like "$(grep ':4: ' "$T/err")" 'unknown command "x{60}\.\.\. \(100000 bytes, cut\)"' "an unknown command: the same"
like "$(grep ':5: ' "$T/err")" 'url=x{100}\.\.\. \(100000 bytes, cut\): it is not a URL' "a backend's url: the same"
like "$(grep ':7: ' "$T/err")" "unknown setting 'x{60}\\.\\.\\. \\(100000 bytes, cut\\)'" "a backend's setting: the same"

# The summary: kinds and places.
printf 'set sort sideways\nbind nowhere x pick\nsource %s/missing.keys\n' "$T" >"$CFG"
lb --config "$CFG" backends
is "$(tail -1 "$T/err")" "lightbox: backends: 3 bad lines ($CFG:1 set, $CFG:2 bind, $CFG:3 source) in the config file — see above" \
	"bad set, bind and source lines are called bad lines, each with its place and kind"
unlike "$(cat "$T/err")" "backend definition" "... not bad backend definitions"
printf 'backend b type=nosuch\nset sort sideways\nbackend\n' >"$CFG"
lb --config "$CFG" backends
is "$(tail -1 "$T/err")" "lightbox: backends: 2 bad backend definitions ($CFG:1, $CFG:3) and 1 other bad line ($CFG:2 set) in the config file — see above" \
	"bad backends and other bad lines are told apart"
awk 'BEGIN { while (n++ < 13000) print "set sort newest # padding padding padding padding padding padding padding padding" }' >"$CFG"
lb --config "$CFG" backends
is "$(tail -1 "$T/err")" "lightbox: backends: 1 config file could not be read ($CFG) — see above" \
	"a file that cannot be read is said so"
printf 'set sort newest\n' >"$CFG"
lb --config "$CFG" backends
is "$(cat "$T/err")" "" "a good config: no summary"
printf 'set sort %s\n' "$BIG" >"$CFG"
lb --config "$CFG" doctor
like "$(grep "$CFG:1" "$T/err")" '^lightbox: doctor: .*\(100000 bytes, cut\)' "doctor shows the same cut message"
done_testing
