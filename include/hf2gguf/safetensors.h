/*
 * hf2gguf/safetensors.h - parsing safetensors files.
 *
 * Layout: bytes 0..7 hold N, the header length (uint64 little-endian); bytes
 * 8..8+N-1 a JSON object (may be padded with spaces); the data buffer starts
 * at 8+N. Every key but "__metadata__" names a tensor:
 *     {"dtype": "BF16", "shape": [rows, cols], "data_offsets": [begin, end]}
 * with offsets relative to the data buffer, end exclusive, row-major data.
 *
 * The parser checks everything a later stage would trust: header length
 * inside the file and below H2G_ST_MAX_HEADER, dtype known, shape entries
 * whole numbers whose product times the dtype size equals end - begin
 * without overflow, ranges inside the file and not overlapping, names
 * unique. It needs only the header bytes, so the data can stay on disk (or
 * be a sparse file).
 */
#ifndef HF2GGUF_SAFETENSORS_H
#define HF2GGUF_SAFETENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"

#define H2G_ST_MAX_HEADER (100u * 1024u * 1024u) /* 100 MB, as safetensors itself */
#define H2G_ST_MAX_DIMS 8

typedef enum h2g_dtype {
    H2G_DT_F64,
    H2G_DT_F32,
    H2G_DT_F16,
    H2G_DT_BF16,
    H2G_DT_F8_E4M3,
    H2G_DT_F8_E5M2,
    H2G_DT_I64,
    H2G_DT_I32,
    H2G_DT_I16,
    H2G_DT_I8,
    H2G_DT_U64,
    H2G_DT_U32,
    H2G_DT_U16,
    H2G_DT_U8,
    H2G_DT_BOOL,
    H2G_DT_F8_E8M0, /* unsigned power-of-two exponent, 2^(byte - 127): MX block scales */
    H2G_DT_COUNT
} h2g_dtype;

/* "BF16" etc.; parse returns false for an unknown name. */
const char *h2g_dtype_name(h2g_dtype dt);
bool h2g_dtype_parse(const char *name, h2g_dtype *out);
size_t h2g_dtype_size(h2g_dtype dt);
/* True for the dtypes a weight can be converted from (floats and F8). */
bool h2g_dtype_is_float(h2g_dtype dt);

typedef struct h2g_st_tensor {
    char *name;
    h2g_dtype dtype;
    uint32_t n_dims;                /* 0 for a scalar */
    uint64_t shape[H2G_ST_MAX_DIMS]; /* PyTorch order, outermost first */
    uint64_t n_elements;
    uint64_t offset; /* absolute position of the data in the file */
    uint64_t nbytes;
    uint32_t shard; /* index of the file in its checkout */
} h2g_st_tensor;

typedef struct h2g_st_header {
    h2g_st_tensor *tensors; /* sorted by name (code-point order) */
    size_t n_tensors;
    uint64_t data_start; /* 8 + N */
} h2g_st_header;

/* Parses a header. `head` holds the first bytes of the file (at least 8, and
 * the whole header if it is to succeed), file_size is the size of the whole
 * file. `file` is the name used in messages. Tensors get shard = shard. */
int h2g_st_parse_header(h2g_st_header *h, const uint8_t *head, size_t head_len,
                        uint64_t file_size, uint32_t shard, const char *file,
                        h2g_error *err);
void h2g_st_header_free(h2g_st_header *h);

#endif
