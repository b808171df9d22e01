/*
 * numeric/quant_internal.h - what the quantizer sources share: the rounding
 * helpers of quantization-reference.md §3.0, little-endian stores, the
 * per-type block functions the dispatch in quantize.c calls, and the build
 * guards.
 *
 * Why -ffp-contract=off: every quantizer rounds a*b to float32 before it
 * adds c (§3.0, §3.17). Fusing the two into one FMA keeps the product exact
 * and changes which side of a rounding boundary a value falls on; the
 * reference build never fuses (no FMA in baseline x86-64). GCC ignores
 * "#pragma STDC FP_CONTRACT", so the flag is the only reliable switch.
 * CMakeLists.txt passes it together with H2G_QUANT_STRICT_FP on exactly the
 * quantizer sources; the #error below stops a build that lost the pair, and
 * the probes (H2G_QUANT_CONTRACT_PROBE) let a test observe at run time that
 * each object really rounds the product.
 */
#ifndef HF2GGUF_NUMERIC_QUANT_INTERNAL_H
#define HF2GGUF_NUMERIC_QUANT_INTERNAL_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef H2G_QUANT_STRICT_FP
#error "quantizer sources need -ffp-contract=off and H2G_QUANT_STRICT_FP (see CMakeLists.txt)"
#endif
#ifdef __FAST_MATH__
#error "quantizer sources must not be built with -ffast-math: it reorders sums and flushes subnormals"
#endif
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ != 0
#error "quantizer sources need float32 evaluation (e.g. -mfpmath=sse on 32-bit x86), not excess precision"
#endif

/* A function whose body is a*b+c, one per quantizer object. Compiled with
 * contraction allowed on an FMA target it returns the fused (single
 * rounding) result; test_quantize.c calls each one with operands where the
 * two results differ. It lives in every quantizer source because the flag
 * is a per-file property: one file that lost it must be caught too. */
#define H2G_QUANT_CONTRACT_PROBE(name)                                                            \
    float name(float a, float b, float c);                                                         \
    float name(float a, float b, float c) { return a * b + c; }

float h2g_quant_probe_dispatch(float a, float b, float c);
float h2g_quant_probe_legacy(float a, float b, float c);
float h2g_quant_probe_search(float a, float b, float c);
float h2g_quant_probe_k(float a, float b, float c);
float h2g_quant_probe_iq4(float a, float b, float c);
float h2g_quant_probe_ternary(float a, float b, float c);
float h2g_quant_probe_mxfp4(float a, float b, float c);

/* ---------------------------------------------------------------------------
 * Bits and bytes
 * ------------------------------------------------------------------------- */

static inline uint32_t qf_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float qf_float(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline void qf_store_le16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void qf_store_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t qf_load_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* ---------------------------------------------------------------------------
 * Rounding (§3.0)
 * ------------------------------------------------------------------------- */

/* rne(v): round half to even by adding 1.5 * 2^23, which pushes the integer
 * part into the low mantissa bits, and reading them back. Exact for
 * |v| <= 4194303; outside (inf, NaN, huge products of degenerate blocks) it
 * still yields the reference's integer, which is why it is not rintf. */
static inline int qf_rne(float v) {
    float t = v + 12582912.0f;
    return (int)(qf_bits(t) & 0x7FFFFFu) - 0x400000;
}

/* The float -> int conversion of x86-64 (cvttss2si): truncation toward zero,
 * and INT32_MIN for NaN or anything out of int32 range. C leaves those
 * undefined; the reference's bytes for degenerate blocks (a subnormal scale
 * whose inverse is inf) come from this behaviour, so it is spelled out. */
static inline int32_t qf_trunc_i32(float v) {
    if (v > -2147483904.0f && v < 2147483648.0f) return (int32_t)v;
    return INT32_MIN;
}

/* The reference's casts of an int to (u)int8: keep the low byte. */
static inline int qf_wrap_i8(int v) {
    int b = v & 0xFF;
    return b >= 128 ? b - 256 : b;
}

static inline int qf_clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The all-zero threshold of the symmetric searches (§3.0). */
#define QF_EPS 1e-15f

/* ---------------------------------------------------------------------------
 * Block quantizers: each converts nblocks consecutive blocks of x into dst.
 * ------------------------------------------------------------------------- */

typedef void qf_blocks_fn(const float *x, uint8_t *dst, size_t nblocks);

qf_blocks_fn h2g_qblocks_q4_0, h2g_qblocks_q4_1, h2g_qblocks_q5_0, h2g_qblocks_q5_1,
    h2g_qblocks_q8_0;
qf_blocks_fn h2g_qblocks_q2_k, h2g_qblocks_q3_k, h2g_qblocks_q4_k, h2g_qblocks_q5_k,
    h2g_qblocks_q6_k;
qf_blocks_fn h2g_qblocks_iq4_nl, h2g_qblocks_iq4_xs;

/* IQ4's grid lookup (quant_iq4.c): the fast form the quantizers use and the
 * literal binary search of §3.11; equal everywhere (tested). */
int h2g_iq4_grid_index(float v);
int h2g_iq4_grid_index_ref(float v);
qf_blocks_fn h2g_qblocks_tq1_0, h2g_qblocks_tq2_0;
qf_blocks_fn h2g_qblocks_mxfp4;

#endif
