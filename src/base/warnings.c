/* warnings.c - the list of things skipped without failing (see
 * include/hf2gguf/error.h). */
#include "hf2gguf/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether w already holds msg. */
static int has_message(const h2g_warnings *w, const char *msg) {
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->msgs[i], msg)) return 1;
    return 0;
}

/* Room for one more message; 0 when there is none. */
static int make_room(h2g_warnings *w) {
    if (w->n < w->cap) return 1;
    size_t cap = w->cap ? 2 * w->cap : 8;
    char **msgs = realloc(w->msgs, cap * sizeof *msgs);
    if (!msgs) return 0;
    w->msgs = msgs;
    w->cap = cap;
    return 1;
}

void h2g_warn(h2g_warnings *w, const char *fmt, ...) {
    if (!w) return;
    char msg[H2G_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (has_message(w, msg)) return;
    char *copy = w->n < H2G_WARNINGS_MAX && make_room(w) ? strdup(msg) : NULL;
    if (!copy) {
        w->dropped++;
        return;
    }
    w->msgs[w->n++] = copy;
}

void h2g_warnings_clear(h2g_warnings *w) {
    for (size_t i = 0; i < w->n; i++) free(w->msgs[i]);
    free(w->msgs);
    memset(w, 0, sizeof *w);
}
