#!/bin/sh
# records-fixtures.sh - imports the real outputs of seven generators
# (AUTOMATIC1111, Forge, ComfyUI, InvokeAI, NovelAI, Fooocus, SwarmUI) and
# a negative control kept outside the project, and checks that every
# field EXPECTED.json lists lands in the candidates.  Skipped when the
# folder is absent: $LIGHTBOX_GENERATOR_FIXTURES, else ../shared/fixtures/
# generators beside the source tree.
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"

dir=${LIGHTBOX_GENERATOR_FIXTURES:-}
for d in "$top_srcdir/../shared/fixtures/generators" "$top_srcdir/../../shared/fixtures/generators"; do
	[ -z "$dir" ] && [ -f "$d/EXPECTED.json" ] && dir=$d
done
[ -n "$dir" ] && [ -f "$dir/EXPECTED.json" ] || skip_all "generator fixtures not found"

"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add Fixtures >/dev/null
"$LIGHTBOX" brief add --project fixtures --title Real >/dev/null
"$LIGHTBOX" import "$dir" --brief 1 --json >"$T/import.json" 2>"$T/import.err"
status=$?
for id in $(sqlite3 "$LIGHTBOX_STORE/lightbox.db" "SELECT id FROM candidate ORDER BY id"); do
	"$LIGHTBOX" candidate show --json "$id"
done >"$T/candidates.json"

# One TAP line per file and field; the comparison rules are EXPECTED.json's
# (strings compared after CRLF -> LF and strip; null = not recovered).
python3 - "$dir/EXPECTED.json" "$T/candidates.json" "$status" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
dec = json.JSONDecoder()
text = open(sys.argv[2]).read()
cands, i = [], 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    obj, i = dec.raw_decode(text, i)
    cands.append(obj)
by_source = {c["source"].rsplit("/", 1)[-1]: c for c in cands}
files = {k: v for k, v in expected.items() if not k.startswith("_")}
checks = []
checks.append(("the import exits 0", sys.argv[3] == "0", sys.argv[3]))
def norm(v):
    return v.replace("\r\n", "\n").strip() if isinstance(v, str) else v
def same(got, want):
    if want is None:
        return got in (None, "")
    if isinstance(want, (int, float)) and not isinstance(want, bool) or (isinstance(want, str) and want.isdigit() and isinstance(got, int)):
        try:
            return float(got) == float(want)
        except (TypeError, ValueError):
            return False
    return norm(got) == norm(want)
for name in sorted(files):
    c = by_source.get(name)
    checks.append((f"{name}: imported", c is not None, "missing"))
    if c is None:
        continue
    p = c.get("parameters", {})
    got = {
        "prompt": c.get("prompt"), "negative_prompt": c.get("negative_prompt"), "seed": c.get("seed"),
        "model": c.get("model"), "model_hash": p.get("model_hash"), "steps": p.get("steps"),
        "sampler": p.get("sampler"), "scheduler": p.get("scheduler"), "cfg_scale": p.get("cfg_scale"),
        "width": p.get("width"), "height": p.get("height"), "size": p.get("size"),
    }
    for field, want in files[name]["expected"].items():
        checks.append((f"{name}: {field}", same(got.get(field), want), f"got {got.get(field)!r}, wanted {want!r}"))
    sha = files[name].get("sha256")
    if sha:
        checks.append((f"{name}: sha256", c.get("sha256") == sha, c.get("sha256")))
print(f"1..{len(checks)}")
for n, (what, good, why) in enumerate(checks, 1):
    print(f"{'ok' if good else 'not ok'} {n} - {what}")
    if not good:
        print(f"# {why}")
print(f"# fixtures in {sys.argv[1].rsplit('/', 1)[0]}")
PY
