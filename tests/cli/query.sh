#!/bin/sh
# query.sh - the query language at the command line: `candidate ls
# --query` over imported parameters, ratings and tags, OR/NOT/parentheses,
# --search taking a query, `export --query`, and a bad query refused with
# its column and exit status 2, changing nothing.
. "$top_srcdir/tests/lib/tap.sh"
plan 22

cd "$T" || exit 1
mkdir in
"$LIGHTBOX" init >/dev/null
"$LIGHTBOX" project add "P" >/dev/null
"$LIGHTBOX" brief add --project 1 --title "Harbour" --modality image --prompt "a harbour" >/dev/null
mkpng in/a.png 16 9 200 0 0
mkpng in/b.png 9 16 0 200 0
mkpng in/c.png 12 12 0 0 200
cat >in/a.json <<'J'
{"prompt": "red lighthouse", "seed": 42, "steps": 30, "cfg_scale": 7, "sampler": "Euler a",
 "model": "sdxl-base", "loras": [{"name": "detail", "weight": 0.5}]}
J
cat >in/b.json <<'J'
{"prompt": "green boat", "seed": 43, "steps": 12, "cfg_scale": 3, "sampler": "DPM++ 2M", "model": "flux-dev"}
J
cat >in/c.json <<'J'
{"prompt": "red boat at dusk", "seed": 7, "steps": 30, "model": "flux-schnell", "scheduler": "karras"}
J
"$LIGHTBOX" import in --brief 1 >/dev/null
"$LIGHTBOX" rate 1 5 >/dev/null
"$LIGHTBOX" rate 2 2 >/dev/null
LIGHTBOX_CURATOR=bob "$LIGHTBOX" rate 3 4 >/dev/null
LIGHTBOX_CURATOR=bob "$LIGHTBOX" flag 3 pick >/dev/null
"$LIGHTBOX" tag add 2 keep >/dev/null
"$LIGHTBOX" note add 3 "horizon tilts" >/dev/null

# ids QUERY: the ids candidate ls --query finds, on one line
ids() { lb candidate ls --query "$1" --all --json && jq -r '[.[].id] | join(" ")' "$T/out"; }

is "$(ids 'seed:42')" "1" "seed:N"
is "$(ids 'seed>=40')" "1 2" "seed>=N"
is "$(ids 'steps>=30 model:flux*')" "3" "a parameter with AND, a prefix"
is "$(ids 'lora:detail OR scheduler:karras')" "1 3" "lora: OR scheduler:"
is "$(ids 'sampler:"dpm++ 2m"')" "2" "a quoted value, any case"
is "$(ids 'param:cfg_scale<5')" "2" "param:KEY<N"
is "$(ids 'aspect:portrait')" "2" "the asset's aspect"
is "$(ids 'width>=12 -aspect:landscape')" "3" "width and NOT"
is "$(ids 'red -(boat OR stars:5)')" "" "free words with a negated group"
is "$(ids 'red (boat OR stars:5)')" "1 3" "free words with a group"
is "$(ids '"red boat"')" "3" "a phrase"
is "$(ids 'stars>=1')" "1 2" "stars are mine"
is "$(ids 'avg>=4')" "1 3" "avg is everyone's"
is "$(ids 'rated-by:bob picks>=1')" "3" "rated-by and picks"
is "$(ids 'unrated-by:me')" "3" "unrated-by:me"
is "$(ids 'tag:keep OR note:horizon')" "2 3" "tag: and note:"

lb candidate ls --search 'boat -red' --json
is "$(jq -r '[.[].id] | join(" ")' "$T/out")" "2" "--search takes a query too"

lb candidate ls --query 'steps>=30 (lora:detail OR'
is "$?" 2 "a bad query exits 2"
like "$(cat "$T/err")" "--query: at column 26: expected a term after OR" "and says where and what was expected"
lb candidate ls --query 'seed:abc'
like "$(cat "$T/err")" "at column 1: 'seed' takes a whole number, not 'abc'" "a bad value is named"

lb export 1 --format csv --query 'avg>=4 -tag:keep'
is "$(cut -d, -f5 "$T/out" | tail -n +2 | sort | tr '\n' ' ')" "1 3 " "export --query chooses from every candidate"
lb export 1 --query '(('
is "$?" 2 "export refuses a bad query"
done_testing
