/*
 * hf2gguf/gguf.h - writing and reading GGUF v3 files.
 *
 * The file layout, byte by byte (all numbers little-endian):
 *
 *   1. magic        4 bytes "GGUF"
 *   2. version      uint32, 3
 *   3. n_tensors    uint64
 *   4. n_kv         uint64
 *   5. n_kv pairs:  key (string), value type (uint32), value
 *                   string = uint64 length + bytes, no NUL
 *                   array  = uint32 element type + uint64 count + elements
 *   6. n_tensors tensor infos:
 *                   name (string, < 64 bytes), n_dims (uint32, 1..4),
 *                   n_dims x uint64 ne (innermost first), ggml type (uint32),
 *                   offset (uint64, relative to the data section)
 *   7. zero padding up to a multiple of the alignment (from file start)
 *   8. data section: each tensor's bytes, in tensor-info order, followed by
 *                   zeros up to a multiple of the alignment.
 *
 * The alignment is general.alignment (UINT32, a power of two) when present,
 * else 32. Offsets are dense: tensor i starts where tensor i-1's padded bytes
 * end. ggml's reader insists on all of this, and so does ours.
 *
 * Writing is split in two so that tensor data can be streamed by the
 * executor: h2g_gguf_layout() computes every tensor's offset and the size of
 * the header, h2g_gguf_encode_header() produces the header bytes (1-7), and
 * the data is then written at data_offset + tensor offset.
 */
#ifndef HF2GGUF_GGUF_H
#define HF2GGUF_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"
#include "hf2gguf/ggml_type.h"
#include "hf2gguf/kv.h"

#define H2G_GGUF_MAGIC "GGUF"
#define H2G_GGUF_VERSION 3
#define H2G_GGUF_DEFAULT_ALIGNMENT 32
#define H2G_GGUF_MAX_DIMS 4
#define H2G_GGUF_MAX_NAME 64 /* a tensor name must be shorter than this */


/* One tensor info record. */
typedef struct h2g_tensor_info {
    char name[H2G_GGUF_MAX_NAME];
    uint32_t n_dims;
    uint64_t ne[H2G_GGUF_MAX_DIMS]; /* unused dims are 1 */
    uint32_t type;
    uint64_t offset; /* relative to the data section */
    uint64_t nbytes; /* unpadded */
} h2g_tensor_info;

/* Writes "[a, b, c]" (ne, innermost first) into buf, cut to size. */
void h2g_tensor_shape_str(const h2g_tensor_info *t, char *buf, size_t size);

/* Element count and byte size of a tensor info (ne[0] must be a multiple of
 * the block size). Returns -1 with err on an unknown type, a bad ne[0] or an
 * overflow. */
int h2g_tensor_nbytes(const h2g_tensor_info *t, uint64_t *nbytes, h2g_error *err);

/* *repeated = the first name (in sorted order) that two of tensors[0..n)
 * share, or NULL when all differ. -1 only when out of memory. */
int h2g_tensor_find_repeated_name(const h2g_tensor_info *tensors, size_t n, const char **repeated,
                                  h2g_error *err);

/* Fills offset and nbytes of every tensor (dense, aligned) and returns the
 * header size and data-section start. *data_size is the padded size of the
 * data section, so the file is data_offset + data_size bytes. */
int h2g_gguf_layout(const h2g_kv_list *kv, h2g_tensor_info *tensors, size_t n_tensors,
                    uint64_t *data_offset, uint64_t *data_size, h2g_error *err);

/* Bytes of parts 1-6 (header, KVs, tensor infos) before the padding that
 * aligns the data section. */
uint64_t h2g_gguf_header_bytes(const h2g_kv_list *kv, const h2g_tensor_info *tensors,
                               size_t n_tensors);

/* Encodes parts 1-7 (header, KVs, tensor infos, padding) into a malloc'ed
 * buffer of exactly data_offset bytes. Tensors must have been laid out. */
int h2g_gguf_encode_header(const h2g_kv_list *kv, const h2g_tensor_info *tensors,
                           size_t n_tensors, uint8_t **out, size_t *out_len,
                           h2g_error *err);

/* A GGUF file opened for reading: the whole file is mmapped; KVs are copied
 * into `kv`; tensor data is at map + data_offset + tensors[i].offset. */
typedef struct h2g_gguf_file {
    char *path;
    const uint8_t *map;
    uint64_t size;
    uint32_t version;
    uint32_t alignment;
    h2g_kv_list kv;
    h2g_tensor_info *tensors;
    size_t n_tensors;
    uint64_t data_offset;
    bool mapped; /* map came from h2g_gguf_open (close unmaps it) */
} h2g_gguf_file;

/* Opens and validates a GGUF file as strictly as ggml does: magic, version 3,
 * known value types, duplicate keys, string lengths and counts inside the
 * file, tensor names < 64 bytes and unique, 1..4 dims, known ggml types,
 * ne[0] a multiple of the block size, alignment a power of two, offsets
 * dense and aligned, all data inside the file. Errors name the file. */
int h2g_gguf_open(h2g_gguf_file *f, const char *path, h2g_error *err);
/* Same checks on bytes in memory (used by tests and the fuzzer); the buffer
 * must outlive f. path is used in messages only. */
int h2g_gguf_parse(h2g_gguf_file *f, const uint8_t *data, uint64_t size, const char *path,
                   h2g_error *err);
/* Frees what open/parse allocated (and unmaps an opened file); leaves f
 * zeroed. Safe on a zeroed or already closed f. */
void h2g_gguf_close(h2g_gguf_file *f);

/* Pointer to a tensor's data in an open file (tensors[i].nbytes bytes, all
 * inside the file), or NULL when i is out of range. */
const uint8_t *h2g_gguf_tensor_data(const h2g_gguf_file *f, size_t i);
/* Index of the tensor called name, or -1 when absent. */
long h2g_gguf_find_tensor(const h2g_gguf_file *f, const char *name);

/* Whose layout a file's keys follow: "llama.cpp" (deepseek2,
 * deepseek2-ocr, clip as llama.cpp's converter writes them), "ollama"
 * (Ollama's deepseekocr, or its deepseek2 with kv_b unsplit), or NULL for
 * architectures hf2gguf does not write. */
const char *h2g_gguf_which_layout(const h2g_kv_list *kv);

#endif
