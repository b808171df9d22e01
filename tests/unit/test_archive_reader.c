/* test_archive_reader.c - indexing checkouts packed in archives, in place:
 * entry offsets point at the files' bytes, a top folder is stripped, and
 * unsafe or compressed archives are refused. (The convert path does not use
 * archives yet; see the issue notes.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archive_reader.h"
#include "util.h"

static char workdir[] = "/tmp/hf2gguf-archive.XXXXXX";

static void sh(const char *fmt, const char *a, const char *b) {
    char *cmd = h2g_strfmt(fmt, a, b, a, b);
    if (system(cmd) != 0) fail_msg("command failed: %s", cmd);
    free(cmd);
}

/* Every entry's bytes in the archive equal the file's. */
static void check_entries(const h2g_archive *a, const char *dir) {
    for (size_t i = 0; i < a->n_entries; i++) {
        char *path = h2g_path_join(dir, a->entries[i].name), *text;
        size_t len;
        h2g_error err;
        assert_int_equal(h2g_read_small_file(path, path, 1 << 24, false, &text, &len, &err), 0);
        assert_int_equal(len, a->entries[i].size);
        assert_memory_equal(a->map + a->entries[i].offset, text, len);
        free(text);
        free(path);
    }
}

static void test_tar_with_top_folder(void **state) {
    (void)state;
    char *tar = h2g_strfmt("%s/v3.tar", workdir);
    sh("tar -C %s -cf %s deepseek-v3-tiny", TEST_DATA_DIR, tar);
    h2g_archive a;
    h2g_error err;
    if (h2g_archive_open(&a, tar, &err) != 0) fail_msg("%s", err.msg);
    assert_string_equal(a.top, "deepseek-v3-tiny");
    assert_non_null(h2g_archive_find(&a, "config.json"));
    assert_non_null(h2g_archive_find(&a, "model-00002-of-000003.safetensors"));
    char *dir = h2g_path_join(TEST_DATA_DIR, "deepseek-v3-tiny");
    check_entries(&a, dir);
    h2g_archive_close(&a);
    free(dir);
    free(tar);
}

static void test_flat_tar(void **state) {
    (void)state;
    char *tar = h2g_strfmt("%s/flat.tar", workdir);
    char *dir = h2g_path_join(TEST_DATA_DIR, "deepseek-v2-lite-tiny");
    sh("tar -C %s -cf %s .", dir, tar);
    h2g_archive a;
    h2g_error err;
    if (h2g_archive_open(&a, tar, &err) != 0) fail_msg("%s", err.msg);
    assert_null(a.top);
    assert_non_null(h2g_archive_find(&a, "model.safetensors"));
    check_entries(&a, dir);
    h2g_archive_close(&a);
    free(dir);
    free(tar);
}

static void expect_refused(const char *archive, const char *fragment) {
    h2g_archive a;
    h2g_error err = {{0}};
    assert_int_equal(h2g_archive_open(&a, archive, &err), -1);
    if (!strstr(err.msg, fragment)) fail_msg("'%s' lacks '%s'", err.msg, fragment);
}

static void test_refused(void **state) {
    (void)state;
    char *src = h2g_strfmt("%s/src", workdir);
    sh("mkdir -p %s/sub && echo x > %s/sub/a.json", src, src);
    char *gz = h2g_strfmt("%s/c.tar.gz", workdir);
    sh("tar -C %s -czf %s sub", src, gz);
    expect_refused(gz, "is compressed");
    char *dots = h2g_strfmt("%s/dots.tar", workdir);
    sh("tar -C %s/sub -cf %s --transform=s,^,../, a.json", src, dots);
    expect_refused(dots, "leads outside the archive");
    char *link = h2g_strfmt("%s/link.tar", workdir);
    sh("ln -s /etc/passwd %s/sub/evil%s", src, "");
    sh("tar -C %s -cf %s sub", src, link);
    expect_refused(link, "is a link to '/etc/passwd', outside the archive");
    char *junk = h2g_strfmt("%s/junk.tar", workdir);
    sh("head -c 3000 /dev/urandom > %s%s", junk, "");
    expect_refused(junk, "junk.tar");
    free(junk);
    free(link);
    free(dots);
    free(gz);
    free(src);
}

static int setup(void **state) {
    (void)state;
    return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char *cmd = h2g_strfmt("rm -rf %s", workdir);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tar_with_top_folder),
        cmocka_unit_test(test_flat_tar),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
