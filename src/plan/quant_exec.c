/* quant_exec.c - the data of llama-quantize's stage (see transform.h):
 * what llama-quantize does to each tensor of the converter's file, done to
 * a chunk while it streams (quantization-reference.md §1.1-1.2, §3.16). */
#include <math.h>
#include <stdio.h>

#include "hf2gguf/ggml_type.h"
#include "hf2gguf/numeric.h"
#include "numeric/quantize.h"
#include "plan/transform.h"

/* ---------------------------------------------------------------------------
 * The input llama-quantize reads
 * ------------------------------------------------------------------------- */

/* Rounds values in place to the type they have in the converter's file:
 * llama-quantize quantizes those, never the unrounded float32 (FP8, F16 and
 * F32 sources all pass through this rounding). */
static void round_to(uint32_t via, float *v, size_t n) {
    if (via == H2G_GGML_BF16)
        for (size_t i = 0; i < n; i++) v[i] = h2g_bf16_to_f32(h2g_f32_to_bf16(v[i]));
    else if (via == H2G_GGML_F16)
        for (size_t i = 0; i < n; i++) v[i] = h2g_f16_to_f32(h2g_f32_to_f16(v[i]));
}

static int invalid_input(const h2g_chunk *c, uint64_t i, bool nan, h2g_error *err) {
    return h2g_fail(err, "tensor '%s' has invalid data: value %llu is %s in the %s file "
                         "llama-quantize would read, and llama-quantize refuses NaN and "
                         "infinite values", c->t->info.name,
                    (unsigned long long)(c->first + i), nan ? "NaN" : "infinite",
                    h2g_ggml_type_name(c->t->via_type));
}

/* The loader's check on values widened from their file type. */
static int check_values(const h2g_chunk *c, const float *v, h2g_error *err) {
    for (uint64_t i = 0; i < c->count; i++)
        if (!isfinite(v[i])) return invalid_input(c, i, isnan(v[i]), err);
    return 0;
}

int h2g_quant_check_input(const h2g_chunk *c, const uint8_t *b, h2g_error *err) {
    uint32_t type = c->t->via_type;
    /* Only float inputs are checked here; quantized and integer ones
     * (DeepSeek-V4's Q8_0, MXFP4, I32) are copied as the converter made
     * them, from finite scales. */
    if (type != H2G_GGML_F32 && type != H2G_GGML_F16 && type != H2G_GGML_BF16) return 0;
    for (uint64_t i = 0; i < c->count; i++) {
        bool bad, nan;
        if (type == H2G_GGML_F32) {
            uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                         (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
            bad = (u & 0x7f800000u) == 0x7f800000u;
            nan = bad && (u & 0x007fffffu);
        } else {
            uint16_t h = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
            uint16_t exp = type == H2G_GGML_BF16 ? 0x7f80 : 0x7c00;
            bad = (h & exp) == exp;
            nan = bad && (h & (uint16_t)~(exp | 0x8000));
        }
        if (bad) return invalid_input(c, i, nan, err);
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Quantizing
 * ------------------------------------------------------------------------- */

/* Quantizes the chunk's values into out: whole rows, or whole blocks of a
 * row longer than a piece (every block depends on its own values only).
 * Returns the bytes written, 0 when there is no quantizer for the type. */
static size_t quantize_piece(const h2g_chunk *c, const float *v, uint8_t *out) {
    uint64_t row = c->t->info.ne[0];
    bool rows = c->count % row == 0;
    return h2g_quantize_rows(c->t->info.type, v, out, rows ? (size_t)(c->count / row) : 1,
                             rows ? (size_t)row : (size_t)c->count);
}

int h2g_quant_encode(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                     uint64_t *bytes_read, h2g_error *err) {
    const h2g_plan_tensor *t = c->t;
    if (h2g_chunk_values(co, c, s, bytes_read, err) != 0) return -1;
    round_to(t->via_type, s->values, (size_t)c->count);
    if (check_values(c, s->values, err) != 0) return -1;
    if (t->info.type == H2G_GGML_F16) { /* the last-resort fallback (§3.15) */
        h2g_encode_f32(H2G_GGML_F16, s->values, s->out, (size_t)c->count);
    } else if (quantize_piece(c, s->values, s->out) != h2g_piece_bytes(t->info.type, c->count)) {
        return h2g_fail(err, "tensor '%s': %s cannot be made from %llu values at element %llu",
                        t->info.name, h2g_ggml_type_name(t->info.type),
                        (unsigned long long)c->count, (unsigned long long)c->first);
    }
    uint32_t blk = 1;
    h2g_ggml_type_info(t->info.type, &blk, NULL);
    /* llama-quantize checks the stored scales (and every F16 value) (§3.16). */
    long bad = h2g_quant_check(t->info.type, s->out, (size_t)(c->count / blk));
    if (bad < 0) return 0;
    return h2g_fail(err, "tensor '%s': quantized data validation failed: %s block %llu has "
                         "an infinite or NaN scale (values too large for the type), which "
                         "llama-quantize refuses to write", t->info.name,
                    h2g_ggml_type_name(t->info.type),
                    (unsigned long long)(c->first / blk + (uint64_t)bad));
}
