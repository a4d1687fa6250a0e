#!/bin/sh
# option-values.sh - a value is a value: an option's value that looks like
# an option (--help, -h, --store) is taken as the value, in every command;
# --help and -h standing as options still print help, and the global
# options still work after the command.
. "$top_srcdir/tests/lib/tap.sh"
plan 31

"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null || exit 1
export LIGHTBOX_NOW=1767225600

lb brief add --project 1 --title "--help" --prompt "--store"
is "$?" 0 "brief add --title --help: exit 0"
is "$(cat "$T/out")" "brief 1 added to project 1" "... and the brief is added, no help printed"
is "$(sql "SELECT title || '|' || prompt FROM brief")" "--help|--store" "... with the title --help and the prompt --store"
lb brief add --project 1 --title t --prompt --store "$T/elsewhere"
like "$(cat "$T/err")" "unexpected argument" "--prompt --store DIR: --store is the prompt, DIR an extra argument"

lb gen 1 --backend builtin -n 1 --prompt "--help"
is "$?" 0 "gen --prompt --help: exit 0"
is "$(sql "SELECT prompt FROM candidate")" "--help" "... and the candidate's prompt is --help"

lb candidate add --brief 1 --text "-h"
is "$(sql "SELECT body FROM candidate WHERE id = 2")" "-h" "candidate add --text -h adds the text -h"
lb project add --description "--help" Q
is "$(sql "SELECT description FROM project WHERE id = 2")" "--help" "project add --description --help"
lb project add -d -h R
is "$(sql "SELECT description FROM project WHERE id = 3")" "-h" "project add -d -h (a short option's value)"
lb select 1 --use "--help" --note "-h"
is "$(sql "SELECT intended_use || '|' || integration FROM selection")" "--help|-h" "select --use --help --note -h"
lb note add --brief 1 --kind comment -- --help
is "$(sql "SELECT body FROM note")" "--help" "after --, --help is text"
lb log --curator "--help"
is "$?" 0 "log --curator --help: exit 0"
unlike "$(cat "$T/out" "$T/err")" "Usage" "... and no help: no curator of that name"
lb note add 1 --kind --help x
is "$?" 2 "note add --kind --help is a bad kind (exit 2)"
like "$(cat "$T/err")" "--kind is comment, edit or integration" "... said as such, not help"
lb jobs --limit --help
like "$(cat "$T/err")" "--limit takes 1 to 100000" "jobs --limit --help: the limit is wrong"
lb stats 1 --brief -h
unlike "$(cat "$T/out")" "Usage" "stats --brief -h: no help"
lb stats 1 --by --help --json
like "$(cat "$T/err")" "unknown field '--help'" "stats --by --help: --help is the field"
lb stats --project --help --by model
like "$(cat "$T/err")" "no project.*--help" "stats --project --help: --help is the project"
lb stats 1 --by model --json --store "$T/nowhere"
like "$(cat "$T/err")" "nowhere" "stats --by ... --store: the global option is taken"

# Help where it stands as an option, abbreviated or short.
lb gen 1 --prompt x --help
like "$(head -1 "$T/out")" "^Usage: lightbox gen BRIEF" "gen --prompt x --help prints help"
lb brief add --project 1 -h
like "$(head -1 "$T/out")" "^Usage: lightbox brief add" "brief add -h prints help"
lb candidate ls --brief 1 --hel
like "$(head -1 "$T/out")" "^Usage: lightbox candidate" "--hel (abbreviated) prints help"
lb export 1 --format=json --help
like "$(head -1 "$T/out")" "^Usage: lightbox export" "export --format=json --help prints help"

lb store copy --bogus "$T/a" "$T/b"
is "$?: $(grep '^lightbox' "$T/err")" "2: lightbox: store copy: unknown option" "store copy --bogus: a usage error"
lb store copy "$LIGHTBOX_STORE" "$T/copy" --help
ok "store copy SRC DST --help prints help and copies nothing" \
	grep -q "^Usage: lightbox store copy" "$T/out" && [ ! -e "$T/copy" ]
lb store copy "$LIGHTBOX_STORE" --store "$T/copy2"
like "$?: $(cat "$T/err")" "^2: .*give SRC and DST" "store copy SRC --store X: --store is the global option, DST missing"

# The global options after the command, and as values.
"$LIGHTBOX" init --store "$T/other" >/dev/null
lb rate 1 5 --store "$T/other"
is "$?" 1 "rate --store OTHER: the option is taken (that store has no candidate 1)"
lb --store "$T/other" brief add --project 1 --title x
like "$(cat "$T/err")" "no project" "--store before the command is taken"
lb brief add --project 1 --title x --store
is "$(cat "$T/err" | head -1)" "lightbox: brief add: --store needs a value" "--store without a value is a usage error"
# Every command takes the global options after it through cli_args (a
# command that does not would let '--store' through to its own parser).
for cmd in $("$LIGHTBOX" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }'); do
	sub=$("$LIGHTBOX" "$cmd" --help 2>&1 | sed -n '1s/^Usage: lightbox [a-z]* \([a-z][a-z]*\).*/\1/p')
	"$LIGHTBOX" "$cmd" $sub --store 2>&1 | head -1 | grep -q -- "--store needs a value" || echo "$cmd $sub"
done >"$T/missing"
is "$(cat "$T/missing")" "" "every command takes the global options after it (cli_args)"
done_testing
