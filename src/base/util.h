/* util.h - small helpers shared by the library: strings, paths, files. */
#ifndef HF2GGUF_UTIL_H
#define HF2GGUF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"

/* strdup that returns NULL for NULL. */
char *h2g_strdup(const char *s);
/* malloc'ed printf. NULL when out of memory. */
char *h2g_strfmt(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* "dir/name" (no doubled slash); malloc'ed. */
char *h2g_path_join(const char *dir, const char *name);
bool h2g_file_exists(const char *path);
bool h2g_str_ends_with(const char *s, const char *suffix);
bool h2g_str_starts_with(const char *s, const char *prefix);

/* Reads a whole file into a malloc'ed, NUL-terminated buffer, refusing
 * files larger than max_bytes. `display` names the file in messages.
 * Returns 1 (and *out NULL) when the file does not exist and optional is
 * true, 0 on success, -1 on error. */
int h2g_read_small_file(const char *path, const char *display, size_t max_bytes, bool optional,
                        char **out, size_t *len, h2g_error *err);

/* Grows *items (element size `size`) so that it holds at least `need`
 * elements; doubles the capacity. Returns 0 or -1 (out of memory). */
int h2g_grow(void **items, size_t *cap, size_t need, size_t size);

#endif
