#!/usr/bin/env bash
# --vocab-only writes what llama.cpp 0.7.0's converter writes, byte for byte:
# expected/<fixture>-vocab-f16.gguf were made for hf2gguf with that converter
# (--vocab-only --outtype f16; no shared fixture has them). The file ends
# right after its KVs, with no padding (the reference pads only when it
# writes tensors), also through standard output; DeepSeek-V4's keeps the
# outtype's general.file_type, not MXFP4_MOE (no tensors were prepared).
# DeepSeek-MoE has none: the reference needs sentencepiece for it, which the
# machine that made these lacked.
. "$(dirname "$0")/lib.sh"

for fx in deepseek-v2-lite-tiny deepseek-v3-tiny deepseek-v3-fp8-tiny deepseek-ocr-tiny \
          deepseek-ocr2-tiny kimi-k2-tiny kimi-k2-int4-tiny deepseek-v32-tiny deepseek-v4-tiny; do
  golden="$DATA/$fx/expected/$fx-vocab-f16.gguf"
  out="$WORK/$fx-vocab.gguf"
  if ! "$HF2GGUF" convert "$DATA/$fx" --vocab-only --outtype f16 --outfile "$out" --quiet; then
    fail "$fx: convert --vocab-only failed"; continue
  fi
  cmp -s "$out" "$golden" && pass || fail "$fx: differs from $(basename "$golden") ($(cmp "$out" "$golden" 2>&1))"
done

# Through a pipe: the same bytes (no padding owed at the end either).
fx=deepseek-v3-tiny
"$HF2GGUF" convert "$DATA/$fx" --vocab-only --outtype f16 --outfile - --quiet | cat > "$WORK/stream.gguf"
cmp -s "$WORK/stream.gguf" "$DATA/$fx/expected/$fx-vocab-f16.gguf" && pass ||
  fail "--outfile - differs: $(cmp "$WORK/stream.gguf" "$DATA/$fx/expected/$fx-vocab-f16.gguf" 2>&1)"

# DeepSeek-V4 with the default outtype (auto: bf16 for its sources).
fx=deepseek-v4-tiny
"$HF2GGUF" convert "$DATA/$fx" --vocab-only --outfile "$WORK/v4-auto.gguf" --quiet &&
  cmp -s "$WORK/v4-auto.gguf" "$DATA/$fx/expected/$fx-vocab-auto.gguf" && pass ||
  fail "deepseek-v4-tiny --vocab-only (auto) differs from the reference"

finish
