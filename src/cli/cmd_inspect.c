/* cmd_inspect.c - `hf2gguf inspect`: a GGUF file's header, metadata and
 * tensors, for people (text) or for programs (--json). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/text.h"
#include "hf2gguf/gguf.h"
#include "hf2gguf/gguf_json.h"

static const char usage[] =
    "usage: hf2gguf inspect FILE.gguf [--json] [--tensors] [--full]\n"
    "\n"
    "Reads FILE.gguf, checking it as strictly as llama.cpp's loader does, and\n"
    "prints its header, every key/value pair in file order and, on request, its\n"
    "tensors.\n"
    "\n"
    "options:\n"
    "  --tensors   also list the tensors: name, type, shape (ne, innermost\n"
    "              first), offset in the data section, bytes\n"
    "  --full      print whole arrays and strings (default: arrays of more than\n"
    "              8 elements show their first 4, strings are cut at 120 bytes;\n"
    "              with --json, arrays of more than 16 show their first 8)\n"
    "  --json      print one JSON object instead of text\n"
    "  --help      this help\n"
    "\n"
    "Exit status: 0 success, 1 unreadable or invalid file, 2 usage error.\n";

/* Arrays longer than this are summarised in text output unless --full. */
#define TEXT_ARRAY_MAX 8
#define TEXT_ARRAY_HEAD 4
/* Strings longer than this are cut in text output unless --full. */
#define TEXT_STRING_MAX 120

typedef struct args {
    const char *path;
    bool json, tensors, full;
} args;

/* ---------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------- */


/* Fills a from argv; returns -1 to go on, else the exit status to return. */
static int parse_args(int argc, char **argv, args *a) {
    const h2g_flag flags[] = {
        {"--json", &a->json}, {"--tensors", &a->tensors}, {"--full", &a->full}, {NULL, NULL}};
    return h2g_parse_file_args("inspect", usage, argc, argv, flags, &a->path);
}

/* ---------------------------------------------------------------------------
 * Values as text
 * ------------------------------------------------------------------------- */

/* Prints a string, quoted, cut at TEXT_STRING_MAX bytes unless full. */
static void print_str(const char *s, uint64_t len, bool full) {
    h2g_print_quoted(s, len, full ? 0 : TEXT_STRING_MAX);
}

/* Prints a scalar of `type` whose little-endian bits are in raw. */
static void print_scalar(uint32_t type, uint64_t raw) {
    char buf[32];
    float f;
    double d;
    uint32_t bits = (uint32_t)raw;
    switch (type) {
    case H2G_VT_INT8: printf("%d", (int8_t)raw); break;
    case H2G_VT_INT16: printf("%d", (int16_t)raw); break;
    case H2G_VT_INT32: printf("%d", (int32_t)raw); break;
    case H2G_VT_INT64: printf("%lld", (long long)(int64_t)raw); break;
    case H2G_VT_BOOL: fputs(raw ? "true" : "false", stdout); break;
    case H2G_VT_FLOAT32:
        memcpy(&f, &bits, 4);
        h2g_f32_shortest(f, buf, sizeof buf);
        fputs(buf, stdout);
        break;
    case H2G_VT_FLOAT64:
        memcpy(&d, &raw, 8);
        printf("%.17g", d);
        break;
    default: printf("%llu", (unsigned long long)raw); break;
    }
}

/* The raw little-endian bits of a scalar KV (see h2g_kv). */
static uint64_t scalar_bits(const h2g_kv *kv) {
    uint32_t f;
    if (kv->type == H2G_VT_FLOAT32) {
        memcpy(&f, &kv->num.f32, 4);
        return f;
    }
    if (kv->type == H2G_VT_BOOL) return kv->num.b;
    return kv->num.u64;
}

/* Prints element i of an array KV. */
static void print_elem(const h2g_kv *kv, uint64_t i, bool full) {
    if (kv->arr_type == H2G_VT_STRING) {
        print_str(kv->strs[i].data, kv->strs[i].len, full);
        return;
    }
    size_t es = h2g_value_type_size(kv->arr_type);
    const uint8_t *p = (const uint8_t *)kv->arr + i * es;
    uint64_t raw = 0;
    for (size_t b = 0; b < es; b++) raw |= (uint64_t)p[b] << (8 * b);
    print_scalar(kv->arr_type, raw);
}

/* Prints `[N × TYPE] a, b, c, …`: every element when full or short. */
static void print_array(const h2g_kv *kv, bool full) {
    uint64_t shown = full || kv->n <= TEXT_ARRAY_MAX ? kv->n : TEXT_ARRAY_HEAD;
    printf("[%llu × %s]", (unsigned long long)kv->n, h2g_value_type_name(kv->arr_type));
    for (uint64_t i = 0; i < shown; i++) {
        fputs(i ? ", " : " ", stdout);
        print_elem(kv, i, full);
    }
    if (shown < kv->n) fputs(", …", stdout);
}

/* One `key = value  (TYPE)` line. */
static void print_kv(const h2g_kv *kv, bool full) {
    char label[32];
    cli_write_escaped(stdout, kv->key.data, (size_t)kv->key.len);
    fputs(" = ", stdout);
    if (kv->type == H2G_VT_STRING) print_str(kv->str.data, kv->str.len, full);
    else if (kv->type == H2G_VT_ARRAY) print_array(kv, full);
    else print_scalar(kv->type, scalar_bits(kv));
    printf("  (%s)\n", h2g_kv_type_label(kv, label, sizeof label));
}

/* ---------------------------------------------------------------------------
 * Tensors as text
 * ------------------------------------------------------------------------- */

/* A table of the tensors, columns sized to their contents. */
static void print_tensors(const h2g_gguf_file *f) {
    char shape[128];
    int name_w = 4, shape_w = 5;
    for (size_t i = 0; i < f->n_tensors; i++) {
        int n = (int)strlen(f->tensors[i].name);
        h2g_tensor_shape_str(&f->tensors[i], shape, sizeof shape);
        int s = (int)strlen(shape);
        if (n > name_w) name_w = n;
        if (s > shape_w) shape_w = s;
    }
    printf("\n%-*s  %-7s  %-*s  %14s  %14s\n", name_w, "name", "type", shape_w, "shape",
           "offset", "bytes");
    for (size_t i = 0; i < f->n_tensors; i++) {
        const h2g_tensor_info *t = &f->tensors[i];
        h2g_tensor_shape_str(t, shape, sizeof shape);
        printf("%-*s  %-7s  %-*s  %14llu  %14llu\n", name_w, cli_esc(t->name), h2g_ggml_type_name(t->type),
               shape_w, shape, (unsigned long long)t->offset, (unsigned long long)t->nbytes);
    }
}

/* The whole text report. */
static void print_text(const h2g_gguf_file *f, const args *a) {
    printf("%s: GGUF version %u, alignment %u, %zu tensors, %zu KVs, data offset %llu, "
           "file size %llu\n", cli_esc(f->path), f->version, f->alignment, f->n_tensors, f->kv.n,
           (unsigned long long)f->data_offset, (unsigned long long)f->size);
    const char *layout = h2g_gguf_which_layout(&f->kv);
    if (layout) printf("layout: %s\n", layout);
    for (size_t i = 0; i < f->kv.n; i++) print_kv(&f->kv.items[i], a->full);
    if (a->tensors) print_tensors(f);
}

/* ---------------------------------------------------------------------------
 * The command
 * ------------------------------------------------------------------------- */

/* Prints the JSON report; returns an exit status. */
static int print_json(const h2g_gguf_file *f, const args *a) {
    cJSON *j = h2g_gguf_to_json(f, a->full, a->tensors);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) {
        fputs("hf2gguf: error: out of memory building the JSON report\n", stderr);
        return H2G_EXIT_ERROR;
    }
    puts(text);
    free(text);
    return H2G_EXIT_OK;
}

int h2g_cmd_inspect(int argc, char **argv) {
    args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) return rc;
    h2g_gguf_file f;
    h2g_error err = {0};
    if (h2g_gguf_open(&f, a.path, &err) != 0) {
        cli_print_error(err.msg);
        return H2G_EXIT_ERROR;
    }
    if (a.json) {
        rc = print_json(&f, &a);
    } else {
        print_text(&f, &a);
        rc = H2G_EXIT_OK;
    }
    h2g_gguf_close(&f);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("hf2gguf: error: cannot write to standard output\n", stderr);
        return H2G_EXIT_ERROR;
    }
    return rc;
}
