/* numeric.c - float conversions and Q8_0, bit-exact with the reference
 * (see include/hf2gguf/numeric.h).
 *
 * Bit layouts, most significant bit first:
 *
 *   f32   s eeeeeeee mmmmmmmmmmmmmmmmmmmmmmm   bias 127
 *   f16   s eeeee mmmmmmmmmm                   bias 15, subnormals below 2^-14
 *   bf16  s eeeeeeee mmmmmmm                   the top half of an f32
 *   e4m3  s eeee mmm                           bias 7, no inf, 0x7f/0xff NaN
 *   e5m2  s eeeee mm                           bias 15, IEEE-like inf/NaN
 *
 * Everything is integer bit manipulation, so the results do not depend on the
 * compiler's floating-point mode. The one float computation (Q8_0) follows
 * ggml's reference code operation by operation; the build uses -std=c11,
 * which turns off FMA contraction, and x86-64 has no excess precision.
 */
#include "hf2gguf/numeric.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "hf2gguf/gguf.h"

/* ---------------------------------------------------------------------------
 * f16 and bf16
 * ------------------------------------------------------------------------- */

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Rounds `value >> shift` to nearest, ties to even. */
static uint32_t shift_round_even(uint32_t value, uint32_t shift) {
    uint32_t kept = value >> shift, rest = value & ((1u << shift) - 1), half = 1u << (shift - 1);
    return kept + (rest > half || (rest == half && (kept & 1)));
}

/* IEEE binary16, round to nearest even, like numpy's astype(float16). */
uint16_t h2g_f32_to_f16(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t a = x & 0x7fffffffu;
    if (a >= 0x7f800000u) { /* inf, or NaN with its top payload bits kept */
        if (a == 0x7f800000u) return sign | 0x7c00;
        uint16_t m = (uint16_t)((a & 0x7fffffu) >> 13);
        return sign | 0x7c00 | (m ? m : 1);
    }
    if (a >= 0x477ff000u) return sign | 0x7c00; /* >= 65520 rounds to inf */
    if (a < 0x38800000u) {                      /* below 2^-14: f16 subnormal or 0 */
        if (a < 0x33000000u) return sign;       /* below 2^-25: rounds to 0 */
        uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u;
        /* value = m * 2^(e-150); in units of 2^-24 that is m >> (126 - e) */
        return sign | (uint16_t)shift_round_even(m, 126 - e);
    }
    /* normal: rebias the exponent (127 -> 15) and round 23 -> 10 mantissa bits;
     * a carry out of the mantissa correctly bumps the exponent */
    return sign | (uint16_t)(shift_round_even(a, 13) - (112u << 10));
}

float h2g_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f) return bits_f32(sign | 0x7f800000u | (m << 13));
    if (e != 0) return bits_f32(sign | ((e + 112) << 23) | (m << 13));
    if (m == 0) return bits_f32(sign);
    float v = (float)m * 0x1p-24f; /* exact: m < 2^10 */
    return sign ? -v : v;
}

uint16_t h2g_f32_to_bf16(float f) {
    uint32_t u = f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040); /* quiet NaN */
    return (uint16_t)(((uint64_t)u + 0x7fff + ((u >> 16) & 1)) >> 16);
}

float h2g_bf16_to_f32(uint16_t b) { return bits_f32((uint32_t)b << 16); }

/* ---------------------------------------------------------------------------
 * FP8
 * ------------------------------------------------------------------------- */

static float e4m3_table[256];
static pthread_once_t e4m3_once = PTHREAD_ONCE_INIT;

/* e4m3fn: exponent 0 is subnormal (m/8 * 2^-6); S.1111.111 is NaN; no inf. */
static float e4m3_decode(uint8_t v) {
    int e = (v >> 3) & 15, m = v & 7;
    float mag;
    if (e == 15 && m == 7)
        mag = NAN;
    else if (e == 0)
        mag = ldexpf((float)m, -9);
    else
        mag = ldexpf((float)(8 + m), e - 10);
    return (v & 0x80) ? -mag : mag;
}

static void e4m3_build(void) {
    for (int v = 0; v < 256; v++) e4m3_table[v] = e4m3_decode((uint8_t)v);
}

float h2g_e4m3_to_f32(uint8_t v) {
    pthread_once(&e4m3_once, e4m3_build);
    return e4m3_table[v];
}

/* e5m2: the top byte of an f16. */
float h2g_e5m2_to_f32(uint8_t v) { return h2g_f16_to_f32((uint16_t)(v << 8)); }

/* ---------------------------------------------------------------------------
 * Q8_0
 * ------------------------------------------------------------------------- */

/* roundf() for |v| < 2^23 without a libm call: truncate, then step away
 * from zero when the dropped part is at least one half. v - (float)q is
 * exact here (Sterbenz), so ties round away from zero exactly as roundf. */
static inline int round_away(float v) {
    int q = (int)v;
    float rest = v - (float)q;
    return q + (rest >= 0.5f) - (rest <= -0.5f);
}

void h2g_quantize_q8_0(const float *x, uint8_t *out, size_t n) {
    for (size_t b = 0; b < n / H2G_Q8_0_BLOCK; b++, x += H2G_Q8_0_BLOCK) {
        float amax = 0.0f;
        for (int j = 0; j < H2G_Q8_0_BLOCK; j++) {
            float v = fabsf(x[j]);
            if (v > amax) amax = v;
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        uint16_t dh = h2g_f32_to_f16(d);
        uint8_t *blk = out + b * H2G_Q8_0_BYTES;
        blk[0] = (uint8_t)dh;
        blk[1] = (uint8_t)(dh >> 8);
        for (int j = 0; j < H2G_Q8_0_BLOCK; j++) blk[2 + j] = (uint8_t)(int8_t)round_away(x[j] * id);
    }
}

/* ---------------------------------------------------------------------------
 * Rows
 * ------------------------------------------------------------------------- */

static uint16_t load_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

int h2g_decode_f32(h2g_dtype dt, const uint8_t *src, float *dst, size_t n) {
    switch (dt) {
    case H2G_DT_F32: memcpy(dst, src, n * 4); return 0;
    case H2G_DT_BF16:
        for (size_t i = 0; i < n; i++) dst[i] = bits_f32((uint32_t)load_u16(src + 2 * i) << 16);
        return 0;
    case H2G_DT_F16:
        for (size_t i = 0; i < n; i++) dst[i] = h2g_f16_to_f32(load_u16(src + 2 * i));
        return 0;
    case H2G_DT_F64:
        for (size_t i = 0; i < n; i++) {
            double d;
            memcpy(&d, src + 8 * i, 8);
            dst[i] = (float)d;
        }
        return 0;
    case H2G_DT_F8_E4M3:
        pthread_once(&e4m3_once, e4m3_build);
        for (size_t i = 0; i < n; i++) dst[i] = e4m3_table[src[i]];
        return 0;
    case H2G_DT_F8_E5M2:
        for (size_t i = 0; i < n; i++) dst[i] = h2g_e5m2_to_f32(src[i]);
        return 0;
    default: return -1;
    }
}

/* f32 -> f16 for n values, one at a time. */
static void encode_f16_scalar(const float *src, uint8_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint16_t h = h2g_f32_to_f16(src[i]);
        dst[2 * i] = (uint8_t)h;
        dst[2 * i + 1] = (uint8_t)(h >> 8);
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The same with the F16C instruction, 8 values at a time. Checked against
 * h2g_f32_to_f16 for all 2^32 float patterns: identical except for NaNs
 * (the hardware quiets them), so groups holding a NaN take the scalar path. */
__attribute__((target("avx,f16c"))) static void encode_f16_f16c(const float *src, uint8_t *dst,
                                                                 size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(src + i);
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
            encode_f16_scalar(src + i, dst + 2 * i, 8);
            continue;
        }
        _mm_storeu_si128((__m128i *)(dst + 2 * i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    }
    encode_f16_scalar(src + i, dst + 2 * i, n - i);
}

static bool has_f16c;
static pthread_once_t f16c_once = PTHREAD_ONCE_INIT;
static void detect_f16c(void) {
    has_f16c = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
}

static void encode_f16(const float *src, uint8_t *dst, size_t n) {
    pthread_once(&f16c_once, detect_f16c);
    if (has_f16c)
        encode_f16_f16c(src, dst, n);
    else
        encode_f16_scalar(src, dst, n);
}
#else
static void encode_f16(const float *src, uint8_t *dst, size_t n) { encode_f16_scalar(src, dst, n); }
#endif

int h2g_encode_f32(uint32_t type, const float *src, uint8_t *dst, size_t n) {
    switch (type) {
    case H2G_GGML_F32: memcpy(dst, src, n * 4); return 0;
    case H2G_GGML_F16: encode_f16(src, dst, n); return 0;
    case H2G_GGML_BF16:
        for (size_t i = 0; i < n; i++) {
            uint16_t h = h2g_f32_to_bf16(src[i]);
            dst[2 * i] = (uint8_t)h;
            dst[2 * i + 1] = (uint8_t)(h >> 8);
        }
        return 0;
    case H2G_GGML_Q8_0:
        if (n % H2G_Q8_0_BLOCK) return -1;
        h2g_quantize_q8_0(src, dst, n);
        return 0;
    default: return -1;
    }
}

size_t h2g_encoded_size(uint32_t type, size_t n) {
    switch (type) {
    case H2G_GGML_F32: return n * 4;
    case H2G_GGML_F16:
    case H2G_GGML_BF16: return n * 2;
    case H2G_GGML_Q8_0: return n / H2G_Q8_0_BLOCK * H2G_Q8_0_BYTES;
    default: return 0;
    }
}
