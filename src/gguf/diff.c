/* diff.c - differences between two GGUF files or split sets, and
 * content checksums (see include/hf2gguf/diff.h).
 *
 * Every pointer used here comes from the strict reader (through the set
 * reader), so each tensor's nbytes bytes lie inside its file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf2gguf/diff.h"
#include "hf2gguf/numeric.h"
#include "base/sha256.h"
#include "base/util.h"

/* Values are dequantized this many at a time (a multiple of the Q8_0 block),
 * so that comparing a multi-gigabyte tensor needs two small buffers. */
#define CHUNK_VALUES 8192

/* State of one comparison. */
typedef struct differ {
    const h2g_gguf_set *a, *b;
    const h2g_diff_options *opt;
    h2g_diff *out;
    h2g_error *err;
    float *va, *vb; /* CHUNK_VALUES each */
} differ;

/* ---------------------------------------------------------------------------
 * The list of differences
 * ------------------------------------------------------------------------- */

/* Appends a copy of item; returns 0 or -1 (out of memory). */
static int add(differ *d, const h2g_diff_item *item) {
    h2g_diff *out = d->out;
    if (h2g_grow((void **)&out->items, &out->cap, out->n + 1, sizeof *out->items) != 0)
        return h2g_fail(d->err, "out of memory for the list of differences (%zu)", out->n + 1);
    out->items[out->n++] = *item;
    return 0;
}

/* Appends an item of a KV kind. */
static int add_kv(differ *d, h2g_diff_kind kind, const h2g_kv *ka, const h2g_kv *kb,
                  uint64_t index) {
    h2g_diff_item item = {.kind = kind, .kv_a = ka, .kv_b = kb, .index = index};
    return add(d, &item);
}

/* Appends an item of a tensor kind. */
static int add_tensor(differ *d, h2g_diff_kind kind, const h2g_set_tensor *ta,
                      const h2g_set_tensor *tb) {
    h2g_diff_item item = {.kind = kind, .t_a = ta, .t_b = tb};
    return add(d, &item);
}

void h2g_diff_free(h2g_diff *d) {
    free(d->items);
    memset(d, 0, sizeof *d);
}

bool h2g_diff_is_kv(h2g_diff_kind kind) {
    /* The KV kinds come first in the enum (diff.h). */
    return kind <= H2G_DIFF_KV_ARRAY_ELEMENT || kind == H2G_DIFF_KV_ORDER;
}

bool h2g_diff_is_order(h2g_diff_kind kind) {
    return kind == H2G_DIFF_KV_ORDER || kind == H2G_DIFF_TENSOR_ORDER;
}

const char *h2g_diff_kind_name(h2g_diff_kind kind) {
    switch (kind) {
    case H2G_DIFF_KV_MISSING_IN_A:
    case H2G_DIFF_TENSOR_MISSING_IN_A: return "missing_in_a";
    case H2G_DIFF_KV_MISSING_IN_B:
    case H2G_DIFF_TENSOR_MISSING_IN_B: return "missing_in_b";
    case H2G_DIFF_KV_TYPE:
    case H2G_DIFF_TENSOR_TYPE: return "type";
    case H2G_DIFF_KV_VALUE: return "value";
    case H2G_DIFF_KV_ARRAY_LENGTH: return "array_length";
    case H2G_DIFF_KV_ARRAY_ELEMENT: return "array_element";
    case H2G_DIFF_TENSOR_SHAPE: return "shape";
    case H2G_DIFF_TENSOR_DATA: return "data";
    case H2G_DIFF_KV_ORDER:
    case H2G_DIFF_TENSOR_ORDER: return "order";
    }
    return "?";
}

/* ---------------------------------------------------------------------------
 * KVs
 * ------------------------------------------------------------------------- */

/* True when key starts with one of the --ignore-kv prefixes. */
static bool ignored(const differ *d, const h2g_kv *kv) {
    if (!d->opt) return false;
    for (size_t i = 0; i < d->opt->n_ignore_kv; i++)
        if (h2g_str_starts_with(kv->key.data, d->opt->ignore_kv[i])) return true;
    return false;
}

/* The KV of list called like kv, when it is not ignored; else NULL. */
static const h2g_kv *counterpart_kv(const differ *d, const h2g_kv_list *list,
                                    const h2g_kv *kv) {
    if (ignored(d, kv)) return NULL;
    return h2g_kv_get(list, kv->key.data);
}

/* True when two GGUF strings hold the same bytes. */
static bool same_str(const h2g_str *x, const h2g_str *y) {
    return x->len == y->len && memcmp(x->data, y->data, (size_t)x->len) == 0;
}

/* True when two scalar KVs of the same type hold the same bits. */
static bool same_scalar(const h2g_kv *x, const h2g_kv *y) {
    switch (x->type) {
    case H2G_VT_FLOAT32: return memcmp(&x->num.f32, &y->num.f32, sizeof x->num.f32) == 0;
    case H2G_VT_BOOL: return x->num.b == y->num.b;
    default: return x->num.u64 == y->num.u64; /* integers and FLOAT64 share the bits */
    }
}

/* Index of the first element among the first n that differs between two
 * arrays of the same element type, or n when none does. */
static uint64_t first_diff_elem(const h2g_kv *x, const h2g_kv *y, uint64_t n) {
    if (x->arr_type == H2G_VT_STRING) {
        for (uint64_t i = 0; i < n; i++)
            if (!same_str(&x->strs[i], &y->strs[i])) return i;
        return n;
    }
    size_t es = h2g_value_type_size(x->arr_type);
    const uint8_t *p = x->arr, *q = y->arr;
    if (n == 0 || memcmp(p, q, (size_t)n * es) == 0) return n;
    for (uint64_t i = 0;; i++)
        if (memcmp(p + i * es, q + i * es, es) != 0) return i;
}

/* Compares two arrays of the same element type: length, then the first
 * differing element of the common part. */
static int compare_arrays(differ *d, const h2g_kv *x, const h2g_kv *y) {
    uint64_t common = x->n < y->n ? x->n : y->n;
    if (x->n != y->n && add_kv(d, H2G_DIFF_KV_ARRAY_LENGTH, x, y, 0) != 0) return -1;
    uint64_t i = first_diff_elem(x, y, common);
    if (i < common) return add_kv(d, H2G_DIFF_KV_ARRAY_ELEMENT, x, y, i);
    return 0;
}

/* Compares two KVs with the same key. */
static int compare_kv(differ *d, const h2g_kv *x, const h2g_kv *y) {
    if (x->type != y->type || (x->type == H2G_VT_ARRAY && x->arr_type != y->arr_type))
        return add_kv(d, H2G_DIFF_KV_TYPE, x, y, 0);
    if (x->type == H2G_VT_ARRAY) return compare_arrays(d, x, y);
    bool same = x->type == H2G_VT_STRING ? same_str(&x->str, &y->str) : same_scalar(x, y);
    return same ? 0 : add_kv(d, H2G_DIFF_KV_VALUE, x, y, 0);
}

/* Every KV difference: A's keys in A's order, then those only B has. */
static int compare_kvs(differ *d) {
    const h2g_kv_list *la = &d->a->kv, *lb = &d->b->kv;
    for (size_t i = 0; i < la->n; i++) {
        const h2g_kv *x = &la->items[i];
        if (ignored(d, x)) continue;
        const h2g_kv *y = h2g_kv_get(lb, x->key.data);
        int rc = y ? compare_kv(d, x, y) : add_kv(d, H2G_DIFF_KV_MISSING_IN_B, x, NULL, 0);
        if (rc != 0) return -1;
    }
    for (size_t i = 0; i < lb->n; i++) {
        const h2g_kv *y = &lb->items[i];
        if (!ignored(d, y) && !h2g_kv_get(la, y->key.data) &&
            add_kv(d, H2G_DIFF_KV_MISSING_IN_A, NULL, y, 0) != 0)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Tensor values
 *
 * Q8_0 block (34 bytes, 32 values):
 *
 *   +--------+----+----+-- ... --+-----+
 *   | d (f16)| q0 | q1 |         | q31 |    value[j] = d * q[j]
 *   +--------+----+----+-- ... --+-----+
 *    2 bytes   32 x int8
 * ------------------------------------------------------------------------- */

/* True for the types whose values we can dequantize. */
static bool is_float_type(uint32_t type) {
    return type == H2G_GGML_F32 || type == H2G_GGML_F16 || type == H2G_GGML_BF16 ||
           type == H2G_GGML_Q8_0;
}

/* Dequantizes n values (n a multiple of 32) from Q8_0 blocks at src. */
static void dequantize_q8_0(const uint8_t *src, float *dst, size_t n) {
    for (size_t b = 0; b < n / H2G_Q8_0_BLOCK; b++) {
        const uint8_t *block = src + b * H2G_Q8_0_BYTES;
        float scale = h2g_f16_to_f32((uint16_t)(block[0] | block[1] << 8));
        for (size_t j = 0; j < H2G_Q8_0_BLOCK; j++)
            dst[b * H2G_Q8_0_BLOCK + j] = scale * (float)(int8_t)block[2 + j];
    }
}

/* Decodes values [start, start + n) of a float-type tensor into dst. start
 * and n are multiples of 32 for Q8_0 (ne[0] is, so every chunk is). */
static void decode_values(const h2g_set_tensor *t, uint64_t start, size_t n, float *dst) {
    switch (t->info.type) {
    case H2G_GGML_F32: h2g_decode_f32(H2G_DT_F32, t->data + start * 4, dst, n); break;
    case H2G_GGML_F16: h2g_decode_f32(H2G_DT_F16, t->data + start * 2, dst, n); break;
    case H2G_GGML_BF16: h2g_decode_f32(H2G_DT_BF16, t->data + start * 2, dst, n); break;
    default:
        dequantize_q8_0(t->data + start / H2G_Q8_0_BLOCK * H2G_Q8_0_BYTES, dst, n);
        break;
    }
}

/* Number of elements of a tensor (from its byte size, already checked). */
static uint64_t element_count(const h2g_tensor_info *t) {
    uint32_t elems = 1, bytes = 1;
    h2g_ggml_type_info(t->type, &elems, &bytes);
    return t->nbytes / bytes * elems;
}

/* |x - y| for two values that are not equal: infinite when either is NaN. */
static double abs_diff(float x, float y) {
    if (isnan(x) || isnan(y)) return INFINITY;
    return fabs((double)x - (double)y);
}

/* Compares the values of two float-type tensors of the same shape into
 * item (count, first index, max |a - b|). */
static void compare_values(differ *d, const h2g_set_tensor *ta, const h2g_set_tensor *tb,
                           h2g_diff_item *item) {
    uint64_t n = element_count(&ta->info);
    item->values = true;
    item->total = n;
    for (uint64_t start = 0; start < n; start += CHUNK_VALUES) {
        size_t len = (size_t)(n - start < CHUNK_VALUES ? n - start : CHUNK_VALUES);
        decode_values(ta, start, len, d->va);
        decode_values(tb, start, len, d->vb);
        for (size_t i = 0; i < len; i++) {
            float x = d->va[i], y = d->vb[i];
            if (x == y || (isnan(x) && isnan(y))) continue;
            if (item->count++ == 0) item->index = start + i;
            double diff = abs_diff(x, y);
            if (diff > item->max_abs_diff) item->max_abs_diff = diff;
        }
    }
}

/* Compares the bytes of two tensors of the same type and shape into item. */
static void compare_bytes(const h2g_set_tensor *ta, const h2g_set_tensor *tb,
                          h2g_diff_item *item) {
    item->total = ta->info.nbytes;
    for (uint64_t i = 0; i < ta->info.nbytes; i++) {
        if (ta->data[i] == tb->data[i]) continue;
        if (item->count++ == 0) item->index = i;
    }
}

/* ---------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------- */

/* True when two tensor infos have the same n_dims and ne. */
static bool same_shape(const h2g_tensor_info *x, const h2g_tensor_info *y) {
    if (x->n_dims != y->n_dims) return false;
    for (uint32_t i = 0; i < x->n_dims; i++)
        if (x->ne[i] != y->ne[i]) return false;
    return true;
}

/* Compares the data of two tensors of the same shape: bytes when the types
 * agree (values too for float types), values only when both are float
 * types of different kinds, nothing otherwise. */
static int compare_data(differ *d, const h2g_set_tensor *ta, const h2g_set_tensor *tb) {
    bool same_type = ta->info.type == tb->info.type;
    bool floats = is_float_type(ta->info.type) && is_float_type(tb->info.type);
    if (same_type && memcmp(ta->data, tb->data, (size_t)ta->info.nbytes) == 0) return 0;
    if (!same_type && !floats) return 0; /* the type difference says it all */
    h2g_diff_item item = {.kind = H2G_DIFF_TENSOR_DATA, .t_a = ta, .t_b = tb};
    if (floats) compare_values(d, ta, tb, &item);
    else compare_bytes(ta, tb, &item);
    if (!same_type && item.count == 0) return 0; /* e.g. F16 vs F32 holding equal values */
    return add(d, &item);
}

/* Compares two tensors with the same name. */
static int compare_tensor(differ *d, const h2g_set_tensor *ta, const h2g_set_tensor *tb) {
    if (ta->info.type != tb->info.type &&
        add_tensor(d, H2G_DIFF_TENSOR_TYPE, ta, tb) != 0)
        return -1;
    if (!same_shape(&ta->info, &tb->info)) return add_tensor(d, H2G_DIFF_TENSOR_SHAPE, ta, tb);
    return compare_data(d, ta, tb);
}

/* Every tensor difference: A's tensors in A's order, then those only B has. */
static int compare_tensors(differ *d) {
    const h2g_gguf_set *a = d->a, *b = d->b;
    for (size_t i = 0; i < a->n_tensors; i++) {
        long j = h2g_gguf_set_find_tensor(b, a->tensors[i].info.name);
        int rc = j >= 0 ? compare_tensor(d, &a->tensors[i], &b->tensors[j])
                        : add_tensor(d, H2G_DIFF_TENSOR_MISSING_IN_B, &a->tensors[i], NULL);
        if (rc != 0) return -1;
    }
    for (size_t j = 0; j < b->n_tensors; j++)
        if (h2g_gguf_set_find_tensor(a, b->tensors[j].info.name) < 0 &&
            add_tensor(d, H2G_DIFF_TENSOR_MISSING_IN_A, NULL, &b->tensors[j]) != 0)
            return -1;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Order
 * ------------------------------------------------------------------------- */

/* Next KV at or after *i in `list` that the other list also has (and that
 * is not ignored); advances *i past it. NULL at the end. */
static const h2g_kv *next_common_kv(const differ *d, const h2g_kv_list *list,
                                    const h2g_kv_list *other, size_t *i) {
    while (*i < list->n) {
        const h2g_kv *kv = &list->items[(*i)++];
        if (counterpart_kv(d, other, kv)) return kv;
    }
    return NULL;
}

/* Walks the common keys of A and B in each file's order; adds one item at
 * the first position where they differ. */
static int compare_kv_order(differ *d) {
    size_t i = 0, j = 0;
    for (uint64_t pos = 0;; pos++) {
        const h2g_kv *x = next_common_kv(d, &d->a->kv, &d->b->kv, &i);
        const h2g_kv *y = next_common_kv(d, &d->b->kv, &d->a->kv, &j);
        if (!x || !y) return 0; /* both end together: they hold the same keys */
        if (!same_str(&x->key, &y->key)) return add_kv(d, H2G_DIFF_KV_ORDER, x, y, pos);
    }
}

/* Next tensor at or after *i in s that `other` also has; advances *i. */
static const h2g_set_tensor *next_common_tensor(const h2g_gguf_set *s,
                                                const h2g_gguf_set *other, size_t *i) {
    while (*i < s->n_tensors) {
        const h2g_set_tensor *t = &s->tensors[(*i)++];
        if (h2g_gguf_set_find_tensor(other, t->info.name) >= 0) return t;
    }
    return NULL;
}

/* As compare_kv_order, for tensors. */
static int compare_tensor_order(differ *d) {
    size_t i = 0, j = 0;
    for (uint64_t pos = 0;; pos++) {
        const h2g_set_tensor *x = next_common_tensor(d->a, d->b, &i);
        const h2g_set_tensor *y = next_common_tensor(d->b, d->a, &j);
        if (!x || !y) return 0;
        if (strcmp(x->info.name, y->info.name) != 0) {
            h2g_diff_item item = {.kind = H2G_DIFF_TENSOR_ORDER, .t_a = x, .t_b = y,
                                  .index = pos};
            return add(d, &item);
        }
    }
}

/* ---------------------------------------------------------------------------
 * The comparison
 * ------------------------------------------------------------------------- */

int h2g_diff_sets(const h2g_gguf_set *a, const h2g_gguf_set *b, const h2g_diff_options *opt,
                  h2g_diff *out, h2g_error *err) {
    memset(out, 0, sizeof *out);
    differ d = {a, b, opt, out, err, malloc(CHUNK_VALUES * sizeof(float)),
                malloc(CHUNK_VALUES * sizeof(float))};
    int rc = d.va && d.vb ? 0
                          : h2g_fail(err, "out of memory for the two %zu-value buffers comparing "
                                          "tensors", (size_t)CHUNK_VALUES);
    if (rc == 0) rc = compare_kvs(&d);
    if (rc == 0) rc = compare_tensors(&d);
    if (rc == 0 && !(opt && opt->ignore_order)) rc = compare_kv_order(&d);
    if (rc == 0 && !(opt && opt->ignore_order)) rc = compare_tensor_order(&d);
    free(d.va);
    free(d.vb);
    if (rc != 0) h2g_diff_free(out);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Checksums
 * ------------------------------------------------------------------------- */

void h2g_tensor_sha256(const h2g_set_tensor *t, char hex[65]) {
    h2g_sha256_hex_of(t->data, (size_t)t->info.nbytes, hex);
}

/* Feeds one manifest line (see diff.h) for tensor t with data digest hex. */
static void hash_line(h2g_sha256 *h, const h2g_tensor_info *t, const char hex[65]) {
    char num[24];
    const char *type = h2g_ggml_type_name(t->type);
    h2g_sha256_update(h, t->name, strlen(t->name));
    h2g_sha256_update(h, "\t", 1);
    h2g_sha256_update(h, type, strlen(type));
    h2g_sha256_update(h, "\t", 1);
    for (uint32_t i = 0; i < t->n_dims; i++) {
        int len = snprintf(num, sizeof num, "%s%llu", i ? "," : "",
                           (unsigned long long)t->ne[i]);
        h2g_sha256_update(h, num, (size_t)len);
    }
    h2g_sha256_update(h, "\t", 1);
    h2g_sha256_update(h, hex, 64);
    h2g_sha256_update(h, "\n", 1);
}

void h2g_gguf_set_checksum(const h2g_gguf_set *s, char (*tensor_hex)[65], char total[65]) {
    h2g_sha256 h;
    uint8_t digest[32];
    char hex[65];
    h2g_sha256_init(&h);
    for (size_t i = 0; i < s->n_tensors; i++) {
        h2g_tensor_sha256(&s->tensors[i], hex);
        if (tensor_hex) memcpy(tensor_hex[i], hex, sizeof hex);
        hash_line(&h, &s->tensors[i].info, hex);
    }
    h2g_sha256_final(&h, digest);
    h2g_sha256_hex(digest, total);
}
