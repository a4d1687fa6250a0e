#!/bin/sh
# editor.sh - leaving for $EDITOR and coming back: editing the brief (a
# new revision), a brief that does not parse (kept and offered again), an
# editor that fails, a long note, and editing a text candidate (the edit
# becomes a child, the original is kept).  $EDITOR is a script that edits
# the file with sed; the screen must come back exactly as it was.
. "$(dirname "$0")/lib.sh"

plan 20
mkstore

# The editor does what $T/mode says.
cat >"$T/editor" <<EOF
#!/bin/sh
case "\$(cat "$T/mode")" in
brief) sed -i 's/warm coffee/cold tea/' "\$1" ;;
bad) sed -i 's/cold tea/hot cocoa/; s/^modality: .*/modality: banana/' "\$1" ;;
fix) sed -i 's/^modality: .*/modality: text/' "\$1" ;;
fail) exit 3 ;;
note) printf 'a longer thought\\nover two lines\\n' >"\$1" ;;
cand) sed -i 's/number 8\\./number eight!/' "\$1" ;;
esac
EOF
chmod +x "$T/editor"
EDITOR="$T/editor"
export EDITOR
mode() { echo "$1" >"$T/mode"; }
body() { tm_screen | sed '$d'; } # the screen without its message line

open_brief 80 24
tm_wait_for '│Leaves fall, number 8' >/dev/null
before=$(body)

mode brief
tm_keys E
ok "E edits the brief: a new revision" tm_wait_for 'brief #1 saved as revision 2'
is "$(sql "SELECT rev || ':' || prompt FROM brief WHERE id = 1")" \
	"2:Three lines about falling leaves and cold tea" "the store has revision 2 with the edit"
is "$(sql "SELECT count(*) FROM brief_revision WHERE brief_id = 1")" 2 "revision 1 is kept"
like "$(tm_screen | head -1)" 'Hero copy r2' "the title bar shows the new revision"
is "$(body | sed 1d)" "$(echo "$before" | sed 1d)" "the screen comes back exactly as it was"

mode bad
tm_keys E
ok "a brief that does not parse is not saved, and says why" tm_wait_for 'brief not saved: .*modality'
is "$(sql "SELECT rev FROM brief WHERE id = 1")" 2 "no revision was made"
mode fix
tm_keys E
ok "E again opens the text as it was written, to fix it" tm_wait_for 'saved as revision 3'
is "$(sql "SELECT prompt FROM brief WHERE id = 1")" "Three lines about falling leaves and hot cocoa" \
	"the first attempt's edit was kept, not lost"

mode fail
tm_keys E
ok "an editor that fails saves nothing and says so" tm_wait_for 'brief not saved: .*status 3'
is "$(sql "SELECT rev FROM brief WHERE id = 1")" 3 "still revision 3"

mode note
before=$(body)
tm_keys N
ok "N writes a long note in the editor" tm_wait_for 'note saved'
is "$(sql "SELECT body FROM note WHERE candidate_id = 8")" "a longer thought
over two lines" "the note is in the store, both lines"
is "$(body)" "$before" "the screen is the same after the editor"

mode cand
tm_keys e
ok "e edits the text candidate: the edit is a new child" tm_wait_for 'your edit is #9, a child of #8'
is "$(sql "SELECT parent_id || ':' || backend FROM candidate WHERE id = 9")" "8:edit" \
	"the child points at its parent"
like "$(sql "SELECT body FROM candidate WHERE id = 9")" 'number eight!' "the child holds the edited text"
like "$(sql "SELECT body FROM candidate WHERE id = 8")" 'number 8\.' "the original is kept as it was"
ok "the new candidate shows in the list" tm_wait_for '^ +9 .*edit'
quit_ok "quits cleanly"
done_testing
