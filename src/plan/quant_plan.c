/* quant_plan.c - a converter's plan turned into llama-quantize's output of
 * it (quantization-reference.md §1.3; see quant_rules.h): sorted tensors,
 * chosen types, KV edits. The data itself is made by the executor. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/quant_rules.h"
#include "hf2gguf/ggml_type.h"

/* ---------------------------------------------------------------------------
 * Tensor order: (layer, name)
 * ------------------------------------------------------------------------- */

/* The number after "blk." (as sscanf's %d reads it), or -1. */
static long sort_layer(const char *name) {
    if (strncmp(name, "blk.", 4) != 0) return -1;
    const char *p = name + 4;
    bool neg = *p == '-' || *p == '+' ? *p++ == '-' : false;
    if (*p < '0' || *p > '9') return -1;
    long v = 0;
    while (*p >= '0' && *p <= '9' && v < 1000000000L) v = v * 10 + (*p++ - '0');
    return neg ? -v : v;
}

static int by_layer_then_name(const void *a, const void *b) {
    const h2g_plan_tensor *x = a, *y = b;
    long lx = sort_layer(x->info.name), ly = sort_layer(y->info.name);
    if (lx != ly) return lx < ly ? -1 : 1;
    return strcmp(x->info.name, y->info.name);
}

/* ---------------------------------------------------------------------------
 * KV edits
 * ------------------------------------------------------------------------- */

/* Keys llama-quantize drops from its input before appending its own. */
static bool dropped_key(const char *key) {
    static const char *const keys[] = {"general.quantization_version", "general.file_type",
                                       "split.no", "split.count", "split.tensors.count"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(key, keys[i])) return true;
    return false;
}

/* The input's KVs in order, less the dropped ones, then
 * quantization_version = 2 and file_type = the ftype id. */
static int edit_kvs(h2g_plan *p, const h2g_ftype *ft, h2g_error *err) {
    h2g_kv_list out = {.keep_empty = p->kv.keep_empty};
    for (size_t i = 0; i < p->kv.n; i++) {
        if (dropped_key(p->kv.items[i].key.data)) continue;
        if (h2g_kv_set_copy(&out, &p->kv.items[i], err) != 0) goto fail;
    }
    if (h2g_kv_set_u32(&out, "general.quantization_version", 2, err) != 0 ||
        h2g_kv_set_u32(&out, "general.file_type", ft->id, err) != 0)
        goto fail;
    h2g_kv_list_free(&p->kv);
    p->kv = out;
    return 0;
fail:
    h2g_kv_list_free(&out);
    return -1;
}

/* ---------------------------------------------------------------------------
 * The stage
 * ------------------------------------------------------------------------- */

/* llama-quantize converts only float tensors: one the converter already
 * wrote quantized (DeepSeek-V4's Q8_0 and MXFP4) is copied when the rules
 * give it its own type, and otherwise the whole run fails with "requantizing
 * from type q8_0 is disabled" (unless --allow-requantize, which hf2gguf does
 * not offer: dequantizing and quantizing again loses precision twice). The
 * first such tensor in the sorted order is the one llama-quantize names. */
static int check_requantize(const h2g_plan *p, const uint32_t *types, h2g_error *err) {
    for (size_t i = 0; i < p->n_tensors; i++) {
        const h2g_tensor_info *ti = &p->tensors[i].info;
        uint32_t block = 1;
        h2g_ggml_type_info(ti->type, &block, NULL);
        if (!types[i] || types[i] == ti->type || block == 1) continue;
        char lower[16]; /* ggml's own spelling, as llama-quantize prints it */
        snprintf(lower, sizeof lower, "%s", h2g_ggml_type_name(ti->type));
        for (char *c = lower; *c; c++) *c = (char)tolower((unsigned char)*c);
        return h2g_fail(err, "tensor '%s' is %s in the converter's file and this type would "
                             "make it %s: llama-quantize refuses to requantize (\"requantizing "
                             "from type %s is disabled\"); choose a type that keeps it (for "
                             "DeepSeek-V4: MXFP4_MOE)", ti->name, h2g_ggml_type_name(ti->type),
                        h2g_ggml_type_name(types[i]), lower);
    }
    return 0;
}

int h2g_quant_plan(h2g_plan *p, const h2g_ftype *ft, const h2g_quant_rules *rules,
                   h2g_error *err) {
    qsort(p->tensors, p->n_tensors, sizeof *p->tensors, by_layer_then_name);
    h2g_qmodel m;
    if (h2g_quant_model(p, &m, err) != 0) return -1;
    uint32_t *types = malloc((p->n_tensors ? p->n_tensors : 1) * sizeof *types);
    if (!types)
        return h2g_fail(err, "out of memory for the quantized types of %zu tensors", p->n_tensors);
    if (h2g_quant_choose(p, &m, ft, rules, types, err) != 0 ||
        check_requantize(p, types, err) != 0) {
        free(types);
        return -1;
    }
    for (size_t i = 0; i < p->n_tensors; i++) {
        h2g_plan_tensor *t = &p->tensors[i];
        t->quantized = true;
        t->via_type = t->info.type;
        if (types[i]) t->info.type = types[i];
        while (t->info.n_dims > 1 && t->info.ne[t->info.n_dims - 1] == 1) t->info.n_dims--;
    }
    free(types);
    if (edit_kvs(p, ft, err) != 0) return -1;
    p->ftype = ft;
    return 0;
}
