/* manifest_check.c - compares a GGUF file with a reference manifest (as
 * written by shared/tools/gguf_manifest.py) without Python.
 *
 *   manifest_check EXPECTED.manifest.json FILE.gguf
 *
 * Prints IDENTICAL and exits 0 when the file's sha256 equals the manifest's
 * layout.file_sha256 (every byte the same). Otherwise it says what differs:
 * KV order, tensor order, and each tensor whose type, shape or data sha256
 * differs, and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hf2gguf/gguf.h"
#include "base/sha256.h"
#include "base/util.h"

static int differences;

static void differ(const char *fmt, const char *a, const char *b) {
    differences++;
    printf(fmt, a, b);
    putchar('\n');
}

static void compare_tensors(const cJSON *m, const h2g_gguf_file *f) {
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(m, "tensors")) {
        const char *name = cJSON_GetObjectItem(t, "name")->valuestring;
        long i = h2g_gguf_find_tensor(f, name);
        if (i < 0) {
            differ("tensor %s: missing%s", name, "");
            continue;
        }
        const h2g_tensor_info *ti = &f->tensors[i];
        const char *type = cJSON_GetObjectItem(t, "ggml_type")->valuestring;
        if (strcmp(type, h2g_ggml_type_name(ti->type)))
            differ("tensor %s: type differs (expected %s)", name, type);
        char hex[65];
        h2g_sha256_hex_of(h2g_gguf_tensor_data(f, (size_t)i), (size_t)ti->nbytes, hex);
        if (strcmp(hex, cJSON_GetObjectItem(t, "sha256")->valuestring))
            differ("tensor %s: data differs%s", name, "");
    }
}

static void compare_order(const cJSON *m, const h2g_gguf_file *f) {
    const cJSON *kv = cJSON_GetObjectItem(m, "kv_order");
    if ((size_t)cJSON_GetArraySize(kv) != f->kv.n) differ("KV count differs%s%s", "", "");
    for (size_t i = 0; i < f->kv.n && i < (size_t)cJSON_GetArraySize(kv); i++) {
        const char *want = cJSON_GetArrayItem(kv, (int)i)->valuestring;
        if (strcmp(want, f->kv.items[i].key.data))
            differ("KV order: expected %s, found %s", want, f->kv.items[i].key.data);
    }
    const cJSON *to = cJSON_GetObjectItem(m, "tensor_order");
    if ((size_t)cJSON_GetArraySize(to) != f->n_tensors) differ("tensor count differs%s%s", "", "");
    for (size_t i = 0; i < f->n_tensors && i < (size_t)cJSON_GetArraySize(to); i++) {
        const char *want = cJSON_GetArrayItem(to, (int)i)->valuestring;
        if (strcmp(want, f->tensors[i].name))
            differ("tensor order: expected %s, found %s", want, f->tensors[i].name);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: manifest_check EXPECTED.manifest.json FILE.gguf\n");
        return 2;
    }
    h2g_error err;
    char *text;
    size_t len;
    if (h2g_read_small_file(argv[1], argv[1], 1u << 28, false, &text, &len, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    cJSON *m = cJSON_Parse(text);
    free(text);
    h2g_gguf_file f;
    if (!m || h2g_gguf_open(&f, argv[2], &err) != 0) {
        fprintf(stderr, "%s\n", m ? err.msg : "bad manifest");
        return 1;
    }
    char hex[65];
    h2g_sha256_hex_of(f.map, (size_t)f.size, hex);
    const char *want = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "layout"), "file_sha256")->valuestring;
    int rc = 0;
    if (!strcmp(hex, want)) {
        printf("IDENTICAL: %zu KVs, %zu tensors\n", f.kv.n, f.n_tensors);
    } else {
        compare_order(m, &f);
        compare_tensors(m, &f);
        printf("DIFFERENT: file sha256 %s, expected %s (%d differences above)\n", hex, want,
               differences);
        rc = 1;
    }
    h2g_gguf_close(&f);
    cJSON_Delete(m);
    return rc;
}
