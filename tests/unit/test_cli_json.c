/* test_cli_json.c - the JSON the command line prints: `convert --json`
 * (also with --dry-run and on error) and `inspect --json`, parsed back and
 * compared with what the file actually holds. Runs the built binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "hf2gguf/gguf.h"
#include "base/util.h"

#define WORKDIR_NAME "json"
#include "workdir.h"

/* Runs a command; returns its stdout (malloc'ed) and sets *status. */
static char *run(const char *cmd, int *status) {
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) out = realloc(out, cap *= 2);
    }
    out[len] = '\0';
    int rc = pclose(p);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

static cJSON *run_json(const char *cmd, int expect_status) {
    int status;
    char *out = run(cmd, &status);
    assert_int_equal(status, expect_status);
    cJSON *j = cJSON_Parse(out);
    if (!j) fail_msg("not JSON: %s", out);
    free(out);
    return j;
}

static const char *str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItem(o, key);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static double num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItem(o, key);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

/* convert --json reports the file it wrote. */
static void test_convert_report(void **state) {
    (void)state;
    char *cmd = h2g_strfmt("%s convert %s/deepseek-v3-tiny --outfile %s/v3.gguf --outtype bf16 "
                           "--json --quiet", HF2GGUF_BIN, TEST_DATA_DIR, workdir);
    cJSON *j = run_json(cmd, 0);
    assert_string_equal(str(j, "status"), "ok");
    const cJSON *out = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "outputs"), 0);
    assert_non_null(out);
    struct stat st;
    assert_int_equal(stat(str(out, "path"), &st), 0);
    assert_int_equal((double)st.st_size, num(out, "bytes"));
    assert_int_equal(num(out, "n_tensors"), 70);
    assert_string_equal(str(out, "architecture"), "deepseek2");
    assert_string_equal(str(out, "outtype"), "bf16");
    assert_true(num(j, "bytes_read") > 0);
    cJSON_Delete(j);
    free(cmd);
}

/* --mmproj writes both OCR files from one pass: every byte of the checkout
 * is read once, not once per output. */
static void test_ocr_reads_once(void **state) {
    (void)state;
    char *cmd = h2g_strfmt("%s convert %s/deepseek-ocr2-tiny --outfile %s/ocr2.gguf "
                           "--mmproj=%s/ocr2-mmproj.gguf --json --quiet",
                           HF2GGUF_BIN, TEST_DATA_DIR, workdir, workdir);
    cJSON *j = run_json(cmd, 0);
    const cJSON *outs = cJSON_GetObjectItem(j, "outputs");
    assert_int_equal(cJSON_GetArraySize(outs), 2);
    assert_string_equal(str(cJSON_GetArrayItem(outs, 0), "role"), "model");
    assert_string_equal(str(cJSON_GetArrayItem(outs, 1), "role"), "mmproj");
    double sources = num(cJSON_GetArrayItem(outs, 0), "source_bytes") +
                     num(cJSON_GetArrayItem(outs, 1), "source_bytes");
    assert_true(num(j, "checkout_bytes") > 0);
    assert_true(num(j, "bytes_read") == num(j, "checkout_bytes"));
    assert_true(sources == num(j, "checkout_bytes"));
    cJSON_Delete(j);
    free(cmd);
}

/* A batch over the five fixtures and one broken checkout: the five convert,
 * the broken one is reported, the exit status is 1, and every line of the
 * output is a JSON object. */
static void test_batch(void **state) {
    (void)state;
    char *broken = h2g_strfmt("%s/broken", workdir);
    assert_int_equal(mkdir(broken, 0755), 0); /* no config.json */
    char *cmd = h2g_strfmt(
        "%s convert %s/deepseek-v2-lite-tiny %s/deepseek-v3-tiny %s %s/deepseek-v3-fp8-tiny "
        "%s/deepseek-ocr-tiny %s/deepseek-ocr2-tiny --outdir %s/batch --json --quiet 2>/dev/null",
        HF2GGUF_BIN, TEST_DATA_DIR, TEST_DATA_DIR, broken, TEST_DATA_DIR, TEST_DATA_DIR,
        TEST_DATA_DIR, workdir);
    int status;
    char *out = run(cmd, &status);
    assert_int_equal(status, 1);
    int ok = 0, errors = 0, lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cJSON *j = cJSON_Parse(line);
        if (!j) fail_msg("line %d is not JSON: %s", lines, line);
        lines++;
        if (!strcmp(str(j, "status"), "ok")) {
            ok++;
            const cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "outputs"), 0);
            assert_true(h2g_file_exists(str(o, "path")));
        } else {
            errors++;
            assert_string_equal(str(j, "input"), broken);
            assert_non_null(strstr(str(j, "error"), "config.json"));
        }
        cJSON_Delete(j);
    }
    assert_int_equal(lines, 6);
    assert_int_equal(ok, 5);
    assert_int_equal(errors, 1);
    free(out);
    free(cmd);
    free(broken);
}

/* Compares one KV of the file with its JSON form. */
static void check_kv(const h2g_kv *kv, const cJSON *e) {
    assert_string_equal(str(e, "key"), kv->key.data);
    const cJSON *v = cJSON_GetObjectItem(e, "value");
    switch (kv->type) {
    case H2G_VT_UINT32:
    case H2G_VT_UINT64:
    case H2G_VT_UINT8:
    case H2G_VT_UINT16: assert_true(cJSON_IsNumber(v) && v->valuedouble == (double)kv->num.u64); break;
    case H2G_VT_INT32: assert_true(cJSON_IsNumber(v) && v->valuedouble == (double)(int32_t)kv->num.u64); break;
    case H2G_VT_FLOAT32: assert_true(cJSON_IsNumber(v) && (float)v->valuedouble == kv->num.f32); break;
    case H2G_VT_BOOL: assert_true(cJSON_IsBool(v) && cJSON_IsTrue(v) == kv->num.b); break;
    case H2G_VT_STRING: assert_true(cJSON_IsString(v) && !strcmp(v->valuestring, kv->str.data)); break;
    case H2G_VT_ARRAY:
        assert_true(cJSON_IsArray(v));
        assert_int_equal(cJSON_GetArraySize(v), kv->n);
        if (kv->arr_type == H2G_VT_STRING)
            for (uint64_t i = 0; i < kv->n; i++)
                assert_string_equal(cJSON_GetArrayItem(v, (int)i)->valuestring, kv->strs[i].data);
        break;
    default: fail_msg("unexpected type for %s", kv->key.data);
    }
}

/* inspect --json --full --tensors says exactly what the file holds. */
static void test_inspect_roundtrip(void **state) {
    (void)state;
    char *path = h2g_strfmt("%s/v3.gguf", workdir);
    char *cmd = h2g_strfmt("%s inspect %s --json --full --tensors", HF2GGUF_BIN, path);
    cJSON *j = run_json(cmd, 0);
    h2g_gguf_file f;
    h2g_error err;
    assert_int_equal(h2g_gguf_open(&f, path, &err), 0);
    const cJSON *kvs = cJSON_GetObjectItem(j, "kv");
    assert_int_equal(cJSON_GetArraySize(kvs), f.kv.n);
    for (size_t i = 0; i < f.kv.n; i++) check_kv(&f.kv.items[i], cJSON_GetArrayItem(kvs, (int)i));
    const cJSON *ts = cJSON_GetObjectItem(j, "tensors");
    assert_int_equal(cJSON_GetArraySize(ts), f.n_tensors);
    for (size_t i = 0; i < f.n_tensors; i++) {
        const cJSON *t = cJSON_GetArrayItem(ts, (int)i);
        assert_string_equal(str(t, "name"), f.tensors[i].name);
        assert_string_equal(str(t, "type"), h2g_ggml_type_name(f.tensors[i].type));
        assert_int_equal(num(t, "offset"), f.tensors[i].offset);
        const cJSON *shape = cJSON_GetObjectItem(t, "shape");
        for (uint32_t d = 0; d < f.tensors[i].n_dims; d++)
            assert_int_equal(cJSON_GetArrayItem(shape, (int)d)->valuedouble, f.tensors[i].ne[d]);
    }
    h2g_gguf_close(&f);
    cJSON_Delete(j);
    free(cmd);
    free(path);
}

/* --dry-run --json lists every tensor and writes nothing. */
static void test_dry_run(void **state) {
    (void)state;
    char *cmd = h2g_strfmt("%s convert %s/deepseek-v2-lite-tiny --outfile %s/dry.gguf "
                           "--dry-run --json", HF2GGUF_BIN, TEST_DATA_DIR, workdir);
    cJSON *j = run_json(cmd, 0);
    const cJSON *out = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "outputs"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "tensors")), 404);
    assert_int_equal(num(out, "n_tensors"), 404);
    const cJSON *k_b = cJSON_GetArrayItem(cJSON_GetObjectItem(out, "tensors"), 9);
    assert_string_equal(str(k_b, "transform"), "kv_b_k");
    char *path = h2g_strfmt("%s/dry.gguf", workdir);
    assert_false(h2g_file_exists(path));
    cJSON_Delete(j);
    free(cmd);
    free(path);
}

/* --vocab-only: the metadata and tokenizer, no tensors. */
static void test_vocab_only(void **state) {
    (void)state;
    char *cmd = h2g_strfmt("%s convert %s/deepseek-v3-tiny --outfile %s/vocab.gguf --vocab-only "
                           "--quiet", HF2GGUF_BIN, TEST_DATA_DIR, workdir);
    int status;
    free(run(cmd, &status));
    assert_int_equal(status, 0);
    char *path = h2g_strfmt("%s/vocab.gguf", workdir);
    h2g_gguf_file f;
    h2g_error err;
    assert_int_equal(h2g_gguf_open(&f, path, &err), 0);
    assert_int_equal(f.n_tensors, 0);
    assert_true(h2g_kv_find(&f.kv, "tokenizer.ggml.tokens") >= 0);
    assert_true(h2g_kv_find(&f.kv, "deepseek2.block_count") >= 0);
    assert_true(h2g_kv_find(&f.kv, "general.size_label") < 0);
    h2g_gguf_close(&f);
    free(cmd);
    free(path);
}

/* Errors are reported in the JSON too, with exit status 1. */
static void test_error_report(void **state) {
    (void)state;
    char *cmd = h2g_strfmt("%s convert %s/no-such-dir --outfile %s/e.gguf --json 2>/dev/null",
                           HF2GGUF_BIN, TEST_DATA_DIR, workdir);
    cJSON *j = run_json(cmd, 1);
    assert_string_equal(str(j, "status"), "error");
    assert_non_null(strstr(str(j, "error"), "no-such-dir"));
    cJSON_Delete(j);
    free(cmd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_report), cmocka_unit_test(test_inspect_roundtrip),
        cmocka_unit_test(test_dry_run),        cmocka_unit_test(test_vocab_only),
        cmocka_unit_test(test_error_report),   cmocka_unit_test(test_ocr_reads_once),
        cmocka_unit_test(test_batch),
    };
    return cmocka_run_group_tests(tests, workdir_setup, workdir_teardown);
}
