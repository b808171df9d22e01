/*
 * deepseek2.h - the deepseek2 planner, for its sibling modules (private).
 *
 * deepseek32 (DeepSeek-V3.2) is deepseek2 with its MTP layers kept, a few
 * more tensors and keys; deepseek (DeepSeek-MoE) shares the tensor walk
 * (renaming, expert merging, FP8) but has llama-style attention and its
 * own key set. Rather than copy deepseek2.c, a sibling describes what it
 * changes in an h2g_ds2_variant and calls h2g_ds2_plan().
 */
#ifndef HF2GGUF_ARCH_DEEPSEEK2_H
#define HF2GGUF_ARCH_DEEPSEEK2_H

#include "arch/arch.h"
#include "source/hparams.h"

/* What a key writer needs: the plan, the arch prefix and the config. */
typedef struct h2g_ds2_keys {
    h2g_plan *p;
    const char *arch;        /* "deepseek32": keys are "<arch>.<key>" */
    const h2g_hparams *hp;   /* config.json (text part) */
    const h2g_checkout *co;
} h2g_ds2_keys;

/* Set "<arch>.<key>". */
int h2g_ds2_set_u32(const h2g_ds2_keys *k, const char *key, uint32_t v, h2g_error *err);
int h2g_ds2_set_f32(const h2g_ds2_keys *k, const char *key, double v, h2g_error *err);
int h2g_ds2_set_str(const h2g_ds2_keys *k, const char *key, const char *v, h2g_error *err);
/* Copies config key cfg to "<arch>.<key>" when present; an error when
 * `required` and it is missing (the message names `why`). */
int h2g_ds2_copy_u32(const h2g_ds2_keys *k, const char *key, const char *cfg, bool required,
                     h2g_error *err);

typedef int (*h2g_ds2_keys_fn)(const h2g_ds2_keys *k, h2g_error *err);

/* How a module differs from deepseek2. Zero values are deepseek2's. */
typedef struct h2g_ds2_variant {
    const char *arch;          /* GGUF architecture name */
    bool keep_mtp;             /* MTP layers (num_nextn_predict_layers) are blocks */
    bool plain_attention;      /* q/k/v/o, no MLA: no kv_b split, no MLA keys */
    bool permute_qk;           /* q/k rows interleaved per head (llama-style RoPE) */
    bool config_head_count_kv; /* head_count_kv as in config (MLA writes 1) */
    bool no_rms_eps_default;   /* rms_norm_eps only when present (deepseek2: 1e-6) */
    bool keep_tied_head;       /* lm_head written even with tied embeddings */
    bool ocr;                  /* deepseek2-ocr's default chat template */
    /* Renaming rules tried before deepseek2's own (NULL-terminated), or NULL. */
    const h2g_name_rule *extra_names;
    /* The keys after general.file_type, instead of deepseek2's, or NULL. */
    h2g_ds2_keys_fn model_keys;
    /* Keys appended after the model keys (before quantization_version). */
    h2g_ds2_keys_fn extra_keys;
    /* Checks the tokenizer files before the tokenizer keys are written. */
    int (*vocab_check)(const h2g_checkout *co, h2g_error *err);
} h2g_ds2_variant;

/* Plans the text model of a checkout as variant v describes. */
int h2g_ds2_plan(const h2g_checkout *co, const h2g_convert_options *o, const h2g_ds2_variant *v,
                 h2g_plan *out, h2g_error *err);

#endif
