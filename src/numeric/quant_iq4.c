/*
 * numeric/quant_iq4.c - IQ4_NL and IQ4_XS: 4-bit codes into a fixed
 * non-linear grid of 16 levels (quantization-reference.md §3.11, §3.12),
 * with llama-quantize's searching variant (7 trial scales each side).
 *
 * Compiled with -ffp-contract=off (see quant_internal.h): the trial sums
 * (w*q)*x and (w*q)*q are float32 accumulations whose products must be
 * rounded before each add.
 */
#include <math.h>

#include "hf2gguf/numeric.h"
#include "numeric/quant_internal.h"

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_iq4)

static const int8_t GRID[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                1,    13,   25,  38,  53,  69,  89,  113};

/* Grid index nearest to v, literally as §3.11 says: clamp at the ends,
 * binary search for the pair (lo, lo+1) around v, then the closer one; an
 * exact tie goes to the upper index (the reference's strict <). Kept as the
 * reference for grid_nearest and for the unit test. */
int h2g_iq4_grid_index_ref(float v) {
    if (v <= (float)GRID[0]) return 0;
    if (v >= (float)GRID[15]) return 15;
    int lo = 0, hi = 15;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (v < (float)GRID[mid])
            hi = mid;
        else
            lo = mid;
    }
    return v - (float)GRID[lo] < (float)GRID[hi] - v ? lo : hi;
}

/* The same index without data-dependent branches in the search (the
 * reference's 4 unpredictable branches per value are most of IQ4's time):
 * lo = the largest i with GRID[i] <= v, built from the bits 8, 4, 2, 1.
 * NaN goes to 15 like the reference's search. Checked equal to
 * h2g_iq4_grid_index_ref on all 2^32 float patterns; test_quantize sweeps
 * a sample. The float operations are the reference's, in its order. */
static inline int grid_nearest(float v) {
    if (v <= (float)GRID[0]) return 0;
    if (!(v < (float)GRID[15])) return 15;
    int lo = 0;
    lo += ((float)GRID[lo + 8] <= v) * 8;
    lo += ((float)GRID[lo + 4] <= v) * 4;
    lo += ((float)GRID[lo + 2] <= v) * 2;
    lo += ((float)GRID[lo + 1] <= v) * 1;
    return lo + !(v - (float)GRID[lo] < (float)GRID[lo + 1] - v);
}

int h2g_iq4_grid_index(float v) { return grid_nearest(v); }

void h2g_iq4_grid_scalar(const float *v, size_t n, int32_t *idx, float *val) {
    for (size_t i = 0; i < n; i++) {
        idx[i] = grid_nearest(v[i]);
        val[i] = (float)GRID[idx[i]];
    }
}

/* The weighted fit of 32 values on the grid at inverse scale id, w = x*x:
 * sqx = sum (w*q)*x, sq2 = sum (w*q)*q in index order. */
static void grid_sums(const float *x, float id, float *sqx, float *sq2) {
    float a = 0.0f, b = 0.0f;
    for (int j = 0; j < 32; j++) {
        float q = (float)GRID[grid_nearest(id * x[j])];
        float w = x[j] * x[j];
        a += w * q * x[j];
        b += w * q * q;
    }
    *sqx = a;
    *sq2 = b;
}

/* Steps 1-3 of §3.11 on one block of 32: the fitted scale (0 for a block
 * below EPS). The trial levels are not kept; callers re-derive them. */
static float iq4_block_scale(const float *x) {
    float amax = 0.0f, mx = 0.0f;
    for (int j = 0; j < 32; j++)
        if (fabsf(x[j]) > amax) {
            amax = fabsf(x[j]);
            mx = x[j];
        }
    if (amax < QF_EPS) return 0.0f;
    float d = -mx / (float)GRID[0];
    float sqx, sq2;
    grid_sums(x, 1.0f / d, &sqx, &sq2);
    d = sq2 > 0 ? sqx / sq2 : 0.0f;
    float best = d * sqx;
    for (int t = -7; t <= 7; t++) {
        grid_sums(x, (float)(t + GRID[0]) / mx, &sqx, &sq2);
        if (sq2 > 0 && sqx * sqx > best * sq2) {
            d = sqx / sq2;
            best = d * sqx;
        }
    }
    return d;
}

/* 32 values at inverse scale id into 16 bytes: index j low, j+16 high. */
void h2g_iq4_pack_scalar(const float *x, float id, uint8_t *qs) {
    for (int j = 0; j < 16; j++)
        qs[j] = (uint8_t)(grid_nearest(id * x[j]) | grid_nearest(id * x[j + 16]) << 4);
}

void h2g_iq4_scales_scalar(const float *x, size_t count, float *sc) {
    for (size_t i = 0; i < count; i++) sc[i] = iq4_block_scale(x + 32 * i);
}

/* ---------------------------------------------------------------------------
 * IQ4_NL (18 bytes per 32 values)
 *
 *   0      2                    18
 *   | d    | qs[16]             |    x = d * GRID[q]
 *   byte j: index of value j (low nibble), of value j+16 (high nibble)
 * ------------------------------------------------------------------------- */

/* Blocks are independent: their scales are searched a batch at a time (the
 * vector kernels run one block per lane), then stored and packed. */
#define NL_BATCH 64

void h2g_qblocks_iq4_nl(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    float sc[NL_BATCH];
    for (size_t b0 = 0; b0 < nblocks; b0 += NL_BATCH) {
        const size_t n = nblocks - b0 < NL_BATCH ? nblocks - b0 : NL_BATCH;
        k->iq4_scales(x + 32 * b0, n, sc);
        for (size_t i = 0; i < n; i++) {
            const float d = sc[i];
            uint8_t *blk = dst + 18 * (b0 + i);
            qf_store_le16(blk, h2g_f32_to_f16(d));
            k->iq4_pack(x + 32 * (b0 + i), d != 0 ? 1.0f / d : 0.0f, blk + 2); /* unrounded d */
        }
    }
}

/* ---------------------------------------------------------------------------
 * IQ4_XS (136 bytes per 256 values, 8 sub-blocks of 32)
 *
 *   0      2            4             8                      136
 *   | d    | scales_h   | scales_l[4] | qs[128]              |
 *            u16: bits    byte b/2: code c_b & 15, low nibble
 *            2b..2b+1 =   for even b, high for odd b
 *            c_b >> 4
 *   sub-block b: 6-bit code c_b, x = d*(c_b - 32) * GRID[q];
 *   qs[16b..16b+15] packed like IQ4_NL
 * ------------------------------------------------------------------------- */

static void iq4_xs_block(const qf_kernels *k, const float *x, uint8_t *blk) {
    float sc[8], maxs = 0.0f, amax = 0.0f;
    k->iq4_scales(x, 8, sc);
    for (int b = 0; b < 8; b++) {
        if (fabsf(sc[b]) > amax) {
            amax = fabsf(sc[b]);
            maxs = sc[b];
        }
    }
    const float d = -maxs / 32.0f; /* -0.0 for an all-zero super-block */
    const float id = d != 0 ? 1.0f / d : 0.0f;
    uint16_t scales_h = 0;
    uint8_t *scales_l = blk + 4;
    for (int b = 0; b < 8; b++) {
        const int l = qf_clamp(qf_rne(id * sc[b]), -32, 31);
        const float dl = d * (float)l; /* the unrounded d */
        k->iq4_pack(x + 32 * b, dl != 0 ? 1.0f / dl : 0.0f, blk + 8 + 16 * b);
        const int c = l + 32;
        if (b % 2 == 0)
            scales_l[b / 2] = (uint8_t)(c & 15);
        else
            scales_l[b / 2] |= (uint8_t)((c & 15) << 4);
        scales_h |= (uint16_t)((c >> 4) << (2 * b));
    }
    qf_store_le16(blk, h2g_f32_to_f16(d));
    qf_store_le16(blk + 2, scales_h);
}

void h2g_qblocks_iq4_xs(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    for (size_t b = 0; b < nblocks; b++) iq4_xs_block(k, x + 256 * b, dst + 136 * b);
}
