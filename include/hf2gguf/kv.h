/*
 * hf2gguf/kv.h - an ordered list of GGUF key/value pairs.
 *
 * The list keeps keys in insertion order. Setting a key that is already
 * there replaces its value but keeps its original position: this is how the
 * reference converter behaves (a Python dict), and the order of keys is part
 * of the bytes we must reproduce. Empty strings and empty arrays are not
 * added at all, again like the reference (h2g_kv_set_* return 0 and do
 * nothing).
 *
 * Values are owned by the list: strings and arrays are copied in.
 */
#ifndef HF2GGUF_KV_H
#define HF2GGUF_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"

/* GGUF value type ids (the numbers stored in the file). */
typedef enum h2g_value_type {
    H2G_VT_UINT8 = 0,
    H2G_VT_INT8 = 1,
    H2G_VT_UINT16 = 2,
    H2G_VT_INT16 = 3,
    H2G_VT_UINT32 = 4,
    H2G_VT_INT32 = 5,
    H2G_VT_FLOAT32 = 6,
    H2G_VT_BOOL = 7,
    H2G_VT_STRING = 8,
    H2G_VT_ARRAY = 9,
    H2G_VT_UINT64 = 10,
    H2G_VT_INT64 = 11,
    H2G_VT_FLOAT64 = 12,
    H2G_VT_COUNT
} h2g_value_type;

/* Name of a value type ("UINT32", ...), or "?" for an unknown id. */
const char *h2g_value_type_name(uint32_t type);

/* Bytes of one element of a fixed-size type; 0 for STRING, ARRAY, unknown. */
size_t h2g_value_type_size(uint32_t type);

/* A GGUF string: bytes and length, not NUL-terminated in the file (we keep a
 * NUL after the bytes for convenience; len does not count it). */
typedef struct h2g_str {
    char *data;
    uint64_t len;
} h2g_str;

/* One key/value pair.
 *  - scalar types: the value is in `num` (integers widened, floats as
 *    double for FLOAT64 and float for FLOAT32 in num.f32), bools in num.b;
 *  - STRING: `str`;
 *  - ARRAY: `arr_type` is the element type, `n` the count; numeric elements
 *    are packed little-endian in `arr` (n * h2g_value_type_size bytes),
 *    string elements are in `strs` (n of them). Nested arrays are not
 *    supported (neither llama.cpp nor we write them). */
typedef struct h2g_kv {
    h2g_str key;
    uint32_t type;
    union {
        uint64_t u64;
        int64_t i64;
        float f32;
        double f64;
        bool b;
    } num;
    h2g_str str;
    uint32_t arr_type;
    uint64_t n;
    void *arr;
    h2g_str *strs;
} h2g_kv;

typedef struct h2g_kv_list {
    h2g_kv *items;
    size_t n;
    size_t cap;
    /* Add empty strings and arrays instead of skipping them: Ollama's
     * converter writes zero values that llama.cpp's leaves out. */
    bool keep_empty;
} h2g_kv_list;

void h2g_kv_list_free(h2g_kv_list *list);

/* Index of key in list, or -1 when absent. */
long h2g_kv_find(const h2g_kv_list *list, const char *key);
const h2g_kv *h2g_kv_get(const h2g_kv_list *list, const char *key);

/* Setters: add the key at the end, or replace the value in place when the
 * key exists. Return 0, or -1 with err filled when out of memory. */
int h2g_kv_set_u8(h2g_kv_list *list, const char *key, uint8_t v, h2g_error *err);
int h2g_kv_set_u16(h2g_kv_list *list, const char *key, uint16_t v, h2g_error *err);
int h2g_kv_set_u32(h2g_kv_list *list, const char *key, uint32_t v, h2g_error *err);
int h2g_kv_set_i32(h2g_kv_list *list, const char *key, int32_t v, h2g_error *err);
int h2g_kv_set_u64(h2g_kv_list *list, const char *key, uint64_t v, h2g_error *err);
int h2g_kv_set_f32(h2g_kv_list *list, const char *key, float v, h2g_error *err);
int h2g_kv_set_bool(h2g_kv_list *list, const char *key, bool v, h2g_error *err);
/* Empty strings are skipped (nothing added, returns 0) unless keep_empty. */
int h2g_kv_set_str(h2g_kv_list *list, const char *key, const char *v, h2g_error *err);
int h2g_kv_set_str_n(h2g_kv_list *list, const char *key, const char *v, size_t len,
                     h2g_error *err);
/* Arrays; n == 0 is skipped unless keep_empty. Numeric elements are given as a packed array of
 * the C type matching elem_type (int32_t for INT32, float for FLOAT32...). */
int h2g_kv_set_array(h2g_kv_list *list, const char *key, uint32_t elem_type,
                     const void *elems, uint64_t n, h2g_error *err);
/* String array; takes ownership of strs (allocated with malloc, each data
 * malloc'ed) on success and on failure. */
int h2g_kv_set_str_array_owned(h2g_kv_list *list, const char *key, h2g_str *strs,
                               uint64_t n, h2g_error *err);

/* Appends a copy of src (any type) at the end, or replaces in place.
 * Used by readers and by tools that copy KVs between files. */
int h2g_kv_set_copy(h2g_kv_list *list, const h2g_kv *src, h2g_error *err);

/* Sorts the list by key, bytewise (Ollama's writer orders its keys so). */
void h2g_kv_sort(h2g_kv_list *list);
/* Gives entry i the name key (the caller keeps keys unique). */
int h2g_kv_rename(h2g_kv_list *list, size_t i, const char *key, h2g_error *err);

/* Typed reads; return false when absent or of another type. */
bool h2g_kv_get_u32(const h2g_kv_list *list, const char *key, uint32_t *out);
bool h2g_kv_get_str(const h2g_kv_list *list, const char *key, const char **out);

#endif
