#!/usr/bin/env bash
# Malformed inputs, one table row per case: each must make hf2gguf exit 1
# with a one-line error that names the broken file and says what is wrong
# (the fragment), and leave no output or .tmp file behind. Broken optional
# metadata (TOLERATED) must instead give a warning and the model. Then every
# fuzzer finding under tests/data/malformed/regress/ is replayed: exit 1, no
# signal.
#
# MALFORMED_SHOW=1 prints every case's actual message (to review wording).
. "$(dirname "$0")/lib.sh"

DATA=$(cd "$DATA" && pwd) # the setups run in other directories
MAL="$DATA/malformed"
out="$WORK/out"
mkdir -p "$out"
export LC_ALL=C

# ---------------------------------------------------------------------------
# Helpers the table's "how it is broken" column uses (run inside the copy)
# ---------------------------------------------------------------------------

u32le() {
  local n=$1 i s=""
  for i in 0 1 2 3; do s+=$(printf '\\x%02x' $(( (n >> (8 * i)) & 255 ))); done
  printf "$s"
}

# st FILE HEADER_JSON [DATA_BYTES]: a safetensors file (data: zeros).
st() { write_safetensors "$1" "$2" "${3:-0}"; }

# st_raw FILE N BYTES: header length N, then BYTES (printf format) as the rest.
st_raw() { { u64le "$2"; printf "$3"; } > "$1"; }

# st_edit FILE SED_EXPR: rewrites a safetensors header with sed -E (the
# length prefix follows; the data stays where it was).
st_edit() {
  local f=$1 n h
  n=$(od -An -t u8 -N8 "$f" | tr -d ' ')
  h=$(head -c $((8 + n)) "$f" | tail -c "$n" | sed -E "$2")
  { u64le ${#h}; printf '%s' "$h"; tail -c +$((9 + n)) "$f"; } > "$f.new" && mv "$f.new" "$f"
}

# st_offset FILE NAME: where tensor NAME's data starts in the data section.
st_offset() {
  local n
  n=$(od -An -t u8 -N8 "$1" | tr -d ' ')
  head -c $((8 + n)) "$1" | tail -c "$n" | grep -o "\"${2//./\\.}\":{[^}]*}" |
    sed -E 's/.*"data_offsets":\[([0-9]+),.*/\1/'
}

# st_poke FILE OFFSET CMD...: writes CMD's output at OFFSET of FILE's data
# section (after the header).
st_poke() {
  local f=$1 n
  n=$(od -An -t u8 -N8 "$f" | tr -d ' ')
  poke "$f" $((8 + n + $2)) "${@:3}"
}

# drop_tensor FILE NAME: removes tensor NAME from a shard's header and from
# the index (neither may end with it).
drop_tensor() {
  st_edit "$1" "s/\"${2//./\\.}\":\\{[^}]*\\},//"
  sed -i "/\"${2//./\\.}\"/d" model.safetensors.index.json
}

# set_key FILE KEY VALUE: replaces the value of "KEY": ... on its line.
set_key() { sed -i -E "s/(\"$2\": *)[^,]*(,?)\$/\\1$3\\2/" "$1"; }

# GGUF pieces: gs STRING (a GGUF string), gguf_head VERSION N_TENSORS N_KV.
gs() { u64le ${#1}; printf '%s' "$1"; }
gguf_head() { printf 'GGUF'; u32le "$1"; u64le "$2"; u64le "$3"; }
# ti NAME N_DIMS NE TYPE OFFSET: one tensor info with a single ne (or n_dims
# copies of it).
ti() {
  local i
  gs "$1"; u32le "$2"
  for ((i = 0; i < $2; i++)); do u64le "$3"; done
  u32le "$4"; u64le "$5"
}
# zeros N: N zero bytes.
zeros() { head -c "$1" /dev/zero; }
# poke FILE OFFSET CMD...: writes CMD's output over FILE's bytes at OFFSET
# (the table's columns are split at '|', so the pipe lives here).
poke() { local f=$1 off=$2; shift 2; "$@" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none; }

# A valid GGUF with two F32 tensors of 4 elements at 0 and 32: header 123
# bytes, padded to 128, data 64. Cases below change one thing in it: the
# alignment value is at byte 53, tensor b's name at 98 and its offset at 115.
good_gguf() {
  { gguf_head 3 2 1; gs general.alignment; u32le 4; u32le 32
    ti a 1 4 0 0; ti b 1 4 0 32; } > "$1.h"
  { cat "$1.h"; zeros $((128 - $(stat -c %s "$1.h"))); zeros 64; } > "$1"
  rm "$1.h"
}

# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------
# NAME | ON (fixture copied to $d, or gguf: $g given to `inspect`) | HOW IT IS
# BROKEN (shell, run in $d) | EXPECTED FRAGMENT OF THE ONE-LINE ERROR
# (" ... " in a fragment stands for any text)
#
# v2 is deepseek-v2-lite-tiny (one model.safetensors, no index), v3 is
# deepseek-v3-tiny (three shards and an index), ocr is deepseek-ocr-tiny,
# kimi is kimi-k2-tiny (tiktoken.model), int4 kimi-k2-int4-tiny (INT4 experts).
# v4 is deepseek-v4-tiny (FP8 + E8M0 scales, FP4 experts, tid2eid tables).
# v32 is deepseek-v32-tiny (DeepSeek-V3.2), moe is deepseek-moe-tiny.
# arc: a copy of v2 in folder m/ of a scratch directory, where the setup
# makes the archive bad.tar that is converted (whatever its real format).
CASES=$(cat <<'EOF'
st-empty-file          | v2 | : > model.safetensors                                                  | model.safetensors: file is ... (truncated?)
st-seven-bytes         | v2 | printf 'abcdefg' > model.safetensors                                    | model.safetensors: file is 7 bytes
st-header-truncated    | v2 | st_raw model.safetensors 100 '{"a":{"dtype":"F32"'                     | model.safetensors: header length 100
st-header-len-2^63     | v2 | st_raw model.safetensors $((1 << 63)) '{}'                              | model.safetensors: header length 9223372036854775808
st-header-len-2^64-1   | v2 | st_raw model.safetensors -1 '{}'                                        | model.safetensors: header length 18446744073709551615
st-header-over-100mb   | v2 | st_raw model.safetensors 104857601 '{}' && truncate -s 104857700 model.safetensors | model.safetensors: header length 104857601
st-header-not-json     | v2 | st model.safetensors '{"a": nope}'                                      | model.safetensors: header is not valid JSON
st-header-array        | v2 | st model.safetensors '[1, 2]'                                           | model.safetensors: header is not a JSON object
st-header-empty        | v2 | st_raw model.safetensors 0 ''                                           | model.safetensors: header is not valid JSON
st-entry-not-object    | v2 | st model.safetensors '{"a": 5}'                                         | model.safetensors: tensor 'a': entry must be a JSON object
st-duplicate-name      | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}' 2 | model.safetensors: tensor 'a' is listed twice
st-unknown-dtype       | v2 | st model.safetensors '{"a":{"dtype":"F12","shape":[1],"data_offsets":[0,1]}}' 1 | model.safetensors: tensor 'a': unknown dtype 'F12'
st-dtype-missing       | v2 | st model.safetensors '{"a":{"shape":[1],"data_offsets":[0,1]}}' 1     | model.safetensors: tensor 'a': 'dtype' must be a string
st-shape-negative      | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}' 1 | model.safetensors: tensor 'a': shape entry 0 is not a non-negative whole number
st-shape-fraction      | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}' 1 | model.safetensors: tensor 'a': shape entry 0 is not a non-negative whole number
st-shape-string        | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":["1"],"data_offsets":[0,1]}}' 1 | model.safetensors: tensor 'a': shape entry 0 is not a non-negative whole number
st-shape-9-dims        | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}}' 1 | model.safetensors: tensor 'a': shape has 9 dimensions
st-shape-overflow      | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[4294967296,4294967296,2],"data_offsets":[0,0]}}' | model.safetensors: tensor 'a': shape overflows 64 bits
st-bytes-overflow      | v2 | st model.safetensors '{"a":{"dtype":"F64","shape":[4294967296,1073741824],"data_offsets":[0,0]}}' | model.safetensors: tensor 'a': byte size overflows 64 bits
st-offsets-reversed    | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}' 4 | model.safetensors: tensor 'a': data_offsets [4, 0) are reversed
st-offsets-past-end    | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[8],"data_offsets":[8,16]}}' 8 | model.safetensors: tensor 'a' data [8, 16) lies outside the file
st-offsets-huge        | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,18446744073709551616]}}' 8 | model.safetensors: tensor 'a': 'data_offsets' must be two whole numbers
st-offsets-one-entry   | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}}' 1 | model.safetensors: tensor 'a': 'data_offsets' must be two whole numbers
st-overlap             | v2 | st model.safetensors '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}' 6 | model.safetensors: tensors 'a' [0, 4) and 'b' [2, 6) overlap
st-is-directory        | v2 | rm model.safetensors && mkdir model.safetensors                         | model.safetensors: not a regular file
idx-not-json           | v3 | printf '{"weight_map": ' > model.safetensors.index.json                 | model.safetensors.index.json: not valid JSON
idx-array              | v3 | printf '[]' > model.safetensors.index.json                              | model.safetensors.index.json: must be a JSON object
idx-no-weight-map      | v3 | printf '{"metadata": {}}' > model.safetensors.index.json                | model.safetensors.index.json: 'weight_map' must be an object
idx-empty-weight-map   | v3 | printf '{"weight_map": {}}' > model.safetensors.index.json              | model.safetensors.index.json: 'weight_map' is empty
idx-value-not-string   | v3 | sed -i 's/"lm_head.weight": "model-00003-of-000003.safetensors"/"lm_head.weight": 3/' model.safetensors.index.json | model.safetensors.index.json: ... tensor 'lm_head.weight' must map to a file name
idx-dotdot-path        | v3 | sed -i 's/"lm_head.weight": "/&..\//' model.safetensors.index.json       | model.safetensors.index.json: ... file name '../model-00003-of-000003.safetensors' (tensor 'lm_head.weight') must be a plain file name
idx-dotdot-alone       | v3 | sed -i 's/"lm_head.weight": "model-00003-of-000003.safetensors"/"lm_head.weight": ".."/' model.safetensors.index.json | model.safetensors.index.json: ... file name '..' (tensor 'lm_head.weight') must be a plain file name
idx-missing-shard      | v3 | sed -i 's/"lm_head.weight": "model-00003/"lm_head.weight": "model-00009/' model.safetensors.index.json | shard 'model-00009-of-000003.safetensors' named in weight_map does not exist
idx-wrong-shard        | v3 | sed -i 's/"lm_head.weight": "model-00003/"lm_head.weight": "model-00001/' model.safetensors.index.json | tensor 'lm_head.weight' listed in model.safetensors.index.json is missing from model-00001-of-000003.safetensors
idx-unlisted-tensor    | v3 | sed -i '/"lm_head.weight"/d' model.safetensors.index.json               | model-00003-of-000003.safetensors: tensor 'lm_head.weight' is not listed in model.safetensors.index.json
idx-tensor-twice       | v3 | sed -i 's/"lm_head.weight": "model-00003-of-000003.safetensors",/&\n    "lm_head.weight": "model-00003-of-000003.safetensors",/' model.safetensors.index.json | model.safetensors.index.json: ... tensor 'lm_head.weight' ... twice
idx-shard-is-directory | v3 | rm model-00002-of-000003.safetensors && mkdir model-00002-of-000003.safetensors | model.safetensors.index.json: shard 'model-00002-of-000003.safetensors' ... is not a regular file
cfg-not-json           | v2 | printf '{"hidden_size": 32,' > config.json                              | config.json: not valid JSON
cfg-empty-file         | v2 | : > config.json                                                         | config.json: not valid JSON
cfg-array              | v2 | printf '[{"hidden_size": 32}]' > config.json                            | config.json: must be a JSON object
cfg-is-directory       | v2 | rm config.json && mkdir config.json                                     | config.json: not a regular file
cfg-no-architectures   | v2 | sed -i '/"architectures"/,/\]/d' config.json                            | config.json: 'architectures' must be a list
cfg-architectures-str  | v2 | sed -i '/"architectures"/,/\]/c\  "architectures": "DeepseekV2ForCausalLM",' config.json | config.json: 'architectures' must be a list
cfg-hidden-size-string | v2 | set_key config.json hidden_size '"32"'                                  | config.json: 'hidden_size' must be a whole number, found a string
cfg-hidden-size-null   | v2 | set_key config.json hidden_size null                                    | config.json: required key 'hidden_size' is missing
cfg-hidden-size-missing | v2 | sed -i '/"hidden_size"/d' config.json                                  | config.json: required key 'hidden_size' is missing
cfg-layers-string      | v2 | set_key config.json num_hidden_layers '"27"'                            | config.json: 'num_hidden_layers' must be a whole number, found a string
cfg-layers-fraction    | v2 | set_key config.json num_hidden_layers 27.5                              | config.json: 'num_hidden_layers' must be a whole number from 0 to 4294967295, found 27.5
cfg-layers-negative    | v2 | set_key config.json num_hidden_layers -1                                | config.json: 'num_hidden_layers' must be a whole number from 0 to 4294967295, found -1
cfg-layers-2^32        | v2 | set_key config.json num_hidden_layers 4294967296                        | config.json: 'num_hidden_layers' must be a whole number from 0 to 4294967295
cfg-heads-list         | v2 | set_key config.json num_attention_heads '[2]'                           | config.json: 'num_attention_heads' must be a whole number, found a list
cfg-rms-eps-string     | v2 | set_key config.json rms_norm_eps '"1e-6"'                               | config.json: 'rms_norm_eps' must be a number, found a string
cfg-rope-theta-bool    | v2 | set_key config.json rope_theta true                                     | config.json: 'rope_theta' must be a number, found a boolean
cfg-rope-scaling-str   | v2 | sed -i '/"rope_scaling": {/,/}/c\  "rope_scaling": "yarn",' config.json | config.json: 'rope_scaling' must be an object
cfg-rope-factor-string | v2 | set_key config.json factor '"40"'                                        | config.json: rope_scaling: 'factor' must be a number, found a string
cfg-experts-string     | v2 | set_key config.json n_routed_experts '"4"'                              | config.json: 'n_routed_experts' must be a whole number, found a string
cfg-tie-embed-string   | v2 | set_key config.json tie_word_embeddings '"no"'                          | config.json: 'tie_word_embeddings' must be true or false, found a string
cfg-vocab-too-small    | v2 | set_key config.json vocab_size 100                                      | tokenizer.json: token '§' has id 100, not below vocab_size 100
cfg-vocab-size-string  | v2 | set_key config.json vocab_size '"320"'                                  | config.json: 'vocab_size' must be a whole number, found a string
tok-not-json           | v2 | printf '{"model": ' > tokenizer.json                                    | tokenizer.json: not valid JSON
tok-missing            | v2 | rm tokenizer.json                                                       | tokenizer.json: not found in
tok-is-directory       | v2 | rm tokenizer.json && mkdir tokenizer.json                               | tokenizer.json: not a regular file
tok-duplicate-token    | v2 | sed -i 's/"added_tokens": \[/&{"id": 312, "content": "b", "special": false},/' tokenizer.json | tokenizer.json: token 'b' appears twice
tok-duplicate-key      | v2 | sed -i 's/"b": 65,/"b": 65, "b": 66,/' tokenizer.json                    | tokenizer.json: model.vocab lists 'b' twice
tok-id-not-number      | v2 | sed -i 's/"b": 65,/"b": "65",/' tokenizer.json                          | tokenizer.json: model.vocab token 'b' has no non-negative whole-number id
tok-vocab-not-object   | v2 | sed -i 's/"vocab": {/"vocab": 5, "x": {/' tokenizer.json | tokenizer.json: 'model.vocab' must be an object
tok-added-not-list     | v2 | sed -i 's/"added_tokens": \[/"added_tokens": 1, "x": [/' tokenizer.json  | tokenizer.json: 'added_tokens' must be a list
tok-added-bad-id       | v2 | sed -i '0,/"id": 296/s//"id": -296/' tokenizer.json                     | tokenizer.json: added_tokens[0] needs a string 'content' and a non-negative whole-number 'id'
tok-merges-missing     | v2 | sed -i 's/"merges": \[/"merges_": [/' tokenizer.json                    | tokenizer.json: 'model.merges' is missing or empty
tokc-not-json          | v2 | printf '{"add_bos_token": tru' > tokenizer_config.json                  | tokenizer_config.json: not valid JSON
model-st-beside-index  | v3 | cp model-00001-of-000003.safetensors model.safetensors                 | model.safetensors: found beside model.safetensors.index.json, whose weight_map does not name it; the checkout holds two sets of weights and hf2gguf cannot tell which is the model
proc-not-object        | ocr | printf '[1]' > processor_config.json                                   | processor_config.json: must be a JSON object
gguf-empty-file        | gguf | : > "$g"                                                              | bad.gguf: empty file (0 bytes), not a GGUF file
gguf-bad-magic         | gguf | good_gguf "$g" && poke "$g" 0 printf GGUX | bad.gguf: not a GGUF file: bad magic 47 47 55 58
gguf-version-2         | gguf | good_gguf "$g" && poke "$g" 4 u32le 2 | bad.gguf: GGUF version 2 is not supported
gguf-version-4         | gguf | good_gguf "$g" && poke "$g" 4 u32le 4 | bad.gguf: GGUF version 4 is not supported
gguf-truncated-header  | gguf | good_gguf "$g" && truncate -s 20 "$g"                                  | bad.gguf: KV count at byte 16 runs past the end of the file (20 bytes)
gguf-alignment-3       | gguf | good_gguf "$g" && poke "$g" 53 u32le 3 | bad.gguf: general.alignment = 3 is not a power of two
gguf-alignment-0       | gguf | good_gguf "$g" && poke "$g" 53 u32le 0 | bad.gguf: general.alignment = 0 is not a power of two
gguf-alignment-string  | gguf | { gguf_head 3 0 1; gs general.alignment; u32le 8; gs 32; } > "$g"     | bad.gguf: general.alignment has type STRING; it must be UINT32
gguf-offsets-not-dense | gguf | good_gguf "$g" && poke "$g" 115 u64le 0 | bad.gguf: tensor 'b': offset 0 is not the expected 32
gguf-offset-unaligned  | gguf | good_gguf "$g" && poke "$g" 115 u64le 16 | bad.gguf: tensor 'b': offset 16 is not a multiple of the alignment 32
gguf-data-past-eof     | gguf | good_gguf "$g" && truncate -s 150 "$g"                                 | bad.gguf: tensor 'b': 16 bytes of data at byte 160 run past the end of the file
gguf-string-past-eof   | gguf | { gguf_head 3 0 1; u64le 1000; printf 'general.x'; } > "$g"             | bad.gguf: KV 0: key of 1000 bytes at byte 32 runs past the end of the file
v32-no-index-keys      | v32 | sed -i '/"index_/d' config.json                                         | config.json: required key 'index_n_heads' is missing; DeepseekV32ForCausalLM needs index_n_heads, index_head_dim and index_topk
v32-no-index-topk      | v32 | sed -i '/"index_topk"/d' config.json                                   | config.json: required key 'index_topk' is missing
v32-add-bos-false      | v32 | set_key tokenizer_config.json add_bos_token false                       | tokenizer_config.json: 'add_bos_token' is false; ... Set "add_bos_token": true in tokenizer_config.json
v32-add-bos-string     | v32 | set_key tokenizer_config.json add_bos_token '"yes"'                     | tokenizer_config.json: 'add_bos_token' must be true or false
v32-no-tokenizer-json  | v32 | rm tokenizer.json                                                       | tokenizer.json: not found in ... DeepseekV32ForCausalLM takes its vocabulary from tokenizer.json only
moe-no-tokenizer-json  | moe | rm tokenizer.json                                                       | tokenizer.json: not found in ... DeepseekForCausalLM takes its vocabulary from tokenizer.json
moe-missing-expert     | moe | sed -i 's/"model[.]layers[.]1[.]mlp[.]experts[.]7[.]up_proj[.]weight"/"vit.ablayers.1.mlp.experts.7.up_proj.weight"/' *.safetensors model.safetensors.index.json | layer 1: found 35 of the 36 expert tensors (3 x n_routed_experts); the checkout is incomplete: 'model.layers.1.mlp.experts.7.up_proj.weight' is missing
moe-fewer-experts      | moe | set_key config.json n_routed_experts 10                                 | tensor 'model.layers.1.mlp.experts.10.down_proj.weight': expert 10 is outside n_routed_experts (10)
moe-tokenizer-model    | moe | printf 'sentencepiece' > tokenizer.model                                | tokenizer.model: present in ... hf2gguf does not do (it reads tokenizer.json
moe-no-first-k-dense   | moe | sed -i '/"first_k_dense_replace"/d' config.json                         | config.json: required key 'first_k_dense_replace' is missing (it gives deepseek.leading_dense_block_count)
moe-heads-uneven       | moe | set_key config.json num_attention_heads 3                               | tensor 'model.layers.0.self_attn.q_proj.weight': shape [64, ...] does not split into 3 heads
gguf-string-len-2^63   | gguf | { gguf_head 3 0 1; u64le $((1 << 63)); printf 'general.x'; } > "$g"   | bad.gguf: KV 0: key of 9223372036854775808 bytes at byte 32 runs past the end
gguf-n-kv-huge         | gguf | { gguf_head 3 0 $((1 << 62)); } > "$g"                                 | bad.gguf: KV count 4611686018427387904 (with 0 tensors) cannot fit
gguf-n-tensors-huge    | gguf | { gguf_head 3 $((1 << 62)) 0; } > "$g"                                 | bad.gguf: tensor count 4611686018427387904 cannot fit
gguf-duplicate-key     | gguf | { gguf_head 3 0 2; gs a; u32le 4; u32le 1; gs a; u32le 4; u32le 2; } > "$g" | bad.gguf: duplicate key 'a'
gguf-unknown-type      | gguf | { gguf_head 3 0 1; gs a; u32le 13; u32le 1; } > "$g"                  | bad.gguf: key 'a': unknown value type 13
gguf-array-count-huge  | gguf | { gguf_head 3 0 1; gs a; u32le 9; u32le 4; u64le $((1 << 61)); } > "$g" | bad.gguf: key 'a': array of 2305843009213693952 UINT32 at byte 49 runs past the end
gguf-array-of-arrays   | gguf | { gguf_head 3 0 1; gs a; u32le 9; u32le 9; u64le 1; } > "$g"          | bad.gguf: key 'a': nested arrays are not supported
gguf-name-64-bytes     | gguf | { gguf_head 3 1 0; ti $(printf 'x%.0s' {1..64}) 1 32 0 0; zeros 20; zeros 32; } > "$g" | bad.gguf: tensor 0: name of 64 bytes is too long
gguf-five-dims         | gguf | { gguf_head 3 1 0; ti a 5 1 0 0; } > "$g" && truncate -s 128 "$g"      | bad.gguf: tensor 'a': n_dims = 5; GGUF allows 1 to 4
gguf-unknown-ggml-type | gguf | { gguf_head 3 1 0; ti a 1 4 99 0; } > "$g" && truncate -s 96 "$g"      | bad.gguf: tensor 'a': unknown ggml type 99
gguf-q8-bad-ne0        | gguf | { gguf_head 3 1 0; ti a 1 31 8 0; } > "$g" && truncate -s 96 "$g"      | bad.gguf: tensor 'a': ne[0] = 31 is not a multiple of the Q8_0 block size 32
gguf-duplicate-tensor  | gguf | good_gguf "$g" && poke "$g" 98 printf a | bad.gguf: duplicate tensor name 'a'
gguf-is-directory      | gguf | mkdir "$g"                                                              | bad.gguf: not a regular file
gguf-expected-cut      | gguf | head -c -100 "$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf" > "$g" | bad.gguf
cfg-experts-huge       | v2 | set_key config.json n_routed_experts 4294967295                         | config.json: 'n_routed_experts' is 4294967295
cfg-layers-huge        | v2 | set_key config.json num_hidden_layers 4294967295                        | config.json: 'num_hidden_layers' is 4294967295
cfg-vocab-huge         | v3 | set_key config.json vocab_size 100000000                                | config.json: 'vocab_size' is 100000000, more tokens than any tensor of the checkout can hold (the largest dimension is 400, of 'model.embed_tokens.weight')
cfg-vocab-over-rows    | v3 | set_key config.json vocab_size 401                                      | config.json: 'vocab_size' is 401, more tokens than any tensor
cfg-hidden-vs-tensors  | v3 | set_key config.json hidden_size 32                                      | the model planned from ... breaks llama.cpp's rules: token_embd.weight (from model.embed_tokens.weight): shape {64, 400}, expected {32, 400} ... config.json: hidden_size = 32
cfg-experts-used-over  | v3 | set_key config.json num_experts_per_tok 9                               | deepseek2.expert_used_count: 9 is more than deepseek2.expert_count 8; config.json: num_experts_per_tok = 9
cfg-layers-drop-real   | v3 | set_key config.json num_hidden_layers 3                                 | config.json: num_hidden_layers = 3 (+ 1 MTP layers) leaves out layer 4
pickled-only           | v2 | rm model.safetensors && : > pytorch_model.bin                           | no model*.safetensors files in ... only pytorch_model.bin: pickled PyTorch checkpoints are not read
tik-bad-base64         | kimi | sed -i '3s/^[^ ]*/I*==/' tiktoken.model                              | tiktoken.model line 3: the token 'I*==' is not canonical standard base64
tik-duplicate-rank     | kimi | sed -i '5s/ [0-9]*$/ 3/' tiktoken.model                             | tiktoken.model line 5: rank 3 is given twice (also on line 4)
tik-rank-gap           | kimi | sed -i '$s/ [0-9]*$/ 450/' tiktoken.model                          | tiktoken.model line 450: rank 450 leaves a gap: 450 tokens must have the ranks 0 to 449, each once
tik-no-rank            | kimi | sed -i '7s/ .*//' tiktoken.model                                     | tiktoken.model line 7: expected '<base64 token> <rank>'
tik-token-twice        | kimi | sed -i '9s/^[^ ]*/IQ==/' tiktoken.model                              | tiktoken.model line 9: the same token as line 1
tik-empty              | kimi | : > tiktoken.model                                                   | tiktoken.model: no tokens
tik-missing            | kimi | rm tiktoken.model                                                    | tokenizer.json: not found in ... (hf2gguf needs the fast tokenizer file, or Kimi-K2's tiktoken.model)
tik-other-class        | kimi | set_key tokenizer_config.json tokenizer_class '"LlamaTokenizer"'     | tokenizer.json: not found; there is a tiktoken.model, but tokenizer_config.json's 'tokenizer_class' is "LlamaTokenizer", not "TikTokenTokenizer"
tik-vocab-too-small    | kimi | set_key config.json vocab_size 400                                   | config.json: vocab_size 400 is smaller than the 450 ranks of tiktoken.model
tik-decoder-bad-id     | kimi | sed -i 's/"450": {/"45x": {/' tokenizer_config.json                  | tokenizer_config.json: added_tokens_decoder key '45x' is not a token id
int4-packed-shape      | int4 | sed -i 's/experts.0.down_proj.weight_packed":{"dtype":"I32","shape":\[64,8\],"data_offsets":\[608,2656\]/experts.0.down_proj.weight_packed":{"dtype":"I32","shape":[64,7],"data_offsets":[608,2400]/' model-00001-of-000002.safetensors | tensor 'model.layers.1.mlp.experts.0.down_proj.weight_packed' has shape [64, 7], but 'model.layers.1.mlp.experts.0.down_proj.weight_shape' says [64, 64], which packs to [64, 8] at 4 bits
int4-scale-groups      | int4 | sed -i 's/experts.0.down_proj.weight_scale":{"dtype":"BF16","shape":\[64,2\]/experts.0.down_proj.weight_scale":{"dtype":"BF16","shape":[32,4]/' model-00001-of-000002.safetensors | tensor 'model.layers.1.mlp.experts.0.down_proj.weight_scale' has shape [32, 4]; weight [64, 64] in groups of 32 needs [64, 2]
int4-group-size        | int4 | set_key config.json group_size 16                                | tensor 'model.layers.1.mlp.experts.0.down_proj.weight_scale' has shape [64, 2]; weight [64, 64] in groups of 16 needs [64, 4]
int4-weight-shape      | int4 | h=$(od -An -tu8 -N8 model-00001-of-000002.safetensors) && poke model-00001-of-000002.safetensors $((8 + h + 8)) u64le 128 | tensor 'model.layers.1.mlp.experts.0.down_proj.weight_packed' has shape [64, 8], but 'model.layers.1.mlp.experts.0.down_proj.weight_shape' says [64, 128], which packs to [64, 16] at 4 bits
int4-weight-shape-zero | int4 | h=$(od -An -tu8 -N8 model-00001-of-000002.safetensors) && poke model-00001-of-000002.safetensors $((8 + h)) u64le 0       | tensor 'model.layers.1.mlp.experts.0.down_proj.weight_shape': dimension 0 is 0; expected a positive size
int4-no-scale          | int4 | sed -i 's/layers[.]1[.]mlp[.]experts[.]0[.]down_proj[.]weight_scale"/layers.1.mlp.experts.0.down_proj.wt_scale_inv"/' model-00001-of-000002.safetensors model.safetensors.index.json | tensor 'model.layers.1.mlp.experts.0.down_proj.weight_packed' is packed INT4 but its companion 'model.layers.1.mlp.experts.0.down_proj.weight_scale' is missing
int4-asymmetric        | int4 | set_key config.json symmetric false                              | config.json: quantization_config weights: asymmetric INT4 (with zero points) is not supported
int4-8bit              | int4 | set_key config.json num_bits 8                                   | config.json: quantization_config weights: num_bits 8; hf2gguf converts 4-bit pack-quantized checkpoints
int4-not-configured    | int4 | sed -i 's/"quant_method": "compressed-tensors"/"quant_method": "fp8"/' config.json | tensor 'model.layers.1.mlp.experts.0.down_proj.weight_packed' is packed, but config.json's quantization_config is not compressed-tensors pack-quantized
nvfp4-compressed       | int4 | sed -i 's/"format": "pack-quantized"/"format": "nvfp4-pack-quantized"/' config.json | config.json: quantization_config: format 'nvfp4-pack-quantized' is NVFP4, which llama.cpp writes as GGML NVFP4 blocks (type 40) that hf2gguf does not write yet; convert the model's bf16 or fp8 release instead
nvfp4-modelopt         | v3 | echo '{"producer": {"name": "modelopt"}, "quantization": {"quant_algo": "NVFP4", "group_size": 16}}' > hf_quant_config.json | hf_quant_config.json: quantization.quant_algo 'NVFP4' (ModelOpt) is NVFP4
mxfp4                  | fp8 | sed -i 's/"quant_method": "fp8"/"quant_method": "mxfp4"/' config.json | config.json: quantization_config.quant_method 'mxfp4' is not supported for DeepSeek-family models (llama.cpp's converter refuses it too; only gpt-oss repacks MXFP4); convert the model's bf16 or fp8 release instead
arc-empty-file         | arc | : > bad.tar                                                            | bad.tar: empty file (expected a tar or zip archive)
arc-garbage            | arc | head -c 5000 /dev/urandom > bad.tar                                    | bad.tar: not a readable tar or zip archive
arc-no-files           | arc | tar -cf bad.tar --files-from /dev/null                                 | bad.tar: the archive holds no files
arc-tar-truncated      | arc | tar -cf full.tar m && head -c 100000 full.tar > bad.tar                | bad.tar: not a readable tar or zip archive: Truncated input file
arc-gzip-truncated     | arc | tar -czf full.tgz m && head -c 30000 full.tgz > bad.tar                | bad.tar: entry 'm/model.safetensors': truncated gzip input
arc-dotdot             | arc | tar -cf bad.tar m && tar -rf bad.tar --transform 's,^,../,' m/config.json 2>/dev/null| bad.tar: entry '../m/config.json' leads outside the archive ('..'); refused
arc-dotdot-inner       | arc | tar -cf bad.tar --transform 's,^m/,m/a/../../,' m/config.json         | bad.tar: entry 'm/a/../../config.json' leads outside the archive ('..'); refused
arc-absolute           | arc | tar -cPf bad.tar --transform 's,^,/tmp/,' m/config.json                | bad.tar: entry '/tmp/m/config.json' has an absolute path; refused
arc-symlink-outside    | arc | rm m/tokenizer.json && ln -s /etc/passwd m/tokenizer.json && tar -cf bad.tar m | bad.tar: entry 'm/tokenizer.json' is a link to '/etc/passwd', outside the archive; links are refused
arc-symlink-up         | arc | rm m/tokenizer.json && ln -s ../../tok.json m/tokenizer.json && tar -cf bad.tar m | bad.tar: entry 'm/tokenizer.json' is a link to '../../tok.json', outside the archive; links are refused
arc-symlink-inside     | arc | ln -s config.json m/x.json && tar -cf bad.tar m                        | bad.tar: entry 'm/x.json' is a link to 'config.json'; links are refused
arc-hardlink           | arc | ln m/config.json m/zz.json && tar -cf bad.tar m                         | bad.tar: entry 'm/ ... is a link to 'm/
arc-name-twice         | arc | tar -cf bad.tar m && tar -rf bad.tar m/config.json                     | bad.tar: the archive holds 'config.json' twice
arc-no-config          | arc | rm m/config.json && tar -cf bad.tar m                                  | config.json: not found in bad.tar
arc-two-top-folders    | arc | mkdir n && echo x > n/x && tar -cf bad.tar m n                         | config.json: not found in bad.tar, only as 'm/config.json' (an archive must hold one checkout, at its root or in one top folder)
arc-no-shards          | arc | rm m/model.safetensors && tar -czf bad.tar m                           | no model*.safetensors files in bad.tar
arc-gz-bad-header      | arc | st m/model.safetensors '{"a": 5}' && tar -czf bad.tar m                | model.safetensors: tensor 'a': entry must be a JSON object
arc-gz-header-len-huge | arc | st_raw m/model.safetensors $((1 << 63)) '{}' && tar -czf bad.tar m     | model.safetensors: header length 9223372036854775808
v4-missing-scale       | v4 | drop_tensor model-00001-of-00003.safetensors layers.0.attn.wkv.scale      | tensor 'layers.0.attn.wkv.weight' is F8_E4M3 but its scale tensor 'layers.0.attn.wkv.scale' is missing
v4-scale-wrong-shape   | v4 | st_edit model-00001-of-00003.safetensors 's/("layers.0.attn.wkv.scale":[^}]*"shape":)\[1,2\]/\1[2,1]/' | tensor 'layers.0.attn.wkv.scale': shape [2, 1], expected [1, 2] (one E8M0 scale per 128x128 block of the weight)
v4-scale-not-e8m0      | v4 | st_edit model-00001-of-00003.safetensors 's/("layers.0.attn.wkv.scale":\{"dtype":)"F8_E8M0"/\1"I8"/' | tensor 'layers.0.attn.wkv.scale': scales must be F8_E8M0, found I8
v4-fp4-packed-width    | v4 | st_edit model-00001-of-00003.safetensors 's/("layers.0.ffn.experts.0.w1.weight":[^}]*"shape":)\[64,80\]/\1[32,160]/' | tensor 'layers.0.ffn.experts.0.w1.weight': packed width 160 is not half its logical width 160 (FP4: two values a byte; expected 80)
v4-fp4-scale-shape     | v4 | st_edit model-00001-of-00003.safetensors 's/("layers.0.ffn.experts.0.w2.scale":[^}]*"shape":)\[160,2\]/\1[80,4]/' | tensor 'layers.0.ffn.experts.0.w2.scale': shape [80, 4], expected [160, 2] (one E8M0 scale per 32 values of a row)
v4-tid2eid-shape       | v4 | st_edit model-00001-of-00003.safetensors 's/("layers.0.ffn.gate.tid2eid":[^}]*"shape":)\[400,2\]/\1[200,4]/' | tensor 'layers.0.ffn.gate.tid2eid': shape [200, 4], expected [400, 2] (vocab_size x num_experts_per_tok)
v4-tid2eid-missing     | v4 | drop_tensor model-00002-of-00003.safetensors layers.1.ffn.gate.tid2eid    | tensor 'layers.1.ffn.gate.tid2eid' is missing (layers below num_hash_layers route by hash)
v4-tid2eid-range       | v4 | st_poke model-00001-of-00003.safetensors 16 printf '\x04'                | tensor 'layers.0.ffn.gate.tid2eid': id 4 at [1, 0] is outside 0..3 (the expert count is 4)
v4-missing-expert      | v4 | drop_tensor model-00002-of-00003.safetensors layers.1.ffn.experts.3.w2.weight | tensor 'layers.1.ffn.experts.3.w2.weight' is missing (every layer has n_routed_experts experts)
v4-missing-fp4-scale   | v4 | drop_tensor model-00002-of-00003.safetensors layers.1.ffn.experts.3.w2.scale | tensor 'layers.1.ffn.experts.3.w2.scale' is missing (FP4 experts carry a scale per 32 values)
v4-expert-beyond-count | v4 | set_key config.json n_routed_experts 3                                 | tensor 'layers.0.ffn.experts.3.w1.scale': layer 0, expert 3 is outside num_hidden_layers (4) x n_routed_experts (3)
v4-fp8-nan-scale       | v4 | st_poke model-00001-of-00003.safetensors $(st_offset model-00001-of-00003.safetensors layers.0.attn.wkv.scale) printf '\xff' | tensor 'layers.0.attn.wkv.scale': scale byte 0xFF (NaN in E8M0) for block [0, 0]
v4-fp4-nan-scale       | v4 | st_poke model-00001-of-00003.safetensors $(st_offset model-00001-of-00003.safetensors layers.0.ffn.experts.0.w2.scale) printf '\xff' | tensor 'layers.0.ffn.experts.0.w2.scale': scale byte 0xFF (NaN in E8M0) at row 0, block 0
v4-scoring-func        | v4 | set_key config.json scoring_func '"relu"'                              | config.json: 'scoring_func' is 'relu'; expected sqrtsoftplus, sigmoid or softmax
v4-no-hc-mult          | v4 | sed -i '/"hc_mult"/d' config.json                                       | config.json: required key 'hc_mult' is missing
EOF
)

# Optional metadata that cannot be used (issue 14, item 11): the conversion
# goes on without it. Each must exit 0 with the warning on stderr and in the
# --json report, and write what the golden (expected/*-f16.gguf) holds apart
# from the keys starting with the last column's prefix ("-": none may differ).
# NAME | ON | HOW IT IS BROKEN | EXPECTED FRAGMENT OF THE WARNING | MAY DIFFER
TOLERATED=$(cat <<'EOF'
card-not-yaml          | v2  | printf -- '---\nlicense: [mit\n---\n# Title\n' > README.md           | README.md: front matter is not valid YAML (line 3: did not find expected ',' or ']' while parsing a flow sequence); the model card was skipped (no general.* keys from it) | general.
card-never-closed      | v2  | printf -- '---\nlicense: mit\n# Title\nSome text.\n' > README.md      | README.md: front matter is not valid YAML (line 5: could not find expected ':' while scanning a simple key) (the front matter has no closing '---' line, so all of README.md was read as YAML, as llama.cpp's converter does); the model card was skipped | general.
card-a-list            | v2  | printf -- '---\n- mit\n---\n' > README.md                               | README.md: front matter is a list, not a mapping of keys to values; the model card was skipped | general.
card-not-utf8          | v2  | printf -- '---\nlicense: \xff\n---\n' > README.md                        | README.md: front matter is not valid YAML (line 2: invalid leading UTF-8 octet ... the model card was skipped | general.
card-too-big           | v2  | { printf -- '---\nlicense: mit\n---\n'; head -c 16777216 /dev/zero; } > README.md | README.md: file is 16777237 bytes, more than the 16777216 allowed; the model card was skipped | general.
card-a-directory       | v2  | rm README.md && mkdir README.md                                         | README.md: not a regular file; the model card was skipped | general.
gen-not-json           | v2  | printf '{"temperature": }' > generation_config.json                     | generation_config.json: not valid JSON (line 1, near byte 16); the file was skipped (no general.sampling.* keys) | -
gen-a-list             | v3  | printf '[0.6]' > generation_config.json                                 | generation_config.json: must be a JSON object, found another JSON value; the file was skipped (no general.sampling.* keys) | general.sampling.
gen-top-k-string       | v3  | sed -i 's/"do_sample": true,/"top_k": "forty",/' generation_config.json | generation_config.json: 'top_k' must be a whole number within INT32, found a string; general.sampling.top_k was not written | -
gen-temperature-list   | v3  | set_key generation_config.json temperature '[0.6]'                      | generation_config.json: 'temperature' must be a number, found a list; general.sampling.temp was not written | general.sampling.temp
chat-template-integer  | v3  | sed -i -E 's/^( *"chat_template": ).*$/\17/' tokenizer_config.json     | tokenizer_config.json: 'chat_template' must be a string or a list of {name, template}, found a number; no chat template was written | tokenizer.chat_template
chat-template-json-bad | v32 | printf '{"chat_template": ' > chat_template.json                        | chat_template.json: not valid JSON (line 1, near byte 17); no chat template was taken from it | -
shard-not-in-index     | v3  | cp model-00003-of-000003.safetensors model-00004-of-000004.safetensors  | model-00004-of-000004.safetensors: not named in model.safetensors.index.json's weight_map; not read | -
EOF
)

# Cases whose message is not yet what it should be: reported, never counted
# as failures (the lead fixes the messages, then moves the row up). The last
# column is the fragment the message should have.
KNOWN_BAD=$(cat <<'EOF'
EOF
)

# ---------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------

declare -A FIXTURE=([v2]=deepseek-v2-lite-tiny [v3]=deepseek-v3-tiny [fp8]=deepseek-v3-fp8-tiny
                    [ocr]=deepseek-ocr-tiny [kimi]=kimi-k2-tiny [int4]=kimi-k2-int4-tiny
                    [v4]=deepseek-v4-tiny [v32]=deepseek-v32-tiny [moe]=deepseek-moe-tiny)

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

# run_case NAME ON SETUP: prepares the input and runs hf2gguf on it; sets
# $rc and $err. Returns 1 when the setup itself failed.
run_case() {
  local name=$1 on=$2 setup=$3 d g
  rm -rf "${out:?}"/* "$out"/.[!.]* 2>/dev/null
  if [ "$on" = gguf ]; then
    d="$WORK/$name"; mkdir -p "$d"; g="$d/bad.gguf"
    (cd "$d" && eval "$setup") || return 1
    err=$("$HF2GGUF" inspect "$g" 2>&1 >/dev/null); rc=$?
  elif [ "$on" = arc ]; then
    d="$WORK/$name"; mkdir -p "$d"
    cp -r "$DATA/deepseek-v2-lite-tiny" "$d/m" && rm -rf "$d/m/expected" && chmod -R u+w "$d/m"
    (cd "$d" && eval "$setup") || return 1
    err=$(cd "$d" && "$HF2GGUF" convert bad.tar --outfile "$out/model.gguf" --quiet 2>&1 >/dev/null); rc=$?
  else
    d=$(fixture_copy "${FIXTURE[$on]}" "$name")
    (cd "$d" && eval "$setup") || return 1
    err=$("$HF2GGUF" convert "$d" --outfile "$out/model.gguf" --quiet 2>&1 >/dev/null); rc=$?
  fi
  rm -rf "$d"
  return 0
}

# has_parts TEXT FRAGMENT: whether TEXT holds FRAGMENT, where " ... " in
# FRAGMENT stands for any text (parts must appear in order).
has_parts() {
  local rest=$1 frag=$2 part
  while :; do
    part=${frag%%" ... "*}
    case "$rest" in *"$part"*) rest=${rest#*"$part"} ;; *) return 1 ;; esac
    [ "$part" = "$frag" ] && return 0
    frag=${frag#*" ... "}
  done
}

# check_result NAME FRAGMENT: prints nothing and returns 0 when the case
# behaved; else prints why on stdout and returns 1.
check_result() {
  local name=$1 fragment=$2 lines
  lines=$(printf '%s\n' "$err" | wc -l)
  if [ "$rc" -ne 1 ]; then echo "exit status $rc, expected 1 ($err)"; return 1; fi
  if [ "$lines" -ne 1 ]; then echo "$lines lines on stderr, expected 1: $err"; return 1; fi
  case "$err" in
    "hf2gguf: error: "*) ;;
    *) echo "stderr does not start with 'hf2gguf: error: ': $err"; return 1 ;;
  esac
  if ! has_parts "$err" "$fragment"; then echo "stderr lacks '$fragment': $err"; return 1; fi
  if [ -n "$(ls -A "$out")" ]; then echo "files left behind: $(ls -A "$out")"; return 1; fi
  return 0
}

n_cases=0
while IFS='|' read -r name on setup fragment; do
  name=$(trim "$name"); on=$(trim "$on"); setup=$(trim "$setup"); fragment=$(trim "$fragment")
  [ -z "$name" ] && continue
  n_cases=$((n_cases + 1))
  if ! run_case "$name" "$on" "$setup"; then fail "$name: setup failed"; continue; fi
  [ -n "${MALFORMED_SHOW:-}" ] && echo "$name: [$rc] $err"
  if why=$(check_result "$name" "$fragment"); then pass; else fail "$name: $why"; fi
done <<< "$CASES"
echo "$n_cases table cases"

# run_tolerated NAME ON SETUP: converts a broken copy of fixture ON to f16;
# sets $rc, $err (stderr) and $report (the --json report).
run_tolerated() {
  local name=$1 on=$2 setup=$3 d
  rm -rf "${out:?}"/* "$out"/.[!.]* 2>/dev/null
  # named as the fixture, which names the model (general.name)
  d=$(fixture_copy "${FIXTURE[$on]}" "$name/${FIXTURE[$on]}")
  (cd "$d" && eval "$setup") || return 1
  report=$("$HF2GGUF" convert "$d" --outtype f16 --outfile "$out/model.gguf" --json 2>"$WORK/stderr")
  rc=$?
  err=$(cat "$WORK/stderr")
  rm -rf "${WORK:?}/$name"
}

# check_tolerated ON FRAGMENT MAY_DIFFER: as check_result, for a case that
# must succeed with a warning.
check_tolerated() {
  local on=$1 fragment=$2 differ=$3 golden flags=() diffs
  golden="$DATA/${FIXTURE[$on]}/expected/${FIXTURE[$on]}-f16.gguf"
  [ "$differ" = - ] || flags=(--ignore-kv "$differ")
  if [ "$rc" -ne 0 ]; then echo "exit status $rc, expected 0 ($err)"; return 1; fi
  if ! has_parts "$err" "hf2gguf: warning: $fragment"; then
    echo "stderr lacks the warning '$fragment': $err"; return 1; fi
  case "$err" in *"error:"*) echo "stderr has an error: $err"; return 1 ;; esac
  if ! has_parts "$report" "\"warnings\":"$'\t'"[\"${fragment%% ... *}"; then
    echo "the --json report's warnings lack '$fragment': $report"; return 1; fi
  if ! diffs=$("$HF2GGUF" diff "$golden" "$out/model.gguf" "${flags[@]}" 2>&1); then
    echo "differs from $(basename "$golden") beyond '$differ': $diffs"; return 1; fi
  return 0
}

n_tolerated=0
while IFS='|' read -r name on setup fragment differ; do
  name=$(trim "$name"); on=$(trim "$on"); setup=$(trim "$setup")
  fragment=$(trim "$fragment"); differ=$(trim "$differ")
  [ -z "$name" ] && continue
  n_tolerated=$((n_tolerated + 1))
  if ! run_tolerated "$name" "$on" "$setup"; then fail "$name: setup failed"; continue; fi
  [ -n "${MALFORMED_SHOW:-}" ] && echo "$name: [$rc] $err"
  if why=$(check_tolerated "$on" "$fragment" "$differ"); then pass; else fail "$name: $why"; fi
done <<< "$TOLERATED"
echo "$n_tolerated tolerated cases"

n_bad=0
while IFS='|' read -r name on setup fragment; do
  name=$(trim "$name"); on=$(trim "$on"); setup=$(trim "$setup"); fragment=$(trim "$fragment")
  [ -z "$name" ] && continue
  n_bad=$((n_bad + 1))
  run_case "$name" "$on" "$setup" || { echo "KNOWN_BAD $name: setup failed"; continue; }
  if check_result "$name" "$fragment" >/dev/null; then
    echo "KNOWN_BAD $name: now passes; move it to CASES"
  else
    echo "KNOWN_BAD $name: [exit $rc] $err (should say '$fragment')"
  fi
done <<< "$KNOWN_BAD"
[ "$n_bad" -gt 0 ] && echo "$n_bad known-bad messages (not counted)"

# ---------------------------------------------------------------------------
# Replay of fuzzer findings
# ---------------------------------------------------------------------------
# regress/gguf/*: given to `inspect`. regress/safetensors/*: the
# model.safetensors of a deepseek-v2-lite-tiny copy. regress/json/*: the
# fuzz_json format (config \0 tokenizer \0 tokenizer_config \0 selector; an
# empty part keeps the fixture's file, "-" removes it; selector % 5 picks the
# fixture, or with bit 6 a Kimi one (bit 0: the INT4 one), or with bit 7
# DeepSeek-V3.2 (bit 0: DeepSeek-MoE); bit 3 converts the whole model instead
# of --vocab-only, bit 4 adds --mmproj; bit 5, which hides the tensors in the
# harness, has no CLI form).

JSON_FIXTURES=(deepseek-v2-lite-tiny deepseek-v3-tiny deepseek-v3-fp8-tiny deepseek-ocr-tiny
               deepseek-ocr2-tiny kimi-k2-tiny kimi-k2-int4-tiny deepseek-v32-tiny
               deepseek-moe-tiny)

# replay_json FILE DIR: builds the checkout in DIR; prints extra convert flags.
replay_json() {
  local file=$1 dir=$2 parts=() part i sel=0 flags=()
  while IFS= read -r -d '' part || [ -n "$part" ]; do parts+=("$part"); part=""; done < "$file"
  [ -n "${parts[3]:-}" ] && sel=$(printf '%d' "'${parts[3]:0:1}")
  (( sel < 0 )) && sel=$((sel + 256))
  local fx=$((sel & 64 ? 5 + (sel & 1) : sel & 128 ? 7 + (sel & 1) : sel % 5))
  cp -r "$DATA/${JSON_FIXTURES[fx]}/." "$dir/"; rm -rf "$dir/expected"; chmod -R u+w "$dir"
  local names=(config.json tokenizer.json tokenizer_config.json)
  for i in 0 1 2; do
    case "${parts[i]:-}" in
      "") ;;
      -) rm -f "$dir/${names[i]}" ;;
      *) printf '%s' "${parts[i]}" > "$dir/${names[i]}" ;;
    esac
  done
  (( sel & 8 )) || flags+=(--vocab-only)
  (( sel & 16 )) && flags+=(--mmproj)
  echo "${flags[@]}"
}

n_regress=0
for kind in gguf safetensors json; do
  for f in "$MAL/regress/$kind"/*; do
    [ -f "$f" ] || continue
    n_regress=$((n_regress + 1))
    name="regress/$kind/$(basename "$f")"
    rm -rf "${out:?}"/*
    d="$WORK/replay"; rm -rf "$d"; mkdir -p "$d"
    case $kind in
      gguf) err=$("$HF2GGUF" inspect "$f" 2>&1 >/dev/null); rc=$? ;;
      safetensors)
        cp -r "$DATA/deepseek-v2-lite-tiny/." "$d/"; rm -rf "$d/expected"; chmod -R u+w "$d"
        cp "$f" "$d/model.safetensors"
        err=$("$HF2GGUF" convert "$d" --outfile "$out/model.gguf" --quiet 2>&1 >/dev/null); rc=$? ;;
      json)
        read -ra flags <<< "$(replay_json "$f" "$d")"
        err=$("$HF2GGUF" convert "$d" --outfile "$out/model.gguf" --quiet "${flags[@]}" \
              2>&1 >/dev/null); rc=$? ;;
    esac
    [ -n "${MALFORMED_SHOW:-}" ] && echo "$name: [$rc] $err"
    if [ "$rc" -ne 1 ]; then fail "$name: exit status $rc, expected 1 ($err)"
    elif [ -n "$(ls -A "$out")" ]; then fail "$name: files left behind: $(ls -A "$out")"
    else pass; fi
  done
done
echo "$n_regress fuzzer findings replayed"

finish
