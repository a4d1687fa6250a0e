#!/bin/sh
# select.sh - at 80x24: selecting a candidate for the project with its
# intended use and an integration note, the selection record view,
# editing the note there, unselecting and undoing it, and the : form.
. "$(dirname "$0")/lib.sh"

plan 16
mkstore
sel() { sql "SELECT intended_use || '|' || integration || '|' || curator FROM selection WHERE candidate_id = $1"; }

open_brief 80 24
tm_keys j
tm_wait_for '│Leaves fall, number 7' >/dev/null
tm_keys s
ok "s asks for the intended use" tm_wait_for '^intended use:'
tm_type "homepage hero"
tm_keys Enter
ok "then for the integration note" tm_wait_for '^integration note \(how it is used\):'
tm_type "cropped to 16:9, headline over the left third"
tm_keys Enter
ok "the selection is confirmed" tm_wait_for 'selected #7 for the project'
is "$(sel 7)" "homepage hero|cropped to 16:9, headline over the left third|alice" \
	"the store records use, note and curator"
ok "the list marks the selected candidate" tm_wait_for '^ +7 .*◆'

tm_keys S
ok "S shows the project's selection record" tm_wait_for 'Hero copy +#7 .*homepage hero +cropped to 16:9'
like "$(tm_screen | head -1)" 'Autumn campaign .* selection ' "the breadcrumb names the project"
tm_keys n
ok "n edits the integration note, prefilled" tm_wait_for '^integration note: cropped to 16:9'
tm_keys C-u
tm_type "full bleed, no crop"
tm_keys Enter
ok "the new note shows" tm_wait_for 'homepage hero +full bleed, no crop'
is "$(sel 7)" "homepage hero|full bleed, no crop|alice" "the store has the new note and the same use"

tm_keys Enter
ok "Enter shows the candidate with its selection" tm_wait_for 'Selected for the project'
tm_keys q d
ok "d takes it out of the selection" tm_wait_for 'taken out of the selection'
is "$(sql "SELECT count(*) FROM selection")" 0 "the store has no selection left"
tm_keys u
ok "u puts it back" tm_wait_for 'Hero copy +#7'

tm_keys q k :
tm_type "select poster | print run, A2"
tm_keys Enter
ok ":select USE | NOTE selects in one line" tm_wait_for 'selected #8 for the project'
is "$(sel 8)" "poster|print run, A2|alice" "the store has it"
done_testing
