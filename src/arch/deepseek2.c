/*
 * deepseek2.c - DeepSeek-V2/V3 (arch deepseek2) and the text model of
 * DeepSeek-OCR / OCR-2 (arch deepseek2-ocr).
 *
 * Facts: conversion-reference.md sections 3 and 4. In short: tensors are
 * renamed by the tables below; the experts of each layer are stacked into
 * 3-D *_exps tensors; MLA's kv_b_proj is split into attn_k_b (transposed per
 * head) and attn_v_b; MTP layers, a tied lm_head and FP8 scale companions
 * are dropped. Output order is processing order (shards sorted, names
 * sorted within a shard), with merged experts at the position of the
 * layer's last expert tensor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "arch/deepseek2.h"
#include "arch/ollama.h"
#include "hf2gguf/general.h"
#include "hf2gguf/vocab.h"
#include "plan/quant_rules.h"
#include "source/hparams.h"
#include "base/util.h"

/* ---------------------------------------------------------------------------
 * Name tables
 * ------------------------------------------------------------------------- */

/* HF module path -> GGUF name (suffix .weight/.bias carried over). */
static const h2g_name_rule tensor_names[] = {
    {"model.embed_tokens", "token_embd"},
    {"model.norm", "output_norm"},
    {"lm_head", "output"},
    {"model.layers.{N}.input_layernorm", "blk.{N}.attn_norm"},
    {"model.layers.{N}.post_attention_layernorm", "blk.{N}.ffn_norm"},
    {"model.layers.{N}.self_attn.q_proj", "blk.{N}.attn_q"},
    {"model.layers.{N}.self_attn.k_proj", "blk.{N}.attn_k"}, /* OCR: plain attention */
    {"model.layers.{N}.self_attn.v_proj", "blk.{N}.attn_v"},
    {"model.layers.{N}.self_attn.q_a_proj", "blk.{N}.attn_q_a"},
    {"model.layers.{N}.self_attn.q_a_layernorm", "blk.{N}.attn_q_a_norm"},
    {"model.layers.{N}.self_attn.q_b_proj", "blk.{N}.attn_q_b"},
    {"model.layers.{N}.self_attn.kv_a_proj_with_mqa", "blk.{N}.attn_kv_a_mqa"},
    {"model.layers.{N}.self_attn.kv_a_layernorm", "blk.{N}.attn_kv_a_norm"},
    {"model.layers.{N}.self_attn.o_proj", "blk.{N}.attn_output"},
    {"model.layers.{N}.mlp.gate_proj", "blk.{N}.ffn_gate"},
    {"model.layers.{N}.mlp.up_proj", "blk.{N}.ffn_up"},
    {"model.layers.{N}.mlp.down_proj", "blk.{N}.ffn_down"},
    {"model.layers.{N}.mlp.gate", "blk.{N}.ffn_gate_inp"},
    {"model.layers.{N}.mlp.gate.e_score_correction", "blk.{N}.exp_probs_b"},
    {"model.layers.{N}.mlp.shared_experts.gate_proj", "blk.{N}.ffn_gate_shexp"},
    {"model.layers.{N}.mlp.shared_experts.up_proj", "blk.{N}.ffn_up_shexp"},
    {"model.layers.{N}.mlp.shared_experts.down_proj", "blk.{N}.ffn_down_shexp"},
    {NULL, NULL},
};

/* llama-quantize (--quantize): its generic rules, category by name substring,
 * apply to deepseek2 and deepseek2-ocr as they are. Worth knowing when
 * reading them (quantization-reference.md §2.3, §2.8): attn_q_a, attn_q_b,
 * attn_kv_a_mqa, attn_k_b and attn_v_b match none of the Q/K/V names, so
 * they take the default type; the OCR text model's attn_v is V-like; the
 * ffn_down* layer rules read the layer from the name (n_expert > 1); the 3-D
 * attn_k_b/attn_v_b count as "MoE" for MXFP4_MOE. Nothing to add. */
const h2g_quant_rules h2g_deepseek2_quant = {.keep = NULL, .adjust = NULL};

/* Expert projections, in the order the reference emits the merged tensors. */
enum { EXP_DOWN, EXP_GATE, EXP_UP, EXP_KINDS };
static const char *const expert_hf[EXP_KINDS] = {"down_proj", "gate_proj", "up_proj"};
static const char *const expert_gguf[EXP_KINDS] = {"ffn_down_exps", "ffn_gate_exps",
                                                   "ffn_up_exps"};

/* Name filter (reference 3.5.1): vision and other multimodal parts that a
 * text model drops. */
static const char *const drop_prefixes[] = {
    "mlp", "vit.", "vpm.", "siglip2.", "conformer.", "merger.", "resampler.",
    "sound_encoder.", "sound_projection.", "speech_embeddings.", NULL,
};
static const char *const drop_substrings[] = {
    "sam_model", "qwen2_model", "visual.", "vision.", "audio.", "talker.", "vision_",
    "audio_", "token2wav.", "code2wav.", "projector.", "pre_mm_projector_norm",
    "image_newline", "view_seperator", "patch_embed", "patch_embedding", "patch_merger.",
    "model.connector.", NULL,
};
/* Skipped while writing (buffers, not weights). */
static const char *const skip_suffixes[] = {
    ".attention.masked_bias", ".attention.bias", ".rotary_emb.inv_freq", NULL,
};

/* ---------------------------------------------------------------------------
 * Hyper-parameters
 * ------------------------------------------------------------------------- */

typedef struct ds2 {
    const h2g_checkout *co;
    const h2g_convert_options *opt;
    const h2g_ds2_variant *v;
    const char *arch; /* GGUF architecture name, the KV prefix */
    h2g_hparams hp;
    h2g_quant quant;
    uint32_t n_layer; /* blocks: num_hidden_layers, plus the MTP layers when kept */
    uint32_t n_nextn; /* num_nextn_predict_layers when MTP layers are kept, else 0 */
    uint32_t n_head, n_head_kv; /* n_head_kv: config's, for kv_b */
    uint32_t kv_lora, nope, rope, v_dim;
    uint32_t n_expert; /* 0: no routed experts */
    bool tied;
} ds2;

static int read_hparams(ds2 *m, h2g_error *err) {
    h2g_hparams *hp = &m->hp;
    bool has;
    if (h2g_hparams_text(hp, m->co->config, err) != 0) return -1;
    if (h2g_hparams_u32(hp, "num_hidden_layers", &m->n_layer, err) != 0 ||
        h2g_hparams_u32(hp, "num_attention_heads", &m->n_head, err) != 0)
        return -1;
    m->n_head_kv = m->n_head;
    if (h2g_hparams_u32_opt(hp, "num_key_value_heads", &m->n_head_kv, &has, err) != 0) return -1;
    if (m->v->keep_mtp) {
        if (h2g_hparams_u32_opt(hp, "num_nextn_predict_layers", &m->n_nextn, &has, err) != 0)
            return -1;
        if (m->n_nextn > m->co->n_tensors)
            return h2g_fail(err, "config.json: 'num_nextn_predict_layers' is %u, more layers "
                                 "than the checkout's %zu tensors can hold",
                            m->n_nextn, m->co->n_tensors);
        m->n_layer += m->n_nextn;
    }
    m->kv_lora = 512;
    if (h2g_hparams_u32_opt(hp, "kv_lora_rank", &m->kv_lora, &has, err) != 0) return -1;
    if (h2g_hparams_u32_opt(hp, "qk_nope_head_dim", &m->nope, &has, err) != 0 ||
        h2g_hparams_u32_opt(hp, "v_head_dim", &m->v_dim, &has, err) != 0 ||
        h2g_hparams_u32_opt(hp, "qk_rope_head_dim", &m->rope, &has, err) != 0 ||
        /* MLA's rope part is needed; plain attention (deepseek) has none */
        (!has && !m->v->plain_attention &&
         h2g_hparams_u32(hp, "qk_rope_head_dim", &m->rope, err) != 0) ||
        h2g_hparams_u32_opt(hp, "n_routed_experts", &m->n_expert, &has, err) != 0)
        return -1;
    bool tied = false;
    if (h2g_hparams_bool_opt(hp, "tie_word_embeddings", &tied, &has, err) != 0) return -1;
    m->tied = tied;
    /* Memory is set aside per layer and per expert: numbers no checkout of
     * this size could hold are refused before anything is allocated. */
    if (m->n_layer > m->co->n_tensors)
        return h2g_fail(err, "config.json: 'num_hidden_layers' is %u, more layers than the "
                             "checkout's %zu tensors can hold", m->n_layer, m->co->n_tensors);
    if (m->n_expert > m->co->n_tensors)
        return h2g_fail(err, "config.json: 'n_routed_experts' is %u, more experts than the "
                             "checkout's %zu tensors can hold", m->n_expert, m->co->n_tensors);
    if (h2g_quant_read(m->co->config, &m->quant, err) != 0) return -1;
    return h2g_quant_check_sidecar(m->co, err);
}

/* ---------------------------------------------------------------------------
 * Naming one tensor
 * ------------------------------------------------------------------------- */

/* Applies the reference's text-model filter and renames. Writes the renamed
 * HF name into out; returns false when the tensor is dropped. */
static bool filter_name(const ds2 *m, const char *name, char *out, size_t out_size) {
    for (int i = 0; drop_prefixes[i]; i++)
        if (h2g_str_starts_with(name, drop_prefixes[i])) return false;
    for (int i = 0; drop_substrings[i]; i++)
        if (strstr(name, drop_substrings[i])) return false;
    for (int i = 0; skip_suffixes[i]; i++)
        if (h2g_str_ends_with(name, skip_suffixes[i])) return false;
    if (h2g_is_scale_companion(name) || h2g_is_packed_companion(m->co, name)) return false;

    /* "language_model." is removed wherever it occurs; the V3 gating bias is
     * a bare parameter that the reference turns into a ".bias". */
    size_t o = 0;
    for (const char *p = name; *p && o + 1 < out_size;) {
        if (strncmp(p, "language_model.", 15) == 0) {
            p += 15;
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
    if (h2g_str_ends_with(out, "e_score_correction_bias"))
        out[strlen(out) - 5] = '.'; /* ..._bias -> ....bias */
    if (h2g_is_packed_weight(out)) out[strlen(out) - 7] = '\0'; /* X.weight_packed -> X.weight */

    bool head = !strcmp(out, "lm_head.weight") || !strcmp(out, "model.lm_head.weight");
    if (m->tied && !m->v->keep_tied_head && head) return false;
    /* MTP (next-token prediction) layers come after the counted layers;
     * when kept they are counted (n_layer includes them). */
    if (h2g_str_starts_with(out, "model.layers.") && h2g_layer_of(out) >= (long)m->n_layer)
        return false;
    return true;
}

/* ---------------------------------------------------------------------------
 * Expert merging
 * ------------------------------------------------------------------------- */

/* The expert tensors of one layer collected so far (by kind and index). */
typedef struct expert_layer {
    const h2g_st_tensor **t[EXP_KINDS];
    uint32_t seen;
} expert_layer;

typedef struct experts {
    expert_layer *layers; /* n_layer of them */
    uint32_t n_layer, n_expert;
} experts;

static void experts_free(experts *e) {
    for (uint32_t l = 0; e->layers && l < e->n_layer; l++)
        for (int k = 0; k < EXP_KINDS; k++) free(e->layers[l].t[k]);
    free(e->layers);
}

/* Recognises "model.layers.N.mlp.experts.X.<kind>.weight". */
static bool parse_expert(const char *name, long *layer, long *index, int *kind) {
    char tail[64];
    int consumed = 0;
    if (sscanf(name, "model.layers.%ld.mlp.experts.%ld.%63[a-z_].weight%n", layer, index, tail,
               &consumed) != 3 ||
        name[consumed] != '\0')
        return false;
    for (int k = 0; k < EXP_KINDS; k++) {
        if (!strcmp(tail, expert_hf[k])) {
            *kind = k;
            return true;
        }
    }
    return false;
}

/* Emits the three merged tensors of a complete layer: down, gate, up. */
static int emit_experts(ds2 *m, h2g_plan *p, long layer, expert_layer *el, h2g_error *err) {
    for (int k = 0; k < EXP_KINDS; k++) {
        const h2g_st_tensor *first = el->t[k][0];
        h2g_source *src = calloc(m->n_expert, sizeof *src);
        if (!src)
            return h2g_fail(err, "out of memory for the %u sources of tensor 'blk.%ld.%s.weight'",
                            m->n_expert, layer, expert_gguf[k]);
        uint64_t ne[3] = {0, 0, m->n_expert}, ne_x[H2G_GGUF_MAX_DIMS];
        for (uint32_t x = 0; x < m->n_expert; x++) {
            const h2g_st_tensor *t = el->t[k][x];
            if (h2g_source_make(m->co, &m->quant, t, &src[x], err) != 0) {
                free(src);
                return -1;
            }
            /* Packed sources count in their logical shape. */
            uint32_t dims = h2g_source_ne(&src[x], ne_x);
            if (x == 0) ne[0] = ne_x[0], ne[1] = ne_x[1];
            if (dims != 2 || ne_x[0] != ne[0] || ne_x[1] != ne[1]) {
                free(src);
                return h2g_fail(err, "tensor '%s': shape differs from '%s'; experts of a "
                                     "layer must all have the same 2-D shape",
                                t->name, first->name);
            }
        }
        char name[H2G_GGUF_MAX_NAME];
        snprintf(name, sizeof name, "blk.%ld.%s.weight", layer, expert_gguf[k]);
        long i = h2g_plan_add(p, name, 0, 3, ne, H2G_XF_STACK, src, m->n_expert, err);
        free(src);
        if (i < 0) return -1;
    }
    return 0;
}

/* Files one expert tensor; emits the layer's merged tensors when complete. */
static int add_expert(ds2 *m, experts *e, h2g_plan *p, const h2g_st_tensor *t, long layer,
                      long index, int kind, h2g_error *err) {
    if (layer < 0 || layer >= (long)m->n_layer)
        return h2g_fail(err, "tensor '%s': layer %ld is outside the %u layers of config.json",
                        t->name, layer, m->n_layer);
    if (m->n_expert == 0 || index < 0 || index >= (long)m->n_expert)
        return h2g_fail(err, "tensor '%s': expert %ld is outside n_routed_experts (%u) of "
                             "config.json", t->name, index, m->n_expert);
    expert_layer *el = &e->layers[layer];
    if (!el->t[kind]) {
        for (int k = 0; k < EXP_KINDS; k++) {
            el->t[k] = calloc(m->n_expert, sizeof *el->t[k]);
            if (!el->t[k])
                return h2g_fail(err, "tensor '%s': out of memory for the table of layer %ld's %u "
                                     "experts", t->name, layer, m->n_expert);
        }
    }
    if (el->t[kind][index])
        return h2g_fail(err, "tensor '%s' appears twice", t->name);
    el->t[kind][index] = t;
    if (++el->seen < EXP_KINDS * m->n_expert) return 0;
    return emit_experts(m, p, layer, el, err);
}

/* The first expert tensor a started layer lacks (kind, then index). */
static void first_missing(const expert_layer *el, uint32_t n_expert, int *kind, uint32_t *x) {
    for (*kind = 0; *kind < EXP_KINDS; (*kind)++)
        for (*x = 0; *x < n_expert; (*x)++)
            if (!el->t[*kind][*x]) return;
    *kind = 0;
    *x = 0;
}

/* Reports a layer whose experts never completed. */
static int check_experts_complete(const ds2 *m, const experts *e, h2g_error *err) {
    for (uint32_t l = 0; l < e->n_layer; l++) {
        const expert_layer *el = &e->layers[l];
        if (el->seen == 0 || el->seen == EXP_KINDS * m->n_expert) continue;
        int kind;
        uint32_t x;
        first_missing(el, m->n_expert, &kind, &x);
        return h2g_fail(err, "layer %u: found %u of the %u expert tensors (3 x "
                             "n_routed_experts); the checkout is incomplete: "
                             "'model.layers.%u.mlp.experts.%u.%s.weight' is missing",
                        l, el->seen, EXP_KINDS * m->n_expert, l, x, expert_hf[kind]);
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------- */

/* MLA: kv_b_proj [nkv*(nope+v), kv_lora] becomes attn_k_b {nope, kv_lora, nkv}
 * (each head transposed) and attn_v_b {kv_lora, v, nkv}. */
static int add_kv_b(ds2 *m, h2g_plan *p, const h2g_st_tensor *t, long layer, h2g_error *err) {
    uint64_t rows = (uint64_t)m->n_head_kv * (m->nope + m->v_dim), ne[H2G_GGUF_MAX_DIMS];
    h2g_source src;
    if (h2g_source_make(m->co, &m->quant, t, &src, err) != 0) return -1;
    if (h2g_source_ne(&src, ne) != 2 || ne[1] != rows || ne[0] != m->kv_lora)
        return h2g_fail(err, "tensor '%s': expected shape [%llu, %u] (num_key_value_heads x "
                             "(qk_nope_head_dim + v_head_dim), kv_lora_rank)",
                        t->name, (unsigned long long)rows, m->kv_lora);
    char name[H2G_GGUF_MAX_NAME];
    uint64_t ne_k[3] = {m->nope, m->kv_lora, m->n_head_kv};
    uint64_t ne_v[3] = {m->kv_lora, m->v_dim, m->n_head_kv};
    snprintf(name, sizeof name, "blk.%ld.attn_k_b.weight", layer);
    long k = h2g_plan_add(p, name, 0, 3, ne_k, H2G_XF_KV_B_K, &src, 1, err);
    if (k < 0) return -1;
    snprintf(name, sizeof name, "blk.%ld.attn_v_b.weight", layer);
    long v = h2g_plan_add(p, name, 0, 3, ne_v, H2G_XF_KV_B_V, &src, 1, err);
    if (v < 0) return -1;
    for (long i = k; i <= v; i++) {
        p->tensors[i].kvb_heads = m->n_head_kv;
        p->tensors[i].kvb_nope = m->nope;
        p->tensors[i].kvb_v = m->v_dim;
    }
    return 0;
}

/* llama-style RoPE (deepseek): the heads whose rows q_proj / k_proj are
 * permuted with, or -1 for other tensors. k uses num_key_value_heads when it
 * differs from num_attention_heads (reference 13.3). */
static long permute_heads(const ds2 *m, const char *path) {
    if (!m->v->permute_qk) return -1;
    if (h2g_str_ends_with(path, ".self_attn.q_proj")) return m->n_head;
    if (h2g_str_ends_with(path, ".self_attn.k_proj")) return m->n_head_kv;
    return -1;
}

/* A q/k projection whose rows are interleaved per head: each head's rows
 * must split into two equal halves. */
static int add_permuted(h2g_plan *p, const char *gguf, const h2g_st_tensor *t, uint32_t n_dims,
                        const uint64_t *ne, const h2g_source *src, uint32_t heads,
                        h2g_error *err) {
    uint64_t rows = t->shape[0];
    if (n_dims > 2 || heads == 0 || rows % heads != 0 || (rows / heads) % 2 != 0)
        return h2g_fail(err, "tensor '%s': shape [%llu, ...] does not split into %u heads of an "
                             "even number of rows (needed to reorder them for llama.cpp's RoPE)",
                        t->name, (unsigned long long)rows, heads);
    long i = h2g_plan_add(p, gguf, 0, n_dims, ne, H2G_XF_PERMUTE_QK, src, 1, err);
    if (i < 0) return -1;
    p->tensors[i].perm_heads = heads;
    return 0;
}

/* Plans one source tensor (renamed): a plain mapping, an expert or kv_b. */
static int add_tensor(ds2 *m, experts *e, h2g_plan *p, const h2g_st_tensor *t,
                      const char *name, h2g_error *err) {
    long layer, index;
    int kind;
    if (parse_expert(name, &layer, &index, &kind))
        return add_expert(m, e, p, t, layer, index, kind, err);
    layer = h2g_layer_of(name);
    if (!m->v->plain_attention && layer >= 0 &&
        h2g_str_ends_with(name, ".self_attn.kv_b_proj.weight"))
        return add_kv_b(m, p, t, layer, err);

    char gguf[H2G_GGUF_MAX_NAME], path[256];
    const char *suffix = h2g_split_suffix(name, path, sizeof path);
    bool named = *suffix && ((m->v->extra_names && h2g_map_name(m->v->extra_names, path, suffix,
                                                                gguf, sizeof gguf)) ||
                             h2g_map_name(tensor_names, path, suffix, gguf, sizeof gguf));
    if (!named)
        return h2g_fail(err, "tensor '%s' (from '%s') has no GGUF name for architecture %s",
                        name, t->name, m->arch);
    if (t->n_dims == 0 || t->n_dims > H2G_GGUF_MAX_DIMS)
        return h2g_fail(err, "tensor '%s' has %u dimensions; expected 1 to 4", t->name,
                        t->n_dims);
    h2g_source src;
    if (h2g_source_make(m->co, &m->quant, t, &src, err) != 0) return -1;
    uint64_t ne[H2G_GGUF_MAX_DIMS];
    uint32_t n_dims = h2g_source_ne(&src, ne);
    long heads = permute_heads(m, path);
    if (heads >= 0) return add_permuted(p, gguf, t, n_dims, ne, &src, (uint32_t)heads, err);
    return h2g_plan_add(p, gguf, 0, n_dims, ne, H2G_XF_CONVERT, &src, 1, err) < 0 ? -1 : 0;
}

static int plan_tensors(ds2 *m, h2g_plan *p, h2g_error *err) {
    experts e = {calloc(m->n_layer ? m->n_layer : 1, sizeof *e.layers), m->n_layer,
                 m->n_expert};
    if (!e.layers)
        return h2g_fail(err, "out of memory for the expert tables of %u layers", m->n_layer);
    int rc = 0;
    /* Packed (INT4) weights come after all others, in processing order, as
     * the reference appends their dequantized tensors to its list. */
    for (int packed = 0; packed < 2 && rc == 0; packed++) {
        for (size_t i = 0; i < m->co->n_tensors && rc == 0; i++) {
            const h2g_st_tensor *t = &m->co->tensors[i];
            char name[512];
            if (h2g_is_packed_weight(t->name) != packed || !filter_name(m, t->name, name,
                                                                         sizeof name))
                continue;
            rc = add_tensor(m, &e, p, t, name, err);
        }
    }
    if (rc == 0) rc = check_experts_complete(m, &e, err);
    experts_free(&e);
    return rc;
}

/* Resolves --outtype auto and gives every planned tensor its type. */
static void assign_types(h2g_plan *p, h2g_outtype requested) {
    p->outtype = requested == H2G_OUT_AUTO ? h2g_resolve_auto(p) : requested;
    for (size_t i = 0; i < p->n_tensors; i++) {
        h2g_tensor_info *ti = &p->tensors[i].info;
        ti->type = h2g_pick_type(ti->name, ti->n_dims, ti->ne[0], p->outtype, -1);
    }
}

/* --vocab-only keeps the KVs of a full conversion but no tensors. */
static void drop_tensors(h2g_plan *p) {
    for (size_t i = 0; i < p->n_tensors; i++) free(p->tensors[i].src);
    p->n_tensors = 0;
}

/* ---------------------------------------------------------------------------
 * KV pairs (reference 3.3, 4.2)
 * ------------------------------------------------------------------------- */

/* Key writers that prefix the architecture name (deepseek2.h). */
int h2g_ds2_set_u32(const h2g_ds2_keys *k, const char *key, uint32_t v, h2g_error *err) {
    char full[128];
    snprintf(full, sizeof full, "%s.%s", k->arch, key);
    return h2g_kv_set_u32(&k->p->kv, full, v, err);
}

int h2g_ds2_set_f32(const h2g_ds2_keys *k, const char *key, double v, h2g_error *err) {
    char full[128];
    snprintf(full, sizeof full, "%s.%s", k->arch, key);
    return h2g_kv_set_f32(&k->p->kv, full, (float)v, err);
}

int h2g_ds2_set_str(const h2g_ds2_keys *k, const char *key, const char *v, h2g_error *err) {
    char full[128];
    snprintf(full, sizeof full, "%s.%s", k->arch, key);
    return h2g_kv_set_str(&k->p->kv, full, v, err);
}

int h2g_ds2_copy_u32(const h2g_ds2_keys *k, const char *key, const char *cfg, bool required,
                     h2g_error *err) {
    uint32_t v;
    bool has;
    if (h2g_hparams_u32_opt(k->hp, cfg, &v, &has, err) != 0) return -1;
    if (!has && required)
        return h2g_fail(err, "%s: required key '%s' is missing (it gives %s.%s)", k->hp->file,
                        cfg, k->arch, key);
    return has ? h2g_ds2_set_u32(k, key, v, err) : 0;
}

static h2g_ds2_keys keys_of(ds2 *m, h2g_plan *p) {
    return (h2g_ds2_keys){p, m->arch, &m->hp, m->co};
}

static int set_u32(ds2 *m, h2g_plan *p, const char *key, uint32_t v, h2g_error *err) {
    h2g_ds2_keys k = keys_of(m, p);
    return h2g_ds2_set_u32(&k, key, v, err);
}

static int set_f32(ds2 *m, h2g_plan *p, const char *key, double v, h2g_error *err) {
    h2g_ds2_keys k = keys_of(m, p);
    return h2g_ds2_set_f32(&k, key, v, err);
}

/* Copies an optional config number to a UINT32 key. */
static int copy_u32(ds2 *m, h2g_plan *p, const char *key, const char *cfg, h2g_error *err) {
    h2g_ds2_keys k = keys_of(m, p);
    return h2g_ds2_copy_u32(&k, key, cfg, false, err);
}

/* The first present of several config keys; error when none is. */
static int first_u32(ds2 *m, const char *const *keys, uint32_t *out, h2g_error *err) {
    for (int i = 0; keys[i]; i++) {
        bool has;
        if (h2g_hparams_u32_opt(&m->hp, keys[i], out, &has, err) != 0) return -1;
        if (has) return 0;
    }
    return h2g_fail(err, "config.json: none of the keys for %s is present (first: '%s')",
                    strcmp(keys[0], "max_position_embeddings") ? "the feed-forward length"
                                                               : "the context length",
                    keys[0]);
}

static int add_rope_scaling(ds2 *m, h2g_plan *p, h2g_error *err) {
    return h2g_add_rope_scaling(h2g_hparams_item(&m->hp, "rope_scaling"), m->arch, &p->kv, err);
}

/* The LayerNorm epsilon of the shared base keys, when a config has one. */
static int add_norm_eps(ds2 *m, h2g_plan *p, h2g_error *err) {
    static const char *const keys[] = {"layer_norm_eps", "layer_norm_epsilon", "norm_epsilon",
                                       NULL};
    for (int i = 0; keys[i]; i++) {
        double v;
        bool has;
        if (h2g_hparams_f64_opt(&m->hp, keys[i], &v, &has, err) != 0) return -1;
        if (has) return set_f32(m, p, "attention.layer_norm_epsilon", v, err);
    }
    return 0;
}

/* Keys 4-23 of reference 3.3: the base model parameters. */
static int add_base_params(ds2 *m, h2g_plan *p, h2g_error *err) {
    static const char *const ctx_keys[] = {"max_position_embeddings", "n_ctx", "n_positions",
                                           "max_length", "max_sequence_length",
                                           "model_max_length", NULL};
    static const char *const ff_keys[] = {"prefix_dense_intermediate_size",
                                          "intermediate_size", NULL};
    uint32_t ctx, ff, hidden;
    double v;
    bool has;
    if (set_u32(m, p, "block_count", m->n_layer, err) != 0 ||
        first_u32(m, ctx_keys, &ctx, err) != 0 ||
        set_u32(m, p, "context_length", ctx, err) != 0 ||
        h2g_hparams_u32(&m->hp, "hidden_size", &hidden, err) != 0 ||
        set_u32(m, p, "embedding_length", hidden, err) != 0 ||
        first_u32(m, ff_keys, &ff, err) != 0 ||
        set_u32(m, p, "feed_forward_length", ff, err) != 0 ||
        set_u32(m, p, "attention.head_count", m->n_head, err) != 0 ||
        set_u32(m, p, "attention.head_count_kv",
                m->v->config_head_count_kv ? m->n_head_kv : 1, err) != 0 ||
        add_rope_scaling(m, p, err) != 0)
        return -1;
    if (h2g_hparams_f64_opt(&m->hp, "rope_theta", &v, &has, err) != 0) return -1;
    if (has && set_f32(m, p, "rope.freq_base", v, err) != 0) return -1;
    v = 1e-6;
    if (h2g_hparams_f64_opt(&m->hp, "rms_norm_eps", &v, &has, err) != 0) return -1;
    if ((has || !m->v->no_rms_eps_default) &&
        set_f32(m, p, "attention.layer_norm_rms_epsilon", v, err) != 0)
        return -1;
    if (add_norm_eps(m, p, err) != 0 ||
        /* llama.cpp 0.7.0's generic lookup writes it here; the later write
         * below (key 29) then only sets its value again, in place. */
        copy_u32(m, p, "expert_count", "n_routed_experts", err) != 0 ||
        copy_u32(m, p, "expert_used_count", "num_experts_per_tok", err) != 0 ||
        copy_u32(m, p, "expert_group_count", "n_group", err) != 0 ||
        copy_u32(m, p, "expert_group_used_count", "topk_group", err) != 0)
        return -1;
    const char *scoring;
    if (h2g_hparams_str_opt(&m->hp, "scoring_func", &scoring, &has, err) != 0) return -1;
    if (has) {
        uint32_t func = !strcmp(scoring, "softmax") ? 1 : !strcmp(scoring, "sigmoid") ? 2 : 0;
        if (func == 0)
            return h2g_fail(err, "config.json: 'scoring_func' is '%s'; expected softmax or "
                                 "sigmoid", scoring);
        if (set_u32(m, p, "expert_gating_func", func, err) != 0) return -1;
    }
    /* Only a config with head_dim has them here (none of DeepSeek's). */
    return copy_u32(m, p, "attention.key_length", "head_dim", err) != 0 ||
                   copy_u32(m, p, "attention.value_length", "head_dim", err) != 0
               ? -1
               : 0;
}

/* Keys 25-39: the DeepSeek-specific parameters. */
static int add_deepseek_params(ds2 *m, h2g_plan *p, h2g_error *err) {
    uint32_t dense = m->n_expert ? 0 : m->n_layer, vocab, q_lora, ffe, shared = 0;
    bool has, norm;
    double v;
    if (h2g_hparams_u32_opt(&m->hp, "first_k_dense_replace", &dense, &has, err) != 0 ||
        set_u32(m, p, "leading_dense_block_count", dense, err) != 0 ||
        h2g_hparams_u32(&m->hp, "vocab_size", &vocab, err) != 0 ||
        set_u32(m, p, "vocab_size", vocab, err) != 0)
        return -1;
    if (!m->v->plain_attention) {
        if (h2g_hparams_u32_opt(&m->hp, "q_lora_rank", &q_lora, &has, err) != 0) return -1;
        if ((has && set_u32(m, p, "attention.q_lora_rank", q_lora, err) != 0) ||
            set_u32(m, p, "attention.kv_lora_rank", m->kv_lora, err) != 0 ||
            set_u32(m, p, "attention.key_length", m->kv_lora + m->rope, err) != 0 ||
            set_u32(m, p, "attention.value_length", m->kv_lora, err) != 0 ||
            set_u32(m, p, "attention.key_length_mla", m->nope + m->rope, err) != 0 ||
            set_u32(m, p, "attention.value_length_mla", m->v_dim, err) != 0)
            return -1;
    }
    if (h2g_hparams_u32_opt(&m->hp, "moe_intermediate_size", &ffe, &has, err) != 0) return -1;
    if (!has && h2g_hparams_u32(&m->hp, "intermediate_size", &ffe, err) != 0) return -1;
    if (set_u32(m, p, "expert_feed_forward_length", ffe, err) != 0 ||
        copy_u32(m, p, "expert_count", "n_routed_experts", err) != 0 ||
        h2g_hparams_u32_opt(&m->hp, "n_shared_experts", &shared, &has, err) != 0 ||
        set_u32(m, p, "expert_shared_count", shared, err) != 0 ||
        h2g_hparams_f64_opt(&m->hp, "routed_scaling_factor", &v, &has, err) != 0)
        return -1;
    if (has && set_f32(m, p, "expert_weights_scale", v, err) != 0) return -1;
    if (h2g_hparams_bool_opt(&m->hp, "norm_topk_prob", &norm, &has, err) != 0) return -1;
    if (has && norm) {
        char full[128];
        snprintf(full, sizeof full, "%s.expert_weights_norm", m->arch);
        if (h2g_kv_set_bool(&p->kv, full, true, err) != 0) return -1;
    }
    if (set_u32(m, p, "rope.dimension_count", m->rope, err) != 0) return -1;
    const cJSON *rs = h2g_hparams_item(&m->hp, "rope_scaling");
    if (cJSON_IsObject(rs)) {
        if (h2g_json_f64_opt(rs, "config.json: rope_scaling", "mscale_all_dim", &v, &has,
                             err) != 0)
            return -1;
        /* The loader divides the stored value by 0.1 again. */
        if (has && set_f32(m, p, "rope.scaling.yarn_log_multiplier", 0.1 * v, err) != 0)
            return -1;
    }
    return 0;
}

/* The default chat template the reference writes for OCR text models. */
static const char ocr_chat_template[] = "{% for m in messages %}{{m['content']}}{% endfor %}";

/* The keys after general.file_type: deepseek2's, or the variant's own. */
static int add_model_params(ds2 *m, h2g_plan *p, h2g_error *err) {
    h2g_ds2_keys k = keys_of(m, p);
    if (m->v->model_keys ? m->v->model_keys(&k, err) : add_deepseek_params(m, p, err)) return -1;
    return m->v->extra_keys ? m->v->extra_keys(&k, err) : 0;
}

static int add_kv(ds2 *m, h2g_plan *p, h2g_error *err) {
    h2g_general g = {0};
    uint32_t vocab = 0;
    bool has;
    int rc = -1;
    if (h2g_kv_set_str(&p->kv, "general.architecture", m->arch, err) != 0 ||
        (m->v->ocr &&
         h2g_kv_set_str(&p->kv, "tokenizer.chat_template", ocr_chat_template, err)) ||
        h2g_kv_set_str(&p->kv, "general.type", "model", err) != 0 ||
        h2g_general_derive(&g, m->co, m->opt->vocab_only ? NULL : p, err) != 0 ||
        h2g_general_add_kv(&p->kv, &g, m->co, err) != 0 || add_base_params(m, p, err) != 0 ||
        h2g_kv_set_u32(&p->kv, "general.file_type", h2g_outtype_file_type(p->outtype), err) ||
        add_model_params(m, p, err) != 0 ||
        h2g_kv_set_u32(&p->kv, "general.quantization_version", 2, err) != 0 ||
        (m->v->vocab_check && m->v->vocab_check(m->co, err) != 0) ||
        h2g_hparams_u32_opt(&m->hp, "vocab_size", &vocab, &has, err) != 0 ||
        h2g_vocab_add_kv(&p->kv, m->co, vocab, m->opt->tokenizer_pre, err) != 0)
        goto done;
    rc = 0;
done:
    h2g_general_free(&g);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Ollama's layout (reference 8.3): kv_b kept whole, its own key set
 * ------------------------------------------------------------------------- */

/* Substring pairs, first match wins at each position (see ollama.h). */
static const char *const ollama_renames[] = {
    "lm_head", "output",
    "model.embed_tokens", "token_embd",
    "model.norm", "output_norm",
    "language_model.", "",
    "model.layers", "blk",
    "input_layernorm", "attn_norm",
    "self_attn.kv_a_proj_with_mqa", "attn_kv_a_mqa",
    "self_attn.kv_a_layernorm", "attn_kv_a_norm",
    "self_attn.kv_b_proj", "attn_kv_b",
    "self_attn.q_a_proj", "attn_q_a",
    "self_attn.q_a_layernorm", "attn_q_a_norm",
    "self_attn.q_b_proj", "attn_q_b",
    /* Not in Ollama's list (it converts only V3, which has q_lora): V2-Lite's
     * plain query projection, under the name llama.cpp's loader expects. */
    "self_attn.q_proj", "attn_q",
    "self_attn.o_proj", "attn_output",
    "post_attention_layernorm", "ffn_norm",
    "mlp.shared_experts.down_proj", "ffn_down_shexp",
    "mlp.shared_experts.gate_proj", "ffn_gate_shexp",
    "mlp.shared_experts.up_proj", "ffn_up_shexp",
    "mlp.gate_proj", "ffn_gate",
    "mlp.down_proj", "ffn_down",
    "mlp.up_proj", "ffn_up",
    "mlp.gate.e_score_correction_bias", "exp_probs_b.bias",
    "mlp.gate", "ffn_gate_inp",
    NULL,
};

static const h2g_ollama_key ollama_keys[] = {
    {"deepseek2.block_count", H2G_OV_U32, "num_hidden_layers", NULL, 0},
    {"deepseek2.attention.head_count", H2G_OV_U32, "num_attention_heads", NULL, 0},
    {"deepseek2.attention.head_count_kv", H2G_OV_U32, "num_key_value_heads", NULL, 0},
    {"deepseek2.attention.key_length", H2G_OV_U32_SUM, "qk_nope_head_dim", "qk_rope_head_dim", 0},
    {"deepseek2.attention.kv_lora_rank", H2G_OV_U32, "kv_lora_rank", NULL, 0},
    {"deepseek2.attention.layer_norm_rms_epsilon", H2G_OV_F32, "rms_norm_eps", NULL, 0},
    {"deepseek2.attention.q_lora_rank", H2G_OV_U32, "q_lora_rank", NULL, 0},
    {"deepseek2.attention.value_length", H2G_OV_U32, "v_head_dim", NULL, 0},
    {"deepseek2.context_length", H2G_OV_U32, "max_position_embeddings", NULL, 0},
    {"deepseek2.embedding_length", H2G_OV_U32, "hidden_size", NULL, 0},
    {"deepseek2.expert_count", H2G_OV_U32, "n_routed_experts", NULL, 0},
    {"deepseek2.expert_feed_forward_length", H2G_OV_U32, "moe_intermediate_size", NULL, 0},
    {"deepseek2.expert_shared_count", H2G_OV_U32, "n_shared_experts", NULL, 0},
    {"deepseek2.expert_gating_func", H2G_OV_GATING, "scoring_func", NULL, 0},
    {"deepseek2.expert_used_count", H2G_OV_U32, "num_experts_per_tok", NULL, 0},
    {"deepseek2.expert_weights_norm", H2G_OV_BOOL, "norm_topk_prob", NULL, 0},
    {"deepseek2.expert_weights_scale", H2G_OV_F32, "routed_scaling_factor", NULL, 0},
    {"deepseek2.feed_forward_length", H2G_OV_U32, "intermediate_size", NULL, 0},
    {"deepseek2.leading_dense_block_count", H2G_OV_U32, "first_k_dense_replace", NULL, 0},
    {"deepseek2.rope.dimension_count", H2G_OV_U32, "qk_rope_head_dim", NULL, 0},
    {"deepseek2.rope.freq_base", H2G_OV_F32_OR, "rope_theta", NULL, 10000.0f},
    {"deepseek2.rope.scaling.factor", H2G_OV_F32, "rope_scaling/factor", NULL, 0},
    {"deepseek2.rope.scaling.original_context_length", H2G_OV_U32,
     "rope_scaling/original_max_position_embeddings", NULL, 0},
    {"deepseek2.rope.scaling.type", H2G_OV_STR, "rope_scaling/type", NULL, 0},
    {"deepseek2.rope.scaling.yarn_log_multiplier", H2G_OV_F32_TENTH,
     "rope_scaling/mscale_all_dim", NULL, 0},
    {NULL, 0, NULL, NULL, 0},
};

const h2g_ollama_layout h2g_deepseek2_ollama = {
    .arch = "deepseek2",
    .general_type = "model",
    .pre = "deepseek-v3", /* whatever tokenizer.json says */
    .layers_cfg = "num_hidden_layers",
    .drop_extra_layers = true,
    .renames = ollama_renames,
    .keys = ollama_keys,
};

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

int h2g_ds2_plan(const h2g_checkout *co, const h2g_convert_options *o, const h2g_ds2_variant *v,
                 h2g_plan *out, h2g_error *err) {
    ds2 m = {.co = co, .opt = o, .v = v, .arch = v->arch};
    memset(out, 0, sizeof *out);
    out->role = "model";
    int rc = read_hparams(&m, err);
    if (rc == 0) rc = plan_tensors(&m, out, err);
    if (rc == 0) {
        assign_types(out, o->outtype);
        if (o->vocab_only) drop_tensors(out);
        rc = add_kv(&m, out, err);
    }
    h2g_hparams_free(&m.hp);
    if (rc != 0) h2g_plan_free(out);
    return rc;
}

/* deepseek2 itself, and the OCR text model (plain attention, its own
 * default chat template). */
static const h2g_ds2_variant deepseek2_variant = {.arch = "deepseek2"};
static const h2g_ds2_variant ocr_variant = {
    .arch = "deepseek2-ocr",
    .plain_attention = true,
    .config_head_count_kv = true,
    .ocr = true,
};

int h2g_deepseek2_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *out,
                       h2g_error *err) {
    const char *hf_arch = NULL;
    if (h2g_checkout_architecture(co, &hf_arch, err) != 0) return -1;
    bool ocr = h2g_str_starts_with(hf_arch, "DeepseekOCR");
    return h2g_ds2_plan(co, o, ocr ? &ocr_variant : &deepseek2_variant, out, err);
}
