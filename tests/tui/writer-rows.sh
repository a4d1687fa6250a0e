#!/bin/sh
# writer-rows.sh - what the interface writes besides curation goes through
# its writer too: with another process holding the write lock for 3 s,
# regenerate (+), the regenerate form and a new project are shown as
# pending ("queued…", "saving…"), the cursor keeps moving, nothing is in
# the store yet, and the job and the project appear once the lock is
# free.  A brief edit the store refuses says why and is offered again,
# with nothing lost.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
plan 41
mkstore
DB="$LIGHTBOX_STORE/lightbox.db"
HOLD="$top_srcdir/tests/lib/holdlock.py"

# hold NAME: another process takes the lock and keeps it until `release`
# (30 s at most); waits until it has it.  The checks made in between are
# made while the lock is held, whatever the machine's load.
hold() {
	HOLD_RELEASE="$T/$1.go" python3 "$HOLD" "$DB" "$T/$1" 30 &
	HOLDER=$!
	HELD=$1
	at_exit "kill $HOLDER 2>/dev/null"
	_i=0
	while [ ! -e "$T/$1" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	test -e "$T/$1"
}
release() {
	touch "$T/$HELD.go"
	wait $HOLDER
}

# --- regenerate -------------------------------------------------------------
EDITOR="$T/editor"
export EDITOR
open_brief 100 30
ok "the list is open, cursor on the first row" tm_wait_for '\[candidates\].* 1 of 8'
ok "another process has the lock" hold ready1
tm_keys +
ok "the job is shown as queued, not yet saved" tm_wait_for 'regenerate: job queued…'
# Row by row, each seen on the screen while the lock is still held: an
# interface that waited for the store would move only after release.
tm_keys j
ok "j moves the cursor to row 2 while the job waits for the store" tm_wait_for '\[candidates\].* 2 of 8'
tm_keys j
ok "and j again to row 3" tm_wait_for '\[candidates\].* 3 of 8'
ok "the job is still shown as queued" tm_wait_for 'regenerate: job queued…'
ok "the status line says who holds the lock" tm_wait_for 'store busy: an import by bob'
is "$(sql "SELECT count(*) FROM job")" 0 "no job is in the store yet"
release
ok "once the lock is free the job is saved, then run" tm_wait_for 'job #1 queued: [0-9]+ text from builtin|[0-9]+ new from job #1' 10
is "$(sql "SELECT count(*) FROM job WHERE brief_id = 1 AND kind = 'generate'")" 1 "the job is in the store"

# --- the regenerate form ------------------------------------------------------
ok "another process has the lock again" hold ready3
tm_keys R
tm_wait_for 'Generate for brief #1' >/dev/null
tm_keys Enter
ok "the form stays, saying its job is being saved" tm_wait_for 'queued… saving the job'
tm_keys Escape
ok "Esc leaves the form, saying its job is still being saved" \
	tm_wait_for 'the form is closed; its job is still being saved'
# (Escape and k at once would be Alt-k: k goes once the form is gone)
pos=$(tm_screen | sed -n 's/^ \[candidates\].* \([0-9]*\) of \([0-9]*\)$/\1 \2/p')
row=${pos% *} rows=${pos#* }
tm_keys k
ok "k moves the cursor up a row meanwhile (from row $row of $rows)" \
	tm_wait_for "\\[candidates\\].* $((${row:-0} - 1)) of $rows\$"
is "$(sql "SELECT count(*) FROM job")" 1 "the form's job is not in the store yet"
release
sql_wait "SELECT count(*) FROM job" 2
is "$(sql "SELECT count(*) FROM job")" 2 "once the lock is free the form's job is in the store"
ok "and its candidates come into the open list" tm_wait_for '^ +16 .*builtin' 10

# --- a brief edit the store refuses -------------------------------------------
printf '#!/bin/sh\ngrep -q "cold tea" "$1" || sed -i "s/warm coffee/cold tea/" "$1"\n' >"$T/editor"
chmod +x "$T/editor"
sql "CREATE TRIGGER refuse BEFORE INSERT ON brief_revision BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
tm_keys E
ok "a refused edit says why and that E offers it again" \
	tm_wait_for 'brief #1 not saved: .*refused by the test.*edit-brief opens your text again' 10
sql "DROP TRIGGER refuse"
printf '#!/bin/sh\nexit 0\n' >"$T/editor"
tm_keys E
ok "E again saves the text as it was written" tm_wait_for 'brief #1 saved as revision 2' 10
like "$(sql "SELECT prompt FROM brief WHERE id = 1")" 'cold tea' "the edit was kept, not lost"
quit_ok "Q quits"
tm_stop

# --- a new project ------------------------------------------------------------
start_lb 100 30 tui
ok "the projects are listed" tm_wait_for 'Radio jingles'
ok "another process has the lock again" hold ready2
tm_keys a
tm_wait_for 'new project name' >/dev/null
tm_type "Winter sale"
tm_keys Enter
ok "the project is shown as being saved" tm_wait_for "project 'Winter sale': saving…"
tm_keys j
ok "the cursor moves meanwhile" tm_wait_for '\[projects\].* 2 of 2'
is "$(sql "SELECT count(*) FROM project")" 2 "the project is not in the store yet"
release
ok "once the lock is free the project is in the list, under the cursor" \
	tm_wait_for "project 'Winter sale' added" 10
is "$(sql "SELECT count(*) FROM project WHERE name = 'Winter sale'")" 1 "and in the store"
ok "the lock is held again" hold ready5
tm_keys d
ok "archiving it is shown as pending" tm_wait_for 'archiving Winter sale…'
is "$(sql "SELECT archived FROM project WHERE name = 'Winter sale'")" 0 "not archived in the store yet"
release
ok "once the lock is free it is archived" tm_wait_for 'archived Winter sale' 10
is "$(sql "SELECT archived FROM project WHERE name = 'Winter sale'")" 1 "in the store too"
quit_ok "Q quits, nothing left unsaved"
tm_stop

# --- a job cancelled in the jobs view ---------------------------------------
# A job of another process (`gen`, its own runner) runs until $T/go exists.
printf '#!/bin/sh\nwhile [ ! -e "%s/go" ]; do sleep 0.05; done\necho done\n' "$T" >"$T/gated"
chmod +x "$T/gated"
mkdir -p "$XDG_CONFIG_HOME/lightbox"
echo "backend gated type=exec modality=text command=\"$T/gated\"" >"$XDG_CONFIG_HOME/lightbox/config"
"$LIGHTBOX" gen 1 --backend gated >"$T/gen.out" 2>&1 &
GEN=$!
at_exit "touch $T/go; kill $GEN 2>/dev/null"
sql_wait "SELECT state FROM job WHERE backend = 'gated'" running
open_brief 100 30
tm_keys J
ok "the jobs view lists the running job" tm_wait_for '^ +[0-9]+ running +generate +gated'
ok "another process has the lock once more" hold ready4
tm_keys x
ok "the cancel is shown as pending" tm_wait_for 'cancelling: 1 job…'
is "$(sql "SELECT state FROM job WHERE backend = 'gated'")" running "the job is not cancelled in the store yet"
release
ok "once the lock is free it is cancelled" tm_wait_for 'cancelled 1 job' 10
is "$(sql "SELECT state FROM job WHERE backend = 'gated'")" cancelled "in the store too"
touch "$T/go"
wait $GEN
quit_ok "Q quits"
done_testing
