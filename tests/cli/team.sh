#!/bin/sh
# Two Unix users of one group share a store: they init it (--shared),
# rate, tag, select, import, generate and run jobs in turn, each with
# umask 022, and no write is refused; a third user outside the group
# reads nothing; the log names each member's login; undo acts on the
# caller's login only; aliases are refused until the store allows them;
# refused writes name the file and its owner; doctor finds wrong modes
# and prints the command that mends them.  Needs root (to make users).
. "$top_srcdir/tests/lib/tap.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root to create the test's Unix users (useradd)"
for p in useradd userdel groupadd groupdel runuser sqlite3; do
	command -v "$p" >/dev/null || skip_all "needs $p to create and act as the test's Unix users"
done

# Unique names (at most 32 characters), removed at the end.
tag=$$
G=lbteam$tag A=lbann$tag B=lbbob$tag O=lbout$tag
groupadd "$G" || skip_all "groupadd $G failed"
at_exit "groupdel $G"
for u in "$A" "$B" "$O"; do
	useradd -M -d /nonexistent -s /bin/sh "$u" || { echo "Bail out! useradd $u failed"; exit 1; }
	at_exit "userdel $u"
done
usermod -aG "$G" "$A" && usermod -aG "$G" "$B"

# The users reach a copy of the program (the build tree may be closed to
# them), pictures to import and the store; nothing else of $T.
chmod 755 "$T"
mkdir -m 755 "$T/bin" "$T/in" "$T/team"
cp "$LIGHTBOX" "$T/bin/lightbox" && chmod 755 "$T/bin/lightbox"
chown "$A" "$T/team"
mkpng "$T/in/a.png" 8 8 200 10 10
mkpng "$T/in/b.png" 8 8 10 200 10
chmod 644 "$T/in/"*.png
S=$T/team/store

# as USER [VAR=VALUE...] ARGS...: lightbox as USER with umask 022, no
# LIGHTBOX_CURATOR (the login is the curator) unless given.
as() {
	_u=$1
	shift
	_env=
	while case "${1:-}" in *=*) true ;; *) false ;; esac; do
		_env="$_env $1"
		shift
	done
	# shellcheck disable=SC2086
	runuser -u "$_u" -- env -i PATH=/usr/bin:/bin HOME=/nonexistent TMPDIR=/tmp LIGHTBOX_STORE="$S" LIGHTBOX_TEST_FP_WAIT=1 \
		XDG_CONFIG_HOME=/nonexistent $_env sh -c 'umask 022 && exec "$@"' sh "$T/bin/lightbox" "$@" \
		>"$T/out" 2>"$T/err"
}
# clean DESCRIPTION USER ARGS...: succeeds, and no permission trouble on stderr.
clean() {
	_d=$1
	shift
	as "$@"
	_st=$?
	if [ "$_st" = 0 ] && ! grep -Eqi 'permission|denied|cannot|read-only|error' "$T/err"; then _tap_result 0 "$_d"; else
		_tap_result 1 "$_d"
		echo "# exit status $_st"
		sed 's/^/# /' "$T/err" | head -10
	fi
}
wrong_modes() {
	find "$S" \( -type f \( ! -perm 0660 -o ! -group "$G" \) \) -o \
		\( -type d \( ! -perm 2770 -o ! -group "$G" \) \) | sed "s|$S|S|" | sort | tr '\n' ' '
}

plan 56

clean "$A inits a store shared with $G" "$A" init --shared "$G"
like "$(cat "$T/out")" "shared with the group $G" "init says it is shared"
is "$(stat -c '%a %G' "$S" "$S/lightbox.db" | tr '\n' ' ')" "2770 $G 660 $G " \
	"the folder is setgid 2770 and the database 0660, both in the group"

clean "$A adds a project" "$A" project add Team
clean "$B adds a brief" "$B" brief add --project 1 --title sky
clean "$A imports a picture" "$A" import "$T/in/a.png" --brief 1
clean "$B imports a picture" "$B" import "$T/in/b.png" --brief 1
clean "$B rates" "$B" rate 1 4
clean "$A rates" "$A" rate 2 3
clean "$A tags" "$A" tag add 1 red
clean "$B tags" "$B" tag add 1 warm
clean "$B removes $A's tag" "$B" tag rm 1 red
clean "$A selects" "$A" select 1 --use cover
clean "$B selects" "$B" select 2
clean "$B generates (builtin)" "$B" gen 1 -n 2 --backend builtin
clean "$A generates (builtin)" "$A" gen 1 -n 1 --backend builtin
clean "$A queues a job" "$A" gen 1 --backend builtin --no-wait
clean "$A runs the queued jobs" "$A" jobs run
clean "$B queues a job" "$B" gen 1 --backend builtin --no-wait
clean "$B runs the queued jobs" "$B" jobs run
clean "$B notes" "$B" note add 1 "nice"
is "$(sqlite3 "$S/lightbox.db" "SELECT count(*) FROM candidate; SELECT count(*) FROM job WHERE state = 'done'" | tr '\n' ' ')" \
	"7 4 " "every candidate and job landed"
is "$(wrong_modes)" "" "every file 0660 and folder 2770 in $G, whoever made it, under umask 022"

# While a member's lightbox has the store open, SQLite's -wal and -shm
# beside the database are the team's too.
mkfifo -m 666 "$T/fifo"
runuser -u "$B" -- sh -c "umask 022 && exec '$T/bin/lightbox' --store '$S' rate - <'$T/fifo' >/dev/null 2>&1" &
rater=$!
exec 3>"$T/fifo"
echo "1 3" >&3
for _i in $(seq 100); do [ -e "$S/lightbox.db-shm" ] && break; sleep 0.05; done
is "$(stat -c '%a %G' "$S/lightbox.db-wal" "$S/lightbox.db-shm" | tr '\n' ' ')" "660 $G 660 $G " \
	"-wal and -shm are 0660 in the group"
exec 3>&-
wait "$rater"

# The third user reads nothing.
as "$O" project ls
is "$?" 1 "$O cannot open the store"
like "$(cat "$T/err")" "cannot open the store at $S: .*owner $A, group $G, mode 2770" "and is told why"
fails "$O cannot read the database" 1 runuser -u "$O" -- cat "$S/lightbox.db"
fails "nor list the folder" 2 runuser -u "$O" -- ls "$S"
as "$O" doctor
like "$(cat "$T/out")" "you cannot read $S \\(owner $A, group $G, mode 2770\\): what is inside was not checked" \
	"and doctor, run by $O, says it could not look inside"

# Who did what: the log names logins.
clean "the log reads" "$A" log --limit 100
like "$(cat "$T/out")" " $A +rate" "the log shows $A's login"
like "$(cat "$T/out")" " $B +rate" "and $B's"
is "$(sqlite3 "$S/lightbox.db" "SELECT count(*) FROM event WHERE login NOT IN ('$A', '$B')")" 0 \
	"every event records the login that made it"

# Aliases: refused in a shared store until allowed.
as "$B" LIGHTBOX_CURATOR=team rate 1 1
is "$?" 1 "a curator name that is not the login is refused"
like "$(cat "$T/err")" "'team' .*not your login '$B'.*does not allow aliases" "and says why and what to do"
clean "$A allows aliases" "$A" init --aliases on
clean "$A rates as team" "$A" LIGHTBOX_CURATOR=team rate 2 5
clean "the log reads" "$A" log --limit 1
like "$(cat "$T/out")" "$A \\(as team\\)" "an alias shows as 'login (as name)'"

is "$(sqlite3 "$S/lightbox.db" "SELECT login || ' ' || after FROM event WHERE action = 'setting' ORDER BY id" | tr '\n' ' ')" \
	"$A {\"shared\":\"$G\"} $A {\"aliases\":\"on\"} " "the log records who shared the store and who allowed aliases"

# Undo acts on the caller's login only, even under the same curator name.
as "$B" LIGHTBOX_CURATOR=team undo
is "$?" 1 "$B, as team too, has nothing of his to undo"
is "$(sqlite3 "$S/lightbox.db" "SELECT stars FROM rating WHERE candidate_id = 2 AND curator = 'team'")" 5 \
	"and $A's rating as team stands"
clean "$B undoes his own last change" "$B" undo
is "$(sqlite3 "$S/lightbox.db" "SELECT DISTINCT login FROM event WHERE undone")" "$B" "only $B's events were undone"

# The runners' lock folder another member made private: queued jobs say
# why they wait.
chown "$B" "$S/cache/runners"
chmod 0700 "$S/cache/runners"
clean "$A queues a job" "$A" gen 1 --backend builtin --no-wait
clean "jobs ls reads" "$A" jobs ls
like "$(cat "$T/out")" "1 queued job cannot start here: no runner can start: $A cannot write $S/cache/runners.* \\(owner $B, group $G, mode 2?700\\)" \
	"jobs ls says why the queued job waits: the folder, its owner and mode"
as "$A" jobs run
is "$?" 1 "jobs run fails rather than wait"
like "$(cat "$T/err")" "cache/runners.* \\(owner $B, group $G, mode 2?700\\)" "and names the folder and its owner"
chmod 2770 "$S/cache/runners"
clean "once mended, the job runs" "$A" jobs run

# A database another member cannot write: the refusal names it and its owner.
chmod 0640 "$S/lightbox.db"
as "$B" tag add 2 late
is "$?" 1 "a write refused for permissions fails, without an abort"
like "$(cat "$T/err")" "$B cannot write $S/lightbox.db \\(owner $A, group $G, mode 0640\\)" \
	"and names the file and its owner"

# doctor finds it, and the command it prints mends it.
as "$B" doctor
like "$(cat "$T/out")" "$S/lightbox.db \\(owner $A, group $G, mode 0640\\) should be 0660 in group $G" \
	"doctor names the file with the wrong mode"
fix=$(sed -n 's/^  fix with *//p' "$T/out")
is "$fix" "lightbox --store $S init --shared $G" "and prints the one command that mends it"
# shellcheck disable=SC2086
clean "its owner runs that command" "$A" ${fix#lightbox }
is "$(wrong_modes)" "" "the modes are right again"

done_testing
