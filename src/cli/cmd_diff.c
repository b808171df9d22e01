/* cmd_diff.c - `hf2gguf diff` (being written). */
#include <stdio.h>

#include "cli/commands.h"

int h2g_cmd_diff(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hf2gguf: error: 'diff' is not available yet\n");
    return H2G_EXIT_USAGE;
}
