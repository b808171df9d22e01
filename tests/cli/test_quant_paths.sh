#!/usr/bin/env bash
# The quantizers' plain C loops (HF2GGUF_QUANT_SCALAR=1) and the vector
# lanes that run by default (AVX2 or SSE2 on x86-64) write llama-quantize's
# bytes alike: types whose searches run in lanes (IQ4_XS, Q2_K, the _M mixes
# with Q4_K/Q5_K/Q6_K, MXFP4), on both K-quant fixtures, through the whole
# convert, against the goldens. test_quantize.sh checks the default path on
# every type; test_quantize.c compares every path block by block (this file
# cannot tell which path ran, only that both settings give the goldens).
. "$(dirname "$0")/lib.sh"
: "${MANIFEST_CHECK:?MANIFEST_CHECK must point at the manifest_check tool}"

for fx in deepseek-v3-q-tiny deepseek-v3-qr-tiny; do
  for t in IQ4_XS Q2_K Q4_K_M Q5_K_M MXFP4_MOE; do
    for scalar in 1 0; do
      out="$WORK/$fx-$t-$scalar.gguf"
      if HF2GGUF_QUANT_SCALAR=$scalar "$HF2GGUF" convert "$DATA/$fx" --quantize "$t" \
           --outfile "$out" --quiet &&
         result=$("$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-$t.manifest.json" "$out"); then
        pass
      else
        fail "$fx $t (HF2GGUF_QUANT_SCALAR=$scalar): ${result:-convert failed}"
      fi
    done
    cmp -s "$WORK/$fx-$t-1.gguf" "$WORK/$fx-$t-0.gguf" && pass || fail "$fx $t: the two paths' files differ"
  done
done
finish
