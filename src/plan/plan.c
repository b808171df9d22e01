/* plan.c - building and laying out plans (see include/hf2gguf/plan.h). */
#include "hf2gguf/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* ---------------------------------------------------------------------------
 * Output types
 * ------------------------------------------------------------------------- */

static const struct {
    const char *name, *upper;
    uint32_t file_type, ggml_type;
} outtypes[] = {
    [H2G_OUT_F32] = {"f32", "F32", 0, H2G_GGML_F32},
    [H2G_OUT_F16] = {"f16", "F16", 1, H2G_GGML_F16},
    [H2G_OUT_BF16] = {"bf16", "BF16", 32, H2G_GGML_BF16},
    [H2G_OUT_Q8_0] = {"q8_0", "Q8_0", 7, H2G_GGML_Q8_0},
    [H2G_OUT_AUTO] = {"auto", "AUTO", 0, H2G_GGML_F32},
};

const char *h2g_outtype_name(h2g_outtype t) { return outtypes[t].name; }
const char *h2g_outtype_upper_name(h2g_outtype t) { return outtypes[t].upper; }
uint32_t h2g_outtype_file_type(h2g_outtype t) { return outtypes[t].file_type; }
uint32_t h2g_outtype_ggml_type(h2g_outtype t) { return outtypes[t].ggml_type; }

bool h2g_outtype_parse(const char *s, h2g_outtype *out) {
    for (int t = 0; t <= H2G_OUT_AUTO; t++) {
        if (strcmp(s, outtypes[t].name) == 0) {
            *out = (h2g_outtype)t;
            return true;
        }
    }
    return false;
}

const char *h2g_transform_name(h2g_transform xf) {
    switch (xf) {
    case H2G_XF_CONVERT: return "convert";
    case H2G_XF_STACK: return "stack";
    case H2G_XF_KV_B_K: return "kv_b_k";
    case H2G_XF_KV_B_V: return "kv_b_v";
    case H2G_XF_MXFP4: return "mxfp4";
    case H2G_XF_IDS: return "ids_i32";
    case H2G_XF_PERMUTE_QK: return "permute_qk";
    }
    return "?";
}

/* ---------------------------------------------------------------------------
 * Plans
 * ------------------------------------------------------------------------- */

void h2g_plan_free(h2g_plan *p) {
    for (size_t i = 0; i < p->n_tensors; i++) free(p->tensors[i].src);
    free(p->tensors);
    free(p->default_name);
    h2g_kv_list_free(&p->kv);
    memset(p, 0, sizeof *p);
}

long h2g_plan_add(h2g_plan *p, const char *name, uint32_t type, uint32_t n_dims,
                  const uint64_t *ne, h2g_transform xf, const h2g_source *src,
                  size_t n_src, h2g_error *err) {
    if (strlen(name) >= H2G_GGUF_MAX_NAME)
        return h2g_fail(err, "tensor name '%s' is %zu bytes; GGUF allows at most %d", name,
                        strlen(name), H2G_GGUF_MAX_NAME - 1);
    if (n_dims < 1 || n_dims > H2G_GGUF_MAX_DIMS)
        return h2g_fail(err, "tensor '%s' would have %u dimensions; GGUF allows 1 to %d", name,
                        n_dims, H2G_GGUF_MAX_DIMS);
    if (h2g_grow((void **)&p->tensors, &p->cap_tensors, p->n_tensors + 1, sizeof *p->tensors))
        return h2g_fail(err, "out of memory for the plan of %zu tensors (adding '%s')",
                        p->n_tensors + 1, name);
    h2g_plan_tensor *t = &p->tensors[p->n_tensors];
    memset(t, 0, sizeof *t);
    snprintf(t->info.name, sizeof t->info.name, "%s", name);
    t->info.type = type;
    t->info.n_dims = n_dims;
    for (uint32_t d = 0; d < H2G_GGUF_MAX_DIMS; d++) t->info.ne[d] = d < n_dims ? ne[d] : 1;
    t->transform = xf;
    t->src = malloc(n_src * sizeof *src);
    if (!t->src)
        return h2g_fail(err, "tensor '%s': out of memory for its %zu sources", name, n_src);
    memcpy(t->src, src, n_src * sizeof *src);
    t->n_src = n_src;
    return (long)p->n_tensors++;
}

int h2g_plan_layout(h2g_plan *p, h2g_error *err) {
    h2g_tensor_info *infos = malloc((p->n_tensors ? p->n_tensors : 1) * sizeof *infos);
    if (!infos)
        return h2g_fail(err, "out of memory for the layout of a plan of %zu tensors", p->n_tensors);
    for (size_t i = 0; i < p->n_tensors; i++) infos[i] = p->tensors[i].info;
    int rc = h2g_gguf_layout(&p->kv, infos, p->n_tensors, &p->data_offset, &p->data_size, err);
    if (rc == 0)
        for (size_t i = 0; i < p->n_tensors; i++) p->tensors[i].info = infos[i];
    if (rc == 0 && p->n_tensors == 0 && p->unpadded_when_empty)
        p->data_offset = h2g_gguf_header_bytes(&p->kv, infos, 0);
    free(infos);
    return rc;
}

uint64_t h2g_source_elements(const h2g_source *s) {
    return s->pack_bits ? s->rows * s->cols : s->tensor->n_elements;
}

uint64_t h2g_plan_source_bytes(const h2g_plan *p) {
    uint64_t sum = 0;
    for (size_t i = 0; i < p->n_tensors; i++) {
        const h2g_plan_tensor *t = &p->tensors[i];
        for (size_t s = 0; s < t->n_src; s++) {
            sum += t->src[s].tensor->nbytes;
            if (t->src[s].scale) sum += t->src[s].scale->nbytes;
        }
    }
    return sum;
}
