#!/bin/sh
# readonly.sh - in the interface, selecting and tagging in a store the
# user cannot write (its database another's, its folder open) tells
# which file refused and who owns it, and the interface goes on (it once
# aborted: "st_end without st_begin", status 134).
. "$(dirname "$0")/lib.sh"

plan 5
mkstore
# The folder writable, the database not: as another user when root (root
# ignores modes), else the owner of a 0444 file.
cp -r "$LIGHTBOX_STORE" "$T/ro"
chmod -R a+rX,a-w "$T/ro"
chmod a+rwx "$T/ro"
chmod a+rx "$T" "$XDG_CONFIG_HOME"
mkdir -p "$T/bin"
real=$LIGHTBOX
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || skip_all "needs setpriv to act as another user"
	printf '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups "%s" "$@"\n' "$real" >"$T/bin/lb"
else
	printf '#!/bin/sh\nexec "%s" "$@"\n' "$real" >"$T/bin/lb"
fi
chmod 755 "$T/bin" "$T/bin/lb"
LIGHTBOX=$T/bin/lb
LIGHTBOX_STORE=$T/ro
export LIGHTBOX LIGHTBOX_STORE

open_brief 160 30
tm_keys s
tm_wait_for '^intended use:' >/dev/null
tm_keys Enter
tm_wait_for '^integration note' >/dev/null
tm_keys Enter
ok "selecting says which file refused and who owns it" \
	tm_wait_for "cannot write $T/ro/lightbox.db \\(owner $(id -un), group [^,]+, mode 0444\\)"
tm_keys t
tm_wait_for '^tag: ' >/dev/null
tm_type "late"
tm_keys Enter
ok "so does tagging" tm_wait_for "^tag late #[0-9]+ not saved: .*cannot write $T/ro/lightbox.db \\(owner"
unlike "$(tm_screen)" 'exited' "the interface is still running"
quit_ok "and quits normally"
is "$(sqlite3 "$T/ro/lightbox.db" "SELECT count(*) FROM selection")" 0 "nothing was written"
done_testing
