/* convert_min.c - the smallest program converting a checkout through
 * libhf2gguf's public API: the text model, default output type.
 *
 *     cc convert_min.c $(pkg-config --cflags --libs hf2gguf) -o convert_min
 *     ./convert_min ~/models/DeepSeek-V3 v3.gguf
 */
#include <stdio.h>

#include <hf2gguf/convert.h>
#include <hf2gguf/executor.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL_DIR OUT.gguf\n", argv[0]);
        return 2;
    }
    h2g_error err = {{0}};
    h2g_checkout co;
    if (h2g_checkout_open(&co, argv[1], &err) != 0) {
        fprintf(stderr, "convert_min: %s\n", err.msg);
        return 1;
    }
    h2g_convert_options opts;
    h2g_convert_options_init(&opts);
    h2g_plan plans[H2G_MAX_OUTPUTS];
    size_t n = 0;
    int rc = h2g_convert_plan(&co, &opts, plans, &n, &err);
    /* What was skipped (an unreadable model card, say) does not stop it. */
    for (size_t i = 0; i < co.warnings->n; i++)
        fprintf(stderr, "convert_min: warning: %s\n", co.warnings->msgs[i]);
    if (rc == 0) {
        const char *path = argv[2];
        h2g_exec_options exec = {0}; /* all cores, no progress */
        h2g_exec_stats stats;
        rc = h2g_execute(&co, plans, &path, 1, &exec, &stats, &err);
        if (rc == 0) printf("wrote %s: %zu tensors\n", path, plans[0].n_tensors);
        for (size_t i = 0; i < n; i++) h2g_plan_free(&plans[i]);
    }
    if (rc != 0) fprintf(stderr, "convert_min: %s\n", err.msg);
    h2g_checkout_close(&co);
    return rc == 0 ? 0 : 1;
}
