/*
 * hf2gguf/convert.h - from a checkout to plans, the library's front door.
 *
 *     h2g_checkout co;  h2g_plan plans[H2G_MAX_OUTPUTS];  size_t n;
 *     h2g_checkout_open(&co, dir, &err);
 *     h2g_convert_plan(&co, &opts, plans, &n, &err);   // laid out, ready
 *     h2g_execute(&co, plans, paths, n, &exec_opts, &err);   // executor.h
 *
 * The architecture is chosen from config.json's architectures[0]; each
 * architecture module (src/arch/) knows how to plan its outputs.
 */
#ifndef HF2GGUF_CONVERT_H
#define HF2GGUF_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/plan.h"

#define H2G_MAX_OUTPUTS 2

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
} h2g_convert_options;

/* Defaults: outtype auto, text model only. */
void h2g_convert_options_init(h2g_convert_options *o);

/* HF architecture name of a checkout (config.json architectures[0]). */
int h2g_checkout_architecture(const h2g_checkout *co, const char **name, h2g_error *err);

/* Plans the requested outputs (model first, then mmproj), each laid out.
 * On error no plan is left allocated. */
int h2g_convert_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *plans,
                     size_t *n_plans, h2g_error *err);

/* Whether the checkout's architecture has a vision projector (mmproj). */
bool h2g_convert_has_mmproj(const h2g_checkout *co);

/* Names of the supported HF architectures, NULL-terminated. */
const char *const *h2g_supported_architectures(void);

#endif
