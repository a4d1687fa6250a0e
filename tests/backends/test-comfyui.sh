#!/bin/sh
# test-comfyui.sh - the comfyui backend end to end: an API-format workflow
# template whose prompt, negative, seed and size inputs the definition
# names; POST /prompt, /history polled until done, outputs fetched with
# /view (previews of type "temp" skipped); a bad template named at its
# config line; an output name with ../ refused.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

start_server
cat >"$XDG_CONFIG_HOME/lightbox/sd15-api.json" <<'EOF'
{
  "3": {"class_type": "KSampler", "inputs": {"seed": 0, "steps": 20, "cfg": 7, "sampler_name": "euler",
        "scheduler": "normal", "denoise": 1, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
        "latent_image": ["5", 0]}},
  "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}},
  "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
  "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
  "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
  "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
  "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "lb", "images": ["8", 0]}}
}
EOF
echo '{"nodes": [], "links": [], "version": 0.4}' >"$XDG_CONFIG_HOME/lightbox/ui.json"
CONF="$XDG_CONFIG_HOME/lightbox/config"
backends_config \
	"backend comfy type=comfyui url=$URL workflow=sd15-api.json prompt-input=6.text negative-input=7.text seed-input=3.seed width-input=5.width height-input=5.height steps-input=3.steps poll-interval=100 steps=9" \
	"backend typo type=comfyui url=$URL workflow=sd15-api.json prompt-input=6.nope" \
	"backend ui type=comfyui url=$URL workflow=ui.json prompt-input=6.text"
setup_store
plan 19

lb backends
is "$?" 1 "bad comfyui definitions make 'backends' fail"
like "$(cat "$T/err")" "$CONF:2: backend typo: workflow .*sd15-api.json has no node \"6\" with an input \"nope\"" \
	"a wrong input is named with file:line"
like "$(cat "$T/err")" "$CONF:3: backend ui: workflow .*ui.json is in the UI format — export it with \"Save \\(API format\\)\"" \
	"a UI-format workflow is refused with what to do"

lb gen 1 --backend comfy -n 2 --seed 7+
is "$?" 0 "gen -n 2 through ComfyUI"
is "$(requests_to /prompt | jq -s 'map(.seed) | join(",")')" '"7,8"' "each prompt got its own seed in KSampler"
is "$(count "SELECT group_concat(seed) FROM candidate WHERE backend = 'comfy'")" "7,8" "the seeds are stored"
ok "history was polled until done" test "$(requests_to /history/ | wc -l)" -ge 4
is "$(requests_to /view | jq -s 'map(.filename) | join(",")')" '"lb_00001_.png,lb_00002_.png"' \
	"only saved outputs are fetched, not previews"
like "$(count "SELECT params FROM candidate WHERE backend = 'comfy' LIMIT 1")" '"prompt_id":"[0-9a-f-]{36}".*"steps":9.*"workflow":"sd15-api.json"' \
	"the prompt id, injected values and workflow are recorded"

control escape 1
lb gen 1 --backend comfy
like "$(count "SELECT error FROM job WHERE id = (SELECT max(id) FROM job)")" \
	'server named an output "\.\./\.\./\.\./\.\./tmp/lightbox-escape\.png" that could escape its folder; refusing it' \
	"an output name with ../ fails the job"
is "$(count "SELECT count(*) FROM candidate WHERE job_id = (SELECT max(id) FROM job)")" 0 "and leaves no candidate"
ok "nothing was fetched or written for it" test ! -e /tmp/lightbox-escape.png -a "$(requests_to /view | wc -l)" = 2
# --- a cancelled job's prompt leaves the server (APIS.md: POST /queue
# {"delete": [...]}, POST /interrupt), and only ours is interrupted
wait_polls() {
	for _i in $(seq 200); do
		[ "$(requests_to /history/ | wc -l)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
: >"$T/server.log"
control hang 1
"$LIGHTBOX" gen 1 --backend comfy >"$T/gen.out" 2>"$T/gen.err" &
GEN=$!
ok "a prompt that keeps running is polled" wait_polls 2
pid=$(requests_to /prompt | jq -r .prompt_id)
lb jobs cancel "$(count "SELECT max(id) FROM job")"
wait "$GEN"
is "$(requests_to /queue | jq -sc 'map(select(.delete != null) | .delete[0])')" "[\"$pid\"]" \
	"cancel deletes the prompt from ComfyUI's queue"
is "$(requests_to /interrupt | jq -r '"\(.prompt_id) \(.interrupted)"')" "$pid $pid" \
	"and interrupts it by id, since the queue says it is the one running"

: >"$T/server.log"
control hang 1
other=$(py - "$URL" <<'PY'
import json, sys, urllib.request
body = {"prompt": {"3": {"class_type": "KSampler", "inputs": {"seed": 1}}}, "client_id": "colleague"}
req = urllib.request.Request(sys.argv[1] + "/prompt", json.dumps(body).encode(),
                             {"Content-Type": "application/json"}, method="POST")
print(json.load(urllib.request.urlopen(req))["prompt_id"])
PY
)
control hang 1
"$LIGHTBOX" gen 1 --backend comfy >"$T/gen.out" 2>"$T/gen.err" &
GEN=$!
wait_polls 2
mine=$(requests_to /prompt | jq -r 'select(.prompt_id != "'"$other"'") | .prompt_id')
lb jobs cancel "$(count "SELECT max(id) FROM job")"
wait "$GEN"
is "$(requests_to /queue | jq -sc 'map(select(.delete != null) | .delete[0])')" "[\"$mine\"]" \
	"with a colleague's prompt running, only ours is deleted"
is "$(requests_to /interrupt | wc -l | tr -d ' ')" 0 "and nothing is interrupted"

is "$(spec_errors)" "" "every request matched the ComfyUI API"
ok "nothing written outside the store" outside_clean
done_testing
