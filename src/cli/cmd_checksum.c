/* cmd_checksum.c - `hf2gguf checksum`: a JSON manifest of a GGUF file's
 * tensors (name, type, shape, data sha256) and one sha256 over them all,
 * which metadata (KV) edits do not change. The checksum is defined in
 * hf2gguf/diff.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/text.h"
#include "hf2gguf/diff.h"
#include "hf2gguf/gguf_set.h"

static const char usage[] =
    "usage: hf2gguf checksum FILE.gguf\n"
    "\n"
    "Prints a JSON manifest of the tensors of FILE.gguf (or of the whole split\n"
    "set FILE belongs to, when it is a NAME-0000N-of-0000M.gguf shard):\n"
    "\n"
    "  {\"file\": \"FILE.gguf\",\n"
    "   \"tensors\": [{\"name\": ..., \"type\": \"F16\", \"shape\": [64, 32],\n"
    "                \"sha256\": <sha256 of the tensor's data bytes>}, ...],\n"
    "   \"sha256\": <checksum>}\n"
    "\n"
    "Shapes are ne, innermost first. The checksum is the sha256 of one line per\n"
    "tensor, in file order: NAME<tab>TYPE<tab>NE0,NE1,...<tab>SHA256<newline>.\n"
    "Metadata (key/value pairs) is left out on purpose: editing it keeps the\n"
    "checksum, changing any tensor byte, type, shape, name or the tensor order\n"
    "changes it, and a split set has the checksum of the unsplit file. It can be\n"
    "recomputed from the manifest:\n"
    "\n"
    "  jq -j '.tensors[] | \"\\(.name)\\t\\(.type)\\t\\(.shape | map(tostring) |\n"
    "        join(\",\"))\\t\\(.sha256)\\n\"' manifest.json | sha256sum\n"
    "\n"
    "options:\n"
    "  --help   this help\n"
    "\n"
    "Exit status: 0 success, 1 unreadable or invalid file, 2 usage error.\n";

/* ---------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------- */

/* Sets *path from argv; returns -1 to go on, else the exit status to return. */
static int parse_args(int argc, char **argv, const char **path) {
    return h2g_parse_file_args("checksum", usage, argc, argv, NULL, path);
}

/* ---------------------------------------------------------------------------
 * The manifest
 * ------------------------------------------------------------------------- */

/* Adds item to obj under name; false (and item freed) when either is
 * missing, so that a chain of adds needs one check. */
static bool add(cJSON *obj, const char *name, cJSON *item) {
    if (obj && item && cJSON_AddItemToObject(obj, name, item)) return true;
    cJSON_Delete(item);
    return false;
}

/* {"name", "type", "shape", "sha256"} for one tensor. */
static cJSON *tensor_json(const h2g_set_tensor *t, const char *hex) {
    cJSON *o = cJSON_CreateObject(), *shape = cJSON_CreateArray();
    bool ok = shape != NULL;
    for (uint32_t d = 0; ok && d < t->info.n_dims; d++)
        ok = cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->info.ne[d]));
    if (!ok) {
        cJSON_Delete(shape);
        shape = NULL;
    }
    ok = add(o, "name", cJSON_CreateString(t->info.name)) &&
         add(o, "type", cJSON_CreateString(h2g_ggml_type_name(t->info.type))) &&
         add(o, "shape", shape) && add(o, "sha256", cJSON_CreateString(hex));
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}

/* The whole manifest, or NULL when out of memory. */
static cJSON *manifest_json(const h2g_gguf_set *s, const char *path) {
    char (*hex)[65] = malloc((s->n_tensors ? s->n_tensors : 1) * sizeof *hex);
    char total[65];
    if (!hex) return NULL;
    h2g_gguf_set_checksum(s, hex, total);
    cJSON *o = cJSON_CreateObject(), *tensors = cJSON_CreateArray();
    bool ok = add(o, "file", cJSON_CreateString(path)) && add(o, "tensors", tensors);
    for (size_t i = 0; ok && i < s->n_tensors; i++) {
        cJSON *t = tensor_json(&s->tensors[i], hex[i]);
        ok = t && cJSON_AddItemToArray(tensors, t);
        if (!ok) cJSON_Delete(t);
    }
    ok = ok && add(o, "sha256", cJSON_CreateString(total));
    free(hex);
    if (ok) return o;
    cJSON_Delete(o);
    return NULL;
}

/* ---------------------------------------------------------------------------
 * The command
 * ------------------------------------------------------------------------- */

int h2g_cmd_checksum(int argc, char **argv) {
    const char *path = NULL;
    int rc = parse_args(argc, argv, &path);
    if (rc >= 0) return rc;
    h2g_gguf_set s;
    h2g_error err = {0};
    if (h2g_gguf_set_open(&s, path, &err) != 0) {
        cli_print_error(err.msg);
        return H2G_EXIT_ERROR;
    }
    cJSON *j = manifest_json(&s, path);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    h2g_gguf_set_close(&s);
    if (!text) {
        fputs("hf2gguf: error: out of memory building the manifest\n", stderr);
        return H2G_EXIT_ERROR;
    }
    puts(text);
    free(text);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("hf2gguf: error: cannot write to standard output\n", stderr);
        return H2G_EXIT_ERROR;
    }
    return H2G_EXIT_OK;
}
