#!/bin/sh
# import-once.sh - each byte of an imported file is read once (issue 10
# item 6): import and candidate add open the source file a single time,
# to copy and hash it together; the probe and the parameters read the
# copy.  Counted with strace: every open of the source's path.
. "$top_srcdir/tests/lib/tap.sh"
command -v strace >/dev/null || skip_all "strace is not installed (apt-get install strace)"
strace -o /dev/null true 2>/dev/null || skip_all "strace cannot trace here (ptrace is not allowed)"

plan 4
cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add P >/dev/null
"$LIGHTBOX" brief add --project 1 --title Pictures >/dev/null
mkdir pics && mkpng pics/once.png 64 64 5 6 7 && mkpng twice.png 32 32 1 1 1
opens() { grep -E "open(at)?\(.*\"[^\"]*$1\"" "$T/trace" | grep -vc ENOENT; }

ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=open,openat -o "$T/trace" "$LIGHTBOX" import pics --brief 1 >/dev/null 2>&1
is "$?" 0 "the import succeeds under strace"
is "$(opens pics/once.png)" 1 "import opens the file once: copied and hashed in one read"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=open,openat -o "$T/trace" "$LIGHTBOX" candidate add --brief 1 twice.png >/dev/null 2>&1
is "$?" 0 "candidate add succeeds under strace"
is "$(opens twice.png)" 1 "candidate add opens the file once too"
done_testing
