/* cmd_diff.c - `hf2gguf diff`: every metadata and tensor difference between
 * two GGUF files or split sets, one per line (text) or as one JSON object.
 * The comparison itself is the library's (hf2gguf/diff.h); this file parses
 * arguments and prints. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/text.h"
#include "hf2gguf/diff.h"
#include "hf2gguf/gguf_json.h"
#include "hf2gguf/gguf_set.h"

static const char usage[] =
    "usage: hf2gguf diff A.gguf B.gguf [--json] [--ignore-kv PREFIX]... [--ignore-order]\n"
    "\n"
    "Compares two GGUF files by content and prints every difference, one per\n"
    "line; prints nothing when they are identical. Either file may be any shard\n"
    "of a split set (NAME-00001-of-00003.gguf): the whole set is read as one\n"
    "file, without its split.* keys, so a split set equals the file it was\n"
    "split from.\n"
    "\n"
    "Reported: keys in one file only, a different type or value (arrays: the\n"
    "length and the first differing element); tensors in one file only, a\n"
    "different type, shape or data (for F32, F16, BF16 and Q8_0 the values are\n"
    "dequantized: how many differ, the first, and the largest absolute\n"
    "difference); and, on lines of their own, the first place where the order\n"
    "of the keys or of the tensors the two files share differs.\n"
    "\n"
    "options:\n"
    "  --json              print {\"identical\": bool, \"kv\": [...], \"tensors\": [...],\n"
    "                      \"order\": [...]} instead of text\n"
    "  --ignore-kv PREFIX  leave out keys starting with PREFIX (repeatable),\n"
    "                      e.g. --ignore-kv general.\n"
    "  --ignore-order      do not compare the order of keys and tensors\n"
    "  --help              this help\n"
    "\n"
    "Exit status, as diff(1): 0 identical, 1 different, 2 trouble (a file cannot\n"
    "be read, or a usage error). --json says which: \"status\" is \"identical\",\n"
    "\"different\" or \"error\" (with \"error\": the message).\n";

/* Strings longer than this are cut in text output. */
#define TEXT_STRING_MAX 80

typedef struct args {
    const char *path[2];
    int n_paths;
    bool json;
    h2g_diff_options opt;
    const char **ignore; /* argc entries at most; opt.ignore_kv points here */
} args;

/* ---------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------- */

/* Handles the option argv[*i] (advancing *i past a value it takes);
 * returns -1 to go on, else an exit status. */
static int parse_option(int argc, char **argv, int *i, args *a, bool *options_done) {
    const char *s = argv[*i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
        fputs(usage, stdout);
        return H2G_EXIT_OK;
    }
    if (!strcmp(s, "--json")) a->json = true;
    else if (!strcmp(s, "--ignore-order")) a->opt.ignore_order = true;
    else if (!strcmp(s, "--")) *options_done = true;
    else if (!strcmp(s, "--ignore-kv")) {
        if (*i + 1 >= argc) return h2g_usage_error("diff", "%s needs a key prefix", s);
        a->ignore[a->opt.n_ignore_kv++] = argv[++*i];
    } else if (!strncmp(s, "--ignore-kv=", 12)) {
        a->ignore[a->opt.n_ignore_kv++] = s + 12;
    } else {
        return h2g_usage_error("diff", "unknown option '%s'", s);
    }
    return -1;
}

/* Fills a from argv; returns -1 to go on, else the exit status to return
 * (0 after --help). */
static int parse_args(int argc, char **argv, args *a) {
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!options_done && s[0] == '-' && s[1] != '\0') {
            int rc = parse_option(argc, argv, &i, a, &options_done);
            if (rc >= 0) return rc;
        } else if (a->n_paths == 2) {
            return h2g_usage_error("diff", "more than two files given ('%s')", s);
        } else {
            a->path[a->n_paths++] = s;
        }
    }
    if (a->n_paths < 2) return h2g_usage_error("diff", "%s", "diff needs two GGUF files");
    a->opt.ignore_kv = a->ignore;
    return -1;
}

/* ---------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------- */

/* Element i of an array KV as a scalar KV (sharing string bytes), so that
 * elements and scalars print the same way. */
static h2g_kv element_kv(const h2g_kv *arr, uint64_t i) {
    h2g_kv e = {.key = arr->key, .type = arr->arr_type};
    if (arr->arr_type == H2G_VT_STRING) {
        e.str = arr->strs[i];
        return e;
    }
    size_t es = h2g_value_type_size(arr->arr_type);
    const uint8_t *p = (const uint8_t *)arr->arr + i * es;
    uint64_t raw = 0;
    for (size_t b = 0; b < es; b++) raw |= (uint64_t)p[b] << (8 * b); /* little-endian */
    if (arr->arr_type == H2G_VT_FLOAT32) {
        uint32_t bits = (uint32_t)raw;
        memcpy(&e.num.f32, &bits, 4);
    } else if (arr->arr_type == H2G_VT_BOOL) {
        e.num.b = raw != 0;
    } else {
        e.num.u64 = raw; /* the printers narrow it to the element type */
    }
    return e;
}

/* ---------------------------------------------------------------------------
 * Text output
 * ------------------------------------------------------------------------- */

/* Prints a string value, quoted, cut at TEXT_STRING_MAX bytes. */
static void print_str(const h2g_str *s) { h2g_print_quoted(s->data, s->len, TEXT_STRING_MAX); }

/* Prints a scalar or string KV's value; arrays as "[N × TYPE]". */
static void print_value(const h2g_kv *kv) {
    char buf[32];
    switch (kv->type) {
    case H2G_VT_STRING: print_str(&kv->str); break;
    case H2G_VT_ARRAY:
        printf("[%llu × %s]", (unsigned long long)kv->n, h2g_value_type_name(kv->arr_type));
        break;
    case H2G_VT_INT8: printf("%d", (int8_t)kv->num.u64); break;
    case H2G_VT_INT16: printf("%d", (int16_t)kv->num.u64); break;
    case H2G_VT_INT32: printf("%d", (int32_t)kv->num.u64); break;
    case H2G_VT_INT64: printf("%lld", (long long)(int64_t)kv->num.u64); break;
    case H2G_VT_BOOL: fputs(kv->num.b ? "true" : "false", stdout); break;
    case H2G_VT_FLOAT32:
        h2g_f32_shortest(kv->num.f32, buf, sizeof buf);
        fputs(buf, stdout);
        break;
    case H2G_VT_FLOAT64: printf("%.17g", kv->num.f64); break;
    default: printf("%llu", (unsigned long long)kv->num.u64); break;
    }
}

/* "kv KEY: " */
static void print_kv_prefix(const h2g_kv *kv) {
    fputs("kv ", stdout);
    cli_write_escaped(stdout, kv->key.data, (size_t)kv->key.len);
    fputs(": ", stdout);
}

/* One line for a KV difference. */
static void print_kv_item(const h2g_diff_item *it) {
    char la[32], lb[32];
    const h2g_kv *x = it->kv_a, *y = it->kv_b;
    print_kv_prefix(x ? x : y);
    switch (it->kind) {
    case H2G_DIFF_KV_MISSING_IN_A:
    case H2G_DIFF_KV_MISSING_IN_B:
        printf("missing in %s; %s has ", x ? "B" : "A", x ? "A" : "B");
        print_value(x ? x : y);
        printf(" (%s)", h2g_kv_type_label(x ? x : y, la, sizeof la));
        break;
    case H2G_DIFF_KV_TYPE:
        printf("type differs: A %s, B %s", h2g_kv_type_label(x, la, sizeof la),
               h2g_kv_type_label(y, lb, sizeof lb));
        break;
    case H2G_DIFF_KV_ARRAY_LENGTH:
        printf("array length differs: A %llu, B %llu", (unsigned long long)x->n,
               (unsigned long long)y->n);
        break;
    case H2G_DIFF_KV_ARRAY_ELEMENT: {
        h2g_kv ex = element_kv(x, it->index), ey = element_kv(y, it->index);
        printf("element %llu differs: A ", (unsigned long long)it->index);
        print_value(&ex);
        fputs(", B ", stdout);
        print_value(&ey);
        break;
    }
    default:
        fputs("value differs: A ", stdout);
        print_value(x);
        fputs(", B ", stdout);
        print_value(y);
        break;
    }
    putchar('\n');
}

/* The DATA part of a tensor line. */
static void print_data(const h2g_diff_item *it) {
    if (!it->values) {
        printf("data differs: %llu of %llu bytes, first at byte %llu",
               (unsigned long long)it->count, (unsigned long long)it->total,
               (unsigned long long)it->index);
        return;
    }
    if (it->count == 0) {
        printf("data differs in its bytes, but all %llu values are equal (e.g. -0 and 0)",
               (unsigned long long)it->total);
        return;
    }
    printf("data differs: %llu of %llu values, first at element %llu, max abs diff %.9g",
           (unsigned long long)it->count, (unsigned long long)it->total,
           (unsigned long long)it->index, it->max_abs_diff);
}

/* One line for a tensor difference. */
static void print_tensor_item(const h2g_diff_item *it) {
    char sa[128], sb[128];
    const h2g_set_tensor *x = it->t_a, *y = it->t_b;
    printf("tensor %s: ", cli_esc((x ? x : y)->info.name));
    switch (it->kind) {
    case H2G_DIFF_TENSOR_MISSING_IN_A:
    case H2G_DIFF_TENSOR_MISSING_IN_B:
        h2g_tensor_shape_str(&(x ? x : y)->info, sa, sizeof sa);
        printf("missing in %s; %s has %s %s", x ? "B" : "A", x ? "A" : "B",
               h2g_ggml_type_name((x ? x : y)->info.type), sa);
        break;
    case H2G_DIFF_TENSOR_TYPE:
        printf("type differs: A %s, B %s", h2g_ggml_type_name(x->info.type),
               h2g_ggml_type_name(y->info.type));
        break;
    case H2G_DIFF_TENSOR_SHAPE:
        h2g_tensor_shape_str(&x->info, sa, sizeof sa);
        h2g_tensor_shape_str(&y->info, sb, sizeof sb);
        printf("shape differs: A %s, B %s", sa, sb);
        break;
    default: print_data(it); break;
    }
    putchar('\n');
}

/* One line for an order difference. */
static void print_order_item(const h2g_diff_item *it) {
    if (it->kind == H2G_DIFF_KV_ORDER) {
        printf("kv order differs at position %llu: A has ", (unsigned long long)it->index);
        cli_write_escaped(stdout, it->kv_a->key.data, (size_t)it->kv_a->key.len);
        fputs(", B has ", stdout);
        cli_write_escaped(stdout, it->kv_b->key.data, (size_t)it->kv_b->key.len);
        putchar('\n');
        return;
    }
    printf("tensor order differs at position %llu: A has %s, B has %s\n",
           (unsigned long long)it->index, cli_esc(it->t_a->info.name), cli_esc(it->t_b->info.name));
}

/* Every difference, one per line: KVs, tensors, then order. */
static void print_text(const h2g_diff *d) {
    for (size_t i = 0; i < d->n; i++)
        if (h2g_diff_is_kv(d->items[i].kind) && !h2g_diff_is_order(d->items[i].kind))
            print_kv_item(&d->items[i]);
    for (size_t i = 0; i < d->n; i++)
        if (!h2g_diff_is_kv(d->items[i].kind) && !h2g_diff_is_order(d->items[i].kind))
            print_tensor_item(&d->items[i]);
    for (size_t i = 0; i < d->n; i++)
        if (h2g_diff_is_order(d->items[i].kind)) print_order_item(&d->items[i]);
}

/* ---------------------------------------------------------------------------
 * JSON output
 * ------------------------------------------------------------------------- */

/* Adds item to obj under name; false (and item freed) when either is
 * missing, so that a chain of adds needs one check. */
static bool add(cJSON *obj, const char *name, cJSON *item) {
    if (obj && item && cJSON_AddItemToObject(obj, name, item)) return true;
    cJSON_Delete(item);
    return false;
}

/* A KV's value exactly as `inspect --json` shows it: h2g_gguf_to_json on a
 * one-KV file that borrows kv (long arrays become {"count", "head"}). */
static cJSON *value_json(const h2g_kv *kv) {
    h2g_kv view = *kv;
    h2g_gguf_file f;
    memset(&f, 0, sizeof f);
    f.kv.items = &view;
    f.kv.n = 1;
    cJSON *whole = h2g_gguf_to_json(&f, false, false);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(whole, "kv"), 0);
    cJSON *value = cJSON_DetachItemFromObject(first, "value");
    cJSON_Delete(whole);
    return value;
}

/* A tensor's shape (ne) as a JSON array. */
static cJSON *shape_json(const h2g_tensor_info *t) {
    cJSON *a = cJSON_CreateArray();
    for (uint32_t d = 0; a && d < t->n_dims; d++)
        if (!cJSON_AddItemToArray(a, cJSON_CreateNumber((double)t->ne[d]))) {
            cJSON_Delete(a);
            return NULL;
        }
    return a;
}

/* A float for JSON: JSON has no NaN or infinity, so those are null. */
static cJSON *double_json(double v) {
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* "a"/"b" members of a KV item: the values, types or lengths compared. */
static bool kv_sides_json(cJSON *o, const h2g_diff_item *it) {
    char la[32], lb[32];
    const h2g_kv *x = it->kv_a, *y = it->kv_b;
    switch (it->kind) {
    case H2G_DIFF_KV_MISSING_IN_A: return add(o, "b", value_json(y));
    case H2G_DIFF_KV_MISSING_IN_B: return add(o, "a", value_json(x));
    case H2G_DIFF_KV_TYPE:
        return add(o, "a", cJSON_CreateString(h2g_kv_type_label(x, la, sizeof la))) &&
               add(o, "b", cJSON_CreateString(h2g_kv_type_label(y, lb, sizeof lb)));
    case H2G_DIFF_KV_ARRAY_LENGTH:
        return add(o, "a", cJSON_CreateNumber((double)x->n)) &&
               add(o, "b", cJSON_CreateNumber((double)y->n));
    case H2G_DIFF_KV_ARRAY_ELEMENT: {
        h2g_kv ex = element_kv(x, it->index), ey = element_kv(y, it->index);
        return add(o, "index", cJSON_CreateNumber((double)it->index)) &&
               add(o, "a", value_json(&ex)) && add(o, "b", value_json(&ey));
    }
    default: return add(o, "a", value_json(x)) && add(o, "b", value_json(y));
    }
}

/* {"key", "what", "a", "b"(, "index")} for a KV item. */
static cJSON *kv_item_json(const h2g_diff_item *it) {
    const h2g_kv *kv = it->kv_a ? it->kv_a : it->kv_b;
    cJSON *o = cJSON_CreateObject();
    bool ok = add(o, "key", cJSON_CreateString(kv->key.data)) &&
              add(o, "what", cJSON_CreateString(h2g_diff_kind_name(it->kind))) &&
              kv_sides_json(o, it);
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}

/* {"type", "shape"} of one side of a tensor item. */
static cJSON *tensor_side_json(const h2g_set_tensor *t) {
    cJSON *o = cJSON_CreateObject();
    if (add(o, "type", cJSON_CreateString(h2g_ggml_type_name(t->info.type))) &&
        add(o, "shape", shape_json(&t->info)))
        return o;
    cJSON_Delete(o);
    return NULL;
}

/* The counts of a DATA item. */
static bool data_json(cJSON *o, const h2g_diff_item *it) {
    bool ok = add(o, "compared_as", cJSON_CreateString(it->values ? "values" : "bytes")) &&
              add(o, "differing", cJSON_CreateNumber((double)it->count)) &&
              add(o, "total", cJSON_CreateNumber((double)it->total));
    if (ok && it->count > 0) ok = add(o, "first", cJSON_CreateNumber((double)it->index));
    if (ok && it->values) ok = add(o, "max_abs_diff", double_json(it->max_abs_diff));
    if (ok && it->values && !isfinite(it->max_abs_diff))
        ok = add(o, "max_abs_diff_non_finite", cJSON_CreateTrue());
    return ok;
}

/* {"name", "what", ...} for a tensor item: "a"/"b" sides for missing, type
 * and shape items, the counts for data items. */
static cJSON *tensor_item_json(const h2g_diff_item *it) {
    const h2g_set_tensor *x = it->t_a, *y = it->t_b;
    cJSON *o = cJSON_CreateObject();
    bool ok = add(o, "name", cJSON_CreateString((x ? x : y)->info.name)) &&
              add(o, "what", cJSON_CreateString(h2g_diff_kind_name(it->kind)));
    if (ok && it->kind == H2G_DIFF_TENSOR_DATA) ok = data_json(o, it);
    else if (ok && x) ok = add(o, "a", tensor_side_json(x));
    if (ok && y && it->kind != H2G_DIFF_TENSOR_DATA) ok = add(o, "b", tensor_side_json(y));
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}

/* {"section", "position", "a", "b"} for an order item. */
static cJSON *order_item_json(const h2g_diff_item *it) {
    bool kv = it->kind == H2G_DIFF_KV_ORDER;
    cJSON *o = cJSON_CreateObject();
    bool ok = add(o, "section", cJSON_CreateString(kv ? "kv" : "tensors")) &&
              add(o, "position", cJSON_CreateNumber((double)it->index)) &&
              add(o, "a", cJSON_CreateString(kv ? it->kv_a->key.data : it->t_a->info.name)) &&
              add(o, "b", cJSON_CreateString(kv ? it->kv_b->key.data : it->t_b->info.name));
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}

/* The item's JSON object, whichever section it belongs to. */
static cJSON *item_json(const h2g_diff_item *it) {
    if (h2g_diff_is_order(it->kind)) return order_item_json(it);
    return h2g_diff_is_kv(it->kind) ? kv_item_json(it) : tensor_item_json(it);
}

/* The whole report as JSON, or NULL when out of memory. */
static cJSON *diff_json(const h2g_diff *d) {
    cJSON *o = cJSON_CreateObject();
    cJSON *kv = cJSON_CreateArray(), *tensors = cJSON_CreateArray(), *order = cJSON_CreateArray();
    bool ok = add(o, "status", cJSON_CreateString(d->n == 0 ? "identical" : "different")) &&
              add(o, "identical", cJSON_CreateBool(d->n == 0)) && add(o, "kv", kv) &&
              add(o, "tensors", tensors) && add(o, "order", order);
    for (size_t i = 0; ok && i < d->n; i++) {
        h2g_diff_kind k = d->items[i].kind;
        cJSON *list = h2g_diff_is_order(k) ? order : h2g_diff_is_kv(k) ? kv : tensors;
        cJSON *item = item_json(&d->items[i]);
        ok = item && cJSON_AddItemToArray(list, item);
        if (!ok) cJSON_Delete(item);
    }
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}

/* Prints the JSON report; returns 0 or -1 (out of memory). */
static int print_json(const h2g_diff *d) {
    cJSON *j = diff_json(d);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) return -1;
    puts(text);
    free(text);
    return 0;
}

/* ---------------------------------------------------------------------------
 * The command
 * ------------------------------------------------------------------------- */

/* Exit status for trouble (diff(1)'s 2): a file unreadable, no memory. */
#define DIFF_TROUBLE 2

/* --json's answer when there is no comparison to show: {"status":
 * "error", "error": MSG}. Prints the message on stderr too. */
static int trouble(const args *ar, const char *msg) {
    cli_print_error(msg);
    if (ar && ar->json) {
        cJSON *o = cJSON_CreateObject();
        char *text = NULL;
        if (o && cJSON_AddStringToObject(o, "status", "error") &&
            cJSON_AddStringToObject(o, "error", msg))
            text = cJSON_Print(o);
        if (text) puts(text);
        free(text);
        cJSON_Delete(o);
    }
    return DIFF_TROUBLE;
}

/* Compares the two open sets and prints; returns the exit status. */
static int run(const h2g_gguf_set *a, const h2g_gguf_set *b, const args *ar) {
    h2g_diff d;
    h2g_error err = {0};
    if (h2g_diff_sets(a, b, &ar->opt, &d, &err) != 0) return trouble(ar, err.msg);
    int rc = d.n == 0 ? H2G_EXIT_OK : H2G_EXIT_ERROR;
    if (!ar->json) print_text(&d);
    else if (print_json(&d) != 0)
        rc = trouble(NULL, "out of memory building the JSON report");
    h2g_diff_free(&d);
    return rc;
}

int h2g_cmd_diff(int argc, char **argv) {
    args a = {0};
    a.ignore = calloc((size_t)argc + 1, sizeof *a.ignore);
    if (!a.ignore) return trouble(NULL, "out of memory for the --ignore-kv list");
    int rc = parse_args(argc, argv, &a);
    h2g_gguf_set sa = {0}, sb = {0};
    h2g_error err = {0};
    if (rc < 0 && (h2g_gguf_set_open(&sa, a.path[0], &err) != 0 ||
                   h2g_gguf_set_open(&sb, a.path[1], &err) != 0))
        rc = trouble(&a, err.msg);
    if (rc < 0) rc = run(&sa, &sb, &a);
    h2g_gguf_set_close(&sa);
    h2g_gguf_set_close(&sb);
    free(a.ignore);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_print_error("cannot write to standard output");
        return DIFF_TROUBLE;
    }
    return rc;
}
