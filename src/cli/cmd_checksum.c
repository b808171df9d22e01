/* cmd_checksum.c - `hf2gguf checksum` (being written). */
#include <stdio.h>

#include "cli/commands.h"

int h2g_cmd_checksum(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hf2gguf: error: 'checksum' is not available yet\n");
    return H2G_EXIT_USAGE;
}
