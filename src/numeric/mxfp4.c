/* mxfp4.c - FP4 e2m1 codes and the MXFP4 repack (see mxfp4.h). */
#include "numeric/mxfp4.h"

#include "numeric/e8m0.h"

/* e2m1 magnitudes: 1 exponent-free subnormal step (0.5) below 1, then two
 * mantissa steps per binade. Index = the code's low 3 bits. */
static const float e2m1_magnitude[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};

float h2g_e2m1_to_f32(uint8_t code) {
    float m = e2m1_magnitude[code & 7];
    return code & 8 ? -m : m;
}

void h2g_mxfp4_repack(const uint8_t *packed, const uint8_t *scales, uint8_t *out,
                      size_t n_blocks) {
    for (size_t k = 0; k < n_blocks; k++) {
        const uint8_t *b = packed + k * H2G_FP4_PACKED;
        uint8_t *o = out + k * H2G_MXFP4_BYTES;
        o[0] = scales[k];
        /* Source byte j holds elements 2j (low) and 2j+1 (high); ggml wants
         * element i and i + 16 together in byte 1 + i. Elements i and i+16
         * come from source bytes i/2 and 8 + i/2, the same nibble of each. */
        for (int i = 0; i < 16; i++) {
            int shift = (i & 1) * 4;
            uint8_t lo = (uint8_t)((b[i >> 1] >> shift) & 0x0F);
            uint8_t hi = (uint8_t)((b[8 + (i >> 1)] >> shift) & 0x0F);
            o[1 + i] = (uint8_t)(lo | hi << 4);
        }
    }
}

void h2g_fp4_decode(const uint8_t *packed, const uint8_t *scales, float *dst, size_t n_blocks) {
    for (size_t k = 0; k < n_blocks; k++) {
        float s = h2g_e8m0_to_f32(scales[k]);
        for (int j = 0; j < H2G_FP4_PACKED; j++) {
            uint8_t byte = packed[k * H2G_FP4_PACKED + j];
            dst[k * H2G_MXFP4_BLOCK + 2 * j] = h2g_e2m1_to_f32(byte & 0x0F) * s;
            dst[k * H2G_MXFP4_BLOCK + 2 * j + 1] = h2g_e2m1_to_f32(byte >> 4) * s;
        }
    }
}
