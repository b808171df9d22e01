/* set.c - a GGUF file or a gguf-split set read as one logical file (see
 * include/hf2gguf/gguf_set.h).
 *
 * Every shard is opened with the strict reader, so every byte used here has
 * already been checked to lie inside its file; this file only checks how the
 * shards fit together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf2gguf/gguf_set.h"
#include "base/util.h"

/* "-NNNNN-of-MMMMM.gguf": the part of a shard name after the stem. */
#define SPLIT_SUFFIX_LEN 20

/* ---------------------------------------------------------------------------
 * Shard names
 * ------------------------------------------------------------------------- */

/* Reads exactly 5 decimal digits at s into *v; false when they are not. */
static bool five_digits(const char *s, unsigned *v) {
    *v = 0;
    for (int i = 0; i < 5; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return true;
}

bool h2g_split_name_parse(const char *path, char **stem, unsigned *no, unsigned *count) {
    size_t len = strlen(path);
    if (len < SPLIT_SUFFIX_LEN) return false;
    const char *suffix = path + len - SPLIT_SUFFIX_LEN; /* "-NNNNN-of-MMMMM.gguf" */
    if (suffix[0] != '-' || strncmp(suffix + 6, "-of-", 4) != 0 ||
        strcmp(suffix + 15, ".gguf") != 0)
        return false;
    if (!five_digits(suffix + 1, no) || !five_digits(suffix + 10, count)) return false;
    if (*no < 1 || *no > *count) return false;
    *stem = malloc(len - SPLIT_SUFFIX_LEN + 1);
    if (!*stem) return false;
    memcpy(*stem, path, len - SPLIT_SUFFIX_LEN);
    (*stem)[len - SPLIT_SUFFIX_LEN] = '\0';
    return true;
}

char *h2g_split_name(const char *stem, unsigned no, unsigned count) {
    return h2g_strfmt("%s-%05u-of-%05u.gguf", stem, no, count);
}

/* ---------------------------------------------------------------------------
 * The split.* keys of one shard
 * ------------------------------------------------------------------------- */

typedef struct split_keys {
    unsigned no, count;
    long long tensors; /* split.tensors.count, an INT32 */
} split_keys;

/* True for the three keys the set hides. */
static bool is_split_key(const h2g_kv *kv) {
    return !strcmp(kv->key.data, H2G_SPLIT_NO) || !strcmp(kv->key.data, H2G_SPLIT_COUNT) ||
           !strcmp(kv->key.data, H2G_SPLIT_TENSORS_COUNT);
}

/* Finds key in f and checks its type; NULL (err filled) when absent or of
 * another type. */
static const h2g_kv *split_key(const h2g_gguf_file *f, const char *key, uint32_t type,
                               h2g_error *err) {
    const h2g_kv *kv = h2g_kv_get(&f->kv, key);
    if (!kv)
        h2g_fail(err, "%s: split shard has no %s", f->path, key);
    else if (kv->type != type)
        h2g_fail(err, "%s: %s has type %s; it must be %s", f->path, key,
                 h2g_value_type_name(kv->type), h2g_value_type_name(type));
    return kv && kv->type == type ? kv : NULL;
}

/* Reads the three split keys of f. Returns 1 when f has none of them (a
 * plain file), 0 when all three are there with the right types, else -1. */
static int read_split_keys(const h2g_gguf_file *f, split_keys *k, h2g_error *err) {
    if (!h2g_kv_get(&f->kv, H2G_SPLIT_NO) && !h2g_kv_get(&f->kv, H2G_SPLIT_COUNT) &&
        !h2g_kv_get(&f->kv, H2G_SPLIT_TENSORS_COUNT))
        return 1;
    const h2g_kv *no = split_key(f, H2G_SPLIT_NO, H2G_VT_UINT16, err);
    const h2g_kv *count = no ? split_key(f, H2G_SPLIT_COUNT, H2G_VT_UINT16, err) : NULL;
    const h2g_kv *tensors =
        count ? split_key(f, H2G_SPLIT_TENSORS_COUNT, H2G_VT_INT32, err) : NULL;
    if (!tensors) return -1;
    k->no = (unsigned)no->num.u64;
    k->count = (unsigned)count->num.u64;
    k->tensors = (long long)tensors->num.i64;
    if (k->count == 0) return h2g_fail(err, "%s: split.count is 0", f->path);
    if (k->no >= k->count)
        return h2g_fail(err, "%s: split.no = %u is not below split.count = %u", f->path, k->no,
                        k->count);
    if (k->tensors < 0)
        return h2g_fail(err, "%s: split.tensors.count = %lld is negative", f->path, k->tensors);
    return 0;
}

/* Checks shard `index` (0-based) of a set of `count`. The first shard's
 * keys are stored in *first; later shards must agree with them. */
static int check_shard(const h2g_gguf_file *f, unsigned index, unsigned count,
                       split_keys *first, h2g_error *err) {
    split_keys k;
    int rc = read_split_keys(f, &k, err);
    if (rc == 1)
        return h2g_fail(err, "%s: shard %u of %u has no split.* keys", f->path, index + 1, count);
    if (rc != 0) return -1;
    if (k.no != index)
        return h2g_fail(err, "%s: split.no = %u, expected %u (shard %u of %u; split.no is "
                             "0-based)", f->path, k.no, index, index + 1, count);
    if (k.count != count)
        return h2g_fail(err, "%s: split.count = %u, expected %u", f->path, k.count, count);
    if (index == 0) *first = k;
    else if (k.tensors != first->tensors)
        return h2g_fail(err, "%s: split.tensors.count = %lld, but the first shard says %lld",
                        f->path, k.tensors, first->tensors);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Opening the shards
 * ------------------------------------------------------------------------- */

/* Moves an opened file in as the set's only shard. */
static int adopt_single(h2g_gguf_set *s, h2g_gguf_file *f, h2g_error *err) {
    s->shards = malloc(sizeof *s->shards);
    if (!s->shards) {
        h2g_fail(err, "%s: out of memory for the set's list of shards", f->path);
        h2g_gguf_close(f);
        return -1;
    }
    s->shards[0] = *f;
    s->n_shards = 1;
    return 0;
}

/* Opens shard i (0-based) of `count` named after stem into s->shards[i]. */
static int open_shard(h2g_gguf_set *s, const char *stem, unsigned i, unsigned count,
                      h2g_error *err) {
    char *name = h2g_split_name(stem, i + 1, count);
    if (!name) return h2g_fail(err, "out of memory for the name of shard %u of %u", i + 1, count);
    int rc = h2g_gguf_open(&s->shards[i], name, err);
    free(name);
    if (rc != 0) return h2g_fail_prefix(err, "shard %u of %u", i + 1, count);
    s->n_shards++;
    return 0;
}

/* Opens, in order, all shards of the set that path (whose keys are in
 * `given`) belongs to, and checks each. */
static int open_shards(h2g_gguf_set *s, const char *path, const split_keys *given,
                       h2g_error *err) {
    char *stem = NULL;
    unsigned no, count;
    if (!h2g_split_name_parse(path, &stem, &no, &count))
        return h2g_fail(err, "%s: split.count = %u, but the file is not named "
                             "STEM-NNNNN-of-MMMMM.gguf, so its other shards cannot be found",
                        path, given->count);
    int rc = 0;
    if (count != given->count || no != given->no + 1)
        rc = h2g_fail(err, "%s: the name says shard %u of %u, but the file says split.no = %u "
                           "(shard %u) of split.count = %u", path, no, count, given->no,
                      given->no + 1, given->count);
    if (rc == 0 && !(s->shards = calloc(count, sizeof *s->shards)))
        rc = h2g_fail(err, "%s: out of memory for the list of its %u shards", path, count);
    split_keys first = {0};
    for (unsigned i = 0; rc == 0 && i < count; i++)
        if (open_shard(s, stem, i, count, err) != 0 ||
            check_shard(&s->shards[i], i, count, &first, err) != 0)
            rc = -1;
    free(stem);
    return rc;
}

/* Opens path and, when it is a shard, the rest of its set into s->shards.
 * Sets s->split. */
static int open_files(h2g_gguf_set *s, const char *path, h2g_error *err) {
    h2g_gguf_file probe;
    if (h2g_gguf_open(&probe, path, err) != 0) return -1;
    split_keys k;
    int rc = read_split_keys(&probe, &k, err);
    if (rc < 0) {
        h2g_gguf_close(&probe);
        return -1;
    }
    s->split = rc == 0;
    /* A one-shard "set" needs no siblings, whatever its name. */
    if (rc == 1 || k.count == 1) return adopt_single(s, &probe, err);
    h2g_gguf_close(&probe); /* reopened below at its place in the set */
    return open_shards(s, path, &k, err);
}

/* ---------------------------------------------------------------------------
 * The logical file
 * ------------------------------------------------------------------------- */

/* Copies the first shard's KVs, without the split keys, into s->kv. */
static int collect_kv(h2g_gguf_set *s, h2g_error *err) {
    const h2g_kv_list *src = &s->shards[0].kv;
    for (size_t i = 0; i < src->n; i++)
        if (!is_split_key(&src->items[i]) && h2g_kv_set_copy(&s->kv, &src->items[i], err) != 0)
            return -1;
    return 0;
}

/* Lists the tensors of every shard, in order, into s->tensors. */
static int collect_tensors(h2g_gguf_set *s, h2g_error *err) {
    size_t total = 0;
    for (size_t i = 0; i < s->n_shards; i++) total += s->shards[i].n_tensors;
    s->tensors = calloc(total ? total : 1, sizeof *s->tensors);
    if (!s->tensors) return h2g_fail(err, "out of memory for the list of %zu tensors", total);
    for (size_t i = 0; i < s->n_shards; i++)
        for (size_t j = 0; j < s->shards[i].n_tensors; j++) {
            h2g_set_tensor *t = &s->tensors[s->n_tensors++];
            t->info = s->shards[i].tensors[j];
            t->data = h2g_gguf_tensor_data(&s->shards[i], j);
            t->shard = i;
        }
    return 0;
}

/* qsort order of set tensors (pointers) by name. */
static int cmp_names(const void *a, const void *b) {
    const h2g_set_tensor *const *x = a, *const *y = b;
    return strcmp((*x)->info.name, (*y)->info.name);
}

/* Fails when a tensor name appears in two shards (each shard was checked
 * alone by the reader; merged, the names must still be unique). */
static int check_unique_names(const h2g_gguf_set *s, h2g_error *err) {
    if (s->n_tensors < 2 || s->n_shards < 2) return 0;
    const h2g_set_tensor **sorted = malloc(s->n_tensors * sizeof *sorted);
    if (!sorted)
        return h2g_fail(err, "out of memory for the sorted list of %zu tensor names", s->n_tensors);
    for (size_t i = 0; i < s->n_tensors; i++) sorted[i] = &s->tensors[i];
    qsort(sorted, s->n_tensors, sizeof *sorted, cmp_names);
    int rc = 0;
    for (size_t i = 1; i < s->n_tensors && rc == 0; i++) {
        if (cmp_names(&sorted[i - 1], &sorted[i]) != 0) continue;
        size_t x = sorted[i - 1]->shard, y = sorted[i]->shard; /* qsort: either order */
        rc = h2g_fail(err, "tensor '%s' is in %s and in %s", sorted[i]->info.name,
                      s->shards[x < y ? x : y].path, s->shards[x < y ? y : x].path);
    }
    free(sorted);
    return rc;
}

/* Checks split.tensors.count (first shard) against the tensors found. */
static int check_tensor_count(const h2g_gguf_set *s, h2g_error *err) {
    if (!s->split) return 0;
    const h2g_kv *kv = h2g_kv_get(&s->shards[0].kv, H2G_SPLIT_TENSORS_COUNT);
    if ((uint64_t)kv->num.i64 == s->n_tensors) return 0;
    return h2g_fail(err, "%s: split.tensors.count = %lld, but the %zu shard(s) hold %zu tensors",
                    s->shards[0].path, (long long)kv->num.i64, s->n_shards, s->n_tensors);
}

int h2g_gguf_set_open(h2g_gguf_set *s, const char *path, h2g_error *err) {
    memset(s, 0, sizeof *s);
    s->path = h2g_strdup(path);
    if (!s->path) return h2g_fail(err, "%s: out of memory for a copy of its path", path);
    if (open_files(s, path, err) != 0 || collect_kv(s, err) != 0 ||
        collect_tensors(s, err) != 0 || check_tensor_count(s, err) != 0 ||
        check_unique_names(s, err) != 0) {
        h2g_gguf_set_close(s);
        return -1;
    }
    return 0;
}

void h2g_gguf_set_close(h2g_gguf_set *s) {
    for (size_t i = 0; i < s->n_shards; i++) h2g_gguf_close(&s->shards[i]);
    free(s->shards);
    free(s->path);
    h2g_kv_list_free(&s->kv);
    free(s->tensors);
    memset(s, 0, sizeof *s);
}

long h2g_gguf_set_find_tensor(const h2g_gguf_set *s, const char *name) {
    for (size_t i = 0; i < s->n_tensors; i++)
        if (strcmp(s->tensors[i].info.name, name) == 0) return (long)i;
    return -1;
}
