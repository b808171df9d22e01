/*
 * hf2gguf/numeric.h - number conversions, bit-exact with the reference.
 *
 * All conversions go through float32 (every source value we accept is exact
 * in float32). The rules are those of llama.cpp's converter (numpy and
 * gguf-py), see conversion-reference.md section 1.6:
 *   f32 -> bf16  round to nearest even on the bit pattern; NaN kept quiet;
 *   f32 -> f16   IEEE round to nearest even, subnormals kept, overflow to inf;
 *   f32 -> Q8_0  ggml's quantize_row_q8_0_ref.
 *
 * Q8_0 block (34 bytes, 32 values):
 *
 *   +--------+----+----+-- ... --+-----+
 *   | d (f16)| q0 | q1 |         | q31 |    value[j] = d * q[j]
 *   +--------+----+----+-- ... --+-----+
 *    2 bytes   32 x int8
 */
#ifndef HF2GGUF_NUMERIC_H
#define HF2GGUF_NUMERIC_H

#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"
#include "hf2gguf/safetensors.h"

#define H2G_Q8_0_BLOCK 32
#define H2G_Q8_0_BYTES 34

uint16_t h2g_f32_to_f16(float f);
float h2g_f16_to_f32(uint16_t h);
uint16_t h2g_f32_to_bf16(float f);
float h2g_bf16_to_f32(uint16_t b);
float h2g_e4m3_to_f32(uint8_t v); /* e4m3fn: no inf, 0x7f/0xff NaN */
float h2g_e5m2_to_f32(uint8_t v);

/* Quantizes n values (n a multiple of 32) into n/32 Q8_0 blocks. */
void h2g_quantize_q8_0(const float *x, uint8_t *out, size_t n);

/* Widens n elements of a float dtype (F64, F32, F16, BF16, F8_E4M3, F8_E5M2,
 * and F8_E8M0 scales) stored little-endian at src into float32. Returns -1
 * for other dtypes. */
int h2g_decode_f32(h2g_dtype dt, const uint8_t *src, float *dst, size_t n);

/* Encodes n float32 values as ggml type `type` (F32, F16, BF16, Q8_0; n a
 * multiple of 32 for Q8_0) into dst, little-endian. Returns -1 for other
 * types. Bytes written = h2g_encoded_size(type, n). */
int h2g_encode_f32(uint32_t type, const float *src, uint8_t *dst, size_t n);
/* Also sizes the types written straight from source bytes: MXFP4 (n a
 * multiple of 32) and I32. */
size_t h2g_encoded_size(uint32_t type, size_t n);

/* BF16 by truncation: the high 16 bits of each float32, as Ollama's
 * converter writes them (no rounding, NaN payloads kept). */
void h2g_encode_bf16_truncated(const float *src, uint8_t *dst, size_t n);

#endif
