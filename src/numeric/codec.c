/* codec.c - float conversions and Q8_0, bit-exact with the reference
 * converter (see include/hf2gguf/numeric.h and conversion-reference.md
 * sections 1.6 and 2.3).
 *
 * Bit layouts, most significant bit first:
 *
 *   f32   31 30      23 22                     0
 *        +--+----------+------------------------+
 *        |s | e (8)    | m (23)                 |   bias 127
 *        +--+----------+------------------------+
 *
 *   Every conversion works on these bit patterns with integer operations,
 *   so its result does not depend on the floating-point environment
 *   (rounding mode, flush-to-zero). The exceptions are the float64 ->
 *   float32 narrowing (a C cast, as numpy does it) and Q8_0, which has to
 *   repeat the reference's float32 arithmetic operation by operation.
 *
 * Byte order: tensor data is little-endian. On a little-endian host the
 * loads and stores below are plain memcpy (which compiles to one unaligned
 * move); on a big-endian host they swap.
 *
 * Speed: these loops run over terabytes. gcc -O2 (its "very cheap"
 * vectoriser) only vectorises a loop whose trip count is a known multiple
 * of the vector width and whose pointers cannot overlap, so the row loops
 * work in chunks of CHUNK elements with restrict-qualified pointers and
 * finish the tail one element at a time with the same scalar code.
 */
#include "hf2gguf/numeric.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "hf2gguf/ggml_type.h"
#include "numeric/e8m0.h"
#include "numeric/mxfp4.h"

/* Q8_0 multiplies in float32 and must round every product to float32, as
 * numpy does. With FLT_EVAL_METHOD 0 (x86-64 SSE, aarch64) there is no
 * excess precision at all; under another method C11 still rounds on every
 * assignment to a float variable (gcc: -fexcess-precision=standard, the
 * default with -std=c11), and the Q8_0 code assigns every intermediate.
 * There is no multiply followed by an add in it, so nothing for the
 * compiler to contract into an FMA either. */

#define CHUNK 64 /* elements per vectorised step of the row loops */

/* ---------------------------------------------------------------------------
 * Bit access
 * ------------------------------------------------------------------------- */

/* Returns the bit pattern of f. */
static inline uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* Returns the float whose bit pattern is u. */
static inline float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define H2G_BIG_ENDIAN 1
#else
#define H2G_BIG_ENDIAN 0
#endif

/* Reads a little-endian uint16 at p (any alignment). */
static inline uint16_t load_le16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
#if H2G_BIG_ENDIAN
    v = (uint16_t)(v << 8 | v >> 8);
#endif
    return v;
}

/* Writes v at p as a little-endian uint16 (any alignment). */
static inline void store_le16(uint8_t *p, uint16_t v) {
#if H2G_BIG_ENDIAN
    v = (uint16_t)(v << 8 | v >> 8);
#endif
    memcpy(p, &v, 2);
}

/* Reads a little-endian uint32 at p (any alignment). */
static inline uint32_t load_le32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
#if H2G_BIG_ENDIAN
    v = __builtin_bswap32(v);
#endif
    return v;
}

#if H2G_BIG_ENDIAN
/* Writes v at p as a little-endian uint32 (any alignment). A little-endian
 * host copies float32 rows with memcpy instead. */
static inline void store_le32(uint8_t *p, uint32_t v) {
    v = __builtin_bswap32(v);
    memcpy(p, &v, 4);
}
#endif

/* Reads a little-endian float64 at p (any alignment). */
static inline double load_le_f64(const uint8_t *p) {
    uint64_t v;
    double d;
    memcpy(&v, p, 8);
#if H2G_BIG_ENDIAN
    v = __builtin_bswap64(v);
#endif
    memcpy(&d, &v, 8);
    return d;
}

/* ---------------------------------------------------------------------------
 * f16 (IEEE binary16)
 *
 *        15 14    10 9          0
 *       +--+--------+------------+
 *       |s | e (5)  | m (10)     |   bias 15
 *       +--+--------+------------+
 *
 *   e = 1..30   (-1)^s * 2^(e-15) * (1 + m/1024)
 *   e = 0       (-1)^s * 2^-14 * (m/1024)        subnormal (m = 0: zero)
 *   e = 31      m = 0: inf, m != 0: NaN
 *
 * Largest finite 65504 (0x7bff); smallest subnormal 2^-24 (0x0001).
 * ------------------------------------------------------------------------- */

/* Returns value >> shift (1 <= shift <= 31) rounded to nearest, ties to
 * even on the kept bits. */
static inline uint32_t shift_round_even(uint32_t value, uint32_t shift) {
    uint32_t kept = value >> shift;
    uint32_t rest = value & ((1u << shift) - 1), half = 1u << (shift - 1);
    return kept + (rest > half || (rest == half && (kept & 1)));
}

/* Converts f to binary16 as numpy's astype(float16) does on x86 (its
 * npy_floatbits_to_halfbits): round to nearest even, gradual underflow,
 * overflow to inf. A NaN keeps its sign and the top 10 bits of its
 * payload (0x7c00 + (mantissa >> 13)); when those are all zero the result
 * would read as inf, so it becomes 0x7c01. numpy does not force the quiet
 * bit here (hardware F16C and ARM NEON conversions do); see the F16C row
 * path, which hands NaNs to this function for that reason. */
uint16_t h2g_f32_to_f16(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t a = x & 0x7fffffffu;
    if (a >= 0x7f800000u) {
        if (a == 0x7f800000u) return sign | 0x7c00; /* inf */
        uint16_t m = (uint16_t)((a & 0x7fffffu) >> 13);
        return sign | 0x7c00 | (m ? m : 1); /* NaN */
    }
    /* 0x477ff000 is 65520 = 65504 + half an ulp: the tie rounds to the
     * even neighbour 65536, which is out of range, so >= 65520 is inf. */
    if (a >= 0x477ff000u) return sign | 0x7c00;
    if (a < 0x38800000u) { /* below 2^-14: an f16 subnormal or zero */
        /* 0x33000000 is 2^-25, half of the smallest subnormal: below it
         * everything rounds to zero; 2^-25 itself is a tie and goes to
         * the even neighbour 0. */
        if (a < 0x33000000u) return sign;
        uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u;
        /* value = m * 2^(e-150); counted in units of 2^-24 (the f16
         * subnormal step) that is m >> (126 - e), shift 14..24. A carry
         * out of the largest subnormal gives 0x0400 = 2^-14, correctly. */
        return sign | (uint16_t)shift_round_even(m, 126 - e);
    }
    /* Normal: round 23 -> 10 mantissa bits in place, then rebias the
     * exponent (127 -> 15, i.e. subtract 112 << 10). A carry out of the
     * mantissa bumps the exponent, which is the right result. */
    return sign | (uint16_t)(shift_round_even(a, 13) - (112u << 10));
}

/* Returns the float32 bit pattern of binary16 h, exactly (numpy's
 * npy_halfbits_to_floatbits: a NaN payload is shifted up by 13 bits).
 * Written without branches so that the row loop vectorises. */
static inline uint32_t f16_to_f32_bits(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t em = h & 0x7fffu; /* exponent and mantissa */
    /* normal: move e and m into place, rebias 15 -> 127 */
    uint32_t normal = (em << 13) + (112u << 23);
    /* subnormal m * 2^-24: the int -> float conversion of m is exact and
     * normalises it; subtracting 24 from its exponent scales it by 2^-24.
     * The mask makes m = 0 (where the subtraction would wrap) give 0. */
    uint32_t sub = (f32_bits((float)(int32_t)em) - (24u << 23)) & (0u - (uint32_t)(em != 0));
    uint32_t is_sub = 0u - (uint32_t)(em < 0x0400u);
    uint32_t is_special = 0u - (uint32_t)(em >= 0x7c00u);
    uint32_t u = (normal & ~is_sub) | (sub & is_sub);
    /* inf/NaN: e = 31 rebiased gave 143; another 112 makes it 255 */
    u += is_special & (112u << 23);
    return sign | u;
}

/* Returns binary16 h as a float32 (exact). */
float h2g_f16_to_f32(uint16_t h) { return bits_f32(f16_to_f32_bits(h)); }

/* ---------------------------------------------------------------------------
 * bf16
 *
 *        15 14       7 6       0
 *       +--+----------+---------+
 *       |s | e (8)    | m (7)   |   the top half of an f32
 *       +--+----------+---------+
 * ------------------------------------------------------------------------- */

/* Returns the bf16 pattern of the float32 bit pattern u: ggml's and
 * gguf-py's rule. A NaN keeps its sign and top payload bits and gets the
 * quiet bit (0x0040). Anything else is rounded to nearest even on the bit
 * pattern: infinities stay, the largest finite values round to inf, and
 * subnormals are kept, not flushed. The reference widens to 64 bits to
 * avoid overflow; 32 bits suffice here because the largest non-NaN
 * pattern, 0xff800000 (-inf), plus 0x8000 does not wrap. */
static inline uint16_t bf16_from_bits(uint32_t u) {
    uint16_t rounded = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
    uint16_t quiet_nan = (uint16_t)((u >> 16) | 0x0040);
    return (u & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded;
}

/* Returns f rounded to bf16 (see bf16_from_bits). */
uint16_t h2g_f32_to_bf16(float f) { return bf16_from_bits(f32_bits(f)); }

/* Returns bf16 b as a float32 (exact: the missing bits are zero). */
float h2g_bf16_to_f32(uint16_t b) { return bits_f32((uint32_t)b << 16); }

/* ---------------------------------------------------------------------------
 * FP8
 *
 *   e4m3fn    7  6    3 2  0            e5m2    7  6     2 1 0
 *           +--+-------+----+                 +--+--------+---+
 *           |s | e (4) |m(3)|                 |s | e (5)  |m 2|
 *           +--+-------+----+                 +--+--------+---+
 *   bias 7; e = 0: subnormal (m/8)*2^-6;      bias 15; the top byte of an
 *   S.1111.111 (0x7f, 0xff) NaN; no inf;      f16, with its inf and NaN
 *   largest finite 448 (0x7e).                (e = 31).
 *
 * Both decode through 256-entry tables of float32 bit patterns that the
 * compiler builds from the macros below (integer constant expressions), so
 * there is nothing to initialise at run time and nothing to synchronise.
 * NaNs decode as an f16 NaN does, payload shifted into place: e4m3fn 0x7f
 * gives 0x7ff00000 (as PyTorch's decoder does), 0xff gives 0xfff00000.
 * ------------------------------------------------------------------------- */

/* e4m3fn subnormal m * 2^-9 (m = 0..7) as float32 bits: normalised by
 * hand, 1 -> 2^-9, 2..3 -> 2^-8 * m/2, 4..7 -> 2^-7 * m/4. */
#define E4M3_SUB(m)                                                            \
    ((m) == 0   ? 0u                                                           \
     : (m) == 1 ? 118u << 23                                                   \
     : (m) <= 3 ? (119u << 23 | ((m) - 2u) << 22)                              \
                : (120u << 23 | ((m) - 4u) << 21))
/* |e4m3fn v| as float32 bits: NaN, subnormal, or normal with the exponent
 * rebiased 7 -> 127 and the 3 mantissa bits at the top of the 23. */
#define E4M3_MAG(v)                                                            \
    (((v) & 0x7fu) == 0x7fu ? 0x7ff00000u                                      \
     : ((v) & 0x78u) == 0   ? E4M3_SUB((v) & 7u)                               \
                            : ((((v) >> 3 & 15u) + 120u) << 23 | ((v) & 7u) << 20))
#define E4M3_BITS(v) (((v) & 0x80u) << 24 | E4M3_MAG(v))

/* e5m2 subnormal m * 2^-16 (m = 0..3) as float32 bits. */
#define E5M2_SUB(m)                                                            \
    ((m) == 0 ? 0u : (m) == 1 ? 111u << 23 : (m) == 2 ? 112u << 23 : (112u << 23 | 1u << 22))
/* |e5m2 v| as float32 bits: inf/NaN, subnormal, or normal (bias 15 -> 127,
 * the 2 mantissa bits at the top of the 23). */
#define E5M2_MAG(v)                                                            \
    (((v) & 0x7cu) == 0x7cu ? (0x7f800000u | ((v) & 3u) << 21)                 \
     : ((v) & 0x7cu) == 0   ? E5M2_SUB((v) & 3u)                               \
                            : ((((v) >> 2 & 31u) + 112u) << 23 | ((v) & 3u) << 21))
#define E5M2_BITS(v) (((v) & 0x80u) << 24 | E5M2_MAG(v))

/* F(0u), F(1u), ..., F(255u) */
#define TABLE4(F, b) F((b) + 0u), F((b) + 1u), F((b) + 2u), F((b) + 3u)
#define TABLE16(F, b) TABLE4(F, b), TABLE4(F, (b) + 4u), TABLE4(F, (b) + 8u), TABLE4(F, (b) + 12u)
#define TABLE64(F, b) TABLE16(F, b), TABLE16(F, (b) + 16u), TABLE16(F, (b) + 32u), TABLE16(F, (b) + 48u)
#define TABLE256(F) TABLE64(F, 0u), TABLE64(F, 64u), TABLE64(F, 128u), TABLE64(F, 192u)

static const uint32_t e4m3_table[256] = {TABLE256(E4M3_BITS)};
static const uint32_t e5m2_table[256] = {TABLE256(E5M2_BITS)};

/* Returns e4m3fn v as a float32 (exact). */
float h2g_e4m3_to_f32(uint8_t v) { return bits_f32(e4m3_table[v]); }

/* Returns e5m2 v as a float32 (exact; equals h2g_f16_to_f32(v << 8)). */
float h2g_e5m2_to_f32(uint8_t v) { return bits_f32(e5m2_table[v]); }

/* ---------------------------------------------------------------------------
 * Q8_0
 *
 *   +--------+----+----+-- ... --+-----+
 *   | d (f16)| q0 | q1 |         | q31 |    value[j] = d * q[j]
 *   +--------+----+----+-- ... --+-----+
 *    2 bytes   32 x int8
 *
 * The reference is gguf-py's numpy Q8_0 (quants.py), which computes what
 * ggml's quantize_row_q8_0_ref computes:
 *   amax = max |x[j]|;  d = amax / 127;  id = d ? 1 / d : 0;
 *   q[j] = round_half_away(x[j] * id);  store f16(d), q[0..31]
 * all in float32, q from the unrounded d.
 * ------------------------------------------------------------------------- */

/* Returns v rounded half away from zero, as roundf, for |v| < 2^23, without
 * a libm call (so the block loop vectorises): truncate, then step away from
 * zero when the dropped part is at least one half. v - (float)q is exact
 * (q and v share sign and exponent range), so ties are seen exactly. */
static inline int round_half_away(float v) {
    int q = (int)v;
    float rest = v - (float)q;
    return q + (rest >= 0.5f) - (rest <= -0.5f);
}

/* Returns max |x[j]| over one block as float32 bits. For non-negative floats
 * the order of the bit patterns is the order of the values, so an integer
 * max gives the float max (and vectorises, which a float max with NaN
 * semantics does not). A NaN pattern is above every number, so a NaN
 * anywhere in the block makes amax NaN, as numpy's max does. */
static inline uint32_t block_amax_bits(const float *restrict x) {
    uint32_t amax = 0;
    for (int j = 0; j < H2G_Q8_0_BLOCK; j++) {
        uint32_t a = f32_bits(x[j]) & 0x7fffffffu;
        amax = a > amax ? a : amax;
    }
    return amax;
}

/* Quantizes one block of 32 values x into the 34 bytes at blk. */
static inline void quantize_block_q8_0(const float *restrict x, uint8_t *restrict blk) {
    const float amax = bits_f32(block_amax_bits(x));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    store_le16(blk, h2g_f32_to_f16(d));
    int8_t *q = (int8_t *)(blk + 2);
    if (amax <= FLT_MAX && id <= FLT_MAX) {
        /* the usual case: every |x[j] * id| <= 127.0x, well inside the
         * range of round_half_away */
        for (int j = 0; j < H2G_Q8_0_BLOCK; j++) {
            const float v = x[j] * id;
            q[j] = (int8_t)round_half_away(v);
        }
        return;
    }
    /* amax is inf or NaN, or d is so small (amax below 127 * 2^-128) that
     * 1/d overflowed: products are then inf or NaN. numpy's cast of those
     * to int8 on x86 (cvttss2si -> 0x80000000, low byte kept) gives 0; in
     * C the cast would be undefined, so say so explicitly. */
    for (int j = 0; j < H2G_Q8_0_BLOCK; j++) {
        const float v = x[j] * id;
        q[j] = fabsf(v) < 128.0f ? (int8_t)round_half_away(v) : 0;
    }
}

/* Quantizes n values (n a multiple of 32; a remainder is ignored) into n/32
 * Q8_0 blocks at out. */
void h2g_quantize_q8_0(const float *x, uint8_t *out, size_t n) {
    for (size_t b = 0; b < n / H2G_Q8_0_BLOCK; b++)
        quantize_block_q8_0(x + b * H2G_Q8_0_BLOCK, out + b * H2G_Q8_0_BYTES);
}

/* ---------------------------------------------------------------------------
 * Decoding rows to float32
 *
 * Each dtype has a CHUNK-element step with restrict pointers (vectorised
 * by the compiler, but for the FP8 table lookups) and runs its scalar form
 * on the tail.
 * ------------------------------------------------------------------------- */

/* bf16 -> f32: a 16-bit shift. The hottest decode. */
static void decode_bf16_chunk(const uint8_t *restrict src, float *restrict dst) {
    for (size_t i = 0; i < CHUNK; i++) dst[i] = bits_f32((uint32_t)load_le16(src + 2 * i) << 16);
}

static void decode_f16_chunk(const uint8_t *restrict src, float *restrict dst) {
    for (size_t i = 0; i < CHUNK; i++) dst[i] = bits_f32(f16_to_f32_bits(load_le16(src + 2 * i)));
}

/* f64 -> f32: the C conversion rounds to nearest even under the default
 * rounding mode, as numpy's astype(float32) (also a C cast) does; NaNs
 * keep sign and top payload bits, overflow gives inf. */
static void decode_f64_chunk(const uint8_t *restrict src, float *restrict dst) {
    for (size_t i = 0; i < CHUNK; i++) dst[i] = (float)load_le_f64(src + 8 * i);
}

static void decode_f32_chunk(const uint8_t *restrict src, float *restrict dst) {
    for (size_t i = 0; i < CHUNK; i++) dst[i] = bits_f32(load_le32(src + 4 * i));
}

/* FP8: one table lookup per byte. Kept scalar on purpose: without AVX2
 * gathers the vectoriser emulates the lookups lane by lane, which measured
 * 25% slower than this plain loop (gcc 12, x86-64). */
#if defined(__GNUC__) && !defined(__clang__)
#define H2G_SCALAR_LOOP __attribute__((optimize("no-tree-vectorize")))
#else
#define H2G_SCALAR_LOOP
#endif

H2G_SCALAR_LOOP static void decode_e4m3_chunk(const uint8_t *restrict src, float *restrict dst) {
    for (size_t i = 0; i < CHUNK; i++) dst[i] = bits_f32(e4m3_table[src[i]]);
}

H2G_SCALAR_LOOP static void decode_e5m2_chunk(const uint8_t *restrict src, float *restrict dst) {
    for (size_t i = 0; i < CHUNK; i++) dst[i] = bits_f32(e5m2_table[src[i]]);
}

/* Decodes one element of dtype dt (one of those above) at src. */
static float decode_one(h2g_dtype dt, const uint8_t *src) {
    switch (dt) {
    case H2G_DT_F64: return (float)load_le_f64(src);
    case H2G_DT_F32: return bits_f32(load_le32(src));
    case H2G_DT_F16: return h2g_f16_to_f32(load_le16(src));
    case H2G_DT_BF16: return h2g_bf16_to_f32(load_le16(src));
    case H2G_DT_F8_E4M3: return h2g_e4m3_to_f32(src[0]);
    default: return h2g_e5m2_to_f32(src[0]);
    }
}

/* Widens n elements of dtype dt at src into float32 at dst. Returns 0, or
 * -1 (writing nothing) for a dtype that is not a float. src and dst must
 * not overlap. */
int h2g_decode_f32(h2g_dtype dt, const uint8_t *src, float *dst, size_t n) {
    void (*chunk)(const uint8_t *restrict, float *restrict);
    size_t width; /* bytes per element; h2g_dtype_size lives elsewhere */
    switch (dt) {
    case H2G_DT_F8_E8M0: h2g_e8m0_decode(src, dst, n); return 0; /* scales only */
    case H2G_DT_F64: chunk = decode_f64_chunk, width = 8; break;
    case H2G_DT_F32: chunk = decode_f32_chunk, width = 4; break;
    case H2G_DT_F16: chunk = decode_f16_chunk, width = 2; break;
    case H2G_DT_BF16: chunk = decode_bf16_chunk, width = 2; break;
    case H2G_DT_F8_E4M3: chunk = decode_e4m3_chunk, width = 1; break;
    case H2G_DT_F8_E5M2: chunk = decode_e5m2_chunk, width = 1; break;
    default: return -1;
    }
    size_t i = 0;
    for (; i + CHUNK <= n; i += CHUNK) chunk(src + i * width, dst + i);
    for (; i < n; i++) dst[i] = decode_one(dt, src + i * width);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Encoding rows from float32
 * ------------------------------------------------------------------------- */

/* f32 -> bf16, the hottest encode, written for the vectoriser: the NaN
 * select is made on 32-bit lanes and the result narrowed with a signed
 * shift, which SSE2 does with psrad + packssdw (an unsigned narrowing has
 * no SSE2 instruction and costs a shuffle sequence, 35% slower). The value
 * (int32_t)t >> 16 is the wanted 16 bits sign-extended, so the conversion
 * to int16_t is exact; gcc and clang shift negative values arithmetically
 * (implementation-defined in C11, documented by both). */
static void encode_bf16_chunk(const float *restrict src, uint8_t *restrict dst) {
    for (size_t i = 0; i < CHUNK; i++) {
        uint32_t u = f32_bits(src[i]);
        uint32_t rounded = u + 0x7fffu + ((u >> 16) & 1); /* no wrap for non-NaN u */
        uint32_t quiet_nan = u | 0x00400000u;
        uint32_t t = (u & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded;
        store_le16(dst + 2 * i, (uint16_t)(int16_t)((int32_t)t >> 16));
    }
}

static void encode_bf16(const float *src, uint8_t *dst, size_t n) {
    size_t i = 0;
    for (; i + CHUNK <= n; i += CHUNK) encode_bf16_chunk(src + i, dst + 2 * i);
    for (; i < n; i++) store_le16(dst + 2 * i, h2g_f32_to_bf16(src[i]));
}

static void encode_f32(const float *src, uint8_t *dst, size_t n) {
#if H2G_BIG_ENDIAN
    for (size_t i = 0; i < n; i++) store_le32(dst + 4 * i, f32_bits(src[i]));
#else
    memcpy(dst, src, n * 4);
#endif
}

/* f32 -> f16 for n values, one at a time (numpy's rules). */
static void encode_f16_scalar(const float *src, uint8_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) store_le16(dst + 2 * i, h2g_f32_to_f16(src[i]));
}

#if defined(__x86_64__) && defined(__GNUC__) && !H2G_BIG_ENDIAN
#include <cpuid.h>
#include <immintrin.h>

/* f32 -> f16 with the F16C instruction, 8 values at a time. For every
 * non-NaN float it gives what h2g_f32_to_f16 gives (checked for all 2^32
 * patterns; both are IEEE round-to-nearest-even with subnormals, and
 * vcvtps2ph ignores MXCSR's FTZ/DAZ for this). The hardware forces the
 * quiet bit on NaNs and numpy does not, so a group of 8 holding a NaN is
 * converted by the scalar code. */
__attribute__((target("avx,f16c"))) static void encode_f16_f16c(const float *src, uint8_t *dst,
                                                                 size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(src + i);
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
            encode_f16_scalar(src + i, dst + 2 * i, 8);
            continue;
        }
        _mm_storeu_si128((__m128i *)(void *)(dst + 2 * i),
                         _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    }
    encode_f16_scalar(src + i, dst + 2 * i, n - i);
}

static bool has_f16c;
static pthread_once_t f16c_once = PTHREAD_ONCE_INIT;

/* pthread_once callback: notes whether this CPU has AVX and F16C. */
/* F16C needs the CPU flag and the OS saving AVX state (OSXSAVE + XCR0),
 * read with cpuid so that gcc and clang build it alike. */
static void detect_f16c(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    bool avx = (c >> 28) & 1, osxsave = (c >> 27) & 1, f16c = (c >> 29) & 1;
    if (!avx || !osxsave || !f16c) return;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    has_f16c = (lo & 6) == 6; /* XMM and YMM state enabled */
}

static void encode_f16(const float *src, uint8_t *dst, size_t n) {
    pthread_once(&f16c_once, detect_f16c);
    if (has_f16c)
        encode_f16_f16c(src, dst, n);
    else
        encode_f16_scalar(src, dst, n);
}
#else
static void encode_f16(const float *src, uint8_t *dst, size_t n) { encode_f16_scalar(src, dst, n); }
#endif

/* Encodes n float32 values at src as ggml type `type` at dst. Returns 0, or
 * -1 (writing nothing) for a type other than F32/F16/BF16/Q8_0 or, for
 * Q8_0, n not a multiple of 32. src and dst must not overlap. */
int h2g_encode_f32(uint32_t type, const float *src, uint8_t *dst, size_t n) {
    switch (type) {
    case H2G_GGML_F32: encode_f32(src, dst, n); return 0;
    case H2G_GGML_F16: encode_f16(src, dst, n); return 0;
    case H2G_GGML_BF16: encode_bf16(src, dst, n); return 0;
    case H2G_GGML_Q8_0:
        if (n % H2G_Q8_0_BLOCK) return -1;
        h2g_quantize_q8_0(src, dst, n);
        return 0;
    default: return -1;
    }
}

void h2g_encode_bf16_truncated(const float *src, uint8_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &src[i], sizeof u);
        dst[2 * i] = (uint8_t)(u >> 16);
        dst[2 * i + 1] = (uint8_t)(u >> 24);
    }
}

/* Returns the bytes h2g_encode_f32 writes for n values of `type` (Q8_0: n/32
 * whole blocks), or 0 for a type it does not encode. */
size_t h2g_encoded_size(uint32_t type, size_t n) {
    switch (type) {
    case H2G_GGML_F32: return n * 4;
    case H2G_GGML_F16:
    case H2G_GGML_BF16: return n * 2;
    case H2G_GGML_Q8_0: return n / H2G_Q8_0_BLOCK * H2G_Q8_0_BYTES;
    /* written from their sources' bytes (MXFP4 repack, id narrowing) */
    case H2G_GGML_MXFP4: return n / H2G_MXFP4_BLOCK * H2G_MXFP4_BYTES;
    case H2G_GGML_I32: return n * 4;
    default: return 0;
    }
}
