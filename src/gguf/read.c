/* read.c - opening and validating GGUF files (see include/hf2gguf/gguf.h).
 *
 * The reader is as strict as ggml's gguf.cpp, plus a few checks ggml leaves
 * to undefined behaviour (BOOL bytes other than 0/1, NUL bytes in tensor
 * names). Every number read from the file is checked against the bytes that
 * remain before it is used as a length, a count or an offset, and nothing is
 * allocated in proportion to a count until that count has been checked. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hf2gguf/gguf.h"
#include "base/util.h"

/* The smallest encodings, used to reject counts that cannot fit in the
 * bytes left: a KV is key length (8) + type (4) + a 1-byte value; a tensor
 * info is name length (8) + n_dims (4) + one ne (8) + type (4) + offset (8). */
#define MIN_KV_BYTES 13
#define MIN_TENSOR_INFO_BYTES 32

/* ---------------------------------------------------------------------------
 * Low-level reading: a cursor bounded by the file size
 * ------------------------------------------------------------------------- */

typedef struct cursor {
    const uint8_t *p;
    uint64_t size;
    uint64_t pos;
    h2g_error *err;
} cursor;

/* Bytes left after the cursor. */
static uint64_t left(const cursor *c) { return c->size - c->pos; }

/* Returns 0 when n more bytes can be read, else fails naming `what`. */
static int need(cursor *c, uint64_t n, const char *what) {
    if (n <= left(c)) return 0;
    return h2g_fail(c->err, "%s at byte %llu runs past the end of the file (%llu bytes)", what,
                    (unsigned long long)c->pos, (unsigned long long)c->size);
}

/* Reads a little-endian unsigned integer of `bytes` bytes (already checked). */
static uint64_t take_le(cursor *c, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)c->p[c->pos + i] << (8 * i);
    c->pos += (uint64_t)bytes;
    return v;
}

/* Reads a uint32; fails naming `what` when the file ends first. */
static int read_u32(cursor *c, uint32_t *v, const char *what) {
    if (need(c, 4, what) != 0) return -1;
    *v = (uint32_t)take_le(c, 4);
    return 0;
}

/* Reads a uint64; fails naming `what` when the file ends first. */
static int read_u64(cursor *c, uint64_t *v, const char *what) {
    if (need(c, 8, what) != 0) return -1;
    *v = take_le(c, 8);
    return 0;
}

/* Reads a GGUF string (uint64 length + bytes) into a malloc'ed,
 * NUL-terminated copy. The length is checked against the file first. */
static int read_str(cursor *c, h2g_str *s, const char *what) {
    uint64_t len;
    if (read_u64(c, &len, what) != 0) return -1;
    if (len > left(c))
        return h2g_fail(c->err, "%s of %llu bytes at byte %llu runs past the end of the file "
                                "(%llu bytes)", what, (unsigned long long)len,
                        (unsigned long long)c->pos, (unsigned long long)c->size);
    s->data = malloc((size_t)len + 1);
    if (!s->data) return h2g_fail(c->err, "out of memory for a %llu-byte string",
                                  (unsigned long long)len);
    memcpy(s->data, c->p + c->pos, (size_t)len);
    s->data[len] = '\0';
    s->len = len;
    c->pos += len;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Key/value pairs
 * ------------------------------------------------------------------------- */

/* Sign-extends the low `bytes` bytes of v. */
static int64_t sign_extend(uint64_t v, int bytes) {
    if (bytes == 8) return (int64_t)v;
    uint64_t sign = UINT64_C(1) << (8 * bytes - 1);
    return (int64_t)((v ^ sign) - sign);
}

/* Reads one scalar of a fixed-size type into kv->num (see h2g_kv). */
static int read_scalar(cursor *c, uint32_t type, h2g_kv *kv) {
    int bytes = (int)h2g_value_type_size(type);
    if (need(c, (uint64_t)bytes, "value") != 0) return -1;
    uint64_t v = take_le(c, bytes);
    switch (type) {
    case H2G_VT_INT8:
    case H2G_VT_INT16:
    case H2G_VT_INT32:
    case H2G_VT_INT64: kv->num.i64 = sign_extend(v, bytes); break;
    case H2G_VT_FLOAT32: {
        uint32_t bits = (uint32_t)v;
        memcpy(&kv->num.f32, &bits, 4);
        break;
    }
    case H2G_VT_FLOAT64: memcpy(&kv->num.f64, &v, 8); break;
    case H2G_VT_BOOL:
        /* ggml reads the byte straight into a C++ bool: anything but 0/1 is UB. */
        if (v > 1) return h2g_fail(c->err, "BOOL value %llu is neither 0 nor 1",
                                   (unsigned long long)v);
        kv->num.b = v == 1;
        break;
    default: kv->num.u64 = v; break;
    }
    return 0;
}

/* Reads the n elements of a STRING array. */
static int read_str_elems(cursor *c, h2g_kv *kv, uint64_t n) {
    if (n > left(c) / 8)
        return h2g_fail(c->err, "array of %llu strings at byte %llu cannot fit in the file "
                                "(%llu bytes)", (unsigned long long)n,
                        (unsigned long long)c->pos, (unsigned long long)c->size);
    kv->strs = calloc(n ? (size_t)n : 1, sizeof *kv->strs);
    if (!kv->strs)
        return h2g_fail(c->err, "out of memory for an array of %llu strings",
                        (unsigned long long)n);
    kv->n = n; /* set now so that h2g_kv_list_free frees what was read */
    for (uint64_t i = 0; i < n; i++)
        if (read_str(c, &kv->strs[i], "array string") != 0) return -1;
    return 0;
}

/* Copies the n packed elements of a fixed-size-type array. */
static int read_packed_elems(cursor *c, h2g_kv *kv, uint64_t n) {
    size_t es = h2g_value_type_size(kv->arr_type);
    if (n > left(c) / es)
        return h2g_fail(c->err, "array of %llu %s at byte %llu runs past the end of the file "
                                "(%llu bytes)", (unsigned long long)n,
                        h2g_value_type_name(kv->arr_type), (unsigned long long)c->pos,
                        (unsigned long long)c->size);
    size_t bytes = (size_t)n * es;
    kv->arr = malloc(bytes ? bytes : 1);
    if (!kv->arr) return h2g_fail(c->err, "out of memory for a %zu-byte array", bytes);
    if (bytes) memcpy(kv->arr, c->p + c->pos, bytes);
    c->pos += bytes;
    kv->n = n;
    if (kv->arr_type != H2G_VT_BOOL) return 0;
    for (size_t i = 0; i < bytes; i++)
        if (((uint8_t *)kv->arr)[i] > 1)
            return h2g_fail(c->err, "BOOL element %zu is %u, neither 0 nor 1", i,
                            ((uint8_t *)kv->arr)[i]);
    return 0;
}

/* Reads an array value: element type, count, elements. */
static int read_array(cursor *c, h2g_kv *kv) {
    uint64_t n;
    if (read_u32(c, &kv->arr_type, "array element type") != 0) return -1;
    if (kv->arr_type == H2G_VT_ARRAY)
        return h2g_fail(c->err, "nested arrays are not supported");
    if (kv->arr_type >= H2G_VT_COUNT)
        return h2g_fail(c->err, "unknown array element type %u", kv->arr_type);
    if (read_u64(c, &n, "array count") != 0) return -1;
    if (kv->arr_type == H2G_VT_STRING) return read_str_elems(c, kv, n);
    return read_packed_elems(c, kv, n);
}

/* Reads one key/value pair into kv (zeroed by the caller). Errors name the
 * key, or its index when the key itself could not be read. */
static int read_kv(cursor *c, h2g_kv *kv, uint64_t index) {
    if (read_str(c, &kv->key, "key") != 0)
        return h2g_fail_prefix(c->err, "KV %llu", (unsigned long long)index);
    int rc = read_u32(c, &kv->type, "value type");
    if (rc == 0 && kv->type >= H2G_VT_COUNT)
        rc = h2g_fail(c->err, "unknown value type %u", kv->type);
    else if (rc == 0 && kv->type == H2G_VT_STRING)
        rc = read_str(c, &kv->str, "string");
    else if (rc == 0 && kv->type == H2G_VT_ARRAY)
        rc = read_array(c, kv);
    else if (rc == 0)
        rc = read_scalar(c, kv->type, kv);
    return rc == 0 ? 0 : h2g_fail_prefix(c->err, "key '%s'", kv->key.data);
}

/* qsort order of KV pointers by key bytes. */
static int cmp_keys(const void *a, const void *b) {
    const h2g_kv *const *x = a, *const *y = b;
    uint64_t lx = (*x)->key.len, ly = (*y)->key.len;
    int r = memcmp((*x)->key.data, (*y)->key.data, (size_t)(lx < ly ? lx : ly));
    return r ? r : (lx > ly) - (lx < ly);
}

/* Fails when a key appears twice (sorted, so O(n log n) on hostile files). */
static int check_duplicate_keys(const h2g_kv_list *kv, h2g_error *err) {
    if (kv->n < 2) return 0;
    const h2g_kv **sorted = malloc(kv->n * sizeof *sorted);
    if (!sorted) return h2g_fail(err, "out of memory for the sorted list of %zu keys", kv->n);
    for (size_t i = 0; i < kv->n; i++) sorted[i] = &kv->items[i];
    qsort(sorted, kv->n, sizeof *sorted, cmp_keys);
    int rc = 0;
    for (size_t i = 1; i < kv->n && rc == 0; i++)
        if (cmp_keys(&sorted[i - 1], &sorted[i]) == 0)
            rc = h2g_fail(err, "duplicate key '%s'", sorted[i]->key.data);
    free(sorted);
    return rc;
}

/* Reads n_kv pairs into f->kv, growing the list as pairs are read (so its
 * size follows the bytes actually present, not the count). */
static int read_kvs(cursor *c, h2g_gguf_file *f, uint64_t n_kv) {
    for (uint64_t i = 0; i < n_kv; i++) {
        if (h2g_grow((void **)&f->kv.items, &f->kv.cap, f->kv.n + 1, sizeof *f->kv.items) != 0)
            return h2g_fail(c->err, "out of memory for the KV list (%zu pairs)", f->kv.n + 1);
        h2g_kv *kv = &f->kv.items[f->kv.n++];
        memset(kv, 0, sizeof *kv);
        if (read_kv(c, kv, i) != 0) return -1;
    }
    return check_duplicate_keys(&f->kv, c->err);
}

/* Sets f->alignment from general.alignment (UINT32, a power of two) or the
 * default. */
static int read_alignment(h2g_gguf_file *f, h2g_error *err) {
    f->alignment = H2G_GGUF_DEFAULT_ALIGNMENT;
    const h2g_kv *a = h2g_kv_get(&f->kv, "general.alignment");
    if (!a) return 0;
    if (a->type != H2G_VT_UINT32)
        return h2g_fail(err, "general.alignment has type %s; it must be UINT32",
                        h2g_value_type_name(a->type));
    uint64_t v = a->num.u64;
    if (v == 0 || (v & (v - 1)) != 0)
        return h2g_fail(err, "general.alignment = %llu is not a power of two",
                        (unsigned long long)v);
    f->alignment = (uint32_t)v;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Tensor infos
 * ------------------------------------------------------------------------- */

/* Reads a tensor name (< H2G_GGUF_MAX_NAME bytes, no NUL inside) into t. */
static int read_tensor_name(cursor *c, h2g_tensor_info *t, uint64_t index) {
    uint64_t len;
    if (read_u64(c, &len, "name length") != 0)
        return h2g_fail_prefix(c->err, "tensor %llu", (unsigned long long)index);
    if (len >= H2G_GGUF_MAX_NAME)
        return h2g_fail(c->err, "tensor %llu: name of %llu bytes is too long (names must be "
                                "shorter than %d bytes)", (unsigned long long)index,
                        (unsigned long long)len, H2G_GGUF_MAX_NAME);
    if (need(c, len, "name") != 0)
        return h2g_fail_prefix(c->err, "tensor %llu", (unsigned long long)index);
    memcpy(t->name, c->p + c->pos, (size_t)len);
    t->name[len] = '\0';
    c->pos += len;
    if (strlen(t->name) != len)
        return h2g_fail(c->err, "tensor %llu: name contains a NUL byte", (unsigned long long)index);
    return 0;
}

/* Reads one tensor info record and computes its byte size. */
static int read_tensor_info(cursor *c, h2g_tensor_info *t, uint64_t index) {
    if (read_tensor_name(c, t, index) != 0) return -1;
    if (read_u32(c, &t->n_dims, "n_dims") != 0)
        return h2g_fail_prefix(c->err, "tensor '%s'", t->name);
    if (t->n_dims < 1 || t->n_dims > H2G_GGUF_MAX_DIMS)
        return h2g_fail(c->err, "tensor '%s': n_dims = %u; GGUF allows 1 to %d", t->name,
                        t->n_dims, H2G_GGUF_MAX_DIMS);
    for (uint32_t d = 0; d < H2G_GGUF_MAX_DIMS; d++) t->ne[d] = 1;
    for (uint32_t d = 0; d < t->n_dims; d++)
        if (read_u64(c, &t->ne[d], "ne") != 0)
            return h2g_fail_prefix(c->err, "tensor '%s'", t->name);
    if (read_u32(c, &t->type, "ggml type") != 0 || read_u64(c, &t->offset, "offset") != 0)
        return h2g_fail_prefix(c->err, "tensor '%s'", t->name);
    return h2g_tensor_nbytes(t, &t->nbytes, c->err); /* type, ne[0], overflow */
}

/* Fails when two tensors share a name. */
static int check_duplicate_names(const h2g_tensor_info *tensors, size_t n, h2g_error *err) {
    const char *repeated;
    if (h2g_tensor_find_repeated_name(tensors, n, &repeated, err) != 0) return -1;
    return repeated ? h2g_fail(err, "duplicate tensor name '%s'", repeated) : 0;
}

/* Reads n tensor infos into f->tensors; n was checked against the bytes
 * left, so the allocation is bounded by the file size. */
static int read_tensor_infos(cursor *c, h2g_gguf_file *f, uint64_t n) {
    if (n == 0) return 0;
    f->tensors = calloc((size_t)n, sizeof *f->tensors);
    if (!f->tensors) return h2g_fail(c->err, "out of memory for %llu tensor infos",
                                     (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++) {
        if (read_tensor_info(c, &f->tensors[i], i) != 0) return -1;
        f->n_tensors++;
    }
    return check_duplicate_names(f->tensors, f->n_tensors, c->err);
}

/* ---------------------------------------------------------------------------
 * Layout: data offset, dense aligned offsets, data inside the file
 * ------------------------------------------------------------------------- */

/* n rounded up to a multiple of align (a power of two). */
static uint64_t round_up(uint64_t n, uint64_t align) { return (n + align - 1) / align * align; }

/* Checks one tensor's offset against the dense layout and that its bytes
 * lie inside the file; advances *expected past its padded bytes. */
static int check_tensor_offset(const h2g_gguf_file *f, const h2g_tensor_info *t,
                               uint64_t *expected, h2g_error *err) {
    if (t->offset % f->alignment != 0)
        return h2g_fail(err, "tensor '%s': offset %llu is not a multiple of the alignment %u",
                        t->name, (unsigned long long)t->offset, f->alignment);
    if (t->offset != *expected)
        return h2g_fail(err, "tensor '%s': offset %llu is not the expected %llu (offsets must "
                             "be dense)", t->name, (unsigned long long)t->offset,
                        (unsigned long long)*expected);
    /* data_offset <= size was checked, and *expected stays within the file
     * plus one alignment, so none of this overflows. */
    uint64_t room = f->size - f->data_offset;
    if (t->offset > room || t->nbytes > room - t->offset)
        return h2g_fail(err, "tensor '%s': %llu bytes of data at byte %llu run past the end of "
                             "the file (%llu bytes)", t->name, (unsigned long long)t->nbytes,
                        (unsigned long long)(f->data_offset + t->offset),
                        (unsigned long long)f->size);
    *expected = t->offset + round_up(t->nbytes, f->alignment);
    return 0;
}

/* Sets the data offset (end of the tensor infos, aligned) and checks every
 * tensor against it. Like llama.cpp's loader, a tensor's unpadded bytes must
 * be in the file; the padding after the last one may be missing. */
static int check_layout(cursor *c, h2g_gguf_file *f) {
    f->data_offset = round_up(c->pos, f->alignment);
    if (f->n_tensors == 0) return 0; /* ggml seeks past the end without complaint */
    if (f->data_offset > f->size)
        return h2g_fail(c->err, "the data section would start at byte %llu, past the end of "
                                "the file (%llu bytes)", (unsigned long long)f->data_offset,
                        (unsigned long long)f->size);
    uint64_t expected = 0;
    for (size_t i = 0; i < f->n_tensors; i++)
        if (check_tensor_offset(f, &f->tensors[i], &expected, c->err) != 0) return -1;
    return 0;
}

/* ---------------------------------------------------------------------------
 * The file
 * ------------------------------------------------------------------------- */

/* Reads and checks magic and version. */
static int read_magic_version(cursor *c, h2g_gguf_file *f) {
    if (c->size == 0) return h2g_fail(c->err, "empty file (0 bytes), not a GGUF file");
    if (need(c, 4, "magic") != 0) return -1;
    if (memcmp(c->p, H2G_GGUF_MAGIC, 4) != 0)
        return h2g_fail(c->err, "not a GGUF file: bad magic %02x %02x %02x %02x (expected "
                                "\"GGUF\")", c->p[0], c->p[1], c->p[2], c->p[3]);
    c->pos = 4;
    if (read_u32(c, &f->version, "version") != 0) return -1;
    if ((f->version & 0xffffu) == 0)
        return h2g_fail(c->err, "version field %u looks byte-swapped: big-endian GGUF files "
                                "are not supported", f->version);
    if (f->version != H2G_GGUF_VERSION)
        return h2g_fail(c->err, "GGUF version %u is not supported (only version %d)",
                        f->version, H2G_GGUF_VERSION);
    return 0;
}

/* Reads the two counts and rejects those that cannot fit in the file. */
static int read_counts(cursor *c, uint64_t *n_tensors, uint64_t *n_kv) {
    if (read_u64(c, n_tensors, "tensor count") != 0 || read_u64(c, n_kv, "KV count") != 0)
        return -1;
    if (*n_tensors > left(c) / MIN_TENSOR_INFO_BYTES)
        return h2g_fail(c->err, "tensor count %llu cannot fit in a file of %llu bytes",
                        (unsigned long long)*n_tensors, (unsigned long long)c->size);
    if (*n_kv > left(c) / MIN_KV_BYTES ||
        *n_kv * MIN_KV_BYTES + *n_tensors * MIN_TENSOR_INFO_BYTES > left(c))
        return h2g_fail(c->err, "KV count %llu (with %llu tensors) cannot fit in a file of "
                                "%llu bytes", (unsigned long long)*n_kv,
                        (unsigned long long)*n_tensors, (unsigned long long)c->size);
    return 0;
}

/* Parts 1-7 of the format, in order, then the data layout. */
static int parse_all(cursor *c, h2g_gguf_file *f) {
    uint64_t n_tensors, n_kv;
    if (read_magic_version(c, f) != 0 || read_counts(c, &n_tensors, &n_kv) != 0) return -1;
    if (read_kvs(c, f, n_kv) != 0 || read_alignment(f, c->err) != 0) return -1;
    if (read_tensor_infos(c, f, n_tensors) != 0) return -1;
    return check_layout(c, f);
}

int h2g_gguf_parse(h2g_gguf_file *f, const uint8_t *data, uint64_t size, const char *path,
                   h2g_error *err) {
    memset(f, 0, sizeof *f);
    f->path = h2g_strdup(path ? path : "<memory>");
    if (!f->path)
        return h2g_fail(err, "%s: out of memory for a copy of its path", path ? path : "<memory>");
    f->map = data;
    f->size = size;
    cursor c = {data, size, 0, err};
    if (parse_all(&c, f) != 0) {
        h2g_fail_prefix(err, "%s", f->path);
        h2g_gguf_close(f);
        return -1;
    }
    return 0;
}

int h2g_gguf_open(h2g_gguf_file *f, const char *path, h2g_error *err) {
    memset(f, 0, sizeof *f);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return h2g_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return h2g_fail(err, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return h2g_fail(err, "%s: not a regular file", path);
    }
    uint64_t size = (uint64_t)st.st_size;
    void *map = NULL; /* an empty file cannot be mapped; parse rejects it */
    if (size > 0) {
        map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            int e = errno;
            close(fd);
            return h2g_fail(err, "%s: cannot map %llu bytes: %s", path,
                            (unsigned long long)size, strerror(e));
        }
    }
    close(fd); /* the mapping stays valid */
    if (h2g_gguf_parse(f, map, size, path, err) != 0) {
        if (map) munmap(map, (size_t)size);
        return -1;
    }
    f->mapped = map != NULL;
    return 0;
}

void h2g_gguf_close(h2g_gguf_file *f) {
    if (f->mapped) munmap((void *)f->map, (size_t)f->size);
    free(f->path);
    h2g_kv_list_free(&f->kv);
    free(f->tensors);
    memset(f, 0, sizeof *f);
}

const uint8_t *h2g_gguf_tensor_data(const h2g_gguf_file *f, size_t i) {
    if (i >= f->n_tensors) return NULL;
    return f->map + f->data_offset + f->tensors[i].offset;
}

long h2g_gguf_find_tensor(const h2g_gguf_file *f, const char *name) {
    for (size_t i = 0; i < f->n_tensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return (long)i;
    return -1;
}
