/* kernels.c - throughput of the conversion kernels on one core, in MB/s of
 * source bytes, over a 256 MB buffer of random finite values converted in
 * pieces of 1 Mi elements (as the executor does): bf16 -> bf16, f16, q8_0
 * (decode to f32, encode), and FP8 e4m3 with a 128x128 block scale -> bf16
 * (decode, multiply by the scale as transform.c does, encode).
 *
 * Then the llama-quantize block quantizers (numeric/quantize.h), one type at
 * a time on one core: float32 input widened from the same random bf16, in
 * rows of 7168 (DeepSeek's hidden size), reported as ns per value and MB/s
 * of float32 input per second of the thread's CPU time, for each path this
 * CPU has (scalar, sse2, avx2: the same bytes, checked here too; the exit
 * status is 1 if they differ), one after the other. The header line names
 * the path h2g_quantize_rows uses.
 *
 * Built by CMake as bench_kernels (bench/run.sh runs it first), or by hand
 * (the quantizers need their flags, the AVX2 kernels -mavx2 on their file
 * alone, see CMakeLists.txt):
 *   F="-std=c11 -D_GNU_SOURCE -O2 -Iinclude -Isrc -ffp-contract=off -DH2G_QUANT_STRICT_FP"
 *   gcc $F -mavx2 -c src/numeric/quant_vec_avx2.c -o /tmp/quant_vec_avx2.o &&
 *   gcc $F bench/kernels.c src/numeric/codec.c src/numeric/ggml_type.c \
 *       $(ls src/numeric/quant*.c | grep -v avx2) /tmp/quant_vec_avx2.o \
 *       -lm -lpthread -o /tmp/bench_kernels && /tmp/bench_kernels [TYPE...]
 * With TYPE names (Q4_K, IQ4_XS, ...) only those quantizers run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/numeric.h"
#include "numeric/quantize.h"

#define SOURCE_BYTES (256u << 20)
#define PIECE (1u << 20) /* elements per piece */
#define QROW 7168         /* quantizer rows: DeepSeek's hidden size */
#define QROWS 512         /* rows per quantizer run (3.7 M values) */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this thread: the quantizers are timed per core-second, so
 * that other processes on a shared machine do not count against them (they
 * still share caches and the core's other hyper-thread). */
static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
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

static const h2g_qpath QPATHS[] = {H2G_QPATH_SCALAR, H2G_QPATH_SSE2, H2G_QPATH_AVX2};
#define NQPATHS (sizeof QPATHS / sizeof QPATHS[0])

/* Quantizes QROWS rows of QROW float32 values with `type` on each available
 * path, best of three runs each (the slowest types take seconds); prints
 * ns per value and MB/s of float32 input per path. Returns 1 when a path's
 * bytes differ from the scalar path's. */
static int run_quant(const char *name, uint32_t type, const float *vals, uint8_t *out,
                     uint8_t *ref) {
    size_t bytes = 0;
    int differs = 0;
    printf("f32 -> %-8s", name);
    for (size_t p = 0; p < NQPATHS; p++) {
        if (!h2g_quant_path_available(QPATHS[p])) continue;
        double best = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = cpu_now();
            bytes = h2g_quantize_rows_path(QPATHS[p], type, vals, out, QROWS, QROW);
            double t = cpu_now() - t0;
            best = t < best ? t : best;
        }
        if (p == 0)
            memcpy(ref, out, bytes);
        else if (memcmp(ref, out, bytes))
            differs = 1;
        double n = (double)QROWS * QROW;
        printf(" %8.2f ns/value %6.0f MB/s", best / n * 1e9, n * 4 / 1e6 / best);
    }
    printf("%s\n", differs ? "  PATHS DIFFER" : "");
    return differs;
}

/* 1 when the quantizer type `name` is to run: all without arguments, else
 * those named (then the conversion kernels are skipped). */
static int wanted(int argc, char **argv, const char *name) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return argc < 2;
}

int main(int argc, char **argv) {
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

    if (argc < 2) {
        printf("bf16 -> bf16             %6.0f MB/s\n", run(H2G_DT_BF16, 2, H2G_GGML_BF16, src, vals, out, NULL));
        printf("bf16 -> f16              %6.0f MB/s\n", run(H2G_DT_BF16, 2, H2G_GGML_F16, src, vals, out, NULL));
        printf("bf16 -> q8_0             %6.0f MB/s\n", run(H2G_DT_BF16, 2, H2G_GGML_Q8_0, src, vals, out, NULL));
        for (size_t i = 0; i < SOURCE_BYTES; i++) /* random e4m3fn, NaN codes 0x7f/0xff avoided */
            if ((src[i] & 0x7f) == 0x7f) src[i] ^= 1;
        printf("e4m3 x scale -> bf16     %6.0f MB/s\n", run(H2G_DT_F8_E4M3, 1, H2G_GGML_BF16, src, vals, out, scales));
    }

    /* the block quantizers: the first QROWS*QROW random bf16 weights,
     * widened once (the bf16 bytes were rewritten by the e4m3 pass) */
    static const struct {
        const char *name;
        uint32_t type;
    } qtypes[] = {{"Q4_0", H2G_QTYPE_Q4_0},     {"Q4_1", H2G_QTYPE_Q4_1},   {"Q5_0", H2G_QTYPE_Q5_0},
                  {"Q5_1", H2G_QTYPE_Q5_1},     {"Q8_0", H2G_QTYPE_Q8_0},   {"Q2_K", H2G_QTYPE_Q2_K},
                  {"Q3_K", H2G_QTYPE_Q3_K},     {"Q4_K", H2G_QTYPE_Q4_K},   {"Q5_K", H2G_QTYPE_Q5_K},
                  {"Q6_K", H2G_QTYPE_Q6_K},     {"IQ4_NL", H2G_QTYPE_IQ4_NL}, {"IQ4_XS", H2G_QTYPE_IQ4_XS},
                  {"TQ1_0", H2G_QTYPE_TQ1_0},   {"TQ2_0", H2G_QTYPE_TQ2_0}, {"MXFP4", H2G_QTYPE_MXFP4}};
    size_t qn = (size_t)QROWS * QROW;
    float *qvals = malloc(qn * sizeof *qvals);
    uint8_t *qout = malloc(qn / 32 * 34), *qref = malloc(qn / 32 * 34); /* the largest: Q8_0 */
    if (!qvals || !qout || !qref) return 1;
    seed = 1;
    for (size_t i = 0; i < qn; i++) { /* the same bf16 weights as above */
        seed = seed * 1664525u + 1013904223u;
        uint16_t b = (uint16_t)((seed >> 16 & 0x8000) | (117u + (seed >> 8) % 11) << 7 | (seed & 0x7f));
        qvals[i] = h2g_bf16_to_f32(b);
    }
    printf("quantizers (h2g_quantize_rows uses %s):", h2g_quant_path_name(H2G_QPATH_AUTO));
    for (size_t p = 0; p < NQPATHS; p++)
        if (h2g_quant_path_available(QPATHS[p])) printf("  %-25s", h2g_quant_path_name(QPATHS[p]));
    printf("\n");
    int differs = 0;
    for (size_t i = 0; i < sizeof qtypes / sizeof qtypes[0]; i++)
        if (wanted(argc, argv, qtypes[i].name)) differs |= run_quant(qtypes[i].name, qtypes[i].type, qvals, qout, qref);
    free(qvals);
    free(qout);
    free(qref);
    free(src);
    free(out);
    free(vals);
    return differs;
}
