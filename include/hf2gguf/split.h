/*
 * hf2gguf/split.h - cutting one planned output into several GGUF files, as
 * llama.cpp's gguf-split does (conversion-reference.md section 1.9).
 *
 * Tensors are assigned in output order: a new file starts before a tensor
 * when the current one holds at least one tensor and either holds
 * max_tensors already or would exceed max_bytes (sum of unpadded tensor
 * sizes) with it. The first file carries every KV pair plus split.no,
 * split.count and split.tensors.count at the end; the others carry only
 * those three keys. Files are named STEM-00001-of-00003.gguf.
 */
#ifndef HF2GGUF_SPLIT_H
#define HF2GGUF_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"
#include "hf2gguf/plan.h"

typedef struct h2g_split_options {
    uint64_t max_bytes;     /* 0: no size limit */
    size_t max_tensors;     /* 0: no count limit */
    bool no_tensor_first;   /* the first file holds metadata only */
} h2g_split_options;

/* True when the options ask for splitting at all. */
bool h2g_split_wanted(const h2g_split_options *so);

/* Splits p into *n laid-out plans (*out, malloc'ed; free each with
 * h2g_plan_free, then the array). When the rule yields a single file, *n is
 * 1 and that plan is p's content unchanged (the reference then writes a
 * plain file). p itself is left as it was. */
int h2g_plan_split(const h2g_plan *p, const h2g_split_options *so, h2g_plan **out, size_t *n,
                   h2g_error *err);

/* "dir/model-00002-of-00003.gguf" for path "dir/model.gguf", i = 1, n = 3
 * (i is 0-based). Malloc'ed. */
char *h2g_split_path(const char *path, size_t i, size_t n);

/* Parses "50G", "300M", "1000000" (K/M/G/T decimal, as gguf-split); false on
 * anything else. */
bool h2g_parse_size(const char *s, uint64_t *out);

#endif
