/* write.c - GGUF layout and header encoding (see include/hf2gguf/gguf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf2gguf/gguf.h"

/* Element count of t, failing like ggml when a dimension is negative as an
 * int64 or when the product does not fit in an int64. */
static int element_count(const h2g_tensor_info *t, uint64_t *count, h2g_error *err) {
    uint64_t n = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) {
        if (t->ne[d] > (uint64_t)INT64_MAX)
            return h2g_fail(err, "tensor '%s': ne[%u] = %llu is negative as an int64", t->name,
                            d, (unsigned long long)t->ne[d]);
        if (t->ne[d] != 0 && n > (uint64_t)INT64_MAX / t->ne[d])
            return h2g_fail(err, "tensor '%s': element count overflows an int64", t->name);
        n *= t->ne[d];
    }
    *count = n;
    return 0;
}

void h2g_tensor_shape_str(const h2g_tensor_info *t, char *buf, size_t size) {
    size_t pos = (size_t)snprintf(buf, size, "[");
    for (uint32_t d = 0; d < t->n_dims && pos < size; d++)
        pos += (size_t)snprintf(buf + pos, size - pos, "%s%llu", d ? ", " : "",
                                (unsigned long long)t->ne[d]);
    if (pos < size) snprintf(buf + pos, size - pos, "]");
}

int h2g_tensor_nbytes(const h2g_tensor_info *t, uint64_t *nbytes, h2g_error *err) {
    uint32_t block_elems, block_bytes;
    if (!h2g_ggml_type_info(t->type, &block_elems, &block_bytes))
        return h2g_fail(err, "tensor '%s': unknown ggml type %u", t->name, t->type);
    if (t->n_dims < 1 || t->n_dims > H2G_GGUF_MAX_DIMS)
        return h2g_fail(err, "tensor '%s': %u dimensions; GGUF allows 1 to %d", t->name,
                        t->n_dims, H2G_GGUF_MAX_DIMS);
    if (t->ne[0] % block_elems != 0)
        return h2g_fail(err, "tensor '%s': ne[0] = %llu is not a multiple of the %s block "
                             "size %u", t->name, (unsigned long long)t->ne[0],
                        h2g_ggml_type_name(t->type), block_elems);
    uint64_t n = 0;
    if (element_count(t, &n, err) != 0) return -1;
    /* Every row is whole blocks (checked above), so n / block is exact. */
    uint64_t blocks = n / block_elems;
    if (blocks > (uint64_t)INT64_MAX / block_bytes)
        return h2g_fail(err, "tensor '%s': byte size overflows an int64", t->name);
    *nbytes = blocks * block_bytes;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Sizes
 * ------------------------------------------------------------------------- */

/* n rounded up to a multiple of align (align > 0). */
static uint64_t round_up(uint64_t n, uint64_t align) { return (n + align - 1) / align * align; }

/* Alignment from general.alignment, or the default. */
static int alignment_of(const h2g_kv_list *kv, uint32_t *align, h2g_error *err) {
    *align = H2G_GGUF_DEFAULT_ALIGNMENT;
    const h2g_kv *a = h2g_kv_get(kv, "general.alignment");
    if (!a) return 0;
    if (a->type != H2G_VT_UINT32 || a->num.u64 == 0 || (a->num.u64 & (a->num.u64 - 1)))
        return h2g_fail(err, "general.alignment must be a UINT32 power of two");
    *align = (uint32_t)a->num.u64;
    return 0;
}

/* Encoded size of one KV's value. */
static uint64_t value_size(const h2g_kv *kv) {
    if (kv->type == H2G_VT_STRING) return 8 + kv->str.len;
    if (kv->type != H2G_VT_ARRAY) return h2g_value_type_size(kv->type);
    uint64_t n = 4 + 8;
    if (kv->arr_type != H2G_VT_STRING) return n + kv->n * h2g_value_type_size(kv->arr_type);
    for (uint64_t i = 0; i < kv->n; i++) n += 8 + kv->strs[i].len;
    return n;
}

/* Bytes of parts 1-6 (everything before the padding). */
static uint64_t header_size(const h2g_kv_list *kv, const h2g_tensor_info *tensors, size_t n) {
    uint64_t size = 4 + 4 + 8 + 8;
    for (size_t i = 0; i < kv->n; i++)
        size += 8 + kv->items[i].key.len + 4 + value_size(&kv->items[i]);
    for (size_t i = 0; i < n; i++)
        size += 8 + strnlen(tensors[i].name, H2G_GGUF_MAX_NAME) + 4 + 8 * (uint64_t)tensors[i].n_dims + 4 + 8;
    return size;
}

uint64_t h2g_gguf_header_bytes(const h2g_kv_list *kv, const h2g_tensor_info *tensors,
                               size_t n_tensors) {
    return header_size(kv, tensors, n_tensors);
}

/* ---------------------------------------------------------------------------
 * Checks: the writer must never produce a file that ggml's reader rejects
 * ------------------------------------------------------------------------- */

/* Fails on a value type the format does not have, or a nested array. */
static int check_kvs(const h2g_kv_list *kv, h2g_error *err) {
    for (size_t i = 0; i < kv->n; i++) {
        const h2g_kv *k = &kv->items[i];
        if (k->type >= H2G_VT_COUNT)
            return h2g_fail(err, "key '%s': unknown value type %u", k->key.data, k->type);
        if (k->type == H2G_VT_ARRAY && (k->arr_type >= H2G_VT_COUNT || k->arr_type == H2G_VT_ARRAY))
            return h2g_fail(err, "key '%s': arrays of %s cannot be written", k->key.data,
                            h2g_value_type_name(k->arr_type));
    }
    return 0;
}

/* qsort order of tensor-info pointers by name. */
static int cmp_tensor_names(const void *a, const void *b) {
    const h2g_tensor_info *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* See gguf.h: sorts pointers to the names, so n log n for any n. */
int h2g_tensor_find_repeated_name(const h2g_tensor_info *tensors, size_t n, const char **repeated,
                                  h2g_error *err) {
    *repeated = NULL;
    if (n < 2) return 0;
    const h2g_tensor_info **sorted = malloc(n * sizeof *sorted);
    if (!sorted) return h2g_fail(err, "out of memory for the sorted list of %zu tensor names", n);
    for (size_t i = 0; i < n; i++) sorted[i] = &tensors[i];
    qsort(sorted, n, sizeof *sorted, cmp_tensor_names);
    for (size_t i = 1; i < n && !*repeated; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) *repeated = sorted[i]->name;
    free(sorted);
    return 0;
}

/* Fails on a name that is not NUL-terminated within H2G_GGUF_MAX_NAME bytes,
 * a dimension count outside 1..4 (encoding reads ne[0..n_dims)), or on two
 * tensors with the same name (sorting keeps this O(n log n) for
 * checkpoints with thousands of tensors). */
static int check_tensors(const h2g_tensor_info *tensors, size_t n, h2g_error *err) {
    for (size_t i = 0; i < n; i++) {
        if (strnlen(tensors[i].name, H2G_GGUF_MAX_NAME) >= H2G_GGUF_MAX_NAME)
            return h2g_fail(err, "tensor %zu: name is %d bytes or longer", i, H2G_GGUF_MAX_NAME);
        if (tensors[i].n_dims < 1 || tensors[i].n_dims > H2G_GGUF_MAX_DIMS)
            return h2g_fail(err, "tensor '%s': %u dimensions; GGUF allows 1 to %d",
                            tensors[i].name, tensors[i].n_dims, H2G_GGUF_MAX_DIMS);
    }
    const char *repeated;
    if (h2g_tensor_find_repeated_name(tensors, n, &repeated, err) != 0) return -1;
    return repeated ? h2g_fail(err, "tensor '%s' appears twice", repeated) : 0;
}

/* All checks that do not depend on the layout. Returns 0 or -1. */
static int check_header(const h2g_kv_list *kv, const h2g_tensor_info *tensors, size_t n,
                        uint32_t *align, h2g_error *err) {
    if (alignment_of(kv, align, err) != 0 || check_kvs(kv, err) != 0) return -1;
    return check_tensors(tensors, n, err);
}

/* Checks the KVs and tensor infos, then assigns dense offsets: each tensor
 * starts where the previous one's bytes, padded to the alignment, end. */
int h2g_gguf_layout(const h2g_kv_list *kv, h2g_tensor_info *tensors, size_t n_tensors,
                    uint64_t *data_offset, uint64_t *data_size, h2g_error *err) {
    uint32_t align;
    if (check_header(kv, tensors, n_tensors, &align, err) != 0) return -1;
    uint64_t offset = 0;
    for (size_t i = 0; i < n_tensors; i++) {
        if (h2g_tensor_nbytes(&tensors[i], &tensors[i].nbytes, err) != 0) return -1;
        tensors[i].offset = offset;
        offset += round_up(tensors[i].nbytes, align);
    }
    *data_offset = round_up(header_size(kv, tensors, n_tensors), align);
    *data_size = offset;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------- */

typedef struct writer {
    uint8_t *buf;
    size_t pos;
} writer;

/* Appends n raw bytes (the buffer was sized by header_size, so no checks). */
static void put_bytes(writer *w, const void *p, size_t n) {
    if (n) memcpy(w->buf + w->pos, p, n);
    w->pos += n;
}

/* Little-endian integer of `bytes` bytes. */
static void put_le(writer *w, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) w->buf[w->pos++] = (uint8_t)(v >> (8 * i));
}

/* A GGUF string: uint64 length, then the bytes without a NUL. */
static void put_str(writer *w, const char *s, uint64_t len) {
    put_le(w, len, 8);
    put_bytes(w, s, (size_t)len);
}

/* A scalar value of `type` held in num (see h2g_kv). */
static void put_scalar(writer *w, uint32_t type, const h2g_kv *kv) {
    uint32_t f;
    switch (type) {
    case H2G_VT_FLOAT32:
        memcpy(&f, &kv->num.f32, 4);
        put_le(w, f, 4);
        break;
    case H2G_VT_BOOL: put_le(w, kv->num.b ? 1 : 0, 1); break;
    case H2G_VT_FLOAT64: {
        uint64_t d;
        memcpy(&d, &kv->num.f64, 8);
        put_le(w, d, 8);
        break;
    }
    default: put_le(w, kv->num.u64, (int)h2g_value_type_size(type)); break;
    }
}

/* Value type, then the value of one KV (the key is written by the caller). */
static void put_value(writer *w, const h2g_kv *kv) {
    put_le(w, kv->type, 4);
    if (kv->type == H2G_VT_STRING) {
        put_str(w, kv->str.data, kv->str.len);
    } else if (kv->type == H2G_VT_ARRAY) {
        put_le(w, kv->arr_type, 4);
        put_le(w, kv->n, 8);
        if (kv->arr_type == H2G_VT_STRING) {
            for (uint64_t i = 0; i < kv->n; i++) put_str(w, kv->strs[i].data, kv->strs[i].len);
        } else {
            /* Elements are kept packed little-endian already (x86/ARM hosts). */
            put_bytes(w, kv->arr, kv->n * h2g_value_type_size(kv->arr_type));
        }
    } else {
        put_scalar(w, kv->type, kv);
    }
}

/* Writes parts 1-7 into a zeroed buffer, so the padding needs no code. */
int h2g_gguf_encode_header(const h2g_kv_list *kv, const h2g_tensor_info *tensors,
                           size_t n_tensors, uint8_t **out, size_t *out_len, h2g_error *err) {
    uint32_t align;
    if (check_header(kv, tensors, n_tensors, &align, err) != 0) return -1;
    uint64_t size = header_size(kv, tensors, n_tensors);
    uint64_t padded = round_up(size, align);
    writer w = {calloc(1, padded), 0};
    if (!w.buf) return h2g_fail(err, "out of memory for a %llu-byte header",
                                (unsigned long long)padded);
    put_bytes(&w, H2G_GGUF_MAGIC, 4);
    put_le(&w, H2G_GGUF_VERSION, 4);
    put_le(&w, n_tensors, 8);
    put_le(&w, kv->n, 8);
    for (size_t i = 0; i < kv->n; i++) {
        put_str(&w, kv->items[i].key.data, kv->items[i].key.len);
        put_value(&w, &kv->items[i]);
    }
    for (size_t i = 0; i < n_tensors; i++) {
        const h2g_tensor_info *t = &tensors[i];
        put_str(&w, t->name, strlen(t->name));
        put_le(&w, t->n_dims, 4);
        for (uint32_t d = 0; d < t->n_dims; d++) put_le(&w, t->ne[d], 8);
        put_le(&w, t->type, 4);
        put_le(&w, t->offset, 8);
    }
    *out = w.buf;
    *out_len = (size_t)padded;
    return 0;
}
