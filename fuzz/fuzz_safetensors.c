/* fuzz_safetensors.c - the input is a whole safetensors file, given to
 * h2g_st_parse_header as the checkout would give it: the first bytes of the
 * file (at most 8 + H2G_ST_MAX_HEADER) and the file's size. */
#include <stdint.h>
#include <string.h>

#include "hf2gguf/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 8) return 0; /* the checkout rejects these before parsing */
    h2g_st_header h;
    h2g_error err = {0};
    memset(&h, 0, sizeof h);
    size_t head = size < 8 + (size_t)H2G_ST_MAX_HEADER ? size : 8 + (size_t)H2G_ST_MAX_HEADER;
    if (h2g_st_parse_header(&h, data, head, size, 0, "fuzz.safetensors", &err) == 0) {
        /* What a later stage trusts: every range is inside the file. */
        for (size_t i = 0; i < h.n_tensors; i++) {
            const h2g_st_tensor *t = &h.tensors[i];
            if (t->offset > size || t->nbytes > size - t->offset) __builtin_trap();
            if (t->n_elements * h2g_dtype_size(t->dtype) != t->nbytes) __builtin_trap();
            if (i > 0 && strcmp(h.tensors[i - 1].name, t->name) >= 0) __builtin_trap();
        }
    } else if (err.msg[0] == '\0' || !strstr(err.msg, "fuzz.safetensors")) {
        __builtin_trap(); /* every error must say which file */
    }
    h2g_st_header_free(&h);
    return 0;
}
