/*
 * hf2gguf/error.h - errors carried back as values.
 *
 * Every library function that can fail returns an int status: 0 on success,
 * -1 on failure. On failure it has filled the caller's h2g_error with one
 * line of text saying which file, key or tensor was wrong, what was expected
 * and what was found. Only the command line prints it, once, at the top.
 *
 *     h2g_error err = {0};
 *     if (h2g_checkout_open(&co, dir, &err) != 0) {
 *         fprintf(stderr, "hf2gguf: error: %s\n", err.msg);
 *         return 1;
 *     }
 */
#ifndef HF2GGUF_ERROR_H
#define HF2GGUF_ERROR_H

#include <stddef.h>

#define H2G_ERROR_MAX 1024

typedef struct h2g_error {
    char msg[H2G_ERROR_MAX];
} h2g_error;

/* Fills err (when not NULL) with a printf-style message and returns -1, so
 * that a failing path reads `return h2g_fail(err, "...", ...);`. */
int h2g_fail(h2g_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Puts "prefix: " in front of a message already in err, to add context
 * (typically the file name) on the way up. Returns -1. */
int h2g_fail_prefix(h2g_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Warnings: what was skipped without stopping the work (an optional file
 * that could not be read, a value of the wrong type in one). The library
 * adds them to a list the caller owns; only the command line prints them.
 * A message already in the list is not added again (the same checkout is
 * read by more than one plan). Adding never fails the caller: past
 * H2G_WARNINGS_MAX messages (a checkout with thousands of stray shards), or
 * when memory runs out, a warning is not kept and `dropped` counts it. */
#define H2G_WARNINGS_MAX 100

typedef struct h2g_warnings {
    char **msgs;
    size_t n, cap;
    size_t dropped;
} h2g_warnings;

/* Adds a printf-style message to w (no-op when w is NULL). */
void h2g_warn(h2g_warnings *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Frees the messages; w is left empty and reusable. */
void h2g_warnings_clear(h2g_warnings *w);

#endif
