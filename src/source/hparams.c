/* hparams.c - typed, checked reads of config.json values (see hparams.h). */
#include "source/hparams.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Generic readers on one JSON object
 * ------------------------------------------------------------------------- */

/* The item for key, or NULL when absent or JSON null. */
static const cJSON *present_item(const cJSON *obj, const char *key) {
    const cJSON *it = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return (it && !cJSON_IsNull(it)) ? it : NULL;
}

const char *h2g_json_kind(const cJSON *it) {
    if (cJSON_IsString(it)) return "a string";
    if (cJSON_IsBool(it)) return "a boolean";
    if (cJSON_IsArray(it)) return "a list";
    if (cJSON_IsObject(it)) return "an object";
    if (cJSON_IsNumber(it)) return "a number";
    return "something else";
}

int h2g_json_u32_opt(const cJSON *obj, const char *where, const char *key, uint32_t *out,
                     bool *present, h2g_error *err) {
    const cJSON *it = present_item(obj, key);
    *present = it != NULL;
    if (!it) return 0;
    if (!cJSON_IsNumber(it))
        return h2g_fail(err, "%s: '%s' must be a whole number, found %s", where, key,
                        h2g_json_kind(it));
    double v = it->valuedouble;
    if (v != floor(v) || v < 0 || v > 4294967295.0)
        return h2g_fail(err, "%s: '%s' must be a whole number from 0 to 4294967295, found %.*f",
                        where, key, v == floor(v) ? 0 : 6, v);
    *out = (uint32_t)v;
    return 0;
}

int h2g_json_f64_opt(const cJSON *obj, const char *where, const char *key, double *out,
                     bool *present, h2g_error *err) {
    const cJSON *it = present_item(obj, key);
    *present = it != NULL;
    if (!it) return 0;
    if (!cJSON_IsNumber(it))
        return h2g_fail(err, "%s: '%s' must be a number, found %s", where, key, h2g_json_kind(it));
    *out = it->valuedouble;
    return 0;
}

int h2g_json_str_opt(const cJSON *obj, const char *where, const char *key, const char **out,
                     bool *present, h2g_error *err) {
    const cJSON *it = present_item(obj, key);
    *present = it != NULL;
    if (!it) return 0;
    if (!cJSON_IsString(it))
        return h2g_fail(err, "%s: '%s' must be a string, found %s", where, key, h2g_json_kind(it));
    *out = it->valuestring;
    return 0;
}

int h2g_json_bool_opt(const cJSON *obj, const char *where, const char *key, bool *out,
                      bool *present, h2g_error *err) {
    const cJSON *it = present_item(obj, key);
    *present = it != NULL;
    if (!it) return 0;
    if (!cJSON_IsBool(it))
        return h2g_fail(err, "%s: '%s' must be true or false, found %s", where, key,
                        h2g_json_kind(it));
    *out = cJSON_IsTrue(it);
    return 0;
}

/* ---------------------------------------------------------------------------
 * The merged text config
 * ------------------------------------------------------------------------- */

bool h2g_json_merge(cJSON *dst, const cJSON *src) {
    for (const cJSON *it = src->child; it; it = it->next) {
        cJSON *copy = cJSON_Duplicate(it, 1);
        if (!copy) return false;
        if (cJSON_GetObjectItemCaseSensitive(dst, it->string))
            cJSON_ReplaceItemInObjectCaseSensitive(dst, it->string, copy);
        else
            cJSON_AddItemToObject(dst, it->string, copy);
    }
    return true;
}

int h2g_hparams_text(h2g_hparams *hp, const cJSON *config, h2g_error *err) {
    static const char *const nested[] = {"language_config", "text_config", "llm_config", NULL};
    hp->file = "config.json";
    hp->root = cJSON_Duplicate(config, 1);
    if (!hp->root) return h2g_fail(err, "config.json: out of memory for a copy of its settings");
    for (int i = 0; nested[i]; i++) {
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive(config, nested[i]);
        if (cJSON_IsObject(sub) && !h2g_json_merge(hp->root, sub)) {
            h2g_hparams_free(hp);
            return h2g_fail(err, "config.json: out of memory for a copy of '%s'",
                            nested[i]);
        }
    }
    return 0;
}

void h2g_hparams_free(h2g_hparams *hp) {
    cJSON_Delete(hp->root);
    hp->root = NULL;
}

bool h2g_hparams_has(const h2g_hparams *hp, const char *key) {
    return present_item(hp->root, key) != NULL;
}

const cJSON *h2g_hparams_item(const h2g_hparams *hp, const char *key) {
    return present_item(hp->root, key);
}

int h2g_hparams_u32(const h2g_hparams *hp, const char *key, uint32_t *out, h2g_error *err) {
    bool present;
    if (h2g_json_u32_opt(hp->root, hp->file, key, out, &present, err) != 0) return -1;
    if (!present) return h2g_fail(err, "%s: required key '%s' is missing", hp->file, key);
    return 0;
}

int h2g_hparams_u32_opt(const h2g_hparams *hp, const char *key, uint32_t *out, bool *present,
                        h2g_error *err) {
    return h2g_json_u32_opt(hp->root, hp->file, key, out, present, err);
}

int h2g_hparams_f64_opt(const h2g_hparams *hp, const char *key, double *out, bool *present,
                        h2g_error *err) {
    return h2g_json_f64_opt(hp->root, hp->file, key, out, present, err);
}

int h2g_hparams_bool_opt(const h2g_hparams *hp, const char *key, bool *out, bool *present,
                         h2g_error *err) {
    return h2g_json_bool_opt(hp->root, hp->file, key, out, present, err);
}

int h2g_hparams_str_opt(const h2g_hparams *hp, const char *key, const char **out, bool *present,
                        h2g_error *err) {
    return h2g_json_str_opt(hp->root, hp->file, key, out, present, err);
}
