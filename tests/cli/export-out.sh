#!/bin/sh
# export-out.sh - where `export --out` writes (issue 12 item 1, issue 11
# defect 3): '-' is standard output; a character device, FIFO or socket
# is written to as a stream and stays what it was; a symbolic link is
# followed (or refused, saying why), never replaced; a regular file is
# replaced atomically keeping its mode, a new one gets the umask's.
#
# /dev/stdout is only ever used inside a private mount namespace with a
# /dev of its own, so a regression cannot damage this machine's.
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"
plan 36

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title b --modality text >/dev/null &&
	"$LIGHTBOX" candidate add --brief 1 --text "the chosen words" >/dev/null &&
	"$LIGHTBOX" select 1 --use "homepage" >/dev/null || exit 1
record() { jq -r ".briefs[0].candidates[0].selection.intended_use" "$1" 2>/dev/null; }
mode() { stat -c %a "$1"; }

# ---------------------------------------------------------------- standard output
lb export 1 --out -
is "$(record "$T/out")" "homepage" "--out - writes the record to standard output"
ok "and makes no file called -" test ! -e "$T/-"

# ---------------------------------------------------------------- regular files
(umask 027 && "$LIGHTBOX" export 1 --out new.json)
is "$(mode new.json)" "640" "a new file gets 0666 less the umask (027)"
(umask 002 && "$LIGHTBOX" export 1 --out new2.json)
is "$(mode new2.json)" "664" "a new file gets 0666 less the umask (002)"
echo old >kept.json && chmod 604 kept.json
ok "an existing file is replaced" "$LIGHTBOX" export 1 --out kept.json
is "$(record kept.json):$(mode kept.json)" "homepage:604" "keeping its mode"
if [ "$(id -u)" = 0 ]; then
	chown 1:1 kept.json && chmod 640 kept.json
	"$LIGHTBOX" export 1 --out kept.json
	is "$(stat -c %u:%g:%a kept.json)" "1:1:640" "and, for root, its owner"
else
	ok "# SKIP giving a file away needs root" true
fi
is "$(ls -a | grep -c '\.tmp')" "0" "no temporary file is left beside it"

# ---------------------------------------------------------------- symbolic links
mkdir target && echo old >target/real.json && chmod 640 target/real.json && ln -s target/real.json link.json
ok "a link to a file is followed" "$LIGHTBOX" export 1 --out link.json
ok "the link stays a link" test -L link.json
is "$(record target/real.json):$(mode target/real.json)" "homepage:640" "to the file it names, which is replaced keeping its mode"
ln -s nowhere/missing.json dangling.json
fails "a link to nothing is refused" 1 "$LIGHTBOX" export 1 --out dangling.json
like "$(cat "$T/.out")" "dangling.json is a symbolic link to nowhere/missing.json, which does not exist" "saying why"
is "$(readlink dangling.json)" "nowhere/missing.json" "and left as it was"
if [ "$(id -u)" = 0 ]; then
	mkdir -m 1777 shared && ln -s "$T/target/real.json" shared/theirs.json && chown -h 65534 shared/theirs.json
	fails "a stranger's link in a shared sticky folder is not followed" 1 "$LIGHTBOX" export 1 --out shared/theirs.json
	like "$(cat "$T/.out")" "belongs to someone else; lightbox does not follow it" "saying why"
else
	ok "# SKIP a stranger's link needs root to make" true
	ok "# SKIP a stranger's link needs root to make" true
fi

# ---------------------------------------------------------------- streams
mkfifo fifo
timeout 20 cat fifo >from-fifo & # a replaced FIFO would leave it waiting
reader=$!
ok "a FIFO is written to" "$LIGHTBOX" export 1 --out fifo
wait "$reader"
is "$(record from-fifo)" "homepage" "as a stream its reader gets"
ok "and stays a FIFO" test -p fifo

python3 - "$T/sock" "$T/from-sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
s.settimeout(20) # a replaced socket would leave it waiting
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
PY
server=$!
i=0; while [ ! -S sock ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ok "a socket is written to" "$LIGHTBOX" export 1 --out sock
wait "$server"
is "$(record from-sock)" "homepage" "as a stream its listener gets"
ok "and stays a socket" test -S sock

# A pseudo-terminal: a character device in /dev/pts, where nothing can be
# made, so even a broken lightbox could not replace it.
is "$(python3 - "$LIGHTBOX" <<'PY'
import os, pty, stat, subprocess, sys
import select
m, s = pty.openpty()
name = os.ttyname(s)
# The slave stays open here: the last close would hang the master up and
# drop what it has not read yet.
p = subprocess.Popen([sys.argv[1], "export", "1", "--out", name])
got = bytearray()
while True:
    r, _, _ = select.select([m], [], [], 0.2)
    if r:
        got.extend(os.read(m, 65536))
    elif p.poll() is not None:
        break
print(p.returncode, stat.S_ISCHR(os.stat(name).st_mode), b"\"intended_use\": \"homepage\"" in got)
PY
)" "0 True True" "a terminal (a character device) gets the record and stays a terminal"
if mknod null c 1 3 2>/dev/null; then
	ok "a character device made here is written to" "$LIGHTBOX" export 1 --out null
	ok "and stays a character device" test -c null
else
	ok "# SKIP mknod needs root" true
	ok "# SKIP mknod needs root" true
fi
fails "a folder is refused" 1 "$LIGHTBOX" export 1 --out target
like "$(cat "$T/.out")" "target is a folder; give a file name" "saying what to do"

# ---------------------------------------------------------------- /dev/stdout and its kin
# The link /dev/stdout -> /proc/self/fd/1, made here: standard output is
# written to, the link stays.
ln -s /proc/self/fd/1 mystdout
"$LIGHTBOX" export 1 --out mystdout | cat >piped
is "$(record piped)" "homepage" "a link to /proc/self/fd/1 writes to standard output (a pipe)"
ok "and stays a link" test -L mystdout
echo "before" >appended
"$LIGHTBOX" export 1 --out mystdout >>appended
is "$(head -1 appended):$(tail -n +2 appended | record /dev/stdin)" "before:homepage" \
	"standard output redirected to a file with >> is appended to, not replaced"
"$LIGHTBOX" export 1 --out /dev/fd/1 >fd1
is "$(record fd1)" "homepage" "--out /dev/fd/1 writes to descriptor 1"
"$LIGHTBOX" export 1 --out /proc/self/fd/1 >self1
is "$(record self1)" "homepage" "--out /proc/self/fd/1 too"
fails "a descriptor that is not open says so" 1 "$LIGHTBOX" export 1 --out /dev/fd/9
like "$(cat "$T/.out")" "cannot write /dev/fd/9: Bad file descriptor" "naming it"

# The issue's reproduction, as root, on a private /dev.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	T=$T unshare -m sh -c '
		mount -t tmpfs tmpfs /dev || exit 9
		ln -s /proc/self/fd/1 /dev/stdout
		"$LIGHTBOX" export 1 --out /dev/stdout | cat >"$T/devstdout"
		test -L /dev/stdout && echo link >"$T/devstdout.kind"
	'
	is "$(record devstdout)" "homepage" "as root, --out /dev/stdout writes to standard output"
	is "$(cat devstdout.kind 2>/dev/null)" "link" "and /dev/stdout stays a link"
else
	ok "# SKIP needs root and unshare" true
	ok "# SKIP needs root and unshare" true
fi
done_testing
