/*
 * hf2gguf/gguf_json.h - a parsed GGUF file as JSON (for `hf2gguf inspect
 * --json` and for tests).
 *
 *   {"file": path, "version": 3, "alignment": 32, "n_kv": N, "n_tensors": M,
 *    "data_offset": D, "file_size": S,
 *    "kv": [{"key": "general.architecture", "type": "STRING", "value": "deepseek2"},
 *           {"key": "tokenizer.ggml.tokens", "type": "ARRAY[STRING]",
 *            "value": {"count": 102400, "head": ["<s>", ...8 elements]}}, ...],
 *    "tensors": [{"name": "token_embd.weight", "type": "F16", "shape": [2048, 102400],
 *                 "offset": 0, "nbytes": 419430400}, ...]}
 *
 * KVs and tensors are in file order; shapes are ne, innermost first. Arrays
 * of up to 16 elements (or any size with full_arrays) are JSON arrays; longer
 * ones are {"count", "head"}. Integers are JSON numbers, those beyond
 * +-2^53 (which a double cannot hold exactly) written with all their digits.
 * FLOAT32 values are the shortest decimal that reads back as the same float
 * (1e-06, not 9.99999997e-07); NaN and infinities, which JSON lacks, are
 * null, and their KV object says "non_finite": true. Strings that are not valid UTF-8 or hold a NUL byte become
 * {"hex": "..."}.
 */
#ifndef HF2GGUF_GGUF_JSON_H
#define HF2GGUF_GGUF_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "hf2gguf/gguf.h"

/* The JSON description above, or NULL when out of memory. The caller frees
 * it with cJSON_Delete. "tensors" is present only when with_tensors. */
cJSON *h2g_gguf_to_json(const h2g_gguf_file *f, bool full_arrays, bool with_tensors);

/* Writes the shortest decimal (%g style, 6 to 9 significant digits) that
 * reads back as exactly v into buf (24 bytes are always enough). */
void h2g_f32_shortest(float v, char *buf, size_t size);

/* The type label of a KV: "UINT32", "STRING", "ARRAY[INT32]"... into buf
 * (32 bytes are always enough); returns buf. */
const char *h2g_kv_type_label(const h2g_kv *kv, char *buf, size_t size);

#endif
