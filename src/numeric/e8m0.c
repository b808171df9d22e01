/* e8m0.c - E8M0 scale bytes as float32 (see e8m0.h). */
#include "numeric/e8m0.h"

#include <string.h>

/* The float32 whose bits are `bits`. */
static float from_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

float h2g_e8m0_to_f32(uint8_t b) {
    if (b == H2G_E8M0_NAN) return from_bits(0x7fc00000u);
    /* Bytes 1..254 are the float32 exponent field itself (mantissa 0);
     * byte 0, 2^-127, is below the normal range: the subnormal whose only
     * set bit is the mantissa's highest (2^-149 * 2^22). */
    return from_bits(b ? (uint32_t)b << 23 : 0x00400000u);
}

void h2g_e8m0_decode(const uint8_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = h2g_e8m0_to_f32(src[i]);
}

long h2g_e8m0_find_nan(const uint8_t *src, size_t n) {
    const uint8_t *hit = memchr(src, H2G_E8M0_NAN, n);
    return hit ? (long)(hit - src) : -1;
}
