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

/* llama-quantize's check of the quantized bytes (§3.16): every stored f16
 * scale (d, and m / dmin where the type has one) must be finite, and an
 * MXFP4 exponent must not be 0xFF. Also accepts F16 (type 1, one value per
 * "block"). Returns the index of the first bad block, -1 when all nblocks
 * blocks are fine; an unknown type returns 0 (nothing can be vouched for). */
long h2g_quant_check(uint32_t type, const uint8_t *data, size_t nblocks);

#endif
