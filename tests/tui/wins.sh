#!/bin/sh
# wins.sh - the interface's what-wins view (H): per model, the candidates,
# the rated, the mean stars as a horizontal bar in Unicode eighths whose
# lengths follow the means, the 95% interval as the bar's lighter end and
# a whisker, the share picked; Tab goes to the next field, e takes any
# (param:KEY); a value under the minimum support is listed dim.
. "$(dirname "$0")/lib.sh"

plan 10
lbq init
lbq project add "P"
lbq brief add --project 1 --title "Harbour" --modality image --prompt "a harbour"
mkdir "$T/in"
i=1
for spec in "sdxl|detail|Euler" "sdxl|detail|Euler" "sdxl|detail|DPM" "flux|none|DPM" "flux|none|DPM" \
	"flux|none|Euler" "sd15|none|Euler"; do
	model=${spec%%|*} rest=${spec#*|}
	lora=${rest%%|*} sampler=${rest#*|}
	mkpng "$T/in/p$i.png" 4 4 $((i * 20)) 0 0
	if [ "$lora" = none ]; then loras='[]'; else loras="[{\"name\": \"$lora\", \"weight\": 0.5}]"; fi
	printf '{"prompt": "boat %d", "seed": %d, "steps": %d, "model": "%s", "sampler": "%s", "loras": %s}\n' \
		$i $i $((20 + i % 2 * 10)) "$model" "$sampler" "$loras" >"$T/in/p$i.json"
	i=$((i + 1))
done
lbq import "$T/in" --brief 1
# sdxl 5,4 / 5,5 / 4,4 (mean 4.5); flux 2,1 / 2,2 / 3,2 (mean 2); sd15 one 5
r() { LIGHTBOX_CURATOR=$1 lbq rate $2 $3; }
r alice 1 5; r bob 1 4; r alice 2 5; r bob 2 5; r alice 3 4; r bob 3 4
r alice 4 2; r bob 4 1; r alice 5 2; r bob 5 2; r alice 6 3; r bob 6 2
r alice 7 5
LIGHTBOX_CURATOR=alice lbq flag 2 pick

open_brief 120 30
tm_keys H
ok "H opens what wins, by model" tm_wait_for 'what wins by model'
ok "the rows come from the worker" tm_wait_for '^ *sdxl +3 +3 +4\.50 +3\.9-5\.0'
tm_settle
# eighths TEXT: the length in eighths of a cell of the bar of blocks in TEXT
eighths() {
	printf '%s\n' "$1" | python3 -c '
import sys
s = sys.stdin.read()
part = {"\u258f": 1, "\u258e": 2, "\u258d": 3, "\u258c": 4, "\u258b": 5, "\u258a": 6, "\u2589": 7}
print(sum(8 if c == "\u2588" else part.get(c, 0) for c in s))'
}
sdxl=$(eighths "$(screen_line '^ *sdxl ')")
flux=$(eighths "$(screen_line '^ *flux ')")
sd15=$(eighths "$(screen_line '^ *sd15 ')")
ok "the bars are drawn ($sdxl, $flux, $sd15 eighths)" [ "$sdxl" -gt 0 ] && [ "$flux" -gt 0 ]
# each bar is mean/5 of the bar's width: sdxl/flux = 4.5/2, sd15/sdxl = 5/4.5 (to an eighth)
ok "sdxl's bar is 4.5/2 of flux's" python3 -c "import sys; sys.exit(abs($sdxl / 4.5 - $flux / 2.0) > 1)"
ok "sd15's (one rating of 5) is the longest, 5/4.5 of sdxl's" \
	python3 -c "import sys; sys.exit(abs($sd15 / 5.0 - $sdxl / 4.5) > 1)"
like "$(screen_line '^ *sdxl ')" '│?[█▉▊▋▌▍▎▏]+.*33%' "sdxl: one of three picked"
like "$(screen_line '^ *flux ')" '[█▉▊▋▌▍▎▏]─*┤' "the interval's whisker ends at its top"
like "$(tm_screen)" '1 value with fewer than 3 rated candidates: listed dim, not ranked' "sd15 is not ranked"
tm_keys Tab
ok "Tab: by sampler" tm_wait_for '^ *Euler +4 +4 '
tm_keys e
tm_wait_for 'what wins by \(a field' >/dev/null
tm_type 'param:steps'
tm_keys Enter
ok "e takes any field: param:steps" tm_wait_for 'what wins by param:steps.*' && tm_wait_for '^ *30 +4 '
tm_screen >"$T/screen"
tm_keys Q
done_testing
