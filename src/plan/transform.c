/* transform.c - the values of a chunk of an output tensor (see transform.h). */
#include "plan/transform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/numeric.h"
#include "numeric/e8m0.h"
#include "numeric/ids.h"
#include "numeric/mxfp4.h"

/* ---------------------------------------------------------------------------
 * Scratch buffers
 * ------------------------------------------------------------------------- */

int h2g_scratch_init(h2g_scratch *s, h2g_error *err) {
    memset(s, 0, sizeof *s);
    s->values = malloc(H2G_CHUNK_ELEMS * sizeof(float));
    s->tmp = malloc(H2G_CHUNK_ELEMS * sizeof(float));
    s->out = malloc(H2G_CHUNK_ELEMS * sizeof(float));
    s->raw = malloc(H2G_CHUNK_ELEMS * sizeof(double)); /* the widest source dtype */
    if (!s->values || !s->tmp || !s->out || !s->raw) {
        h2g_scratch_free(s);
        return h2g_fail(err, "out of memory for a worker's conversion buffers (%zu bytes)",
                        (size_t)H2G_CHUNK_ELEMS * (3 * sizeof(float) + sizeof(double)));
    }
    return 0;
}

void h2g_scratch_free(h2g_scratch *s) {
    free(s->values);
    free(s->tmp);
    free(s->out);
    free(s->raw);
    free(s->scales);
    free(s->scale_raw);
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

uint64_t h2g_source_elems(const h2g_plan_tensor *t, size_t s) {
    uint64_t n = h2g_source_elements(&t->src[s]); /* packed INT4: rows x cols */
    return t->transform == H2G_XF_MXFP4 ? 2 * n : n;
}

bool h2g_transform_stacks(h2g_transform xf) {
    return xf == H2G_XF_STACK || xf == H2G_XF_MXFP4;
}

/* A stack's chunk ends at the end of the source holding its first element,
 * so that it reads one source: with a compressed archive, sources are
 * readable one shard at a time. Sources hold whole rows, so a Q8_0 or
 * MXFP4 block is never cut. */
static uint64_t source_end(const h2g_plan_tensor *t, uint64_t first, uint64_t end) {
    uint64_t base = 0;
    for (size_t s = 0; s < t->n_src; s++) {
        base += h2g_source_elems(t, s);
        if (first < base) return base < end ? base : end;
    }
    return end;
}

/* The source of a stacking chunk (which never straddles two) and the
 * chunk's first element within it. */
static const h2g_source *chunk_source(const h2g_chunk *c, uint64_t *first) {
    uint64_t base = 0;
    for (size_t s = 0; s < c->t->n_src; s++) {
        uint64_t n = h2g_source_elems(c->t, s);
        if (c->first < base + n) {
            *first = c->first - base;
            return &c->t->src[s];
        }
        base += n;
    }
    return NULL;
}

/* Elements per chunk; smaller only in tests (h2g_set_chunk_elems). */
static uint64_t chunk_elems = H2G_CHUNK_ELEMS;

void h2g_set_chunk_elems(uint64_t n) {
    chunk_elems = n >= 32 && n <= H2G_CHUNK_ELEMS ? n / 32 * 32 : H2G_CHUNK_ELEMS;
}

/* Values per block of a type (1 for the float types). */
static uint64_t block_values(uint32_t type) {
    uint32_t b = 1;
    h2g_ggml_type_info(type, &b, NULL);
    return b;
}

/* A tensor that llama-quantize's stage quantizes (not merely copies). */
static bool quantizes(const h2g_plan_tensor *t) {
    return t->quantized && t->info.type != t->via_type && block_values(t->info.type) > 1;
}

/* The elements of the piece of a quantized tensor that starts at `first`
 * (a row boundary, or a block boundary inside a row longer than a piece):
 * as many whole rows as fit in `step`, or, for a row longer than that, whole
 * blocks up to the row's end. Every block is quantized from its own values
 * only, so where pieces are cut changes no byte. */
static uint64_t quant_step(const h2g_plan_tensor *t, uint64_t first, uint64_t step) {
    uint64_t row = t->info.ne[0];
    if (row <= step) return step / row * row;
    uint64_t blk = block_values(t->info.type), left = row - first % row;
    uint64_t s = step / blk * blk;
    if (s == 0) s = blk;
    return s < left ? s : left;
}

bool h2g_chunk_at(const h2g_plan_tensor *t, uint64_t first, h2g_chunk *c) {
    uint64_t total = tensor_elems(t);
    if (first >= total) return false;
    /* kv_b halves are made head by head: a head is the natural unit for the
     * transpose and stays far below the chunk size for real models. */
    uint64_t step = chunk_elems;
    if (t->transform == H2G_XF_KV_B_K || t->transform == H2G_XF_KV_B_V)
        step = kvb_head_elems(t);
    else if (quantizes(t))
        step = quant_step(t, first, step);
    else if (t->transform == H2G_XF_IDS && step >= 8)
        step /= 8; /* 8-byte ids: a piece reads no more bytes than a float32 one
                    * holds, which keeps a stream's resident buffers small */
    uint64_t end = total - first < step ? total : first + step;
    if (h2g_transform_stacks(t->transform)) end = source_end(t, first, end);
    *c = (h2g_chunk){t, first, end - first};
    return true;
}

/* ---------------------------------------------------------------------------
 * Reading source elements
 * ------------------------------------------------------------------------- */

/* Reads len bytes at offset `at` of tensor t's data with pread. Source data
 * is read, not mapped, so that memory stays bounded by the buffers however
 * large the checkout, and a shard that shrinks under us is an error rather
 * than a crash. */
static int read_bytes(const h2g_checkout *co, const h2g_st_tensor *t, uint64_t at, size_t len,
                      uint8_t *buf, h2g_error *err) {
    const h2g_shard *sh = &co->shards[t->shard];
    if (at > t->nbytes || len > t->nbytes - at)
        return h2g_fail(err, "tensor '%s': read past its end", t->name);
    const uint8_t *held = co->held ? co->held[t - co->tensors] : NULL;
    if (held) { /* a copy kept from a streamed archive */
        memcpy(buf, held + at, len);
        return 0;
    }
    if (sh->fd < 0)
        return h2g_fail(err, "%s: tensor '%s' read while its shard is not staged", sh->file_name,
                        t->name);
    uint64_t pos = sh->base + t->offset + at;
    while (len > 0) {
        ssize_t r = pread(sh->fd, buf, len, (off_t)pos);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return h2g_fail(err, "%s: read failed: %s", sh->file_name, strerror(errno));
        if (r == 0)
            return h2g_fail(err, "%s: tensor '%s' ends early; the file changed size during "
                                 "the conversion", sh->file_name, t->name);
        buf += r;
        len -= (size_t)r;
        pos += (uint64_t)r;
    }
    return 0;
}

/* Multiplies dst (source elements [first, first + n) of an FP8 weight) by
 * its block scales: W = f32(q) * S[r / block_rows][c / block_cols]. The
 * scale rows the range needs are read once. */
static int apply_scales(const h2g_checkout *co, const h2g_source *src, uint64_t first,
                        uint64_t n, float *dst, h2g_scratch *s, h2g_error *err) {
    const h2g_st_tensor *w = src->tensor, *st = src->scale;
    uint64_t cols = src->pack_bits ? src->cols : w->shape[1];
    uint64_t scols = st->n_dims >= 2 ? st->shape[1] : 1;
    uint64_t srow0 = (first / cols) / src->block_rows;
    uint64_t srow1 = ((first + n - 1) / cols) / src->block_rows;
    size_t count = (size_t)((srow1 - srow0 + 1) * scols), ses = h2g_dtype_size(st->dtype);
    if (count > s->scale_cap) {
        float *grown = realloc(s->scales, count * sizeof *grown);
        uint8_t *raw = realloc(s->scale_raw, count * ses);
        if (grown) s->scales = grown;
        if (raw) s->scale_raw = raw;
        if (!grown || !raw)
            return h2g_fail(err, "tensor '%s': out of memory for %zu block scales", st->name,
                            count);
        s->scale_cap = count;
    }
    if (read_bytes(co, st, srow0 * scols * ses, count * ses, s->scale_raw, err) != 0) return -1;
    if (st->dtype == H2G_DT_F8_E8M0) {
        long bad = h2g_e8m0_find_nan(s->scale_raw, count);
        if (bad >= 0)
            return h2g_fail(err, "tensor '%s': scale byte 0xFF (NaN in E8M0) for block [%llu, "
                                 "%llu]; refused (llama.cpp's converter would scale the block "
                                 "by +inf)", st->name,
                            (unsigned long long)(srow0 + (uint64_t)bad / scols),
                            (unsigned long long)((uint64_t)bad % scols));
    }
    h2g_decode_f32(st->dtype, s->scale_raw, s->scales, count);
    for (uint64_t i = 0; i < n;) {
        uint64_t e = first + i, r = e / cols, c = e % cols;
        uint64_t run = src->block_cols - c % src->block_cols; /* to the block's edge */
        if (run > cols - c) run = cols - c;
        if (run > n - i) run = n - i;
        float scale = s->scales[(r / src->block_rows - srow0) * scols + c / src->block_cols];
        for (uint64_t k = 0; k < run; k++) dst[i + k] *= scale;
        i += run;
    }
    return 0;
}

/* Unpacks elements [first, first + n) of a packed source (row-major over
 * rows x cols) as float32 codes minus the offset; its scales come after.
 * Row r's codes are words r * W ... of the tensor (W words a row); code c
 * sits at bits pack_bits * (c % per_word) of word c / per_word. The words
 * from the first element's to the last one's are read at once. */
static int read_packed(const h2g_checkout *co, const h2g_source *src, uint64_t first,
                       uint64_t n, float *dst, h2g_scratch *s, uint64_t *bytes_read,
                       h2g_error *err) {
    const h2g_st_tensor *t = src->tensor;
    uint64_t cols = src->cols, words = t->shape[1], per_word = 32 / src->pack_bits;
    uint64_t last = first + n - 1;
    uint64_t w0 = first / cols * words + first % cols / per_word;
    uint64_t w1 = last / cols * words + last % cols / per_word;
    if (first + n > src->rows * cols || n > H2G_CHUNK_ELEMS || w1 - w0 + 1 > 2 * H2G_CHUNK_ELEMS)
        return h2g_fail(err, "tensor '%s': read past its end", t->name);
    if (read_bytes(co, t, w0 * 4, (size_t)(w1 - w0 + 1) * 4, s->raw, err) != 0) return -1;
    *bytes_read += (w1 - w0 + 1) * 4;
    uint32_t mask = (1u << src->pack_bits) - 1;
    float offset = (float)(1u << (src->pack_bits - 1));
    for (uint64_t i = 0; i < n; i++) {
        uint64_t e = first + i, c = e % cols, w = e / cols * words + c / per_word - w0;
        const uint8_t *b = s->raw + 4 * w;
        uint32_t word = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                        (uint32_t)b[3] << 24;
        dst[i] = (float)((word >> (src->pack_bits * (c % per_word))) & mask) - offset;
    }
    return apply_scales(co, src, first, n, dst, s, err);
}

/* Decodes source elements [first, first + n) of src into dst as float32. */
static int read_source(const h2g_checkout *co, const h2g_source *src, uint64_t first,
                       uint64_t n, float *dst, h2g_scratch *s, uint64_t *bytes_read,
                       h2g_error *err) {
    if (src->pack_bits) return read_packed(co, src, first, n, dst, s, bytes_read, err);
    const h2g_st_tensor *t = src->tensor;
    size_t es = h2g_dtype_size(t->dtype);
    if (first + n > t->n_elements || n > H2G_CHUNK_ELEMS)
        return h2g_fail(err, "tensor '%s': read past its end", t->name);
    if (read_bytes(co, t, first * es, n * es, s->raw, err) != 0) return -1;
    if (h2g_decode_f32(t->dtype, s->raw, dst, n) != 0)
        return h2g_fail(err, "tensor '%s': dtype %s cannot be converted", t->name,
                        h2g_dtype_name(t->dtype));
    *bytes_read += n * es;
    return src->scale ? apply_scales(co, src, first, n, dst, s, err) : 0;
}

/* ---------------------------------------------------------------------------
 * Transforms
 * ------------------------------------------------------------------------- */

/* The part of one source that a CONVERT or STACK chunk covers: source
 * elements [first, first + count), landing at `at` within the chunk. */
typedef struct piece {
    const h2g_source *src;
    uint64_t first, count, at;
} piece;

typedef int (*piece_fn)(const piece *p, void *ctx);

/* Calls fn for each source piece of a chunk, in order; stops at an error. */
static int for_each_piece(const h2g_chunk *c, piece_fn fn, void *ctx) {
    uint64_t pos = c->first, end = c->first + c->count, base = 0;
    for (size_t s = 0; s < c->t->n_src && pos < end; s++) {
        uint64_t n = h2g_source_elements(&c->t->src[s]);
        if (pos < base + n) {
            uint64_t take = (end < base + n ? end : base + n) - pos;
            piece p = {&c->t->src[s], pos - base, take, pos - c->first};
            if (fn(&p, ctx) != 0) return -1;
            pos += take;
        }
        base += n;
    }
    return 0;
}

typedef struct piece_job {
    const h2g_checkout *co;
    h2g_scratch *sc;
    uint8_t *out;
    uint64_t *bytes_read;
    h2g_error *err;
} piece_job;

static int piece_values(const piece *p, void *ctx) {
    piece_job *j = ctx;
    return read_source(j->co, p->src, p->first, p->count, j->sc->values + p->at, j->sc,
                       j->bytes_read, j->err);
}

/* CONVERT and STACK: the output is the sources' elements back to back. */
static int concat_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *sc,
                         uint64_t *bytes_read, h2g_error *err) {
    piece_job j = {co, sc, NULL, bytes_read, err};
    return for_each_piece(c, piece_values, &j);
}

/* KV_B_K: head h of kv_b holds nope k-rows then v v-rows, each kv_lora long.
 * The output head is the k-rows transposed: out[i][j] = kv_b[h*(nope+v)+j][i]. */
static int kvb_k_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                        uint64_t *bytes_read, h2g_error *err) {
    const h2g_plan_tensor *t = c->t;
    uint64_t nope = t->kvb_nope, kv_lora = t->info.ne[1];
    uint64_t head = c->first / (nope * kv_lora);
    uint64_t row0 = head * (t->kvb_nope + t->kvb_v);
    if (read_source(co, &t->src[0], row0 * kv_lora, nope * kv_lora, s->tmp, s, bytes_read, err))
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
    return read_source(co, &t->src[0], row0 * kv_lora, v * kv_lora, s->values, s, bytes_read,
                       err);
}

/* MXFP4: reads the chunk's FP4 codes (16 bytes a block) and E8M0 scales
 * (one byte a block) into s->raw, the scales after the codes. A block k of
 * an expert is its bytes [16k, 16k + 16) and scale byte k, because rows are
 * whole blocks. Fills *src_out and *n_blocks. */
static int read_fp4(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                    const h2g_source **src_out, uint64_t *n_blocks, uint64_t *bytes_read,
                    h2g_error *err) {
    uint64_t first;
    const h2g_source *src = chunk_source(c, &first);
    if (!src || first % H2G_MXFP4_BLOCK || c->count % H2G_MXFP4_BLOCK)
        return h2g_fail(err, "tensor '%s': a piece not made of whole MXFP4 blocks",
                        c->t->info.name);
    uint64_t k0 = first / H2G_MXFP4_BLOCK, nb = c->count / H2G_MXFP4_BLOCK;
    uint8_t *codes = s->raw, *scales = s->raw + nb * H2G_FP4_PACKED;
    if (read_bytes(co, src->tensor, k0 * H2G_FP4_PACKED, nb * H2G_FP4_PACKED, codes, err) ||
        read_bytes(co, src->scale, k0, nb, scales, err))
        return -1;
    *bytes_read += nb * (H2G_FP4_PACKED + 1);
    long bad = h2g_e8m0_find_nan(scales, nb);
    if (bad >= 0) {
        uint64_t per_row = src->scale->n_dims == 2 ? src->scale->shape[1] : 1;
        uint64_t k = k0 + (uint64_t)bad;
        return h2g_fail(err, "tensor '%s': scale byte 0xFF (NaN in E8M0) at row %llu, block "
                             "%llu; refused (llama.cpp's converter would copy it into the "
                             "MXFP4 block)", src->scale->name, (unsigned long long)(k / per_row),
                        (unsigned long long)(k % per_row));
    }
    *src_out = src;
    *n_blocks = nb;
    return 0;
}

/* MXFP4 as values: e2m1(code) * 2^(scale - 127). */
static int fp4_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                      uint64_t *bytes_read, h2g_error *err) {
    const h2g_source *src;
    uint64_t nb;
    if (read_fp4(co, c, s, &src, &nb, bytes_read, err) != 0) return -1;
    h2g_fp4_decode(s->raw, s->raw + nb * H2G_FP4_PACKED, s->values, (size_t)nb);
    return 0;
}

/* MXFP4 bytes: the codes and scales repacked into ggml blocks. */
static int mxfp4_bytes(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                       uint64_t *bytes_read, h2g_error *err) {
    const h2g_source *src;
    uint64_t nb;
    if (read_fp4(co, c, s, &src, &nb, bytes_read, err) != 0) return -1;
    h2g_mxfp4_repack(s->raw, s->raw + nb * H2G_FP4_PACKED, s->out, (size_t)nb);
    return 0;
}

/* IDS: the chunk's ids narrowed to int32 in s->out, each checked below
 * id_limit; the message gives the row and column of the first bad one. */
static int id_bytes(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                    uint64_t *bytes_read, h2g_error *err) {
    const h2g_st_tensor *t = c->t->src[0].tensor;
    size_t es = h2g_dtype_size(t->dtype);
    if (t->dtype != H2G_DT_I64 && t->dtype != H2G_DT_I32)
        return h2g_fail(err, "tensor '%s': ids must be I64 or I32, found %s", t->name,
                        h2g_dtype_name(t->dtype));
    if (read_bytes(co, t, c->first * es, (size_t)(c->count * es), s->raw, err) != 0) return -1;
    *bytes_read += c->count * es;
    int64_t v = 0;
    long bad = h2g_ids_to_i32(s->raw, es, s->out, (size_t)c->count, c->t->id_limit, &v);
    if (bad >= 0) {
        uint64_t cols = t->n_dims == 2 ? t->shape[1] : 1, at = c->first + (uint64_t)bad;
        return h2g_fail(err, "tensor '%s': id %lld at [%llu, %llu] is outside 0..%u (the "
                             "expert count is %u)", t->name, (long long)v,
                        (unsigned long long)(at / cols), (unsigned long long)(at % cols),
                        c->t->id_limit - 1, c->t->id_limit);
    }
    return 0;
}

/* IDS as values (exact: ids are below 2^24 expert counts). */
static int id_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                     uint64_t *bytes_read, h2g_error *err) {
    if (id_bytes(co, c, s, bytes_read, err) != 0) return -1;
    for (uint64_t i = 0; i < c->count; i++) {
        const uint8_t *p = s->out + 4 * i;
        s->values[i] = (float)(int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                                        (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    }
    return 0;
}

/* PERMUTE_QK: the rows of each head are interleaved, first half with second
 * half: output row h*hd + 2i + j is source row h*hd + j*hd/2 + i. The chunk
 * is an arbitrary range of output elements; it is read row piece by row
 * piece, each from its source row, so memory stays one chunk. */
static uint64_t permuted_row(uint64_t r, uint64_t head_rows) {
    uint64_t h = r / head_rows, w = r % head_rows, half = head_rows / 2;
    return h * head_rows + (w % 2) * half + w / 2;
}

static int permute_qk_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                             uint64_t *bytes_read, h2g_error *err) {
    const h2g_source *src = &c->t->src[0];
    uint64_t rows = src->tensor->n_dims ? src->tensor->shape[0] : 1;
    uint64_t cols = rows ? src->tensor->n_elements / rows : 0;
    uint64_t heads = c->t->perm_heads;
    if (!heads || rows % heads || (rows / heads) % 2 || !cols)
        return h2g_fail(err, "tensor '%s': %llu rows do not split into %llu heads of an even "
                             "size", c->t->info.name, (unsigned long long)rows,
                        (unsigned long long)heads);
    for (uint64_t done = 0; done < c->count;) {
        uint64_t e = c->first + done, r = e / cols, col = e % cols;
        uint64_t run = cols - col < c->count - done ? cols - col : c->count - done;
        uint64_t from = permuted_row(r, rows / heads) * cols + col;
        if (read_source(co, src, from, run, s->values + done, s, bytes_read, err) != 0) return -1;
        done += run;
    }
    return 0;
}

int h2g_chunk_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                     uint64_t *bytes_read, h2g_error *err) {
    if (c->count > H2G_CHUNK_ELEMS)
        return h2g_fail(err, "tensor '%s': a piece of %llu elements exceeds the %u-element "
                             "buffer", c->t->info.name, (unsigned long long)c->count,
                        H2G_CHUNK_ELEMS);
    switch (c->t->transform) {
    case H2G_XF_CONVERT:
    case H2G_XF_STACK: return concat_values(co, c, s, bytes_read, err);
    case H2G_XF_KV_B_K: return kvb_k_values(co, c, s, bytes_read, err);
    case H2G_XF_KV_B_V: return kvb_v_values(co, c, s, bytes_read, err);
    case H2G_XF_MXFP4: return fp4_values(co, c, s, bytes_read, err);
    case H2G_XF_IDS: return id_values(co, c, s, bytes_read, err);
    case H2G_XF_PERMUTE_QK: return permute_qk_values(co, c, s, bytes_read, err);
    }
    return h2g_fail(err, "tensor '%s': unknown transform", c->t->info.name);
}

/* ---------------------------------------------------------------------------
 * Encoded bytes
 * ------------------------------------------------------------------------- */

/* ggml type whose bytes equal a source dtype's (F32, F16, BF16), or -1. */
static int same_bytes_type(h2g_dtype dt) {
    return dt == H2G_DT_F32 ? H2G_GGML_F32 : dt == H2G_DT_F16 ? H2G_GGML_F16
         : dt == H2G_DT_BF16 ? H2G_GGML_BF16 : -1;
}

/* True when the chunk's output bytes are its sources' bytes: an unscaled
 * copy or stack into the sources' own type (bf16 -> bf16 and the like).
 * Such chunks skip the float32 round trip, which changes nothing but the
 * quiet bit of bf16 NaNs (restored by quiet_bf16_nans). */
static bool is_passthrough(const h2g_plan_tensor *t) {
    if (t->transform != H2G_XF_CONVERT && t->transform != H2G_XF_STACK) return false;
    for (size_t i = 0; i < t->n_src; i++)
        if (t->src[i].scale || same_bytes_type(t->src[i].tensor->dtype) != (int)t->info.type)
            return false;
    return true;
}

/* The reference converts through float32, which quiets bf16 NaNs. */
static void quiet_bf16_nans(uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint16_t v = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
        if ((v & 0x7f80) == 0x7f80 && (v & 0x7f)) v |= 0x40;
        b[2 * i] = (uint8_t)v;
        b[2 * i + 1] = (uint8_t)(v >> 8);
    }
}

static int piece_bytes(const piece *p, void *ctx) {
    piece_job *j = ctx;
    size_t es = h2g_dtype_size(p->src->tensor->dtype);
    *j->bytes_read += p->count * es;
    return read_bytes(j->co, p->src->tensor, p->first * es, (size_t)(p->count * es),
                      j->out + p->at * es, j->err);
}

/* Copies the chunk's source bytes to out. */
static int copy_sources(const h2g_checkout *co, const h2g_chunk *c, uint8_t *out,
                        uint64_t *bytes_read, h2g_error *err) {
    piece_job j = {co, NULL, out, bytes_read, err};
    return for_each_piece(c, piece_bytes, &j);
}

uint64_t h2g_piece_bytes(uint32_t type, uint64_t n) {
    uint32_t elems = 1, bytes = 0;
    h2g_ggml_type_info(type, &elems, &bytes);
    return n / elems * bytes;
}

/* The chunk's bytes as the converter writes them (its output type). */
static int converter_encode(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                            uint64_t *bytes_read, h2g_error *err) {
    const h2g_plan_tensor *t = c->t;
    /* Written from the sources' bytes, never through float32. */
    if (t->transform == H2G_XF_MXFP4 && t->info.type == H2G_GGML_MXFP4)
        return mxfp4_bytes(co, c, s, bytes_read, err);
    if (t->transform == H2G_XF_IDS && t->info.type == H2G_GGML_I32)
        return id_bytes(co, c, s, bytes_read, err);
    if (is_passthrough(t)) {
        if (copy_sources(co, c, s->out, bytes_read, err) != 0) return -1;
        if (t->info.type == H2G_GGML_BF16 && !t->bf16_truncate)
            quiet_bf16_nans(s->out, c->count);
        return 0;
    }
    if (h2g_chunk_values(co, c, s, bytes_read, err) != 0) return -1;
    if (t->info.type == H2G_GGML_BF16 && t->bf16_truncate) {
        h2g_encode_bf16_truncated(s->values, s->out, c->count);
        return 0;
    }
    if (h2g_encode_f32(t->info.type, s->values, s->out, c->count) != 0)
        return h2g_fail(err, "tensor '%s': cannot encode type %s", t->info.name,
                        h2g_ggml_type_name(t->info.type));
    return 0;
}

int h2g_chunk_encode(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s, size_t *len,
                     uint64_t *bytes_read, h2g_error *err) {
    *len = (size_t)h2g_piece_bytes(c->t->info.type, c->count);
    const h2g_plan_tensor *t = c->t;
    if (quantizes(t) || (t->quantized && t->info.type != t->via_type))
        return h2g_quant_encode(co, c, s, bytes_read, err);
    if (converter_encode(co, c, s, bytes_read, err) != 0) return -1;
    /* llama-quantize copies these bytes, but its loader checks them first. */
    return t->quantized ? h2g_quant_check_input(c, s->out, err) : 0;
}
