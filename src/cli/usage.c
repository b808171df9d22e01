/* usage.c - the one way subcommands report usage errors (see commands.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* Sets the flag called s; false when no flag has that name. */
static bool set_flag(const h2g_flag *flags, const char *s) {
    for (; flags && flags->name; flags++) {
        if (!strcmp(flags->name, s)) {
            *flags->set = true;
            return true;
        }
    }
    return false;
}

int h2g_parse_file_args(const char *cmd, const char *usage, int argc, char **argv,
                        const h2g_flag *flags, const char **path) {
    bool options_done = false;
    *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!options_done && s[0] == '-' && s[1] != '\0') {
            if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
                fputs(usage, stdout);
                return H2G_EXIT_OK;
            }
            if (!strcmp(s, "--")) options_done = true;
            else if (!set_flag(flags, s)) return h2g_usage_error(cmd, "unknown option '%s'", s);
        } else if (*path) {
            return h2g_usage_error(cmd, "more than one file given ('%s')", s);
        } else {
            *path = s;
        }
    }
    if (!*path) return h2g_usage_error(cmd, "%s", "no GGUF file given");
    return -1;
}
