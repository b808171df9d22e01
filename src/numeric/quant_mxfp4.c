/*
 * numeric/quant_mxfp4.c - MXFP4: 32 values sharing a power-of-two scale
 * (E8M0), each an E2M1 float (quantization-reference.md §3.14).
 *
 * Compiled with -ffp-contract=off (see quant_internal.h): the index search
 * computes |table[i]*s - x|, a multiply-subtract the compiler could fuse;
 * s is a power of two so the product is exact today, but the flag is what
 * the reference build had and keeps the rule uniform.
 */
#include <math.h>

#include "numeric/quant_internal.h"

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_mxfp4)

/*
 * Block (17 bytes per 32 values):
 *
 *   0     1                    17
 *   | e   | qs[16]             |    x = TABLE[q] * 2^(e - 128)
 *   byte j: index of value j (low nibble), of value j+16 (high nibble)
 *
 * TABLE is twice the E2M1 values, hence the scale 2^(e-128) rather than
 * 2^(e-127).
 */
static const int8_t TABLE[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

/* The E8M0 exponent of a block: floor(log2(amax)) - 2 + 127, converted to a
 * byte as x86-64 does (through int32, low byte: a negative value for
 * amax < 2^-125 wraps, e.g. to 0xFF, which validation then rejects). */
static uint8_t mxfp4_exponent(float amax) {
    if (!(amax > 0)) return 0;
    float e = floorf(log2f(amax)) - 2.0f;
    e = e + 127.0f;
    return (uint8_t)qf_trunc_i32(e);
}

/* 2^(e-128) as a float: (e-1) << 23 for e >= 2, subnormal below. */
static float mxfp4_scale(uint8_t e) {
    if (e < 2) return qf_float(e == 0 ? 0x00200000u : 0x00400000u);
    return qf_float((uint32_t)(e - 1) << 23);
}

/* Index minimising |TABLE[i]*s - x|; the lowest index wins ties. */
static int mxfp4_index(float x, float s) {
    int best = 0;
    float best_err = fabsf((float)TABLE[0] * s - x);
    for (int i = 1; i < 16; i++) {
        float err = fabsf((float)TABLE[i] * s - x);
        if (err < best_err) {
            best = i;
            best_err = err;
        }
    }
    return best;
}

/* 32 values at scale s into 16 bytes: index j low, j+16 high. */
void h2g_mxfp4_pack_scalar(const float *x, float s, uint8_t *qs) {
    for (int j = 0; j < 16; j++)
        qs[j] = (uint8_t)(mxfp4_index(x[j], s) | mxfp4_index(x[j + 16], s) << 4);
}

void h2g_qblocks_mxfp4(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    for (size_t b = 0; b < nblocks; b++, x += 32, dst += 17) {
        float amax = 0.0f;
        for (int j = 0; j < 32; j++)
            if (amax < fabsf(x[j])) amax = fabsf(x[j]);
        const uint8_t e = mxfp4_exponent(amax);
        const float s = mxfp4_scale(e);
        dst[0] = e;
        k->mxfp4_pack(x, s, dst + 1);
    }
}
