/* checkout.c - indexing a HuggingFace checkout (see include/hf2gguf/checkout.h).
 *
 * Opening goes in three steps, each of which may fail with everything opened
 * so far released: the small files (config.json first), the list of shards
 * (all checked to exist before any is opened), then each shard's header and
 * the cross-checks between shards and the index.
 *
 * Name lookups: co->tensors must stay in processing order, and checkout.h has
 * no field for a second ordering, so the index by name (n_tensors pointers
 * into co->tensors, sorted by name) is kept in the same allocation, right
 * after the tensors. Only this file allocates, frees or
 * reads that block; see build_name_index(). */
#include "hf2gguf/checkout.h"
#include "hf2gguf/hf_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/checkout_archive.h"
#include "source/hparams.h"
#include "source/model_card.h"
#include "base/util.h"

#define INDEX_FILE "model.safetensors.index.json"

/* ---------------------------------------------------------------------------
 * Small files
 * ------------------------------------------------------------------------- */

/* 1-based line of byte `at` in text (for parse error messages). */
static size_t line_of(const char *text, size_t at) {
    size_t line = 1;
    for (size_t i = 0; i < at; i++) line += text[i] == '\n';
    return line;
}

/* Parses text (len bytes) as JSON; errors name the file (display) with the
 * line and byte where cJSON gave up. */
static int parse_json(const char *text, size_t len, const char *display, cJSON **out,
                      h2g_error *err) {
    const char *stop = NULL;
    *out = cJSON_ParseWithLengthOpts(text, len, &stop, false);
    if (*out) return 0;
    size_t at = stop ? (size_t)(stop - text) : 0;
    if (at > len) at = len;
    return h2g_fail(err, "%s: not valid JSON (line %zu, near byte %zu)", display,
                    line_of(text, at), at);
}

/* Reads and parses a JSON file; see checkout.h. */
int h2g_read_json_file(const char *path, const char *display, bool optional, cJSON **out,
                       h2g_error *err) {
    char *text;
    size_t len;
    *out = NULL;
    int rc = h2g_read_small_file(path, display, H2G_JSON_MAX_BYTES, optional, &text, &len, err);
    if (rc != 0) return rc > 0 ? 0 : -1;
    rc = parse_json(text, len, display, out, err);
    free(text);
    return rc;
}

/* See checkout.h. The bare file name is used in messages. */
int h2g_checkout_read_file(const h2g_checkout *co, const char *name, size_t max, char **out,
                           size_t *len, h2g_error *err) {
    if (co->archive) return h2g_archive_read_small(co->archive, name, max, true, out, len, err);
    *out = NULL;
    if (!co->dir) return 1;
    char *path = h2g_path_join(co->dir, name);
    if (!path) return h2g_fail(err, "%s: out of memory for its path", name);
    int rc = h2g_read_small_file(path, name, max, true, out, len, err);
    free(path);
    return rc;
}

bool h2g_checkout_has_file(const h2g_checkout *co, const char *name) {
    if (co->archive) return h2g_archive_member_find(co->archive, name) != NULL;
    if (!co->dir) return false;
    char *path = h2g_path_join(co->dir, name);
    struct stat st;
    bool found = path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return found;
}

/* Reads the checkout's file `name` as JSON into *out (NULL when absent and
 * optional). */
static int read_json(const h2g_checkout *co, const char *name, bool optional, cJSON **out,
                     h2g_error *err) {
    char *text;
    size_t len;
    *out = NULL;
    int rc = h2g_checkout_read_file(co, name, H2G_JSON_MAX_BYTES, &text, &len, err);
    if (rc < 0) return -1;
    if (rc > 0 && optional) return 0;
    if (rc > 0) {
        const char *deeper = co->archive ? h2g_archive_find_deeper(co->archive, name) : NULL;
        if (deeper)
            return h2g_fail(err, "%s: not found in %s, only as '%.200s' (an archive must hold "
                                 "one checkout, at its root or in one top folder)",
                            name, co->dir, deeper);
        return h2g_fail(err, "%s: not found in %s", name, co->dir);
    }
    rc = parse_json(text, len, name, out, err);
    free(text);
    return rc;
}

int h2g_checkout_read_json(const h2g_checkout *co, const char *name, cJSON **out,
                           h2g_error *err) {
    return read_json(co, name, true, out, err);
}

/* Reads the optional text file `name` into *out (NULL when absent). */
static int read_text(const h2g_checkout *co, const char *name, size_t max, char **out,
                     size_t *len, h2g_error *err) {
    return h2g_checkout_read_file(co, name, max, out, len, err) < 0 ? -1 : 0;
}

/* Lifts a nested "image_processor" / "media_proc_cfg" object of a processor
 * config to its top level (its keys win), as the reference does for
 * processor_config.json. False when out of memory. */
static bool lift_nested(cJSON *obj) {
    static const char *const nested[] = {"image_processor", "media_proc_cfg", NULL};
    for (int i = 0; nested[i]; i++) {
        cJSON *sub = cJSON_DetachItemFromObjectCaseSensitive(obj, nested[i]);
        if (!sub) continue;
        bool ok = !cJSON_IsObject(sub) || h2g_json_merge(obj, sub);
        cJSON_Delete(sub);
        if (!ok) return false;
    }
    return true;
}

/* Reads one processor config file: absent (NULL) or a JSON object, lifted. */
static int read_one_processor_config(const h2g_checkout *co, const char *name, cJSON **out,
                                     h2g_error *err) {
    if (read_json(co, name, true, out, err) != 0) return -1;
    if (!*out) return 0;
    if (!cJSON_IsObject(*out))
        return h2g_fail(err, "%s: must be a JSON object, found another JSON value", name);
    if (!lift_nested(*out))
        return h2g_fail(err, "%s: out of memory for merging its nested settings", name);
    return 0;
}

/* co->processor_config = preprocessor_config.json merged with
 * processor_config.json (whose keys win); NULL when neither exists. */
static int read_processor_config(h2g_checkout *co, h2g_error *err) {
    cJSON *pre = NULL, *proc = NULL;
    int rc = read_one_processor_config(co, "preprocessor_config.json", &pre, err);
    if (rc == 0) rc = read_one_processor_config(co, "processor_config.json", &proc, err);
    if (rc == 0 && pre && proc && !h2g_json_merge(pre, proc))
        rc = h2g_fail(err, "processor_config.json: out of memory for merging it with "
                           "preprocessor_config.json");
    if (rc != 0 || (pre && proc)) {
        cJSON_Delete(proc);
        proc = NULL;
    }
    if (rc != 0) {
        cJSON_Delete(pre);
        return -1;
    }
    co->processor_config = pre ? pre : proc;
    return 0;
}

/* co->model_card from README.md's front matter (NULL without one). The
 * card only adds general.* keys, so a card that cannot be read or parsed is
 * a warning, not a reason to refuse the model (issue 14, item 11). */
static void read_model_card(h2g_checkout *co) {
    char *text;
    size_t len;
    h2g_error why = {{0}};
    if (read_text(co, "README.md", H2G_README_MAX_BYTES, &text, &len, &why) == 0 && text &&
        h2g_model_card_parse(text, len, &co->model_card, &why) == 0)
        why.msg[0] = '\0';
    free(text);
    if (why.msg[0])
        h2g_warn(co->warnings, "%s; the model card was skipped (no general.* keys from it)",
                 why.msg);
}

/* co->generation_config: NULL when absent, or when it cannot be read or is
 * not a JSON object. It only feeds general.sampling.*, so that is a warning
 * (the reference ignores a generation_config.json that is not JSON). */
static void read_generation_config(h2g_checkout *co) {
    h2g_error why = {{0}};
    if (read_json(co, "generation_config.json", true, &co->generation_config, &why) == 0 &&
        (!co->generation_config || cJSON_IsObject(co->generation_config)))
        return;
    if (!why.msg[0])
        h2g_fail(&why, "generation_config.json: must be a JSON object, found another JSON value");
    cJSON_Delete(co->generation_config);
    co->generation_config = NULL;
    h2g_warn(co->warnings, "%s; the file was skipped (no general.sampling.* keys)", why.msg);
}

/* config.json (required, an object), then the optional documents. */
static int read_small_files(h2g_checkout *co, h2g_error *err) {
    size_t len;
    if (read_json(co, "config.json", false, &co->config, err) != 0) return -1;
    if (!cJSON_IsObject(co->config))
        return h2g_fail(err, "config.json: must be a JSON object, found another JSON value");
    if (read_json(co, "tokenizer.json", true, &co->tokenizer, err) != 0 ||
        read_json(co, "tokenizer_config.json", true, &co->tokenizer_config, err) != 0 ||
        read_processor_config(co, err) != 0 ||
        read_text(co, "chat_template.jinja", H2G_JSON_MAX_BYTES, &co->chat_template_jinja, &len,
                  err) != 0)
        return -1;
    read_generation_config(co);
    read_model_card(co);
    return 0;
}

/* ---------------------------------------------------------------------------
 * The list of shards
 * ------------------------------------------------------------------------- */

/* qsort order of C strings (through pointers to them). */
static int cmp_str_ptr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Makes co->shards from n sorted, distinct file names (not yet opened). */
static int make_shards(h2g_checkout *co, const char *const *names, size_t n, h2g_error *err) {
    co->shards = calloc(n ? n : 1, sizeof *co->shards);
    if (!co->shards) return h2g_fail(err, "out of memory for the list of %zu shards", n);
    for (size_t i = 0; i < n; i++) {
        h2g_shard *s = &co->shards[co->n_shards++];
        s->fd = -1;
        s->file_name = h2g_strdup(names[i]);
        s->path = h2g_path_join(co->dir, names[i]);
        if (!s->file_name || !s->path)
            return h2g_fail(err, "%s: out of memory for the shard's name and path", names[i]);
    }
    return 0;
}

/* Sorts names and drops repeats; returns the new count. */
static size_t sort_unique(const char **names, size_t n) {
    qsort(names, n, sizeof *names, cmp_str_ptr);
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (out == 0 || strcmp(names[out - 1], names[i]) != 0) names[out++] = names[i];
    return out;
}

/* A shard name from the index must name a file in the checkout itself. */
static bool plain_file_name(const char *f) {
    return *f && strcmp(f, ".") != 0 && !strchr(f, '/') && !strstr(f, "..");
}

/* Collects weight_map's values (file names, checked) into *names. */
static int index_file_names(const cJSON *map, const char ***names, size_t *n,
                            h2g_error *err) {
    size_t count = 0;
    for (const cJSON *e = map->child; e; e = e->next) count++;
    *names = malloc((count ? count : 1) * sizeof **names);
    if (!*names)
        return h2g_fail(err, INDEX_FILE ": out of memory for the file names of its %zu tensors",
                        count);
    *n = 0;
    for (const cJSON *e = map->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return h2g_fail(err, INDEX_FILE ": tensor '%.200s' must map to a file name (a "
                                 "string) in weight_map", e->string);
        if (!plain_file_name(e->valuestring))
            return h2g_fail(err, INDEX_FILE ": file name '%.200s' (tensor '%.200s') must be "
                                 "a plain file name inside the checkout", e->valuestring,
                            e->string);
        (*names)[(*n)++] = e->valuestring;
    }
    return 0;
}

/* Checks that every shard named by the index is a regular file, before any
 * of them is opened. */
static int check_shards_exist(const h2g_checkout *co, h2g_error *err) {
    for (size_t i = 0; i < co->n_shards; i++) {
        struct stat st;
        if (co->archive) {
            if (!h2g_archive_member_find(co->archive, co->shards[i].file_name))
                return h2g_fail(err, INDEX_FILE ": shard '%s' named in weight_map is not in %s",
                                co->shards[i].file_name, co->dir);
            continue;
        }
        if (stat(co->shards[i].path, &st) != 0)
            return h2g_fail(err, INDEX_FILE ": shard '%s' named in weight_map does not exist",
                            co->shards[i].file_name);
        if (!S_ISREG(st.st_mode))
            return h2g_fail(err, INDEX_FILE ": shard '%s' is not a regular file",
                            co->shards[i].file_name);
    }
    return 0;
}

/* Shards = the sorted set of file names in the index's weight_map. */
static int shards_from_index(h2g_checkout *co, const cJSON *index, h2g_error *err) {
    if (!cJSON_IsObject(index))
        return h2g_fail(err, INDEX_FILE ": must be a JSON object, found another JSON value");
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(index, "weight_map");
    if (!cJSON_IsObject(map))
        return h2g_fail(err, INDEX_FILE ": 'weight_map' must be an object");
    const char **names = NULL;
    size_t n = 0;
    int rc = index_file_names(map, &names, &n, err);
    if (rc == 0 && n == 0) rc = h2g_fail(err, INDEX_FILE ": 'weight_map' is empty");
    if (rc == 0) rc = make_shards(co, names, sort_unique(names, n), err);
    free(names);
    return rc == 0 ? check_shards_exist(co, err) : -1;
}

/* True for a directory entry named model*.safetensors. Entries that are not
 * regular files are kept, so that opening them fails ("not a regular file")
 * rather than a shard silently going missing. */
static bool is_listed_shard(const char *name) {
    return h2g_str_starts_with(name, "model") && h2g_str_ends_with(name, ".safetensors");
}

/* Adds a copy of name to the NULL-terminated list *names (*n entries). */
static bool add_name(char ***names, size_t *n, size_t *cap, const char *name) {
    char *copy = h2g_strdup(name);
    if (!copy || h2g_grow((void **)names, cap, *n + 2, sizeof **names) != 0) {
        free(copy);
        return false;
    }
    (*names)[(*n)++] = copy;
    (*names)[*n] = NULL;
    return true;
}

/* Adds a copy of name to names[n] when it is a listed shard. */
static int add_listed(const char *name, char ***names, size_t *n, size_t *cap, h2g_error *err) {
    if (!is_listed_shard(name) || strchr(name, '/')) return 0;
    return add_name(names, n, cap, name)
               ? 0
               : h2g_fail(err, "out of memory for the list of shards (at %zu, %s)", *n, name);
}

/* The listed shards of the archive's files or of the directory's entries. */
static int list_shards(const h2g_checkout *co, char ***names, size_t *n, h2g_error *err) {
    size_t cap = 0;
    int rc = 0;
    if (co->archive) {
        for (size_t i = 0; i < co->archive->n_members && rc == 0; i++)
            rc = add_listed(co->archive->members[i].name, names, n, &cap, err);
        return rc;
    }
    DIR *d = opendir(co->dir);
    if (!d) return h2g_fail(err, "%s: cannot list the directory: %s", co->dir, strerror(errno));
    for (struct dirent *e; rc == 0 && (e = readdir(d));)
        rc = add_listed(e->d_name, names, n, &cap, err);
    closedir(d);
    return rc;
}

/* Whether name is a pickled PyTorch checkpoint (pytorch_model*.bin, *.pt,
 * *.pth), which hf2gguf never reads: unpickling runs code. */
static bool is_pickled(const char *name) {
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    return (h2g_str_starts_with(base, "pytorch_model") && h2g_str_ends_with(base, ".bin")) ||
           h2g_str_ends_with(base, ".pt") || h2g_str_ends_with(base, ".pth");
}

/* The first pickled checkpoint of the checkout, for the message saying why
 * it is not read; NULL when there is none. */
static char *find_pickled(const h2g_checkout *co) {
    char *found = NULL;
    if (co->archive) {
        for (size_t i = 0; i < co->archive->n_members && !found; i++)
            if (is_pickled(co->archive->members[i].name))
                found = h2g_strdup(co->archive->members[i].name);
        return found;
    }
    DIR *d = opendir(co->dir);
    for (struct dirent *e; d && !found && (e = readdir(d));)
        if (is_pickled(e->d_name)) found = h2g_strdup(e->d_name);
    if (d) closedir(d);
    return found;
}

/* No shard: say so, and why a pickled checkpoint beside is no use. */
static int no_shards(const h2g_checkout *co, h2g_error *err) {
    char *pickled = find_pickled(co);
    if (!pickled) return h2g_fail(err, "no model*.safetensors files in %s", co->dir);
    int rc = h2g_fail(err, "no model*.safetensors files in %s, only %s: pickled PyTorch "
                           "checkpoints are not read (loading one runs code from the file); "
                           "convert it to safetensors first, e.g. with transformers: "
                           "save_pretrained(DIR, safe_serialization=True)", co->dir, pickled);
    free(pickled);
    return rc;
}

/* Without an index: every model*.safetensors entry in the directory, sorted. */
static int shards_from_listing(h2g_checkout *co, h2g_error *err) {
    char **names = NULL;
    size_t n = 0;
    int rc = list_shards(co, &names, &n, err);
    if (rc == 0 && n == 0) rc = no_shards(co, err);
    if (rc == 0) {
        qsort(names, n, sizeof *names, cmp_str_ptr);
        rc = make_shards(co, (const char *const *)names, n, err);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Opening shards and gathering their tensors
 * ------------------------------------------------------------------------- */

/* Opens and maps a shard of a directory. Below 8 bytes it stays unmapped
 * (and 0 bytes cannot be mapped): the parser then says why it is short. */
static int map_shard(h2g_shard *s, h2g_error *err) {
    s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) return h2g_fail(err, "%s: cannot open: %s", s->file_name, strerror(errno));
    struct stat st;
    if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return h2g_fail(err, "%s: not a regular file", s->file_name);
    s->size = (uint64_t)st.st_size;
    if (s->size < 8) return 0;
    if (s->size > SIZE_MAX)
        return h2g_fail(err, "%s: %llu bytes do not fit in the address space", s->file_name,
                        (unsigned long long)s->size);
    void *map = mmap(NULL, (size_t)s->size, PROT_READ, MAP_SHARED, s->fd, 0);
    if (map == MAP_FAILED)
        return h2g_fail(err, "%s: cannot map: %s", s->file_name, strerror(errno));
    s->map = map;
    return 0;
}

/* Opens shard number `index` (in the directory or the archive) and parses
 * its header into h. The parser is given at most 8 + H2G_ST_MAX_HEADER
 * bytes; it checks every tensor's range against the shard's size. */
static int open_shard(h2g_checkout *co, h2g_shard *s, uint32_t index, h2g_st_header *h,
                      h2g_error *err) {
    const uint8_t *head = NULL;
    uint64_t len = 0;
    if (co->archive) {
        if (h2g_archive_locate_shard(co, s, &head, &len, err) != 0) return -1;
    } else {
        if (map_shard(s, err) != 0) return -1;
        head = s->map;
        len = s->map ? s->size : 0;
    }
    uint64_t limit = 8 + (uint64_t)H2G_ST_MAX_HEADER;
    size_t head_len = (size_t)(len < limit ? len : limit);
    if (h2g_st_parse_header(h, head ? head : (const uint8_t *)"", head_len, s->size, index,
                            s->file_name, err) != 0)
        return -1;
    s->data_start = h->data_start;
    return 0;
}

/* Moves a parsed shard's tensors (already name-sorted) to the end of
 * co->tensors; the names now belong to the checkout and h is left empty. */
static int append_tensors(h2g_checkout *co, size_t shard, size_t *cap, h2g_st_header *h,
                          h2g_error *err) {
    if (h2g_grow((void **)&co->tensors, cap, co->n_tensors + h->n_tensors + 1,
                 sizeof *co->tensors) != 0)
        return h2g_fail(err, "%s: out of memory for the checkout's tensor list (%zu tensors "
                             "so far, %zu more)",
                        co->shards[shard].file_name, co->n_tensors, h->n_tensors);
    memcpy(co->tensors + co->n_tensors, h->tensors, h->n_tensors * sizeof *h->tensors);
    co->shards[shard].first_tensor = co->n_tensors;
    co->shards[shard].n_tensors = h->n_tensors;
    co->n_tensors += h->n_tensors;
    for (size_t i = 0; i < h->n_tensors; i++) co->data_bytes += h->tensors[i].nbytes;
    free(h->tensors);
    h->tensors = NULL;
    h->n_tensors = 0;
    return 0;
}

/* The cap on all shard headers together (tests: HF2GGUF_TEST_HEADERS_MAX). */
static uint64_t headers_cap(void) {
    const char *test = getenv("HF2GGUF_TEST_HEADERS_MAX");
    return test ? strtoull(test, NULL, 10) : H2G_HEADERS_MAX_BYTES;
}

/* Adds shard s's header length to *total; fails past the cap. */
static int count_header(const h2g_checkout *co, const h2g_shard *s, uint64_t *total,
                        h2g_error *err) {
    *total += s->data_start - 8;
    if (*total <= headers_cap()) return 0;
    return h2g_fail(err, "%s: the safetensors headers of the %zu shards read so far add up to "
                         "%llu bytes, more than the %llu hf2gguf reads in all",
                    s->file_name, (size_t)(s - co->shards) + 1, (unsigned long long)*total,
                    (unsigned long long)headers_cap());
}

/* Opens every shard in order and gathers the tensors. */
static int open_shards(h2g_checkout *co, h2g_error *err) {
    size_t cap = 0;
    uint64_t headers = 0;
    for (size_t i = 0; i < co->n_shards; i++) {
        h2g_st_header h;
        memset(&h, 0, sizeof h); /* open_shard may fail before parsing into h */
        int rc = open_shard(co, &co->shards[i], (uint32_t)i, &h, err);
        if (rc == 0) rc = count_header(co, &co->shards[i], &headers, err);
        if (rc == 0) rc = append_tensors(co, i, &cap, &h, err);
        h2g_st_header_free(&h);
        if (rc != 0) return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * The index by name and the cross-checks
 * ------------------------------------------------------------------------- */

/* Pointers to co->tensors sorted by tensor name, stored after the tensors
 * (see the top of this file); NULL when there are no tensors. */
static const h2g_st_tensor *const *name_index(const h2g_checkout *co) {
    return co->n_tensors ? (const h2g_st_tensor *const *)(const void *)(co->tensors +
                                                                         co->n_tensors)
                         : NULL;
}

/* qsort order of tensor pointers: by name, then by position (so that a name
 * in two shards is reported with the earlier shard first). */
static int cmp_tensor_ptr(const void *a, const void *b) {
    const h2g_st_tensor *x = *(const h2g_st_tensor *const *)a;
    const h2g_st_tensor *y = *(const h2g_st_tensor *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x > y) - (x < y);
}

/* Reallocates co->tensors to hold the name index after the tensors and
 * fills it. Called once, after every shard was read; the block does not
 * move afterwards, so the pointers stay valid. */
static int build_name_index(h2g_checkout *co, h2g_error *err) {
    size_t n = co->n_tensors;
    if (n == 0) return 0;
    if (n > (SIZE_MAX / 2) / (sizeof *co->tensors + sizeof(h2g_st_tensor *)))
        return h2g_fail(err, "out of memory for the index of %zu tensor names", n);
    h2g_st_tensor *grown = realloc(co->tensors, n * sizeof *grown + n * sizeof(h2g_st_tensor *));
    if (!grown) return h2g_fail(err, "out of memory for the index of %zu tensor names", n);
    co->tensors = grown;
    /* n * sizeof(h2g_st_tensor) keeps pointer alignment: the struct holds
     * pointer and uint64_t members. */
    const h2g_st_tensor **by_name = (const h2g_st_tensor **)(void *)(co->tensors + n);
    for (size_t i = 0; i < n; i++) by_name[i] = &co->tensors[i];
    qsort(by_name, n, sizeof *by_name, cmp_tensor_ptr);
    return 0;
}

/* With the index sorted, a name in two shards is an equal neighbour. */
static int check_unique_names(const h2g_checkout *co, h2g_error *err) {
    const h2g_st_tensor *const *by_name = name_index(co);
    for (size_t i = 1; i < co->n_tensors; i++) {
        const h2g_st_tensor *a = by_name[i - 1], *b = by_name[i];
        if (!strcmp(a->name, b->name))
            return h2g_fail(err, "tensor '%.200s' appears in both %s and %s", b->name,
                            co->shards[a->shard].file_name, co->shards[b->shard].file_name);
    }
    return 0;
}

/* Checks one weight_map entry: its tensor exists, in the shard it names, and
 * was not listed before. */
static int check_index_entry(const h2g_checkout *co, const cJSON *e, bool *seen,
                             h2g_error *err) {
    long i = h2g_checkout_find(co, e->string);
    if (i < 0)
        return h2g_fail(err, "tensor '%.200s' listed in " INDEX_FILE " is missing from %s",
                        e->string, e->valuestring);
    const char *found_in = co->shards[co->tensors[i].shard].file_name;
    if (strcmp(found_in, e->valuestring) != 0)
        return h2g_fail(err, "tensor '%.200s' listed in " INDEX_FILE " is missing from %s "
                             "(it is in %s)", e->string, e->valuestring, found_in);
    if (seen[i])
        return h2g_fail(err, INDEX_FILE ": tensor '%.200s' is listed twice in weight_map",
                        e->string);
    seen[i] = true;
    return 0;
}

/* With an index, the tensors found must be exactly weight_map's keys, each
 * in the shard the index names. */
static int check_against_index(const h2g_checkout *co, const cJSON *index, h2g_error *err) {
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(index, "weight_map");
    bool *seen = calloc(co->n_tensors + 1, sizeof *seen);
    if (!seen)
        return h2g_fail(err, INDEX_FILE ": out of memory for checking its %zu tensors",
                        co->n_tensors);
    int rc = 0;
    for (const cJSON *e = map->child; e && rc == 0; e = e->next)
        rc = check_index_entry(co, e, seen, err);
    for (size_t i = 0; i < co->n_tensors && rc == 0; i++)
        if (!seen[i])
            rc = h2g_fail(err, "%s: tensor '%.200s' is not listed in " INDEX_FILE,
                          co->shards[co->tensors[i].shard].file_name, co->tensors[i].name);
    free(seen);
    return rc;
}

/* Whether name is one of the shards (co->shards, from the index). */
static bool is_shard(const h2g_checkout *co, const char *name) {
    for (size_t i = 0; i < co->n_shards; i++)
        if (!strcmp(co->shards[i].file_name, name)) return true;
    return false;
}

/* Beside an index, the model*.safetensors files its weight_map does not
 * name: model.safetensors is an error, the others are left unread with a
 * warning. (The reference 0.7.0 reads only the index's files and says
 * nothing; a whole-model file beside a sharded copy is too likely a stale
 * or second copy of the weights to pass silently.) */
static int check_unlisted_shards(h2g_checkout *co, h2g_error *err) {
    char **names = NULL;
    size_t n = 0;
    int rc = list_shards(co, &names, &n, err);
    if (rc == 0) qsort(names, n, sizeof *names, cmp_str_ptr); /* the same order everywhere */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (is_shard(co, names[i])) continue;
        if (!strcmp(names[i], "model.safetensors"))
            rc = h2g_fail(err, "model.safetensors: found beside " INDEX_FILE ", whose weight_map "
                               "does not name it; the checkout holds two sets of weights and "
                               "hf2gguf cannot tell which is the model: remove model.safetensors, "
                               "or the index and its shards");
        else
            h2g_warn(co->warnings, "%s: not named in " INDEX_FILE "'s weight_map; not read",
                     names[i]);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* Lists, opens and cross-checks the shards. */
static int index_shards(h2g_checkout *co, h2g_error *err) {
    cJSON *index = NULL;
    if (read_json(co, INDEX_FILE, true, &index, err) != 0) return -1;
    int rc = index ? shards_from_index(co, index, err) : shards_from_listing(co, err);
    if (rc == 0 && index) rc = check_unlisted_shards(co, err);
    if (rc == 0) rc = open_shards(co, err);
    if (rc == 0 && co->archive) rc = h2g_archive_attach_held(co, err);
    if (rc == 0) rc = build_name_index(co, err);
    if (rc == 0) rc = check_unique_names(co, err);
    if (rc == 0 && index) rc = check_against_index(co, index, err);
    cJSON_Delete(index);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Open, close, look up
 * ------------------------------------------------------------------------- */

/* Copies the last path component of d (length n, no trailing slash). */
static char *last_component(const char *d, size_t n) {
    size_t start = n;
    while (start > 0 && d[start - 1] != '/') start--;
    char *name = malloc(n - start + 1);
    if (name) {
        memcpy(name, d + start, n - start);
        name[n - start] = '\0';
    }
    return name;
}

/* The directory's name as given (trailing slashes ignored); for ".", ".."
 * or "/" the last component of its real path instead. A snapshot folder of
 * the Hugging Face cache (.../models--ORG--NAME/snapshots/COMMIT, as given
 * or once resolved) is named NAME: the commit hash names no model. */
static char *dir_name_of(const char *dir) {
    char *cached = h2g_hf_snapshot_model_name(dir);
    if (cached) return cached;
    char resolved_path[PATH_MAX];
    if (realpath(dir, resolved_path) && (cached = h2g_hf_snapshot_model_name(resolved_path)))
        return cached;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    char *name = last_component(dir, n);
    if (!name || (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && *name)) return name;
    free(name);
    char resolved[PATH_MAX];
    if (!realpath(dir, resolved)) return h2g_strdup(dir);
    n = strlen(resolved);
    while (n > 1 && resolved[n - 1] == '/') n--;
    return last_component(resolved, n);
}

/* Opens a checkout; see checkout.h. On error co is empty. */
int h2g_checkout_open(h2g_checkout *co, const char *dir, h2g_error *err) {
    memset(co, 0, sizeof *co);
    struct stat st;
    bool found = stat(dir, &st) == 0, is_dir = found && S_ISDIR(st.st_mode);
    if (!found)
        return h2g_fail(err, "%s: %s (expected a model checkout: a directory or an archive)",
                        dir, errno == ENOENT ? "no such file or directory" : strerror(errno));
    if (!is_dir && !S_ISREG(st.st_mode))
        return h2g_fail(err, "%s: not a directory or an archive (expected a model checkout)", dir);
    co->warnings = calloc(1, sizeof *co->warnings);
    if (!co->warnings) return h2g_fail(err, "out of memory for the checkout's list of warnings");
    if (!is_dir) {
        if (h2g_checkout_archive_open(co, dir, err) != 0) {
            h2g_checkout_close(co);
            return -1;
        }
    } else {
        co->dir = h2g_strdup(dir);
        co->dir_name = dir_name_of(dir);
        if (!co->dir || !co->dir_name) {
            h2g_checkout_close(co);
            return h2g_fail(err, "%s: out of memory for the checkout's path and name", dir);
        }
    }
    if (read_small_files(co, err) != 0 || index_shards(co, err) != 0) {
        h2g_checkout_close(co);
        return -1;
    }
    return 0;
}

/* Unmaps and closes the shards and frees everything; co is left empty. */
void h2g_checkout_close(h2g_checkout *co) {
    h2g_checkout_stage_end(co);
    for (size_t i = 0; i < co->n_shards; i++) {
        h2g_shard *s = &co->shards[i];
        if (!co->archive) { /* an archive's shards share its mapping and fd */
            if (s->map) munmap((void *)s->map, (size_t)s->size);
            if (s->fd >= 0) close(s->fd);
        }
        free(s->file_name);
        free(s->path);
    }
    h2g_checkout_archive_free(co->archive);
    free(co->held);
    free(co->shards);
    for (size_t i = 0; i < co->n_tensors; i++) free(co->tensors[i].name);
    free(co->tensors); /* and the name index after them */
    cJSON_Delete(co->config);
    cJSON_Delete(co->tokenizer);
    cJSON_Delete(co->tokenizer_config);
    cJSON_Delete(co->generation_config);
    cJSON_Delete(co->processor_config);
    cJSON_Delete(co->model_card);
    free(co->chat_template_jinja);
    free(co->dir);
    free(co->dir_name);
    free(co->model_name);
    cJSON_Delete(co->metadata_override);
    if (co->warnings) h2g_warnings_clear(co->warnings);
    free(co->warnings);
    memset(co, 0, sizeof *co);
}

/* True for a file name `folder/<base>` listed by h2g_checkout_list. */
static bool listed_in(const char *base, const char *suffix) {
    return base[0] != '.' && !strchr(base, '/') && h2g_str_ends_with(base, suffix);
}

char **h2g_checkout_list(const h2g_checkout *co, const char *folder, const char *suffix,
                         size_t *n) {
    char **names = NULL;
    size_t cap = 0, len = strlen(folder);
    *n = 0;
    if (co->archive) {
        for (size_t i = 0; i < co->archive->n_members; i++) {
            const char *m = co->archive->members[i].name;
            if (!strncmp(m, folder, len) && m[len] == '/' && listed_in(m + len + 1, suffix))
                add_name(&names, n, &cap, m + len + 1);
        }
    } else if (co->dir) {
        char *path = h2g_path_join(co->dir, folder);
        DIR *d = path ? opendir(path) : NULL;
        free(path);
        for (struct dirent *e; d && (e = readdir(d));)
            if (listed_in(e->d_name, suffix)) add_name(&names, n, &cap, e->d_name);
        if (d) closedir(d);
    }
    if (names) qsort(names, *n, sizeof *names, cmp_str_ptr);
    return names;
}

/* Binary search of the name index: O(log n) whatever the shard count. */
long h2g_checkout_find(const h2g_checkout *co, const char *name) {
    const h2g_st_tensor *const *by_name = name_index(co);
    if (!by_name) return -1;
    size_t lo = 0, hi = co->n_tensors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(by_name[mid]->name, name);
        if (c == 0) return (long)(by_name[mid] - co->tensors);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* t's bytes inside its shard's mapping (the range was checked when the
 * header was parsed). */
const uint8_t *h2g_checkout_data(const h2g_checkout *co, const h2g_st_tensor *t) {
    if (co->held && co->held[t - co->tensors]) return co->held[t - co->tensors];
    const h2g_shard *s = &co->shards[t->shard];
    return s->map ? s->map + t->offset : NULL;
}

/* Fails when the file open as fd (called name) is no longer size bytes. */
static int same_size(int fd, uint64_t size, const char *name, h2g_error *err) {
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != size)
        return h2g_fail(err, "%s: the file changed size during the conversion (%llu bytes "
                             "when indexed)", name, (unsigned long long)size);
    return 0;
}

int h2g_checkout_check_unchanged(const h2g_checkout *co, h2g_error *err) {
    if (co->archive) return same_size(co->archive->fd, co->archive->size, co->archive->path, err);
    for (size_t i = 0; i < co->n_shards; i++)
        if (same_size(co->shards[i].fd, co->shards[i].size, co->shards[i].file_name, err) != 0)
            return -1;
    return 0;
}

int h2g_checkout_architecture(const h2g_checkout *co, const char **name, h2g_error *err) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(co->config, "architectures");
    const cJSON *first = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, 0) : NULL;
    if (!cJSON_IsString(first))
        return h2g_fail(err, "config.json: 'architectures' must be a list whose first entry "
                             "names the model class (e.g. \"DeepseekV3ForCausalLM\")");
    *name = first->valuestring;
    return 0;
}

int h2g_checkout_set_metadata(h2g_checkout *co, const cJSON *override, h2g_error *err) {
    if (override && !cJSON_IsObject(override))
        return h2g_fail(err, "must be a JSON object of general.* keys, found another JSON value");
    cJSON *copy = override ? cJSON_Duplicate(override, true) : NULL;
    if (override && !copy) return h2g_fail(err, "out of memory for a copy of the metadata override");
    cJSON_Delete(co->metadata_override);
    co->metadata_override = copy;
    return 0;
}

int h2g_checkout_set_model_name(h2g_checkout *co, const char *name, h2g_error *err) {
    char *copy = NULL;
    if (name && !(copy = h2g_strdup(name)))
        return h2g_fail(err, "out of memory for the model name (%zu bytes)", strlen(name));
    free(co->model_name);
    co->model_name = copy;
    return 0;
}
