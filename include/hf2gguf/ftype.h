/*
 * hf2gguf/ftype.h - llama-quantize's file types, for `convert --quantize`.
 *
 * A file type ("ftype") is a recipe: a default tensor type plus the
 * per-tensor rules of llama-quantize (src/plan/quant_rules.c), so Q4_K_M is
 * mostly Q4_K with some tensors Q6_K. The ids are those written to
 * general.file_type (quantization-reference.md §1.6).
 */
#ifndef HF2GGUF_FTYPE_H
#define HF2GGUF_FTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* llama.cpp's file type ids (general.file_type) of the types we make. */
typedef enum h2g_ftype_id {
    H2G_FTYPE_Q4_0 = 2,
    H2G_FTYPE_Q4_1 = 3,
    H2G_FTYPE_Q8_0 = 7,
    H2G_FTYPE_Q5_0 = 8,
    H2G_FTYPE_Q5_1 = 9,
    H2G_FTYPE_Q2_K = 10,
    H2G_FTYPE_Q3_K_S = 11,
    H2G_FTYPE_Q3_K_M = 12,
    H2G_FTYPE_Q3_K_L = 13,
    H2G_FTYPE_Q4_K_S = 14,
    H2G_FTYPE_Q4_K_M = 15,
    H2G_FTYPE_Q5_K_S = 16,
    H2G_FTYPE_Q5_K_M = 17,
    H2G_FTYPE_Q6_K = 18,
    H2G_FTYPE_Q2_K_S = 21,
    H2G_FTYPE_IQ4_NL = 25,
    H2G_FTYPE_IQ4_XS = 30,
    H2G_FTYPE_TQ1_0 = 36,
    H2G_FTYPE_TQ2_0 = 37,
    H2G_FTYPE_MXFP4_MOE = 38,
} h2g_ftype_id;

typedef struct h2g_ftype {
    const char *name;      /* "Q4_K_M": the name in file names and messages */
    uint32_t id;           /* general.file_type */
    uint32_t default_type; /* ggml type most tensors get (Q4_K for Q4_K_M) */
} h2g_ftype;

/* The 20 file types (legacy, K mixes, IQ4, ternary, MXFP4); *n gets the count. */
const h2g_ftype *h2g_ftype_list(size_t *n);

/* Finds a type by name, case-insensitively; the aliases Q3_K, Q4_K and Q5_K
 * mean Q3_K_M, Q4_K_M and Q5_K_M, as for llama-quantize. NULL when unknown. */
const h2g_ftype *h2g_ftype_find(const char *name);

#endif
