#!/bin/sh
# demo.sh - `lightbox demo` on a terminal builds the demo store and opens
# the interface on its project; the whole loop works there with the
# offline builtin backend (no network, no key): a brief regenerates and
# the new candidates arrive in the open list.  Without a terminal it only
# prints, as before.
. "$(dirname "$0")/lib.sh"

plan 9
lb demo --store "$T/plain" </dev/null
is "$?" 0 "without a terminal the demo builds its store"
like "$(cat "$T/out")" 'Open it with: lightbox --store' "and says how to open it"

start_lb 120 40 demo --store "$T/demo"
ok "on a terminal the interface opens on the demo project" tm_wait_for '\[briefs\]' 120
like "$(tm_screen)" 'Harbour Lights' "at its briefs"
like "$(tm_screen)" 'demo: Enter opens a brief, \+ generates more with builtin' "with a word on what to try"
n=$(sqlite3 "$T/demo/lightbox.db" "SELECT count(*) FROM candidate WHERE brief_id = 3")
tm_keys Down Down Enter
tm_wait_for '\[candidates\]' >/dev/null
tm_keys +
ok "regenerating the tagline brings new candidates into the list" tm_wait_for '[0-9]+ new from job #' 60
is "$(sqlite3 "$T/demo/lightbox.db" "SELECT count(*) - $n FROM candidate WHERE brief_id = 3")" 4 \
	"four more in the store, made by builtin"
tm_keys R
ok "the regenerate form opens" tm_wait_for 'Generate for brief #3'
like "$(tm_screen)" 'prompt +tagline for the café' "a long prompt shows its start while another field has the focus"
tm_keys Escape
done_testing
