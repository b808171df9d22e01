/*
 * deepseek_ocr.c - DeepSeek-OCR (DeepseekOCRForCausalLM): the text model is
 * deepseek2.c's (arch deepseek2-ocr); the mmproj pairs SAM ViT-B with a
 * CLIP-L tower (projector type deepseekocr). Facts: conversion-reference.md
 * section 5.
 */
#include "arch/ocr_vision.h"
#include "arch/ollama.h"
#include "source/hparams.h"

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
    .preproc_max_tiles = 9,
    .projector_type = "deepseekocr",
    .width_key = "clip-l-14-224",
    .names = clip_names,
    .read_params = read_clip_params,
};

int h2g_deepseek_ocr_mmproj_plan(const h2g_checkout *co, const h2g_convert_options *o,
                                 h2g_plan *out, h2g_error *err) {
    return h2g_ocr_vision_plan(co, o, &clip_encoder, out, err);
}

/* ---------------------------------------------------------------------------
 * Ollama's layout (reference 8.4): one file with the language model, CLIP
 * (v.*), SAM (s.*) and the projector (mm.*) under Ollama's own names
 * ------------------------------------------------------------------------- */

/* Substring pairs, first match wins at each position (see ollama.h). */
static const char *const ollama_renames[] = {
    "model.embed_tokens", "token_embd",
    "model.layers", "blk",
    "input_layernorm", "attn_norm",
    "self_attn.q_proj", "attn_q",
    "self_attn.k_proj", "attn_k",
    "self_attn.v_proj", "attn_v",
    "self_attn.o_proj", "attn_output",
    "post_attention_layernorm", "ffn_norm",
    "mlp.gate_proj", "ffn_gate",
    "mlp.up_proj", "ffn_up",
    "mlp.down_proj", "ffn_down",
    "mlp.gate", "ffn_gate_inp",
    "mlp.shared_experts.gate_proj", "ffn_gate_shexp",
    "mlp.shared_experts.up_proj", "ffn_up_shexp",
    "mlp.shared_experts.down_proj", "ffn_down_shexp",
    "model.norm", "output_norm",
    "lm_head", "output",
    "model.vision_model", "v",
    "embeddings.patch_embedding", "patch_embd",
    "embeddings.class_embedding", "class_embd",
    "embeddings.position_embedding", "position_embd",
    "transformer.layers", "blk",
    "model.projector", "mm",
    "model.image_newline", "mm.image_newline",
    "model.view_seperator", "mm.view_seperator", /* sic, as the checkpoints spell it */
    "model.sam_model.patch_embed.proj", "s.patch_embd",
    "model.sam_model.pos_embed", "s.position_embd",
    "model.sam_model.blocks", "s.blk",
    "model.sam_model.neck", "s.neck",
    "model.sam_model.net_", "s.net_",
    NULL,
};

#define LANG "language_config/"
#define CLIP "vision_config/width/clip-l-14-224/"
#define SAM "vision_config/width/sam_vit_b/"

/* Keys without a prefix get "deepseekocr." when written. */
static const h2g_ollama_key ollama_keys[] = {
    {"block_count", H2G_OV_U32, LANG "num_hidden_layers", NULL, 0},
    {"context_length", H2G_OV_U32, LANG "max_position_embeddings", NULL, 0},
    {"embedding_length", H2G_OV_U32, LANG "hidden_size", NULL, 0},
    {"feed_forward_length", H2G_OV_U32, LANG "intermediate_size", NULL, 0},
    {"attention.head_count", H2G_OV_U32, LANG "num_attention_heads", NULL, 0},
    {"attention.head_count_kv", H2G_OV_U32, LANG "num_key_value_heads", NULL, 0},
    {"expert_count", H2G_OV_U32, LANG "n_routed_experts", NULL, 0},
    {"expert_used_count", H2G_OV_U32, LANG "num_experts_per_tok", NULL, 0},
    {"leading_dense_block_count", H2G_OV_U32, LANG "first_k_dense_replace", NULL, 0},
    {"vision.block_count", H2G_OV_U32, CLIP "layers", NULL, 0},
    {"vision.embedding_length", H2G_OV_U32, CLIP "width", NULL, 0},
    {"vision.head_count", H2G_OV_U32, CLIP "heads", NULL, 0},
    {"vision.image_size", H2G_OV_U32, CLIP "image_size", NULL, 0},
    {"vision.patch_size", H2G_OV_U32, CLIP "patch_size", NULL, 0},
    {"sam.block_count", H2G_OV_U32, SAM "layers", NULL, 0},
    {"sam.embedding_length", H2G_OV_U32, SAM "width", NULL, 0},
    {"sam.head_count", H2G_OV_U32, SAM "heads", NULL, 0},
    {"sam.global_attention_indexes", H2G_OV_I32_LIST, SAM "global_attn_indexes", NULL, 0},
    {NULL, 0, NULL, NULL, 0},
};

const h2g_ollama_layout h2g_deepseek_ocr_ollama = {
    .arch = "deepseekocr",
    .general_type = NULL, /* Ollama writes none for this model */
    .pre = NULL,
    .layers_cfg = LANG "num_hidden_layers",
    .drop_extra_layers = false,
    .renames = ollama_renames,
    .keys = ollama_keys,
};
