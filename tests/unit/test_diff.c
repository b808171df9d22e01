/* test_diff.c - h2g_diff_sets and h2g_gguf_set_checksum (diff.h).
 *
 * Variants of an expected fixture are built by parsing it, editing the KVs,
 * tensor infos or data, and re-encoding (h2g_gguf_layout +
 * h2g_gguf_encode_header + the data); each is diffed against the original
 * and must give exactly the expected differences:
 *  1. the file against itself: identical;
 *  2. KVs: value, type, array length and element, missing on either side,
 *     --ignore-kv prefixes;
 *  3. tensors: data (F16 and F32, with the max abs difference), type (F32
 *     widening: type only; Q8_0: type and the dequantized difference),
 *     shape, missing, non-float data compared as bytes;
 *  4. order of KVs and tensors, reported apart, and --ignore-order;
 *  5. checksums: unchanged by KV edits, changed by one tensor byte. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hf2gguf/diff.h"
#include "hf2gguf/gguf.h"
#include "hf2gguf/gguf_set.h"
#include "hf2gguf/numeric.h"
#include "base/sha256.h"
#include "base/util.h"

#define FIXTURE TEST_DATA_DIR "/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf"

static char tmpdir[64];
static h2g_gguf_set original; /* the fixture, read as a set */
static int n_written;         /* variants written so far (file names) */

/* ---------------------------------------------------------------------------
 * Variants: an editable copy of the fixture
 * ------------------------------------------------------------------------- */

typedef struct variant {
    h2g_kv_list kv;
    h2g_tensor_info *t;
    const uint8_t **data;
    uint8_t **owned; /* data buffers the variant allocated */
    size_t n;
} variant;

/* A copy of the original's KVs (but `skip_key`, when given), infos and data
 * pointers. */
static void variant_init(variant *v, const char *skip_key) {
    h2g_error err = {0};
    memset(v, 0, sizeof *v);
    for (size_t i = 0; i < original.kv.n; i++)
        if (!skip_key || strcmp(original.kv.items[i].key.data, skip_key) != 0)
            assert_int_equal(h2g_kv_set_copy(&v->kv, &original.kv.items[i], &err), 0);
    v->n = original.n_tensors;
    v->t = calloc(v->n, sizeof *v->t);
    v->data = calloc(v->n, sizeof *v->data);
    v->owned = calloc(v->n, sizeof *v->owned);
    for (size_t i = 0; i < v->n; i++) {
        v->t[i] = original.tensors[i].info;
        v->data[i] = original.tensors[i].data;
    }
}

static void variant_free(variant *v) {
    for (size_t i = 0; i < v->n; i++) free(v->owned[i]);
    free(v->owned);
    free(v->data);
    free(v->t);
    h2g_kv_list_free(&v->kv);
}

/* Index of tensor name in v. */
static size_t tensor_index(const variant *v, const char *name) {
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->t[i].name, name)) return i;
    fail_msg("no tensor %s", name);
    return 0;
}

/* Gives tensor i a writable buffer of `bytes` bytes (a copy of its data as
 * far as it goes) and returns it. */
static uint8_t *own_data(variant *v, size_t i, size_t bytes) {
    uint8_t *buf = calloc(1, bytes);
    size_t keep = v->t[i].nbytes < bytes ? (size_t)v->t[i].nbytes : bytes;
    memcpy(buf, v->data[i], keep);
    free(v->owned[i]);
    v->owned[i] = buf;
    v->data[i] = buf;
    return buf;
}

/* Writes v to a new file in tmpdir and opens it as a set in *s. */
static void variant_open(const variant *v, h2g_gguf_set *s) {
    h2g_error err = {0};
    h2g_tensor_info *ts = calloc(v->n, sizeof *ts);
    memcpy(ts, v->t, v->n * sizeof *ts);
    uint64_t data_offset, data_size;
    uint8_t *hdr;
    size_t hdr_len;
    if (h2g_gguf_layout(&v->kv, ts, v->n, &data_offset, &data_size, &err) != 0 ||
        h2g_gguf_encode_header(&v->kv, ts, v->n, &hdr, &hdr_len, &err) != 0)
        fail_msg("%s", err.msg);
    uint8_t *file = calloc(1, (size_t)(data_offset + data_size));
    memcpy(file, hdr, hdr_len);
    for (size_t i = 0; i < v->n; i++)
        memcpy(file + data_offset + ts[i].offset, v->data[i], (size_t)ts[i].nbytes);
    char name[32];
    snprintf(name, sizeof name, "variant-%d.gguf", n_written++);
    char *path = h2g_path_join(tmpdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(file, 1, (size_t)(data_offset + data_size), fp),
                     data_offset + data_size);
    fclose(fp);
    if (h2g_gguf_set_open(s, path, &err) != 0) fail_msg("%s", err.msg);
    unlink(path); /* the mapping stays valid */
    free(path);
    free(file);
    free(hdr);
    free(ts);
}

/* Diffs the original against v into *d; *s holds v open (the items point
 * into it). */
static void diff_variant(const variant *v, const h2g_diff_options *opt, h2g_gguf_set *s,
                         h2g_diff *d) {
    h2g_error err = {0};
    variant_open(v, s);
    if (h2g_diff_sets(&original, s, opt, d, &err) != 0) fail_msg("%s", err.msg);
}

/* Frees what diff_variant and variant_init made. */
static void done(variant *v, h2g_gguf_set *s, h2g_diff *d) {
    h2g_diff_free(d);
    h2g_gguf_set_close(s);
    variant_free(v);
}

/* The KV of v called key (writable). */
static h2g_kv *kv_of(variant *v, const char *key) {
    long i = h2g_kv_find(&v->kv, key);
    if (i < 0) fail_msg("no key %s", key);
    return &v->kv.items[i];
}

static int setup(void **state) {
    (void)state;
    h2g_error err = {0};
    snprintf(tmpdir, sizeof tmpdir, "/tmp/h2g-diff-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    if (h2g_gguf_set_open(&original, FIXTURE, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    rmdir(tmpdir);
    h2g_gguf_set_close(&original);
    return 0;
}

/* ---------------------------------------------------------------------------
 * 1. Identical
 * ------------------------------------------------------------------------- */

static void test_identical(void **state) {
    (void)state;
    h2g_diff d;
    h2g_error err = {0};
    assert_int_equal(h2g_diff_sets(&original, &original, NULL, &d, &err), 0);
    assert_int_equal(d.n, 0);
    h2g_diff_free(&d);

    /* A re-encoded copy has other bytes nowhere, and no difference. */
    variant v;
    h2g_gguf_set s;
    variant_init(&v, NULL);
    diff_variant(&v, NULL, &s, &d);
    assert_int_equal(d.n, 0);
    done(&v, &s, &d);
}

/* ---------------------------------------------------------------------------
 * 2. KVs
 * ------------------------------------------------------------------------- */

static void test_kv_value(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    h2g_error err = {0};
    variant_init(&v, NULL);
    assert_int_equal(h2g_kv_set_str(&v.kv, "general.name", "Other", &err), 0);
    diff_variant(&v, NULL, &s, &d);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.items[0].kind, H2G_DIFF_KV_VALUE);
    assert_string_equal(d.items[0].kv_a->key.data, "general.name");
    assert_string_equal(d.items[0].kv_a->str.data, "Deepseek v3 Tiny");
    assert_string_equal(d.items[0].kv_b->str.data, "Other");
    assert_true(h2g_diff_is_kv(d.items[0].kind));
    assert_string_equal(h2g_diff_kind_name(d.items[0].kind), "value");
    h2g_diff_free(&d);

    /* --ignore-kv general. hides it; another prefix does not. */
    const char *const general[] = {"tokenizer.", "general."};
    h2g_diff_options opt = {general, 2, false};
    assert_int_equal(h2g_diff_sets(&original, &s, &opt, &d, &err), 0);
    assert_int_equal(d.n, 0);
    h2g_diff_free(&d);
    opt.n_ignore_kv = 1;
    assert_int_equal(h2g_diff_sets(&original, &s, &opt, &d, &err), 0);
    assert_int_equal(d.n, 1);
    done(&v, &s, &d);
}

static void test_kv_float_and_type(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    h2g_error err = {0};
    variant_init(&v, NULL);
    assert_int_equal(h2g_kv_set_i32(&v.kv, "deepseek2.block_count", 4, &err), 0);
    assert_int_equal(h2g_kv_set_f32(&v.kv, "deepseek2.expert_weights_scale", 2.5000002f, &err),
                     0);
    diff_variant(&v, NULL, &s, &d);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.items[0].kind, H2G_DIFF_KV_TYPE);
    assert_string_equal(d.items[0].kv_b->key.data, "deepseek2.block_count");
    assert_int_equal(d.items[0].kv_a->type, H2G_VT_UINT32);
    assert_int_equal(d.items[0].kv_b->type, H2G_VT_INT32);
    assert_int_equal(d.items[1].kind, H2G_DIFF_KV_VALUE);
    assert_string_equal(d.items[1].kv_a->key.data, "deepseek2.expert_weights_scale");
    done(&v, &s, &d);
}

static void test_kv_arrays(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    h2g_error err = {0};
    variant_init(&v, NULL);
    h2g_kv *tokens = kv_of(&v, "tokenizer.ggml.tokens");
    free(tokens->strs[3].data);
    tokens->strs[3].data = h2g_strdup("changed");
    tokens->strs[3].len = 7;
    const h2g_kv *types = h2g_kv_get(&original.kv, "tokenizer.ggml.token_type");
    assert_int_equal(h2g_kv_set_array(&v.kv, "tokenizer.ggml.token_type", H2G_VT_INT32,
                                      types->arr, types->n - 1, &err), 0);
    diff_variant(&v, NULL, &s, &d);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.items[0].kind, H2G_DIFF_KV_ARRAY_ELEMENT);
    assert_string_equal(d.items[0].kv_a->key.data, "tokenizer.ggml.tokens");
    assert_int_equal(d.items[0].index, 3);
    assert_int_equal(d.items[1].kind, H2G_DIFF_KV_ARRAY_LENGTH);
    assert_string_equal(d.items[1].kv_a->key.data, "tokenizer.ggml.token_type");
    assert_int_equal(d.items[1].kv_a->n, types->n);
    assert_int_equal(d.items[1].kv_b->n, types->n - 1);
    done(&v, &s, &d);
}

static void test_kv_missing(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    h2g_error err = {0};
    variant_init(&v, "general.license");
    assert_int_equal(h2g_kv_set_u32(&v.kv, "test.extra", 7, &err), 0);
    diff_variant(&v, NULL, &s, &d);
    assert_int_equal(d.n, 2); /* and no order item: the common keys keep their order */
    assert_int_equal(d.items[0].kind, H2G_DIFF_KV_MISSING_IN_B);
    assert_string_equal(d.items[0].kv_a->key.data, "general.license");
    assert_null(d.items[0].kv_b);
    assert_int_equal(d.items[1].kind, H2G_DIFF_KV_MISSING_IN_A);
    assert_null(d.items[1].kv_a);
    assert_string_equal(d.items[1].kv_b->key.data, "test.extra");
    done(&v, &s, &d);
}

/* ---------------------------------------------------------------------------
 * 3. Tensors
 * ------------------------------------------------------------------------- */

/* Value i of an F16 tensor's data. */
static float f16_at(const uint8_t *data, size_t i) {
    return h2g_f16_to_f32((uint16_t)(data[2 * i] | data[2 * i + 1] << 8));
}

static void test_tensor_data(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    variant_init(&v, NULL);
    /* token_embd.weight (F16): element 5 becomes 4.0 (0x4400). */
    size_t e = tensor_index(&v, "token_embd.weight");
    uint8_t *emb = own_data(&v, e, (size_t)v.t[e].nbytes);
    double want_emb = fabs((double)f16_at(emb, 5) - 4.0);
    emb[10] = 0x00;
    emb[11] = 0x44;
    /* output_norm.weight (F32): element 0 grows by 0.25. */
    size_t o = tensor_index(&v, "output_norm.weight");
    uint8_t *norm = own_data(&v, o, (size_t)v.t[o].nbytes);
    float before, after;
    memcpy(&before, norm, 4);
    after = before + 0.25f;
    memcpy(norm, &after, 4);
    diff_variant(&v, NULL, &s, &d);

    assert_int_equal(d.n, 2);
    const h2g_diff_item *a = &d.items[0], *b = &d.items[1];
    assert_int_equal(a->kind, H2G_DIFF_TENSOR_DATA);
    assert_string_equal(a->t_a->info.name, "token_embd.weight");
    assert_true(a->values);
    assert_int_equal(a->count, 1);
    assert_int_equal(a->index, 5);
    assert_int_equal(a->total, 64 * 400);
    assert_true(a->max_abs_diff == want_emb);
    assert_int_equal(b->kind, H2G_DIFF_TENSOR_DATA);
    assert_string_equal(b->t_a->info.name, "output_norm.weight");
    assert_int_equal(b->count, 1);
    assert_int_equal(b->index, 0);
    assert_true(b->max_abs_diff == fabs((double)after - (double)before));
    done(&v, &s, &d);
}

static void test_tensor_type_f32(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    variant_init(&v, NULL);
    /* F16 -> F32 holds the same values: only the type differs. */
    size_t e = tensor_index(&v, "token_embd.weight");
    size_t n = (size_t)v.t[e].nbytes / 2;
    float *wide = malloc(n * sizeof *wide);
    h2g_decode_f32(H2G_DT_F16, v.data[e], wide, n);
    uint8_t *buf = own_data(&v, e, n * 4);
    memcpy(buf, wide, n * 4);
    v.t[e].type = H2G_GGML_F32;
    v.t[e].nbytes = n * 4;
    diff_variant(&v, NULL, &s, &d);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.items[0].kind, H2G_DIFF_TENSOR_TYPE);
    assert_int_equal(d.items[0].t_a->info.type, H2G_GGML_F16);
    assert_int_equal(d.items[0].t_b->info.type, H2G_GGML_F32);
    free(wide);
    done(&v, &s, &d);
}

static void test_tensor_type_q8_0(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    variant_init(&v, NULL);
    size_t e = tensor_index(&v, "token_embd.weight");
    size_t n = (size_t)v.t[e].nbytes / 2;
    float *x = malloc(n * sizeof *x);
    h2g_decode_f32(H2G_DT_F16, v.data[e], x, n);
    uint8_t *q = own_data(&v, e, n / 32 * 34);
    h2g_quantize_q8_0(x, q, n);
    v.t[e].type = H2G_GGML_Q8_0;
    v.t[e].nbytes = n / 32 * 34;
    /* The expected differences, from the blocks: value = d * q. */
    double want_max = 0;
    uint64_t want_count = 0, want_first = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *blk = q + i / 32 * 34;
        float scale = h2g_f16_to_f32((uint16_t)(blk[0] | blk[1] << 8));
        float deq = scale * (float)(int8_t)blk[2 + i % 32];
        if (deq == x[i]) continue;
        if (want_count++ == 0) want_first = i;
        if (fabs((double)deq - x[i]) > want_max) want_max = fabs((double)deq - x[i]);
    }
    assert_true(want_count > 0);
    diff_variant(&v, NULL, &s, &d);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.items[0].kind, H2G_DIFF_TENSOR_TYPE);
    assert_int_equal(d.items[1].kind, H2G_DIFF_TENSOR_DATA);
    assert_true(d.items[1].values);
    assert_int_equal(d.items[1].count, want_count);
    assert_int_equal(d.items[1].index, want_first);
    assert_true(d.items[1].max_abs_diff == want_max);
    assert_true(want_max > 0 && want_max < 0.01); /* q8_0 of small weights */
    free(x);
    done(&v, &s, &d);
}

static void test_tensor_shape_and_missing(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    variant_init(&v, NULL);
    size_t e = tensor_index(&v, "token_embd.weight");
    v.t[e].ne[0] = 128; /* [64, 400] -> [128, 200]: same bytes */
    v.t[e].ne[1] = 200;
    size_t o = tensor_index(&v, "output_norm.weight"); /* the last one: drop it */
    assert_int_equal(o, v.n - 1);
    v.n--;
    diff_variant(&v, NULL, &s, &d);
    v.n++; /* so that variant_free sees every buffer */
    assert_int_equal(d.n, 2);
    assert_int_equal(d.items[0].kind, H2G_DIFF_TENSOR_SHAPE);
    assert_int_equal(d.items[0].t_b->info.ne[0], 128);
    assert_int_equal(d.items[1].kind, H2G_DIFF_TENSOR_MISSING_IN_B);
    assert_string_equal(d.items[1].t_a->info.name, "output_norm.weight");
    assert_null(d.items[1].t_b);
    assert_false(h2g_diff_is_kv(d.items[1].kind));
    done(&v, &s, &d);
}

/* Non-float types are compared byte for byte: output_norm.weight becomes
 * I32 (same size) on both sides, and one byte differs on one. */
static void test_tensor_bytes(void **state) {
    (void)state;
    variant va, vb;
    h2g_gguf_set sa, sb;
    h2g_diff d;
    h2g_error err = {0};
    variant_init(&va, NULL);
    variant_init(&vb, NULL);
    size_t o = tensor_index(&va, "output_norm.weight");
    va.t[o].type = vb.t[o].type = 26; /* I32 */
    uint8_t *buf = own_data(&vb, o, (size_t)vb.t[o].nbytes);
    buf[9] ^= 1;
    variant_open(&va, &sa);
    variant_open(&vb, &sb);
    assert_int_equal(h2g_diff_sets(&sa, &sb, NULL, &d, &err), 0);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.items[0].kind, H2G_DIFF_TENSOR_DATA);
    assert_false(d.items[0].values);
    assert_int_equal(d.items[0].count, 1);
    assert_int_equal(d.items[0].index, 9);
    assert_int_equal(d.items[0].total, 256);
    h2g_diff_free(&d);
    h2g_gguf_set_close(&sa);
    h2g_gguf_set_close(&sb);
    variant_free(&va);
    variant_free(&vb);
}

/* ---------------------------------------------------------------------------
 * 4. Order
 * ------------------------------------------------------------------------- */

static void test_order(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_diff d;
    h2g_error err = {0};
    variant_init(&v, NULL);
    h2g_kv k = v.kv.items[1]; /* swap KVs 1 and 2 */
    v.kv.items[1] = v.kv.items[2];
    v.kv.items[2] = k;
    h2g_tensor_info t = v.t[0]; /* swap tensors 0 and 1 */
    const uint8_t *p = v.data[0];
    v.t[0] = v.t[1];
    v.data[0] = v.data[1];
    v.t[1] = t;
    v.data[1] = p;
    diff_variant(&v, NULL, &s, &d);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.items[0].kind, H2G_DIFF_KV_ORDER);
    assert_int_equal(d.items[0].index, 1);
    assert_string_equal(d.items[0].kv_a->key.data, original.kv.items[1].key.data);
    assert_string_equal(d.items[0].kv_b->key.data, original.kv.items[2].key.data);
    assert_int_equal(d.items[1].kind, H2G_DIFF_TENSOR_ORDER);
    assert_int_equal(d.items[1].index, 0);
    assert_string_equal(d.items[1].t_a->info.name, original.tensors[0].info.name);
    assert_string_equal(d.items[1].t_b->info.name, original.tensors[1].info.name);
    assert_true(h2g_diff_is_order(d.items[1].kind));
    h2g_diff_free(&d);

    h2g_diff_options opt = {NULL, 0, true};
    assert_int_equal(h2g_diff_sets(&original, &s, &opt, &d, &err), 0);
    assert_int_equal(d.n, 0);
    /* Ignoring the swapped keys hides the KV order item too. */
    const char *const prefix[] = {original.kv.items[1].key.data};
    h2g_diff_options ign = {prefix, 1, false};
    h2g_diff_free(&d);
    assert_int_equal(h2g_diff_sets(&original, &s, &ign, &d, &err), 0);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.items[0].kind, H2G_DIFF_TENSOR_ORDER);
    done(&v, &s, &d);
}

/* ---------------------------------------------------------------------------
 * 5. Checksums
 * ------------------------------------------------------------------------- */

static void test_checksum(void **state) {
    (void)state;
    variant v;
    h2g_gguf_set s;
    h2g_error err = {0};
    size_t n = original.n_tensors;
    char total0[65], total1[65], total2[65];
    char (*hex0)[65] = calloc(n, sizeof *hex0), (*hex2)[65] = calloc(n, sizeof *hex2);
    h2g_gguf_set_checksum(&original, hex0, total0);
    assert_int_equal(strlen(total0), 64);

    /* KV edits (a value, a new key) keep it. */
    variant_init(&v, NULL);
    assert_int_equal(h2g_kv_set_str(&v.kv, "general.name", "Other", &err), 0);
    assert_int_equal(h2g_kv_set_u32(&v.kv, "test.extra", 1, &err), 0);
    variant_open(&v, &s);
    h2g_gguf_set_checksum(&s, NULL, total1);
    assert_string_equal(total0, total1);
    h2g_gguf_set_close(&s);
    variant_free(&v);

    /* One tensor byte changes it, and that tensor's digest only. */
    variant_init(&v, NULL);
    size_t e = tensor_index(&v, "output.weight");
    own_data(&v, e, (size_t)v.t[e].nbytes)[100] ^= 0x01;
    variant_open(&v, &s);
    h2g_gguf_set_checksum(&s, hex2, total2);
    assert_string_not_equal(total0, total2);
    for (size_t i = 0; i < n; i++) {
        if (i == e) assert_string_not_equal(hex0[i], hex2[i]);
        else assert_string_equal(hex0[i], hex2[i]);
    }
    h2g_gguf_set_close(&s);
    variant_free(&v);

    /* The digest of a tensor is that of its bytes. */
    char one[65];
    h2g_sha256_hex_of(original.tensors[0].data, (size_t)original.tensors[0].info.nbytes, one);
    assert_string_equal(one, hex0[0]);
    free(hex0);
    free(hex2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_kv_value),
        cmocka_unit_test(test_kv_float_and_type),
        cmocka_unit_test(test_kv_arrays),
        cmocka_unit_test(test_kv_missing),
        cmocka_unit_test(test_tensor_data),
        cmocka_unit_test(test_tensor_type_f32),
        cmocka_unit_test(test_tensor_type_q8_0),
        cmocka_unit_test(test_tensor_shape_and_missing),
        cmocka_unit_test(test_tensor_bytes),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_checksum),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
