#!/bin/sh
# query-stacks.sh - the query term stack: over a brief's stacks of
# near-copies (ImageMagick: resized, JPEG q70, brighter, shaved): the
# best of each stack, the rest, alone or stacked, the stack of candidate
# N, stacks by size; with NOT, in a project, through export; the config's
# stack-distance; and bad values refused with their column.
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v convert >/dev/null || skip_all "ImageMagick's convert is not installed"

plan 18
P="$T/pics"
mkdir -p "$P"
near_copies "$P" 1 2 || exit 1
convert -seed 3 -size 200x200 plasma:fractal "$P/o3.png"
lb init
lb project add Harbour
lb brief add --project harbour --title Boats
lb brief add --project harbour --title Quays
# brief 1: seed 1 and four near-copies (1-5), seed 2 and one (6, 7), a text (8)
lb candidate add --brief 1 "$P/o1.png" "$P/r1.png" "$P/q1.jpg" "$P/b1.png" "$P/c1.png" "$P/o2.png" "$P/q2.jpg"
lb candidate add --brief 1 --text "a caption"
# brief 2: seed 2's other copies (9, 10) and another picture (11)
lb candidate add --brief 2 "$P/b2.png" "$P/c2.png" "$P/o3.png"
lb rate 3 4
lb flag 7 pick
lb flag 2 reject

# ids QUERY [ARGS]: the ids candidate ls --query finds, on one line
ids() {
	_q=$1
	shift
	lb candidate ls --query "$_q" --all --json "$@" && jq -r '[.[].id] | join(" ")' "$T/out"
}
is "$(ids 'stack:top' --brief 1)" "3 7 8" "stack:top: the best of each stack (my stars, a pick), one alone"
is "$(ids 'stack:best' --brief 1)" "3 7 8" "stack:best says the same"
is "$(ids 'stack:rest' --brief 1)" "1 2 4 5 6" "stack:rest: the others, what keep-best would reject"
is "$(ids '-stack:top' --brief 1)" "1 2 4 5 6" "-stack:top: the same"
is "$(ids 'stack:2' --brief 1)" "1 2 3 4 5" "stack:N: the stack candidate N is in"
is "$(ids 'stack:6 OR stack:8')" "6 7 8" "in an OR, over every brief"
is "$(ids 'stack>2' --brief 1)" "1 2 3 4 5" "stack>N: stacks of more than N"
is "$(ids 'stack:alone' --brief 1)" "8" "stack:alone"
is "$(ids 'stack:stacked' --project harbour)" "1 2 3 4 5 6 7 9 10" "stack:stacked in a project: each brief's own stacks"
is "$(ids 'stack:top' --project harbour --limit 2 --after 7)" "8 9 11" "keyset pages go on after an id"
lb rate 5 5
is "$(ids 'stack:top' --brief 1)" "5 7 8" "a new rating makes another the best"
ok "export --query takes it" lb export 1 --format csv --query 'stack:rest'
is "$(cut -d, -f5 "$T/out" | tail -n +2 | sort -n | tr "\n" " ")" "1 2 3 4 6 10 " "... the rest of each stack, in each brief of the project"
mkdir -p "$XDG_CONFIG_HOME/lightbox"
printf 'set stack-distance 0\n' >"$XDG_CONFIG_HOME/lightbox/config"
lb stacks 1 --json
at0=$(jq -r '.stacks[] | select(.members | index(2)) | .members | sort | join(" ")' "$T/out")
is "$(ids 'stack:2' --brief 1)" "$at0" "the config's stack-distance: as 'lightbox stacks' at 0"
like "$at0" '^[0-9 ]+$' "... which keeps fewer together ($at0)"
rm "$XDG_CONFIG_HOME/lightbox/config"
fails "stack:N of no candidate (exit 1: the query is sound, the candidate missing)" 1 lb candidate ls --query 'red stack:99'
like "$(cat "$T/err")" "at column 5: there is no candidate 99" "... says so, with the column"
fails "a bad stack term" 2 lb candidate ls --query 'stack:tall'
