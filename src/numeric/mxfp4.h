/*
 * mxfp4.h - FP4 (e2m1) experts and ggml's MXFP4 blocks.
 *
 * DeepSeek-V4 stores each routed expert's rows as FP4 e2m1 codes, two per
 * byte (element 2j in the low nibble, 2j+1 in the high one), with one E8M0
 * scale byte per 32 consecutive values of a row. A 4-bit code is a sign bit
 * and a magnitude from {0, 0.5, 1, 1.5, 2, 3, 4, 6}; value = e2m1(code) *
 * 2^(scale - 127).
 *
 * ggml's MXFP4 block (block_mxfp4, 17 bytes, 32 values):
 *
 *   +-------+----------------------+
 *   | e (1) | qs[16]               |   qs[j] = code[j] | code[j + 16] << 4
 *   +-------+----------------------+
 *
 * scale byte first, then values 0..15 in the low nibbles and 16..31 in the
 * high nibbles. ggml's table holds the doubled magnitudes and halves the
 * scale, which cancels: codes and scale bytes are copied unchanged, so the
 * repack is exact (no dequantization, no size change beyond the order).
 */
#ifndef HF2GGUF_MXFP4_H
#define HF2GGUF_MXFP4_H

#include <stddef.h>
#include <stdint.h>

#define H2G_MXFP4_BLOCK 32 /* values per block */
#define H2G_MXFP4_BYTES 17 /* bytes per block */
#define H2G_FP4_PACKED 16  /* source bytes per block (two codes a byte) */

/* The value of a 4-bit e2m1 code (only the low 4 bits of code are used). */
float h2g_e2m1_to_f32(uint8_t code);

/* Repacks n_blocks blocks of 32 values: packed holds 16 * n_blocks source
 * bytes, scales n_blocks E8M0 bytes (block k's scale is scales[k]); out
 * receives 17 * n_blocks bytes of ggml MXFP4 blocks. */
void h2g_mxfp4_repack(const uint8_t *packed, const uint8_t *scales, uint8_t *out,
                      size_t n_blocks);

/* The float32 values of the same source blocks, in element order. */
void h2g_fp4_decode(const uint8_t *packed, const uint8_t *scales, float *dst, size_t n_blocks);

#endif
