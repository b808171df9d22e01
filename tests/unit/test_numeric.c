/* test_numeric.c - the number conversions of numeric.h, on their edge values
 * and against independent computations.
 *
 *  1. FP8: all 256 e4m3fn codes against an ldexpf-based decoder, all 256
 *     e5m2 codes against the f16 decoder, plus spot values;
 *  2. f16: every one of the 65536 patterns survives f16 -> f32 -> f16 and
 *     decodes to the value its fields say; rounding ties, the largest
 *     values, the subnormal boundaries, signed zeros, NaN payloads (numpy's
 *     rule); a sweep of float32 patterns against a double-based rounding
 *     (and against the compiler's _Float16 when it has one);
 *  3. bf16: ties to even, NaN quieting, inf, overflow to inf, subnormals
 *     kept; every pattern round-trips; a sweep against the rounding rule
 *     restated as "compare the dropped half with 0x8000";
 *  4. Q8_0: an all-zero block, max-abs at +x and at -x, blocks whose bytes
 *     were worked out by hand (and with an exact float32 emulation), ties
 *     of roundf, blocks with inf, NaN and a scale too small to invert;
 *  5. rows: h2g_decode_f32 / h2g_encode_f32 (the vectorised chunks, the
 *     F16C path and the tails) equal the scalar functions element by
 *     element, at odd lengths and unaligned addresses; float64 narrowing;
 *     unknown dtypes and types; h2g_encoded_size.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/numeric.h"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* A small deterministic generator (xorshift32) for the sweeps. */
static uint32_t next_random(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

#define ASSERT_BITS(expected, actual) assert_int_equal((uint32_t)(expected), (uint32_t)(actual))

/* ---------------------------------------------------------------------------
 * 1. FP8
 * ------------------------------------------------------------------------- */

/* e4m3fn straight from its definition (section 2.3), independently of the
 * tables in numeric.c: ldexpf of the integer significand. */
static float e4m3_reference(unsigned v) {
    int e = (v >> 3) & 15, m = v & 7;
    float mag;
    if (e == 15 && m == 7) return (v & 0x80) ? -NAN : NAN;
    if (e == 0)
        mag = ldexpf((float)m, -9); /* (m/8) * 2^-6 */
    else
        mag = ldexpf((float)(8 + m), e - 10); /* (1 + m/8) * 2^(e-7) */
    return (v & 0x80) ? -mag : mag;
}

static void test_e4m3_all_codes(void **state) {
    (void)state;
    for (unsigned v = 0; v < 256; v++) {
        float got = h2g_e4m3_to_f32((uint8_t)v), want = e4m3_reference(v);
        if (isnan(want)) {
            assert_true(isnan(got));
            assert_int_equal(signbit(got) != 0, (v & 0x80) != 0);
            /* the payload shifted into place, as the f16 decoder does */
            ASSERT_BITS((v & 0x80) ? 0xfff00000u : 0x7ff00000u, to_bits(got));
        } else {
            ASSERT_BITS(to_bits(want), to_bits(got)); /* also tells -0 from +0 */
        }
    }
    assert_true(h2g_e4m3_to_f32(0x7e) == 448.0f);
    assert_true(h2g_e4m3_to_f32(0xfe) == -448.0f);
    assert_true(h2g_e4m3_to_f32(0x38) == 1.0f);
    assert_true(h2g_e4m3_to_f32(0x01) == 0x1p-9f); /* smallest subnormal */
    assert_true(h2g_e4m3_to_f32(0x07) == 0x1.cp-7f); /* largest subnormal */
    assert_true(h2g_e4m3_to_f32(0x08) == 0x1p-6f); /* smallest normal */
    assert_true(h2g_e4m3_to_f32(0x78) == 256.0f); /* e = 15 is finite in e4m3fn */
    ASSERT_BITS(0x80000000u, to_bits(h2g_e4m3_to_f32(0x80)));
}

static void test_e5m2(void **state) {
    (void)state;
    for (unsigned v = 0; v < 256; v++)
        ASSERT_BITS(to_bits(h2g_f16_to_f32((uint16_t)(v << 8))),
                    to_bits(h2g_e5m2_to_f32((uint8_t)v)));
    assert_true(h2g_e5m2_to_f32(0x3c) == 1.0f);
    assert_true(h2g_e5m2_to_f32(0xc0) == -2.0f);
    assert_true(h2g_e5m2_to_f32(0x7b) == 57344.0f); /* largest finite */
    assert_true(h2g_e5m2_to_f32(0x01) == 0x1p-16f); /* smallest subnormal */
    assert_true(h2g_e5m2_to_f32(0x03) == 0x1.8p-15f);
    assert_true(h2g_e5m2_to_f32(0x04) == 0x1p-14f);
    assert_true(isinf(h2g_e5m2_to_f32(0x7c)) && h2g_e5m2_to_f32(0x7c) > 0);
    assert_true(isinf(h2g_e5m2_to_f32(0xfc)) && h2g_e5m2_to_f32(0xfc) < 0);
    assert_true(isnan(h2g_e5m2_to_f32(0x7d)) && isnan(h2g_e5m2_to_f32(0xff)));
    ASSERT_BITS(0x80000000u, to_bits(h2g_e5m2_to_f32(0x80)));
}

/* ---------------------------------------------------------------------------
 * 2. f16
 * ------------------------------------------------------------------------- */

/* Every pattern: decodes to the value its fields say, and converts back to
 * itself (NaNs included: the payload goes up 13 bits and back down). */
static void test_f16_all_patterns(void **state) {
    (void)state;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = h2g_f16_to_f32((uint16_t)h);
        int e = (h >> 10) & 31, m = h & 1023;
        if (e == 31) {
            assert_true(m ? isnan(f) : isinf(f));
            ASSERT_BITS((h & 0x8000u) << 16 | 0x7f800000u | (uint32_t)m << 13, to_bits(f));
        } else {
            float mag = e ? ldexpf((float)(1024 + m), e - 25) : ldexpf((float)m, -24);
            ASSERT_BITS(to_bits((h & 0x8000) ? -mag : mag), to_bits(f));
        }
        ASSERT_BITS(h, h2g_f32_to_f16(f));
    }
}

static void test_f16_rounding(void **state) {
    (void)state;
    /* ties between two f16 neighbours go to the even one */
    ASSERT_BITS(0x3c00, h2g_f32_to_f16(1.0f + 0x1p-11f));       /* 1 + ulp/2 -> 1 */
    ASSERT_BITS(0x3c02, h2g_f32_to_f16(1.0f + 0x3p-11f));       /* 1 + 3ulp/2 -> 1 + 2^-9 */
    ASSERT_BITS(0x3c01, h2g_f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f)); /* past the tie */
    ASSERT_BITS(0x3c00, h2g_f32_to_f16(1.0f + 0x1p-11f - 0x1p-23f)); /* short of it */
    ASSERT_BITS(0xbc02, h2g_f32_to_f16(-(1.0f + 0x3p-11f)));
    ASSERT_BITS(0x3555, h2g_f32_to_f16(1.0f / 3.0f));
    /* the top of the range: 65504 is the largest finite, 65520 the tie
     * with 65536 (not representable), so it and all above are inf */
    ASSERT_BITS(0x7bff, h2g_f32_to_f16(65504.0f));
    ASSERT_BITS(0x7bff, h2g_f32_to_f16(65519.99f));
    ASSERT_BITS(0x7bff, h2g_f32_to_f16(nextafterf(65520.0f, 0.0f)));
    ASSERT_BITS(0x7c00, h2g_f32_to_f16(65520.0f));
    ASSERT_BITS(0xfc00, h2g_f32_to_f16(-65520.0f));
    ASSERT_BITS(0x7c00, h2g_f32_to_f16(1e6f));
    ASSERT_BITS(0x7c00, h2g_f32_to_f16(FLT_MAX));
    ASSERT_BITS(0x7c00, h2g_f32_to_f16(INFINITY));
    ASSERT_BITS(0xfc00, h2g_f32_to_f16(-INFINITY));
    /* the bottom: subnormals are kept, rounded in steps of 2^-24 */
    ASSERT_BITS(0x0400, h2g_f32_to_f16(0x1p-14f)); /* smallest normal */
    ASSERT_BITS(0x03ff, h2g_f32_to_f16(0x3ffp-24f)); /* largest subnormal */
    ASSERT_BITS(0x0400, h2g_f32_to_f16(0x7ffp-25f)); /* tie carries into the exponent */
    ASSERT_BITS(0x0001, h2g_f32_to_f16(0x1p-24f)); /* smallest subnormal */
    ASSERT_BITS(0x0000, h2g_f32_to_f16(0x1p-25f)); /* tie with 0 and 2^-24: even 0 */
    ASSERT_BITS(0x0001, h2g_f32_to_f16(nextafterf(0x1p-25f, 1.0f)));
    ASSERT_BITS(0x0001, h2g_f32_to_f16(0x3p-26f)); /* 0.75 step -> 1 step */
    ASSERT_BITS(0x0002, h2g_f32_to_f16(0x3p-25f)); /* 1.5 steps: tie -> 2 */
    ASSERT_BITS(0x0002, h2g_f32_to_f16(0x5p-25f)); /* 2.5 steps: tie -> 2 */
    ASSERT_BITS(0x0000, h2g_f32_to_f16(0x1p-26f));
    ASSERT_BITS(0x0000, h2g_f32_to_f16(from_bits(0x00000001))); /* f32 subnormal */
    /* signed zeros, also from underflow */
    ASSERT_BITS(0x0000, h2g_f32_to_f16(0.0f));
    ASSERT_BITS(0x8000, h2g_f32_to_f16(-0.0f));
    ASSERT_BITS(0x8000, h2g_f32_to_f16(-0x1p-26f));
    ASSERT_BITS(0x8001, h2g_f32_to_f16(-0x1p-24f));
}

/* NaN: numpy's float32 -> float16 cast on x86 (npy_floatbits_to_halfbits)
 * keeps the sign and the top 10 payload bits and does not set the quiet
 * bit; only an all-zero result is bumped to 0x7c01 so it stays a NaN. */
static void test_f16_nan(void **state) {
    (void)state;
    ASSERT_BITS(0x7e00, h2g_f32_to_f16(from_bits(0x7fc00000))); /* default quiet NaN */
    ASSERT_BITS(0xfe00, h2g_f32_to_f16(from_bits(0xffc00000)));
    ASSERT_BITS(0x7c01, h2g_f32_to_f16(from_bits(0x7f800001))); /* payload below bit 13 */
    ASSERT_BITS(0xfc01, h2g_f32_to_f16(from_bits(0xff801fff)));
    ASSERT_BITS(0x7dff, h2g_f32_to_f16(from_bits(0x7fbfe000))); /* signalling stays so */
    ASSERT_BITS(0x7fff, h2g_f32_to_f16(from_bits(0x7fffffff)));
    ASSERT_BITS(0x7c01, h2g_f32_to_f16(from_bits(0x7f802000)));
}

/* f32 -> f16 rounded through double arithmetic: scale so that the kept
 * bits are the integer part, round with nearbyint (ties to even in the
 * default mode; the scaled value is exact in double), rebuild the fields.
 * A carry to 2048 (or to 1024 from a subnormal) lands in the exponent. */
static uint16_t f16_reference(float f) {
    uint16_t sign = signbit(f) ? 0x8000 : 0;
    double a = fabs((double)f);
    if (isinf(a)) return sign | 0x7c00;
    if (a < 0x1p-14) return sign | (uint16_t)nearbyint(a * 0x1p24);
    int ex;
    frexp(a, &ex); /* a = fr * 2^ex, fr in [0.5, 1): exponent ex - 1 */
    double mant = nearbyint(ldexp(a, 11 - ex)); /* 1024 .. 2048 */
    uint32_t bits = (uint32_t)(ex - 1 + 15) * 1024 + (uint32_t)mant - 1024;
    return sign | (uint16_t)(bits >= 0x7c00 ? 0x7c00 : bits);
}

/* Checks one pattern against the references; returns nothing, asserts. */
static void check_f16_pattern(uint32_t u) {
    float f = from_bits(u);
    if (isnan(f)) return; /* covered by test_f16_nan */
    uint16_t got = h2g_f32_to_f16(f);
    ASSERT_BITS(f16_reference(f), got);
#ifdef __FLT16_MAX__
    _Float16 h = (_Float16)f; /* gcc: software conversion, ties to even */
    uint16_t hb;
    memcpy(&hb, &h, 2);
    ASSERT_BITS(hb, got);
#endif
}

static void test_f16_sweep(void **state) {
    (void)state;
    /* every 4093rd pattern (a prime stride, so all bit positions vary) */
    for (uint64_t u = 0; u < 0x100000000u; u += 4093) check_f16_pattern((uint32_t)u);
    /* every pattern near the boundaries, both signs */
    static const uint32_t around[] = {
        0x477fe000u, /* 65504 */
        0x477ff000u, /* 65520 */
        0x38800000u, /* 2^-14, smallest normal */
        0x38000000u, /* 2^-15 */
        0x33800000u, /* 2^-24, smallest subnormal */
        0x33000000u, /* 2^-25 */
        0x3f800000u, /* 1 */
    };
    for (size_t k = 0; k < sizeof around / sizeof around[0]; k++)
        for (uint32_t d = 0; d < 20000; d++) {
            check_f16_pattern(around[k] - 10000 + d);
            check_f16_pattern((around[k] - 10000 + d) | 0x80000000u);
        }
}

/* ---------------------------------------------------------------------------
 * 3. bf16
 * ------------------------------------------------------------------------- */

static void test_bf16(void **state) {
    (void)state;
    /* ties on the dropped 16 bits go to the even neighbour */
    ASSERT_BITS(0x3f80, h2g_f32_to_bf16(from_bits(0x3f808000))); /* 1 + 2^-8 -> 1 */
    ASSERT_BITS(0x3f82, h2g_f32_to_bf16(from_bits(0x3f818000))); /* odd -> up */
    ASSERT_BITS(0x3f81, h2g_f32_to_bf16(from_bits(0x3f808001)));
    ASSERT_BITS(0x3f80, h2g_f32_to_bf16(from_bits(0x3f807fff)));
    ASSERT_BITS(0xbf82, h2g_f32_to_bf16(from_bits(0xbf818000)));
    ASSERT_BITS(0x3f80, h2g_f32_to_bf16(1.0f));
    ASSERT_BITS(0x3eab, h2g_f32_to_bf16(1.0f / 3.0f)); /* 0x3eaaaaab */
    /* NaN: sign and top payload bits kept, quiet bit forced */
    ASSERT_BITS(0x7fc0, h2g_f32_to_bf16(from_bits(0x7f800001)));
    ASSERT_BITS(0xffc0, h2g_f32_to_bf16(from_bits(0xff800001)));
    ASSERT_BITS(0x7fc1, h2g_f32_to_bf16(from_bits(0x7f810000)));
    ASSERT_BITS(0x7fc0, h2g_f32_to_bf16(from_bits(0x7fc00000)));
    ASSERT_BITS(0x7fff, h2g_f32_to_bf16(from_bits(0x7fffffff))); /* no rounding into sign */
    ASSERT_BITS(0xffff, h2g_f32_to_bf16(from_bits(0xffffffff)));
    /* infinities stay; the largest finite values round up to inf */
    ASSERT_BITS(0x7f80, h2g_f32_to_bf16(INFINITY));
    ASSERT_BITS(0xff80, h2g_f32_to_bf16(-INFINITY));
    ASSERT_BITS(0x7f80, h2g_f32_to_bf16(FLT_MAX));
    ASSERT_BITS(0xff80, h2g_f32_to_bf16(-FLT_MAX));
    ASSERT_BITS(0x7f80, h2g_f32_to_bf16(from_bits(0x7f7f8000))); /* tie, odd -> inf */
    ASSERT_BITS(0x7f7f, h2g_f32_to_bf16(from_bits(0x7f7f7fff)));
    /* subnormals are rounded, not flushed */
    ASSERT_BITS(0x0001, h2g_f32_to_bf16(from_bits(0x00010000)));
    ASSERT_BITS(0x8001, h2g_f32_to_bf16(from_bits(0x80010000)));
    ASSERT_BITS(0x0000, h2g_f32_to_bf16(from_bits(0x00008000))); /* tie -> even 0 */
    ASSERT_BITS(0x0002, h2g_f32_to_bf16(from_bits(0x00018000))); /* tie -> even 2 */
    ASSERT_BITS(0x0001, h2g_f32_to_bf16(from_bits(0x00008001)));
    ASSERT_BITS(0x0080, h2g_f32_to_bf16(from_bits(0x007fffff))); /* -> smallest normal */
    ASSERT_BITS(0x0000, h2g_f32_to_bf16(0.0f));
    ASSERT_BITS(0x8000, h2g_f32_to_bf16(-0.0f));
}

/* Every bf16 pattern widens to its bits << 16 and comes back unchanged,
 * except that a NaN comes back quiet. */
static void test_bf16_all_patterns(void **state) {
    (void)state;
    for (uint32_t b = 0; b < 65536; b++) {
        float f = h2g_bf16_to_f32((uint16_t)b);
        ASSERT_BITS(b << 16, to_bits(f));
        ASSERT_BITS(isnan(f) ? (b | 0x40) : b, h2g_f32_to_bf16(f));
    }
}

/* The rounding rule restated: keep the top half, add one when the dropped
 * half is above 0x8000, or equal to it with the kept half odd. */
static void test_bf16_sweep(void **state) {
    (void)state;
    for (uint64_t u64 = 0; u64 < 0x100000000u; u64 += 4093) {
        uint32_t u = (uint32_t)u64, kept = u >> 16, rest = u & 0xffff;
        if ((u & 0x7fffffffu) > 0x7f800000u) continue;
        uint32_t want = kept + (rest > 0x8000 || (rest == 0x8000 && (kept & 1)));
        ASSERT_BITS(want, h2g_f32_to_bf16(from_bits(u)));
    }
}

/* ---------------------------------------------------------------------------
 * 4. Q8_0
 * ------------------------------------------------------------------------- */

/* Quantizes one block and checks its 34 bytes against d (f16 bits) and q. */
static void check_q8_0_block(const float x[32], uint16_t d, const int8_t q[32]) {
    uint8_t out[H2G_Q8_0_BYTES], want[H2G_Q8_0_BYTES];
    memset(out, 0xaa, sizeof out);
    want[0] = (uint8_t)d;
    want[1] = (uint8_t)(d >> 8);
    memcpy(want + 2, q, 32);
    h2g_quantize_q8_0(x, out, 32);
    assert_memory_equal(want, out, H2G_Q8_0_BYTES);
}

static void test_q8_0_zero_block(void **state) {
    (void)state;
    float x[32] = {0};
    int8_t q[32] = {0};
    check_q8_0_block(x, 0x0000, q); /* d = 0, id = 0, every q 0 */
    for (int j = 0; j < 32; j++) x[j] = -0.0f;
    check_q8_0_block(x, 0x0000, q); /* amax of -0.0 is +0.0 */
}

/* The value with the largest magnitude becomes +-127, wherever it is. */
static void test_q8_0_max_abs(void **state) {
    (void)state;
    float x[32] = {0};
    int8_t q[32] = {0};
    x[5] = 2.0f;
    q[5] = 127;
    /* d = 2/127 = 0.0157480... = 2^-6 * 1.00787 -> f16 exponent 9, mantissa 8 */
    check_q8_0_block(x, 0x2408, q);
    x[5] = 0.0f, q[5] = 0;
    x[31] = -3.0f, q[31] = -127;
    x[0] = 1.5f, q[0] = 64; /* 1.5 * (127/3) = 63.5 -> 64 */
    /* d = 3/127 = 0.023622... = 2^-6 * 1.5118 -> f16 0x2600 | 524 */
    check_q8_0_block(x, 0x260c, q);
}

/* amax = 127 gives d = 1 and id = 1: q is x rounded half away from zero. */
static void test_q8_0_by_hand(void **state) {
    (void)state;
    const float x[32] = {127.0f, -127.0f, 0.0f,  0.5f,        -0.5f,  1.5f,   -1.5f, 2.5f,
                         -2.5f,  3.5f,    0.25f, 0.49999997f, 126.5f, -126.5f, 1.0f, -1.0f,
                         10.4f,  -10.6f,  64.0f, 100.5f,      -0.75f, 0.75f,  7.0f,  -7.0f,
                         1e-3f,  -1e-3f,  33.5f, -33.5f,      99.49f, 12.5f,  -0.0f, 5.5f};
    const int8_t q[32] = {127, -127, 0, 1,   -1,  2,  -2, 3,  -3, 4, 0,   0,  127, -127, 1, -1,
                          10,  -11,  64, 101, -1, 1, 7,  -7, 0,  0, 34, -34, 99,  13,   0, 6};
    check_q8_0_block(x, 0x3c00, q); /* d = 1.0 */

    /* amax = 63.5: d = 0.5 exactly, id = 2; ties of x * id at +-2.5 */
    float y[32] = {0};
    int8_t qy[32] = {0};
    y[0] = 63.5f, qy[0] = 127;
    y[1] = 1.25f, qy[1] = 3;   /* 2.5 -> 3 */
    y[2] = -1.25f, qy[2] = -3; /* -2.5 -> -3 */
    y[3] = 0.25f, qy[3] = 1;   /* 0.5 -> 1 */
    y[4] = -0.75f, qy[4] = -2; /* -1.5 -> -2 */
    y[5] = 0.2f, qy[5] = 0;    /* 0.4 -> 0 */
    check_q8_0_block(y, 0x3800, qy);
}

/* Blocks where d is not a nice number. The quants come from the float32 d
 * (not the f16 one written out), with the product rounded to float32;
 * expected bytes from an exact float32 emulation (Python struct packing
 * after each operation), the first block also by hand. */
static void test_q8_0_float32_arithmetic(void **state) {
    (void)state;
    /* x = (j - 16)/16: amax 1, d = 1/127 (f16 0x2008), id = 1/d = 127
     * exactly in float32, so q = round((j - 16) * 127/16): 63.5 -> 64. */
    float x[32];
    int8_t q[32];
    static const int8_t qa[32] = {-127, -119, -111, -103, -95, -87, -79, -71, -64, -56, -48,
                                  -40,  -32,  -24,  -16,  -8,  0,   8,   16,  24,  32,  40,
                                  48,   56,   64,   71,   79,  87,  95,  103, 111, 119};
    for (int j = 0; j < 32; j++) x[j] = (float)(j - 16) / 16.0f;
    memcpy(q, qa, 32);
    check_q8_0_block(x, 0x2008, q);

    /* x = 0.1 (j - 12) + 0.05: amax 1.95, d = 0.0153543307 (f16 0x23dd =
     * 0.0153580), id = 65.1282043 */
    static const int8_t qb[32] = {-75, -68, -62, -55, -49, -42, -36, -29, -23, -16, -10,
                                  -3,  3,   10,  16,  23,  29,  36,  42,  49,  55,  62,
                                  68,  75,  81,  88,  94,  101, 107, 114, 120, 127};
    for (int j = 0; j < 32; j++) x[j] = (float)(0.1 * (j - 12) + 0.05);
    check_q8_0_block(x, 0x23dd, qb);
}

/* Blocks the reference would turn into inf/NaN products: numpy's int8 cast
 * gives 0 for those on x86, and nothing here may be undefined behaviour. */
static void test_q8_0_non_finite(void **state) {
    (void)state;
    float x[32] = {0};
    int8_t q[32] = {0};
    x[3] = INFINITY, x[4] = 1.0f; /* d = inf, id = 0: 1 * 0 = 0, inf * 0 = NaN */
    check_q8_0_block(x, 0x7c00, q);
    x[3] = -INFINITY;
    check_q8_0_block(x, 0x7c00, q);
    x[3] = NAN; /* d = NaN / 127, a quiet NaN -> f16 0x7e00 */
    check_q8_0_block(x, 0x7e00, q);
    memset(x, 0, sizeof x);
    x[9] = 0x1p-140f; /* d is a tiny subnormal, 1/d overflows to inf */
    check_q8_0_block(x, 0x0000, q);
}

static void test_q8_0_rows(void **state) {
    (void)state;
    enum { BLOCKS = 37 };
    float x[BLOCKS * 32];
    uint8_t row[BLOCKS * H2G_Q8_0_BYTES], one[H2G_Q8_0_BYTES];
    uint32_t seed = 12345;
    for (size_t i = 0; i < BLOCKS * 32; i++)
        x[i] = ((float)(next_random(&seed) % 20001) - 10000.0f) * 1e-3f;
    assert_int_equal(0, h2g_encode_f32(H2G_GGML_Q8_0, x, row, BLOCKS * 32));
    for (size_t b = 0; b < BLOCKS; b++) {
        h2g_quantize_q8_0(x + b * 32, one, 32);
        assert_memory_equal(one, row + b * H2G_Q8_0_BYTES, H2G_Q8_0_BYTES);
        /* max-abs element quantizes to +-127 and d decodes close to amax/127 */
        int has127 = 0;
        for (int j = 0; j < 32; j++) has127 |= abs((int8_t)one[2 + j]) == 127;
        assert_true(has127);
    }
    assert_int_equal(-1, h2g_encode_f32(H2G_GGML_Q8_0, x, row, 33)); /* not whole blocks */
}

/* ---------------------------------------------------------------------------
 * 5. Rows
 * ------------------------------------------------------------------------- */

/* bf16 and f16 rows: all 65536 patterns plus a tail, at an odd address,
 * equal the scalar functions. */
static void test_decode_16bit_rows(void **state) {
    (void)state;
    enum { N = 65536 + 37 };
    uint8_t *src = malloc(2 * N + 1);
    float *dst = malloc(sizeof(float) * N);
    assert_non_null(src);
    assert_non_null(dst);
    for (uint32_t i = 0; i < N; i++) {
        src[1 + 2 * i] = (uint8_t)(i * 7);        /* low byte first */
        src[1 + 2 * i + 1] = (uint8_t)(i * 7 >> 8); /* i * 7 mod 65536 hits every pattern */
    }
    assert_int_equal(0, h2g_decode_f32(H2G_DT_BF16, src + 1, dst, N));
    for (uint32_t i = 0; i < N; i++)
        ASSERT_BITS(to_bits(h2g_bf16_to_f32((uint16_t)(i * 7))), to_bits(dst[i]));
    assert_int_equal(0, h2g_decode_f32(H2G_DT_F16, src + 1, dst, N));
    for (uint32_t i = 0; i < N; i++)
        ASSERT_BITS(to_bits(h2g_f16_to_f32((uint16_t)(i * 7))), to_bits(dst[i]));
    free(src);
    free(dst);
}

static void test_decode_fp8_rows(void **state) {
    (void)state;
    enum { N = 3 * 256 + 5 };
    uint8_t src[N];
    float dst[N];
    for (int i = 0; i < N; i++) src[i] = (uint8_t)(i * 3);
    assert_int_equal(0, h2g_decode_f32(H2G_DT_F8_E4M3, src, dst, N));
    for (int i = 0; i < N; i++) ASSERT_BITS(to_bits(h2g_e4m3_to_f32(src[i])), to_bits(dst[i]));
    assert_int_equal(0, h2g_decode_f32(H2G_DT_F8_E5M2, src, dst, N));
    for (int i = 0; i < N; i++) ASSERT_BITS(to_bits(h2g_e5m2_to_f32(src[i])), to_bits(dst[i]));
}

/* f32 rows are copied; f64 rows are narrowed with round to nearest even. */
static void test_decode_f32_f64_rows(void **state) {
    (void)state;
    static const double in[] = {
        1.0 + 0x1p-24,               /* tie -> even 1 */
        1.0 + 0x3p-24,               /* tie -> even 1 + 2^-22 */
        1.0 + 0x1p-24 + 0x1p-50,     /* past the tie -> 1 + 2^-23 */
        -(1.0 + 0x1p-24 + 0x1p-50),  /* and negative */
        1e300, -1e300,               /* overflow -> inf */
        0x1.ffffff1p127,             /* past the tie with 2^128: inf */
        0x1.fffffefp127,             /* short of it: FLT_MAX */
        1e-300,                      /* underflow -> 0 */
        0x1p-149, 0x1.8p-149,        /* float subnormals: kept; tie -> even 2^-148 */
        -0.0, 0.1, INFINITY,
    };
    static const uint32_t want[] = {
        0x3f800000u, 0x3f800002u, 0x3f800001u, 0xbf800001u, 0x7f800000u, 0xff800000u,
        0x7f800000u, 0x7f7fffffu, 0x00000000u, 0x00000001u, 0x00000002u, 0x80000000u,
        0x3dcccccdu, 0x7f800000u,
    };
    enum { N = sizeof in / sizeof in[0] };
    uint8_t src[8 * 70 + 1]; /* 70 elements: one vectorised chunk and a tail */
    float dst[70];
    for (int i = 0; i < 70; i++) memcpy(src + 1 + 8 * i, &in[i % N], 8); /* host is LE */
    assert_int_equal(0, h2g_decode_f32(H2G_DT_F64, src + 1, dst, 70));
    for (int i = 0; i < 70; i++) ASSERT_BITS(want[i % N], to_bits(dst[i]));

    float f[70];
    for (int i = 0; i < 70; i++) f[i] = from_bits(want[i % N] ^ (uint32_t)i);
    memcpy(src + 1, f, sizeof f);
    assert_int_equal(0, h2g_decode_f32(H2G_DT_F32, src + 1, dst, 70));
    assert_memory_equal(f, dst, sizeof f);
}

static void test_decode_rejects(void **state) {
    (void)state;
    uint8_t src[8] = {0};
    float dst[2] = {0};
    static const h2g_dtype bad[] = {H2G_DT_I64, H2G_DT_I32, H2G_DT_I16, H2G_DT_I8, H2G_DT_U64,
                                    H2G_DT_U32, H2G_DT_U16, H2G_DT_U8,  H2G_DT_BOOL};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_int_equal(-1, h2g_decode_f32(bad[k], src, dst, 2));
}

/* bf16/f16/f32 rows of random patterns (NaNs and all), at an odd address
 * and an odd length, equal the scalar conversions; so do f16 rows with a
 * NaN in some groups of 8 (the F16C path hands those to the scalar code). */
static void test_encode_rows(void **state) {
    (void)state;
    enum { N = 4096 + 61 };
    float *x = malloc(sizeof(float) * N);
    uint8_t *out = malloc(4 * N + 1);
    assert_non_null(x);
    assert_non_null(out);
    uint32_t seed = 777;
    for (int i = 0; i < N; i++) {
        uint32_t r = next_random(&seed);
        /* mostly values in the f16 range, some of everything */
        x[i] = (i % 5) ? ((float)(int32_t)r * 0x1p-24f) : from_bits(r);
    }
    x[9] = from_bits(0x7f800001u); /* NaNs whose quiet bit numpy leaves alone */
    x[100] = from_bits(0xffa00000u);

    assert_int_equal(0, h2g_encode_f32(H2G_GGML_BF16, x, out + 1, N));
    for (int i = 0; i < N; i++)
        ASSERT_BITS(h2g_f32_to_bf16(x[i]), out[1 + 2 * i] | out[2 + 2 * i] << 8);
    assert_int_equal(0, h2g_encode_f32(H2G_GGML_F16, x, out + 1, N));
    for (int i = 0; i < N; i++)
        ASSERT_BITS(h2g_f32_to_f16(x[i]), out[1 + 2 * i] | out[2 + 2 * i] << 8);
    assert_int_equal(0, h2g_encode_f32(H2G_GGML_F32, x, out + 1, N));
    for (int i = 0; i < N; i++) {
        const uint8_t *p = out + 1 + 4 * i;
        ASSERT_BITS(to_bits(x[i]), (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                                       (uint32_t)p[3] << 24);
    }
    free(x);
    free(out);
}

/* The f16 row path (F16C where the CPU has it) and the vectorised bf16 row
 * path against the scalar functions over a sweep of float32 patterns:
 * every 257th, NaNs included. */
static void test_encode_16bit_sweep(void **state) {
    (void)state;
    enum { N = 1 << 16 };
    float *x = malloc(sizeof(float) * N);
    uint8_t *out = malloc(2 * N);
    assert_non_null(x);
    assert_non_null(out);
    uint64_t u = 0;
    while (u < 0x100000000u) {
        int n = 0;
        for (; n < N && u < 0x100000000u; n++, u += 257) x[n] = from_bits((uint32_t)u);
        assert_int_equal(0, h2g_encode_f32(H2G_GGML_F16, x, out, (size_t)n));
        for (int i = 0; i < n; i++)
            ASSERT_BITS(h2g_f32_to_f16(x[i]), out[2 * i] | out[2 * i + 1] << 8);
        assert_int_equal(0, h2g_encode_f32(H2G_GGML_BF16, x, out, (size_t)n));
        for (int i = 0; i < n; i++)
            ASSERT_BITS(h2g_f32_to_bf16(x[i]), out[2 * i] | out[2 * i + 1] << 8);
    }
    free(x);
    free(out);
}

static void test_encode_sizes_and_rejects(void **state) {
    (void)state;
    float x[64] = {0};
    uint8_t out[256];
    assert_int_equal(4 * 10, h2g_encoded_size(H2G_GGML_F32, 10));
    assert_int_equal(2 * 10, h2g_encoded_size(H2G_GGML_F16, 10));
    assert_int_equal(2 * 10, h2g_encoded_size(H2G_GGML_BF16, 10));
    assert_int_equal(2 * 34, h2g_encoded_size(H2G_GGML_Q8_0, 64));
    assert_int_equal(0, h2g_encoded_size(2 /* Q4_0 */, 64));
    assert_int_equal(0, h2g_encoded_size(28 /* F64 */, 64));
    assert_int_equal(-1, h2g_encode_f32(2, x, out, 64));
    assert_int_equal(-1, h2g_encode_f32(28, x, out, 64));
    assert_int_equal(0, h2g_encode_f32(H2G_GGML_BF16, x, out, 0)); /* empty row */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e4m3_all_codes),
        cmocka_unit_test(test_e5m2),
        cmocka_unit_test(test_f16_all_patterns),
        cmocka_unit_test(test_f16_rounding),
        cmocka_unit_test(test_f16_nan),
        cmocka_unit_test(test_f16_sweep),
        cmocka_unit_test(test_bf16),
        cmocka_unit_test(test_bf16_all_patterns),
        cmocka_unit_test(test_bf16_sweep),
        cmocka_unit_test(test_q8_0_zero_block),
        cmocka_unit_test(test_q8_0_max_abs),
        cmocka_unit_test(test_q8_0_by_hand),
        cmocka_unit_test(test_q8_0_float32_arithmetic),
        cmocka_unit_test(test_q8_0_non_finite),
        cmocka_unit_test(test_q8_0_rows),
        cmocka_unit_test(test_decode_16bit_rows),
        cmocka_unit_test(test_decode_fp8_rows),
        cmocka_unit_test(test_decode_f32_f64_rows),
        cmocka_unit_test(test_decode_rejects),
        cmocka_unit_test(test_encode_rows),
        cmocka_unit_test(test_encode_16bit_sweep),
        cmocka_unit_test(test_encode_sizes_and_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
