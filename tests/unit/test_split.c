/* test_split.c - split outputs (--split-max-tensors / --split-max-size):
 * the files, merged, hold exactly the unsplit output's KVs and tensors, and
 * carry the split.* keys llama.cpp's loader checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/split.h"
#include "base/util.h"

#define WORKDIR_NAME "split"
#include "workdir.h"

static void run_ok(const char *cmd) {
    int rc = system(cmd);
    if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) fail_msg("command failed: %s", cmd);
}

/* Two KVs are the same key, type and value. */
static bool same_kv(const h2g_kv *a, const h2g_kv *b) {
    if (a->key.len != b->key.len || memcmp(a->key.data, b->key.data, a->key.len) || a->type != b->type)
        return false;
    if (a->type == H2G_VT_STRING) return a->str.len == b->str.len && !memcmp(a->str.data, b->str.data, a->str.len);
    if (a->type != H2G_VT_ARRAY) return a->num.u64 == b->num.u64;
    if (a->arr_type != b->arr_type || a->n != b->n) return false;
    if (a->arr_type != H2G_VT_STRING) return !memcmp(a->arr, b->arr, a->n * h2g_value_type_size(a->arr_type));
    for (uint64_t i = 0; i < a->n; i++)
        if (a->strs[i].len != b->strs[i].len || memcmp(a->strs[i].data, b->strs[i].data, a->strs[i].len))
            return false;
    return true;
}

/* Converts v3-tiny whole and split with `flags`; checks n_files and merges. */
static void check_split(const char *flags, size_t n_files) {
    char *whole = h2g_strfmt("%s/whole.gguf", workdir), *split = h2g_strfmt("%s/split.gguf", workdir);
    char *cmd = h2g_strfmt("%s convert %s/deepseek-v3-tiny --outtype q8_0 --outfile %s --force --quiet && "
                           "%s convert %s/deepseek-v3-tiny --outtype q8_0 --outfile %s --force --quiet %s",
                           HF2GGUF_BIN, TEST_DATA_DIR, whole, HF2GGUF_BIN, TEST_DATA_DIR, split, flags);
    run_ok(cmd);
    h2g_gguf_file w;
    h2g_error err;
    assert_int_equal(h2g_gguf_open(&w, whole, &err), 0);
    size_t next_tensor = 0;
    for (size_t f = 0; f < n_files; f++) {
        char *path = h2g_split_path(split, f, n_files);
        h2g_gguf_file s;
        if (h2g_gguf_open(&s, path, &err) != 0) fail_msg("%s", err.msg);
        uint32_t u;
        const h2g_kv *no = h2g_kv_get(&s.kv, "split.no"), *count = h2g_kv_get(&s.kv, "split.count");
        const h2g_kv *total = h2g_kv_get(&s.kv, "split.tensors.count");
        assert_true(no && no->type == H2G_VT_UINT16 && no->num.u64 == f);
        assert_true(count && count->type == H2G_VT_UINT16 && count->num.u64 == n_files);
        assert_true(total && total->type == H2G_VT_INT32 && total->num.u64 == w.n_tensors);
        (void)u;
        if (f == 0) { /* all model KVs, in order, then the three split keys */
            assert_int_equal(s.kv.n, w.kv.n + 3);
            for (size_t k = 0; k < w.kv.n; k++) assert_true(same_kv(&s.kv.items[k], &w.kv.items[k]));
            assert_string_equal(s.kv.items[w.kv.n].key.data, "split.no");
        } else {
            assert_int_equal(s.kv.n, 3);
        }
        for (size_t t = 0; t < s.n_tensors; t++, next_tensor++) {
            const h2g_tensor_info *a = &s.tensors[t], *b = &w.tensors[next_tensor];
            assert_string_equal(a->name, b->name);
            assert_int_equal(a->type, b->type);
            assert_memory_equal(a->ne, b->ne, sizeof a->ne);
            assert_int_equal(a->nbytes, b->nbytes);
            assert_memory_equal(h2g_gguf_tensor_data(&s, t), h2g_gguf_tensor_data(&w, next_tensor), a->nbytes);
        }
        h2g_gguf_close(&s);
        free(path);
    }
    assert_int_equal(next_tensor, w.n_tensors);
    h2g_gguf_close(&w);
    free(cmd);
    free(whole);
    free(split);
}

static void test_split_max_tensors(void **state) {
    (void)state;
    check_split("--split-max-tensors 20", 4); /* 70 tensors: 20 + 20 + 20 + 10 */
}

static void test_split_max_size(void **state) {
    (void)state;
    check_split("--split-max-size 100K", 5); /* by the rule, from the q8_0 sizes */
}

static void test_no_tensor_first(void **state) {
    (void)state;
    check_split("--split-max-tensors 40 --no-tensor-first-split", 3); /* 0 + 40 + 30 */
}

static void test_split_names(void **state) {
    (void)state;
    char *p = h2g_split_path("dir/model.gguf", 1, 3);
    assert_string_equal(p, "dir/model-00002-of-00003.gguf");
    free(p);
    uint64_t v;
    assert_true(h2g_parse_size("50G", &v) && v == 50000000000ull);
    assert_true(h2g_parse_size("300m", &v) && v == 300000000ull);
    assert_false(h2g_parse_size("12X", &v));
    assert_false(h2g_parse_size("-5", &v));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_max_tensors), cmocka_unit_test(test_split_max_size),
        cmocka_unit_test(test_no_tensor_first), cmocka_unit_test(test_split_names),
    };
    return cmocka_run_group_tests(tests, workdir_setup, workdir_teardown);
}
