/* test_hf_cache.c - the Hugging Face cache by model id: which strings are
 * ids (huggingface_hub's rules), where the hub cache is (its order of
 * variables), and the model name of a snapshot folder. The resolving itself,
 * on a fake cache, is tests/cli/test_hf_cache.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/hf_cache.h"

static void test_repo_ids(void **state) {
    (void)state;
    static const char *const ids[] = {
        "deepseek-ai/DeepSeek-V3", "a/b", "org_1/name.v2-x", "a/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" /* 96 */, "moonshotai/Kimi-K2-Instruct",
        "_x/y_",
    };
    static const char *const not_ids[] = {
        "DeepSeek-V3", "/abs/path", "a/b/c", "a//b", "./x", "../x", "a/", "/b", "a/-b", "a/b-",
        "a/.b", "a/b.", "a--b/c", "a/b--c", "a/b..c", "a b/c", "a/b~", "~/models", "",
        "a/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", /* 97 characters */
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        assert_true(h2g_hf_is_repo_id(ids[i]));
    for (size_t i = 0; i < sizeof not_ids / sizeof not_ids[0]; i++) {
        if (h2g_hf_is_repo_id(not_ids[i])) fail_msg("'%s' taken for a model id", not_ids[i]);
    }
}

static void clear_env(void) {
    unsetenv("HF_HUB_CACHE");
    unsetenv("HUGGINGFACE_HUB_CACHE");
    unsetenv("HF_HOME");
    unsetenv("XDG_CACHE_HOME");
}

static void expect_hub(const char *want) {
    char *got = h2g_hf_hub_cache();
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* huggingface_hub's order; a leading ~ is the home folder; "" is unset. */
static void test_hub_cache_order(void **state) {
    (void)state;
    clear_env();
    setenv("HOME", "/home/u", 1);
    expect_hub("/home/u/.cache/huggingface/hub");
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    expect_hub("/xdg/huggingface/hub");
    setenv("HF_HOME", "~/hf", 1);
    expect_hub("/home/u/hf/hub");
    setenv("HUGGINGFACE_HUB_CACHE", "/old", 1);
    expect_hub("/old");
    setenv("HF_HUB_CACHE", "/new", 1);
    expect_hub("/new");
    setenv("HF_HUB_CACHE", "", 1);
    expect_hub("/old");
    setenv("HF_HUB_CACHE", "~", 1);
    expect_hub("/home/u");
    setenv("HF_HUB_CACHE", "~other/x", 1); /* only the caller's own ~ is expanded */
    expect_hub("~other/x");
    clear_env();
}

static void expect_name(const char *path, const char *want) {
    char *got = h2g_hf_snapshot_model_name(path);
    if (!want) {
        if (got) fail_msg("'%s' named '%s', expected no name", path, got);
        return;
    }
    if (!got) fail_msg("'%s' not seen as a snapshot folder", path);
    assert_string_equal(got, want);
    free(got);
}

static void test_snapshot_names(void **state) {
    (void)state;
    const char *c = "/hub/models--deepseek-ai--DeepSeek-V3/snapshots/";
    char path[256];
    snprintf(path, sizeof path, "%s0123abcd", c);
    expect_name(path, "DeepSeek-V3");
    snprintf(path, sizeof path, "%s0123abcd///", c);
    expect_name(path, "DeepSeek-V3");
    expect_name("models--a--b/snapshots/x", "b");
    expect_name("/hub/models--a--b.c-d/snapshots/x/", "b.c-d");
    expect_name("/hub/models--a--b/snapshots", NULL);        /* no commit */
    expect_name("/hub/models--a--b/snapshots/", NULL);
    expect_name("/hub/models--a--b/refs/main", NULL);        /* not snapshots/ */
    expect_name("/hub/datasets--a--b/snapshots/x", NULL);    /* not a model */
    expect_name("/hub/models--ab/snapshots/x", NULL);        /* no -- before NAME */
    expect_name("/hub/models----/snapshots/x", NULL);
    expect_name("snapshots/x", NULL);
    expect_name("/models/DeepSeek-V3", NULL);
    expect_name("x", NULL);
    expect_name("/", NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repo_ids),
        cmocka_unit_test(test_hub_cache_order),
        cmocka_unit_test(test_snapshot_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
