/* safetensors.c - parsing and validating safetensors headers
 * (see include/hf2gguf/safetensors.h). */
#include "hf2gguf/safetensors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* ---------------------------------------------------------------------------
 * dtypes
 * ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    size_t size;
} dtypes[H2G_DT_COUNT] = {
    [H2G_DT_F64] = {"F64", 8},         [H2G_DT_F32] = {"F32", 4},
    [H2G_DT_F16] = {"F16", 2},         [H2G_DT_BF16] = {"BF16", 2},
    [H2G_DT_F8_E4M3] = {"F8_E4M3", 1}, [H2G_DT_F8_E5M2] = {"F8_E5M2", 1},
    [H2G_DT_I64] = {"I64", 8},         [H2G_DT_I32] = {"I32", 4},
    [H2G_DT_I16] = {"I16", 2},         [H2G_DT_I8] = {"I8", 1},
    [H2G_DT_U64] = {"U64", 8},         [H2G_DT_U32] = {"U32", 4},
    [H2G_DT_U16] = {"U16", 2},         [H2G_DT_U8] = {"U8", 1},
    [H2G_DT_BOOL] = {"BOOL", 1},
};

const char *h2g_dtype_name(h2g_dtype dt) { return dt < H2G_DT_COUNT ? dtypes[dt].name : "?"; }
size_t h2g_dtype_size(h2g_dtype dt) { return dt < H2G_DT_COUNT ? dtypes[dt].size : 0; }

bool h2g_dtype_parse(const char *name, h2g_dtype *out) {
    for (int i = 0; i < H2G_DT_COUNT; i++) {
        if (!strcmp(name, dtypes[i].name)) {
            *out = (h2g_dtype)i;
            return true;
        }
    }
    return false;
}

bool h2g_dtype_is_float(h2g_dtype dt) {
    return dt == H2G_DT_F64 || dt == H2G_DT_F32 || dt == H2G_DT_F16 || dt == H2G_DT_BF16 ||
           dt == H2G_DT_F8_E4M3 || dt == H2G_DT_F8_E5M2;
}

/* ---------------------------------------------------------------------------
 * One tensor entry
 * ------------------------------------------------------------------------- */

/* A JSON number that is a whole number in [0, 2^53]; false otherwise. */
static bool whole_number(const cJSON *it, uint64_t *out) {
    if (!cJSON_IsNumber(it)) return false;
    double v = it->valuedouble;
    if (!(v >= 0) || v > 9007199254740992.0 || v != floor(v)) return false;
    *out = (uint64_t)v;
    return true;
}

static int parse_shape(h2g_st_tensor *t, const cJSON *shape, const char *file, h2g_error *err) {
    if (!cJSON_IsArray(shape))
        return h2g_fail(err, "%s: tensor '%s': 'shape' must be a list", file, t->name);
    int n = cJSON_GetArraySize(shape);
    if (n > H2G_ST_MAX_DIMS)
        return h2g_fail(err, "%s: tensor '%s': %d dimensions, at most %d are supported", file,
                        t->name, n, H2G_ST_MAX_DIMS);
    t->n_dims = (uint32_t)n;
    t->n_elements = 1;
    for (int d = 0; d < n; d++) {
        uint64_t v;
        if (!whole_number(cJSON_GetArrayItem(shape, d), &v))
            return h2g_fail(err, "%s: tensor '%s': shape entry %d is not a non-negative whole "
                                 "number", file, t->name, d);
        t->shape[d] = v;
        if (v != 0 && t->n_elements > UINT64_MAX / v)
            return h2g_fail(err, "%s: tensor '%s': shape overflows 64 bits", file, t->name);
        t->n_elements *= v;
    }
    return 0;
}

/* Reads one "name": {dtype, shape, data_offsets} entry; offsets are checked
 * against the data region [data_start, file_size). */
static int parse_entry(h2g_st_tensor *t, const cJSON *e, uint64_t data_start,
                       uint64_t file_size, const char *file, h2g_error *err) {
    if (!cJSON_IsObject(e))
        return h2g_fail(err, "%s: tensor '%s': entry must be an object", file, t->name);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    if (!cJSON_IsString(dt))
        return h2g_fail(err, "%s: tensor '%s': 'dtype' must be a string", file, t->name);
    if (!h2g_dtype_parse(dt->valuestring, &t->dtype))
        return h2g_fail(err, "%s: tensor '%s': unknown dtype '%s'", file, t->name,
                        dt->valuestring);
    if (parse_shape(t, cJSON_GetObjectItemCaseSensitive(e, "shape"), file, err) != 0) return -1;
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    uint64_t begin, end;
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 ||
        !whole_number(cJSON_GetArrayItem(offs, 0), &begin) ||
        !whole_number(cJSON_GetArrayItem(offs, 1), &end))
        return h2g_fail(err, "%s: tensor '%s': 'data_offsets' must be two whole numbers", file,
                        t->name);
    if (begin > end)
        return h2g_fail(err, "%s: tensor '%s': data_offsets [%llu, %llu) are reversed", file,
                        t->name, (unsigned long long)begin, (unsigned long long)end);
    size_t es = h2g_dtype_size(t->dtype);
    if (t->n_elements > UINT64_MAX / es)
        return h2g_fail(err, "%s: tensor '%s': byte size overflows 64 bits", file, t->name);
    t->nbytes = t->n_elements * es;
    if (t->nbytes != end - begin)
        return h2g_fail(err, "%s: tensor '%s': shape × %s is %llu bytes but data_offsets span "
                             "%llu", file, t->name, dtypes[t->dtype].name,
                        (unsigned long long)t->nbytes, (unsigned long long)(end - begin));
    if (end > file_size - data_start)
        return h2g_fail(err, "%s: tensor '%s': data [%llu, %llu) lies outside the file (%llu "
                             "data bytes; truncated?)", file, t->name,
                        (unsigned long long)begin, (unsigned long long)end,
                        (unsigned long long)(file_size - data_start));
    t->offset = data_start + begin;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Whole header
 * ------------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b) {
    return strcmp(((const h2g_st_tensor *)a)->name, ((const h2g_st_tensor *)b)->name);
}

static int cmp_offset(const void *a, const void *b) {
    const h2g_st_tensor *x = *(const h2g_st_tensor *const *)a;
    const h2g_st_tensor *y = *(const h2g_st_tensor *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Names sorted: equal neighbours are duplicates (cJSON keeps both). */
static int check_unique(const h2g_st_header *h, const char *file, h2g_error *err) {
    for (size_t i = 1; i < h->n_tensors; i++)
        if (!strcmp(h->tensors[i - 1].name, h->tensors[i].name))
            return h2g_fail(err, "%s: tensor '%s' is listed twice", file, h->tensors[i].name);
    return 0;
}

/* No two non-empty data ranges may overlap. */
static int check_overlaps(const h2g_st_header *h, const char *file, h2g_error *err) {
    if (h->n_tensors < 2) return 0;
    const h2g_st_tensor **by_off = malloc(h->n_tensors * sizeof *by_off);
    if (!by_off) return h2g_fail(err, "%s: out of memory", file);
    for (size_t i = 0; i < h->n_tensors; i++) by_off[i] = &h->tensors[i];
    qsort(by_off, h->n_tensors, sizeof *by_off, cmp_offset);
    int rc = 0;
    const h2g_st_tensor *prev = NULL;
    for (size_t i = 0; i < h->n_tensors && rc == 0; i++) {
        const h2g_st_tensor *t = by_off[i];
        if (t->nbytes == 0) continue;
        if (prev && t->offset < prev->offset + prev->nbytes)
            rc = h2g_fail(err, "%s: tensors '%s' and '%s' overlap in the file", file,
                          prev->name, t->name);
        if (!prev || t->offset + t->nbytes > prev->offset + prev->nbytes) prev = t;
    }
    free(by_off);
    return rc;
}

static int parse_entries(h2g_st_header *h, const cJSON *root, uint64_t file_size,
                         uint32_t shard, const char *file, h2g_error *err) {
    size_t n = 0;
    for (const cJSON *e = root->child; e; e = e->next) n++;
    h->tensors = calloc(n ? n : 1, sizeof *h->tensors);
    if (!h->tensors) return h2g_fail(err, "%s: out of memory", file);
    for (const cJSON *e = root->child; e; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) continue;
        h2g_st_tensor *t = &h->tensors[h->n_tensors++];
        t->name = strdup(e->string);
        t->shard = shard;
        if (!t->name) return h2g_fail(err, "%s: out of memory", file);
        if (parse_entry(t, e, h->data_start, file_size, file, err) != 0) return -1;
    }
    qsort(h->tensors, h->n_tensors, sizeof *h->tensors, cmp_name);
    if (check_unique(h, file, err) != 0) return -1;
    return check_overlaps(h, file, err);
}

int h2g_st_parse_header(h2g_st_header *h, const uint8_t *head, size_t head_len,
                        uint64_t file_size, uint32_t shard, const char *file,
                        h2g_error *err) {
    memset(h, 0, sizeof *h);
    if (head_len < 8 || file_size < 8)
        return h2g_fail(err, "%s: file is %llu bytes, too short for a safetensors header", file,
                        (unsigned long long)file_size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | head[i];
    if (n > file_size - 8)
        return h2g_fail(err, "%s: header length %llu is larger than the file (%llu bytes)",
                        file, (unsigned long long)n, (unsigned long long)file_size);
    if (n > H2G_ST_MAX_HEADER)
        return h2g_fail(err, "%s: header length %llu exceeds the %u-byte limit", file,
                        (unsigned long long)n, H2G_ST_MAX_HEADER);
    if (n > head_len - 8)
        return h2g_fail(err, "%s: header is incomplete", file);
    h->data_start = 8 + n;
    cJSON *root = cJSON_ParseWithLength((const char *)head + 8, (size_t)n);
    if (!root) return h2g_fail(err, "%s: header is not valid JSON", file);
    int rc = 0;
    if (!cJSON_IsObject(root))
        rc = h2g_fail(err, "%s: header is not a JSON object", file);
    else
        rc = parse_entries(h, root, file_size, shard, file, err);
    cJSON_Delete(root);
    if (rc != 0) h2g_st_header_free(h);
    return rc;
}

void h2g_st_header_free(h2g_st_header *h) {
    for (size_t i = 0; i < h->n_tensors; i++) free(h->tensors[i].name);
    free(h->tensors);
    memset(h, 0, sizeof *h);
}
