/* test_quant_plan.c - llama-quantize's stage of the plan (--quantize):
 *   - for the six text fixtures and all 20 file types, the planned file
 *     against llama-quantize's manifest: tensor order, every tensor's type,
 *     shape and offset, KV order, file size; where there is no manifest
 *     (llama-quantize refused), the plan is refused for want of an
 *     importance matrix;
 *   - use_more_bits for the real layer counts (quantization-reference §2.8);
 *   - real DeepSeek-V3 shapes (no weights needed): the type choices of §2.8.1
 *     and the file sizes of §2.9;
 *   - type names, aliases, case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/convert.h"
#include "hf2gguf/ftype.h"
#include "base/util.h"
#include "plan/quant_rules.h"

/* ---------------------------------------------------------------------------
 * Fixtures against llama-quantize's manifests
 * ------------------------------------------------------------------------- */

static cJSON *load_json(const char *path) {
    char *text;
    size_t len;
    h2g_error err;
    if (access(path, R_OK) != 0) return NULL;
    assert_int_equal(h2g_read_small_file(path, path, 1 << 26, false, &text, &len, &err), 0);
    cJSON *m = cJSON_Parse(text);
    assert_non_null(m);
    free(text);
    return m;
}

static const cJSON *manifest_tensor(const cJSON *m, const char *name) {
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(m, "tensors"))
        if (!strcmp(cJSON_GetObjectItem(e, "name")->valuestring, name)) return e;
    return NULL;
}

static void compare_tensor(const char *what, const h2g_tensor_info *t, const cJSON *m) {
    const cJSON *e = manifest_tensor(m, t->name);
    if (!e) fail_msg("%s: %s is not in the manifest", what, t->name);
    const char *type = cJSON_GetObjectItem(e, "ggml_type")->valuestring;
    if (strcmp(h2g_ggml_type_name(t->type), type))
        fail_msg("%s %s: type %s, expected %s", what, t->name, h2g_ggml_type_name(t->type), type);
    const cJSON *shape = cJSON_GetObjectItem(e, "shape");
    assert_int_equal(cJSON_GetArraySize(shape), t->n_dims);
    for (uint32_t d = 0; d < t->n_dims; d++)
        assert_int_equal((uint64_t)cJSON_GetArrayItem(shape, (int)d)->valuedouble, t->ne[d]);
    const cJSON *offs = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "layout"), "tensor_offsets");
    assert_int_equal((uint64_t)cJSON_GetObjectItem(offs, t->name)->valuedouble, t->offset);
}

static void compare_plan(const char *what, const h2g_plan *p, const cJSON *m) {
    const cJSON *order = cJSON_GetObjectItem(m, "tensor_order");
    assert_int_equal(cJSON_GetArraySize(order), p->n_tensors);
    for (size_t i = 0; i < p->n_tensors; i++) {
        const char *want = cJSON_GetArrayItem(order, (int)i)->valuestring;
        if (strcmp(p->tensors[i].info.name, want))
            fail_msg("%s tensor %zu: %s, expected %s", what, i, p->tensors[i].info.name, want);
        compare_tensor(what, &p->tensors[i].info, m);
    }
    const cJSON *kv = cJSON_GetObjectItem(m, "kv_order");
    assert_int_equal(cJSON_GetArraySize(kv), p->kv.n);
    for (size_t i = 0; i < p->kv.n; i++)
        if (strcmp(p->kv.items[i].key.data, cJSON_GetArrayItem(kv, (int)i)->valuestring))
            fail_msg("%s KV %zu: %s, expected %s", what, i, p->kv.items[i].key.data,
                     cJSON_GetArrayItem(kv, (int)i)->valuestring);
    const cJSON *layout = cJSON_GetObjectItem(m, "layout");
    assert_int_equal((uint64_t)cJSON_GetObjectItem(layout, "file_size")->valuedouble,
                     p->data_offset + p->data_size);
    assert_int_equal((uint64_t)cJSON_GetObjectItem(layout, "data_offset")->valuedouble,
                     p->data_offset);
}

/* Plans fixture with --quantize for every file type. */
static void check_fixture(const char *fixture) {
    char *dir = h2g_path_join(TEST_DATA_DIR, fixture);
    h2g_checkout co;
    h2g_error err = {{0}};
    if (h2g_checkout_open(&co, dir, &err) != 0) fail_msg("open %s: %s", dir, err.msg);
    size_t n_types;
    const h2g_ftype *types = h2g_ftype_list(&n_types);
    assert_int_equal(n_types, 20);
    for (size_t k = 0; k < n_types; k++) {
        char what[128];
        snprintf(what, sizeof what, "%s %s", fixture, types[k].name);
        char *path = h2g_strfmt("%s/expected/%s-%s.manifest.json", dir, fixture, types[k].name);
        cJSON *m = load_json(path);
        free(path);
        h2g_convert_options o;
        h2g_convert_options_init(&o);
        o.quantize = &types[k];
        h2g_plan plans[H2G_MAX_OUTPUTS];
        size_t n = 0;
        int rc = h2g_convert_plan(&co, &o, plans, &n, &err);
        if (!m) { /* llama-quantize refused this type for this checkout */
            if (rc == 0) fail_msg("%s: planned, but llama-quantize refuses it", what);
            assert_non_null(strstr(err.msg, "importance matrix"));
            continue;
        }
        if (rc != 0) fail_msg("%s: %s", what, err.msg);
        assert_int_equal(n, 1);
        assert_ptr_equal(plans[0].ftype, &types[k]);
        compare_plan(what, &plans[0], m);
        h2g_plan_free(&plans[0]);
        cJSON_Delete(m);
    }
    h2g_checkout_close(&co);
    free(dir);
}

static void test_v2_lite(void **state) { (void)state; check_fixture("deepseek-v2-lite-tiny"); }
static void test_v3(void **state) { (void)state; check_fixture("deepseek-v3-tiny"); }
static void test_v3_fp8(void **state) { (void)state; check_fixture("deepseek-v3-fp8-tiny"); }
static void test_ocr(void **state) { (void)state; check_fixture("deepseek-ocr-tiny"); }
static void test_v3_q(void **state) { (void)state; check_fixture("deepseek-v3-q-tiny"); }
static void test_v3_qr(void **state) { (void)state; check_fixture("deepseek-v3-qr-tiny"); }

/* ---------------------------------------------------------------------------
 * use_more_bits (§2.8's lists)
 * ------------------------------------------------------------------------- */

static void check_more_bits(int n, const int *want, size_t n_want) {
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        bool in = k < n_want && want[k] == i;
        if (in) k++;
        if (h2g_quant_more_bits(i, n) != in) fail_msg("more_bits(%d, %d) should be %d", i, n, in);
    }
}

static void test_more_bits(void **state) {
    (void)state;
    static const int v3[] = {0, 1, 2, 3, 4, 5, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39,
                             42, 45, 48, 51, 53, 54, 55, 56, 57, 58, 59, 60};
    static const int lite[] = {0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 24, 25, 26};
    static const int ocr[] = {0, 3, 6, 9, 10, 11};
    check_more_bits(61, v3, sizeof v3 / sizeof v3[0]);
    check_more_bits(27, lite, sizeof lite / sizeof lite[0]);
    check_more_bits(12, ocr, sizeof ocr / sizeof ocr[0]);
}

/* ---------------------------------------------------------------------------
 * Real DeepSeek-V3 shapes, no weights
 * ------------------------------------------------------------------------- */

static h2g_source no_source;

static void add(h2g_plan *p, const char *name, uint32_t type, uint32_t n_dims, uint64_t a,
                uint64_t b, uint64_t c) {
    uint64_t ne[3] = {a, b, c};
    h2g_error err;
    assert_true(h2g_plan_add(p, name, type, n_dims, ne, H2G_XF_CONVERT, &no_source, 1, &err) >= 0);
}

/* The converter's bf16 plan of DeepSeek-V3 (61 layers, 3 dense, 256
 * experts), in converter order (the stage sorts it). */
static void v3_plan(h2g_plan *p) {
    enum { F32 = 0, BF16 = 30 };
    h2g_error err;
    memset(p, 0, sizeof *p);
    p->role = "model";
    p->outtype = H2G_OUT_BF16;
    assert_int_equal(h2g_kv_set_str(&p->kv, "general.architecture", "deepseek2", &err), 0);
    assert_int_equal(h2g_kv_set_u32(&p->kv, "deepseek2.block_count", 61, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&p->kv, "general.file_type", 32, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&p->kv, "deepseek2.attention.head_count", 128, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&p->kv, "deepseek2.attention.head_count_kv", 1, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&p->kv, "deepseek2.expert_count", 256, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&p->kv, "general.quantization_version", 2, &err), 0);
    add(p, "token_embd.weight", BF16, 2, 7168, 129280, 1);
    for (int l = 0; l < 61; l++) {
        char n[96];
#define T(suffix, type, nd, a, b, c) \
    snprintf(n, sizeof n, "blk.%d." suffix, l); \
    add(p, n, type, nd, a, b, c)
        T("attn_norm.weight", F32, 1, 7168, 1, 1);
        T("attn_q_a.weight", BF16, 2, 7168, 1536, 1);
        T("attn_q_a_norm.weight", F32, 1, 1536, 1, 1);
        T("attn_q_b.weight", BF16, 2, 1536, 24576, 1);
        T("attn_kv_a_mqa.weight", BF16, 2, 7168, 576, 1);
        T("attn_kv_a_norm.weight", F32, 1, 512, 1, 1);
        T("attn_k_b.weight", BF16, 3, 128, 512, 128);
        T("attn_v_b.weight", BF16, 3, 512, 128, 128);
        T("attn_output.weight", BF16, 2, 16384, 7168, 1);
        T("ffn_norm.weight", F32, 1, 7168, 1, 1);
        if (l < 3) {
            T("ffn_gate.weight", BF16, 2, 7168, 18432, 1);
            T("ffn_up.weight", BF16, 2, 7168, 18432, 1);
            T("ffn_down.weight", BF16, 2, 18432, 7168, 1);
            continue;
        }
        T("ffn_gate_inp.weight", F32, 2, 7168, 256, 1);
        T("exp_probs_b.bias", F32, 1, 256, 1, 1);
        T("ffn_gate_shexp.weight", BF16, 2, 7168, 2048, 1);
        T("ffn_up_shexp.weight", BF16, 2, 7168, 2048, 1);
        T("ffn_down_shexp.weight", BF16, 2, 2048, 7168, 1);
        T("ffn_down_exps.weight", BF16, 3, 2048, 7168, 256);
        T("ffn_gate_exps.weight", BF16, 3, 7168, 2048, 256);
        T("ffn_up_exps.weight", BF16, 3, 7168, 2048, 256);
#undef T
    }
    add(p, "output_norm.weight", F32, 1, 7168, 1, 1);
    add(p, "output.weight", BF16, 2, 7168, 129280, 1);
}

static uint32_t type_of(const h2g_plan *p, const char *name) {
    for (size_t i = 0; i < p->n_tensors; i++)
        if (!strcmp(p->tensors[i].info.name, name)) return p->tensors[i].info.type;
    fail_msg("no tensor %s", name);
    return 0;
}

/* Plans V3 as ftype `name`; returns the tensor bytes in GB (1e9). */
static double v3_quantized(const char *name, h2g_plan *p) {
    h2g_error err;
    v3_plan(p);
    if (h2g_quant_plan(p, h2g_ftype_find(name), &(h2g_quant_rules){0}, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    assert_int_equal(h2g_plan_layout(p, &err), 0);
    return (double)p->data_size / 1e9;
}

static void test_v3_real_shapes(void **state) {
    (void)state;
    static const struct { const char *ftype; double gb; } sizes[] = {
        {"Q4_0", 378.06}, {"Q2_K", 244.14}, {"Q3_K_M", 319.26}, {"Q4_K_S", 380.06},
        {"Q4_K_M", 404.49}, {"Q5_K_M", 475.42}, {"Q6_K", 550.92}, {"Q8_0", 713.28},
        {"IQ4_XS", 359.56}, {"MXFP4_MOE", 365.35}, {"TQ1_0", 143.02},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        h2g_plan p;
        double gb = v3_quantized(sizes[i].ftype, &p);
        if (gb < sizes[i].gb - 0.006 || gb > sizes[i].gb + 0.006)
            fail_msg("V3 %s: %.3f GB, expected %.2f", sizes[i].ftype, gb, sizes[i].gb);
        h2g_plan_free(&p);
    }
    /* Q4_K_M per tensor (§2.8.1) */
    h2g_plan p;
    v3_quantized("q4_k_m", &p);
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "output.weight")), "Q6_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "token_embd.weight")), "Q4_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.0.attn_k_b.weight")), "Q5_0");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.0.attn_v_b.weight")), "Q4_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.2.ffn_down.weight")), "Q6_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.6.ffn_down_exps.weight")), "Q6_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.7.ffn_down_exps.weight")), "Q4_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.9.ffn_down_shexp.weight")), "Q6_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.52.ffn_down_exps.weight")), "Q4_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.60.ffn_up_exps.weight")), "Q4_K");
    assert_string_equal(h2g_ggml_type_name(type_of(&p, "blk.3.ffn_gate_inp.weight")), "F32");
    /* sorted: non-block tensors first, then layers in numeric order */
    assert_string_equal(p.tensors[0].info.name, "output.weight");
    assert_string_equal(p.tensors[1].info.name, "output_norm.weight");
    assert_string_equal(p.tensors[2].info.name, "token_embd.weight");
    assert_string_equal(p.tensors[3].info.name, "blk.0.attn_k_b.weight");
    /* file_type and quantization_version last */
    assert_string_equal(p.kv.items[p.kv.n - 2].key.data, "general.quantization_version");
    assert_string_equal(p.kv.items[p.kv.n - 1].key.data, "general.file_type");
    assert_int_equal(p.kv.items[p.kv.n - 1].num.u64, 15);
    h2g_plan_free(&p);
    /* Q2_K_S needs an importance matrix on real shapes */
    h2g_error err;
    v3_plan(&p);
    assert_int_equal(h2g_quant_plan(&p, h2g_ftype_find("Q2_K_S"), NULL, &err), -1);
    assert_non_null(strstr(err.msg, "importance matrix"));
    h2g_plan_free(&p);
}

static void test_names(void **state) {
    (void)state;
    assert_string_equal(h2g_ftype_find("q4_k_m")->name, "Q4_K_M");
    assert_string_equal(h2g_ftype_find("Q4_K")->name, "Q4_K_M");
    assert_string_equal(h2g_ftype_find("q3_k")->name, "Q3_K_M");
    assert_string_equal(h2g_ftype_find("Q5_k")->name, "Q5_K_M");
    assert_string_equal(h2g_ftype_find("mxfp4_moe")->name, "MXFP4_MOE");
    assert_int_equal(h2g_ftype_find("Q4_K_M")->id, 15);
    assert_int_equal(h2g_ftype_find("Q8_0")->id, 7);
    assert_null(h2g_ftype_find("IQ2_XXS"));
    assert_null(h2g_ftype_find("Q6_K_M"));
    assert_null(h2g_ftype_find("bf16"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_more_bits),
        cmocka_unit_test(test_v3_real_shapes),
        cmocka_unit_test(test_v2_lite),
        cmocka_unit_test(test_v3),
        cmocka_unit_test(test_v3_fp8),
        cmocka_unit_test(test_ocr),
        cmocka_unit_test(test_v3_q),
        cmocka_unit_test(test_v3_qr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
