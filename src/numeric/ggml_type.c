/* ggml_type.c - the ggml tensor types: names, block sizes, bytes per block
 * (see include/hf2gguf/ggml_type.h). A numeric fact, not a GGUF one: the
 * encoders, the quantizers and the GGUF reader and writer all size data by it. */
#include <stddef.h>

#include "hf2gguf/ggml_type.h"

typedef struct type_info {
    const char *name;
    uint32_t block_elems, block_bytes;
} type_info;

/* Block size and bytes per block of every type ggml's reader knows (ggml.c
 * type_traits), so that inspect can read files quantized elsewhere. Q8_1 is
 * 36 bytes in ggml (gguf-py says 40; ggml is what loads the files). */
static const type_info ggml_types[] = {
    [0] = {"F32", 1, 4},          [1] = {"F16", 1, 2},         [2] = {"Q4_0", 32, 18},
    [3] = {"Q4_1", 32, 20},       [6] = {"Q5_0", 32, 22},      [7] = {"Q5_1", 32, 24},
    [8] = {"Q8_0", 32, 34},       [9] = {"Q8_1", 32, 36},      [10] = {"Q2_K", 256, 84},
    [11] = {"Q3_K", 256, 110},    [12] = {"Q4_K", 256, 144},   [13] = {"Q5_K", 256, 176},
    [14] = {"Q6_K", 256, 210},    [15] = {"Q8_K", 256, 292},   [16] = {"IQ2_XXS", 256, 66},
    [17] = {"IQ2_XS", 256, 74},   [18] = {"IQ3_XXS", 256, 98}, [19] = {"IQ1_S", 256, 50},
    [20] = {"IQ4_NL", 32, 18},    [21] = {"IQ3_S", 256, 110},  [22] = {"IQ2_S", 256, 82},
    [23] = {"IQ4_XS", 256, 136},  [24] = {"I8", 1, 1},         [25] = {"I16", 1, 2},
    [26] = {"I32", 1, 4},         [27] = {"I64", 1, 8},        [28] = {"F64", 1, 8},
    [29] = {"IQ1_M", 256, 56},    [30] = {"BF16", 1, 2},       [34] = {"TQ1_0", 256, 54},
    [35] = {"TQ2_0", 256, 66},    [39] = {"MXFP4", 32, 17},
};

/* The table row of a ggml type id, or NULL when we do not know it. */
static const type_info *find_type(uint32_t type) {
    if (type >= sizeof ggml_types / sizeof ggml_types[0] || !ggml_types[type].name) return NULL;
    return &ggml_types[type];
}

bool h2g_ggml_type_info(uint32_t type, uint32_t *block_elems, uint32_t *block_bytes) {
    const type_info *t = find_type(type);
    if (!t) return false;
    if (block_elems) *block_elems = t->block_elems;
    if (block_bytes) *block_bytes = t->block_bytes;
    return true;
}

const char *h2g_ggml_type_name(uint32_t type) {
    const type_info *t = find_type(type);
    return t ? t->name : "?";
}
