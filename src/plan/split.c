/* split.c - one plan cut into several GGUF files (see include/hf2gguf/split.h). */
#include "hf2gguf/split.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hf2gguf/gguf_set.h"
#include "base/util.h"

bool h2g_split_wanted(const h2g_split_options *so) {
    return so && (so->max_bytes || so->max_tensors || so->no_tensor_first);
}

/* Which file each tensor goes to; returns the number of files. */
static size_t assign(const h2g_plan *p, const h2g_split_options *so, size_t *file_of) {
    size_t file = so->no_tensor_first ? 1 : 0, count = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < p->n_tensors; i++) {
        uint64_t nb = p->tensors[i].info.nbytes;
        bool full = count >= 1 && ((so->max_tensors && count >= so->max_tensors) ||
                                   (so->max_bytes && bytes + nb > so->max_bytes));
        if (full) {
            file++;
            count = 0;
            bytes = 0;
        }
        file_of[i] = file;
        count++;
        bytes += nb;
    }
    return p->n_tensors ? file + 1 : 1;
}

/* Copies tensor t of p into plan q. */
static int copy_tensor(h2g_plan *q, const h2g_plan_tensor *t, h2g_error *err) {
    long i = h2g_plan_add(q, t->info.name, t->info.type, t->info.n_dims, t->info.ne, t->transform,
                          t->src, t->n_src, err);
    if (i < 0) return -1;
    q->tensors[i].kvb_heads = t->kvb_heads;
    q->tensors[i].kvb_nope = t->kvb_nope;
    q->tensors[i].kvb_v = t->kvb_v;
    q->tensors[i].bf16_truncate = t->bf16_truncate;
    q->tensors[i].quantized = t->quantized;
    q->tensors[i].via_type = t->via_type;
    return 0;
}

/* The split.* keys every file ends with. */
static int add_split_keys(h2g_plan *q, size_t no, size_t n, size_t total, h2g_error *err) {
    if (total > INT32_MAX)
        return h2g_fail(err, "%zu tensors do not fit split.tensors.count (INT32)", total);
    return h2g_kv_set_u16(&q->kv, "split.no", (uint16_t)no, err) ||
                   h2g_kv_set_u16(&q->kv, "split.count", (uint16_t)n, err) ||
                   h2g_kv_set_i32(&q->kv, "split.tensors.count", (int32_t)total, err)
               ? -1
               : 0;
}

/* Builds file `no` of n. */
static int build_file(const h2g_plan *p, const size_t *file_of, size_t no, size_t n, bool split,
                      h2g_plan *q, h2g_error *err) {
    memset(q, 0, sizeof *q);
    q->role = p->role;
    q->outtype = p->outtype;
    q->ftype = p->ftype;
    q->kv.keep_empty = p->kv.keep_empty;
    if (no == 0 || !split)
        for (size_t k = 0; k < p->kv.n; k++)
            if (h2g_kv_set_copy(&q->kv, &p->kv.items[k], err) != 0) return -1;
    for (size_t i = 0; i < p->n_tensors; i++)
        if (file_of[i] == no && copy_tensor(q, &p->tensors[i], err) != 0) return -1;
    if (split && add_split_keys(q, no, n, p->n_tensors, err) != 0) return -1;
    return h2g_plan_layout(q, err);
}

int h2g_plan_split(const h2g_plan *p, const h2g_split_options *so, h2g_plan **out, size_t *n,
                   h2g_error *err) {
    size_t *file_of = calloc(p->n_tensors + 1, sizeof *file_of);
    if (!file_of)
        return h2g_fail(err, "out of memory for the split's table of %zu tensors", p->n_tensors);
    size_t files = assign(p, so, file_of);
    if (files > UINT16_MAX) {
        free(file_of);
        return h2g_fail(err, "the split would make %zu files; split.count allows %u", files,
                        UINT16_MAX);
    }
    bool split = files > 1;
    h2g_plan *plans = calloc(files, sizeof *plans);
    int rc = plans ? 0 : h2g_fail(err, "out of memory for the plans of %zu split files", files);
    for (size_t f = 0; f < files && rc == 0; f++)
        rc = build_file(p, file_of, f, files, split, &plans[f], err);
    free(file_of);
    if (rc != 0) {
        for (size_t f = 0; plans && f < files; f++) h2g_plan_free(&plans[f]);
        free(plans);
        return -1;
    }
    *out = plans;
    *n = files;
    return 0;
}

char *h2g_split_path(const char *path, size_t i, size_t n) {
    size_t len = strlen(path);
    if (h2g_str_ends_with(path, ".gguf")) len -= 5;
    char *stem = strndup(path, len);
    char *name = stem ? h2g_split_name(stem, (unsigned)(i + 1), (unsigned)n) : NULL;
    free(stem);
    return name;
}

bool h2g_parse_size(const char *s, uint64_t *out) {
    char *end;
    if (!isdigit((unsigned char)*s)) return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE) return false;
    static const char units[] = "KMGT";
    uint64_t mult = 1;
    if (*end) {
        const char *u = strchr(units, toupper((unsigned char)*end));
        if (!u || end[1]) return false;
        for (const char *k = units; k <= u; k++) mult *= 1000;
    }
    if (v == 0 || v > UINT64_MAX / mult) return false;
    *out = v * mult;
    return true;
}
