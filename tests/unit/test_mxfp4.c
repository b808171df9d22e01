/* test_mxfp4.c - DeepSeek-V4's number formats and their transforms
 * (numeric/e8m0.h, numeric/mxfp4.h, numeric/ids.h, plan/transform.h):
 *
 *  1. E8M0: all 256 scale bytes (0 is the subnormal 2^-127, 0xFF NaN);
 *  2. e2m1: all 16 codes;
 *  3. the MXFP4 repack of hand-made blocks (nibble order, scale first), and
 *     the same blocks as values;
 *  4. id narrowing: in range, out of range (refused), I32 sources;
 *  5. through the transforms, on a checkout written here: FP8 with E8M0
 *     scales over partial 128x128 blocks, a NaN scale refused, MXFP4 experts
 *     cut into small pieces equal to the whole repack, tid2eid ids out of
 *     range refused with the tensor, row and column named. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/ggml_type.h"
#include "hf2gguf/numeric.h"
#include "numeric/e8m0.h"
#include "numeric/ids.h"
#include "numeric/mxfp4.h"
#include "plan/transform.h"
#include "base/util.h"

#define WORKDIR_NAME "mxfp4"
#include "workdir.h"

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* ---------------------------------------------------------------------------
 * 1-4: the formats
 * ------------------------------------------------------------------------- */

static void test_e8m0_all_codes(void **state) {
    (void)state;
    for (int b = 0; b < 255; b++) {
        float v = h2g_e8m0_to_f32((uint8_t)b);
        assert_int_equal(bits(v), bits(ldexpf(1.0f, b - 127))); /* exact power of two */
    }
    assert_int_equal(bits(h2g_e8m0_to_f32(0)), 0x00400000u); /* subnormal 2^-127 */
    assert_int_equal(bits(h2g_e8m0_to_f32(127)), bits(1.0f));
    assert_int_equal(bits(h2g_e8m0_to_f32(254)), 0x7f000000u); /* 2^127 */
    assert_true(isnan(h2g_e8m0_to_f32(0xFF)));
    uint8_t all[256];
    float dec[256];
    for (int b = 0; b < 256; b++) all[b] = (uint8_t)b;
    h2g_e8m0_decode(all, dec, 256);
    for (int b = 0; b < 255; b++) assert_int_equal(bits(dec[b]), bits(h2g_e8m0_to_f32(all[b])));
    assert_int_equal(h2g_e8m0_find_nan(all, 255), -1);
    assert_int_equal(h2g_e8m0_find_nan(all, 256), 255);
    /* the generic decoder knows the dtype (FP8 scales go through it) */
    float one;
    assert_int_equal(h2g_decode_f32(H2G_DT_F8_E8M0, all + 130, &one, 1), 0);
    assert_true(one == 8.0f);
}

static void test_e2m1_all_codes(void **state) {
    (void)state;
    static const float want[16] = {0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  3.0f,  4.0f,  6.0f,
                                   -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};
    for (int c = 0; c < 16; c++) {
        assert_int_equal(bits(h2g_e2m1_to_f32((uint8_t)c)), bits(want[c]));
        assert_int_equal(bits(h2g_e2m1_to_f32((uint8_t)(c | 0xF0))), bits(want[c]));
    }
}

/* Packs 32 codes two a byte, element 2j in the low nibble. */
static void pack(const uint8_t *codes, uint8_t *out) {
    for (int j = 0; j < 16; j++) out[j] = (uint8_t)(codes[2 * j] | codes[2 * j + 1] << 4);
}

static void test_repack_blocks(void **state) {
    (void)state;
    uint8_t codes[2][32], packed[32], scales[2] = {0x7F, 0x81}, out[34];
    for (int i = 0; i < 32; i++) {
        codes[0][i] = (uint8_t)(i % 16);
        codes[1][i] = (uint8_t)((7 * i + 3) % 16);
    }
    pack(codes[0], packed);
    pack(codes[1], packed + 16);
    /* hand-checked first block: byte 1 holds elements 0 and 16 (0, 0),
     * byte 2 elements 1 and 17 (1, 1), byte 16 elements 15 and 31 */
    static const uint8_t first[17] = {0x7F, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                      0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
    h2g_mxfp4_repack(packed, scales, out, 2);
    assert_memory_equal(out, first, 17);
    assert_int_equal(out[17], 0x81);
    for (int j = 0; j < 16; j++)
        assert_int_equal(out[18 + j], codes[1][j] | codes[1][j + 16] << 4);
    float v[64];
    h2g_fp4_decode(packed, scales, v, 2);
    for (int i = 0; i < 32; i++) {
        assert_true(v[i] == h2g_e2m1_to_f32(codes[0][i]));
        assert_true(v[32 + i] == h2g_e2m1_to_f32(codes[1][i]) * 4.0f);
    }
}

static void test_ids(void **state) {
    (void)state;
    int64_t in[5] = {0, 3, 1, 2, 3};
    uint8_t src[40], dst[20];
    memcpy(src, in, sizeof in); /* host is little-endian */
    int64_t bad = 0;
    assert_int_equal(h2g_ids_to_i32(src, 8, dst, 5, 4, &bad), -1);
    for (int i = 0; i < 5; i++) {
        int32_t v;
        memcpy(&v, dst + 4 * i, 4);
        assert_int_equal(v, in[i]);
    }
    int64_t out_of_range[3][3] = {{0, 4, 1}, {0, 1, -1}, {0, 0, (int64_t)1 << 40}};
    long where[3] = {1, 2, 2};
    for (int k = 0; k < 3; k++) {
        memcpy(src, out_of_range[k], 24);
        assert_int_equal(h2g_ids_to_i32(src, 8, dst, 3, 4, &bad), where[k]);
        assert_true(bad == out_of_range[k][where[k]]);
    }
    int32_t in32[3] = {2, -7, 1};
    memcpy(src, in32, sizeof in32);
    assert_int_equal(h2g_ids_to_i32(src, 4, dst, 3, 4, &bad), 1);
    assert_true(bad == -7);
}

/* ---------------------------------------------------------------------------
 * 5: through the transforms
 * ------------------------------------------------------------------------- */

/* A checkout in workdir/name: config.json and one model.safetensors with
 * the given header and data. */
static void open_written(h2g_checkout *co, const char *name, const char *header,
                         const uint8_t *data, size_t len) {
    char *dir = h2g_strfmt("%s/%s", workdir, name);
    char *cmd = h2g_strfmt("mkdir -p %s && cp " TEST_DATA_DIR
                           "/deepseek-v4-tiny/config.json %s/", dir, dir);
    assert_int_equal(system(cmd), 0);
    char *st = h2g_strfmt("%s/model.safetensors", dir);
    FILE *f = fopen(st, "wb");
    assert_non_null(f);
    uint64_t n = strlen(header);
    for (int i = 0; i < 8; i++) fputc((int)(n >> (8 * i)) & 0xff, f);
    fputs(header, f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    h2g_error err;
    if (h2g_checkout_open(co, dir, &err) != 0) fail_msg("%s", err.msg);
    free(st);
    free(cmd);
    free(dir);
}

static const h2g_st_tensor *tensor(const h2g_checkout *co, const char *name) {
    long i = h2g_checkout_find(co, name);
    assert_true(i >= 0);
    return &co->tensors[i];
}

/* An F8_E4M3 weight [130, 129] (partial blocks in both dims) with E8M0
 * scales [2, 2]: each element is e4m3(q) * 2^(s - 127) of its block,
 * cropped at the edges; then the same with a NaN scale, refused. */
static void test_fp8_partial_blocks(void **state) {
    (void)state;
    enum { R = 130, C = 129, W = R * C };
    uint8_t *data = malloc(W + 4);
    for (int i = 0; i < W; i++) data[i] = (uint8_t)((i * 37) % 0x7E); /* no NaN codes */
    uint8_t scale[4] = {127, 130, 120, 0}; /* 1, 8, 2^-7, 2^-127 */
    memcpy(data + W, scale, 4);
    char header[512];
    snprintf(header, sizeof header,
             "{\"a.scale\":{\"dtype\":\"F8_E8M0\",\"shape\":[2,2],\"data_offsets\":[%d,%d]},"
             "\"a.weight\":{\"dtype\":\"F8_E4M3\",\"shape\":[%d,%d],\"data_offsets\":[0,%d]}}",
             W, W + 4, R, C, W);
    h2g_checkout co;
    open_written(&co, "fp8", header, data, W + 4);
    h2g_source src = {tensor(&co, "a.weight"), tensor(&co, "a.scale"), 128, 128, 0, 0, 0};
    h2g_plan_tensor t = {.info = {.name = "a", .n_dims = 2, .ne = {C, R, 1, 1}, .type = 0},
                         .transform = H2G_XF_CONVERT, .src = &src, .n_src = 1};
    h2g_scratch s;
    h2g_error err = {{0}};
    assert_int_equal(h2g_scratch_init(&s, &err), 0);
    h2g_set_chunk_elems(96); /* pieces that start and end inside blocks */
    uint64_t at = 0, bytes = 0;
    h2g_chunk c;
    while (h2g_chunk_at(&t, at, &c)) {
        if (h2g_chunk_values(&co, &c, &s, &bytes, &err) != 0) fail_msg("%s", err.msg);
        for (uint64_t i = 0; i < c.count; i++) {
            uint64_t e = c.first + i, r = e / C, col = e % C;
            float want = h2g_e4m3_to_f32(data[e]) *
                         h2g_e8m0_to_f32(scale[(r / 128) * 2 + col / 128]);
            assert_int_equal(bits(s.values[i]), bits(want));
        }
        at += c.count;
    }
    assert_int_equal(at, W);
    h2g_checkout_close(&co);

    data[W + 3] = 0xFF;
    open_written(&co, "fp8-nan", header, data, W + 4);
    src = (h2g_source){tensor(&co, "a.weight"), tensor(&co, "a.scale"), 128, 128, 0, 0, 0};
    assert_true(h2g_chunk_at(&t, (uint64_t)W - 64, &c));
    assert_int_equal(h2g_chunk_values(&co, &c, &s, &bytes, &err), -1);
    assert_non_null(strstr(err.msg, "tensor 'a.scale': scale byte 0xFF (NaN in E8M0) for "
                                    "block [1, 1]"));
    h2g_checkout_close(&co);
    h2g_set_chunk_elems(H2G_CHUNK_ELEMS);
    h2g_scratch_free(&s);
    free(data);
}

/* Two FP4 experts [2, 64] (logical [2, 128]: 4 blocks a row) with scales
 * [2, 4]: the MXFP4 tensor cut in 64-value pieces equals the repack of the
 * whole, in expert order; a NaN scale is refused with its row and block. */
static void test_mxfp4_transform(void **state) {
    (void)state;
    uint8_t data[2 * 128 + 2 * 8];
    for (int i = 0; i < 256; i++) data[i] = (uint8_t)(i * 73 + 11);
    for (int i = 0; i < 16; i++) data[256 + i] = (uint8_t)(120 + i);
    const char *header =
        "{\"e0.scale\":{\"dtype\":\"F8_E8M0\",\"shape\":[2,4],\"data_offsets\":[256,264]},"
        "\"e0.weight\":{\"dtype\":\"I8\",\"shape\":[2,64],\"data_offsets\":[0,128]},"
        "\"e1.scale\":{\"dtype\":\"F8_E8M0\",\"shape\":[2,4],\"data_offsets\":[264,272]},"
        "\"e1.weight\":{\"dtype\":\"I8\",\"shape\":[2,64],\"data_offsets\":[128,256]}}";
    h2g_checkout co;
    open_written(&co, "fp4", header, data, sizeof data);
    h2g_source src[2] = {
        {tensor(&co, "e0.weight"), tensor(&co, "e0.scale"), 1, 32, 0, 0, 0},
        {tensor(&co, "e1.weight"), tensor(&co, "e1.scale"), 1, 32, 0, 0, 0},
    };
    h2g_plan_tensor t = {.info = {.name = "x", .n_dims = 3, .ne = {128, 2, 2, 1},
                                  .type = H2G_GGML_MXFP4},
                         .transform = H2G_XF_MXFP4, .src = src, .n_src = 2};
    uint8_t want[16 * 17];
    h2g_mxfp4_repack(data, data + 256, want, 16); /* experts are back to back */
    h2g_scratch s;
    h2g_error err = {{0}};
    assert_int_equal(h2g_scratch_init(&s, &err), 0);
    h2g_set_chunk_elems(64);
    uint64_t at = 0, bytes = 0;
    size_t len;
    h2g_chunk c;
    uint8_t got[16 * 17];
    while (h2g_chunk_at(&t, at, &c)) {
        assert_true(c.count == 64);
        if (h2g_chunk_encode(&co, &c, &s, &len, &bytes, &err) != 0) fail_msg("%s", err.msg);
        assert_int_equal(len, 2 * 17);
        memcpy(got + at / 32 * 17, s.out, len);
        at += c.count;
    }
    assert_int_equal(at, 512);
    assert_memory_equal(got, want, sizeof want);
    assert_int_equal(bytes, 256 + 16);
    h2g_checkout_close(&co);

    data[256 + 8 + 6] = 0xFF; /* e1's row 1, block 2 */
    open_written(&co, "fp4-nan", header, data, sizeof data);
    src[0] = (h2g_source){tensor(&co, "e0.weight"), tensor(&co, "e0.scale"), 1, 32, 0, 0, 0};
    src[1] = (h2g_source){tensor(&co, "e1.weight"), tensor(&co, "e1.scale"), 1, 32, 0, 0, 0};
    assert_true(h2g_chunk_at(&t, 448, &c));
    assert_int_equal(h2g_chunk_encode(&co, &c, &s, &len, &bytes, &err), -1);
    assert_non_null(strstr(err.msg, "tensor 'e1.scale': scale byte 0xFF (NaN in E8M0) at row "
                                    "1, block 2"));
    h2g_checkout_close(&co);
    h2g_set_chunk_elems(H2G_CHUNK_ELEMS);
    h2g_scratch_free(&s);
}

/* A tid2eid table [3, 2] of I64 with an id equal to the expert count. */
static void test_ids_transform(void **state) {
    (void)state;
    int64_t ids[6] = {0, 1, 2, 3, 4, 1};
    const char *header =
        "{\"t\":{\"dtype\":\"I64\",\"shape\":[3,2],\"data_offsets\":[0,48]}}";
    h2g_checkout co;
    open_written(&co, "ids", header, (const uint8_t *)ids, sizeof ids);
    h2g_source src = {tensor(&co, "t"), NULL, 0, 0, 0, 0, 0};
    h2g_plan_tensor t = {.info = {.name = "x", .n_dims = 2, .ne = {2, 3, 1, 1},
                                  .type = H2G_GGML_I32},
                         .transform = H2G_XF_IDS, .src = &src, .n_src = 1, .id_limit = 5};
    h2g_scratch s;
    h2g_error err = {{0}};
    assert_int_equal(h2g_scratch_init(&s, &err), 0);
    h2g_chunk c;
    uint64_t bytes = 0;
    size_t len;
    assert_true(h2g_chunk_at(&t, 0, &c));
    if (h2g_chunk_encode(&co, &c, &s, &len, &bytes, &err) != 0) fail_msg("%s", err.msg);
    assert_int_equal(len, 24);
    int32_t want[6] = {0, 1, 2, 3, 4, 1};
    assert_memory_equal(s.out, want, sizeof want);
    t.id_limit = 4;
    assert_int_equal(h2g_chunk_encode(&co, &c, &s, &len, &bytes, &err), -1);
    assert_string_equal(err.msg, "tensor 't': id 4 at [2, 0] is outside 0..3 (the expert "
                                 "count is 4)");
    h2g_checkout_close(&co);
    h2g_scratch_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e8m0_all_codes),   cmocka_unit_test(test_e2m1_all_codes),
        cmocka_unit_test(test_repack_blocks),    cmocka_unit_test(test_ids),
        cmocka_unit_test(test_fp8_partial_blocks), cmocka_unit_test(test_mxfp4_transform),
        cmocka_unit_test(test_ids_transform),
    };
    return cmocka_run_group_tests(tests, workdir_setup, workdir_teardown);
}
