#!/bin/sh
# writer.sh - the interface never waits on the write lock: another process
# holds it while ratings are typed with j/k and digits; the cursor keeps
# moving row by row, the rows show the ratings pending, the status line names
# who holds the lock, and every rating lands, in order, once it is free.
# A bulk rating of 20,000 marked rows shows its progress and is one undo
# step; cancelled midway it is rolled back whole.  A refused write puts
# the row back and says why.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
plan 35
mkstore
DB="$LIGHTBOX_STORE/lightbox.db"
HOLD="$top_srcdir/tests/lib/holdlock.py"
stars_of() { sql "SELECT coalesce(stars, '-') FROM rating WHERE candidate_id = $1 AND curator = 'alice'"; }

open_brief 100 30
ok "newest first, cursor on the first row" tm_wait_for '\[candidates\].* 1 of 8'

# --- another process holds the lock ----------------------------------------
# It holds it until $T/ready.go exists (30 s at most), so every check
# before that is made while the store is locked, whatever the load.
HOLD_RELEASE="$T/ready.go" python3 "$HOLD" "$DB" "$T/ready" 30 &
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null"
i=0
while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ok "the other process has the lock" test -e "$T/ready"
# step KEYS ROW: types KEYS, then waits for the cursor on ROW.
step() {
	tm_keys $1 && tm_wait_for "\\[candidates\\].* $2 of 8"
}
# #8 gets 4, #7 3, #6 5, then k back to #7 and 1 (a second change of a
# pending row), then down to #5 and 2: each move is seen on the screen
# before the next key, an interface waiting for the lock would show none.
walk() {
	step '4 j' 2 && step '3 j' 3 && step '5 k' 2 && step '1 j' 3 && step j 4 && step 2 4
}
ok "the cursor moved row by row (2 3 2 3 4) while the store was locked" walk
ok "the status line names who holds the lock and retries" \
	tm_wait_for 'store busy: an import by bob \(pid [0-9]+\) is writing; retrying'
like "$(screen_line '^ +7 ')" '^ +7 ★☆☆☆☆…' "a changed row shows its newest rating, marked pending"
like "$(screen_line '^ +5 ')" '^ +5 ★★☆☆☆…' "so does the last one typed"
is "$(sql "SELECT count(*) FROM rating WHERE curator = 'alice' AND candidate_id > 4")" 0 \
	"nothing is in the store yet"
touch "$T/ready.go"
wait $HOLDER
ok "once the lock is free the pending marks go" tm_wait_gone '[★☆]…' 5
is "$(stars_of 8) $(stars_of 7) $(stars_of 6) $(stars_of 5)" "4 1 5 2" "every rating landed, the later one last"
is "$(sql "SELECT group_concat(candidate_id || ':' || action) FROM (SELECT candidate_id, action FROM event
	WHERE curator = 'alice' AND candidate_id > 4 AND action = 'rate' ORDER BY id)")" "8:rate,7:rate,6:rate,7:rate,5:rate" \
	"in the order typed"
ok "the busy note is gone from the status line" tm_wait_gone 'store busy' 3
quit_ok "Q quits, everything saved"
tm_stop

# --- a bulk rating of 20,000 marked rows ----------------------------------
lbq brief add --project 1 --title "Many" --modality text --prompt "many lines"
REV=$(sql "SELECT revision_id FROM brief WHERE id = 3")
N=20000
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
	INSERT INTO candidate (brief_id, revision_id, modality, body, backend, seed, created)
	SELECT 3, $REV, 'text', 'line number ' || i, 'builtin', i, 1700000000 + i FROM n"
rated() { sql "SELECT count(*) FROM rating WHERE curator = 'alice' AND stars = $1 AND candidate_id > 8"; }
open_brief 100 30 3
ok "the big brief is counted" tm_wait_for "\\[candidates\\].* 1 of $N"
tm_keys '*'
tm_wait_for "$N marked" >/dev/null
# Another process takes the lock once the first chunk is saved: the
# progress stays on the screen long enough to be seen.
python3 "$HOLD" "$DB" "$T/ready2" 2 "SELECT count(*) FROM rating WHERE stars = 3 AND candidate_id > 8" &
HOLDER=$!
tm_keys 3
tm_wait_for "^rate 3 $N candidates" >/dev/null
tm_keys y Enter
ok "the status line shows the progress of the bulk rating" \
	tm_wait_for "rate 3: [1-9][0-9]*/$N saved \\(C-c cancels\\)"
# (the later check that the marks went would pass if they never came)
ok "meanwhile the rows in view are marked pending" tm_wait_for '[0-9]+ ★★★☆☆…'
wait $HOLDER
ok "at the end it says it is one undo step" tm_wait_for "rate 3 \\($N marked\\): $N candidates, one undo step" 30
is "$(rated 3)" $N "all of them are rated"
ok "and no row is marked pending any more" tm_wait_gone '[★☆]…' 5
is "$(sql "SELECT count(DISTINCT coalesce(group_id, id)) FROM event WHERE action LIKE 'rate 3%'")" 1 \
	"their events are one group, across chunks"
tm_keys u
ok "u undoes the whole bulk rating" tm_wait_for "undone: " 30
is "$(rated 3)" 0 "none is rated any more"

# --- cancelled midway: rolled back whole ----------------------------------
python3 "$HOLD" "$DB" "$T/ready3" 3 "SELECT count(*) FROM rating WHERE stars = 1 AND candidate_id > 8" &
HOLDER=$!
tm_keys 1
tm_wait_for "^rate 1 $N candidates" >/dev/null
tm_keys y Enter
i=0
while [ ! -e "$T/ready3" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
like "$(rated 1)" '^[1-9][0-9]*$' "some chunks are saved when the other process takes the lock"
ok "the progress says C-c cancels" tm_wait_for "rate 1: [1-9][0-9]*/$N saved \\(C-c cancels\\)"
tm_keys C-c
ok "C-c cancels it" tm_wait_for "saved, cancelling"
wait $HOLDER
ok "it says it was rolled back whole" \
	tm_wait_for "rate 1 \\($N marked\\) cancelled; rolled back whole: nothing changed" 30
is "$(rated 1)" 0 "the chunks saved before the cancel are taken back"
# Redo skips the cancelled change: the step it finds is the bulk rate 3
# undone before.
tm_keys C-r
ok "redo does not bring the cancelled change back" tm_wait_for "redone: rate 3" 30
is "$(rated 1) $(rated 3)" "0 $N" "none is rated 1; the earlier step is back"
tm_keys u
tm_wait_for "undone: rate 3" 30 >/dev/null
ok "lightbox is still running" tm_wait_for "\\[candidates\\].* $N marked"

# --- a write the store refuses --------------------------------------------
sql "CREATE TRIGGER test_frozen BEFORE INSERT ON rating
	BEGIN SELECT RAISE(ABORT, 'ratings are frozen by the test'); END"
tm_keys V g 5
ok "a refused write says why in the status line" \
	tm_wait_for "rate 5 #$((N + 8)) not saved: .*ratings are frozen by the test"
ok "and the row goes back to what the store holds" tm_wait_for "^ +$((N + 8)) ····· "
is "$(sql "SELECT count(*) FROM rating WHERE candidate_id = $((N + 8))")" 0 "nothing was saved"
quit_ok "Q quits"
tm_stop

# --- quitting saves what is still queued ----------------------------------
sql "DROP TRIGGER test_frozen"
open_brief 100 30 3
python3 "$HOLD" "$DB" "$T/ready4" 2 &
HOLDER=$!
i=0
while [ ! -e "$T/ready4" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
tm_keys 4 j 3 Q
ok "Q with changes waiting for the lock: lightbox saves them, then quits" tm_wait_for '^\[exited 0\]' 10
wait $HOLDER
is "$(sql "SELECT group_concat(candidate_id || ':' || stars) FROM (SELECT candidate_id, stars FROM rating
	WHERE candidate_id >= $((N + 7)) AND curator = 'alice' ORDER BY candidate_id)")" "$((N + 7)):3,$((N + 8)):4" \
	"both changes are in the store"
