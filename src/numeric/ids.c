/* ids.c - id tables narrowed to int32 (see ids.h). */
#include "numeric/ids.h"

/* The signed little-endian integer of `width` bytes at p. */
static int64_t load_signed(const uint8_t *p, size_t width) {
    uint64_t u = 0;
    for (size_t i = width; i-- > 0;) u = u << 8 | p[i];
    if (width < 8 && (u >> (8 * width - 1)) & 1) u |= ~0ull << (8 * width); /* sign-extend */
    return (int64_t)u;
}

long h2g_ids_to_i32(const uint8_t *src, size_t width, uint8_t *dst, size_t n, int64_t limit,
                    int64_t *bad) {
    for (size_t i = 0; i < n; i++) {
        int64_t v = load_signed(src + i * width, width);
        if (v < 0 || v >= limit) {
            if (bad) *bad = v;
            return (long)i;
        }
        uint32_t u = (uint32_t)v;
        for (int b = 0; b < 4; b++) dst[4 * i + b] = (uint8_t)(u >> (8 * b));
    }
    return -1;
}
