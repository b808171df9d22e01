/* ftype.c - llama-quantize's file types: names, ids, default tensor types
 * (see include/hf2gguf/ftype.h; quantization-reference.md §1.6). */
#include "hf2gguf/ftype.h"

#include <strings.h>

/* ggml type ids of the default tensor types. */
enum { Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q2_K = 10, Q3_K = 11, Q4_K = 12,
       Q5_K = 13, Q6_K = 14, IQ4_NL = 20, IQ4_XS = 23, TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39 };

static const h2g_ftype ftypes[] = {
    {"Q4_0", H2G_FTYPE_Q4_0, Q4_0},
    {"Q4_1", H2G_FTYPE_Q4_1, Q4_1},
    {"Q5_0", H2G_FTYPE_Q5_0, Q5_0},
    {"Q5_1", H2G_FTYPE_Q5_1, Q5_1},
    {"Q8_0", H2G_FTYPE_Q8_0, Q8_0},
    {"Q2_K", H2G_FTYPE_Q2_K, Q2_K},
    {"Q2_K_S", H2G_FTYPE_Q2_K_S, Q2_K},
    {"Q3_K_S", H2G_FTYPE_Q3_K_S, Q3_K},
    {"Q3_K_M", H2G_FTYPE_Q3_K_M, Q3_K},
    {"Q3_K_L", H2G_FTYPE_Q3_K_L, Q3_K},
    {"Q4_K_S", H2G_FTYPE_Q4_K_S, Q4_K},
    {"Q4_K_M", H2G_FTYPE_Q4_K_M, Q4_K},
    {"Q5_K_S", H2G_FTYPE_Q5_K_S, Q5_K},
    {"Q5_K_M", H2G_FTYPE_Q5_K_M, Q5_K},
    {"Q6_K", H2G_FTYPE_Q6_K, Q6_K},
    {"IQ4_NL", H2G_FTYPE_IQ4_NL, IQ4_NL},
    {"IQ4_XS", H2G_FTYPE_IQ4_XS, IQ4_XS},
    {"TQ1_0", H2G_FTYPE_TQ1_0, TQ1_0},
    {"TQ2_0", H2G_FTYPE_TQ2_0, TQ2_0},
    {"MXFP4_MOE", H2G_FTYPE_MXFP4_MOE, MXFP4},
};

/* llama-quantize's short names for the middle K mixes. */
static const struct { const char *alias, *name; } aliases[] = {
    {"Q3_K", "Q3_K_M"}, {"Q4_K", "Q4_K_M"}, {"Q5_K", "Q5_K_M"},
};

const h2g_ftype *h2g_ftype_list(size_t *n) {
    *n = sizeof ftypes / sizeof ftypes[0];
    return ftypes;
}

const h2g_ftype *h2g_ftype_find(const char *name) {
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcasecmp(name, aliases[i].alias)) name = aliases[i].name;
    for (size_t i = 0; i < sizeof ftypes / sizeof ftypes[0]; i++)
        if (!strcasecmp(name, ftypes[i].name)) return &ftypes[i];
    return NULL;
}
