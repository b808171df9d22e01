/* kernels.c - throughput of the conversion kernels on one core, in MB/s of
 * source bytes, over a 256 MB buffer of random finite values converted in
 * pieces of 1 Mi elements (as the executor does): bf16 -> bf16, f16, q8_0
 * (decode to f32, encode), and FP8 e4m3 with a 128x128 block scale -> bf16
 * (decode, multiply by the scale as transform.c does, encode).
 *
 * Built by CMake as bench_kernels (bench/run.sh runs it first), or by hand:
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -Iinclude bench/kernels.c src/numeric/codec.c src/numeric/ggml_type.c \
 *       -lm -lpthread -o /tmp/bench_kernels && /tmp/bench_kernels
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/numeric.h"

#define SOURCE_BYTES (256u << 20)
#define PIECE (1u << 20) /* elements per piece */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Converts the whole source (elements of `width` bytes, dtype `from`) to
 * ggml type `to`, piece by piece; scales (one per 128 values along a row
 * of 128 blocks) when given. Returns MB/s of source bytes. */
static double run(h2g_dtype from, size_t width, uint32_t to, const uint8_t *src, float *vals,
                  uint8_t *out, const float *scales) {
    size_t n = SOURCE_BYTES / width;
    double t0 = now();
    for (size_t at = 0; at < n; at += PIECE) {
        h2g_decode_f32(from, src + at * width, vals, PIECE);
        if (scales)
            for (size_t i = 0; i < PIECE; i++) vals[i] *= scales[(i >> 7) & 127];
        h2g_encode_f32(to, vals, out, PIECE);
    }
    return SOURCE_BYTES / 1e6 / (now() - t0);
}

int main(void) {
    uint8_t *src = malloc(SOURCE_BYTES), *out = malloc(PIECE * 4);
    float *vals = malloc(PIECE * sizeof *vals), scales[128];
    if (!src || !out || !vals) return 1;
    uint32_t seed = 1;
    for (size_t i = 0; i < SOURCE_BYTES / 2; i++) { /* finite bf16 weights, |x| in 2^-10..2 */
        seed = seed * 1664525u + 1013904223u;
        uint16_t b = (uint16_t)((seed >> 16 & 0x8000) | (117u + (seed >> 8) % 11) << 7 | (seed & 0x7f));
        src[2 * i] = (uint8_t)b, src[2 * i + 1] = (uint8_t)(b >> 8);
    }
    for (int i = 0; i < 128; i++) scales[i] = (float)(i + 1) / 448.0f;

    printf("bf16 -> bf16             %6.0f MB/s\n", run(H2G_DT_BF16, 2, H2G_GGML_BF16, src, vals, out, NULL));
    printf("bf16 -> f16              %6.0f MB/s\n", run(H2G_DT_BF16, 2, H2G_GGML_F16, src, vals, out, NULL));
    printf("bf16 -> q8_0             %6.0f MB/s\n", run(H2G_DT_BF16, 2, H2G_GGML_Q8_0, src, vals, out, NULL));
    for (size_t i = 0; i < SOURCE_BYTES; i++) /* random e4m3fn, NaN codes 0x7f/0xff avoided */
        if ((src[i] & 0x7f) == 0x7f) src[i] ^= 1;
    printf("e4m3 x scale -> bf16     %6.0f MB/s\n", run(H2G_DT_F8_E4M3, 1, H2G_GGML_BF16, src, vals, out, scales));
    free(src);
    free(out);
    free(vals);
    return 0;
}
