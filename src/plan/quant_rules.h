/*
 * quant_rules.h - llama-quantize's stage of the plan (`convert --quantize`):
 * which type each tensor gets, the re-sorted tensor order and the KV edits
 * (quantization-reference.md §1.3, §2).
 *
 * llama-quantize has one set of type rules for every architecture: tensors
 * are told apart by substrings of their GGUF names, and the rules read a few
 * hyper-parameters (layer and expert counts, heads). What an architecture
 * may add is described by an h2g_quant_rules, which each module in src/arch/
 * declares beside its name tables (deepseek2.c: h2g_deepseek2_quant) and
 * registers in registry.c. A module without one cannot be quantized.
 */
#ifndef HF2GGUF_PLAN_QUANT_RULES_H
#define HF2GGUF_PLAN_QUANT_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "hf2gguf/error.h"
#include "hf2gguf/ftype.h"
#include "hf2gguf/plan.h"

/* What llama-quantize calls a tensor's category; the rules of §2.5 are
 * written per category. */
typedef enum h2g_qcat {
    H2G_QC_OTHER,
    H2G_QC_OUTPUT,
    H2G_QC_TOKEN_EMBD,
    H2G_QC_QKV,
    H2G_QC_KV_B,
    H2G_QC_V,
    H2G_QC_K,
    H2G_QC_Q,
    H2G_QC_O,
    H2G_QC_UP,
    H2G_QC_GATE,
    H2G_QC_DOWN,
} h2g_qcat;

/* One tensor as the rules see it. */
typedef struct h2g_qtensor {
    const char *name;
    uint32_t n_dims;   /* trailing 1s dropped */
    const uint64_t *ne;
    h2g_qcat cat;
} h2g_qtensor;

/* The hyper-parameters the rules read (§2.4). */
typedef struct h2g_qmodel {
    uint32_t n_layer;  /* block_count (MTP blocks included) */
    uint32_t n_expert; /* expert_count, 0 when absent */
    uint32_t n_gqa;    /* head_count / head_count_kv, 0 when head_count_kv is 0 */
    uint32_t n_wv;     /* V-like tensors (V, QKV, KV_B) in the file */
    bool tied;         /* no output.weight */
} h2g_qmodel;

/* An architecture's additions to llama-quantize's generic rules. */
typedef struct h2g_quant_rules {
    /* Name substrings of tensors this architecture never quantizes, beyond
     * llama-quantize's own list (§2.1); NULL-terminated, or NULL. */
    const char *const *keep;
    /* Called after the generic rules and before the fallback (§2.6) with
     * the type they chose; returns the type to use. NULL: no change. */
    uint32_t (*adjust)(const h2g_qtensor *t, const h2g_qmodel *m, const h2g_ftype *ft,
                       uint32_t chosen);
} h2g_quant_rules;

/* Turns a converter's plan (its tensors in the intermediate types) into
 * llama-quantize's output of it: tensors sorted by (layer, name), every
 * tensor's type chosen, via_type set to its old type, general.file_type and
 * general.quantization_version moved to the end (split.* keys dropped),
 * n_dims without trailing 1s. Fails, changing nothing the caller keeps, as
 * llama-quantize fails: a type that needs an importance matrix, a layer
 * number outside the model. Call h2g_plan_layout afterwards. */
int h2g_quant_plan(h2g_plan *p, const h2g_ftype *ft, const h2g_quant_rules *rules,
                   h2g_error *err);

/* ---- parts, exposed for the unit tests ---- */

/* llama-quantize's use_more_bits(i, n): the layers that get more bits. */
bool h2g_quant_more_bits(int i, int n);

/* The category of a GGUF tensor name (§2.3). */
h2g_qcat h2g_quant_category(const char *name);

/* Chooses the types of p's tensors (in their order, which must be the
 * sorted one) into types[i]; 0 for tensors that keep their type. */
int h2g_quant_choose(const h2g_plan *p, const h2g_qmodel *m, const h2g_ftype *ft,
                     const h2g_quant_rules *rules, uint32_t *types, h2g_error *err);

/* The hyper-parameters of §2.4, read from a plan's KVs and tensors. */
int h2g_quant_model(const h2g_plan *p, h2g_qmodel *m, h2g_error *err);

#endif
