/* cmd_verify.c - `hf2gguf verify` (being written). */
#include <stdio.h>

#include "cli/commands.h"

int h2g_cmd_verify(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hf2gguf: error: 'verify' is not available yet\n");
    return H2G_EXIT_USAGE;
}
