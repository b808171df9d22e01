/*
 * ocr_vision.h - the vision projector (mmproj) of DeepSeek-OCR and OCR-2.
 *
 * Both versions share the SAM ViT-B tower, the linear projector and the
 * separators; they differ in the second encoder (CLIP-L for OCR, a Qwen2
 * decoder used as an encoder for OCR-2) and in a few clip.* keys. Each
 * version file (deepseek_ocr.c, deepseek_ocr2.c) describes its encoder with
 * an h2g_ocr_encoder; this file does the rest (conversion-reference.md
 * section 5).
 */
#ifndef HF2GGUF_ARCH_OCR_VISION_H
#define HF2GGUF_ARCH_OCR_VISION_H

#include "arch/arch.h"

/* The clip.vision.* numbers of the second encoder. */
typedef struct h2g_ocr_params {
    uint32_t image_size, patch_size;
    uint32_t embedding_length, feed_forward_length, block_count, head_count;
    uint32_t head_count_kv; /* 0: not written */
} h2g_ocr_params;

typedef struct h2g_ocr_encoder {
    const char *projector_type;   /* clip.projector_type */
    uint32_t preproc_max_tiles;   /* clip.vision.preproc_max_tiles: a constant of the
                                   * reference's converter class (min is 2 for both) */
    const char *width_key;        /* its entry in vision_config.width */
    const h2g_name_rule *names;   /* its tensors */
    /* Reads the encoder's numbers from vision_config (vc) and its width
     * entry (w). */
    int (*read_params)(const cJSON *vc, const cJSON *w, h2g_ocr_params *p, h2g_error *err);
} h2g_ocr_encoder;

/* Plans the mmproj file of an OCR checkout whose second encoder is enc. */
int h2g_ocr_vision_plan(const h2g_checkout *co, const h2g_convert_options *o,
                        const h2g_ocr_encoder *enc, h2g_plan *out, h2g_error *err);

#endif
