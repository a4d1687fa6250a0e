#!/bin/sh
# hostile.sh - escape sequences in generated text, notes, a brief, a file
# name and a pasted prompt are drawn visibly (^[) and never reach the
# terminal: ESC ] 52 (set the clipboard) leaves tmux's buffers alone and
# ESC [ 2 J does not clear the screen.
. "$(dirname "$0")/lib.sh"

plan 14
mkstore
ESC=$(printf '\033')
BEL=$(printf '\007')
OSC52="${ESC}]52;c;SGVsbG8gZnJvbSBsaWdodGJveA==${BEL}"
CLEAR="${ESC}[2J${ESC}[H"

lbq candidate add --brief 1 --text "evil text ${OSC52} then ${CLEAR} cleared?"
lbq note add 9 "note with ${ESC}[31mred${ESC}[0m and a bell${BEL}"
sql "UPDATE brief SET title = 'Hero ${ESC}[7mcopy' WHERE id = 1"
mkpng "$T/shot${ESC}[2J.png" 4 4 200 10 10
lbq candidate add --brief 2 "$T/shot${ESC}[2J.png"

no_clipboard() { ! tm list-buffers -F '#{buffer_sample}' | grep -q 'Hello from lightbox'; }

open_brief 80 24
ok "generated text with OSC 52 and ESC[2J shows them as ^[" tm_wait_for '│\^\[\]52;c;SGVsbG8gZnJvbSBs'
ok "the rest of the screen is still there (not cleared)" tm_wait_for '^ +1 ★★★★☆'
like "$(tm_screen | head -1)" 'Hero \^\[\[7mcopy' "a brief title with ESC shows it in the title bar"
ok "OSC 52 did not reach tmux's clipboard" no_clipboard

tm_keys Enter
ok "a note with colour escapes is drawn as text in the detail" tm_wait_for 'note with \^\[\[31mred\^\[\[0m and a bell\^G'
tm_keys q

# A paste into a prompt: bracketed paste keeps it text, not keys.
tm_keys n
tm_wait_for '^note: ' >/dev/null
tm set-buffer -b hostile "pasted ${OSC52} and ${CLEAR} done"
tm paste-buffer -p -b hostile -t "$TM_SESSION"
ok "a pasted ESC ] 52 shows as ^[ in the prompt" tm_wait_for '^note: pasted \^\[\]52;c;'
ok "the screen was not cleared by the pasted ESC [ 2 J" tm_wait_for '^ +2 ★★☆☆☆'
like "$(tm_screen | tail -1)" '\^\[\[2J\^\[\[H done$' "ESC [ 2 J is visible in the prompt"
ok "still no clipboard write" no_clipboard
tm_keys Enter
ok "the note is saved" tm_wait_for 'note saved on #9'
is "$(sql "SELECT hex(body) FROM note WHERE body LIKE 'pasted%'" | grep -c 1B5D3532)" 1 \
	"the store keeps the text exactly, escapes included"

# A file whose name holds an escape: the detail's source line.
tm_keys B j Enter Enter
ok "a file name with ESC [ 2 J is drawn visibly" tm_wait_for 'shot\^\[\[2J\.png'
ok "and the screen is intact" tm_wait_for 'Provenance'
quit_ok "quits cleanly"
done_testing
