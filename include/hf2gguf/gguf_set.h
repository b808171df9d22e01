/*
 * hf2gguf/gguf_set.h - a GGUF file or a split set of them, read as one file.
 *
 * gguf-split (conversion-reference.md section 1.9) cuts a model into shards
 * named STEM-NNNNN-of-MMMMM.gguf, NNNNN 1-based, both numbers 5 digits:
 *
 *   model-00001-of-00003.gguf   all model KVs, then split.no = 0,
 *                               split.count = 3, split.tensors.count = T;
 *                               its own tensor infos and data
 *   model-00002-of-00003.gguf   only the three split.* KVs (split.no = 1)
 *   model-00003-of-00003.gguf   only the three split.* KVs (split.no = 2)
 *
 *   split.no UINT16 (0-based), split.count UINT16, split.tensors.count INT32.
 *
 * h2g_gguf_set_open() takes a plain GGUF file or any one shard of a set and
 * presents it as the file gguf-split started from:
 *
 *   - kv: the KVs of the first shard, in order, without the split.* keys
 *     (KVs of the other shards are ignored, as llama.cpp ignores them);
 *   - tensors: those of every shard, shard by shard, in file order, each with
 *     a pointer to its bytes (which lie inside that shard's mapping).
 *
 * A file without split.count is a plain file, whatever its name. A file with
 * split.count must be named as above, with MMMMM = split.count, and the set
 * is checked the way llama.cpp's loader checks it, plus a little more:
 * every shard exists and is a valid GGUF (h2g_gguf_open), carries the three
 * keys with exactly the types above, split.no = its position, split.count
 * the same everywhere, split.tensors.count (>= 0) the same everywhere and
 * equal to the number of tensors in all shards, and no tensor name appears
 * in two shards. Errors name the shard.
 */
#ifndef HF2GGUF_GGUF_SET_H
#define HF2GGUF_GGUF_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"
#include "hf2gguf/gguf.h"
#include "hf2gguf/kv.h"

#define H2G_SPLIT_NO "split.no"
#define H2G_SPLIT_COUNT "split.count"
#define H2G_SPLIT_TENSORS_COUNT "split.tensors.count"
/* gguf-split writes at most 99999 shards (5-digit numbers). */
#define H2G_SPLIT_MAX_SHARDS 99999

/* One tensor of the logical file. info.offset stays relative to its own
 * shard's data section; use `data`. */
typedef struct h2g_set_tensor {
    h2g_tensor_info info;
    const uint8_t *data; /* info.nbytes bytes */
    size_t shard;        /* 0-based index into h2g_gguf_set.shards */
} h2g_set_tensor;

/* An open file or split set. shards[0] is the first (or only) file; a
 * plain file has n_shards = 1 and split = false. */
typedef struct h2g_gguf_set {
    char *path; /* as given to h2g_gguf_set_open */
    h2g_gguf_file *shards;
    size_t n_shards;
    bool split; /* opened as a split set (split.* keys present) */
    h2g_kv_list kv;
    h2g_set_tensor *tensors;
    size_t n_tensors;
} h2g_gguf_set;

/* Opens path as described above. Returns 0, or -1 with err naming the file
 * or shard at fault (a missing shard is named by its path). */
int h2g_gguf_set_open(h2g_gguf_set *s, const char *path, h2g_error *err);
/* Closes every shard and frees the set; leaves s zeroed. Safe on a zeroed
 * or already closed set. */
void h2g_gguf_set_close(h2g_gguf_set *s);
/* Index of the tensor called name, or -1 when absent. */
long h2g_gguf_set_find_tensor(const h2g_gguf_set *s, const char *name);

/* Splits a shard name "DIR/STEM-NNNNN-of-MMMMM.gguf" into a malloc'ed
 * "DIR/STEM" and the two numbers; returns false when path is not named so
 * (both numbers must be 5 digits, 1 <= NNNNN <= MMMMM). */
bool h2g_split_name_parse(const char *path, char **stem, unsigned *no, unsigned *count);
/* The malloc'ed name of shard `no` (1-based) of `count`: STEM-NNNNN-of-MMMMM.gguf.
 * NULL when out of memory. */
char *h2g_split_name(const char *stem, unsigned no, unsigned count);

#endif
