/*
 * hf2gguf/diff.h - comparing GGUF files: every difference between two files
 * (`hf2gguf diff`), and content checksums that ignore metadata
 * (`hf2gguf checksum`).
 *
 * Both work on h2g_gguf_set, so a split set compares equal to the file it
 * was split from (the split.* keys are not part of the logical file).
 *
 * Differences
 * -----------
 * h2g_diff_sets() compares the logical contents of A and B, not their bytes:
 * the padding, data offsets and shard boundaries are not compared.
 *
 *   KVs      a key in one file only; a different type (for arrays, a
 *            different element type); a different value (scalars bit for
 *            bit, so 0.0 differs from -0.0 and NaN equals the same NaN);
 *            arrays: a different length and/or the first differing element.
 *   tensors  a tensor in one file only; a different ggml type; a different
 *            shape (n_dims and ne); different data (when the shapes agree).
 *            Data of the same type is compared byte for byte; when both
 *            types are float types (F32, F16, BF16, Q8_0) the values are
 *            also dequantized to float and compared, which gives the number
 *            of differing values, the first one and the largest |a - b|.
 *            Tensors of two different float types are compared by value
 *            only (a type difference is reported in any case).
 *   order    the keys both files have (after ignoring) are in a different
 *            order; same for tensors. One item per section, at the first
 *            position where the orders part.
 *
 * Two values are equal when a == b as floats or both are NaN; otherwise
 * their difference is |a - b| computed in double, infinite when one of them
 * is NaN (or one is infinite and the other is not).
 *
 * Items come in this order: KV items (A's keys in A's order, then the keys
 * only B has), tensor items (likewise), then order items. They point into A
 * and B, which must stay open while the diff is used.
 */
#ifndef HF2GGUF_DIFF_H
#define HF2GGUF_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"
#include "hf2gguf/gguf_set.h"

typedef enum h2g_diff_kind {
    /* KVs: kv_a and kv_b (NULL on the side that lacks the key). */
    H2G_DIFF_KV_MISSING_IN_A,
    H2G_DIFF_KV_MISSING_IN_B,
    H2G_DIFF_KV_TYPE,
    H2G_DIFF_KV_VALUE,         /* scalars and strings */
    H2G_DIFF_KV_ARRAY_LENGTH,  /* arrays: lengths differ */
    H2G_DIFF_KV_ARRAY_ELEMENT, /* arrays: element `index` is the first that differs */
    /* Tensors: t_a and t_b (NULL on the side that lacks the tensor). */
    H2G_DIFF_TENSOR_MISSING_IN_A,
    H2G_DIFF_TENSOR_MISSING_IN_B,
    H2G_DIFF_TENSOR_TYPE,
    H2G_DIFF_TENSOR_SHAPE,
    H2G_DIFF_TENSOR_DATA,
    /* Order: kv_a/kv_b or t_a/t_b are what each file has at `index`. */
    H2G_DIFF_KV_ORDER,
    H2G_DIFF_TENSOR_ORDER,
} h2g_diff_kind;

typedef struct h2g_diff_item {
    h2g_diff_kind kind;
    const h2g_kv *kv_a, *kv_b;
    const h2g_set_tensor *t_a, *t_b;
    /* ARRAY_ELEMENT: the element; *_ORDER: the position among the names both
     * files have; TENSOR_DATA: the first differing value (or byte). */
    uint64_t index;
    /* TENSOR_DATA only: */
    bool values;         /* compared as float values (else as bytes) */
    uint64_t count;      /* values (or bytes) that differ; 0 when the bytes
                          * differ but every value is equal, e.g. -0 vs 0 */
    uint64_t total;      /* values (or bytes) compared */
    double max_abs_diff; /* largest |a - b| when `values`; may be infinite */
} h2g_diff_item;

typedef struct h2g_diff {
    h2g_diff_item *items;
    size_t n, cap;
} h2g_diff;

typedef struct h2g_diff_options {
    const char *const *ignore_kv; /* keys starting with any of these prefixes */
    size_t n_ignore_kv;           /* are left out on both sides */
    bool ignore_order;            /* no *_ORDER items */
} h2g_diff_options;

/* Fills out (zeroed by the function) with every difference between a and b;
 * opt may be NULL. Returns 0 (out->n == 0 means identical), or -1 with err
 * filled when out of memory. */
int h2g_diff_sets(const h2g_gguf_set *a, const h2g_gguf_set *b, const h2g_diff_options *opt,
                  h2g_diff *out, h2g_error *err);
void h2g_diff_free(h2g_diff *d);

/* True for the KV kinds (including KV_ORDER), false for tensor kinds. */
bool h2g_diff_is_kv(h2g_diff_kind kind);
/* True for KV_ORDER and TENSOR_ORDER. */
bool h2g_diff_is_order(h2g_diff_kind kind);
/* Short snake_case name of a kind: "missing_in_a", "type", "value",
 * "array_length", "array_element", "shape", "data", "order". */
const char *h2g_diff_kind_name(h2g_diff_kind kind);

/* Checksums
 * ---------
 * The checksum of a logical file is the SHA-256 of the UTF-8 text made of
 * one line per tensor, in tensor order:
 *
 *     NAME \t TYPE \t NE0,NE1,... \t SHA256 \n
 *
 * NAME the tensor name, TYPE its ggml type name ("F16", "Q8_0"), NE the
 * shape innermost first in decimal, SHA256 the lower-case hex SHA-256 of the
 * tensor's data bytes (without padding). KVs do not enter it, so metadata
 * edits keep the checksum, and a split set has the checksum of the file it
 * was split from. The same value can be recomputed from the manifest with
 *
 *     jq -j '.tensors[] | "\(.name)\t\(.type)\t\(.shape | map(tostring) |
 *            join(","))\t\(.sha256)\n"' manifest.json | sha256sum
 */

/* Hex SHA-256 of one tensor's data. */
void h2g_tensor_sha256(const h2g_set_tensor *t, char hex[65]);
/* The checksum above into total; when tensor_hex is not NULL it receives
 * each tensor's data SHA-256 (s->n_tensors entries). */
void h2g_gguf_set_checksum(const h2g_gguf_set *s, char (*tensor_hex)[65], char total[65]);

#endif
