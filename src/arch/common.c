/* common.c - helpers shared by the architecture modules (see arch.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "source/hparams.h"
#include "base/util.h"

/* ---------------------------------------------------------------------------
 * Names and shapes
 * ------------------------------------------------------------------------- */

uint32_t h2g_ne_from_shape(const h2g_st_tensor *t, uint64_t *ne) {
    for (uint32_t d = 0; d < t->n_dims; d++) ne[d] = t->shape[t->n_dims - 1 - d];
    return t->n_dims;
}

uint32_t h2g_source_ne(const h2g_source *src, uint64_t *ne) {
    if (!src->pack_bits) return h2g_ne_from_shape(src->tensor, ne);
    ne[0] = src->cols;
    ne[1] = src->rows;
    return 2;
}

long h2g_layer_of(const char *name) {
    const char *p = name;
    while (*p) {
        const char *end = strchr(p, '.');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool digits = len > 0 && len < 10;
        for (size_t i = 0; digits && i < len; i++) digits = isdigit((unsigned char)p[i]);
        if (digits) return strtol(p, NULL, 10);
        if (!end) break;
        p = end + 1;
    }
    return -1;
}

/* Matches name against pattern, where "{N}" matches one or more digits,
 * which are copied to digits (NUL-terminated). */
static bool match_pattern(const char *pattern, const char *name, char *digits, size_t size) {
    const char *hole = strstr(pattern, "{N}");
    if (!hole) return strcmp(pattern, name) == 0;
    size_t head = (size_t)(hole - pattern);
    if (strncmp(pattern, name, head) != 0) return false;
    const char *d = name + head, *e = d;
    while (isdigit((unsigned char)*e)) e++;
    if (e == d || (size_t)(e - d) >= size) return false;
    memcpy(digits, d, (size_t)(e - d));
    digits[e - d] = '\0';
    return strcmp(hole + 3, e) == 0;
}

bool h2g_map_name(const h2g_name_rule *rules, const char *path, const char *suffix, char *out,
                  size_t out_size) {
    char digits[16];
    for (int i = 0; rules[i].hf; i++) {
        if (!match_pattern(rules[i].hf, path, digits, sizeof digits)) continue;
        const char *hole = strstr(rules[i].gguf, "{N}");
        int n = hole ? snprintf(out, out_size, "%.*s%s%s%s", (int)(hole - rules[i].gguf),
                                rules[i].gguf, digits, hole + 3, suffix)
                     : snprintf(out, out_size, "%s%s", rules[i].gguf, suffix);
        return n > 0 && (size_t)n < out_size;
    }
    return false;
}

const char *h2g_split_suffix(const char *name, char *path, size_t path_size) {
    const char *suffix = h2g_str_ends_with(name, ".weight") ? ".weight"
                         : h2g_str_ends_with(name, ".bias") ? ".bias"
                                                             : "";
    size_t n = strlen(name) - strlen(suffix);
    if (n >= path_size) n = path_size - 1;
    memcpy(path, name, n);
    path[n] = '\0';
    return suffix;
}

bool h2g_is_scale_companion(const char *name) {
    return h2g_str_ends_with(name, "_scale_inv") || h2g_str_ends_with(name, ".activation_scale") ||
           h2g_str_ends_with(name, "_activation_scale") || h2g_str_ends_with(name, ".qscale_act");
}

/* ---------------------------------------------------------------------------
 * Output types
 * ------------------------------------------------------------------------- */

h2g_outtype h2g_resolve_auto(const h2g_plan *p) {
    for (size_t i = 0; i < p->n_tensors; i++) {
        for (size_t s = 0; s < p->tensors[i].n_src; s++) {
            const h2g_st_tensor *t = p->tensors[i].src[s].tensor;
            if (t->n_dims < 2) continue;
            if (t->dtype == H2G_DT_BF16) return H2G_OUT_BF16;
            if (t->dtype == H2G_DT_F16) return H2G_OUT_F16;
        }
    }
    return H2G_OUT_F16;
}

/* Tensor kinds the reference always keeps in F32 (unless a class override
 * already decided). */
static bool always_f32(const char *name) {
    static const char *const kinds[] = {"ffn_gate_inp.weight", "ffn_gate_inp_shexp",
                                        "position_embd", "token_types",
                                        "indexer.proj.weight", /* DSA indexer (V3.2) */
                                        NULL};
    for (int i = 0; kinds[i]; i++)
        if (strstr(name, kinds[i])) return true;
    return !h2g_str_ends_with(name, ".weight");
}

uint32_t h2g_pick_type(const char *gguf_name, uint32_t n_dims, uint64_t ne0, h2g_outtype ot,
                       int forced) {
    if (n_dims <= 1 || h2g_str_ends_with(gguf_name, "_norm.weight")) return H2G_GGML_F32;
    uint32_t type;
    if (forced >= 0)
        type = (uint32_t)forced;
    else if (always_f32(gguf_name))
        type = H2G_GGML_F32;
    else
        type = h2g_outtype_ggml_type(ot);
    /* Q8_0 needs whole 32-element blocks along a row; the reference falls
     * back to F16 (not BF16) when a row is shorter or ragged. */
    if (type == H2G_GGML_Q8_0 && ne0 % 32 != 0) type = H2G_GGML_F16;
    return type;
}

/* ---------------------------------------------------------------------------
 * FP8 block-quantized sources
 * ------------------------------------------------------------------------- */

int h2g_quant_read(const cJSON *config, h2g_quant *q, h2g_error *err) {
    memset(q, 0, sizeof *q);
    const cJSON *qc = cJSON_GetObjectItemCaseSensitive(config, "quantization_config");
    if (!qc || cJSON_IsNull(qc)) return 0;
    if (!cJSON_IsObject(qc))
        return h2g_fail(err, "config.json: 'quantization_config' must be an object");
    const char *method = NULL;
    bool present;
    if (h2g_json_str_opt(qc, "config.json: quantization_config", "quant_method", &method,
                         &present, err) != 0)
        return -1;
    if (!present || strcmp(method, "fp8") != 0)
        return h2g_quant_read_other(qc, present ? method : NULL, q, err);
    q->fp8 = true;
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(qc, "weight_block_size");
    if (!bs || cJSON_IsNull(bs)) return 0;
    if (!cJSON_IsArray(bs) || cJSON_GetArraySize(bs) != 2)
        return h2g_fail(err, "config.json: quantization_config.weight_block_size must be a "
                             "list of two whole numbers");
    uint32_t v[2];
    for (int i = 0; i < 2; i++) {
        const cJSON *it = cJSON_GetArrayItem(bs, i);
        if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 1e9 ||
            it->valuedouble != (double)(uint32_t)it->valuedouble)
            return h2g_fail(err, "config.json: quantization_config.weight_block_size must be "
                                 "a list of two positive whole numbers");
        v[i] = (uint32_t)it->valuedouble;
    }
    q->block_rows = v[0];
    q->block_cols = v[1];
    return 0;
}

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* Checks an FP8 weight's scale tensor and sets the block size on src. */
static int attach_scale(const h2g_quant *q, const h2g_st_tensor *w, const h2g_st_tensor *s,
                        h2g_source *src, h2g_error *err) {
    if (w->n_dims != 2)
        return h2g_fail(err, "tensor '%s': FP8 weights must be 2-D, this one has %u dims",
                        w->name, w->n_dims);
    if (s->dtype != H2G_DT_F32 && s->dtype != H2G_DT_BF16 && s->dtype != H2G_DT_F16)
        return h2g_fail(err, "tensor '%s': scale must be F32, BF16 or F16, found %s", s->name,
                        h2g_dtype_name(s->dtype));
    uint64_t rows = w->shape[0], cols = w->shape[1];
    uint64_t srows = s->n_dims >= 1 ? s->shape[0] : 1;
    uint64_t scols = s->n_dims >= 2 ? s->shape[1] : 1;
    if (s->n_dims > 2 || srows == 0 || scols == 0)
        return h2g_fail(err, "tensor '%s': scale shape is not 2-D", s->name);
    uint64_t br = q->block_rows ? q->block_rows : ceil_div(rows, srows);
    uint64_t bc = q->block_cols ? q->block_cols : ceil_div(cols, scols);
    if (ceil_div(rows, br) != srows || ceil_div(cols, bc) != scols)
        return h2g_fail(err,
                        "tensor '%s': scale shape [%llu, %llu] does not match weight [%llu, "
                        "%llu] with %llux%llu blocks (expected [%llu, %llu])",
                        s->name, (unsigned long long)srows, (unsigned long long)scols,
                        (unsigned long long)rows, (unsigned long long)cols,
                        (unsigned long long)br, (unsigned long long)bc,
                        (unsigned long long)ceil_div(rows, br),
                        (unsigned long long)ceil_div(cols, bc));
    src->scale = s;
    src->block_rows = (uint32_t)br;
    src->block_cols = (uint32_t)bc;
    return 0;
}

int h2g_source_make(const h2g_checkout *co, const h2g_quant *q, const h2g_st_tensor *t,
                    h2g_source *src, h2g_error *err) {
    if (h2g_is_packed_weight(t->name)) return h2g_packed_source_make(co, q, t, src, err);
    memset(src, 0, sizeof *src);
    src->tensor = t;
    if (!h2g_dtype_is_float(t->dtype))
        return h2g_fail(err, "tensor '%s' has dtype %s, which cannot be converted to a float "
                             "type", t->name, h2g_dtype_name(t->dtype));
    bool f8 = t->dtype == H2G_DT_F8_E4M3 || t->dtype == H2G_DT_F8_E5M2;
    if (!f8 || !q->fp8) return 0;
    char *name = h2g_strfmt("%s_scale_inv", t->name);
    if (!name)
        return h2g_fail(err, "tensor '%s': out of memory for the name of its _scale_inv companion",
                        t->name);
    long si = h2g_checkout_find(co, name);
    if (si < 0) {
        h2g_fail(err, "tensor '%s' is %s but its scale tensor '%s' is missing", t->name,
                 h2g_dtype_name(t->dtype), name);
        free(name);
        return -1;
    }
    free(name);
    return attach_scale(q, t, &co->tensors[si], src, err);
}

/* Writes "<arch>.<key>" as a FLOAT32 or UINT32. */
static int set_arch_f32(h2g_kv_list *kv, const char *arch, const char *key, double v,
                        h2g_error *err) {
    char full[128];
    snprintf(full, sizeof full, "%s.%s", arch, key);
    return h2g_kv_set_f32(kv, full, (float)v, err);
}

static int set_arch_u32(h2g_kv_list *kv, const char *arch, const char *key, uint32_t v,
                        h2g_error *err) {
    char full[128];
    snprintf(full, sizeof full, "%s.%s", arch, key);
    return h2g_kv_set_u32(kv, full, v, err);
}

/* The YaRN numbers after type and factor: the original context (required)
 * and the four optional factors, each under its config name or alias. */
static int add_yarn(const cJSON *rs, const char *where, const char *arch, h2g_kv_list *kv,
                    h2g_error *err) {
    static const struct { const char *cfg, *alt, *key; } yarn[] = {
        {"extrapolation_factor", NULL, "rope.scaling.yarn_ext_factor"},
        {"attention_factor", "attn_factor", "rope.scaling.yarn_attn_factor"},
        {"beta_fast", NULL, "rope.scaling.yarn_beta_fast"},
        {"beta_slow", NULL, "rope.scaling.yarn_beta_slow"},
    };
    uint32_t orig;
    bool has;
    double v;
    if (h2g_json_u32_opt(rs, where, "original_max_position_embeddings", &orig, &has, err) != 0)
        return -1;
    if (!has)
        return h2g_fail(err, "%s: 'original_max_position_embeddings' is required for yarn",
                        where);
    if (set_arch_u32(kv, arch, "rope.scaling.original_context_length", orig, err) != 0)
        return -1;
    for (size_t i = 0; i < sizeof yarn / sizeof yarn[0]; i++) {
        if (h2g_json_f64_opt(rs, where, yarn[i].cfg, &v, &has, err) != 0) return -1;
        if (!has && yarn[i].alt && h2g_json_f64_opt(rs, where, yarn[i].alt, &v, &has, err) != 0)
            return -1;
        if (has && set_arch_f32(kv, arch, yarn[i].key, v, err) != 0) return -1;
    }
    return 0;
}

int h2g_add_rope_scaling(const cJSON *rs, const char *arch, h2g_kv_list *kv, h2g_error *err) {
    if (!rs) return 0;
    if (!cJSON_IsObject(rs)) return h2g_fail(err, "config.json: 'rope_scaling' must be an object");
    const char *where = "config.json: rope_scaling", *type = NULL;
    bool has_type, has_factor;
    double factor = 0;
    if (h2g_json_str_opt(rs, where, "rope_type", &type, &has_type, err) != 0 ||
        (!has_type && h2g_json_str_opt(rs, where, "type", &type, &has_type, err) != 0) ||
        h2g_json_f64_opt(rs, where, "factor", &factor, &has_factor, err) != 0)
        return -1;
    if (!has_type) return 0;
    char full[128];
    snprintf(full, sizeof full, "%s.rope.scaling.type", arch);
    if (!strcmp(type, "linear") && has_factor)
        return h2g_kv_set_str(kv, full, "linear", err) != 0 ||
                       set_arch_f32(kv, arch, "rope.scaling.factor", factor, err) != 0
                   ? -1
                   : 0;
    if (!strcmp(type, "su") || !strcmp(type, "longrope"))
        return h2g_kv_set_str(kv, full, "longrope", err);
    if (strcmp(type, "yarn") != 0 || !has_factor) return 0;
    if (h2g_kv_set_str(kv, full, "yarn", err) != 0 ||
        set_arch_f32(kv, arch, "rope.scaling.factor", factor, err) != 0)
        return -1;
    return add_yarn(rs, where, arch, kv, err);
}
