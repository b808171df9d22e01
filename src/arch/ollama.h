/*
 * ollama.h - Ollama's single-file layout, described by tables.
 *
 * Ollama's own converter (convert_deepseek2.go, convert_deepseekocr.go)
 * writes a layout of its own (conversion-reference.md section 8): other key
 * names and zero values, keys sorted by name, tensors renamed by substring
 * replacement and sorted by block, MLA's kv_b left whole, vision tensors in
 * the same file, and per-tensor types that ignore --outtype. An architecture
 * module describes its part as one h2g_ollama_layout table; ollama.c plans
 * any such table, so the layout is a table choice and not a second copy of
 * each module.
 */
#ifndef HF2GGUF_ARCH_OLLAMA_H
#define HF2GGUF_ARCH_OLLAMA_H

#include <stdbool.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/plan_options.h"
#include "hf2gguf/plan.h"

/* How a key's value comes from config.json. Absent or null values are Go's
 * zero values (0, false, ""), which Ollama writes rather than leaving the
 * key out. */
typedef enum h2g_ollama_value {
    H2G_OV_U32,      /* UINT32 from cfg */
    H2G_OV_F32,      /* FLOAT32 from cfg */
    H2G_OV_BOOL,     /* BOOL from cfg */
    H2G_OV_STR,      /* STRING from cfg */
    H2G_OV_I32_LIST, /* ARRAY INT32 from a list at cfg */
    H2G_OV_U32_SUM,  /* UINT32 cfg + cfg2 */
    H2G_OV_F32_OR,   /* FLOAT32 cfg, or `fallback` when it is 0 */
    H2G_OV_F32_TENTH, /* FLOAT32 0.1 x cfg, computed in float32 */
    H2G_OV_GATING,   /* UINT32 from the string at cfg: softmax 1, sigmoid 2, else 0 */
} h2g_ollama_value;

typedef struct h2g_ollama_key {
    /* The key as Ollama's converter spells it. Keys are sorted on this
     * spelling, then those without a general./tokenizer./<arch>. prefix get
     * "<arch>." in front, as Ollama's writer does. */
    const char *key;
    h2g_ollama_value kind;
    const char *cfg, *cfg2; /* config.json paths, parts separated by '/' */
    float fallback;
} h2g_ollama_key;

typedef struct h2g_ollama_layout {
    const char *arch;          /* general.architecture */
    const char *general_type;  /* general.type, or NULL for none */
    const char *pre;           /* forced tokenizer.ggml.pre, or NULL to detect */
    const char *layers_cfg;    /* config path of num_hidden_layers */
    bool drop_extra_layers;    /* drop blocks >= num_hidden_layers (MTP) */
    const char *const *renames; /* old, new pairs; NULL-terminated */
    const h2g_ollama_key *keys; /* terminated by a NULL key */
} h2g_ollama_layout;

/* The tables of the modules that have an Ollama layout. */
extern const h2g_ollama_layout h2g_deepseek2_ollama;
extern const h2g_ollama_layout h2g_deepseek_ocr_ollama;

/* Plans the one Ollama file of a checkout. */
int h2g_ollama_plan(const h2g_checkout *co, const h2g_convert_options *o,
                    const h2g_ollama_layout *layout, h2g_plan *out, h2g_error *err);

/* Ollama's tensor names: Go's strings.Replacer over the HF name, one pass
 * left to right; at each position the first pair (in table order) whose
 * old text starts there is replaced. False when out is too small. */
bool h2g_ollama_rename(const char *const *pairs, const char *name, char *out, size_t size);

#endif
