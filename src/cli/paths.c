/* paths.c - see paths.h. */
#include "cli/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool cli_is_directory(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool cli_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

bool cli_ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !memcmp(s + n - m, suffix, m);
}

char *cli_path_join(const char *dir, const char *name) {
    size_t n = strlen(dir);
    const char *sep = n && dir[n - 1] == '/' ? "" : "/";
    char *out = NULL;
    return asprintf(&out, "%s%s%s", dir, sep, name) < 0 ? NULL : out;
}
