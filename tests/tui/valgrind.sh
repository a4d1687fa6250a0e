#!/bin/sh
# valgrind.sh - the main paths under valgrind: browsing, rating, tagging
# with completion, a note, the detail, the help, the what-wins view (H)
# by two fields and one typed in, a filter and the detail with its matches
# highlighted, a search, marks and a bulk tag, undo, the : line, a resize,
# an import, two folders watched (one linked) and left running to the end,
# a job from the regenerate form run by the interface's runner thread, the
# job view and quitting, with no memory error and nothing definitely or
# indirectly lost.
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip_all "valgrind is not installed"
case "$(file -b "$LIGHTBOX" 2>/dev/null)" in
*ASan* | *asan*) skip_all "an ASan build cannot run under valgrind" ;;
esac
nm "$LIGHTBOX" 2>/dev/null | grep -q __asan_init && skip_all "an ASan build cannot run under valgrind"

plan 12
mkstore
mkdir -p "$T/shots" "$T/w1" "$T/w2"
mkpng "$T/shots/a.png" 8 8 10 20 30
mkpng "$T/shots/b.png" 8 8 30 20 10
# a second brief long enough to be read ahead page by page
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
	INSERT INTO candidate (brief_id, revision_id, modality, body, backend, created)
	SELECT 2, 2, 'text', 'long list ' || i, 'builtin', 1700000000 + i FROM n"
VG="valgrind --quiet --suppressions=$top_srcdir/tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$T/vg.log"
tm_start 100 30 sh -c "$VG \"\$0\" \"\$@\"; echo \"[exited \$?]\"; exec sleep 600" "$LIGHTBOX"
ok "the interface runs under valgrind" tm_wait_for 'Autumn campaign' 30
tm_keys Enter
tm_wait_for 'Hero copy' 20 >/dev/null
tm_keys Enter
tm_wait_for '│Leaves fall, number 8' 20 >/dev/null
tm_keys j 4 p t
tm_wait_for '^tag:' 20 >/dev/null
tm_type he
tm_keys Tab Enter n
tm_wait_for '^note:' 20 >/dev/null
tm_type "under valgrind"
tm_keys Enter
ok "rating, tagging and a note work" tm_wait_for 'note saved' 20
tm_keys Enter
tm_wait_for 'Provenance' 20 >/dev/null
tm_keys q '?'
tm_wait_for '\[help\]' 20 >/dev/null
tm_keys q H
tm_wait_for 'what wins by model' 20 >/dev/null
tm_keys Tab
tm_wait_for 'what wins by sampler' 20 >/dev/null
tm_keys e
tm_wait_for 'what wins by \(a field' 20 >/dev/null
tm_type 'param:steps'
tm_keys Enter
ok "what wins, by a field typed in" tm_wait_for 'what wins by param:steps' 20
tm_keys q f
tm_type "tag:hero"
tm_keys Enter
tm_wait_for 'filter: tag:hero' 20 >/dev/null
tm_keys Enter
ok "the detail of what the filter found" tm_wait_for 'Provenance' 20
tm_keys q
tm_wait_gone 'Provenance' 20 >/dev/null
tm_keys F /
tm_type "number 3"
tm_keys Enter
tm_wait_for '/number 3' 20 >/dev/null
tm_keys M-/ Space Space t
tm_wait_for '^tag marked:' 20 >/dev/null
tm_type "vg"
tm_keys Enter
ok "a bulk tag works" tm_wait_for 'tag vg \(2 marked\)' 20
tm_keys u :
tm_type "sort-by oldest"
tm_keys Enter
tm_resize 80 24
tm_wait_for 'sorted by oldest' 20 >/dev/null
tm_keys B j Enter
tm_wait_for 'Banner image' 20 >/dev/null
tm_keys PageDown PageDown PageDown PageDown PageDown PageDown G
ok "a long list read ahead in the worker, to its end" tm_wait_for ' 2000 of 2000' 30
tm_keys g '\;' :
tm_type "import $T/shots"
tm_keys Enter
ok "an import in its own thread" tm_wait_for 'import into brief #2: 2 added' 30
tm_keys :
tm_type "watch $T/w1"
tm_keys Enter
tm_wait_for "watching $T/w1 for brief #2" 20 >/dev/null
tm_keys :
tm_type "watch --link $T/w2"
tm_keys Enter
tm_wait_for "watching $T/w2 for brief #2, linking them" 20 >/dev/null
mkpng "$T/w2/landed.png" 8 8 50 60 70
ok "two folders watched, a file landed in one" tm_wait_for '\[candidates\].* of 2003' 30
tm_keys R
tm_wait_for 'Generate for brief #2' 20 >/dev/null
tm_keys Tab Tab C-u
tm_type 1
tm_keys Tab Tab Tab
tm_type 16x16
tm_keys Tab
tm_type 'family=noise'
tm_keys Enter
ok "a job from the form, run by the interface's runner" tm_wait_for '1 new from job #1' 60
tm_keys J
tm_wait_for '\[jobs\]' 20 >/dev/null
tm_keys Q
ok "it exits 0 (valgrind found nothing)" tm_wait_for '^\[exited 0\]' 60
like "$(grep -c . "$T/vg.log")" '^0$' "the valgrind log is empty"
is "$(sql "SELECT count(*) FROM candidate_tag ct JOIN tag t ON t.id = ct.tag_id WHERE t.name = 'vg'")" 0 \
	"the undo took the bulk tag back"
[ -s "$T/vg.log" ] && sed 's/^/#   /' "$T/vg.log" | head -60
done_testing
