/*
 * deepseek32.c - DeepSeek-V3.2, V3.2-Exp, V3.2-Speciale
 * (DeepseekV32ForCausalLM, arch deepseek32).
 *
 * Facts: conversion-reference-more.md section 12. deepseek2 (V3) with:
 * the MTP layers kept as blocks (block_count counts them; their extra
 * tensors become blk.N.nextn.*), the DSA indexer's tensors in every layer
 * (its projection always F32, see common.c), four more keys after
 * yarn_log_multiplier, and the reference's add_bos_token requirement. FP8
 * with ue8m0 scales needs nothing special: the scales are powers of two,
 * still F32 tensors, applied like any block scale.
 */
#include "arch/arch.h"
#include "arch/deepseek2.h"

/* Tried before deepseek2's table. */
static const h2g_name_rule v32_names[] = {
    {"model.layers.{N}.self_attn.indexer.wq_b", "blk.{N}.indexer.attn_q_b"},
    {"model.layers.{N}.self_attn.indexer.wk", "blk.{N}.indexer.attn_k"},
    {"model.layers.{N}.self_attn.indexer.k_norm", "blk.{N}.indexer.k_norm"},
    {"model.layers.{N}.self_attn.indexer.weights_proj", "blk.{N}.indexer.proj"},
    /* the MTP layers' own tensors */
    {"model.layers.{N}.embed_tokens", "blk.{N}.nextn.embed_tokens"},
    {"model.layers.{N}.enorm", "blk.{N}.nextn.enorm"},
    {"model.layers.{N}.hnorm", "blk.{N}.nextn.hnorm"},
    {"model.layers.{N}.eh_proj", "blk.{N}.nextn.eh_proj"},
    {"model.layers.{N}.shared_head.norm", "blk.{N}.nextn.shared_head_norm"},
    {"model.layers.{N}.shared_head.head", "blk.{N}.nextn.shared_head_head"},
    {NULL, NULL},
};

/* An indexer key: required, as by the reference (a missing one aborts). */
static int copy_indexer(const h2g_ds2_keys *k, const char *key, const char *cfg, h2g_error *err) {
    if (h2g_hparams_has(k->hp, cfg)) return h2g_ds2_copy_u32(k, key, cfg, true, err);
    return h2g_fail(err, "%s: required key '%s' is missing; DeepseekV32ForCausalLM needs "
                         "index_n_heads, index_head_dim and index_topk (the DSA indexer's "
                         "heads, head size and top-k)", k->hp->file, cfg);
}

/* Keys 40-43 of reference 12.3, after rope.scaling.yarn_log_multiplier. */
static int add_v32_keys(const h2g_ds2_keys *k, h2g_error *err) {
    return h2g_ds2_copy_u32(k, "nextn_predict_layers", "num_nextn_predict_layers", false,
                            err) != 0 ||
                   copy_indexer(k, "attention.indexer.head_count", "index_n_heads", err) != 0 ||
                   copy_indexer(k, "attention.indexer.key_length", "index_head_dim", err) != 0 ||
                   copy_indexer(k, "attention.indexer.top_k", "index_topk", err) != 0
               ? -1
               : 0;
}

/* The reference loads the tokenizer and refuses one that does not add BOS
 * (for LlamaTokenizerFast: tokenizer_config.json's add_bos_token, true when
 * absent). hf2gguf refuses the same checkouts, saying what to change. */
static int check_add_bos(const h2g_checkout *co, h2g_error *err) {
    /* Only the gpt2 path: no tiktoken fallback for this class (12.7). */
    if (!cJSON_IsObject(co->tokenizer))
        return h2g_fail(err, "tokenizer.json: not found in %s; DeepseekV32ForCausalLM takes its "
                             "vocabulary from tokenizer.json only (llama.cpp's converter has no "
                             "other path for it)", co->dir);
    const cJSON *flag =
        co->tokenizer_config ? cJSON_GetObjectItemCaseSensitive(co->tokenizer_config,
                                                                "add_bos_token")
                             : NULL;
    if (!flag || cJSON_IsNull(flag) || cJSON_IsTrue(flag)) return 0;
    if (!cJSON_IsBool(flag))
        return h2g_fail(err, "tokenizer_config.json: 'add_bos_token' must be true or false");
    return h2g_fail(err, "tokenizer_config.json: 'add_bos_token' is false; llama.cpp's converter "
                         "refuses DeepSeek-V3.2 checkouts whose tokenizer does not add BOS. Set "
                         "\"add_bos_token\": true in tokenizer_config.json (in a copy of the "
                         "checkout) and convert again; the file then says "
                         "tokenizer.ggml.add_bos_token = true, as llama.cpp's would");
}

static const h2g_ds2_variant deepseek32_variant = {
    .arch = "deepseek32",
    .keep_mtp = true,
    .extra_names = v32_names,
    .extra_keys = add_v32_keys,
    .vocab_check = check_add_bos,
};

int h2g_deepseek32_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *out,
                        h2g_error *err) {
    return h2g_ds2_plan(co, o, &deepseek32_variant, out, err);
}
