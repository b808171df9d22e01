/*
 * verify_rules.c - what llama.cpp's loader requires of each architecture
 * `hf2gguf verify` knows, as tables (conversion-reference.md section 9; the
 * table types are explained in verify_rules.h).
 *
 * Sections: the DeepSeek text models (dims, conditions, the tokenizer, keys,
 * tensors, value checks) for `deepseek2` and `deepseek2-ocr`; the mmproj
 * files (arch `clip`) of DeepSeek-OCR and DeepSeek-OCR-2; the registry.
 *
 * Adding an architecture: write its dims enum and table, key table(s),
 * tensor table(s) and value checks (reusing the shared tables where the
 * loader shares code), then add one h2g_varch and one registry line.
 */
#include "gguf/verify_rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shorthands that keep the table rows on one line each. */
#define REQ H2G_VTENSOR_REQUIRED
#define OPT H2G_VTENSOR_OPTIONAL
#define ANY H2G_VDIM_ANY
#define ANY_SHAPE {ANY, ANY, ANY, ANY}
#define KEY_REQ H2G_VKEY_REQUIRED
#define KEY_OPT H2G_VKEY_OPTIONAL
#define KEY_WHEN H2G_VKEY_REQUIRED_WHEN
#define U32 H2G_VT_UINT32
#define F32 H2G_VT_FLOAT32

/* ===========================================================================
 * DeepSeek text models: deepseek2 (section 9.1), deepseek2-ocr (9.2),
 * deepseek32 and deepseek (conversion-reference-more 12.8, 13.6)
 * ======================================================================== */

/* ---------------------------------------------------------------------------
 * Dims. One set serves every text architecture (their loaders share the
 * FFN and MoE code); each uses the ones it needs. Defaults are
 * the loader's: key_length/value_length default to the head size,
 * rope.dimension_count to key_length, the *_mla lengths to the plain ones.
 * ------------------------------------------------------------------------- */

enum {
    D_H = H2G_VDIM_FIRST, /* embedding_length */
    D_V,                  /* token count */
    D_BLOCKS,             /* block_count */
    D_NEXTN,              /* nextn_predict_layers, 0 when absent (deepseek32) */
    D_L,                  /* layers the per-layer rules run over: block_count, or for
                           * deepseek32 block_count - nextn_predict_layers */
    D_NH,                 /* attention.head_count */
    D_HEAD,               /* embedding_length / head_count */
    D_KEY_LEN,
    D_VAL_LEN,
    D_K,      /* key_length_mla: q/k head size (nope + rope) */
    D_VH,     /* value_length_mla: v head size */
    D_NROT,   /* rope.dimension_count */
    D_NOPE,   /* K - NROT */
    D_QLORA,  /* 0 when absent */
    D_KVLORA,
    D_KVA,    /* KVLORA + NROT */
    D_NH_K,
    D_NH_V,
    D_NOPE_V,
    D_NH_NOPE_V,
    D_F,
    D_FE,
    D_E,      /* 0 when absent */
    D_S,
    D_FE_S,
    D_TWO,
    D_FE2,    /* fused gate+up experts */
    D_LEAD,   /* 0 when absent */
    D_CLIP_BLOCKS, /* Ollama's deepseekocr: vision.block_count */
    D_SAM_BLOCKS,  /* and sam.block_count */
    D_IH,          /* deepseek32: attention.indexer.head_count */
    D_IHD,         /* attention.indexer.key_length */
    D_IH_IHD,
    D_NKV,         /* deepseek: attention.head_count_kv */
    D_NKV_HEAD,    /* head_count_kv * embedding_length/head_count */
    D_TEXT_COUNT
};

/* Every dim but D_L, which the two tables below define each their way. */
#define TEXT_DIMS                                                                                   \
    [D_H] = VDIM_KEY("embedding_length"),                                                           \
    [D_V] = VDIM_TOKENS("token count"),                                                             \
    [D_BLOCKS] = VDIM_KEY("block_count"),                                                           \
    [D_NEXTN] = VDIM_KEY_OR("nextn_predict_layers", 0),                                             \
    [D_NH] = VDIM_KEY("attention.head_count"),                                                      \
    [D_HEAD] = VDIM_DIV("embedding_length/head_count", D_H, D_NH),                                  \
    [D_KEY_LEN] = VDIM_KEY_ELSE("attention.key_length", D_HEAD),                                    \
    [D_VAL_LEN] = VDIM_KEY_ELSE("attention.value_length", D_HEAD),                                  \
    [D_K] = VDIM_KEY_ELSE("attention.key_length_mla", D_KEY_LEN),                                   \
    [D_VH] = VDIM_KEY_ELSE("attention.value_length_mla", D_VAL_LEN),                                \
    [D_NROT] = VDIM_KEY_ELSE("rope.dimension_count", D_KEY_LEN),                                    \
    [D_NOPE] = VDIM_SUB("key_length_mla-rope.dimension_count", D_K, D_NROT),                        \
    [D_QLORA] = VDIM_KEY_OR("attention.q_lora_rank", 0),                                            \
    [D_KVLORA] = VDIM_KEY("attention.kv_lora_rank"),                                                \
    [D_KVA] = VDIM_ADD("kv_lora_rank+rope.dimension_count", D_KVLORA, D_NROT),                      \
    [D_NH_K] = VDIM_MUL("head_count*key_length_mla", D_NH, D_K),                                    \
    [D_NH_V] = VDIM_MUL("head_count*value_length_mla", D_NH, D_VH),                                 \
    [D_NOPE_V] = VDIM_ADD("key_length_mla-rope.dimension_count+value_length_mla", D_NOPE, D_VH),    \
    [D_NH_NOPE_V] = VDIM_MUL("head_count*(key_length_mla-rope.dimension_count+value_length_mla)",   \
                             D_NH, D_NOPE_V),                                                       \
    [D_F] = VDIM_KEY("feed_forward_length"),                                                        \
    [D_FE] = VDIM_KEY("expert_feed_forward_length"),                                                \
    [D_E] = VDIM_KEY_OR("expert_count", 0),                                                         \
    [D_S] = VDIM_KEY("expert_shared_count"),                                                        \
    [D_FE_S] = VDIM_MUL("expert_feed_forward_length*expert_shared_count", D_FE, D_S),               \
    [D_TWO] = VDIM_CONST("2", 2),                                                                   \
    [D_FE2] = VDIM_MUL("2*expert_feed_forward_length", D_TWO, D_FE),                                \
    [D_LEAD] = VDIM_KEY_OR("leading_dense_block_count", 0),                                         \
    [D_CLIP_BLOCKS] = VDIM_KEY("vision.block_count"),                                               \
    [D_SAM_BLOCKS] = VDIM_KEY("sam.block_count"),                                                   \
    [D_IH] = VDIM_KEY("attention.indexer.head_count"),                                              \
    [D_IHD] = VDIM_KEY("attention.indexer.key_length"),                                             \
    [D_IH_IHD] = VDIM_MUL("indexer.head_count*indexer.key_length", D_IH, D_IHD),                    \
    [D_NKV] = VDIM_KEY_ELSE("attention.head_count_kv", D_NH),                                       \
    [D_NKV_HEAD] = VDIM_MUL("head_count_kv*embedding_length/head_count", D_NKV, D_HEAD),

static const h2g_vdim_rule text_dims[D_TEXT_COUNT] = {
    TEXT_DIMS
    [D_L] = VDIM_KEY("block_count"),
};

/* deepseek32: the per-layer rules run over the model's layers; the MTP
 * layers after them have rules of their own (mtp_tensors). */
static const h2g_vdim_rule v32_dims[D_TEXT_COUNT] = {
    TEXT_DIMS
    [D_L] = VDIM_SUB("block_count-nextn_predict_layers", D_BLOCKS, D_NEXTN),
};


/* ---------------------------------------------------------------------------
 * Conditions
 * ------------------------------------------------------------------------- */

/* Value of dim id, or `otherwise` when it cannot be known. */
static uint64_t dim_or(const h2g_vctx *c, int id, uint64_t otherwise) {
    uint64_t v;
    return h2g_vctx_dim(c, id, &v) ? v : otherwise;
}

/* A key's presence with a non-zero UINT32 value. */
static bool key_nonzero(const h2g_vctx *c, const char *key) {
    const h2g_kv *kv = h2g_vctx_key(c, key);
    return kv && kv->type == H2G_VT_UINT32 && kv->num.u64 != 0;
}

static bool is_q_lora(const h2g_vctx *c, uint64_t layer) {
    (void)layer;
    return dim_or(c, D_QLORA, 0) > 0;
}
static bool is_not_q_lora(const h2g_vctx *c, uint64_t layer) { return !is_q_lora(c, layer); }

/* The loader's MLA test: both *_mla lengths present and non-zero. */
static bool is_mla(const h2g_vctx *c, uint64_t layer) {
    (void)layer;
    return key_nonzero(c, "attention.key_length_mla") &&
           key_nonzero(c, "attention.value_length_mla");
}
static bool is_not_mla(const h2g_vctx *c, uint64_t layer) { return !is_mla(c, layer); }

static bool is_dense_layer(const h2g_vctx *c, uint64_t layer) {
    return layer < dim_or(c, D_LEAD, 0);
}
static bool is_moe_layer(const h2g_vctx *c, uint64_t layer) { return !is_dense_layer(c, layer); }

static bool has_dense_layers(const h2g_vctx *c, uint64_t layer) {
    (void)layer;
    return dim_or(c, D_LEAD, 0) > 0;
}
static bool has_moe_layers(const h2g_vctx *c, uint64_t layer) {
    (void)layer;
    return dim_or(c, D_LEAD, 0) < dim_or(c, D_L, 0);
}

/* llama.cpp tolerates a missing q_lora_rank only for DeepSeek-V2-Lite
 * shapes: 26 or 27 layers, or 48 layers with a 128256-token vocabulary. */
static bool is_not_lite(const h2g_vctx *c, uint64_t layer) {
    (void)layer;
    uint64_t n_layer = dim_or(c, D_L, 0), n_vocab = dim_or(c, D_V, 0);
    bool lite = n_layer == 26 || n_layer == 27 || (n_layer == 48 && n_vocab == 128256);
    return !lite;
}

static const h2g_vcond q_lora = {is_q_lora, "{a}.attention.q_lora_rank > 0"};
static const h2g_vcond no_q_lora = {is_not_q_lora, "{a}.attention.q_lora_rank is absent or 0"};
static const h2g_vcond mla = {is_mla, "{a}.attention.key_length_mla is present"};
static const h2g_vcond no_mla = {is_not_mla, "{a}.attention.key_length_mla is absent"};
static const h2g_vcond dense_layer = {is_dense_layer, "layer < {a}.leading_dense_block_count"};
static const h2g_vcond moe_layer = {is_moe_layer, "layer >= {a}.leading_dense_block_count"};
static const h2g_vcond dense_layers = {has_dense_layers, "{a}.leading_dense_block_count > 0"};
static const h2g_vcond moe_layers = {
    has_moe_layers, "{a}.leading_dense_block_count < {a}.block_count (MoE layers)"};
static const h2g_vcond not_lite = {
    is_not_lite, "{a}.block_count is not 26 or 27 (llama.cpp's V2-Lite test)"};

/* ---------------------------------------------------------------------------
 * Tokenizer (both text architectures): keys, then the checks on values
 * ------------------------------------------------------------------------- */

/* Merges are required for gpt2 vocabularies, except kimi-k2's. */
static bool needs_merges(const h2g_vctx *c, uint64_t layer) {
    (void)layer;
    const h2g_kv_list *kv = &h2g_vctx_file(c)->kv;
    const char *model = NULL, *pre = NULL;
    if (!h2g_kv_get_str(kv, "tokenizer.ggml.model", &model) || strcmp(model, "gpt2") != 0)
        return false;
    return !h2g_kv_get_str(kv, "tokenizer.ggml.pre", &pre) || strcmp(pre, "kimi-k2") != 0;
}
static const h2g_vcond gpt2_merges = {needs_merges, "tokenizer.ggml.model is gpt2"};

/* Special token ids: all UINT32, all below the token count. */
static const char *const special_id_keys[] = {
    "tokenizer.ggml.bos_token_id",     "tokenizer.ggml.eos_token_id",
    "tokenizer.ggml.eot_token_id",     "tokenizer.ggml.eom_token_id",
    "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.seperator_token_id",
    "tokenizer.ggml.padding_token_id", "tokenizer.ggml.mask_token_id",
    "tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.fim_suf_token_id",
    "tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.fim_pad_token_id",
    "tokenizer.ggml.fim_rep_token_id", "tokenizer.ggml.fim_sep_token_id",
    NULL,
};

/* Pre-tokenizer names llama.cpp knows for the DeepSeek family (6.5). Every
 * name `convert --tokenizer-pre` accepts (vocab.h's h2g_known_pretokenizers)
 * must be here, or convert would plan what its own check refuses
 * (tests/cli/test_plan_check.sh tries each). */
static const char *const known_pre[] = {
    "default", "deepseek-llm", "deepseek-coder", "deepseek-v3", "kimi-k2", "llama-bpe", "qwen2",
    "joyai-llm", /* real DeepSeek-V4 tokenizers; read with deepseek-v3's regexes */
    NULL,
};

const h2g_vkey_rule h2g_vrules_tokenizer_keys[] = {
    {"tokenizer.ggml.model", H2G_VT_STRING, KEY_REQ, NULL, 0, 0},
    {"tokenizer.ggml.pre", H2G_VT_STRING, KEY_OPT, NULL, 0, 0},
    {"tokenizer.ggml.tokens", H2G_VT_ARRAY, KEY_REQ, NULL, H2G_VT_STRING, 1},
    {"tokenizer.ggml.token_type", H2G_VT_ARRAY, KEY_OPT, NULL, H2G_VT_INT32, 0},
    {"tokenizer.ggml.merges", H2G_VT_ARRAY, KEY_WHEN, &gpt2_merges, H2G_VT_STRING, 0},
    {"tokenizer.ggml.add_bos_token", H2G_VT_BOOL, KEY_OPT, NULL, 0, 0},
    {"tokenizer.ggml.add_eos_token", H2G_VT_BOOL, KEY_OPT, NULL, 0, 0},
    {"tokenizer.ggml.add_sep_token", H2G_VT_BOOL, KEY_OPT, NULL, 0, 0},
    {"tokenizer.chat_template", H2G_VT_STRING, KEY_OPT, NULL, 0, 0},
    {NULL, 0, 0, NULL, 0, 0},
};

/* The tokens array, when present and of the right type; else NULL. */
static const h2g_kv *token_list(const h2g_vctx *c) {
    const h2g_kv *kv = h2g_kv_get(&h2g_vctx_file(c)->kv, "tokenizer.ggml.tokens");
    return kv && kv->type == H2G_VT_ARRAY && kv->arr_type == H2G_VT_STRING ? kv : NULL;
}

/* qsort order of token pointers by their bytes; equal strings by position
 * (all point into one array), so the first of a run is the lowest id. */
static int cmp_token(const void *pa, const void *pb) {
    const h2g_str *x = *(const h2g_str *const *)pa, *y = *(const h2g_str *const *)pb;
    uint64_t n = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->data, y->data, (size_t)n);
    if (r == 0) r = x->len < y->len ? -1 : x->len > y->len;
    if (r == 0) r = x < y ? -1 : x > y;
    return r;
}

/* A token for a problem line: at most 40 bytes, with quotes, backslashes
 * and control bytes escaped. */
static void printable(const h2g_str *s, char *buf, size_t size) {
    size_t pos = 0;
    for (uint64_t i = 0; i < s->len && i < 40 && pos + 5 < size; i++) {
        unsigned char ch = (unsigned char)s->data[i];
        if (ch == '"' || ch == '\\')
            pos += (size_t)snprintf(buf + pos, size - pos, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            pos += (size_t)snprintf(buf + pos, size - pos, "\\x%02x", ch);
        else buf[pos++] = (char)ch;
    }
    buf[pos] = '\0';
}

/* Token strings must be unique (the loader asserts it): one problem giving
 * the number of repeats and the lowest repeating id. */
static void check_tokens_unique(h2g_vctx *c, const h2g_kv *toks) {
    if (toks->n < 2) return;
    const h2g_str **sorted = malloc((size_t)toks->n * sizeof *sorted);
    if (!sorted) {
        h2g_vctx_problem(c, "tokenizer.ggml.tokens: out of memory for the sorted list of its "
                            "%llu tokens; uniqueness not checked", (unsigned long long)toks->n);
        return;
    }
    for (uint64_t i = 0; i < toks->n; i++) sorted[i] = &toks->strs[i];
    qsort(sorted, (size_t)toks->n, sizeof *sorted, cmp_token);
    uint64_t repeats = 0, first = 0, orig = 0;
    for (uint64_t i = 1; i < toks->n; i++) {
        const h2g_str *x = sorted[i - 1], *y = sorted[i];
        if (x->len != y->len || memcmp(x->data, y->data, (size_t)x->len) != 0) continue;
        uint64_t id = (uint64_t)(y - toks->strs);
        if (repeats++ == 0 || id < first) {
            first = id;
            orig = (uint64_t)(x - toks->strs);
        }
    }
    free(sorted);
    if (!repeats) return;
    char text[256];
    printable(&toks->strs[first], text, sizeof text);
    h2g_vctx_problem(c, "tokenizer.ggml.tokens: %" PRIu64 " token string(s) repeat an earlier "
                     "one (first: id %" PRIu64 " \"%s\" repeats id %" PRIu64 ")",
                     repeats, first, text, orig);
}

/* Special ids below the token count; token_type covering every token; a
 * pre-tokenizer name the loader knows. */
static void check_tokenizer(h2g_vctx *c) {
    const h2g_kv_list *kv = &h2g_vctx_file(c)->kv;
    const h2g_kv *toks = token_list(c);
    if (!toks) return; /* reported by the key table */
    check_tokens_unique(c, toks);
    for (int i = 0; special_id_keys[i]; i++) {
        const h2g_kv *id = h2g_kv_get(kv, special_id_keys[i]);
        if (!id) continue;
        if (id->type != H2G_VT_UINT32)
            h2g_vctx_problem(c, "%s: has type %s, llama.cpp requires UINT32", special_id_keys[i],
                             h2g_value_type_name(id->type));
        else if (id->num.u64 >= toks->n)
            h2g_vctx_problem(c, "%s: %" PRIu64 " is not below the token count %" PRIu64,
                             special_id_keys[i], id->num.u64, toks->n);
    }
    const h2g_kv *types = h2g_kv_get(kv, "tokenizer.ggml.token_type");
    if (types && types->type == H2G_VT_ARRAY && types->n < toks->n)
        h2g_vctx_problem(c, "tokenizer.ggml.token_type: %" PRIu64 " elements, fewer than the %"
                         PRIu64 " tokens", types->n, toks->n);
    const char *pre;
    if (!h2g_kv_get_str(kv, "tokenizer.ggml.pre", &pre)) return;
    for (int i = 0; known_pre[i]; i++)
        if (!strcmp(pre, known_pre[i])) return;
    h2g_vctx_problem(c, "tokenizer.ggml.pre: \"%.60s\" is not a pre-tokenizer llama.cpp knows "
                     "for DeepSeek (default, deepseek-llm, deepseek-coder, deepseek-v3, kimi-k2, "
                     "joyai-llm)",
                     pre);
}

/* ---------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------- */

#define K(key, type, need) {key, type, need, NULL, 0, 0}
#define K_WHEN(key, type, cond) {key, type, KEY_WHEN, &cond, 0, 0}
#define K_END {NULL, 0, 0, NULL, 0, 0}

/* Keys both text architectures read the same way. */
static const h2g_vkey_rule text_common_keys[] = {
    K("{a}.context_length", U32, KEY_REQ),
    K("{a}.embedding_length", U32, KEY_REQ),
    K("{a}.block_count", U32, KEY_REQ),
    K_WHEN("{a}.feed_forward_length", U32, dense_layers),
    K("{a}.attention.head_count", U32, KEY_REQ),
    K("{a}.attention.head_count_kv", U32, KEY_OPT),
    K("{a}.attention.key_length", U32, KEY_OPT),
    K("{a}.attention.value_length", U32, KEY_OPT),
    K("{a}.attention.layer_norm_rms_epsilon", F32, KEY_REQ),
    K("{a}.rope.dimension_count", U32, KEY_OPT),
    K("{a}.rope.freq_base", F32, KEY_OPT),
    K("{a}.expert_feed_forward_length", U32, KEY_REQ),
    K("{a}.expert_shared_count", U32, KEY_REQ),
    K("{a}.leading_dense_block_count", U32, KEY_OPT),
    K_WHEN("{a}.expert_count", U32, moe_layers),
    K_WHEN("{a}.expert_used_count", U32, moe_layers),
    K("{a}.expert_group_count", U32, KEY_OPT),
    K("{a}.expert_group_used_count", U32, KEY_OPT),
    K("{a}.expert_weights_scale", F32, KEY_OPT),
    K("{a}.expert_weights_norm", H2G_VT_BOOL, KEY_OPT),
    K("{a}.expert_gating_func", U32, KEY_OPT),
    K("{a}.vocab_size", U32, KEY_OPT),
    K_END,
};

/* The YaRN keys (rope_scaling), deepseek2's and deepseek32's alike. */
static const h2g_vkey_rule yarn_keys[] = {
    K("{a}.rope.scaling.type", H2G_VT_STRING, KEY_OPT),
    K("{a}.rope.scaling.factor", F32, KEY_OPT),
    K("{a}.rope.scaling.original_context_length", U32, KEY_OPT),
    K("{a}.rope.scaling.yarn_ext_factor", F32, KEY_OPT),
    K("{a}.rope.scaling.yarn_attn_factor", F32, KEY_OPT),
    K("{a}.rope.scaling.yarn_beta_fast", F32, KEY_OPT),
    K("{a}.rope.scaling.yarn_beta_slow", F32, KEY_OPT),
    K("{a}.rope.scaling.yarn_log_multiplier", F32, KEY_OPT),
    K_END,
};

/* deepseek2's own: MLA ranks and head sizes (YaRN: yarn_keys). */
static const h2g_vkey_rule deepseek2_keys[] = {
    K_WHEN("{a}.attention.q_lora_rank", U32, not_lite),
    K("{a}.attention.kv_lora_rank", U32, KEY_REQ),
    K("{a}.attention.key_length_mla", U32, KEY_OPT),
    K("{a}.attention.value_length_mla", U32, KEY_OPT),
    K_END,
};

/* ---------------------------------------------------------------------------
 * Tensors (ne as src/models/deepseek2*.cpp creates them)
 * ------------------------------------------------------------------------- */

#define EXPS_FUSED "blk.N.ffn_gate_up_exps.weight"

/* Embeddings, norms, dense FFN and MoE: shared by both text architectures. */
static const h2g_vtensor_rule text_common_tensors[] = {
    {"token_embd.weight", 0, REQ, NULL, {D_H, D_V}, NULL},
    {"output_norm.weight", 0, REQ, NULL, {D_H}, NULL},
    {"output.weight", 0, OPT, NULL, {D_H, D_V}, NULL},
    {"blk.N.attn_norm.weight", D_L, REQ, NULL, {D_H}, NULL},
    {"blk.N.ffn_norm.weight", D_L, REQ, NULL, {D_H}, NULL},
    {"blk.N.ffn_gate.weight", D_L, REQ, &dense_layer, {D_H, D_F}, NULL},
    {"blk.N.ffn_up.weight", D_L, REQ, &dense_layer, {D_H, D_F}, NULL},
    {"blk.N.ffn_down.weight", D_L, REQ, &dense_layer, {D_F, D_H}, NULL},
    {"blk.N.ffn_gate_inp.weight", D_L, REQ, &moe_layer, {D_H, D_E}, NULL},
    {"blk.N.exp_probs_b.bias", D_L, OPT, &moe_layer, {D_E}, NULL},
    {"blk.N.ffn_gate_exps.weight", D_L, REQ, &moe_layer, {D_H, D_FE, D_E}, EXPS_FUSED},
    {"blk.N.ffn_up_exps.weight", D_L, REQ, &moe_layer, {D_H, D_FE, D_E}, EXPS_FUSED},
    {EXPS_FUSED, D_L, OPT, &moe_layer, {D_H, D_FE2, D_E}, NULL},
    {"blk.N.ffn_down_exps.weight", D_L, REQ, &moe_layer, {D_FE, D_H, D_E}, NULL},
    {"blk.N.ffn_gate_shexp.weight", D_L, REQ, &moe_layer, {D_H, D_FE_S}, NULL},
    {"blk.N.ffn_up_shexp.weight", D_L, REQ, &moe_layer, {D_H, D_FE_S}, NULL},
    {"blk.N.ffn_down_shexp.weight", D_L, REQ, &moe_layer, {D_FE_S, D_H}, NULL},
    {NULL, 0, 0, NULL, {0}, NULL},
};

/* deepseek2: multi-head latent attention. */
static const h2g_vtensor_rule mla_attention_tensors[] = {
    {"blk.N.attn_q_a_norm.weight", D_L, REQ, &q_lora, {D_QLORA}, NULL},
    {"blk.N.attn_q_a.weight", D_L, REQ, &q_lora, {D_H, D_QLORA}, NULL},
    {"blk.N.attn_q_b.weight", D_L, REQ, &q_lora, {D_QLORA, D_NH_K}, NULL},
    {"blk.N.attn_q.weight", D_L, REQ, &no_q_lora, {D_H, D_NH_K}, NULL},
    {"blk.N.attn_kv_a_norm.weight", D_L, REQ, NULL, {D_KVLORA}, NULL},
    {"blk.N.attn_kv_a_mqa.weight", D_L, REQ, NULL, {D_H, D_KVA}, NULL},
    {"blk.N.attn_k_b.weight", D_L, REQ, &mla, {D_NOPE, D_KVLORA, D_NH}, NULL},
    {"blk.N.attn_v_b.weight", D_L, REQ, &mla, {D_KVLORA, D_VH, D_NH}, NULL},
    {"blk.N.attn_kv_b.weight", D_L, REQ, &no_mla, {D_KVLORA, D_NH_NOPE_V}, NULL},
    {"blk.N.attn_output.weight", D_L, REQ, NULL, {D_NH_V, D_H}, NULL},
    {NULL, 0, 0, NULL, {0}, NULL},
};

/* deepseek2-ocr: plain multi-head attention, every projection {H, H}. */
static const h2g_vtensor_rule mha_attention_tensors[] = {
    {"blk.N.attn_q.weight", D_L, REQ, NULL, {D_H, D_H}, NULL},
    {"blk.N.attn_k.weight", D_L, REQ, NULL, {D_H, D_H}, NULL},
    {"blk.N.attn_v.weight", D_L, REQ, NULL, {D_H, D_H}, NULL},
    {"blk.N.attn_output.weight", D_L, REQ, NULL, {D_H, D_H}, NULL},
    {NULL, 0, 0, NULL, {0}, NULL},
};

/* ---------------------------------------------------------------------------
 * Value checks the loader asserts
 * ------------------------------------------------------------------------- */

/* A UINT32 key's value into *v; false when absent or of another type. */
static bool u32_key(const h2g_vctx *c, const char *key, uint64_t *v) {
    const h2g_kv *kv = h2g_vctx_key(c, key);
    if (!kv || kv->type != H2G_VT_UINT32) return false;
    *v = kv->num.u64;
    return true;
}

/* A UINT32 key's value, 0 when absent (the loader's default); false when
 * the key has another type (already reported; relations are then moot). */
static bool u32_or_zero(const h2g_vctx *c, const char *key, uint64_t *v) {
    *v = 0;
    return !h2g_vctx_key(c, key) || u32_key(c, key, v);
}

/* Expert counts (llama-model.cpp asserts these for every architecture). */
static void check_experts(h2g_vctx *c) {
    const char *a = h2g_vctx_prefix(c);
    uint64_t n_expert, used, groups, group_used;
    if (!u32_or_zero(c, "expert_count", &n_expert) || !u32_or_zero(c, "expert_used_count", &used) ||
        !u32_or_zero(c, "expert_group_count", &groups) ||
        !u32_or_zero(c, "expert_group_used_count", &group_used))
        return;
    if (has_moe_layers(c, 0) && h2g_vctx_key(c, "expert_count") && n_expert == 0)
        h2g_vctx_problem(c, "%s.expert_count: is 0, but layers from %s.leading_dense_block_count "
                         "on are MoE layers", a, a);
    if (used > n_expert)
        h2g_vctx_problem(c, "%s.expert_used_count: %" PRIu64 " is more than %s.expert_count %"
                         PRIu64, a, used, a, n_expert);
    if (n_expert > 0 && used == 0)
        h2g_vctx_problem(c, "%s.expert_used_count: must be > 0 when there are experts", a);
    if (groups >= n_expert && (n_expert > 0 || groups > 0))
        h2g_vctx_problem(c, "%s.expert_group_count: %" PRIu64 " must be below %s.expert_count %"
                         PRIu64, a, groups, a, n_expert);
    if (n_expert > 0 && groups > 1 && n_expert % groups != 0)
        h2g_vctx_problem(c, "%s.expert_group_count: %s.expert_count %" PRIu64
                         " is not a multiple of %" PRIu64, a, a, n_expert, groups);
    if (n_expert > 0 && groups > 1 && (group_used == 0 || group_used >= groups))
        h2g_vctx_problem(c, "%s.expert_group_used_count: %" PRIu64 " must be > 0 and below %s."
                         "expert_group_count %" PRIu64, a, group_used, a, groups);
}

/* deepseek2-ocr's graph asserts rope.freq_base == 10000 and, when written,
 * key_length == value_length == embedding_length / head_count. */
static void check_ocr_attention(h2g_vctx *c) {
    const char *a = h2g_vctx_prefix(c);
    const h2g_kv *base = h2g_vctx_key(c, "rope.freq_base");
    if (base && base->type == H2G_VT_FLOAT32 && base->num.f32 != 10000.0f)
        h2g_vctx_problem(c, "%s.rope.freq_base: %g, the deepseek2-ocr graph requires 10000", a,
                         (double)base->num.f32);
    uint64_t head, v;
    if (!h2g_vctx_dim(c, D_HEAD, &head)) return;
    static const char *const lengths[] = {"attention.key_length", "attention.value_length"};
    for (int i = 0; i < 2; i++)
        if (u32_key(c, lengths[i], &v) && v != head)
            h2g_vctx_problem(c, "%s.%s: %" PRIu64 ", the deepseek2-ocr graph requires "
                             "embedding_length/head_count = %" PRIu64, a, lengths[i], v, head);
}

/* ---------------------------------------------------------------------------
 * The two text architectures
 * ------------------------------------------------------------------------- */

static const h2g_varch deepseek2 = {
    .arch = "deepseek2",
    .prefix = "deepseek2",
    .strict_tensors = true,
    .dims = text_dims,
    .n_dims = D_TEXT_COUNT,
    .keys = {text_common_keys, deepseek2_keys, yarn_keys, h2g_vrules_tokenizer_keys},
    .tensors = {text_common_tensors, mla_attention_tensors},
    .checks = {check_tokenizer, check_experts},
};

static const h2g_varch deepseek2_ocr = {
    .arch = "deepseek2-ocr",
    .prefix = "deepseek2-ocr",
    .strict_tensors = true,
    .dims = text_dims,
    .n_dims = D_TEXT_COUNT,
    .keys = {text_common_keys, h2g_vrules_tokenizer_keys},
    .tensors = {text_common_tensors, mha_attention_tensors},
    .checks = {check_tokenizer, check_experts, check_ocr_attention},
};

/* ---------------------------------------------------------------------------
 * deepseek32 (DeepSeek-V3.2): deepseek2's MLA, always with q_lora, plus the
 * DSA indexer; the MTP layers after the model's layers are looked up
 * optionally and not shape-checked by the loader.
 * ------------------------------------------------------------------------- */

static const h2g_vkey_rule deepseek32_keys[] = {
    K("{a}.attention.q_lora_rank", U32, KEY_REQ),
    K("{a}.attention.kv_lora_rank", U32, KEY_REQ),
    /* formally optional, but the graph refuses files without MLA */
    K("{a}.attention.key_length_mla", U32, KEY_REQ),
    K("{a}.attention.value_length_mla", U32, KEY_REQ),
    K("{a}.attention.indexer.head_count", U32, KEY_REQ),
    K("{a}.attention.indexer.key_length", U32, KEY_REQ),
    K("{a}.attention.indexer.top_k", U32, KEY_REQ),
    K("{a}.expert_gating_func", U32, KEY_REQ), /* no default, unlike deepseek2 */
    K("{a}.nextn_predict_layers", U32, KEY_OPT),
    K_END,
};


/* The indexer of every model layer. */
static const h2g_vtensor_rule indexer_tensors[] = {
    {"blk.N.indexer.k_norm.weight", D_L, REQ, NULL, {D_IHD}, NULL},
    {"blk.N.indexer.k_norm.bias", D_L, REQ, NULL, {D_IHD}, NULL},
    {"blk.N.indexer.proj.weight", D_L, REQ, NULL, {D_H, D_IH}, NULL},
    {"blk.N.indexer.attn_k.weight", D_L, REQ, NULL, {D_H, D_IHD}, NULL},
    {"blk.N.indexer.attn_q_b.weight", D_L, REQ, NULL, {D_QLORA, D_IH_IHD}, NULL},
    {NULL, 0, 0, NULL, {0}, NULL},
};

static bool is_mtp_layer(const h2g_vctx *c, uint64_t layer) {
    return layer >= dim_or(c, D_L, UINT64_MAX);
}
static const h2g_vcond mtp_layer = {
    is_mtp_layer, "layer >= {a}.block_count - {a}.nextn_predict_layers (an MTP layer)"};

/* What the loader looks up in an MTP layer: anything of a layer, present or
 * not, any shape. */
#define MTP(name) {"blk.N." name, D_BLOCKS, OPT, &mtp_layer, ANY_SHAPE, NULL}
static const h2g_vtensor_rule mtp_tensors[] = {
    MTP("attn_norm.weight"), MTP("attn_q_a_norm.weight"), MTP("attn_q_a.weight"),
    MTP("attn_q_b.weight"), MTP("attn_kv_a_norm.weight"), MTP("attn_kv_a_mqa.weight"),
    MTP("attn_k_b.weight"), MTP("attn_v_b.weight"), MTP("attn_output.weight"),
    MTP("indexer.k_norm.weight"), MTP("indexer.k_norm.bias"), MTP("indexer.proj.weight"),
    MTP("indexer.attn_k.weight"), MTP("indexer.attn_q_b.weight"), MTP("ffn_norm.weight"),
    MTP("ffn_gate.weight"), MTP("ffn_up.weight"), MTP("ffn_down.weight"),
    MTP("ffn_gate_inp.weight"), MTP("exp_probs_b.bias"), MTP("ffn_gate_exps.weight"),
    MTP("ffn_up_exps.weight"), MTP("ffn_down_exps.weight"), MTP("ffn_gate_shexp.weight"),
    MTP("ffn_up_shexp.weight"), MTP("ffn_down_shexp.weight"), MTP("nextn.eh_proj.weight"),
    MTP("nextn.enorm.weight"), MTP("nextn.hnorm.weight"), MTP("nextn.embed_tokens.weight"),
    MTP("nextn.shared_head_head.weight"), MTP("nextn.shared_head_norm.weight"),
    {NULL, 0, 0, NULL, {0}, NULL},
};

/* nextn_predict_layers below block_count; the indexer's rotary part is
 * rope.dimension_count wide, so its head must hold it. */
static void check_deepseek32(h2g_vctx *c) {
    const char *a = h2g_vctx_prefix(c);
    uint64_t blocks, nextn, ihd, nrot;
    if (h2g_vctx_dim(c, D_BLOCKS, &blocks) && h2g_vctx_dim(c, D_NEXTN, &nextn) &&
        nextn >= blocks)
        h2g_vctx_problem(c, "%s.nextn_predict_layers: %" PRIu64 " is not below %s.block_count %"
                         PRIu64, a, nextn, a, blocks);
    if (h2g_vctx_dim(c, D_IHD, &ihd) && h2g_vctx_dim(c, D_NROT, &nrot) && ihd < nrot)
        h2g_vctx_problem(c, "%s.attention.indexer.key_length: %" PRIu64 " is less than %s.rope."
                         "dimension_count %" PRIu64, a, ihd, a, nrot);
}

static const h2g_varch deepseek32 = {
    .arch = "deepseek32",
    .prefix = "deepseek32",
    .strict_tensors = true,
    .dims = v32_dims,
    .n_dims = D_TEXT_COUNT,
    .keys = {text_common_keys, deepseek32_keys, yarn_keys, h2g_vrules_tokenizer_keys},
    .tensors = {text_common_tensors, mla_attention_tensors, indexer_tensors, mtp_tensors},
    .checks = {check_tokenizer, check_experts, check_deepseek32},
};

/* ---------------------------------------------------------------------------
 * deepseek (DeepSeek-MoE): llama-style attention, k/v with head_count_kv
 * heads, optional biases; the MoE and FFN tensors are the shared ones.
 * ------------------------------------------------------------------------- */

static const h2g_vkey_rule deepseek_keys[] = {
    K("{a}.rope.scaling.type", H2G_VT_STRING, KEY_OPT),
    K_END,
};

static const h2g_vtensor_rule gqa_attention_tensors[] = {
    {"blk.N.attn_q.weight", D_L, REQ, NULL, {D_H, D_H}, NULL},
    {"blk.N.attn_k.weight", D_L, REQ, NULL, {D_H, D_NKV_HEAD}, NULL},
    {"blk.N.attn_v.weight", D_L, REQ, NULL, {D_H, D_NKV_HEAD}, NULL},
    {"blk.N.attn_q.bias", D_L, OPT, NULL, {D_H}, NULL},
    {"blk.N.attn_k.bias", D_L, OPT, NULL, {D_NKV_HEAD}, NULL},
    {"blk.N.attn_v.bias", D_L, OPT, NULL, {D_NKV_HEAD}, NULL},
    {"blk.N.attn_output.weight", D_L, REQ, NULL, {D_H, D_H}, NULL},
    {NULL, 0, 0, NULL, {0}, NULL},
};

/* The graph rotates whole heads: rope.dimension_count, when written, is
 * the head size embedding_length / head_count. */
static void check_deepseek_rope(h2g_vctx *c) {
    uint64_t head, nrot;
    if (!h2g_vctx_dim(c, D_HEAD, &head) || !u32_key(c, "rope.dimension_count", &nrot)) return;
    if (nrot != head)
        h2g_vctx_problem(c, "%s.rope.dimension_count: %" PRIu64 ", the deepseek graph requires "
                         "embedding_length/head_count = %" PRIu64, h2g_vctx_prefix(c), nrot, head);
}

static const h2g_varch deepseek = {
    .arch = "deepseek",
    .prefix = "deepseek",
    .strict_tensors = true,
    .dims = text_dims,
    .n_dims = D_TEXT_COUNT,
    .keys = {text_common_keys, deepseek_keys, h2g_vrules_tokenizer_keys},
    .tensors = {text_common_tensors, gqa_attention_tensors},
    .checks = {check_tokenizer, check_experts, check_deepseek_rope},
};

/* ===========================================================================
 * Ollama's deepseekocr: one file with text, CLIP, SAM and projector
 * (conversion-reference 8.4). Ollama's llama.cpp translates it in memory
 * (fills in rms epsilon, expert sizes and the clip.* keys), so only what
 * that translation needs is required; expert widths have no key and are
 * not checked.
 * ======================================================================== */

static const h2g_vkey_rule ollama_ocr_keys[] = {
    K("{a}.block_count", U32, KEY_REQ),
    K("{a}.context_length", U32, KEY_REQ),
    K("{a}.embedding_length", U32, KEY_REQ),
    K("{a}.feed_forward_length", U32, KEY_REQ),
    K("{a}.attention.head_count", U32, KEY_REQ),
    K("{a}.attention.head_count_kv", U32, KEY_REQ),
    K("{a}.expert_count", U32, KEY_REQ),
    K("{a}.expert_used_count", U32, KEY_REQ),
    K("{a}.leading_dense_block_count", U32, KEY_REQ),
    K("{a}.vision.block_count", U32, KEY_REQ),
    K("{a}.vision.embedding_length", U32, KEY_REQ),
    K("{a}.vision.head_count", U32, KEY_REQ),
    K("{a}.vision.image_size", U32, KEY_REQ),
    K("{a}.vision.patch_size", U32, KEY_REQ),
    K("{a}.sam.block_count", U32, KEY_REQ),
    K("{a}.sam.embedding_length", U32, KEY_REQ),
    K("{a}.sam.head_count", U32, KEY_REQ),
    {"{a}.sam.global_attention_indexes", H2G_VT_ARRAY, KEY_REQ, NULL, H2G_VT_INT32, 0},
    K_END,
};

#define O_SAM(name) {"s.blk.N." name, D_SAM_BLOCKS, REQ, NULL, ANY_SHAPE, NULL}
#define O_CLIP(name) {"v.blk.N." name, D_CLIP_BLOCKS, REQ, NULL, ANY_SHAPE, NULL}
#define O_ONE(name) {name, 0, REQ, NULL, ANY_SHAPE, NULL}

static const h2g_vtensor_rule ollama_ocr_vision_tensors[] = {
    O_ONE("s.patch_embd.weight"), O_ONE("s.patch_embd.bias"), O_ONE("s.position_embd"),
    O_SAM("norm1.weight"), O_SAM("norm1.bias"), O_SAM("norm2.weight"), O_SAM("norm2.bias"),
    O_SAM("attn.qkv.weight"), O_SAM("attn.qkv.bias"), O_SAM("attn.proj.weight"),
    O_SAM("attn.proj.bias"), O_SAM("attn.rel_pos_h"), O_SAM("attn.rel_pos_w"),
    O_SAM("mlp.lin1.weight"), O_SAM("mlp.lin1.bias"), O_SAM("mlp.lin2.weight"),
    O_SAM("mlp.lin2.bias"),
    O_ONE("s.neck.0.weight"), O_ONE("s.neck.1.weight"), O_ONE("s.neck.1.bias"),
    O_ONE("s.neck.2.weight"), O_ONE("s.neck.3.weight"), O_ONE("s.neck.3.bias"),
    O_ONE("s.net_2.weight"), O_ONE("s.net_3.weight"),
    O_ONE("v.class_embd"), O_ONE("v.patch_embd.weight"), O_ONE("v.position_embd.weight"),
    O_ONE("v.pre_layrnorm.weight"), O_ONE("v.pre_layrnorm.bias"),
    O_CLIP("self_attn.qkv_proj.weight"), O_CLIP("self_attn.qkv_proj.bias"),
    O_CLIP("self_attn.out_proj.weight"), O_CLIP("self_attn.out_proj.bias"),
    O_CLIP("layer_norm1.weight"), O_CLIP("layer_norm1.bias"), O_CLIP("layer_norm2.weight"),
    O_CLIP("layer_norm2.bias"), O_CLIP("mlp.fc1.weight"), O_CLIP("mlp.fc1.bias"),
    O_CLIP("mlp.fc2.weight"), O_CLIP("mlp.fc2.bias"),
    O_ONE("mm.layers.weight"), O_ONE("mm.layers.bias"),
    {"mm.image_newline", 0, REQ, NULL, {D_H}, NULL},
    {"mm.view_seperator", 0, REQ, NULL, {D_H}, NULL},
    {NULL, 0, 0, NULL, {0}, NULL},
};

static const h2g_varch ollama_deepseekocr = {
    .arch = "deepseekocr",
    .prefix = "deepseekocr",
    .strict_tensors = true,
    .dims = text_dims,
    .n_dims = D_TEXT_COUNT,
    .keys = {ollama_ocr_keys, h2g_vrules_tokenizer_keys},
    .tensors = {text_common_tensors, mha_attention_tensors, ollama_ocr_vision_tensors},
    .checks = {check_tokenizer, check_experts},
};

/* ===========================================================================
 * mmproj files: clip with projector deepseekocr / deepseekocr2 (section 9.3)
 *
 * Only what tools/mtmd/clip.cpp reads or the graph relies on is checked.
 * The clip loader ignores tensors it does not use, so these entries are not
 * strict, and the FFN widths are not compared with feed_forward_length (the
 * reference writes 4 x heads for v1 and 4864 for v2, whatever the tensors).
 * ======================================================================== */

enum {
    C_PROJ = H2G_VDIM_FIRST, /* projection_dim: the text model's width */
    C_BLOCKS,                /* vision.block_count (CLIP-L or Qwen2 layers) */
    C_SAM_EMBD,
    C_SAM_HEADS,
    C_SAM_HEAD_DIM,
    C_SAM_BLOCKS,
    C_SAM_GRID,
    C_ONE,
    C_CLIP_POS,
    C_QUERIES_768,
    C_QUERIES_1024,
    C_COUNT
};

/* The constants are fixed by llama.cpp's graph code, not by the model: 12
 * SAM blocks, a 64x64 SAM grid (1024-pixel images, 16-pixel patches), 257
 * CLIP positions (16x16 patches + class token), 144 and 256 resampler
 * queries. */
static const h2g_vdim_rule clip_dims[C_COUNT] = {
    [C_PROJ] = VDIM_KEY("vision.projection_dim"),
    [C_BLOCKS] = VDIM_KEY("vision.block_count"),
    [C_SAM_EMBD] = VDIM_KEY("vision.sam.embedding_length"),
    [C_SAM_HEADS] = VDIM_KEY("vision.sam.head_count"),
    [C_SAM_HEAD_DIM] = VDIM_DIV("sam.embedding_length/sam.head_count", C_SAM_EMBD, C_SAM_HEADS),
    [C_SAM_BLOCKS] = VDIM_CONST("12", 12),
    [C_SAM_GRID] = VDIM_CONST("64", 64),
    [C_ONE] = VDIM_CONST("1", 1),
    [C_CLIP_POS] = VDIM_CONST("257", 257),
    [C_QUERIES_768] = VDIM_CONST("144", 144),
    [C_QUERIES_1024] = VDIM_CONST("256", 256),
};

static const h2g_vkey_rule clip_keys[] = {
    K("{a}.projector_type", H2G_VT_STRING, KEY_REQ),
    K("{a}.has_vision_encoder", H2G_VT_BOOL, KEY_REQ),
    K("{a}.vision.embedding_length", U32, KEY_REQ),
    K("{a}.vision.attention.head_count", U32, KEY_REQ),
    K("{a}.vision.feed_forward_length", U32, KEY_REQ),
    K("{a}.vision.block_count", U32, KEY_REQ),
    K("{a}.vision.projection_dim", U32, KEY_REQ),
    K("{a}.vision.attention.layer_norm_epsilon", F32, KEY_REQ),
    K("{a}.vision.image_size", U32, KEY_REQ),
    K("{a}.vision.patch_size", U32, KEY_REQ),
    {"{a}.vision.image_mean", H2G_VT_ARRAY, KEY_REQ, NULL, H2G_VT_FLOAT32, 3},
    {"{a}.vision.image_std", H2G_VT_ARRAY, KEY_REQ, NULL, H2G_VT_FLOAT32, 3},
    K("{a}.use_gelu", H2G_VT_BOOL, KEY_OPT),
    K("{a}.use_silu", H2G_VT_BOOL, KEY_OPT),
    K("{a}.vision.sam.block_count", U32, KEY_REQ),
    K("{a}.vision.sam.head_count", U32, KEY_REQ),
    K("{a}.vision.sam.embedding_length", U32, KEY_REQ),
    K("{a}.vision.window_size", U32, KEY_REQ),
    K_END,
};

/* deepseekocr2's Qwen2 encoder uses grouped-query attention. */
static const h2g_vkey_rule clip_ocr2_keys[] = {
    K("{a}.vision.attention.head_count_kv", U32, KEY_REQ),
    K_END,
};

#define SAM_BLK(name, ...) {"v.sam.blk.N." name, C_SAM_BLOCKS, REQ, NULL, __VA_ARGS__, NULL}
#define VIT_BLK(name) {"v.blk.N." name, C_BLOCKS, REQ, NULL, ANY_SHAPE, NULL}
#define GLOBAL(name, ...) {name, 0, REQ, NULL, __VA_ARGS__, NULL}
#define T_END {NULL, 0, 0, NULL, {0}, NULL}

/* SAM ViT-B, neck, separator and projector: both versions. */
static const h2g_vtensor_rule clip_sam_tensors[] = {
    GLOBAL("v.sam.pos_embd.weight", {C_SAM_EMBD, C_SAM_GRID, C_SAM_GRID, C_ONE}),
    GLOBAL("v.sam.patch_embd.weight", ANY_SHAPE),
    GLOBAL("v.sam.patch_embd.bias", ANY_SHAPE),
    SAM_BLK("attn.qkv.weight", ANY_SHAPE),
    SAM_BLK("attn.qkv.bias", ANY_SHAPE),
    SAM_BLK("attn.out.weight", ANY_SHAPE),
    SAM_BLK("attn.out.bias", ANY_SHAPE),
    SAM_BLK("pre_ln.weight", ANY_SHAPE),
    SAM_BLK("pre_ln.bias", ANY_SHAPE),
    SAM_BLK("post_ln.weight", ANY_SHAPE),
    SAM_BLK("post_ln.bias", ANY_SHAPE),
    SAM_BLK("attn.pos_h.weight", {C_SAM_HEAD_DIM, ANY}),
    SAM_BLK("attn.pos_w.weight", {C_SAM_HEAD_DIM, ANY}),
    SAM_BLK("mlp.lin1.weight", ANY_SHAPE),
    SAM_BLK("mlp.lin1.bias", ANY_SHAPE),
    SAM_BLK("mlp.lin2.weight", ANY_SHAPE),
    SAM_BLK("mlp.lin2.bias", ANY_SHAPE),
    GLOBAL("v.sam.neck.0.weight", ANY_SHAPE),
    GLOBAL("v.sam.neck.1.weight", ANY_SHAPE),
    GLOBAL("v.sam.neck.1.bias", ANY_SHAPE),
    GLOBAL("v.sam.neck.2.weight", ANY_SHAPE),
    GLOBAL("v.sam.neck.3.weight", ANY_SHAPE),
    GLOBAL("v.sam.neck.3.bias", ANY_SHAPE),
    GLOBAL("v.sam.net_2.weight", ANY_SHAPE),
    GLOBAL("v.sam.net_3.weight", ANY_SHAPE),
    GLOBAL("v.view_seperator", {C_PROJ}),
    GLOBAL("mm.model.fc.weight", {ANY, C_PROJ}),
    GLOBAL("mm.model.fc.bias", ANY_SHAPE),
    T_END,
};

/* deepseekocr: CLIP-L. */
static const h2g_vtensor_rule clip_ocr_tensors[] = {
    VIT_BLK("attn_qkv.weight"),
    VIT_BLK("attn_qkv.bias"),
    VIT_BLK("attn_out.weight"),
    VIT_BLK("attn_out.bias"),
    VIT_BLK("ln1.weight"),
    VIT_BLK("ln1.bias"),
    VIT_BLK("ln2.weight"),
    VIT_BLK("ln2.bias"),
    VIT_BLK("ffn_up.weight"),
    VIT_BLK("ffn_up.bias"),
    VIT_BLK("ffn_down.weight"),
    VIT_BLK("ffn_down.bias"),
    GLOBAL("v.class_embd", ANY_SHAPE),
    GLOBAL("v.position_embd.weight", {ANY, C_CLIP_POS}),
    GLOBAL("v.pre_ln.weight", ANY_SHAPE),
    GLOBAL("v.pre_ln.bias", ANY_SHAPE),
    GLOBAL("v.image_newline", {C_PROJ}),
    T_END,
};

/* deepseekocr2: Qwen2 encoder and its resampler queries. */
static const h2g_vtensor_rule clip_ocr2_tensors[] = {
    VIT_BLK("attn_q.weight"),
    VIT_BLK("attn_q.bias"),
    VIT_BLK("attn_k.weight"),
    VIT_BLK("attn_k.bias"),
    VIT_BLK("attn_v.weight"),
    VIT_BLK("attn_v.bias"),
    VIT_BLK("attn_out.weight"),
    VIT_BLK("ln1.weight"),
    VIT_BLK("ln2.weight"),
    VIT_BLK("ffn_gate.weight"),
    VIT_BLK("ffn_up.weight"),
    VIT_BLK("ffn_down.weight"),
    GLOBAL("v.post_ln.weight", ANY_SHAPE),
    GLOBAL("v.resample_query_768.weight", {ANY, C_QUERIES_768}),
    GLOBAL("v.resample_query_1024.weight", {ANY, C_QUERIES_1024}),
    T_END,
};

/* has_vision_encoder must be true; use_gelu and use_silu not both. */
static void check_clip_flags(h2g_vctx *c) {
    const h2g_kv *enc = h2g_vctx_key(c, "has_vision_encoder");
    if (enc && enc->type == H2G_VT_BOOL && !enc->num.b)
        h2g_vctx_problem(c, "clip.has_vision_encoder: is false, llama.cpp requires true");
    const h2g_kv *gelu = h2g_vctx_key(c, "use_gelu"), *silu = h2g_vctx_key(c, "use_silu");
    if (gelu && silu && gelu->type == H2G_VT_BOOL && silu->type == H2G_VT_BOOL && gelu->num.b &&
        silu->num.b)
        h2g_vctx_problem(c, "clip.use_silu: clip.use_gelu and clip.use_silu are both true");
}

static const h2g_varch clip_deepseekocr = {
    .arch = "clip",
    .projector = "deepseekocr",
    .prefix = "clip",
    .strict_tensors = false,
    .dims = clip_dims,
    .n_dims = C_COUNT,
    .keys = {clip_keys},
    .tensors = {clip_sam_tensors, clip_ocr_tensors},
    .checks = {check_clip_flags},
};

static const h2g_varch clip_deepseekocr2 = {
    .arch = "clip",
    .projector = "deepseekocr2",
    .prefix = "clip",
    .strict_tensors = false,
    .dims = clip_dims,
    .n_dims = C_COUNT,
    .keys = {clip_keys, clip_ocr2_keys},
    .tensors = {clip_sam_tensors, clip_ocr2_tensors},
    .checks = {check_clip_flags},
};

/* ===========================================================================
 * Registry: one line per architecture (and clip projector)
 * ======================================================================== */

const h2g_varch *const h2g_verify_archs[] = {
    &deepseek2,
    &deepseek2_ocr,
    &deepseek32,
    &deepseek,
    &ollama_deepseekocr,
    &clip_deepseekocr,
    &clip_deepseekocr2,
    &h2g_verify_deepseek4,
    NULL,
};

/* The shared checks, under names other files can see (verify_rules.h). */
void h2g_vcheck_tokenizer(h2g_vctx *c) { check_tokenizer(c); }
