/*
 * ollama.c - planning Ollama's single-file layout from a module's table
 * (see ollama.h; facts: conversion-reference.md section 8).
 *
 * What differs from llama.cpp's layout, in the order it is applied:
 *   names   every tensor but FP8 scales is kept and renamed by the table's
 *           substring pairs; experts are stacked per layer and projection;
 *           with drop_extra_layers, blocks past num_hidden_layers go;
 *   order   tensors by block number (non-block tensors last), then name;
 *   types   a fixed rule per tensor, whatever --outtype says; BF16 is
 *           written by truncation, as Ollama's converter does;
 *   keys    the table's keys with Go's zero values, tokenizer keys as
 *           Ollama makes them, FP8 provenance keys; all sorted by the
 *           spelling before the architecture prefix is added.
 */
#include "arch/ollama.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "hf2gguf/general.h"
#include "hf2gguf/vocab.h"
#include "source/hparams.h"
#include "base/util.h"

/* ---------------------------------------------------------------------------
 * Names and order
 * ------------------------------------------------------------------------- */

bool h2g_ollama_rename(const char *const *pairs, const char *name, char *out, size_t size) {
    size_t o = 0;
    for (const char *p = name; *p;) {
        const char *with = NULL;
        size_t skip = 1;
        for (size_t i = 0; pairs[i]; i += 2) {
            size_t n = strlen(pairs[i]);
            if (n && strncmp(p, pairs[i], n) == 0) {
                with = pairs[i + 1];
                skip = n;
                break;
            }
        }
        size_t n = with ? strlen(with) : 1;
        if (o + n >= size) return false;
        memcpy(out + o, with ? with : p, n);
        o += n;
        p += skip;
    }
    out[o] = '\0';
    return true;
}

/* N of a "blk.N." name; LONG_MAX for the rest, which sort last. */
static long block_of(const char *name) {
    if (strncmp(name, "blk.", 4) != 0 || !isdigit((unsigned char)name[4])) return LONG_MAX;
    char *end;
    long n = strtol(name + 4, &end, 10);
    return *end == '.' ? n : LONG_MAX;
}

static int cmp_tensor(const void *a, const void *b) {
    const h2g_tensor_info *x = &((const h2g_plan_tensor *)a)->info;
    const h2g_tensor_info *y = &((const h2g_plan_tensor *)b)->info;
    long bx = block_of(x->name), by = block_of(y->name);
    if (bx != by) return bx < by ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Sorts the tensors as Ollama's writer does; two tensors renamed to the
 * same name are an error (Ollama refuses them too). */
static int sort_tensors(h2g_plan *p, h2g_error *err) {
    if (p->n_tensors > 1) qsort(p->tensors, p->n_tensors, sizeof *p->tensors, cmp_tensor);
    for (size_t i = 1; i < p->n_tensors; i++)
        if (!strcmp(p->tensors[i].info.name, p->tensors[i - 1].info.name))
            return h2g_fail(err, "two tensors are both named '%s' in Ollama's layout",
                            p->tensors[i].info.name);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Types (conversion-reference 8.1)
 * ------------------------------------------------------------------------- */

static bool always_f32(const char *name) {
    static const char *const suffixes[] = {".ffn_gate_inp.weight", ".bias", "rel_pos_h",
                                           "rel_pos_w", NULL};
    static const char *const names[] = {"v.position_embd.weight", "s.position_embd",
                                        "token_types.weight", NULL};
    for (int i = 0; suffixes[i]; i++)
        if (h2g_str_ends_with(name, suffixes[i])) return true;
    for (int i = 0; names[i]; i++)
        if (!strcmp(name, names[i])) return true;
    return false;
}

/* 1-D and the always-F32 kinds: F32. BF16 text weights and all FP8
 * weights: BF16. Everything else, vision weights included: F16. */
static uint32_t ollama_type(const char *name, uint32_t n_dims, h2g_dtype dtype) {
    if (n_dims <= 1 || always_f32(name)) return H2G_GGML_F32;
    if (dtype == H2G_DT_F8_E4M3) return H2G_GGML_BF16;
    bool vision = h2g_str_starts_with(name, "v.") || h2g_str_starts_with(name, "s.") ||
                  h2g_str_starts_with(name, "mm.");
    if (dtype == H2G_DT_BF16 && !vision && !strstr(name, "ffn_gate_inp_shexp.weight"))
        return H2G_GGML_BF16;
    return H2G_GGML_F16;
}

static void assign_types(h2g_plan *p) {
    p->outtype = H2G_OUT_F16; /* what general.file_type says */
    for (size_t i = 0; i < p->n_tensors; i++) {
        h2g_plan_tensor *t = &p->tensors[i];
        /* the source's own rank: a stack of 2-D experts counts as 2-D */
        uint32_t n_dims = t->n_src > 1 ? 2 : t->info.n_dims;
        t->info.type = ollama_type(t->info.name, n_dims, t->src[0].tensor->dtype);
        t->bf16_truncate = true;
    }
}

/* ---------------------------------------------------------------------------
 * Experts
 * ------------------------------------------------------------------------- */

enum { EXP_GATE, EXP_UP, EXP_DOWN, EXP_KINDS };
static const char *const expert_hf[EXP_KINDS] = {"gate_proj", "up_proj", "down_proj"};
static const char *const expert_gguf[EXP_KINDS] = {"ffn_gate_exps", "ffn_up_exps",
                                                   "ffn_down_exps"};

typedef struct expert {
    long layer, index;
    int kind;
    h2g_source src;
} expert;

typedef struct planner {
    const h2g_checkout *co;
    const h2g_convert_options *opt;
    const h2g_ollama_layout *layout;
    h2g_quant quant;
    uint32_t n_layer;
    expert *experts;
    size_t n_experts, cap_experts;
} planner;

/* Recognises "blk.L.mlp.experts.X.<proj>.weight" of a counted layer. */
static bool parse_expert(const planner *m, const char *name, expert *e) {
    char proj[32];
    int end = 0;
    if (sscanf(name, "blk.%ld.mlp.experts.%ld.%31[a-z_].weight%n", &e->layer, &e->index, proj,
               &end) != 3 || name[end] != '\0' || e->layer < 0 || e->index < 0 ||
        e->layer >= (long)m->n_layer)
        return false;
    for (int k = 0; k < EXP_KINDS; k++) {
        if (!strcmp(proj, expert_hf[k])) {
            e->kind = k;
            return true;
        }
    }
    return false;
}

static int cmp_expert(const void *a, const void *b) {
    const expert *x = a, *y = b;
    if (x->layer != y->layer) return x->layer < y->layer ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    return (x->index > y->index) - (x->index < y->index);
}

/* One stacked tensor from experts [first, first + n) of one layer and kind,
 * which must be experts 0..n-1 of one 2-D shape. */
static int add_stack(planner *m, h2g_plan *p, const expert *g, size_t n, h2g_error *err) {
    const h2g_st_tensor *t0 = g[0].src.tensor;
    h2g_source *src = calloc(n, sizeof *src);
    if (!src)
        return h2g_fail(err, "out of memory for the %zu sources of tensor 'blk.%ld.%s.weight'", n,
                        g[0].layer, expert_gguf[g[0].kind]);
    for (size_t i = 0; i < n; i++) {
        const h2g_st_tensor *t = g[i].src.tensor;
        if (g[i].index != (long)i) {
            free(src);
            return h2g_fail(err, "layer %ld: expert %zu of %s is missing (found expert %ld "
                                 "next); the checkout is incomplete",
                            g[0].layer, i, expert_hf[g[0].kind], g[i].index);
        }
        if (t->n_dims != 2 || t->shape[0] != t0->shape[0] || t->shape[1] != t0->shape[1]) {
            free(src);
            return h2g_fail(err, "tensor '%s': shape differs from '%s'; experts of a layer "
                                 "must all have the same 2-D shape", t->name, t0->name);
        }
        src[i] = g[i].src;
    }
    char name[H2G_GGUF_MAX_NAME];
    snprintf(name, sizeof name, "blk.%ld.%s.weight", g[0].layer, expert_gguf[g[0].kind]);
    uint64_t ne[3] = {t0->shape[1], t0->shape[0], n};
    long i = h2g_plan_add(p, name, 0, 3, ne, H2G_XF_STACK, src, n, err);
    free(src);
    return i < 0 ? -1 : 0;
}

static int add_stacks(planner *m, h2g_plan *p, h2g_error *err) {
    if (m->n_experts == 0) return 0;
    qsort(m->experts, m->n_experts, sizeof *m->experts, cmp_expert);
    for (size_t i = 0; i < m->n_experts;) {
        size_t j = i + 1;
        while (j < m->n_experts && m->experts[j].layer == m->experts[i].layer &&
               m->experts[j].kind == m->experts[i].kind)
            j++;
        if (add_stack(m, p, &m->experts[i], j - i, err) != 0) return -1;
        i = j;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------- */

/* Ollama reads these source dtypes and no others. */
static int check_dtype(const h2g_st_tensor *t, h2g_error *err) {
    if (t->dtype == H2G_DT_F32 || t->dtype == H2G_DT_F16 || t->dtype == H2G_DT_BF16 ||
        t->dtype == H2G_DT_F8_E4M3)
        return 0;
    return h2g_fail(err, "tensor '%s' has dtype %s; Ollama's layout takes F32, F16, BF16 and "
                         "F8_E4M3 sources", t->name, h2g_dtype_name(t->dtype));
}

static int add_plain(h2g_plan *p, const char *name, const h2g_source *src, h2g_error *err) {
    const h2g_st_tensor *t = src->tensor;
    if (t->n_dims > H2G_GGUF_MAX_DIMS)
        return h2g_fail(err, "tensor '%s' has %u dimensions; expected at most 4", t->name,
                        t->n_dims);
    uint64_t ne[H2G_GGUF_MAX_DIMS] = {1}; /* a 0-D scalar becomes {1} */
    uint32_t n_dims = t->n_dims ? h2g_ne_from_shape(t, ne) : 1;
    return h2g_plan_add(p, name, 0, n_dims, ne, H2G_XF_CONVERT, src, 1, err) < 0 ? -1 : 0;
}

static int keep_expert(planner *m, const expert *e, h2g_error *err) {
    if (h2g_grow((void **)&m->experts, &m->cap_experts, m->n_experts + 1, sizeof *e) != 0)
        return h2g_fail(err, "tensor '%s': out of memory for the list of %zu expert tensors",
                        e->src.tensor->name, m->n_experts + 1);
    m->experts[m->n_experts++] = *e;
    return 0;
}

static int plan_one(planner *m, h2g_plan *p, const h2g_st_tensor *t, h2g_error *err) {
    char name[H2G_GGUF_MAX_NAME];
    if (!h2g_ollama_rename(m->layout->renames, t->name, name, sizeof name))
        return h2g_fail(err, "tensor '%.200s': name too long", t->name);
    expert e;
    if (check_dtype(t, err) != 0 || h2g_source_make(m->co, &m->quant, t, &e.src, err) != 0)
        return -1;
    if (parse_expert(m, name, &e)) return keep_expert(m, &e, err);
    if (m->layout->drop_extra_layers && block_of(name) != LONG_MAX &&
        block_of(name) >= (long)m->n_layer)
        return 0; /* MTP layers */
    return add_plain(p, name, &e.src, err);
}

static int plan_tensors(planner *m, h2g_plan *p, h2g_error *err) {
    for (size_t i = 0; i < m->co->n_tensors; i++) {
        const h2g_st_tensor *t = &m->co->tensors[i];
        if (h2g_is_scale_companion(t->name)) continue; /* FP8 scales: read with their weight */
        if (plan_one(m, p, t, err) != 0) return -1;
    }
    return add_stacks(m, p, err) != 0 ? -1 : sort_tensors(p, err);
}

/* ---------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------- */

/* Where a '/' path of config.json leads: the object holding its last part
 * (NULL when a part on the way is absent: the value is then Go's zero), the
 * last part, and a name for messages ("config.json: rope_scaling"). */
typedef struct cfg_ref {
    const cJSON *obj;
    char leaf[128];
    char where[256];
} cfg_ref;

static int cfg_find(const cJSON *root, const char *path, cfg_ref *r, h2g_error *err) {
    const cJSON *obj = root;
    snprintf(r->where, sizeof r->where, "config.json");
    const char *p = path;
    for (const char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
        char part[128];
        snprintf(part, sizeof part, "%.*s", (int)(slash - p), p);
        const cJSON *next = obj ? cJSON_GetObjectItemCaseSensitive(obj, part) : NULL;
        size_t w = strlen(r->where);
        snprintf(r->where + w, sizeof r->where - w, "%s%s", w > 11 ? "." : ": ", part);
        if (next && !cJSON_IsNull(next) && !cJSON_IsObject(next))
            return h2g_fail(err, "%s must be an object", r->where);
        obj = next && cJSON_IsObject(next) ? next : NULL;
    }
    snprintf(r->leaf, sizeof r->leaf, "%s", p);
    r->obj = obj;
    return 0;
}

/* Typed reads of a path; absent values are Go's zero values. */
static int read_u32(const cJSON *root, const char *path, uint32_t *v, h2g_error *err) {
    cfg_ref r;
    bool has;
    *v = 0;
    return cfg_find(root, path, &r, err) ? -1
                                         : h2g_json_u32_opt(r.obj, r.where, r.leaf, v, &has, err);
}

static int read_f32(const cJSON *root, const char *path, float *v, h2g_error *err) {
    cfg_ref r;
    bool has;
    double d = 0;
    if (cfg_find(root, path, &r, err) || h2g_json_f64_opt(r.obj, r.where, r.leaf, &d, &has, err))
        return -1;
    *v = (float)d;
    return 0;
}

static int read_str(const cJSON *root, const char *path, const char **v, h2g_error *err) {
    cfg_ref r;
    bool has;
    *v = "";
    return cfg_find(root, path, &r, err) ? -1
                                         : h2g_json_str_opt(r.obj, r.where, r.leaf, v, &has, err);
}

static int read_bool(const cJSON *root, const char *path, bool *v, h2g_error *err) {
    cfg_ref r;
    bool has;
    *v = false;
    return cfg_find(root, path, &r, err) ? -1
                                         : h2g_json_bool_opt(r.obj, r.where, r.leaf, v, &has, err);
}

/* A list of whole numbers as ARRAY INT32 (empty when absent). */
static int set_i32_list(h2g_kv_list *kv, const char *key, const cJSON *root, const char *path,
                        h2g_error *err) {
    cfg_ref r;
    if (cfg_find(root, path, &r, err) != 0) return -1;
    const cJSON *list = r.obj ? cJSON_GetObjectItemCaseSensitive(r.obj, r.leaf) : NULL;
    if (list && !cJSON_IsNull(list) && !cJSON_IsArray(list))
        return h2g_fail(err, "%s: '%s' must be a list of whole numbers", r.where, r.leaf);
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    int32_t *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v) return h2g_fail(err, "%s: out of memory for the %d values of '%s'", r.where, n, r.leaf);
    int i = 0;
    for (const cJSON *e = n ? list->child : NULL; e; e = e->next, i++) {
        double d = cJSON_IsNumber(e) ? e->valuedouble : 0.5;
        if (d != (double)(int32_t)d) {
            free(v);
            return h2g_fail(err, "%s: '%s' must be a list of whole numbers (entry %d is not)",
                            r.where, r.leaf, i);
        }
        v[i] = (int32_t)d;
    }
    int rc = h2g_kv_set_array(kv, key, H2G_VT_INT32, v, (uint64_t)n, err);
    free(v);
    return rc;
}

static uint32_t gating_func(const char *scoring) {
    return !strcmp(scoring, "softmax") ? 1 : !strcmp(scoring, "sigmoid") ? 2 : 0;
}

static int set_table_key(h2g_kv_list *kv, const h2g_ollama_key *k, const cJSON *cfg,
                         h2g_error *err) {
    uint32_t u = 0, u2 = 0;
    float f = 0;
    bool b = false;
    const char *s = "";
    switch (k->kind) {
    case H2G_OV_U32:
        return read_u32(cfg, k->cfg, &u, err) ? -1 : h2g_kv_set_u32(kv, k->key, u, err);
    case H2G_OV_U32_SUM:
        if (read_u32(cfg, k->cfg, &u, err) != 0 || read_u32(cfg, k->cfg2, &u2, err) != 0)
            return -1;
        return h2g_kv_set_u32(kv, k->key, u + u2, err);
    case H2G_OV_F32:
        return read_f32(cfg, k->cfg, &f, err) ? -1 : h2g_kv_set_f32(kv, k->key, f, err);
    case H2G_OV_F32_OR:
        if (read_f32(cfg, k->cfg, &f, err) != 0) return -1;
        return h2g_kv_set_f32(kv, k->key, f != 0 ? f : k->fallback, err);
    case H2G_OV_F32_TENTH:
        if (read_f32(cfg, k->cfg, &f, err) != 0) return -1;
        return h2g_kv_set_f32(kv, k->key, 0.1f * f, err);
    case H2G_OV_BOOL:
        return read_bool(cfg, k->cfg, &b, err) ? -1 : h2g_kv_set_bool(kv, k->key, b, err);
    case H2G_OV_STR:
        return read_str(cfg, k->cfg, &s, err) ? -1 : h2g_kv_set_str(kv, k->key, s, err);
    case H2G_OV_GATING:
        if (read_str(cfg, k->cfg, &s, err) != 0) return -1;
        return h2g_kv_set_u32(kv, k->key, gating_func(s), err);
    case H2G_OV_I32_LIST: return set_i32_list(kv, k->key, cfg, k->cfg, err);
    }
    return h2g_fail(err, "%s: unknown value kind", k->key);
}

/* Tensors made from FP8 sources, and the two keys that say so. */
static int add_fp8_keys(h2g_kv_list *kv, const h2g_plan *p, h2g_error *err) {
    h2g_str *names = calloc(p->n_tensors ? p->n_tensors : 1, sizeof *names);
    if (!names)
        return h2g_fail(err, "out of memory for the list of FP8 tensors (up to %zu)", p->n_tensors);
    uint64_t n = 0;
    for (size_t i = 0; i < p->n_tensors; i++) {
        const h2g_plan_tensor *t = &p->tensors[i];
        bool fp8 = true;
        for (size_t s = 0; s < t->n_src; s++) fp8 &= t->src[s].tensor->dtype == H2G_DT_F8_E4M3;
        if (!fp8) continue;
        names[n].data = h2g_strdup(t->info.name); /* sorted: the plan is */
        if (!names[n].data) {
            for (uint64_t k = 0; k < n; k++) free(names[k].data);
            free(names);
            return h2g_fail(err, "out of memory for the name of tensor '%s' in "
                                 "source_fp8_tensors", t->info.name);
        }
        names[n].len = strlen(names[n].data);
        n++;
    }
    if (n == 0) {
        free(names);
        return 0;
    }
    if (h2g_kv_set_str(kv, "source_quantization", "hf_fp8", err) != 0) {
        for (uint64_t k = 0; k < n; k++) free(names[k].data);
        free(names);
        return -1;
    }
    return h2g_kv_set_str_array_owned(kv, "source_fp8_tensors", names, n, err);
}

/* Sorts the keys on Ollama's spelling, then adds the architecture prefix
 * where Ollama's writer does. */
static int order_keys(h2g_kv_list *kv, const char *arch, h2g_error *err) {
    h2g_kv_sort(kv);
    size_t alen = strlen(arch);
    for (size_t i = 0; i < kv->n; i++) {
        const char *k = kv->items[i].key.data;
        bool own = (!strncmp(k, arch, alen) && k[alen] == '.') ||
                   h2g_str_starts_with(k, "general.") || h2g_str_starts_with(k, "tokenizer.") ||
                   h2g_str_starts_with(k, "adapter.");
        if (own) continue;
        char *full = h2g_strfmt("%s.%s", arch, k);
        int rc = full ? h2g_kv_rename(kv, i, full, err)
                      : h2g_fail(err, "out of memory for the prefixed name of key '%s'", k);
        free(full);
        if (rc != 0) return -1;
    }
    return 0;
}

/* Ollama's keys, sorted (the tensors must be planned: FP8 keys need them). */
static int add_keys(planner *m, h2g_plan *p, h2g_error *err) {
    const h2g_ollama_layout *L = m->layout;
    h2g_kv_list *kv = &p->kv;
    kv->keep_empty = true;
    if (h2g_kv_set_str(kv, "general.architecture", L->arch, err) != 0 ||
        (L->general_type && h2g_kv_set_str(kv, "general.type", L->general_type, err) != 0) ||
        h2g_kv_set_u32(kv, "general.file_type", 1, err) != 0 ||
        h2g_kv_set_u32(kv, "general.quantization_version", 2, err) != 0)
        return -1;
    for (const h2g_ollama_key *k = L->keys; k->key; k++)
        if (set_table_key(kv, k, m->co->config, err) != 0) return -1;
    const char *pre = m->opt->tokenizer_pre ? m->opt->tokenizer_pre : L->pre;
    if (h2g_vocab_ollama_add_kv(kv, m->co, pre, err) != 0 || add_fp8_keys(kv, p, err) != 0)
        return -1;
    return order_keys(kv, L->arch, err);
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

/* "<Name>-<size>-Ollama.gguf": the usual default name with the layout in
 * place of the type (the tensors mix BF16, F16 and F32). */
static int name_file(planner *m, h2g_plan *p, h2g_error *err) {
    h2g_general g = {0};
    if (h2g_general_derive(&g, m->co, m->opt->vocab_only ? NULL : p, err) != 0) {
        h2g_general_free(&g);
        return -1;
    }
    p->default_name = h2g_default_filename(&g, m->opt->vocab_only ? "vocab" : "model", "Ollama");
    h2g_general_free(&g);
    return p->default_name ? 0 : h2g_fail(err, "out of memory for the default file name");
}

static void drop_tensors(h2g_plan *p) {
    for (size_t i = 0; i < p->n_tensors; i++) free(p->tensors[i].src);
    p->n_tensors = 0;
}

int h2g_ollama_plan(const h2g_checkout *co, const h2g_convert_options *o,
                    const h2g_ollama_layout *layout, h2g_plan *out, h2g_error *err) {
    planner m = {.co = co, .opt = o, .layout = layout};
    memset(out, 0, sizeof *out);
    out->role = "model";
    int rc = h2g_quant_read(co->config, &m.quant, err);
    if (rc == 0 && m.quant.pack_bits)
        rc = h2g_fail(err, "--layout ollama: compressed-tensors INT4 checkpoints are "
                           "converted in llama.cpp's layout only");
    if (rc == 0) rc = read_u32(co->config, layout->layers_cfg, &m.n_layer, err);
    if (rc == 0 && m.n_layer == 0)
        rc = h2g_fail(err, "config.json: '%s' is missing or 0", layout->layers_cfg);
    if (rc == 0 && m.n_layer > co->n_tensors)
        rc = h2g_fail(err, "config.json: '%s' is %u, more layers than the checkout's %zu "
                           "tensors can hold", layout->layers_cfg, m.n_layer, co->n_tensors);
    if (rc == 0) rc = plan_tensors(&m, out, err);
    if (rc == 0) {
        assign_types(out);
        rc = add_keys(&m, out, err);
    }
    if (rc == 0) rc = name_file(&m, out, err);
    if (rc == 0 && o->vocab_only) drop_tensors(out);
    free(m.experts);
    if (rc != 0) h2g_plan_free(out);
    return rc;
}
