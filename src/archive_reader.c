/* archive_reader.c - indexing a checkout packed in a tar or zip archive, in place
 * (see archive_reader.h). */
#include "archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

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
    int64_t to = base + off;
    if (to < 0 || (uint64_t)to > c->size) return ARCHIVE_FATAL;
    c->pos = (uint64_t)to;
    return to;
}

static la_int64_t skip_ahead(struct archive *ar, void *data, la_int64_t request) {
    (void)ar;
    cursor *c = data;
    uint64_t n = (uint64_t)request < c->size - c->pos ? (uint64_t)request : c->size - c->pos;
    c->pos += n;
    return (la_int64_t)n;
}

/* ---------------------------------------------------------------------------
 * Entry names
 * ------------------------------------------------------------------------- */

/* Refuses absolute names and ".." parts; drops a leading "./". */
static int safe_name(const char *archive_name, const char *name, const char **out,
                     h2g_error *err) {
    while (name[0] == '.' && name[1] == '/') name += 2;
    if (name[0] == '/')
        return h2g_fail(err, "%s: entry '%s' has an absolute path; refused", archive_name, name);
    for (const char *p = name; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return h2g_fail(err, "%s: entry '%s' leads outside the archive ('..'); refused",
                            archive_name, name);
        p += len + (end ? 1 : 0);
    }
    *out = name;
    return 0;
}

/* Links are refused: one pointing outside could read any file, and the
 * checkout must be self-contained (pack a Hugging Face cache with tar -h). */
static int refuse_link(const char *archive_name, const char *name, struct archive_entry *e,
                       h2g_error *err) {
    const char *target = archive_entry_symlink(e);
    if (!target) target = archive_entry_hardlink(e);
    if (!target) target = "?";
    bool outside = target[0] == '/' || strstr(target, "..") != NULL;
    return h2g_fail(err, "%s: entry '%s' is a link to '%s'%s; links are refused (pack the "
                         "checkout with the files themselves, e.g. tar -h)",
                    archive_name, name, target, outside ? ", outside the archive" : "");
}

/* ---------------------------------------------------------------------------
 * Indexing
 * ------------------------------------------------------------------------- */

static int add_entry(h2g_archive *a, size_t *cap, const char *name, uint64_t off, uint64_t size,
                     h2g_error *err) {
    if (h2g_grow((void **)&a->entries, cap, a->n_entries + 1, sizeof *a->entries))
        return h2g_fail(err, "out of memory");
    h2g_archive_entry *e = &a->entries[a->n_entries++];
    e->name = h2g_strdup(name);
    e->offset = off;
    e->size = size;
    return e->name ? 0 : h2g_fail(err, "out of memory");
}

/* Where a regular entry's data lies in the file; fails for compressed data,
 * which libarchive hands back from its own buffers. */
static int locate(struct archive *ar, const h2g_archive *a, const char *name, uint64_t size,
                  uint64_t *off, h2g_error *err) {
    const void *buf;
    size_t n;
    la_int64_t at;
    int r = archive_read_data_block(ar, &buf, &n, &at);
    if (r == ARCHIVE_EOF && size == 0) {
        *off = 0;
        return 0;
    }
    const uint8_t *p = buf;
    if (r != ARCHIVE_OK || at != 0 || n != size || p < a->map || p + n > a->map + a->size)
        return h2g_fail(err, "%s: entry '%s' is compressed; hf2gguf reads uncompressed tar and "
                             "stored zip archives in place (unpack this one first)",
                        a->path, name);
    *off = (uint64_t)(p - a->map);
    return 0;
}

static int read_entries(h2g_archive *a, struct archive *ar, h2g_error *err) {
    struct archive_entry *e;
    size_t cap = 0;
    int r;
    while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
        const char *name = NULL;
        if (safe_name(a->path, archive_entry_pathname(e), &name, err) != 0) return -1;
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFLNK || archive_entry_hardlink(e)) return refuse_link(a->path, name, e, err);
        if (type != AE_IFREG) continue; /* folders */
        uint64_t off = 0, size = (uint64_t)archive_entry_size(e);
        if (locate(ar, a, name, size, &off, err) != 0 ||
            add_entry(a, &cap, name, off, size, err) != 0)
            return -1;
    }
    if (r != ARCHIVE_EOF)
        return h2g_fail(err, "%s: not a readable tar or zip archive: %s", a->path,
                        archive_error_string(ar) ? archive_error_string(ar) : "unknown error");
    if (a->n_entries == 0) return h2g_fail(err, "%s: the archive holds no files", a->path);
    return 0;
}

/* When every file sits under one folder "X/", drops "X/" from the names. */
static int strip_top_folder(h2g_archive *a, h2g_error *err) {
    const char *first = a->entries[0].name, *slash = strchr(first, '/');
    if (!slash) return 0;
    size_t len = (size_t)(slash - first) + 1;
    for (size_t i = 1; i < a->n_entries; i++)
        if (strncmp(a->entries[i].name, first, len) != 0) return 0;
    a->top = strndup(first, len - 1);
    if (!a->top) return h2g_fail(err, "out of memory");
    for (size_t i = 0; i < a->n_entries; i++)
        memmove(a->entries[i].name, a->entries[i].name + len, strlen(a->entries[i].name + len) + 1);
    return 0;
}

static int index_archive(h2g_archive *a, h2g_error *err) {
    struct archive *ar = archive_read_new();
    if (!ar) return h2g_fail(err, "out of memory");
    archive_read_support_filter_all(ar);
    archive_read_support_format_tar(ar);
    archive_read_support_format_zip_seekable(ar);
    cursor c = {a->map, a->size, 0};
    archive_read_set_callback_data(ar, &c);
    archive_read_set_read_callback(ar, read_all);
    archive_read_set_seek_callback(ar, seek_to);
    archive_read_set_skip_callback(ar, skip_ahead);
    int rc = 0;
    if (archive_read_open1(ar) != ARCHIVE_OK)
        rc = h2g_fail(err, "%s: not a tar or zip archive: %s", a->path,
                      archive_error_string(ar) ? archive_error_string(ar) : "unknown format");
    else if (archive_filter_code(ar, 0) != ARCHIVE_FILTER_NONE)
        rc = h2g_fail(err, "%s: the archive is compressed (%s); hf2gguf reads uncompressed tar "
                           "and stored zip archives in place (unpack this one first)",
                      a->path, archive_filter_name(ar, 0));
    if (rc == 0) rc = read_entries(a, ar, err);
    archive_read_free(ar);
    return rc == 0 ? strip_top_folder(a, err) : -1;
}

/* ---------------------------------------------------------------------------
 * Open and close
 * ------------------------------------------------------------------------- */

bool h2g_is_archive_path(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int h2g_archive_open(h2g_archive *a, const char *path, h2g_error *err) {
    memset(a, 0, sizeof *a);
    a->fd = -1;
    a->path = h2g_strdup(path);
    if (!a->path) return h2g_fail(err, "out of memory");
    a->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    int rc = 0;
    if (a->fd < 0 || fstat(a->fd, &st) != 0)
        rc = h2g_fail(err, "%s: cannot open: %s", path, strerror(errno));
    else if ((a->size = (uint64_t)st.st_size) == 0)
        rc = h2g_fail(err, "%s: empty file", path);
    if (rc == 0) {
        void *map = mmap(NULL, (size_t)a->size, PROT_READ, MAP_SHARED, a->fd, 0);
        if (map == MAP_FAILED)
            rc = h2g_fail(err, "%s: cannot map: %s", path, strerror(errno));
        else
            a->map = map;
    }
    if (rc == 0) rc = index_archive(a, err);
    if (rc != 0) h2g_archive_close(a);
    return rc;
}

void h2g_archive_close(h2g_archive *a) {
    for (size_t i = 0; i < a->n_entries; i++) free(a->entries[i].name);
    free(a->entries);
    if (a->map) munmap((void *)a->map, (size_t)a->size);
    if (a->fd >= 0) close(a->fd);
    free(a->path);
    free(a->top);
    memset(a, 0, sizeof *a);
    a->fd = -1;
}

const h2g_archive_entry *h2g_archive_find(const h2g_archive *a, const char *name) {
    for (size_t i = 0; i < a->n_entries; i++)
        if (!strcmp(a->entries[i].name, name)) return &a->entries[i];
    return NULL;
}
