#!/bin/sh
# more.sh - at 120x40, the rest of the actions: untag (completing the
# candidate's own tags), unselect, compare side by side, the job list
# (retry, cancel), adding and archiving a project, a new brief written in
# $EDITOR, notes on a project and a brief, yank-path and play on text.
. "$(dirname "$0")/lib.sh"

plan 30
mkstore
sql "INSERT INTO job (brief_id, revision_id, kind, backend, state, error, curator, created)
	VALUES (1, 1, 'generate', 'sdxl', 'failed', 'connection refused', 'alice', 1700000000),
	       (1, 1, 'generate', 'sdxl', 'queued', '', 'alice', 1700000100)"
cat >"$T/editor" <<EOF2
#!/bin/sh
sed -i 's/^title:.*/title: Radio spot/; s/^modality:.*/modality: audio/; /^\\[prompt\\]/a a calm voice over rain' "\$1"
EOF2
chmod +x "$T/editor"
EDITOR="$T/editor"
export EDITOR

open_brief 120 40
tm_keys G
tm_wait_for '│Leaves fall, number 1' >/dev/null
tm_keys T
ok "untag offers the candidate's own tag" tm_wait_for '^untag: hero'
tm_keys Enter
ok "and removes it" tm_wait_for 'untagged #1: hero'
is "$(sql "SELECT count(*) FROM candidate_tag WHERE candidate_id = 1")" 0 "the store has no tag on #1"
tm_keys :
tm_type "select banner"
tm_keys Enter
tm_wait_for 'selected #1' >/dev/null
tm_keys M-s
ok "M-s unselects" tm_wait_for '#1 is no longer selected'
is "$(sql "SELECT count(*) FROM selection")" 0 "the store agrees"
tm_keys y
ok "yank-path on text says it has no file" tm_wait_for 'text kept in the store; it has no file'
tm_keys a
ok "play on text says what it is for" tm_wait_for 'play is for audio and video'

tm_keys k c
ok "c compares this candidate and the next side by side" tm_wait_for 'left #1 .*right #2'
like "$(tm_screen)" 'Leaves fall, number 1\..*Leaves fall, number 2\.' "both texts show"
like "$(tm_screen)" 'which is better\? h left <Space> skip|which is better\? h left l right = tie <Space> skip' \
	"the status line names the verdict keys, from the keymap"
tm_keys h
ok "h judges the left one better and shows the next pair" tm_wait_for 'left: judged #1 vs #2'
is "$(sql "SELECT left_id || '>' || right_id || ':' || verdict || ':' || curator FROM comparison")" \
	"1>2:left:alice" "the judgement is in the store, by alice"
like "$(tm_screen | head -2 | tail -1)" 'left #[0-9]+ .*right #[0-9]+' "a next pair is shown"
tm_keys u
ok "u undoes the judgement" tm_wait_for 'undone: '
is "$(sql "SELECT count(*) FROM comparison")" 0 "it is gone from the store"
tm_keys q

tm_keys J
ok "J shows the brief's jobs" tm_wait_for 'failed +generate +sdxl .*connection refused'
like "$(tm_screen | sed -n 3p)" '^ +2 queued' "newest first"
tm_keys r
ok "r on a queued job says what it takes" tm_wait_for 'job-retry takes failed, cancelled or waiting jobs'
tm_keys x
ok "x cancels a queued job" tm_wait_for 'cancelled 1 job'
is "$(sql "SELECT state FROM job WHERE id = 2")" "cancelled" "in the store"
tm_keys j r
ok "r queues a failed job again" tm_wait_for 'queued again 1 job'
is "$(sql "SELECT state FROM job WHERE id = 1")" "queued" "in the store"

tm_keys P a
tm_wait_for '^new project name:' >/dev/null
tm_type "Spring launch"
tm_keys Enter
ok "a adds a project" tm_wait_for 'Spring launch'
is "$(sql "SELECT slug FROM project WHERE name = 'Spring launch'")" "spring-launch" "in the store"
tm_keys n
tm_type "kick-off on Monday"
tm_keys Enter
ok "a note on the project" tm_wait_for 'note saved on the project'
is "$(sql "SELECT body FROM note WHERE project_id = 3")" "kick-off on Monday" "in the store"
tm_keys :
tm_type "note budget agreed"
tm_keys Enter
NOTES="SELECT group_concat(body, '|') FROM (SELECT body FROM note WHERE project_id = 3 ORDER BY id)"
sql_wait "$NOTES" "kick-off on Monday|budget agreed"
is "$(sql "$NOTES")" "kick-off on Monday|budget agreed" ":note TEXT saves a second note at once, no prompt"
tm_keys d
ok "d archives the project" tm_wait_for 'archived Spring launch'
tm_keys Enter a
ok "a in the briefs writes a new brief in \$EDITOR" tm_wait_for 'brief #3 added'
is "$(sql "SELECT title || '|' || modality || '|' || prompt FROM brief WHERE id = 3")" \
	"Radio spot|audio|a calm voice over rain" "the store has the brief as written"
done_testing
