#!/bin/sh
# views.sh - saved views: save (store-wide and per project), replace, list
# with their author, use with --view in candidate ls and export (a
# project's view hides a store-wide one), remove; bad names and queries
# are refused and change nothing.
. "$top_srcdir/tests/lib/tap.sh"
plan 17

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "P" >/dev/null
"$LIGHTBOX" project add "Q" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "copy" --modality text --prompt "lines" >/dev/null
"$LIGHTBOX" brief add --project 2 --title "more" --modality text --prompt "lines" >/dev/null
for w in "red car" "blue car" "red boat"; do "$LIGHTBOX" candidate add --brief 1 --text "$w" >/dev/null; done
"$LIGHTBOX" candidate add --brief 2 --text "red kite" >/dev/null
"$LIGHTBOX" rate 3 5 >/dev/null
"$LIGHTBOX" rate 1 4 >/dev/null

ids() { jq -r '[.[].id] | join(" ")' "$T/out"; }

lb view save reds 'red' --sort stars
is "$(cat "$T/out")" "view 'reds' saved" "view save"
lb view save boats --project 1 'boat OR blue'
lb candidate ls --view reds --json
is "$(ids)" "3 1 4" "--view: its query and its sort (stars)"
lb candidate ls --view reds --sort newest --json
is "$(ids)" "4 3 1" "--sort overrides the view's"
lb view save reds --project 1 'red -boat'
lb candidate ls --view reds --brief 1 --json
is "$(ids)" "1" "a project's view hides the store-wide one"
lb candidate ls --view reds --brief 2 --json
is "$(ids)" "4" "another project's brief gets the store-wide one"
LIGHTBOX_CURATOR=bob lb view save reds 'red OR car'
is "$(cat "$T/out")" "view 'reds' replaced" "saving a name again replaces it"
lb view ls --json
is "$(jq -r '.[] | "\(.name) \(.project_id) \(.author) \(.query)"' "$T/out" | tr '\n' '|')" \
	"boats 1 alice boat OR blue|reds 1 alice red -boat|reds null bob red OR car|" "view ls: each with its author"
lb export 1 --view boats --format csv
is "$(cut -d, -f5 "$T/out" | tail -n +2 | sort | tr '\n' ' ')" "2 3 " "export --view"

lb view save bad 'seed:(('
is "$?" 2 "a bad query is refused"
like "$(cat "$T/err")" "at column 6: expected a value after 'seed'" "with its column"
lb view save "$(printf 'a\033[2Jb')" 'red'
is "$?" 1 "a name with control characters is refused"
lb candidate ls --view nope
like "$(cat "$T/err")" "no saved view 'nope'" "an unknown view is named"
lb candidate ls --view reds --query red
is "$?" 2 "--view and --query together are refused"
is "$(sql "SELECT count(*) FROM saved_view")" 3 "nothing was added by the refused ones"

lb view rm reds --project 1
is "$(cat "$T/out")" "view 'reds' removed" "view rm"
lb view rm reds --project 1
like "$(cat "$T/err")" "no saved view 'reds' for this project" "twice: says there is none"
is "$(sql "SELECT group_concat(action) FROM event WHERE entity = 'saved_view'")" \
	"view-save,view-save,view-save,view-save,view-rm" "saving and removing are in the audit log"
done_testing
