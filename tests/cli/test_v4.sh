#!/usr/bin/env bash
# DeepSeek-V4 (deepseek-v4-tiny) beyond the byte-equality of test_fixtures.sh:
# what --dry-run and --json say about the forced types (MXFP4 experts, I32
# tid2eid tables, file type MXFP4_MOE whatever --outtype), verify passing on
# our output, --quantize (MXFP4_MOE as llama-quantize makes it, the other
# types refused as llama-quantize refuses them), the Ollama layout refused.
. "$(dirname "$0")/lib.sh"
: "${MANIFEST_CHECK:?MANIFEST_CHECK must point at the manifest_check tool}"

fx="$DATA/deepseek-v4-tiny"

# --dry-run: the extra tensors first, with their types and transforms.
plan=$("$HF2GGUF" convert "$fx" --outtype f32 --dry-run) || fail "dry-run failed"
first=$(printf '%s\n' "$plan" | sed -n 1p)
[[ $first == "Deepseek-v4-Tiny-4x1.2M-MXFP4_MOE.gguf: model, arch deepseek4, file type MXFP4_MOE, 58 KV pairs, 126 tensors, 2205728 bytes" ]] &&
  pass || fail "dry-run header: $first"
line() { printf '%s\n' "$plan" | sed -n "$1p" | tr -s ' '; }
[ "$(line 2)" = " blk.0.ffn_gate_tid2eid.weight I32 [2, 400] ids_i32 layers.0.ffn.gate.tid2eid" ] &&
  pass || fail "dry-run line 2: $(line 2)"
[ "$(line 4)" = " blk.0.ffn_gate_exps.weight MXFP4 [160, 64, 4] mxfp4 layers.0.ffn.experts.0.w1.weight (+3 more)" ] &&
  pass || fail "dry-run line 4: $(line 4)"
[ "$(printf '%s\n' "$plan" | grep -c ' MXFP4 ')" = 12 ] && pass || fail "12 MXFP4 tensors"
printf '%s\n' "$plan" | grep -q '^  blk.0.attn_kv.weight  *Q8_0 ' && pass || fail "FP8 -> Q8_0 under --outtype f32"

# --json: outtype as asked, file type 38 and its name.
json=$("$HF2GGUF" convert "$fx" --outtype f16 --dry-run --json)
for want in '"file_type":	38' '"file_type_name":	"MXFP4_MOE"' '"type":	"MXFP4"' '"transform":	"mxfp4"' \
            '"type":	"I32"'; do
  case "$json" in *"$want"*) pass ;; *) fail "--json lacks $want" ;; esac
done

# The summary names the file type; verify passes on the output.
mkdir -p "$WORK/o"
msg=$("$HF2GGUF" convert "$fx" --outtype q8_0 --outfile "$WORK/o/" 2>&1 >/dev/null)
[[ $msg == "hf2gguf: wrote $WORK/o/Deepseek-v4-Tiny-4x1.2M-MXFP4_MOE.gguf (MXFP4_MOE, 126 tensors, 2.2 MB)"* ]] &&
  pass || fail "summary: $msg"
out=$("$HF2GGUF" verify "$WORK/o/Deepseek-v4-Tiny-4x1.2M-MXFP4_MOE.gguf") &&
  [ "$out" = "$WORK/o/Deepseek-v4-Tiny-4x1.2M-MXFP4_MOE.gguf: OK (arch deepseek4, 58 KVs, 126 tensors)" ] &&
  pass || fail "verify: $out"

# --quantize: llama-quantize copies the converter's Q8_0 and MXFP4 tensors
# when the type rules keep their type, and refuses to requantize them
# otherwise. MXFP4_MOE goes through (BF16/F32 tensors become Q8_0), byte for
# byte llama-quantize 0.7.0's output of the golden (expected/...-MXFP4_MOE:
# made with the reference tools), on 1 or 4 threads, in 64-value pieces and
# to standard output; Q8_0 and Q4_K_M are refused naming the tensor
# llama-quantize stops at.
want="$fx/expected/deepseek-v4-tiny-MXFP4_MOE.manifest.json"
mkdir -p "$WORK/q"
"$HF2GGUF" convert "$fx" --quantize mxfp4_moe --outfile "$WORK/q/" --quiet &&
  [ "$(ls "$WORK/q")" = Deepseek-v4-Tiny-4x1.2M-MXFP4_MOE.gguf ] &&
  "$MANIFEST_CHECK" "$want" "$WORK/q/Deepseek-v4-Tiny-4x1.2M-MXFP4_MOE.gguf" >/dev/null &&
  pass || fail "--quantize MXFP4_MOE differs from llama-quantize ($(ls "$WORK/q"))"
for n in 1 4; do
  HF2GGUF_CHUNK_ELEMS=64 "$HF2GGUF" convert "$fx" --quantize MXFP4_MOE --threads $n \
    --outfile "$WORK/q$n.gguf" --quiet && "$MANIFEST_CHECK" "$want" "$WORK/q$n.gguf" >/dev/null &&
    pass || fail "--quantize MXFP4_MOE --threads $n in 64-value pieces differs"
done
"$HF2GGUF" convert "$fx" --quantize MXFP4_MOE --outfile - --quiet > "$WORK/qs.gguf" &&
  "$MANIFEST_CHECK" "$want" "$WORK/qs.gguf" >/dev/null && pass || fail "--quantize to stdout differs"
mkdir -p "$WORK/rq"
expect_error "Q8_0 requantizes MXFP4" "tensor 'blk.0.ffn_down_exps.weight' is MXFP4 in the converter's file and this type would make it Q8_0: llama-quantize refuses to requantize (\"requantizing from type mxfp4 is disabled\")" \
  "$WORK/rq" -- "$HF2GGUF" convert "$fx" --quantize Q8_0 --outfile "$WORK/rq/"
expect_error "Q4_K_M requantizes Q8_0" "tensor 'blk.0.attn_kv.weight' is Q8_0 in the converter's file and this type would make it Q5_0" \
  "$WORK/rq" -- "$HF2GGUF" convert "$fx" --quantize Q4_K_M --outfile "$WORK/rq/"

# --tokenizer-pre joyai-llm: the name llama.cpp's hash gives the real V4
# tokenizer, accepted and written.
"$HF2GGUF" convert "$fx" --tokenizer-pre joyai-llm --outfile "$WORK/pre.gguf" --quiet &&
  "$HF2GGUF" inspect "$WORK/pre.gguf" | grep -qx 'tokenizer.ggml.pre = "joyai-llm"  (STRING)' &&
  pass || fail "--tokenizer-pre joyai-llm not written"

# Ollama has no DeepSeek-V4 layout: refused, nothing written.
mkdir -p "$WORK/ollama"
expect_error "ollama layout" "Ollama's layout has no form for DeepseekV4ForCausalLM" "$WORK/ollama" -- \
  "$HF2GGUF" convert "$fx" --layout ollama --outfile "$WORK/ollama/x.gguf"

finish
