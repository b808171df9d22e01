/* test_quantize.c - the llama-quantize block quantizers of numeric/quantize.h
 * against quantization-reference.md §3.
 *
 *  1. the §3.18 vectors: SHA-256 of inputs A and B (4096 values, 16 rows of
 *     256) for all 15 types, plus F16 through numeric.h, and the first block
 *     of A in full;
 *  2. all-zero blocks (§3.18) and negative-zero blocks;
 *  3. hand-derived blocks: constants, ties at code boundaries, a single
 *     outlier in a super-block (zero sub-blocks keep their search levels),
 *     subnormal scales;
 *  4. the §3.16 check: a scale that overflows f16 in any type, MXFP4's
 *     0xFF exponent, F16 values;
 *  5. the build: every quantizer object rounds a*b before +c (no FMA
 *     contraction), the sizes table, rows and rejects;
 *  6. the faster forms (IQ4's branchless grid lookup, the ternary types'
 *     inline rounding) against the literal ones of §3.11 and §3.13;
 *  7. the vector paths (SSE2, AVX2 where the CPU has it) against the
 *     scalar path: the §3.18 vectors through every path (in 1), random
 *     data of many shapes (normal, bf16-rounded, subnormal, zero, constant,
 *     outliers, ties, below EPS) for every type, and their IQ4 grid lookup
 *     on a sweep of all float patterns.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/numeric.h"
#include "numeric/quant_probe.h"
#include "numeric/quantize.h"
#include "base/sha256.h"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

#define NV 4096 /* values in the §3.18 inputs */
#define ROW 256

static void input_a(float *x) {
    for (int64_t i = 0; i < NV; i++) x[i] = (float)((i * 37 + 11) % 101 - 50) / 512.0f;
}

static void input_b(float *x) {
    for (int64_t i = 0; i < NV; i++) {
        int64_t k = (i * i * 7 + 3 * i + 1) % 255 - 127;
        x[i] = (float)k / 1024.0f / (float)(1 << (i % 7));
    }
}

static void to_hex(const uint8_t *p, size_t n, char *hex) {
    for (size_t i = 0; i < n; i++) sprintf(hex + 2 * i, "%02x", p[i]);
    hex[2 * n] = 0;
}

/* Every path, and the vector ones on their own (those this CPU has run). */
static const h2g_qpath PATHS[] = {H2G_QPATH_AUTO, H2G_QPATH_SCALAR, H2G_QPATH_SSE2, H2G_QPATH_AVX2};
#define NPATHS (sizeof PATHS / sizeof PATHS[0])
static const h2g_qpath VECTOR_PATHS[] = {H2G_QPATH_SSE2, H2G_QPATH_AVX2};
#define NVECTOR_PATHS (sizeof VECTOR_PATHS / sizeof VECTOR_PATHS[0])

/* Quantizes x (nrows rows of n) with type on path; returns a malloc'ed
 * buffer and its size in *size. */
static uint8_t *quantize_path(h2g_qpath path, uint32_t type, const float *x, size_t nrows, size_t n,
                              size_t *size) {
    size_t bytes = nrows * n / h2g_quant_block_values(type) * h2g_quant_block_bytes(type);
    uint8_t *out = malloc(bytes + 1);
    assert_non_null(out);
    memset(out, 0xA5, bytes + 1);
    assert_int_equal(bytes, h2g_quantize_rows_path(path, type, x, out, nrows, n));
    assert_int_equal(0xA5, out[bytes]); /* nothing past the end */
    *size = bytes;
    return out;
}

static uint8_t *quantize(uint32_t type, const float *x, size_t nrows, size_t n, size_t *size) {
    return quantize_path(H2G_QPATH_AUTO, type, x, nrows, n, size);
}

/* Quantizes one block (block_values(type) values) into out. */
static size_t quantize_block(uint32_t type, const float *x, uint8_t *out) {
    size_t n = h2g_quant_block_values(type);
    return h2g_quantize_rows(type, x, out, 1, n);
}

static void assert_block_hex(uint32_t type, const float *x, const char *hex) {
    uint8_t out[256];
    size_t n = quantize_block(type, x, out);
    char got[600];
    to_hex(out, n, got);
    if (strcmp(got, hex)) print_error("type %u:\n  got  %s\n  want %s\n", type, got, hex);
    assert_string_equal(got, hex);
}

/* A hex string of count repetitions of byte pattern pat, appended to s. */
static void rep(char *s, const char *pat, int count) {
    for (int i = 0; i < count; i++) strcat(s, pat);
}

/* ---------------------------------------------------------------------------
 * 1. The §3.18 vectors
 * ------------------------------------------------------------------------- */

static const struct vec {
    uint32_t type;
    const char *name;
    size_t bytes;
    const char *sha_a, *sha_b, *first_a;
} VECS[] = {
    {2, "Q4_0", 2304, "deefb1d5b5fe83b60a8028d2361bf85b091b506133a7b5b98db272a197db0e9a",
     "00d6e2601630b934f85f892a7e2cb232b0a49bcd31312dd181a6f61d2dca06ad",
     "4022f258be1379df359bf147ac0268ce248a"},
    {3, "Q4_1", 2560, "dd5a52b1574593adf18a241b8816ee271d578f01ff29d844e57aca68feaa6762",
     "b2363c2a15058ea8f2529be5a726c46fec025808ee64ee59d35f87e61e45e94f",
     "892240aef257bd1379cf358ae146ac0268bd2479"},
    {6, "Q5_0", 2816, "b633c80873f4f87dfb4f8c33e077e463ed07b4906dd30df82ae030f810ee9c35",
     "ad2c0ce7d60d3bd05904bd45834de231277cc6e3a2d9ddad5df30801042ef131",
     "401eb4b4a525f4bf7b27e3ae5a16d19d4904c08c38f4"},
    {7, "Q5_1", 3072, "54674a4ee5fe64329cdf6590179dcd3f2113cac4e4e40ff2fb716f85caf57622",
     "611c6a777a98e21e051311a5c53d56fad2e7e2b1dcc425fb55b02b636d852704",
     "531e40aeb4b4a525f3bf6b27e2ae5a16d19d4904c07c38f3"},
    {8, "Q8_0", 4352, "66084c462b0dced685e1f1b403b5d45663a18aa0c02cf213e875adc78a1e6803",
     "4163b4d8212add99a50e50177d5b10b4e2bb1537bfa9fad5a40b2d8e84663d52",
     "4d129dfb59b61472d02e8be947a50361be1c7ad73593f14fac0a68c62481df3d9af8"},
    {10, "Q2_K", 1344, "07e48fe097d2ec8ecf1b218ca4b64c1c5cf1e52570d6c729170b5e114d875f72",
     "2d29c3e6cc9bfe6dd605c4d728feb9b62099704dc0ed1637e59308103c7e5cc4", NULL},
    {11, "Q3_K", 1760, "04306728b695c58fb027d1809792f9510452e70dd3e34361eac204b4518c78dd",
     "684373993f2ae978c6c409cfeaad8dfdc4dd22fb5427a888a14c5617de4ca906", NULL},
    {12, "Q4_K", 2304, "562f44cce7a3c6fbabfde059beaddb48e962bd4d7bb482635d35bb82074b66b2",
     "b63b7ce47bbefbe6a10725d58be6d15a4f453fc5e185bf3cfd1e38b433ab0fdc", NULL},
    {13, "Q5_K", 2816, "ca0110bf94bae045b6a233cbd247b8146bee6ac11dfcc998c544686c3b334ee8",
     "6b7b047ffb59f2ba43b34fc1441e3fe69c50bf8cbe066a306ced76b1f712ed0e", NULL},
    {14, "Q6_K", 3360, "14c4129cc0974beac53986094a1f071578d4f66b88e384ff910431d218b95d74",
     "39ca7bbbf55315b6eec98d903a7be68867416eeceb179c6d30331f1ea9a1c8e5", NULL},
    {20, "IQ4_NL", 2304, "3bb183f27f851cdc2c674580227c325881599d38bd1d09f5ac11453d9b98efcf",
     "055db6b8fa40b85ab0eef243222e7e849b34f1e084939b0eebf588e01509bb6a",
     "9812f157ce137adf249be146bd0258ce137a"},
    {23, "IQ4_XS", 2176, "a29158ab5bf98360ad0ee3ff2a6ebfaa2d2b3bfbefd6334c2fff5f530dfb830f",
     "afa5f2fd6a697418cbe02c76f6d204a3bd47be86263f7309369719058379a8c1", NULL},
    {34, "TQ1_0", 864, "33014d17b417c5d51d22815d0908da4be5307b02086fbfdc9373acb803ec2908",
     "1652f1ba7f1c63a6419a638378e94d45482b82365b1cd83eca9814ab359c7a9c",
     "466dd2467ad36c7a456dcf466dd3467ad36c7a456dcf4689d39b7a296d7a486d7f5174d51b7cf25d7c515ed45174d5"
     "1b339fb520402e"},
    {35, "TQ2_0", 1056, "f341744be63d3dc718b79a9410d3e6a8dbb19766a4080e4c87982b531b3aa982",
     "87db8dd85e89200623480d881e4456d74e92277681b9d08b9039260590c1e97f",
     "586116588516618518618658611658851661851861865865165985146185586114618558611658451661851861"
     "86586116588516618518618658611659851661402e"},
    {39, "MXFP4", 2176, "350cd7b0c8675bd3b917b18ff79e18a3a3c98f1d8967984353fa8f6868328a9b",
     "9c65fdbacc2e7b286ba8e85409febe59879efdb9e9f60497104d56fc875eb314",
     "797ec056fe9267ec147fda35feb056ed93"},
};
#define NVECS (sizeof VECS / sizeof VECS[0])

static void check_sha(h2g_qpath path, const struct vec *v, const float *x, const char *want,
                      const char *which, int *failures) {
    size_t size;
    uint8_t *out = quantize_path(path, v->type, x, NV / ROW, ROW, &size);
    char hex[65];
    h2g_sha256_hex_of(out, size, hex);
    if (size != v->bytes || strcmp(hex, want)) {
        print_error("%s %s (%s path): %zu bytes, sha256 %s (want %zu, %s)\n", v->name, which,
                    h2g_quant_path_name(path), size, hex, v->bytes, want);
        (*failures)++;
    }
    assert_int_equal(-1, h2g_quant_check(v->type, out, size / h2g_quant_block_bytes(v->type)));
    free(out);
}

/* All types and paths first, then one assertion, so that a failure lists
 * every type that is off. */
static void test_vectors_sha256(void **state) {
    (void)state;
    float *a = malloc(NV * sizeof *a), *b = malloc(NV * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    input_a(a);
    input_b(b);
    int failures = 0;
    for (size_t p = 0; p < NPATHS; p++) {
        if (!h2g_quant_path_available(PATHS[p])) continue;
        for (size_t i = 0; i < NVECS; i++) {
            check_sha(PATHS[p], &VECS[i], a, VECS[i].sha_a, "A", &failures);
            check_sha(PATHS[p], &VECS[i], b, VECS[i].sha_b, "B", &failures);
        }
    }
    assert_int_equal(0, failures);
    free(a);
    free(b);
}

static void test_vectors_first_block(void **state) {
    (void)state;
    float a[NV];
    input_a(a);
    for (size_t i = 0; i < NVECS; i++)
        if (VECS[i].first_a) assert_block_hex(VECS[i].type, a, VECS[i].first_a);
}

/* F16 and the converter's Q8_0 (numeric.h) meet the same vectors. */
static void test_vectors_numeric_h(void **state) {
    (void)state;
    float x[NV];
    uint8_t out[2 * NV];
    char hex[65];
    input_a(x);
    assert_int_equal(0, h2g_encode_f32(H2G_GGML_F16, x, out, NV));
    h2g_sha256_hex_of(out, 2 * NV, hex);
    assert_string_equal(hex, "6fc26b0aaee71f34076cd6295c14684188c9af567f63156fcb95aa9f3924a51b");
    h2g_quantize_q8_0(x, out, NV);
    h2g_sha256_hex_of(out, 4352, hex);
    assert_string_equal(hex, "66084c462b0dced685e1f1b403b5d45663a18aa0c02cf213e875adc78a1e6803");
    input_b(x);
    assert_int_equal(0, h2g_encode_f32(H2G_GGML_F16, x, out, NV));
    h2g_sha256_hex_of(out, 2 * NV, hex);
    assert_string_equal(hex, "7ccea5cdc3b431688e40ff3d2a825699fb3a2367199593708ace3fb537b74df0");
    assert_int_equal(0, h2g_encode_f32(H2G_GGML_Q8_0, x, out, NV));
    h2g_sha256_hex_of(out, 4352, hex);
    assert_string_equal(hex, "4163b4d8212add99a50e50177d5b10b4e2bb1537bfa9fad5a40b2d8e84663d52");
    assert_int_equal(-1, h2g_quant_check(H2G_QTYPE_F16, out, 0));
}

/* ---------------------------------------------------------------------------
 * 2. Zero blocks
 * ------------------------------------------------------------------------- */

/* The expected bytes of an all-zero block (§3.18). */
static void zero_block_hex(uint32_t type, char *s) {
    s[0] = 0;
    switch (type) {
    case H2G_QTYPE_Q4_0: strcpy(s, "0080"), rep(s, "88", 16); break;
    case H2G_QTYPE_Q5_0: strcpy(s, "0080ffffffff"), rep(s, "00", 16); break;
    case H2G_QTYPE_IQ4_NL: strcpy(s, "0000"), rep(s, "88", 16); break;
    case H2G_QTYPE_IQ4_XS: strcpy(s, "0080aaaa00000000"), rep(s, "88", 128); break;
    case H2G_QTYPE_TQ1_0: rep(s, "80", 48), rep(s, "7f", 4), strcat(s, "0000"); break;
    case H2G_QTYPE_TQ2_0: rep(s, "55", 64), strcat(s, "0000"); break;
    default: rep(s, "00", (int)h2g_quant_block_bytes(type));
    }
}

static void test_zero_blocks(void **state) {
    (void)state;
    float zero[256] = {0}, negzero[256];
    char want[600];
    for (int i = 0; i < 256; i++) negzero[i] = -0.0f;
    for (size_t i = 0; i < NVECS; i++) {
        uint32_t t = VECS[i].type;
        zero_block_hex(t, want);
        assert_block_hex(t, zero, want);
        /* -0.0 everywhere: the same bytes, except the asymmetric legacy
         * types, whose minimum is the first -0.0 and is stored as 0x8000 */
        if (t == H2G_QTYPE_Q4_1) strcpy(want, "00000080"), rep(want, "00", 16);
        if (t == H2G_QTYPE_Q5_1) strcpy(want, "0000008000000000"), rep(want, "00", 16);
        assert_block_hex(t, negzero, want);
    }
}

/* ---------------------------------------------------------------------------
 * 3. Hand-derived blocks
 * ------------------------------------------------------------------------- */

static void fill(float *x, int n, float v) {
    for (int i = 0; i < n; i++) x[i] = v;
}

static void test_legacy_constant_blocks(void **state) {
    (void)state;
    float x[32];
    char want[100];
    /* Q4_0, x = 1: d = -1/8, id = -8, x*id + 8.5 = 0.5 -> code 0 */
    fill(x, 32, 1.0f);
    strcpy(want, "00b0"), rep(want, "00", 16);
    assert_block_hex(H2G_QTYPE_Q4_0, x, want);
    /* x = -1: d = +1/8, codes trunc(-8 + 8.5) = 0 as well */
    fill(x, 32, -1.0f);
    strcpy(want, "0030"), rep(want, "00", 16);
    assert_block_hex(H2G_QTYPE_Q4_0, x, want);
    /* Q5_0, x = -1: d = 1/16, code trunc(-16 + 16.5) = 0, no fifth bits */
    strcpy(want, "002c00000000"), rep(want, "00", 16);
    assert_block_hex(H2G_QTYPE_Q5_0, x, want);
    /* Q4_1 / Q5_1, x = 3: max == min, d = 0, id = 0, codes 0, m = 3 */
    fill(x, 32, 3.0f);
    strcpy(want, "00000042"), rep(want, "00", 16);
    assert_block_hex(H2G_QTYPE_Q4_1, x, want);
    strcpy(want, "0000004200000000"), rep(want, "00", 16);
    assert_block_hex(H2G_QTYPE_Q5_1, x, want);
}

/* Integer values on a step of 1 with d = 1 exactly: x + 8.5 truncates to
 * x + 8, and the half-integers sit on the truncation boundary. */
static void test_legacy_ties(void **state) {
    (void)state;
    float x[32] = {0};
    /* mx = -8 (first of the two largest magnitudes: -8 before +8 would be
     * clamped) -> d = 1, id = 1 */
    x[0] = -8.0f;
    x[1] = 7.0f;
    x[2] = 0.5f;  /* 9.0 -> 9 */
    x[3] = -0.5f; /* 8.0 -> 8 */
    x[4] = 6.5f;  /* 15.0 -> 15 */
    x[5] = 7.5f;  /* 16.0 -> clamped 15 */
    x[16] = -7.5f; /* 1.0 -> 1 */
    x[17] = 8.0f;  /* |8| ties |-8|: the first wins, 16.5 -> 15 */
    /* all others 0 -> 8 */
    char want[100] = "003c"; /* f16(1.0) */
    const int lo[16] = {0, 15, 9, 8, 15, 15, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
    const int hi[16] = {1, 15, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
    for (int j = 0; j < 16; j++) sprintf(want + strlen(want), "%02x", lo[j] | hi[j] << 4);
    assert_block_hex(H2G_QTYPE_Q4_0, x, want);
}

/* A subnormal largest value: d = mx/-8 is a non-zero subnormal, 1/d is
 * -inf, and the reference's float -> int8 conversion of +-inf and NaN gives
 * 0 (x86-64), so every code is 0; the f16 scale underflows to -0. */
static void test_subnormal_scale(void **state) {
    (void)state;
    float x[256] = {0};
    char want[600];
    x[0] = 1e-40f;
    strcpy(want, "0080"), rep(want, "00", 16);
    assert_block_hex(H2G_QTYPE_Q4_0, x, want);
    /* Q8_0: 1/d overflows the same way; numeric.c gives 0 codes */
    strcpy(want, "0000"), rep(want, "00", 32);
    assert_block_hex(H2G_QTYPE_Q8_0, x, want);
    /* Tiny values are below every symmetric search's EPS: zero blocks */
    fill(x, 256, 1e-38f);
    rep(strcpy(want, ""), "00", 210);
    assert_block_hex(H2G_QTYPE_Q6_K, x, want);
    /* and every type stays deterministic and passes the check */
    for (size_t i = 0; i < NVECS; i++) {
        uint8_t a[256], b[256];
        size_t n = quantize_block(VECS[i].type, x, a);
        quantize_block(VECS[i].type, x, b);
        assert_memory_equal(a, b, n);
        if (VECS[i].type != H2G_QTYPE_MXFP4) assert_int_equal(-1, h2g_quant_check(VECS[i].type, a, 1));
    }
}

static void test_ternary_blocks(void **state) {
    (void)state;
    float x[256] = {0};
    char want[600];
    /* ties of lroundf: x*id = +-0.5 rounds away from zero */
    x[0] = 2.0f;  /* 1 -> trit 2 */
    x[1] = 1.0f;  /* 0.5 -> 1 -> trit 2 */
    x[2] = -1.0f; /* -0.5 -> -1 -> trit 0 */
    /* TQ2_0: qs[m] = t(x[m]) | t(x[m+32]) << 2 | ..., others trit 1 */
    strcpy(want, "565654"), rep(want, "55", 61), strcat(want, "0040");
    assert_block_hex(H2G_QTYPE_TQ2_0, x, want);
    /* constant block: every trit 2; 5 trits -> 242 -> ceil(242*256/243) =
     * 255; qh: 4 trits -> 80, *3 = 240 -> 253 */
    fill(x, 256, 3.0f);
    want[0] = 0;
    rep(want, "ff", 48), rep(want, "fd", 4), strcat(want, "0042");
    assert_block_hex(H2G_QTYPE_TQ1_0, x, want);
    want[0] = 0;
    rep(want, "aa", 64), strcat(want, "0042");
    assert_block_hex(H2G_QTYPE_TQ2_0, x, want);
}

static void test_mxfp4_blocks(void **state) {
    (void)state;
    float x[32] = {0};
    /* amax 5: e = floor(log2 5) - 2 + 127 = 127, s = 2^-1; grid 0, .5, 1,
     * 1.5, 2, 3, 4, 6 and negatives. Ties go to the lowest index. */
    x[0] = 4.0f;   /* 8*s -> 6 */
    x[1] = 0.25f;  /* 0 | 0.5 -> 0 */
    x[2] = -0.25f; /* 0 | -0.5 (index 9) -> 0 */
    x[3] = 2.5f;   /* 2 (4) | 3 (5) -> 4 */
    x[4] = 5.0f;   /* 4 (6) | 6 (7) -> 6 */
    x[5] = -5.0f;  /* -8*s (14) | -12*s (15) -> 14 */
    x[16] = -0.0f; /* -> 0 */
    x[17] = 7.0f;  /* 6 (7), the largest -> 7 */
    assert_block_hex(H2G_QTYPE_MXFP4, x, "7f06700004060e00000000000000000000");
    /* constant 1.0: e = 125, s = 1/8, 1.0 = 8*s -> index 6 */
    fill(x, 32, 1.0f);
    char want[100] = "7d";
    rep(want, "66", 16);
    assert_block_hex(H2G_QTYPE_MXFP4, x, want);
}

/* One value 1.0 at the start of a super-block of zeros: sub-block 0 gets
 * the top code, the other sub-blocks' decoded scale is 0 and they keep
 * their search levels (0, without the symmetric offset). */
static void test_k_single_outlier(void **state) {
    (void)state;
    float x[256] = {0};
    char want[600];
    x[0] = 1.0f;
    /* Q6_K: S2 gives scale -1/32 (level 0 for x0, 32 for the zeros of
     * sub-block 0); is = 4096, d = 2^-12, scale code -128 */
    want[0] = 0;
    rep(want, "00", 128);                                   /* ql */
    rep(want, "00", 1), rep(want, "02", 15), rep(want, "00", 48); /* qh */
    strcat(want, "80"), rep(want, "00", 15), strcat(want, "000c");
    assert_block_hex(H2G_QTYPE_Q6_K, x, want);
    /* Q3_K: S3 gives -1/4 (level 0 for x0, 4 for the zeros); codes c0 = 0,
     * the others 32; d = 2^-7; levels 4 go to hmask bit 0 */
    want[0] = 0;
    strcat(want, "00"), rep(want, "01", 15), rep(want, "00", 16); /* hmask */
    rep(want, "00", 64);                                          /* qs */
    rep(want, "00", 8), strcat(want, "a8aaaaaa0020");
    assert_block_hex(H2G_QTYPE_Q3_K, x, want);
    /* Q2_K: S1 fits s = 1/3 with zero error; code 15, d = f16(s/15) */
    char d[8];
    uint16_t h = h2g_f32_to_f16(1.0f / 3.0f / 15.0f);
    sprintf(d, "%02x%02x", h & 255, h >> 8);
    want[0] = 0;
    strcat(want, "0f"), rep(want, "00", 15), strcat(want, "03"), rep(want, "00", 63);
    strcat(want, d), strcat(want, "0000");
    assert_block_hex(H2G_QTYPE_Q2_K, x, want);
    /* Q4_K: s = 1/15 with zero error, code 63, d = f16(s/63), dmin 0 */
    h = h2g_f32_to_f16(1.0f / 15.0f / 63.0f);
    sprintf(d, "%02x%02x", h & 255, h >> 8);
    strcpy(want, d), strcat(want, "0000");
    strcat(want, "3f"), rep(want, "00", 11), strcat(want, "0f"), rep(want, "00", 127);
    assert_block_hex(H2G_QTYPE_Q4_K, x, want);
}

/* ---------------------------------------------------------------------------
 * 4. The §3.16 check
 * ------------------------------------------------------------------------- */

/* Three blocks, the middle one with a value whose scale overflows f16. */
static void test_check_scale_overflow(void **state) {
    (void)state;
    for (size_t i = 0; i < NVECS; i++) {
        uint32_t t = VECS[i].type;
        if (t == H2G_QTYPE_MXFP4) continue; /* no f16 scale; below */
        size_t nb = h2g_quant_block_values(t);
        float *x = calloc(3 * nb, sizeof *x);
        assert_non_null(x);
        for (size_t j = 0; j < 3 * nb; j++) x[j] = (float)(j % 7) / 8.0f;
        x[nb + 5] = t <= H2G_QTYPE_Q8_0 ? 1e7f : 1e9f; /* 1e7 / -8 = -1.25e6 */
        size_t size;
        uint8_t *q = quantize(t, x, 1, 3 * nb, &size);
        if (h2g_quant_check(t, q, 3) != 1) print_error("%s\n", VECS[i].name);
        assert_int_equal(1, h2g_quant_check(t, q, 3));
        assert_int_equal(-1, h2g_quant_check(t, q, 1));
        free(x);
        free(q);
    }
    /* MXFP4: amax in [2^-126, 2^-125) gives e = -1 -> 0xFF */
    float x[64] = {0};
    x[40] = 1.5f * 0x1p-126f;
    uint8_t q[34];
    assert_int_equal(34, h2g_quantize_rows(H2G_QTYPE_MXFP4, x, q, 1, 64));
    assert_int_equal(0xFF, q[17]);
    assert_int_equal(1, h2g_quant_check(H2G_QTYPE_MXFP4, q, 2));
    /* F16: 70000 is inf */
    float f[3] = {1.0f, 2.0f, 70000.0f};
    uint8_t h[6];
    assert_int_equal(0, h2g_encode_f32(H2G_GGML_F16, f, h, 3));
    assert_int_equal(2, h2g_quant_check(H2G_QTYPE_F16, h, 3));
    assert_int_equal(-1, h2g_quant_check(H2G_QTYPE_F16, h, 2));
    /* an unknown type cannot be vouched for */
    assert_int_equal(0, h2g_quant_check(99, h, 1));
}

/* ---------------------------------------------------------------------------
 * 5. Build and API
 * ------------------------------------------------------------------------- */


/* a = b = 1 + 2^-12: a*b = 1 + 2^-11 + 2^-24 exactly, which float32 rounds
 * (a tie, to even) to 1 + 2^-11; adding c = -(1 + 2^-11) then gives 0. A
 * fused multiply-add keeps the exact product and returns 2^-24. So a probe
 * returning 2^-24 means its object was compiled with contraction on (e.g.
 * -ffp-contract=fast or clang's default 'on', with -march=native on an FMA
 * machine): the quantizers in it would not be bit-exact. */
static void test_no_fma_contraction(void **state) {
    (void)state;
    static float (*const probes[])(float, float, float) = {
        h2g_quant_probe_dispatch, h2g_quant_probe_legacy, h2g_quant_probe_search,
        h2g_quant_probe_k,        h2g_quant_probe_iq4,    h2g_quant_probe_ternary,
        h2g_quant_probe_mxfp4,    h2g_quant_probe_vec_sse2, h2g_quant_probe_vec_avx2,
    };
    static const char *names[] = {"quantize.c",      "quant_legacy.c", "quant_search.c",
                                  "quant_k.c",       "quant_iq4.c",    "quant_ternary.c",
                                  "quant_mxfp4.c",   "quant_vec_sse2.c", "quant_vec_avx2.c"};
    volatile float a = 1.0f + 0x1p-12f, c = -(1.0f + 0x1p-11f);
    int fused = 0;
    /* the AVX2 object's code may use AVX instructions: only on a CPU with them */
    size_t nprobes = sizeof probes / sizeof probes[0];
    if (!h2g_quant_path_available(H2G_QPATH_AVX2)) nprobes--;
    for (size_t i = 0; i < nprobes; i++) {
        float r = probes[i](a, a, c);
        if (r != 0.0f) {
            print_error("%s computes a*b+c = %a (fused): build it with -ffp-contract=off\n",
                        names[i], (double)r);
            fused++;
        }
    }
    assert_int_equal(0, fused);
}

static void test_sizes_and_rejects(void **state) {
    (void)state;
    for (size_t i = 0; i < NVECS; i++) {
        uint32_t t = VECS[i].type;
        assert_true(h2g_quant_supported(t));
        /* bytes for 4096 values, from the §3.18 table */
        assert_int_equal(VECS[i].bytes, NV / h2g_quant_block_values(t) * h2g_quant_block_bytes(t));
    }
    const uint32_t bad[] = {0, 1, 4, 5, 9, 15, 16, 19, 21, 22, 24, 30, 36, 40, 1000};
    float x[256] = {0};
    uint8_t out[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(h2g_quant_supported(bad[i]));
        assert_int_equal(0, h2g_quant_block_values(bad[i]));
        assert_int_equal(0, h2g_quant_block_bytes(bad[i]));
        assert_int_equal(0, h2g_quantize_rows(bad[i], x, out, 1, 256));
    }
    /* a row that is not whole blocks */
    assert_int_equal(0, h2g_quantize_rows(H2G_QTYPE_Q4_K, x, out, 1, 128));
    assert_int_equal(0, h2g_quantize_rows(H2G_QTYPE_Q4_0, x, out, 1, 48));
    assert_int_equal(0, h2g_quantize_rows(H2G_QTYPE_Q4_0, x, out, 0, 32));
}

/* Rows in one call equal rows one at a time, for every type. */
static void test_rows_independent(void **state) {
    (void)state;
    float x[NV];
    input_b(x);
    for (size_t i = 0; i < NVECS; i++) {
        uint32_t t = VECS[i].type;
        size_t size, rb = 512 / h2g_quant_block_values(t) * h2g_quant_block_bytes(t);
        uint8_t *all = quantize(t, x, 8, 512, &size), one[512 / 32 * 34];
        for (size_t r = 0; r < 8; r++) {
            assert_int_equal(rb, h2g_quantize_rows(t, x + 512 * r, one, 1, 512));
            assert_memory_equal(one, all + r * rb, rb);
        }
        free(all);
    }
}

/* ---------------------------------------------------------------------------
 * 6. Fast forms against the literal ones
 * ------------------------------------------------------------------------- */

int h2g_iq4_grid_index(float v);
int h2g_iq4_grid_index_ref(float v);

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* The branchless grid lookup equals §3.11's binary search (checked on all
 * 2^32 patterns once; here a strided sweep of all patterns, plus a few ulps
 * around every grid value and every midpoint, where the ties are). */
static void test_iq4_grid_index(void **state) {
    (void)state;
    for (uint64_t u = 0; u <= 0xFFFFFFFFu; u += 997) {
        float v = from_bits((uint32_t)u);
        assert_int_equal(h2g_iq4_grid_index_ref(v), h2g_iq4_grid_index(v));
    }
    static const int grid[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                 1,    13,   25,  38,  53,  69,  89,  113};
    for (int i = 0; i < 16; i++)
        for (int half = 0; half < 2; half++) {
            if (half && i == 15) break;
            float c = half ? ((float)grid[i] + (float)grid[i + 1]) / 2.0f : (float)grid[i];
            for (int d = -64; d <= 64; d++) {
                float v = from_bits(to_bits(c) + (uint32_t)d);
                assert_int_equal(h2g_iq4_grid_index_ref(v), h2g_iq4_grid_index(v));
            }
        }
    /* ties go to the upper index */
    assert_int_equal(8, h2g_iq4_grid_index(-4.5f)); /* between -10 (7) and 1 (8) */
    assert_int_equal(9, h2g_iq4_grid_index(7.0f));  /* between 1 and 13 */
    assert_int_equal(8, h2g_iq4_grid_index(0.0f));
    assert_int_equal(15, h2g_iq4_grid_index(NAN));
}

/* TQ2_0 per §3.13 with libm's lroundf, against the inline rounding the
 * quantizer uses; data full of exact ties (multiples of amax/4). */
static void tq2_0_literal(const float *x, uint8_t *blk) {
    float amax = 0.0f;
    for (int j = 0; j < 256; j++) amax = amax > fabsf(x[j]) ? amax : fabsf(x[j]);
    const float id = amax != 0 ? 1.0f / amax : 0.0f;
    for (int h = 0; h < 2; h++)
        for (int m = 0; m < 32; m++) {
            unsigned q = 0;
            for (int n = 0; n < 4; n++)
                q += (((unsigned)lroundf(x[128 * h + m + 32 * n] * id) + 1u) & 3u) << (2 * n);
            blk[32 * h + m] = (uint8_t)q;
        }
    uint16_t d = h2g_f32_to_f16(amax);
    blk[64] = (uint8_t)d, blk[65] = (uint8_t)(d >> 8);
}

static void test_ternary_rounding(void **state) {
    (void)state;
    uint32_t seed = 7;
    float x[256];
    uint8_t got[66], want[66];
    for (int round = 0; round < 2000; round++) {
        for (int j = 0; j < 256; j++) {
            seed = seed * 1664525u + 1013904223u;
            int k = (int)(seed >> 24) % 9 - 4;                /* -4..4 */
            float scale = from_bits(0x3c000000u + (seed & 0x7fff00u)); /* ~2^-7 */
            x[j] = round % 2 ? (float)k * 0.25f : (float)k * scale;
        }
        if (round % 3 == 0) x[round % 256] = 1e-40f * (float)(round % 5); /* subnormals */
        assert_int_equal(66, h2g_quantize_rows(H2G_QTYPE_TQ2_0, x, got, 1, 256));
        tq2_0_literal(x, want);
        assert_memory_equal(got, want, 66);
    }
}

/* ---------------------------------------------------------------------------
 * 7. Vector paths against the scalar one
 * ------------------------------------------------------------------------- */

static uint32_t rng_state;

static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static float rng_unit(void) { return (float)(rng() >> 8) / 16777216.0f; } /* [0, 1) */

static float rng_normal(void) {
    double u = ((double)(rng() >> 8) + 0.5) / 16777216.0, v = (double)(rng() >> 8) / 16777216.0;
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

/* A power of two in 2^lo..2^hi. */
static float rng_pow2(int lo, int hi) { return ldexpf(1.0f, lo + (int)(rng() % (uint32_t)(hi - lo + 1))); }

/* Fills x with runs of 16 values, each run of one shape, so that blocks and
 * sub-blocks meet every shape and mixtures of them. */
static void fill_shapes(float *x, size_t n) {
    for (size_t at = 0; at < n; at += 16) {
        float *r = x + at, scale = rng_pow2(-14, 3), c = rng_normal() * scale;
        int shape = (int)(rng() % 11);
        for (int i = 0; i < 16; i++) {
            float v;
            switch (shape) {
            case 0: v = rng_normal() * scale; break;
            case 1: v = h2g_bf16_to_f32(h2g_f32_to_bf16(rng_normal() * scale)); break;
            case 2: v = rng_normal() * 1e-39f; break;                    /* subnormal */
            case 3: v = rng() % 4 ? 0.0f : -0.0f; break;                 /* zero */
            case 4: v = c; break;                                        /* constant */
            case 5: v = i == (int)(c > 0) * 7 ? c * 4096.0f : rng_normal() * scale; break; /* outlier */
            case 6: v = (float)((int)(rng() % 17) - 8) * scale; break;   /* ties: small integers */
            case 7: v = (float)((int)(rng() % 9) - 4) * 0.125f * scale; break;
            case 8: v = rng_unit() * scale; break;                       /* one sign only */
            case 9: v = rng_normal() * 1e-17f; break;                    /* below EPS */
            default: v = (float)(rng() % 3) * scale - scale; break;      /* ternary-like */
            }
            r[i] = v;
        }
    }
}

/* One data set through every vector path and the scalar one, for a type;
 * rows of n values. */
static int compare_paths(uint32_t type, const float *x, size_t nrows, size_t n) {
    size_t size_s, size_v;
    int bad = 0;
    uint8_t *want = quantize_path(H2G_QPATH_SCALAR, type, x, nrows, n, &size_s);
    for (size_t p = 0; p < NVECTOR_PATHS; p++) {
        if (!h2g_quant_path_available(VECTOR_PATHS[p])) continue;
        uint8_t *got = quantize_path(VECTOR_PATHS[p], type, x, nrows, n, &size_v);
        size_t bpb = h2g_quant_block_bytes(type);
        for (size_t b = 0; b < size_s / bpb; b++)
            if (memcmp(got + b * bpb, want + b * bpb, bpb)) {
                print_error("type %u, %s path: block %zu differs from the scalar path\n", type,
                            h2g_quant_path_name(VECTOR_PATHS[p]), b);
                bad++;
                break;
            }
        free(got);
    }
    free(want);
    return bad;
}

static void test_paths_random(void **state) {
    (void)state;
    const size_t n = 9 * 256, nrows = 6; /* 72 blocks of 32 a row: a batch of 64 and a rest */
    float *x = malloc(nrows * n * sizeof *x);
    assert_non_null(x);
    int bad = 0;
    for (uint32_t seed = 1; seed <= 4; seed++) {
        rng_state = 0x9E3779B9u * seed;
        fill_shapes(x, nrows * n);
        for (size_t i = 0; i < NVECS; i++) {
            bad += compare_paths(VECS[i].type, x, nrows, n);
            /* 13 blocks of 32: lanes left over in the last group */
            if (h2g_quant_block_values(VECS[i].type) == 32) bad += compare_paths(VECS[i].type, x, 3, 13 * 32);
        }
    }
    /* every value of a row the same shape, for whole (super-)blocks of it */
    for (int shape_seed = 0; shape_seed < 20; shape_seed++) {
        rng_state = 77u + (uint32_t)shape_seed;
        float v = shape_seed % 2 ? rng_normal() : rng_normal() * 1e-40f;
        for (size_t j = 0; j < n; j++) x[j] = shape_seed % 4 == 3 ? (float)(j % 5) * v : v;
        for (size_t i = 0; i < NVECS; i++) bad += compare_paths(VECS[i].type, x, 1, n);
    }
    assert_int_equal(0, bad);
    free(x);
}

/* The vector paths' grid lookup against the scalar one (itself equal to
 * §3.11's search): a strided sweep of all float patterns, and a few ulps
 * around every grid value and every midpoint. */
static void test_iq4_grid_paths(void **state) {
    (void)state;
    enum { CHUNK = 4096 };
    float *v = malloc(CHUNK * sizeof *v), *val_s = malloc(CHUNK * sizeof *v),
          *val_v = malloc(CHUNK * sizeof *v);
    int32_t *idx_s = malloc(CHUNK * sizeof *idx_s), *idx_v = malloc(CHUNK * sizeof *idx_v);
    assert_true(v && val_s && val_v && idx_s && idx_v);
    static const int grid[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                 1,    13,   25,  38,  53,  69,  89,  113};
    size_t m = 0;
    for (int i = 0; i < 16; i++)
        for (int half = 0; half < 2 && !(half && i == 15); half++) {
            float c = half ? ((float)grid[i] + (float)grid[i + 1]) / 2.0f : (float)grid[i];
            for (int d = -60; d <= 60; d++) v[m++] = from_bits(to_bits(c) + (uint32_t)d);
        }
    v[m++] = INFINITY, v[m++] = -INFINITY, v[m++] = NAN, v[m++] = -NAN;
    uint64_t u = 0;
    for (;;) {
        while (m < CHUNK && u <= 0xFFFFFFFFu) v[m++] = from_bits((uint32_t)u), u += 1021;
        while (m % 8) v[m++] = 0.0f;
        assert_int_equal(0, h2g_quant_iq4_grid_path(H2G_QPATH_SCALAR, v, m, idx_s, val_s));
        for (size_t p = 0; p < NVECTOR_PATHS; p++) {
            if (h2g_quant_iq4_grid_path(VECTOR_PATHS[p], v, m, idx_v, val_v)) continue;
            for (size_t j = 0; j < m; j++)
                if (idx_v[j] != idx_s[j] || to_bits(val_v[j]) != to_bits(val_s[j])) {
                    print_error("%s: %a gives %d (%g), scalar %d (%g)\n",
                                h2g_quant_path_name(VECTOR_PATHS[p]), (double)v[j], idx_v[j],
                                (double)val_v[j], idx_s[j], (double)val_s[j]);
                    fail();
                }
        }
        if (u > 0xFFFFFFFFu) break;
        m = 0;
    }
    free(v), free(val_s), free(val_v), free(idx_s), free(idx_v);
}

/* Path names and availability: the scalar path is always there, a vector
 * path only on x86-64, and an unavailable path writes nothing. */
static void test_paths_api(void **state) {
    (void)state;
    assert_true(h2g_quant_path_available(H2G_QPATH_SCALAR));
    assert_string_equal("scalar", h2g_quant_path_name(H2G_QPATH_SCALAR));
    assert_non_null(h2g_quant_path_name(H2G_QPATH_AUTO));
#if defined(__x86_64__)
    assert_true(h2g_quant_path_available(H2G_QPATH_SSE2));
    assert_string_equal("sse2", h2g_quant_path_name(H2G_QPATH_SSE2));
#endif
    float x[32] = {1.0f};
    uint8_t out[18];
    assert_int_equal(0, h2g_quantize_rows_path((h2g_qpath)99, H2G_QTYPE_IQ4_NL, x, out, 1, 32));
    assert_null(h2g_quant_path_name((h2g_qpath)99));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_sha256),
        cmocka_unit_test(test_vectors_first_block),
        cmocka_unit_test(test_vectors_numeric_h),
        cmocka_unit_test(test_zero_blocks),
        cmocka_unit_test(test_legacy_constant_blocks),
        cmocka_unit_test(test_legacy_ties),
        cmocka_unit_test(test_subnormal_scale),
        cmocka_unit_test(test_ternary_blocks),
        cmocka_unit_test(test_mxfp4_blocks),
        cmocka_unit_test(test_k_single_outlier),
        cmocka_unit_test(test_check_scale_overflow),
        cmocka_unit_test(test_no_fma_contraction),
        cmocka_unit_test(test_sizes_and_rejects),
        cmocka_unit_test(test_rows_independent),
        cmocka_unit_test(test_iq4_grid_index),
        cmocka_unit_test(test_ternary_rounding),
        cmocka_unit_test(test_paths_random),
        cmocka_unit_test(test_iq4_grid_paths),
        cmocka_unit_test(test_paths_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
