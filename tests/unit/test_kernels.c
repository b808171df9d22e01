/* test_kernels.c - the number conversions on their edge values: every e4m3
 * code, f16 and bf16 rounding ties, NaN/Inf, subnormals, and Q8_0 blocks
 * (all zero, max-abs at + and -, ties, a block worked out by hand). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/numeric.h"

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

/* ---- FP8 ---- */

/* e4m3fn from its definition, independently of the table in numeric.c. */
static double e4m3_reference(unsigned v) {
    unsigned e = (v >> 3) & 15, m = v & 7;
    double sign = (v & 0x80) ? -1 : 1;
    if (e == 15 && m == 7) return NAN;
    if (e == 0) return sign * (m / 8.0) * pow(2, -6);
    return sign * (1 + m / 8.0) * pow(2, (int)e - 7);
}

static void test_e4m3_all_codes(void **state) {
    (void)state;
    for (unsigned v = 0; v < 256; v++) {
        float got = h2g_e4m3_to_f32((uint8_t)v);
        double want = e4m3_reference(v);
        if (isnan(want)) {
            assert_true(isnan(got));
        } else {
            assert_true((double)got == want);
            assert_true((signbit(got) != 0) == (v >= 128)); /* -0 is kept */
        }
    }
    assert_true(h2g_e4m3_to_f32(0x7e) == 448.0f);  /* largest finite */
    assert_true(h2g_e4m3_to_f32(0x01) == 0x1p-9f); /* smallest subnormal */
    assert_true(isnan(h2g_e4m3_to_f32(0x7f)) && isnan(h2g_e4m3_to_f32(0xff)));
    /* the row decoder uses the same values */
    uint8_t codes[256];
    float out[256];
    for (int i = 0; i < 256; i++) codes[i] = (uint8_t)i;
    assert_int_equal(h2g_decode_f32(H2G_DT_F8_E4M3, codes, out, 256), 0);
    for (int i = 0; i < 256; i++)
        assert_true(to_bits(out[i]) == to_bits(h2g_e4m3_to_f32((uint8_t)i)));
}

static void test_e5m2(void **state) {
    (void)state;
    assert_true(h2g_e5m2_to_f32(0x3c) == 1.0f);
    assert_true(h2g_e5m2_to_f32(0x7b) == 57344.0f); /* largest finite */
    assert_true(isinf(h2g_e5m2_to_f32(0x7c)) && isinf(h2g_e5m2_to_f32(0xfc)));
    assert_true(isnan(h2g_e5m2_to_f32(0x7d)));
    assert_true(h2g_e5m2_to_f32(0x01) == 0x1p-16f);
}

/* ---- f16 ---- */

static void test_f16_roundtrip_all(void **state) {
    (void)state;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = h2g_f16_to_f32((uint16_t)h);
        uint16_t back = h2g_f32_to_f16(f);
        if (isnan(f))
            assert_true((back & 0x7c00) == 0x7c00 && (back & 0x3ff));
        else
            assert_int_equal(back, h);
    }
}

static void test_f16_rounding(void **state) {
    (void)state;
    assert_int_equal(h2g_f32_to_f16(1.0f + 0x1p-11f), 0x3c00);        /* tie -> even (down) */
    assert_int_equal(h2g_f32_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);    /* tie -> even (up) */
    assert_int_equal(h2g_f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
    assert_int_equal(h2g_f32_to_f16(65504.0f), 0x7bff);
    assert_int_equal(h2g_f32_to_f16(65519.99f), 0x7bff);
    assert_int_equal(h2g_f32_to_f16(65520.0f), 0x7c00); /* rounds to inf */
    assert_int_equal(h2g_f32_to_f16(-1e10f), 0xfc00);
    assert_int_equal(h2g_f32_to_f16(INFINITY), 0x7c00);
    assert_int_equal(h2g_f32_to_f16(0x1p-24f), 0x0001);         /* smallest subnormal */
    assert_int_equal(h2g_f32_to_f16(0x1p-25f), 0x0000);         /* tie -> even (0) */
    assert_int_equal(h2g_f32_to_f16(3 * 0x1p-26f), 0x0001);     /* above the tie */
    assert_int_equal(h2g_f32_to_f16(3 * 0x1p-25f), 0x0002);     /* tie 1.5 -> 2 */
    assert_int_equal(h2g_f32_to_f16(0x1p-14f), 0x0400);         /* smallest normal */
    assert_int_equal(h2g_f32_to_f16(0x1p-14f - 0x1p-25f), 0x0400); /* rounds up into normal */
    assert_int_equal(h2g_f32_to_f16(-0.0f), 0x8000);
    assert_int_equal(h2g_f32_to_f16(from_bits(0x00000001)), 0x0000); /* f32 subnormal */
    assert_int_equal(h2g_f32_to_f16(from_bits(0x7fc00000)), 0x7e00);  /* quiet NaN */
    assert_int_equal(h2g_f32_to_f16(from_bits(0x7f800001)), 0x7c01);  /* payload kept */
}

/* The vectorised row encoder (F16C when present) equals the scalar rule,
 * NaN groups included. */
static void test_f16_rows(void **state) {
    (void)state;
    enum { N = 4096 + 5 };
    static float x[N];
    static uint8_t out[2 * N];
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = from_bits(seed);
    }
    x[7] = NAN;
    x[100] = from_bits(0x7f800001);
    x[101] = 65520.0f;
    assert_int_equal(h2g_encode_f32(H2G_GGML_F16, x, out, N), 0);
    for (int i = 0; i < N; i++) {
        uint16_t h = (uint16_t)(out[2 * i] | out[2 * i + 1] << 8);
        assert_int_equal(h, h2g_f32_to_f16(x[i]));
    }
}

/* ---- bf16 ---- */

static void test_bf16(void **state) {
    (void)state;
    assert_int_equal(h2g_f32_to_bf16(from_bits(0x3f808000)), 0x3f80); /* tie -> even (down) */
    assert_int_equal(h2g_f32_to_bf16(from_bits(0x3f818000)), 0x3f82); /* tie -> even (up) */
    assert_int_equal(h2g_f32_to_bf16(from_bits(0x3f808001)), 0x3f81);
    assert_int_equal(h2g_f32_to_bf16(from_bits(0x7f800001)), 0x7fc0); /* NaN made quiet */
    assert_int_equal(h2g_f32_to_bf16(from_bits(0xffc00001)), 0xffc0);
    assert_int_equal(h2g_f32_to_bf16(INFINITY), 0x7f80);
    assert_int_equal(h2g_f32_to_bf16(-INFINITY), 0xff80);
    assert_int_equal(h2g_f32_to_bf16(from_bits(0x7f7fffff)), 0x7f80); /* max float -> inf */
    assert_int_equal(h2g_f32_to_bf16(from_bits(0x00000001)), 0x0000);
    assert_int_equal(h2g_f32_to_bf16(from_bits(0x00018000)), 0x0002); /* subnormal, not flushed */
    assert_int_equal(h2g_f32_to_bf16(-0.0f), 0x8000);
    for (uint32_t b = 0; b < 65536; b++) { /* bf16 -> f32 -> bf16 keeps non-NaNs */
        float f = h2g_bf16_to_f32((uint16_t)b);
        if (!isnan(f)) assert_int_equal(h2g_f32_to_bf16(f), b);
    }
}

/* ---- Q8_0 ---- */

static uint16_t block_d(const uint8_t *blk) { return (uint16_t)(blk[0] | blk[1] << 8); }

static void test_q8_0_zero_block(void **state) {
    (void)state;
    float x[32] = {0};
    uint8_t out[34];
    memset(out, 0xaa, sizeof out);
    h2g_quantize_q8_0(x, out, 32);
    for (int i = 0; i < 34; i++) assert_int_equal(out[i], 0);
}

static void test_q8_0_max_abs(void **state) {
    (void)state;
    float x[32];
    uint8_t out[34];
    for (int i = 0; i < 32; i++) x[i] = (float)i / 100.0f;
    x[5] = -2.0f; /* the max-abs value is negative */
    h2g_quantize_q8_0(x, out, 32);
    assert_int_equal((int8_t)out[2 + 5], -127);
    assert_int_equal(block_d(out), h2g_f32_to_f16(2.0f / 127.0f));
    x[5] = 2.0f;
    h2g_quantize_q8_0(x, out, 32);
    assert_int_equal((int8_t)out[2 + 5], 127);
}

static void test_q8_0_by_hand(void **state) {
    (void)state;
    /* amax 127 -> d = 1, id = 1: quants are the values rounded half away */
    float x[32] = {127.0f, -127.0f, 2.5f, -2.5f, 0.5f, -0.5f, 0.49999997f, 1.5f, 3.4f, -3.6f};
    uint8_t out[34];
    h2g_quantize_q8_0(x, out, 32);
    assert_int_equal(block_d(out), 0x3c00); /* fp16(1.0) */
    const int8_t want[10] = {127, -127, 3, -3, 1, -1, 0, 2, 3, -4};
    for (int i = 0; i < 10; i++) assert_int_equal((int8_t)out[2 + i], want[i]);
    for (int i = 10; i < 32; i++) assert_int_equal(out[2 + i], 0);
}

static void test_q8_0_unrounded_scale(void **state) {
    (void)state;
    /* d = 1/127 is not exact in f16; quants use the float32 d, not fp16(d) */
    float x[32];
    uint8_t out[34];
    for (int i = 0; i < 32; i++) x[i] = (float)(i - 16) / 16.0f;
    x[0] = 1.0f;
    h2g_quantize_q8_0(x, out, 32);
    float d = 1.0f / 127.0f, id = 1.0f / d;
    for (int i = 0; i < 32; i++) assert_int_equal((int8_t)out[2 + i], (int)roundf(x[i] * id));
    assert_int_equal(block_d(out), h2g_f32_to_f16(d));
}

static void test_row_sizes(void **state) {
    (void)state;
    assert_int_equal(h2g_encoded_size(H2G_GGML_F32, 64), 256);
    assert_int_equal(h2g_encoded_size(H2G_GGML_F16, 64), 128);
    assert_int_equal(h2g_encoded_size(H2G_GGML_BF16, 64), 128);
    assert_int_equal(h2g_encoded_size(H2G_GGML_Q8_0, 64), 68);
    float x[33] = {0};
    uint8_t out[200];
    assert_int_equal(h2g_encode_f32(H2G_GGML_Q8_0, x, out, 33), -1); /* not whole blocks */
    assert_int_equal(h2g_decode_f32(H2G_DT_I32, out, x, 1), -1);      /* not a float dtype */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e4m3_all_codes),  cmocka_unit_test(test_e5m2),
        cmocka_unit_test(test_f16_roundtrip_all), cmocka_unit_test(test_f16_rounding),
        cmocka_unit_test(test_f16_rows),        cmocka_unit_test(test_bf16),
        cmocka_unit_test(test_q8_0_zero_block), cmocka_unit_test(test_q8_0_max_abs),
        cmocka_unit_test(test_q8_0_by_hand),    cmocka_unit_test(test_q8_0_unrounded_scale),
        cmocka_unit_test(test_row_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
