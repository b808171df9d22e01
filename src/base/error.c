/* error.c - filling h2g_error records (see include/hf2gguf/error.h). */
#include "hf2gguf/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int h2g_fail(h2g_error *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int h2g_fail_prefix(h2g_error *err, const char *fmt, ...) {
    if (err) {
        char prefix[H2G_ERROR_MAX], old[H2G_ERROR_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof old);
        snprintf(err->msg, sizeof err->msg, "%.300s: %.700s", prefix, old);
    }
    return -1;
}
