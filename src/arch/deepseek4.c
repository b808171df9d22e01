/*
 * deepseek4.c - DeepSeek-V4-Flash / V4-Pro (DeepseekV4ForCausalLM, arch
 * deepseek4).
 *
 * Facts: conversion-reference-v4.md. In short: names have no "model."
 * prefix and are renamed by the table below; FP8 weights carry an E8M0
 * scale per 128x128 block in "<name>.scale" and become Q8_0; the routed
 * experts are FP4 (two e2m1 codes a byte, an E8M0 scale per 32 values) and
 * are repacked bit for bit into one MXFP4 tensor per layer and projection;
 * the hash-routed layers' tid2eid tables become I32. Types are fixed by
 * the source dtypes, never by --outtype, and the file type is always
 * MXFP4_MOE. Written first: the tid2eid tables, then each layer's three
 * expert tensors (gate, down, up); then everything else in processing
 * order. The MTP block (mtp.*) is dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "hf2gguf/general.h"
#include "hf2gguf/vocab.h"
#include "plan/quant_rules.h"
#include "source/hparams.h"
#include "base/util.h"

#define ARCH "deepseek4"
#define FILE_TYPE_MXFP4_MOE 38 /* llama.cpp's LLAMA_FTYPE_MOSTLY_MXFP4_MOE */
#define FP8_BLOCK 128          /* hard-coded by the reference; weight_block_size unread */
#define FP4_GROUP 32           /* values per E8M0 scale in an expert row */

/* ---------------------------------------------------------------------------
 * Name table: full HF names (suffix included, since several have none) to
 * full GGUF names. Routed experts, tid2eid tables and .scale companions are
 * handled apart.
 * ------------------------------------------------------------------------- */

static const h2g_name_rule tensor_names[] = {
    {"embed.weight", "token_embd.weight"},
    {"head.weight", "output.weight"},
    {"norm.weight", "output_norm.weight"},
    {"hc_head_fn", "output_hc_fn.weight"},
    {"hc_head_base", "output_hc_base.weight"},
    {"hc_head_scale", "output_hc_scale.weight"},
    {"layers.{N}.attn_norm.weight", "blk.{N}.attn_norm.weight"},
    {"layers.{N}.ffn_norm.weight", "blk.{N}.ffn_norm.weight"},
    {"layers.{N}.attn.attn_sink", "blk.{N}.attn_sinks.weight"},
    {"layers.{N}.attn.wq_a.weight", "blk.{N}.attn_q_a.weight"},
    {"layers.{N}.attn.q_norm.weight", "blk.{N}.attn_q_a_norm.weight"},
    {"layers.{N}.attn.wq_b.weight", "blk.{N}.attn_q_b.weight"},
    {"layers.{N}.attn.wkv.weight", "blk.{N}.attn_kv.weight"},
    {"layers.{N}.attn.kv_norm.weight", "blk.{N}.attn_kv_a_norm.weight"},
    {"layers.{N}.attn.wo_a.weight", "blk.{N}.attn_output_a.weight"},
    {"layers.{N}.attn.wo_b.weight", "blk.{N}.attn_output_b.weight"},
    {"layers.{N}.attn.compressor.ape", "blk.{N}.attn_compressor_ape.weight"},
    {"layers.{N}.attn.compressor.wkv.weight", "blk.{N}.attn_compressor_kv.weight"},
    {"layers.{N}.attn.compressor.wgate.weight", "blk.{N}.attn_compressor_gate.weight"},
    {"layers.{N}.attn.compressor.norm.weight", "blk.{N}.attn_compressor_norm.weight"},
    /* gguf-py spells the indexer's own projections with a dot, its
     * compressor's with an underscore */
    {"layers.{N}.attn.indexer.wq_b.weight", "blk.{N}.indexer.attn_q_b.weight"},
    {"layers.{N}.attn.indexer.weights_proj.weight", "blk.{N}.indexer.proj.weight"},
    {"layers.{N}.attn.indexer.compressor.ape", "blk.{N}.indexer_compressor_ape.weight"},
    {"layers.{N}.attn.indexer.compressor.wkv.weight", "blk.{N}.indexer_compressor_kv.weight"},
    {"layers.{N}.attn.indexer.compressor.wgate.weight",
     "blk.{N}.indexer_compressor_gate.weight"},
    {"layers.{N}.attn.indexer.compressor.norm.weight",
     "blk.{N}.indexer_compressor_norm.weight"},
    {"layers.{N}.ffn.gate.weight", "blk.{N}.ffn_gate_inp.weight"},
    {"layers.{N}.ffn.gate.bias", "blk.{N}.exp_probs_b.bias"},
    {"layers.{N}.ffn.shared_experts.w1.weight", "blk.{N}.ffn_gate_shexp.weight"},
    {"layers.{N}.ffn.shared_experts.w2.weight", "blk.{N}.ffn_down_shexp.weight"},
    {"layers.{N}.ffn.shared_experts.w3.weight", "blk.{N}.ffn_up_shexp.weight"},
    {"layers.{N}.hc_attn_fn", "blk.{N}.hc_attn_fn.weight"},
    {"layers.{N}.hc_ffn_fn", "blk.{N}.hc_ffn_fn.weight"},
    {"layers.{N}.hc_attn_base", "blk.{N}.hc_attn_base.weight"},
    {"layers.{N}.hc_ffn_base", "blk.{N}.hc_ffn_base.weight"},
    {"layers.{N}.hc_attn_scale", "blk.{N}.hc_attn_scale.weight"},
    {"layers.{N}.hc_ffn_scale", "blk.{N}.hc_ffn_scale.weight"},
    {NULL, NULL},
};

/* Routed expert projections in the order the reference writes them:
 * gate (w1), down (w2), up (w3). */
static const struct {
    const char *hf, *gguf;
    bool down; /* w2: rows = hidden, cols = moe_intermediate_size */
} expert_kinds[3] = {
    {"w1", "ffn_gate_exps", false},
    {"w2", "ffn_down_exps", true},
    {"w3", "ffn_up_exps", false},
};

/* --quantize: llama-quantize 0.7.0 copies the I32 tid2eid tables (observed
 * on the fixture's golden). The Q8_0 and MXFP4 tensors are copied when the
 * type rules give them their own type and refused otherwise (quant_plan.c):
 * of the file types, only MXFP4_MOE goes through. */
static const char *const quant_keep[] = {"ffn_gate_tid2eid", NULL};
const h2g_quant_rules h2g_deepseek4_quant = {.keep = quant_keep, .adjust = NULL};

/* ---------------------------------------------------------------------------
 * Hyper-parameters
 * ------------------------------------------------------------------------- */

typedef struct ds4 {
    const h2g_checkout *co;
    const h2g_convert_options *opt;
    h2g_hparams hp;
    uint32_t n_layer, n_expert, n_used, n_hash, hidden, ffe, vocab, hc;
} ds4;

static int read_hparams(ds4 *m, h2g_error *err) {
    h2g_hparams *hp = &m->hp;
    if (h2g_hparams_text(hp, m->co->config, err) != 0 ||
        h2g_hparams_u32(hp, "num_hidden_layers", &m->n_layer, err) != 0 ||
        h2g_hparams_u32(hp, "n_routed_experts", &m->n_expert, err) != 0 ||
        h2g_hparams_u32(hp, "num_experts_per_tok", &m->n_used, err) != 0 ||
        h2g_hparams_u32(hp, "num_hash_layers", &m->n_hash, err) != 0 ||
        h2g_hparams_u32(hp, "hidden_size", &m->hidden, err) != 0 ||
        h2g_hparams_u32(hp, "moe_intermediate_size", &m->ffe, err) != 0 ||
        h2g_hparams_u32(hp, "vocab_size", &m->vocab, err) != 0 ||
        h2g_hparams_u32(hp, "hc_mult", &m->hc, err) != 0)
        return -1;
    /* Per-layer and per-expert lookups follow: refuse numbers no checkout
     * of this size could hold before doing them. */
    if (m->n_layer > m->co->n_tensors || m->n_expert > m->co->n_tensors)
        return h2g_fail(err, "config.json: %u layers of %u experts cannot be held by the "
                             "checkout's %zu tensors", m->n_layer, m->n_expert,
                        m->co->n_tensors);
    if (m->n_expert == 0)
        return h2g_fail(err, "config.json: 'n_routed_experts' is 0; DeepSeek-V4 layers are "
                             "all MoE layers");
    if (m->n_hash > m->n_layer)
        return h2g_fail(err, "config.json: 'num_hash_layers' (%u) exceeds "
                             "'num_hidden_layers' (%u)", m->n_hash, m->n_layer);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Looking up tensors
 * ------------------------------------------------------------------------- */

/* The tensor called name, or NULL. */
static const h2g_st_tensor *find(const ds4 *m, const char *name) {
    long i = h2g_checkout_find(m->co, name);
    return i < 0 ? NULL : &m->co->tensors[i];
}

/* Like find, but a missing tensor is an error saying why it is needed. */
static const h2g_st_tensor *need(const ds4 *m, const char *name, const char *why,
                                 h2g_error *err) {
    const h2g_st_tensor *t = find(m, name);
    if (!t) h2g_fail(err, "tensor '%s' is missing (%s)", name, why);
    return t;
}

/* Formats t's shape as "[a, b]" for messages. */
static const char *shape_str(const h2g_st_tensor *t, char *buf, size_t size) {
    size_t used = (size_t)snprintf(buf, size, "[");
    for (uint32_t d = 0; d < t->n_dims && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%llu", d ? ", " : "",
                                 (unsigned long long)t->shape[d]);
    if (used < size) snprintf(buf + used, size - used, "]");
    return buf;
}

/* t must be 2-D [rows, cols]; what says what the dims are. */
static int check_shape(const h2g_st_tensor *t, uint64_t rows, uint64_t cols, const char *what,
                       h2g_error *err) {
    if (t->n_dims == 2 && t->shape[0] == rows && t->shape[1] == cols) return 0;
    char buf[64];
    return h2g_fail(err, "tensor '%s': shape %s, expected [%llu, %llu] (%s)", t->name,
                    shape_str(t, buf, sizeof buf), (unsigned long long)rows,
                    (unsigned long long)cols, what);
}

/* An E8M0 scale tensor: F8_E8M0, or U8 from writers that lack the dtype. */
static int check_e8m0(const h2g_st_tensor *s, h2g_error *err) {
    if (s->dtype == H2G_DT_F8_E8M0 || s->dtype == H2G_DT_U8) return 0;
    return h2g_fail(err, "tensor '%s': scales must be F8_E8M0, found %s", s->name,
                    h2g_dtype_name(s->dtype));
}

/* ---------------------------------------------------------------------------
 * The extra tensors written first: tid2eid tables, then MXFP4 experts
 * ------------------------------------------------------------------------- */

/* layers.N.ffn.gate.tid2eid (I64 [vocab, top_k]) -> blk.N.ffn_gate_tid2eid
 * (I32 {top_k, vocab}), ids checked below the expert count as written. */
static int add_tid2eid(ds4 *m, h2g_plan *p, uint32_t layer, h2g_error *err) {
    char name[96], gguf[H2G_GGUF_MAX_NAME];
    snprintf(name, sizeof name, "layers.%u.ffn.gate.tid2eid", layer);
    const h2g_st_tensor *t = need(m, name, "layers below num_hash_layers route by hash", err);
    if (!t) return -1;
    if (t->dtype != H2G_DT_I64 && t->dtype != H2G_DT_I32)
        return h2g_fail(err, "tensor '%s': dtype %s, expected I64 (or I32) expert ids", t->name,
                        h2g_dtype_name(t->dtype));
    if (check_shape(t, m->vocab, m->n_used, "vocab_size x num_experts_per_tok", err) != 0)
        return -1;
    h2g_source src = {.tensor = t};
    uint64_t ne[2] = {m->n_used, m->vocab};
    snprintf(gguf, sizeof gguf, "blk.%u.ffn_gate_tid2eid.weight", layer);
    long i = h2g_plan_add(p, gguf, H2G_GGML_I32, 2, ne, H2G_XF_IDS, &src, 1, err);
    if (i < 0) return -1;
    p->tensors[i].id_limit = m->n_expert;
    return 0;
}

/* One expert's FP4 weight and its E8M0 scale, checked against the logical
 * [rows, cols]: two codes a byte, one scale per 32 values. */
static int expert_source(const ds4 *m, uint32_t layer, uint32_t x, int kind, h2g_source *src,
                         h2g_error *err) {
    uint64_t rows = expert_kinds[kind].down ? m->hidden : m->ffe;
    uint64_t cols = expert_kinds[kind].down ? m->ffe : m->hidden;
    char name[128], scale[128];
    snprintf(name, sizeof name, "layers.%u.ffn.experts.%u.%s.weight", layer, x,
             expert_kinds[kind].hf);
    snprintf(scale, sizeof scale, "layers.%u.ffn.experts.%u.%s.scale", layer, x,
             expert_kinds[kind].hf);
    const h2g_st_tensor *w = need(m, name, "every layer has n_routed_experts experts", err);
    const h2g_st_tensor *s = w ? need(m, scale, "FP4 experts carry a scale per 32 values", err)
                               : NULL;
    if (!s) return -1;
    if (w->dtype != H2G_DT_I8 && w->dtype != H2G_DT_U8)
        return h2g_fail(err, "tensor '%s': dtype %s, expected I8 (FP4 e2m1 codes, two a byte)",
                        w->name, h2g_dtype_name(w->dtype));
    if (cols % FP4_GROUP != 0)
        return h2g_fail(err, "tensor '%s': logical width %llu is not a multiple of 32 (MXFP4 "
                             "blocks)", w->name, (unsigned long long)cols);
    if (w->n_dims == 2 && w->shape[1] != cols / 2)
        return h2g_fail(err, "tensor '%s': packed width %llu is not half its logical width "
                             "%llu (FP4: two values a byte; expected %llu)", w->name,
                        (unsigned long long)w->shape[1], (unsigned long long)cols,
                        (unsigned long long)(cols / 2));
    if (check_shape(w, rows, cols / 2, expert_kinds[kind].down
                        ? "hidden_size x moe_intermediate_size/2, FP4 packed"
                        : "moe_intermediate_size x hidden_size/2, FP4 packed", err) != 0 ||
        check_e8m0(s, err) != 0 ||
        check_shape(s, rows, cols / FP4_GROUP, "one E8M0 scale per 32 values of a row",
                    err) != 0)
        return -1;
    *src = (h2g_source){.tensor = w, .scale = s, .block_rows = 1, .block_cols = FP4_GROUP};
    return 0;
}

/* The layer's three stacked MXFP4 tensors: gate, down, up. */
static int add_experts(ds4 *m, h2g_plan *p, uint32_t layer, h2g_error *err) {
    h2g_source *src = calloc(m->n_expert, sizeof *src);
    if (!src)
        return h2g_fail(err, "layer %u: out of memory for the sources of its %u experts", layer,
                        m->n_expert);
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        for (uint32_t x = 0; x < m->n_expert && rc == 0; x++)
            rc = expert_source(m, layer, x, k, &src[x], err);
        if (rc != 0) break;
        bool down = expert_kinds[k].down;
        uint64_t ne[3] = {down ? m->ffe : m->hidden, down ? m->hidden : m->ffe, m->n_expert};
        char gguf[H2G_GGUF_MAX_NAME];
        snprintf(gguf, sizeof gguf, "blk.%u.%s.weight", layer, expert_kinds[k].gguf);
        if (h2g_plan_add(p, gguf, H2G_GGML_MXFP4, 3, ne, H2G_XF_MXFP4, src, m->n_expert, err) <
            0)
            rc = -1;
    }
    free(src);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Everything else, in processing order
 * ------------------------------------------------------------------------- */

/* Recognises "layers.N.ffn.experts.X.wK.<weight|scale>"; K in 1..3. */
static bool parse_expert(const char *name, long *layer, long *x) {
    char kind[8], tail[8];
    int used = 0;
    return sscanf(name, "layers.%ld.ffn.experts.%ld.%7[w0-9].%7[a-z]%n", layer, x, kind, tail,
                  &used) == 4 &&
           name[used] == '\0' && (!strcmp(kind, "w1") || !strcmp(kind, "w2") ||
                                  !strcmp(kind, "w3")) &&
           (!strcmp(tail, "weight") || !strcmp(tail, "scale"));
}

/* True for a tensor planned elsewhere or dropped; errors for expert and
 * hash-table names outside the config's counts. */
static int skipped(const ds4 *m, const h2g_st_tensor *t, bool *skip, h2g_error *err) {
    const char *name = t->name;
    long layer = h2g_layer_of(name), x;
    *skip = true;
    if (h2g_str_starts_with(name, "mtp.")) return 0; /* the MTP block: not converted */
    if (parse_expert(name, &layer, &x)) {
        if (layer < 0 || layer >= (long)m->n_layer || x < 0 || x >= (long)m->n_expert)
            return h2g_fail(err, "tensor '%s': layer %ld, expert %ld is outside "
                                 "num_hidden_layers (%u) x n_routed_experts (%u)", name, layer,
                            x, m->n_layer, m->n_expert);
        return 0;
    }
    if (h2g_str_starts_with(name, "layers.") && h2g_str_ends_with(name, ".ffn.gate.tid2eid")) {
        if (layer < (long)m->n_hash) return 0;
        return h2g_fail(err, "tensor '%s': a hash-routing table in layer %ld, but "
                             "num_hash_layers is %u", name, layer, m->n_hash);
    }
    /* Hash layers route by table; a gating bias there is unused (the
     * reference drops it). */
    if (h2g_str_ends_with(name, ".ffn.gate.bias") && layer >= 0 && layer < (long)m->n_hash)
        return 0;
    if (h2g_str_ends_with(name, ".scale")) { /* consumed with its weight */
        char weight[512];
        snprintf(weight, sizeof weight, "%.*s.weight", (int)(strlen(name) - 6), name);
        if (find(m, weight)) return 0;
        return h2g_fail(err, "tensor '%s' is a scale without its weight '%s'", name, weight);
    }
    if (layer >= (long)m->n_layer)
        return h2g_fail(err, "tensor '%s': layer %ld is outside num_hidden_layers (%u)", name,
                        layer, m->n_layer);
    *skip = false;
    return 0;
}

/* An FP8 weight's companion "<base>.scale": E8M0, one per 128x128 block. */
static int attach_fp8_scale(const ds4 *m, const h2g_st_tensor *w, h2g_source *src,
                            h2g_error *err) {
    char name[512];
    snprintf(name, sizeof name, "%.*s.scale", (int)(strlen(w->name) - 7), w->name);
    const h2g_st_tensor *s = find(m, name);
    if (!s)
        return h2g_fail(err, "tensor '%s' is F8_E4M3 but its scale tensor '%s' is missing",
                        w->name, name);
    if (w->n_dims != 2)
        return h2g_fail(err, "tensor '%s': FP8 weights must be 2-D, this one has %u dims",
                        w->name, w->n_dims);
    uint64_t rows = (w->shape[0] + FP8_BLOCK - 1) / FP8_BLOCK;
    uint64_t cols = (w->shape[1] + FP8_BLOCK - 1) / FP8_BLOCK;
    if (check_e8m0(s, err) != 0 ||
        check_shape(s, rows, cols, "one E8M0 scale per 128x128 block of the weight", err) != 0)
        return -1;
    src->scale = s;
    src->block_rows = src->block_cols = FP8_BLOCK;
    return 0;
}

/* The reference's V4 type rule (conversion-reference-v4.md section 5):
 * FP8 sources -> Q8_0, F32 sources -> F32, BF16 -> BF16, F16 -> the
 * outtype; 1-D and *_norm.weight -> F32; Q8_0 on ragged rows -> F16. */
static uint32_t pick_type(const h2g_st_tensor *t, const char *gguf, uint32_t n_dims,
                          uint64_t ne0, h2g_outtype ot) {
    if (n_dims <= 1 || h2g_str_ends_with(gguf, "_norm.weight")) return H2G_GGML_F32;
    switch (t->dtype) {
    case H2G_DT_F8_E4M3: return ne0 % 32 ? H2G_GGML_F16 : H2G_GGML_Q8_0;
    case H2G_DT_F32: return H2G_GGML_F32;
    case H2G_DT_BF16: return H2G_GGML_BF16;
    default: return h2g_pick_type(gguf, n_dims, ne0, ot, -1);
    }
}

/* Plans one ordinary tensor: renamed, typed, FP8 ones with their scales. */
static int add_tensor(ds4 *m, h2g_plan *p, const h2g_st_tensor *t, h2g_outtype ot,
                      h2g_error *err) {
    char gguf[H2G_GGUF_MAX_NAME];
    if (!h2g_map_name(tensor_names, t->name, "", gguf, sizeof gguf))
        return h2g_fail(err, "tensor '%s' has no GGUF name for architecture " ARCH, t->name);
    if (t->n_dims == 0 || t->n_dims > H2G_GGUF_MAX_DIMS)
        return h2g_fail(err, "tensor '%s' has %u dimensions; expected 1 to 4", t->name,
                        t->n_dims);
    h2g_source src = {.tensor = t};
    if (t->dtype == H2G_DT_F8_E4M3) {
        if (attach_fp8_scale(m, t, &src, err) != 0) return -1;
    } else if (t->dtype != H2G_DT_BF16 && t->dtype != H2G_DT_F32 && t->dtype != H2G_DT_F16) {
        return h2g_fail(err, "tensor '%s' has dtype %s; expected BF16, F32 or F8_E4M3 with a "
                             ".scale", t->name, h2g_dtype_name(t->dtype));
    }
    uint64_t ne[H2G_GGUF_MAX_DIMS];
    uint32_t n_dims = h2g_ne_from_shape(t, ne);
    uint32_t type = pick_type(t, gguf, n_dims, ne[0], ot);
    return h2g_plan_add(p, gguf, type, n_dims, ne, H2G_XF_CONVERT, &src, 1, err) < 0 ? -1 : 0;
}

static int plan_tensors(ds4 *m, h2g_plan *p, h2g_error *err) {
    for (uint32_t l = 0; l < m->n_hash; l++)
        if (add_tid2eid(m, p, l, err) != 0) return -1;
    for (uint32_t l = 0; l < m->n_layer; l++)
        if (add_experts(m, p, l, err) != 0) return -1;
    /* F16 sources (none in real V4) follow --outtype; auto resolves as
     * usual, from the checkout's first 2-D BF16/F16 tensor. */
    h2g_outtype ot = m->opt->outtype;
    if (ot == H2G_OUT_AUTO) {
        ot = H2G_OUT_F16;
        for (size_t i = 0; i < m->co->n_tensors; i++) {
            const h2g_st_tensor *t = &m->co->tensors[i];
            if (t->n_dims >= 2 && (t->dtype == H2G_DT_BF16 || t->dtype == H2G_DT_F16)) {
                ot = t->dtype == H2G_DT_BF16 ? H2G_OUT_BF16 : H2G_OUT_F16;
                break;
            }
        }
    }
    p->outtype = ot;
    for (size_t i = 0; i < m->co->n_tensors; i++) {
        const h2g_st_tensor *t = &m->co->tensors[i];
        bool skip;
        if (skipped(m, t, &skip, err) != 0) return -1;
        if (!skip && add_tensor(m, p, t, ot, err) != 0) return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * KV pairs (conversion-reference-v4.md section 4)
 * ------------------------------------------------------------------------- */

static int set_u32(h2g_plan *p, const char *key, uint32_t v, h2g_error *err) {
    char full[128];
    snprintf(full, sizeof full, ARCH ".%s", key);
    return h2g_kv_set_u32(&p->kv, full, v, err);
}

static int set_f32(h2g_plan *p, const char *key, double v, h2g_error *err) {
    char full[128];
    snprintf(full, sizeof full, ARCH ".%s", key);
    return h2g_kv_set_f32(&p->kv, full, (float)v, err);
}

/* A required config number copied to a UINT32 / FLOAT32 key. */
static int copy_u32(ds4 *m, h2g_plan *p, const char *key, const char *cfg, h2g_error *err) {
    uint32_t v;
    return h2g_hparams_u32(&m->hp, cfg, &v, err) != 0 ? -1 : set_u32(p, key, v, err);
}

static int copy_f32(ds4 *m, h2g_plan *p, const char *key, const char *cfg, h2g_error *err) {
    double v;
    bool has;
    if (h2g_hparams_f64_opt(&m->hp, cfg, &v, &has, err) != 0) return -1;
    if (!has) return h2g_fail(err, "config.json: required key '%s' is missing", cfg);
    return set_f32(p, key, v, err);
}

/* rope_scaling: the generic writer's keys (yarn, linear, longrope). */
static int add_rope_scaling(ds4 *m, h2g_plan *p, h2g_error *err) {
    return h2g_add_rope_scaling(h2g_hparams_item(&m->hp, "rope_scaling"), ARCH, &p->kv, err);
}

/* Keys 5-20: what the generic writer derives (block count to head sizes). */
static int add_base_params(ds4 *m, h2g_plan *p, h2g_error *err) {
    uint32_t v;
    bool has;
    const char *scoring;
    if (set_u32(p, "block_count", m->n_layer, err) != 0 ||
        copy_u32(m, p, "context_length", "max_position_embeddings", err) != 0 ||
        set_u32(p, "embedding_length", m->hidden, err) != 0 ||
        h2g_hparams_u32_opt(&m->hp, "intermediate_size", &v, &has, err) != 0 ||
        (has && set_u32(p, "feed_forward_length", v, err) != 0) ||
        copy_u32(m, p, "attention.head_count", "num_attention_heads", err) != 0 ||
        copy_u32(m, p, "attention.head_count_kv", "num_key_value_heads", err) != 0 ||
        add_rope_scaling(m, p, err) != 0 ||
        copy_f32(m, p, "rope.freq_base", "rope_theta", err) != 0 ||
        copy_f32(m, p, "attention.layer_norm_rms_epsilon", "rms_norm_eps", err) != 0 ||
        set_u32(p, "expert_count", m->n_expert, err) != 0 ||
        set_u32(p, "expert_used_count", m->n_used, err) != 0 ||
        h2g_hparams_str_opt(&m->hp, "scoring_func", &scoring, &has, err) != 0)
        return -1;
    if (has) {
        uint32_t func = !strcmp(scoring, "softmax") ? 1 : !strcmp(scoring, "sigmoid") ? 2
                      : !strcmp(scoring, "sqrtsoftplus") ? 4 : 0;
        if (func == 0)
            return h2g_fail(err, "config.json: 'scoring_func' is '%s'; expected sqrtsoftplus, "
                                 "sigmoid or softmax", scoring);
        if (set_u32(p, "expert_gating_func", func, err) != 0) return -1;
    }
    return copy_u32(m, p, "attention.key_length", "head_dim", err) ||
           copy_u32(m, p, "attention.value_length", "head_dim", err);
}

/* swiglu_limit repeated once per layer, for routed and shared experts. */
static int add_swiglu(ds4 *m, h2g_plan *p, h2g_error *err) {
    double limit;
    bool has;
    if (h2g_hparams_f64_opt(&m->hp, "swiglu_limit", &limit, &has, err) != 0) return -1;
    if (!has) return h2g_fail(err, "config.json: required key 'swiglu_limit' is missing");
    float *arr = malloc((m->n_layer ? m->n_layer : 1) * sizeof *arr);
    if (!arr)
        return h2g_fail(err, "out of memory for the %u layers' swiglu_limit array", m->n_layer);
    for (uint32_t i = 0; i < m->n_layer; i++) arr[i] = (float)limit;
    int rc = h2g_kv_set_array(&p->kv, ARCH ".swiglu_clamp_exp", H2G_VT_FLOAT32, arr, m->n_layer,
                              err) ||
             h2g_kv_set_array(&p->kv, ARCH ".swiglu_clamp_shexp", H2G_VT_FLOAT32, arr,
                              m->n_layer, err);
    free(arr);
    return rc ? -1 : 0;
}

/* compress_ratios copied whole (num_hidden_layers + 1 entries: the last is
 * the MTP block's) as INT32. */
static int add_compress_ratios(ds4 *m, h2g_plan *p, h2g_error *err) {
    const cJSON *r = h2g_hparams_item(&m->hp, "compress_ratios");
    if (!cJSON_IsArray(r))
        return h2g_fail(err, "config.json: 'compress_ratios' must be a list of whole numbers");
    int n = cJSON_GetArraySize(r);
    int32_t *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v) return h2g_fail(err, "config.json: out of memory for the %d compress_ratios", n);
    int i = 0;
    for (const cJSON *it = r->child; it; it = it->next, i++) {
        if (!cJSON_IsNumber(it) || it->valuedouble != (double)(int32_t)it->valuedouble) {
            free(v);
            return h2g_fail(err, "config.json: 'compress_ratios' entry %d is not a whole "
                                 "number", i);
        }
        v[i] = (int32_t)it->valuedouble;
    }
    int rc = h2g_kv_set_array(&p->kv, ARCH ".attention.compress_ratios", H2G_VT_INT32, v,
                              (uint64_t)n, err);
    free(v);
    return rc;
}

/* Keys 22-41 and embedding_length_out: V4's own parameters. */
static int add_v4_params(ds4 *m, h2g_plan *p, h2g_error *err) {
    bool norm, has;
    if (copy_u32(m, p, "rope.dimension_count", "qk_rope_head_dim", err) != 0 ||
        copy_u32(m, p, "attention.q_lora_rank", "q_lora_rank", err) != 0 ||
        copy_u32(m, p, "attention.sliding_window", "sliding_window", err) != 0 ||
        set_u32(p, "expert_feed_forward_length", m->ffe, err) != 0 ||
        copy_u32(m, p, "expert_shared_count", "n_shared_experts", err) != 0 ||
        copy_f32(m, p, "expert_weights_scale", "routed_scaling_factor", err) != 0 ||
        h2g_hparams_bool_opt(&m->hp, "norm_topk_prob", &norm, &has, err) != 0)
        return -1;
    if (!has) return h2g_fail(err, "config.json: required key 'norm_topk_prob' is missing");
    if (h2g_kv_set_bool(&p->kv, ARCH ".expert_weights_norm", norm, err) != 0 || /* even false */
        add_swiglu(m, p, err) != 0 ||
        copy_u32(m, p, "attention.indexer.head_count", "index_n_heads", err) != 0 ||
        copy_u32(m, p, "attention.indexer.key_length", "index_head_dim", err) != 0 ||
        copy_u32(m, p, "attention.indexer.top_k", "index_topk", err) != 0 ||
        copy_u32(m, p, "attention.output_group_count", "o_groups", err) != 0 ||
        copy_u32(m, p, "attention.output_lora_rank", "o_lora_rank", err) != 0 ||
        add_compress_ratios(m, p, err) != 0 ||
        copy_f32(m, p, "attention.compress_rope_freq_base", "compress_rope_theta", err) != 0 ||
        set_u32(p, "hyper_connection.count", m->hc, err) != 0 ||
        copy_u32(m, p, "hyper_connection.sinkhorn_iterations", "hc_sinkhorn_iters", err) != 0 ||
        copy_f32(m, p, "hyper_connection.epsilon", "hc_eps", err) != 0 ||
        set_u32(p, "hash_layer_count", m->n_hash, err) != 0 ||
        /* llama.cpp 0.7.0 adds the hyper-connected width */
        set_u32(p, "embedding_length_out", m->hidden * m->hc, err) != 0)
        return -1;
    return 0;
}

/* MXFP4_MOE, which the reference sets once it has prepared the tensors; a
 * --vocab-only run prepares none, so its file keeps the outtype's type
 * (auto: bf16 for V4's sources), as the reference 0.7.0 writes it. */
static uint32_t file_type(const ds4 *m, const h2g_plan *p) {
    return m->opt->vocab_only ? h2g_outtype_file_type(p->outtype) : FILE_TYPE_MXFP4_MOE;
}

/* All keys, in the reference's order. */
static int add_kv(ds4 *m, h2g_plan *p, h2g_error *err) {
    h2g_general g = {0};
    int rc = -1;
    if (h2g_kv_set_str(&p->kv, "general.architecture", ARCH, err) != 0 ||
        h2g_kv_set_str(&p->kv, "general.type", "model", err) != 0 ||
        h2g_general_derive(&g, m->co, m->opt->vocab_only ? NULL : p, err) != 0 ||
        h2g_general_add_kv(&p->kv, &g, m->co, err) != 0 || add_base_params(m, p, err) != 0 ||
        h2g_kv_set_u32(&p->kv, "general.file_type", file_type(m, p), err) != 0 ||
        add_v4_params(m, p, err) != 0 ||
        h2g_kv_set_u32(&p->kv, "general.quantization_version", 2, err) != 0 ||
        h2g_vocab_add_kv(&p->kv, m->co, m->vocab, m->opt->tokenizer_pre, err) != 0)
        goto done;
    rc = 0;
done:
    h2g_general_free(&g);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

int h2g_deepseek4_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *out,
                       h2g_error *err) {
    ds4 m = {.co = co, .opt = o};
    memset(out, 0, sizeof *out);
    out->role = "model";
    /* whatever --outtype says, for a file with tensors (see file_type) */
    out->type_label = o->vocab_only ? NULL : "MXFP4_MOE";
    int rc = read_hparams(&m, err);
    if (rc == 0) rc = plan_tensors(&m, out, err);
    if (rc == 0 && o->vocab_only) { /* the keys of a full conversion, no tensors */
        for (size_t i = 0; i < out->n_tensors; i++) free(out->tensors[i].src);
        out->n_tensors = 0;
    }
    if (rc == 0) rc = add_kv(&m, out, err);
    h2g_hparams_free(&m.hp);
    if (rc != 0) h2g_plan_free(out);
    return rc;
}
