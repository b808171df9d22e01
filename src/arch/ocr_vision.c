/* ocr_vision.c - the mmproj file of DeepSeek-OCR / OCR-2: SAM, projector,
 * separators and the clip.* keys (see ocr_vision.h). */
#include "arch/ocr_vision.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf2gguf/general.h"
#include "source/hparams.h"
#include "base/util.h"

/* ---------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------- */

/* SAM ViT-B, the projector and the separators: the same in both versions. */
static const h2g_name_rule shared_names[] = {
    {"model.sam_model.pos_embed", "v.sam.pos_embd"},
    {"model.sam_model.patch_embed.proj", "v.sam.patch_embd"},
    {"model.sam_model.blocks.{N}.norm1", "v.sam.blk.{N}.pre_ln"},
    {"model.sam_model.blocks.{N}.norm2", "v.sam.blk.{N}.post_ln"},
    {"model.sam_model.blocks.{N}.attn.qkv", "v.sam.blk.{N}.attn.qkv"},
    {"model.sam_model.blocks.{N}.attn.proj", "v.sam.blk.{N}.attn.out"},
    {"model.sam_model.blocks.{N}.attn.rel_pos_h", "v.sam.blk.{N}.attn.pos_h"},
    {"model.sam_model.blocks.{N}.attn.rel_pos_w", "v.sam.blk.{N}.attn.pos_w"},
    {"model.sam_model.blocks.{N}.mlp.lin1", "v.sam.blk.{N}.mlp.lin1"},
    {"model.sam_model.blocks.{N}.mlp.lin2", "v.sam.blk.{N}.mlp.lin2"},
    {"model.sam_model.neck.{N}", "v.sam.neck.{N}"},
    {"model.sam_model.net_2", "v.sam.net_2"},
    {"model.sam_model.net_3", "v.sam.net_3"},
    {"model.projector.layers", "mm.model.fc"},
    {"model.image_newline", "v.image_newline"},
    {"model.view_seperator", "v.view_seperator"}, /* sic */
    {NULL, NULL},
};

/* The text model's tensors, which the mmproj leaves out. */
static const char *const text_prefixes[] = {"lm_head.", "model.embed_tokens.", "model.layers.",
                                            "model.norm.", NULL};

/* Bare parameters that the reference names with a ".weight" added. */
static const char *const bare_suffixes[] = {"pos_embed", "rel_pos_h", "rel_pos_w", NULL};

/* HF names whose tensors the reference keeps in F32 whatever the outtype. */
static const char *const f32_markers[] = {".embeddings.", "pos_embed", ".rel_pos_h",
                                          ".rel_pos_w", ".neck.", ".net_", NULL};

/* ---------------------------------------------------------------------------
 * Hyper-parameters
 * ------------------------------------------------------------------------- */

typedef struct vision {
    const h2g_checkout *co;
    const h2g_convert_options *opt;
    const h2g_ocr_encoder *enc;
    const cJSON *vc; /* vision_config */
    uint32_t sam_layers, sam_width, sam_heads;
    uint32_t text_hidden;
    h2g_ocr_params p;
    h2g_quant quant;
} vision;

static int read_sam(vision *v, const cJSON *sam, h2g_error *err) {
    const char *where = "config.json: vision_config.width.sam_vit_b";
    static const char *const keys[] = {"layers", "width", "heads"};
    uint32_t *out[] = {&v->sam_layers, &v->sam_width, &v->sam_heads};
    for (int i = 0; i < 3; i++) {
        bool has;
        if (h2g_json_u32_opt(sam, where, keys[i], out[i], &has, err) != 0) return -1;
        if (!has) return h2g_fail(err, "%s: '%s' is missing", where, keys[i]);
    }
    return 0;
}

/* vision_config.width holds exactly the SAM entry and the encoder's. */
static int read_vision_config(vision *v, h2g_error *err) {
    v->vc = cJSON_GetObjectItemCaseSensitive(v->co->config, "vision_config");
    if (!cJSON_IsObject(v->vc))
        return h2g_fail(err, "config.json: 'vision_config' is missing; a DeepSeek-OCR checkout "
                             "describes its vision tower there");
    const cJSON *width = cJSON_GetObjectItemCaseSensitive(v->vc, "width");
    if (!cJSON_IsObject(width))
        return h2g_fail(err, "config.json: vision_config.width must be an object with "
                             "'sam_vit_b' and '%s'", v->enc->width_key);
    const cJSON *sam = cJSON_GetObjectItemCaseSensitive(width, "sam_vit_b");
    if (!cJSON_IsObject(sam))
        return h2g_fail(err, "config.json: vision_config.width.sam_vit_b is missing");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(width, v->enc->width_key);
    if (!cJSON_IsObject(w))
        return h2g_fail(err, "config.json: vision_config.width.%s is missing",
                        v->enc->width_key);
    for (const cJSON *e = width->child; e; e = e->next)
        if (strcmp(e->string, "sam_vit_b") && strcmp(e->string, v->enc->width_key))
            return h2g_fail(err, "config.json: vision_config.width has an unknown entry '%s' "
                                 "(expected 'sam_vit_b' and '%s')", e->string,
                            v->enc->width_key);
    return read_sam(v, sam, err) == 0 ? v->enc->read_params(v->vc, w, &v->p, err) : -1;
}

static int read_params(vision *v, h2g_error *err) {
    h2g_hparams hp;
    if (h2g_hparams_text(&hp, v->co->config, err) != 0) return -1;
    int rc = h2g_hparams_u32(&hp, "hidden_size", &v->text_hidden, err);
    h2g_hparams_free(&hp);
    if (rc != 0 || read_vision_config(v, err) != 0) return -1;
    return h2g_quant_read(v->co->config, &v->quant, err);
}

/* ---------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------- */

/* The HF name as the reference maps it, or false for a text tensor. */
static bool vision_name(const char *name, char *out, size_t size) {
    for (int i = 0; text_prefixes[i]; i++)
        if (h2g_str_starts_with(name, text_prefixes[i])) return false;
    if (strstr(name, "language_model.") || h2g_is_scale_companion(name)) return false;
    bool bare = false;
    for (int i = 0; bare_suffixes[i]; i++) bare |= h2g_str_ends_with(name, bare_suffixes[i]);
    snprintf(out, size, "%s%s", name, bare ? ".weight" : "");
    return true;
}

/* "[3, 4]" for messages. */
static void shape_str(const h2g_st_tensor *t, char *buf, size_t size) {
    size_t o = (size_t)snprintf(buf, size, "[");
    for (uint32_t d = 0; d < t->n_dims && o < size; d++)
        o += (size_t)snprintf(buf + o, size - o, "%s%" PRIu64, d ? ", " : "", t->shape[d]);
    if (o < size) snprintf(buf + o, size - o, "]");
}

/* Checks t's PyTorch shape against want (n dims; 0 = any size). */
static int expect_shape(const h2g_st_tensor *t, const uint64_t *want, uint32_t n,
                        const char *source, h2g_error *err) {
    bool ok = t->n_dims == n;
    for (uint32_t d = 0; ok && d < n; d++) ok = !want[d] || t->shape[d] == want[d];
    if (ok) return 0;
    char have[96], exp[96];
    shape_str(t, have, sizeof have);
    size_t o = (size_t)snprintf(exp, sizeof exp, "[");
    for (uint32_t d = 0; d < n && o < sizeof exp; d++) {
        if (want[d])
            o += (size_t)snprintf(exp + o, sizeof exp - o, "%s%" PRIu64, d ? ", " : "", want[d]);
        else
            o += (size_t)snprintf(exp + o, sizeof exp - o, "%s*", d ? ", " : "");
    }
    if (o < sizeof exp) snprintf(exp + o, sizeof exp - o, "]");
    return h2g_fail(err, "tensor '%s': shape %s does not match %s (expected %s)", t->name, have,
                    source, exp);
}

/* The shapes the runtime relies on: SAM widths, the projector's output and
 * the separators, which must match the text model's hidden size. */
static int check_shape(const vision *v, const h2g_st_tensor *t, const char *gguf,
                       h2g_error *err) {
    const char *sam = "vision_config.width.sam_vit_b.width";
    const char *text = "the text model's hidden_size";
    uint64_t w = v->sam_width, h = v->text_hidden;
    if (!strcmp(gguf, "v.sam.pos_embd.weight"))
        return expect_shape(t, (uint64_t[]){1, 0, 0, w}, 4, sam, err);
    if (strstr(gguf, ".attn.qkv.weight") && h2g_str_starts_with(gguf, "v.sam."))
        return expect_shape(t, (uint64_t[]){3 * w, w}, 2, sam, err);
    if (strstr(gguf, ".attn.out.weight") && h2g_str_starts_with(gguf, "v.sam."))
        return expect_shape(t, (uint64_t[]){w, w}, 2, sam, err);
    if (strstr(gguf, "_ln.") && h2g_str_starts_with(gguf, "v.sam."))
        return expect_shape(t, (uint64_t[]){w}, 1, sam, err);
    if (!strcmp(gguf, "mm.model.fc.weight"))
        return expect_shape(t, (uint64_t[]){h, 0}, 2, text, err);
    if (!strcmp(gguf, "v.image_newline") || !strcmp(gguf, "v.view_seperator"))
        return expect_shape(t, (uint64_t[]){h}, 1, text, err);
    return 0;
}

static int add_tensor(vision *v, h2g_plan *p, const h2g_st_tensor *t, const char *name,
                      h2g_error *err) {
    char path[256], gguf[H2G_GGUF_MAX_NAME];
    const char *suffix = h2g_split_suffix(name, path, sizeof path);
    if (!h2g_map_name(shared_names, path, suffix, gguf, sizeof gguf) &&
        !h2g_map_name(v->enc->names, path, suffix, gguf, sizeof gguf))
        return h2g_fail(err, "tensor '%s' has no GGUF name in the %s vision projector", t->name,
                        v->enc->projector_type);
    if (t->n_dims == 0 || t->n_dims > H2G_GGUF_MAX_DIMS)
        return h2g_fail(err, "tensor '%s' has %u dimensions; expected 1 to 4", t->name,
                        t->n_dims);
    if (check_shape(v, t, gguf, err) != 0) return -1;
    h2g_source src;
    if (h2g_source_make(v->co, &v->quant, t, &src, err) != 0) return -1;
    uint64_t ne[H2G_GGUF_MAX_DIMS];
    uint32_t n_dims = h2g_ne_from_shape(t, ne);
    if (!strcmp(gguf, "v.view_seperator")) ne[n_dims++] = 1; /* unsqueezed to [1, n] */
    return h2g_plan_add(p, gguf, 0, n_dims, ne, H2G_XF_CONVERT, &src, 1, err) < 0 ? -1 : 0;
}

static int plan_tensors(vision *v, h2g_plan *p, h2g_error *err) {
    for (size_t i = 0; i < v->co->n_tensors; i++) {
        const h2g_st_tensor *t = &v->co->tensors[i];
        char name[512];
        if (vision_name(t->name, name, sizeof name) && add_tensor(v, p, t, name, err) != 0)
            return -1;
    }
    if (p->n_tensors == 0)
        return h2g_fail(err, "the checkout has no vision tensors (model.sam_model.* ...) to "
                             "write an mmproj from");
    return 0;
}

/* The class overrides of reference 5.5, then the generic rule. */
static void assign_types(h2g_plan *p, h2g_outtype requested) {
    p->outtype = requested == H2G_OUT_AUTO ? h2g_resolve_auto(p) : requested;
    for (size_t i = 0; i < p->n_tensors; i++) {
        h2g_plan_tensor *t = &p->tensors[i];
        int forced = -1;
        for (int k = 0; f32_markers[k]; k++)
            if (strstr(t->src[0].tensor->name, f32_markers[k])) forced = H2G_GGML_F32;
        if (forced < 0 && strstr(t->info.name, ".patch_embd.weight"))
            forced = p->outtype == H2G_OUT_F16 ? H2G_GGML_F16 : H2G_GGML_F32;
        t->info.type = h2g_pick_type(t->info.name, t->info.n_dims, t->info.ne[0], p->outtype, forced);
    }
}

/* ---------------------------------------------------------------------------
 * KV pairs (reference 5.2)
 * ------------------------------------------------------------------------- */

/* image_mean / image_std from the processor configs (required). */
static int add_norm_array(h2g_plan *p, const h2g_checkout *co, const char *field,
                          const char *key, h2g_error *err) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(co->processor_config, field);
    float vals[16];
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    if (n < 3 || n > 16)
        return h2g_fail(err, "processor_config.json / preprocessor_config.json: '%s' must be a "
                             "list of 3 numbers (the vision tower needs it)", field);
    for (int i = 0; i < n; i++) {
        const cJSON *it = cJSON_GetArrayItem(a, i);
        if (!cJSON_IsNumber(it))
            return h2g_fail(err, "processor_config.json: '%s' must hold numbers", field);
        vals[i] = (float)it->valuedouble;
    }
    return h2g_kv_set_array(&p->kv, key, H2G_VT_FLOAT32, vals, (uint64_t)n, err);
}

/* (image_size / patch_size) / sqrt(image_seq_length), written unless 4. */
static int add_scale_factor(vision *v, h2g_plan *p, h2g_error *err) {
    uint32_t seq = 256;
    bool has;
    if (h2g_json_u32_opt(v->co->processor_config, "processor_config.json", "image_seq_length",
                         &seq, &has, err) != 0)
        return -1;
    uint32_t root = 0;
    while ((root + 1) * (root + 1) <= seq) root++;
    uint32_t factor = v->p.patch_size && root ? (v->p.image_size / v->p.patch_size) / root : 0;
    if (factor == 0 || factor == 4) return 0;
    return h2g_kv_set_u32(&p->kv, "clip.vision.projector.scale_factor", factor, err);
}

static int add_clip_params(vision *v, h2g_plan *p, h2g_error *err) {
    h2g_kv_list *kv = &p->kv;
    double eps = 1e-6;
    uint32_t window = 14;
    bool has;
    if (h2g_kv_set_bool(kv, "clip.has_vision_encoder", true, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.projection_dim", v->text_hidden, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.image_size", v->p.image_size, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.patch_size", v->p.patch_size, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.embedding_length", v->p.embedding_length, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.feed_forward_length", v->p.feed_forward_length, err) ||
        h2g_kv_set_u32(kv, "clip.vision.block_count", v->p.block_count, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.attention.head_count", v->p.head_count, err) != 0 ||
        add_norm_array(p, v->co, "image_mean", "clip.vision.image_mean", err) != 0 ||
        add_norm_array(p, v->co, "image_std", "clip.vision.image_std", err) != 0 ||
        h2g_kv_set_str(kv, "clip.projector_type", v->enc->projector_type, err) != 0 ||
        h2g_json_f64_opt(v->vc, "config.json: vision_config", "layer_norm_eps", &eps, &has,
                         err) != 0 ||
        h2g_kv_set_f32(kv, "clip.vision.attention.layer_norm_epsilon", (float)eps, err) != 0 ||
        h2g_kv_set_bool(kv, "clip.use_gelu", true, err) != 0 ||
        add_scale_factor(v, p, err) != 0 ||
        h2g_json_u32_opt(v->vc, "config.json: vision_config", "window_size", &window, &has,
                         err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.window_size", window, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.preproc_min_tiles", 2, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.preproc_max_tiles", v->enc->preproc_max_tiles, err) ||
        h2g_kv_set_u32(kv, "clip.vision.sam.block_count", v->sam_layers, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.sam.embedding_length", v->sam_width, err) != 0 ||
        h2g_kv_set_u32(kv, "clip.vision.sam.head_count", v->sam_heads, err) != 0)
        return -1;
    if (v->p.head_count_kv &&
        h2g_kv_set_u32(kv, "clip.vision.attention.head_count_kv", v->p.head_count_kv, err))
        return -1;
    return 0;
}

static int add_kv(vision *v, h2g_plan *p, h2g_error *err) {
    h2g_general g = {0};
    int rc = -1;
    if (h2g_kv_set_str(&p->kv, "general.architecture", "clip", err) == 0 &&
        h2g_kv_set_str(&p->kv, "general.type", "mmproj", err) == 0 &&
        h2g_general_derive(&g, v->co, p, err) == 0 &&
        h2g_general_add_kv(&p->kv, &g, v->co, err) == 0 &&
        h2g_kv_set_u32(&p->kv, "general.file_type", h2g_outtype_file_type(p->outtype), err) == 0 &&
        add_clip_params(v, p, err) == 0 &&
        h2g_kv_set_u32(&p->kv, "general.quantization_version", 2, err) == 0)
        rc = 0;
    h2g_general_free(&g);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

int h2g_ocr_vision_plan(const h2g_checkout *co, const h2g_convert_options *o,
                        const h2g_ocr_encoder *enc, h2g_plan *out, h2g_error *err) {
    vision v = {.co = co, .opt = o, .enc = enc};
    memset(out, 0, sizeof *out);
    out->role = "mmproj";
    int rc = read_params(&v, err);
    if (rc == 0) rc = plan_tensors(&v, out, err);
    if (rc == 0) {
        assign_types(out, o->outtype);
        rc = add_kv(&v, out, err);
    }
    if (rc != 0) h2g_plan_free(out);
    return rc;
}
