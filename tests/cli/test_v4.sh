#!/usr/bin/env bash
# DeepSeek-V4 (deepseek-v4-tiny) beyond the byte-equality of test_fixtures.sh:
# what --dry-run and --json say about the forced types (MXFP4 experts, I32
# tid2eid tables, file type MXFP4_MOE whatever --outtype), verify passing on
# our output, and the Ollama layout refused.
. "$(dirname "$0")/lib.sh"

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

# Ollama has no DeepSeek-V4 layout: refused, nothing written.
mkdir -p "$WORK/ollama"
expect_error "ollama layout" "Ollama's layout has no form for DeepseekV4ForCausalLM" "$WORK/ollama" -- \
  "$HF2GGUF" convert "$fx" --layout ollama --outfile "$WORK/ollama/x.gguf"

finish
