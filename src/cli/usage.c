/* usage.c - the one way subcommands report usage errors (see commands.h). */
#include <stdarg.h>
#include <stdio.h>

#include "cli/commands.h"

int h2g_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("hf2gguf: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see hf2gguf %s --help)\n", cmd);
    va_end(ap);
    return H2G_EXIT_USAGE;
}
