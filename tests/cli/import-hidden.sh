#!/bin/sh
# import-hidden.sh - lightbox import reads parameters kept where a plain
# text reader misses them, in files written by Python's standard library
# as the tools lay them out (tests/fuzz/genmeta-seeds.py says how):
# NovelAI's WebP with its parameters as JSON in EXIF UserComment,
# stealth PNG info in the alpha and the RGB bits, plain and gzip, and a
# ComfyUI graph of a base and a refiner sampler.
. "$top_srcdir/tests/lib/tap.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

plan 14
cd "$T" || exit 1
field() { "$LIGHTBOX" candidate show --json "$1" | jq -r "$2"; }

"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add Hidden >/dev/null
"$LIGHTBOX" brief add --project hidden --title "Lighthouse" --prompt "a lighthouse" >/dev/null
python3 "$top_srcdir/tests/fuzz/genmeta-seeds.py" files

ok "the files import" lb import files --brief 1 --json
is "$(jq -r '.summary.added' "$T/out")" 6 "six candidates added"
cand_of() { jq -r --arg p "files/$1" '.files[] | select(.path == $p) | .candidate_id' "$T/out"; }
for f in stealth-alpha stealth-alpha-gzip stealth-rgb stealth-rgb-gzip; do
	C=$(cand_of $f.png)
	is "$(field "$C" '[.prompt, .negative_prompt, .seed, .model] | @json')" \
		'["a lighthouse at dusk","blurry",42,"sd15"]' "$f: prompt, negative, seed, model"
	is "$(field "$C" '.parameters | [.steps, .sampler, .size] | @json')" \
		'[20,"Euler a","512x512"]' "$f: settings"
done
C=$(cand_of novelai.webp)
is "$(field "$C" '[.prompt, .negative_prompt, .seed, .model, .parameters.steps] | @json')" \
	'["1girl, cherry blossoms","lowres",3847221155,"NovelAI Diffusion V4.5",28]' \
	"NovelAI WebP: the JSON in EXIF UserComment"
C=$(cand_of comfy-refiner.png)
is "$(field "$C" '[.seed, .model] | @json')" '[721897303308196,"sd_xl_base_1.0.safetensors"]' \
	"base + refiner: the base sampler's seed and model"
is "$(field "$C" '.parameters.refiner | [.model, .start_at_step, .seed] | @json')" \
	'["sd_xl_refiner_1.0.safetensors",20,0]' "base + refiner: the refiner among the extras"
is "$(field "$C" '.parameters | [.start_at_step, .end_at_step, .size] | @json')" \
	'[0,20,"1024x1024"]' "base + refiner: the base's steps and size"
done_testing
