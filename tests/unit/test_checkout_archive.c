/* test_checkout_archive.c - checkouts opened from archives (checkout.h,
 * checkout_archive.h, archive_reader.h):
 *
 *  1. an uncompressed tar, with a top folder and without: the same shards and
 *     tensors as the directory, read in place (data pointers into the
 *     archive equal the directory's bytes), the model named after the top
 *     folder or the archive's file name;
 *  2. a tar.gz: shards streamed; staging each in turn gives the directory's
 *     bytes, FP8 scales are kept copies, a weight never is (a zero-byte
 *     scale at the weight's offset stays a scale: copies match by name), and
 *     a weight staged without its scale's shard is scaled from the copy;
 *  3. refused archives, each with its message: "..", absolute names,
 *     links, repeated names, garbage, no config.json;
 *  4. the other files the converter reads, listed and read from an archive;
 *  5. a staged conversion through the library: the directory's bytes, and
 *     its progress counting every tensor once. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "source/checkout_archive.h"
#include "hf2gguf/checkout.h"
#include "hf2gguf/convert.h"
#include "hf2gguf/executor.h"
#include "plan/transform.h"
#include "base/util.h"

#define WORKDIR_NAME "archive"
#include "workdir.h"

/* Runs a shell command made from fmt and two strings (each used once). */
static void sh(const char *fmt, const char *a, const char *b) {
    char *cmd = h2g_strfmt(fmt, a, b);
    if (system(cmd) != 0) fail_msg("command failed: %s", cmd);
    free(cmd);
}

/* Runs cmd in workdir (a shell command line). */
static void in_workdir(const char *cmd) {
    sh("cd %s && %s", workdir, cmd);
}

static void open_ok(h2g_checkout *co, const char *path) {
    h2g_error err = {{0}};
    if (h2g_checkout_open(co, path, &err) != 0) fail_msg("%s: %s", path, err.msg);
}

/* Reads tensor t of an archive checkout whose shard is readable now. */
static uint8_t *read_tensor(const h2g_checkout *co, const h2g_st_tensor *t) {
    uint8_t *buf = malloc(t->nbytes + 1);
    assert_non_null(buf);
    const uint8_t *kept = h2g_checkout_data(co, t);
    if (kept) {
        memcpy(buf, kept, t->nbytes);
        return buf;
    }
    const h2g_shard *s = &co->shards[t->shard];
    assert_true(s->fd >= 0);
    assert_int_equal(pread(s->fd, buf, t->nbytes, (off_t)(s->base + t->offset)),
                     (ssize_t)t->nbytes);
    return buf;
}

/* The archive checkout holds the directory's shards and tensors; the
 * tensors of shard `only` (or every shard when only < 0) have its bytes. */
static void same_as_dir(const h2g_checkout *co, const h2g_checkout *dir, long only) {
    assert_int_equal(co->n_shards, dir->n_shards);
    assert_int_equal(co->n_tensors, dir->n_tensors);
    for (size_t i = 0; i < co->n_shards; i++)
        assert_string_equal(co->shards[i].file_name, dir->shards[i].file_name);
    for (size_t i = 0; i < co->n_tensors; i++) {
        const h2g_st_tensor *a = &co->tensors[i], *b = &dir->tensors[i];
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->nbytes, b->nbytes);
        if (only >= 0 && (long)a->shard != only && !h2g_checkout_data(co, a)) continue;
        uint8_t *bytes = read_tensor(co, a);
        assert_memory_equal(bytes, h2g_checkout_data(dir, b), b->nbytes);
        free(bytes);
    }
}

static void test_tar_in_place(void **state) {
    (void)state;
    const char *names[] = {"deepseek-v3-tiny", "deepseek-v3-fp8-tiny"};
    for (int k = 0; k < 2; k++) {
        char *tar = h2g_strfmt("%s/%s.tar", workdir, names[k]);
        char *dir = h2g_path_join(TEST_DATA_DIR, names[k]);
        sh("tar -C " TEST_DATA_DIR " -cf %s %s", tar, names[k]);
        h2g_checkout co, ref;
        open_ok(&co, tar);
        open_ok(&ref, dir);
        assert_string_equal(co.dir_name, names[k]);
        assert_false(h2g_checkout_stages_shards(&co));
        for (size_t i = 0; i < co.n_shards; i++) {
            assert_false(co.shards[i].streamed);
            assert_true(co.shards[i].base > 0);
        }
        same_as_dir(&co, &ref, -1);
        h2g_error err;
        assert_int_equal(h2g_checkout_check_unchanged(&co, &err), 0);
        h2g_checkout_close(&co);
        h2g_checkout_close(&ref);
        free(dir);
        free(tar);
    }
}

/* Without a top folder the file name, less its extensions, names the model. */
static void test_flat_names(void **state) {
    (void)state;
    char *dir = h2g_path_join(TEST_DATA_DIR, "deepseek-v2-lite-tiny");
    char *tar = h2g_strfmt("%s/lite.tar.gz", workdir);
    sh("tar -C %s -czf %s --exclude=./expected .", dir, tar);
    h2g_checkout co, ref;
    open_ok(&co, tar);
    open_ok(&ref, dir);
    assert_string_equal(co.dir_name, "lite");
    assert_non_null(co.config);
    assert_non_null(co.tokenizer);
    assert_true(h2g_checkout_stages_shards(&co));
    h2g_checkout_close(&co);
    h2g_checkout_close(&ref);
    free(tar);
    free(dir);
}

/* Stages every shard of a compressed fixture and checks its bytes. */
static void test_staged(void **state) {
    (void)state;
    const char *names[] = {"deepseek-v3-tiny", "deepseek-v3-fp8-tiny"};
    for (int k = 0; k < 2; k++) {
        char *tgz = h2g_strfmt("%s/%s.tar.gz", workdir, names[k]);
        char *dir = h2g_path_join(TEST_DATA_DIR, names[k]);
        sh("tar -C " TEST_DATA_DIR " -czf %s %s", tgz, names[k]);
        h2g_checkout co, ref;
        open_ok(&co, tgz);
        open_ok(&ref, dir);
        assert_true(h2g_checkout_stages_shards(&co));
        size_t scales = 0;
        for (size_t i = 0; i < co.n_tensors; i++) {
            bool is_scale = h2g_str_ends_with(co.tensors[i].name, "_scale_inv");
            assert_int_equal(co.held[i] != NULL, is_scale);
            scales += is_scale;
        }
        assert_int_equal(scales > 0, k == 1);
        h2g_error err = {{0}};
        size_t shard, staged = 0;
        int rc;
        while ((rc = h2g_checkout_stage_next(&co, workdir, NULL, &shard, &err)) == 1) {
            same_as_dir(&co, &ref, (long)shard);
            staged++;
        }
        if (rc != 0) fail_msg("%s", err.msg);
        assert_int_equal(staged, co.n_shards);
        h2g_checkout_stage_end(&co);
        h2g_checkout_close(&co);
        h2g_checkout_close(&ref);
        free(dir);
        free(tgz);
    }
    /* Nothing of the staging file is left in workdir. */
    sh("test -z \"$(ls -A %s | grep stage)\"%s", workdir, "");
}

/* Writes a safetensors file whose header is json, with data_len zero bytes. */
static void write_st(const char *path, const char *json, size_t data_len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint64_t n = strlen(json);
    uint8_t len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (uint8_t)(n >> (8 * i));
    assert_int_equal(fwrite(len8, 1, 8, f), 8);
    assert_int_equal(fwrite(json, 1, n, f), n);
    for (size_t i = 0; i < data_len; i++) fputc(i & 0xff, f);
    assert_int_equal(fclose(f), 0);
}

/* A zero-byte scale tensor at the same offset as a weight: only the scale
 * is a kept copy, and the weight is read from the staged shard. */
static void test_empty_scale_beside_weight(void **state) {
    (void)state;
    char *src = h2g_strfmt("%s/zero", workdir);
    sh("mkdir -p %s/m && cp " TEST_DATA_DIR "/deepseek-v3-tiny/config.json %s/m/", src, src);
    char *st = h2g_strfmt("%s/m/model.safetensors", src);
    write_st(st,
             "{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
             "\"a.weight_scale_inv\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}",
             16);
    char *tgz = h2g_strfmt("%s/zero.tar.gz", workdir);
    sh("tar -C %s -czf %s m", src, tgz);
    h2g_checkout co;
    open_ok(&co, tgz);
    long w = h2g_checkout_find(&co, "a.weight"), s = h2g_checkout_find(&co, "a.weight_scale_inv");
    assert_true(w >= 0 && s >= 0);
    assert_null(co.held[w]);
    assert_non_null(co.held[s]);
    assert_null(h2g_checkout_data(&co, &co.tensors[w]));
    h2g_error err;
    size_t shard;
    assert_int_equal(h2g_checkout_stage_next(&co, workdir, NULL, &shard, &err), 1);
    uint8_t *bytes = read_tensor(&co, &co.tensors[w]);
    for (int i = 0; i < 16; i++) assert_int_equal(bytes[i], (uint8_t)i);
    free(bytes);
    assert_int_equal(h2g_checkout_stage_next(&co, workdir, NULL, &shard, &err), 0);
    h2g_checkout_close(&co);
    free(tgz);
    free(st);
    free(src);
}

/* An FP8 weight in the first shard, its scale in the second: while the
 * first is staged, the scale is read from the copy kept at opening. */
static void test_scale_in_other_shard(void **state) {
    (void)state;
    char *src = h2g_strfmt("%s/split-fp8", workdir);
    sh("mkdir -p %s/m && cp " TEST_DATA_DIR "/deepseek-v3-tiny/config.json %s/m/", src, src);
    char *w = h2g_strfmt("%s/m/model-00001-of-00002.safetensors", src);
    char *sc = h2g_strfmt("%s/m/model-00002-of-00002.safetensors", src);
    char *idx = h2g_strfmt("%s/m/model.safetensors.index.json", src);
    /* 8 bytes of 0x38 (E4M3 1.0) and one F32 scale 2.0 (0x40000000). */
    FILE *f = fopen(w, "wb");
    const char *wh = "{\"a.weight\":{\"dtype\":\"F8_E4M3\",\"shape\":[2,4],\"data_offsets\":[0,8]}}";
    uint64_t n = strlen(wh);
    for (int i = 0; i < 8; i++) fputc((int)(n >> (8 * i)) & 0xff, f);
    fputs(wh, f);
    for (int i = 0; i < 8; i++) fputc(0x38, f);
    fclose(f);
    f = fopen(sc, "wb");
    const char *sh_ = "{\"a.weight_scale_inv\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}";
    n = strlen(sh_);
    for (int i = 0; i < 8; i++) fputc((int)(n >> (8 * i)) & 0xff, f);
    fputs(sh_, f);
    fwrite("\0\0\0\x40", 1, 4, f);
    fclose(f);
    f = fopen(idx, "w");
    fputs("{\"weight_map\": {\"a.weight\": \"model-00001-of-00002.safetensors\", "
          "\"a.weight_scale_inv\": \"model-00002-of-00002.safetensors\"}}", f);
    fclose(f);
    char *tgz = h2g_strfmt("%s/split-fp8.tar.gz", workdir);
    sh("tar -C %s -czf %s m", src, tgz);
    h2g_checkout co;
    open_ok(&co, tgz);
    long wi = h2g_checkout_find(&co, "a.weight"), si = h2g_checkout_find(&co, "a.weight_scale_inv");
    assert_true(wi >= 0 && si >= 0 && co.tensors[wi].shard != co.tensors[si].shard);
    h2g_source source = {.tensor = &co.tensors[wi], .scale = &co.tensors[si], .block_rows = 128,
                         .block_cols = 128};
    h2g_plan_tensor t = {.info = {.name = "a", .n_dims = 2, .ne = {4, 2, 1, 1}, .type = 0},
                         .transform = H2G_XF_CONVERT, .src = &source, .n_src = 1};
    h2g_error err = {{0}};
    size_t shard;
    bool wanted[2] = {true, false}; /* the scale's shard is not needed: kept */
    assert_int_equal(h2g_checkout_stage_next(&co, workdir, wanted, &shard, &err), 1);
    assert_int_equal(shard, co.tensors[wi].shard);
    h2g_scratch s;
    assert_int_equal(h2g_scratch_init(&s, &err), 0);
    h2g_chunk c;
    assert_true(h2g_chunk_at(&t, 0, &c));
    uint64_t bytes = 0;
    if (h2g_chunk_values(&co, &c, &s, &bytes, &err) != 0) fail_msg("%s", err.msg);
    for (int i = 0; i < 8; i++) assert_true(s.values[i] == 2.0f);
    assert_int_equal(h2g_checkout_stage_next(&co, workdir, wanted, &shard, &err), 0);
    h2g_scratch_free(&s);
    h2g_checkout_close(&co);
    free(tgz);
    free(idx);
    free(sc);
    free(w);
    free(src);
}

/* The last progress report of a run. */
static void keep_progress(void *ctx, const h2g_progress *p) {
    *(h2g_progress *)ctx = *p;
}

/* Plans the checkout at path and executes it to out; returns the status. */
static int convert_to(const char *path, const char *out, h2g_progress *last, h2g_error *err) {
    h2g_checkout co;
    open_ok(&co, path);
    h2g_convert_options o;
    h2g_convert_options_init(&o);
    h2g_plan plans[H2G_MAX_OUTPUTS];
    size_t n;
    assert_int_equal(h2g_convert_plan(&co, &o, plans, &n, err), 0);
    assert_int_equal(n, 1);
    const char *paths[1] = {out};
    h2g_exec_options eo = {.threads = 2, .progress = keep_progress, .progress_ctx = last};
    int rc = h2g_execute(&co, plans, paths, 1, &eo, NULL, err);
    h2g_plan_free(&plans[0]);
    h2g_checkout_close(&co);
    return rc;
}

/* A staged run through the library: the directory's bytes, every tensor
 * and byte counted once in the progress, nothing left but the output. */
static void test_execute_staged(void **state) {
    (void)state;
    char *tgz = h2g_strfmt("%s/exec-v3.tar.gz", workdir);
    char *dir = h2g_path_join(TEST_DATA_DIR, "deepseek-v3-tiny");
    sh("tar -C " TEST_DATA_DIR " -czf %s %s", tgz, "deepseek-v3-tiny");
    in_workdir("mkdir -p exec-out");
    char *a = h2g_strfmt("%s/exec-out/a.gguf", workdir), *b = h2g_strfmt("%s/b.gguf", workdir);
    h2g_progress last = {0}, ref = {0};
    h2g_error err = {{0}};
    if (convert_to(tgz, a, &last, &err) != 0) fail_msg("%s", err.msg);
    if (convert_to(dir, b, &ref, &err) != 0) fail_msg("%s", err.msg);
    assert_int_equal(last.tensors_done, last.tensors_total);
    assert_int_equal(last.tensors_total, ref.tensors_total);
    assert_int_equal(last.bytes_done, ref.bytes_done);
    sh("cmp -s %s %s", a, b);
    sh("test \"$(ls -A %s/exec-out)\" = a.gguf%s", workdir, "");
    free(b);
    free(a);
    free(dir);
    free(tgz);
}

static void expect_refused(const char *archive, const char *fragment) {
    h2g_checkout co;
    h2g_error err = {{0}};
    assert_int_equal(h2g_checkout_open(&co, archive, &err), -1);
    if (!strstr(err.msg, fragment)) fail_msg("'%s' lacks '%s'", err.msg, fragment);
    assert_null(co.archive);
    assert_null(co.config);
}

static void test_refused(void **state) {
    (void)state;
    in_workdir("mkdir -p src/sub src/a src/b && echo '{}' > src/sub/config.json && "
               "echo '{}' > src/a/config.json && echo x > src/b/README.md && "
               "echo x > src/README.md");
    in_workdir("tar -C src/sub -cf dots.tar --transform=s,^,../, config.json");
    in_workdir("tar -C src/sub -cPf abs.tar --transform=s,^,/tmp/, config.json");
    in_workdir("cp -r src/sub src/evil && ln -s /etc/passwd src/evil/passwd && "
               "tar -C src -cf link.tar evil");
    in_workdir("cp -r src/sub src/in && ln -s config.json src/in/c2 && tar -C src -cf link2.tar in");
    in_workdir("tar -C src -cf twice.tar sub/config.json && tar -C src -rf twice.tar sub/config.json");
    in_workdir("head -c 3000 /dev/urandom > junk.tar");
    in_workdir("tar -C src -cf noconfig.tar README.md");
    in_workdir("tar -C src -cf twotops.tar a b");
    char *p = h2g_strfmt("%s/", workdir);
#define AT(name) h2g_strfmt("%s" name, p)
    struct {
        char *path;
        const char *fragment;
    } cases[] = {
        {AT("dots.tar"), "dots.tar: entry '../config.json' leads outside the archive ('..'); refused"},
        {AT("abs.tar"), "abs.tar: entry '/tmp/config.json' has an absolute path; refused"},
        {AT("link.tar"), "link.tar: entry 'evil/passwd' is a link to '/etc/passwd', outside the "
                         "archive; links are refused"},
        {AT("link2.tar"), "link2.tar: entry 'in/c2' is a link to 'config.json'; links are refused"},
        {AT("twice.tar"), "twice.tar: the archive holds 'config.json' twice"},
        {AT("junk.tar"), "junk.tar: not a readable tar or zip archive"},
        {AT("noconfig.tar"), "config.json: not found in "},
        {AT("twotops.tar"), "twotops.tar, only as 'a/config.json' (an archive must hold one "
                            "checkout, at its root or in one top folder)"},
        {AT("missing.tar"), "missing.tar: no such file or directory"},
    };
#undef AT
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_refused(cases[i].path, cases[i].fragment);
        free(cases[i].path);
    }
    free(p);
}

/* The other files the converter reads (merges.txt, chat_template.json,
 * the templates in additional_chat_templates/) come from the archive as from a
 * directory. */
static void test_other_files(void **state) {
    (void)state;
    in_workdir("mkdir -p extra/m/additional_chat_templates && "
               "cp " TEST_DATA_DIR "/deepseek-v2-lite-tiny/config.json "
               TEST_DATA_DIR "/deepseek-v2-lite-tiny/model.safetensors extra/m/ && "
               "echo 'a b' > extra/m/merges.txt && echo '{\"chat_template\": \"x\"}' > "
               "extra/m/chat_template.json && echo B > extra/m/additional_chat_templates/b.jinja && "
               "echo A > extra/m/additional_chat_templates/a.jinja && "
               "echo no > extra/m/additional_chat_templates/c.txt && "
               "tar -C extra -czf extra.tgz m");
    char *path = h2g_strfmt("%s/extra.tgz", workdir);
    h2g_checkout co;
    open_ok(&co, path);
    assert_string_equal(co.dir_name, "m");
    size_t n;
    char **names = h2g_checkout_list(&co, "additional_chat_templates", ".jinja", &n);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "a.jinja");
    assert_string_equal(names[1], "b.jinja");
    assert_null(names[2]);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    char *text;
    size_t len;
    h2g_error err;
    assert_int_equal(h2g_checkout_read_file(&co, "merges.txt", 100, &text, &len, &err), 0);
    assert_string_equal(text, "a b\n");
    free(text);
    assert_int_equal(h2g_checkout_read_file(&co, "merges.txt", 2, &text, &len, &err), -1);
    assert_string_equal(err.msg, "merges.txt: file is 4 bytes, more than the 2 allowed");
    assert_int_equal(h2g_checkout_read_file(&co, "vocab.txt", 100, &text, &len, &err), 1);
    assert_int_equal(h2g_checkout_read_file(&co, "additional_chat_templates/b.jinja", 100, &text,
                                            &len, &err), 0);
    assert_string_equal(text, "B\n");
    free(text);
    cJSON *doc;
    assert_int_equal(h2g_checkout_read_json(&co, "chat_template.json", &doc, &err), 0);
    assert_string_equal(cJSON_GetObjectItem(doc, "chat_template")->valuestring, "x");
    cJSON_Delete(doc);
    h2g_checkout_close(&co);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tar_in_place),
        cmocka_unit_test(test_flat_names),
        cmocka_unit_test(test_staged),
        cmocka_unit_test(test_empty_scale_beside_weight),
        cmocka_unit_test(test_scale_in_other_shard),
        cmocka_unit_test(test_execute_staged),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_other_files),
    };
    return cmocka_run_group_tests(tests, workdir_setup, workdir_teardown);
}
