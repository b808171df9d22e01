/* layout.c - telling llama.cpp's layout from Ollama's in a parsed file
 * (see include/hf2gguf/gguf.h). */
#include <string.h>

#include "hf2gguf/gguf.h"

/* Ollama's deepseekocr is its own architecture. Its deepseek2 shares the
 * architecture name with llama.cpp's, but has no MLA head sizes (kv_b is
 * kept whole) and, unlike llama.cpp's converter, writes token scores for a
 * BPE vocabulary and no general.name. */
const char *h2g_gguf_which_layout(const h2g_kv_list *kv) {
    const char *arch;
    if (!h2g_kv_get_str(kv, "general.architecture", &arch)) return NULL;
    if (!strcmp(arch, "deepseekocr")) return "ollama";
    if (!strcmp(arch, "deepseek2") && !h2g_kv_get(kv, "deepseek2.attention.key_length_mla") &&
        h2g_kv_get(kv, "tokenizer.ggml.scores") && !h2g_kv_get(kv, "general.name"))
        return "ollama";
    if (!strcmp(arch, "deepseek2") || !strcmp(arch, "deepseek2-ocr") || !strcmp(arch, "clip"))
        return "llama.cpp";
    return NULL;
}
