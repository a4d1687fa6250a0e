#!/bin/sh
# brief edit through $EDITOR: a new revision only when the text changed;
# a missing or failing editor saves nothing.
. "$top_srcdir/tests/lib/tap.sh"
plan 13

cd "$T" || exit 1
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "P" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "hero" --prompt "warm forest" --params '{"steps": 30}' >/dev/null

cat > sed-editor <<'ED'
#!/bin/sh
sed -i 's/warm forest/cold forest/; s/^title: .*/title: hero v2/' "$1"
ED
cat > noop-editor <<'ED'
#!/bin/sh
exit 0
ED
cat > bad-editor <<'ED'
#!/bin/sh
printf 'title: x\nmodality: smell\n' > "$1"
ED
chmod +x sed-editor noop-editor bad-editor

EDITOR="$T/noop-editor" lb brief edit 1
like "$(cat "$T/out")" "unchanged, no new revision" "an untouched text saves nothing"
is "$(sql 'SELECT count(*) FROM brief_revision')" "1" "still one revision"
VISUAL="$T/sed-editor" EDITOR=false lb brief edit 1
like "$(cat "$T/out")" "saved revision 2" "VISUAL wins over EDITOR and saves revision 2"
is "$(sql 'SELECT title, prompt FROM brief')" "hero v2|cold forest" "the brief has the new text"
is "$(sql 'SELECT prompt FROM brief_revision WHERE rev = 1')" "warm forest" "revision 1 is kept"
is "$(sql 'SELECT params FROM brief')" '{"steps":30}' "parameters survive the round trip"
EDITOR="$T/bad-editor" lb brief edit 1
is "$?" "1" "a text that does not parse fails"
like "$(cat "$T/err")" "line 2: modality 'smell'" "naming the line"
like "$(cat "$T/err")" "kept in /tmp/lightbox-brief-" "and keeps the user's text"
EDITOR=false lb brief edit 1
like "$(cat "$T/err")" "exited with status 1; nothing was saved" "a failing editor saves nothing"
EDITOR="/nonexistent/editor" lb brief edit 1
like "$(cat "$T/err")" "was not found" "a missing editor is named"
is "$(sql 'SELECT count(*) FROM brief_revision')" "2" "no revision from the failures"
lb brief edit 1 --prompt "scripted prompt"
is "$(sql 'SELECT prompt FROM brief')" "scripted prompt" "fields can be set without an editor"
rm -f /tmp/lightbox-brief-*.txt 2>/dev/null
done_testing
