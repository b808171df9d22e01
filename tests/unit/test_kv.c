/* test_kv.c - the ordered key/value list: order, replace in place, skipping
 * empty values, copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/kv.h"

/* Asserts that the list holds exactly the keys given, in order. */
static void assert_keys(const h2g_kv_list *l, const char *const *keys, size_t n) {
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(l->items[i].key.data, keys[i]);
        assert_int_equal(l->items[i].key.len, strlen(keys[i]));
    }
}

/* ---------------------------------------------------------------------------
 * Order and replacement
 * ------------------------------------------------------------------------- */

static void test_insertion_order(void **state) {
    (void)state;
    h2g_kv_list l = {0};
    h2g_error err = {0};
    assert_int_equal(h2g_kv_set_str(&l, "general.architecture", "deepseek2", &err), 0);
    assert_int_equal(h2g_kv_set_u32(&l, "deepseek2.block_count", 27, &err), 0);
    assert_int_equal(h2g_kv_set_f32(&l, "deepseek2.rope.freq_base", 10000.0f, &err), 0);
    assert_int_equal(h2g_kv_set_bool(&l, "tokenizer.ggml.add_bos_token", true, &err), 0);
    static const char *const keys[] = {"general.architecture", "deepseek2.block_count",
                                       "deepseek2.rope.freq_base",
                                       "tokenizer.ggml.add_bos_token"};
    assert_keys(&l, keys, 4);
    assert_int_equal(h2g_kv_find(&l, "deepseek2.block_count"), 1);
    assert_int_equal(h2g_kv_find(&l, "missing"), -1);
    assert_null(h2g_kv_get(&l, "deepseek2.block"));
    h2g_kv_list_free(&l);
    assert_int_equal(l.n, 0);
}

static void test_replace_keeps_position(void **state) {
    (void)state;
    h2g_kv_list l = {0};
    h2g_error err = {0};
    assert_int_equal(h2g_kv_set_u32(&l, "a", 1, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&l, "b", 2, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&l, "c", 3, &err), 0);
    /* Same type, new value. */
    assert_int_equal(h2g_kv_set_u32(&l, "b", 20, &err), 0);
    /* Another type: the slot keeps its place but changes type. */
    assert_int_equal(h2g_kv_set_str(&l, "a", "text", &err), 0);
    static const char *const keys[] = {"a", "b", "c"};
    assert_keys(&l, keys, 3);
    uint32_t v = 0;
    assert_true(h2g_kv_get_u32(&l, "b", &v));
    assert_int_equal(v, 20);
    const char *s = NULL;
    assert_true(h2g_kv_get_str(&l, "a", &s));
    assert_string_equal(s, "text");
    assert_false(h2g_kv_get_u32(&l, "a", &v)); /* wrong type */
    /* From string back to an array, then to a string array. */
    int32_t arr[3] = {-1, 0, 7};
    assert_int_equal(h2g_kv_set_array(&l, "a", H2G_VT_INT32, arr, 3, &err), 0);
    const h2g_kv *kv = h2g_kv_get(&l, "a");
    assert_int_equal(kv->type, H2G_VT_ARRAY);
    assert_int_equal(kv->arr_type, H2G_VT_INT32);
    assert_int_equal(kv->n, 3);
    assert_memory_equal(kv->arr, arr, sizeof arr);
    assert_null(kv->str.data);
    h2g_str *strs = calloc(2, sizeof *strs);
    strs[0] = (h2g_str){strdup("x"), 1};
    strs[1] = (h2g_str){strdup("yz"), 2};
    assert_int_equal(h2g_kv_set_str_array_owned(&l, "a", strs, 2, &err), 0);
    kv = h2g_kv_get(&l, "a");
    assert_int_equal(kv->arr_type, H2G_VT_STRING);
    assert_null(kv->arr);
    assert_string_equal(kv->strs[1].data, "yz");
    assert_keys(&l, keys, 3);
    h2g_kv_list_free(&l);
}

static void test_skip_empty(void **state) {
    (void)state;
    h2g_kv_list l = {0};
    h2g_error err = {0};
    assert_int_equal(h2g_kv_set_str(&l, "empty", "", &err), 0);
    assert_int_equal(h2g_kv_set_str_n(&l, "empty_n", "abc", 0, &err), 0);
    assert_int_equal(h2g_kv_set_array(&l, "empty_arr", H2G_VT_FLOAT32, NULL, 0, &err), 0);
    assert_int_equal(h2g_kv_set_str_array_owned(&l, "empty_strs", calloc(1, sizeof(h2g_str)), 0,
                                                &err), 0);
    assert_int_equal(l.n, 0);
    /* An empty value set over an existing key leaves the old value alone,
     * as the reference's add_string does (it never reaches the dict). */
    assert_int_equal(h2g_kv_set_str(&l, "k", "old", &err), 0);
    assert_int_equal(h2g_kv_set_str(&l, "k", "", &err), 0);
    const char *s = NULL;
    assert_true(h2g_kv_get_str(&l, "k", &s));
    assert_string_equal(s, "old");
    h2g_kv_list_free(&l);
}

/* ---------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------- */

static void test_scalar_values(void **state) {
    (void)state;
    h2g_kv_list l = {0};
    h2g_error err = {0};
    assert_int_equal(h2g_kv_set_u8(&l, "u8", 250, &err), 0);
    assert_int_equal(h2g_kv_set_u16(&l, "u16", 65535, &err), 0);
    assert_int_equal(h2g_kv_set_i32(&l, "i32", -5, &err), 0);
    assert_int_equal(h2g_kv_set_u64(&l, "u64", UINT64_MAX, &err), 0);
    assert_int_equal(h2g_kv_set_f32(&l, "f32", 0.125f, &err), 0);
    assert_int_equal(h2g_kv_set_str_n(&l, "s", "ab\0c", 4, &err), 0);
    assert_int_equal(h2g_kv_get(&l, "u8")->num.u64, 250);
    assert_int_equal(h2g_kv_get(&l, "u16")->type, H2G_VT_UINT16);
    assert_int_equal(h2g_kv_get(&l, "i32")->num.i64, -5);
    assert_true(h2g_kv_get(&l, "u64")->num.u64 == UINT64_MAX);
    assert_true(h2g_kv_get(&l, "f32")->num.f32 == 0.125f);
    const h2g_kv *s = h2g_kv_get(&l, "s");
    assert_int_equal(s->str.len, 4);
    assert_memory_equal(s->str.data, "ab\0c", 5); /* NUL kept after the bytes */
    h2g_kv_list_free(&l);
}

static void test_copy(void **state) {
    (void)state;
    h2g_kv_list a = {0}, b = {0};
    h2g_error err = {0};
    float f[2] = {1.5f, -2.0f};
    h2g_str *strs = calloc(1, sizeof *strs);
    strs[0] = (h2g_str){strdup("tok"), 3};
    assert_int_equal(h2g_kv_set_array(&a, "floats", H2G_VT_FLOAT32, f, 2, &err), 0);
    assert_int_equal(h2g_kv_set_str_array_owned(&a, "tokens", strs, 1, &err), 0);
    assert_int_equal(h2g_kv_set_str(&a, "name", "n", &err), 0);
    assert_int_equal(h2g_kv_set_u32(&b, "name", 1, &err), 0);
    for (size_t i = 0; i < a.n; i++) assert_int_equal(h2g_kv_set_copy(&b, &a.items[i], &err), 0);
    static const char *const keys[] = {"name", "floats", "tokens"};
    assert_keys(&b, keys, 3);
    assert_int_equal(b.items[0].type, H2G_VT_STRING);
    assert_memory_equal(b.items[1].arr, f, sizeof f);
    assert_ptr_not_equal(b.items[2].strs, a.items[1].strs); /* deep copy */
    assert_string_equal(b.items[2].strs[0].data, "tok");
    /* Copying an entry onto itself is safe. */
    assert_int_equal(h2g_kv_set_copy(&b, &b.items[2], &err), 0);
    assert_string_equal(b.items[2].strs[0].data, "tok");
    h2g_kv_list_free(&a);
    h2g_kv_list_free(&b);
}

static void test_type_names(void **state) {
    (void)state;
    assert_string_equal(h2g_value_type_name(H2G_VT_UINT8), "UINT8");
    assert_string_equal(h2g_value_type_name(H2G_VT_FLOAT64), "FLOAT64");
    assert_string_equal(h2g_value_type_name(H2G_VT_STRING), "STRING");
    assert_string_equal(h2g_value_type_name(H2G_VT_ARRAY), "ARRAY");
    assert_string_equal(h2g_value_type_name(H2G_VT_BOOL), "BOOL");
    assert_string_equal(h2g_value_type_name(13), "?");
    assert_int_equal(h2g_value_type_size(H2G_VT_INT16), 2);
    assert_int_equal(h2g_value_type_size(H2G_VT_UINT64), 8);
    assert_int_equal(h2g_value_type_size(H2G_VT_STRING), 0);
    assert_int_equal(h2g_value_type_size(99), 0);
}

static void test_array_of_strings_rejected_by_packed_setter(void **state) {
    (void)state;
    h2g_kv_list l = {0};
    h2g_error err = {0};
    int x = 0;
    assert_int_equal(h2g_kv_set_array(&l, "k", H2G_VT_STRING, &x, 1, &err), -1);
    assert_non_null(strstr(err.msg, "not supported"));
    assert_int_equal(l.n, 0); /* nothing half-added */
    h2g_kv_list_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insertion_order),
        cmocka_unit_test(test_replace_keeps_position),
        cmocka_unit_test(test_skip_empty),
        cmocka_unit_test(test_scalar_values),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_array_of_strings_rejected_by_packed_setter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
