/* json.c - a parsed GGUF file as JSON (see include/hf2gguf/gguf_json.h). */
#include "hf2gguf/gguf_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arrays longer than this are summarised unless full_arrays is asked for. */
#define SUMMARY_MAX 16
/* Elements shown in a summary's "head". */
#define SUMMARY_HEAD 8
/* Largest integer a double (and so a JSON number in most readers) holds
 * exactly. */
#define EXACT_INT_MAX (UINT64_C(1) << 53)

/* ---------------------------------------------------------------------------
 * Text helpers shared with the CLI
 * ------------------------------------------------------------------------- */

void h2g_f32_shortest(float v, char *buf, size_t size) {
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(buf, size, "%.*g", digits, (double)v);
        if (strtof(buf, NULL) == v) return; /* 9 digits always round-trip */
    }
}

const char *h2g_kv_type_label(const h2g_kv *kv, char *buf, size_t size) {
    if (kv->type == H2G_VT_ARRAY)
        snprintf(buf, size, "ARRAY[%s]", h2g_value_type_name(kv->arr_type));
    else
        snprintf(buf, size, "%s", h2g_value_type_name(kv->type));
    return buf;
}

/* ---------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------- */

/* True when the len bytes are valid UTF-8 without NUL bytes (cJSON strings
 * are NUL-terminated and its printer copies bytes through unchecked). */
static bool is_clean_utf8(const unsigned char *s, uint64_t len) {
    for (uint64_t i = 0; i < len;) {
        unsigned c = s[i];
        int extra = c == 0 ? -1 : c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2
                                                 : (c >> 3) == 30 ? 3 : -1;
        if (extra < 0 || (c >> 1) == 0x60 || c > 0xf4 || len - i <= (uint64_t)extra)
            return false;
        for (int k = 1; k <= extra; k++)
            if ((s[i + k] & 0xc0) != 0x80) return false;
        i += (uint64_t)extra + 1;
    }
    return true;
}

/* A GGUF string as a JSON string, or {"hex": ...} when it is not clean. */
static cJSON *str_json(const h2g_str *s) {
    if (is_clean_utf8((const unsigned char *)s->data, s->len)) return cJSON_CreateString(s->data);
    char *hex = malloc(s->len * 2 + 1);
    if (!hex) return NULL;
    for (uint64_t i = 0; i < s->len; i++) sprintf(hex + 2 * i, "%02x", (unsigned char)s->data[i]);
    hex[s->len * 2] = '\0';
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddStringToObject(o, "hex", hex)) {
        cJSON_Delete(o);
        o = NULL;
    }
    free(hex);
    return o;
}

/* An unsigned integer: always a JSON number; past 2^53, where a double
 * would round it, its exact decimal digits are written as they are. */
static cJSON *u64_json(uint64_t v) {
    if (v <= EXACT_INT_MAX) return cJSON_CreateNumber((double)v);
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return cJSON_CreateRaw(buf);
}

/* A signed integer, as u64_json. */
static cJSON *i64_json(int64_t v) {
    if (v >= -(int64_t)EXACT_INT_MAX && v <= (int64_t)EXACT_INT_MAX)
        return cJSON_CreateNumber((double)v);
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return cJSON_CreateRaw(buf);
}

/* Set when a value just made was NaN or infinite (kv_json turns it into the
 * KV's "non_finite" flag). */
static bool saw_non_finite;

/* A float: JSON has no NaN or infinity, so those are null (and flagged). */
static cJSON *float_json(double v, bool is_f32) {
    if (!isfinite(v)) {
        saw_non_finite = true;
        return cJSON_CreateNull();
    }
    if (!is_f32) return cJSON_CreateNumber(v);
    char buf[32];
    h2g_f32_shortest((float)v, buf, sizeof buf);
    return cJSON_CreateNumber(strtod(buf, NULL)); /* cJSON prints it back short */
}

/* A scalar of `type` whose little-endian bytes (up to 8) are in raw. */
static cJSON *scalar_json(uint32_t type, uint64_t raw) {
    switch (type) {
    case H2G_VT_INT8: return i64_json((int8_t)raw);
    case H2G_VT_INT16: return i64_json((int16_t)raw);
    case H2G_VT_INT32: return i64_json((int32_t)raw);
    case H2G_VT_INT64: return i64_json((int64_t)raw);
    case H2G_VT_BOOL: return cJSON_CreateBool(raw != 0);
    case H2G_VT_FLOAT32: {
        float f;
        uint32_t bits = (uint32_t)raw;
        memcpy(&f, &bits, 4);
        return float_json(f, true);
    }
    case H2G_VT_FLOAT64: {
        double d;
        memcpy(&d, &raw, 8);
        return float_json(d, false);
    }
    default: return u64_json(raw);
    }
}

/* The raw bits of a scalar KV, in the layout scalar_json takes. */
static uint64_t scalar_bits(const h2g_kv *kv) {
    uint32_t f;
    switch (kv->type) {
    case H2G_VT_FLOAT32: memcpy(&f, &kv->num.f32, 4); return f;
    case H2G_VT_BOOL: return kv->num.b;
    default: return kv->num.u64; /* FLOAT64 and integers share the 8 bytes */
    }
}

/* Element i of an array KV. */
static cJSON *elem_json(const h2g_kv *kv, uint64_t i) {
    if (kv->arr_type == H2G_VT_STRING) return str_json(&kv->strs[i]);
    size_t es = h2g_value_type_size(kv->arr_type);
    const uint8_t *p = (const uint8_t *)kv->arr + i * es;
    uint64_t raw = 0;
    for (size_t b = 0; b < es; b++) raw |= (uint64_t)p[b] << (8 * b); /* stored little-endian */
    return scalar_json(kv->arr_type, raw);
}

/* The first n elements of an array KV as a JSON array. */
static cJSON *elems_json(const h2g_kv *kv, uint64_t n) {
    cJSON *a = cJSON_CreateArray();
    for (uint64_t i = 0; a && i < n; i++) {
        cJSON *e = elem_json(kv, i);
        if (!e || !cJSON_AddItemToArray(a, e)) {
            cJSON_Delete(e);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

/* An array KV: whole, or {"count", "head"} when long and not full. */
static cJSON *array_json(const h2g_kv *kv, bool full) {
    if (full || kv->n <= SUMMARY_MAX) return elems_json(kv, kv->n);
    cJSON *o = cJSON_CreateObject();
    cJSON *count = u64_json(kv->n), *head = elems_json(kv, SUMMARY_HEAD);
    if (o && count && head && cJSON_AddItemToObject(o, "count", count)) {
        count = NULL;
        if (cJSON_AddItemToObject(o, "head", head)) return o;
    }
    cJSON_Delete(count);
    cJSON_Delete(head);
    cJSON_Delete(o);
    return NULL;
}

/* The value of any KV. */
static cJSON *value_json(const h2g_kv *kv, bool full) {
    if (kv->type == H2G_VT_STRING) return str_json(&kv->str);
    if (kv->type == H2G_VT_ARRAY) return array_json(kv, full);
    return scalar_json(kv->type, scalar_bits(kv));
}

/* ---------------------------------------------------------------------------
 * Objects
 * ------------------------------------------------------------------------- */

/* Adds item to obj under name; false (and item freed) when either is
 * missing, so that a chain of adds needs one check. */
static bool add(cJSON *obj, const char *name, cJSON *item) {
    if (obj && item && cJSON_AddItemToObject(obj, name, item)) return true;
    cJSON_Delete(item);
    return false;
}

/* Appends item to arr, as add(). */
static bool append(cJSON *arr, cJSON *item) {
    if (arr && item && cJSON_AddItemToArray(arr, item)) return true;
    cJSON_Delete(item);
    return false;
}

/* {"key", "type", "value"} for one KV, and "non_finite": true when a
 * value in it is NaN or infinite (written as null). */
static cJSON *kv_json(const h2g_kv *kv, bool full) {
    char label[32];
    cJSON *o = cJSON_CreateObject();
    saw_non_finite = false;
    bool ok = add(o, "key", str_json(&kv->key)) &&
              add(o, "type", cJSON_CreateString(h2g_kv_type_label(kv, label, sizeof label))) &&
              add(o, "value", value_json(kv, full)) &&
              (!saw_non_finite || add(o, "non_finite", cJSON_CreateTrue()));
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}

/* {"name", "type", "shape", "offset", "nbytes"} for one tensor. */
static cJSON *tensor_json(const h2g_tensor_info *t) {
    cJSON *o = cJSON_CreateObject(), *shape = cJSON_CreateArray();
    bool ok = o && shape;
    for (uint32_t d = 0; ok && d < t->n_dims; d++) ok = append(shape, u64_json(t->ne[d]));
    ok = ok && add(o, "name", cJSON_CreateString(t->name)) &&
         add(o, "type", cJSON_CreateString(h2g_ggml_type_name(t->type)));
    if (!ok) cJSON_Delete(shape); /* not yet owned by o */
    /* add() takes shape over whether or not it succeeds. */
    ok = ok && add(o, "shape", shape) && add(o, "offset", u64_json(t->offset)) &&
         add(o, "nbytes", u64_json(t->nbytes));
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}

/* The "kv" array, in file order. */
static cJSON *kvs_json(const h2g_kv_list *list, bool full) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < list->n; i++)
        if (!append(a, kv_json(&list->items[i], full))) {
            cJSON_Delete(a);
            return NULL;
        }
    return a;
}

/* The "tensors" array, in file order. */
static cJSON *tensors_json(const h2g_gguf_file *f) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < f->n_tensors; i++)
        if (!append(a, tensor_json(&f->tensors[i]))) {
            cJSON_Delete(a);
            return NULL;
        }
    return a;
}

cJSON *h2g_gguf_to_json(const h2g_gguf_file *f, bool full_arrays, bool with_tensors) {
    cJSON *o = cJSON_CreateObject();
    bool ok = add(o, "file", cJSON_CreateString(f->path ? f->path : "")) &&
              add(o, "version", u64_json(f->version)) &&
              add(o, "alignment", u64_json(f->alignment)) &&
              add(o, "n_kv", u64_json(f->kv.n)) && add(o, "n_tensors", u64_json(f->n_tensors)) &&
              add(o, "data_offset", u64_json(f->data_offset)) &&
              add(o, "file_size", u64_json(f->size)) &&
              add(o, "layout", h2g_gguf_which_layout(&f->kv) ? cJSON_CreateString(h2g_gguf_which_layout(&f->kv))
                                                       : cJSON_CreateNull()) &&
              add(o, "kv", kvs_json(&f->kv, full_arrays)) &&
              (!with_tensors || add(o, "tensors", tensors_json(f)));
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}
