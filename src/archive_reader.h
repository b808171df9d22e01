/*
 * archive_reader.h - a checkout packed in an archive (tar, zip), read in place.
 *
 * The archive file is mapped and handed to libarchive as one buffer; for an
 * uncompressed tar and stored (uncompressed) zip entries the data libarchive
 * returns then points into our mapping, which tells where each file lies in
 * the archive. The checkout reads those ranges directly: nothing is unpacked
 * to disk. Compressed archives (tar.gz, tar.zst, deflated zip entries) are
 * refused for now with a message saying so.
 *
 * Entry names are checked before anything else: absolute paths, ".." parts
 * and links pointing outside the archive are refused. A single top-level
 * folder holding everything is stripped (and names the model).
 */
#ifndef HF2GGUF_ARCHIVE_READER_H
#define HF2GGUF_ARCHIVE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"

typedef struct h2g_archive_entry {
    char *name;      /* relative to the checkout (top folder stripped) */
    uint64_t offset; /* of the data in the archive file */
    uint64_t size;
} h2g_archive_entry;

typedef struct h2g_archive {
    char *path;
    int fd;
    const uint8_t *map;
    uint64_t size;
    h2g_archive_entry *entries; /* regular files only */
    size_t n_entries;
    char *top; /* the stripped top-level folder, or NULL */
} h2g_archive;

/* True when path names a regular file (so: an archive, not a directory). */
bool h2g_is_archive_path(const char *path);

int h2g_archive_open(h2g_archive *a, const char *path, h2g_error *err);
void h2g_archive_close(h2g_archive *a);

/* The entry called name (relative), or NULL. */
const h2g_archive_entry *h2g_archive_find(const h2g_archive *a, const char *name);

#endif
