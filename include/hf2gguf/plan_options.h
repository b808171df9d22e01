/*
 * hf2gguf/plan_options.h - what the caller asks an architecture module to plan:
 * the layout, the output type, which files (text model, mmproj), vocab only.
 *
 * Declared apart from convert.h because the modules (src/arch/) read these
 * options, and the modules sit below the driver that picks one of them.
 */
#ifndef HF2GGUF_PLAN_OPTIONS_H
#define HF2GGUF_PLAN_OPTIONS_H

#include <stdbool.h>

#include "hf2gguf/plan.h"

/* Whose file layout to write. llama.cpp's: the text model and a separate
 * mmproj, byte-for-byte as its converter. Ollama's: one file as Ollama's
 * converter writes it (its key set and names, vision tensors inside, types
 * fixed per tensor); needs outtype AUTO and no mmproj. */
typedef enum h2g_layout {
    H2G_LAYOUT_LLAMA_CPP,
    H2G_LAYOUT_OLLAMA,
} h2g_layout;

const char *h2g_layout_name(h2g_layout l); /* "llama.cpp", "ollama" */
bool h2g_layout_parse(const char *s, h2g_layout *out);

typedef struct h2g_convert_options {
    h2g_layout layout;         /* llama.cpp by default */
    h2g_outtype outtype;       /* AUTO by default */
    bool vocab_only;           /* KVs only, no tensors */
    bool want_model;           /* plan the text model (default true) */
    bool want_mmproj;          /* plan the vision projector too, when there is one */
    const char *tokenizer_pre; /* override pre-tokenizer detection, or NULL */
    /* --quantize: add llama-quantize's stage to the text model (its type
     * rules, sorted tensors, KV edits), from the intermediate file that
     * `outtype` (auto, f16, bf16 or f32) describes. NULL: no such stage. */
    const h2g_ftype *quantize;
} h2g_convert_options;

/* Defaults: outtype auto, text model only. */
void h2g_convert_options_init(h2g_convert_options *o);

#endif
