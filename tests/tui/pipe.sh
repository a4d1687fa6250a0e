#!/bin/sh
# pipe.sh - the pipe action (issue 15 item 4): `|` runs a program on the
# marked candidates (or the current one), from the config's `pipe` lines
# or typed; the paths are its arguments and one JSON line per candidate its
# standard input; nothing goes through a shell, whatever the file names,
# prompts or the typed command hold; the screen comes back and the exit
# status is shown.  The program is a script that records what it got.
. "$(dirname "$0")/lib.sh"

plan 22
mkstore
cd "$T" || exit 1
# Two pictures whose names and prompt are hostile to a shell.
mkdir pics
evil='pics/a $(touch PWNED1) `touch PWNED2`; touch PWNED3 "q".png'
python3 "$top_srcdir/tests/cli/records-mkfiles.py" a1111 "$evil" tEXt \
	'a fox $(touch PWNED4) `touch PWNED5` ; touch PWNED6 | cat' 'bad' 11
python3 "$top_srcdir/tests/cli/records-mkfiles.py" a1111 "pics/b.png" tEXt 'a hare' 'bad' 12
lbq import --brief 2 pics # candidates 9 (b.png, by name order: 'a ...' first: 9) and 10
asset() {
	sql "SELECT '$T/store/assets/' || substr(a.sha256, 1, 2) || '/' || a.sha256 || '.' || a.ext
	     FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.id = $1"
}

cat >"$T/rec" <<EOF
#!/bin/sh
# Records each argument on a line of its own, and the standard input.
: >"$T/args"
for a in "\$@"; do printf '%s\n' "\$a" >>"$T/args"; done
cat >"$T/stdin"
exit \${RC:-0}
EOF
chmod +x "$T/rec"
mkdir -p "$XDG_CONFIG_HOME/lightbox"
cat >"$XDG_CONFIG_HOME/lightbox/config" <<CONF
pipe record $T/rec --from lightbox "two words"
pipe fails env RC=3 $T/rec
CONF

# A source name that is not UTF-8 (a file name's bytes) still reaches
# the program, its bad byte shown as lightbox shows it.
sql "UPDATE candidate SET source = CAST(X'68617265ff2e706e67' AS TEXT) WHERE id = 10"
open_brief 100 24 2
tm_wait_for '#9 ' >/dev/null
tm_keys '|'
ok "| asks which program" tm_wait_for 'pipe to:'
tm_keys Tab
ok "offering the config's pipes" tm_wait_for 'record'
tm_keys C-u
tm_type record
tm_keys Enter
ok "the program runs, and lightbox waits for Enter after it" tm_wait_for 'exited with status 0; press Enter'
tm_keys Enter
ok "the screen comes back with the exit status" tm_wait_for "pipe: '.*/rec' exited with status 0 \(1 candidate, 1 file\)"
ok "(the list is back)" tm_wait_for '\[candidates\]'
is "$(cat "$T/args")" "--from
lightbox
two words
$(asset 10)" "the config's words, then the current candidate's path"
is "$(jq -r '.id' "$T/stdin")" "10" "one JSON line on standard input"

# ---------------------------------------------------------------- marked, hostile
tm_keys '*'
tm_keys '|'
tm_wait_for 'pipe marked to:' >/dev/null
tm_type "$T/rec \$(touch PWNED7) ';' \"x y\""
tm_keys Enter
ok "a typed command runs on every marked candidate" tm_wait_for 'press Enter'
tm_keys Enter
ok "(and comes back)" tm_wait_for '2 candidates, 2 files'
is "$(sed -n 1,4p "$T/args")" '$(touch
PWNED7)
;
x y' "typed words are split as a template is, never by a shell"
is "$(sed -n 5,6p "$T/args" | sort | tr '\n' ' ')" "$(printf '%s\n%s\n' "$(asset 9)" "$(asset 10)" | sort | tr '\n' ' ')" \
	"then the marked candidates' paths"
is "$(wc -l <"$T/stdin" | tr -d ' ')" "2" "a JSON line for each"
is "$(jq -r 'select(.id == 9) | .prompt' "$T/stdin")" 'a fox $(touch PWNED4) `touch PWNED5` ; touch PWNED6 | cat' \
	"the hostile prompt arrives as data"
like "$(jq -r 'select(.id == 9) | .source' "$T/stdin")" 'touch PWNED1' "and so does the hostile file name"
is "$(jq -r 'select(.id == 10) | .prompt' "$T/stdin")" "a hare" "each line holds the candidate's prompt"
like "$(jq -r 'select(.id == 10) | .source' "$T/stdin")" '^hare.+[.]png$' "a source that is not UTF-8 is still there, made visible"
is "$(find "$T" "$T/pics" / -maxdepth 1 -name 'PWNED*' ! -name '*.png' | wc -l | tr -d ' ')" "0" \
	"nothing ran through a shell"

# ---------------------------------------------------------------- failure, sh -c
tm_keys '|'
tm_wait_for 'pipe marked to:' >/dev/null
tm_type fails
tm_keys Enter
tm_wait_for 'press Enter' >/dev/null
tm_keys Enter
ok "a failing program's status is shown" tm_wait_for "exited with status 3"
tm_keys '|'
tm_wait_for 'pipe marked to:' >/dev/null
tm_type "sh -c 'echo \"\$#\" >$T/count' sh"
tm_keys Enter
tm_wait_for 'press Enter' >/dev/null
tm_keys Enter
ok "sh -c is a shell only because the user wrote it" tm_wait_for "'sh' exited with status 0"
is "$(cat "$T/count")" "2" "with the paths as its arguments"
tm_keys '|'
tm_wait_for 'pipe marked to:' >/dev/null
tm_type "no-such-program-here"
tm_keys Enter
tm_wait_for 'press Enter' >/dev/null
tm_keys Enter
ok "a program that is not there is said so" tm_wait_for "'no-such-program-here' was not found"
quit_ok "and lightbox quits cleanly"
