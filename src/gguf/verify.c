/*
 * verify.c - the engine of `hf2gguf verify` (include/hf2gguf/verify.h): it
 * reads a file, picks the architecture's rule tables (verify_rules.c) and
 * walks them, collecting problem lines.
 *
 * Sections: the report, the context API the tables use, dims, keys,
 * tensors, choosing the architecture, entry points.
 */
#include "hf2gguf/verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hf2gguf/gguf_json.h"
#include "hf2gguf/gguf_set.h"
#include "base/util.h"
#include "gguf/verify_rules.h"

/* A broken file (say, block_count = 4e9) could otherwise produce a line per
 * missing tensor of every layer: stop collecting after this many. */
#define MAX_PROBLEMS 1000
/* Dims a table may define (ids 0 and 1 included). */
#define MAX_DIMS 64
/* Room for one problem line, a key or a tensor name with "{a}" expanded. */
#define LINE_MAX_LEN 1024
#define NAME_MAX_LEN 256

struct h2g_vctx {
    const h2g_gguf_file *f;
    const h2g_varch *arch;
    h2g_verify_report *rep;
    uint64_t dim_value[MAX_DIMS];
    bool dim_known[MAX_DIMS];
    bool *used; /* per tensor: named by a rule whose condition holds */
    bool full;  /* MAX_PROBLEMS reached */
    bool oom;
};

/* ---------------------------------------------------------------------------
 * The report
 * ------------------------------------------------------------------------- */

/* Appends a copy of line; -1 when out of memory. */
static int report_add(h2g_verify_report *rep, const char *line) {
    char *copy = h2g_strdup(line);
    if (!copy || h2g_grow((void **)&rep->problems, &rep->cap_problems, rep->n_problems + 1,
                          sizeof *rep->problems) != 0) {
        free(copy);
        return -1;
    }
    rep->problems[rep->n_problems++] = copy;
    return 0;
}

void h2g_verify_report_free(h2g_verify_report *rep) {
    for (size_t i = 0; i < rep->n_problems; i++) free(rep->problems[i]);
    free(rep->problems);
    free(rep->architecture);
    free(rep->projector);
    memset(rep, 0, sizeof *rep);
}

/* ---------------------------------------------------------------------------
 * What the tables may ask (verify_rules.h)
 * ------------------------------------------------------------------------- */

const h2g_gguf_file *h2g_vctx_file(const h2g_vctx *c) { return c->f; }

const char *h2g_vctx_prefix(const h2g_vctx *c) { return c->arch->prefix; }

const h2g_kv *h2g_vctx_key(const h2g_vctx *c, const char *key) {
    char full[NAME_MAX_LEN];
    snprintf(full, sizeof full, "%s.%s", c->arch->prefix, key);
    return h2g_kv_get(&c->f->kv, full);
}

bool h2g_vctx_dim(const h2g_vctx *c, int id, uint64_t *out) {
    if (id < H2G_VDIM_FIRST || id >= c->arch->n_dims || !c->dim_known[id]) return false;
    *out = c->dim_value[id];
    return true;
}

void h2g_vctx_problem(h2g_vctx *c, const char *fmt, ...) {
    if (c->full || c->oom) return;
    char line[LINE_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (c->rep->n_problems + 1 >= MAX_PROBLEMS) {
        snprintf(line, sizeof line, "too many problems; stopped after %d", MAX_PROBLEMS - 1);
        c->full = true;
    }
    if (report_add(c->rep, line) != 0) c->oom = true;
}

/* Copies tmpl into buf with every "{a}" replaced by the arch prefix. */
static void expand(const h2g_vctx *c, const char *tmpl, char *buf, size_t size) {
    size_t pos = 0, plen = strlen(c->arch->prefix);
    while (*tmpl && pos + 1 < size) {
        if (!strncmp(tmpl, "{a}", 3) && pos + plen + 1 < size) {
            memcpy(buf + pos, c->arch->prefix, plen);
            pos += plen;
            tmpl += 3;
        } else {
            buf[pos++] = *tmpl++;
        }
    }
    buf[pos] = '\0';
}

/* ---------------------------------------------------------------------------
 * Dims
 * ------------------------------------------------------------------------- */

/* Computes dim id from its rule and the dims before it; false when unknown. */
static bool compute_dim(const h2g_vctx *c, const h2g_vdim_rule *r, uint64_t *v) {
    uint64_t x = 0, y = 0;
    bool kx = r->a && h2g_vctx_dim(c, r->a, &x), ky = r->b && h2g_vctx_dim(c, r->b, &y);
    const h2g_kv *kv;
    switch (r->kind) {
    case H2G_VD_KEY:
        kv = h2g_vctx_key(c, r->key);
        if (kv) {
            *v = kv->num.u64;
            return kv->type == H2G_VT_UINT32; /* a wrong type is reported by the keys */
        }
        *v = r->has_default ? r->value : x;
        return r->has_default || kx;
    case H2G_VD_TOKENS:
        kv = h2g_kv_get(&c->f->kv, "tokenizer.ggml.tokens");
        *v = kv ? kv->n : 0;
        return kv && kv->type == H2G_VT_ARRAY;
    case H2G_VD_CONST: *v = r->value; return true;
    case H2G_VD_ADD: *v = x + y; return kx && ky && *v >= x;
    case H2G_VD_SUB: *v = x - y; return kx && ky && x >= y;
    case H2G_VD_MUL: *v = x * y; return kx && ky && (x == 0 || *v / x == y);
    case H2G_VD_DIV: *v = y ? x / y : 0; return kx && ky && y && x % y == 0;
    default: return false;
    }
}

/* Fills the context's dim values in id order (operands come first). */
static void compute_dims(h2g_vctx *c) {
    for (int id = H2G_VDIM_FIRST; id < c->arch->n_dims && id < MAX_DIMS; id++)
        c->dim_known[id] = compute_dim(c, &c->arch->dims[id], &c->dim_value[id]);
}

/* How problem lines name a dim: keys with their prefix, others by label. */
static void dim_name(const h2g_vctx *c, int id, char *buf, size_t size) {
    const h2g_vdim_rule *r = &c->arch->dims[id];
    if (r->kind == H2G_VD_KEY) snprintf(buf, size, "%s.%s", c->arch->prefix, r->key);
    else snprintf(buf, size, "%s", r->label);
}

/* ---------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------- */

/* "UINT32" or "ARRAY[FLOAT32]" for a rule's type. */
static void rule_type_label(const h2g_vkey_rule *r, char *buf, size_t size) {
    if (r->type == H2G_VT_ARRAY)
        snprintf(buf, size, "ARRAY[%s]", h2g_value_type_name(r->elem_type));
    else snprintf(buf, size, "%s", h2g_value_type_name(r->type));
}

/* A present key against its rule: type, element type, element count. */
static void check_key_value(h2g_vctx *c, const char *name, const h2g_kv *kv,
                            const h2g_vkey_rule *r) {
    char want[32], have[32];
    rule_type_label(r, want, sizeof want);
    h2g_kv_type_label(kv, have, sizeof have);
    if (kv->type != r->type || (r->type == H2G_VT_ARRAY && kv->arr_type != r->elem_type))
        h2g_vctx_problem(c, "%s: has type %s, llama.cpp requires %s", name, have, want);
    else if (r->type == H2G_VT_ARRAY && kv->n < r->min_count)
        h2g_vctx_problem(c, "%s: has %" PRIu64 " elements, llama.cpp requires at least %" PRIu64,
                         name, kv->n, r->min_count);
}

/* One key table: presence of required keys, types of those present. */
static void check_keys(h2g_vctx *c, const h2g_vkey_rule *table) {
    char name[NAME_MAX_LEN], why[NAME_MAX_LEN];
    for (const h2g_vkey_rule *r = table; r->key && !c->full; r++) {
        expand(c, r->key, name, sizeof name);
        const h2g_kv *kv = h2g_kv_get(&c->f->kv, name);
        if (kv) {
            check_key_value(c, name, kv, r);
        } else if (r->need == H2G_VKEY_REQUIRED) {
            h2g_vctx_problem(c, "%s: required key is missing", name);
        } else if (r->need == H2G_VKEY_REQUIRED_WHEN && r->when->holds(c, 0)) {
            expand(c, r->when->why, why, sizeof why);
            h2g_vctx_problem(c, "%s: required key is missing (required because %s)", name, why);
        }
    }
}

/* ---------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------- */

/* The tensor name of a rule for a layer ("blk.N.x" -> "blk.3.x"). */
static void tensor_name(const char *pattern, uint64_t layer, char *buf, size_t size) {
    const char *n = strstr(pattern, ".N.");
    if (!n) snprintf(buf, size, "%s", pattern);
    else snprintf(buf, size, "%.*s.%" PRIu64 "%s", (int)(n - pattern), pattern, layer, n + 2);
}

/* Whether name fits pattern; for "blk.N.x" patterns sets *layer. */
static bool name_matches(const char *pattern, const char *name, uint64_t *layer) {
    const char *n = strstr(pattern, ".N.");
    *layer = 0;
    if (!n) return strcmp(pattern, name) == 0;
    size_t pre = (size_t)(n - pattern) + 1; /* up to and including the dot */
    if (strncmp(pattern, name, pre) != 0) return false;
    const char *p = name + pre, *digits = p;
    uint64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*p++ - '0');
    }
    if (p == digits || (p - digits > 1 && *digits == '0')) return false;
    *layer = v;
    return strcmp(p, n + 2) == 0;
}

/* Writes "{a, b}" (n dims; "*" where ids says ANY) into buf. */
static void shape_text(const uint64_t *ne, const int *ids, uint32_t n, char *buf, size_t size) {
    size_t pos = (size_t)snprintf(buf, size, "{");
    for (uint32_t d = 0; d < n && pos < size; d++) {
        const char *sep = d ? ", " : "";
        if (ids && ids[d] == H2G_VDIM_ANY)
            pos += (size_t)snprintf(buf + pos, size - pos, "%s*", sep);
        else pos += (size_t)snprintf(buf + pos, size - pos, "%s%" PRIu64, sep, ne[d]);
    }
    if (pos < size) snprintf(buf + pos, size - pos, "}");
}

/* Compares a tensor's ne with the rule's (dims past the rule's list must be
 * 1, as in llama.cpp); skipped when a dim is unknown. */
static void check_shape(h2g_vctx *c, const h2g_tensor_info *t, const h2g_vtensor_rule *r) {
    uint64_t want[H2G_GGUF_MAX_DIMS];
    uint32_t n = 0;
    bool ok = true;
    for (int d = 0; d < H2G_GGUF_MAX_DIMS; d++) {
        int id = r->ne[d];
        if (id != H2G_VDIM_END) n = (uint32_t)d + 1;
        if (id == H2G_VDIM_ANY) continue;
        want[d] = 1;
        if (id != H2G_VDIM_END && !h2g_vctx_dim(c, id, &want[d])) return;
        if (t->ne[d] != want[d]) ok = false;
    }
    if (ok) return;
    char have_s[128], want_s[128], labels[512] = "";
    shape_text(t->ne, NULL, t->n_dims, have_s, sizeof have_s);
    shape_text(want, r->ne, n, want_s, sizeof want_s);
    size_t pos = 0;
    for (uint32_t d = 0; d < n && pos < sizeof labels; d++) {
        const char *label = r->ne[d] == H2G_VDIM_ANY ? "any" : c->arch->dims[r->ne[d]].label;
        pos += (size_t)snprintf(labels + pos, sizeof labels - pos, "%s%s", d ? ", " : "", label);
    }
    h2g_vctx_problem(c, "%s: shape %s, expected %s (%s)", t->name, have_s, want_s, labels);
}

/* One rule for one layer: marks the tensor used and checks its shape, or
 * reports it missing. */
static void check_tensor(h2g_vctx *c, const h2g_vtensor_rule *r, uint64_t layer) {
    char name[NAME_MAX_LEN], why[NAME_MAX_LEN];
    if (r->when && !r->when->holds(c, layer)) return;
    tensor_name(r->name, layer, name, sizeof name);
    long i = h2g_gguf_find_tensor(c->f, name);
    if (i >= 0) {
        c->used[i] = true;
        check_shape(c, &c->f->tensors[i], r);
        return;
    }
    if (r->presence != H2G_VTENSOR_REQUIRED) return;
    if (r->unless) {
        tensor_name(r->unless, layer, why, sizeof why);
        if (h2g_gguf_find_tensor(c->f, why) >= 0) return;
    }
    if (!r->when) {
        h2g_vctx_problem(c, "%s: missing", name);
        return;
    }
    expand(c, r->when->why, why, sizeof why);
    h2g_vctx_problem(c, "%s: missing (required because %s)", name, why);
}

/* One tensor table, every layer of its per-layer rules. */
static void check_tensor_table(h2g_vctx *c, const h2g_vtensor_rule *table) {
    for (const h2g_vtensor_rule *r = table; r->name && !c->full; r++) {
        uint64_t n_layers = 1;
        if (r->layers && !h2g_vctx_dim(c, r->layers, &n_layers)) continue;
        /* An absurd layer count: past this many layers the required rules
         * have filled MAX_PROBLEMS, and optional ones must not spin. */
        if (n_layers > c->f->n_tensors + MAX_PROBLEMS) n_layers = c->f->n_tensors + MAX_PROBLEMS;
        for (uint64_t layer = 0; layer < n_layers && !c->full; layer++)
            check_tensor(c, r, layer);
    }
}

/* Why a tensor no active rule named is unexpected: the layer is out of
 * range, or the rule's condition does not hold, or no rule knows it. Says
 * nothing when the layer count is unknown (a key problem covers that). */
static void explain_unused(h2g_vctx *c, const h2g_tensor_info *t) {
    char why[NAME_MAX_LEN], dim[NAME_MAX_LEN];
    for (int k = 0; k < H2G_VERIFY_MAX_TABLES && c->arch->tensors[k]; k++) {
        for (const h2g_vtensor_rule *r = c->arch->tensors[k]; r->name; r++) {
            uint64_t layer, n_layers;
            if (!name_matches(r->name, t->name, &layer)) continue;
            /* Unknown layer count: its key's problem already says why. */
            if (r->layers && !h2g_vctx_dim(c, r->layers, &n_layers)) return;
            if (r->layers && layer >= n_layers) {
                dim_name(c, r->layers, dim, sizeof dim);
                h2g_vctx_problem(c, "%s: unexpected tensor (layer %" PRIu64 " is not below %s = %"
                                 PRIu64 ")", t->name, layer, dim, n_layers);
                return;
            }
            if (r->when && !r->when->holds(c, layer)) {
                expand(c, r->when->why, why, sizeof why);
                h2g_vctx_problem(c, "%s: unexpected tensor (used only when %s)", t->name, why);
                return;
            }
        }
    }
    h2g_vctx_problem(c, "%s: unexpected tensor (llama.cpp's %s loader does not use it)", t->name,
                     c->arch->arch);
}

/* ---------------------------------------------------------------------------
 * Choosing the architecture
 * ------------------------------------------------------------------------- */

/* The names verify knows, from the registry, into buf: the architectures
 * ("deepseek2, deepseek2-ocr, deepseek32, deepseek, deepseekocr, clip") when
 * arch is NULL, else the projector types of arch ("deepseekocr, deepseekocr2"). */
static void known_names(const char *arch, char *buf, size_t size) {
    size_t pos = 0;
    buf[0] = '\0';
    for (int i = 0; h2g_verify_archs[i] && pos < size; i++) {
        const h2g_varch *a = h2g_verify_archs[i];
        const char *name = arch ? a->projector : a->arch;
        if (arch && strcmp(a->arch, arch) != 0) continue;
        bool seen = false; /* clip has one entry per projector */
        for (int k = 0; k < i && !seen; k++)
            seen = !arch && !strcmp(h2g_verify_archs[k]->arch, name);
        if (!seen) pos += (size_t)snprintf(buf + pos, size - pos, "%s%s", pos ? ", " : "", name);
    }
}

/* A STRING key's value, or NULL with a problem line when it is missing or
 * of another type. */
static const char *required_string(h2g_vctx *c, const char *key) {
    const h2g_kv *kv = h2g_kv_get(&c->f->kv, key);
    char have[32];
    if (!kv) {
        h2g_vctx_problem(c, "%s: required key is missing", key);
        return NULL;
    }
    if (kv->type != H2G_VT_STRING) {
        h2g_vctx_problem(c, "%s: has type %s, llama.cpp requires STRING", key,
                         h2g_kv_type_label(kv, have, sizeof have));
        return NULL;
    }
    return kv->str.data;
}

/* The registry entry for general.architecture (and the projector type for
 * entries that have one); NULL with a problem line when there is none. */
static const h2g_varch *select_arch(h2g_vctx *c) {
    char list[LINE_MAX_LEN / 2], key[NAME_MAX_LEN];
    const char *arch = required_string(c, "general.architecture");
    if (!arch) return NULL;
    if (!(c->rep->architecture = h2g_strdup(arch))) c->oom = true;
    const h2g_varch *first = NULL;
    for (int i = 0; h2g_verify_archs[i] && !first; i++)
        if (!strcmp(h2g_verify_archs[i]->arch, arch)) first = h2g_verify_archs[i];
    if (!first) {
        known_names(NULL, list, sizeof list);
        h2g_vctx_problem(c, "general.architecture: \"%.60s\" is not an architecture verify knows "
                         "(%s)", arch, list);
        return NULL;
    }
    if (!first->projector) return first;
    snprintf(key, sizeof key, "%s.projector_type", first->prefix);
    const char *proj = required_string(c, key);
    if (!proj) return NULL;
    if (!(c->rep->projector = h2g_strdup(proj))) c->oom = true;
    for (int i = 0; h2g_verify_archs[i]; i++) {
        const h2g_varch *a = h2g_verify_archs[i];
        if (!strcmp(a->arch, arch) && a->projector && !strcmp(a->projector, proj)) return a;
    }
    known_names(arch, list, sizeof list);
    h2g_vctx_problem(c, "%s: \"%.60s\" is not a projector type verify knows for %s (%s)", key,
                     proj, arch, list);
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------- */

/* All checks of one architecture, in the order problems are listed: keys,
 * tensors named by the rules, tensors nothing uses, value checks. */
static void run_arch(h2g_vctx *c) {
    compute_dims(c);
    for (int k = 0; k < H2G_VERIFY_MAX_TABLES && c->arch->keys[k]; k++)
        check_keys(c, c->arch->keys[k]);
    /* A file without tensors is a vocab-only file (convert --vocab-only,
     * llama.cpp's vocab files): its keys and tokenizer are checked, the
     * tensor rules are not (issue 14, item 12). */
    if (c->f->n_tensors == 0) c->rep->vocab_only = true;
    for (int k = 0; !c->rep->vocab_only && k < H2G_VERIFY_MAX_TABLES && c->arch->tensors[k]; k++)
        check_tensor_table(c, c->arch->tensors[k]);
    if (c->arch->strict_tensors)
        for (size_t i = 0; i < c->f->n_tensors && !c->full; i++)
            if (!c->used[i]) explain_unused(c, &c->f->tensors[i]);
    for (int k = 0; k < H2G_VERIFY_MAX_CHECKS && c->arch->checks[k]; k++) c->arch->checks[k](c);
}

int h2g_verify_parsed(const h2g_gguf_file *f, h2g_verify_report *rep, h2g_error *err) {
    h2g_vctx *c = calloc(1, sizeof *c);
    if (!c) return h2g_fail(err, "%s: out of memory for the verifier's state", f->path);
    c->f = f;
    c->rep = rep;
    c->used = calloc(f->n_tensors ? f->n_tensors : 1, sizeof *c->used);
    rep->n_kv = f->kv.n;
    rep->n_tensors = f->n_tensors;
    if (c->used) {
        c->arch = select_arch(c);
        rep->arch_known = c->arch != NULL;
        if (c->arch && c->arch->n_dims > MAX_DIMS)
            h2g_vctx_problem(c, "verify: the %s rules define too many dims", c->arch->arch);
        else if (c->arch) run_arch(c);
    }
    bool no_table = !c->used, oom = c->oom;
    free(c->used);
    free(c);
    if (no_table)
        return h2g_fail(err, "%s: out of memory for the table of %zu tensors to verify", f->path,
                        f->n_tensors);
    return oom ? h2g_fail(err, "%s: out of memory for the verify report (at %zu problems)", f->path,
                          rep->n_problems)
               : 0;
}

int h2g_verify_header(const char *name, const h2g_kv_list *kv, const h2g_tensor_info *tensors,
                      size_t n_tensors, h2g_verify_report *rep, h2g_error *err) {
    /* The engine reads a file's KVs and tensor infos only (never its data),
     * so a header in memory is checked as the file it will become. */
    h2g_gguf_file f = {0};
    f.path = (char *)name;
    f.kv = *kv;
    f.tensors = (h2g_tensor_info *)tensors;
    f.n_tensors = n_tensors;
    f.version = H2G_GGUF_VERSION;
    rep->parsed = true;
    return h2g_verify_parsed(&f, rep, err);
}

/* Removes a leading "path: " from a reader message (the CLI names the file). */
static const char *without_path(const char *msg, const char *path) {
    size_t n = strlen(path);
    return !strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2) ? msg + n + 2 : msg;
}

/* Files in path's folder named as parts of the split set STEM of `count`
 * parts but not in it (another count, a number past it): each a problem. */
static void extra_parts(const char *path, const char *stem, unsigned count,
                        h2g_verify_report *rep) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : h2g_strdup(".");
    DIR *d = dir ? opendir(dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        char *full = slash ? h2g_path_join(dir, e->d_name) : h2g_strdup(e->d_name);
        char *other = NULL;
        unsigned no, n;
        if (full && h2g_split_name_parse(full, &other, &no, &n) && !strcmp(other, stem) &&
            n != count) {
            char line[LINE_MAX_LEN];
            snprintf(line, sizeof line, "%s: extra part: not one of the %u parts of this set",
                     e->d_name, count);
            report_add(rep, line);
        }
        free(other);
        free(full);
    }
    if (d) closedir(d);
    free(dir);
}

/* A split set, given any of its parts: every part is read and checked as
 * the set (gguf_set.h), then the whole as the one file it stands for. */
static int verify_set(const char *path, h2g_verify_report *rep, h2g_error *err) {
    h2g_gguf_set set = {0};
    h2g_error serr = {0};
    char *stem = NULL;
    unsigned no = 0, count = 0;
    if (h2g_split_name_parse(path, &stem, &no, &count)) extra_parts(path, stem, count, rep);
    free(stem);
    if (h2g_gguf_set_open(&set, path, &serr) != 0)
        return report_add(rep, serr.msg) == 0
                   ? 0
                   : h2g_fail(err, "%s: out of memory for a line of the verify report", path);
    h2g_tensor_info *infos = malloc((set.n_tensors + 1) * sizeof *infos);
    int rc = infos ? 0
                   : h2g_fail(err, "%s: out of memory for the %zu tensor infos of its %zu parts",
                              path, set.n_tensors, set.n_shards);
    for (size_t i = 0; rc == 0 && i < set.n_tensors; i++) infos[i] = set.tensors[i].info;
    if (rc == 0) rc = h2g_verify_header(path, &set.kv, infos, set.n_tensors, rep, err);
    rep->n_parts = set.n_shards;
    free(infos);
    h2g_gguf_set_close(&set);
    return rc;
}

int h2g_verify(const char *path, h2g_verify_report *rep, h2g_error *err) {
    /* A file that cannot be opened is an error, not a problem of the file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return h2g_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    if (!regular) return h2g_fail(err, "%s: not a regular file", path);

    h2g_gguf_file f;
    h2g_error ferr = {0};
    if (h2g_gguf_open(&f, path, &ferr) != 0) {
        if (report_add(rep, without_path(ferr.msg, path)) != 0)
            return h2g_fail(err, "%s: out of memory for a line of the verify report", path);
        return 0;
    }
    rep->parsed = true;
    if (h2g_kv_get(&f.kv, H2G_SPLIT_COUNT)) { /* a part of a split set */
        h2g_gguf_close(&f);
        return verify_set(path, rep, err);
    }
    int rc = h2g_verify_parsed(&f, rep, err);
    h2g_gguf_close(&f);
    return rc;
}
