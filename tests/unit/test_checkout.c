/* test_checkout.c - opening checkouts (checkout.h) and model cards
 * (model_card.h).
 *
 *  1. every fixture opens: shard list and order, tensors name-sorted within
 *     each shard, per-shard ranges, data_bytes (= the index's total_size),
 *     agreement with weight_map, lookups by name, data pointers, the small
 *     JSON files and the model card's front matter, the directory name;
 *  2. one table of broken checkouts, built in a mkdtemp directory (config.json
 *     copied from a fixture, small hand-made safetensors files), each with
 *     the error it must give; a failed open leaves the checkout empty (ASan
 *     reports any leak); a non-regular file named like a shard is an error,
 *     never silently skipped;
 *  3. processor configs merged, chat_template.jinja read, JSON parse errors
 *     located, the directory name for ".", trailing slashes;
 *  4. h2g_model_card_parse on its own: no front matter, CRLF, scalars kept
 *     as strings, repeated keys, malformed YAML with its README line. */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hf2gguf/checkout.h"
#include "source/model_card.h"
#include "base/util.h"

#define INDEX "model.safetensors.index.json"

/* ---------------------------------------------------------------------------
 * Scratch directories
 * ------------------------------------------------------------------------- */

/* A fresh empty directory under /tmp (its path in buf). */
static void make_tmp(char *buf, size_t size) {
    snprintf(buf, size, "/tmp/h2g_checkout_XXXXXX");
    assert_non_null(mkdtemp(buf));
}

/* nftw callback: removes one file or (emptied) directory. */
static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* rm -rf dir. */
static void remove_tree(const char *dir) {
    assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Writes len bytes to dir/name. */
static void write_bytes(const char *dir, const char *name, const void *data, size_t len) {
    char *path = h2g_path_join(dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(path);
}

/* Writes a NUL-terminated text to dir/name. */
static void write_text(const char *dir, const char *name, const char *text) {
    write_bytes(dir, name, text, strlen(text));
}

/* Writes a safetensors file: header json, then data_len bytes. */
static void write_st(const char *dir, const char *name, const char *json, size_t data_len) {
    size_t n = strlen(json), size = 8 + n + data_len;
    uint8_t *buf = calloc(1, size);
    assert_non_null(buf);
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, json, n);
    write_bytes(dir, name, buf, size);
    free(buf);
}

/* Copies a fixture's config.json into dir. */
static void copy_config(const char *dir) {
    char *text;
    size_t len;
    h2g_error err = {0};
    assert_int_equal(h2g_read_small_file(TEST_DATA_DIR "/deepseek-v3-tiny/config.json",
                                         "config.json", 1 << 20, false, &text, &len, &err),
                     0);
    write_bytes(dir, "config.json", text, len);
    free(text);
}

/* Asserts that opening dir fails with a message containing expect, and
 * that the checkout is left empty. */
static void expect_open_error(const char *dir, const char *expect, const char *what) {
    h2g_checkout co;
    h2g_error err = {0};
    int rc = h2g_checkout_open(&co, dir, &err);
    if (rc == 0) h2g_checkout_close(&co);
    if (rc == 0 || !strstr(err.msg, expect))
        fail_msg("%s\n  expected an error containing: %s\n  got (rc %d): %s", what, expect, rc,
                 err.msg);
    assert_null(co.tensors);
    assert_null(co.shards);
    assert_null(co.config);
}

/* ---------------------------------------------------------------------------
 * The fixtures
 * ------------------------------------------------------------------------- */

typedef struct fixture {
    const char *name;
    size_t n_shards;
    size_t n_tensors;
    uint64_t data_bytes;
    bool has_index;
} fixture;

static const fixture fixtures[] = {
    {"deepseek-v2-lite-tiny", 1, 611, 778528, false},
    {"deepseek-v3-tiny", 3, 173, 995840, true},
    {"deepseek-v3-fp8-tiny", 2, 168, 1389944, true},
    {"deepseek-ocr-tiny", 1, 410, 801952, true},
    {"deepseek-ocr2-tiny", 1, 551, 1366480, true},
};

/* Shards sorted; each shard's tensors contiguous, its own and name-sorted;
 * every tensor inside its mapping and found by name. */
static void check_order(const h2g_checkout *co) {
    size_t next = 0;
    uint64_t bytes = 0;
    for (size_t s = 0; s < co->n_shards; s++) {
        const h2g_shard *sh = &co->shards[s];
        if (s > 0) assert_true(strcmp(co->shards[s - 1].file_name, sh->file_name) < 0);
        assert_int_equal(sh->first_tensor, next);
        assert_true(sh->fd >= 0);
        assert_non_null(sh->map);
        assert_true(sh->data_start >= 8 && sh->data_start <= sh->size);
        for (size_t i = sh->first_tensor; i < sh->first_tensor + sh->n_tensors; i++) {
            const h2g_st_tensor *t = &co->tensors[i];
            assert_int_equal(t->shard, s);
            if (i > sh->first_tensor) assert_true(strcmp(co->tensors[i - 1].name, t->name) < 0);
            assert_true(t->offset >= sh->data_start && t->offset + t->nbytes <= sh->size);
            assert_ptr_equal(h2g_checkout_data(co, t), sh->map + t->offset);
            assert_int_equal(h2g_checkout_find(co, t->name), (long)i);
            bytes += t->nbytes;
        }
        next += sh->n_tensors;
    }
    assert_int_equal(next, co->n_tensors);
    assert_int_equal(bytes, co->data_bytes);
    assert_int_equal(h2g_checkout_find(co, "no.such.tensor"), -1);
    assert_int_equal(h2g_checkout_find(co, ""), -1);
}

/* The index agrees with the checkout: total_size, and every key in the
 * shard it names. */
static void check_index(const h2g_checkout *co, const char *dir) {
    char *path = h2g_path_join(dir, INDEX);
    cJSON *index;
    h2g_error err = {0};
    assert_int_equal(h2g_read_json_file(path, INDEX, false, &index, &err), 0);
    const cJSON *total = cJSON_GetObjectItem(cJSON_GetObjectItem(index, "metadata"),
                                             "total_size");
    assert_true(cJSON_IsNumber(total));
    assert_int_equal((uint64_t)total->valuedouble, co->data_bytes);
    const cJSON *map = cJSON_GetObjectItem(index, "weight_map");
    assert_int_equal(cJSON_GetArraySize(map), co->n_tensors);
    for (const cJSON *e = map->child; e; e = e->next) {
        long i = h2g_checkout_find(co, e->string);
        assert_true(i >= 0);
        assert_string_equal(co->shards[co->tensors[i].shard].file_name, e->valuestring);
    }
    cJSON_Delete(index);
    free(path);
}

/* A tensor's mapped bytes equal what a plain read of the file gives. */
static void check_data(const h2g_checkout *co) {
    const h2g_st_tensor *t = &co->tensors[co->n_tensors - 1];
    const h2g_shard *sh = &co->shards[t->shard];
    uint8_t *buf = malloc(t->nbytes + 1);
    int fd = open(sh->path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, buf, t->nbytes, (off_t)t->offset), (ssize_t)t->nbytes);
    assert_memory_equal(buf, h2g_checkout_data(co, t), t->nbytes);
    close(fd);
    free(buf);
}

static void test_fixtures(void **state) {
    (void)state;
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
        const fixture *fx = &fixtures[f];
        char *dir = h2g_strfmt("%s/%s", TEST_DATA_DIR, fx->name);
        h2g_checkout co;
        h2g_error err = {0};
        if (h2g_checkout_open(&co, dir, &err) != 0) fail_msg("%s: %s", fx->name, err.msg);
        assert_string_equal(co.dir, dir);
        assert_string_equal(co.dir_name, fx->name);
        assert_int_equal(co.n_shards, fx->n_shards);
        assert_int_equal(co.n_tensors, fx->n_tensors);
        assert_int_equal(co.data_bytes, fx->data_bytes);
        assert_true(cJSON_IsObject(co.config));
        assert_true(cJSON_IsObject(co.tokenizer));
        assert_true(cJSON_IsObject(co.tokenizer_config));
        assert_true(cJSON_IsObject(co.generation_config));
        assert_true(cJSON_IsObject(co.model_card));
        assert_null(co.chat_template_jinja);
        check_order(&co);
        check_data(&co);
        if (fx->has_index) check_index(&co, dir);
        h2g_checkout_close(&co);
        assert_null(co.tensors);
        free(dir);
    }
}

static void test_v3_shards(void **state) {
    (void)state;
    h2g_checkout co;
    h2g_error err = {0};
    assert_int_equal(h2g_checkout_open(&co, TEST_DATA_DIR "/deepseek-v3-tiny/", &err), 0);
    assert_string_equal(co.dir_name, "deepseek-v3-tiny"); /* trailing slash ignored */
    static const char *const names[] = {"model-00001-of-000003.safetensors",
                                        "model-00002-of-000003.safetensors",
                                        "model-00003-of-000003.safetensors"};
    static const size_t counts[] = {63, 64, 46};
    for (size_t s = 0; s < 3; s++) {
        assert_string_equal(co.shards[s].file_name, names[s]);
        assert_int_equal(co.shards[s].n_tensors, counts[s]);
    }
    assert_string_equal(co.tensors[0].name, "model.embed_tokens.weight");
    assert_null(co.processor_config);
    h2g_checkout_close(&co);
}

static void test_v2_lite_card(void **state) {
    (void)state;
    h2g_checkout co;
    h2g_error err = {0};
    assert_int_equal(h2g_checkout_open(&co, TEST_DATA_DIR "/deepseek-v2-lite-tiny", &err), 0);
    assert_int_equal(co.n_shards, 1);
    assert_string_equal(co.shards[0].file_name, "model.safetensors");
    assert_string_equal(co.tensors[0].name, "lm_head.weight");
    const cJSON *card = co.model_card;
    assert_string_equal(cJSON_GetObjectItem(card, "license")->valuestring, "other");
    assert_string_equal(cJSON_GetObjectItem(card, "license_name")->valuestring, "deepseek");
    assert_string_equal(cJSON_GetObjectItem(card, "license_link")->valuestring,
                        "https://github.com/deepseek-ai/DeepSeek-V2/blob/main/LICENSE-MODEL");
    assert_int_equal(cJSON_GetArraySize(card), 3);
    h2g_checkout_close(&co);
}

static void test_ocr_card(void **state) {
    (void)state;
    static const char *const dirs[] = {TEST_DATA_DIR "/deepseek-ocr-tiny",
                                       TEST_DATA_DIR "/deepseek-ocr2-tiny"};
    for (size_t d = 0; d < 2; d++) {
        h2g_checkout co;
        h2g_error err = {0};
        assert_int_equal(h2g_checkout_open(&co, dirs[d], &err), 0);
        const cJSON *card = co.model_card;
        assert_string_equal(cJSON_GetObjectItem(card, "pipeline_tag")->valuestring,
                            "image-text-to-text");
        const cJSON *lang = cJSON_GetObjectItem(card, "language");
        assert_true(cJSON_IsArray(lang));
        assert_int_equal(cJSON_GetArraySize(lang), 1);
        assert_string_equal(cJSON_GetArrayItem(lang, 0)->valuestring, "multilingual");
        const cJSON *tags = cJSON_GetObjectItem(card, "tags");
        static const char *const want[] = {"deepseek", "vision-language", "ocr", "custom_code"};
        assert_int_equal(cJSON_GetArraySize(tags), 4);
        for (int i = 0; i < 4; i++)
            assert_string_equal(cJSON_GetArrayItem(tags, i)->valuestring, want[i]);
        assert_true(cJSON_IsObject(co.processor_config));
        assert_non_null(cJSON_GetObjectItem(co.processor_config, "image_mean"));
        h2g_checkout_close(&co);
    }
}

/* "." names the directory by its real path's last component. */
static void test_dir_name_of_dot(void **state) {
    (void)state;
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(TEST_DATA_DIR "/deepseek-v3-fp8-tiny"), 0);
    h2g_checkout co;
    h2g_error err = {0};
    int rc = h2g_checkout_open(&co, ".", &err);
    if (rc == 0) {
        assert_string_equal(co.dir_name, "deepseek-v3-fp8-tiny");
        h2g_checkout_close(&co);
    }
    rc |= h2g_checkout_open(&co, "./", &err);
    if (rc == 0) {
        assert_string_equal(co.dir_name, "deepseek-v3-fp8-tiny");
        h2g_checkout_close(&co);
    }
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
}

/* ---------------------------------------------------------------------------
 * Broken checkouts
 * ------------------------------------------------------------------------- */

enum kind { NONE, TEXT, ST, BYTES, DIRECTORY };

typedef struct file_spec {
    enum kind kind;
    const char *name;
    const char *text; /* TEXT: contents; ST: header JSON; BYTES: raw bytes */
    size_t len;       /* ST: data bytes after the header; BYTES: file length */
    size_t raw;       /* BYTES: how many bytes of text start the file (rest zero) */
} file_spec;

typedef struct bad_case {
    const char *what;
    file_spec files[4];
    const char *expect;
} bad_case;

#define S1 "model-00001-of-000001.safetensors"
#define S2A "model-00001-of-000002.safetensors"
#define S2B "model-00002-of-000002.safetensors"
#define ST_A "{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]}}"
#define ST_AB                                                                                 \
    "{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]},"                  \
    " \"b\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [4, 8]}}"
#define ST_ONE(dtype, shape, offs)                                                            \
    "{\"a\": {\"dtype\": " dtype ", \"shape\": " shape ", \"data_offsets\": " offs "}}"
#define MAP(...) "{\"metadata\": {\"total_size\": 8}, \"weight_map\": {" __VA_ARGS__ "}}"

#define TXT(name, text) {TEXT, name, text, 0, 0}
#define STF(name, json, data_len) {ST, name, json, data_len, 0}
#define RAW(name, bytes, len, raw) {BYTES, name, bytes, len, raw}
#define MKDIR(name) {DIRECTORY, name, NULL, 0, 0}

static const bad_case bad_cases[] = {
    {"config.json not an object",
     {TXT("config.json", "[1]"), STF("model.safetensors", ST_A, 4)},
     "config.json: must be a JSON object"},
    {"config.json not JSON",
     {TXT("config.json", "{\n  \"a\": 1,\n  oops\n}"), STF("model.safetensors", ST_A, 4)},
     "config.json: not valid JSON (line 3, near byte"},
    {"tokenizer.json not JSON",
     {TXT("tokenizer.json", "{"), STF("model.safetensors", ST_A, 4)},
     "tokenizer.json: not valid JSON (line 1"},
    {"processor_config.json not an object",
     {TXT("processor_config.json", "3"), STF("model.safetensors", ST_A, 4)},
     "processor_config.json: must be a JSON object"},
    {"no shards", {TXT("other.safetensors", "x")}, "no model*.safetensors files in"},
    {"truncated shard",
     {STF("model.safetensors", ST_AB, 6)},
     "model.safetensors: tensor 'b' data [4, 8) lies outside the file (6 data bytes"},
    {"empty shard",
     {RAW("model.safetensors", "", 0, 0)},
     "model.safetensors: file is 0 bytes, too short for a safetensors header (truncated?)"},
    {"shard shorter than 8 bytes",
     {RAW("model.safetensors", "\x01\x00\x00\x00\x00", 5, 5)},
     "model.safetensors: file is 5 bytes, too short for a safetensors header"},
    {"header length larger than the file",
     {RAW("model.safetensors", "\x15\xcd\x5b\x07\x00\x00\x00\x00{}", 1000, 10)},
     "model.safetensors: header length 123456789 is larger than the file (1000 bytes)"},
    {"header not a JSON object",
     {STF("model.safetensors", "[\"a\"]", 0)},
     "model.safetensors: header is not a JSON object"},
    {"overlapping tensors",
     {STF("model.safetensors",
       "{\"a\": {\"dtype\": \"U8\", \"shape\": [6], \"data_offsets\": [0, 6]},"
       " \"b\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [4, 8]}}", 8)},
     "model.safetensors: tensors 'a' [0, 6) and 'b' [4, 8) overlap in the file"},
    {"shape x dtype is not the byte range",
     {STF("model.safetensors", ST_ONE("\"BF16\"", "[4, 8]", "[0, 60]"), 64)},
     "model.safetensors: tensor 'a': shape [4, 8] × BF16 is 64 bytes but data_offsets span 60"},
    {"unknown dtype",
     {STF("model.safetensors", ST_ONE("\"Q4_K\"", "[4]", "[0, 4]"), 4)},
     "model.safetensors: tensor 'a': unknown dtype 'Q4_K'"},
    {"data_offsets reversed",
     {STF("model.safetensors", ST_ONE("\"U8\"", "[4]", "[8, 4]"), 8)},
     "model.safetensors: tensor 'a': data_offsets [8, 4) are reversed"},
    {"negative shape entry",
     {STF("model.safetensors", ST_ONE("\"U8\"", "[2, -2]", "[0, 4]"), 4)},
     "model.safetensors: tensor 'a': shape entry 1 is not a non-negative whole number"},
    {"shape entry not a number",
     {STF("model.safetensors", ST_ONE("\"U8\"", "[\"4\"]", "[0, 4]"), 4)},
     "model.safetensors: tensor 'a': shape entry 0 is not a non-negative whole number"},
    {"duplicate tensor name in one file",
     {STF("model.safetensors",
       "{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]},"
       " \"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [4, 8]}}", 8)},
     "model.safetensors: tensor 'a' is listed twice in the header"},
    {"tensor name in two shards",
     {STF("model-1.safetensors", ST_A, 4), STF("model-2.safetensors", ST_A, 4)},
     "tensor 'a' appears in both model-1.safetensors and model-2.safetensors"},
    {"index not an object",
     {TXT(INDEX, "[]"), STF(S1, ST_A, 4)},
     INDEX ": must be a JSON object"},
    {"weight_map missing",
     {TXT(INDEX, "{\"metadata\": {}}"), STF(S1, ST_A, 4)},
     INDEX ": 'weight_map' must be an object"},
    {"weight_map empty", {TXT(INDEX, MAP("")), STF(S1, ST_A, 4)}, "'weight_map' is empty"},
    {"weight_map value not a string",
     {TXT(INDEX, MAP("\"a\": 1")), STF(S1, ST_A, 4)},
     INDEX ": tensor 'a' must map to a file name"},
    {"index names ../x.safetensors",
     {TXT(INDEX, MAP("\"a\": \"../x.safetensors\"")), STF(S1, ST_A, 4)},
     INDEX ": file name '../x.safetensors' (tensor 'a') must be a plain file name"},
    {"index names sub/x.safetensors",
     {TXT(INDEX, MAP("\"a\": \"sub/x.safetensors\"")), STF(S1, ST_A, 4)},
     "file name 'sub/x.safetensors' (tensor 'a') must be a plain file name"},
    {"shard named in the index is absent (checked before any shard is read)",
     {TXT(INDEX, MAP("\"a\": \"" S2A "\", \"b\": \"" S2B "\"")),
      RAW(S2A, "garbage", 3, 3)},
     INDEX ": shard '" S2B "' named in weight_map does not exist"},
    {"tensor listed in the index missing from its shard",
     {TXT(INDEX, MAP("\"a\": \"" S1 "\", \"b\": \"" S1 "\"")), STF(S1, ST_A, 4)},
     "tensor 'b' listed in " INDEX " is missing from " S1},
    {"tensor listed in the index found in another shard",
     {TXT(INDEX, MAP("\"a\": \"" S2B "\", \"b\": \"" S2A "\"")),
      STF(S2A, ST_A, 4),
      STF(S2B, "{\"b\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]}}", 4)},
     "tensor 'a' listed in " INDEX " is missing from " S2B " (it is in " S2A ")"},
    {"tensor in a shard missing from the index",
     {TXT(INDEX, MAP("\"a\": \"" S1 "\"")), STF(S1, ST_AB, 8)},
     S1 ": tensor 'b' is not listed in " INDEX},
    {"weight_map lists a tensor twice",
     {TXT(INDEX, MAP("\"a\": \"" S1 "\", \"a\": \"" S1 "\"")), STF(S1, ST_AB, 8)},
     INDEX ": tensor 'a' is listed twice in weight_map"},
    {"truncated shard of an indexed checkout",
     {TXT(INDEX, MAP("\"a\": \"" S1 "\", \"b\": \"" S1 "\"")), STF(S1, ST_AB, 7)},
     S1 ": tensor 'b' data [4, 8) lies outside the file"},
    {"a directory named like a shard",
     {STF("model-1.safetensors", ST_A, 4), MKDIR("model-2.safetensors")},
     "model-2.safetensors: not a regular file"},
    {"a directory named in the index",
     {TXT(INDEX, MAP("\"a\": \"" S1 "\"")), MKDIR(S1)},
     INDEX ": shard '" S1 "' is not a regular file"},
    {"a model.safetensors beside an index that does not name it",
     {TXT(INDEX, MAP("\"a\": \"" S1 "\"")), STF(S1, ST_A, 4), STF("model.safetensors", ST_A, 4)},
     "model.safetensors: found beside " INDEX ", whose weight_map does not name it; the "
     "checkout holds two sets of weights"},
    {"index names \"..\"",
     {TXT(INDEX, MAP("\"a\": \"..\"")), STF(S1, ST_A, 4)},
     INDEX ": file name '..' (tensor 'a') must be a plain file name"},
};

/* Writes a case's files into dir (config.json copied unless the case has
 * its own). */
static void build_case(const char *dir, const bad_case *c) {
    bool own_config = false;
    for (int i = 0; i < 4 && c->files[i].kind != NONE; i++) {
        const file_spec *f = &c->files[i];
        own_config |= !strcmp(f->name, "config.json");
        if (f->kind == TEXT) write_text(dir, f->name, f->text);
        if (f->kind == ST) write_st(dir, f->name, f->text, f->len);
        if (f->kind == DIRECTORY) {
            char *path = h2g_path_join(dir, f->name);
            assert_int_equal(mkdir(path, 0755), 0);
            free(path);
        }
        if (f->kind == BYTES) {
            uint8_t *buf = calloc(1, f->len + 1);
            memcpy(buf, f->text, f->raw);
            write_bytes(dir, f->name, buf, f->len);
            free(buf);
        }
    }
    if (!own_config) copy_config(dir);
}

static void test_bad_checkouts(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        char dir[64];
        make_tmp(dir, sizeof dir);
        build_case(dir, &bad_cases[i]);
        expect_open_error(dir, bad_cases[i].expect, bad_cases[i].what);
        remove_tree(dir);
    }
}

/* Optional metadata that cannot be used: the checkout opens, without it,
 * and says what was skipped (issue 14, item 11). */
static const bad_case tolerated_cases[] = {
    {"README.md front matter not YAML",
     {TXT("README.md", "---\nlicense: mit\ntags: [a, b\n---\n# x\n"),
      STF("model.safetensors", ST_A, 4)},
     "README.md: front matter is not valid YAML (line 4: did not find expected ',' or ']' "
     "while parsing a flow sequence); the model card was skipped (no general.* keys from it)"},
    {"README.md front matter never closed, the body not YAML",
     {TXT("README.md", "---\nlicense: mit\n# Title\nSome text.\n"),
      STF("model.safetensors", ST_A, 4)},
     "README.md: front matter is not valid YAML (line 5: could not find expected ':' while "
     "scanning a simple key) (the front matter has no closing '---' line, so all of README.md "
     "was read as YAML, as llama.cpp's converter does); the model card was skipped (no "
     "general.* keys from it)"},
    {"README.md front matter a list",
     {TXT("README.md", "---\n- a\n- b\n---\n"), STF("model.safetensors", ST_A, 4)},
     "README.md: front matter is a list, not a mapping of keys to values; the model card was "
     "skipped (no general.* keys from it)"},
    {"README.md a directory",
     {MKDIR("README.md"), STF("model.safetensors", ST_A, 4)},
     "README.md: not a regular file; the model card was skipped (no general.* keys from it)"},
    {"README.md larger than the 16 MiB read for a model card",
     {RAW("README.md", "---\n", 16u * 1024u * 1024u + 1, 4), STF("model.safetensors", ST_A, 4)},
     "README.md: file is 16777217 bytes, more than the 16777216 allowed; the model card was "
     "skipped (no general.* keys from it)"},
    {"generation_config.json not JSON",
     {TXT("generation_config.json", "{\"temperature\": }"), STF("model.safetensors", ST_A, 4)},
     "generation_config.json: not valid JSON (line 1, near byte 16); the file was skipped (no "
     "general.sampling.* keys)"},
    {"generation_config.json a list",
     {TXT("generation_config.json", "[0.6]"), STF("model.safetensors", ST_A, 4)},
     "generation_config.json: must be a JSON object, found another JSON value; the file was "
     "skipped (no general.sampling.* keys)"},
    {"an unlisted shard beside an index",
     {TXT(INDEX, MAP("\"a\": \"" S1 "\"")), STF(S1, ST_A, 4),
      STF("model-00001-of-000002.safetensors", ST_A, 4)},
     "model-00001-of-000002.safetensors: not named in " INDEX "'s weight_map; not read"},
};

static void test_tolerated_checkouts(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof tolerated_cases / sizeof tolerated_cases[0]; i++) {
        const bad_case *c = &tolerated_cases[i];
        char dir[64];
        make_tmp(dir, sizeof dir);
        build_case(dir, c);
        h2g_checkout co;
        h2g_error err = {0};
        if (h2g_checkout_open(&co, dir, &err) != 0) fail_msg("%s: %s", c->what, err.msg);
        if (co.warnings->n != 1 || strcmp(co.warnings->msgs[0], c->expect) != 0)
            fail_msg("%s\n  expected the warning: %s\n  got %zu, the first: %s", c->what,
                     c->expect, co.warnings->n, co.warnings->n ? co.warnings->msgs[0] : "");
        assert_null(co.model_card);
        assert_null(co.generation_config);
        assert_int_equal(co.n_shards, 1);
        h2g_checkout_close(&co);
        remove_tree(dir);
    }
}

/* Warnings are kept up to H2G_WARNINGS_MAX, each once; the rest are
 * counted: 150 shards the index does not name give 100 messages and 50
 * more, and opening twice's worth of the same message is not repeated. */
static void test_warnings_capped(void **state) {
    (void)state;
    char dir[64];
    make_tmp(dir, sizeof dir);
    copy_config(dir);
    write_text(dir, INDEX, MAP("\"a\": \"" S1 "\""));
    write_st(dir, S1, ST_A, 4);
    for (int i = 0; i < 150; i++) {
        char name[64];
        snprintf(name, sizeof name, "model-extra-%03d.safetensors", i);
        write_st(dir, name, ST_A, 4);
    }
    h2g_checkout co;
    h2g_error err = {0};
    if (h2g_checkout_open(&co, dir, &err) != 0) fail_msg("%s", err.msg);
    assert_int_equal(co.warnings->n, H2G_WARNINGS_MAX);
    assert_int_equal(co.warnings->dropped, 150 - H2G_WARNINGS_MAX);
    assert_string_equal(co.warnings->msgs[0], "model-extra-000.safetensors: not named in " INDEX
                                              "'s weight_map; not read");
    h2g_warn(co.warnings, "%s", co.warnings->msgs[0]); /* already there: not counted */
    assert_int_equal(co.warnings->dropped, 150 - H2G_WARNINGS_MAX);
    h2g_checkout_close(&co);
    remove_tree(dir);
}

static void test_missing_config(void **state) {
    (void)state;
    char dir[64];
    make_tmp(dir, sizeof dir);
    write_st(dir, "model.safetensors", ST_A, 4);
    char *want = h2g_strfmt("config.json: not found in %s", dir);
    h2g_checkout co;
    h2g_error err = {0};
    assert_int_equal(h2g_checkout_open(&co, dir, &err), -1);
    assert_string_equal(err.msg, want);
    free(want);
    remove_tree(dir);
    expect_open_error("/nonexistent/h2g", "/nonexistent/h2g: no such file or directory", "no directory");
}

/* Without an index: model*.safetensors only, in name order. */
static void test_listing(void **state) {
    (void)state;
    char dir[64];
    make_tmp(dir, sizeof dir);
    copy_config(dir);
    write_st(dir, "model-b.safetensors", ST_A, 4);
    write_st(dir, "model-a.safetensors",
             "{\"b\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2);
    write_st(dir, "xmodel.safetensors", ST_A, 4);
    write_st(dir, "model-c.safetensors.part", ST_A, 4);
    h2g_checkout co;
    h2g_error err = {0};
    if (h2g_checkout_open(&co, dir, &err) != 0) fail_msg("%s", err.msg);
    assert_int_equal(co.n_shards, 2);
    assert_string_equal(co.shards[0].file_name, "model-a.safetensors");
    assert_string_equal(co.shards[1].file_name, "model-b.safetensors");
    assert_string_equal(co.tensors[0].name, "b"); /* shard order first, then name */
    assert_string_equal(co.tensors[1].name, "a");
    assert_int_equal(co.data_bytes, 6);
    assert_int_equal(h2g_checkout_find(&co, "a"), 1);
    assert_int_equal(h2g_checkout_data(&co, &co.tensors[1])[0], 0);
    check_order(&co);
    h2g_checkout_close(&co);
    remove_tree(dir);
}

/* ---------------------------------------------------------------------------
 * Small files
 * ------------------------------------------------------------------------- */

static void test_processor_config_merge(void **state) {
    (void)state;
    char dir[64];
    make_tmp(dir, sizeof dir);
    copy_config(dir);
    write_st(dir, "model.safetensors", ST_A, 4);
    write_text(dir, "preprocessor_config.json", "{\"a\": 1, \"b\": 1, \"c\": 1}");
    write_text(dir, "processor_config.json",
               "{\"b\": 2, \"image_processor\": {\"c\": 3, \"d\": 3}}");
    write_text(dir, "chat_template.jinja", "{{ messages }}\n");
    h2g_checkout co;
    h2g_error err = {0};
    if (h2g_checkout_open(&co, dir, &err) != 0) fail_msg("%s", err.msg);
    const cJSON *pc = co.processor_config;
    assert_int_equal(cJSON_GetObjectItem(pc, "a")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(pc, "b")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(pc, "c")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(pc, "d")->valueint, 3);
    assert_null(cJSON_GetObjectItem(pc, "image_processor"));
    assert_string_equal(co.chat_template_jinja, "{{ messages }}\n");
    assert_null(co.model_card);
    assert_null(co.tokenizer);
    h2g_checkout_close(&co);

    /* preprocessor_config.json alone, with media_proc_cfg lifted */
    char *path = h2g_path_join(dir, "processor_config.json");
    assert_int_equal(unlink(path), 0);
    free(path);
    write_text(dir, "preprocessor_config.json", "{\"a\": 1, \"media_proc_cfg\": {\"a\": 5}}");
    if (h2g_checkout_open(&co, dir, &err) != 0) fail_msg("%s", err.msg);
    assert_int_equal(cJSON_GetObjectItem(co.processor_config, "a")->valueint, 5);
    assert_int_equal(cJSON_GetArraySize(co.processor_config), 1);
    h2g_checkout_close(&co);
    remove_tree(dir);
}

static void test_read_json_file(void **state) {
    (void)state;
    char dir[64];
    make_tmp(dir, sizeof dir);
    char *path = h2g_path_join(dir, "x.json");
    cJSON *out = (cJSON *)1;
    h2g_error err = {0};
    assert_int_equal(h2g_read_json_file(path, "x.json", true, &out, &err), 0);
    assert_null(out);
    assert_int_equal(h2g_read_json_file(path, "x.json", false, &out, &err), -1);
    assert_non_null(strstr(err.msg, "x.json: cannot open"));
    write_text(dir, "x.json", "{\"a\": [1, 2,\n\n ]}");
    assert_int_equal(h2g_read_json_file(path, "x.json", true, &out, &err), -1);
    assert_null(out);
    assert_non_null(strstr(err.msg, "x.json: not valid JSON (line 3, near byte"));
    write_text(dir, "x.json", "  {\"a\": 1}  \n");
    assert_int_equal(h2g_read_json_file(path, "x.json", true, &out, &err), 0);
    assert_int_equal(cJSON_GetObjectItem(out, "a")->valueint, 1);
    cJSON_Delete(out);
    free(path);
    remove_tree(dir);
}

/* ---------------------------------------------------------------------------
 * Model cards
 * ------------------------------------------------------------------------- */

/* Parses text as a README; asserts success and returns the card. */
static cJSON *card_of(const char *text) {
    cJSON *out = NULL;
    h2g_error err = {0};
    if (h2g_model_card_parse(text, strlen(text), &out, &err) != 0) fail_msg("%s", err.msg);
    return out;
}

static void test_model_card_absent(void **state) {
    (void)state;
    assert_null(card_of(""));
    assert_null(card_of("# Title\n---\nlicense: mit\n---\n"));
    assert_null(card_of("--- \nlicense: mit\n---\n"));   /* not exactly "---" */
    assert_null(card_of("---\n---\n# empty front matter\n"));
    assert_null(card_of("---"));                         /* empty, never closed */
    assert_null(card_of("\xef\xbb\xbf---\nlicense: mit\n---\n")); /* a BOM: not "---" */
}

/* As the reference reads it: no closing line takes the rest of the file;
 * lines end at every break of Python's splitlines(); tabs become two
 * spaces; a line ending in "- no" has it quoted. */
static void test_model_card_like_the_reference(void **state) {
    (void)state;
    cJSON *card = card_of("---\nlicense: mit\ntags:\n- a\n");
    assert_non_null(card); /* never closed: the whole file */
    assert_string_equal(cJSON_GetObjectItem(card, "license")->valuestring, "mit");
    cJSON_Delete(card);
    card = card_of("---\rlicense: mit\vname: x\xe2\x80\xa8size_label: 7B\xc2\x85---\rnot: here");
    assert_non_null(card);
    assert_string_equal(cJSON_GetObjectItem(card, "name")->valuestring, "x");
    assert_string_equal(cJSON_GetObjectItem(card, "size_label")->valuestring, "7B");
    assert_null(cJSON_GetObjectItem(card, "not"));
    cJSON_Delete(card);
    card = card_of("---\ntags:\n\t- a\t b\ndesc: |\n  keep\n  - no\n---\n");
    assert_non_null(card); /* a tab indent is invalid YAML; the reference makes it spaces */
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(card, "tags"), 0)->valuestring,
                        "a   b");
    assert_string_equal(cJSON_GetObjectItem(card, "desc")->valuestring, "keep\n- \"no\"\n");
    cJSON_Delete(card);
}

static void test_model_card_values(void **state) {
    (void)state;
    cJSON *card = card_of("---\r\n"
                          "license: mit\r\n"
                          "language:\r\n"
                          "- en\r\n"
                          "- no\r\n"
                          "version: 2.0\r\n"
                          "quoted: \"yes\"\r\n"
                          "empty:\r\n"
                          "base_model:\r\n"
                          "  - name: x\r\n"
                          "    url: https://example.com/a:b\r\n"
                          "tags: [a, 'b c']\r\n"
                          "license: apache-2.0\r\n"
                          "---\r\n"
                          "# body\r\n---\r\nnot: yaml: here\r\n");
    assert_non_null(card);
    assert_string_equal(cJSON_GetObjectItem(card, "license")->valuestring, "apache-2.0");
    const cJSON *lang = cJSON_GetObjectItem(card, "language");
    assert_int_equal(cJSON_GetArraySize(lang), 2);
    assert_string_equal(cJSON_GetArrayItem(lang, 1)->valuestring, "no");
    assert_string_equal(cJSON_GetObjectItem(card, "version")->valuestring, "2.0");
    assert_string_equal(cJSON_GetObjectItem(card, "quoted")->valuestring, "yes");
    assert_string_equal(cJSON_GetObjectItem(card, "empty")->valuestring, "");
    const cJSON *bm = cJSON_GetArrayItem(cJSON_GetObjectItem(card, "base_model"), 0);
    assert_string_equal(cJSON_GetObjectItem(bm, "url")->valuestring, "https://example.com/a:b");
    const cJSON *tags = cJSON_GetObjectItem(card, "tags");
    assert_string_equal(cJSON_GetArrayItem(tags, 1)->valuestring, "b c");
    int n_license = 0;
    for (const cJSON *it = card->child; it; it = it->next)
        n_license += !strcmp(it->string, "license");
    assert_int_equal(n_license, 1); /* a repeated key replaces the earlier value */
    cJSON_Delete(card);
}

static void test_model_card_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        const char *expect;
    } cases[] = {
        {"---\nlicense: mit\ntags: [a, b\n---\n",
         "README.md: front matter is not valid YAML (line 4"},
        {"---\na: 1\n b: 2\n---\n", "README.md: front matter is not valid YAML (line 3"},
        {"---\n? [a, b]\n: c\n---\n", "README.md: front matter line 2: a mapping key must be"},
        {"---\na: \"unclosed\n---\n", "README.md: front matter is not valid YAML"},
        {"---\n- a\n- b\n---\n", "README.md: front matter is a list, not a mapping"},
        {"---\njust text\n---\n", "README.md: front matter is a single value, not a mapping"},
        {"---\nlicense: mit\n# T\nbody\n",
         "(line 5: could not find expected ':' while scanning a simple key) (the front matter "
         "has no closing '---' line"},
        {"---\nname: \xff\n---\n", "README.md: front matter is not valid YAML (line 2: invalid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *out = NULL;
        h2g_error err = {0};
        int rc = h2g_model_card_parse(cases[i].text, strlen(cases[i].text), &out, &err);
        if (rc == 0 || !strstr(err.msg, cases[i].expect))
            fail_msg("card %s\n  expected: %s\n  got (rc %d): %s", cases[i].text,
                     cases[i].expect, rc, err.msg);
        assert_null(out);
    }
    /* nesting is capped, not recursed without limit */
    char deep[1024] = "---\na: ";
    for (int i = 0; i < 100; i++) strcat(deep, "[");
    for (int i = 0; i < 100; i++) strcat(deep, "]");
    strcat(deep, "\n---\n");
    cJSON *out = NULL;
    h2g_error err = {0};
    assert_int_equal(h2g_model_card_parse(deep, strlen(deep), &out, &err), -1);
    assert_non_null(strstr(err.msg, "README.md"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_v3_shards),
        cmocka_unit_test(test_v2_lite_card),
        cmocka_unit_test(test_ocr_card),
        cmocka_unit_test(test_dir_name_of_dot),
        cmocka_unit_test(test_bad_checkouts),
        cmocka_unit_test(test_tolerated_checkouts),
        cmocka_unit_test(test_warnings_capped),
        cmocka_unit_test(test_missing_config),
        cmocka_unit_test(test_listing),
        cmocka_unit_test(test_processor_config_merge),
        cmocka_unit_test(test_read_json_file),
        cmocka_unit_test(test_model_card_absent),
        cmocka_unit_test(test_model_card_values),
        cmocka_unit_test(test_model_card_like_the_reference),
        cmocka_unit_test(test_model_card_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
