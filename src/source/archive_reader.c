/* archive_reader.c - the entries of a tar or zip archive, one after another
 * (see archive_reader.h). */
#include "source/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/util.h"

/* ---------------------------------------------------------------------------
 * libarchive reads our mapping
 * ------------------------------------------------------------------------- */

/* The whole file is one buffer: libarchive's pointers into it are offsets. */
typedef struct cursor {
    const uint8_t *map;
    uint64_t size, pos;
} cursor;

static la_ssize_t read_all(struct archive *ar, void *data, const void **buf) {
    (void)ar;
    cursor *c = data;
    *buf = c->map + c->pos;
    la_ssize_t n = (la_ssize_t)(c->size - c->pos);
    c->pos = c->size;
    return n;
}

static la_int64_t seek_to(struct archive *ar, void *data, la_int64_t off, int whence) {
    (void)ar;
    cursor *c = data;
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)c->pos : (int64_t)c->size;
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0 || (uint64_t)(base + off) > c->size)
        return ARCHIVE_FATAL;
    c->pos = (uint64_t)(base + off);
    return (la_int64_t)c->pos;
}

static la_int64_t skip_ahead(struct archive *ar, void *data, la_int64_t request) {
    (void)ar;
    cursor *c = data;
    if (request <= 0) return 0;
    uint64_t n = (uint64_t)request < c->size - c->pos ? (uint64_t)request : c->size - c->pos;
    c->pos += n;
    return (la_int64_t)n;
}

/* ---------------------------------------------------------------------------
 * The reader
 * ------------------------------------------------------------------------- */

struct h2g_archive_reader {
    struct archive *ar;
    char *path;
    cursor cur;
    size_t n_entries;
    /* the current entry */
    const char *name;
    uint64_t size;
    uint64_t delivered;   /* bytes handed out by h2g_archive_reader_read */
    const uint8_t *block; /* data libarchive gave us, not handed out yet */
    size_t block_len;
    bool data_done;       /* libarchive said the entry's data ended */
    uint64_t since_drop;  /* bytes decompressed since the last drop_pages() */
    bool compressed;      /* a compressed stream (not a zip's own compression) */
};

/* Decompressing walks the whole mapping, and every page touched would count
 * in our resident size up to the archive's size (hundreds of GB for a big
 * checkpoint). The pages are clean file pages: dropping them from our
 * mapping now and then costs nothing (the page cache keeps them, and
 * libarchive's pointers fault them back in if it needs them again). */
#define DROP_EVERY (16u << 20)

static void drop_pages(h2g_archive_reader *r) {
    if (r->cur.size) madvise((void *)r->cur.map, (size_t)r->cur.size, MADV_DONTNEED);
    r->since_drop = 0;
}

static const char *ar_error(struct archive *ar) {
    const char *s = archive_error_string(ar);
    return s ? s : "unknown error";
}

/* Compressions are enabled one by one: filter_all would also accept
 * formats libarchive decodes by running an external program. */
int h2g_archive_reader_open(h2g_archive_reader **out, const char *path, const uint8_t *map,
                            uint64_t size, h2g_error *err) {
    *out = NULL;
    h2g_archive_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = h2g_strdup(path)) || !(r->ar = archive_read_new())) {
        h2g_archive_reader_close(r);
        return h2g_fail(err, "%s: out of memory for the archive reader", path);
    }
    archive_read_support_filter_gzip(r->ar);
    archive_read_support_filter_bzip2(r->ar);
    archive_read_support_filter_xz(r->ar);
    archive_read_support_filter_zstd(r->ar);
    archive_read_support_format_tar(r->ar);
    archive_read_support_format_zip_seekable(r->ar);
    /* A zip's CRCs are checked by reading every entry's data, which for a
     * stored shard read in place would read the whole archive once more
     * just to index it (and fill our resident size with its pages). Tar has
     * no such checks either; compressed streams keep their own. */
    archive_read_set_format_option(r->ar, "zip", "ignorecrc32", "1");
    r->cur = (cursor){map, size, 0};
    archive_read_set_callback_data(r->ar, &r->cur);
    archive_read_set_read_callback(r->ar, read_all);
    archive_read_set_seek_callback(r->ar, seek_to);
    archive_read_set_skip_callback(r->ar, skip_ahead);
    if (archive_read_open1(r->ar) != ARCHIVE_OK) {
        int rc = h2g_fail(err, "%s: not a readable tar or zip archive: %s", path, ar_error(r->ar));
        h2g_archive_reader_close(r);
        return rc;
    }
    r->compressed = archive_filter_code(r->ar, 0) != ARCHIVE_FILTER_NONE;
    *out = r;
    return 0;
}

void h2g_archive_reader_close(h2g_archive_reader *r) {
    if (!r) return;
    if (r->ar) archive_read_free(r->ar);
    free(r->path);
    free(r);
}

/* ---------------------------------------------------------------------------
 * Entry names and kinds
 * ------------------------------------------------------------------------- */

/* Refuses absolute names and ".." parts; drops leading "./". */
static int safe_name(const char *archive, const char *name, const char **out, h2g_error *err) {
    if (!name || !*name) return h2g_fail(err, "%s: an entry has no name", archive);
    while (name[0] == '.' && name[1] == '/') name += 2;
    if (name[0] == '/')
        return h2g_fail(err, "%s: entry '%.200s' has an absolute path; refused", archive, name);
    for (const char *p = name; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return h2g_fail(err, "%s: entry '%.200s' leads outside the archive ('..'); refused",
                            archive, name);
        p += len + (end ? 1 : 0);
    }
    *out = name;
    return 0;
}

/* Links are refused: one pointing outside could read any file, and a
 * checkout must hold its files themselves (pack a Hugging Face cache
 * snapshot with tar -h, which follows its links). */
static int refuse_link(const char *archive, const char *name, struct archive_entry *e,
                       h2g_error *err) {
    const char *target = archive_entry_symlink(e);
    if (!target) target = archive_entry_hardlink(e);
    if (!target) target = "?";
    bool outside = target[0] == '/' || strstr(target, "..") != NULL;
    return h2g_fail(err, "%s: entry '%.200s' is a link to '%.200s'%s; links are refused (pack "
                         "the checkout with the files themselves, e.g. tar -h)",
                    archive, name, target, outside ? ", outside the archive" : "");
}

/* ---------------------------------------------------------------------------
 * Entries and their data
 * ------------------------------------------------------------------------- */

/* Takes the next block of the current entry's data from libarchive:
 * 1 (r->block filled), 0 at the end of the data, -1 on an error. */
static int next_block(h2g_archive_reader *r, h2g_error *err) {
    if (r->data_done) return 0;
    const void *buf;
    size_t n;
    la_int64_t at;
    int rc = archive_read_data_block(r->ar, &buf, &n, &at);
    if (rc == ARCHIVE_EOF) {
        r->data_done = true;
        return 0;
    }
    if (rc < ARCHIVE_WARN)
        return h2g_fail(err, "%s: entry '%.200s': %s", r->path, r->name, ar_error(r->ar));
    uint64_t got = r->delivered + r->block_len;
    if (at < 0 || (uint64_t)at != got)
        return h2g_fail(err, "%s: entry '%.200s' is a sparse file; unpack the archive first",
                        r->path, r->name);
    if (n > r->size - got)
        return h2g_fail(err, "%s: entry '%.200s' holds more data than its stated %llu bytes",
                        r->path, r->name, (unsigned long long)r->size);
    r->block = buf;
    r->block_len = n;
    if ((r->since_drop += n) >= DROP_EVERY) drop_pages(r);
    return 1;
}

/* Reads the rest of the current entry's data and drops it. libarchive would
 * skip it the same way (a compressed stream can only be read through), but
 * in one go, touching all of it in our mapping; here the pages are dropped
 * as they go. */
static int drain(h2g_archive_reader *r, h2g_error *err) {
    if (!r->name) return 0; /* before the first entry */
    int rc;
    do {
        r->delivered += r->block_len;
        r->block_len = 0;
    } while ((rc = next_block(r, err)) == 1);
    return rc;
}

int h2g_archive_reader_next(h2g_archive_reader *r, h2g_archive_item *item, h2g_error *err) {
    if (r->compressed && drain(r, err) != 0) return -1;
    for (;;) {
        struct archive_entry *e;
        int rc = archive_read_next_header(r->ar, &e);
        if (rc == ARCHIVE_EOF) return 0;
        if (rc < ARCHIVE_WARN)
            return h2g_fail(err, "%s: not a readable tar or zip archive: %s", r->path,
                            ar_error(r->ar));
        const char *name = NULL;
        if (safe_name(r->path, archive_entry_pathname(e), &name, err) != 0) return -1;
        if (archive_entry_filetype(e) == AE_IFLNK || archive_entry_hardlink(e))
            return refuse_link(r->path, name, e, err);
        if (archive_entry_filetype(e) != AE_IFREG) continue; /* folders and the like */
        if (++r->n_entries > H2G_ARCHIVE_MAX_ENTRIES)
            return h2g_fail(err, "%s: more than %u files; not a model checkout", r->path,
                            H2G_ARCHIVE_MAX_ENTRIES);
        if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0)
            return h2g_fail(err, "%s: entry '%.200s' does not state its size", r->path, name);
        r->name = name;
        r->size = (uint64_t)archive_entry_size(e);
        r->delivered = 0;
        r->block = NULL;
        r->block_len = 0;
        r->data_done = false;
        /* The first block tells whether the data lies in our mapping. */
        if (next_block(r, err) < 0) return -1;
        const uint8_t *map = r->cur.map;
        bool in_place = r->size == 0 ||
                        (r->block_len == r->size && r->block >= map &&
                         (uint64_t)(r->block - map) <= r->cur.size - r->size);
        *item = (h2g_archive_item){name, r->size, in_place,
                                   in_place && r->size ? (uint64_t)(r->block - map) : 0};
        return 1;
    }
}

long h2g_archive_reader_read(h2g_archive_reader *r, void *buf, size_t len, h2g_error *err) {
    while (r->block_len == 0) { /* (a block may be empty) */
        int rc = next_block(r, err);
        if (rc < 0) return -1;
        if (rc == 0) {
            if (r->delivered != r->size)
                return h2g_fail(err, "%s: entry '%.200s' ends after %llu of its %llu bytes",
                                r->path, r->name, (unsigned long long)r->delivered,
                                (unsigned long long)r->size);
            return 0;
        }
    }
    size_t n = len < r->block_len ? len : r->block_len;
    if (n > (size_t)LONG_MAX) n = (size_t)LONG_MAX;
    memcpy(buf, r->block, n);
    r->block += n;
    r->block_len -= n;
    r->delivered += n;
    return (long)n;
}
