#!/usr/bin/env bash
# Bad checkouts: each must fail with exit 1, a message naming what is wrong,
# and no output or temporary file left behind.
. "$(dirname "$0")/lib.sh"

out="$WORK/out"
mkdir -p "$out"
convert() { "$HF2GGUF" convert "$1" --outfile "$out/model.gguf" --outtype f16 "${@:2}"; }

# Missing config.json.
d=$(fixture_copy deepseek-v3-tiny no-config)
rm "$d/config.json"
expect_error "missing config.json" "config.json" "$out" -- convert "$d"

# Unknown architecture.
d=$(fixture_copy deepseek-v3-tiny unknown-arch)
sed -i 's/DeepseekV3ForCausalLM/LlamaForCausalLM/' "$d/config.json"
expect_error "unknown architecture" "architecture 'LlamaForCausalLM' is not supported" "$out" \
  -- convert "$d"

# Truncated shard: the last tensor's data runs past the end of the file.
d=$(fixture_copy deepseek-v3-tiny truncated)
truncate -s -1000 "$d/model-00002-of-000003.safetensors"
expect_error "truncated shard" "model-00002-of-000003.safetensors" "$out" -- convert "$d"

# Header length larger than the file.
d=$(fixture_copy deepseek-v2-lite-tiny big-header)
{ u64le 999999999; tail -c +9 "$DATA/deepseek-v2-lite-tiny/model.safetensors"; } \
  > "$d/model.safetensors"
expect_error "header length larger than the file" "header length 999999999" "$out" \
  -- convert "$d"

# Overlapping tensor ranges.
d=$(fixture_copy deepseek-v2-lite-tiny overlap)
write_safetensors "$d/model.safetensors" \
  '{"a":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[4],"data_offsets":[4,12]}}' 12
expect_error "overlapping ranges" "overlap" "$out" -- convert "$d"

# shape x dtype does not match the byte range.
d=$(fixture_copy deepseek-v2-lite-tiny bad-size)
write_safetensors "$d/model.safetensors" \
  '{"a":{"dtype":"BF16","shape":[4,8],"data_offsets":[0,60]}}' 60
expect_error "shape x dtype != byte range" "tensor 'a'" "$out" -- convert "$d"

# A tensor listed in the index but missing from its shard.
d=$(fixture_copy deepseek-v3-tiny index-extra)
sed -i 's/"lm_head.weight"/"lm_head.weight": "model-00003-of-000003.safetensors",\n    "model.ghost.weight"/' \
  "$d/model.safetensors.index.json"
expect_error "tensor in index missing from shard" "model.ghost.weight" "$out" -- convert "$d"

# A shard named in the index but absent (reported before any writing starts).
d=$(fixture_copy deepseek-v3-tiny missing-shard)
rm "$d/model-00003-of-000003.safetensors"
expect_error "shard absent" "model-00003-of-000003.safetensors" "$out" -- convert "$d"

# Unknown pre-tokenizer: the message names the override flag.
d=$(fixture_copy deepseek-v3-tiny unknown-pre)
sed -i 's/p{N}{1,3}/p{N}{1,5}/' "$d/tokenizer.json"
expect_error "unknown pre-tokenizer" "--tokenizer-pre" "$out" -- convert "$d"
# ... and the override makes it convert.
if convert "$d" --tokenizer-pre deepseek-v3 --quiet && [ -f "$out/model.gguf" ]; then pass
else fail "--tokenizer-pre override did not convert"; fi
rm -f "$out/model.gguf"

# An existing output is not overwritten without --force, and stays as it was.
echo "precious" > "$out/model.gguf"
err=$(convert "$DATA/deepseek-v3-tiny" 2>&1); rc=$?
if [ $rc -eq 1 ] && [[ $err == *"already exists; pass --force"* ]] &&
   [ "$(cat "$out/model.gguf")" = precious ] && [ "$(ls -A "$out")" = model.gguf ]; then pass
else fail "existing output: rc $rc, $err"; fi
rm -f "$out/model.gguf"

# Usage errors exit 2.
"$HF2GGUF" convert >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "no MODEL_DIR: exit not 2"
"$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outtype q4 >/dev/null 2>&1
[ $? -eq 2 ] && pass || fail "bad --outtype: exit not 2"
"$HF2GGUF" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "unknown command: exit not 2"

finish
