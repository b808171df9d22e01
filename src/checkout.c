/* checkout.c - indexing a HuggingFace checkout (see include/hf2gguf/checkout.h). */
#include "hf2gguf/checkout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hparams.h"
#include "model_card.h"
#include "util.h"

#define INDEX_FILE "model.safetensors.index.json"

/* ---------------------------------------------------------------------------
 * Small files
 * ------------------------------------------------------------------------- */

int h2g_read_json_file(const char *path, const char *display, bool optional, cJSON **out,
                       h2g_error *err) {
    char *text;
    size_t len;
    *out = NULL;
    int rc = h2g_read_small_file(path, display, H2G_JSON_MAX_BYTES, optional, &text, &len, err);
    if (rc != 0) return rc > 0 ? 0 : -1;
    const char *end = NULL;
    *out = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!*out) {
        size_t at = end ? (size_t)(end - text) : 0;
        free(text);
        return h2g_fail(err, "%s: not valid JSON (near byte %zu)", display, at);
    }
    free(text);
    return 0;
}

/* Reads dir/name as JSON; display name is the bare file name. */
static int read_json(const h2g_checkout *co, const char *name, bool optional, cJSON **out,
                     h2g_error *err) {
    char *path = h2g_path_join(co->dir, name);
    if (!path) return h2g_fail(err, "out of memory");
    int rc = h2g_read_json_file(path, name, optional, out, err);
    if (rc == 0 && !*out && !optional) rc = h2g_fail(err, "%s: not found in %s", name, co->dir);
    free(path);
    return rc;
}

static int read_text(const h2g_checkout *co, const char *name, size_t max, char **out,
                     size_t *len, h2g_error *err) {
    char *path = h2g_path_join(co->dir, name);
    if (!path) return h2g_fail(err, "out of memory");
    int rc = h2g_read_small_file(path, name, max, true, out, len, err);
    free(path);
    return rc < 0 ? -1 : 0;
}

/* Lifts a nested "image_processor" / "media_proc_cfg" object to the top. */
static void lift_nested(cJSON *obj) {
    static const char *const nested[] = {"image_processor", "media_proc_cfg", NULL};
    for (int i = 0; nested[i]; i++) {
        cJSON *sub = cJSON_DetachItemFromObjectCaseSensitive(obj, nested[i]);
        if (!cJSON_IsObject(sub)) {
            cJSON_Delete(sub);
            continue;
        }
        h2g_json_merge(obj, sub);
        cJSON_Delete(sub);
    }
}

/* preprocessor_config.json merged with processor_config.json (which wins). */
static int read_processor_config(h2g_checkout *co, h2g_error *err) {
    cJSON *pre = NULL, *proc = NULL;
    if (read_json(co, "preprocessor_config.json", true, &pre, err) != 0 ||
        read_json(co, "processor_config.json", true, &proc, err) != 0) {
        cJSON_Delete(pre);
        return -1;
    }
    if (pre && !cJSON_IsObject(pre)) {
        cJSON_Delete(pre);
        cJSON_Delete(proc);
        return h2g_fail(err, "preprocessor_config.json: must be a JSON object");
    }
    if (proc && !cJSON_IsObject(proc)) {
        cJSON_Delete(pre);
        cJSON_Delete(proc);
        return h2g_fail(err, "processor_config.json: must be a JSON object");
    }
    if (pre) lift_nested(pre);
    if (proc) lift_nested(proc);
    if (pre && proc) {
        h2g_json_merge(pre, proc);
        cJSON_Delete(proc);
        proc = NULL;
    }
    co->processor_config = pre ? pre : proc;
    return 0;
}

static int read_model_card(h2g_checkout *co, h2g_error *err) {
    char *text;
    size_t len;
    if (read_text(co, "README.md", 16u << 20, &text, &len, err) != 0) return -1;
    if (!text) return 0;
    int rc = h2g_model_card_parse(text, len, &co->model_card, err);
    free(text);
    return rc;
}

static int read_small_files(h2g_checkout *co, h2g_error *err) {
    size_t len;
    if (read_json(co, "config.json", false, &co->config, err) != 0) return -1;
    if (!cJSON_IsObject(co->config)) return h2g_fail(err, "config.json: must be a JSON object");
    if (read_json(co, "tokenizer.json", true, &co->tokenizer, err) != 0 ||
        read_json(co, "tokenizer_config.json", true, &co->tokenizer_config, err) != 0 ||
        read_json(co, "generation_config.json", true, &co->generation_config, err) != 0 ||
        read_processor_config(co, err) != 0 || read_model_card(co, err) != 0 ||
        read_text(co, "chat_template.jinja", H2G_JSON_MAX_BYTES, &co->chat_template_jinja, &len,
                  err) != 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------------------
 * The list of shards
 * ------------------------------------------------------------------------- */

/* Adds name to the shard list unless it is there already. */
static int add_shard_name(h2g_checkout *co, size_t *cap, const char *name, h2g_error *err) {
    for (size_t i = 0; i < co->n_shards; i++)
        if (!strcmp(co->shards[i].file_name, name)) return 0;
    if (h2g_grow((void **)&co->shards, cap, co->n_shards + 1, sizeof *co->shards))
        return h2g_fail(err, "out of memory");
    h2g_shard *s = &co->shards[co->n_shards++];
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->file_name = h2g_strdup(name);
    s->path = h2g_path_join(co->dir, name);
    if (!s->file_name || !s->path) return h2g_fail(err, "out of memory");
    return 0;
}

/* Sorts shards by file name (processing order). */
static void sort_shards(h2g_checkout *co) {
    for (size_t i = 1; i < co->n_shards; i++) {
        h2g_shard s = co->shards[i];
        size_t j = i;
        while (j > 0 && strcmp(co->shards[j - 1].file_name, s.file_name) > 0) {
            co->shards[j] = co->shards[j - 1];
            j--;
        }
        co->shards[j] = s;
    }
}

/* Shards named by the index's weight_map; every one must exist. */
static int shards_from_index(h2g_checkout *co, const cJSON *index, h2g_error *err) {
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(index, "weight_map");
    if (!cJSON_IsObject(map))
        return h2g_fail(err, INDEX_FILE ": 'weight_map' must be an object");
    size_t cap = 0;
    for (const cJSON *e = map->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return h2g_fail(err, INDEX_FILE ": tensor '%s' must map to a file name", e->string);
        const char *f = e->valuestring;
        if (!*f || strchr(f, '/') || !strcmp(f, "..") || !strcmp(f, "."))
            return h2g_fail(err, INDEX_FILE ": file name '%s' (tensor '%s') must be a plain "
                                 "file name in the checkout", f, e->string);
        if (add_shard_name(co, &cap, f, err) != 0) return -1;
    }
    if (co->n_shards == 0) return h2g_fail(err, INDEX_FILE ": 'weight_map' is empty");
    sort_shards(co);
    for (size_t i = 0; i < co->n_shards; i++) {
        struct stat st;
        if (stat(co->shards[i].path, &st) != 0 || !S_ISREG(st.st_mode))
            return h2g_fail(err, INDEX_FILE ": shard '%s' named in weight_map does not exist",
                            co->shards[i].file_name);
    }
    return 0;
}

/* Without an index: every model*.safetensors file in the directory. */
static int shards_from_listing(h2g_checkout *co, h2g_error *err) {
    DIR *d = opendir(co->dir);
    if (!d) return h2g_fail(err, "%s: cannot list: %s", co->dir, strerror(errno));
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (h2g_str_starts_with(e->d_name, "model") &&
            h2g_str_ends_with(e->d_name, ".safetensors"))
            rc = add_shard_name(co, &cap, e->d_name, err);
    }
    closedir(d);
    if (rc != 0) return -1;
    if (co->n_shards == 0) return h2g_fail(err, "no model*.safetensors files in %s", co->dir);
    sort_shards(co);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Opening shards and merging their tensors
 * ------------------------------------------------------------------------- */

static int open_shard(h2g_shard *s, uint32_t index, h2g_st_header *h, h2g_error *err) {
    s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) return h2g_fail(err, "%s: cannot open: %s", s->file_name, strerror(errno));
    struct stat st;
    if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return h2g_fail(err, "%s: not a regular file", s->file_name);
    s->size = (uint64_t)st.st_size;
    if (s->size < 8)
        return h2g_fail(err, "%s: file is %llu bytes, too short for a safetensors header "
                             "(truncated?)", s->file_name, (unsigned long long)s->size);
    void *map = mmap(NULL, (size_t)s->size, PROT_READ, MAP_SHARED, s->fd, 0);
    if (map == MAP_FAILED)
        return h2g_fail(err, "%s: cannot map: %s", s->file_name, strerror(errno));
    s->map = map;
    uint64_t head = s->size < 8 + (uint64_t)H2G_ST_MAX_HEADER ? s->size
                                                              : 8 + (uint64_t)H2G_ST_MAX_HEADER;
    if (h2g_st_parse_header(h, s->map, (size_t)head, s->size, index, s->file_name, err) != 0)
        return -1;
    s->data_start = h->data_start;
    return 0;
}

/* Appends a shard's tensors (already name-sorted) to the checkout's list. */
static int append_tensors(h2g_checkout *co, size_t *cap, h2g_st_header *h, h2g_error *err) {
    if (h2g_grow((void **)&co->tensors, cap, co->n_tensors + h->n_tensors + 1,
                 sizeof *co->tensors))
        return h2g_fail(err, "out of memory");
    memcpy(co->tensors + co->n_tensors, h->tensors, h->n_tensors * sizeof *h->tensors);
    if (h->n_tensors) {
        h2g_shard *s = &co->shards[h->tensors[0].shard];
        s->first_tensor = co->n_tensors;
        s->n_tensors = h->n_tensors;
    }
    co->n_tensors += h->n_tensors;
    for (size_t i = 0; i < h->n_tensors; i++) co->data_bytes += h->tensors[i].nbytes;
    free(h->tensors); /* names now belong to the checkout */
    h->tensors = NULL;
    h->n_tensors = 0;
    return 0;
}

static int cmp_tensor_ptr(const void *a, const void *b) {
    return strcmp((*(const h2g_st_tensor *const *)a)->name,
                  (*(const h2g_st_tensor *const *)b)->name);
}

/* Binary search among tensors [first, first + n), which are one shard's and
 * therefore sorted by name. */
static long find_in_shard(const h2g_checkout *co, size_t first, size_t n, const char *name) {
    size_t lo = first, hi = first + n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(co->tensors[mid].name, name);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Each shard is searched in O(log n); a checkout has at most a few hundred
 * shards, so no separate index is kept. */
long h2g_checkout_find(const h2g_checkout *co, const char *name) {
    for (size_t s = 0; s < co->n_shards; s++) {
        long i = find_in_shard(co, co->shards[s].first_tensor, co->shards[s].n_tensors, name);
        if (i >= 0) return i;
    }
    return -1;
}

/* Names the first tensor of a shard that the index does not list (the rare
 * error path, so a per-name lookup in cJSON's list is acceptable here). */
static int unlisted_tensor(const h2g_checkout *co, const cJSON *map, h2g_error *err) {
    for (size_t i = 0; i < co->n_tensors; i++)
        if (!cJSON_GetObjectItemCaseSensitive(map, co->tensors[i].name))
            return h2g_fail(err, "%s: tensor '%s' is not listed in " INDEX_FILE,
                            co->shards[co->tensors[i].shard].file_name, co->tensors[i].name);
    return h2g_fail(err, INDEX_FILE ": lists a tensor twice");
}

/* Checks names are unique across shards and, with an index, that the
 * tensors are exactly the index's, each in the shard it names. */
static int check_tensor_set(const h2g_checkout *co, const cJSON *index, h2g_error *err) {
    const h2g_st_tensor **sorted = malloc((co->n_tensors + 1) * sizeof *sorted);
    if (!sorted) return h2g_fail(err, "out of memory");
    for (size_t i = 0; i < co->n_tensors; i++) sorted[i] = &co->tensors[i];
    qsort(sorted, co->n_tensors, sizeof *sorted, cmp_tensor_ptr);
    int rc = 0;
    for (size_t i = 1; i < co->n_tensors && rc == 0; i++)
        if (!strcmp(sorted[i - 1]->name, sorted[i]->name))
            rc = h2g_fail(err, "tensor '%s' appears in both %s and %s", sorted[i]->name,
                          co->shards[sorted[i - 1]->shard].file_name,
                          co->shards[sorted[i]->shard].file_name);
    free(sorted);
    if (rc != 0 || !index) return rc;
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(index, "weight_map");
    size_t listed = 0;
    for (const cJSON *e = map->child; e; e = e->next, listed++) {
        long i = h2g_checkout_find(co, e->string);
        if (i < 0 || strcmp(co->shards[co->tensors[i].shard].file_name, e->valuestring) != 0)
            return h2g_fail(err, "tensor '%s' listed in " INDEX_FILE " is missing from %s",
                            e->string, e->valuestring);
    }
    if (listed != co->n_tensors) return unlisted_tensor(co, map, err);
    return 0;
}

static int index_shards(h2g_checkout *co, h2g_error *err) {
    cJSON *index = NULL;
    if (read_json(co, INDEX_FILE, true, &index, err) != 0) return -1;
    int rc;
    if (index && !cJSON_IsObject(index))
        rc = h2g_fail(err, INDEX_FILE ": must be a JSON object");
    else
        rc = index ? shards_from_index(co, index, err) : shards_from_listing(co, err);
    size_t cap = 0;
    for (size_t i = 0; i < co->n_shards && rc == 0; i++) {
        h2g_st_header h;
        memset(&h, 0, sizeof h);
        rc = open_shard(&co->shards[i], (uint32_t)i, &h, err);
        if (rc == 0) rc = append_tensors(co, &cap, &h, err);
        h2g_st_header_free(&h);
    }
    if (rc == 0) rc = check_tensor_set(co, index, err);
    cJSON_Delete(index);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Open and close
 * ------------------------------------------------------------------------- */

/* Last non-empty component of dir ("." and "/x/" handled via realpath). */
static char *dir_name_of(const char *dir) {
    char resolved[PATH_MAX];
    const char *d = realpath(dir, resolved) ? resolved : dir;
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/') n--;
    size_t start = n;
    while (start > 0 && d[start - 1] != '/') start--;
    char *name = malloc(n - start + 1);
    if (name) {
        memcpy(name, d + start, n - start);
        name[n - start] = '\0';
    }
    return name;
}

int h2g_checkout_open(h2g_checkout *co, const char *dir, h2g_error *err) {
    memset(co, 0, sizeof *co);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return h2g_fail(err, "%s: not a directory (expected a model checkout)", dir);
    co->dir = h2g_strdup(dir);
    co->dir_name = dir_name_of(dir);
    if (!co->dir || !co->dir_name) {
        h2g_checkout_close(co);
        return h2g_fail(err, "out of memory");
    }
    if (read_small_files(co, err) != 0 || index_shards(co, err) != 0) {
        h2g_checkout_close(co);
        return -1;
    }
    return 0;
}

void h2g_checkout_close(h2g_checkout *co) {
    for (size_t i = 0; i < co->n_shards; i++) {
        h2g_shard *s = &co->shards[i];
        if (s->map) munmap((void *)s->map, (size_t)s->size);
        if (s->fd >= 0) close(s->fd);
        free(s->file_name);
        free(s->path);
    }
    free(co->shards);
    for (size_t i = 0; i < co->n_tensors; i++) free(co->tensors[i].name);
    free(co->tensors);
    cJSON_Delete(co->config);
    cJSON_Delete(co->tokenizer);
    cJSON_Delete(co->tokenizer_config);
    cJSON_Delete(co->generation_config);
    cJSON_Delete(co->processor_config);
    cJSON_Delete(co->model_card);
    free(co->chat_template_jinja);
    free(co->dir);
    free(co->dir_name);
    memset(co, 0, sizeof *co);
}

const uint8_t *h2g_checkout_data(const h2g_checkout *co, const h2g_st_tensor *t) {
    return co->shards[t->shard].map + t->offset;
}
