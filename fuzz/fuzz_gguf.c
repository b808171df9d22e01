/* fuzz_gguf.c - the input is a whole GGUF file, given to h2g_gguf_parse.
 * When it parses, every KV and tensor is walked and the file is rendered as
 * JSON, as `hf2gguf inspect --json --full --tensors` would. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/gguf_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every byte a KV claims to hold, so ASan sees a bad length. */
static uint64_t walk_kv(const h2g_kv *kv) {
    volatile uint64_t sum = kv->key.len;
    for (uint64_t i = 0; i < kv->key.len; i++) sum += (uint8_t)kv->key.data[i];
    if (kv->type == H2G_VT_STRING)
        for (uint64_t i = 0; i < kv->str.len; i++) sum += (uint8_t)kv->str.data[i];
    if (kv->type == H2G_VT_ARRAY) {
        if (kv->arr_type == H2G_VT_STRING) {
            for (uint64_t i = 0; i < kv->n; i++)
                for (uint64_t j = 0; j < kv->strs[i].len; j++) sum += (uint8_t)kv->strs[i].data[j];
        } else {
            size_t es = h2g_value_type_size(kv->arr_type);
            const uint8_t *a = kv->arr;
            for (uint64_t i = 0; i < kv->n * es; i++) sum += a[i];
        }
    }
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    h2g_gguf_file f;
    h2g_error err = {0};
    memset(&f, 0, sizeof f);
    if (h2g_gguf_parse(&f, data, size, "fuzz.gguf", &err) != 0) {
        if (!strstr(err.msg, "fuzz.gguf")) __builtin_trap(); /* errors name the file */
        h2g_gguf_close(&f);
        return 0;
    }
    volatile uint64_t sum = 0;
    for (size_t i = 0; i < f.kv.n; i++) {
        char label[32];
        sum += walk_kv(&f.kv.items[i]);
        sum += strlen(h2g_kv_type_label(&f.kv.items[i], label, sizeof label));
    }
    for (size_t i = 0; i < f.n_tensors; i++) {
        const h2g_tensor_info *t = &f.tensors[i];
        const uint8_t *p = h2g_gguf_tensor_data(&f, i);
        /* The promise of gguf.h: all data inside the file. */
        if (!p || p < data || t->nbytes > (uint64_t)(data + size - p)) __builtin_trap();
        if (t->nbytes) sum += p[0] + p[t->nbytes - 1];
        if (h2g_gguf_find_tensor(&f, t->name) != (long)i) __builtin_trap();
    }
    (void)sum;
    cJSON *j = h2g_gguf_to_json(&f, true, true);
    if (j) {
        char *s = cJSON_PrintUnformatted(j);
        free(s);
        cJSON_Delete(j);
    }
    h2g_gguf_close(&f);
    return 0;
}
