/* fuzz_tiktoken.c - the input is a tiktoken.model text, given to the strict
 * reader of src/vocab/tiktoken.c and, when it is accepted, to the merge
 * rebuild (a BPE run per token over a hash map of all tokens) and GPT-2's
 * byte table. Nothing is written or read from disk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vocab/tiktoken.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    h2g_tiktoken tk;
    h2g_error err = {0};
    if (h2g_tiktoken_parse((const char *)data, size, "tiktoken.model", &tk, &err) != 0) {
        if (err.msg[0] == '\0') __builtin_trap(); /* a failure must say what was wrong */
        return 0;
    }
    uint32_t *split = malloc(tk.n * sizeof *split);
    if (split && h2g_tiktoken_merge_splits(&tk, split, &err) == 0) {
        for (size_t i = 0; i < tk.n; i++) {
            size_t len = tk.start[i + 1] - tk.start[i];
            /* A merge splits a token of two or more bytes into two parts. */
            if (split[i] && (len < 2 || split[i] >= len)) __builtin_trap();
            char *s = malloc(2 * len + 1);
            if (s && h2g_bytes_to_unicode(tk.bytes + tk.start[i], len, s) != strlen(s))
                __builtin_trap();
            free(s);
        }
    }
    free(split);
    h2g_tiktoken_free(&tk);
    return 0;
}
