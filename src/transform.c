/* transform.c - the values of a chunk of an output tensor (see transform.h). */
#include "transform.h"

#include <stdlib.h>
#include <string.h>

#include "hf2gguf/numeric.h"

/* ---------------------------------------------------------------------------
 * Scratch buffers
 * ------------------------------------------------------------------------- */

int h2g_scratch_init(h2g_scratch *s, h2g_error *err) {
    s->values = malloc(H2G_CHUNK_ELEMS * sizeof(float));
    s->tmp = malloc(H2G_CHUNK_ELEMS * sizeof(float));
    s->out = malloc(H2G_CHUNK_ELEMS * sizeof(float));
    if (!s->values || !s->tmp || !s->out) {
        h2g_scratch_free(s);
        return h2g_fail(err, "out of memory for conversion buffers");
    }
    return 0;
}

void h2g_scratch_free(h2g_scratch *s) {
    free(s->values);
    free(s->tmp);
    free(s->out);
    memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------------------
 * Cutting tensors into chunks
 * ------------------------------------------------------------------------- */

static uint64_t tensor_elems(const h2g_plan_tensor *t) {
    uint64_t n = 1;
    for (uint32_t d = 0; d < t->info.n_dims; d++) n *= t->info.ne[d];
    return n;
}

/* Elements of one kv_b head in the output (k: kv_lora x nope, v: v x kv_lora). */
static uint64_t kvb_head_elems(const h2g_plan_tensor *t) {
    return t->info.ne[0] * t->info.ne[1];
}

bool h2g_chunk_at(const h2g_plan_tensor *t, uint64_t first, h2g_chunk *c) {
    uint64_t total = tensor_elems(t);
    if (first >= total) return false;
    /* kv_b halves are made head by head: a head is the natural unit for the
     * transpose and stays far below the chunk size for real models. */
    uint64_t step = H2G_CHUNK_ELEMS;
    if (t->transform == H2G_XF_KV_B_K || t->transform == H2G_XF_KV_B_V)
        step = kvb_head_elems(t);
    *c = (h2g_chunk){t, first, total - first < step ? total - first : step};
    return true;
}

/* ---------------------------------------------------------------------------
 * Reading source elements
 * ------------------------------------------------------------------------- */

/* Decodes source elements [first, first + n) of src into dst, applying the
 * FP8 block scales when the source has them: W = f32(q) * S[r/br][c/bc]. */
static int read_source(const h2g_checkout *co, const h2g_source *src, uint64_t first,
                       uint64_t n, float *dst, uint64_t *bytes_read, h2g_error *err) {
    const h2g_st_tensor *t = src->tensor;
    size_t es = h2g_dtype_size(t->dtype);
    const uint8_t *base = h2g_checkout_data(co, t);
    if (first + n > t->n_elements)
        return h2g_fail(err, "tensor '%s': read past its end", t->name);
    if (h2g_decode_f32(t->dtype, base + first * es, dst, n) != 0)
        return h2g_fail(err, "tensor '%s': dtype %s cannot be converted", t->name,
                        h2g_dtype_name(t->dtype));
    *bytes_read += n * es;
    if (!src->scale) return 0;

    const h2g_st_tensor *s = src->scale;
    const uint8_t *sbase = h2g_checkout_data(co, s);
    size_t ses = h2g_dtype_size(s->dtype);
    uint64_t cols = t->shape[1], scols = s->n_dims >= 2 ? s->shape[1] : 1;
    uint64_t i = 0;
    while (i < n) {
        uint64_t e = first + i, r = e / cols, c = e % cols;
        uint64_t run = src->block_cols - c % src->block_cols; /* to the block's edge */
        if (run > cols - c) run = cols - c;
        if (run > n - i) run = n - i;
        float scale;
        uint64_t si = (r / src->block_rows) * scols + c / src->block_cols;
        h2g_decode_f32(s->dtype, sbase + si * ses, &scale, 1);
        for (uint64_t k = 0; k < run; k++) dst[i + k] *= scale;
        i += run;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Transforms
 * ------------------------------------------------------------------------- */

/* CONVERT and STACK: the output is the sources' elements back to back. */
static int concat_values(const h2g_checkout *co, const h2g_chunk *c, float *dst,
                         uint64_t *bytes_read, h2g_error *err) {
    uint64_t pos = c->first, end = c->first + c->count, base = 0;
    for (size_t s = 0; s < c->t->n_src && pos < end; s++) {
        uint64_t n = c->t->src[s].tensor->n_elements;
        if (pos < base + n) {
            uint64_t take = (end < base + n ? end : base + n) - pos;
            if (read_source(co, &c->t->src[s], pos - base, take, dst, bytes_read, err) != 0)
                return -1;
            dst += take;
            pos += take;
        }
        base += n;
    }
    return 0;
}

/* KV_B_K: head h of kv_b holds nope k-rows then v v-rows, each kv_lora long.
 * The output head is the k-rows transposed: out[i][j] = kv_b[h*(nope+v)+j][i]. */
static int kvb_k_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                        uint64_t *bytes_read, h2g_error *err) {
    const h2g_plan_tensor *t = c->t;
    uint64_t nope = t->kvb_nope, kv_lora = t->info.ne[1];
    uint64_t head = c->first / (nope * kv_lora);
    uint64_t row0 = head * (t->kvb_nope + t->kvb_v);
    if (read_source(co, &t->src[0], row0 * kv_lora, nope * kv_lora, s->tmp, bytes_read, err))
        return -1;
    for (uint64_t i = 0; i < kv_lora; i++)
        for (uint64_t j = 0; j < nope; j++) s->values[i * nope + j] = s->tmp[j * kv_lora + i];
    return 0;
}

/* KV_B_V: the v-rows of each head, unchanged. */
static int kvb_v_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                        uint64_t *bytes_read, h2g_error *err) {
    const h2g_plan_tensor *t = c->t;
    uint64_t kv_lora = t->info.ne[0], v = t->kvb_v;
    uint64_t head = c->first / (v * kv_lora);
    uint64_t row0 = head * (t->kvb_nope + t->kvb_v) + t->kvb_nope;
    return read_source(co, &t->src[0], row0 * kv_lora, v * kv_lora, s->values, bytes_read,
                       err);
}

int h2g_chunk_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                     uint64_t *bytes_read, h2g_error *err) {
    if (c->count > H2G_CHUNK_ELEMS)
        return h2g_fail(err, "tensor '%s': a piece of %llu elements exceeds the %u-element "
                             "buffer", c->t->info.name, (unsigned long long)c->count,
                        H2G_CHUNK_ELEMS);
    switch (c->t->transform) {
    case H2G_XF_CONVERT:
    case H2G_XF_STACK: return concat_values(co, c, s->values, bytes_read, err);
    case H2G_XF_KV_B_K: return kvb_k_values(co, c, s, bytes_read, err);
    case H2G_XF_KV_B_V: return kvb_v_values(co, c, s, bytes_read, err);
    }
    return h2g_fail(err, "tensor '%s': unknown transform", c->t->info.name);
}
