#!/bin/sh
# export-force.sh - what `export --copy-to DIR --force` may replace (issue
# 12 item 2): only a folder this store's export made (its .lightbox-export
# marker names the store's id), holding nothing its MANIFEST.sha256 does
# not list, and nothing changed since; anything else is refused, saying
# why, and loses nothing.
. "$top_srcdir/tests/lib/tap.sh"
plan 30

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null && "$LIGHTBOX" project add P >/dev/null &&
	"$LIGHTBOX" brief add --project 1 --title words --modality text >/dev/null &&
	"$LIGHTBOX" candidate add --brief 1 --text "first" >/dev/null &&
	"$LIGHTBOX" candidate add --brief 1 --text "second" >/dev/null &&
	"$LIGHTBOX" select 1 --use "homepage" >/dev/null || exit 1
export_to() { "$LIGHTBOX" export 1 --all --copy-to "$@"; }
files() { (cd "$1" && find . | sort | tr '\n' ' '); }

like "$(sql "SELECT value FROM setting WHERE key = 'id'")" "^[0-9a-f]{32}$" "the store has an id"
ok "an export folder is made" export_to out
like "$(cat out/.lightbox-export)" "store $(sql "SELECT value FROM setting WHERE key = 'id'")" \
	"with a marker naming the store"
ok "sha256sum -c still verifies it" sh -c "cd out && sha256sum -c --strict --quiet MANIFEST.sha256"
"$LIGHTBOX" candidate add --brief 1 --text "third" >/dev/null
ok "--force replaces it" export_to out --force
is "$(files out)" ". ./.lightbox-export ./MANIFEST.sha256 ./selection.json ./words ./words/1-1.txt ./words/2-2.txt ./words/3-3.txt " \
	"with the new export"
is "$(ls -a | grep -c -e '\.tmp\.' -e '\.old\.')" "0" "leaving nothing hidden beside it"

# ---------------------------------------------------------------- a person's own folder
mkdir mine && echo "my photo" >mine/photo.jpg && (cd mine && sha256sum photo.jpg >MANIFEST.sha256)
before=$(files mine)
fails "a folder with a MANIFEST.sha256 of its own is not replaced" 1 export_to mine --force
like "$(cat "$T/.out")" "mine was not made by lightbox export \(it has no .lightbox-export file\); not replacing it even with --force" \
	"saying why"
is "$(files mine):$(cat mine/photo.jpg)" "$before:my photo" "and everything in it stays"

# ---------------------------------------------------------------- an earlier export, since added to
cp -a out added && echo "my notes" >added/notes.txt
fails "an earlier export a person added a file to is not replaced" 1 export_to added --force
like "$(cat "$T/.out")" "added holds notes.txt, which the earlier export did not make \(its MANIFEST.sha256 does not list it\)" \
	"naming the file"
is "$(cat added/notes.txt)" "my notes" "which stays"
cp -a out sub && mkdir sub/words/drafts && echo draft >sub/words/drafts/a.txt
fails "nor one with a folder of a person's inside" 1 export_to sub --force
like "$(cat "$T/.out")" "sub holds words/drafts, which the earlier export did not make" "naming it"
cp -a out linked && ln -s /etc/hostname linked/words/host.txt
fails "nor one holding a link it did not make" 1 export_to linked --force
cp -a out edited && echo "reworded by hand" >edited/words/1-1.txt
fails "an earlier export with a file edited since is not replaced" 1 export_to edited --force
like "$(cat "$T/.out")" "edited holds words/1-1.txt, changed since it was exported" "saying so"
is "$(cat edited/words/1-1.txt)" "reworded by hand" "and the edit stays"

# ---------------------------------------------------------------- someone else's export
LIGHTBOX_STORE="$T/other" "$LIGHTBOX" init >/dev/null
LIGHTBOX_STORE="$T/other" "$LIGHTBOX" project add Q >/dev/null
LIGHTBOX_STORE="$T/other" "$LIGHTBOX" export 1 --copy-to theirs >/dev/null 2>&1
ok "(another store's export)" test -f theirs/.lightbox-export
fails "an export of another store is not replaced" 1 export_to theirs --force
like "$(cat "$T/.out")" "theirs holds an export of another lightbox store" "saying so"
cp -a out nomarker && rm nomarker/.lightbox-export
fails "an export without its marker (made before there was one) is not replaced" 1 export_to nomarker --force

# ---------------------------------------------------------------- a link to a folder
ln -s out outlink
fails "a link to an export is not replaced through" 1 export_to outlink --force
ok "the link stays" test -L outlink
ok "an unchanged earlier export is still replaced" export_to out --force

# ---------------------------------------------------------------- a file that appears meanwhile
# A shim puts a file into the earlier export just before the swap, after
# the checks passed: the replacement goes ahead, and that file is kept.
cat >late.c <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int renameat2(int ofd, const char *from, int nfd, const char *to, unsigned int flags)
{
	int (*real)(int, const char *, int, const char *, unsigned int) =
		(int (*)(int, const char *, int, const char *, unsigned int))dlsym(RTLD_NEXT, "renameat2");
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/late.txt", to);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("written meanwhile\n", f);
		fclose(f);
	}
	return real(ofd, from, nfd, to, flags);
}
C
if ${CC:-cc} -shared -fPIC -o late.so late.c -ldl 2>/dev/null; then
	ok "a replacement racing with a new file goes ahead" env LD_PRELOAD="$T/late.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$LIGHTBOX" export 1 --all --copy-to out --force
	like "$(cat "$T/.out")" "files that the earlier export did not make appeared in it while it was replaced; they are kept in $T/out\.kept\." \
		"saying where that file is kept"
	is "$(cat "$T"/out.kept.*/late.txt 2>/dev/null)" "written meanwhile" "with what was written"
	is "$(cd "$T"/out.kept.* 2>/dev/null && find . | sort | tr '\n' ' ')" ". ./late.txt " "nothing the manifest listed is left there"
else
	for i in 1 2 3 4; do ok "# SKIP no C compiler for the shim" true; done
fi
done_testing
