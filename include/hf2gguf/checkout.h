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
 * index, every model*.safetensors in the directory, sorted. Beside an index,
 * a model.safetensors the weight_map does not name is an error (two copies of
 * the weights, or a stale one: which is the model?); any other unlisted
 * model*.safetensors is not read, with a warning.
 *
 * Optional metadata that cannot be used (README.md's front matter not valid
 * YAML or too large, generation_config.json not a JSON object) is skipped
 * with a warning in co->warnings: it never stops a conversion.
 *
 * Tensors are kept in processing order: shards in sorted order, names in
 * code-point order within a shard. That order is the reference converter's
 * output order.
 *
 * Archives: when the path names a regular file, it is read as a checkout
 * packed in a tar or zip archive (optionally compressed; with or without one
 * top-level folder, which then names the model), without unpacking it to
 * disk. Shards whose bytes lie uncompressed in the archive are read there.
 * Compressed shards are "streamed": their data is readable only while
 * staged, one at a time, by h2g_checkout_stage_next() (the executor does
 * this); their FP8 scale tensors are kept in memory from the opening walk.
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
#define H2G_README_MAX_BYTES (16u * 1024u * 1024u) /* cap for README.md (model card) */
/* Cap on the safetensors headers of all shards together (each is also capped
 * at 100 MB, H2G_ST_MAX_HEADER): their parsed tensors are kept in memory. */
#define H2G_HEADERS_MAX_BYTES (1024ull * 1024u * 1024u) /* 1 GiB */

typedef struct h2g_shard {
    char *file_name; /* as in the index, e.g. model-00001-of-000003.safetensors */
    char *path;
    int fd;             /* what data is read from: the shard, its archive, or the
                         * staging file while staged; -1 when not readable */
    uint64_t base;      /* where the shard starts in fd (a member of an archive) */
    const uint8_t *map; /* whole shard, read-only, or NULL when size is 0 or streamed */
    uint64_t size;
    bool streamed;      /* compressed archive member: readable only while staged */
    size_t member;      /* archives: the member's index (private) */
    uint64_t data_start;
    size_t first_tensor; /* its tensors are co->tensors[first_tensor ...] */
    size_t n_tensors;    /* (sorted by name) */
} h2g_shard;

typedef struct h2g_checkout {
    char *dir;      /* as given */
    char *dir_name; /* last path component, used for general.name (NAME for a
                     * Hugging Face cache snapshot, see hf_cache.h) */
    char *model_name; /* general.name as the caller chose it, or NULL (derived) */
    /* general.* values the caller chose (the reference's --metadata FILE: a
     * JSON object keyed by GGUF key), or NULL. They replace what the
     * checkout gives; plan/general.c says which keys count. */
    cJSON *metadata_override;

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

    /* What was skipped while reading the checkout and planning from it
     * (an unreadable model card, a sampling value of the wrong type, ...).
     * A pointer so that planning, which sees the checkout const, can add to
     * it; the caller prints the list (see error.h). Never NULL once open. */
    h2g_warnings *warnings;

    struct h2g_archive *archive; /* when read from an archive (private), else NULL */
    const uint8_t **held; /* archives: per tensor, a copy kept in memory, or NULL */
} h2g_checkout;

/* Opens dir, a model directory or an archive of one. On error nothing stays
 * open and err names the file and what was wrong (e.g. "config.json: not
 * found in DIR"). */
int h2g_checkout_open(h2g_checkout *co, const char *dir, h2g_error *err);
void h2g_checkout_close(h2g_checkout *co);

/* Index of a tensor by HF name, or -1. */
long h2g_checkout_find(const h2g_checkout *co, const char *name);
/* Pointer to a tensor's bytes inside its shard's mapping (or the copy kept
 * of it); NULL for a tensor of a streamed shard. */
const uint8_t *h2g_checkout_data(const h2g_checkout *co, const h2g_st_tensor *t);

/* Fails when a shard (or the archive) no longer has the size it had when
 * indexed: a file changing under a conversion gives a wrong output. */
int h2g_checkout_check_unchanged(const h2g_checkout *co, h2g_error *err);

/* True when some shards are streamed (a compressed archive). */
bool h2g_checkout_stages_shards(const h2g_checkout *co);
/* Stages the next streamed shard, in archive order, into a temporary file
 * in tmp_dir (created on the first call and unlinked at once; each shard
 * replaces the last, so it never holds more than one): 1 with *shard its
 * index in co->shards, 0 when every one was staged, -1 on an error. The
 * shard before it is readable no more. When `wanted` is not NULL, shards i
 * with wanted[i] false are passed over (nothing reads them). */
int h2g_checkout_stage_next(h2g_checkout *co, const char *tmp_dir, const bool *wanted,
                            size_t *shard, h2g_error *err);
/* Ends staging and frees the temporary file (also done by close). */
void h2g_checkout_stage_end(h2g_checkout *co);

/* Reads the checkout's file `name` (a path relative to it, e.g.
 * "merges.txt"), from its directory or its archive, into a malloc'ed,
 * NUL-terminated *out, refusing more than max bytes: 1 (and *out NULL) when
 * there is no such file, 0, or -1. Archives keep only the files the
 * converter reads (see checkout_archive.c). */
int h2g_checkout_read_file(const h2g_checkout *co, const char *name, size_t max, char **out,
                           size_t *len, h2g_error *err);

/* Whether the checkout has a file `name` (a path relative to it), from its
 * directory or its archive, without reading it. */
bool h2g_checkout_has_file(const h2g_checkout *co, const char *name);

/* The same for an optional JSON file, parsed into *out (NULL when absent). */
int h2g_checkout_read_json(const h2g_checkout *co, const char *name, cJSON **out,
                           h2g_error *err);

/* The names of the files in the checkout's folder `folder` ending with
 * suffix (hidden ones excepted), sorted: a NULL-terminated malloc'ed list
 * (each name malloc'ed), or NULL when there is none. */
char **h2g_checkout_list(const h2g_checkout *co, const char *folder, const char *suffix,
                         size_t *n);

/* Reads a JSON file (capped at H2G_JSON_MAX_BYTES). *out is NULL and 0 is
 * returned when the file does not exist and `optional` is true. */
int h2g_read_json_file(const char *path, const char *display, bool optional, cJSON **out,
                       h2g_error *err);

/* Refuses (-1 with err) an output path that writing could overwrite part
 * of the checkout with: one of its files or its archive (compared by
 * device and inode, links followed), or any path inside its folder, however
 * spelled. 0 when path is safe to write. */
int h2g_checkout_guard_output(const h2g_checkout *co, const char *path, h2g_error *err);

/* Names the model `name` (general.name, and the default file name when the
 * model card gives no basename), as the reference's --model-name does;
 * NULL goes back to the name derived from the checkout. */
int h2g_checkout_set_model_name(h2g_checkout *co, const char *name, h2g_error *err);

/* Sets co->metadata_override to a copy of `override` (a JSON object; NULL
 * clears it). Its values are checked when planning uses them. The error
 * message does not name the override's source: the caller prefixes it. */
int h2g_checkout_set_metadata(h2g_checkout *co, const cJSON *override, h2g_error *err);

/* HF architecture name of a checkout (config.json architectures[0]). */
int h2g_checkout_architecture(const h2g_checkout *co, const char **name, h2g_error *err);

#endif
