/* util.c - strings, paths and small files (see util.h). */
#include "base/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *h2g_strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

char *h2g_strfmt(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *h2g_path_join(const char *dir, const char *name) {
    size_t n = strlen(dir);
    bool slash = n > 0 && dir[n - 1] == '/';
    return h2g_strfmt("%s%s%s", dir, slash ? "" : "/", name);
}

bool h2g_file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

bool h2g_str_ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool h2g_str_starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int h2g_read_small_file(const char *path, const char *display, size_t max_bytes, bool optional,
                        char **out, size_t *len, h2g_error *err) {
    *out = NULL;
    if (len) *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT && optional) return 1;
        return h2g_fail(err, "%s: cannot open: %s", display, strerror(errno));
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return h2g_fail(err, "%s: not a regular file", display);
    }
    if ((uint64_t)st.st_size > max_bytes) {
        fclose(f);
        return h2g_fail(err, "%s: file is %lld bytes, more than the %zu allowed", display,
                        (long long)st.st_size, max_bytes);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        return h2g_fail(err, "%s: out of memory for its %zu bytes", display, n);
    }
    if (n > 0 && fread(buf, 1, n, f) != n) {
        free(buf);
        fclose(f);
        return h2g_fail(err, "%s: read error", display);
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    if (len) *len = n;
    return 0;
}

int h2g_grow(void **items, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 8;
    while (c < need) c *= 2;
    void *p = realloc(*items, c * size);
    if (!p) return -1;
    *items = p;
    *cap = c;
    return 0;
}
