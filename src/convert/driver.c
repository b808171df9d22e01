/* driver.c - choosing the architecture module and planning outputs
 * (see include/hf2gguf/convert.h). */
#include "hf2gguf/convert.h"

#include <string.h>

#include "arch/arch.h"
#include "arch/ollama.h"
#include "plan/quant_rules.h"

/* The list of supported names, for error messages. */
static void supported_list(char *buf, size_t size) {
    const char *const *names = h2g_supported_architectures();
    buf[0] = '\0';
    for (int i = 0; names[i]; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, names[i], size - strlen(buf) - 1);
    }
}

static const h2g_arch *find_arch(const h2g_checkout *co, h2g_error *err) {
    const char *name = NULL;
    if (h2g_checkout_architecture(co, &name, err) != 0) return NULL;
    const h2g_arch *a = h2g_arch_find(name);
    if (!a) {
        char list[512];
        supported_list(list, sizeof list);
        h2g_fail(err, "config.json: architecture '%s' is not supported (supported: %s)", name,
                 list);
    }
    return a;
}

/* The registry's descriptions, in the public form. */
const h2g_arch_info *h2g_architectures(size_t *n) {
    static h2g_arch_info infos[32];
    const h2g_arch *a = h2g_arch_list(n);
    if (*n > sizeof infos / sizeof infos[0]) *n = sizeof infos / sizeof infos[0];
    for (size_t i = 0; i < *n; i++)
        infos[i] = (h2g_arch_info){a[i].hf_name, a[i].gguf_arch, a[i].models, a[i].formats};
    return infos;
}

bool h2g_convert_has_mmproj(const h2g_checkout *co) {
    h2g_error ignored;
    const h2g_arch *a = find_arch(co, &ignored);
    return a && a->plan_mmproj;
}

/* Ollama's layout: one file, from the module's table. */
static int plan_ollama(const h2g_checkout *co, const h2g_arch *a, const h2g_convert_options *o,
                       h2g_plan *plans, size_t *n_plans, h2g_error *err) {
    if (!a->ollama)
        return h2g_fail(err, "config.json: Ollama's layout has no form for %s (it has "
                             "DeepseekV2/V3ForCausalLM and DeepseekOCRForCausalLM); use the "
                             "llama.cpp layout", a->hf_name);
    if (o->want_mmproj)
        return h2g_fail(err, "Ollama's layout is one file holding the vision tensors too; "
                             "there is no separate mmproj to write");
    if (o->outtype != H2G_OUT_AUTO)
        return h2g_fail(err, "Ollama's layout fixes each tensor's type as Ollama's converter "
                             "does; --outtype must be auto (quantize afterwards with ollama "
                             "create --quantize)");
    if (h2g_ollama_plan(co, o, a->ollama, &plans[0], err) != 0) return -1;
    if (h2g_plan_layout(&plans[0], err) != 0) {
        h2g_plan_free(&plans[0]);
        return -1;
    }
    /* Ollama's writer stops at the last tensor's last byte: no padding after it. */
    if (plans[0].n_tensors > 0) {
        const h2g_tensor_info *last = &plans[0].tensors[plans[0].n_tensors - 1].info;
        plans[0].data_size = last->offset + last->nbytes;
    }
    *n_plans = 1;
    return 0;
}

/* --quantize: what llama-quantize would refuse, or we cannot do, before
 * anything is planned. */
static int check_quantize(const h2g_arch *a, const h2g_convert_options *o, h2g_error *err) {
    if (o->layout == H2G_LAYOUT_OLLAMA)
        return h2g_fail(err, "--quantize makes llama-quantize's file; Ollama's layout is "
                             "quantized by ollama create --quantize instead");
    if (o->outtype == H2G_OUT_Q8_0)
        return h2g_fail(err, "--quantize reads the converter's f32, f16 or bf16 output "
                             "(--outtype auto by default), not its q8_0");
    if (o->vocab_only)
        return h2g_fail(err, "--vocab-only writes no tensors, so there is nothing to quantize");
    if (!a->quant)
        return h2g_fail(err, "%s cannot be quantized by hf2gguf yet (no llama-quantize rules "
                             "for it)", a->hf_name);
    return 0;
}

/* The text model through llama-quantize's stage (the mmproj is never
 * quantized: llama-quantize refuses clip files). */
static int plan_quantized(const h2g_arch *a, const h2g_convert_options *o, h2g_plan *p,
                          h2g_error *err) {
    if (!o->quantize || strcmp(p->role, "model") != 0) return 0;
    return h2g_quant_plan(p, o->quantize, a->quant, err);
}

int h2g_convert_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *plans,
                     size_t *n_plans, h2g_error *err) {
    *n_plans = 0;
    const h2g_arch *a = find_arch(co, err);
    if (!a) return -1;
    if (o->quantize && check_quantize(a, o, err) != 0) return -1;
    if (o->layout == H2G_LAYOUT_OLLAMA) return plan_ollama(co, a, o, plans, n_plans, err);
    if (o->want_mmproj && !a->plan_mmproj)
        return h2g_fail(err, "this architecture has no vision projector (mmproj) to write");
    h2g_plan_fn fns[H2G_MAX_OUTPUTS];
    size_t n = 0;
    if (o->want_model) fns[n++] = a->plan_model;
    if (o->want_mmproj) fns[n++] = a->plan_mmproj;
    for (size_t i = 0; i < n; i++) {
        int rc = fns[i](co, o, &plans[i], err);
        if (rc == 0) plans[i].unpadded_when_empty = o->vocab_only; /* as the reference writes it */
        if (rc != 0 || plan_quantized(a, o, &plans[i], err) != 0 ||
            h2g_plan_layout(&plans[i], err) != 0) {
            if (fns[i] && plans[i].role) h2g_plan_free(&plans[i]);
            for (size_t j = 0; j < i; j++) h2g_plan_free(&plans[j]);
            return -1;
        }
    }
    *n_plans = n;
    return 0;
}
