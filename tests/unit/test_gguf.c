/* test_gguf.c - GGUF writing and reading.
 *
 *  1. Every expected GGUF in tests/data/<fixture>/expected/ is read, its header
 *     rebuilt from the parsed KVs and tensor infos, and compared byte for byte.
 *  2. A small valid file built in memory is corrupted case by case, in the
 *     manner of ggml's test-gguf; each case must fail with a given message.
 *  3. Every prefix of the small file, and seeded random byte flips of it, must
 *     parse or fail cleanly (the sanitizers catch any stray read).
 *  4. h2g_gguf_to_json survives cJSON_Print + cJSON_Parse with its values. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/gguf.h"
#include "hf2gguf/gguf_json.h"
#include "base/util.h"

/* ---------------------------------------------------------------------------
 * 1. Expected fixtures: rebuilt headers equal the files
 * ------------------------------------------------------------------------- */

/* A vocab-only file (no tensors): the reference's ends right after its
 * KVs, unpadded, and our encoding of its KVs is those bytes. */
static void check_rebuilt_vocab_only(h2g_gguf_file *f) {
    h2g_error err = {0};
    assert_int_equal(f->size, h2g_gguf_header_bytes(&f->kv, NULL, 0));
    uint8_t *hdr = NULL;
    size_t len = 0;
    assert_int_equal(h2g_gguf_encode_header(&f->kv, NULL, 0, &hdr, &len, &err), 0);
    assert_true(len >= f->size);
    assert_memory_equal(hdr, f->map, f->size);
    free(hdr);
    h2g_gguf_close(f);
}

/* Reopens path, rebuilds its header from what was parsed, and compares. */
static void check_rebuilt_header(const char *path) {
    h2g_gguf_file f;
    h2g_error err = {0};
    if (h2g_gguf_open(&f, path, &err) != 0) fail_msg("%s", err.msg);
    if (f.n_tensors == 0) {
        check_rebuilt_vocab_only(&f);
        return;
    }

    h2g_tensor_info *ts = calloc(f.n_tensors, sizeof *ts);
    memcpy(ts, f.tensors, f.n_tensors * sizeof *ts);
    for (size_t i = 0; i < f.n_tensors; i++) ts[i].offset = ts[i].nbytes = 0;
    uint64_t data_offset = 0, data_size = 0;
    assert_int_equal(h2g_gguf_layout(&f.kv, ts, f.n_tensors, &data_offset, &data_size, &err), 0);
    assert_int_equal(data_offset, f.data_offset);
    assert_int_equal(data_offset + data_size, f.size); /* the last padding is written too */
    for (size_t i = 0; i < f.n_tensors; i++) {
        assert_int_equal(ts[i].offset, f.tensors[i].offset);
        assert_int_equal(ts[i].nbytes, f.tensors[i].nbytes);
    }

    uint8_t *hdr = NULL;
    size_t len = 0;
    assert_int_equal(h2g_gguf_encode_header(&f.kv, ts, f.n_tensors, &hdr, &len, &err), 0);
    assert_int_equal(len, f.data_offset);
    assert_memory_equal(hdr, f.map, len);
    assert_ptr_equal(h2g_gguf_tensor_data(&f, 0), f.map + f.data_offset);
    assert_int_equal(h2g_gguf_find_tensor(&f, f.tensors[f.n_tensors - 1].name),
                     (long)f.n_tensors - 1);
    assert_int_equal(h2g_gguf_find_tensor(&f, "no.such.tensor"), -1);
    free(hdr);
    free(ts);
    h2g_gguf_close(&f);
}

/* Calls check_rebuilt_header on each *.gguf in dir; returns how many. */
static int check_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!h2g_str_ends_with(e->d_name, ".gguf")) continue;
        char *path = h2g_path_join(dir, e->d_name);
        check_rebuilt_header(path);
        free(path);
        n++;
    }
    closedir(d);
    return n;
}

static void test_expected_files_rebuild(void **state) {
    (void)state;
    DIR *d = opendir(TEST_DATA_DIR);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *dir = h2g_strfmt("%s/%s/expected", TEST_DATA_DIR, e->d_name);
        n += check_dir(dir);
        free(dir);
    }
    closedir(d);
    if (getenv("H2G_TEST_VERBOSE")) printf("%d expected GGUF files rebuilt\n", n);
    assert_true(n >= 7); /* five text files and two mmproj files when written */
}

/* ---------------------------------------------------------------------------
 * A small valid file in memory
 * ------------------------------------------------------------------------- */

typedef struct blob {
    uint8_t *data;
    size_t size;
} blob;

/* KVs of every kind, general.alignment 32 spelled out (so a case can spoil
 * it), and two tensors: F32 4x2 (32 bytes) then Q8_0 32x2 (68 bytes, padded
 * to 96), so the second offset is 32. */
static blob small_file(void) {
    h2g_kv_list kv = {0};
    h2g_error err = {0};
    assert_int_equal(h2g_kv_set_str(&kv, "general.architecture", "llama", &err), 0);
    assert_int_equal(h2g_kv_set_u32(&kv, "general.alignment", 32, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&kv, "test.aaa", 7, &err), 0);
    assert_int_equal(h2g_kv_set_u32(&kv, "test.bbb", 8, &err), 0);
    assert_int_equal(h2g_kv_set_bool(&kv, "test.flag", true, &err), 0);
    assert_int_equal(h2g_kv_set_f32(&kv, "test.eps", 1e-6f, &err), 0);
    assert_int_equal(h2g_kv_set_u64(&kv, "test.big", UINT64_C(1) << 60, &err), 0);
    int32_t ints[20];
    for (int i = 0; i < 20; i++) ints[i] = i - 3;
    assert_int_equal(h2g_kv_set_array(&kv, "test.ints", H2G_VT_INT32, ints, 20, &err), 0);
    h2g_str *strs = calloc(3, sizeof *strs);
    strs[0] = (h2g_str){h2g_strdup("a"), 1};
    strs[1] = (h2g_str){h2g_strdup("\xc3\xa9t\xc3\xa9"), 5};
    strs[2] = (h2g_str){h2g_strdup("\xff"), 1}; /* not UTF-8 */
    assert_int_equal(h2g_kv_set_str_array_owned(&kv, "test.strs", strs, 3, &err), 0);

    h2g_tensor_info ts[2] = {
        {.name = "blk.0.attn_q.weight", .n_dims = 2, .ne = {4, 2, 1, 1}, .type = H2G_GGML_F32},
        {.name = "blk.0.attn_k.weight", .n_dims = 2, .ne = {32, 2, 1, 1}, .type = H2G_GGML_Q8_0},
    };
    uint64_t data_offset, data_size;
    assert_int_equal(h2g_gguf_layout(&kv, ts, 2, &data_offset, &data_size, &err), 0);
    assert_int_equal(ts[1].offset, 32);
    assert_int_equal(data_size, 128);
    uint8_t *hdr;
    size_t len;
    assert_int_equal(h2g_gguf_encode_header(&kv, ts, 2, &hdr, &len, &err), 0);
    assert_int_equal(len, data_offset);
    blob b = {calloc(1, data_offset + data_size), data_offset + data_size};
    memcpy(b.data, hdr, len);
    for (size_t i = len; i < b.size; i++) b.data[i] = (uint8_t)(i * 7); /* any data */
    free(hdr);
    h2g_kv_list_free(&kv);
    return b;
}

/* Position of the first occurrence of s in b (the test fails without one). */
static size_t find(const blob *b, const char *s) {
    const uint8_t *p = memmem(b->data, b->size, s, strlen(s));
    assert_non_null(p);
    return (size_t)(p - b->data);
}

static void put_u32(blob *b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; i++) b->data[at + i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(blob *b, size_t at, uint64_t v) {
    for (int i = 0; i < 8; i++) b->data[at + i] = (uint8_t)(v >> (8 * i));
}

/* Byte position of a field of the tensor info called name. */
static size_t tensor_field(const blob *b, const char *name, const char *field) {
    size_t at = find(b, name) + strlen(name); /* n_dims */
    uint32_t n_dims = 2;                       /* both tensors of small_file */
    if (!strcmp(field, "n_dims")) return at;
    if (!strcmp(field, "ne0")) return at + 4;
    if (!strcmp(field, "type")) return at + 4 + 8 * n_dims;
    return at + 4 + 8 * n_dims + 4; /* offset */
}

/* Byte position of the value type of key (the value follows 4 bytes on). */
static size_t kv_type_at(const blob *b, const char *key) {
    return find(b, key) + strlen(key);
}

/* ---------------------------------------------------------------------------
 * 2. Corruption cases
 * ------------------------------------------------------------------------- */

static void bad_magic(blob *b) { b->data[3] = 'X'; }
static void version_2(blob *b) { put_u32(b, 4, 2); }
static void version_swapped(blob *b) { put_u32(b, 4, 0x03000000u); }
static void n_kv_huge(blob *b) { put_u64(b, 16, UINT64_C(1) << 60); }
static void n_tensors_huge(blob *b) { put_u64(b, 8, UINT64_C(1) << 40); }
static void duplicate_key(blob *b) { memcpy(b->data + find(b, "test.bbb"), "test.aaa", 8); }
static void duplicate_tensor(blob *b) {
    memcpy(b->data + find(b, "blk.0.attn_k.weight"), "blk.0.attn_q.weight", 19);
}
static void name_64_bytes(blob *b) { put_u64(b, find(b, "blk.0.attn_k.weight") - 8, 64); }
static void n_dims_5(blob *b) { put_u32(b, tensor_field(b, "blk.0.attn_k.weight", "n_dims"), 5); }
static void n_dims_0(blob *b) { put_u32(b, tensor_field(b, "blk.0.attn_q.weight", "n_dims"), 0); }
static void unknown_ggml_type(blob *b) {
    put_u32(b, tensor_field(b, "blk.0.attn_k.weight", "type"), 99);
}
static void ne0_not_block_multiple(blob *b) {
    put_u64(b, tensor_field(b, "blk.0.attn_k.weight", "ne0"), 33);
}
static void element_count_overflow(blob *b) {
    size_t at = tensor_field(b, "blk.0.attn_q.weight", "ne0");
    put_u64(b, at, UINT64_C(1) << 40);
    put_u64(b, at + 8, UINT64_C(1) << 40);
}
static void ne_negative(blob *b) {
    put_u64(b, tensor_field(b, "blk.0.attn_q.weight", "ne0") + 8, UINT64_MAX);
}
static void offset_not_dense(blob *b) {
    put_u64(b, tensor_field(b, "blk.0.attn_k.weight", "offset"), 64);
}
static void offset_misaligned(blob *b) {
    put_u64(b, tensor_field(b, "blk.0.attn_k.weight", "offset"), 48);
}
static void first_offset_not_zero(blob *b) {
    put_u64(b, tensor_field(b, "blk.0.attn_q.weight", "offset"), 32);
}
static void string_past_eof(blob *b) {
    put_u64(b, kv_type_at(b, "general.architecture") + 4, UINT64_C(1) << 40);
}
static void key_length_past_eof(blob *b) { put_u64(b, 24, b->size); }
static void array_count_past_eof(blob *b) {
    put_u64(b, kv_type_at(b, "test.ints") + 8, UINT64_C(1) << 61);
}
static void string_array_count_huge(blob *b) {
    put_u64(b, kv_type_at(b, "test.strs") + 8, UINT64_MAX);
}
static void truncated_data(blob *b) { b->size -= 40; }
static void truncated_header(blob *b) { b->size = find(b, "blk.0.attn_k.weight") + 4; }
static void alignment_3(blob *b) { put_u32(b, kv_type_at(b, "general.alignment") + 4, 3); }
static void alignment_0(blob *b) { put_u32(b, kv_type_at(b, "general.alignment") + 4, 0); }
static void alignment_int32(blob *b) { put_u32(b, kv_type_at(b, "general.alignment"), 5); }
static void alignment_64(blob *b) { put_u32(b, kv_type_at(b, "general.alignment") + 4, 64); }
static void unknown_value_type(blob *b) { put_u32(b, kv_type_at(b, "test.aaa"), 13); }
static void nested_array(blob *b) { put_u32(b, kv_type_at(b, "test.ints") + 4, H2G_VT_ARRAY); }
static void unknown_elem_type(blob *b) { put_u32(b, kv_type_at(b, "test.ints") + 4, 77); }
static void bool_2(blob *b) { b->data[kv_type_at(b, "test.flag") + 4] = 2; }
static void empty_file(blob *b) { b->size = 0; }
static void nul_in_name(blob *b) { b->data[find(b, "blk.0.attn_k.weight") + 3] = 0; }

typedef struct corruption {
    const char *what;
    void (*spoil)(blob *b);
    const char *fragment; /* must appear in the error message */
} corruption;

static const corruption corruptions[] = {
    {"bad magic", bad_magic, "bad magic 47 47 55 58"},
    {"version 2", version_2, "GGUF version 2 is not supported"},
    {"big-endian version", version_swapped, "byte-swapped"},
    {"n_kv huge", n_kv_huge, "KV count 1152921504606846976"},
    {"n_tensors huge", n_tensors_huge, "tensor count 1099511627776 cannot fit"},
    {"duplicate key", duplicate_key, "duplicate key 'test.aaa'"},
    {"duplicate tensor name", duplicate_tensor, "duplicate tensor name 'blk.0.attn_q.weight'"},
    {"name of 64 bytes", name_64_bytes, "tensor 1: name of 64 bytes is too long"},
    {"n_dims 5", n_dims_5, "tensor 'blk.0.attn_k.weight': n_dims = 5"},
    {"n_dims 0", n_dims_0, "tensor 'blk.0.attn_q.weight': n_dims = 0"},
    {"unknown ggml type", unknown_ggml_type, "unknown ggml type 99"},
    {"ne[0] not a block multiple", ne0_not_block_multiple,
     "ne[0] = 33 is not a multiple of the Q8_0 block size 32"},
    {"element count overflow", element_count_overflow, "element count overflows"},
    {"negative ne", ne_negative, "ne[1] = 18446744073709551615 is negative"},
    {"non-dense offset", offset_not_dense,
     "tensor 'blk.0.attn_k.weight': offset 64 is not the expected 32 (offsets must be dense)"},
    {"misaligned offset", offset_misaligned, "offset 48 is not a multiple of the alignment 32"},
    {"first offset not 0", first_offset_not_zero, "offset 32 is not the expected 0"},
    {"string length past EOF", string_past_eof, "string of 1099511627776 bytes at byte"},
    {"key length past EOF", key_length_past_eof, "KV 0: key of"},
    {"array count past EOF", array_count_past_eof, "key 'test.ints': array of"},
    {"string array count huge", string_array_count_huge, "cannot fit in the file"},
    {"truncated data", truncated_data, "'blk.0.attn_k.weight': 68 bytes of data at byte"},
    {"truncated header", truncated_header, "runs past the end of the file"},
    {"alignment 3", alignment_3, "general.alignment = 3 is not a power of two"},
    {"alignment 0", alignment_0, "general.alignment = 0 is not a power of two"},
    {"alignment INT32", alignment_int32, "general.alignment has type INT32"},
    {"alignment 64", alignment_64, "not a multiple of the alignment 64"},
    {"unknown value type", unknown_value_type, "key 'test.aaa': unknown value type 13"},
    {"nested array", nested_array, "key 'test.ints': nested arrays are not supported"},
    {"unknown element type", unknown_elem_type, "unknown array element type 77"},
    {"BOOL 2", bool_2, "BOOL value 2"},
    {"empty file", empty_file, "empty file (0 bytes), not a GGUF file"},
    {"NUL in a tensor name", nul_in_name, "name contains a NUL byte"},
};

static void test_corruptions(void **state) {
    (void)state;
    blob good = small_file();
    h2g_gguf_file f;
    h2g_error err = {0};
    if (h2g_gguf_parse(&f, good.data, good.size, "x.gguf", &err) != 0) fail_msg("%s", err.msg);
    h2g_gguf_close(&f);
    for (size_t i = 0; i < sizeof corruptions / sizeof corruptions[0]; i++) {
        const corruption *c = &corruptions[i];
        blob b = {malloc(good.size), good.size};
        memcpy(b.data, good.data, good.size);
        c->spoil(&b);
        /* A copy of exactly b.size bytes, so ASan sees any read past it. */
        uint8_t *exact = malloc(b.size ? b.size : 1);
        memcpy(exact, b.data, b.size);
        memset(&err, 0, sizeof err);
        int rc = h2g_gguf_parse(&f, exact, b.size, "x.gguf", &err);
        if (rc == 0) fail_msg("case '%s': parsed without error", c->what);
        if (strncmp(err.msg, "x.gguf: ", 8) != 0 || !strstr(err.msg, c->fragment))
            fail_msg("case '%s': message \"%s\" lacks \"%s\"", c->what, err.msg, c->fragment);
        assert_null(f.tensors); /* a failed parse leaves nothing to free */
        if (getenv("H2G_TEST_VERBOSE")) printf("%-28s %s\n", c->what, err.msg);
        free(exact);
        free(b.data);
    }
    free(good.data);
}

/* ---------------------------------------------------------------------------
 * 3. Prefixes and random flips never crash
 * ------------------------------------------------------------------------- */

static void test_every_prefix_fails_cleanly(void **state) {
    (void)state;
    blob good = small_file();
    h2g_gguf_file f;
    h2g_error err;
    /* Up to the end of the first tensor's data; after that only the second
     * tensor's bytes are missing, which is also an error. */
    for (size_t n = 0; n < good.size - 32; n++) {
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, good.data, n);
        assert_int_equal(h2g_gguf_parse(&f, exact, n, "p.gguf", &err), -1);
        free(exact);
    }
    free(good.data);
}

/* A small xorshift generator so that failures reproduce from the seed. */
static uint64_t next_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random_flips(void **state) {
    (void)state;
    blob good = small_file();
    uint64_t seed = 0x9e3779b97f4a7c15u;
    h2g_gguf_file f;
    h2g_error err;
    int parsed = 0;
    for (int round = 0; round < 3000; round++) {
        uint8_t *exact = malloc(good.size);
        memcpy(exact, good.data, good.size);
        int flips = 1 + (int)(next_rand(&seed) % 4);
        for (int k = 0; k < flips; k++)
            exact[next_rand(&seed) % good.size] ^= (uint8_t)(1u << (next_rand(&seed) % 8));
        if (h2g_gguf_parse(&f, exact, good.size, "r.gguf", &err) == 0) {
            /* Whatever parsed must describe data inside the buffer. */
            for (size_t i = 0; i < f.n_tensors; i++)
                assert_true(f.data_offset + f.tensors[i].offset + f.tensors[i].nbytes <=
                            good.size);
            h2g_gguf_close(&f);
            parsed++;
        }
        free(exact);
    }
    assert_true(parsed > 0); /* flips in tensor data leave the file valid */
    free(good.data);
}

/* ---------------------------------------------------------------------------
 * Writer checks
 * ------------------------------------------------------------------------- */

static void test_writer_rejects_bad_infos(void **state) {
    (void)state;
    h2g_kv_list kv = {0};
    h2g_error err = {0};
    uint64_t off, size;
    h2g_tensor_info dup[2] = {
        {.name = "a", .n_dims = 1, .ne = {1, 1, 1, 1}, .type = H2G_GGML_F32},
        {.name = "a", .n_dims = 1, .ne = {1, 1, 1, 1}, .type = H2G_GGML_F32},
    };
    assert_int_equal(h2g_gguf_layout(&kv, dup, 2, &off, &size, &err), -1);
    assert_non_null(strstr(err.msg, "'a' appears twice"));
    h2g_tensor_info q = {.name = "q", .n_dims = 1, .ne = {48, 1, 1, 1}, .type = H2G_GGML_Q8_0};
    assert_int_equal(h2g_gguf_layout(&kv, &q, 1, &off, &size, &err), -1);
    assert_non_null(strstr(err.msg, "not a multiple of the Q8_0 block size 32"));
    assert_int_equal(h2g_kv_set_u32(&kv, "general.alignment", 24, &err), 0);
    q.ne[0] = 32;
    assert_int_equal(h2g_gguf_layout(&kv, &q, 1, &off, &size, &err), -1);
    assert_non_null(strstr(err.msg, "power of two"));
    /* A custom alignment is honoured. */
    assert_int_equal(h2g_kv_set_u32(&kv, "general.alignment", 64, &err), 0);
    assert_int_equal(h2g_gguf_layout(&kv, &q, 1, &off, &size, &err), 0);
    assert_int_equal(off % 64, 0);
    assert_int_equal(size, 64);
    h2g_kv_list_free(&kv);
}

static void test_type_table(void **state) {
    (void)state;
    static const struct {
        uint32_t id;
        const char *name;
        uint32_t block, bytes;
    } want[] = {
        {0, "F32", 1, 4},     {1, "F16", 1, 2},       {2, "Q4_0", 32, 18},  {3, "Q4_1", 32, 20},
        {6, "Q5_0", 32, 22},  {7, "Q5_1", 32, 24},    {8, "Q8_0", 32, 34},  {10, "Q2_K", 256, 84},
        {11, "Q3_K", 256, 110}, {12, "Q4_K", 256, 144}, {13, "Q5_K", 256, 176},
        {14, "Q6_K", 256, 210}, {15, "Q8_K", 256, 292}, {24, "I8", 1, 1},  {25, "I16", 1, 2},
        {26, "I32", 1, 4},    {27, "I64", 1, 8},      {28, "F64", 1, 8},    {30, "BF16", 1, 2},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint32_t block = 0, bytes = 0;
        assert_true(h2g_ggml_type_info(want[i].id, &block, &bytes));
        assert_string_equal(h2g_ggml_type_name(want[i].id), want[i].name);
        assert_int_equal(block, want[i].block);
        assert_int_equal(bytes, want[i].bytes);
    }
    assert_false(h2g_ggml_type_info(4, NULL, NULL)); /* removed Q4_2 */
    assert_false(h2g_ggml_type_info(1000, NULL, NULL));
    assert_string_equal(h2g_ggml_type_name(31), "?");
}

/* ---------------------------------------------------------------------------
 * 4. JSON
 * ------------------------------------------------------------------------- */

/* The "kv" entry of parsed JSON called key. */
static const cJSON *json_kv(const cJSON *root, const char *key) {
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(root, "kv"))
        if (!strcmp(cJSON_GetObjectItem(e, "key")->valuestring, key)) return e;
    fail_msg("no key %s in the JSON", key);
    return NULL;
}

/* Prints and re-parses f's JSON. */
static cJSON *json_round_trip(const h2g_gguf_file *f, bool full, bool tensors) {
    cJSON *j = h2g_gguf_to_json(f, full, tensors);
    assert_non_null(j);
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    cJSON *back = cJSON_Parse(text);
    assert_non_null(back);
    free(text);
    return back;
}

static void test_json_round_trip(void **state) {
    (void)state;
    blob b = small_file();
    h2g_gguf_file f;
    h2g_error err = {0};
    assert_int_equal(h2g_gguf_parse(&f, b.data, b.size, "s.gguf", &err), 0);
    cJSON *j = json_round_trip(&f, false, true);
    assert_string_equal(cJSON_GetObjectItem(j, "file")->valuestring, "s.gguf");
    assert_int_equal(cJSON_GetObjectItem(j, "version")->valuedouble, 3);
    assert_int_equal(cJSON_GetObjectItem(j, "alignment")->valuedouble, 32);
    assert_int_equal(cJSON_GetObjectItem(j, "n_kv")->valuedouble, 9);
    assert_int_equal(cJSON_GetObjectItem(j, "n_tensors")->valuedouble, 2);
    assert_int_equal(cJSON_GetObjectItem(j, "data_offset")->valuedouble, f.data_offset);
    assert_int_equal(cJSON_GetObjectItem(j, "file_size")->valuedouble, b.size);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "kv")), 9);
    /* File order. */
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "kv"), 2), "key")
            ->valuestring, "test.aaa");

    const cJSON *arch = json_kv(j, "general.architecture");
    assert_string_equal(cJSON_GetObjectItem(arch, "type")->valuestring, "STRING");
    assert_string_equal(cJSON_GetObjectItem(arch, "value")->valuestring, "llama");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(json_kv(j, "test.flag"), "value")));
    assert_true(cJSON_GetObjectItem(json_kv(j, "test.eps"), "value")->valuedouble == 1e-6);
    /* Past 2^53: a JSON number with every digit (issue 14, item 16). */
    const cJSON *big = cJSON_GetObjectItem(json_kv(j, "test.big"), "value");
    assert_true(cJSON_IsNumber(big));
    assert_true(big->valuedouble == 1152921504606846976.0);

    const cJSON *ints = json_kv(j, "test.ints");
    assert_string_equal(cJSON_GetObjectItem(ints, "type")->valuestring, "ARRAY[INT32]");
    const cJSON *v = cJSON_GetObjectItem(ints, "value");
    assert_int_equal(cJSON_GetObjectItem(v, "count")->valuedouble, 20);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(v, "head")), 8);
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "head"), 0)->valuedouble, -3);

    const cJSON *strs = cJSON_GetObjectItem(json_kv(j, "test.strs"), "value");
    assert_int_equal(cJSON_GetArraySize(strs), 3);
    assert_string_equal(cJSON_GetArrayItem(strs, 1)->valuestring, "\xc3\xa9t\xc3\xa9");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(strs, 2), "hex")->valuestring,
                        "ff");

    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tensors"), 1);
    assert_string_equal(cJSON_GetObjectItem(t, "name")->valuestring, "blk.0.attn_k.weight");
    assert_string_equal(cJSON_GetObjectItem(t, "type")->valuestring, "Q8_0");
    const cJSON *shape = cJSON_GetObjectItem(t, "shape");
    assert_int_equal(cJSON_GetArraySize(shape), 2);
    assert_int_equal(cJSON_GetArrayItem(shape, 0)->valuedouble, 32);
    assert_int_equal(cJSON_GetObjectItem(t, "offset")->valuedouble, 32);
    assert_int_equal(cJSON_GetObjectItem(t, "nbytes")->valuedouble, 68);
    cJSON_Delete(j);

    /* Full arrays, no tensors. */
    j = json_round_trip(&f, true, false);
    assert_null(cJSON_GetObjectItem(j, "tensors"));
    v = cJSON_GetObjectItem(json_kv(j, "test.ints"), "value");
    assert_int_equal(cJSON_GetArraySize(v), 20);
    assert_int_equal(cJSON_GetArrayItem(v, 19)->valuedouble, 16);
    cJSON_Delete(j);
    h2g_gguf_close(&f);
    free(b.data);
}

static void test_f32_shortest(void **state) {
    (void)state;
    char buf[32];
    h2g_f32_shortest(1e-6f, buf, sizeof buf);
    assert_string_equal(buf, "1e-06");
    h2g_f32_shortest(0.1f, buf, sizeof buf);
    assert_string_equal(buf, "0.1");
    h2g_f32_shortest(16777217.0f, buf, sizeof buf); /* rounds to 16777216 */
    assert_string_equal(buf, "16777216");
    h2g_f32_shortest(3.14159274f, buf, sizeof buf);
    assert_true(strtof(buf, NULL) == 3.14159274f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_files_rebuild),
        cmocka_unit_test(test_corruptions),
        cmocka_unit_test(test_every_prefix_fails_cleanly),
        cmocka_unit_test(test_random_flips),
        cmocka_unit_test(test_writer_rejects_bad_infos),
        cmocka_unit_test(test_type_table),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_f32_shortest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
