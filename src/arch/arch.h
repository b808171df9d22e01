/*
 * arch.h - what an architecture module provides, and the helpers they share.
 *
 * A module is a file under src/arch/ holding tables of name mappings plus
 * the few transforms that need code. It plans; it does no I/O beyond what
 * the checkout already indexed. Adding an architecture means one file and
 * one line in registry.c.
 */
#ifndef HF2GGUF_ARCH_H
#define HF2GGUF_ARCH_H

#include "hf2gguf/checkout.h"
#include "hf2gguf/plan_options.h"
#include "hf2gguf/plan.h"

typedef int (*h2g_plan_fn)(const h2g_checkout *co, const h2g_convert_options *o,
                           h2g_plan *out, h2g_error *err);

struct h2g_ollama_layout;
struct h2g_quant_rules;

typedef struct h2g_arch {
    const char *hf_name;    /* config.json architectures[0] */
    h2g_plan_fn plan_model; /* the text model */
    h2g_plan_fn plan_mmproj; /* the vision projector, or NULL */
    const struct h2g_ollama_layout *ollama; /* --layout ollama, or NULL (arch/ollama.h) */
    /* --quantize: this architecture's additions to llama-quantize's type
     * rules (plan/quant_rules.h), or NULL when it cannot be quantized. */
    const struct h2g_quant_rules *quant;
    /* For people (h2g_architectures, README's table): the GGUF arch, the
     * real models and their source formats. */
    const char *gguf_arch, *models, *formats;
} h2g_arch;

const h2g_arch *h2g_arch_find(const char *hf_name);
/* Every registered architecture, in order; *n gets their count. */
const h2g_arch *h2g_arch_list(size_t *n);

/* Module entry points (one pair per file). */
int h2g_deepseek2_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *out,
                       h2g_error *err);
int h2g_deepseek4_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *out,
                       h2g_error *err);
int h2g_deepseek32_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *out,
                        h2g_error *err);
int h2g_deepseek_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *out,
                      h2g_error *err);
int h2g_deepseek_ocr_mmproj_plan(const h2g_checkout *co, const h2g_convert_options *o,
                                 h2g_plan *out, h2g_error *err);
int h2g_deepseek_ocr2_mmproj_plan(const h2g_checkout *co, const h2g_convert_options *o,
                                  h2g_plan *out, h2g_error *err);

/* llama-quantize's rules as they apply to deepseek2 and deepseek2-ocr
 * (deepseek2.c). */
extern const struct h2g_quant_rules h2g_deepseek2_quant;
extern const struct h2g_quant_rules h2g_deepseek4_quant; /* deepseek4.c */

/* ---- shared helpers (common.c) ---- */

/* ne of a source tensor: its PyTorch shape reversed. Returns n_dims. */
uint32_t h2g_ne_from_shape(const h2g_st_tensor *t, uint64_t *ne);

/* A renaming rule: an HF module path and its GGUF name, without the
 * .weight/.bias suffix. "{N}" stands for a layer number in both. */
typedef struct h2g_name_rule {
    const char *hf;
    const char *gguf;
} h2g_name_rule;

/* Maps `path` with the first matching rule of a NULL-terminated table into
 * out (adding `suffix`); false when no rule matches. */
bool h2g_map_name(const h2g_name_rule *rules, const char *path, const char *suffix, char *out,
                  size_t out_size);

/* Splits "a.b.weight" / "a.b.bias" into path "a.b" and the suffix; other
 * names are returned whole with suffix "". */
const char *h2g_split_suffix(const char *name, char *path, size_t path_size);

/* Layer index of an HF name: the first dot-separated part made of digits
 * only; -1 when none. */
long h2g_layer_of(const char *name);

/* --outtype auto: the type of the first >= 2-D BF16 or F16 source of the
 * plan's tensors in order (BF16 -> bf16, F16 -> f16), f16 when there is
 * none; F32 and FP8 sources are passed over, as by the reference. */
h2g_outtype h2g_resolve_auto(const h2g_plan *p);

/* The reference's per-tensor type rule (conversion-reference 3.6 steps 3-6):
 * 1-D and *_norm.weight -> F32; routers, position embeddings and names not
 * ending in .weight -> F32; otherwise the outtype, with Q8_0 falling back to
 * F16 when ne0 is not a multiple of 32. `forced` (>= 0) is a class override
 * that replaces the outtype step. */
uint32_t h2g_pick_type(const char *gguf_name, uint32_t n_dims, uint64_t ne0, h2g_outtype ot,
                       int forced);

/* FP8 block-quantized sources: reads quantization_config. */
typedef struct h2g_quant {
    bool fp8;
    uint32_t block_rows, block_cols; /* 0 when no weight_block_size */
    /* compressed-tensors pack-quantized (quant_packed.c): bits per value
     * (0: not packed) and columns per scale */
    uint32_t pack_bits, pack_group;
} h2g_quant;
int h2g_quant_read(const cJSON *config, h2g_quant *q, h2g_error *err);

/* ---- quantized sources beyond FP8 (quant_packed.c) ---- */

/* quantization_config methods other than fp8: compressed-tensors
 * pack-quantized INT4 fills q; NVFP4, MXFP4 and the rest are refused with
 * a message naming the method and what to do. method NULL: missing. */
int h2g_quant_read_other(const cJSON *qc, const char *method, h2g_quant *q, h2g_error *err);
/* Refuses a ModelOpt checkout that says so only in hf_quant_config.json. */
int h2g_quant_check_sidecar(const h2g_checkout *co, h2g_error *err);
/* "X.weight_packed": a packed weight, planned as X.weight; the reference
 * writes these after every other tensor. */
bool h2g_is_packed_weight(const char *name);
/* X.weight_scale / weight_shape / weight_zero_point when X.weight_packed
 * exists: read with their weight, not written. */
bool h2g_is_packed_companion(const h2g_checkout *co, const char *name);
/* The source of a packed weight: its scales, 1 x group blocks and logical
 * [rows, cols] from X.weight_shape, every shape checked (errors name the
 * tensor). Called by h2g_source_make. */
int h2g_packed_source_make(const h2g_checkout *co, const h2g_quant *q, const h2g_st_tensor *t,
                           h2g_source *src, h2g_error *err);
/* ne of a source as the output sees it: the logical shape of a packed
 * source, else its tensor's shape reversed. Returns n_dims. */
uint32_t h2g_source_ne(const h2g_source *src, uint64_t *ne);

/* Fills a source for tensor t, attaching its FP8 scale tensor when t is
 * F8_E4M3 (error when the scale is missing or of the wrong shape). */
int h2g_source_make(const h2g_checkout *co, const h2g_quant *q, const h2g_st_tensor *t,
                    h2g_source *src, h2g_error *err);

/* True for names the reference drops as FP8/activation scale companions. */
bool h2g_is_scale_companion(const char *name);

/* The rope_scaling keys llama.cpp's generic writer derives from config.json's
 * rope_scaling object rs (NULL: none): "<arch>.rope.scaling.type" (linear,
 * longrope or yarn), the factor, and for yarn the original context length
 * and the yarn_* factors. Shared by the deepseek2 family and deepseek4. */
int h2g_add_rope_scaling(const cJSON *rs, const char *arch, h2g_kv_list *kv, h2g_error *err);

#endif
