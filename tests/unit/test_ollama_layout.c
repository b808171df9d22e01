/* test_ollama_layout.c - `convert --layout ollama` against tables written
 * from conversion-reference.md section 8 (and Ollama's convert_deepseek2.go
 * / convert_deepseekocr.go where the doc leaves a point open): every key's
 * name, type and value in file order, every tensor's name, type and shape
 * in Ollama's order, and the data of a few tensors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "hf2gguf/gguf.h"
#include "base/util.h"

#define WORKDIR_NAME "ollama"
#include "workdir.h"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static void run_ok(const char *cmd) {
    int rc = system(cmd);
    if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) fail_msg("command failed: %s", cmd);
}

/* Converts fixture `name` with extra flags to workdir/out; opens it. */
static void convert(const char *name, const char *flags, const char *out, h2g_gguf_file *f) {
    char *path = h2g_strfmt("%s/%s", workdir, out);
    char *cmd = h2g_strfmt("%s convert %s/%s %s --outfile %s --force --quiet", HF2GGUF_BIN,
                           TEST_DATA_DIR, name, flags, path);
    run_ok(cmd);
    h2g_error err;
    if (h2g_gguf_open(f, path, &err) != 0) fail_msg("%s", err.msg);
    free(cmd);
    free(path);
}

static cJSON *read_json(const char *fixture, const char *file) {
    char *path = h2g_strfmt("%s/%s/%s", TEST_DATA_DIR, fixture, file);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    free(path);
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    return j;
}

/* ---------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------- */

/* What a key must hold. Arrays and the chat template are checked against
 * the fixture's tokenizer files by the functions below (TOKENS & co). */
enum { U32, F32, BOOL, STR, I32S, TOKENS, SCORES, TYPES, MERGES, TEMPLATE };

/* Rows: W(key, kind, number), WS(key, string), WA(key, kind) for the
 * arrays checked against the tokenizer files. */
#define W(key, kind, num) {key, kind, num, NULL, {0}, 0}
#define WS(key, str) {key, STR, 0, str, {0}, 0}
#define WA(key, kind) {key, kind, 0, NULL, {0}, 0}
#define W_END {NULL, 0, 0, NULL, {0}, 0}

typedef struct want_kv {
    const char *key;
    int kind;
    double num;      /* U32, F32, BOOL */
    const char *str; /* STR */
    int32_t ints[4]; /* I32S, n_ints of them */
    int n_ints;
} want_kv;

/* The tokenizer as section 8.2 says Ollama writes it: ids in order, added
 * tokens over the vocab, special -> CONTROL (3), other added ->
 * USER_DEFINED (4), else NORMAL (1); then [PAD0].. up to vocab_size with
 * USER_DEFINED and score -1; scores are the ids. */
typedef struct oracle {
    cJSON *tok, *tc;
    const char *text[1024];
    int32_t type[1024];
    size_t n, padded;
} oracle;

static void oracle_load(oracle *o, const char *fixture, size_t vocab_size) {
    memset(o, 0, sizeof *o);
    o->tok = read_json(fixture, "tokenizer.json");
    o->tc = read_json(fixture, "tokenizer_config.json");
    const cJSON *vocab = cJSON_GetObjectItem(cJSON_GetObjectItem(o->tok, "model"), "vocab");
    for (const cJSON *e = vocab->child; e; e = e->next) {
        int id = e->valueint;
        o->text[id] = e->string;
        o->type[id] = 1;
        if ((size_t)id + 1 > o->n) o->n = (size_t)id + 1;
    }
    for (const cJSON *e = cJSON_GetObjectItem(o->tok, "added_tokens")->child; e; e = e->next) {
        int id = cJSON_GetObjectItem(e, "id")->valueint;
        o->text[id] = cJSON_GetObjectItem(e, "content")->valuestring;
        o->type[id] = cJSON_IsTrue(cJSON_GetObjectItem(e, "special")) ? 3 : 4;
        if ((size_t)id + 1 > o->n) o->n = (size_t)id + 1;
    }
    o->padded = vocab_size;
}

static void oracle_free(oracle *o) {
    cJSON_Delete(o->tok);
    cJSON_Delete(o->tc);
}

static void check_array(const h2g_kv *kv, const oracle *o, int kind) {
    assert_int_equal(kv->type, H2G_VT_ARRAY);
    if (kind == MERGES) {
        const cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(o->tok, "model"), "merges");
        assert_int_equal(kv->arr_type, H2G_VT_STRING);
        assert_int_equal(kv->n, (uint64_t)cJSON_GetArraySize(m));
        uint64_t i = 0;
        for (const cJSON *e = m->child; e; e = e->next, i++)
            assert_string_equal(kv->strs[i].data, e->valuestring);
        return;
    }
    assert_int_equal(kv->n, o->padded);
    for (size_t i = 0; i < o->padded; i++) {
        bool pad = i >= o->n;
        if (kind == TOKENS) {
            assert_int_equal(kv->arr_type, H2G_VT_STRING);
            char name[32];
            snprintf(name, sizeof name, "[PAD%zu]", i - o->n);
            assert_string_equal(kv->strs[i].data, pad ? name : o->text[i]);
        } else if (kind == SCORES) {
            assert_int_equal(kv->arr_type, H2G_VT_FLOAT32);
            float want = pad ? -1.0f : (float)i;
            assert_memory_equal((const float *)kv->arr + i, &want, sizeof want);
        } else {
            assert_int_equal(kv->arr_type, H2G_VT_INT32);
            assert_int_equal(((const int32_t *)kv->arr)[i], pad ? 4 : o->type[i]);
        }
    }
}

/* The file's keys are exactly `want`, in this order. */
static void check_keys(const h2g_gguf_file *f, const want_kv *want, const oracle *o) {
    size_t n = 0;
    for (; want[n].key; n++) {
        const want_kv *w = &want[n];
        if (n >= f->kv.n) fail_msg("key %s missing (file has %zu keys)", w->key, f->kv.n);
        const h2g_kv *kv = &f->kv.items[n];
        if (strcmp(kv->key.data, w->key) != 0)
            fail_msg("key %zu: want %s, file has %s", n, w->key, kv->key.data);
        switch (w->kind) {
        case U32:
            assert_int_equal(kv->type, H2G_VT_UINT32);
            assert_int_equal(kv->num.u64, (uint64_t)w->num);
            break;
        case F32:
            assert_int_equal(kv->type, H2G_VT_FLOAT32);
            assert_true(kv->num.f32 == (float)w->num);
            break;
        case BOOL:
            assert_int_equal(kv->type, H2G_VT_BOOL);
            assert_int_equal(kv->num.b, w->num != 0);
            break;
        case STR:
            assert_int_equal(kv->type, H2G_VT_STRING);
            assert_string_equal(kv->str.data, w->str);
            break;
        case TEMPLATE:
            assert_int_equal(kv->type, H2G_VT_STRING);
            assert_string_equal(kv->str.data,
                                cJSON_GetObjectItem(o->tc, "chat_template")->valuestring);
            break;
        case I32S:
            assert_int_equal(kv->type, H2G_VT_ARRAY);
            assert_int_equal(kv->arr_type, H2G_VT_INT32);
            assert_int_equal(kv->n, (uint64_t)w->n_ints);
            assert_memory_equal(kv->arr, w->ints, (size_t)w->n_ints * sizeof(int32_t));
            break;
        default: check_array(kv, o, w->kind);
        }
    }
    assert_int_equal(f->kv.n, n);
}

/* ---------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------- */

#define BF16 H2G_GGML_BF16
#define FP16 H2G_GGML_F16
#define FP32 H2G_GGML_F32
#define ALL_LAYERS 0xffffffffu
#define GLOBAL 0u

/* A row of the table: a name with %d for rows repeated over the layers in
 * `layers` (a bit set), or a plain name (GLOBAL). */
typedef struct want_tensor {
    const char *name;
    uint32_t layers;
    uint32_t type;
    uint64_t ne[4];
} want_tensor;

typedef struct expected {
    char name[128];
    uint32_t type;
    uint64_t ne[4];
} expected;

/* Section 8.1's order: by block number ("blk.N." names; others last), then
 * by name. */
static long block_of(const char *name) {
    int n, end = 0;
    if (sscanf(name, "blk.%d.%n", &n, &end) == 1 && end > 0) return n;
    return 1L << 40;
}

static int cmp_expected(const void *a, const void *b) {
    const expected *x = a, *y = b;
    long bx = block_of(x->name), by = block_of(y->name);
    return bx != by ? (bx < by ? -1 : 1) : strcmp(x->name, y->name);
}

static size_t expand(const want_tensor *rows, uint32_t n_layers, expected *out) {
    size_t n = 0;
    for (const want_tensor *r = rows; r->name; r++) {
        for (uint32_t l = 0; l < (r->layers ? n_layers : 1); l++) {
            if (r->layers && !(r->layers >> l & 1)) continue;
            expected *e = &out[n++];
            snprintf(e->name, sizeof e->name, r->name, l);
            e->type = r->type;
            memcpy(e->ne, r->ne, sizeof e->ne);
        }
    }
    qsort(out, n, sizeof *out, cmp_expected);
    return n;
}

static void check_tensors(const h2g_gguf_file *f, const want_tensor *rows, uint32_t n_layers) {
    static expected want[1024];
    size_t n = expand(rows, n_layers, want);
    for (size_t i = 0; i < n && i < f->n_tensors; i++) {
        const h2g_tensor_info *t = &f->tensors[i];
        if (strcmp(t->name, want[i].name) != 0)
            fail_msg("tensor %zu: want %s, file has %s", i, want[i].name, t->name);
        if (t->type != want[i].type)
            fail_msg("%s: want type %u, file has %u", t->name, want[i].type, t->type);
        uint32_t dims = 0;
        while (dims < 4 && want[i].ne[dims]) dims++;
        if (t->n_dims != dims) fail_msg("%s: want %u dims, file has %u", t->name, dims, t->n_dims);
        for (uint32_t d = 0; d < dims; d++)
            if (t->ne[d] != want[i].ne[d])
                fail_msg("%s: ne[%u] want %llu, file has %llu", t->name, d,
                         (unsigned long long)want[i].ne[d], (unsigned long long)t->ne[d]);
    }
    assert_int_equal(f->n_tensors, n);
}

/* Tensor `name` of a and b hold the same bytes. */
static void same_data(const h2g_gguf_file *a, const h2g_gguf_file *b, const char *name,
                      const char *name_b) {
    long i = h2g_gguf_find_tensor(a, name), j = h2g_gguf_find_tensor(b, name_b);
    assert_true(i >= 0 && j >= 0);
    assert_int_equal(a->tensors[i].nbytes, b->tensors[j].nbytes);
    assert_memory_equal(h2g_gguf_tensor_data(a, (size_t)i), h2g_gguf_tensor_data(b, (size_t)j),
                        a->tensors[i].nbytes);
}

/* ---------------------------------------------------------------------------
 * deepseek-v3-tiny (section 8.3)
 * ------------------------------------------------------------------------- */

static const want_kv v3_keys[] = {
    W("deepseek2.attention.head_count", U32, 4),
    W("deepseek2.attention.head_count_kv", U32, 4),        /* num_key_value_heads */
    W("deepseek2.attention.key_length", U32, 48),          /* nope 32 + rope 16 */
    W("deepseek2.attention.kv_lora_rank", U32, 32),
    W("deepseek2.attention.layer_norm_rms_epsilon", F32, 1e-6),
    W("deepseek2.attention.q_lora_rank", U32, 32),
    W("deepseek2.attention.value_length", U32, 32),        /* v_head_dim */
    W("deepseek2.block_count", U32, 4),
    W("deepseek2.context_length", U32, 163840),
    W("deepseek2.embedding_length", U32, 64),
    W("deepseek2.expert_count", U32, 8),
    W("deepseek2.expert_feed_forward_length", U32, 32),
    W("deepseek2.expert_gating_func", U32, 2),             /* sigmoid */
    W("deepseek2.expert_shared_count", U32, 1),
    W("deepseek2.expert_used_count", U32, 2),
    W("deepseek2.expert_weights_norm", BOOL, 1),
    W("deepseek2.expert_weights_scale", F32, 2.5),
    W("deepseek2.feed_forward_length", U32, 128),
    W("deepseek2.leading_dense_block_count", U32, 1),
    W("deepseek2.rope.dimension_count", U32, 16),
    W("deepseek2.rope.freq_base", F32, 10000),
    W("deepseek2.rope.scaling.factor", F32, 40),
    W("deepseek2.rope.scaling.original_context_length", U32, 4096),
    WS("deepseek2.rope.scaling.type", "yarn"),
    W("deepseek2.rope.scaling.yarn_log_multiplier", F32, 0.1f), /* 0.1 x mscale_all_dim */
    WS("general.architecture", "deepseek2"),
    W("general.file_type", U32, 1),                        /* always 1 */
    W("general.quantization_version", U32, 2),
    WS("general.type", "model"),
    WA("tokenizer.chat_template", TEMPLATE),
    W("tokenizer.ggml.add_bos_token", BOOL, 1),
    W("tokenizer.ggml.add_eos_token", BOOL, 0),
    W("tokenizer.ggml.bos_token_id", U32, 0),
    W("tokenizer.ggml.eos_token_id", U32, 1),
    WA("tokenizer.ggml.merges", MERGES),
    WS("tokenizer.ggml.model", "gpt2"),
    W("tokenizer.ggml.padding_token_id", U32, 1),          /* pad_token's content */
    WS("tokenizer.ggml.pre", "deepseek-v3"),        /* forced for deepseek2 */
    WA("tokenizer.ggml.scores", SCORES),
    WA("tokenizer.ggml.token_type", TYPES),
    WA("tokenizer.ggml.tokens", TOKENS),
    W_END,
};

#define MOE 0xeu /* layers 1-3; layer 0 is dense */
#define DENSE 0x1u

static const want_tensor v3_tensors[] = {
    {"blk.%d.attn_kv_a_mqa.weight", ALL_LAYERS, BF16, {64, 48}},
    {"blk.%d.attn_kv_a_norm.weight", ALL_LAYERS, FP32, {32}},
    {"blk.%d.attn_kv_b.weight", ALL_LAYERS, BF16, {32, 256}}, /* unsplit: 4 x (32 + 32) */
    {"blk.%d.attn_norm.weight", ALL_LAYERS, FP32, {64}},
    {"blk.%d.attn_output.weight", ALL_LAYERS, BF16, {128, 64}},
    {"blk.%d.attn_q_a.weight", ALL_LAYERS, BF16, {64, 32}},
    {"blk.%d.attn_q_a_norm.weight", ALL_LAYERS, FP32, {32}},
    {"blk.%d.attn_q_b.weight", ALL_LAYERS, BF16, {32, 192}},
    {"blk.%d.ffn_norm.weight", ALL_LAYERS, FP32, {64}},
    {"blk.%d.ffn_down.weight", DENSE, BF16, {128, 64}},
    {"blk.%d.ffn_gate.weight", DENSE, BF16, {64, 128}},
    {"blk.%d.ffn_up.weight", DENSE, BF16, {64, 128}},
    {"blk.%d.exp_probs_b.bias", MOE, FP32, {8}},
    {"blk.%d.ffn_gate_inp.weight", MOE, FP32, {64, 8}},
    {"blk.%d.ffn_down_exps.weight", MOE, BF16, {32, 64, 8}},
    {"blk.%d.ffn_gate_exps.weight", MOE, BF16, {64, 32, 8}},
    {"blk.%d.ffn_up_exps.weight", MOE, BF16, {64, 32, 8}},
    {"blk.%d.ffn_down_shexp.weight", MOE, BF16, {32, 64}},
    {"blk.%d.ffn_gate_shexp.weight", MOE, BF16, {64, 32}},
    {"blk.%d.ffn_up_shexp.weight", MOE, BF16, {64, 32}},
    {"output.weight", GLOBAL, BF16, {64, 400}},
    {"output_norm.weight", GLOBAL, FP32, {64}},
    {"token_embd.weight", GLOBAL, BF16, {64, 400}},
    {NULL, 0, 0, {0}},
};

static void test_v3(void **state) {
    (void)state;
    h2g_gguf_file f, ref;
    convert("deepseek-v3-tiny", "--layout ollama", "v3.gguf", &f);
    oracle o;
    oracle_load(&o, "deepseek-v3-tiny", 400);
    check_keys(&f, v3_keys, &o);
    check_tensors(&f, v3_tensors, 4);
    /* BF16 sources are copied as they are: the same bytes as llama.cpp's
     * bf16 output, merged experts included. */
    convert("deepseek-v3-tiny", "--outtype bf16", "v3-bf16.gguf", &ref);
    same_data(&f, &ref, "token_embd.weight", "token_embd.weight");
    same_data(&f, &ref, "blk.1.ffn_down_exps.weight", "blk.1.ffn_down_exps.weight");
    same_data(&f, &ref, "blk.3.exp_probs_b.bias", "blk.3.exp_probs_b.bias");
    h2g_gguf_close(&ref);
    h2g_gguf_close(&f);
    oracle_free(&o);
}

/* ---------------------------------------------------------------------------
 * deepseek-v3-fp8-tiny: FP8 provenance keys and truncated BF16
 * ------------------------------------------------------------------------- */

static void test_fp8(void **state) {
    (void)state;
    h2g_gguf_file f, ref;
    convert("deepseek-v3-fp8-tiny", "--layout ollama", "fp8.gguf", &f);
    const h2g_kv *q = h2g_kv_get(&f.kv, "deepseek2.source_quantization");
    const h2g_kv *names = h2g_kv_get(&f.kv, "deepseek2.source_fp8_tensors");
    assert_true(q && q->type == H2G_VT_STRING && !strcmp(q->str.data, "hf_fp8"));
    assert_true(names && names->type == H2G_VT_ARRAY && names->arr_type == H2G_VT_STRING);
    /* Sorted names of every tensor made from F8_E4M3, each BF16. */
    assert_true(names->n > 0);
    for (uint64_t i = 0; i < names->n; i++) {
        if (i) assert_true(strcmp(names->strs[i - 1].data, names->strs[i].data) < 0);
        long t = h2g_gguf_find_tensor(&f, names->strs[i].data);
        assert_true(t >= 0);
        assert_int_equal(f.tensors[t].type, BF16);
    }
    /* Keys are sorted before "deepseek2." is put in front of these two: they
     * land between general.* and tokenizer.* */
    long iq = h2g_kv_find(&f.kv, "deepseek2.source_quantization");
    assert_string_equal(f.kv.items[iq - 2].key.data, "general.type");
    assert_string_equal(f.kv.items[iq - 1].key.data, "deepseek2.source_fp8_tensors");
    assert_string_equal(f.kv.items[iq + 1].key.data, "tokenizer.chat_template");
    /* Dequantized as llama.cpp does (its f32 output), then truncated. */
    convert("deepseek-v3-fp8-tiny", "--outtype f32", "fp8-f32.gguf", &ref);
    const char *w = "blk.0.ffn_down.weight";
    long a = h2g_gguf_find_tensor(&f, w), b = h2g_gguf_find_tensor(&ref, w);
    const uint8_t *bf = h2g_gguf_tensor_data(&f, (size_t)a);
    const uint8_t *f32 = h2g_gguf_tensor_data(&ref, (size_t)b);
    for (uint64_t i = 0; i < ref.tensors[b].nbytes / 4; i++) {
        assert_int_equal(bf[2 * i], f32[4 * i + 2]);
        assert_int_equal(bf[2 * i + 1], f32[4 * i + 3]);
    }
    h2g_gguf_close(&ref);
    h2g_gguf_close(&f);
}

/* ---------------------------------------------------------------------------
 * deepseek-ocr-tiny (section 8.4)
 * ------------------------------------------------------------------------- */

static const want_kv ocr_keys[] = {
    /* sorted as Ollama spells them, "attention.head_count" before
     * "general.*", then prefixed with "deepseekocr." */
    W("deepseekocr.attention.head_count", U32, 2),
    W("deepseekocr.attention.head_count_kv", U32, 2),
    W("deepseekocr.block_count", U32, 4),
    W("deepseekocr.context_length", U32, 8192),
    W("deepseekocr.embedding_length", U32, 32),
    W("deepseekocr.expert_count", U32, 4),
    W("deepseekocr.expert_used_count", U32, 2),
    W("deepseekocr.feed_forward_length", U32, 64),
    WS("general.architecture", "deepseekocr"),
    W("general.file_type", U32, 1),
    W("general.quantization_version", U32, 2), /* no general.type for this model */
    W("deepseekocr.leading_dense_block_count", U32, 1),
    W("deepseekocr.sam.block_count", U32, 12),
    W("deepseekocr.sam.embedding_length", U32, 16),
    {"deepseekocr.sam.global_attention_indexes", I32S, 0, NULL, {2, 5, 8, 11}, 4},
    W("deepseekocr.sam.head_count", U32, 2),
    W("tokenizer.ggml.add_bos_token", BOOL, 1),
    W("tokenizer.ggml.add_eos_token", BOOL, 0),
    W("tokenizer.ggml.bos_token_id", U32, 0),
    W("tokenizer.ggml.eos_token_id", U32, 1),
    WA("tokenizer.ggml.merges", MERGES),
    WS("tokenizer.ggml.model", "gpt2"),
    W("tokenizer.ggml.padding_token_id", U32, 2),
    WS("tokenizer.ggml.pre", "default"), /* the V3 regexes are not in Ollama's table */
    WA("tokenizer.ggml.scores", SCORES),
    WA("tokenizer.ggml.token_type", TYPES),
    WA("tokenizer.ggml.tokens", TOKENS),
    W("deepseekocr.vision.block_count", U32, 12),
    W("deepseekocr.vision.embedding_length", U32, 32),
    W("deepseekocr.vision.head_count", U32, 2),
    W("deepseekocr.vision.image_size", U32, 224),
    W("deepseekocr.vision.patch_size", U32, 14),
    W_END,
};

#define SAM_WINDOW 0x6dbu /* blocks 0,1,3,4,6,7,9,10 */
#define SAM_GLOBAL 0x924u /* blocks 2,5,8,11: global attention */
#define TWELVE 0xfffu

static const want_tensor ocr_tensors[] = {
    /* language model: llama.cpp's deepseek2-ocr names */
    {"blk.%d.attn_k.weight", 0xfu, BF16, {32, 32}},
    {"blk.%d.attn_norm.weight", 0xfu, FP32, {32}},
    {"blk.%d.attn_output.weight", 0xfu, BF16, {32, 32}},
    {"blk.%d.attn_q.weight", 0xfu, BF16, {32, 32}},
    {"blk.%d.attn_v.weight", 0xfu, BF16, {32, 32}},
    {"blk.%d.ffn_norm.weight", 0xfu, FP32, {32}},
    {"blk.%d.ffn_down.weight", DENSE, BF16, {64, 32}},
    {"blk.%d.ffn_gate.weight", DENSE, BF16, {32, 64}},
    {"blk.%d.ffn_up.weight", DENSE, BF16, {32, 64}},
    {"blk.%d.ffn_gate_inp.weight", MOE, FP32, {32, 4}},
    {"blk.%d.ffn_down_exps.weight", MOE, BF16, {16, 32, 4}},
    {"blk.%d.ffn_gate_exps.weight", MOE, BF16, {32, 16, 4}},
    {"blk.%d.ffn_up_exps.weight", MOE, BF16, {32, 16, 4}},
    {"blk.%d.ffn_down_shexp.weight", MOE, BF16, {32, 32}},
    {"blk.%d.ffn_gate_shexp.weight", MOE, BF16, {32, 32}},
    {"blk.%d.ffn_up_shexp.weight", MOE, BF16, {32, 32}},
    {"output.weight", GLOBAL, BF16, {32, 416}},
    {"output_norm.weight", GLOBAL, FP32, {32}},
    {"token_embd.weight", GLOBAL, BF16, {32, 416}},
    /* projector, newline, separator (1-D, not unsqueezed) */
    {"mm.layers.weight", GLOBAL, FP16, {64, 32}},
    {"mm.layers.bias", GLOBAL, FP32, {32}},
    {"mm.image_newline", GLOBAL, FP32, {32}},
    {"mm.view_seperator", GLOBAL, FP32, {32}},
    /* SAM: vision weights F16, rel_pos and position F32, no .weight suffix */
    {"s.patch_embd.weight", GLOBAL, FP16, {16, 16, 3, 16}},
    {"s.patch_embd.bias", GLOBAL, FP32, {16}},
    {"s.position_embd", GLOBAL, FP32, {16, 64, 64, 1}},
    {"s.blk.%d.norm1.weight", TWELVE, FP32, {16}},
    {"s.blk.%d.norm1.bias", TWELVE, FP32, {16}},
    {"s.blk.%d.norm2.weight", TWELVE, FP32, {16}},
    {"s.blk.%d.norm2.bias", TWELVE, FP32, {16}},
    {"s.blk.%d.attn.qkv.weight", TWELVE, FP16, {16, 48}},
    {"s.blk.%d.attn.qkv.bias", TWELVE, FP32, {48}},
    {"s.blk.%d.attn.proj.weight", TWELVE, FP16, {16, 16}},
    {"s.blk.%d.attn.proj.bias", TWELVE, FP32, {16}},
    {"s.blk.%d.attn.rel_pos_h", SAM_WINDOW, FP32, {8, 27}},
    {"s.blk.%d.attn.rel_pos_w", SAM_WINDOW, FP32, {8, 27}},
    {"s.blk.%d.attn.rel_pos_h", SAM_GLOBAL, FP32, {8, 127}},
    {"s.blk.%d.attn.rel_pos_w", SAM_GLOBAL, FP32, {8, 127}},
    {"s.blk.%d.mlp.lin1.weight", TWELVE, FP16, {16, 64}},
    {"s.blk.%d.mlp.lin1.bias", TWELVE, FP32, {64}},
    {"s.blk.%d.mlp.lin2.weight", TWELVE, FP16, {64, 16}},
    {"s.blk.%d.mlp.lin2.bias", TWELVE, FP32, {16}},
    {"s.neck.0.weight", GLOBAL, FP16, {1, 1, 16, 16}},
    {"s.neck.1.weight", GLOBAL, FP32, {16}},
    {"s.neck.1.bias", GLOBAL, FP32, {16}},
    {"s.neck.2.weight", GLOBAL, FP16, {3, 3, 16, 16}},
    {"s.neck.3.weight", GLOBAL, FP32, {16}},
    {"s.neck.3.bias", GLOBAL, FP32, {16}},
    {"s.net_2.weight", GLOBAL, FP16, {3, 3, 16, 24}},
    {"s.net_3.weight", GLOBAL, FP16, {3, 3, 24, 32}},
    /* CLIP-L */
    {"v.class_embd", GLOBAL, FP32, {32}},
    {"v.patch_embd.weight", GLOBAL, FP16, {14, 14, 3, 32}},
    {"v.position_embd.weight", GLOBAL, FP32, {32, 257}},
    {"v.pre_layrnorm.weight", GLOBAL, FP32, {32}},
    {"v.pre_layrnorm.bias", GLOBAL, FP32, {32}},
    {"v.blk.%d.layer_norm1.weight", TWELVE, FP32, {32}},
    {"v.blk.%d.layer_norm1.bias", TWELVE, FP32, {32}},
    {"v.blk.%d.layer_norm2.weight", TWELVE, FP32, {32}},
    {"v.blk.%d.layer_norm2.bias", TWELVE, FP32, {32}},
    {"v.blk.%d.self_attn.qkv_proj.weight", TWELVE, FP16, {32, 96}},
    {"v.blk.%d.self_attn.qkv_proj.bias", TWELVE, FP32, {96}},
    {"v.blk.%d.self_attn.out_proj.weight", TWELVE, FP16, {32, 32}},
    {"v.blk.%d.self_attn.out_proj.bias", TWELVE, FP32, {32}},
    {"v.blk.%d.mlp.fc1.weight", TWELVE, FP16, {32, 128}},
    {"v.blk.%d.mlp.fc1.bias", TWELVE, FP32, {128}},
    {"v.blk.%d.mlp.fc2.weight", TWELVE, FP16, {128, 32}},
    {"v.blk.%d.mlp.fc2.bias", TWELVE, FP32, {32}},
    {NULL, 0, 0, {0}},
};

static void test_ocr(void **state) {
    (void)state;
    h2g_gguf_file f, mmproj;
    convert("deepseek-ocr-tiny", "--layout ollama", "ocr.gguf", &f);
    oracle o;
    oracle_load(&o, "deepseek-ocr-tiny", 416);
    check_keys(&f, ocr_keys, &o);
    check_tensors(&f, ocr_tensors, 12);
    /* Vision weights: the same F16 bytes as llama.cpp's f16 mmproj. */
    convert("deepseek-ocr-tiny", "--mmproj-only --outtype f16", "mmproj-f16.gguf", &mmproj);
    same_data(&f, &mmproj, "s.blk.3.attn.qkv.weight", "v.sam.blk.3.attn.qkv.weight");
    same_data(&f, &mmproj, "v.blk.11.mlp.fc2.weight", "v.blk.11.ffn_down.weight");
    same_data(&f, &mmproj, "mm.layers.weight", "mm.model.fc.weight");
    h2g_gguf_close(&mmproj);
    h2g_gguf_close(&f);
    oracle_free(&o);
}

/* ---------------------------------------------------------------------------
 * The test run (scratch folder: workdir.h)
 * ------------------------------------------------------------------------- */

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v3),
        cmocka_unit_test(test_fp8),
        cmocka_unit_test(test_ocr),
    };
    return cmocka_run_group_tests(tests, workdir_setup, workdir_teardown);
}
