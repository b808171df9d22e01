/* kernels.c - throughput of the conversion kernels on one core, in MB/s of
 * source data: bf16 -> bf16/f16/q8_0 (decode + encode) and FP8 e4m3 with
 * 128x128 block scales -> bf16 (decode, scale, encode). Built as
 * build-bench/bench_kernels by bench/run.sh; run it alone with no argument. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/numeric.h"

#define ELEMS (1u << 20) /* one executor piece */
#define ROUNDS 256       /* 256 Mi values per kernel */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Decodes then encodes ROUNDS pieces; returns MB/s of source bytes. */
static double run(h2g_dtype from, uint32_t to, const uint8_t *src, float *vals, uint8_t *out,
                  const float *scales) {
    double t0 = now();
    for (int r = 0; r < ROUNDS; r++) {
        h2g_decode_f32(from, src, vals, ELEMS);
        if (scales) /* one scale per 128 values along a row, as a 128x128 block does */
            for (size_t i = 0; i < ELEMS; i++) vals[i] *= scales[(i >> 7) & 1023];
        h2g_encode_f32(to, vals, out, ELEMS);
    }
    double mb = (double)ELEMS * ROUNDS * (double)h2g_dtype_size(from) / 1e6;
    return mb / (now() - t0);
}

int main(void) {
    uint8_t *src = malloc(ELEMS * 2), *out = malloc(ELEMS * 4);
    float *vals = malloc(ELEMS * sizeof *vals), scales[1024];
    uint32_t seed = 1;
    for (size_t i = 0; i < ELEMS; i++) { /* finite bf16 weights around 1e-2 */
        seed = seed * 1664525u + 1013904223u;
        uint16_t b = (uint16_t)(((seed >> 16) & 0x8000) | ((117 + (seed >> 8) % 6) << 7) | (seed & 0x7f));
        src[2 * i] = (uint8_t)b;
        src[2 * i + 1] = (uint8_t)(b >> 8);
    }
    for (int i = 0; i < 1024; i++) scales[i] = 1.0f / 448.0f * (float)(i + 1);
    printf("kernel                  MB/s per core (source bytes)\n");
    printf("bf16 -> bf16           %8.0f\n", run(H2G_DT_BF16, H2G_GGML_BF16, src, vals, out, NULL));
    printf("bf16 -> f16            %8.0f\n", run(H2G_DT_BF16, H2G_GGML_F16, src, vals, out, NULL));
    printf("bf16 -> q8_0           %8.0f\n", run(H2G_DT_BF16, H2G_GGML_Q8_0, src, vals, out, NULL));
    printf("fp8 e4m3 x scale -> bf16 %6.0f\n", run(H2G_DT_F8_E4M3, H2G_GGML_BF16, src, vals, out, scales));
    printf("fp8 e4m3 x scale -> q8_0 %6.0f\n", run(H2G_DT_F8_E4M3, H2G_GGML_Q8_0, src, vals, out, scales));
    free(src);
    free(out);
    free(vals);
    return 0;
}
