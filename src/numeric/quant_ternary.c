/*
 * numeric/quant_ternary.c - TQ1_0 and TQ2_0: each value becomes a trit
 * -1/0/+1 of the block's largest magnitude (quantization-reference.md
 * §3.13).
 *
 * Compiled with -ffp-contract=off like every quantizer (see
 * quant_internal.h). There is no a*b+c here today; the flag keeps it that
 * way if one is added, and the probe below proves the object's flags.
 */
#include <math.h>

#include "hf2gguf/numeric.h"
#include "numeric/quant_internal.h"

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_ternary)

#define QK_K 256

/* d = max |x| over the super-block; returns d, and its inverse in *id
 * (0 when d is 0). */
static float ternary_scale(const float *x, float *id) {
    float amax = 0.0f;
    for (int j = 0; j < QK_K; j++) {
        float a = fabsf(x[j]);
        amax = amax > a ? amax : a;
    }
    *id = amax != 0 ? 1.0f / amax : 0.0f;
    return amax;
}

/* The trit code lroundf(v*id) + 1, in 0..2 for finite scales. Rounding is
 * half away from zero, done inline for |v| < 2^23 (truncate; the dropped
 * part v - q is exact there) and by libm's lroundf otherwise. The result is
 * kept modulo 2^32 so that the degenerate inf/NaN products of a subnormal d
 * (lroundf gives LONG_MIN on x86-64) reduce the same way as the
 * reference's int. */
static inline uint32_t trit(float x, float id) {
    const float v = x * id;
    if (!(fabsf(v) < 8388608.0f)) return (uint32_t)lroundf(v) + 1u;
    const int q = (int)v;
    const float rest = v - (float)q;
    return (uint32_t)(q + (rest >= 0.5f) - (rest <= -0.5f)) + 1u;
}

/* ---------------------------------------------------------------------------
 * TQ1_0 (54 bytes per 256 values)
 *
 *   0                  48       52     54
 *   | qs[48]           | qh[4]  | d    |
 *   qs[m], m < 32:  trits of x[m + 32n], n = 0..4    (values 0..159)
 *   qs[32+m], m<16: trits of x[160 + m + 16n], n = 0..4 (160..239)
 *   qh[j], j < 4:   trits of x[240 + j + 4n], n = 0..3, then a 0 trit
 *   A byte holds q = sum t_n 3^(4-n) (first trit most significant),
 *   stored as ceil(q * 256 / 243) so that the trits can be read back by
 *   multiplications by 3 of the byte.
 * ------------------------------------------------------------------------- */

/* Combines count trits x[first + stride*n] (n = 0..count-1) into a byte
 * q = 3q + t, with q kept to 8 bits as in the reference. */
static uint8_t trits_to_byte(const float *x, float id, int stride, int count) {
    uint8_t q = 0;
    for (int n = 0; n < count; n++) q = (uint8_t)(q * 3u + trit(x[stride * n], id));
    return q;
}

static uint8_t tq1_store(uint8_t q) { return (uint8_t)(((unsigned)q * 256u + 242u) / 243u); }

static void tq1_0_block(const float *x, uint8_t *blk) {
    float id;
    const float d = ternary_scale(x, &id);
    for (int m = 0; m < 32; m++) blk[m] = tq1_store(trits_to_byte(x + m, id, 32, 5));
    for (int m = 0; m < 16; m++) blk[32 + m] = tq1_store(trits_to_byte(x + 160 + m, id, 16, 5));
    for (int j = 0; j < 4; j++) {
        uint8_t q = trits_to_byte(x + 240 + j, id, 4, 4);
        blk[48 + j] = tq1_store((uint8_t)(q * 3u));
    }
    qf_store_le16(blk + 52, h2g_f32_to_f16(d));
}

/* ---------------------------------------------------------------------------
 * TQ2_0 (66 bytes per 256 values)
 *
 *   0                              64     66
 *   | qs[64]                       | d    |
 *   qs[32h + m] bits 2n..2n+1 = trit of x[128h + m + 32n], n = 0..3
 *   x = d * (t - 1)
 * ------------------------------------------------------------------------- */

static void tq2_0_block(const float *x, uint8_t *blk) {
    float id;
    const float d = ternary_scale(x, &id);
    for (int h = 0; h < 2; h++)
        for (int m = 0; m < 32; m++) {
            unsigned q = 0;
            for (int n = 0; n < 4; n++) q += (trit(x[128 * h + m + 32 * n], id) & 3u) << (2 * n);
            blk[32 * h + m] = (uint8_t)q;
        }
    qf_store_le16(blk + 64, h2g_f32_to_f16(d));
}

void h2g_qblocks_tq1_0(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    (void)k;
    for (size_t b = 0; b < nblocks; b++) tq1_0_block(x + QK_K * b, dst + 54 * b);
}

void h2g_qblocks_tq2_0(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    (void)k;
    for (size_t b = 0; b < nblocks; b++) tq2_0_block(x + QK_K * b, dst + 66 * b);
}
