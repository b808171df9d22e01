/* test_int4.c - compressed-tensors pack-quantized INT4 sources
 * (src/arch/quant_packed.c, src/plan/transform.c): quantization_config
 * reading and the refusals (NVFP4, MXFP4, asymmetric, other widths), then
 * the dequantization of every routed expert of kimi-k2-int4-tiny, in pieces
 * of many sizes, against a decoding written here from the format's
 * definition: value = (nibble - 8) * scale[row][col / 32] in float32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"
#include "base/util.h"
#include "hf2gguf/checkout.h"
#include "hf2gguf/numeric.h"
#include "plan/transform.h"

/* ---------------------------------------------------------------------------
 * quantization_config
 * ------------------------------------------------------------------------- */

/* A config whose quantization_config is `qc` (JSON text). */
static int read_qc(const char *qc, h2g_quant *q, h2g_error *err) {
    char *text = h2g_strfmt("{\"quantization_config\": %s}", qc);
    cJSON *config = cJSON_Parse(text);
    assert_non_null(config);
    int rc = h2g_quant_read(config, q, err);
    cJSON_Delete(config);
    free(text);
    return rc;
}

#define GROUP(w) "{\"group_0\": {\"targets\": [\"Linear\"], \"weights\": " w "}}"
#define INT4 "{\"num_bits\": 4, \"group_size\": 32, \"strategy\": \"group\", \"symmetric\": true, \"type\": \"int\"}"

static void refused(const char *qc, const char *fragment) {
    h2g_quant q;
    h2g_error err;
    assert_int_equal(read_qc(qc, &q, &err), -1);
    if (!strstr(err.msg, fragment)) fail_msg("'%s' lacks '%s'", err.msg, fragment);
}

static void test_config(void **state) {
    (void)state;
    h2g_quant q;
    h2g_error err;
    assert_int_equal(read_qc("{\"quant_method\": \"compressed-tensors\", \"format\": "
                             "\"pack-quantized\", \"config_groups\": " GROUP(INT4) "}",
                             &q, &err), 0);
    assert_int_equal(q.pack_bits, 4);
    assert_int_equal(q.pack_group, 32);
    assert_false(q.fp8);
    refused("{\"quant_method\": \"compressed-tensors\", \"format\": \"nvfp4-pack-quantized\"}",
            "format 'nvfp4-pack-quantized' is NVFP4, which llama.cpp writes as GGML NVFP4 "
            "blocks (type 40) that hf2gguf does not write yet; convert the model's bf16 or "
            "fp8 release instead");
    refused("{\"quant_method\": \"modelopt\", \"quant_algo\": \"NVFP4\"}", "quant_algo 'NVFP4' is NVFP4");
    refused("{\"quant_method\": \"mxfp4\"}", "quant_method 'mxfp4' is not supported for "
                                              "DeepSeek-family models");
    refused("{\"quant_method\": \"gptq\"}", "quant_method 'gptq' is not supported");
    refused("{\"quant_method\": \"compressed-tensors\", \"format\": \"float-quantized\"}",
            "compressed-tensors format 'float-quantized' is not supported");
    refused("{\"quant_method\": \"compressed-tensors\", \"format\": \"pack-quantized\", "
            "\"config_groups\": " GROUP("{\"num_bits\": 4, \"group_size\": 32, \"strategy\": "
                                        "\"group\", \"symmetric\": false}") "}",
            "asymmetric INT4 (with zero points) is not supported");
    refused("{\"quant_method\": \"compressed-tensors\", \"format\": \"pack-quantized\", "
            "\"config_groups\": " GROUP("{\"num_bits\": 8, \"group_size\": 32, \"strategy\": "
                                        "\"group\"}") "}",
            "num_bits 8; hf2gguf converts 4-bit");
    refused("{\"quant_method\": \"compressed-tensors\", \"format\": \"pack-quantized\", "
            "\"config_groups\": " GROUP("{\"num_bits\": 4, \"group_size\": 32, \"strategy\": "
                                        "\"channel\"}") "}",
            "strategy 'channel'; pack-quantized sources must be type int, strategy group");
    refused("{\"quant_method\": \"compressed-tensors\", \"format\": \"pack-quantized\", "
            "\"config_groups\": {\"a\": {\"weights\": " INT4 "}, \"b\": {\"weights\": " INT4 "}}}",
            "config_groups has 2 groups");
}

/* ---------------------------------------------------------------------------
 * Dequantization
 * ------------------------------------------------------------------------- */

/* The value at (r, c) of a packed weight, decoded straight from the mapped
 * shard: code c of row r is bits 4*(c%8) of little-endian word r*W + c/8. */
static float expected_value(const h2g_checkout *co, const h2g_source *s, uint64_t r, uint64_t c) {
    const uint8_t *w = h2g_checkout_data(co, s->tensor) + 4 * (r * s->tensor->shape[1] + c / 8);
    uint32_t word = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 |
                    (uint32_t)w[3] << 24;
    int q = (int)((word >> (4 * (c % 8))) & 15) - 8;
    const uint8_t *sc = h2g_checkout_data(co, s->scale) + 2 * (r * s->scale->shape[1] + c / 32);
    return (float)q * h2g_bf16_to_f32((uint16_t)(sc[0] | sc[1] << 8));
}

static void test_dequantize(void **state) {
    (void)state;
    char *dir = h2g_path_join(TEST_DATA_DIR, "kimi-k2-int4-tiny");
    h2g_checkout co;
    h2g_error err;
    h2g_quant q;
    if (h2g_checkout_open(&co, dir, &err) != 0 || h2g_quant_read(co.config, &q, &err) != 0)
        fail_msg("%s", err.msg);
    h2g_scratch sc;
    assert_int_equal(h2g_scratch_init(&sc, &err), 0);
    size_t packed = 0, negative_words = 0, minus_eight = 0;
    for (size_t i = 0; i < co.n_tensors; i++) {
        const h2g_st_tensor *t = &co.tensors[i];
        if (!h2g_is_packed_weight(t->name)) continue;
        h2g_source src;
        if (h2g_source_make(&co, &q, t, &src, &err) != 0) fail_msg("%s", err.msg);
        assert_int_equal(src.rows, 64);
        assert_int_equal(h2g_source_elements(&src), 64 * 64);
        h2g_plan_tensor pt = {.info = {.n_dims = 2, .ne = {src.cols, src.rows, 1, 1}},
                              .transform = H2G_XF_CONVERT, .src = &src, .n_src = 1};
        /* Pieces of 32 and 96 elements start mid-row and mid-word-group. */
        for (uint64_t piece = 32; piece <= 4096; piece = piece == 32 ? 96 : piece == 96 ? 4096 : 8192) {
            h2g_set_chunk_elems(piece);
            h2g_chunk c;
            for (uint64_t first = 0; h2g_chunk_at(&pt, first, &c); first += c.count) {
                uint64_t read = 0;
                if (h2g_chunk_values(&co, &c, &sc, &read, &err) != 0) fail_msg("%s", err.msg);
                for (uint64_t k = 0; k < c.count; k++) {
                    uint64_t e = c.first + k;
                    float want = expected_value(&co, &src, e / src.cols, e % src.cols);
                    if (memcmp(&want, &sc.values[k], 4))
                        fail_msg("%s element %llu: %g, expected %g", t->name,
                                 (unsigned long long)e, sc.values[k], want);
                }
            }
        }
        const uint8_t *b = h2g_checkout_data(&co, t);
        for (uint64_t w = 0; w < t->n_elements; w++) {
            negative_words += (b[4 * w + 3] & 0x80) != 0;
            for (int n = 0; n < 8; n++) minus_eight += ((b[4 * w + n / 2] >> (4 * (n % 2))) & 15) == 0;
        }
        packed++;
    }
    h2g_set_chunk_elems(H2G_CHUNK_ELEMS);
    /* 2 layers x 8 experts x 3 projections; the fixture has the edge cases. */
    assert_int_equal(packed, 48);
    assert_true(negative_words > 0);
    assert_true(minus_eight > 0);
    h2g_scratch_free(&sc);
    h2g_checkout_close(&co);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_dequantize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
