/*
 * hf2gguf/checkout.h - a HuggingFace checkout, indexed.
 *
 * h2g_checkout_open() reads the small files of a model directory (config.json,
 * tokenizer files, generation_config.json, chat_template.jinja, the model
 * card's front matter, processor/preprocessor configs) and the headers of its
 * safetensors shards, and mmaps the shards. It reads no tensor data.
 *
 * Shards: with model.safetensors.index.json, the sorted set of file names in
 * its weight_map, each of which must exist (checked before anything else is
 * read), and the tensors found must be exactly the index's keys. Without an
 * index, every model*.safetensors in the directory, sorted.
 *
 * Tensors are kept in processing order: shards in sorted order, names in
 * code-point order within a shard. That order is the reference converter's
 * output order.
 */
#ifndef HF2GGUF_CHECKOUT_H
#define HF2GGUF_CHECKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hf2gguf/error.h"
#include "hf2gguf/safetensors.h"

#define H2G_JSON_MAX_BYTES (256u * 1024u * 1024u) /* cap for any JSON file we read */

typedef struct h2g_shard {
    char *file_name; /* as in the index, e.g. model-00001-of-000003.safetensors */
    char *path;
    int fd;
    const uint8_t *map; /* whole file, read-only, or NULL when size is 0 */
    uint64_t size;
    uint64_t data_start;
    size_t first_tensor; /* its tensors are co->tensors[first_tensor ...] */
    size_t n_tensors;    /* (sorted by name) */
} h2g_shard;

typedef struct h2g_checkout {
    char *dir;      /* as given */
    char *dir_name; /* last path component, used for general.name */

    /* Parsed JSON documents; NULL when the file is absent. config is never
     * NULL after a successful open. */
    cJSON *config;
    cJSON *tokenizer;           /* tokenizer.json */
    cJSON *tokenizer_config;    /* tokenizer_config.json */
    cJSON *generation_config;   /* generation_config.json */
    cJSON *processor_config;    /* preprocessor_config.json merged with processor_config.json */
    cJSON *model_card;          /* README.md YAML front matter as a JSON object */
    char *chat_template_jinja;  /* chat_template.jinja contents */

    h2g_shard *shards;
    size_t n_shards;
    h2g_st_tensor *tensors; /* processing order */
    size_t n_tensors;
    uint64_t data_bytes; /* sum of all tensors' bytes */
} h2g_checkout;

/* Opens dir. On error nothing stays open and err names the file and what
 * was wrong (e.g. "config.json: not found in DIR"). */
int h2g_checkout_open(h2g_checkout *co, const char *dir, h2g_error *err);
void h2g_checkout_close(h2g_checkout *co);

/* Index of a tensor by HF name, or -1. */
long h2g_checkout_find(const h2g_checkout *co, const char *name);
/* Pointer to a tensor's bytes inside its shard's mapping. */
const uint8_t *h2g_checkout_data(const h2g_checkout *co, const h2g_st_tensor *t);

/* Reads a JSON file (capped at H2G_JSON_MAX_BYTES). *out is NULL and 0 is
 * returned when the file does not exist and `optional` is true. */
int h2g_read_json_file(const char *path, const char *display, bool optional, cJSON **out,
                       h2g_error *err);

#endif
