#!/bin/sh
# The command line's main paths under valgrind: no invalid access, no leak.
. "$top_srcdir/tests/lib/tap.sh"
command -v valgrind >/dev/null || skip_all "valgrind is not installed"
# Under the sanitizers valgrind cannot run the program: nothing to see.
if nm "$LIGHTBOX" 2>/dev/null | grep -q __asan_init; then skip_all "built with sanitizers"; fi
plan 11

cd "$T" || exit 1
mkpng a.png 16 16 9 9 9
printf 'some text\n' > t.txt
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect "$LIGHTBOX" "$@"
}
ok "init" vg init
ok "project add" vg project add "Valgrind project"
ok "brief add" vg brief add --project 1 --title "b" --prompt "p" --params '{"steps":3}'
ok "candidate add" vg candidate add --brief 1 a.png t.txt
ok "rate" vg rate 1 4
ok "flag and tag" sh -c 'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$LIGHTBOX" flag 1 pick &&
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$LIGHTBOX" tag add 1 hero warm'
ok "note and select" sh -c 'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$LIGHTBOX" note add 1 looks good &&
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$LIGHTBOX" select 1 --use hero --note "in header"'
ok "candidate ls (filtered, json)" vg candidate ls --brief 1 --min-stars 3 --tag hero --search text --json
ok "candidate show" vg candidate show 1
ok "undo, redo" sh -c 'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$LIGHTBOX" undo &&
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$LIGHTBOX" redo'
ok "log --json" vg log --json
done_testing
