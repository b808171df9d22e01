/* quant_rules.c - llama-quantize's choice of a type for every tensor
 * (quantization-reference.md §2; see quant_rules.h). One if/else chain per
 * tensor, in sorted order, with counters that advance per category. */
#include "plan/quant_rules.h"

#include <stdio.h>
#include <string.h>

#include "hf2gguf/ggml_type.h"

/* ggml type ids the rules name. */
enum { F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q2_K = 10, Q3_K = 11,
       Q4_K = 12, Q5_K = 13, Q6_K = 14, IQ4_NL = 20, IQ4_XS = 23, TQ1_0 = 34, TQ2_0 = 35,
       MXFP4 = 39 };

/* ---------------------------------------------------------------------------
 * Which tensors, which category
 * ------------------------------------------------------------------------- */

/* Substrings llama-quantize never quantizes (§2.1), whatever the model. */
static const char *const never_quantized[] = {
    "_norm.weight", "ffn_gate_inp.weight", "altup", "laurel", "per_layer_model_proj",
    "ssm_conv1d", "shortconv.conv.weight", "time_mix_first.weight", "time_mix_w0.weight",
    "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight",
    "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
    "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight",
    "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight",
    ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd",
    ".patch_merger", NULL,
};

static bool contains_any(const char *name, const char *const *list) {
    for (int i = 0; list && list[i]; i++)
        if (strstr(name, list[i])) return true;
    return false;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* Whether llama-quantize may change this tensor's type at all. */
static bool eligible(const h2g_qtensor *t, const h2g_quant_rules *rules) {
    return t->n_dims >= 2 && ends_with(t->name, "weight") &&
           !contains_any(t->name, never_quantized) &&
           !(rules && contains_any(t->name, rules->keep)) &&
           strcmp(t->name, "position_embd.weight") != 0 &&
           strcmp(t->name, "token_types.weight") != 0;
}

h2g_qcat h2g_quant_category(const char *name) {
    static const struct { const char *sub; h2g_qcat cat; } subs[] = {
        {"attn_qkv.weight", H2G_QC_QKV}, {"attn_kv_b.weight", H2G_QC_KV_B},
        {"attn_v.weight", H2G_QC_V},     {"attn_k.weight", H2G_QC_K},
        {"attn_q.weight", H2G_QC_Q},     {"attn_output.weight", H2G_QC_O},
        {"ffn_up", H2G_QC_UP},           {"ffn_gate", H2G_QC_GATE},
        {"ffn_down", H2G_QC_DOWN},
    };
    if (!strcmp(name, "output.weight")) return H2G_QC_OUTPUT;
    if (!strcmp(name, "token_embd.weight") || !strcmp(name, "per_layer_token_embd.weight"))
        return H2G_QC_TOKEN_EMBD;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strstr(name, subs[i].sub)) return subs[i].cat;
    return H2G_QC_OTHER;
}

static bool v_like(h2g_qcat c) { return c == H2G_QC_V || c == H2G_QC_QKV || c == H2G_QC_KV_B; }

/* ---------------------------------------------------------------------------
 * The rules (§2.5)
 * ------------------------------------------------------------------------- */

bool h2g_quant_more_bits(int i, int n) {
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

static uint32_t block_of(uint32_t type) {
    uint32_t b = 1;
    h2g_ggml_type_info(type, &b, NULL);
    return b;
}

/* The counters of §2.4, advanced in sorted order. */
typedef struct counters {
    int i_wv, i_down, i_gate, i_up;
} counters;

typedef struct ctx {
    const h2g_qmodel *m;
    uint32_t ft; /* file type id */
    counters c;
    h2g_error *err;
} ctx;

/* OUTPUT, or TOKEN_EMBD of a tied model. */
static uint32_t rule_output(const ctx *x, const h2g_qtensor *t, uint32_t type) {
    if (x->ft == H2G_FTYPE_MXFP4_MOE) return Q8_0;
    if (t->ne[0] % block_of(type) != 0) return Q8_0;
    return type != Q8_0 ? Q6_K : type;
}

/* V, QKV and KV_B. */
static uint32_t rule_v(ctx *x, uint32_t type) {
    const h2g_qmodel *m = x->m;
    int i = x->c.i_wv, n = (int)m->n_wv;
    switch (x->ft) {
    case H2G_FTYPE_Q2_K: type = m->n_gqa >= 4 ? Q4_K : Q3_K; break;
    case H2G_FTYPE_Q2_K_S: if (m->n_gqa >= 4) type = Q4_K; break;
    case H2G_FTYPE_Q3_K_M: type = i < 2 ? Q5_K : Q4_K; break;
    case H2G_FTYPE_Q3_K_L: type = Q5_K; break;
    case H2G_FTYPE_IQ4_NL:
    case H2G_FTYPE_IQ4_XS: if (m->n_gqa >= 4) type = Q5_K; break;
    case H2G_FTYPE_Q4_K_M:
    case H2G_FTYPE_Q5_K_M: if (h2g_quant_more_bits(i, n)) type = Q6_K; break;
    case H2G_FTYPE_Q4_K_S: if (i < 4) type = Q5_K; break;
    default: break;
    }
    /* Mixtral's eight experts; no real DeepSeek model has eight. */
    if (m->n_expert == 8) type = Q8_0;
    x->c.i_wv++;
    return type;
}

/* The layer a DOWN/GATE/UP rule reads: from the name when there are
 * experts (their tensors are not one per layer in order), else the
 * category's counter. -1 with err filled when the name has none. */
static int layer_of(const ctx *x, const h2g_qtensor *t, int counter) {
    if (x->m->n_expert <= 1) return counter;
    int layer;
    if (sscanf(t->name, "blk.%d.", &layer) != 1)
        return h2g_fail(x->err, "tensor '%s': llama-quantize needs its layer number (blk.N.) "
                                "to choose its type", t->name);
    if (layer < 0 || layer >= (int)x->m->n_layer)
        return h2g_fail(x->err, "tensor '%s': layer %d is outside the model's %u layers "
                                "(block_count), which llama-quantize refuses",
                        t->name, layer, x->m->n_layer);
    return layer;
}

static int rule_down(ctx *x, const h2g_qtensor *t, uint32_t *type) {
    int i = layer_of(x, t, x->c.i_down), n = (int)x->m->n_layer;
    if (i < 0) return -1;
    switch (x->ft) {
    case H2G_FTYPE_Q2_K: *type = Q3_K; break;
    case H2G_FTYPE_Q2_K_S: if (i < n / 8) *type = Q4_K; break;
    case H2G_FTYPE_Q3_K_M: *type = i < n / 16 ? Q5_K : Q4_K; break;
    case H2G_FTYPE_Q3_K_L: *type = Q5_K; break;
    case H2G_FTYPE_Q4_K_M: if (h2g_quant_more_bits(i, n)) *type = Q6_K; break;
    case H2G_FTYPE_IQ4_NL:
    case H2G_FTYPE_IQ4_XS: if (i < n / 8) *type = Q5_K; break; /* no importance matrix */
    case H2G_FTYPE_Q5_K_M: if (h2g_quant_more_bits(i, n)) *type = Q6_K; break;
    case H2G_FTYPE_Q4_K_S: if (i < n / 8) *type = Q5_K; break;
    default: break;
    }
    x->c.i_down++;
    return 0;
}

static uint32_t rule_o(const ctx *x, uint32_t type) {
    if (x->m->n_expert == 8) {
        switch (x->ft) {
        case H2G_FTYPE_Q2_K: case H2G_FTYPE_Q3_K_S: case H2G_FTYPE_Q3_K_M:
        case H2G_FTYPE_IQ4_NL: case H2G_FTYPE_Q4_K_S: case H2G_FTYPE_Q4_K_M:
        case H2G_FTYPE_IQ4_XS: return Q5_K;
        default: return type;
        }
    }
    switch (x->ft) {
    case H2G_FTYPE_Q2_K: return Q3_K;
    case H2G_FTYPE_Q3_K_M: return Q4_K;
    case H2G_FTYPE_Q3_K_L: return Q5_K;
    default: return type;
    }
}

/* The if/else chain of §2.5 for one eligible tensor. */
static int apply_rules(ctx *x, const h2g_qtensor *t, uint32_t *type) {
    h2g_qcat c = t->cat;
    if (c == H2G_QC_OUTPUT || (c == H2G_QC_TOKEN_EMBD && x->m->tied)) {
        *type = rule_output(x, t, *type);
    } else if (x->ft == H2G_FTYPE_MXFP4_MOE) {
        *type = t->n_dims >= 3 && t->ne[2] > 1 ? MXFP4 : Q8_0; /* "MoE" = a third dimension */
    } else if (c == H2G_QC_TOKEN_EMBD) {
        if (x->ft == H2G_FTYPE_TQ1_0 || x->ft == H2G_FTYPE_TQ2_0) *type = Q4_K;
    } else if (v_like(c)) {
        *type = rule_v(x, *type);
    } else if (c == H2G_QC_K) {
        if (x->m->n_expert == 8) *type = Q8_0;
    } else if (c == H2G_QC_DOWN) {
        return rule_down(x, t, type);
    } else if (c == H2G_QC_O) {
        *type = rule_o(x, *type);
    } else if (c == H2G_QC_GATE) {
        x->c.i_gate++;
    } else if (c == H2G_QC_UP) {
        x->c.i_up++;
    }
    return 0;
}

/* §2.6: a row length the chosen type's blocks do not divide. The K, IQ4_XS
 * and ternary types fall back to a 32-value type; when that does not divide
 * it either, and for the 32-value types themselves, llama.cpp 0.7.0 writes
 * F16 (its goldens show it: the doc's "fatal error" for Q4_0 and the like
 * is not what 0.7.0 does). */
static uint32_t fallback(uint32_t type, uint64_t ne0) {
    if (ne0 % block_of(type) == 0) return type;
    uint32_t fb;
    switch (type) {
    case IQ4_XS: fb = IQ4_NL; break;
    case Q2_K: case Q3_K: case TQ1_0: case TQ2_0: fb = Q4_0; break;
    case Q4_K: fb = Q5_0; break;
    case Q5_K: fb = Q5_1; break;
    case Q6_K: fb = Q8_0; break;
    default: return F16;
    }
    return ne0 % block_of(fb) == 0 ? fb : F16;
}

/* §2.7: Q2_K_S without an importance matrix. */
static int check_imatrix(const ctx *x, const h2g_qtensor *t, uint32_t type) {
    if (x->ft != H2G_FTYPE_Q2_K_S || type != Q2_K || !strcmp(t->name, "token_embd.weight"))
        return 0;
    return h2g_fail(x->err, "tensor '%s': Q2_K_S makes it Q2_K, which llama-quantize refuses "
                            "to do without an importance matrix (imatrix), and hf2gguf has "
                            "none to give; choose Q2_K or Q3_K_S instead", t->name);
}

static uint32_t drop_trailing_ones(const h2g_tensor_info *ti) {
    uint32_t n = ti->n_dims;
    while (n > 1 && ti->ne[n - 1] == 1) n--;
    return n;
}

int h2g_quant_choose(const h2g_plan *p, const h2g_qmodel *m, const h2g_ftype *ft,
                     const h2g_quant_rules *rules, uint32_t *types, h2g_error *err) {
    ctx x = {.m = m, .ft = ft->id, .err = err};
    for (size_t i = 0; i < p->n_tensors; i++) {
        const h2g_tensor_info *ti = &p->tensors[i].info;
        h2g_qtensor t = {ti->name, drop_trailing_ones(ti), ti->ne, h2g_quant_category(ti->name)};
        types[i] = 0;
        if (!eligible(&t, rules)) continue;
        uint32_t type = ft->default_type;
        if (apply_rules(&x, &t, &type) != 0) return -1;
        if (rules && rules->adjust) type = rules->adjust(&t, m, ft, type);
        type = fallback(type, t.ne[0]);
        if (check_imatrix(&x, &t, type) != 0) return -1;
        types[i] = type;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Hyper-parameters (§2.4)
 * ------------------------------------------------------------------------- */

static bool arch_u32(const h2g_plan *p, const char *arch, const char *key, uint32_t *v) {
    char full[160];
    snprintf(full, sizeof full, "%s.%s", arch, key);
    return h2g_kv_get_u32(&p->kv, full, v);
}

int h2g_quant_model(const h2g_plan *p, h2g_qmodel *m, h2g_error *err) {
    memset(m, 0, sizeof *m);
    const char *arch;
    uint32_t blocks, heads = 0, heads_kv;
    if (!h2g_kv_get_str(&p->kv, "general.architecture", &arch))
        return h2g_fail(err, "the plan has no general.architecture to quantize by");
    if (!arch_u32(p, arch, "block_count", &blocks))
        return h2g_fail(err, "the plan has no %s.block_count, which llama-quantize's rules "
                             "read", arch);
    /* Every block counts, the MTP ones too: llama-quantize 0.7.0 quantizes
     * V3.2's blk.3 (block_count 4, nextn_predict_layers 1) and chooses its
     * types with n_layer 4. (The quantization reference's "block_count -
     * nextn_predict_layers" would refuse that file.) */
    m->n_layer = blocks;
    arch_u32(p, arch, "expert_count", &m->n_expert);
    arch_u32(p, arch, "attention.head_count", &heads);
    if (!arch_u32(p, arch, "attention.head_count_kv", &heads_kv)) heads_kv = heads;
    m->n_gqa = heads_kv ? heads / heads_kv : 0;
    m->tied = true;
    for (size_t i = 0; i < p->n_tensors; i++) {
        const char *name = p->tensors[i].info.name;
        if (v_like(h2g_quant_category(name))) m->n_wv++;
        if (!strcmp(name, "output.weight")) m->tied = false;
    }
    return 0;
}
