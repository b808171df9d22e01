/*
 * e8m0.h - E8M0 block scales (safetensors dtype F8_E8M0, the OCP MX scale).
 *
 * One byte is an unsigned exponent: the value is 2^(byte - 127). Byte 0 is
 * 2^-127, a float32 subnormal; byte 0xFF is NaN in the MX specification.
 * DeepSeek-V4 stores one such byte per 128x128 block of an FP8 weight and
 * one per 32 values of an FP4 expert row.
 *
 * llama.cpp's converter computes exp2(byte - 127) in float32, so 0xFF
 * becomes +inf there and poisons the block it scales (inf or NaN weights,
 * and a Q8_0 block with an infinite scale). hf2gguf refuses such a scale
 * instead (h2g_e8m0_find_nan), naming the tensor.
 */
#ifndef HF2GGUF_E8M0_H
#define HF2GGUF_E8M0_H

#include <stddef.h>
#include <stdint.h>

#define H2G_E8M0_NAN 0xFFu

/* 2^(b - 127) exactly, for b in 0..254; NaN for 0xFF. */
float h2g_e8m0_to_f32(uint8_t b);

/* Decodes n scale bytes into float32 (0xFF gives NaN). */
void h2g_e8m0_decode(const uint8_t *src, float *dst, size_t n);

/* Index of the first NaN byte (0xFF) among n, or -1 when there is none. */
long h2g_e8m0_find_nan(const uint8_t *src, size_t n);

#endif
