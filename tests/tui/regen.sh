#!/bin/sh
# regen.sh - generating from the interface with the offline builtin
# backend: regenerate on a brief (the new candidates appear in the open
# list with no key pressed), the regenerate form (count, seed +1 each,
# size, an override, a one-off prompt, a new brief revision), reroll and
# variations of a candidate (parent and seed recorded), and a backend
# that cannot vary saying why.
. "$(dirname "$0")/lib.sh"

plan 32
mkdir -p "$XDG_CONFIG_HOME/lightbox"
cat >"$XDG_CONFIG_HOME/lightbox/config" <<EOF
set regenerate-count 3
backend echoer type=exec modality=text command="printf %s {prompt}"
EOF
no_stacks # variations are near-copies to the fingerprint: a row each
mkstore

# Regenerate in the candidate list of the empty image brief: one key.
open_brief 120 40 2
tm_keys +
ok "the job is queued with the option's count" tm_wait_for 'job #1 queued: 3 image from builtin'
ok "its candidates appear in the open list without a key" tm_wait_for '\[candidates\].* of 3' 60
ok "and the end of the job is told" tm_wait_for '3 new from job #1' 10
is "$(sql "SELECT count(*), min(backend), count(DISTINCT seed) FROM candidate WHERE job_id = 1")" "3|builtin|3" \
	"three builtin candidates with three seeds in the store"
is "$(sql "SELECT kind, state FROM job WHERE id = 1")" "generate|done" "the job is done"

# The form: count 2, seed 1000 +1 each, size 64x48, family=stripes, a one-off prompt.
tm_keys R
ok "the form opens over the list" tm_wait_for 'Generate for brief #2 Banner image'
like "$(tm_screen)" '┌─ Generate for brief' "its frame has corners"
tm_keys Tab Right
ok "it offers variations of the current candidate" tm_wait_for 'from +. variations of #11'
tm_keys Left Tab C-u
tm_type 2
tm_keys Tab Right Right
ok "the seed mode changes with Right" tm_wait_for 'seed +. \+1 each'
tm_keys Tab
tm_type 1000
tm_keys Tab
tm_type 64x48
tm_keys Tab
tm_type 'family=stripes'
ok "the focused field's help names the backend's parameters" tm_wait_for 'builtin takes: width height family'
tm_keys Tab C-u
tm_type 'stripes of rain'
tm_keys Enter
ok "Enter queues the job" tm_wait_for 'job #2 queued: 2 from builtin, one-off prompt|2 new from job #2' 10
ok "its candidates arrive" tm_wait_for '\[candidates\].* of 5' 60
params=$(sql "SELECT params FROM job WHERE id = 2")
like "$params" '"count": ?2' "the job asks for 2"
like "$params" '"seed_mode": ?"step", ?"seed": ?1000' "from seed 1000, +1 each"
like "$params" '"family": ?"stripes"' "with the override"
like "$params" '"width": ?64, ?"height": ?48' "and the size"
is "$(sql "SELECT group_concat(seed, ',') FROM (SELECT seed FROM candidate WHERE job_id = 2 ORDER BY seed)")" \
	"1000,1001" "the candidates have seeds 1000 and 1001"
is "$(sql "SELECT DISTINCT width || 'x' || height FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE job_id = 2")" \
	"64x48" "at the size asked for"
is "$(sql "SELECT DISTINCT prompt FROM candidate WHERE job_id = 2")" "stripes of rain" "made from the one-off prompt"
is "$(sql "SELECT count(*) FROM brief_revision WHERE brief_id = 2")" 1 "which left the brief as it was"

# A bad value keeps the form open with the reason.
tm_keys R Tab Tab C-u
tm_type 500
tm_keys Enter
ok "a bad count is refused inside the form" tm_wait_for 'count: a whole number from 1 to 100'
# The prompt as a new revision.
tm_keys C-u
tm_type 1
tm_keys Tab Tab Tab Tab Tab C-u
tm_type 'a birch forest in november'
tm_keys Tab Right Enter
ok "a changed prompt can be a new brief revision" \
	tm_wait_for 'job #3 queued: 1 from builtin, new brief revision|1 new from job #3' 10
is "$(sql "SELECT count(*) FROM brief_revision WHERE brief_id = 2")" 2 "the brief has a second revision"
is "$(sql "SELECT r.prompt FROM job j JOIN brief_revision r ON r.id = j.revision_id WHERE j.id = 3")" \
	"a birch forest in november" "the job is made from it"
tm_wait_for '\[candidates\].* of 6' 60 >/dev/null

# Reroll and variations of the candidate under the cursor.
tm_keys g
cur=$(sql "SELECT max(id) FROM candidate WHERE brief_id = 2")
tm_keys r
ok "reroll queues a job" tm_wait_for 'job #4 queued: a reroll with a new seed|1 new from job #4' 10
tm_wait_for '\[candidates\].* of 7' 60 >/dev/null
is "$(sql "SELECT kind, parent_id FROM job WHERE id = 4")" "reroll|$cur" "the reroll names its candidate"
is "$(sql "SELECT c.seed != p.seed, c.revision_id = p.revision_id FROM candidate c, candidate p
	WHERE c.job_id = 4 AND p.id = $cur")" "1|1" "same revision, a new seed"
tm_keys G '~'
ok "variations queue a job" tm_wait_for 'job #5 queued: variations|3 new from job #5' 10
ok "and arrive" tm_wait_for '\[candidates\].* of 10' 60
first=$(sql "SELECT min(id) FROM candidate WHERE brief_id = 2")
is "$(sql "SELECT count(*) FROM candidate WHERE job_id = 5 AND parent_id = $first")" 3 \
	"each variation records its parent"

quit_ok "quits"

# A backend that cannot vary says so: a text candidate made by echoer.
tm_stop
lbq gen 1 --backend echoer -n 1
start_lb 120 40 tui --candidate "$(sql "SELECT max(id) FROM candidate WHERE backend = 'echoer'")"
tm_wait_for '\[detail\]' >/dev/null
tm_keys '~'
ok "variations from a backend that cannot vary say why" \
	tm_wait_for 'echoer \(type exec\) cannot start from a text candidate'
done_testing
