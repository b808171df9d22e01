/*
 * verify_rules.h - the shape of the tables `hf2gguf verify` checks files
 * against (include/hf2gguf/verify.h), shared by the engine (verify.c) and
 * the tables themselves (verify_rules.c).
 *
 * An architecture is described by an h2g_varch:
 *
 *   dims     named quantities of the file, numbered by an enum of the
 *            table's own: a key's value ("embedding_length"), the token
 *            count, a constant, or a sum/difference/product/quotient of two
 *            earlier dims. Expected tensor shapes are lists of dims, so they
 *            follow the file's own keys (the fixtures are scaled down): no
 *            model size is written into the rules, only constants that
 *            llama.cpp's graph code fixes (the 12 SAM blocks, ...).
 *   keys     key ("{a}.block_count", "{a}" standing for the arch prefix, or
 *            a full name such as "tokenizer.ggml.tokens") -> value type, and
 *            whether it is required always, never, or when a condition holds.
 *   tensors  name pattern ("blk.N.attn_q.weight": N runs over the layer
 *            count dim), required or optional, under a condition, with its
 *            expected ne. A tensor whose condition does not hold, or that no
 *            rule names, is "unexpected" for architectures whose loader
 *            refuses unused tensors (strict_tensors).
 *   checks   functions for what tables cannot say (value relations the
 *            loader asserts, the tokenizer).
 *
 * Conditions and checks see the file through the small h2g_vctx API below.
 */
#ifndef HF2GGUF_VERIFY_RULES_H
#define HF2GGUF_VERIFY_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/kv.h"

#define H2G_VERIFY_MAX_TABLES 4
#define H2G_VERIFY_MAX_CHECKS 4

/* The engine's state while verifying one file (opaque to the tables). */
typedef struct h2g_vctx h2g_vctx;

/* ---------------------------------------------------------------------------
 * Dims
 * ------------------------------------------------------------------------- */

/* Dim ids 0 and 1 are reserved in every dims table: 0 ends a shape (so a
 * shape written {D_H, D_V} is terminated by the implicit zeros) and 1
 * means "any size" (not checked). Tables number their dims from 2. */
#define H2G_VDIM_END 0
#define H2G_VDIM_ANY 1
#define H2G_VDIM_FIRST 2

typedef enum h2g_vdim_kind {
    H2G_VD_UNUSED = 0, /* the reserved slots */
    H2G_VD_KEY,        /* UINT32 value of `key`; when absent: `value` if has_default,
                          else dim `a` if a != 0, else unknown */
    H2G_VD_TOKENS,     /* number of tokenizer.ggml.tokens */
    H2G_VD_CONST,      /* `value` */
    H2G_VD_ADD,        /* a + b */
    H2G_VD_SUB,        /* a - b (unknown when negative) */
    H2G_VD_MUL,        /* a * b */
    H2G_VD_DIV,        /* a / b (unknown unless exact) */
} h2g_vdim_kind;

typedef struct h2g_vdim_rule {
    h2g_vdim_kind kind;
    const char *label; /* how problem lines name it; for keys, the key */
    const char *key;   /* H2G_VD_KEY: the key without the arch prefix */
    uint64_t value;
    bool has_default;
    int a, b; /* operand dim ids, lower than this dim's own id */
} h2g_vdim_rule;

/* Table-writing shorthands, indexed by the table's enum ([D_X] = ...). */
#define VDIM_KEY(k) {H2G_VD_KEY, k, k, 0, false, 0, 0}
#define VDIM_KEY_OR(k, dflt) {H2G_VD_KEY, k, k, dflt, true, 0, 0}
#define VDIM_KEY_ELSE(k, dim) {H2G_VD_KEY, k, k, 0, false, dim, 0}
#define VDIM_TOKENS(label) {H2G_VD_TOKENS, label, NULL, 0, false, 0, 0}
#define VDIM_CONST(label, v) {H2G_VD_CONST, label, NULL, v, true, 0, 0}
#define VDIM_ADD(label, x, y) {H2G_VD_ADD, label, NULL, 0, false, x, y}
#define VDIM_SUB(label, x, y) {H2G_VD_SUB, label, NULL, 0, false, x, y}
#define VDIM_MUL(label, x, y) {H2G_VD_MUL, label, NULL, 0, false, x, y}
#define VDIM_DIV(label, x, y) {H2G_VD_DIV, label, NULL, 0, false, x, y}

/* ---------------------------------------------------------------------------
 * Conditions, keys, tensors
 * ------------------------------------------------------------------------- */

/* A condition on the file (and, for per-layer tensors, the layer; keys are
 * checked with layer 0). `why` says when it holds, for problem lines; "{a}"
 * in it stands for the arch prefix ("{a}.attention.key_length_mla is
 * present"). */
typedef struct h2g_vcond {
    bool (*holds)(const h2g_vctx *c, uint64_t layer);
    const char *why;
} h2g_vcond;

typedef enum h2g_vneed {
    H2G_VKEY_OPTIONAL,     /* type checked when present */
    H2G_VKEY_REQUIRED,
    H2G_VKEY_REQUIRED_WHEN, /* required when `when` holds */
} h2g_vneed;

typedef struct h2g_vkey_rule {
    const char *key; /* full name, "{a}" standing for the prefix; NULL ends a table */
    uint32_t type;   /* H2G_VT_*; for arrays H2G_VT_ARRAY and elem_type */
    h2g_vneed need;
    const h2g_vcond *when;
    uint32_t elem_type;
    uint64_t min_count; /* arrays: at least this many elements */
} h2g_vkey_rule;

typedef enum h2g_vpresence {
    H2G_VTENSOR_REQUIRED,
    H2G_VTENSOR_OPTIONAL,
} h2g_vpresence;

typedef struct h2g_vtensor_rule {
    const char *name; /* "token_embd.weight" or "blk.N.attn_q.weight"; NULL ends */
    int layers;       /* dim id of the count N runs over (0: no N in name) */
    h2g_vpresence presence;
    const h2g_vcond *when; /* NULL: always */
    int ne[H2G_GGUF_MAX_DIMS];
    const char *unless; /* not required when this tensor (same N) exists */
} h2g_vtensor_rule;

/* ---------------------------------------------------------------------------
 * Architectures and the registry
 * ------------------------------------------------------------------------- */

typedef struct h2g_varch {
    const char *arch;      /* general.architecture */
    const char *projector; /* clip.projector_type that selects this entry, or NULL */
    const char *prefix;    /* of the arch's keys ("deepseek2" -> "deepseek2.block_count") */
    bool strict_tensors;   /* every tensor must be one a rule names */
    const h2g_vdim_rule *dims;
    int n_dims;
    const h2g_vkey_rule *keys[H2G_VERIFY_MAX_TABLES];      /* NULL ends a shorter list */
    const h2g_vtensor_rule *tensors[H2G_VERIFY_MAX_TABLES]; /* NULL-terminated */
    void (*checks[H2G_VERIFY_MAX_CHECKS])(h2g_vctx *c);   /* NULL-terminated */
} h2g_varch;

/* Every architecture verify knows, NULL-terminated (verify_rules.c). */
extern const h2g_varch *const h2g_verify_archs[];

/* Shared with the tables of other files (verify_rules.c): the tokenizer
 * keys and checks of the DeepSeek text models. */
extern const h2g_vkey_rule h2g_vrules_tokenizer_keys[];
void h2g_vcheck_tokenizer(h2g_vctx *c);

/* DeepSeek-V4 (verify_deepseek4.c). */
extern const h2g_varch h2g_verify_deepseek4;

/* ---------------------------------------------------------------------------
 * What conditions and checks may ask the engine (verify.c)
 * ------------------------------------------------------------------------- */

/* The file being verified. */
const h2g_gguf_file *h2g_vctx_file(const h2g_vctx *c);
/* The arch prefix ("deepseek2"). */
const char *h2g_vctx_prefix(const h2g_vctx *c);
/* The KV "<prefix>.<key>", or NULL when absent. */
const h2g_kv *h2g_vctx_key(const h2g_vctx *c, const char *key);
/* Dim `id` of the arch's dims table; false when it cannot be known (a key
 * absent without default, or of the wrong type). */
bool h2g_vctx_dim(const h2g_vctx *c, int id, uint64_t *out);
/* Adds a problem line (printf-style). */
void h2g_vctx_problem(h2g_vctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
