/* kv.c - the ordered GGUF key/value list (see include/hf2gguf/kv.h). */
#include "hf2gguf/kv.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* ---------------------------------------------------------------------------
 * Value types
 * ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    size_t size;
} value_types[H2G_VT_COUNT] = {
    [H2G_VT_UINT8] = {"UINT8", 1},     [H2G_VT_INT8] = {"INT8", 1},
    [H2G_VT_UINT16] = {"UINT16", 2},   [H2G_VT_INT16] = {"INT16", 2},
    [H2G_VT_UINT32] = {"UINT32", 4},   [H2G_VT_INT32] = {"INT32", 4},
    [H2G_VT_FLOAT32] = {"FLOAT32", 4}, [H2G_VT_BOOL] = {"BOOL", 1},
    [H2G_VT_STRING] = {"STRING", 0},   [H2G_VT_ARRAY] = {"ARRAY", 0},
    [H2G_VT_UINT64] = {"UINT64", 8},   [H2G_VT_INT64] = {"INT64", 8},
    [H2G_VT_FLOAT64] = {"FLOAT64", 8},
};

const char *h2g_value_type_name(uint32_t type) {
    return type < H2G_VT_COUNT ? value_types[type].name : "?";
}

size_t h2g_value_type_size(uint32_t type) {
    return type < H2G_VT_COUNT ? value_types[type].size : 0;
}

/* ---------------------------------------------------------------------------
 * Slots
 * ------------------------------------------------------------------------- */

/* Frees a value (not its key). */
static void value_free(h2g_kv *kv) {
    free(kv->str.data);
    free(kv->arr);
    for (uint64_t i = 0; kv->strs && i < kv->n; i++) free(kv->strs[i].data);
    free(kv->strs);
    kv->str = (h2g_str){0};
    kv->arr = NULL;
    kv->strs = NULL;
    kv->n = 0;
}

void h2g_kv_list_free(h2g_kv_list *list) {
    for (size_t i = 0; i < list->n; i++) {
        value_free(&list->items[i]);
        free(list->items[i].key.data);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* Index of the key of key_len bytes (keys may come from files, so compare
 * lengths and bytes rather than using strcmp), or -1. */
static long find_n(const h2g_kv_list *list, const char *key, size_t key_len) {
    for (size_t i = 0; i < list->n; i++) {
        const h2g_str *k = &list->items[i].key;
        if (k->len == key_len && memcmp(k->data, key, key_len) == 0) return (long)i;
    }
    return -1;
}

long h2g_kv_find(const h2g_kv_list *list, const char *key) {
    return find_n(list, key, strlen(key));
}

const h2g_kv *h2g_kv_get(const h2g_kv_list *list, const char *key) {
    long i = h2g_kv_find(list, key);
    return i < 0 ? NULL : &list->items[i];
}

/* A malloc'ed, NUL-terminated copy of len bytes in dst, for key (which
 * messages name). Returns 0 or -1. */
static int copy_str(h2g_str *dst, const char *src, uint64_t len, const char *key,
                    h2g_error *err) {
    if (len >= SIZE_MAX || !(dst->data = malloc((size_t)len + 1)))
        return h2g_fail(err, "%s: out of memory for a %llu-byte string", key,
                        (unsigned long long)len);
    if (len) memcpy(dst->data, src, (size_t)len);
    dst->data[len] = '\0';
    dst->len = len;
    return 0;
}

/* Stores val (a fully built value whose key field is ignored) under key:
 * in place when the key exists, else at the end. Values are built before
 * this is called so that a failure never leaves a half-set entry behind and
 * so that copying an entry of the same list is safe. On failure val is
 * freed. Returns 0 or -1. */
static int commit(h2g_kv_list *list, const char *key, size_t key_len, h2g_kv *val,
                  h2g_error *err) {
    long i = find_n(list, key, key_len);
    if (i >= 0) {
        h2g_kv *kv = &list->items[i];
        value_free(kv);
        val->key = kv->key;
        *kv = *val;
        return 0;
    }
    if (copy_str(&val->key, key, key_len, key, err) != 0 ||
        h2g_grow((void **)&list->items, &list->cap, list->n + 1, sizeof *list->items) != 0) {
        free(val->key.data);
        value_free(val);
        return h2g_fail(err, "%s: out of memory for the key, entry %zu of the KV list", key,
                        list->n + 1);
    }
    list->items[list->n++] = *val;
    return 0;
}

static int cmp_key(const void *a, const void *b) {
    const h2g_str *x = &((const h2g_kv *)a)->key, *y = &((const h2g_kv *)b)->key;
    int c = memcmp(x->data, y->data, (size_t)(x->len < y->len ? x->len : y->len));
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

void h2g_kv_sort(h2g_kv_list *list) {
    if (list->n > 1) qsort(list->items, list->n, sizeof *list->items, cmp_key);
}

int h2g_kv_rename(h2g_kv_list *list, size_t i, const char *key, h2g_error *err) {
    h2g_str name;
    if (copy_str(&name, key, strlen(key), key, err) != 0) return -1;
    free(list->items[i].key.data);
    list->items[i].key = name;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Setters
 * ------------------------------------------------------------------------- */

/* Sets an integer-typed scalar; bits is the value widened to 64 bits. */
static int set_num(h2g_kv_list *list, const char *key, uint32_t type, uint64_t bits,
                   h2g_error *err) {
    h2g_kv val = {.type = type};
    val.num.u64 = bits;
    return commit(list, key, strlen(key), &val, err);
}

int h2g_kv_set_u8(h2g_kv_list *list, const char *key, uint8_t v, h2g_error *err) {
    return set_num(list, key, H2G_VT_UINT8, v, err);
}

int h2g_kv_set_u16(h2g_kv_list *list, const char *key, uint16_t v, h2g_error *err) {
    return set_num(list, key, H2G_VT_UINT16, v, err);
}

int h2g_kv_set_u32(h2g_kv_list *list, const char *key, uint32_t v, h2g_error *err) {
    return set_num(list, key, H2G_VT_UINT32, v, err);
}

/* Signed values are sign-extended into num.i64; the writer stores the low
 * bytes, which is the two's-complement encoding of the narrow type. */
int h2g_kv_set_i32(h2g_kv_list *list, const char *key, int32_t v, h2g_error *err) {
    return set_num(list, key, H2G_VT_INT32, (uint64_t)(int64_t)v, err);
}

int h2g_kv_set_u64(h2g_kv_list *list, const char *key, uint64_t v, h2g_error *err) {
    return set_num(list, key, H2G_VT_UINT64, v, err);
}

int h2g_kv_set_f32(h2g_kv_list *list, const char *key, float v, h2g_error *err) {
    h2g_kv val = {.type = H2G_VT_FLOAT32};
    val.num.f32 = v;
    return commit(list, key, strlen(key), &val, err);
}

int h2g_kv_set_bool(h2g_kv_list *list, const char *key, bool v, h2g_error *err) {
    h2g_kv val = {.type = H2G_VT_BOOL};
    val.num.b = v;
    return commit(list, key, strlen(key), &val, err);
}

int h2g_kv_set_str_n(h2g_kv_list *list, const char *key, const char *v, size_t len,
                     h2g_error *err) {
    if (len == 0 && !list->keep_empty) return 0; /* llama.cpp's converter never writes them */
    h2g_kv val = {.type = H2G_VT_STRING};
    if (copy_str(&val.str, v, len, key, err) != 0) return -1;
    return commit(list, key, strlen(key), &val, err);
}

int h2g_kv_set_str(h2g_kv_list *list, const char *key, const char *v, h2g_error *err) {
    return h2g_kv_set_str_n(list, key, v, strlen(v), err);
}

/* Copies n packed numeric elements of elem_type into val. Returns 0 or -1. */
static int copy_packed(h2g_kv *val, const char *key, uint32_t elem_type, const void *elems,
                       uint64_t n, h2g_error *err) {
    size_t es = h2g_value_type_size(elem_type);
    if (es == 0)
        return h2g_fail(err, "%s: arrays of %s are not supported here", key,
                        h2g_value_type_name(elem_type));
    if (n > SIZE_MAX / es) return h2g_fail(err, "%s: array of %llu elements is too large", key,
                                           (unsigned long long)n);
    val->type = H2G_VT_ARRAY;
    val->arr_type = elem_type;
    val->arr = malloc(n ? (size_t)n * es : 1);
    if (!val->arr)
        return h2g_fail(err, "%s: out of memory for an array of %llu %s values", key,
                        (unsigned long long)n, h2g_value_type_name(elem_type));
    if (n) memcpy(val->arr, elems, (size_t)n * es);
    val->n = n;
    return 0;
}

int h2g_kv_set_array(h2g_kv_list *list, const char *key, uint32_t elem_type,
                     const void *elems, uint64_t n, h2g_error *err) {
    if (n == 0 && !list->keep_empty) return 0; /* llama.cpp's converter never writes them */
    h2g_kv val = {0};
    if (copy_packed(&val, key, elem_type, elems, n, err) != 0) return -1;
    return commit(list, key, strlen(key), &val, err);
}

int h2g_kv_set_str_array_owned(h2g_kv_list *list, const char *key, h2g_str *strs,
                               uint64_t n, h2g_error *err) {
    h2g_kv val = {.type = H2G_VT_ARRAY, .arr_type = H2G_VT_STRING, .n = n, .strs = strs};
    if (n == 0 && !list->keep_empty) {
        free(strs);
        return 0;
    }
    return commit(list, key, strlen(key), &val, err); /* frees strs on failure */
}

/* Deep copy of an array of n strings into val, for key. Returns 0 or -1. */
static int copy_strs(h2g_kv *val, const h2g_str *strs, uint64_t n, const char *key,
                     h2g_error *err) {
    val->type = H2G_VT_ARRAY;
    val->arr_type = H2G_VT_STRING;
    if (n > SIZE_MAX / sizeof *strs || !(val->strs = calloc(n ? (size_t)n : 1, sizeof *val->strs)))
        return h2g_fail(err, "%s: out of memory for an array of %llu strings", key,
                        (unsigned long long)n);
    val->n = n;
    for (uint64_t i = 0; i < n; i++)
        if (copy_str(&val->strs[i], strs[i].data, strs[i].len, key, err) != 0) return -1;
    return 0;
}

/* Unlike the typed setters, copies keep empty strings and arrays: a reader
 * must reproduce whatever the file holds. */
int h2g_kv_set_copy(h2g_kv_list *list, const h2g_kv *src, h2g_error *err) {
    h2g_kv val = {.type = src->type, .num = src->num};
    int rc = 0;
    if (src->type == H2G_VT_STRING)
        rc = copy_str(&val.str, src->str.data, src->str.len, src->key.data, err);
    else if (src->type == H2G_VT_ARRAY && src->arr_type == H2G_VT_STRING)
        rc = copy_strs(&val, src->strs, src->n, src->key.data, err);
    else if (src->type == H2G_VT_ARRAY)
        rc = copy_packed(&val, src->key.data, src->arr_type, src->arr, src->n, err);
    if (rc != 0) {
        value_free(&val);
        return -1;
    }
    return commit(list, src->key.data, (size_t)src->key.len, &val, err);
}

/* ---------------------------------------------------------------------------
 * Typed reads
 * ------------------------------------------------------------------------- */

bool h2g_kv_get_u32(const h2g_kv_list *list, const char *key, uint32_t *out) {
    const h2g_kv *kv = h2g_kv_get(list, key);
    if (!kv || kv->type != H2G_VT_UINT32) return false;
    *out = (uint32_t)kv->num.u64;
    return true;
}

bool h2g_kv_get_str(const h2g_kv_list *list, const char *key, const char **out) {
    const h2g_kv *kv = h2g_kv_get(list, key);
    if (!kv || kv->type != H2G_VT_STRING) return false;
    *out = kv->str.data;
    return true;
}
