/*
 * numeric/quant_legacy.c - the 32-value "legacy" types Q4_0, Q4_1, Q5_0,
 * Q5_1 (quantization-reference.md §3.2); Q8_0 hands over to numeric.c.
 *
 * Compiled with -ffp-contract=off (see quant_internal.h): the codes are
 * trunc(x*id + 8.5) and friends, where the product must be rounded to
 * float32 before the add, or values near a code boundary move.
 */
#include "hf2gguf/numeric.h"
#include "numeric/quant_internal.h"

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_legacy)

/*
 * Block layouts (32 values; d, m are f16; nibble j holds value j in the low
 * half and value j+16 in the high half of byte j):
 *
 *   Q4_0 (18 bytes)     0      2                     18
 *                       | d    | qs[16]              |      x = d*(q-8)
 *
 *   Q4_1 (20 bytes)     0      2      4              20
 *                       | d    | m    | qs[16]       |      x = d*q + m
 *
 *   Q5_0 (22 bytes)     0      2            6               22
 *                       | d    | qh (u32)   | qs[16] low 4b |  x = d*(q-16)
 *
 *   Q5_1 (24 bytes)     0      2      4            8               24
 *                       | d    | m    | qh (u32)   | qs[16] low 4b |
 *
 *   qh bit j = bit 4 of value j's code (j = 0..31).
 */
#define QK 32

/* The element with the largest |x|, sign kept; the first one wins ties
 * (strict >), and an all-zero block gives 0. */
static float signed_absmax(const float *x) {
    float amax = 0.0f, mx = 0.0f;
    for (int j = 0; j < QK; j++) {
        float a = x[j] < 0 ? -x[j] : x[j];
        if (a > amax) {
            amax = a;
            mx = x[j];
        }
    }
    return mx;
}

/* The reference truncates to int8 then takes min(limit, code); the int8 is
 * the low byte of the x86 conversion (0 for inf/NaN, which a subnormal d
 * produces through id = 1/d = inf). */
static int code_min(float v, int limit) {
    int q = qf_wrap_i8(qf_trunc_i32(v));
    return q < limit ? q : limit;
}

/* Nibbles: value j low, value j+16 high; codes above 15 keep their low 4
 * bits here (the fifth bit goes to qh). */
static void pack_nibbles(const uint8_t *q, uint8_t *qs) {
    for (int j = 0; j < QK / 2; j++) qs[j] = (uint8_t)((q[j] & 15) | (q[j + 16] & 15) << 4);
}

static uint32_t fifth_bits(const uint8_t *q) {
    uint32_t qh = 0;
    for (int j = 0; j < QK; j++) qh |= (uint32_t)((q[j] >> 4) & 1) << j;
    return qh;
}

/* Symmetric types: d = mx / -half (so the largest value maps to code 0),
 * code = min(2*half-1, trunc(x*id + half + 0.5)). */
static float symmetric_codes(const float *x, int half, uint8_t *q) {
    const float d = signed_absmax(x) / (float)-half;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const float offset = (float)half + 0.5f;
    for (int j = 0; j < QK; j++) {
        float v = x[j] * id;
        q[j] = (uint8_t)code_min(v + offset, 2 * half - 1);
    }
    return d;
}

/* Asymmetric types: d = (max - min) / levels, code = trunc((x-min)*id + .5),
 * clamped to 15 for Q4_1 (clamp < 0 means no clamp: Q5_1). */
static float asymmetric_codes(const float *x, int levels, int clamp, float *min_out, uint8_t *q) {
    float mn = FLT_MAX, mx = -FLT_MAX;
    for (int j = 0; j < QK; j++) {
        if (x[j] < mn) mn = x[j];
        if (x[j] > mx) mx = x[j];
    }
    const float d = (mx - mn) / (float)levels;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < QK; j++) {
        float v = (x[j] - mn) * id;
        v = v + 0.5f;
        q[j] = clamp < 0 ? (uint8_t)qf_trunc_i32(v) : (uint8_t)code_min(v, clamp);
    }
    *min_out = mn;
    return d;
}

void h2g_qblocks_q4_0(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    (void)k;
    for (size_t b = 0; b < nblocks; b++, x += QK, dst += 18) {
        uint8_t q[QK];
        qf_store_le16(dst, h2g_f32_to_f16(symmetric_codes(x, 8, q)));
        pack_nibbles(q, dst + 2);
    }
}

void h2g_qblocks_q5_0(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    (void)k;
    for (size_t b = 0; b < nblocks; b++, x += QK, dst += 22) {
        uint8_t q[QK];
        qf_store_le16(dst, h2g_f32_to_f16(symmetric_codes(x, 16, q)));
        qf_store_le32(dst + 2, fifth_bits(q));
        pack_nibbles(q, dst + 6);
    }
}

void h2g_qblocks_q4_1(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    (void)k;
    for (size_t b = 0; b < nblocks; b++, x += QK, dst += 20) {
        uint8_t q[QK];
        float mn;
        qf_store_le16(dst, h2g_f32_to_f16(asymmetric_codes(x, 15, 15, &mn, q)));
        qf_store_le16(dst + 2, h2g_f32_to_f16(mn));
        pack_nibbles(q, dst + 4);
    }
}

void h2g_qblocks_q5_1(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    (void)k;
    for (size_t b = 0; b < nblocks; b++, x += QK, dst += 24) {
        uint8_t q[QK];
        float mn;
        qf_store_le16(dst, h2g_f32_to_f16(asymmetric_codes(x, 31, -1, &mn, q)));
        qf_store_le16(dst + 2, h2g_f32_to_f16(mn));
        qf_store_le32(dst + 4, fifth_bits(q));
        pack_nibbles(q, dst + 8);
    }
}

/* Q8_0 is numeric.c's converter kernel, verified equal to ggml's (§3.2). */
void h2g_qblocks_q8_0(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    (void)k;
    h2g_quantize_q8_0(x, dst, nblocks * QK);
}
