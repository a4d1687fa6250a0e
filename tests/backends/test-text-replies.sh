#!/bin/sh
# test-text-replies.sh - long text from the HTTP text models: an OpenAI
# chat reply or an Ollama reply whose text is over the inline limit (8 MiB)
# is kept on disk as it arrives, its JSON read through a skeleton, and the
# text becomes an asset file, decoded (escapes, surrogate pairs) byte for
# byte; a reply over max-reply fails the job and keeps nothing; a reply
# just under the limit stays a body.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/backends/lib.sh"

start_server
backends_config \
	"backend oa type=openai url=$URL/v1 model=gpt-4o-mini modality=text" \
	"backend small type=openai url=$URL/v1 model=gpt-4o-mini modality=text max-reply=2" \
	"backend talk type=ollama url=$URL model=llama3.2 api=chat" \
	"backend gen type=ollama url=$URL model=llama3.2"
setup_store
plan 15

UNIT='harbour light "quoted" é 🌊'
asset_of() { count "SELECT a.sha256 || '.' || a.ext FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.backend = '$1'"; }
file_of() { f=$(asset_of "$1"); printf '%s' "$LIGHTBOX_STORE/assets/$(printf %.2s "$f")/$f"; }

control bigtext 1 9437184
lb gen 2 --backend oa
is "$?" 0 "a 9 MiB OpenAI text reply is taken"
is "$(count "SELECT count(*) FROM candidate WHERE backend = 'oa' AND body IS NULL AND asset_id IS NOT NULL")" 1 \
	"its text is an asset, not a body"
# 9437184 / 31 whole lines of 31 bytes.
is "$(count "SELECT a.bytes || ' ' || a.media_type FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.backend = 'oa'")" \
	"$((9437184 / 31 * 31)) text/plain" "the whole text, decoded"
is "$(head -1 "$(file_of oa)")" "$UNIT" "escapes and surrogate pairs decoded byte for byte"
is "$(sort -u "$(file_of oa)" | wc -l | tr -d ' ')" 1 "every line the same: nothing lost at piece boundaries"
ok "the asset file is whole" candidates_whole

control bigtext 1 3145728
lb gen 2 --backend small
is "$?" 1 "a reply over max-reply fails the job"
like "$(count "SELECT error FROM job WHERE backend = 'small'")" "the reply is larger than max-reply \\(2 MiB\\)" \
	"saying so"
is "$(count "SELECT count(*) FROM candidate WHERE backend = 'small'")" 0 "and keeps nothing"

control bigtext 1 9437184
lb gen 2 --backend talk
is "$?" 0 "the Ollama chat job is done" || sed "s/^/#   /" "$T/err"
is "$(count "SELECT a.bytes FROM candidate c JOIN asset a ON a.id = c.asset_id WHERE c.backend = 'talk'")" \
	"$((9437184 / 31 * 31))" "a 9 MiB Ollama chat reply is an asset too"
is "$(head -1 "$(file_of talk)")" "$UNIT" "decoded the same way"

control bigtext 1 4194304
lb gen 2 --backend gen
is "$(count "SELECT length(CAST(body AS BLOB)) FROM candidate WHERE backend = 'gen' AND asset_id IS NULL")" \
	"$((4194304 / 31 * 31 - 1))" "a 4 MiB reply stays a body (its last newline trimmed)"

is "$(find "$LIGHTBOX_STORE/cache/jobs" -mindepth 1 | head -3)" "" "no spilled reply is left in the cache"
is "$(spec_errors)" "" "every request kept to the protocol"
done_testing
