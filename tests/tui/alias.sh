#!/bin/sh
# alias.sh - the interface on a store that allows no aliases, started with
# a LIGHTBOX_CURATOR that is not the login: it says so at once (its job
# runner cannot start under that name), and a rating is refused with the
# reason, not lost silently.
. "$(dirname "$0")/lib.sh"

plan 3
mkstore
lbq init --aliases off
login=$(id -un)
[ "$login" != "$LIGHTBOX_CURATOR" ] || skip_all "the login is '$LIGHTBOX_CURATOR' itself"
open_brief 200 24
ok "the interface says at once that changes are refused" \
	tm_wait_for "curator name .$LIGHTBOX_CURATOR. \\(LIGHTBOX_CURATOR\\) is not your login .$login."
tm_keys 3
ok "a rating says why it was refused" tm_wait_for "^rate 3 #[0-9]+ not saved: .*not your login .$login.*does not allow aliases"
is "$(sql "SELECT count(*) FROM rating WHERE stars = 3")" 0 "and nothing was written"
done_testing
