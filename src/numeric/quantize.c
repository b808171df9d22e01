/*
 * numeric/quantize.c - the dispatch over the block quantizers: block sizes,
 * quantizing whole rows, and llama-quantize's check of the result
 * (quantization-reference.md §3.1, §3.16).
 *
 * Compiled with -ffp-contract=off like every quantizer source (see
 * quant_internal.h); nothing here computes, but the probe proves the flag
 * reached this object too.
 */
#include "numeric/quantize.h"

#include <pthread.h>
#include <stdlib.h>

#include "numeric/quant_internal.h"

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_dispatch)

/* One block format: its size, its quantizer, and where its f16 scales are
 * (the fields §3.16 checks; offset -1 for none). */
typedef struct qtype {
    uint32_t type;
    uint16_t values, bytes;
    qf_blocks_fn *quantize;
    int16_t scale_at[2];
} qtype;

static const qtype QTYPES[] = {
    {H2G_QTYPE_Q4_0, 32, 18, h2g_qblocks_q4_0, {0, -1}},
    {H2G_QTYPE_Q4_1, 32, 20, h2g_qblocks_q4_1, {0, 2}},
    {H2G_QTYPE_Q5_0, 32, 22, h2g_qblocks_q5_0, {0, -1}},
    {H2G_QTYPE_Q5_1, 32, 24, h2g_qblocks_q5_1, {0, 2}},
    {H2G_QTYPE_Q8_0, 32, 34, h2g_qblocks_q8_0, {0, -1}},
    {H2G_QTYPE_Q2_K, 256, 84, h2g_qblocks_q2_k, {80, 82}},
    {H2G_QTYPE_Q3_K, 256, 110, h2g_qblocks_q3_k, {108, -1}},
    {H2G_QTYPE_Q4_K, 256, 144, h2g_qblocks_q4_k, {0, 2}},
    {H2G_QTYPE_Q5_K, 256, 176, h2g_qblocks_q5_k, {0, 2}},
    {H2G_QTYPE_Q6_K, 256, 210, h2g_qblocks_q6_k, {208, -1}},
    {H2G_QTYPE_IQ4_NL, 32, 18, h2g_qblocks_iq4_nl, {0, -1}},
    {H2G_QTYPE_IQ4_XS, 256, 136, h2g_qblocks_iq4_xs, {0, -1}},
    {H2G_QTYPE_TQ1_0, 256, 54, h2g_qblocks_tq1_0, {52, -1}},
    {H2G_QTYPE_TQ2_0, 256, 66, h2g_qblocks_tq2_0, {64, -1}},
    {H2G_QTYPE_MXFP4, 32, 17, h2g_qblocks_mxfp4, {-1, -1}},
};

/* F16 is not quantized here but §3.16 checks it too: one value a "block". */
static const qtype F16_CHECK = {H2G_QTYPE_F16, 1, 2, NULL, {0, -1}};

static const qtype *find(uint32_t type) {
    for (size_t i = 0; i < sizeof QTYPES / sizeof QTYPES[0]; i++)
        if (QTYPES[i].type == type) return &QTYPES[i];
    return NULL;
}

int h2g_quant_supported(uint32_t type) { return find(type) != NULL; }

size_t h2g_quant_block_values(uint32_t type) {
    const qtype *t = find(type);
    return t ? t->values : 0;
}

size_t h2g_quant_block_bytes(uint32_t type) {
    const qtype *t = find(type);
    return t ? t->bytes : 0;
}

/* ---------------------------------------------------------------------------
 * Paths
 * ------------------------------------------------------------------------- */

const qf_kernels h2g_qk_scalar = {"scalar",
                                  h2g_iq4_scales_scalar,
                                  h2g_iq4_pack_scalar,
                                  h2g_k45_search_scalar,
                                  h2g_q2k_search_scalar,
                                  h2g_q6k_search_scalar,
                                  h2g_mxfp4_pack_scalar,
                                  h2g_iq4_grid_scalar};

static int has_avx2;
static const qf_kernels *auto_kernels = &h2g_qk_scalar;
static pthread_once_t paths_once = PTHREAD_ONCE_INIT;

#ifdef H2G_QUANT_X86
#include <cpuid.h>

/* AVX2 needs the CPU flag and the OS saving YMM state (OSXSAVE + XCR0),
 * read with cpuid rather than __builtin_cpu_supports so that gcc and
 * clang 14 (the fuzz build) compile it alike. */
static int detect_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!((c >> 27) & 1) || !((c >> 28) & 1)) return 0; /* OSXSAVE, AVX */
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0; /* XMM and YMM state enabled */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 5) & 1;
}
#endif

/* pthread_once callback: the CPU's paths and the environment's choice. */
static void detect_paths(void) {
#ifdef H2G_QUANT_X86
    has_avx2 = detect_avx2();
    auto_kernels = has_avx2 ? &h2g_qk_avx2 : &h2g_qk_sse2;
#endif
    const char *env = getenv("HF2GGUF_QUANT_SCALAR");
    if (env && env[0] == '1') auto_kernels = &h2g_qk_scalar;
}

static const qf_kernels *path_kernels(h2g_qpath path) {
    pthread_once(&paths_once, detect_paths);
    switch (path) {
    case H2G_QPATH_AUTO: return auto_kernels;
    case H2G_QPATH_SCALAR: return &h2g_qk_scalar;
#ifdef H2G_QUANT_X86
    case H2G_QPATH_SSE2: return &h2g_qk_sse2;
    case H2G_QPATH_AVX2: return has_avx2 ? &h2g_qk_avx2 : NULL;
#endif
    default: return NULL;
    }
}

int h2g_quant_path_available(h2g_qpath path) { return path_kernels(path) != NULL; }

const char *h2g_quant_path_name(h2g_qpath path) {
    const qf_kernels *k = path_kernels(path);
    return k ? k->name : NULL;
}

int h2g_quant_iq4_grid_path(h2g_qpath path, const float *v, size_t n, int32_t *idx, float *val) {
    const qf_kernels *k = path_kernels(path);
    if (!k || n % 8) return -1;
    k->iq4_grid(v, n, idx, val);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Rows
 * ------------------------------------------------------------------------- */

size_t h2g_quantize_rows(uint32_t type, const float *src, uint8_t *dst, size_t nrows,
                         size_t n_per_row) {
    return h2g_quantize_rows_path(H2G_QPATH_AUTO, type, src, dst, nrows, n_per_row);
}

size_t h2g_quantize_rows_path(h2g_qpath path, uint32_t type, const float *src, uint8_t *dst,
                              size_t nrows, size_t n_per_row) {
    const qtype *t = find(type);
    const qf_kernels *k = path_kernels(path);
    if (!t || !k || n_per_row % t->values) return 0;
    const size_t blocks = n_per_row / t->values;
    /* rows are independent and contiguous, so this is one run of blocks;
     * kept per row so that the row is the unit callers reason about */
    for (size_t r = 0; r < nrows; r++)
        t->quantize(k, src + r * n_per_row, dst + r * blocks * t->bytes, blocks);
    return nrows * blocks * t->bytes;
}

/* An f16 with all exponent bits set is inf or NaN. */
static int f16_bad(const uint8_t *p) { return (qf_load_le16(p) & 0x7C00) == 0x7C00; }

long h2g_quant_check(uint32_t type, const uint8_t *data, size_t nblocks) {
    const qtype *t = type == H2G_QTYPE_F16 ? &F16_CHECK : find(type);
    if (!t) return 0;
    for (size_t b = 0; b < nblocks; b++) {
        const uint8_t *blk = data + b * t->bytes;
        if (type == H2G_QTYPE_MXFP4 && blk[0] == 0xFF) return (long)b;
        for (int k = 0; k < 2; k++)
            if (t->scale_at[k] >= 0 && f16_bad(blk + t->scale_at[k])) return (long)b;
    }
    return -1;
}
