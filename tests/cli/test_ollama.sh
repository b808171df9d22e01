#!/usr/bin/env bash
# --layout ollama from the command line: default names, inspect and verify
# recognise the files, --dry-run, usage errors (exit 2) for what the layout
# cannot do, a clear error for OCR-2, nothing left behind on failure.
# (Keys and tensors are checked against the reference tables in
# tests/unit/test_ollama_layout.c.)
. "$(dirname "$0")/lib.sh"

# Default names: the usual name with "Ollama" in place of the type.
for fx in deepseek-v3-tiny:Deepseek-v3-Tiny-8x226K-Ollama.gguf \
          deepseek-ocr-tiny:DeepSeek-OCR-4x387K-Ollama.gguf \
          deepseek-v2-lite-tiny:Deepseek-v2-Lite-Tiny-4x269K-Ollama.gguf; do
  name=${fx%%:*} file=${fx#*:} out="$WORK/$name"
  mkdir -p "$out"
  if ! "$HF2GGUF" convert "$DATA/$name" --layout ollama --outfile "$out/" --quiet; then
    fail "$name: convert --layout ollama failed"; continue
  fi
  [ "$(ls "$out")" = "$file" ] && pass || fail "$name: expected $file, found $(ls "$out")"
  "$HF2GGUF" verify "$out/$file" >/dev/null && pass || fail "$name: verify: $("$HF2GGUF" verify "$out/$file")"
  "$HF2GGUF" inspect "$out/$file" | sed -n 2p | grep -qx "layout: ollama" &&
    pass || fail "$name: inspect does not say layout: ollama"
  "$HF2GGUF" inspect --json "$out/$file" | grep -q '"layout":[[:space:]]*"ollama"' &&
    pass || fail "$name: inspect --json lacks layout ollama"
done

# llama.cpp's files are told apart.
"$HF2GGUF" inspect "$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf" | sed -n 2p |
  grep -qx "layout: llama.cpp" && pass || fail "inspect of a llama.cpp file"

# Same output with one thread and with four, and through --dry-run's plan.
"$HF2GGUF" convert "$DATA/deepseek-v3-fp8-tiny" --layout ollama --threads 1 --outfile "$WORK/t1.gguf" --quiet &&
  "$HF2GGUF" convert "$DATA/deepseek-v3-fp8-tiny" --layout ollama --threads 4 --outfile "$WORK/t4.gguf" --quiet &&
  cmp -s "$WORK/t1.gguf" "$WORK/t4.gguf" && pass || fail "threads 1 vs 4"
dry=$("$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --layout ollama --dry-run --json --outfile "$WORK/dry.gguf")
case "$dry" in
  *'"blk.0.attn_kv_b.weight"'*) pass ;;
  *) fail "--dry-run --json does not list attn_kv_b: $dry" ;;
esac
[ ! -e "$WORK/dry.gguf" ] && pass || fail "--dry-run wrote a file"
case "$dry" in
  *'"layout":'*'"ollama"'*) pass ;;
  *) fail "--dry-run --json does not say layout ollama" ;;
esac

# Usage errors: exit 2, nothing written.
usage() {
  local name=$1 fragment=$2; shift 2
  local out="$WORK/usage-$name" err rc
  mkdir -p "$out"
  err=$("$HF2GGUF" convert "$@" --outfile "$out/" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq 2 ] || { fail "$name: exit $rc, expected 2 ($err)"; return; }
  case "$err" in *"$fragment"*) ;; *) fail "$name: stderr lacks '$fragment': $err"; return ;; esac
  [ -z "$(ls -A "$out")" ] && pass || fail "$name: files left: $(ls -A "$out")"
}
usage mmproj "--mmproj cannot be combined with --layout ollama" \
  "$DATA/deepseek-ocr-tiny" --layout ollama --mmproj
usage mmproj-only "--mmproj cannot be combined with --layout ollama" \
  "$DATA/deepseek-ocr-tiny" --layout ollama --mmproj-only
usage outtype "--outtype q8_0 cannot be combined with --layout ollama" \
  "$DATA/deepseek-v3-tiny" --layout ollama --outtype q8_0
usage bad-layout "--layout 'gguf' is not one of llama.cpp, ollama" \
  "$DATA/deepseek-v3-tiny" --layout gguf
echo '{"general.name": "x"}' > "$WORK/meta.json"
usage metadata "--metadata cannot be combined with --layout ollama" \
  "$DATA/deepseek-v3-tiny" --layout ollama --metadata "$WORK/meta.json"

# OCR-2 has no Ollama form; a checkout with num_hidden_layers missing.
mkdir -p "$WORK/ocr2"
expect_error ocr2 "Ollama's layout has no form for DeepseekOCR2ForCausalLM" "$WORK/ocr2" -- \
  "$HF2GGUF" convert "$DATA/deepseek-ocr2-tiny" --layout ollama --outfile "$WORK/ocr2/" --quiet
# Nor have DeepSeek-V3.2 and DeepSeek-MoE (Ollama's converter knows neither).
for fx in deepseek-v32-tiny:DeepseekV32ForCausalLM deepseek-moe-tiny:DeepseekForCausalLM; do
  mkdir -p "$WORK/${fx%%:*}"
  expect_error "${fx%%:*}" "Ollama's layout has no form for ${fx#*:}" "$WORK/${fx%%:*}" -- \
    "$HF2GGUF" convert "$DATA/${fx%%:*}" --layout ollama --outfile "$WORK/${fx%%:*}/" --quiet
done
co=$(fixture_copy deepseek-v3-tiny nolayers)
sed -i 's/"num_hidden_layers": *[0-9]*,//' "$co/config.json"
mkdir -p "$WORK/nolayers-out"
expect_error no-layers "config.json: 'num_hidden_layers' is missing or 0" "$WORK/nolayers-out" -- \
  "$HF2GGUF" convert "$co" --layout ollama --outfile "$WORK/nolayers-out/" --quiet
co=$(fixture_copy deepseek-v3-tiny badtype)
sed -i 's/"rms_norm_eps": *[0-9.e-]*/"rms_norm_eps": "small"/' "$co/config.json"
mkdir -p "$WORK/badtype-out"
expect_error bad-type "config.json: 'rms_norm_eps' must be a number, found a string" "$WORK/badtype-out" -- \
  "$HF2GGUF" convert "$co" --layout ollama --outfile "$WORK/badtype-out/" --quiet

# A chat template that is not text is skipped with a warning (issue 14, item
# 11): the model is written without tokenizer.chat_template.
co=$(fixture_copy deepseek-v3-tiny int-template)
sed -i -E 's/^( *"chat_template": ).*$/\17/' "$co/tokenizer_config.json"
err=$("$HF2GGUF" convert "$co" --layout ollama --outfile "$WORK/int-template.gguf" 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 0 ] && [[ $err == *"hf2gguf: warning: tokenizer_config.json: 'chat_template' must be a string or a list of {name, template}, found a number; no chat template was written"* ]] &&
   ! "$HF2GGUF" inspect "$WORK/int-template.gguf" | grep -q "tokenizer.chat_template"; then pass
else fail "integer chat_template in Ollama's layout: rc $rc: $err"; fi

finish
