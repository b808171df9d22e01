#!/usr/bin/env bash
# FP8 block-quantized checkouts that are broken: each must fail with exit 1,
# a message naming the tensor or key, and no file left behind. (The good
# FP8 fixture's outputs are checked byte for byte in test_fixtures.sh.)
. "$(dirname "$0")/lib.sh"

export LC_ALL=C
shard=model-00001-of-000002.safetensors
scale=model.layers.0.self_attn.q_a_proj.weight_scale_inv

# The weight's scale tensor is missing (renamed in the header and the index,
# keeping every length, so the files stay valid).
d=$(fixture_copy deepseek-v3-fp8-tiny no-scale)
sed -i "s/$scale/${scale%_inv}_inx/" "$d/$shard" "$d/model.safetensors.index.json"
mkdir -p "$WORK/o1"
expect_error "fp8 scale missing" \
  "tensor 'model.layers.0.self_attn.q_a_proj.weight' is F8_E4M3 but its scale tensor '$scale' is missing" \
  "$WORK/o1" -- "$HF2GGUF" convert "$d" --outfile "$WORK/o1/x.gguf"

# The scale has the wrong shape: [2, 1] for a [96, 160] weight in 128x128
# blocks, which needs [1, 2].
d=$(fixture_copy deepseek-v3-fp8-tiny bad-scale)
sed -i "s/\"$scale\":{\"dtype\":\"F32\",\"shape\":\[1,2\]/\"$scale\":{\"dtype\":\"F32\",\"shape\":[2,1]/" \
  "$d/$shard"
mkdir -p "$WORK/o2"
expect_error "fp8 scale shape" "tensor '$scale': scale shape [2, 1] does not match weight [96, 160]" \
  "$WORK/o2" -- "$HF2GGUF" convert "$d" --outfile "$WORK/o2/x.gguf"

# Another quantization method (GPTQ, AWQ, ...) is refused up front.
for method in gptq awq; do
  d=$(fixture_copy deepseek-v3-fp8-tiny "quant-$method")
  sed -i "s/\"quant_method\": \"fp8\"/\"quant_method\": \"$method\"/" "$d/config.json"
  mkdir -p "$WORK/o-$method"
  expect_error "quant_method $method" "quantization_config.quant_method '$method' is not supported" \
    "$WORK/o-$method" -- "$HF2GGUF" convert "$d" --outfile "$WORK/o-$method/x.gguf"
done

# --outtype auto picks bf16 for the FP8 release (its embeddings are BF16).
mkdir -p "$WORK/auto"
"$HF2GGUF" convert "$DATA/deepseek-v3-fp8-tiny" --outfile "$WORK/auto/" --quiet &&
  [ -f "$WORK/auto/Deepseek-v3-Fp8-Tiny-4x570K-BF16.gguf" ] && pass || fail "fp8 auto: $(ls "$WORK/auto")"

finish
