/*
 * deepseek_ocr2.c - DeepSeek-OCR-2 (DeepseekOCR2ForCausalLM): the text
 * model is deepseek2.c's (arch deepseek2-ocr); the mmproj pairs SAM ViT-B
 * with a Qwen2 decoder used as an encoder, with learned queries (projector
 * type deepseekocr2). Facts: conversion-reference.md section 5.
 */
#include "arch/ocr_vision.h"
#include "source/hparams.h"

static const h2g_name_rule qwen2_names[] = {
    {"model.qwen2_model.model.model.layers.{N}.self_attn.q_proj", "v.blk.{N}.attn_q"},
    {"model.qwen2_model.model.model.layers.{N}.self_attn.k_proj", "v.blk.{N}.attn_k"},
    {"model.qwen2_model.model.model.layers.{N}.self_attn.v_proj", "v.blk.{N}.attn_v"},
    {"model.qwen2_model.model.model.layers.{N}.self_attn.o_proj", "v.blk.{N}.attn_out"},
    {"model.qwen2_model.model.model.layers.{N}.input_layernorm", "v.blk.{N}.ln1"},
    {"model.qwen2_model.model.model.layers.{N}.post_attention_layernorm", "v.blk.{N}.ln2"},
    {"model.qwen2_model.model.model.layers.{N}.mlp.gate_proj", "v.blk.{N}.ffn_gate"},
    {"model.qwen2_model.model.model.layers.{N}.mlp.up_proj", "v.blk.{N}.ffn_up"},
    {"model.qwen2_model.model.model.layers.{N}.mlp.down_proj", "v.blk.{N}.ffn_down"},
    {"model.qwen2_model.model.model.norm", "v.post_ln"},
    {"model.qwen2_model.query_768", "v.resample_query_768"},
    {"model.qwen2_model.query_1024", "v.resample_query_1024"},
    {NULL, NULL},
};

/* The config gives only the Qwen2 width (width["qwen2-0-5b"].dim); the
 * reference fills the rest with Qwen2-0.5B's numbers: 24 layers, 14 heads,
 * 2 KV heads, 4864 FFN, 16-pixel patches, whatever the tensors say. */
static int read_qwen2_params(const cJSON *vc, const cJSON *w, h2g_ocr_params *p,
                             h2g_error *err) {
    const char *where = "config.json: vision_config";
    bool has;
    *p = (h2g_ocr_params){.image_size = 1024, .patch_size = 16, .feed_forward_length = 4864,
                          .block_count = 24, .head_count = 14, .head_count_kv = 2};
    if (h2g_json_u32_opt(w, "config.json: vision_config.width.qwen2-0-5b", "dim",
                         &p->embedding_length, &has, err) != 0)
        return -1;
    if (!has) return h2g_fail(err, "config.json: vision_config.width.qwen2-0-5b: 'dim' is missing");
    if (h2g_json_u32_opt(vc, where, "image_size", &p->image_size, &has, err) != 0 ||
        h2g_json_u32_opt(vc, where, "patch_size", &p->patch_size, &has, err) != 0 ||
        h2g_json_u32_opt(vc, where, "layers", &p->block_count, &has, err) != 0 ||
        h2g_json_u32_opt(vc, where, "intermediate_size", &p->feed_forward_length, &has, err) ||
        h2g_json_u32_opt(vc, where, "num_attention_heads", &p->head_count, &has, err) != 0)
        return -1;
    return 0;
}

static const h2g_ocr_encoder qwen2_encoder = {
    .preproc_max_tiles = 6,
    .projector_type = "deepseekocr2",
    .width_key = "qwen2-0-5b",
    .names = qwen2_names,
    .read_params = read_qwen2_params,
};

int h2g_deepseek_ocr2_mmproj_plan(const h2g_checkout *co, const h2g_convert_options *o,
                                  h2g_plan *out, h2g_error *err) {
    return h2g_ocr_vision_plan(co, o, &qwen2_encoder, out, err);
}
