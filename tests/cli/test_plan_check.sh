#!/usr/bin/env bash
# Convert checks its plan with verify's rules before writing (issue 14,
# item 9): a config.json that contradicts the tensors is refused, naming the
# tensor, its source and the config keys with their values; --no-verify
# writes it with warnings. --tokenizer-pre takes only names llama.cpp knows.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

out="$WORK/out"
mkdir -p "$out"

# set_key FILE KEY VALUE
set_key() { sed -i -E "s/(\"$2\": *)[^,]*(,?)\$/\\1$3\\2/" "$1"; }

# KEY VALUE | FRAGMENT of the one-line error (v3 = deepseek-v3-tiny)
CASES=$(cat <<'EOF2'
hidden_size 32             | token_embd.weight (from model.embed_tokens.weight): shape {64, 400}, expected {32, 400} (embedding_length, token count); config.json: hidden_size = 32
num_attention_heads 8      | blk.0.attn_q_b.weight (from model.layers.0.self_attn.q_b_proj.weight): shape {32, 192}, expected {32, 384} (attention.q_lora_rank, head_count*key_length_mla); config.json: num_attention_heads = 8
qk_rope_head_dim 8         | blk.0.attn_q_b.weight (from model.layers.0.self_attn.q_b_proj.weight): shape {32, 192}, expected {32, 160}
intermediate_size 64       | blk.0.ffn_gate.weight (from model.layers.0.mlp.gate_proj.weight): shape {64, 128}, expected {64, 64} (embedding_length, feed_forward_length); config.json: hidden_size = 64, intermediate_size = 64
moe_intermediate_size 16   | blk.1.ffn_gate_exps.weight (from model.layers.1.mlp.experts.0.gate_proj.weight): shape {64, 32, 8}, expected {64, 16, 8}
n_shared_experts 2         | blk.1.ffn_gate_shexp.weight (from model.layers.1.mlp.shared_experts.gate_proj.weight): shape {64, 32}, expected {64, 64} (embedding_length, expert_feed_forward_length*expert_shared_count); config.json: hidden_size = 64, moe_intermediate_size = 32, n_shared_experts = 2
first_k_dense_replace 2    | blk.1.ffn_gate.weight: missing (required because layer < deepseek2.leading_dense_block_count); config.json: first_k_dense_replace = 2
n_group 3                  | deepseek2.expert_group_count: deepseek2.expert_count 8 is not a multiple of 3; config.json: n_group = 3, n_routed_experts = 8
topk_group 5               | deepseek2.expert_group_used_count: 5 must be > 0 and below deepseek2.expert_group_count 4; config.json: topk_group = 5, n_group = 4
num_experts_per_tok 9      | deepseek2.expert_used_count: 9 is more than deepseek2.expert_count 8; config.json: num_experts_per_tok = 9, n_routed_experts = 8
num_hidden_layers 3        | config.json: num_hidden_layers = 3 (+ 1 MTP layers) leaves out layer 4, which the checkout has (model.layers.4.
EOF2
)
while IFS='|' read -r change fragment; do
  set -- $change
  fragment=$(echo "$fragment" | sed 's/^ *//; s/ *$//')
  d=$(fixture_copy deepseek-v3-tiny "cfg-$1")
  set_key "$d/config.json" "$1" "$2"
  err=$("$HF2GGUF" convert "$d" --outfile "$out/x.gguf" 2>&1); rc=$?
  if [ $rc -eq 1 ] && [[ $err == "hf2gguf: error: the model planned from $d breaks llama.cpp's rules: $fragment"* ]] &&
     [[ $err == *"; --no-verify writes it anyway" ]] && [ "$(echo "$err" | wc -l)" -eq 1 ] &&
     [ -z "$(ls -A "$out")" ]; then pass
  else fail "$change: rc $rc: $err"; fi
  # --dry-run checks too.
  "$HF2GGUF" convert "$d" --outfile "$out/x.gguf" --dry-run >/dev/null 2>&1 && fail "$change: --dry-run passed" || pass
  # --no-verify: written, each problem a warning.
  err=$("$HF2GGUF" convert "$d" --outfile "$out/x.gguf" --no-verify 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 0 ] && [ -f "$out/x.gguf" ] &&
     [[ $err == *"hf2gguf: warning: the model breaks llama.cpp's rules (--no-verify): $fragment"* ]]; then pass
  else fail "$change --no-verify: rc $rc: $err"; fi
  rm -rf "${out:?}"/* "$d"
done <<< "$CASES"

# What verify then says of a --no-verify file is what convert said.
d=$(fixture_copy deepseek-v3-tiny nv)
set_key "$d/config.json" num_experts_per_tok 9
"$HF2GGUF" convert "$d" --outfile "$out/nv.gguf" --no-verify --quiet
text=$("$HF2GGUF" verify "$out/nv.gguf"); rc=$?
[ $rc -eq 1 ] && [[ $text == *"deepseek2.expert_used_count: 9 is more than deepseek2.expert_count 8"* ]] &&
  pass || fail "verify of the --no-verify file: $text"

# --tokenizer-pre: every name --help lists is accepted (and passes the
# plan check); others are usage errors listing only those names.
names=$("$HF2GGUF" convert --help | sed -n '/--tokenizer-pre/,/--json/p' | sed -n '3,4p' | tr -d ' \n' | tr ',' ' ')
[ "$(echo $names | wc -w)" -eq 8 ] && pass || fail "--help lists: $names"
for n in $names; do
  "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --tokenizer-pre "$n" --dry-run >/dev/null 2>"$WORK/err" &&
    pass || fail "--tokenizer-pre $n: $(cat "$WORK/err")"
done
err=$("$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --tokenizer-pre gpt-9 --dry-run 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $err == *"--tokenizer-pre 'gpt-9' is not a pre-tokenizer llama.cpp knows (deepseek-llm, deepseek-coder, deepseek-v3, kimi-k2, llama-bpe, qwen2, default, joyai-llm)"* ]] &&
  pass || fail "--tokenizer-pre gpt-9: $rc $err"
# The unknown-pre-tokenizer message lists the same names, each valid.
d=$(fixture_copy deepseek-v3-tiny unknown-pre)
sed -i 's/\\\\p{N}{1,3}/\\\\p{N}{1,4}/' "$d/tokenizer.json"
err=$("$HF2GGUF" convert "$d" --dry-run 2>&1); rc=$?
listed=$(echo "$err" | sed -n 's/.*pass --tokenizer-pre NAME with one of: //p' | tr -d ',')
if [ $rc -eq 1 ] && [ -n "$listed" ]; then
  for n in $listed; do
    [[ " $names " == *" $n "* ]] || fail "the message suggests '$n', which --tokenizer-pre refuses"
  done
  pass
else fail "unknown pre-tokenizer: $rc $err"; fi

finish
