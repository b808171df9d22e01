/* registry.c - which module plans which HF architecture, and how people
 * know it: one entry each. The descriptions are README's "Supported
 * checkouts" table (h2g_architectures in convert/driver.c serves them;
 * tests/cli/test_architectures.sh keeps the two equal). */
#include <string.h>

#include "arch/arch.h"
#include "arch/ollama.h"
#include "plan/quant_rules.h"

#define BF16 "bf16 safetensors"

static const h2g_arch archs[] = {
    {"DeepseekV2ForCausalLM", h2g_deepseek2_plan, NULL, &h2g_deepseek2_ollama,
     &h2g_deepseek2_quant, "deepseek2", "DeepSeek-V2, V2-Lite, V2.5 (base and chat)", BF16},
    {"DeepseekV3ForCausalLM", h2g_deepseek2_plan, NULL, &h2g_deepseek2_ollama,
     &h2g_deepseek2_quant, "deepseek2",
     "DeepSeek-V3, V3.1, R1; Kimi-K2-Base, K2-Instruct, K2-Instruct-0905, K2-Thinking",
     "FP8 (e4m3, 128x128 block scales) or bf16 safetensors; Kimi-K2: tiktoken.model "
     "vocabulary; K2-Thinking: compressed-tensors INT4 (pack-quantized) experts"},
    {"DeepseekOCRForCausalLM", h2g_deepseek2_plan, h2g_deepseek_ocr_mmproj_plan,
     &h2g_deepseek_ocr_ollama, &h2g_deepseek2_quant, "deepseek2-ocr + clip (mmproj)",
     "DeepSeek-OCR", BF16},
    /* Ollama has no layout for OCR-2 */
    {"DeepseekOCR2ForCausalLM", h2g_deepseek2_plan, h2g_deepseek_ocr2_mmproj_plan, NULL,
     &h2g_deepseek2_quant, "deepseek2-ocr + clip (mmproj)", "DeepSeek-OCR-2", BF16},
    /* Ollama has no layout for DeepSeek-V4 */
    {"DeepseekV4ForCausalLM", h2g_deepseek4_plan, NULL, NULL, &h2g_deepseek4_quant, "deepseek4",
     "DeepSeek-V4-Flash (284B), V4-Pro (1.6T), their -Base",
     "fp8 + E8M0 scales, fp4 experts; always written MXFP4_MOE"},
    /* Ollama has no layout for these two; llama-quantize's generic rules
     * apply to them as to deepseek2 (checked against it, every type) */
    {"DeepseekV32ForCausalLM", h2g_deepseek32_plan, NULL, NULL, &h2g_deepseek2_quant, "deepseek32",
     "DeepSeek-V3.2, V3.2-Exp, V3.2-Speciale",
     "FP8 (e4m3, ue8m0 power-of-two block scales) safetensors"},
    {"DeepseekForCausalLM", h2g_deepseek_plan, NULL, NULL, &h2g_deepseek2_quant, "deepseek",
     "deepseek-moe-16b-base, deepseek-moe-16b-chat", BF16},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define N_ARCHS (sizeof archs / sizeof archs[0] - 1)

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

const h2g_arch *h2g_arch_list(size_t *n) {
    *n = N_ARCHS;
    return archs;
}
