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

#include "numeric/quant_probe.h"

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
 * Inner kernels: the loops that cost, swappable between the scalar code and
 * the lane-parallel vector code (quant_vec_*.c). Each vector kernel runs one
 * SIMD lane per (sub-)block, every lane doing exactly the scalar sequence of
 * float32 operations for its own (sub-)block, so the results are the same
 * bits; test_quantize compares every path with the scalar one.
 * ------------------------------------------------------------------------- */

typedef struct qf_s1_params qf_s1_params;

typedef struct qf_kernels {
    const char *name;
    /* IQ4 steps 1-3 of §3.11 on count consecutive 32-value blocks: sc[i]
     * is block i's fitted scale (0 below EPS). */
    void (*iq4_scales)(const float *x, size_t count, float *sc);
    /* 32 values at inverse scale id into 16 bytes of grid indices. */
    void (*iq4_pack)(const float *x, float id, uint8_t *qs);
    /* Q4_K/Q5_K: weights and S1 for the 8 sub-blocks of 32 of one super-block. */
    void (*k45_search)(const float *x, const qf_s1_params *p, float *sc, float *mn, uint8_t *L);
    /* Q2_K: weights |x| and S1 for the 16 sub-blocks of 16. */
    void (*q2k_search)(const float *x, const qf_s1_params *p, float *sc, float *mn, uint8_t *L);
    /* Q6_K: S2 (nmax 32) for the 16 sub-blocks of 16. */
    void (*q6k_search)(const float *x, float *sc, uint8_t *L);
    /* MXFP4: the 32 indices of one block at scale s into 16 bytes. */
    void (*mxfp4_pack)(const float *x, float s, uint8_t *qs);
    /* For the test: the IQ4 grid index and GRID value of n values (n a
     * multiple of 8) as the kernels above look them up. */
    void (*iq4_grid)(const float *v, size_t n, int32_t *idx, float *val);
} qf_kernels;

extern const qf_kernels h2g_qk_scalar;
#if defined(__x86_64__) && defined(__GNUC__)
#define H2G_QUANT_X86 1
extern const qf_kernels h2g_qk_sse2, h2g_qk_avx2;
#endif

/* ---------------------------------------------------------------------------
 * Block quantizers: each converts nblocks consecutive blocks of x into dst,
 * with the inner loops of k (the legacy and ternary types have none).
 * ------------------------------------------------------------------------- */

typedef void qf_blocks_fn(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks);

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

/* The scalar kernels (quant_iq4.c, quant_k.c, quant_mxfp4.c), named for
 * h2g_qk_scalar in quantize.c. */
void h2g_iq4_scales_scalar(const float *x, size_t count, float *sc);
void h2g_iq4_pack_scalar(const float *x, float id, uint8_t *qs);
void h2g_k45_search_scalar(const float *x, const qf_s1_params *p, float *sc, float *mn, uint8_t *L);
void h2g_q2k_search_scalar(const float *x, const qf_s1_params *p, float *sc, float *mn, uint8_t *L);
void h2g_q6k_search_scalar(const float *x, float *sc, uint8_t *L);
void h2g_mxfp4_pack_scalar(const float *x, float s, uint8_t *qs);
void h2g_iq4_grid_scalar(const float *v, size_t n, int32_t *idx, float *val);

#endif
