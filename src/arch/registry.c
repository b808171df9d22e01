/* registry.c - which module plans which HF architecture. One line each. */
#include <string.h>

#include "arch/arch.h"
#include "arch/ollama.h"
#include "plan/quant_rules.h"

static const h2g_arch archs[] = {
    {"DeepseekV2ForCausalLM", h2g_deepseek2_plan, NULL, &h2g_deepseek2_ollama,
     &h2g_deepseek2_quant},
    {"DeepseekV3ForCausalLM", h2g_deepseek2_plan, NULL, &h2g_deepseek2_ollama,
     &h2g_deepseek2_quant},
    {"DeepseekOCRForCausalLM", h2g_deepseek2_plan, h2g_deepseek_ocr_mmproj_plan,
     &h2g_deepseek_ocr_ollama, &h2g_deepseek2_quant},
    /* Ollama has no layout for OCR-2 */
    {"DeepseekOCR2ForCausalLM", h2g_deepseek2_plan, h2g_deepseek_ocr2_mmproj_plan, NULL,
     &h2g_deepseek2_quant},
    /* Ollama has no layout for DeepSeek-V4 */
    {"DeepseekV4ForCausalLM", h2g_deepseek4_plan, NULL, NULL, &h2g_deepseek4_quant},
    /* neither Ollama nor --quantize rules for these two yet */
    {"DeepseekV32ForCausalLM", h2g_deepseek32_plan, NULL, NULL, NULL},
    {"DeepseekForCausalLM", h2g_deepseek_plan, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const h2g_arch *h2g_arch_find(const char *hf_name) {
    for (int i = 0; archs[i].hf_name; i++)
        if (!strcmp(archs[i].hf_name, hf_name)) return &archs[i];
    return NULL;
}

const char *const *h2g_supported_architectures(void) {
    static const char *names[sizeof archs / sizeof archs[0]];
    for (size_t i = 0; archs[i].hf_name; i++) names[i] = archs[i].hf_name;
    return names;
}
