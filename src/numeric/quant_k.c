/*
 * numeric/quant_k.c - the K types Q2_K, Q3_K, Q4_K, Q5_K, Q6_K: 256-value
 * super-blocks whose sub-block scales are themselves quantized
 * (quantization-reference.md §3.6 - §3.10). The per-sub-block searches are
 * in quant_search.c.
 *
 * Compiled with -ffp-contract=off (see quant_internal.h): the re-derived
 * levels divide x + h2f(dmin)*m by a decoded scale, and a fused multiply-add
 * there changes the levels of values that sit on a boundary.
 *
 * Common shape: search every sub-block -> quantize the sub-block scales
 * against the largest one -> store d (and dmin) as f16 -> re-derive each
 * level from the *stored* scales, except in sub-blocks whose decoded scale
 * is exactly 0, which keep their search levels -> pack.
 */
#include <math.h>

#include "hf2gguf/numeric.h"
#include "numeric/quant_internal.h"
#include "numeric/quant_search.h"

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_k)

#define QK_K 256

/* 2-bit packing shared by Q2_K and Q3_K: in each half of 128 values,
 * byte l holds values l, l+32, l+64, l+96 at bits 0, 2, 4, 6. */
static void pack_2bit(const uint8_t *L, uint8_t *qs) {
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 32; l++) {
            const uint8_t *v = L + 128 * h + l;
            qs[32 * h + l] = (uint8_t)(v[0] | v[32] << 2 | v[64] << 4 | v[96] << 6);
        }
}

/* Levels of an asymmetric sub-block from its decoded scale and min:
 * clamp(rne((x + m) / d), 0, nmax), a true division. */
static void rederive_asym(int n, const float *x, float d, float m, int nmax, uint8_t *L) {
    for (int i = 0; i < n; i++) {
        float v = x[i] + m;
        L[i] = (uint8_t)qf_clamp(qf_rne(v / d), 0, nmax);
    }
}

/* Levels of a symmetric sub-block: clamp(rne(x / d), -nmax, nmax-1) + nmax. */
static void rederive_sym(int n, const float *x, float d, int nmax, uint8_t *L) {
    for (int i = 0; i < n; i++) L[i] = (uint8_t)(qf_clamp(qf_rne(x[i] / d), -nmax, nmax - 1) + nmax);
}

/* The signed value with the largest magnitude among n scales (strict >,
 * starting from 0): the anchor of Q3_K's and Q6_K's scale codes. */
static float signed_max_scale(int n, const float *sc) {
    float amax = 0.0f, mx = 0.0f;
    for (int j = 0; j < n; j++)
        if (fabsf(sc[j]) > amax) {
            amax = fabsf(sc[j]);
            mx = sc[j];
        }
    return mx;
}

/* ---------------------------------------------------------------------------
 * Q2_K
 *
 *   0            16                    80     82     84
 *   | scales[16] | qs[64] (2-bit)      | d    | dmin |
 *     byte j: low nibble = scale code of sub-block j, high = min code
 *   x = d*sc_j*q - dmin*m_j, 16 sub-blocks of 16 values
 * ------------------------------------------------------------------------- */

static const qf_s1_params Q2K_S1 = {3, -0.5f, 0.1f, 15, 1};

void h2g_q2k_search_scalar(const float *x, const qf_s1_params *p, float *sc, float *mn, uint8_t *L) {
    float w[16];
    for (int j = 0; j < 16; j++) {
        for (int i = 0; i < 16; i++) w[i] = fabsf(x[16 * j + i]);
        sc[j] = h2g_search_s1(16, x + 16 * j, w, p, L + 16 * j, &mn[j]);
    }
}

static void q2_k_block(const qf_kernels *k, const float *x, uint8_t *blk) {
    uint8_t L[QK_K], *scales = blk;
    float sc[16], mn[16], maxsc = 0.0f, maxmn = 0.0f;
    k->q2k_search(x, &Q2K_S1, sc, mn, L);
    for (int j = 0; j < 16; j++) {
        if (sc[j] > maxsc) maxsc = sc[j];
        if (mn[j] > maxmn) maxmn = mn[j];
    }
    memset(scales, 0, 16);
    uint16_t d = h2g_f32_to_f16(0.0f), dmin = d;
    if (maxsc > 0) {
        const float is = 15.0f / maxsc;
        for (int j = 0; j < 16; j++) scales[j] = (uint8_t)qf_rne(is * sc[j]);
        d = h2g_f32_to_f16(maxsc / 15.0f);
    }
    if (maxmn > 0) {
        const float is = 15.0f / maxmn;
        for (int j = 0; j < 16; j++) scales[j] |= (uint8_t)((unsigned)qf_rne(is * mn[j]) << 4);
        dmin = h2g_f32_to_f16(maxmn / 15.0f);
    }
    const float dd = h2g_f16_to_f32(d), dm = h2g_f16_to_f32(dmin);
    for (int j = 0; j < 16; j++) {
        const float dj = dd * (float)(scales[j] & 15);
        if (dj == 0) continue;
        const float mj = dm * (float)(scales[j] >> 4);
        rederive_asym(16, x + 16 * j, dj, mj, 3, L + 16 * j);
    }
    pack_2bit(L, blk + 16);
    qf_store_le16(blk + 80, d);
    qf_store_le16(blk + 82, dmin);
}

/* ---------------------------------------------------------------------------
 * Q3_K
 *
 *   0            32                96           108   110
 *   | hmask[32]  | qs[64] (2-bit)  | scales[12] | d   |
 *   hmask[k%32] bit k/32 = bit 2 of level k; 16 six-bit scale codes c_j
 *   (s_j = c_j - 32):
 *     scales[0..7]  low nibble = c_j & 15 (j < 8), high = c_{j+8} & 15
 *     scales[8..11] bits 2*(j/4).. = c_j >> 4 for j % 4 == byte - 8
 *   x = d*s_j*(q - 4), 16 sub-blocks of 16 values
 * ------------------------------------------------------------------------- */

static void q3_k_put_code(uint8_t *scales, int j, int c) {
    if (j < 8)
        scales[j] = (uint8_t)(c & 15);
    else
        scales[j - 8] |= (uint8_t)((c & 15) << 4);
    scales[8 + j % 4] |= (uint8_t)((c >> 4) << (2 * (j / 4)));
}

static int q3_k_get_code(const uint8_t *scales, int j) {
    int lo = j < 8 ? scales[j] & 15 : scales[j - 8] >> 4;
    return lo | ((scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4;
}

static void q3_k_block(const qf_kernels *k, const float *x, uint8_t *blk) {
    (void)k; /* S3's descent is cheap next to the others; scalar on every path */
    uint8_t L[QK_K], *hmask = blk, *scales = blk + 96;
    float sc[16];
    for (int j = 0; j < 16; j++) sc[j] = h2g_search_s3(16, 4, x + 16 * j, L + 16 * j);
    const float maxs = signed_max_scale(16, sc);
    memset(scales, 0, 12);
    uint16_t d = h2g_f32_to_f16(0.0f);
    if (maxs != 0) {
        const float is = -32.0f / maxs;
        for (int j = 0; j < 16; j++)
            q3_k_put_code(scales, j, qf_clamp(qf_wrap_i8(qf_rne(is * sc[j])), -32, 31) + 32);
        d = h2g_f32_to_f16(1.0f / is);
    }
    const float dd = h2g_f16_to_f32(d);
    for (int j = 0; j < 16; j++) {
        const float dj = dd * (float)(q3_k_get_code(scales, j) - 32);
        if (dj == 0) continue;
        rederive_sym(16, x + 16 * j, dj, 4, L + 16 * j);
    }
    memset(hmask, 0, 32);
    for (int i = 0; i < QK_K; i++)
        if (L[i] > 3) {
            hmask[i % 32] |= (uint8_t)(1u << (i / 32));
            L[i] -= 4;
        }
    pack_2bit(L, blk + 32);
    qf_store_le16(blk + 108, d);
}

/* ---------------------------------------------------------------------------
 * Q4_K and Q5_K: 8 sub-blocks of 32, 6-bit scale and min codes
 *
 *   Q4_K  0      2      4            16                   144
 *         | d    | dmin | scales[12] | qs[128] (4-bit)    |
 *   Q5_K  0      2      4            16         48                  176
 *         | d    | dmin | scales[12] | qh[32]   | qs[128] (low 4b)  |
 *
 *   scales[12] for scale codes ls[0..7] and min codes lm[0..7]:
 *     byte j   (j<4): ls[j]   | (ls[j+4] >> 4) << 6
 *     byte j+4 (j<4): lm[j]   | (lm[j+4] >> 4) << 6
 *     byte j+8 (j<4): (ls[j+4] & 15) | (lm[j+4] & 15) << 4
 *   qs: chunk c (64 values), byte 32c+l = L[64c+l] | L[64c+32+l] << 4
 *   Q5_K qh[l]: bit 2c = bit 4 of L[64c+l], bit 2c+1 = bit 4 of L[64c+32+l]
 *   x = d*ls_j*q - dmin*lm_j
 * ------------------------------------------------------------------------- */

static void k4_put_codes(uint8_t *scales, const uint8_t *ls, const uint8_t *lm) {
    for (int j = 0; j < 4; j++) {
        scales[j] = (uint8_t)(ls[j] | (ls[j + 4] >> 4) << 6);
        scales[j + 4] = (uint8_t)(lm[j] | (lm[j + 4] >> 4) << 6);
        scales[j + 8] = (uint8_t)((ls[j + 4] & 15) | (lm[j + 4] & 15) << 4);
    }
}

static void k4_get_codes(const uint8_t *scales, int j, int *s, int *m) {
    if (j < 4) {
        *s = scales[j] & 63;
        *m = scales[j + 4] & 63;
    } else {
        *s = (scales[j + 4] & 15) | (scales[j - 4] >> 6) << 4;
        *m = (scales[j + 4] >> 4) | (scales[j] >> 6) << 4;
    }
}

/* Code of a scale or min: (u8) rne(i*v), modulo 256 before the min. */
static uint8_t k4_code(float i, float v) {
    uint8_t c = (uint8_t)qf_rne(i * v);
    return c < 63 ? c : 63;
}

/* Search, scale codes, d/dmin and the re-derived levels L of one Q4_K or
 * Q5_K super-block (they differ only in the S1 parameters and nmax). */
void h2g_k45_search_scalar(const float *x, const qf_s1_params *p, float *sc, float *mn, uint8_t *L) {
    float w[32];
    for (int j = 0; j < 8; j++) {
        const float *xb = x + 32 * j;
        float sum_x2 = 0.0f;
        for (int i = 0; i < 32; i++) sum_x2 += xb[i] * xb[i];
        const float av = sqrtf(sum_x2 / 32.0f);
        for (int i = 0; i < 32; i++) w[i] = av + fabsf(xb[i]);
        sc[j] = h2g_search_s1(32, xb, w, p, L + 32 * j, &mn[j]);
    }
}

static void k45_levels(const qf_kernels *k, const float *x, const qf_s1_params *p, uint8_t *blk,
                       uint8_t *L) {
    float sc[8], mn[8], maxsc = 0.0f, maxmn = 0.0f;
    k->k45_search(x, p, sc, mn, L);
    for (int j = 0; j < 8; j++) {
        if (sc[j] > maxsc) maxsc = sc[j];
        if (mn[j] > maxmn) maxmn = mn[j];
    }
    const float isc = maxsc > 0 ? 63.0f / maxsc : 0.0f;
    const float imn = maxmn > 0 ? 63.0f / maxmn : 0.0f;
    uint8_t ls[8], lm[8];
    for (int j = 0; j < 8; j++) {
        ls[j] = k4_code(isc, sc[j]);
        lm[j] = k4_code(imn, mn[j]);
    }
    k4_put_codes(blk + 4, ls, lm);
    const uint16_t d = h2g_f32_to_f16(maxsc / 63.0f), dmin = h2g_f32_to_f16(maxmn / 63.0f);
    qf_store_le16(blk, d);
    qf_store_le16(blk + 2, dmin);
    const float dd = h2g_f16_to_f32(d), dm = h2g_f16_to_f32(dmin);
    for (int j = 0; j < 8; j++) {
        int s, m;
        k4_get_codes(blk + 4, j, &s, &m);
        const float dj = dd * (float)s;
        if (dj == 0) continue;
        rederive_asym(32, x + 32 * j, dj, dm * (float)m, p->nmax, L + 32 * j);
    }
}

static const qf_s1_params Q4K_S1 = {15, -1.0f, 0.1f, 20, 0};
static const qf_s1_params Q5K_S1 = {31, -0.5f, 0.1f, 15, 0};

static void q4_k_block(const qf_kernels *k, const float *x, uint8_t *blk) {
    uint8_t L[QK_K], *qs = blk + 16;
    k45_levels(k, x, &Q4K_S1, blk, L);
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++) qs[32 * c + l] = (uint8_t)(L[64 * c + l] | L[64 * c + 32 + l] << 4);
}

static void q5_k_block(const qf_kernels *k, const float *x, uint8_t *blk) {
    uint8_t L[QK_K], *qh = blk + 16, *qs = blk + 48;
    k45_levels(k, x, &Q5K_S1, blk, L);
    memset(qh, 0, 32);
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++) {
            int a = L[64 * c + l], b = L[64 * c + 32 + l];
            if (a > 15) {
                a -= 16;
                qh[l] |= (uint8_t)(1u << (2 * c));
            }
            if (b > 15) {
                b -= 16;
                qh[l] |= (uint8_t)(1u << (2 * c + 1));
            }
            qs[32 * c + l] = (uint8_t)(a | b << 4);
        }
}

/* ---------------------------------------------------------------------------
 * Q6_K
 *
 *   0                128          192                208   210
 *   | ql[128] (low4) | qh[64] (2b)| scales int8[16]  | d   |
 *   per half h (values 128h..128h+127 = L'), l = 0..31:
 *     ql[64h+l]    = L'[l] & 15    | (L'[l+64] & 15) << 4
 *     ql[64h+32+l] = L'[l+32] & 15 | (L'[l+96] & 15) << 4
 *     qh[32h+l]    = L'[l]>>4 | L'[l+32]>>4 << 2 | L'[l+64]>>4 << 4 | L'[l+96]>>4 << 6
 *   x = d*scale_b*(q - 32), 16 sub-blocks of 16 values
 * ------------------------------------------------------------------------- */

static void q6_k_pack(const uint8_t *L, uint8_t *blk) {
    for (int h = 0; h < 2; h++) {
        const uint8_t *v = L + 128 * h;
        uint8_t *ql = blk + 64 * h, *qh = blk + 128 + 32 * h;
        for (int l = 0; l < 32; l++) {
            ql[l] = (uint8_t)((v[l] & 15) | (v[l + 64] & 15) << 4);
            ql[l + 32] = (uint8_t)((v[l + 32] & 15) | (v[l + 96] & 15) << 4);
            qh[l] = (uint8_t)(v[l] >> 4 | (v[l + 32] >> 4) << 2 | (v[l + 64] >> 4) << 4 |
                              (v[l + 96] >> 4) << 6);
        }
    }
}

void h2g_q6k_search_scalar(const float *x, float *sc, uint8_t *L) {
    for (int b = 0; b < 16; b++) sc[b] = h2g_search_s2(16, 32, x + 16 * b, L + 16 * b);
}

static void q6_k_block(const qf_kernels *k, const float *x, uint8_t *blk) {
    uint8_t L[QK_K];
    float sc[16];
    k->q6k_search(x, sc, L);
    const float maxs = signed_max_scale(16, sc);
    if (fabsf(maxs) < QF_EPS) {
        memset(blk, 0, 210);
        return;
    }
    const float is = -128.0f / maxs;
    const uint16_t d = h2g_f32_to_f16(1.0f / is);
    int8_t *scales = (int8_t *)(blk + 192);
    for (int b = 0; b < 16; b++) {
        int c = qf_rne(is * sc[b]);
        scales[b] = (int8_t)qf_wrap_i8(c < 127 ? c : 127);
    }
    const float dd = h2g_f16_to_f32(d);
    for (int b = 0; b < 16; b++) {
        const float db = dd * (float)scales[b];
        if (db == 0) continue;
        rederive_sym(16, x + 16 * b, db, 32, L + 16 * b);
    }
    q6_k_pack(L, blk);
    qf_store_le16(blk + 208, d);
}

/* ---------------------------------------------------------------------------
 * Row entry points
 * ------------------------------------------------------------------------- */

void h2g_qblocks_q2_k(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    for (size_t b = 0; b < nblocks; b++) q2_k_block(k, x + b * QK_K, dst + b * 84);
}

void h2g_qblocks_q3_k(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    for (size_t b = 0; b < nblocks; b++) q3_k_block(k, x + b * QK_K, dst + b * 110);
}

void h2g_qblocks_q4_k(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    for (size_t b = 0; b < nblocks; b++) q4_k_block(k, x + b * QK_K, dst + b * 144);
}

void h2g_qblocks_q5_k(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    for (size_t b = 0; b < nblocks; b++) q5_k_block(k, x + b * QK_K, dst + b * 176);
}

void h2g_qblocks_q6_k(const qf_kernels *k, const float *x, uint8_t *dst, size_t nblocks) {
    for (size_t b = 0; b < nblocks; b++) q6_k_block(k, x + b * QK_K, dst + b * 210);
}
