/*
 * hf2gguf/verify.h - checking a GGUF file against what llama.cpp's loader
 * requires (conversion-reference.md section 9).
 *
 * h2g_verify() reads a file and collects every problem it finds, one line
 * of text each, instead of stopping at the first. Three layers of checks:
 *
 *   1. format: the strict GGUF reader (gguf.h). When it refuses the file,
 *      its message (bad magic, misaligned offset, duplicate key...) is the
 *      one and only problem, since nothing else can be read.
 *   2. architecture: general.architecture (and, for `clip`, the
 *      clip.projector_type) selects a set of rule tables:
 *        - keys: which are required (always or under a condition), and the
 *          exact value type llama.cpp reads them with;
 *        - tensors: which must, may or must not be there (per layer, under a
 *          condition), and their ne derived from the file's own keys;
 *        - a few value checks the loader asserts (expert counts, ...).
 *      Known: deepseek2, deepseek2-ocr, clip/deepseekocr, clip/deepseekocr2.
 *      Any other architecture is a problem naming the known ones.
 *   3. text models: the tokenizer (tokens present and unique, special ids
 *      below the token count, merges, pre-tokenizer name) and that every
 *      tensor is one the loader consumes.
 *
 * Problem lines name the key or tensor first, e.g.
 *   deepseek2.expert_count: has type INT32, llama.cpp requires UINT32
 *   blk.0.attn_q_a.weight: shape {64, 31}, expected {64, 32}
 *       (embedding_length, attention.q_lora_rank)          [on one line]
 *
 * The rule tables live in src/gguf/verify_rules.c; adding an architecture is one
 * more table set there and one line in its registry.
 */
#ifndef HF2GGUF_VERIFY_H
#define HF2GGUF_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "hf2gguf/error.h"
#include "hf2gguf/gguf.h"

/* What h2g_verify found. Strings are owned by the report. */
typedef struct h2g_verify_report {
    bool parsed;        /* the GGUF reader accepted the file */
    char *architecture; /* general.architecture, or NULL when absent/unreadable */
    char *projector;    /* clip.projector_type for clip files, else NULL */
    bool arch_known;    /* verify has rules for the architecture (and projector) */
    bool vocab_only;    /* no tensors: the tensor rules were skipped */
    size_t n_parts;     /* a split set: how many parts were read (else 0) */
    size_t n_kv;        /* counts from the file (0 when not parsed) */
    size_t n_tensors;
    char **problems; /* one line each, without the file name */
    size_t n_problems;
    size_t cap_problems;
} h2g_verify_report;

/* Verifies the GGUF file at path and fills rep. A part of a split set
 * (it has split.count) stands for the whole set: every part is read and
 * checked (a missing part, or a file named as a part of the same set with
 * another count, is a problem), then the set as the one file it makes.
 * Fills rep (which the caller zeroes
 * first and frees with h2g_verify_report_free). Returns 0 when the checks
 * ran, whatever they found (rep->n_problems == 0 means the file is fine);
 * -1 with err when the file cannot be opened at all (absent, not a regular
 * file) or memory runs out. */
int h2g_verify(const char *path, h2g_verify_report *rep, h2g_error *err);

/* The architecture checks (2 and 3 above) on a file already parsed; adds
 * to rep. Returns 0, or -1 with err when out of memory. */
int h2g_verify_parsed(const h2g_gguf_file *f, h2g_verify_report *rep, h2g_error *err);

/* The architecture checks on a file about to be written: its KVs and tensor
 * infos, as a plan holds them (convert checks its plans this way before
 * writing, with the very rules `verify` uses). name is for messages only.
 * Returns 0 when the checks ran, -1 with err when out of memory. */
int h2g_verify_header(const char *name, const h2g_kv_list *kv, const h2g_tensor_info *tensors,
                      size_t n_tensors, h2g_verify_report *rep, h2g_error *err);

/* Frees what a report holds and zeroes it. */
void h2g_verify_report_free(h2g_verify_report *rep);

#endif
