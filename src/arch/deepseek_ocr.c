/*
 * deepseek_ocr.c - DeepSeek-OCR (DeepseekOCRForCausalLM): the text model is
 * deepseek2.c's (arch deepseek2-ocr); the mmproj pairs SAM ViT-B with a
 * CLIP-L tower (projector type deepseekocr). Facts: conversion-reference.md
 * section 5.
 */
#include "arch/ocr_vision.h"
#include "hparams.h"

/* CLIP-L, with its fused qkv projection. */
static const h2g_name_rule clip_names[] = {
    {"model.vision_model.embeddings.class_embedding", "v.class_embd"},
    {"model.vision_model.embeddings.patch_embedding", "v.patch_embd"},
    {"model.vision_model.embeddings.position_embedding", "v.position_embd"},
    {"model.vision_model.pre_layrnorm", "v.pre_ln"}, /* sic */
    {"model.vision_model.post_layernorm", "v.post_ln"},
    {"model.vision_model.transformer.layers.{N}.layer_norm1", "v.blk.{N}.ln1"},
    {"model.vision_model.transformer.layers.{N}.layer_norm2", "v.blk.{N}.ln2"},
    {"model.vision_model.transformer.layers.{N}.self_attn.qkv_proj", "v.blk.{N}.attn_qkv"},
    {"model.vision_model.transformer.layers.{N}.self_attn.out_proj", "v.blk.{N}.attn_out"},
    {"model.vision_model.transformer.layers.{N}.mlp.fc1", "v.blk.{N}.ffn_up"},
    {"model.vision_model.transformer.layers.{N}.mlp.fc2", "v.blk.{N}.ffn_down"},
    {NULL, NULL},
};

/* The reference merges width["clip-l-14-224"] over vision_config, so the
 * CLIP entry's image_size (224) and patch_size (14) win, and it derives the
 * feed-forward length as heads x 4 (not the real MLP width; the runtime
 * does not read it for this projector). */
static int read_clip_params(const cJSON *vc, const cJSON *w, h2g_ocr_params *p,
                            h2g_error *err) {
    const char *where = "config.json: vision_config.width.clip-l-14-224";
    static const char *const keys[] = {"image_size", "patch_size", "layers", "width", "heads"};
    uint32_t *out[] = {&p->image_size, &p->patch_size, &p->block_count, &p->embedding_length,
                       &p->head_count};
    for (int i = 0; i < 5; i++) {
        bool has;
        if (h2g_json_u32_opt(w, where, keys[i], out[i], &has, err) != 0) return -1;
        if (!has && (i != 0 || h2g_json_u32_opt(vc, "config.json: vision_config", keys[i],
                                                 out[i], &has, err) != 0 || !has))
            return h2g_fail(err, "%s: '%s' is missing", where, keys[i]);
    }
    p->feed_forward_length = p->head_count * 4;
    p->head_count_kv = 0;
    return 0;
}

static const h2g_ocr_encoder clip_encoder = {
    .projector_type = "deepseekocr",
    .width_key = "clip-l-14-224",
    .names = clip_names,
    .read_params = read_clip_params,
};

int h2g_deepseek_ocr_mmproj_plan(const h2g_checkout *co, const h2g_convert_options *o,
                                 h2g_plan *out, h2g_error *err) {
    return h2g_ocr_vision_plan(co, o, &clip_encoder, out, err);
}
