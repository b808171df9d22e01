/*
 * transform.h - producing the values of one piece of an output tensor.
 *
 * The executor cuts every planned tensor into pieces ("chunks") small enough
 * for a bounded buffer and asks this module for their values as float32,
 * already in output order; it then encodes and writes them. A chunk is a
 * range of output elements that never splits a Q8_0 block.
 *
 * A tensor of a quantized plan (--quantize, llama-quantize's stage) is made
 * as llama-quantize makes it from the converter's file: values rounded to
 * the type they have in that file and checked for NaN/Inf, then quantized a
 * whole number of rows at a time (its chunks are whole rows), and the
 * quantized bytes checked (quantization-reference.md §1.2, §3.16).
 */
#ifndef HF2GGUF_TRANSFORM_H
#define HF2GGUF_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/plan.h"

/* Elements in one chunk at most (a multiple of 32). 1 Mi float32 = 4 MiB. */
#define H2G_CHUNK_ELEMS (1u << 20)

/* One chunk: output elements [first, first + count) of tensor t. */
typedef struct h2g_chunk {
    const h2g_plan_tensor *t;
    uint64_t first;
    uint64_t count;
} h2g_chunk;

/* Scratch memory a worker keeps between chunks (bounded, reused). */
typedef struct h2g_scratch {
    float *values;      /* H2G_CHUNK_ELEMS */
    float *tmp;         /* for transposes; H2G_CHUNK_ELEMS */
    uint8_t *out;       /* encoded bytes; 4 * H2G_CHUNK_ELEMS */
    uint8_t *raw;       /* source bytes as read; 8 * H2G_CHUNK_ELEMS */
    float *scales;      /* FP8 block scales of the rows being read */
    uint8_t *scale_raw;
    size_t scale_cap;   /* elements the two scale buffers hold */
} h2g_scratch;

int h2g_scratch_init(h2g_scratch *s, h2g_error *err);
void h2g_scratch_free(h2g_scratch *s);

/* Output elements that source s of t stands for: its element count, or two
 * per byte for FP4 experts (H2G_XF_MXFP4: two codes a byte). */
uint64_t h2g_source_elems(const h2g_plan_tensor *t, size_t s);

/* True for the transforms whose sources follow each other in the output
 * (STACK, MXFP4): their chunks never straddle two sources. */
bool h2g_transform_stacks(h2g_transform xf);

/* Makes chunks at most n elements (a multiple of 32, at most
 * H2G_CHUNK_ELEMS). Tests use tiny chunks to cross chunk boundaries on tiny
 * checkpoints; the executor reads HF2GGUF_CHUNK_ELEMS for them. */
void h2g_set_chunk_elems(uint64_t n);

/* The chunk of tensor t that starts at element `first` (chunks follow each
 * other: the next starts at first + count). False when first is past the
 * end of the tensor. */
bool h2g_chunk_at(const h2g_plan_tensor *t, uint64_t first, h2g_chunk *c);

/* Fills s->values[0..count) with the chunk's values. *bytes_read gets the
 * number of source bytes touched. */
int h2g_chunk_values(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                     uint64_t *bytes_read, h2g_error *err);

/* Bytes that n elements of ggml type `type` take (n a whole number of its
 * blocks): where a piece starting at element n of a tensor goes. */
uint64_t h2g_piece_bytes(uint32_t type, uint64_t n);

/* Fills s->out with the chunk's bytes in the output type (*len of them):
 * its values encoded, or, when the output type is the sources' own dtype and
 * nothing is scaled, the source bytes themselves (identical result). */
int h2g_chunk_encode(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s, size_t *len,
                     uint64_t *bytes_read, h2g_error *err);

/* ---- llama-quantize's stage (quant_exec.c) ---- */

/* Makes a quantized plan's chunk whose type differs from its via_type: its
 * values rounded to via_type and checked, then quantized (or F16) into
 * s->out, and the result checked as llama-quantize checks it. */
int h2g_quant_encode(const h2g_checkout *co, const h2g_chunk *c, h2g_scratch *s,
                     uint64_t *bytes_read, h2g_error *err);

/* Checks the bytes of a chunk llama-quantize copies (its type is its
 * via_type: F32, F16 or BF16) for NaN and infinities, as its loader does. */
int h2g_quant_check_input(const h2g_chunk *c, const uint8_t *bytes, h2g_error *err);

#endif
