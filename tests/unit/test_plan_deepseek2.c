/* test_plan_deepseek2.c - the deepseek2 module's plans against the reference
 * converter's manifests: every tensor's name, order, type and shape, and
 * every KV key in order, for each fixture and outtype. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/convert.h"
#include "base/util.h"

static cJSON *load_manifest(const char *fixture, const char *outtype) {
    char *path = h2g_strfmt("%s/%s/expected/%s-%s.manifest.json", TEST_DATA_DIR, fixture,
                            fixture, outtype);
    char *text;
    size_t len;
    h2g_error err;
    assert_int_equal(h2g_read_small_file(path, path, 1 << 26, false, &text, &len, &err), 0);
    cJSON *m = cJSON_Parse(text);
    assert_non_null(m);
    free(text);
    free(path);
    return m;
}

/* Plans fixture/outtype and compares it with the manifest. */
static void check_plan(const char *fixture, const char *outtype_name) {
    char *dir = h2g_path_join(TEST_DATA_DIR, fixture);
    h2g_checkout co;
    h2g_error err = {{0}};
    if (h2g_checkout_open(&co, dir, &err) != 0) fail_msg("open %s: %s", dir, err.msg);
    h2g_convert_options o;
    h2g_convert_options_init(&o);
    assert_true(h2g_outtype_parse(outtype_name, &o.outtype));
    h2g_plan plans[H2G_MAX_OUTPUTS];
    size_t n;
    if (h2g_convert_plan(&co, &o, plans, &n, &err) != 0) fail_msg("plan %s: %s", fixture, err.msg);
    assert_int_equal(n, 1);
    const h2g_plan *p = &plans[0];

    cJSON *m = load_manifest(fixture, strcmp(outtype_name, "auto") ? outtype_name : "bf16");
    const cJSON *order = cJSON_GetObjectItem(m, "tensor_order");
    const cJSON *tensors = cJSON_GetObjectItem(m, "tensors");
    assert_int_equal(cJSON_GetArraySize(order), p->n_tensors);
    for (size_t i = 0; i < p->n_tensors; i++) {
        const h2g_tensor_info *t = &p->tensors[i].info;
        const char *want = cJSON_GetArrayItem(order, (int)i)->valuestring;
        if (strcmp(t->name, want)) fail_msg("%s tensor %zu: %s, expected %s", fixture, i, t->name, want);
        const cJSON *e;
        cJSON_ArrayForEach(e, tensors) {
            if (strcmp(cJSON_GetObjectItem(e, "name")->valuestring, want)) continue;
            const char *type = cJSON_GetObjectItem(e, "ggml_type")->valuestring;
            if (strcmp(h2g_ggml_type_name(t->type), type))
                fail_msg("%s %s: type %s, expected %s", fixture, want,
                         h2g_ggml_type_name(t->type), type);
            const cJSON *shape = cJSON_GetObjectItem(e, "shape");
            assert_int_equal(cJSON_GetArraySize(shape), t->n_dims);
            for (uint32_t d = 0; d < t->n_dims; d++)
                assert_int_equal((uint64_t)cJSON_GetArrayItem(shape, (int)d)->valuedouble, t->ne[d]);
            assert_int_equal((uint64_t)cJSON_GetObjectItem(e, "nbytes")->valuedouble, t->nbytes);
        }
    }
    const cJSON *kv_order = cJSON_GetObjectItem(m, "kv_order");
    assert_int_equal(cJSON_GetArraySize(kv_order), p->kv.n);
    for (size_t i = 0; i < p->kv.n; i++) {
        const char *want = cJSON_GetArrayItem(kv_order, (int)i)->valuestring;
        if (strcmp(p->kv.items[i].key.data, want))
            fail_msg("%s KV %zu: %s, expected %s", fixture, i, p->kv.items[i].key.data, want);
    }
    const cJSON *layout = cJSON_GetObjectItem(m, "layout");
    assert_int_equal((uint64_t)cJSON_GetObjectItem(layout, "data_offset")->valuedouble,
                     p->data_offset);
    assert_int_equal((uint64_t)cJSON_GetObjectItem(layout, "file_size")->valuedouble,
                     p->data_offset + p->data_size);

    cJSON_Delete(m);
    h2g_plan_free(&plans[0]);
    h2g_checkout_close(&co);
    free(dir);
}

static void test_v2_lite(void **state) {
    (void)state;
    const char *types[] = {"f32", "f16", "bf16", "q8_0", "auto"};
    for (int i = 0; i < 5; i++) check_plan("deepseek-v2-lite-tiny", types[i]);
}

static void test_v3(void **state) {
    (void)state;
    const char *types[] = {"f32", "f16", "bf16", "q8_0", "auto"};
    for (int i = 0; i < 5; i++) check_plan("deepseek-v3-tiny", types[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_lite),
        cmocka_unit_test(test_v3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
