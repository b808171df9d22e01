/*
 * numeric/quant_search.c - the sub-block scale searches S1, S2, S3 of
 * quantization-reference.md §3.3 - §3.5.
 *
 * Compiled with -ffp-contract=off (see quant_internal.h): these are long
 * chains of w*l products added into float32 accumulators, written in the
 * reference's exact left-to-right order; every product is rounded before
 * its add, and every sum runs in index order, one element at a time. Do not
 * reorder or split the accumulations (no pairwise or vector reductions).
 */
#include "numeric/quant_search.h"

#include <math.h>

#include "numeric/quant_internal.h"

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_search)

#define MAX_N 32

/* ---------------------------------------------------------------------------
 * S1 (Q2_K, Q4_K, Q5_K)
 * ------------------------------------------------------------------------- */

/* Levels for inverse scale is: clamp(rne(is * (x - lo)), 0, nmax). */
static void s1_levels(int n, const float *x, float lo, float is, int nmax, uint8_t *L) {
    for (int i = 0; i < n; i++) L[i] = (uint8_t)qf_clamp(qf_rne(is * (x[i] - lo)), 0, nmax);
}

/* Weighted error of the fit x ~ s*L + m: sum of w*|e| (mad) or w*e*e. */
static float s1_error(int n, const float *x, const float *w, const uint8_t *L, float s, float m,
                      int mad) {
    float err = 0.0f;
    for (int i = 0; i < n; i++) {
        float e = s * (float)L[i];
        e = e + m;
        e = e - x[i];
        err += w[i] * (mad ? fabsf(e) : e * e);
    }
    return err;
}

static inline float s1_fit(const int n, const float *x, const float *w, const qf_s1_params *p,
                          uint8_t *L, float *negmin) {
    /* step 1: range and the weight sums; the sums start from element 0 */
    float lo = x[0], hi = x[0];
    float sw = w[0], sx = w[0] * x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
        sw += w[i];
        sx += w[i] * x[i];
    }
    if (lo > 0) lo = 0;
    /* step 2: a constant (or all-zero) sub-block */
    if (hi == lo) {
        memset(L, 0, (size_t)n);
        *negmin = -lo;
        return 0.0f;
    }
    /* step 3: the plain fit, the error to beat */
    float is = (float)p->nmax / (hi - lo);
    float scale = 1.0f / is;
    s1_levels(n, x, lo, is, p->nmax, L);
    float best = s1_error(n, x, w, L, scale, lo, p->mad);
    /* step 4: trial inverse scales around nmax/(hi-lo), least squares for
     * scale and min on each trial's levels */
    uint8_t La[MAX_N];
    for (int k = 0; k <= p->nstep; k++) {
        float off = p->rdelta * (float)k;
        off = p->rmin + off;
        is = (off + (float)p->nmax) / (hi - lo);
        s1_levels(n, x, lo, is, p->nmax, La);
        float sl = 0.0f, sl2 = 0.0f, sxl = 0.0f;
        for (int i = 0; i < n; i++) {
            float wl = w[i] * (float)La[i];
            sl += wl;
            sl2 += wl * (float)La[i];
            sxl += wl * x[i];
        }
        float D = sw * sl2;
        D = D - sl * sl;
        if (!(D > 0)) continue;
        float ts = sw * sxl;
        ts = (ts - sx * sl) / D;
        float tm = sl2 * sx;
        tm = (tm - sl * sxl) / D;
        if (tm > 0) {
            tm = 0;
            ts = sxl / sl2;
        }
        float err = s1_error(n, x, w, La, ts, tm, p->mad);
        if (err < best) {
            memcpy(L, La, (size_t)n);
            best = err;
            scale = ts;
            lo = tm;
        }
    }
    *negmin = -lo;
    return scale;
}

/* The sub-block length as a compile-time constant (16 for Q2_K, 32 for
 * Q4_K/Q5_K) lets the compiler unroll and vectorise the level loops; the
 * sums stay one element at a time either way. */
float h2g_search_s1(int n, const float *x, const float *w, const qf_s1_params *p, uint8_t *L,
                    float *negmin) {
    if (n == 16) return s1_fit(16, x, w, p, L, negmin);
    if (n == 32) return s1_fit(32, x, w, p, L, negmin);
    return s1_fit(n, x, w, p, L, negmin);
}

/* ---------------------------------------------------------------------------
 * S2 and S3 (symmetric)
 * ------------------------------------------------------------------------- */

/* The value with the largest |x|, sign kept, first wins (strict >). */
static float s_signed_absmax(int n, const float *x, float *amax_out) {
    float amax = 0.0f, mx = 0.0f;
    for (int i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        if (a > amax) {
            amax = a;
            mx = x[i];
        }
    }
    *amax_out = amax;
    return mx;
}

/* Signed level for inverse scale is, in -nmax..nmax-1. */
static inline int s_level(float is, float x, int nmax) { return qf_clamp(qf_rne(is * x), -nmax, nmax - 1); }

/* The x^2-weighted sums of S2/S3 for inverse scale is:
 * sum_lx += (w*x)*l and sum_l2 += (w*l)*l with w = x*x. */
static void s2_sums(int n, const float *x, float is, int nmax, float *sum_lx, float *sum_l2) {
    float slx = 0.0f, sl2 = 0.0f;
    for (int i = 0; i < n; i++) {
        float l = (float)s_level(is, x[i], nmax);
        float w = x[i] * x[i];
        slx += w * x[i] * l;
        sl2 += w * l * l;
    }
    *sum_lx = slx;
    *sum_l2 = sl2;
}

static void s2_store(int n, const float *x, float is, int nmax, uint8_t *L) {
    for (int i = 0; i < n; i++) L[i] = (uint8_t)(s_level(is, x[i], nmax) + nmax);
}

float h2g_search_s2(int n, int nmax, const float *x, uint8_t *L) {
    float amax;
    const float mx = s_signed_absmax(n, x, &amax);
    if (amax < QF_EPS) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    float is = (float)-nmax / mx;
    float sum_lx, sum_l2;
    s2_store(n, x, is, nmax, L);
    s2_sums(n, x, is, nmax, &sum_lx, &sum_l2);
    float scale = sum_l2 != 0 ? sum_lx / sum_l2 : 0.0f;
    float best = scale * sum_lx;
    for (int k = -9; k <= 9; k++) {
        if (k == 0) continue;
        float t = 0.1f * (float)k;
        t = (float)nmax + t;
        is = -t / mx;
        s2_sums(n, x, is, nmax, &sum_lx, &sum_l2);
        if (sum_l2 > 0 && sum_lx * sum_lx > best * sum_l2) {
            s2_store(n, x, is, nmax, L);
            scale = sum_lx / sum_l2;
            best = scale * sum_lx;
        }
    }
    return scale;
}

float h2g_search_s3(int n, int nmax, const float *x, uint8_t *L) {
    float amax;
    const float mx = s_signed_absmax(n, x, &amax);
    if (amax < QF_EPS) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    const float is = (float)-nmax / mx;
    int l[MAX_N];
    float slx = 0.0f, sl2 = 0.0f;
    for (int i = 0; i < n; i++) {
        l[i] = s_level(is, x[i], nmax);
        float w = x[i] * x[i];
        slx += w * x[i] * (float)l[i];
        sl2 += w * (float)l[i] * (float)l[i];
    }
    /* Coordinate descent: move one level at a time to the value that is
     * best for it with the others fixed, keep the move if the fit's
     * (sum lx)^2 / sum l2 grows. */
    for (int round = 0; round < 5; round++) {
        int changed = 0;
        for (int i = 0; i < n; i++) {
            float w = x[i] * x[i];
            float a = slx - w * x[i] * (float)l[i];
            if (!(a > 0)) continue;
            float b = sl2 - w * (float)l[i] * (float)l[i];
            int nl = qf_clamp(qf_rne(x[i] * b / a), -nmax, nmax - 1);
            if (nl == l[i]) continue;
            float a2 = a + w * x[i] * (float)nl;
            float b2 = b + w * (float)nl * (float)nl;
            if (b2 > 0 && a2 * a2 * sl2 > slx * slx * b2) {
                l[i] = nl;
                slx = a2;
                sl2 = b2;
                changed++;
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; i++) L[i] = (uint8_t)(l[i] + nmax);
    return sl2 > 0 ? slx / sl2 : 0.0f;
}
