/* quant_packed.c - quantized sources beyond FP8 blocks (see arch.h and
 * conversion-reference-more.md section 15): compressed-tensors
 * `pack-quantized` INT4 (Kimi-K2-Thinking), planned as sources that the
 * executor dequantizes piece by piece; and the clear refusals of what
 * hf2gguf does not convert (NVFP4, MXFP4, other methods).
 *
 * A pack-quantized Linear X is three tensors: X.weight_packed (I32, each
 * word 32/bits codes along the row, code c of a row at bits bits*(c % n)),
 * X.weight_scale (one float per row and group of columns) and
 * X.weight_shape ([rows, cols], I64 or I32). The value is
 * (code - 2^(bits-1)) * scale[r][c / group], in float32: exactly an FP8
 * block scale of 1 x group, so the executor reuses that multiplication. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "base/util.h"
#include "source/hparams.h"

#define WHERE "config.json: quantization_config"

/* ---------------------------------------------------------------------------
 * quantization_config
 * ------------------------------------------------------------------------- */

/* What to tell a user whose checkout holds a format hf2gguf cannot write. */
#define USE_ANOTHER_RELEASE "convert the model's bf16 or fp8 release instead"

/* NVFP4: llama.cpp repacks it into GGML's NVFP4 blocks (type 40) and adds
 * .scale/.input_scale tensors; hf2gguf writes no such type yet. */
static int refuse_nvfp4(const char *where, const char *what, h2g_error *err) {
    return h2g_fail(err, "%s: %s is NVFP4, which llama.cpp writes as GGML NVFP4 blocks "
                         "(type 40) that hf2gguf does not write yet; " USE_ANOTHER_RELEASE,
                    where, what);
}

/* The one weights scheme of a compressed-tensors config (config_groups). */
static int ct_weights(const cJSON *qc, const cJSON **w, h2g_error *err) {
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(qc, "config_groups");
    if (!cJSON_IsObject(groups) || !groups->child)
        return h2g_fail(err, WHERE ".config_groups must be an object with one group");
    if (groups->child->next)
        return h2g_fail(err, WHERE ".config_groups has %d groups; hf2gguf (like llama.cpp) "
                             "converts compressed-tensors checkpoints with one",
                        cJSON_GetArraySize(groups));
    *w = cJSON_GetObjectItemCaseSensitive(groups->child, "weights");
    if (!cJSON_IsObject(*w))
        return h2g_fail(err, WHERE ".config_groups.%s.weights must be an object",
                        groups->child->string);
    return 0;
}

/* compressed-tensors, format pack-quantized: symmetric INT4 groups. */
static int ct_pack_quantized(const cJSON *qc, h2g_quant *q, h2g_error *err) {
    const cJSON *w = NULL;
    if (ct_weights(qc, &w, err) != 0) return -1;
    const char *type = "int", *strategy = NULL;
    bool has, symmetric = true;
    uint32_t bits, group;
    if (h2g_json_str_opt(w, WHERE " weights", "type", &type, &has, err) != 0 ||
        h2g_json_str_opt(w, WHERE " weights", "strategy", &strategy, &has, err) != 0 ||
        h2g_json_u32_opt(w, WHERE " weights", "num_bits", &bits, &has, err) != 0)
        return -1;
    if (!has) return h2g_fail(err, WHERE " weights: 'num_bits' is missing");
    if (h2g_json_u32_opt(w, WHERE " weights", "group_size", &group, &has, err) != 0) return -1;
    if (!has || group == 0)
        return h2g_fail(err, WHERE " weights: 'group_size' must be a positive whole number");
    if (h2g_json_bool_opt(w, WHERE " weights", "symmetric", &symmetric, &has, err) != 0)
        return -1;
    if (strcmp(type, "int") != 0 || !strategy || strcmp(strategy, "group") != 0)
        return h2g_fail(err, WHERE " weights: type '%s', strategy '%s'; pack-quantized "
                             "sources must be type int, strategy group", type,
                        strategy ? strategy : "(missing)");
    if (bits != 4)
        return h2g_fail(err, WHERE " weights: num_bits %u; hf2gguf converts 4-bit "
                             "pack-quantized checkpoints (Kimi-K2-Thinking)", bits);
    if (!symmetric)
        return h2g_fail(err, WHERE " weights: asymmetric INT4 (with zero points) is not "
                             "supported; hf2gguf converts the symmetric scheme of "
                             "Kimi-K2-Thinking");
    q->pack_bits = bits;
    q->pack_group = group;
    return 0;
}

/* compressed-tensors: pack-quantized is converted, nvfp4 refused, the rest
 * named as unsupported. */
static int compressed_tensors(const cJSON *qc, h2g_quant *q, h2g_error *err) {
    const char *format = NULL;
    bool has;
    if (h2g_json_str_opt(qc, WHERE, "format", &format, &has, err) != 0) return -1;
    if (!has) return h2g_fail(err, WHERE ": compressed-tensors without a 'format'");
    if (!strcmp(format, "pack-quantized")) return ct_pack_quantized(qc, q, err);
    if (strstr(format, "nvfp4")) return refuse_nvfp4(WHERE, "format 'nvfp4-pack-quantized'", err);
    return h2g_fail(err, WHERE ": compressed-tensors format '%s' is not supported (hf2gguf "
                         "converts 'pack-quantized' INT4); " USE_ANOTHER_RELEASE, format);
}

int h2g_quant_read_other(const cJSON *qc, const char *method, h2g_quant *q, h2g_error *err) {
    if (method && !strcmp(method, "compressed-tensors")) return compressed_tensors(qc, q, err);
    const cJSON *algo = cJSON_GetObjectItemCaseSensitive(qc, "quant_algo");
    if ((method && !strcmp(method, "modelopt")) ||
        (cJSON_IsString(algo) && strstr(algo->valuestring, "NVFP4"))) {
        if (cJSON_IsString(algo) && strstr(algo->valuestring, "NVFP4"))
            return refuse_nvfp4(WHERE, "quant_algo 'NVFP4'", err);
        return h2g_fail(err, WHERE ": ModelOpt quantization (quant_algo %s) is not "
                             "supported; " USE_ANOTHER_RELEASE,
                        cJSON_IsString(algo) ? algo->valuestring : "missing");
    }
    if (method && !strcmp(method, "mxfp4"))
        return h2g_fail(err, WHERE ".quant_method 'mxfp4' is not supported for DeepSeek-family "
                             "models (llama.cpp's converter refuses it too; only gpt-oss "
                             "repacks MXFP4); " USE_ANOTHER_RELEASE);
    return h2g_fail(err, WHERE ".quant_method '%s' is not supported (hf2gguf converts "
                         "unquantized, fp8 block-quantized and compressed-tensors INT4 "
                         "checkpoints)", method ? method : "(missing)");
}

int h2g_quant_check_sidecar(const h2g_checkout *co, h2g_error *err) {
    cJSON *doc = NULL;
    if (h2g_checkout_read_json(co, "hf_quant_config.json", &doc, err) != 0) return -1;
    const cJSON *algo = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "quantization"), "quant_algo");
    int rc = 0;
    if (cJSON_IsString(algo) && strstr(algo->valuestring, "NVFP4"))
        rc = refuse_nvfp4("hf_quant_config.json", "quantization.quant_algo 'NVFP4' (ModelOpt)",
                          err);
    else if (cJSON_IsString(algo) && strcmp(algo->valuestring, "NONE") != 0)
        rc = h2g_fail(err, "hf_quant_config.json: ModelOpt quantization (quant_algo '%s') is "
                           "not supported; " USE_ANOTHER_RELEASE, algo->valuestring);
    cJSON_Delete(doc);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------- */

static const char *const companions[] = {".weight_scale", ".weight_shape",
                                         ".weight_zero_point", NULL};

bool h2g_is_packed_weight(const char *name) {
    return h2g_str_ends_with(name, ".weight_packed");
}

bool h2g_is_packed_companion(const h2g_checkout *co, const char *name) {
    for (int i = 0; companions[i]; i++) {
        if (!h2g_str_ends_with(name, companions[i])) continue;
        size_t base = strlen(name) - strlen(companions[i]);
        char *packed = h2g_strfmt("%.*s.weight_packed", (int)base, name);
        bool found = packed && h2g_checkout_find(co, packed) >= 0;
        free(packed);
        return found;
    }
    return false;
}

/* The companion `suffix` of packed tensor t ("X.weight_packed" -> X+suffix),
 * or NULL with err filled (required) / without (optional). */
static const h2g_st_tensor *companion(const h2g_checkout *co, const h2g_st_tensor *t,
                                      const char *suffix, bool required, h2g_error *err) {
    size_t base = strlen(t->name) - strlen(".weight_packed");
    char *name = h2g_strfmt("%.*s%s", (int)base, t->name, suffix);
    if (!name) {
        h2g_fail(err, "tensor '%s': out of memory for the name of its %s companion",
                 t->name, suffix);
        return NULL;
    }
    long i = h2g_checkout_find(co, name);
    if (i < 0 && required)
        h2g_fail(err, "tensor '%s' is packed INT4 but its companion '%s' is missing", t->name,
                 name);
    free(name);
    return i < 0 ? NULL : &co->tensors[i];
}

/* [rows, cols] from X.weight_shape (I64 or I32 [2]), read at planning time
 * (a directory's shards are mapped; archives keep these tensors). */
static int read_weight_shape(const h2g_checkout *co, const h2g_st_tensor *s, uint64_t dims[2],
                             h2g_error *err) {
    if ((s->dtype != H2G_DT_I64 && s->dtype != H2G_DT_I32) || s->n_dims != 1 ||
        s->shape[0] != 2)
        return h2g_fail(err, "tensor '%s': expected I64 or I32 [2] (rows, cols), found %s "
                             "with %u dims", s->name, h2g_dtype_name(s->dtype), s->n_dims);
    const uint8_t *b = h2g_checkout_data(co, s);
    if (!b) return h2g_fail(err, "tensor '%s': not readable while planning", s->name);
    for (int i = 0; i < 2; i++) {
        int64_t v = 0;
        if (s->dtype == H2G_DT_I64) {
            memcpy(&v, b + 8 * i, 8);
        } else {
            int32_t v32;
            memcpy(&v32, b + 4 * i, 4);
            v = v32;
        }
        if (v <= 0 || v > ((int64_t)1 << 40))
            return h2g_fail(err, "tensor '%s': dimension %d is %lld; expected a positive size",
                            s->name, i, (long long)v);
        dims[i] = (uint64_t)v;
    }
    return 0;
}

/* The packed words and the scales must be exactly what weight_shape implies. */
static int check_shapes(const h2g_quant *q, const h2g_st_tensor *t, const h2g_st_tensor *scale,
                        const h2g_st_tensor *shape, const uint64_t dims[2], h2g_error *err) {
    uint64_t per_word = 32 / q->pack_bits, words = (dims[1] + per_word - 1) / per_word;
    if (t->dtype != H2G_DT_I32 || t->n_dims != 2)
        return h2g_fail(err, "tensor '%s': packed INT4 must be I32 and 2-D, found %s with %u "
                             "dims", t->name, h2g_dtype_name(t->dtype), t->n_dims);
    if (t->shape[0] != dims[0] || t->shape[1] != words)
        return h2g_fail(err, "tensor '%s' has shape [%llu, %llu], but '%s' says [%llu, %llu], "
                             "which packs to [%llu, %llu] at %u bits",
                        t->name, (unsigned long long)t->shape[0],
                        (unsigned long long)t->shape[1], shape->name,
                        (unsigned long long)dims[0], (unsigned long long)dims[1],
                        (unsigned long long)dims[0], (unsigned long long)words, q->pack_bits);
    if (dims[1] % q->pack_group != 0)
        return h2g_fail(err, "tensor '%s': %llu columns are not a whole number of groups of "
                             "%u (group_size)", shape->name, (unsigned long long)dims[1],
                        q->pack_group);
    uint64_t groups = dims[1] / q->pack_group;
    if (scale->n_dims != 2 || scale->shape[0] != dims[0] || scale->shape[1] != groups)
        return h2g_fail(err, "tensor '%s' has shape %s[%llu, %llu]; weight [%llu, %llu] in "
                             "groups of %u needs [%llu, %llu]", scale->name,
                        scale->n_dims == 2 ? "" : "(not 2-D) ",
                        (unsigned long long)(scale->n_dims ? scale->shape[0] : 0),
                        (unsigned long long)(scale->n_dims > 1 ? scale->shape[1] : 0),
                        (unsigned long long)dims[0], (unsigned long long)dims[1],
                        q->pack_group, (unsigned long long)dims[0], (unsigned long long)groups);
    if (scale->dtype != H2G_DT_BF16 && scale->dtype != H2G_DT_F16 && scale->dtype != H2G_DT_F32)
        return h2g_fail(err, "tensor '%s': scales must be BF16, F16 or F32, found %s",
                        scale->name, h2g_dtype_name(scale->dtype));
    return 0;
}

/* A compressed archive unpacks one shard at a time: a scale in another
 * shard than its weight could not be read with it. */
static int check_same_pass(const h2g_checkout *co, const h2g_st_tensor *t,
                           const h2g_st_tensor *scale, h2g_error *err) {
    if (scale->shard == t->shard || !co->shards[scale->shard].streamed ||
        (co->held && co->held[scale - co->tensors]))
        return 0;
    return h2g_fail(err, "tensor '%s' is in %s but its weight '%s' in %s of a compressed "
                         "archive, which is unpacked one shard at a time; convert the "
                         "unpacked directory or an uncompressed tar",
                    scale->name, co->shards[scale->shard].file_name, t->name,
                    co->shards[t->shard].file_name);
}

int h2g_packed_source_make(const h2g_checkout *co, const h2g_quant *q, const h2g_st_tensor *t,
                           h2g_source *src, h2g_error *err) {
    memset(src, 0, sizeof *src);
    src->tensor = t;
    if (!q->pack_bits)
        return h2g_fail(err, "tensor '%s' is packed, but config.json's quantization_config is "
                             "not compressed-tensors pack-quantized", t->name);
    const h2g_st_tensor *scale = companion(co, t, ".weight_scale", true, err);
    const h2g_st_tensor *shape = scale ? companion(co, t, ".weight_shape", true, err) : NULL;
    if (!shape) return -1;
    if (companion(co, t, ".weight_zero_point", false, err))
        return h2g_fail(err, "tensor '%s' has a weight_zero_point: asymmetric INT4 is not "
                             "supported", t->name);
    uint64_t dims[2] = {0, 0};
    if (read_weight_shape(co, shape, dims, err) != 0 ||
        check_shapes(q, t, scale, shape, dims, err) != 0 ||
        check_same_pass(co, t, scale, err) != 0)
        return -1;
    src->scale = scale;
    src->block_rows = 1;
    src->block_cols = q->pack_group;
    src->pack_bits = q->pack_bits;
    src->rows = dims[0];
    src->cols = dims[1];
    return 0;
}
