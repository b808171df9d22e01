#!/usr/bin/env bash
# DeepSeek-V3.2 (deepseek32) and DeepSeek-MoE (deepseek) beyond the golden
# comparisons of test_fixtures.sh: what --dry-run and --json show of their
# plans, inspect/verify/diff on their outputs, the add_bos_token rule of
# V3.2 and the tokenizer.model refusal of DeepSeek-MoE (also from an archive).
. "$(dirname "$0")/lib.sh"

V32="$DATA/deepseek-v32-tiny"
MOE="$DATA/deepseek-moe-tiny"

# --- --dry-run: the plan, nothing written ----------------------------------
mkdir -p "$WORK/dry"
plan=$(cd "$WORK/dry" && "$HF2GGUF" convert "$V32" --outtype q8_0 --dry-run)
[ -z "$(ls -A "$WORK/dry")" ] && pass || fail "--dry-run wrote files"
case "$plan" in
  *"Deepseek-v32-Tiny-4x1.0M-Q8_0.gguf: model, arch deepseek32, outtype q8_0, 60 KV pairs, 96 tensors"*) pass ;;
  *) fail "v32 dry-run header: $(printf '%s' "$plan" | head -1)" ;;
esac
# The MTP layer is kept (blk.3), its own tensors under nextn.*; the indexer's
# projection stays F32 under q8_0.
printf '%s\n' "$plan" | grep -Eq '^  blk\.3\.nextn\.eh_proj\.weight +Q8_0 +\[320, 160\] +convert +model\.layers\.3\.eh_proj\.weight$' &&
  pass || fail "v32 dry-run: no blk.3.nextn.eh_proj line"
printf '%s\n' "$plan" | grep -Eq '^  blk\.3\.indexer\.proj\.weight +F32 +\[160, 4\] ' &&
  pass || fail "v32 dry-run: indexer.proj not F32"
[ "$(printf '%s\n' "$plan" | grep -c 'indexer\.attn_q_b\.weight  *Q8_0')" -eq 4 ] &&
  pass || fail "v32 dry-run: not 4 indexer.attn_q_b in Q8_0"

plan=$("$HF2GGUF" convert "$MOE" --outtype f16 --dry-run)
printf '%s\n' "$plan" | grep -Eq '^  blk\.2\.attn_q\.weight +F16 +\[64, 64\] +permute_qk +model\.layers\.2\.self_attn\.q_proj\.weight$' &&
  pass || fail "moe dry-run: attn_q is not permuted"
printf '%s\n' "$plan" | grep -Eq '^  blk\.2\.attn_v\.weight +F16 +\[64, 64\] +convert ' &&
  pass || fail "moe dry-run: attn_v is not a plain convert"

# --json: experts stacked in numeric order, whatever the name order
# (experts.10 sorts before experts.2 in the shards).
json=$("$HF2GGUF" convert "$MOE" --dry-run --json)
case "$json" in *'"architecture":	"deepseek"'*) pass ;; *) fail "moe --json: no architecture deepseek" ;; esac
order=$(printf '%s' "$json" | grep -o 'model\.layers\.2\.mlp\.experts\.[0-9]*\.up_proj' |
  sed 's/.*experts\.\([0-9]*\).*/\1/' | tr '\n' ' ')
[ "$order" = "0 1 2 3 4 5 6 7 8 9 10 11 " ] && pass || fail "moe --json: expert order '$order'"

# --- inspect, verify, diff on converted files -------------------------------
for fx in deepseek-v32-tiny deepseek-moe-tiny; do
  out="$WORK/$fx.gguf"
  "$HF2GGUF" convert "$DATA/$fx" --outtype f16 --outfile "$out" --quiet || { fail "$fx: convert"; continue; }
  arch=$(case $fx in deepseek-v32-tiny) echo deepseek32 ;; *) echo deepseek ;; esac)
  "$HF2GGUF" inspect "$out" | grep -qx "general.architecture = \"$arch\"  (STRING)" &&
    pass || fail "$fx: inspect does not show arch $arch"
  "$HF2GGUF" verify "$out" | grep -q "OK (arch $arch," && pass || fail "$fx: verify"
  d=$("$HF2GGUF" diff "$DATA/$fx/expected/$fx-f16.gguf" "$out") && [ -z "$d" ] &&
    pass || fail "$fx: diff with the golden: $d"
  "$HF2GGUF" convert "$DATA/$fx" --vocab-only --outfile "$WORK/$fx-vocab.gguf" --quiet &&
    "$HF2GGUF" inspect "$WORK/$fx-vocab.gguf" | grep -q " 0 tensors, $(
      case $fx in deepseek-v32-tiny) echo 59 ;; *) echo 38 ;; esac) KVs" &&
    pass || fail "$fx: --vocab-only"
done

# --- add_bos_token (V3.2) -------------------------------------------------------
# Absent: the reference's tokenizer adds BOS by default, so it converts.
co=$(fixture_copy deepseek-v32-tiny nobos)
sed -i '/"add_bos_token"/d' "$co/tokenizer_config.json"
"$HF2GGUF" convert "$co" --outfile "$WORK/nobos.gguf" --quiet && pass || fail "add_bos_token absent refused"
# False: refused, saying what to change.
co=$(fixture_copy deepseek-v32-tiny falsebos)
sed -i 's/"add_bos_token": true/"add_bos_token": false/' "$co/tokenizer_config.json"
mkdir -p "$WORK/falsebos-out"
expect_error add-bos-false 'Set "add_bos_token": true in tokenizer_config.json' "$WORK/falsebos-out" -- \
  "$HF2GGUF" convert "$co" --outfile "$WORK/falsebos-out/" --quiet

# --- tokenizer.model (DeepSeek-MoE), in an archive too -----------------------
co=$(fixture_copy deepseek-moe-tiny spm)
printf 'not read' > "$co/tokenizer.model"
tar -C "$WORK" -cf "$WORK/spm.tar" spm
mkdir -p "$WORK/spm-out"
expect_error spm-dir "tokenizer.model: present in" "$WORK/spm-out" -- \
  "$HF2GGUF" convert "$co" --outfile "$WORK/spm-out/" --quiet
expect_error spm-tar "tokenizer.model: present in" "$WORK/spm-out" -- \
  "$HF2GGUF" convert "$WORK/spm.tar" --outfile "$WORK/spm-out/" --quiet

finish
