/* test_verify.c - h2g_verify (hf2gguf/verify.h) and `hf2gguf verify --json`.
 *
 *  1. every expected GGUF of the fixtures verifies clean;
 *  2. files corrupted on purpose (an expected file parsed, its KVs or tensor
 *     infos edited, re-encoded with the same tensor data; or header bytes
 *     patched) give the problem line that names what is wrong: one table of
 *     cases, each with an edit and the line it must produce;
 *  3. the command line's --json output parses and says the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/verify.h"
#include "base/util.h"

#define EXPECTED(fixture, file) TEST_DATA_DIR "/" fixture "/expected/" file
#define V3 EXPECTED("deepseek-v3-tiny", "deepseek-v3-tiny-f16.gguf")
#define V2_LITE EXPECTED("deepseek-v2-lite-tiny", "deepseek-v2-lite-tiny-f16.gguf")
#define OCR EXPECTED("deepseek-ocr-tiny", "deepseek-ocr-tiny-f16.gguf")
#define MMPROJ_OCR EXPECTED("deepseek-ocr-tiny", "mmproj-deepseek-ocr-tiny-f16.gguf")
#define MMPROJ_OCR2 EXPECTED("deepseek-ocr2-tiny", "mmproj-deepseek-ocr2-tiny-f16.gguf")
#define V32 EXPECTED("deepseek-v32-tiny", "deepseek-v32-tiny-f16.gguf")
#define MOE EXPECTED("deepseek-moe-tiny", "deepseek-moe-tiny-f16.gguf")

#define WORKDIR_NAME "verify"
#include "workdir.h"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

/* Verifies path; the report must be freed by the caller. */
static h2g_verify_report verify(const char *path) {
    h2g_verify_report rep = {0};
    h2g_error err = {0};
    if (h2g_verify(path, &rep, &err) != 0) fail_msg("h2g_verify(%s): %s", path, err.msg);
    return rep;
}

/* Whether the report has exactly this line. */
static bool has_problem(const h2g_verify_report *rep, const char *line) {
    for (size_t i = 0; i < rep->n_problems; i++)
        if (!strcmp(rep->problems[i], line)) return true;
    return false;
}

static void print_problems(const h2g_verify_report *rep) {
    for (size_t i = 0; i < rep->n_problems; i++) print_message("  problem: %s\n", rep->problems[i]);
}

/* A file being edited: the original (its tensor data), and copies of its
 * KVs and tensor infos to change. src[i] is the original index of tensor i. */
typedef struct edit {
    h2g_gguf_file orig;
    h2g_kv_list kv;
    h2g_tensor_info *tensors;
    size_t *src;
    size_t n;
} edit;

static void edit_open(edit *e, const char *path) {
    h2g_error err = {0};
    memset(e, 0, sizeof *e);
    assert_int_equal(h2g_gguf_open(&e->orig, path, &err), 0);
    for (size_t i = 0; i < e->orig.kv.n; i++)
        assert_int_equal(h2g_kv_set_copy(&e->kv, &e->orig.kv.items[i], &err), 0);
    e->n = e->orig.n_tensors;
    e->tensors = calloc(e->n + 1, sizeof *e->tensors);
    e->src = calloc(e->n + 1, sizeof *e->src);
    memcpy(e->tensors, e->orig.tensors, e->n * sizeof *e->tensors);
    for (size_t i = 0; i < e->n; i++) e->src[i] = i;
}

static void edit_close(edit *e) {
    h2g_kv_list_free(&e->kv);
    free(e->tensors);
    free(e->src);
    h2g_gguf_close(&e->orig);
}

/* Removes a key (rebuilding the list without it). */
static void drop_key(edit *e, const char *key) {
    h2g_kv_list kept = {0};
    h2g_error err = {0};
    assert_non_null(h2g_kv_get(&e->kv, key));
    for (size_t i = 0; i < e->kv.n; i++)
        if (strcmp(e->kv.items[i].key.data, key) != 0)
            assert_int_equal(h2g_kv_set_copy(&kept, &e->kv.items[i], &err), 0);
    h2g_kv_list_free(&e->kv);
    e->kv = kept;
}

static long tensor_index(const edit *e, const char *name) {
    for (size_t i = 0; i < e->n; i++)
        if (!strcmp(e->tensors[i].name, name)) return (long)i;
    fail_msg("no tensor %s", name);
    return -1;
}

static void drop_tensor(edit *e, const char *name) {
    size_t i = (size_t)tensor_index(e, name);
    memmove(e->tensors + i, e->tensors + i + 1, (e->n - i - 1) * sizeof *e->tensors);
    memmove(e->src + i, e->src + i + 1, (e->n - i - 1) * sizeof *e->src);
    e->n--;
}

/* Adds a copy of tensor `like` under another name, at the end. */
static void add_tensor(edit *e, const char *like, const char *name) {
    size_t i = (size_t)tensor_index(e, like);
    e->tensors[e->n] = e->tensors[i];
    snprintf(e->tensors[e->n].name, sizeof e->tensors[e->n].name, "%s", name);
    e->src[e->n] = e->src[i];
    e->n++;
}

/* Writes the edited file to workdir/name (data copied from the original
 * tensors, cut or zero-padded to the new sizes); returns its path. */
static char *edit_write(edit *e, const char *name) {
    h2g_error err = {0};
    uint64_t data_offset, data_size;
    uint8_t *hdr;
    size_t hdr_len;
    assert_int_equal(h2g_gguf_layout(&e->kv, e->tensors, e->n, &data_offset, &data_size, &err), 0);
    assert_int_equal(h2g_gguf_encode_header(&e->kv, e->tensors, e->n, &hdr, &hdr_len, &err), 0);
    uint8_t *file = calloc(1, (size_t)(data_offset + data_size));
    memcpy(file, hdr, hdr_len);
    for (size_t i = 0; i < e->n; i++) {
        uint64_t have = e->orig.tensors[e->src[i]].nbytes, want = e->tensors[i].nbytes;
        memcpy(file + data_offset + e->tensors[i].offset, h2g_gguf_tensor_data(&e->orig, e->src[i]),
               (size_t)(have < want ? have : want));
    }
    char *path = h2g_strfmt("%s/%s", workdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(file, 1, (size_t)(data_offset + data_size), fp),
                     data_offset + data_size);
    fclose(fp);
    free(file);
    free(hdr);
    return path;
}

/* ---------------------------------------------------------------------------
 * 1. The expected files are clean
 * ------------------------------------------------------------------------- */

static void test_expected_files_clean(void **state) {
    (void)state;
    static const struct {
        const char *path, *arch, *projector;
    } files[] = {
        {V3, "deepseek2", NULL},
        {V2_LITE, "deepseek2", NULL},
        {EXPECTED("deepseek-v3-fp8-tiny", "deepseek-v3-fp8-tiny-f16.gguf"), "deepseek2", NULL},
        {OCR, "deepseek2-ocr", NULL},
        {EXPECTED("deepseek-ocr2-tiny", "deepseek-ocr2-tiny-f16.gguf"), "deepseek2-ocr", NULL},
        {MMPROJ_OCR, "clip", "deepseekocr"},
        {MMPROJ_OCR2, "clip", "deepseekocr2"},
        {V32, "deepseek32", NULL},
        {MOE, "deepseek", NULL},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        h2g_verify_report rep = verify(files[i].path);
        print_problems(&rep);
        assert_true(rep.parsed);
        assert_int_equal(rep.n_problems, 0);
        assert_string_equal(rep.architecture, files[i].arch);
        if (files[i].projector) assert_string_equal(rep.projector, files[i].projector);
        else assert_null(rep.projector);
        assert_true(rep.n_kv > 0 && rep.n_tensors > 0);
        h2g_verify_report_free(&rep);
    }
}

/* ---------------------------------------------------------------------------
 * 2. Corrupted files, one table of cases
 * ------------------------------------------------------------------------- */

static void set_u32(edit *e, const char *key, uint32_t v) {
    assert_int_equal(h2g_kv_set_u32(&e->kv, key, v, NULL), 0);
}

static void missing_key(edit *e) { drop_key(e, "deepseek2.attention.kv_lora_rank"); }
static void int32_key(edit *e) {
    assert_int_equal(h2g_kv_set_i32(&e->kv, "deepseek2.expert_count", 8, NULL), 0);
}
static void float_as_u32(edit *e) { set_u32(e, "deepseek2.attention.layer_norm_rms_epsilon", 1); }
static void missing_k_b(edit *e) { drop_tensor(e, "blk.3.attn_k_b.weight"); }
static void missing_norm(edit *e) { drop_tensor(e, "output_norm.weight"); }
static void short_q_a(edit *e) {
    h2g_tensor_info *t = &e->tensors[tensor_index(e, "blk.0.attn_q_a.weight")];
    t->ne[1] = 31;
}
static void kv_b_with_mla(edit *e) {
    add_tensor(e, "blk.0.attn_q_a.weight", "blk.0.attn_kv_b.weight");
}
static void stray_tensor(edit *e) { add_tensor(e, "output_norm.weight", "v.stray.weight"); }
static void layer_past_end(edit *e) {
    add_tensor(e, "blk.0.attn_norm.weight", "blk.4.attn_norm.weight");
}
static void llama_arch(edit *e) {
    assert_int_equal(h2g_kv_set_str(&e->kv, "general.architecture", "llama", NULL), 0);
}
static void no_arch(edit *e) { drop_key(e, "general.architecture"); }
static void no_block_count(edit *e) { drop_key(e, "deepseek2.block_count"); }
static void no_q_lora(edit *e) { drop_key(e, "deepseek2.attention.q_lora_rank"); }
static void lite_without_mla(edit *e) {
    drop_key(e, "deepseek2.attention.key_length_mla");
    drop_key(e, "deepseek2.attention.value_length_mla");
}
static void too_many_used(edit *e) { set_u32(e, "deepseek2.expert_used_count", 9); }
static void groups_not_dividing(edit *e) { set_u32(e, "deepseek2.expert_group_count", 3); }
static void bos_out_of_range(edit *e) { set_u32(e, "tokenizer.ggml.bos_token_id", 400); }
static void no_tokens(edit *e) { drop_key(e, "tokenizer.ggml.tokens"); }

/* Gives token 5 the same string as token 4. */
static void duplicate_token(edit *e) {
    h2g_kv *toks = &e->kv.items[h2g_kv_find(&e->kv, "tokenizer.ggml.tokens")];
    free(toks->strs[5].data);
    toks->strs[5].data = h2g_strdup(toks->strs[4].data);
    toks->strs[5].len = toks->strs[4].len;
}

/* Drops the last token, so token_embd is one row too many. */
static void one_token_less(edit *e) {
    h2g_kv *toks = &e->kv.items[h2g_kv_find(&e->kv, "tokenizer.ggml.tokens")];
    free(toks->strs[toks->n - 1].data);
    toks->n--;
}

static void ocr_freq_base(edit *e) {
    assert_int_equal(h2g_kv_set_f32(&e->kv, "deepseek2-ocr.rope.freq_base", 5000.0f, NULL), 0);
}
static void ocr_mla_tensor(edit *e) {
    add_tensor(e, "blk.0.attn_q.weight", "blk.0.attn_q_a.weight");
}
static void ocr_key_length(edit *e) { set_u32(e, "deepseek2-ocr.attention.key_length", 8); }
static void clip_bad_projector(edit *e) {
    assert_int_equal(h2g_kv_set_str(&e->kv, "clip.projector_type", "llava", NULL), 0);
}
static void clip_no_head_count_kv(edit *e) { drop_key(e, "clip.vision.attention.head_count_kv"); }
static void clip_no_encoder(edit *e) {
    assert_int_equal(h2g_kv_set_bool(&e->kv, "clip.has_vision_encoder", false, NULL), 0);
}
static void clip_short_mean(edit *e) {
    static const float two[] = {0.5f, 0.5f};
    assert_int_equal(h2g_kv_set_array(&e->kv, "clip.vision.image_mean", H2G_VT_FLOAT32, two, 2,
                                      NULL), 0);
}
static void clip_fc_width(edit *e) { set_u32(e, "clip.vision.projection_dim", 48); }
static void clip_no_query(edit *e) { drop_tensor(e, "v.resample_query_768.weight"); }
static void clip_no_sam_block(edit *e) { drop_tensor(e, "v.sam.blk.11.attn.pos_w.weight"); }
static void clip_extra_tensor(edit *e) { add_tensor(e, "v.post_ln.weight", "v.unused.weight"); }
static void v32_no_top_k(edit *e) { drop_key(e, "deepseek32.attention.indexer.top_k"); }
static void v32_no_indexer_proj(edit *e) { drop_tensor(e, "blk.2.indexer.proj.weight"); }
static void v32_short_indexer_k(edit *e) {
    e->tensors[tensor_index(e, "blk.0.indexer.attn_k.weight")].ne[1] = 32;
}
/* The MTP layer's tensors are optional to the loader. */
static void v32_mtp_partial(edit *e) {
    drop_tensor(e, "blk.3.nextn.hnorm.weight");
    drop_tensor(e, "blk.3.indexer.proj.weight");
}
static void v32_nextn_in_model_layer(edit *e) {
    add_tensor(e, "blk.3.nextn.enorm.weight", "blk.1.nextn.enorm.weight");
}
static void v32_all_nextn(edit *e) { set_u32(e, "deepseek32.nextn_predict_layers", 4); }
static void v32_no_gating(edit *e) { drop_key(e, "deepseek32.expert_gating_func"); }
static void moe_rope_dim(edit *e) { set_u32(e, "deepseek.rope.dimension_count", 8); }
static void moe_no_rms(edit *e) { drop_key(e, "deepseek.attention.layer_norm_rms_epsilon"); }
static void moe_kv_heads(edit *e) { set_u32(e, "deepseek.attention.head_count_kv", 2); }

typedef struct corrupt_case {
    const char *name, *base;
    void (*apply)(edit *e);
    const char *problem; /* this exact line must be reported */
    size_t n_problems;   /* and this many problems in all (0: any number) */
} corrupt_case;

static const corrupt_case cases[] = {
    {"missing-key", V3, missing_key, "deepseek2.attention.kv_lora_rank: required key is missing",
     1},
    {"int32-key", V3, int32_key,
     "deepseek2.expert_count: has type INT32, llama.cpp requires UINT32", 1},
    {"u32-for-float", V3, float_as_u32,
     "deepseek2.attention.layer_norm_rms_epsilon: has type UINT32, llama.cpp requires FLOAT32", 1},
    {"missing-tensor", V3, missing_k_b,
     "blk.3.attn_k_b.weight: missing (required because deepseek2.attention.key_length_mla is "
     "present)", 1},
    {"missing-global-tensor", V3, missing_norm, "output_norm.weight: missing", 1},
    {"wrong-shape", V3, short_q_a,
     "blk.0.attn_q_a.weight: shape {64, 31}, expected {64, 32} (embedding_length, "
     "attention.q_lora_rank)", 1},
    {"kv-b-with-mla", V3, kv_b_with_mla,
     "blk.0.attn_kv_b.weight: unexpected tensor (used only when "
     "deepseek2.attention.key_length_mla is absent)", 1},
    {"stray-tensor", V3, stray_tensor,
     "v.stray.weight: unexpected tensor (llama.cpp's deepseek2 loader does not use it)", 1},
    {"layer-past-end", V3, layer_past_end,
     "blk.4.attn_norm.weight: unexpected tensor (layer 4 is not below deepseek2.block_count = 4)",
     1},
    {"unknown-arch", V3, llama_arch,
     "general.architecture: \"llama\" is not an architecture verify knows (deepseek2, "
     "deepseek2-ocr, deepseek32, deepseek, deepseekocr, clip, deepseek4)", 1},
    {"no-arch", V3, no_arch, "general.architecture: required key is missing", 1},
    {"no-block-count", V3, no_block_count, "deepseek2.block_count: required key is missing", 1},
    {"no-q-lora", V3, no_q_lora,
     "deepseek2.attention.q_lora_rank: required key is missing (required because "
     "deepseek2.block_count is not 26 or 27 (llama.cpp's V2-Lite test))", 0},
    {"no-q-lora-tensor-kind", V3, no_q_lora,
     "blk.0.attn_q.weight: missing (required because deepseek2.attention.q_lora_rank is absent "
     "or 0)", 0},
    {"legacy-attention", V2_LITE, lite_without_mla,
     "blk.0.attn_kv_b.weight: missing (required because deepseek2.attention.key_length_mla is "
     "absent)", 0},
    {"too-many-used", V3, too_many_used,
     "deepseek2.expert_used_count: 9 is more than deepseek2.expert_count 8", 1},
    {"groups", V3, groups_not_dividing,
     "deepseek2.expert_group_count: deepseek2.expert_count 8 is not a multiple of 3", 1},
    {"bos-range", V3, bos_out_of_range,
     "tokenizer.ggml.bos_token_id: 400 is not below the token count 400", 1},
    {"no-tokens", V3, no_tokens, "tokenizer.ggml.tokens: required key is missing", 1},
    {"duplicate-token", V3, duplicate_token, NULL, 1},
    {"token-count", V3, one_token_less,
     "token_embd.weight: shape {64, 400}, expected {64, 399} (embedding_length, token count)", 0},
    {"ocr-freq-base", OCR, ocr_freq_base,
     "deepseek2-ocr.rope.freq_base: 5000, the deepseek2-ocr graph requires 10000", 1},
    {"ocr-mla-tensor", OCR, ocr_mla_tensor,
     "blk.0.attn_q_a.weight: unexpected tensor (llama.cpp's deepseek2-ocr loader does not use "
     "it)", 1},
    {"ocr-key-length", OCR, ocr_key_length,
     "deepseek2-ocr.attention.key_length: 8, the deepseek2-ocr graph requires "
     "embedding_length/head_count = 16", 1},
    {"clip-projector", MMPROJ_OCR, clip_bad_projector,
     "clip.projector_type: \"llava\" is not a projector type verify knows for clip "
     "(deepseekocr, deepseekocr2)", 1},
    {"clip-head-count-kv", MMPROJ_OCR2, clip_no_head_count_kv,
     "clip.vision.attention.head_count_kv: required key is missing", 1},
    {"clip-encoder", MMPROJ_OCR, clip_no_encoder,
     "clip.has_vision_encoder: is false, llama.cpp requires true", 1},
    {"clip-mean", MMPROJ_OCR, clip_short_mean,
     "clip.vision.image_mean: has 2 elements, llama.cpp requires at least 3", 1},
    {"clip-fc-width", MMPROJ_OCR2, clip_fc_width,
     "mm.model.fc.weight: shape {56, 32}, expected {*, 48} (any, vision.projection_dim)", 0},
    {"clip-query", MMPROJ_OCR2, clip_no_query, "v.resample_query_768.weight: missing", 1},
    {"clip-sam", MMPROJ_OCR, clip_no_sam_block, "v.sam.blk.11.attn.pos_w.weight: missing", 1},
    {"clip-extra-tensor", MMPROJ_OCR2, clip_extra_tensor, NULL, 0},
    {"v32-no-top-k", V32, v32_no_top_k,
     "deepseek32.attention.indexer.top_k: required key is missing", 1},
    {"v32-no-indexer-proj", V32, v32_no_indexer_proj, "blk.2.indexer.proj.weight: missing", 1},
    {"v32-indexer-shape", V32, v32_short_indexer_k,
     "blk.0.indexer.attn_k.weight: shape {160, 32}, expected {160, 64} (embedding_length, "
     "attention.indexer.key_length)", 1},
    {"v32-mtp-partial", V32, v32_mtp_partial, NULL, 0},
    {"v32-nextn-in-model-layer", V32, v32_nextn_in_model_layer,
     "blk.1.nextn.enorm.weight: unexpected tensor (used only when layer >= "
     "deepseek32.block_count - deepseek32.nextn_predict_layers (an MTP layer))", 1},
    {"v32-all-nextn", V32, v32_all_nextn,
     "deepseek32.nextn_predict_layers: 4 is not below deepseek32.block_count 4", 0},
    {"v32-no-gating", V32, v32_no_gating, "deepseek32.expert_gating_func: required key is missing",
     1},
    {"moe-rope-dim", MOE, moe_rope_dim,
     "deepseek.rope.dimension_count: 8, the deepseek graph requires embedding_length/head_count "
     "= 16", 1},
    {"moe-no-rms", MOE, moe_no_rms,
     "deepseek.attention.layer_norm_rms_epsilon: required key is missing", 1},
    {"moe-kv-heads", MOE, moe_kv_heads,
     "blk.0.attn_k.weight: shape {64, 64}, expected {64, 32} (embedding_length, "
     "head_count_kv*embedding_length/head_count)", 0},
};

static void test_corrupted_files(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const corrupt_case *k = &cases[i];
        edit e;
        edit_open(&e, k->base);
        k->apply(&e);
        char *name = h2g_strfmt("%s.gguf", k->name);
        char *path = edit_write(&e, name);
        h2g_verify_report rep = verify(path);
        bool ok = rep.parsed && (!k->problem || has_problem(&rep, k->problem)) &&
                  (k->n_problems == 0 || rep.n_problems == k->n_problems);
        if (k->problem == NULL && k->n_problems == 0) ok = ok && rep.n_problems == 0;
        if (!ok) {
            print_message("case %s: expected \"%s\" (%zu problems), got:\n", k->name,
                          k->problem ? k->problem : "", k->n_problems);
            print_problems(&rep);
            fail();
        }
        h2g_verify_report_free(&rep);
        free(path);
        free(name);
        edit_close(&e);
    }
}

/* Duplicate tokens: the line names the repeat and the original. */
static void test_duplicate_token_line(void **state) {
    (void)state;
    edit e;
    edit_open(&e, V3);
    duplicate_token(&e);
    char *path = edit_write(&e, "dup.gguf");
    h2g_verify_report rep = verify(path);
    assert_int_equal(rep.n_problems, 1);
    assert_non_null(strstr(rep.problems[0], "tokenizer.ggml.tokens: 1 token string(s) repeat an "
                                            "earlier one (first: id 5 "));
    assert_non_null(strstr(rep.problems[0], "repeats id 4)"));
    h2g_verify_report_free(&rep);
    free(path);
    edit_close(&e);
}

/* A misaligned tensor offset: the reader's message is the only problem, and
 * it does not repeat the file name. */
static void test_misaligned_offset(void **state) {
    (void)state;
    edit e;
    edit_open(&e, V3);
    char *path = edit_write(&e, "misaligned.gguf");
    edit_close(&e);
    /* The second tensor's offset field: after its name, n_dims, ne, type. */
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    uint8_t head[65536];
    size_t len = fread(head, 1, sizeof head, fp);
    const char *name = "blk.0.attn_norm.weight";
    uint8_t *at = memmem(head, len, name, strlen(name));
    assert_non_null(at);
    size_t pos = (size_t)(at - head) + strlen(name) + 4 + 8 + 4; /* 1 dim */
    head[pos] += 4;
    fseek(fp, (long)pos, SEEK_SET);
    fwrite(&head[pos], 1, 1, fp);
    fclose(fp);
    h2g_verify_report rep = verify(path);
    assert_false(rep.parsed);
    assert_int_equal(rep.n_problems, 1);
    print_problems(&rep);
    assert_non_null(strstr(rep.problems[0], "tensor 'blk.0.attn_norm.weight': offset"));
    assert_non_null(strstr(rep.problems[0], "is not a multiple of the alignment 32"));
    assert_null(strstr(rep.problems[0], path));
    assert_null(rep.architecture);
    h2g_verify_report_free(&rep);
    free(path);
}

/* An absurd block count stops at the problem limit instead of listing a
 * billion missing tensors. */
static void test_problem_limit(void **state) {
    (void)state;
    edit e;
    edit_open(&e, V3);
    set_u32(&e, "deepseek2.block_count", 1000000000u);
    char *path = edit_write(&e, "huge.gguf");
    h2g_verify_report rep = verify(path);
    assert_true(rep.n_problems > 100 && rep.n_problems <= 1000);
    assert_non_null(strstr(rep.problems[rep.n_problems - 1], "too many problems"));
    h2g_verify_report_free(&rep);
    free(path);
    edit_close(&e);
}

/* A file that does not exist is an error, not a problem list. */
static void test_missing_file(void **state) {
    (void)state;
    h2g_verify_report rep = {0};
    h2g_error err = {0};
    assert_int_equal(h2g_verify(TEST_DATA_DIR "/no-such.gguf", &rep, &err), -1);
    assert_non_null(strstr(err.msg, "no-such.gguf: cannot open"));
    assert_int_equal(rep.n_problems, 0);
    h2g_verify_report_free(&rep);
}

/* ---------------------------------------------------------------------------
 * 3. The command line's --json
 * ------------------------------------------------------------------------- */

/* Runs `hf2gguf verify --json path`; returns the parsed JSON, checks the
 * exit status. */
static cJSON *run_json(const char *path, int expect_status) {
    char *cmd = h2g_strfmt("%s verify --json '%s'", HF2GGUF_BIN, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0, n;
    char *out = malloc(cap);
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) out = realloc(out, cap *= 2);
    }
    out[len] = '\0';
    int rc = pclose(p);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), expect_status);
    cJSON *j = cJSON_Parse(out);
    if (!j) fail_msg("not JSON: %s", out);
    free(out);
    free(cmd);
    return j;
}

static void test_cli_json(void **state) {
    (void)state;
    cJSON *j = run_json(MMPROJ_OCR2, 0);
    assert_string_equal(cJSON_GetObjectItem(j, "file")->valuestring, MMPROJ_OCR2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    assert_string_equal(cJSON_GetObjectItem(j, "architecture")->valuestring, "clip");
    assert_string_equal(cJSON_GetObjectItem(j, "projector_type")->valuestring, "deepseekocr2");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "problems")), 0);
    cJSON_Delete(j);

    edit e;
    edit_open(&e, V3);
    int32_key(&e);
    missing_k_b(&e);
    char *path = edit_write(&e, "two-problems.gguf");
    edit_close(&e);
    j = run_json(path, 1);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
    assert_string_equal(cJSON_GetObjectItem(j, "architecture")->valuestring, "deepseek2");
    assert_null(cJSON_GetObjectItem(j, "projector_type"));
    const cJSON *problems = cJSON_GetObjectItem(j, "problems");
    assert_int_equal(cJSON_GetArraySize(problems), 2);
    assert_string_equal(cJSON_GetArrayItem(problems, 0)->valuestring,
                        "deepseek2.expert_count: has type INT32, llama.cpp requires UINT32");
    assert_string_equal(cJSON_GetArrayItem(problems, 1)->valuestring,
                        "blk.3.attn_k_b.weight: missing (required because "
                        "deepseek2.attention.key_length_mla is present)");
    cJSON_Delete(j);
    free(path);

    /* An unreadable format: architecture is null, the reader's message is
     * the one problem. */
    path = h2g_strfmt("%s/not-gguf.gguf", workdir);
    FILE *fp = fopen(path, "wb");
    fputs("this is not a GGUF file at all", fp);
    fclose(fp);
    j = run_json(path, 1);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "architecture")));
    problems = cJSON_GetObjectItem(j, "problems");
    assert_int_equal(cJSON_GetArraySize(problems), 1);
    assert_non_null(strstr(cJSON_GetArrayItem(problems, 0)->valuestring, "bad magic"));
    cJSON_Delete(j);
    free(path);
}

/* ---------------------------------------------------------------------------
 * The test run (scratch folder: workdir.h)
 * ------------------------------------------------------------------------- */

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_files_clean),
        cmocka_unit_test(test_corrupted_files),
        cmocka_unit_test(test_duplicate_token_line),
        cmocka_unit_test(test_misaligned_offset),
        cmocka_unit_test(test_problem_limit),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_cli_json),
    };
    return cmocka_run_group_tests(tests, workdir_setup, workdir_teardown);
}
