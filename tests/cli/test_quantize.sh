#!/usr/bin/env bash
# --quantize TYPE (llama-quantize's stage in the same pass): for the six text
# fixtures and the 20 types (and, from f16, V3.2's and DeepSeek-MoE's), the
# file under its default name is byte-identical
# to llama-quantize's output (expected/<fixture>-<TYPE>.manifest.json), or,
# where llama-quantize refused (no manifest), hf2gguf refuses too, asking for
# an importance matrix and writing nothing. The bytes do not depend on the
# thread count, on where pieces are cut (every row boundary), or on the input
# being an archive, standard output or a split set. NaN/Inf inputs and scales
# that overflow are refused as llama-quantize refuses them; wrong option
# combinations are usage errors.
. "$(dirname "$0")/lib.sh"
: "${MANIFEST_CHECK:?MANIFEST_CHECK must point at the manifest_check tool}"
: "${PACK_ARCHIVE:?PACK_ARCHIVE must point at the pack_archive tool}"

fixtures="deepseek-v3-q-tiny deepseek-v3-qr-tiny deepseek-v2-lite-tiny deepseek-v3-tiny
          deepseek-v3-fp8-tiny deepseek-ocr-tiny"
types="Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q2_K_S Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M
       Q6_K IQ4_NL IQ4_XS TQ1_0 TQ2_0 MXFP4_MOE"

default_name() {
  sed -n "s|.*\"text/$2\": \"\\(.*\\)\".*|\\1|p" "$DATA/$1/expected/default_filenames.json"
}

# matches FIXTURE TYPE FILE: the file is llama-quantize's, byte for byte.
matches() {
  "$MANIFEST_CHECK" "$DATA/$1/expected/$1-$2.manifest.json" "$3" >/dev/null
}

# --- every fixture, every type -------------------------------------------------
for fx in $fixtures; do
  for t in $types; do
    out="$WORK/all/$fx-$t"
    mkdir -p "$out"
    lower=$(echo "$t" | tr 'A-Z' 'a-z')   # names are case-insensitive
    if [ ! -f "$DATA/$fx/expected/$fx-$t.manifest.json" ]; then
      expect_error "$fx $t (llama-quantize refuses it)" "importance matrix" "$out" -- \
        "$HF2GGUF" convert "$DATA/$fx" --quantize "$lower" --outfile "$out/" --quiet
      continue
    fi
    if ! "$HF2GGUF" convert "$DATA/$fx" --quantize "$lower" --outfile "$out/" --quiet; then
      fail "$fx $t: convert failed"; continue
    fi
    name=$(default_name "$fx" "$t")
    if [ "$(ls "$out")" != "$name" ]; then fail "$fx $t: expected only $name, found $(ls "$out")"; continue; fi
    if result=$("$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-$t.manifest.json" "$out/$name"); then pass
    else fail "$fx $t: $result"; fi
    # Where the fixture ships llama-quantize's file itself, the bytes are compared too.
    golden="$DATA/$fx/expected/$fx-$t.gguf"
    if [ -f "$golden" ]; then
      cmp -s "$out/$name" "$golden" && pass || fail "$fx $t: cmp differs from $golden"
    fi
  done
done

# --- DeepSeek-V3.2 and DeepSeek-MoE ----------------------------------------------
# Their references were made for hf2gguf (no shared fixture has them): llama.cpp
# 0.7.0's llama-quantize run on the fixture's own f16 golden, every type, so
# these convert with --outtype f16 (expected/<fixture>-f16-<TYPE>.manifest.json).
# V3.2 keeps its MTP layer (blk.3 of block_count 4, nextn_predict_layers 1),
# which llama-quantize counts as a layer of its own.
for fx in deepseek-v32-tiny deepseek-moe-tiny; do
  for t in $types; do
    out="$WORK/f16/$fx-$t.gguf"
    mkdir -p "$WORK/f16"
    if ! "$HF2GGUF" convert "$DATA/$fx" --outtype f16 --quantize "$t" --outfile "$out" --quiet; then
      fail "$fx f16 $t: convert failed"; continue
    fi
    if result=$("$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-f16-$t.manifest.json" "$out"); then pass
    else fail "$fx f16 $t: $result"; fi
    rm -f "$out"
  done
done

# --- invariances -----------------------------------------------------------------
q=deepseek-v3-q-tiny
qr=deepseek-v3-qr-tiny
# Threads and pieces: the loop above ran on all cores; here 1 thread, and 4
# threads with pieces of one row each (the 32-element floor makes every row
# of these fixtures its own piece). Q4_K_M on both K-quant fixtures, IQ4_XS
# (the slowest kernel) on one.
for run in "$q Q4_K_M" "$qr Q4_K_M" "$qr IQ4_XS"; do
  set -- $run
  "$HF2GGUF" convert "$DATA/$1" --quantize $2 --threads 1 --outfile "$WORK/$1-$2-t1.gguf" --quiet &&
    matches $1 $2 "$WORK/$1-$2-t1.gguf" && pass || fail "$1 $2 --threads 1 differs"
  HF2GGUF_CHUNK_ELEMS=32 "$HF2GGUF" convert "$DATA/$1" --quantize $2 --threads 4 \
    --outfile "$WORK/$1-$2-rows.gguf" --quiet &&
    matches $1 $2 "$WORK/$1-$2-rows.gguf" && pass || fail "$1 $2 in one-row pieces differs"
done

# Standard output, in order on one thread.
"$HF2GGUF" convert "$DATA/$qr" --quantize Q8_0 --outfile - --quiet | cat > "$WORK/stream.gguf"
matches $qr Q8_0 "$WORK/stream.gguf" && pass || fail "--outfile - differs"

# Archives: read in place (tar) and staged shard by shard (tar.gz).
for fmt in tar tar.gz; do
  "$PACK_ARCHIVE" "$WORK/$q.$fmt" "$fmt" "$DATA/$q" >/dev/null
  "$HF2GGUF" convert "$WORK/$q.$fmt" --quantize Q8_0 --outfile "$WORK/arc-$fmt.gguf" --quiet &&
    matches $q Q8_0 "$WORK/arc-$fmt.gguf" && pass || fail "$fmt archive differs"
done

# Split output: gguf-split's cut of llama-quantize's file, the same tensors.
mkdir -p "$WORK/split"
"$HF2GGUF" convert "$DATA/$qr" --quantize Q8_0 --split-max-tensors 40 --outfile "$WORK/split/qr.gguf" \
  --quiet && [ "$(ls "$WORK/split" | wc -l)" -eq 4 ] &&
  "$HF2GGUF" diff "$WORK/split/qr-00001-of-00004.gguf" "$WORK/stream.gguf" >/dev/null &&
  pass || fail "split output: not 4 files holding llama-quantize's tensors ($(ls "$WORK/split"))"

# --- what is shown before anything is written -------------------------------------
mkdir -p "$WORK/dry"
dry=$("$HF2GGUF" convert "$DATA/$q" --quantize q4_k --dry-run --outfile "$WORK/dry/")
case "$dry" in
  *"Deepseek-v3-Q-Tiny-4x3.0M-Q4_K_M.gguf: model, arch deepseek2, quantize Q4_K_M (llama-quantize of bf16)"*"2935392 bytes"*) pass ;;
  *) fail "--dry-run header: $dry" ;;
esac
case "$dry" in
  *"blk.0.attn_k_b.weight"*Q5_0*) pass ;;
  *) fail "--dry-run lacks the attn_k_b fallback to Q5_0" ;;
esac
[ -z "$(ls -A "$WORK/dry")" ] && pass || fail "--dry-run wrote something"
json=$("$HF2GGUF" convert "$DATA/$q" --quantize Q4_K_M --dry-run --json --outfile "$WORK/x.gguf" |
       tr -d ' \t\n')
case "$json" in
  *'"quantize":"Q4_K_M","file_type":15,'*'"bytes":2935392,'*) pass ;;
  *) fail "--json lacks quantize, file_type or bytes" ;;
esac
case "$json" in
  *'"name":"output.weight","type":"Q6_K","intermediate_type":"BF16"'*) pass ;;
  *) fail "--json lacks the tensors' chosen and intermediate types" ;;
esac

# --- usage errors (exit 2) --------------------------------------------------------
usage_error() {
  local what=$1 fragment=$2 err rc
  shift 2
  err=$("$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq 2 ] && case "$err" in *"$fragment"*) true ;; *) false ;; esac &&
    pass || fail "$what: exit $rc, $err"
}
usage_error "unknown type" "is not one of" "$HF2GGUF" convert "$DATA/$q" --quantize Q7_K --dry-run
usage_error "imatrix-only type" "is not one of" "$HF2GGUF" convert "$DATA/$q" --quantize IQ2_XXS --dry-run
usage_error "with --layout ollama" "ollama create --quantize" \
  "$HF2GGUF" convert "$DATA/$q" --quantize Q4_K_M --layout ollama --dry-run
usage_error "with --outtype q8_0" "--quantize Q8_0" \
  "$HF2GGUF" convert "$DATA/$q" --quantize Q4_K_M --outtype q8_0 --dry-run
usage_error "with --vocab-only" "no tensors" \
  "$HF2GGUF" convert "$DATA/$q" --quantize Q4_K_M --vocab-only --dry-run
usage_error "with --mmproj-only" "vision projector" \
  "$HF2GGUF" convert "$DATA/deepseek-ocr-tiny" --quantize Q4_K_M --mmproj-only --dry-run

# --- OCR with --mmproj: the text model quantized, the projector as --outtype ---------
mkdir -p "$WORK/ocr"
"$HF2GGUF" convert "$DATA/deepseek-ocr-tiny" --quantize Q8_0 --mmproj --outfile "$WORK/ocr/" --quiet &&
  matches deepseek-ocr-tiny Q8_0 "$WORK/ocr/$(default_name deepseek-ocr-tiny Q8_0)" &&
  "$MANIFEST_CHECK" "$DATA/deepseek-ocr-tiny/expected/mmproj-deepseek-ocr-tiny-bf16.manifest.json" \
    "$WORK/ocr/$(sed -n 's|.*"mmproj/bf16": "\(.*\)".*|\1|p' \
                 "$DATA/deepseek-ocr-tiny/expected/default_filenames.json")" >/dev/null &&
  pass || fail "OCR --quantize Q8_0 --mmproj: $(ls "$WORK/ocr")"

# --- refused data: NaN/Inf inputs, scales that overflow ------------------------------
# poke FILE TENSOR INDEX BYTE0 BYTE1: writes the 16-bit value BYTE1:BYTE0 over
# element INDEX of a 2-byte tensor of a safetensors file.
poke() {
  local file=$1 tensor=$2 index=$3 hlen start
  hlen=$(od -An -t u8 -N8 "$file" | tr -d ' ')
  start=$(head -c $((8 + hlen)) "$file" | tail -c "$hlen" |
          sed -n "s/.*\"$tensor\":{[^}]*\"data_offsets\":\[\([0-9]*\),.*/\1/p")
  [ -n "$start" ] || { echo "poke: no $tensor in $file" >&2; return 1; }
  printf "\\x$4\\x$5" | dd of="$file" bs=1 seek=$((8 + hlen + start + 2 * index)) conv=notrunc 2>/dev/null
}
lite=deepseek-v2-lite-tiny
shard=model.safetensors

bad=$(fixture_copy $lite nan)
poke "$bad/$shard" model.layers.5.self_attn.q_proj.weight 7 c0 7f   # bf16 NaN
mkdir -p "$WORK/out-nan"
expect_error "NaN in a weight" "tensor 'blk.5.attn_q.weight' has invalid data: value 7 is NaN" \
  "$WORK/out-nan" -- "$HF2GGUF" convert "$bad" --quantize Q8_0 --outfile "$WORK/out-nan/" --quiet

bad=$(fixture_copy $lite inf)
poke "$bad/$shard" model.layers.3.post_attention_layernorm.weight 2 80 ff   # bf16 -inf, in an F32 norm
mkdir -p "$WORK/out-inf"
expect_error "infinity in a norm" "tensor 'blk.3.ffn_norm.weight' has invalid data: value 2 is infinite" \
  "$WORK/out-inf" -- "$HF2GGUF" convert "$bad" --quantize Q8_0 --outfile "$WORK/out-inf/" --quiet

bad=$(fixture_copy $lite big)
poke "$bad/$shard" model.layers.2.self_attn.o_proj.weight 40 18 4b   # 9961472: d = x/127 > 65504
mkdir -p "$WORK/out-big"
expect_error "Q8_0 scale overflow" "tensor 'blk.2.attn_output.weight': quantized data validation failed: Q8_0 block 1" \
  "$WORK/out-big" -- "$HF2GGUF" convert "$bad" --quantize Q8_0 --outfile "$WORK/out-big/" --quiet
# The converter itself writes such values without complaint.
"$HF2GGUF" convert "$bad" --outfile "$WORK/conv-big.gguf" --quiet && pass || fail "plain convert refused 9961472"

bad=$(fixture_copy $lite big16)
poke "$bad/$shard" model.layers.4.self_attn.kv_b_proj.weight 0 c3 47   # 99840 in attn_k_b (rows of 16: F16)
mkdir -p "$WORK/out-big16"
expect_error "F16 fallback overflow" "tensor 'blk.4.attn_k_b.weight': quantized data validation failed: F16" \
  "$WORK/out-big16" -- "$HF2GGUF" convert "$bad" --quantize Q8_0 --outfile "$WORK/out-big16/" --quiet

if find "$WORK" -name '*.tmp' | grep -q .; then fail "temporary files left"; else pass; fi
finish
