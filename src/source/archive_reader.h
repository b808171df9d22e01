/*
 * archive_reader.h - the entries of a tar or zip archive, one after another.
 *
 * A thin, safe front on libarchive. The archive file is mapped and handed to
 * libarchive as one buffer, so that for an uncompressed tar and for stored
 * (uncompressed) zip entries the data libarchive returns points into our
 * mapping: that tells where the entry lies in the file, and the caller may
 * read it there in place. Other entries (tar.gz, tar.zst, tar.xz, tar.bz2,
 * deflated zip entries) can only be read in order, once, with
 * h2g_archive_reader_read().
 *
 * Names are checked before anything else: absolute paths, ".." parts and
 * links of any kind are refused, so nothing read from an archive can name a
 * file outside it.
 */
#ifndef HF2GGUF_ARCHIVE_READER_H
#define HF2GGUF_ARCHIVE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"

/* Entries an archive may hold: far more than any checkout, few enough that
 * indexing a hostile archive stays cheap. */
#define H2G_ARCHIVE_MAX_ENTRIES 100000u

typedef struct h2g_archive_reader h2g_archive_reader;

/* One regular file of the archive (folders are skipped). */
typedef struct h2g_archive_item {
    const char *name; /* as stored, without a leading "./"; valid until the next call */
    uint64_t size;
    bool in_place;    /* the data lies, uncompressed, at `offset` in the archive file */
    uint64_t offset;
} h2g_archive_item;

/* Starts reading the archive whose whole file is mapped at (map, size);
 * `path` names it in messages. */
int h2g_archive_reader_open(h2g_archive_reader **r, const char *path, const uint8_t *map,
                            uint64_t size, h2g_error *err);

/* The next regular file: 1 with *item filled, 0 after the last one, -1 on an
 * error (unsafe name, link, unreadable or corrupt archive). */
int h2g_archive_reader_next(h2g_archive_reader *r, h2g_archive_item *item, h2g_error *err);

/* Reads up to len bytes of the current entry's data, continuing where the
 * last call stopped: the count read (0 at the entry's end), or -1. */
long h2g_archive_reader_read(h2g_archive_reader *r, void *buf, size_t len, h2g_error *err);

void h2g_archive_reader_close(h2g_archive_reader *r);

#endif
