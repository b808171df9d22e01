/*
 * hparams.h - typed reads of config.json values.
 *
 * cJSON keeps numbers as doubles, so every integer is checked to be whole
 * and in range before use, and a value of the wrong JSON type is an error
 * naming the key ("config.json: 'hidden_size' must be a whole number, found
 * a string"), never a silent default. A key that is absent or null is
 * "missing": the *_opt readers report that by returning 0 with *present
 * false, the plain readers fail.
 *
 * OCR configs nest the language model under language_config (others under
 * text_config); h2g_hparams_text() merges that object over the top level,
 * as the reference converter does.
 */
#ifndef HF2GGUF_HPARAMS_H
#define HF2GGUF_HPARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hf2gguf/error.h"

typedef struct h2g_hparams {
    cJSON *root;       /* owned: merged copy */
    const char *file;  /* for messages, e.g. "config.json" */
} h2g_hparams;

/* Copies config and merges language_config / text_config (when an object)
 * over its top level. */
int h2g_hparams_text(h2g_hparams *hp, const cJSON *config, h2g_error *err);
void h2g_hparams_free(h2g_hparams *hp);

/* Present = key exists and is not null. */
bool h2g_hparams_has(const h2g_hparams *hp, const char *key);
const cJSON *h2g_hparams_item(const h2g_hparams *hp, const char *key);

int h2g_hparams_u32(const h2g_hparams *hp, const char *key, uint32_t *out, h2g_error *err);
int h2g_hparams_u32_opt(const h2g_hparams *hp, const char *key, uint32_t *out, bool *present,
                        h2g_error *err);
int h2g_hparams_f64_opt(const h2g_hparams *hp, const char *key, double *out, bool *present,
                        h2g_error *err);
int h2g_hparams_bool_opt(const h2g_hparams *hp, const char *key, bool *out, bool *present,
                         h2g_error *err);
int h2g_hparams_str_opt(const h2g_hparams *hp, const char *key, const char **out, bool *present,
                        h2g_error *err);

/* Copies every entry of object src over object dst, replacing entries of the
 * same key (Python's dict.update). False when out of memory. */
/* What a JSON value is, for messages: "a string", "a number", "a list", ... */
const char *h2g_json_kind(const cJSON *it);

bool h2g_json_merge(cJSON *dst, const cJSON *src);

/* Same readers on any JSON object (e.g. rope_scaling); `where` names it in
 * messages ("config.json: rope_scaling"). */
int h2g_json_u32_opt(const cJSON *obj, const char *where, const char *key, uint32_t *out,
                     bool *present, h2g_error *err);
int h2g_json_f64_opt(const cJSON *obj, const char *where, const char *key, double *out,
                     bool *present, h2g_error *err);
int h2g_json_str_opt(const cJSON *obj, const char *where, const char *key, const char **out,
                     bool *present, h2g_error *err);
int h2g_json_bool_opt(const cJSON *obj, const char *where, const char *key, bool *out,
                      bool *present, h2g_error *err);

#endif
