/* quant_probe.h - the contraction probes: one function per quantizer object,
 * each `return a*b + c;` compiled with that object's flags (defined by
 * H2G_QUANT_CONTRACT_PROBE in quant_internal.h). test_quantize.c calls them
 * with operands where a fused multiply-add gives another result, so an object
 * that lost -ffp-contract=off is caught. Apart from quant_internal.h because
 * that header refuses to compile without the quantizers' flags. */
#ifndef HF2GGUF_NUMERIC_QUANT_PROBE_H
#define HF2GGUF_NUMERIC_QUANT_PROBE_H

float h2g_quant_probe_dispatch(float a, float b, float c);
float h2g_quant_probe_legacy(float a, float b, float c);
float h2g_quant_probe_search(float a, float b, float c);
float h2g_quant_probe_k(float a, float b, float c);
float h2g_quant_probe_iq4(float a, float b, float c);
float h2g_quant_probe_ternary(float a, float b, float c);
float h2g_quant_probe_mxfp4(float a, float b, float c);
float h2g_quant_probe_vec_sse2(float a, float b, float c);
float h2g_quant_probe_vec_avx2(float a, float b, float c); /* call only with AVX2 */

#endif
