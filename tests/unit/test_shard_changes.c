/* test_shard_changes.c - a shard that shrinks after it was indexed (another
 * program rewriting the checkout) is reported, not read past its end, and
 * leaves no output behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/convert.h"
#include "hf2gguf/executor.h"
#include "base/util.h"

static void test_shrunk_shard(void **state) {
    (void)state;
    char dir[] = "/tmp/hf2gguf-shrink.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *cmd = h2g_strfmt("cp -r %s/deepseek-v2-lite-tiny/. %s/ && chmod -R u+w %s", TEST_DATA_DIR,
                           dir, dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);

    h2g_checkout co;
    h2g_error err = {{0}};
    assert_int_equal(h2g_checkout_open(&co, dir, &err), 0);
    h2g_convert_options o;
    h2g_convert_options_init(&o);
    h2g_plan plans[H2G_MAX_OUTPUTS];
    size_t n;
    assert_int_equal(h2g_convert_plan(&co, &o, plans, &n, &err), 0);

    /* Another program cuts the shard in half after it was indexed. */
    char *shard = h2g_path_join(dir, "model.safetensors");
    assert_int_equal(truncate(shard, (off_t)(co.shards[0].size / 2)), 0);

    char *out = h2g_path_join(dir, "out.gguf");
    const char *paths[1] = {out};
    assert_int_equal(h2g_execute(&co, plans, paths, 1, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "model.safetensors"));
    assert_true(strstr(err.msg, "ends early") || strstr(err.msg, "changed size"));
    char *tmp = h2g_strfmt("%s.tmp", out);
    assert_false(h2g_file_exists(out));
    assert_false(h2g_file_exists(tmp));

    free(tmp);
    free(out);
    free(shard);
    h2g_plan_free(&plans[0]);
    h2g_checkout_close(&co);
    cmd = h2g_strfmt("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_shrunk_shard)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
