/* safetensors.c - parsing and validating safetensors headers
 * (see include/hf2gguf/safetensors.h).
 *
 * Everything here distrusts the file: every number is checked before it is
 * used, and nothing is allocated in proportion to a number read from the
 * file (the tensor array is sized by the entries actually present in a
 * header whose length was already checked against the file size). Messages
 * start with the file name and name the tensor. */
#include "hf2gguf/safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/util.h"

/* Tensor names come from the file; cap them in messages so that the part
 * saying what is wrong always fits in the error record. */
#define NAME_FMT "%.200s"

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
    [H2G_DT_BOOL] = {"BOOL", 1},       [H2G_DT_F8_E8M0] = {"F8_E8M0", 1},
};

/* The safetensors spelling of dt, or "?" for a value outside the enum. */
const char *h2g_dtype_name(h2g_dtype dt) { return dt < H2G_DT_COUNT ? dtypes[dt].name : "?"; }

/* Bytes per element, or 0 for a value outside the enum. */
size_t h2g_dtype_size(h2g_dtype dt) { return dt < H2G_DT_COUNT ? dtypes[dt].size : 0; }

/* Looks up a dtype by its exact (case-sensitive) safetensors name. */
bool h2g_dtype_parse(const char *name, h2g_dtype *out) {
    for (int i = 0; i < H2G_DT_COUNT; i++) {
        if (!strcmp(name, dtypes[i].name)) {
            *out = (h2g_dtype)i;
            return true;
        }
    }
    return false;
}

/* Floats and the two F8 formats: what a weight can be converted from. */
bool h2g_dtype_is_float(h2g_dtype dt) {
    return dt == H2G_DT_F64 || dt == H2G_DT_F32 || dt == H2G_DT_F16 || dt == H2G_DT_BF16 ||
           dt == H2G_DT_F8_E4M3 || dt == H2G_DT_F8_E5M2;
}

/* ---------------------------------------------------------------------------
 * One tensor entry
 * ------------------------------------------------------------------------- */

/* True when `it` is a JSON number holding a whole number in [0, 2^53): cJSON
 * keeps numbers as doubles, and above 2^53 they no longer count exactly. */
static bool whole_number(const cJSON *it, uint64_t *out) {
    if (!cJSON_IsNumber(it)) return false;
    double v = it->valuedouble;
    if (!(v >= 0) || v >= 9007199254740992.0 || v != floor(v)) return false;
    *out = (uint64_t)v;
    return true;
}

/* Writes "[4, 8]" for t's shape into buf (for messages). */
static void format_shape(const h2g_st_tensor *t, char *buf, size_t size) {
    size_t used = (size_t)snprintf(buf, size, "[");
    for (uint32_t d = 0; d < t->n_dims && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%llu", d ? ", " : "",
                                 (unsigned long long)t->shape[d]);
    if (used < size) snprintf(buf + used, size - used, "]");
}

/* Reads "shape" into t (n_dims, shape, n_elements), refusing more than
 * H2G_ST_MAX_DIMS entries, entries that are not whole numbers, and an element
 * count that overflows 64 bits. */
static int parse_shape(h2g_st_tensor *t, const cJSON *shape, const char *file, h2g_error *err) {
    if (!cJSON_IsArray(shape))
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': 'shape' must be a list", file, t->name);
    int n = cJSON_GetArraySize(shape);
    if (n > H2G_ST_MAX_DIMS)
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': shape has %d dimensions, at most %d "
                             "are supported", file, t->name, n, H2G_ST_MAX_DIMS);
    t->n_dims = (uint32_t)n;
    t->n_elements = 1;
    int d = 0;
    for (const cJSON *it = shape->child; it; it = it->next, d++) {
        uint64_t v;
        if (!whole_number(it, &v))
            return h2g_fail(err, "%s: tensor '" NAME_FMT "': shape entry %d is not a "
                                 "non-negative whole number below 2^53", file, t->name, d);
        t->shape[d] = v;
        if (v != 0 && t->n_elements > UINT64_MAX / v)
            return h2g_fail(err, "%s: tensor '" NAME_FMT "': shape overflows 64 bits", file,
                            t->name);
        t->n_elements *= v;
    }
    return 0;
}

/* Reads "data_offsets" as two whole numbers begin <= end. */
static int parse_offsets(const h2g_st_tensor *t, const cJSON *offs, uint64_t *begin,
                         uint64_t *end, const char *file, h2g_error *err) {
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 ||
        !whole_number(offs->child, begin) || !whole_number(offs->child->next, end))
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': 'data_offsets' must be two whole "
                             "numbers [begin, end]", file, t->name);
    if (*begin > *end)
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': data_offsets [%llu, %llu) are "
                             "reversed (begin > end)", file, t->name,
                        (unsigned long long)*begin, (unsigned long long)*end);
    return 0;
}

/* Reads one "name": {dtype, shape, data_offsets} entry into t (whose name is
 * already set). The byte size must match the range exactly, and the range
 * must lie in the data region [data_start, file_size). */
static int parse_entry(h2g_st_tensor *t, const cJSON *e, uint64_t data_start,
                       uint64_t file_size, const char *file, h2g_error *err) {
    if (!cJSON_IsObject(e))
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': entry must be a JSON object", file,
                        t->name);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    if (!cJSON_IsString(dt))
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': 'dtype' must be a string", file,
                        t->name);
    if (!h2g_dtype_parse(dt->valuestring, &t->dtype))
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': unknown dtype '%.40s'", file, t->name,
                        dt->valuestring);
    if (parse_shape(t, cJSON_GetObjectItemCaseSensitive(e, "shape"), file, err) != 0) return -1;
    uint64_t begin = 0, end = 0;
    if (parse_offsets(t, cJSON_GetObjectItemCaseSensitive(e, "data_offsets"), &begin, &end,
                      file, err) != 0)
        return -1;
    size_t es = dtypes[t->dtype].size;
    if (t->n_elements > UINT64_MAX / es)
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': byte size overflows 64 bits", file,
                        t->name);
    t->nbytes = t->n_elements * es;
    if (t->nbytes != end - begin) {
        char shape[H2G_ST_MAX_DIMS * 22 + 3];
        format_shape(t, shape, sizeof shape);
        return h2g_fail(err, "%s: tensor '" NAME_FMT "': shape %s × %s is %llu bytes but "
                             "data_offsets span %llu", file, t->name, shape,
                        dtypes[t->dtype].name, (unsigned long long)t->nbytes,
                        (unsigned long long)(end - begin));
    }
    /* data_start <= file_size was checked with the header length. */
    if (end > file_size - data_start)
        return h2g_fail(err, "%s: tensor '" NAME_FMT "' data [%llu, %llu) lies outside the "
                             "file (%llu data bytes after the header; truncated?)", file,
                        t->name, (unsigned long long)begin, (unsigned long long)end,
                        (unsigned long long)(file_size - data_start));
    t->offset = data_start + begin;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Whole header
 * ------------------------------------------------------------------------- */

/* qsort order of tensors: plain byte order of names (code-point order for
 * UTF-8), the reference's order within a file. */
static int cmp_name(const void *a, const void *b) {
    return strcmp(((const h2g_st_tensor *)a)->name, ((const h2g_st_tensor *)b)->name);
}

/* qsort order of tensor pointers: by start of data, then by end. */
static int cmp_offset(const void *a, const void *b) {
    const h2g_st_tensor *x = *(const h2g_st_tensor *const *)a;
    const h2g_st_tensor *y = *(const h2g_st_tensor *const *)b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->nbytes < y->nbytes ? -1 : x->nbytes > y->nbytes;
}

/* With names sorted, a duplicate is an equal neighbour. cJSON keeps every
 * copy of a repeated key, so this is where duplicates are caught. */
static int check_unique(const h2g_st_header *h, const char *file, h2g_error *err) {
    for (size_t i = 1; i < h->n_tensors; i++)
        if (!strcmp(h->tensors[i - 1].name, h->tensors[i].name))
            return h2g_fail(err, "%s: tensor '" NAME_FMT "' is listed twice in the header", file,
                            h->tensors[i].name);
    return 0;
}

/* No two non-empty data ranges may share a byte: sorted by start, each range
 * must begin at or after the furthest end seen so far. The message gives
 * the ranges as data_offsets, as the header spells them. */
static int check_overlaps(const h2g_st_header *h, const char *file, h2g_error *err) {
    if (h->n_tensors < 2) return 0;
    const h2g_st_tensor **by_off = malloc(h->n_tensors * sizeof *by_off);
    if (!by_off)
        return h2g_fail(err, "%s: out of memory for the list of %zu tensors by offset", file,
                        h->n_tensors);
    for (size_t i = 0; i < h->n_tensors; i++) by_off[i] = &h->tensors[i];
    qsort(by_off, h->n_tensors, sizeof *by_off, cmp_offset);
    int rc = 0;
    const h2g_st_tensor *reach = NULL; /* the range that ends furthest so far */
    for (size_t i = 0; i < h->n_tensors && rc == 0; i++) {
        const h2g_st_tensor *t = by_off[i];
        if (t->nbytes == 0) continue;
        if (reach && t->offset < reach->offset + reach->nbytes) {
            uint64_t a = reach->offset - h->data_start, b = t->offset - h->data_start;
            rc = h2g_fail(err, "%s: tensors '" NAME_FMT "' [%llu, %llu) and '" NAME_FMT
                               "' [%llu, %llu) overlap in the file", file, reach->name,
                          (unsigned long long)a, (unsigned long long)(a + reach->nbytes),
                          t->name, (unsigned long long)b, (unsigned long long)(b + t->nbytes));
        }
        if (!reach || t->offset + t->nbytes > reach->offset + reach->nbytes) reach = t;
    }
    free(by_off);
    return rc;
}

/* Fills h->tensors from the header object's entries (all but
 * "__metadata__"), then sorts them by name and checks names and ranges. */
static int parse_entries(h2g_st_header *h, const cJSON *root, uint64_t file_size,
                         uint32_t shard, const char *file, h2g_error *err) {
    size_t n = 0;
    for (const cJSON *e = root->child; e; e = e->next) n++;
    h->tensors = calloc(n ? n : 1, sizeof *h->tensors);
    if (!h->tensors)
        return h2g_fail(err, "%s: out of memory for the header's list of %zu entries", file, n);
    for (const cJSON *e = root->child; e; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) continue;
        h2g_st_tensor *t = &h->tensors[h->n_tensors++];
        t->name = h2g_strdup(e->string);
        t->shard = shard;
        if (!t->name)
            return h2g_fail(err, "%s: out of memory for the name of tensor '" NAME_FMT "'", file,
                            e->string);
        if (parse_entry(t, e, h->data_start, file_size, file, err) != 0) return -1;
    }
    qsort(h->tensors, h->n_tensors, sizeof *h->tensors, cmp_name);
    if (check_unique(h, file, err) != 0) return -1;
    return check_overlaps(h, file, err);
}

/* True when [p, end) is only JSON whitespace (the header's padding). */
static bool only_whitespace(const char *p, const char *end) {
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return false;
    return true;
}

/* Parses the n header bytes at json into *root, which must be one JSON
 * object followed by nothing but padding. */
static int parse_json(const char *json, size_t n, cJSON **root, const char *file,
                      h2g_error *err) {
    const char *stop = NULL;
    *root = cJSON_ParseWithLengthOpts(json, n, &stop, false);
    if (!*root)
        return h2g_fail(err, "%s: header is not valid JSON (near byte %zu of %zu)", file,
                        stop ? (size_t)(stop - json) + 8 : (size_t)8, n + 8);
    if (!cJSON_IsObject(*root))
        return h2g_fail(err, "%s: header is not a JSON object", file);
    if (stop && !only_whitespace(stop, json + n))
        return h2g_fail(err, "%s: header has bytes after its JSON object (near byte %zu)", file,
                        (size_t)(stop - json) + 8);
    return 0;
}

/* Parses and checks a header; see safetensors.h. On error h is empty. */
int h2g_st_parse_header(h2g_st_header *h, const uint8_t *head, size_t head_len,
                        uint64_t file_size, uint32_t shard, const char *file,
                        h2g_error *err) {
    memset(h, 0, sizeof *h);
    if (file_size < 8 || head_len < 8)
        return h2g_fail(err, "%s: file is %llu bytes, too short for a safetensors header "
                             "(truncated?)", file, (unsigned long long)file_size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | head[i];
    if (n > file_size - 8)
        return h2g_fail(err, "%s: header length %llu is larger than the file (%llu bytes)",
                        file, (unsigned long long)n, (unsigned long long)file_size);
    if (n > H2G_ST_MAX_HEADER)
        return h2g_fail(err, "%s: header length %llu exceeds the %u-byte limit", file,
                        (unsigned long long)n, H2G_ST_MAX_HEADER);
    if (n > head_len - 8)
        return h2g_fail(err, "%s: only %zu of the %llu header bytes were given", file,
                        head_len - 8, (unsigned long long)n);
    h->data_start = 8 + n;
    cJSON *root = NULL;
    int rc = parse_json((const char *)head + 8, (size_t)n, &root, file, err);
    if (rc == 0) rc = parse_entries(h, root, file_size, shard, file, err);
    cJSON_Delete(root);
    if (rc != 0) h2g_st_header_free(h);
    return rc;
}

/* Frees the tensors and their names; h is left empty (safe to free twice). */
void h2g_st_header_free(h2g_st_header *h) {
    for (size_t i = 0; i < h->n_tensors; i++) free(h->tensors[i].name);
    free(h->tensors);
    memset(h, 0, sizeof *h);
}
