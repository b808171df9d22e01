/*
 * hf2gguf/ggml_type.h - ggml's tensor types: ids, names and block sizes.
 *
 * A type stores its values in blocks: block_elems values in block_bytes bytes
 * (1 value for the float and integer types, 32 or 256 for the quantized ones).
 * A row of n values of type T takes n / block_elems * block_bytes bytes, and
 * n must be a multiple of block_elems.
 */
#ifndef HF2GGUF_GGML_TYPE_H
#define HF2GGUF_GGML_TYPE_H

#include <stdbool.h>
#include <stdint.h>

/* ggml tensor type ids. Only the types hf2gguf writes have names here; the
 * reader knows the sizes of a few more (see h2g_ggml_type_info). */
typedef enum h2g_ggml_type {
    H2G_GGML_F32 = 0,
    H2G_GGML_F16 = 1,
    H2G_GGML_Q8_0 = 8,
    H2G_GGML_I32 = 26,
    H2G_GGML_BF16 = 30,
    H2G_GGML_MXFP4 = 39,
} h2g_ggml_type;

/* Block size (elements) and bytes per block of a ggml type id; returns false
 * for ids we do not know. */
bool h2g_ggml_type_info(uint32_t type, uint32_t *block_elems, uint32_t *block_bytes);
/* "F32", "F16", "Q8_0", "BF16", ... or "?" */
const char *h2g_ggml_type_name(uint32_t type);

#endif
