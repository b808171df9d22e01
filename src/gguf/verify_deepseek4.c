/*
 * verify_deepseek4.c - what llama.cpp's deepseek4 loader requires
 * (conversion-reference-v4.md section 12; table types in verify_rules.h).
 *
 * Per layer, the attention's compressor and indexer tensors depend on the
 * layer's entry of attention.compress_ratios: 0 = sliding window only,
 * 4 = compressor (width 2 x head size) plus the lightning indexer, 128 =
 * compressor (width = head size) alone. Layers below hash_layer_count route
 * by their tid2eid table and have no gating bias. The loader refuses
 * tensors it does not use, so the entry is strict.
 */
#include <inttypes.h>

#include "gguf/verify_rules.h"

#define REQ H2G_VTENSOR_REQUIRED
#define U32 H2G_VT_UINT32
#define F32 H2G_VT_FLOAT32
#define K(key, type) {key, type, H2G_VKEY_REQUIRED, NULL, 0, 0}
#define K_ARRAY(key, elem) {key, H2G_VT_ARRAY, H2G_VKEY_REQUIRED, NULL, elem, 1}
#define K_OPT(key, type) {key, type, H2G_VKEY_OPTIONAL, NULL, 0, 0}
#define K_END {NULL, 0, 0, NULL, 0, 0}
#define T(name, layers, when, ...) {name, layers, REQ, when, {__VA_ARGS__}, NULL}
#define T_END {NULL, 0, 0, NULL, {0}, NULL}

/* ---------------------------------------------------------------------------
 * Dims
 * ------------------------------------------------------------------------- */

enum {
    D_H = H2G_VDIM_FIRST, /* embedding_length */
    D_V,                  /* token count */
    D_L,                  /* block_count */
    D_NH,                 /* attention.head_count */
    D_HD,                 /* attention.key_length: the head size */
    D_QL,                 /* attention.q_lora_rank */
    D_OG,                 /* attention.output_group_count */
    D_OL,                 /* attention.output_lora_rank */
    D_IH,                 /* attention.indexer.head_count */
    D_ID,                 /* attention.indexer.key_length */
    D_E,                  /* expert_count */
    D_K,                  /* expert_used_count */
    D_FE,                 /* expert_feed_forward_length */
    D_S,                  /* expert_shared_count */
    D_HC,                 /* hyper_connection.count */
    D_ONE,
    D_TWO,
    D_THREE,
    D_FOUR,
    D_128,
    D_HC_H,     /* hc * H: the hyper-connected width */
    D_HC_2,     /* 2 + hc */
    D_MIX,      /* (2 + hc) * hc */
    D_NH_HD,    /* nh * hd */
    D_NH_HD_OG, /* nh * hd / og */
    D_OG_OL,    /* og * ol */
    D_IH_ID,    /* ih * id */
    D_2ID,      /* 2 * id */
    D_2HD,      /* 2 * hd */
    D_FE_S,     /* fe * s */
    D_COUNT
};

static const h2g_vdim_rule dims[D_COUNT] = {
    [D_H] = VDIM_KEY("embedding_length"),
    [D_V] = VDIM_TOKENS("token count"),
    [D_L] = VDIM_KEY("block_count"),
    [D_NH] = VDIM_KEY("attention.head_count"),
    [D_HD] = VDIM_KEY("attention.key_length"),
    [D_QL] = VDIM_KEY("attention.q_lora_rank"),
    [D_OG] = VDIM_KEY("attention.output_group_count"),
    [D_OL] = VDIM_KEY("attention.output_lora_rank"),
    [D_IH] = VDIM_KEY("attention.indexer.head_count"),
    [D_ID] = VDIM_KEY("attention.indexer.key_length"),
    [D_E] = VDIM_KEY("expert_count"),
    [D_K] = VDIM_KEY("expert_used_count"),
    [D_FE] = VDIM_KEY("expert_feed_forward_length"),
    [D_S] = VDIM_KEY("expert_shared_count"),
    [D_HC] = VDIM_KEY("hyper_connection.count"),
    [D_ONE] = VDIM_CONST("1", 1),
    [D_TWO] = VDIM_CONST("2", 2),
    [D_THREE] = VDIM_CONST("3", 3),
    [D_FOUR] = VDIM_CONST("4", 4),
    [D_128] = VDIM_CONST("128", 128),
    [D_HC_H] = VDIM_MUL("hyper_connection.count*embedding_length", D_HC, D_H),
    [D_HC_2] = VDIM_ADD("2+hyper_connection.count", D_TWO, D_HC),
    [D_MIX] = VDIM_MUL("(2+hyper_connection.count)*hyper_connection.count", D_HC_2, D_HC),
    [D_NH_HD] = VDIM_MUL("head_count*key_length", D_NH, D_HD),
    [D_NH_HD_OG] = VDIM_DIV("head_count*key_length/output_group_count", D_NH_HD, D_OG),
    [D_OG_OL] = VDIM_MUL("output_group_count*output_lora_rank", D_OG, D_OL),
    [D_IH_ID] = VDIM_MUL("indexer.head_count*indexer.key_length", D_IH, D_ID),
    [D_2ID] = VDIM_MUL("2*indexer.key_length", D_TWO, D_ID),
    [D_2HD] = VDIM_MUL("2*key_length", D_TWO, D_HD),
    [D_FE_S] = VDIM_MUL("expert_feed_forward_length*expert_shared_count", D_FE, D_S),
};

/* ---------------------------------------------------------------------------
 * Conditions: the layer's compression ratio, hash routing
 * ------------------------------------------------------------------------- */

/* compress_ratios[layer], or -1 when the key or the entry is missing. */
static int64_t ratio(const h2g_vctx *c, uint64_t layer) {
    const h2g_kv *kv = h2g_vctx_key(c, "attention.compress_ratios");
    if (!kv || kv->type != H2G_VT_ARRAY || kv->arr_type != H2G_VT_INT32 || layer >= kv->n)
        return -1;
    return ((const int32_t *)kv->arr)[layer];
}

static bool is_csa(const h2g_vctx *c, uint64_t layer) { return ratio(c, layer) == 4; }
static bool is_hca(const h2g_vctx *c, uint64_t layer) { return ratio(c, layer) == 128; }

static bool is_hash_layer(const h2g_vctx *c, uint64_t layer) {
    const h2g_kv *kv = h2g_vctx_key(c, "hash_layer_count");
    return kv && kv->type == H2G_VT_UINT32 && layer < kv->num.u64;
}
static bool is_scored_layer(const h2g_vctx *c, uint64_t layer) {
    return !is_hash_layer(c, layer);
}

static const h2g_vcond csa = {is_csa, "{a}.attention.compress_ratios[layer] is 4"};
static const h2g_vcond hca = {is_hca, "{a}.attention.compress_ratios[layer] is 128"};
static const h2g_vcond hash_layer = {is_hash_layer, "layer < {a}.hash_layer_count"};
static const h2g_vcond scored_layer = {is_scored_layer, "layer >= {a}.hash_layer_count"};

/* ---------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------- */

static const h2g_vkey_rule keys[] = {
    K("{a}.context_length", U32),
    K("{a}.embedding_length", U32),
    K("{a}.block_count", U32),
    K("{a}.attention.head_count", U32),
    K("{a}.attention.head_count_kv", U32),
    K("{a}.attention.key_length", U32),
    K_OPT("{a}.attention.value_length", U32),
    K("{a}.attention.layer_norm_rms_epsilon", F32),
    K("{a}.rope.dimension_count", U32),
    K_OPT("{a}.rope.freq_base", F32),
    K_OPT("{a}.rope.scaling.type", H2G_VT_STRING),
    K_OPT("{a}.rope.scaling.factor", F32),
    K_OPT("{a}.rope.scaling.original_context_length", U32),
    K_OPT("{a}.rope.scaling.yarn_beta_fast", F32),
    K_OPT("{a}.rope.scaling.yarn_beta_slow", F32),
    K("{a}.attention.q_lora_rank", U32),
    K("{a}.attention.sliding_window", U32),
    K("{a}.expert_count", U32),
    K("{a}.expert_used_count", U32),
    K("{a}.expert_gating_func", U32),
    K("{a}.expert_feed_forward_length", U32),
    K("{a}.expert_shared_count", U32),
    K("{a}.expert_weights_scale", F32),
    K("{a}.expert_weights_norm", H2G_VT_BOOL),
    K_ARRAY("{a}.swiglu_clamp_exp", F32),
    {"{a}.swiglu_clamp_shexp", H2G_VT_ARRAY, H2G_VKEY_OPTIONAL, NULL, F32, 0},
    K("{a}.attention.indexer.head_count", U32),
    K("{a}.attention.indexer.key_length", U32),
    K("{a}.attention.indexer.top_k", U32),
    K("{a}.attention.output_group_count", U32),
    K("{a}.attention.output_lora_rank", U32),
    K_ARRAY("{a}.attention.compress_ratios", H2G_VT_INT32),
    K("{a}.attention.compress_rope_freq_base", F32),
    K("{a}.hyper_connection.count", U32),
    K("{a}.hyper_connection.sinkhorn_iterations", U32),
    K("{a}.hyper_connection.epsilon", F32),
    K("{a}.hash_layer_count", U32),
    K_END,
};

/* ---------------------------------------------------------------------------
 * Tensors (ne as src/models/deepseek4.cpp creates them)
 * ------------------------------------------------------------------------- */

static const h2g_vtensor_rule tensors[] = {
    T("token_embd.weight", 0, NULL, D_H, D_V),
    T("output_norm.weight", 0, NULL, D_H),
    T("output.weight", 0, NULL, D_H, D_V),
    T("output_hc_fn.weight", 0, NULL, D_HC_H, D_HC),
    T("output_hc_base.weight", 0, NULL, D_HC),
    T("output_hc_scale.weight", 0, NULL, D_ONE),
    T("blk.N.attn_norm.weight", D_L, NULL, D_H),
    T("blk.N.attn_sinks.weight", D_L, NULL, D_NH),
    T("blk.N.attn_q_a.weight", D_L, NULL, D_H, D_QL),
    T("blk.N.attn_q_a_norm.weight", D_L, NULL, D_QL),
    T("blk.N.attn_q_b.weight", D_L, NULL, D_QL, D_NH_HD),
    T("blk.N.attn_kv.weight", D_L, NULL, D_H, D_HD),
    T("blk.N.attn_kv_a_norm.weight", D_L, NULL, D_HD),
    T("blk.N.attn_output_a.weight", D_L, NULL, D_NH_HD_OG, D_OG_OL),
    T("blk.N.attn_output_b.weight", D_L, NULL, D_OG_OL, D_H),
    T("blk.N.hc_attn_fn.weight", D_L, NULL, D_HC_H, D_MIX),
    T("blk.N.hc_ffn_fn.weight", D_L, NULL, D_HC_H, D_MIX),
    T("blk.N.hc_attn_base.weight", D_L, NULL, D_MIX),
    T("blk.N.hc_ffn_base.weight", D_L, NULL, D_MIX),
    T("blk.N.hc_attn_scale.weight", D_L, NULL, D_THREE),
    T("blk.N.hc_ffn_scale.weight", D_L, NULL, D_THREE),
    /* ratio 4: overlapping compressor (2 x head size) and the indexer */
    T("blk.N.attn_compressor_kv.weight", D_L, &csa, D_H, D_2HD),
    T("blk.N.attn_compressor_gate.weight", D_L, &csa, D_H, D_2HD),
    T("blk.N.attn_compressor_ape.weight", D_L, &csa, D_2HD, D_FOUR),
    T("blk.N.attn_compressor_norm.weight", D_L, &csa, D_HD),
    T("blk.N.indexer.proj.weight", D_L, &csa, D_H, D_IH),
    T("blk.N.indexer.attn_q_b.weight", D_L, &csa, D_QL, D_IH_ID),
    T("blk.N.indexer_compressor_kv.weight", D_L, &csa, D_H, D_2ID),
    T("blk.N.indexer_compressor_gate.weight", D_L, &csa, D_H, D_2ID),
    T("blk.N.indexer_compressor_ape.weight", D_L, &csa, D_2ID, D_FOUR),
    T("blk.N.indexer_compressor_norm.weight", D_L, &csa, D_ID),
    /* ratio 128: the compressor alone, head size wide */
    T("blk.N.attn_compressor_kv.weight", D_L, &hca, D_H, D_HD),
    T("blk.N.attn_compressor_gate.weight", D_L, &hca, D_H, D_HD),
    T("blk.N.attn_compressor_ape.weight", D_L, &hca, D_HD, D_128),
    T("blk.N.attn_compressor_norm.weight", D_L, &hca, D_HD),
    T("blk.N.ffn_norm.weight", D_L, NULL, D_H),
    T("blk.N.ffn_gate_inp.weight", D_L, NULL, D_H, D_E),
    T("blk.N.ffn_gate_tid2eid.weight", D_L, &hash_layer, D_K, D_V),
    T("blk.N.exp_probs_b.bias", D_L, &scored_layer, D_E),
    T("blk.N.ffn_gate_exps.weight", D_L, NULL, D_H, D_FE, D_E),
    T("blk.N.ffn_up_exps.weight", D_L, NULL, D_H, D_FE, D_E),
    T("blk.N.ffn_down_exps.weight", D_L, NULL, D_FE, D_H, D_E),
    T("blk.N.ffn_gate_shexp.weight", D_L, NULL, D_H, D_FE_S),
    T("blk.N.ffn_up_shexp.weight", D_L, NULL, D_H, D_FE_S),
    T("blk.N.ffn_down_shexp.weight", D_L, NULL, D_FE_S, D_H),
    T_END,
};

/* ---------------------------------------------------------------------------
 * Value checks the loader and graph assert
 * ------------------------------------------------------------------------- */

/* expert_used_count in 1..expert_count; expert_gating_func 4 (sqrtsoftplus);
 * hyper_connection.count 4; compress_ratios at least block_count long, each
 * 0, 4 or 128. */
static void check_v4_values(h2g_vctx *c) {
    const char *a = h2g_vctx_prefix(c);
    uint64_t n_expert, used;
    if (h2g_vctx_dim(c, D_E, &n_expert) && h2g_vctx_dim(c, D_K, &used) &&
        (used == 0 || used > n_expert))
        h2g_vctx_problem(c, "%s.expert_used_count: %" PRIu64 ", must be from 1 to %s."
                         "expert_count %" PRIu64, a, used, a, n_expert);
    const h2g_kv *kv = h2g_vctx_key(c, "expert_gating_func");
    if (kv && kv->type == U32 && kv->num.u64 != 4)
        h2g_vctx_problem(c, "%s.expert_gating_func: %" PRIu64 ", the deepseek4 loader requires "
                         "4 (sqrtsoftplus)", a, kv->num.u64);
    uint64_t hc, n_layer;
    if (h2g_vctx_dim(c, D_HC, &hc) && hc != 4)
        h2g_vctx_problem(c, "%s.hyper_connection.count: %" PRIu64 ", the deepseek4 graph "
                         "requires 4", a, hc);
    kv = h2g_vctx_key(c, "attention.compress_ratios");
    if (!kv || kv->type != H2G_VT_ARRAY || kv->arr_type != H2G_VT_INT32) return;
    if (h2g_vctx_dim(c, D_L, &n_layer) && kv->n < n_layer)
        h2g_vctx_problem(c, "%s.attention.compress_ratios: %" PRIu64 " entries, fewer than %s."
                         "block_count %" PRIu64, a, kv->n, a, n_layer);
    for (uint64_t i = 0; i < kv->n; i++) {
        int32_t r = ((const int32_t *)kv->arr)[i];
        if (r != 0 && r != 4 && r != 128) {
            h2g_vctx_problem(c, "%s.attention.compress_ratios: entry %" PRIu64 " is %d; the "
                             "loader accepts 0, 4 and 128", a, i, (int)r);
            return;
        }
    }
}

const h2g_varch h2g_verify_deepseek4 = {
    .arch = "deepseek4",
    .prefix = "deepseek4",
    .strict_tensors = true,
    .dims = dims,
    .n_dims = D_COUNT,
    .keys = {keys, h2g_vrules_tokenizer_keys},
    .tensors = {tensors},
    .checks = {h2g_vcheck_tokenizer, check_v4_values},
};
