#!/usr/bin/env bash
# Bounds from the checkout (issue 14, item 10): numbers that size
# allocations are refused when the checkout's tensors could not hold them,
# before anything is allocated; the shards' headers together are capped.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
out="$WORK/out"
mkdir -p "$out"

# vocab_size = 1e8 used to take 7.5 GB and minutes: now refused at once.

d=$(fixture_copy deepseek-v3-tiny vocab)
sed -i -E 's/("vocab_size": *)[^,]*(,?)$/\1100000000\2/' "$d/config.json"
err=$("$HF2GGUF" convert "$d" --outfile "$out/x.gguf" 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"config.json: 'vocab_size' is 100000000, more tokens than any tensor of the checkout can hold (the largest dimension is 400, of 'model.embed_tokens.weight')"* ]] &&
  [ -z "$(ls -A "$out")" ] && pass || fail "vocab_size 1e8: rc $rc: $err"

# The shards' headers together: capped (1 GiB; the test hook lowers it).
err=$(HF2GGUF_TEST_HEADERS_MAX=10000 "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --dry-run 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"model-00002-of-000003.safetensors: the safetensors headers of the 2 shards read so far add up to 13960 bytes, more than the 10000 hf2gguf reads in all"* ]] &&
  pass || fail "header cap: rc $rc: $err"
HF2GGUF_TEST_HEADERS_MAX=18936 "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --dry-run >/dev/null && pass ||
  fail "headers exactly at the cap were refused"

finish
