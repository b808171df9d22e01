/*
 * hf2gguf/plan.h - what will be written, decided before anything is.
 *
 * An architecture module turns a checkout into one plan per output file: the
 * full KV list and, for every output tensor, its GGUF name, type and shape,
 * the source tensors it is made of and the one transform that makes it.
 * The executor (executor.h) streams plans to disk; --dry-run and the JSON
 * report print them. Nothing in a plan owns tensor data: sources point into
 * the checkout's index.
 */
#ifndef HF2GGUF_PLAN_H
#define HF2GGUF_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/ftype.h"
#include "hf2gguf/gguf.h"
#include "hf2gguf/kv.h"

/* The user's --outtype. AUTO is resolved by the architecture module. */
typedef enum h2g_outtype {
    H2G_OUT_F32,
    H2G_OUT_F16,
    H2G_OUT_BF16,
    H2G_OUT_Q8_0,
    H2G_OUT_AUTO,
} h2g_outtype;

const char *h2g_outtype_name(h2g_outtype t);       /* "f16" */
const char *h2g_outtype_upper_name(h2g_outtype t); /* "F16", for file names */
bool h2g_outtype_parse(const char *s, h2g_outtype *out);
/* general.file_type value (llama's LlamaFileType) and ggml type of an outtype */
uint32_t h2g_outtype_file_type(h2g_outtype t);
uint32_t h2g_outtype_ggml_type(h2g_outtype t);

typedef enum h2g_transform {
    H2G_XF_CONVERT,  /* one source, elements in order (any reshape/unsqueeze) */
    H2G_XF_STACK,    /* sources concatenated in order (merged experts) */
    H2G_XF_KV_B_K,   /* k half of an MLA kv_b_proj, each head transposed */
    H2G_XF_KV_B_V,   /* v half of an MLA kv_b_proj */
    H2G_XF_MXFP4,    /* FP4 experts stacked in order, repacked bit for bit into
                        MXFP4 blocks (sources: I8 codes + their E8M0 scales) */
    H2G_XF_IDS,      /* an integer id table narrowed to I32, each id checked
                        below id_limit (DeepSeek-V4's tid2eid) */
    H2G_XF_PERMUTE_QK, /* one source, rows reordered per head for llama-style RoPE */
} h2g_transform;

const char *h2g_transform_name(h2g_transform xf);

/* One source tensor; FP8 sources carry their block scales, FP4 experts
 * (H2G_XF_MXFP4) their E8M0 scale per 32 values (block 1 x 32). */
typedef struct h2g_source {
    const h2g_st_tensor *tensor;
    const h2g_st_tensor *scale; /* weight_scale_inv (F32...) or .scale (F8_E8M0), or NULL */
    uint32_t block_rows, block_cols; /* FP8 block size when scale != NULL */
    /* compressed-tensors pack-quantized (0: not packed): tensor is I32
     * words of 32 / pack_bits codes along a row of the logical rows x cols
     * weight, value = (code - 2^(pack_bits-1)) * scale[r][c / block_cols]. */
    uint32_t pack_bits;
    uint64_t rows, cols;
} h2g_source;

/* Elements a source gives (a packed source: rows x cols, not its words). */
uint64_t h2g_source_elements(const h2g_source *s);

typedef struct h2g_plan_tensor {
    h2g_tensor_info info; /* offset and nbytes filled by h2g_plan_layout */
    h2g_transform transform;
    h2g_source *src;
    size_t n_src;
    /* kv_b split: heads, rows per head for k (nope) and v */
    uint32_t kvb_heads, kvb_nope, kvb_v;
    /* H2G_XF_IDS: every id must be below this (the expert count) */
    uint32_t id_limit;
    /* PERMUTE_QK: heads; within each, row 2i+j of the output is row
     * j*half+i of the source (half = rows per head / 2) */
    uint32_t perm_heads;
    /* BF16 output by dropping the low 16 bits of each float32 (Ollama's
     * converter) rather than rounding to nearest even (llama.cpp's). */
    bool bf16_truncate;
    /* --quantize (llama-quantize's stage, when `quantized`): via_type is the
     * type the tensor has in the converter's file that llama-quantize reads
     * (F32, F16 or BF16). Values are rounded to it and checked for NaN/Inf
     * as llama.cpp's loader checks them, then made info.type (copied when
     * the same, else quantized and the result checked). */
    bool quantized;
    uint32_t via_type;
} h2g_plan_tensor;

typedef struct h2g_plan {
    const char *role; /* "model" or "mmproj" (static string) */
    h2g_outtype outtype; /* resolved, never AUTO */
    h2g_kv_list kv;
    h2g_plan_tensor *tensors;
    size_t n_tensors;
    size_t cap_tensors;
    const h2g_ftype *ftype; /* --quantize: the llama-quantize file type, else NULL */
    /* The file type's name when the architecture fixes it whatever the
     * outtype (DeepSeek-V4: "MXFP4_MOE"), or NULL: the outtype's. Static. */
    const char *type_label;
    char *default_name; /* file name when the user names none, or NULL: derived
                         * from the general.* keys by the caller */
    /* A file without tensors ends right after its KVs, unpadded: the
     * reference's --vocab-only file (its writer pads only when it writes
     * tensors). Set before h2g_plan_layout. */
    bool unpadded_when_empty;
    uint64_t data_offset; /* header size = where tensor data starts */
    uint64_t data_size;   /* data section, padded (Ollama's layout: not after the last tensor) */
} h2g_plan;

void h2g_plan_free(h2g_plan *p);

/* Appends a tensor with n_src sources (copied); returns its index or -1. */
long h2g_plan_add(h2g_plan *p, const char *name, uint32_t type, uint32_t n_dims,
                  const uint64_t *ne, h2g_transform xf, const h2g_source *src,
                  size_t n_src, h2g_error *err);

/* Computes offsets, sizes, data_offset (calls h2g_gguf_layout). */
int h2g_plan_layout(h2g_plan *p, h2g_error *err);

/* Source bytes a plan reads (sum of source tensors, scales included). */
uint64_t h2g_plan_source_bytes(const h2g_plan *p);

#endif
