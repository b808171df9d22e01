/*
 * numeric/quant_lanes.h - the lane-parallel inner kernels of the block
 * quantizers, written once with the GCC/clang vector extensions and
 * compiled twice: quant_vec_sse2.c (QV_N = 4 lanes, the x86-64 baseline)
 * and quant_vec_avx2.c (QV_N = 8, -mavx2 without -mfma). Included only by
 * those two files, which define QV_N and QV_KERNELS (the qf_kernels table
 * to define) first.
 *
 * Why the bits cannot change: a lane is one block or sub-block, and it runs
 * exactly the scalar code's float32 operations for that block, in the same
 * order (quant_iq4.c, quant_search.c, quant_k.c, quant_mxfp4.c): the
 * sequential sums stay sequential inside the lane, only the blocks side by
 * side are new. The scalar code's branches become lane masks that pick what
 * the branch would have kept: "skip" and "early return" lanes compute
 * garbage that a mask then discards, a strict-> update stays strict, so
 * first-wins ties are kept. Where the work is per element and nothing is
 * summed (the packing lookups, MXFP4's table search) the lanes are
 * consecutive elements of one block instead. Products and sums are plain
 * vector * and +: with -ffp-contract=off (checked by the probe below) and
 * no FMA in the target they round exactly as the scalar ones. Division and
 * square root are the IEEE instructions, never the approximate ones.
 */
#ifndef QV_N
#error "quant_lanes.h is included by quant_vec_sse2.c / quant_vec_avx2.c only"
#endif

#include <immintrin.h>
#include <math.h>

#include "numeric/quant_internal.h"
#include "numeric/quant_search.h"

typedef float vf __attribute__((vector_size(4 * QV_N)));
typedef int32_t vi __attribute__((vector_size(4 * QV_N)));

/* ---------------------------------------------------------------------------
 * Lane helpers
 * ------------------------------------------------------------------------- */

/* An initializer with a in every lane (a loop filling the lanes is not
 * always turned into one broadcast). */
#if QV_N == 4
#define QV_ALL(a) {a, a, a, a}
#elif QV_N == 8
#define QV_ALL(a) {a, a, a, a, a, a, a, a}
#endif

static inline vf vsplat(float s) { return (vf)QV_ALL(s); }
static inline vi visplat(int32_t s) { return (vi)QV_ALL(s); }

/* m ? a : b per lane, m a comparison result (all ones or all zeros). */
static inline vf vsel(vi m, vf a, vf b) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }
static inline vi visel(vi m, vi a, vi b) { return (a & m) | (b & ~m); }

static inline vf vabs(vf a) { return (vf)((vi)a & visplat(0x7FFFFFFF)); }

/* Exact int -> float of small levels. */
static inline vf vfloat(vi v) { return __builtin_convertvector(v, vf); }

/* qf_rne per lane: the same bit trick, so out-of-range products give the
 * same integers as the scalar code. */
static inline vi vrne(vf v) {
    vf t = v + vsplat(12582912.0f);
    return ((vi)t & visplat(0x7FFFFF)) - visplat(0x400000);
}

static inline vi viclamp(vi v, int lo, int hi) {
    v = visel(v < visplat(lo), visplat(lo), v);
    return visel(v > visplat(hi), visplat(hi), v);
}

/* xt[j], lane l = x[l * stride + j] for j < n and l < count; lanes at and
 * beyond count are 0 (a zero block: cheap, harmless, discarded). */
static inline void lanes_load(const float *x, size_t stride, size_t count, int n, vf *xt) {
    for (int j = 0; j < n; j++) {
        vf v = {0};
        for (size_t l = 0; l < count; l++) v[l] = x[l * stride + (size_t)j];
        xt[j] = v;
    }
}

/* The value with the largest |x| per lane, sign kept, strict > from 0 (the
 * first wins); amax gets the magnitude. */
static inline vf lanes_signed_absmax(int n, const vf *xt, vf *amax_out) {
    vf amax = {0}, mx = {0};
    for (int j = 0; j < n; j++) {
        vf a = vabs(xt[j]);
        vi m = a > amax;
        amax = vsel(m, a, amax);
        mx = vsel(m, xt[j], mx);
    }
    *amax_out = amax;
    return mx;
}

/* ---------------------------------------------------------------------------
 * IQ4_NL / IQ4_XS (quant_iq4.c): one lane per 32-value block
 * ------------------------------------------------------------------------- */

/* The midpoints between neighbouring grid values and the steps between
 * them: GRID = -127 + the steps of the midpoints at or below v. Counting
 * !(v < mid) equals §3.11's search (and h2g_iq4_grid_index) on every
 * float: checked on all 2^32 patterns, and swept by test_quantize. The
 * search's own subtractions v - GRID[lo] and GRID[hi] - v are exact near
 * every midpoint, which is why the plain comparison agrees; NaN is above
 * every midpoint, giving 15 like the search. */
static const vf IQ4_MID[15] = {
    QV_ALL(-115.5f), QV_ALL(-93.5f), QV_ALL(-74.0f), QV_ALL(-57.0f), QV_ALL(-42.0f),
    QV_ALL(-28.5f),  QV_ALL(-16.0f), QV_ALL(-4.5f),  QV_ALL(7.0f),   QV_ALL(19.0f),
    QV_ALL(31.5f),   QV_ALL(45.5f),  QV_ALL(61.0f),  QV_ALL(79.0f),  QV_ALL(101.0f)};
static const vf IQ4_STEP[15] = {
    QV_ALL(23.0f), QV_ALL(21.0f), QV_ALL(18.0f), QV_ALL(16.0f), QV_ALL(14.0f),
    QV_ALL(13.0f), QV_ALL(12.0f), QV_ALL(11.0f), QV_ALL(12.0f), QV_ALL(12.0f),
    QV_ALL(13.0f), QV_ALL(15.0f), QV_ALL(16.0f), QV_ALL(20.0f), QV_ALL(24.0f)};

#if QV_N == 8
/* AVX2: the count of midpoints at or below v found in 4 steps (8, 4, 2, 1)
 * with the next midpoint looked up by vpermps, then GRID by two more. The
 * count is the same as the linear one below because !(v < mid) can only
 * go from true to false as mid grows (for NaN it is always true). */
static const vf IQ4_T2 = {-57.0f, 0, 0, 0, 45.5f, 0, 0, 0};          /* mid 3, 11 at (i>>1) */
static const vf IQ4_T3 = {-93.5f, 0, -28.5f, 0, 19.0f, 0, 79.0f, 0}; /* mid 1, 5, 9, 13 */
static const vf IQ4_T4 = {-115.5f, -74.0f, -42.0f, -16.0f, 7.0f, 31.5f, 61.0f, 101.0f}; /* even */
static const vf IQ4_GLO = {-127.0f, -104.0f, -83.0f, -65.0f, -49.0f, -35.0f, -22.0f, -10.0f};
static const vf IQ4_GHI = {1.0f, 13.0f, 25.0f, 38.0f, 53.0f, 69.0f, 89.0f, 113.0f};

/* bit if !(v < t), else 0 */
static inline __m256i iq4_step(__m256 v, __m256 t, int bit) {
    return _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(v, t, _CMP_NLT_UQ)),
                            _mm256_set1_epi32(bit));
}

static inline vi iq4_grid_index(vf vv) {
    const __m256 v = (__m256)vv;
    __m256i i = iq4_step(v, _mm256_set1_ps(-4.5f), 8);
    i = _mm256_or_si256(i, iq4_step(v, _mm256_permutevar8x32_ps((__m256)IQ4_T2, _mm256_srli_epi32(i, 1)), 4));
    i = _mm256_or_si256(i, iq4_step(v, _mm256_permutevar8x32_ps((__m256)IQ4_T3, _mm256_srli_epi32(i, 1)), 2));
    i = _mm256_or_si256(i, iq4_step(v, _mm256_permutevar8x32_ps((__m256)IQ4_T4, _mm256_srli_epi32(i, 1)), 1));
    return (vi)i;
}

static inline vf iq4_grid_value(vf v) {
    const __m256i i = (__m256i)iq4_grid_index(v);
    const __m256 lo = _mm256_permutevar8x32_ps((__m256)IQ4_GLO, i);
    const __m256 hi = _mm256_permutevar8x32_ps((__m256)IQ4_GHI, i);
    return (vf)_mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_slli_epi32(i, 28)));
}
#else
/* GRID[nearest(v)] as a float: -127 plus the steps of the midpoints at or
 * below v, summed as a tree (small integers: exact in any order). */
static inline vf iq4_step(vf v, int i) { return (vf)(~(v < IQ4_MID[i]) & (vi)IQ4_STEP[i]); }

static inline vf iq4_grid_value(vf v) {
    const vf a = (iq4_step(v, 0) + iq4_step(v, 1)) + (iq4_step(v, 2) + iq4_step(v, 3));
    const vf b = (iq4_step(v, 4) + iq4_step(v, 5)) + (iq4_step(v, 6) + iq4_step(v, 7));
    const vf c = (iq4_step(v, 8) + iq4_step(v, 9)) + (iq4_step(v, 10) + iq4_step(v, 11));
    const vf d = (iq4_step(v, 12) + iq4_step(v, 13)) + (iq4_step(v, 14) + vsplat(-127.0f));
    return (a + b) + (c + d);
}

/* nearest(v), the index (comparisons are -1 when true). */
static inline vi iq4_grid_index(vf v) {
    vi c = {0};
    for (int i = 0; i < 15; i++) c -= ~(v < IQ4_MID[i]);
    return c;
}
#endif

/* grid_sums of quant_iq4.c per lane: sqx += (w*q)*x, sq2 += (w*q)*q. */
static inline void iq4_sums(const vf *xt, const vf *wt, vf id, vf *sqx, vf *sq2) {
    vf a = {0}, b = {0};
    for (int j = 0; j < 32; j++) {
        vf q = iq4_grid_value(id * xt[j]);
        vf wq = wt[j] * q;
        a = a + wq * xt[j];
        b = b + wq * q;
    }
    *sqx = a;
    *sq2 = b;
}

/* iq4_block_scale of quant_iq4.c for up to QV_N blocks at once. */
static void iq4_scales_group(const float *x, size_t count, float *sc) {
    vf xt[32], wt[32], amax, sqx, sq2;
    lanes_load(x, 32, count, 32, xt);
    for (int j = 0; j < 32; j++) wt[j] = xt[j] * xt[j];
    const vf mx = lanes_signed_absmax(32, xt, &amax);
    const vi live = ~(amax < vsplat(QF_EPS));
    vf d = -mx / vsplat(-127.0f);
    iq4_sums(xt, wt, vsplat(1.0f) / d, &sqx, &sq2);
    d = vsel(sq2 > vsplat(0.0f), sqx / sq2, vsplat(0.0f));
    vf best = d * sqx;
    for (int t = -7; t <= 7; t++) {
        iq4_sums(xt, wt, vsplat((float)(t - 127)) / mx, &sqx, &sq2);
        const vi better = (sq2 > vsplat(0.0f)) & (sqx * sqx > best * sq2);
        const vf dn = sqx / sq2;
        d = vsel(better, dn, d);
        best = vsel(better, dn * sqx, best);
    }
    d = vsel(live, d, vsplat(0.0f));
    for (size_t l = 0; l < count; l++) sc[l] = d[l];
}

static void iq4_scales(const float *x, size_t count, float *sc) {
    for (size_t i = 0; i < count; i += QV_N)
        iq4_scales_group(x + 32 * i, count - i < QV_N ? count - i : QV_N, sc + i);
}

/* Lanes are consecutive elements here: each index is id*x[j] looked up. */
static void iq4_pack(const float *x, float id, uint8_t *qs) {
    int32_t idx[32];
    const vf vid = vsplat(id);
    for (int j = 0; j < 32; j += QV_N) {
        vf v;
        memcpy(&v, x + j, sizeof v);
        const vi c = iq4_grid_index(vid * v);
        memcpy(idx + j, &c, sizeof c);
    }
    for (int j = 0; j < 16; j++) qs[j] = (uint8_t)(idx[j] | idx[j + 16] << 4);
}

static void iq4_grid(const float *v, size_t n, int32_t *idx, float *val) {
    for (size_t j = 0; j < n; j += QV_N) {
        vf x;
        memcpy(&x, v + j, sizeof x);
        const vi c = iq4_grid_index(x);
        const vf q = iq4_grid_value(x);
        memcpy(idx + j, &c, sizeof c);
        memcpy(val + j, &q, sizeof q);
    }
}

/* ---------------------------------------------------------------------------
 * S1 (quant_search.c) for Q2_K, Q4_K, Q5_K: one lane per sub-block
 * ------------------------------------------------------------------------- */

/* s1_levels per lane: clamp(rne(is * (x - lo)), 0, nmax). */
static inline vi s1_level(vf x, vf lo, vf is, int nmax) { return viclamp(vrne(is * (x - lo)), 0, nmax); }

/* s1_error per lane: sum of w*|e| (mad) or w*e*e, e = (s*L + m) - x. */
static inline vf s1_error(const int n, const vf *x, const vf *w, const vi *L, vf s, vf m,
                          const int mad) {
    vf err = {0};
    for (int i = 0; i < n; i++) {
        vf e = s * vfloat(L[i]);
        e = e + m;
        e = e - x[i];
        err = err + w[i] * (mad ? vabs(e) : e * e);
    }
    return err;
}

/* s1_fit per lane. The scalar early return for a constant sub-block
 * (hi == lo) and the skipped trials (D not > 0) are masks here. */
static inline void s1_lanes(const int n, const vf *x, const vf *w, const qf_s1_params *p,
                            const int mad, vi *L, vf *scale_out, vf *negmin_out) {
    vf lo = x[0], hi = x[0], sw = w[0], sx = w[0] * x[0];
    for (int i = 1; i < n; i++) {
        lo = vsel(x[i] < lo, x[i], lo);
        hi = vsel(x[i] > hi, x[i], hi);
        sw = sw + w[i];
        sx = sx + w[i] * x[i];
    }
    lo = vsel(lo > vsplat(0.0f), vsplat(0.0f), lo);
    const vi flat = hi == lo;
    const vf flat_lo = lo;
    vf is = vsplat((float)p->nmax) / (hi - lo);
    vf scale = vsplat(1.0f) / is;
    for (int i = 0; i < n; i++) L[i] = s1_level(x[i], lo, is, p->nmax);
    vf best = s1_error(n, x, w, L, scale, lo, mad);
    vi La[32];
    for (int k = 0; k <= p->nstep; k++) {
        float off = p->rdelta * (float)k;
        off = p->rmin + off;
        /* lo is the last accepted trial's min, as in the scalar code */
        is = vsplat(off + (float)p->nmax) / (hi - lo);
        vf sl = {0}, sl2 = {0}, sxl = {0};
        for (int i = 0; i < n; i++) {
            La[i] = s1_level(x[i], lo, is, p->nmax);
            const vf l = vfloat(La[i]);
            const vf wl = w[i] * l;
            sl = sl + wl;
            sl2 = sl2 + wl * l;
            sxl = sxl + wl * x[i];
        }
        vf D = sw * sl2;
        D = D - sl * sl;
        const vi fits = D > vsplat(0.0f);
        vf ts = sw * sxl;
        ts = (ts - sx * sl) / D;
        vf tm = sl2 * sx;
        tm = (tm - sl * sxl) / D;
        const vi positive = tm > vsplat(0.0f);
        tm = vsel(positive, vsplat(0.0f), tm);
        ts = vsel(positive, sxl / sl2, ts);
        const vf err = s1_error(n, x, w, La, ts, tm, mad);
        const vi better = fits & (err < best);
        for (int i = 0; i < n; i++) L[i] = visel(better, La[i], L[i]);
        best = vsel(better, err, best);
        scale = vsel(better, ts, scale);
        lo = vsel(better, tm, lo);
    }
    for (int i = 0; i < n; i++) L[i] = visel(flat, visplat(0), L[i]);
    *scale_out = vsel(flat, vsplat(0.0f), scale);
    *negmin_out = -vsel(flat, flat_lo, lo);
}

/* Lane l's results back to sub-block g + l. */
static inline void s1_store(const int n, int g, const vi *L, vf scale, vf negmin, float *sc,
                            float *mn, uint8_t *Lout) {
    for (int l = 0; l < QV_N; l++) {
        sc[g + l] = scale[l];
        mn[g + l] = negmin[l];
        for (int i = 0; i < n; i++) Lout[n * (g + l) + i] = (uint8_t)L[i][l];
    }
}

/* h2g_k45_search_scalar: 8 sub-blocks of 32, weights av + |x| with
 * av = sqrtf(sum x*x / 32) (sqrtf is correctly rounded, as sqrtps is). */
static void k45_search(const float *x, const qf_s1_params *p, float *sc, float *mn, uint8_t *L) {
    for (int g = 0; g < 8; g += QV_N) {
        vf xt[32], wt[32], sum = {0}, scale, negmin;
        vi Lt[32];
        lanes_load(x + 32 * g, 32, QV_N, 32, xt);
        for (int i = 0; i < 32; i++) sum = sum + xt[i] * xt[i];
        sum = sum / vsplat(32.0f);
        vf av = {0};
        for (int l = 0; l < QV_N; l++) av[l] = sqrtf(sum[l]);
        for (int i = 0; i < 32; i++) wt[i] = av + vabs(xt[i]);
        if (p->mad)
            s1_lanes(32, xt, wt, p, 1, Lt, &scale, &negmin);
        else
            s1_lanes(32, xt, wt, p, 0, Lt, &scale, &negmin);
        s1_store(32, g, Lt, scale, negmin, sc, mn, L);
    }
}

/* h2g_q2k_search_scalar: 16 sub-blocks of 16, weights |x|. */
static void q2k_search(const float *x, const qf_s1_params *p, float *sc, float *mn, uint8_t *L) {
    for (int g = 0; g < 16; g += QV_N) {
        vf xt[16], wt[16], scale, negmin;
        vi Lt[16];
        lanes_load(x + 16 * g, 16, QV_N, 16, xt);
        for (int i = 0; i < 16; i++) wt[i] = vabs(xt[i]);
        if (p->mad)
            s1_lanes(16, xt, wt, p, 1, Lt, &scale, &negmin);
        else
            s1_lanes(16, xt, wt, p, 0, Lt, &scale, &negmin);
        s1_store(16, g, Lt, scale, negmin, sc, mn, L);
    }
}

/* ---------------------------------------------------------------------------
 * S2 (quant_search.c) for Q6_K: one lane per sub-block of 16, nmax 32
 * ------------------------------------------------------------------------- */

/* s_level per lane: clamp(rne(is * x), -nmax, nmax - 1). */
static inline vi s2_level(vf is, vf x, int nmax) { return viclamp(vrne(is * x), -nmax, nmax - 1); }

/* s2_sums per lane, keeping the levels: slx += (w*x)*l, sl2 += (w*l)*l. */
static inline void s2_sums(const vf *x, vf is, int nmax, vi *L, vf *slx_out, vf *sl2_out) {
    vf slx = {0}, sl2 = {0};
    for (int i = 0; i < 16; i++) {
        L[i] = s2_level(is, x[i], nmax);
        const vf l = vfloat(L[i]);
        const vf w = x[i] * x[i];
        slx = slx + w * x[i] * l;
        sl2 = sl2 + w * l * l;
    }
    *slx_out = slx;
    *sl2_out = sl2;
}

static void q6k_search(const float *x, float *sc, uint8_t *L) {
    const int nmax = 32;
    for (int g = 0; g < 16; g += QV_N) {
        vf xt[16], amax, slx, sl2;
        vi Lt[16], La[16];
        lanes_load(x + 16 * g, 16, QV_N, 16, xt);
        const vf mx = lanes_signed_absmax(16, xt, &amax);
        const vi small = amax < vsplat(QF_EPS);
        s2_sums(xt, vsplat((float)-nmax) / mx, nmax, Lt, &slx, &sl2);
        vf scale = vsel(sl2 != vsplat(0.0f), slx / sl2, vsplat(0.0f));
        vf best = scale * slx;
        for (int k = -9; k <= 9; k++) {
            if (k == 0) continue;
            float t = 0.1f * (float)k;
            t = (float)nmax + t;
            s2_sums(xt, vsplat(-t) / mx, nmax, La, &slx, &sl2);
            const vi better = (sl2 > vsplat(0.0f)) & (slx * slx > best * sl2);
            const vf s_new = slx / sl2;
            for (int i = 0; i < 16; i++) Lt[i] = visel(better, La[i], Lt[i]);
            scale = vsel(better, s_new, scale);
            best = vsel(better, s_new * slx, best);
        }
        scale = vsel(small, vsplat(0.0f), scale);
        for (int i = 0; i < 16; i++) Lt[i] = visel(small, visplat(0), Lt[i] + visplat(nmax));
        for (int l = 0; l < QV_N; l++) {
            sc[g + l] = scale[l];
            for (int i = 0; i < 16; i++) L[16 * (g + l) + i] = (uint8_t)Lt[i][l];
        }
    }
}

/* ---------------------------------------------------------------------------
 * MXFP4 (quant_mxfp4.c): lanes are consecutive values of one block
 * ------------------------------------------------------------------------- */

static const float MXFP4_TABLE[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

/* mxfp4_index per lane: the first i with the least |TABLE[i]*s - x|. */
static void mxfp4_pack(const float *x, float s, uint8_t *qs) {
    int32_t idx[32];
    const vf vs = vsplat(s);
    for (int j = 0; j < 32; j += QV_N) {
        vf v;
        memcpy(&v, x + j, sizeof v);
        vf best_err = vabs(vsplat(MXFP4_TABLE[0]) * vs - v);
        vi best = {0};
        for (int i = 1; i < 16; i++) {
            const vf err = vabs(vsplat(MXFP4_TABLE[i]) * vs - v);
            const vi better = err < best_err;
            best = visel(better, visplat(i), best);
            best_err = vsel(better, err, best_err);
        }
        memcpy(idx + j, &best, sizeof best);
    }
    for (int j = 0; j < 16; j++) qs[j] = (uint8_t)(idx[j] | idx[j + 16] << 4);
}

/* ---------------------------------------------------------------------------
 * Kernel table
 * ------------------------------------------------------------------------- */

const qf_kernels QV_KERNELS = {QV_NAME,
                               iq4_scales,
                               iq4_pack,
                               k45_search,
                               q2k_search,
                               q6k_search,
                               mxfp4_pack,
                               iq4_grid};
