/*
 * deepseek.c - DeepSeek-MoE 16B base/chat (DeepseekForCausalLM, arch
 * deepseek).
 *
 * Facts: conversion-reference-more.md section 13. The tensor walk is
 * deepseek2's (same names, experts merged the same way, in numeric order
 * whatever the name order: experts.10 sorts before experts.2) with plain
 * q/k/v/o attention whose q and k rows are interleaved per head for
 * llama.cpp's RoPE, and no tied-head skip. The keys after general.file_type
 * are this class's own; the vocabulary is tokenizer.json's.
 */
#include "arch/arch.h"
#include "arch/deepseek2.h"

/* Keys after general.file_type (reference 13.2, #21-#28). */
static int add_moe_keys(const h2g_ds2_keys *k, h2g_error *err) {
    uint32_t dim, hidden, heads;
    bool has;
    if (h2g_hparams_u32_opt(k->hp, "head_dim", &dim, &has, err) != 0) return -1;
    if (!has) {
        if (h2g_hparams_u32(k->hp, "hidden_size", &hidden, err) != 0 ||
            h2g_hparams_u32(k->hp, "num_attention_heads", &heads, err) != 0)
            return -1;
        if (heads == 0)
            return h2g_fail(err, "%s: 'num_attention_heads' is 0", k->hp->file);
        dim = hidden / heads;
    }
    /* The class always writes "none", over a type written from rope_scaling
     * (in place: any factor written with it stays). */
    return h2g_ds2_set_u32(k, "rope.dimension_count", dim, err) != 0 ||
                   h2g_ds2_set_str(k, "rope.scaling.type", "none", err) != 0 ||
                   h2g_ds2_copy_u32(k, "leading_dense_block_count", "first_k_dense_replace",
                                    true, err) != 0 ||
                   h2g_ds2_copy_u32(k, "vocab_size", "vocab_size", true, err) != 0 ||
                   h2g_ds2_copy_u32(k, "expert_feed_forward_length", "moe_intermediate_size",
                                    true, err) != 0 ||
                   /* routed_scaling_factor is not read by this class */
                   h2g_ds2_set_f32(k, "expert_weights_scale", 1.0, err) != 0 ||
                   h2g_ds2_copy_u32(k, "expert_count", "n_routed_experts", true, err) != 0 ||
                   h2g_ds2_copy_u32(k, "expert_shared_count", "n_shared_experts", true, err) != 0
               ? -1
               : 0;
}

/* The reference tries a sentencepiece vocabulary (tokenizer.model) first
 * and uses tokenizer.json only when there is none. hf2gguf reads
 * tokenizer.json only, so a checkout with a tokenizer.model is refused
 * rather than given a vocabulary the reference would not write. */
static int check_vocab(const h2g_checkout *co, h2g_error *err) {
    if (!h2g_checkout_has_file(co, "tokenizer.model")) {
        if (cJSON_IsObject(co->tokenizer)) return 0;
        /* no tiktoken fallback for this class either */
        return h2g_fail(err, "tokenizer.json: not found in %s; DeepseekForCausalLM takes its "
                             "vocabulary from tokenizer.json (or, in llama.cpp's converter, a "
                             "sentencepiece tokenizer.model)", co->dir);
    }
    return h2g_fail(err, "tokenizer.model: present in %s; llama.cpp's converter would build a "
                         "sentencepiece (llama) vocabulary from it for DeepseekForCausalLM, which "
                         "hf2gguf does not do (it reads tokenizer.json; the official DeepSeek-MoE "
                         "checkouts ship no tokenizer.model). Convert a copy without "
                         "tokenizer.model to use tokenizer.json's vocabulary, as llama.cpp "
                         "does for such a copy too",
                    co->dir);
}

static const h2g_ds2_variant deepseek_variant = {
    .arch = "deepseek",
    .plain_attention = true,
    .permute_qk = true,
    .config_head_count_kv = true,
    .no_rms_eps_default = true,
    .keep_tied_head = true,
    .model_keys = add_moe_keys,
    .vocab_check = check_vocab,
};

int h2g_deepseek_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *out,
                      h2g_error *err) {
    return h2g_ds2_plan(co, o, &deepseek_variant, out, err);
}
