/*
 * numeric/quantize.h - llama-quantize's block quantizers, bit-exact with the
 * x86-64 reference build of llama.cpp 0.7.0 (quantization-reference.md §3).
 *
 * Why the sources behind this header are compiled with -ffp-contract=off:
 * the reference rounds every float32 product before the following add; a
 * compiler allowed to fuse a*b+c into one FMA (GCC in GNU mode, clang by
 * default, both with -march=native on an FMA machine) changes the bits of
 * the K, IQ4 and legacy types (§3.17). CMakeLists.txt sets the flag on
 * exactly these files, and quant_internal.h refuses to compile without it.
 *
 * Types are ggml type ids (the numbers of the doc's table 3.1):
 *
 *   Q4_0  2   Q4_1  3   Q5_0  6   Q5_1  7   Q8_0  8
 *   Q2_K 10   Q3_K 11   Q4_K 12   Q5_K 13   Q6_K 14
 *   IQ4_NL 20   IQ4_XS 23   TQ1_0 34   TQ2_0 35   MXFP4 39
 *
 * Every function here is pure and thread-safe: no globals written, no heap,
 * only a few KB of stack scratch per block.
 */
#ifndef HF2GGUF_NUMERIC_QUANTIZE_H
#define HF2GGUF_NUMERIC_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

enum {
    H2G_QTYPE_F16 = 1,
    H2G_QTYPE_Q4_0 = 2,
    H2G_QTYPE_Q4_1 = 3,
    H2G_QTYPE_Q5_0 = 6,
    H2G_QTYPE_Q5_1 = 7,
    H2G_QTYPE_Q8_0 = 8,
    H2G_QTYPE_Q2_K = 10,
    H2G_QTYPE_Q3_K = 11,
    H2G_QTYPE_Q4_K = 12,
    H2G_QTYPE_Q5_K = 13,
    H2G_QTYPE_Q6_K = 14,
    H2G_QTYPE_IQ4_NL = 20,
    H2G_QTYPE_IQ4_XS = 23,
    H2G_QTYPE_TQ1_0 = 34,
    H2G_QTYPE_TQ2_0 = 35,
    H2G_QTYPE_MXFP4 = 39,
};

/* 1 for the 15 block types above, 0 otherwise (F16 included: it is not a
 * block quantizer, numeric.h encodes it). */
int h2g_quant_supported(uint32_t type);

/* Values per block (32 or 256) and bytes per block; 0 for an unsupported
 * type. */
size_t h2g_quant_block_values(uint32_t type);
size_t h2g_quant_block_bytes(uint32_t type);

/* Quantizes nrows rows of n_per_row float32 values (n_per_row a multiple of
 * the block size) into dst, row after row. Returns the bytes written, 0 for
 * an unsupported type or a row length that is not a whole number of blocks
 * (nothing is written then). */
size_t h2g_quantize_rows(uint32_t type, const float *src, uint8_t *dst, size_t nrows,
                         size_t n_per_row);

/* Which code runs the costly inner loops (the scale searches and the grid
 * and table lookups). Every path gives the same bytes: the vector paths run
 * one SIMD lane per block or sub-block, each lane doing exactly the scalar
 * float32 operations of its own block in the same order; test_quantize
 * compares them with the scalar path.
 *   AUTO    the fastest path this CPU has; the scalar one when the
 *           environment has HF2GGUF_QUANT_SCALAR=1 (read once)
 *   SCALAR  plain C, the reference's loops (the only path off x86-64)
 *   SSE2    x86-64: 4 lanes (the x86-64 baseline, always there)
 *   AVX2    x86-64 CPUs with AVX2 (checked at run time): 8 lanes, no FMA */
typedef enum h2g_qpath {
    H2G_QPATH_AUTO,
    H2G_QPATH_SCALAR,
    H2G_QPATH_SSE2,
    H2G_QPATH_AVX2,
} h2g_qpath;

/* 1 when path can run here (AUTO and SCALAR always). */
int h2g_quant_path_available(h2g_qpath path);

/* "scalar", "sse2" or "avx2": what path (AUTO resolved) runs; NULL for a
 * path that is not available. */
const char *h2g_quant_path_name(h2g_qpath path);

/* h2g_quantize_rows on a chosen path; 0 (nothing written) when the path is
 * not available. */
size_t h2g_quantize_rows_path(h2g_qpath path, uint32_t type, const float *src, uint8_t *dst,
                              size_t nrows, size_t n_per_row);

/* For the unit test: IQ4's grid lookup (index and grid value) of n values,
 * n a multiple of 8, as path's kernels do it. Returns 0, or -1 for a path
 * that is not available. */
int h2g_quant_iq4_grid_path(h2g_qpath path, const float *v, size_t n, int32_t *idx, float *val);

/* llama-quantize's check of the quantized bytes (§3.16): every stored f16
 * scale (d, and m / dmin where the type has one) must be finite, and an
 * MXFP4 exponent must not be 0xFF. Also accepts F16 (type 1, one value per
 * "block"). Returns the index of the first bad block, -1 when all nblocks
 * blocks are fine; an unknown type returns 0 (nothing can be vouched for). */
long h2g_quant_check(uint32_t type, const uint8_t *data, size_t nblocks);

#endif
