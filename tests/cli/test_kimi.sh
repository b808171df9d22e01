#!/usr/bin/env bash
# Kimi-K2 checkouts (conversion-reference-more.md 14-16): the tiktoken
# vocabulary of kimi-k2-tiny, rebuilt without tokenizer.json, and the INT4
# experts of kimi-k2-int4-tiny (Kimi-K2-Thinking), dequantized piece by
# piece and written after every other tensor. Every outtype
# is byte-identical to llama.cpp 0.7.0's output under its default name (f16
# also by cmp); auto resolves to bf16 (the reference made no auto golden:
# its auto run is its bf16 run); fresh outputs verify; --dry-run, --json,
# inspect and diff see the vocabulary; --tokenizer-pre still overrides.
. "$(dirname "$0")/lib.sh"
: "${MANIFEST_CHECK:?MANIFEST_CHECK must point at the manifest_check tool}"

fixtures="kimi-k2-tiny kimi-k2-int4-tiny"

default_name() {
  sed -n "s|.*\"text/$2\": \"\\(.*\\)\".*|\\1|p" "$DATA/$1/expected/default_filenames.json"
}

for fx in $fixtures; do
  for t in f32 f16 bf16 q8_0 auto; do
    out="$WORK/$fx-$t"
    mkdir -p "$out"
    want=$t; [ "$t" = auto ] && want=bf16
    if ! "$HF2GGUF" convert "$DATA/$fx" --outfile "$out/" --outtype "$t" --quiet; then
      fail "$fx $t: convert failed"; continue
    fi
    name=$(default_name "$fx" "$want")
    if [ "$(ls "$out")" != "$name" ]; then fail "$fx $t: expected $name, found $(ls "$out")"; continue; fi
    if result=$("$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-$want.manifest.json" "$out/$name"); then pass
    else fail "$fx $t: $result"; fi
    [ "$t" != f16 ] || { cmp -s "$out/$name" "$DATA/$fx/expected/$fx-f16.gguf" && pass || fail "$fx f16: cmp differs"; }
    res=$("$HF2GGUF" verify "$out/$name") && pass || fail "$fx $t: verify: $res"
  done
done

fx=kimi-k2-tiny
gguf="$DATA/$fx/expected/$fx-f16.gguf"

# --dry-run and --json plan the same file without writing it.
out=$("$HF2GGUF" convert "$DATA/$fx" --outtype f16 --dry-run) &&
  [[ $out == "Kimi-K2-Tiny-8x224K-F16.gguf: model, arch deepseek2, outtype f16, 50 KV pairs, 52 tensors, 647456 bytes"* ]] &&
  pass || fail "dry-run: $out"
json=$("$HF2GGUF" convert "$DATA/$fx" --outtype f16 --dry-run --json) &&
  grep -q '"n_kv":	50' <<<"$json" && grep -q '"bytes":	647456' <<<"$json" &&
  pass || fail "dry-run --json: $json"

# inspect shows the rebuilt vocabulary; diff finds nothing against the golden.
out=$("$HF2GGUF" inspect "$gguf")
grep -q '^tokenizer.ggml.pre = "kimi-k2"' <<<"$out" &&
  grep -q '^tokenizer.ggml.merges = \[193 × STRING\] "h e"' <<<"$out" && pass || fail "inspect: $out"
"$HF2GGUF" diff "$gguf" "$WORK/$fx-f16/$(default_name $fx f16)" >/dev/null && pass || fail "diff with golden"

# --tokenizer-pre replaces kimi-k2, and nothing else changes.
"$HF2GGUF" convert "$DATA/$fx" --outtype f16 --tokenizer-pre deepseek-v3 --outfile "$WORK/pre.gguf" --quiet &&
  out=$("$HF2GGUF" diff "$gguf" "$WORK/pre.gguf"); [ $? -eq 1 ] &&
  [ "$out" = 'kv tokenizer.ggml.pre: value differs: A "kimi-k2", B "deepseek-v3"' ] &&
  pass || fail "--tokenizer-pre: $out"

# INT4 experts in pieces of 96 elements on 4 threads (pieces start inside
# a packed word's row and a scale group): the same bytes.
fx=kimi-k2-int4-tiny
for t in bf16 q8_0; do
  HF2GGUF_CHUNK_ELEMS=96 "$HF2GGUF" convert "$DATA/$fx" --outfile "$WORK/small-$t.gguf" --outtype "$t" \
    --threads 4 --quiet &&
    "$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-$t.manifest.json" "$WORK/small-$t.gguf" >/dev/null &&
    pass || fail "$fx $t in 96-element pieces differs"
done

# The plan lists the packed sources and puts the merged experts last.
out=$("$HF2GGUF" convert "$DATA/$fx" --outtype f16 --dry-run)
last=$(tail -1 <<<"$out")
[[ $last == "  blk.2.ffn_up_exps.weight "*"stack    model.layers.2.mlp.experts.0.up_proj.weight_packed (+7 more)" ]] &&
  pass || fail "int4 dry-run: last line is '$last'"

# Ollama's layout is refused, with a reason.
mkdir -p "$WORK/ollama"
expect_error "int4 --layout ollama" "--layout ollama: compressed-tensors INT4 checkpoints are converted in llama.cpp's layout only" \
  "$WORK/ollama" -- "$HF2GGUF" convert "$DATA/$fx" --layout ollama --outfile "$WORK/ollama/x.gguf"

finish
