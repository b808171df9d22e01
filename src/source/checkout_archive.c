/* checkout_archive.c - a checkout packed in a tar or zip archive
 * (see checkout_archive.h). */
#include "source/checkout_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

/* The small files checkout.c reads, and the largest it accepts of each. */
static const struct {
    const char *name;
    size_t max_bytes;
} small_files[] = {
    {"config.json", H2G_JSON_MAX_BYTES},
    {"model.safetensors.index.json", H2G_JSON_MAX_BYTES},
    {"tokenizer.json", H2G_JSON_MAX_BYTES},
    {"tokenizer_config.json", H2G_JSON_MAX_BYTES},
    {"generation_config.json", H2G_JSON_MAX_BYTES},
    {"preprocessor_config.json", H2G_JSON_MAX_BYTES},
    {"processor_config.json", H2G_JSON_MAX_BYTES},
    {"chat_template.jinja", H2G_JSON_MAX_BYTES},
    {"chat_template.json", H2G_JSON_MAX_BYTES},
    {"merges.txt", H2G_JSON_MAX_BYTES},
    {"tiktoken.model", H2G_JSON_MAX_BYTES}, /* Kimi-K2's vocabulary */
    {"hf_quant_config.json", H2G_JSON_MAX_BYTES}, /* ModelOpt's, to refuse NVFP4 clearly */
    {"README.md", H2G_README_MAX_BYTES},
};

/* And every *.jinja file in this folder. */
#define TEMPLATES_FOLDER "additional_chat_templates/"

/* Archive extensions dropped from the file name to name the model. */
static const char *const archive_extensions[] = {
    ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar", ".zip",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define COPY_BLOCK (1u << 20)

/* ---------------------------------------------------------------------------
 * Names
 * ------------------------------------------------------------------------- */

/* The part of name after its first folder ("a/b" -> "b"), or name itself. */
static const char *below_top(const char *name) {
    const char *slash = strchr(name, '/');
    return slash ? slash + 1 : name;
}

/* The largest size the checkout accepts of a small file it reads, named
 * `name` relative to the checkout, or 0 when it reads no such file. */
static size_t small_file_limit(const char *name) {
    if (h2g_str_starts_with(name, TEMPLATES_FOLDER) && h2g_str_ends_with(name, ".jinja") &&
        !strchr(name + strlen(TEMPLATES_FOLDER), '/'))
        return H2G_JSON_MAX_BYTES;
    for (size_t i = 0; i < COUNT(small_files); i++)
        if (!strcmp(name, small_files[i].name)) return small_files[i].max_bytes;
    return 0;
}

/* The same for an entry at name or one folder down (the top folder is known
 * only after the walk). */
static size_t small_file_max(const char *name) {
    size_t max = small_file_limit(name);
    return max ? max : small_file_limit(below_top(name));
}

/* A *.safetensors file at name or one folder down. */
static bool is_safetensors(const char *name) {
    const char *base = below_top(name);
    return !strchr(base, '/') && h2g_str_ends_with(base, ".safetensors");
}

/* The model's name for an archive without a top folder: the file name
 * without its folders and archive extension ("x/v3.tar.gz" -> "v3"). */
static char *name_from_file(const char *path) {
    const char *slash = strrchr(path, '/');
    char *name = h2g_strdup(slash ? slash + 1 : path);
    if (!name) return NULL;
    for (size_t i = 0; i < COUNT(archive_extensions); i++) {
        size_t n = strlen(name), e = strlen(archive_extensions[i]);
        if (n > e && !strcmp(name + n - e, archive_extensions[i])) {
            name[n - e] = '\0';
            break;
        }
    }
    return name;
}

/* ---------------------------------------------------------------------------
 * The opening walk: what is kept of each entry
 * ------------------------------------------------------------------------- */

/* Counts n more bytes against the memory cap. */
static int keep(struct h2g_archive *a, uint64_t n, const char *what, h2g_error *err) {
    if (n > H2G_ARCHIVE_MAX_KEPT - a->kept)
        return h2g_fail(err, "%s: keeping %s in memory would pass the %llu-byte cap on what an "
                             "archive's small files, headers and FP8 scales may hold",
                        a->path, what, (unsigned long long)H2G_ARCHIVE_MAX_KEPT);
    a->kept += n;
    return 0;
}

/* Reads exactly len bytes of the current entry into buf. */
static int read_exact(h2g_archive_reader *r, const struct h2g_archive *a, const char *name,
                      uint8_t *buf, size_t len, h2g_error *err) {
    while (len > 0) {
        long n = h2g_archive_reader_read(r, buf, len, err);
        if (n < 0) return -1;
        if (n == 0)
            return h2g_fail(err, "%s: entry '%.200s' ends early", a->path, name);
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Keeps a small file's content (or notes it is too big to be read). */
static int keep_content(h2g_archive_reader *r, struct h2g_archive *a, h2g_archive_member *m,
                        const char *raw_name, size_t max_bytes, h2g_error *err) {
    if (m->size > max_bytes) {
        m->too_big = true;
        return 0;
    }
    if (keep(a, m->size + 1, raw_name, err) != 0) return -1;
    m->content = malloc((size_t)m->size + 1);
    if (!m->content)
        return h2g_fail(err, "%s: out of memory for its %llu bytes", raw_name,
                        (unsigned long long)m->size);
    m->content[m->size] = '\0';
    return read_exact(r, a, raw_name, (uint8_t *)m->content, (size_t)m->size, err);
}

/* True for a tensor a streamed shard must keep a copy of: the FP8 block
 * scales, which the executor reads while another shard is staged
 * (DeepSeek-V3's F32 *_scale_inv, DeepSeek-V4's E8M0 *.scale). V4's routed
 * experts' scales (one per 32 values, 1/16 of the experts' size) are not
 * kept: they are read with their weights, from the same shard. Also the
 * 16-byte weight_shape of packed INT4 weights, read while planning. */
static bool is_held_tensor(const h2g_st_tensor *t) {
    if (h2g_str_ends_with(t->name, "_scale_inv") || h2g_str_ends_with(t->name, ".weight_shape"))
        return true;
    return t->dtype == H2G_DT_F8_E8M0 && h2g_str_ends_with(t->name, ".scale") &&
           !strstr(t->name, ".ffn.experts.");
}

/* Allocates copies of the scale tensors of a parsed header (names sorted,
 * as the parser leaves them). */
static int plan_held(struct h2g_archive *a, h2g_archive_member *m, const h2g_st_header *h,
                     const char *raw_name, h2g_error *err) {
    size_t n = 0;
    for (size_t i = 0; i < h->n_tensors; i++) n += is_held_tensor(&h->tensors[i]);
    if (n == 0) return 0;
    m->held = calloc(n, sizeof *m->held);
    if (!m->held)
        return h2g_fail(err, "%s: out of memory for the list of %zu held tensors", raw_name, n);
    for (size_t i = 0; i < h->n_tensors; i++) {
        const h2g_st_tensor *t = &h->tensors[i];
        if (!is_held_tensor(t)) continue;
        if (keep(a, t->nbytes, raw_name, err) != 0) return -1;
        h2g_held_tensor *k = &m->held[m->n_held++];
        k->name = h2g_strdup(t->name);
        k->offset = t->offset;
        k->nbytes = t->nbytes;
        k->data = malloc(t->nbytes ? (size_t)t->nbytes : 1);
        if (!k->name || !k->data)
            return h2g_fail(err, "%s: out of memory for a copy of tensor '%s' (%llu bytes)",
                            raw_name, t->name, (unsigned long long)t->nbytes);
    }
    return 0;
}

/* Copies the part of a block of the entry (bytes [at, at + len)) that falls
 * in each held tensor. */
static void fill_held(h2g_archive_member *m, const uint8_t *block, uint64_t at, size_t len) {
    for (size_t i = 0; i < m->n_held; i++) {
        h2g_held_tensor *k = &m->held[i];
        uint64_t lo = at > k->offset ? at : k->offset;
        uint64_t hi = at + len < k->offset + k->nbytes ? at + len : k->offset + k->nbytes;
        if (lo < hi) memcpy(k->data + (lo - k->offset), block + (lo - at), (size_t)(hi - lo));
    }
}

/* Reads the rest of the entry (from byte `at`) to fill the held copies. */
static int read_held(h2g_archive_reader *r, h2g_archive_member *m, uint64_t at,
                     h2g_error *err) {
    uint8_t *block = malloc(COPY_BLOCK);
    if (!block) return h2g_fail(err, "%s: out of memory for a %u-byte copy buffer", m->name,
                               COPY_BLOCK);
    long n;
    while ((n = h2g_archive_reader_read(r, block, COPY_BLOCK, err)) > 0) {
        fill_held(m, block, at, (size_t)n);
        at += (uint64_t)n;
    }
    free(block);
    return n < 0 ? -1 : 0;
}

/* A streamed *.safetensors entry: keeps its header bytes and, when they
 * parse, copies of its scale tensors. A header that does not parse is kept
 * as it is: the checkout parses it again when (and only when) it reads the
 * file as a shard, and reports the problem then. */
static int keep_shard_head(h2g_archive_reader *r, struct h2g_archive *a, h2g_archive_member *m,
                           const char *raw_name, h2g_error *err) {
    uint8_t len8[8] = {0};
    size_t first = m->size < 8 ? (size_t)m->size : 8;
    if (read_exact(r, a, raw_name, len8, first, err) != 0) return -1;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | len8[i];
    size_t head_len = first;
    if (first == 8 && n <= H2G_ST_MAX_HEADER && n <= m->size - 8) head_len += (size_t)n;
    if (keep(a, head_len, raw_name, err) != 0) return -1;
    m->head = malloc(head_len);
    if (!m->head)
        return h2g_fail(err, "%s: out of memory for its %zu-byte header", raw_name, head_len);
    memcpy(m->head, len8, first);
    m->head_len = head_len;
    if (read_exact(r, a, raw_name, m->head + first, head_len - first, err) != 0) return -1;
    h2g_st_header h;
    h2g_error ignored;
    memset(&h, 0, sizeof h);
    if (h2g_st_parse_header(&h, m->head, head_len, m->size, 0, raw_name, &ignored) != 0)
        return 0;
    int rc = plan_held(a, m, &h, raw_name, err);
    h2g_st_header_free(&h);
    if (rc == 0 && m->n_held) rc = read_held(r, m, head_len, err);
    return rc;
}

/* Records the entry the walk is at as the next member. */
static int add_member(h2g_archive_reader *r, struct h2g_archive *a, size_t *cap,
                      const h2g_archive_item *it, h2g_error *err) {
    if (h2g_grow((void **)&a->members, cap, a->n_members + 1, sizeof *a->members) != 0)
        return h2g_fail(err, "%s: out of memory for the list of %zu members (adding %s)", a->path,
                        a->n_members + 1, it->name);
    h2g_archive_member *m = &a->members[a->n_members++];
    memset(m, 0, sizeof *m);
    m->name = h2g_strdup(it->name);
    if (!m->name)
        return h2g_fail(err, "%s: out of memory for the name of member %zu", a->path, a->n_members);
    m->size = it->size;
    m->in_place = it->in_place;
    m->offset = it->offset;
    size_t max = small_file_max(it->name);
    if (max) return keep_content(r, a, m, it->name, max, err);
    if (is_safetensors(it->name) && !it->in_place) return keep_shard_head(r, a, m, it->name, err);
    return 0;
}

static int walk(struct h2g_archive *a, h2g_error *err) {
    h2g_archive_reader *r;
    if (h2g_archive_reader_open(&r, a->path, a->map, a->size, err) != 0) return -1;
    size_t cap = 0;
    h2g_archive_item it;
    int rc;
    while ((rc = h2g_archive_reader_next(r, &it, err)) == 1)
        if (add_member(r, a, &cap, &it, err) != 0) {
            rc = -1;
            break;
        }
    h2g_archive_reader_close(r);
    if (rc == 0 && a->n_members == 0) rc = h2g_fail(err, "%s: the archive holds no files", a->path);
    return rc;
}

/* ---------------------------------------------------------------------------
 * After the walk: the top folder, repeated names
 * ------------------------------------------------------------------------- */

/* When every file sits under one folder "X/", drops "X/" from the names. */
static int strip_top_folder(struct h2g_archive *a, h2g_error *err) {
    const char *first = a->members[0].name, *slash = strchr(first, '/');
    if (!slash) return 0;
    size_t len = (size_t)(slash - first) + 1;
    for (size_t i = 1; i < a->n_members; i++)
        if (strncmp(a->members[i].name, first, len) != 0) return 0;
    a->top = strndup(first, len - 1);
    if (!a->top) return h2g_fail(err, "%s: out of memory for the name of its top folder", a->path);
    for (size_t i = 0; i < a->n_members; i++) {
        char *n = a->members[i].name;
        memmove(n, n + len, strlen(n + len) + 1);
    }
    return 0;
}

static int cmp_member_name(const void *x, const void *y) {
    return strcmp((*(const h2g_archive_member *const *)x)->name,
                  (*(const h2g_archive_member *const *)y)->name);
}

/* A tar may hold a name twice (the later copy wins when unpacked); which
 * one is meant is anyone's guess, so it is refused. */
static int refuse_repeats(const struct h2g_archive *a, h2g_error *err) {
    const h2g_archive_member **sorted = malloc(a->n_members * sizeof *sorted);
    if (!sorted)
        return h2g_fail(err, "%s: out of memory for the sorted list of its %zu members", a->path,
                        a->n_members);
    for (size_t i = 0; i < a->n_members; i++) sorted[i] = &a->members[i];
    qsort(sorted, a->n_members, sizeof *sorted, cmp_member_name);
    int rc = 0;
    for (size_t i = 1; i < a->n_members && rc == 0; i++)
        if (!strcmp(sorted[i - 1]->name, sorted[i]->name))
            rc = h2g_fail(err, "%s: the archive holds '%.200s' twice", a->path, sorted[i]->name);
    free(sorted);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Open and free
 * ------------------------------------------------------------------------- */

static int map_file(struct h2g_archive *a, h2g_error *err) {
    a->fd = open(a->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (a->fd < 0 || fstat(a->fd, &st) != 0)
        return h2g_fail(err, "%s: cannot open: %s", a->path, strerror(errno));
    a->size = (uint64_t)st.st_size;
    if (a->size == 0)
        return h2g_fail(err, "%s: empty file (expected a tar or zip archive)", a->path);
    if (a->size > SIZE_MAX)
        return h2g_fail(err, "%s: too large for the address space", a->path);
    void *map = mmap(NULL, (size_t)a->size, PROT_READ, MAP_SHARED, a->fd, 0);
    if (map == MAP_FAILED) return h2g_fail(err, "%s: cannot map: %s", a->path, strerror(errno));
    a->map = map;
    return 0;
}

int h2g_checkout_archive_open(h2g_checkout *co, const char *path, h2g_error *err) {
    struct h2g_archive *a = calloc(1, sizeof *a);
    if (!a) return h2g_fail(err, "%s: out of memory for the archive's state", path);
    co->archive = a;
    a->fd = a->stage_fd = -1;
    a->staged_shard = -1;
    a->path = h2g_strdup(path);
    co->dir = h2g_strdup(path);
    if (!a->path || !co->dir)
        return h2g_fail(err, "%s: out of memory for a copy of its path", path);
    if (map_file(a, err) != 0 || walk(a, err) != 0 || strip_top_folder(a, err) != 0 ||
        refuse_repeats(a, err) != 0)
        return -1;
    co->dir_name = a->top ? h2g_strdup(a->top) : name_from_file(path);
    return co->dir_name ? 0 : h2g_fail(err, "%s: out of memory for the checkout's name", path);
}

void h2g_checkout_archive_free(struct h2g_archive *a) {
    if (!a) return;
    h2g_archive_reader_close(a->stage);
    if (a->stage_fd >= 0) close(a->stage_fd);
    for (size_t i = 0; i < a->n_members; i++) {
        h2g_archive_member *m = &a->members[i];
        for (size_t k = 0; k < m->n_held; k++) {
            free(m->held[k].name);
            free(m->held[k].data);
        }
        free(m->held);
        free(m->head);
        free(m->content);
        free(m->name);
    }
    free(a->members);
    if (a->map) munmap((void *)a->map, (size_t)a->size);
    if (a->fd >= 0) close(a->fd);
    free(a->path);
    free(a->top);
    free(a);
}

/* ---------------------------------------------------------------------------
 * What the checkout reads
 * ------------------------------------------------------------------------- */

h2g_archive_member *h2g_archive_member_find(const struct h2g_archive *a, const char *name) {
    for (size_t i = 0; i < a->n_members; i++)
        if (!strcmp(a->members[i].name, name)) return &a->members[i];
    return NULL;
}

const char *h2g_archive_find_deeper(const struct h2g_archive *a, const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < a->n_members; i++) {
        const char *m = a->members[i].name;
        size_t len = strlen(m);
        if (len > n && m[len - n - 1] == '/' && !strcmp(m + len - n, name)) return m;
    }
    return NULL;
}

int h2g_archive_read_small(const struct h2g_archive *a, const char *name, size_t max_bytes,
                           bool optional, char **out, size_t *len, h2g_error *err) {
    *out = NULL;
    if (len) *len = 0;
    const h2g_archive_member *m = h2g_archive_member_find(a, name);
    if (!m) {
        if (optional) return 1;
        return h2g_fail(err, "%s: not found in %s", name, a->path);
    }
    if (m->too_big || m->size > max_bytes)
        return h2g_fail(err, "%s: file is %llu bytes, more than the %zu allowed", name,
                        (unsigned long long)m->size, max_bytes);
    if (!m->content) return h2g_fail(err, "%s: not read from %s", name, a->path);
    *out = malloc((size_t)m->size + 1);
    if (!*out) return h2g_fail(err, "%s: out of memory for a copy of its %llu bytes", name,
                               (unsigned long long)m->size);
    memcpy(*out, m->content, (size_t)m->size + 1);
    if (len) *len = (size_t)m->size;
    return 0;
}

int h2g_archive_locate_shard(h2g_checkout *co, h2g_shard *s, const uint8_t **head, uint64_t *len,
                             h2g_error *err) {
    struct h2g_archive *a = co->archive;
    const h2g_archive_member *m = h2g_archive_member_find(a, s->file_name);
    if (!m) return h2g_fail(err, "%s: not found in %s", s->file_name, a->path);
    s->member = (size_t)(m - a->members);
    s->size = m->size;
    if (m->in_place) {
        s->fd = a->fd; /* the archive's, not the shard's own: see h2g_checkout_close */
        s->base = m->offset;
        s->map = m->size ? a->map + m->offset : NULL;
        *head = s->map;
        *len = s->map ? m->size : 0;
    } else {
        s->streamed = true; /* no data until staged */
        *head = m->head;
        *len = m->head_len;
    }
    return 0;
}

int h2g_archive_attach_held(h2g_checkout *co, h2g_error *err) {
    struct h2g_archive *a = co->archive;
    co->held = calloc(co->n_tensors + 1, sizeof *co->held);
    if (!co->held)
        return h2g_fail(err, "%s: out of memory for the table of %zu held tensors", a->path,
                        co->n_tensors);
    for (size_t i = 0; i < co->n_shards; i++) {
        const h2g_shard *s = &co->shards[i];
        if (!s->streamed) continue;
        const h2g_archive_member *m = &a->members[s->member];
        /* Both lists are sorted by name: one merge pass. */
        size_t k = 0;
        for (size_t t = s->first_tensor; t < s->first_tensor + s->n_tensors && k < m->n_held; t++) {
            while (k < m->n_held && strcmp(m->held[k].name, co->tensors[t].name) < 0) k++;
            if (k < m->n_held && !strcmp(m->held[k].name, co->tensors[t].name) &&
                m->held[k].offset == co->tensors[t].offset &&
                m->held[k].nbytes == co->tensors[t].nbytes)
                co->held[t] = m->held[k].data;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Staging streamed shards, one at a time
 * ------------------------------------------------------------------------- */

bool h2g_checkout_stages_shards(const h2g_checkout *co) {
    for (size_t i = 0; i < co->n_shards; i++)
        if (co->shards[i].streamed) return true;
    return false;
}

/* The temporary file: in tmp_dir, so that it is on the output's disk, and
 * unlinked at once, so that nothing is left whatever happens. */
static int open_stage_file(struct h2g_archive *a, const char *tmp_dir, h2g_error *err) {
    char *path = h2g_strfmt("%s/.hf2gguf-stage-XXXXXX", tmp_dir);
    if (!path) return h2g_fail(err, "%s: out of memory for the temporary file's name", tmp_dir);
    a->stage_fd = mkstemp(path);
    int e = errno;
    if (a->stage_fd >= 0) unlink(path);
    int rc = a->stage_fd >= 0 ? 0
                              : h2g_fail(err, "%s: cannot create a temporary file to unpack "
                                              "shards into: %s", tmp_dir, strerror(e));
    free(path);
    return rc;
}

/* The co->shards[] index of member m, or -1. */
static long shard_of(const h2g_checkout *co, size_t member) {
    for (size_t i = 0; i < co->n_shards; i++)
        if (co->shards[i].streamed && co->shards[i].member == member) return (long)i;
    return -1;
}

/* Copies the current entry (shard s) into the stage file. */
static int copy_to_stage(struct h2g_archive *a, const h2g_shard *s, const char *tmp_dir,
                         h2g_error *err) {
    if (ftruncate(a->stage_fd, 0) != 0) /* the last shard's space goes first */
        return h2g_fail(err, "%s: cannot reuse the temporary file: %s", tmp_dir, strerror(errno));
    uint8_t *block = malloc(COPY_BLOCK);
    if (!block) return h2g_fail(err, "%s: out of memory for a %u-byte copy buffer", s->file_name,
                               COPY_BLOCK);
    uint64_t at = 0;
    long n;
    int rc = 0;
    while (rc == 0 && (n = h2g_archive_reader_read(a->stage, block, COPY_BLOCK, err)) > 0) {
        for (long done = 0; rc == 0 && done < n;) {
            ssize_t w = pwrite(a->stage_fd, block + done, (size_t)(n - done), (off_t)(at + done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0)
                rc = h2g_fail(err, "%s: cannot unpack %s from %s into a temporary file: %s",
                              tmp_dir, s->file_name, a->path,
                              errno == ENOSPC ? "no space left on device" : strerror(errno));
            else
                done += w;
        }
        at += (uint64_t)n;
    }
    free(block);
    if (rc == 0 && n < 0) rc = -1;
    if (rc == 0 && at != s->size)
        rc = h2g_fail(err, "%s: %s holds %llu bytes now, %llu when indexed; the archive "
                           "changed during the conversion", a->path, s->file_name,
                      (unsigned long long)at, (unsigned long long)s->size);
    return rc;
}

int h2g_checkout_stage_next(h2g_checkout *co, const char *tmp_dir, const bool *wanted,
                            size_t *shard, h2g_error *err) {
    struct h2g_archive *a = co->archive;
    if (!a) return 0;
    if (a->staged_shard >= 0) co->shards[a->staged_shard].fd = -1;
    a->staged_shard = -1;
    if (!a->stage) {
        if (open_stage_file(a, tmp_dir, err) != 0 ||
            h2g_archive_reader_open(&a->stage, a->path, a->map, a->size, err) != 0)
            return -1;
        a->stage_next = 0;
    }
    h2g_archive_item it;
    int rc;
    while ((rc = h2g_archive_reader_next(a->stage, &it, err)) == 1) {
        size_t i = a->stage_next++;
        if (i >= a->n_members || a->members[i].size != it.size)
            return h2g_fail(err, "%s: the archive changed during the conversion", a->path);
        long s = shard_of(co, i);
        if (s < 0 || (wanted && !wanted[s])) continue;
        if (copy_to_stage(a, &co->shards[s], tmp_dir, err) != 0) return -1;
        co->shards[s].fd = a->stage_fd;
        a->staged_shard = s;
        *shard = (size_t)s;
        return 1;
    }
    return rc;
}

void h2g_checkout_stage_end(h2g_checkout *co) {
    struct h2g_archive *a = co->archive;
    if (!a) return;
    if (a->staged_shard >= 0) co->shards[a->staged_shard].fd = -1;
    a->staged_shard = -1;
    h2g_archive_reader_close(a->stage);
    a->stage = NULL;
    if (a->stage_fd >= 0) close(a->stage_fd);
    a->stage_fd = -1;
}
