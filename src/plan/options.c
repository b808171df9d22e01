/* options.c - the planning options' defaults and the layout names
 * (see include/hf2gguf/plan_options.h). */
#include "hf2gguf/plan_options.h"

#include <string.h>

const char *h2g_layout_name(h2g_layout l) {
    return l == H2G_LAYOUT_OLLAMA ? "ollama" : "llama.cpp";
}

bool h2g_layout_parse(const char *s, h2g_layout *out) {
    if (!strcmp(s, "llama.cpp")) *out = H2G_LAYOUT_LLAMA_CPP;
    else if (!strcmp(s, "ollama")) *out = H2G_LAYOUT_OLLAMA;
    else return false;
    return true;
}

void h2g_convert_options_init(h2g_convert_options *o) {
    memset(o, 0, sizeof *o);
    o->outtype = H2G_OUT_AUTO;
    o->want_model = true;
}
