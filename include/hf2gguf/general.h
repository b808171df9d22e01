/*
 * hf2gguf/general.h - general.* metadata and default output file names.
 *
 * The reference converter derives a model's name, basename, finetune,
 * version and size label from the model card (README.md front matter), then
 * config.json's _name_or_path, then the directory name; the size label from
 * the parameter counts of the tensors it writes; sampling defaults from
 * generation_config.json. See conversion-reference.md section 7. The
 * caller's override (h2g_checkout_set_metadata, the reference's --metadata)
 * replaces any of them, key by key; then --model-name (co->model_name). A
 * value of the wrong type in the override fails the derivation or add_kv.
 */
#ifndef HF2GGUF_GENERAL_H
#define HF2GGUF_GENERAL_H

#include <stdbool.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/kv.h"
#include "hf2gguf/plan.h"

/* Fields that make up names; NULL when unknown. All malloc'ed. */
typedef struct h2g_general {
    char *name;
    char *author;
    char *version;
    char *organization;
    char *finetune;
    char *basename;
    char *description;
    char *quantized_by;
    char *size_label;
} h2g_general;

void h2g_general_free(h2g_general *g);

/* Derives the naming fields. The size label is computed from the tensors of
 * `p` (pass NULL for vocab-only, which has none). */
int h2g_general_derive(h2g_general *g, const h2g_checkout *co, const h2g_plan *p,
                       h2g_error *err);

/* Appends, in the reference's order, general.sampling.*, general.name ...
 * general.size_label, license keys, source/base_model/dataset keys, tags and
 * languages. (general.architecture and general.type come before, from the
 * architecture module; general.file_type and quantization_version later.)
 * general.size_label is written when g has one: mmproj files keep theirs,
 * vocab-only derivations (plan NULL) have none. */
int h2g_general_add_kv(h2g_kv_list *kv, const h2g_general *g, const h2g_checkout *co,
                       h2g_error *err);

/* Default output file name, e.g. "Deepseek-v3-Tiny-8x226K-F16.gguf".
 * kind: "model", "mmproj" or "vocab"; type_label: the last part ("F16",
 * h2g_outtype_upper_name, or "Ollama"). Returns a malloc'ed string. */
char *h2g_default_filename(const h2g_general *g, const char *kind, const char *type_label);

#endif
